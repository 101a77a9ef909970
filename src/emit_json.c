/* emit_json.c - the checked release as one JSON document, for tools and
 * tests. The shape is versioned ("format": 2) and documented in
 * docs/artefacts.md; output is pretty-printed with two-space indentation,
 * keys in a fixed order, so it is byte-for-byte deterministic. */
#include "emit.h"
#include "emit_common.h"
#include "journal.h"

#include <stdlib.h>
#include <string.h>

/* ---- a small streaming writer ---- */

struct jw {
	struct buf *out;
	int depth;
	bool first;     /* no member written yet at this depth */
	bool after_key; /* the next value follows "key": on the same line */
	/* Source paths are shown relative to the repository: a path under the
	 * root spec's folder as given on the command line (given_dir) is
	 * rewritten under that folder relative to the repository (repo_dir),
	 * when map_paths says the two differ. */
	const char *given_dir, *repo_dir;
	size_t given_len, repo_len;
	bool map_paths;
	const struct rollback_index *ix; /* the rollback path of every step */
	const struct compile *c;         /* its journals (--journal) */
};

static void jw_indent(struct jw *w)
{
	buf_putc(w->out, '\n');
	for (int i = 0; i < w->depth; i++)
		buf_puts(w->out, "  ");
}

/* Start a value: a comma and a new line, unless it follows its key. */
static void jw_pre(struct jw *w)
{
	if (w->after_key) {
		w->after_key = false;
		return;
	}
	if (w->depth == 0)
		return;
	if (!w->first)
		buf_putc(w->out, ',');
	w->first = false;
	jw_indent(w);
}

/* A JSON string holding exactly the bytes of s: `"` and `\` escaped,
 * control characters (and DEL) as \u00XX, valid UTF-8 copied as is, and any
 * invalid byte (never expected: input is checked) as U+FFFD so the document
 * stays valid. */
static void json_string(struct buf *out, const char *s, size_t len)
{
	buf_putc(out, '"');
	while (len > 0) {
		size_t ok = utf8_valid_prefix(s, len);
		for (size_t i = 0; i < ok; i++) {
			unsigned char ch = (unsigned char)s[i];
			if (ch == '"' || ch == '\\')
				buf_printf(out, "\\%c", ch);
			else if (ch < 0x20 || ch == 0x7f)
				buf_printf(out, "\\u%04x", ch);
			else
				buf_putc(out, (char)ch);
		}
		s += ok;
		len -= ok;
		if (len > 0) {
			buf_puts(out, *s == '\0' ? "\\u0000" : "\\ufffd");
			s++;
			len--;
		}
	}
	buf_putc(out, '"');
}

/* Start a member: its key (inside an object) or nothing (in an array). */
static void jw_start(struct jw *w, const char *key)
{
	jw_pre(w);
	if (key) {
		json_string(w->out, key, strlen(key));
		buf_puts(w->out, ": ");
	}
}

/* A key whose value a separate call writes (an object built elsewhere). */
static void jw_key(struct jw *w, const char *key)
{
	jw_start(w, key);
	w->after_key = true;
}

static void jw_open(struct jw *w, const char *key, char brace)
{
	jw_start(w, key);
	buf_putc(w->out, brace);
	w->depth++;
	w->first = true;
}

static void jw_close(struct jw *w, char brace)
{
	w->depth--;
	if (!w->first)
		jw_indent(w);
	buf_putc(w->out, brace);
	w->first = false;
}

static void jw_obj(struct jw *w, const char *key) { jw_open(w, key, '{'); }
static void jw_end_obj(struct jw *w) { jw_close(w, '}'); }
static void jw_arr(struct jw *w, const char *key) { jw_open(w, key, '['); }
static void jw_end_arr(struct jw *w) { jw_close(w, ']'); }

static void jw_strn(struct jw *w, const char *key, const char *s, size_t len)
{
	jw_start(w, key);
	json_string(w->out, s, len);
}

/* A string member, or null when s is NULL. */
static void jw_str(struct jw *w, const char *key, const char *s)
{
	jw_start(w, key);
	if (s)
		json_string(w->out, s, strlen(s));
	else
		buf_puts(w->out, "null");
}

