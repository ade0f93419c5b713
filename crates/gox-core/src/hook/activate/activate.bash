# gox shell integration for bash, from `gox activate bash`. In ~/.bashrc:
#   eval "$(gox activate bash)"
# Before each prompt, `gox hook-env` puts the Go toolchain this directory selects first on
# PATH and exports GOROOT, GOPATH, GOCACHE, GOMODCACHE and GOTOOLCHAIN; it prints nothing
# when nothing changed. `gox deactivate` undoes all of it and removes the hook.

__gox_hook() {
  local __gox_status=$?
  eval "$(@GOX@ hook-env --shell bash)"
  return $__gox_status
}

__gox_deactivate() {
  eval "$(@GOX@ hook-env --shell bash --deactivate)"
  local i
  for i in "${!PROMPT_COMMAND[@]}"; do
    PROMPT_COMMAND[i]=${PROMPT_COMMAND[i]//__gox_hook;/}
    if [[ ${PROMPT_COMMAND[i]} == __gox_hook ]]; then
      PROMPT_COMMAND[i]=
    fi
  done
  unset -f __gox_hook __gox_deactivate gox
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

if [[ ${PROMPT_COMMAND[*]-} != *__gox_hook* ]]; then
  PROMPT_COMMAND="__gox_hook${PROMPT_COMMAND:+;$PROMPT_COMMAND}"
fi
__gox_hook
