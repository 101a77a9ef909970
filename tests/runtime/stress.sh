# stress.sh COMMON - timeouts under load, under the shell that runs this
# file (run.sh picks it): 40 workers each run 5 commands past a 1 s limit
# through relc_run while two CPU hogs run, 200 timeouts in all. Each command
# leaves processes in the background (one of them in a subshell that has
# gone); a second after the last, none of them may be left. Prints TAP.
set -u
RT=$1
WORK=$(mktemp -d "${TMPDIR:-/tmp}/relc-stress.XXXXXX") || exit 99
# shellcheck source=/dev/null
. "$RT"
HOGS=
trap 'kill $HOGS 2> /dev/null; rm -rf "$WORK"' EXIT
trap 'exit 1' INT TERM
RELC_ME=stress.sh
RELC_MORE_TOOLS=
RELC_JOURNAL=
WORKERS=40
EACH=5
# The commands sleep for BASE+worker seconds: a number no other process on
# the machine is likely to have in its arguments, found in /proc/*/cmdline.
BASE=$(( 900000 + ($$ % 10000) * 100 ))
relc_tools

# left TOKEN: the processes (not zombies) with the argument TOKEN, or none.
left() {
	grep -s -l -z -x -F -e "$1" /proc/[0-9]*/cmdline 2> /dev/null
}

for h in 1 2; do
	while :; do :; done &
	HOGS="$HOGS $!"
done

WPIDS=
w=1
while [ "$w" -le "$WORKERS" ]; do
	(
		relc_tmp
		tok=$((BASE + w))
		k=1
		while [ "$k" -le "$EACH" ]; do
			relc_now
			RELC_B0=$RELC_MS
			RELC_LIMIT=1000
			relc_run "sleep $tok & sleep $tok & (sleep $tok &) ; sleep $tok" 0 "$k" > /dev/null 2>&1
			rc=$?
			case $rc/$RELC_WHY in
			"1/command $k was stopped"*) printf 'x\n' >> "$WORK/done" ;;
			*) printf 'worker %d, command %d: status %s, %s\n' "$w" "$k" "$rc" "$RELC_WHY" >> "$WORK/bad" ;;
			esac
			k=$((k + 1))
		done
		relc_cleanup
	) &
	WPIDS="$WPIDS $!"
	w=$((w + 1))
done
# One wait per worker, again while it is alive: posh's wait given the forty
# pids at once has returned early under load ("wait: invalid option"), and
# the check below then saw the commands of workers that were still running.
for p in $WPIDS; do
	while kill -0 "$p" 2> /dev/null; do
		wait "$p"
	done
done
kill $HOGS 2> /dev/null
HOGS=
printf '1..3\n'
# a worker that died early leaves no "bad" line: count the good ones too
done_n=0
[ -f "$WORK/done" ] && done_n=$(( $(wc -l < "$WORK/done") ))
if [ -s "$WORK/bad" ] || [ "$done_n" -ne $((WORKERS * EACH)) ]; then
	printf '# %d of %d timeouts reported as stopped\n' "$done_n" $((WORKERS * EACH))
	printf 'not ok 1 - %d timeouts under load: each reported as stopped by the limit\n' $((WORKERS * EACH))
	sed 's/^/# /' "$WORK/bad" 2> /dev/null
else
	printf 'ok 1 - %d timeouts under load: each reported as stopped by the limit\n' $((WORKERS * EACH))
fi
sleep 1
w=1
found=
while [ "$w" -le "$WORKERS" ]; do
	l=$(left $((BASE + w)))
	[ -n "$l" ] && found="$found$l
"
	w=$((w + 1))
done
if [ -z "$found" ]; then
	printf 'ok 2 - no process is left a second later\n'
else
	printf 'not ok 2 - no process is left a second later\n'
	# pid, state, parent, process group and session of each, to tell a
	# process that escaped the group from one whose group was never stopped
	for f in $found; do
		read -r st < "${f%/cmdline}/stat" && printf '# stat: %s\n' "$st"
	done
fi
# The check itself must see a process with such an argument.
sleep $((BASE - 1)) &
probe=$!
sleep 1
if [ -n "$(left $((BASE - 1)))" ]; then
	printf 'ok 3 - the check finds a running process by its argument\n'
else
	printf 'not ok 3 - the check finds a running process by its argument\n'
fi
kill "$probe"
[ ! -s "$WORK/bad" ] && [ "$done_n" -eq $((WORKERS * EACH)) ] && [ -z "$found" ]
