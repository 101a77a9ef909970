/* Unit tests of the front end: scanner, grammar and AST conversion. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "diag.h"
#include "parse.h"

static struct arena *arena;
static struct diag_set *ds;

static void setup(void)
{
	arena = arena_new();
	ds = diag_set_new();
}

static void teardown(void)
{
	diag_set_free(ds);
	arena_free(arena);
}

static struct file_ast *parse(const char *text)
{
	diag_add_source(ds, "t.rel", text, strlen(text));
	return parse_text(arena, ds, "t.rel", text, strlen(text));
}

/* The first diagnostic with this code, or NULL. */
static const struct diagnostic *find(enum diag_code code)
{
	for (size_t i = 0; i < diag_count(ds); i++)
		if (diag_get(ds, i)->code == code)
			return diag_get(ds, i);
	return NULL;
}

static struct block *first_block(struct file_ast *f)
{
	for (struct stmt *s = f->stmts; s; s = s->next)
		if (s->kind == STMT_BLOCK)
			return s->block;
	return NULL;
}

TestSuite(parse, .init = setup, .fini = teardown);

Test(parse, metadata_and_definitions)
{
	struct file_ast *f = parse("release 1.4.0-rc.1+b7\nproject \"My API\"\n"
	                           "let app = /opt/app\nenv TOKEN\ninclude \"x.rel\"\n");
	cr_assert_eq(diag_count(ds), 0);
	struct stmt *s = f->stmts;
	cr_assert_eq(s->kind, STMT_META);
	cr_assert_eq(s->meta, META_RELEASE);
	cr_assert_str_eq(s->value->raw, "1.4.0-rc.1+b7");
	s = s->next;
	cr_assert_eq(s->meta, META_PROJECT);
	cr_assert(s->value->quoted);
	cr_assert_str_eq(s->value->expanded, "My API");
	s = s->next;
	cr_assert_eq(s->kind, STMT_LET);
	cr_assert_str_eq(s->name, "app");
	cr_assert_str_eq(s->value->raw, "/opt/app");
	cr_assert_eq(s->name_loc.line, 3);
	cr_assert_eq(s->name_loc.col, 5);
	s = s->next;
	cr_assert_eq(s->kind, STMT_ENV);
	s = s->next;
	cr_assert_eq(s->kind, STMT_INCLUDE);
	cr_assert_null(s->next);
}

Test(parse, keywords_are_words_after_the_first)
{
	struct file_ast *f = parse("let step = run\n");
	cr_assert_eq(diag_count(ds), 0);
	cr_assert_str_eq(f->stmts->name, "step");
	cr_assert_str_eq(f->stmts->value->raw, "run");
}

Test(parse, command_is_verbatim_rest_of_line)
{
	struct file_ast *f = parse("step \"s\" {\n    run   echo 'a  #b' \"$x\" # not a comment   \n"
	                           "    undo none \"nothing\"\n}\n");
	cr_assert_eq(diag_count(ds), 0);
	struct block *b = first_block(f);
	cr_assert_str_eq(b->cmds->text, "echo 'a  #b' \"$x\" # not a comment");
	cr_assert_eq(b->cmds->loc.line, 2);
	cr_assert_eq(b->cmds->loc.col, 11);
	cr_assert_eq(command_kw_loc(b->cmds).col, 5);
	cr_assert_eq(b->undo_kind, UNDO_NONE);
	cr_assert_str_eq(b->undo_reason, "nothing");
}

/* Columns count characters: the scanner skips ASCII eight bytes at a time,
 * so multi-byte text inside long tokens must still count one column a
 * character, on the line and after it. */
Test(parse, columns_count_characters_in_long_tokens)
{
	struct file_ast *f = parse("step \"étape numéro un, déployée\" {\n"
	                           "    run echo \"ünïcödé ñ ok\" déjà-vu-long-word && true\n"
	                           "    expect stdout \"€€€€€€€€€€\" junk\n"
	                           "    undo none \"x\"\n}\n");
	struct block *b = first_block(f);
	cr_assert_eq(b->name_value->loc.col, 6);
	cr_assert_eq(b->cmds->loc.line, 2);
	cr_assert_eq(b->cmds->loc.col, 9);
	const struct diagnostic *d = find(DIAG_E001);
	cr_assert_not_null(d);
	cr_assert_eq(d->loc.line, 3);
	cr_assert_eq(d->loc.col, 32, "junk is the 32nd character of its line, the 52nd byte");
}

