/* check_blocks.c - E016, W101, W102, W113: what each block holds.
 *
 * A block must run something; the plan needs an estimate for every block
 * whose duration adds up to the deploy time; a step should check more than
 * exit status; a backup should prove its result intact before the deploy
 * relies on it. Warnings are skipped on empty blocks, which E016 reports. */
#include "check.h"
#include "effects.h"

#include <string.h>
#include <strings.h>

#include "compile.h"

static const char *block_name(const struct block *b)
{
	return b->name ? b->name : "";
}

static void check_empty_list(struct compile *c, const struct block *list)
{
	for (const struct block *b = list; b; b = b->next) {
		if (b->cmds == NULL && !b->cut) {
			diag_report(c->diags, DIAG_E016, b->loc,
			            "%s \"%s\" has no command",
			            block_kind_name(b->kind), block_name(b));
		}
		if (b->kind == BLOCK_STEP && b->undo_kind == UNDO_BLOCK &&
		    b->undo && b->undo->cmds == NULL && !b->undo->cut) {
			struct diagnostic *d = diag_report(c->diags, DIAG_E016,
				b->undo->loc, "the undo of step \"%s\" has no command",
				block_name(b));
			diag_note(d, (struct loc){ 0 },
			          "if the step changes nothing, write `undo none \"why\"`");
		}
	}
}

void check_empty_block(struct compile *c)
{
	const struct release *r = c->rel;
	check_empty_list(c, r->checks);
	check_empty_list(c, r->backups);
	check_empty_list(c, r->steps);
	check_empty_list(c, r->verifies);
	check_empty_list(c, r->after_rollbacks);
}

static void check_estimate_list(struct compile *c, const struct block *list)
{
	for (const struct block *b = list; b; b = b->next) {
		/* An estimate written but invalid is E005's business. */
		if (b->estimate.set || b->estimate.loc.line || b->cmds == NULL || b->cut)
			continue;
		struct diagnostic *d = diag_report(c->diags, DIAG_W101, b->loc,
			"%s \"%s\" has no estimate", block_kind_name(b->kind),
			block_name(b));
		if (!b->timeout)
			diag_note(d, (struct loc){ 0 },
			          "without an estimate or a timeout this block may run forever");
	}
}

void check_no_estimate(struct compile *c)
{
	check_estimate_list(c, c->rel->steps);
	check_estimate_list(c, c->rel->backups);
	check_estimate_list(c, c->rel->verifies);
}

/* Does any command of b check its output (an expect other than exit)? */
static bool checks_output(const struct block *b)
{
	for (const struct command *cmd = b->cmds; cmd; cmd = cmd->next)
		for (const struct expect *e = cmd->expects; e; e = e->next)
			if (e->kind != EXPECT_EXIT)
				return true;
	return false;
}

void check_no_expect(struct compile *c)
{
	for (const struct block *s = c->rel->steps; s; s = s->next) {
		if (s->cmds == NULL || checks_output(s) || s->cut)
			continue;
		struct diagnostic *d = diag_report(c->diags, DIAG_W102, s->loc,
			"step \"%s\" checks nothing but exit status", block_name(s));
		diag_note(d, (struct loc){ 0 },
		          "add an `expect stdout ...` after the command that shows the step worked");
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

bool check_command_verifies_integrity(struct compile *c,
                                      const struct command *cmd)
{
	struct arena *a = arena_new(); /* one command's effects, read and dropped */
	struct cmd_effects ce;
	effects_of_command(a, c->rel, cmd, &ce);
	bool r = check_effects_verify_integrity(&ce);
	arena_free(a);
	return r;
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
		"backup \"%s\" is never proved intact", block_name(b));
	diag_note(d, (struct loc){ 0 },
	          "add `checksum NAME` for a captured backup path, or a command such as `gzip -t`, `sha256sum -c` or `PRAGMA integrity_check`");
}

void check_backup_unverified(struct compile *c)
{
	bool on[DIAG__COUNT] = { [DIAG_W113] = true };
	check_effects_pass(c, on);
}
