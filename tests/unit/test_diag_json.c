/* Unit tests of diag_json.c: the exact bytes of the JSON and SARIF printers
 * for cases the command line cannot reach (bytes that are not UTF-8, notes
 * without a place, absolute paths, several sets in one SARIF log). The tools
 * suite checks the structure of real runs with jq. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag_json.h"

/* Run a printer on ds and return what it wrote (malloc'd). */
static char *print_to_string(void (*print)(struct diag_set *, FILE *), struct diag_set *ds)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	cr_assert_not_null(f);
	print(ds, f);
	cr_assert_eq(fclose(f), 0);
	return text;
}

static struct diag_set *new_set(void)
{
	struct diag_set *ds = diag_set_new();
	struct diag_options o = {0};
	diag_set_options(ds, &o);
	return ds;
}

Test(diag_json, one_line_per_diagnostic_with_every_member)
{
	struct diag_set *ds = new_set();
	struct diagnostic *d = diag_report(ds, DIAG_E006, (struct loc){"specs/a.rel", 11, 14},
	                                   "undefined reference ${nope}");
	diag_set_end(d, 21);
	diag_note(d, (struct loc){"specs/shared.rel", 3, 5}, "did you mean ${note}?");
	diag_note(d, (struct loc){0}, "a hint");
	diag_report(ds, DIAG_W112, (struct loc){"specs/a.rel", 2, 1}, "no downtime");
	char *out = print_to_string(diag_print_json, ds);
	cr_assert_str_eq(out,
		"{\"file\":\"specs/a.rel\",\"line\":2,\"column\":1,\"end\":null,"
		"\"severity\":\"warning\",\"code\":\"W112\",\"message\":\"no downtime\",\"notes\":[]}\n"
		"{\"file\":\"specs/a.rel\",\"line\":11,\"column\":14,\"end\":21,"
		"\"severity\":\"error\",\"code\":\"E006\",\"message\":\"undefined reference ${nope}\","
		"\"notes\":[{\"file\":\"specs/shared.rel\",\"line\":3,\"column\":5,"
		"\"message\":\"did you mean ${note}?\"},"
		"{\"file\":null,\"line\":null,\"column\":null,\"message\":\"a hint\"}]}\n");
	free(out);
	diag_set_free(ds);
}

Test(diag_json, strings_are_escaped_and_kept_valid_utf8)
{
	struct diag_set *ds = new_set();
	/* quote, backslash, the short escapes, other control characters, DEL,
	 * valid UTF-8, and two bytes that are not UTF-8 */
	diag_report(ds, DIAG_E017, (struct loc){"a\"b\\c.rel", 1, 1},
	            "q\" b\\ n\n t\t r\r \x01\x1f\x7f é \xff\xc3 end");
	char *out = print_to_string(diag_print_json, ds);
	cr_assert_str_eq(out,
		"{\"file\":\"a\\\"b\\\\c.rel\",\"line\":1,\"column\":1,\"end\":null,"
		"\"severity\":\"error\",\"code\":\"E017\","
		"\"message\":\"q\\\" b\\\\ n\\n t\\t r\\r \\u0001\\u001f\\u007f é \\ufffd\\ufffd end\","
		"\"notes\":[]}\n");
	free(out);
	diag_set_free(ds);
}

Test(diag_json, no_line_means_null_location)
{
	struct diag_set *ds = new_set();
	diag_report(ds, DIAG_W108, (struct loc){"x.rel", 0, 0}, "file name");
	char *out = print_to_string(diag_print_json, ds);
	cr_assert(strstr(out, "{\"file\":\"x.rel\",\"line\":null,\"column\":null,\"end\":null,") == out,
	          "%s", out);
	free(out);
	diag_set_free(ds);
}

Test(diag_json, empty_set_prints_nothing)
{
	struct diag_set *ds = new_set();
	char *out = print_to_string(diag_print_json, ds);
	cr_assert_str_eq(out, "");
	free(out);
	diag_set_free(ds);
}

Test(diag_sarif, results_locations_and_related_locations)
{
	struct diag_set *ds = new_set();
	struct diagnostic *d = diag_report(ds, DIAG_E007, (struct loc){"specs/a b#1.rel", 8, 5},
	                                   "let \"app\" is already defined");
	diag_set_end(d, 8);
	diag_note(d, (struct loc){"/srv/specs/shared.rel", 7, 5}, "defined here");
	diag_note(d, (struct loc){0}, "rename one of them");
	char *out = print_to_string(diag_print_sarif, ds);
	cr_assert(strstr(out, "\"version\":\"2.1.0\""), "%s", out);
	cr_assert(strstr(out,
		"{\"ruleId\":\"E007\",\"ruleIndex\":6,\"level\":\"error\","
		"\"message\":{\"text\":\"let \\\"app\\\" is already defined\\nnote: rename one of them\"},"
		"\"locations\":[{\"physicalLocation\":{\"artifactLocation\":{\"uri\":\"specs/a%20b%231.rel\"},"
		"\"region\":{\"startLine\":8,\"startColumn\":5,\"endColumn\":8}}}],"
		"\"relatedLocations\":[{\"id\":0,\"physicalLocation\":{\"artifactLocation\":"
		"{\"uri\":\"file:///srv/specs/shared.rel\"},\"region\":{\"startLine\":7,\"startColumn\":5}},"
		"\"message\":{\"text\":\"defined here\"}}]}"), "%s", out);
	free(out);
	diag_set_free(ds);
}

Test(diag_sarif, every_registry_code_is_a_rule_at_its_index)
{
	struct diag_set *ds = new_set();
	char *out = print_to_string(diag_print_sarif, ds);
	const char *p = out;
	for (int i = 0; i < DIAG__COUNT; i++) {
		const struct diag_info *in = diag_info((enum diag_code)i);
		char want[64];
		snprintf(want, sizeof want, "{\"id\":\"%s\",\"name\":\"%s\"", in->code, in->name);
		const char *at = strstr(p, want);
		cr_assert_not_null(at, "rule %s missing or out of order", in->code);
		p = at + 1;
	}
	cr_assert(strstr(out, "\"results\":[],\n\"invocations\":[{\"executionSuccessful\":true}]}]}\n"),
	          "%s", out);
	free(out);
	diag_set_free(ds);
}

Test(diag_sarif, several_sets_make_one_log)
{
	struct diag_set *a = new_set(), *b = new_set();
	diag_report(a, DIAG_E010, (struct loc){"a.rel", 3, 1}, "first");
	diag_report(b, DIAG_W101, (struct loc){"b.rel", 4, 1}, "second");
	struct diag_set *sets[] = {a, b};
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	diag_print_sarif_sets(sets, 2, f);
	fclose(f);
	const char *first = strstr(text, "\"ruleId\":\"E010\"");
	const char *second = strstr(text, "\"ruleId\":\"W101\"");
	cr_assert(first && second && first < second, "%s", text);
	/* one log: "$schema" and "runs" once each */
	const char *s = strstr(text, "\"$schema\"");
	cr_assert(s && !strstr(s + 1, "\"$schema\""), "%s", text);
	cr_assert(strstr(text, "\"runs\":[{") && !strstr(strstr(text, "\"runs\":[{") + 1, "\"runs\""),
	          "%s", text);
	free(text);
	diag_set_free(a);
	diag_set_free(b);
}
