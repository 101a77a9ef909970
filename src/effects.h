/* effects.h - the table of known operator commands and what they change.
 *
 * relc reads each command through the shell tokenizer (sh_parse), looks
 * through wrappers that do not change what runs (sudo, su -c, env, X=Y,
 * timeout, command, cd D &&), and matches what is left against a table of
 * command forms. A matched form yields effects: a kind of state and the
 * object it applies to (a unit, a directory, a file, a database...). The
 * effect rules (check_effects.c, check_effects.h) compare the effects of
 * the steps with those found on each rollback path; docs/effects.md lists
 * every row. */
#ifndef RELC_EFFECTS_H
#define RELC_EFFECTS_H

#include <stdbool.h>
#include <stddef.h>

#include "ast.h"
#include "diag.h"
#include "shell.h"
#include "util.h"


enum effect_kind {
	EFF_NONE,              /* recognised, changes nothing (reads, queries) */
	EFF_SERVICE_STARTED,   /* systemctl start U: U running */
	EFF_SERVICE_STOPPED,   /* systemctl stop U: U stopped */
	EFF_SERVICE_RESTARTED, /* restart/reload U: U runs the code on disk */
	EFF_UNIT_ENABLED,      /* systemctl enable U */
	EFF_UNIT_DISABLED,     /* systemctl disable U */
	EFF_CODE,              /* git pull/checkout/reset --hard/merge: code in D */
	EFF_DEPS,              /* uv sync, pip install, npm ci...: dependencies in D */
	EFF_DATA,              /* a writing SQL statement, a restore, a migration */
	EFF_DOWN_MIGRATION,    /* a migration run backwards */
	EFF_MOVE,              /* mv A B: B replaced, A gone */
	EFF_FILE,              /* cp/install/tee/> B: file B written */
	EFF_REMOVE,            /* rm -f / rm -rf / rmdir X: X gone */
	EFF_LINK,              /* ln -s T L: link L */
	EFF_DIR,               /* mkdir D */
	EFF_USER_ADDED,        /* useradd U */
	EFF_USER_DELETED,      /* userdel U */
	EFF_GROUP_ADDED,       /* groupadd G */
	EFF_GROUP_DELETED,     /* groupdel G */
	EFF_PACKAGE_INSTALLED, /* apt-get install P */
	EFF_PACKAGE_REMOVED,   /* apt-get remove/purge P */
	EFF_CRONTAB,           /* crontab FILE / crontab -r: a user's crontab */
	EFF_SYSCTL,            /* sysctl -w KEY=VALUE */
	EFF_FIREWALL_ADDED,    /* iptables -A/-I CHAIN RULE */
	EFF_FIREWALL_REMOVED,  /* iptables -D CHAIN RULE */
	EFF_UNITS_RELOADED,    /* systemctl daemon-reload: unit files read again */
	EFF__COUNT
};

/* Facts about a word, or about the effect built from it. */
enum {
	EW_CAPTURE = 1u << 0,        /* holds a spec reference to a capture */
	EW_BACKUP_CAPTURE = 1u << 1, /* ... to a capture made in a backup block */
	EW_PREVIOUS = 1u << 2,       /* names the previous revision */
	EW_SHELL = 1u << 3,          /* holds a plain shell expansion ($x, $(...)) */
	EW_MAYBE_EMPTY = 1u << 4,    /* starts with an expansion that may be empty */
	EF_IN_PLACE = 1u << 5,       /* a file edited in place (sed -i, perl -i) */
	EF_FROM_BACKUP = 1u << 8,    /* effect of a command that reads a backup capture */
	EF_PINNED = 1u << 9,         /* a package installed at a pinned version */
	EF_NOW = 1u << 10,           /* systemctl enable/disable --now */
	EF_SQL = 1u << 11,           /* data written by an explicit SQL statement */
	EF_CRON_REMOVE = 1u << 12,   /* crontab -r: the user's crontab deleted */
	EF_CRON_EDIT = 1u << 13,     /* crontab -e: edited by hand */
	EF_SAVED_INPUT = 1u << 14,   /* reads a capture on its input (pipe or <) */
	EF_ONE_MIGRATION = 1u << 15, /* `db:rollback` with no STEP or VERSION: the newest
	                                migration only, not a release's */
};

