/* confine.c - which files a spec may make relc read (see confine.h). */
/* realpath() is XSI */
#define _XOPEN_SOURCE 700
#include "confine.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#if defined(__linux__)
#include <linux/magic.h>
#include <sys/vfs.h>
#endif

#include "util.h"

char *confine_join(const char *dir, const char *rel)
{
	struct buf b;
	buf_init(&b);
	/* two passes over the same loop: first the folder, then rel */
	const char *parts[2] = {rel[0] == '/' ? "" : dir, rel};
	for (int k = 0; k < 2; k++) {
		const char *p = parts[k];
		while (*p) {
			while (*p == '/')
				p++;
			const char *end = strchr(p, '/');
			size_t n = end ? (size_t)(end - p) : strlen(p);
			if (n == 0 || (n == 1 && p[0] == '.')) {
				/* nothing to add */
			} else if (n == 2 && p[0] == '.' && p[1] == '.') {
				/* "/.." is "/", as the kernel has it */
				while (b.len > 0 && b.data[b.len - 1] != '/')
					b.len--;
				if (b.len > 0)
					b.len--;
				if (b.data)
					b.data[b.len] = '\0';
			} else {
				buf_putc(&b, '/');
				buf_add(&b, p, n);
			}
			p += n;
		}
	}
	if (b.len == 0)
		buf_putc(&b, '/');
	return buf_steal(&b);
}

bool confine_inside(const char *dir, const char *path)
{
	size_t n = strlen(dir);
	while (n > 0 && dir[n - 1] == '/')
		n--;
	if (n == 0) /* the root folder holds everything */
		return path[0] == '/';
	return strncmp(dir, path, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

static bool inside_any(const char *const *roots, size_t n, const char *path)
{
	for (size_t i = 0; i < n; i++)
		if (confine_inside(roots[i], path))
			return true;
	return false;
}

/* Files the kernel makes up as they are read (/proc/self/environ, /sys):
 * they pass for regular files, yet hold the process's secrets. */
static bool kernel_file(const char *path, int fd)
{
#if defined(__linux__)
	struct statfs sf;
	int r = fd >= 0 ? fstatfs(fd, &sf) : statfs(path, &sf);
	if (r != 0)
		return true; /* cannot tell: refuse */
	switch ((unsigned long)sf.f_type) {
	case PROC_SUPER_MAGIC:
	case SYSFS_MAGIC:
	case DEBUGFS_MAGIC:
	case TRACEFS_MAGIC:
	case SECURITYFS_MAGIC:
	case CGROUP_SUPER_MAGIC:
	case CGROUP2_SUPER_MAGIC:
	case EFIVARFS_MAGIC:
	case BPF_FS_MAGIC:
		return true;
	default:
		return false;
	}
#else
	(void)fd;
	/* without statfs types, go by the usual mount points */
	return confine_inside("/proc", path) || confine_inside("/sys", path);
#endif
}

static enum confine_verdict judge_mode(mode_t m)
{
	if (S_ISREG(m))
		return CONFINE_OK;
	if (S_ISDIR(m))
		return CONFINE_DIR;
	if (S_ISFIFO(m))
		return CONFINE_FIFO;
	if (S_ISCHR(m) || S_ISBLK(m))
		return CONFINE_DEVICE;
	return CONFINE_SOCKET; /* the only other kind a canonical path can name */
}

enum confine_verdict confine_check(const char *const *roots, size_t n,
                                   const char *path, struct confine_file *f,
                                   int *err)
{
	f->real = NULL;
	/* as written first: ".." out of the tree is refused before any lookup */
	char *norm = confine_join("/", path);
	bool in = inside_any(roots, n, norm);
	char *real = in ? realpath(norm, NULL) : NULL;
	int e = errno;
	free(norm);
	if (!in)
		return CONFINE_OUTSIDE;
	if (!real) {
		if (e == ENOMEM)
			relc_oom();
		*err = e;
		return CONFINE_ERRNO;
	}
	if (!inside_any(roots, n, real)) {
		free(real);
		return CONFINE_LINK_OUT;
	}
	/* stat, not lstat: realpath left no symlink in `real` */
	if (stat(real, &f->st) != 0) {
		*err = errno;
		free(real);
		return CONFINE_ERRNO;
	}
	enum confine_verdict v = judge_mode(f->st.st_mode);
	if (v == CONFINE_OK && kernel_file(real, -1))
		v = CONFINE_KERNEL;
	if (v != CONFINE_OK) {
		free(real);
		return v;
	}
	f->real = real;
	return CONFINE_OK;
}

int confine_open(const struct confine_file *f, enum confine_verdict *v, int *err)
{
	/* O_NOFOLLOW: a symlink put in place of the file since the check is not
	 * followed; O_NONBLOCK: nor does a FIFO put there make open wait. */
	int fd = open(f->real, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);
	if (fd < 0) {
		*err = errno;
		*v = errno == ELOOP ? CONFINE_CHANGED : CONFINE_ERRNO;
		return -1;
	}
	struct stat st;
	if (fstat(fd, &st) != 0) {
		*err = errno;
		*v = CONFINE_ERRNO;
		close(fd);
		return -1;
	}
	/* the very file that was checked, still regular and still ordinary */
	if (!S_ISREG(st.st_mode) || st.st_dev != f->st.st_dev || st.st_ino != f->st.st_ino ||
	    kernel_file(f->real, fd)) {
		*v = CONFINE_CHANGED;
		close(fd);
		return -1;
	}
	*v = CONFINE_OK;
	return fd;
}

enum confine_verdict confine_read_plain(const char *path, size_t max, char **out,
                                        size_t *len, int *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);
	if (fd < 0) {
		*err = errno;
		return errno == ELOOP ? CONFINE_SYMLINK : CONFINE_ERRNO;
	}
	struct stat st;
	enum confine_verdict v = CONFINE_ERRNO;
	*err = 0;
	if (fstat(fd, &st) != 0)
		*err = errno;
	else if ((v = judge_mode(st.st_mode)) == CONFINE_OK && kernel_file(path, fd))
		v = CONFINE_KERNEL;
	if (v == CONFINE_OK) {
		*err = read_fd(fd, max, out, len);
		if (*err)
			v = CONFINE_ERRNO;
	}
	close(fd);
	return v;
}

char *confine_reason(enum confine_verdict v, int err, const char *where)
{
	struct buf b;
	buf_init(&b);
	switch (v) {
	case CONFINE_OK:
		buf_puts(&b, "it is accepted");
		break;
	case CONFINE_ERRNO:
		buf_puts(&b, strerror(err));
		break;
	case CONFINE_OUTSIDE:
		buf_printf(&b, "the path leads out of %s", where);
		break;
	case CONFINE_LINK_OUT:
		buf_printf(&b, "a symbolic link on its path leads out of %s", where);
		break;
	case CONFINE_DIR:
		buf_puts(&b, "it is a directory");
		break;
	case CONFINE_FIFO:
		buf_puts(&b, "it is a FIFO, not a regular file");
		break;
	case CONFINE_DEVICE:
		buf_puts(&b, "it is a device, not a regular file");
		break;
	case CONFINE_SOCKET:
		buf_puts(&b, "it is a socket, not a regular file");
		break;
	case CONFINE_KERNEL:
		buf_puts(&b, "it is a file the kernel makes up (/proc, /sys), not a spec");
		break;
	case CONFINE_CHANGED:
		buf_puts(&b, "it was replaced while relc opened it");
		break;
	case CONFINE_SYMLINK:
		buf_puts(&b, "it is a symbolic link, not a file relc wrote");
		break;
	}
	return buf_steal(&b);
}
