#!/bin/sh
# run.sh RELC DIR NAME KIND... - one golden test.
#
# Compiles DIR/NAME.rel with `relc emit KIND --no-git` for each KIND (md,
# changelog, json, sh, rollback) and compares the output with the file of
# the same artefact in DIR/NAME.expected/, printing a unified diff when they
# differ. A first line "# relc-flags: ..." in the spec adds options.
# If DIR/NAME.changelog-in.md exists, `relc changelog --update` is also run
# on a copy of it (twice: the second run must change nothing) and compared
# with NAME.expected/CHANGELOG.md.
#
# RELC_GOLDEN_UPDATE=1 rewrites the expected files from the current output
# instead of comparing (read every changed file before committing it).
set -u
relc=$1 dir=$2 name=$3
shift 3
update=${RELC_GOLDEN_UPDATE:-}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/relc-golden.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# meson passes the binary relative to the build folder: make it absolute.
case $relc in /*) ;; *) relc=$(pwd)/$relc ;; esac
cd "$dir" || exit 99
spec=$name.rel
exp=$name.expected
flags=$(sed -n '1s/^# relc-flags: //p' "$spec")
status=0

# compare NEW EXPECTED: diff, or copy in update mode.
compare() {
	if [ "$update" = 1 ]; then
		mkdir -p "$exp" || exit 99
		if ! cmp -s "$1" "$2"; then
			cp "$1" "$2" || exit 99
			printf 'updated %s/%s\n' "$dir" "$2"
		fi
		return 0
	fi
	if [ ! -f "$2" ]; then
		printf 'FAIL: %s is missing (RELC_GOLDEN_UPDATE=1 creates it)\n' "$2"
		status=1
	elif ! diff -u "$2" "$1"; then
		printf 'FAIL: %s differs (diff above: - expected, + actual)\n' "$2"
		status=1
	fi
}

for kind in "$@"; do
	case $kind in
	md) file=plan.md ;;
	changelog) file=changelog.md ;;
	json) file=release.json ;;
	sh) file=deploy.sh ;;
	rollback) file=rollback.sh ;;
	fleet) file=fleet.yml ;;
	fleet-rollback) file=fleet-rollback.yml ;;
	*) printf 'run.sh: unknown artefact %s\n' "$kind" >&2; exit 99 ;;
	esac
	# $flags is split on purpose: it holds options.
	# shellcheck disable=SC2086
	if ! "$relc" emit "$kind" --no-git $flags "$spec" >"$tmp/$file" 2>"$tmp/stderr"; then
		printf 'FAIL: relc emit %s %s exited with an error:\n' "$kind" "$spec"
		cat "$tmp/stderr"
		status=1
		continue
	fi
	if [ "$kind" = json ] && command -v jq >/dev/null 2>&1 &&
	   ! jq empty "$tmp/$file"; then
		printf 'FAIL: relc emit json %s is not valid JSON\n' "$spec"
		status=1
	fi
	compare "$tmp/$file" "$exp/$file"
done

if [ -f "$name.changelog-in.md" ]; then
	cp "$name.changelog-in.md" "$tmp/CHANGELOG.md" || exit 99
	# shellcheck disable=SC2086
	if "$relc" changelog --no-git $flags "$spec" --update "$tmp/CHANGELOG.md" 2>"$tmp/stderr" &&
	   cp "$tmp/CHANGELOG.md" "$tmp/once.md" &&
	   "$relc" changelog --no-git $flags "$spec" --update "$tmp/CHANGELOG.md" 2>>"$tmp/stderr"; then
		if ! cmp -s "$tmp/once.md" "$tmp/CHANGELOG.md"; then
			printf 'FAIL: a second relc changelog --update changed the file:\n'
			diff -u "$tmp/once.md" "$tmp/CHANGELOG.md"
			status=1
		fi
		compare "$tmp/once.md" "$exp/CHANGELOG.md"
	else
		printf 'FAIL: relc changelog --update exited with an error:\n'
		cat "$tmp/stderr"
		status=1
	fi
fi
exit "$status"
