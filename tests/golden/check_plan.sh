#!/bin/sh
# check_plan.sh RELC DIR NAME... - read plan.md back and check its structure.
#
# For each DIR/NAME.rel: the provenance comment comes first, then the title;
# the ## sections appear exactly in the order of the release-plan layout; the
# Release Notes subsections are all there (a Fleet rollout section before them
# when the spec has a fleet block); the Deployment Steps are numbered
# 1..N; the Rollback Procedure lists the undos of the steps that have one in
# reverse step order, then the after-rollback blocks, numbered 1, 2, ...
# (cross-checked with `relc emit json`); and every ```bash block parses as
# POSIX shell (`dash -n`), so it can be pasted as it is.
set -u
relc=$1 dir=$2
shift 2
# meson passes the binary relative to the build folder: make it absolute.
case $relc in /*) ;; *) relc=$(pwd)/$relc ;; esac
cd "$dir" || exit 99
command -v jq >/dev/null 2>&1 || { echo 'check_plan.sh: jq is needed'; exit 77; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/relc-plan.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
status=0

fail() {
	printf 'FAIL: %s: %s\n' "$spec" "$1"
	status=1
}

# expect_lines WHAT FILE-WITH-ACTUAL EXPECTED-TEXT
expect_lines() {
	if [ -n "$3" ]; then printf '%s\n' "$3"; fi >"$tmp/want"
	if ! diff -u "$tmp/want" "$2" >"$tmp/diff"; then
		fail "$1 (- expected, + actual):"
		cat "$tmp/diff"
	fi
}

for name in "$@"; do
	spec=$name.rel
	flags=$(sed -n '1s/^# relc-flags: //p' "$spec")
	# shellcheck disable=SC2086
	if ! "$relc" emit md --no-git $flags "$spec" >"$tmp/plan.md" 2>/dev/null ||
	   ! "$relc" emit json --no-git $flags "$spec" >"$tmp/release.json" 2>/dev/null; then
		fail 'relc emit failed'
		continue
	fi
	plan=$tmp/plan.md

	[ "$(sed -n 1p "$plan")" = '<!--' ] || fail 'line 1 is not <!--'
	end=$(grep -n -m 1 -e '^-->$' "$plan" | cut -d: -f1)
	if [ -z "$end" ] || ! sed -n "$((end + 1))p" "$plan" | grep -q '^# Release plan: '; then
		fail 'the title does not follow the provenance comment'
	fi

	# Headings outside fenced blocks only.
	awk '/^```+/ { if (!f) { f = $0; sub(/[a-z]+$/, "", f); next } if ($0 == f) { f = ""; next } }
	     !f && /^#+ / { print }' "$plan" >"$tmp/headings"

	grep '^## ' "$tmp/headings" >"$tmp/h2"
	# a spec with a fleet block has its rollout before the notes
	fleet=
	if jq -e '.fleet != null' "$tmp/release.json" >/dev/null; then
		fleet='
## Fleet rollout'
	fi
	expect_lines 'section order' "$tmp/h2" "## Pre-Deployment Checks
## Backup Procedure
## Deployment Steps
## Post-Deployment Verification
## Rollback Procedure
## Escalation$fleet
## Release Notes"

	sed -n '/^## Release Notes$/,$p' "$tmp/headings" | grep '^###' >"$tmp/notes"
	expect_lines 'release notes subsections' "$tmp/notes" '### Changes in This Release
#### API Changes
#### Backend Changes
#### Migration Details
### Known Issues
### Rollback Tested'
	[ "$(grep -c '^- \[ \] ' "$plan")" -eq 3 ] || fail 'Rollback Tested does not have three check boxes'

	# Deployment Steps: ### 1. ... ### N.
	sed -n '/^## Deployment Steps$/,/^## /p' "$tmp/headings" |
		sed -n 's/^### \([0-9]*\)\. .*/\1/p' >"$tmp/steps"
	expect_lines 'step numbers' "$tmp/steps" "$(jq -r '.steps[].index' "$tmp/release.json")"

	# Rollback Procedure: numbered items, undos in reverse step order, then
	# after-rollback, as the JSON model says.
	sed -n '/^## Rollback Procedure$/,/^## /p' "$tmp/headings" | grep '^### ' >"$tmp/rb"
	sed 's/^### \([0-9]*\)\. .*/\1/' "$tmp/rb" >"$tmp/rbnum"
	expect_lines 'rollback item numbers' "$tmp/rbnum" "$(seq 1 "$(wc -l <"$tmp/rb")")"
	sed -e 's/^### [0-9]*\. Undo step \([0-9]*\): .*/undo \1/' \
	    -e 's/^### [0-9]*\. After rollback: .*/after-rollback/' "$tmp/rb" >"$tmp/rbkind"
	expect_lines 'rollback order' "$tmp/rbkind" "$(jq -r '
		([.steps[] | select(.undo.kind == "block") | .index] | reverse | .[] | "undo \(.)"),
		(.after_rollbacks[] | "after-rollback")' "$tmp/release.json")"

	# Every bash block is valid shell on its own.
	awk -v dir="$tmp" '
		/^```+bash$/ && !f { f = $0; sub(/[a-z]+$/, "", f); n++; out = dir "/fence" n ".sh"; printf "" > out; next }
		f && $0 == f { f = ""; close(out); next }
		f { print > out }' "$plan"
	for fence in "$tmp"/fence*.sh; do
		[ -f "$fence" ] || continue
		if ! dash -n "$fence" 2>"$tmp/err"; then
			fail "a bash block does not parse: $(cat "$tmp/err")"
			cat "$fence"
		fi
		rm -f "$fence"
	done
done
exit "$status"
