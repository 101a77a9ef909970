/* check_effects.h - the effect rules (check_effects.c): W103, W104, W105,
 * W109, W110 and the one pass over the blocks that also runs the per-block
 * parts of E012 and W113 (check_parts.h). Above the effects table
 * (effects.h), below the check table (check.h).
 * Users: check.c, check_blocks.c, check_rollback.c, main.c, tests. */
#ifndef RELC_CHECK_EFFECTS_H
#define RELC_CHECK_EFFECTS_H

#include <stdbool.h>

#include "compilation.h"
#include "diag.h"
#include "util.h"

/* The effect rules in one pass over the blocks, in release order: each
 * block's effects are read into a scratch arena, every rule with on[code]
 * set looks at them (E012, W104, W105, W109, W110, W113, W122 and what W103 keeps
 * of them), and the arena is freed before the next block. A big release is
 * split in slices that two threads take in turn; W103 then walks its rollback paths
 * over the compact records kept for it. */
void check_effects_pass(struct compile *c, const bool on[DIAG__COUNT]);
/* The same, with others(c, arg) run before it returns: beside the serial
 * rollback walk, on this thread, when the release is big enough to split.
 * others must read no effects and change nothing the walk reads. */
void check_effects_pass_with(struct compile *c, const bool on[DIAG__COUNT],
                             void (*others)(struct compile *, const void *),
                             const void *arg);

/* The effect rules one at a time (rows of the check table): each runs the
 * pass with its own code alone. */
void check_effects_rollback(struct compile *c);      /* W103 */
void check_effects_idempotent(struct compile *c);    /* W104 */
void check_effects_read_only(struct compile *c);     /* W105 */
void check_effects_undo_none(struct compile *c);     /* W109 */
void check_effects_dangerous(struct compile *c);     /* W110 */
void check_effects_backup_unread(struct compile *c); /* W114 */
void check_effects_backup_state(struct compile *c);  /* W122 */

/* `relc check --explain-effects`: per block, each command recognised with
 * its effects, and each command not recognised. */
void effects_explain(struct buf *out, const struct compile *c);

#endif
