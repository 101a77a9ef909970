/* parse.c - run the scanner and parser over one file, then turn the raw tree
 * into the typed AST: statement placement (E003), value syntax (E005),
 * strings with escapes and ${name} references, expects, durations. */
#include "parse.h"

#include <ctype.h>
#include <errno.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include "parse_tree.h"
#include "shell.h"
#include "parser.h"
#include "lexer.h"

/* ---- raw tree constructors (called by the grammar) ---- */

struct pt_node *pt_new(struct parse_ctx *ctx, enum pt_kind kind, struct loc loc)
{
	struct pt_node *n = arena_alloc(ctx->scratch, sizeof *n);
	n->kind = kind;
	n->loc = loc;
	return n;
}

void pt_arg(struct pt_node *n, struct pt_tok t)
{
	if (n->nargs < 3)
		n->args[n->nargs++] = t;
}

void pt_list(struct parse_ctx *ctx, struct pt_node *n, struct pt_tok t)
{
	if (n->nlist == n->caplist) {
		int cap = n->caplist ? n->caplist * 2 : 4;
		struct pt_tok *l = arena_alloc(ctx->scratch, (size_t)cap * sizeof *l);
		if (n->nlist)
			memcpy(l, n->list, (size_t)n->nlist * sizeof *l);
		n->list = l;
		n->caplist = cap;
	}
	n->list[n->nlist++] = t;
}

struct pt_node *pt_lost(struct parse_ctx *ctx, struct loc loc, struct pt_node *children)
{
	struct pt_node *n = pt_new(ctx, PT_LOST, loc);
	n->key = ctx->stmt_kw;
	n->children = children;
	return n;
}

/* Bison names punctuation tokens bare ("expecting {"); quote them so the
 * message reads `unexpected end of line; expected "{"`. */
static void add_token_name(struct buf *b, const char *s, size_t n)
{
	bool punct = n == 1 && (*s == '{' || *s == '}' || *s == '=');
	if (punct)
		buf_putc(b, '"');
	buf_add(b, s, n);
	if (punct)
		buf_putc(b, '"');
}

static void reword(struct buf *b, const char *m)
{
	const char *exp = strstr(m, ", expecting ");
	size_t head = exp ? (size_t)(exp - m) : strlen(m);
	if (strncmp(m, "unexpected ", 11) == 0) {
		buf_puts(b, "unexpected ");
		add_token_name(b, m + 11, head - 11);
	} else {
		buf_add(b, m, head);
	}
	if (!exp)
		return;
	buf_puts(b, "; expected ");
	const char *p = exp + 12;
	while (*p) {
		const char *or = strstr(p, " or ");
		size_t n = or ? (size_t)(or - p) : strlen(p);
		add_token_name(b, p, n);
		if (!or)
			break;
		buf_puts(b, " or ");
		p = or + 4;
	}
}

/* The grammar's yyerror: E001 with what was found and what was expected. */
void pt_syntax_error(struct parse_ctx *ctx, struct loc loc, const char *msg)
{
	if (msg && strcmp(msg, "memory exhausted") == 0) {
		diag_report(ctx->diags, DIAG_E001, loc, "blocks are nested too deeply");
		return;
	}
	const char *m = msg ? msg : "syntax error";
	if (strncmp(m, "syntax error, ", 14) == 0)
		m += 14;
	struct buf b;
	buf_init(&b);
	reword(&b, m);
	struct diagnostic *d = diag_report(ctx->diags, DIAG_E001, loc, "%s", b.data);
	if (strstr(b.data, "expected \"{\"") && !strstr(b.data, " or "))
		diag_note(d, (struct loc){0},
		          "a block header ends with \"{\" on the same line: step \"name\" {");
	else if (strstr(b.data, "unexpected word") && strstr(b.data, "expected end of line"))
		diag_note(d, (struct loc){0}, "one statement per line; quote a value that has spaces");
	else if (strstr(b.data, "unexpected \"}\""))
		diag_note(d, (struct loc){0}, "no block is open here");
	buf_free(&b);
}

/* ---- values ---- */

static bool is_ident_start(int c)
{
	return isalpha(c) || c == '_';
}

static bool is_ident(int c)
{
	return isalnum(c) || c == '_';
}

/* Column of byte offset off inside a token that starts at loc (after its
 * opening quote when quoted). */
static struct loc loc_at(struct loc start, bool quoted, const char *raw, size_t off)
{
	struct loc l = start;
	if (quoted)
		l.col++;
	loc_advance(&l, raw, off);
	return l;
}

/* Decode a token into a value in arena a: escapes and ${name} references for
 * strings; a bare word is taken as it is. */
static struct value *make_value_in(struct parse_ctx *ctx, struct arena *a,
                                   const struct pt_tok *t)
{
	struct value *v = arena_alloc(a, sizeof *v);
	v->loc = t->loc;
	v->quoted = t->quoted;
	v->raw = arena_strndup(a, t->text, t->len);
	if (!t->quoted) {
		v->segs = arena_alloc(a, sizeof *v->segs);
		v->segs[0] = (struct seg){.kind = SEG_TEXT, .text = v->raw,
		                          .len = (uint32_t)t->len, .loc = t->loc};
		v->nsegs = 1;
		v->expanded = v->raw;
		return v;
	}
	/* built on the heap, then copied at its final length: most strings
	 * are one segment, and a value lives as long as the release */
	size_t cap = 4, n = 0;
	struct seg *segs = xmalloc(cap * sizeof *segs);
	struct buf text;
	buf_init(&text);
	size_t text_start = 0;
	bool has_ref = false;
	const char *s = t->text;
	size_t len = t->len;
#define FLUSH_TEXT()                                                             \
	do {                                                                     \
		if (text.len) {                                                  \
			if (n == cap) {                                          \
				cap *= 2;                                        \
				segs = xrealloc(segs, cap * sizeof *segs);       \
			}                                                        \
			/* a string without escapes decodes to its raw text */ \
			bool same = text.len == len && memcmp(text.data, s, len) == 0; \
			segs[n++] = (struct seg){.kind = SEG_TEXT,               \
				.text = same ? v->raw : arena_strndup(a, text.data, text.len), \
				.len = (uint32_t)text.len,                       \
				.loc = loc_at(t->loc, true, s, text_start)};     \
			text.len = 0;                                            \
		}                                                                \
	} while (0)
	for (size_t i = 0; i < len;) {
		if (text.len == 0)
			text_start = i;
		if (s[i] == '\\' && i + 1 < len) {
			char e = s[i + 1];
			char out = 0;
			switch (e) {
			case '\\': out = '\\'; break;
			case '"': out = '"'; break;
			case 'n': out = '\n'; break;
			case 't': out = '\t'; break;
			case '$': out = '$'; break;
			default: {
				struct diagnostic *d = diag_report(ctx->conv_diags, DIAG_E001,
					loc_at(t->loc, true, s, i), "unknown escape \\%c in string", e);
				diag_note(d, (struct loc){0},
				          "the escapes are \\\\ \\\" \\n \\t \\$");
				out = e;
			}
			}
			buf_putc(&text, out);
			i += 2;
			continue;
		}
		if (s[i] == '$' && i + 1 < len && s[i + 1] == '{') {
			size_t j = i + 2;
			if (j < len && is_ident_start((unsigned char)s[j])) {
				while (j < len && is_ident((unsigned char)s[j]))
					j++;
				if (j < len && s[j] == '}') {
					FLUSH_TEXT();
					if (n == cap) {
						cap *= 2;
						segs = xrealloc(segs, cap * sizeof *segs);
					}
					segs[n++] = (struct seg){.kind = SEG_REF,
						.text = arena_intern(a, s + i + 2, j - i - 2),
						.len = (uint32_t)(j - i - 2),
						.loc = loc_at(t->loc, true, s, i)};
					has_ref = true;
					i = j + 1;
					continue;
				}
			}
			struct diagnostic *d = diag_report(ctx->conv_diags, DIAG_E001,
				loc_at(t->loc, true, s, i), "invalid reference in string");
			diag_note(d, (struct loc){0},
			          "a reference is ${name}; write \\$ for a literal dollar sign");
			buf_putc(&text, '$');
			i++;
			continue;
		}
		buf_putc(&text, s[i]);
		i++;
	}
	if (text.len == 0 && n == 0)
		text_start = 0;
	FLUSH_TEXT();
#undef FLUSH_TEXT
	buf_free(&text);
	v->segs = arena_alloc(a, (n ? n : 1) * sizeof *segs);
	if (n)
		memcpy(v->segs, segs, n * sizeof *segs);
	free(segs);
	v->nsegs = (uint32_t)n;
	if (!has_ref && n == 1) {
		v->expanded = v->segs[0].text; /* already decoded, NUL-terminated */
	} else if (!has_ref) {
		struct buf all;
		buf_init(&all);
		for (size_t i = 0; i < n; i++)
			buf_add(&all, v->segs[i].text, v->segs[i].len);
		v->expanded = arena_strndup(a, all.data, all.len);
		buf_free(&all);
	}
	return v;
}

