#!/bin/sh
# fleet_rollout.sh RELC [HOSTS] - wall time of fleet.yml over HOSTS (default
# 20) local hosts, and where it goes (docs/performance.md, "The fleet
# rollout"). Each host is as in tests/fleet: a git checkout, a SQLite
# database, a service stand-in. Prints the load average, the total, the
# wall time of each task summed over the batches (Ansible's output, each
# line stamped as it comes), and the time deploy.sh itself ran on each
# host (from the journals). Ansible's junit callback is not used: under
# serial it times a task from its start in the first batch.
set -u
RELC=$1
NHOSTS=${2:-20}
case $RELC in /*) ;; *) RELC=$PWD/$RELC ;; esac
command -v ansible-playbook > /dev/null 2>&1 || { echo 'SKIP: no ansible-playbook'; exit 77; }
HERE=$(cd "$(dirname "$0")" && pwd)
BIN=$(cd "$HERE/../e2e/bin" && pwd)
ROOT=$(mktemp -d "${TMPDIR:-/tmp}/relc-fleet-bench.XXXXXX") || exit 99
trap 'rm -rf "$ROOT"' EXIT
trap 'exit 1' INT TERM

export ANSIBLE_CONFIG="$ROOT/ansible.cfg" ANSIBLE_HOME="$ROOT/ah" \
	ANSIBLE_LOCAL_TEMP="$ROOT/at" ANSIBLE_REMOTE_TEMP="$ROOT/rt" ANSIBLE_NOCOLOR=1
printf '[defaults]\nforks = 20\ninterpreter_python = /usr/bin/python3\n[connection]\npipelining = True\n' > "$ANSIBLE_CONFIG"

(
	export GIT_AUTHOR_NAME=relc GIT_AUTHOR_EMAIL=relc@example.invalid
	export GIT_COMMITTER_NAME=relc GIT_COMMITTER_EMAIL=relc@example.invalid
	export GIT_AUTHOR_DATE=2026-11-01T00:00:00Z GIT_COMMITTER_DATE=2026-11-01T00:00:00Z
	mkdir "$ROOT/origin" && cd "$ROOT/origin" && git -c init.defaultBranch=main init -q &&
		printf 'version 1\n' > VERSION && git add VERSION &&
		git -c commit.gpgsign=false commit -q -m 'release 1.0.0' &&
		printf 'version 2\n' > VERSION &&
		GIT_AUTHOR_DATE=2026-11-02T00:00:00Z GIT_COMMITTER_DATE=2026-11-02T00:00:00Z \
			git -c commit.gpgsign=false commit -q -am 'feat: release 1.1.0'
) || exit 99
"$RELC" build -q --no-git "$HERE/../fleet/fleet.rel" -o "$ROOT/gen" > /dev/null 2>&1 || exit 99
mkdir "$ROOT/faults"

{
	printf 'relc_fleet:\n  vars:\n    ansible_connection: local\n  hosts:\n'
	i=1
	while [ $i -le "$NHOSTS" ]; do
		R=$ROOT/h$i
		mkdir -p "$R/data"
		git clone -q "$ROOT/origin" "$R/app" 2> /dev/null &&
			git -C "$R/app" checkout -q --detach e8f9c0ad44b56be640c7c55e1f1a67a2eb7c6f7a || exit 99
		sqlite3 "$R/data/app.db" "CREATE TABLE rides(id INTEGER PRIMARY KEY)" || exit 99
		printf 'active\n' > "$R/svc"
		printf '    h%d:\n      relc_state_dir: "%s/state"\n      relc_script_dir: "%s/scripts"\n' "$i" "$R" "$R"
		printf '      relc_set: {app: "%s/app", data: "%s/data"}\n' "$R" "$R"
		printf '      relc_env: {PATH: "%s:%s", RELC_TEST_SVC: "%s/svc", RELC_TEST_FAULTS: "%s/faults", DEMO_KEY: k}\n' \
			"$BIN" "$PATH" "$R" "$ROOT"
		i=$((i + 1))
	done
} > "$ROOT/inventory.yml"

printf 'load average before: %s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
start=$(date +%s.%N)
# each line of Ansible's output stamped with the seconds since the start
(cd "$ROOT/gen" && ansible-playbook -i "$ROOT/inventory.yml" fleet.yml 2>&1; echo "exit $?") |
	python3 -u -c 'import sys, time
t0 = time.monotonic()
for l in sys.stdin:
    print("%.3f %s" % (time.monotonic() - t0, l), end="")' > "$ROOT/run.log"
rc=$(sed -n 's/^[0-9.]* exit //p' "$ROOT/run.log")
end=$(date +%s.%N)
printf 'hosts: %d, ansible-playbook exit %s, wall time %.1f s\n' "$NHOSTS" "$rc" "$(echo "$end - $start" | bc)"
printf 'load average after: %s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
[ "$rc" = 0 ] || tail -n 30 "$ROOT/run.log"

echo '== wall time per task, summed over the batches (s): from one header to the next'
awk '{ t = $1; sub(/^[0-9.]+ /, "") }
	/^(PLAY|TASK) \[/ || /^PLAY RECAP/ {
		if (cur != "") { w[cur] += t - since; if (!(cur in n)) order[++k] = cur; n[cur]++ }
		cur = $0; sub(/ \*+$/, "", cur); since = t
		if (first == "") first = t
	}
	END {
		printf "%8.1f  start-up, until the first play\n", first
		for (i = 1; i <= k; i++) printf "%8.1f  %3dx %s\n", w[order[i]], n[order[i]], order[i]
	}' "$ROOT/run.log"

echo '== deploy.sh itself, per host (s, from the journal: deploy-start to deployed)'
i=1
while [ $i -le "$NHOSTS" ]; do
	# hosts never reached, or that did not deploy, have no such span
	[ -f "$ROOT/h$i/state/journal.log" ] &&
	awk -F'\t' '$3 == "deploy-start" { s = $1 } $3 == "deployed" { e = $1 }
		END { if (s == "" || e == "") exit
		      cmd = "date -d " s " +%s"; cmd | getline a; close(cmd)
		      cmd = "date -d " e " +%s"; cmd | getline b; close(cmd); print b - a }' \
		"$ROOT/h$i/state/journal.log"
	i=$((i + 1))
done | sort -n | awk '{ a[NR] = $1; s += $1 } END { if (NR) printf "%d hosts: min %d, median %d, max %d, sum %d\n", NR, a[1], a[int((NR + 1) / 2)], a[NR], s }'
