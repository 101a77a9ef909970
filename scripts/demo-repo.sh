#!/bin/sh
# demo-repo.sh DIR [SPECS_DIR] - build the BMTC Transit API demo repository.
#
# The project's example release (specs/0.3.0.rel, which includes bmtc.rel) is
# compiled against this repository: v0.2.0 is what runs in production and the
# conventional commits after it feed `changes from-git`. Every name, email,
# date, message and file is fixed, and the user's and system's git
# configuration is ignored, so the commit ids are the same on every machine
# and every git from 2.39 on. The .rel files of SPECS_DIR (default: the
# project's specs/ folder) are committed last, under specs/, so
#     relc build --repo DIR DIR/specs/0.3.0.rel
# pins against this history with a clean work tree. Prints the HEAD id.
set -eu

die() {
	printf 'demo-repo.sh: %s\n' "$1" >&2
	exit 2
}

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
	printf 'usage: demo-repo.sh DIR [SPECS_DIR]\n' >&2
	exit 2
fi
dir=$1
here=$(cd "$(dirname "$0")/.." && pwd)
specs=${2:-$here/specs}
specs=$(cd "$specs" 2>/dev/null && pwd) || die "no specs folder: ${2:-$here/specs}"
[ -f "$specs/0.3.0.rel" ] || die "$specs/0.3.0.rel does not exist"
if [ -e "$dir" ] && [ -n "$(ls -A "$dir")" ]; then
	die "$dir exists and is not empty"
fi
mkdir -p "$dir"
cd "$dir"

# Nothing from the caller's environment may change the objects git writes.
unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE GIT_OBJECT_DIRECTORY \
	GIT_ALTERNATE_OBJECT_DIRECTORIES GIT_TEMPLATE_DIR GIT_CONFIG \
	GIT_CONFIG_PARAMETERS GIT_CONFIG_COUNT
GIT_CONFIG_NOSYSTEM=1
GIT_CONFIG_GLOBAL=/dev/null
GIT_AUTHOR_NAME='Asha Rao'
GIT_AUTHOR_EMAIL='asha.rao@bmtc.example'
GIT_COMMITTER_NAME='BMTC Release Bot'
GIT_COMMITTER_EMAIL='release-bot@bmtc.example'
TZ=UTC
LC_ALL=C
export GIT_CONFIG_NOSYSTEM GIT_CONFIG_GLOBAL GIT_AUTHOR_NAME GIT_AUTHOR_EMAIL \
	GIT_COMMITTER_NAME GIT_COMMITTER_EMAIL TZ LC_ALL
umask 022

git -c init.defaultBranch=main init -q --template= .
git config commit.gpgsign false
git config tag.gpgsign false
git config core.autocrlf false
git config merge.ff false

# at DATE: run a git command with author, committer and tagger dates fixed.
at() {
	GIT_AUTHOR_DATE=$1 GIT_COMMITTER_DATE=$1
	export GIT_AUTHOR_DATE GIT_COMMITTER_DATE
	shift
	git "$@"
}

# put FILE LINE...: write FILE with one argument per line.
put() {
	f=$1
	shift
	mkdir -p "$(dirname "$f")"
	printf '%s\n' "$@" >"$f"
}

commit() {
	git add -A
	at "$1" commit -q --no-verify -m "$2"
}

# ---- 0.1.0 and 0.2.0: what runs in production today ----

put README.md '# BMTC Transit API' '' \
	'Routes, stops and arrival estimates for Bengaluru city buses.'
put pyproject.toml '[project]' 'name = "bmtc-api"' 'version = "0.2.0"' \
	'requires-python = ">=3.11"' 'dependencies = ["fastapi", "uvicorn"]'
put app/__init__.py '"""BMTC Transit API."""'
put app/api.py 'from fastapi import FastAPI' '' 'app = FastAPI()' '' \
	'@app.get("/v1/health")' 'def health():' '    return {"status": "ok"}' '' \
	'@app.get("/v1/routes")' 'def routes():' '    return []'
commit '2026-09-14T09:00:00+05:30' 'Initial BMTC Transit API: health and routes'

put app/eta.py 'def eta(stop_id, vehicles):' \
	'    return sorted(v.arrival(stop_id) for v in vehicles)'
put app/rides.py 'def summarise(ride):' '    return {"route": ride.route, "minutes": ride.minutes}'
commit '2026-10-02T11:30:00+05:30' 'feat(api): GET /v1/eta returns arrival estimates for a stop'

at '2026-10-05T18:00:00+05:30' tag -a v0.2.0 -m 'BMTC Transit API 0.2.0'

# ---- 0.3.0: service alerts ----

put app/migrate_0_3_0.py 'SCHEMA = """' \
	'CREATE TABLE alerts (id INTEGER PRIMARY KEY, route_id TEXT, active INTEGER, text TEXT);' \
	'CREATE TABLE alert_rules (id INTEGER PRIMARY KEY, route_id TEXT, rule TEXT);' \
	'CREATE INDEX alerts_route_active ON alerts (route_id, active);' '"""' '' \
	'if __name__ == "__main__":' '    print("applied")'
commit '2026-11-02T10:00:00+05:30' 'feat(db): New tables alerts and alert_rules'

put app/alerts.py 'def active_alerts(db, route_id):' \
	'    return db.execute("SELECT text FROM alerts WHERE route_id = ? AND active = 1",' \
	'                      (route_id,)).fetchall()'
commit '2026-11-04T15:20:00+05:30' 'feat(api): GET /v1/alerts lists active service alerts for a route'

put app/rides.py 'from app.alerts import evaluate_rules' '' 'def summarise(ride):' \
	'    summary = {"route": ride.route, "minutes": ride.minutes}' \
	'    evaluate_rules(summary)' '    return summary'
commit '2026-11-06T12:45:00+05:30' 'feat: Alert rules are evaluated after every ride summary'

# A fix on a topic branch, merged with a merge commit (which is not a change).
git checkout -q -b eta-no-vehicles
put app/eta.py 'def eta(stop_id, vehicles):' '    if not vehicles:' '        return []' \
	'    return sorted(v.arrival(stop_id) for v in vehicles)'
commit '2026-11-09T09:10:00+05:30' 'fix(api): GET /v1/eta answers an empty list for a stop without live vehicles'
git checkout -q main
put README.md '# BMTC Transit API' '' \
	'Routes, stops and arrival estimates for Bengaluru city buses.' '' \
	'GET /v1/alerts?route=ROUTE lists the active service alerts of a route.'
commit '2026-11-10T16:00:00+05:30' 'docs: describe the alerts endpoint in the README'
at '2026-11-12T11:00:00+05:30' merge -q --no-ff --no-verify -m "Merge branch 'eta-no-vehicles'" eta-no-vehicles
git branch -d -q eta-no-vehicles

put app/db.py 'import sqlite3' '' '_conn = None' '' 'def connection(path):' \
	'    global _conn' '    if _conn is None:' '        _conn = sqlite3.connect(path)' \
	'    return _conn'
commit '2026-11-16T14:30:00+05:30' 'perf: Ride summaries reuse one database connection'

put pyproject.toml '[project]' 'name = "bmtc-api"' 'version = "0.3.0"' \
	'requires-python = ">=3.11"' 'dependencies = ["fastapi", "uvicorn"]'
mkdir -p specs
for f in "$specs"/*.rel; do
	cp "$f" "specs/$(basename "$f")"
	chmod 644 "specs/$(basename "$f")"
done
commit '2026-11-20T17:00:00+05:30' 'chore: release specs for 0.3.0'

git rev-parse HEAD
