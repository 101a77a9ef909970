/* Unit tests of the semantic checks (check.c and the check_*.c families):
 * the rule table, the capture-order matrix of E009, the data test behind
 * E012, the integrity test behind W113, E011's point of no return, W108,
 * and the registry's explanations. Specs are compiled from memory with
 * --no-git, so no test touches the file system except the docs test. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "compile.h"

#define HEAD(v) "release " v "\nproject \"Checks\"\ndate 2026-11-26\n" \
	"previous 1111111111111111111111111111111111111111\n" \
	"target 2222222222222222222222222222222222222222\ndowntime 0s\n"

static struct compile *compile_opts(const char *path, const char *text,
                                    bool allow_irreversible)
{
	struct compile_options o = { 0 };
	o.no_git = true;
	o.diag.allow_irreversible = allow_irreversible;
	struct compile *c = compile_new(&o);
	compile_spec_text(c, path, text, strlen(text));
	return c;
}

static struct compile *compile(const char *text)
{
	return compile_opts("1.0.0.rel", text, false);
}

static size_t count(struct compile *c, enum diag_code code)
{
	size_t n = 0;
	for (size_t i = 0; i < diag_count(c->diags); i++)
		if (diag_get(c->diags, i)->code == code)
			n++;
	return n;
}

static const struct diagnostic *first(struct compile *c, enum diag_code code)
{
	for (size_t i = 0; i < diag_count(c->diags); i++)
		if (diag_get(c->diags, i)->code == code)
			return diag_get(c->diags, i);
	return NULL;
}

/* ---- the rule table ---- */

Test(check, table_rows_have_distinct_codes_and_are_found_by_code_and_name)
{
	size_t n;
	const struct check_rule *rules = check_rules(&n);
	cr_assert_geq(n, 12);
	for (size_t i = 0; i < n; i++) {
		cr_assert_not_null(rules[i].run);
		for (size_t j = i + 1; j < n; j++)
			cr_assert_neq(rules[i].code, rules[j].code);
		const struct diag_info *info = diag_info(rules[i].code);
		cr_assert_eq(check_rule_find(info->code), &rules[i]);
		cr_assert_eq(check_rule_find(info->name), &rules[i]);
	}
	cr_assert_eq(check_rule_find("e010"), check_rule_find("missing-undo"));
	cr_assert_null(check_rule_find("E999"));
	cr_assert_null(check_rule_find("no-such-rule"));
}

Test(check, a_skipped_rule_reports_nothing)
{
	/* No verify and no downtime: W106 and W112 each once. */
	struct compile *c = compile(
		"release 1.0.0\nproject \"Checks\"\ndate 2026-11-26\n"
		"previous 1111111111111111111111111111111111111111\n"
		"target 2222222222222222222222222222222222222222\n");
	cr_assert_eq(count(c, DIAG_W106), 1);
	cr_assert_eq(count(c, DIAG_W112), 1);
	bool skip[DIAG__COUNT] = { false };
	skip[DIAG_W112] = true;
	check_release_except(c, skip); /* a second run, without W112 */
	cr_assert_eq(count(c, DIAG_W106), 2);
	cr_assert_eq(count(c, DIAG_W112), 1);
	compile_free(c);
}

/* ---- E009: where a capture may be used ---- */

/* A spec with every kind of block; `def` is inserted as a command of block
 * `where_def` and `use` of block `where_use`. Blocks: check C, backup B,
 * steps S1 and S2 (each with an undo U1, U2), verifies V1 and V2,
 * after-rollbacks A1 and A2. */
struct placement {
	const char *where_def;
	const char *where_use;
	bool def_first; /* the capture is its block's first command */
	bool error;     /* E009 expected */
};

static void put_block(struct buf *b, const char *head, const char *id,
                      const struct placement *p, const char *undo_id)
{
	buf_printf(b, "%s {\n", head);
	bool def_here = strcmp(p->where_def, id) == 0;
	if (def_here && p->def_first)
		buf_puts(b, "    capture X = echo x\n");
	buf_printf(b, "    run echo %s\n    expect stdout \"%s\"\n", id, id);
	if (def_here && !p->def_first)
		buf_puts(b, "    capture X = echo x\n");
	if (strcmp(p->where_use, id) == 0)
		buf_puts(b, "    run echo ${X}\n");
	buf_puts(b, "    estimate 1s\n");
	if (undo_id) {
		buf_puts(b, "    undo {\n        run echo undo\n");
		if (strcmp(p->where_use, undo_id) == 0)
			buf_puts(b, "        run echo ${X}\n");
		buf_puts(b, "    }\n");
	}
	buf_puts(b, "}\n");
}

