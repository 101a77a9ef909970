" Vim syntax file
" Language:    relc release specification (.rel), see relc-spec(5)
" Maintainer:  the relc project
"
" Commands after `run` and `capture NAME =` are shell text. They are
" highlighted as shell (syntax/sh.vim) by default; put
"     let g:rel_shell_commands = 0
" in your vimrc to show them as plain text instead. Either way a ${name}
" spec reference stands out, since relc substitutes it.

if exists('b:current_syntax')
  finish
endif

let s:cpo_save = &cpo
set cpo&vim

syn case match

" ---- shared pieces ----

" A spec reference: must name a let, env, capture or built-in.
syn match relRef /\${[A-Za-z_][A-Za-z0-9_]*}/ contained
syn match relEscape /\\[\\"nt$]/ contained
syn region relString start=/"/ skip=/\\[\\"]/ end=/"/ end=/$/ oneline
      \ contains=relEscape,relRef

" '#' starts a comment anywhere outside a string or a command (a bare word
" stops at '#').
syn keyword relTodo contained TODO FIXME XXX NOTE
syn match relComment /#.*$/ contains=relTodo,@Spell

syn match relBrace /[{}]/

" Literals, only as whole words: a date, a duration range, a duration, a
" version, an integer.
let s:before = '\%(^\|[[:space:]=]\)\@<='
let s:after = '\ze\%([[:space:]#{}]\|$\)'
let s:dur = '\%(\d\+\%(ms\|s\|m\|h\)\)\+'
exe 'syn match relNumber /' . s:before . '-\=\d\+' . s:after . '/'
exe 'syn match relVersion /' . s:before . 'v\=\d\+\.\d\+\.\d\+\%([-+][0-9A-Za-z.+-]*\)\=' . s:after . '/'
exe 'syn match relDuration /' . s:before . s:dur . '\%(\.\.' . s:dur . '\)\=' . s:after . '/'
exe 'syn match relDate /' . s:before . '\d\{4}-\d\d-\d\d' . s:after . '/'
unlet s:before s:after s:dur

" ---- commands ----

" The rest of the line after `run` or `capture NAME =`, through backslash
" continuations. `keepend` stops shell items that match up to the end of the
" line (comments, echo) from carrying the command into the next statement. A
" command that opens a here-document (<<WORD, <<-WORD, <<'WORD', <<"WORD")
" runs instead through the line that closes it, as relc reads it.
let s:here = '\S\ze.\{-}\%(^\|[^<]\)<<-\=\s*\%(\\\|''\|"\)\=\z(\h\w*\)'
if get(g:, 'rel_shell_commands', 1)
  if !exists('b:is_sh') && !exists('b:is_posix') && !exists('b:is_bash') && !exists('b:is_kornshell')
    let b:is_posix = 1
  endif
  unlet! b:current_syntax
  syn include @relShell syntax/sh.vim
  unlet! b:current_syntax
  syn cluster relCommandItems contains=@relShell,relCmdRef
  " References inside shell double quotes, $(...), echo arguments and
  " unquoted here-documents are relc's too; inside single quotes they are not.
  syn cluster shDblQuoteList add=relCmdRef
  syn cluster shCommandSubList add=relCmdRef
  syn cluster shEchoList add=relCmdRef
else
  syn cluster relCommandItems contains=relCmdRef
endif
syn match relCmdRef /\${[A-Za-z_][A-Za-z0-9_]*}/ contained
syn region relCommand contained keepend start=/\S/ end=/\\\@<!$/
      \ contains=@relCommandItems
exe 'syn region relCommand contained keepend start=/' . s:here . '/ end=/^\s*\z1$/'
      \ . ' contains=@relCommandItems'
if !get(g:, 'rel_shell_commands', 1)
  " Without sh.vim, still show that nothing is a reference inside single
  " quotes or a here-document with a quoted word.
  syn region relCmdSingle contained start=/'/ end=/'/
  syn cluster relCommandItems add=relCmdSingle
  exe 'syn region relCommand contained keepend start=/'
        \ . substitute(s:here, '\\=\\z(', '\\z(', '')
        \ . '/ end=/^\s*\z1$/'
endif
unlet s:here

syn match relRun /^\s*\zsrun\ze\s/ nextgroup=relCommand skipwhite
syn match relCapture /^\s*\zscapture\ze\s/ nextgroup=relCaptureName skipwhite
syn match relCaptureName /[A-Za-z_][A-Za-z0-9_]*/ contained
      \ nextgroup=relCaptureEq skipwhite
