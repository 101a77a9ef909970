#!/bin/sh
# run.sh RELC DIR MODE - the realworld suite over the corpus in DIR. TAP.
#
# Every spec is DIR/PROCEDURE/RELEASE.rel (the procedure as documented, clean)
# or DIR/PROCEDURE/MISTAKE/RELEASE.rel (a copy with one planted mistake).
#
#   diagnostics  `relc check --no-git` of each spec gives exactly the
#                diagnostics in NAME.expected (`LINE:COL: CODE`, every code)
#   truth        each spec's `# truth:` lines hold against relc's output; the
#                measured figures are printed and must equal the table between
#                the `measured` markers of DIR/README.md
#   build        each spec builds and its deploy.sh and rollback.sh pass
#                `dash -n` and `shellcheck -s sh`
#
# RELC_REALWORLD_UPDATE=1 rewrites the NAME.expected files (diagnostics) and
# the README table (truth) instead of comparing: see update.sh.
#
# Truth annotations are comments the corpus author writes from the mistake
# planted, never from relc's output:
#   # truth: clean          the spec is right; no effects warning is due
#   # truth: CODE LINE      the planted mistake must give CODE at LINE
#   # hint-absent: TEXT     no note of relc's output may contain TEXT
set -u

relc=${1:?relc}
dir=${2:?dir}
mode=${3:?mode}
case $relc in /*) ;; *) relc=$PWD/$relc ;; esac
cd "$dir" || exit 2

tmp=$(mktemp -d "${TMPDIR:-/tmp}/relc-rw.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

update=${RELC_REALWORLD_UPDATE-}
# The warnings of the effects rules (issue 12 owns W114-W116): any of them on a
# clean spec is a false alarm.
effects_codes='W103 W104 W105 W109 W110 W114 W115 W116 E012'

find . -name '*.rel' -type f | sed 's|^\./||' | LC_ALL=C sort > "$tmp/specs"
total=$(wc -l < "$tmp/specs" | tr -d ' ')
if [ "$total" -eq 0 ]; then
	echo "1..0 # SKIP no specs in $dir"
	exit 0
fi

n=0
fails=0
ok() {
	n=$((n + 1))
	printf 'ok %d - %s\n' "$n" "$1"
}
not_ok() {
	n=$((n + 1))
	fails=$((fails + 1))
	printf 'not ok %d - %s\n' "$n" "$1"
}

# diags SPEC OUT: relc's diagnostics of SPEC itself as sorted `LINE:COL: CODE`.
diags() {
	timeout 60 "$relc" check --no-git "$1" > "$tmp/out" 2>&1
	status=$?
	sed -n -E "s#^$1:([0-9]+):([0-9]+): (error|warning)\[([A-Z][0-9]+)\]: .*\$#\1:\2: \4#p" "$tmp/out" |
		LC_ALL=C sort -t: -k1,1n -k2,2n -k3 > "$2"
	return "$status"
}

# A spec is clean when it sits directly in its procedure's folder.
is_clean() {
	case $1 in */*/*) return 1 ;; *) return 0 ;; esac
}

case $mode in
diagnostics)
	echo "1..$total"
	while IFS= read -r spec; do
		name=${spec%.rel}
		diags "$spec" "$tmp/got"
		status=$?
		if [ "$status" -gt 1 ]; then
			not_ok "$spec # relc exit status $status"
			sed 's/^/#   | /' "$tmp/out"
			continue
		fi
		if [ -n "$update" ]; then
			{
				printf '# relc check --no-git %s: every diagnostic, LINE:COL: CODE\n' "${spec##*/}"
				cat "$tmp/got"
			} > "$name.expected"
			ok "$spec # expected file written"
			continue
		fi
		if [ ! -f "$name.expected" ]; then
			not_ok "$spec # no $name.expected"
			continue
		fi
		grep -v -e '^#' -e '^[[:space:]]*$' "$name.expected" > "$tmp/want"
		if cmp -s "$tmp/want" "$tmp/got"; then
			ok "$spec"
		else
			not_ok "$spec # diagnostics differ from $name.expected"
			diff -u "$tmp/want" "$tmp/got" | sed 's/^/#   /'
		fi
	done < "$tmp/specs"
	;;

