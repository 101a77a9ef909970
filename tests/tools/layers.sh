#!/bin/sh
# layers.sh - the sources depend on each other top to bottom, never in a
# circle (docs/hacking.md, "Dependency layers"). TAP.
#
#   layers.sh TAPLIB SRCDIR
#
# A header X.h is the module X. A .c file belongs to the module of the
# header it includes first (its own: check_blocks.c opens with check.h,
# emit_md.c with emit.h); a .c that opens with a system header (main.c)
# is a module of its own. Module A depends on module B when a file of A
# includes B's header. That graph must have no cycle.
set -u
# shellcheck source=tap.sh
. "${1:?tap.sh}"
src=${2:?src}

# edges SRCDIR: "A B" per line, module A includes the header of module B.
edges() {
	for f in "$1"/*.c "$1"/*.h; do
		awk -v dir="$1" '
			function base(p) { sub(/.*\//, "", p); return p }
			FNR == 1 {
				name = base(FILENAME)
				mod = name; sub(/\.[ch]$/, "", mod)
				first = (name ~ /\.c$/)
			}
			/^#[ \t]*include[ \t]/ {
				q = ($0 ~ /^#[ \t]*include[ \t]*"/)
				h = $0
				sub(/^#[ \t]*include[ \t]*[<"]/, "", h); sub(/[>"].*/, "", h)
				if (first) {
					first = 0
					if (q && h ~ /\.h$/) { mod = h; sub(/\.h$/, "", mod) }
				}
				if (!q || h !~ /\.h$/ || h ~ /\//)
					next
				if ((getline line < (dir "/" h)) < 0)
					next	# generated (parser.h, lexer.h): not a source
				close(dir "/" h)
				to = h; sub(/\.h$/, "", to)
				if (to != mod)
					print mod, to
			}' "$f"
	done | sort -u
}

# cycle: reads edges, prints one cycle ("a -> b -> a") and fails if any.
cycle() {
	awk '
		{ n[$1]++; adj[$1, n[$1]] = $2; node[$1]; node[$2] }
		function visit(v,    i, w, k, path) {
			state[v] = 1; stack[++depth] = v
			for (i = 1; i <= n[v]; i++) {
				w = adj[v, i]
				if (state[w] == 1) {
					path = w
					for (k = depth; stack[k] != w; k--)
						path = stack[k] " -> " path
					print w " -> " path
					return 1
				}
				if (!state[w] && visit(w))
					return 1
			}
			depth--; state[v] = 2
			return 0
		}
		END {
			for (v in node)
				if (!state[v] && visit(v))
					exit 1
		}'
}

if out=$(edges "$src" | cycle); then
	ok "the include graph of src/ has no cycle"
else
	fail "the include graph of src/ has no cycle" "$out"
fi

# Every .c but main.c opens with its own header: the graph above rests on it.
bad=
for f in "$src"/*.c; do
	first=$(grep -m1 '^#[ 	]*include' "$f")
	case $first in
	*'"'*.h'"'*) ;;
	*) [ "${f##*/}" = main.c ] || bad="$bad ${f##*/}" ;;
	esac
done
if [ -z "$bad" ]; then
	ok "every .c but main.c includes its own header first"
else
	fail "every .c but main.c includes its own header first" "not:$bad"
fi

# The check can fail: each of the three circles it was written against,
# put back into a copy of the sources, is found.
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
for circle in \
	"check_effects.c check.h" \
	"diag.c diag_json.h" \
	"emit_changelog.c emit.h"; do
	file=${circle% *}
	hdr=${circle#* }
	rm -rf "$tmp/src" && cp -R "$src" "$tmp/src"
	printf '#include "%s"\n' "$hdr" >>"$tmp/src/$file"
	if out=$(edges "$tmp/src" | cycle); then
		fail "a circle through $file including $hdr is found"
	else
		ok "a circle through $file including $hdr is found"
		printf '# %s\n' "$out"
	fi
done

finish
