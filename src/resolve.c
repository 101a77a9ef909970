/* resolve.c - inline includes, collect metadata, define names (lets, envs,
 * captures, built-ins) and bind every ${name} reference to its symbol. */
/* realpath() is XSI */
#define _XOPEN_SOURCE 700
#include "resolve.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "confine.h"
#include "git.h"
#include "parse.h"
#include "shell.h"

/* Deeper include chains are almost surely a mistake (or a cycle through
 * different spellings); stop early with a clear error rather than recurse. */
#define MAX_INCLUDE_DEPTH 64

struct resolver {
	struct compile *c;
	struct release *r;
	struct arena *a;
	struct diag_set *ds;
	struct symbol *sym_tail;
	struct block *last[5];    /* the last block of each kind */
	struct name_map names[5]; /* block names within each kind */
	struct change **change_tail;
	struct known_issue **issue_tail;
	struct effect_decl **decl_tail;
	struct source_file *files_tail;
	int depth;
	/* The canonical folders includes may read from, and how messages name
	 * them; found at the first include, so a spec without any costs nothing. */
	const char **roots;
	size_t nroots;
	const char *roots_where;
};

static const char *const builtin_names[] = {
	"release", "project", "date", "previous", "target",
	"previous_ref", "target_ref", "state_dir",
};

static const char *sym_kind_word(enum sym_kind k)
{
	switch (k) {
	case SYM_LET: return "let";
	case SYM_ENV: return "env";
	case SYM_CAPTURE: return "capture";
	case SYM_BUILTIN: return "built-in";
	}
	return "name";
}

/* Define a name at the end of the release's list, or report E007 if it
 * exists already. */
static struct symbol *define(struct resolver *rs, const char *name,
                             enum sym_kind kind, struct loc loc)
{
	/* one lookup: a big release defines a capture every few steps */
	void **slot = name_map_at(&rs->r->symbol_index, name);
	struct symbol *old = *slot;
	if (old) {
		struct diagnostic *d = diag_report(rs->ds, DIAG_E007, loc,
			"%s \"%s\" is already defined", sym_kind_word(kind), name);
		if (old->kind == SYM_BUILTIN)
			diag_note(d, (struct loc){0}, "${%s} is a built-in reference", name);
		else
			diag_note(d, old->loc, "%s \"%s\" is defined here", sym_kind_word(old->kind), name);
		return NULL;
	}
	struct symbol *s = arena_alloc(rs->a, sizeof *s);
	s->name = name;
	s->kind = kind;
	s->loc = loc;
	if (rs->sym_tail)
		rs->sym_tail->next = s;
	else
		rs->r->symbols = s;
	rs->sym_tail = s;
	*slot = s; /* arena_alloc left the index as it was */
	return s;
}

/* Suggest the closest defined name for a misspelt reference. */
static const char *closest_name(const struct release *r, const char *name)
{
	const char *best = NULL;
	int best_d = 3;
	int cap = (int)strlen(name) / 3 + 1;
	if (cap > 2)
		cap = 2;
	for (const struct symbol *s = r->symbols; s; s = s->next) {
		int d = edit_distance(name, s->name, cap);
		if (d <= cap && d < best_d) {
			best_d = d;
			best = s->name;
		}
	}
	return best;
}

static void undefined(struct resolver *rs, struct loc loc, const char *name)
{
	struct diagnostic *d = diag_report(rs->ds, DIAG_E006, loc,
	                                   "undefined reference ${%s}", name);
	const char *near = closest_name(rs->r, name);
	if (near)
		diag_note(d, (struct loc){0}, "did you mean ${%s}?", near);
	else
		diag_note(d, (struct loc){0},
		          "a reference names a let, an env, a capture or a built-in");
}

/* Bind the references of a string value. `lets_only`: a let or metadata value
 * may only use what is known when relc runs (lets and built-ins). */
static void bind_value(struct resolver *rs, struct value *v, bool lets_only)
{
	if (!v)
		return;
	for (size_t i = 0; i < v->nsegs; i++) {
		struct seg *s = &v->segs[i];
		if (s->kind != SEG_REF)
			continue;
		s->sym = release_symbol(rs->r, s->text);
		if (!s->sym) {
			undefined(rs, s->loc, s->text);
			continue;
		}
		if (lets_only && s->sym->kind != SYM_LET && s->sym->kind != SYM_BUILTIN) {
			diag_report(rs->ds, DIAG_E006, s->loc,
			            "${%s} is a%s %s, known only when the scripts run; "
			            "a let may use only lets and built-ins",
			            s->text, s->sym->kind == SYM_ENV ? "n" : "",
			            sym_kind_word(s->sym->kind));
			s->sym = NULL;
		}
	}
}

