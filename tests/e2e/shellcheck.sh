#!/bin/sh
# shellcheck.sh RELC DIR [MORE-DIRS...]: deploy.sh and rollback.sh of every
# spec in DIR pass `sh -n` under dash and `shellcheck -s sh` with no finding
# at all. Specs in MORE-DIRS (the golden specs: hostile values, odd bytes)
# are checked too when they compile with --no-git. TAP.
set -u
RELC=$1
DIR=$2
shift 2
if ! command -v shellcheck > /dev/null 2>&1; then
	printf '1..0 # SKIP shellcheck is not installed\n'
	exit 77
fi
TMP=$(mktemp -d "${TMPDIR:-/tmp}/relc-sc.XXXXXX") || exit 99
trap 'rm -rf "$TMP"' EXIT
N=0
FAILS=0

# check_spec SPEC MUST-COMPILE
check_spec() {
	name=${1##*/}
	name=${name%.rel}
	for kind in sh rollback; do
		N=$((N + 1))
		out=$TMP/$name-$kind.sh
		if ! "$RELC" emit "$kind" -q --no-git --allow-irreversible "$1" > "$out" 2> "$TMP/err"; then
			if [ "$2" = yes ]; then
				FAILS=$((FAILS + 1))
				printf 'not ok %d - relc emit %s %s\n' "$N" "$kind" "$1"
				sed 's/^/# /' "$TMP/err"
			else
				printf 'ok %d - %s of %s # SKIP does not compile with --no-git\n' "$N" "$kind" "$1"
			fi
			continue
		fi
		if dash -n "$out" 2> "$TMP/err" && shellcheck -s sh "$out" > "$TMP/err" 2>&1; then
			printf 'ok %d - %s of %s passes sh -n and shellcheck -s sh\n' "$N" "$kind" "$1"
		else
			FAILS=$((FAILS + 1))
			printf 'not ok %d - %s of %s passes sh -n and shellcheck -s sh\n' "$N" "$kind" "$1"
			sed 's/^/# /' "$TMP/err"
		fi
	done
}

for spec in "$DIR"/*.rel; do
	check_spec "$spec" yes
done
for dir in ${1+"$@"}; do
	for spec in "$dir"/*.rel; do
		if [ -f "$spec" ]; then
			check_spec "$spec" no
		fi
	done
done
printf '1..%d\n' "$N"
[ "$FAILS" -eq 0 ]
