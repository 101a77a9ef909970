#!/bin/sh
# run-noexec.sh RELC - `relc check`, `relc build --check` and `relc emit` on a
# stranger's spec run no program and open no network connection, even in a
# repository whose configuration and .gitattributes name commands (fsmonitor,
# hooks, filter drivers, ssh, pager, credential helper). Watched with
# `strace -f`: the only execve is relc's own, no INET socket is made, and no
# refused include is ever opened. Exit 77 (skip) without a working strace.
set -u
# shellcheck source=tests/security/common.sh
. "$(dirname "$0")/common.sh"

if ! command -v strace >/dev/null 2>&1; then
	echo "strace is not installed (scripts/setup installs it)"
	exit 77
fi
if ! strace -f -o /dev/null true 2>/dev/null; then
	echo "strace cannot trace here (ptrace not permitted)"
	exit 77
fi

printf 'let same = 1\n' >"$repo/specs/shared.rel"
printf 'let common = 1\n' >"$repo/shared/common.rel"
ln -s ../../outside/secret.rel "$repo/specs/link-out.rel"
spec good 'include "shared.rel"' 'include "../shared/common.rel"' 'changes from-git'
spec hostile 'include "/proc/self/environ"' 'include "../../outside/secret.rel"' \
	'include "link-out.rel"' 'include "shared.rel"'
printf '* filter=evil\n' >"$repo/.gitattributes"
git -C "$repo" add -A
git -C "$repo" commit -q -m 'feat: the specs'

# Then every command git could be told to run, each leaving a mark if it
# ever runs (the pull request brings .gitattributes; the rest stands for a
# runner whose configuration is hostile or merely rich).
mark=$tmp/ran
hook=$tmp/hook
# shellcheck disable=SC2016 # $0 and $* belong to the hook
printf '#!/bin/sh\necho "$0 $*" >>%s\ncat\n' "$mark" >"$hook"
chmod +x "$hook"
mkdir -p "$tmp/hooks"
for h in pre-commit post-checkout post-index-change fsmonitor-watchman reference-transaction; do
	cp "$hook" "$tmp/hooks/$h"
done
for kv in "core.fsmonitor $hook" "core.hooksPath $tmp/hooks" "core.sshCommand $hook" \
	"core.pager $hook" "core.askPass $hook" "credential.helper $hook" \
	"diff.external $hook" "gpg.program $hook" "filter.evil.clean $hook" \
	"filter.evil.smudge $hook" "filter.evil.process $hook" "filter.evil.required true" \
	"remote.origin.url ssh://example.invalid/repo.git" "core.untrackedCache true"; do
	git -C "$repo" config "${kv%% *}" "${kv#* }"
done
: >"$mark"
(cd "$repo" && "$relc" build -q -o "$tmp/gen" specs/good.rel) || {
	echo "relc build of the good spec failed"
	exit 1
}

# LeakSanitizer cannot run under ptrace; the other suites look for leaks
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
export ASAN_OPTIONS

# How often the trace shows /proc/self/environ opened. A sanitizer's runtime
# reads it at start-up: what `relc --version` opens is the baseline.
environ_opens() {
	grep -E 'open(at2?)?\(.*environ"' "$tmp/trace" | grep -c -v 'ENOENT'
}
strace -f -qq -o "$tmp/trace" -e trace=open,openat,openat2 "$relc" --version >/dev/null 2>&1
runtime_environ=$(environ_opens)

fails=0
# traced NAME WANT_EXIT ARGS...: run relc under strace from the repository
traced() {
	name=$1 want=$2
	shift 2
	(cd "$repo" && strace -f -qq -o "$tmp/trace" \
		-e trace=execve,execveat,socket,connect,open,openat,openat2 \
		"$relc" "$@") >"$tmp/out" 2>&1
	status=$?
	problem=
	[ "$status" -eq "$want" ] || problem="exit $status, expected $want"
	# relc's own execve is the one allowed (a sanitizer may repeat it)
	execs=$(grep -E '(^|[0-9] +)execve(at)?\(' "$tmp/trace" | grep -c -v -F "execve(\"$relc\"")
	[ "$execs" -eq 0 ] || problem="${problem:+$problem; }$execs execve calls besides relc's own"
	if grep -E 'socket\(AF_INET6?,|connect\(.*AF_INET' "$tmp/trace" >/dev/null; then
		problem="${problem:+$problem; }a network socket"
	fi
	if grep -F -e "$outside" -e 'secret.rel' -e 'link-out.rel' "$tmp/trace" |
		grep -E 'open(at2?)?\(' >/dev/null ||
		[ "$(environ_opens)" -ne "$runtime_environ" ]; then
		problem="${problem:+$problem; }a refused include was opened"
	fi
	if [ -s "$mark" ] || grep -F -q "$secret" "$tmp/out"; then
		problem="${problem:+$problem; }a configured command ran or the secret leaked"
	fi
	if [ -z "$problem" ]; then
		echo "ok - $name"
	else
		fails=$((fails + 1))
		echo "FAIL - $name: $problem"
		grep -E 'exec|socket|connect' "$tmp/trace" | sed 's/^/# /'
		head -n 20 "$tmp/out" | sed 's/^/# /'
	fi
}

traced "check" 0 check specs/good.rel
traced "check --diagnostics=sarif of a hostile spec" 1 check --diagnostics=sarif specs/hostile.rel
traced "build --check" 0 build --check -o "$tmp/gen" specs/good.rel
for kind in sh rollback md changelog json; do
	traced "emit $kind" 0 emit "$kind" specs/good.rel
done
[ "$fails" -eq 0 ]
