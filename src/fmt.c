/* fmt.c - relc fmt: re-indent and re-space a spec without touching commands.
 *
 * Works line by line, which the language allows: one statement per line,
 * blocks close with "}" alone on a line. The only lines that are not
 * statements are a command's continuation lines and here-document bodies;
 * they are found with the same shell helpers the scanner uses. */
#include "fmt.h"

#include <stdlib.h>
#include <string.h>

#include "shell.h"

struct line {
	const char *s;
	size_t len; /* without the newline */
};

struct fmt {
	struct buf *out;
	const struct line *lines;
	size_t nlines;
	size_t at;
	int depth;
	int pending_blank;   /* blank lines seen since the last output line */
	bool after_open;     /* the last output line opened a block */
	bool started;        /* something has been written */
};

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

static void trim(const char **s, size_t *len)
{
	while (*len && is_blank(**s)) {
		(*s)++;
		(*len)--;
	}
	while (*len && is_blank((*s)[*len - 1]))
		(*len)--;
}

static void indent(struct fmt *f)
{
	for (int i = 0; i < f->depth; i++)
		buf_puts(f->out, "    ");
}

/* Before writing a line: at most one blank line, never at the top or just
 * inside an opening brace. */
static void flush_blank(struct fmt *f, bool closing)
{
	if (f->pending_blank && f->started && !f->after_open && !closing)
		buf_putc(f->out, '\n');
	f->pending_blank = 0;
}

static bool ends_in_continuation(const char *s, size_t len)
{
	size_t n = 0;
	while (n < len && s[len - 1 - n] == '\\')
		n++;
	return n % 2 == 1;
}

/* Copy a command: the rest of its first line, its continuation lines and its
 * here-document bodies, verbatim. `rest` is the command text on the line. */
static void copy_command(struct fmt *f, const char *rest, size_t rlen)
{
	struct buf logical;
	buf_init(&logical);
	const char *r = rest;
	size_t n = rlen;
	/* leading blanks go; trailing ones go only where the logical line ends */
	while (n && is_blank(*r)) {
		r++;
		n--;
	}
	bool cont = ends_in_continuation(r, n);
	if (!cont)
		while (n && is_blank(r[n - 1]))
			n--;
	buf_add(f->out, r, n);
	buf_add(&logical, r, n);
	while (cont && f->at < f->nlines) {
		const struct line *l = &f->lines[f->at++];
		size_t m = l->len;
		cont = ends_in_continuation(l->s, m);
		if (!cont)
			while (m && is_blank(l->s[m - 1]))
				m--;
		buf_putc(f->out, '\n');
		buf_add(f->out, l->s, m);
		buf_putc(&logical, '\n');
		buf_add(&logical, l->s, m);
	}
	struct sh_heredoc hd[16];
	size_t nh = sh_find_heredocs(logical.data, logical.len, hd, 16);
	if (nh > 16)
		nh = 16;
	for (size_t i = 0; i < nh && f->at < f->nlines;) {
		const struct line *l = &f->lines[f->at++];
		buf_putc(f->out, '\n');
		buf_add(f->out, l->s, l->len);
		if (sh_heredoc_closes(&hd[i], l->s, l->len))
			i++;
	}
	buf_putc(f->out, '\n');
	buf_free(&logical);
}

/* Split a statement line into words ("..." strings kept whole) and a
 * trailing comment; write the words joined by one space. Returns the column
 * (0-based, in the output line) where the words end. */
static void write_statement(struct fmt *f, const char *s, size_t len,
                            const char **comment, size_t *comment_len,
                            size_t *end_col)
{
	size_t line_start = f->out->len;
	size_t i = 0;
	bool first = true;
	*comment = NULL;
	*comment_len = 0;
	while (i < len) {
		while (i < len && is_blank(s[i]))
			i++;
		if (i >= len)
			break;
		if (s[i] == '#') {
			*comment = s + i;
			*comment_len = len - i;
			break;
		}
		size_t start = i;
		if (s[i] == '"') {
			i++;
			while (i < len && s[i] != '"') {
				if (s[i] == '\\' && i + 1 < len)
					i++;
				i++;
			}
			if (i < len)
				i++;
		} else if (s[i] == '{' || s[i] == '}') {
			i++;
		} else {
			while (i < len && !is_blank(s[i]) && s[i] != '"' && s[i] != '{' &&
			       s[i] != '}' && s[i] != '#')
				i++;
		}
		if (!first)
			buf_putc(f->out, ' ');
		buf_add(f->out, s + start, i - start);
		first = false;
	}
	*end_col = f->out->len - line_start;
}

/* Each comma stands between two sizes, and nothing is quoted: only such a
 * list is rewritten, so formatting never turns an error into a valid spec. */
static bool batches_well_formed(const char *s, size_t len)
{
	bool want = true; /* a size must come before the next comma */
	for (size_t i = 0; i < len && s[i] != '#'; i++) {
		if (s[i] == '"' || s[i] == '{' || s[i] == '}')
			return false;
		if (s[i] == ',') {
			if (want)
				return false;
			want = true;
		} else if (!is_blank(s[i])) {
			want = false;
		}
	}
	return !want;
}

/* `batches` of a fleet block: the sizes joined by ", " whether they were
 * written 1,25% or 1 ,  25% (a size is never quoted nor holds a blank). */
