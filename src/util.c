/* util.c - allocation wrappers, the arena, buffers and small helpers. */
#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE /* MADV_HUGEPAGE */
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* Temporary output files to remove if we must exit on out-of-memory, so an
 * allocation failure never leaves a stray file beside the outputs. */
#define MAX_TMPFILES 8
static char tmpfiles[MAX_TMPFILES][PATH_MAX];

void util_track_tmpfile(const char *path)
{
	for (int i = 0; i < MAX_TMPFILES; i++) {
		if (!tmpfiles[i][0]) {
			snprintf(tmpfiles[i], sizeof tmpfiles[i], "%s", path);
			return;
		}
	}
}

void util_untrack_tmpfile(const char *path)
{
	for (int i = 0; i < MAX_TMPFILES; i++)
		if (strcmp(tmpfiles[i], path) == 0)
			tmpfiles[i][0] = '\0';
}

void (*relc_oom_hook)(void);

void relc_oom(void)
{
	for (int i = 0; i < MAX_TMPFILES; i++)
		if (tmpfiles[i][0])
			unlink(tmpfiles[i]);
	static const char msg[] = "relc: error: out of memory\n";
	if (write(2, msg, sizeof msg - 1) < 0) {
		/* nothing more we can do */
	}
	if (relc_oom_hook)
		relc_oom_hook();
	_exit(2);
}

/* A big allocation asks the kernel for 2 MiB pages. Its pages are touched
 * once each as a spec is read, and on a virtual machine a 4 KiB page fault
 * costs microseconds: a 100 000-step spec spent a third of its time in them
 * (docs/performance.md). Only the 2 MiB-aligned ranges inside [p, p+n) can
 * become huge pages; the advice is a hint, and its failure changes nothing. */
#define HUGE_PAGE ((size_t)2 << 20)
/* From this size on a malloc'd block is advised: one that may hold no whole
 * aligned huge page is not worth the call. */
#define HUGE_MIN (2 * HUGE_PAGE)

/* Advise the huge pages inside [p, p+n) when n is at least min. */
static void *advise_huge_from(void *p, size_t n, size_t min)
{
#ifdef MADV_HUGEPAGE
	if (p && n >= min && n >= HUGE_PAGE) {
		uintptr_t lo = ((uintptr_t)p + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1);
		uintptr_t hi = ((uintptr_t)p + n) & ~(uintptr_t)(HUGE_PAGE - 1);
		if (hi > lo)
			(void)madvise((void *)lo, hi - lo, MADV_HUGEPAGE);
	}
#endif
	return p;
}

static void *advise_huge(void *p, size_t n)
{
	return advise_huge_from(p, n, HUGE_MIN);
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		relc_oom();
	return advise_huge(p, n);
}

void *xcalloc(size_t count, size_t size)
{
	void *p = calloc(count ? count : 1, size ? size : 1);
	if (!p)
		relc_oom();
	/* calloc of a fresh mapping does not touch its pages: advice still helps */
	return advise_huge(p, count * size);
}

void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		relc_oom();
	return advise_huge(q, n);
}

/* A big mapping on 2 MiB boundaries, zeroed, in huge pages where the kernel
 * gives them: malloc would start it at a 4 KiB boundary and leave up to
 * 2 MiB at each end in small pages. Its whole huge pages are advised from
 * the first (a table of 3 MiB took 768 small-page faults, each of which
 * costs microseconds on this kind of machine); its tail stays small. */
