/* Unit tests of confine.c: joining include paths as text, and judging a file
 * against the include roots before anything opens it. */
/* realpath(), mkdtemp() are XSI */
#define _XOPEN_SOURCE 700
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "confine.h"

static char dir[PATH_MAX + 8]; /* canonical scratch folder: the include root */
static char out[PATH_MAX];   /* a sibling folder outside it */

static void setup(void)
{
	char tmpl[] = "/tmp/relc-confine-XXXXXX";
	cr_assert_not_null(mkdtemp(tmpl));
	cr_assert_not_null(realpath(tmpl, out));
	snprintf(dir, sizeof dir, "%s/tree", out);
	cr_assert_eq(mkdir(dir, 0755), 0);
}

static void teardown(void)
{
	char cmd[PATH_MAX + 16];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", out);
	cr_assert_eq(system(cmd), 0);
}

static const char *at(const char *base, const char *name)
{
	static char p[4][2 * PATH_MAX + 16];
	static int k;
	k = (k + 1) % 4;
	snprintf(p[k], sizeof p[k], "%s/%s", base, name);
	return p[k];
}

static void put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	cr_assert_not_null(f, "%s", path);
	fputs(text, f);
	fclose(f);
}

static enum confine_verdict judge(const char *const *roots, size_t n, const char *path)
{
	struct confine_file f;
	int err = 0;
	enum confine_verdict v = confine_check(roots, n, path, &f, &err);
	if (v == CONFINE_OK)
		free(f.real);
	return v;
}

TestSuite(confine, .init = setup, .fini = teardown);

