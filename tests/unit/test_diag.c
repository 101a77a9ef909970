/* Unit tests of diag.c: the registry, severities, sorting, the printer. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "diag_json.h"

Test(diag, registry_is_complete_and_ordered)
{
	cr_assert_eq(DIAG__COUNT, 43);
	for (int i = 0; i < DIAG__COUNT; i++) {
		const struct diag_info *in = diag_info((enum diag_code)i);
		cr_assert_not_null(in);
		cr_assert_eq(strlen(in->code), 4);
		cr_assert_eq(in->severity, in->code[0] == 'E' ? SEV_ERROR : SEV_WARNING);
		cr_assert_gt(strlen(in->summary), 5);
		cr_assert_gt(strlen(in->explain), 20, "%s has no explanation", in->code);
		cr_assert_eq(diag_lookup(in->code), i);
	}
	cr_assert_eq(diag_lookup("e011"), DIAG_E011);
	cr_assert_eq(diag_lookup("E999"), -1);
}

Test(diag, werror_and_allow_irreversible_change_severity)
{
	struct diag_set *ds = diag_set_new();
	struct diag_options o = {0};
	o.werror = true;
	o.allow_irreversible = true;
	diag_set_options(ds, &o);
	struct loc l = {"a.rel", 1, 1};
	cr_assert_eq(diag_report(ds, DIAG_W101, l, "x")->severity, SEV_ERROR);
	cr_assert_eq(diag_errors(ds), 1);
	o.werror = false;
	diag_set_options(ds, &o);
	cr_assert_eq(diag_report(ds, DIAG_E011, l, "x")->severity, SEV_WARNING);
	cr_assert_eq(diag_warnings(ds), 1);
	diag_set_free(ds);
}

Test(diag, sorted_by_file_order_line_column)
{
	struct diag_set *ds = diag_set_new();
	diag_add_source(ds, "root.rel", "a\nb\nc\n", 6);
	diag_add_source(ds, "inc.rel", "x\n", 2);
	diag_report(ds, DIAG_E001, (struct loc){"inc.rel", 1, 1}, "i");
	diag_report(ds, DIAG_E001, (struct loc){"root.rel", 3, 1}, "r3");
	diag_report(ds, DIAG_E001, (struct loc){"root.rel", 1, 5}, "r1c5");
	diag_report(ds, DIAG_E001, (struct loc){"root.rel", 1, 2}, "r1c2");
	cr_assert_str_eq(diag_get(ds, 0)->message, "r1c2");
	cr_assert_str_eq(diag_get(ds, 1)->message, "r1c5");
	cr_assert_str_eq(diag_get(ds, 2)->message, "r3");
	cr_assert_str_eq(diag_get(ds, 3)->message, "i");
	diag_set_free(ds);
}

/* The effects pass reports a release's second half into a set of its own
 * and appends it: ties on location and code must keep report order, even
 * when the appended set was sorted before. */
Test(diag, append_keeps_report_order_and_counts)
{
	struct diag_set *to = diag_set_new(), *from = diag_set_new();
	diag_add_source(to, "root.rel", "a\nb\n", 4);
	struct loc l2 = { "root.rel", 2, 1 };
	diag_report(to, DIAG_W110, l2, "first");
	diag_report(from, DIAG_W110, l2, "second");
	diag_report(from, DIAG_W110, l2, "third");
	diag_report(from, DIAG_E012, (struct loc){ "root.rel", 1, 1 }, "error");
	cr_assert_eq(diag_count(from), 3); /* sorts from: report order is lost there */
	diag_set_append(to, from);
	cr_assert_eq(diag_count(from), 0);
	cr_assert_eq(diag_errors(from) + diag_warnings(from), 0);
	cr_assert_eq(diag_count(to), 4);
	cr_assert_eq(diag_errors(to), 1);
	cr_assert_eq(diag_warnings(to), 3);
	cr_assert_str_eq(diag_get(to, 0)->message, "error");
	cr_assert_str_eq(diag_get(to, 1)->message, "first");
	cr_assert_str_eq(diag_get(to, 2)->message, "second");
	cr_assert_str_eq(diag_get(to, 3)->message, "third");
	diag_set_free(from);
	diag_set_free(to);
}

