/* emit_md.c - the Markdown release plan (plan.md) a reviewer reads.
 *
 * Sections follow the release-plan layout of the design: title and pins,
 * checks, backup, steps, verification, rollback, escalation, release notes.
 * Every command is shown so it can be pasted into a shell: `let` and
 * built-in references become their literal values quoted for where they
 * stand; env and capture references become shell variables. */
#include "emit.h"
#include "emit_changelog.h"
#include "emit_common.h"
#include "journal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shell.h"

/* ---- small text helpers ---- */

static void md_text(struct buf *out, const char *s, size_t len)
{
	emit_md_text(out, s, len, false);
}

static void md_str(struct buf *out, const char *s)
{
	md_text(out, s ? s : "", s ? strlen(s) : 0);
}

/* Longest run of `ch` in s. */
static size_t longest_run(const char *s, size_t len, char ch)
{
	size_t best = 0, run = 0;

	for (size_t i = 0; i < len; i++) {
		run = s[i] == ch ? run + 1 : 0;
		if (run > best)
			best = run;
	}
	return best;
}

/* An inline code span holding exactly s (control characters as spaces):
 * the backtick string is one longer than any run inside, and a space pads
 * the content when it starts or ends with a backtick or a space. */
static void md_code(struct buf *out, const char *s, size_t len)
{
	if (len == 0) {
		buf_puts(out, "(empty)");
		return;
	}
	size_t ticks = longest_run(s, len, '`') + 1;
	bool pad = s[0] == '`' || s[len - 1] == '`' ||
	           (s[0] == ' ' && s[len - 1] == ' ');

	for (size_t i = 0; i < ticks; i++)
		buf_putc(out, '`');
	if (pad)
		buf_putc(out, ' ');
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];
		buf_putc(out, ch < 0x20 || ch == 0x7f ? ' ' : (char)ch);
	}
	if (pad)
		buf_putc(out, ' ');
	for (size_t i = 0; i < ticks; i++)
		buf_putc(out, '`');
}

static void md_code_str(struct buf *out, const char *s)
{
	md_code(out, s ? s : "", s ? strlen(s) : 0);
}

/* A fenced block of shell: the fence is longer than any backtick run in the
 * content, so a command holding ``` cannot close it early. */
static void md_fence(struct buf *out, const char *content, size_t len)
{
	size_t ticks = longest_run(content, len, '`') + 1;

	if (ticks < 3)
		ticks = 3;
	for (size_t i = 0; i < ticks; i++)
		buf_putc(out, '`');
	buf_puts(out, "bash\n");
	buf_add(out, content, len);
	if (len > 0 && content[len - 1] != '\n')
		buf_putc(out, '\n');
	for (size_t i = 0; i < ticks; i++)
		buf_putc(out, '`');
	buf_puts(out, "\n\n");
}

static void md_value(struct buf *out, const struct value *v, bool line_start)
{
	struct buf t;

	buf_init(&t);
	emit_value_text(&t, v);
	emit_md_text(out, t.data ? t.data : "", t.len, line_start);
	buf_free(&t);
}

static void md_value_code(struct buf *out, const struct value *v)
{
	struct buf t;

	buf_init(&t);
	emit_value_text(&t, v);
	md_code(out, t.data, t.len);
	buf_free(&t);
}

static const char *meta_str(const struct release *r, enum meta_key k,
                            struct buf *tmp)
{
	tmp->len = 0;
	if (tmp->data)
		tmp->data[0] = '\0';
	if (r->meta[k].set && r->meta[k].value)
		emit_value_text(tmp, r->meta[k].value);
	return tmp->data ? tmp->data : "";
}

/* ---- durations in words ---- */

static void put_count(struct buf *out, int64_t n, const char *unit)
{
	buf_printf(out, "%lld %s%s", (long long)n, unit, n == 1 ? "" : "s");
}

/* "10 seconds", "1 minute 30 seconds", "250 milliseconds". */
static void dur_words(struct buf *out, int64_t ms)
{
	if (ms < 60000 && ms % 1000 != 0) {
		put_count(out, ms, "millisecond");
		return;
	}
	int64_t s = (ms + 999) / 1000;
	int64_t h = s / 3600, m = s / 60 % 60, sec = s % 60;
	bool any = false;

	if (h) {
		put_count(out, h, "hour");
		any = true;
	}
	if (m) {
		if (any)
			buf_putc(out, ' ');
		put_count(out, m, "minute");
		any = true;
	}
	if (sec || !any) {
		if (any)
			buf_putc(out, ' ');
		put_count(out, sec, "second");
	}
}

/* An estimate: "~10 seconds", or a range in the largest unit that divides
 * both ends, "~30–60 seconds". */
static void timing_words(struct buf *out, const struct duration *d)
{
	static const struct { int64_t ms; const char *unit; } units[] = {
		{ 3600000, "hours" }, { 60000, "minutes" }, { 1000, "seconds" },
		{ 1, "milliseconds" },
	};

	buf_putc(out, '~');
	if (d->min_ms == d->max_ms) {
		dur_words(out, d->max_ms);
		return;
	}
	for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
		if (d->min_ms % units[i].ms || d->max_ms % units[i].ms)
			continue;
		buf_printf(out, "%lld\xe2\x80\x93%lld %s",
		           (long long)(d->min_ms / units[i].ms),
		           (long long)(d->max_ms / units[i].ms), units[i].unit);
		return;
	}
}

/* ---- commands ---- */

/* The literal a reference stands for in the plan, NULL when it only exists
 * at run time (env, capture, or a built-in not known at compile time). */
static const char *ref_literal(const struct symbol *sym)
{
	if (!sym)
		return NULL;
	if (sym->kind == SYM_LET && sym->value)
		return sym->value->expanded;
	if (sym->kind == SYM_BUILTIN)
		return sym->builtin;
	return NULL;
}

/* Is s a word sh_quote_word leaves as it is (no quoting needed)? */
static bool plain_word(const char *s)
{
	struct buf t;

	buf_init(&t);
	sh_quote_word(&t, s, strlen(s));
	bool same = t.len == strlen(s) && memcmp(t.data, s, t.len) == 0;
	buf_free(&t);
	return same;
}

/* A literal that cannot stand in place: inside `...` and not a plain word. */
static bool needs_variable(const struct ref *rf, bool in_backquotes)
{
	const char *lit = ref_literal(rf->sym);

	return lit && in_backquotes && !plain_word(lit);
}

/* The command text with every reference replaced for pasting. */
static void expand_command(struct buf *out, const struct command *cmd)
{
	size_t pos = 0;
	bool *inbq = emit_refs_in_backquotes(cmd);

	for (size_t i = 0; i < cmd->nrefs; i++) {
		const struct ref *rf = &cmd->refs[i];
		size_t end = rf->off + rf->len;

		if (rf->off < pos || end > cmd->len)
			continue;
		buf_add(out, cmd->text + pos, rf->off - pos);
		pos = end;
		const char *lit = ref_literal(rf->sym);
		if (lit && !needs_variable(rf, inbq[i])) {
			size_t n = strlen(lit);
			if (rf->ctx == REF_UNQUOTED)
				sh_quote_word(out, lit, n);
			else if (rf->ctx == REF_DQUOTED)
				sh_quote_dquoted(out, lit, n);
			else
				sh_quote_heredoc(out, lit, n);
		} else if (rf->sym) {
			emit_ref_variable(out, rf->sym->name, rf->ctx,
			                  end < cmd->len ? cmd->text[end] : '\0');
		} else {
			buf_add(out, cmd->text + rf->off, rf->len);
		}
	}
	buf_add(out, cmd->text + pos, cmd->len - pos);
	free(inbq);
}

