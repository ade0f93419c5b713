# gox shell integration for zsh, from `gox activate zsh`. In ~/.zshrc:
#   eval "$(gox activate zsh)"
# On every `cd` and before each prompt, `gox hook-env` puts the Go toolchain this directory
# selects first on PATH and exports GOROOT, GOPATH, GOCACHE, GOMODCACHE and GOTOOLCHAIN; it
# prints nothing when nothing changed. `gox deactivate` undoes all of it and removes the hooks.

__gox_hook() {
  local __gox_status=$?
  eval "$(@GOX@ hook-env --shell zsh)"
  return $__gox_status
}

__gox_deactivate() {
  eval "$(@GOX@ hook-env --shell zsh --deactivate)"
  add-zsh-hook -d precmd __gox_hook
  add-zsh-hook -d chpwd __gox_hook
  unfunction __gox_hook __gox_deactivate gox
}

# `gox deactivate` needs to change this shell, so gox is a function here; every other
# command runs the gox binary, then the hook (so `gox use 1.22 && go version` sees 1.22).
gox() {
  if [[ $# -eq 1 && $1 == deactivate ]]; then
    __gox_deactivate
    return
  fi
  local __gox_status=0
  command @GOX@ "$@" || __gox_status=$?
  __gox_hook
  return $__gox_status
}

autoload -Uz add-zsh-hook
add-zsh-hook precmd __gox_hook
add-zsh-hook chpwd __gox_hook
__gox_hook
