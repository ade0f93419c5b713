# gox shell integration for fish, from `gox activate fish`. In ~/.config/fish/config.fish:
#   gox activate fish | source
# On every `cd` and before each prompt, `gox hook-env` puts the Go toolchain this directory
# selects first on PATH and exports GOROOT, GOPATH, GOCACHE, GOMODCACHE and GOTOOLCHAIN; it
# prints nothing when nothing changed. `gox deactivate` undoes all of it and removes the hooks.

function __gox_hook --on-variable PWD --on-event fish_prompt
    @GOX@ hook-env --shell fish | source
end

function __gox_deactivate
    @GOX@ hook-env --shell fish --deactivate | source
    functions --erase __gox_hook __gox_deactivate gox
end

# `gox deactivate` needs to change this shell, so gox is a function here; every other
# command runs the gox binary, then the hook (so `gox use 1.22; and go version` sees 1.22).
function gox
    if test (count $argv) -eq 1; and test "$argv[1]" = deactivate
        __gox_deactivate
        return
    end
    command @GOX@ $argv
    set -l gox_status $status
    __gox_hook
    return $gox_status
end

__gox_hook
