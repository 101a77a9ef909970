/* test_shell.c - quoting round-trips through real shells, here-document and
 * spec-reference finding, and the simple-command splitter. */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "shell.h"

/* ---- helpers ---- */

/* Run argv (a shell with -c SCRIPT appended) and return its stdout. */
static char *run_capture(const char *const *argv_prefix, const char *script,
                         size_t *out_len, int *status)
{
	const char *argv[8];
	size_t n = 0;
	int fds[2];
	pid_t pid;
	struct buf out;
	char chunk[4096];
	ssize_t got;

	while (argv_prefix[n] != NULL) {
		argv[n] = argv_prefix[n];
		n++;
	}
	argv[n++] = "-c";
	argv[n++] = script;
	argv[n] = NULL;
	cr_assert(pipe(fds) == 0);
	pid = fork();
	cr_assert(pid >= 0);
	if (pid == 0) {
		dup2(fds[1], 1);
		close(fds[0]);
		close(fds[1]);
		execvp(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(fds[1]);
	buf_init(&out);
	while ((got = read(fds[0], chunk, sizeof chunk)) > 0)
		buf_add(&out, chunk, (size_t)got);
	close(fds[0]);
	cr_assert(waitpid(pid, status, 0) == pid);
	*out_len = out.len;
	return out.data ? buf_steal(&out) : xstrdup("");
}

static bool have_program(const char *name)
{
	const char *dirs[] = { "/bin/", "/usr/bin/", "/usr/local/bin/" };
	char path[256];

	for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
		snprintf(path, sizeof path, "%s%s", dirs[i], name);
		if (access(path, X_OK) == 0)
			return true;
	}
	return false;
}

/* The shells every generated script must behave the same under. dash is
 * required; the others are checked when installed. */
static const char *const sh_dash[] = { "dash", NULL };
static const char *const sh_posh[] = { "posh", NULL };
static const char *const sh_yash[] = { "yash", NULL };
static const char *const sh_mksh[] = { "mksh", NULL };
static const char *const sh_busybox[] = { "busybox", "sh", NULL };
static const char *const sh_bash[] = { "bash", "--posix", NULL };
static const char *const *const shells[] = {
	sh_dash, sh_posh, sh_yash, sh_mksh, sh_busybox, sh_bash,
};

/* Run script under every available shell; each must print exactly want. */
static void expect_output(const char *script, const char *want, size_t want_len)
{
	cr_assert(have_program("dash"), "dash is needed for the quoting tests");
	for (size_t i = 0; i < sizeof shells / sizeof shells[0]; i++) {
		size_t len;
		int status;
		char *got;
		if (!have_program(shells[i][0]))
			continue;
		got = run_capture(shells[i], script, &len, &status);
		cr_expect(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		          "%s failed on script [%s]", shells[i][0], script);
		cr_expect(len == want_len && memcmp(got, want, len) == 0,
		          "%s printed [%.*s], want [%.*s] for script [%s]",
		          shells[i][0], (int)len, got, (int)want_len, want, script);
		free(got);
	}
}

/* Values a spec could hold that break naive quoting. */
static const char *const hostile[] = {
	"'; rm -rf / #",
	"it's \"both\" kinds",
	"$(echo pwned)",
	"`echo pwned`",
	"line one\nline two\n",
	"back\\slash\\",
	"a\\\nb",
	"*",
	"",
	"'",
	"''''",
	"\"\"\"",
	"\"'\"'",
	"${HOME} $HOME $1 $@",
	"tab\there  two spaces",
	"~root",
	"-n",
	"!event",
	"caf\xc3\xa9",
	"\\'\\\"\\$",
	"; exit 3",
	"$(id)&&x;y>z",
	"EOF",
};
#define NHOSTILE (sizeof hostile / sizeof hostile[0])

/* ---- quoting ---- */

Test(shell_quote, round_trips_hostile_values)
{
	for (size_t i = 0; i < NHOSTILE; i++) {
		struct buf script;
		buf_init(&script);
		buf_puts(&script, "printf %s ");
		sh_quote(&script, hostile[i], strlen(hostile[i]));
		expect_output(script.data, hostile[i], strlen(hostile[i]));
		buf_free(&script);
	}
}

Test(shell_quote, always_single_quotes)
{
	struct buf b;

	buf_init(&b);
	sh_quote(&b, "abc", 3);
	cr_expect_str_eq(b.data, "'abc'");
	b.len = 0;
	sh_quote(&b, "", 0);
	cr_expect_str_eq(b.data, "''");
	b.len = 0;
	sh_quote(&b, "a'b", 3);
	cr_expect_str_eq(b.data, "'a'\"'\"'b'");
	buf_free(&b);
}

Test(shell_quote, word_round_trips_hostile_values)
{
	for (size_t i = 0; i < NHOSTILE; i++) {
		struct buf script;
		buf_init(&script);
		buf_puts(&script, "printf %s ");
		sh_quote_word(&script, hostile[i], strlen(hostile[i]));
		expect_output(script.data, hostile[i], strlen(hostile[i]));
		buf_free(&script);
	}
}

Test(shell_quote, word_leaves_safe_words_bare)
{
	struct buf b;

	buf_init(&b);
	sh_quote_word(&b, "/srv/app-1.2_x/db.sqlite", 24);
	cr_expect_str_eq(b.data, "/srv/app-1.2_x/db.sqlite");
	b.len = 0;
	sh_quote_word(&b, "user@host:a,b+c=%d", 18);
	cr_expect_str_eq(b.data, "user@host:a,b+c=%d");
	b.len = 0;
	sh_quote_word(&b, "", 0);
	cr_expect_str_eq(b.data, "''");
	b.len = 0;
	sh_quote_word(&b, "a b", 3);
	cr_expect_str_eq(b.data, "'a b'");
	b.len = 0;
	sh_quote_word(&b, "~x", 2);
	cr_expect_str_eq(b.data, "'~x'");
	buf_free(&b);
}

/* The table tests/runtime/cases.sh holds relc_pu, the dry run's twin, to. */
Test(shell_quote, word_matches_the_runtime_twin)
{
	static const char *const cases[][2] = {
		{ "abc", "abc" },
		{ "/var/lib/gitea", "/var/lib/gitea" },
		{ "gitea-1.21.11-linux-amd64", "gitea-1.21.11-linux-amd64" },
		{ "-n", "-n" },
		{ "a@b%c+d:e,f", "a@b%c+d:e,f" },
		{ "x-y=z", "x-y=z" },
		{ "a=b", "'a=b'" },
		{ "_x=1", "'_x=1'" },
		{ "", "''" },
		{ "a b", "'a b'" },
		{ "\xc3\xa9", "'\xc3\xa9'" },
		{ "~root", "'~root'" },
		{ "a*", "'a*'" },
		{ "it's", "'it'\"'\"'s'" },
	};
	struct buf b;

	buf_init(&b);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		b.len = 0;
		sh_quote_word(&b, cases[i][0], strlen(cases[i][0]));
		buf_putc(&b, '\0');
		cr_expect_str_eq(b.data, cases[i][1], "value %s", cases[i][0]);
	}
	buf_free(&b);
}