truth)
	# One line per spec into $tmp/rows: SPEC|KIND|PLANTED|CAUGHT|MISSED|ALARMS|HINTS
	: > "$tmp/rows"
	echo "1..$((total + 1))"
	while IFS= read -r spec; do
		diags "$spec" "$tmp/got"
		status=$?
		sed -n 's/^# truth:[[:space:]]*//p' "$spec" > "$tmp/truth"
		sed -n 's/^# hint-absent:[[:space:]]*//p' "$spec" > "$tmp/hints"
		problem=
		if [ "$status" -gt 1 ]; then
			problem="relc exit status $status"
		fi
		nlines=$(wc -l < "$spec" | tr -d ' ')
		# The annotations themselves: one form per spec, codes and lines real.
		if grep -qx 'clean' "$tmp/truth"; then
			kind=clean
			[ "$(wc -l < "$tmp/truth" | tr -d ' ')" -eq 1 ] || problem="${problem:+$problem; }clean together with other truth lines"
			is_clean "$spec" || problem="${problem:+$problem; }a copy with a planted mistake says clean"
		else
			kind=planted
			[ -s "$tmp/truth" ] || problem="${problem:+$problem; }no # truth: line"
			is_clean "$spec" && problem="${problem:+$problem; }the documented procedure must say # truth: clean"
			bad=$(awk -v max="$nlines" 'NF != 2 || $1 !~ /^[EW][0-9][0-9][0-9]$/ || $2 !~ /^[0-9]+$/ || $2 < 1 || $2 > max' "$tmp/truth")
			[ -z "$bad" ] || problem="${problem:+$problem; }malformed truth line: $bad"
		fi
		planted=0
		caught=0
		missed=
		if [ "$kind" = planted ]; then
			while read -r code line; do
				planted=$((planted + 1))
				if grep -q "^$line:[0-9]*: $code\$" "$tmp/got"; then
					caught=$((caught + 1))
				else
					missed="$missed $code@$line"
				fi
			done < "$tmp/truth"
		fi
		# Effects warnings not named by a truth line: false alarms on a clean
		# spec, noise the copy shares with its clean spec otherwise.
		alarms=
		while IFS= read -r d; do
			line=${d%%:*}
			code=${d##* }
			case " $effects_codes " in *" $code "*) ;; *) continue ;; esac
			if grep -qx "$code $line" "$tmp/truth"; then
				continue
			fi
			alarms="$alarms $code@$line"
		done < "$tmp/got"
		hints=
		while IFS= read -r h; do
			if grep -F -e "$h" "$tmp/out" > /dev/null; then
				hints="$hints [$h]"
			fi
		done < "$tmp/hints"
		printf '%s|%s|%d|%d|%s|%s|%s\n' "$spec" "$kind" "$planted" "$caught" "${missed# }" "${alarms# }" "${hints# }" >> "$tmp/rows"
		if [ -z "$problem" ]; then
			ok "$spec: $kind${missed:+, missed$missed}${alarms:+, effects warnings$alarms}${hints:+, harmful hint$hints}"
		else
			not_ok "$spec # $problem"
		fi
	done < "$tmp/specs"

	# The measured table, as README.md keeps it between the markers.
	awk -F'|' '
	BEGIN {
		print "| spec | truth | caught | missed | effects warnings not in the truth | harmful hints |"
		print "|---|---|---|---|---|---|"
	}
	{
		truth = ($2 == "clean") ? "clean" : $3 " planted"
		caught = ($2 == "clean") ? "-" : $4 "/" $3
		printf "| %s | %s | %s | %s | %s | %s |\n", $1, truth, caught, \
			($5 == "" ? "" : $5), ($6 == "" ? "" : $6), ($7 == "" ? "" : $7)
		if ($2 == "clean") { nclean++; if ($6 != "") { fa += split($6, x, " "); fspecs++ } }
		else { np += $3; nc += $4; ncopies++; if ($3 == $4) nfull++ }
		if ($7 != "") nh += gsub(/\[/, "[", $7)
	}
	END {
		print ""
		printf "Truth annotations of the planted mistakes caught: %d of %d; copies with every annotation caught: %d of %d. ", nc, np, nfull, ncopies
		printf "False alarms of the effects rules on the %d clean specs: %d (on %d specs). ", nclean, fa, fspecs
		printf "Harmful hints: %d.\n", nh
	}' "$tmp/rows" > "$tmp/table"
	sed 's/^/# /' "$tmp/table"
	if [ -n "$update" ]; then
		awk -v table="$tmp/table" '
			/<!-- measured:begin -->/ { print; while ((getline l < table) > 0) print l; skip = 1; next }
			/<!-- measured:end -->/ { skip = 0 }
			!skip' README.md > "$tmp/readme" && cat "$tmp/readme" > README.md
		ok "README.md measured table written"
	else
		sed -n '/<!-- measured:begin -->/,/<!-- measured:end -->/p' README.md | sed '1d;$d' > "$tmp/readme-table"
		if cmp -s "$tmp/table" "$tmp/readme-table"; then
			ok "README.md shows the measured figures"
		else
			not_ok "README.md shows the measured figures (run tests/realworld/update.sh)"
			diff -u "$tmp/readme-table" "$tmp/table" | sed 's/^/#   /'
		fi
	fi
	;;

build)
	if ! command -v shellcheck > /dev/null 2>&1; then
		echo '1..0 # SKIP shellcheck is not installed'
		exit 77
	fi
	echo "1..$((total + 1))"
	i=0
	: > "$tmp/scripts"
	while IFS= read -r spec; do
		i=$((i + 1))
		out=$tmp/gen$i
		if ! "$relc" build -q --no-git --allow-irreversible "$spec" -o "$out" > "$tmp/err" 2>&1; then
			not_ok "$spec builds"
			sed 's/^/#   | /' "$tmp/err"
			continue
		fi
		if dash -n "$out/deploy.sh" 2> "$tmp/err" && dash -n "$out/rollback.sh" 2>> "$tmp/err"; then
			ok "$spec builds; deploy.sh and rollback.sh pass dash -n"
			printf '%s\n%s\n' "$out/deploy.sh" "$out/rollback.sh" >> "$tmp/scripts"
		else
			not_ok "$spec builds; deploy.sh and rollback.sh pass dash -n"
			sed 's/^/#   | /' "$tmp/err"
		fi
	done < "$tmp/specs"
	# Every spec's scripts, copies too (a planted line is a line like any
	# other), in two shellcheck runs side by side: a process per script
	# costs seconds each.
	if xargs -P 2 -n "$(( ($(wc -l < "$tmp/scripts") + 1) / 2 ))" shellcheck -s sh < "$tmp/scripts" > "$tmp/sc" 2>&1; then
		ok "shellcheck -s sh: no finding in $(wc -l < "$tmp/scripts" | tr -d ' ') scripts"
	else
		not_ok "shellcheck -s sh: no finding in $(wc -l < "$tmp/scripts" | tr -d ' ') scripts"
		head -n 80 "$tmp/sc" | sed 's/^/#   /'
	fi
	;;

*)
	echo "run.sh: unknown mode $mode" >&2
	exit 2
	;;
esac
[ "$fails" -eq 0 ]