static void bind_command(struct resolver *rs, struct command *c)
{
	for (size_t i = 0; i < c->nrefs; i++) {
		struct ref *r = &c->refs[i];
		r->sym = release_symbol(rs->r, r->name);
		if (!r->sym)
			undefined(rs, ref_loc(c, r), r->name);
	}
	for (struct expect *e = c->expects; e; e = e->next)
		bind_value(rs, e->text, false);
}

static struct block **kind_list(struct release *r, enum block_kind k)
{
	switch (k) {
	case BLOCK_CHECK: return &r->checks;
	case BLOCK_BACKUP: return &r->backups;
	case BLOCK_STEP: return &r->steps;
	case BLOCK_VERIFY: return &r->verifies;
	default: return &r->after_rollbacks;
	}
}

static int *kind_count(struct release *r, enum block_kind k)
{
	switch (k) {
	case BLOCK_CHECK: return &r->nchecks;
	case BLOCK_BACKUP: return &r->nbackups;
	case BLOCK_STEP: return &r->nsteps;
	case BLOCK_VERIFY: return &r->nverifies;
	default: return &r->nafter_rollbacks;
	}
}

static void define_captures(struct resolver *rs, struct block *b)
{
	/* the parser marks blocks with a capture: no walk over the others */
	for (struct command *c = b->has_capture ? b->cmds : NULL; c; c = c->next) {
		if (c->kind == CMD_CAPTURE) {
			struct symbol *s = define(rs, c->capture->name, SYM_CAPTURE, c->capture->loc);
			if (s)
				s->capture = c;
		}
	}
}

static void add_block(struct resolver *rs, struct block *b)
{
	struct block **list = kind_list(rs->r, b->kind);
	int *count = kind_count(rs->r, b->kind);
	struct name_map *names = &rs->names[b->kind];
	struct block *o = b->name ? name_map_add_hashed(names, b->name, b->name_hash, b) : NULL;
	if (o) {
		struct diagnostic *d = diag_report(rs->ds, DIAG_E007, b->name_value->loc,
			"%s \"%s\" is defined twice", block_kind_name(b->kind), b->name);
		diag_note(d, o->loc, "the first %s \"%s\" is here",
		          block_kind_name(o->kind), o->name);
	}
	if (rs->last[b->kind])
		rs->last[b->kind]->next = b;
	else
		*list = b;
	rs->last[b->kind] = b;
	b->index = ++*count;
	if (b->kind == BLOCK_BACKUP)
		b->after_steps = rs->r->nsteps;
	if (b->kind == BLOCK_BACKUP && b->after_steps > 0 && b->policy == POLICY_ABORT) {
		/* abort promises that nothing changed, and a step ran before it */
		struct diagnostic *d = diag_report(rs->ds, DIAG_E003, b->loc,
			"on-failure abort is not allowed in backup \"%s\", written after step %d",
			b->name ? b->name : "", b->after_steps);
		diag_note(d, (struct loc){ 0 },
		          "backups and steps run in the order written, so a step has changed something by then: use escalate");
	}
	if (b->kind == BLOCK_BACKUP && b->after_steps == 0 && b->policy == POLICY_ROLLBACK) {
		/* a late backup rolls back the steps before it; an early one has none */
		struct diagnostic *d = diag_report(rs->ds, DIAG_E003, b->loc,
			"on-failure rollback is not allowed in backup \"%s\", written before any step",
			b->name ? b->name : "");
		diag_note(d, (struct loc){ 0 },
		          "no step has run before it, so there is nothing to roll back: use abort or escalate");
	}
	define_captures(rs, b);
}

/* Join an include path to the display path of the including file, for
 * messages: the path as the user would find it from the spec. */
static char *join_dir(const char *base, const char *rel)
{
	if (rel[0] == '/')
		return xstrdup(rel);
	const char *slash = strrchr(base, '/');
	if (!slash)
		return xstrdup(rel);
	size_t dl = (size_t)(slash - base) + 1;
	size_t rl = strlen(rel);
	char *p = xmalloc(dl + rl + 1);
	memcpy(p, base, dl);
	memcpy(p + dl, rel, rl + 1);
	return p;
}

/* The canonical folder holding `path` as named (a symlinked file's own
 * folder, not its target's), in the arena; NULL when it cannot be resolved. */
static const char *real_dir(struct arena *a, const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir = !slash ? xstrdup(".") : slash == path ? xstrdup("/")
	            : xstrndup(path, (size_t)(slash - path));
	char *real = realpath(dir, NULL);
	if (!real && errno == ENOMEM)
		relc_oom();
	free(dir);
	const char *out = real ? arena_strdup(a, real) : NULL;
	free(real);
	return out;
}

/* The work tree of the repository relc uses; with --no-git, or when there is
 * none, the folder of the spec named on the command line; then every
 * --include-root. */
