/* emit_changelog.h - the changelog back end (emit_changelog.c), and the
 * change lists that plan.md's release notes share with it.
 * Users: main.c, emit_md.c, tests. */
#ifndef RELC_EMIT_CHANGELOG_H
#define RELC_EMIT_CHANGELOG_H

#include <stdbool.h>

#include "compilation.h"
#include "util.h"

/* changelog.md: this release's section alone. */
void emit_changelog_md(struct buf *out, const struct compile *c);

/* Put this release's changelog section into an existing CHANGELOG text
 * (after the title and any [Unreleased] section, newest first; the same
 * version replaced in place). `old` may be NULL for a missing file. */
void changelog_update(struct buf *out, const struct compile *c, const char *old,
                      size_t old_len);

/* The changes of one area as Markdown list items ("- Added: ..."), kinds in
 * the language's order with breaking first; with_commit adds the short id
 * of a change harvested from git. Returns how many were written. */
size_t emit_change_items(struct buf *out, const struct release *r,
                         enum change_area area, bool with_commit);

#endif