Test(parse, backslash_continuation_keeps_the_newline)
{
	struct file_ast *f = parse("check \"c\" {\n    run curl -X POST \\\n        -d x\n"
	                           "    expect stdout empty\n}\n");
	cr_assert_eq(diag_count(ds), 0);
	struct block *b = first_block(f);
	cr_assert_str_eq(b->cmds->text, "curl -X POST \\\n        -d x");
	cr_assert_not_null(b->cmds->expects);
	cr_assert_eq(b->cmds->expects->kind, EXPECT_EMPTY);
}

Test(parse, heredoc_forms_extend_the_command)
{
	const char *forms[] = {"<<EOF", "<<-EOF", "<<'EOF'", "<<\"EOF\""};
	for (size_t i = 0; i < 4; i++) {
		char text[256];
		/* <<- also closes at a tab-indented delimiter; the others do not */
		snprintf(text, sizeof text,
		         "check \"c\" {\n    run cat %s\n  a } b \"\n\tEOF%s\n    expect stdout not-empty\n}\n",
		         forms[i], i == 1 ? "" : "\nEOF");
		struct file_ast *f = parse(text);
		struct block *b = first_block(f);
		cr_assert_not_null(b, "form %s", forms[i]);
		if (i == 1) {
			cr_assert_eq(diag_errors(ds), 0, "form %s", forms[i]);
			cr_assert(strstr(b->cmds->text, "  a } b \"\n\tEOF") != NULL);
			cr_assert_not_null(b->cmds->expects);
			continue;
		}
		cr_assert_eq(diag_errors(ds), 0, "form %s", forms[i]);
		cr_assert(strstr(b->cmds->text, "  a } b \"\n\tEOF\nEOF") != NULL, "form %s: %s",
		          forms[i], b->cmds->text);
		cr_assert_not_null(b->cmds->expects);
	}
}

Test(parse, unclosed_heredoc_is_e002_at_its_operator)
{
	parse("check \"c\" {\n    run cat <<END\nhello\n}\n");
	const struct diagnostic *d = NULL;
	for (size_t i = 0; i < diag_count(ds); i++)
		if (strstr(diag_get(ds, i)->message, "here-document"))
			d = diag_get(ds, i);
	cr_assert_not_null(d);
	cr_assert_eq(d->code, DIAG_E002);
	cr_assert_eq(d->loc.line, 2);
	cr_assert_eq(d->loc.col, 13);
}

Test(parse, unterminated_string_and_block)
{
	parse("project \"abc\nstep \"s\" {\n    run true\n");
	const struct diagnostic *d = diag_get(ds, 0);
	cr_assert_eq(d->code, DIAG_E002);
	cr_assert_eq(d->loc.line, 1);
	cr_assert_eq(d->loc.col, 9);
	d = diag_get(ds, 1);
	cr_assert_eq(d->code, DIAG_E002);
	cr_assert_eq(d->loc.line, 2);
	cr_assert_eq(d->loc.col, 1);
}

Test(parse, string_escapes_and_references)
{
	struct file_ast *f = parse("let x = \"a\\tb \\\"q\\\" \\$ ${app}/z\"\n");
	cr_assert_eq(diag_count(ds), 0);
	struct value *v = f->stmts->value;
	cr_assert_eq(v->nsegs, 3);
	cr_assert_str_eq(v->segs[0].text, "a\tb \"q\" $ ");
	cr_assert_eq(v->segs[1].kind, SEG_REF);
	cr_assert_str_eq(v->segs[1].text, "app");
	cr_assert_eq(v->segs[1].loc.col, 24);
	cr_assert_str_eq(v->segs[2].text, "/z");
	cr_assert_null(v->expanded);
}

Test(parse, bad_escape_is_reported)
{
	parse("let x = \"a\\qb\"\n");
	const struct diagnostic *d = find(DIAG_E001);
	cr_assert_not_null(d);
	cr_assert_eq(d->loc.col, 11);
}

Test(parse, every_expect_form)
{
	struct file_ast *f = parse(
		"check \"c\" {\n    run x\n"
		"    expect exit 3\n    expect stdout \"ok\"\n    expect stderr contains \"w\"\n"
		"    expect stdout matches \"^a+$\"\n    expect stdout empty\n"
		"    expect stderr not-empty\n    expect stdout >= 10\n    expect stdout != -2\n}\n");
	cr_assert_eq(diag_count(ds), 0);
	struct expect *e = first_block(f)->cmds->expects;
	enum expect_kind kinds[] = {EXPECT_EXIT, EXPECT_EQUALS, EXPECT_CONTAINS, EXPECT_MATCHES,
	                            EXPECT_EMPTY, EXPECT_NOT_EMPTY, EXPECT_COMPARE, EXPECT_COMPARE};
	for (size_t i = 0; i < 8; i++, e = e->next) {
		cr_assert_not_null(e);
		cr_assert_eq(e->kind, kinds[i], "expect #%zu", i);
	}
	cr_assert_null(e);
	e = first_block(f)->cmds->expects;
	cr_assert_eq(e->number, 3);
	cr_assert_eq(e->next->next->stream, STREAM_STDERR);
	cr_assert_eq(e->next->next->next->next->next->next->op, CMP_GE);
	cr_assert_eq(e->next->next->next->next->next->next->next->number, -2);
}

