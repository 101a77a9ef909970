#!/bin/sh
# e2e.sh RELC SHELL [SHELL-ARGS...]
#
# Builds deploy.sh and rollback.sh from the test specs beside this file with
# RELC, then runs them under SHELL in a sandbox: a real git checkout moved
# between two commits, a real SQLite database, and stand-ins on PATH only for
# systemctl and sudo. Every fault point must leave git HEAD, the database and
# the service exactly as they were. Prints TAP.
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/tools/shsuite.sh
. "$HERE/../tools/shsuite.sh"
shsuite_start e2e "$@"

make_origin

for spec in demo hostile kinds order; do
	if ! "$RELC" build -q --no-git --allow-irreversible "$HERE/$spec.rel" -o "$ROOT/gen-$spec" > "$ROOT/build-$spec.log" 2>&1; then
		printf 'Bail out! relc build %s.rel failed\n' "$spec"
		sed 's/^/# /' "$ROOT/build-$spec.log"
		exit 1
	fi
done

PATH=$HERE/bin:$PATH
# RELC_E2E_TIMEOUT=busybox: the scripts find busybox's timeout first (it takes
# whole seconds and stops only the command's shell; the scripts make up for it).
if [ "${RELC_E2E_TIMEOUT-}" = busybox ]; then
	if ! command -v busybox > /dev/null 2>&1; then
		printf '1..0 # SKIP busybox is not installed\n'
		exit 77
	fi
	mkdir "$ROOT/timeout-bin" && ln -s "$(command -v busybox)" "$ROOT/timeout-bin/timeout" || exit 99
	PATH=$ROOT/timeout-bin:$PATH
fi
export PATH
unset RELC_STATE_DIR DEMO_KEY
SEQ=0

# A fresh sandbox SB: checkout at V1, database with one table and row,
# service active, no faults.
sandbox() {
	SEQ=$((SEQ + 1))
	SB=$ROOT/sb$SEQ
	mkdir -p "$SB/data" "$SB/faults" "$SB/out" || exit 1
	git clone -q "$ROOT/origin" "$SB/app" 2> /dev/null && git -C "$SB/app" checkout -q --detach "$V1" || exit 1
	sqlite3 "$SB/data/app.db" "CREATE TABLE rides(id INTEGER PRIMARY KEY, route TEXT); INSERT INTO rides(route) VALUES ('1A'), ('500D');" || exit 1
	printf 'active\n' > "$SB/svc"
	RELC_TEST_SVC=$SB/svc
	RELC_TEST_FAULTS=$SB/faults
	RELC_STATE_DIR=$SB/state
	DEMO_KEY=secret
	export RELC_TEST_SVC RELC_TEST_FAULTS RELC_STATE_DIR DEMO_KEY
	BEFORE=$(snapshot)
}

# What must be the same after any failed deploy or a rollback.
snapshot() {
	printf 'head=%s\n' "$(git -C "$SB/app" rev-parse HEAD)"
	printf 'tree=%s\n' "$(git -C "$SB/app" status --porcelain)"
	printf 'svc=%s\n' "$(cat "$SB/svc")"
	sqlite3 "$SB/data/app.db" .dump
}

unchanged() {
	[ "$(snapshot)" = "$BEFORE" ]
}

# run_deploy LOG ARGS...: deploy.sh of the demo spec in the sandbox.
run_deploy() {
	log=$1
	shift
	(cd "$SB" && "$SH" "$ROOT/gen-demo/deploy.sh" --yes \
		--set app="$SB/app" --set data="$SB/data" ${1+"$@"}) > "$log" 2>&1
}

run_rollback() {
	log=$1
	shift
	(cd "$SB" && "$SH" "$ROOT/gen-demo/rollback.sh" --yes ${RB_ARGS-}) > "$log" 2>&1
}

# Has the process whose PID is in file $1 ended (within a second)? A zombie
# counts as ended: in a container nothing may reap orphans.
gone() {
	[ -f "$1" ] || return 1
	i=0
	while :; do
		if command -v ps > /dev/null 2>&1; then
			case $(ps -o stat= -p "$(cat "$1")" 2> /dev/null) in
			''|Z*) return 0 ;;
			esac
		elif ! kill -0 "$(cat "$1")" 2> /dev/null; then
			return 0
		fi
		[ $i -lt 20 ] || return 1
		sleep 0.05
		i=$((i + 1))
	done
}

