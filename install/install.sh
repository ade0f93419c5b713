#!/bin/sh
# Installs gox from a release directory (see docs/install.md):
#
#   curl -fsSL https://github.com/gox-dev/gox/releases/latest/download/install.sh | sh
#   sh install.sh [--version V] [--dry-run] [--modify-path]
#
# GOX_INSTALL_BASE  URL of the release directory (default: the latest GitHub release)
# GOX_INSTALL_DIR   where gox and gox-shim go (default: ~/.local/bin)
# GOX_INSTALL_TIMEOUT  seconds a download may stall before it fails (default: 60)
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
  GOX_INSTALL_TIMEOUT
                    seconds a download may receive nothing before it counts as
                    stalled and fails (default: 60; connecting: at most 30)
EOF
}

version=
dry_run=0
modify_path=0
while [ $# -gt 0 ]; do
	case $1 in
	--version)
		# An empty value would silently mean "the manifest's version": refuse it.
		if [ $# -lt 2 ] || [ -z "$2" ]; then
			usage_error "--version needs a value, e.g. --version 1.2.3"
		fi
		version=$2
		shift 2
		;;
	--version=*)
		version=${1#--version=}
		[ -n "$version" ] || usage_error "--version= needs a value, e.g. --version=1.2.3"
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
# The release tag is vV: --version v1.2.3 means 1.2.3 (archives and manifest.json say 1.2.3).
case $version in
v*)
	version=${version#v}
	[ -n "$version" ] || usage_error "--version 'v': expected a version like 1.2.3"
	;;
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
base_fix="use an https:// URL, or file:///absolute/path for a directory on this machine (plain http:// only for 127.0.0.1, localhost or [::1])"
case $base in
https://*) ;;
file://*)
	# Read with cp (curl's file:// support is not wget's: GNU and busybox wget have none),
	# so only files on this machine: file:///path or file://localhost/path.
	file_host=${base#file://}
	file_host=${file_host%%/*}
	case $file_host in
	'' | localhost) ;;
	*) die "GOX_INSTALL_BASE '$base' names the host '$file_host': a file:// URL is read from this machine only; use file:///absolute/path (three slashes), or https:// for another machine" ;;
	esac
	;;
http://*)
	# The host is what follows the last '@' of the authority (RFC 3986 userinfo):
	# http://127.0.0.1:x@evil.example/ connects to evil.example, so a prefix match on
	# the URL is not enough. The authority ends at the first '/', '?' or '#'.
	authority=${base#http://}
	authority=${authority%%[/?#]*}
	userinfo=
	case $authority in
	*@*) userinfo=${authority%@*} ;;
	esac
	hostport=${authority##*@}
	# A '@' or '\' left in the userinfo is read differently by different URL parsers:
	# refuse rather than guess which host curl or wget would pick.
	case $userinfo in
	*[@\\]*) die "GOX_INSTALL_BASE '$base': ambiguous user info before the host; $base_fix" ;;
	esac
	case $hostport in
	127.0.0.1 | localhost | '[::1]') ;;
	127.0.0.1:* | localhost:* | '[::1]':*)
		case ${hostport##*:} in
		'' | *[!0-9]*) die "GOX_INSTALL_BASE '$base': bad port in '$hostport'; $base_fix" ;;
		esac
		;;
	*) die "GOX_INSTALL_BASE '$base': plain http to '$hostport' is not allowed; $base_fix" ;;
	esac
	;;
*)
	# A plain path: say the exact file:// URL that works.
	if [ -d "$base" ]; then
		abs=$(cd "$base" && pwd) || abs=$base
		die "GOX_INSTALL_BASE '$base' is a path, not a URL: use GOX_INSTALL_BASE=file://$abs"
	fi
	die "GOX_INSTALL_BASE '$base': $base_fix"
	;;
esac

if [ -n "${GOX_INSTALL_DIR:-}" ]; then
	install_dir=$GOX_INSTALL_DIR
elif [ -n "${HOME:-}" ]; then
	install_dir=$HOME/.local/bin
else
	die "HOME is not set: set GOX_INSTALL_DIR to the directory gox should go to"
fi
# The PATH line must name the directory from anywhere, not from the directory install.sh
# happened to run in.
case $install_dir in
/*) ;;
*)
	cwd=$(pwd) || die "cannot read the current directory (pwd failed) to make GOX_INSTALL_DIR '$install_dir' absolute: set GOX_INSTALL_DIR to an absolute path"
	install_dir=${cwd%/}/${install_dir#./}
	;;
esac

# The startup file for --modify-path, decided before anything is downloaded: without HOME
# there is none, and gox itself needs its directories named another way.
# zsh reads $ZDOTDIR/.zshrc when ZDOTDIR is set, and then never ~/.zshrc.
rc_home=${HOME:-}
case ${SHELL:-} in
*/zsh)
	shell=zsh rc=.zshrc
	[ -z "${ZDOTDIR:-}" ] || rc_home=$ZDOTDIR
	;;
*/fish) shell=fish rc=.config/fish/config.fish ;;
*/bash) shell=bash rc=.bashrc ;;
*) shell=bash rc=.profile ;;
esac
if [ -n "$rc_home" ]; then
	rc=${rc_home%/}/$rc
