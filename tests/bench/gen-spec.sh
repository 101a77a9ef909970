#!/bin/sh
# gen-spec.sh STEPS DIR [SHAPE] - write a synthetic release of STEPS steps to
# DIR/1.0.0.rel, with the parts every release shares in DIR/shared.rel (its
# include). SHAPE says what the steps look like; each shape compiles clean.
#   mixed (the default): the steps cycle through what real releases do: git
#     checkouts, SQLite migrations with their reversal, systemd restarts,
#     configuration files put back by mv, and reads whose output is captured
#     and checked; lets and built-ins are referenced throughout.
#   commands: long commands: a let per step, long pipelines, a command
#     continued over lines, here-documents (quoted and not) with references.
#   effects: each step a state-changing command relc recognises (git,
#     systemctl, apt-get, psql, install, mkdir and ln) with its inverse in
#     the undo, and a read that checks it.
set -eu
usage='usage: gen-spec.sh STEPS DIR [mixed|commands|effects]'
steps=${1:?$usage}
dir=${2:?$usage}
case ${3:-mixed} in
mixed) gen=mixed_steps ;;
commands) gen=command_steps ;;
effects) gen=effect_steps ;;
*) echo "$usage" >&2; exit 2 ;;
esac
mkdir -p "$dir"

cat >"$dir/shared.rel" <<'SPEC'
# shared.rel - what every release of the benchmark service shares.
project "Bench Transit API"
state-dir /var/lib/bench-api/releases

let app = /opt/bench-api
let data = /var/lib/bench-api
let db = "${data}/bench.db"
let backups = /var/backups/bench-api
let health = http://127.0.0.1:8000/v1/health
env BENCH_API_KEY

check "Disk space above 2 GB" {
    run df -Pk ${data} | awk 'NR == 2 { print $4 }'
    expect stdout >= 2097152
}

check "Database integrity" {
    run sqlite3 ${db} "PRAGMA integrity_check"
    expect stdout "ok"
    on-failure escalate
}

backup "Database" {
    run sudo systemctl start bench-backup.service
    capture BACKUP_PATH = ls -t ${backups}/backup_*.sql.gz | head -n 1
    expect stdout matches "backup_[0-9]{8}_[0-9]{6}[.]sql[.]gz$"
    checksum BACKUP_PATH
    run gzip -t ${BACKUP_PATH}
    estimate 30s..1m
}

verify "Health check" {
    run curl -fsS ${health}
    expect stdout matches "\"status\": *\"healthy\""
    estimate 1s..5s
}

after-rollback "Start the previous version" {
    run sudo systemctl start bench-api
    run curl -fsS ${health}
    expect stdout contains "healthy"
}
SPEC