/* A word after prefixes and quotes were looked through. */
struct eword {
	const char *val;  /* compared text: spec references to lets and built-ins
	                     replaced by their values, trailing '/' removed */
	const char *text; /* as written, quotes removed (for messages) */
	unsigned flags;   /* EW_* */
};

struct effect_rule;
struct effect_use;

/* One state change (or, in an undo, one candidate inverse). */
struct effect {
	enum effect_kind kind;
	unsigned flags;        /* EW_* of arg (or obj), EF_* */
	const char *obj;       /* compared object ("" when not known) */
	const char *obj_text;  /* the object as written */
	const char *arg;       /* second object: revision, link target, tool,
	                          source file, value; NULL if none */
	const char *arg_text;
	const struct effect_rule *rule; /* the row that made it */
	const struct effect_use *use;
};

/* One simple command, as the table saw it. */
struct effect_use {
	size_t off, len;            /* span in the command text (for su -c and
	                               sh -c: the span of the outer command) */
	const char *dir;            /* from `cd D`, `git -C D`...; NULL unknown */
	const char *dir_text;
	struct eword *argv;         /* words after the looked-through prefixes */
	size_t argc;
	const char *prefixes;       /* what was looked through ("sudo, cd"); "" */
	const struct effect_rule *rule; /* NULL: not recognised */
	struct effect *effects;
	size_t neffects;
	const char *pipe_from;      /* program whose output it reads, or NULL */
	const struct eword *pipe_from_argv; /* that program's words */
	size_t pipe_from_argc;
	const char *stdin_text;     /* the `<` target as written */
	unsigned stdin_flags;       /* EW_* of the target */
	/* the small fields together: one per simple command adds up */
	bool stdin_file;            /* has a `<` redirection */
	bool guarded;               /* in a `||` list, or after `test ... &&` */
	bool heredoc;               /* reads a here-document */
};

/* A row of the table: one command form. */
struct effect_rule {
	const char *form;     /* "systemctl start U" */
	enum effect_kind kind;/* main effect (EFF_NONE for read-only forms) */
	const char *effect;   /* "service U running" */
	const char *inverse;  /* accepted inverses, in words */
};

/* Every simple command of one spec command. */
struct cmd_effects {
	const struct command *cmd;
	struct effect_use *uses;
	size_t nuses;
	struct effect *effects; /* all effects of all uses, in order */
	size_t neffects;
};

/* The table of command forms; *n receives its length. */
const struct effect_rule *effects_table(size_t *n);

/* Did the spec declare this effect (`effect KIND [OBJECT] = FORM`) rather
 * than the built-in table recognise it? */
bool effect_declared(const struct effect *e);

/* Recognise every simple command of cmd. rel (may be NULL) supplies the
 * values of spec references and tells captures of backups apart; all memory
 * comes from the arena, which must outlive the result. Nothing is cached:
 * the checks read one block at a time into a scratch arena (check_effects.c)
 * so that the effects of a whole release are never held at once. */
void effects_of_command(struct arena *a, const struct release *rel,
                        const struct command *cmd, struct cmd_effects *out);

/* The same for bare shell text (no spec references): for tests and tools. */
void effects_of_text(struct arena *a, const struct release *rel,
                     const char *text, size_t len, struct cmd_effects *out);

/* Does any use change state (an effect other than EFF_NONE)? */
bool effects_change_state(const struct cmd_effects *ce);

/* Does the command change stored data (EFF_DATA)? The test behind E012. */
bool effects_change_data(const struct cmd_effects *ce);

/* A short name of an effect kind ("service running", "code"...). */
const char *effect_kind_name(enum effect_kind k);

/* "service bmtc-api running", "code in /opt/app": the effect in words. */
void effect_describe(struct buf *out, const struct effect *e);

/* The program that starts and stops the service of e: "pm2" for a pm2
 * process, "systemctl" otherwise (for hints). */
const char *effect_service_tool(const struct effect *e);

/* Is path p in one of systemd's unit folders (/etc/systemd/system...)?
 * Writing or removing a file there takes effect at a daemon-reload. */
bool effects_unit_path(const char *p);
/* Is e a `tar -x` or an `unzip` (files under a folder that was there before)? */
bool effect_unpacks(const struct effect *e);

/* The inverse the rollback path needs for e, in words. A hint never names
 * a command that removes more than the step created. */
void effect_describe_inverse(struct buf *out, const struct effect *e);

#endif