Test(shell_quote, dquoted_round_trips_hostile_values)
{
	for (size_t i = 0; i < NHOSTILE; i++) {
		struct buf script;
		buf_init(&script);
		buf_puts(&script, "printf %s \"");
		sh_quote_dquoted(&script, hostile[i], strlen(hostile[i]));
		buf_puts(&script, "\"");
		expect_output(script.data, hostile[i], strlen(hostile[i]));
		buf_free(&script);
	}
}

Test(shell_quote, heredoc_round_trips_hostile_values)
{
	for (size_t i = 0; i < NHOSTILE; i++) {
		struct buf script, want;
		buf_init(&script);
		buf_init(&want);
		buf_puts(&script, "cat <<END_OF_VALUE\n");
		sh_quote_heredoc(&script, hostile[i], strlen(hostile[i]));
		buf_puts(&script, "\nEND_OF_VALUE\n");
		buf_puts(&want, hostile[i]);
		buf_putc(&want, '\n');
		expect_output(script.data, want.data, want.len);
		buf_free(&script);
		buf_free(&want);
	}
}

/* ---- here-documents ---- */

static size_t find_hd(const char *line, struct sh_heredoc *h, size_t max)
{
	return sh_find_heredocs(line, strlen(line), h, max);
}

Test(shell_heredoc, four_forms)
{
	struct sh_heredoc h[4];
	const char *line = "cat <<EOF <<-'TAB' <<\"DQ\" << SP";

	cr_assert_eq(find_hd(line, h, 4), 4);
	cr_expect_str_eq(h[0].delim, "EOF");
	cr_expect(!h[0].quoted && !h[0].strip_tabs);
	cr_expect_eq(h[0].op_off, 4);
	cr_expect_eq(h[0].delim_off, 6);
	cr_expect_eq(h[0].delim_wlen, 3);
	cr_expect_str_eq(h[1].delim, "TAB");
	cr_expect(h[1].quoted && h[1].strip_tabs);
	cr_expect_eq(h[1].delim_wlen, 5);
	cr_expect_str_eq(h[2].delim, "DQ");
	cr_expect(h[2].quoted && !h[2].strip_tabs);
	cr_expect_str_eq(h[3].delim, "SP");
	cr_expect(!h[3].quoted);
	cr_expect_eq(h[3].delim_off, strlen(line) - 2);
}

