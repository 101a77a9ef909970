#!/bin/sh
# update.sh [BUILDDIR] - rewrite the golden files from the current relc
# (default build dir: build). Review `git diff tests/golden` before committing.
set -eu
RELC_GOLDEN_UPDATE=1 exec meson test -C "${1:-build}" --suite golden --print-errorlogs
