#!/bin/sh
# fleet.sh RELC - the fleet playbooks on a real Ansible. TAP output.
#
# Builds fleet.rel beside this file, then runs fleet.yml and
# fleet-rollback.yml against a fleet of five hosts on this machine
# (ansible_connection: local), each with its own root: a git checkout, a
# SQLite database, a service stand-in and a state folder, as in tests/e2e.
# Failures are injected per host through the inventory only: relc_env points
# the relc-fault stand-in at a folder of fault files, and the unreachable
# host connects by ssh to a closed port. Every scenario is checked host by
# host: deployed (checkout at the target, database migrated, service
# active), back as before, or untouched (no state, no scripts).
set -u

for tool in ansible-playbook ansible-lint git sqlite3; do
	if ! command -v "$tool" > /dev/null 2>&1; then
		printf '1..0 # SKIP %s is not installed\n' "$tool"
		exit 77
	fi
done
HERE=$(cd "$(dirname "$0")" && pwd)
BIN=$(cd "$HERE/../e2e/bin" && pwd)
# shellcheck source=tests/tools/shsuite.sh
. "$HERE/../tools/shsuite.sh"
shsuite_start fleet "$@"
SHSUITE_TAIL=60

# Ansible must read nothing of the user's or the machine's configuration.
ANSIBLE_CONFIG=$ROOT/ansible.cfg
ANSIBLE_HOME=$ROOT/ansible-home
ANSIBLE_LOCAL_TEMP=$ROOT/ansible-tmp
ANSIBLE_REMOTE_TEMP=$ROOT/ansible-remote-tmp
ANSIBLE_NOCOLOR=1
ANSIBLE_FORCE_COLOR=0
ANSIBLE_RETRY_FILES_ENABLED=0
ANSIBLE_HOST_KEY_CHECKING=0
export ANSIBLE_CONFIG ANSIBLE_HOME ANSIBLE_LOCAL_TEMP ANSIBLE_REMOTE_TEMP ANSIBLE_NOCOLOR \
	ANSIBLE_FORCE_COLOR ANSIBLE_RETRY_FILES_ENABLED ANSIBLE_HOST_KEY_CHECKING
# forks: every host of a batch at once; no interpreter search; pipelining:
# modules reach the local hosts through a pipe, not a temporary file
printf '[defaults]\nforks = 10\ninterpreter_python = /usr/bin/python3\n[connection]\npipelining = True\n' > "$ANSIBLE_CONFIG"

HOSTS='h1 h2 h3 h4 h5'
make_origin

GEN=$ROOT/gen
if ! "$RELC" build -q --no-git "$HERE/fleet.rel" -o "$GEN" > "$ROOT/build.log" 2>&1; then
	printf 'Bail out! relc build fleet.rel failed\n'
	sed 's/^/# /' "$ROOT/build.log"
	exit 1
fi

# Fault folders the inventory points hosts at (relc-fault reads them).
mkdir -p "$ROOT/faults/none" "$ROOT/faults/fail" "$ROOT/faults/escalate" "$ROOT/faults/hang"
: > "$ROOT/faults/fail/migrate.fail"
: > "$ROOT/faults/escalate/migrate.fail"
: > "$ROOT/faults/escalate/undo2.fail"
: > "$ROOT/faults/hang/migrate.hang"

