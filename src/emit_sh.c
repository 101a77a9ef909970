/* emit_sh.c - the shell back end: deploy.sh and rollback.sh.
 *
 * Each script is three parts. The head: provenance, this release's constants
 * and one variable per spec reference (RELC_V_<name>, always set from a
 * single-quoted literal or from other such variables, never by eval). The
 * generated middle: one shell function per block holding its commands as
 * literal text for `sh -c`, its expects and captures, and the order of the
 * deploy and of the rollback path. The runtime: fixed shell functions (lock,
 * journal, timeouts, expects, the state folder, signals) that are the same
 * for every release, kept below as arrays of lines so the output is plain
 * bytes with no formatting at run time.
 *
 * Everything here follows the reliability notes for generated shell: no
 * eval/echo/local/pipefail/source, printf '%s\n', ${1+"$@"}, every command
 * run as `cmd & wait $!` under timeout(1), every status checked explicitly,
 * captured values kept in files and read back with $(cat), never sourced. */
#include "emit.h"

#include <stdlib.h>
#include <string.h>

#include "shell.h"

/* ---- the runtime (fixed shell text) ---- */

static const char *const rt_common[] = {
	"# ---- runtime: the fixed part, the same in every release ----\n",
	"RELC_NL='\n",
	"'\n",
	"RELC_TAB=$(printf '\\t')\n",
	"RELC_SQ=\"'\"\n",
	"RELC_QQ=\"'\\\"'\\\"'\"\n",
	"RELC_TMP=\n",
	"RELC_LOCKED=\n",
	"RELC_CHILD=\n",
	"RELC_JOURNAL=\n",
	"RELC_VALUES=\n",
	"RELC_VPATH=\n",
	"RELC_BID=-\n",
	"RELC_BNAME=\n",
	"RELC_DRY=\n",
	"RELC_YES=\n",
	"RELC_ALL=\n",
	"RELC_DONE=' '\n",
	"RELC_STARTED=' '\n",
	"RELC_HAVE=' '\n",
	"RELC_SUMOK=' '\n",
	"RELC_LAST=\n",
	"RELC_RB=\n",
	"RELC_KMAX=0\n",
	"RELC_T0=\n",
	"RELC_MS=0\n",
	"RELC_TS=-\n",
	"RELC_B0=0\n",
	"RELC_LIMIT=0\n",
	"RELC_RECENT=\n",
	"RELC_ROLLING=\n",
	"RELC_SETSID=\n",
	"RELC_OPEN=\n",
	"RELC_WHY=\n",
	"RELC_ST=-\n",
	"RELC_SEQN=0\n",
	"RELC_GRACE=5\n",
	"RELC_R=\n",
	"RELC_F=\n",
	"RELC_Q=\n",
	"RELC_IND='    '\n",
	"# The first line of every command's shell: on its way out it records the\n",
	"# exit status in a marker file, so that a command's own exit 124 is not taken\n",
	"# for a timeout (a shell killed by timeout's signal leaves no marker, or one\n",
	"# that differs from 124).\n",
	"RELC_HEAD='trap '\"'\"'printf \"%s\\n\" \"$?\" > \"$RELC_RC\"'\"'\"' EXIT\n",
	"'\n",
	"\n",
	"relc_err() {\n",
	"\tprintf '%s: %s\\n' \"$RELC_ME\" \"$*\" >&2\n",
	"}\n",
	"\n",
	"relc_cleanup() {\n",
	"\tif [ -n \"$RELC_TMP\" ]; then\n",
	"\t\trm -rf \"$RELC_TMP\"\n",
	"\t\tRELC_TMP=\n",
	"\tfi\n",
	"\tif [ -n \"$RELC_LOCKED\" ]; then\n",
	"\t\trm -rf \"$RELC_STATE/lock\"\n",
	"\t\tRELC_LOCKED=\n",
	"\tfi\n",
	"}\n",
	"\n",
	"relc_exit() {\n",
	"\trelc_cleanup\n",
	"\ttrap - EXIT\n",
	"\texit \"$1\"\n",
	"}\n",
	"\n",
	"relc_usage() {\n",
	"\trelc_err \"$1\"\n",
	"\trelc_help >&2\n",
	"\trelc_exit 1\n",
	"}\n",
	"\n",
	"# Single-quote $1 for display (RELC_Q), without forking.\n",
	"relc_q() {\n",
	"\trelc_in=$1\n",
	"\tRELC_Q=\n",
	"\twhile :; do\n",
	"\t\tcase $relc_in in\n",
	"\t\t*\"$RELC_SQ\"*)\n",
	"\t\t\trelc_pre=${relc_in%%\"$RELC_SQ\"*}\n",
	"\t\t\tRELC_Q=$RELC_Q$relc_pre$RELC_QQ\n",
	"\t\t\trelc_in=${relc_in#*\"$RELC_SQ\"}\n",
	"\t\t\t;;\n",
	"\t\t*)\n",
	"\t\t\tRELC_Q=$RELC_SQ$RELC_Q$relc_in$RELC_SQ\n",
	"\t\t\treturn 0\n",
	"\t\t\t;;\n",
	"\t\tesac\n",
	"\tdone\n",
	"}\n",
	"\n",
	"# The clock: RELC_TS (UTC, for the journal) and RELC_MS (milliseconds since\n",
	"# the run began; whole seconds where date has no %N). RELC_RECENT says no\n",
	"# command ran since: the script's own work between two commands is short\n",
	"# enough to reuse the reading, which saves a date(1) per block.\n",
	"relc_now() {\n",
	"\tRELC_TS=$(date -u '+%Y-%m-%dT%H:%M:%SZ %s %N') || RELC_TS='1970-01-01T00:00:00Z 0 0'\n",
	"\trelc_n=${RELC_TS##* }\n",
	"\trelc_s=${RELC_TS#* }\n",
	"\trelc_s=${relc_s%% *}\n",
	"\tRELC_TS=${RELC_TS%% *}\n",
	"\tcase $relc_n in\n",
	"\t[0-9][0-9][0-9]*) relc_n=${relc_n%\"${relc_n#?\?\?}\"} ;;\n",
	"\t*) relc_n=0 ;;\n",
	"\tesac\n",
	"\twhile :; do\n",
	"\t\tcase $relc_n in\n",
	"\t\t0?*) relc_n=${relc_n#0} ;;\n",
	"\t\t*) break ;;\n",
	"\t\tesac\n",
	"\tdone\n",
	"\tcase $relc_s in\n",
	"\t''|*[!0-9]*) relc_s=0 ;;\n",
	"\tesac\n",
	"\tif [ -z \"$RELC_T0\" ]; then\n",
	"\t\tRELC_T0=$relc_s\n",
	"\tfi\n",
	"\tRELC_MS=$(( (relc_s - RELC_T0) * 1000 + relc_n ))\n",
	"\tRELC_RECENT=1\n",
	"}\n",
	"\n",
	"# Milliseconds as \"7.2s\" (RELC_F).\n",
	"relc_fmt() {\n",
	"\tRELC_F=$(( $1 / 1000 )).$(( $1 % 1000 / 100 ))s\n",
	"}\n",
	"\n",
	"# Milliseconds as whole seconds for timeout(1), rounded up (RELC_F):\n",
	"# busybox's timeout takes no fractions.\n",
	"relc_secs() {\n",
	"\tRELC_F=$(( ($1 + 999) / 1000 ))\n",
	"}\n",
	"\n",
	"# Append one event to the journal: block, event, duration, status, detail.\n",
	"relc_journal() {\n",
	"\tif [ -z \"$RELC_JOURNAL\" ]; then\n",
	"\t\treturn 0\n",
	"\tfi\n",
	"\tif printf '%s\\t%s\\t%s\\t%s\\t%s\\t%s\\n' \"$RELC_TS\" \"$1\" \"$2\" \"${3:--}\" \"${4:--}\" \"${5:--}\" >> \"$RELC_JOURNAL\"; then\n",
	"\t\treturn 0\n",
	"\tfi\n",
	"\tRELC_JOURNAL=\n",
	"\trelc_escalate \"cannot append to the journal in $RELC_STATE\"\n",
	"}\n",
	"\n",
	"# Append a text value to the journal, each line behind \"| \".\n",
	"relc_jtext() {\n",
	"\tif [ -n \"$RELC_JOURNAL\" ]; then\n",
	"\t\tprintf '%s\\n' \"$1\" | RELC_AJ=$RELC_JOURNAL awk '{ print \"| \" $0 >> ENVIRON[\"RELC_AJ\"] }'\n",
	"\tfi\n",
	"}\n",
	"\n",
	"# Show a command's output and keep it in the journal (\"| \" for standard\n",
	"# output, \"|! \" for standard error).\n",
	"relc_output() {\n",
	"\tif [ -s \"$RELC_TMP/out\" ] || [ -s \"$RELC_TMP/err\" ]; then\n",
	"\t\tif [ -n \"$RELC_OPEN\" ]; then\n",
	"\t\t\tprintf '\\n'\n",
	"\t\t\tRELC_OPEN=\n",
	"\t\tfi\n",
	"\t\tRELC_AJ=${RELC_JOURNAL:-/dev/null} awk '\n",
	"\t\t\tFNR == 1 { e = (FILENAME != ARGV[1]) }\n",
	"\t\t\te { print \"    ! \" $0; print \"|! \" $0 >> ENVIRON[\"RELC_AJ\"]; next }\n",
	"\t\t\t{ print \"    | \" $0; print \"| \" $0 >> ENVIRON[\"RELC_AJ\"] }\n",
	"\t\t' \"$RELC_TMP/out\" \"$RELC_TMP/err\"\n",
	"\tfi\n",
	"}\n",
	"\n",
	"# Read a whole file into RELC_R, trailing newlines removed.\n",
	"relc_read() {\n",
	"\tRELC_R=$(cat \"$1\") && return 0\n",
	"\tRELC_R=\n",
	"\treturn 1\n",
	"}\n",
	"\n",
	"# Read a stored value (state folder) into RELC_R; fails if there is none.\n",
	"relc_load() {\n",
	"\tif [ -n \"$RELC_VPATH\" ] && [ -f \"$RELC_VPATH/$1\" ]; then\n",
	"\t\trelc_read \"$RELC_VPATH/$1\"\n",
	"\t\treturn\n",
	"\tfi\n",
	"\tRELC_R=\n",
	"\treturn 1\n",
	"}\n",
	"\n",
	"# Store $2 (a file's bytes) as value $1 in the state folder, atomically.\n",
	"relc_save_file() {\n",
	"\tif [ -z \"$RELC_VALUES\" ]; then\n",
	"\t\treturn 0\n",
	"\tfi\n",
	"\tif cat \"$2\" > \"$RELC_VALUES/.$1.tmp\" && mv -f \"$RELC_VALUES/.$1.tmp\" \"$RELC_VALUES/$1\"; then\n",
	"\t\treturn 0\n",
	"\tfi\n",
	"\tRELC_WHY=\"cannot store $1 in $RELC_VALUES\"\n",
	"\treturn 1\n",
	"}\n",
	"\n",
	"# Store the string $2 as value $1.\n",
	"relc_save() {\n",
	"\tif [ -z \"$RELC_VALUES\" ]; then\n",
	"\t\treturn 0\n",
	"\tfi\n",
	"\tif printf '%s' \"$2\" > \"$RELC_VALUES/.$1.tmp\" && mv -f \"$RELC_VALUES/.$1.tmp\" \"$RELC_VALUES/$1\"; then\n",
	"\t\treturn 0\n",
	"\tfi\n",
	"\tRELC_WHY=\"cannot store $1 in $RELC_VALUES\"\n",
	"\treturn 1\n",
	"}\n",
	"\n",
	"# A command's standard output becomes capture $1 (RELC_R holds the value).\n",
	"relc_store() {\n",
	"\tif [ -n \"$RELC_DRY\" ]; then\n",
	"\t\tRELC_R=\n",
	"\t\treturn 0\n",
	"\tfi\n",
	"\tif ! relc_read \"$RELC_TMP/out\"; then\n",
	"\t\tRELC_WHY=\"cannot read the output of command $RELC_CN\"\n",
	"\t\treturn 1\n",
	"\tfi\n",
	"\trelc_save_file \"capture.$1\" \"$RELC_TMP/out\" || return 1\n",
	"\tRELC_HAVE=\"$RELC_HAVE$1 \"\n",
	"\trelc_journal \"$RELC_BID\" capture - - \"$1\"\n",
	"\treturn 0\n",
	"}\n",
	"\n",
	"# Fail unless capture $1 has a value (it may come from an earlier run).\n",
	"relc_need() {\n",
	"\tcase $RELC_HAVE in\n",
	"\t*\" $1 \"*) return 0 ;;\n",
	"\tesac\n",
	"\tif [ -n \"$RELC_DRY\" ]; then\n",
	"\t\treturn 0\n",
	"\tfi\n",
	"\tRELC_WHY=\"capture $1 has no recorded value (its command never completed)\"\n",
	"\treturn 1\n",
	"}\n",
	"\n",
	"relc_sha() {\n",
	"\trelc_h=$(sha256sum < \"$1\") || return 1\n",
	"\tRELC_R=${relc_h%% *}\n",
	"\tcase $RELC_R in\n",
	"\t'') return 1 ;;\n",
	"\tesac\n",
	"\treturn 0\n",
	"}\n",
	"\n",
	"# Record the SHA-256 of the file named by capture $1 (path $2).\n",
	"relc_checksum() {\n",
	"\tif [ -n \"$RELC_DRY\" ]; then\n",
	"\t\tprintf '    checksum %s\\n' \"$1\"\n",
	"\t\treturn 0\n",
	"\tfi\n",
	"\tif ! relc_sha \"$2\"; then\n",
	"\t\tRELC_WHY=\"cannot compute the SHA-256 of $1 ($2)\"\n",
	"\t\treturn 1\n",
	"\tfi\n",
	"\trelc_save \"checksum.$1\" \"$RELC_R\" || return 1\n",
	"\tRELC_SUMOK=\"$RELC_SUMOK$1 \"\n",
	"\trelc_journal \"$RELC_BID\" checksum - - \"$1 $RELC_R\"\n",
	"\treturn 0\n",
	"}\n",
	"\n",
	"# Before a rollback command uses capture $1 (path $2): the file must still\n",
	"# have the SHA-256 recorded after the backup.\n",
	"relc_verify_sum() {\n",
	"\tif [ -n \"$RELC_DRY\" ]; then\n",
	"\t\treturn 0\n",
	"\tfi\n",
	"\tcase $RELC_SUMOK in\n",
	"\t*\" $1 \"*) return 0 ;;\n",
	"\tesac\n",
	"\tif ! relc_load \"checksum.$1\"; then\n",
	"\t\tRELC_WHY=\"no SHA-256 was recorded for $1\"\n",
	"\t\treturn 1\n",
	"\tfi\n",
	"\trelc_want=$RELC_R\n",
	"\tif ! relc_sha \"$2\"; then\n",
	"\t\tRELC_WHY=\"cannot read $1 ($2) to verify its SHA-256\"\n",
	"\t\treturn 1\n",
	"\tfi\n",
	"\tif [ \"$RELC_R\" != \"$relc_want\" ]; then\n",
	"\t\tRELC_WHY=\"$1 ($2) changed since the backup: SHA-256 $RELC_R, recorded $relc_want\"\n",
	"\t\treturn 1\n",
	"\tfi\n",
	"\tRELC_SUMOK=\"$RELC_SUMOK$1 \"\n",
	"\trelc_journal \"$RELC_BID\" checksum-ok - - \"$1\"\n",
	"\treturn 0\n",
	"}\n",
	"\n",
	"# ---- dry-run printing ----\n",
	"relc_pb() {\n",
	"\tprintf '%s%s' \"$RELC_IND\" \"$1\"\n",
	"}\n",
	"relc_p() {\n",
	"\tprintf '%s' \"$1\"\n",
	"}\n",
	"relc_pu() {\n",
	"\trelc_q \"$1\"\n",
	"\tprintf '%s' \"$RELC_Q\"\n",
	"}\n",
	"# Inside double quotes: backslash before $ ` \" and \\.\n",
	"relc_pd() {\n",
	"\trelc_in=$1\n",
	"\twhile :; do\n",
	"\t\tcase $relc_in in\n",
	"\t\t*[\\\\\\$\\`\\\"]*)\n",
	"\t\t\trelc_pre=${relc_in%%[\\\\\\$\\`\\\"]*}\n",
	"\t\t\trelc_in=${relc_in#\"$relc_pre\"}\n",
	"\t\t\tprintf '%s\\\\%s' \"$relc_pre\" \"${relc_in%\"${relc_in#?}\"}\"\n",
	"\t\t\trelc_in=${relc_in#?}\n",
	"\t\t\t;;\n",
	"\t\t*)\n",
	"\t\t\tprintf '%s' \"$relc_in\"\n",
	"\t\t\treturn 0\n",
	"\t\t\t;;\n",
	"\t\tesac\n",
	"\tdone\n",
	"}\n",
	"relc_ph() {\n",
	"\trelc_in=$1\n",
	"\twhile :; do\n",
	"\t\tcase $relc_in in\n",
	"\t\t*[\\\\\\$\\`]*)\n",
	"\t\t\trelc_pre=${relc_in%%[\\\\\\$\\`]*}\n",
	"\t\t\trelc_in=${relc_in#\"$relc_pre\"}\n",
	"\t\t\tprintf '%s\\\\%s' \"$relc_pre\" \"${relc_in%\"${relc_in#?}\"}\"\n",
	"\t\t\trelc_in=${relc_in#?}\n",
	"\t\t\t;;\n",
	"\t\t*)\n",
	"\t\t\tprintf '%s' \"$relc_in\"\n",
	"\t\t\treturn 0\n",
	"\t\t\t;;\n",
	"\t\tesac\n",
	"\tdone\n",
	"}\n",
	"relc_pe() {\n",
	"\tprintf '\\n'\n",
	"}\n",
	"\n",
	"# ---- running one command ----\n",
	"# relc_run TEXT EXPECTED-EXIT NUMBER: run TEXT with the block's remaining\n",
	"# time, output to files, as `cmd & wait $!` so a signal is handled at once.\n",
	"relc_run() {\n",
	"\tRELC_CN=$3\n",
	"\tif [ -n \"$RELC_DRY\" ]; then\n",
	"\t\treturn 0\n",
	"\tfi\n",
	"\tif [ -z \"$RELC_RECENT\" ]; then\n",
	"\t\trelc_now\n",
	"\tfi\n",
	"\tRELC_RECENT=\n",
	"\trelc_c0=$RELC_MS\n",
	"\ttrue > \"$RELC_TMP/rc\"\n",
	"\t# Without a limit the command still runs under timeout(1), for a year:\n",
	"\t# timeout gives it a process group that a signal can stop as a whole.\n",
	"\tRELC_F=31536000\n",
	"\tif [ \"$RELC_LIMIT\" -gt 0 ]; then\n",
	"\t\trelc_left=$(( RELC_LIMIT - (RELC_MS - RELC_B0) ))\n",
	"\t\tif [ \"$relc_left\" -le 0 ]; then\n",
	"\t\t\trelc_fmt \"$RELC_LIMIT\"\n",
	"\t\t\tRELC_WHY=\"the block's limit of $RELC_F was reached before command $3\"\n",
	"\t\t\tRELC_ST=-\n",
	"\t\t\trelc_journal \"$RELC_BID\" timeout - - \"command $3 not started\"\n",
	"\t\t\treturn 1\n",
	"\t\tfi\n",
	"\t\trelc_secs \"$relc_left\"\n",
	"\tfi\n",
	"\tif [ -n \"$RELC_SETSID\" ]; then\n",
	"\t\texec setsid timeout -k \"$RELC_GRACE\" \"$RELC_F\" sh -c \"$RELC_HEAD$1\" < /dev/null > \"$RELC_TMP/out\" 2> \"$RELC_TMP/err\" &\n",
	"\telse\n",
	"\t\texec timeout -k \"$RELC_GRACE\" \"$RELC_F\" sh -c \"$RELC_HEAD$1\" < /dev/null > \"$RELC_TMP/out\" 2> \"$RELC_TMP/err\" &\n",
	"\tfi\n",
	"\tRELC_CHILD=$!\n",
	"\trelc_pid=$RELC_CHILD\n",
	"\twait \"$RELC_CHILD\"\n",
	"\tRELC_ST=$?\n",
	"\tRELC_CHILD=\n",
	"\trelc_mark=\n",
	"\tread -r relc_mark < \"$RELC_TMP/rc\" || relc_mark=\n",
	"\trelc_now\n",
	"\trelc_fmt $(( RELC_MS - relc_c0 ))\n",
	"\t# 124 is coreutils' timeout, 143 busybox's, 137 a KILL after the grace\n",
	"\t# period; without the command's own marker saying so, it was stopped.\n",
	"\tcase $RELC_ST in\n",
	"\t124|137|143)\n",
	"\t\tif [ \"$relc_mark\" != \"$RELC_ST\" ]; then\n",
	"\t\t\t# whatever the command left running in its group goes too\n",
	"\t\t\tkill -s KILL -- \"-$relc_pid\" 2> /dev/null\n",
	"\t\t\trelc_journal \"$RELC_BID\" timeout \"$RELC_F\" \"$RELC_ST\" \"command $3\"\n",
	"\t\t\trelc_output\n",
	"\t\t\trelc_fmt \"$RELC_LIMIT\"\n",
	"\t\t\tif [ \"$RELC_LIMIT\" -gt 0 ] && [ $(( RELC_MS - RELC_B0 + 100 )) -ge \"$RELC_LIMIT\" ]; then\n",
	"\t\t\t\tRELC_WHY=\"command $3 was stopped: the block's limit of $RELC_F was reached\"\n",
	"\t\t\telse\n",
	"\t\t\t\tRELC_WHY=\"command $3 was stopped by a signal (status $RELC_ST)\"\n",
	"\t\t\tfi\n",
	"\t\t\treturn 1\n",
	"\t\tfi\n",
	"\t\t;;\n",
	"\tesac\n",
	"\trelc_journal \"$RELC_BID\" run \"$RELC_F\" \"$RELC_ST\" \"command $3\"\n",
	"\trelc_output\n",
	"\tif [ \"$RELC_ST\" != \"$2\" ]; then\n",
	"\t\tif [ \"$2\" = 0 ]; then\n",
	"\t\t\tRELC_WHY=\"command $3 exited with status $RELC_ST\"\n",
	"\t\telse\n",
	"\t\t\tRELC_WHY=\"command $3 exited with status $RELC_ST, expected $2\"\n",
	"\t\tfi\n",
	"\t\treturn 1\n",
	"\tfi\n",
	"\treturn 0\n",
	"}\n",
	"\n",
	"# ---- expectations on the last command's output ----\n",
	"relc_xname() {\n",
	"\tcase $1 in\n",
	"\tout) relc_sn=stdout ;;\n",
	"\t*) relc_sn=stderr ;;\n",
	"\tesac\n",
	"}\n",
	"\n",
	"relc_xfail() {\n",
	"\tRELC_WHY=\"command $RELC_CN: expected $1\"\n",
	"\trelc_journal \"$RELC_BID\" expect-failed - \"$RELC_ST\" \"$RELC_WHY\"\n",
	"\treturn 1\n",
	"}\n",
	"\n",
	"relc_x_exit() {\n",
	"\tif [ -n \"$RELC_DRY\" ]; then\n",
	"\t\tprintf '%s  expect exit %s\\n' \"$RELC_IND\" \"$1\"\n",
	"\tfi\n",
	"\treturn 0\n",
	"}\n",
	"\n",
	"relc_x_eq() {\n",
	"\trelc_xname \"$1\"\n",
	"\trelc_q \"$2\"\n",
	"\tif [ -n \"$RELC_DRY\" ]; then\n",
	"\t\tprintf '%s  expect %s %s\\n' \"$RELC_IND\" \"$relc_sn\" \"$RELC_Q\"\n",
	"\t\treturn 0\n",
	"\tfi\n",
	"\trelc_read \"$RELC_TMP/$1\"\n",
	"\tif [ \"$RELC_R\" = \"$2\" ]; then\n",
	"\t\treturn 0\n",
	"\tfi\n",
	"\trelc_xfail \"$relc_sn to be $RELC_Q\"\n",
	"}\n",
	"\n",
	"relc_x_contains() {\n",
	"\trelc_xname \"$1\"\n",
	"\trelc_q \"$2\"\n",
	"\tif [ -n \"$RELC_DRY\" ]; then\n",
	"\t\tprintf '%s  expect %s contains %s\\n' \"$RELC_IND\" \"$relc_sn\" \"$RELC_Q\"\n",
	"\t\treturn 0\n",
	"\tfi\n",
	"\tif grep -F -e \"$2\" \"$RELC_TMP/$1\" > /dev/null; then\n",
	"\t\treturn 0\n",
	"\tfi\n",
	"\trelc_xfail \"$relc_sn to contain $RELC_Q\"\n",
	"}\n",
	"\n",
	"relc_x_matches() {\n",
	"\trelc_xname \"$1\"\n",
	"\trelc_q \"$2\"\n",
	"\tif [ -n \"$RELC_DRY\" ]; then\n",
	"\t\tprintf '%s  expect %s matches %s\\n' \"$RELC_IND\" \"$relc_sn\" \"$RELC_Q\"\n",
	"\t\treturn 0\n",
	"\tfi\n",
	"\tgrep -E -e \"$2\" \"$RELC_TMP/$1\" > /dev/null\n",
	"\tcase $? in\n",
	"\t0) return 0 ;;\n",
	"\t1) relc_xfail \"a line of $relc_sn to match $RELC_Q\" ;;\n",
	"\t*) relc_xfail \"a line of $relc_sn to match $RELC_Q (grep could not use the expression)\" ;;\n",
	"\tesac\n",
	"}\n",
	"\n",
	"relc_x_empty() {\n",
	"\trelc_xname \"$1\"\n",
	"\tif [ -n \"$RELC_DRY\" ]; then\n",
	"\t\tprintf '%s  expect %s empty\\n' \"$RELC_IND\" \"$relc_sn\"\n",
	"\t\treturn 0\n",
	"\tfi\n",
	"\trelc_read \"$RELC_TMP/$1\"\n",
	"\tif [ -z \"$RELC_R\" ]; then\n",
	"\t\treturn 0\n",
	"\tfi\n",
	"\trelc_xfail \"$relc_sn to be empty\"\n",
	"}\n",
	"\n",
	"relc_x_nonempty() {\n",
	"\trelc_xname \"$1\"\n",
	"\tif [ -n \"$RELC_DRY\" ]; then\n",
	"\t\tprintf '%s  expect %s not-empty\\n' \"$RELC_IND\" \"$relc_sn\"\n",
	"\t\treturn 0\n",
	"\tfi\n",
	"\trelc_read \"$RELC_TMP/$1\"\n",
	"\tif [ -n \"$RELC_R\" ]; then\n",
	"\t\treturn 0\n",
	"\tfi\n",
	"\trelc_xfail \"$relc_sn not to be empty\"\n",
	"}\n",
	"\n",
	"relc_icmp() {\n",
	"\tcase $2 in\n",
	"\t-eq) [ \"$1\" -eq \"$3\" ] ;;\n",
	"\t-ne) [ \"$1\" -ne \"$3\" ] ;;\n",
	"\t-lt) [ \"$1\" -lt \"$3\" ] ;;\n",
	"\t-le) [ \"$1\" -le \"$3\" ] ;;\n",
	"\t-gt) [ \"$1\" -gt \"$3\" ] ;;\n",
	"\t*) [ \"$1\" -ge \"$3\" ] ;;\n",
	"\tesac\n",
	"}\n",
	"\n",
	"# relc_x_cmp STREAM OP N: the whole output, blanks aside, is an integer that\n",
	"# compares as asked (OP is a test(1) operator: -eq -ne -lt -le -gt -ge).\n",
	"relc_x_cmp() {\n",
	"\trelc_xname \"$1\"\n",
	"\tcase $2 in\n",
	"\t-eq) relc_op='==' ;;\n",
	"\t-ne) relc_op='!=' ;;\n",
	"\t-lt) relc_op='<' ;;\n",
	"\t-le) relc_op='<=' ;;\n",
	"\t-gt) relc_op='>' ;;\n",
	"\t*) relc_op='>=' ;;\n",
	"\tesac\n",
	"\tif [ -n \"$RELC_DRY\" ]; then\n",
	"\t\tprintf '%s  expect %s %s %s\\n' \"$RELC_IND\" \"$relc_sn\" \"$relc_op\" \"$3\"\n",
	"\t\treturn 0\n",
	"\tfi\n",
	"\trelc_read \"$RELC_TMP/$1\"\n",
	"\trelc_v=$RELC_R\n",
	"\twhile :; do\n",
	"\t\tcase $relc_v in\n",
	"\t\t[\" $RELC_TAB$RELC_NL\"]*) relc_v=${relc_v#?} ;;\n",
	"\t\t*[\" $RELC_TAB$RELC_NL\"]) relc_v=${relc_v%?} ;;\n",
	"\t\t*) break ;;\n",
	"\t\tesac\n",
	"\tdone\n",
	"\tcase ${relc_v#-} in\n",
	"\t''|*[!0-9]*)\n",
	"\t\trelc_xfail \"$relc_sn to be an integer $relc_op $3\"\n",
	"\t\treturn 1\n",
	"\t\t;;\n",
	"\tesac\n",
	"\tif relc_icmp \"$relc_v\" \"$2\" \"$3\"; then\n",
	"\t\treturn 0\n",
	"\tfi\n",
	"\trelc_xfail \"$relc_sn $relc_op $3 (it is $relc_v)\"\n",
	"}\n",
	"\n",
	"# ---- the state folder ----\n",
	"relc_state_init() {\n",
	"\tif ! mkdir -p \"$RELC_STATE\" 2> /dev/null || [ ! -d \"$RELC_STATE\" ]; then\n",
	"\t\trelc_err \"cannot create the state folder $RELC_STATE\"\n",
	"\t\trelc_exit 2\n",
	"\tfi\n",
	"\tRELC_JPATH=$RELC_STATE/journal.log\n",
	"}\n",
	"\n",
	"relc_lock() {\n",
	"\tif mkdir \"$RELC_STATE/lock\" 2> /dev/null; then\n",
	"\t\tRELC_LOCKED=1\n",
	"\t\tprintf '%s\\n' \"$$\" > \"$RELC_STATE/lock/pid\"\n",
	"\t\treturn 0\n",
	"\tfi\n",
	"\trelc_holder=\n",
	"\tif [ -f \"$RELC_STATE/lock/pid\" ]; then\n",
	"\t\tread -r relc_holder < \"$RELC_STATE/lock/pid\" || relc_holder=\n",
	"\tfi\n",
	"\tcase $relc_holder in\n",
	"\t''|*[!0-9]*)\n",
	"\t\trelc_err \"locked: another run is starting and holds $RELC_STATE/lock\"\n",
	"\t\t;;\n",
	"\t*)\n",
	"\t\tif kill -0 \"$relc_holder\" 2> /dev/null; then\n",
	"\t\t\trelc_err \"locked: another run (PID $relc_holder) holds $RELC_STATE/lock\"\n",
	"\t\telse\n",
	"\t\t\trelc_err \"stale lock: $RELC_STATE/lock was left by PID $relc_holder, which is no longer running; make sure no deploy or rollback is active, then remove that folder\"\n",
	"\t\tfi\n",
	"\t\t;;\n",
	"\tesac\n",
	"\trelc_exit 5\n",
	"}\n",
	"\n",
	"relc_tmp() {\n",
	"\tRELC_TMP=$(mktemp -d \"${TMPDIR:-/tmp}/relc.XXXXXX\") || RELC_TMP=\n",
	"\tif [ -z \"$RELC_TMP\" ]; then\n",
	"\t\trelc_err \"cannot create a temporary folder\"\n",
	"\t\trelc_exit 2\n",
	"\tfi\n",
	"\tRELC_RC=$RELC_TMP/rc\n",
	"\texport RELC_RC\n",
	"}\n",
	"\n",
	"relc_tools() {\n",
	"\tfor relc_t in timeout mktemp date awk grep cat mv rm mkdir $RELC_MORE_TOOLS; do\n",
	"\t\tif ! command -v \"$relc_t\" > /dev/null 2>&1; then\n",
	"\t\t\trelc_err \"this script needs $relc_t, which is not on PATH: nothing was changed\"\n",
	"\t\t\trelc_exit 2\n",
	"\t\tfi\n",
	"\tdone\n",
	"\t# coreutils timeout puts the command in a process group of its own and\n",
	"\t# stops all of it; busybox's stops only the command's shell, so there\n",
	"\t# setsid(1) makes the group the script stops on a timeout or a signal.\n",
	"\tcase $(timeout --version 2>&1) in\n",
	"\t*coreutils*) ;;\n",
	"\t*)\n",
	"\t\tif command -v setsid > /dev/null 2>&1; then\n",
	"\t\t\tRELC_SETSID=1\n",
	"\t\tfi\n",
	"\t\t;;\n",
	"\tesac\n",
	"}\n",
	"\n",
	"# Read the journal: which blocks completed (RELC_DONE), which steps started\n",
	"# (RELC_STARTED, RELC_KMAX), how the last run ended (RELC_LAST).\n",
	"relc_scan() {\n",
	"\tRELC_DONE=' '\n",
	"\tRELC_STARTED=' '\n",
	"\tRELC_KMAX=0\n",
	"\tRELC_LAST=\n",
	"\tRELC_RB=\n",
	"\tif [ ! -f \"$RELC_JPATH\" ]; then\n",
	"\t\treturn 1\n",
	"\tfi\n",
	"\t# shellcheck disable=SC2034\n",
	"\twhile IFS=$RELC_TAB read -r relc_ts relc_b relc_e relc_rest; do\n",
	"\t\tcase $relc_ts in\n",
	"\t\t[0-9][0-9][0-9][0-9]-*) ;;\n",
	"\t\t*) continue ;;\n",
	"\t\tesac\n",
	"\t\tcase $relc_b/$relc_e in\n",
	"\t\tstep:*/start)\n",
	"\t\t\trelc_k=${relc_b#step:}\n",
	"\t\t\tcase $relc_k in\n",
	"\t\t\t''|*[!0-9]*) continue ;;\n",
	"\t\t\tesac\n",
	"\t\t\trelc_forget \"undo:$relc_k\"\n",
	"\t\t\tcase $RELC_STARTED in\n",
	"\t\t\t*\" $relc_k \"*) ;;\n",
	"\t\t\t*) RELC_STARTED=\"$RELC_STARTED$relc_k \" ;;\n",
	"\t\t\tesac\n",
	"\t\t\tif [ \"$relc_k\" -gt \"$RELC_KMAX\" ]; then\n",
	"\t\t\t\tRELC_KMAX=$relc_k\n",
	"\t\t\tfi\n",
	"\t\t\t;;\n",
	"\t\t-/deploy-start)\n",
	"\t\t\tRELC_RB=\n",
	"\t\t\tRELC_LAST=$relc_e\n",
	"\t\t\t;;\n",
	"\t\t-/rollback-start)\n",
	"\t\t\tRELC_RB=1\n",
	"\t\t\tRELC_LAST=$relc_e\n",
	"\t\t\t;;\n",
	"\t\t-/*) RELC_LAST=$relc_e ;;\n",
	"\t\t*/ok) RELC_DONE=\"$RELC_DONE$relc_b \" ;;\n",
	"\t\tesac\n",
	"\tdone < \"$RELC_JPATH\"\n",
	"\treturn 0\n",
	"}\n",
	"\n",
	"# Drop block $1 from RELC_DONE: a step that starts again must be undone again.\n",
	"relc_forget() {\n",
	"\twhile :; do\n",
	"\t\tcase $RELC_DONE in\n",
	"\t\t*\" $1 \"*)\n",
	"\t\t\trelc_fa=${RELC_DONE%%\" $1 \"*}\n",
	"\t\t\trelc_fb=${RELC_DONE#*\" $1 \"}\n",
	"\t\t\tRELC_DONE=\"$relc_fa $relc_fb\"\n",
	"\t\t\t;;\n",
	"\t\t*) return 0 ;;\n",
	"\t\tesac\n",
	"\tdone\n",
	"}\n",
	"\n",
	"# Move the last run's journal and values aside before a fresh deploy.\n",
	"relc_archive() {\n",
	"\trelc_now\n",
	"\trelc_arch=$RELC_STATE/run-$RELC_TS-$$\n",
	"\tif mkdir \"$relc_arch\" && mv -f \"$RELC_JPATH\" \"$relc_arch/\"; then\n",
	"\t\tif [ -d \"$RELC_VPATH\" ]; then\n",
	"\t\t\tmv -f \"$RELC_VPATH\" \"$relc_arch/\" || return 1\n",
	"\t\tfi\n",
	"\t\tprintf 'The journal of the earlier run was moved to %s\\n' \"$relc_arch\"\n",
	"\t\treturn 0\n",
	"\tfi\n",
	"\treturn 1\n",
	"}\n",
	"\n",
	"relc_open_journal() {\n",
	"\tif ! mkdir -p \"$RELC_VPATH\"; then\n",
	"\t\trelc_err \"cannot create $RELC_VPATH\"\n",
	"\t\trelc_exit 2\n",
	"\tfi\n",
	"\tRELC_VALUES=$RELC_VPATH\n",
	"\tRELC_JOURNAL=$RELC_JPATH\n",
	"}\n",
	"\n",
	"relc_script_dir() {\n",
	"\tcase $0 in\n",
	"\t*/*) RELC_DIR=${0%/*} ;;\n",
	"\t*) RELC_DIR=. ;;\n",
	"\tesac\n",
	"}\n",
	"\n",
	"# The banner that hands the release to a person: reason, then exact commands.\n",
	"relc_escalate() {\n",
	"\trelc_now\n",
	"\trelc_journal - escalated - - \"$1\"\n",
	"\trelc_script_dir\n",
	"\trelc_q \"$RELC_DIR/rollback.sh\"\n",
	"\trelc_rb=$RELC_Q\n",
	"\trelc_q \"$RELC_DIR/deploy.sh\"\n",
	"\trelc_dp=$RELC_Q\n",
	"\trelc_q \"$RELC_STATE/journal.log\"\n",
	"\tprintf '\\n%s\\n' '==================== ESCALATE ===================='\n",
	"\tprintf '%s\\n' \"$RELC_PROJECT release $RELC_RELEASE needs a person: the script stopped.\" \"Reason: $1\" '' 'Next:'\n",
	"\tprintf '  %s\\n' \"1. Read what happened:  tail -n 100 $RELC_Q\"\n",
	"\tcase $RELC_ME$RELC_ROLLING in\n",
	"\trollback.sh|*1)\n",
	"\t\tprintf '  %s\\n' \"2. Fix the cause, then finish the rollback (undos already done are skipped):\" \"     sh $relc_rb --yes\"\n",
	"\t\t;;\n",
	"\t*)\n",
	"\t\tprintf '  %s\\n' \"2. Fix the cause, then either continue the deploy:\" \"     sh $relc_dp --resume --yes\" \"   or roll back every step that started:\" \"     sh $relc_rb --yes\"\n",
	"\t\t;;\n",
	"\tesac\n",
	"\tprintf '%s\\n' '=================================================='\n",
	"\trelc_exit 4\n",
	"}\n",
	"\n",
	"relc_signal() {\n",
	"\ttrap '' INT TERM\n",
	"\tif [ -n \"$RELC_CHILD\" ]; then\n",
	"\t\tkill -s TERM \"$RELC_CHILD\" 2> /dev/null\n",
	"\t\tkill -s TERM -- \"-$RELC_CHILD\" 2> /dev/null\n",
	"\t\twait \"$RELC_CHILD\"\n",
	"\t\tkill -s KILL -- \"-$RELC_CHILD\" 2> /dev/null\n",
	"\t\tRELC_CHILD=\n",
	"\tfi\n",
	"\trelc_now\n",
	"\tif [ \"$RELC_BID\" != - ]; then\n",
	"\t\trelc_journal \"$RELC_BID\" interrupted - \"$1\" \"$2 received\"\n",
	"\tfi\n",
	"\trelc_journal - interrupted - \"$1\" \"$2\"\n",
	"\trelc_script_dir\n",
	"\tprintf '\\n%s\\n' \"Interrupted by $2 during ${RELC_BNAME:-start-up}. The script does not roll back on its own.\"\n",
	"\tif [ -n \"$RELC_JOURNAL\" ]; then\n",
	"\t\trelc_q \"$RELC_DIR/rollback.sh\"\n",
	"\t\trelc_rb=$RELC_Q\n",
	"\t\trelc_q \"$RELC_DIR/deploy.sh\"\n",
	"\t\tcase $RELC_ME$RELC_ROLLING in\n",
	"\t\trollback.sh|*1) printf '%s\\n' \"To finish the rollback:  sh $relc_rb --yes\" ;;\n",
	"\t\t*) printf '%s\\n' \"To continue:   sh $RELC_Q --resume --yes\" \"To roll back:  sh $relc_rb --yes\" ;;\n",
	"\t\tesac\n",
	"\tfi\n",
	"\trelc_exit \"$1\"\n",
	"}\n",
	"\n",
	"relc_confirm() {\n",
	"\tif [ -n \"$RELC_YES\" ]; then\n",
	"\t\treturn 0\n",
	"\tfi\n",
	"\tif [ ! -t 0 ]; then\n",
	"\t\trelc_err \"standard input is not a terminal: pass --yes to $1 without confirmation\"\n",
	"\t\trelc_exit 1\n",
	"\tfi\n",
	"\tprintf '%s\\n' \"About to $1 $RELC_PROJECT release $RELC_RELEASE\" \\\n",
	"\t\t\"  previous: $RELC_PREVIOUS ($RELC_PREVIOUS_REF)\" \\\n",
	"\t\t\"  target:   $RELC_TARGET ($RELC_TARGET_REF)\" \\\n",
	"\t\t\"  state:    $RELC_STATE\"\n",
	"\tprintf '%s' 'Type yes to continue: '\n",
	"\trelc_ans=\n",
	"\tread -r relc_ans || relc_ans=\n",
	"\tRELC_RECENT=\n",
	"\tif [ \"$relc_ans\" != yes ]; then\n",
	"\t\trelc_err \"not confirmed: nothing was changed\"\n",
	"\t\trelc_exit 1\n",
	"\tfi\n",
	"}\n",
	"\n",
	"# ---- blocks ----\n",
	"# relc_block ID KIND NAME LIMIT-MS HEADER BODY: one block with its progress\n",
	"# line and journal events; returns the body's status (RELC_WHY on failure).\n",
	"relc_block() {\n",
	"\tRELC_BID=$1\n",
	"\tRELC_BNAME=\"$2 \\\"$3\\\"\"\n",
	"\tRELC_SEQN=$(( RELC_SEQN + 1 ))\n",
	"\tif [ -n \"$RELC_DRY\" ]; then\n",
	"\t\tprintf '%s\\n' \"[$RELC_SEQN/$RELC_TOTAL] $RELC_BNAME $5\"\n",
	"\t\t\"$6\"\n",
	"\t\treturn 0\n",
	"\tfi\n",
	"\tif [ -z \"$RELC_RECENT\" ]; then\n",
	"\t\trelc_now\n",
	"\tfi\n",
	"\tRELC_B0=$RELC_MS\n",
	"\tRELC_LIMIT=$4\n",
	"\tRELC_WHY=\n",
	"\tRELC_ST=-\n",
	"\trelc_journal \"$1\" start - - \"$3\"\n",
	"\tcase $1 in\n",
	"\tstep:*)\n",
	"\t\trelc_forget \"undo:${1#step:}\"\n",
	"\t\tcase $RELC_STARTED in\n",
	"\t\t*\" ${1#step:} \"*) ;;\n",
	"\t\t*) RELC_STARTED=\"$RELC_STARTED${1#step:} \" ;;\n",
	"\t\tesac\n",
	"\t\t;;\n",
	"\tesac\n",
	"\tprintf '%s' \"[$RELC_SEQN/$RELC_TOTAL] $RELC_BNAME $5 \342\200\246 \"\n",
	"\tRELC_OPEN=1\n",
	"\t\"$6\"\n",
	"\trelc_brc=$?\n",
	"\tif [ -z \"$RELC_RECENT\" ]; then\n",
	"\t\trelc_now\n",
	"\tfi\n",
	"\trelc_fmt $(( RELC_MS - RELC_B0 ))\n",
	"\tif [ -z \"$RELC_OPEN\" ]; then\n",
	"\t\tprintf '%s' \"[$RELC_SEQN/$RELC_TOTAL] $RELC_BNAME $5 \342\200\246 \"\n",
	"\tfi\n",
	"\tRELC_OPEN=\n",
	"\tif [ \"$relc_brc\" -eq 0 ]; then\n",
	"\t\tprintf '%s\\n' \"ok $RELC_F\"\n",
	"\t\trelc_journal \"$1\" ok \"$RELC_F\" 0 \"$3\"\n",
	"\t\treturn 0\n",
	"\tfi\n",
	"\tprintf '%s\\n' \"FAILED $RELC_F\" \"    $RELC_WHY\"\n",
	"\trelc_journal \"$1\" failed \"$RELC_F\" \"$RELC_ST\" \"$RELC_WHY\"\n",
	"\treturn 1\n",
	"}\n",
	"\n",
	"# A block already completed in an earlier run (--resume).\n",
	"relc_skip() {\n",
	"\tRELC_SEQN=$(( RELC_SEQN + 1 ))\n",
	"\tprintf '%s\\n' \"[$RELC_SEQN/$RELC_TOTAL] $2 \\\"$3\\\" \342\200\246 already done\"\n",
	"\trelc_now\n",
	"\trelc_journal \"$1\" skipped - - \"$3\"\n",
	"}\n",
	"\n",
	"# relc_undo N NAME LIMIT-MS HEADER BODY: the undo of step N, once.\n",
	"# Is step $1 on the rollback path: it started (or --all)?\n",
	"relc_to_undo() {\n",
	"\tcase $RELC_STARTED in\n",
	"\t*\" $1 \"*) return 0 ;;\n",
	"\tesac\n",
	"\t[ -n \"$RELC_ALL\" ]\n",
	"}\n",
	"\n",
	"relc_undo() {\n",
	"\tcase $RELC_DONE in\n",
	"\t*\" undo:$1 \"*)\n",
	"\t\tprintf '%s\\n' \"undo of step $1 \\\"$2\\\" \342\200\246 already done\"\n",
	"\t\treturn 0\n",
	"\t\t;;\n",
	"\tesac\n",
	"\tif ! relc_to_undo \"$1\"; then\n",
	"\t\treturn 0\n",
	"\tfi\n",
	"\tif relc_block \"undo:$1\" \"undo of step $1\" \"$2\" \"$3\" \"$4\" \"$5\"; then\n",
	"\t\tRELC_DONE=\"${RELC_DONE}undo:$1 \"\n",
	"\t\treturn 0\n",
	"\tfi\n",
	"\trelc_escalate \"the undo of step $1 \\\"$2\\\" failed: $RELC_WHY; the rollback stopped there\"\n",
	"}\n",
	"\n",
	"relc_undo_none() {\n",
	"\tif ! relc_to_undo \"$1\"; then\n",
	"\t\treturn 0\n",
	"\tfi\n",
	"\tRELC_SEQN=$(( RELC_SEQN + 1 ))\n",
	"\tprintf '%s\\n' \"[$RELC_SEQN/$RELC_TOTAL] undo of step $1 \\\"$2\\\" \342\200\246 nothing to undo ($3)\"\n",
	"\tif [ -z \"$RELC_DRY\" ]; then\n",
	"\t\trelc_now\n",
	"\t\trelc_journal \"undo:$1\" ok - - \"nothing to undo\"\n",
	"\tfi\n",
	"\treturn 0\n",
	"}\n",
	"\n",
	"relc_undo_irreversible() {\n",
	"\tif ! relc_to_undo \"$1\"; then\n",
	"\t\treturn 0\n",
	"\tfi\n",
	"\tRELC_SEQN=$(( RELC_SEQN + 1 ))\n",
	"\tprintf '%s\\n' \"[$RELC_SEQN/$RELC_TOTAL] undo of step $1 \\\"$2\\\" \342\200\246 irreversible ($3)\"\n",
	"\tif [ -n \"$RELC_DRY\" ]; then\n",
	"\t\treturn 0\n",
	"\tfi\n",
	"\trelc_escalate \"step $1 \\\"$2\\\" is irreversible ($3): the rollback cannot go past it\"\n",
	"}\n",
	"\n",
	"# relc_after ID NAME LIMIT-MS HEADER BODY: one after-rollback block, once.\n",
	"relc_after() {\n",
	"\tcase $RELC_DONE in\n",
	"\t*\" $1 \"*)\n",
	"\t\tprintf '%s\\n' \"after-rollback \\\"$2\\\" \342\200\246 already done\"\n",
	"\t\treturn 0\n",
	"\t\t;;\n",
	"\tesac\n",
	"\tif relc_block \"$1\" after-rollback \"$2\" \"$3\" \"$4\" \"$5\"; then\n",
	"\t\tRELC_DONE=\"$RELC_DONE$1 \"\n",
	"\t\treturn 0\n",
	"\tfi\n",
	"\trelc_escalate \"after-rollback \\\"$2\\\" failed: $RELC_WHY\"\n",
	"}\n",
	"\n",
	"# The rollback path from step $1 down to step 1, then every after-rollback.\n",
	"relc_rollback_path() {\n",
	"\trelc_k=$1\n",
	"\twhile [ \"$relc_k\" -gt 0 ]; do\n",
	"\t\trelc_undo_step \"$relc_k\"\n",
	"\t\trelc_k=$(( relc_k - 1 ))\n",
	"\tdone\n",
	"\trelc_after_rollbacks\n",
	"}\n",
	NULL,
};