/* Assignments for the literals expand_command writes as variables, each
 * name once, so the command line after them can be pasted as it is. */
static void variable_lines(struct buf *out, const struct command *cmd)
{
	bool *inbq = emit_refs_in_backquotes(cmd);

	for (size_t i = 0; i < cmd->nrefs; i++) {
		const struct ref *rf = &cmd->refs[i];
		bool seen = false;

		if (!needs_variable(rf, inbq[i]))
			continue;
		for (size_t k = 0; k < i; k++)
			if (cmd->refs[k].sym == rf->sym && needs_variable(&cmd->refs[k], inbq[k]))
				seen = true;
		if (seen)
			continue;
		const char *lit = ref_literal(rf->sym);
		buf_printf(out, "%s=", rf->sym->name);
		sh_quote(out, lit, strlen(lit));
		buf_putc(out, '\n');
	}
	free(inbq);
}

/* The command as a line of the fence: a capture becomes NAME=$(...), with
 * the closing parenthesis on its own line when a comment or a here-document
 * could swallow it. */
static void fence_command(struct buf *out, const struct command *cmd)
{
	variable_lines(out, cmd);
	if (cmd->kind == CMD_CAPTURE) {
		struct buf t;
		buf_init(&t);
		expand_command(&t, cmd);
		bool own_line = t.len > 0 && (memchr(t.data, '#', t.len) ||
		                              memchr(t.data, '\n', t.len));
		buf_printf(out, "%s=$(", cmd->capture->name);
		buf_add(out, t.data, t.len);
		buf_puts(out, own_line ? "\n)\n" : ")\n");
		buf_free(&t);
	} else {
		expand_command(out, cmd);
		buf_putc(out, '\n');
	}
}

/* The first line of the expanded command, for naming it in prose. */
static void command_label(struct buf *out, const struct command *cmd)
{
	struct buf t;

	buf_init(&t);
	if (cmd->kind == CMD_CAPTURE)
		buf_printf(&t, "%s=$(", cmd->capture->name);
	expand_command(&t, cmd);
	char *nl = t.len > 0 ? memchr(t.data, '\n', t.len) : NULL;
	if (nl) {
		size_t n = (size_t)(nl - t.data);
		if (n > 0 && t.data[n - 1] == '\\')
			n--;
		while (n > 0 && t.data[n - 1] == ' ')
			n--;
		t.len = n;
		buf_puts(&t, " \xe2\x80\xa6");
	} else if (cmd->kind == CMD_CAPTURE) {
		buf_putc(&t, ')');
	}
	md_code(out, t.data, t.len);
	buf_free(&t);
}

/* ---- expectations in words ---- */

static const char *cmp_words(enum cmp_op op)
{
	switch (op) {
	case CMP_EQ: return "equal to";
	case CMP_NE: return "other than";
	case CMP_LT: return "less than";
	case CMP_LE: return "at most";
	case CMP_GT: return "greater than";
	case CMP_GE: return "at least";
	}
	return "?";
}

static void expect_words(struct buf *out, const struct expect *e)
{
	const char *st = e->stream == STREAM_STDERR ? "stderr" : "stdout";

	switch (e->kind) {
	case EXPECT_EXIT:
		buf_printf(out, "exit status %lld", (long long)e->number);
		break;
	case EXPECT_EQUALS: {
		struct buf t;
		buf_init(&t);
		emit_value_text(&t, e->text);
		if (t.len == 0) {
			buf_printf(out, "%s is empty (trailing newlines aside)", st);
		} else {
			buf_printf(out, "%s is ", st);
			md_code(out, t.data, t.len);
			buf_puts(out, " (trailing newlines aside)");
		}
		buf_free(&t);
		break;
	}
	case EXPECT_CONTAINS:
		buf_printf(out, "%s contains ", st);
		md_value_code(out, e->text);
		break;
	case EXPECT_MATCHES:
		buf_printf(out, "a line of %s matches the extended regular expression ", st);
		md_value_code(out, e->text);
		break;
	case EXPECT_NOT_CONTAINS:
		buf_printf(out, "%s does not contain ", st);
		md_value_code(out, e->text);
		break;
	case EXPECT_NOT_MATCHES:
		buf_printf(out, "no line of %s matches the extended regular expression ", st);
		md_value_code(out, e->text);
		break;
	case EXPECT_EMPTY:
		buf_printf(out, "%s is empty", st);
		break;
	case EXPECT_NOT_EMPTY:
		buf_printf(out, "%s is not empty", st);
		break;
	case EXPECT_COMPARE:
		buf_printf(out, "%s is a whole number %s %lld", st, cmp_words(e->op),
		           (long long)e->number);
		break;
	}
}

static bool has_exit_expect(const struct command *cmd)
{
	for (const struct expect *e = cmd->expects; e; e = e->next)
		if (e->kind == EXPECT_EXIT)
			return true;
	return false;
}

/* One command's conditions: exit status 0 (when `exit0` asks for it and no
 * `expect exit` says otherwise), then each expectation. */
static void command_expects(struct buf *out, const struct command *cmd,
                            bool exit0)
{
	bool first = true;

	if (exit0 && !has_exit_expect(cmd)) {
		buf_puts(out, "exit status 0");
		first = false;
	}
	for (const struct expect *e = cmd->expects; e; e = e->next) {
		if (!first)
			buf_puts(out, e->next ? ", " : " and ");
		first = false;
		expect_words(out, e);
	}
}

/* **Expected Output**: inline for one command; for several, one item per
 * command with conditions beyond exit status 0. The items use "*" so the
 * "-" list that follows (timing, policy) stays a separate list. */
static void expected_output(struct buf *out, const struct block *b)
{
	bool any = false, other_exit = false;

	for (const struct command *cmd = b->cmds; cmd; cmd = cmd->next) {
		if (cmd->expects)
			any = true;
		if (has_exit_expect(cmd))
			other_exit = true;
	}
	buf_puts(out, "**Expected Output**: ");
	if (b->ncmds == 1 && b->cmds) {
		command_expects(out, b->cmds, true);
		buf_puts(out, ".\n\n");
		return;
	}
	if (!any) {
		buf_puts(out, "exit status 0 from every command.\n\n");
		return;
	}
	buf_puts(out, other_exit ? "exit status 0 from every command unless "
	                           "stated otherwise, and\n\n"
	                         : "exit status 0 from every command, and\n\n");
	for (const struct command *cmd = b->cmds; cmd; cmd = cmd->next) {
		if (!cmd->expects)
			continue;
		buf_puts(out, "* ");
		command_label(out, cmd);
		buf_puts(out, ": ");
		command_expects(out, cmd, false);
		buf_putc(out, '\n');
	}
	buf_putc(out, '\n');
}

/* ---- one block ---- */

struct plan {
	struct buf *out;
	const struct release *r;
	struct rollback_index ix;
	const struct compile *c;
};

