## src/runtime/common.sh - the runtime both generated scripts share: the
## lock, the journal, the clock, timeouts, expects, captures and checksums,
## the state folder, signals and the escalate banner.
##
## relc copies this file into every deploy.sh and rollback.sh, after the
## generated part (constants, one function per block, the order), and then
## deploy.sh or rollback.sh from this folder. The copy is exact, with one
## exception: a line whose first non-blank characters are "##" (like this
## one) is a note for readers of the source and is dropped at build time by
## src/runtime/embed.py. Every other line, "#" comments included, reaches the
## generated scripts as written, so changing it changes every script and the
## goldens. Never start a line inside a multi-line quoted string with "##".
##
## This is a fragment, not a script. It reads what the generated part sets
## (RELC_PROJECT, RELC_RELEASE, RELC_PREVIOUS[_REF], RELC_TARGET[_REF],
## RELC_STATE_DEFAULT, RELC_NSTEPS and the other counts, RELC_MORE_TOOLS, the RELC_V_*
## values) and calls the functions it defines (relc_undo_step,
## relc_after_rollbacks, relc_checks, relc_deploy, ...); the script's own
## part sets RELC_ME and RELC_STATE. ShellCheck reads this file as it is
## (tests/runtime/shellcheck.sh) and tests/runtime/runtime.sh runs its
## functions under the six shells the scripts support.
##
## The rules for this code are in docs/hacking.md: no fork where a parameter
## expansion does, every status checked, results in globals (RELC_R, RELC_Q,
## RELC_F, RELC_WHY), temporaries named relc_* (sh has no local).
## Checked alone, this fragment cannot see that deploy.sh or rollback.sh sets
## RELC_ME and RELC_STATE (SC2153), and RELC_HEAD is shell text for `sh -c`
## (SC2016; the generated head turns it off for the whole script). embed.py
## drops this header directive.
# shellcheck disable=SC2153,SC2016
# ---- runtime: the fixed part, the same in every release ----
## The globals of the run, all set here so that `set -u` never trips on one.
## RELC_SQ/RELC_QQ are the pieces relc_q quotes with; RELC_DONE, RELC_STARTED,
## RELC_HAVE and RELC_SUMOK are space-delimited sets (" a b "), tested with case.
RELC_NL='
'
RELC_TAB=$(printf '\t')
RELC_SQ="'"
RELC_QQ="'\"'\"'"
RELC_TMP=
RELC_LOCKED=
RELC_CHILD=
RELC_RUNNING=
RELC_JOURNAL=
RELC_VALUES=
RELC_VPATH=
RELC_BID=-
RELC_BNAME=
RELC_LABEL=
RELC_DRY=
RELC_YES=
RELC_ALL=
RELC_DONE=' '
RELC_STARTED=' '
RELC_HAVE=' '
RELC_SUMOK=' '
RELC_LAST=
RELC_RB=
RELC_KMAX=0
RELC_T0=
RELC_MS=0
RELC_TS=-
RELC_B0=0
RELC_LIMIT=0
RELC_RECENT=
RELC_ROLLING=
RELC_SETSID=
RELC_OPEN=
RELC_WHY=
RELC_ST=-
RELC_GRACE=5
RELC_R=
RELC_F=
RELC_Q=
RELC_IND='    '
RELC_UMASK=022
RELC_UID=
# The first line of every command's shell: on its way out it records the
# exit status in a marker file, so that a command's own exit 124 is not taken
# for a timeout (a shell killed by timeout's signal leaves no marker, or one
# that differs from 124).
RELC_HEAD='trap '"'"'printf "%s\n" "$?" > "$RELC_RC"'"'"' EXIT
'

# How relc_put writes without a process: printf where it is built in; mksh
# has it only as a program but has print; posh has neither, but its echo
# reads backslash escapes, so relc_put doubles the backslashes and ends with
# \c. Any other shell falls back to the printf program.
RELC_BS="\\"
# shellcheck disable=SC2028,SC2116,SC2123
if (PATH=/nonexistent; printf '') 2> /dev/null; then
	RELC_PUT='printf'
elif (print -rn -- '') 2> /dev/null; then
	RELC_PUT='print'
elif [ "$(echo 'a\\b\c')" = 'a\b' ]; then
	RELC_PUT='echo'
else
	RELC_PUT='printf'
fi

# Write $1 as it is, without a newline: the progress lines and the journal
# of every block go through it, so that no shell forks for them.
relc_put() {
	case $RELC_PUT in
	printf) printf '%s' "$1" ;;
	print) print -rn -- "$1" ;;
	*)
		relc_pi=$1
		relc_po=
		while :; do
			case $relc_pi in
			*"$RELC_BS"*)
				relc_po=$relc_po${relc_pi%%"$RELC_BS"*}$RELC_BS$RELC_BS
				relc_pi=${relc_pi#*"$RELC_BS"}
				;;
			*) break ;;
			esac
		done
		# shellcheck disable=SC2028
		echo "$relc_po$relc_pi$RELC_BS""c"
		;;
	esac
}

## An error message on standard error, prefixed with the script's name.
relc_err() {
	printf '%s: %s\n' "$RELC_ME" "$*" >&2
}

## Remove what this run created: the temporary folder and the lock (only if
## this run took it). Safe to call twice; the EXIT trap calls it.
relc_cleanup() {
	if [ -n "$RELC_TMP" ]; then
		rm -rf "$RELC_TMP"
		RELC_TMP=
	fi
	if [ -n "$RELC_LOCKED" ]; then
		rm -rf "$RELC_STATE/lock"
		RELC_LOCKED=
	fi
}

## Leave with status $1 after cleaning up, without running the EXIT trap again.
relc_exit() {
	relc_cleanup
	trap - EXIT
	exit "$1"
}

## A usage error: message $1, then the help, exit 1.
relc_usage() {
	relc_err "$1"
	relc_help >&2
	relc_exit 1
}

# Single-quote $1 for display (RELC_Q), without forking.
relc_q() {
	relc_in=$1
	RELC_Q=
	while :; do
		case $relc_in in
		*"$RELC_SQ"*)
			relc_pre=${relc_in%%"$RELC_SQ"*}
			RELC_Q=$RELC_Q$relc_pre$RELC_QQ
			relc_in=${relc_in#*"$RELC_SQ"}
			;;
		*)
			RELC_Q=$RELC_SQ$RELC_Q$relc_in$RELC_SQ
			return 0
			;;
		esac
	done
}

