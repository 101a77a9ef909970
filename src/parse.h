/* parse.h - the front end: flex scanner + bison parser into a file_ast. */
#ifndef RELC_PARSE_H
#define RELC_PARSE_H

#include "ast.h"
#include "diag.h"

/* Largest spec file accepted (bytes). */
#define RELC_MAX_SPEC_SIZE (256u * 1024u * 1024u)
/* Largest existing artefact read back by build --check or changelog --update. */
#define RELC_MAX_OUTPUT (512u * 1024u * 1024u)

/* Parse one file's text. Reports E001-E005/E017 and friends into ds. Always
 * returns a (possibly partial) tree; path is the display path. */
struct file_ast *parse_text(struct arena *a, struct diag_set *ds,
                            const char *path, const char *text, size_t len);
/* The same for a spec being compiled: the file_ast and its statements go to
 * stmts, for the caller to free once it has read them, and the tree may
 * point into text (run commands' texts), which must outlive a. */
struct file_ast *parse_source(struct arena *a, struct arena *stmts,
                              struct diag_set *ds, const char *path,
                              const char *text, size_t len);

/* From this size on (bytes) a file is parsed in two halves on two threads,
 * when it can be cut between two top-level statements. Tests lower it. */
extern size_t relc_parse_split_min;
/* How many files were parsed in halves so far (for tests). */
extern unsigned long relc_parse_halves;

#endif