else
	rc=
fi
if [ -z "${HOME:-}" ]; then
	if [ -z "$rc" ] && [ "$modify_path" = 1 ]; then
		die "--modify-path needs HOME (the startup file is found there), and HOME is not set: set HOME, or drop --modify-path and add the printed lines to your shell's startup file yourself"
	fi
	# gox's own directories default to HOME too (XDG, crates/gox-core/src/layout.rs):
	# without them named, `gox setup` would fail after the binaries were installed.
	missing=
	[ -n "${GOX_HOME:-}${XDG_DATA_HOME:-}" ] || missing="$missing GOX_HOME"
	[ -n "${GOX_CACHE_DIR:-}${XDG_CACHE_HOME:-}" ] || missing="$missing GOX_CACHE_DIR"
	[ -n "${GOX_CONFIG:-}${XDG_CONFIG_HOME:-}" ] || missing="$missing GOX_CONFIG"
	if [ -n "$missing" ]; then
		die "HOME is not set, and gox keeps its files under HOME unless told otherwise: set HOME, or set these to absolute paths:$missing"
	fi
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
		die "this is Windows ($os): run install.ps1 in PowerShell instead (https://github.com/gox-dev/gox/blob/main/docs/install.md)"
		;;
	*) die "no gox build for OS '$os' (uname -s) on CPU '$machine' (uname -m); builds exist for Linux, macOS and Windows" ;;
	esac
}

# What to check when a download fails (curl has already printed why, wget -q has not).
if [ "${base#file://}" != "$base" ]; then
	download_fix="check that GOX_INSTALL_BASE ($base) is a release directory (https://github.com/gox-dev/gox/blob/main/docs/install.md, \"Release layout\") that you can read"
elif [ -n "${GOX_INSTALL_BASE:-}" ]; then
	download_fix="check that GOX_INSTALL_BASE ($base) is a release directory (https://github.com/gox-dev/gox/blob/main/docs/install.md, \"Release layout\"), your network, and the proxy variables (HTTPS_PROXY, ALL_PROXY, NO_PROXY)"
else
	download_fix="check your network and the proxy variables (HTTPS_PROXY, ALL_PROXY, NO_PROXY), or set GOX_INSTALL_BASE to a mirror of the release directory"
fi

# A download that receives nothing for $stall seconds (or connects to nothing within
# $connect) has stalled: it fails (curl tries 4 times, GNU wget 3) instead of hanging.
stall=${GOX_INSTALL_TIMEOUT:-60}
case $stall in
'' | *[!0-9]* | 0) die "GOX_INSTALL_TIMEOUT is '$stall': expected a whole number of seconds above 0, e.g. GOX_INSTALL_TIMEOUT=300 (the default is 60)" ;;
esac
connect=30
[ "$stall" -ge "$connect" ] || connect=$stall
stall_fix="the download stalled (no data for ${stall}s, or no connection within ${connect}s): check your network and the proxy variables (HTTPS_PROXY, ALL_PROXY, NO_PROXY), or set GOX_INSTALL_TIMEOUT to wait longer than $stall seconds"

