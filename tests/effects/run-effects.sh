#!/bin/sh
# run-effects.sh - the effects suite: runs `relc check --no-git` on each spec
# in DIR and compares the effect diagnostics it reports (W103, W104, W105,
# W109, W110, E012) with DIR/NAME.expected. TAP output.
#
#   run-effects.sh RELC DIR
#
# NAME.expected holds one `LINE:COL: CODE` line per effect diagnostic in the
# spec itself, or `FILE:LINE:COL: CODE` for one in an included file (path as
# relc prints it). Lines starting with `#` are comments; an empty file says
# the spec must produce none of those codes. Other codes are ignored here:
# tests/diag owns them.
set -u

relc=${1:?relc}
dir=${2:?dir}
case $relc in /*) ;; *) relc=$PWD/$relc ;; esac
cd "$dir" || exit 2

tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

codes='W103|W104|W105|W109|W110|W114|E012'

# The effect diagnostics of relc's output, as sorted `[FILE:]LINE:COL: CODE`.
extract() { # spec output
	sed -n -E "s/^(.*):([0-9]+):([0-9]+): (error|warning)\[($codes)\]: .*\$/\1:\2:\3: \5/p" "$2" |
		while IFS= read -r line; do
			case $line in
			"$1":*) printf '%s\n' "${line#"$1":}" ;;
			*) printf '%s\n' "$line" ;;
			esac
		done | LC_ALL=C sort
}

set -- *.rel
[ -e "$1" ] || { echo "1..0 # SKIP no specs in $dir"; exit 0; }
echo "1..$#"
n=0
fails=0
for spec; do
	n=$((n + 1))
	name=${spec%.rel}
	if [ ! -f "$name.expected" ]; then
		echo "not ok $n - $name # no $name.expected"
		fails=$((fails + 1))
		continue
	fi
	grep -v -e '^#' -e '^[[:space:]]*$' "$name.expected" | LC_ALL=C sort >"$tmp/want"
	timeout 60 "$relc" check --no-git "$spec" >"$tmp/out" 2>&1
	status=$?
	extract "$spec" "$tmp/out" >"$tmp/got"
	problem=
	# 0 clean or warnings, 1 errors: anything else is a crash or a usage error.
	if [ "$status" -gt 1 ]; then
		problem="exit status $status"
	fi
	if ! cmp -s "$tmp/want" "$tmp/got"; then
		problem="${problem:+$problem; }effect diagnostics differ"
	fi
	if [ -z "$problem" ]; then
		echo "ok $n - $name"
	else
		fails=$((fails + 1))
		echo "not ok $n - $name # $problem"
		diff -u "$tmp/want" "$tmp/got" | sed 's/^/#   /'
		sed 's/^/#   | /' "$tmp/out" | head -n 60
	fi
done
[ "$fails" -eq 0 ]
