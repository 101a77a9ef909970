/* effects.c - the table of known operator commands and the reader that
 * matches commands against it.
 *
 * A command is split into simple commands by sh_parse. For each one the
 * wrappers that leave the program unchanged are looked through (X=Y, env,
 * sudo, su -c, sh -c, timeout, command, nice, nohup, exec), `cd D` sets the
 * directory for the commands after it, and the program left is matched by a
 * matcher per family (systemctl, git, package tools, SQL clients, file
 * utilities, accounts, system settings). Objects are compared by value:
 * spec references to lets and built-ins are replaced by what they stand for,
 * so `cd ${app}` and `cd /opt/app` name the same directory. */
#include "effects.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>
#include <stdlib.h>

/* Rows of the table, by name, so matchers can point at theirs. */
enum rule_id {
	R_CD,
	R_READ_ONLY,
	R_SYSTEMCTL_START,
	R_SYSTEMCTL_STOP,
	R_SYSTEMCTL_ENABLE,
	R_SYSTEMCTL_ENABLE_NOW,
	R_SYSTEMCTL_DISABLE,
	R_SYSTEMCTL_DISABLE_NOW,
	R_SYSTEMCTL_RESTART,
	R_SYSTEMCTL_RELOAD,
	R_SYSTEMCTL_QUERY,
	R_SYSTEMCTL_DAEMON_RELOAD,
	R_SERVICE,
	R_PM2_START,
	R_PM2_STOP,
	R_PM2_RESTART,
	R_PM2_READ,
	R_SUPERVISOR_START,
	R_SUPERVISOR_STOP,
	R_SUPERVISOR_RESTART,
	R_SUPERVISOR_READ,
	R_GIT_PULL,
	R_GIT_CHECKOUT,
	R_GIT_RESET_HARD,
	R_GIT_MERGE,
	R_GIT_READ,
	R_GIT_PUSH,
	R_UV_SYNC,
	R_PIP_INSTALL,
	R_PIP_PIN,
	R_PIP_UNINSTALL,
	R_NPM_CI,
	R_YARN_INSTALL,
	R_BUNDLE_INSTALL,
	R_POETRY_INSTALL,
	R_SQLITE3_WRITE,
	R_SQLITE3_READ,
	R_PSQL_WRITE,
	R_PSQL_READ,
	R_MYSQL_WRITE,
	R_MYSQL_READ,
	R_PG_RESTORE,
	R_MIGRATE,
	R_DOWN_MIGRATION,
	R_MIGRATE_STATUS,
	R_MV,
	R_CP,
	R_INSTALL,
	R_INSTALL_DIR,
	R_TEE,
	R_REDIRECT,
	R_LN_S,
	R_MKDIR,
	R_RM,
	R_RMDIR,
	R_TAR_X,
	R_UNZIP,
	R_SED_I,
	R_PERL_I,
	R_RSYNC,
	R_DOWNLOAD,
	R_USERADD,
	R_USERDEL,
	R_GROUPADD,
	R_GROUPDEL,
	R_APT_INSTALL,
	R_APT_REMOVE,
	R_APT_READ,
	R_DPKG_INSTALL,
	R_DPKG_REMOVE,
	R_CRONTAB,
	R_CRONTAB_LIST,
	R_SYSCTL_W,
	R_SYSCTL_READ,
	R_IPTABLES_ADD,
	R_IPTABLES_DELETE,
	R_IPTABLES_READ,
	R__COUNT
};

static const struct effect_rule table[R__COUNT] = {
	[R_CD] = { "cd D", EFF_NONE, "sets the directory of the commands after it", "" },
	[R_READ_ONLY] = { "read-only programs: cat, ls, echo, printf, test, sleep, grep, awk, sed (no -i), head, tail, df, du, find (no -delete/-exec), stat, readlink, id, getent, date, sha256sum, cmp, diff, journalctl, jq, pg_dump, gzip -t/-c, zcat, curl without a body or -X",
	                  EFF_NONE, "reads only", "" },
	[R_SYSTEMCTL_START] = { "systemctl start U", EFF_SERVICE_STARTED, "service U running", "systemctl stop U" },
	[R_SYSTEMCTL_STOP] = { "systemctl stop U", EFF_SERVICE_STOPPED, "service U stopped",
	                       "systemctl start U (or restart U), after the code is reverted" },
	[R_SYSTEMCTL_ENABLE] = { "systemctl enable U", EFF_UNIT_ENABLED, "unit U enabled", "systemctl disable U" },
	[R_SYSTEMCTL_ENABLE_NOW] = { "systemctl enable --now U", EFF_UNIT_ENABLED, "unit U enabled and service U running",
	                             "systemctl disable --now U, or disable U and stop U" },
	[R_SYSTEMCTL_DISABLE] = { "systemctl disable U", EFF_UNIT_DISABLED, "unit U disabled", "systemctl enable U" },
	[R_SYSTEMCTL_DISABLE_NOW] = { "systemctl disable --now U", EFF_UNIT_DISABLED, "unit U disabled and service U stopped",
	                              "systemctl enable --now U, or enable U and start U after the code is reverted" },
	[R_SYSTEMCTL_RESTART] = { "systemctl restart U (also try-restart, reload-or-restart)", EFF_SERVICE_RESTARTED,
	                          "service U runs the code on disk",
	                          "systemctl restart U or reload U, or stop U and a later start U, after the code is reverted" },
	[R_SYSTEMCTL_RELOAD] = { "systemctl reload U", EFF_SERVICE_RESTARTED, "service U runs the code on disk",
	                         "systemctl restart U or reload U, or stop U and a later start U, after the code is reverted" },
	[R_SYSTEMCTL_QUERY] = { "systemctl is-active/is-enabled/status/show/cat U", EFF_NONE, "reads only", "" },
	[R_SYSTEMCTL_DAEMON_RELOAD] = { "systemctl daemon-reload", EFF_UNITS_RELOADED,
	                                "unit files read again (completes a unit file written or removed)", "" },
	[R_SERVICE] = { "service U start|stop|restart|reload", EFF_SERVICE_RESTARTED, "as the matching systemctl verb",
	                "as the matching systemctl verb" },
	[R_PM2_START] = { "pm2 start NAME (or SCRIPT --name NAME)", EFF_SERVICE_STARTED, "pm2 process NAME running",
	                  "pm2 stop NAME or pm2 delete NAME" },
	[R_PM2_STOP] = { "pm2 stop NAME / pm2 delete NAME", EFF_SERVICE_STOPPED, "pm2 process NAME stopped",
	                 "pm2 start NAME (or restart) after the code is reverted" },
	[R_PM2_RESTART] = { "pm2 restart NAME / pm2 reload NAME", EFF_SERVICE_RESTARTED,
	                    "pm2 process NAME runs the code on disk",
	                    "pm2 restart NAME or reload NAME, or stop NAME and a later start NAME, after the code is reverted" },
	[R_PM2_READ] = { "pm2 list/status/pid/show/describe/jlist/logs", EFF_NONE, "reads only", "" },
	[R_SUPERVISOR_START] = { "supervisorctl start NAME", EFF_SERVICE_STARTED, "supervisor program NAME running",
	                         "supervisorctl stop NAME" },
	[R_SUPERVISOR_STOP] = { "supervisorctl stop NAME", EFF_SERVICE_STOPPED, "supervisor program NAME stopped",
	                        "supervisorctl start NAME (or restart) after the code is reverted" },
	[R_SUPERVISOR_RESTART] = { "supervisorctl restart NAME (also signal)", EFF_SERVICE_RESTARTED,
	                           "supervisor program NAME runs the code on disk",
	                           "supervisorctl restart NAME, or stop NAME and a later start NAME, after the code is reverted" },
	[R_SUPERVISOR_READ] = { "supervisorctl status/avail/pid/tail/reread", EFF_NONE, "reads only", "" },
	[R_GIT_PULL] = { "git pull (in D)", EFF_CODE, "code in D", "git checkout ${previous} or git reset --hard ${previous} in D" },
	[R_GIT_CHECKOUT] = { "git checkout R / git switch R (in D)", EFF_CODE, "code in D",
	                     "git checkout ${previous} or git reset --hard ${previous} in D" },
	[R_GIT_RESET_HARD] = { "git reset --hard R (in D)", EFF_CODE, "code in D",
	                       "git checkout ${previous} or git reset --hard ${previous} in D" },
	[R_GIT_MERGE] = { "git merge / git rebase (in D)", EFF_CODE, "code in D",
	                  "git checkout ${previous} or git reset --hard ${previous} in D" },
	[R_GIT_READ] = { "git fetch/status/log/diff/show/rev-parse/describe/ls-remote", EFF_NONE, "reads only (fetch leaves the work tree alone)", "" },
	[R_GIT_PUSH] = { "git push", EFF_NONE, "changes the remote, not this machine", "" },
	[R_UV_SYNC] = { "uv sync / uv pip install (in D)", EFF_DEPS, "dependencies in D", "the same tool in D, after the code is reverted" },
	[R_PIP_INSTALL] = { "pip install (in D)", EFF_DEPS, "dependencies in D", "the same tool in D, after the code is reverted" },
	[R_PIP_PIN] = { "pip install NAME==V (in an environment)", EFF_PACKAGE_INSTALLED, "Python package NAME at V",
	                "pip install NAME==W with another version, or pip uninstall NAME, in the same environment" },
	[R_PIP_UNINSTALL] = { "pip uninstall NAME", EFF_PACKAGE_REMOVED, "Python package NAME removed", "" },
	[R_NPM_CI] = { "npm ci / npm install (in D)", EFF_DEPS, "dependencies in D", "the same tool in D, after the code is reverted" },
	[R_YARN_INSTALL] = { "yarn install / pnpm install (in D)", EFF_DEPS, "dependencies in D", "the same tool in D, after the code is reverted" },
	[R_BUNDLE_INSTALL] = { "bundle install (in D)", EFF_DEPS, "dependencies in D", "the same tool in D, after the code is reverted" },
	[R_POETRY_INSTALL] = { "poetry install (in D)", EFF_DEPS, "dependencies in D", "the same tool in D, after the code is reverted" },
	[R_SQLITE3_WRITE] = { "sqlite3 DB with a writing statement (or a dump on its input)", EFF_DATA, "data",
	                      "a restore that reads a backup capture, a down migration, or SQL that writes in an undo" },
	[R_SQLITE3_READ] = { "sqlite3 DB with reading statements only", EFF_NONE, "reads only", "" },
	[R_PSQL_WRITE] = { "psql with DDL or DML (-c, -f, or input)", EFF_DATA, "data",
	                   "a restore that reads a backup capture, a down migration, or SQL that writes in an undo" },
	[R_PSQL_READ] = { "psql with reading statements only", EFF_NONE, "reads only", "" },
	[R_MYSQL_WRITE] = { "mysql with DDL or DML (-e, or input)", EFF_DATA, "data",
	                    "a restore that reads a backup capture, a down migration, or SQL that writes in an undo" },
	[R_MYSQL_READ] = { "mysql with reading statements only", EFF_NONE, "reads only", "" },
	[R_PG_RESTORE] = { "pg_restore", EFF_DATA, "data", "a restore that reads a backup capture, a down migration, or SQL that writes in an undo" },
	[R_MIGRATE] = { "a command with a word containing migrate (also alembic upgrade)", EFF_DATA, "data",
	                "a restore that reads a backup capture, a down migration, or SQL that writes in an undo" },
	[R_DOWN_MIGRATION] = { "a migration run down (migrate ... down/rollback, alembic downgrade, db:rollback)",
	                       EFF_DOWN_MIGRATION, "data, migrated back", "" },
	[R_MIGRATE_STATUS] = { "a migration status or dry run (migrate status/--check/--dry-run/--plan/show)", EFF_NONE, "reads only", "" },
	[R_MV] = { "mv A B", EFF_MOVE, "B replaced, A gone", "mv B A, or a restore of B" },
	[R_CP] = { "cp A B", EFF_FILE, "file B", "a restore of B from a backup capture or saved copy, or rm -f B" },
	[R_INSTALL] = { "install ... B", EFF_FILE, "file B", "a restore of B from a backup capture or saved copy, or rm -f B" },
	[R_INSTALL_DIR] = { "install -d D", EFF_DIR, "directory D", "rm -rf D or rmdir D" },
	[R_TEE] = { "tee B", EFF_FILE, "file B", "a restore of B from a backup capture or saved copy, or rm -f B" },
	[R_REDIRECT] = { "> B (also >>)", EFF_FILE, "file B", "a restore of B from a backup capture or saved copy, or rm -f B" },
	[R_LN_S] = { "ln -s[f][n] T L", EFF_LINK, "link L", "ln -sfn to a captured previous target, or rm -f L" },
	[R_MKDIR] = { "mkdir D", EFF_DIR, "directory D", "rm -rf D or rmdir D" },
	[R_RM] = { "rm X", EFF_REMOVE, "X removed", "" },
	[R_RMDIR] = { "rmdir D", EFF_REMOVE, "D removed", "" },
	[R_TAR_X] = { "tar -x (into D)", EFF_FILE, "files under D", "a tar -x from a backup capture into D" },
	[R_UNZIP] = { "unzip ARCHIVE (into D, -d D)", EFF_FILE, "files under D",
	              "an unzip or tar -x of a backup capture into D" },
	[R_SED_I] = { "sed -i ... F (also -i.SUFFIX, --in-place)", EFF_FILE, "file F, edited in place",
	              "a restore of F from a backup capture or saved copy" },
	[R_PERL_I] = { "perl -i ... F (perl -pi -e CODE F)", EFF_FILE, "file F, edited in place",
	               "a restore of F from a backup capture or saved copy" },
	[R_RSYNC] = { "rsync A... B (B on this machine)", EFF_FILE, "files in B",
	              "a restore of B from a backup capture or saved copy (rsync from it)" },
	[R_DOWNLOAD] = { "curl -o F / wget -O F", EFF_FILE, "file F",
	                 "a restore of F from a backup capture or saved copy, or rm -f F" },
	[R_USERADD] = { "useradd U (also adduser)", EFF_USER_ADDED, "account U", "userdel U" },
	[R_USERDEL] = { "userdel U (also deluser)", EFF_USER_DELETED, "account U removed", "" },
	[R_GROUPADD] = { "groupadd G (also addgroup)", EFF_GROUP_ADDED, "group G", "groupdel G" },
	[R_GROUPDEL] = { "groupdel G (also delgroup)", EFF_GROUP_DELETED, "group G removed", "" },
	[R_APT_INSTALL] = { "apt-get install P / apt install P", EFF_PACKAGE_INSTALLED, "package P",
	                    "apt-get remove P (or purge), or an install of a pinned version P=V" },
	[R_APT_REMOVE] = { "apt-get remove/purge P", EFF_PACKAGE_REMOVED, "package P removed", "" },
	[R_DPKG_INSTALL] = { "dpkg -i FILE.deb (also apt install ./FILE.deb): NAME_VERSION_ARCH.deb", EFF_PACKAGE_INSTALLED,
	                     "package NAME at VERSION",
	                     "apt-get remove NAME (or purge), or an install of another version of NAME (dpkg -i, or apt-get install NAME=V)" },
	[R_DPKG_REMOVE] = { "dpkg -r/-P P (also --remove, --purge)", EFF_PACKAGE_REMOVED, "package P removed", "" },
	[R_APT_READ] = { "apt-get update / apt-cache / apt list / dpkg -l", EFF_NONE, "reads only (update refreshes the package lists)", "" },
	[R_CRONTAB] = { "crontab FILE / crontab - / crontab -r / crontab -e (-u USER)", EFF_CRONTAB,
	                "system setting: the user's crontab replaced or removed",
	                "crontab FILE or crontab - reinstalling a copy saved before the change (a capture, a backup capture, or a file written by crontab -l), for the same user" },
	[R_CRONTAB_LIST] = { "crontab -l", EFF_NONE, "reads only", "" },
	[R_SYSCTL_W] = { "sysctl -w KEY=VALUE", EFF_SYSCTL, "system setting KEY", "sysctl -w KEY=another value" },
	[R_SYSCTL_READ] = { "sysctl KEY / sysctl -a", EFF_NONE, "reads only", "" },
	[R_IPTABLES_ADD] = { "iptables -A/-I CHAIN RULE (also ip6tables)", EFF_FIREWALL_ADDED, "system setting: firewall rule",
	                     "iptables -D CHAIN RULE" },
	[R_IPTABLES_DELETE] = { "iptables -D CHAIN RULE", EFF_FIREWALL_REMOVED, "system setting: firewall rule removed",
	                        "iptables -A CHAIN RULE" },
	[R_IPTABLES_READ] = { "iptables -L/-S/-C", EFF_NONE, "reads only", "" },
};

