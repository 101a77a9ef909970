#!/bin/sh
# gen-history.sh COMMITS DIR - a git repository in DIR whose first commit
# (tagged v0) holds a release spec, release.rel, with `changes from-git`,
# previous v0 and target HEAD, followed by COMMITS commits on main. Their
# subjects cycle through conventional types (feat, fix, perf, refactor,
# migration, with scopes api and db, some breaking by `!` or by a
# BREAKING CHANGE footer) and ones relc skips (chore, docs, plain text);
# one in eight repeats an earlier subject and one the hand-written
# entry, which relc lists once. Written
# through git fast-import, so 100 000 commits take seconds.
set -eu
commits=${1:?usage: gen-history.sh COMMITS DIR}
dir=${2:?usage: gen-history.sh COMMITS DIR}
mkdir -p "$dir"
git init -q -b main "$dir"

spec='project "Bench history"
state-dir /var/lib/bench-history/releases

release 1.0.0
date 2026-12-05
previous v0
target HEAD
branch main
downtime 0s

step "Switch" {
    run cd /opt/bench && git checkout --quiet --detach ${target}
    estimate 1s
    undo {
        run cd /opt/bench && git checkout --quiet --detach ${previous}
    }
}

changes {
    backend fixed "Written by hand, and by a commit too"
}
changes from-git
'

awk -v n="$commits" -v spec="$spec" '
function data(s) { printf "data %d\n%s\n", length(s), s }
BEGIN {
	t = 1764892800
	print "blob"
	print "mark :1"
	data(spec)
	print "commit refs/heads/main"
	print "mark :2"
	printf "committer Bench <bench@example.org> %d +0000\n", t
	data("The release spec\n")
	print "M 100644 :1 release.rel"
	print ""
	print "reset refs/tags/v0"
	print "from :2"
	print ""
	split("feat fix perf refactor migration chore feat(api) fix(db) docs feat(db) fix(api) refactor!", types, " ")
	for (i = 1; i <= n; i++) {
		k = (i - 1) % 12 + 1
		if (i == 7)
			subj = "fix: Written by hand, and by a commit too"
		else if (i % 8 == 0 && i > 60)
			subj = sprintf("%s: change number %d of the synthetic history", types[k], i - 60)
		else if (i % 97 == 0)
			subj = sprintf("Merge-free plain message %d", i)
		else
			subj = sprintf("%s: change number %d of the synthetic history", types[k], i)
		body = ""
		if (i % 3 == 0)
			body = sprintf("\nWhy change %d was made, at some length, so that a\nbody has more than one line to skip over.\n", i)
		if (i % 50 == 0)
			body = body sprintf("\nBREAKING CHANGE: clients must send version %d\n", i)
		printf "commit refs/heads/main\n"
		printf "committer Bench <bench@example.org> %d +0000\n", t + i
		data(subj "\n" body)
		if (i == 1)
			print "from :2"
		printf "M 100644 inline counter\n"
		data(i "\n")
		print ""
	}
}' | git -C "$dir" fast-import --quiet
git -C "$dir" checkout -q main