# fleet SCENARIO H=FAULT...: fresh roots for the five hosts (checkout at V1,
# database, service active) and an inventory; FAULT is a fault folder's
# name, "unreachable", or "nocopy" (a scripts folder that cannot be made).
fleet() {
	SC=$ROOT/$1
	shift
	mkdir -p "$SC" || exit 1
	INV=$SC/inventory.yml
	{
		printf 'relc_fleet:\n  vars:\n    ansible_connection: local\n  hosts:\n'
		for h in $HOSTS; do
			R=$SC/$h
			mkdir -p "$R/data" || exit 1
			git clone -q "$ROOT/origin" "$R/app" 2> /dev/null &&
				git -C "$R/app" checkout -q --detach "$V1" || exit 1
			sqlite3 "$R/data/app.db" "CREATE TABLE rides(id INTEGER PRIMARY KEY, route TEXT); INSERT INTO rides(route) VALUES ('1A'), ('500D');" || exit 1
			printf 'active\n' > "$R/svc"
			snapshot "$R" > "$R/before"
			fault=none
			for f; do
				case $f in "$h="*) fault=${f#*=} ;; esac
			done
			printf '    %s:\n' "$h"
			scripts=$R/scripts
			case $fault in
			unreachable)
				printf '      ansible_connection: ssh\n      ansible_host: 127.0.0.1\n'
				printf '      ansible_port: %s\n      ansible_user: relc\n' "$CLOSED_PORT"
				fault=none
				;;
			nocopy)
				scripts=$R/svc/scripts # svc is a file
				fault=none
				;;
			esac
			printf '      relc_state_dir: "%s/state"\n' "$R"
			printf '      relc_script_dir: "%s"\n' "$scripts"
			printf '      relc_set:\n        app: "%s/app"\n        data: "%s/data"\n' "$R" "$R"
			printf '      relc_env:\n        PATH: "%s:%s"\n' "$BIN" "$PATH"
			printf '        RELC_TEST_SVC: "%s/svc"\n' "$R"
			printf '        RELC_TEST_FAULTS: "%s/faults/%s"\n' "$ROOT" "$fault"
			printf '        DEMO_KEY: "a key with spaces, $dollars and \\"quotes\\""\n'
		done
	} > "$INV"
}

snapshot() {
	printf 'head=%s\n' "$(git -C "$1/app" rev-parse HEAD)"
	printf 'tree=%s\n' "$(git -C "$1/app" status --porcelain)"
	printf 'svc=%s\n' "$(cat "$1/svc")"
	sqlite3 "$1/data/app.db" .dump
}

# Is host H as it was before (checkout, database, service)?
restored() {
	[ "$(snapshot "$SC/$1")" = "$(cat "$SC/$1/before")" ]
}

# Is host H at the release: checkout at the target, table alerts, active?
deployed() {
	[ "$(git -C "$SC/$1/app" rev-parse HEAD)" = "$V2" ] &&
		[ "$(sqlite3 "$SC/$1/data/app.db" 'SELECT count(*) FROM alerts' 2> /dev/null)" = 1 ] &&
		[ "$(cat "$SC/$1/svc")" = active ]
}

# Was host H never touched: as before, no state folder, no scripts?
untouched() {
	restored "$1" && [ ! -e "$SC/$1/state" ] && [ ! -e "$SC/$1/scripts" ]
}

# Did the rollout roll host H back: as before, its journal says so?
rolled_back() {
	restored "$1" && grep -F '	-	rolled-back	' "$SC/$1/state/journal.log" > /dev/null 2>&1
}

# hosts_are PREDICATE H...: each host satisfies it; names the first that does not.
hosts_are() {
	p=$1
	shift
	for h; do
		if ! "$p" "$h"; then
			printf '# %s is not %s\n' "$h" "$p"
			return 1
		fi
	done
	return 0
}

# play LOG PLAYBOOK [ARGS]: ansible-playbook from the generated folder.
play() {
	log=$1
	shift
	(cd "$GEN" && ansible-playbook -i "$INV" "$@") > "$log" 2>&1
}

# The verdict line ansible prints for host H, e.g. "h2: deployed and verified".
verdict_has() {
	grep -F -e "$1" "$2" > /dev/null
}

# waits STATUS LOG: how many "Wait between batches" tasks ended in STATUS
# (ok: it paused; skipping: it did not).
waits() {
	awk -v st="$1: [" '/^TASK \[/ { t = /Wait between batches/ }
		t && index($0, st) == 1 { n++ } END { print n + 0 }' "$2"
}

# A TCP port on 127.0.0.1 that nothing listens on (the unreachable host).
CLOSED_PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()') || exit 99