/* Rows for declared effects (`effect KIND [OBJECT] = FORM` in a spec or an
 * include), kept out of the built-in table: what they match is the spec's. */
static const struct effect_rule declared_rows[] = {
	[DECL_DATA] = { "declared: effect data [OBJECT] = FORM", EFF_DATA, "data (declared)",
	                "a restore that reads a backup capture, a down migration, or SQL that writes in an undo" },
	[DECL_CODE] = { "declared: effect code D = FORM", EFF_CODE, "code in D (declared)",
	                "git checkout ${previous} or git reset --hard ${previous} in D" },
	[DECL_DEPS] = { "declared: effect deps D = FORM", EFF_DEPS, "dependencies in D (declared)",
	                "the same tool in D, after the code is reverted" },
	[DECL_FILE] = { "declared: effect file F = FORM", EFF_FILE, "file F (declared)",
	                "a restore of F from a backup capture or saved copy" },
};

const struct effect_rule *effects_table(size_t *n)
{
	*n = R__COUNT;
	return table;
}

bool effect_declared(const struct effect *e)
{
	/* by identity: < and > between pointers into different arrays are undefined */
	for (size_t i = 0; i < sizeof declared_rows / sizeof declared_rows[0]; i++)
		if (e->rule == &declared_rows[i])
			return true;
	return false;
}

/* ---- the reader's state ---- */

struct rec {
	struct arena *a;
	struct arena *scratch; /* the shell parse: only words are kept, copied into a */
	const struct sh_simple *last_sc; /* the simple command of the last use */
	const struct release *rel;
	struct effect_use *uses;
	size_t nuses, cap;
	const char *dir, *dir_text;
	size_t off, len;      /* span of the outer simple command */
	struct buf prefixes;  /* what was looked through so far */
	struct buf word;      /* make_word's expansion, reused */
	const char *outer_prefixes; /* looked through before an su -c string */
	int nest;             /* su -c / sh -c recursion depth */
	const char *text;     /* the whole command, for here-document SQL */
	size_t tlen;
};

/* The first bytes compared inline: most calls look a word up in a list of
 * names (programs, options) where the first byte already differs. */
static bool streq(const char *a, const char *b)
{
	return a && b && a[0] == b[0] && strcmp(a, b) == 0;
}

static bool one_of(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (streq(s, *list))
			return true;
	return false;
}

static const char *base_name(const char *s)
{
	const char *slash = strrchr(s, '/');
	return slash ? slash + 1 : s;
}

static bool is_ident_start(char c)
{
	return isalpha((unsigned char)c) || c == '_';
}

static bool is_ident_char(char c)
{
	return isalnum((unsigned char)c) || c == '_';
}

static bool contains_ci(const char *s, const char *needle)
{
	size_t len = strlen(s);
	return find_ci(s, len, needle, 0) < len;
}

/* The symbol a ${name} stands for, or NULL. */
static const struct symbol *lookup(const struct rec *r, const char *name,
                                   size_t len)
{
	return r->rel ? release_symbol_n(r->rel, name, len) : NULL;
}

static bool is_previous_name(const char *name, size_t len)
{
	return (len == 8 && !memcmp(name, "previous", 8)) ||
	       (len == 12 && !memcmp(name, "previous_ref", 12));
}

/* Flags and replacement text for one ${name} reference. */
static const char *ref_value(const struct rec *r, const char *name, size_t len,
                             unsigned *flags, bool at_start)
{
	const struct symbol *s = lookup(r, name, len);
	if (is_previous_name(name, len))
		*flags |= EW_PREVIOUS;
	if (!s)
		return NULL;
	switch (s->kind) {
	case SYM_LET: {
		const char *v = s->value ? s->value->expanded : NULL;
		if (v && !*v && at_start)
			*flags |= EW_MAYBE_EMPTY;
		return v;
	}
	case SYM_BUILTIN:
		return s->builtin && *s->builtin ? s->builtin : NULL;
	case SYM_CAPTURE:
		*flags |= EW_CAPTURE;
		if (at_start)
			*flags |= EW_MAYBE_EMPTY;
		if (s->capture && s->capture->block &&
		    s->capture->block->kind == BLOCK_BACKUP)
			*flags |= EW_BACKUP_CAPTURE;
		/* A revision saved before the change is the previous one. */
		if (s->capture && s->capture->text &&
		    strstr(s->capture->text, "rev-parse"))
			*flags |= EW_PREVIOUS;
		return NULL;
	case SYM_ENV:
		return NULL;
	}
	return NULL;
}

/* s (n bytes) without its trailing slashes ("/" stays): s itself when it
 * has none, else a copy. Compared and shown names both drop them. */
static const char *without_trailing_slashes(struct rec *r, const char *s, size_t n)
{
	size_t k = n;
	while (k > 1 && s[k - 1] == '/')
		k--;
	return k == n ? s : arena_strndup(r->a, s, k);
}

/* Build the compared form of a word and its flags. */
static struct eword make_word(struct rec *r, const char *text, bool expands)
{
	/* copied, not interned: the shell parse is freed, and a is a block's
	 * scratch arena, gone before repeats across commands could add up */
	size_t len = strlen(text);
	text = arena_strndup(r->a, text, len);
	struct eword w = { .text = text, .val = text, .flags = 0 };
	if (!expands && !strpbrk(text, "$`"))
		goto trim;
	struct buf *b = &r->word;
	buf_clear(b);
	for (size_t i = 0; text[i];) {
		char c = text[i];
		if (c != '$' && c != '`') {
			size_t run = strcspn(text + i, "$`");
			buf_add(b, text + i, run);
			i += run;
			continue;
		}
		if (c == '$' && text[i + 1] == '{' && is_ident_start(text[i + 2])) {
			size_t j = i + 2;
			while (is_ident_char(text[j]))
				j++;
			if (text[j] == '}') {
				const char *v = ref_value(r, text + i + 2, j - i - 2,
				                          &w.flags, i == 0);
				if (v)
					buf_puts(b, v);
				else
					buf_add(b, text + i, j + 1 - i);
				i = j + 1;
				continue;
			}
			/* ${x:?message} stops the shell when x is empty. */
			bool guard = text[j] == ':' && text[j + 1] == '?';
			w.flags |= EW_SHELL;
			if (i == 0 && !guard)
				w.flags |= EW_MAYBE_EMPTY;
		} else {
			w.flags |= EW_SHELL;
			if (i == 0)
				w.flags |= EW_MAYBE_EMPTY;
		}
		buf_putc(b, c);
		i++;
	}
	w.val = arena_strndup(r->a, b->data ? b->data : "", b->len);
	len = b->len;
trim:
	w.val = without_trailing_slashes(r, w.val, len);
	if (r->rel && ((r->rel->previous_id[0] && streq(w.val, r->rel->previous_id)) ||
	               (r->rel->previous_ref && streq(w.val, r->rel->previous_ref))))
		w.flags |= EW_PREVIOUS;
	return w;
}

/* ---- building uses and effects ---- */

/* The uses and their effects are built in the scratch arena (finish copies
 * them into the lasting one): no malloc and free for each command. */
static struct effect_use *new_use(struct rec *r)
{
	if (r->nuses == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 8;
		r->uses = arena_grow(r->scratch, r->uses, r->nuses, r->cap, sizeof *r->uses);
	}
	struct effect_use *u = &r->uses[r->nuses++];
	memset(u, 0, sizeof *u);
	u->off = r->off;
	u->len = r->len;
	u->dir = r->dir;
	u->dir_text = r->dir_text;
	return u;
}

static void add_effect(struct rec *r, struct effect_use *u, enum rule_id id,
                       enum effect_kind kind, const struct eword *obj,
                       const struct eword *arg, unsigned flags)
{
	/* most uses have one or two effects: a copy to grow costs nothing */
	u->effects = arena_grow(r->scratch, u->effects, u->neffects, u->neffects + 1,
	                        sizeof *u->effects);
	struct effect *e = &u->effects[u->neffects++];
	memset(e, 0, sizeof *e);
	e->kind = kind;
	e->rule = &table[id];
	e->obj = obj ? obj->val : "";
	e->obj_text = obj ? obj->text : "";
	if (arg) {
		e->arg = arg->val;
		e->arg_text = arg->text;
		flags |= arg->flags;
	}
	if (obj)
		flags |= obj->flags & (EW_CAPTURE | EW_BACKUP_CAPTURE);
	e->flags = flags;
}

/* An object word made from a plain string (a directory, a tool name). */
static struct eword plain(const char *val, const char *text)
{
	return (struct eword){ .val = val ? val : "", .text = text ? text : (val ? val : ""), .flags = 0 };
}

static bool is_opt(const struct eword *w)
{
	return w->text[0] == '-' && w->text[1] != '\0';
}

/* The operands of argv[from..n): words that are not options, skipping the
 * argument of each option listed in with_arg. Returns their count. */
static size_t operands(const struct eword *argv, size_t n, size_t from,
                       const char *const *with_arg, size_t *idx, size_t max)
{
	size_t k = 0;
	bool dashdash = false;
	for (size_t i = from; i < n; i++) {
		if (!dashdash && streq(argv[i].text, "--")) {
			dashdash = true;
			continue;
		}
		if (!dashdash && is_opt(&argv[i])) {
			if (with_arg && one_of(argv[i].text, with_arg))
				i++;
			continue;
		}
		if (k < max)
			idx[k] = i;
		k++;
	}
	return k;
}

/* Is flag letter c among the short options of argv (-rf, -s, ...) or is the
 * long option given? */
static bool has_flag(const struct eword *argv, size_t n, char c, const char *lng)
{
	for (size_t i = 1; i < n; i++) {
		const char *t = argv[i].text;
		if (streq(t, "--"))
			break;
		if (lng && (streq(t, lng) || (!strncmp(t, lng, strlen(lng)) &&
		                               t[strlen(lng)] == '=')))
			return true;
		if (c && t[0] == '-' && t[1] != '-' && strchr(t + 1, c))
			return true;
	}
	return false;
}

/* The value of an option given as `-X V`, `--long V` or `--long=V`. */
static const struct eword *opt_value(struct rec *r, const struct eword *argv,
                                     size_t n, const char *shrt, const char *lng)
{
	for (size_t i = 1; i < n; i++) {
		const char *t = argv[i].text;
		if (streq(t, "--"))
			break;
		if (((shrt && streq(t, shrt)) || (lng && streq(t, lng))) && i + 1 < n)
			return &argv[i + 1];
		size_t ll = lng ? strlen(lng) : 0;
		if (lng && !strncmp(t, lng, ll) && t[ll] == '=') {
			struct eword *w = arena_alloc(r->a, sizeof *w);
			*w = make_word(r, arena_strdup(r->a, t + ll + 1), true);
			return w;
		}
	}
	return NULL;
}

/* ---- matchers: each returns the row it matched, or -1 ---- */

typedef int (*matcher)(struct rec *r, struct effect_use *u,
                       const struct eword *argv, size_t n);

/* Unit names compare without the default ".service" suffix. */
static struct eword unit_word(struct rec *r, const struct eword *w)
{
	struct eword u = *w;
	size_t n = strlen(u.val);
	if (n > 8 && !strcmp(u.val + n - 8, ".service"))
		u.val = arena_strndup(r->a, u.val, n - 8);
	return u;
}

static void add_units(struct rec *r, struct effect_use *u, enum rule_id id,
                      enum effect_kind kind, const struct eword *argv,
                      size_t n, size_t from, unsigned flags)
{
	static const char *const with_arg[] = { "-H", "-M", "-p", "-t", "-n", "-o", "-s", "--host",
		"--machine", "--property", "--type", "--state", "--lines", "--output", "--signal", "--kill-whom", NULL };
	size_t idx[64];
	size_t k = operands(argv, n, from, with_arg, idx, 64);
	for (size_t i = 0; i < k && i < 64; i++) {
		struct eword w = unit_word(r, &argv[idx[i]]);
		add_effect(r, u, id, kind, &w, NULL, flags);
	}
}

