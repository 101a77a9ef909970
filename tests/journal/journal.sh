#!/bin/sh
# journal.sh TAP RELC SRCDIR - relc --journal on journals written here line
# by line: evidence from this spec's rehearsals (plan.md's boxes and proof,
# checked line by line), history from another release, journals of an
# earlier relc, truncated, corrupted and hostile journals, missing paths,
# and emit json's determinism.
# plan.md quotes names in “…” and code in backquotes, as written here.
# shellcheck disable=SC1090,SC1111,SC2016
set -u
. "${1:?tap.sh}"
RELC=${2:?relc}
SRC=${3:?source folder}
SPEC=$SRC/2.0.0.rel
T=$(mktemp -d "${TMPDIR:-/tmp}/relc-journal.XXXXXX") || exit 99
trap 'rm -rf "$T"' EXIT

BLOB=$("$RELC" emit sh --no-git "$SPEC" 2> /dev/null | sed -n "s/^RELC_SPEC_BLOB='\(.*\)'\$/\1/p")
DIGESTS=$("$RELC" emit sh --no-git "$SPEC" 2> /dev/null | sed -n "s/^RELC_DIGESTS='\(.*\)'\$/\1/p")
if [ ${#BLOB} -ne 40 ] || [ -z "$DIGESTS" ]; then
	echo "Bail out! deploy.sh carries no RELC_SPEC_BLOB or RELC_DIGESTS"
	exit 1
fi
P1=0000000000000000000000000000000000000001
P2=0000000000000000000000000000000000000002

ev() { # TIME BLOCK EVENT DURATION STATUS DETAIL: one journal event
	printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$@"
}

# A rehearsal of this spec that fails after step K (1 or 2) and rolls back;
# step 2 takes $SLOW.
rehearsal() { # K TIME-PREFIX HOST
	k=$1 t=$2 host=$3
	ev "${t}00Z" - deploy-start - - "2.0.0 $P1 $P2 spec=$BLOB host=$host mode=rehearsal fail-after=$k"
	ev "${t}00Z" - blocks - - "$DIGESTS"
	ev "${t}01Z" backup:1 start - - Database
	ev "${t}01Z" backup:1 capture - - DUMP
	printf '| /srv/backup/app.db\n'
	ev "${t}01Z" backup:1 ok 0.3s 0 Database
	ev "${t}01Z" step:1 start - - 'Code update'
	ev "${t}02Z" step:1 run 0.2s 0 'command 1'
	# output is data: none of it may reach plan.md
	printf '| <script>alert(1)</script> **bold** [x](http://evil.invalid) <!--\n'
	printf '|! # Heading\n'
	ev "${t}02Z" step:1 ok 0.2s 0 'Code update'
	if [ "$k" -eq 2 ]; then
		ev "${t}02Z" step:2 start - - 'Database migration'
		ev "${t}07Z" step:2 ok "$SLOW" 0 'Database migration'
	fi
	ev "${t}07Z" "step:$k" failed - - "--fail-after $k: rehearsal failure right after this step"
	ev "${t}07Z" - rollback-start - - 'step failed: --fail-after'
	if [ "$k" -eq 2 ]; then
		ev "${t}07Z" undo:2 start - - 'Database migration'
		ev "${t}08Z" undo:2 ok 0.4s 0 'Database migration'
	fi
	ev "${t}08Z" undo:1 start - - 'Code update'
	ev "${t}08Z" undo:1 ok 0.2s 0 'Code update'
	ev "${t}08Z" after-rollback:1 start - - 'Start the previous version'
	ev "${t}09Z" after-rollback:1 ok 0.5s 0 'Start the previous version'
	ev "${t}09Z" - rolled-back - - 'step failed'
}

# A state folder as --rehearse leaves it: the path from step 1 moved aside,
# the path from step 2 in journal.log.
SLOW=5.1s
mkdir -p "$T/state/run-2026-11-20T10:00:10Z-42" "$T/state/values"
rehearsal 1 2026-11-20T10:00: staging-1 > "$T/state/run-2026-11-20T10:00:10Z-42/journal.log"
rehearsal 2 2026-11-20T10:01: staging-1 > "$T/state/journal.log"

md() { # OUT ARGS...: plan.md to OUT, diagnostics to OUT.err
	out=$1
	shift
	"$RELC" emit md --no-git "$SPEC" ${1+"$@"} > "$out" 2> "$out.err"
}

has_line() { # FILE LINE
	grep -Fx -e "$2" "$1" > /dev/null
}

md "$T/own.md" --journal "$T/state"
st=$?
if [ $st -eq 0 ] &&
	has_line "$T/own.md" '- [x] Rollback rehearsed: 2 of 2 rollback paths ran to the end in journals of this spec' &&
	has_line "$T/own.md" "  - from step 1 “Code update”: rolled back cleanly on host \`staging-1\` at \`2026-11-20T10:00:07Z\` (rehearsal, \`$T/state/run-2026-11-20T10:00:10Z-42/journal.log\` line 13); the rollback took 0.7 seconds" &&
	has_line "$T/own.md" "  - from step 2 “Database migration”: rolled back cleanly on host \`staging-1\` at \`2026-11-20T10:01:07Z\` (rehearsal, \`$T/state/journal.log\` line 15); the rollback took 1.1 seconds" &&
	has_line "$T/own.md" "- [x] Database restore from the backup checked: the undo of step 2 “Database migration”, which reads the backup, completed in the rollback from step 2 “Database migration” on host \`staging-1\` at \`2026-11-20T10:01:07Z\` (rehearsal, \`$T/state/journal.log\` line 15); the rollback took 1.1 seconds" &&
	has_line "$T/own.md" "- [x] Previous version started and healthy after the rollback: the after-rollback block completed on host \`staging-1\` at \`2026-11-20T10:00:07Z\` (rehearsal, \`$T/state/run-2026-11-20T10:00:10Z-42/journal.log\` line 13); the rollback took 0.7 seconds"
then
	ok "a state folder of this spec's rehearsals ticks every box, with its proof"
else
	fail "a state folder of this spec's rehearsals ticks every box, with its proof" "exit $st" "$(sed -n '/### Rollback Tested/,$p' "$T/own.md")"
fi

# Measured lines, each under its block's Timing.
if has_line "$T/own.md" '- **Measured**: 0.3 seconds over 2 runs in the journals' &&
	has_line "$T/own.md" '- **Measured**: 5.1 seconds over 1 run in the journals: **more than twice the upper estimate** (W118)' &&
	has_line "$T/own.md" '- **Measured**: 0.2 seconds over 2 runs in the journals' &&
	[ "$(grep -c '^- \*\*Measured\*\*' "$T/own.md")" -eq 8 ] &&
	[ "$(sed -n '/^### 2\. Database migration/,/^### /p' "$T/own.md" | grep -c 'Measured\*\*: 5.1 seconds')" -eq 1 ]
then
	ok "each block measured shows its durations beside its estimate"
else
	fail "each block measured shows its durations beside its estimate" "$(grep -n 'Measured\|^###' "$T/own.md")"
fi

if grep -F "2.0.0.rel:28:1: warning[W118]: step \"Database migration\" took 5.1s, more than twice its upper estimate" "$T/own.md.err" > /dev/null &&
	grep -F "note: $T/state/journal.log:13:1: measured here" "$T/own.md.err" > /dev/null; then
	ok "W118 at the block, with a note at the journal line"
else
	fail "W118 at the block, with a note at the journal line" "$(cat "$T/own.md.err")"
fi

if ! grep -F -e '<script' -e 'evil.invalid' -e '# Heading' -e '**bold**' "$T/own.md" > /dev/null; then
	ok "command output in a journal never reaches plan.md"
else
	fail "command output in a journal never reaches plan.md" "$(grep -n -F -e '<script' -e evil "$T/own.md")"
fi

# Only the path from step 1: step 2 is named, restore not ticked.
md "$T/one.md" --journal "$T/state/run-2026-11-20T10:00:10Z-42/journal.log"
if has_line "$T/one.md" '- [ ] Rollback rehearsed: 1 of 2 rollback paths ran to the end in journals of this spec' &&
	has_line "$T/one.md" '  - never rehearsed: the path from step 2 “Database migration”' &&
	has_line "$T/one.md" '- [ ] Database restore from the backup checked: no undo that reads the backup completed in a journal of this spec' &&
	grep -F -e '- [x] Previous version started' "$T/one.md" > /dev/null; then
	ok "one path rehearsed: not ticked, the other step named"
else
	fail "one path rehearsed: not ticked, the other step named" "$(sed -n '/### Rollback Tested/,$p' "$T/one.md")"
fi

# Another release: history only. Its verify "Health" has the same commands
# (digest), its step 2 does not: only the verify's durations count.
vdig=$(printf '%s\n' "$DIGESTS" | tr ' ' '\n' | sed -n 's/^verify:1=//p')
{
	ev 2026-10-01T09:00:00Z - deploy-start - - "1.9.0 $P1 $P2 spec=0123456789abcdef0123456789abcdef01234567 host=prod-1 mode=normal"
	ev 2026-10-01T09:00:00Z - blocks - - "step:1=00000000 step:2=11111111 verify:1=$vdig"
	ev 2026-10-01T09:00:01Z step:2 start - - 'Database migration'
	ev 2026-10-01T09:00:10Z step:2 ok 9.0s 0 'Database migration'
	ev 2026-10-01T09:00:10Z verify:1 start - - Health
	ev 2026-10-01T09:00:12Z verify:1 ok 2.5s 0 Health
	ev 2026-10-01T09:00:12Z - deployed - 0 1.9.0
} > "$T/other.log"
md "$T/other.md" --journal "$T/other.log"
st=$?
if [ $st -eq 0 ] &&
	grep -F "$T/other.log:1:1: warning[W120]: journal of another spec (blob 0123456789ab, not ${BLOB%????????????????????????????}): its durations are timing history, not evidence" "$T/other.md.err" > /dev/null &&
	has_line "$T/other.md" '- [ ] Rollback rehearsed: no rollback path ran to the end in a journal of this spec; `sh deploy.sh --rehearse` on staging tries each' &&
	[ "$(grep -c '^- \*\*Measured\*\*' "$T/other.md")" -eq 1 ] &&
	has_line "$T/other.md" '- **Measured**: 2.5 seconds over 1 run in the journals' &&
	grep -F '2.0.0.rel:38:1: warning[W119]: verify "Health" has no estimate; the journals measured it 1 time: suggested `estimate 2s..3s`' "$T/other.md.err" > /dev/null
then
	ok "another release's journal: W120, no box ticked, history matched by kind, name and commands, W119 suggests an estimate"
else
	fail "another release's journal: W120, no box ticked, history matched by kind, name and commands, W119 suggests an estimate" "exit $st" "$(cat "$T/other.md.err")" "$(grep -n 'Measured\|\[.\]' "$T/other.md")"
fi

# A journal of an earlier relc: no identity, no digests; still reads.
{
	ev 2026-09-01T09:00:00Z - deploy-start - - "1.8.0 $P1 $P2"
	ev 2026-09-01T09:00:01Z step:1 start - - 'Code update'
	ev 2026-09-01T09:00:02Z step:1 ok 1.5s 0 'Code update'
	ev 2026-09-01T09:00:02Z - rollback-start - - 'rollback.sh from step 1'
	ev 2026-09-01T09:00:03Z undo:1 ok 0.1s 0 'Code update'
	ev 2026-09-01T09:00:03Z - rolled-back - 0 rollback.sh
} > "$T/old.log"
md "$T/old.md" --journal "$T/old.log"
if grep -F "$T/old.log:1:1: warning[W120]: journal run without the spec's identity" "$T/old.md.err" > /dev/null &&
	grep -F -e '- [ ] Rollback rehearsed: no rollback path' "$T/old.md" > /dev/null &&
	has_line "$T/old.md" '- **Measured**: 1.5 seconds over 1 run in the journals'; then
	ok "a journal of an earlier relc reads: history by kind and name, never evidence"
else
	fail "a journal of an earlier relc reads: history by kind and name, never evidence" "$(cat "$T/old.md.err")"
fi

# Truncated: the rehearsal's last line cut off. Not evidence.
rehearsal 1 2026-11-21T10:00: staging-1 > "$T/full.log"
head -c $(( $(wc -c < "$T/full.log") - 5 )) "$T/full.log" > "$T/cut.log"
md "$T/cut.md" --journal "$T/cut.log"
st=$?
n=$(wc -l < "$T/cut.log")
if [ $st -eq 0 ] &&
	grep -F "$T/cut.log:$((n + 1)):1: warning[W121]: malformed journal line: the last line is cut off (no newline); this journal is not taken as evidence" "$T/cut.md.err" > /dev/null &&
	grep -F -e '- [ ] Rollback rehearsed: no rollback path' "$T/cut.md" > /dev/null &&
	grep -F -e '- [ ] Previous version started' "$T/cut.md" > /dev/null; then
	ok "a truncated journal: W121 at its last line, never evidence"
else
	fail "a truncated journal: W121 at its last line, never evidence" "exit $st" "$(cat "$T/cut.md.err")"
fi

# Corrupted: every kind of bad line, binary bytes, hostile host name.
{
	rehearsal 1 2026-11-22T10:00: staging-1
	printf '2026-11-22T10:00:09Z step:1 ok 0.2s 0 spaces\n'
	printf '2026-13-xxT10:00:09Z\tstep:1\tok\t0.2s\t0\tbad time\n'
	printf '2026-11-22T10:00:09Z\tstep:0\tok\t0.2s\t0\tstep zero\n'
	printf '2026-11-22T10:00:09Z\tstep:1\tpwned\t0.2s\t0\tunknown event\n'
	printf '2026-11-22T10:00:09Z\tstep:1\tok\t1e9s\t0\tbad duration\n'
	printf '2026-11-22T10:00:09Z\tstep:1\tok\t0.2s\t\tempty\n'
	printf '2026-11-22T10:00:09Z\t-\tdeploy-start\t-\t-\t2.0.0 a b spec=%s host=<b>x</b> mode=normal\n' "$BLOB"
	printf '\001\002\377\376 binary\n'
	printf '\n'
	printf '9\n'
} > "$T/bad.log"
md "$T/bad.md" --journal "$T/bad.log"
st=$?
w=$(grep -c 'warning\[W121\]' "$T/bad.md.err")
if [ $st -eq 0 ] && [ "$w" -eq 10 ] &&
	grep -F "$T/bad.log:19:1: warning[W121]: malformed journal line: fewer than six tab-separated fields" "$T/bad.md.err" > /dev/null &&
	grep -F "$T/bad.log:20:1: warning[W121]: malformed journal line: the time is not YYYY-MM-DDTHH:MM:SSZ" "$T/bad.md.err" > /dev/null &&
	grep -F "$T/bad.log:25:1: warning[W121]: malformed journal line: the run's identity (spec=, host=, mode=) is malformed" "$T/bad.md.err" > /dev/null &&
	grep -F -e '- [ ] Rollback rehearsed: no rollback path' "$T/bad.md" > /dev/null &&
	! grep -F '<b>' "$T/bad.md" > /dev/null; then
	ok "a corrupted journal: W121 at each bad line, never evidence, no crash"
else
	fail "a corrupted journal: W121 at each bad line, never evidence, no crash" "exit $st, $w W121" "$(cat "$T/bad.md.err")"
fi

# Past ten malformed lines, one warning counts the rest.
awk 'BEGIN { for (i = 0; i < 25; i++) print "garbage " i }' > "$T/many.log"
md "$T/many.md" --journal "$T/many.log"
if [ "$(grep -c 'warning\[W121\]' "$T/many.md.err")" -eq 11 ] &&
	grep -F "$T/many.log:25:1: warning[W121]: 15 more malformed lines in this journal" "$T/many.md.err" > /dev/null; then
	ok "ten malformed lines are named, then one W121 counts the rest"
else
	fail "ten malformed lines are named, then one W121 counts the rest" "$(cat "$T/many.md.err")"
fi

# An empty journal (once a fuzzer finding: qsort of nothing) reads as nothing.
: > "$T/empty.log"
md "$T/empty-log.md" --journal "$T/empty.log"
st=$?
if [ $st -eq 0 ] && ! grep -F -e 'W121' -e 'W120' "$T/empty-log.md.err" > /dev/null &&
	grep -F -e '- [ ] Rollback rehearsed: no rollback path' "$T/empty-log.md" > /dev/null; then
	ok "an empty journal reads as nothing"
else
	fail "an empty journal reads as nothing" "exit $st" "$(cat "$T/empty-log.md.err")"
fi

# Paths that are no journal.
md "$T/none.md" --journal "$T/no-such.log"
st=$?
if [ $st -eq 1 ] && grep -F "$T/no-such.log: error[E022]: cannot read the journal: No such file or directory" "$T/none.md.err" > /dev/null && [ ! -s "$T/none.md" ]; then
	ok "a missing journal is E022 and no plan"
else
	fail "a missing journal is E022 and no plan" "exit $st" "$(cat "$T/none.md.err")"
fi
mkdir "$T/empty"
"$RELC" check --no-git "$SPEC" --journal "$T/empty" > /dev/null 2> "$T/empty.err"
st=$?
if [ $st -eq 1 ] && grep -F "$T/empty: error[E023]: no journal.log and no run-*/journal.log in this folder" "$T/empty.err" > /dev/null; then
	ok "a folder without journals is E023 (relc check)"
else
	fail "a folder without journals is E023 (relc check)" "exit $st" "$(cat "$T/empty.err")"
fi

# relc check reads journals too: W118 from the state folder.
"$RELC" check --no-git "$SPEC" --journal "$T/state" 2> "$T/check.err"
if grep -F 'warning[W118]' "$T/check.err" > /dev/null; then
	ok "relc check --journal reports W118"
else
	fail "relc check --journal reports W118" "$(cat "$T/check.err")"
fi

# emit json: evidence and timings, the same bytes twice.
"$RELC" emit json --no-git "$SPEC" --journal "$T/state" --journal "$T/other.log" > "$T/a.json" 2> /dev/null
"$RELC" emit json --no-git "$SPEC" --journal "$T/state" --journal "$T/other.log" > "$T/b.json" 2> /dev/null
if cmp -s "$T/a.json" "$T/b.json" &&
	python3 - "$T/a.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
j = d["journals"]
assert j["files"] == 3 and j["evidence_files"] == 2, j
p = j["rollback_paths"]
assert [x["from_step"] for x in p] == [1, 2] and [x["runs"] for x in p] == [1, 1], p
n = p[1]["newest"]
assert n["host"] == "staging-1" and n["mode"] == "rehearsal" and n["rollback_ms"] == 1100, n
assert n["backup_restored"] is True and n["after_rollback_completed"] is True, n
assert d["steps"][1]["measured"] == {"min_ms": 5100, "max_ms": 5100, "runs": 1}, d["steps"][1]
assert d["verifies"][0]["measured"] == {"min_ms": 2500, "max_ms": 2500, "runs": 1}
assert d["checks"] == []
EOF
then
	ok "emit json carries evidence and timings, deterministically"
else
	fail "emit json carries evidence and timings, deterministically"
fi
if "$RELC" emit json --no-git "$SPEC" > "$T/plain.json" 2> /dev/null &&
	python3 -m json.tool "$T/plain.json" > /dev/null 2>&1 &&
	! grep -F -e '"journals"' -e '"measured"' "$T/plain.json" > /dev/null; then
	ok "without --journal, emit json keeps its shape"
else
	fail "without --journal, emit json keeps its shape"
fi
finish
