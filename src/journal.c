/* journal.c - reads the journals deploy.sh and rollback.sh write (format in
 * docs/scripts.md) into evidence of rehearsed rollback paths and measured
 * block durations, with W118-W121, E022 and E023.
 *
 * Every byte is untrusted: lines are checked field by field, nothing is
 * kept but validated tokens, and one malformed line makes its journal
 * timing history only. */
#include "journal.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "diag.h"
#include "util.h"

/* A journal larger than this is not read (E022): a year of deploys is far
 * below it, and the whole file is held while it is read. */
#define JOURNAL_MAX ((size_t)256 << 20)
/* Past this many malformed lines in one journal, one W121 counts the rest. */
#define MALFORMED_SHOWN 10

enum { NKINDS = 6 };

struct jx {
	struct compile *c;
	const struct release *r;
	struct journal_facts *f;
	size_t base[NKINDS];        /* first slot of each kind */
	const struct block **slot_block;
	struct name_map names[NKINDS]; /* block name -> slot + 1 */
	char (*digest)[9];          /* per slot */
	struct jpath *paths;
	size_t npaths, cap;
};

/* ---- the blocks of the release, as slots ---- */

static int kind_count(const struct release *r, int k)
{
	switch (k) {
	case BLOCK_CHECK: return r->nchecks;
	case BLOCK_BACKUP: return r->nbackups;
	case BLOCK_STEP: return r->nsteps;
	case BLOCK_VERIFY: return r->nverifies;
	case BLOCK_AFTER_ROLLBACK: return r->nafter_rollbacks;
	default: return r->nsteps; /* undos: one slot per step */
	}
}

static struct block *kind_list(const struct release *r, int k)
{
	switch (k) {
	case BLOCK_CHECK: return r->checks;
	case BLOCK_BACKUP: return r->backups;
	case BLOCK_VERIFY: return r->verifies;
	case BLOCK_AFTER_ROLLBACK: return r->after_rollbacks;
	default: return r->steps;
	}
}

static size_t slot_of(const struct jx *x, const struct block *b)
{
	if (b->kind == BLOCK_UNDO)
		return x->base[BLOCK_UNDO] + (size_t)b->parent->index - 1;
	return x->base[b->kind] + (size_t)b->index - 1;
}

void journal_block_digest(const struct block *b, char out[9])
{
	const char *kind = block_kind_name(b->kind);
	uint32_t h = hash_bytes_seeded(0x6a6f75u, kind, strlen(kind));
	for (const struct command *cmd = b->cmds; cmd; cmd = cmd->next) {
		h = hash_bytes_seeded(h, cmd->kind == CMD_CAPTURE ? "capture" : "run", 3 + 4 * (cmd->kind == CMD_CAPTURE));
		h = hash_bytes_seeded(h, cmd->text, cmd->len);
	}
	snprintf(out, 9, "%08x", (unsigned)h);
}

static void slots_init(struct jx *x)
{
	size_t n = 0;
	for (int k = 0; k < NKINDS; k++) {
		x->base[k] = n;
		n += (size_t)kind_count(x->r, k);
	}
	x->f->nslots = n;
	x->f->stats = xcalloc(n ? n : 1, sizeof *x->f->stats);
	x->slot_block = xcalloc(n ? n : 1, sizeof *x->slot_block);
	x->digest = xcalloc(n ? n : 1, sizeof *x->digest);
	for (int k = 0; k < NKINDS; k++) {
		for (const struct block *b = kind_list(x->r, k); b; b = b->next) {
			const struct block *blk = b;
			if (k == BLOCK_UNDO) {
				if (b->undo_kind != UNDO_BLOCK || !b->undo)
					continue;
				blk = b->undo;
			}
			if (b->index < 1 || b->index > kind_count(x->r, k))
				continue;
			size_t s = x->base[k] + (size_t)b->index - 1;
			x->slot_block[s] = blk;
			journal_block_digest(blk, x->digest[s]);
			/* undo events carry their step's name */
			if (b->name)
				name_map_add(&x->names[k], b->name, (void *)(uintptr_t)(s + 1));
		}
	}
}

