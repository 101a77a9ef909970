# cases.sh COMMON - the runtime's functions, one at a time, under the shell
# that runs this file (run.sh picks it). COMMON is src/runtime/common.sh as
# the scripts get it (embed.py --strip). The globals the generated part sets
# are set here by hand; each case calls a function and checks its output,
# its exit status, the journal and the files it leaves. Prints TAP.
#
# Cases that end in relc_exit (escalate, lock refused) run in a subshell, so
# the exit is the subshell's. eval is used here, by the test, to read a
# quoted value back the way sh would; the runtime itself has none.
set -u
RT=$1
WORK=$(mktemp -d "${TMPDIR:-/tmp}/relc-rt.XXXXXX") || exit 99
# shellcheck source=/dev/null
. "$RT"
# relc_exit resets the EXIT trap, so the test's own clean-up is explicit.
trap 'rm -rf "$WORK"' EXIT
trap 'rm -rf "$WORK"; exit 1' INT TERM

RELC_ME=test.sh
RELC_PROJECT='Test Project'
RELC_RELEASE=1.0.0
RELC_MORE_TOOLS=
RELC_STATE=$WORK/state
N=0
FAILS=0

ok() {
	N=$((N + 1))
	printf 'ok %d - %s\n' "$N" "$1"
}

# not_ok NAME [GOT WANT]
not_ok() {
	N=$((N + 1))
	FAILS=$((FAILS + 1))
	printf 'not ok %d - %s\n' "$N" "$1"
	if [ $# -ge 3 ]; then
		printf '%s\n' "got:  [$2]" "want: [$3]" | sed 's/^/# /'
	fi
}

# is NAME GOT WANT: GOT equals WANT exactly.
is() {
	if [ "$2" = "$3" ]; then
		ok "$1"
	else
		not_ok "$1" "$2" "$3"
	fi
}

# has NAME TEXT PART: PART occurs in TEXT.
has() {
	case $2 in
	*"$3"*) ok "$1" ;;
	*) not_ok "$1" "$2" "... $3 ..." ;;
	esac
}

NL='
'
TAB=$(printf '\t')

# ---- quoting: relc_q, and the dry run's relc_pd and relc_ph ----
# Hostile values: sh must read each back as exactly itself, running nothing.
i=0
for v in '' "it's" "''" "a'b'c'" '$(touch "$WORK/ran")' '`touch "$WORK/ran"`' \
	'${HOME}' "two${NL}lines" "tab${TAB}here" 'back\slash\' '*' '-n' \
	'; rm -rf /' '"double"' 'é…'; do
	i=$((i + 1))
	relc_q "$v"
	eval "got=$RELC_Q"
	is "relc_q: hostile value $i reads back as itself" "$got" "$v"
	# The dry run's text is read back by sourcing it, as sh would read it.
	{
		printf 'got="'
		relc_pd "$v"
		printf '"\n'
	} > "$WORK/readback"
	. "$WORK/readback"
	is "relc_pd: hostile value $i reads back inside double quotes" "$got" "$v"
	{
		printf 'cat <<EOF\n'
		relc_ph "$v"
		printf '\nEOF\n'
	} > "$WORK/readback"
	got=$(. "$WORK/readback")
	is "relc_ph: hostile value $i reads back in a here-document" "$got" "$v"
	got=$(relc_pu "$v")
	eval "got=$got"
	is "relc_pu: hostile value $i reads back as one word" "$got" "$v"
	# Inside backquotes: the assignment relc_pv prints (if any), then the
	# word relc_pbq puts in place, read back through `...`.
	{
		RELC_IND=
		relc_pv v "$v" | sed 's/^\$ //'
		printf 'got="`printf %%s x'
		relc_pbq "$v" '"$v"'
		printf 'x`"\n'
		RELC_IND='    '
	} > "$WORK/readback"
	. "$WORK/readback"
	is "relc_pv, relc_pbq: hostile value $i reads back inside backquotes" "$got" "x${v}x"