/* Name a block in prose: step 2 "Database migration". */
static void block_ref(struct buf *out, const struct block *b)
{
	if (b->kind == BLOCK_UNDO && b->parent) {
		buf_puts(out, "the undo of ");
		b = b->parent;
	}
	if (b->kind == BLOCK_STEP)
		buf_printf(out, "step %d ", b->index);
	else
		buf_printf(out, "%s ", block_kind_name(b->kind));
	buf_puts(out, "\xe2\x80\x9c");
	md_str(out, b->name);
	buf_puts(out, "\xe2\x80\x9d");
}

/* Does reference i of cmd name a symbol already named earlier in block b? */
static bool named_before(const struct block *b, const struct command *cmd, size_t i)
{
	const struct symbol *sym = cmd->refs[i].sym;

	for (const struct command *c = b->cmds; c; c = c->next) {
		size_t n = c == cmd ? i : c->nrefs;
		for (size_t k = 0; k < n; k++)
			if (c->refs[k].sym == sym)
				return true;
		if (c == cmd)
			break;
	}
	return false;
}

/* Lines under the fence naming where its run-time values come from:
 * captures made in another block (with the command that sets them) and
 * environment variables. Each name once, in order of first use. */
static void value_sources(struct buf *out, const struct block *b)
{
	bool any = false;

	for (const struct command *cmd = b->cmds; cmd; cmd = cmd->next) {
		for (size_t i = 0; i < cmd->nrefs; i++) {
			const struct symbol *sym = cmd->refs[i].sym;

			if (!sym || ref_literal(sym) ||
			    (sym->kind != SYM_CAPTURE && sym->kind != SYM_ENV) ||
			    (sym->kind == SYM_CAPTURE && sym->capture &&
			     sym->capture->block == b) ||
			    named_before(b, cmd, i))
				continue;
			any = true;
			buf_printf(out, "- `$%s`", sym->name);
			if (sym->kind == SYM_ENV) {
				buf_puts(out, " comes from the operator's environment "
				              "(it must be set and not empty).\n");
			} else if (sym->capture) {
				buf_puts(out, " is set by ");
				block_ref(out, sym->capture->block);
				buf_puts(out, ": ");
				command_label(out, sym->capture);
				buf_puts(out, "\n");
			} else {
				buf_puts(out, " is known only at run time.\n");
			}
		}
	}
	if (any)
		buf_putc(out, '\n');
}

static void block_commands(struct buf *out, const struct block *b)
{
	struct buf f;

	buf_init(&f);
	for (const struct command *cmd = b->cmds; cmd; cmd = cmd->next)
		fence_command(&f, cmd);
	/* The file a backup names is final once the block's commands ran. */
	if (b->kind == BLOCK_BACKUP)
		for (const struct checksum *ck = b->checksums; ck; ck = ck->next)
			buf_printf(&f, "sha256sum \"$%s\"   # keep this output: the "
			               "rollback checks it\n", ck->name);
	md_fence(out, f.data, f.len);
	buf_free(&f);
}

/* Timing and limit. Steps, backups and verifies always show them (a missing
 * estimate is worth seeing); other blocks only when they have one. */
/* Milliseconds as seconds with tenths: "7.2". */
static void tenths(struct buf *out, int64_t ms)
{
	buf_printf(out, "%lld.%lld", (long long)(ms / 1000), (long long)(ms % 1000 / 100));
}

/* What the journals measured (relc --journal), beside the estimate. */
static void measured_line(struct buf *out, const struct jstat *st,
                          const struct block *b)
{
	buf_puts(out, "- **Measured**: ");
	tenths(out, st->min_ms);
	if (st->max_ms != st->min_ms) {
		buf_puts(out, "\xe2\x80\x93");
		tenths(out, st->max_ms);
	}
	buf_printf(out, " seconds over %d run%s in the journals", st->runs,
	           st->runs == 1 ? "" : "s");
	if (journal_over_estimate(b, st))
		buf_puts(out, ": **more than twice the upper estimate** (W118)");
	buf_putc(out, '\n');
}

/* Returns whether it wrote anything (a block with no timing at all gets no
 * lines). */
static bool timing_lines(struct plan *p, const struct block *b)
{
	struct buf *out = p->out;
	int64_t limit = block_timeout_ms(b);
	bool always = b->kind == BLOCK_STEP || b->kind == BLOCK_BACKUP ||
	              b->kind == BLOCK_VERIFY;
	const struct jstat *st = journal_stat(p->c, b);

	if (!always && !b->estimate.set && limit == 0 && !st)
		return false;

	buf_puts(out, "- **Timing**: ");
	if (b->estimate.set)
		timing_words(out, &b->estimate);
	else
		buf_puts(out, "not estimated");
	buf_puts(out, "\n- **Limit**: ");
	if (limit > 0) {
		dur_words(out, limit);
		buf_puts(out, b->timeout && b->timeout->set ? "" : " (twice the upper estimate)");
		buf_puts(out, "; past it the commands are stopped and the block has failed");
	} else {
		buf_puts(out, "none");
	}
	buf_putc(out, '\n');
	if (st)
		measured_line(out, st, b);
	return true;
}

/* Up to this many undos on a path are listed by number; a longer path is
 * described by its range, so each step's text stays the same size however
 * many steps come before it. */
#define UNDOS_LISTED 8

/* "the undo of step 3", "the undos of steps 3, 2 and 1", or for a long path
 * "the undos of steps 37 back to 1 (the 30 of them that have one)". */
static void undo_list(struct plan *p, const struct rollback_path *path)
{
	struct buf *out = p->out;
	int n = path->count;

	if (n > UNDOS_LISTED) {
		buf_printf(out, "the undos of steps %d back to %d (the %d of them "
		           "that have one)", path->from_step, path->to_step, n);
		return;
	}
	buf_puts(out, n == 1 ? "the undo of step " : "the undos of steps ");
	for (int i = 0; i < n; i++)
		buf_printf(out, "%s%d", i == 0 ? "" : i + 1 == n ? " and " : ", ",
		           rollback_path_undo(&p->ix, path, i)->index);
}

/* Where the path's items are in the Rollback Procedure, which numbers the
 * undos from the last step down, then the after-rollback blocks: a long
 * path is one run of items there, "items 4 to 35". */
static void rollback_see(struct plan *p, const struct rollback_path *path)
{
	struct buf *out = p->out;

	if (path->count <= UNDOS_LISTED) {
		buf_puts(out, " (see Rollback Procedure)");
		return;
	}
	int total = p->ix.nundo[p->ix.nsteps];
	int first = total - p->ix.nundo[path->from_step] + 1;
	int last = first + path->count - 1;
	if (!path->blocked)
		last += p->r->nafter_rollbacks;
	buf_printf(out, " (see Rollback Procedure, items %d to %d)", first, last);
}

/* Where a failure at step k leads under the rollback policy, in words: the
 * derived path, which stops at an irreversible step. */
static void rollback_words(struct plan *p, int k)
{
	struct rollback_path path = rollback_path_of(&p->ix, k);
	struct buf *out = p->out;
	int n = path.count;

	if (path.blocked && n == 0) {
		buf_printf(out, "escalate: step %d is irreversible, so nothing can be "
		           "rolled back past it (see Escalation)", path.blocked->index);
	} else if (path.blocked) {
		buf_puts(out, "roll back as far as the point of no return: ");
		undo_list(p, &path);
		buf_printf(out, " %s, then stop and escalate, as step %d is "
		           "irreversible", n == 1 ? "runs" : "run, in that order",
		           path.blocked->index);
		rollback_see(p, &path);
	} else {
		buf_puts(out, "roll back: ");
		if (n > 0) {
			undo_list(p, &path);
			buf_puts(out, n == 1 ? " runs" : " run, in that order");
		} else {
			buf_puts(out, "no step has an undo to run");
		}
		if (p->r->nafter_rollbacks > 0)
			buf_puts(out, ", then the after-rollback blocks");
		rollback_see(p, &path);
	}
}

