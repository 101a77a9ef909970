#!/bin/sh
# run.sh CASES COMMON SHELL [SHELL-ARGS...] - run the runtime's unit cases
# (cases.sh) under one shell, given as words ("dash", "busybox sh",
# "bash --posix"); skip (exit 77) when that shell is not installed. TAP.
set -u
cases=$1 common=$2
shift 2
if ! command -v "$1" > /dev/null 2>&1; then
	printf '1..0 # SKIP %s is not installed\n' "$1"
	exit 77
fi
# meson passes the stripped runtime relative to the build folder.
case $common in /*) ;; *) common=$(pwd)/$common ;; esac
exec "$@" "$cases" "$common"