static struct compile *compile_placement(const struct placement *p)
{
	struct buf b;
	buf_init(&b);
	buf_puts(&b, HEAD("1.0.0"));
	put_block(&b, "check \"C\"", "C", p, NULL);
	put_block(&b, "backup \"B\"", "B", p, NULL);
	buf_puts(&b, "backup \"B2\" {\n    capture D = echo d\n    checksum D\n}\n");
	put_block(&b, "step \"S1\"", "S1", p, "U1");
	put_block(&b, "step \"S2\"", "S2", p, "U2");
	put_block(&b, "verify \"V1\"", "V1", p, NULL);
	put_block(&b, "verify \"V2\"", "V2", p, NULL);
	put_block(&b, "after-rollback \"A1\"", "A1", p, NULL);
	put_block(&b, "after-rollback \"A2\"", "A2", p, NULL);
	struct compile *c = compile(b.data);
	buf_free(&b);
	return c;
}

static const struct placement placements[] = {
	/* deploy order */
	{ "C", "S1", false, false },
	{ "B", "V2", false, false },
	{ "S1", "S2", false, false },
	{ "S2", "S1", false, true },
	{ "S1", "C", false, true },
	{ "V1", "V2", false, false },
	{ "V2", "V1", false, true },
	{ "A1", "S1", false, true },
	{ "S1", "S1", false, false }, /* used after the capture in its block */
	/* undos */
	{ "C", "U2", false, false },
	{ "B", "U1", false, false },
	{ "S1", "U2", false, false },
	{ "S2", "U1", false, true },
	{ "S1", "U1", true, false },  /* the step's first command */
	{ "S1", "U1", false, true },  /* a later command of the step */
	{ "V1", "U2", false, true },
	{ "A1", "U1", false, true },
	/* after-rollback */
	{ "C", "A1", false, false },
	{ "B", "A2", false, false },
	{ "S1", "A1", true, true },
	{ "V1", "A1", false, true },
	{ "A1", "A2", false, false },
	{ "A2", "A1", false, true },
	{ "A1", "A1", false, false },
};

Test(check, capture_order_matrix)
{
	for (size_t i = 0; i < sizeof placements / sizeof placements[0]; i++) {
		const struct placement *p = &placements[i];
		struct compile *c = compile_placement(p);
		cr_expect_eq(count(c, DIAG_E009), p->error ? 1u : 0u,
		             "capture made in %s%s, used in %s: %zu E009",
		             p->where_def, p->def_first ? " (first)" : "",
		             p->where_use, count(c, DIAG_E009));
		/* Nothing else is wrong with these specs. */
		cr_expect_eq(diag_errors(c->diags), p->error ? 1u : 0u,
		             "%s -> %s: %u errors", p->where_def, p->where_use,
		             diag_errors(c->diags));
		compile_free(c);
	}
}

Test(check, capture_order_points_at_the_reference_with_a_note)
{
	struct compile *c = compile(HEAD("1.0.0")
		"step \"A\" {\n"
		"    run echo ${LATER}\n"
		"    expect stdout \"x\"\n"
		"    estimate 1s\n"
		"    undo none \"nothing\"\n"
		"}\n"
		"step \"B\" {\n"
		"    capture LATER = echo x\n"
		"    estimate 1s\n"
		"    undo none \"nothing\"\n"
		"}\n");
	const struct diagnostic *d = first(c, DIAG_E009);
	cr_assert_not_null(d);
	cr_assert_eq(d->loc.line, 8);
	cr_assert_eq(d->loc.col, 14);
	cr_assert_not_null(d->notes);
	cr_assert_eq(d->notes->loc.line, 14);
	compile_free(c);
}

/* ---- the effects pass on two threads ---- */

/* Enough steps for the pass to cut the release in slices that two threads
 * take in turn. Each step reports two W110 on one command (same location
 * and code: report order decides) and a W103; every fifth undo reports a
 * W104. */