Test(diag, text_format_has_location_excerpt_caret_and_notes)
{
	struct diag_set *ds = diag_set_new();
	diag_add_source(ds, "s.rel", "release 1\nstep \"x\" {\n", 20);
	struct diagnostic *d = diag_report(ds, DIAG_E010, (struct loc){"s.rel", 2, 6}, "no undo");
	diag_note(d, (struct loc){0}, "add one");
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	diag_print(ds, f);
	fclose(f);
	cr_assert_str_eq(out, "s.rel:2:6: error[E010]: no undo\n"
	                      "    2 | step \"x\" {\n"
	                      "      |      ^\n"
	                      "note: add one\n");
	free(out);
	diag_set_free(ds);
}

static char *printed(struct diag_set *ds)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	diag_print(ds, f);
	fclose(f);
	return out;
}

/* Each excerpt's line is found from where the one before was: the lines
 * must still be right in two files, on a second print (back to the top)
 * and past the end of the text. */
Test(diag, excerpts_from_the_right_lines_in_any_order_of_lookup)
{
	struct diag_set *ds = diag_set_new();
	diag_add_source(ds, "a.rel", "one\ntwo\nthree\nfour\n", 19);
	diag_add_source(ds, "b.rel", "bee1\nbee2\n", 10);
	diag_report(ds, DIAG_E001, (struct loc){"a.rel", 3, 1}, "m3");
	diag_report(ds, DIAG_E001, (struct loc){"b.rel", 2, 1}, "b2");
	diag_report(ds, DIAG_E001, (struct loc){"a.rel", 1, 1}, "m1");
	diag_report(ds, DIAG_E001, (struct loc){"a.rel", 4, 1}, "m4");
	diag_report(ds, DIAG_E001, (struct loc){"a.rel", 9, 1}, "past the end");
	const char *want = "a.rel:1:1: error[E001]: m1\n    1 | one\n      | ^\n"
	                   "a.rel:3:1: error[E001]: m3\n    3 | three\n      | ^\n"
	                   "a.rel:4:1: error[E001]: m4\n    4 | four\n      | ^\n"
	                   "a.rel:9:1: error[E001]: past the end\n    9 | \n      | ^\n"
	                   "b.rel:2:1: error[E001]: b2\n    2 | bee2\n      | ^\n";
	for (int round = 0; round < 2; round++) {
		char *out = printed(ds);
		cr_assert_str_eq(out, want, "print %d:\n%s", round + 1, out);
		free(out);
	}
	diag_set_free(ds);
}

/* Sets are sorted on two threads at once (the halves of a big spec); the
 * sort must keep no state outside the set it sorts. */
static void *sort_many(void *arg)
{
	const char *other = arg;
	for (int round = 0; round < 1000; round++) {
		struct diag_set *ds = diag_set_new();
		diag_add_source(ds, "root.rel", "a\n", 2);
		diag_add_source(ds, other, "b\n", 2);
		for (int i = 0; i < 64; i++)
			diag_report(ds, DIAG_E001, (struct loc){ i % 2 ? other : "root.rel", 64 - i, 1 }, "m");
		for (size_t i = 0; i < diag_count(ds); i++) {
			const struct diagnostic *d = diag_get(ds, i);
			bool root = strcmp(d->loc.file, "root.rel") == 0;
			if ((i < 32) != root) {
				diag_set_free(ds);
				return (void *)"out of order";
			}
		}
		diag_set_free(ds);
	}
	return NULL;
}

Test(diag, sets_sort_on_two_threads_at_once)
{
	pthread_t t;
	cr_assert_eq(pthread_create(&t, NULL, sort_many, "one.rel"), 0);
	void *mine = sort_many("two.rel");
	void *theirs = NULL;
	pthread_join(t, &theirs);
	cr_assert_null(mine, "this thread: %s", (const char *)mine);
	cr_assert_null(theirs, "the other thread: %s", (const char *)theirs);
}
