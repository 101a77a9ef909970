#!/bin/sh
# shellcheck disable=SC2016 # jq filters, vim probes and spec text hold a literal $
# review-hook.sh - the pre-commit hook printed in docs/review.md, taken from
# the page itself, lets a consistent release through and refuses a stale or
# badly laid out one. TAP output.
#
#   review-hook.sh TAPLIB RELC REVIEW_MD
set -u
# shellcheck source=tap.sh
. "${1:?tap.sh}"
relc=${2:?relc}
review=${3:?docs/review.md}
case $relc in /*) ;; *) relc=$PWD/$relc ;; esac

command -v git >/dev/null 2>&1 || { echo "1..0 # SKIP git not found"; exit 0; }

tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

# The hook is the first ```sh block after the "A pre-commit hook" heading.
awk '/^## A pre-commit hook/ { sect = 1 }
	sect && /^```sh$/ { on = 1; next }
	on && /^```$/ { exit }
	on { print }' "$review" >"$tmp/pre-commit"
if grep -q 'build --check' "$tmp/pre-commit" && grep -q 'fmt --check' "$tmp/pre-commit"; then
	ok "docs/review.md holds a hook running fmt --check and build --check"
else
	fail "docs/review.md holds a hook running fmt --check and build --check" "$(cat "$tmp/pre-commit")"
fi

repo=$tmp/repo
mkdir -p "$repo/specs"
cd "$repo" || exit 2
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
export GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@example.invalid
export GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@example.invalid
git init -q --template= . && git config commit.gpgsign false || exit 2
mkdir -p .git/hooks
cp "$tmp/pre-commit" .git/hooks/pre-commit
chmod +x .git/hooks/pre-commit
echo "v1" >app.txt
git add app.txt && git commit -q --no-verify -m "1.0.0" && git tag v1.0.0
echo "v2" >app.txt
git add app.txt && git commit -q --no-verify -m "feat: two"

printf '%s\n' 'project "Hook test"' 'let app = /srv/app' >specs/common.rel
printf '%s\n' 'include "common.rel"' 'release 1.1.0' 'date 2026-11-26' \
	'previous v1.0.0' 'branch main' 'downtime 0s' \
	'step "Switch" {' '    run cd ${app} && git checkout ${target}' \
	'    expect stdout empty' '    estimate 1s' \
	'    undo {' '        run cd ${app} && git checkout ${previous}' '    }' '}' \
	>specs/1.1.0.rel
# Lay the specs out as relc fmt does, so only what the cases change matters.
"$relc" fmt specs/common.rel specs/1.1.0.rel >/dev/null 2>&1
git add specs && git commit -q --no-verify -m "Release 1.1.0: spec"
git branch -M main

export RELC="$relc"
commit() { # description want-status message
	if git commit -q -m "$3" >"$tmp/hook.out" 2>&1; then got=0; else got=1; fi
	if [ "$got" = "$2" ]; then
		ok "$1"
	else
		fail "$1" "commit exit $got, want $2" "$(cat "$tmp/hook.out")"
	fi
}

"$relc" build -q specs/1.1.0.rel >"$tmp/build.out" 2>&1 ||
	fail "relc build for the first commit" "$(cat "$tmp/build.out")"
git add generated
commit "spec and fresh generated files are accepted" 0 "Release 1.1.0: generated"

sed 's/"Switch"/"Switch the code"/' specs/1.1.0.rel >"$tmp/spec" && cp "$tmp/spec" specs/1.1.0.rel
git add specs/1.1.0.rel
commit "a spec change without a rebuild is refused" 1 "rename the step"
if grep -q 'generated/1.1.0/.* is stale' "$tmp/hook.out"; then
	ok "the refusal names the stale file"
else
	fail "the refusal names the stale file" "$(cat "$tmp/hook.out")"
fi

"$relc" build -q specs/1.1.0.rel >/dev/null 2>&1
git add generated
commit "after relc build the same change is accepted" 0 "rename the step"

echo 'let extra = /srv/extra' >>specs/common.rel
git add specs/common.rel
commit "a shared spec change is checked against the newest release" 1 "shared change"
if grep -q 'generated/1.1.0/.* is stale' "$tmp/hook.out"; then
	ok "the shared change makes release 1.1.0 stale"
else
	fail "the shared change makes release 1.1.0 stale" "$(cat "$tmp/hook.out")"
fi
git reset -q -- specs/common.rel
git checkout -q -- specs/common.rel

sed 's/^downtime/   downtime/' specs/1.1.0.rel >"$tmp/spec" && cp "$tmp/spec" specs/1.1.0.rel
git add specs/1.1.0.rel
commit "a spec out of canonical layout is refused" 1 "indent"
if grep -q 'specs/1.1.0.rel' "$tmp/hook.out"; then
	ok "the refusal names the spec"
else
	fail "the refusal names the spec" "$(cat "$tmp/hook.out")"
fi
git reset -q -- specs/1.1.0.rel
git checkout -q -- specs/1.1.0.rel

echo "v3" >app.txt
git add app.txt
RELC=false # fails the commit if the hook runs it
commit "a commit touching no spec does not run relc" 0 "app only"
finish