Test(shell_heredoc, partly_quoted_words)
{
	struct sh_heredoc h[3];

	cr_assert_eq(find_hd("cat <<E\"O\"F >out; cat <<\\END; x <<A'B'", h, 3), 3);
	cr_expect_str_eq(h[0].delim, "EOF");
	cr_expect(h[0].quoted);
	cr_expect_eq(h[0].delim_wlen, 5);
	cr_expect_str_eq(h[1].delim, "END");
	cr_expect(h[1].quoted);
	cr_expect_str_eq(h[2].delim, "AB");
	cr_expect(h[2].quoted);
}

Test(shell_heredoc, not_here_documents)
{
	struct sh_heredoc h[2];

	cr_expect_eq(find_hd("cat <<<\"$x\"", h, 2), 0, "<<< is a here-string");
	cr_expect_eq(find_hd("echo $((1<<2)) $(( (x) << 3 ))", h, 2), 0);
	cr_expect_eq(find_hd("echo '<<A' \"<<B\"", h, 2), 0);
	cr_expect_eq(find_hd("echo hi # cat <<C", h, 2), 0);
	cr_expect_eq(find_hd("echo hi;# cat <<C", h, 2), 0);
	cr_expect_eq(find_hd("echo `cat <<D`", h, 2), 0);
	cr_expect_eq(find_hd("echo \\<<E", h, 2), 0, "escaped <");
	cr_expect_eq(find_hd("cat <<", h, 2), 0, "no word");
}

Test(shell_heredoc, hash_inside_a_word_is_not_a_comment)
{
	struct sh_heredoc h[1];

	cr_assert_eq(find_hd("echo a#b <<EOF", h, 1), 1);
	cr_expect_str_eq(h[0].delim, "EOF");
}

Test(shell_heredoc, inside_command_substitution)
{
	struct sh_heredoc h[1];

	cr_assert_eq(find_hd("x=\"$(cat <<EOF)\"", h, 1), 1);
	cr_expect_str_eq(h[0].delim, "EOF");
}

Test(shell_heredoc, several_in_order_and_count_beyond_max)
{
	struct sh_heredoc h[2];
	const char *line = "cat <<A && cat <<-B | cat 3<<C";

	cr_assert_eq(find_hd(line, h, 2), 3);
	cr_expect_str_eq(h[0].delim, "A");
	cr_expect_str_eq(h[1].delim, "B");
	cr_expect(h[1].strip_tabs);
}

Test(shell_heredoc, continuation_lines)
{
	struct sh_heredoc h[1];

	cr_assert_eq(find_hd("cat \\\n  <<EOF \\\n  >out", h, 1), 1);
	cr_expect_str_eq(h[0].delim, "EOF");
}

Test(shell_heredoc, closing_lines)
{
	struct sh_heredoc h[2];

	cr_assert_eq(find_hd("cat <<EOF <<-X", h, 2), 2);
	cr_expect(sh_heredoc_closes(&h[0], "EOF", 3));
	cr_expect(!sh_heredoc_closes(&h[0], "\tEOF", 4));
	cr_expect(!sh_heredoc_closes(&h[0], "EOF ", 4));
	cr_expect(!sh_heredoc_closes(&h[0], "EO", 2));
	cr_expect(!sh_heredoc_closes(&h[0], "EOFX", 4));
	cr_expect(sh_heredoc_closes(&h[1], "X", 1));
	cr_expect(sh_heredoc_closes(&h[1], "\t\tX", 3));
	cr_expect(!sh_heredoc_closes(&h[1], " X", 2));
}

