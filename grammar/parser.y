/* parser.y - the grammar of the .rel language.
 *
 * Deliberately shallow: every line is one statement, a block is a header, "{",
 * lines, "}". Which statement may stand where is decided by parse.c when it
 * turns this tree into the AST, so misplaced statements get a precise E003
 * instead of a generic syntax error. Actions only call pt_* constructors. */
%code top {
#define _POSIX_C_SOURCE 200809L
}

%code requires {
#include "parse_tree.h"
typedef void *yyscan_t;
struct pt_seq {
	struct pt_node *first, *last;
};
}

%code provides {
/* flex's bison bridge speaks of YYSTYPE and YYLTYPE */
#ifndef YYSTYPE
#define YYSTYPE RELC_YYSTYPE
#endif
#ifndef YYLTYPE
#define YYLTYPE RELC_YYLTYPE
#endif
int relc_yylex(YYSTYPE *lval, YYLTYPE *lloc, yyscan_t scanner);
}

%code {
#include <stdio.h>
#include <string.h>

#define yylex relc_yylex

static struct loc L(struct parse_ctx *ctx, YYLTYPE l)
{
	return (struct loc){ctx->path, l.first_line, l.first_column};
}

static void yyerror(YYLTYPE *lloc, yyscan_t scanner, struct parse_ctx *ctx,
                    const char *msg)
{
	(void)scanner;
	pt_syntax_error(ctx, L(ctx, *lloc), msg);
}

static struct pt_seq seq_add(struct pt_seq s, struct pt_node *n)
{
	if (!n)
		return s;
	if (s.last)
		s.last->next = n;
	else
		s.first = n;
	s.last = n;
	return s;
}

static struct pt_node *block(struct pt_node *head, struct pt_seq body)
{
	head->children = body.first;
	return head;
}
}

%define api.pure full
%define api.prefix {relc_yy}
%define parse.error detailed
%define parse.lac full
%locations
%union {
	struct pt_tok tok;
	struct pt_node *node;
	struct pt_seq seq;
	int key;
}
%param {yyscan_t scanner}
%parse-param {struct parse_ctx *ctx}
%expect 0

%token END 0              "end of file"
%token NEWLINE            "end of line"
%token LBRACE             "{"
%token RBRACE             "}"
%token EQUALS             "="
%token <tok> WORD      "word"
%token <tok> STRING    "string"
%token <tok> COMMAND   "command"
%token K_RELEASE "release" K_PROJECT "project" K_DATE "date"
%token K_PREVIOUS "previous" K_TARGET "target" K_BRANCH "branch"
%token K_DOWNTIME "downtime" K_DEPLOY_TIME "deploy-time"
%token K_STATE_DIR "state-dir" K_REPOSITORY "repository"
%token K_LET "let" K_ENV "env" K_INCLUDE "include"
%token K_CHECK "check" K_BACKUP "backup" K_STEP "step"
%token K_VERIFY "verify" K_AFTER_ROLLBACK "after-rollback"
%token K_RUN "run" K_CAPTURE "capture" K_EXPECT "expect"
%token K_ESTIMATE "estimate" K_TIMEOUT "timeout"
%token K_ON_FAILURE "on-failure" K_CHECKSUM "checksum"
%token K_UNDO "undo" K_IRREVERSIBLE "irreversible"
%token K_CHANGES "changes" K_KNOWN_ISSUE "known-issue"
%token K_FLEET "fleet"
%token <tok> FLEET_KEY "fleet setting"
%token K_EFFECT "effect"

%type <seq> lines
%type <node> line statement block_head expect_args fleet_item
%type <tok> value
%type <key> meta_key block_kind

/* Everything lives in the scratch arena: discarding a symbol frees nothing. */
%destructor { (void)$$; } <*>

%%

file:
	  top_lines
	;
/* Top-level lines are handed over one by one, so the raw tree never holds
 * more than a statement or two. */
top_lines:
	  %empty
	| top_lines line        { pt_top(ctx, $2); }
	;

lines:
	  %empty                { $$ = (struct pt_seq){NULL, NULL}; }
	| lines line            { $$ = seq_add($1, $2); }
	;

line:
	  NEWLINE               { $$ = NULL; }
	| statement NEWLINE     { $$ = $1; }
	| block_head LBRACE NEWLINE lines RBRACE NEWLINE
	                        { $$ = block($1, $4); $$->cut = ctx->at_eof; }
	| error NEWLINE         { $$ = pt_lost(ctx, L(ctx, @1), NULL); yyerrok; }
	/* A block whose header is broken still ends at its "}": its lines are
	 * read (for their own syntax errors) and then dropped, not taken for
	 * top-level statements. */
	| error LBRACE { $<key>$ = ctx->stmt_kw; } NEWLINE lines RBRACE NEWLINE
	                        { $$ = pt_lost(ctx, L(ctx, @1), $5.first); $$->key = $<key>3; yyerrok; }
	;

