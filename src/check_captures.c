/* check_captures.c - E009: a capture must exist wherever it is used.
 *
 * A capture exists from the command that makes it onwards, in the order the
 * scripts run. Deploy runs checks, then backups and steps in the order written,
 * then verifies; a rollback from a
 * failure at step k runs undo(k), ..., undo(1), then every after-rollback.
 * Step k may have failed at any command, so its undo can only rely on what
 * existed before step k started, plus the step's own first command (if that
 * failed, nothing of the step ran). after-rollback runs on every rollback
 * path, including one that starts before the first step, so it may use only
 * what the read-only checks and the backups before the first step made.
 *
 * `checksum NAME` belongs here too: it hashes a path captured earlier in the
 * same backup block. */
#include "check.h"

#include "compilation.h"

/* Rank of a deploy block kind in deploy order; -1 for rollback blocks.
 * Backups and steps share a rank: they run in the order written. */
static int deploy_rank(enum block_kind k)
{
	switch (k) {
	case BLOCK_CHECK: return 0;
	case BLOCK_BACKUP: return 1;
	case BLOCK_STEP: return 1;
	case BLOCK_VERIFY: return 2;
	default: return -1;
	}
}

/* Place of a backup or step among them: step k at 2k, a backup written
 * after k steps at 2k+1 (after step k, before step k+1). */
static int written_place(const struct block *b)
{
	return b->kind == BLOCK_STEP ? 2 * b->index : 2 * b->after_steps + 1;
}

/* Does deploy run def before use (both deploy blocks of one rank)? */
static bool runs_before(const struct block *def, const struct block *use)
{
	if (def->kind == BLOCK_STEP || def->kind == BLOCK_BACKUP) {
		int dp = written_place(def), up = written_place(use);
		if (dp != up)
			return dp < up;
	}
	return def->index < use->index; /* same kind, same place */
}

/* "step 2 \"Name\"", "the undo of step 2 \"Name\"", "backup \"Name\"". */
static const char *describe_block(struct arena *a, const struct block *b)
{
	if (b->kind == BLOCK_UNDO && b->parent)
		return arena_printf(a, "the undo of step %d \"%s\"",
		                    b->parent->index,
		                    b->parent->name ? b->parent->name : "");
	if (b->kind == BLOCK_STEP)
		return arena_printf(a, "step %d \"%s\"", b->index,
		                    b->name ? b->name : "");
	return arena_printf(a, "%s \"%s\"", block_kind_name(b->kind),
	                    b->name ? b->name : "");
}

/* Made by a check or a backup written before every step: exists before any
 * step or rollback runs. */
static bool made_before_steps(const struct block *def)
{
	return def->kind == BLOCK_CHECK || (def->kind == BLOCK_BACKUP && def->after_steps == 0);
}

/* Why a capture made at def/def_index may be missing when used at use/pos
 * (pos: commands of `use` with index < pos have run). NULL when it is safe. */
static const char *why_missing(struct arena *a, const struct block *def,
                               int def_index, const struct block *use, int pos)
{
	if (def == use)
		return def_index < pos ? NULL
		       : "it is made later in the same block";
	int ur = deploy_rank(use->kind), dr = deploy_rank(def->kind);
	if (ur >= 0) {
		if (dr < 0)
			return "it is made only on a rollback path, which deploy never runs before this";
		if (dr < ur || (dr == ur && runs_before(def, use)))
			return NULL;
		return "deploy runs this block before the one that makes it";
	}
	if (made_before_steps(def))
		return NULL;
	if (use->kind == BLOCK_UNDO) {
		const struct block *step = use->parent;
		if (def->kind == BLOCK_STEP && step && def->index < step->index)
			return NULL;
		if (def->kind == BLOCK_STEP && def == step)
			return def_index == 1 ? NULL
			       : "the step can fail before that command runs, and its undo runs then too";
		if (def->kind == BLOCK_STEP)
			return "this undo runs when its own step fails, before that later step has run";
		/* a backup after step m ran on every rollback from a step after m */
		if (def->kind == BLOCK_BACKUP && step && def->after_steps < step->index)
			return NULL;
		if (def->kind == BLOCK_BACKUP)
			return "the backup is written after this step, and a rollback from it or an earlier step runs this undo before the backup ran";
		if (def->kind == BLOCK_VERIFY)
			return "a failing step runs this undo before any verify has run";
		return arena_printf(a, "%s does not run before this undo on every rollback path",
		                    describe_block(a, def));
	}
	/* after-rollback: runs on every rollback path, in file order. */
	if (def->kind == BLOCK_AFTER_ROLLBACK && def->index < use->index)
		return NULL;
	if (def->kind == BLOCK_AFTER_ROLLBACK)
		return "after-rollback blocks run in file order, and this one runs first";
	return "after-rollback runs on every rollback path, including one that starts before it was made";
}

