/* ast.h - the syntax tree and the resolved release model.
 *
 * The parser builds one `struct file_ast` per source file (a list of top-level
 * statements, blocks fully built). resolve.c inlines includes and produces one
 * `struct release`: the model every check and back end reads. Every node
 * carries its source location; all memory belongs to one arena, except that
 * run commands' texts point into the spec's source (kept as long as the
 * model) and a compiled file's statements have their own, freed once read. */
#ifndef RELC_AST_H
#define RELC_AST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "util.h"

/* A position in a source file: 1-based line and column (a column is a
 * character: loc_advance). */
struct loc {
	const char *file; /* interned display path, as given or as included */
	int line;
	int col;
};

/* Move l over the n bytes of s: a newline starts the next line, and every
 * byte but a UTF-8 continuation byte (10xxxxxx) is a column. Eight bytes at
 * a time while they are ASCII without a newline: the scanner calls it for
 * every token, and a command is a whole line of one token. */
static inline void loc_advance(struct loc *l, const char *s, size_t n)
{
	const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
	size_t i = 0;
	while (i < n) {
		if (i + 8 <= n) {
			uint64_t x, nl;
			memcpy(&x, s + i, 8);
			nl = x ^ (ones * '\n');
			if (!(((nl - ones) & ~nl) & highs) && !(x & highs)) {
				l->col += 8;
				i += 8;
				continue;
			}
		}
		unsigned char c = (unsigned char)s[i++];
		if (c == '\n') {
			l->line++;
			l->col = 1;
		} else if ((c & 0xc0) != 0x80) {
			l->col++;
		}
	}
}

/* ---- strings with ${name} interpolation ---- */

enum seg_kind { SEG_TEXT, SEG_REF };

struct symbol;

/* Fields are ordered widest first and lengths are 32-bit (a spec is at most
 * 256 MiB), so the records a spec has tens of thousands of have no holes. */
struct seg {
	const char *text; /* SEG_TEXT: decoded text; SEG_REF: the name */
	struct loc loc;   /* where the text or the "${" starts */
	struct symbol *sym; /* SEG_REF, set by resolve */
	uint32_t len;
	enum seg_kind kind;
};

/* A value written as a bare word or a "string". */
struct value {
	struct loc loc;
	const char *raw;   /* source text, without the quotes */
	struct seg *segs;  /* decoded segments (a bare word is one SEG_TEXT) */
	const char *expanded; /* resolve: references to lets/builtins substituted
	                         (NULL if it refers to env or capture values) */
	uint32_t nsegs;
	bool quoted;       /* written as "..." */
};

/* ---- symbols ---- */

enum sym_kind { SYM_LET, SYM_ENV, SYM_CAPTURE, SYM_BUILTIN };

struct command;
struct block;

struct symbol {
	const char *name; /* interned */
	enum sym_kind kind;
	struct loc loc;         /* definition (builtins: none, line 0) */
	struct value *value;    /* SYM_LET: the value (expanded after resolve) */
	const char *builtin;    /* SYM_BUILTIN: the value, NULL if not known */
	struct command *capture; /* SYM_CAPTURE: the capture command */
	bool overridable;       /* SYM_LET: deploy.sh --set may override it */
	struct symbol *next;    /* in release->symbols, definition order */
};

/* ---- commands ---- */

/* Where a ${name} reference stands in shell text: decides how it is quoted. */
enum ref_ctx {
	REF_UNQUOTED,  /* plain word context, also inside $(...) and `...` */
	REF_DQUOTED,   /* inside "..." */
	REF_HEREDOC,   /* inside an unquoted here-document body */
};

/* A spec has several of these per step: the location is not stored but
 * computed from the command's when a diagnostic needs it (ref_loc). */
struct ref {
	const char *name;  /* interned */
	struct symbol *sym; /* set by resolve */
	uint32_t off, len; /* span of "${name}" in the command text */
	enum ref_ctx ctx;
	bool in_backquotes; /* inside `...`: only a quoted variable is safe there,
	                       never a literal value pasted in place */
};

enum expect_kind {
	EXPECT_EXIT,      /* expect exit N */
	EXPECT_EQUALS,    /* expect stdout "TEXT" */
	EXPECT_CONTAINS,  /* expect stdout contains "TEXT" */
	EXPECT_MATCHES,   /* expect stdout matches "ERE" */
	EXPECT_EMPTY,
	EXPECT_NOT_EMPTY,
	EXPECT_COMPARE,   /* expect stdout OP INTEGER */
	EXPECT_NOT_CONTAINS, /* expect stdout not contains "TEXT" */
	EXPECT_NOT_MATCHES,  /* expect stdout not matches "ERE" */
};

