#!/bin/sh
# completion.sh - the bash completion completes what relc accepts. TAP output.
#
#   completion.sh TAPLIB COMPLETION MESSAGES_DEF
# Each case sources the completion in a fresh `bash -c`, sets COMP_WORDS and
# COMP_CWORD as readline would, calls _relc and compares COMPREPLY (sorted).
set -u
# shellcheck source=tap.sh
. "${1:?tap.sh}"
completion=${2:?completion file}
messages=${3:?messages.def}

command -v bash >/dev/null 2>&1 || { echo "1..0 # SKIP bash not found"; exit 0; }
case $completion in /*) ;; *) completion=$PWD/$completion ;; esac

tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM
mkdir -p "$tmp/specs/shared" "$tmp/generated"
: >"$tmp/specs/0.3.0.rel"
: >"$tmp/specs/notes.md"
mkdir "$tmp/odd"
: >"$tmp/odd/my spec.rel"
: >"$tmp/odd/a*b.rel"
: >"$tmp/top.rel"

# complete WORD...: the sorted completions, one a line, for the last word;
# "(bash failed)" when the completion could not be sourced or run.
complete_words() {
	if (cd "$tmp" && bash -c '
		. "$1" || exit 2
		shift
		COMP_WORDS=("$@")
		COMP_CWORD=$(($# - 1))
		COMP_LINE="$*"
		_relc || exit 3
		[ ${#COMPREPLY[@]} -eq 0 ] || printf "%s\n" "${COMPREPLY[@]}"' \
		bash "$completion" "$@") >"$tmp/reply" 2>&1; then
		LC_ALL=C sort "$tmp/reply"
	else
		echo "(bash failed)"
		cat "$tmp/reply"
	fi
}

expect() { # description expected-words -- words...
	desc=$1
	# shellcheck disable=SC2086 # a list of words on purpose
	want=$(printf '%s\n' $2 | LC_ALL=C sort)
	shift 3
	got=$(complete_words "$@")
	if [ "$got" = "$want" ]; then
		ok "$desc"
	else
		fail "$desc" "words: $*" "want: $(printf '%s ' "$want")" "got:  $(printf '%s ' "$got")"
	fi
}

expect "subcommands and global options" \
	"build changelog check emit explain fmt --help --version -h" -- relc ''
expect "subcommands by prefix" "changelog check" -- relc ch
expect "check options" \
	"--allow-irreversible --diagnostics= --explain-effects --help --include-root --journal --no-git --quiet --repo --werror -h -q" \
	-- relc check -
expect "build options include --check and -o" \
	"--allow-irreversible --check --diagnostics= --help --include-root --journal --no-git --output --quiet --repo --werror -h -o -q" \
	-- relc build -
expect "changelog takes --update" "--update" -- relc changelog --up
expect "fmt options" "--check --diagnostics= --help --quiet -h -q" -- relc fmt -
expect "emit kinds" "changelog fleet fleet-rollback json md rollback sh" -- relc emit ''
expect "emit kinds after an option" "md" -- relc emit --no-git m
expect "--diagnostics= values (one word)" \
	"--diagnostics=json --diagnostics=sarif --diagnostics=text" -- relc check --diagnostics=
expect "--diagnostics values split at '=' by readline" "sarif" -- relc check --diagnostics = s
expect "SPEC: .rel files and folders, not other files" \
	"generated odd specs top.rel" -- relc check ''
expect "SPEC inside a folder" "specs/0.3.0.rel specs/shared" -- relc build --check specs/
# Compare as lines: these names hold a space and a '*'.
got=$(complete_words relc check odd/)
want=$(printf '%s\n' 'odd/a*b.rel' 'odd/my spec.rel' | LC_ALL=C sort)
if [ "$got" = "$want" ]; then
	ok "SPEC names with a space or '*' stay whole"
else
	fail "SPEC names with a space or '*' stay whole" "want: $want" "got:  $got"
fi
expect "emit SPEC after the kind" "specs/0.3.0.rel specs/shared" -- relc emit json specs/
expect "-o takes a folder" "generated" -- relc build -o g
expect "--include-root takes a folder" "generated" -- relc check --include-root g
expect "SPEC after --include-root DIR" "specs/0.3.0.rel specs/shared" \
	-- relc check --include-root generated specs/
expect "--journal takes any file or folder" "specs/0.3.0.rel specs/notes.md specs/shared" \
	-- relc build specs/0.3.0.rel --journal specs/
expect "--update takes any file" "specs/0.3.0.rel specs/notes.md specs/shared" \
	-- relc changelog specs/0.3.0.rel --update specs/
expect "explain: codes by prefix" "E010 E011 E012 E013 E014 E015 E016 E017 E018 E019" -- relc explain E01
expect "explain: lower case stays lower case" "w110 w111 w112 w113 w114 w117 w118 w119" -- relc explain w11
expect "explain takes one code" "" -- relc explain E010 ''

# Every code of the registry, and nothing else, is offered by explain.
codes=$(sed -n 's/^MSG(\([EW][0-9]*\),.*/\1/p' "$messages" | LC_ALL=C sort)
if [ -z "$codes" ]; then
	fail "explain completes every registry code" "no codes read from $messages"
else
	expect "explain completes every registry code" "$codes" -- relc explain ''
fi
finish
