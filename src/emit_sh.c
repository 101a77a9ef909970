/* emit_sh.c - the shell back end: deploy.sh and rollback.sh.
 *
 * Each script is three parts. The head: provenance, this release's constants
 * and one variable per spec reference (RELC_V_<name>, always set from a
 * single-quoted literal or from other such variables, never by eval). The
 * generated middle: one shell function per block holding its commands as
 * literal text for `sh -c`, its expects and captures, and the order of the
 * deploy and of the rollback path. The runtime: fixed shell functions (lock,
 * journal, timeouts, expects, the state folder, signals) that are the same
 * for every release. They are written as shell in src/runtime/ (common.sh,
 * deploy.sh, rollback.sh) and compiled in by src/runtime/embed.py as arrays
 * of lines (runtime.h, in the build folder), so the output is plain bytes
 * with no formatting at run time.
 *
 * Everything here follows the reliability notes for generated shell: no
 * eval/echo/local/pipefail/source, printf '%s\n', ${1+"$@"}, every command
 * run as `cmd & wait $!` under timeout(1), every status checked explicitly,
 * captured values kept in files and read back with $(cat), never sourced.
 * The one echo is relc_put's, for posh, which has no printf built in. */
#include "emit.h"
#include "emit_common.h"
#include "journal.h"

#include <stdlib.h>
#include <string.h>

#include "resolve.h"
#include "runtime.h"
#include "shell.h"

/* ---- the generated part: what depends on the release ---- */

static void put_lines(struct buf *out, const char *const *lines)
{
	for (; *lines; lines++)
		buf_puts(out, *lines);
}

static void q(struct buf *out, const char *s)
{
	sh_quote(out, s ? s : "", s ? strlen(s) : 0);
}

/* A name for progress lines and the journal: one line, no tabs, so a
 * journal record can never be split or forged by what a spec calls a block. */
static void q_label(struct buf *out, const char *s)
{
	struct buf t;

	buf_init(&t);
	for (; s && *s; s++) {
		unsigned char ch = (unsigned char)*s;
		buf_putc(&t, ch < 0x20 || ch == 0x7f ? '?' : (char)ch);
	}
	sh_quote(out, t.data ? t.data : "", t.len);
	buf_free(&t);
}

/* The shell word for a spec string: literal parts quoted, references to
 * other values as quoted expansions of their variables. */
static void put_value_word(struct buf *out, const struct value *v)
{
	if (!v) {
		buf_puts(out, "''");
		return;
	}
	if (v->nsegs == 0) {
		q(out, v->expanded ? v->expanded : v->raw);
		return;
	}
	for (size_t i = 0; i < v->nsegs; i++) {
		const struct seg *s = &v->segs[i];
		if (s->kind == SEG_REF && s->sym)
			buf_printf(out, "\"${RELC_V_%s}\"", s->sym->name);
		else
			sh_quote(out, s->text ? s->text : "", s->text ? s->len : 0);
	}
}

static const char *block_label(enum block_kind k)
{
	return k == BLOCK_AFTER_ROLLBACK ? "after" : block_kind_name(k);
}

/* The function holding a block's commands: relc_b_step_3, relc_u_3, ... */
static void put_body_name(struct buf *out, const struct block *b)
{
	if (b->kind == BLOCK_UNDO)
		buf_printf(out, "relc_u_%d", b->parent ? b->parent->index : 0);
	else
		buf_printf(out, "relc_b_%s_%d", block_label(b->kind), b->index);
}

/* "(estimate 30s..1m, limit 2m)" */
static void put_header(struct buf *out, const struct block *b)
{
	struct buf t;
	int64_t limit = block_timeout_ms(b);

	buf_init(&t);
	buf_putc(&t, '(');
	if (b->estimate.set) {
		buf_puts(&t, "estimate ");
		format_duration(&t, b->estimate.min_ms);
		if (b->estimate.max_ms != b->estimate.min_ms) {
			buf_puts(&t, "..");
			format_duration(&t, b->estimate.max_ms);
		}
		buf_puts(&t, ", ");
	}
	if (limit > 0) {
		buf_puts(&t, "limit ");
		format_duration(&t, limit);
	} else {
		buf_puts(&t, "no limit");
	}
	buf_putc(&t, ')');
	q(out, t.data);
	buf_free(&t);
}