static int m_systemctl(struct rec *r, struct effect_use *u,
                       const struct eword *argv, size_t n)
{
	static const char *const with_arg[] = { "-H", "-M", "-p", "-t", "-n", "-o", "-s", "--host",
		"--machine", "--property", "--type", "--state", "--lines", "--output", "--signal", "--kill-whom", NULL };
	size_t idx[1];
	if (operands(argv, n, 1, with_arg, idx, 1) == 0)
		return R_SYSTEMCTL_QUERY;
	const char *verb = argv[idx[0]].text;
	size_t from = idx[0] + 1;
	bool now = has_flag(argv, n, 0, "--now");
	static const char *const restarts[] = { "restart", "try-restart", "condrestart",
		"reload-or-restart", "try-reload-or-restart", "force-reload", NULL };
	if (streq(verb, "start")) {
		add_units(r, u, R_SYSTEMCTL_START, EFF_SERVICE_STARTED, argv, n, from, 0);
		return R_SYSTEMCTL_START;
	}
	if (streq(verb, "stop")) {
		add_units(r, u, R_SYSTEMCTL_STOP, EFF_SERVICE_STOPPED, argv, n, from, 0);
		return R_SYSTEMCTL_STOP;
	}
	if (one_of(verb, restarts)) {
		add_units(r, u, R_SYSTEMCTL_RESTART, EFF_SERVICE_RESTARTED, argv, n, from, 0);
		return R_SYSTEMCTL_RESTART;
	}
	if (streq(verb, "reload")) {
		add_units(r, u, R_SYSTEMCTL_RELOAD, EFF_SERVICE_RESTARTED, argv, n, from, 0);
		return R_SYSTEMCTL_RELOAD;
	}
	if (streq(verb, "enable") || streq(verb, "reenable")) {
		enum rule_id id = now ? R_SYSTEMCTL_ENABLE_NOW : R_SYSTEMCTL_ENABLE;
		add_units(r, u, id, EFF_UNIT_ENABLED, argv, n, from, now ? EF_NOW : 0);
		if (now)
			add_units(r, u, id, EFF_SERVICE_STARTED, argv, n, from, EF_NOW);
		return id;
	}
	if (streq(verb, "disable")) {
		enum rule_id id = now ? R_SYSTEMCTL_DISABLE_NOW : R_SYSTEMCTL_DISABLE;
		add_units(r, u, id, EFF_UNIT_DISABLED, argv, n, from, now ? EF_NOW : 0);
		if (now)
			add_units(r, u, id, EFF_SERVICE_STOPPED, argv, n, from, EF_NOW);
		return id;
	}
	static const char *const queries[] = { "is-active", "is-enabled", "is-failed", "status",
		"show", "cat", "list-units", "list-unit-files", "list-timers", "list-dependencies",
		"--version", NULL };
	if (one_of(verb, queries))
		return R_SYSTEMCTL_QUERY;
	if (streq(verb, "daemon-reload")) {
		add_effect(r, u, R_SYSTEMCTL_DAEMON_RELOAD, EFF_UNITS_RELOADED, NULL, NULL, 0);
		return R_SYSTEMCTL_DAEMON_RELOAD;
	}
	return -1;
}

/* SysV style: service U start|stop|restart|reload|status. */
static int m_service(struct rec *r, struct effect_use *u,
                     const struct eword *argv, size_t n)
{
	if (n < 3)
		return -1;
	struct eword unit = unit_word(r, &argv[1]);
	const char *verb = argv[2].text;
	enum effect_kind k;
	if (streq(verb, "start"))
		k = EFF_SERVICE_STARTED;
	else if (streq(verb, "stop"))
		k = EFF_SERVICE_STOPPED;
	else if (streq(verb, "restart") || streq(verb, "reload") ||
	         streq(verb, "force-reload") || streq(verb, "try-restart"))
		k = EFF_SERVICE_RESTARTED;
	else if (streq(verb, "status"))
		return R_SYSTEMCTL_QUERY;
	else
		return -1;
	add_effect(r, u, R_SERVICE, k, &unit, NULL, 0);
	return R_SERVICE;
}

/* pm2, the Node process manager: its processes are services under their
 * own names, compared apart from systemd's units ("pm2:NAME"). */
static int m_pm2(struct rec *r, struct effect_use *u,
                 const struct eword *argv, size_t n)
{
	static const char *const with_arg[] = { "--name", "-n", "-i", "--instances", "--cwd",
		"--interpreter", "--log", "-o", "-e", "--output", "--error", "--env",
		"--max-memory-restart", "--lines", "--namespace", NULL };
	static const char *const reads[] = { "list", "ls", "l", "status", "pid", "show", "describe",
		"info", "jlist", "prettylist", "logs", "monit", "--version", "-v", "ping", NULL };
	size_t idx[16];
	size_t k = operands(argv, n, 1, with_arg, idx, 16);
	if (k == 0)
		return one_of(argv[n > 1 ? 1 : 0].text, reads) ? R_PM2_READ : -1;
	const char *verb = argv[idx[0]].text;
	if (one_of(verb, reads))
		return R_PM2_READ;
	enum rule_id id;
	enum effect_kind kind;
	if (streq(verb, "start")) {
		id = R_PM2_START;
		kind = EFF_SERVICE_STARTED;
	} else if (streq(verb, "stop") || streq(verb, "delete") || streq(verb, "del")) {
		id = R_PM2_STOP;
		kind = EFF_SERVICE_STOPPED;
	} else if (streq(verb, "restart") || streq(verb, "reload") || streq(verb, "gracefulReload")) {
		id = R_PM2_RESTART;
		kind = EFF_SERVICE_RESTARTED;
	} else {
		return -1; /* save, startup, resurrect, kill...: not in the table */
	}
	/* `pm2 start app.js --name web` runs the process named web */
	const struct eword *name = opt_value(r, argv, n, "-n", "--name");
	for (size_t i = 1; i < k && i < 16; i++) {
		const struct eword *w = name && kind == EFF_SERVICE_STARTED ? name : &argv[idx[i]];
		struct eword proc = *w;
		proc.val = arena_printf(r->a, "pm2:%s", w->val);
		add_effect(r, u, id, kind, &proc, NULL, 0);
		if (name && kind == EFF_SERVICE_STARTED)
			break;
	}
	return id;
}

/* supervisorctl VERB NAME...: supervisor's programs, named apart from
 * systemd's units and pm2's processes ("supervisor:NAME"). */
static int m_supervisorctl(struct rec *r, struct effect_use *u,
                           const struct eword *argv, size_t n)
{
	static const char *const with_arg[] = { "-c", "--configuration", "-s", "--serverurl",
		"-u", "--username", "-p", "--password", "-r", "--history-file", NULL };
	static const char *const reads[] = { "status", "avail", "pid", "tail", "reread", "version",
		"help", "maintail", NULL };
	size_t idx[16];
	size_t k = operands(argv, n, 1, with_arg, idx, 16);
	if (k == 0)
		return -1;
	const char *verb = argv[idx[0]].text;
	if (one_of(verb, reads))
		return R_SUPERVISOR_READ;
	enum rule_id id;
	enum effect_kind kind;
	size_t from = 1;
	if (streq(verb, "start")) {
		id = R_SUPERVISOR_START;
		kind = EFF_SERVICE_STARTED;
	} else if (streq(verb, "stop")) {
		id = R_SUPERVISOR_STOP;
		kind = EFF_SERVICE_STOPPED;
	} else if (streq(verb, "restart") || streq(verb, "signal")) {
		id = R_SUPERVISOR_RESTART;
		kind = EFF_SERVICE_RESTARTED;
		from = streq(verb, "signal") ? 2 : 1; /* signal SIG NAME... */
	} else {
		return -1; /* update, add, remove, shutdown...: not in the table */
	}
	for (size_t i = from; i < k && i < 16; i++) {
		struct eword proc = argv[idx[i]];
		proc.val = arena_printf(r->a, "supervisor:%s", argv[idx[i]].val);
		add_effect(r, u, id, kind, &proc, NULL, 0);
	}
	return k > from ? (int)id : -1;
}

/* The directory git works in: -C D, --work-tree=D, or the cd directory. */
static struct eword git_dir(struct rec *r, const struct eword *argv, size_t sub)
{
	struct eword d = plain(r->dir, r->dir_text);
	for (size_t i = 1; i < sub; i++) {
		if (streq(argv[i].text, "-C") && i + 1 < sub)
			d = argv[i + 1];
		else if (!strncmp(argv[i].text, "--work-tree=", 12))
			d = make_word(r, argv[i].text + 12, true);
	}
	d.flags = 0;
	return d;
}

static int m_git(struct rec *r, struct effect_use *u, const struct eword *argv,
                 size_t n)
{
	size_t i = 1;
	while (i < n && is_opt(&argv[i])) {
		if (streq(argv[i].text, "-C") || streq(argv[i].text, "-c"))
			i++;
		i++;
	}
	if (i >= n)
		return R_GIT_READ;
	const char *sub = argv[i].text;
	struct eword dir = git_dir(r, argv, i);
	if (dir.val[0]) {
		u->dir = dir.val;
		u->dir_text = dir.text;
	}
	const struct eword *rest = argv + i;
	size_t nrest = n - i;
	size_t idx[2];
	static const char *const checkout_args[] = { "-b", "-B", "-c", "-C", "--orphan", NULL };
	static const char *const merge_args[] = { "-m", "-s", "-X", "--strategy", "-F", NULL };
	static const char *const reads[] = { "fetch", "status", "log", "diff", "show", "rev-parse",
		"describe", "ls-remote", "ls-files", "archive", "cat-file", "rev-list", "shortlog", "blame",
		"grep", "remote", "version", "--version", "verify-commit", "verify-tag", NULL };
	if (streq(sub, "pull")) {
		struct eword how = plain("pull", "pull");
		add_effect(r, u, R_GIT_PULL, EFF_CODE, &dir, &how, 0);
		return R_GIT_PULL;
	}
	if (streq(sub, "checkout") || streq(sub, "switch")) {
		size_t k = operands(rest, nrest, 1, checkout_args, idx, 1);
		add_effect(r, u, R_GIT_CHECKOUT, EFF_CODE, &dir, k ? &rest[idx[0]] : NULL, 0);
		return R_GIT_CHECKOUT;
	}
	if (streq(sub, "reset")) {
		if (!has_flag(rest, nrest, 0, "--hard"))
			return R_GIT_READ;
		size_t k = operands(rest, nrest, 1, NULL, idx, 1);
		struct eword head = plain("HEAD", "HEAD");
		add_effect(r, u, R_GIT_RESET_HARD, EFF_CODE, &dir, k ? &rest[idx[0]] : &head, 0);
		return R_GIT_RESET_HARD;
	}
	if (streq(sub, "merge") || streq(sub, "rebase")) {
		size_t k = operands(rest, nrest, 1, merge_args, idx, 1);
		add_effect(r, u, R_GIT_MERGE, EFF_CODE, &dir, k ? &rest[idx[0]] : NULL, 0);
		return R_GIT_MERGE;
	}
	if (streq(sub, "push"))
		return R_GIT_PUSH;
	if (one_of(sub, reads))
		return R_GIT_READ;
	return -1;
}

/* The directory a package tool works in: one of its options, or cd's. */
static void add_deps(struct rec *r, struct effect_use *u, enum rule_id id,
                     const char *tool, const struct eword *argv, size_t n,
                     const char *shrt, const char *lng1, const char *lng2)
{
	struct eword dir = plain(r->dir, r->dir_text);
	const struct eword *d = opt_value(r, argv, n, shrt, lng1);
	if (!d && lng2)
		d = opt_value(r, argv, n, NULL, lng2);
	if (d) {
		dir = *d;
		dir.flags = 0;
	}
	struct eword t = plain(tool, tool);
	add_effect(r, u, id, EFF_DEPS, &dir, &t, 0);
}

static int m_uv(struct rec *r, struct effect_use *u, const struct eword *argv,
                size_t n)
{
	if (n >= 2 && streq(argv[1].text, "sync")) {
		add_deps(r, u, R_UV_SYNC, "uv", argv, n, NULL, "--project", "--directory");
		return R_UV_SYNC;
	}
	if (n >= 3 && streq(argv[1].text, "pip") &&
	    (streq(argv[2].text, "install") || streq(argv[2].text, "sync"))) {
		add_deps(r, u, R_UV_SYNC, "uv", argv, n, NULL, "--project", "--directory");
		return R_UV_SYNC;
	}
	return -1;
}

/* A Python package as pip names it in one environment: the pip program
 * when it is a path (a virtualenv's bin/pip), else the directory, then the
 * name normalised as PyPI does (case, `-_.` alike) without its extras. */
static struct eword pip_package(struct rec *r, const struct eword *prog, const char *spec,
                                size_t len)
{
	size_t nl = 0;
	while (nl < len && spec[nl] != '[')
		nl++;
	char *name = arena_strndup(r->a, spec, nl);
	char *norm = arena_strdup(r->a, name);
	for (char *c = norm; *c; c++)
		*c = *c == '_' || *c == '.' ? '-' : (char)tolower((unsigned char)*c);
	const char *env = strchr(prog->val, '/') ? prog->val : r->dir ? r->dir : "";
	return (struct eword){ .val = arena_printf(r->a, "pip %s %s", env, norm), .text = name, .flags = 0 };
}

/* `pip install NAME==V` and `pip uninstall NAME`: the versions of named
 * packages, so that an undo must install another version (or remove it). */
static void add_pip_packages(struct rec *r, struct effect_use *u, const struct eword *argv,
                             size_t n, bool uninstall)
{
	static const char *const with_arg[] = { "-r", "--requirement", "-c", "--constraint", "-e",
		"--editable", "-t", "--target", "--prefix", "--root", "-i", "--index-url",
		"--extra-index-url", "-f", "--find-links", "--upgrade-strategy", "--python-version",
		"--platform", "--implementation", "--abi", "--src", "--log", "--cache-dir", "--proxy",
		"--timeout", "--retries", "--trusted-host", "--no-binary", "--only-binary", NULL };
	size_t idx[32];
	size_t k = operands(argv, n, 2, with_arg, idx, 32);
	for (size_t i = 0; i < k && i < 32; i++) {
		const char *t = argv[idx[i]].text;
		const char *eq = strstr(t, "==");
		if (uninstall) {
			struct eword pkg = pip_package(r, &argv[0], t, strlen(t));
			add_effect(r, u, R_PIP_UNINSTALL, EFF_PACKAGE_REMOVED, &pkg, NULL, 0);
		} else if (eq && eq > t && eq[2] && !strchr(eq + 2, ',')) {
			struct eword pkg = pip_package(r, &argv[0], t, (size_t)(eq - t));
			struct eword ver = plain(arena_strdup(r->a, eq + 2), NULL);
			add_effect(r, u, R_PIP_PIN, EFF_PACKAGE_INSTALLED, &pkg, &ver, EF_PINNED);
		}
	}
}

