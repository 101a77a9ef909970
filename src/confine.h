/* confine.h - which files a spec may make relc read.
 *
 * A spec under review is untrusted: its includes may only name regular files
 * inside a few trusted folders (the repository's work tree, or the spec's
 * folder, plus any --include-root). A path is judged with symlinks followed
 * before the file is opened, so a refused file is never opened at all. */
#ifndef RELC_CONFINE_H
#define RELC_CONFINE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

enum confine_verdict {
	CONFINE_OK,
	CONFINE_ERRNO,     /* it cannot be resolved or looked at: see err */
	CONFINE_OUTSIDE,   /* the path as written lies outside every root */
	CONFINE_LINK_OUT,  /* inside as written, but a symlink leads out */
	CONFINE_DIR,
	CONFINE_FIFO,
	CONFINE_DEVICE,
	CONFINE_SOCKET,
	CONFINE_KERNEL,    /* a file of /proc or /sys: made up by the kernel */
	CONFINE_CHANGED,   /* it was replaced between the check and the open */
	CONFINE_SYMLINK,   /* confine_read_plain: a symlink where a file should be */
};

/* A file judged CONFINE_OK, to be opened with confine_open. */
struct confine_file {
	char *real;        /* canonical path, malloc'd */
	struct stat st;    /* what the check saw */
};

/* `rel` joined to the canonical folder `dir`, with ".", ".." and repeated
 * slashes resolved as text (no file-system access); an absolute `rel` is
 * taken alone. malloc'd. */
char *confine_join(const char *dir, const char *rel);

/* Whether the absolute path `path` is `dir` or lies below it, as text. */
bool confine_inside(const char *dir, const char *path);

/* Judge the absolute `path` (its dots resolved as text) against the canonical
 * folders roots[0..n-1]: lexically inside one, then with symlinks followed
 * inside one, then a regular file on an ordinary file system. Nothing is
 * opened. On CONFINE_OK f->real is set (free it); on CONFINE_ERRNO *err. */
enum confine_verdict confine_check(const char *const *roots, size_t n,
                                   const char *path, struct confine_file *f,
                                   int *err);

/* Open a file confine_check accepted, without following a symlink swapped in
 * since, and make sure it is still the file that was checked. Returns the
 * descriptor, or -1 with the verdict (CONFINE_ERRNO with *err, or
 * CONFINE_CHANGED) in *v. */
int confine_open(const struct confine_file *f, enum confine_verdict *v, int *err);

/* Read a file relc wrote itself (the outputs build --check compares): only a
 * regular file on an ordinary file system, never through a symlink in its
 * last component, never blocking on a FIFO. Returns CONFINE_OK with the text
 * (malloc'd, as read_fd), or the verdict (CONFINE_ERRNO with *err, EFBIG
 * beyond max). */
enum confine_verdict confine_read_plain(const char *path, size_t max, char **out,
                                        size_t *len, int *err);

/* Why a verdict refuses a file, as the end of "cannot include X: ...";
 * `where` names the roots ("the repository's work tree"). malloc'd. */
char *confine_reason(enum confine_verdict v, int err, const char *where);

#endif
