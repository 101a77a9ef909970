#!/bin/sh
# run-faults.sh - allocation failures: `relc build` of the demo repository's
# specs/0.3.0.rel with the K-th allocation failing (libfailalloc.so), for
# every K up to 300 and then a sample of the rest. Each run must exit 0 or 2
# (never a signal or a timeout), print an error when it fails, and leave the
# output folder as the complete build made before (the same four files, the
# same bytes, no temporary file). TAP output.
#
#   run-faults.sh RELC SOURCE_ROOT LIBFAILALLOC [DENSE [SAMPLES]]
#
# Skipped (a TAP skip plan) under a sanitizer build: AddressSanitizer has its own malloc
# and refuses an LD_PRELOAD one.
set -u

relc=${1:?usage: run-faults.sh RELC SOURCE_ROOT LIBFAILALLOC [DENSE [SAMPLES]]}
src=${2:?source root}
shim=${3:?libfailalloc.so}
dense=${4:-300}
samples=${5:-300}
case $relc in /*) ;; *) relc=$PWD/$relc ;; esac
case $shim in /*) ;; *) shim=$PWD/$shim ;; esac

case ${RELC_SANITIZE:-none} in
none | '') ;;
*)
	echo "1..0 # SKIP built with -Db_sanitize=$RELC_SANITIZE: the sanitizer's allocator cannot be interposed"
	exit 0 # TAP: the skip plan above says why; meson reads exit 77 as an error under protocol tap
	;;
esac

# libgit2 1.5.1 itself is not safe against a failed allocation: it crashes
# (git_config_snapshot while opening a repository, revwalks, its global
# init), also when the failing call is a C library function it called. So
# allocations made while libgit2 is on the stack are not counted nor failed;
# relc's own code around it, and its handling of libgit2's errors, are.
FAILALLOC_SKIP=libgit2.so
export FAILALLOC_SKIP

tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

bail() {
	echo "Bail out! $1"
	exit 1
}

sh "$src/scripts/demo-repo.sh" "$tmp/demo" >/dev/null || bail "demo repository not created"
out=$tmp/out
build() {
	"$relc" build -q --repo "$tmp/demo" "$tmp/demo/specs/0.3.0.rel" -o "$out"
}
build 2>"$tmp/err" || bail "the build without faults fails: $(cat "$tmp/err")"
mkdir "$tmp/ref" && cp -p "$out"/* "$tmp/ref/" || bail "cannot keep the reference build"
(cd "$tmp/ref" && ls -A) >"$tmp/ref.list"

# How many allocations a whole build makes.
FAILALLOC_COUNT=$tmp/count LD_PRELOAD=$shim build 2>"$tmp/err" ||
	bail "the build under the shim fails without a fault: $(cat "$tmp/err")"
total=$(cat "$tmp/count")
[ "$total" -gt 0 ] 2>/dev/null || bail "the shim counted no allocations (not preloaded?)"
echo "# a build makes $total counted allocations"

# The K values: 1..dense, then about `samples` more spread evenly, then the
# last few (where the files are written).
step=1
if [ "$total" -gt "$dense" ]; then
	step=$(( (total - dense + samples - 1) / samples ))
	[ "$step" -ge 1 ] || step=1
fi
ks() {
	k=1
	while [ "$k" -le "$total" ]; do
		echo "$k"
		if [ "$k" -lt "$dense" ]; then k=$((k + 1)); else k=$((k + step)); fi
	done
	k=$((total - 4))
	[ "$k" -lt 1 ] && k=1
	while [ "$k" -le "$total" ]; do echo "$k"; k=$((k + 1)); done
}

n=0
fails=0
statuses=
for k in $(ks | sort -n | uniq); do
	n=$((n + 1))
	FAILALLOC_N=$k LD_PRELOAD=$shim timeout -k 5 30 "$relc" build -q --repo "$tmp/demo" \
		"$tmp/demo/specs/0.3.0.rel" -o "$out" </dev/null >/dev/null 2>"$tmp/err"
	st=$?
	why=
	case $st in
	0) ;;
	2) grep -q 'error' "$tmp/err" || why="exit 2 without an error message" ;;
	124 | 137) why="timed out" ;;
	*) why="exit $st" ;;
	esac
	(cd "$out" && ls -A) >"$tmp/out.list"
	if ! cmp -s "$tmp/ref.list" "$tmp/out.list"; then
		why="${why:+$why; }output folder holds: $(tr '\n' ' ' <"$tmp/out.list")"
	else
		for f in $(cat "$tmp/ref.list"); do
			cmp -s "$tmp/ref/$f" "$out/$f" || why="${why:+$why; }$f differs from the complete build"
		done
	fi
	case " $statuses " in *" $st "*) ;; *) statuses="$statuses $st" ;; esac
	if [ -z "$why" ]; then
		echo "ok $n - allocation $k fails: exit $st"
	else
		fails=$((fails + 1))
		echo "not ok $n - allocation $k fails: $why"
		head -c 2000 "$tmp/err" | sed 's/^/#   | /'
		# Put the reference back so one failure does not cascade.
		rm -rf "$out" && mkdir "$out" && cp -p "$tmp/ref"/* "$out/"
	fi
done
echo "# exit statuses seen:$statuses"
# The shim must really have failed something: some run has to exit 2.
n=$((n + 1))
case " $statuses " in
*" 2 "*) echo "ok $n - some allocation failures end in exit 2 (out of memory)" ;;
*)
	fails=$((fails + 1))
	echo "not ok $n - no run exited 2: the shim made nothing fail"
	;;
esac
echo "1..$n"
[ "$fails" -eq 0 ]
