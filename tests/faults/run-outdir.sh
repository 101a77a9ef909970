#!/bin/sh
# run-outdir.sh - `relc build` into an output folder it cannot write: a
# read-only one, and one on a full file system (with room for none, one,
# two or three of the four files). relc must exit 2 and say why, and the
# previous files must all be there as they were, with no temporary file
# beside them: never a mix of old and new files. TAP output.
#
#   run-outdir.sh RELC SOURCE_ROOT
#
# Root cannot be stopped by file modes, so the read-only folder is a
# read-only bind mount (or, failing that, an immutable folder: chattr +i),
# and the full file system a small tmpfs. Where neither mount(8) nor chattr
# works (an unprivileged container) the cases are skipped, and the whole test
# reports TAP skips when nothing could run.
set -u

relc=${1:?usage: run-outdir.sh RELC SOURCE_ROOT}
src=${2:?source root}
case $relc in /*) ;; *) relc=$PWD/$relc ;; esac
src=$(cd "$src" && pwd) || exit 2

tmp=$(mktemp -d) || exit 2
mounts=
immutable=
cleanup() {
	for m in $mounts; do umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null; done
	[ -n "$immutable" ] && chattr -i "$immutable" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

bail() {
	echo "Bail out! $1"
	exit 1
}

files="deploy.sh rollback.sh plan.md changelog.md"
sh "$src/scripts/demo-repo.sh" "$tmp/demo" >/dev/null || bail "demo repository not created"
"$relc" build -q --repo "$tmp/demo" "$tmp/demo/specs/0.3.0.rel" -o "$tmp/ref" 2>"$tmp/err" ||
	bail "the build into a writable folder fails: $(cat "$tmp/err")"
for f in $files; do
	[ -s "$tmp/ref/$f" ] || bail "the reference build has no $f"
done

n=0
fails=0
ran=0
skips=
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() {
	n=$((n + 1))
	fails=$((fails + 1))
	echo "not ok $n - $1"
	sed 's/^/#   | /' "$tmp/err"
}
skip() {
	n=$((n + 1))
	echo "ok $n - $1 # SKIP $2"
	skips="$skips; $2"
}

# put_previous DIR: the files of an earlier build, recognisably not this one.
put_previous() {
	mkdir -p "$1" || return 1
	for pf in $files; do
		printf 'previous %s\n' "$pf" >"$1/$pf" || return 1
	done
}

# previous_intact DIR: the previous files, nothing else. Prints what is wrong.
previous_intact() {
	bad=
	for pf in $files; do
		[ "$(cat "$1/$pf" 2>/dev/null)" = "previous $pf" ] || bad="$bad $pf changed;"
	done
	extra=$(cd "$1" && ls -A | grep -v -x -e deploy.sh -e rollback.sh -e plan.md -e changelog.md)
	[ -n "$extra" ] && bad="$bad stray files: $(echo $extra);"
	printf '%s' "$bad"
}

# expect_refusal NAME WORKDIR REASON: relc build run in WORKDIR (output in
# its default place, generated/0.3.0) must fail with exit 2 naming REASON
# and leave the previous files alone.
expect_refusal() {
	(cd "$2" && "$relc" build -q --repo "$tmp/demo" "$tmp/demo/specs/0.3.0.rel") \
		</dev/null >/dev/null 2>"$tmp/err"
	st=$?
	why=
	[ "$st" -eq 2 ] || why="exit $st, not 2;"
	grep -q -i -e "$3" "$tmp/err" || why="$why no message naming \"$3\";"
	why="$why$(previous_intact "$2/generated/0.3.0")"
	ran=$((ran + 1))
	if [ -z "$why" ]; then ok "$1: exit 2, previous files intact"; else not_ok "$1:$why"; fi
}

# ---- a read-only output folder ----
ro=$tmp/ro
put_previous "$ro/generated/0.3.0" || bail "cannot create $ro"
how=
if mount --bind "$ro/generated" "$ro/generated" 2>/dev/null; then
	mounts="$ro/generated $mounts"
	if mount -o remount,bind,ro "$ro/generated" 2>/dev/null; then
		how="read-only bind mount"
	fi
fi
if [ -z "$how" ] && chattr +i "$ro/generated/0.3.0" 2>/dev/null; then
	immutable=$ro/generated/0.3.0
	how="immutable folder (chattr +i)"
fi
if [ -n "$how" ] && touch "$ro/generated/0.3.0/probe" 2>/dev/null; then
	rm -f "$ro/generated/0.3.0/probe"
	how=
fi
if [ -n "$how" ]; then
	expect_refusal "read-only output folder ($how)" "$ro" 'read-only\|not permitted'
else
	skip "read-only output folder" "neither a read-only bind mount nor chattr +i works here"
fi

# ---- a full file system under generated/ ----
full=$tmp/full
mkdir -p "$full/generated"
if mount -t tmpfs -o size=2m,mode=0755 tmpfs "$full/generated" 2>/dev/null; then
	mounts="$full/generated $mounts"
	# Room for 0, 1, 2 and 3 of the files, in the order relc writes them:
	# a failure part-way must not leave new files beside old ones.
	need=0
	for f in $files; do
		rm -f "$full/generated/filler"
		rm -rf "$full/generated/0.3.0"
		put_previous "$full/generated/0.3.0" || bail "cannot write the previous files"
		sync
		set -- $(stat -f -c '%a %S' "$full/generated")
		avail=$(($1 * $2))
		fill=$((avail - need))
		[ "$fill" -gt 0 ] && head -c "$fill" /dev/zero >"$full/generated/filler" 2>/dev/null
		expect_refusal "full file system, room for $need bytes (up to before $f)" "$full" 'space'
		size=$(wc -c <"$tmp/ref/$f")
		need=$((need + (size + 4095) / 4096 * 4096))
	done
	# With the filler gone the same build succeeds, and writes this build.
	rm -f "$full/generated/filler"
	(cd "$full" && "$relc" build -q --repo "$tmp/demo" "$tmp/demo/specs/0.3.0.rel") 2>"$tmp/err"
	st=$?
	bad=
	for f in $files; do
		cmp -s "$tmp/ref/$f" "$full/generated/0.3.0/$f" || bad="$bad $f"
	done
	if [ "$st" -eq 0 ] && [ -z "$bad" ]; then
		ok "with room again, the build writes all four files"
	else
		not_ok "with room again: exit $st, differing:$bad"
	fi
else
	skip "full output file system" "mount -t tmpfs is not permitted here"
fi

echo "1..$n"
if [ "$ran" -eq 0 ]; then
	echo "# nothing could run:$skips"
	exit 0 # every test above is reported as a TAP skip
fi
[ "$fails" -eq 0 ]