static const char *const rt_deploy[] = {
	"# ---- deploy.sh: options and the order of a deploy ----\n",
	"RELC_ME=deploy.sh\n",
	"RELC_RESUME=\n",
	"RELC_CHECK_ONLY=\n",
	"RELC_FAIL_AFTER=\n",
	"RELC_SETS=\n",
	"\n",
	"relc_help() {\n",
	"\tprintf '%s\\n' \"Usage: deploy.sh [--yes] [--dry-run] [--check-only] [--resume] [--fail-after STEP] [--set NAME=VALUE]...\" \\\n",
	"\t\t\"Deploy $RELC_PROJECT release $RELC_RELEASE.\" \\\n",
	"\t\t'  --yes              do not ask for confirmation (required without a terminal)' \\\n",
	"\t\t'  --dry-run          print every command in order; run nothing' \\\n",
	"\t\t'  --check-only       run the environment checks and the checks only' \\\n",
	"\t\t'  --resume           continue an interrupted deploy, skipping completed blocks' \\\n",
	"\t\t'  --fail-after STEP  fail right after STEP (name or number): rehearse the rollback' \\\n",
	"\t\t'  --set NAME=VALUE   override a let (recorded in the journal)' \\\n",
	"\t\t'Exit: 0 deployed, 1 usage, 2 checks failed (nothing changed), 3 rolled back, 4 escalate, 5 locked, 130/143 interrupted'\n",
	"}\n",
	"\n",
	"relc_args() {\n",
	"\twhile [ $# -gt 0 ]; do\n",
	"\t\tcase $1 in\n",
	"\t\t--yes) RELC_YES=1 ;;\n",
	"\t\t--dry-run) RELC_DRY=1 ;;\n",
	"\t\t--check-only) RELC_CHECK_ONLY=1 ;;\n",
	"\t\t--resume) RELC_RESUME=1 ;;\n",
	"\t\t--fail-after)\n",
	"\t\t\tif [ $# -lt 2 ]; then\n",
	"\t\t\t\trelc_usage '--fail-after needs a step name or number'\n",
	"\t\t\tfi\n",
	"\t\t\tshift\n",
	"\t\t\tif ! relc_step_number \"$1\"; then\n",
	"\t\t\t\trelc_usage \"--fail-after: no step $1\"\n",
	"\t\t\tfi\n",
	"\t\t\tRELC_FAIL_AFTER=$RELC_N\n",
	"\t\t\t;;\n",
	"\t\t--set)\n",
	"\t\t\tif [ $# -lt 2 ]; then\n",
	"\t\t\t\trelc_usage '--set needs NAME=VALUE'\n",
	"\t\t\tfi\n",
	"\t\t\tshift\n",
	"\t\t\tcase $1 in\n",
	"\t\t\t*=*) ;;\n",
	"\t\t\t*) relc_usage \"--set $1: expected NAME=VALUE\" ;;\n",
	"\t\t\tesac\n",
	"\t\t\trelc_set \"${1%%=*}\" \"${1#*=}\"\n",
	"\t\t\tRELC_SETS=\"$RELC_SETS ${1%%=*}\"\n",
	"\t\t\t;;\n",
	"\t\t-h|--help)\n",
	"\t\t\trelc_help\n",
	"\t\t\texit 0\n",
	"\t\t\t;;\n",
	"\t\t*) relc_usage \"unknown option: $1\" ;;\n",
	"\t\tesac\n",
	"\t\tshift\n",
	"\tdone\n",
	"\tif [ -n \"$RELC_RESUME\" ] && [ -n \"$RELC_SETS\" ]; then\n",
	"\t\trelc_usage '--resume uses the --set values of the interrupted run; do not give --set again'\n",
	"\tfi\n",
	"\tif [ -n \"$RELC_CHECK_ONLY\" ] && { [ -n \"$RELC_RESUME\" ] || [ -n \"$RELC_FAIL_AFTER\" ]; }; then\n",
	"\t\trelc_usage '--check-only runs the checks only: it cannot be combined with --resume or --fail-after'\n",
	"\tfi\n",
	"}\n",
	"\n",
	"# relc_go ID KIND NAME LIMIT-MS HEADER BODY POLICY K: one deploy block; on\n",
	"# failure its policy (K: the last step the rollback path starts from).\n",
	"relc_go() {\n",
	"\tcase $RELC_DONE in\n",
	"\t*\" $1 \"*)\n",
	"\t\trelc_skip \"$1\" \"$2\" \"$3\"\n",
	"\t\treturn 0\n",
	"\t\t;;\n",
	"\tesac\n",
	"\tcase $1/$RELC_STARTED in\n",
	"\tstep:*/*\" ${1#step:} \"*)\n",
	"\t\t# Interrupted part-way in the earlier run: its undo (safe after a\n",
	"\t\t# partial run) restores the state before it, then it runs afresh.\n",
	"\t\tprintf '%s\\n' \"Step ${1#step:} \\\"$3\\\" was interrupted part-way: undoing it before running it again.\"\n",
	"\t\trelc_undo_step \"${1#step:}\"\n",
	"\t\tRELC_SEQN=$(( RELC_SEQN - 1 ))\n",
	"\t\t;;\n",
	"\tesac\n",
	"\tif relc_block \"$1\" \"$2\" \"$3\" \"$4\" \"$5\" \"$6\"; then\n",
	"\t\tif [ -n \"$RELC_FAIL_AFTER\" ] && [ \"$1\" = \"step:$RELC_FAIL_AFTER\" ]; then\n",
	"\t\t\tRELC_WHY=\"--fail-after $RELC_FAIL_AFTER: rehearsal failure right after this step\"\n",
	"\t\t\tprintf '%s\\n' \"    $RELC_WHY\"\n",
	"\t\t\trelc_journal \"$1\" failed - - \"$RELC_WHY\"\n",
	"\t\t\trelc_fail \"$2\" \"$3\" \"$7\" \"$8\"\n",
	"\t\tfi\n",
	"\t\treturn 0\n",
	"\tfi\n",
	"\trelc_fail \"$2\" \"$3\" \"$7\" \"$8\"\n",
	"}\n",
	"\n",
	"relc_fail() {\n",
	"\tRELC_BID=-\n",
	"\tif [ -n \"$RELC_CHECK_ONLY\" ]; then\n",
	"\t\tprintf '%s\\n' \"Check failed: $1 \\\"$2\\\": $RELC_WHY\"\n",
	"\t\trelc_exit 2\n",
	"\tfi\n",
	"\tcase $3 in\n",
	"\tabort)\n",
	"\t\trelc_now\n",
	"\t\trelc_journal - aborted - - \"$1 \\\"$2\\\" failed: $RELC_WHY\"\n",
	"\t\tprintf '%s\\n' \"Stopped: $1 \\\"$2\\\" failed; no step had started, nothing was changed.\"\n",
	"\t\trelc_exit 2\n",
	"\t\t;;\n",
	"\trollback)\n",
	"\t\trelc_now\n",
	"\t\trelc_journal - rollback-start - - \"$1 \\\"$2\\\" failed: $RELC_WHY\"\n",
	"\t\tprintf '%s\\n' \"Rolling back: $1 \\\"$2\\\" failed.\"\n",
	"\t\tRELC_ROLLING=1\n",
	"\t\tRELC_SEQN=0\n",
	"\t\tRELC_TOTAL=$(( $4 + RELC_NAFTER ))\n",
	"\t\trelc_rollback_path \"$4\"\n",
	"\t\tRELC_BID=-\n",
	"\t\trelc_now\n",
	"\t\trelc_journal - rolled-back - - \"$1 \\\"$2\\\" failed\"\n",
	"\t\tprintf '%s\\n' \"Rolled back cleanly after $1 \\\"$2\\\" failed: $RELC_PROJECT runs the previous release again.\"\n",
	"\t\trelc_exit 3\n",
	"\t\t;;\n",
	"\t*)\n",
	"\t\trelc_escalate \"$1 \\\"$2\\\" failed: $RELC_WHY\"\n",
	"\t\t;;\n",
	"\tesac\n",
	"}\n",
	"\n",
	"relc_main() {\n",
	"\trelc_args ${1+\"$@\"}\n",
	"\tRELC_STATE=${RELC_STATE_DIR:-$RELC_STATE_DEFAULT}\n",
	"\tRELC_VPATH=$RELC_STATE/values\n",
	"\tRELC_JPATH=$RELC_STATE/journal.log\n",
	"\tif [ -n \"$RELC_DRY\" ]; then\n",
	"\t\tif [ -n \"$RELC_RESUME\" ]; then\n",
	"\t\t\trelc_load_sets\n",
	"\t\tfi\n",
	"\t\trelc_values\n",
	"\t\tprintf '%s\\n' \"Dry run of $RELC_PROJECT release $RELC_RELEASE: $RELC_PREVIOUS -> $RELC_TARGET; nothing is run.\" \\\n",
	"\t\t\t\"State folder: $RELC_STATE\"\n",
	"\t\trelc_checks\n",
	"\t\trelc_deploy\n",
	"\t\texit 0\n",
	"\tfi\n",
	"\trelc_tools\n",
	"\trelc_values\n",
	"\tif ! relc_env_check; then\n",
	"\t\trelc_exit 2\n",
	"\tfi\n",
	"\tif [ -n \"$RELC_CHECK_ONLY\" ]; then\n",
	"\t\trelc_tmp\n",
	"\t\trelc_checks\n",
	"\t\tprintf '%s\\n' 'All checks passed.'\n",
	"\t\trelc_exit 0\n",
	"\tfi\n",
	"\trelc_confirm deploy\n",
	"\trelc_state_init\n",
	"\trelc_lock\n",
	"\tif relc_scan; then\n",
	"\t\tif [ -n \"$RELC_RESUME\" ]; then\n",
	"\t\t\tif [ -n \"$RELC_RB\" ]; then\n",
	"\t\t\t\trelc_err \"the last run was rolled back (or began to be): there is nothing to resume; run rollback.sh to finish a rollback, or deploy again without --resume\"\n",
	"\t\t\t\trelc_exit 1\n",
	"\t\t\tfi\n",
	"\t\t\tif [ \"$RELC_LAST\" = deployed ]; then\n",
	"\t\t\t\tprintf '%s\\n' \"Release $RELC_RELEASE is already deployed: nothing to resume.\"\n",
	"\t\t\t\trelc_exit 0\n",
	"\t\t\tfi\n",
	"\t\t\trelc_load_sets\n",
	"\t\t\trelc_values\n",
	"\t\telse\n",
	"\t\t\tif [ \"$RELC_STARTED\" != ' ' ] && [ \"$RELC_LAST\" != rolled-back ]; then\n",
	"\t\t\t\trelc_err \"an earlier run changed this system and was not rolled back (journal: $RELC_JPATH): continue it with --resume, undo it with rollback.sh, or remove $RELC_STATE to start over\"\n",
	"\t\t\t\trelc_exit 1\n",
	"\t\t\tfi\n",
	"\t\t\tif ! relc_archive; then\n",
	"\t\t\t\trelc_err \"cannot move the earlier journal aside in $RELC_STATE\"\n",
	"\t\t\t\trelc_exit 2\n",
	"\t\t\tfi\n",
	"\t\t\tRELC_DONE=' '\n",
	"\t\t\tRELC_STARTED=' '\n",
	"\t\tfi\n",
	"\telif [ -n \"$RELC_RESUME\" ]; then\n",
	"\t\trelc_err \"no journal in $RELC_STATE: nothing to resume\"\n",
	"\t\trelc_exit 1\n",
	"\tfi\n",
	"\trelc_open_journal\n",
	"\trelc_tmp\n",
	"\trelc_now\n",
	"\tif [ -n \"$RELC_RESUME\" ]; then\n",
	"\t\trelc_journal - resume - - \"$RELC_RELEASE $RELC_PREVIOUS $RELC_TARGET\"\n",
	"\t\trelc_load_captures\n",
	"\telse\n",
	"\t\trelc_journal - deploy-start - - \"$RELC_RELEASE $RELC_PREVIOUS $RELC_TARGET\"\n",
	"\t\tif ! relc_save_sets; then\n",
	"\t\t\trelc_err \"$RELC_WHY\"\n",
	"\t\t\trelc_exit 2\n",
	"\t\tfi\n",
	"\tfi\n",
	"\trelc_checks\n",
	"\trelc_deploy\n",
	"\tRELC_BID=-\n",
	"\trelc_now\n",
	"\trelc_journal - deployed - 0 \"$RELC_RELEASE\"\n",
	"\tprintf '%s\\n' \"Deployed and verified: $RELC_PROJECT release $RELC_RELEASE ($RELC_TARGET).\"\n",
	"\trelc_exit 0\n",
	"}\n",
	"\n",
	"trap 'relc_signal 130 INT' INT\n",
	"trap 'relc_signal 143 TERM' TERM\n",
	"trap 'relc_cleanup' EXIT\n",
	"relc_main ${1+\"$@\"}\n",
	NULL,
};

