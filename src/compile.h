/* compile.h - one compilation: parse, resolve, pin git revisions, check.
 *
 * The driver every command uses, above the passes it runs (resolve, git,
 * check). Those passes and the back ends see only `struct compile`, which
 * is in compilation.h below them. Users: main.c, tests. */
#ifndef RELC_COMPILE_H
#define RELC_COMPILE_H

#include <stdbool.h>

#include "compilation.h"
#include "util.h"

struct compile *compile_new(const struct compile_options *opt);
void compile_free(struct compile *c);

/* Parse, resolve, pin and check one spec. Returns true when there are no
 * errors (warnings allowed, unless --werror made them errors). */
bool compile_spec(struct compile *c, const char *path);

/* The same for a spec given as bytes (fuzzing, tests); path names it in
 * diagnostics and anchors its includes. */
bool compile_spec_text(struct compile *c, const char *path, const char *text,
                       size_t len);

/* Exit status for the diagnostics so far: 0 clean, 1 errors, 2 I/O error. */
int compile_status(const struct compile *c);

#endif