static void jw_int(struct jw *w, const char *key, int64_t n)
{
	jw_start(w, key);
	buf_printf(w->out, "%lld", (long long)n);
}

static void jw_bool(struct jw *w, const char *key, bool b)
{
	jw_start(w, key);
	buf_puts(w->out, b ? "true" : "false");
}

static void jw_null(struct jw *w, const char *key)
{
	jw_start(w, key);
	buf_puts(w->out, "null");
}

/* ---- model pieces ---- */

static size_t dir_len(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? (size_t)(slash - path) + 1 : 0;
}

/* Learn how the root spec was named on the command line versus relative to
 * the repository, so no path of the compiling machine reaches the output.
 * Only when both name the same file (same base name) is the folder mapped. */
static void jw_paths(struct jw *w, const struct compile *c)
{
	const char *given = c->rel->root_path, *repo = c->spec_relpath;

	w->given_dir = w->repo_dir = "";
	w->given_len = w->repo_len = 0;
	w->map_paths = false;
	if (!given || !repo)
		return;
	size_t gl = dir_len(given), rl = dir_len(repo);
	if (strcmp(given + gl, repo + rl) != 0)
		return;
	w->given_dir = given;
	w->given_len = gl;
	w->repo_dir = repo;
	w->repo_len = rl;
	w->map_paths = gl != rl || strncmp(given, repo, gl) != 0;
}

/* A source path as the JSON shows it. */
static void j_path(struct jw *w, const char *key, const char *path)
{
	struct buf t;

	bool under = w->given_len > 0 ? strncmp(path ? path : "", w->given_dir,
	                                        w->given_len) == 0
	                              : path && path[0] != '/';
	if (!path || !w->map_paths || !under) {
		jw_str(w, key, path);
		return;
	}
	buf_init(&t);
	buf_add(&t, w->repo_dir, w->repo_len);
	buf_puts(&t, path + w->given_len);
	jw_strn(w, key, t.data, t.len);
	buf_free(&t);
}

static void j_loc(struct jw *w, const char *key, const struct loc *l)
{
	if (!l->file || l->line == 0) {
		jw_null(w, key);
		return;
	}
	jw_obj(w, key);
	j_path(w, "file", l->file);
	jw_int(w, "line", l->line);
	jw_int(w, "column", l->col);
	jw_end_obj(w);
}

/* A value's text: decoded, lets and built-ins substituted; a reference to
 * an env or capture value (known only at run time) stays as ${name}. */
static void j_value(struct jw *w, const char *key, const struct value *v)
{
	struct buf t;

	if (!v) {
		jw_null(w, key);
		return;
	}
	buf_init(&t);
	emit_value_text(&t, v);
	jw_strn(w, key, t.data ? t.data : "", t.len);
	buf_free(&t);
}

static const char *sym_kind_name(enum sym_kind k)
{
	switch (k) {
	case SYM_LET: return "let";
	case SYM_ENV: return "env";
	case SYM_CAPTURE: return "capture";
	case SYM_BUILTIN: return "builtin";
	}
	return "?";
}

static const char *ref_ctx_name(enum ref_ctx c)
{
	switch (c) {
	case REF_UNQUOTED: return "unquoted";
	case REF_DQUOTED: return "double-quoted";
	case REF_HEREDOC: return "here-document";
	}
	return "?";
}

static const char *expect_kind_name(enum expect_kind k)
{
	switch (k) {
	case EXPECT_EXIT: return "exit";
	case EXPECT_EQUALS: return "equals";
	case EXPECT_CONTAINS: return "contains";
	case EXPECT_MATCHES: return "matches";
	case EXPECT_EMPTY: return "empty";
	case EXPECT_NOT_EMPTY: return "not-empty";
	case EXPECT_COMPARE: return "compare";
	case EXPECT_NOT_CONTAINS: return "not-contains";
	case EXPECT_NOT_MATCHES: return "not-matches";
	}
	return "?";
}