journal_has() {
	grep -F -e "$1" "$SB/state/journal.log" > /dev/null 2>&1
}

# ---- a full deploy, then rollback.sh twice ----
sandbox
run_deploy "$SB/deploy.log"
check "deploy succeeds (exit 0)" $? "$SB/deploy.log"
[ "$(git -C "$SB/app" rev-parse HEAD)" = "$V2" ] && [ "$(sqlite3 "$SB/data/app.db" 'SELECT count(*) FROM alerts')" = 1 ] && [ "$(cat "$SB/svc")" = active ]
check "deploy moved HEAD to the target, migrated the database, service active" $? "$SB/deploy.log"
grep -F '[step 3/3] "Service restart" (estimate 1s, limit 2s) … ok' "$SB/deploy.log" > /dev/null &&
	grep -F '[backup 1/1] "Database" ' "$SB/deploy.log" > /dev/null &&
	grep -F '[verify 2/2] "Release notes reach the service" ' "$SB/deploy.log" > /dev/null
check "progress lines number each kind by itself: step 3 is [step 3/3], as --fail-after 3 counts" $? "$SB/deploy.log"
journal_has "	-	deployed	" && journal_has "	step:2	ok	" && journal_has "| release 1.1.0 at $SB/app"
check "journal records events and command output" $? "$SB/state/journal.log"
journal_has "	-	set	-	-	app" && grep -Fx "| $SB/app" "$SB/state/journal.log" > /dev/null
check "--set is recorded in the journal" $? "$SB/state/journal.log"
run_rollback "$SB/rb1.log"
rc1=$?
unchanged
check "rollback.sh after a deploy: exit 0, HEAD, database and service as before" $((rc1 + $?)) "$SB/rb1.log"
run_rollback "$SB/rb2.log"
rc2=$?
unchanged
check "rollback.sh a second time: exit 0, nothing changes" $((rc2 + $?)) "$SB/rb2.log"
[ "$(grep -c "	undo:2	start	" "$SB/state/journal.log")" -eq 1 ] && grep -F 'already done' "$SB/rb2.log" > /dev/null
check "the second rollback skips the undos already done" $? "$SB/state/journal.log"
# Both rollbacks label every undo by its step and every after-rollback by its
# number, done now or already: the same labels in the same order.
labels() {
	sed -n 's/^\(\[[^]]*\]\) .* … [^ ].*$/\1/p' "$1"
}
[ "$(labels "$SB/rb1.log" | tr '\n' ' ')" = '[undo of step 3] [undo of step 2] [undo of step 1] [after-rollback 1/1] ' ] &&
	[ "$(labels "$SB/rb2.log" | tr '\n' ' ')" = "$(labels "$SB/rb1.log" | tr '\n' ' ')" ] &&
	! grep -v -e '^\[' -e '^    ' -e '^| ' -e '^! ' "$SB/rb2.log" | grep -F ' … ' > /dev/null
check "rollback.sh labels undos by step number, the same on a first and a second run" $? "$SB/rb2.log"

# ---- --fail-after each step: the real rollback path ----
for step in 1 2 'Service restart'; do
	sandbox
	run_deploy "$SB/deploy.log" --fail-after "$step"
	rc=$?
	unchanged
	st=$?
	[ "$rc" -eq 3 ] && [ "$st" -eq 0 ]
	check "--fail-after $step: exit 3, everything as before" $? "$SB/deploy.log"
	if [ "$step" = 2 ]; then
		# It fails right after the line numbered [step 2/3], then undoes from
		# step 2: the number the operator gave is the one printed.
		grep -A1 -F '[step 2/3] "Database migration" ' "$SB/deploy.log" |
			grep -F -e '--fail-after 2: rehearsal failure' > /dev/null &&
			grep -F '[undo of step 2] "Database migration" ' "$SB/deploy.log" > /dev/null
		check "--fail-after 2 fails after the progress line [step 2/3]" $? "$SB/deploy.log"
	fi
done

