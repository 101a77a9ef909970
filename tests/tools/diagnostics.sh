#!/bin/sh
# shellcheck disable=SC2016 # jq filters, vim probes and spec text hold a literal $
# diagnostics.sh - `relc check --diagnostics=json` and `--diagnostics=sarif`
# print what tools can read: every JSON line parses and has the documented
# members and types, the SARIF log has the required structure, and both say
# the same thing as the text output. TAP output.
#
#   diagnostics.sh TAPLIB RELC MESSAGES_DEF
set -u
# shellcheck source=tap.sh
. "${1:?tap.sh}"
relc=${2:?relc}
messages=${3:?messages.def}
case $relc in /*) ;; *) relc=$PWD/$relc ;; esac
case $messages in /*) ;; *) messages=$PWD/$messages ;; esac

if ! command -v jq >/dev/null 2>&1; then
	echo "Bail out! jq is needed (Debian package jq)"
	exit 1
fi

tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM
cd "$tmp" || exit 2

commit=0123456789abcdef0123456789abcdef01234567
# Errors on known lines: E007 (with a note that points at line 7), E010 on
# line 10 for a step whose name needs escaping (quote, backslash, tab,
# newline, control characters), E006 on line 11 column 14.
printf '%s\n' \
	'release 0.3.0' \
	'project "Test"' \
	'date 2026-11-26' \
	"previous $commit" \
	"target $commit" \
	'downtime 0s' \
	'let app = /srv/app' \
	'let app = /srv/other' \
	'' \
	'step "Q \" B \\ T \t N \n C '"$(printf '\001\033')"' end" {' \
	'    run echo ${nope} ${app}' \
	'    expect stdout "x"' \
	'    estimate 1s' \
	'}' >0.3.0.rel
# A clean spec: no diagnostic at all.
printf '%s\n' \
	'release 1.0.0' \
	'project "Test"' \
	'date 2026-11-26' \
	"previous $commit" \
	"target $commit" \
	'downtime 0s' \
	'step "Nothing" {' \
	'    run true' \
	'    expect stdout empty' \
	'    estimate 1s' \
	'    undo none "changes nothing"' \
	'}' \
	'verify "Still nothing" {' \
	'    run true' \
	'    expect stdout empty' \
	'    estimate 1s' \
	'}' \
	'after-rollback "Nothing again" {' \
	'    run true' \
	'}' >1.0.0.rel

# run NAME ARGS...: relc's stdout (the document) in NAME.out, stderr in
# NAME.err, status in NAME.rc.
run() {
	name=$1
	shift
	"$relc" "$@" >"$name.out" 2>"$name.err"
	echo $? >"$name.rc"
}
status_is() { # description name want
	got=$(cat "$2.rc")
	if [ "$got" = "$3" ]; then ok "$1"; else fail "$1" "exit $got, want $3" "$(head -n 20 "$2.err")"; fi
}
# jqcheck DESCRIPTION FILE FILTER...: jq -e with the filter is true.
jqcheck() {
	desc=$1
	file=$2
	shift 2
	if out=$(jq -e "$@" "$file" 2>&1) && [ "$(printf '%s' "$out" | tail -n 1)" = true ]; then
		ok "$desc"
	else
		fail "$desc" "$out" "$(head -c 2000 "$file")"
	fi
}

# ---- JSON lines ----
run json check --no-git --diagnostics=json 0.3.0.rel
run text check --no-git 0.3.0.rel
status_is "json: exit status 1 for a spec with errors" json 1

lines=$(wc -l <json.out)
bad=0
while IFS= read -r line; do
	printf '%s\n' "$line" | jq -e 'type == "object"' >/dev/null 2>&1 || bad=$((bad + 1))
done <json.out
if [ "$lines" -gt 0 ] && [ "$bad" -eq 0 ]; then
	ok "json: each of the $lines lines is a JSON object"
else
	fail "json: each line is a JSON object" "$bad of $lines lines do not parse" "$(cat json.out)"
fi

text_count=$(grep -cE '^[^ ].*: (error|warning)\[[EW][0-9]+\]: ' text.err)
if [ "$text_count" -eq "$lines" ]; then
	ok "json: one line per diagnostic of the text output ($lines)"
else
	fail "json: one line per diagnostic" "text has $text_count, json has $lines"
fi

jqcheck "json: members and types" json.out -s '
	all(.[];
		(keys == (["code","column","end","file","line","message","notes","severity"])) and
		(.file | type == "string" or . == null) and
		(.line | type == "number" or . == null) and
		(.column | type == "number" or . == null) and
		(.end == null or (.end | type == "number" and . > 0)) and
		(.severity == "error" or .severity == "warning") and
		(.code | test("^[EW][0-9]{3}$")) and
		(.message | type == "string" and length > 0) and
		(.notes | type == "array") and
		all(.notes[];
			(keys == (["column","file","line","message"])) and
			(.message | type == "string")))'
jqcheck "json: severity follows the code letter" json.out -s '
	all(.[]; (.code[0:1] == "E") == (.severity == "error"))'
jqcheck "json: E010 at 0.3.0.rel:10:1, an error" json.out -s '
	any(.[]; .code == "E010" and .file == "0.3.0.rel" and .line == 10 and
		.column == 1 and .severity == "error")'
jqcheck "json: E006 at line 11 column 14" json.out -s '
	any(.[]; .code == "E006" and .line == 11 and .column == 14)'
jqcheck "json: E007's note points at the first definition, line 7" json.out -s '
	any(.[]; .code == "E007" and .line == 8 and
		any(.notes[]; .file == "0.3.0.rel" and .line == 7 and .column == 5))'
jqcheck "json: strings escaped and decoded exactly" json.out -s '
	any(.[]; .code == "E010" and
		(.message | contains("Q \" B \\ T \t N \n C \u0001\u001b end")))'
jqcheck "json: sorted by location" json.out -s '
	[.[] | [.line // 0, .column // 0]] as $l | $l == ($l | sort)'
text_codes=$(sed -n -E 's/^[^ ].*: (error|warning)\[([EW][0-9]+)\]: .*/\2/p' text.err | tr '\n' ' ')
json_codes=$(jq -r .code json.out | tr '\n' ' ')
if [ "$text_codes" = "$json_codes" ]; then
	ok "json: same codes in the same order as the text output"