static int m_pip(struct rec *r, struct effect_use *u, const struct eword *argv,
                 size_t n)
{
	if (n >= 2 && streq(argv[1].text, "install")) {
		add_deps(r, u, R_PIP_INSTALL, "pip", argv, n, NULL, "--prefix", "--target");
		add_pip_packages(r, u, argv, n, false);
		return R_PIP_INSTALL;
	}
	if (n >= 3 && streq(argv[1].text, "uninstall")) {
		add_pip_packages(r, u, argv, n, true);
		return R_PIP_UNINSTALL;
	}
	if (n >= 2 && (streq(argv[1].text, "list") || streq(argv[1].text, "show") ||
	               streq(argv[1].text, "freeze") || streq(argv[1].text, "check")))
		return R_READ_ONLY;
	return -1;
}

static int m_python(struct rec *r, struct effect_use *u, const struct eword *argv,
                    size_t n)
{
	if (n >= 4 && streq(argv[1].text, "-m") && streq(argv[2].text, "pip"))
		return m_pip(r, u, argv + 2, n - 2);
	return -1;
}

static int m_npm(struct rec *r, struct effect_use *u, const struct eword *argv,
                 size_t n)
{
	if (n >= 2 && (streq(argv[1].text, "ci") || streq(argv[1].text, "install") ||
	               streq(argv[1].text, "i"))) {
		add_deps(r, u, R_NPM_CI, "npm", argv, n, "-C", "--prefix", NULL);
		return R_NPM_CI;
	}
	return -1;
}

static int m_yarn(struct rec *r, struct effect_use *u, const struct eword *argv,
                  size_t n)
{
	if (n == 1 || streq(argv[1].text, "install") ||
	    (n >= 2 && is_opt(&argv[1]) && !streq(argv[1].text, "--version"))) {
		add_deps(r, u, R_YARN_INSTALL, base_name(argv[0].val), argv, n, "-C",
		         "--cwd", "--dir");
		return R_YARN_INSTALL;
	}
	return -1;
}

static int m_bundle(struct rec *r, struct effect_use *u, const struct eword *argv,
                    size_t n)
{
	if (n >= 2 && streq(argv[1].text, "install")) {
		add_deps(r, u, R_BUNDLE_INSTALL, "bundle", argv, n, NULL, "--gemfile", NULL);
		return R_BUNDLE_INSTALL;
	}
	return -1;
}

static int m_poetry(struct rec *r, struct effect_use *u, const struct eword *argv,
                    size_t n)
{
	if (n >= 2 && (streq(argv[1].text, "install") || streq(argv[1].text, "sync"))) {
		add_deps(r, u, R_POETRY_INSTALL, "poetry", argv, n, "-C", "--directory", NULL);
		return R_POETRY_INSTALL;
	}
	return -1;
}

/* ---- SQL ---- */

static const char *const sql_writes[] = {
	"INSERT", "UPDATE", "DELETE", "REPLACE", "CREATE", "ALTER", "DROP",
	"TRUNCATE", "MERGE", "RENAME", "GRANT", "REVOKE", "VACUUM", "REINDEX",
	"COPY", NULL,
};

/* Does SQL text write? PRAGMA name = value writes too (user_version...).
 * A keyword counts as a whole word, case aside: a run of identifier
 * characters equal to it. One pass over the runs, not one per keyword. */
static bool sql_writes_text(const char *s, size_t len)
{
	bool pragma = false;
	for (size_t i = 0; i < len;) {
		if (s[i] == '.' && (i == 0 || s[i - 1] == '\n' || s[i - 1] == ';')) {
			/* an sqlite3 dot-command (".backup copy.db") is not SQL:
			 * the writing ones are looked for below */
			while (i < len && s[i] != '\n')
				i++;
			continue;
		}
		if (!is_ident_char(s[i])) {
			i++;
			continue;
		}
		size_t j = i + 1;
		while (j < len && is_ident_char(s[j]))
			j++;
		size_t wl = j - i;
		for (const char *const *k = sql_writes; *k; k++)
			if (strlen(*k) == wl && strncasecmp(s + i, *k, wl) == 0)
				return true;
		if (wl == 6 && strncasecmp(s + i, "PRAGMA", 6) == 0)
			pragma = true;
		i = j;
	}
	if (pragma) {
		for (size_t i = 0; i < len; i++)
			if (s[i] == '=')
				return true;
	}
	for (size_t i = 0; i + 1 < len; i++)
		if (s[i] == '.' && (i == 0 || s[i - 1] == '\n' || s[i - 1] == ';') &&
		    (!strncmp(s + i, ".restore", 8) || !strncmp(s + i, ".import", 7) ||
		     !strncmp(s + i, ".read", 5)))
			return true;
	return false;
}

/* Text that feeds stdin through a pipe from echo/printf: the SQL is in its
 * arguments. Anything else on a pipe (gunzip -c, cat dump) is data in. */
static bool piped_sql_writes(const struct effect_use *u)
{
	if (!u->pipe_from)
		return false;
	if (streq(u->pipe_from, "echo") || streq(u->pipe_from, "printf")) {
		for (size_t i = 1; i < u->pipe_from_argc; i++)
			if (sql_writes_text(u->pipe_from_argv[i].val,
			                    strlen(u->pipe_from_argv[i].val)))
				return true;
		return false;
	}
	return true;
}

/* A here-document body is not a word: the whole command text is read. */
static int sql_client(struct rec *r, struct effect_use *u, const struct eword *db,
                      bool writes, enum rule_id wr, enum rule_id rd)
{
	if (!writes && u->heredoc && r->text)
		writes = sql_writes_text(r->text, r->tlen);
	if (!writes && (u->stdin_file || piped_sql_writes(u)))
		writes = true;
	if (!writes)
		return rd;
	add_effect(r, u, wr, EFF_DATA, db, NULL, EF_SQL);
	return wr;
}

static int m_sqlite3(struct rec *r, struct effect_use *u,
                     const struct eword *argv, size_t n)
{
	static const char *const with_arg[] = { "-cmd", "-separator", "-nullvalue", "-init",
		"-newline", "-vfs", "-mmap", "-maxsize", "-lookaside", "-pagecache", NULL };
	size_t idx[32];
	size_t k = operands(argv, n, 1, with_arg, idx, 32);
	if (k == 0)
		return R_SQLITE3_READ;
	bool ro = has_flag(argv, n, 0, "-readonly");
	bool writes = false;
	for (size_t i = 1; i < k && i < 32; i++)
		if (sql_writes_text(argv[idx[i]].val, strlen(argv[idx[i]].val)))
			writes = true;
	const struct eword *cmd = opt_value(r, argv, n, "-cmd", NULL);
	if (cmd && sql_writes_text(cmd->val, strlen(cmd->val)))
		writes = true;
	if (ro)
		return R_SQLITE3_READ;
	if (k > 1 && !writes)
		return R_SQLITE3_READ; /* statements given as arguments: stdin unused */
	return sql_client(r, u, &argv[idx[0]], writes, R_SQLITE3_WRITE,
	                  R_SQLITE3_READ);
}

static int m_psql(struct rec *r, struct effect_use *u, const struct eword *argv,
                  size_t n)
{
	static const char *const with_arg[] = { "-c", "-d", "-f", "-h", "-p", "-U", "-v",
		"-o", "-F", "-R", "-P", "-T", "-L", NULL };
	const struct eword *sql = opt_value(r, argv, n, "-c", "--command");
	const struct eword *file = opt_value(r, argv, n, "-f", "--file");
	const struct eword *db = opt_value(r, argv, n, "-d", "--dbname");
	size_t idx[1];
	if (!db && operands(argv, n, 1, with_arg, idx, 1))
		db = &argv[idx[0]];
	struct eword none = plain("", "");
	if (sql) {
		bool w = sql_writes_text(sql->val, strlen(sql->val));
		if (!w)
			return R_PSQL_READ;
		add_effect(r, u, R_PSQL_WRITE, EFF_DATA, db ? db : &none, NULL, EF_SQL);
		return R_PSQL_WRITE;
	}
	return sql_client(r, u, db ? db : &none, file != NULL, R_PSQL_WRITE,
	                  R_PSQL_READ);
}

static int m_mysql(struct rec *r, struct effect_use *u, const struct eword *argv,
                   size_t n)
{
	static const char *const with_arg[] = { "-e", "-D", "-h", "-u", "-P", "-S", NULL };
	const struct eword *sql = opt_value(r, argv, n, "-e", "--execute");
	const struct eword *db = opt_value(r, argv, n, "-D", "--database");
	size_t idx[1];
	if (!db && operands(argv, n, 1, with_arg, idx, 1))
		db = &argv[idx[0]];
	struct eword none = plain("", "");
	if (sql) {
		if (!sql_writes_text(sql->val, strlen(sql->val)))
			return R_MYSQL_READ;
		add_effect(r, u, R_MYSQL_WRITE, EFF_DATA, db ? db : &none, NULL, EF_SQL);
		return R_MYSQL_WRITE;
	}
	return sql_client(r, u, db ? db : &none, false, R_MYSQL_WRITE,
	                  R_MYSQL_READ);
}

static int m_pg_restore(struct rec *r, struct effect_use *u,
                        const struct eword *argv, size_t n)
{
	if (has_flag(argv, n, 'l', "--list"))
		return R_READ_ONLY;
	const struct eword *db = opt_value(r, argv, n, "-d", "--dbname");
	struct eword none = plain("", "");
	add_effect(r, u, R_PG_RESTORE, EFF_DATA, db ? db : &none, NULL, 0);
	return R_PG_RESTORE;
}

/* Migrations: a word holding "migrate", alembic, rails/rake db: tasks. */
static int m_migration(struct rec *r, struct effect_use *u,
                       const struct eword *argv, size_t n)
{
	bool mig = false, down = false, status = false, one = false, counted = false;
	static const char *const downs[] = { "down", "--down", "undo", "revert", "reverse",
		"rollback", "downgrade", NULL };
	static const char *const statuses[] = { "status", "--check", "--dry-run", "--plan",
		"--list", "list", "show", "showmigrations", "history", "current", "--help",
		"info", "validate", NULL };
	const char *prog = base_name(argv[0].val);
	/* Every command without a migration comes here: decide that first,
	 * with two searches a word, before the seven of the full reading. */
	bool alembic = streq(prog, "alembic") && n >= 2;
	for (size_t i = 0; i < n && !mig; i++)
		mig = contains_ci(argv[i].text, "migrate") || contains_ci(argv[i].text, "db:rollback");
	if (!mig && !alembic)
		return -1;
	for (size_t i = 0; i < n; i++) {
		const char *t = argv[i].text;
		if (one_of(t, downs) || contains_ci(t, "downgrade") || contains_ci(t, "rollback") ||
		    contains_ci(t, ":down"))
			down = true;
		if (one_of(t, statuses) || contains_ci(t, "migrate:status"))
			status = true;
		if (contains_ci(t, "db:rollback"))
			one = true;
		if (!strncmp(t, "STEP=", 5) || !strncmp(t, "VERSION=", 8))
			counted = true;
	}
	if (alembic) {
		mig = true;
		if (streq(argv[1].text, "downgrade"))
			down = true;
		else if (!streq(argv[1].text, "upgrade"))
			status = true;
	}
	if (status)
		return R_MIGRATE_STATUS;
	if (down) {
		/* Rails' db:rollback reverts the newest migration only, where
		 * db:migrate applies every pending one: it undoes a release only
		 * when told how far (STEP=N, VERSION=V). */
		add_effect(r, u, R_DOWN_MIGRATION, EFF_DOWN_MIGRATION, NULL, NULL,
		           one && !counted ? EF_ONE_MIGRATION : 0);
		return R_DOWN_MIGRATION;
	}
	add_effect(r, u, R_MIGRATE, EFF_DATA, NULL, NULL, 0);
	return R_MIGRATE;
}

/* ---- files ---- */

/* Operands of cp, mv, install: sources and the destination. */
static size_t copy_operands(const struct eword *argv, size_t n,
                            const struct eword **dest, size_t *idx, size_t max)
{
	static const char *const with_arg[] = { "-t", "-S", "-m", "-o", "-g", "--target-directory",
		"--suffix", "--mode", "--owner", "--group", NULL };
	size_t k = operands(argv, n, 1, with_arg, idx, max);
	for (size_t i = 1; i + 1 < n; i++)
		if (streq(argv[i].text, "-t") || streq(argv[i].text, "--target-directory")) {
			*dest = &argv[i + 1];
			return k < max ? k : max;
		}
	if (k < 2) {
		*dest = NULL;
		return 0;
	}
	if (k > max)
		k = max;
	*dest = &argv[idx[k - 1]];
	return k - 1;
}

static int m_mv(struct rec *r, struct effect_use *u, const struct eword *argv,
                size_t n)
{
	size_t idx[32];
	const struct eword *dest;
	size_t k = copy_operands(argv, n, &dest, idx, 32);
	if (!dest)
		return -1;
	for (size_t i = 0; i < k; i++)
		add_effect(r, u, R_MV, EFF_MOVE, &argv[idx[i]], dest, 0);
	return R_MV;
}

static int m_cp(struct rec *r, struct effect_use *u, const struct eword *argv,
                size_t n)
{
	size_t idx[32];
	const struct eword *dest;
	size_t k = copy_operands(argv, n, &dest, idx, 32);
	if (!dest)
		return -1;
	add_effect(r, u, R_CP, EFF_FILE, dest, k ? &argv[idx[0]] : NULL, 0);
	return R_CP;
}