/* ID KIND NAME LIMIT-MS HEADER BODY: the arguments relc_block takes. */
static void put_block_args(struct buf *out, const struct block *b,
                           const char *id_kind, int id_num)
{
	buf_printf(out, " %s:%d %s ", id_kind, id_num, block_kind_name(b->kind));
	q_label(out, b->name);
	buf_printf(out, " %lld ", (long long)block_timeout_ms(b));
	put_header(out, b);
	buf_putc(out, ' ');
	put_body_name(out, b);
}

static bool capture_has_checksum(const struct release *r, const char *name)
{
	for (const struct block *b = r->backups; b; b = b->next)
		for (const struct checksum *k = b->checksums; k; k = k->next)
			if (strcmp(k->name, name) == 0)
				return true;
	return false;
}

static bool on_rollback_path(const struct block *b)
{
	return b->kind == BLOCK_UNDO || b->kind == BLOCK_AFTER_ROLLBACK;
}

/* Before a command that uses captures: each must have a value, and on the
 * rollback path a checksummed file must be unchanged since the backup. */
static void put_capture_guard(struct buf *out, const struct release *r,
                              const struct block *b, const struct symbol *sym,
                              const struct symbol **seen, size_t *nseen)
{
	if (!sym || sym->kind != SYM_CAPTURE)
		return;
	for (size_t i = 0; i < *nseen; i++)
		if (seen[i] == sym)
			return;
	seen[(*nseen)++] = sym;
	buf_printf(out, "\trelc_need %s || return 1\n", sym->name);
	if (on_rollback_path(b) && capture_has_checksum(r, sym->name))
		buf_printf(out, "\trelc_verify_sum %s \"$RELC_V_%s\" || return 1\n",
		           sym->name, sym->name);
}

static size_t count_value_refs(const struct value *v)
{
	return v ? v->nsegs : 0;
}

static void put_guards(struct buf *out, const struct release *r,
                       const struct block *b, const struct command *cmd)
{
	size_t cap = cmd->nrefs;
	for (const struct expect *e = cmd->expects; e; e = e->next)
		cap += count_value_refs(e->text);
	if (cap == 0)
		return;
	const struct symbol **seen = xcalloc(cap, sizeof *seen);
	size_t nseen = 0;
	for (size_t i = 0; i < cmd->nrefs; i++)
		put_capture_guard(out, r, b, cmd->refs[i].sym, seen, &nseen);
	for (const struct expect *e = cmd->expects; e; e = e->next)
		for (size_t i = 0; e->text && i < e->text->nsegs; i++)
			if (e->text->segs[i].kind == SEG_REF)
				put_capture_guard(out, r, b, e->text->segs[i].sym, seen, &nseen);
	free(seen);
}

/* The command text as the shell will run it: every spec reference becomes
 * a quoted expansion of its variable, quoted for where it stands. */
static void put_run_text(struct buf *out, const struct command *cmd)
{
	struct buf t;
	size_t pos = 0;

	buf_init(&t);
	for (size_t i = 0; i < cmd->nrefs; i++) {
		const struct ref *rf = &cmd->refs[i];
		if (!rf->sym || rf->off < pos || rf->off + rf->len > cmd->len)
			continue;
		buf_add(&t, cmd->text + pos, rf->off - pos);
		if (rf->ctx == REF_UNQUOTED)
			buf_printf(&t, "\"${RELC_V_%s}\"", rf->sym->name);
		else
			buf_printf(&t, "${RELC_V_%s}", rf->sym->name);
		pos = rf->off + rf->len;
	}
	buf_add(&t, cmd->text + pos, cmd->len - pos);
	sh_quote(out, t.data ? t.data : "", t.len);
	buf_free(&t);
}

/* A value --dry-run shows as it is: a let or a built-in (known when the
 * script runs); captures and environment variables are shown as variables,
 * since their values are not known yet or are secret. */
static bool dry_value(const struct symbol *sym)
{
	return sym && (sym->kind == SYM_LET || sym->kind == SYM_BUILTIN);
}

/* Print the literal text gathered so far, if any, and start again. */
static void put_dry_literal(struct buf *out, struct buf *lit)
{
	if (lit->len == 0)
		return;
	buf_puts(out, "\t\trelc_p ");
	sh_quote(out, lit->data, lit->len);
	buf_putc(out, '\n');
	lit->len = 0;
}