static const char *const rt_rollback[] = {
	"# ---- rollback.sh: options and the rollback path ----\n",
	"RELC_ME=rollback.sh\n",
	"\n",
	"relc_help() {\n",
	"\tprintf '%s\\n' \"Usage: rollback.sh [--yes] [--dry-run] [--all]\" \\\n",
	"\t\t\"Roll back $RELC_PROJECT release $RELC_RELEASE: undo every step that started, newest first, then after-rollback.\" \\\n",
	"\t\t'  --yes      do not ask for confirmation (required without a terminal)' \\\n",
	"\t\t'  --dry-run  print the rollback plan; run nothing' \\\n",
	"\t\t'  --all      undo every step (when the journal is lost)' \\\n",
	"\t\t'Exit: 0 rolled back, 1 usage, 4 escalate, 5 locked, 130/143 interrupted'\n",
	"}\n",
	"\n",
	"relc_args() {\n",
	"\twhile [ $# -gt 0 ]; do\n",
	"\t\tcase $1 in\n",
	"\t\t--yes) RELC_YES=1 ;;\n",
	"\t\t--dry-run) RELC_DRY=1 ;;\n",
	"\t\t--all) RELC_ALL=1 ;;\n",
	"\t\t-h|--help)\n",
	"\t\t\trelc_help\n",
	"\t\t\texit 0\n",
	"\t\t\t;;\n",
	"\t\t*) relc_usage \"unknown option: $1\" ;;\n",
	"\t\tesac\n",
	"\t\tshift\n",
	"\tdone\n",
	"}\n",
	"\n",
	"relc_main() {\n",
	"\trelc_args ${1+\"$@\"}\n",
	"\tRELC_STATE=${RELC_STATE_DIR:-$RELC_STATE_DEFAULT}\n",
	"\tRELC_VPATH=$RELC_STATE/values\n",
	"\tRELC_JPATH=$RELC_STATE/journal.log\n",
	"\tif [ -z \"$RELC_DRY\" ]; then\n",
	"\t\trelc_tools\n",
	"\t\trelc_confirm 'roll back'\n",
	"\t\trelc_state_init\n",
	"\t\trelc_lock\n",
	"\tfi\n",
	"\tif ! relc_scan && [ -z \"$RELC_ALL\" ]; then\n",
	"\t\trelc_err \"no journal at $RELC_JPATH: nothing is known to have started; pass --all to undo every step anyway\"\n",
	"\t\trelc_exit 1\n",
	"\tfi\n",
	"\tif [ -n \"$RELC_RB\" ] && [ \"$RELC_LAST\" != rolled-back ]; then\n",
	"\t\tprintf '%s\\n' 'An earlier rollback did not finish: continuing it.'\n",
	"\tfi\n",
	"\trelc_load_sets\n",
	"\trelc_values\n",
	"\trelc_load_captures\n",
	"\tif [ -n \"$RELC_ALL\" ]; then\n",
	"\t\trelc_from=$RELC_NSTEPS\n",
	"\telse\n",
	"\t\trelc_from=$RELC_KMAX\n",
	"\tfi\n",
	"\tRELC_TOTAL=$(( relc_from + RELC_NAFTER ))\n",
	"\tif [ -n \"$RELC_DRY\" ]; then\n",
	"\t\tprintf '%s\\n' \"Dry run of the rollback of $RELC_PROJECT release $RELC_RELEASE to $RELC_PREVIOUS; nothing is run.\" \\\n",
	"\t\t\t\"State folder: $RELC_STATE\"\n",
	"\t\trelc_rollback_path \"$relc_from\"\n",
	"\t\texit 0\n",
	"\tfi\n",
	"\tif ! relc_env_check_rollback; then\n",
	"\t\trelc_escalate 'environment variables the rollback needs are not set'\n",
	"\tfi\n",
	"\trelc_open_journal\n",
	"\trelc_tmp\n",
	"\trelc_now\n",
	"\trelc_journal - rollback-start - - \"rollback.sh from step $relc_from\"\n",
	"\trelc_rollback_path \"$relc_from\"\n",
	"\tRELC_BID=-\n",
	"\trelc_now\n",
	"\trelc_journal - rolled-back - 0 \"rollback.sh\"\n",
	"\tprintf '%s\\n' \"Rolled back: $RELC_PROJECT runs the previous release ($RELC_PREVIOUS) again.\"\n",
	"\trelc_exit 0\n",
	"}\n",
	"\n",
	"trap 'relc_signal 130 INT' INT\n",
	"trap 'relc_signal 143 TERM' TERM\n",
	"trap 'relc_cleanup' EXIT\n",
	"relc_main ${1+\"$@\"}\n",
	NULL,
};