static void on_failure_line(struct plan *p, const struct block *b)
{
	buf_puts(p->out, "- **On failure**: ");
	switch (block_policy(b)) {
	case POLICY_ABORT:
		buf_puts(p->out, "abort: stop the release here; nothing has been changed yet");
		break;
	case POLICY_ESCALATE:
		buf_puts(p->out, "escalate: stop, neither continue nor roll back, and "
		                 "hand over (see Escalation)");
		break;
	case POLICY_ROLLBACK:
	case POLICY_DEFAULT:
		/* the steps that ran before the block are the ones undone */
		rollback_words(p, b->kind == BLOCK_STEP ? b->index :
		                  b->kind == BLOCK_BACKUP ? b->after_steps : p->r->nsteps);
		break;
	}
	buf_puts(p->out, "\n\n");
}

/* Commands, expectations, where values come from, timing and policy. */
static void block_body(struct plan *p, const struct block *b, bool policy)
{
	block_commands(p->out, b);
	value_sources(p->out, b);
	expected_output(p->out, b);
	bool timed = timing_lines(p, b);
	if (policy)
		on_failure_line(p, b);
	else if (timed)
		buf_putc(p->out, '\n');
}

/* ---- Mermaid diagrams ---- */

/* Past these sizes a diagram is summarised: Mermaid refuses large texts
 * (maxTextSize, maxEdges) and nobody reads a chart of 500 bars. */
#define MERMAID_BARS_MAX 60
#define MERMAID_STEPS_MAX 40
/* Bytes of a name shown in a diagram label; longer names are cut. */
#define MERMAID_LABEL_MAX 60

/* Spec text inside a quoted Mermaid label or a gantt task name. Letters,
 * digits, UTF-8 and a few harmless marks stay; every other printable byte
 * becomes Mermaid's entity code (#35; for '#'), which Mermaid decodes after
 * parsing, so no quote, colon, semicolon, `%%`, backquote or bracket reaches
 * its parser and no fence or HTML reaches Markdown. Control bytes become
 * spaces. */
static void mm_label(struct buf *out, const char *s)
{
	size_t n = 0;

	for (const unsigned char *q = (const unsigned char *)(s ? s : ""); *q; q++, n++) {
		unsigned char ch = *q;
		if (n >= MERMAID_LABEL_MAX && (ch & 0xc0) != 0x80) {
			buf_puts(out, "\xe2\x80\xa6");
			return;
		}
		if (ch < 0x20 || ch == 0x7f)
			buf_putc(out, ' ');
		else if (ch >= 0x80 || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		         (ch >= '0' && ch <= '9') || strchr(" .,-_/()+=!?@'", ch))
			buf_putc(out, (char)ch);
		else
			buf_printf(out, "#%d;", ch);
	}
}

/* One gantt bar from *t lasting ms; a kind word first, so that a name such
 * as "section x" is never read as a gantt keyword. */
static void gantt_bar(struct buf *out, const struct block *b, const char *id,
                      int n, int64_t *t, int64_t ms, const char *note)
{
	buf_printf(out, "    %s ", block_kind_name(b->kind));
	if (b->kind == BLOCK_STEP)
		buf_printf(out, "%d ", b->index);
	mm_label(out, b->name);
	buf_printf(out, "%s :%s%d, %lld, %lld\n", note, id, n, (long long)*t,
	           (long long)(*t + ms));
	*t += ms;
}

/* The blocks of a deploy run in running order: checks, backups and steps as
 * deploy_walk orders them, verifies. */
struct run_walk {
	const struct block *list;
	int part;
	struct deploy_walk w;
};

static const struct block *run_next(struct run_walk *rw, const struct release *r)
{
	for (;;) {
		if (rw->part == 1) {
			const struct block *b = deploy_walk_next(&rw->w);
			if (b)
				return b;
			rw->part = 2;
			rw->list = r->verifies;
			continue;
		}
		if (rw->list) {
			const struct block *b = rw->list;
			rw->list = b->next;
			return b;
		}
		if (rw->part != 0)
			return NULL;
		rw->part = 1;
		deploy_walk_start(&rw->w, r);
	}
}

/* A bar per kind of block (summary of a long run): upper estimates, or with
 * `measured` the longest measured runs, added up. */
static void gantt_summary(struct plan *p, bool measured, int64_t *t)
{
	static const char *const what[] = { "checks", "backups and steps", "verifications" };
	static const char *const one[] = { "check", "backup or step", "verification" };
	const struct release *r = p->r;
	int64_t sum[3] = { 0 };
	int count[3] = { 0 }, missing[3] = { 0 };
	struct run_walk rw = { r->checks, 0, { 0 } };

	for (const struct block *b; (b = run_next(&rw, r));) {
		int k = b->kind == BLOCK_CHECK ? 0 : b->kind == BLOCK_VERIFY ? 2 : 1;
		const struct jstat *st = journal_stat(p->c, b);
		count[k]++;
		if (measured ? st != NULL : b->estimate.set)
			sum[k] += measured ? st->max_ms : b->estimate.max_ms;
		else
			missing[k]++;
	}
	for (int k = 0; k < 3; k++) {
		if (count[k] == 0)
			continue;
		buf_printf(p->out, "    %d %s", count[k], count[k] == 1 ? one[k] : what[k]);
		if (missing[k])
			buf_printf(p->out, " (%d not %s)", missing[k],
			           measured ? "measured" : "estimated");
		buf_printf(p->out, " :%s%d, %lld, %lld\n", measured ? "m" : "e", k + 1,
		           (long long)*t, (long long)(*t + sum[k]));
		*t += sum[k];
	}
}

/* The deploy timeline: a bar per block by its upper estimate and, with
 * journals, a second section of the longest measured runs. */
static void mermaid_gantt(struct plan *p)
{
	const struct release *r = p->r;
	struct buf *out = p->out;
	int nblocks = r->nchecks + r->nbackups + r->nsteps + r->nverifies;
	bool summary = nblocks > MERMAID_BARS_MAX;

	if (nblocks == 0)
		return;
	buf_puts(out, "The deploy run on a timeline (time from its start), each "
	              "block at its upper estimate");
	if (p->c->journals)
		buf_puts(out, ", then as long as its longest run in the journals");
	if (summary)
		buf_printf(out, "; its %d blocks are added up by kind", nblocks);
	buf_puts(out, ":\n\n```mermaid\ngantt\n    dateFormat x\n"
	              "    axisFormat %H:%M:%S\n    todayMarker off\n"
	              "    section estimated\n");
	for (int pass = 0; pass < (p->c->journals ? 2 : 1); pass++) {
		int64_t t = 0;
		int n = 0;
		if (pass == 1)
			buf_puts(out, "    section measured\n");
		if (summary) {
			gantt_summary(p, pass == 1, &t);
			continue;
		}
		struct run_walk rw = { r->checks, 0, { 0 } };
		for (const struct block *b; (b = run_next(&rw, r));) {
			const struct jstat *st = journal_stat(p->c, b);
			if (pass == 0)
				gantt_bar(out, b, "e", ++n, &t, b->estimate.set ? b->estimate.max_ms : 0,
				          b->estimate.set ? "" : " (not estimated)");
			else if (st)
				gantt_bar(out, b, "m", ++n, &t, st->max_ms, "");
		}
	}
	buf_puts(out, "```\n\n");
}