enum stream { STREAM_STDOUT, STREAM_STDERR };
enum cmp_op { CMP_EQ, CMP_NE, CMP_LT, CMP_LE, CMP_GT, CMP_GE };

struct expect {
	struct loc loc;
	int64_t number;       /* EXPECT_EXIT, EXPECT_COMPARE */
	struct value *text;   /* EQUALS, [NOT_]CONTAINS, [NOT_]MATCHES */
	struct expect *next;
	enum expect_kind kind : 8; /* one byte each: 56 -> 48 bytes */
	enum stream stream : 8;
	enum cmp_op op : 8;
};

enum cmd_kind { CMD_RUN, CMD_CAPTURE };

/* The name a capture command defines: only about one command in 17 is a
 * capture, so it lives apart from the command. */
struct capture_name {
	const char *name;     /* interned */
	struct loc loc;
};

/* A spec has several commands per step: pointers first, then the 32-bit
 * fields, no holes (88 bytes). */
struct command {
	struct loc loc;       /* of the command text's first byte */
	/* Verbatim, trimmed; may hold "\\\n" and here-doc lines. A run command's
	 * text usually points into the spec's source, so it does not end in NUL:
	 * read len bytes. A capture's is a NUL-terminated copy (effects.c reads
	 * it as a C string). */
	const char *text;
	struct ref *refs;     /* spec references in shell-expansion positions */
	struct expect *expects;
	struct block *block;  /* the block it belongs to */
	struct command *next;
	const struct capture_name *capture; /* CMD_CAPTURE: the name; else NULL */
	uint32_t len;
	uint32_t nrefs;
	/* `run` / `capture` is in loc.file, nearly always on loc's line: the
	 * file is not stored twice (command_kw_loc gives the whole loc). */
	uint32_t kw_line, kw_col;
	int index;            /* 1-based within its block */
	enum cmd_kind kind : 8;
};

/* ---- blocks ---- */

enum block_kind {
	BLOCK_CHECK,
	BLOCK_BACKUP,
	BLOCK_STEP,
	BLOCK_VERIFY,
	BLOCK_AFTER_ROLLBACK,
	BLOCK_UNDO, /* the undo { } of a step */
};

enum policy { POLICY_DEFAULT, POLICY_ABORT, POLICY_ROLLBACK, POLICY_ESCALATE };

enum undo_kind { UNDO_MISSING, UNDO_BLOCK, UNDO_NONE, UNDO_IRREVERSIBLE };

/* The text as written is not kept: only the parser quotes it, from its
 * own tokens. */
struct duration {
	struct loc loc;         /* of the keyword; line 0 if not written */
	int64_t min_ms, max_ms; /* a single duration has min == max */
	bool set;               /* written and valid */
};

struct checksum {
	struct loc loc;
	const char *name; /* interned capture name */
	struct symbol *sym;
	struct checksum *next;
};

/* A spec has about two blocks per step (the step and its undo): the small
 * fields share one word at the end, and the timeout, which few blocks have,
 * is kept apart (248 -> 160 bytes). */
struct block {
	struct loc loc;       /* of the keyword */
	const char *name;     /* decoded name (NULL for undo) */
	struct value *name_value;
	struct command *cmds;
	struct block *next;
	struct duration estimate;
	struct duration *timeout; /* min_ms == max_ms; NULL if not written */
	struct checksum *checksums;
	/* steps only */
	struct loc undo_loc;
	const char *undo_reason;
	struct block *undo;   /* UNDO_BLOCK: kind BLOCK_UNDO */
	struct block *parent; /* BLOCK_UNDO: its step */
	int ncmds;            /* the commands in cmds (add_command counts them) */
	int index;            /* 1-based within its kind (steps: step number) */
	int after_steps;      /* backups: how many steps are written before it */
	enum block_kind kind : 8;
	enum policy policy : 8;   /* as written; POLICY_DEFAULT if not */
	enum undo_kind undo_kind : 8; /* steps only */
	bool past_no_return;  /* a step after an allowed irreversible one */
	bool has_capture;     /* one of its commands is a capture */
	/* A syntax error took some of its lines (or its "}"): the rules that
	 * judge what a block lacks say nothing of it (no cascades). */
	bool cut;
	/* hash_bytes of name as parsed, taken by the parse threads so that the
	 * duplicate-name check after them reads no name (resolve_expand may
	 * later replace name; nothing reads this after the check) */
	uint32_t name_hash;
};

/* ---- release notes ---- */

