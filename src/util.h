/* util.h - allocation, arenas, growable buffers: the one ownership model. */
#ifndef RELC_UTIL_H
#define RELC_UTIL_H

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RELC_VERSION_STRING "0.1.0"

#if defined(__GNUC__)
#define RELC_PRINTF(a, b) __attribute__((format(printf, a, b)))
#define RELC_NORETURN __attribute__((noreturn))
#else
#define RELC_PRINTF(a, b)
#define RELC_NORETURN
#endif

/* Allocation wrappers: on failure they report "out of memory" and exit 2,
 * after removing any temporary output file (see util_atexit_unlink). */
void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* A zeroed array for a hash table, or any array that will be filled whole,
 * freed with table_free and the same count and size; the caller sizes it
 * for what it will hold. One of 256 KiB or
 * more is mapped on its own, in huge pages where possible, its pages made at
 * once: a table that doubles is fresh memory each time, and small page
 * faults are costly on a virtual machine (docs/performance.md). */
void *table_alloc(size_t count, size_t size);
void table_free(void *p, size_t count, size_t size);
RELC_NORETURN void relc_oom(void);
/* Called by relc_oom before it exits, if set: it may only write(2). */
extern void (*relc_oom_hook)(void);

/* job_a(a) on this thread and job_b(b) on a thread of its own when split
 * (else, or when no thread can be had, after job_a here); returns when both
 * are done. The big-spec paths (reading, parsing, the effects pass and its
 * rollback walk) use it. */
void run_both(void *(*job_a)(void *), void *a, void *(*job_b)(void *), void *b,
              bool split);

/* One value a thread keeps between uses (the arenas' spare chunk, the
 * effects reader's scratch): take it out while using it, keep it after.
 * drop frees a value still kept when its thread ends. Define one with
 * `static struct thread_slot s = THREAD_SLOT(drop);`. */
struct thread_slot {
	void (*drop)(void *);
	pthread_mutex_t lock;
	atomic_int state;     /* 0 no key yet, 1 keyed, -1 no key to be had */
	pthread_key_t key;
};
#define THREAD_SLOT(drop) { (drop), PTHREAD_MUTEX_INITIALIZER, 0, 0 }
/* The thread's value, now out of the slot; NULL if it has none. */
void *thread_slot_take(struct thread_slot *s);
/* Keep v for the thread; false (v not kept) if it keeps one already. */
bool thread_slot_keep(struct thread_slot *s, void *v);

/* Remember a temporary file to remove if the process dies on out-of-memory. */
void util_track_tmpfile(const char *path);
void util_untrack_tmpfile(const char *path);

/* An arena: everything that lives as long as one compilation. */
struct arena;
struct arena *arena_new(void);
/* One that will hold megabytes (a piece of a big spec's model): mapped
 * chunks in huge pages from the first, not 64 KiB ones from malloc. */
struct arena *arena_new_big(void);
void arena_free(struct arena *a);
/* Forget everything allocated, keeping one chunk for what comes next. */
void arena_reset(struct arena *a);
/* Give src's memory to dst, to be freed with it, and free src itself.
 * Strings src interned stay valid but are not interned in dst. */
void arena_adopt(struct arena *dst, struct arena *src);
/* Give back the pages of a's newest chunk beyond what it holds, before a
 * phase that needs memory of its own: its last huge page is resident whole
 * (up to 2 MiB unused). Later allocations from a still work. */
void arena_trim(struct arena *a);
void *arena_alloc(struct arena *a, size_t n);            /* zeroed */
char *arena_strndup(struct arena *a, const char *s, size_t n);
/* n bytes, not cleared, with no alignment: for packed records, such as a
 * string with a header before it. */
void *arena_bytes(struct arena *a, size_t n);
/* A new array of cap elements of size each in a, the n first copied from
 * old: growing a list that lives in the arena (the old copy stays there).
 * The elements after n are not zeroed: the caller fills each as it adds it. */
void *arena_grow(struct arena *a, const void *old, size_t n, size_t cap, size_t size);
char *arena_strdup(struct arena *a, const char *s);
char *arena_printf(struct arena *a, const char *fmt, ...) RELC_PRINTF(2, 3);
/* Interned string: equal contents give the same pointer within the arena. */
const char *arena_intern(struct arena *a, const char *s, size_t n);
/* The hash every string table here uses (FNV-1a, 32 bits). */
uint32_t hash_bytes(const char *s, size_t n);
/* The same with the offset basis XORed with seed, for a table whose keys are
 * a small number and a string (hash_bytes is seed 0). */