static void *map_aligned(size_t total)
{
	char *p = mmap(NULL, total + HUGE_PAGE, PROT_READ | PROT_WRITE,
	               MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		relc_oom();
	char *at = (char *)(((uintptr_t)p + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1));
	if (at > p)
		munmap(p, (size_t)(at - p));
	if (p + HUGE_PAGE > at)
		munmap(at + total, (size_t)(p + HUGE_PAGE - at));
	return advise_huge_from(at, total, HUGE_PAGE);
}

/* n rounded up to whole small pages. */
static uintptr_t page_up(uintptr_t n)
{
	uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
	return (n + page - 1) & ~(page - 1);
}

/* From this size on a table is mapped, and its pages made at once. */
#define TABLE_MAP_MIN ((size_t)256 << 10)

/* A table's mapping is rounded to small pages only: its last, partial huge
 * page would be resident whole, up to 2 MiB it does not use. */
static size_t table_mapped(size_t n)
{
	return n >= TABLE_MAP_MIN ? (size_t)page_up(n) : 0;
}

void *table_alloc(size_t count, size_t size)
{
	if (size && count > SIZE_MAX / size)
		relc_oom();
	size_t mapped = table_mapped(count * size);
	if (!mapped)
		return xcalloc(count, size);
	void *p = map_aligned(mapped);
	/* A hash table is filled all over (every user sizes it for what it
	 * will hold): its pages are made in one call, not a fault at a time,
	 * and not twice where a probe reads a page before it is written (a
	 * small-page fault costs about 12 us on this kind of machine). Where
	 * the kernel cannot (before Linux 5.14), they fault as before. */
#ifdef MADV_POPULATE_WRITE
	(void)madvise(p, mapped, MADV_POPULATE_WRITE);
#endif
	return p;
}

void table_free(void *p, size_t count, size_t size)
{
	size_t mapped = table_mapped(count * size);
	if (p && mapped)
		munmap(p, mapped);
	else
		free(p);
}

char *xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

/* ---- arena ---- */

struct chunk {
	struct chunk *next;
	size_t used, size;
	size_t mapped;   /* bytes mapped by chunk_map, 0 if from malloc */
	max_align_t data[];
};

struct intern_entry {
	const char *s;
	size_t len;
	uint32_t hash;
};

/* Chunks are 64 KiB from malloc while an arena is small (most specs), then
 * 8 MiB mapped in huge pages (chunk_map): a 100 000-step spec's model is
 * ~100 MB. */
#define CHUNK_SMALL ((size_t)65536)
#define CHUNK_BIG ((size_t)8 << 20)
#define ARENA_GROWN ((size_t)1 << 20)

struct arena {
	struct chunk *head;
	size_t taken;   /* bytes of chunks allocated so far */
	bool big;       /* big chunks from the first (arena_new_big) */
	struct intern_entry *tab;
	size_t tab_cap, tab_len;
};

/* A big chunk is mapped whole on 2 MiB boundaries (map_aligned). */
static struct chunk *chunk_map(size_t size)
{
	size_t total = (sizeof(struct chunk) + size + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
	struct chunk *c = map_aligned(total);
	c->size = total - sizeof *c;
	c->mapped = total;
	return c;
}

/* Give back the pages of a mapped chunk beyond what it holds: the huge page
 * its end falls in was made resident whole. A page given back reads as
 * zeros if it is allocated from again, as arena_take expects. */
static void chunk_trim(struct chunk *c)
{
	if (!c->mapped)
		return;
	uintptr_t from = page_up((uintptr_t)c->data + c->used);
	uintptr_t to = (uintptr_t)c + c->mapped;
	if (to > from)
		(void)madvise((void *)from, to - from, MADV_DONTNEED);
}

static bool spare_keep(struct chunk *c);

static void chunk_free(struct chunk *c)
{
	if (c->mapped)
		munmap(c, c->mapped);
	else if (!spare_keep(c))
		free(c);
}

/* The key is made on first use, once, whichever thread comes first. */
static bool slot_keyed(struct thread_slot *s)
{
	int st = atomic_load_explicit(&s->state, memory_order_acquire);
	if (st == 0) {
		pthread_mutex_lock(&s->lock);
		st = atomic_load_explicit(&s->state, memory_order_relaxed);
		if (st == 0) {
			st = pthread_key_create(&s->key, s->drop) == 0 ? 1 : -1;
			atomic_store_explicit(&s->state, st, memory_order_release);
		}
		pthread_mutex_unlock(&s->lock);
	}
	return st == 1;
}

void *thread_slot_take(struct thread_slot *s)
{
	if (!slot_keyed(s))
		return NULL;
	void *v = pthread_getspecific(s->key);
	if (v)
		pthread_setspecific(s->key, NULL);
	return v;
}

bool thread_slot_keep(struct thread_slot *s, void *v)
{
	return slot_keyed(s) && !pthread_getspecific(s->key) &&
	       pthread_setspecific(s->key, v) == 0;
}

/* One small chunk a thread keeps when an arena is freed: the checks make and
 * free an arena per block and per command, and giving 64 KiB back to malloc
 * each time made it consolidate its free lists (3 % of a big spec's time). */
static struct thread_slot spare = THREAD_SLOT(free);

static struct chunk *spare_take(void)
{
	return thread_slot_take(&spare);
}

/* Keep c as the thread's spare if it is a small chunk and there is none. */
static bool spare_keep(struct chunk *c)
{
	return c->size == CHUNK_SMALL && thread_slot_keep(&spare, c);
}

struct arena *arena_new(void)
{
	return xcalloc(1, sizeof(struct arena));
}

struct arena *arena_new_big(void)
{
	struct arena *a = arena_new();
	a->big = true;
	return a;
}

void arena_free(struct arena *a)
{
	if (!a)
		return;
	struct chunk *c = a->head;
	while (c) {
		struct chunk *n = c->next;
		chunk_free(c);
		c = n;
	}
	table_free(a->tab, a->tab_cap, sizeof *a->tab);
	free(a);
}

void arena_reset(struct arena *a)
{
	struct chunk *keep = a->head;
	/* not a one-off big chunk (not worth keeping), nor a mapped one
	 * (arena_take takes what lies past its end for zeros) */
	if (keep && (keep->size > CHUNK_SMALL || keep->mapped))
		keep = NULL;
	struct chunk *c = a->head;
	while (c) {
		struct chunk *n = c->next;
		if (c != keep)
			chunk_free(c);
		c = n;
	}
	a->head = keep;
	a->taken = keep ? keep->size : 0;
	if (keep) {
		keep->next = NULL;
		keep->used = 0;
	}
	table_free(a->tab, a->tab_cap, sizeof *a->tab);
	a->tab = NULL;
	a->tab_cap = a->tab_len = 0;
}

void arena_trim(struct arena *a)
{
	if (a && a->head)
		chunk_trim(a->head);
}

void arena_adopt(struct arena *dst, struct arena *src)
{
	if (!src)
		return;
	struct chunk *c = src->head;
	while (c) {
		struct chunk *n = c->next;
		chunk_trim(c);
		/* behind dst's head, which keeps its room for what comes next */
		if (dst->head) {
			c->next = dst->head->next;
			dst->head->next = c;
		} else {
			c->next = NULL;
			dst->head = c;
		}
		c = n;
	}
	dst->taken += src->taken;
	table_free(src->tab, src->tab_cap, sizeof *src->tab);
	free(src);
}

/* n bytes at a multiple of align (a power of two) from the head chunk, or
 * from a new one; not zeroed, but *zero says whether they are zero already
 * (zero may be NULL). They are in a mapped chunk: its used end only grows
 * (arena_reset keeps no big chunk), so what lies past it is the kernel's
 * zeros, or pages chunk_trim gave back. */
static void *arena_take(struct arena *a, size_t n, size_t align, bool *zero)
{
	struct chunk *c = a->head;
	size_t at = c ? (c->used + align - 1) & ~(align - 1) : 0;
	if (!c || at > c->size || c->size - at < n) {
		size_t room = a->big || a->taken >= ARENA_GROWN ? CHUNK_BIG - sizeof *c : CHUNK_SMALL;
		size_t size = n > room ? n : room;
		if (room != CHUNK_SMALL) {
			c = chunk_map(size);
		} else {
			c = size == CHUNK_SMALL ? spare_take() : NULL;
			if (!c)
				c = xmalloc(sizeof *c + size);
			c->size = size;
			c->mapped = 0;
		}
		a->taken += c->size;
		at = 0;
		/* A big one-off block goes behind the head so the head keeps its room. */
		if (a->head && n > room) {
			c->next = a->head->next;
			a->head->next = c;
		} else {
			c->next = a->head;
			a->head = c;
		}
	}
	c->used = at + n;
	if (zero)
		*zero = c->mapped != 0;
	return (char *)c->data + at;
}

/* Every arena record is pointers, sizes and 64-bit integers (no long double,
 * no vector types): aligning to 8 instead of max_align_t's 16 stops a 56- or
 * 120-byte node being padded to 64 or 128. */
#define ARENA_ALIGN 8
_Static_assert(ARENA_ALIGN >= _Alignof(void *) && ARENA_ALIGN >= _Alignof(int64_t) &&
               ARENA_ALIGN >= _Alignof(double), "arena alignment too small");

void *arena_alloc(struct arena *a, size_t n)
{
	if (n == 0)
		n = 1;
	bool zero;
	void *p = arena_take(a, n, ARENA_ALIGN, &zero);
	if (!zero) /* a big spec's model is new memory, zero already */
		memset(p, 0, n);
	return p;
}

void *arena_grow(struct arena *a, const void *old, size_t n, size_t cap, size_t size)
{
	if (size && cap > SIZE_MAX / size)
		relc_oom();
	void *p = arena_take(a, cap ? cap * size : 1, ARENA_ALIGN, NULL);
	if (n)
		memcpy(p, old, n * size);
	return p;
}

char *arena_strndup(struct arena *a, const char *s, size_t n)
{
	/* strings need no alignment: packing them saves a third of a spec's
	 * short words */
	char *p = arena_take(a, n + 1, 1, NULL);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

void *arena_bytes(struct arena *a, size_t n)
{
	return arena_take(a, n ? n : 1, 1, NULL);
}

char *arena_strdup(struct arena *a, const char *s)
{
	return arena_strndup(a, s, strlen(s));
}

char *arena_printf(struct arena *a, const char *fmt, ...)
{
	struct buf b;
	va_list ap;
	buf_init(&b);
	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	char *p = arena_strndup(a, b.data, b.len);
	buf_free(&b);
	return p;
}

uint32_t hash_bytes(const char *s, size_t n)
{
	return hash_bytes_seeded(0, s, n);
}

uint32_t hash_bytes_seeded(uint32_t seed, const char *s, size_t n)
{
	uint32_t h = 2166136261u ^ seed;
	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 16777619u;
	}
	return h;
}

const char *arena_intern(struct arena *a, const char *s, size_t n)
{
	uint32_t h = hash_bytes(s, n);
	if (a->tab_len * 2 >= a->tab_cap) {
		size_t ncap = a->tab_cap ? a->tab_cap * 2 : 64;
		struct intern_entry *nt = table_alloc(ncap, sizeof *nt);
		for (size_t i = 0; i < a->tab_cap; i++) {
			if (!a->tab[i].s)
				continue;
			size_t j = a->tab[i].hash & (ncap - 1);
			while (nt[j].s)
				j = (j + 1) & (ncap - 1);
			nt[j] = a->tab[i];
		}
		table_free(a->tab, a->tab_cap, sizeof *a->tab);
		a->tab = nt;
		a->tab_cap = ncap;
	}
	size_t j = h & (a->tab_cap - 1);
	while (a->tab[j].s) {
		if (a->tab[j].hash == h && a->tab[j].len == n &&
		    memcmp(a->tab[j].s, s, n) == 0)
			return a->tab[j].s;
		j = (j + 1) & (a->tab_cap - 1);
	}
	a->tab[j].s = arena_strndup(a, s, n);
	a->tab[j].len = n;
	a->tab[j].hash = h;
	a->tab_len++;
	return a->tab[j].s;
}

/* ---- buffers ---- */

void buf_init(struct buf *b)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	buf_reserve(b, 0);
}

void buf_free(struct buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

void buf_clear(struct buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

void buf_reserve(struct buf *b, size_t extra)
{
	if (b->data && b->len + extra + 1 <= b->cap)
		return;
	size_t ncap = b->cap ? b->cap : 64;
	while (ncap < b->len + extra + 1)
		ncap *= 2;
	b->data = xrealloc(b->data, ncap);
	b->cap = ncap;
	b->data[b->len] = '\0';
}

void buf_add(struct buf *b, const char *s, size_t n)
{
	if (!b->data || b->len + n + 1 > b->cap)
		buf_reserve(b, n);
	memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void buf_puts(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

void buf_putc(struct buf *b, char c)
{
	/* the shell and string decoders add a byte at a time */
	if (b->data && b->len + 2 <= b->cap) {
		b->data[b->len++] = c;
		b->data[b->len] = '\0';
		return;
	}
	buf_add(b, &c, 1);
}

void buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
	/* try the room there is first; grow and print again only if it was short */
	buf_reserve(b, 0);
	size_t room = b->cap - b->len;
	va_list ap2;
	va_copy(ap2, ap);
	int n = vsnprintf(b->data + b->len, room, fmt, ap2);
	va_end(ap2);
	if (n < 0) {
		b->data[b->len] = '\0';
		return;
	}
	if ((size_t)n >= room) {
		buf_reserve(b, (size_t)n);
		vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	}
	b->len += (size_t)n;
}

void buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	buf_vprintf(b, fmt, ap);
	va_end(ap);
}

char *buf_steal(struct buf *b)
{
	char *p = b->data;
	b->data = NULL;
	b->len = b->cap = 0;
	return p;
}

/* ---- files ---- */

int read_file(const char *path, size_t max, char **out, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno;
	int e = read_fd(fd, max, out, len);
	close(fd);
	return e;
}

void run_both(void *(*job_a)(void *), void *a, void *(*job_b)(void *), void *b,
              bool split)
{
	pthread_t t;
	bool threaded = split && pthread_create(&t, NULL, job_b, b) == 0;
	job_a(a);
	if (threaded)
		pthread_join(t, NULL);
	else
		job_b(b); /* no thread asked for, or none to be had */
}

/* One half of a file read with pread: [off, off + n) into p. */
struct pread_part {
	int fd;
	char *p;
	size_t n, got;
	off_t off;
	int err;
};

/* got says how much came (short if the file shrank meanwhile), err the
 * errno of a failed read (0 if none). */
static void *pread_part(void *arg)
{
	struct pread_part *r = arg;
	while (r->got < r->n) {
		ssize_t k = pread(r->fd, r->p + r->got, r->n - r->got, r->off + (off_t)r->got);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			r->err = errno;
			break;
		}
		if (k == 0)
			break;
		r->got += (size_t)k;
	}
	return NULL;
}

/* A big regular file is read in two halves at once: the copy and the first
 * touch of its pages are a tenth of a big spec's check, before anything
 * else can start. Either half short (the file shrank) or an error: false,
 * and the caller reads it again from the start, one read at a time. */
#define READ_SPLIT_MIN ((size_t)8 << 20)

static bool read_halves(int fd, char *p, size_t size)
{
	size_t half = size / 2;
	struct pread_part h[2] = {
		{ fd, p, half, 0, 0, 0 },
		{ fd, p + half, size - half, 0, (off_t)half, 0 },
	};
	run_both(pread_part, &h[0], pread_part, &h[1], true);
	return !h[0].err && !h[1].err && h[0].got == h[0].n && h[1].got == h[1].n;
}

int read_fd(int fd, size_t max, char **out, size_t *len)
{
	struct stat st;
	if (fstat(fd, &st) != 0)
		return errno;
	if (S_ISDIR(st.st_mode))
		return EISDIR;
	struct buf b;
	buf_init(&b);
	/* a regular file's size up front: the text is kept while it is checked,
	 * so doubling past it would cost up to its size again */
	if (S_ISREG(st.st_mode) && st.st_size > 0 && (uintmax_t)st.st_size <= max) {
		b.cap = (size_t)st.st_size + 2; /* +1 for the NUL, +1 to see the end */
		b.data = xrealloc(b.data, b.cap);
		b.data[0] = '\0';
		off_t at = lseek(fd, 0, SEEK_CUR);
		if (at == 0 && (size_t)st.st_size >= READ_SPLIT_MIN &&
		    read_halves(fd, b.data, (size_t)st.st_size) &&
		    lseek(fd, st.st_size, SEEK_SET) == st.st_size) {
			b.len = (size_t)st.st_size; /* the loop below sees whether it grew */
			b.data[b.len] = '\0';
		}
	}
	for (;;) {
		if (b.cap - b.len < 2)
			buf_reserve(&b, 65536);
		ssize_t n = read(fd, b.data + b.len, b.cap - b.len - 1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			int e = errno;
			buf_free(&b);
			return e;
		}
		if (n == 0)
			break;
		b.len += (size_t)n;
		b.data[b.len] = '\0';
		if (b.len > max) {
			buf_free(&b);
			return EFBIG;
		}
	}
	*len = b.len;
	*out = buf_steal(&b);
	return 0;
}

/* A new empty file named PATH.tmpXXXXXX beside PATH (same folder, so a
 * rename onto PATH is atomic), tracked for removal at exit. Returns its
 * name and open descriptor, or NULL with *err set. */
static char *tmp_beside(const char *path, int *fd_out, int *err)
{
	size_t plen = strlen(path);
	char *tmp = xmalloc(plen + 16);
	snprintf(tmp, plen + 16, "%s.tmpXXXXXX", path);
	int fd = mkstemp(tmp);
	if (fd < 0) {
		*err = errno;
		free(tmp);
		return NULL;
	}
	util_track_tmpfile(tmp);
	*fd_out = fd;
	return tmp;
}

int write_file_pending(const char *path, const char *data, size_t len, int mode,
                       char **tmp_out)
{
	int fd;
	int err = 0;
	char *tmp = tmp_beside(path, &fd, &err);
	if (!tmp)
		return err;
	size_t off = 0;
	while (off < len) {
		ssize_t n = write(fd, data + off, len - off);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			err = errno;
			break;
		}
		off += (size_t)n;
	}
	if (!err && fchmod(fd, (mode_t)mode) != 0)
		err = errno;
	if (!err && fsync(fd) != 0)
		err = errno;
	if (close(fd) != 0 && !err)
		err = errno;
	if (err) {
		unlink(tmp);
		util_untrack_tmpfile(tmp);
		free(tmp);
		return err;
	}
	*tmp_out = tmp;
	return 0;
}

int commit_file_pending(char *tmp, const char *path)
{
	int err = 0;
	if (path && rename(tmp, path) != 0)
		err = errno;
	if (!path || err)
		unlink(tmp);
	util_untrack_tmpfile(tmp);
	free(tmp);
	return err;
}

int set_file_aside(const char *path, char **tmp_out)
{
	/* the temporary reserves a name no other file has; the rename replaces it */
	int fd;
	int err = 0;
	char *tmp = tmp_beside(path, &fd, &err);
	if (!tmp)
		return err;
	close(fd);
	if (rename(path, tmp) != 0) {
		err = errno;
		unlink(tmp);
		util_untrack_tmpfile(tmp);
		free(tmp);
		return err;
	}
	*tmp_out = tmp;
	return 0;
}

int write_file_atomic(const char *path, const char *data, size_t len, int mode)
{
	char *tmp;
	int err = write_file_pending(path, data, len, mode, &tmp);
	return err ? err : commit_file_pending(tmp, path);
}

size_t utf8_valid_prefix(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	const uint64_t high = 0x8080808080808080u, ones = 0x0101010101010101u;
	size_t i = 0;
	while (i < len) {
		/* Eight bytes at a time while they are ASCII and not NUL: most
		 * text is, and this runs over whole specs. */
		while (len - i >= 8) {
			uint64_t w;
			memcpy(&w, p + i, 8);
			if ((w & high) || ((w - ones) & ~w & high))
				break;
			i += 8;
		}
		if (i == len)
			break;
		unsigned c = p[i];
		if (c == 0)
			return i;
		if (c < 0x80) {
			i++;
			continue;
		}
		size_t n;
		unsigned min;
		if (c >= 0xc2 && c <= 0xdf) {
			n = 1;
			min = 0x80;
		} else if (c >= 0xe0 && c <= 0xef) {
			n = 2;
			min = 0x800;
		} else if (c >= 0xf0 && c <= 0xf4) {
			n = 3;
			min = 0x10000;
		} else {
			return i;
		}
		if (i + n >= len)
			return i;
		unsigned cp = c & (0x3f >> n);
		for (size_t k = 1; k <= n; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				return i;
			cp = (cp << 6) | (p[i + k] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return i;
		i += n + 1;
	}
	return len;
}

int edit_distance(const char *a, const char *b, int cap)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la > 64 || lb > 64)
		return cap + 1;
	int row[65];
	for (size_t j = 0; j <= lb; j++)
		row[j] = (int)j;
	for (size_t i = 1; i <= la; i++) {
		int prev = row[0];
		row[0] = (int)i;
		int best = row[0];
		for (size_t j = 1; j <= lb; j++) {
			int cur = row[j];
			int cost = a[i - 1] == b[j - 1] ? 0 : 1;
			int v = prev + cost;
			if (row[j] + 1 < v)
				v = row[j] + 1;
			if (row[j - 1] + 1 < v)
				v = row[j - 1] + 1;
			row[j] = v;
			prev = cur;
			if (v < best)
				best = v;
		}
		if (best > cap)
			return cap + 1;
	}
	return row[lb];
}

/* ---- name maps ---- */

/* A slot keeps its key's hash: a probe compares hashes before bytes, and
 * growing the map does not read every key again (big maps miss the cache). */
struct name_slot {
	const char *key;
	void *val;
	uint32_t hash;
};

void *name_map_getn(const struct name_map *m, const char *key, size_t len)
{
	if (!m->cap)
		return NULL;
	uint32_t h = hash_bytes(key, len);
	for (size_t i = h & (m->cap - 1); m->slots[i].key; i = (i + 1) & (m->cap - 1)) {
		const struct name_slot *sl = &m->slots[i];
		if (sl->hash == h && strnlen(sl->key, len + 1) == len && memcmp(sl->key, key, len) == 0)
			return sl->val;
	}
	return NULL;
}

void *name_map_get(const struct name_map *m, const char *key)
{
	return name_map_getn(m, key, strlen(key));
}

/* Room for n more keys (at most half full), rehashing what is there. */
void name_map_reserve(struct name_map *m, size_t n)
{
	if ((m->len + n) * 2 <= m->cap)
		return;
	size_t ncap = m->cap ? m->cap : 32;
	while ((m->len + n) * 2 > ncap)
		ncap *= 2;
	struct name_slot *ns = table_alloc(ncap, sizeof *ns);
	for (size_t i = 0; i < m->cap; i++) {
		if (!m->slots[i].key)
			continue;
		size_t j = m->slots[i].hash & (ncap - 1);
		while (ns[j].key)
			j = (j + 1) & (ncap - 1);
		ns[j] = m->slots[i];
	}
	table_free(m->slots, m->cap, sizeof *m->slots);
	m->slots = ns;
	m->cap = ncap;
}

/* The slot of key: where it is, or the empty one where it would go. */
static size_t name_slot_of(const struct name_map *m, const char *key, uint32_t h)
{
	size_t i = h & (m->cap - 1);
	for (; m->slots[i].key; i = (i + 1) & (m->cap - 1))
		if (m->slots[i].hash == h && strcmp(m->slots[i].key, key) == 0)
			break;
	return i;
}

void **name_map_at(struct name_map *m, const char *key)
{
	name_map_reserve(m, 1);
	uint32_t h = hash_bytes(key, strlen(key));
	size_t i = name_slot_of(m, key, h);
	if (!m->slots[i].key) {
		m->slots[i] = (struct name_slot){ key, NULL, h };
		m->len++;
	}
	return &m->slots[i].val;
}

void *name_map_add(struct name_map *m, const char *key, void *val)
{
	return name_map_add_hashed(m, key, hash_bytes(key, strlen(key)), val);
}

void *name_map_add_hashed(struct name_map *m, const char *key, uint32_t h, void *val)
{
	name_map_reserve(m, 1);
	size_t i = name_slot_of(m, key, h);
	if (m->slots[i].key)
		return m->slots[i].val;
	m->slots[i] = (struct name_slot){ key, val, h };
	m->len++;
	return NULL;
}

void name_map_free(struct name_map *m)
{
	table_free(m->slots, m->cap, sizeof *m->slots);
	m->slots = NULL;
	m->cap = m->len = 0;
}

bool all_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return n > 0;
}

