# common.sh - sourced by the security tests: a scratch git repository that a
# stranger's pull request could have produced, a folder outside it holding a
# secret, and a secret planted in the environment. Sets: relc, tmp, repo,
# outside, secret, SPEC_HEAD (the metadata lines every spec starts with).
# shellcheck shell=sh

relc=${1:?relc}
case $relc in /*) ;; *) relc=$PWD/$relc ;; esac

tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM
tmp=$(cd "$tmp" && pwd -P)
repo=$tmp/repo
outside=$tmp/outside

# A value no output may ever hold: it is in the environment (so in
# /proc/self/environ) and in a file outside the tree.
secret="relc-planted-$$-0f3a9c"
RELC_PLANTED_TOKEN=$secret
export RELC_PLANTED_TOKEN
# no global or system git configuration: only what the test writes
GIT_CONFIG_NOSYSTEM=1 HOME=$tmp/home
export GIT_CONFIG_NOSYSTEM HOME
mkdir -p "$HOME" "$repo/specs/parts" "$repo/shared" "$outside"

git -C "$repo" init -q -b main
git -C "$repo" config user.email t@example.com
git -C "$repo" config user.name Test
git -C "$repo" commit -q --allow-empty -m 'chore: start'
git -C "$repo" tag v1.0.0
git -C "$repo" commit -q --allow-empty -m 'feat: more'

SPEC_HEAD='project "Confine"
date 2026-11-26
previous v1.0.0
target HEAD
downtime 0s
step "Install" {
    run /opt/app/install
    undo {
        run /opt/app/uninstall
    }
}
verify "Health" {
    run /opt/app/health
}
after-rollback "Restart" {
    run /opt/app/restart
}'

# spec NAME [LINE...]: specs/NAME.rel holding the lines (from line 1), then
# release 1.0.0-NAME and SPEC_HEAD
spec() {
	name=$1
	shift
	{
		for line; do printf '%s\n' "$line"; done
		printf 'release 1.0.0-%s\n%s\n' "$name" "$SPEC_HEAD"
	} >"$repo/specs/$name.rel"
}

printf 'let leaked = "%s"\n' "$secret" >"$outside/secret.rel"
printf 'let widened = "ok"\n' >"$outside/ok.rel"
