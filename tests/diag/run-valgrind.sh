#!/bin/sh
# run-valgrind.sh - runs relc under valgrind on every spec of the diag suite
# (bad, valid and included ones): no invalid access, no definite or indirect
# leak, on error paths as much as on clean ones.
#
#   run-valgrind.sh RELC DIR
#
# Skipped (exit 77) in a sanitizer build, where valgrind cannot run the
# instrumented binary, and when valgrind is not installed.
set -u

relc=${1:?relc}
dir=${2:?dir}
case $relc in /*) ;; *) relc=$PWD/$relc ;; esac

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

fails=0
count=0
for spec in *.rel valid/*.rel; do
	[ -e "$spec" ] || continue
	count=$((count + 1))
	args=
	if [ -f "${spec%.rel}.expected" ]; then
		args=$(sed -n 's/^args://p' "${spec%.rel}.expected")
	fi
	# shellcheck disable=SC2086 # args holds several flags on purpose
	timeout 300 valgrind -q --leak-check=full --error-exitcode=99 \
		--errors-for-leak-kinds=definite,indirect \
		"$relc" check --no-git $args "$spec" >"$tmp/out" 2>&1
	status=$?
	case $status in
	0 | 1) ;;
	*)
		fails=$((fails + 1))
		echo "FAIL: $spec (exit $status)"
		sed 's/^/  | /' "$tmp/out" | head -n 60
		;;
	esac
done
echo "$count specs run under valgrind, $fails failed"
[ "$count" -gt 0 ] && [ "$fails" -eq 0 ]