static void find_roots(struct resolver *rs, const char *spec_dir)
{
	const struct compile_options *o = &rs->c->opt;
	char *tree = o->no_git ? NULL : git_work_tree(rs->c, rs->r->root_path);
	const char *base = tree ? arena_strdup(rs->a, tree) : spec_dir;
	free(tree);
	rs->roots = arena_alloc(rs->a, (o->ninclude_roots + 1) * sizeof *rs->roots);
	if (base)
		rs->roots[rs->nroots++] = base;
	for (size_t i = 0; i < o->ninclude_roots; i++)
		rs->roots[rs->nroots++] = o->include_roots[i];
	rs->roots_where = tree ? "the repository's work tree" : "the spec's folder";
	if (o->ninclude_roots)
		rs->roots_where = arena_printf(rs->a, "%s and the --include-root folders",
		                               rs->roots_where);
}

/* E008 for an include relc will not read, saying why and what is allowed. */
static void refuse(struct resolver *rs, struct loc at, const char *disp,
                   enum confine_verdict v, int err)
{
	char *why = confine_reason(v, err, rs->roots_where);
	struct diagnostic *d = diag_report(rs->ds, DIAG_E008, at, "cannot include %s: %s",
	                                   disp, why);
	free(why);
	if (v == CONFINE_OUTSIDE || v == CONFINE_LINK_OUT)
		diag_note(d, (struct loc){0}, "includes are read only inside %s; "
		          "--include-root DIR adds a folder on purpose", rs->roots_where);
}

/* An absolute include is refused unless it names a file inside a folder the
 * user gave with --include-root: inside the work tree it would only tie the
 * spec to one checkout's location. */
static bool absolute_allowed(const struct resolver *rs, const char *rel)
{
	const struct compile_options *o = &rs->c->opt;
	char *path = confine_join("/", rel);
	bool ok = false;
	for (size_t i = 0; i < o->ninclude_roots && !ok; i++)
		ok = confine_inside(o->include_roots[i], path);
	free(path);
	return ok;
}

static void include_file(struct resolver *rs, const struct confine_file *cf,
                         const char *named, const char *display,
                         struct loc included_at, struct source_file *includer);

static void do_include(struct resolver *rs, struct source_file *from,
                       const struct stmt *s)
{
	const char *rel = s->value->expanded;
	struct loc at = s->value->loc;
	if (!rel || !*rel) {
		diag_report(rs->ds, DIAG_E008, at,
		            "include takes a file path without references");
		return;
	}
	if (!rs->roots)
		find_roots(rs, rs->r->files->dir);
	char *disp = join_dir(from->path, rel);
	if (rel[0] == '/' && !absolute_allowed(rs, rel)) {
		struct diagnostic *d = diag_report(rs->ds, DIAG_E008, at,
			"cannot include %s: an absolute include path is refused", disp);
		diag_note(d, (struct loc){0}, "name the file relative to %s, inside %s",
		          from->path, rs->roots_where);
		free(disp);
		return;
	}
	if (!from->dir) {
		diag_report(rs->ds, DIAG_E008, at,
		            "cannot include %s: the folder of %s cannot be resolved", disp,
		            from->path);
		free(disp);
		return;
	}
	/* Judged before anything is opened: a refused file is never read. */
	char *path = confine_join(from->dir, rel);
	struct confine_file cf;
	int err = 0;
	enum confine_verdict v = confine_check(rs->roots, rs->nroots, path, &cf, &err);
	if (v != CONFINE_OK) {
		refuse(rs, at, disp, v, err);
		free(path);
		free(disp);
		return;
	}
	for (const struct source_file *f = from; f; f = f->includer) {
		char other[PATH_MAX];
		if (realpath(f->fs_path, other) && strcmp(cf.real, other) == 0) {
			struct diagnostic *d = diag_report(rs->ds, DIAG_E008, at,
				"include cycle: \"%s\" is already being included", disp);
			diag_note(d, (struct loc){0}, "the chain: %s", disp);
			for (const struct source_file *g = from; g; g = g->includer) {
				diag_note(d, (struct loc){0}, "  included by %s", g->path);
				if (g == f)
					break;
			}
			free(cf.real);
			free(path);
			free(disp);
			return;
		}
	}
	if (rs->depth >= MAX_INCLUDE_DEPTH) {
		diag_report(rs->ds, DIAG_E008, at,
		            "includes nested more than %d deep", MAX_INCLUDE_DEPTH);
		free(cf.real);
		free(path);
		free(disp);
		return;
	}
	rs->depth++;
	include_file(rs, &cf, path, disp, at, from);
	rs->depth--;
	free(cf.real);
	free(path);
	free(disp);
}

