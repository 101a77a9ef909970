#!/bin/sh
# cli-docs.sh - what `relc --help` offers is documented in relc(1) and
# completed by the bash completion, so the three cannot drift apart. TAP.
#
#   cli-docs.sh TAPLIB RELC RELC_1_SCD COMPLETION
set -u
# shellcheck source=tap.sh
. "${1:?tap.sh}"
relc=${2:?relc}
page=${3:?relc.1.scd}
completion=${4:?completion}

if ! help=$("$relc" --help 2>&1); then
	echo "Bail out! relc --help failed: $help"
	exit 1
fi
commands=$(printf '%s\n' "$help" | sed -n 's/^ *\(usage: \)\{0,1\}relc \([a-z][a-z-]*\).*/\2/p' | sort -u)
options=$(printf '%s\n' "$help" | grep -oE -- '(^|[][ ,(|])--?[a-z][a-z-]*' |
	sed 's/^[][ ,(|]//' | sort -u)
kinds=$(printf '%s\n' "$help" | sed -n 's/.*relc emit \([a-z|]*\).*/\1/p' | tr '|' ' ')
formats=$(printf '%s\n' "$help" | sed -n 's/.*--diagnostics=\([a-z|]*\).*/\1/p' | tr '|' ' ')

# all_in DESCRIPTION FILE PATTERN-PREFIX PATTERN-SUFFIX WORD...: every WORD,
# wrapped in prefix and suffix, occurs in FILE (as a whole line when
# whole_lines is -x).
whole_lines=
all_in() {
	desc=$1 file=$2 pre=$3 post=$4
	shift 4
	if [ $# -eq 0 ]; then
		fail "$desc" "nothing read from relc --help"
		return
	fi
	missing=
	for w; do
		grep -qF $whole_lines -e "$pre$w$post" "$file" || missing="$missing $w"
	done
	if [ -z "$missing" ]; then ok "$desc ($*)"; else fail "$desc" "missing:$missing"; fi
}

tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

# Everything the completion offers: the first word, the options of each
# command, the emit kinds and the diagnostics formats, one a line.
# shellcheck disable=SC2016 # expanded by bash -c
bash -c '
	. "$1" || exit 2
	comp() { COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _relc; printf "%s\n" "${COMPREPLY[@]}"; }
	comp relc ""
	for c in check build emit changelog fmt explain; do comp relc "$c" -; done
	comp relc emit ""
	comp relc check --diagnostics=' bash "$completion" >"$tmp/offered" 2>&1 ||
	echo "(bash failed)" >>"$tmp/offered"
sed -e 's/^--diagnostics=\(.\)/\1/' -e 's/^--diagnostics=$/--diagnostics/' "$tmp/offered" >"$tmp/words"

# shellcheck disable=SC2086 # word lists on purpose
{
all_in "relc(1) synopsis has every command" "$page" '*relc ' '*' $commands
all_in "relc(1) documents every option" "$page" '*' '' $options
all_in "relc(1) names every emit kind" "$page" '*' '*' $kinds
all_in "relc(1) names every diagnostics format" "$page" '*' '*' $formats
whole_lines=-x
all_in "completion offers every command" "$tmp/words" '' '' $commands
all_in "completion offers every option" "$tmp/words" '' '' $options
all_in "completion offers every emit kind" "$tmp/words" '' '' $kinds
all_in "completion offers every diagnostics format" "$tmp/words" '' '' $formats
}
finish
