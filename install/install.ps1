# Installs gox on Windows from a release directory (see docs/install.md):
#
#   irm https://github.com/gox-dev/gox/releases/latest/download/install.ps1 | iex
#   .\install.ps1 [-Version V] [-DryRun] [-ModifyPath]
#
# GOX_INSTALL_BASE  URL of the release directory (default: the latest GitHub release)
# GOX_INSTALL_DIR   where gox.exe and gox-shim.exe go (default: %LOCALAPPDATA%\Programs\gox\bin)
param([string]$Version = '', [switch]$DryRun, [switch]$ModifyPath)
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

if ($Version -match '[^A-Za-z0-9.+-]') { throw "-Version '$Version': expected a version like 1.2.3" }
$versionArg = $Version
$base = if ($env:GOX_INSTALL_BASE) { $env:GOX_INSTALL_BASE.TrimEnd('/') }
        elseif ($Version) { "https://github.com/gox-dev/gox/releases/download/v$Version" }
        else { 'https://github.com/gox-dev/gox/releases/latest/download' }
# Plain http only to this machine: anything else could swap the archive and SHA256SUMS on
# the way. [Uri] takes the host after any user info, so http://127.0.0.1@evil/ is not loopback.
$uri = $null
if (-not ([Uri]::TryCreate($base, 'Absolute', [ref]$uri) -and ($uri.Scheme -in 'https', 'file' -or ($uri.Scheme -eq 'http' -and $uri.IsLoopback)))) {
    throw "GOX_INSTALL_BASE '$base': use an https:// URL, or file:///C:/path for a directory on this machine (plain http:// only for 127.0.0.1, localhost or [::1])"
}
$dir = if ($env:GOX_INSTALL_DIR) { $env:GOX_INSTALL_DIR } else { Join-Path $env:LOCALAPPDATA 'Programs\gox\bin' }

# The hardware's CPU, not this process's: x64 PowerShell on Windows on Arm is emulated and
# its PROCESSOR_ARCHITECTURE says AMD64 (with PROCESSOR_ARCHITEW6432 unset); the machine-wide
# value in the registry is the native one (ARM64) and is not redirected by WOW64 or emulation.
$envKey = 'HKLM:\SYSTEM\CurrentControlSet\Control\Session Manager\Environment'
$cpu = (Get-ItemProperty -Path $envKey -Name PROCESSOR_ARCHITECTURE).PROCESSOR_ARCHITECTURE
if ($cpu -eq 'ARM64') {
    throw "this is Windows on Arm (PROCESSOR_ARCHITECTURE = ARM64 in $envKey): there is no native arm64 gox build yet, and install.ps1 does not install the emulated x64 one; build from source instead (https://github.com/gox-dev/gox/blob/main/docs/install.md, 'From source'): cargo install --git https://github.com/gox-dev/gox gox gox-shim"
}
if ($cpu -ne 'AMD64') { throw "no gox build for Windows on CPU '$cpu' (PROCESSOR_ARCHITECTURE in $envKey); builds exist for AMD64" }
$target = 'x86_64-pc-windows-gnu'

function Get-File($url, $file) {
    try {
        # PowerShell 7's Invoke-WebRequest reads only http(s): copy file:// URLs directly.
        $u = [Uri]$url
        if ($u.IsFile) { Copy-Item -LiteralPath $u.LocalPath $file } else { Invoke-WebRequest -UseBasicParsing $url -OutFile $file }
    } catch { throw "cannot download ${url}: $($_.Exception.Message); check GOX_INSTALL_BASE ($base), your network and proxy settings (HTTPS_PROXY)" }
}

