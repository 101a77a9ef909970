" relc release specifications, see relc-spec(5)
autocmd BufRead,BufNewFile *.rel setfiletype rel