/* ---- one line ---- */

struct jline {
	const char *f[6];
	size_t n[6];
};

static bool span_is(const char *s, size_t n, const char *lit)
{
	return strlen(lit) == n && memcmp(s, lit, n) == 0;
}

/* 2026-11-26T10:04:11Z */
static bool valid_time(const char *s, size_t n)
{
	static const char pat[] = "dddd-dd-ddTdd:dd:ddZ";
	if (n != sizeof pat - 1)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (pat[i] == 'd' ? (s[i] < '0' || s[i] > '9') : s[i] != pat[i])
			return false;
	}
	return true;
}

static const char *const kinds_journal[NKINDS] = {
	[BLOCK_CHECK] = "check", [BLOCK_BACKUP] = "backup", [BLOCK_STEP] = "step",
	[BLOCK_VERIFY] = "verify", [BLOCK_AFTER_ROLLBACK] = "after-rollback",
	[BLOCK_UNDO] = "undo",
};

/* BLOCK: "-" (kind -1) or KIND:N. */
static bool parse_block(const char *s, size_t n, int *kind, long *idx)
{
	if (span_is(s, n, "-")) {
		*kind = -1;
		*idx = 0;
		return true;
	}
	const char *colon = memchr(s, ':', n);
	if (!colon)
		return false;
	size_t kl = (size_t)(colon - s), nl = n - kl - 1;
	if (!all_digits(colon + 1, nl) || nl > 7 || colon[1] == '0')
		return false;
	for (int k = 0; k < NKINDS; k++) {
		if (span_is(s, kl, kinds_journal[k])) {
			*kind = k;
			*idx = strtol(colon + 1, NULL, 10);
			return true;
		}
	}
	return false;
}

/* DURATION: "-" (-1) or "7.2s" / "12s"; at most 10^9 seconds. */
static bool jparse_duration(const char *s, size_t n, int64_t *ms)
{
	if (span_is(s, n, "-")) {
		*ms = -1;
		return true;
	}
	if (n < 2 || s[n - 1] != 's')
		return false;
	const char *dot = memchr(s, '.', n - 1);
	size_t il = dot ? (size_t)(dot - s) : n - 1;
	if (!all_digits(s, il) || il > 9)
		return false;
	int64_t v = 0;
	for (size_t i = 0; i < il; i++)
		v = v * 10 + (s[i] - '0');
	v *= 1000;
	if (dot) {
		size_t fl = n - 1 - il - 1;
		if (!all_digits(dot + 1, fl) || fl > 3)
			return false;
		int64_t m = 100;
		for (size_t i = 0; i < fl; i++, m /= 10)
			v += (dot[1 + i] - '0') * m;
	}
	*ms = v;
	return true;
}

static const char *const block_events[] = {
	"start", "run", "timeout", "expect-failed", "capture", "checksum",
	"checksum-ok", "ok", "failed", "skipped", "interrupted", NULL,
};
static const char *const run_events[] = {
	"deploy-start", "resume", "set", "aborted", "rollback-start", "rolled-back",
	"escalated", "interrupted", "deployed", "blocks", NULL,
};

static bool known(const char *const *list, const char *s, size_t n)
{
	for (; *list; list++)
		if (span_is(s, n, *list))
			return true;
	return false;
}

/* ---- runs ---- */

struct run {
	bool has_id, own;
	char spec[41];
	char host[72];
	char mode[24];
	int kmax;
	/* the rollback in progress */
	bool rolling;
	int rb_line;
	char rb_when[24];
	int64_t rb_ms;
	bool rb_backup;
	int rb_after;
	/* "blocks": digests by slot-independent id, sorted for bsearch */
	struct jdig { int kind; long idx; char d[9]; } *digs;
	size_t ndigs;
};

