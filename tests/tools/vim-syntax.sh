#!/bin/sh
# shellcheck disable=SC2016 # jq filters, vim probes and spec text hold a literal $
# vim-syntax.sh - the vim files detect *.rel and colour what matters: keywords,
# strings with ${name}, comments, literals, and commands as shell (or plain
# text with g:rel_shell_commands = 0). TAP output.
#
#   vim-syntax.sh TAPLIB VIMFILES
# VIMFILES is contrib/vim (it holds syntax/ and ftdetect/).
set -u
# shellcheck source=tap.sh
. "${1:?tap.sh}"
vimfiles=${2:?contrib/vim}
case $vimfiles in /*) ;; *) vimfiles=$PWD/$vimfiles ;; esac

command -v vim >/dev/null 2>&1 || { echo "1..0 # SKIP vim not found"; exit 0; }

tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

cat >"$tmp/0.3.0.rel" <<'SPEC'
# specs/0.3.0.rel
include "bmtc.rel"              # shared parts
release 0.3.0
date 2026-11-26
downtime 5s
let db = "${data}/bmtc.db"
step "Code update" {
    run cd ${app} && git checkout "${target}" '${literal}' # shell comment
    capture BACKUP_PATH = ls -t ${backups}/backup_*.sql.gz | head -n 1
    expect stdout contains "synced"
    estimate 30s..60s
    on-failure escalate
    run cat <<EOF > ${out}
release ${release}
EOF
    undo none "nothing to reverse"
}
changes {
    api added "GET /v1/alerts"
}
repository none
check "No core dump" {
    run ls /var/crash
    expect stdout not contains "core"
}
effect data = gitea web
SPEC

# syngroups MODE: "LINE:COL GROUP" for each probe; MODE shell or plain.
syngroups() {
	{
		[ "$1" = plain ] && echo 'let g:rel_shell_commands = 0'
		cat <<VIM
set rtp^=$vimfiles
filetype on
syntax on
edit $tmp/0.3.0.rel
let out = ['filetype ' . &filetype]
for l in range(1, line('\$'))
  for c in range(1, len(getline(l)))
    call add(out, l . ':' . c . ' ' . synIDattr(synID(l, c, 1), 'name'))
  endfor
endfor
call writefile(out, '$tmp/groups')
qa!
VIM
	} >"$tmp/probe.vim"
	rm -f "$tmp/groups"
	vim -Es -N -u NONE -i NONE -S "$tmp/probe.vim" </dev/null >/dev/null 2>&1
	cat "$tmp/groups" 2>/dev/null
}

# probe LINE:COL GROUP DESCRIPTION: the group there matches the glob GROUP.
probe() {
	got=$(grep "^$1 " "$tmp/out" | cut -d' ' -f2)
	# shellcheck disable=SC2254 # GROUP is a glob on purpose
	case $got in
	$2) ok "$3 ($1 is $got)" ;;
	*) fail "$3" "at $1: want $2, got '${got}'" ;;
	esac
}

syngroups shell >"$tmp/out"
if grep -q '^filetype rel$' "$tmp/out"; then
	ok "ftdetect sets filetype rel for *.rel"
else
	fail "ftdetect sets filetype rel for *.rel" "$(head -n 3 "$tmp/out")"
fi
probe 1:3 relComment "comment line"
probe 2:1 relMeta "include keyword"
probe 2:9 relString "string"
probe 2:33 relComment "trailing comment"
probe 3:9 relVersion "version"
probe 4:6 relDate "date"
probe 5:10 relDuration "duration"
probe 6:1 relDefine "let"
probe 6:5 relName "let name"
probe 6:11 relRef '${name} inside a string'
probe 7:1 relBlock "block keyword"
probe 7:6 relString "block name"
probe 7:20 relBrace "brace"
probe 8:5 relRun "run"
probe 8:12 relCmdRef '${name} in a command'
probe 8:9 'sh*' "command text is shell"
probe 8:37 relCmdRef '${name} in shell double quotes'
probe 8:49 'shSingleQuote' "single quotes are shell's, not a reference"
probe 8:62 shComment "shell comment inside a command"
probe 9:5 relCapture "capture"
probe 9:13 relCaptureName "capture name"
probe 9:33 relCmdRef '${name} in a capture command'
probe 10:5 relStatement "expect"
probe 10:12 relStream "stream"
probe 10:19 relTest "test"
probe 11:14 relDuration "duration range"
probe 12:16 relPolicy "policy"
probe 13:26 relCmdRef '${name} after a here-document opens'
probe 14:9 relCmdRef '${name} in an unquoted here-document body'
probe 16:5 relUndo "undo after a here-document ends"
probe 16:10 relNone "none"
probe 19:5 relArea "change area"
probe 19:9 relKind "change kind"
probe 19:15 relString "change text"
probe 21:1 relMeta "repository"
probe 24:19 relTest "not, of a negated expect"
probe 24:23 relTest "contains after not"
probe 26:1 relMeta "effect"

syngroups plain >"$tmp/out"
probe 8:9 relCommand "plain mode: command text"
probe 8:12 relCmdRef 'plain mode: ${name} in a command'
probe 8:49 relCmdSingle "plain mode: single quotes are not references"
probe 14:1 relCommand "plain mode: here-document body is command text"
probe 16:5 relUndo "plain mode: undo after a here-document ends"
finish
