/* check_meta.c - W106, W107, W108, W112: the release as a whole.
 *
 * These warnings are about something missing from the whole spec, so they
 * point at the `release` statement (or the first line of the root spec when
 * that is missing too, which E004 reports). */
#include "check.h"

#include <string.h>

#include "compilation.h"

/* Where release-wide warnings point. */
static struct loc release_loc(const struct release *r)
{
	if (r->meta[META_RELEASE].set)
		return r->meta[META_RELEASE].loc;
	const char *path = r->files ? r->files->path : r->root_path;
	return (struct loc){ .file = path, .line = 1, .col = 1 };
}

void check_no_verify(struct compile *c)
{
	if (c->rel->verifies || (c->rel->lost & LOST_BLOCK(BLOCK_VERIFY)))
		return;
	struct diagnostic *d = diag_report(c->diags, DIAG_W106,
		release_loc(c->rel), "the release has no verify block");
	diag_note(d, (struct loc){ 0 },
	          "add `verify \"...\" { ... }` to prove the new version works before the deploy ends");
}

void check_no_after_rollback(struct compile *c)
{
	if (c->rel->after_rollbacks || (c->rel->lost & LOST_BLOCK(BLOCK_AFTER_ROLLBACK)))
		return;
	struct diagnostic *d = diag_report(c->diags, DIAG_W107,
		release_loc(c->rel), "the release has no after-rollback block");
	diag_note(d, (struct loc){ 0 },
	          "add `after-rollback \"...\" { ... }` to start and check the previous version after a rollback");
}

void check_no_downtime(struct compile *c)
{
	if (c->rel->meta[META_DOWNTIME].set || (c->rel->lost & LOST_META(META_DOWNTIME)))
		return;
	struct diagnostic *d = diag_report(c->diags, DIAG_W112,
		release_loc(c->rel), "the release does not state its downtime");
	diag_note(d, (struct loc){ 0 },
	          "add `downtime 0s` if users see none, or the expected outage such as `downtime 30s`");
}

/* The release as written: its expanded text, or the raw word. */
static const char *release_text(const struct value *v)
{
	if (!v)
		return NULL;
	return v->expanded ? v->expanded : v->raw;
}

void check_file_name(struct compile *c)
{
	const struct release *r = c->rel;
	const struct meta_value *m = &r->meta[META_RELEASE];
	const char *version = m->set ? release_text(m->value) : NULL;
	const char *path = r->root_path ? r->root_path
	                   : r->files ? r->files->fs_path : NULL;
	if (!version || !*version || !path)
		return;
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	size_t blen = strlen(base);
	if (blen > 4 && strcmp(base + blen - 4, ".rel") == 0)
		blen -= 4;
	if (strlen(version) == blen && strncmp(base, version, blen) == 0)
		return;
	struct diagnostic *d = diag_report(c->diags, DIAG_W108,
		m->value ? m->value->loc : m->loc,
		"file name \"%s\" does not match release %s", base, version);
	diag_note(d, (struct loc){ 0 }, "a spec for release %s is kept as %s.rel",
	          version, version);
}