Test(parse, negated_expects)
{
	struct file_ast *f = parse(
		"check \"c\" {\n    run x\n"
		"    expect stdout not contains \"panic\"\n"
		"    expect stderr not matches \"^E[0-9]+\"\n"
		"    expect stdout not\n}\n");
	cr_assert_eq(diag_count(ds), 0);
	struct expect *e = first_block(f)->cmds->expects;
	cr_assert_eq(e->kind, EXPECT_NOT_CONTAINS);
	cr_assert_eq(e->stream, STREAM_STDOUT);
	cr_assert_str_eq(e->text->expanded, "panic");
	e = e->next;
	cr_assert_eq(e->kind, EXPECT_NOT_MATCHES);
	cr_assert_eq(e->stream, STREAM_STDERR);
	cr_assert_str_eq(e->text->expanded, "^E[0-9]+");
	/* a lone `not` is the text it spells, as any bare word */
	e = e->next;
	cr_assert_eq(e->kind, EXPECT_EQUALS);
	cr_assert_str_eq(e->text->expanded, "not");
}

Test(parse, not_before_other_conditions_is_e001)
{
	parse("check \"c\" {\n    run x\n    expect stdout not empty\n"
	      "    expect stdout not \"x\"\n    expect stdout not matches \"a(\"\n}\n");
	cr_assert_eq(diag_count(ds), 3);
	cr_assert_eq(diag_get(ds, 0)->code, DIAG_E001);
	cr_assert_eq(diag_get(ds, 0)->loc.line, 3);
	cr_assert_eq(diag_get(ds, 0)->loc.col, 23);
	cr_assert_eq(diag_get(ds, 1)->code, DIAG_E001);
	cr_assert_eq(diag_get(ds, 2)->code, DIAG_E005);
	cr_assert_eq(diag_get(ds, 2)->loc.col, 31);
}

Test(parse, bad_regex_is_e005)
{
	parse("check \"c\" {\n    run x\n    expect stdout matches \"a(\"\n}\n");
	const struct diagnostic *d = find(DIAG_E005);
	cr_assert_not_null(d);
	cr_assert_eq(d->loc.line, 3);
	cr_assert_eq(d->loc.col, 27);
}

Test(parse, durations_and_ranges)
{
	struct file_ast *f = parse("step \"s\" {\n    run x\n    estimate 1m30s..2m\n"
	                           "    timeout 250ms\n    undo none \"n\"\n}\n");
	struct block *b = first_block(f);
	cr_assert_eq(b->estimate.min_ms, 90000);
	cr_assert_eq(b->estimate.max_ms, 120000);
	cr_assert_eq(b->timeout->max_ms, 250);
	/* timeout below the estimate's upper bound */
	const struct diagnostic *d = find(DIAG_E005);
	cr_assert_not_null(d);
	cr_assert_eq(d->loc.line, 4);
}

Test(parse, bad_durations)
{
	const char *bad[] = {"1x", "s", "30s1m", "1m1m", "", "5s..", "..5s", "3s..2s"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		teardown();
		setup();
		char text[128];
		snprintf(text, sizeof text, "check \"c\" {\n    run x\n    estimate %s\n}\n", bad[i]);
		parse(text);
		cr_assert_geq(diag_errors(ds), 1, "estimate '%s' accepted", bad[i]);
	}
}

Test(parse, misplaced_statements_are_e003)
{
	parse("run x\nundo none \"r\"\ncheck \"c\" {\n    run x\n    undo {\n"
	      "        run y\n    }\n    checksum A\n    release 1.0.0\n    on-failure rollback\n}\n");
	int lines[] = {1, 2, 5, 8, 9, 10};
	size_t n = 0;
	for (size_t i = 0; i < diag_count(ds); i++) {
		const struct diagnostic *d = diag_get(ds, i);
		cr_assert_eq(d->code, DIAG_E003, "line %d: %s", d->loc.line, d->message);
		cr_assert_lt(n, 6);
		cr_assert_eq(d->loc.line, lines[n], "got line %d", d->loc.line);
		n++;
	}
	cr_assert_eq(n, 6);
}

Test(parse, expect_before_any_command)
{
	parse("check \"c\" {\n    expect stdout empty\n    run x\n}\n");
	const struct diagnostic *d = find(DIAG_E003);
	cr_assert_not_null(d);
	cr_assert_eq(d->loc.line, 2);
}

