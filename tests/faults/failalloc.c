/* failalloc.c - LD_PRELOAD shim that makes one allocation fail.
 *
 *   FAILALLOC_N=K        fail the K-th malloc/calloc/realloc call counted
 *                        from the start of main() (1-based); 0 or unset
 *                        fails nothing
 *   FAILALLOC_COUNT=F    at exit, write the number of calls counted to F
 *   FAILALLOC_SKIP=A:B   do not count calls made while code of a shared
 *                        object whose path contains A or B is on the stack
 *                        (a library known to crash on a failed allocation,
 *                        directly or through the C library)
 *
 * Allocations before main() (the dynamic loader, library constructors) are
 * not counted: failing them tests the C library, not relc. The shim sits on
 * glibc's own allocator (__libc_malloc and friends), so free() needs no
 * wrapper and dlsym's own allocations cannot recurse into it. After the one
 * failure, later calls succeed again, as they would once memory is freed. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <execinfo.h>
#include <link.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void *__libc_malloc(size_t n);
void *__libc_calloc(size_t count, size_t size);
void *__libc_realloc(void *p, size_t n);

static int armed;
static unsigned long fail_at;
static unsigned long calls;
static char skip[512];
static int busy;

/* The loaded segments of the objects named in FAILALLOC_SKIP. */
#define MAX_RANGES 64
static struct { uintptr_t lo, hi; } ranges[MAX_RANGES];
static int nranges;

static int named_in_skip(const char *path)
{
	for (const char *p = skip; *p;) {
		size_t n = strcspn(p, ":");
		if (n && n < 128) {
			char name[128];
			memcpy(name, p, n);
			name[n] = '\0';
			if (strstr(path, name))
				return 1;
		}
		p += n;
		if (*p == ':')
			p++;
	}
	return 0;
}

static int add_ranges(struct dl_phdr_info *info, size_t size, void *data)
{
	(void)size;
	(void)data;
	if (!info->dlpi_name || !named_in_skip(info->dlpi_name))
		return 0;
	for (int i = 0; i < info->dlpi_phnum && nranges < MAX_RANGES; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		if (ph->p_type != PT_LOAD)
			continue;
		ranges[nranges].lo = info->dlpi_addr + ph->p_vaddr;
		ranges[nranges].hi = ranges[nranges].lo + ph->p_memsz;
		nranges++;
	}
	return 0;
}

/* True when code of a skipped object is among the callers. */
static int skipped_caller(void)
{
	if (!nranges)
		return 0;
	void *frames[64];
	int n = backtrace(frames, 64);
	for (int i = 0; i < n; i++)
		for (int r = 0; r < nranges; r++)
			if ((uintptr_t)frames[i] >= ranges[r].lo && (uintptr_t)frames[i] < ranges[r].hi)
				return 1;
	return 0;
}

/* True when this call is the one to fail. */
static int fail_now(void)
{
	if (!armed || busy)
		return 0;
	busy = 1;
	int skipped = skipped_caller();
	busy = 0;
	if (skipped)
		return 0;
	calls++;
	return fail_at && calls == fail_at;
}

void *malloc(size_t n)
{
	if (fail_now()) {
		errno = ENOMEM;
		return NULL;
	}
	return __libc_malloc(n);
}

void *calloc(size_t count, size_t size)
{
	if (fail_now()) {
		errno = ENOMEM;
		return NULL;
	}
	return __libc_calloc(count, size);
}

void *realloc(void *p, size_t n)
{
	/* realloc(p, 0) frees; failing it would not be an allocation failure. */
	if (n && fail_now()) {
		errno = ENOMEM;
		return NULL;
	}
	return __libc_realloc(p, n);
}

static void write_count(void)
{
	const char *f = getenv("FAILALLOC_COUNT");
	if (!f || !*f)
		return;
	armed = 0;
	FILE *fp = fopen(f, "w");
	if (!fp)
		return;
	fprintf(fp, "%lu\n", calls);
	fclose(fp);
}

typedef int (*main_fn)(int, char **, char **);
typedef int (*start_fn)(main_fn, int, char **, void (*)(void), void (*)(void),
                        void (*)(void), void *);
int __libc_start_main(main_fn main_, int argc, char **argv, void (*init)(void),
                      void (*fini)(void), void (*rtld_fini)(void), void *stack_end);

static main_fn real_main;

/* Counting starts here, with the program's own code. */
static int counted_main(int argc, char **argv, char **envp)
{
	const char *n = getenv("FAILALLOC_N");
	fail_at = n ? strtoul(n, NULL, 10) : 0;
	const char *s = getenv("FAILALLOC_SKIP");
	if (s && strlen(s) < sizeof skip) {
		strcpy(skip, s);
		dl_iterate_phdr(add_ranges, NULL);
	}
	/* backtrace() loads its unwinder on first use, allocating: do it now. */
	void *frames[4];
	backtrace(frames, 4);
	atexit(write_count);
	armed = 1;
	return real_main(argc, argv, envp);
}

int __libc_start_main(main_fn main_, int argc, char **argv, void (*init)(void),
                      void (*fini)(void), void (*rtld_fini)(void), void *stack_end)
{
	start_fn real = (start_fn)dlsym(RTLD_NEXT, "__libc_start_main");
	real_main = main_;
	return real(counted_main, argc, argv, init, fini, rtld_fini, stack_end);
}
