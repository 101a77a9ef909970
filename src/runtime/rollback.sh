## src/runtime/rollback.sh - the end of every rollback.sh: its options and
## relc_main, which walks the rollback path the deploy's journal calls for.
##
## relc appends this file to rollback.sh after src/runtime/common.sh, whose
## functions and globals it uses. As there, lines whose first non-blank
## characters are "##" are source-only notes that src/runtime/embed.py drops;
## every other line reaches the generated script as written.
## The globals set here are read by common.sh's functions, which shellcheck
## does not see when it checks this fragment alone; embed.py drops the
## directive.
# shellcheck disable=SC2034
# ---- rollback.sh: options and the rollback path ----
## The script's name for messages.
RELC_ME=rollback.sh

## --help: the options and the exit statuses (documented in docs/scripts.md).
relc_help() {
	printf '%s\n' "Usage: rollback.sh [--yes] [--dry-run] [--all]" \
		"Roll back $RELC_PROJECT release $RELC_RELEASE: undo every step that started, newest first, then after-rollback." \
		'  --yes      do not ask for confirmation (required without a terminal)' \
		'  --dry-run  print the rollback plan; run nothing' \
		'  --all      undo every step (when the journal is lost)' \
		'Exit: 0 rolled back, 1 usage, 2 unsafe state folder (nothing run), 4 escalate, 5 locked, 130/143 interrupted'
}

## Parse the options into RELC_YES, RELC_DRY and RELC_ALL.
relc_args() {
	while [ $# -gt 0 ]; do
		case $1 in
		--yes) RELC_YES=1 ;;
		--dry-run) RELC_DRY=1 ;;
		--all) RELC_ALL=1 ;;
		-h|--help)
			relc_help
			exit 0
			;;
		*) relc_usage "unknown option: $1" ;;
		esac
		shift
	done
}

## A rollback: after the trust check of the state folder, from the newest step that started (the journal's RELC_KMAX,
## or every step with --all) down to step 1, then every after-rollback. Undos
## already done are skipped, so a rollback that stopped can be run again.
relc_main() {
	relc_args ${1+"$@"}
	if [ -z "$RELC_DRY" ]; then
		relc_tools
	fi
	RELC_STATE=${RELC_STATE_DIR:-$RELC_STATE_DEFAULT}
	relc_private
	relc_trust
	if [ -z "$RELC_DRY" ]; then
		relc_confirm 'roll back'
		relc_state_init
		relc_lock
	fi
	if ! relc_scan && [ -z "$RELC_ALL" ]; then
		relc_err "no journal at $RELC_JPATH: nothing is known to have started; pass --all to undo every step anyway"
		relc_exit 1
	fi
	if [ -n "$RELC_RB" ] && [ "$RELC_LAST" != rolled-back ]; then
		printf '%s\n' 'An earlier rollback did not finish: continuing it.'
	fi
	relc_load_sets
	relc_values
	relc_load_captures
	if [ -n "$RELC_ALL" ]; then
		relc_from=$RELC_NSTEPS
	else
		relc_from=$RELC_KMAX
	fi
	if [ -n "$RELC_DRY" ]; then
		printf '%s\n' "Dry run of the rollback of $RELC_PROJECT release $RELC_RELEASE to $RELC_PREVIOUS; nothing is run." \
			"State folder: $RELC_STATE"
		relc_rollback_path "$relc_from"
		exit 0
	fi
	if ! relc_env_check_rollback; then
		relc_escalate 'environment variables the rollback needs are not set'
	fi
	relc_open_journal
	relc_tmp
	relc_now
	relc_journal - rollback-start - - "rollback.sh from step $relc_from"
	relc_rollback_path "$relc_from"
	RELC_BID=-
	relc_now
	relc_journal - rolled-back - 0 "rollback.sh"
	printf '%s\n' "Rolled back: $RELC_PROJECT runs the previous release ($RELC_PREVIOUS) again."
	relc_exit 0
}

## Signals and exit: see relc_signal and relc_cleanup in common.sh.
trap 'relc_signal 130 INT' INT
trap 'relc_signal 143 TERM' TERM
trap 'relc_cleanup' EXIT
relc_main ${1+"$@"}
