#!/bin/sh
# tests/fmt/run.sh RELC SOURCE_ROOT - relc fmt over every spec of the project:
# the result is formatted (fmt --check passes), formatting again changes no
# byte, and every spec that compiles means the same after (relc emit json,
# locations and file identities aside). TAP output.
set -u
relc=$1
root=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM
n=0
fail=0
ok() { n=$((n + 1)); printf 'ok %d - %s\n' "$n" "$1"; }
not_ok() { n=$((n + 1)); fail=1; printf 'not ok %d - %s\n' "$n" "$1"; }

# Compare meaning: strip what formatting may move (locations) and what names
# the file rather than the release (paths, blob ids).
meaning() {
	jq -S 'walk(if type == "object" then del(.location, .included_at, .blob, .path) else . end)'
}

# without tests/mermaid/node_modules (npm's, hundreds of megabytes, no specs)
mkdir "$work/before"
(cd "$root/tests" && tar -cf - --exclude=node_modules .) | (cd "$work/before" && tar -xf -)
cp -R "$root/specs" "$work/before/specs"
cp -R "$work/before" "$work/after"
# The example compiles against the demo repository; its formatted copy is
# compiled outside the work tree against the same history.
sh "$root/scripts/demo-repo.sh" "$work/demo" "$root/specs" >/dev/null

compile_json() { # SPEC -> stdout; exit status of relc
	case $1 in
	*/specs/*) "$relc" emit json --repo "$work/demo" "$1" 2>/dev/null ;;
	*) "$relc" emit json --no-git "$1" 2>/dev/null ;;
	esac
}

find "$work/before" -name '*.rel' | LC_ALL=C sort > "$work/list"
count=0
compared=0
while IFS= read -r before; do
	rel=${before#"$work/before/"}
	after="$work/after/$rel"
	# only specs that parse can be formatted; the others must be refused, untouched
	if ! "$relc" fmt "$after" >"$work/out" 2>&1; then
		if cmp -s "$before" "$after"; then
			ok "$rel: refused (does not parse), left untouched"
		else
			not_ok "$rel: fmt failed but changed the file"
		fi
		continue
	fi
	count=$((count + 1))
	if "$relc" fmt --check "$after" >/dev/null 2>&1; then
		ok "$rel: formatted"
	else
		not_ok "$rel: fmt --check fails right after fmt"
	fi
	cp "$after" "$work/again"
	"$relc" fmt "$work/again" >/dev/null 2>&1
	if cmp -s "$after" "$work/again"; then
		ok "$rel: idempotent"
	else
		not_ok "$rel: a second fmt changed it"
		diff "$after" "$work/again" | sed 's/^/# /' | head -20
	fi
	if compile_json "$before" > "$work/a.json"; then
		compared=$((compared + 1))
		if compile_json "$after" > "$work/b.json" &&
			meaning < "$work/a.json" > "$work/a.norm" &&
			meaning < "$work/b.json" > "$work/b.norm" &&
			cmp -s "$work/a.norm" "$work/b.norm"; then
			ok "$rel: same meaning"
		else
			not_ok "$rel: compiled meaning changed"
			diff "$work/a.norm" "$work/b.norm" | sed 's/^/# /' | head -20
		fi
	fi
done < "$work/list"
# a carelessly laid out spec comes out exactly as expected (read by a person)
cp "$root/tests/fmt/messy.rel" "$work/messy.rel"
if "$relc" fmt "$work/messy.rel" && cmp -s "$work/messy.rel" "$root/tests/fmt/messy.expected"; then
	ok "messy.rel formats to messy.expected"
else
	not_ok "messy.rel does not format to messy.expected"
	diff "$root/tests/fmt/messy.expected" "$work/messy.rel" | sed 's/^/# /' | head -20
fi
if "$relc" fmt --check "$root/tests/fmt/messy.rel" 2>"$work/err"; then
	not_ok "fmt --check accepts an unformatted file"
elif grep -q 'messy.rel is not formatted' "$work/err"; then
	ok "fmt --check exits 1 and names the file"
else
	not_ok "fmt --check does not name the file"
fi
# the suite must have exercised something real
if [ "$count" -ge 10 ] && [ "$compared" -ge 5 ]; then
	ok "formatted $count specs, compared the meaning of $compared"
else
	not_ok "too few specs formatted ($count) or compared ($compared)"
fi
printf '1..%d\n' "$n"
exit $fail
