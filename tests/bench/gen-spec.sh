#!/bin/sh
# gen-spec.sh STEPS DIR - write a synthetic release of STEPS steps to
# DIR/1.0.0.rel, with the parts every release shares in DIR/shared.rel (its
# include). The steps cycle through what real releases do: git checkouts,
# SQLite migrations with their reversal, systemd restarts, configuration
# files put back by mv, and reads whose output is captured and checked;
# lets and built-ins are referenced throughout. The spec compiles clean.
set -eu
steps=${1:?usage: gen-spec.sh STEPS DIR}
dir=${2:?usage: gen-spec.sh STEPS DIR}
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
	cat <<'SPEC'
changes {
    api added "GET /v1/workers/ID reports a worker's state"
    backend performance "Workers restart one at a time"
    migration schema "One table per worker"
}
known-issue "Synthetic release: nothing here runs anywhere"
SPEC
} >"$dir/1.0.0.rel"
