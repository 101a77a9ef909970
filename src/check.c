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

#include "compile.h"
#include "effects.h"

static const struct check_rule rules[] = {
	{ DIAG_E009, check_capture_order },
	{ DIAG_E010, check_missing_undo },
	{ DIAG_E011, check_irreversible },
	{ DIAG_E012, check_data_without_backup },
	{ DIAG_E016, check_empty_block },
	{ DIAG_W101, check_no_estimate },
	{ DIAG_W102, check_no_expect },
	{ DIAG_W103, check_effects_rollback },
	{ DIAG_W104, check_effects_idempotent },
	{ DIAG_W105, check_effects_read_only },
	{ DIAG_W106, check_no_verify },
	{ DIAG_W107, check_no_after_rollback },
	{ DIAG_W108, check_file_name },
	{ DIAG_W109, check_effects_undo_none },
	{ DIAG_W110, check_effects_dangerous },
	{ DIAG_W112, check_no_downtime },
	{ DIAG_W113, check_backup_unverified },
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

void check_release_except(struct compile *c, const bool skip[DIAG__COUNT])
{
	if (!c->rel)
		return;
	for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++)
		if (!skip || !skip[rules[i].code])
			rules[i].run(c);
}

void check_release(struct compile *c)
{
	check_release_except(c, NULL);
}
