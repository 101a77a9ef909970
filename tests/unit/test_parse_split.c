/* Unit tests of parsing a big file in two halves (parse.c, parse_halves):
 * with the size threshold lowered to 0 every spec of the tree gives the same
 * diagnostics and the same release as when read whole, a diagnostic in the
 * second half keeps its line, and a cut that falls inside a here-document or
 * a block is not taken. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "compile.h"
#include "diag_json.h"
#include "emit.h"
#include "parse.h"

/* Diagnostics as JSON, then the release as JSON when it compiled. */
static char *compile_to_text(const char *path, const char *text, size_t len)
{
	struct compile_options o = { 0 };
	o.no_git = true;
	o.diag.quiet = true;
	struct compile *c = compile_new(&o);
	bool ok = compile_spec_text(c, path, text, len);
	char *out = NULL;
	size_t outlen = 0;
	FILE *f = open_memstream(&out, &outlen);
	cr_assert_not_null(f);
	diag_print_json(c->diags, f);
	if (ok && c->rel) {
		struct buf j;
		buf_init(&j);
		emit_json(&j, c);
		fwrite(j.data, 1, j.len, f);
		buf_free(&j);
	}
	fclose(f);
	compile_free(c);
	return out;
}

static void same_both_ways(const char *path, const char *text, size_t len)
{
	relc_parse_split_min = SIZE_MAX;
	char *whole = compile_to_text(path, text, len);
	relc_parse_split_min = 0;
	char *halves = compile_to_text(path, text, len);
	relc_parse_split_min = (size_t)1 << 20;
	cr_assert_str_eq(halves, whole, "%s: read in halves, it compiles otherwise", path);
	free(whole);
	free(halves);
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	cr_assert_not_null(f, "cannot open %s", path);
	struct buf b;
	buf_init(&b);
	char chunk[4096];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_add(&b, chunk, n);
	fclose(f);
	*len = b.len;
	return b.data;
}

static size_t walk(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return 0;
	size_t n = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		char path[4096];
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		struct stat st;
		if (stat(path, &st) != 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			n += walk(path);
			continue;
		}
		size_t l = strlen(e->d_name);
		if (l < 4 || strcmp(e->d_name + l - 4, ".rel") != 0)
			continue;
		size_t len;
		char *text = slurp(path, &len);
		same_both_ways(path, text, len);
		free(text);
		n++;
	}
	closedir(d);
	return n;
}

Test(parse_split, every_spec_of_the_tree_reads_the_same_in_halves)
{
	const char *root = getenv("RELC_SOURCE_ROOT");
	cr_assert_not_null(root, "RELC_SOURCE_ROOT must be set");
	char dir[4096];
	unsigned long before = relc_parse_halves;
	snprintf(dir, sizeof dir, "%s/tests", root);
	size_t n = walk(dir);
	snprintf(dir, sizeof dir, "%s/specs", root);
	n += walk(dir);
	cr_assert_gt(n, 100, "only %zu specs found", n);
	/* Most specs of the tree have a cut; those with errors fall back. */
	cr_assert_gt(relc_parse_halves - before, 50, "only %lu files were read in halves",
	             relc_parse_halves - before);
}

#define HEAD "release 1.0.0\nproject \"P\"\ndate 2026-11-26\n" \
	"previous 1111111111111111111111111111111111111111\n" \
	"target 2222222222222222222222222222222222222222\ndowntime 0s\n" \
	"verify \"V\" {\n    run true\n    estimate 1s\n}\n" \
	"after-rollback \"A\" {\n    run true\n}\n\n"

static void add_steps(struct buf *b, int from, int to, bool estimate)
{
	for (int i = from; i <= to; i++)
		buf_printf(b, "step \"S%d\" {\n    run systemctl restart s%d\n%s"
		           "    undo {\n        run systemctl stop s%d\n    }\n}\n\n",
		           i, i, estimate ? "    estimate 1s\n" : "", i);
}