static int dig_cmp(const void *a, const void *b)
{
	const struct jdig *x = a, *y = b;
	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

static void run_reset(struct run *rn)
{
	free(rn->digs);
	memset(rn, 0, sizeof *rn);
}

/* Copy token [s, s+n) into out when every byte is in the allowed set. */
static bool take_token(char *out, size_t cap, const char *s, size_t n,
                       const char *allowed)
{
	if (n == 0 || n >= cap)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];
		bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		          (ch >= '0' && ch <= '9') || (ch && strchr(allowed, ch));
		if (!ok)
			return false;
	}
	memcpy(out, s, n);
	out[n] = '\0';
	return true;
}

/* deploy-start / resume DETAIL: "RELEASE PREVIOUS TARGET" then, since the
 * journals say what they are, "spec=BLOB host=HOST mode=MODE
 * [fail-after=K]". Returns false when a key=value part is malformed. */
static bool parse_identity(struct run *rn, const char *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		while (i < n && s[i] == ' ')
			i++;
		size_t j = i;
		while (j < n && s[j] != ' ')
			j++;
		const char *w = s + i;
		size_t wl = j - i;
		i = j;
		if (wl > 5 && memcmp(w, "spec=", 5) == 0) {
			if (!take_token(rn->spec, sizeof rn->spec, w + 5, wl - 5, "") )
				return false;
			rn->has_id = true;
		} else if (wl > 5 && memcmp(w, "host=", 5) == 0) {
			if (!take_token(rn->host, sizeof rn->host, w + 5, wl - 5, "._-"))
				return false;
		} else if (wl > 5 && memcmp(w, "mode=", 5) == 0) {
			if (!take_token(rn->mode, sizeof rn->mode, w + 5, wl - 5, "-"))
				return false;
		}
	}
	return true;
}

static bool parse_digests(struct run *rn, const char *s, size_t n)
{
	size_t i = 0;
	free(rn->digs);
	rn->digs = NULL;
	rn->ndigs = 0;
	size_t cap = 0;
	if (span_is(s, n, "-"))
		return true; /* a release without blocks */
	while (i < n) {
		size_t j = i;
		while (j < n && s[j] != ' ')
			j++;
		const char *eq = memchr(s + i, '=', j - i);
		struct jdig d;
		if (!eq || (size_t)(s + j - eq - 1) != 8 ||
		    !parse_block(s + i, (size_t)(eq - s - i), &d.kind, &d.idx) || d.kind < 0 ||
		    !take_token(d.d, sizeof d.d, eq + 1, 8, ""))
			return false;
		if (rn->ndigs == cap) {
			cap = cap ? 2 * cap : 16;
			rn->digs = xrealloc(rn->digs, cap * sizeof *rn->digs);
		}
		rn->digs[rn->ndigs++] = d;
		i = j + 1;
	}
	if (rn->ndigs > 1)
		qsort(rn->digs, rn->ndigs, sizeof *rn->digs, dig_cmp);
	return true;
}

bool journal_reads_backup(const struct block *u)
{
	for (const struct command *cmd = u ? u->cmds : NULL; cmd; cmd = cmd->next)
		for (uint32_t i = 0; i < cmd->nrefs; i++) {
			const struct symbol *s = cmd->refs[i].sym;
			if (s && s->kind == SYM_CAPTURE && s->capture && s->capture->block &&
			    s->capture->block->kind == BLOCK_BACKUP)
				return true;
		}
	return false;
}

static void add_stat(struct jstat *st, int64_t ms, const char *file, int line)
{
	if (st->runs == 0 || ms < st->min_ms)
		st->min_ms = ms;
	if (st->runs == 0 || ms > st->max_ms) {
		st->max_ms = ms;
		st->worst_file = file;
		st->worst_line = line;
	}
	st->runs++;
}

/* The slot an `ok` event of another release's journal stands for: the
 * block of the same kind and name, and (when that journal has digests) the
 * same commands; SIZE_MAX if none. */
