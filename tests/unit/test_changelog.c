/* Unit tests of emit_changelog.c: the section for one release (headings,
 * order of kinds, escaping) and changelog_update on existing files: a new
 * file, insertion after the title and [Unreleased], newest first by semantic
 * version, replacement in place, fenced code, link definitions, and that a
 * second update leaves the text as the first one did. Specs are compiled
 * from memory with --no-git. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compile.h"
#include "emit_changelog.h"

#define PINS "previous 1111111111111111111111111111111111111111\n" \
	"target 2222222222222222222222222222222222222222\ndowntime 0s\n"

#define STEP "step \"S\" {\n    run true\n    undo none \"nothing\"\n}\n"

static struct compile *compile_version(const char *version, const char *date,
                                       const char *changes)
{
	struct compile_options o = { 0 };
	struct buf spec;

	o.no_git = true;
	o.diag.quiet = true;
	buf_init(&spec);
	buf_printf(&spec, "release %s\nproject \"P\"\ndate %s\n" PINS STEP "%s",
	           version, date, changes);
	struct compile *c = compile_new(&o);
	bool ok = compile_spec_text(c, "t.rel", spec.data, spec.len);
	buf_free(&spec);
	cr_assert(ok, "the test spec must compile");
	return c;
}

static char *section(const char *version, const char *date, const char *changes)
{
	struct compile *c = compile_version(version, date, changes);
	struct buf out;

	buf_init(&out);
	emit_changelog_md(&out, c);
	compile_free(c);
	return buf_steal(&out);
}

/* changelog_update for a release with one API entry, on `old` (or NULL). */
static char *update(const char *version, const char *old)
{
	struct compile *c = compile_version(version, "2026-11-26",
	                                    "changes {\n    api added \"New\"\n}\n");
	struct buf out;

	buf_init(&out);
	changelog_update(&out, c, old, old ? strlen(old) : 0);
	compile_free(c);
	return buf_steal(&out);
}

#define SEC(v) "## [" v "] - 2026-11-26\n\n### API\n- Added: New\n"

TestSuite(changelog);

Test(changelog, section_matches_the_design_example)
{
	char *s = section("0.3.0", "2026-11-26",
	    "changes {\n"
	    "    api added \"GET /v1/alerts lists active service alerts for a route\"\n"
	    "    api changed \"GET /v1/eta responses carry an alerts array\"\n"
	    "    backend added \"Alert rules are evaluated after every ride summary\"\n"
	    "    backend database \"New tables alerts and alert_rules\"\n"
	    "    migration schema \"CREATE TABLE alerts, CREATE TABLE alert_rules\"\n"
	    "    migration index \"alerts(route_id, active)\"\n"
	    "}\n");
	cr_assert_str_eq(s,
	    "## [0.3.0] - 2026-11-26\n"
	    "\n"
	    "### API\n"
	    "- Added: GET /v1/alerts lists active service alerts for a route\n"
	    "- Changed: GET /v1/eta responses carry an alerts array\n"
	    "\n"
	    "### Backend\n"
	    "- Added: Alert rules are evaluated after every ride summary\n"
	    "- Database: New tables alerts and alert_rules\n");
	free(s);
}

Test(changelog, kinds_in_language_order_breaking_first)
{
	char *s = section("2.0.0", "2026-01-02",
	    "changes {\n"
	    "    backend database \"d\"\n"
	    "    api removed \"r\"\n"
	    "    backend performance \"p\"\n"
	    "    api fixed \"f\"\n"
	    "    backend fixed \"bf\"\n"
	    "    api changed \"c\"\n"
	    "    backend changed \"bc\"\n"
	    "    api added \"a\"\n"
	    "    backend added \"ba\"\n"
	    "    api breaking \"b\"\n"
	    "    api added \"a2\"\n"
	    "}\n");
	cr_assert_str_eq(s,
	    "## [2.0.0] - 2026-01-02\n\n"
	    "### API\n"
	    "- **Breaking**: b\n- Added: a\n- Added: a2\n- Changed: c\n- Fixed: f\n"
	    "- Removed: r\n\n"
	    "### Backend\n"
	    "- Added: ba\n- Changed: bc\n- Fixed: bf\n- Performance: p\n- Database: d\n");
	free(s);
}

Test(changelog, empty_headings_left_out)
{
	char *s = section("1.0.0", "2026-01-02",
	                  "changes {\n    backend fixed \"only backend\"\n"
	                  "    migration data \"not in the changelog\"\n}\n");
	cr_assert_str_eq(s, "## [1.0.0] - 2026-01-02\n\n### Backend\n- Fixed: only backend\n");
	free(s);
	s = section("1.0.1", "2026-01-03", "");
	cr_assert_str_eq(s, "## [1.0.1] - 2026-01-03\n");
	free(s);
}

