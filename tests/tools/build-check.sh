#!/bin/sh
# build-check.sh - `relc build --check` names a stale file with the command
# that rebuilds it, options included, and does not call a file stale when
# only its provenance line differs. TAP.
#
#   build-check.sh TAPLIB RELC
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
mkdir specs
printf '%s\n' 'release 1.0.0' 'project "Test"' 'date 2026-11-26' "previous $c" \
	"target $c" 'downtime 0s' 'step "Nothing" {' '    run true' \
	'    expect stdout empty' '    estimate 1s' '    undo none "changes nothing"' '}' \
	'verify "V" {' '    run true' '    expect stdout empty' '    estimate 1s' '}' \
	'after-rollback "A" {' '    run true' '}' >specs/1.0.0.rel

# run NAME ARGS...: stderr in NAME.err, status in NAME.rc (from $PWD).
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

run build build --no-git -o "out dir" specs/1.0.0.rel
status_is "build into a folder with a space" build 0
run same build --check --no-git -o "out dir" specs/1.0.0.rel
status_is "build --check right after build: exit 0" same 0
if [ ! -s same.err ]; then ok "and nothing said"; else fail "and nothing said" "$(cat same.err)"; fi

# The same spec named from specs/: the provenance line records another path.
(cd specs && run other build --check --no-git -o "../out dir" 1.0.0.rel)
status_is "from another working folder: not stale (exit 0)" other 0
if grep -q "deploy.sh differs only in its provenance line" other.err &&
	! grep -q "is stale" other.err; then
	ok "it says only the provenance line differs"
else
	fail "it says only the provenance line differs" "$(cat other.err)"
fi

sed 's/estimate 1s/estimate 2s/' specs/1.0.0.rel >x && mv x specs/1.0.0.rel
run stale build --check --no-git --allow-irreversible -o "out dir" specs/1.0.0.rel
status_is "a changed estimate: stale (exit 1)" stale 1
want="relc: out dir/deploy.sh is stale: run relc build --no-git --allow-irreversible -o 'out dir' specs/1.0.0.rel"
if grep -qxF "$want" stale.err; then
	ok "the suggested command repeats --no-git, --allow-irreversible and a quoted -o"
else
	fail "the suggested command repeats the options" "want: $want" "$(cat stale.err)"
fi
# The suggestion, pasted, makes the check pass.
cmd=$(sed -n 's/^relc: out dir\/deploy.sh is stale: run relc //p' stale.err)
eval "set -- $cmd"
run again "$@"
run after build --check --no-git -o "out dir" specs/1.0.0.rel
status_is "running the suggested command brings the files up to date" after 0
finish