/* --dry-run prints the command as plan.md's fence does (emit_md.c
 * expand_command), deciding at run time, where --set may change a value,
 * what sh_quote_word decides at compile time: relc_pu is its shell twin.
 * Inside `...` a value that is not a plain word is shown as a variable,
 * assigned on a line of its own before the command (relc_pv, relc_pbq). */
static void put_dry_text(struct buf *out, const struct command *cmd)
{
	size_t pos = 0;
	bool *inbq = emit_refs_in_backquotes(cmd);

	buf_puts(out, "\tif [ -n \"$RELC_DRY\" ]; then\n");
	for (size_t i = 0; i < cmd->nrefs; i++) {
		const struct ref *rf = &cmd->refs[i];
		bool seen = false;
		for (size_t k = 0; k < i; k++)
			seen = seen || (cmd->refs[k].sym == rf->sym && inbq[k]);
		if (inbq[i] && dry_value(rf->sym) && !seen)
			buf_printf(out, "\t\trelc_pv %s \"$RELC_V_%s\"\n", rf->sym->name,
			           rf->sym->name);
	}
	buf_puts(out, "\t\trelc_pb ");
	if (cmd->kind == CMD_CAPTURE) {
		struct buf t;
		buf_init(&t);
		buf_printf(&t, "capture %s: ", cmd->capture->name);
		q(out, t.data);
		buf_free(&t);
	} else {
		buf_puts(out, "'$ '");
	}
	buf_putc(out, '\n');
	/* literal text, a capture or env variable included, goes out in runs */
	struct buf lit;
	buf_init(&lit);
	for (size_t i = 0; i < cmd->nrefs; i++) {
		const struct ref *rf = &cmd->refs[i];
		size_t end = rf->off + rf->len;
		if (!rf->sym || rf->off < pos || end > cmd->len)
			continue;
		buf_add(&lit, cmd->text + pos, rf->off - pos);
		pos = end;
		if (!dry_value(rf->sym)) {
			emit_ref_variable(&lit, rf->sym->name, rf->ctx,
			                  end < cmd->len ? cmd->text[end] : '\0');
			continue;
		}
		put_dry_literal(out, &lit);
		if (inbq[i]) {
			buf_printf(out, "\t\trelc_pbq \"$RELC_V_%s\" ", rf->sym->name);
			struct buf var;
			buf_init(&var);
			emit_ref_variable(&var, rf->sym->name, rf->ctx,
			                  end < cmd->len ? cmd->text[end] : '\0');
			q(out, var.data);
			buf_free(&var);
		} else {
			const char *fn = rf->ctx == REF_UNQUOTED ? "relc_pu"
			                 : rf->ctx == REF_DQUOTED ? "relc_pd" : "relc_ph";
			buf_printf(out, "\t\t%s \"$RELC_V_%s\"", fn, rf->sym->name);
		}
		buf_putc(out, '\n');
	}
	buf_add(&lit, cmd->text + pos, cmd->len - pos);
	put_dry_literal(out, &lit);
	buf_free(&lit);
	buf_puts(out, "\t\trelc_pe\n\tfi\n");
	free(inbq);
}

static const char *stream_file(enum stream s)
{
	return s == STREAM_STDERR ? "err" : "out";
}

static const char *cmp_test_op(enum cmp_op op)
{
	switch (op) {
	case CMP_EQ: return "-eq";
	case CMP_NE: return "-ne";
	case CMP_LT: return "-lt";
	case CMP_LE: return "-le";
	case CMP_GT: return "-gt";
	case CMP_GE: return "-ge";
	}
	return "-eq";
}