static int m_install(struct rec *r, struct effect_use *u,
                     const struct eword *argv, size_t n)
{
	if (has_flag(argv, n, 'd', "--directory")) {
		static const char *const with_arg[] = { "-m", "-o", "-g", "--mode", "--owner", "--group", NULL };
		size_t idx[32];
		size_t k = operands(argv, n, 1, with_arg, idx, 32);
		for (size_t i = 0; i < k && i < 32; i++)
			add_effect(r, u, R_INSTALL_DIR, EFF_DIR, &argv[idx[i]], NULL, 0);
		return k ? R_INSTALL_DIR : -1;
	}
	size_t idx[32];
	const struct eword *dest;
	size_t k = copy_operands(argv, n, &dest, idx, 32);
	if (!dest)
		return -1;
	add_effect(r, u, R_INSTALL, EFF_FILE, dest, k ? &argv[idx[0]] : NULL, 0);
	return R_INSTALL;
}

static bool is_dev_path(const char *s)
{
	return !strncmp(s, "/dev/", 5) || !strncmp(s, "/proc/", 6);
}

static int m_tee(struct rec *r, struct effect_use *u, const struct eword *argv,
                 size_t n)
{
	size_t idx[16];
	size_t k = operands(argv, n, 1, NULL, idx, 16);
	for (size_t i = 0; i < k && i < 16; i++)
		if (!is_dev_path(argv[idx[i]].val))
			add_effect(r, u, R_TEE, EFF_FILE, &argv[idx[i]], NULL, 0);
	return R_TEE;
}

/* sed: with -i (or --in-place) each file operand is rewritten. GNU sed's
 * options: -e/-f (and -l) take the next word, or the rest of their cluster;
 * -i's suffix is the rest of its cluster. Without -e or -f the first operand
 * is the script. Without -i sed only reads. */
static int m_sed(struct rec *r, struct effect_use *u, const struct eword *argv,
                 size_t n)
{
	bool in_place = false, script_given = false, opts = true;
	size_t ops[33], nops = 0;
	for (size_t i = 1; i < n; i++) {
		const char *t = argv[i].text;
		if (opts && streq(t, "--")) {
			opts = false;
		} else if (opts && t[0] == '-' && t[1] == '-') {
			if (!strncmp(t, "--in-place", 10) && (!t[10] || t[10] == '='))
				in_place = true;
			script_given |= !strncmp(t, "--expression", 12) || !strncmp(t, "--file", 6);
			if (streq(t, "--expression") || streq(t, "--file") || streq(t, "--line-length"))
				i++;
		} else if (opts && t[0] == '-' && t[1]) {
			for (const char *c = t + 1; *c; c++) {
				if (*c == 'i') {
					in_place = true;
					break;
				}
				if (*c == 'e' || *c == 'f' || *c == 'l') {
					script_given |= *c != 'l';
					if (!c[1])
						i++;
					break;
				}
			}
		} else if (!streq(t, "-") && nops < 33) {
			ops[nops++] = i;
		}
	}
	if (!in_place)
		return R_READ_ONLY;
	/* GNU sed takes options anywhere: any -e makes every operand a file */
	size_t from = script_given ? 0 : 1;
	for (size_t i = from; i < nops; i++)
		add_effect(r, u, R_SED_I, EFF_FILE, &argv[ops[i]], NULL, EF_IN_PLACE);
	return nops > from ? R_SED_I : -1;
}

/* perl -i: the same for perl's options, which end at the first operand:
 * -e/-E take the rest of their cluster or the next word, -i the rest of
 * its cluster (a suffix), -I/-M/-m/-F/-x/-d/-D the rest of theirs; -0 and -l
 * their octal digits (-0x its hex ones). Without -e the first operand is the
 * program's file. */
static int m_perl(struct rec *r, struct effect_use *u, const struct eword *argv,
                  size_t n)
{
	bool in_place = false, script_given = false;
	size_t i = 1;
	for (; i < n; i++) {
		const char *t = argv[i].text;
		if (streq(t, "--")) {
			i++;
			break;
		}
		if (t[0] != '-' || !t[1])
			break;
		for (const char *c = t + 1; *c; c++) {
			if (*c == 'i') {
				in_place = true;
				break;
			}
			if (*c == 'e' || *c == 'E') {
				script_given = true;
				if (!c[1])
					i++;
				break;
			}
			if (strchr("IMmFxdD", *c))
				break;
			if (*c == '0' && c[1] == 'x')
				for (c++; isxdigit((unsigned char)c[1]); c++)
					;
			else if (*c == '0' || *c == 'l')
				while (c[1] >= '0' && c[1] <= '7')
					c++;
		}
	}
	if (!in_place)
		return -1;
	size_t from = i + (script_given ? 0 : 1), k = 0;
	for (size_t j = from; j < n && k < 32; j++, k++)
		add_effect(r, u, R_PERL_I, EFF_FILE, &argv[j], NULL, EF_IN_PLACE);
	return k ? R_PERL_I : -1;
}

/* rsync into a folder or file on this machine: B written, from the first
 * source (a copy from a backup capture is a restore, as for cp). A
 * destination on another host (HOST:PATH, rsync://) changes nothing here. */
static int m_rsync(struct rec *r, struct effect_use *u, const struct eword *argv,
                   size_t n)
{
	static const char *const with_arg[] = { "-e", "--rsh", "-f", "--filter", "--exclude",
		"--include", "--exclude-from", "--include-from", "--files-from", "-T", "--temp-dir",
		"--rsync-path", "--link-dest", "--compare-dest", "--copy-dest", "--backup-dir",
		"--suffix", "--chmod", "--chown", "--log-file", "--password-file", "--timeout",
		"--port", "-B", "--block-size", "--max-size", "--min-size", "--bwlimit", "-M",
		"--remote-option", "--out-format", "--partial-dir", "--usermap", "--groupmap",
		"--max-delete", "--modify-window", "--info", "--debug", "--iconv", NULL };
	size_t idx[32];
	size_t k = operands(argv, n, 1, with_arg, idx, 32);
	if (k < 2 || k > 32)
		return -1;
	const struct eword *dest = &argv[idx[k - 1]];
	const char *colon = strchr(dest->text, ':'), *slash = strchr(dest->text, '/');
	if (colon && (!slash || colon < slash))
		return -1;
	add_effect(r, u, R_RSYNC, EFF_FILE, dest, &argv[idx[0]], 0);
	return R_RSYNC;
}

/* The word after a cluster of short flags that ends in c (`-fsSLo F`). */
static const struct eword *cluster_value(const struct eword *argv, size_t n, char c)
{
	for (size_t i = 1; i + 1 < n; i++) {
		const char *t = argv[i].text;
		if (streq(t, "--"))
			break;
		if (t[0] != '-' || t[1] == '-' || !t[1] || t[strlen(t) - 1] != c)
			continue;
		const char *p = t + 1;
		while (isalnum((unsigned char)*p))
			p++;
		if (!*p)
			return &argv[i + 1];
	}
	return NULL;
}

/* curl -o F / --output F (also the last letter of a cluster: -fsSLo F) and
 * wget -O F / --output-document F: F written. Standard output and /dev
 * paths are not files; without an output file curl is left to the
 * read-only rule and wget is not recognised. */
static int m_download(struct rec *r, struct effect_use *u, const struct eword *argv,
                      size_t n)
{
	bool wget = streq(base_name(argv[0].val), "wget");
	const struct eword *out = opt_value(r, argv, n, wget ? "-O" : "-o",
	                                    wget ? "--output-document" : "--output");
	if (!out)
		out = cluster_value(argv, n, wget ? 'O' : 'o');
	if (!out || streq(out->val, "-") || is_dev_path(out->val))
		return -1;
	add_effect(r, u, R_DOWNLOAD, EFF_FILE, out, NULL, 0);
	return R_DOWNLOAD;
}

static int m_ln(struct rec *r, struct effect_use *u, const struct eword *argv,
                size_t n)
{
	static const char *const with_arg[] = { "-S", "-t", "--suffix", "--target-directory", NULL };
	size_t idx[2];
	size_t k = operands(argv, n, 1, with_arg, idx, 2);
	if (k < 1)
		return -1;
	if (k == 1) {
		/* ln -s T: the link is T's base name in the current directory
		 * (`ln /opt/` makes opt: the shown name drops trailing slashes
		 * as make_word did for the compared one) */
		const struct eword *t = &argv[idx[0]];
		const char *shown = without_trailing_slashes(r, t->text, strlen(t->text));
		struct eword l = plain(base_name(t->val), base_name(shown));
		add_effect(r, u, R_LN_S, has_flag(argv, n, 's', "--symbolic") ? EFF_LINK : EFF_FILE,
		           &l, &argv[idx[0]], 0);
		return R_LN_S;
	}
	if (!has_flag(argv, n, 's', "--symbolic")) {
		add_effect(r, u, R_CP, EFF_FILE, &argv[idx[1]], &argv[idx[0]], 0);
		return R_CP;
	}
	add_effect(r, u, R_LN_S, EFF_LINK, &argv[idx[1]], &argv[idx[0]], 0);
	return R_LN_S;
}

static int m_mkdir(struct rec *r, struct effect_use *u, const struct eword *argv,
                   size_t n)
{
	static const char *const with_arg[] = { "-m", "--mode", "-Z", NULL };
	size_t idx[32];
	size_t k = operands(argv, n, 1, with_arg, idx, 32);
	for (size_t i = 0; i < k && i < 32; i++)
		add_effect(r, u, R_MKDIR, EFF_DIR, &argv[idx[i]], NULL, 0);
	return k ? R_MKDIR : -1;
}

static int m_rm(struct rec *r, struct effect_use *u, const struct eword *argv,
                size_t n)
{
	size_t idx[32];
	size_t k = operands(argv, n, 1, NULL, idx, 32);
	enum rule_id id = streq(base_name(argv[0].val), "rmdir") ? R_RMDIR : R_RM;
	for (size_t i = 0; i < k && i < 32; i++)
		add_effect(r, u, id, EFF_REMOVE, &argv[idx[i]], NULL, 0);
	return k ? (int)id : -1;
}

static int m_tar(struct rec *r, struct effect_use *u, const struct eword *argv,
                 size_t n)
{
	if (n < 2)
		return -1;
	const char *first = argv[1].text;
	bool extract = has_flag(argv, n, 'x', "--extract") || has_flag(argv, n, 0, "--get") ||
	               (first[0] != '-' && strchr(first, 'x'));
	bool list = has_flag(argv, n, 't', "--list") || (first[0] != '-' && strchr(first, 't'));
	if (list && !extract)
		return R_READ_ONLY;
	if (!extract)
		return -1;
	const struct eword *d = opt_value(r, argv, n, "-C", "--directory");
	struct eword dir = d ? *d : plain(r->dir, r->dir_text);
	dir.flags = 0;
	add_effect(r, u, R_TAR_X, EFF_FILE, &dir, NULL, 0);
	return R_TAR_X;
}

/* unzip ARCHIVE [-d D]: files under D (the cd directory without -d), as
 * tar -x; listing, testing and extracting to standard output only read. */
static int m_unzip(struct rec *r, struct effect_use *u, const struct eword *argv,
                   size_t n)
{
	if (has_flag(argv, n, 'l', NULL) || has_flag(argv, n, 't', NULL) ||
	    has_flag(argv, n, 'v', NULL) || has_flag(argv, n, 'Z', NULL) ||
	    has_flag(argv, n, 'p', NULL))
		return R_READ_ONLY;
	static const char *const with_arg[] = { "-d", "-x", "-P", NULL };
	size_t idx[1];
	if (operands(argv, n, 1, with_arg, idx, 1) == 0)
		return -1; /* no archive named */
	const struct eword *d = opt_value(r, argv, n, "-d", NULL);
	struct eword dir = d ? *d : plain(r->dir, r->dir_text);
	dir.flags = 0;
	/* as for tar, no second object: a capture it reads is no saved copy of D */
	add_effect(r, u, R_UNZIP, EFF_FILE, &dir, NULL, 0);
	return R_UNZIP;
}

/* ---- accounts, packages, settings ---- */

static int m_account(struct rec *r, struct effect_use *u,
                     const struct eword *argv, size_t n)
{
	static const char *const with_arg[] = { "-b", "-c", "-d", "-e", "-f", "-g", "-G", "-k",
		"-K", "-p", "-s", "-u", "-Z", "-R", "-P", "--home", "--shell", "--uid", "--gid",
		"--ingroup", "--gecos", "--home-dir", "--groups", "--comment", "--password", NULL };
	const char *p = base_name(argv[0].val);
	size_t idx[4];
	size_t k = operands(argv, n, 1, with_arg, idx, 4);
	if (k == 0)
		return -1;
	const struct eword *name = &argv[idx[0]];
	enum rule_id id;
	enum effect_kind kind;
	if (streq(p, "useradd") || (streq(p, "adduser") && k == 1)) {
		id = R_USERADD;
		kind = EFF_USER_ADDED;
	} else if (streq(p, "userdel") || streq(p, "deluser")) {
		id = R_USERDEL;
		kind = EFF_USER_DELETED;
	} else if (streq(p, "groupadd") || streq(p, "addgroup")) {
		id = R_GROUPADD;
		kind = EFF_GROUP_ADDED;
	} else if (streq(p, "groupdel") || streq(p, "delgroup")) {
		id = R_GROUPDEL;
		kind = EFF_GROUP_DELETED;
	} else {
		return -1;
	}
	add_effect(r, u, id, kind, name, NULL, 0);
	return id;
}

/* A package file: its package and version when it is named as Debian names
 * them, NAME_VERSION_ARCH.deb (as `apt install NAME=VERSION` gives them);
 * ver's value is empty when the name holds none. */
static bool deb_file(struct rec *r, const struct eword *w, struct eword *pkg, struct eword *ver)
{
	size_t len = strlen(w->val);
	if (len < 5 || strcmp(w->val + len - 4, ".deb") != 0)
		return false;
	const char *b = base_name(w->val), *end = w->val + len - 4;
	const char *us = memchr(b, '_', (size_t)(end - b));
	*pkg = *w;
	pkg->val = arena_strndup(r->a, b, (size_t)((us ? us : end) - b));
	pkg->text = pkg->val; /* messages name the package, not its file */
	*ver = plain(NULL, NULL);
	if (us) {
		const char *us2 = memchr(us + 1, '_', (size_t)(end - us - 1));
		const char *v = arena_strndup(r->a, us + 1, (size_t)((us2 ? us2 : end) - us - 1));
		*ver = plain(v, v);
	}
	return true;
}

