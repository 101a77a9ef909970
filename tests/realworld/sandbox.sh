#!/bin/sh
# sandbox.sh RELC SHELL [SHELL-ARGS...] - four corpus specs run for real. TAP.
#
# deploy.sh and rollback.sh of nextcloud-timer, nginx-site, uptime-kuma and
# rails-capistrano run under SHELL in a sandbox: real files, links, git and
# SQLite, and stand-ins on PATH (sandbox/bin) for the programs that would touch
# the machine: systemctl, crontab, nginx, pm2, npm, bundle, curl, sudo. Each
# spec is deployed and rolled back, then deployed with --fail-after k for each
# step k; every rollback must leave the state the sandbox started from.
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/tools/shsuite.sh
. "$HERE/../tools/shsuite.sh"
shsuite_start rw-sb "$@"
SHSUITE_TAIL=30
# uptime-kuma and rails-capistrano pin the commits of the e2e recipe.
make_origin

SPECS='nextcloud-timer/1.0.0 nginx-site/4.2.13 uptime-kuma/1.23.16 rails-capistrano/2.4.0'
# For each spec, a copy whose planted mistake the sandbox must see: its
# rollback leaves a state that differs from the one before the deploy.
PLANTED='nextcloud-timer/no-daemon-reload/1.0.0 nginx-site/no-reload/4.2.13 uptime-kuma/deps-before-checkout/1.23.16 rails-capistrano/restart-in-undo/2.4.0'
for s in $SPECS $PLANTED; do
	gen=$ROOT/gen-$(printf '%s' "${s%/*}" | tr / -)
	if ! "$RELC" build -q --no-git "$HERE/$s.rel" -o "$gen" > "$ROOT/build.log" 2>&1; then
		printf 'Bail out! relc build %s.rel failed\n' "$s"
		sed 's/^/# /' "$ROOT/build.log"
		exit 1
	fi
done

PATH=$HERE/sandbox/bin:$PATH
export PATH
SEQ=0

# Each spec has setup_NAME (builds the sandbox $SB and sets ARGS, the --set
# options) and snap_NAME (prints everything a rollback must put back).

