/* check_rollback.c - E010, E011, E012: every step says how it is reversed.
 *
 * A step either names its inverse (`undo { }`), states that nothing needs
 * reversing (`undo none`), or admits it is a point of no return
 * (`irreversible`). A step that changes stored data can only be reversed from
 * a copy, so it needs a backup block: E012's test of one step is in
 * check_parts.c, which the effects pass runs. */
#include "check.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "check_effects.h"
#include "compilation.h"
#include "effects.h"
#include "shell.h"

void check_missing_undo(struct compile *c)
{
	for (const struct block *s = c->rel->steps; s; s = s->next) {
		if (s->undo_kind != UNDO_MISSING || s->cut)
			continue;
		struct diagnostic *d = diag_report(c->diags, DIAG_E010, s->loc,
			"step \"%s\" has no undo", s->name ? s->name : "");
		diag_note(d, (struct loc){ 0 },
		          "add `undo { ... }`, or `undo none \"why\"` if it changes nothing, or `irreversible \"why\"`");
	}
}

void check_irreversible(struct compile *c)
{
	bool allow = c->opt.diag.allow_irreversible;
	bool past = false;
	for (struct block *s = c->rel->steps; s; s = s->next) {
		if (past)
			s->past_no_return = true;
		if (s->undo_kind != UNDO_IRREVERSIBLE)
			continue;
		struct diagnostic *d = diag_report(c->diags, DIAG_E011, s->undo_loc,
			"step \"%s\" is irreversible", s->name ? s->name : "");
		if (s->undo_reason && *s->undo_reason)
			diag_note(d, (struct loc){ 0 }, "reason given: %s",
			          s->undo_reason);
		if (allow) {
			diag_note(d, (struct loc){ 0 },
			          "a failure after this step cannot be rolled back past it");
			past = true;
		} else {
			diag_note(d, (struct loc){ 0 },
			          "give it an `undo { ... }`, or pass --allow-irreversible to accept a point of no return");
		}
	}
}

/* The data test is the effects table's: a writing SQL statement through
 * sqlite3/psql/mysql, a dump fed to one, pg_restore, or a migration. */
bool check_command_changes_data(struct compile *c, const struct command *cmd)
{
	struct arena *a = arena_new(); /* one command's effects, read and dropped */
	struct cmd_effects ce;
	effects_of_command(a, c->rel, cmd, &ce);
	bool r = effects_change_data(&ce);
	arena_free(a);
	return r;
}

void check_data_without_backup(struct compile *c)
{
	bool on[DIAG__COUNT] = { [DIAG_E012] = true };
	check_effects_pass(c, on);
}
