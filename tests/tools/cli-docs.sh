#!/bin/sh
# cli-docs.sh - what `relc --help` offers is what the parser accepts, is
# documented in relc(1) and in docs/, and completed by the bash completion,
# so none of them can drift apart. TAP.
#
#   cli-docs.sh TAPLIB RELC RELC_1_SCD COMPLETION MAIN_C DOCS_DIR
set -u
# shellcheck source=tap.sh
. "${1:?tap.sh}"
relc=${2:?relc}
page=${3:?relc.1.scd}
completion=${4:?completion}
main_c=${5:?main.c}
docs=${6:?docs}

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

# same_set DESCRIPTION A-LABEL A B-LABEL B: two newline-separated sets are equal.
same_set() {
	only_a=$(printf '%s\n' "$3" | grep -vxF -e "$(printf '%s\n' "$5")" | tr '\n' ' ')
	only_b=$(printf '%s\n' "$5" | grep -vxF -e "$(printf '%s\n' "$3")" | tr '\n' ' ')
	if [ -z "$3" ] || [ -z "$5" ]; then
		fail "$1" "$2: ${3:-(none)}" "$4: ${5:-(none)}"
	elif [ -z "$only_a" ] && [ -z "$only_b" ]; then
		ok "$1"
	else
		fail "$1" "only in $2: $only_a" "only in $4: $only_b"
	fi
}

# The options parse_args compares arguments with, and those relc(1) gives a
# paragraph of OPTIONS (lines starting with *-).
parsed=$(sed -n '/^static int parse_args/,/^}/p' "$main_c" |
	grep -oE 'str(n)?cmp\(a, "--?[a-z][a-z-]*' | sed 's/.*"//' | sort -u)
manopts=$(sed -n '/^# OPTIONS/,/^# /p' "$page" | grep -E '^\*-' |
	grep -oE '\*--?[a-z][a-z-]*' | sed 's/^\*//' | sort -u)
same_set "relc --help lists exactly the options the parser accepts" \
	"--help" "$options" "main.c" "$parsed"
same_set "relc(1) OPTIONS describes exactly the options of relc --help" \
	"--help" "$options" "relc(1) OPTIONS" "$manopts"

# The manual (docs/) names every option, in backquotes, somewhere.
missing=
for o in $options; do
	grep -qE -e "\`$o([ =\`]|\$)" "$docs"/*.md || missing="$missing $o"
done
if [ -z "$missing" ]; then ok "docs/ names every option"; else fail "docs/ names every option" "missing:$missing"; fi

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
