/* fuzz_relc.c - libFuzzer harness over the whole relc pipeline.
 *
 * One input is one spec: it is parsed, resolved, checked (without git) and,
 * when it compiles, every artefact is emitted in memory and the changelog
 * update runs against a small fixed CHANGELOG. Everything is freed so that
 * LeakSanitizer can tell a real leak from the harness. Built by
 * `CC=clang meson setup build-fuzz -Dfuzz=true`; run by tests/fuzz/run-fuzz.sh. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <git2.h>

#include "compile.h"
#include "diag.h"
#include "diag_json.h"
#include "emit.h"
#include "emit_changelog.h"
#include "parse.h"
#include "util.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* An existing changelog with a title, an [Unreleased] section and an older
 * release, so the update has something to insert between and to replace. */
static const char old_changelog[] =
	"# Changelog\n"
	"\n"
	"All notable changes to this service.\n"
	"\n"
	"## [Unreleased]\n"
	"\n"
	"- nothing yet\n"
	"\n"
	"## [0.3.0] - 2026-11-26\n"
	"\n"
	"### API\n"
	"- Added: an older text of this version\n"
	"\n"
	"## [0.2.0] - 2026-10-05\n"
	"\n"
	"### API\n"
	"- Added: GET /v1/eta returns arrival estimates for a stop\n";

/* Diagnostics are printed too (the printer reads the source lines back), but
 * to /dev/null: the fuzzer's own output must stay readable. */
static FILE *sink;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	sink = fopen("/dev/null", "w");
	/* Each compile initialises libgit2 and shuts it down again; on Debian
	 * that loads the system's CA certificates every time (~50 ms). Holding
	 * one reference for the whole run makes those calls reference counts. */
	git_libgit2_init();
	return 0;
}

typedef void (*emit_fn)(struct buf *, const struct compile *);

static void emit_all(const struct compile *c)
{
	static const emit_fn fns[] = {
		emit_deploy_sh, emit_rollback_sh, emit_plan_md, emit_changelog_md, emit_json,
	};
	for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++) {
		struct buf out;
		buf_init(&out);
		fns[i](&out, c);
		buf_free(&out);
	}
	for (int with_old = 0; with_old < 2; with_old++) {
		struct buf out;
		buf_init(&out);
		if (with_old)
			changelog_update(&out, c, old_changelog, sizeof old_changelog - 1);
		else
			changelog_update(&out, c, NULL, 0);
		buf_free(&out);
	}
}

/* The diagnostics as JSON and, when it compiled, the release as JSON. */
static char *digest(const uint8_t *data, size_t size)
{
	struct compile_options o = {0};
	o.no_git = true;
	o.diag.quiet = true;
	struct compile *c = compile_new(&o);
	bool ok = compile_spec_text(c, "fuzz.rel", (const char *)data, size);
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	if (!f)
		abort();
	diag_print_json(c->diags, f);
	if (ok) {
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

/* A big spec is parsed in two halves when it can be cut between two
 * statements (parse.c); with the threshold at 0 every input is, so the cut
 * is fuzzed too: it must change nothing. Half the inputs, to keep the pace. */
static void same_in_halves(const uint8_t *data, size_t size)
{
	size_t saved = relc_parse_split_min;
	relc_parse_split_min = (size_t)-1;
	char *whole = digest(data, size);
	relc_parse_split_min = 0;
	char *halves = digest(data, size);
	relc_parse_split_min = saved;
	if (strcmp(whole, halves) != 0) {
		fprintf(stderr, "read in halves, the input compiles otherwise\n");
		abort();
	}
	free(whole);
	free(halves);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size && (data[0] & 1))
		same_in_halves(data, size);
	struct compile_options o = {0};
	o.no_git = true;
	/* Alternate the diagnostics format on one input bit so the JSON and
	 * SARIF printers see fuzzed messages too. */
	o.diag.format = size ? (enum diag_format)(data[size - 1] % 3) : DIAG_TEXT;
	struct compile *c = compile_new(&o);
	if (compile_spec_text(c, "fuzz.rel", (const char *)data, size))
		emit_all(c);
	if (sink) {
		diag_print(c->diags, sink);
		fflush(sink);
	}
	compile_free(c);
	return 0;
}