Test(check, effects_pass_slices_report_like_one)
{
	struct buf b;
	buf_init(&b);
	buf_puts(&b, HEAD("1.0.0"));
	const int n = 3000;
	for (int i = 1; i <= n; i++) {
		buf_printf(&b, "step \"S%d\" {\n"
		           "    run rm -rf $W/c%d && git push --force origin main\n"
		           "    run sudo systemctl restart app%d\n"
		           "    estimate 1s\n"
		           "    undo {\n        run %s /srv/u%d\n    }\n}\n",
		           i, i, i, i % 5 ? "rm -f" : "rm", i);
	}
	struct compile *c = compile(b.data);
	cr_assert_eq(count(c, DIAG_W110), 2 * (size_t)n);
	cr_assert_eq(count(c, DIAG_W103), (size_t)n);
	cr_assert_eq(count(c, DIAG_W104), (size_t)n / 5);
	int line = 0;
	bool rm_next = true;
	for (size_t i = 0; i < diag_count(c->diags); i++) {
		const struct diagnostic *d = diag_get(c->diags, i);
		if (d->code != DIAG_W110)
			continue;
		cr_assert_geq(d->loc.line, line);
		line = d->loc.line;
		/* rm -r, then git push, on every step, in every slice */
		cr_assert_eq(strncmp(d->message, "`rm -r", 6) == 0, rm_next, "%s", d->message);
		rm_next = !rm_next;
	}
	compile_free(c);
	buf_free(&b);
}

/* W114 names the release's first step command that changes data, though
 * the slice holding it is not the first, and later slices hold more. */
Test(check, effects_pass_slices_keep_the_first_data_command)
{
	struct buf b;
	buf_init(&b);
	buf_puts(&b, HEAD("1.0.0"));
	buf_puts(&b, "backup \"Dump\" {\n    run pg_dump app > /backup/app.sql\n"
	             "    estimate 1s\n}\n");
	const int n = 3000, first_data = 2000;
	int want_line = 0, line = 1;
	for (const char *p = b.data; *p; p++)
		line += *p == '\n';
	for (int i = 1; i <= n; i++) {
		if (i == first_data)
			want_line = line + 1;
		buf_printf(&b, "step \"S%d\" {\n"
		           "    run %s\n"
		           "    run sudo systemctl restart app%d\n"
		           "    estimate 1s\n"
		           "    undo {\n        run sudo systemctl restart app%d\n    }\n}\n",
		           i, i >= first_data ? "psql -d app -c 'DELETE FROM t'" : "true", i, i);
		line += 8;
	}
	struct compile *c = compile(b.data);
	const struct diagnostic *d = first(c, DIAG_W114);
	cr_assert_not_null(d);
	cr_assert_eq(count(c, DIAG_W114), 1);
	cr_assert_not_null(d->notes);
	cr_assert_eq(d->notes->loc.line, want_line, "the note is at line %d, not %d",
	             d->notes->loc.line, want_line);
	compile_free(c);
	buf_free(&b);
}

/* ---- E012: the data test ---- */

static bool changes_data(const char *text)
{
	struct compile *c = compile(HEAD("1.0.0")); /* a release to read from */
	struct loc l = { "t.rel", 1, 1 };
	struct command *cmd = ast_command(c->arena, l, l, text, strlen(text));
	bool r = check_command_changes_data(c, cmd);
	compile_free(c);
	return r;
}

Test(check, data_changing_commands)
{
	cr_assert(changes_data("sqlite3 /var/lib/a.db \"INSERT INTO t VALUES (1)\""));
	cr_assert(changes_data("sudo -u postgres psql -d app -c 'ALTER TABLE t ADD c int'"));
	cr_assert(changes_data("mysql app -e 'update t set a = 1'"));
	cr_assert(changes_data("timeout 30 sqlite3 a.db 'DELETE FROM t'"));
	cr_assert(changes_data("env PGUSER=app /usr/bin/psql -c 'DROP TABLE t'"));
	cr_assert(changes_data("sqlite3 a.db 'REPLACE INTO t VALUES (2)'"));
	cr_assert(changes_data("sqlite3 a.db <<'SQL'\nCREATE TABLE t (a int);\nSQL"));
	cr_assert(changes_data("cd /opt/app && uv run python -m app.migrate_0_3_0"));
	cr_assert(changes_data("bundle exec rake db:Migrate"));
}

Test(check, commands_that_do_not_change_data)
{
	cr_assert_not(changes_data("sqlite3 a.db \"SELECT count(*) FROM t\""));
	cr_assert_not(changes_data("sqlite3 a.db \"SELECT created_at, updated FROM t\""));
	cr_assert_not(changes_data("sqlite3 a.db \"PRAGMA integrity_check\""));
	cr_assert_not(changes_data("echo INSERT INTO t"));
	cr_assert_not(changes_data("grep -c DELETE /var/log/app.log"));
	cr_assert_not(changes_data("sudo systemctl restart app"));
}

