/* fmt.h - the canonical layout of a .rel file (relc fmt). */
#ifndef RELC_FMT_H
#define RELC_FMT_H

#include <stddef.h>

#include "util.h"

/* Lay out a spec that parses: four spaces per block level, one space between
 * the words of a statement, at most one blank line in a row and none just
 * inside braces or at the ends of the file. Comments stay where they stood;
 * commands, continuation lines and here-document bodies are copied byte for
 * byte (only blanks at the end of a command's last line are dropped, as the
 * compiler drops them too). */
void fmt_spec(struct buf *out, const char *text, size_t len);

#endif