# The clock: RELC_TS (UTC, for the journal) and RELC_MS (milliseconds since
# the run began; whole seconds where date has no %N). RELC_RECENT says no
# command ran since: the script's own work between two commands is short
# enough to reuse the reading, which saves a date(1) per block.
relc_now() {
	RELC_TS=$(date -u '+%Y-%m-%dT%H:%M:%SZ %s %N') || RELC_TS='1970-01-01T00:00:00Z 0 0'
	relc_n=${RELC_TS##* }
	relc_s=${RELC_TS#* }
	relc_s=${relc_s%% *}
	RELC_TS=${RELC_TS%% *}
	case $relc_n in
	[0-9][0-9][0-9]*) relc_n=${relc_n%"${relc_n#???}"} ;;
	*) relc_n=0 ;;
	esac
	while :; do
		case $relc_n in
		0?*) relc_n=${relc_n#0} ;;
		*) break ;;
		esac
	done
	case $relc_s in
	''|*[!0-9]*) relc_s=0 ;;
	esac
	if [ -z "$RELC_T0" ]; then
		RELC_T0=$relc_s
	fi
	RELC_MS=$(( (relc_s - RELC_T0) * 1000 + relc_n ))
	RELC_RECENT=1
}

# Milliseconds as "7.2s" (RELC_F).
relc_fmt() {
	RELC_F=$(( $1 / 1000 )).$(( $1 % 1000 / 100 ))s
}

# Milliseconds as whole seconds for timeout(1), rounded up (RELC_F):
# busybox's timeout takes no fractions.
relc_secs() {
	RELC_F=$(( ($1 + 999) / 1000 ))
}

# Append one event to the journal: block, event, duration, status, detail.
relc_journal() {
	if [ -z "$RELC_JOURNAL" ]; then
		return 0
	fi
	if relc_put "$RELC_TS$RELC_TAB$1$RELC_TAB$2$RELC_TAB${3:--}$RELC_TAB${4:--}$RELC_TAB${5:--}$RELC_NL" >> "$RELC_JOURNAL"; then
		return 0
	fi
	RELC_JOURNAL=
	relc_escalate "cannot append to the journal in $RELC_STATE"
}

# Append a text value to the journal, each line behind "| ".
relc_jtext() {
	if [ -n "$RELC_JOURNAL" ]; then
		printf '%s\n' "$1" | RELC_AJ=$RELC_JOURNAL awk '{ print "| " $0 >> ENVIRON["RELC_AJ"] }'
	fi
}

# Show a command's output and keep it in the journal ("| " for standard
# output, "|! " for standard error).
relc_output() {
	if [ -s "$RELC_TMP/out" ] || [ -s "$RELC_TMP/err" ]; then
		if [ -n "$RELC_OPEN" ]; then
			relc_put "$RELC_NL"
			RELC_OPEN=
		fi
		RELC_AJ=${RELC_JOURNAL:-/dev/null} awk '
			FNR == 1 { e = (FILENAME != ARGV[1]) }
			e { print "    ! " $0; print "|! " $0 >> ENVIRON["RELC_AJ"]; next }
			{ print "    | " $0; print "| " $0 >> ENVIRON["RELC_AJ"] }
		' "$RELC_TMP/out" "$RELC_TMP/err"
	fi
}

# Read a whole file into RELC_R, trailing newlines removed.
relc_read() {
	RELC_R=$(cat "$1") && return 0
	RELC_R=
	return 1
}

# Read a stored value (state folder) into RELC_R; fails if there is none.
relc_load() {
	if [ -n "$RELC_VPATH" ] && [ -f "$RELC_VPATH/$1" ]; then
		relc_read "$RELC_VPATH/$1"
		return
	fi
	RELC_R=
	return 1
}

# Store $2 (a file's bytes) as value $1 in the state folder, atomically.
relc_save_file() {
	if [ -z "$RELC_VALUES" ]; then
		return 0
	fi
	if cat "$2" > "$RELC_VALUES/.$1.tmp" && mv -f "$RELC_VALUES/.$1.tmp" "$RELC_VALUES/$1"; then
		return 0
	fi
	RELC_WHY="cannot store $1 in $RELC_VALUES"
	return 1
}

# Store the string $2 as value $1.
relc_save() {
	if [ -z "$RELC_VALUES" ]; then
		return 0
	fi
	if printf '%s' "$2" > "$RELC_VALUES/.$1.tmp" && mv -f "$RELC_VALUES/.$1.tmp" "$RELC_VALUES/$1"; then
		return 0
	fi
	RELC_WHY="cannot store $1 in $RELC_VALUES"
	return 1
}

# A command's standard output becomes capture $1 (RELC_R holds the value).
relc_store() {
	if [ -n "$RELC_DRY" ]; then
		RELC_R=
		return 0
	fi
	if ! relc_read "$RELC_TMP/out"; then
		RELC_WHY="cannot read the output of command $RELC_CN"
		return 1
	fi
	relc_save_file "capture.$1" "$RELC_TMP/out" || return 1
	RELC_HAVE="$RELC_HAVE$1 "
	relc_journal "$RELC_BID" capture - - "$1"
	return 0
}

# Fail unless capture $1 has a value (it may come from an earlier run).
relc_need() {
	case $RELC_HAVE in
	*" $1 "*) return 0 ;;
	esac
	if [ -n "$RELC_DRY" ]; then
		return 0
	fi
	RELC_WHY="capture $1 has no recorded value (its command never completed)"
	return 1
}

## The SHA-256 of file $1 into RELC_R (the digest only); fails if sha256sum
## fails or prints nothing.
relc_sha() {
	relc_h=$(sha256sum < "$1") || return 1
	RELC_R=${relc_h%% *}
	case $RELC_R in
	'') return 1 ;;
	esac
	return 0
}

# Record the SHA-256 of the file named by capture $1 (path $2).
relc_checksum() {
	if [ -n "$RELC_DRY" ]; then
		printf '    checksum %s\n' "$1"
		return 0
	fi
	if ! relc_sha "$2"; then
		RELC_WHY="cannot compute the SHA-256 of $1 ($2)"
		return 1
	fi
	relc_save "checksum.$1" "$RELC_R" || return 1
	RELC_SUMOK="$RELC_SUMOK$1 "
	relc_journal "$RELC_BID" checksum - - "$1 $RELC_R"
	return 0
}