Test(confine, join_resolves_dots_as_text)
{
	static const struct { const char *dir, *rel, *want; } cases[] = {
		{"/r/specs", "a.rel", "/r/specs/a.rel"},
		{"/r/specs", "./sub//b.rel", "/r/specs/sub/b.rel"},
		{"/r/specs", "../shared.rel", "/r/shared.rel"},
		{"/r/specs", "../../../../etc/passwd", "/etc/passwd"},
		{"/r/specs", "/proc/self/environ", "/proc/self/environ"},
		{"/r/specs", "/a/../../b", "/b"},
		{"/", "..", "/"},
		{"/r", "x/..", "/r"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *got = confine_join(cases[i].dir, cases[i].rel);
		cr_expect_str_eq(got, cases[i].want, "%s + %s", cases[i].dir, cases[i].rel);
		free(got);
	}
}

Test(confine, inside_is_by_whole_path_components)
{
	cr_assert(confine_inside("/r/tree", "/r/tree/a.rel"));
	cr_assert(confine_inside("/r/tree/", "/r/tree/a/b.rel"));
	cr_assert(confine_inside("/r/tree", "/r/tree"));
	cr_assert(!confine_inside("/r/tree", "/r/tree2/a.rel"));
	cr_assert(!confine_inside("/r/tree", "/r/a.rel"));
	cr_assert(confine_inside("/", "/etc/passwd"));
}

Test(confine, files_in_the_tree_are_accepted_and_opened)
{
	const char *roots[] = {dir};
	cr_assert_eq(mkdir(at(dir, "sub"), 0755), 0);
	put(at(dir, "sub/a.rel"), "let a = 1\n");
	/* a symlink that stays inside is followed */
	cr_assert_eq(symlink("sub/a.rel", at(dir, "link.rel")), 0);
	struct confine_file f;
	int err = 0;
	cr_assert_eq(confine_check(roots, 1, at(dir, "link.rel"), &f, &err), CONFINE_OK);
	cr_assert_str_eq(f.real, at(dir, "sub/a.rel"));
	enum confine_verdict v;
	int fd = confine_open(&f, &v, &err);
	cr_assert_geq(fd, 0);
	cr_assert_eq(v, CONFINE_OK);
	close(fd);
	free(f.real);
}

Test(confine, escapes_are_refused_before_any_open)
{
	const char *roots[] = {dir};
	put(at(out, "secret.rel"), "SECRET\n");
	cr_assert_eq(judge(roots, 1, at(dir, "../secret.rel")), CONFINE_OUTSIDE);
	cr_assert_eq(judge(roots, 1, "/etc/passwd"), CONFINE_OUTSIDE);
	cr_assert_eq(symlink("../secret.rel", at(dir, "out.rel")), 0);
	cr_assert_eq(judge(roots, 1, at(dir, "out.rel")), CONFINE_LINK_OUT);
	/* a symlinked folder inside that points out */
	cr_assert_eq(symlink(out, at(dir, "up")), 0);
	cr_assert_eq(judge(roots, 1, at(dir, "up/secret.rel")), CONFINE_LINK_OUT);
	cr_assert_eq(symlink("/proc/self/environ", at(dir, "env.rel")), 0);
	cr_assert_eq(judge(roots, 1, at(dir, "env.rel")), CONFINE_LINK_OUT);
	/* a FIFO would block an open; it is judged by stat alone */
	cr_assert_eq(mkfifo(at(dir, "fifo.rel"), 0644), 0);
	cr_assert_eq(judge(roots, 1, at(dir, "fifo.rel")), CONFINE_FIFO);
	cr_assert_eq(judge(roots, 1, dir), CONFINE_DIR);
	int err = 0;
	struct confine_file f;
	cr_assert_eq(confine_check(roots, 1, at(dir, "none.rel"), &f, &err), CONFINE_ERRNO);
	cr_assert_eq(err, ENOENT);
}

Test(confine, devices_and_kernel_files_are_refused_even_inside_a_root)
{
	const char *all[] = {"/"};
	cr_assert_eq(judge(all, 1, "/dev/zero"), CONFINE_DEVICE);
	cr_assert_eq(judge(all, 1, "/proc/self/environ"), CONFINE_KERNEL);
	cr_assert_eq(judge(all, 1, "/proc/self/cmdline"), CONFINE_KERNEL);
}

Test(confine, a_file_replaced_after_the_check_is_not_read)
{
	const char *roots[] = {dir};
	put(at(dir, "a.rel"), "let a = 1\n");
	put(at(out, "secret.rel"), "SECRET\n");
	struct confine_file f;
	int err = 0;
	cr_assert_eq(confine_check(roots, 1, at(dir, "a.rel"), &f, &err), CONFINE_OK);
	/* swapped for a symlink out: O_NOFOLLOW refuses it */
	cr_assert_eq(unlink(at(dir, "a.rel")), 0);
	cr_assert_eq(symlink(at(out, "secret.rel"), at(dir, "a.rel")), 0);
	enum confine_verdict v;
	cr_assert_lt(confine_open(&f, &v, &err), 0);
	cr_assert_eq(v, CONFINE_CHANGED);
	/* swapped for another regular file: not the one that was checked */
	cr_assert_eq(unlink(at(dir, "a.rel")), 0);
	cr_assert_eq(link(at(out, "secret.rel"), at(dir, "a.rel")), 0);
	cr_assert_lt(confine_open(&f, &v, &err), 0);
	cr_assert_eq(v, CONFINE_CHANGED);
	free(f.real);
}

Test(confine, outputs_are_read_only_as_plain_regular_files)
{
	put(at(dir, "plan.md"), "# plan\n");
	put(at(out, "secret.rel"), "SECRET\n");
	char *text = NULL;
	size_t len = 0;
	int err = 0;
	cr_assert_eq(confine_read_plain(at(dir, "plan.md"), 100, &text, &len, &err), CONFINE_OK);
	cr_assert_str_eq(text, "# plan\n");
	free(text);
	cr_assert_eq(symlink(at(out, "secret.rel"), at(dir, "deploy.sh")), 0);
	cr_assert_eq(confine_read_plain(at(dir, "deploy.sh"), 100, &text, &len, &err),
	             CONFINE_SYMLINK);
	cr_assert_eq(mkfifo(at(dir, "rollback.sh"), 0644), 0);
	cr_assert_eq(confine_read_plain(at(dir, "rollback.sh"), 100, &text, &len, &err),
	             CONFINE_FIFO);
	cr_assert_eq(confine_read_plain("/dev/zero", 100, &text, &len, &err), CONFINE_DEVICE);
	cr_assert_eq(confine_read_plain("/proc/self/environ", 100, &text, &len, &err),
	             CONFINE_KERNEL);
}

Test(confine, reasons_name_the_roots_and_never_a_target)
{
	char *why = confine_reason(CONFINE_LINK_OUT, 0, "the repository's work tree");
	cr_assert_str_eq(why, "a symbolic link on its path leads out of the repository's work tree");
	free(why);
	why = confine_reason(CONFINE_ERRNO, ENOENT, "x");
	cr_assert_str_eq(why, strerror(ENOENT));
	free(why);
}
