#!/bin/sh
# run-diag.sh - the diagnostics suite: runs `relc check --no-git` on specs and
# compares what it reports with the expectation beside each spec. TAP output.
#
#   run-diag.sh specs RELC DIR   every DIR/*.rel against DIR/NAME.expected
#   run-diag.sh valid RELC DIR   every DIR/*.rel must check clean, exit 0
#
# NAME.expected holds one `LINE:COL: CODE` line per diagnostic in the spec
# itself, `FILE:LINE:COL: CODE` for one in another file (path as relc prints
# it, relative to DIR), and optionally `args: FLAGS` (extra relc flags) and
# `exit: N` (default: 1 if an E code is expected, else 0). Lines starting with
# `#` are comments. Every diagnostic relc prints must be listed.
set -u

mode=${1:?mode}
relc=${2:?relc}
dir=${3:?dir}
case $relc in /*) ;; *) relc=$PWD/$relc ;; esac
cd "$dir" || exit 2

tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

# The diagnostics in relc's output, as sorted `[FILE:]LINE:COL: CODE` lines.
extract() { # spec output
	sed -n -E 's/^(.*):([0-9]+):([0-9]+): (error|warning)\[([A-Z][0-9]+)\]: .*$/\1:\2:\3: \5/p' "$2" |
		while IFS= read -r line; do
			case $line in
			"$1":*) printf '%s\n' "${line#"$1":}" ;;
			*) printf '%s\n' "$line" ;;
			esac
		done | LC_ALL=C sort
}

n=0
fails=0
set -- *.rel
[ -e "$1" ] || { echo "1..0 # SKIP no specs in $dir"; exit 0; }
echo "1..$#"
for spec; do
	n=$((n + 1))
	name=${spec%.rel}
	args=
	want_exit=
	: >"$tmp/want"
	if [ "$mode" = specs ]; then
		if [ ! -f "$name.expected" ]; then
			echo "not ok $n - $name # no $name.expected"
			fails=$((fails + 1))
			continue
		fi
		while IFS= read -r line || [ -n "$line" ]; do
			case $line in
			'#'* | '') ;;
			args:*) args=${line#args:} ;;
			exit:*) want_exit=${line#exit:}; want_exit=${want_exit# } ;;
			*) printf '%s\n' "$line" >>"$tmp/want" ;;
			esac
		done <"$name.expected"
	fi
	LC_ALL=C sort -o "$tmp/want" "$tmp/want"
	if [ -z "$want_exit" ]; then
		if grep -q ': E[0-9]' "$tmp/want"; then want_exit=1; else want_exit=0; fi
	fi
	# shellcheck disable=SC2086 # args holds several flags on purpose
	timeout 60 "$relc" check --no-git $args "$spec" >"$tmp/out" 2>&1
	status=$?
	extract "$spec" "$tmp/out" >"$tmp/got"
	problem=
	if [ "$status" -ne "$want_exit" ]; then
		problem="exit status $status, expected $want_exit"
	fi
	if ! cmp -s "$tmp/want" "$tmp/got"; then
		problem="${problem:+$problem; }diagnostics differ"
	fi
	if [ -z "$problem" ]; then
		echo "ok $n - $name"
	else
		fails=$((fails + 1))
		echo "not ok $n - $name # $problem"
		diff -u "$tmp/want" "$tmp/got" | sed 's/^/#   /'
		sed 's/^/#   | /' "$tmp/out" | head -n 40
	fi
done
[ "$fails" -eq 0 ]