static void j_expect(struct jw *w, const struct expect *e)
{
	jw_obj(w, NULL);
	jw_str(w, "kind", expect_kind_name(e->kind));
	if (e->kind == EXPECT_EXIT) {
		jw_int(w, "status", e->number);
	} else {
		jw_str(w, "stream", e->stream == STREAM_STDERR ? "stderr" : "stdout");
		if (e->kind == EXPECT_COMPARE) {
			jw_str(w, "op", cmp_op_name(e->op));
			jw_int(w, "value", e->number);
		} else if (e->text) {
			j_value(w, "text", e->text);
		}
	}
	j_loc(w, "location", &e->loc);
	jw_end_obj(w);
}

static void j_command(struct jw *w, const struct command *cmd)
{
	jw_obj(w, NULL);
	jw_int(w, "index", cmd->index);
	jw_str(w, "kind", cmd->kind == CMD_CAPTURE ? "capture" : "run");
	jw_str(w, "capture", cmd->kind == CMD_CAPTURE ? cmd->capture->name : NULL);
	jw_strn(w, "text", cmd->text, cmd->len);
	j_loc(w, "location", &cmd->loc);
	jw_arr(w, "refs");
	for (size_t i = 0; i < cmd->nrefs; i++) {
		const struct ref *rf = &cmd->refs[i];
		jw_obj(w, NULL);
		jw_str(w, "name", rf->name);
		jw_int(w, "offset", (int64_t)rf->off);
		jw_int(w, "length", (int64_t)rf->len);
		jw_str(w, "context", ref_ctx_name(rf->ctx));
		jw_str(w, "symbol", rf->sym ? sym_kind_name(rf->sym->kind) : NULL);
		jw_end_obj(w);
	}
	jw_end_arr(w);
	jw_arr(w, "expects");
	for (const struct expect *e = cmd->expects; e; e = e->next)
		j_expect(w, e);
	jw_end_arr(w);
	jw_end_obj(w);
}

static void j_duration(struct jw *w, const char *key, const struct duration *d)
{
	if (!d->set) {
		jw_null(w, key);
		return;
	}
	jw_obj(w, key);
	jw_int(w, "min_ms", d->min_ms);
	jw_int(w, "max_ms", d->max_ms);
	jw_end_obj(w);
}

static const char *undo_kind_name(enum undo_kind k)
{
	switch (k) {
	case UNDO_MISSING: return "missing";
	case UNDO_BLOCK: return "block";
	case UNDO_NONE: return "none";
	case UNDO_IRREVERSIBLE: return "irreversible";
	}
	return "?";
}

static void j_block(struct jw *w, const struct release *r, const struct block *b);

/* The rollback path of a failure at step k, in constant size: the range of
 * steps whose undos run (a consumer takes the steps in it whose undo is a
 * block, newest first), then the after-rollback blocks, or the irreversible
 * step the walk stopped at. Listing every undo made the document quadratic
 * in the number of steps. */
static void j_rollback_path(struct jw *w, const char *key, const struct release *r,
                            int k)
{
	struct rollback_path p = rollback_path_of(w->ix, k);

	jw_obj(w, key);
	jw_obj(w, "undo_range");
	if (p.count > 0) {
		jw_int(w, "from_step", p.from_step);
		jw_int(w, "to_step", p.to_step);
	} else {
		jw_null(w, "from_step");
		jw_null(w, "to_step");
	}
	jw_int(w, "count", p.count);
	jw_end_obj(w);
	jw_arr(w, "after_rollback");
	if (!p.blocked)
		for (const struct block *a = r->after_rollbacks; a; a = a->next)
			jw_str(w, NULL, a->name);
	jw_end_arr(w);
	if (p.blocked)
		jw_int(w, "stopped_at_irreversible_step", p.blocked->index);
	else
		jw_null(w, "stopped_at_irreversible_step");
	jw_end_obj(w);
}