/* Check one use of symbol sym at loc, standing in block `use` at pos. */
static void check_use(struct compile *c, const struct symbol *sym,
                      struct loc loc, const struct block *use, int pos)
{
	if (!sym || sym->kind != SYM_CAPTURE || !sym->capture ||
	    !sym->capture->block)
		return;
	const struct command *def = sym->capture;
	const char *why = why_missing(c->arena, def->block, def->index, use, pos);
	if (!why)
		return;
	struct diagnostic *d = diag_report(c->diags, DIAG_E009, loc,
		"capture \"%s\" may not exist yet when %s uses it", sym->name,
		describe_block(c->arena, use));
	diag_note(d, def->capture->loc.line ? def->capture->loc : def->loc,
	          "\"%s\" is captured here, in %s: %s", sym->name,
	          describe_block(c->arena, def->block), why);
	if (use->kind == BLOCK_UNDO && def->block == use->parent)
		diag_note(d, (struct loc){ 0 },
		          "make the capture the step's first command, or capture the value in a check or a backup");
	else if (use->kind == BLOCK_UNDO || use->kind == BLOCK_AFTER_ROLLBACK)
		diag_note(d, (struct loc){ 0 },
		          "to use a value on the rollback path, capture it in a check or a backup");
}

/* References inside a decoded string (expect texts, block names). */
static void check_value(struct compile *c, const struct value *v,
                        const struct block *use, int pos)
{
	if (!v)
		return;
	for (size_t i = 0; i < v->nsegs; i++)
		if (v->segs[i].kind == SEG_REF)
			check_use(c, v->segs[i].sym, v->segs[i].loc, use, pos);
}

static void check_block_uses(struct compile *c, const struct block *b)
{
	if (!b)
		return;
	check_value(c, b->name_value, b, 1);
	for (const struct command *cmd = b->cmds; cmd; cmd = cmd->next) {
		/* Only a capture can be used too early; a reference's location
		 * costs a scan of its command, so it is worked out for those. */
		for (size_t i = 0; i < cmd->nrefs; i++)
			if (cmd->refs[i].sym && cmd->refs[i].sym->kind == SYM_CAPTURE)
				check_use(c, cmd->refs[i].sym, ref_loc(cmd, &cmd->refs[i]), b,
				          cmd->index);
		/* An expect reads the output after its command ran. */
		for (const struct expect *e = cmd->expects; e; e = e->next)
			check_value(c, e->text, b, cmd->index + 1);
	}
}

static void check_list(struct compile *c, const struct block *list)
{
	for (const struct block *b = list; b; b = b->next) {
		check_block_uses(c, b);
		if (b->kind == BLOCK_STEP && b->undo_kind == UNDO_BLOCK)
			check_block_uses(c, b->undo);
	}
}

static const char *sym_kind_word(enum sym_kind k)
{
	switch (k) {
	case SYM_LET: return "a let";
	case SYM_ENV: return "an env";
	case SYM_BUILTIN: return "a built-in";
	default: return "a capture";
	}
}

/* `checksum NAME` names a capture made earlier in the same backup. */
static void check_checksum(struct compile *c, const struct block *b,
                           const struct checksum *cs)
{
	const struct symbol *s = cs->sym ? cs->sym
	                        : release_symbol(c->rel, cs->name);
	struct diagnostic *d;
	if (!s)
		return; /* resolve reported the undefined name (E006) */
	if (s->kind != SYM_CAPTURE || !s->capture) {
		d = diag_report(c->diags, DIAG_E006, cs->loc,
		                "checksum names \"%s\", which is %s, not a capture",
		                cs->name, sym_kind_word(s->kind));
		diag_note(d, (struct loc){ 0 },
		          "checksum hashes a file whose path a `capture` of this backup recorded");
		return;
	}
	const struct command *def = s->capture;
	struct loc where = def->capture->loc.line ? def->capture->loc : def->loc;
	if (def->block != b) {
		d = diag_report(c->diags, DIAG_E009, cs->loc,
		                "checksum names capture \"%s\" of another block",
		                cs->name);
		diag_note(d, where, "\"%s\" is captured here, in %s", cs->name,
		          describe_block(c->arena, def->block));
		diag_note(d, (struct loc){ 0 },
		          "checksum must name a capture of its own backup block");
		return;
	}
	if (def->loc.line > cs->loc.line) {
		d = diag_report(c->diags, DIAG_E009, cs->loc,
		                "checksum of \"%s\" comes before the capture that makes it",
		                cs->name);
		diag_note(d, where, "\"%s\" is captured here", cs->name);
	}
}

void check_capture_order(struct compile *c)
{
	const struct release *r = c->rel;
	check_list(c, r->checks);
	check_list(c, r->backups);
	check_list(c, r->steps);
	check_list(c, r->verifies);
	check_list(c, r->after_rollbacks);
	for (const struct block *b = r->backups; b; b = b->next)
		for (const struct checksum *cs = b->checksums; cs; cs = cs->next)
			check_checksum(c, b, cs);
}
