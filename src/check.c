/* check.c - the table of semantic rules and the driver that runs them.
 *
 * Adding a rule: write its function in the family's check_*.c file, declare
 * it in check.h, and add a row here. The diagnostics printer sorts by
 * location, so the order of rows only matters for rules that change the
 * model (check_irreversible marks steps past the point of no return, which
 * back ends read, not other rules). */
#include "check.h"

#include <string.h>
#include <strings.h>

#include "check_effects.h"
#include "compilation.h"

static const struct check_rule rules[] = {
	{ DIAG_E009, check_capture_order, false },
	{ DIAG_E010, check_missing_undo, false },
	{ DIAG_E011, check_irreversible, false },
	{ DIAG_E012, check_data_without_backup, true },
	{ DIAG_E016, check_empty_block, false },
	{ DIAG_W101, check_no_estimate, false },
	{ DIAG_W102, check_no_expect, false },
	{ DIAG_W103, check_effects_rollback, true },
	{ DIAG_W104, check_effects_idempotent, true },
	{ DIAG_W105, check_effects_read_only, true },
	{ DIAG_W106, check_no_verify, false },
	{ DIAG_W107, check_no_after_rollback, false },
	{ DIAG_W108, check_file_name, false },
	{ DIAG_W109, check_effects_undo_none, true },
	{ DIAG_W110, check_effects_dangerous, true },
	{ DIAG_W112, check_no_downtime, false },
	{ DIAG_W113, check_backup_unverified, true },
	{ DIAG_W114, check_effects_backup_unread, true },
	{ DIAG_W117, check_fleet_canary, false },
	{ DIAG_W122, check_effects_backup_state, true },
};

const struct check_rule *check_rules(size_t *n)
{
	*n = sizeof rules / sizeof rules[0];
	return rules;
}

const struct check_rule *check_rule_find(const char *key)
{
	for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++) {
		const struct diag_info *info = diag_info(rules[i].code);
		if (strcasecmp(key, info->code) == 0 ||
		    strcasecmp(key, info->name) == 0)
			return &rules[i];
	}
	return NULL;
}

/* The rules that read no effects, those of skip left out (skip may be NULL). */
static void other_rules(struct compile *c, const void *arg)
{
	const bool *skip = arg;
	for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++)
		if (!rules[i].effects_pass && !(skip && skip[rules[i].code]))
			rules[i].run(c);
}

void check_release_except(struct compile *c, const bool skip[DIAG__COUNT])
{
	if (!c->rel)
		return;
	size_t n = sizeof rules / sizeof rules[0];
	bool fx[DIAG__COUNT] = { false };
	for (size_t i = 0; i < n; i++)
		if (rules[i].effects_pass && (!skip || !skip[rules[i].code]))
			fx[rules[i].code] = true;
	/* The effects rules run together, first: each block's effects are
	 * read once, not once per rule, and the rollback walk that ends the
	 * pass may go on beside the other rules (check_effects_pass_with). */
	bool any_fx = false;
	for (size_t i = 0; i < n; i++)
		any_fx |= fx[rules[i].code];
	if (any_fx)
		check_effects_pass_with(c, fx, other_rules, skip);
	else
		other_rules(c, skip);
}

void check_release(struct compile *c)
{
	check_release_except(c, NULL);
}