syn match relCaptureEq /=/ contained nextgroup=relCommand skipwhite

" ---- statements ----

" Metadata and definitions at the top level.
syn match relMeta /^\s*\zs\%(release\|project\|date\|previous\|target\|branch\|downtime\|deploy-time\|state-dir\|repository\|known-issue\|include\|effect\)\ze\%(\s\|$\)/
syn match relDefine /^\s*\zs\%(let\|env\)\ze\s/ nextgroup=relName skipwhite
syn match relName /[A-Za-z_][A-Za-z0-9_]*/ contained

" Blocks.
syn match relBlock /^\s*\zs\%(check\|backup\|step\|verify\|after-rollback\)\ze\%(\s\|$\)/
syn match relChanges /^\s*\zschanges\ze\%(\s\|$\)/ nextgroup=relFromGit skipwhite
syn match relBlock /^\s*\zsfleet\ze\%(\s\|{\|$\)/

" Inside fleet { ... }: hosts GROUP, batches 1, 25%, 100%, pause D, timeout D.
syn match relStatement /^\s*\zs\%(hosts\|batches\|pause\)\ze\s/
syn match relNumber /\<\d\+%/
syn match relFromGit /from-git\ze\%(\s\|#\|$\)/ contained

" Inside a block.
syn match relUndo /^\s*\zsundo\ze\%(\s\|$\)/ nextgroup=relNone skipwhite
syn match relNone /none\ze\%(\s\|$\)/ contained
syn match relIrreversible /^\s*\zsirreversible\ze\%(\s\|$\)/
syn match relStatement /^\s*\zs\%(estimate\|timeout\)\ze\s/
syn match relStatement /^\s*\zschecksum\ze\s/ nextgroup=relName skipwhite
syn match relStatement /^\s*\zson-failure\ze\s/ nextgroup=relPolicy skipwhite
syn match relPolicy /\%(abort\|rollback\|escalate\)\ze\%(\s\|#\|$\)/ contained

" expect STREAM [TEST] [VALUE]
syn match relStatement /^\s*\zsexpect\ze\s/ nextgroup=relStream skipwhite
syn match relStream /\%(exit\|stdout\|stderr\)\ze\%(\s\|$\)/ contained
      \ nextgroup=relTest skipwhite
syn match relTest /\%(contains\|matches\|not-empty\|empty\)\ze\%(\s\|#\|$\)/ contained
syn match relTest /not\ze\s\+\%(contains\|matches\)\>/ contained nextgroup=relTest skipwhite
syn match relTest /\%(==\|!=\|<=\|>=\|<\|>\)/ contained

" Release notes: AREA KIND "TEXT" inside changes { ... }.
syn match relArea /^\s*\zs\%(api\|backend\|migration\)\ze\s/ nextgroup=relKind skipwhite
syn match relKind /\%(added\|changed\|fixed\|removed\|breaking\|performance\|database\|schema\|data\|index\)\ze\%(\s\|$\)/ contained

" ---- colours ----

hi def link relComment      Comment
hi def link relTodo         Todo
hi def link relString       String
hi def link relEscape       SpecialChar
hi def link relRef          Identifier
hi def link relCmdRef       Identifier
hi def link relBrace        Delimiter
hi def link relNumber       Number
hi def link relVersion      Constant
hi def link relDuration     Number
hi def link relDate         Constant
hi def link relMeta         Keyword
hi def link relDefine       Keyword
hi def link relName         Identifier
hi def link relBlock        Structure
hi def link relChanges      Structure
hi def link relFromGit      Keyword
hi def link relUndo         Keyword
hi def link relNone         Keyword
hi def link relIrreversible WarningMsg
hi def link relStatement    Statement
hi def link relRun          Statement
hi def link relCapture      Statement
hi def link relCaptureName  Identifier
hi def link relCaptureEq    Operator
hi def link relPolicy       Constant
hi def link relStream       Type
hi def link relTest         Operator
hi def link relArea         Type
hi def link relKind         Constant
if !get(g:, 'rel_shell_commands', 1)
  hi def link relCommand    PreProc
  hi def link relCmdSingle  PreProc
endif

let b:current_syntax = 'rel'

let &cpo = s:cpo_save
unlet s:cpo_save