/* ---- the generated part: what depends on the release ---- */

static void put_lines(struct buf *out, const char *const *lines)
{
	for (; *lines; lines++)
		buf_puts(out, *lines);
}

static void q(struct buf *out, const char *s)
{
	sh_quote(out, s ? s : "", s ? strlen(s) : 0);
}

/* A name for progress lines and the journal: one line, no tabs, so a
 * journal record can never be split or forged by what a spec calls a block. */
static void q_label(struct buf *out, const char *s)
{
	struct buf t;

	buf_init(&t);
	for (; s && *s; s++) {
		unsigned char ch = (unsigned char)*s;
		buf_putc(&t, ch < 0x20 || ch == 0x7f ? '?' : (char)ch);
	}
	sh_quote(out, t.data ? t.data : "", t.len);
	buf_free(&t);
}

/* The shell word for a spec string: literal parts quoted, references to
 * other values as quoted expansions of their variables. */
static void put_value_word(struct buf *out, const struct value *v)
{
	if (!v) {
		buf_puts(out, "''");
		return;
	}
	if (v->nsegs == 0) {
		q(out, v->expanded ? v->expanded : v->raw);
		return;
	}
	for (size_t i = 0; i < v->nsegs; i++) {
		const struct seg *s = &v->segs[i];
		if (s->kind == SEG_REF && s->sym)
			buf_printf(out, "\"${RELC_V_%s}\"", s->sym->name);
		else
			sh_quote(out, s->text ? s->text : "", s->text ? s->len : 0);
	}
}

