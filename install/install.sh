#!/bin/sh
# Installs gox from a release directory (see docs/install.md):
#
#   curl -fsSL https://github.com/gox-dev/gox/releases/latest/download/install.sh | sh
#   sh install.sh [--version V] [--dry-run] [--modify-path]
#
# GOX_INSTALL_BASE  URL of the release directory (default: the latest GitHub release)
# GOX_INSTALL_DIR   where gox and gox-shim go (default: ~/.local/bin)
#
# POSIX sh (tested under dash and bash). The target comes from the real CPU: on a Mac a
# Rosetta terminal reports `uname -m` = x86_64 on arm64 hardware, so the kernel is asked.
# Nothing is left behind on failure: downloads live in a temp dir, binaries are moved
# into place only after their SHA-256 matched SHA256SUMS.
set -eu

DEFAULT_BASE=https://github.com/gox-dev/gox/releases/latest/download
TAGGED_BASE=https://github.com/gox-dev/gox/releases/download

say() { printf 'gox-install: %s\n' "$*" >&2; }
die() {
	printf 'gox-install: error: %s\n' "$*" >&2
	exit 1
}
usage_error() {
	printf 'gox-install: %s\nusage: install.sh [--version V] [--dry-run] [--modify-path]\n' "$*" >&2
	exit 2
}

usage() {
	cat <<'EOF'
install.sh: install gox (a Go toolchain manager) from a release directory.

usage: install.sh [--version V] [--dry-run] [--modify-path]

  --version V     install version V (default: the version the release directory holds)
  --dry-run       print the chosen target and URLs, change nothing
  --modify-path   add the PATH line(s) to your shell's startup file

environment:
  GOX_INSTALL_BASE  release directory URL (default: the latest GitHub release;
                    with --version: that version's GitHub release)
  GOX_INSTALL_DIR   where gox and gox-shim go (default: ~/.local/bin)
EOF
}

version=
dry_run=0
modify_path=0
while [ $# -gt 0 ]; do
	case $1 in
	--version)
		[ $# -ge 2 ] || usage_error "--version needs a value"
		version=$2
		shift 2
		;;
	--version=*)
		version=${1#--version=}
		shift
		;;
	--dry-run)
		dry_run=1
		shift
		;;
	--modify-path)
		modify_path=1
		shift
		;;
	-h | --help)
		usage
		exit 0
		;;
	*) usage_error "unknown argument: $1" ;;
	esac
done

case $version in
*[!A-Za-z0-9.+-]*) usage_error "--version '$version': expected a version like 1.2.3" ;;
esac

if [ -n "${GOX_INSTALL_BASE:-}" ]; then
	base=${GOX_INSTALL_BASE%/}
elif [ -n "$version" ]; then
	base=$TAGGED_BASE/v$version
else
	base=$DEFAULT_BASE
fi
# Plain http only for a mirror on this machine (tests, local dists): anything else could
# swap both the archive and SHA256SUMS on the way.
case $base in
https://* | file://* | http://127.0.0.1 | http://127.0.0.1[:/]* | http://localhost | http://localhost[:/]* | http://\[::1\]*) ;;
*) die "GOX_INSTALL_BASE '$base': use an https:// URL (plain http only for 127.0.0.1/localhost)" ;;
esac

if [ -n "${GOX_INSTALL_DIR:-}" ]; then
	install_dir=$GOX_INSTALL_DIR
elif [ -n "${HOME:-}" ]; then
	install_dir=$HOME/.local/bin
else
	die "HOME is not set: set GOX_INSTALL_DIR to the directory gox should go to"
fi

# The release target for this machine's hardware (not for this shell's emulation).
detect_target() {
	os=$(uname -s 2>/dev/null) || os=unknown
	machine=$(uname -m 2>/dev/null) || machine=unknown
	case $os in
	Linux)
		# musl builds are fully static: no glibc version to check.
		case $machine in
		x86_64 | amd64) target=x86_64-unknown-linux-musl ;;
		aarch64 | arm64 | armv8*) target=aarch64-unknown-linux-musl ;;
		*) die "no gox build for Linux on CPU '$machine' (uname -m); builds exist for x86_64 and aarch64" ;;
		esac
		;;
	Darwin)
		# A Rosetta terminal says x86_64 on arm64 hardware: proc_translated = 1 means this
		# shell is translated, hw.optional.arm64 = 1 means the CPU is Apple Silicon.
		translated=$(sysctl -n sysctl.proc_translated 2>/dev/null) || translated=
		arm64=$(sysctl -n hw.optional.arm64 2>/dev/null) || arm64=
		if [ "$translated" = 1 ] || [ "$arm64" = 1 ]; then
			target=aarch64-apple-darwin
			if [ "$machine" != arm64 ]; then
				cpu_note="Apple Silicon (uname -m says '$machine': this shell runs under Rosetta 2)"
			fi
		else
			case $machine in
			x86_64) target=x86_64-apple-darwin ;;
			arm64) target=aarch64-apple-darwin ;;
			*) die "no gox build for macOS on CPU '$machine' (uname -m)" ;;
			esac
		fi
		;;
	MINGW* | MSYS* | CYGWIN* | Windows_NT)
		die "this is Windows ($os): run install.ps1 in PowerShell instead (docs/install.md)"
		;;
	*) die "no gox build for OS '$os' (uname -s) on CPU '$machine' (uname -m); builds exist for Linux, macOS and Windows" ;;
	esac
}

