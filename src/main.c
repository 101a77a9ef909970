/* main.c - the relc command line. */
/* realpath() is XSI */
#define _XOPEN_SOURCE 700
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check_effects.h"
#include "compile.h"
#include "confine.h"
#include "diag.h"
#include "diag_json.h"
#include "emit.h"
#include "emit_changelog.h"
#include "emit_common.h"
#include "fmt.h"
#include "parse.h"
#include "shell.h"
#include "util.h"

enum { EXIT_OK = 0, EXIT_ERRORS = 1, EXIT_USAGE = 2 };

/* Every option parse_args accepts is listed here (tests/tools/cli-docs.sh
 * compares this text with the parser, relc(1), docs/ and the completion). */
static const char usage_text[] =
	"usage: relc check SPEC...                  parse, resolve and prove; diagnostics only\n"
	"       relc build SPEC [-o DIR]            check, then write deploy.sh, rollback.sh,\n"
	"                                           plan.md, changelog.md, and fleet.yml and\n"
	"                                           fleet-rollback.yml with a fleet block\n"
	"                                           (default generated/<release>/)\n"
	"       relc build --check SPEC [-o DIR]    write nothing; exit 1 naming stale files\n"
	"       relc emit sh|rollback|md|changelog|json|fleet|fleet-rollback SPEC\n"
	"                                           one artefact to standard output\n"
	"       relc changelog SPEC --update FILE   put this release's section into FILE\n"
	"       relc fmt [--check] SPEC...          canonical layout (--check: exit 1 naming\n"
	"                                           each file that is not formatted)\n"
	"       relc explain CODE                   the rule behind a diagnostic\n"
	"options (anywhere on the line; --OPTION=VALUE works too):\n"
	"  --repo DIR             the git repository (default: found above the spec)\n"
	"  --no-git               open no repository: previous and target are commit ids\n"
	"  --include-root DIR     includes may also read files inside DIR (repeatable)\n"
	"  --journal PATH         check, build, emit: read a journal, or a state folder's\n"
	"                         journals, as rollback evidence and timings (repeatable)\n"
	"  --werror               every warning is an error\n"
	"  --allow-irreversible   irreversible steps are a warning, not E011\n"
	"  --diagnostics=text|json|sarif\n"
	"                         text on standard error (the default), or one json or\n"
	"                         sarif document on standard output\n"
	"  -q, --quiet            text diagnostics: errors only, one line each\n"
	"  -o, --output DIR       build: the folder to write, or to compare with\n"
	"  --check                build, fmt: write nothing, exit 1 naming stale files\n"
	"  --update FILE          changelog: the file to put the section into\n"
	"  --explain-effects      check: list the state changes recognised in each block\n"
	"  --version              print the version\n"
	"  -h, --help             print this text\n";

struct cli {
	const char *command;
	const char *specs[256];
	int nspecs;
	const char *out_dir;
	const char *update_file;
	const char *emit_kind;
	bool check_only;
	bool explain_effects;
	char *include_roots[64];  /* canonical, malloc'd */
	size_t ninclude_roots;
	const char *journals[256]; /* --journal, as given */
	size_t njournals;
	struct compile_options copt;
};

static int usage_error(const char *fmt, ...) RELC_PRINTF(1, 2);

static int usage_error(const char *fmt, ...)
{
	va_list ap;
	struct buf msg;
	buf_init(&msg);
	va_start(ap, fmt);
	buf_vprintf(&msg, fmt, ap);
	va_end(ap);
	relc_error("%s", msg.data);
	buf_free(&msg);
	fputs(usage_text, stderr);
	return EXIT_USAGE;
}

/* --include-root DIR: kept canonical, so that includes are compared with the
 * folder itself and not with a symlink to it. */
