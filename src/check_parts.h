/* check_parts.h - the per-block parts of E012 and W113, below both the rule
 * families (check_rollback.c, check_blocks.c) and the effects pass
 * (check_effects.c) that run them: one block's effects in, diagnostics out.
 * Its users: check_blocks.c, check_rollback.c, check_effects.c. */
#ifndef RELC_CHECK_PARTS_H
#define RELC_CHECK_PARTS_H

#include <stdbool.h>
#include <stddef.h>

#include "ast.h"
#include "diag.h"
#include "effects.h"

/* Does the release have a backup block? */
bool check_release_has_backup(const struct release *r);

/* ce[0..n) are one block's effects, ce[i].cmd its i-th command. */
/* E012 on one step. */
void check_step_data_without_backup(struct diag_set *ds, const struct release *r,
                                    const struct block *s,
                                    const struct cmd_effects *ce, size_t n);
/* W113 on one backup block. */
void check_backup_block_unverified(struct diag_set *ds, const struct block *b,
                                   const struct cmd_effects *ce, size_t n);
/* Does one command, its effects read, prove a backup intact (gzip -t,
 * sha256sum -c, PRAGMA integrity_check, pg_restore --list, tar -t, ...)? */
bool check_effects_verify_integrity(const struct cmd_effects *ce);

#endif