# Before a rollback command uses capture $1 (path $2): the file must still
# have the SHA-256 recorded after the backup.
relc_verify_sum() {
	if [ -n "$RELC_DRY" ]; then
		return 0
	fi
	case $RELC_SUMOK in
	*" $1 "*) return 0 ;;
	esac
	if ! relc_load "checksum.$1"; then
		RELC_WHY="no SHA-256 was recorded for $1"
		return 1
	fi
	relc_want=$RELC_R
	if ! relc_sha "$2"; then
		RELC_WHY="cannot read $1 ($2) to verify its SHA-256"
		return 1
	fi
	if [ "$RELC_R" != "$relc_want" ]; then
		RELC_WHY="$1 ($2) changed since the backup: SHA-256 $RELC_R, recorded $relc_want"
		return 1
	fi
	RELC_SUMOK="$RELC_SUMOK$1 "
	relc_journal "$RELC_BID" checksum-ok - - "$1"
	return 0
}

# ---- dry-run printing ----
## Dry-run printing: relc_pb starts a command line (indented), relc_p prints
## literal text, relc_pu a value as one word, quoted only where needed,
## relc_pd a value escaped for inside "...", relc_ph one for an unquoted
## here-document, relc_pv and relc_pbq a value inside `...`, relc_pe ends
## the line. The generated dry-run bodies call these to print the commands
## as plan.md shows them: the same style, decided the same way (relc_plain
## is src/shell.c's sh_quote_word test; tests/golden/plan_quoting.py holds
## the two to each other).
relc_pb() {
	printf '%s%s' "$RELC_IND" "$1"
}
## relc_p TEXT: literal text of the command.
relc_p() {
	printf '%s' "$1"
}
# relc_plain VALUE: can VALUE stand as a word unquoted, meaning itself? Not
# empty, only bytes from sh_quote_word's safe set (spelled out: a range such
# as a-z may take in other letters in some locales), and not NAME=..., which
# first in a command would be an assignment.
relc_plain() {
	case $1 in
	''|*[!abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_@%+=:,./-]*)
		return 1
		;;
	[abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_]*=*)
		case ${1%%=*} in
		*[!abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_]*) return 0 ;;
		esac
		return 1
		;;
	esac
	return 0
}
## relc_pu VALUE: a value as one word: as it is when plain, else single-quoted
## as relc_q does (sh_quote_word in C).
relc_pu() {
	if relc_plain "$1"; then
		printf '%s' "$1"
		return 0
	fi
	relc_q "$1"
	printf '%s' "$RELC_Q"
}
## relc_pv NAME VALUE: before a command that uses value NAME inside `...`,
## where backslashes are stripped before quotes apply: a value that is not
## plain gets a line of its own assigning it, and the command names it.
relc_pv() {
	if relc_plain "$2"; then
		return 0
	fi
	relc_q "$2"
	printf '%s%s=%s\n' "$RELC_IND" "\$ $1" "$RELC_Q"
}
## relc_pbq VALUE VARIABLE: inside `...`: the value when plain, else the
## variable relc_pv assigned.
relc_pbq() {
	if relc_plain "$1"; then
		printf '%s' "$1"
	else
		printf '%s' "$2"
	fi
}
# Inside double quotes: backslash before $ ` " and \.
relc_pd() {
	relc_in=$1
	while :; do
		case $relc_in in
		*[\\\$\`\"]*)
			relc_pre=${relc_in%%[\\\$\`\"]*}
			relc_in=${relc_in#"$relc_pre"}
			printf '%s\\%s' "$relc_pre" "${relc_in%"${relc_in#?}"}"
			relc_in=${relc_in#?}
			;;
		*)
			printf '%s' "$relc_in"
			return 0
			;;
		esac
	done
}
## In an unquoted here-document: backslash before $ ` and \ (a " stays).
relc_ph() {
	relc_in=$1
	while :; do
		case $relc_in in
		*[\\\$\`]*)
			relc_pre=${relc_in%%[\\\$\`]*}
			relc_in=${relc_in#"$relc_pre"}
			printf '%s\\%s' "$relc_pre" "${relc_in%"${relc_in#?}"}"
			relc_in=${relc_in#?}
			;;
		*)
			printf '%s' "$relc_in"
			return 0
			;;
		esac
	done
}
## relc_pe: the end of the printed command.
relc_pe() {
	printf '\n'
}

# ---- running one command ----
# Stop process group $1 with KILL, and once more a tenth of a second later
# for anything the group started as the first KILL went out.
relc_killgroup() {
	kill -s KILL -- "-$1" 2> /dev/null || return 0
	sleep 0.1 2> /dev/null || sleep 1
	kill -s KILL -- "-$1" 2> /dev/null
	return 0
}

# relc_run TEXT EXPECTED-EXIT NUMBER: run TEXT with the block's remaining
# time, output to files, as `cmd & wait $!` so a signal is handled at once.
# The command gets the umask the script started with: 077 is for the state
# folder, not for the files a release installs.
relc_run() {
	RELC_CN=$3
	if [ -n "$RELC_DRY" ]; then
		return 0
	fi
	if [ -z "$RELC_RECENT" ]; then
		relc_now
	fi
	RELC_RECENT=
	relc_c0=$RELC_MS
	true > "$RELC_TMP/rc"
	# Without a limit the command still runs under timeout(1), for a year:
	# timeout gives it a process group that a signal can stop as a whole.
	RELC_F=31536000
	if [ "$RELC_LIMIT" -gt 0 ]; then
		relc_left=$(( RELC_LIMIT - (RELC_MS - RELC_B0) ))
		if [ "$relc_left" -le 0 ]; then
			relc_fmt "$RELC_LIMIT"
			RELC_WHY="the block's limit of $RELC_F was reached before command $3"
			RELC_ST=-
			relc_journal "$RELC_BID" timeout - - "command $3 not started"
			return 1
		fi
		relc_secs "$relc_left"
	fi
	# relc_signal stops $! while RELC_RUNNING is set: a signal may come
	# between the fork and the assignment of RELC_CHILD.
	RELC_RUNNING=1
	if [ -n "$RELC_SETSID" ]; then
		{ umask "$RELC_UMASK"; exec setsid timeout -k "$RELC_GRACE" "$RELC_F" sh -c "$RELC_HEAD$1"; } < /dev/null > "$RELC_TMP/out" 2> "$RELC_TMP/err" &
	else
		{ umask "$RELC_UMASK"; exec timeout -k "$RELC_GRACE" "$RELC_F" sh -c "$RELC_HEAD$1"; } < /dev/null > "$RELC_TMP/out" 2> "$RELC_TMP/err" &
	fi
	RELC_CHILD=$!
	relc_pid=$RELC_CHILD
	wait "$RELC_CHILD"
	RELC_ST=$?
	RELC_CHILD=
	RELC_RUNNING=
	# yash reports death by signal N as 384+N where the others say 128+N.
	if [ "$RELC_ST" -gt 384 ]; then
		RELC_ST=$(( RELC_ST - 256 ))
	fi
	relc_mark=
	read -r relc_mark < "$RELC_TMP/rc" || relc_mark=
	relc_now
	relc_fmt $(( RELC_MS - relc_c0 ))
	# 124 is coreutils' timeout, 143 busybox's, 137 a KILL after the grace
	# period; without the command's own marker saying so, it was stopped.
	case $RELC_ST in
	124|137|143)
		if [ "$relc_mark" != "$RELC_ST" ]; then
			# whatever the command left running in its group goes too
			relc_killgroup "$relc_pid"
			relc_journal "$RELC_BID" timeout "$RELC_F" "$RELC_ST" "command $3"
			relc_output
			relc_fmt "$RELC_LIMIT"
			if [ "$RELC_LIMIT" -gt 0 ] && [ $(( RELC_MS - RELC_B0 + 100 )) -ge "$RELC_LIMIT" ]; then
				RELC_WHY="command $3 was stopped: the block's limit of $RELC_F was reached"
			else
				RELC_WHY="command $3 was stopped by a signal (status $RELC_ST)"
			fi
			return 1
		fi
		;;
	esac
	relc_journal "$RELC_BID" run "$RELC_F" "$RELC_ST" "command $3"
	relc_output
	if [ "$RELC_ST" != "$2" ]; then
		if [ "$2" = 0 ]; then
			RELC_WHY="command $3 exited with status $RELC_ST"
		else
			RELC_WHY="command $3 exited with status $RELC_ST, expected $2"
		fi
		return 1
	fi
	return 0
}

# ---- expectations on the last command's output ----
## The expects: each relc_x_* checks the last command's output ($1 is
## "out" or "err", the file in RELC_TMP), prints itself in a dry run, and on
## failure journals expect-failed and sets RELC_WHY (via relc_xfail).
## relc_xname: the stream's name for messages (relc_sn).
relc_xname() {
	case $1 in
	out) relc_sn=stdout ;;
	*) relc_sn=stderr ;;
	esac
}

## An expect failed: RELC_WHY says what was expected; journal it; status 1.
relc_xfail() {
	RELC_WHY="command $RELC_CN: expected $1"
	relc_journal "$RELC_BID" expect-failed - "$RELC_ST" "$RELC_WHY"
	return 1
}

## The exit status is checked by relc_run itself; this only prints it in a dry run.
relc_x_exit() {
	if [ -n "$RELC_DRY" ]; then
		printf '%s  expect exit %s\n' "$RELC_IND" "$1"
	fi
	return 0
}

## relc_x_eq STREAM TEXT: the whole output, trailing newlines aside, is TEXT.
relc_x_eq() {
	relc_xname "$1"
	relc_q "$2"
	if [ -n "$RELC_DRY" ]; then
		printf '%s  expect %s %s\n' "$RELC_IND" "$relc_sn" "$RELC_Q"
		return 0
	fi
	relc_read "$RELC_TMP/$1"
	if [ "$RELC_R" = "$2" ]; then
		return 0
	fi
	relc_xfail "$relc_sn to be $RELC_Q"
}

## relc_xgrep STREAM PATTERN WORDS GREP-OPTION WANT WHY [WHY-IF-GREP-FAILED]:
## the four grep expects in one. WANT is the grep status that passes (0: a
## line is there, 1: none is); otherwise the expect fails with WHY, or with
## the last argument when grep itself failed (status 2). The caller has set
## relc_sn and RELC_Q (relc_xname, relc_q); WORDS is the dry run's verb.
relc_xgrep() {
	if [ -n "$RELC_DRY" ]; then
		printf '%s  expect %s %s %s\n' "$RELC_IND" "$relc_sn" "$3" "$RELC_Q"
		return 0
	fi
	grep "$4" -e "$2" "$RELC_TMP/$1" > /dev/null
	relc_gs=$?
	if [ "$relc_gs" -eq "$5" ]; then
		return 0
	fi
	if [ "$relc_gs" -gt 1 ]; then
		relc_xfail "${7:-$6}"
	else
		relc_xfail "$6"
	fi
}

## relc_x_contains STREAM TEXT: TEXT occurs in the output (fixed string).
relc_x_contains() {
	relc_xname "$1"
	relc_q "$2"
	relc_xgrep "$1" "$2" contains -F 0 "$relc_sn to contain $RELC_Q"
}

## relc_x_matches STREAM ERE: a line matches; grep status 2 (bad ERE) says so.
relc_x_matches() {
	relc_xname "$1"
	relc_q "$2"
	relc_xgrep "$1" "$2" matches -E 0 "a line of $relc_sn to match $RELC_Q" \
		"a line of $relc_sn to match $RELC_Q (grep could not use the expression)"
}

## relc_x_lacks STREAM TEXT: no line contains TEXT (expect ... not contains).
relc_x_lacks() {
	relc_xname "$1"
	relc_q "$2"
	relc_xgrep "$1" "$2" 'not contains' -F 1 "$relc_sn not to contain $RELC_Q" \
		"$relc_sn not to contain $RELC_Q (grep could not read it)"
}

## relc_x_nomatch STREAM ERE: no line matches (expect ... not matches).
relc_x_nomatch() {
	relc_xname "$1"
	relc_q "$2"
	relc_xgrep "$1" "$2" 'not matches' -E 1 "no line of $relc_sn to match $RELC_Q" \
		"no line of $relc_sn to match $RELC_Q (grep could not use the expression)"
}

## relc_x_empty STREAM: no output but newlines.
relc_x_empty() {
	relc_xname "$1"
	if [ -n "$RELC_DRY" ]; then
		printf '%s  expect %s empty\n' "$RELC_IND" "$relc_sn"
		return 0
	fi
	relc_read "$RELC_TMP/$1"
	if [ -z "$RELC_R" ]; then
		return 0
	fi
	relc_xfail "$relc_sn to be empty"
}

## relc_x_nonempty STREAM: some output besides newlines.
relc_x_nonempty() {
	relc_xname "$1"
	if [ -n "$RELC_DRY" ]; then
		printf '%s  expect %s not-empty\n' "$RELC_IND" "$relc_sn"
		return 0
	fi
	relc_read "$RELC_TMP/$1"
	if [ -n "$RELC_R" ]; then
		return 0
	fi
	relc_xfail "$relc_sn not to be empty"
}

## relc_icmp A OP B: integer comparison A OP B with a test(1) operator.
relc_icmp() {
	case $2 in
	-eq) [ "$1" -eq "$3" ] ;;
	-ne) [ "$1" -ne "$3" ] ;;
	-lt) [ "$1" -lt "$3" ] ;;
	-le) [ "$1" -le "$3" ] ;;
	-gt) [ "$1" -gt "$3" ] ;;
	*) [ "$1" -ge "$3" ] ;;
	esac
}

# relc_x_cmp STREAM OP N: the whole output, blanks aside, is an integer that
# compares as asked (OP is a test(1) operator: -eq -ne -lt -le -gt -ge).
relc_x_cmp() {
	relc_xname "$1"
	case $2 in
	-eq) relc_op='==' ;;
	-ne) relc_op='!=' ;;
	-lt) relc_op='<' ;;
	-le) relc_op='<=' ;;
	-gt) relc_op='>' ;;
	*) relc_op='>=' ;;
	esac
	if [ -n "$RELC_DRY" ]; then
		printf '%s  expect %s %s %s\n' "$RELC_IND" "$relc_sn" "$relc_op" "$3"
		return 0
	fi
	relc_read "$RELC_TMP/$1"
	relc_v=$RELC_R
	while :; do
		case $relc_v in
		[" $RELC_TAB$RELC_NL"]*) relc_v=${relc_v#?} ;;
		*[" $RELC_TAB$RELC_NL"]) relc_v=${relc_v%?} ;;
		*) break ;;
		esac
	done
	case ${relc_v#-} in
	''|*[!0-9]*)
		relc_xfail "$relc_sn to be an integer $relc_op $3"
		return 1
		;;
	esac
	if relc_icmp "$relc_v" "$2" "$3"; then
		return 0
	fi
	relc_xfail "$relc_sn $relc_op $3 (it is $relc_v)"
}

# ---- the state folder ----
## Create the state folder (exit 2 if impossible) and name the journal in
## it. relc_trust has checked every folder above it, so only this user can
## have made or changed what is there; an existing folder is made private.
relc_state_init() {
	if [ -d "$RELC_STATE" ]; then
		chmod go= "$RELC_STATE" 2> /dev/null
	elif ! mkdir -p "$RELC_STATE" 2> /dev/null || [ ! -d "$RELC_STATE" ]; then
		relc_err "cannot create the state folder $RELC_STATE"
		relc_exit 2
	fi
	RELC_JPATH=$RELC_STATE/journal.log
}

# ---- trusting the state folder ----
# The script runs as root and acts on what it reads back from the state
# folder, so it trusts that folder only if nobody else could have written
# it, as OpenSSH's StrictModes does (docs/scripts.md, "Security"). Before
# anything runs, relc_trust resolves RELC_STATE to its physical path (no
# symbolic link left to swap after the check) and requires:
#   - every folder above it, up to /, owned by root or by this user and not
#     writable by group or others, unless sticky and owned by root (/tmp);
#   - the folder and everything in it owned by this user, folders and
#     regular files only (no symbolic links), none writable by group or others.
# While the folder does not exist its existing parents are checked; the
# scripts create the rest. Any violation exits 2 (relc_untrusted).
## Cost: id, the subshell of cd -P and two finds, once per run; find's
## -exec printf runs only for a violation.
relc_trust() {
	case /$RELC_STATE/ in
	*/../*)
		relc_err "the state folder $RELC_STATE must not contain \"..\": give a plain path. Nothing was run."
		relc_exit 2
		;;
	esac
	RELC_UID=$(id -u) || RELC_UID=
	case $RELC_UID in
	''|*[!0-9]*)
		relc_err "cannot tell which user runs this script (id -u). Nothing was run."
		relc_exit 2
		;;
	esac
	## A folder at the old default is this user's own unfinished run only if
	## this user owns it; anyone else's (or a link) is a forgery or litter,
	## never read, and must not let another user stop the deploy.
	if [ -n "$RELC_STATE_OLD" ] && { [ -e "$RELC_STATE_OLD" ] || [ -L "$RELC_STATE_OLD" ]; }; then
		relc_q "$RELC_STATE_OLD"
		relc_old=$(find "$RELC_STATE_OLD" -prune -type d -user "$RELC_UID" -print 2>&1) || relc_old=error
		if [ -n "$relc_old" ]; then
			relc_old=$RELC_Q
			relc_q "$RELC_STATE_DEFAULT"
			relc_err "a state folder of yours is left at the old default location $RELC_STATE_OLD, which every user of the machine can write: it is not read. If it holds an unfinished run, check its journal, then move it: mkdir -p /var/lib/relc && mv $relc_old $RELC_Q && chown -R 0:0 $RELC_Q && chmod -R go= $RELC_Q; otherwise remove it: rm -rf $relc_old. Nothing was run."
			relc_exit 2
		fi
		relc_err "warning: $RELC_Q at the old default location is not this user's folder: it is ignored, never read. Remove it: rm -rf $RELC_Q"
	fi
	case $RELC_STATE in
	/*) relc_e=$RELC_STATE ;;
	*) relc_e=$PWD/$RELC_STATE ;;
	esac
	while :; do
		case $relc_e in
		*?/) relc_e=${relc_e%/} ;;
		*) break ;;
		esac
	done
	## relc_e: the deepest part of the path that exists; relc_tail the rest
	relc_tail=
	while [ -n "$relc_e" ] && [ ! -d "$relc_e" ]; do
		relc_tail=/${relc_e##*/}$relc_tail
		relc_e=${relc_e%/*}
	done
	## pwd -P prints no symbolic link; the x keeps a name's trailing newline
	relc_p=$(cd -P "${relc_e:-/}" && pwd -P && printf x) || relc_p=
	relc_p=${relc_p%x}
	relc_p=${relc_p%"$RELC_NL"}
	case $relc_p in
	/*) ;;
	*)
		relc_err "cannot resolve the state folder $RELC_STATE (at ${relc_e:-/}). Nothing was run."
		relc_exit 2
		;;
	esac
	relc_p=${relc_p%/}
	RELC_STATE=$relc_p$relc_tail
	RELC_VPATH=$RELC_STATE/values
	RELC_JPATH=$RELC_STATE/journal.log
	## The folders above it, deepest first; while the state folder is
	## missing, the deepest part of its path that exists is one of them.
	## ("$@" is never empty when expanded: posh's set -u rejects an empty one.)
	set -- "${relc_p:-/}"
	relc_a=$relc_p
	while [ -n "$relc_a" ]; do
		relc_a=${relc_a%/*}
		set -- "$@" "${relc_a:-/}"
	done
	if [ -z "$relc_tail" ]; then
		shift
	fi
	relc_bad=
	if [ $# -gt 0 ]; then
		relc_bad=$(find "$@" -prune \( \
			\( ! -user 0 ! -user "$RELC_UID" -exec printf 'parent-owner\t%s\n' {} \; \) -o \
			\( \( -perm -0002 -o -perm -0020 \) ! \( -perm -1000 -user 0 \) \
				-exec printf 'parent-writable\t%s\n' {} \; \) \) 2>&1) || relc_bad="find$RELC_TAB$relc_bad"
	fi
	if [ -z "$relc_bad" ] && [ -z "$relc_tail" ]; then
		relc_bad=$(find "$RELC_STATE" \
			\( -type l -exec printf 'symlink\t%s\n' {} \; \) -o \
			\( ! -type d ! -type f -exec printf 'type\t%s\n' {} \; \) -o \
			\( ! -user "$RELC_UID" -exec printf 'owner\t%s\n' {} \; \) -o \
			\( \( -perm -0002 -o -perm -0020 \) -exec printf 'writable\t%s\n' {} \; \) 2>&1) || relc_bad="find$RELC_TAB$relc_bad"
	fi
	if [ -n "$relc_bad" ]; then
		relc_untrusted "$relc_bad"
	fi
}

# Report the first violation relc_trust found ($1: "REASON<tab>PATH", maybe
# more lines) with how to fix it, and exit 2: nothing has run yet.
relc_untrusted() {
	relc_why=${1%%"$RELC_TAB"*}
	relc_at=${1#*"$RELC_TAB"}
	relc_at=${relc_at%%"$RELC_NL"*}
	relc_ls=$(ls -ldn "$relc_at" 2> /dev/null) || relc_ls='? ? ?'
	## the mode and the owner's uid: the first and third fields of ls -ldn
	# shellcheck disable=SC2034
	read -r relc_m relc_l relc_u relc_rest <<EOF
$relc_ls
EOF
	relc_q "$relc_at"
	case $relc_why in
	parent-owner) relc_why="$relc_at, a folder above it, is owned by uid $relc_u: only root or uid $RELC_UID (who runs this script) may own the folders above the state folder, since their owner can replace it. Choose a state folder under /var/lib/relc, or make that folder root's: chown 0 $RELC_Q" ;;
	parent-writable) relc_why="$relc_at, a folder above it, is writable by group or others (mode $relc_m), who can replace the state folder; only a sticky folder owned by root, like /tmp, may be. Choose another state folder, or: chmod go-w $RELC_Q" ;;
	symlink) relc_why="$relc_at is a symbolic link: the scripts read back only regular files and folders of their own. Check where it points, then remove it: rm $RELC_Q" ;;
	type) relc_why="$relc_at is neither a regular file nor a folder (mode $relc_m). Remove it: rm $RELC_Q" ;;
	owner) relc_why="$relc_at is owned by uid $relc_u, not by uid $RELC_UID (who runs this script): its owner could have forged the journal or the values. Unless you know who made it and what it holds, remove the state folder; if it is an earlier run of yours, check it, then: chown -R $RELC_UID $RELC_Q" ;;
	writable) relc_why="$relc_at is writable by group or others (mode $relc_m): anyone could have changed the journal or the values. Check them, then: chmod -R go= $RELC_Q" ;;
	*) relc_why="find could not inspect it: $relc_at" ;;
	esac
	relc_err "unsafe state folder $RELC_STATE: $relc_why. Nothing was run."
	relc_exit 2
}

## Take the lock: mkdir is atomic, so one run at a time holds
## $RELC_STATE/lock, with its PID in lock/pid. A held lock exits 5 with who
## holds it; a lock whose PID is gone is reported stale, never taken over,
## because only a person can tell whether that run's changes are settled.
relc_lock() {
	if mkdir "$RELC_STATE/lock" 2> /dev/null; then
		RELC_LOCKED=1
		printf '%s\n' "$$" > "$RELC_STATE/lock/pid"
		return 0
	fi
	relc_holder=
	if [ -f "$RELC_STATE/lock/pid" ]; then
		read -r relc_holder < "$RELC_STATE/lock/pid" || relc_holder=
	fi
	case $relc_holder in
	''|*[!0-9]*)
		relc_err "locked: another run is starting and holds $RELC_STATE/lock"
		;;
	*)
		if kill -0 "$relc_holder" 2> /dev/null; then
			relc_err "locked: another run (PID $relc_holder) holds $RELC_STATE/lock"
		else
			relc_err "stale lock: $RELC_STATE/lock was left by PID $relc_holder, which is no longer running; make sure no deploy or rollback is active, then remove that folder"
		fi
		;;
	esac
	relc_exit 5
}

## A private temporary folder for the commands' output (out, err) and the
## exit-status marker (rc, exported as RELC_RC for RELC_HEAD); exit 2 if none.
relc_tmp() {
	RELC_TMP=$(mktemp -d "${TMPDIR:-/tmp}/relc.XXXXXX") || RELC_TMP=
	if [ -z "$RELC_TMP" ]; then
		relc_err "cannot create a temporary folder"
		relc_exit 2
	fi
	RELC_RC=$RELC_TMP/rc
	export RELC_RC
}

## Every tool the runtime needs must be on PATH before anything changes
## (exit 2); RELC_MORE_TOOLS adds what this release needs (e.g. sha256sum).
relc_tools() {
	for relc_t in timeout mktemp date sleep awk grep cat mv rm mkdir chmod find id ls $RELC_MORE_TOOLS; do
		if ! command -v "$relc_t" > /dev/null 2>&1; then
			relc_err "this script needs $relc_t, which is not on PATH: nothing was changed"
			relc_exit 2
		fi
	done
	# coreutils timeout puts the command in a process group of its own and
	# stops all of it; busybox's stops only the command's shell, so there
	# setsid(1) makes the group the script stops on a timeout or a signal.
	case $(timeout --version 2>&1) in
	*coreutils*) ;;
	*)
		if command -v setsid > /dev/null 2>&1; then
			RELC_SETSID=1
		fi
		;;
	esac
}

# Read the journal: which blocks completed (RELC_DONE), which steps started
# (RELC_STARTED, RELC_KMAX), how the last run ended (RELC_LAST).
relc_scan() {
	RELC_DONE=' '
	RELC_STARTED=' '
	RELC_KMAX=0
	RELC_LAST=
	RELC_RB=
	if [ ! -f "$RELC_JPATH" ]; then
		return 1
	fi
	# shellcheck disable=SC2034
	while IFS=$RELC_TAB read -r relc_ts relc_b relc_e relc_rest; do
		case $relc_ts in
		[0-9][0-9][0-9][0-9]-*) ;;
		*) continue ;;
		esac
		case $relc_b/$relc_e in
		step:*/start)
			relc_k=${relc_b#step:}
			case $relc_k in
			''|*[!0-9]*) continue ;;
			esac
			relc_forget "undo:$relc_k"
			case $RELC_STARTED in
			*" $relc_k "*) ;;
			*) RELC_STARTED="$RELC_STARTED$relc_k " ;;
			esac
			if [ "$relc_k" -gt "$RELC_KMAX" ]; then
				RELC_KMAX=$relc_k
			fi
			;;
		-/deploy-start)
			RELC_RB=
			RELC_LAST=$relc_e
			;;
		-/rollback-start)
			RELC_RB=1
			RELC_LAST=$relc_e
			;;
		-/*) RELC_LAST=$relc_e ;;
		*/ok) RELC_DONE="$RELC_DONE$relc_b " ;;
		esac
	done < "$RELC_JPATH"
	return 0
}

# Drop block $1 from RELC_DONE: a step that starts again must be undone again.
relc_forget() {
	while :; do
		case $RELC_DONE in
		*" $1 "*)
			relc_fa=${RELC_DONE%%" $1 "*}
			relc_fb=${RELC_DONE#*" $1 "}
			RELC_DONE="$relc_fa $relc_fb"
			;;
		*) return 0 ;;
		esac
	done
}

# Move the last run's journal and values aside before a fresh deploy.
relc_archive() {
	relc_now
	relc_arch=$RELC_STATE/run-$RELC_TS-$$
	## --rehearse starts several runs a second under one PID: number them.
	relc_i=1
	while [ -e "$relc_arch" ]; do
		relc_i=$(( relc_i + 1 ))
		relc_arch=$RELC_STATE/run-$RELC_TS-$$-$relc_i
	done
	if mkdir "$relc_arch" && mv -f "$RELC_JPATH" "$relc_arch/"; then
		if [ -d "$RELC_VPATH" ]; then
			mv -f "$RELC_VPATH" "$relc_arch/" || return 1
		fi
		printf 'The journal of the earlier run was moved to %s\n' "$relc_arch"
		return 0
	fi
	return 1
}

## Keep the caller's umask for the commands (relc_run) and write the state
## with 077: the journal and values can hold secrets and command output.
relc_private() {
	RELC_UMASK=$(umask)
	umask 077
}

## From here on events are journaled and values stored in the state folder
## (both stay empty in a dry run, so nothing is written there).
relc_open_journal() {
	if ! mkdir -p "$RELC_VPATH"; then
		relc_err "cannot create $RELC_VPATH"
		relc_exit 2
	fi
	RELC_VALUES=$RELC_VPATH
	RELC_JOURNAL=$RELC_JPATH
}

## The folder this script was run from (RELC_DIR), for the commands we print.
relc_script_dir() {
	case $0 in
	*/*) RELC_DIR=${0%/*} ;;
	*) RELC_DIR=. ;;
	esac
}

# The banner that hands the release to a person: reason, then exact commands.
relc_escalate() {
	relc_now
	relc_journal - escalated - - "$1"
	relc_script_dir
	relc_q "$RELC_DIR/rollback.sh"
	relc_rb=$RELC_Q
	relc_q "$RELC_DIR/deploy.sh"
	relc_dp=$RELC_Q
	relc_q "$RELC_STATE/journal.log"
	printf '\n%s\n' '==================== ESCALATE ===================='
	printf '%s\n' "$RELC_PROJECT release $RELC_RELEASE needs a person: the script stopped." "Reason: $1" '' 'Next:'
	printf '  %s\n' "1. Read what happened:  tail -n 100 $RELC_Q"
	case $RELC_ME$RELC_ROLLING in
	rollback.sh|*1)
		printf '  %s\n' "2. Fix the cause, then finish the rollback (undos already done are skipped):" "     sh $relc_rb --yes"
		;;
	*)
		printf '  %s\n' "2. Fix the cause, then either continue the deploy:" "     sh $relc_dp --resume --yes" "   or roll back every step that started:" "     sh $relc_rb --yes"
		;;
	esac
	printf '%s\n' '=================================================='
	relc_exit 4
}

## INT or TERM ($1 the exit status, $2 the signal): stop the running command
## and its process group, journal the interruption, say how to continue or roll
## back, and exit. Further signals are ignored while this runs.
relc_signal() {
	trap '' INT TERM
	if [ -n "$RELC_RUNNING" ]; then
		RELC_CHILD=${RELC_CHILD:-$!}
	fi
	if [ -n "$RELC_CHILD" ]; then
		kill -s TERM "$RELC_CHILD" 2> /dev/null
		kill -s TERM -- "-$RELC_CHILD" 2> /dev/null
		wait "$RELC_CHILD"
		relc_killgroup "$RELC_CHILD"
		RELC_CHILD=
	fi
	relc_now
	if [ "$RELC_BID" != - ]; then
		relc_journal "$RELC_BID" interrupted - "$1" "$2 received"
	fi
	relc_journal - interrupted - "$1" "$2"
	relc_script_dir
	printf '\n%s\n' "Interrupted by $2 during ${RELC_BNAME:-start-up}. The script does not roll back on its own."
	if [ -n "$RELC_JOURNAL" ]; then
		relc_q "$RELC_DIR/rollback.sh"
		relc_rb=$RELC_Q
		relc_q "$RELC_DIR/deploy.sh"
		case $RELC_ME$RELC_ROLLING in
		rollback.sh|*1) printf '%s\n' "To finish the rollback:  sh $relc_rb --yes" ;;
		*) printf '%s\n' "To continue:   sh $RELC_Q --resume --yes" "To roll back:  sh $relc_rb --yes" ;;
		esac
	fi
	relc_exit "$1"
}

## Ask for "yes" on the terminal before $1 ("deploy", "roll back"); --yes
## skips it, and without a terminal --yes is required (exit 1).
relc_confirm() {
	if [ -n "$RELC_YES" ]; then
		return 0
	fi
	if [ ! -t 0 ]; then
		relc_err "standard input is not a terminal: pass --yes to $1 without confirmation"
		relc_exit 1
	fi
	printf '%s\n' "About to $1 $RELC_PROJECT release $RELC_RELEASE" \
		"  previous: $RELC_PREVIOUS ($RELC_PREVIOUS_REF)" \
		"  target:   $RELC_TARGET ($RELC_TARGET_REF)" \
		"  state:    $RELC_STATE"
	printf '%s' 'Type yes to continue: '
	relc_ans=
	read -r relc_ans || relc_ans=
	RELC_RECENT=
	if [ "$relc_ans" != yes ]; then
		relc_err "not confirmed: nothing was changed"
		relc_exit 1
	fi
}

# ---- blocks ----
# relc_label ID: the progress label of block ID in RELC_LABEL. Each kind is
# numbered by its own index, so a step shows the number --fail-after, the
# journal (step:N) and rollback.sh use, and a block the same label on
# every run, skipped or not (docs/scripts.md, "Progress lines").
relc_label() {
	relc_i=${1#*:}
	case $1 in
	check:*) RELC_LABEL="[check $relc_i/$RELC_NCHECKS]" ;;
	backup:*) RELC_LABEL="[backup $relc_i/$RELC_NBACKUPS]" ;;
	step:*) RELC_LABEL="[step $relc_i/$RELC_NSTEPS]" ;;
	verify:*) RELC_LABEL="[verify $relc_i/$RELC_NVERIFIES]" ;;
	undo:*) RELC_LABEL="[undo of step $relc_i]" ;;
	*) RELC_LABEL="[after-rollback $relc_i/$RELC_NAFTER]" ;;
	esac
}

# relc_block ID KIND NAME LIMIT-MS HEADER BODY: one block with its progress
# line and journal events; returns the body's status (RELC_WHY on failure).
relc_block() {
	RELC_BID=$1
	RELC_BNAME="$2 \"$3\""
	relc_label "$1"
	if [ -n "$RELC_DRY" ]; then
		printf '%s\n' "$RELC_LABEL \"$3\" $5"
		"$6"
		return 0
	fi
	if [ -z "$RELC_RECENT" ]; then
		relc_now
	fi
	RELC_B0=$RELC_MS
	RELC_LIMIT=$4
	RELC_WHY=
	RELC_ST=-
	relc_journal "$1" start - - "$3"
	case $1 in
	step:*)
		relc_forget "undo:${1#step:}"
		case $RELC_STARTED in
		*" ${1#step:} "*) ;;
		*) RELC_STARTED="$RELC_STARTED${1#step:} " ;;
		esac
		;;
	esac
	relc_put "$RELC_LABEL \"$3\" $5 … "
	RELC_OPEN=1
	"$6"
	relc_brc=$?
	if [ -z "$RELC_RECENT" ]; then
		relc_now
	fi
	relc_fmt $(( RELC_MS - RELC_B0 ))
	if [ -z "$RELC_OPEN" ]; then
		relc_put "$RELC_LABEL \"$3\" $5 … "
	fi
	RELC_OPEN=
	if [ "$relc_brc" -eq 0 ]; then
		relc_put "ok $RELC_F$RELC_NL"
		relc_journal "$1" ok "$RELC_F" 0 "$3"
		return 0
	fi
	relc_put "FAILED $RELC_F$RELC_NL    $RELC_WHY$RELC_NL"
	relc_journal "$1" failed "$RELC_F" "$RELC_ST" "$RELC_WHY"
	return 1
}

# A block already completed in an earlier run (--resume).
relc_skip() {
	relc_label "$1"
	printf '%s\n' "$RELC_LABEL \"$3\" … already done"
	relc_now
	relc_journal "$1" skipped - - "$3"
}

# relc_undo N NAME LIMIT-MS HEADER BODY: the undo of step N, once.
# Is step $1 on the rollback path: it started (or --all)?
relc_to_undo() {
	case $RELC_STARTED in
	*" $1 "*) return 0 ;;
	esac
	[ -n "$RELC_ALL" ]
}

## relc_undo: run the undo as a block unless done already; a failed undo escalates.
relc_undo() {
	case $RELC_DONE in
	*" undo:$1 "*)
		printf '%s\n' "[undo of step $1] \"$2\" … already done"
		return 0
		;;
	esac
	if ! relc_to_undo "$1"; then
		return 0
	fi
	if relc_block "undo:$1" "undo of step $1" "$2" "$3" "$4" "$5"; then
		RELC_DONE="${RELC_DONE}undo:$1 "
		return 0
	fi
	relc_escalate "the undo of step $1 \"$2\" failed: $RELC_WHY; the rollback stopped there"
}

## relc_undo_none N NAME WHY: step N has nothing to undo (a check-like step);
## counted and journaled as done.
relc_undo_none() {
	if ! relc_to_undo "$1"; then
		return 0
	fi
	printf '%s\n' "[undo of step $1] \"$2\" … nothing to undo ($3)"
	if [ -z "$RELC_DRY" ]; then
		relc_now
		relc_journal "undo:$1" ok - - "nothing to undo"
	fi
	return 0
}

## relc_undo_irreversible N NAME WHY: the rollback cannot pass step N; escalate
## (a dry run only prints it).
relc_undo_irreversible() {
	if ! relc_to_undo "$1"; then
		return 0
	fi
	printf '%s\n' "[undo of step $1] \"$2\" … irreversible ($3)"
	if [ -n "$RELC_DRY" ]; then
		return 0
	fi
	relc_escalate "step $1 \"$2\" is irreversible ($3): the rollback cannot go past it"
}

# relc_after ID NAME LIMIT-MS HEADER BODY: one after-rollback block, once.
relc_after() {
	case $RELC_DONE in
	*" $1 "*)
		relc_label "$1"
		printf '%s\n' "$RELC_LABEL \"$2\" … already done"
		return 0
		;;
	esac
	if relc_block "$1" after-rollback "$2" "$3" "$4" "$5"; then
		RELC_DONE="$RELC_DONE$1 "
		return 0
	fi
	relc_escalate "after-rollback \"$2\" failed: $RELC_WHY"
}

# The rollback path from step $1 down to step 1, then every after-rollback.
relc_rollback_path() {
	relc_k=$1
	while [ "$relc_k" -gt 0 ]; do
		relc_undo_step "$relc_k"
		relc_k=$(( relc_k - 1 ))
	done
	relc_after_rollbacks
}
