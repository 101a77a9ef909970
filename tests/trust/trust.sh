#!/bin/sh
# trust.sh RELC SHELL [SHELL-ARGS...]
#
# The state folder's trust check (docs/scripts.md, "Security"): deploy.sh and
# rollback.sh, run as root under SHELL, must refuse (exit 2) a state folder
# that someone else could have written, before any command runs, and still
# work in a legitimate one. "nobody" plays the local attacker. Each refusal
# asserts that no command ran and that the configuration the release manages
# is unchanged. Prints TAP.
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/tools/shsuite.sh
. "$HERE/../tools/shsuite.sh"
if [ "$(id -u)" != 0 ] || ! id nobody > /dev/null 2>&1; then
	printf '1..0 # SKIP needs root and a user nobody\n'
	exit 77
fi
umask 022
# The release name is unique to this run: the default state folder is real
# (/var/lib/relc/<project>-<release>) and so is the old one in /var/tmp/relc.
REL=1.0.$$
SLUG=relc-trust-test-$REL
DEFAULT=/var/lib/relc/$SLUG
OLD=/var/tmp/relc/$SLUG
shsuite_cleanup() {
	rm -rf "$DEFAULT" "$OLD"
}
shsuite_start trust "$@"

# The release: a backup copies the configuration and checksums the copy; the
# step rewrites it and installs a file; the undo copies the backup back. Every
# command appends to ran, so "nothing ran" is "no ran file".
spec() {
	cat <<EOF
project "relc trust test"
release $REL
date 2026-12-01
previous 0000000000000000000000000000000000000001
target 0000000000000000000000000000000000000002
$1
let dir = /nonexistent

check "Configuration present" {
    run echo check >> \${dir}/ran && test -f \${dir}/conf
}
backup "Configuration" {
    run echo backup >> \${dir}/ran
    capture COPY = printf '%s/conf.bak\n' \${dir}
    run cp \${dir}/conf \${COPY}
    checksum COPY
}
step "Write configuration" {
    run echo step >> \${dir}/ran && printf 'new\n' > \${dir}/conf && printf 'x\n' > \${dir}/installed
    undo {
        run echo undo >> \${dir}/ran && cp -f \${COPY} \${dir}/conf
    }
}
EOF
}
for s in default specdir; do
	if [ $s = default ]; then
		spec '' > "$ROOT/$s.rel"
	else
		spec "state-dir $ROOT/pub/specstate" > "$ROOT/$s.rel"
	fi
	if ! "$RELC" build -q --no-git "$ROOT/$s.rel" -o "$ROOT/gen-$s" > "$ROOT/build-$s.log" 2>&1; then
		printf 'Bail out! relc build failed\n'
		sed 's/^/# /' "$ROOT/build-$s.log"
		exit 1
	fi
done
grep -F "RELC_STATE_DEFAULT='$DEFAULT'" "$ROOT/gen-default/deploy.sh" > /dev/null
check "the default state folder is $DEFAULT" $?
unset RELC_STATE_DIR
SEQ=0

# sandbox: a fresh production (dir with conf "prod") and a state folder
# path $ST in it, not created.
sandbox() {
	SEQ=$((SEQ + 1))
	SB=$ROOT/sb$SEQ
	mkdir -p "$SB/prod" || exit 1
	printf 'prod\n' > "$SB/prod/conf"
	ST=$SB/state
	rm -rf "$DEFAULT" "$OLD"
}

# run WHICH LOG [ARGS...]: deploy or rollback of the default spec, --yes.
run() {
	which=$1
	log=$2
	shift 2
	"$SH" "$ROOT/gen-default/$which.sh" --yes ${1+"$@"} > "$log" 2>&1
}

# The forged state a local user plants: a journal saying step 1 started, a
# capture naming their own file and that file's checksum. forge FOLDER.
forge() {
	mkdir -p "$1/values" || exit 1
	printf 'evil\n' > "$SB/evil"
	printf '2026-12-01T00:00:00Z\tstep:1\tstart\t-\t-\tWrite configuration\n' > "$1/journal.log"
	printf '%s' "$SB/evil" > "$1/values/capture.COPY"
	sum=$(sha256sum < "$SB/evil")
	printf '%s' "${sum%% *}" > "$1/values/checksum.COPY"
	printf '%s' "$SB/prod" > "$1/values/set.dir"
}

# A genuine journal and values left by a deploy of ours into $ST.
genuine() {
	RELC_STATE_DIR=$ST run deploy "$SB/genuine.log" --set dir="$SB/prod" || return 1
	printf 'prod\n' > "$SB/prod/conf"
	rm -f "$SB/prod/ran" "$SB/prod/installed"
}