/* The flowchart's edges, written before its nodes so that only the end
 * nodes some path reaches are drawn. */
struct flow {
	struct buf edges;
	bool after;                /* the release has after-rollback blocks */
	bool esc, done, stop;      /* end nodes reached */
};

/* Where a rollback path ends when its undos are done: escalation at an
 * irreversible step, or the after-rollback blocks. */
static void flow_path_end(struct flow *f, const struct rollback_path *path)
{
	if (path->blocked) {
		buf_printf(&f->edges, " -->|\"step %d is irreversible\"| esc\n",
		           path->blocked->index);
		f->esc = true;
	} else if (f->after) {
		buf_puts(&f->edges, " --> a1\n");
	} else {
		buf_puts(&f->edges, " --> done\n");
		f->done = true;
	}
}

/* Where a failure at step k (k = nsteps for a verify) leads. */
static void flow_entry(struct plan *p, struct flow *f, const char *from, int k,
                       enum policy pol)
{
	buf_printf(&f->edges, "    %s", from);
	if (pol == POLICY_ESCALATE) {
		buf_puts(&f->edges, " --> esc\n");
		f->esc = true;
	} else if (pol == POLICY_ABORT) {
		buf_puts(&f->edges, " --> stop\n");
		f->stop = true;
	} else {
		struct rollback_path path = rollback_path_of(&p->ix, k);
		if (path.count > 0)
			buf_printf(&f->edges, " --> u%d\n", path.from_step);
		else
			flow_path_end(f, &path);
	}
}

/* The rollback paths as a flowchart: each step's failure enters one chain of
 * undo nodes (every undo has a single successor: the next undo down, the
 * escalation at an irreversible step, or after-rollback), so the chart has
 * O(n) nodes and edges where the paths spelled out would be O(n^2). */
static void mermaid_flowchart(struct plan *p)
{
	const struct release *r = p->r;
	struct buf *out = p->out;
	struct flow f = { .after = r->after_rollbacks != NULL };
	bool verify_rollback = false;
	int i = 0;

	if (r->nsteps == 0)
		return;
	if (r->nsteps + r->nafter_rollbacks > MERMAID_STEPS_MAX) {
		buf_printf(out, "The rollback paths of %d steps are too many to draw; "
		           "each step's **On failure** line gives its own.\n\n", r->nsteps);
		return;
	}
	buf_init(&f.edges);
	for (const struct block *v = r->verifies; v; v = v->next)
		verify_rollback = verify_rollback || block_policy(v) == POLICY_ROLLBACK ||
		                  block_policy(v) == POLICY_DEFAULT;
	for (const struct block *s = r->steps; s; s = s->next) {
		char from[24];
		snprintf(from, sizeof from, "f%d", s->index);
		flow_entry(p, &f, from, s->index, block_policy(s));
	}
	if (verify_rollback)
		flow_entry(p, &f, "fv", r->nsteps, POLICY_ROLLBACK);
	for (const struct block *s = r->steps; s; s = s->next) {
		if (s->undo_kind != UNDO_BLOCK || !s->undo)
			continue;
		struct rollback_path path = rollback_path_of(&p->ix, s->index);
		buf_printf(&f.edges, "    u%d", s->index);
		if (path.count > 1)
			buf_printf(&f.edges, " --> u%d\n",
			           rollback_path_undo(&p->ix, &path, 1)->index);
		else
			flow_path_end(&f, &path);
	}
	for (const struct block *b = r->after_rollbacks; b; b = b->next) {
		buf_printf(&f.edges, "    a%d --> ", ++i);
		if (b->next)
			buf_printf(&f.edges, "a%d\n", i + 1);
		else
			buf_puts(&f.edges, "done\n");
	}
	f.done = f.done || f.after;

	buf_puts(out, "The rollback paths: where a failure at each step leads. A "
	              "failing undo or after-rollback block stops the rollback and "
	              "escalates (not drawn).\n\n```mermaid\nflowchart TD\n");
	for (const struct block *s = r->steps; s; s = s->next) {
		buf_printf(out, "    f%d[\"step %d fails#58; ", s->index, s->index);
		mm_label(out, s->name);
		buf_puts(out, "\"]\n");
	}
	if (verify_rollback)
		buf_puts(out, "    fv[\"a verification fails\"]\n");
	for (const struct block *s = r->steps; s; s = s->next) {
		if (s->undo_kind != UNDO_BLOCK || !s->undo)
			continue;
		buf_printf(out, "    u%d[\"undo step %d#58; ", s->index, s->index);
		mm_label(out, s->name);
		buf_puts(out, "\"]\n");
	}
	i = 0;
	for (const struct block *b = r->after_rollbacks; b; b = b->next) {
		buf_printf(out, "    a%d[\"after-rollback#58; ", ++i);
		mm_label(out, b->name);
		buf_puts(out, "\"]\n");
	}
	if (f.done)
		buf_puts(out, "    done([\"previous version running\"])\n");
	if (f.esc)
		buf_puts(out, "    esc{{\"stop and escalate\"}}\n");
	if (f.stop)
		buf_puts(out, "    stop([\"release stopped\"])\n");
	buf_add(out, f.edges.data, f.edges.len);
	buf_puts(out, "```\n\n");
	buf_free(&f.edges);
}

/* ---- sections ---- */

static void put_pin(struct buf *out, const char *what, const char *ref,
                    const char *id)
{
	buf_printf(out, "- **%s**: ", what);
	md_code_str(out, ref && ref[0] ? ref : "?");
	if (id && id[0]) {
		buf_puts(out, ", pinned to commit ");
		md_code_str(out, id);
	} else {
		buf_puts(out, " (not pinned)");
	}
	buf_putc(out, '\n');
}

