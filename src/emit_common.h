/* emit_common.h - what the back ends share (emit_common.c): provenance,
 * the derived rollback paths, values as text and spec text as Markdown.
 * Users: the emit_*.c files, tests. */
#ifndef RELC_EMIT_COMMON_H
#define RELC_EMIT_COMMON_H

#include <stdbool.h>

#include "compilation.h"
#include "util.h"

/* The provenance header lines, each starting with `prefix` ("# " for shell,
 * "" inside an HTML comment for Markdown): relc version, spec path relative to
 * the repository, its blob id, pinned previous and target, do-not-edit. */
void emit_provenance(struct buf *out, const struct compile *c, const char *prefix);

/* The derived rollback paths of all the steps, indexed once so that the
 * path of any step is known in constant time: a walk per step made plan.md
 * and the JSON quadratic in the number of steps. */
struct rollback_index {
	int nsteps;
	const struct block **step;      /* step[i - 1] is step i (index i) */
	const struct block **undo_step; /* the steps with an undo block, in order */
	int *nundo;   /* nundo[i]: how many of steps 1..i have an undo block */
	int *stop;    /* stop[i]: the last irreversible step of 1..i, 0 if none */
};

void rollback_index_init(struct rollback_index *ix, const struct release *r);
void rollback_index_free(struct rollback_index *ix);

/* The rollback path of a failure at step k (1-based; a failing verify is
 * k = nsteps): the undos of steps from_step down to to_step run, newest
 * first, skipping the steps in that range without an undo block; count is
 * how many run (0, with from_step = to_step = 0, when none does). The walk
 * stops at an irreversible step, `blocked`, and after-rollback then does not
 * run; blocked is NULL when the walk reached step 1. */
struct rollback_path {
	int from_step, to_step;
	int count;
	const struct block *blocked;
};

struct rollback_path emit_rollback_path(const struct rollback_index *ix, int k);

/* The i-th step (0-based, in running order) whose undo runs on path p. */
const struct block *rollback_path_undo(const struct rollback_index *ix,
                                       const struct rollback_path *p, int i);

/* The last irreversible step before step k, NULL if none. */
const struct block *rollback_no_return_before(const struct rollback_index *ix,
                                              int k);

/* A value as text: decoded, lets and built-ins substituted; a reference to a
 * run-time value (env, capture) kept as ${name}. */
void emit_value_text(struct buf *out, const struct value *v);

/* Spec text as Markdown inline content that renders as written (specials
 * escaped, control characters as spaces); `line_start` when it opens a block
 * such as a list item's content. */
void emit_md_text(struct buf *out, const char *s, size_t len, bool line_start);

#endif