/* Known issues belong to plan.md and the JSON, not to the changelog
 * (docs/artefacts.md): the section is the same with or without one. */
Test(changelog, known_issues_left_out)
{
	char *with = section("1.0.0", "2026-01-02",
	                     "changes {\n    backend fixed \"only backend\"\n}\n"
	                     "known-issue \"Receipts are English only\"\n");
	char *without = section("1.0.0", "2026-01-02",
	                        "changes {\n    backend fixed \"only backend\"\n}\n");
	cr_assert_str_eq(with, without);
	cr_assert_null(strstr(with, "Receipts"));
	free(with);
	free(without);
}

Test(changelog, entries_render_as_written)
{
	char *s = section("1.0.0", "2026-01-02",
	    "changes {\n    api added \"*bold* `code` [link](x) <b> with_under _edge_ a\\nb\"\n}\n");
	cr_assert_str_eq(s, "## [1.0.0] - 2026-01-02\n\n### API\n"
	    "- Added: \\*bold\\* \\`code\\` \\[link\\](x) \\<b> with_under \\_edge\\_ a b\n");
	free(s);
}

Test(changelog, missing_file_gets_a_title)
{
	char *s = update("0.3.0", NULL);
	cr_assert_str_eq(s, "# Changelog\n\n" SEC("0.3.0"));
	free(s);
	s = update("0.3.0", " \n\n");
	cr_assert_str_eq(s, "# Changelog\n\n" SEC("0.3.0"));
	free(s);
}

Test(changelog, inserted_after_title_before_first_version)
{
	char *s = update("0.3.0", "# Changelog\n\nIntro text.\n\n## [0.2.0] - 2026-10-01\n- old\n");
	cr_assert_str_eq(s, "# Changelog\n\nIntro text.\n\n" SEC("0.3.0")
	                    "\n## [0.2.0] - 2026-10-01\n- old\n");
	free(s);
}

Test(changelog, inserted_after_unreleased)
{
	char *s = update("0.3.0", "# Changelog\n\n## [Unreleased]\n- wip\n\n"
	                          "## [0.2.0] - 2026-10-01\n- old\n");
	cr_assert_str_eq(s, "# Changelog\n\n## [Unreleased]\n- wip\n\n" SEC("0.3.0")
	                    "\n## [0.2.0] - 2026-10-01\n- old\n");
	free(s);
}

Test(changelog, title_only_without_final_newline)
{
	char *s = update("0.3.0", "# Changelog");
	cr_assert_str_eq(s, "# Changelog\n\n" SEC("0.3.0"));
	free(s);
}

Test(changelog, same_version_replaced_in_place)
{
	const char *old = "# Changelog\n\n## [0.4.0] - 2027-01-01\n- newer\n\n"
	                  "## [0.3.0] - 2026-11-01\n\n### API\n- Added: Stale\n\n"
	                  "## [0.2.0] - 2026-10-01\n- old\n";
	char *s = update("0.3.0", old);
	cr_assert_str_eq(s, "# Changelog\n\n## [0.4.0] - 2027-01-01\n- newer\n\n"
	                    SEC("0.3.0") "\n## [0.2.0] - 2026-10-01\n- old\n");
	free(s);
}

Test(changelog, last_section_replaced_link_definitions_kept)
{
	const char *old = "# Changelog\n\n## [0.3.0] - 2026-11-01\n- stale\n\n"
	                  "[0.3.0]: https://example.org/v0.3.0\n";
	char *s = update("0.3.0", old);
	cr_assert_str_eq(s, "# Changelog\n\n" SEC("0.3.0")
	                    "\n[0.3.0]: https://example.org/v0.3.0\n");
	free(s);
}

Test(changelog, appended_before_trailing_link_definitions)
{
	char *s = update("0.3.0", "# Changelog\n\n[0.2.0]: https://example.org\n");
	cr_assert_str_eq(s, "# Changelog\n\n" SEC("0.3.0") "\n[0.2.0]: https://example.org\n");
	free(s);
}