static int m_apt(struct rec *r, struct effect_use *u, const struct eword *argv,
                 size_t n)
{
	static const char *const with_arg[] = { "-o", "-t", "-c", "--target-release", "--option", NULL };
	size_t idx[64];
	size_t k = operands(argv, n, 1, with_arg, idx, 64);
	if (k == 0)
		return -1;
	const char *verb = argv[idx[0]].text;
	bool install = streq(verb, "install") || streq(verb, "reinstall");
	bool remove = streq(verb, "remove") || streq(verb, "purge");
	static const char *const reads[] = { "update", "show", "policy", "list", "search",
		"depends", "rdepends", "download", "changelog", NULL };
	if (one_of(verb, reads))
		return R_APT_READ;
	if (!install && !remove)
		return -1;
	for (size_t i = 1; i < k && i < 64; i++) {
		struct eword p = argv[idx[i]];
		const char *eq = strchr(p.val, '=');
		struct eword ver = plain(NULL, NULL);
		if (!deb_file(r, &argv[idx[i]], &p, &ver) && eq) {
			ver = plain(eq + 1, eq + 1);
			p.val = arena_strndup(r->a, p.val, (size_t)(eq - p.val));
			const char *teq = strchr(p.text, '=');
			if (teq) /* messages name the package: `apt-get remove P` */
				p.text = arena_strndup(r->a, p.text, (size_t)(teq - p.text));
		}
		bool pinned = *ver.val; /* P=V, or a package file with its version */
		add_effect(r, u, install ? R_APT_INSTALL : R_APT_REMOVE,
		           install ? EFF_PACKAGE_INSTALLED : EFF_PACKAGE_REMOVED, &p,
		           pinned ? &ver : NULL, pinned ? EF_PINNED : 0);
	}
	return install ? R_APT_INSTALL : R_APT_REMOVE;
}

static int m_apt_read(struct rec *r, struct effect_use *u,
                      const struct eword *argv, size_t n)
{
	(void)r; (void)u;
	const char *p = base_name(argv[0].val);
	if (streq(p, "dpkg") && n >= 2 && (streq(argv[1].text, "-l") || streq(argv[1].text, "-s") ||
	                                   streq(argv[1].text, "-L") || streq(argv[1].text, "--status")))
		return R_APT_READ;
	if (streq(p, "apt-cache") || streq(p, "dpkg-query"))
		return R_APT_READ;
	return -1;
}

/* dpkg -i FILE.deb... installs the packages the files name; dpkg -r/-P P...
 * removes P. */
static int m_dpkg(struct rec *r, struct effect_use *u, const struct eword *argv,
                  size_t n)
{
	bool install = has_flag(argv, n, 'i', "--install");
	bool remove = has_flag(argv, n, 'r', "--remove") || has_flag(argv, n, 'P', "--purge");
	if (install == remove)
		return m_apt_read(r, u, argv, n);
	static const char *const with_arg[] = { "--admindir", "--root", "--instdir", "--log", NULL };
	size_t idx[64];
	size_t k = operands(argv, n, 1, with_arg, idx, 64);
	size_t added = 0;
	for (size_t i = 0; i < k && i < 64; i++) {
		struct eword pkg, ver;
		if (remove) {
			add_effect(r, u, R_DPKG_REMOVE, EFF_PACKAGE_REMOVED, &argv[idx[i]], NULL, 0);
			added++;
		} else if (deb_file(r, &argv[idx[i]], &pkg, &ver)) {
			bool pinned = *ver.val;
			add_effect(r, u, R_DPKG_INSTALL, EFF_PACKAGE_INSTALLED, &pkg, pinned ? &ver : NULL,
			           pinned ? EF_PINNED : 0);
			added++;
		}
	}
	return added ? (int)(remove ? R_DPKG_REMOVE : R_DPKG_INSTALL) : -1;
}

/* crontab [-u USER] FILE|-, -r, -e. An install whose input is a capture
 * (the file named by one, or one piped or redirected in) is marked, as it
 * can put back a copy saved before the change. */
static int m_crontab(struct rec *r, struct effect_use *u,
                     const struct eword *argv, size_t n)
{
	if (has_flag(argv, n, 'l', NULL))
		return R_CRONTAB_LIST;
	const struct eword *user = opt_value(r, argv, n, "-u", NULL);
	struct eword who = user ? *user : plain("", "");
	who.flags = 0;
	static const char *const with_arg[] = { "-u", NULL };
	size_t idx[2];
	size_t k = operands(argv, n, 1, with_arg, idx, 2);
	unsigned flags = 0;
	const struct eword *file = NULL;
	struct eword in;
	if (has_flag(argv, n, 'r', NULL)) {
		flags = EF_CRON_REMOVE;
	} else if (has_flag(argv, n, 'e', NULL)) {
		flags = EF_CRON_EDIT;
	} else if (k > 0 && !streq(argv[idx[0]].text, "-")) {
		file = &argv[idx[0]];
	} else if (u->stdin_file) {
		in = plain(u->stdin_text, u->stdin_text);
		in.flags = u->stdin_flags;
		file = &in;
	} else {
		for (size_t i = 1; i < u->pipe_from_argc; i++)
			if (u->pipe_from_argv[i].flags & EW_CAPTURE)
				flags |= EF_SAVED_INPUT;
	}
	if (file && (file->flags & EW_CAPTURE))
		flags |= EF_SAVED_INPUT;
	add_effect(r, u, R_CRONTAB, EFF_CRONTAB, &who, file, flags);
	return R_CRONTAB;
}

static int m_sysctl(struct rec *r, struct effect_use *u,
                    const struct eword *argv, size_t n)
{
	if (!has_flag(argv, n, 'w', "--write"))
		return has_flag(argv, n, 'p', "--load") ? -1 : R_SYSCTL_READ;
	bool any = false;
	for (size_t i = 1; i < n; i++) {
		const char *eq = strchr(argv[i].val, '=');
		if (is_opt(&argv[i]) || !eq)
			continue;
		struct eword key = plain(arena_strndup(r->a, argv[i].val, (size_t)(eq - argv[i].val)), NULL);
		key.text = key.val;
		struct eword val = argv[i];
		val.val = eq + 1;
		add_effect(r, u, R_SYSCTL_W, EFF_SYSCTL, &key, &val, 0);
		any = true;
	}
	return any ? R_SYSCTL_W : -1;
}

static int m_iptables(struct rec *r, struct effect_use *u,
                      const struct eword *argv, size_t n)
{
	const char *table_name = "filter";
	enum effect_kind kind = EFF_NONE;
	size_t at = 0;
	for (size_t i = 1; i < n; i++) {
		const char *t = argv[i].text;
		if ((streq(t, "-t") || streq(t, "--table")) && i + 1 < n)
			table_name = argv[i + 1].val;
		else if (streq(t, "-A") || streq(t, "--append") || streq(t, "-I") || streq(t, "--insert"))
			kind = EFF_FIREWALL_ADDED, at = i;
		else if (streq(t, "-D") || streq(t, "--delete"))
			kind = EFF_FIREWALL_REMOVED, at = i;
	}
	if (kind == EFF_NONE)
		return has_flag(argv, n, 0, "-L") || has_flag(argv, n, 0, "-S") ||
		       has_flag(argv, n, 0, "-C") || has_flag(argv, n, 0, "--list") ? R_IPTABLES_READ : -1;
	if (at + 1 >= n)
		return -1;
	/* The rule: table, chain and the match words, the position dropped. */
	struct buf b;
	buf_init(&b);
	buf_printf(&b, "%s %s %s", base_name(argv[0].val), table_name, argv[at + 1].val);
	size_t i = at + 2;
	bool insert = streq(argv[at].text, "-I") || streq(argv[at].text, "--insert");
	if (insert && i < n && isdigit((unsigned char)argv[i].text[0]))
		i++;
	for (size_t j = 1; j < n; j++) {
		if (j == at || j == at + 1 || (j == at + 2 && i == at + 3))
			continue;
		if ((streq(argv[j].text, "-t") || streq(argv[j].text, "--table")) && j + 1 < n) {
			j++;
			continue;
		}
		buf_printf(&b, " %s", argv[j].val);
	}
	struct eword rule = plain(arena_strdup(r->a, b.data), NULL);
	rule.text = rule.val;
	buf_free(&b);
	add_effect(r, u, kind == EFF_FIREWALL_ADDED ? R_IPTABLES_ADD : R_IPTABLES_DELETE,
	           kind, &rule, NULL, 0);
	return kind == EFF_FIREWALL_ADDED ? R_IPTABLES_ADD : R_IPTABLES_DELETE;
}

/* Programs that only read (or print), with the forms that would write
 * excluded. */
static int m_read_only(struct rec *r, struct effect_use *u,
                       const struct eword *argv, size_t n)
{
	(void)r; (void)u;
	static const char *const plain_reads[] = { "cat", "ls", "echo", "printf", "test", "[",
		"true", "false", "sleep", "grep", "egrep", "fgrep", "awk", "head", "tail", "wc",
		"sort", "uniq", "cut", "tr", "df", "du", "readlink", "realpath", "stat", "id",
		"getent", "whoami", "hostname", "date", "pwd", "basename", "dirname", "which",
		"zcat", "xzcat", "bzcat", "zstdcat", "sha256sum", "sha1sum", "sha512sum",
		"md5sum", "cmp", "diff", "journalctl", "ps", "pgrep", "jq", "uname", "free",
		"uptime", "ss", "netstat", "file", "pg_dump", "mysqldump", "pg_isready",
		"nproc", "lsof", "command", "type", "exit", ":", NULL };
	const char *p = base_name(argv[0].val);
	if (one_of(p, plain_reads))
		return R_READ_ONLY;
	if (streq(p, "find") && !has_flag(argv, n, 0, "-delete") &&
	    !has_flag(argv, n, 0, "-exec") && !has_flag(argv, n, 0, "-execdir"))
		return R_READ_ONLY;
	if ((streq(p, "gzip") || streq(p, "gunzip") || streq(p, "xz") || streq(p, "bzip2") ||
	     streq(p, "zstd")) &&
	    (has_flag(argv, n, 'c', "--stdout") || has_flag(argv, n, 't', "--test") ||
	     has_flag(argv, n, 'l', "--list")))
		return R_READ_ONLY;
	/* curl without a request body or a method that writes is a GET. */
	if (streq(p, "curl") && !has_flag(argv, n, 0, "-X") && !has_flag(argv, n, 0, "--request") &&
	    !has_flag(argv, n, 0, "-d") && !has_flag(argv, n, 0, "--data") &&
	    !has_flag(argv, n, 0, "-F") && !has_flag(argv, n, 0, "-T") &&
	    !has_flag(argv, n, 0, "-o") && !has_flag(argv, n, 0, "-O") &&
	    !has_flag(argv, n, 0, "--output"))
		return R_READ_ONLY;
	return -1;
}

struct program {
	const char *name;
	matcher fn;
};

static const struct program programs[] = {
	{ "systemctl", m_systemctl }, { "service", m_service }, { "pm2", m_pm2 },
	{ "git", m_git },
	{ "uv", m_uv }, { "pip", m_pip }, { "pip3", m_pip }, { "python", m_python },
	{ "python3", m_python }, { "npm", m_npm }, { "yarn", m_yarn }, { "pnpm", m_yarn },
	{ "bundle", m_bundle }, { "poetry", m_poetry },
	{ "sqlite3", m_sqlite3 }, { "psql", m_psql }, { "mysql", m_mysql },
	{ "mariadb", m_mysql }, { "pg_restore", m_pg_restore },
	{ "mv", m_mv }, { "cp", m_cp }, { "install", m_install }, { "tee", m_tee },
	{ "ln", m_ln }, { "mkdir", m_mkdir }, { "rm", m_rm }, { "rmdir", m_rm },
	{ "tar", m_tar }, { "unzip", m_unzip }, { "sed", m_sed }, { "perl", m_perl }, { "rsync", m_rsync },
	{ "curl", m_download }, { "wget", m_download }, { "supervisorctl", m_supervisorctl },
	{ "useradd", m_account }, { "adduser", m_account }, { "userdel", m_account },
	{ "deluser", m_account }, { "groupadd", m_account }, { "addgroup", m_account },
	{ "groupdel", m_account }, { "delgroup", m_account },
	{ "apt-get", m_apt }, { "apt", m_apt }, { "apt-cache", m_apt_read },
	{ "dpkg", m_dpkg }, { "dpkg-query", m_apt_read },
	{ "crontab", m_crontab }, { "sysctl", m_sysctl },
	{ "iptables", m_iptables }, { "ip6tables", m_iptables },
};

/* Match argv against the table: the program's matcher first, then the
 * migration rule, then the read-only list. */
static int match(struct rec *r, struct effect_use *u, const struct eword *argv,
                 size_t n)
{
	const char *p = base_name(argv[0].val);
	int id = -1;
	for (size_t i = 0; i < sizeof programs / sizeof programs[0]; i++)
		if (streq(p, programs[i].name)) {
			id = programs[i].fn(r, u, argv, n);
			break;
		}
	if (id < 0 && !strncmp(p, "pip", 3) && isdigit((unsigned char)p[3]))
		id = m_pip(r, u, argv, n);
	if (id < 0 && !strncmp(p, "python", 6))
		id = m_python(r, u, argv, n);
	if (id < 0)
		id = m_migration(r, u, argv, n);
	if (id < 0)
		id = m_read_only(r, u, argv, n);
	return id;
}

/* ---- declared effects ---- */

/* Interpreters a form may stand behind: `occ upgrade` matches
 * `php /var/www/nextcloud/occ upgrade`. */
static bool is_interpreter(const char *p)
{
	static const char *const interps[] = { "php", "ruby", "node", "perl", "java", NULL };
	return one_of(p, interps) || !strncmp(p, "python", 6) || !strncmp(p, "php", 3);
}

/* Do the words of u start with the form's? The first word is compared by
 * its last path component unless the form gives a path. */
static bool form_matches(struct rec *r, const struct effect_decl *d,
                         const struct eword *argv, size_t n)
{
	if (n < d->nwords)
		return false;
	for (size_t i = 0; i < d->nwords; i++) {
		const char *fw = d->words[i];
		if (streq(fw, "*"))
			continue;
		struct eword w = make_word(r, fw, strchr(fw, '$') != NULL);
		const char *have = argv[i].val;
		if (i == 0 && !strchr(w.val, '/'))
			have = base_name(have);
		if (!streq(w.val, have))
			return false;
	}
	return true;
}