static struct value *make_value(struct parse_ctx *ctx, const struct pt_tok *t)
{
	return make_value_in(ctx, ctx->arena, t);
}

/* An undo's reason is kept as text only: the value is decoded (reporting bad
 * escapes) in scratch memory and its text copied. */
static const char *make_reason(struct parse_ctx *ctx, const struct pt_tok *t)
{
	struct value *v = make_value_in(ctx, ctx->scratch, t);
	return arena_strdup(ctx->arena, v->expanded ? v->expanded : v->raw);
}

/* ---- durations, numbers ---- */

/* A duration or a MIN..MAX range. */
static bool parse_duration_range(struct parse_ctx *ctx, const struct pt_tok *t,
                                 bool allow_range, struct duration *d)
{
	const char *dots = strstr(t->text, "..");
	d->loc = t->loc;
	if (dots && allow_range) {
		int64_t lo, hi;
		size_t l1 = (size_t)(dots - t->text);
		if (!parse_duration(t->text, l1, &lo) ||
		    !parse_duration(dots + 2, t->len - l1 - 2, &hi)) {
			struct diagnostic *dg = diag_report(ctx->conv_diags, DIAG_E005, t->loc,
				"invalid duration range \"%s\"", t->text);
			diag_note(dg, (struct loc){0},
			          "write a range as MIN..MAX, e.g. 30s..60s or 1m..2m30s");
			return false;
		}
		if (lo > hi) {
			diag_report(ctx->conv_diags, DIAG_E005, t->loc,
			            "range \"%s\" has MIN greater than MAX", t->text);
			return false;
		}
		d->min_ms = lo;
		d->max_ms = hi;
		d->set = true;
		return true;
	}
	int64_t v;
	if (!parse_duration(t->text, t->len, &v)) {
		struct diagnostic *dg = diag_report(ctx->conv_diags, DIAG_E005, t->loc,
			"invalid duration \"%s\"", t->text);
		diag_note(dg, (struct loc){0},
		          "a duration is a number with a unit: 250ms, 30s, 5m, 2h, 1m30s");
		return false;
	}
	d->min_ms = d->max_ms = v;
	d->set = true;
	return true;
}

static bool parse_int(const char *s, int64_t *out)
{
	char *end;
	if (!*s)
		return false;
	if (!(isdigit((unsigned char)s[0]) || ((s[0] == '-' || s[0] == '+') && isdigit((unsigned char)s[1]))))
		return false;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno || *end)
		return false;
	*out = v;
	return true;
}

/* ---- conversion into the AST ---- */

enum context { CTX_TOP, CTX_BLOCK, CTX_UNDO, CTX_CHANGES };

static const char *pt_kind_word(enum pt_kind k)
{
	switch (k) {
	case PT_META: return "metadata";
	case PT_LET: return "let";
	case PT_ENV: return "env";
	case PT_INCLUDE: return "include";
	case PT_CHANGES_FROM: return "changes from-git";
	case PT_KNOWN_ISSUE: return "known-issue";
	case PT_EFFECT: return "effect";
	case PT_RUN: return "run";
	case PT_CAPTURE: return "capture";
	case PT_EXPECT: return "expect";
	case PT_ESTIMATE: return "estimate";
	case PT_TIMEOUT: return "timeout";
	case PT_ON_FAILURE: return "on-failure";
	case PT_CHECKSUM: return "checksum";
	case PT_UNDO_NONE: return "undo none";
	case PT_IRREVERSIBLE: return "irreversible";
	case PT_CHANGE: return "a change entry";
	case PT_BLOCK: return "block";
	case PT_UNDO_BLOCK: return "undo";
	case PT_CHANGES_BLOCK: return "changes";
	case PT_FLEET_BLOCK: return "fleet";
	case PT_FLEET_ITEM: return "a fleet setting";
	case PT_LOST: return "statement";
	}
	return "statement";
}

static void misplaced(struct parse_ctx *ctx, const struct pt_node *n,
                      const char *where, const char *hint)
{
	const char *what = n->kind == PT_META ? meta_key_name((enum meta_key)n->key) :
	                   n->kind == PT_BLOCK ? block_kind_name((enum block_kind)n->key) :
	                   pt_kind_word(n->kind);
	struct diagnostic *d = diag_report(ctx->conv_diags, DIAG_E003, n->loc,
	                                   "%s is not allowed %s", what, where);
	if (hint)
		diag_note(d, (struct loc){0}, "%s", hint);
}

