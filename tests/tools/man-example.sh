#!/bin/sh
# man-example.sh - the example of relc-spec(5) (a shared file and a release
# that includes it) compiles without a single diagnostic, even under
# --werror, and is laid out as relc fmt would, so the manual never teaches a
# spec that relc rejects or rewrites. TAP.
#
#   man-example.sh TAPLIB RELC RELC_SPEC_5_SCD
set -u
# shellcheck source=tap.sh
. "${1:?tap.sh}"
relc=${2:?relc}
page=${3:?relc-spec.5.scd}
case $relc in /*) ;; *) relc=$PWD/$relc ;; esac

command -v git >/dev/null 2>&1 || { echo "1..0 # SKIP git not found"; exit 0; }

tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM
mkdir "$tmp/specs"

# The EXAMPLE section holds two literal blocks: the shared file, the release.
awk '/^# EXAMPLE/ { sect = 1 } /^# SEE ALSO/ { sect = 0 }
	sect && /^```$/ { n++; next }
	sect && n == 1 { print > shared } sect && n == 3 { print > release }' \
	shared="$tmp/specs/shop.rel" release="$tmp/specs/2.1.0.rel" "$page"
if [ -s "$tmp/specs/shop.rel" ] && [ -s "$tmp/specs/2.1.0.rel" ] &&
	grep -q '^include "shop.rel"' "$tmp/specs/2.1.0.rel"; then
	ok "relc-spec(5) has a shared file and a release that includes it"
else
	fail "relc-spec(5) has a shared file and a release that includes it"
fi

# A repository where the example's `previous v2.0.3` and `branch main` resolve.
cd "$tmp" || exit 2
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
export GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@example.invalid
export GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@example.invalid
{
	git init -q --template= . &&
	git config commit.gpgsign false &&
	git commit -q --allow-empty -m "2.0.3" && git tag v2.0.3 &&
	git add specs && git commit -q -m "2.1.0" && git branch -M main
} || { echo "Bail out! cannot make a git repository"; exit 1; }

"$relc" check --werror specs/2.1.0.rel >out 2>&1
status=$?
if [ "$status" -eq 0 ] && [ ! -s out ]; then
	ok "the example checks clean under --werror"
else
	fail "the example checks clean under --werror" "exit $status" "$(cat out)"
fi
"$relc" fmt --check specs/shop.rel specs/2.1.0.rel >out 2>&1
status=$?
if [ "$status" -eq 0 ]; then
	ok "the example is in relc fmt's layout"
else
	fail "the example is in relc fmt's layout" "exit $status" "$(cat out)"
fi
"$relc" build --werror specs/2.1.0.rel >out 2>&1
status=$?
if [ "$status" -eq 0 ] && [ -s generated/2.1.0/plan.md ]; then
	ok "the example builds"
else
	fail "the example builds" "exit $status" "$(cat out)"
fi
finish