# ---- --rehearse: every rollback path in turn; the journals say what they are ----
sandbox
run_deploy "$SB/deploy.log" --rehearse
rc=$?
unchanged
st=$?
blob=$(sed -n "s/^RELC_SPEC_BLOB='\(.*\)'\$/\1/p" "$ROOT/gen-demo/deploy.sh")
host=$(uname -n | awk '{ gsub(/[^A-Za-z0-9._-]/, "_"); print; exit }')
seen=
for j in "$SB/state"/run-*/journal.log "$SB/state/journal.log"; do
	seen="$seen$(sed -n "s/.*	-	deploy-start	-	-	1\.1\.0 $V1 $V2 spec=$blob host=$host mode=rehearsal fail-after=\([0-9]*\)\$/\1/p" "$j") "
done
[ "$rc" -eq 0 ] && [ "$st" -eq 0 ] && [ "$seen" = "1 2 3 " ] && [ ! -d "$SB/state/lock" ] &&
	grep -F 'Rehearsed: all 3 rollback paths rolled back cleanly' "$SB/deploy.log" > /dev/null
check "--rehearse: each path rolled back in a journal of its own (spec, host, mode), exit 0, everything as before" $? "$SB/deploy.log"
"$RELC" emit md --no-git --allow-irreversible "$HERE/demo.rel" --journal "$SB/state" > "$SB/plan.md" 2> "$SB/plan.err"
rc=$?
missing=
for want in \
	'- [x] Rollback rehearsed: 3 of 3 rollback paths ran to the end in journals of this spec' \
	"  - from step 1 “Code update”: rolled back cleanly on host \`$host\` at " \
	"  - from step 2 “Database migration”: rolled back cleanly on host \`$host\` at " \
	"  - from step 3 “Service restart”: rolled back cleanly on host \`$host\` at " \
	'- [x] Database restore from the backup checked: the undo of step 2 “Database migration”, which reads the backup, completed in the rollback from step 2 “Database migration” on host ' \
	'- [x] Previous version started and healthy after the rollback: the after-rollback block completed on host '; do
	if ! grep -F -e "$want" "$SB/plan.md" > /dev/null; then
		missing="$missing [$want]"
	fi
done
[ "$rc" -eq 0 ] && [ -z "$missing" ] && [ "$(grep -c '^  - from step' "$SB/plan.md")" -eq 3 ] && ! grep -F 'W12' "$SB/plan.err" > /dev/null
check "relc --journal on the rehearsals ticks the three boxes with their proof$missing" $? "$SB/plan.md"

# A deploy whose verify takes 3 s against an estimate of 1 s: W118 from its journal.
sandbox
printf '3\n' > "$SB/faults/verify.slow"
run_deploy "$SB/deploy.log"
rc=$?
"$RELC" check --no-git --allow-irreversible "$HERE/demo.rel" --journal "$SB/state/journal.log" 2> "$SB/check.err"
[ "$rc" -eq 0 ] && journal_has " host=$host mode=normal" &&
	grep -F 'demo.rel:81:1: warning[W118]: verify "Health" took ' "$SB/check.err" > /dev/null
check "a verify slower than twice its estimate: W118 from the deploy's journal" $? "$SB/check.err"

# --rehearse stops at the first path that does not roll back (an irreversible step).
sandbox
KINDS_TOKEN=token
export KINDS_TOKEN
(cd "$SB" && "$SH" "$ROOT/gen-kinds/deploy.sh" --yes --set out="$SB/out" --rehearse) > "$SB/deploy.log" 2>&1
rc=$?
unset KINDS_TOKEN
[ "$rc" -eq 4 ] && grep -F 'Rehearsal stopped: the rollback path from step 3 did not end rolled back (exit 4)' "$SB/deploy.log" > /dev/null &&
	[ "$(find "$SB/state" -name journal.log | wc -l)" -eq 3 ]
check "--rehearse stops and escalates at the first path that does not roll back cleanly" $? "$SB/deploy.log"

# ---- a step written before the backup runs first and is undone too ----
run_order() {
	log=$1
	shift
	(cd "$SB" && "$SH" "$ROOT/gen-order/deploy.sh" --yes --set data="$SB/data" ${1+"$@"}) > "$log" 2>&1
}
sandbox
run_order "$SB/deploy.log"
rc=$?
[ "$rc" -eq 0 ] && [ "$(sqlite3 "$SB/data/app.db" 'SELECT count(*) FROM alerts')" = 1 ] &&
	[ "$(grep -n -e '	step:1	start	' -e '	backup:1	start	' -e '	step:2	start	' "$SB/state/journal.log" | cut -f2 | tr '\n' ' ')" = 'step:1 backup:1 step:2 ' ]
