/* diag.c - the message registry, diagnostic collection and the text printer.
 * The other formats, and diag_print that picks one, are in diag_json.c above
 * it: they read the set through the accessors here. */
#include "diag.h"

#include <ctype.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const struct diag_info registry[DIAG__COUNT] = {
#define MSG(code, sev, name, summary, explain) {#code, sev, name, summary, explain},
#include "messages.def"
#undef MSG
};

const struct diag_info *diag_info(enum diag_code c)
{
	if ((int)c < 0 || c >= DIAG__COUNT)
		return NULL;
	return &registry[c];
}

int diag_lookup(const char *code)
{
	for (int i = 0; i < DIAG__COUNT; i++)
		if (strcasecmp(registry[i].code, code) == 0)
			return i;
	return -1;
}

struct source_text {
	const char *path;
	char *text;
	size_t len;
	int order; /* first-registered order, so diagnostics sort root file first */
	/* Where the last line asked for starts: diagnostics are printed in line
	 * order, so each lookup goes on from the one before instead of from the
	 * top (a big spec with many findings was quadratic). */
	int cursor_line;
	size_t cursor_off;
};

struct diag_set {
	struct diagnostic **items;
	size_t len, cap;
	bool sorted;
	unsigned errors, warnings;
	struct source_text *sources;
	size_t nsources;
	struct diag_options opt;
};

struct diag_set *diag_set_new(void)
{
	return xcalloc(1, sizeof(struct diag_set));
}

static void diagnostic_free(struct diagnostic *d)
{
	struct diag_note *n = d->notes;
	while (n) {
		struct diag_note *next = n->next;
		free(n->text);
		free(n);
		n = next;
	}
	free(d->message);
	free(d);
}

void diag_set_free(struct diag_set *ds)
{
	if (!ds)
		return;
	for (size_t i = 0; i < ds->len; i++)
		diagnostic_free(ds->items[i]);
	free(ds->items);
	for (size_t i = 0; i < ds->nsources; i++)
		free(ds->sources[i].text);
	free(ds->sources);
	free(ds);
}

void diag_add_source(struct diag_set *ds, const char *path, const char *text,
                     size_t len)
{
	diag_take_source(ds, path, xstrndup(text, len), len);
}

void diag_take_source(struct diag_set *ds, const char *path, char *text,
                      size_t len)
{
	ds->sources = xrealloc(ds->sources, (ds->nsources + 1) * sizeof *ds->sources);
	struct source_text *s = &ds->sources[ds->nsources];
	s->path = path;
	s->text = text;
	s->len = len;
	s->order = (int)ds->nsources;
	s->cursor_line = 0;
	s->cursor_off = 0;
	ds->nsources++;
}

void diag_set_options(struct diag_set *ds, const struct diag_options *o)
{
	ds->opt = *o;
}

const struct diag_options *diag_get_options(const struct diag_set *ds)
{
	return &ds->opt;
}

static enum diag_severity effective_severity(const struct diag_set *ds,
                                             enum diag_code code)
{
	enum diag_severity sev = registry[code].severity;
	if (code == DIAG_E011 && ds->opt.allow_irreversible)
		sev = SEV_WARNING;
	if (sev == SEV_WARNING && ds->opt.werror)
		sev = SEV_ERROR;
	return sev;
}

static char *vformat(const char *fmt, va_list ap) RELC_PRINTF(1, 0);

static char *vformat(const char *fmt, va_list ap)
{
	struct buf b;
	buf_init(&b);
	buf_vprintf(&b, fmt, ap);
	return buf_steal(&b);
}

struct diagnostic *diag_report(struct diag_set *ds, enum diag_code code,
                               struct loc loc, const char *fmt, ...)
{
	struct diagnostic *d = xcalloc(1, sizeof *d);
	va_list ap;
	va_start(ap, fmt);
	d->message = vformat(fmt, ap);
	va_end(ap);
	d->code = code;
	d->severity = effective_severity(ds, code);
	d->loc = loc;
	d->seq = (unsigned)ds->len;
	if (ds->len == ds->cap) {
		ds->cap = ds->cap ? ds->cap * 2 : 16;
		ds->items = xrealloc(ds->items, ds->cap * sizeof *ds->items);
	}
	ds->items[ds->len++] = d;
	ds->sorted = false;
	if (d->severity == SEV_ERROR)
		ds->errors++;
	else
		ds->warnings++;
	return d;
}