# refused NAME LOG PATTERN: exit status $rc was 2, the message names
# PATTERN, nothing ran and the configuration is as it was.
refused() {
	[ "$rc" -eq 2 ] && grep -F -e "$3" "$2" > /dev/null && [ ! -e "$SB/prod/ran" ] &&
		[ "$(cat "$SB/prod/conf")" = prod ] && [ ! -e "$SB/prod/installed" ]
	check "$1: exit 2, nothing ran, production unchanged" $? "$2"
	[ -n "${TRUST_SHOW-}" ] && sed "s/^/# /" "$2"
}

# ---- the attack of the issue: a forged folder at the old default ----
# Another user's folder there is never read, and cannot stop a deploy: the
# scripts warn and go on with the default folder.
sandbox
forge "$OLD"
chown -R nobody "$OLD" /var/tmp/relc
run rollback "$SB/rb.log"
rc=$?
grep -F "at the old default location is not this user's folder: it is ignored" "$SB/rb.log" > /dev/null &&
	[ ! -e "$SB/prod/ran" ] && [ "$(cat "$SB/prod/conf")" = prod ] && [ ! -e "$DEFAULT/journal.log" ]
check "forged folder of another user at the old default: rollback.sh warns, reads nothing of it and undoes nothing (exit $rc)" $? "$SB/rb.log"
run deploy "$SB/dp.log" --set dir="$SB/prod"
rc=$?
[ "$rc" -eq 0 ] && grep -F "it is ignored, never read" "$SB/dp.log" > /dev/null &&
	[ "$(cat "$SB/prod/conf")" = new ] && [ -f "$DEFAULT/journal.log" ] &&
	[ "$(cat "$OLD/values/capture.COPY")" = "$SB/evil" ] && [ "$(cat "$SB/evil")" = evil ]
check "forged folder of another user at the old default: deploy.sh warns and deploys into the default folder" $? "$SB/dp.log"
run rollback "$SB/rb2.log"
rc=$?
[ "$rc" -eq 0 ] && [ "$(cat "$SB/prod/conf")" = prod ] && [ "$(cat "$SB/evil")" = evil ]
check "then rollback.sh restores from the genuine backup, not the forged capture" $? "$SB/rb2.log"
rm -rf "$OLD"
rmdir /var/tmp/relc 2> /dev/null

# ---- a folder of root's own at the old default: maybe an unfinished run ----
sandbox
forge "$OLD"
chown -R 0:0 "$OLD"
run rollback "$SB/rb.log"
rc=$?
refused "root's own folder at the old default, rollback.sh" "$SB/rb.log" "old default location $OLD"
run deploy "$SB/dp.log" --set dir="$SB/prod"
rc=$?
refused "root's own folder at the old default, deploy.sh" "$SB/dp.log" "old default location $OLD"
rm -rf "$OLD"
rmdir /var/tmp/relc 2> /dev/null

# ---- the same forged folder where the default now is ----
sandbox
forge "$DEFAULT"
chown -R nobody "$DEFAULT"
run rollback "$SB/rb.log"
rc=$?
refused "forged journal and values in the default folder owned by nobody" "$SB/rb.log" "$DEFAULT is owned by uid 65534"
run rollback "$SB/rb.log" --dry-run
rc=$?
refused "the same, rollback.sh --dry-run" "$SB/rb.log" "owned by uid 65534"

# ---- RELC_STATE_DIR and state-dir folders someone else could write ----
sandbox
genuine
chown nobody "$ST"
RELC_STATE_DIR=$ST run rollback "$SB/rb.log"
rc=$?
refused "a state folder owned by another user" "$SB/rb.log" "$ST is owned by uid 65534"

sandbox
genuine
chmod 0777 "$ST"
RELC_STATE_DIR=$ST run rollback "$SB/rb.log"
rc=$?
refused "a state folder writable by others" "$SB/rb.log" "writable by group or others (mode drwxrwxrwx)"

sandbox
genuine
chmod 0770 "$ST/values"
RELC_STATE_DIR=$ST run deploy "$SB/dp.log" --set dir="$SB/prod"
rc=$?
refused "a folder in it writable by its group" "$SB/dp.log" "$ST/values is writable by group"

sandbox
genuine
chown nobody "$ST/values/capture.COPY"
RELC_STATE_DIR=$ST run rollback "$SB/rb.log"
rc=$?
refused "a value owned by another user" "$SB/rb.log" "capture.COPY is owned by uid 65534"

sandbox
genuine
mv "$ST/journal.log" "$SB/journal.log"
ln -s "$SB/journal.log" "$ST/journal.log"
RELC_STATE_DIR=$ST run rollback "$SB/rb.log"
rc=$?
refused "a symlinked journal" "$SB/rb.log" "journal.log is a symbolic link"

sandbox
genuine
printf 'evil\n' > "$SB/evil"
rm -f "$ST/values/capture.COPY"
ln -s "$SB/evil" "$ST/values/capture.COPY"
RELC_STATE_DIR=$ST run rollback "$SB/rb.log"
rc=$?
refused "a symlinked value" "$SB/rb.log" "capture.COPY is a symbolic link"