# Why a download failed, with the fix. curl exit 23 and wget exit 3 are a failed write of
# the file, not a network error: the temp directory is full (or was made unwritable).
# busybox wget exits 1 for every error, so a byte written here decides (the failed
# download's partial file is still there, keeping a full disk full).
download_failed() { # URL TOOL STATUS
	if { [ "$2" = curl ] && [ "$3" = 23 ]; } || { [ "$2" = wget ] && [ "$3" = 3 ]; } ||
		! (printf x >"$tmp/.write-probe") 2>/dev/null; then
		die "cannot download $1: $2 could not write to the temp directory $tmp (exit $3; is $tmp_parent full?): free some space there, or set TMPDIR to a directory with room"
	fi
	if [ "$2" = curl ] && [ "$3" = 28 ]; then
		die "cannot download $1 with curl: $stall_fix"
	fi
	if [ "$2" = wget ]; then
		# GNU wget: exit 8 is an HTTP error status, exit 4 a network failure (timeouts
		# included); busybox wget exits 1 for both, and its message tells them apart.
		if [ "$3" = 8 ] || grep -q 'server returned error' "$tmp/.wget-log" 2>/dev/null; then
			die "cannot download $1 with wget: the server answered with an HTTP error (e.g. 404: is GOX_INSTALL_BASE a gox release directory?)"
		fi
		if grep -q 'timed out' "$tmp/.wget-log" 2>/dev/null; then
			die "cannot download $1 with wget: $stall_fix"
		fi
	fi
	die "cannot download $1 with $2: $download_fix"
}

# GNU wget (--timeout, --tries; exit 8 for an HTTP error) or another one, e.g. busybox's,
# which has -T only when built with it (Debian's is not, and crashes on -T).
wget_kind=
wget_kind() {
	if [ -z "$wget_kind" ]; then
		if wget --version 2>/dev/null | grep -q 'GNU Wget'; then
			wget_kind=gnu
		elif wget --help 2>&1 | grep -q -- '-T SEC'; then
			wget_kind=timeout
		else
			wget_kind=plain
		fi
	fi
	printf '%s' "$wget_kind"
}

# wget with no timeout of its own (busybox built without -T): a watchdog stops it once
# FILE has not grown for $stall seconds (connecting included) and logs "timed out", as a
# wget with -T would. wget runs in the background so that this shell reaps it the moment
# it ends (no zombie for the watchdog's `kill -0` to mistake for a live download).
watched_wget() { # URL FILE
	wget -q -O "$2" "$1" 2>"$tmp/.wget-log" &
	ww_pid=$!
	(
		ww_size=-1
		ww_idle=0
		while kill -0 "$ww_pid" 2>/dev/null; do
			sleep 1
			ww_now=$(wc -c 2>/dev/null <"$2") || ww_now=0
			if [ "$ww_now" -gt "$ww_size" ]; then
				ww_size=$ww_now
				ww_idle=0
			else
				ww_idle=$((ww_idle + 1))
			fi
			if [ "$ww_idle" -ge "$stall" ]; then
				echo "wget: download timed out (watchdog: no data for ${stall}s)" >>"$tmp/.wget-log"
				kill "$ww_pid" 2>/dev/null
				exit 0
			fi
		done
	) &
	ww_watchdog=$!
	wait "$ww_pid"
	ww_status=$?
	kill "$ww_watchdog" 2>/dev/null
	return "$ww_status"
}