static int add_include_root(struct cli *cli, const char *dir)
{
	if (cli->ninclude_roots == sizeof cli->include_roots / sizeof cli->include_roots[0])
		return usage_error("%s", "too many --include-root folders");
	char *real = realpath(dir, NULL);
	struct stat st;
	if (!real || stat(real, &st) != 0 || !S_ISDIR(st.st_mode)) {
		int e = real ? ENOTDIR : errno;
		if (e == ENOMEM)
			relc_oom();
		free(real);
		relc_error("--include-root %s: %s", dir, strerror(e));
		return EXIT_USAGE;
	}
	cli->include_roots[cli->ninclude_roots++] = real;
	cli->copt.include_roots = (const char *const *)cli->include_roots;
	cli->copt.ninclude_roots = cli->ninclude_roots;
	return -1;
}

/* The --diagnostics format called NAME into *f; false for an unknown name
 * (*f unchanged). One table for the option and for doc_format. */
static bool diag_format_named(const char *name, enum diag_format *f)
{
	static const struct { const char *name; enum diag_format format; } formats[] = {
		{ "text", DIAG_TEXT }, { "json", DIAG_JSON }, { "sarif", DIAG_SARIF },
	};
	for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++)
		if (strcmp(name, formats[i].name) == 0) {
			*f = formats[i].format;
			return true;
		}
	return false;
}

/* Parse options anywhere on the line; the rest are the command and its words. */
static int parse_args(int argc, char **argv, struct cli *cli)
{
	const char *words[260];
	int nwords = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--") == 0) {
			for (i++; i < argc && nwords < 260; i++)
				words[nwords++] = argv[i];
			break;
		}
		if (a[0] != '-' || a[1] == '\0') {
			if (nwords == 260)
				return usage_error("%s", "too many arguments");
			words[nwords++] = a;
			continue;
		}
		if (strcmp(a, "--no-git") == 0)
			cli->copt.no_git = true;
		else if (strcmp(a, "--werror") == 0)
			cli->copt.diag.werror = true;
		else if (strcmp(a, "--allow-irreversible") == 0)
			cli->copt.diag.allow_irreversible = true;
		else if (strcmp(a, "-q") == 0 || strcmp(a, "--quiet") == 0)
			cli->copt.diag.quiet = true;
		else if (strcmp(a, "--check") == 0)
			cli->check_only = true;
		else if (strcmp(a, "--explain-effects") == 0)
			cli->explain_effects = true;
		else if (strcmp(a, "--include-root") == 0 || strncmp(a, "--include-root=", 15) == 0) {
			const char *v = a[14] == '=' ? a + 15 : i + 1 < argc ? argv[++i] : NULL;
			if (!v)
				return usage_error("%s needs a value", a);
			int r = add_include_root(cli, v);
			if (r >= 0)
				return r;
		} else if (strcmp(a, "--journal") == 0 || strncmp(a, "--journal=", 10) == 0) {
			const char *v = a[9] == '=' ? a + 10 : i + 1 < argc ? argv[++i] : NULL;
			if (!v)
				return usage_error("%s needs a value", a);
			if (cli->njournals == sizeof cli->journals / sizeof cli->journals[0])
				return usage_error("%s", "too many --journal paths");
			cli->journals[cli->njournals++] = v;
			cli->copt.journals = cli->journals;
			cli->copt.njournals = cli->njournals;
		} else if (strcmp(a, "--repo") == 0 || strcmp(a, "-o") == 0 ||
		         strcmp(a, "--update") == 0 || strcmp(a, "--output") == 0) {
			if (i + 1 >= argc)
				return usage_error("%s needs a value", a);
			const char *v = argv[++i];
			if (strcmp(a, "--repo") == 0)
				cli->copt.repo = v;
			else if (strcmp(a, "--update") == 0)
				cli->update_file = v;
			else
				cli->out_dir = v;
		} else if (strncmp(a, "--output=", 9) == 0)
			cli->out_dir = a + 9;
		else if (strncmp(a, "--repo=", 7) == 0)
			cli->copt.repo = a + 7;
		else if (strncmp(a, "--update=", 9) == 0)
			cli->update_file = a + 9;
		else if (strncmp(a, "--diagnostics=", 14) == 0) {
			if (!diag_format_named(a + 14, &cli->copt.diag.format))
				return usage_error("unknown diagnostics format \"%s\"", a + 14);
		} else if (strcmp(a, "--version") == 0) {
			cli->command = "version";
		} else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			cli->command = "help";
		} else {
			return usage_error("unknown option %s", a);
		}
	}
	if (cli->command)
		return -1;
	if (nwords == 0)
		return usage_error("%s", "no command given");
	cli->command = words[0];
	int first = 1;
	if (strcmp(cli->command, "emit") == 0) {
		if (nwords < 2)
			return usage_error("%s", "emit needs a kind: sh, rollback, md, changelog or json");
		cli->emit_kind = words[1];
		first = 2;
	}
	for (int i = first; i < nwords; i++) {
		if (cli->nspecs == 256)
			return usage_error("%s", "too many specs");
		cli->specs[cli->nspecs++] = words[i];
	}
	return -1;
}

