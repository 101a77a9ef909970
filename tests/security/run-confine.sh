#!/bin/sh
# run-confine.sh RELC - a spec under review cannot make relc read outside the
# tree. Every way out (an absolute path, "..", a symlink inside the tree
# pointing out, a FIFO, a device, a /proc file, a chain that leaves at its
# second level) is E008 with its reason, and neither the planted secret nor
# any other refused text appears in the output, as text, json or sarif.
# Includes inside the tree, and outside it through --include-root, work.
# TAP output.
set -u
# shellcheck source=tests/security/common.sh
. "$(dirname "$0")/common.sh"

specs=$repo/specs
# ways out, made with the tools a pull request has: files and symlinks
ln -s ../../outside/secret.rel "$specs/link-out.rel"
ln -s /proc/self/environ "$specs/env-link.rel"
ln -s ../../outside "$specs/up"
printf 'include "../../../outside/secret.rel"\n' >"$specs/parts/escape.rel"
# ways that stay inside
printf 'let same = 1\n' >"$specs/shared.rel"
printf 'let sub = 1\n' >"$specs/parts/b.rel"
printf 'let common = 1\n' >"$repo/shared/common.rel"
printf 'let aliased = 1\n' >"$repo/shared/aliased.rel"
ln -s ../shared/aliased.rel "$specs/alias.rel"

# NAME|ARGS|INCLUDE|WHERE|REASON: the E008 expected at WHERE (FILE:LINE:COL)
cases="e-abs-environ||/proc/self/environ|specs/e-abs-environ.rel:1:9|an absolute include path is refused
e-abs-passwd||/etc/passwd|specs/e-abs-passwd.rel:1:9|an absolute include path is refused
e-dotdot||../../outside/secret.rel|specs/e-dotdot.rel:1:9|the path leads out of the repository's work tree
e-link-out||link-out.rel|specs/e-link-out.rel:1:9|a symbolic link on its path leads out of the repository's work tree
e-link-environ||env-link.rel|specs/e-link-environ.rel:1:9|a symbolic link on its path leads out
e-link-dir||up/secret.rel|specs/e-link-dir.rel:1:9|a symbolic link on its path leads out
e-fifo||fifo.rel|specs/e-fifo.rel:1:9|it is a FIFO, not a regular file
e-device|--include-root /dev|/dev/zero|specs/e-device.rel:1:9|it is a device, not a regular file
e-proc|--include-root /proc|/proc/self/environ|specs/e-proc.rel:1:9|it is a file the kernel makes up
e-chain||parts/escape.rel|specs/parts/escape.rel:1:9|the path leads out of the repository's work tree
e-nogit||../shared/common.rel|specs/e-nogit.rel:1:9|the path leads out of the spec's folder"

printf '%s\n' "$cases" | while IFS='|' read -r name _ inc _; do
	spec "$name" "include \"$inc\""
done
# legitimate includes, and widening on purpose: no E008, exit 0
good="ok-inside ok-widened ok-widened-abs"
spec ok-inside 'include "shared.rel"' 'include "parts/b.rel"' \
	'include "../shared/common.rel"' 'include "alias.rel"'
spec ok-widened 'include "../../outside/ok.rel"'
spec ok-widened-abs "include \"$outside/ok.rel\""
git -C "$repo" add -A
git -C "$repo" commit -q -m 'chore: specs'
# after the commit: git does not keep FIFOs
mkfifo "$specs/fifo.rel"

n=0
fails=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() {
	n=$((n + 1))
	fails=$((fails + 1))
	echo "not ok $n - $1"
	sed 's/^/# /' "$tmp/out"
}

# run NAME FORMAT ARGS...: relc check from the top of the repository
run() {
	name=$1 fmt=$2
	shift 2
	(cd "$repo" && timeout 10 "$relc" check --diagnostics="$fmt" "$@" "specs/$name.rel") \
		>"$tmp/out" 2>&1
}

# nothing refused may show: the planted secret, the environment's other
# values, a line of /etc/passwd
leaks() {
	grep -F -e "$secret" -e 'root:x:0:0' -e "HOME=$HOME" "$tmp/out" >/dev/null
}

echo "1..$(($(printf '%s\n' "$cases" | wc -l) * 3 + 8))"

