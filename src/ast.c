/* ast.c - node constructors and small helpers over the model. */
#include "ast.h"

#include <ctype.h>
#include <string.h>

struct value *ast_value(struct arena *a, struct loc loc, const char *raw,
                        size_t len, bool quoted)
{
	struct value *v = arena_alloc(a, sizeof *v);
	v->loc = loc;
	v->quoted = quoted;
	v->raw = arena_strndup(a, raw, len);
	v->segs = arena_alloc(a, sizeof *v->segs);
	v->segs[0].kind = SEG_TEXT;
	v->segs[0].text = v->raw;
	v->segs[0].len = (uint32_t)len;
	v->segs[0].loc = loc;
	v->nsegs = 1;
	v->expanded = v->raw;
	return v;
}

struct command *ast_command_in(struct arena *a, struct loc kw_loc, struct loc loc,
                               const char *text, size_t len)
{
	struct command *c = arena_alloc(a, sizeof *c);
	c->loc = loc;
	c->kw_line = (uint32_t)kw_loc.line;
	c->kw_col = (uint32_t)kw_loc.col;
	c->kind = CMD_RUN;
	c->text = text;
	c->len = (uint32_t)len;
	return c;
}

struct command *ast_command(struct arena *a, struct loc kw_loc, struct loc loc,
                            const char *text, size_t len)
{
	return ast_command_in(a, kw_loc, loc, arena_strndup(a, text, len), len);
}

struct loc ref_loc(const struct command *c, const struct ref *r)
{
	struct loc l = c->loc;
	loc_advance(&l, c->text, r->off < c->len ? r->off : c->len);
	return l;
}

struct loc command_kw_loc(const struct command *c)
{
	return (struct loc){c->loc.file, (int)c->kw_line, (int)c->kw_col};
}

struct block *ast_block(struct arena *a, struct loc loc, enum block_kind kind,
                        struct value *name)
{
	struct block *b = arena_alloc(a, sizeof *b);
	b->loc = loc;
	b->kind = kind;
	b->name_value = name;
	b->name = name ? (name->expanded ? name->expanded : name->raw) : NULL;
	if (b->name)
		b->name_hash = hash_bytes(b->name, strlen(b->name));
	b->policy = POLICY_DEFAULT;
	b->undo_kind = UNDO_MISSING;
	return b;
}

const char *block_kind_name(enum block_kind k)
{
	switch (k) {
	case BLOCK_CHECK: return "check";
	case BLOCK_BACKUP: return "backup";
	case BLOCK_STEP: return "step";
	case BLOCK_VERIFY: return "verify";
	case BLOCK_AFTER_ROLLBACK: return "after-rollback";
	case BLOCK_UNDO: return "undo";
	}
	return "?";
}

const char *change_area_name(enum change_area a)
{
	switch (a) {
	case AREA_API: return "api";
	case AREA_BACKEND: return "backend";
	case AREA_MIGRATION: return "migration";
	}
	return "?";
}

const char *change_kind_name(enum change_kind k)
{
	switch (k) {
	case CHANGE_ADDED: return "added";
	case CHANGE_CHANGED: return "changed";
	case CHANGE_FIXED: return "fixed";
	case CHANGE_REMOVED: return "removed";
	case CHANGE_BREAKING: return "breaking";
	case CHANGE_PERFORMANCE: return "performance";
	case CHANGE_DATABASE: return "database";
	case CHANGE_SCHEMA: return "schema";
	case CHANGE_DATA: return "data";
	case CHANGE_INDEX: return "index";
	}
	return "?";
}

const char *meta_key_name(enum meta_key k)
{
	static const char *const names[META__COUNT] = {
		"release", "project", "date", "previous", "target", "branch",
		"downtime", "deploy-time", "state-dir", "repository",
	};
	return (int)k >= 0 && k < META__COUNT ? names[k] : "metadata";
}

const char *cmp_op_name(enum cmp_op op)
{
	switch (op) {
	case CMP_EQ: return "==";
	case CMP_NE: return "!=";
	case CMP_LT: return "<";
	case CMP_LE: return "<=";
	case CMP_GT: return ">";
	case CMP_GE: return ">=";
	}
	return "?";
}

