/* test_git.c - pinning against real repositories made with the git CLI.
 *
 * Every test builds its own repository in a mkdtemp folder, with fixed
 * names and dates, and calls git_pin_release on a release model built by
 * hand (the parts git.c reads: metadata, files, changes). */
#define _POSIX_C_SOURCE 200809L
#include <criterion/criterion.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ast.h"
#include "compile.h"
#include "diag.h"
#include "emit_common.h"
#include "git.h"
#include "util.h"

/* ---- fixture: one temporary folder per test ---- */

static char tmp_root[64];
static int commit_clock;

static void setup(void)
{
	snprintf(tmp_root, sizeof tmp_root, "/tmp/relc-test-git-XXXXXX");
	cr_assert_not_null(mkdtemp(tmp_root));
	/* A fixed identity and no user or system configuration, so the tests do
	 * not depend on the machine; never climb above /tmp looking for a repo. */
	setenv("GIT_AUTHOR_NAME", "Test Author", 1);
	setenv("GIT_AUTHOR_EMAIL", "author@example.invalid", 1);
	setenv("GIT_COMMITTER_NAME", "Test Committer", 1);
	setenv("GIT_COMMITTER_EMAIL", "committer@example.invalid", 1);
	setenv("GIT_CONFIG_NOSYSTEM", "1", 1);
	setenv("GIT_CONFIG_GLOBAL", "/dev/null", 1);
	setenv("HOME", tmp_root, 1);
	setenv("GIT_CEILING_DIRECTORIES", "/tmp", 1);
	commit_clock = 0;
}

/* Strings the helpers return live until the test ends: freed here, so
 * LeakSanitizer in the sanitizer build sees no leak from the tests. */
static char *kept[4096];
static size_t nkept;

static char *keep(char *p)
{
	if (nkept < sizeof kept / sizeof kept[0])
		kept[nkept++] = p;
	return p;
}

static void teardown(void)
{
	while (nkept)
		free(kept[--nkept]);
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp_root);
	if (tmp_root[0] && system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", tmp_root);
}

TestSuite(git, .init = setup, .fini = teardown);

/* A path below the test's folder (malloc'd). */
static char *tpath(const char *name)
{
	struct buf b;
	buf_init(&b);
	buf_printf(&b, "%s/%s", tmp_root, name);
	return keep(buf_steal(&b));
}

/* Run a shell command in dir; the test fails if it fails. */
RELC_PRINTF(2, 3)
static void sh(const char *dir, const char *fmt, ...)
{
	struct buf cmd;
	buf_init(&cmd);
	buf_printf(&cmd, "cd '%s' && { ", dir);
	va_list ap;
	va_start(ap, fmt);
	buf_vprintf(&cmd, fmt, ap);
	va_end(ap);
	buf_puts(&cmd, "; } >/dev/null 2>&1");
	int st = system(cmd.data);
	cr_assert_eq(st, 0, "command failed: %s", cmd.data);
	buf_free(&cmd);
}

/* Output of a command in dir, trailing newline removed (malloc'd). */
RELC_PRINTF(2, 3)
static char *sh_out(const char *dir, const char *fmt, ...)
{
	struct buf cmd, out;
	buf_init(&cmd);
	buf_init(&out);
	buf_printf(&cmd, "cd '%s' && ", dir);
	va_list ap;
	va_start(ap, fmt);
	buf_vprintf(&cmd, fmt, ap);
	va_end(ap);
	FILE *f = popen(cmd.data, "r");
	cr_assert_not_null(f);
	char chunk[256];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_add(&out, chunk, n);
	cr_assert_eq(pclose(f), 0, "command failed: %s", cmd.data);
	while (out.len && out.data[out.len - 1] == '\n')
		out.data[--out.len] = '\0';
	buf_free(&cmd);
	return keep(buf_steal(&out));
}

static char *rev(const char *dir, const char *spec)
{
	return sh_out(dir, "git rev-parse --verify -q '%s^{commit}'", spec);
}

/* A new repository (branch main) in the test folder. */
static char *new_repo(const char *name)
{
	char *dir = tpath(name);
	sh(tmp_root, "git -c init.defaultBranch=main init -q '%s'", name);
	return dir;
}

/* Each commit one minute after the last, so ids are the same on every run. */
static void commit_env(struct buf *b)
{
	commit_clock++;
	buf_printf(b, "GIT_AUTHOR_DATE='2026-11-01T10:%02d:00Z' "
	              "GIT_COMMITTER_DATE='2026-11-01T10:%02d:00Z' ",
	           commit_clock, commit_clock);
}

/* Write file (may be in a subfolder that exists), add it, commit with the
 * message (given to `git commit -m`, so "-m" inside starts a new paragraph). */
static void commit_file(const char *dir, const char *file, const char *content,
                        const char *msg)
{
	struct buf b;
	buf_init(&b);
	buf_printf(&b, "printf '%%s\\n' '%s' > '%s' && git add '%s' && ", content, file, file);
	commit_env(&b);
	buf_printf(&b, "git commit -q --no-gpg-sign -m '%s'", msg);
	sh(dir, "%s", b.data);
	buf_free(&b);
}

static void commit_empty(const char *dir, const char *msg)
{
	struct buf b;
	buf_init(&b);
	commit_env(&b);
	buf_printf(&b, "git commit -q --no-gpg-sign --allow-empty -m '%s'", msg);
	sh(dir, "%s", b.data);
	buf_free(&b);
}

static void git_cmd(const char *dir, const char *args)
{
	struct buf b;
	buf_init(&b);
	commit_env(&b);
	buf_printf(&b, "git %s", args);
	sh(dir, "%s", b.data);
	buf_free(&b);
}

/* ---- building a release by hand ---- */

static struct value *val(struct arena *a, const char *file, int line, const char *s)
{
	struct value *v = arena_alloc(a, sizeof *v);
	v->loc = (struct loc){ file, line, 10 };
	v->raw = arena_strdup(a, s);
	v->expanded = v->raw;
	return v;
}

struct meta_spec {
	const char *previous, *target, *branch;
};

static struct compile *new_compile(const char *spec, struct meta_spec m)
{
	struct compile_options opt = { 0 };
	struct compile *c = xcalloc(1, sizeof *c);
	c->opt = opt;
	c->arena = arena_new();
	c->diags = diag_set_new();
	struct release *rel = arena_alloc(c->arena, sizeof *rel);
	c->rel = rel;
	const char *path = arena_intern(c->arena, spec, strlen(spec));
	rel->root_path = path;
	rel->files = arena_alloc(c->arena, sizeof *rel->files);
	rel->files->path = path;
	rel->files->fs_path = path;
	const char *revs[] = { m.previous, m.target, m.branch };
	enum meta_key keys[] = { META_PREVIOUS, META_TARGET, META_BRANCH };
	for (int i = 0; i < 3; i++) {
		if (!revs[i])
			continue;
		rel->meta[keys[i]].set = true;
		rel->meta[keys[i]].loc = (struct loc){ path, 3 + i, 1 };
		rel->meta[keys[i]].value = val(c->arena, path, 3 + i, revs[i]);
	}
	rel->previous_ref = m.previous;
	rel->target_ref = m.target ? m.target : "HEAD";
	return c;
}

