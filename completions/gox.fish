complete --keep-order --exclusive --command gox --arguments "(COMPLETE=fish gox -- (commandline --current-process --tokenize --cut-at-cursor) (commandline --current-token))"