/* Parse the words after `expect`. */
static struct expect *make_expect(struct parse_ctx *ctx, const struct pt_node *n)
{
	struct expect *e = arena_alloc(ctx->arena, sizeof *e);
	e->loc = n->loc;
	const struct pt_tok *a = n->list;
	int na = n->nlist;
	const char *usage = "expect exit N | expect stdout|stderr \"TEXT\" | [not] contains \"TEXT\" | "
	                    "[not] matches \"ERE\" | empty | not-empty | OP INTEGER";
	if (!a[0].quoted && strcmp(a[0].text, "exit") == 0) {
		if (na != 2 || a[1].quoted || !parse_int(a[1].text, &e->number) ||
		    e->number < 0 || e->number > 255) {
			struct diagnostic *d = diag_report(ctx->conv_diags, DIAG_E005,
				na >= 2 ? a[1].loc : a[0].loc, "expect exit needs one exit status from 0 to 255");
			diag_note(d, (struct loc){0}, "%s", usage);
			return NULL;
		}
		e->kind = EXPECT_EXIT;
		return e;
	}
	if (a[0].quoted || (strcmp(a[0].text, "stdout") != 0 && strcmp(a[0].text, "stderr") != 0)) {
		struct diagnostic *d = diag_report(ctx->conv_diags, DIAG_E001, a[0].loc,
			"expected exit, stdout or stderr after expect");
		diag_note(d, (struct loc){0}, "%s", usage);
		return NULL;
	}
	e->stream = a[0].text[3] == 'o' ? STREAM_STDOUT : STREAM_STDERR;
	if (na < 2) {
		struct diagnostic *d = diag_report(ctx->conv_diags, DIAG_E001, a[0].loc,
			"expected a condition after %s", a[0].text);
		diag_note(d, (struct loc){0}, "%s", usage);
		return NULL;
	}
	const struct pt_tok *w = &a[1];
	/* `not` turns contains and matches around; it reads as it is written,
	 * so `not` before any other condition is an error, not a guess. */
	bool negated = false;
	if (!w->quoted && strcmp(w->text, "not") == 0 && na >= 3) {
		if (a[2].quoted ||
		    (strcmp(a[2].text, "contains") != 0 && strcmp(a[2].text, "matches") != 0)) {
			struct diagnostic *d = diag_report(ctx->conv_diags, DIAG_E001,
				a[2].loc, "expected contains or matches after not");
			diag_note(d, (struct loc){0}, "%s",
			          !a[2].quoted && strcmp(a[2].text, "empty") == 0
			          ? "write not-empty for some output"
			          : "not contains \"TEXT\" | not matches \"ERE\"");
			return NULL;
		}
		negated = true;
		w = &a[2];
		a++;
		na--;
	}
	if (w->quoted) {
		if (na != 2)
			goto extra;
		e->kind = EXPECT_EQUALS;
		e->text = make_value(ctx, w);
		return e;
	}
	if (strcmp(w->text, "empty") == 0 || strcmp(w->text, "not-empty") == 0) {
		if (na != 2)
			goto extra;
		e->kind = w->text[0] == 'e' ? EXPECT_EMPTY : EXPECT_NOT_EMPTY;
		return e;
	}
	if (strcmp(w->text, "contains") == 0 || strcmp(w->text, "matches") == 0) {
		if (na != 3) {
			if (na > 3)
				goto extra;
			diag_report(ctx->conv_diags, DIAG_E001, w->loc,
			            "expected a string after %s", w->text);
			return NULL;
		}
		bool contains = w->text[0] == 'c';
		e->kind = contains ? (negated ? EXPECT_NOT_CONTAINS : EXPECT_CONTAINS)
		                   : (negated ? EXPECT_NOT_MATCHES : EXPECT_MATCHES);
		e->text = make_value(ctx, &a[2]);
		if (!contains && e->text->expanded) {
			regex_t re;
			int rc = regcomp(&re, e->text->expanded, REG_EXTENDED | REG_NOSUB);
			/* Out of memory is not the pattern's fault (a pattern too big
			 * is REG_ESIZE): exit 2 like every other allocation failure. */
			if (rc == REG_ESPACE)
				relc_oom();
			if (rc != 0) {
				char msg[200];
				regerror(rc, &re, msg, sizeof msg);
				diag_report(ctx->conv_diags, DIAG_E005, a[2].loc,
				            "invalid regular expression: %s", msg);
			} else {
				regfree(&re);
			}
		}
		return e;
	}
	for (int op = CMP_EQ; op <= CMP_GE; op++) {
		if (strcmp(w->text, cmp_op_name((enum cmp_op)op)) != 0)
			continue;
		if (na != 3 || a[2].quoted || !parse_int(a[2].text, &e->number)) {
			if (na > 3)
				goto extra;
			diag_report(ctx->conv_diags, DIAG_E005, na == 3 ? a[2].loc : w->loc,
			            "expected an integer after %s", w->text);
			return NULL;
		}
		e->kind = EXPECT_COMPARE;
		e->op = (enum cmp_op)op;
		return e;
	}
	if (na == 2) {
		/* a bare word stands for the text it spells: expect stdout ok */
		e->kind = EXPECT_EQUALS;
		e->text = make_value(ctx, w);
		return e;
	}
	{
		struct diagnostic *d = diag_report(ctx->conv_diags, DIAG_E001, w->loc,
			"unknown expect condition \"%s\"", w->text);
		diag_note(d, (struct loc){0}, "%s", usage);
		return NULL;
	}
extra:
	diag_report(ctx->conv_diags, DIAG_E001, a[na - 1].loc,
	            "unexpected word after the expect condition");
	return NULL;
}

struct block_builder {
	struct block *b;
	struct command *last_cmd;
	struct expect *last_expect;
	/* the durations as written, quoted by the timeout-below-estimate error */
	const struct pt_tok *estimate_tok, *timeout_tok;
};

/* Where the command's ${name} references are, for resolve to bind. It is
 * syntax, so it is done here, where a big spec's two halves are parsed on
 * two threads, not in resolve's one pass over the whole release. */
static void find_command_refs(struct arena *a, struct command *c)
{
	struct sh_ref *found = NULL;
	size_t n = sh_find_refs(c->text, c->len, &found);
	if (n) {
		c->refs = arena_alloc(a, n * sizeof *c->refs);
		for (size_t i = 0; i < n; i++) {
			struct ref *r = &c->refs[i];
			r->off = (uint32_t)found[i].off;
			r->len = (uint32_t)found[i].len;
			r->name = arena_intern(a, c->text + found[i].name_off, found[i].name_len);
			r->ctx = found[i].ctx;
			r->in_backquotes = found[i].in_backquotes;
		}
		c->nrefs = (uint32_t)n;
	}
	free(found);
}

static void add_command(struct arena *a, struct block_builder *bb, struct command *c)
{
	find_command_refs(a, c);
	if (c->kind == CMD_CAPTURE)
		bb->b->has_capture = true;
	c->block = bb->b;
	c->index = ++bb->b->ncmds;
	if (bb->last_cmd)
		bb->last_cmd->next = c;
	else
		bb->b->cmds = c;
	bb->last_cmd = c;
	bb->last_expect = NULL;
}

static struct block *convert_block(struct parse_ctx *ctx, const struct pt_node *n,
                                   enum block_kind kind, struct block *parent);

static void twice(struct parse_ctx *ctx, const struct pt_node *n, const char *what)
{
	diag_report(ctx->conv_diags, DIAG_E003, n->loc, "%s given twice in one block", what);
}

/* Why a statement of kind K cannot stand in a block (NULL: it can). The one
 * list of the statements that belong outside blocks, so that the E003 and the
 * silence inside a block cut short cover the same kinds. */
static const char *top_level_hint(enum pt_kind k)
{
	switch (k) {
	case PT_BLOCK:
	case PT_FLEET_BLOCK:
		return "blocks stand at the top level";
	case PT_FLEET_ITEM:
		return "it belongs inside fleet { }";
	case PT_CHANGES_BLOCK:
	case PT_CHANGES_FROM:
	case PT_CHANGE:
	case PT_META:
	case PT_LET:
	case PT_ENV:
	case PT_INCLUDE:
	case PT_KNOWN_ISSUE:
	case PT_EFFECT:
		return "this statement stands at the top level";
	default:
		return NULL;
	}
}