done
# relc_pu leaves a word bare exactly when sh_quote_word (src/shell.c) does:
# the same table is in tests/unit/test_shell.c.
pu_is() {
	relc_pu "$1" > "$WORK/pu"
	got=$(cat "$WORK/pu")
	is "relc_pu [$1]: quoted as sh_quote_word does" "$got" "$2"
}
pu_is abc abc
pu_is /var/lib/gitea /var/lib/gitea
pu_is gitea-1.21.11-linux-amd64 gitea-1.21.11-linux-amd64
pu_is -n -n
pu_is a@b%c+d:e,f a@b%c+d:e,f
pu_is x-y=z x-y=z
pu_is a=b "'a=b'"
pu_is _x=1 "'_x=1'"
pu_is '' "''"
pu_is 'a b' "'a b'"
pu_is 'é' "'é'"
pu_is '~root' "'~root'"
pu_is 'a*' "'a*'"
pu_is "it's" "'it'\"'\"'s'"
relc_q "it's"
is "relc_q: a quote becomes '\"'\"'" "$RELC_Q" "'it'\"'\"'s'"
relc_q ''
is "relc_q: the empty value is ''" "$RELC_Q" "''"
if [ -e "$WORK/ran" ]; then
	not_ok "no quoted value was run"
else
	ok "no quoted value was run"
fi

# ---- the clock ----
relc_now
case $RELC_TS in
[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]Z) ok "relc_now: RELC_TS is a UTC time" ;;
*) not_ok "relc_now: RELC_TS is a UTC time" "$RELC_TS" "YYYY-MM-DDTHH:MM:SSZ" ;;
esac
case $RELC_MS in
'' | *[!0-9]*) not_ok "relc_now: RELC_MS is a count of milliseconds" "$RELC_MS" "digits" ;;
*) ok "relc_now: RELC_MS is a count of milliseconds" ;;
esac
relc_fmt 7250
is "relc_fmt: 7250 ms is 7.2s" "$RELC_F" 7.2s
relc_fmt 40
is "relc_fmt: 40 ms is 0.0s" "$RELC_F" 0.0s
relc_secs 1001
is "relc_secs: 1001 ms round up to 2 s" "$RELC_F" 2
relc_secs 1000
is "relc_secs: 1000 ms is 1 s" "$RELC_F" 1

# ---- writing without a process ----
# relc_put writes its argument as it is under every shell (posh's echo reads
# escapes and options, so it is given each hostile value a shell may mangle).
: > "$WORK/put"
for v in '' -n -e 'a\b' '\\c\c' '%s %d' "x${NL}y\n" '\0101' "it's" '\'; do
	relc_put "$v" >> "$WORK/put"
	relc_put "|" >> "$WORK/put"
done
printf '%s' '|-n|-e|a\b|\\c\c|%s %d|x' "$NL" 'y\n|\0101|it'"'"'s|\|' > "$WORK/put.want"
if cmp -s "$WORK/put" "$WORK/put.want"; then
	ok "relc_put: backslashes, options, formats and newlines are written as they are"
else
	not_ok "relc_put: backslashes, options, formats and newlines are written as they are" "$(od -c "$WORK/put")" "$(od -c "$WORK/put.want")"
fi
case $RELC_PUT in
printf | print | echo) ok "relc_put: a way of writing was chosen ($RELC_PUT)" ;;
*) not_ok "relc_put: a way of writing was chosen" "$RELC_PUT" "printf, print or echo" ;;
esac

# ---- the journal writer ----
RELC_JOURNAL=
relc_journal step:1 start - - x
if [ -e "$WORK/journal.log" ]; then
	not_ok "relc_journal: without a journal (dry run) nothing is written"
else
	ok "relc_journal: without a journal (dry run) nothing is written"
fi
RELC_JOURNAL=$WORK/journal.log
RELC_TS=2026-12-05T10:00:00Z
relc_journal step:1 start - - 'name with spaces'
relc_journal step:1 ok 1.5s 0 ''
relc_journal - deploy-start
is "relc_journal: one tab-separated line per event, - for what is empty" \
	"$(cat "$WORK/journal.log")" \
	"2026-12-05T10:00:00Z${TAB}step:1${TAB}start${TAB}-${TAB}-${TAB}name with spaces