static void section_title(struct plan *p)
{
	struct buf *out = p->out;
	const struct release *r = p->r;
	struct buf t;

	buf_init(&t);
	buf_puts(out, "# Release plan: ");
	md_str(out, meta_str(r, META_PROJECT, &t));
	buf_putc(out, ' ');
	md_str(out, meta_str(r, META_RELEASE, &t));
	buf_puts(out, "\n\n");

	buf_printf(out, "- **Release**: %s, planned for %04d-%02d-%02d\n",
	           meta_str(r, META_RELEASE, &t), r->year, r->month, r->day);
	if (r->no_repository) {
		buf_puts(out, "- **Upgrade**: from version ");
		md_code_str(out, r->previous_ref && r->previous_ref[0] ? r->previous_ref : "?");
		buf_puts(out, " (now in production) to version ");
		md_code_str(out, r->target_ref && r->target_ref[0] ? r->target_ref : "?");
		buf_puts(out, "\n- **Repository**: none; these are version labels of software "
		              "not built from a repository of this release, so no commit is pinned\n");
	} else {
		put_pin(out, "Previous (now in production)", r->previous_ref, r->previous_id);
		put_pin(out, "Target (to ship)", r->target_ref ? r->target_ref : "HEAD",
		        r->target_id);
	}
	if (r->meta[META_BRANCH].set) {
		buf_puts(out, "- **Branch**: ");
		md_code_str(out, meta_str(r, META_BRANCH, &t));
		buf_puts(out, " (the target is reachable from it)\n");
	}
	buf_puts(out, "- **State directory**: ");
	md_code_str(out, r->state_dir);
	buf_puts(out, " (the journal and the captured values, private to the user who runs the scripts: they refuse a folder anyone else could have written)\n");
	for (const struct symbol *s = r->symbols; s; s = s->next) {
		if (s->kind != SYM_ENV)
			continue;
		buf_puts(out, "- **Environment**: ");
		buf_printf(out, "`$%s` must be set and not empty\n", s->name);
	}
	buf_free(&t);

	buf_puts(out,
	    "\nRun `sh deploy.sh` from this folder on the server. It asks for "
	    "confirmation on a terminal (`--yes` otherwise), runs the checks, "
	    "backups, steps and verifications below in order, and keeps a journal "
	    "in the state directory. `--dry-run` prints every command without "
	    "running anything, `--check-only` runs only the checks, and `--resume` "
	    "continues after an interruption.\n\n"
	    "To go back to the previous version, run `sh rollback.sh`: it reads the "
	    "journal and undoes every step that started, newest first, then runs "
	    "the after-rollback blocks (`--dry-run` shows what it would do, `--all` "
	    "undoes every step when the journal is lost).\n\n"
	    "The sections below are the same plan by hand: each command block can "
	    "be pasted into a shell, in order.\n\n");
}

static void section_checks(struct plan *p)
{
	buf_puts(p->out, "## Pre-Deployment Checks\n\n");
	if (!p->r->checks) {
		buf_puts(p->out, "This release has no checks.\n\n");
		return;
	}
	buf_puts(p->out, "Read-only checks, run first; nothing changes until they "
	                 "all pass.\n\n");
	for (const struct block *b = p->r->checks; b; b = b->next) {
		buf_puts(p->out, "### ");
		md_str(p->out, b->name);
		buf_puts(p->out, "\n\n");
		block_body(p, b, true);
	}
}

/* What a backup block leaves for the rollback: its captures and checksums. */
static void backup_records(struct buf *out, const struct block *b)
{
	bool any = false;

	for (const struct command *cmd = b->cmds; cmd; cmd = cmd->next) {
		if (cmd->kind != CMD_CAPTURE)
			continue;
		if (!any)
			buf_puts(out, "**Records**:\n\n");
		any = true;
		buf_printf(out, "- `$%s`: the output of ", cmd->capture->name);
		command_label(out, cmd);
		for (const struct checksum *ck = b->checksums; ck; ck = ck->next)
			if (ck->name && strcmp(ck->name, cmd->capture->name) == 0)
				buf_puts(out, "; its SHA-256 is recorded at the end of "
				              "this backup and checked before any rollback "
				              "command uses the file");
		buf_putc(out, '\n');
	}
	if (any)
		buf_putc(out, '\n');
}

static void backup_body(struct plan *p, const struct block *b)
{
	block_commands(p->out, b);
	value_sources(p->out, b);
	backup_records(p->out, b);
	expected_output(p->out, b);
	timing_lines(p, b);
	on_failure_line(p, b);
}

/* The backups written before the first step; those written after a step
 * are shown among the steps, where they run. */
static void section_backups(struct plan *p)
{
	buf_puts(p->out, "## Backup Procedure\n\n");
	if (!p->r->backups) {
		buf_puts(p->out, "This release has no backup block.\n\n");
		return;
	}
	bool later = false;
	for (const struct block *b = p->r->backups; b; b = b->next) {
		if (b->after_steps > 0) {
			later = true;
			continue;
		}
		buf_puts(p->out, "### ");
		md_str(p->out, b->name);
		buf_puts(p->out, "\n\n");
		backup_body(p, b);
	}
	if (later)
		buf_printf(p->out, "%s backups and steps run in the order written: "
		           "a backup written after a step runs between the steps, "
		           "and is shown there under Deployment Steps.\n\n",
		           p->r->backups->after_steps > 0 ? "No backup runs before the first step. The"
		                                          : "The");
}

/* The undo of a step, folded away under the step. */
static void step_undo(struct plan *p, const struct block *s)
{
	struct buf *out = p->out;

	switch (s->undo_kind) {
	case UNDO_BLOCK:
		if (!s->undo)
			break;
		buf_printf(out, "<details>\n<summary>Undo of step %d</summary>\n\n",
		           s->index);
		block_body(p, s->undo, false);
		buf_puts(out, "</details>\n\n");
		break;
	case UNDO_NONE:
		buf_puts(out, "**Undo**: none needed: ");
		md_str(out, s->undo_reason);
		buf_puts(out, "\n\n");
		break;
	case UNDO_IRREVERSIBLE:
		buf_puts(out, "**Irreversible**: ");
		md_str(out, s->undo_reason);
		buf_puts(out, ". This step is the point of no return: once it has "
		              "started, the release cannot be rolled back past it.\n\n");
		break;
	case UNDO_MISSING:
		break;
	}
}

static void section_steps(struct plan *p)
{
	buf_puts(p->out, "## Deployment Steps\n\n");
	mermaid_gantt(p);
	if (!p->r->steps) {
		buf_puts(p->out, "This release has no steps.\n\n");
		return;
	}
	struct deploy_walk w;
	deploy_walk_start(&w, p->r);
	for (const struct block *b; (b = deploy_walk_next(&w));) {
		if (b->kind == BLOCK_BACKUP) {
			if (b->after_steps == 0)
				continue; /* under Backup Procedure */
			buf_puts(p->out, "### Backup: ");
			md_str(p->out, b->name);
			buf_printf(p->out, "\n\nRuns after step %d", b->after_steps);
			if (b->after_steps < p->r->nsteps)
				buf_printf(p->out, " and before step %d", b->after_steps + 1);
			if (b->after_steps == 1)
				buf_puts(p->out, "; `rollback.sh` undoes step 1 if the release "
				                 "goes back from here.\n\n");
			else
				buf_printf(p->out, "; `rollback.sh` undoes steps %d to 1 if the "
				           "release goes back from here.\n\n", b->after_steps);
			backup_body(p, b);
			continue;
		}
		buf_printf(p->out, "### %d. ", b->index);
		md_str(p->out, b->name);
		buf_puts(p->out, "\n\n");
		if (b->past_no_return) {
			const struct block *j = rollback_no_return_before(&p->ix, b->index);
			buf_puts(p->out, "> **Past the point of no return**");
			if (j)
				buf_printf(p->out, ": step %d is irreversible, so a failure "
				           "here cannot take the release back to the previous "
				           "version", j->index);
			buf_puts(p->out, ".\n\n");
		}
		block_body(p, b, true);
		step_undo(p, b);
	}
}

static void section_verifies(struct plan *p)
{
	buf_puts(p->out, "## Post-Deployment Verification\n\n");
	if (!p->r->verifies) {
		buf_puts(p->out, "This release has no verification blocks.\n\n");
		return;
	}
	for (const struct block *b = p->r->verifies; b; b = b->next) {
		buf_puts(p->out, "### ");
		md_str(p->out, b->name);
		buf_puts(p->out, "\n\n");
		block_body(p, b, true);
	}
}