static void block_item(struct parse_ctx *ctx, struct block_builder *bb,
                       const struct pt_node *n)
{
	struct block *b = bb->b;
	bool is_undo = b->kind == BLOCK_UNDO;
	const char *where = is_undo ? "inside undo" : "inside a block";
	switch (n->kind) {
	case PT_LOST:
		b->cut = true;
		return;
	case PT_RUN: {
		const struct pt_tok *t = &n->args[0];
		struct command *c = t->in_source ?
			ast_command_in(ctx->arena, n->loc, t->loc, t->text, t->len) :
			ast_command(ctx->arena, n->loc, t->loc, t->text, t->len);
		add_command(ctx->arena, bb, c);
		return;
	}
	case PT_CAPTURE: {
		if (is_undo) {
			misplaced(ctx, n, "inside undo",
			          "captures are made on the deploy path; an undo may use them");
			return;
		}
		struct command *c = ast_command(ctx->arena, n->loc, n->args[1].loc,
		                                n->args[1].text, n->args[1].len);
		c->kind = CMD_CAPTURE;
		struct capture_name *cn = arena_alloc(ctx->arena, sizeof *cn);
		cn->name = arena_intern(ctx->arena, n->args[0].text, n->args[0].len);
		cn->loc = n->args[0].loc;
		c->capture = cn;
		add_command(ctx->arena, bb, c);
		return;
	}
	case PT_EXPECT: {
		if (!bb->last_cmd) {
			misplaced(ctx, n, "before any command",
			          "an expect checks the run or capture just before it");
			return;
		}
		struct expect *e = make_expect(ctx, n);
		if (!e) {
			b->cut = true;
			return;
		}
		if (bb->last_expect)
			bb->last_expect->next = e;
		else
			bb->last_cmd->expects = e;
		bb->last_expect = e;
		return;
	}
	case PT_ESTIMATE:
		if (bb->estimate_tok) {
			twice(ctx, n, "estimate");
			return;
		}
		bb->estimate_tok = &n->args[0];
		parse_duration_range(ctx, &n->args[0], true, &b->estimate);
		b->estimate.loc = n->loc;
		return;
	case PT_TIMEOUT:
		if (bb->timeout_tok) {
			twice(ctx, n, "timeout");
			return;
		}
		bb->timeout_tok = &n->args[0];
		b->timeout = arena_alloc(ctx->arena, sizeof *b->timeout);
		parse_duration_range(ctx, &n->args[0], false, b->timeout);
		b->timeout->loc = n->loc;
		return;
	case PT_ON_FAILURE: {
		if (is_undo) {
			misplaced(ctx, n, "inside undo", "a failing undo always escalates");
			return;
		}
		if (b->policy != POLICY_DEFAULT) {
			twice(ctx, n, "on-failure");
			return;
		}
		const char *w = n->args[0].text;
		enum policy p;
		if (strcmp(w, "abort") == 0)
			p = POLICY_ABORT;
		else if (strcmp(w, "rollback") == 0)
			p = POLICY_ROLLBACK;
		else if (strcmp(w, "escalate") == 0)
			p = POLICY_ESCALATE;
		else {
			struct diagnostic *d = diag_report(ctx->conv_diags, DIAG_E005, n->args[0].loc,
				"unknown failure policy \"%s\"", w);
			diag_note(d, (struct loc){0}, "the policies are abort, rollback and escalate");
			return;
		}
		bool ok = true;
		const char *hint = NULL;
		if (p == POLICY_ABORT && b->kind != BLOCK_CHECK && b->kind != BLOCK_BACKUP) {
			ok = false;
			hint = "abort means nothing has changed yet: it is for checks and backups; use rollback or escalate";
		} else if (p == POLICY_ROLLBACK && b->kind == BLOCK_CHECK) {
			/* a backup may follow steps: resolve decides once it knows */
			ok = false;
			hint = "no step has run yet, so there is nothing to roll back: use abort or escalate";
		} else if (p != POLICY_ESCALATE && b->kind == BLOCK_AFTER_ROLLBACK) {
			ok = false;
			hint = "after-rollback runs at the end of a rollback: a failure there can only escalate";
		}
		if (!ok) {
			struct diagnostic *d = diag_report(ctx->conv_diags, DIAG_E003, n->args[0].loc,
				"on-failure %s is not allowed in a %s block", w, block_kind_name(b->kind));
			diag_note(d, (struct loc){0}, "%s", hint);
			return;
		}
		b->policy = p;
		return;
	}
	case PT_CHECKSUM: {
		if (b->kind != BLOCK_BACKUP) {
			misplaced(ctx, n, b->kind == BLOCK_UNDO ? "inside undo" :
			          "outside a backup block", "checksum records a backup's digest");
			return;
		}
		const struct pt_tok *t = &n->args[0];
		bool ident = !t->quoted && t->len > 0 && is_ident_start((unsigned char)t->text[0]);
		for (size_t i = 0; ident && i < t->len; i++)
			ident = is_ident((unsigned char)t->text[i]);
		if (!ident) {
			diag_report(ctx->conv_diags, DIAG_E005, t->loc,
			            "checksum takes the name of a capture");
			return;
		}
		struct checksum *cs = arena_alloc(ctx->arena, sizeof *cs);
		cs->loc = t->loc;
		cs->name = arena_intern(ctx->arena, t->text, t->len);
		struct checksum **pp = &b->checksums;
		while (*pp)
			pp = &(*pp)->next;
		*pp = cs;
		return;
	}
	case PT_UNDO_BLOCK:
	case PT_UNDO_NONE:
	case PT_IRREVERSIBLE: {
		if (b->kind != BLOCK_STEP) {
			misplaced(ctx, n, is_undo ? "inside undo" : "outside a step",
			          "only a step says how it is reversed");
			return;
		}
		if (b->undo_kind != UNDO_MISSING) {
			struct diagnostic *d = diag_report(ctx->conv_diags, DIAG_E003, n->loc,
				"a step takes exactly one of undo { }, undo none and irreversible");
			diag_note(d, b->undo_loc, "the first one is here");
			return;
		}
		b->undo_loc = n->loc;
		if (n->kind == PT_UNDO_BLOCK) {
			b->undo_kind = UNDO_BLOCK;
			b->undo = convert_block(ctx, n, BLOCK_UNDO, b);
		} else if (n->kind == PT_UNDO_NONE) {
			if (n->args[0].quoted || strcmp(n->args[0].text, "none") != 0) {
				diag_report(ctx->conv_diags, DIAG_E001, n->args[0].loc,
				            "expected \"{\" or none after undo");
				b->cut = true;
				return;
			}
			b->undo_kind = UNDO_NONE;
			b->undo_reason = make_reason(ctx, &n->args[1]);
		} else {
			b->undo_kind = UNDO_IRREVERSIBLE;
			b->undo_reason = make_reason(ctx, &n->args[0]);
		}
		return;
	}
	default:
		break;
	}
	const char *hint = top_level_hint(n->kind);
	if (!hint)
		return;
	/* In a block the end of the file closed, these are most likely the
	 * top-level lines that followed a missing "}": its E002 says so, once. */
	if (b->cut || (b->parent && b->parent->cut))
		return;
	misplaced(ctx, n, where, hint);
}