static const char *block_label(enum block_kind k)
{
	return k == BLOCK_AFTER_ROLLBACK ? "after" : block_kind_name(k);
}

/* The function holding a block's commands: relc_b_step_3, relc_u_3, ... */
static void put_body_name(struct buf *out, const struct block *b)
{
	if (b->kind == BLOCK_UNDO)
		buf_printf(out, "relc_u_%d", b->parent ? b->parent->index : 0);
	else
		buf_printf(out, "relc_b_%s_%d", block_label(b->kind), b->index);
}

/* "(estimate 30s..1m, limit 2m)" */
static void put_header(struct buf *out, const struct block *b)
{
	struct buf t;
	int64_t limit = block_timeout_ms(b);

	buf_init(&t);
	buf_putc(&t, '(');
	if (b->estimate.set) {
		buf_puts(&t, "estimate ");
		format_duration(&t, b->estimate.min_ms);
		if (b->estimate.max_ms != b->estimate.min_ms) {
			buf_puts(&t, "..");
			format_duration(&t, b->estimate.max_ms);
		}
		buf_puts(&t, ", ");
	}
	if (limit > 0) {
		buf_puts(&t, "limit ");
		format_duration(&t, limit);
	} else {
		buf_puts(&t, "no limit");
	}
	buf_putc(&t, ')');
	q(out, t.data);
	buf_free(&t);
}

