#!/bin/sh
# run-fuzz.sh - run the libFuzzer harness for a bounded time; fail on any
# finding (crash, leak, timeout, out-of-memory, sanitizer report).
#
#   run-fuzz.sh FUZZER SOURCE_ROOT [SECONDS] [WORK_DIR] [journal]
#
# With "journal", FUZZER is fuzz_journal: the seeds are the journals in
# tests/fuzz/journals/, read for the spec tests/journal/2.0.0.rel.
#
# The seed corpus is every .rel under tests/ and specs/, copied at run time;
# the regression inputs join it. The fuzzer runs inside WORK_DIR (default a
# temporary folder) next to copies of the files the seeds include, so
# `include` lines reach real files. New corpus entries and any crash input
# stay in WORK_DIR when it is given; a crash input is what goes into
# tests/fuzz/regressions/ once the bug is fixed.
set -u

fuzzer=${1:?usage: run-fuzz.sh FUZZER SOURCE_ROOT [SECONDS] [WORK_DIR]}
src=${2:?source root}
seconds=${3:-120}
work=${4:-}
kind=${5:-spec}
case $fuzzer in /*) ;; *) fuzzer=$PWD/$fuzzer ;; esac
src=$(cd "$src" && pwd) || exit 2

if [ -z "$work" ]; then
	work=$(mktemp -d) || exit 2
	trap 'rm -rf "$work"' EXIT
fi
trap 'exit 130' INT TERM
mkdir -p "$work/corpus" "$work/run/inc" "$work/run/include" "$work/findings" || exit 2
work=$(cd "$work" && pwd) || exit 2

# Seeds: a file's name in the corpus is its path with / as _, so equal names
# in different folders do not overwrite each other.
dict=-dict=$src/tests/fuzz/relc.dict
if [ "$kind" = journal ]; then
	cp "$src"/tests/fuzz/journals/* "$work/corpus/" || exit 2
	RELC_FUZZ_JOURNAL_SPEC=$src/tests/journal/2.0.0.rel
	export RELC_FUZZ_JOURNAL_SPEC
	dict=
fi
[ "$kind" = journal ] || find "$src/tests" "$src/specs" -name '*.rel' -type f | while IFS= read -r f; do
	rel=${f#"$src"/}
	cp "$f" "$work/corpus/$(printf '%s' "$rel" | tr / _)"
done
[ "$kind" = journal ] || for f in "$src"/tests/fuzz/regressions/*; do
	[ -f "$f" ] && cp "$f" "$work/corpus/regression_$(basename "$f")"
done
# What the seeds include, relative to the fuzzer's "fuzz.rel".
cp "$src"/specs/*.rel "$work/run/"
for d in $(find "$src/tests" -type d \( -name inc -o -name include \)); do
	cp -R "$d"/. "$work/run/$(basename "$d")/"
done
seeds=$(ls "$work/corpus" | wc -l)
echo "fuzz: $seeds seed inputs, $seconds s, work folder $work"

cd "$work/run" || exit 2
# detect_leaks is on by default; say so. Standard input is /dev/null so an
# input that includes /dev/stdin cannot wait for a terminal.
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1}
UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
export ASAN_OPTIONS UBSAN_OPTIONS
"$fuzzer" -max_total_time="$seconds" -max_len=65536 -timeout=10 \
	-rss_limit_mb=2048 -print_final_stats=1 \
	${dict:+"$dict"} \
	-artifact_prefix="$work/findings/" \
	"$work/corpus" </dev/null
st=$?
found=$(ls "$work/findings" | wc -l)
if [ "$st" -ne 0 ] || [ "$found" -ne 0 ]; then
	echo "fuzz: FAILED (exit $st); inputs that show the finding:"
	for f in "$work"/findings/*; do
		[ -f "$f" ] || continue
		echo "  $f"
		od -c "$f" | head -n 20 | sed 's/^/    /'
	done
	exit 1
fi
echo "fuzz: no findings in $seconds s"
