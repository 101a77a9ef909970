/* compile.c - the compile driver: resolve, pin, expand, check. */
#include "compile.h"

#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "git.h"
#include "journal.h"
#include "resolve.h"

struct compile *compile_new(const struct compile_options *opt)
{
	struct compile *c = xcalloc(1, sizeof *c);
	c->opt = *opt;
	c->arena = arena_new();
	c->diags = diag_set_new();
	diag_set_options(c->diags, &opt->diag);
	return c;
}

void compile_free(struct compile *c)
{
	if (!c)
		return;
	git_release(c);
	journal_facts_free(c->journals);
	diag_set_free(c->diags);
	if (c->rel)
		name_map_free(&c->rel->symbol_index);
	arena_free(c->arena);
	free(c);
}

/* A diagnostic inside an included file says how that file was reached. */
static void add_include_chains(struct compile *c)
{
	size_t n = diag_count(c->diags);
	for (size_t i = 0; i < n; i++) {
		struct diagnostic *d = diag_at(c->diags, i);
		for (const struct source_file *f = c->rel->files; f; f = f->next) {
			if (!d->loc.file || strcmp(f->path, d->loc.file) != 0 || !f->includer)
				continue;
			for (const struct source_file *g = f; g && g->includer; g = g->includer)
				diag_note(d, g->included_at, "%s is included here", g->path);
			break;
		}
	}
}

static bool compile_run(struct compile *c)
{
	git_pin_release(c);
	resolve_expand(c);
	check_release(c);
	/* evidence and history only for a release that checks clean */
	if (diag_errors(c->diags) == 0)
		journal_read(c);
	add_include_chains(c);
	return diag_errors(c->diags) == 0;
}

bool compile_spec(struct compile *c, const char *path)
{
	if (!resolve_release(c, path, NULL, 0))
		return false;
	return compile_run(c);
}

bool compile_spec_text(struct compile *c, const char *path, const char *text,
                       size_t len)
{
	if (!resolve_release(c, path, text, len))
		return false;
	return compile_run(c);
}

int compile_status(const struct compile *c)
{
	if (c->io_error)
		return 2;
	return diag_errors(c->diags) ? 1 : 0;
}
