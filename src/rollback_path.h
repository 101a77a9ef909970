/* rollback_path.h - the rollback path of each step: which undos run, in
 * which order, where the walk back stops, and whether after-rollback runs.
 * One answer for the checks (W103, W109, W114) and the back ends (plan.md,
 * JSON), so that the cut at an irreversible step is decided in one place. */
#ifndef RELC_ROLLBACK_PATH_H
#define RELC_ROLLBACK_PATH_H

#include <stdbool.h>

#include "ast.h"

/* The rollback path of a failure at step k (1-based; a failing verify is
 * k = nsteps): the undos of steps from_step down to to_step run, newest
 * first, skipping the steps in that range without an undo block; count is
 * how many run (0, with from_step = to_step = 0, when none does). The walk
 * stops at an irreversible step, `blocked`, and after-rollback then does not
 * run; blocked is NULL when the walk reached step 1, and after-rollback runs
 * after the undos. */
struct rollback_path {
	int from_step, to_step;
	int count;
	const struct block *blocked;
};

/* A walk over the steps, k = 1, 2, ...: after each rollback_walk_next,
 * `path` is the rollback path of a failure at step k, and it says how that
 * path relates to the one of step k-1. This is where the rule lives (which
 * undos run, where an irreversible step cuts the walk back); the index below
 * is filled by it. A check that goes through the steps in order keeps the
 * walk and no index: constant memory. */
struct rollback_walk {
	const struct release *rel;
	int k;                        /* 0 before the first step */
	const struct block *step;     /* step k */
	struct rollback_path path;    /* the rollback path of a failure at step k */
	bool restarted;               /* path does not extend the one of step k-1
	                                 (k = 1, or a new cut at an irreversible step) */
	const struct block *new_undo; /* else: the step whose undo is in front of
	                                 the path of k-1 (step k), or NULL */
};

void rollback_walk_start(struct rollback_walk *w, const struct release *r);

/* Move to the next step; false after the last. */
bool rollback_walk_next(struct rollback_walk *w);

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

struct rollback_path rollback_path_of(const struct rollback_index *ix, int k);

/* The i-th step (0-based, in running order) whose undo runs on path p. */
const struct block *rollback_path_undo(const struct rollback_index *ix,
                                       const struct rollback_path *p, int i);

/* The last irreversible step before step k, NULL if none. */
const struct block *rollback_no_return_before(const struct rollback_index *ix,
                                              int k);

#endif