static void set_meta(struct resolver *rs, const struct stmt *s)
{
	struct meta_value *m = &rs->r->meta[s->meta];
	const char *name = meta_key_name(s->meta);
	if (m->set) {
		struct diagnostic *d = diag_report(rs->ds, DIAG_E004, s->loc,
			"%s is given twice", name);
		diag_note(d, m->loc, "the first %s is here", name);
		return;
	}
	m->set = true;
	m->loc = s->loc;
	m->value = s->value;
	/* metadata is read when relc runs: it may use lets, not runtime values */
	bind_value(rs, s->value, true);
	for (size_t i = 0; i < s->value->nsegs; i++) {
		if (s->value->segs[i].kind == SEG_REF && s->value->segs[i].sym &&
		    s->value->segs[i].sym->kind == SYM_BUILTIN && s->meta != META_STATE_DIR) {
			diag_report(rs->ds, DIAG_E006, s->value->segs[i].loc,
			            "%s cannot refer to the built-in ${%s}", name,
			            s->value->segs[i].text);
			s->value->segs[i].sym = NULL;
		}
	}
}

static void resolve_stmts(struct resolver *rs, struct source_file *sf,
                          const struct file_ast *f)
{
	/* the block-name tables are made the size they will need at once */
	for (size_t k = 0; k < sizeof rs->names / sizeof rs->names[0]; k++)
		if (f->nblocks[k] > 1)
			name_map_reserve(&rs->names[k], f->nblocks[k]);
	/* and the symbol table, which would grow by doubling, for this file's */
	if (f->nsymbols > 1)
		name_map_reserve(&rs->r->symbol_index, f->nsymbols);
	for (const struct stmt *s = f->stmts; s; s = s->next) {
		switch (s->kind) {
		case STMT_META:
			set_meta(rs, s);
			break;
		case STMT_LET: {
			bind_value(rs, s->value, true);
			struct symbol *sym = define(rs, s->name, SYM_LET, s->name_loc);
			if (sym) {
				sym->value = s->value;
				sym->overridable = true;
			}
			break;
		}
		case STMT_ENV:
			define(rs, s->name, SYM_ENV, s->name_loc);
			break;
		case STMT_INCLUDE:
			do_include(rs, sf, s);
			break;
		case STMT_BLOCK:
			add_block(rs, s->block);
			break;
		case STMT_CHANGES:
			for (struct change *c = s->changes; c;) {
				struct change *next = c->next;
				c->next = NULL;
				*rs->change_tail = c;
				rs->change_tail = &c->next;
				c = next;
			}
			break;
		case STMT_CHANGES_FROM_GIT:
			if (rs->r->changes_from_git) {
				struct diagnostic *d = diag_report(rs->ds, DIAG_E004, s->loc,
				                                   "changes from-git is given twice");
				diag_note(d, rs->r->changes_from_git_loc, "the first one is here");
				break;
			}
			rs->r->changes_from_git = true;
			rs->r->changes_from_git_loc = s->loc;
			break;
		case STMT_FLEET:
			if (rs->r->fleet) {
				struct diagnostic *d = diag_report(rs->ds, DIAG_E021, s->loc,
				                                   "a second fleet block");
				diag_note(d, rs->r->fleet->loc, "the first one is here");
				diag_note(d, (struct loc){0},
				          "a release goes to one inventory group: merge the two");
				break;
			}
			rs->r->fleet = s->fleet;
			break;
		case STMT_LOST:
			rs->r->lost |= s->lost;
			break;
		case STMT_EFFECT:
			s->decl->next = NULL;
			*rs->decl_tail = s->decl;
			rs->decl_tail = &s->decl->next;
			break;
		case STMT_KNOWN_ISSUE: {
			struct known_issue *k = arena_alloc(rs->a, sizeof *k);
			k->loc = s->loc;
			k->text = s->value;
			*rs->issue_tail = k;
			rs->issue_tail = &k->next;
			break;
		}
		}
	}
}

static void resolve_source(struct resolver *rs, const char *fs_path,
                           const char *dir, const char *disp,
                           struct loc included_at, struct source_file *includer,
                           const char *text, size_t len);

/* The spec named on the command line. The reviewer chose its name, but in
 * review its bytes, or a symlink in its place, come with the change: like an
 * include it must be a regular file that stays, symlinks followed, inside its
 * own folder, the work tree or an --include-root. */
