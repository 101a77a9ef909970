#!/bin/sh
# update.sh [BUILDDIR] - rewrite tests/realworld/*/**.expected and the measured
# table of tests/realworld/README.md from the current relc (default build dir:
# build). The truth annotations are not touched: they say what relc should
# find. Review `git diff tests/realworld` before committing.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-build}
relc=$build/relc
export RELC_REALWORLD_UPDATE=1
sh "$here/run.sh" "$relc" "$here" diagnostics > /dev/null
sh "$here/run.sh" "$relc" "$here" truth | sed -n 's/^# //p'
