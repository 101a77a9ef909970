#!/bin/sh
# run-shellcheck.sh - every spec under tests/ and specs/ that compiles (with
# --no-git) gives a deploy.sh and a rollback.sh that dash parses (`sh -n`)
# and that `shellcheck -s sh` passes without a finding. Specs that do not
# compile are skipped: they are the diagnostics suite's business. TAP output.
#
#   run-shellcheck.sh RELC SOURCE_ROOT
set -u

relc=${1:?usage: run-shellcheck.sh RELC SOURCE_ROOT}
src=${2:?source root}
case $relc in /*) ;; *) relc=$PWD/$relc ;; esac
src=$(cd "$src" && pwd) || exit 2

if ! command -v dash >/dev/null || ! command -v shellcheck >/dev/null; then
	echo "1..0 # SKIP dash or shellcheck is not installed"
	exit 0 # TAP: the skip plan says why (meson reads exit 77 as an error under protocol tap)
fi

tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

# Generate first, then shellcheck every script, as many at once as there are
# processors (it takes most of a second per script), then judge each one.
i=0
: >"$tmp/list"
# tests/realworld is left out: its own realworld-build test shellchecks it.
find "$src/tests" "$src/specs" -path "$src/tests/realworld" -prune -o -name '*.rel' -type f -print |
	LC_ALL=C sort >"$tmp/specs"
while IFS= read -r spec; do
	i=$((i + 1))
	if "$relc" emit sh --no-git "$spec" >"$tmp/$i.deploy.sh" 2>/dev/null &&
		"$relc" emit rollback --no-git "$spec" >"$tmp/$i.rollback.sh" 2>/dev/null; then
		printf '%s %s\n' "$i" "${spec#"$src"/}" >>"$tmp/list"
	fi
done <"$tmp/specs"
total=$i
compiled=$(wc -l <"$tmp/list")
echo "# $compiled of $total specs compile with --no-git"

jobs=$(nproc 2>/dev/null || echo 2)
(cd "$tmp" && ls -- *.deploy.sh *.rollback.sh 2>/dev/null |
	xargs -r -n 4 -P "$jobs" sh -c 'shellcheck -s sh -f gcc -- "$@" >"$1.sc" 2>&1; echo $? >"$1.st"' sh)
sc_status=0
for f in "$tmp"/*.st; do
	[ -f "$f" ] || continue
	st=$(cat "$f")
	[ "$st" -gt "$sc_status" ] && sc_status=$st
done
cat "$tmp"/*.sc >"$tmp/sc.out" 2>/dev/null

n=0
fails=0
while read -r i spec; do
	for kind in deploy rollback; do
		n=$((n + 1))
		f=$i.$kind.sh
		why=
		if ! dash -n "$tmp/$f" 2>"$tmp/dash.err"; then
			why="dash -n: $(head -n 3 "$tmp/dash.err")"
		fi
		if grep -q "^$f:" "$tmp/sc.out"; then
			why="${why:+$why; }shellcheck findings"
		fi
		if [ -z "$why" ]; then
			echo "ok $n - $spec: $kind.sh"
		else
			fails=$((fails + 1))
			echo "not ok $n - $spec: $kind.sh: $why"
			grep "^$f:" "$tmp/sc.out" | head -n 20 | sed 's/^/#   | /'
		fi
	done
done <"$tmp/list"
# shellcheck failing without naming any of our scripts (it crashed, say).
if [ "$sc_status" -ne 0 ] && ! grep -q '^[0-9]*\.[a-z]*\.sh:' "$tmp/sc.out"; then
	n=$((n + 1))
	fails=$((fails + 1))
	echo "not ok $n - shellcheck failed (exit $sc_status)"
	head -n 20 "$tmp/sc.out" | sed 's/^/#   | /'
fi
if [ "$compiled" -eq 0 ]; then
	n=$((n + 1))
	fails=$((fails + 1))
	echo "not ok $n - no spec compiled: relc is broken or the tree has no specs"
fi
echo "1..$n"
[ "$fails" -eq 0 ]
