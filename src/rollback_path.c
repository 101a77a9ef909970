/* rollback_path.c - the rollback path of each step (see rollback_path.h):
 * indexed once per release, asked by the checks and the back ends. */
#include "rollback_path.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

void rollback_walk_start(struct rollback_walk *w, const struct release *r)
{
	*w = (struct rollback_walk){ .rel = r };
}

bool rollback_walk_next(struct rollback_walk *w)
{
	const struct block *s = w->k == 0 ? w->rel->steps : w->step ? w->step->next : NULL;
	if (!s)
		return false;
	w->k++;
	w->step = s;
	w->new_undo = NULL;
	w->restarted = w->k == 1;
	if (s->undo_kind == UNDO_IRREVERSIBLE) {
		/* the walk back from here stops at once: no undo runs, and
		 * after-rollback does not either; later paths start here */
		w->path = (struct rollback_path){ 0, 0, 0, s };
		w->restarted = true;
	} else if (s->undo_kind == UNDO_BLOCK && s->undo) {
		/* the test the scripts use for an undo that runs */
		if (w->path.count == 0)
			w->path.to_step = w->k;
		w->path.from_step = w->k;
		w->path.count++;
		w->new_undo = s;
	}
	return true;
}

void rollback_index_init(struct rollback_index *ix, const struct release *r)
{
	int n = 0;

	for (const struct block *s = r->steps; s; s = s->next)
		n++;
	ix->nsteps = n;
	ix->step = xcalloc((size_t)n + 1, sizeof *ix->step);
	ix->undo_step = xcalloc((size_t)n + 1, sizeof *ix->undo_step);
	ix->nundo = xcalloc((size_t)n + 1, sizeof *ix->nundo);
	ix->stop = xcalloc((size_t)n + 1, sizeof *ix->stop);
	struct rollback_walk w;
	rollback_walk_start(&w, r);
	while (rollback_walk_next(&w)) {
		int i = w.k;
		ix->step[i - 1] = w.step;
		ix->nundo[i] = ix->nundo[i - 1];
		ix->stop[i] = !w.path.blocked ? 0 : w.path.blocked == w.step ? i : ix->stop[i - 1];
		if (w.new_undo)
			ix->undo_step[ix->nundo[i]++] = w.new_undo;
	}
}

void rollback_index_free(struct rollback_index *ix)
{
	free(ix->step);
	free(ix->undo_step);
	free(ix->nundo);
	free(ix->stop);
	memset(ix, 0, sizeof *ix);
}

struct rollback_path rollback_path_of(const struct rollback_index *ix, int k)
{
	struct rollback_path p = { 0, 0, 0, NULL };

	if (k > ix->nsteps)
		k = ix->nsteps;
	if (k <= 0)
		return p;
	/* the walk from step k goes back to the last irreversible step j <= k
	 * and stops there: the undos that run are those of steps j+1..k */
	int j = ix->stop[k];
	if (j > 0)
		p.blocked = ix->step[j - 1];
	p.count = ix->nundo[k] - ix->nundo[j];
	if (p.count > 0) {
		p.from_step = ix->undo_step[ix->nundo[k] - 1]->index;
		p.to_step = ix->undo_step[ix->nundo[j]]->index;
	}
	return p;
}

const struct block *rollback_path_undo(const struct rollback_index *ix,
                                       const struct rollback_path *p, int i)
{
	if (i < 0 || i >= p->count || p->from_step <= 0)
		return NULL;
	/* from_step has an undo block: undo_step[nundo[from_step] - 1] is it */
	return ix->undo_step[ix->nundo[p->from_step] - 1 - i];
}

const struct block *rollback_no_return_before(const struct rollback_index *ix,
                                              int k)
{
	if (k > ix->nsteps + 1)
		k = ix->nsteps + 1;
	if (k <= 1)
		return NULL;
	int j = ix->stop[k - 1];
	return j > 0 ? ix->step[j - 1] : NULL;
}
