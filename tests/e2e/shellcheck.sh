#!/bin/sh
# shellcheck.sh RELC DIR: deploy.sh and rollback.sh of every spec in DIR pass
# `sh -n` under dash and `shellcheck -s sh` with no finding at all. TAP.
set -u
RELC=$1
DIR=$2
if ! command -v shellcheck > /dev/null 2>&1; then
	printf '1..0 # SKIP shellcheck is not installed\n'
	exit 77
fi
TMP=$(mktemp -d "${TMPDIR:-/tmp}/relc-sc.XXXXXX") || exit 99
trap 'rm -rf "$TMP"' EXIT
N=0
FAILS=0
for spec in "$DIR"/*.rel; do
	name=${spec##*/}
	name=${name%.rel}
	for kind in sh rollback; do
		N=$((N + 1))
		out=$TMP/$name-$kind.sh
		if ! "$RELC" emit "$kind" -q --no-git --allow-irreversible "$spec" > "$out" 2> "$TMP/err"; then
			FAILS=$((FAILS + 1))
			printf 'not ok %d - relc emit %s %s.rel\n' "$N" "$kind" "$name"
			sed 's/^/# /' "$TMP/err"
			continue
		fi
		if dash -n "$out" 2> "$TMP/err" && shellcheck -s sh "$out" > "$TMP/err" 2>&1; then
			printf 'ok %d - %s of %s.rel passes sh -n and shellcheck -s sh\n' "$N" "$kind" "$name"
		else
			FAILS=$((FAILS + 1))
			printf 'not ok %d - %s of %s.rel passes sh -n and shellcheck -s sh\n' "$N" "$kind" "$name"
			sed 's/^/# /' "$TMP/err"
		fi
	done
done
printf '1..%d\n' "$N"
[ "$FAILS" -eq 0 ]
