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
$base = if ($env:GOX_INSTALL_BASE) { $env:GOX_INSTALL_BASE.TrimEnd('/') }
        elseif ($Version) { "https://github.com/gox-dev/gox/releases/download/v$Version" }
        else { 'https://github.com/gox-dev/gox/releases/latest/download' }
$dir = if ($env:GOX_INSTALL_DIR) { $env:GOX_INSTALL_DIR } else { Join-Path $env:LOCALAPPDATA 'Programs\gox\bin' }

# The hardware's CPU, not this (possibly emulated 32-bit) process's.
$cpu = if ($env:PROCESSOR_ARCHITEW6432) { $env:PROCESSOR_ARCHITEW6432 } else { $env:PROCESSOR_ARCHITECTURE }
if ($cpu -ne 'AMD64') { throw "no gox build for Windows on CPU '$cpu' (PROCESSOR_ARCHITECTURE); builds exist for AMD64" }
$target = 'x86_64-pc-windows-gnu'

$tmp = Join-Path ([IO.Path]::GetTempPath()) ('gox-install-' + [guid]::NewGuid())
New-Item -ItemType Directory -Path $tmp | Out-Null
try {
    if (-not $Version) { $Version = (Invoke-RestMethod -UseBasicParsing "$base/manifest.json").version }
    $archive = "gox-$Version-$target.zip"
    if ($DryRun) {
        "target:      $target"; "version:     $Version"; "archive:     $base/$archive"
        "checksums:   $base/SHA256SUMS"; "install dir: $dir"
        return
    }
    $gox = Join-Path $dir 'gox.exe'
    if ((Test-Path $gox) -and (Test-Path (Join-Path $dir 'gox-shim.exe')) -and ((& $gox --version) -eq "gox $Version")) {
        Write-Host "gox $Version is already installed in $dir (nothing to do)"
        return
    }
    Invoke-WebRequest -UseBasicParsing "$base/SHA256SUMS" -OutFile "$tmp\SHA256SUMS"
    $entry = Get-Content "$tmp\SHA256SUMS" | Where-Object { ($_ -split '\s+')[1] -eq $archive } | Select-Object -First 1
    if (-not $entry) { throw "$base/SHA256SUMS lists no $archive (no $target build in this release?)" }
    $expected = ($entry -split '\s+')[0]
    Invoke-WebRequest -UseBasicParsing "$base/$archive" -OutFile "$tmp\$archive"
    $actual = (Get-FileHash -Algorithm SHA256 "$tmp\$archive").Hash.ToLowerInvariant()
    if ($actual -ne $expected) {
        throw "checksum mismatch for $base/${archive}: SHA256SUMS says $expected, the download is $actual; nothing was installed"
    }
    Expand-Archive -Path "$tmp\$archive" -DestinationPath "$tmp\x"
    $src = Join-Path $tmp "x\gox-$Version-$target"
    New-Item -ItemType Directory -Force -Path $dir | Out-Null
    foreach ($bin in 'gox-shim.exe', 'gox.exe') {
        $dest = Join-Path $dir $bin
        Copy-Item (Join-Path $src $bin) "$dest.new" -Force
        # A running exe cannot be overwritten but can be renamed away.
        if (Test-Path $dest) { Move-Item $dest "$dest.old" -Force }
        Move-Item "$dest.new" $dest -Force
        Remove-Item "$dest.old" -Force -ErrorAction SilentlyContinue
    }
    Write-Host "installed $gox and gox-shim.exe"
    $lines = @(& $gox --quiet setup --shell pwsh)
    if (-not (($env:PATH -split ';') -contains $dir)) {
        $lines += "`$env:PATH = `$env:PATH + [IO.Path]::PathSeparator + '$dir'"
    }
    if ($ModifyPath) {
        # -Force creates the missing parent directory; never used on an existing profile.
        if (-not (Test-Path $PROFILE)) { New-Item -ItemType File -Force -Path $PROFILE | Out-Null }
        $have = @(Get-Content $PROFILE -ErrorAction SilentlyContinue)
        $lines | Where-Object { $have -notcontains $_ } | Add-Content -Path $PROFILE
        Write-Host "added the PATH line to $PROFILE; open a new PowerShell (or run it now):"
    } else {
        Write-Host "add this to $PROFILE (install.ps1 -ModifyPath does it), then open a new PowerShell:"
    }
    $lines
} finally {
    Remove-Item -Recurse -Force -Path $tmp -ErrorAction SilentlyContinue
}