check "order.rel: step 1, then the backup, then step 2, as written" $? "$SB/state/journal.log"
for step in 1 2; do
	sandbox
	run_order "$SB/deploy.log" --fail-after "$step"
	rc=$?
	unchanged
	st=$?
	[ "$rc" -eq 3 ] && [ "$st" -eq 0 ] && journal_has "	undo:1	ok	"
	check "order.rel --fail-after $step: exit 3, the step before the backup undone" $? "$SB/deploy.log"
done
# The late backup fails (its folder cannot be made: a file stands there); its
# on-failure rollback undoes step 1, written before it, and exits 3.
sandbox
printf 'not a folder\n' > "$SB/data/backups"
BEFORE=$(snapshot)
run_order "$SB/deploy.log"
rc=$?
unchanged
st=$?
[ "$rc" -eq 3 ] && [ "$st" -eq 0 ] && journal_has "	backup:1	failed	" && journal_has "	undo:1	ok	" &&
	journal_has "	-	rolled-back	" && ! journal_has "	step:2	start	" &&
	grep -F 'Rolling back: backup "Database" failed.' "$SB/deploy.log" > /dev/null
check "order.rel: the late backup fails, its rollback undoes step 1 (exit 3)" $? "$SB/deploy.log"

# ---- a command fails half-way through a step that changed the database ----
sandbox
touch "$SB/faults/migrate.fail"
run_deploy "$SB/deploy.log"
rc=$?
unchanged
st=$?
[ "$rc" -eq 3 ] && [ "$st" -eq 0 ] && journal_has "	undo:2	ok	" && journal_has "	-	rolled-back	"
check "migration fails after changing the database: exit 3, restored" $? "$SB/deploy.log"

# ---- a timeout ----
sandbox
touch "$SB/faults/migrate.hang"
t0=$(date +%s)
run_deploy "$SB/deploy.log"
rc=$?
t1=$(date +%s)
unchanged
st=$?
[ "$rc" -eq 3 ] && [ "$st" -eq 0 ] && [ $((t1 - t0)) -le 8 ] && journal_has "	step:2	timeout	"
check "a step past its limit is stopped: exit 3, restored" $? "$SB/deploy.log"
gone "$SB/faults/migrate.pid"
check "the timed-out command is gone" $?

# ---- a command's own exit 124 is not a timeout ----
sandbox
touch "$SB/faults/migrate.exit124"
run_deploy "$SB/deploy.log"
rc=$?
unchanged
st=$?
[ "$rc" -eq 3 ] && [ "$st" -eq 0 ] && grep -F 'exited with status 124' "$SB/deploy.log" > /dev/null && ! journal_has "	timeout	"
check "exit 124 of a command is reported as its status, not a timeout" $? "$SB/deploy.log"

# ---- a failing expect ----
sandbox
touch "$SB/faults/migrate.bad"
run_deploy "$SB/deploy.log"
rc=$?
unchanged
st=$?
[ "$rc" -eq 3 ] && [ "$st" -eq 0 ] && journal_has "	expect-failed	"
check "a failing expect: exit 3, restored" $? "$SB/deploy.log"

# ---- a failing verify (k = last step) ----
sandbox
touch "$SB/faults/verify.bad"
run_deploy "$SB/deploy.log"
rc=$?
unchanged
st=$?
[ "$rc" -eq 3 ] && [ "$st" -eq 0 ] && journal_has "	undo:3	ok	" && journal_has "	undo:1	ok	"
check "a failing verify: every step undone, exit 3, restored" $? "$SB/deploy.log"

# ---- checks, env, backups: stop before changing anything ----
sandbox
printf 'inactive\n' > "$SB/svc"
BEFORE=$(snapshot)
run_deploy "$SB/deploy.log"
rc=$?
unchanged
st=$?
[ "$rc" -eq 2 ] && [ "$st" -eq 0 ] && journal_has "	-	aborted	"
check "a failing check: exit 2, nothing changed" $? "$SB/deploy.log"