static void put_expect(struct buf *out, const struct expect *e)
{
	const char *f = stream_file(e->stream);

	switch (e->kind) {
	case EXPECT_EXIT:
		buf_printf(out, "\trelc_x_exit %lld\n", (long long)e->number);
		return;
	case EXPECT_EQUALS:
		buf_printf(out, "\trelc_x_eq %s ", f);
		break;
	case EXPECT_CONTAINS:
		buf_printf(out, "\trelc_x_contains %s ", f);
		break;
	case EXPECT_MATCHES:
		buf_printf(out, "\trelc_x_matches %s ", f);
		break;
	case EXPECT_NOT_CONTAINS:
		buf_printf(out, "\trelc_x_lacks %s ", f);
		break;
	case EXPECT_NOT_MATCHES:
		buf_printf(out, "\trelc_x_nomatch %s ", f);
		break;
	case EXPECT_EMPTY:
		buf_printf(out, "\trelc_x_empty %s || return 1\n", f);
		return;
	case EXPECT_NOT_EMPTY:
		buf_printf(out, "\trelc_x_nonempty %s || return 1\n", f);
		return;
	case EXPECT_COMPARE:
		buf_printf(out, "\trelc_x_cmp %s %s %lld || return 1\n", f,
		           cmp_test_op(e->op), (long long)e->number);
		return;
	}
	put_value_word(out, e->text);
	buf_puts(out, " || return 1\n");
}

static void put_command(struct buf *out, const struct release *r,
                        const struct block *b, const struct command *cmd)
{
	int64_t want = 0;

	for (const struct expect *e = cmd->expects; e; e = e->next)
		if (e->kind == EXPECT_EXIT)
			want = e->number;
	put_dry_text(out, cmd);
	put_guards(out, r, b, cmd);
	buf_puts(out, "\trelc_run ");
	put_run_text(out, cmd);
	buf_printf(out, " %lld %d || return 1\n", (long long)want, cmd->index);
	for (const struct expect *e = cmd->expects; e; e = e->next)
		put_expect(out, e);
	if (cmd->kind == CMD_CAPTURE && cmd->capture) {
		buf_printf(out, "\trelc_store %s || return 1\n", cmd->capture->name);
		buf_printf(out, "\tRELC_V_%s=$RELC_R\n\texport RELC_V_%s\n",
		           cmd->capture->name, cmd->capture->name);
	}
}

static void put_undo_dry(struct buf *out, const struct block *step)
{
	buf_puts(out, "\tif [ -n \"$RELC_DRY\" ]; then\n");
	switch (step->undo_kind) {
	case UNDO_BLOCK:
		buf_puts(out, "\t\tprintf '%s\\n' '    undo:'\n\t\tRELC_IND='      '\n\t\t");
		put_body_name(out, step->undo);
		buf_puts(out, "\n\t\tRELC_IND='    '\n");
		break;
	case UNDO_NONE:
	case UNDO_IRREVERSIBLE:
	case UNDO_MISSING: {
		struct buf t;
		buf_init(&t);
		buf_printf(&t, "    %s (%s)",
		           step->undo_kind == UNDO_NONE ? "undo: none" : "irreversible",
		           step->undo_reason ? step->undo_reason : "no undo");
		buf_puts(out, "\t\tprintf '%s\\n' ");
		q_label(out, t.data);
		buf_putc(out, '\n');
		buf_free(&t);
		break;
	}
	}
	buf_puts(out, "\tfi\n");
}

/* One block's commands as a shell function returning 0 or 1 (RELC_WHY). */
static void put_body(struct buf *out, const struct release *r, const struct block *b)
{
	buf_putc(out, '\n');
	put_body_name(out, b);
	buf_puts(out, "() {\n");
	if (b->kind != BLOCK_UNDO && b->kind != BLOCK_AFTER_ROLLBACK) {
		buf_puts(out, "\tif [ -n \"$RELC_DRY\" ]; then\n\t\tprintf '%s\\n' ");
		struct buf t;
		buf_init(&t);
		buf_printf(&t, "    on failure: %s", policy_name(block_policy(b)));
		q(out, t.data);
		buf_free(&t);
		buf_puts(out, "\n\tfi\n");
	}
	for (const struct command *cmd = b->cmds; cmd; cmd = cmd->next)
		put_command(out, r, b, cmd);
	for (const struct checksum *k = b->checksums; k; k = k->next)
		buf_printf(out, "\trelc_checksum %s \"$RELC_V_%s\" || return 1\n",
		           k->name, k->name);
	if (b->kind == BLOCK_STEP)
		put_undo_dry(out, b);
	buf_puts(out, "\treturn 0\n}\n");
}