static size_t history_slot(const struct jx *x, const struct run *rn, int kind,
                           long idx, const char *name, size_t nl)
{
	void *v = name_map_getn(&x->names[kind], name, nl);
	if (!v)
		return SIZE_MAX;
	size_t s = (size_t)(uintptr_t)v - 1;
	if (!x->slot_block[s])
		return SIZE_MAX;
	if (rn->digs) {
		struct jdig key = { kind, idx, "" };
		const struct jdig *d = bsearch(&key, rn->digs, rn->ndigs, sizeof key, dig_cmp);
		if (!d || strcmp(d->d, x->digest[s]) != 0)
			return SIZE_MAX;
	}
	return s;
}

/* ---- one file ---- */

struct jfile {
	const char *path;         /* interned in the compile's arena */
	int malformed;
	bool foreign_noted;
	size_t first_path;        /* paths from here on are this file's */
};

static void malformed(struct jx *x, struct jfile *jf, int line, const char *why)
{
	jf->malformed++;
	if (jf->malformed <= MALFORMED_SHOWN)
		diag_report(x->c->diags, DIAG_W121, (struct loc){ jf->path, line, 1 },
		            "malformed journal line: %s; this journal is not taken as evidence", why);
}

static void add_path(struct jx *x, struct run *rn, const char *file)
{
	if (x->npaths == x->cap) {
		x->cap = x->cap ? 2 * x->cap : 8;
		x->paths = xrealloc(x->paths, x->cap * sizeof *x->paths);
	}
	struct jpath *p = &x->paths[x->npaths++];
	memset(p, 0, sizeof *p);
	p->k = rn->kmax;
	p->file = file;
	p->line = rn->rb_line;
	snprintf(p->when, sizeof p->when, "%s", rn->rb_when);
	snprintf(p->host, sizeof p->host, "%s", rn->host[0] ? rn->host : "unknown");
	snprintf(p->mode, sizeof p->mode, "%s", rn->mode[0] ? rn->mode : "normal");
	p->rollback_ms = rn->rb_ms;
	p->read_backup = rn->rb_backup;
	p->after_done = rn->rb_after >= x->r->nafter_rollbacks;
}

static void foreign_note(struct jx *x, struct jfile *jf, const struct run *rn, int line)
{
	if (jf->foreign_noted)
		return;
	jf->foreign_noted = true;
	if (rn->has_id)
		diag_report(x->c->diags, DIAG_W120, (struct loc){ jf->path, line, 1 },
		            "journal of another spec (blob %.12s, not %.12s): its durations are "
		            "timing history, not evidence", rn->spec, x->c->spec_blob);
	else
		diag_report(x->c->diags, DIAG_W120, (struct loc){ jf->path, line, 1 },
		            "journal run without the spec's identity (written by an earlier relc): "
		            "its durations are timing history, not evidence");
}