Test(parse, syntax_error_recovers_per_line)
{
	parse("let = 5\nstep \"s\" x {\n    run true\n    undo none \"r\"\n}\nproject \"p\" extra\n");
	unsigned e001 = 0;
	for (size_t i = 0; i < diag_count(ds); i++)
		if (diag_get(ds, i)->code == DIAG_E001)
			e001++;
	cr_assert_geq(e001, 3);
	cr_assert_eq(diag_get(ds, 0)->loc.line, 1);
	cr_assert_eq(diag_get(ds, 0)->loc.col, 5);
	cr_assert(strstr(diag_get(ds, 0)->message, "expected word") != NULL,
	          "%s", diag_get(ds, 0)->message);
}

Test(parse, changes_block_and_from_git)
{
	struct file_ast *f = parse("changes {\n    api breaking \"x\"\n    migration index \"i\"\n"
	                           "    backend nope \"n\"\n}\nchanges from-git\nknown-issue \"k\"\n");
	struct stmt *s = f->stmts;
	cr_assert_eq(s->kind, STMT_CHANGES);
	cr_assert_eq(s->changes->area, AREA_API);
	cr_assert_eq(s->changes->kind, CHANGE_BREAKING);
	cr_assert_eq(s->changes->next->kind, CHANGE_INDEX);
	cr_assert_null(s->changes->next->next);
	cr_assert_eq(s->next->kind, STMT_CHANGES_FROM_GIT);
	cr_assert_eq(s->next->next->kind, STMT_KNOWN_ISSUE);
	const struct diagnostic *d = find(DIAG_E005);
	cr_assert_not_null(d);
	cr_assert_eq(d->loc.line, 4);
	cr_assert_eq(d->loc.col, 13);
}

Test(parse, encoding_errors_are_reported_and_parsing_goes_on)
{
	const char text[] = "release 1.0.0\nproject \"a\xff\"\nlet x = \xc3\x28\nlet y = 1\0z\n";
	struct file_ast *f = parse_text(arena, ds, "t.rel", text, sizeof text - 1);
	unsigned e017 = 0;
	for (size_t i = 0; i < diag_count(ds); i++)
		if (diag_get(ds, i)->code == DIAG_E017)
			e017++;
	cr_assert_eq(e017, 3);
	const struct diagnostic *d = find(DIAG_E017);
	cr_assert_eq(d->loc.line, 2);
	cr_assert_eq(d->loc.col, 11);
	int n = 0;
	for (struct stmt *s = f->stmts; s; s = s->next)
		n++;
	cr_assert_eq(n, 4);
}

Test(parse, deep_nesting_is_an_error_not_a_crash)
{
	struct buf b;
	buf_init(&b);
	for (int i = 0; i < 20000; i++)
		buf_puts(&b, "step \"x\" {\n");
	diag_add_source(ds, "t.rel", b.data, b.len);
	parse_text(arena, ds, "t.rel", b.data, b.len);
	buf_free(&b);
	cr_assert_geq(diag_errors(ds), 1);
}

Test(parse, crlf_line_endings)
{
	struct file_ast *f = parse("release 1.0.0\r\nstep \"s\" {\r\n    run true\r\n    undo none \"n\"\r\n}\r\n");
	cr_assert_eq(diag_errors(ds), 0);
	cr_assert_str_eq(first_block(f)->cmds->text, "true");
}

/* The scanner gives a newline or a byte back to be read again in another
 * state; it must not count it twice. */
Test(parse, a_bare_run_keeps_the_lines_that_follow)
{
	parse("release 1.0.0\nstep \"a\" {\n    run\n    frob x y z\n}\n");
	const struct diagnostic *d = find(DIAG_E001);
	cr_assert_not_null(d);
	cr_assert_eq(d->loc.line, 3, "reported at line %d", d->loc.line);
	cr_assert_eq(d->loc.col, 8, "reported at column %d", d->loc.col);
	for (size_t i = 0; i < diag_count(ds); i++)
		cr_assert_leq(diag_get(ds, i)->loc.line, 4, "line %d is past the step's text",
		              diag_get(ds, i)->loc.line);
}

Test(parse, a_capture_without_a_name_keeps_its_columns)
{
	parse("release 1.0.0\nstep \"a\" {\n    capture 9X = ls\n}\n");
	const struct diagnostic *d = find(DIAG_E001);
	cr_assert_not_null(d);
	cr_assert_eq(d->loc.line, 3);
	cr_assert_eq(d->loc.col, 18, "reported at column %d (ls is at 18)", d->loc.col);
}
