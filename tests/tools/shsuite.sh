# shsuite.sh - the prologue of the suites that run generated scripts for real
# (tests/e2e, tests/trust, tests/fleet, tests/realworld/sandbox.sh). Sourced,
# POSIX sh. Such a suite is called as `NAME.sh RELC [SHELL [SHELL-ARGS...]]`
# and starts with
#     HERE=$(cd "$(dirname "$0")" && pwd)
#     . "$HERE/../tools/shsuite.sh"
#     shsuite_start NAME "$@"
# then reports with ok / not_ok / check and ends with shsuite_finish.

N=0
FAILS=0
# Lines of a failed check's log shown under it (all when empty).
SHSUITE_TAIL=
# The two commits the test specs pin: make_origin's fixed names and dates
# always give these ids.
V1=e8f9c0ad44b56be640c7c55e1f1a67a2eb7c6f7a
V2=aa209268accd2e7781f0548b0fe0c6eafd355e95

# shsuite_start NAME RELC [SHELL-WORDS...]: RELC made absolute; a skip (77)
# when the shell under test is missing; ROOT, a fresh folder removed at exit
# (with whatever the suite's shsuite_cleanup function removes); SH, a command
# that runs a script under the shell ("dash", "busybox sh", "bash --posix").
shsuite_start() {
	shsuite_name=$1
	RELC=$2
	shift 2
	case $RELC in
	/*) ;;
	*) RELC=$PWD/$RELC ;;
	esac
	if [ $# -gt 0 ] && ! command -v "$1" > /dev/null 2>&1; then
		printf '1..0 # SKIP %s is not installed\n' "$1"
		exit 77
	fi
	ROOT=$(mktemp -d "${TMPDIR:-/tmp}/relc-$shsuite_name.XXXXXX") || exit 99
	trap 'shsuite_exit' EXIT
	trap 'exit 1' INT TERM
	SH=$ROOT/shell-under-test
	if [ $# -gt 0 ]; then
		printf '#!/bin/sh\nexec %s "$@"\n' "$*" > "$SH" && chmod +x "$SH" || exit 99
	fi
}

shsuite_exit() {
	if command -v shsuite_cleanup > /dev/null 2>&1; then
		shsuite_cleanup
	fi
	rm -rf "$ROOT"
}

ok() {
	N=$((N + 1))
	printf 'ok %d - %s\n' "$N" "$1"
}

# not_ok NAME [LOG]: a failed check, with the log (or its last SHSUITE_TAIL
# lines) as TAP comments.
not_ok() {
	N=$((N + 1))
	FAILS=$((FAILS + 1))
	printf 'not ok %d - %s\n' "$N" "$1"
	if [ -n "${2-}" ] && [ -f "$2" ]; then
		if [ -n "$SHSUITE_TAIL" ]; then
			tail -n "$SHSUITE_TAIL" "$2" | sed 's/^/# /'
		else
			sed 's/^/# /' "$2"
		fi
	fi
}

# check NAME STATUS [LOG]: one TAP line, ok when STATUS is 0.
check() {
	if [ "$2" -eq 0 ]; then
		ok "$1"
	else
		not_ok "$1" "${3-}"
	fi
}

# make_origin: $ROOT/origin, a repository of two commits, V1 and V2 (fixed
# names and dates give fixed ids); a bail-out if it cannot be made or its
# ids are not the ones the specs pin.
make_origin() {
	(
		export GIT_AUTHOR_NAME=relc GIT_AUTHOR_EMAIL=relc@example.invalid
		export GIT_COMMITTER_NAME=relc GIT_COMMITTER_EMAIL=relc@example.invalid
		export GIT_AUTHOR_DATE=2026-11-01T00:00:00Z GIT_COMMITTER_DATE=2026-11-01T00:00:00Z
		mkdir "$ROOT/origin" && cd "$ROOT/origin" || exit 1
		git -c init.defaultBranch=main init -q || exit 1
		printf 'version 1\n' > VERSION
		git add VERSION && git -c commit.gpgsign=false commit -q -m 'release 1.0.0' || exit 1
		printf 'version 2\n' > VERSION
		export GIT_AUTHOR_DATE=2026-11-02T00:00:00Z GIT_COMMITTER_DATE=2026-11-02T00:00:00Z
		git -c commit.gpgsign=false commit -q -am 'feat: release 1.1.0' || exit 1
	) || {
		printf 'Bail out! cannot create the test repository\n'
		exit 1
	}
	if [ "$(git -C "$ROOT/origin" rev-parse HEAD~1 HEAD | tr '\n' ' ')" != "$V1 $V2 " ]; then
		printf 'Bail out! the test repository does not have the commit ids the specs pin\n'
		exit 1
	fi
}

# shsuite_finish: the plan, and the suite's status.
shsuite_finish() {
	printf '1..%d\n' "$N"
	[ "$FAILS" -eq 0 ]
}