static void j_step_parts(struct jw *w, const struct release *r, const struct block *b)
{
	jw_obj(w, "undo");
	jw_str(w, "kind", undo_kind_name(b->undo_kind));
	j_loc(w, "location", &b->undo_loc);
	if (b->undo_kind == UNDO_NONE || b->undo_kind == UNDO_IRREVERSIBLE)
		jw_str(w, "reason", b->undo_reason);
	if (b->undo_kind == UNDO_BLOCK && b->undo) {
		jw_key(w, "block");
		j_block(w, r, b->undo);
	}
	jw_end_obj(w);
	jw_bool(w, "past_no_return", b->past_no_return);
	j_rollback_path(w, "rollback_path", r, b->index);
}

static void j_block(struct jw *w, const struct release *r, const struct block *b)
{
	jw_obj(w, NULL);
	jw_str(w, "kind", block_kind_name(b->kind));
	if (b->kind != BLOCK_UNDO) {
		jw_int(w, "index", b->index);
		jw_str(w, "name", b->name);
	}
	j_loc(w, "location", &b->loc);
	jw_arr(w, "commands");
	for (const struct command *cmd = b->cmds; cmd; cmd = cmd->next)
		j_command(w, cmd);
	jw_end_arr(w);
	j_duration(w, "estimate", &b->estimate);
	if (block_timeout_ms(b) > 0) {
		jw_obj(w, "timeout");
		jw_int(w, "ms", block_timeout_ms(b));
		jw_bool(w, "given", b->timeout && b->timeout->set);
		jw_end_obj(w);
	} else {
		jw_null(w, "timeout");
	}
	jw_str(w, "policy", policy_name(block_policy(b)));
	jw_bool(w, "policy_given", b->policy != POLICY_DEFAULT);
	if (b->kind == BLOCK_BACKUP) {
		/* only when written after a step, so the output of specs with
		 * every backup first keeps its shape */
		if (b->after_steps > 0)
			jw_int(w, "after_step", b->after_steps);
		jw_arr(w, "checksums");
		for (const struct checksum *ck = b->checksums; ck; ck = ck->next)
			jw_str(w, NULL, ck->name);
		jw_end_arr(w);
	}
	if (b->kind == BLOCK_STEP)
		j_step_parts(w, r, b);
	/* only with --journal, so that the document keeps its shape without */
	const struct jstat *st = journal_stat(w->c, b);
	if (w->c->journals && st) {
		jw_obj(w, "measured");
		jw_int(w, "min_ms", st->min_ms);
		jw_int(w, "max_ms", st->max_ms);
		jw_int(w, "runs", st->runs);
		jw_end_obj(w);
	} else if (w->c->journals) {
		jw_null(w, "measured");
	}
	jw_end_obj(w);
}

/* What --journal found: per step, the newest run that rolled its path back
 * cleanly in a journal of this spec (evidence), or null. */
static void j_journals(struct jw *w, const struct release *r)
{
	const struct journal_facts *f = w->c->journals;
	if (!f)
		return;
	jw_obj(w, "journals");
	jw_int(w, "files", f->files);
	jw_int(w, "evidence_files", f->evidence_files);
	jw_arr(w, "rollback_paths");
	for (const struct block *s = r->steps; s; s = s->next) {
		int n;
		const struct jpath *jp = journal_path(w->c, s->index, &n);
		jw_obj(w, NULL);
		jw_int(w, "from_step", s->index);
		jw_int(w, "runs", n);
		if (jp) {
			jw_obj(w, "newest");
			jw_str(w, "journal", jp->file);
			jw_int(w, "line", jp->line);
			jw_str(w, "time", jp->when);
			jw_str(w, "host", jp->host);
			jw_str(w, "mode", jp->mode);
			jw_int(w, "rollback_ms", jp->rollback_ms);
			jw_bool(w, "backup_restored", jp->read_backup);
			jw_bool(w, "after_rollback_completed", jp->after_done);
			jw_end_obj(w);
		} else {
			jw_null(w, "newest");
		}
		jw_end_obj(w);
	}
	jw_end_arr(w);
	jw_end_obj(w);
}