# ---- the playbooks load, and ansible-lint has nothing to say ----
(cd "$GEN" && ansible-playbook --syntax-check -i localhost, fleet.yml fleet-rollback.yml) > "$ROOT/syntax.log" 2>&1
check "ansible-playbook --syntax-check passes on fleet.yml and fleet-rollback.yml" $? "$ROOT/syntax.log"
# only-builtins is opt-in: enabled, it proves the playbooks use ansible.builtin only
(cd "$GEN" && ansible-lint --offline -q --enable-list only-builtins fleet.yml fleet-rollback.yml) > "$ROOT/lint.log" 2>&1
check "ansible-lint (only-builtins enabled) passes on fleet.yml and fleet-rollback.yml" $? "$ROOT/lint.log"

# ---- success, then fleet-rollback.yml twice ----
fleet success
play "$SC/deploy.log" fleet.yml
rc=$?
check "success: ansible-playbook exits 0" "$rc" "$SC/deploy.log"
hosts_are deployed $HOSTS
check "success: every host is at the target, migrated, service active" $? "$SC/deploy.log"
verdict_has 'h1: deployed and verified; h2: deployed and verified; h3: deployed and verified; h4: deployed and verified; h5: deployed and verified' "$SC/deploy.log"
check "success: the verdict names every host deployed" $? "$SC/deploy.log"
# batches 1, 40% of five hosts: [h1], [h2 h3], [h4 h5]
[ "$(grep -c '^PLAY \[Deploy release' "$SC/deploy.log")" -eq 3 ]
check "success: three batches (1, 40%, 40%)" $? "$SC/deploy.log"
play "$SC/rb1.log" fleet-rollback.yml
rc=$?
hosts_are rolled_back $HOSTS
check "fleet-rollback.yml after success: exit 0, every host as before" $((rc + $?)) "$SC/rb1.log"
play "$SC/rb2.log" fleet-rollback.yml
rc=$?
hosts_are rolled_back $HOSTS && grep -E 'changed=0 ' "$SC/rb2.log" > /dev/null &&
	! grep -E 'changed=[1-9]' "$SC/rb2.log" > /dev/null
check "fleet-rollback.yml a second time: exit 0, nothing changed" $((rc + $?)) "$SC/rb2.log"
again=0
for h in $HOSTS; do
	[ "$(grep -c '	undo:2	start	' "$SC/$h/state/journal.log")" -eq 1 ] || again=1
done
check "the second rollback ran no undo again on any host" "$again" "$SC/rb2.log"

# ---- the canary fails: rolls itself back, no other host touched ----
fleet canary h1=fail
play "$SC/deploy.log" fleet.yml
rc=$?
[ "$rc" -ne 0 ]
check "canary fails: ansible-playbook exits non-zero" $? "$SC/deploy.log"
restored h1 && grep -F '	-	rolled-back	' "$SC/h1/state/journal.log" > /dev/null
check "canary fails: the canary rolled itself back" $? "$SC/deploy.log"
hosts_are untouched h2 h3 h4 h5
check "canary fails: no later host touched" $? "$SC/deploy.log"
verdict_has 'h1: failed and rolled itself back (deploy.sh exit 3); h2: untouched' "$SC/deploy.log"
check "canary fails: the verdict says so host by host" $? "$SC/deploy.log"