static void resolve_root(struct resolver *rs, const char *path)
{
	const struct compile_options *o = &rs->c->opt;
	const char *dir = real_dir(rs->a, path);
	const char *slash = strrchr(path, '/');
	struct confine_file cf = {0};
	int err = 0;
	enum confine_verdict v = CONFINE_ERRNO;
	const char *where = "the spec's folder";
	if (!dir) {
		struct stat st;
		err = stat(path, &st) != 0 ? errno : ENOENT;
	} else {
		char *abs = confine_join(dir, slash ? slash + 1 : path);
		const char **own = arena_alloc(rs->a, (o->ninclude_roots + 1) * sizeof *own);
		own[0] = dir;
		for (size_t i = 0; i < o->ninclude_roots; i++)
			own[i + 1] = o->include_roots[i];
		v = confine_check(own, o->ninclude_roots + 1, abs, &cf, &err);
		if (v == CONFINE_OUTSIDE || v == CONFINE_LINK_OUT) {
			/* a symlink out of its folder may still land in the work tree */
			find_roots(rs, dir);
			v = confine_check(rs->roots, rs->nroots, abs, &cf, &err);
			where = rs->roots_where;
		}
		free(abs);
	}
	int fd = v == CONFINE_OK ? confine_open(&cf, &v, &err) : -1;
	char *text = NULL;
	size_t len = 0;
	if (fd >= 0) {
		err = read_fd(fd, RELC_MAX_SPEC_SIZE, &text, &len);
		close(fd);
	}
	free(cf.real);
	if (fd < 0 || err) {
		char *why = fd >= 0 && err == EFBIG ? xstrdup("file larger than 256 MiB")
		            : confine_reason(fd >= 0 ? CONFINE_ERRNO : v, err, where);
		relc_error("cannot read %s: %s", path, why);
		free(why);
		rs->c->io_error = err ? err : EPERM;
		return;
	}
	const char *disp = arena_intern(rs->a, path, strlen(path));
	diag_take_source(rs->ds, disp, text, len);
	resolve_source(rs, path, dir, disp, (struct loc){0}, NULL, text, len);
}

/* An include confine_check accepted. Only now is it opened, and only its
 * text ever becomes a source that diagnostics may quote. Its own includes
 * are found beside it as named (a symlink's folder, not its target's). */
static void include_file(struct resolver *rs, const struct confine_file *cf,
                         const char *named, const char *display,
                         struct loc included_at, struct source_file *includer)
{
	enum confine_verdict v;
	int err = 0;
	int fd = confine_open(cf, &v, &err);
	if (fd < 0) {
		refuse(rs, included_at, display, v, err);
		return;
	}
	char *text = NULL;
	size_t len = 0;
	err = read_fd(fd, RELC_MAX_SPEC_SIZE, &text, &len);
	close(fd);
	if (err) {
		diag_report(rs->ds, DIAG_E008, included_at, "cannot include %s: %s", display,
		            err == EFBIG ? "file larger than 256 MiB" : strerror(err));
		return;
	}
	const char *disp = arena_intern(rs->a, display, strlen(display));
	diag_take_source(rs->ds, disp, text, len);
	resolve_source(rs, cf->real, real_dir(rs->a, named), disp, included_at,
	               includer, text, len);
}

/* text is the diag set's copy of the spec: the model points into it (see
 * parse_source), and the diag set lives as long as the model. */
static void resolve_source(struct resolver *rs, const char *fs_path,
                           const char *dir, const char *disp,
                           struct loc included_at, struct source_file *includer,
                           const char *text, size_t len)
{
	struct source_file *sf = arena_alloc(rs->a, sizeof *sf);
	sf->path = disp;
	sf->fs_path = arena_strdup(rs->a, fs_path);
	sf->dir = dir;
	sf->included_at = included_at;
	sf->includer = includer;
	if (rs->files_tail)
		rs->files_tail->next = sf;
	else
		rs->r->files = sf;
	rs->files_tail = sf;

	/* relc check skips it, unless --journal needs it to match journals */
	if (!includer && (!rs->c->opt.check_only || rs->c->opt.njournals))
		relc_git_blob_id(text, len, rs->c->spec_blob); /* the bytes compiled, not as read later */
	/* The statements are read once, here; the model keeps what they hold. */
	struct arena *stmts = arena_new();
	struct file_ast *f = parse_source(rs->a, stmts, rs->ds, disp, text, len);
	resolve_stmts(rs, sf, f);
	arena_free(stmts);
}

/* Every command reference and string is bound once all names exist, since a
 * capture may be defined after the text that mentions it (E009 judges order). */
static void bind_all(struct resolver *rs)
{
	struct release *r = rs->r;
	struct block *lists[] = {r->checks, r->backups, r->steps, r->verifies,
	                         r->after_rollbacks};
	for (size_t i = 0; i < 5; i++) {
		for (struct block *b = lists[i]; b; b = b->next) {
			bind_value(rs, b->name_value, true);
			for (struct command *c = b->cmds; c; c = c->next)
				bind_command(rs, c);
			if (b->undo)
				for (struct command *c = b->undo->cmds; c; c = c->next)
					bind_command(rs, c);
			for (struct checksum *cs = b->checksums; cs; cs = cs->next) {
				cs->sym = release_symbol(r, cs->name);
				if (!cs->sym) {
					struct diagnostic *d = diag_report(rs->ds, DIAG_E006, cs->loc,
						"checksum names %s, which is not a capture", cs->name);
					diag_note(d, (struct loc){0},
					          "checksum takes the NAME of a `capture NAME = ...` in this backup");
				}
			}
		}
	}
	for (struct change *c = r->changes; c; c = c->next)
		bind_value(rs, c->text, true);
	for (struct known_issue *k = r->known_issues; k; k = k->next)
		bind_value(rs, k->text, true);
}