static void add_include(struct compile *c, const char *fs_path, int line)
{
	struct source_file *f = arena_alloc(c->arena, sizeof *f);
	struct source_file *last = c->rel->files;
	while (last->next)
		last = last->next;
	f->path = arena_intern(c->arena, fs_path, strlen(fs_path));
	f->fs_path = f->path;
	f->includer = c->rel->files;
	f->included_at = (struct loc){ c->rel->files->path, line, 1 };
	last->next = f;
}

static void free_compile(struct compile *c)
{
	diag_set_free(c->diags);
	arena_free(c->arena);
	free(c);
}

/* The first diagnostic with this code, NULL if none. */
static const struct diagnostic *find_diag(struct compile *c, const char *code)
{
	for (size_t i = 0; i < diag_count(c->diags); i++) {
		const struct diagnostic *d = diag_get(c->diags, i);
		if (strcmp(diag_info(d->code)->code, code) == 0)
			return d;
	}
	return NULL;
}

/* The first diagnostic with this code whose message holds `text`. */
static const struct diagnostic *find_diag_msg(struct compile *c, const char *code,
                                              const char *text)
{
	for (size_t i = 0; i < diag_count(c->diags); i++) {
		const struct diagnostic *d = diag_get(c->diags, i);
		if (strcmp(diag_info(d->code)->code, code) == 0 && strstr(d->message, text))
			return d;
	}
	return NULL;
}

static size_t count_diags(struct compile *c)
{
	return diag_count(c->diags);
}

/* A repository with a committed spec and a tag v0.2.0 on the first commit. */
static char *repo_with_spec(char **spec)
{
	char *dir = new_repo("repo");
	sh(dir, "mkdir specs");
	commit_file(dir, "specs/0.3.0.rel", "release 0.3.0", "initial");
	*spec = tpath("repo/specs/0.3.0.rel");
	return dir;
}

/* ---- resolving revisions ---- */

Test(git, annotated_tag_is_peeled_to_its_commit)
{
	char *spec, *dir = repo_with_spec(&spec);
	git_cmd(dir, "tag -a v0.2.0 -m 'release 0.2.0'");
	commit_empty(dir, "later");
	struct compile *c = new_compile(spec, (struct meta_spec){ "v0.2.0", NULL, NULL });
	git_pin_release(c);
	cr_assert_eq(count_diags(c), 0, "unexpected diagnostics");
	cr_assert_str_eq(c->rel->previous_id, rev(dir, "v0.2.0"));
	cr_assert_str_neq(c->rel->previous_id, sh_out(dir, "git rev-parse v0.2.0"),
	                  "the tag object's own id must not be used");
	cr_assert_str_eq(c->rel->target_id, rev(dir, "HEAD"));
	free_compile(c);
}

Test(git, lightweight_tag)
{
	char *spec, *dir = repo_with_spec(&spec);
	sh(dir, "git tag v0.2.0");
	commit_empty(dir, "later");
	struct compile *c = new_compile(spec, (struct meta_spec){ "v0.2.0", "HEAD", NULL });
	git_pin_release(c);
	cr_assert_eq(count_diags(c), 0);
	cr_assert_str_eq(c->rel->previous_id, rev(dir, "v0.2.0"));
	cr_assert_str_eq(c->rel->target_id, rev(dir, "HEAD"));
	free_compile(c);
}

Test(git, nested_annotated_tag)
{
	char *spec, *dir = repo_with_spec(&spec);
	git_cmd(dir, "tag -a inner -m inner");
	git_cmd(dir, "tag -a outer -m outer inner");
	commit_empty(dir, "later");
	/* outer points to a tag object, not to the commit */
	cr_assert_str_eq(sh_out(dir, "git cat-file -t $(git rev-parse outer^{tag}^{tag}) "
	                             "&& git cat-file -p outer | sed -n 2p"), "tag\ntype tag");
	struct compile *c = new_compile(spec, (struct meta_spec){ "outer", NULL, NULL });
	git_pin_release(c);
	cr_assert_eq(count_diags(c), 0);
	cr_assert_str_eq(c->rel->previous_id, rev(dir, "inner"));
	free_compile(c);
}

Test(git, branch_and_full_and_short_ids)
{
	char *spec, *dir = repo_with_spec(&spec);
	sh(dir, "git branch release-0.2");
	commit_empty(dir, "second");
	char *second = rev(dir, "HEAD");
	commit_empty(dir, "third");
	char shortid[8];
	snprintf(shortid, sizeof shortid, "%.7s", second);

	struct compile *c = new_compile(spec, (struct meta_spec){ "release-0.2", shortid, NULL });
	git_pin_release(c);
	cr_assert_eq(count_diags(c), 0);
	cr_assert_str_eq(c->rel->previous_id, rev(dir, "release-0.2"));
	cr_assert_str_eq(c->rel->target_id, second);
	free_compile(c);

	c = new_compile(spec, (struct meta_spec){ second, "main", NULL });
	git_pin_release(c);
	cr_assert_eq(count_diags(c), 0);
	cr_assert_str_eq(c->rel->previous_id, second);
	cr_assert_str_eq(c->rel->target_id, rev(dir, "main"));
	free_compile(c);
}

Test(git, ambiguous_short_id_is_an_error)
{
	char *spec, *dir = repo_with_spec(&spec);
	/* These two blobs share the id prefix f3537 (ids f3537a2d… and f35379f1…). */
	sh(dir, "printf 'collide 961\\n' | git hash-object -w --stdin && "
	        "printf 'collide 1641\\n' | git hash-object -w --stdin");
	cr_assert_str_eq(sh_out(dir, "printf 'collide 961\\n' | git hash-object --stdin | cut -c1-5"),
	                 "f3537");
	cr_assert_str_eq(sh_out(dir, "printf 'collide 1641\\n' | git hash-object --stdin | cut -c1-5"),
	                 "f3537");
	struct compile *c = new_compile(spec, (struct meta_spec){ "f3537", NULL, NULL });
	git_pin_release(c);
	const struct diagnostic *d = find_diag(c, "E013");
	cr_assert_not_null(d);
	cr_assert(strstr(d->message, "ambiguous"), "message: %s", d->message);
	cr_assert(strstr(d->message, "'f3537'"), "message: %s", d->message);
	cr_assert_eq(d->loc.line, 3, "reported at the previous statement");
	cr_assert_str_eq(c->rel->previous_id, "");
	free_compile(c);
}