# ---- a host of the middle batch fails: earlier and same-batch hosts roll back ----
fleet middle h3=fail
play "$SC/deploy.log" fleet.yml
rc=$?
[ "$rc" -ne 0 ]
check "middle batch fails: ansible-playbook exits non-zero" $? "$SC/deploy.log"
hosts_are rolled_back h1 h2 h3
check "middle batch fails: h1 (canary) and h2 rolled back, h3 rolled itself back" $? "$SC/deploy.log"
hosts_are untouched h4 h5
check "middle batch fails: the last batch is untouched" $? "$SC/deploy.log"
# newest batch first: h2 rolls back before h1 (journal times are seconds:
# compare the order of the rollback plays in the output)
awk '/^PLAY \[Roll back release/ { p++ } /^changed: \[h[12]\]/ && p { print p, $2 }' "$SC/deploy.log" > "$SC/order"
[ "$(tr '\n' ' ' < "$SC/order")" = "1 [h2] 2 [h1] " ]
check "middle batch fails: newest batch rolled back first (h2, then h1)" $? "$SC/order"
verdict_has 'h1: deployed and verified, then rolled back; h2: deployed and verified, then rolled back; h3: failed and rolled itself back (deploy.sh exit 3); h4: untouched; h5: untouched' "$SC/deploy.log"
check "middle batch fails: the verdict says so host by host" $? "$SC/deploy.log"

# ---- a host escalates: the rollout stops, nothing more is rolled back ----
fleet escalate h2=escalate
play "$SC/deploy.log" fleet.yml
rc=$?
[ "$rc" -ne 0 ]
check "escalation: ansible-playbook exits non-zero" $? "$SC/deploy.log"
deployed h1 && deployed h3 && ! grep -F 'rolled-back' "$SC/h1/state/journal.log" > /dev/null
check "escalation: the deployed hosts are left deployed (a person decides)" $? "$SC/deploy.log"
grep -F '	-	escalated	' "$SC/h2/state/journal.log" > /dev/null
check "escalation: h2's journal records the escalation" $? "$SC/h2/state/journal.log"
hosts_are untouched h4 h5
check "escalation: the last batch is untouched" $? "$SC/deploy.log"
verdict_has 'h2: escalated (deploy.sh exit 4): a person decides' "$SC/deploy.log"
check "escalation: the verdict names the escalated host" $? "$SC/deploy.log"

# ---- a host is unreachable, the scripts cannot be copied to another ----
fleet unreachable h2=unreachable h3=nocopy
play "$SC/deploy.log" fleet.yml
rc=$?
[ "$rc" -ne 0 ]
check "unreachable host and failed copy: ansible-playbook exits non-zero" $? "$SC/deploy.log"
rolled_back h1
check "unreachable host and failed copy: h1 (the canary) rolled back" $? "$SC/deploy.log"
hosts_are untouched h2 h3 h4 h5
check "unreachable host and failed copy: h2, h3 and the last batch untouched" $? "$SC/deploy.log"
verdict_has 'h2: unreachable' "$SC/deploy.log" &&
	verdict_has "h3: failed (Create the folder for the release's scripts: " "$SC/deploy.log"
check "unreachable host and failed copy: the verdict says h2 was unreachable, h3 failed and where" $? "$SC/deploy.log"

# ---- --limit: only the named hosts, batches cut from them ----
fleet limit
play "$SC/deploy.log" fleet.yml --limit h2,h4
rc=$?
hosts_are deployed h2 h4 && hosts_are untouched h1 h3 h5
check "--limit h2,h4: exit $rc, h2 and h4 deployed, h1, h3 and h5 untouched" $((rc + $?)) "$SC/deploy.log"
# batches 1, 40% of the two selected hosts: [h2], [h4]
[ "$(grep -c '^PLAY \[Deploy release' "$SC/deploy.log")" -eq 2 ] &&
	verdict_has '"msg": "h2: deployed and verified; h4: deployed and verified"' "$SC/deploy.log"
check "--limit h2,h4: two batches of one host, a verdict on h2 and h4 only" $? "$SC/deploy.log"
# the pause of fleet.rel waits once, before the second batch
[ "$(waits ok "$SC/deploy.log")" -eq 1 ]
check "--limit h2,h4: the pause runs before the second batch" $? "$SC/deploy.log"