# The steps of the mixed shape.
mixed_steps() {
	awk -v n="$steps" 'BEGIN {
		for (i = 1; i <= n; i++) {
			k = i % 5
			if (k == 1) {
				printf "step \"Update code %d\" {\n", i
				print "    run cd ${app} && sudo -u bench git fetch --quiet origin"
				print "    run cd ${app} && sudo -u bench git checkout --quiet --detach ${target}"
				print "    run cd ${app} && git rev-parse HEAD"
				print "    expect stdout \"${target}\""
				print "    estimate 5s..20s"
				print "    undo {"
				print "        run cd ${app} && sudo -u bench git checkout --quiet --detach ${previous}"
				print "    }"
				print "}"
			} else if (k == 2) {
				printf "step \"Record worker %d\" {\n", i
				printf "    capture W_%d = cat ${app}/workers/%d/VERSION\n", i, i
				print "    expect stdout not-empty"
				printf "    run curl -fsS -H \"Authorization: Bearer ${BENCH_API_KEY}\" \"http://127.0.0.1:8000/v1/workers/%d?release=${release}\"\n", i
				print "    expect stdout contains \"\\\"ok\\\"\""
				print "    estimate 1s"
				print "    undo none \"reads only\""
				print "}"
			} else if (k == 3) {
				printf "step \"Migrate table t%d\" {\n", i
				printf "    run sqlite3 ${db} \"CREATE TABLE IF NOT EXISTS t%d (id INTEGER PRIMARY KEY, route_id TEXT, v TEXT)\"\n", i
				printf "    run sqlite3 ${db} \"SELECT count(*) FROM sqlite_master WHERE name = '\''t%d'\''\"\n", i
				print "    expect stdout \"1\""
				print "    estimate 1s..3s"
				print "    timeout 30s"
				print "    on-failure rollback"
				print "    undo {"
				printf "        run sqlite3 ${db} \"DROP TABLE IF EXISTS t%d\"\n", i
				print "    }"
				print "}"
			} else if (k == 4) {
				printf "step \"Restart worker %d\" {\n", i
				printf "    run sudo systemctl restart bench-worker@%d\n", i
				printf "    run systemctl is-active bench-worker@%d\n", i
				print "    expect stdout \"active\""
				print "    estimate 3s..5s"
				print "    undo {"
				printf "        run sudo systemctl stop bench-worker@%d\n", i
				print "    }"
				workers = workers " " i
				print "}"
			} else {
				printf "step \"Configure worker %d\" {\n", i
				printf "    run cp -p ${app}/conf/%d.ini ${app}/conf/%d.ini.bak\n", i, i
				printf "    run printf '\''%%s\\n'\'' \"[worker]\" \"id = %d\" \"db = ${db}\" > ${app}/conf/%d.ini\n", i, i
				printf "    run grep -c = ${app}/conf/%d.ini\n", i
				print "    expect stdout >= 2"
				print "    estimate 1s"
				print "    undo {"
				printf "        run cp -pf ${app}/conf/%d.ini.bak ${app}/conf/%d.ini\n", i, i
				print "    }"
				print "}"
			}
			print ""
		}
		# A stopped worker starts again, on the previous code, after a rollback.
		print "after-rollback \"Start the workers\" {"
		w = split(workers, ids, " ")
		for (j = 1; j <= w; j++)
			printf "    run sudo systemctl start bench-worker@%d\n", ids[j]
		print "}"
		print ""
	}'
}

# The steps of the commands shape: a let per step, long pipelines, commands
# continued over lines, here-documents, quoted and not.
command_steps() {
	awk -v n="$steps" 'BEGIN {
		for (i = 1; i <= n; i++) {
			printf "let site_%d = \"${app}/sites/%d\"\n", i, i
			printf "step \"Render site %d\" {\n", i
			printf "    run zcat ${data}/logs/access-%d.log.gz | grep -v -e healthz -e metrics | awk '\''{ print $7 }'\'' | sed -e '\''s/[?].*//'\'' | sort | uniq -c | sort -rn | head -n 50 > ${site_%d}/top-paths.txt\n", i, i
			printf "    run cut -d, -f2,5 ${data}/exports/%d.csv | tr '\''[:upper:]'\'' '\''[:lower:]'\'' | sort -u | wc -l\n", i
			print  "    expect stdout >= 0"
			printf "    run sudo -u bench tee ${site_%d}/site.env >/dev/null <<EOF\n", i
			printf "SITE_ID=%d\nSITE_ROOT=${site_%d}\nSITE_DB=${db}\nSITE_RELEASE=${release}\nSITE_HEALTH=${health}\nEOF\n", i, i
			printf "    run sudo -u bench sh -s <<'\''SCRIPT'\''\nset -eu\nfor f in /etc/bench/sites/*.conf; do\n    [ -e \"$f\" ] || continue\n    sed -n '\''s/^root = //p'\'' \"$f\"\ndone | sort > /var/tmp/bench-roots.%d\nSCRIPT\n", i
			printf "    run curl -fsS --retry 3 --max-time 5 \\\n        -H \"Authorization: Bearer ${BENCH_API_KEY}\" \\\n        \"http://127.0.0.1:8000/v1/sites/%d?release=${release}\" | jq -r .state\n", i
			print  "    expect stdout \"rendered\""
			print  "    estimate 1s..2s"
			print  "    undo {"
			printf "        run sudo -u bench rm -f ${site_%d}/site.env ${site_%d}/top-paths.txt\n", i, i
			print  "    }"
			print  "}"
			print  ""
		}
	}'
}