Test(shell_heredoc, empty_and_too_long_delimiters)
{
	struct sh_heredoc h[1];
	struct buf line;

	cr_assert_eq(find_hd("cat <<''", h, 1), 1);
	cr_expect_str_eq(h[0].delim, "");
	cr_expect(h[0].quoted);
	cr_expect(sh_heredoc_closes(&h[0], "", 0));

	buf_init(&line);
	buf_puts(&line, "cat <<");
	for (int i = 0; i < 300; i++)
		buf_putc(&line, 'A');
	cr_assert_eq(find_hd(line.data, h, 1), 1);
	cr_expect(h[0].too_long);
	cr_expect_eq(h[0].delim_wlen, 300);
	cr_expect(!sh_heredoc_closes(&h[0], line.data + 6, 300));
	buf_free(&line);
}

/* ---- spec references ---- */

struct want_ref {
	const char *name;
	enum ref_ctx ctx;
	bool in_backquotes;
};

static void expect_refs(const char *text, const struct want_ref *want, size_t n)
{
	struct sh_ref *r = NULL;
	size_t got = sh_find_refs(text, strlen(text), &r);

	cr_assert_eq(got, n, "%zu refs in [%s], want %zu", got, text, n);
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(want[i].name);
		cr_expect_eq(r[i].name_len, len, "ref %zu in [%s]", i, text);
		cr_expect(memcmp(text + r[i].name_off, want[i].name, len) == 0,
		          "ref %zu in [%s] is %.*s, want %s", i, text,
		          (int)r[i].name_len, text + r[i].name_off, want[i].name);
		cr_expect_eq(r[i].ctx, want[i].ctx, "context of ref %zu in [%s]", i, text);
		cr_expect_eq(r[i].off + 2, r[i].name_off);
		cr_expect_eq(r[i].in_backquotes, want[i].in_backquotes,
		             "in_backquotes of ref %zu in [%s]", i, text);
		cr_expect_eq(r[i].len, len + 3);
		cr_expect(text[r[i].off] == '$' && text[r[i].off + r[i].len - 1] == '}');
	}
	free(r);
}

Test(shell_refs, unquoted_and_dquoted)
{
	const struct want_ref w[] = {
		{ "app", REF_UNQUOTED, false }, { "db", REF_DQUOTED, false }, { "x_1", REF_UNQUOTED, false },
	};
	expect_refs("cd ${app} && sqlite3 \"${db}\" x${x_1}y", w, 3);
}

Test(shell_refs, none_in_single_quotes_or_escaped)
{
	expect_refs("echo '${a}' \\${b} \"\\${c}\" '\"${d}\"'", NULL, 0);
}

Test(shell_refs, plain_shell_is_not_a_reference)
{
	expect_refs("echo ${#x} ${x:-y} ${x%%.*} $x $1 ${1} ${x-} ${ x} $? $${x} \"$${x}\"", NULL, 0);
}

Test(shell_refs, command_substitution_context)
{
	const struct want_ref w[] = {
		{ "x", REF_UNQUOTED, false }, { "y", REF_DQUOTED, false },
		{ "z", REF_UNQUOTED, true }, { "q", REF_DQUOTED, true },
		{ "r", REF_UNQUOTED, true },
	};
	expect_refs("echo \"$(cat ${x} \"${y}\")\" `ls ${z}` \"`echo \"${q}\" $(ls ${r})`\"", w, 5);
}

Test(shell_refs, nested_in_parameter_expansion_and_arithmetic)
{
	const struct want_ref w[] = {
		{ "d", REF_UNQUOTED, false }, { "e", REF_DQUOTED, false }, { "n", REF_DQUOTED, false },
	};
	expect_refs("echo ${X:-${d}} \"${Y:-${e}}\" $((${n} + 1))", w, 3);
}