static void require_meta(struct resolver *rs)
{
	static const enum meta_key required[] = {META_RELEASE, META_PROJECT, META_DATE,
	                                         META_PREVIOUS};
	static const char *const examples[] = {"release 1.2.0", "project \"My Service\"",
	                                       "date 2026-11-26", "previous v1.1.0"};
	struct loc top = {rs->r->files ? rs->r->files->path : NULL, 1, 1};
	for (size_t i = 0; i < 4; i++) {
		if (!rs->r->meta[required[i]].set && !(rs->r->lost & LOST_META(required[i]))) {
			struct diagnostic *d = diag_report(rs->ds, DIAG_E004, top,
				"required metadata %s is missing", meta_key_name(required[i]));
			diag_note(d, (struct loc){0}, "add a line such as: %s", examples[i]);
		}
	}
}

static bool leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static bool parse_date(const char *s, int *y, int *m, int *d)
{
	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return false;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && !isdigit((unsigned char)s[i]))
			return false;
	*y = atoi(s);
	*m = atoi(s + 5);
	*d = atoi(s + 8);
	static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (*m < 1 || *m > 12 || *d < 1 || *y < 1)
		return false;
	int dim = days[*m - 1] + (*m == 2 && leap(*y));
	return *d <= dim;
}

/* Numeric identifier of semver: digits without a leading zero. */
static bool semver_num(const char *s, size_t n, int64_t *out)
{
	if (n == 0 || n > 15 || (n > 1 && s[0] == '0'))
		return false;
	int64_t v = 0;
	for (size_t i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return true;
}

/* Dot-separated identifiers of [0-9A-Za-z-]; numeric ones without leading
 * zeros when `numeric_rule`. */
static bool semver_idents(const char *s, size_t n, bool numeric_rule)
{
	size_t start = 0;
	for (size_t i = 0; i <= n; i++) {
		if (i < n && s[i] != '.') {
			if (!isalnum((unsigned char)s[i]) && s[i] != '-')
				return false;
			continue;
		}
		size_t len = i - start;
		if (len == 0)
			return false;
		if (numeric_rule && len > 1 && s[start] == '0' && all_digits(s + start, len))
			return false;
		start = i + 1;
	}
	return true;
}

static bool parse_semver(struct arena *a, const char *s, struct semver *v)
{
	size_t n = strlen(s);
	const char *plus = memchr(s, '+', n);
	size_t core_end = plus ? (size_t)(plus - s) : n;
	const char *dash = memchr(s, '-', core_end);
	size_t nums_end = dash ? (size_t)(dash - s) : core_end;
	const char *p = s;
	int64_t parts[3];
	for (int i = 0; i < 3; i++) {
		const char *end = s + nums_end;
		const char *dot = i < 2 ? memchr(p, '.', (size_t)(end - p)) : end;
		if (!dot)
			return false;
		if (!semver_num(p, (size_t)(dot - p), &parts[i]))
			return false;
		p = dot + 1;
	}
	if (p != s + nums_end + 1)
		return false;
	v->major = parts[0];
	v->minor = parts[1];
	v->patch = parts[2];
	v->prerelease = v->build = NULL;
	if (dash) {
		size_t pl = core_end - nums_end - 1;
		if (!semver_idents(dash + 1, pl, true))
			return false;
		v->prerelease = arena_strndup(a, dash + 1, pl);
	}
	if (plus) {
		size_t bl = n - core_end - 1;
		if (!semver_idents(plus + 1, bl, false))
			return false;
		v->build = arena_strndup(a, plus + 1, bl);
	}
	return true;
}

static const char *meta_text(const struct release *r, enum meta_key k)
{
	const struct meta_value *m = &r->meta[k];
	if (!m->set)
		return NULL;
	return m->value->expanded ? m->value->expanded : m->value->raw;
}

static void check_meta_values(struct resolver *rs)
{
	struct release *r = rs->r;
	const char *v;
	if ((v = meta_text(r, META_RELEASE)) && !parse_semver(rs->a, v, &r->version)) {
		struct diagnostic *d = diag_report(rs->ds, DIAG_E005, r->meta[META_RELEASE].value->loc,
			"release \"%s\" is not a semantic version", v);
		diag_note(d, (struct loc){0},
		          "write MAJOR.MINOR.PATCH, optionally -PRERELEASE and +BUILD: 1.4.0-rc.1");
	}
	if ((v = meta_text(r, META_DATE)) && !parse_date(v, &r->year, &r->month, &r->day)) {
		struct diagnostic *d = diag_report(rs->ds, DIAG_E005, r->meta[META_DATE].value->loc,
			"date \"%s\" is not a calendar date", v);
		diag_note(d, (struct loc){0}, "write YYYY-MM-DD, e.g. 2026-11-26");
	}
	if ((v = meta_text(r, META_REPOSITORY))) {
		if (strcmp(v, "none") == 0) {
			r->no_repository = true;
		} else {
			struct diagnostic *d = diag_report(rs->ds, DIAG_E005,
				r->meta[META_REPOSITORY].value->loc,
				"repository \"%s\" is not understood", v);
			diag_note(d, (struct loc){0},
			          "the one form is `repository none`, for software not built from "
			          "this repository; without it the repository is found from the "
			          "spec's folder or --repo");
		}
	}
	if (r->no_repository && !r->meta[META_TARGET].set &&
	    !(r->lost & LOST_META(META_TARGET))) {
		struct diagnostic *d = diag_report(rs->ds, DIAG_E004,
			r->meta[META_REPOSITORY].loc,
			"with repository none, target is required");
		diag_note(d, (struct loc){0},
		          "target names the version shipped, as previous names the one "
		          "running now: target 1.22.0");
	}
	r->downtime_ms = r->deploy_time_ms = -1;
	if ((v = meta_text(r, META_DOWNTIME)) && !parse_duration(v, strlen(v), &r->downtime_ms)) {
		diag_report(rs->ds, DIAG_E005, r->meta[META_DOWNTIME].value->loc,
		            "invalid duration \"%s\"", v);
		r->downtime_ms = -1;
	}
	if ((v = meta_text(r, META_DEPLOY_TIME)) && !parse_duration(v, strlen(v), &r->deploy_time_ms)) {
		diag_report(rs->ds, DIAG_E005, r->meta[META_DEPLOY_TIME].value->loc,
		            "invalid duration \"%s\"", v);
		r->deploy_time_ms = -1;
	}
}

const char *resolve_slug(struct arena *a, const char *s)
{
	struct buf b;
	buf_init(&b);
	bool dash = false;
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if (isalnum(ch) || ch == '.' || ch == '_') {
			buf_putc(&b, (char)tolower(ch));
			dash = false;
		} else if (!dash && b.len) {
			buf_putc(&b, '-');
			dash = true;
		}
	}
	while (b.len && b.data[b.len - 1] == '-')
		b.data[--b.len] = '\0';
	const char *out = arena_strndup(a, b.data, b.len);
	buf_free(&b);
	return out;
}