static void read_text(struct jx *x, struct jfile *jf, const char *text, size_t len)
{
	struct run rn = { 0 };
	bool in_run = false;
	int line = 0;
	size_t pos = 0;
	jf->first_path = x->npaths;
	while (pos < len) {
		const char *s = text + pos;
		const char *nl = memchr(s, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - s) : len - pos;
		pos += n + 1;
		line++;
		if (!nl) {
			malformed(x, jf, line, "the last line is cut off (no newline)");
			break;
		}
		if (n > 0 && s[0] == '|')
			continue; /* command output or a --set value: data, never read */
		if (n == 0 || s[0] < '0' || s[0] > '9') {
			malformed(x, jf, line, "neither an event (a time first) nor output (\"|\" first)");
			continue;
		}
		struct jline jl;
		size_t start = 0, nf = 0;
		for (size_t i = 0; i <= n && nf < 6; i++) {
			if (i == n || (s[i] == '\t' && nf < 5)) {
				jl.f[nf] = s + start;
				jl.n[nf] = i - start;
				nf++;
				start = i + 1;
			}
		}
		if (nf != 6) {
			malformed(x, jf, line, "fewer than six tab-separated fields");
			continue;
		}
		bool empty = false;
		for (int i = 0; i < 6; i++)
			empty = empty || jl.n[i] == 0;
		int kind;
		long idx;
		int64_t ms;
		if (empty) {
			malformed(x, jf, line, "an empty field (\"-\" stands for nothing)");
			continue;
		}
		if (!valid_time(jl.f[0], jl.n[0])) {
			malformed(x, jf, line, "the time is not YYYY-MM-DDTHH:MM:SSZ");
			continue;
		}
		if (!parse_block(jl.f[1], jl.n[1], &kind, &idx)) {
			malformed(x, jf, line, "unknown block (check:N, backup:N, step:N, verify:N, undo:N, after-rollback:N or -)");
			continue;
		}
		if (!known(kind < 0 ? run_events : block_events, jl.f[2], jl.n[2])) {
			malformed(x, jf, line, "unknown event");
			continue;
		}
		if (!jparse_duration(jl.f[3], jl.n[3], &ms)) {
			malformed(x, jf, line, "the duration is not - or seconds (7.2s)");
			continue;
		}
		if (!span_is(jl.f[4], jl.n[4], "-") && !all_digits(jl.f[4], jl.n[4])) {
			malformed(x, jf, line, "the status is not - or a number");
			continue;
		}
		const char *ev = jl.f[2];
		size_t evn = jl.n[2];
		if (kind < 0) {
			if (span_is(ev, evn, "deploy-start") || span_is(ev, evn, "resume")) {
				int kmax = rn.kmax;
				bool resume = span_is(ev, evn, "resume");
				run_reset(&rn);
				if (resume)
					rn.kmax = kmax;
				in_run = true;
				if (!parse_identity(&rn, jl.f[5], jl.n[5])) {
					malformed(x, jf, line, "the run's identity (spec=, host=, mode=) is malformed");
					rn.has_id = false;
				}
				rn.own = rn.has_id && strcmp(rn.spec, x->c->spec_blob) == 0;
				if (!rn.own)
					foreign_note(x, jf, &rn, line);
			} else if (span_is(ev, evn, "blocks")) {
				if (!parse_digests(&rn, jl.f[5], jl.n[5]))
					malformed(x, jf, line, "the block digests are not KIND:N=8 hex digits");
			} else if (span_is(ev, evn, "rollback-start")) {
				rn.rolling = true;
				rn.rb_line = line;
				memcpy(rn.rb_when, jl.f[0], jl.n[0]);
				rn.rb_when[jl.n[0]] = '\0';
				rn.rb_ms = 0;
				rn.rb_backup = false;
				rn.rb_after = 0;
			} else if (span_is(ev, evn, "rolled-back")) {
				if (rn.rolling && rn.own && rn.kmax > 0 && rn.kmax <= x->r->nsteps)
					add_path(x, &rn, jf->path);
				rn.rolling = false;
			} else if (span_is(ev, evn, "escalated") || span_is(ev, evn, "interrupted")) {
				rn.rolling = false;
			}
			continue;
		}
		if (!in_run) /* rollback.sh's events with no deploy-start before them */
			foreign_note(x, jf, &rn, line);
		if (kind == BLOCK_STEP && span_is(ev, evn, "start") && idx > rn.kmax)
			rn.kmax = (int)idx;
		if (!span_is(ev, evn, "ok") || ms < 0)
			continue;
		size_t slot = SIZE_MAX;
		if (rn.own) {
			if (idx <= kind_count(x->r, kind)) {
				slot = x->base[kind] + (size_t)idx - 1;
				if (!x->slot_block[slot])
					slot = SIZE_MAX;
			}
		} else {
			slot = history_slot(x, &rn, kind, idx, jl.f[5], jl.n[5]);
		}
		if (slot != SIZE_MAX)
			add_stat(&x->f->stats[slot], ms, jf->path, line);
		if (rn.rolling && (kind == BLOCK_UNDO || kind == BLOCK_AFTER_ROLLBACK)) {
			rn.rb_ms += ms;
			if (kind == BLOCK_AFTER_ROLLBACK)
				rn.rb_after++;
			else if (rn.own && slot != SIZE_MAX && journal_reads_backup(x->slot_block[slot]))
				rn.rb_backup = true;
		}
	}
	run_reset(&rn);
	if (jf->malformed > MALFORMED_SHOWN)
		diag_report(x->c->diags, DIAG_W121, (struct loc){ jf->path, line, 1 },
		            "%d more malformed lines in this journal", jf->malformed - MALFORMED_SHOWN);
	if (jf->malformed)
		x->npaths = jf->first_path; /* a malformed journal is never evidence */
	else if (x->npaths > jf->first_path)
		x->f->evidence_files++;
	x->f->files++;
}