$tmp = Join-Path ([IO.Path]::GetTempPath()) ('gox-install-' + [guid]::NewGuid())
New-Item -ItemType Directory -Path $tmp | Out-Null
$staged = @()
try {
    if (-not $Version) {
        Get-File "$base/manifest.json" "$tmp\manifest.json"
        $Version = (Get-Content -Raw "$tmp\manifest.json" | ConvertFrom-Json).version
    }
    $archive = "gox-$Version-$target.zip"
    $gox = Join-Path $dir 'gox.exe'
    $installed = (-not $DryRun) -and (Test-Path $gox) -and (Test-Path (Join-Path $dir 'gox-shim.exe')) -and ((& $gox --version) -eq "gox $Version")
    if ($installed -and -not $ModifyPath) {
        Write-Host "gox $Version is already installed in $dir (nothing to do)"
        return
    }
    if ($installed) {
        # -ModifyPath after a plain install: only the user Path is missing. No download.
        Write-Host "gox $Version is already installed in $dir; adding it to your user Path only"
    } else {
        # SHA256SUMS is tiny: even a dry run reads it, to say whether the release has this build.
        Get-File "$base/SHA256SUMS" "$tmp\SHA256SUMS"
        # sha256sum format: "<hex>  <file>" ("*<file>" in binary mode).
        $sums = @{}
        foreach ($l in Get-Content "$tmp\SHA256SUMS") { if ($l -match '^([0-9a-fA-F]{64}) [ *](\S+)$') { $sums[$Matches[2]] = $Matches[1].ToLowerInvariant() } }
        if (-not $sums.ContainsKey($archive)) {
            $names = $sums.Keys -join ', '
            $held = $null
            # With -Version the usual cause is a base holding another version: ask its manifest
            # (best effort, only to explain; the error below stands either way).
            if ($versionArg) { try { Get-File "$base/manifest.json" "$tmp\manifest.json"; $held = (Get-Content -Raw "$tmp\manifest.json" | ConvertFrom-Json).version } catch { } }
            if ($held -and $held -ne $Version) {
                throw "$base holds gox $held, not $Version (SHA256SUMS lists: $names); drop -Version to install $held, or point GOX_INSTALL_BASE at the directory of version $Version"
            }
            throw "$base/SHA256SUMS lists no ${archive}: this release has no $target build (it lists: $names); build from source (https://github.com/gox-dev/gox/blob/main/docs/install.md, 'From source')"
        }
        $expected = $sums[$archive]
    }
    if ($DryRun) {
        "target:      $target"; "version:     $Version"; "archive:     $base/$archive"; "sha256:      $expected"
        "checksums:   $base/SHA256SUMS"; "install dir: $dir"
        return
    }
    if (-not $installed) {
        Get-File "$base/$archive" "$tmp\$archive"
        $actual = (Get-FileHash -Algorithm SHA256 "$tmp\$archive").Hash.ToLowerInvariant()
        if ($actual -ne $expected) {
            throw "checksum mismatch for $base/${archive}: SHA256SUMS says $expected, the download is $actual; nothing was installed"
        }
        Expand-Archive -Path "$tmp\$archive" -DestinationPath "$tmp\x"
        $src = Join-Path $tmp "x\gox-$Version-$target"
        New-Item -ItemType Directory -Force -Path $dir | Out-Null
        # Both are copied in as .new before either replaces the old one: a failed copy (full
        # disk) leaves the old pair as it was, never a new shim next to an old gox.
        foreach ($bin in 'gox-shim.exe', 'gox.exe') {
            $staged += Join-Path $dir "$bin.new"
            Copy-Item (Join-Path $src $bin) (Join-Path $dir "$bin.new") -Force
        }
        foreach ($bin in 'gox-shim.exe', 'gox.exe') {
            $dest = Join-Path $dir $bin
            # A running exe cannot be overwritten but can be renamed away.
            if (Test-Path $dest) { Move-Item $dest "$dest.old" -Force }
            Move-Item "$dest.new" $dest -Force
            Remove-Item "$dest.old" -Force -ErrorAction SilentlyContinue
        }
        $staged = @()
        Write-Host "installed $gox and gox-shim.exe"
    }
    $lines = @(& $gox --quiet setup --shell pwsh)
    if (-not (($env:PATH -split ';') -contains $dir)) {
        $lines += "`$env:PATH = `$env:PATH + [IO.Path]::PathSeparator + '$dir'"
    }
    if ($ModifyPath) {
        # The user Path (HKCU\Environment) reaches cmd.exe, Explorer and IDEs as well, where a
        # $PROFILE line reaches PowerShell only. gox edits it, keeping %VARS% unexpanded, and
        # gox self uninstall takes its entries out again.
        & $gox setup --shell pwsh --user-path | Out-Null
        if ($LASTEXITCODE -ne 0) { throw "'$gox setup --user-path' failed (its error is above)" }
        Write-Host "new windows have gox on PATH; for this one, run:"
    } else {
        Write-Host "add this to $PROFILE, then open a new PowerShell (install.ps1 -ModifyPath puts gox on your user Path instead, for every program):"
    }
    $lines
} finally {
    if ($staged) { Remove-Item -Force -Path $staged -ErrorAction SilentlyContinue }
    Remove-Item -Recurse -Force -Path $tmp -ErrorAction SilentlyContinue
}
