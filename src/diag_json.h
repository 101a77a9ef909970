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

#endif