/* Does this block use the capture `sym`? */
static bool block_uses(const struct block *b, const struct symbol *sym)
{
	for (const struct command *cmd = b->cmds; cmd; cmd = cmd->next)
		for (size_t i = 0; i < cmd->nrefs; i++)
			if (cmd->refs[i].sym == sym)
				return true;
	return false;
}

/* Before the first rollback item that reads a checksummed capture, say how
 * to check the file is the one the backup recorded. */
static void checksum_notes(struct plan *p, const struct block *b, bool *done,
                           size_t ndone)
{
	size_t i = 0;

	for (const struct block *bk = p->r->backups; bk; bk = bk->next) {
		for (const struct checksum *ck = bk->checksums; ck; ck = ck->next, i++) {
			if (i >= ndone || done[i] || !ck->sym || !block_uses(b, ck->sym))
				continue;
			done[i] = true;
			buf_printf(p->out, "Before this, check that `sha256sum \"$%s\"` "
			           "prints the checksum recorded by the backup; stop and "
			           "escalate if it differs.\n\n", ck->name);
		}
	}
}

/* One step's place in the Rollback Procedure: a numbered item for an undo
 * block, a sentence for `undo none`, the point of no return for an
 * irreversible step. */
static void rollback_step(struct plan *p, const struct block *s, size_t *item,
                          bool *done, size_t ndone)
{
	struct buf *out = p->out;

	switch (s->undo_kind) {
	case UNDO_NONE:
		buf_printf(out, "Step %d (", s->index);
		md_str(out, s->name);
		buf_puts(out, ") needs no undo: ");
		md_str(out, s->undo_reason);
		buf_puts(out, ".\n\n");
		break;
	case UNDO_IRREVERSIBLE:
		buf_printf(out, "> **Point of no return**: step %d (", s->index);
		md_str(out, s->name);
		buf_printf(out, ") is irreversible. After a failure at step %d or "
		           "later, stop here and escalate; the items below apply "
		           "only to failures before step %d.\n\n", s->index, s->index);
		break;
	case UNDO_BLOCK:
		if (!s->undo)
			break;
		buf_printf(out, "### %zu. Undo step %d: ", ++*item, s->index);
		md_str(out, s->name);
		buf_puts(out, "\n\n");
		checksum_notes(p, s->undo, done, ndone);
		block_body(p, s->undo, false);
		break;
	case UNDO_MISSING:
		break;
	}
}

static void section_rollback(struct plan *p)
{
	const struct release *r = p->r;
	struct buf *out = p->out;
	size_t nck = 0, item = 0;

	buf_puts(out, "## Rollback Procedure\n\n");
	buf_puts(out, "`sh rollback.sh` runs this procedure from the journal. By "
	              "hand: start at the undo of the step that failed (its own "
	              "undo first, as it may have applied part-way), skip the undos "
	              "of steps that never started, and go on in this order; the "
	              "after-rollback items always run. If any command fails, stop "
	              "and escalate.\n\n");
	mermaid_flowchart(p);
	for (const struct block *bk = r->backups; bk; bk = bk->next)
		for (const struct checksum *ck = bk->checksums; ck; ck = ck->next)
			nck++;
	bool *done = xcalloc(nck ? nck : 1, sizeof *done);

	for (int i = p->ix.nsteps; i >= 1; i--)
		rollback_step(p, p->ix.step[i - 1], &item, done, nck);
	for (const struct block *b = r->after_rollbacks; b; b = b->next) {
		buf_printf(out, "### %zu. After rollback: ", ++item);
		md_str(out, b->name);
		buf_puts(out, "\n\n");
		checksum_notes(p, b, done, nck);
		block_body(p, b, false);
	}
	if (item == 0)
		buf_puts(out, "Nothing to run: no step has an undo block and there "
		              "is no after-rollback block.\n\n");
	free(done);
}

static void escalate_item(struct plan *p, const struct block *b, const char *why)
{
	int64_t limit = block_timeout_ms(b);

	buf_puts(p->out, "- ");
	block_ref(p->out, b);
	buf_puts(p->out, " fails");
	if (limit > 0) {
		buf_puts(p->out, " or runs past its limit of ");
		dur_words(p->out, limit);
	}
	buf_printf(p->out, " (%s)\n", why);
}

static void escalate_kind(struct plan *p, const struct block *list)
{
	for (const struct block *b = list; b; b = b->next)
		if (block_policy(b) == POLICY_ESCALATE)
			escalate_item(p, b, b->policy == POLICY_ESCALATE
			                    ? "`on-failure escalate`"
			                    : "escalate is the default for this kind of block");
}

static void section_escalation(struct plan *p)
{
	const struct release *r = p->r;
	struct buf *out = p->out;

	buf_puts(out, "## Escalation\n\n");
	buf_puts(out, "Stop and hand over to the on-call engineer, without going "
	              "on and without improvising a rollback, when any of these "
	              "happens (`deploy.sh` and `rollback.sh` then print an ESCALATE "
	              "banner with the reason and exit with status 4):\n\n");
	escalate_kind(p, r->checks);
	escalate_kind(p, r->backups);
	escalate_kind(p, r->steps);
	escalate_kind(p, r->verifies);
	for (const struct block *s = r->steps; s; s = s->next)
		if (s->undo_kind == UNDO_BLOCK && s->undo)
			escalate_item(p, s->undo, "a failing rollback command stops the rollback");
	for (const struct block *b = r->after_rollbacks; b; b = b->next)
		escalate_item(p, b, "a failing rollback command stops the rollback");
	for (const struct block *bk = r->backups; bk; bk = bk->next)
		for (const struct checksum *ck = bk->checksums; ck; ck = ck->next)
			buf_printf(out, "- the SHA-256 of `$%s` differs from the one the "
			           "backup recorded (checked before any rollback command "
			           "uses it)\n", ck->name);
	for (const struct block *s = r->steps; s; s = s->next)
		if (s->undo_kind == UNDO_IRREVERSIBLE)
			buf_printf(out, "- a failure at step %d or later: step %d is "
			           "irreversible, so the rollback cannot go past it\n",
			           s->index, s->index);
	buf_putc(out, '\n');
}

/* The total time of a deploy run: the sum of the upper estimates of the
 * blocks it runs; *missing counts the blocks without one. */
static int64_t estimated_total(const struct release *r, int *missing)
{
	const struct block *lists[] = { r->checks, r->backups, r->steps, r->verifies };
	int64_t sum = 0;

	*missing = 0;
	for (size_t i = 0; i < sizeof lists / sizeof lists[0]; i++)
		for (const struct block *b = lists[i]; b; b = b->next) {
			if (b->estimate.set)
				sum += b->estimate.max_ms;
			else
				++*missing;
		}
	return sum;
}

/* One area's changes, or a line saying there are none. */
static void change_list(struct plan *p, enum change_area area)
{
	if (emit_change_items(p->out, p->r, area, true) == 0)
		buf_puts(p->out, "- None.\n");
	buf_putc(p->out, '\n');
}