else
	fail "json: same codes in the same order as the text output" "text: $text_codes" "json: $json_codes"
fi

run werror check --no-git --werror --diagnostics=json 0.3.0.rel
jqcheck "json: --werror reports warnings with severity error" werror.out -s '
	any(.[]; .code[0:1] == "W") and all(.[]; .severity == "error")'

run jsonclean check --no-git --diagnostics=json 1.0.0.rel
status_is "json: a clean spec exits 0" jsonclean 0
if [ ! -s jsonclean.out ]; then
	ok "json: a clean spec prints nothing"
else
	fail "json: a clean spec prints nothing" "$(cat jsonclean.out)"
fi

run json2 check --no-git --diagnostics=json 0.3.0.rel
if cmp -s json.out json2.out; then
	ok "json: the same run prints the same bytes"
else
	fail "json: the same run prints the same bytes" "$(diff json.out json2.out)"
fi

# ---- SARIF ----
run sarif check --no-git --diagnostics=sarif 0.3.0.rel
status_is "sarif: exit status 1 for a spec with errors" sarif 1
jqcheck "sarif: one log with the required top-level members" sarif.out -s '
	length == 1 and (.[0] | (.["$schema"] | type == "string") and .version == "2.1.0" and
		(.runs | type == "array" and length == 1))'
version=$("$relc" --version | sed -n 's/.*\([0-9][0-9]*\.[0-9][0-9]*\.[0-9][0-9]*\).*/\1/p' | head -n 1)
jqcheck "sarif: tool.driver is relc $version" sarif.out --arg v "$version" '
	.runs[0].tool.driver | .name == "relc" and .version == $v'

codes=$(sed -n 's/^MSG(\([EW][0-9]*\),.*/\1/p' "$messages" | tr '\n' ' ')
jqcheck "sarif: one rule per registry code, in registry order" sarif.out --arg c "$codes" '
	[.runs[0].tool.driver.rules[].id] == ($c | split(" ") | map(select(. != "")))'