# The local path of a file:// URL (host checked above): '?' and '#' end it, %XX escapes
# are decoded (a space is %20 in a URL).
file_url_path() { # URL
	fu_rest=${1#file://}
	fu_rest=/${fu_rest#*/}
	fu_rest=${fu_rest%%[?#]*}
	fu_out=
	while :; do
		case $fu_rest in
		*%*)
			fu_out=$fu_out${fu_rest%%%*}
			fu_rest=${fu_rest#*%}
			case $fu_rest in
			00*) die "cannot read $1: %00 (a NUL byte) cannot be in a file name" ;;
			[0-9A-Fa-f][0-9A-Fa-f]*)
				fu_hex=${fu_rest%"${fu_rest#??}"}
				fu_rest=${fu_rest#??}
				# The x keeps a decoded newline from being cut by $(…).
				fu_char=$(printf '%bx' "\\0$(printf '%03o' "0x$fu_hex")")
				fu_out=$fu_out${fu_char%x}
				;;
			*) fu_out=$fu_out% ;;
			esac
			;;
		*) break ;;
		esac
	done
	printf '%s' "$fu_out$fu_rest"
}

download() { # URL FILE
	case $1 in
	file://*)
		dl_path=$(file_url_path "$1") || exit 1
		[ -f "$dl_path" ] || die "cannot read $1: there is no file $dl_path; $download_fix"
		cp "$dl_path" "$2" && return 0
		download_failed "$1" cp "$?"
		;;
	esac
	if command -v curl >/dev/null 2>&1; then
		curl --fail --silent --show-error --location --retry 3 --connect-timeout "$connect" \
			--speed-limit 1 --speed-time "$stall" --output "$2" "$1" && return 0
		download_failed "$1" curl "$?"
	elif command -v wget >/dev/null 2>&1; then
		# Its messages go to a log, shown on failure (GNU wget --quiet says nothing).
		case $(wget_kind) in
		gnu) wget --no-verbose --tries=3 --timeout="$stall" --connect-timeout="$connect" \
			--output-document="$2" "$1" 2>"$tmp/.wget-log" && return 0 ;;
		timeout) wget -q -T "$stall" -O "$2" "$1" 2>"$tmp/.wget-log" && return 0 ;;
		*) watched_wget "$1" "$2" && return 0 ;;
		esac
		dl_status=$?
		cat "$tmp/.wget-log" >&2
		download_failed "$1" wget "$dl_status"
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

# TEXT with every FROM replaced by TO (literal strings, no sed: the path may hold anything).
replace_all() { # TEXT FROM TO
	ra_rest=$1
	ra_out=
	while :; do
		case $ra_rest in
		*"$2"*)
			ra_out=$ra_out${ra_rest%%"$2"*}$3
			ra_rest=${ra_rest#*"$2"}
			;;
		*) break ;;
		esac
	done
	printf '%s' "$ra_out$ra_rest"
}

# TEXT as one literal word for a POSIX shell: in '…' nothing is special, a ' is closed,
# escaped and reopened.
sh_quote() { # TEXT
	printf "'%s'" "$(replace_all "$1" "'" "'\\''")"
}

# TEXT as one literal word for fish: in '…' only \\ and \' are special.
fish_quote() { # TEXT
	printf "'%s'" "$(replace_all "$(replace_all "$1" "\\" "\\\\")" "'" "\\'")"
}

# The version named by manifest.json (FILE), or nothing.
manifest_version() { # FILE
	sed -n 's/^[[:space:]]*"version"[[:space:]]*:[[:space:]]*"\([^"]*\)".*/\1/p' "$1" | head -n 1
}

# Why SHA256SUMS has no $archive, with the fix. The usual cause with --version is a base
# that holds another version (GOX_INSTALL_BASE is used as given), so ask its manifest.
no_archive() {
	listed=$(awk '{ f = $2; sub(/^\*/, "", f); printf "%s%s", sep, f; sep = ", " }' "$tmp/SHA256SUMS")
	if [ -n "$version_arg" ]; then
		if (download "$base/manifest.json" "$tmp/manifest.json") 2>/dev/null; then
			held=$(manifest_version "$tmp/manifest.json")
			if [ -n "$held" ] && [ "$held" != "$version" ]; then
				die "$base holds gox $held, not $version ($base/SHA256SUMS lists: ${listed:-nothing}); drop --version to install $held, or point GOX_INSTALL_BASE at the directory of version $version"
			fi
		fi
	fi
	die "$base/SHA256SUMS lists no $archive: this release has no $target build (it lists: ${listed:-nothing}); build from source (https://github.com/gox-dev/gox/blob/main/docs/install.md, \"From source\")"
}