static struct block *convert_block(struct parse_ctx *ctx, const struct pt_node *n,
                                   enum block_kind kind, struct block *parent)
{
	struct value *name = kind == BLOCK_UNDO ? NULL : make_value(ctx, &n->args[0]);
	struct block *b = ast_block(ctx->blocks, n->loc, kind, name);
	b->parent = parent;
	b->cut = n->cut;
	if (parent && n->cut)
		parent->cut = true;
	struct block_builder bb = {b, NULL, NULL, NULL, NULL};
	for (const struct pt_node *c = n->children; c; c = c->next)
		block_item(ctx, &bb, c);
	if (b->timeout && b->timeout->set && b->estimate.set &&
	    b->timeout->max_ms < b->estimate.max_ms) {
		struct diagnostic *d = diag_report(ctx->conv_diags, DIAG_E005, bb.timeout_tok->loc,
			"timeout %.*s is below the estimate's upper bound %.*s",
			(int)bb.timeout_tok->len, bb.timeout_tok->text,
			(int)bb.estimate_tok->len, bb.estimate_tok->text);
		diag_note(d, b->estimate.loc, "the estimate is here");
	}
	return b;
}

static void convert_change(struct parse_ctx *ctx, const struct pt_node *n,
                           struct change ***tail)
{
	static const struct {
		const char *area, *kind;
		enum change_area a;
		enum change_kind k;
	} table[] = {
		{"api", "added", AREA_API, CHANGE_ADDED},
		{"api", "changed", AREA_API, CHANGE_CHANGED},
		{"api", "fixed", AREA_API, CHANGE_FIXED},
		{"api", "removed", AREA_API, CHANGE_REMOVED},
		{"api", "breaking", AREA_API, CHANGE_BREAKING},
		{"backend", "added", AREA_BACKEND, CHANGE_ADDED},
		{"backend", "changed", AREA_BACKEND, CHANGE_CHANGED},
		{"backend", "fixed", AREA_BACKEND, CHANGE_FIXED},
		{"backend", "performance", AREA_BACKEND, CHANGE_PERFORMANCE},
		{"backend", "database", AREA_BACKEND, CHANGE_DATABASE},
		{"migration", "schema", AREA_MIGRATION, CHANGE_SCHEMA},
		{"migration", "data", AREA_MIGRATION, CHANGE_DATA},
		{"migration", "index", AREA_MIGRATION, CHANGE_INDEX},
	};
	const char *area = n->args[0].text, *kind = n->args[1].text;
	bool area_ok = false;
	for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
		if (strcmp(table[i].area, area) != 0)
			continue;
		area_ok = true;
		if (strcmp(table[i].kind, kind) == 0) {
			struct change *c = arena_alloc(ctx->arena, sizeof *c);
			c->loc = n->loc;
			c->area = table[i].a;
			c->kind = table[i].k;
			c->text = make_value(ctx, &n->args[2]);
			**tail = c;
			*tail = &c->next;
			return;
		}
	}
	if (!area_ok) {
		struct diagnostic *d = diag_report(ctx->conv_diags, DIAG_E005, n->args[0].loc,
			"unknown change area \"%s\"", area);
		diag_note(d, (struct loc){0}, "the areas are api, backend and migration");
	} else {
		struct diagnostic *d = diag_report(ctx->conv_diags, DIAG_E005, n->args[1].loc,
			"unknown kind \"%s\" for %s changes", kind, area);
		diag_note(d, (struct loc){0}, "%s",
		          strcmp(area, "api") == 0 ? "api takes added, changed, fixed, removed, breaking" :
		          strcmp(area, "backend") == 0 ? "backend takes added, changed, fixed, performance, database" :
		          "migration takes schema, data, index");
	}
}

/* ---- fleet { } ---- */

#define fleet_error(ctx, loc, ...) diag_report((ctx)->conv_diags, DIAG_E020, loc, __VA_ARGS__)

/* One size of batches: N hosts (N >= 1) or P% of the group (1..100). */
static bool fleet_size(struct parse_ctx *ctx, const char *s, size_t len,
                       struct loc loc, struct batch_size *out)
{
	char text[32];
	snprintf(text, sizeof text, "%.*s", (int)(len < 24 ? len : 24), s);
	bool percent = len > 0 && s[len - 1] == '%';
	size_t digits = percent ? len - 1 : len;
	int64_t n = 0;
	bool ok = digits > 0 && digits <= 9;
	for (size_t i = 0; ok && i < digits; i++) {
		ok = s[i] >= '0' && s[i] <= '9';
		n = n * 10 + (s[i] - '0');
	}
	if (!ok) {
		struct diagnostic *d = fleet_error(ctx, loc, "\"%s\" is not a batch size", text);
		diag_note(d, (struct loc){0},
		          "a size is a number of hosts (1, 5) or a share of the group (25%%)");
		return false;
	}
	if (n == 0) {
		struct diagnostic *d = fleet_error(ctx, loc, "batch size %s takes no host", text);
		diag_note(d, (struct loc){0}, "a batch deploys to at least one host");
		return false;
	}
	if (percent && n > 100) {
		struct diagnostic *d = fleet_error(ctx, loc, "batch size %s is over 100%%", text);
		diag_note(d, (struct loc){0}, "a share of the group is at most 100%%");
		return false;
	}
	out->loc = loc;
	out->n = n;
	out->percent = percent;
	return true;
}

/* The values after batches, as one comma-separated list: "1, 25%, 100%"
 * and "1,25%,100%" read the same. */
static void fleet_batches(struct parse_ctx *ctx, const struct pt_node *n,
                          struct fleet *f)
{
	if (n->nlist == 0) {
		struct diagnostic *d = fleet_error(ctx, n->loc, "%s needs at least one size", "batches");
		diag_note(d, (struct loc){0}, "e.g. batches 1, 25%%, 100%%: a canary, then a quarter at a time");
		return;
	}
	int cap = 0;
	for (int i = 0; i < n->nlist; i++)
		for (size_t k = 0; k <= n->list[i].len; k++)
			cap += k == n->list[i].len || n->list[i].text[k] == ',';
	f->batches = arena_alloc(ctx->arena, (size_t)cap * sizeof *f->batches);
	f->nbatches = 0;
	bool want_size = true; /* a size must come next (not a comma) */
	bool bad = false;
	struct loc last = n->list[0].loc;
	for (int i = 0; i < n->nlist; i++) {
		const struct pt_tok *t = &n->list[i];
		size_t at = 0;
		while (at <= t->len) {
			size_t end = at;
			while (end < t->len && t->text[end] != ',')
				end++;
			struct loc l = t->loc;
			l.col += (int)at + (t->quoted ? 1 : 0);
			last = l;
			if (end > at) {
				if (!want_size && !bad) {
					diag_report(ctx->conv_diags, DIAG_E020, l,
					            "batch sizes are separated by commas");
					bad = true;
				}
				/* every size is checked, so one run names each bad one */
				if (!fleet_size(ctx, t->text + at, end - at, l,
				                &f->batches[f->nbatches]))
					bad = true;
				else
					f->nbatches++;
				want_size = false;
			} else if (end < t->len || (at == 0 && t->len == 0)) {
				/* a comma with no size before it */
				if (want_size && !bad) {
					diag_report(ctx->conv_diags, DIAG_E020, l,
					            "empty batch size in the list");
					bad = true;
				}
			}
			if (end < t->len)
				want_size = true;
			at = end + 1;
		}
	}
	if (want_size && !bad) {
		diag_report(ctx->conv_diags, DIAG_E020, last,
		            "the batch list ends with a comma");
		bad = true;
	}
	if (bad)
		f->nbatches = 0;
}