/* ID KIND NAME LIMIT-MS HEADER BODY: the arguments relc_block takes. */
static void put_block_args(struct buf *out, const struct block *b,
                           const char *id_kind, int id_num)
{
	buf_printf(out, " %s:%d %s ", id_kind, id_num, block_kind_name(b->kind));
	q_label(out, b->name);
	buf_printf(out, " %lld ", (long long)block_timeout_ms(b));
	put_header(out, b);
	buf_putc(out, ' ');
	put_body_name(out, b);
}

static bool capture_has_checksum(const struct release *r, const char *name)
{
	for (const struct block *b = r->backups; b; b = b->next)
		for (const struct checksum *k = b->checksums; k; k = k->next)
			if (strcmp(k->name, name) == 0)
				return true;
	return false;
}

static bool on_rollback_path(const struct block *b)
{
	return b->kind == BLOCK_UNDO || b->kind == BLOCK_AFTER_ROLLBACK;
}

/* Before a command that uses captures: each must have a value, and on the
 * rollback path a checksummed file must be unchanged since the backup. */
static void put_capture_guard(struct buf *out, const struct release *r,
                              const struct block *b, const struct symbol *sym,
                              const struct symbol **seen, size_t *nseen)
{
	if (!sym || sym->kind != SYM_CAPTURE)
		return;
	for (size_t i = 0; i < *nseen; i++)
		if (seen[i] == sym)
			return;
	seen[(*nseen)++] = sym;
	buf_printf(out, "\trelc_need %s || return 1\n", sym->name);
	if (on_rollback_path(b) && capture_has_checksum(r, sym->name))
		buf_printf(out, "\trelc_verify_sum %s \"$RELC_V_%s\" || return 1\n",
		           sym->name, sym->name);
}