static void put_bodies(struct buf *out, const struct release *r, bool deploy)
{
	const struct block *lists[] = {r->checks, r->backups, r->steps, r->verifies};
	if (deploy)
		for (size_t i = 0; i < 4; i++)
			for (const struct block *b = lists[i]; b; b = b->next)
				put_body(out, r, b);
	for (const struct block *b = r->steps; b; b = b->next)
		if (b->undo_kind == UNDO_BLOCK && b->undo)
			put_body(out, r, b->undo);
	for (const struct block *b = r->after_rollbacks; b; b = b->next)
		put_body(out, r, b);
}

/* ---- values: built-ins, environment, lets, captures ---- */

/* Each block's digest (journal.h), journaled at deploy-start: relc
 * --journal then matches blocks of later releases by kind, name and
 * commands. */
static void put_digests(struct buf *out, const struct release *r)
{
	const struct block *lists[] = { r->checks, r->backups, r->steps, r->verifies,
	                                r->after_rollbacks };
	const char *ids[] = { "check", "backup", "step", "verify", "after-rollback" };
	char d[9];
	bool first = true;

	buf_puts(out, "RELC_DIGESTS='");
	for (size_t i = 0; i < sizeof lists / sizeof lists[0]; i++)
		for (const struct block *b = lists[i]; b; b = b->next) {
			journal_block_digest(b, d);
			buf_printf(out, "%s%s:%d=%s", first ? "" : " ", ids[i], b->index, d);
			first = false;
			if (b->kind == BLOCK_STEP && b->undo_kind == UNDO_BLOCK && b->undo) {
				journal_block_digest(b->undo, d);
				buf_printf(out, " undo:%d=%s", b->index, d);
			}
		}
	buf_puts(out, "'\n");
}

static void put_constants(struct buf *out, const struct compile *c, bool deploy)
{
	const struct release *r = c->rel;
	bool sums = false;
	for (const struct block *b = r->backups; b; b = b->next)
		sums = sums || b->checksums;

	buf_puts(out, "\n# ---- this release ----\nRELC_RELEASE=");
	q(out, r->meta[META_RELEASE].set ? r->meta[META_RELEASE].value->expanded : "");
	buf_puts(out, "\nRELC_PROJECT=");
	q(out, r->meta[META_PROJECT].set ? r->meta[META_PROJECT].value->expanded : "");
	/* with repository none the labels are what there is to show */
	buf_puts(out, "\nRELC_PREVIOUS=");
	q(out, r->no_repository ? r->previous_ref : r->previous_id);
	buf_puts(out, "\nRELC_TARGET=");
	q(out, r->no_repository ? r->target_ref : r->target_id);
	buf_puts(out, "\nRELC_PREVIOUS_REF=");
	q(out, r->previous_ref);
	buf_puts(out, "\nRELC_TARGET_REF=");
	q(out, r->target_ref ? r->target_ref : "HEAD");
	/* the spec's identity in deploy-start, which relc --journal matches */
	if (deploy) {
		buf_puts(out, "\nRELC_SPEC_BLOB=");
		q(out, c->spec_blob[0] ? c->spec_blob : "unknown");
	}
	buf_puts(out, "\nRELC_STATE_DEFAULT=");
	q(out, r->state_dir);
	/* the old default location, which the scripts refuse to start beside */
	buf_puts(out, "\nRELC_STATE_OLD=");
	if (!r->meta[META_STATE_DIR].set &&
	    strncmp(r->state_dir, STATE_ROOT "/", sizeof STATE_ROOT) == 0) {
		struct buf old;

		buf_init(&old);
		buf_puts(&old, STATE_ROOT_OLD);
		buf_puts(&old, r->state_dir + sizeof STATE_ROOT - 1);
		sh_quote(out, old.data, old.len);
		buf_free(&old);
	} else {
		q(out, "");
	}
	buf_putc(out, '\n');
	/* progress lines count each kind of block by itself (relc_label) */
	if (deploy)
		buf_printf(out, "RELC_NCHECKS=%d\nRELC_NBACKUPS=%d\nRELC_NVERIFIES=%d\n",
		           r->nchecks, r->nbackups, r->nverifies);
	if (deploy)
		put_digests(out, r);
	buf_printf(out, "RELC_NSTEPS=%d\n", r->nsteps);
	buf_printf(out, "RELC_NAFTER=%d\n", r->nafter_rollbacks);
	buf_printf(out, "RELC_MORE_TOOLS=%s\n", sums ? "sha256sum" : "''");

	buf_puts(out, "\n# Spec references: one variable each, RELC_V_<name>, exported so\n"
	              "# the commands (run by sh -c) see them. Exported before they are\n"
	              "# set: ShellCheck then takes a quote in a value for data (SC2089).\n");
	for (const struct symbol *s = r->symbols; s; s = s->next) {
		if (s->kind == SYM_BUILTIN && strcmp(s->name, "state_dir") != 0) {
			buf_printf(out, "export RELC_V_%s\nRELC_V_%s=", s->name, s->name);
			q(out, s->builtin);
			buf_putc(out, '\n');
		} else if (s->kind == SYM_CAPTURE) {
			buf_printf(out, "export RELC_V_%s\nRELC_V_%s=\n", s->name, s->name);
		}
	}
}