Test(changelog, newest_first_by_semantic_version)
{
	const char *old = "# Changelog\n\n## [0.10.0] - 2027-01-01\n- a\n\n"
	                  "## [0.2.0] - 2026-10-01\n- b\n";
	char *s = update("0.3.0", old); /* 0.10.0 > 0.3.0 > 0.2.0, numerically */
	cr_assert_str_eq(s, "# Changelog\n\n## [0.10.0] - 2027-01-01\n- a\n\n"
	                    SEC("0.3.0") "\n## [0.2.0] - 2026-10-01\n- b\n");
	free(s);
	/* A pre-release ranks below its release and above the one before. */
	old = "# Changelog\n\n## [1.0.0] - 2027-02-01\n- a\n\n## [0.9.0] - 2027-01-01\n- b\n";
	s = update("1.0.0-rc.1", old);
	cr_assert_str_eq(s, "# Changelog\n\n## [1.0.0] - 2027-02-01\n- a\n\n"
	                    SEC("1.0.0-rc.1") "\n## [0.9.0] - 2027-01-01\n- b\n");
	free(s);
	/* Older than everything: after the last version section. */
	s = update("0.1.0", "# Changelog\n\n## [0.2.0] - 2026-10-01\n- b\n");
	cr_assert_str_eq(s, "# Changelog\n\n## [0.2.0] - 2026-10-01\n- b\n\n" SEC("0.1.0"));
	free(s);
}

Test(changelog, headings_inside_fenced_code_ignored)
{
	const char *old = "# Changelog\n\n```\n## [0.3.0] - not a heading\n```\n\n"
	                  "## [0.2.0] - 2026-10-01\n- b\n";
	char *s = update("0.3.0", old);
	cr_assert_str_eq(s, "# Changelog\n\n```\n## [0.3.0] - not a heading\n```\n\n"
	                    SEC("0.3.0") "\n## [0.2.0] - 2026-10-01\n- b\n");
	free(s);
}

Test(changelog, unclosed_fence_hides_nothing)
{
	/* A fence never closed is not a fence: the heading after it counts, and
	 * the section appended after it is found again by the next update. */
	const char *old = "# Changelog\n\n```\n## [0.2.0]\n- b\n";
	char *s = update("0.3.0", old);
	cr_assert_str_eq(s, "# Changelog\n\n```\n\n" SEC("0.3.0") "\n## [0.2.0]\n- b\n");
	char *again = update("0.3.0", s);
	cr_assert_str_eq(again, s);
	free(again);
	free(s);
}

Test(changelog, fence_closes_only_without_info_string)
{
	/* "```sh" cannot close a fence, so the heading after it is still code. */
	const char *old = "# Changelog\n\n```\n```sh\n## [0.3.0] - in code\n```\n\n"
	                  "## [0.2.0]\n- b\n";
	char *s = update("0.3.0", old);
	cr_assert_str_eq(s, "# Changelog\n\n```\n```sh\n## [0.3.0] - in code\n```\n\n"
	                    SEC("0.3.0") "\n## [0.2.0]\n- b\n");
	free(s);
}

Test(changelog, unbracketed_and_v_prefixed_versions)
{
	char *s = update("0.3.0", "# Changelog\n\n## v0.3.0 (old)\n- stale\n\n## 0.2.0\n- b\n");
	cr_assert_str_eq(s, "# Changelog\n\n" SEC("0.3.0") "\n## 0.2.0\n- b\n");
	free(s);
}

Test(changelog, file_without_title)
{
	char *s = update("0.3.0", "## [0.2.0] - 2026-10-01\n- b\n");
	cr_assert_str_eq(s, SEC("0.3.0") "\n## [0.2.0] - 2026-10-01\n- b\n");
	free(s);
}

Test(changelog, second_update_changes_nothing)
{
	static const char *const inputs[] = {
		NULL,
		"",
		"# Changelog",
		"# Changelog\n\n## [Unreleased]\n- wip\n",
		"# Changelog\n\n## [Unreleased]\n- wip\n\n## [0.2.0] - 2026-10-01\n- b\n",
		"# Changelog\n\n## [0.3.0] - 2026-01-01\n- stale\n\n\n\n## [0.2.0]\n- b\n",
		"# Changelog\n\n## [0.2.0]\n- b\n\n[0.2.0]: https://example.org\n",
		"# Changelog\n\n## [0.4.0]\n- a\n\n## [0.2.0]\n- b\n\n# Another title\n",
		"intro without title\n\n```\n## [0.3.0]\n```\n",
		"# Changelog\n~~~\n## [0.3.0]\n",
		"# Changelog\r\n\r\n## [0.3.0] - 2026-01-01\r\n- stale\r\n",
	};
	for (size_t i = 0; i < sizeof inputs / sizeof inputs[0]; i++) {
		char *once = update("0.3.0", inputs[i]);
		char *twice = update("0.3.0", once);
		cr_assert_str_eq(twice, once, "input %zu changed on the second update", i);
		cr_assert_not_null(strstr(once, SEC("0.3.0")), "input %zu lost the section", i);
		free(once);
		free(twice);
	}
}