2026-12-05T10:00:00Z${TAB}step:1${TAB}ok${TAB}1.5s${TAB}0${TAB}-
2026-12-05T10:00:00Z${TAB}-${TAB}deploy-start${TAB}-${TAB}-${TAB}-"
: > "$WORK/journal.log"
relc_jtext "first${NL}second"
is "relc_jtext: each line of a value behind '| '" "$(cat "$WORK/journal.log")" "| first${NL}| second"

# A journal that cannot be appended to stops the run: escalate, exit 4.
mkdir "$WORK/not-a-file"
(
	RELC_JOURNAL=$WORK/not-a-file
	relc_journal step:2 start - - x
	printf 'returned\n'
) > "$WORK/out" 2>&1
is "relc_journal: an unwritable journal escalates (exit 4)" "$?" 4
has "relc_journal: the banner says why" "$(cat "$WORK/out")" "Reason: cannot append to the journal in $RELC_STATE"
case $(cat "$WORK/out") in
*returned*) not_ok "relc_journal: the run does not go on after an unwritable journal" ;;
*) ok "relc_journal: the run does not go on after an unwritable journal" ;;
esac

# ---- values in the state folder ----
RELC_VPATH=$WORK/values
RELC_VALUES=$RELC_VPATH
mkdir "$RELC_VPATH"
v="it's \$(x)${NL}second line"
relc_save capture.a "$v"
relc_load capture.a
is "relc_save, relc_load: a value round-trips" "$RELC_R" "$v"
is "relc_save: no temporary file is left" "$(ls -A "$RELC_VPATH")" capture.a
relc_load capture.none
is "relc_load: a value never stored fails" "$?" 1
is "relc_load: and leaves RELC_R empty" "$RELC_R" ""

# ---- the timeout wrapper: relc_run ----
RELC_TMP=$WORK/tmp
mkdir "$RELC_TMP"
RELC_RC=$RELC_TMP/rc
export RELC_RC
RELC_BID=step:1
RELC_GRACE=1
RELC_LIMIT=0
: > "$WORK/journal.log"
relc_run 'printf "%s\n" out; printf "%s\n" err >&2' 0 1 > "$WORK/out"
is "relc_run: a command that succeeds returns 0" "$?" 0
is "relc_run: its standard output is kept" "$(cat "$RELC_TMP/out")" out
is "relc_run: its standard error is kept" "$(cat "$RELC_TMP/err")" err
is "relc_run: both are shown, marked" "$(cat "$WORK/out")" "    | out${NL}    ! err"
has "relc_run: the run is journaled with its status" "$(cat "$WORK/journal.log")" "${TAB}step:1${TAB}run${TAB}"
has "relc_run: and the output after it" "$(cat "$WORK/journal.log")" "| out${NL}|! err"
relc_run 'exit 3' 0 2 > "$WORK/out"
is "relc_run: an unexpected exit status returns 1" "$?" 1
is "relc_run: RELC_WHY says which command and status" "$RELC_WHY" "command 2 exited with status 3"
relc_run 'exit 3' 3 3 > "$WORK/out"
is "relc_run: the expected exit status returns 0" "$?" 0
relc_run 'exit 124' 124 4 > "$WORK/out"
is "relc_run: a command's own exit 124 is not a timeout" "$?" 0
# A zombie (killed, not yet reaped: in a container PID 1 may never reap it)
# counts as gone.
alive() {
	kill -0 "$1" 2> /dev/null || return 1
	if [ -r "/proc/$1/stat" ]; then
		read -r alive_pid alive_comm alive_state alive_rest < "/proc/$1/stat" || return 0
		[ "$alive_state" != Z ]
	fi
}