static size_t count_value_refs(const struct value *v)
{
	return v ? v->nsegs : 0;
}

static void put_guards(struct buf *out, const struct release *r,
                       const struct block *b, const struct command *cmd)
{
	size_t cap = cmd->nrefs;
	for (const struct expect *e = cmd->expects; e; e = e->next)
		cap += count_value_refs(e->text);
	if (cap == 0)
		return;
	const struct symbol **seen = xcalloc(cap, sizeof *seen);
	size_t nseen = 0;
	for (size_t i = 0; i < cmd->nrefs; i++)
		put_capture_guard(out, r, b, cmd->refs[i].sym, seen, &nseen);
	for (const struct expect *e = cmd->expects; e; e = e->next)
		for (size_t i = 0; e->text && i < e->text->nsegs; i++)
			if (e->text->segs[i].kind == SEG_REF)
				put_capture_guard(out, r, b, e->text->segs[i].sym, seen, &nseen);
	free(seen);
}

/* The command text as the shell will run it: every spec reference becomes
 * a quoted expansion of its variable, quoted for where it stands. */
static void put_run_text(struct buf *out, const struct command *cmd)
{
	struct buf t;
	size_t pos = 0;

	buf_init(&t);
	for (size_t i = 0; i < cmd->nrefs; i++) {
		const struct ref *rf = &cmd->refs[i];
		if (!rf->sym || rf->off < pos || rf->off + rf->len > cmd->len)
			continue;
		buf_add(&t, cmd->text + pos, rf->off - pos);
		if (rf->ctx == REF_UNQUOTED)
			buf_printf(&t, "\"${RELC_V_%s}\"", rf->sym->name);
		else
			buf_printf(&t, "${RELC_V_%s}", rf->sym->name);
		pos = rf->off + rf->len;
	}
	buf_add(&t, cmd->text + pos, cmd->len - pos);
	sh_quote(out, t.data ? t.data : "", t.len);
	buf_free(&t);
}

/* --dry-run prints the command with lets and built-ins expanded (quoted
 * for where they stand); captures and environment variables stay as
 * written, since their values are not known or are secret. */
static void put_dry_text(struct buf *out, const struct command *cmd)
{
	size_t pos = 0;

	buf_puts(out, "\tif [ -n \"$RELC_DRY\" ]; then\n\t\trelc_pb ");
	if (cmd->kind == CMD_CAPTURE) {
		struct buf t;
		buf_init(&t);
		buf_printf(&t, "capture %s: ", cmd->capture->name);
		q(out, t.data);
		buf_free(&t);
	} else {
		buf_puts(out, "'$ '");
	}
	buf_putc(out, '\n');
	for (size_t i = 0; i < cmd->nrefs; i++) {
		const struct ref *rf = &cmd->refs[i];
		if (!rf->sym || rf->off < pos || rf->off + rf->len > cmd->len)
			continue;
		if (rf->sym->kind != SYM_LET && rf->sym->kind != SYM_BUILTIN)
			continue;
		if (rf->off > pos) {
			buf_puts(out, "\t\trelc_p ");
			sh_quote(out, cmd->text + pos, rf->off - pos);
			buf_putc(out, '\n');
		}
		const char *fn = rf->ctx == REF_UNQUOTED ? "relc_pu"
		                 : rf->ctx == REF_DQUOTED ? "relc_pd" : "relc_ph";
		buf_printf(out, "\t\t%s \"$RELC_V_%s\"\n", fn, rf->sym->name);
		pos = rf->off + rf->len;
	}
	if (cmd->len > pos) {
		buf_puts(out, "\t\trelc_p ");
		sh_quote(out, cmd->text + pos, cmd->len - pos);
		buf_putc(out, '\n');
	}
	buf_puts(out, "\t\trelc_pe\n\tfi\n");
}

static const char *stream_file(enum stream s)
{
	return s == STREAM_STDERR ? "err" : "out";
}

static const char *cmp_test_op(enum cmp_op op)
{
	switch (op) {
	case CMP_EQ: return "-eq";
	case CMP_NE: return "-ne";
	case CMP_LT: return "-lt";
	case CMP_LE: return "-le";
	case CMP_GT: return "-gt";
	case CMP_GE: return "-ge";
	}
	return "-eq";
}

static void put_expect(struct buf *out, const struct expect *e)
{
	const char *f = stream_file(e->stream);

	switch (e->kind) {
	case EXPECT_EXIT:
		buf_printf(out, "\trelc_x_exit %lld\n", (long long)e->number);
		return;
	case EXPECT_EQUALS:
		buf_printf(out, "\trelc_x_eq %s ", f);
		break;
	case EXPECT_CONTAINS:
		buf_printf(out, "\trelc_x_contains %s ", f);
		break;
	case EXPECT_MATCHES:
		buf_printf(out, "\trelc_x_matches %s ", f);
		break;
	case EXPECT_EMPTY:
		buf_printf(out, "\trelc_x_empty %s || return 1\n", f);
		return;
	case EXPECT_NOT_EMPTY:
		buf_printf(out, "\trelc_x_nonempty %s || return 1\n", f);
		return;
	case EXPECT_COMPARE:
		buf_printf(out, "\trelc_x_cmp %s %s %lld || return 1\n", f,
		           cmp_test_op(e->op), (long long)e->number);
		return;
	}
	put_value_word(out, e->text);
	buf_puts(out, " || return 1\n");
}

static void put_command(struct buf *out, const struct release *r,
                        const struct block *b, const struct command *cmd)
{
	int64_t want = 0;

	for (const struct expect *e = cmd->expects; e; e = e->next)
		if (e->kind == EXPECT_EXIT)
			want = e->number;
	put_dry_text(out, cmd);
	put_guards(out, r, b, cmd);
	buf_puts(out, "\trelc_run ");
	put_run_text(out, cmd);
	buf_printf(out, " %lld %d || return 1\n", (long long)want, cmd->index);
	for (const struct expect *e = cmd->expects; e; e = e->next)
		put_expect(out, e);
	if (cmd->kind == CMD_CAPTURE && cmd->capture) {
		buf_printf(out, "\trelc_store %s || return 1\n", cmd->capture->name);
		buf_printf(out, "\tRELC_V_%s=$RELC_R\n\texport RELC_V_%s\n",
		           cmd->capture->name, cmd->capture->name);
	}
}

static void put_undo_dry(struct buf *out, const struct block *step)
{
	buf_puts(out, "\tif [ -n \"$RELC_DRY\" ]; then\n");
	switch (step->undo_kind) {
	case UNDO_BLOCK:
		buf_puts(out, "\t\tprintf '%s\\n' '    undo:'\n\t\tRELC_IND='      '\n\t\t");
		put_body_name(out, step->undo);
		buf_puts(out, "\n\t\tRELC_IND='    '\n");
		break;
	case UNDO_NONE:
	case UNDO_IRREVERSIBLE:
	case UNDO_MISSING: {
		struct buf t;
		buf_init(&t);
		buf_printf(&t, "    %s (%s)",
		           step->undo_kind == UNDO_NONE ? "undo: none" : "irreversible",
		           step->undo_reason ? step->undo_reason : "no undo");
		buf_puts(out, "\t\tprintf '%s\\n' ");
		q_label(out, t.data);
		buf_putc(out, '\n');
		buf_free(&t);
		break;
	}
	}
	buf_puts(out, "\tfi\n");
}

/* One block's commands as a shell function returning 0 or 1 (RELC_WHY). */
static void put_body(struct buf *out, const struct release *r, const struct block *b)
{
	buf_putc(out, '\n');
	put_body_name(out, b);
	buf_puts(out, "() {\n");
	if (b->kind != BLOCK_UNDO && b->kind != BLOCK_AFTER_ROLLBACK) {
		buf_puts(out, "\tif [ -n \"$RELC_DRY\" ]; then\n\t\tprintf '%s\\n' ");
		struct buf t;
		buf_init(&t);
		buf_printf(&t, "    on failure: %s", policy_name(block_policy(b)));
		q(out, t.data);
		buf_free(&t);
		buf_puts(out, "\n\tfi\n");
	}
	for (const struct command *cmd = b->cmds; cmd; cmd = cmd->next)
		put_command(out, r, b, cmd);
	for (const struct checksum *k = b->checksums; k; k = k->next)
		buf_printf(out, "\trelc_checksum %s \"$RELC_V_%s\" || return 1\n",
		           k->name, k->name);
	if (b->kind == BLOCK_STEP)
		put_undo_dry(out, b);
	buf_puts(out, "\treturn 0\n}\n");
}

static void put_bodies(struct buf *out, const struct release *r, bool deploy)
{
	const struct block *lists[] = {r->checks, r->backups, r->steps, r->verifies};
	if (deploy)
		for (size_t i = 0; i < 4; i++)
			for (const struct block *b = lists[i]; b; b = b->next)
				put_body(out, r, b);
	for (const struct block *b = r->steps; b; b = b->next)
		if (b->undo_kind == UNDO_BLOCK && b->undo)
			put_body(out, r, b->undo);
	for (const struct block *b = r->after_rollbacks; b; b = b->next)
		put_body(out, r, b);
}

/* ---- values: built-ins, environment, lets, captures ---- */

static void put_constants(struct buf *out, const struct release *r, bool deploy)
{
	bool sums = false;
	for (const struct block *b = r->backups; b; b = b->next)
		sums = sums || b->checksums;

	buf_puts(out, "\n# ---- this release ----\nRELC_RELEASE=");
	q(out, r->meta[META_RELEASE].set ? r->meta[META_RELEASE].value->expanded : "");
	buf_puts(out, "\nRELC_PROJECT=");
	q(out, r->meta[META_PROJECT].set ? r->meta[META_PROJECT].value->expanded : "");
	buf_puts(out, "\nRELC_PREVIOUS=");
	q(out, r->previous_id);
	buf_puts(out, "\nRELC_TARGET=");
	q(out, r->target_id);
	buf_puts(out, "\nRELC_PREVIOUS_REF=");
	q(out, r->previous_ref);
	buf_puts(out, "\nRELC_TARGET_REF=");
	q(out, r->target_ref ? r->target_ref : "HEAD");
	buf_puts(out, "\nRELC_STATE_DEFAULT=");
	q(out, r->state_dir);
	buf_putc(out, '\n');
	if (deploy)
		buf_printf(out, "RELC_TOTAL=%d\n",
		           r->nchecks + r->nbackups + r->nsteps + r->nverifies);
	else
		buf_printf(out, "RELC_NSTEPS=%d\n", r->nsteps);
	buf_printf(out, "RELC_NAFTER=%d\n", r->nafter_rollbacks);
	buf_printf(out, "RELC_MORE_TOOLS=%s\n", sums ? "sha256sum" : "''");

	buf_puts(out, "\n# Spec references: one variable each, RELC_V_<name>, exported so\n"
	              "# the commands (run by sh -c) see them. Exported before they are\n"
	              "# set: ShellCheck then takes a quote in a value for data (SC2089).\n");
	for (const struct symbol *s = r->symbols; s; s = s->next) {
		if (s->kind == SYM_BUILTIN && strcmp(s->name, "state_dir") != 0) {
			buf_printf(out, "export RELC_V_%s\nRELC_V_%s=", s->name, s->name);
			q(out, s->builtin);
			buf_putc(out, '\n');
		} else if (s->kind == SYM_CAPTURE) {
			buf_printf(out, "export RELC_V_%s\nRELC_V_%s=\n", s->name, s->name);
		}
	}
}

