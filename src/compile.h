/* compile.h - one compilation: parse, resolve, pin git revisions, check.
 *
 * The driver every command uses. Back ends take a compiled `struct compile`
 * (no errors) and append their artefact to a buffer. */
#ifndef RELC_COMPILE_H
#define RELC_COMPILE_H

#include <stdbool.h>

#include "ast.h"
#include "diag.h"
#include "util.h"

struct compile_options {
	const char *repo;         /* --repo DIR, NULL to discover from the spec */
	bool no_git;              /* --no-git */
	/* --include-root DIR...: canonical folders includes may read besides
	 * the work tree (or, with no repository, the spec's folder) */
	const char *const *include_roots;
	size_t ninclude_roots;
	bool check_only;          /* relc check: skip what only back ends print (spec_blob) */
	struct diag_options diag;
};

struct compile {
	struct compile_options opt;
	struct arena *arena;
	struct diag_set *diags;
	struct release *rel;      /* NULL if the spec could not be parsed at all */
	/* provenance, filled by git.c (or the fallbacks when --no-git) */
	const char *spec_relpath; /* spec path relative to the repository root */
	char spec_blob[41];       /* git blob id of the root spec's bytes as compiled;
	                           * "" with check_only */
	int io_error;             /* non-zero: a SPEC could not be read (exit 2) */
	bool git_started;         /* git_work_tree started libgit2 (git_release) */
};

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
