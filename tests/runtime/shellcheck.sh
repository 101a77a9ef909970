#!/bin/sh
# tests/runtime/shellcheck.sh RUNTIME-DIR - `shellcheck -s sh` on the runtime's sources as
# they are written, with no finding. TAP.
#
# The sources are fragments of one script, so each is checked with the one
# check that cannot see across files turned off:
#   common.sh  SC2153  RELC_ME and RELC_STATE are set by deploy.sh or
#                      rollback.sh, which come after it in the script;
#              SC2016  RELC_HEAD is shell text for `sh -c`, expanded there
#                      (the generated head disables SC2016 for the script);
#   deploy.sh, rollback.sh
#              SC2034  the globals they set are read by common.sh's functions.
# The generated scripts, where the parts meet, are checked with nothing
# turned off but the head's own directive (tests/e2e/shellcheck.sh).
set -u
dir=$1
if ! command -v shellcheck > /dev/null 2>&1; then
	printf '1..0 # SKIP shellcheck is not installed\n'
	exit 77
fi
n=0
fails=0
for item in common.sh:SC2153,SC2016 deploy.sh:SC2034 rollback.sh:SC2034; do
	file=${item%%:*}
	n=$((n + 1))
	if out=$(shellcheck -s sh -e "${item#*:}" "$dir/$file" 2>&1); then
		printf 'ok %d - src/runtime/%s passes shellcheck -s sh\n' "$n" "$file"
	else
		fails=$((fails + 1))
		printf 'not ok %d - src/runtime/%s passes shellcheck -s sh\n' "$n" "$file"
		printf '%s\n' "$out" | sed 's/^/# /'
	fi
done
printf '1..%d\n' "$n"
[ "$fails" -eq 0 ]
