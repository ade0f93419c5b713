# gox shell integration for PowerShell, from `gox activate pwsh`. In $PROFILE:
#   gox activate pwsh | Out-String | Invoke-Expression
# When the location changes and after each prompt, `gox hook-env` puts the Go toolchain this
# directory selects first on PATH and sets GOROOT, GOPATH, GOCACHE, GOMODCACHE and
# GOTOOLCHAIN; it prints nothing when nothing changed. `gox deactivate` undoes all of it and
# removes the hooks.

function global:__gox_hook {
    $gox_exit = $global:LASTEXITCODE
    $gox_code = & @GOX@ hook-env --shell pwsh
    if ($gox_code) { $gox_code | Out-String | Invoke-Expression }
    $global:LASTEXITCODE = $gox_exit
}

function global:__gox_deactivate {
    $gox_code = & @GOX@ hook-env --shell pwsh --deactivate
    if ($gox_code) { $gox_code | Out-String | Invoke-Expression }
    $gox_commands = $ExecutionContext.SessionState.InvokeCommand
    $gox_commands.LocationChangedAction = [Delegate]::Remove($gox_commands.LocationChangedAction, $global:__gox_on_location)
    if ($global:__gox_original_prompt) { $function:global:prompt = $global:__gox_original_prompt }
    Remove-Variable -Scope Global -Name __gox_on_location, __gox_original_prompt -ErrorAction SilentlyContinue
    Remove-Item -Path Function:\__gox_hook, Function:\__gox_deactivate, Function:\gox -ErrorAction SilentlyContinue
}

# `gox deactivate` needs to change this session, so gox is a function here; every other
# command runs the gox binary, then the hook (so `gox use 1.22; go version` sees 1.22).
function global:gox {
    if ($args.Count -eq 1 -and $args[0] -eq 'deactivate') {
        __gox_deactivate
        return
    }
    & @GOX@ @args
    $gox_exit = $LASTEXITCODE
    __gox_hook
    $global:LASTEXITCODE = $gox_exit
}

# After each prompt is drawn (so the prompt still sees the last command's $? and
# $LASTEXITCODE): picks up edited version files and new installs.
if (-not $global:__gox_original_prompt) {
    $global:__gox_original_prompt = $function:prompt
    function global:prompt {
        $gox_prompt = & $global:__gox_original_prompt
        __gox_hook
        $gox_prompt
    }
}

# As soon as the location changes (cd, Set-Location, Push-Location, Pop-Location).
$gox_commands = $ExecutionContext.SessionState.InvokeCommand
if ($global:__gox_on_location) {
    $gox_commands.LocationChangedAction = [Delegate]::Remove($gox_commands.LocationChangedAction, $global:__gox_on_location)
}
$global:__gox_on_location = [EventHandler[System.Management.Automation.LocationChangedEventArgs]] { __gox_hook }
$gox_commands.LocationChangedAction = [Delegate]::Combine($gox_commands.LocationChangedAction, $global:__gox_on_location)
Remove-Variable gox_commands

__gox_hook