# timeout_case WHICH: a command past the block's limit is stopped, with what
# it left running in the background (its process group).
timeout_case() {
	relc_now # sets RELC_RECENT: relc_run starts from this reading
	RELC_B0=$RELC_MS
	RELC_LIMIT=1000
	: > "$WORK/journal.log"
	relc_run "sleep 30 & printf '%s\n' \$! > '$WORK/gc'; wait" 0 5 > "$WORK/out" 2>&1
	is "relc_run ($1): a command past the block's limit returns 1" "$?" 1
	is "relc_run ($1): RELC_WHY says the limit stopped it" "$RELC_WHY" \
		"command 5 was stopped: the block's limit of 1.0s was reached"
	has "relc_run ($1): the timeout is journaled" "$(cat "$WORK/journal.log")" "${TAB}step:1${TAB}timeout${TAB}"
	gc=$(cat "$WORK/gc")
	i=0
	while alive "$gc" && [ "$i" -lt 20 ]; do
		sleep 0.1 2> /dev/null || sleep 1
		i=$((i + 1))
	done
	if alive "$gc"; then
		kill "$gc"
		not_ok "relc_run ($1): a timeout also stops what the command left running"
	else
		ok "relc_run ($1): a timeout also stops what the command left running"
	fi
}
timeout_case 'coreutils timeout'
# busybox's timeout stops only the command's shell: relc_tools then sets
# RELC_SETSID, and relc_run kills the group itself.
if command -v busybox > /dev/null 2>&1 && command -v setsid > /dev/null 2>&1; then
	mkdir "$WORK/bin"
	ln -s "$(command -v busybox)" "$WORK/bin/timeout"
	saved_path=$PATH
	PATH=$WORK/bin:$PATH
	RELC_SETSID=
	relc_tools
	is "relc_tools: busybox's timeout calls for setsid" "$RELC_SETSID" 1
	# busybox's timeout kills the command's shell itself: yash reports that
	# as 384+N (399), the other shells as 128+N (143); both are a timeout.
	timeout_case 'busybox timeout'
	PATH=$saved_path
	RELC_SETSID=
else
	ok "relc_run (busybox timeout) # SKIP busybox or setsid is not installed"
fi
RELC_RECENT=1
RELC_B0=$((RELC_MS - 2000))
relc_run "touch '$WORK/started'" 0 6
is "relc_run: with the limit used up, returns 1" "$?" 1
is "relc_run: RELC_WHY says the command was not started" "$RELC_WHY" "the block's limit of 1.0s was reached before command 6"
if [ -e "$WORK/started" ]; then
	not_ok "relc_run: a command past the limit does not start"
else
	ok "relc_run: a command past the limit does not start"
fi
RELC_LIMIT=0
RELC_DRY=1
relc_run "touch '$WORK/started'" 0 7
is "relc_run: in a dry run returns 0" "$?" 0
if [ -e "$WORK/started" ]; then
	not_ok "relc_run: in a dry run runs nothing"
else
	ok "relc_run: in a dry run runs nothing"
fi
RELC_DRY=

# ---- expects on the last command's output ----
printf '  42 \n\n' > "$RELC_TMP/out"
printf 'some error text\n' > "$RELC_TMP/err"
RELC_CN=1
relc_x_cmp out -eq 42
is "relc_x_cmp: blanks around an integer are ignored" "$?" 0
relc_x_cmp out -lt 10
is "relc_x_cmp: a comparison that does not hold fails" "$?" 1
is "relc_x_cmp: RELC_WHY says what was expected and found" "$RELC_WHY" "command 1: expected stdout < 10 (it is 42)"
relc_x_cmp err -eq 0
is "relc_x_cmp: text that is no integer fails" "$RELC_WHY" "command 1: expected stderr to be an integer == 0"
relc_x_eq err 'some error text'
is "relc_x_eq: the whole output, trailing newline aside" "$?" 0
relc_x_eq err "it's"
is "relc_x_eq: RELC_WHY quotes what was expected" "$RELC_WHY" "command 1: expected stderr to be 'it'\"'\"'s'"
relc_x_contains err 'error'
is "relc_x_contains: a fixed string in the output" "$?" 0
relc_x_contains err '.*'
is "relc_x_contains: the text is not a pattern" "$?" 1
relc_x_matches err '^some [a-z]+ text$'
is "relc_x_matches: an extended regular expression" "$?" 0
relc_x_matches err '(' 2> /dev/null
has "relc_x_matches: an expression grep rejects says so" "$RELC_WHY" "(grep could not use the expression)"
printf '\n\n' > "$RELC_TMP/out"
relc_x_empty out
is "relc_x_empty: only newlines count as empty" "$?" 0
relc_x_nonempty out
is "relc_x_nonempty: fails on them" "$?" 1