while IFS='|' read -r name args _ where reason; do
	for fmt in text json sarif; do
		nogit=
		[ "$name" = e-nogit ] && nogit=--no-git
		# shellcheck disable=SC2086 # args holds zero or two words
		run "$name" "$fmt" $nogit $args
		status=$?
		file=${where%%:*} pos=${where#*:}
		line=${pos%%:*} col=${pos#*:}
		case $fmt in
		text) found=$(grep -c -F "$where: error[E008]: " "$tmp/out") ;;
		json) found=$(grep -c -F "{\"file\":\"$file\",\"line\":$line,\"column\":$col,\"end\":null,\"severity\":\"error\",\"code\":\"E008\"" "$tmp/out") ;;
		sarif) found=$(grep -c -F "\"ruleId\":\"E008\"" "$tmp/out") ;;
		esac
		why=$(grep -c -F "$reason" "$tmp/out")
		if leaks; then
			not_ok "$name ($fmt): the output holds refused text"
		elif [ "$status" -ne 1 ]; then
			not_ok "$name ($fmt): exit $status, expected 1"
		elif [ "$found" -ne 1 ] || [ "$why" -lt 1 ]; then
			not_ok "$name ($fmt): no E008 at $where saying \"$reason\""
		else
			ok "$name ($fmt): E008, $reason; nothing leaked"
		fi
	done
done <<EOF
$cases
EOF

for name in $good; do
	args=
	case $name in ok-widened*) args="--include-root $outside" ;; esac
	# shellcheck disable=SC2086 # args holds zero or two words
	run "$name" text $args
	status=$?
	if [ "$status" -ne 0 ] || grep -q 'E008' "$tmp/out"; then
		not_ok "$name: exit $status, expected 0 and no E008"
	else
		ok "$name: accepted"
	fi
done

# what was accepted is read: the model holds the included files, in order
(cd "$repo" && "$relc" emit json specs/ok-inside.rel) >"$tmp/out" 2>&1
if grep -F -q '"path": "specs/shared.rel"' "$tmp/out" &&
	grep -F -q '"path": "specs/parts/b.rel"' "$tmp/out" &&
	grep -F -q '"path": "specs/../shared/common.rel"' "$tmp/out" &&
	grep -F -q '"path": "specs/alias.rel"' "$tmp/out"; then
	ok "ok-inside: emit json lists the four included files"
else
	not_ok "ok-inside: emit json lacks an included file"
fi

# without --include-root the same widened specs are refused
run ok-widened-abs text
if grep -q -F "an absolute include path is refused" "$tmp/out" && ! leaks; then
	ok "ok-widened-abs without --include-root: refused"
else
	not_ok "ok-widened-abs without --include-root: not refused"
fi

# The spec named on the command line comes with the change too: a symlink
# out of the tree or a FIFO in its place is an input error, read from nowhere.
ln -s /proc/self/environ "$specs/9.9.9.rel"
mkfifo "$specs/9.9.8.rel"
for name in 9.9.9 9.9.8; do
	run "$name" text
	status=$?
	if leaks; then
		not_ok "spec $name named on the command line: the output holds refused text"
	elif [ "$status" -ne 2 ] || ! grep -q "^relc: error: cannot read specs/$name.rel: " "$tmp/out"; then
		not_ok "spec $name named on the command line: exit $status, expected 2 and 'cannot read'"
	else
		ok "spec $name named on the command line: refused ($(sed -n 's/.*: //p' "$tmp/out"))"
	fi
done

# build --check compares the committed outputs, which come with the change:
# a symlink or a FIFO in place of one is missing, not followed or waited on.
(cd "$repo" && "$relc" build -q -o "$tmp/gen" specs/ok-inside.rel) >"$tmp/out" 2>&1
rm -f "$tmp/gen/plan.md" "$tmp/gen/deploy.sh"
ln -s "$outside/secret.rel" "$tmp/gen/plan.md"
mkfifo "$tmp/gen/deploy.sh"
(cd "$repo" && timeout 10 "$relc" build --check -o "$tmp/gen" specs/ok-inside.rel) >"$tmp/out" 2>&1
status=$?
if [ "$status" -eq 1 ] && ! leaks &&
	grep -q -F "plan.md is missing (it is a symbolic link, not a file relc wrote)" "$tmp/out" &&
	grep -q -F "deploy.sh is missing (it is a FIFO, not a regular file)" "$tmp/out"; then
	ok "build --check: a symlinked or FIFO output is missing, not read"
else
	not_ok "build --check: exit $status; a symlinked or FIFO output was not refused"
fi

[ "$fails" -eq 0 ]