Test(check, data_without_backup_is_reported_once_per_step_at_the_command)
{
	const char *steps =
		"step \"Seed\" {\n"
		"    run echo start\n"
		"    run sqlite3 a.db \"INSERT INTO t VALUES (1)\"\n"
		"    run sqlite3 a.db \"UPDATE t SET a = 2\"\n"
		"    expect stdout \"\"\n"
		"    estimate 1s\n"
		"    undo {\n"
		"        run sqlite3 a.db \"DELETE FROM t\"\n"
		"    }\n"
		"}\n";
	struct buf b;
	buf_init(&b);
	buf_printf(&b, "%s%s", HEAD("1.0.0"), steps);
	struct compile *c = compile(b.data);
	cr_assert_eq(count(c, DIAG_E012), 1);
	cr_assert_eq(first(c, DIAG_E012)->loc.line, 9);
	cr_assert_eq(first(c, DIAG_E012)->loc.col, 9);
	compile_free(c);

	/* The same step with a backup block: no E012. */
	b.len = 0;
	buf_printf(&b, "%sbackup \"Copy\" {\n    capture P = echo /b\n    checksum P\n"
	           "    estimate 1s\n}\n%s", HEAD("1.0.0"), steps);
	c = compile(b.data);
	cr_assert_eq(count(c, DIAG_E012), 0);
	compile_free(c);
	buf_free(&b);
}

/* ---- W113: integrity commands ---- */

static bool verifies(const char *text)
{
	struct compile *c = compile(HEAD("1.0.0")); /* a release to read from */
	struct loc l = { "t.rel", 1, 1 };
	struct command *cmd = ast_command(c->arena, l, l, text, strlen(text));
	bool r = check_command_verifies_integrity(c, cmd);
	compile_free(c);
	return r;
}

Test(check, integrity_commands)
{
	cr_assert(verifies("gzip -t /b/x.sql.gz"));
	cr_assert(verifies("gunzip --test x.gz"));
	cr_assert(verifies("tar -tzf files.tgz"));
	cr_assert(verifies("tar tzf files.tgz"));
	cr_assert(verifies("tar --list -f files.tar"));
	cr_assert(verifies("cd /b && sha256sum -c files.sha256"));
	cr_assert(verifies("sudo -u postgres pg_restore --list /b/pg.dump"));
	cr_assert(verifies("pg_restore -l /b/pg.dump"));
	cr_assert(verifies("sqlite3 /b/copy.db \"PRAGMA integrity_check\""));
	cr_assert(verifies("sqlite3 /b/copy.db 'pragma quick_check'"));
	cr_assert(verifies("unzip -t x.zip"));
	cr_assert(verifies("xz -tv x.xz"));
}

Test(check, commands_that_do_not_verify)
{
	cr_assert_not(verifies("gzip -c x > x.gz"));
	cr_assert_not(verifies("tar -czf files.tgz /opt/app"));
	cr_assert_not(verifies("tar czf files.tgz /opt/app"));
	cr_assert_not(verifies("sha256sum files.tgz > files.sha256"));
	cr_assert_not(verifies("pg_dump -Fc -f x.dump app"));
	cr_assert_not(verifies("echo gzip -t"));
	cr_assert_not(verifies("sudo systemctl start backup.service"));
}

/* ---- E010, E011, E016 ---- */

static const char *irreversible_steps =
	"step \"One\" {\n    run echo 1\n    expect stdout \"1\"\n    estimate 1s\n"
	"    undo none \"nothing\"\n}\n"
	"step \"Two\" {\n    run echo 2\n    expect stdout \"2\"\n    estimate 1s\n"
	"    irreversible \"gone\"\n}\n"
	"step \"Three\" {\n    run echo 3\n    expect stdout \"3\"\n    estimate 1s\n"
	"    undo none \"nothing\"\n}\n";

Test(check, irreversible_is_an_error_and_marks_nothing_by_default)
{
	struct buf b;
	buf_init(&b);
	buf_printf(&b, "%s%s", HEAD("1.0.0"), irreversible_steps);
	struct compile *c = compile_opts("1.0.0.rel", b.data, false);
	const struct diagnostic *d = first(c, DIAG_E011);
	cr_assert_not_null(d);
	cr_assert_eq(d->severity, SEV_ERROR);
	cr_assert_eq(d->loc.line, 17);
	cr_assert_eq(d->loc.col, 5);
	for (const struct block *s = c->rel->steps; s; s = s->next)
		cr_assert_not(s->past_no_return);
	compile_free(c);
	buf_free(&b);
}

