/* resolve.h - from parsed files to one release: includes, metadata, names. */
#ifndef RELC_RESOLVE_H
#define RELC_RESOLVE_H

#include "compilation.h"

/* Read and parse the root spec and its includes into c->rel, defining every
 * name and resolving every ${name} reference (E004-E008). With text non-NULL
 * the root spec's bytes are given (includes are still read from disk).
 * Returns false on an I/O error reading the root spec (c->io_error is set). */
bool resolve_release(struct compile *c, const char *path, const char *text,
                     size_t len);

/* Once git has pinned previous and target: give every built-in its value and
 * expand lets and strings that only use lets and built-ins. */
void resolve_expand(struct compile *c);

/* The default state folder is STATE_ROOT/<project>-<release>: a folder only
 * root writes, since the scripts run as root and trust what they read back.
 * Releases built before relc 0.x kept it in STATE_ROOT_OLD (world-writable
 * /var/tmp); the scripts refuse to start while a folder is left there. */
#define STATE_ROOT "/var/lib/relc"
#define STATE_ROOT_OLD "/var/tmp/relc"

/* Slug used in the default state directory: lowercase letters, digits, '-'. */
const char *resolve_slug(struct arena *a, const char *s);

#endif
