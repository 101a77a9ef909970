/* Unit tests of util.c: arena, interning, buffers, UTF-8, atomic writes. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

Test(util, arena_zeroes_and_interns)
{
	struct arena *a = arena_new();
	char *p = arena_alloc(a, 100000);
	for (size_t i = 0; i < 100000; i++)
		cr_assert_eq(p[i], 0);
	const char *x = arena_intern(a, "hello", 5);
	const char *y = arena_intern(a, "hello world", 5);
	cr_assert_eq(x, y);
	cr_assert_neq(x, arena_intern(a, "hellp", 5));
	for (int i = 0; i < 5000; i++) {
		char name[32];
		int n = snprintf(name, sizeof name, "n%d", i);
		cr_assert_str_eq(arena_intern(a, name, (size_t)n), name);
	}
	cr_assert_eq(arena_intern(a, "n42", 3), arena_intern(a, "n42", 3));
	arena_free(a);
}

/* hash_bytes is 32-bit FNV-1a (the published test values); the seeded form
 * XORs the offset basis, as check_effects.c's key table hashed before it
 * used util's. */
Test(util, hash_is_fnv1a_and_seed_xors_the_basis)
{
	cr_assert_eq(hash_bytes("", 0), 0x811c9dc5u);
	cr_assert_eq(hash_bytes("a", 1), 0xe40c292cu);
	cr_assert_eq(hash_bytes("foobar", 6), 0xbf9cf968u);
	cr_assert_eq(hash_bytes_seeded(0, "foobar", 6), hash_bytes("foobar", 6));
	const char *obj = "/etc/bench-api/config.toml";
	for (uint32_t key = 0; key < 40; key++) {
		uint32_t h = 2166136261u ^ key;
		for (const unsigned char *p = (const unsigned char *)obj; *p; p++)
			h = (h ^ *p) * 16777619u;
		cr_assert_eq(hash_bytes_seeded(key, obj, strlen(obj)), h);
	}
	cr_assert_neq(hash_bytes_seeded(1, obj, strlen(obj)), hash_bytes(obj, strlen(obj)));
}

Test(util, buf_printf_grows)
{
	struct buf b;
	buf_init(&b);
	for (int i = 0; i < 1000; i++)
		buf_printf(&b, "%04d,", i);
	cr_assert_eq(b.len, 5000);
	cr_assert_eq(strncmp(b.data + 4995, "0999,", 5), 0);
	cr_assert_eq(b.data[b.len], '\0');
	buf_free(&b);
}

Test(util, utf8_validation)
{
	cr_assert_eq(utf8_valid_prefix("h\xc3\xa9llo", 6), 6);
	cr_assert_eq(utf8_valid_prefix("ab\xff", 3), 2);
	cr_assert_eq(utf8_valid_prefix("ab\xc3", 3), 2);          /* truncated */
	cr_assert_eq(utf8_valid_prefix("\xc0\x80", 2), 0);        /* overlong NUL */
	cr_assert_eq(utf8_valid_prefix("\xed\xa0\x80", 3), 0);    /* surrogate */
	cr_assert_eq(utf8_valid_prefix("\xf4\x90\x80\x80", 4), 0); /* > U+10FFFF */
	cr_assert_eq(utf8_valid_prefix("\xf0\x9f\x98\x80", 4), 4);
	cr_assert_eq(utf8_valid_prefix("a\0b", 3), 1);
}

Test(util, edit_distance)
{
	cr_assert_eq(edit_distance("backup", "backup", 3), 0);
	cr_assert_eq(edit_distance("BACKUP_PATH", "BACKUP_PAHT", 3), 2);
	cr_assert_eq(edit_distance("app", "ap", 3), 1);
	cr_assert_gt(edit_distance("release", "db", 2), 2);
}

Test(util, find_ci_finds_each_match_ignoring_case)
{
	const char *s = "run DROP table; then Drop it";
	size_t n = strlen(s);
	cr_assert_eq(find_ci(s, n, "drop", 0), 4);
	cr_assert_eq(find_ci(s, n, "drop", 5), 21);
	cr_assert_eq(find_ci(s, n, "drop", 22), n, "no match: len");
	cr_assert_eq(find_ci(s, n, "it", 0), 26, "a match that ends at len");
	cr_assert_eq(find_ci(s, 5, "drop", 0), 5, "the search stops at len");
	cr_assert_eq(find_ci(s, n, "", 3), 3);
}

Test(util, write_file_atomic_replaces_whole_or_nothing)
{
	char dir[] = "/tmp/relc-util-XXXXXX";
	cr_assert_not_null(mkdtemp(dir));
	char path[256];
	snprintf(path, sizeof path, "%s/out.txt", dir);
	cr_assert_eq(write_file_atomic(path, "first\n", 6, 0644), 0);
	cr_assert_eq(write_file_atomic(path, "second\n", 7, 0755), 0);
	char *text;
	size_t len;
	cr_assert_eq(read_file(path, 1 << 20, &text, &len), 0);
	cr_assert_eq(len, 7);
	cr_assert_str_eq(text, "second\n");
	free(text);
	struct stat st;
	cr_assert_eq(stat(path, &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0755);
	/* into a folder that does not exist: an error, nothing written */
	char bad[300];
	snprintf(bad, sizeof bad, "%s/missing/out.txt", dir);
	cr_assert_eq(write_file_atomic(bad, "x", 1, 0644), ENOENT);
	cr_assert_eq(read_file(dir, 100, &text, &len), EISDIR);
	unlink(path);
	rmdir(dir);
}
