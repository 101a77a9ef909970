/* shell.c - POSIX shell quoting, here-document detection, spec-reference
 * finding and a small simple-command splitter.
 *
 * All scanning is bounded by an explicit end offset and by SH_MAX_DEPTH
 * levels of nesting: command text comes from users (and from the fuzzer), so
 * unbalanced quotes or parentheses simply run to the end of the text. */
#include "shell.h"

#include <stdlib.h>
#include <string.h>

/* Deeper nesting than this stops the scan: no real command needs it, and it
 * keeps the recursion (and the stack) bounded. */
#define SH_MAX_DEPTH 100

static char at(const char *s, size_t i, size_t end)
{
	return i < end ? s[i] : '\0';
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* What a byte is to the word reader: a table, as every byte of every command
 * goes through it. */
enum { CH_PLAIN, CH_META, CH_SPECIAL };
static const unsigned char ch_class[256] = {
	/* characters that end an unquoted word */
	[' '] = CH_META, ['\t'] = CH_META, ['\n'] = CH_META, [';'] = CH_META,
	['&'] = CH_META, ['|'] = CH_META, ['('] = CH_META, [')'] = CH_META,
	['<'] = CH_META, ['>'] = CH_META,
	/* a quote, an escape or the start of an expansion */
	['\''] = CH_SPECIAL, ['"'] = CH_SPECIAL, ['\\'] = CH_SPECIAL,
	['$'] = CH_SPECIAL, ['`'] = CH_SPECIAL,
};

/* Characters that end an unquoted word. */
static bool is_meta(char c)
{
	return ch_class[(unsigned char)c] == CH_META;
}

static bool is_name_start(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}

static bool is_name_char(char c)
{
	return is_name_start(c) || (c >= '0' && c <= '9');
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool in_set(const char *set, char c)
{
	return c != '\0' && strchr(set, c) != NULL;
}

/* Skip blanks and backslash-newline continuations. */
static size_t skip_blanks(const char *s, size_t i, size_t end)
{
	while (i < end) {
		if (is_blank(s[i]))
			i++;
		else if (s[i] == '\\' && at(s, i + 1, end) == '\n')
			i += 2;
		else
			break;
	}
	return i;
}

/* i at an opening ': the offset after the closing one (or end). */
static size_t skip_squote(const char *s, size_t i, size_t end)
{
	i++;
	while (i < end && s[i] != '\'')
		i++;
	return i < end ? i + 1 : end;
}

/* i at an opening `: the offset of the closing one (or end). Inside
 * backquotes a backslash protects the next byte, including another `. */
static size_t find_bq_end(const char *s, size_t i, size_t end)
{
	i++;
	while (i < end && s[i] != '`')
		i += (s[i] == '\\' && i + 1 < end) ? 2 : 1;
	return i;
}

/* ---- quoting ---- */

void sh_quote(struct buf *out, const char *s, size_t len)
{
	size_t start = 0;

	buf_putc(out, '\'');
	for (size_t i = 0; i < len; i++) {
		if (s[i] != '\'')
			continue;
		buf_add(out, s + start, i - start);
		buf_puts(out, "'\"'\"'");
		start = i + 1;
	}
	if (len > start)
		buf_add(out, s + start, len - start);
	buf_putc(out, '\'');
}

static bool is_safe_word_char(char c)
{
	return is_name_char(c) || in_set("@%+=:,./-", c);
}

/* NAME=... would be an assignment if it stood first in a command. */
static bool looks_like_assignment(const char *s, size_t len)
{
	size_t i = 0;

	if (len == 0 || !is_name_start(s[0]))
		return false;
	while (i < len && is_name_char(s[i]))
		i++;
	return i < len && s[i] == '=';
}

void sh_quote_word(struct buf *out, const char *s, size_t len)
{
	bool safe = len > 0 && !looks_like_assignment(s, len);

	for (size_t i = 0; i < len && safe; i++)
		safe = is_safe_word_char(s[i]);
	if (safe)
		buf_add(out, s, len);
	else
		sh_quote(out, s, len);
}

/* Copy s, putting a backslash before every byte found in `special`. */
static void escape_bytes(struct buf *out, const char *s, size_t len,
                         const char *special)
{
	size_t start = 0;

	for (size_t i = 0; i < len; i++) {
		if (!in_set(special, s[i]))
			continue;
		if (i > start)
			buf_add(out, s + start, i - start);
		buf_putc(out, '\\');
		buf_putc(out, s[i]);
		start = i + 1;
	}
	if (len > start)
		buf_add(out, s + start, len - start);
}

void sh_quote_dquoted(struct buf *out, const char *s, size_t len)
{
	escape_bytes(out, s, len, "$`\"\\");
}

void sh_quote_heredoc(struct buf *out, const char *s, size_t len)
{
	escape_bytes(out, s, len, "$`\\");
}

/* ---- here-document delimiters ---- */

static void delim_put(struct sh_heredoc *h, size_t *n, char c)
{
	/* A NUL byte could not be compared as a C string: such a delimiter
	 * never matches, like one that is too long. */
	if (c == '\0' || *n >= sizeof h->delim - 1) {
		h->too_long = true;
		return;
	}
	h->delim[(*n)++] = c;
}

/* Read the delimiter word starting at i (blanks already skipped) into h,
 * removing quotes as the shell does. Returns the offset after the word. */
static size_t parse_delim(const char *s, size_t i, size_t end,
                          struct sh_heredoc *h)
{
	size_t n = 0;

	h->delim_off = i;
	while (i < end && !is_meta(s[i])) {
		char c = s[i];
		if (c == '\'') {
			h->quoted = true;
			for (i++; i < end && s[i] != '\''; i++)
				delim_put(h, &n, s[i]);
			i = i < end ? i + 1 : end;
		} else if (c == '"') {
			h->quoted = true;
			for (i++; i < end && s[i] != '"'; i++) {
				if (s[i] == '\\' && in_set("$`\"\\\n", at(s, i + 1, end))) {
					i++;
					if (s[i] == '\n')
						continue;
				}
				delim_put(h, &n, s[i]);
			}
			i = i < end ? i + 1 : end;
		} else if (c == '\\') {
			if (i + 1 < end && s[i + 1] != '\n') {
				h->quoted = true;
				delim_put(h, &n, s[i + 1]);
			}
			i = i + 1 < end ? i + 2 : end;
		} else {
			delim_put(h, &n, c);
			i++;
		}
	}
	h->delim[n] = '\0';
	h->delim_wlen = i - h->delim_off;
	return i;
}

bool sh_heredoc_closes(const struct sh_heredoc *h, const char *line, size_t len)
{
	size_t dlen;

	if (h->too_long)
		return false;
	if (h->strip_tabs) {
		while (len > 0 && *line == '\t') {
			line++;
			len--;
		}
	}
	dlen = strlen(h->delim);
	return len == dlen && memcmp(line, h->delim, dlen) == 0;
}

/* ---- the scanner shared by here-doc and reference finding ---- */

enum xmode {
	XM_DQ,       /* inside "...": ends at the closing quote */
	XM_HEREDOC,  /* an unquoted here-document body: runs to the end */
	XM_ARITH,    /* inside $((...)): ends at the matching )) */
	XM_BRACE,    /* inside ${...} that is not a plain reference */
};

struct scan {
	const char *s;
	struct sh_heredoc *hd;  /* here-docs met so far, in order */
	size_t nhd, caphd;
	size_t body_next;       /* first here-doc whose body is not read yet */
	int bq_level;           /* inside backquotes: no here-docs there */
	bool read_bodies;       /* the text holds the bodies after the line */
	bool want_refs;
	struct sh_ref *refs;
	size_t nrefs, caprefs;
};

static size_t scan_cmd(struct scan *sc, size_t i, size_t end, int depth,
                       bool closing);
static size_t scan_exp(struct scan *sc, size_t i, size_t end, int depth,
                       enum ref_ctx ctx, enum xmode mode);

static void push_heredoc(struct scan *sc, const struct sh_heredoc *h)
{
	if (sc->nhd == sc->caphd) {
		sc->caphd = sc->caphd ? 2 * sc->caphd : 4;
		sc->hd = xrealloc(sc->hd, sc->caphd * sizeof *sc->hd);
	}
	sc->hd[sc->nhd++] = *h;
}

static void add_ref(struct scan *sc, size_t off, size_t len, size_t name_off,
                    size_t name_len, enum ref_ctx ctx)
{
	if (!sc->want_refs)
		return;
	if (sc->nrefs == sc->caprefs) {
		sc->caprefs = sc->caprefs ? 2 * sc->caprefs : 8;
		sc->refs = xrealloc(sc->refs, sc->caprefs * sizeof *sc->refs);
	}
	sc->refs[sc->nrefs++] = (struct sh_ref){
		.off = off, .len = len, .name_off = name_off,
		.name_len = name_len, .ctx = ctx,
		.in_backquotes = sc->bq_level > 0,
	};
}

/* i at '<'. Records a here-document operator; returns the offset after it
 * (after its delimiter word for a here-document). */
static size_t scan_lt(struct scan *sc, size_t i, size_t end)
{
	const char *s = sc->s;
	struct sh_heredoc h;
	size_t k, w;

	if (at(s, i + 1, end) != '<')
		return i + 1;
	if (at(s, i + 2, end) == '<')
		return i + 3; /* <<< is a bash here-string: the word is inline */
	memset(&h, 0, sizeof h);
	h.op_off = i;
	k = i + 2;
	if (at(s, k, end) == '-') {
		h.strip_tabs = true;
		k++;
	}
	k = skip_blanks(s, k, end);
	w = parse_delim(s, k, end, &h);
	if (w == k)
		return k; /* no word: a syntax error for the shell, no body */
	if (sc->bq_level == 0)
		push_heredoc(sc, &h);
	return w;
}

/* i just after a newline that ends a command line: skip (and for unquoted
 * ones, scan) the bodies of the here-docs still waiting for theirs. */
static size_t read_bodies(struct scan *sc, size_t i, size_t end, int depth)
{
	const char *s = sc->s;

	while (sc->body_next < sc->nhd && sc->bq_level == 0) {
		/* A copy: scanning the body may grow (move) sc->hd. */
		struct sh_heredoc h = sc->hd[sc->body_next++];
		size_t start = i, body_end = end;

		while (i < end) {
			size_t eol = i;
			while (eol < end && s[eol] != '\n')
				eol++;
			bool closes = sh_heredoc_closes(&h, s + i, eol - i);
			size_t next = eol < end ? eol + 1 : end;
			if (closes) {
				body_end = i;
				i = next;
				break;
			}
			i = next;
		}
		if (!h.quoted && sc->want_refs)
			scan_exp(sc, start, body_end, depth + 1, REF_HEREDOC, XM_HEREDOC);
	}
	return i;
}

/* i at '$': handles ${...}, $((...)) and $(...); returns the offset after. */
static size_t scan_dollar(struct scan *sc, size_t i, size_t end, int depth,
                          enum ref_ctx ctx)
{
	const char *s = sc->s;
	char n = at(s, i + 1, end);

	if (depth > SH_MAX_DEPTH)
		return end;
	if (n == '{') {
		size_t j = i + 2, k;
		if (j < end && is_name_start(s[j])) {
			for (k = j + 1; k < end && is_name_char(s[k]); k++)
				;
			if (k < end && s[k] == '}') {
				add_ref(sc, i, k + 1 - i, j, k - j, ctx);
				return k + 1;
			}
		}
		return scan_exp(sc, i + 2, end, depth + 1, ctx, XM_BRACE);
	}
	if (n == '(') {
		/* Arithmetic is expanded as if double-quoted: no word splitting. */
		if (at(s, i + 2, end) == '(')
			return scan_exp(sc, i + 3, end, depth + 1, REF_DQUOTED, XM_ARITH);
		return scan_cmd(sc, i + 2, end, depth + 1, true);
	}
	/* $$ $# $? ...: the second byte belongs to the parameter, so the
	 * ${x} in $${x} is not an expansion. */
	if (in_set("$#?!@*-0123456789", n))
		return i + 2;
	return i + 1;
}

/* i at '`': scans the command inside; returns the offset after the closing `. */
static size_t scan_bq(struct scan *sc, size_t i, size_t end, int depth)
{
	size_t j = find_bq_end(sc->s, i, end);

	sc->bq_level++;
	scan_cmd(sc, i + 1, j, depth + 1, false);
	sc->bq_level--;
	return j < end ? j + 1 : end;
}

/* Text where $ and ` expand but words are not split (see enum xmode).
 * Returns the offset after its terminator (or end). */
static size_t scan_exp(struct scan *sc, size_t i, size_t end, int depth,
                       enum ref_ctx ctx, enum xmode mode)
{
	const char *s = sc->s;
	int nest = 0;

	if (depth > SH_MAX_DEPTH)
		return end;
	while (i < end) {
		char c = s[i];
		if (c == '\\') {
			i = i + 1 < end ? i + 2 : end;
			continue;
		}
		if (c == '$') {
			i = scan_dollar(sc, i, end, depth + 1, ctx);
			continue;
		}
		if (c == '`') {
			i = scan_bq(sc, i, end, depth + 1);
			continue;
		}
		if (mode == XM_DQ && c == '"')
			return i + 1;
		if (mode == XM_ARITH) {
			if (c == '(') {
				nest++;
			} else if (c == ')') {
				if (nest > 0)
					nest--;
				else if (at(s, i + 1, end) == ')')
					return i + 2;
			}
		}
		if (mode == XM_BRACE) {
			if (c == '}')
				return i + 1;
			if (c == '"' && ctx != REF_HEREDOC) {
				i = scan_exp(sc, i + 1, end, depth + 1, REF_DQUOTED, XM_DQ);
				continue;
			}
			if (c == '\'' && ctx == REF_UNQUOTED) {
				i = skip_squote(s, i, end);
				continue;
			}
		}
		i++;
	}
	return end;
}

/* Command context (unquoted words). With `closing`, this is the inside of
 * $( ) and it returns after the matching ')'. */
static size_t scan_cmd(struct scan *sc, size_t i, size_t end, int depth,
                       bool closing)
{
	const char *s = sc->s;
	int nest = 0;
	bool word_start = true; /* where '#' would start a comment */

	if (depth > SH_MAX_DEPTH)
		return end;
	while (i < end) {
		char c = s[i];
		switch (c) {
		case '\n':
			i++;
			word_start = true;
			if (sc->read_bodies)
				i = read_bodies(sc, i, end, depth);
			break;
		case ' ': case '\t': case ';': case '&': case '|': case '>':
			i++;
			word_start = true;
			break;
		case '(':
			nest++;
			i++;
			word_start = true;
			break;
		case ')':
			i++;
			word_start = true;
			if (closing) {
				if (nest == 0)
					return i;
				nest--;
			}
			break;
		case '<':
			i = scan_lt(sc, i, end);
			word_start = true;
			break;
		case '\'':
			i = skip_squote(s, i, end);
			word_start = false;
			break;
		case '"':
			i = scan_exp(sc, i + 1, end, depth + 1, REF_DQUOTED, XM_DQ);
			word_start = false;
			break;
		case '\\':
			/* A backslash-newline vanishes: it does not end a word. */
			if (at(s, i + 1, end) != '\n')
				word_start = false;
			i = i + 1 < end ? i + 2 : end;
			break;
		case '`':
			i = scan_bq(sc, i, end, depth + 1);
			word_start = false;
			break;
		case '$':
			i = scan_dollar(sc, i, end, depth + 1, REF_UNQUOTED);
			word_start = false;
			break;
		case '#':
			if (word_start) {
				while (i < end && s[i] != '\n')
					i++;
				break;
			}
			i++;
			break;
		default:
			i++;
			word_start = false;
			break;
		}
	}
	return end;
}

size_t sh_find_heredocs(const char *line, size_t len, struct sh_heredoc *out,
                        size_t max)
{
	struct scan sc = { .s = line };
	size_t n;

	if (!has_pair(line, len, '<', '<'))
		return 0;
	scan_cmd(&sc, 0, len, 0, false);
	n = sc.nhd < max ? sc.nhd : max;
	if (n > 0)
		memcpy(out, sc.hd, n * sizeof *out);
	free(sc.hd);
	return sc.nhd;
}

size_t sh_find_refs(const char *text, size_t len, struct sh_ref **out)
{
	struct scan sc = { .s = text, .read_bodies = true, .want_refs = true };

	*out = NULL;
	if (!has_pair(text, len, '$', '{'))
		return 0;
	scan_cmd(&sc, 0, len, 0, false);
	free(sc.hd);
	*out = sc.refs;
	return sc.nrefs;
}

/* ---- simple commands ---- */

#define SH_MAX_CLAUSES 32

/* A simple command being built, and the compound commands (if, while,
 * for, case) open around it in the current list. */
/* Its arrays and the parser's list of commands grow in the caller's arena
 * (a scratch one, emptied after each command text): no malloc per list. */
struct cmd_builder {
	struct arena *a;
	size_t off, last;
	struct sh_word *words;
	size_t nwords, capwords;
	struct sh_redir *redirs;
	size_t nredirs, capredirs;
	bool negated;                        /* a leading ! was read */
	const char *clause[SH_MAX_CLAUSES];  /* innermost last */
	int nclause, clause_overflow;
	const char *outer;    /* the clause around this whole list */
	bool header;          /* reading `for NAME in ...` or `case WORD in` */
	bool pattern;         /* reading case patterns, up to ')' */
};

/* A finished command and its position in the order they were finished. */
struct cmd_entry {
	struct sh_simple cmd;
	size_t seq;
};

struct parser {
	struct arena *a;
	const char *s;
	const char *clause_now;  /* the clause of the innermost list being read */
	struct scan sc;          /* pending here-docs; skips ${...} and $((...)) */
	struct cmd_entry *cmds;
	size_t ncmds, capcmds;
};

static size_t parse_list(struct parser *p, size_t i, size_t end, int depth,
                         char term);

static void builder_touch(struct cmd_builder *b, size_t start, size_t stop)
{
	if (b->nwords == 0 && b->nredirs == 0)
		b->off = start;
	b->last = stop;
}

static void builder_add_word(struct cmd_builder *b, const struct sh_word *w)
{
	builder_touch(b, w->off, w->off + w->len);
	if (b->nwords == b->capwords) {
		b->capwords = b->capwords ? 2 * b->capwords : 8;
		b->words = arena_grow(b->a, b->words, b->nwords, b->capwords, sizeof *b->words);
	}
	b->words[b->nwords++] = *w;
}

static void builder_add_redir(struct cmd_builder *b, const struct sh_redir *r,
                              size_t stop)
{
	builder_touch(b, r->off, stop);
	if (b->nredirs == b->capredirs) {
		b->capredirs = b->capredirs ? 2 * b->capredirs : 4;
		b->redirs = arena_grow(b->a, b->redirs, b->nredirs, b->capredirs, sizeof *b->redirs);
	}
	b->redirs[b->nredirs++] = *r;
}

/* End the command being built (if it has anything) with separator sep. */
static void finish(struct parser *p, struct cmd_builder *b, enum sh_sep sep,
                   int depth)
{
	struct sh_simple *c;

	if (b->nwords == 0 && b->nredirs == 0) {
		b->negated = false;
		return;
	}
	if (p->ncmds == p->capcmds) {
		p->capcmds = p->capcmds ? 2 * p->capcmds : 8;
		p->cmds = arena_grow(p->a, p->cmds, p->ncmds, p->capcmds, sizeof *p->cmds);
	}
	p->cmds[p->ncmds].seq = p->ncmds;
	c = &p->cmds[p->ncmds++].cmd;
	memset(c, 0, sizeof *c);
	c->off = b->off;
	c->len = b->last - b->off;
	c->sep = sep;
	c->depth = depth;
	c->negated = b->negated;
	c->clause = b->nclause > 0 ? b->clause[b->nclause - 1] : b->outer;
	c->nwords = b->nwords;
	c->nredirs = b->nredirs;
	if (b->nwords > 0) {
		c->words = arena_alloc(p->a, b->nwords * sizeof *c->words);
		memcpy(c->words, b->words, b->nwords * sizeof *c->words);
	}
	if (b->nredirs > 0) {
		c->redirs = arena_alloc(p->a, b->nredirs * sizeof *c->redirs);
		memcpy(c->redirs, b->redirs, b->nredirs * sizeof *c->redirs);
	}
	b->nwords = 0;
	b->nredirs = 0;
	b->negated = false;
}

/* i at '`': parse the commands inside, append the raw text to val. */
static size_t parse_bq(struct parser *p, size_t i, size_t end, int depth,
                       struct buf *val)
{
	size_t j = find_bq_end(p->s, i, end);
	size_t stop = j < end ? j + 1 : end;

	parse_list(p, i + 1, j, depth + 1, 0);
	buf_add(val, p->s + i, stop - i);
	return stop;
}

/* i at '$': append the expansion as written to val; commands inside $( )
 * are parsed. Sets *expands when this is an expansion, not a lone '$'.
 * in_dq: inside "...", where ' does not quote within ${...}. */
static size_t parse_dollar(struct parser *p, size_t i, size_t end, int depth,
                           struct buf *val, bool *expands, bool in_dq)
{
	const char *s = p->s;
	char n = at(s, i + 1, end);
	size_t j;

	if (n == '{') {
		j = scan_exp(&p->sc, i + 2, end, depth + 1,
		             in_dq ? REF_DQUOTED : REF_UNQUOTED, XM_BRACE);
	} else if (n == '(' && at(s, i + 2, end) == '(') {
		j = scan_exp(&p->sc, i + 3, end, depth + 1, REF_DQUOTED, XM_ARITH);
	} else if (n == '(') {
		j = parse_list(p, i + 2, end, depth + 1, ')');
	} else if (is_name_start(n)) {
		for (j = i + 2; j < end && is_name_char(s[j]); j++)
			;
	} else if (in_set("@*#?-$!0123456789", n)) {
		j = i + 2;
	} else {
		buf_putc(val, '$');
		return i + 1;
	}
	buf_add(val, s + i, j - i);
	*expands = true;
	return j;
}

/* i after an opening ": quote removal of a double-quoted part into val. */
static size_t parse_dq(struct parser *p, size_t i, size_t end, int depth,
                       struct buf *val, bool *expands)
{
	const char *s = p->s;

	while (i < end && s[i] != '"') {
		char c = s[i];
		if (c == '\\' && in_set("$`\"\\\n", at(s, i + 1, end))) {
			if (s[i + 1] != '\n')
				buf_putc(val, s[i + 1]);
			i += 2;
		} else if (c == '$') {
			i = parse_dollar(p, i, end, depth, val, expands, true);
		} else if (c == '`') {
			i = parse_bq(p, i, end, depth, val);
			*expands = true;
		} else {
			buf_putc(val, c);
			i++;
		}
	}
	return i < end ? i + 1 : end;
}

/* Characters a word holds as they are: not a metacharacter, a quote, an
 * escape or the start of an expansion. */
static bool is_plain(char c)
{
	return ch_class[(unsigned char)c] == CH_PLAIN;
}

/* The end of the run of plain characters from i. */
static size_t plain_run(const char *s, size_t i, size_t end)
{
	while (i < end && is_plain(s[i]))
		i++;
	return i;
}

/* Read one word at i (not at a metacharacter) into w; returns its end. */
static size_t parse_word(struct parser *p, size_t i, size_t end, int depth,
                         struct sh_word *w)
{
	const char *s = p->s;
	struct buf val;

	memset(w, 0, sizeof *w);
	w->off = i;
	/* Most words are plain characters only: copied once, no buffer. */
	size_t run = plain_run(s, i, end);
	if (run == end || is_meta(s[run])) {
		w->len = run - i;
		w->value = arena_strndup(p->a, s + i, run - i);
		return run;
	}
	buf_init(&val);
	while (i < end && !is_meta(s[i])) {
		char c = s[i];
		if (c == '\'') {
			size_t j = skip_squote(s, i, end);
			size_t stop = (j > i + 1 && s[j - 1] == '\'') ? j - 1 : j;
			buf_add(&val, s + i + 1, stop - (i + 1));
			i = j;
		} else if (c == '"') {
			i = parse_dq(p, i + 1, end, depth, &val, &w->expands);
		} else if (c == '\\') {
			if (i + 1 < end && s[i + 1] != '\n')
				buf_putc(&val, s[i + 1]);
			i = i + 1 < end ? i + 2 : end;
		} else if (c == '$') {
			i = parse_dollar(p, i, end, depth, &val, &w->expands, false);
		} else if (c == '`') {
			i = parse_bq(p, i, end, depth, &val);
			w->expands = true;
		} else {
			size_t k = plain_run(s, i + 1, end);
			buf_add(&val, s + i, k - i);
			i = k;
		}
	}
	w->len = i - w->off;
	w->value = arena_strndup(p->a, val.data ? val.data : "", val.len);
	buf_free(&val);
	return i;
}

/* The redirection operator at i ('<' or '>'): its text and length. */
static size_t redir_op(const char *s, size_t i, size_t end, const char **op)
{
	static const char *const ops[] = {
		"<<<", "<<-", "<<", "<&", "<>", "<", ">>", ">&", ">|", ">",
	};

	for (size_t k = 0; k < sizeof ops / sizeof ops[0]; k++) {
		size_t n = strlen(ops[k]);
		if (n <= end - i && memcmp(s + i, ops[k], n) == 0) {
			*op = ops[k];
			return n;
		}
	}
	*op = s[i] == '<' ? "<" : ">";
	return 1;
}

/* A redirection: start at its io number (or at the operator, i). */
static size_t parse_redir(struct parser *p, struct cmd_builder *b,
                          size_t start, size_t i, size_t end, int depth)
{
	const char *s = p->s, *op;
	size_t k = i + redir_op(s, i, end, &op);
	char *full = arena_printf(p->a, "%.*s%s", (int)(i - start), s + start, op);
	struct sh_redir r = { .off = start };

	r.op = arena_intern(p->a, full, strlen(full));
	k = skip_blanks(s, k, end);
	if (strcmp(op, "<<") == 0 || strcmp(op, "<<-") == 0) {
		struct sh_heredoc h;
		size_t w;
		memset(&h, 0, sizeof h);
		h.op_off = i;
		h.strip_tabs = op[2] == '-';
		w = parse_delim(s, k, end, &h);
		if (w > k) {
			push_heredoc(&p->sc, &h);
			r.target = (struct sh_word){
				.off = k, .len = w - k,
				.value = arena_strdup(p->a, h.delim),
			};
			k = w;
		}
	} else if (k < end && !is_meta(s[k])) {
		k = parse_word(p, k, end, depth, &r.target);
	}
	if (r.target.value == NULL) {
		r.target.off = k;
		r.target.value = arena_strdup(p->a, "");
	}
	builder_add_redir(b, &r, k);
	return k;
}

/* Skip the bodies of the here-docs waiting after a newline. */
static size_t skip_bodies(struct parser *p, size_t i, size_t end)
{
	return read_bodies(&p->sc, i, end, 0);
}

static bool raw_is(const char *s, const struct sh_word *w, const char *kw)
{
	size_t n = strlen(kw);
	return w->len == n && memcmp(s + w->off, kw, n) == 0;
}

static const char *clause_top(const struct cmd_builder *b)
{
	return b->nclause > 0 ? b->clause[b->nclause - 1] : NULL;
}

static void clause_push(struct cmd_builder *b, const char *kw)
{
	if (b->nclause < SH_MAX_CLAUSES && b->clause_overflow == 0)
		b->clause[b->nclause++] = kw;
	else
		b->clause_overflow++;
}

static void clause_pop(struct cmd_builder *b)
{
	if (b->clause_overflow > 0)
		b->clause_overflow--;
	else if (b->nclause > 0)
		b->nclause--;
}

/* then/else/do move on within the innermost compound command. */
static void clause_set(struct cmd_builder *b, const char *kw)
{
	if (b->nclause > 0 && b->clause_overflow == 0)
		b->clause[b->nclause - 1] = kw;
	else
		clause_push(b, kw);
}

/* A word at the start of a command: a reserved word frames commands and is
 * not kept (the effects table wants `systemctl restart x`, not
 * `then systemctl restart x`). Returns true when w was one. */
static bool take_keyword(struct cmd_builder *b, const char *s,
                         const struct sh_word *w)
{
	static const char *const openers[] = { "if", "while", "until" };
	static const char *const movers[] = { "then", "else", "do" };

	/* most first words are none: no reserved word is longer than five
	 * bytes or starts otherwise */
	if (w->len == 0 || w->len > 5 || !strchr("iwutedfc!}", s[w->off]))
		return false;
	for (size_t k = 0; k < 3; k++) {
		if (raw_is(s, w, openers[k])) {
			clause_push(b, openers[k]);
			return true;
		}
		if (raw_is(s, w, movers[k])) {
			clause_set(b, movers[k]);
			return true;
		}
	}
	if (raw_is(s, w, "elif")) {
		clause_set(b, "if");
	} else if (raw_is(s, w, "fi") || raw_is(s, w, "done") ||
	           raw_is(s, w, "esac")) {
		clause_pop(b);
	} else if (raw_is(s, w, "!")) {
		b->negated = true;
	} else if (raw_is(s, w, "for") || raw_is(s, w, "case")) {
		clause_push(b, raw_is(s, w, "for") ? "for" : "case");
		b->header = true;
	} else {
		return raw_is(s, w, "}"); /* a stray } closes nothing */
	}
	return true;
}

/* A word of a `for`/`case` header: dropped (commands inside it are still
 * listed). `case ... in` goes on with patterns; `for x do` with the body. */
static void header_word(struct cmd_builder *b, const char *s,
                        const struct sh_word *w)
{
	const char *top = clause_top(b);

	if (top != NULL && strcmp(top, "case") == 0 && raw_is(s, w, "in")) {
		b->header = false;
		b->pattern = true;
	} else if (top != NULL && strcmp(top, "for") == 0 && raw_is(s, w, "do")) {
		b->header = false;
		clause_set(b, "do");
	}
}

/* Inside case patterns (`a|b)`): everything up to ')' is dropped; esac
 * ends the case. */
static size_t pattern_token(struct parser *p, struct cmd_builder *b, size_t i,
                            size_t end, int depth)
{
	const char *s = p->s;
	struct sh_word w;
	size_t j;

	if (s[i] == ')') {
		b->pattern = false;
		return i + 1;
	}
	if (s[i] == '#') {
		while (i < end && s[i] != '\n')
			i++;
		return i;
	}
	if (is_meta(s[i]))
		return i + 1;
	j = parse_word(p, i, end, depth, &w);
	if (raw_is(s, &w, "esac")) {
		b->pattern = false;
		clause_pop(b);
	}
	return j;
}

/* A separator: ends the command being built and any for/case header. */
static size_t separator(struct parser *p, struct cmd_builder *b, size_t i,
                        size_t n, enum sh_sep sep, int depth)
{
	finish(p, b, sep, depth);
	b->header = false;
	return i + n;
}

/* One token at i outside any word and not a blank (parse_list skips
 * those); returns the offset after it. Sets *closed when the token was the
 * terminator `term` of this list. */
static size_t parse_token(struct parser *p, struct cmd_builder *b, size_t i,
                          size_t end, int depth, char term, bool *closed)
{
	const char *s = p->s;
	char c = s[i], n = at(s, i + 1, end);
	const char *top = clause_top(b);
	struct sh_word w;
	size_t j;

	/* Lists nested in this token ($( ), ( ), { }) stand in this clause. */
	p->clause_now = top ? top : b->outer;
	if (c == '\\' && n == '\n')
		return i + 2;
	if (b->pattern && c != '\n')
		return pattern_token(p, b, i, end, depth);
	switch (c) {
	case '#':
		while (i < end && s[i] != '\n')
			i++;
		return i;
	case '\n':
		j = separator(p, b, i, 1, SH_SEP_SEMI, depth);
		return skip_bodies(p, j, end);
	case ';':
		if (n == ';') {
			/* ;; ends a case item: patterns follow */
			j = separator(p, b, i, 2, SH_SEP_SEMI, depth);
			b->pattern = top != NULL && strcmp(top, "case") == 0;
			return j;
		}
		return separator(p, b, i, 1, SH_SEP_SEMI, depth);
	case '&':
		return separator(p, b, i, n == '&' ? 2 : 1,
		                 n == '&' ? SH_SEP_AND : SH_SEP_BG, depth);
	case '|':
		return separator(p, b, i, (n == '|' || n == '&') ? 2 : 1,
		                 n == '|' ? SH_SEP_OR : SH_SEP_PIPE, depth);
	case '(':
		finish(p, b, SH_SEP_SEMI, depth);
		return parse_list(p, i + 1, end, depth + 1, ')');
	case ')':
		finish(p, b, SH_SEP_END, depth);
		*closed = term == ')';
		return i + 1;
	case '<': case '>':
		return parse_redir(p, b, i, i, end, depth);
	default:
		break;
	}
	for (j = i; j < end && is_digit(s[j]); j++)
		;
	if (j > i && (at(s, j, end) == '<' || at(s, j, end) == '>'))
		return parse_redir(p, b, i, j, end, depth);
	j = parse_word(p, i, end, depth, &w);
	if (b->header) {
		header_word(b, s, &w);
		return j;
	}
	if (b->nwords == 0 && b->nredirs == 0) {
		if (raw_is(s, &w, "{"))
			return parse_list(p, j, end, depth + 1, '}');
		if (raw_is(s, &w, "}") && term == '}') {
			*closed = true;
			return j;
		}
		if (take_keyword(b, s, &w))
			return j;
	}
	builder_add_word(b, &w);
	return j;
}

/* A list of commands up to `term` (')' or '}', 0 for the end of the text).
 * Returns the offset after the terminator. */
static size_t parse_list(struct parser *p, size_t i, size_t end, int depth,
                         char term)
{
	struct cmd_builder b;
	bool closed = false;

	if (depth > SH_MAX_DEPTH)
		return end;
	memset(&b, 0, sizeof b);
	b.a = p->a;
	b.outer = p->clause_now;
	while (i < end && !closed) {
		if (is_blank(p->s[i])) { /* a token of its own, nothing to do */
			i++;
			continue;
		}
		i = parse_token(p, &b, i, end, depth, term, &closed);
	}
	finish(p, &b, SH_SEP_END, depth);
	p->clause_now = b.outer;
	return i < end ? i : end;
}

static int cmp_entry(const void *x, const void *y)
{
	const struct cmd_entry *a = x, *b = y;

	if (a->cmd.off != b->cmd.off)
		return a->cmd.off < b->cmd.off ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

size_t sh_parse(struct arena *a, const char *text, size_t len,
                struct sh_simple **out)
{
	struct parser p = { .a = a, .s = text, .sc = { .s = text } };
	size_t n;

	parse_list(&p, 0, len, 0, 0);
	n = p.ncmds;
	*out = NULL;
	if (n > 0) {
		/* commands nested in $( ) are finished before theirs: only then
		 * are they out of order */
		size_t run = 1;
		while (run < n && cmp_entry(&p.cmds[run - 1], &p.cmds[run]) < 0)
			run++;
		if (run < n)
			qsort(p.cmds, n, sizeof *p.cmds, cmp_entry);
		*out = arena_alloc(a, n * sizeof **out);
		for (size_t k = 0; k < n; k++)
			(*out)[k] = p.cmds[k].cmd;
	}
	free(p.sc.hd);
	return n;
}
