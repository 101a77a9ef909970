/* emit.h - the back ends. Each appends one artefact of a compiled release
 * (no errors) to a buffer; the caller decides where the bytes go. Output is
 * deterministic: the same compile gives the same bytes. */
#ifndef RELC_EMIT_H
#define RELC_EMIT_H

#include "compile.h"
#include "rollback_path.h"
#include "util.h"

/* The provenance header lines, each starting with `prefix` ("# " for shell,
 * "" inside an HTML comment for Markdown): relc version, spec path relative to
 * the repository, its blob id, pinned previous and target, do-not-edit. */
void emit_provenance(struct buf *out, const struct compile *c, const char *prefix);

void emit_deploy_sh(struct buf *out, const struct compile *c);   /* emit_sh.c */
void emit_rollback_sh(struct buf *out, const struct compile *c); /* emit_sh.c */
void emit_plan_md(struct buf *out, const struct compile *c);     /* emit_md.c */
void emit_changelog_md(struct buf *out, const struct compile *c); /* emit_changelog.c */
void emit_json(struct buf *out, const struct compile *c);        /* emit_json.c */
/* The Ansible playbooks of a release with a fleet block (nothing without). */
void emit_fleet_yml(struct buf *out, const struct compile *c);   /* emit_fleet.c */
void emit_fleet_rollback_yml(struct buf *out, const struct compile *c); /* emit_fleet.c */
/* plan.md's "Fleet rollout" section (nothing without a fleet block). */
void emit_fleet_plan(struct buf *out, const struct compile *c);  /* emit_fleet.c */

/* Put this release's changelog section into an existing CHANGELOG text
 * (after the title and any [Unreleased] section, newest first; the same
 * version replaced in place). `old` may be NULL for a missing file. */
void changelog_update(struct buf *out, const struct compile *c, const char *old,
                      size_t old_len);                           /* emit_changelog.c */

/* A value as text: decoded, lets and built-ins substituted; a reference to a
 * run-time value (env, capture) kept as ${name}. */
void emit_value_text(struct buf *out, const struct value *v);    /* emit_md.c */

/* Spec text as Markdown inline content that renders as written (specials
 * escaped, control characters as spaces); `line_start` when it opens a block
 * such as a list item's content. */
void emit_md_text(struct buf *out, const char *s, size_t len, bool line_start); /* emit_md.c */

/* The changes of one area as Markdown list items ("- Added: ..."), kinds in
 * the language's order with breaking first; with_commit adds the short id
 * of a change harvested from git. Returns how many were written. */
size_t emit_change_items(struct buf *out, const struct release *r,
                         enum change_area area, bool with_commit); /* emit_changelog.c */

#endif