/* Compile one spec and print its diagnostics. Returns the compile (caller
 * frees) and sets *status. */
static struct compile *compile_one(const struct cli *cli, const char *spec, int *status)
{
	struct compile *c = compile_new(&cli->copt);
	compile_spec(c, spec);
	diag_emit(c->diags);
	*status = compile_status(c);
	return c;
}

static int cmd_check(struct cli *cli)
{
	if (cli->nspecs == 0)
		return usage_error("%s", "check needs at least one SPEC");
	int worst = EXIT_OK;
	cli->copt.check_only = true;
	for (int i = 0; i < cli->nspecs; i++) {
		struct compile *c = compile_new(&cli->copt);
		compile_spec(c, cli->specs[i]);
		int st = compile_status(c);
		if (st > worst)
			worst = st;
		diag_emit(c->diags);
		if (cli->explain_effects && c->rel) {
			struct buf b;
			buf_init(&b);
			effects_explain(&b, c);
			fwrite(b.data, 1, b.len, stdout);
			buf_free(&b);
		}
		compile_free(c);
	}
	return worst;
}

typedef void (*emit_fn)(struct buf *, const struct compile *);

struct artefact {
	const char *file;
	emit_fn fn;
	int mode;
	bool fleet; /* only for a spec with a fleet block */
};

static const struct artefact artefacts[] = {
	{"deploy.sh", emit_deploy_sh, 0755, false},
	{"rollback.sh", emit_rollback_sh, 0755, false},
	{"plan.md", emit_plan_md, 0644, false},
	{"changelog.md", emit_changelog_md, 0644, false},
	{"fleet.yml", emit_fleet_yml, 0644, true},
	{"fleet-rollback.yml", emit_fleet_rollback_yml, 0644, true},
};

static int mkdir_p(const char *dir)
{
	char *p = xstrdup(dir);
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0755) != 0 && errno != EEXIST) {
			int e = errno;
			free(p);
			return e;
		}
		*s = '/';
	}
	int e = 0;
	if (mkdir(p, 0755) != 0 && errno != EEXIST)
		e = errno;
	free(p);
	return e;
}

/* The command that rebuilds what `build --check` compared: every option
 * that changes what is generated or where it goes, each word quoted so the
 * line can be pasted whatever the paths hold. */
static char *build_command(const struct cli *cli)
{
	struct buf b;
	buf_init(&b);
	buf_puts(&b, "relc build");
	if (cli->copt.no_git)
		buf_puts(&b, " --no-git");
	if (cli->copt.repo) {
		buf_puts(&b, " --repo ");
		sh_quote_word(&b, cli->copt.repo, strlen(cli->copt.repo));
	}
	for (size_t i = 0; i < cli->ninclude_roots; i++) {
		buf_puts(&b, " --include-root ");
		sh_quote_word(&b, cli->include_roots[i], strlen(cli->include_roots[i]));
	}
	for (size_t i = 0; i < cli->njournals; i++) {
		buf_puts(&b, " --journal ");
		sh_quote_word(&b, cli->journals[i], strlen(cli->journals[i]));
	}
	if (cli->copt.diag.allow_irreversible)
		buf_puts(&b, " --allow-irreversible");
	if (cli->out_dir) {
		buf_puts(&b, " -o ");
		sh_quote_word(&b, cli->out_dir, strlen(cli->out_dir));
	}
	buf_puts(&b, " ");
	if (cli->specs[0][0] == '-')
		buf_puts(&b, "-- ");
	sh_quote_word(&b, cli->specs[0], strlen(cli->specs[0]));
	return b.data;
}