Test(git, revision_that_does_not_exist)
{
	char *spec, *dir = repo_with_spec(&spec);
	git_cmd(dir, "tag -a v0.2.0 -m v0.2.0");
	struct compile *c = new_compile(spec, (struct meta_spec){ "v0.2.1", NULL, NULL });
	c->opt.repo = dir;
	git_pin_release(c);
	const struct diagnostic *d = find_diag(c, "E013");
	cr_assert_not_null(d);
	cr_assert(strstr(d->message, "'v0.2.1'"), "names the revision: %s", d->message);
	cr_assert(strstr(d->message, dir), "names the repository: %s", d->message);
	cr_assert_not_null(d->notes);
	cr_assert_str_eq(d->notes->text, "did you mean 'v0.2.0'?");
	cr_assert_eq(d->loc.line, 3);
	cr_assert_eq(c->rel->previous_id[0], '\0');
	cr_assert_str_eq(c->rel->target_id, rev(dir, "HEAD"), "target is still pinned");
	free_compile(c);
}

Test(git, revision_naming_a_tree_is_an_error)
{
	char *spec, *dir = repo_with_spec(&spec);
	struct compile *c = new_compile(spec, (struct meta_spec){ "HEAD^{tree}", NULL, NULL });
	git_pin_release(c);
	const struct diagnostic *d = find_diag(c, "E013");
	cr_assert_not_null(d);
	cr_assert(strstr(d->message, "names a tree"), "message: %s", d->message);
	free_compile(c);

	/* A range is not one revision. */
	git_cmd(dir, "tag v0.2.0");
	c = new_compile(spec, (struct meta_spec){ "v0.2.0..HEAD", NULL, NULL });
	git_pin_release(c);
	d = find_diag(c, "E013");
	cr_assert_not_null(d);
	cr_assert(strstr(d->message, "not a single git revision"), "message: %s", d->message);
	free_compile(c);
}

Test(git, previous_not_an_ancestor_of_target)
{
	char *spec, *dir = repo_with_spec(&spec);
	sh(dir, "git checkout -q -b side");
	commit_empty(dir, "on side");
	sh(dir, "git checkout -q main");
	commit_empty(dir, "on main");
	struct compile *c = new_compile(spec, (struct meta_spec){ "side", "main", NULL });
	git_pin_release(c);
	const struct diagnostic *d = find_diag(c, "E014");
	cr_assert_not_null(d);
	cr_assert(strstr(d->message, "'side'") && strstr(d->message, "'main'"),
	          "message: %s", d->message);
	cr_assert_eq(count_diags(c), 1);
	free_compile(c);

	/* Without a target statement the note says HEAD was used. */
	sh(dir, "git checkout -q main");
	c = new_compile(spec, (struct meta_spec){ "side", NULL, NULL });
	git_pin_release(c);
	d = find_diag(c, "E014");
	cr_assert_not_null(d);
	cr_assert_not_null(d->notes);
	cr_assert_str_eq(d->notes->text, "target is HEAD by default");
	free_compile(c);

	/* The other way round is fine, and so is previous == target. */
	c = new_compile(spec, (struct meta_spec){ "main~1", "main", NULL });
	git_pin_release(c);
	cr_assert_eq(count_diags(c), 0);
	free_compile(c);
	c = new_compile(spec, (struct meta_spec){ "main", "main", NULL });
	git_pin_release(c);
	cr_assert_eq(count_diags(c), 0);
	free_compile(c);
}

Test(git, target_not_on_branch)
{
	char *spec, *dir = repo_with_spec(&spec);
	git_cmd(dir, "tag v0.2.0");
	sh(dir, "git checkout -q -b feature");
	commit_empty(dir, "feature work");
	struct compile *c = new_compile(spec, (struct meta_spec){ "v0.2.0", "feature", "main" });
	git_pin_release(c);
	const struct diagnostic *d = find_diag(c, "E015");
	cr_assert_not_null(d);
	cr_assert(strstr(d->message, "'main'"), "message: %s", d->message);
	cr_assert_eq(d->loc.line, 5, "reported at the branch statement");
	cr_assert_not_null(d->notes);
	cr_assert_eq(d->notes->loc.line, 4, "with a note at the target statement");
	free_compile(c);

	c = new_compile(spec, (struct meta_spec){ "v0.2.0", "feature", "feature" });
	git_pin_release(c);
	cr_assert_eq(count_diags(c), 0);
	free_compile(c);

	c = new_compile(spec, (struct meta_spec){ "v0.2.0", "feature", "nosuch" });
	git_pin_release(c);
	d = find_diag(c, "E013");
	cr_assert_not_null(d);
	cr_assert(strstr(d->message, "branch 'nosuch'"), "message: %s", d->message);
	free_compile(c);
}

Test(git, branch_falls_back_to_origin)
{
	char *spec0, *up = repo_with_spec(&spec0);
	sh(up, "git checkout -q -b stable");
	commit_empty(up, "stable fix");
	sh(up, "git checkout -q main");
	commit_empty(up, "main work");
	sh(tmp_root, "git clone -q '%s' clone", up);
	char *dir = tpath("clone");
	cr_assert_str_eq(sh_out(dir, "git branch --list stable"), "", "no local stable branch");
	char *spec = tpath("clone/specs/0.3.0.rel");

	struct compile *c = new_compile(spec, (struct meta_spec){ "main~1", "origin/stable", "stable" });
	git_pin_release(c);
	cr_assert_eq(count_diags(c), 0, "origin/stable contains the target");
	free_compile(c);

	c = new_compile(spec, (struct meta_spec){ "main~1", "main", "stable" });
	git_pin_release(c);
	const struct diagnostic *d = find_diag(c, "E015");
	cr_assert_not_null(d);
	cr_assert(strstr(d->message, "origin/stable"), "names the branch used: %s", d->message);
	free_compile(c);
}

/* ---- W111 ---- */

Test(git, committed_spec_gives_no_warning)
{
	char *spec, *dir = repo_with_spec(&spec);
	struct compile *c = new_compile(spec, (struct meta_spec){ "HEAD", NULL, NULL });
	git_pin_release(c);
	cr_assert_null(find_diag(c, "W111"));
	cr_assert_str_eq(c->spec_relpath, "specs/0.3.0.rel");
	(void)dir;
	free_compile(c);
}

Test(git, modified_spec_warns)
{
	char *spec, *dir = repo_with_spec(&spec);
	sh(dir, "echo '# edit' >> specs/0.3.0.rel");
	struct compile *c = new_compile(spec, (struct meta_spec){ "HEAD", NULL, NULL });
	git_pin_release(c);
	const struct diagnostic *d = find_diag(c, "W111");
	cr_assert_not_null(d);
	cr_assert(strstr(d->message, "uncommitted changes"), "message: %s", d->message);
	cr_assert_eq(d->loc.line, 1);
	cr_assert_eq(d->loc.col, 1);
	cr_assert_eq(d->severity, SEV_WARNING);
	free_compile(c);

	/* Staged but not committed is still not committed. */
	sh(dir, "git add specs/0.3.0.rel");
	c = new_compile(spec, (struct meta_spec){ "HEAD", NULL, NULL });
	git_pin_release(c);
	d = find_diag(c, "W111");
	cr_assert_not_null(d);
	cr_assert(strstr(d->message, "staged"), "message: %s", d->message);
	free_compile(c);
}