uint32_t hash_bytes_seeded(uint32_t seed, const char *s, size_t n);

/* A growable byte buffer; data is always NUL-terminated. */
struct buf {
	char *data;
	size_t len;
	size_t cap;
};
void buf_init(struct buf *b);
void buf_free(struct buf *b);
/* Empty b, keeping its memory for what comes next. */
void buf_clear(struct buf *b);
void buf_reserve(struct buf *b, size_t extra);
void buf_add(struct buf *b, const char *s, size_t n);
void buf_puts(struct buf *b, const char *s);
void buf_putc(struct buf *b, char c);
void buf_printf(struct buf *b, const char *fmt, ...) RELC_PRINTF(2, 3);
void buf_vprintf(struct buf *b, const char *fmt, va_list ap) RELC_PRINTF(2, 0);
char *buf_steal(struct buf *b); /* returns data (malloc'd), resets b */

/* Read a whole file. Returns 0, or an errno value (EISDIR for a directory,
 * EFBIG beyond max bytes). *out is malloc'd and NUL-terminated. */
int read_file(const char *path, size_t max, char **out, size_t *len);
/* The same from an open descriptor, which the caller closes. */
int read_fd(int fd, size_t max, char **out, size_t *len);

/* Write data to path atomically: a temporary file in the same folder, fsync,
 * rename. Returns 0 or an errno value; the old file is untouched on error. */
int write_file_atomic(const char *path, const char *data, size_t len, int mode);

/* The two halves of write_file_atomic, so that several files can all be
 * written before any is put in place (a full disk then changes none). The
 * first writes and syncs a temporary file beside path and returns its name
 * in *tmp_out (malloc'd, removed on out-of-memory); nothing is left on error.
 * The second renames it to path, or removes it when path is NULL, and frees
 * tmp. Both return 0 or an errno value. */
int write_file_pending(const char *path, const char *data, size_t len, int mode,
                       char **tmp_out);
int commit_file_pending(char *tmp, const char *path);

/* Move path aside, within its folder, to a new temporary name returned in
 * *tmp_out (malloc'd; removed on out-of-memory, as write_file_pending's),
 * so that it can be deleted or put back in one step:
 * commit_file_pending(tmp, NULL) deletes it, commit_file_pending(tmp, path)
 * puts it back. Returns 0 or an errno value; path is untouched on error. */
int set_file_aside(const char *path, char **tmp_out);

/* Length of a valid UTF-8 prefix: returns the offset of the first bad byte
 * (or NUL byte), or len when all is valid. */
size_t utf8_valid_prefix(const char *s, size_t len);

/* A map from NUL-terminated names to pointers (open addressing). Keys are
 * not copied: they must outlive the map (arena strings). */
struct name_slot;
struct name_map {
	struct name_slot *slots;
	size_t cap, len;
};
void *name_map_get(const struct name_map *m, const char *key);
void *name_map_getn(const struct name_map *m, const char *key, size_t len); /* key need not end in NUL */
/* Add key -> val unless key is there: NULL when added, else the value it
 * has (left as it is). One lookup, where a get and then a store take two. */
void *name_map_add(struct name_map *m, const char *key, void *val);
/* The same, with key's hash given (hash_bytes over strlen(key) bytes). */
void *name_map_add_hashed(struct name_map *m, const char *key, uint32_t h, void *val);
/* Where key's value is, key added with NULL if it is not there: one lookup
 * for a read and a write. Good until the next key is added. */
void **name_map_at(struct name_map *m, const char *key);
/* Make room for n more keys at once: one table, not one per doubling. */
void name_map_reserve(struct name_map *m, size_t n);
void name_map_free(struct name_map *m);

/* Is s[0..n) one or more ASCII digits? */
bool all_digits(const char *s, size_t n);
/* Where needle first occurs in s[from..len), ignoring ASCII case; len when
 * it does not. The one search behind every "does this text mention" test. */
size_t find_ci(const char *s, size_t len, const char *needle, size_t from);

/* Does s[0..n) hold the two bytes a b side by side? The cheap test that
 * lets the shell scanners skip a text with no "<<" or "${" in it. */
bool has_pair(const char *s, size_t n, char a, char b);

/* A hint that p will be read soon (a cache miss started early). */
#if defined(__GNUC__)
#define prefetch(p) __builtin_prefetch(p)
#else
#define prefetch(p) ((void)(p))
#endif

/* Levenshtein distance, capped: for "did you mean" notes. */
int edit_distance(const char *a, const char *b, int cap);

#endif