Test(shell_refs, not_in_comments)
{
	const struct want_ref w[] = { { "a", REF_UNQUOTED, false } };
	expect_refs("echo ${a} # ${b}", w, 1);
}

Test(shell_refs, here_document_bodies)
{
	const struct want_ref w[] = {
		{ "out", REF_UNQUOTED, false }, { "a", REF_HEREDOC, false }, { "c", REF_UNQUOTED, false },
		{ "e", REF_HEREDOC, false },
	};
	expect_refs("cat <<EOF >${out} && cat <<'Q' <<-E\n"
	            "a=${a} \\${b} '$(echo ${c})'\n"
	            "EOF\n"
	            "${d}\n"
	            "Q\n"
	            "\t${e}\n"
	            "\tE\n",
	            w, 4);
}

Test(shell_refs, body_starts_after_the_logical_line)
{
	const struct want_ref w[] = {
		{ "x", REF_UNQUOTED, false }, { "y", REF_HEREDOC, false },
	};
	expect_refs("cat <<EOF \\\n  ${x}\n${y}\nEOF\n", w, 2);
}

Test(shell_refs, quoted_here_document_is_literal)
{
	expect_refs("cat <<\"EOF\"\n${a}\nEOF\n", NULL, 0);
	expect_refs("cat <<E\\OF\n${a}\nEOF\n", NULL, 0);
}

/* ---- simple commands ---- */

static size_t parse(struct arena *a, const char *text, struct sh_simple **c)
{
	return sh_parse(a, text, strlen(text), c);
}

static void expect_words(const struct sh_simple *c, const char *const *w, size_t n)
{
	cr_assert_eq(c->nwords, n, "%zu words, want %zu", c->nwords, n);
	for (size_t i = 0; i < n; i++)
		cr_expect_str_eq(c->words[i].value, w[i]);
}

Test(shell_parse, and_list_with_sudo)
{
	struct arena *a = arena_new();
	struct sh_simple *c;
	const char *text = "cd ${app} && sudo -u bmtc git checkout --quiet --detach ${target}";
	const char *w0[] = { "cd", "${app}" };
	const char *w1[] = { "sudo", "-u", "bmtc", "git", "checkout", "--quiet",
	                     "--detach", "${target}" };

	cr_assert_eq(parse(a, text, &c), 2);
	expect_words(&c[0], w0, 2);
	cr_expect(!c[0].words[0].expands && c[0].words[1].expands);
	cr_expect_eq(c[0].sep, SH_SEP_AND);
	cr_expect_eq(c[0].off, 0);
	cr_expect_eq(c[0].len, 9);
	expect_words(&c[1], w1, 8);
	cr_expect_eq(c[1].sep, SH_SEP_END);
	cr_expect_eq(c[1].depth, 0);
	arena_free(a);
}

Test(shell_parse, pipes_redirections_and_quotes)
{
	struct arena *a = arena_new();
	struct sh_simple *c;
	const char *text = "gunzip -c \"${BACKUP_PATH}\" | sqlite3 ${db}.restore 2>&1 >>'/var/log/x y'; "
	                   "FOO=bar env 'a b'\"c\"\\ d";
	const char *w0[] = { "gunzip", "-c", "${BACKUP_PATH}" };
	const char *w1[] = { "sqlite3", "${db}.restore" };
	const char *w2[] = { "FOO=bar", "env", "a bc d" };

	cr_assert_eq(parse(a, text, &c), 3);
	expect_words(&c[0], w0, 3);
	cr_expect_eq(c[0].sep, SH_SEP_PIPE);
	expect_words(&c[1], w1, 2);
	cr_expect_eq(c[1].sep, SH_SEP_SEMI);
	cr_assert_eq(c[1].nredirs, 2);
	cr_expect_str_eq(c[1].redirs[0].op, "2>&");
	cr_expect_str_eq(c[1].redirs[0].target.value, "1");
	cr_expect_str_eq(c[1].redirs[1].op, ">>");
	cr_expect_str_eq(c[1].redirs[1].target.value, "/var/log/x y");
	expect_words(&c[2], w2, 3);
	cr_expect(!c[2].words[2].expands);
	arena_free(a);
}