Test(git, modified_include_warns_at_its_include_line)
{
	char *spec, *dir = repo_with_spec(&spec);
	commit_file(dir, "specs/bmtc.rel", "project demo", "add shared spec");
	sh(dir, "echo 'let x = 1' >> specs/bmtc.rel");
	struct compile *c = new_compile(spec, (struct meta_spec){ "HEAD", NULL, NULL });
	char *inc = tpath("repo/specs/bmtc.rel");
	add_include(c, inc, 7);
	git_pin_release(c);
	const struct diagnostic *d = find_diag(c, "W111");
	cr_assert_not_null(d);
	cr_assert(strstr(d->message, "included file"), "message: %s", d->message);
	cr_assert(strstr(d->message, "bmtc.rel"), "message: %s", d->message);
	cr_assert_eq(d->loc.line, 7);
	cr_assert_eq(count_diags(c), 1, "the spec itself is clean");
	free_compile(c);
}

Test(git, untracked_and_ignored_specs_warn)
{
	char *spec, *dir = repo_with_spec(&spec);
	sh(dir, "mkdir -p new/deeper && echo 'release 0.4.0' > new/deeper/0.4.0.rel");
	char *untracked = tpath("repo/new/deeper/0.4.0.rel");
	struct compile *c = new_compile(untracked, (struct meta_spec){ "HEAD", NULL, NULL });
	git_pin_release(c);
	const struct diagnostic *d = find_diag(c, "W111");
	cr_assert_not_null(d, "an untracked spec in an untracked folder warns");
	cr_assert(strstr(d->message, "untracked"), "message: %s", d->message);
	free_compile(c);

	commit_file(dir, ".gitignore", "ignored/", "ignore");
	sh(dir, "mkdir ignored && echo 'release 0.4.0' > ignored/0.4.0.rel");
	char *ignored = tpath("repo/ignored/0.4.0.rel");
	c = new_compile(ignored, (struct meta_spec){ "HEAD", NULL, NULL });
	git_pin_release(c);
	d = find_diag(c, "W111");
	cr_assert_not_null(d, "an ignored spec warns");
	cr_assert(strstr(d->message, "ignored"), "message: %s", d->message);
	free_compile(c);
}

/* ---- repositories relc cannot use ---- */

Test(git, shallow_clone_is_reported)
{
	char *spec0, *up = repo_with_spec(&spec0);
	git_cmd(up, "tag -a v0.2.0 -m v0.2.0");
	commit_empty(up, "one");
	commit_empty(up, "two");
	sh(tmp_root, "git clone -q --depth 1 'file://%s' shallow", up);
	char *spec = tpath("shallow/specs/0.3.0.rel");
	struct compile *c = new_compile(spec, (struct meta_spec){ "HEAD~1", NULL, NULL });
	git_pin_release(c);
	const struct diagnostic *d = find_diag(c, "E013");
	cr_assert_not_null(d);
	cr_assert(strstr(d->message, "shallow clone"), "message: %s", d->message);
	cr_assert_eq(count_diags(c), 1, "one clear diagnostic, not a cascade");
	free_compile(c);
}

Test(git, unborn_head_is_reported)
{
	char *dir = new_repo("empty");
	sh(dir, "echo 'release 0.1.0' > first.rel");
	char *spec = tpath("empty/first.rel");
	struct compile *c = new_compile(spec, (struct meta_spec){ "v0.0.1", NULL, NULL });
	git_pin_release(c);
	bool seen = false;
	for (size_t i = 0; i < diag_count(c->diags); i++) {
		const struct diagnostic *d = diag_get(c->diags, i);
		if (d->code == DIAG_E013 && strstr(d->message, "unborn"))
			seen = strstr(d->message, "'main'") != NULL;
	}
	cr_assert(seen, "the unborn HEAD and its branch are named");
	free_compile(c);
}

Test(git, repo_option_does_not_climb_but_discovery_does)
{
	char *spec0, *dir = repo_with_spec(&spec0);
	sh(dir, "mkdir -p sub && echo 'release 0.3.0' > sub/x.rel && git add sub && "
	        "git commit -q --no-gpg-sign -m sub");
	char *spec = tpath("repo/sub/x.rel");
	char *sub = tpath("repo/sub");
	struct compile *c = new_compile(spec, (struct meta_spec){ "HEAD", NULL, NULL });
	git_pin_release(c);
	cr_assert_eq(count_diags(c), 0);
	cr_assert_str_eq(c->spec_relpath, "sub/x.rel");
	free_compile(c);

	c = new_compile(spec, (struct meta_spec){ "HEAD", NULL, NULL });
	c->opt.repo = sub;
	git_pin_release(c);
	const struct diagnostic *d = find_diag(c, "E013");
	cr_assert_not_null(d);
	cr_assert(strstr(d->message, "--repo"), "message: %s", d->message);
	free_compile(c);

	/* No repository at all above the spec. */
	sh(tmp_root, "mkdir -p lone && echo 'release 0.3.0' > lone/x.rel");
	char *lone = tpath("lone/x.rel");
	c = new_compile(lone, (struct meta_spec){ "HEAD", NULL, NULL });
	git_pin_release(c);
	d = find_diag(c, "E013");
	cr_assert_not_null(d);
	cr_assert(strstr(d->message, "no git repository"), "message: %s", d->message);
	free_compile(c);
}

Test(git, repository_found_above_the_spec_is_named)
{
	char *spec0, *dir = repo_with_spec(&spec0);
	sh(dir, "mkdir -p scratch && echo 'release 0.3.0' > scratch/x.rel");
	char *spec = tpath("repo/scratch/x.rel");
	struct compile *c = new_compile(spec, (struct meta_spec){ "v9.9.9", NULL, NULL });
	git_pin_release(c);
	const struct diagnostic *d = find_diag(c, "E013");
	cr_assert_not_null(d);
	bool hint = false;
	for (const struct diag_note *n = d->notes; n; n = n->next)
		hint |= strstr(n->text, "--repo") != NULL;
	cr_assert(hint, "the error says the repository was found above the spec");
	cr_assert_not_null(find_diag(c, "W111"), "the scratch spec is untracked");
	free_compile(c);

	/* A spec outside the work tree of --repo is not committed anywhere. */
	sh(tmp_root, "mkdir -p elsewhere && echo 'release 0.3.0' > elsewhere/x.rel");
	char *outside = tpath("elsewhere/x.rel");
	c = new_compile(outside, (struct meta_spec){ "HEAD", NULL, NULL });
	c->opt.repo = dir;
	git_pin_release(c);
	d = find_diag(c, "W111");
	cr_assert_not_null(d);
	cr_assert(strstr(d->message, "outside the work tree"), "message: %s", d->message);
	cr_assert_str_eq(c->spec_relpath, outside, "path as given when outside the repository");
	cr_assert_str_eq(c->rel->target_id, rev(dir, "HEAD"));
	free_compile(c);
}

