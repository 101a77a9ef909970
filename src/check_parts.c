/* check_parts.c - E012 on one step, W113 on one backup: the parts of those
 * rules that read one block's effects.
 *
 * The effects pass (check_effects.c) reads each block's effects once and
 * hands them here; the rule rows (check_rollback.c, check_blocks.c) run that
 * pass. Keeping the parts below both is what lets the pass run them without
 * the rule families and the pass depending on each other. */
#include "check_parts.h"

#include <string.h>

bool check_release_has_backup(const struct release *r)
{
	return r->nbackups > 0 || r->backups;
}

void check_step_data_without_backup(struct diag_set *ds, const struct release *r,
                                    const struct block *s,
                                    const struct cmd_effects *ce, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (!effects_change_data(&ce[i]))
			continue;
		const struct block *bk = r->backups;
		struct diagnostic *d;
		if (!bk) {
			d = diag_report(ds, DIAG_E012, ce[i].cmd->loc,
				"step \"%s\" changes data, and the release has no backup",
				s->name ? s->name : "");
			diag_note(d, (struct loc){ 0 },
			          "add a `backup \"...\" { ... }` block that saves the data before the steps run");
		} else {
			/* backups and steps run in the order written */
			d = diag_report(ds, DIAG_E012, ce[i].cmd->loc,
				"step %d \"%s\" changes data before any backup has run",
				s->index, s->name ? s->name : "");
			diag_note(d, bk->loc, "the first backup, \"%s\", is written after step %d",
			          bk->name ? bk->name : "", bk->after_steps);
			diag_note(d, (struct loc){ 0 },
			          "write a backup before this step: backups and steps run in the order written");
		}
		break; /* one report per step */
	}
}

/* Programs that test an archive or a checksum list with an option. */
struct integrity_opt {
	const char *prog;
	char short_opt;      /* in a cluster such as -tv; 0 if none */
	const char *long_opt;
	bool bare_cluster;   /* tar: the first argument may omit the dash */
};

static const struct integrity_opt integrity_opts[] = {
	{ "gzip", 't', "--test", false },
	{ "gunzip", 't', "--test", false },
	{ "pigz", 't', "--test", false },
	{ "bzip2", 't', "--test", false },
	{ "xz", 't', "--test", false },
	{ "zstd", 't', "--test", false },
	{ "lz4", 't', "--test", false },
	{ "unzip", 't', NULL, false },
	{ "sha256sum", 'c', "--check", false },
	{ "sha512sum", 'c', "--check", false },
	{ "sha1sum", 'c', "--check", false },
	{ "md5sum", 'c', "--check", false },
	{ "b2sum", 'c', "--check", false },
	{ "shasum", 'c', "--check", false },
	{ "tar", 't', "--list", true },
	{ "pg_restore", 'l', "--list", false },
	{ "gpg", 0, "--verify", false },
	{ "restic", 0, "check", false },
	{ "borg", 0, "check", false },
};

/* Programs whose every run is an integrity check. */
static const char *const integrity_progs[] = {
	"pg_verifybackup", "mysqlcheck", "cmp",
};

/* Does word w hold short option ch (a cluster "-xtv", or, for tar's first
 * argument, "tzf")? */
static bool has_short(const char *w, char ch, bool bare)
{
	if (w[0] == '-' && w[1] != '-')
		return strchr(w + 1, ch) != NULL;
	return bare && w[0] != '-' && strchr(w, ch) != NULL &&
	       strspn(w, "cxtrufvzjJapPoOkmwWSGgsl") == strlen(w);
}

/* Does one simple command (its wrappers looked through by the effects
 * table) test an archive, a dump or a checksum list? */
static bool use_verifies(const struct effect_use *u)
{
	if (u->argc == 0)
		return false;
	const char *prog = u->argv[0].text;
	const char *slash = strrchr(prog, '/');
	if (slash)
		prog = slash + 1;
	for (size_t i = 0; i < sizeof integrity_progs / sizeof integrity_progs[0]; i++)
		if (!strcmp(prog, integrity_progs[i]))
			return true;
	for (size_t i = 0; i < sizeof integrity_opts / sizeof integrity_opts[0]; i++) {
		const struct integrity_opt *o = &integrity_opts[i];
		if (strcmp(prog, o->prog))
			continue;
		for (size_t k = 1; k < u->argc; k++) {
			const char *w = u->argv[k].text;
			if (o->long_opt && !strcmp(w, o->long_opt))
				return true;
			if (o->short_opt && has_short(w, o->short_opt, o->bare_cluster && k == 1))
				return true;
		}
	}
	return false;
}

bool check_effects_verify_integrity(const struct cmd_effects *ce)
{
	const struct command *cmd = ce->cmd;
	/* SQLite's own checks, however the statement reaches sqlite3. */
	if (find_ci(cmd->text, cmd->len, "integrity_check", 0) < cmd->len ||
	    find_ci(cmd->text, cmd->len, "quick_check", 0) < cmd->len)
		return true;
	for (size_t i = 0; i < ce->nuses; i++)
		if (use_verifies(&ce->uses[i]))
			return true;
	return false;
}

void check_backup_block_unverified(struct diag_set *ds, const struct block *b,
                                   const struct cmd_effects *ce, size_t n)
{
	if (b->checksums || b->cmds == NULL || b->cut)
		return;
	for (size_t i = 0; i < n; i++)
		if (check_effects_verify_integrity(&ce[i]))
			return;
	struct diagnostic *d = diag_report(ds, DIAG_W113, b->loc,
		"backup \"%s\" is never proved intact", b->name ? b->name : "");
	diag_note(d, (struct loc){ 0 },
	          "add `checksum NAME` for a captured backup path, or a command such as `gzip -t`, `sha256sum -c` or `PRAGMA integrity_check`");
}