bool has_pair(const char *s, size_t n, char a, char b)
{
	const char *end = s + n;
	for (const char *p = s; n > 1 && (p = memchr(p, a, (size_t)(end - p - 1))); p++)
		if (p[1] == b)
			return true;
	return false;
}

size_t find_ci(const char *s, size_t len, const char *needle, size_t from)
{
	size_t nl = strlen(needle);
	if (nl == 0)
		return from <= len ? from : len;
	if (from > len || nl > len - from)
		return len;
	/* Candidates are where the first byte occurs in either case; memchr
	 * finds them much faster than a loop over every byte. */
	int lo = tolower((unsigned char)needle[0]), up = toupper((unsigned char)needle[0]);
	const char *end = s + (len - nl) + 1, *p = s + from;
	const char *next_lo = NULL, *next_up = lo == up ? end : NULL;
	while (p < end) {
		if (!next_lo || next_lo < p) {
			next_lo = memchr(p, lo, (size_t)(end - p));
			if (!next_lo)
				next_lo = end;
		}
		if (!next_up || next_up < p) {
			next_up = memchr(p, up, (size_t)(end - p));
			if (!next_up)
				next_up = end;
		}
		const char *q = next_lo < next_up ? next_lo : next_up;
		if (q == end)
			break;
		if (strncasecmp(q, needle, nl) == 0)
			return (size_t)(q - s);
		p = q + 1;
	}
	return len;
}