static void j_blocks(struct jw *w, const char *key, const struct release *r,
                     const struct block *list)
{
	jw_arr(w, key);
	for (const struct block *b = list; b; b = b->next)
		j_block(w, r, b);
	jw_end_arr(w);
}

static void j_meta_str(struct jw *w, const char *key, const struct release *r,
                       enum meta_key k)
{
	if (r->meta[k].set && r->meta[k].value)
		j_value(w, key, r->meta[k].value);
	else
		jw_null(w, key);
}

static void j_pin(struct jw *w, const char *key, const char *ref, const char *id)
{
	jw_obj(w, key);
	jw_str(w, "ref", ref);
	jw_str(w, "commit", id && id[0] ? id : NULL);
	jw_end_obj(w);
}

static void j_ms_or_null(struct jw *w, const char *key, int64_t ms)
{
	if (ms >= 0)
		jw_int(w, key, ms);
	else
		jw_null(w, key);
}

static void j_metadata(struct jw *w, const struct compile *c)
{
	const struct release *r = c->rel;
	char date[16];

	jw_str(w, "relc_version", RELC_VERSION_STRING);
	jw_obj(w, "spec");
	jw_str(w, "path", c->spec_relpath ? c->spec_relpath : r->root_path);
	jw_str(w, "blob", c->spec_blob[0] ? c->spec_blob : NULL);
	jw_end_obj(w);
	j_meta_str(w, "project", r, META_PROJECT);
	j_meta_str(w, "release", r, META_RELEASE);
	jw_obj(w, "version");
	jw_int(w, "major", r->version.major);
	jw_int(w, "minor", r->version.minor);
	jw_int(w, "patch", r->version.patch);
	jw_str(w, "prerelease", r->version.prerelease);
	jw_str(w, "build", r->version.build);
	jw_end_obj(w);
	snprintf(date, sizeof date, "%04d-%02d-%02d", r->year % 10000,
	         r->month % 100, r->day % 100);
	jw_str(w, "date", date);
	jw_str(w, "repository", r->no_repository ? "none" : "git");
	j_pin(w, "previous", r->previous_ref, r->previous_id);
	j_pin(w, "target", r->target_ref ? r->target_ref : "HEAD", r->target_id);
	j_meta_str(w, "branch", r, META_BRANCH);
	j_ms_or_null(w, "downtime_ms", r->downtime_ms);
	j_ms_or_null(w, "deploy_time_ms", r->deploy_time_ms);
	jw_str(w, "state_dir", r->state_dir);
	jw_arr(w, "files");
	for (const struct source_file *f = r->files; f; f = f->next) {
		jw_obj(w, NULL);
		j_path(w, "path", f->path);
		j_loc(w, "included_at", &f->included_at);
		jw_end_obj(w);
	}
	jw_end_arr(w);
}

/* One symbol's object; its members depend on its kind. */
static void j_symbol(struct jw *w, const struct symbol *s)
{
	jw_obj(w, NULL);
	jw_str(w, "name", s->name);
	switch (s->kind) {
	case SYM_LET:
		j_value(w, "value", s->value);
		jw_bool(w, "overridable", s->overridable);
		break;
	case SYM_CAPTURE: {
		const struct block *b = s->capture->block;
		jw_str(w, "block_kind", block_kind_name(b->kind));
		if (b->kind == BLOCK_UNDO && b->parent)
			b = b->parent; /* name the step that owns the undo */
		jw_str(w, "block", b->name);
		jw_int(w, "command", s->capture->index);
		break;
	}
	case SYM_BUILTIN:
		jw_str(w, "value", s->builtin);
		break;
	case SYM_ENV:
		break;
	}
	if (s->kind != SYM_BUILTIN)
		j_loc(w, "location", &s->loc);
	jw_end_obj(w);
}