Test(check, allowed_irreversible_warns_and_marks_later_steps)
{
	struct buf b;
	buf_init(&b);
	buf_printf(&b, "%s%s", HEAD("1.0.0"), irreversible_steps);
	struct compile *c = compile_opts("1.0.0.rel", b.data, true);
	const struct diagnostic *d = first(c, DIAG_E011);
	cr_assert_not_null(d);
	cr_assert_eq(d->severity, SEV_WARNING);
	cr_assert_eq(diag_errors(c->diags), 0);
	const struct block *s = c->rel->steps;
	cr_assert_not(s->past_no_return);
	cr_assert_not(s->next->past_no_return);
	cr_assert(s->next->next->past_no_return);
	compile_free(c);
	buf_free(&b);
}

Test(check, missing_undo_and_empty_blocks)
{
	struct compile *c = compile(HEAD("1.0.0")
		"step \"No undo\" {\n    run echo 1\n    expect stdout \"1\"\n    estimate 1s\n}\n"
		"step \"Empty undo\" {\n    run echo 2\n    expect stdout \"2\"\n    estimate 1s\n"
		"    undo {\n    }\n}\n"
		"verify \"Empty\" {\n    estimate 1s\n}\n");
	cr_assert_eq(count(c, DIAG_E010), 1);
	cr_assert_eq(first(c, DIAG_E010)->loc.line, 7);
	cr_assert_eq(count(c, DIAG_E016), 2);
	/* An empty block gets E016 only, no W101/W102 on top. */
	cr_assert_eq(count(c, DIAG_W101), 0);
	cr_assert_eq(count(c, DIAG_W102), 0);
	compile_free(c);
}

/* ---- release-wide warnings ---- */

Test(check, file_name_must_match_release)
{
	struct compile *c = compile_opts("specs/1.2.3.rel", HEAD("1.2.3"), false);
	cr_assert_eq(count(c, DIAG_W108), 0);
	compile_free(c);
	c = compile_opts("specs/1.2.4.rel", HEAD("1.2.3"), false);
	cr_assert_eq(count(c, DIAG_W108), 1);
	cr_assert_eq(first(c, DIAG_W108)->loc.line, 1);
	cr_assert_eq(first(c, DIAG_W108)->loc.col, 9);
	compile_free(c);
	c = compile_opts("1.2.3-rc.1.rel", HEAD("1.2.3-rc.1"), false);
	cr_assert_eq(count(c, DIAG_W108), 0);
	compile_free(c);
}

Test(check, release_wide_warnings_point_at_release)
{
	struct compile *c = compile(
		"project \"Checks\"\nrelease 1.0.0\ndate 2026-11-26\n"
		"previous 1111111111111111111111111111111111111111\n"
		"target 2222222222222222222222222222222222222222\n");
	const enum diag_code codes[] = { DIAG_W106, DIAG_W107, DIAG_W112 };
	for (size_t i = 0; i < 3; i++) {
		const struct diagnostic *d = first(c, codes[i]);
		cr_assert_not_null(d);
		cr_assert_eq(d->loc.line, 2);
		cr_assert_eq(d->loc.col, 1);
	}
	compile_free(c);
}

/* ---- the registry's explanations and their documentation ---- */

Test(check, every_code_is_explained_with_examples_and_documented)
{
	const char *root = getenv("RELC_SOURCE_ROOT");
	cr_assert_not_null(root, "RELC_SOURCE_ROOT is set by meson");
	char path[4096];
	snprintf(path, sizeof path, "%s/docs/diagnostics.md", root);
	char *doc = NULL;
	size_t len = 0;
	cr_assert_eq(read_file(path, 1u << 24, &doc, &len), 0, "cannot read %s", path);
	for (int i = 0; i < DIAG__COUNT; i++) {
		const struct diag_info *in = diag_info((enum diag_code)i);
		cr_expect(strstr(in->explain, "\n\nBad:\n\n") != NULL, "%s: no bad example", in->code);
		cr_expect(strstr(in->explain, "\n\nGood:\n\n") != NULL, "%s: no good example", in->code);
		char heading[32];
		snprintf(heading, sizeof heading, "\n## %s\n", in->code);
		cr_expect(strstr(doc, heading) != NULL, "docs/diagnostics.md lacks %s", in->code);
	}
	free(doc);
}
