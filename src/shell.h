/* shell.h - POSIX shell quoting and the mini shell tokenizer.
 *
 * The one place that knows shell syntax: the lexer asks it where here-documents
 * start, resolve asks it where ${name} spec references stand, the back ends
 * quote every value through it, and the effects table reads commands through
 * sh_parse. */
#ifndef RELC_SHELL_H
#define RELC_SHELL_H

#include <stdbool.h>
#include <stddef.h>

#include "ast.h"
#include "util.h"

/* Quote any byte string (no NUL) as one shell word: '...' with each ' written
 * as '"'"'. Always quotes, so the result is safe in any word context. */
void sh_quote(struct buf *out, const char *s, size_t len);

/* Like sh_quote, but leaves a word bare when it is made only of
 * [A-Za-z0-9_@%+=:,./-], is not empty and does not read as an assignment
 * (NAME=...): for the Markdown plan, where readability matters. */
void sh_quote_word(struct buf *out, const char *s, size_t len);

/* Text to stand inside "..." as exactly s: escapes $ ` " and \. */
void sh_quote_dquoted(struct buf *out, const char *s, size_t len);

/* Text to stand inside an unquoted here-document as exactly s: escapes $ ` \.
 * The caller keeps s free of a line equal to the delimiter. */
void sh_quote_heredoc(struct buf *out, const char *s, size_t len);

/* A here-document operator found on a logical command line. */
struct sh_heredoc {
	size_t op_off;      /* offset of "<<" in the line */
	size_t delim_off;   /* offset of the delimiter word as written */
	size_t delim_wlen;  /* its length as written (with quotes) */
	char delim[256];    /* the delimiter after quote removal */
	bool strip_tabs;    /* <<- */
	bool quoted;        /* any part of the word was quoted: body is literal */
	bool too_long;      /* the delimiter did not fit in delim[] */
};

/* Find the here-document operators of one logical line (backslash-newlines
 * included), outside quotes, backquotes and comments, in order; those inside
 * $( ) count, as in the shell. <<< and $((a<<b)) are not here-documents, nor
 * is << with no word after it. Returns how many were found (at most max are
 * stored; the count may exceed max). */
size_t sh_find_heredocs(const char *line, size_t len, struct sh_heredoc *out,
                        size_t max);

/* Does body line `line` (without its newline) close here-doc h? With <<-,
 * leading tabs are ignored. A too_long delimiter never closes. */
bool sh_heredoc_closes(const struct sh_heredoc *h, const char *line, size_t len);

/* A ${name} spec reference found in command text, where the shell would
 * expand it: not inside single quotes, not in a quoted here-document body,
 * not after a backslash escape. Only ${IDENT} counts; ${#x}, ${x:-y}, $x,
 * $1 are plain shell. */
struct sh_ref {
	size_t off, len;          /* span of "${name}" */
	size_t name_off, name_len;
	enum ref_ctx ctx;
	/* Inside `...`, where the shell removes backslashes before $ ` \ and
	 * ends at any `, whatever the quotes: no quoting function can place an
	 * arbitrary literal there safely, only a variable ("${V}" or ${V}). */
	bool in_backquotes;
};

/* Find every spec reference in a whole command (here-document bodies
 * included), in source order. The context is that of the innermost construct:
 * REF_UNQUOTED inside $( ) and `...` even within "...", REF_DQUOTED inside
 * "..." and $((...)); references nested in ${x:-${y}} count.
 * Quoting a literal in place with the function for its context is exact
 * except in two spots: inside `...` (see in_backquotes) and in the word of
 * "${x:-...}" (a value holding } or ', or starting with ~, comes out
 * changed); a quoted variable expansion is exact everywhere.
 * Returns the count; *out is malloc'd (free it), NULL if none. */
size_t sh_find_refs(const char *text, size_t len, struct sh_ref **out);

/* ---- simple commands, for the effects table ---- */

enum sh_sep { SH_SEP_END, SH_SEP_SEMI, SH_SEP_AND, SH_SEP_OR, SH_SEP_PIPE, SH_SEP_BG };

struct sh_word {
	size_t off, len;     /* raw span in the text */
	const char *value;   /* after quote removal; expansions kept as written */
	bool expands;        /* holds a $ or ` expansion outside single quotes */
};

struct sh_redir {
	size_t off;
	const char *op;      /* ">", ">>", "<", "2>", ">&", "<<", ... (interned) */
	struct sh_word target; /* for "<<": the delimiter word */
};

/* One simple command: words (leading VAR=x assignments included), its
 * redirections, and the separator that follows it. Commands inside ( ),
 * { }, $( ) and `...` are listed too, with depth > 0. */
struct sh_simple {
	size_t off, len;
	struct sh_word *words;
	size_t nwords;
	struct sh_redir *redirs;
	size_t nredirs;
	enum sh_sep sep;
	int depth;
	bool negated;        /* preceded by ! */
	/* The innermost compound command part it stands in, inherited by
	 * nested lists: "if" (an if/elif condition), "then", "else", "while" or
	 * "until" (a loop condition), "do" (a loop body), "for" (its word
	 * list, for commands substituted there), "case" (a case item);
	 * NULL when it runs unconditionally in sequence. Static strings. */
	const char *clause;
};

/* Split a whole command (here-document bodies are skipped) into simple
 * commands in source order (by off); arrays live in the arena. A newline
 * separates like ';'. Reserved words are not words of any command: they
 * set `clause` and `negated`; `for NAME in ...` and `case WORD in` headers
 * and case patterns are dropped (commands substituted inside them are still
 * listed). Unbalanced quotes or parentheses run to the end of the text.
 * Returns the count. */
size_t sh_parse(struct arena *a, const char *text, size_t len,
                struct sh_simple **out);

#endif