static void read_one(struct jx *x, const char *path)
{
	struct jfile jf = { arena_intern(x->c->arena, path, strlen(path)), 0, false, 0 };
	char *text = NULL;
	size_t len = 0;
	int e = read_file(path, JOURNAL_MAX, &text, &len);
	if (e) {
		diag_report(x->c->diags, DIAG_E022, (struct loc){ jf.path, 0, 0 },
		            "cannot read the journal: %s", strerror(e));
		return;
	}
	read_text(x, &jf, text, len);
	free(text);
}

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A state folder: journal.log, then run-*\/journal.log in name order (the
 * names start with the time they were moved aside). */
static void read_folder(struct jx *x, const char *dir)
{
	DIR *d = opendir(dir);
	if (!d) {
		diag_report(x->c->diags, DIAG_E022, (struct loc){ arena_intern(x->c->arena, dir, strlen(dir)), 0, 0 },
		            "cannot read the state folder: %s", strerror(errno));
		return;
	}
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, "run-", 4) != 0)
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 16;
			names = xrealloc(names, cap * sizeof *names);
		}
		names[n++] = xstrdup(de->d_name);
	}
	closedir(d);
	if (n > 1)
		qsort(names, n, sizeof *names, str_cmp);
	int found = 0;
	struct buf p;
	buf_init(&p);
	struct stat st;
	for (size_t i = 0; i <= n; i++) {
		p.len = 0;
		if (i == 0)
			buf_printf(&p, "%s/journal.log", dir);
		else
			buf_printf(&p, "%s/%s/journal.log", dir, names[i - 1]);
		if (stat(p.data, &st) == 0 && S_ISREG(st.st_mode)) {
			read_one(x, p.data);
			found++;
		}
		if (i > 0)
			free(names[i - 1]);
	}
	free(names);
	buf_free(&p);
	if (!found)
		diag_report(x->c->diags, DIAG_E023, (struct loc){ arena_intern(x->c->arena, dir, strlen(dir)), 0, 0 },
		            "no journal.log and no run-*/journal.log in this folder");
}

static int path_cmp(const void *a, const void *b)
{
	const struct jpath *x = a, *y = b;
	if (x->k != y->k)
		return x->k < y->k ? -1 : 1;
	int c = strcmp(x->when, y->when);
	if (c)
		return c;
	c = strcmp(x->file, y->file);
	if (c)
		return c;
	return x->line < y->line ? -1 : x->line > y->line;
}

