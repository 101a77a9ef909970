#!/bin/sh
# install.sh - a staged `meson install` holds every file relc installs, and
# the installed manual pages render without warnings. TAP output.
#
#   install.sh TAPLIB MESON BUILDDIR BINDIR MANDIR DATADIR HAVE_SCDOC
# The directories are absolute (prefix joined); HAVE_SCDOC is true or false.
set -u
# shellcheck source=tap.sh
. "${1:?tap.sh}"
meson=${2:?meson}
builddir=${3:?builddir}
bindir=${4:?bindir}
mandir=${5:?mandir}
datadir=${6:?datadir}
have_scdoc=${7:?have_scdoc}

tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM
dest=$tmp/dest

if out=$("$meson" install -C "$builddir" --destdir "$dest" --no-rebuild 2>&1); then
	ok "meson install --destdir succeeds"
else
	fail "meson install --destdir succeeds" "$out"
fi

installed() { # description path
	if [ -f "$dest$2" ]; then
		ok "$1 installed"
	else
		fail "$1 installed" "missing: $2" "$(cd "$dest" && find . -type f)"
	fi
}

if [ -x "$dest$bindir/relc" ]; then
	ok "relc installed, executable"
else
	fail "relc installed, executable" "missing: $bindir/relc"
fi
installed "bash completion" "$datadir/bash-completion/completions/relc"
installed "vim syntax" "$datadir/vim/vimfiles/syntax/rel.vim"
installed "vim ftdetect" "$datadir/vim/vimfiles/ftdetect/rel.vim"
check "installed completion is the source file" \
	cmp "$dest$datadir/bash-completion/completions/relc" \
	"$(dirname "$0")/../../contrib/bash-completion/relc"

# man -l renders a page; with --warnings groff's own complaints show on
# stderr, which must stay empty.
render() { # description page
	if [ "$have_scdoc" != true ]; then
		skip "$1 renders" "scdoc not found: manuals not built"
		return
	fi
	if ! command -v man >/dev/null 2>&1; then
		fail "$1 renders" "man not found (Debian package man-db)"
		return
	fi
	MANWIDTH=80 LC_ALL=C.UTF-8 \
		man --warnings -l "$2" >"$tmp/page" 2>"$tmp/err"
	status=$?
	if [ "$status" -eq 0 ] && [ ! -s "$tmp/err" ] && [ -s "$tmp/page" ]; then
		ok "$1 renders without warnings"
	else
		fail "$1 renders without warnings" "exit $status" "$(cat "$tmp/err")"
	fi
}

# Every command, option and section the manual promises is in the page.
mentions() { # description page word...
	desc=$1
	page=$2
	shift 2
	if [ "$have_scdoc" != true ]; then
		skip "$desc" "scdoc not found"
		return
	fi
	MANWIDTH=200 LC_ALL=C.UTF-8 man -l "$page" 2>/dev/null | col -b >"$tmp/text"
	missing=
	for w; do
		grep -qF -e "$w" "$tmp/text" || missing="$missing $w"
	done
	if [ -z "$missing" ]; then
		ok "$desc"
	else
		fail "$desc" "missing:$missing"
	fi
}

page1=$dest$mandir/man1/relc.1
page5=$dest$mandir/man5/relc-spec.5
if [ "$have_scdoc" = true ]; then
	installed "relc(1)" "$mandir/man1/relc.1"
	installed "relc-spec(5)" "$mandir/man5/relc-spec.5"
else
	skip "relc(1) installed" "scdoc not found"
	skip "relc-spec(5) installed" "scdoc not found"
fi
render "relc(1)" "$page1"
render "relc-spec(5)" "$page5"
mentions "relc(1) names every command and option" "$page1" \
	NAME SYNOPSIS DESCRIPTION COMMANDS OPTIONS "EXIT STATUS" EXAMPLES "SEE ALSO" \
	"relc check" "relc build" "build --check" "relc emit" "sh|rollback|md|changelog|json" \
	"--update" "relc fmt" "relc explain" \
	--repo --no-git --include-root --werror --allow-irreversible --diagnostics= \
	text json sarif -q "-o DIR" --explain-effects --version --help \
	deploy.sh rollback.sh 130 143
# shellcheck disable=SC2016 # ${...} are words to find, not expansions
mentions "relc-spec(5) covers the language" "$page5" \
	NAME DESCRIPTION EXAMPLE "SEE ALSO" \
	release project date previous target branch downtime deploy-time state-dir \
	"let NAME" "env NAME" "include PATH" check backup step verify after-rollback \
	"run COMMAND" "capture NAME" "expect exit" "expect stdout contains" matches \
	not-empty estimate timeout on-failure checksum "undo {" "undo none" irreversible \
	"changes {" "changes from-git" known-issue '${previous_ref}' '${state_dir}' "<<'EOF'"
finish