# ---- --check: nothing changes on any host ----
# every file of a host's state and scripts folders, with its size and times
footprint() {
	for h in $HOSTS; do
		snapshot "$SC/$h"
		(cd "$SC/$h" && find state scripts -printf '%p %s %m %T@ %C@\n' 2> /dev/null | sort)
	done
}
footprint > "$SC/footprint.before"
play "$SC/check.log" fleet.yml --check
rc=$?
footprint > "$SC/footprint.after"
cmp -s "$SC/footprint.before" "$SC/footprint.after"
check "fleet.yml --check: exit $rc, no host changed (two deployed, three untouched)" $((rc + $?)) "$SC/check.log"
verdict_has 'h1: checked (--check runs no script); h2: checked' "$SC/check.log" &&
	verdict_has 'every one of 5 hosts reached (check mode)' "$SC/check.log"
check "fleet.yml --check: the verdict says every host was checked, none deployed" $? "$SC/check.log"
# check mode skips the pause: no batch changed anything to wait on
[ "$(waits ok "$SC/check.log")" -eq 0 ] && grep -q "^TASK \[Wait between batches\]" "$SC/check.log"
check "fleet.yml --check: no pause between its three batches" $? "$SC/check.log"
play "$SC/rbcheck.log" fleet-rollback.yml --check
rc=$?
footprint > "$SC/footprint.after"
cmp -s "$SC/footprint.before" "$SC/footprint.after"
check "fleet-rollback.yml --check: exit $rc, no host changed" $((rc + $?)) "$SC/rbcheck.log"

# ---- fleet-rollback.yml --limit: only the named host ----
play "$SC/rb.log" fleet-rollback.yml --limit h2
rc=$?
rolled_back h2 && deployed h4 && hosts_are untouched h1 h3 h5
check "fleet-rollback.yml --limit h2: exit $rc, h2 rolled back, h4 still deployed" $((rc + $?)) "$SC/rb.log"

# ---- --limit and a failure: the rollback stays inside the limit ----
fleet limitfail h3=fail
play "$SC/deploy.log" fleet.yml --limit h2,h3,h4
rc=$?
[ "$rc" -ne 0 ]
check "--limit h2,h3,h4, h3 fails: ansible-playbook exits non-zero" $? "$SC/deploy.log"
hosts_are rolled_back h2 h3 && hosts_are untouched h1 h4 h5
check "--limit h2,h3,h4, h3 fails: h2 rolled back, h3 rolled itself back, h1, h4 and h5 untouched" $? "$SC/deploy.log"
verdict_has '"msg": "h2: deployed and verified, then rolled back; h3: failed and rolled itself back (deploy.sh exit 3); h4: untouched"' "$SC/deploy.log"
check "--limit h2,h3,h4, h3 fails: the verdict names the three selected hosts only" $? "$SC/deploy.log"

# ---- interrupted mid-rollout, then fleet-rollback.yml ----
fleet interrupt h2=hang
# setsid: the playbook and everything it started get INT, as from a terminal
(cd "$GEN" && exec setsid ansible-playbook -i "$INV" fleet.yml) > "$SC/deploy.log" 2>&1 &
pid=$!
i=0
# until h2's migration hangs (a busy machine may take minutes to get there)
while [ ! -f "$ROOT/faults/hang/migrate.pid" ] && kill -0 "$pid" 2> /dev/null &&
	[ $i -lt 6000 ]; do
	sleep 0.1
	i=$((i + 1))
done
hung=1
[ -f "$ROOT/faults/hang/migrate.pid" ] && hung=0
kill -INT -- "-$pid" 2> /dev/null
wait "$pid"
rc=$?
rm -f "$ROOT/faults/hang/migrate.pid"
[ "$hung" -eq 0 ] && [ "$rc" -ne 0 ]
check "interrupted: the playbook stopped mid-rollout, non-zero" $? "$SC/deploy.log"
play "$SC/rb.log" fleet-rollback.yml
rc=$?
hosts_are rolled_back h1 h2 h3
check "interrupted: fleet-rollback.yml restores h1, h2 (interrupted mid-step) and h3" $((rc + $?)) "$SC/rb.log"
hosts_are untouched h4 h5
check "interrupted: fleet-rollback.yml touches no host the rollout never reached" $? "$SC/rb.log"

shsuite_finish