Test(parse_split, a_warning_in_the_second_half_keeps_its_line)
{
	struct buf b;
	buf_init(&b);
	buf_puts(&b, HEAD);
	add_steps(&b, 1, 40, true);
	int line = 1;
	for (size_t i = 0; i < b.len; i++)
		line += b.data[i] == '\n';
	add_steps(&b, 41, 41, false); /* W101: no estimate, at `step` */
	add_steps(&b, 42, 50, true);

	unsigned long before = relc_parse_halves;
	relc_parse_split_min = 0;
	struct compile_options o = { 0 };
	o.no_git = true;
	o.diag.quiet = true;
	struct compile *c = compile_new(&o);
	compile_spec_text(c, "t.rel", b.data, b.len);
	relc_parse_split_min = (size_t)1 << 20;
	cr_assert_eq(relc_parse_halves - before, 1, "the spec was not read in halves");
	size_t found = 0;
	for (size_t i = 0; i < diag_count(c->diags); i++) {
		const struct diagnostic *d = diag_at(c->diags, i);
		if (d->code != DIAG_W101)
			continue;
		found++;
		cr_assert_eq(d->loc.line, line, "W101 at line %d, not %d", d->loc.line, line);
		cr_assert_eq(d->loc.col, 1);
	}
	cr_assert_eq(found, 1);
	compile_free(c);
	same_both_ways("t.rel", b.data, b.len);
	buf_free(&b);
}

Test(parse_split, a_cut_inside_a_here_document_is_not_taken)
{
	/* The middle of the file is a here-document whose body looks like the
	 * end of a block and the start of a step. */
	struct buf b;
	buf_init(&b);
	buf_puts(&b, HEAD);
	add_steps(&b, 1, 2, true);
	buf_puts(&b, "step \"Write\" {\n    run cat > /etc/x.conf <<'EOF'\n");
	for (int i = 0; i < 60; i++)
		buf_printf(&b, "}\n\nstep \"fake %d\" {\n", i);
	buf_puts(&b, "EOF\n    estimate 1s\n    undo {\n        run rm -f /etc/x.conf\n    }\n}\n\n");
	add_steps(&b, 3, 4, true);

	unsigned long before = relc_parse_halves;
	same_both_ways("t.rel", b.data, b.len);
	cr_assert_eq(relc_parse_halves, before, "a cut inside the here-document was taken");
	buf_free(&b);
}

Test(parse_split, a_cut_inside_a_block_is_not_taken)
{
	/* A line holding only "}" inside a block's command continues it. */
	struct buf b;
	buf_init(&b);
	buf_puts(&b, HEAD);
	buf_puts(&b, "step \"Long\" {\n    run printf '%s' \\\n");
	for (int i = 0; i < 60; i++)
		buf_puts(&b, "x \\\n}\n\nstep \\\n");
	buf_puts(&b, "end\n    estimate 1s\n    undo none \"prints\"\n}\n\n");
	add_steps(&b, 1, 2, true);

	unsigned long before = relc_parse_halves;
	same_both_ways("t.rel", b.data, b.len);
	cr_assert_eq(relc_parse_halves, before, "a cut inside a command was taken");
	buf_free(&b);
}

/* A file's counts of named blocks and its tail are the same read whole or
 * in halves, and the tail is where the statements end. */
Test(parse_split, block_counts_and_tail_survive_the_halves)
{
	struct buf b;
	buf_init(&b);
	buf_puts(&b, HEAD);
	add_steps(&b, 1, 60, true);
	size_t want[BLOCK_UNDO + 1] = { 0 };
	want[BLOCK_STEP] = 60;
	want[BLOCK_VERIFY] = 1;
	want[BLOCK_AFTER_ROLLBACK] = 1;
	for (int split = 0; split < 2; split++) {
		unsigned long before = relc_parse_halves;
		relc_parse_split_min = split ? 0 : SIZE_MAX;
		struct arena *a = arena_new();
		struct diag_set *ds = diag_set_new();
		struct file_ast *f = parse_text(a, ds, "t.rel", b.data, b.len);
		relc_parse_split_min = (size_t)1 << 20;
		cr_assert_eq(relc_parse_halves - before, (unsigned long)split);
		for (int k = 0; k <= BLOCK_UNDO; k++)
			cr_assert_eq(f->nblocks[k], want[k], "kind %d: %zu blocks, want %zu (split %d)",
			             k, f->nblocks[k], want[k], split);
		struct stmt **end = &f->stmts;
		while (*end)
			end = &(*end)->next;
		cr_assert_eq(f->tail, end, "the tail is not the last statement's (split %d)", split);
		diag_set_free(ds);
		arena_free(a);
	}
	buf_free(&b);
}