/* deploy.sh --set NAME=VALUE: only lets can be set. */
static void put_set_option(struct buf *out, const struct release *r)
{
	struct buf names, msg;

	buf_init(&names);
	buf_init(&msg);
	buf_puts(out, "\nrelc_set() {\n\tcase $1 in\n");
	for (const struct symbol *s = r->symbols; s; s = s->next) {
		if (s->kind != SYM_LET || !s->overridable)
			continue;
		buf_printf(out, "\t%s)\n\t\tRELC_V_%s=$2\n\t\tRELC_S_%s=1\n\t\t;;\n",
		           s->name, s->name, s->name);
		buf_printf(&names, " %s", s->name);
	}
	buf_printf(&msg, ": not a let of this release (these are:%s)",
	           names.len ? names.data : " none");
	buf_puts(out, "\t*) relc_usage \"--set $1\"");
	q(out, msg.data);
	buf_puts(out, " ;;\n\tesac\n}\n");
	buf_free(&msg);
	buf_free(&names);
}

/* The --set values go to the state folder and the journal, so that
 * rollback.sh and --resume use the same ones. */
static void put_save_sets(struct buf *out, const struct release *r)
{
	buf_puts(out, "\nrelc_save_sets() {\n");
	for (const struct symbol *s = r->symbols; s; s = s->next) {
		if (s->kind != SYM_LET || !s->overridable)
			continue;
		buf_printf(out, "\tif [ -n \"${RELC_S_%s-}\" ]; then\n"
		                "\t\trelc_save set.%s \"$RELC_V_%s\" || return 1\n"
		                "\t\trelc_journal - set - - %s\n"
		                "\t\trelc_jtext \"$RELC_V_%s\"\n\tfi\n",
		           s->name, s->name, s->name, s->name, s->name);
	}
	buf_puts(out, "\treturn 0\n}\n");
}

/* --fail-after STEP: a step's number or its name. */
static void put_step_number(struct buf *out, const struct release *r)
{
	buf_puts(out, "\nrelc_step_number() {\n\tcase $1 in\n");
	for (const struct block *b = r->steps; b; b = b->next) {
		buf_printf(out, "\t%d|", b->index);
		q(out, b->name);
		buf_printf(out, ") RELC_N=%d ;;\n", b->index);
	}
	buf_puts(out, "\t*) return 1 ;;\n\tesac\n\treturn 0\n}\n");
}

static void put_load_sets(struct buf *out, const struct release *r)
{
	buf_puts(out, "\n# --set values of the run in the state folder (read, never sourced).\n"
	              "relc_load_sets() {\n");
	for (const struct symbol *s = r->symbols; s; s = s->next) {
		if (s->kind != SYM_LET || !s->overridable)
			continue;
		buf_printf(out, "\tif relc_load set.%s; then\n\t\tRELC_V_%s=$RELC_R\n"
		                "\t\tRELC_S_%s=1\n\tfi\n", s->name, s->name, s->name);
	}
	buf_puts(out, "\treturn 0\n}\n");
}

static void put_sets(struct buf *out, const struct release *r, bool deploy)
{
	if (deploy) {
		put_set_option(out, r);
		put_save_sets(out, r);
		put_step_number(out, r);
	}
	put_load_sets(out, r);
}