Test(git, repository_of_another_user_is_explained)
{
	if (geteuid() != 0)
		cr_skip_test("needs root to give the repository to another user");
	char *spec, *dir = repo_with_spec(&spec);
	sh(dir, "chown -R 65534:65534 .");
	struct compile *c = new_compile(spec, (struct meta_spec){ "HEAD", NULL, NULL });
	git_pin_release(c);
	const struct diagnostic *d = find_diag(c, "E013");
	cr_assert_not_null(d);
	cr_assert(strstr(d->message, "owned by another user"), "message: %s", d->message);
	cr_assert_not_null(d->notes);
	cr_assert(strstr(d->notes->text, "safe.directory"), "note: %s", d->notes->text);
	free_compile(c);
}

/* ---- --no-git ---- */

Test(git, no_git_takes_full_ids_only)
{
	char *spec = tpath("x.rel");
	FILE *f = fopen(spec, "w");
	fputs("release 0.3.0\n", f);
	fclose(f);
	const char *a = "0123456789ABCDEF0123456789abcdef01234567";
	const char *b = "89abcdef0123456789abcdef0123456789abcdef";
	struct compile *c = new_compile(spec, (struct meta_spec){ a, b, "main" });
	c->opt.no_git = true;
	git_pin_release(c);
	cr_assert_eq(count_diags(c), 0);
	cr_assert_str_eq(c->rel->previous_id, "0123456789abcdef0123456789abcdef01234567");
	cr_assert_str_eq(c->rel->target_id, b);
	cr_assert_str_eq(c->spec_relpath, spec);
	free_compile(c);

	c = new_compile(spec, (struct meta_spec){ "0123abc", NULL, NULL });
	c->opt.no_git = true;
	c->rel->changes_from_git = true;
	c->rel->changes_from_git_loc = (struct loc){ c->rel->root_path, 9, 1 };
	git_pin_release(c);
	const struct diagnostic *d = find_diag_msg(c, "E013", "'0123abc'");
	cr_assert_not_null(d);
	cr_assert(strstr(d->message, "--no-git"), "message: %s", d->message);
	cr_assert_eq(d->loc.line, 3);
	/* target defaults to HEAD, which --no-git cannot pin either */
	size_t e013 = 0;
	for (size_t i = 0; i < diag_count(c->diags); i++)
		e013 += diag_get(c->diags, i)->code == DIAG_E013;
	cr_assert_eq(e013, 2);
	d = find_diag(c, "E003");
	cr_assert_not_null(d, "changes from-git is an error with --no-git");
	cr_assert_eq(d->loc.line, 9);
	free_compile(c);
}

/* ---- changes from-git ---- */

Test(git, classify_conventional_subjects)
{
	struct {
		const char *msg;
		bool maps;
		enum change_area area;
		enum change_kind kind;
		const char *text;
	} cases[] = {
		{ "feat(api): GET /v1/alerts", true, AREA_API, CHANGE_ADDED, "GET /v1/alerts" },
		{ "fix(api): ETA for empty routes", true, AREA_API, CHANGE_FIXED, "ETA for empty routes" },
		{ "feat: rules engine", true, AREA_BACKEND, CHANGE_ADDED, "rules engine" },
		{ "feat(worker): rules engine", true, AREA_BACKEND, CHANGE_ADDED, "rules engine" },
		{ "fix: crash on start", true, AREA_BACKEND, CHANGE_FIXED, "crash on start" },
		{ "fix(worker): crash", true, AREA_BACKEND, CHANGE_FIXED, "crash" },
		{ "perf: faster summaries", true, AREA_BACKEND, CHANGE_PERFORMANCE, "faster summaries" },
		{ "refactor: split module", true, AREA_BACKEND, CHANGE_CHANGED, "split module" },
		{ "feat(db): alerts table", true, AREA_BACKEND, CHANGE_DATABASE, "alerts table" },
		{ "migration: add index", true, AREA_BACKEND, CHANGE_DATABASE, "add index" },
		{ "feat(api)!: drop /v0", true, AREA_API, CHANGE_BREAKING, "drop /v0" },
		{ "refactor!: new config", true, AREA_API, CHANGE_BREAKING, "new config" },
		{ "feat(api): new auth\n\nBody.\n\nBREAKING CHANGE: tokens expire after 1 h\n",
		  true, AREA_API, CHANGE_BREAKING, "tokens expire after 1 h" },
		{ "Feat(API):  Upper case type  \n", true, AREA_API, CHANGE_ADDED, "Upper case type" },
		{ "docs: describe alerts", false, 0, 0, NULL },
		{ "chore: bump", false, 0, 0, NULL },
		{ "feat:no space", false, 0, 0, NULL },
		{ "feat(): empty scope", false, 0, 0, NULL },
		{ "feat: ", false, 0, 0, NULL },
		{ "Merge branch 'x'", false, 0, 0, NULL },
		{ "update readme", false, 0, 0, NULL },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		enum change_area area;
		enum change_kind kind;
		const char *text = NULL;
		size_t len = 0;
		bool maps = relc_git_classify_commit(cases[i].msg, &area, &kind, &text, &len);
		cr_assert_eq(maps, cases[i].maps, "%s", cases[i].msg);
		if (!maps)
			continue;
		cr_assert_eq(area, cases[i].area, "%s", cases[i].msg);
		cr_assert_eq(kind, cases[i].kind, "%s", cases[i].msg);
		cr_assert_eq(len, strlen(cases[i].text), "%s", cases[i].msg);
		cr_assert(strncmp(text, cases[i].text, len) == 0, "%s", cases[i].msg);
	}
}

static struct change *explicit_change(struct arena *a, const char *file,
                                      enum change_area area, enum change_kind kind,
                                      const char *text)
{
	struct change *ch = arena_alloc(a, sizeof *ch);
	ch->loc = (struct loc){ file, 8, 5 };
	ch->area = area;
	ch->kind = kind;
	ch->text = val(a, file, 8, text);
	ch->text->quoted = true;
	return ch;
}

/* Commit a new file with this message; returns the commit id. */
static char *commit_id(const char *dir, const char *file, const char *msg)
{
	commit_file(dir, file, file, msg);
	return rev(dir, "HEAD");
}