# The steps of the effects shape: one recognised change each, undone.
effect_steps() {
	awk -v n="$steps" 'BEGIN {
		for (i = 1; i <= n; i++) {
			k = i % 6
			if (k == 1) {
				printf "step \"Check out %d\" {\n", i
				printf "    run git -C ${app}/mod%d checkout --quiet --detach ${target}\n", i
				printf "    run git -C ${app}/mod%d rev-parse HEAD\n", i
				print  "    expect stdout \"${target}\""
				print  "    estimate 2s"
				print  "    undo {"
				printf "        run git -C ${app}/mod%d checkout --quiet --detach ${previous}\n", i
				print  "    }"
			} else if (k == 2) {
				printf "step \"Enable timer %d\" {\n", i
				printf "    run sudo systemctl enable --now bench-sync%d.timer\n", i
				printf "    run systemctl is-enabled bench-sync%d.timer\n", i
				print  "    expect stdout \"enabled\""
				print  "    estimate 1s"
				print  "    undo {"
				printf "        run sudo systemctl disable --now bench-sync%d.timer\n", i
				print  "    }"
			} else if (k == 3) {
				printf "step \"Install tool %d\" {\n", i
				printf "    run sudo apt-get install -y --no-install-recommends bench-tool%d\n", i
				printf "    run dpkg-query -W -f '\''${Status}'\'' bench-tool%d\n", i
				print  "    expect stdout contains \"installed\""
				print  "    estimate 10s..30s"
				print  "    undo {"
				printf "        run sudo apt-get remove -y bench-tool%d\n", i
				print  "    }"
			} else if (k == 4) {
				printf "step \"Add column %d\" {\n", i
				printf "    run psql -X -d bench -c \"ALTER TABLE routes ADD COLUMN c%d text\"\n", i
				printf "    run psql -X -At -d bench -c \"SELECT count(*) FROM information_schema.columns WHERE column_name = '\''c%d'\''\"\n", i
				print  "    expect stdout \"1\""
				print  "    estimate 1s"
				print  "    undo {"
				printf "        run psql -X -d bench -c \"ALTER TABLE routes DROP COLUMN IF EXISTS c%d\"\n", i
				print  "    }"
			} else if (k == 5) {
				printf "step \"Install unit file %d\" {\n", i
				printf "    run sudo install -m 0644 ${app}/dist/bench-%d.conf /etc/bench/conf.d/bench-%d.conf\n", i, i
				printf "    run curl -fsS ${health}?conf=%d\n", i
				print  "    expect stdout contains \"healthy\""
				print  "    estimate 1s"
				print  "    undo {"
				printf "        run sudo rm -f /etc/bench/conf.d/bench-%d.conf\n", i
				print  "    }"
			} else {
				printf "step \"Link current %d\" {\n", i
				printf "    run sudo mkdir -p /srv/bench/%d\n", i
				printf "    run sudo ln -sfn ${app}/releases/%d /srv/bench/%d/current\n", i, i
				printf "    run readlink /srv/bench/%d/current\n", i
				printf "    expect stdout \"${app}/releases/%d\"\n", i
				print  "    estimate 1s"
				print  "    undo {"
				printf "        run sudo rm -f /srv/bench/%d/current\n", i
				printf "        run sudo rmdir /srv/bench/%d\n", i
				print  "    }"
			}
			print "}"
			print ""
		}
	}'
}

{
	cat <<'SPEC'
# 1.0.0.rel - a synthetic release for the benchmarks (tests/bench/gen-spec.sh).
include "shared.rel"

release 1.0.0
date 2026-11-26
previous 1111111111111111111111111111111111111111
target 2222222222222222222222222222222222222222
downtime 30s

SPEC
	$gen
	cat <<'SPEC'
changes {
    api added "GET /v1/workers/ID reports a worker's state"
    backend performance "Workers restart one at a time"
    migration schema "One table per worker"
}
known-issue "Synthetic release: nothing here runs anywhere"
SPEC
} >"$dir/1.0.0.rel"
