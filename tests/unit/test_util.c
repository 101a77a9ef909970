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

Test(util, has_pair_finds_two_bytes_side_by_side)
{
	const char *s = "a < b <<EOF $x ${";
	size_t n = strlen(s);
	cr_assert(has_pair(s, n, '<', '<'));
	cr_assert(has_pair(s, n, '$', '{'), "a pair that ends at len");
	cr_assert_not(has_pair(s, n - 1, '$', '{'), "the search stops at len");
	cr_assert_not(has_pair(s, n, '{', '$'));
	cr_assert_not(has_pair("<", 1, '<', '<'));
	cr_assert_not(has_pair("", 0, '<', '<'));
	cr_assert(has_pair("<<", 2, '<', '<'));
}

static atomic_int slot_dropped;

static void slot_drop(void *v)
{
	(void)v;
	atomic_fetch_add(&slot_dropped, 1);
}

static struct thread_slot slot = THREAD_SLOT(slot_drop);

static void *slot_other_thread(void *arg)
{
	/* its own slot: empty, whatever the first thread keeps */
	*(void **)arg = thread_slot_take(&slot);
	cr_assert(thread_slot_keep(&slot, &slot), "kept until the thread ends");
	return NULL;
}

Test(util, thread_slot_keeps_one_value_a_thread)
{
	int a, b;
	cr_assert_null(thread_slot_take(&slot));
	cr_assert(thread_slot_keep(&slot, &a));
	cr_assert_not(thread_slot_keep(&slot, &b), "one value a thread");
	void *seen = &a;
	pthread_t t;
	cr_assert_eq(pthread_create(&t, NULL, slot_other_thread, &seen), 0);
	pthread_join(t, NULL);
	cr_assert_null(seen);
	cr_assert_eq(atomic_load(&slot_dropped), 1, "dropped when its thread ended");
	cr_assert_eq(thread_slot_take(&slot), &a);
	cr_assert_null(thread_slot_take(&slot), "taken out");
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

/* A file past the split size is read in two halves at once: every byte in
 * place, NUL-terminated, and the same as the whole read of a small file. */
Test(util, read_file_splits_a_big_file_and_keeps_every_byte)
{
	char dir[] = "/tmp/relc-util-XXXXXX";
	cr_assert_not_null(mkdtemp(dir));
	char path[256];
	snprintf(path, sizeof path, "%s/big.rel", dir);
	size_t n = ((size_t)9 << 20) + 12345; /* odd, so the halves differ */
	char *want = malloc(n);
	cr_assert_not_null(want);
	for (size_t i = 0; i < n; i++)
		want[i] = (char)('a' + (i * 7 + i / 4093) % 26);
	cr_assert_eq(write_file_atomic(path, want, n, 0644), 0);
	char *text;
	size_t len;
	cr_assert_eq(read_file(path, (size_t)1 << 28, &text, &len), 0);
	cr_assert_eq(len, n);
	cr_assert_eq(memcmp(text, want, n), 0);
	cr_assert_eq(text[n], '\0');
	free(text);
	/* over the limit: EFBIG, as for a small file */
	cr_assert_eq(read_file(path, (size_t)1 << 20, &text, &len), EFBIG);
	free(want);
	unlink(path);
	rmdir(dir);
}

/* Past 1 MiB an arena takes chunks mapped in huge pages; what it hands out
 * is still zeroed, separate and kept until the arena is freed, and a reset
 * arena starts from zeroed memory again. */
Test(util, arena_big_chunks_stay_zeroed_and_separate)
{
	struct arena *a = arena_new();
	enum { N = 40000, SZ = 400 }; /* 16 MB: small chunks, then big ones */
	unsigned char **p = malloc(N * sizeof *p);
	cr_assert_not_null(p);
	for (int i = 0; i < N; i++) {
		p[i] = arena_alloc(a, SZ);
		for (int k = 0; k < SZ; k++)
			cr_assert_eq(p[i][k], 0);
		memset(p[i], (unsigned char)i, SZ);
	}
	/* one allocation larger than a big chunk */
	unsigned char *huge = arena_alloc(a, (size_t)10 << 20);
	cr_assert_eq(huge[0], 0);
	cr_assert_eq(huge[((size_t)10 << 20) - 1], 0);
	for (int i = 0; i < N; i++)
		cr_assert_eq(p[i][SZ - 1], (unsigned char)i, "allocation %d was overwritten", i);
	struct arena *b = arena_new();
	for (int i = 0; i < 3000; i++)
		memset(arena_alloc(b, 1000), 0xab, 1000);
	arena_adopt(a, b); /* b's chunks now belong to a */
	arena_reset(a);
	for (int i = 0; i < 1000; i++) {
		unsigned char *q = arena_alloc(a, 1000);
		for (int k = 0; k < 1000; k++)
			cr_assert_eq(q[k], 0);
		memset(q, 0xcd, 1000);
	}
	arena_free(a);
	/* a freed small chunk is kept and handed out again zeroed */
	struct arena *c = arena_new();
	memset(arena_alloc(c, 5000), 0xee, 5000);
	arena_free(c);
	c = arena_new();
	unsigned char *r = arena_alloc(c, 5000);
	for (int k = 0; k < 5000; k++)
		cr_assert_eq(r[k], 0);
	arena_free(c);
	free(p);
}

/* A table made room for at once holds the same keys as one grown key by
 * key, and a big table (mapped on its own) comes zeroed. */
Test(util, name_map_reserve_and_big_tables)
{
	struct name_map m = { 0 };
	name_map_reserve(&m, 200000); /* 2^19 slots of 24 bytes: mapped */
	size_t cap = m.cap;
	cr_assert_geq(cap, 400000);
	static char names[200000][12];
	for (int i = 0; i < 200000; i++) {
		snprintf(names[i], sizeof names[i], "s%d", i);
		name_map_add(&m, names[i], names[i]);
	}
	cr_assert_eq(m.cap, cap, "no rehash after the reserve");
	cr_assert_eq(m.len, 200000);
	for (int i = 0; i < 200000; i += 997)
		cr_assert_eq(name_map_get(&m, names[i]), names[i]);
	cr_assert_null(name_map_get(&m, "s200000"));
	/* add: the first value stays, and says it was there */
	cr_assert_eq(name_map_add(&m, "s7", "other"), names[7]);
	cr_assert_eq(name_map_get(&m, "s7"), names[7]);
	cr_assert_null(name_map_add(&m, "new", "v"));
	cr_assert_str_eq(name_map_get(&m, "new"), "v");
	cr_assert_eq(m.len, 200001);
	/* at: the slot of a key there, or of one added with NULL */
	void **v = name_map_at(&m, "s9");
	cr_assert_eq(*v, names[9]);
	*v = "nine";
	cr_assert_str_eq(name_map_get(&m, "s9"), "nine");
	v = name_map_at(&m, "fresh");
	cr_assert_null(*v);
	cr_assert_eq(m.len, 200002);
	*v = "f";
	cr_assert_str_eq(name_map_get(&m, "fresh"), "f");
	/* the hashed add finds what the plain one filed */
	cr_assert_str_eq(name_map_add_hashed(&m, "fresh", hash_bytes("fresh", 5), "g"), "f");
	cr_assert_eq(m.len, 200002);
	name_map_free(&m);
	size_t n = (size_t)3 << 20;
	unsigned char *t = table_alloc(n, 1);
	for (size_t i = 0; i < n; i += 4096)
		cr_assert_eq(t[i], 0);
	t[n - 1] = 1;
	table_free(t, n, 1);
}