sandbox
unset DEMO_KEY
run_deploy "$SB/deploy.log"
rc=$?
unchanged
st=$?
[ "$rc" -eq 2 ] && [ "$st" -eq 0 ] && [ ! -e "$SB/state" ] && grep -F DEMO_KEY "$SB/deploy.log" > /dev/null
check "an unset env variable: exit 2 before anything runs" $? "$SB/deploy.log"

sandbox
touch "$SB/faults/backup.fail"
run_deploy "$SB/deploy.log"
rc=$?
unchanged
st=$?
[ "$rc" -eq 4 ] && [ "$st" -eq 0 ] && grep -F 'ESCALATE' "$SB/deploy.log" > /dev/null && grep -F 'rollback.sh' "$SB/deploy.log" > /dev/null
check "a failing backup escalates (exit 4) with the next commands" $? "$SB/deploy.log"

sandbox
(cd "$SB" && "$SH" "$ROOT/gen-demo/deploy.sh" --set app="$SB/app" --set data="$SB/data" < /dev/null) > "$SB/deploy.log" 2>&1
rc=$?
unchanged
st=$?
[ "$rc" -eq 1 ] && [ "$st" -eq 0 ] && grep -F -e '--yes' "$SB/deploy.log" > /dev/null
check "without a terminal and without --yes: exit 1" $? "$SB/deploy.log"

# ---- confirmation on a terminal (script(1) gives the script a pty) ----
if command -v script > /dev/null 2>&1; then
	sandbox
	cmd="cd '$SB' && '$SH' '$ROOT/gen-demo/deploy.sh' --set app='$SB/app' --set data='$SB/data'"
	printf 'no\n' | script -qec "$cmd" /dev/null > "$SB/deploy.log" 2>&1
	rc=$?
	unchanged
	st=$?
	[ "$rc" -eq 1 ] && [ "$st" -eq 0 ] && grep -F "previous: $V1" "$SB/deploy.log" > /dev/null && grep -F "target:   $V2" "$SB/deploy.log" > /dev/null
	check "on a terminal the release and both commits are shown; no 'yes': exit 1, nothing changed" $? "$SB/deploy.log"
	printf 'yes\n' | script -qec "$cmd" /dev/null > "$SB/deploy.log" 2>&1
	rc=$?
	[ "$rc" -eq 0 ] && [ "$(git -C "$SB/app" rev-parse HEAD)" = "$V2" ]
	check "on a terminal, answering yes deploys" $? "$SB/deploy.log"
else
	ok "on a terminal the release and both commits are shown # SKIP script(1) is not installed"
	ok "on a terminal, answering yes deploys # SKIP script(1) is not installed"
fi

sandbox
(cd "$SB" && "$SH" "$ROOT/gen-demo/deploy.sh" --yes --bogus) > "$SB/deploy.log" 2>&1
check "an unknown option: exit 1" $(( $? != 1 )) "$SB/deploy.log"
(cd "$SB" && "$SH" "$ROOT/gen-demo/deploy.sh" --yes --fail-after 'No such step') > "$SB/deploy.log" 2>&1
check "--fail-after an unknown step: exit 1" $(( $? != 1 )) "$SB/deploy.log"
(cd "$SB" && "$SH" "$ROOT/gen-demo/deploy.sh" --yes --set nosuch=1) > "$SB/deploy.log" 2>&1
check "--set of an unknown let: exit 1" $(( $? != 1 )) "$SB/deploy.log"

# ---- --check-only ----
sandbox
run_deploy "$SB/deploy.log" --check-only
rc=$?
unchanged
st=$?
[ "$rc" -eq 0 ] && [ "$st" -eq 0 ] && [ ! -e "$SB/state/journal.log" ] && grep -F '[check 3/3] "Disk space"' "$SB/deploy.log" > /dev/null && ! grep -F '[step ' "$SB/deploy.log" > /dev/null
check "--check-only runs the checks only" $? "$SB/deploy.log"