/* Where the provenance line ("Generated by relc V from PATH (blob B) —
 * generated, do not edit.") of a generated file lies: the first line among
 * the first three that starts with the marker, after "# " in a script or a
 * playbook. False when there is none. */
static bool provenance_line(const char *t, size_t len, size_t *start, size_t *end)
{
	static const char mark[] = EMIT_PROVENANCE_MARK;
	static const char tail[] = EMIT_PROVENANCE_TAIL;
	size_t at = 0;
	for (int line = 0; line < 3 && at < len; line++) {
		const char *nl = memchr(t + at, '\n', len - at);
		size_t e = nl ? (size_t)(nl - t) + 1 : len;
		const char *m = t + at;
		size_t skip = (e - at > 2 && m[0] == '#' && m[1] == ' ') ? 2 : 0;
		size_t text_end = nl ? e - 1 : e;
		if (text_end - at - skip >= sizeof mark - 1 + sizeof tail - 1 &&
		    memcmp(m + skip, mark, sizeof mark - 1) == 0 &&
		    memcmp(t + text_end - (sizeof tail - 1), tail, sizeof tail - 1) == 0) {
			*start = at;
			*end = e;
			return true;
		}
		at = e;
	}
	return false;
}

/* The provenance line records how a file was made, not what it does: the
 * same spec built by another relc version or named from another working
 * folder gives the same file apart from it. True when a and b differ in
 * that line only. */
static bool same_but_provenance(const char *a, size_t alen, const char *b, size_t blen)
{
	size_t as, ae, bs, be;
	if (!provenance_line(a, alen, &as, &ae) || !provenance_line(b, blen, &bs, &be))
		return false;
	return as == bs && memcmp(a, b, as) == 0 && alen - ae == blen - be &&
	       memcmp(a + ae, b + be, alen - ae) == 0;
}

/* What is at the place of an artefact the spec no longer has (fleet.yml
 * once the fleet block is gone): nothing, a file relc wrote (a regular
 * file with relc's provenance line), or something else, which relc leaves
 * alone; *why then says what it is (malloc'd). */
enum leftover { LEFTOVER_NONE, LEFTOVER_RELC, LEFTOVER_OTHER };

static enum leftover leftover_at(const char *path, char **why)
{
	struct stat st;
	*why = NULL;
	/* nothing there, or a folder that cannot be looked into: the build
	 * itself then says why it cannot write there */
	if (lstat(path, &st) != 0)
		return LEFTOVER_NONE;
	char *text = NULL;
	size_t len = 0, start, end;
	int err = 0;
	enum confine_verdict v = confine_read_plain(path, RELC_MAX_OUTPUT, &text, &len, &err);
	enum leftover k = LEFTOVER_OTHER;
	if (v != CONFINE_OK)
		*why = confine_reason(v, err, "");
	else if (provenance_line(text, len, &start, &end))
		k = LEFTOVER_RELC;
	else
		*why = xstrdup("it has no relc provenance line: relc did not write it");
	free(text);
	return k;
}

