/* Unit tests of resolve.c through the compile driver: includes, names,
 * references, metadata values, built-ins. */
/* realpath() is XSI */
#define _XOPEN_SOURCE 700
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "compile.h"

#define PREV "1111111111111111111111111111111111111111"
#define TGT "2222222222222222222222222222222222222222"
#define HEAD_META "release 1.0.0\nproject \"Demo API\"\ndate 2026-11-26\nprevious " PREV \
	"\ntarget " TGT "\ndowntime 0s\n"

static char dir[64];

static void setup(void)
{
	snprintf(dir, sizeof dir, "/tmp/relc-resolve-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
}

static void teardown(void)
{
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	cr_assert_eq(system(cmd), 0);
}

static const char *put(const char *name, const char *text)
{
	static char path[256];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	cr_assert_not_null(f);
	fputs(text, f);
	fclose(f);
	return path;
}

static struct compile *compile(const char *path)
{
	struct compile_options o = {0};
	o.no_git = true;
	struct compile *c = compile_new(&o);
	compile_spec(c, path);
	return c;
}

static bool has(struct compile *c, enum diag_code code, int line, int col)
{
	for (size_t i = 0; i < diag_count(c->diags); i++) {
		const struct diagnostic *d = diag_get(c->diags, i);
		if (d->code == code && d->loc.line == line && (col == 0 || d->loc.col == col))
			return true;
	}
	return false;
}

TestSuite(resolve, .init = setup, .fini = teardown);

Test(resolve, lets_expand_in_order_and_builtins_have_values)
{
	const char *p = put("1.0.0.rel", HEAD_META
		"let data = /var/lib/x\nlet db = \"${data}/x.db\"\nlet tag = \"${release}-${previous}\"\n");
	struct compile *c = compile(p);
	cr_assert_eq(diag_errors(c->diags), 0);
	struct symbol *db = release_symbol(c->rel, "db");
	cr_assert_str_eq(db->value->expanded, "/var/lib/x/x.db");
	cr_assert_str_eq(release_symbol(c->rel, "tag")->value->expanded, "1.0.0-" PREV);
	cr_assert_str_eq(release_symbol(c->rel, "state_dir")->builtin, "/var/lib/relc/demo-api-1.0.0");
	cr_assert_str_eq(c->rel->target_id, TGT);
	cr_assert_eq(c->rel->version.major, 1);
	cr_assert_eq(c->rel->year, 2026);
	compile_free(c);
}

Test(resolve, command_references_bind_and_misspellings_get_a_suggestion)
{
	const char *p = put("1.0.0.rel", HEAD_META "let backups = /b\n"
		"check \"c\" {\n    run ls ${backups} '${nope}' \"${backpus}\"\n    expect stdout empty\n}\n");
	struct compile *c = compile(p);
	cr_assert(has(c, DIAG_E006, 9, 34));
	cr_assert(!has(c, DIAG_E006, 9, 23), "single-quoted text is not a reference");
	const struct diagnostic *d = NULL;
	for (size_t i = 0; i < diag_count(c->diags); i++)
		if (diag_get(c->diags, i)->code == DIAG_E006)
			d = diag_get(c->diags, i);
	cr_assert_not_null(d->notes);
	cr_assert(strstr(d->notes->text, "${backups}") != NULL, "%s", d->notes->text);
	struct command *cmd = c->rel->checks->cmds;
	cr_assert_eq(cmd->nrefs, 2);
	cr_assert_eq(cmd->refs[0].sym->kind, SYM_LET);
	cr_assert_eq(cmd->refs[1].ctx, REF_DQUOTED);
	compile_free(c);
}

Test(resolve, duplicates_are_e007_and_e004)
{
	const char *p = put("1.0.0.rel", HEAD_META "let a = 1\nlet a = 2\nlet release = 3\n"
		"release 1.0.1\n"
		"check \"c\" {\n    capture a = echo\n    expect stdout empty\n}\n"
		"check \"c\" {\n    run true\n    expect stdout empty\n}\n");
	struct compile *c = compile(p);
	cr_assert(has(c, DIAG_E007, 8, 5));
	cr_assert(has(c, DIAG_E007, 9, 5));
	cr_assert(has(c, DIAG_E004, 10, 1));
	cr_assert(has(c, DIAG_E007, 12, 13));
	cr_assert(has(c, DIAG_E007, 15, 7));
	compile_free(c);
}

Test(resolve, missing_metadata_and_bad_values)
{
	const char *p = put("x.rel", "release 01.2.3\ndate 2025-02-29\ndowntime 5q\n");
	struct compile *c = compile(p);
	cr_assert(has(c, DIAG_E004, 1, 1));
	cr_assert(has(c, DIAG_E005, 1, 9));
	cr_assert(has(c, DIAG_E005, 2, 6));
	cr_assert(has(c, DIAG_E005, 3, 10));
	compile_free(c);
}

Test(resolve, semver_accepts_prerelease_and_build)
{
	const char *ok[] = {"0.3.0", "1.4.0-rc.1", "1.0.0-alpha+001", "1.0.0+20130313144700",
	                    "1.0.0-x-y-z.--", "10.20.30"};
	const char *bad[] = {"1.0", "1.0.0-", "1.0.0-01", "1.0.0+", "v1.0.0", "1.0.0-a..b", "1.2.3.4"};
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		char text[512];
		snprintf(text, sizeof text, "release %s\nproject p\ndate 2026-01-01\nprevious " PREV
		         "\ntarget " TGT "\n", ok[i]);
		struct compile *c = compile(put("s.rel", text));
		cr_assert(!has(c, DIAG_E005, 1, 0), "%s rejected", ok[i]);
		compile_free(c);
	}
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char text[512];
		snprintf(text, sizeof text, "release %s\nproject p\ndate 2026-01-01\nprevious " PREV
		         "\ntarget " TGT "\n", bad[i]);
		struct compile *c = compile(put("s.rel", text));
		cr_assert(has(c, DIAG_E005, 1, 9), "%s accepted", bad[i]);
		compile_free(c);
	}
}