static void put_values(struct buf *out, const struct release *r)
{
	buf_puts(out, "\n# Environment values and lets (defaults unless --set).\n"
	              "relc_values() {\n\texport RELC_V_state_dir\n"
	              "\tRELC_V_state_dir=$RELC_STATE\n");
	for (const struct symbol *s = r->symbols; s; s = s->next)
		if (s->kind == SYM_ENV)
			buf_printf(out, "\texport RELC_V_%s\n\tRELC_V_%s=${%s-}\n",
			           s->name, s->name, s->name);
	for (const struct symbol *s = r->symbols; s; s = s->next) {
		if (s->kind != SYM_LET)
			continue;
		buf_printf(out, "\texport RELC_V_%s\n", s->name);
		if (s->overridable) {
			buf_printf(out, "\tif [ -z \"${RELC_S_%s-}\" ]; then\n\t\tRELC_V_%s=",
			           s->name, s->name);
			put_value_word(out, s->value);
			buf_puts(out, "\n\tfi\n");
		} else {
			buf_printf(out, "\tRELC_V_%s=", s->name);
			put_value_word(out, s->value);
			buf_putc(out, '\n');
		}
	}
	buf_puts(out, "}\n");
}

static bool block_uses_env(const struct block *b, const struct symbol *env)
{
	for (const struct command *c = b->cmds; c; c = c->next)
		for (size_t i = 0; i < c->nrefs; i++)
			if (c->refs[i].sym == env)
				return true;
	return false;
}

static bool rollback_uses_env(const struct release *r, const struct symbol *env)
{
	for (const struct block *b = r->steps; b; b = b->next)
		if (b->undo && block_uses_env(b->undo, env))
			return true;
	for (const struct block *b = r->after_rollbacks; b; b = b->next)
		if (block_uses_env(b, env))
			return true;
	return false;
}

static void put_env_check(struct buf *out, const struct release *r,
                          const char *fn, bool rollback_only)
{
	buf_printf(out, "\n%s() {\n\trelc_miss=\n", fn);
	for (const struct symbol *s = r->symbols; s; s = s->next) {
		if (s->kind != SYM_ENV || (rollback_only && !rollback_uses_env(r, s)))
			continue;
		buf_printf(out, "\tif [ -z \"${%s-}\" ]; then\n\t\trelc_miss=\"$relc_miss %s\"\n\tfi\n",
		           s->name, s->name);
	}
	buf_puts(out, "\tif [ -n \"$relc_miss\" ]; then\n"
	              "\t\trelc_err \"not set or empty in the environment:$relc_miss\"\n"
	              "\t\treturn 1\n\tfi\n\treturn 0\n}\n");
}

static void put_load_captures(struct buf *out, const struct release *r)
{
	buf_puts(out, "\n# Captured values of the run, from the state folder.\n"
	              "relc_load_captures() {\n");
	for (const struct symbol *s = r->symbols; s; s = s->next) {
		if (s->kind != SYM_CAPTURE)
			continue;
		buf_printf(out, "\tif relc_load capture.%s; then\n\t\tRELC_V_%s=$RELC_R\n"
		                "\t\texport RELC_V_%s\n\t\tRELC_HAVE=\"${RELC_HAVE}%s \"\n\tfi\n",
		           s->name, s->name, s->name, s->name);
	}
	buf_puts(out, "\treturn 0\n}\n");
}

/* ---- the order of a deploy and of the rollback path ---- */

static const char *deploy_policy(const struct block *b)
{
	enum policy p = block_policy(b);
	bool before_steps = b->kind == BLOCK_CHECK || (b->kind == BLOCK_BACKUP && b->after_steps == 0);
	if (p == POLICY_ABORT && !before_steps)
		p = POLICY_ESCALATE; /* once a step ran, "nothing changed" is untrue */
	return policy_name(p);
}

static void put_go(struct buf *out, const struct block *b, const char *id, int k)
{
	buf_puts(out, "\trelc_go");
	put_block_args(out, b, id, b->index);
	buf_printf(out, " %s %d\n", deploy_policy(b), k);
}

static void put_order(struct buf *out, const struct release *r)
{
	buf_puts(out, "\nrelc_checks() {\n");
	for (const struct block *b = r->checks; b; b = b->next)
		put_go(out, b, "check", 0);
	buf_puts(out, "\treturn 0\n}\n\nrelc_deploy() {\n");
	/* backups and steps in the order written: a backup after step k rolls
	 * back from step k when it fails */
	struct deploy_walk w;
	deploy_walk_start(&w, r);
	for (const struct block *b; (b = deploy_walk_next(&w));)
		if (b->kind == BLOCK_BACKUP)
			put_go(out, b, "backup", b->after_steps);
		else
			put_go(out, b, "step", b->index);
	for (const struct block *b = r->verifies; b; b = b->next)
		put_go(out, b, "verify", r->nsteps);
	buf_puts(out, "\treturn 0\n}\n");
}