/* W118 and W119, at the block. */
static void timing_warnings(struct jx *x)
{
	for (size_t s = 0; s < x->f->nslots; s++) {
		const struct block *b = x->slot_block[s];
		const struct jstat *st = &x->f->stats[s];
		if (!b || st->runs == 0)
			continue;
		const char *what = block_kind_name(b->kind);
		const char *name = b->kind == BLOCK_UNDO ? b->parent->name : b->name;
		if (journal_over_estimate(b, st)) {
			struct diagnostic *d = diag_report(
				x->c->diags, DIAG_W118, b->loc,
				"%s \"%s\" took %lld.%llds, more than twice its upper estimate",
				what, name ? name : "", (long long)(st->max_ms / 1000),
				(long long)(st->max_ms % 1000 / 100));
			diag_note(d, (struct loc){ st->worst_file, st->worst_line, 1 },
			          "measured here");
		} else if (!b->estimate.set &&
		           (b->kind == BLOCK_STEP || b->kind == BLOCK_BACKUP ||
		            b->kind == BLOCK_VERIFY)) {
			/* whole seconds around what was measured */
			long long lo = st->min_ms / 1000, hi = (st->max_ms + 999) / 1000;
			if (hi < 1)
				hi = 1;
			struct diagnostic *d;
			if (lo == hi || lo == 0)
				d = diag_report(x->c->diags, DIAG_W119, b->loc,
				                "%s \"%s\" has no estimate; the journals measured it "
				                "%d time%s: suggested `estimate %llds`",
				                what, name ? name : "", st->runs, st->runs == 1 ? "" : "s", hi);
			else
				d = diag_report(x->c->diags, DIAG_W119, b->loc,
				                "%s \"%s\" has no estimate; the journals measured it "
				                "%d time%s: suggested `estimate %llds..%llds`",
				                what, name ? name : "", st->runs, st->runs == 1 ? "" : "s", lo, hi);
			diag_note(d, (struct loc){ st->worst_file, st->worst_line, 1 },
			          "the longest run is recorded here");
		}
	}
}

void journal_read(struct compile *c)
{
	if (!c->rel || c->opt.njournals == 0)
		return;
	struct jx x = { 0 };
	x.c = c;
	x.r = c->rel;
	x.f = xcalloc(1, sizeof *x.f);
	slots_init(&x);
	for (size_t i = 0; i < c->opt.njournals; i++) {
		const char *p = c->opt.journals[i];
		struct stat st;
		if (stat(p, &st) == 0 && S_ISDIR(st.st_mode))
			read_folder(&x, p);
		else
			read_one(&x, p);
	}
	if (x.npaths > 1) /* qsort takes no NULL, even for nothing */
		qsort(x.paths, x.npaths, sizeof *x.paths, path_cmp);
	x.f->paths = x.paths;
	x.f->npaths = x.npaths;
	timing_warnings(&x);
	for (int k = 0; k < NKINDS; k++)
		name_map_free(&x.names[k]);
	free(x.slot_block);
	free(x.digest);
	c->journals = x.f;
}

void journal_facts_free(struct journal_facts *f)
{
	if (!f)
		return;
	free(f->stats);
	free(f->paths);
	free(f);
}

bool journal_over_estimate(const struct block *b, const struct jstat *st)
{
	return b->estimate.set && st->max_ms > 2 * b->estimate.max_ms;
}

/* The slot of b without the reader's tables: the same layout as slots_init. */
const struct jstat *journal_stat(const struct compile *c, const struct block *b)
{
	const struct journal_facts *f = c->journals;
	if (!f || !c->rel)
		return NULL;
	struct jx x = { 0 };
	size_t n = 0;
	for (int k = 0; k < NKINDS; k++) {
		x.base[k] = n;
		n += (size_t)kind_count(c->rel, k);
	}
	if (b->kind == BLOCK_UNDO && !b->parent)
		return NULL;
	size_t s = slot_of(&x, b);
	if (s >= f->nslots || f->stats[s].runs == 0)
		return NULL;
	return &f->stats[s];
}

const struct jpath *journal_path(const struct compile *c, int k, int *count)
{
	const struct journal_facts *f = c->journals;
	*count = 0;
	if (!f)
		return NULL;
	/* sorted by k: the first path past k, then back over those of k */
	size_t lo = 0, hi = f->npaths;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (f->paths[mid].k <= k)
			lo = mid + 1;
		else
			hi = mid;
	}
	size_t end = lo;
	while (lo > 0 && f->paths[lo - 1].k == k)
		lo--;
	*count = (int)(end - lo);
	return end > lo ? &f->paths[end - 1] : NULL;
}