Test(resolve, includes_are_relative_and_blocks_keep_file_order)
{
	put("shared.rel", "project \"P\"\nlet app = /opt/p\n"
	    "check \"from include\" {\n    run ls ${app}\n    expect stdout not-empty\n}\n");
	char text[512];
	snprintf(text, sizeof text, "include \"shared.rel\"\nrelease 1.0.0\ndate 2026-01-01\n"
	         "previous " PREV "\ntarget " TGT "\n"
	         "check \"own\" {\n    run true\n    expect stdout empty\n}\n");
	struct compile *c = compile(put("1.0.0.rel", text));
	cr_assert_eq(diag_errors(c->diags), 0);
	cr_assert_str_eq(c->rel->checks->name, "from include");
	cr_assert_str_eq(c->rel->checks->next->name, "own");
	cr_assert_eq(c->rel->checks->next->index, 2);
	cr_assert_not_null(c->rel->files->next);
	cr_assert_eq(c->rel->files->next->included_at.line, 1);
	compile_free(c);
}

Test(resolve, include_cycle_and_missing_file_are_e008)
{
	put("a.rel", "include \"b.rel\"\n");
	put("b.rel", "include \"a.rel\"\ninclude \"nowhere.rel\"\n");
	struct compile *c = compile(put("a.rel", "include \"b.rel\"\n"));
	unsigned e008 = 0;
	for (size_t i = 0; i < diag_count(c->diags); i++)
		if (diag_get(c->diags, i)->code == DIAG_E008)
			e008++;
	cr_assert_eq(e008, 2);
	compile_free(c);
}

/* The E008 message at `line` of the file displayed as `file`, or NULL. */
static const char *e008_at(struct compile *c, const char *file, int line)
{
	for (size_t i = 0; i < diag_count(c->diags); i++) {
		const struct diagnostic *d = diag_get(c->diags, i);
		if (d->code == DIAG_E008 && d->loc.line == line && d->loc.file &&
		    strstr(d->loc.file, file))
			return d->message;
	}
	return NULL;
}

