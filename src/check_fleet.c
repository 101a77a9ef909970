/* check_fleet.c - W117: the rules about the fleet rollout. The block's own
 * shape (group, sizes, settings) is checked where it is parsed. */
#include "check.h"

#include "compilation.h"

void check_fleet_canary(struct compile *c)
{
	const struct fleet *f = c->rel->fleet;
	if (!f || f->nbatches == 0 || !f->batches[0].percent || f->batches[0].n != 100)
		return;
	struct diagnostic *d = diag_report(c->diags, DIAG_W117, f->batches[0].loc,
	                                   "the first batch takes every host of %s: there is no canary",
	                                   f->group ? f->group : "the group");
	diag_note(d, (struct loc){0},
	          "start with one host or a small share, e.g. batches 1, 25%%, 100%%");
}
