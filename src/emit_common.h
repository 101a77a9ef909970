/* emit_common.h - what the back ends share (emit_common.c): provenance,
 * values as text and spec text as Markdown (the rollback paths they print
 * come from rollback_path.h).
 * Users: the emit_*.c files, tests. */
#ifndef RELC_EMIT_COMMON_H
#define RELC_EMIT_COMMON_H

#include <stdbool.h>

#include "compilation.h"
#include "rollback_path.h"
#include "util.h"

/* The provenance header lines, each starting with `prefix` ("# " for shell,
 * "" inside an HTML comment for Markdown): relc version, spec path relative to
 * the repository, its blob id, pinned previous and target, do-not-edit. */
void emit_provenance(struct buf *out, const struct compile *c, const char *prefix);

/* A value as text: decoded, lets and built-ins substituted; a reference to a
 * run-time value (env, capture) kept as ${name}. */
void emit_value_text(struct buf *out, const struct value *v);

/* A run-time value as a shell variable, one word whatever it holds: "$NAME"
 * unquoted, $NAME or ${NAME} (before a name byte `next`) inside quotes or a
 * here-document. plan.md and --dry-run both show references so. */
void emit_ref_variable(struct buf *out, const char *name, enum ref_ctx ctx, char next);

/* Which references of cmd stand inside `...`? There the shell strips
 * backslashes before quoting applies, so only a plain word or a variable
 * can stand in place. Returns a malloc'd array parallel to cmd->refs. */
bool *emit_refs_in_backquotes(const struct command *cmd);

/* Spec text as Markdown inline content that renders as written (specials
 * escaped, control characters as spaces); `line_start` when it opens a block
 * such as a list item's content. */
void emit_md_text(struct buf *out, const char *s, size_t len, bool line_start);

#endif