/* deploy.sh --set NAME=VALUE: only lets can be set. */
static void put_set_option(struct buf *out, const struct release *r)
{
	struct buf names, msg;

	buf_init(&names);
	buf_init(&msg);
	buf_puts(out, "\nrelc_set() {\n\tcase $1 in\n");
	for (const struct symbol *s = r->symbols; s; s = s->next) {
		if (s->kind != SYM_LET || !s->overridable)
			continue;
		buf_printf(out, "\t%s)\n\t\tRELC_V_%s=$2\n\t\tRELC_S_%s=1\n\t\t;;\n",
		           s->name, s->name, s->name);
		buf_printf(&names, " %s", s->name);
	}
	buf_printf(&msg, ": not a let of this release (these are:%s)",
	           names.len ? names.data : " none");
	buf_puts(out, "\t*) relc_usage \"--set $1\"");
	q(out, msg.data);
	buf_puts(out, " ;;\n\tesac\n}\n");
	buf_free(&msg);
	buf_free(&names);
}

/* The --set values go to the state folder and the journal, so that
 * rollback.sh and --resume use the same ones. */
static void put_save_sets(struct buf *out, const struct release *r)
{
	buf_puts(out, "\nrelc_save_sets() {\n");
	for (const struct symbol *s = r->symbols; s; s = s->next) {
		if (s->kind != SYM_LET || !s->overridable)
			continue;
		buf_printf(out, "\tif [ -n \"${RELC_S_%s-}\" ]; then\n"
		                "\t\trelc_save set.%s \"$RELC_V_%s\" || return 1\n"
		                "\t\trelc_journal - set - - %s\n"
		                "\t\trelc_jtext \"$RELC_V_%s\"\n\tfi\n",
		           s->name, s->name, s->name, s->name, s->name);
	}
	buf_puts(out, "\treturn 0\n}\n");
}

/* --fail-after STEP: a step's number or its name. */
static void put_step_number(struct buf *out, const struct release *r)
{
	buf_puts(out, "\nrelc_step_number() {\n\tcase $1 in\n");
	for (const struct block *b = r->steps; b; b = b->next) {
		buf_printf(out, "\t%d|", b->index);
		q(out, b->name);
		buf_printf(out, ") RELC_N=%d ;;\n", b->index);
	}
	buf_puts(out, "\t*) return 1 ;;\n\tesac\n\treturn 0\n}\n");
}

static void put_load_sets(struct buf *out, const struct release *r)
{
	buf_puts(out, "\n# --set values of the run in the state folder (read, never sourced).\n"
	              "relc_load_sets() {\n");
	for (const struct symbol *s = r->symbols; s; s = s->next) {
		if (s->kind != SYM_LET || !s->overridable)
			continue;
		buf_printf(out, "\tif relc_load set.%s; then\n\t\tRELC_V_%s=$RELC_R\n"
		                "\t\tRELC_S_%s=1\n\tfi\n", s->name, s->name, s->name);
	}
	buf_puts(out, "\treturn 0\n}\n");
}

static void put_sets(struct buf *out, const struct release *r, bool deploy)
{
	if (deploy) {
		put_set_option(out, r);
		put_save_sets(out, r);
		put_step_number(out, r);
	}
	put_load_sets(out, r);
}

static void put_values(struct buf *out, const struct release *r)
{
	buf_puts(out, "\n# Environment values and lets (defaults unless --set).\n"
	              "relc_values() {\n\texport RELC_V_state_dir\n"
	              "\tRELC_V_state_dir=$RELC_STATE\n");
	for (const struct symbol *s = r->symbols; s; s = s->next)
		if (s->kind == SYM_ENV)
			buf_printf(out, "\texport RELC_V_%s\n\tRELC_V_%s=${%s-}\n",
			           s->name, s->name, s->name);
	for (const struct symbol *s = r->symbols; s; s = s->next) {
		if (s->kind != SYM_LET)
			continue;
		buf_printf(out, "\texport RELC_V_%s\n", s->name);
		if (s->overridable) {
			buf_printf(out, "\tif [ -z \"${RELC_S_%s-}\" ]; then\n\t\tRELC_V_%s=",
			           s->name, s->name);
			put_value_word(out, s->value);
			buf_puts(out, "\n\tfi\n");
		} else {
			buf_printf(out, "\tRELC_V_%s=", s->name);
			put_value_word(out, s->value);
			buf_putc(out, '\n');
		}
	}
	buf_puts(out, "}\n");
}

static bool block_uses_env(const struct block *b, const struct symbol *env)
{
	for (const struct command *c = b->cmds; c; c = c->next)
		for (size_t i = 0; i < c->nrefs; i++)
			if (c->refs[i].sym == env)
				return true;
	return false;
}

static bool rollback_uses_env(const struct release *r, const struct symbol *env)
{
	for (const struct block *b = r->steps; b; b = b->next)
		if (b->undo && block_uses_env(b->undo, env))
			return true;
	for (const struct block *b = r->after_rollbacks; b; b = b->next)
		if (block_uses_env(b, env))
			return true;
	return false;
}

static void put_env_check(struct buf *out, const struct release *r,
                          const char *fn, bool rollback_only)
{
	buf_printf(out, "\n%s() {\n\trelc_miss=\n", fn);
	for (const struct symbol *s = r->symbols; s; s = s->next) {
		if (s->kind != SYM_ENV || (rollback_only && !rollback_uses_env(r, s)))
			continue;
		buf_printf(out, "\tif [ -z \"${%s-}\" ]; then\n\t\trelc_miss=\"$relc_miss %s\"\n\tfi\n",
		           s->name, s->name);
	}
	buf_puts(out, "\tif [ -n \"$relc_miss\" ]; then\n"
	              "\t\trelc_err \"not set or empty in the environment:$relc_miss\"\n"
	              "\t\treturn 1\n\tfi\n\treturn 0\n}\n");
}

static void put_load_captures(struct buf *out, const struct release *r)
{
	buf_puts(out, "\n# Captured values of the run, from the state folder.\n"
	              "relc_load_captures() {\n");
	for (const struct symbol *s = r->symbols; s; s = s->next) {
		if (s->kind != SYM_CAPTURE)
			continue;
		buf_printf(out, "\tif relc_load capture.%s; then\n\t\tRELC_V_%s=$RELC_R\n"
		                "\t\texport RELC_V_%s\n\t\tRELC_HAVE=\"${RELC_HAVE}%s \"\n\tfi\n",
		           s->name, s->name, s->name, s->name);
	}
	buf_puts(out, "\treturn 0\n}\n");
}

/* ---- the order of a deploy and of the rollback path ---- */

static const char *deploy_policy(const struct block *b)
{
	enum policy p = block_policy(b);
	if (p == POLICY_ABORT && b->kind != BLOCK_CHECK && b->kind != BLOCK_BACKUP)
		p = POLICY_ESCALATE; /* once a step ran, "nothing changed" is untrue */
	return policy_name(p);
}

static void put_go(struct buf *out, const struct block *b, const char *id, int k)
{
	buf_puts(out, "\trelc_go");
	put_block_args(out, b, id, b->index);
	buf_printf(out, " %s %d\n", deploy_policy(b), k);
}

static void put_order(struct buf *out, const struct release *r)
{
	buf_puts(out, "\nrelc_checks() {\n");
	for (const struct block *b = r->checks; b; b = b->next)
		put_go(out, b, "check", 0);
	buf_puts(out, "\treturn 0\n}\n\nrelc_deploy() {\n");
	for (const struct block *b = r->backups; b; b = b->next)
		put_go(out, b, "backup", 0);
	for (const struct block *b = r->steps; b; b = b->next)
		put_go(out, b, "step", b->index);
	for (const struct block *b = r->verifies; b; b = b->next)
		put_go(out, b, "verify", r->nsteps);
	buf_puts(out, "\treturn 0\n}\n");
}

static void put_rollback_order(struct buf *out, const struct release *r)
{
	buf_puts(out, "\n# The undo of step $1 (the rollback path calls it for k, k-1, ..., 1).\n"
	              "relc_undo_step() {\n\tcase $1 in\n");
	for (const struct block *b = r->steps; b; b = b->next) {
		buf_printf(out, "\t%d) ", b->index);
		if (b->undo_kind == UNDO_BLOCK && b->undo) {
			buf_printf(out, "relc_undo %d ", b->index);
			q_label(out, b->name);
			buf_printf(out, " %lld ", (long long)block_timeout_ms(b->undo));
			put_header(out, b->undo);
			buf_putc(out, ' ');
			put_body_name(out, b->undo);
		} else {
			buf_printf(out, "%s %d ", b->undo_kind == UNDO_NONE ? "relc_undo_none"
			                          : "relc_undo_irreversible", b->index);
			q_label(out, b->name);
			buf_putc(out, ' ');
			q_label(out, b->undo_reason ? b->undo_reason : "no undo");
		}
		buf_puts(out, " ;;\n");
	}
	buf_puts(out, "\t*) return 0 ;;\n\tesac\n}\n\nrelc_after_rollbacks() {\n");
	for (const struct block *b = r->after_rollbacks; b; b = b->next) {
		buf_printf(out, "\trelc_after after-rollback:%d ", b->index);
		q_label(out, b->name);
		buf_printf(out, " %lld ", (long long)block_timeout_ms(b));
		put_header(out, b);
		buf_putc(out, ' ');
		put_body_name(out, b);
		buf_putc(out, '\n');
	}
	buf_puts(out, "\treturn 0\n}\n");
}

/* ---- the two scripts ---- */

static void put_head(struct buf *out, const struct compile *c, const char *what)
{
	buf_puts(out, "#!/bin/sh\n");
	emit_provenance(out, c, "# ");
	buf_printf(out, "#\n# %s", what);
	buf_puts(out,
		"# Needs a POSIX sh and utilities, plus timeout(1) and, for checksums,\n"
		"# sha256sum(1). Run with --help for the options; docs/scripts.md in the\n"
		"# relc sources describes the journal and the state folder.\n"
		"#\n"
		"# Commands are single-quoted text that sh -c runs, so $ in them is\n"
		"# expanded there, not here (SC2016); block bodies are called through a\n"
		"# variable, which ShellCheck cannot follow (SC2317).\n"
		"# shellcheck disable=SC2016,SC2317\n"
		"set -u\n");
}

static void put_script(struct buf *out, const struct compile *c, bool deploy)
{
	const struct release *r = c->rel;

	put_head(out, c, deploy ? "deploy.sh: checks, backups, steps and verifies of this release.\n"
	                        : "rollback.sh: the undo of every step that started, newest first,\n"
	                          "# then after-rollback, driven by the deploy's journal.\n");
	if (!r) {
		buf_puts(out, "printf '%s\\n' 'relc: no release was compiled' >&2\nexit 1\n");
		return;
	}
	put_constants(out, r, deploy);
	put_sets(out, r, deploy);
	put_values(out, r);
	if (deploy)
		put_env_check(out, r, "relc_env_check", false);
	else
		put_env_check(out, r, "relc_env_check_rollback", true);
	put_load_captures(out, r);
	buf_puts(out, "\n# ---- the commands of each block ----\n");
	put_bodies(out, r, deploy);
	if (deploy)
		put_order(out, r);
	put_rollback_order(out, r);
	buf_putc(out, '\n');
	put_lines(out, rt_common);
	buf_putc(out, '\n');
	put_lines(out, deploy ? rt_deploy : rt_rollback);
}

void emit_deploy_sh(struct buf *out, const struct compile *c)
{
	put_script(out, c, true);
}

void emit_rollback_sh(struct buf *out, const struct compile *c)
{
	put_script(out, c, false);
}
