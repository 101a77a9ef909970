/* git.h - pinning a release to git commits: the only module that uses libgit2.
 *
 * After resolve, the compile driver calls git_pin_release(): it turns the
 * spec's `previous`, `target` and `branch` into full commit ids, checks that the
 * release moves forward on its branch, warns about uncommitted spec files,
 * harvests `changes from-git`, and fills the provenance fields of the compile. */
#ifndef RELC_GIT_H
#define RELC_GIT_H

#include <stdbool.h>
#include <stddef.h>

#include "compilation.h"

/* Pin c->rel to commits (or, with --no-git, to the ids written) and fill
 * c->spec_relpath and c->spec_blob; problems go to c->diags (E003, E013,
 * E014, E015, W111). Does nothing when c->rel is NULL. */
void git_pin_release(struct compile *c);

/* The canonical path of the work tree of the repository relc uses for the
 * spec at spec_path (--repo, else discovered from the spec's folder, as
 * git_pin_release does), malloc'd; NULL when there is none, it is bare or it
 * cannot be opened. Includes must stay inside it. Reports nothing. libgit2
 * stays started until git_release, so that pinning does not load its
 * certificates a second time. */
char *git_work_tree(struct compile *c, const char *spec_path);

/* Let go of libgit2 if git_work_tree started it (compile_free calls it). */
void git_release(struct compile *c);

/* The git blob id (40 lowercase hex digits) of `len` bytes, written to out.
 * Returns false only if libgit2 fails to hash. Needs no repository. */
bool relc_git_blob_id(const char *data, size_t len, char out[41]);

/* Map one commit message to a release-note entry, the way `changes from-git`
 * does (conventional-commit subject, `!` or a BREAKING CHANGE footer).
 * Returns false for a message that maps to nothing; otherwise sets the area,
 * the kind and the entry's text (a span of msg, not NUL-terminated). */
bool relc_git_classify_commit(const char *msg, enum change_area *area,
                         enum change_kind *kind, const char **text, size_t *len);

#endif
