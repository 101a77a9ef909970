#!/bin/sh
# run-regressions.sh - replay every input in tests/fuzz/regressions/ (each once
# made relc crash, leak, hang or trip a sanitizer) through the relc binary.
# `relc check --no-git` and `relc build --no-git -o DIR` must each exit 0, 1
# or 2 within 10 seconds, say why when not 0, and print no sanitizer report.
# The input runs as "fuzz.rel" beside the files the fuzzer had for includes,
# as in run-fuzz.sh. TAP output.
#
#   run-regressions.sh RELC SOURCE_ROOT
set -u

relc=${1:?usage: run-regressions.sh RELC SOURCE_ROOT}
src=${2:?source root}
case $relc in /*) ;; *) relc=$PWD/$relc ;; esac
src=$(cd "$src" && pwd) || exit 2

tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM
mkdir -p "$tmp/run/inc" "$tmp/run/include" || exit 2
cp "$src"/specs/*.rel "$tmp/run/"
for d in $(find "$src/tests" -type d \( -name inc -o -name include \)); do
	cp -R "$d"/. "$tmp/run/$(basename "$d")/"
done
cd "$tmp/run" || exit 2

n=0
fails=0
# run NAME ARGS...: one relc run, judged.
run() {
	name=$1
	shift
	n=$((n + 1))
	timeout -k 5 10 "$relc" "$@" </dev/null >"$tmp/out" 2>"$tmp/err"
	st=$?
	why=
	case $st in
	0) ;;
	1 | 2) [ -s "$tmp/err" ] || why="exit $st without a message" ;;
	124 | 137) why="timed out (exit $st)" ;;
	*) why="exit $st (a signal or a sanitizer abort)" ;;
	esac
	if grep -q -e 'Sanitizer' -e 'runtime error:' "$tmp/err"; then
		why="${why:+$why; }sanitizer report"
	fi
	if [ -z "$why" ]; then
		echo "ok $n - $name (exit $st)"
	else
		fails=$((fails + 1))
		echo "not ok $n - $name: $why"
		head -c 3000 "$tmp/err" | sed 's/^/#   | /'
	fi
}

count=0
for f in "$src"/tests/fuzz/regressions/*; do
	[ -f "$f" ] || continue
	count=$((count + 1))
	base=$(basename "$f")
	cp "$f" fuzz.rel
	run "$base: check" check --no-git fuzz.rel
	rm -rf "$tmp/out-dir"
	run "$base: build" build --no-git fuzz.rel -o "$tmp/out-dir"
done
if [ "$count" -eq 0 ]; then
	n=$((n + 1))
	fails=$((fails + 1))
	echo "not ok $n - no regression inputs found in $src/tests/fuzz/regressions"
fi
echo "1..$n"
[ "$fails" -eq 0 ]