enum change_area { AREA_API, AREA_BACKEND, AREA_MIGRATION };
enum change_kind {
	/* api */
	CHANGE_ADDED, CHANGE_CHANGED, CHANGE_FIXED, CHANGE_REMOVED, CHANGE_BREAKING,
	/* backend (also added, changed, fixed) */
	CHANGE_PERFORMANCE, CHANGE_DATABASE,
	/* migration */
	CHANGE_SCHEMA, CHANGE_DATA, CHANGE_INDEX,
};

struct change {
	struct loc loc;
	enum change_area area;
	enum change_kind kind;
	struct value *text;
	const char *commit;   /* from-git: the full commit id; NULL if explicit */
	struct change *next;
};

struct known_issue {
	struct loc loc;
	struct value *text;
	struct known_issue *next;
};

/* ---- fleet rollout ---- */

/* One size of `batches`: a host count, or a percentage of the group. */
struct batch_size {
	struct loc loc;
	int64_t n;
	bool percent;
};

/* fleet { hosts GROUP; batches SIZE, ...; pause D; timeout D }: the release
 * goes to an inventory group in batches, through the emitted playbooks. */
struct fleet {
	struct loc loc;           /* of the keyword */
	const char *group;        /* NULL if not given (reported) */
	struct loc group_loc;
	struct batch_size *batches; /* the last size repeats */
	int nbatches;
	struct duration pause;    /* set: wait between batches */
	struct duration timeout;  /* set: the limit on each host's deploy.sh */
};

/* `effect KIND [OBJECT] = FORM`: what an opaque command changes, for the
 * effect rules (effects.c adds it to what the built-in table finds). */
enum decl_kind { DECL_DATA, DECL_CODE, DECL_DEPS, DECL_FILE };

struct effect_decl {
	struct loc loc;
	enum decl_kind kind;
	struct value *object;   /* NULL: not named (data "somewhere") */
	const char **words;     /* the command form: literal words, ${name}
	                           references, "*" for any one word */
	size_t nwords;
	const char *form;       /* as written, for messages */
	struct effect_decl *next;
};

/* ---- per-file syntax ---- */

enum stmt_kind {
	STMT_META,      /* release, project, date, previous, target, branch,
	                   downtime, deploy-time, state-dir, repository */
	STMT_LET,
	STMT_ENV,
	STMT_INCLUDE,
	STMT_BLOCK,
	STMT_CHANGES,
	STMT_CHANGES_FROM_GIT,
	STMT_KNOWN_ISSUE,
	STMT_FLEET,
	STMT_LOST,      /* what a syntax error took: see stmt.lost */
	STMT_EFFECT,
};

/* What a syntax error may have taken, as bits of stmt.lost and
 * release.lost: a metadata line, a block of a kind, or anything (a here-
 * document or a block that ran to the end of the file, a line whose first
 * word is no keyword). Rules about what a release lacks skip these. */
#define LOST_META(k) (1u << (k))
#define LOST_BLOCK(k) (1u << (16 + (k)))
#define LOST_ANY 0xffffffffu

enum meta_key {
	META_RELEASE, META_PROJECT, META_DATE, META_PREVIOUS, META_TARGET,
	META_BRANCH, META_DOWNTIME, META_DEPLOY_TIME, META_STATE_DIR,
	META_REPOSITORY,
	META__COUNT
};

struct stmt {
	struct loc loc;
	enum stmt_kind kind;
	enum meta_key meta;     /* STMT_META */
	const char *name;       /* STMT_LET, STMT_ENV: interned */
	struct loc name_loc;
	struct value *value;    /* META, LET, INCLUDE, KNOWN_ISSUE */
	struct block *block;    /* STMT_BLOCK */
	struct change *changes; /* STMT_CHANGES */
	struct fleet *fleet;    /* STMT_FLEET */
	uint32_t lost;          /* STMT_LOST */
	struct effect_decl *decl; /* STMT_EFFECT */
	struct stmt *next;
};

struct file_ast {
	const char *path;       /* display path */
	struct stmt *stmts;
	struct stmt **tail;     /* the last statement's next (or &stmts) */
	/* Named top-level blocks of each kind, counted as they are parsed:
	 * resolve sizes its name tables from them without a walk. */
	size_t nblocks[BLOCK_UNDO + 1];
	size_t nsymbols;        /* its lets, envs and captures: the symbols it adds */
};

/* ---- the resolved release ---- */

struct meta_value {
	bool set;
	struct loc loc;
	struct value *value;
};

struct semver {
	int64_t major, minor, patch;
	const char *prerelease; /* NULL if none */
	const char *build;      /* NULL if none */
};