download() { # URL FILE
	if command -v curl >/dev/null 2>&1; then
		curl --fail --silent --show-error --location --retry 3 --output "$2" "$1" ||
			die "cannot download $1"
	elif command -v wget >/dev/null 2>&1; then
		wget --quiet --tries=3 --output-document="$2" "$1" || die "cannot download $1"
	else
		die "neither curl nor wget is installed; install one (e.g. sudo apt-get install curl)"
	fi
}

sha256_of() { # FILE
	if command -v sha256sum >/dev/null 2>&1; then
		sum=$(sha256sum "$1") || die "sha256sum $1 failed"
	elif command -v shasum >/dev/null 2>&1; then
		sum=$(shasum -a 256 "$1") || die "shasum -a 256 $1 failed"
	elif command -v openssl >/dev/null 2>&1; then
		sum=$(openssl dgst -sha256 "$1") || die "openssl dgst -sha256 $1 failed"
		sum=${sum##*= }
	else
		die "no SHA-256 tool found (sha256sum, shasum or openssl); install coreutils"
	fi
	printf '%s\n' "${sum%% *}"
}

on_path() { # DIR
	case ":${PATH:-}:" in
	*":$1:"*) return 0 ;;
	esac
	return 1
}

# Temporary files: the download dir and the half-copied binaries in the install dir.
tmp=
partial=
cleanup() {
	[ -z "$tmp" ] || rm -rf "$tmp"
	[ -z "$partial" ] || rm -f "$partial"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

cpu_note=
detect_target
tmp=$(mktemp -d 2>/dev/null || mktemp -d -t gox-install) || die "cannot create a temp directory (set TMPDIR)"

if [ -z "$version" ]; then
	download "$base/manifest.json" "$tmp/manifest.json"
	version=$(sed -n 's/^[[:space:]]*"version"[[:space:]]*:[[:space:]]*"\([^"]*\)".*/\1/p' "$tmp/manifest.json" | head -n 1)
	case $version in
	'' | *[!A-Za-z0-9.+-]*) die "$base/manifest.json names no valid version" ;;
	esac
fi
archive=gox-$version-$target.tar.gz

if [ "$dry_run" = 1 ]; then
	echo "target:      $target${cpu_note:+ ($cpu_note)}"
	echo "version:     $version"
	echo "archive:     $base/$archive"
	echo "checksums:   $base/SHA256SUMS"
	echo "install dir: $install_dir"
	exit 0
fi

if [ -x "$install_dir/gox" ] && [ -x "$install_dir/gox-shim" ] &&
	[ "$("$install_dir/gox" --version 2>/dev/null)" = "gox $version" ]; then
	say "gox $version is already installed in $install_dir (nothing to do)"
	exit 0
fi

say "installing gox $version for $target${cpu_note:+ ($cpu_note)} into $install_dir"
download "$base/SHA256SUMS" "$tmp/SHA256SUMS"
expected=$(awk -v f="$archive" '$2 == f || $2 == "*" f { print $1; exit }' "$tmp/SHA256SUMS")
[ -n "$expected" ] || die "$base/SHA256SUMS lists no $archive (no $target build in this release?)"
download "$base/$archive" "$tmp/$archive"
actual=$(sha256_of "$tmp/$archive")
[ "$actual" = "$expected" ] ||
	die "checksum mismatch for $base/$archive: SHA256SUMS says $expected, the download is $actual; nothing was installed"

mkdir "$tmp/x"
tar -xzf "$tmp/$archive" -C "$tmp/x" || die "cannot unpack $archive"
src=$tmp/x/gox-$version-$target
for bin in gox gox-shim; do
	[ -f "$src/$bin" ] || die "$archive has no gox-$version-$target/$bin"
done

mkdir -p "$install_dir" || die "cannot create $install_dir (set GOX_INSTALL_DIR to a writable directory)"
# Copy under a temp name in the same directory, then rename over: a running gox or go
# never sees a half-written file. gox-shim first: gox setup links the shims to it.
for bin in gox-shim gox; do
	partial=$install_dir/.$bin.gox-install.$$
	cp "$src/$bin" "$partial" || die "cannot write $partial"
	chmod 755 "$partial"
	mv -f "$partial" "$install_dir/$bin" || die "cannot replace $install_dir/$bin"
	partial=
done
say "installed $install_dir/gox and $install_dir/gox-shim"

case ${SHELL:-} in
*/zsh) shell=zsh rc=$HOME/.zshrc ;;
*/fish) shell=fish rc=$HOME/.config/fish/config.fish ;;
*/bash) shell=bash rc=$HOME/.bashrc ;;
*) shell=bash rc=$HOME/.profile ;;
esac
# gox setup creates the go/gofmt shims and prints the PATH line for them.
shims_line=$("$install_dir/gox" --quiet setup --shell "$shell") || die "$install_dir/gox setup failed"
lines=$shims_line
if ! on_path "$install_dir"; then
	if [ "$shell" = fish ]; then
		lines="$lines
fish_add_path --append '$install_dir'"
	else
		lines="$lines
export PATH=\"\$PATH:$install_dir\""
	fi
fi

if [ "$modify_path" = 1 ]; then
	mkdir -p "$(dirname "$rc")"
	touch "$rc"
	printf '%s\n' "$lines" | while IFS= read -r line; do
		grep -qxF "$line" "$rc" || printf '%s\n' "$line" >>"$rc"
	done
	say "added the PATH line to $rc; open a new shell (or run it now):"
else
	say "add this to $rc (install.sh --modify-path does it), then open a new shell:"
fi
printf '%s\n' "$lines"