static struct fleet *convert_fleet(struct parse_ctx *ctx, const struct pt_node *n)
{
	struct fleet *f = arena_alloc(ctx->arena, sizeof *f);
	f->loc = n->loc;
	const struct pt_node *seen[4] = {NULL, NULL, NULL, NULL};
	static const char *const keys[4] = {"hosts", "batches", "pause", "timeout"};
	for (const struct pt_node *c = n->children; c; c = c->next) {
		if (c->kind != PT_FLEET_ITEM) {
			misplaced(ctx, c, "inside fleet",
			          "a fleet block takes hosts, batches, pause and timeout");
			continue;
		}
		const struct pt_tok *key = &c->args[0];
		int k = 0;
		while (k < 4 && strcmp(keys[k], key->text) != 0)
			k++;
		if (k == 4) {
			struct diagnostic *d = fleet_error(ctx, key->loc,
				"unknown fleet setting \"%s\"", key->text);
			diag_note(d, (struct loc){0},
			          "a fleet block takes hosts, batches, pause and timeout");
			continue;
		}
		if (seen[k]) {
			struct diagnostic *d = fleet_error(ctx, key->loc,
				"%s given twice in the fleet block", keys[k]);
			diag_note(d, seen[k]->loc, "the first one is here");
			continue;
		}
		seen[k] = c;
		if (k == 1) {
			fleet_batches(ctx, c, f);
			continue;
		}
		if (c->nlist != 1) {
			struct diagnostic *d = fleet_error(ctx, c->nlist ? c->list[1].loc : key->loc,
				"%s takes one value", keys[k]);
			diag_note(d, (struct loc){0}, "%s", k == 0 ? "hosts GROUP: an inventory group"
			          : k == 2 ? "pause DURATION, e.g. pause 30s"
			          : "timeout DURATION, e.g. timeout 15m");
			continue;
		}
		const struct pt_tok *v = &c->list[0];
		if (k == 0) {
			bool ok = !v->quoted && v->len > 0 && is_ident_start((unsigned char)v->text[0]);
			for (size_t i = 0; ok && i < v->len; i++)
				ok = is_ident((unsigned char)v->text[i]);
			if (!ok) {
				struct diagnostic *d = fleet_error(ctx, v->loc,
					"\"%s\" is not an inventory group name", v->text);
				diag_note(d, (struct loc){0},
				          "a group name has letters, digits and _, and does not start with a digit");
				continue;
			}
			f->group = arena_intern(ctx->arena, v->text, v->len);
			f->group_loc = v->loc;
		} else {
			struct duration *d = k == 2 ? &f->pause : &f->timeout;
			if (parse_duration_range(ctx, v, false, d) && d->max_ms == 0 && k == 3) {
				fleet_error(ctx, v->loc, "timeout %s stops every deploy at once", v->text);
				d->set = false;
			}
			d->loc = c->loc;
		}
	}
	if (!seen[0]) {
		struct diagnostic *d = fleet_error(ctx, n->loc,
			"the fleet block names no inventory %s", "group");
		diag_note(d, (struct loc){0}, "add hosts GROUP: the group the release goes to");
	}
	if (!seen[1]) {
		struct diagnostic *d = fleet_error(ctx, n->loc,
			"the fleet block has no %s", "batches");
		diag_note(d, (struct loc){0}, "add e.g. batches 1, 25%%, 100%%: a canary first, the last size repeats");
	}
	return f;
}

/* What a line lost to a syntax error may have been, from its first word. */
static uint32_t lost_bits(int kw)
{
	switch (kw) {
	case K_RELEASE: return LOST_META(META_RELEASE);
	case K_PROJECT: return LOST_META(META_PROJECT);
	case K_DATE: return LOST_META(META_DATE);
	case K_PREVIOUS: return LOST_META(META_PREVIOUS);
	case K_TARGET: return LOST_META(META_TARGET);
	case K_BRANCH: return LOST_META(META_BRANCH);
	case K_DOWNTIME: return LOST_META(META_DOWNTIME);
	case K_DEPLOY_TIME: return LOST_META(META_DEPLOY_TIME);
	case K_STATE_DIR: return LOST_META(META_STATE_DIR);
	case K_REPOSITORY: return LOST_META(META_REPOSITORY);
	case K_CHECK: return LOST_BLOCK(BLOCK_CHECK);
	case K_BACKUP: return LOST_BLOCK(BLOCK_BACKUP);
	case K_STEP: return LOST_BLOCK(BLOCK_STEP);
	case K_VERIFY: return LOST_BLOCK(BLOCK_VERIFY);
	case K_AFTER_ROLLBACK: return LOST_BLOCK(BLOCK_AFTER_ROLLBACK);
	case K_LET: case K_ENV: case K_INCLUDE: case K_CHANGES: case K_KNOWN_ISSUE:
	case K_FLEET: case K_EFFECT:
		return 0; /* what these lose is reported where it is used (E006, E008) */
	default:
		return LOST_ANY; /* no keyword: it could have been anything */
	}
}

static void add_lost(struct parse_ctx *ctx, uint32_t bits)
{
	struct stmt *s = arena_alloc(ctx->stmts, sizeof *s);
	s->kind = STMT_LOST;
	s->lost = bits;
	*ctx->tail = s;
	ctx->tail = &s->next;
}

/* Wrappers effects.c looks through: a form made of them alone would match
 * every command run under them. */
static bool is_wrapper_word(const char *w)
{
	static const char *const wrappers[] = { "sudo", "doas", "env", "timeout", "command",
		"nice", "nohup", "exec", "ionice", "stdbuf", "chronic", "su", "runuser", "sh",
		"bash", "dash", "cd", "pushd", NULL };
	for (const char *const *p = wrappers; *p; p++)
		if (strcmp(w, *p) == 0)
			return true;
	return false;
}

/* `effect KIND [OBJECT] = FORM`: the kind (E018), then the form, which must
 * be one simple command of literal words, ${name} references and "*" (E019). */
