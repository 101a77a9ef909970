## src/runtime/deploy.sh - the end of every deploy.sh: its options, how a
## failed block is handled (relc_fail), and relc_main, the order of a deploy.
##
## relc appends this file to deploy.sh after src/runtime/common.sh, whose
## functions and globals it uses. As there, lines whose first non-blank
## characters are "##" are source-only notes that src/runtime/embed.py drops;
## every other line reaches the generated script as written.
## The globals set here are read by common.sh's functions, which shellcheck
## does not see when it checks this fragment alone; embed.py drops the
## directive.
# shellcheck disable=SC2034
# ---- deploy.sh: options and the order of a deploy ----
## The script's name for messages, and the deploy's own options.
RELC_ME=deploy.sh
RELC_RESUME=
RELC_CHECK_ONLY=
RELC_FAIL_AFTER=
RELC_REH_ALL=
RELC_REH_CHILD=
RELC_SETS=

## --help: the options and the exit statuses (documented in docs/scripts.md).
relc_help() {
	printf '%s\n' "Usage: deploy.sh [--yes] [--dry-run] [--check-only] [--resume] [--fail-after STEP] [--rehearse] [--set NAME=VALUE]..." \
		"Deploy $RELC_PROJECT release $RELC_RELEASE." \
		'  --yes              do not ask for confirmation (required without a terminal)' \
		'  --dry-run          print every command in order; run nothing' \
		'  --check-only       run the environment checks and the checks only' \
		'  --resume           continue an interrupted deploy, skipping completed blocks' \
		'  --fail-after STEP  fail right after STEP (name or number): rehearse the rollback' \
		'  --rehearse         for each step in turn, deploy, fail right after it, roll back' \
		'  --set NAME=VALUE   override a let (recorded in the journal)' \
		'Exit: 0 deployed (--rehearse: every rollback path rolled back cleanly), 1 usage, 2 checks failed or unsafe state folder (nothing changed), 3 rolled back, 4 escalate, 5 locked, 130/143 interrupted'
}

## Parse the options into RELC_YES, RELC_DRY, RELC_CHECK_ONLY, RELC_RESUME,
## RELC_FAIL_AFTER (a step number) and --set overrides (relc_set, generated).
relc_args() {
	while [ $# -gt 0 ]; do
		case $1 in
		--yes) RELC_YES=1 ;;
		--dry-run) RELC_DRY=1 ;;
		--check-only) RELC_CHECK_ONLY=1 ;;
		--resume) RELC_RESUME=1 ;;
		--rehearse) RELC_REH_ALL=1 ;;
		--fail-after)
			if [ $# -lt 2 ]; then
				relc_usage '--fail-after needs a step name or number'
			fi
			shift
			if ! relc_step_number "$1"; then
				relc_usage "--fail-after: no step $1"
			fi
			RELC_FAIL_AFTER=$RELC_N
			;;
		--set)
			if [ $# -lt 2 ]; then
				relc_usage '--set needs NAME=VALUE'
			fi
			shift
			case $1 in
			*=*) ;;
			*) relc_usage "--set $1: expected NAME=VALUE" ;;
			esac
			relc_set "${1%%=*}" "${1#*=}"
			RELC_SETS="$RELC_SETS ${1%%=*}"
			;;
		-h|--help)
			relc_help
			exit 0
			;;
		*) relc_usage "unknown option: $1" ;;
		esac
		shift
	done
	if [ -n "$RELC_RESUME" ] && [ -n "$RELC_SETS" ]; then
		relc_usage '--resume uses the --set values of the interrupted run; do not give --set again'
	fi
	if [ -n "$RELC_CHECK_ONLY" ] && { [ -n "$RELC_RESUME" ] || [ -n "$RELC_FAIL_AFTER" ]; }; then
		relc_usage '--check-only runs the checks only: it cannot be combined with --resume or --fail-after'
	fi
	if [ -n "$RELC_REH_ALL" ] && { [ -n "$RELC_RESUME" ] || [ -n "$RELC_FAIL_AFTER" ] || [ -n "$RELC_CHECK_ONLY" ] || [ -n "$RELC_DRY" ]; }; then
		relc_usage '--rehearse runs one deploy per step, each failing after that step: it cannot be combined with --resume, --fail-after, --check-only or --dry-run'
	fi
}