setup_nextcloud_timer() {
	mkdir -p "$SB/units" "$SB/nc" "$SB/cron"
	printf '*/5 * * * * php -f %s/cron.php\n0 3 * * * %s/backup.sh\n' "$SB/nc" "$SB/nc" > "$SB/cron/www-data"
	export RW_UNITS="$SB/units" RW_CRON="$SB/cron"
	systemctl daemon-reload
	ARGS="--set units=$SB/units --set nc=$SB/nc --set saved=$SB/state/crontab.saved"
}
snap_nextcloud_timer() {
	for f in "$SB"/units/*; do [ -f "$f" ] && { echo "== $f"; cat "$f"; }; done
	echo "loaded: $(tr '\n' ' ' < "$RW_SYSTEMD/loaded")"
	echo "enabled: $(ls "$RW_SYSTEMD/enabled")"
	echo "active: $(ls "$RW_SYSTEMD/active")"
	echo "crontab:"
	cat "$SB/cron/www-data" 2> /dev/null
}

setup_nginx_site() {
	mkdir -p "$SB/live/dist" "$SB/available" "$SB/enabled"
	printf 'server {\n  server_name example.com;\n  location /health { return 200; }\n}\n' > "$SB/live/dist/nginx.conf"
	printf 'server {\n  server_name social.example.org;\n}\n' > "$SB/available/mastodon"
	ln -s "$SB/available/mastodon" "$SB/enabled/mastodon"
	export RW_NGINX_ENABLED="$SB/enabled"
	# what nginx serves: the site file as the last reload read it
	printf 'cat "%s/enabled/mastodon" > "%s/served"\n' "$SB" "$SB" > "$RW_SYSTEMD/hooks/nginx.service"
	systemctl start nginx
	ARGS="--set live=$SB/live --set available=$SB/available --set enabled=$SB/enabled --set backups=$SB/backups"
}
snap_nginx_site() {
	echo "site:"
	cat "$SB/available/mastodon"
	echo "served:"
	cat "$SB/served"
	echo "active: $(ls "$RW_SYSTEMD/active")"
}

setup_uptime_kuma() {
	git clone -q "$ROOT/origin" "$SB/app" 2> /dev/null && git -C "$SB/app" checkout -q --detach "$V1" || return 1
	(cd "$SB/app" && npm ci --omit=dev && npm run download-dist) || return 1
	mkdir -p "$SB/pm2"
	export RW_PM2="$SB/pm2" RW_PM2_APP="$SB/app"
	pm2 restart uptime-kuma
	ARGS="--set app=$SB/app"
}
snap_uptime_kuma() {
	echo "head: $(git -C "$SB/app" rev-parse HEAD)"
	echo "status: $(git -C "$SB/app" status --porcelain --untracked-files=no)"
	echo "modules: $(cat "$SB/app/node_modules/.installed-from")"
	echo "dist: $(cat "$SB/app/dist/.built-from")"
	echo "pm2 runs: $(cat "$SB/pm2/uptime-kuma.runs" 2> /dev/null)"
}

setup_rails_capistrano() {
	d=$SB/app
	mkdir -p "$d/releases/1.0.0" "$d/shared/config" "$d/shared/log" "$d/shared/db" || return 1
	git clone -q --mirror "$ROOT/origin" "$d/repo" 2> /dev/null || return 1
	git -C "$d/repo" archive "$V1" | tar -x -f - -C "$d/releases/1.0.0" || return 1
	printf '%s\n' "$V1" > "$d/releases/1.0.0/REVISION"
	printf 'production:\n  adapter: sqlite3\n  database: %s\n' "$d/shared/db/production.sqlite3" > "$d/shared/config/database.yml"
	sqlite3 "$d/shared/db/production.sqlite3" "CREATE TABLE orders(id INTEGER PRIMARY KEY); INSERT INTO orders VALUES (1), (2);" || return 1
	ln -s "$d/releases/1.0.0" "$d/current"
	# what Puma serves: the revision current points at when it (re)starts
	printf 'cat "%s/current/REVISION" > "%s/served"\n' "$d" "$SB" > "$RW_SYSTEMD/hooks/puma.service"
	systemctl start puma
	ARGS="--set deploy_to=$d"
}
snap_rails_capistrano() {
	echo "current: $(readlink "$SB/app/current")"
	echo "releases: $(ls "$SB/app/releases")"
	echo "served: $(cat "$SB/served")"
	echo "active: $(ls "$RW_SYSTEMD/active")"
	sqlite3 "$SB/app/shared/db/production.sqlite3" .dump
}

# sandbox NAME: a fresh $SB for spec NAME; BEFORE is its snapshot.
sandbox() {
	SEQ=$((SEQ + 1))
	SB=$ROOT/sb$SEQ
	mkdir -p "$SB/systemd/hooks" || exit 99
	unset RW_UNITS RW_CRON RW_NGINX_ENABLED RW_PM2 RW_PM2_APP
	export RW_SYSTEMD="$SB/systemd" RELC_STATE_DIR="$SB/state"
	fn=$(printf '%s' "$1" | tr - _)
	if ! "setup_$fn" > "$SB/setup.log" 2>&1; then
		check "$1: the sandbox is set up" 1 "$SB/setup.log"
		return 1
	fi
	BEFORE=$(snapshot "$1")
}
snapshot() {
	"snap_$(printf '%s' "$1" | tr - _)"
}

run_script() { # GEN-NAME SCRIPT LOG ARGS...
	rs_gen=$ROOT/gen-$1 rs_script=$2 rs_log=$3
	shift 3
	# shellcheck disable=SC2086 # ARGS holds --set options without blanks
	(cd "$SB" && "$SH" "$rs_gen/$rs_script" --yes $ARGS ${1+"$@"}) > "$rs_log" 2>&1
}

for s in $SPECS; do
	name=${s%%/*}
	steps=$(grep -c '^step "' "$HERE/$s.rel")

	sandbox "$name" || continue
	run_script "$name" deploy.sh "$SB/deploy.log"
	rc=$?
	after=$(snapshot "$name")
	[ "$rc" -eq 0 ] && [ "$after" != "$BEFORE" ]
	check "$name: deploy.sh succeeds and changes the sandbox" $? "$SB/deploy.log"
	ARGS='' run_script "$name" rollback.sh "$SB/rollback.log"
	rc=$?
	[ "$rc" -eq 0 ] && [ "$(snapshot "$name")" = "$BEFORE" ]
	check "$name: rollback.sh after the deploy restores the sandbox" $? "$SB/rollback.log"

	k=1
	while [ "$k" -le "$steps" ]; do
		sandbox "$name" || break
		run_script "$name" deploy.sh "$SB/deploy.log" --fail-after "$k"
		rc=$?
		now=$(snapshot "$name")
		[ "$rc" -eq 3 ] && [ "$now" = "$BEFORE" ]
		st=$?
		check "$name: --fail-after $k rolls back (exit 3) to the state before" "$st" "$SB/deploy.log"
		if [ "$st" -ne 0 ]; then
			printf '%s\n' "$BEFORE" > "$SB/before"
			printf '%s\n' "$now" > "$SB/now"
			diff -u "$SB/before" "$SB/now" | sed 's/^/#   /'
		fi
		k=$((k + 1))
	done
done

# The planted copies: deploy, rollback.sh, and the state must differ.
for s in $PLANTED; do
	name=${s%%/*}
	mistake=${s#*/}
	mistake=${mistake%/*}
	sandbox "$name" || continue
	run_script "$name-$mistake" deploy.sh "$SB/deploy.log"
	rc=$?
	ARGS='' run_script "$name-$mistake" rollback.sh "$SB/rollback.log"
	rc2=$?
	[ "$rc" -eq 0 ] && [ "$rc2" -eq 0 ] && [ "$(snapshot "$name")" != "$BEFORE" ]
	check "$name/$mistake: the rollback completes and leaves a changed state (the sandbox sees the mistake)" $? "$SB/rollback.log"
done

shsuite_finish