# gox's man pages from $src/man into $man_dir, each copied to a temporary name and renamed;
# pages of an earlier gox that this one no longer has go (only gox's own: a file whose
# title line names it). Documentation only: a failure is a warning, the binaries stay.
install_man_pages() {
	if [ -z "$man_dir" ]; then
		say "man pages: not installed ($install_dir is not PREFIX/bin); they are in the archive's man/ directory"
		return 0
	fi
	[ -d "$src/man" ] || return 0
	if ! mkdir -p "$man_dir" 2>/dev/null; then
		say "warning: cannot create $man_dir; the man pages were not installed"
		return 0
	fi
	for page in "$man_dir"/gox.1 "$man_dir"/gox-*.1; do
		[ -f "$page" ] || continue
		name=${page##*/}
		[ -f "$src/man/$name" ] && continue
		grep -q "^\.TH ${name%.1} 1" "$page" 2>/dev/null && rm -f "$page"
	done
	count=0
	for page in "$src"/man/gox.1 "$src"/man/gox-*.1; do
		[ -f "$page" ] || continue
		name=${page##*/}
		if ! cp "$page" "$man_dir/.$name.gox-install.$$" ||
			! mv -f "$man_dir/.$name.gox-install.$$" "$man_dir/$name"; then
			rm -f "$man_dir/.$name.gox-install.$$"
			say "warning: cannot write $man_dir/$name; the man pages were not all installed"
			return 0
		fi
		count=$((count + 1))
	done
	say "installed $count man pages into $man_dir (man gox)"
}

# Temporary files: the download dir, and (while staged=1) the binaries staged in the
# install dir under names only this process uses.
tmp=
staged=
cleanup() {
	[ -z "$tmp" ] || rm -rf "$tmp"
	[ -z "$staged" ] || rm -f "$install_dir/.gox-shim.gox-install.$$" "$install_dir/.gox.gox-install.$$"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

cpu_note=
detect_target

# mktemp's own error for a missing TMPDIR is "too few X's in template" (GNU, when falling
# back to -t): check the directory first and name it.
tmp_parent=${TMPDIR:-/tmp}
tmp_parent=${tmp_parent%/}
[ -n "$tmp_parent" ] || tmp_parent=/
if [ ! -d "$tmp_parent" ]; then
	if [ -n "${TMPDIR:-}" ]; then
		die "TMPDIR is '$TMPDIR', which is not an existing directory: create it (mkdir -p '$TMPDIR') or unset TMPDIR"
	fi
	die "/tmp does not exist and TMPDIR is not set: set TMPDIR to a writable directory"
fi
if [ ! -w "$tmp_parent" ]; then
	die "cannot write to the temp directory $tmp_parent${TMPDIR:+ (TMPDIR)}: set TMPDIR to a writable directory"
fi
# An explicit template works with both GNU and BSD mktemp.
tmp=$(mktemp -d "$tmp_parent/gox-install.XXXXXX") ||
	die "cannot create a temp directory in $tmp_parent (mktemp -d '$tmp_parent/gox-install.XXXXXX' failed): set TMPDIR to a writable directory"

version_arg=$version
if [ -z "$version" ]; then
	download "$base/manifest.json" "$tmp/manifest.json"
	version=$(manifest_version "$tmp/manifest.json")
	case $version in
	'' | *[!A-Za-z0-9.+-]*) die "$base/manifest.json names no valid version: $download_fix" ;;
	esac
fi
archive=gox-$version-$target.tar.gz

# SHA256SUMS is a few hundred bytes: even a dry run reads it, so it can say whether the
# release has this target's build (and the version asked for) instead of printing a URL
# that would 404.
if [ "$dry_run" = 1 ]; then
	echo "target:      $target${cpu_note:+ ($cpu_note)}"
	echo "version:     $version"
fi

installed=0
if [ "$dry_run" = 0 ] && [ -x "$install_dir/gox" ] && [ -x "$install_dir/gox-shim" ] &&
	[ "$("$install_dir/gox" --version 2>/dev/null)" = "gox $version" ]; then
	installed=1
	# No download. An earlier run may have stopped between the install and gox setup (a
	# read-only GOX_HOME, say): gox setup below makes the shims that are missing (and
	# changes nothing when they exist), and the PATH lines are printed as on a first run.
	if [ "$modify_path" = 1 ]; then
		say "gox $version is already installed in $install_dir; adding the PATH lines only"
	else
		say "gox $version is already installed in $install_dir; checking the shims and the PATH lines"
	fi
fi

if [ "$installed" = 0 ]; then
	download "$base/SHA256SUMS" "$tmp/SHA256SUMS"
	expected=$(awk -v f="$archive" '$2 == f || $2 == "*" f { print $1; exit }' "$tmp/SHA256SUMS")
	[ -n "$expected" ] || no_archive
fi

# The man pages go where a package manager puts them, PREFIX/share/man/man1 for an install
# dir PREFIX/bin: man finds them there with no MANPATH (man-db and macOS's man derive the
# man path from PATH). No other install dir gets them (gox self update and self uninstall
# follow the same rule: gox-installer's manpages::man_dir).
man_dir=
case ${install_dir%/} in
/bin) ;;
*/bin) man_dir=${install_dir%/}
	man_dir=${man_dir%/bin}/share/man/man1 ;;
