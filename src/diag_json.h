/* diag_json.h - the diagnostics printers by format (diag_json.c): JSON and
 * SARIF, and diag_print, which picks the one the options name. They sit above
 * diag.h and read the set only through its accessors.
 * Users: main.c, tests. */
#ifndef RELC_DIAG_JSON_H
#define RELC_DIAG_JSON_H

#include <stddef.h>
#include <stdio.h>

#include "diag.h"

/* Print every diagnostic in the format the set's options name (text by
 * diag.c's diag_print_text), then flush. */
void diag_print(struct diag_set *ds, FILE *out);

/* One JSON object per diagnostic per line (--diagnostics=json). */
void diag_print_json(struct diag_set *ds, FILE *out);
/* One SARIF 2.1.0 log, every registry code a rule (--diagnostics=sarif). */
void diag_print_sarif(struct diag_set *ds, FILE *out);
/* One SARIF log holding the results of several sets, in order
 * (`relc check A.rel B.rel` must print one log, not one per spec). */
void diag_print_sarif_sets(struct diag_set *const *sets, size_t nsets, FILE *out);

/* The one document of a run with --diagnostics=json|sarif.
 * Open it before anything can fail; every diagnostic set and every failure
 * of relc itself (relc_error, through relc_error_hook) goes into it; close prints it, to standard
 * output unless diag_doc_set_output chose another stream. A SARIF log says
 * executionSuccessful: false when a failure was recorded or status is 2. */
void diag_doc_open(enum diag_format format);
void diag_doc_set_output(FILE *out);
bool diag_doc_active(void);
void diag_doc_add(struct diag_set *ds);
void diag_doc_failure(const char *message);
/* Returns the exit status: 2 if the document could not be written. With
 * print false the document is dropped (a command that had nothing to say). */
int diag_doc_close(int status, bool print);
/* Text to stderr, or the set into the open document. */
void diag_emit(struct diag_set *ds);

#endif