static struct effect_decl *convert_effect(struct parse_ctx *ctx, const struct pt_node *n)
{
	static const struct {
		const char *word;
		enum decl_kind kind;
	} kinds[] = { {"data", DECL_DATA}, {"code", DECL_CODE}, {"deps", DECL_DEPS}, {"file", DECL_FILE} };
	const struct pt_tok *k = &n->args[0], *f = &n->args[1];
	const struct pt_tok *obj = n->nargs > 2 ? &n->args[2] : NULL;
	int kind = -1;
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
		if (strcmp(k->text, kinds[i].word) == 0)
			kind = (int)kinds[i].kind;
	if (kind < 0) {
		struct diagnostic *d = diag_report(ctx->conv_diags, DIAG_E018, k->loc,
			"unknown effect kind \"%s\"", k->text);
		diag_note(d, (struct loc){0}, "the kinds are data, code, deps and file");
		return NULL;
	}
	if (!obj && kind != DECL_DATA) {
		struct diagnostic *d = diag_report(ctx->conv_diags, DIAG_E019, k->loc,
			"an effect of kind %s names its object", k->text);
		diag_note(d, (struct loc){0}, "write effect %s \"${dir}\" = COMMAND", k->text);
		return NULL;
	}
	char *form = arena_strndup(ctx->arena, f->text, f->len);
	struct sh_simple *sc = NULL;
	struct arena *tmp = arena_new();
	size_t nsc = sh_parse(tmp, form, f->len, &sc);
	const char *why = NULL;
	if (nsc != 1)
		why = nsc ? "it is more than one command (a pipe, a list or a compound command)"
		          : "it holds no command";
	else if (sc[0].nredirs)
		why = "it has a redirection";
	else if (sc[0].nwords == 0)
		why = "it holds no command";
	for (size_t i = 0; !why && i < sc[0].nwords; i++) {
		const struct sh_word *w = &sc[0].words[i];
		const char *v = w->value;
		if (w->expands) {
			/* only ${name} references, each a whole reference */
			for (const char *p = v; *p && !why; p++) {
				if (*p == '`' || (*p == '$' && p[1] != '{'))
					why = "a shell expansion ($x, $(...), `...`) matches nothing fixed; use ${name} for a let";
				else if (*p == '$') {
					const char *e = strchr(p, '}');
					for (const char *q = p + 2; e && q < e; q++)
						if (!is_ident((unsigned char)*q))
							e = NULL;
					if (!e || e == p + 2)
						why = "a ${...} in a form is a plain ${name} reference";
					else
						p = e;
				}
			}
		} else if (strcmp(v, "*") != 0 && strpbrk(v, "*?[")) {
			why = "a glob matches nothing fixed; \"*\" alone stands for any one word";
		}
		if (!why && i == 0 && strcmp(v, "*") == 0)
			why = "the first word names the program";
	}
	if (!why) {
		size_t i = 0;
		while (i < sc[0].nwords && (is_wrapper_word(sc[0].words[i].value) ||
		                            strchr(sc[0].words[i].value, '=')))
			i++;
		if (i > 0)
			why = "it starts with a wrapper or an assignment, which relc looks through; "
			      "write the program and its words";
	}
	if (why) {
		struct diagnostic *d = diag_report(ctx->conv_diags, DIAG_E019, f->loc,
			"malformed command form in effect declaration");
		diag_note(d, (struct loc){0}, "%s", why);
		arena_free(tmp);
		return NULL;
	}
	struct effect_decl *e = arena_alloc(ctx->arena, sizeof *e);
	e->loc = n->loc;
	e->kind = (enum decl_kind)kind;
	e->object = obj ? make_value(ctx, obj) : NULL;
	e->form = form;
	e->nwords = sc[0].nwords;
	e->words = arena_alloc(ctx->arena, e->nwords * sizeof *e->words);
	for (size_t i = 0; i < e->nwords; i++)
		e->words[i] = arena_strdup(ctx->arena, sc[0].words[i].value);
	arena_free(tmp);
	return e;
}

static void convert_top(struct parse_ctx *ctx, const struct pt_node *n)
{
	struct stmt *s = arena_alloc(ctx->stmts, sizeof *s);
	s->loc = n->loc;
	switch (n->kind) {
	case PT_META:
		s->kind = STMT_META;
		s->meta = (enum meta_key)n->key;
		s->value = make_value(ctx, &n->args[0]);
		break;
	case PT_LET:
	case PT_ENV: {
		const struct pt_tok *t = &n->args[0];
		bool ok = t->len > 0 && is_ident_start((unsigned char)t->text[0]);
		for (size_t i = 0; ok && i < t->len; i++)
			ok = is_ident((unsigned char)t->text[i]);
		if (!ok) {
			diag_report(ctx->conv_diags, DIAG_E005, t->loc,
			            "\"%s\" is not a valid name (letters, digits, _)", t->text);
			return;
		}
		s->kind = n->kind == PT_LET ? STMT_LET : STMT_ENV;
		ctx->file->nsymbols++;
		s->name = arena_intern(ctx->arena, t->text, t->len);
		s->name_loc = t->loc;
		if (n->kind == PT_LET)
			s->value = make_value(ctx, &n->args[1]);
		break;
	}
	case PT_INCLUDE:
		s->kind = STMT_INCLUDE;
		s->value = make_value(ctx, &n->args[0]);
		break;
	case PT_KNOWN_ISSUE:
		s->kind = STMT_KNOWN_ISSUE;
		s->value = make_value(ctx, &n->args[0]);
		break;
	case PT_EFFECT:
		s->kind = STMT_EFFECT;
		s->decl = convert_effect(ctx, n);
		if (!s->decl)
			return;
		break;
	case PT_CHANGES_FROM:
		if (n->args[0].quoted || strcmp(n->args[0].text, "from-git") != 0) {
			diag_report(ctx->conv_diags, DIAG_E001, n->args[0].loc,
			            "expected \"{\" or from-git after changes");
			return;
		}
		s->kind = STMT_CHANGES_FROM_GIT;
		break;
	case PT_CHANGES_BLOCK: {
		s->kind = STMT_CHANGES;
		struct change **ct = &s->changes;
		for (const struct pt_node *c = n->children; c; c = c->next) {
			if (c->kind == PT_CHANGE)
				convert_change(ctx, c, &ct);
			else
				misplaced(ctx, c, "inside changes",
				          "each line is AREA KIND \"TEXT\", e.g. api added \"GET /v1/alerts\"");
		}
		break;
	}
	case PT_BLOCK:
		s->kind = STMT_BLOCK;
		s->block = convert_block(ctx, n, (enum block_kind)n->key, NULL);
		if (s->block && s->block->name)
			ctx->file->nblocks[s->block->kind]++;
		for (const struct command *c = s->block && s->block->has_capture ? s->block->cmds : NULL;
		     c; c = c->next)
			ctx->file->nsymbols += c->kind == CMD_CAPTURE;
		if (n->cut)
			add_lost(ctx, LOST_ANY);
		break;
	case PT_LOST:
		s->kind = STMT_LOST;
		s->lost = lost_bits(n->key);
		break;
	case PT_FLEET_BLOCK:
		s->kind = STMT_FLEET;
		s->fleet = convert_fleet(ctx, n);
		break;
	case PT_CHANGE: {
		struct diagnostic *d = diag_report(ctx->conv_diags, DIAG_E001, n->loc,
			"unknown statement \"%s\"", n->args[0].text);
		diag_note(d, (struct loc){0}, "change entries belong inside changes { }");
		return;
	}
	default:
		misplaced(ctx, n, "at the top level",
		          n->kind == PT_UNDO_BLOCK || n->kind == PT_UNDO_NONE ||
		          n->kind == PT_IRREVERSIBLE ? "it belongs inside a step"
		          : "it belongs inside a check, backup, step, verify or after-rollback block");
		return;
	}
	*ctx->tail = s;
	ctx->tail = &s->next;
}

void pt_top(struct parse_ctx *ctx, struct pt_node *n)
{
	if (n)
		convert_top(ctx, n);
	struct arena *older = ctx->scratch_old;
	arena_reset(older);
	ctx->scratch_old = ctx->scratch;
	ctx->scratch = older;
}

/* Report each byte that is not UTF-8 (or is NUL) and replace it, so the rest
 * of the file can still be parsed and checked in the same run. */
static char *sanitize_encoding(struct parse_ctx *ctx, const char *text, size_t len)
{
	char *copy = NULL;
	size_t off = 0;
	int reported = 0;
	while (off < len) {
		size_t good = utf8_valid_prefix(text + off, len - off);
		if (good == len - off)
			break;
		size_t bad = off + good;
		if (!copy) {
			copy = xmalloc(len + 1);
			memcpy(copy, text, len);
			copy[len] = '\0';
		}
		if (reported < 20) {
			struct loc l = {ctx->path, 1, 1};
			loc_advance(&l, text, bad);
			if (text[bad] == '\0')
				diag_report(ctx->diags, DIAG_E017, l, "NUL byte in the spec");
			else
				diag_report(ctx->diags, DIAG_E017, l,
				            "byte 0x%02x is not valid UTF-8", (unsigned char)text[bad]);
			reported++;
		}
		copy[bad] = '?';
		off = bad + 1;
	}
	return copy;
}

