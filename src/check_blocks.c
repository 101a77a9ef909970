/* check_blocks.c - E016, W101, W102, W113: what each block holds.
 *
 * A block must run something; the plan needs an estimate for every block
 * whose duration adds up to the deploy time; a step should check more than
 * exit status; a backup should prove its result intact before the deploy
 * relies on it. Warnings are skipped on empty blocks, which E016 reports.
 * W113's test of one backup block is in check_parts.c, which the effects
 * pass runs. */
#include "check.h"

#include <string.h>
#include <strings.h>

#include "check_effects.h"
#include "check_parts.h"
#include "compilation.h"
#include "effects.h"

static const char *block_name(const struct block *b)
{
	return b->name ? b->name : "";
}

static void check_empty_list(struct compile *c, const struct block *list)
{
	for (const struct block *b = list; b; b = b->next) {
		if (b->cmds == NULL && !b->cut) {
			diag_report(c->diags, DIAG_E016, b->loc,
			            "%s \"%s\" has no command",
			            block_kind_name(b->kind), block_name(b));
		}
		if (b->kind == BLOCK_STEP && b->undo_kind == UNDO_BLOCK &&
		    b->undo && b->undo->cmds == NULL && !b->undo->cut) {
			struct diagnostic *d = diag_report(c->diags, DIAG_E016,
				b->undo->loc, "the undo of step \"%s\" has no command",
				block_name(b));
			diag_note(d, (struct loc){ 0 },
			          "if the step changes nothing, write `undo none \"why\"`");
		}
	}
}

void check_empty_block(struct compile *c)
{
	const struct release *r = c->rel;
	check_empty_list(c, r->checks);
	check_empty_list(c, r->backups);
	check_empty_list(c, r->steps);
	check_empty_list(c, r->verifies);
	check_empty_list(c, r->after_rollbacks);
}

static void check_estimate_list(struct compile *c, const struct block *list)
{
	for (const struct block *b = list; b; b = b->next) {
		/* An estimate written but invalid is E005's business. */
		if (b->estimate.set || b->estimate.loc.line || b->cmds == NULL || b->cut)
			continue;
		struct diagnostic *d = diag_report(c->diags, DIAG_W101, b->loc,
			"%s \"%s\" has no estimate", block_kind_name(b->kind),
			block_name(b));
		if (!b->timeout)
			diag_note(d, (struct loc){ 0 },
			          "without an estimate or a timeout this block may run forever");
	}
}

void check_no_estimate(struct compile *c)
{
	check_estimate_list(c, c->rel->steps);
	check_estimate_list(c, c->rel->backups);
	check_estimate_list(c, c->rel->verifies);
}

/* Does any command of b check its output (an expect other than exit)? */
static bool checks_output(const struct block *b)
{
	for (const struct command *cmd = b->cmds; cmd; cmd = cmd->next)
		for (const struct expect *e = cmd->expects; e; e = e->next)
			if (e->kind != EXPECT_EXIT)
				return true;
	return false;
}

void check_no_expect(struct compile *c)
{
	for (const struct block *s = c->rel->steps; s; s = s->next) {
		if (s->cmds == NULL || checks_output(s) || s->cut)
			continue;
		struct diagnostic *d = diag_report(c->diags, DIAG_W102, s->loc,
			"step \"%s\" checks nothing but exit status", block_name(s));
		diag_note(d, (struct loc){ 0 },
		          "add an `expect stdout ...` after the command that shows the step worked");
	}
}

bool check_command_verifies_integrity(struct compile *c,
                                      const struct command *cmd)
{
	struct arena *a = arena_new(); /* one command's effects, read and dropped */
	struct cmd_effects ce;
	effects_of_command(a, c->rel, cmd, &ce);
	bool r = check_effects_verify_integrity(&ce);
	arena_free(a);
	return r;
}

void check_backup_unverified(struct compile *c)
{
	bool on[DIAG__COUNT] = { [DIAG_W113] = true };
	check_effects_pass(c, on);
}
