#!/bin/sh
# linear_size.sh RELC GEN_SPEC [N] - plan.md and the JSON grow linearly.
#
# Releases of N and 2N steps (default 300) from tests/bench/gen-spec.sh, one
# of them with an irreversible step in the middle: plan.md and release.json
# of 2N steps must be less than 2.2 times those of N steps (a step's text
# listing its whole rollback path made them quadratic). Each long "On
# failure" line must agree with the JSON's undo_range of its step (first and
# last undo, how many) and name the Rollback Procedure items that hold
# exactly those undos; and the undo list recovered from each undo_range must
# be the one the walk gives (checked against the Rollback Procedure order).
set -u
relc=$1 gen=$2 n=${3:-300}
case $relc in /*) ;; *) relc=$(pwd)/$relc ;; esac
command -v jq >/dev/null 2>&1 || { echo 'linear_size.sh: jq is needed'; exit 77; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/relc-linear.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
status=0

fail() {
	printf 'FAIL: %s\n' "$1"
	status=1
}

# irreversible SPEC STEP: make step STEP (a "Configure worker" step, so a
# multiple of 5) irreversible instead of undoing.
irreversible() {
	awk -v name="step \"Configure worker $2\" {" '
		$0 == name { inside = 1 }
		inside && $0 == "    undo {" { print "    irreversible \"one-way change\""; skip = 1; next }
		skip { if ($0 == "    }") { skip = 0; inside = 0 } next }
		{ print }' "$1" >"$1.new" && mv "$1.new" "$1"
}

# emit NAME: plan.md and release.json of $tmp/NAME.
emit() {
	"$relc" emit md --no-git --allow-irreversible "$tmp/$1/1.0.0.rel" >"$tmp/$1.md" 2>/dev/null &&
		"$relc" emit json --no-git --allow-irreversible "$tmp/$1/1.0.0.rel" >"$tmp/$1.json" 2>/dev/null ||
		{ fail "relc emit failed on $1 (gen-spec.sh and relc disagree?)"; exit 1; }
}

# consistent NAME: the plan's long lines against the JSON, and the ranges
# against the walk.
consistent() {
	name=$1
	# step, from, to, count of each step whose path is given as a range
	jq -r '.steps[] | .rollback_path.undo_range as $u
		| select($u.count > 8) | "\(.index) \($u.from_step) \($u.to_step) \($u.count)"' \
		"$tmp/$name.json" >"$tmp/$name.want"
	[ -s "$tmp/$name.want" ] || fail "$name: no step has a path of more than 8 undos"
	# the same from the plan: "### K. Name" then its On failure line
	awk '/^## Deployment Steps$/ { on = 1 } /^## Post-Deployment/ { on = 0 }
		on && /^### [0-9]+\. / { k = $2; sub(/\.$/, "", k) }
		on && /^- \*\*On failure\*\*: .*the undos of steps [0-9]+ back to [0-9]+ \(the [0-9]+ of them/ {
			s = $0; sub(/.*the undos of steps /, "", s); split(s, w, " ")
			c = w[6]
			print k, w[1], w[4], c
		}' "$tmp/$name.md" >"$tmp/$name.got"
	if ! diff -u "$tmp/$name.want" "$tmp/$name.got" >"$tmp/diff"; then
		fail "$name: long On failure lines do not match the JSON (- JSON, + plan):"
		head -n 20 "$tmp/diff"
	fi
	# every "items A to B" names the Rollback Procedure items of that path:
	# A is the undo of its first step, A + count - 1 the undo of its last
	awk '/^## Deployment Steps$/ { on = 1 } /^## Post-Deployment/ { on = 0 }
		/^## Rollback Procedure$/ { rb = 1 } /^## Escalation$/ { rb = 0 }
		on && /items [0-9]+ to [0-9]+\)$/ {
			s = $0; sub(/.*the undos of steps /, "", s); split(s, w, " ")
			t = $0; sub(/.*items /, "", t); sub(/\)$/, "", t); split(t, it, " to ")
			line[++nl] = w[1] " " w[4] " " w[6] " " it[1] " " it[2] " " ($0 ~ /then the after-rollback blocks/)
		}
		rb && /^### [0-9]+\. Undo step [0-9]+:/ { i = $2; sub(/\.$/, "", i); s = $5; sub(/:$/, "", s); item[i] = s }
		rb && /^### [0-9]+\. After rollback: / { after++ }
		END {
			for (l = 1; l <= nl; l++) {
				split(line[l], v, " ")
				last = v[4] + v[3] - 1
				if (item[v[4]] != v[1] || item[last] != v[2] ||
				    v[5] != last + (v[6] ? after : 0)) {
					print "bad item range: " line[l]; bad = 1
				}
			}
			exit bad
		}' "$tmp/$name.md" || fail "$name: On failure names the wrong Rollback Procedure items"
	# the undos recovered from each range, against a walk back from the step
	# over the Rollback Procedure order, stopping at a point of no return
	jq -c '.steps as $s | [(.steps[].rollback_path, .verify_rollback_path) | .undo_range
		| if .count > 0 then [$s[.to_step - 1:.from_step][]
		    | select(.undo.kind == "block") | .index] | reverse else [] end]' \
		"$tmp/$name.json" >"$tmp/$name.ranges"
	jq -c '.steps as $s | [range(1; ($s | length) + 2) as $k
		| ([$k, ($s | length)] | min) as $k
		| [$s[:$k][] | select(.undo.kind == "irreversible") | .index] as $irr
		| ($irr | if length > 0 then max else 0 end) as $stop
		| [$s[$stop:$k][] | select(.undo.kind == "block") | .index] | reverse]' \
		"$tmp/$name.json" >"$tmp/$name.walk"
	cmp -s "$tmp/$name.ranges" "$tmp/$name.walk" ||
		fail "$name: the undo lists recovered from undo_range differ from the walk"
	[ "$(jq '[.steps[].rollback_path.undo_range.count] | max' "$tmp/$name.json")" -gt 8 ] ||
		fail "$name: the spec is too small to give long paths"
}

for size in "$n" $((2 * n)); do
	sh "$gen" "$size" "$tmp/plain$size" || exit 99
	mkdir -p "$tmp/irr$size" || exit 99
	cp "$tmp/plain$size/shared.rel" "$tmp/plain$size/1.0.0.rel" "$tmp/irr$size/" || exit 99
	irreversible "$tmp/irr$size/1.0.0.rel" $((size / 10 * 5))
	grep -q '^    irreversible ' "$tmp/irr$size/1.0.0.rel" || fail "no irreversible step made in irr$size"
	for name in plain$size irr$size; do
		emit "$name"
		consistent "$name"
	done
done

# ratio KIND FILE-N FILE-2N: the bigger one is less than 2.2 times the other
for kind in plain irr; do
	for ext in md json; do
		a=$(wc -c <"$tmp/$kind$n.$ext") b=$(wc -c <"$tmp/$kind$((2 * n)).$ext")
		if awk -v a="$a" -v b="$b" 'BEGIN { exit !(b < 2.2 * a) }'; then
			printf 'ok: %s.%s %d -> %d bytes for %d -> %d steps\n' "$kind" "$ext" "$a" "$b" "$n" $((2 * n))
		else
			fail "$kind.$ext grows faster than the steps: $a bytes at $n steps, $b at $((2 * n))"
		fi
	done
done
# no step's On failure line grows with the steps before it
longest=$(grep '^- \*\*On failure\*\*' "$tmp/plain$((2 * n)).md" | awk '{ if (length($0) > m) m = length($0) } END { print m + 0 }')
[ "$longest" -lt 400 ] || fail "an On failure line is $longest characters long"
exit "$status"