static void put_rollback_order(struct buf *out, const struct release *r)
{
	buf_puts(out, "\n# The undo of step $1 (the rollback path calls it for k, k-1, ..., 1).\n"
	              "relc_undo_step() {\n\tcase $1 in\n");
	for (const struct block *b = r->steps; b; b = b->next) {
		buf_printf(out, "\t%d) ", b->index);
		if (b->undo_kind == UNDO_BLOCK && b->undo) {
			buf_printf(out, "relc_undo %d ", b->index);
			q_label(out, b->name);
			buf_printf(out, " %lld ", (long long)block_timeout_ms(b->undo));
			put_header(out, b->undo);
			buf_putc(out, ' ');
			put_body_name(out, b->undo);
		} else {
			buf_printf(out, "%s %d ", b->undo_kind == UNDO_NONE ? "relc_undo_none"
			                          : "relc_undo_irreversible", b->index);
			q_label(out, b->name);
			buf_putc(out, ' ');
			q_label(out, b->undo_reason ? b->undo_reason : "no undo");
		}
		buf_puts(out, " ;;\n");
	}
	buf_puts(out, "\t*) return 0 ;;\n\tesac\n}\n\nrelc_after_rollbacks() {\n");
	for (const struct block *b = r->after_rollbacks; b; b = b->next) {
		buf_printf(out, "\trelc_after after-rollback:%d ", b->index);
		q_label(out, b->name);
		buf_printf(out, " %lld ", (long long)block_timeout_ms(b));
		put_header(out, b);
		buf_putc(out, ' ');
		put_body_name(out, b);
		buf_putc(out, '\n');
	}
	buf_puts(out, "\treturn 0\n}\n");
}

/* ---- the two scripts ---- */

static void put_head(struct buf *out, const struct compile *c, const char *what)
{
	buf_puts(out, "#!/bin/sh\n");
	emit_provenance(out, c, "# ");
	buf_printf(out, "#\n# %s", what);
	buf_puts(out,
		"# Needs a POSIX sh and utilities, plus timeout(1) and, for checksums,\n"
		"# sha256sum(1). Run with --help for the options; docs/scripts.md in the\n"
		"# relc sources describes the journal and the state folder.\n"
		"#\n"
		"# Commands are single-quoted text that sh -c runs, so $ in them is\n"
		"# expanded there, not here (SC2016); block bodies are called through a\n"
		"# variable, which ShellCheck cannot follow (SC2317).\n"
		"# shellcheck disable=SC2016,SC2317\n"
		"set -u\n");
}

static void put_script(struct buf *out, const struct compile *c, bool deploy)
{
	const struct release *r = c->rel;

	put_head(out, c, deploy ? "deploy.sh: checks, backups, steps and verifies of this release.\n"
	                        : "rollback.sh: the undo of every step that started, newest first,\n"
	                          "# then after-rollback, driven by the deploy's journal.\n");
	if (!r) {
		buf_puts(out, "printf '%s\\n' 'relc: no release was compiled' >&2\nexit 1\n");
		return;
	}
	put_constants(out, c, deploy);
	put_sets(out, r, deploy);
	put_values(out, r);
	if (deploy)
		put_env_check(out, r, "relc_env_check", false);
	else
		put_env_check(out, r, "relc_env_check_rollback", true);
	put_load_captures(out, r);
	buf_puts(out, "\n# ---- the commands of each block ----\n");
	put_bodies(out, r, deploy);
	if (deploy)
		put_order(out, r);
	put_rollback_order(out, r);
	buf_putc(out, '\n');
	put_lines(out, rt_common);
	buf_putc(out, '\n');
	put_lines(out, deploy ? rt_deploy : rt_rollback);
}

void emit_deploy_sh(struct buf *out, const struct compile *c)
{
	put_script(out, c, true);
}

void emit_rollback_sh(struct buf *out, const struct compile *c)
{
	put_script(out, c, false);
}
