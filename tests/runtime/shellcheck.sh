#!/bin/sh
# tests/runtime/shellcheck.sh RUNTIME-DIR - `shellcheck -s sh` on the runtime's sources as
# they are written, with no finding. TAP.
#
# The sources are fragments of one script; what shellcheck cannot see across
# them is turned off by a directive in each file's header, which embed.py
# drops. The generated scripts, where the parts meet, are checked with
# nothing turned off but the head's own directive (tests/e2e/shellcheck.sh).
set -u
dir=$1
if ! command -v shellcheck > /dev/null 2>&1; then
	printf '1..0 # SKIP shellcheck is not installed\n'
	exit 77
fi
n=0
fails=0
for file in common.sh deploy.sh rollback.sh; do
	n=$((n + 1))
	if out=$(shellcheck -s sh "$dir/$file" 2>&1); then
		printf 'ok %d - src/runtime/%s passes shellcheck -s sh\n' "$n" "$file"
	else
		fails=$((fails + 1))
		printf 'not ok %d - src/runtime/%s passes shellcheck -s sh\n' "$n" "$file"
		printf '%s\n' "$out" | sed 's/^/# /'
	fi
done
printf '1..%d\n' "$n"
[ "$fails" -eq 0 ]
