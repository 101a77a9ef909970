#!/bin/sh
# run-bad-input.sh - hostile input: relc must answer each case with a located
# diagnostic or a clear I/O error, exit 1 or 2, and never crash or hang.
# The inputs are generated at test time in a temporary folder. TAP output.
#
#   run-bad-input.sh RELC
set -u

relc=${1:?relc}
case $relc in /*) ;; *) relc=$PWD/$relc ;; esac

tmp=$(mktemp -d) || exit 2
chmod 755 "$tmp"
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM
cd "$tmp" || exit 2

n=0
fails=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
skip() { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }
not_ok() {
	n=$((n + 1))
	fails=$((fails + 1))
	echo "not ok $n - $1 # $2"
	head -c 4000 out | sed 's/^/#   | /'
	echo
}

# A spec that checks clean, to which each case adds its bad part.
good_spec() {
	cat <<'SPEC'
release 1.0.0
project "Bad input"
date 2026-11-26
previous 1111111111111111111111111111111111111111
target 2222222222222222222222222222222222222222
downtime 0s

backup "Database" {
    capture DUMP = ls -t /var/backups/diag | head -n 1
    checksum DUMP
    estimate 2s
}

step "Install" {
    run /opt/diag/bin/install --version 1.0.0
    expect stdout contains "installed"
    estimate 5s
    undo {
        run /opt/diag/bin/install --version 0.9.0
    }
}

verify "Health" {
    run curl -fsS http://127.0.0.1:8000/health
    expect stdout matches "healthy"
    estimate 1s
}

after-rollback "Restart the previous version" {
    run /opt/diag/bin/restart
}
SPEC
}

# run_relc TIMEOUT ARGS...: relc's output in ./out, its status in $status.
run_relc() {
	limit=$1
	shift
	timeout "$limit" "$@" >out 2>&1
	status=$?
}

# expect_located NAME WANT: exit 1, and WANT (a `FILE:LINE:COL: error[CODE]`
# prefix, or just `error[` for any located error) in the output.
expect_located() {
	if [ "$status" -ne 1 ]; then
		not_ok "$1" "exit status $status, expected 1"
	elif ! grep -q -- "$2" out; then
		not_ok "$1" "no diagnostic matching '$2'"
	elif ! grep -Eq '^[^ ]+:[0-9]+:[0-9]+: error\[E[0-9]+\]' out; then
		not_ok "$1" "no located error"
	else
		ok "$1"
	fi
}

# expect_io_error NAME: exit 2 and a message naming the file.
expect_io_error() {
	if [ "$status" -ne 2 ]; then
		not_ok "$1" "exit status $status, expected 2"
	elif ! grep -q -- "$2" out; then
		not_ok "$1" "the message does not name $2"
	else
		ok "$1"
	fi
}

echo "1..9"

# 1. A NUL byte inside a string on line 32, column 17.
{ good_spec; printf 'known-issue "bad\000byte"\n'; } >1.0.0.rel
run_relc 60 "$relc" check --no-git 1.0.0.rel
expect_located "NUL byte" "^1.0.0.rel:32:17: error\[E017\]"

# 2. Bytes that are not UTF-8 (a Latin-1 e-acute, a lone continuation byte).
{ good_spec; printf 'known-issue "caf\351 au lait"\n# \200\n'; } >1.0.0.rel
run_relc 60 "$relc" check --no-git 1.0.0.rel
expect_located "invalid UTF-8" "^1.0.0.rel:32:17: error\[E017\]"

# 3. A 10 MB line: an unterminated string that long.
{ good_spec; printf 'known-issue "'; head -c 10485760 /dev/zero | tr '\0' a; printf '\n'; } >1.0.0.rel
run_relc 120 "$relc" check --no-git 1.0.0.rel
expect_located "10 MB line" "^1.0.0.rel:32:13: error\[E002\]"

# 4. A chain of 10,000 includes whose last file uses an undefined name.
mkdir chain
i=1
while [ "$i" -lt 10000 ]; do
	printf 'include "%d.rel"\n' $((i + 1)) >"chain/$i.rel"
	i=$((i + 1))
done
# shellcheck disable=SC2016 # a spec reference, not a shell expansion
printf 'let deep = "${undefined_deep_name}"\n' >chain/10000.rel
{ good_spec; printf 'include "chain/1.rel"\n'; } >1.0.0.rel
run_relc 300 "$relc" check --no-git 1.0.0.rel
expect_located "10,000-deep include chain" "error\[E00[68]\]"
rm -rf chain

# 5. An empty file: the required metadata is missing.
: >1.0.0.rel
run_relc 60 "$relc" check --no-git 1.0.0.rel
expect_located "empty file" "error\[E004\]"

# 6. A directory where a spec should be.
mkdir 2.0.0.rel
run_relc 60 "$relc" check --no-git 2.0.0.rel
expect_io_error "directory" "2.0.0.rel"

# 7. A file that does not exist.
run_relc 60 "$relc" check --no-git missing.rel
expect_io_error "missing file" "missing.rel"

# 8. A file its reader may not open. Root reads any file whatever its mode,
# so as root the check runs as `nobody` through setpriv.
good_spec >3.0.0.rel
chmod 000 3.0.0.rel
if [ "$(id -u)" -ne 0 ]; then
	run_relc 60 "$relc" check --no-git 3.0.0.rel
	expect_io_error "unreadable file" "3.0.0.rel"
elif command -v setpriv >/dev/null 2>&1 &&
	setpriv --reuid=65534 --regid=65534 --clear-groups test -x "$relc" 2>/dev/null; then
	run_relc 60 setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$relc" check --no-git 3.0.0.rel
	expect_io_error "unreadable file" "3.0.0.rel"
else
	skip "unreadable file" "running as root, and nobody cannot run $relc"
fi

# 9. An include that cannot be read (a directory in its place).
mkdir inc.rel
{ good_spec; printf 'include "inc.rel"\n'; } >1.0.0.rel
run_relc 60 "$relc" check --no-git 1.0.0.rel
expect_located "include of a directory" "^1.0.0.rel:32:9: error\[E008\]"

[ "$fails" -eq 0 ]
