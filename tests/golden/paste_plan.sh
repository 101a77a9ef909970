#!/bin/sh
# paste_plan.sh RELC DIR - run the plan of DIR/paste.rel as an operator would
# paste it: the command blocks of the checks, backup, steps and verification
# in document order (the undos folded under each step are left out), under
# each shell (dash, bash --posix, mksh, yash, posh, busybox sh), in a
# scratch folder, with `set -e` so any failing command fails the test. The
# files they make must hold exactly the spec's values. Then the blocks of
# the Rollback Procedure run in the same shell and must leave the folder
# empty again.
set -u
relc=$1 dir=$2
case $relc in /*) ;; *) relc=$(pwd)/$relc ;; esac
tmp=$(mktemp -d "${TMPDIR:-/tmp}/relc-paste.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
status=0

if ! "$relc" emit md --no-git "$dir/paste.rel" >"$tmp/plan.md" 2>"$tmp/err"; then
	cat "$tmp/err"
	exit 1
fi

# Split the plan's bash blocks into the deploy part and the rollback part.
awk -v deploy="$tmp/deploy.sh" -v rollback="$tmp/rollback.sh" '
	/^```+bash$/ && !fence { fence = $0; sub(/bash$/, "", fence); next }
	fence && $0 == fence { fence = ""; next }
	fence { if (part == "deploy" && !details) print > deploy
	        else if (part == "rollback") print > rollback
	        next }
	/^<details>$/ { details = 1 }
	/^<\/details>$/ { details = 0 }
	/^## Pre-Deployment Checks$/ { part = "deploy" }
	/^## Rollback Procedure$/ { part = "rollback" }
	/^## Escalation$/ { part = "" }' "$tmp/plan.md"

# The values of the spec's lets, as the files must hold them.
d="it's a \"dir\" with \$ and \`ticks\`"
m1='line one'
m2="line 'two' \$HOME \`x\` \\ end"
evil="'; exit 3 #"
mkdir "$tmp/want" || exit 99
printf '%s\n' "$m1" "$m2" >"$tmp/want/saved"
printf '%s\n' "$m1" "$m2" "$evil" >"$tmp/want/heredoc.txt"
# shellcheck disable=SC2016 # the text holds a literal ${evil}
printf '%s\n' '${evil} stays as written' >"$tmp/want/literal.txt"
printf '%s' "$evil" >"$tmp/want/evil.txt"
printf '%s\n' "$d" >"$tmp/want/bq.txt"
printf '%s\n' "$evil" >"$tmp/want/sub.txt"
printf '3\n' >"$tmp/want/count.txt"

for shell in dash "bash --posix" mksh yash posh "busybox sh"; do
	command -v "${shell%% *}" >/dev/null 2>&1 || continue
	work=$tmp/run/$(printf '%s' "$shell" | tr -c '[:alnum:]' '_')
	mkdir -p "$work/scratch" "$work/after-deploy" || exit 99
	before=$status
	status=0
	{
		echo 'set -e'
		cat "$tmp/deploy.sh"
		printf 'cp -R . %s\n' "'$work/after-deploy'"
		cat "$tmp/rollback.sh"
	} >"$work/paste.sh"
	# $shell holds options: split on purpose.
	# shellcheck disable=SC2086
	if ! (cd "$work/scratch" && $shell "$work/paste.sh") >"$work/out" 2>&1; then
		printf 'FAIL: %s: the pasted plan failed:\n' "$shell"
		cat "$work/out"
		status=1
		continue
	fi
	for f in heredoc.txt literal.txt evil.txt saved; do
		if ! cmp -s "$tmp/want/$f" "$work/after-deploy/$d/$f"; then
			printf 'FAIL: %s: %s/%s is not what the spec says\n' "$shell" "$d" "$f"
			status=1
		fi
	done
	for f in bq.txt sub.txt count.txt; do
		if ! cmp -s "$tmp/want/$f" "$work/after-deploy/$f"; then
			printf 'FAIL: %s: %s is not what the spec says\n' "$shell" "$f"
			status=1
		fi
	done
	if [ -n "$(ls -A "$work/scratch")" ]; then
		printf 'FAIL: %s: the Rollback Procedure left files behind:\n' "$shell"
		ls -A "$work/scratch"
		status=1
	fi
	[ "$status" -eq 0 ] && printf 'ok: %s\n' "$shell"
	[ "$before" -ne 0 ] && status=$before
done
exit "$status"