# ---- --dry-run ----
# Values are shown as plan.md shows them, quoted only where needed (the
# sandbox's paths are plain words), captures as "$NAME".
sandbox
run_deploy "$SB/deploy.log" --dry-run
rc=$?
unchanged
st=$?
[ "$rc" -eq 0 ] && [ "$st" -eq 0 ] && [ ! -e "$SB/state" ]
check "--dry-run: exit 0, nothing changed, no state written" $? "$SB/deploy.log"
missing=
for want in \
	"\$ systemctl is-active demo" \
	"\$ df -Pk $SB/data | awk 'NR == 2 { print \$4 }'" \
	"\$ cd $SB/app && git checkout --quiet --detach $V2" \
	"\$ cd $SB/app && git checkout --quiet --detach $V1" \
	"\$ sqlite3 $SB/data/app.db \"CREATE TABLE alerts(id INTEGER); INSERT INTO alerts VALUES (1)\"" \
	"capture BACKUP_PATH: printf '%s/backup_%s.db\\n' $SB/data/backups 1.1.0" \
	"\$ cp \"\$BACKUP_PATH\" $SB/data/app.db.restore" \
	"release 1.1.0 at $SB/app" \
	"\$ sudo systemctl restart demo"; do
	if ! grep -F -e "$want" "$SB/deploy.log" > /dev/null; then
		missing="$missing [$want]"
	fi
done
[ -z "$missing" ]
check "--dry-run prints every command with references expanded$missing" $? "$SB/deploy.log"

# ---- two deploys at once: the second exits 5 naming the first ----
sandbox
touch "$SB/faults/migrate.slow"
run_deploy "$SB/first.log" &
first=$!
i=0
while [ ! -f "$SB/state/lock/pid" ] && [ $i -lt 100 ]; do
	sleep 0.05
	i=$((i + 1))
done
run_deploy "$SB/second.log"
rc2=$?
run_rollback "$SB/rb.log"
rc3=$?
wait "$first"
rc1=$?
holder=$(cat "$SB/state/lock/pid" 2> /dev/null)
[ "$rc2" -eq 5 ] && grep -F 'PID' "$SB/second.log" > /dev/null && [ "$rc1" -eq 0 ] && [ -z "$holder" ]
check "a second concurrent deploy exits 5 naming the holder; the first completes" $? "$SB/second.log"
[ "$rc3" -eq 5 ] && grep -F 'PID' "$SB/rb.log" > /dev/null
check "rollback.sh during a deploy exits 5" $? "$SB/rb.log"

sandbox
mkdir -p "$SB/state/lock" && printf '999999\n' > "$SB/state/lock/pid"
run_deploy "$SB/deploy.log"
rc=$?
unchanged
st=$?
[ "$rc" -eq 5 ] && [ "$st" -eq 0 ] && grep -F 'stale' "$SB/deploy.log" > /dev/null
check "a stale lock is reported (exit 5)" $? "$SB/deploy.log"

# ---- INT during a long step, then --resume, then rollback ----
sandbox
touch "$SB/faults/migrate.hang"
# INT reaches the script as from a terminal once the long command runs (the
# script stays in the foreground: an asynchronous command ignores INT).
(
	i=0
	while [ ! -s "$SB/faults/migrate.pid" ] && [ $i -lt 400 ]; do
		sleep 0.05
		i=$((i + 1))
	done
	kill -s INT "$(cat "$SB/state/lock/pid")"
) &
watcher=$!
run_deploy "$SB/deploy.log"
rc=$?
wait "$watcher"
[ "$rc" -eq 130 ] && gone "$SB/faults/migrate.pid" && journal_has "	step:2	interrupted	" && [ "$(git -C "$SB/app" rev-parse HEAD)" = "$V2" ] && grep -F -e '--resume' "$SB/deploy.log" > /dev/null && [ ! -d "$SB/state/lock" ]
check "INT during a step: exit 130, command stopped, nothing rolled back, resume shown" $? "$SB/deploy.log"
rm -f "$SB/faults/migrate.hang"
(cd "$SB" && "$SH" "$ROOT/gen-demo/deploy.sh" --yes --resume) > "$SB/resume.log" 2>&1
rc=$?
[ "$rc" -eq 0 ] && grep -F '[step 1/3] "Code update" … already done' "$SB/resume.log" > /dev/null && [ "$(sqlite3 "$SB/data/app.db" 'SELECT count(*) FROM alerts')" = 1 ]
check "--resume skips completed blocks and finishes (--set values kept)" $? "$SB/resume.log"
journal_has "	-	resume	-	-	1.1.0 $V1 $V2 spec=" && journal_has " mode=resume"
check "the resume says what it is in the journal" $? "$SB/state/journal.log"
run_rollback "$SB/rb.log"
rc=$?
unchanged
check "rollback.sh after a resumed deploy restores everything" $((rc + $?)) "$SB/rb.log"

