#!/bin/sh
# shell_overhead.sh RELC [SHELL]: the generated deploy.sh's own cost per
# block. A 200-step spec of `run true` steps (RELC_BENCH_STEPS to change
# it) is built and deployed under SHELL (default dash); the same commands run
# from a plain script give the baseline. Prints the overhead per block in
# milliseconds, and the cost of the three process starts a block cannot do
# without (timeout, sh, date) on this machine; the goal on process starts
# is tests/bench/forks.sh's, which counts them.
set -u
RELC=$1
SHELL_UNDER_TEST=${2:-dash}
STEPS=${RELC_BENCH_STEPS:-200}
case $STEPS in ""|*[!0-9]*) printf "RELC_BENCH_STEPS must be a number\n" >&2; exit 2 ;; esac
case $RELC in
/*) ;;
*) RELC=$PWD/$RELC ;;
esac
TMP=$(mktemp -d "${TMPDIR:-/tmp}/relc-bench.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT

{
	printf '%s\n' 'project "Benchmark"' 'release 0.0.1' 'date 2026-11-26' \
		'previous e8f9c0ad44b56be640c7c55e1f1a67a2eb7c6f7a' \
		'target aa209268accd2e7781f0548b0fe0c6eafd355e95' \
		'state-dir /nonexistent/relc-bench' 'downtime 0s'
	i=1
	while [ $i -le "$STEPS" ]; do
		printf 'step "Step %d" {\n    run true\n    estimate 1s\n    undo none "benchmark"\n}\n' $i
		i=$((i + 1))
	done
} > "$TMP/bench.rel"
if ! "$RELC" build -q --no-git "$TMP/bench.rel" -o "$TMP/gen"; then
	printf 'relc build failed\n' >&2
	exit 1
fi
{
	printf '#!/bin/sh\n'
	i=1
	while [ $i -le "$STEPS" ]; do
		printf 'true\n'
		i=$((i + 1))
	done
} > "$TMP/plain.sh"

# The processes a block cannot do without (timeout, the sh that runs the
# command, one clock reading): what a machine's fork/exec speed alone costs.
{
	printf '#!/bin/sh\n'
	i=1
	while [ $i -le "$STEPS" ]; do
		printf 'timeout 5 sh -c true\nt=$(date +%%s)\n'
		i=$((i + 1))
	done
} > "$TMP/floor.sh"

# Milliseconds since the epoch (GNU date's %N).
now_ms() {
	t=$(date +%s%N)
	printf '%s\n' "${t%??????}"
}

t0=$(now_ms)
$SHELL_UNDER_TEST "$TMP/plain.sh" || exit 1
t1=$(now_ms)
RELC_STATE_DIR=$TMP/state $SHELL_UNDER_TEST "$TMP/gen/deploy.sh" --yes > "$TMP/deploy.log" 2>&1
rc=$?
t2=$(now_ms)
if [ $rc -ne 0 ]; then
	printf 'deploy.sh failed (exit %d)\n' $rc >&2
	tail -n 20 "$TMP/deploy.log" >&2
	exit 1
fi
$SHELL_UNDER_TEST "$TMP/floor.sh" || exit 1
t3=$(now_ms)
plain=$((t1 - t0))
deploy=$((t2 - t1))
floor=$((t3 - t2))
per=$(( (deploy - plain) * 1000 / STEPS ))
fper=$(( (floor - plain) * 1000 / STEPS ))
printf 'shell: %s, %d steps of `run true`\n' "$SHELL_UNDER_TEST" "$STEPS"
printf 'plain script:  %d ms\n' $plain
printf 'deploy.sh:     %d ms\n' $deploy
printf 'overhead per block: %d.%03d ms\n' $((per / 1000)) $((per % 1000))
printf '  of which starting timeout, sh and date: %d.%03d ms (this machine'"'"'s fork/exec cost)\n' \
	$((fper / 1000)) $((fper % 1000))
