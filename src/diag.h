/* diag.h - the message registry and the diagnostics printer.
 *
 * Every code relc can report is a row of messages.def (code, severity, name,
 * summary, explanation). `relc explain` and --diagnostics=sarif read the same
 * rows. Diagnostics are collected during a compilation and printed sorted by
 * location, so one run reports every problem. The JSON and SARIF printers
 * are in diag_json.h, above this. Users: nearly every file. */
#ifndef RELC_DIAG_H
#define RELC_DIAG_H

#include <stdbool.h>
#include <stdio.h>

#include "ast.h"
#include "util.h"

enum diag_severity { SEV_ERROR, SEV_WARNING };

enum diag_code {
#define MSG(code, sev, name, summary, explain) DIAG_##code,
#include "messages.def"
#undef MSG
	DIAG__COUNT
};

struct diag_info {
	const char *code;     /* "E011" */
	enum diag_severity severity;
	const char *name;     /* short kebab-case rule name */
	const char *summary;  /* one line */
	const char *explain;  /* paragraphs with a bad and a good example */
};

const struct diag_info *diag_info(enum diag_code c);
/* Look a code up by its text ("E011", case-insensitive); -1 if unknown. */
int diag_lookup(const char *code);

struct diag_note {
	struct loc loc; /* line 0: no location */
	char *text;
	struct diag_note *next;
};

struct diagnostic {
	enum diag_code code;
	enum diag_severity severity; /* after --werror / --allow-irreversible */
	struct loc loc;
	int end_col;     /* 0 if unknown: the caret is one column */
	char *message;
	struct diag_note *notes, *last_note;
	unsigned seq;    /* report order, to keep sorting stable */
	int file_key;    /* diag_sort's: the file's registration order */
};

/* Source text registry, so the printer can show the offending line. */
struct diag_set;
struct diag_set *diag_set_new(void);
void diag_set_free(struct diag_set *ds);
void diag_add_source(struct diag_set *ds, const char *path, const char *text,
                     size_t len);
/* The same, taking text (malloc'd) instead of copying it: a spec's bytes are
 * then held once, not twice, while the release is checked. */
void diag_take_source(struct diag_set *ds, const char *path, char *text,
                      size_t len);

enum diag_format { DIAG_TEXT, DIAG_JSON, DIAG_SARIF };

struct diag_options {
	bool werror;
	bool allow_irreversible;
	bool quiet;              /* -q: errors only, no source lines or notes */
	enum diag_format format;
};
void diag_set_options(struct diag_set *ds, const struct diag_options *o);
const struct diag_options *diag_get_options(const struct diag_set *ds);

/* Report a diagnostic; returns it so notes can be attached. */
struct diagnostic *diag_report(struct diag_set *ds, enum diag_code code,
                               struct loc loc, const char *fmt, ...)
	RELC_PRINTF(4, 5);
void diag_set_end(struct diagnostic *d, int end_col);
void diag_note(struct diagnostic *d, struct loc loc, const char *fmt, ...)
	RELC_PRINTF(3, 4);

/* Move every diagnostic of `from` (a set with the same options, filled on
 * another thread) to the end of `to`, in from's report order, leaving from
 * empty. Sorting is by location, then code, then report order, so moving a
 * later part of the release after an earlier one prints as if one set had
 * been reported into. */
void diag_set_append(struct diag_set *to, struct diag_set *from);

unsigned diag_errors(const struct diag_set *ds);
unsigned diag_warnings(const struct diag_set *ds);
/* Iterate in sorted order (sorts on first call after a report). */
size_t diag_count(struct diag_set *ds);
const struct diagnostic *diag_get(struct diag_set *ds, size_t i);
/* The same, writable: for passes that attach notes after the fact. */
struct diagnostic *diag_at(struct diag_set *ds, size_t i);

/* The text printer (--diagnostics=text): "file:line:col: severity[CODE]:
 * message", the source line with a caret, the notes; -q keeps errors only.
 * diag_print in diag_json.h picks the printer the options ask for. */
void diag_print_text(struct diag_set *ds, FILE *out);

/* Called by relc_error with its message when set (diag_json.c sets it while
 * a --diagnostics document is open). */
extern void (*relc_error_hook)(const char *message);

/* A plain error not tied to a spec location (I/O, usage): "relc: error: ..."
 * on stderr, and a failure in the open document. */
void relc_error(const char *fmt, ...) RELC_PRINTF(1, 2);

#endif