bool resolve_release(struct compile *c, const char *path, const char *text,
                     size_t len)
{
	struct release *r = arena_alloc(c->arena, sizeof *r);
	struct resolver rs = {0};
	rs.c = c;
	rs.r = r;
	rs.a = c->arena;
	rs.ds = c->diags;
	rs.change_tail = &r->changes;
	rs.issue_tail = &r->known_issues;
	rs.decl_tail = &r->effect_decls;
	r->root_path = arena_strdup(c->arena, path);
	r->downtime_ms = r->deploy_time_ms = -1;
	for (size_t i = 0; i < sizeof builtin_names / sizeof builtin_names[0]; i++)
		define(&rs, arena_intern(rs.a, builtin_names[i], strlen(builtin_names[i])),
		       SYM_BUILTIN, (struct loc){0}); /* distinct names: never E007 */

	if (text) {
		/* the caller's bytes need not outlive this call: the tree points
		 * into the copy the diag set keeps */
		const char *disp = arena_intern(rs.a, path, strlen(path));
		char *copy = xmalloc(len + 1);
		memcpy(copy, text, len);
		copy[len] = '\0';
		diag_take_source(rs.ds, disp, copy, len);
		resolve_source(&rs, path, real_dir(rs.a, path), disp, (struct loc){0}, NULL,
		               copy, len);
	} else {
		resolve_root(&rs, path);
	}
	for (int k = 0; k < 5; k++)
		name_map_free(&rs.names[k]);
	if (c->io_error) {
		name_map_free(&r->symbol_index);
		return false;
	}
	bind_all(&rs);
	require_meta(&rs);
	check_meta_values(&rs);
	const char *prev = meta_text(r, META_PREVIOUS);
	const char *tgt = meta_text(r, META_TARGET);
	r->previous_ref = prev ? prev : "";
	r->target_ref = tgt ? tgt : "HEAD";
	c->rel = r;
	return true;
}

/* The longest value once its references are substituted. Lets that each
 * repeat the one before grow exponentially ("billion laughs": forty lines
 * ask for terabytes); real values are paths, names and short texts. */
#define MAX_EXPANDED (64u * 1024u)

/* Expand a value whose references are all lets and built-ins. One longer
 * than MAX_EXPANDED is an error (reported when `report`; lets are expanded
 * twice) and stays unexpanded, so values built on it do not grow either. */
