# tap.sh - a few TAP helpers shared by the tools suite (sourced, POSIX sh).
# Each script calls ok/fail/skip/check once per check, then finish, which
# prints the plan (TAP allows it last) and fails if any check failed.
tap_n=0
tap_fails=0

ok() { # description
	tap_n=$((tap_n + 1))
	echo "ok $tap_n - $1"
}

fail() { # description [detail...]
	tap_n=$((tap_n + 1))
	tap_fails=$((tap_fails + 1))
	echo "not ok $tap_n - $1"
	shift
	for line; do
		printf '%s\n' "$line" | sed 's/^/#   /'
	done
}

skip() { # description reason
	tap_n=$((tap_n + 1))
	echo "ok $tap_n - $1 # SKIP $2"
}

# check DESCRIPTION COMMAND...: ok when the command succeeds; on failure,
# shows what it printed.
check() {
	tap_desc=$1
	shift
	if tap_out=$("$@" 2>&1); then
		ok "$tap_desc"
	else
		fail "$tap_desc" "$tap_out"
	fi
}

finish() {
	echo "1..$tap_n"
	[ "$tap_fails" -eq 0 ]
}