void diag_set_end(struct diagnostic *d, int end_col)
{
	d->end_col = end_col;
}

void diag_note(struct diagnostic *d, struct loc loc, const char *fmt, ...)
{
	struct diag_note *n = xcalloc(1, sizeof *n);
	va_list ap;
	va_start(ap, fmt);
	n->text = vformat(fmt, ap);
	va_end(ap);
	n->loc = loc;
	if (d->last_note)
		d->last_note->next = n;
	else
		d->notes = n;
	d->last_note = n;
}

void diag_set_append(struct diag_set *to, struct diag_set *from)
{
	if (to->len + from->len > to->cap) {
		to->cap = to->len + from->len;
		to->items = xrealloc(to->items, to->cap * sizeof *to->items);
	}
	/* seq is the index at report time: it puts a sorted `from` back in
	 * report order too */
	for (size_t i = 0; i < from->len; i++) {
		struct diagnostic *d = from->items[i];
		to->items[to->len + d->seq] = d;
	}
	for (size_t i = 0; i < from->len; i++)
		to->items[to->len + i]->seq = (unsigned)(to->len + i);
	to->len += from->len;
	to->errors += from->errors;
	to->warnings += from->warnings;
	if (from->len)
		to->sorted = false;
	from->len = 0;
	from->errors = 0;
	from->warnings = 0;
}

unsigned diag_errors(const struct diag_set *ds)
{
	return ds->errors;
}

unsigned diag_warnings(const struct diag_set *ds)
{
	return ds->warnings;
}

/* The order a file's findings sort in: registration order, -1 for none,
 * INT_MAX for a file never registered (those sort by name, after). */
static int file_order(const struct diag_set *ds, const char *path)
{
	if (!path)
		return -1;
	for (size_t i = 0; i < ds->nsources; i++)
		if (ds->sources[i].path == path || strcmp(ds->sources[i].path, path) == 0)
			return ds->sources[i].order;
	return INT_MAX;
}

/* No context: sets are sorted on several threads at once (the halves of a
 * big spec, the effects pass), so each item carries its file's key. */