static void expand_value(struct compile *c, struct value *v, bool report)
{
	if (!v || !v->quoted)
		return;
	struct arena *a = c->arena;
	struct buf b;
	buf_init(&b);
	for (size_t i = 0; i < v->nsegs; i++) {
		const struct seg *s = &v->segs[i];
		if (s->kind == SEG_TEXT) {
			buf_add(&b, s->text, s->len);
			continue;
		}
		const char *val = NULL;
		if (s->sym && s->sym->kind == SYM_LET && s->sym->value)
			val = s->sym->value->expanded;
		else if (s->sym && s->sym->kind == SYM_BUILTIN)
			val = s->sym->builtin;
		if (!val) {
			buf_free(&b);
			v->expanded = NULL;
			return;
		}
		size_t n = strlen(val);
		if (b.len + n > MAX_EXPANDED) {
			if (report)
				diag_report(c->diags, DIAG_E005, v->loc,
				            "this value is longer than %u bytes once its references "
				            "are substituted", MAX_EXPANDED);
			buf_free(&b);
			v->expanded = NULL;
			return;
		}
		buf_add(&b, val, n);
	}
	v->expanded = arena_strndup(a, b.data, b.len);
	buf_free(&b);
}

void resolve_expand(struct compile *c)
{
	struct release *r = c->rel;
	struct arena *a = c->arena;
	/* lets first (in definition order, each may use earlier ones) */
	for (struct symbol *s = r->symbols; s; s = s->next)
		if (s->kind == SYM_LET)
			expand_value(c, s->value, false);
	for (int k = 0; k < META__COUNT; k++)
		if (r->meta[k].set && k != META_STATE_DIR)
			expand_value(c, r->meta[k].value, true);
	const char *project = meta_text(r, META_PROJECT);
	const char *release = meta_text(r, META_RELEASE);
	if (r->meta[META_STATE_DIR].set) {
		/* state-dir may use built-ins other than itself */
		r->state_dir = NULL;
	} else {
		r->state_dir = arena_printf(a, STATE_ROOT "/%s-%s",
		                            resolve_slug(a, project ? project : "release"),
		                            release ? release : "0.0.0");
	}
	struct symbol *state_sym = NULL;
	for (struct symbol *s = r->symbols; s; s = s->next) {
		if (s->kind != SYM_BUILTIN)
			continue;
		if (strcmp(s->name, "release") == 0)
			s->builtin = release;
		else if (strcmp(s->name, "project") == 0)
			s->builtin = project;
		else if (strcmp(s->name, "date") == 0)
			s->builtin = meta_text(r, META_DATE);
		else if (strcmp(s->name, "previous") == 0 && r->no_repository)
			s->builtin = r->previous_ref; /* a version label, as written */
		else if (strcmp(s->name, "previous") == 0)
			s->builtin = r->previous_id[0] ? r->previous_id : NULL;
		else if (strcmp(s->name, "target") == 0 && r->no_repository)
			s->builtin = r->target_ref;
		else if (strcmp(s->name, "target") == 0)
			s->builtin = r->target_id[0] ? r->target_id : NULL;
		else if (strcmp(s->name, "previous_ref") == 0)
			s->builtin = r->previous_ref;
		else if (strcmp(s->name, "target_ref") == 0)
			s->builtin = r->target_ref;
		else if (strcmp(s->name, "state_dir") == 0)
			state_sym = s;
	}
	/* a given state-dir may use lets and the other built-ins */
	if (r->meta[META_STATE_DIR].set) {
		expand_value(c, r->meta[META_STATE_DIR].value, true);
		r->state_dir = meta_text(r, META_STATE_DIR);
	}
	if (state_sym)
		state_sym->builtin = r->state_dir;
	/* lets may use ${previous} and friends: expand again now they are known */
	for (struct symbol *s = r->symbols; s; s = s->next)
		if (s->kind == SYM_LET)
			expand_value(c, s->value, true);
	struct block *lists[] = {r->checks, r->backups, r->steps, r->verifies,
	                         r->after_rollbacks};
	for (size_t i = 0; i < 5; i++) {
		for (struct block *b = lists[i]; b; b = b->next) {
			expand_value(c, b->name_value, true);
			if (b->name_value && b->name_value->expanded)
				b->name = b->name_value->expanded;
			struct block *parts[2] = {b, b->undo};
			for (int p = 0; p < 2; p++)
				for (struct command *cm = parts[p] ? parts[p]->cmds : NULL; cm; cm = cm->next)
					for (struct expect *e = cm->expects; e; e = e->next)
						expand_value(c, e->text, true);
		}
	}
	for (struct change *ch = r->changes; ch; ch = ch->next)
		expand_value(c, ch->text, true);
	for (struct known_issue *k = r->known_issues; k; k = k->next)
		expand_value(c, k->text, true);
}
