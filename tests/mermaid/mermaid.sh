#!/bin/sh
# mermaid.sh TAP RELC SRCDIR - plan.md's Mermaid diagrams render in a real
# browser: the plans of the bmtc golden, of specs with hostile names
# (golden/hostile.rel and names.rel here), of a spec built with --journal
# (measured bars) and of long generated releases go through the pinned
# mermaid package in headless Chromium (render.js, one browser for all), and
# every diagram must give an SVG, with no parse or render error.
# shellcheck disable=SC1090
set -u
. "${1:?tap.sh}"
RELC=${2:?relc}
SRC=${3:?source folder}
HERE=$SRC/tests/mermaid
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
export CHROMIUM
if [ ! -x "$CHROMIUM" ]; then
	echo "1..0 # SKIP no $CHROMIUM (apt-get install chromium, or scripts/setup --deps)"
	exit 77
fi
if [ ! -d "$HERE/node_modules/mermaid" ] || [ ! -d "$HERE/node_modules/playwright-core" ] ||
	! command -v node > /dev/null 2>&1; then
	echo "1..0 # SKIP no node or tests/mermaid/node_modules (npm ci --prefix tests/mermaid, or scripts/setup --deps)"
	exit 77
fi
T=$(mktemp -d "${TMPDIR:-/tmp}/relc-mermaid.XXXXXX") || exit 99
trap 'rm -rf "$T"' EXIT

plan() { # NAME SPEC [RELC OPTIONS...]: $T/NAME.md
	name=$1 spec=$2
	shift 2
	if ! "$RELC" emit md --no-git "$@" "$spec" > "$T/$name.md" 2> "$T/$name.log"; then
		fail "relc emit md $name" "$(cat "$T/$name.log")"
	fi
}

plan bmtc "$SRC/tests/golden/bmtc.rel"
plan hostile "$SRC/tests/golden/hostile.rel"
plan names "$HERE/names.rel" --allow-irreversible

# A journal of a run of tests/journal/2.0.0.rel (format: docs/scripts.md),
# so that the gantt chart has its "measured" section.
SPEC=$SRC/tests/journal/2.0.0.rel
BLOB=$("$RELC" emit sh --no-git "$SPEC" 2> /dev/null | sed -n "s/^RELC_SPEC_BLOB='\(.*\)'\$/\1/p")
P=0000000000000000000000000000000000000001
{
	printf '%s\t-\tdeploy-start\t-\t-\t2.0.0 %s %s spec=%s host=stage mode=normal\n' \
		2026-03-01T10:00:00Z "$P" "$P" "$BLOB"
	printf '2026-03-01T10:00:01Z\tbackup:1\tstart\t-\t-\tDatabase\n'
	printf '2026-03-01T10:00:01Z\tbackup:1\tok\t0.3s\t0\tDatabase\n'
	printf '2026-03-01T10:00:01Z\tstep:1\tstart\t-\t-\tCode update\n'
	printf '2026-03-01T10:00:09Z\tstep:1\tok\t7.2s\t0\tCode update\n'
}  > "$T/run.journal"
plan measured "$SPEC" --journal "$T/run.journal"

# Long releases: 30 steps are drawn bar by bar and node by node; 100 steps
# give a gantt chart added up by kind and no flowchart.
for n in 30 100; do
	sh "$SRC/tests/bench/gen-spec.sh" "$n" "$T/gen$n" > /dev/null
	plan "long$n" "$T/gen$n/1.0.0.rel"
done

mkdir "$T/out"
if ! node "$HERE/render.js" "$T/out" "$T"/*.md > "$T/render.log" 2>&1; then
	fail "render.js ran Chromium" "$(cat "$T/render.log")"
	finish
	exit
fi

# count NAME N: plan NAME has N diagrams, each rendered to an SVG.
count() {
	got=$(cat "$T/out/$1.md.count" 2> /dev/null)
	if [ "$got" = "$2" ]; then
		ok "$1: $2 mermaid blocks"
	else
		fail "$1: $2 mermaid blocks" "found ${got:-none}"
	fi
	i=1
	while [ "$i" -le "${got:-0}" ]; do
		f=$T/out/$1.md.$i
		if [ -f "$f.err" ]; then
			fail "$1 diagram $i renders" "$(cat "$f.err")"
		elif ! grep -q '^<svg' "$f.svg" || grep -q 'Syntax error' "$f.svg"; then
			fail "$1 diagram $i renders" "no <svg>, or mermaid's error picture"
		else
			ok "$1 diagram $i renders to an SVG"
		fi
		i=$((i + 1))
	done
}

# has NAME N TEXT: the SVG of diagram N of plan NAME holds TEXT.
has() {
	if grep -qF -- "$3" "$T/out/$1.md.$2.svg" 2> /dev/null; then
		ok "$1 diagram $2 shows $3"
	else
		fail "$1 diagram $2 shows $3"
	fi
}

count bmtc 2
has bmtc 1 "step 2 Database migration"
has bmtc 2 "stop and escalate"
has bmtc 2 "after-rollback: Start and verify the previous version"
count hostile 2
has hostile 2 "Flip the \`\`switch\`\`"
count names 2
has names 1 'section evil: title x; dateFormat YYYY'
has names 2 'a"] --&gt; esc; click f1 call alert(1) %% x'
has names 2 'step 3 is irreversible'
has names 2 'subgraph x; end; style f1 fill:#f00;'
# hostile names come out as text, never as markup
if grep -q '<img\|<script' "$T"/out/names.md.*.svg; then
	fail "names: no <img> or <script> element in the SVGs"
else
	ok "names: no <img> or <script> element in the SVGs"
fi
count measured 2
has measured 1 '>measured<'
# step 1 has a bar in each section, estimated and measured
n=$(grep -o '>step 1 Code update <' "$T/out/measured.md.1.svg" | wc -l)
if [ "$n" -eq 2 ]; then
	ok "measured: step 1 has an estimated and a measured bar"
else
	fail "measured: step 1 has an estimated and a measured bar" "$n bars"
fi
count long30 2
count long100 1
has long100 1 "backups and steps"
finish