static void write_batches(struct fmt *f, const char *s, size_t len,
                          const char **comment, size_t *comment_len,
                          size_t *end_col)
{
	size_t line_start = f->out->len;
	const char *hash = memchr(s, '#', len);
	size_t stop = hash ? (size_t)(hash - s) : len;
	*comment = hash;
	*comment_len = hash ? len - stop : 0;
	buf_puts(f->out, "batches");
	bool first = true;
	size_t i = 7;
	while (i < stop) {
		while (i < stop && (is_blank(s[i]) || s[i] == ','))
			i++;
		size_t start = i;
		while (i < stop && !is_blank(s[i]) && s[i] != ',')
			i++;
		if (i == start)
			break;
		buf_puts(f->out, first ? " " : ", ");
		buf_add(f->out, s + start, i - start);
		first = false;
	}
	*end_col = f->out->len - line_start;
}

static void format_line(struct fmt *f, const struct line *l)
{
	const char *s = l->s;
	size_t len = l->len;
	trim(&s, &len);
	if (len == 0) {
		f->pending_blank++;
		return;
	}
	if (s[0] == '}') {
		if (f->depth > 0)
			f->depth--;
		flush_blank(f, true);
	} else {
		flush_blank(f, false);
	}
	indent(f);
	f->started = true;
	f->after_open = false;
	if (s[0] == '#') {
		buf_add(f->out, s, len);
		buf_putc(f->out, '\n');
		return;
	}
	/* a command: keyword, (capture: NAME =), then the verbatim rest */
	size_t w = 0;
	while (w < len && !is_blank(s[w]))
		w++;
	if (w == 3 && memcmp(s, "run", 3) == 0 && (w == len || is_blank(s[w]))) {
		buf_puts(f->out, "run ");
		copy_command(f, s + w, (size_t)(l->s + l->len - (s + w)));
		return;
	}
	if (w == 7 && memcmp(s, "capture", 7) == 0) {
		const char *eq = memchr(s, '=', len);
		if (eq) {
			const char *name = s + w;
			size_t nlen = (size_t)(eq - name);
			trim(&name, &nlen);
			buf_puts(f->out, "capture ");
			buf_add(f->out, name, nlen);
			buf_puts(f->out, " = ");
			copy_command(f, eq + 1, (size_t)(l->s + l->len - (eq + 1)));
			return;
		}
	}
	/* effect KIND [OBJECT] = FORM: the head as a statement, the form verbatim
	 * like a command (it is one) */
	if (w == 6 && memcmp(s, "effect", 6) == 0) {
		bool q = false;
		for (size_t i = w; i < len && s[i] != '#'; i++) {
			if (s[i] == '"' && (i == 0 || s[i - 1] != '\\'))
				q = !q;
			if (!q && s[i] == '=' && is_blank(s[i - 1])) {
				const char *c;
				size_t cl, ec;
				size_t hl = i;
				while (hl && is_blank(s[hl - 1]))
					hl--;
				size_t mark = f->out->len;
				write_statement(f, s, hl, &c, &cl, &ec);
				if (f->out->len > mark && f->out->data[f->out->len - 1] == '\n')
					f->out->len--;
				buf_puts(f->out, " = ");
				copy_command(f, s + i + 1, (size_t)(l->s + l->len - (s + i + 1)));
				return;
			}
		}
	}
	const char *comment;
	size_t comment_len, end_col;
	if (w == 7 && memcmp(s, "batches", 7) == 0 && batches_well_formed(s + 7, len - 7)) {
		write_batches(f, s, len, &comment, &comment_len, &end_col);
		goto written;
	}
	write_statement(f, s, len, &comment, &comment_len, &end_col);
written:
	/* a trailing comment keeps its column when the statement leaves room */
	if (comment) {
		size_t want = (size_t)(comment - l->s);
		size_t col = end_col + (size_t)f->depth * 4;
		size_t pad = want > col + 1 ? want - col : 2;
		for (size_t k = 0; k < pad; k++)
			buf_putc(f->out, ' ');
		buf_add(f->out, comment, comment_len);
	}
	size_t stmt_len = comment ? (size_t)(comment - s) : len;
	while (stmt_len && is_blank(s[stmt_len - 1]))
		stmt_len--;
	bool opens = stmt_len > 0 && s[stmt_len - 1] == '{';
	buf_putc(f->out, '\n');
	if (opens) {
		f->depth++;
		f->after_open = true;
	}
}

void fmt_spec(struct buf *out, const char *text, size_t len)
{
	size_t n = 0, cap = 64;
	struct line *lines = xmalloc(cap * sizeof *lines);
	size_t start = 0;
	for (size_t i = 0; i <= len; i++) {
		if (i < len && text[i] != '\n')
			continue;
		if (i == len && start == len)
			break;
		if (n == cap) {
			cap *= 2;
			lines = xrealloc(lines, cap * sizeof *lines);
		}
		lines[n].s = text + start;
		lines[n].len = i - start;
		n++;
		start = i + 1;
	}
	struct fmt f = {out, lines, n, 0, 0, 0, false, false};
	while (f.at < f.nlines) {
		const struct line *l = &f.lines[f.at++];
		format_line(&f, l);
	}
	free(lines);
}
