#!/bin/sh
# bench-git.sh RELC [COMMITS...] - the cost of `changes from-git` against git
# itself. For each size (default 10000 100000) a history of that many
# conventional commits is generated (gen-history.sh) and timed, side by side:
# `relc build` of the release spec that harvests them, and
# `git log --format='%H%x00%s%x00%b' v0..HEAD`, which reads the same commits.
# Printed: wall and CPU seconds (user + system) and peak RSS of each, the
# ratio, then PASS or FAIL for each goal:
#   1. relc build takes at most twice the time git log takes, at every size;
#   2. ten times the commits take at most twelve times the time.
# Goals are judged on CPU time, which other load on the machine changes much
# less than wall time; the load average is printed with the figures.
# A run is taken three times and the fastest kept. Exit status 1 when a goal
# fails, 2 when the benchmark cannot run.
set -u

relc=${1:?usage: bench-git.sh RELC [COMMITS...]}
shift
case $relc in /*) ;; *) relc=$PWD/$relc ;; esac
[ $# -gt 0 ] || set -- 10000 100000
here=$(cd "$(dirname "$0")" && pwd)

for tool in git /usr/bin/time awk; do
	command -v "$tool" >/dev/null || { echo "bench-git: $tool is missing (Debian: git, time, mawk)"; exit 2; }
done

tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

# best OUT CMD...: three runs, stdout to OUT; sets wall, cpu (seconds) and
# rss_kb of the run with the least CPU time, st to the first failing status.
best() {
	out=$1
	shift
	cpu= st=0
	for _ in 1 2 3; do
		/usr/bin/time -f '%e %U %S %M' -o "$tmp/time" "$@" >"$out" 2>"$tmp/stderr" || { st=$?; return; }
		set -- $(tail -n 1 "$tmp/time") "$@"
		c=$(awk -v u="$2" -v s="$3" 'BEGIN { printf "%.3f", u + s }')
		if [ -z "$cpu" ] || awk -v a="$c" -v b="$cpu" 'BEGIN { exit !(a < b) }'; then
			cpu=$c wall=$1 rss_kb=$4
		fi
		shift 4
	done
}

fail=0
verdict() { # verdict OK TEXT
	if [ "$1" = 1 ]; then echo "PASS  $2"; else echo "FAIL  $2"; fail=1; fi
}

echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-8s %-10s %8s %8s %10s %8s\n' commits what wall cpu 'peak RSS' entries
ratio_ok=1 ratio_txt= scale_ok=1 scale_txt= prev_n= prev_cpu=
for n in "$@"; do
	repo=$tmp/repo$n
	sh "$here/gen-history.sh" "$n" "$repo" >/dev/null 2>&1 || { echo "gen-history.sh $n failed"; exit 2; }
	cd "$repo" || exit 2

	best "$tmp/log" git log --format='%H%x00%s%x00%b' v0..HEAD
	[ "$st" -eq 0 ] || { echo "git log failed ($st)"; cat "$tmp/stderr"; exit 2; }
	git_cpu=$cpu
	printf '%-8s %-10s %8s %8s %7s KB %8s\n' "$n" 'git log' "$wall" "$cpu" "$rss_kb" -

	rm -rf "$tmp/out"
	best "$tmp/build.out" "$relc" build -q release.rel -o "$tmp/out"
	if [ "$st" -ne 0 ]; then
		printf '%-8s %-10s exit %s\n' "$n" 'relc build' "$st"
		head -n 5 "$tmp/stderr" | sed 's/^/    /'
		verdict 0 "relc build of $n commits"
		cd "$tmp" && rm -rf "$repo"
		break
	fi
	# Entries harvested: the changelog lines that name a commit, in plan.md.
	entries=$(grep -c '^- .*(`[0-9a-f]\{7\}`)$' "$tmp/out/plan.md")
	printf '%-8s %-10s %8s %8s %7s KB %8s\n' "$n" 'relc build' "$wall" "$cpu" "$rss_kb" "$entries"
	# Two in three commits are conventional ones relc keeps (gen-history.sh).
	[ "$entries" -ge $((n / 2)) ] || verdict 0 "$n commits gave only $entries entries"

	ratio=$(awk -v a="$cpu" -v b="$git_cpu" 'BEGIN { if (b <= 0) b = 0.001; printf "%.2f", a / b }')
	if awk -v r="$ratio" 'BEGIN { exit !(r <= 2) }'; then
		ratio_txt="$ratio_txt $n: x$ratio;"
	else
		ratio_ok=0 ratio_txt="$ratio_txt $n: x$ratio;"
	fi
	if [ -n "$prev_n" ]; then
		r=$(awk -v a="$prev_cpu" -v b="$cpu" 'BEGIN { if (a <= 0) a = 0.001; printf "%.1f", b / a }')
		lim=$(awk -v a="$prev_n" -v b="$n" 'BEGIN { printf "%.1f", b / a * 1.2 }')
		awk -v r="$r" -v l="$lim" 'BEGIN { exit !(r <= l) }' || scale_ok=0
		scale_txt="$scale_txt $prev_n->$n: x$r (limit x$lim);"
	fi
	prev_n=$n prev_cpu=$cpu
	cd "$tmp" && rm -rf "$repo"
done

echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
verdict "$ratio_ok" "relc build within 2x of git log (CPU time):${ratio_txt:- not measured}"
verdict "$scale_ok" "10x the commits within 12x the time:${scale_txt:- nothing to compare}"
exit "$fail"