const char *policy_name(enum policy p)
{
	switch (p) {
	case POLICY_DEFAULT: return "default";
	case POLICY_ABORT: return "abort";
	case POLICY_ROLLBACK: return "rollback";
	case POLICY_ESCALATE: return "escalate";
	}
	return "?";
}

enum policy block_policy(const struct block *b)
{
	if (b->policy != POLICY_DEFAULT)
		return b->policy;
	switch (b->kind) {
	case BLOCK_CHECK: return POLICY_ABORT;
	case BLOCK_BACKUP: return POLICY_ESCALATE;
	case BLOCK_STEP: return POLICY_ROLLBACK;
	case BLOCK_VERIFY: return POLICY_ROLLBACK;
	case BLOCK_AFTER_ROLLBACK: return POLICY_ESCALATE;
	case BLOCK_UNDO: return POLICY_ESCALATE;
	}
	return POLICY_ESCALATE;
}

int64_t block_timeout_ms(const struct block *b)
{
	if (b->timeout && b->timeout->set)
		return b->timeout->max_ms;
	if (b->estimate.set)
		return 2 * b->estimate.max_ms;
	return 0;
}

struct symbol *release_symbol(const struct release *r, const char *name)
{
	return release_symbol_n(r, name, strlen(name));
}

struct symbol *release_symbol_n(const struct release *r, const char *name, size_t len)
{
	if (r->symbol_index.cap)
		return name_map_getn(&r->symbol_index, name, len);
	for (struct symbol *s = r->symbols; s; s = s->next)
		if (strlen(s->name) == len && memcmp(s->name, name, len) == 0)
			return s;
	return NULL;
}

void format_duration(struct buf *out, int64_t ms)
{
	if (ms == 0) {
		buf_puts(out, "0s");
		return;
	}
	int64_t h = ms / 3600000, m = ms / 60000 % 60, s = ms / 1000 % 60,
	        rest = ms % 1000;
	if (h)
		buf_printf(out, "%lldh", (long long)h);
	if (m)
		buf_printf(out, "%lldm", (long long)m);
	if (s)
		buf_printf(out, "%llds", (long long)s);
	if (rest)
		buf_printf(out, "%lldms", (long long)rest);
}

/* Parse "250ms", "30s", "5m", "2h", "1m30s". Returns false if malformed. */
bool parse_duration(const char *s, size_t len, int64_t *ms)
{
	static const struct { const char *unit; int64_t ms; } units[] = {
		{"h", 3600000}, {"m", 60000}, {"s", 1000}, {"ms", 1},
	};
	size_t i = 0;
	int last_unit = -1;
	int64_t total = 0;
	if (len == 0)
		return false;
	while (i < len) {
		if (!isdigit((unsigned char)s[i]))
			return false;
		int64_t v = 0;
		while (i < len && isdigit((unsigned char)s[i])) {
			v = v * 10 + (s[i] - '0');
			if (v > 100000000)
				return false;
			i++;
		}
		int u = -1;
		if (i + 1 < len && s[i] == 'm' && s[i + 1] == 's') {
			u = 3;
			i += 2;
		} else if (i < len && (s[i] == 'h' || s[i] == 'm' || s[i] == 's')) {
			u = s[i] == 'h' ? 0 : s[i] == 'm' ? 1 : 2;
			i++;
		} else {
			return false;
		}
		if (u <= last_unit)
			return false; /* units in decreasing order, each once */
		last_unit = u;
		total += v * units[u].ms;
	}
	*ms = total;
	return true;
}

void deploy_walk_start(struct deploy_walk *w, const struct release *r)
{
	w->backup = r->backups;
	w->step = r->steps;
}

const struct block *deploy_walk_next(struct deploy_walk *w)
{
	const struct block *b;
	/* a backup written after k steps runs before step k+1 */
	if (w->backup && (!w->step || w->backup->after_steps < w->step->index)) {
		b = w->backup;
		w->backup = b->next;
	} else if (w->step) {
		b = w->step;
		w->step = b->next;
	} else {
		b = NULL;
	}
	return b;
}

bool release_backup_before(const struct release *r, int k)
{
	return r->backups && r->backups->after_steps < k;
}