static int cmd_build(struct cli *cli)
{
	if (cli->nspecs != 1)
		return usage_error("%s", "build takes exactly one SPEC");
	int st;
	struct compile *c = compile_one(cli, cli->specs[0], &st);
	if (st != EXIT_OK) {
		compile_free(c);
		return st;
	}
	char *dir = cli->out_dir ? xstrdup(cli->out_dir)
	                         : xstrdup(arena_printf(c->arena, "generated/%s",
	                                   c->rel->meta[META_RELEASE].value->raw));
	/* the artefacts this spec has, the fleet playbooks last; those after
	 * them (n..total) are the ones it no longer has */
	const size_t total = sizeof artefacts / sizeof artefacts[0];
	size_t n = total;
	while (!c->rel->fleet && n > 0 && artefacts[n - 1].fleet)
		n--;
	struct buf out[sizeof artefacts / sizeof artefacts[0]];
	for (size_t i = 0; i < n; i++) {
		buf_init(&out[i]);
		artefacts[i].fn(&out[i], c);
	}
	/* An artefact the spec no longer has is an old release's file: a
	 * fleet.yml left behind would roll the new deploy.sh out with the old
	 * batches. Files relc wrote go with the build; any other file is not
	 * relc's to delete. */
	enum leftover left[sizeof artefacts / sizeof artefacts[0]] = {0};
	char *paths[sizeof artefacts / sizeof artefacts[0]];
	for (size_t i = 0; i < total; i++)
		paths[i] = arena_printf(c->arena, "%s/%s", dir, artefacts[i].file);
	for (size_t i = n; i < total; i++) {
		char *why;
		left[i] = leftover_at(paths[i], &why);
		if (left[i] == LEFTOVER_OTHER)
			fprintf(stderr, "relc: warning: %s is left as it is (%s), although "
			        "the spec has no fleet block: delete it if it is an old "
			        "playbook\n", paths[i], why);
		free(why);
	}
	int status = EXIT_OK;
	if (cli->check_only) {
		char *again = build_command(cli);
		for (size_t i = 0; i < n; i++) {
			char *old = NULL;
			size_t len = 0;
			int err = 0;
			/* the committed outputs come with the spec under review: a
			 * symlink, FIFO or device there is not followed or read */
			enum confine_verdict v = confine_read_plain(paths[i], RELC_MAX_OUTPUT, &old,
			                                            &len, &err);
			if (v != CONFINE_OK) {
				char *why = confine_reason(v, err, "");
				fprintf(stderr, "relc: %s is missing (%s)\n", paths[i], why);
				free(why);
				status = EXIT_ERRORS;
			} else if (len != out[i].len || memcmp(old, out[i].data, len) != 0) {
				if (same_but_provenance(old, len, out[i].data, out[i].len)) {
					fprintf(stderr, "relc: %s differs only in its provenance line "
					        "(relc version, spec path or blob), not in what it says "
					        "or does: not stale; %s rewrites it\n", paths[i], again);
				} else {
					fprintf(stderr, "relc: %s is stale: run %s\n", paths[i], again);
					status = EXIT_ERRORS;
				}
			}
			free(old);
		}
		for (size_t i = n; i < total; i++) {
			if (left[i] != LEFTOVER_RELC)
				continue;
			fprintf(stderr, "relc: %s is stale: the spec has no fleet block; "
			        "run %s (it deletes the file)\n", paths[i], again);
			status = EXIT_ERRORS;
		}
		free(again);
	} else {
		int err = mkdir_p(dir);
		if (err) {
			relc_error("cannot create %s: %s", dir, strerror(err));
			status = EXIT_USAGE;
		}
		/* Every file is written beside its place before the first rename, so
		 * a full disk or a failed write leaves all the previous files, never
		 * a new deploy.sh with an old rollback.sh. */
		char *tmps[sizeof artefacts / sizeof artefacts[0]] = {0};
		for (size_t i = 0; i < n && status == EXIT_OK; i++) {
			err = write_file_pending(paths[i], out[i].data, out[i].len,
			                         artefacts[i].mode, &tmps[i]);
			if (err) {
				relc_error("cannot write %s: %s (no file was changed)", paths[i],
				           strerror(err));
				status = EXIT_USAGE;
			}
		}
		/* An old file to delete is first moved aside, so that it comes back
		 * if a new file cannot be put in place. */
		for (size_t i = n; i < total && status == EXIT_OK; i++) {
			if (left[i] != LEFTOVER_RELC)
				continue;
			err = set_file_aside(paths[i], &tmps[i]);
			if (err) {
				relc_error("cannot delete %s: %s (no file was changed)", paths[i],
				           strerror(err));
				status = EXIT_USAGE;
			}
		}
		for (size_t i = 0; i < n; i++) {
			if (!tmps[i])
				continue;
			err = commit_file_pending(tmps[i], status == EXIT_OK ? paths[i] : NULL);
			if (err) {
				relc_error("cannot replace %s: %s", paths[i], strerror(err));
				status = EXIT_USAGE;
			}
		}
		for (size_t i = n; i < total; i++) {
			if (!tmps[i])
				continue;
			/* deleted with the build, or back in place without it */
			err = commit_file_pending(tmps[i], status == EXIT_OK ? NULL : paths[i]);
			if (err) {
				relc_error("cannot put %s back: %s", paths[i], strerror(err));
				status = EXIT_USAGE;
			}
		}
	}
	for (size_t i = 0; i < n; i++)
		buf_free(&out[i]);
	free(dir);
	compile_free(c);
	return status;
}