# ---- TERM during the rollback path, then rollback.sh finishes it ----
sandbox
touch "$SB/faults/undo2.hang"
(
	i=0
	while [ ! -s "$SB/faults/undo2.pid" ] && [ $i -lt 400 ]; do
		sleep 0.05
		i=$((i + 1))
	done
	kill -s TERM "$(cat "$SB/state/lock/pid")"
) &
watcher=$!
run_deploy "$SB/deploy.log" --fail-after 2
rc=$?
wait "$watcher"
[ "$rc" -eq 143 ] && gone "$SB/faults/undo2.pid" && journal_has "	undo:2	interrupted	" && [ ! -d "$SB/state/lock" ] && grep -F 'To finish the rollback' "$SB/deploy.log" > /dev/null
check "TERM during an undo: exit 143, the command stopped, the lock released" $? "$SB/deploy.log"
rm -f "$SB/faults/undo2.hang"
run_rollback "$SB/rb.log"
rc=$?
unchanged
check "rollback.sh then finishes the interrupted rollback" $((rc + $?)) "$SB/rb.log"

# ---- a failing undo escalates; fixed, rollback.sh finishes ----
sandbox
touch "$SB/faults/undo2.fail"
run_deploy "$SB/deploy.log" --fail-after 2
rc=$?
[ "$rc" -eq 4 ] && grep -F 'ESCALATE' "$SB/deploy.log" > /dev/null && journal_has "	undo:2	failed	" && ! journal_has "	undo:1	start	"
check "a failing undo stops the rollback and escalates (exit 4), journal names it" $? "$SB/deploy.log"
rm -f "$SB/faults/undo2.fail"
run_rollback "$SB/rb.log"
rc=$?
unchanged
check "after the fix, rollback.sh finishes the rollback (exit 0)" $((rc + $?)) "$SB/rb.log"

# ---- checksums guard the backup ----
sandbox
run_deploy "$SB/deploy.log"
printf 'tampered' >> "$SB/data/backups/backup_1.1.0.db"
run_rollback "$SB/rb.log"
rc=$?
[ "$rc" -eq 4 ] && grep -F 'changed since the backup' "$SB/rb.log" > /dev/null && [ "$(sqlite3 "$SB/data/app.db" 'SELECT count(*) FROM alerts')" = 1 ]
check "a backup changed after its checksum: rollback.sh escalates before using it" $? "$SB/rb.log"

# ---- the journal is lost: --all ----
sandbox
run_deploy "$SB/deploy.log"
rm -f "$SB/state/journal.log"
run_rollback "$SB/rb.log"
check "rollback.sh without a journal asks for --all (exit 1)" $(( $? != 1 )) "$SB/rb.log"
RB_ARGS=--all
run_rollback "$SB/rb.log"
rc=$?
unset RB_ARGS
unchanged
check "rollback.sh --all undoes every step" $((rc + $?)) "$SB/rb.log"

# ---- rollback.sh --dry-run ----
sandbox
run_deploy "$SB/deploy.log"
AFTER=$(snapshot)
RB_ARGS=--dry-run
run_rollback "$SB/rb.log"
rc=$?
unset RB_ARGS
[ "$rc" -eq 0 ] && [ "$(snapshot)" = "$AFTER" ] && grep -F "mv -f $SB/data/app.db.restore $SB/data/app.db" "$SB/rb.log" > /dev/null
check "rollback.sh --dry-run prints the plan and runs nothing" $? "$SB/rb.log"

# ---- hostile values: deploy -> state -> rollback, byte for byte ----
sandbox
q="'"
bq='`'
printf '%s\n' "it's \"$q; touch CANARY1 #\" \$(touch CANARY2) ${bq}touch CANARY3${bq} \${HOME} '; rm -rf \"\$SB/nothing\" #" \
	"second line with \\ and * and ~ and %s and \$1" "" > "$SB/out/evil.txt"
