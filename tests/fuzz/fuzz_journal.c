/* fuzz_journal.c - libFuzzer harness over the journal reader (journal.c).
 *
 * One input is one journal. It is written to a file and read with
 * --journal for the spec named by RELC_FUZZ_JOURNAL_SPEC (run-fuzz.sh gives
 * tests/journal/2.0.0.rel, whose blob the seed journals carry), then plan.md
 * and the JSON are emitted from what it gave. Everything is freed so that
 * LeakSanitizer can tell a real leak from the harness. Built with
 * `-Dfuzz=true`; run by tests/fuzz/run-fuzz.sh FUZZER SRC SECONDS WORK journal. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <git2.h>

#include "compile.h"
#include "emit.h"
#include "util.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char *spec;
static size_t spec_len;
static char journal_path[] = "/tmp/relc-fuzz-journal.XXXXXX";

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	const char *p = getenv("RELC_FUZZ_JOURNAL_SPEC");
	if (!p || read_file(p, 1 << 20, &spec, &spec_len) != 0) {
		fprintf(stderr, "fuzz_journal: set RELC_FUZZ_JOURNAL_SPEC to a spec that compiles\n");
		exit(2);
	}
	int fd = mkstemp(journal_path);
	if (fd < 0)
		exit(2);
	close(fd);
	git_libgit2_init();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	FILE *f = fopen(journal_path, "wb");
	if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0)
		abort();
	const char *journals[] = { journal_path };
	struct compile_options o = {0};
	o.no_git = true;
	o.diag.quiet = true;
	o.journals = journals;
	o.njournals = 1;
	struct compile *c = compile_new(&o);
	if (compile_spec_text(c, "2.0.0.rel", spec, spec_len)) {
		struct buf a, b;
		buf_init(&a);
		buf_init(&b);
		emit_plan_md(&a, c);
		emit_json(&b, c);
		/* journal text never reaches plan.md as markup: the only bytes it
		 * gives are validated times, hosts and numbers */
		if (memchr(a.data, '<', a.len) && strstr(a.data, "<script"))
			abort();
		buf_free(&a);
		buf_free(&b);
	}
	compile_free(c);
	return 0;
}