esac

if [ "$dry_run" = 1 ]; then
	echo "archive:     $base/$archive"
	echo "sha256:      $expected"
	echo "checksums:   $base/SHA256SUMS"
	echo "install dir: $install_dir"
	echo "man pages:   ${man_dir:-none (the install dir is not PREFIX/bin)}"
	exit 0
fi

if [ "$installed" = 0 ]; then
	say "installing gox $version for $target${cpu_note:+ ($cpu_note)} into $install_dir"
	download "$base/$archive" "$tmp/$archive"
	actual=$(sha256_of "$tmp/$archive")
	[ "$actual" = "$expected" ] ||
		die "checksum mismatch for $base/$archive: SHA256SUMS says $expected, the download is $actual; nothing was installed (a proxy or mirror changed the file; retry, or $download_fix)"

	mkdir "$tmp/x"
	tar -xzf "$tmp/$archive" -C "$tmp/x" || die "cannot unpack $base/$archive (tar -xzf failed); nothing was installed"
	src=$tmp/x/gox-$version-$target
	for bin in gox gox-shim; do
		[ -f "$src/$bin" ] || die "$base/$archive has no gox-$version-$target/$bin; nothing was installed"
	done

	mkdir -p "$install_dir" || die "cannot create $install_dir: set GOX_INSTALL_DIR to a writable directory"
	for bin in gox gox-shim; do
		if [ -d "$install_dir/$bin" ]; then
			die "$install_dir/$bin is a directory; remove it (rmdir '$install_dir/$bin') or set GOX_INSTALL_DIR"
		fi
	done
	# Both binaries are staged under temp names in the install dir (same file system, so
	# the renames below are atomic) before either is renamed over: a full disk or a
	# failed copy then leaves the old gox and gox-shim as they were, never a new shim
	# next to an old gox. A running gox or go never sees a half-written file.
	staged=1
	for bin in gox-shim gox; do
		part=$install_dir/.$bin.gox-install.$$
		if ! cp "$src/$bin" "$part" || ! chmod 755 "$part"; then
			die "cannot write $part (disk full or not writable?); $install_dir was left unchanged: free some space, or set GOX_INSTALL_DIR to a writable directory"
		fi
	done
	# gox-shim first: gox setup links the shims to it.
	for bin in gox-shim gox; do
		mv -f "$install_dir/.$bin.gox-install.$$" "$install_dir/$bin" ||
			die "cannot rename $install_dir/.$bin.gox-install.$$ to $install_dir/$bin; run install.sh again once $install_dir is writable"
	done
	staged=
	say "installed $install_dir/gox and $install_dir/gox-shim"
	install_man_pages