static int cmp_diag(const void *pa, const void *pb)
{
	const struct diagnostic *a = *(struct diagnostic *const *)pa;
	const struct diagnostic *b = *(struct diagnostic *const *)pb;
	int fa = a->file_key, fb = b->file_key;
	if (fa != fb)
		return fa < fb ? -1 : 1;
	if (fa == INT_MAX && a->loc.file && b->loc.file) {
		int c = strcmp(a->loc.file, b->loc.file);
		if (c)
			return c;
	}
	if (a->loc.line != b->loc.line)
		return a->loc.line < b->loc.line ? -1 : 1;
	if (a->loc.col != b->loc.col)
		return a->loc.col < b->loc.col ? -1 : 1;
	if (a->code != b->code)
		return a->code < b->code ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static void diag_sort(struct diag_set *ds)
{
	if (ds->sorted || ds->len == 0)
		return;
	for (size_t i = 0; i < ds->len; i++)
		ds->items[i]->file_key = file_order(ds, ds->items[i]->loc.file);
	qsort(ds->items, ds->len, sizeof *ds->items, cmp_diag);
	ds->sorted = true;
}

size_t diag_count(struct diag_set *ds)
{
	diag_sort(ds);
	return ds->len;
}

const struct diagnostic *diag_get(struct diag_set *ds, size_t i)
{
	diag_sort(ds);
	return i < ds->len ? ds->items[i] : NULL;
}

struct diagnostic *diag_at(struct diag_set *ds, size_t i)
{
	diag_sort(ds);
	return i < ds->len ? ds->items[i] : NULL;
}

/* The text of line `line` in the registered source for path, or NULL. */
static const char *source_line(const struct diag_set *ds, const char *path,
                               int line, size_t *len)
{
	for (size_t i = 0; i < ds->nsources; i++) {
		/* the cursor is a cache, not part of what the set holds */
		struct source_text *s = (struct source_text *)&ds->sources[i];
		if (strcmp(s->path, path) != 0)
			continue;
		if (s->cursor_line < 1 || s->cursor_line > line) {
			s->cursor_line = 1;
			s->cursor_off = 0;
		}
		const char *p = s->text + s->cursor_off, *end = s->text + s->len;
		for (int l = s->cursor_line; l < line && p < end; l++) {
			const char *nl = memchr(p, '\n', (size_t)(end - p));
			if (!nl)
				return NULL;
			p = nl + 1;
			s->cursor_line = l + 1;
			s->cursor_off = (size_t)(p - s->text);
		}
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		*len = nl ? (size_t)(nl - p) : (size_t)(end - p);
		return p;
	}
	return NULL;
}

/* Show the source line and a caret; long lines are cut around the column so a
 * 10 MB line never floods the terminal. */
static void print_excerpt(const struct diag_set *ds, const struct diagnostic *d,
                          FILE *out)
{
	size_t len;
	if (!d->loc.file || d->loc.line <= 0)
		return;
	const char *line = source_line(ds, d->loc.file, d->loc.line, &len);
	if (!line)
		return;
	size_t col = d->loc.col > 0 ? (size_t)d->loc.col - 1 : 0;
	size_t start = 0;
	const size_t width = 120;
	if (col > width / 2 && len > width)
		start = col - width / 2;
	size_t shown = len - start < width ? len - start : width;
	if (len > 0 && line[len - 1] == '\r' && start + shown == len)
		shown--;
	fprintf(out, "%5d | ", d->loc.line);
	for (size_t i = 0; i < shown; i++) {
		unsigned char ch = (unsigned char)line[start + i];
		fputc(ch == '\t' ? ' ' : (ch < 0x20 || ch == 0x7f ? '?' : ch), out);
	}
	fputs("\n      | ", out);
	for (size_t i = start; i < col && i < start + shown; i++) {
		/* keep the caret under multi-byte characters aligned */
		unsigned char ch = (unsigned char)line[i];
		if ((ch & 0xc0) != 0x80)
			fputc(' ', out);
	}
	fputc('^', out);
	if (d->end_col > d->loc.col + 1) {
		for (int i = d->loc.col + 1; i < d->end_col && i - d->loc.col < 200; i++)
			fputc('~', out);
	}
	fputc('\n', out);
}

void diag_print_text(struct diag_set *ds, FILE *out)
{
	size_t n = diag_count(ds);
	for (size_t i = 0; i < n; i++) {
		const struct diagnostic *d = ds->items[i];
		if (ds->opt.quiet && d->severity != SEV_ERROR)
			continue;
		const char *sev = d->severity == SEV_ERROR ? "error" : "warning";
		if (d->loc.file && d->loc.line > 0)
			fprintf(out, "%s:%d:%d: %s[%s]: %s\n", d->loc.file, d->loc.line,
			        d->loc.col, sev, registry[d->code].code, d->message);
		else if (d->loc.file)
			fprintf(out, "%s: %s[%s]: %s\n", d->loc.file, sev,
			        registry[d->code].code, d->message);
		else
			fprintf(out, "relc: %s[%s]: %s\n", sev, registry[d->code].code,
			        d->message);
		if (ds->opt.quiet)
			continue;
		print_excerpt(ds, d, out);
		for (const struct diag_note *nt = d->notes; nt; nt = nt->next) {
			if (nt->loc.file && nt->loc.line > 0)
				fprintf(out, "note: %s:%d:%d: %s\n", nt->loc.file,
				        nt->loc.line, nt->loc.col, nt->text);
			else
				fprintf(out, "note: %s\n", nt->text);
		}
	}
}

/* Set by diag_json.c while a document is open, so that diag.c, below it,
 * calls up into it without including it. */
void (*relc_error_hook)(const char *message);

void relc_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	struct buf msg;
	buf_init(&msg);
	buf_vprintf(&msg, fmt, ap);
	va_end(ap);
	fprintf(stderr, "relc: error: %s\n", msg.data);
	if (relc_error_hook)
		relc_error_hook(msg.data);
	buf_free(&msg);
}