Test(resolve, an_include_chain_may_not_leave_the_folder_at_its_second_level)
{
	char sub[128];
	snprintf(sub, sizeof sub, "%s/specs", dir);
	cr_assert_eq(mkdir(sub, 0755), 0);
	snprintf(sub, sizeof sub, "%s/specs/parts", dir);
	cr_assert_eq(mkdir(sub, 0755), 0);
	put("secret.rel", "let leaked = \"SECRET-VALUE\"\n");
	put("specs/shared.rel", "let shared = 1\n");
	/* "../shared.rel" stays in the spec's folder; the next line leaves it */
	put("specs/parts/a.rel", "include \"../shared.rel\"\ninclude \"../../secret.rel\"\n");
	struct compile *c = compile(put("specs/1.0.0.rel", HEAD_META "include \"parts/a.rel\"\n"));
	const char *m = e008_at(c, "parts/a.rel", 2);
	cr_assert_not_null(m);
	cr_assert(strstr(m, "leads out of the spec's folder"), "%s", m);
	cr_assert_null(release_symbol(c->rel, "leaked"));
	cr_assert_not_null(release_symbol(c->rel, "shared"));
	unsigned files = 0;
	for (const struct source_file *f = c->rel->files; f; f = f->next)
		files++;
	cr_assert_eq(files, 3);
	compile_free(c);
}

Test(resolve, a_symlinked_include_finds_its_includes_beside_the_link)
{
	char sub[128];
	snprintf(sub, sizeof sub, "%s/shared", dir);
	cr_assert_eq(mkdir(sub, 0755), 0);
	put("shared/real.rel", "include \"beside.rel\"\n");
	put("beside.rel", "let beside = 1\n");
	put("shared/beside.rel", "let wrong = 1\n");
	char link[128];
	snprintf(link, sizeof link, "%s/alias.rel", dir);
	cr_assert_eq(symlink("shared/real.rel", link), 0);
	struct compile *c = compile(put("1.0.0.rel", HEAD_META "include \"alias.rel\"\n"));
	cr_assert_eq(diag_errors(c->diags), 0);
	cr_assert_not_null(release_symbol(c->rel, "beside"));
	cr_assert_null(release_symbol(c->rel, "wrong"));
	compile_free(c);
}

Test(resolve, absolute_includes_are_refused_unless_in_an_include_root)
{
	put("other.rel", "let other = 1\n");
	char text[512];
	snprintf(text, sizeof text, HEAD_META "include \"%s/other.rel\"\n", dir);
	const char *p = put("1.0.0.rel", text);
	struct compile *c = compile(p);
	const char *m = e008_at(c, "1.0.0.rel", 7);
	cr_assert_not_null(m);
	cr_assert(strstr(m, "an absolute include path is refused"), "%s", m);
	compile_free(c);

	char *real = realpath(dir, NULL);
	const char *roots[] = {real};
	struct compile_options o = {0};
	o.no_git = true;
	o.include_roots = roots;
	o.ninclude_roots = 1;
	c = compile_new(&o);
	compile_spec(c, p);
	cr_assert_null(e008_at(c, "1.0.0.rel", 7));
	cr_assert_not_null(release_symbol(c->rel, "other"));
	compile_free(c);
	free(real);
}

Test(resolve, missing_root_spec_is_an_io_error)
{
	char path[128];
	snprintf(path, sizeof path, "%s/none.rel", dir);
	struct compile *c = compile(path);
	cr_assert_eq(compile_status(c), 2);
	compile_free(c);
	c = compile(dir);
	cr_assert_eq(compile_status(c), 2);
	compile_free(c);
}

Test(resolve, let_may_not_use_runtime_values)
{
	const char *p = put("1.0.0.rel", HEAD_META "env TOKEN\nlet t = \"${TOKEN}\"\n");
	struct compile *c = compile(p);
	cr_assert(has(c, DIAG_E006, 8, 10));
	compile_free(c);
}

Test(resolve, repository_none_labels_expand_as_written)
{
	const char *p = put("1.22.0.rel",
		"release 1.22.0\nproject Gitea\ndate 2026-12-01\nrepository none\n"
		"previous 1.21.11\ntarget \"1.22.0\"\n"
		"let tag = \"gitea-${previous}-to-${target}\"\n");
	struct compile_options o = {0}; /* no --no-git: nothing is read anyway */
	struct compile *c = compile_new(&o);
	compile_spec(c, p);
	cr_assert_eq(diag_errors(c->diags), 0);
	cr_assert(c->rel->no_repository);
	cr_assert_str_eq(release_symbol(c->rel, "tag")->value->expanded, "gitea-1.21.11-to-1.22.0");
	cr_assert_str_eq(c->rel->previous_id, "");
	compile_free(c);
}