static int cmd_emit(struct cli *cli)
{
	static const struct {
		const char *kind;
		emit_fn fn;
	} kinds[] = {
		{"sh", emit_deploy_sh}, {"rollback", emit_rollback_sh},
		{"md", emit_plan_md}, {"changelog", emit_changelog_md},
		{"json", emit_json}, {"fleet", emit_fleet_yml},
		{"fleet-rollback", emit_fleet_rollback_yml},
	};
	emit_fn fn = NULL;
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
		if (strcmp(kinds[i].kind, cli->emit_kind) == 0)
			fn = kinds[i].fn;
	if (!fn)
		return usage_error("unknown artefact \"%s\": sh, rollback, md, changelog, json, "
		                   "fleet or fleet-rollback",
		                   cli->emit_kind);
	if (cli->nspecs != 1)
		return usage_error("%s", "emit takes exactly one SPEC");
	int st;
	struct compile *c = compile_one(cli, cli->specs[0], &st);
	if (st == EXIT_OK && !c->rel->fleet &&
	    (fn == emit_fleet_yml || fn == emit_fleet_rollback_yml)) {
		relc_error("%s has no fleet block: it has no playbooks", cli->specs[0]);
		st = EXIT_USAGE;
	}
	if (st == EXIT_OK) {
		struct buf out;
		buf_init(&out);
		fn(&out, c);
		if (fwrite(out.data, 1, out.len, stdout) != out.len || fflush(stdout) != 0) {
			relc_error("cannot write to standard output: %s", strerror(errno));
			st = EXIT_USAGE;
		}
		buf_free(&out);
	}
	compile_free(c);
	return st;
}

static int cmd_changelog(struct cli *cli)
{
	if (cli->nspecs != 1 || !cli->update_file)
		return usage_error("%s", "usage: relc changelog SPEC --update FILE");
	int st;
	struct compile *c = compile_one(cli, cli->specs[0], &st);
	if (st != EXIT_OK) {
		compile_free(c);
		return st;
	}
	char *old = NULL;
	size_t len = 0;
	int err = read_file(cli->update_file, RELC_MAX_OUTPUT, &old, &len);
	if (err && err != ENOENT) {
		relc_error("cannot read %s: %s", cli->update_file, strerror(err));
		compile_free(c);
		return EXIT_USAGE;
	}
	struct buf out;
	buf_init(&out);
	changelog_update(&out, c, err ? NULL : old, len);
	err = write_file_atomic(cli->update_file, out.data, out.len, 0644);
	if (err) {
		relc_error("cannot write %s: %s (it was left as it was)", cli->update_file,
		           strerror(err));
		st = EXIT_USAGE;
	}
	buf_free(&out);
	free(old);
	compile_free(c);
	return st;
}

/* relc fmt: only files that parse are laid out; the others get their syntax
 * diagnostics and are left alone. */