Test(shell_parse, nested_commands_have_depth)
{
	struct arena *a = arena_new();
	struct sh_simple *c;
	const char *text = "x=$(git rev-parse HEAD) && ( cd /d && uv sync ) || { echo \"`date`\"; exit 1; }";

	cr_assert_eq(parse(a, text, &c), 7);
	cr_expect_str_eq(c[0].words[0].value, "x=$(git rev-parse HEAD)");
	cr_expect(c[0].words[0].expands);
	cr_expect_eq(c[0].depth, 0);
	cr_expect_str_eq(c[1].words[0].value, "git");
	cr_expect_eq(c[1].depth, 1);
	cr_expect_str_eq(c[2].words[0].value, "cd");
	cr_expect_eq(c[2].depth, 1);
	cr_expect_eq(c[2].sep, SH_SEP_AND);
	cr_expect_str_eq(c[3].words[0].value, "uv");
	cr_expect_str_eq(c[4].words[0].value, "echo");
	cr_expect_str_eq(c[4].words[1].value, "`date`");
	cr_expect_eq(c[4].depth, 1);
	cr_expect_str_eq(c[5].words[0].value, "date");
	cr_expect_eq(c[5].depth, 2);
	cr_expect_str_eq(c[6].words[0].value, "exit");
	cr_expect_eq(c[6].sep, SH_SEP_SEMI);
	arena_free(a);
}

Test(shell_parse, keywords_frame_commands)
{
	struct arena *a = arena_new();
	struct sh_simple *c;
	const char *w0[] = { "systemctl", "is-active", "--quiet", "x" };
	const char *w1[] = { "systemctl", "restart", "x" };

	cr_assert_eq(parse(a, "if ! systemctl is-active --quiet x; then systemctl restart x; fi; ls", &c), 3);
	expect_words(&c[0], w0, 4);
	cr_expect(c[0].negated);
	cr_expect_str_eq(c[0].clause, "if");
	expect_words(&c[1], w1, 3);
	cr_expect(!c[1].negated);
	cr_expect_str_eq(c[1].clause, "then");
	cr_expect_null(c[2].clause);
	cr_expect_str_eq(c[2].words[0].value, "ls");

	cr_assert_eq(parse(a, "if a; then b; elif c; then d; else { e $(f); }; fi", &c), 6);
	cr_expect_str_eq(c[2].clause, "if");
	cr_expect_str_eq(c[3].clause, "then");
	cr_expect_str_eq(c[4].words[0].value, "e");
	cr_expect_str_eq(c[4].clause, "else");
	cr_expect_eq(c[4].depth, 1);
	cr_expect_str_eq(c[5].words[0].value, "f");
	cr_expect_str_eq(c[5].clause, "else", "nested lists inherit the clause");
	cr_expect_eq(c[5].depth, 2);
	arena_free(a);
}

Test(shell_parse, for_and_case_headers_and_patterns_are_not_commands)
{
	struct arena *a = arena_new();
	struct sh_simple *c;
	const char *text = "for f in $(ls) \"a b\"; do rm \"$f\"; done; "
	                   "case \"$x\" in a|b) one;; (c) two;;\n  *)\n four ;;\nesac; five";

	cr_assert_eq(parse(a, text, &c), 6);
	cr_expect_str_eq(c[0].words[0].value, "ls");
	cr_expect_eq(c[0].depth, 1);
	cr_expect_str_eq(c[0].clause, "for");
	cr_expect_str_eq(c[1].words[0].value, "rm");
	cr_expect_str_eq(c[1].clause, "do");
	cr_expect_str_eq(c[2].words[0].value, "one");
	cr_expect_eq(c[2].nwords, 1);
	cr_expect_str_eq(c[2].clause, "case");
	cr_expect_str_eq(c[3].words[0].value, "two");
	cr_expect_str_eq(c[4].words[0].value, "four");
	cr_expect_str_eq(c[5].words[0].value, "five");
	cr_expect_null(c[5].clause);
	arena_free(a);
}