jqcheck "sarif: every rule has a name and texts" sarif.out '
	all(.runs[0].tool.driver.rules[];
		(.name | type == "string" and length > 0) and
		(.shortDescription.text | type == "string" and length > 0) and
		(.fullDescription.text | type == "string" and length > 0) and
		(.help.text | type == "string" and length > 0) and
		(.defaultConfiguration.level == "error" or .defaultConfiguration.level == "warning"))'
jqcheck "sarif: every result is complete" sarif.out '
	.runs[0] as $run |
	($run.results | type == "array" and length > 0) and
	all($run.results[];
		(.ruleId | type == "string") and
		(.ruleIndex | type == "number") and
		($run.tool.driver.rules[.ruleIndex].id == .ruleId) and
		(.level == "error" or .level == "warning") and
		(.message.text | type == "string" and length > 0) and
		all(.locations[]?;
			(.physicalLocation.artifactLocation.uri | type == "string") and
			(.physicalLocation.region == null or
			 (.physicalLocation.region |
				(.startLine | type == "number" and . >= 1) and
				(.startColumn == null or .startColumn >= 1) and
				(.endColumn == null or .endColumn > .startColumn)))) and
		all(.relatedLocations[]?;
			(.physicalLocation.artifactLocation.uri | type == "string") and
			(.message.text | type == "string")))'
jqcheck "sarif: E010 at 0.3.0.rel line 10 column 1" sarif.out '
	any(.runs[0].results[]; .ruleId == "E010" and .level == "error" and
		.locations[0].physicalLocation.artifactLocation.uri == "0.3.0.rel" and
		.locations[0].physicalLocation.region.startLine == 10 and
		.locations[0].physicalLocation.region.startColumn == 1)'
jqcheck "sarif: E007's note is a related location at line 7" sarif.out '
	any(.runs[0].results[]; .ruleId == "E007" and
		any(.relatedLocations[]; .physicalLocation.region.startLine == 7))'
jqcheck "sarif: a note without a place is kept in the message" sarif.out '
	any(.runs[0].results[]; .ruleId == "E010" and (.message.text | contains("\nnote: ")))'
sarif_codes=$(jq -r '.runs[0].results[].ruleId' sarif.out | tr '\n' ' ')
if [ "$sarif_codes" = "$json_codes" ]; then
	ok "sarif: the same results in the same order as json"
else
	fail "sarif: the same results in the same order as json" "json:  $json_codes" "sarif: $sarif_codes"
fi

run sarifclean check --no-git --diagnostics=sarif 1.0.0.rel
status_is "sarif: a clean spec exits 0" sarifclean 0
jqcheck "sarif: a clean spec gives a log with no results" sarifclean.out '
	.version == "2.1.0" and .runs[0].results == [] and
	(.runs[0].tool.driver.rules | length > 0)'

# A spec path with a space and '#' is percent-encoded in the URI.
mkdir "odd dir#1"
cp 0.3.0.rel "odd dir#1/0.3.0.rel"
run sarifodd check --no-git --diagnostics=sarif "odd dir#1/0.3.0.rel"
jqcheck "sarif: artifact URIs are percent-encoded" sarifodd.out '
	all(.runs[0].results[].locations[]?;
		.physicalLocation.artifactLocation.uri == "odd%20dir%231/0.3.0.rel")'

run badformat check --no-git --diagnostics=xml 0.3.0.rel
status_is "an unknown --diagnostics format is a usage error (2)" badformat 2

# ---- the document is on standard output, whatever happens ----
if ! grep -q '^{' json.err sarif.err; then
	ok "the documents are on standard output, not standard error"
else
	fail "the documents are on standard output, not standard error" "$(head -n 3 json.err sarif.err)"
fi
run emitjson emit json --no-git --diagnostics=json 0.3.0.rel
jqcheck "emit: stdout is the artefact, so the document goes to stderr" emitjson.err -s '
	length > 0 and any(.[]; .code == "E010")'