Test(git, from_git_maps_orders_skips_and_dedupes)
{
	char *spec, *dir = repo_with_spec(&spec);
	git_cmd(dir, "tag -a v0.2.0 -m v0.2.0");
	char *a = commit_id(dir, "a", "feat(api): GET /v1/alerts lists alerts");
	commit_id(dir, "b", "docs: describe alerts");
	char *c3 = commit_id(dir, "c", "fix(api): ETA \"quoted\" $HOME");
	sh(dir, "git checkout -q -b topic");
	commit_id(dir, "d", "docs: topic notes");
	sh(dir, "git checkout -q main");
	char *e = commit_id(dir, "e", "feat(db): alerts table");
	git_cmd(dir, "merge -q --no-ff --no-gpg-sign -m 'feat: this merge is skipped' topic");
	char *f = commit_id(dir, "f", "feat!: new config format");
	/* the quote ends -m, so the footer is a second paragraph */
	char *g = commit_id(dir, "g", "fix: crash' -m 'BREAKING CHANGE: old tokens rejected");
	char *h = commit_id(dir, "h", "refactor: split worker");
	char *i = commit_id(dir, "i", "migration: index on alerts");
	char *p = commit_id(dir, "p", "perf: faster summaries");
	commit_id(dir, "j", "feat: rules engine");
	char *k = commit_id(dir, "k", "fix: tidy");
	commit_id(dir, "l", "feat(api): GET /v1/alerts lists alerts");

	struct compile *c = new_compile(spec, (struct meta_spec){ "v0.2.0", NULL, NULL });
	struct arena *ar = c->arena;
	const char *file = c->rel->root_path;
	c->rel->changes = explicit_change(ar, file, AREA_BACKEND, CHANGE_ADDED, "rules engine");
	c->rel->changes->next = explicit_change(ar, file, AREA_API, CHANGE_CHANGED, "kept first");
	c->rel->changes_from_git = true;
	c->rel->changes_from_git_loc = (struct loc){ file, 20, 1 };
	git_pin_release(c);
	cr_assert_eq(count_diags(c), 0);

	struct {
		enum change_area area;
		enum change_kind kind;
		const char *text;
		const char *commit; /* NULL for an explicit entry */
	} want[] = {
		{ AREA_BACKEND, CHANGE_ADDED, "rules engine", NULL },
		{ AREA_API, CHANGE_CHANGED, "kept first", NULL },
		{ AREA_API, CHANGE_ADDED, "GET /v1/alerts lists alerts", a },
		{ AREA_API, CHANGE_FIXED, "ETA \"quoted\" $HOME", c3 },
		{ AREA_BACKEND, CHANGE_DATABASE, "alerts table", e },
		{ AREA_API, CHANGE_BREAKING, "new config format", f },
		{ AREA_API, CHANGE_BREAKING, "old tokens rejected", g },
		{ AREA_BACKEND, CHANGE_CHANGED, "split worker", h },
		{ AREA_BACKEND, CHANGE_DATABASE, "index on alerts", i },
		{ AREA_BACKEND, CHANGE_PERFORMANCE, "faster summaries", p },
		{ AREA_BACKEND, CHANGE_FIXED, "tidy", k },
	};
	size_t n = 0;
	for (struct change *ch = c->rel->changes; ch; ch = ch->next, n++) {
		cr_assert_lt(n, sizeof want / sizeof want[0], "too many changes");
		cr_assert_eq(ch->area, want[n].area, "change %zu", n);
		cr_assert_eq(ch->kind, want[n].kind, "change %zu", n);
		cr_assert_str_eq(ch->text->expanded, want[n].text, "change %zu", n);
		if (!want[n].commit) {
			cr_assert_null(ch->commit);
			continue;
		}
		cr_assert_str_eq(ch->commit, want[n].commit, "change %zu", n);
		cr_assert(ch->text->quoted);
		cr_assert_eq(ch->text->nsegs, 1);
		cr_assert_eq(ch->text->segs[0].kind, SEG_TEXT);
		cr_assert_eq(ch->loc.line, 20);
	}
	cr_assert_eq(n, sizeof want / sizeof want[0]);
	/* Made by a later pass: the text is kept exactly, nothing decoded. */
	cr_assert_str_eq(c->rel->changes->next->next->next->text->raw,
	                 "ETA \"quoted\" $HOME");
	free_compile(c);
}

Test(git, from_git_order_is_git_topo_order_reversed)
{
	char *spec, *dir = repo_with_spec(&spec);
	git_cmd(dir, "tag v0.2.0");
	/* Two branches whose commits interleave in time. */
	sh(dir, "git checkout -q -b left");
	commit_file(dir, "l1", "1", "feat: left one");
	sh(dir, "git checkout -q main");
	commit_file(dir, "m1", "1", "feat: main one");
	sh(dir, "git checkout -q left");
	commit_file(dir, "l2", "2", "feat: left two");
	sh(dir, "git checkout -q main");
	commit_file(dir, "m2", "2", "feat: main two");
	git_cmd(dir, "merge -q --no-ff --no-gpg-sign -m 'merge left' left");
	commit_file(dir, "m3", "3", "feat: main three");

	struct compile *c = new_compile(spec, (struct meta_spec){ "v0.2.0", NULL, NULL });
	c->rel->changes_from_git = true;
	git_pin_release(c);
	struct buf got;
	buf_init(&got);
	for (struct change *ch = c->rel->changes; ch; ch = ch->next)
		buf_printf(&got, "%s%s", got.len ? "\n" : "", ch->commit);
	char *want = sh_out(dir, "git rev-list --topo-order --reverse --no-merges v0.2.0..HEAD");
	cr_assert_str_eq(got.data, want);
	buf_free(&got);
	free_compile(c);
}

/* harvest_changes reads raw commits: a signature's continued header lines
 * (one of them looking like a parent) are not parents, an encoding header is
 * not the message, and the message's leading blank lines are skipped as
 * git_commit_message does. A parent taken from the signature would make the
 * commit a merge, and merges are left out. */