/* Report again, into to, everything reported into from (notes and all). */
static void replay_diags(struct diag_set *to, struct diag_set *from)
{
	size_t n = diag_count(from);
	for (size_t i = 0; i < n; i++) {
		const struct diagnostic *d = diag_get(from, i);
		struct diagnostic *c = diag_report(to, d->code, d->loc, "%s", d->message);
		if (d->end_col)
			diag_set_end(c, d->end_col);
		for (const struct diag_note *nt = d->notes; nt; nt = nt->next)
			diag_note(c, nt->loc, "%s", nt->text);
	}
}

/* Parse text, whose first line is line first_line of the file. */
static struct file_ast *parse_piece(struct arena *a, struct arena *stmts,
                                    struct diag_set *ds, const char *path,
                                    const char *text, size_t len,
                                    bool keep_source, int first_line)
{
	struct parse_ctx ctx;
	memset(&ctx, 0, sizeof ctx);
	ctx.arena = a;
	/* a half of a big spec: its blocks take megabytes */
	ctx.blocks = len >= relc_parse_split_min / 2 ? arena_new_big() : arena_new();
	ctx.stmts = stmts;
	ctx.scratch = arena_new();
	ctx.scratch_old = arena_new();
	ctx.diags = ds;
	ctx.conv_diags = diag_set_new();
	ctx.path = path;
	ctx.line = first_line;
	ctx.col = 1;
	ctx.at_stmt_start = true;
	ctx.last_was_newline = true;
	buf_init(&ctx.cmd);

	struct file_ast *f = arena_alloc(stmts, sizeof *f);
	f->path = path;
	ctx.file = f;
	ctx.tail = &f->stmts;

	char *clean = sanitize_encoding(&ctx, text, len);
	const char *src = clean ? clean : text;
	if (keep_source) {
		ctx.source = text;
		ctx.source_len = len;
	}

	ctx.scan_src = src;
	ctx.scan_len = len;
	yyscan_t scanner;
	if (relc_yylex_init_extra(&ctx, &scanner) != 0)
		relc_oom();
	int rc = relc_yyparse(scanner, &ctx);
	relc_yylex_destroy(scanner);
	if (ctx.swallowed)
		add_lost(&ctx, LOST_ANY); /* the rest of the file is a here-document */
	free(clean);
	free(ctx.open_blocks);
	buf_free(&ctx.cmd);
	arena_free(ctx.scratch);
	arena_free(ctx.scratch_old);
	arena_adopt(a, ctx.blocks);
	/* A parse that gave up (an error it could not recover from) yields no
	 * statements at all, as when the tree was converted after the parse. */
	if (rc == 0) {
		replay_diags(ds, ctx.conv_diags);
		f->tail = ctx.tail;
	} else {
		f->stmts = NULL;
		f->tail = &f->stmts;
		memset(f->nblocks, 0, sizeof f->nblocks);
	}
	diag_set_free(ctx.conv_diags);
	return f;
}

/* ---- a big file in two halves ---- */

size_t relc_parse_split_min = (size_t)1 << 20;
unsigned long relc_parse_halves;

struct piece {
	struct arena *a, *stmts;
	struct diag_set *ds;
	const char *path;
	const char *text;
	size_t len;
	bool keep_source;
	int first_line;
	struct file_ast *f;
};

static void *parse_job(void *arg)
{
	struct piece *p = arg;
	p->f = parse_piece(p->a, p->stmts, p->ds, p->path, p->text, p->len,
	                   p->keep_source, p->first_line);
	return NULL;
}

/* The offset of the first line at or after from that starts with a
 * lower-case letter (a statement keyword) and follows a line holding only
 * "}" and blank lines; 0 if there is none. */
static size_t split_point(const char *text, size_t len, size_t from)
{
	const char *end = text + len;
	for (const char *p = text + from; p < end; p++) {
		p = memchr(p, '\n', (size_t)(end - p));
		if (!p || end - p < 4)
			return 0;
		if (p[1] != '}' || p[2] != '\n')
			continue;
		const char *q = p + 3;
		while (q < end && *q == '\n')
			q++;
		if (q < end && islower((unsigned char)*q))
			return (size_t)(q - text);
	}
	return 0;
}

/* Both halves are parsed as files of their own, each into arenas of its
 * own. When neither reports anything, the cut was between two top-level
 * statements: a cut inside a block, a string or a here-document leaves one
 * of them unterminated, which is an error. Then the two lists of statements
 * are the file's. NULL: parse it whole instead, so every diagnostic comes
 * from the one way of reading. */
static struct file_ast *parse_halves(struct arena *a, struct arena *stmts,
                                     const char *path, const char *text,
                                     size_t len, bool keep_source, size_t cut)
{
	int line = 1;
	for (const char *p = text; (p = memchr(p, '\n', (size_t)(text + cut - p))); p++)
		line++;
	struct piece h[2] = {
		{ arena_new_big(), arena_new_big(), diag_set_new(), path, text, cut,
		  keep_source, 1, NULL },
		{ arena_new_big(), arena_new_big(), diag_set_new(), path, text + cut, len - cut,
		  keep_source, line, NULL },
	};
	run_both(parse_job, &h[0], parse_job, &h[1], true);
	struct file_ast *f = NULL;
	if (diag_count(h[0].ds) == 0 && diag_count(h[1].ds) == 0) {
		f = h[0].f;
		*f->tail = h[1].f->stmts;
		if (h[1].f->stmts)
			f->tail = h[1].f->tail;
		for (size_t k = 0; k < sizeof f->nblocks / sizeof f->nblocks[0]; k++)
			f->nblocks[k] += h[1].f->nblocks[k];
		f->nsymbols += h[1].f->nsymbols;
		for (int i = 0; i < 2; i++) {
			arena_adopt(a, h[i].a);
			arena_adopt(stmts, h[i].stmts);
		}
		relc_parse_halves++;
	} else {
		for (int i = 0; i < 2; i++) {
			arena_free(h[i].a);
			arena_free(h[i].stmts);
		}
	}
	diag_set_free(h[0].ds);
	diag_set_free(h[1].ds);
	return f;
}

static struct file_ast *parse(struct arena *a, struct arena *stmts,
                              struct diag_set *ds, const char *path,
                              const char *text, size_t len, bool keep_source)
{
	size_t cut = len >= relc_parse_split_min ? split_point(text, len, len / 2) : 0;
	struct file_ast *f = cut ? parse_halves(a, stmts, path, text, len, keep_source, cut) : NULL;
	return f ? f : parse_piece(a, stmts, ds, path, text, len, keep_source, 1);
}

struct file_ast *parse_text(struct arena *a, struct diag_set *ds,
                            const char *path, const char *text, size_t len)
{
	return parse(a, a, ds, path, text, len, false);
}

struct file_ast *parse_source(struct arena *a, struct arena *stmts,
                              struct diag_set *ds, const char *path,
                              const char *text, size_t len)
{
	return parse(a, stmts, ds, path, text, len, true);
}