mkdir inc
printf '%s\n' 'release 2.0.0' 'project "Demo"' 'date 2026-11-26' \
	"previous $commit" "target $commit" 'include "inc/missing.rel"' >inc.rel
mkdir adir.rel
# failure NAME STATUS DESCRIPTION ARGS...: with json and sarif, the run exits
# STATUS and still prints a valid document saying why.
failure() {
	fname=$1 fstatus=$2 fdesc=$3
	shift 3
	run "$fname-json" "$@" --diagnostics=json
	status_is "$fdesc: json exits $fstatus as before" "$fname-json" "$fstatus"
	jqcheck "$fdesc: json lines, one a failure of relc (code null)" "$fname-json.out" -s '
		length > 0 and all(.[]; type == "object" and has("message")) and
		any(.[]; .code == null and .severity == "error" and (.message | length > 0))'
	run "$fname-sarif" "$@" --diagnostics=sarif
	status_is "$fdesc: sarif exits $fstatus as before" "$fname-sarif" "$fstatus"
	jqcheck "$fdesc: a SARIF log with executionSuccessful false and a notification" \
		"$fname-sarif.out" -s '
		length == 1 and .[0].version == "2.1.0" and
		(.[0].runs[0].invocations | length == 1) and
		(.[0].runs[0].invocations[0] | .executionSuccessful == false and
			(.toolExecutionNotifications | length > 0) and
			all(.toolExecutionNotifications[]; .level == "error" and
				(.message.text | length > 0)))'
}
failure missing 2 "an unreadable spec (none there)" check --no-git no-such.rel
failure adir 2 "an unreadable spec (a folder)" check --no-git 0.3.0.rel adir.rel
failure usage 2 "a usage error" check --no-git --no-such-option 0.3.0.rel
failure usage2 2 "a usage error of build" build --no-git 0.3.0.rel 1.0.0.rel
jqcheck "an unreadable spec after a readable one: both in one log" adir-sarif.out '
	any(.runs[0].results[]; .ruleId == "E010")'

# A missing include is a finding with a place (E008), the rest is checked.
run inc-sarif check --no-git --diagnostics=sarif inc.rel
status_is "a missing include: exit 1 as before" inc-sarif 1
jqcheck "a missing include: an E008 result at its line in a valid log" inc-sarif.out '
	any(.runs[0].results[]; .ruleId == "E008" and
		.locations[0].physicalLocation.region.startLine == 6)'
jqcheck "a clean log says executionSuccessful true" sarifclean.out '
	.runs[0].invocations == [{"executionSuccessful": true}]'

# An internal failure: out of memory under a small address-space limit. A
# build that cannot start under the limit (sanitizers reserve terabytes) skips.
# shellcheck disable=SC3045 # dash, bash, mksh and busybox sh have ulimit -v
if (ulimit -v 60000 && "$relc" --version) >/dev/null 2>&1; then
	{
		printf '%s\n' 'release 3.0.0' 'project "Big"' 'date 2026-11-26' \
			"previous $commit" "target $commit"
		i=0
		while [ $i -lt 3000 ]; do
			printf 'step "s%d" {\n  run true\n  undo { run true }\n}\n' $i
			i=$((i + 1))
		done
	} >big1.rel
	: >big.rel
	for _ in 1 2 3 4 5; do cat big1.rel big1.rel big1.rel >>big.rel; done
	for fmt in json sarif; do
		# shellcheck disable=SC3045
		(ulimit -v 60000; exec "$relc" check --no-git --diagnostics=$fmt big.rel) \
			>oom-$fmt.out 2>oom-$fmt.err
		echo $? >oom-$fmt.rc
	done
	status_is "out of memory: exit 2" oom-json 2
	jqcheck "out of memory: a json line saying so" oom-json.out -s '
		any(.[]; .code == null and .message == "out of memory")'
	jqcheck "out of memory: a SARIF log with executionSuccessful false" oom-sarif.out -s '
		length == 1 and .[0].runs[0].invocations[0].executionSuccessful == false and
		.[0].runs[0].invocations[0].toolExecutionNotifications[0].message.text == "out of memory"'
else
	skip "out of memory" "relc cannot start under ulimit -v here"
fi
finish
