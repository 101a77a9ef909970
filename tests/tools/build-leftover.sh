#!/bin/sh
# build-leftover.sh - once the fleet block leaves a spec, `relc build` into
# the same folder deletes the fleet.yml and fleet-rollback.yml it wrote (an
# operator would otherwise run an older release's playbook), together with
# the rest of the build or not at all, and never deletes a file relc did
# not write; `relc build --check` calls such a leftover stale. TAP.
#
#   build-leftover.sh TAPLIB RELC
set -u
# shellcheck source=tap.sh
. "${1:?tap.sh}"
relc=${2:?relc}
case $relc in /*) ;; *) relc=$PWD/$relc ;; esac

tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM
cd "$tmp" || exit 2

c=0123456789abcdef0123456789abcdef01234567
spec() { # with the fleet block when $1 is "fleet"
	printf '%s\n' 'release 1.0.0' 'project "Test"' 'date 2026-11-26' "previous $c" \
		"target $c" 'downtime 0s' 'step "Nothing" {' '    run true' \
		'    expect stdout empty' '    estimate 1s' '    undo none "changes nothing"' '}' \
		'verify "V" {' '    run true' '    expect stdout empty' '    estimate 1s' '}' \
		'after-rollback "A" {' '    run true' '}'
	if [ "$1" = fleet ]; then
		printf '%s\n' 'fleet {' '    hosts web' '    batches 1, 50%' '}'
	fi
}

# run NAME ARGS...: output in NAME.err, status in NAME.rc.
run() {
	name=$1
	shift
	"$relc" "$@" >"$tmp/$name.out" 2>"$tmp/$name.err"
	echo $? >"$tmp/$name.rc"
}
status_is() { # description name want
	got=$(cat "$tmp/$2.rc")
	if [ "$got" = "$3" ]; then ok "$1"; else fail "$1" "exit $got, want $3" "$(cat "$tmp/$2.err")"; fi
}
said() { # description name fixed-string
	if grep -qF -- "$3" "$tmp/$2.err"; then ok "$1"; else fail "$1" "want: $3" "$(cat "$tmp/$2.err")"; fi
}
no_temporaries() { # description
	left=$(find out -name '*.tmp*')
	if [ -z "$left" ]; then ok "$1"; else fail "$1" "$left"; fi
}

spec fleet >1.0.0.rel
run build build --no-git -o out 1.0.0.rel
status_is "with a fleet block: build writes the playbooks (exit 0)" build 0
cp out/fleet.yml fleet.before && cp out/fleet-rollback.yml fleet-rollback.before

spec none >1.0.0.rel
run check build --check --no-git -o out 1.0.0.rel
status_is "fleet block gone: build --check fails (exit 1)" check 1
said "build --check names the stale fleet.yml and how it goes" check \
	"relc: out/fleet.yml is stale: the spec has no fleet block; run relc build --no-git -o out 1.0.0.rel (it deletes the file)"
said "and the stale fleet-rollback.yml" check "relc: out/fleet-rollback.yml is stale"

# A new file that cannot be put in place (a folder where deploy.sh goes):
# the build changes nothing, the old playbooks included.
rm out/deploy.sh && mkdir -p out/deploy.sh/keep
run failed build --no-git -o out 1.0.0.rel
if [ "$(cat failed.rc)" != 0 ] && cmp -s out/fleet.yml fleet.before &&
	cmp -s out/fleet-rollback.yml fleet-rollback.before; then
	ok "a build that fails leaves the old playbooks as they were"
else
	fail "a build that fails leaves the old playbooks as they were" "exit $(cat failed.rc)" "$(cat failed.err)" "$(ls -la out)"
fi
no_temporaries "and no temporary file behind"
rm -r out/deploy.sh

run build2 build --no-git -o out 1.0.0.rel
status_is "build without the fleet block: exit 0" build2 0
if [ ! -e out/fleet.yml ] && [ ! -e out/fleet-rollback.yml ] && [ -f out/deploy.sh ]; then
	ok "it deleted the playbooks it had written"
else
	fail "it deleted the playbooks it had written" "$(ls -la out)"
fi
no_temporaries "and left no temporary file"
run check2 build --check --no-git -o out 1.0.0.rel
status_is "build --check after it: up to date (exit 0)" check2 0

# Files relc did not write are never deleted: a hand-written fleet.yml, and
# a fleet-rollback.yml that is a symlink to one relc wrote.
printf -- '---\n# our own playbook\n- hosts: web\n' >out/fleet.yml
cp fleet-rollback.before elsewhere.yml && ln -s ../elsewhere.yml out/fleet-rollback.yml
run check3 build --check --no-git -o out 1.0.0.rel
status_is "build --check: a file relc did not write is not stale (exit 0)" check3 0
said "but it is named, with why it stays" check3 \
	"relc: warning: out/fleet.yml is left as it is (it has no relc provenance line: relc did not write it)"
run build3 build --no-git -o out 1.0.0.rel
status_is "build beside files relc did not write: exit 0" build3 0
if grep -qx '# our own playbook' out/fleet.yml && [ -L out/fleet-rollback.yml ] &&
	cmp -s elsewhere.yml fleet-rollback.before; then
	ok "both are left as they were, the symlink's target too"
else
	fail "both are left as they were, the symlink's target too" "$(ls -la out)"
fi
said "the warning names the symlink" build3 "relc: warning: out/fleet-rollback.yml is left as it is (it is a symbolic link"
finish