/* Version, date, deployment time and downtime. */
static void notes_facts(struct plan *p)
{
	const struct release *r = p->r;
	struct buf *out = p->out;
	struct buf t;

	buf_init(&t);
	buf_printf(out, "- **Version**: %s\n", meta_str(r, META_RELEASE, &t));
	buf_free(&t);
	buf_printf(out, "- **Release Date**: %04d-%02d-%02d\n", r->year, r->month,
	           r->day);
	buf_puts(out, "- **Deployment Time**: ");
	if (r->deploy_time_ms >= 0) {
		buf_putc(out, '~');
		dur_words(out, r->deploy_time_ms);
	} else {
		int missing, blocks = r->nchecks + r->nbackups + r->nsteps + r->nverifies;
		int64_t sum = estimated_total(r, &missing);
		if (missing == blocks) {
			buf_puts(out, "not estimated (no block has an estimate)");
		} else {
			buf_putc(out, '~');
			dur_words(out, sum);
			buf_puts(out, " (the sum of the upper estimates");
			if (missing)
				buf_printf(out, "; %d block%s without an estimate not counted",
				           missing, missing == 1 ? "" : "s");
			buf_putc(out, ')');
		}
	}
	buf_puts(out, "\n- **Downtime**: ");
	if (r->downtime_ms >= 0)
		dur_words(out, r->downtime_ms);
	else
		buf_puts(out, "not stated");
	buf_puts(out, "\n\n");
}

/* The proof of one rollback path: where, when, how long. */
static void path_proof(struct plan *p, const struct jpath *jp)
{
	struct buf *out = p->out;
	buf_puts(out, "on host ");
	md_code_str(out, jp->host);
	buf_puts(out, " at ");
	md_code_str(out, jp->when);
	buf_printf(out, " (%s, ", jp->mode);
	md_code_str(out, jp->file);
	buf_printf(out, " line %d); the rollback took ", jp->line);
	tenths(out, jp->rollback_ms);
	buf_puts(out, " seconds");
}

/* The three boxes, ticked only on evidence from journals of this very spec
 * (journal.c): each rehearsed path with its proof, the paths never
 * rehearsed by name. */
static void rollback_tested(struct plan *p)
{
	const struct release *r = p->r;
	struct buf *out = p->out;
	int rehearsed = 0;
	const struct jpath *backup = NULL, *after = NULL;
	int backup_k = 0;
	const struct block *backup_step = NULL;

	for (const struct block *s = r->steps; s; s = s->next) {
		int n;
		const struct jpath *jp = journal_path(p->c, s->index, &n);
		if (!jp)
			continue;
		rehearsed++;
		for (int i = 0; i < n && !backup; i++)
			if (jp[-i].read_backup) {
				backup = &jp[-i];
				backup_k = s->index;
				backup_step = s;
			}
		for (int i = 0; i < n && !after; i++)
			if (jp[-i].after_done)
				after = &jp[-i];
	}
	buf_printf(out, "- [%c] Rollback rehearsed: ", r->nsteps > 0 && rehearsed == r->nsteps ? 'x' : ' ');
	if (rehearsed == 0)
		buf_puts(out, "no rollback path ran to the end in a journal of this spec; "
		              "`sh deploy.sh --rehearse` on staging tries each\n");
	else
		buf_printf(out, "%d of %d rollback path%s ran to the end in journals of this spec\n",
		           rehearsed, r->nsteps, r->nsteps == 1 ? "" : "s");
	bool missing = false;
	for (const struct block *s = r->steps; s; s = s->next) {
		int n;
		const struct jpath *jp = journal_path(p->c, s->index, &n);
		if (!jp) {
			missing = true;
			continue;
		}
		buf_puts(out, "  - from ");
		block_ref(out, s);
		buf_puts(out, ": rolled back cleanly ");
		path_proof(p, jp);
		if (n > 1)
			buf_printf(out, " (newest of %d runs)", n);
		buf_putc(out, '\n');
	}
	if (missing) {
		buf_puts(out, "  - never rehearsed: the path from ");
		bool first = true;
		for (const struct block *s = r->steps; s; s = s->next) {
			int n;
			if (journal_path(p->c, s->index, &n))
				continue;
			if (!first)
				buf_puts(out, ", ");
			first = false;
			block_ref(out, s);
		}
		buf_putc(out, '\n');
	}
	buf_printf(out, "- [%c] Database restore from the backup checked", backup ? 'x' : ' ');
	if (backup) {
		const struct block *s = r->steps;
		const struct block *reader = NULL;
		for (; s && s->index <= backup_k; s = s->next)
			if (s->undo_kind == UNDO_BLOCK && journal_reads_backup(s->undo))
				reader = s->undo;
		buf_puts(out, ": ");
		if (reader)
			block_ref(out, reader);
		else
			buf_puts(out, "an undo");
		buf_puts(out, ", which reads the backup, completed in the rollback from ");
		block_ref(out, backup_step);
		buf_putc(out, ' ');
		path_proof(p, backup);
	} else {
		buf_puts(out, ": no undo that reads the backup completed in a journal of this spec");
	}
	buf_printf(out, "\n- [%c] Previous version started and healthy after the rollback", after ? 'x' : ' ');
	if (after && r->nafter_rollbacks > 0) {
		buf_printf(out, ": the after-rollback block%s completed ", r->nafter_rollbacks == 1 ? "" : "s");
		path_proof(p, after);
	} else if (after) {
		buf_puts(out, ": a rollback path ran to the end (no after-rollback block checks the service) ");
		path_proof(p, after);
	} else {
		buf_puts(out, ": no after-rollback completed in a journal of this spec");
	}
	buf_putc(out, '\n');
}

static void section_notes(struct plan *p)
{
	const struct release *r = p->r;
	struct buf *out = p->out;

	buf_puts(out, "## Release Notes\n\n");
	notes_facts(p);
	buf_puts(out, "### Changes in This Release\n\n");
	buf_puts(out, "#### API Changes\n\n");
	change_list(p, AREA_API);
	buf_puts(out, "#### Backend Changes\n\n");
	change_list(p, AREA_BACKEND);
	buf_puts(out, "#### Migration Details\n\n");
	change_list(p, AREA_MIGRATION);

	buf_puts(out, "### Known Issues\n\n");
	if (!r->known_issues)
		buf_puts(out, "- None known.\n");
	for (const struct known_issue *ki = r->known_issues; ki; ki = ki->next) {
		buf_puts(out, "- ");
		md_value(out, ki->text, true);
		buf_putc(out, '\n');
	}
	buf_puts(out, "\n### Rollback Tested\n\n");
	if (p->c->journals) {
		rollback_tested(p);
		return;
	}
	buf_puts(out, "- [ ] Rollback rehearsed: `sh rollback.sh --dry-run`, or "
	              "`sh deploy.sh --fail-after STEP` on staging\n"
	              "- [ ] Database restore from the backup checked\n"
	              "- [ ] Previous version started and healthy after the rollback\n");
}

void emit_plan_md(struct buf *out, const struct compile *c)
{
	struct plan p = { out, c->rel, { 0 }, c };

	buf_puts(out, "<!--\n");
	emit_provenance(out, c, "");
	buf_puts(out, "-->\n");
	if (!c->rel)
		return;
	rollback_index_init(&p.ix, c->rel);
	section_title(&p);
	section_checks(&p);
	section_backups(&p);
	section_steps(&p);
	section_verifies(&p);
	section_rollback(&p);
	section_escalation(&p);
	emit_fleet_plan(out, c);
	section_notes(&p);
	rollback_index_free(&p.ix);
}
