/* parse_tree.h - the raw tree the grammar builds, private to the front end.
 *
 * Grammar actions only call the pt_* constructors; parse.c then walks this
 * tree with its context (top level, block, undo, changes) and builds the
 * typed AST of ast.h, reporting misplaced statements and invalid values. */
#ifndef RELC_PARSE_TREE_H
#define RELC_PARSE_TREE_H

#include <stdbool.h>
#include <stddef.h>

#include "ast.h"
#include "diag.h"

enum pt_kind {
	PT_META,         /* key value */
	PT_LET,          /* name = value */
	PT_ENV,          /* name */
	PT_INCLUDE,      /* value */
	PT_CHANGES_FROM, /* changes WORD */
	PT_KNOWN_ISSUE,  /* value */
	PT_EFFECT,       /* kind command [object] */
	PT_RUN,          /* command */
	PT_CAPTURE,      /* name = command */
	PT_EXPECT,       /* args */
	PT_ESTIMATE,     /* value */
	PT_TIMEOUT,      /* value */
	PT_ON_FAILURE,   /* value */
	PT_CHECKSUM,     /* value */
	PT_UNDO_NONE,    /* WORD value */
	PT_IRREVERSIBLE, /* value */
	PT_CHANGE,       /* area kind text */
	PT_BLOCK,        /* check/backup/step/verify/after-rollback "name" { } */
	PT_UNDO_BLOCK,   /* undo { } */
	PT_CHANGES_BLOCK, /* changes { } */
	PT_FLEET_BLOCK,  /* fleet { } */
	PT_FLEET_ITEM,   /* inside fleet: SETTING values (args[0], list) */
	PT_LOST          /* a line (or a block) that had a syntax error */
};

/* A token's text and where it stood. */
struct pt_tok {
	const char *text; /* scratch copy, NUL-terminated; strings without quotes */
	size_t len;
	struct loc loc;
	bool quoted;
	bool in_source;   /* COMMAND: text points into parse_ctx.source instead
	                     (not NUL-terminated) */
};

struct pt_node {
	enum pt_kind kind;
	struct loc loc;           /* of the first token */
	int key;                  /* PT_META: enum meta_key; PT_BLOCK: enum block_kind;
	                             PT_LOST: the token of its first word, 0 if none */
	struct pt_tok args[3];    /* fixed-shape arguments */
	int nargs;
	struct pt_tok *list;      /* PT_EXPECT: every argument */
	int nlist, caplist;
	struct command *cmd;      /* PT_RUN, PT_CAPTURE */
	struct pt_node *children; /* blocks: the lines inside */
	bool cut;                 /* PT_BLOCK: closed by the end of the file */
	struct pt_node *next;
};

/* The scanner's and parser's shared state (flex's "extra"). */
struct parse_ctx {
	struct arena *arena;   /* the AST's: what outlives the parse */
	/* The blocks alone, given to arena at the end: the rules that walk every
	 * step then read consecutive memory, not one cache miss a block. */
	struct arena *blocks;
	struct arena *stmts;   /* the file_ast and its statements */
	/* The raw tree and token texts. Each top-level statement is converted as
	 * soon as it is parsed; the parser may already hold the next token, so
	 * two arenas take turns and the older one is emptied. */
	struct arena *scratch, *scratch_old;
	struct diag_set *diags; /* the scanner's and the parser's */
	/* Conversion's, held back until the parse has succeeded: a parse that
	 * gives up yields no statements, so none of their findings either. */
	struct diag_set *conv_diags;
	const char *path;      /* display path, interned */
	/* The bytes a run command's text may point into (it outlives the AST),
	 * or NULL to copy every text. */
	const char *source;
	size_t source_len;
	/* What the scanner reads (source, or a copy with bad bytes replaced):
	 * scan_at bytes of it are in flex's buffer; pos is the offset of the
	 * next byte to match (each match advances it, yyless takes it back). */
	const char *scan_src;
	size_t scan_len, scan_at;
	size_t pos;
	/* scanner state */
	int line, col;         /* position of the next byte */
	bool at_stmt_start;    /* the next word is a statement's first word */
	bool last_was_newline; /* for the synthetic end-of-line at EOF */
	struct loc stmt_loc;   /* first token of the current statement */
	struct loc *open_blocks; /* where each open { was started */
	int nopen, capopen;
	struct buf cmd;        /* the command being assembled */
	struct loc cmd_loc;
	size_t cmd_off;        /* where the command starts in scan_src */
	size_t cmd_logical_end; /* end of the logical line within cmd */
	struct heredoc_state *heredocs;
	size_t nheredocs, heredoc_at;
	int capture_state;     /* 0 none, 1 after `capture`, 2 after its name */
	bool fleet_pending;    /* the line started with `fleet`: its { opens one */
	int fleet_depth;       /* nopen inside the open fleet block, 0 if none */
	int stmt_kw;           /* the keyword token the current statement starts
	                          with, 0 if it starts otherwise */
	bool at_eof;           /* the scanner closes what is still open */
	bool swallowed;        /* an unclosed here-document ran to the end */
	/* result */
	struct file_ast *file;
	struct stmt **tail;    /* where the next statement goes */
};

struct pt_node *pt_new(struct parse_ctx *ctx, enum pt_kind kind, struct loc loc);
void pt_arg(struct pt_node *n, struct pt_tok t);
void pt_list(struct parse_ctx *ctx, struct pt_node *n, struct pt_tok t);
/* A top-level line is complete (n NULL for an empty or erroneous one): turn
 * it into a statement and recycle the scratch memory of the one before. */
void pt_top(struct parse_ctx *ctx, struct pt_node *n);
/* A line or block lost to a syntax error (children: a block's lines). */
struct pt_node *pt_lost(struct parse_ctx *ctx, struct loc loc, struct pt_node *children);
/* Report a syntax error at loc (the grammar's yyerror). */
void pt_syntax_error(struct parse_ctx *ctx, struct loc loc, const char *msg);

#endif