# ---- lock handling ----
relc_state_init
is "relc_state_init: the journal is in the state folder" "$RELC_JPATH" "$RELC_STATE/journal.log"
relc_lock
is "relc_lock: a free lock is taken" "$RELC_LOCKED" 1
is "relc_lock: it holds this run's PID" "$(cat "$RELC_STATE/lock/pid")" "$$"
# Another run (RELC_LOCKED empty: it does not hold the lock) is refused.
(
	RELC_LOCKED=
	relc_lock
) > "$WORK/out" 2>&1
is "relc_lock: a held lock refuses a second run (exit 5)" "$?" 5
is "relc_lock: and names the PID that holds it" "$(cat "$WORK/out")" \
	"test.sh: locked: another run (PID $$) holds $RELC_STATE/lock"
is "relc_lock: the refused run leaves the lock alone" "$(cat "$RELC_STATE/lock/pid")" "$$"
relc_cleanup
if [ -e "$RELC_STATE/lock" ]; then
	not_ok "relc_cleanup: the run that holds the lock frees it"
else
	ok "relc_cleanup: the run that holds the lock frees it"
fi
# A lock left by a run that is gone is reported, never taken over.
sh -c 'exit 0' &
dead=$!
wait "$dead"
mkdir "$RELC_STATE/lock"
printf '%s\n' "$dead" > "$RELC_STATE/lock/pid"
(relc_lock) > "$WORK/out" 2>&1
is "relc_lock: a stale lock refuses the run (exit 5)" "$?" 5
has "relc_lock: and says it is stale" "$(cat "$WORK/out")" \
	"stale lock: $RELC_STATE/lock was left by PID $dead, which is no longer running"
relc_cleanup
is "relc_cleanup: a lock this run does not hold stays" "$(cat "$RELC_STATE/lock/pid")" "$dead"
: > "$RELC_STATE/lock/pid"
(relc_lock) > "$WORK/out" 2>&1
is "relc_lock: a lock without its PID yet refuses the run (exit 5)" "$?" 5
is "relc_lock: and says a run is starting" "$(cat "$WORK/out")" \
	"test.sh: locked: another run is starting and holds $RELC_STATE/lock"
rm -rf "$RELC_STATE/lock"

# ---- reading the journal back: relc_scan, relc_forget ----
{
	printf '%s\t%s\t%s\t-\t-\t-\n' \
		2026-12-05T10:00:00Z - deploy-start \
		2026-12-05T10:00:01Z check:1 ok \
		2026-12-05T10:00:02Z step:1 start \
		2026-12-05T10:00:03Z step:1 ok \
		2026-12-05T10:00:04Z step:2 start \
		2026-12-05T10:00:05Z step:x start \
		not-a-time step:9 start \
		2026-12-05T10:00:06Z - interrupted
	printf '| step:7\tstart\n'
} > "$RELC_JPATH"
relc_scan
is "relc_scan: a journal is there" "$?" 0
is "relc_scan: completed blocks" "$RELC_DONE" " check:1 step:1 "
is "relc_scan: started steps, odd lines ignored" "$RELC_STARTED" " 1 2 "
is "relc_scan: the newest step that started" "$RELC_KMAX" 2
is "relc_scan: how the last run ended" "$RELC_LAST" interrupted
is "relc_scan: it was no rollback" "$RELC_RB" ""
printf '%s\t%s\t%s\t-\t-\t-\n' \
	2026-12-05T10:00:07Z - rollback-start \
	2026-12-05T10:00:08Z undo:2 ok \
	2026-12-05T10:00:09Z step:2 start >> "$RELC_JPATH"
relc_scan
is "relc_scan: a step started again must be undone again" "$RELC_DONE" " check:1 step:1 "
is "relc_scan: a rollback began" "$RELC_RB" 1
rm -f "$RELC_JPATH"
relc_scan
is "relc_scan: no journal returns 1" "$?" 1
RELC_DONE=' a b a c '
relc_forget a
is "relc_forget: every copy of the block goes" "$RELC_DONE" " b c "

printf '1..%d\n' "$N"
[ "$FAILS" -eq 0 ]