Test(git, from_git_reads_signed_commits_raw)
{
	char *spec, *dir = repo_with_spec(&spec);
	git_cmd(dir, "tag v0.2.0");
	sh(dir, "t=$(git rev-parse 'HEAD^{tree}') && p=$(git rev-parse HEAD) && "
	        "c=$(printf 'tree %%s\\nparent %%s\\n"
	        "author relc <relc@example.invalid> 1790000000 +0000\\n"
	        "committer relc <relc@example.invalid> 1790000000 +0000\\n"
	        "encoding ISO-8859-1\\n"
	        "gpgsig -----BEGIN PGP SIGNATURE-----\\n \\n"
	        " parent 1111111111111111111111111111111111111111\\n"
	        " -----END PGP SIGNATURE-----\\n"
	        "\\n\\n\\nfix(api): signed and spaced\\n\\nBody.\\n' \"$t\" \"$p\" | "
	        "git hash-object -t commit -w --stdin) && git update-ref HEAD \"$c\"");
	char *signed_id = rev(dir, "HEAD");
	char *plain = commit_id(dir, "after", "feat: after the signed one");

	struct compile *c = new_compile(spec, (struct meta_spec){ "v0.2.0", NULL, NULL });
	c->rel->changes_from_git = true;
	git_pin_release(c);
	cr_assert_eq(count_diags(c), 0);
	struct change *ch = c->rel->changes;
	cr_assert_not_null(ch);
	cr_assert_str_eq(ch->commit, signed_id);
	cr_assert_eq(ch->area, AREA_API);
	cr_assert_eq(ch->kind, CHANGE_FIXED);
	cr_assert_str_eq(ch->text->expanded, "signed and spaced");
	cr_assert_not_null(ch->next);
	cr_assert_str_eq(ch->next->commit, plain);
	cr_assert_null(ch->next->next);
	free_compile(c);
}

/* ---- provenance ---- */

Test(git, blob_id_matches_git_hash_object)
{
	char id[41];
	cr_assert(relc_git_blob_id("hello\n", 6, id));
	cr_assert_str_eq(id, "ce013625030ba8dba906f756967f9e9ca394464a");
	cr_assert(relc_git_blob_id("", 0, id));
	cr_assert_str_eq(id, "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391");
}

Test(git, provenance_header_is_pinned_and_relative)
{
	char *spec, *dir = repo_with_spec(&spec);
	git_cmd(dir, "tag -a v0.2.0 -m v0.2.0");
	commit_empty(dir, "next");
	/* Give the spec through a path with a detour: the header stays relative. */
	char *detour = tpath("repo/specs/../specs/0.3.0.rel");
	struct compile *c = new_compile(detour, (struct meta_spec){ "v0.2.0", NULL, NULL });
	git_pin_release(c);
	cr_assert_eq(count_diags(c), 0);
	/* resolve hashes the spec's bytes; this test skips resolve */
	char *bytes;
	size_t nbytes;
	cr_assert_eq(read_file(detour, 1 << 20, &bytes, &nbytes), 0);
	cr_assert(relc_git_blob_id(bytes, nbytes, c->spec_blob));
	free(bytes);
	struct buf out;
	buf_init(&out);
	emit_provenance(&out, c, "# ");
	struct buf want;
	buf_init(&want);
	buf_printf(&want,
		"# Generated by relc " RELC_VERSION_STRING " from specs/0.3.0.rel (blob %s)"
		" \xe2\x80\x94 generated, do not edit.\n"
		"# previous: v0.2.0 = %s\n"
		"# target: HEAD = %s\n",
		sh_out(dir, "git hash-object specs/0.3.0.rel"), rev(dir, "v0.2.0"), rev(dir, "HEAD"));
	cr_assert_str_eq(out.data, want.data);
	cr_assert_null(strstr(out.data, tmp_root), "no absolute path");
	buf_free(&out);
	buf_free(&want);
	free_compile(c);
}

Test(git, provenance_cannot_break_out_of_a_comment)
{
	struct compile *c = new_compile("specs/a-->b\n.rel", (struct meta_spec){ "x\nrm -rf /", NULL, NULL });
	strcpy(c->spec_blob, "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391");
	struct buf out;
	buf_init(&out);
	emit_provenance(&out, c, "");
	cr_assert_null(strstr(out.data, "-->"));
	cr_assert_null(strstr(out.data, "\nrm"));
	cr_assert(strstr(out.data, "previous: x\\x0arm -rf / = (not pinned)\n"), "%s", out.data);
	buf_free(&out);
	free_compile(c);
}

/* ---- through the whole front end (compile_spec) ---- */

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	cr_assert_not_null(f, "cannot write %s", path);
	fputs(text, f);
	cr_assert_eq(fclose(f), 0);
}

static struct compile *compile_path(const char *spec, const char *repo, bool no_git)
{
	struct compile_options opt = { 0 };
	opt.repo = repo;
	opt.no_git = no_git;
	struct compile *c = compile_new(&opt);
	compile_spec(c, spec);
	cr_assert_not_null(c->rel);
	return c;
}

Test(git, blob_is_of_the_bytes_compiled_and_not_wanted_by_check)
{
	char *spec = tpath("blob.rel");
	write_text(spec, "release 0.3.0\n");
	struct compile_options opt = { 0 };
	opt.no_git = true;
	struct compile *c = compile_new(&opt);
	compile_spec(c, spec);
	/* git hash-object of "release 0.3.0\n" */
	cr_assert_str_eq(c->spec_blob, "e2973b7da80a2a9f68d5de637a0e18082ed41f5b");
	compile_free(c);

	/* Bytes given in memory are what the header names, not the file. */
	c = compile_new(&opt);
	compile_spec_text(c, spec, "release 0.4.0\n", 14);
	char want[41];
	cr_assert(relc_git_blob_id("release 0.4.0\n", 14, want));
	cr_assert_str_eq(c->spec_blob, want);
	compile_free(c);

	/* relc check prints no header, so it does not hash. */
	opt.check_only = true;
	c = compile_new(&opt);
	compile_spec(c, spec);
	cr_assert_str_eq(c->spec_blob, "");
	compile_free(c);
}

static const char shared_rel[] = "project \"Demo\"\n";
static const char release_rel[] =
	"include \"shared.rel\"\n"
	"release 0.3.0\n"
	"date 2026-11-26\n"
	"previous v0.2.0\n"
	"branch main\n"
	"changes {\n"
	"    api added \"GET /v1/alerts\"\n"
	"}\n"
	"changes from-git\n";