statement:
	  meta_key value        { $$ = pt_new(ctx, PT_META, L(ctx, @1)); $$->key = $1; pt_arg($$, $2); }
	| K_LET WORD EQUALS value
	                        { $$ = pt_new(ctx, PT_LET, L(ctx, @1)); pt_arg($$, $2); pt_arg($$, $4); }
	| K_ENV WORD            { $$ = pt_new(ctx, PT_ENV, L(ctx, @1)); pt_arg($$, $2); }
	| K_INCLUDE value       { $$ = pt_new(ctx, PT_INCLUDE, L(ctx, @1)); pt_arg($$, $2); }
	| K_CHANGES WORD        { $$ = pt_new(ctx, PT_CHANGES_FROM, L(ctx, @1)); pt_arg($$, $2); }
	| K_EFFECT WORD EQUALS COMMAND
	                        { $$ = pt_new(ctx, PT_EFFECT, L(ctx, @1)); pt_arg($$, $2); pt_arg($$, $4); }
	| K_EFFECT WORD value EQUALS COMMAND
	                        { $$ = pt_new(ctx, PT_EFFECT, L(ctx, @1)); pt_arg($$, $2); pt_arg($$, $5); pt_arg($$, $3); }
	| K_KNOWN_ISSUE value   { $$ = pt_new(ctx, PT_KNOWN_ISSUE, L(ctx, @1)); pt_arg($$, $2); }
	| K_RUN COMMAND         { $$ = pt_new(ctx, PT_RUN, L(ctx, @1)); pt_arg($$, $2); }
	| K_CAPTURE WORD EQUALS COMMAND
	                        { $$ = pt_new(ctx, PT_CAPTURE, L(ctx, @1)); pt_arg($$, $2); pt_arg($$, $4); }
	| K_EXPECT expect_args  { $$ = $2; $$->loc = L(ctx, @1); }
	| K_ESTIMATE value      { $$ = pt_new(ctx, PT_ESTIMATE, L(ctx, @1)); pt_arg($$, $2); }
	| K_TIMEOUT value       { $$ = pt_new(ctx, PT_TIMEOUT, L(ctx, @1)); pt_arg($$, $2); }
	| K_ON_FAILURE value    { $$ = pt_new(ctx, PT_ON_FAILURE, L(ctx, @1)); pt_arg($$, $2); }
	| K_CHECKSUM value      { $$ = pt_new(ctx, PT_CHECKSUM, L(ctx, @1)); pt_arg($$, $2); }
	| K_UNDO WORD value     { $$ = pt_new(ctx, PT_UNDO_NONE, L(ctx, @1)); pt_arg($$, $2); pt_arg($$, $3); }
	| K_IRREVERSIBLE value  { $$ = pt_new(ctx, PT_IRREVERSIBLE, L(ctx, @1)); pt_arg($$, $2); }
	| WORD WORD value       { $$ = pt_new(ctx, PT_CHANGE, $1.loc); pt_arg($$, $1); pt_arg($$, $2); pt_arg($$, $3); }
	| fleet_item            { $$ = $1; }
	;

/* The scanner gives FLEET_KEY only for a line's first word inside fleet { }. */
fleet_item:
	  FLEET_KEY             { $$ = pt_new(ctx, PT_FLEET_ITEM, $1.loc); pt_arg($$, $1); }
	| fleet_item value      { $$ = $1; pt_list(ctx, $$, $2); }
	;

expect_args:
	  value                 { $$ = pt_new(ctx, PT_EXPECT, $1.loc); pt_list(ctx, $$, $1); }
	| expect_args value     { $$ = $1; pt_list(ctx, $$, $2); }
	;

block_head:
	  block_kind value      { $$ = pt_new(ctx, PT_BLOCK, L(ctx, @1)); $$->key = $1; pt_arg($$, $2); }
	| K_UNDO                { $$ = pt_new(ctx, PT_UNDO_BLOCK, L(ctx, @1)); }
	| K_CHANGES             { $$ = pt_new(ctx, PT_CHANGES_BLOCK, L(ctx, @1)); }
	| K_FLEET               { $$ = pt_new(ctx, PT_FLEET_BLOCK, L(ctx, @1)); }
	;

meta_key:
	  K_RELEASE             { $$ = META_RELEASE; }
	| K_PROJECT             { $$ = META_PROJECT; }
	| K_DATE                { $$ = META_DATE; }
	| K_PREVIOUS            { $$ = META_PREVIOUS; }
	| K_TARGET              { $$ = META_TARGET; }
	| K_BRANCH              { $$ = META_BRANCH; }
	| K_DOWNTIME            { $$ = META_DOWNTIME; }
	| K_DEPLOY_TIME         { $$ = META_DEPLOY_TIME; }
	| K_STATE_DIR           { $$ = META_STATE_DIR; }
	| K_REPOSITORY          { $$ = META_REPOSITORY; }
	;

block_kind:
	  K_CHECK               { $$ = BLOCK_CHECK; }
	| K_BACKUP              { $$ = BLOCK_BACKUP; }
	| K_STEP                { $$ = BLOCK_STEP; }
	| K_VERIFY              { $$ = BLOCK_VERIFY; }
	| K_AFTER_ROLLBACK      { $$ = BLOCK_AFTER_ROLLBACK; }
	;

value:
	  WORD                  { $$ = $1; }
	| STRING                { $$ = $1; }
	;

%%