Test(shell_parse, here_document_bodies_are_skipped)
{
	struct arena *a = arena_new();
	struct sh_simple *c;
	const char *text = "sqlite3 db <<'SQL' && echo done\nDROP TABLE x; rm -rf /\nSQL\nls";

	cr_assert_eq(parse(a, text, &c), 3);
	cr_expect_str_eq(c[0].words[0].value, "sqlite3");
	cr_assert_eq(c[0].nredirs, 1);
	cr_expect_str_eq(c[0].redirs[0].op, "<<");
	cr_expect_str_eq(c[0].redirs[0].target.value, "SQL");
	cr_expect_str_eq(c[1].words[0].value, "echo");
	cr_expect_eq(c[1].sep, SH_SEP_SEMI, "a newline separates like ;");
	cr_expect_str_eq(c[2].words[0].value, "ls");
	arena_free(a);
}

Test(shell_parse, continuation_and_comments)
{
	struct arena *a = arena_new();
	struct sh_simple *c;
	const char *w0[] = { "curl", "-fsS", "-H", "X: y", "http://h/#frag" };

	cr_assert_eq(parse(a, "curl -fsS \\\n  -H 'X: y' \\\n  http://h/#frag # note; rm x", &c), 1);
	expect_words(&c[0], w0, 5);
	arena_free(a);
}

/* Deterministic pseudo-random soup of shell syntax: nothing may crash, loop
 * or report a span outside the text. */
Test(shell_parse, survives_garbage)
{
	static const char alphabet[] = "ab $(){}`'\"\\\n#;&|<>-=${}0123\t";
	unsigned state = 12345;
	char text[200];

	for (int round = 0; round < 3000; round++) {
		size_t len = (size_t)(round % 199) + 1;
		struct arena *a = arena_new();
		struct sh_simple *c;
		struct sh_ref *r;
		struct sh_heredoc h[4];
		size_t n;

		for (size_t i = 0; i < len; i++) {
			state = state * 1103515245u + 12345u;
			text[i] = alphabet[(state >> 16) % (sizeof alphabet - 1)];
		}
		n = sh_parse(a, text, len, &c);
		for (size_t i = 0; i < n; i++) {
			cr_assert(c[i].off + c[i].len <= len);
			for (size_t k = 0; k < c[i].nwords; k++)
				cr_assert(c[i].words[k].off + c[i].words[k].len <= len);
		}
		n = sh_find_refs(text, len, &r);
		for (size_t i = 0; i < n; i++)
			cr_assert(r[i].off + r[i].len <= len);
		free(r);
		n = sh_find_heredocs(text, len, h, 4);
		for (size_t i = 0; i < n && i < 4; i++)
			cr_assert(h[i].delim_off + h[i].delim_wlen <= len);
		arena_free(a);
	}
}

Test(shell_quote, word_quotes_what_reads_as_an_assignment)
{
	struct buf b;

	buf_init(&b);
	sh_quote_word(&b, "FOO=bar", 7);
	cr_expect_str_eq(b.data, "'FOO=bar'");
	b.len = 0;
	sh_quote_word(&b, "--opt=bar", 9);
	cr_expect_str_eq(b.data, "--opt=bar");
	buf_free(&b);
	expect_output("'FOO=bar' 2>/dev/null || printf %s not-a-command", "not-a-command", 13);
}

/* Replace every reference in text by value, quoted for its context. */
static char *substitute(const char *text, const char *value)
{
	struct sh_ref *r = NULL;
	size_t n = sh_find_refs(text, strlen(text), &r), pos = 0;
	struct buf out;

	cr_assert(n > 0, "no reference found in [%s]", text);
	buf_init(&out);
	for (size_t i = 0; i < n; i++) {
		buf_add(&out, text + pos, r[i].off - pos);
		if (r[i].ctx == REF_UNQUOTED)
			sh_quote(&out, value, strlen(value));
		else if (r[i].ctx == REF_DQUOTED)
			sh_quote_dquoted(&out, value, strlen(value));
		else
			sh_quote_heredoc(&out, value, strlen(value));
		pos = r[i].off + r[i].len;
	}
	buf_puts(&out, text + pos);
	free(r);
	return buf_steal(&out);
}

/* Which hostile values a form below cannot carry in place (see shell.h). */
static bool form_skips(size_t form, const char *v)
{
	size_t len = strlen(v);

	/* $( ) and `...` strip trailing newlines. */
	if (form >= 1 && form <= 2 && len > 0 && v[len - 1] == '\n')
		return true;
	/* backquotes eat backslashes and end at any `: only variables are safe
	 * there (in_backquotes), the quoting functions are not */
	if (form == 2 && strpbrk(v, "\\`$\"") != NULL)
		return true;
	/* the word of "${x:-...}": } ends it, some shells read ' and ~ there */
	if (form == 3 && (strpbrk(v, "}'") != NULL || v[0] == '~'))
		return true;
	return false;
}