fi

# gox setup creates the go/gofmt shims and prints the PATH line for them. Its line for
# sh names the shims directory: evaluated with an empty PATH it leaves "DIR:", which says
# whether DIR is on PATH already (gox quotes it; a line of another form is just printed).
setup_failed="'$install_dir/gox setup' failed (its error is above): fix that, then run install.sh again (it downloads nothing when gox $version is installed, and finishes the setup)"
sh_shims_line=$("$install_dir/gox" --quiet setup --shell bash) || die "$setup_failed"
if [ "$shell" = bash ]; then
	shims_line=$sh_shims_line
else
	shims_line=$("$install_dir/gox" --quiet setup --shell "$shell") || die "$setup_failed"
fi
# shellcheck disable=SC2123 # PATH is emptied on purpose (in this subshell only).
shims_dir=$(
	PATH=
	eval "$sh_shims_line" 2>/dev/null || exit 0
	printf '%s' "${PATH%:}"
) || shims_dir=
lines=
on_path_dirs=
if [ -n "$shims_dir" ] && on_path "$shims_dir"; then
	on_path_dirs=$shims_dir
else
	lines=$shims_line
fi
path_line=
legacy_line=
if on_path "$install_dir"; then
	on_path_dirs="${on_path_dirs:+$on_path_dirs and }$install_dir"
else
	if [ "$shell" = fish ]; then
		# --path: $PATH for this session only, set by config.fish at every start. Without
		# it fish_add_path stores the universal fish_user_paths, which outlives the line
		# (and gox self uninstall), and --append does not append to it.
		path_line="fish_add_path --path --append $(fish_quote "$install_dir")"
	else
		path_line="export PATH=\"\$PATH\":$(sh_quote "$install_dir")"
		# Earlier install.sh versions wrote export PATH="$PATH:DIR", which is right for a
		# DIR without ", $, ` or \: a startup file holding it needs no second line.
		case $install_dir in
		*[\"\$\`\\]*) ;;
		*) legacy_line="export PATH=\"\$PATH:$install_dir\"" ;;
		esac
	fi
	lines="${lines:+$lines
}$path_line"
fi
if [ -n "$on_path_dirs" ]; then
	say "$on_path_dirs: already on PATH"
fi
if [ -z "$lines" ]; then
	say "nothing to add to ${rc:-the startup file}: gox is ready"
	exit 0
fi

if [ "$modify_path" = 1 ]; then
	rc_dir=$(dirname "$rc")
	if ! mkdir -p "$rc_dir" || ! touch "$rc"; then
		die "cannot write $rc: add these lines to it by hand: $lines"
	fi
	added=0
	# A here-document, not a pipe: the loop runs in this shell, so $added survives it.
	while IFS= read -r line; do
		if grep -qxF "$line" "$rc"; then
			continue
		fi
		if [ "$line" = "$path_line" ] && [ -n "$legacy_line" ] && grep -qxF "$legacy_line" "$rc"; then
			continue
		fi
		# A last line without its newline would run into ours (alias ll='ls -l'export …):
		# end it first. $(tail -c 1) is empty when the last byte is a newline.
		if [ "$added" = 0 ] && [ -s "$rc" ] && [ -n "$(tail -c 1 "$rc")" ]; then
			printf '\n' >>"$rc" || die "cannot append to $rc: add these lines to it by hand: $lines"
		fi
		printf '%s\n' "$line" >>"$rc" || die "cannot append to $rc: add these lines to it by hand: $lines"
		added=$((added + 1))
	done <<LINES
$lines
LINES
	if [ "$added" = 0 ]; then
		say "$rc already has the PATH line(s) (nothing to do):"
	else
		say "added the PATH line(s) to $rc; open a new shell (or run them now):"
	fi
elif [ -n "$rc" ]; then
	say "add this to $rc (install.sh --modify-path does it), then open a new shell:"
else
	say "HOME is not set, so there is no startup file to name: add this to your shell's startup file, then open a new shell:"
fi
printf '%s\n' "$lines"