/* Add the effects the spec declares for this command, after the table's. */
static void match_declared(struct rec *r, struct effect_use *u)
{
	if (!r->rel)
		return;
	const struct eword *argv = u->argv;
	size_t n = u->argc;
	bool interp = n > 1 && is_interpreter(base_name(argv[0].val));
	for (const struct effect_decl *d = r->rel->effect_decls; d; d = d->next) {
		bool hit = form_matches(r, d, argv, n);
		/* behind an interpreter: the script after its options, one of which
		 * may take a value (`php --define apc.enable_cli=1 occ`) */
		for (size_t k = 1; interp && !hit && k < n; k++) {
			if (argv[k].text[0] == '-')
				continue;
			hit = form_matches(r, d, argv + k, n - k);
			if (argv[k - 1].text[0] != '-' || strchr(argv[k - 1].text, '='))
				break;
		}
		if (!hit)
			continue;
		struct eword obj = d->object ? make_word(r, d->object->raw, true) : plain("", "");
		const struct eword *o = d->object ? &obj : NULL;
		static const enum effect_kind kinds[] = {
			[DECL_DATA] = EFF_DATA, [DECL_CODE] = EFF_CODE,
			[DECL_DEPS] = EFF_DEPS, [DECL_FILE] = EFF_FILE,
		};
		add_effect(r, u, R_CD, kinds[d->kind], o, NULL, 0);
		u->effects[u->neffects - 1].rule = &declared_rows[d->kind];
		if (!u->rule)
			u->rule = &declared_rows[d->kind];
	}
}

/* ---- looking through wrappers ---- *//* ---- looking through wrappers ---- */

static void parse_list(struct rec *r, const char *text, size_t len, bool outer);

static void note_prefix(struct rec *r, const char *what)
{
	if (r->prefixes.len)
		buf_puts(&r->prefixes, ", ");
	buf_puts(&r->prefixes, what);
}

static bool is_assignment(const char *t)
{
	if (!is_ident_start(t[0]))
		return false;
	size_t i = 1;
	while (is_ident_char(t[i]))
		i++;
	return t[i] == '=';
}

/* Skip the options of a wrapper; with_arg lists those taking a value. */
static size_t skip_opts(const struct eword *w, size_t i, size_t n,
                        const char *const *with_arg)
{
	while (i < n && is_opt(&w[i])) {
		if (streq(w[i].text, "--"))
			return i + 1;
		if (with_arg && one_of(w[i].text, with_arg))
			i++;
		i++;
	}
	return i;
}

/* su [opts] [-] [USER] -c CMD, sh -c CMD: the command string, or -1. */
static long inner_command(const struct eword *w, size_t i, size_t n)
{
	for (size_t j = i + 1; j < n; j++)
		if ((streq(w[j].text, "-c") || streq(w[j].text, "--command") ||
		     streq(w[j].text, "-lc")) && j + 1 < n)
			return (long)(j + 1);
	return -1;
}

/* Recognise one simple command's words (prefixes looked through). */
static void read_words(struct rec *r, const struct sh_simple *sc,
                       struct eword *w, size_t n, struct effect_use *proto)
{
	static const char *const sudo_args[] = { "-u", "-g", "-C", "-D", "-h", "-p", "-r",
		"-t", "-T", "-U", "--user", "--group", "--chdir", "--host", "--prompt", NULL };
	static const char *const env_args[] = { "-u", "-C", "-S", "--unset", "--chdir", NULL };
	static const char *const timeout_args[] = { "-s", "-k", "--signal", "--kill-after", NULL };
	static const char *const nice_args[] = { "-n", "--adjustment", NULL };
	static const char *const ionice_args[] = { "-c", "-n", "-p", NULL };
	size_t i = 0;
	for (;;) {
		while (i < n && is_assignment(w[i].text)) {
			if (!r->prefixes.len || !strstr(r->prefixes.data, "X=Y"))
				note_prefix(r, "X=Y");
			i++;
		}
		if (i >= n)
			return;
		const char *p = base_name(w[i].val);
		if (streq(p, "sudo") || streq(p, "doas")) {
			note_prefix(r, p);
			i = skip_opts(w, i + 1, n, sudo_args);
		} else if (streq(p, "env")) {
			note_prefix(r, "env");
			for (size_t j = i + 1; j + 1 < n; j++)
				if (streq(w[j].text, "-C") || streq(w[j].text, "--chdir")) {
					r->dir = w[j + 1].val;
					r->dir_text = w[j + 1].text;
				}
			i = skip_opts(w, i + 1, n, env_args);
		} else if (streq(p, "timeout")) {
			note_prefix(r, "timeout");
			i = skip_opts(w, i + 1, n, timeout_args);
			if (i < n)
				i++; /* the time limit */
		} else if (streq(p, "command") && i + 1 < n &&
		           w[i + 1].text[0] != '-') {
			note_prefix(r, "command");
			i++;
		} else if (streq(p, "nice") || streq(p, "nohup") || streq(p, "exec") ||
		           streq(p, "ionice") || streq(p, "stdbuf") || streq(p, "chronic")) {
			note_prefix(r, p);
			i = skip_opts(w, i + 1, n, streq(p, "ionice") ? ionice_args : nice_args);
		} else if (streq(p, "su") || streq(p, "runuser") || streq(p, "sh") ||
		           streq(p, "bash") || streq(p, "dash")) {
			long c = inner_command(w, i, n);
			if (c < 0 || r->nest > 8)
				break;
			note_prefix(r, streq(p, "su") || streq(p, "runuser") ? "su -c" : "sh -c");
			const char *saved_dir = r->dir, *saved_text = r->dir_text;
			const char *saved_outer = r->outer_prefixes;
			r->outer_prefixes = arena_strdup(r->a, r->prefixes.data);
			r->nest++;
			parse_list(r, w[c].text, strlen(w[c].text), false);
			r->nest--;
			r->outer_prefixes = saved_outer;
			r->dir = saved_dir;
			r->dir_text = saved_text;
			return;
		} else {
			break;
		}
	}
	if (i >= n)
		return;
	if (streq(base_name(w[i].val), "cd") || streq(base_name(w[i].val), "pushd")) {
		struct effect_use *u = new_use(r);
		*u = *proto;
		u->off = r->off;
		u->len = r->len;
		u->rule = &table[R_CD];
		r->last_sc = sc;
		u->argv = w + i;
		u->argc = n - i;
		u->prefixes = arena_strndup(r->a, r->prefixes.data ? r->prefixes.data : "", r->prefixes.len);
		size_t k = i + 1;
		while (k < n && is_opt(&w[k]))
			k++;
		r->dir = k < n ? w[k].val : NULL;
		r->dir_text = k < n ? w[k].text : NULL;
		return;
	}
	struct effect_use *u = new_use(r);
	*u = *proto;
	u->off = r->off;
	u->len = r->len;
	u->dir = r->dir;
	u->dir_text = r->dir_text;
	r->last_sc = sc;
	u->argv = w + i;
	u->argc = n - i;
	u->prefixes = arena_strndup(r->a, r->prefixes.data ? r->prefixes.data : "", r->prefixes.len);
	int id = match(r, u, u->argv, u->argc);
	if (id >= 0)
		u->rule = &table[id];
	match_declared(r, u);
}

/* Output redirections write their target (not /dev/null and friends). */
static void read_redirs(struct rec *r, const struct sh_simple *sc,
                        struct effect_use *proto)
{
	for (size_t i = 0; i < sc->nredirs; i++) {
		const struct sh_redir *rd = &sc->redirs[i];
		const char *op = rd->op;
		size_t ol = strlen(op);
		bool out = ol && (op[ol - 1] == '>' || (ol > 1 && op[ol - 1] == '|' && op[ol - 2] == '>'));
		if (!out || op[0] == '2' || strchr(op, '&') != NULL)
			continue;
		struct eword t = make_word(r, rd->target.value, rd->target.expands);
		if (is_dev_path(t.val))
			continue;
		/* Attach to the command's use when there is one. */
		struct effect_use *u = NULL;
		if (r->nuses && r->last_sc == sc)
			u = &r->uses[r->nuses - 1];
		if (!u) {
			u = new_use(r);
			*u = *proto;
			u->off = r->off;
			u->len = r->len;
			r->last_sc = sc;
			u->prefixes = "";
		}
		add_effect(r, u, R_REDIRECT, EFF_FILE, &t, NULL, 0);
	}
}

/* Programs that run a test before a command, so `test ... && cmd` guards it. */
static bool is_test_program(const char *p)
{
	static const char *const tests[] = { "test", "[", "id", "getent", "grep", "command",
		"which", "systemctl", NULL };
	return one_of(p, tests);
}

/* Does the text before `off` end with the reserved word kw (an optional
 * `!` after it aside)? */
static bool after_keyword(const char *text, size_t off, const char *kw)
{
	size_t i = off, kl = strlen(kw);
	while (i > 0 && (text[i - 1] == ' ' || text[i - 1] == '\t'))
		i--;
	if (i > 0 && text[i - 1] == '!') {
		i--;
		while (i > 0 && (text[i - 1] == ' ' || text[i - 1] == '\t'))
			i--;
	}
	if (i < kl || strncmp(text + i - kl, kw, kl) != 0)
		return false;
	return i == kl || !is_ident_char(text[i - kl - 1]);
}

static void parse_list(struct rec *r, const char *text, size_t len, bool outer)
{
	struct sh_simple *sc = NULL;
	size_t n = sh_parse(r->scratch, text, len, &sc);
	/* each simple command's words, read once: a pipe's next command looks
	 * at the words of the one before it */
	struct eword **words = arena_alloc(r->scratch, (n + 1) * sizeof *words);
	for (size_t i = 0; i < n; i++) {
		const struct sh_simple *s = &sc[i];
		/* The previous simple command at the same depth. */
		const struct sh_simple *prev = NULL;
		size_t pj = 0;
		for (size_t j = i; j-- > 0;)
			if (sc[j].depth == s->depth) {
				prev = &sc[j];
				pj = j;
				break;
			}
		if (outer) {
			r->off = s->off;
			r->len = s->len;
		}
		buf_clear(&r->prefixes);
		if (r->outer_prefixes)
			buf_puts(&r->prefixes, r->outer_prefixes); /* wrappers outside su -c */
		struct eword *w = arena_alloc(r->a, (s->nwords + 1) * sizeof *w);
		for (size_t k = 0; k < s->nwords; k++)
			w[k] = make_word(r, s->words[k].value, s->words[k].expands);
		words[i] = w;
		struct effect_use proto;
		memset(&proto, 0, sizeof proto);
		proto.guarded = s->sep == SH_SEP_OR || (prev && prev->sep == SH_SEP_OR);
		if (prev && prev->sep == SH_SEP_AND && prev->nwords) {
			const char *pp = base_name(prev->words[0].value);
			if (is_test_program(pp) || streq(pp, "!"))
				proto.guarded = true;
		}
		/* `if ! id -u U; then useradd U; fi`: the previous command is the
		 * condition of an if (sh_parse drops the reserved words). */
		if (prev && after_keyword(text, prev->off, "if"))
			proto.guarded = true;
		/* The body of an if, and its else: the condition decides whether it
		 * runs (`if [ -d A ]; then rm -rf B && mv -f A B; fi`). */
		if (s->clause && (streq(s->clause, "then") || streq(s->clause, "else")))
			proto.guarded = true;
		if (prev && prev->sep == SH_SEP_PIPE && prev->nwords) {
			/* The program the pipe comes from, wrappers looked through. */
			size_t k = 0;
			while (k < prev->nwords && (is_assignment(prev->words[k].value) ||
			                            streq(prev->words[k].value, "sudo")))
				k++;
			if (k < prev->nwords) {
				const char *from = base_name(prev->words[k].value);
				proto.pipe_from = arena_strdup(r->a, from);
				proto.pipe_from_argv = words[pj] + k; /* ends in a zeroed word too */
				proto.pipe_from_argc = prev->nwords - k;
			}
		}
		for (size_t k = 0; k < s->nredirs; k++) {
			const char *op = s->redirs[k].op;
			if (streq(op, "<")) {
				struct eword t = make_word(r, s->redirs[k].target.value,
				                           s->redirs[k].target.expands);
				proto.stdin_file = true;
				proto.stdin_text = t.text;
				proto.stdin_flags = t.flags;
			} else if (!strncmp(op, "<<", 2) && !streq(op, "<<<")) {
				proto.heredoc = true;
			}
		}
		read_words(r, s, w, s->nwords, &proto);
		read_redirs(r, s, &proto);
	}
}

static void finish(struct rec *r, struct cmd_effects *out)
{
	out->uses = arena_alloc(r->a, (r->nuses + 1) * sizeof *out->uses);
	out->nuses = r->nuses;
	size_t ne = 0;
	for (size_t i = 0; i < r->nuses; i++)
		ne += r->uses[i].neffects;
	/* one array: each use's effects are its slice of the command's */
	out->effects = arena_alloc(r->a, (ne + 1) * sizeof *out->effects);
	out->neffects = 0;
	for (size_t i = 0; i < r->nuses; i++) {
		struct effect_use *u = &out->uses[i];
		*u = r->uses[i];
		struct effect *e = out->effects + out->neffects;
		if (u->neffects)
			memcpy(e, r->uses[i].effects, u->neffects * sizeof *e);
		u->effects = e;
		for (size_t k = 0; k < u->neffects; k++)
			e[k].use = u;
		out->neffects += u->neffects;
	}
}

/* Does the command read a capture made by a backup? */
static bool reads_backup(const struct cmd_effects *ce)
{
	for (size_t i = 0; i < ce->nuses; i++) {
		const struct effect_use *u = &ce->uses[i];
		for (size_t k = 0; k < u->argc; k++)
			if (u->argv[k].flags & EW_BACKUP_CAPTURE)
				return true;
		for (size_t k = 0; k < u->pipe_from_argc; k++)
			if (u->pipe_from_argv[k].flags & EW_BACKUP_CAPTURE)
				return true;
		if (u->stdin_flags & EW_BACKUP_CAPTURE)
			return true;
	}
	return false;
}