/* The contexts sh_find_refs reports are the ones the quoting functions are
 * made for: substituting a hostile value must give back exactly the value. */
Test(shell_refs, contexts_match_the_quoting_functions)
{
	static const char *const forms[] = {
		"printf '%s|' ${x} \"${x}\" \"pre ${x} post\"",
		"printf '%s|' \"$(printf %s ${x})\" \"$(printf %s \"${x}\")\"",
		"printf '%s|' \"`printf %s ${x}`\" `printf %s \"${x}\"`",
		"printf '%s|' \"${NOPE_UNSET:-${x}}\" ${NOPE_UNSET:-${x}}",
		"cat <<END_OF_VALUE\n${x}\nEND_OF_VALUE\n",
	};

	for (size_t i = 0; i < NHOSTILE; i++) {
		const char *v = hostile[i];
		for (size_t f = 0; f < sizeof forms / sizeof forms[0]; f++) {
			char *script;
			struct buf want;
			if (form_skips(f, v))
				continue;
			script = substitute(forms[f], v);
			buf_init(&want);
			if (f == 4) {
				buf_puts(&want, v);
				buf_putc(&want, '\n');
			} else if (f == 0) {
				buf_printf(&want, "%s|%s|pre %s post|", v, v, v);
			} else {
				buf_printf(&want, "%s|%s|", v, v);
			}
			if (f == 2 || f == 3) {
				/* unquoted $(...) and ${x:-...} results are split:
				 * only compare when the value is one plain field */
				if (strpbrk(v, " \t\n*") != NULL || v[0] == '\0') {
					buf_free(&want);
					free(script);
					continue;
				}
			}
			expect_output(script, want.data, want.len);
			buf_free(&want);
			free(script);
		}
	}
}

Test(shell_parse, more_operator_lines)
{
	struct arena *a = arena_new();
	struct sh_simple *c;
	const char *w0[] = { "ls", "-t", "${backups}/backup_*.sql.gz" };
	const char *w1[] = { "head", "-n", "1" };
	const char *w2[] = { "read", "-r", "f" };
	const char *w3[] = { "rm", "$f" };

	cr_assert_eq(parse(a, "ls -t ${backups}/backup_*.sql.gz | head -n 1", &c), 2);
	expect_words(&c[0], w0, 3);
	expect_words(&c[1], w1, 3);

	cr_assert_eq(parse(a, "while read -r f; do rm \"$f\"; done < list &", &c), 3);
	expect_words(&c[0], w2, 3);
	expect_words(&c[1], w3, 2);
	cr_expect(c[1].words[1].expands);
	cr_expect_eq(c[2].nwords, 0);
	cr_assert_eq(c[2].nredirs, 1);
	cr_expect_str_eq(c[2].redirs[0].op, "<");
	cr_expect_str_eq(c[2].redirs[0].target.value, "list");
	cr_expect_eq(c[2].sep, SH_SEP_BG);

	cr_assert_eq(parse(a, "curl -fsS -H \"Authorization: Bearer ${KEY}\" -d @${app}/x.json http://h/", &c), 1);
	cr_expect_str_eq(c[0].words[3].value, "Authorization: Bearer ${KEY}");
	cr_expect_str_eq(c[0].words[5].value, "@${app}/x.json");

	/* ' does not quote inside "${...}", it does in an unquoted ${...} */
	cr_assert_eq(parse(a, "echo \"${x:-'}\" ${y:-'}'} ; ls", &c), 2);
	cr_expect_str_eq(c[0].words[1].value, "${x:-'}");
	cr_expect_str_eq(c[0].words[2].value, "${y:-'}'}");
	cr_expect_str_eq(c[1].words[0].value, "ls");

	/* bash-only operators must not derail the rest */
	cr_assert_eq(parse(a, "make &> log |& tee x; echo 'ok'", &c), 4);
	cr_expect_str_eq(c[3].words[1].value, "ok");
	arena_free(a);
}
