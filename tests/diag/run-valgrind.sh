#!/bin/sh
# run-valgrind.sh - runs relc under valgrind on every spec of the diag suite
# (bad and valid ones, which pull in the included files): no invalid access,
# no definite or indirect leak, on error paths as much as on clean ones.
#
#   run-valgrind.sh RELC DIR
#
# Skipped (exit 77) in a sanitizer build, where valgrind cannot run the
# instrumented binary, and when valgrind is not installed. Specs run in
# parallel, one valgrind per processor.
set -u

# One spec under valgrind (called back through xargs): reports and fails
# when valgrind found something (exit 99), relc crashed or hung, or it gave a
# status other than 0 or 1.
if [ "${1:-}" = --one ]; then
	relc=$2
	spec=$3
	args=
	if [ -f "${spec%.rel}.expected" ]; then
		args=$(sed -n 's/^args://p' "${spec%.rel}.expected")
	fi
	# shellcheck disable=SC2086 # args holds several flags on purpose
	out=$(timeout 300 valgrind -q --leak-check=full --error-exitcode=99 \
		--errors-for-leak-kinds=definite,indirect \
		"$relc" check --no-git $args "$spec" 2>&1)
	status=$?
	case $status in
	0 | 1) exit 0 ;;
	esac
	echo "FAIL: $spec (exit $status)"
	printf '%s\n' "$out" | sed 's/^/  | /' | head -n 60
	exit 1
fi

relc=${1:?relc}
dir=${2:?dir}
case $relc in /*) ;; *) relc=$PWD/$relc ;; esac
self=$0
case $self in /*) ;; *) self=$PWD/$self ;; esac

if [ "${RELC_SANITIZE:-none}" != none ]; then
	echo "skipped: sanitizer build (b_sanitize=$RELC_SANITIZE)"
	exit 77
fi
if ! command -v valgrind >/dev/null 2>&1; then
	echo "skipped: valgrind is not installed"
	exit 77
fi
cd "$dir" || exit 2

tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

for spec in ./*.rel valid/*.rel; do
	[ -e "$spec" ] && printf '%s\n' "$spec"
done >"$tmp/specs"
count=$(wc -l <"$tmp/specs")
jobs=$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 2)
# xargs exits non-zero when any spec failed.
if xargs -P "$jobs" -n 1 sh "$self" --one "$relc" <"$tmp/specs"; then
	echo "$count specs run under valgrind, none failed"
	[ "$count" -gt 0 ]
else
	echo "$count specs run under valgrind, some failed (see above)"
	exit 1
fi
