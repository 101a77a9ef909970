/* check.h - the semantic checks run over a resolved release.
 *
 * Each rule is a row of a table (its diagnostic code and a function), so a
 * rule can be listed, looked up by code or name, and switched off. The rules
 * live in one src/check_<family>.c file per family:
 *   check_captures.c  E009 (capture order, checksum names)
 *   check_rollback.c  E010, E011, E012 (how each step is reversed)
 *   check_blocks.c    E016, W101, W102, W113 (the contents of blocks)
 *   check_meta.c      W106, W107, W108, W112 (the release as a whole)
 *   check_fleet.c     W117 (the fleet rollout)
 * and the effect rules in check_effects.c (check_effects.h). The parts of
 * E012 and W113 that the effects pass runs per block are in check_parts.c,
 * below both.
 * Users: check.c, the check_<family>.c files, compile.c, tests. */
#ifndef RELC_CHECK_H
#define RELC_CHECK_H

#include <stdbool.h>
#include <stddef.h>

#include "ast.h"
#include "diag.h"

struct compile;

/* One named, switchable rule. */
struct check_rule {
	enum diag_code code;              /* the code it reports (main one) */
	void (*run)(struct compile *c);   /* reads c->rel, reports into c->diags */
	bool effects_pass;                /* looks at commands' effects: the
	                                     driver runs all such rules in one
	                                     check_effects_pass instead of run */
};

/* The table of rules, in the order they run; *n receives its length. */
const struct check_rule *check_rules(size_t *n);

/* Find a rule by code ("E010", any case) or by the code's registry name
 * ("missing-undo"); NULL if there is none. */
const struct check_rule *check_rule_find(const char *key);

/* Run every rule over c->rel (which must be non-NULL). Called by compile.c
 * after resolve. */
void check_release(struct compile *c);

/* Run every rule except those whose code has skip[code] set. */
void check_release_except(struct compile *c, const bool skip[DIAG__COUNT]);

/* Does this step command change stored data (a writing SQL statement through
 * sqlite3/psql/mysql, or a migration)? The data test behind E012. */
bool check_command_changes_data(struct compile *c, const struct command *cmd);

/* Does this command prove a backup intact (gzip -t, sha256sum -c, PRAGMA
 * integrity_check, pg_restore --list, tar -t, ...)? The test behind W113. */
bool check_command_verifies_integrity(struct compile *c,
                                      const struct command *cmd);

/* ---- the rules (one function per row of the table) ---- */

/* E009: captures used where they may not exist; checksum names. */
void check_capture_order(struct compile *c);
/* E010: a step that does not say how it is reversed. */
void check_missing_undo(struct compile *c);
/* E011: irreversible steps; marks later steps past the point of no return. */
void check_irreversible(struct compile *c);
/* E012: a step changes data and the release has no backup. */
void check_data_without_backup(struct compile *c);
/* E016: a block (undo blocks included) with no command. */
void check_empty_block(struct compile *c);
/* W101: a step, backup or verify without estimate. */
void check_no_estimate(struct compile *c);
/* W102: a step whose commands check nothing beyond exit status. */
void check_no_expect(struct compile *c);
/* W106: the release has no verify block. */
void check_no_verify(struct compile *c);
/* W107: the release has no after-rollback block. */
void check_no_after_rollback(struct compile *c);
/* W108: the root spec's file name does not match `release`. */
void check_file_name(struct compile *c);
/* W112: the release does not state its downtime. */
void check_no_downtime(struct compile *c);
/* W113: a backup without checksum or integrity command. */
void check_backup_unverified(struct compile *c);
/* W117: the first batch of the fleet block is 100%: no canary. */
void check_fleet_canary(struct compile *c);

#endif