static int fmt_one(const struct cli *cli, const char *path)
{
	char *text = NULL;
	size_t len = 0;
	int err = read_file(path, RELC_MAX_SPEC_SIZE, &text, &len);
	if (err) {
		relc_error("cannot read %s: %s", path, strerror(err));
		return EXIT_USAGE;
	}
	struct arena *a = arena_new();
	struct diag_set *ds = diag_set_new();
	diag_set_options(ds, &cli->copt.diag);
	diag_add_source(ds, path, text, len);
	parse_text(a, ds, path, text, len);
	int status = EXIT_OK;
	if (diag_errors(ds)) {
		diag_emit(ds);
		status = EXIT_ERRORS;
	} else {
		struct buf out;
		buf_init(&out);
		fmt_spec(&out, text, len);
		bool same = out.len == len && memcmp(out.data, text, len) == 0;
		if (cli->check_only) {
			if (!same) {
				fprintf(stderr, "relc: %s is not formatted: run relc fmt %s\n", path, path);
				status = EXIT_ERRORS;
			}
		} else if (!same) {
			struct stat st;
			int mode = stat(path, &st) == 0 ? (int)(st.st_mode & 07777) : 0644;
			err = write_file_atomic(path, out.data, out.len, mode);
			if (err) {
				relc_error("cannot write %s: %s (it was left as it was)", path,
				           strerror(err));
				status = EXIT_USAGE;
			}
		}
		buf_free(&out);
	}
	diag_set_free(ds);
	arena_free(a);
	free(text);
	return status;
}

static int cmd_fmt(struct cli *cli)
{
	if (cli->nspecs == 0)
		return usage_error("%s", "fmt needs at least one SPEC");
	int worst = EXIT_OK;
	for (int i = 0; i < cli->nspecs; i++) {
		int st = fmt_one(cli, cli->specs[i]);
		if (st > worst)
			worst = st;
	}
	return worst;
}

static int cmd_explain(struct cli *cli)
{
	if (cli->nspecs != 1)
		return usage_error("%s", "usage: relc explain CODE");
	int code = diag_lookup(cli->specs[0]);
	if (code < 0) {
		relc_error("unknown diagnostic code %s (codes are E001-E023 and W101-W122)",
		           cli->specs[0]);
		return EXIT_USAGE;
	}
	const struct diag_info *in = diag_info((enum diag_code)code);
	printf("%s (%s, %s): %s\n\n%s\n", in->code,
	       in->severity == SEV_ERROR ? "error" : "warning", in->name, in->summary,
	       in->explain);
	return EXIT_OK;
}

static int run(struct cli *c)
{
	const char *cmd = c->command;
	if (strcmp(cmd, "version") == 0) {
		printf("relc %s\n", RELC_VERSION_STRING);
		return EXIT_OK;
	}
	if (strcmp(cmd, "help") == 0) {
		fputs(usage_text, stdout);
		return EXIT_OK;
	}
	if (strcmp(cmd, "check") == 0)
		return cmd_check(c);
	if (strcmp(cmd, "build") == 0)
		return cmd_build(c);
	if (strcmp(cmd, "emit") == 0)
		return cmd_emit(c);
	if (strcmp(cmd, "changelog") == 0)
		return cmd_changelog(c);
	if (strcmp(cmd, "explain") == 0)
		return cmd_explain(c);
	if (strcmp(cmd, "fmt") == 0)
		return cmd_fmt(c);
	return usage_error("unknown command \"%s\"", cmd);
}

/* The --diagnostics format, read before anything else so that even a usage
 * error on the same line is reported in the document asked for. */
static enum diag_format doc_format(int argc, char **argv)
{
	enum diag_format f = DIAG_TEXT;
	for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
		if (strncmp(argv[i], "--diagnostics=", 14) == 0)
			diag_format_named(argv[i] + 14, &f);
	return f;
}

int main(int argc, char **argv)
{
	struct cli cli;
	memset(&cli, 0, sizeof cli);
	diag_doc_open(doc_format(argc, argv));
	int r = parse_args(argc, argv, &cli);
	/* relc emit's standard output is the artefact */
	if (cli.command && strcmp(cli.command, "emit") == 0)
		diag_doc_set_output(stderr);
	if (r < 0)
		r = run(&cli);
	/* help, version and explain print their text, not a document */
	bool info = cli.command && (strcmp(cli.command, "help") == 0 ||
	            strcmp(cli.command, "version") == 0 || strcmp(cli.command, "explain") == 0);
	r = diag_doc_close(r, !(info && r == EXIT_OK));
	for (size_t i = 0; i < cli.ninclude_roots; i++)
		free(cli.include_roots[i]);
	return r;
}
