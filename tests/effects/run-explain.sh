#!/bin/sh
# relc check --explain-effects: recognised commands with their effect and the
# inverse looked for, unknown commands listed as not recognised. TAP output.
set -u
relc=$1
dir=$2
n=0
fail=0
check() { # DESCRIPTION PATTERN
	n=$((n + 1))
	if grep -F -q -- "$2" "$out"; then
		printf 'ok %d - %s\n' "$n" "$1"
	else
		fail=1
		printf 'not ok %d - %s (no line with: %s)\n' "$n" "$1" "$2"
	fi
}
out=$(mktemp)
trap 'rm -f "$out"' EXIT
"$relc" check --no-git --explain-effects "$dir/systemctl-start-ok.rel" > "$out" 2>/dev/null
check "steps are listed" 'step 1 '
check "systemctl start is recognised with its effect" 'recognised as `systemctl start U'
check "the inverse it looks for is named" 'inverse looked for'
"$relc" check --no-git --explain-effects "$dir/ln-one-operand-slash-missing.rel" > "$out" 2>/dev/null
check "ln D/ names the link D, without the slash" 'file opt'
check "and its inverse names D too" 'a restore of opt from a backup capture'
printf '%s\n' 'release 1.0.0' 'project p' 'date 2026-01-01' \
	'previous 1111111111111111111111111111111111111111' \
	'target 2222222222222222222222222222222222222222' \
	'step "Mystery" {' '    run frobnicate --hard' '    undo {' '        run unfrobnicate' '    }' '}' \
	> "$out.rel"
"$relc" check --no-git --explain-effects "$out.rel" > "$out" 2>/dev/null
rm -f "$out.rel"
check "an unknown command is reported as not recognised" 'frobnicate: not recognised'
printf '1..%d\n' "$n"
exit $fail