/* What reading a command needs besides its result: a scratch arena and
 * two buffers, kept by each thread for its next command instead of made
 * and freed for every one (about 900 instructions a command). */
struct reader_cache {
	struct arena *scratch;
	struct buf prefixes, word;
};

static void cache_drop(void *p)
{
	struct reader_cache *rc = p;
	arena_free(rc->scratch);
	buf_free(&rc->prefixes);
	buf_free(&rc->word);
	free(rc);
}

static struct thread_slot reader_slot = THREAD_SLOT(cache_drop);

/* The thread's cache, out of its slot while in use; a new one when the
 * thread has none. */
static struct reader_cache *cache_take(void)
{
	struct reader_cache *rc = thread_slot_take(&reader_slot);
	if (rc)
		return rc;
	rc = xcalloc(1, sizeof *rc);
	rc->scratch = arena_new();
	buf_init(&rc->prefixes);
	buf_init(&rc->word);
	return rc;
}

static void cache_give(struct reader_cache *rc)
{
	arena_reset(rc->scratch);
	buf_clear(&rc->prefixes);
	buf_clear(&rc->word);
	if (!thread_slot_keep(&reader_slot, rc))
		cache_drop(rc);
}

static void read_text(struct arena *a, const struct release *rel,
                      const char *text, size_t len, struct cmd_effects *out)
{
	struct reader_cache *rc = cache_take();
	struct rec r;
	memset(&r, 0, sizeof r);
	r.a = a;
	r.scratch = rc->scratch;
	r.rel = rel;
	r.prefixes = rc->prefixes;
	r.word = rc->word;
	r.text = text;
	r.tlen = len;
	parse_list(&r, text, len, true);
	finish(&r, out);
	/* the buffers may have grown: the cache keeps them as they are now */
	rc->prefixes = r.prefixes;
	rc->word = r.word;
	cache_give(rc);
	if (reads_backup(out))
		for (size_t k = 0; k < out->neffects; k++)
			out->effects[k].flags |= EF_FROM_BACKUP; /* the uses' slices too */
}

void effects_of_command(struct arena *a, const struct release *rel,
                        const struct command *cmd, struct cmd_effects *out)
{
	memset(out, 0, sizeof *out);
	read_text(a, rel, cmd->text, cmd->len, out);
	out->cmd = cmd;
}

void effects_of_text(struct arena *a, const struct release *rel,
                     const char *text, size_t len, struct cmd_effects *out)
{
	memset(out, 0, sizeof *out);
	read_text(a, rel, text, len, out);
}

bool effects_change_state(const struct cmd_effects *ce)
{
	for (size_t i = 0; i < ce->neffects; i++)
		if (ce->effects[i].kind != EFF_NONE)
			return true;
	return false;
}

bool effects_change_data(const struct cmd_effects *ce)
{
	for (size_t i = 0; i < ce->neffects; i++)
		if (ce->effects[i].kind == EFF_DATA)
			return true;
	return false;
}

const char *effect_kind_name(enum effect_kind k)
{
	static const char *const names[EFF__COUNT] = {
		[EFF_NONE] = "none",
		[EFF_SERVICE_STARTED] = "service running",
		[EFF_SERVICE_STOPPED] = "service stopped",
		[EFF_SERVICE_RESTARTED] = "service runs new code",
		[EFF_UNIT_ENABLED] = "unit enabled",
		[EFF_UNIT_DISABLED] = "unit disabled",
		[EFF_CODE] = "code",
		[EFF_DEPS] = "dependencies",
		[EFF_DATA] = "data",
		[EFF_DOWN_MIGRATION] = "down migration",
		[EFF_MOVE] = "file moved",
		[EFF_FILE] = "file",
		[EFF_REMOVE] = "removed",
		[EFF_LINK] = "link",
		[EFF_DIR] = "directory",
		[EFF_USER_ADDED] = "account",
		[EFF_USER_DELETED] = "account removed",
		[EFF_GROUP_ADDED] = "group",
		[EFF_GROUP_DELETED] = "group removed",
		[EFF_PACKAGE_INSTALLED] = "package",
		[EFF_PACKAGE_REMOVED] = "package removed",
		[EFF_CRONTAB] = "crontab",
		[EFF_SYSCTL] = "kernel setting",
		[EFF_FIREWALL_ADDED] = "firewall rule",
		[EFF_FIREWALL_REMOVED] = "firewall rule removed",
		[EFF_UNITS_RELOADED] = "unit files reloaded",
	};
	return k < EFF__COUNT && names[k] ? names[k] : "?";
}

bool effect_unpacks(const struct effect *e)
{
	return e->rule == &table[R_TAR_X] || e->rule == &table[R_UNZIP];
}

bool effects_unit_path(const char *p)
{
	static const char *const dirs[] = { "/etc/systemd/system", "/lib/systemd/system",
		"/usr/lib/systemd/system", "/run/systemd/system", "/usr/local/lib/systemd/system",
		NULL };
	for (const char *const *d = dirs; *d; d++) {
		size_t n = strlen(*d);
		if (!strncmp(p, *d, n) && p[n] == '/' && p[n + 1])
			return true;
	}
	return false;
}

/* The object for messages: as written, or a placeholder when unknown. */
static const char *obj_or(const struct effect *e, const char *dflt)
{
	return e->obj_text && *e->obj_text ? e->obj_text : dflt;
}

const char *effect_service_tool(const struct effect *e)
{
	if (e->rule && !strncmp(e->rule->form, "pm2 ", 4))
		return "pm2";
	if (e->rule && !strncmp(e->rule->form, "supervisorctl ", 14))
		return "supervisorctl";
	return "systemctl";
}

static const char *service_word(const struct effect *e)
{
	const char *tool = effect_service_tool(e);
	return streq(tool, "pm2") ? "pm2 process" : streq(tool, "supervisorctl") ? "supervisor program" : "service";
}

void effect_describe(struct buf *out, const struct effect *e)
{
	switch (e->kind) {
	case EFF_NONE: buf_puts(out, "no change"); break;
	case EFF_SERVICE_STARTED: buf_printf(out, "%s %s running", service_word(e), e->obj_text); break;
	case EFF_SERVICE_STOPPED: buf_printf(out, "%s %s stopped", service_word(e), e->obj_text); break;
	case EFF_SERVICE_RESTARTED:
		buf_printf(out, "%s %s runs the code on disk", service_word(e), e->obj_text);
		break;
	case EFF_UNIT_ENABLED: buf_printf(out, "unit %s enabled", e->obj_text); break;
	case EFF_UNIT_DISABLED: buf_printf(out, "unit %s disabled", e->obj_text); break;
	case EFF_CODE: buf_printf(out, "code in %s", obj_or(e, "the current directory")); break;
	case EFF_DEPS:
		buf_printf(out, "dependencies (%s) in %s", e->arg_text ? e->arg_text : "?",
		           obj_or(e, "the current directory"));
		break;
	case EFF_DATA:
		if (*e->obj_text)
			buf_printf(out, "data in %s", e->obj_text);
		else
			buf_puts(out, "data");
		break;
	case EFF_DOWN_MIGRATION: buf_puts(out, "data (migrated down)"); break;
	case EFF_MOVE: buf_printf(out, "%s replaced, %s gone", e->arg_text, e->obj_text); break;
	case EFF_FILE:
		if (effect_unpacks(e))
			buf_printf(out, "files under %s", obj_or(e, "the current directory"));
		else
			buf_printf(out, "file %s", obj_or(e, "?"));
		break;
	case EFF_REMOVE: buf_printf(out, "%s removed", e->obj_text); break;
	case EFF_LINK: buf_printf(out, "link %s -> %s", e->obj_text, e->arg_text ? e->arg_text : "?"); break;
	case EFF_DIR: buf_printf(out, "directory %s", e->obj_text); break;
	case EFF_USER_ADDED: buf_printf(out, "account %s", e->obj_text); break;
	case EFF_USER_DELETED: buf_printf(out, "account %s removed", e->obj_text); break;
	case EFF_GROUP_ADDED: buf_printf(out, "group %s", e->obj_text); break;
	case EFF_GROUP_DELETED: buf_printf(out, "group %s removed", e->obj_text); break;
	case EFF_PACKAGE_INSTALLED:
		buf_printf(out, "%spackage %s%s%s", e->rule == &table[R_PIP_PIN] ? "Python " : "",
		           e->obj_text, e->arg ? " at " : "", e->arg ? e->arg : "");
		break;
	case EFF_PACKAGE_REMOVED:
		buf_printf(out, "%spackage %s removed", e->rule == &table[R_PIP_UNINSTALL] ? "Python " : "",
		           e->obj_text);
		break;
	case EFF_CRONTAB:
		buf_printf(out, "crontab of %s %s", obj_or(e, "the current user"),
		           e->flags & EF_CRON_REMOVE ? "removed" : "replaced");
		break;
	case EFF_SYSCTL: buf_printf(out, "kernel setting %s = %s", e->obj_text, e->arg ? e->arg : "?"); break;
	case EFF_FIREWALL_ADDED: buf_printf(out, "firewall rule added (%s)", e->obj_text); break;
	case EFF_FIREWALL_REMOVED: buf_printf(out, "firewall rule removed (%s)", e->obj_text); break;
	case EFF_UNITS_RELOADED: buf_puts(out, "systemd's unit files read again"); break;
	case EFF__COUNT: buf_puts(out, "?"); break;
	}
}

static void describe_inverse_of(struct buf *out, const struct effect *e);

/* A file edited in place, or a folder synchronised, was there before the
 * step: a hint names no removal of it. */
static bool was_there(const struct effect *e)
{
	return (e->flags & EF_IN_PLACE) || e->rule == &table[R_RSYNC];
}

void effect_describe_inverse(struct buf *out, const struct effect *e)
{
	const char *unit = e->kind == EFF_MOVE ? e->arg
	                 : (e->kind == EFF_FILE || e->kind == EFF_LINK || e->kind == EFF_REMOVE) ? e->obj
	                 : NULL;
	if (e->kind == EFF_REMOVE && unit && effects_unit_path(unit))
		buf_printf(out, "a restore of %s from a backup capture or a saved copy", e->obj_text);
	else
		describe_inverse_of(out, e);
	if (unit && effects_unit_path(unit))
		buf_puts(out, ", followed by `systemctl daemon-reload`");
}

static void describe_inverse_of(struct buf *out, const struct effect *e)
{
	const char *o = e->obj_text, *tool = effect_service_tool(e);
	switch (e->kind) {
	case EFF_SERVICE_STARTED: buf_printf(out, "`%s stop %s`", tool, o); break;
	case EFF_SERVICE_STOPPED:
		buf_printf(out, "`%s start %s` (or restart) after the code is reverted", tool, o);
		break;
	case EFF_SERVICE_RESTARTED:
		if (streq(tool, "supervisorctl")) /* its reload is the whole daemon's */
			buf_printf(out, "`%s restart %s`, or `stop %s` and a later `start %s`, after the code is reverted",
			           tool, o, o, o);
		else
			buf_printf(out, "`%s restart %s` or `reload %s`, or `stop %s` and a later `start %s`, after the code is reverted",
			           tool, o, o, o, o);
		break;
	case EFF_UNIT_ENABLED: buf_printf(out, "`systemctl disable %s`", o); break;
	case EFF_UNIT_DISABLED: buf_printf(out, "`systemctl enable %s`", o); break;
	case EFF_CODE:
		buf_printf(out, "`git checkout ${previous}` or `git reset --hard ${previous}` in %s",
		           obj_or(e, "the same directory"));
		break;
	case EFF_DEPS:
		buf_printf(out, "`%s` in %s after the code there is reverted", e->arg_text ? e->arg_text : "?",
		           obj_or(e, "the same directory"));
		break;
	case EFF_DATA:
	case EFF_DOWN_MIGRATION:
		buf_puts(out, "a restore that reads a backup capture, a down migration, or SQL that writes in an undo");
		break;
	case EFF_MOVE: buf_printf(out, "`mv %s %s`, or a restore of %s", e->arg_text, o, e->arg_text); break;
	case EFF_FILE:
		if (effect_unpacks(e))
			/* D was there before: only what came from the backup may
			 * replace what the step unpacked over it */
			buf_printf(out, e->rule == &table[R_UNZIP] ? "an `unzip -o` or a `tar -x` of a backup capture into %s"
			                                           : "a `tar -x` from a backup capture into %s",
			           obj_or(e, "the same folder"));
		else if (*e->obj && *o && o[strlen(o) - 1] != '/' && !was_there(e))
			buf_printf(out, "a restore of %s from a backup capture or a saved copy, or `rm -f %s`", o, o);
		else if (*e->obj)
			/* written into a folder that was there: what came into it
			 * is not known, so nothing is named for removal */
			buf_printf(out, "a restore of %s from a backup capture or a saved copy", o);
		else
			buf_puts(out, "a restore from a backup capture");
		break;
	case EFF_LINK: buf_printf(out, "`ln -sfn` to a captured previous target, or `rm -f %s`", o); break;
	case EFF_DIR:
		/* mkdir -p may find D there already: rmdir removes only an empty one */
		buf_printf(out, "`rmdir %s` once what the release put in it is gone", o);
		break;
	case EFF_USER_ADDED: buf_printf(out, "`userdel %s`", o); break;
	case EFF_GROUP_ADDED: buf_printf(out, "`groupdel %s`", o); break;
	case EFF_PACKAGE_INSTALLED:
		if (e->rule == &table[R_PIP_PIN])
			buf_printf(out, "`pip install %s==` another version (the previous one), or `pip uninstall %s`, with the same pip",
			           o, o);
		else
			buf_printf(out, "`apt-get remove %s`, or an install of a pinned previous version", o);
		break;
	case EFF_CRONTAB:
		buf_printf(out, "a reinstall of a copy saved before the change (`crontab%s%s FILE` with a file saved by `crontab -l` or a backup capture), for the same user",
		           *e->obj ? " -u " : "", o);
		break;
	case EFF_SYSCTL: buf_printf(out, "`sysctl -w %s=` with the previous value", o); break;
	case EFF_FIREWALL_ADDED: buf_puts(out, "the same rule removed with `iptables -D`"); break;
	case EFF_FIREWALL_REMOVED: buf_puts(out, "the same rule added back with `iptables -A`"); break;
	default: buf_puts(out, "nothing"); break;
	}
}