# the value is the file with its trailing newlines removed
printf '%s' "$(cat "$SB/out/evil.txt")" > "$SB/expected"
label="a \"label\" with 'quotes' \$(touch CANARY4) and a
newline"
printf '%s' "$label" > "$SB/expected-label"
(cd "$SB" && "$SH" "$ROOT/gen-hostile/deploy.sh" --yes --set out="$SB/out" --set label="$label") > "$SB/deploy.log" 2>&1
rc1=$?
(cd "$SB" && "$SH" "$ROOT/gen-hostile/rollback.sh" --yes) > "$SB/rb.log" 2>&1
rc2=$?
[ "$rc1" -eq 0 ] && [ "$rc2" -eq 0 ] && cmp -s "$SB/expected" "$SB/out/deploy-saw" && cmp -s "$SB/expected" "$SB/out/deploy-saw-dq" && cmp -s "$SB/expected" "$SB/out/rollback-saw"
check "a hostile captured value reaches deploy and rollback commands byte for byte" $? "$SB/deploy.log"
cmp -s "$SB/expected-label" "$SB/out/deploy-label" && cmp -s "$SB/expected-label" "$SB/out/rollback-label"
check "a hostile --set value survives the state folder byte for byte" $? "$SB/rb.log"
[ -z "$(find "$SB" "$ROOT" -name 'CANARY*' 2> /dev/null)" ]
check "nothing inside the hostile values was executed" $?

# ---- undo none, an irreversible step, escalate policies ----
run_kinds() {
	log=$1
	shift
	(cd "$SB" && "$SH" "$ROOT/gen-kinds/deploy.sh" --yes --set out="$SB/out" ${1+"$@"}) > "$log" 2>&1
}
sandbox
KINDS_TOKEN=token
export KINDS_TOKEN
run_kinds "$SB/deploy.log" --fail-after Announce
rc=$?
[ "$rc" -eq 3 ] && [ ! -e "$SB/out/marker" ] && grep -Fx 'rolled back' "$SB/out/log" > /dev/null && grep -F 'nothing to undo' "$SB/deploy.log" > /dev/null
check "undo none is skipped on the rollback path (exit 3)" $? "$SB/deploy.log"
sandbox
run_kinds "$SB/deploy.log" --fail-after 4
rc=$?
[ "$rc" -eq 4 ] && [ ! -e "$SB/out/after" ] && [ -e "$SB/out/irrev" ] && grep -F 'irreversible' "$SB/deploy.log" > /dev/null && ! grep -F 'rolled back' "$SB/out/log" > /dev/null && journal_has "	undo:4	ok	"
check "the rollback path stops at an irreversible step and escalates (exit 4)" $? "$SB/deploy.log"
sandbox
run_kinds "$SB/deploy.log" --check-only
rc=$?
[ "$rc" -eq 0 ] && [ ! -e "$SB/state" ] && [ ! -e "$SB/out/marker" ]
check "--check-only with captures in checks writes no state (exit 0)" $? "$SB/deploy.log"
for sign in STOP 'halt now'; do
	case $sign in
	STOP) why='expected stdout not to contain' ;;
	*) why='expected no line of stdout to match' ;;
	esac
	sandbox
	printf 'fine\n%s\n' "$sign" > "$SB/out/log"
	run_kinds "$SB/deploy.log"
	rc=$?
	[ "$rc" -eq 2 ] && [ ! -e "$SB/out/marker" ] && grep -F "$why" "$SB/deploy.log" > /dev/null
	check "a negated expect fails on \"$sign\" in the output (exit 2)" $? "$SB/deploy.log"
done
sandbox
KINDS_TOKEN=
run_kinds "$SB/deploy.log"
check "an empty env variable stops the deploy (exit 2)" $(( $? != 2 )) "$SB/deploy.log"
sandbox
KINDS_TOKEN=token
run_kinds "$SB/deploy.log"
rc=$?
rm -f "$SB/out/irrev"
(cd "$SB" && "$SH" "$ROOT/gen-kinds/rollback.sh" --yes) > "$SB/rb.log" 2>&1
rb=$?
[ "$rc" -eq 0 ] && [ "$rb" -eq 4 ] && [ ! -e "$SB/out/after" ] && [ -e "$SB/out/marker" ]
check "rollback.sh undoes down to the irreversible step, then escalates (exit 4)" $? "$SB/rb.log"
unset KINDS_TOKEN

shsuite_finish
