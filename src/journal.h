/* journal.h - what the journals of earlier runs say about a release:
 * evidence that its rollback paths work (from journals of this very spec)
 * and measured block durations (from any release's journals).
 *
 * Journals come from production machines and are read as hostile input:
 * a malformed line is a W121 at file:line and its journal never counts as
 * evidence; nothing read from a journal but validated tokens (times, host
 * names, durations) reaches the back ends. Runs after the checks, on a
 * release without errors. Users: compile.c (journal_read), emit_sh.c (the
 * block digests), emit_md.c and emit_json.c (the facts). */
#ifndef RELC_JOURNAL_H
#define RELC_JOURNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "compilation.h"

/* Measured durations of one block, over every journal given. */
struct jstat {
	int64_t min_ms, max_ms;
	int runs;
	const char *worst_file; /* where max_ms was recorded */
	int worst_line;
};

/* A rollback path of this spec that ran to `rolled-back` in a journal. */
struct jpath {
	int k;                 /* the path from step k: undo k..1, after-rollback */
	const char *file;      /* the journal, as given */
	int line;              /* of its rollback-start */
	char when[24];         /* the rollback-start's time (UTC) */
	char host[72];         /* from deploy-start; "unknown" if not recorded */
	char mode[24];         /* rehearsal, normal, resume */
	int64_t rollback_ms;   /* the undos and after-rollbacks, added up */
	bool read_backup;      /* an undo that reads a backup's capture completed */
	bool after_done;       /* every after-rollback block completed */
};

struct journal_facts {
	struct jstat *stats;   /* per block slot (journal_slot) */
	size_t nslots;
	struct jpath *paths;   /* sorted by k, then time, file, line */
	size_t npaths;
	int files;             /* journal files read */
	int evidence_files;    /* of this spec and well formed */
};

/* Read every journal in c->opt.journals (files, or state folders with
 * journal.log and run-*\/journal.log) and set c->journals; diagnostics go to
 * c->diags. Does nothing without journals or without a release. */
void journal_read(struct compile *c);
void journal_facts_free(struct journal_facts *f);

/* The measured durations of block b (NULL when never measured). */
const struct jstat *journal_stat(const struct compile *c, const struct block *b);

/* Did block b take more than twice its upper estimate (W118)? */
bool journal_over_estimate(const struct block *b, const struct jstat *st);

/* The newest evidence of the path from step k, and how many runs show it
 * (0: never rehearsed). */
const struct jpath *journal_path(const struct compile *c, int k, int *count);

/* Does undo block u read a value a backup captured (the backup's file)? */
bool journal_reads_backup(const struct block *u);

/* A block's identity across releases: FNV-1a over its kind and commands as
 * written, 8 hex digits; deploy.sh journals it so that history can match
 * blocks of earlier releases by kind, name and commands. */
void journal_block_digest(const struct block *b, char out[9]);

#endif
