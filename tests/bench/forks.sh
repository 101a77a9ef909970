#!/bin/sh
# forks.sh RELC: process starts per block of the generated deploy.sh under
# each of the six shells. Specs of 10 and 110 `run /bin/true` steps are
# built and deployed under strace -f; every fork (clone, fork, vfork) is
# counted, and the difference over the 100 extra blocks, less the one fork
# per step that starts /bin/true, is the cost per block (start-up aside).
# Goal (issue 16): at most three per block besides the command. Needs strace.
set -u
RELC=$1
STEPS=100
case $RELC in
/*) ;;
*) RELC=$PWD/$RELC ;;
esac
if ! command -v strace > /dev/null 2>&1; then
	printf 'strace is not installed\n' >&2
	exit 77
fi
TMP=$(mktemp -d "${TMPDIR:-/tmp}/relc-forks.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT
# spec N: a release of N one-command steps, built into $TMP/gN
spec() {
	{
		printf '%s\n' 'project "Benchmark"' 'release 0.0.1' 'date 2026-11-26' \
			'previous e8f9c0ad44b56be640c7c55e1f1a67a2eb7c6f7a' \
			'target aa209268accd2e7781f0548b0fe0c6eafd355e95' \
			'state-dir /nonexistent/relc-bench' 'downtime 0s'
		i=1
		while [ $i -le "$1" ]; do
			printf 'step "Step %d" {\n    run /bin/true\n    timeout 60s\n    undo none "benchmark"\n}\n' $i
			i=$((i + 1))
		done
	} > "$TMP/s$1.rel"
	"$RELC" build -q --no-git "$TMP/s$1.rel" -o "$TMP/g$1"
}
spec 10 || exit 1
spec $((10 + STEPS)) || exit 1

# count SHELL-WORDS N: forks of a deploy of the N-step release (COUNT), and
# its exit status (RC).
count() {
	n=$1
	shift
	rm -rf "$TMP/state"
	RELC_STATE_DIR=$TMP/state strace -f -qq -e trace=clone,clone3,fork,vfork \
		-o "$TMP/trace" "$@" "$TMP/g$n/deploy.sh" --yes > "$TMP/log" 2>&1
	RC=$?
	COUNT=$(grep -c -E '^[0-9]+ +(clone|clone3|fork|vfork)\(' "$TMP/trace")
}

fail=0
for sh in dash posh yash mksh 'busybox sh' 'bash --posix'; do
	# shellcheck disable=SC2086
	set -- $sh
	if ! command -v "$1" > /dev/null 2>&1; then
		printf '%-13s not installed\n' "$sh"
		continue
	fi
	count 10 "$@"
	rc=$RC
	small=$COUNT
	count $((10 + STEPS)) "$@"
	[ $RC -ne 0 ] && rc=$RC
	forks=$((COUNT - small))
	# forks per block besides the command, in hundredths
	per=$(( (forks - STEPS) * 100 / STEPS ))
	verdict=PASS
	if [ $rc -ne 0 ]; then
		verdict="FAIL (deploy.sh exit $rc)"
		fail=1
	elif [ $per -gt 300 ]; then
		verdict=FAIL
		fail=1
	fi
	printf '%-13s %d forks for %d more blocks: %d.%02d per block besides the command: %s\n' \
		"$sh" "$forks" $STEPS $((per / 100)) $((per % 100)) "$verdict"
done
exit $fail