/* lets, env, captures and builtins, each in definition order. */
static void j_symbols(struct jw *w, const struct release *r)
{
	static const struct { enum sym_kind kind; const char *key; } groups[] = {
		{ SYM_LET, "lets" }, { SYM_ENV, "env" },
		{ SYM_CAPTURE, "captures" }, { SYM_BUILTIN, "builtins" },
	};

	for (size_t g = 0; g < sizeof groups / sizeof groups[0]; g++) {
		jw_arr(w, groups[g].key);
		for (const struct symbol *s = r->symbols; s; s = s->next)
			if (s->kind == groups[g].kind &&
			    (s->kind != SYM_CAPTURE || (s->capture && s->capture->block)))
				j_symbol(w, s);
		jw_end_arr(w);
	}
}

static void j_notes(struct jw *w, const struct release *r)
{
	jw_arr(w, "changes");
	for (const struct change *ch = r->changes; ch; ch = ch->next) {
		jw_obj(w, NULL);
		jw_str(w, "area", change_area_name(ch->area));
		jw_str(w, "kind", change_kind_name(ch->kind));
		j_value(w, "text", ch->text);
		jw_str(w, "commit", ch->commit);
		j_loc(w, "location", &ch->loc);
		jw_end_obj(w);
	}
	jw_end_arr(w);
	jw_bool(w, "changes_from_git", r->changes_from_git);
	jw_arr(w, "known_issues");
	for (const struct known_issue *ki = r->known_issues; ki; ki = ki->next) {
		jw_obj(w, NULL);
		j_value(w, "text", ki->text);
		j_loc(w, "location", &ki->loc);
		jw_end_obj(w);
	}
	jw_end_arr(w);
	/* only when declared: the JSON of a spec without declarations keeps its bytes */
	if (r->effect_decls) {
		static const char *const kinds[] = { "data", "code", "deps", "file" };
		jw_arr(w, "effect_declarations");
		for (const struct effect_decl *d = r->effect_decls; d; d = d->next) {
			jw_obj(w, NULL);
			jw_str(w, "kind", kinds[d->kind]);
			if (d->object)
				j_value(w, "object", d->object);
			jw_str(w, "form", d->form);
			j_loc(w, "location", &d->loc);
			jw_end_obj(w);
		}
		jw_end_arr(w);
	}
}

/* The fleet block, or null: the group, the batch sizes as written, the
 * pause and the per-host timeout. */
static void j_fleet(struct jw *w, const struct release *r)
{
	const struct fleet *f = r->fleet;
	if (!f) {
		jw_null(w, "fleet");
		return;
	}
	jw_obj(w, "fleet");
	jw_str(w, "hosts", f->group);
	jw_arr(w, "batches");
	for (int i = 0; i < f->nbatches; i++) {
		jw_obj(w, NULL);
		jw_int(w, f->batches[i].percent ? "percent" : "hosts", f->batches[i].n);
		jw_end_obj(w);
	}
	jw_end_arr(w);
	j_ms_or_null(w, "pause_ms", f->pause.set ? f->pause.max_ms : -1);
	j_ms_or_null(w, "timeout_ms", f->timeout.set ? f->timeout.max_ms : -1);
	j_loc(w, "location", &f->loc);
	jw_end_obj(w);
}

void emit_json(struct buf *out, const struct compile *c)
{
	struct rollback_index ix = { 0 };
	struct jw w = { out, 0, true, false, "", "", 0, 0, false, &ix, c };
	const struct release *r = c->rel;

	jw_obj(&w, NULL);
	/* 2: rollback paths give a range of steps, not every undo (docs/artefacts.md) */
	jw_int(&w, "format", 2);
	if (r) {
		rollback_index_init(&ix, r);
		jw_paths(&w, c);
		j_metadata(&w, c);
		j_symbols(&w, r);
		j_blocks(&w, "checks", r, r->checks);
		j_blocks(&w, "backups", r, r->backups);
		j_blocks(&w, "steps", r, r->steps);
		j_blocks(&w, "verifies", r, r->verifies);
		j_blocks(&w, "after_rollbacks", r, r->after_rollbacks);
		j_rollback_path(&w, "verify_rollback_path", r, r->nsteps);
		j_notes(&w, r);
		j_fleet(&w, r);
		j_journals(&w, r);
		rollback_index_free(&ix);
	}
	jw_end_obj(&w);
	buf_putc(out, '\n');
}