struct source_file {
	const char *path;       /* display path (interned) */
	const char *fs_path;    /* path used to open it (canonical for an include) */
	const char *dir;        /* canonical folder its includes are found in;
	                         * NULL when it cannot be resolved */
	struct loc included_at; /* line 0 for the root */
	struct source_file *includer;
	struct source_file *next;
};

struct release {
	struct meta_value meta[META__COUNT];
	struct semver version;
	int year, month, day;
	int64_t downtime_ms;       /* -1 if not given */
	int64_t deploy_time_ms;    /* -1 if not given */
	const char *state_dir;     /* given or default */
	/* pinned git revisions: 40 hex digits, or "" when not resolved */
	char previous_id[41];
	char target_id[41];
	const char *previous_ref;  /* as written */
	const char *target_ref;    /* as written; "HEAD" by default */
	/* `repository none`: previous and target are version labels of software
	 * not built from a repository; nothing is pinned, no repository read. */
	bool no_repository;

	struct symbol *symbols;    /* lets, envs, captures, builtins */
	struct block *checks, *backups, *steps, *verifies, *after_rollbacks;
	int nchecks, nbackups, nsteps, nverifies, nafter_rollbacks;
	struct change *changes;    /* explicit then from-git, deduplicated */
	bool changes_from_git;
	struct loc changes_from_git_loc;
	struct known_issue *known_issues;
	struct fleet *fleet;       /* NULL: no fleet block */
	uint32_t lost;             /* LOST_* bits of every file's STMT_LOST */
	struct effect_decl *effect_decls; /* in file order, includes too */
	struct source_file *files; /* root first, then includes in order */
	struct name_map symbol_index; /* name -> symbol, for release_symbol */
	const char *root_path;     /* the spec as given on the command line */
};

/* ---- builders (called from the grammar's actions) ---- */

struct arena;
/* A value holding exactly this text (no escapes or references decoded):
 * for values made by later passes, such as commit subjects. */
struct value *ast_value(struct arena *a, struct loc loc, const char *raw,
                        size_t len, bool quoted);
struct command *ast_command(struct arena *a, struct loc kw_loc, struct loc loc,
                            const char *text, size_t len);
/* The same without copying text: it must outlive a, and need not end in NUL
 * (a slice of the spec's source). */
struct command *ast_command_in(struct arena *a, struct loc kw_loc, struct loc loc,
                               const char *text, size_t len);
struct block *ast_block(struct arena *a, struct loc loc, enum block_kind kind,
                        struct value *name);

/* Helpers every pass uses. */
const char *block_kind_name(enum block_kind k);   /* "check", "step", ... */
const char *change_area_name(enum change_area a); /* "api", ... */
const char *change_kind_name(enum change_kind k); /* "added", ... */
const char *policy_name(enum policy p);
const char *cmp_op_name(enum cmp_op op);
const char *meta_key_name(enum meta_key k);        /* "release", "deploy-time", ... */            /* "==", "<=", ... as specs write them */            /* "abort", ... */
/* The policy that applies: the written one, or the kind's default. */
enum policy block_policy(const struct block *b);
/* Where reference r of command c starts (its "$"). */
struct loc ref_loc(const struct command *c, const struct ref *r);
/* Where a command's `run` / `capture` keyword is. */
struct loc command_kw_loc(const struct command *c);
/* The effective timeout: given, or twice the upper estimate, or 0 if none. */
int64_t block_timeout_ms(const struct block *b);

/* Backups and steps run in the order written (checks before them, verifies
 * after): a walk over both lists in that order, for the back ends. */
struct deploy_walk {
	const struct block *backup, *step;
};
void deploy_walk_start(struct deploy_walk *w, const struct release *r);
const struct block *deploy_walk_next(struct deploy_walk *w); /* NULL: done */

/* Is a backup written before step k (1-based)? The test behind E012. */
bool release_backup_before(const struct release *r, int k);
/* Find a symbol by name, NULL if none. */
struct symbol *release_symbol(const struct release *r, const char *name);
/* The same for a name that is not NUL-terminated (a ${name} inside a text). */
struct symbol *release_symbol_n(const struct release *r, const char *name, size_t len);
/* Parse a duration ("250ms", "30s", "5m", "2h", "1m30s": units in
 * decreasing order, each once) into milliseconds; false if malformed. */
bool parse_duration(const char *s, size_t len, int64_t *ms);
/* Format milliseconds the way specs write them ("1m30s", "250ms"). */
void format_duration(struct buf *out, int64_t ms);

#endif