sandbox
genuine
mkdir "$ST/lock" && printf '1\n' > "$SB/pid" && ln -s "$SB/pid" "$ST/lock/pid"
RELC_STATE_DIR=$ST run rollback "$SB/dp.log"
rc=$?
refused "a symlinked lock pid" "$SB/dp.log" "pid is a symbolic link"

# a parent writable by others without the sticky bit, for a spec state-dir
sandbox
mkdir -p "$ROOT/pub" && chmod 0777 "$ROOT/pub"
"$SH" "$ROOT/gen-specdir/deploy.sh" --yes --set dir="$SB/prod" > "$SB/dp.log" 2>&1
rc=$?
refused "a spec state-dir whose parent is writable by others, not sticky" "$SB/dp.log" "$ROOT/pub, a folder above it, is writable by group or others"
[ ! -e "$ROOT/pub/specstate" ]
check "... and the state folder was not created there" $?
# the same with RELC_STATE_DIR, the state folder already there
mkdir -p "$ROOT/pub/st"
RELC_STATE_DIR=$ROOT/pub/st run rollback "$SB/rb.log" --all
rc=$?
refused "RELC_STATE_DIR under a parent writable by others" "$SB/rb.log" "a folder above it, is writable"
chmod 1777 "$ROOT/pub"
chown nobody "$ROOT/pub"
RELC_STATE_DIR=$ROOT/pub/st run rollback "$SB/rb.log" --all
rc=$?
refused "a sticky parent owned by another user than root" "$SB/rb.log" "a folder above it, is owned by uid 65534"
rm -rf "$ROOT/pub"

# a folder above it owned by another user (it could replace the state folder)
sandbox
mkdir "$SB/theirs" && chown nobody "$SB/theirs"
RELC_STATE_DIR=$SB/theirs/state run deploy "$SB/dp.log" --set dir="$SB/prod"
rc=$?
refused "a parent owned by another user" "$SB/dp.log" "$SB/theirs, a folder above it, is owned by uid 65534"

# ---- legitimate folders still work ----
# under sticky /tmp (the sandbox is in TMPDIR, normally /tmp), reached
# through a symbolic link: the scripts use the physical path
sandbox
ln -s "$SB" "$SB-link"
RELC_STATE_DIR=$SB-link/state run deploy "$SB/dp.log" --set dir="$SB/prod"
rc1=$?
[ "$rc1" -eq 0 ] && [ "$(cat "$SB/prod/conf")" = new ]
check "a legitimate state folder: deploy.sh exit 0" $? "$SB/dp.log"
case $(ls -ln "$SB/prod/installed") in -rw-r--r--*) true ;; *) false ;; esac
check "commands keep the caller's umask (022): an installed file is 0644" $? "$SB/dp.log"
[ -z "$(find "$ST" \( -perm -0004 -o -perm -0040 -o -perm -0001 -o -perm -0010 \) -print)" ] && [ -n "$(find "$ST/values" -type f -print)" ]
check "no state file or folder is readable by group or others" $? "$SB/dp.log"
grep -F "	step:1	ok	" "$ST/journal.log" > /dev/null
check "the journal went to the physical state folder" $? "$SB/dp.log"
RELC_STATE_DIR=$SB-link/state run rollback "$SB/rb.log"
rc=$?
[ "$rc" -eq 0 ] && [ "$(cat "$SB/prod/conf")" = prod ]
check "a legitimate state folder: rollback.sh exit 0, configuration restored" $? "$SB/rb.log"

# an existing folder of ours made by older scripts (0755, files 0644) works
# and is made private
sandbox
genuine
chmod 0755 "$ST"
chmod 0644 "$ST/journal.log"
RELC_STATE_DIR=$ST run rollback "$SB/rb.log"
rc=$?
[ "$rc" -eq 0 ] && [ "$(cat "$SB/prod/conf")" = prod ] && case $(ls -ldn "$ST") in drwx------*) true ;; *) false ;; esac
check "an existing 0755 state folder of ours works and becomes 0700" $? "$SB/rb.log"

# the default folder, created by the script: 0700, owned by root
sandbox
run deploy "$SB/dp.log" --set dir="$SB/prod"
rc1=$?
run rollback "$SB/rb.log"
rc2=$?
[ "$rc1" -eq 0 ] && [ "$rc2" -eq 0 ] && [ "$(cat "$SB/prod/conf")" = prod ] && [ -z "$(find "$DEFAULT" -prune ! \( -user 0 -perm 0700 \) -print)" ]
check "the default folder: created 0700 by root, deploy and rollback work" $? "$SB/rb.log"
[ -z "$(find "$DEFAULT" \( -perm -0004 -o -perm -0040 \) -print)" ]
check "no file in the default folder is readable by others" $?

shsuite_finish
