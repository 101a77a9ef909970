/* compilation.h - the state of one compilation: its options, its arena,
 * its diagnostics, the release and the provenance git.c fills. The driver
 * (compile.h) makes one; the passes and the back ends read and fill it.
 * Header only. Users: compile.h and everything below it that takes a
 * `struct compile`. */
#ifndef RELC_COMPILATION_H
#define RELC_COMPILATION_H

#include <stdbool.h>

#include "ast.h"
#include "diag.h"
#include "util.h"

struct journal_facts;

struct compile_options {
	const char *repo;         /* --repo DIR, NULL to discover from the spec */
	bool no_git;              /* --no-git */
	/* --include-root DIR...: canonical folders includes may read besides
	 * the work tree (or, with no repository, the spec's folder) */
	const char *const *include_roots;
	size_t ninclude_roots;
	bool check_only;          /* relc check: skip what only back ends print (spec_blob) */
	/* --journal PATH...: journals or state folders of earlier runs */
	const char *const *journals;
	size_t njournals;
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
	struct journal_facts *journals; /* journal.c: NULL without --journal */
};

#endif