# relc_go ID KIND NAME LIMIT-MS HEADER BODY POLICY K: one deploy block; on
# failure its policy (K: the last step the rollback path starts from).
relc_go() {
	case $RELC_DONE in
	*" $1 "*)
		relc_skip "$1" "$2" "$3"
		return 0
		;;
	esac
	case $1/$RELC_STARTED in
	step:*/*" ${1#step:} "*)
		# Interrupted part-way in the earlier run: its undo (safe after a
		# partial run) restores the state before it, then it runs afresh.
		printf '%s\n' "Step ${1#step:} \"$3\" was interrupted part-way: undoing it before running it again."
		relc_undo_step "${1#step:}"
		;;
	esac
	if relc_block "$1" "$2" "$3" "$4" "$5" "$6"; then
		if [ -n "$RELC_FAIL_AFTER" ] && [ "$1" = "step:$RELC_FAIL_AFTER" ]; then
			RELC_WHY="--fail-after $RELC_FAIL_AFTER: rehearsal failure right after this step"
			printf '%s\n' "    $RELC_WHY"
			relc_journal "$1" failed - - "$RELC_WHY"
			relc_fail "$2" "$3" "$7" "$8"
		fi
		return 0
	fi
	relc_fail "$2" "$3" "$7" "$8"
}

## relc_fail KIND NAME POLICY K: block NAME failed; act on its policy. A check
## in --check-only exits 2; abort (nothing started) exits 2; rollback walks the
## rollback path from step K and exits 3; anything else escalates (exit 4).
relc_fail() {
	RELC_BID=-
	if [ -n "$RELC_CHECK_ONLY" ]; then
		printf '%s\n' "Check failed: $1 \"$2\": $RELC_WHY"
		relc_exit 2
	fi
	case $3 in
	abort)
		relc_now
		relc_journal - aborted - - "$1 \"$2\" failed: $RELC_WHY"
		printf '%s\n' "Stopped: $1 \"$2\" failed; no step had started, nothing was changed."
		relc_exit 2
		;;
	rollback)
		relc_now
		relc_journal - rollback-start - - "$1 \"$2\" failed: $RELC_WHY"
		printf '%s\n' "Rolling back: $1 \"$2\" failed."
		RELC_ROLLING=1
		relc_rollback_path "$4"
		RELC_BID=-
		relc_now
		relc_journal - rolled-back - - "$1 \"$2\" failed"
		printf '%s\n' "Rolled back cleanly after $1 \"$2\" failed: $RELC_PROJECT runs the previous release again."
		relc_exit 3
		;;
	*)
		relc_escalate "$1 \"$2\" failed: $RELC_WHY"
		;;
	esac
}

## A deploy: options, the trust check of the state folder, the lock, the journal (scan it, refuse to
## start over a run that was not rolled back, or resume it), then the checks
## and the blocks in order. A dry run prints everything and touches nothing.
relc_main() {
	relc_args ${1+"$@"}
	if [ -z "$RELC_DRY" ]; then
		relc_tools
	fi
	RELC_STATE=${RELC_STATE_DIR:-$RELC_STATE_DEFAULT}
	relc_private
	relc_trust
	if [ -n "$RELC_DRY" ]; then
		if [ -n "$RELC_RESUME" ]; then
			relc_load_sets
		fi
		relc_values
		printf '%s\n' "Dry run of $RELC_PROJECT release $RELC_RELEASE: $RELC_PREVIOUS -> $RELC_TARGET; nothing is run." \
			"State folder: $RELC_STATE"
		relc_checks
		relc_deploy
		exit 0
	fi
	relc_values
	if ! relc_env_check; then
		relc_exit 2
	fi
	if [ -n "$RELC_CHECK_ONLY" ]; then
		relc_tmp
		relc_checks
		printf '%s\n' 'All checks passed.'
		relc_exit 0
	fi
	relc_confirm deploy
	relc_state_init
	relc_lock
	if [ -n "$RELC_REH_ALL" ]; then
		relc_rehearse
	fi
	relc_run_deploy
}

## What the journal says this run is: the spec's blob id (as relc build saw
## it), the host, and the mode (normal, rehearsal with its step, resume).
## relc --journal takes only journals of the very spec as evidence.
relc_identity() {
	relc_host=$(uname -n 2> /dev/null | awk '{ gsub(/[^A-Za-z0-9._-]/, "_"); print; exit }') || relc_host=
	RELC_ID="spec=$RELC_SPEC_BLOB host=${relc_host:-unknown} mode=$1"
}

## The deploy itself, once the lock is held: scan the journal (refuse to start
## over a run that was not rolled back, or resume it), then the checks and the
## blocks in order.
relc_run_deploy() {
	if relc_scan; then
		if [ -n "$RELC_RESUME" ]; then
			if [ -n "$RELC_RB" ]; then
				relc_err "the last run was rolled back (or began to be): there is nothing to resume; run rollback.sh to finish a rollback, or deploy again without --resume"
				relc_exit 1
			fi
			if [ "$RELC_LAST" = deployed ]; then
				printf '%s\n' "Release $RELC_RELEASE is already deployed: nothing to resume."
				relc_exit 0
			fi
			relc_load_sets
			relc_values
		else
			if [ "$RELC_STARTED" != ' ' ] && [ "$RELC_LAST" != rolled-back ]; then
				relc_err "an earlier run changed this system and was not rolled back (journal: $RELC_JPATH): continue it with --resume, undo it with rollback.sh, or remove $RELC_STATE to start over"
				relc_exit 1
			fi
			if ! relc_archive; then
				relc_err "cannot move the earlier journal aside in $RELC_STATE"
				relc_exit 2
			fi
			RELC_DONE=' '
			RELC_STARTED=' '
		fi
	elif [ -n "$RELC_RESUME" ]; then
		relc_err "no journal in $RELC_STATE: nothing to resume"
		relc_exit 1
	fi
	relc_open_journal
	relc_tmp
	relc_now
	if [ -n "$RELC_RESUME" ]; then
		relc_identity resume
		relc_journal - resume - - "$RELC_RELEASE $RELC_PREVIOUS $RELC_TARGET $RELC_ID"
		relc_journal - blocks - - "$RELC_DIGESTS"
		relc_load_captures
	else
		if [ -n "$RELC_FAIL_AFTER" ]; then
			relc_identity "rehearsal fail-after=$RELC_FAIL_AFTER"
		else
			relc_identity normal
		fi
		relc_journal - deploy-start - - "$RELC_RELEASE $RELC_PREVIOUS $RELC_TARGET $RELC_ID"
		relc_journal - blocks - - "$RELC_DIGESTS"
		if ! relc_save_sets; then
			relc_err "$RELC_WHY"
			relc_exit 2
		fi
	fi
	relc_checks
	relc_deploy
	RELC_BID=-
	relc_now
	relc_journal - deployed - 0 "$RELC_RELEASE"
	printf '%s\n' "Deployed and verified: $RELC_PROJECT release $RELC_RELEASE ($RELC_TARGET)."
	relc_exit 0
}

## --rehearse: for k = 1..RELC_NSTEPS, a whole deploy that fails right after
## step k and rolls back (relc_fail), each in a subshell of its own under the
## lock this run holds. Each leaves its journal; the next deploy moves it to
## run-*/ as any new deploy does. The first path that does not end rolled back
## (exit 3) stops the rehearsal with that run's status (0 becomes 4).
relc_rehearse() {
	trap 'relc_reh_signal 130 INT' INT
	trap 'relc_reh_signal 143 TERM' TERM
	relc_r=1
	while [ "$relc_r" -le "$RELC_NSTEPS" ]; do
		printf '%s\n' "== Rehearsal $relc_r/$RELC_NSTEPS: fail right after step $relc_r, then roll back =="
		## A background subshell, so that a signal to this script can be
		## passed on (TERM: an asynchronous list ignores INT) and waited for.
		(
			trap 'relc_signal 130 INT' INT
			trap 'relc_signal 143 TERM' TERM
			trap 'relc_cleanup' EXIT
			RELC_LOCKED=
			RELC_FAIL_AFTER=$relc_r
			relc_run_deploy
		) &
		RELC_REH_CHILD=$!
		wait "$RELC_REH_CHILD"
		relc_rc=$?
		RELC_REH_CHILD=
		if [ "$relc_rc" -ne 3 ]; then
			if [ "$relc_rc" -eq 0 ]; then
				relc_rc=4
			fi
			printf '\n%s\n' "Rehearsal stopped: the rollback path from step $relc_r did not end rolled back (exit $relc_rc); earlier paths rolled back cleanly. The journals are in $RELC_STATE (journal.log, run-*/journal.log)."
			relc_exit "$relc_rc"
		fi
		relc_r=$(( relc_r + 1 ))
	done
	printf '\n%s\n' "Rehearsed: all $RELC_NSTEPS rollback paths rolled back cleanly; $RELC_PROJECT runs the previous release. The journals are in $RELC_STATE (journal.log, run-*/journal.log)."
	relc_exit 0
}

## INT or TERM during --rehearse: stop the running rehearsal (it journals
## the interruption and says how to go on), then leave with its status.
relc_reh_signal() {
	trap '' INT TERM
	if [ -n "$RELC_REH_CHILD" ]; then
		kill -s TERM "$RELC_REH_CHILD" 2> /dev/null
		wait "$RELC_REH_CHILD"
	fi
	relc_exit "$1"
}

## Signals and exit: see relc_signal and relc_cleanup in common.sh.
trap 'relc_signal 130 INT' INT
trap 'relc_signal 143 TERM' TERM
trap 'relc_cleanup' EXIT
relc_main ${1+"$@"}