Test(git, compile_spec_pins_harvests_and_warns)
{
	char *dir = new_repo("repo");
	char *spec = tpath("repo/0.3.0.rel");
	write_text(spec, release_rel);
	char *shared = tpath("repo/shared.rel");
	write_text(shared, shared_rel);
	git_cmd(dir, "add 0.3.0.rel shared.rel");
	git_cmd(dir, "commit -q --no-gpg-sign -m 'feat: first'");
	git_cmd(dir, "tag -a v0.2.0 -m v0.2.0");
	char *fix = commit_id(dir, "x", "fix(api): GET /v1/eta survives no vehicles");
	commit_id(dir, "y", "feat(api): GET /v1/alerts");

	struct compile *c = compile_path(spec, NULL, false);
	cr_assert_null(find_diag(c, "W111"));
	cr_assert_null(find_diag(c, "E013"));
	cr_assert_str_eq(c->rel->previous_id, rev(dir, "v0.2.0"));
	cr_assert_str_eq(c->rel->target_id, rev(dir, "HEAD"));
	cr_assert_str_eq(c->spec_relpath, "0.3.0.rel");
	cr_assert_str_eq(c->spec_blob, sh_out(dir, "git hash-object 0.3.0.rel"));
	struct change *ch = c->rel->changes;
	cr_assert_not_null(ch);
	cr_assert_null(ch->commit, "the explicit entry comes first");
	cr_assert_str_eq(ch->text->expanded, "GET /v1/alerts");
	ch = ch->next;
	cr_assert_not_null(ch, "the fix was harvested");
	cr_assert_str_eq(ch->commit, fix);
	cr_assert_eq(ch->kind, CHANGE_FIXED);
	cr_assert_null(ch->next, "the feat(api) equal to the explicit entry is dropped");
	/* ${previous} and ${target} see the pinned ids */
	struct symbol *sym = release_symbol(c->rel, "target");
	cr_assert_not_null(sym);
	cr_assert_str_eq(sym->builtin, rev(dir, "HEAD"));
	compile_free(c);

	/* Edit the include: W111 at the include line of the spec. */
	sh(dir, "echo '# local edit' >> shared.rel");
	c = compile_path(spec, dir, false);
	const struct diagnostic *d = find_diag(c, "W111");
	cr_assert_not_null(d);
	cr_assert_eq(d->loc.line, 1);
	cr_assert(strstr(d->message, "shared.rel"), "message: %s", d->message);
	compile_free(c);

	/* --no-git: the tag is not a full id, and from-git is refused. */
	c = compile_path(spec, NULL, true);
	d = find_diag_msg(c, "E013", "'v0.2.0'");
	cr_assert_not_null(d);
	cr_assert_eq(d->loc.line, 4);
	d = find_diag(c, "E003");
	cr_assert_not_null(d);
	cr_assert_eq(d->loc.line, 9);
	cr_assert_str_eq(c->spec_relpath, spec);
	compile_free(c);
}

static const char demo_rel[] =
	"include \"shared.rel\"\n"
	"release 0.3.0\n"
	"date 2026-11-26\n"
	"previous v0.2.0\n"
	"target HEAD\n"
	"branch main\n"
	"changes {\n"
	"    api added \"GET /v1/alerts lists active service alerts for a route\"\n"
	"}\n"
	"changes from-git\n";

/* scripts/demo-repo.sh: the same ids every time, and a clean pin. */
Test(git, demo_repository_is_deterministic)
{
	const char *root = getenv("RELC_SOURCE_ROOT");
	cr_assert_not_null(root, "meson sets RELC_SOURCE_ROOT");
	sh(tmp_root, "mkdir specs");
	char *spec_dir = tpath("specs");
	char *spec = tpath("specs/0.3.0.rel");
	write_text(spec, demo_rel);
	char *shared = tpath("specs/shared.rel");
	write_text(shared, shared_rel);
	char *one = sh_out(tmp_root, "sh '%s/scripts/demo-repo.sh' one '%s'", root, spec_dir);
	char *two = sh_out(tmp_root, "GIT_AUTHOR_NAME=Other TZ=Asia/Tokyo "
	                             "sh '%s/scripts/demo-repo.sh' two '%s'", root, spec_dir);
	cr_assert_eq(strlen(one), 40);
	cr_assert_str_eq(one, two, "the demo history does not depend on the caller");
	char *dir = tpath("one");
	cr_assert_str_eq(rev(dir, "HEAD"), one);
	cr_assert_str_eq(sh_out(dir, "git cat-file -t v0.2.0"), "tag", "v0.2.0 is annotated");

	char *demo_spec = tpath("one/specs/0.3.0.rel");
	struct compile *c = compile_path(demo_spec, dir, false);
	cr_assert_null(find_diag(c, "W111"), "the specs are committed");
	cr_assert_null(find_diag(c, "E013"));
	cr_assert_null(find_diag(c, "E014"));
	cr_assert_null(find_diag(c, "E015"));
	cr_assert_str_eq(c->spec_relpath, "specs/0.3.0.rel");
	/* v0.2.0..HEAD holds every kind the demo shows, and no merge. */
	size_t harvested = 0;
	bool fixed = false, perf = false, db = false;
	for (struct change *ch = c->rel->changes; ch; ch = ch->next) {
		if (!ch->commit)
			continue;
		harvested++;
		cr_assert_eq(sh_out(dir, "git rev-list --parents -n 1 %s | wc -w", ch->commit)[0], '2',
		             "a merge was harvested: %s", ch->commit);
		fixed |= ch->area == AREA_API && ch->kind == CHANGE_FIXED;
		perf |= ch->kind == CHANGE_PERFORMANCE;
		db |= ch->kind == CHANGE_DATABASE;
	}
	cr_assert(fixed && perf && db, "api fixed, backend performance and database harvested");
	cr_assert_eq(harvested, 4, "GET /v1/alerts is written in the spec, docs and chore are skipped");
	compile_free(c);

	/* The project's own specs, if present, pin cleanly against the demo. */
	char *project_specs = xstrdup(root);
	size_t n = strlen(project_specs);
	project_specs = xrealloc(project_specs, n + 32);
	strcpy(project_specs + n, "/specs/0.3.0.rel");
	if (access(project_specs, R_OK) == 0) {
		sh(tmp_root, "sh '%s/scripts/demo-repo.sh' project >/dev/null", root);
		char *pspec = tpath("project/specs/0.3.0.rel");
		c = compile_path(pspec, tpath("project"), false);
		cr_assert_null(find_diag(c, "W111"));
		cr_assert_null(find_diag(c, "E013"));
		cr_assert_null(find_diag(c, "E014"));
		cr_assert_null(find_diag(c, "E015"));
		cr_assert_eq(strlen(c->rel->target_id), 40);
		compile_free(c);
	}
	free(project_specs);
}

/* repository none: in a repository whose spec is modified, with revisions
 * that name nothing there, nothing is read: no E013, no W111, no ids. */
Test(git, repository_none_reads_no_repository)
{
	char *spec, *dir = repo_with_spec(&spec);
	sh(dir, "echo '# edit' >> specs/0.3.0.rel");
	struct compile *c = new_compile(spec, (struct meta_spec){ "1.21.11", "1.22.0", NULL });
	c->rel->no_repository = true;
	git_pin_release(c);
	cr_assert_eq(count_diags(c), 0);
	cr_assert_str_eq(c->rel->previous_id, "");
	cr_assert_str_eq(c->rel->target_id, "");
	cr_assert_str_eq(c->spec_relpath, spec);
	free_compile(c);

	/* what needs a repository is an error, with or without one */
	c = new_compile(spec, (struct meta_spec){ "1.21.11", "1.22.0", "main" });
	c->rel->no_repository = true;
	c->rel->changes_from_git = true;
	git_pin_release(c);
	cr_assert_eq(count_diags(c), 2);
	cr_assert_not_null(find_diag_msg(c, "E003", "branch needs a repository"));
	cr_assert_not_null(find_diag_msg(c, "E003", "changes from-git"));
	free_compile(c);
}
