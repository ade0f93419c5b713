//! The command line: argument parsing only. Every decision lives in the libraries.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use clap_complete::engine::ArgValueCandidates;
use gox_resolver::source::MirrorList;

use crate::completion::{self, Shell};

#[derive(Debug, Parser)]
#[command(
    name = "gox",
    version = crate::build_info::VERSION,
    about = "Install Go toolchains and run the right one for each directory, natively on every architecture",
    long_about = "gox installs official Go toolchains (checksummed and verified to match your machine's real \
architecture, even under Rosetta 2) and runs the right one per directory through tiny `go`/`gofmt` shims.",
    after_help = "Start with `gox install latest`, then `gox setup` to put the shims on PATH.\n\
Documentation: https://github.com/gox-dev/gox/blob/main/docs/guide.md · exit codes: 0 ok, 1 error, 2 usage, 126 refused (architecture), 127 no toolchain",
    propagate_version = true
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Print only errors (no progress bars, no status lines)
    #[arg(long, short, global = true)]
    pub quiet: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Download, verify and install Go toolchains
    #[command(
        long_about = "Download, verify and install Go toolchains.\n\n\
The archive for the machine's real architecture is picked from the go.dev feed, its SHA-256 \
is checked against the feed while it streams in, the binaries inside are checked to be for \
that platform, and the toolchain appears in GOX_HOME/toolchains only when complete.",
        after_help = "Examples:\n  gox install 1.22.10\n  gox install 1.22 latest\n  \
gox install 1.22.10 --platform darwin/amd64\n  gox install 1.22.10 --archive go1.22.10.linux-amd64.tar.gz"
    )]
    Install(InstallArgs),
    /// Remove an installed toolchain (refused while a running process uses it)
    #[command(
        after_help = "Examples:\n  gox uninstall 1.21.13\n  gox uninstall 1.22.10 --platform darwin/amd64\n  \
gox uninstall 1.22.10 --force    even while a `go` from it runs"
    )]
    Uninstall(UninstallArgs),
    /// List installed toolchains
    #[command(visible_alias = "ls")]
    List(ListArgs),
    /// List Go versions available for download (from the go.dev feed)
    #[command(
        after_help = "Examples:\n  gox ls-remote          stable releases\n  gox ls-remote 1.22     the 1.22 line\n  \
gox ls-remote --all    including release candidates and betas"
    )]
    LsRemote(LsRemoteArgs),
    /// Pin a Go version for this directory (.go-version) or globally
    #[command(
        after_help = "Examples:\n  gox use 1.22.10            writes ./.go-version\n  gox use --global latest    sets the default for everywhere else"
    )]
    Use(UseArgs),
    /// Show the Go version selected here, and which file decided
    Current(CurrentArgs),
    /// Print the path of the Go tool the shim would run here
    Which(WhichArgs),
    /// Run a command with a specific toolchain's environment
    #[command(
        long_about = "Run a command with a specific toolchain's environment: its GOROOT, GOPATH, GOCACHE, \
GOTOOLCHAIN=local, and its bin first on PATH.\n\n\
On Windows CMD is found as cmd.exe finds it: in each directory of that PATH, with each PATHEXT \
extension in order (`build` runs build.cmd); a name with a directory part is looked up there only.",
        after_help = "Example:\n  gox exec 1.21.13 -- go test ./..."
    )]
    Exec(ExecArgs),
    /// Print the environment of the selected toolchain (for eval, CI and editors)
    #[command(
        after_help = "Examples:\n  eval \"$(gox env)\"\n  gox env --shell fish | source\n  gox env --json   (VS Code: go.goroot = GOROOT)"
    )]
    Env(EnvArgs),
    /// Create the go/gofmt shims in GOX_HOME/shims and print the PATH line for your shell
    #[command(
        long_about = "Create the go and gofmt shims in GOX_HOME/shims, plus one goX.Y.Z entry per version \
installed for this machine's platform (kept current by every install and uninstall), and print the \
PATH line for your shell.\n\n\
goX.Y.Z runs exactly that version, so a plain `go` with GOTOOLCHAIN=go1.22.10 (or auto/path) finds \
gox's verified toolchain on PATH instead of downloading one.\n\n\
--sdk also keeps ~/sdk/goX.Y.Z links (the golang.org/dl layout VS Code's Go extension lists).",
        after_help = "Examples:\n  gox setup\n  gox setup --sdk"
    )]
    Setup(SetupArgs),
    /// Check this machine's Go setup (Rosetta, PATH, GOROOT & co., wrong-arch binaries) and print the fixes
    #[command(
        long_about = "Check this machine's Go setup and print the fix for every problem found: gox or \
the shell running under Rosetta 2, a `go` earlier on PATH than the shims, GOROOT/GOPATH/GOTOOLCHAIN/\
GOARCH/GOOS/GOFLAGS in the environment or set by `go env -w`, installed toolchains and GOPATH/bin \
programs that do not run natively here, stale pkg/tool directories, a shell without gox, and \
leftovers of interrupted installs.\n\nExit status: 0 when there is no error (warnings allowed), 1 otherwise.",
        after_help = "Examples:\n  gox doctor\n  gox doctor --json   {\"host\":{…},\"findings\":[{\"id\",\"severity\",\"message\",\"fix\"}]}"
    )]
    Doctor(DoctorArgs),
    /// List the Go programs in GOPATH/bin directories and flag wrong-arch and orphaned ones
    #[command(
        long_about = "List the executables in every gox GOPATH/bin (GOX_HOME/gopath/<os>-<arch>/bin), in \
GOBIN and in ~/go/bin, with what their Go build info says (read directly from the binary, no go \
process): module path and version, the Go version that built them, GOOS/GOARCH and cgo.\n\n\
Problems flagged: wrong-arch (built for a platform that is not this machine's, like an x86_64 dlv \
on Apple Silicon), orphaned (built by a Go version that is no longer installed), not-go (no Go \
build info; listed and left alone).\n\n`gox tools rebuild` reinstalls them natively.",
        after_help = "Examples:\n  gox tools\n  gox tools --json   [{\"name\",\"path\",\"module\",\"version\",\"go\",\"platform\",\"problems\"}]\n  \
gox tools rebuild --wrong-arch\n  gox tools rebuild dlv gopls --latest"
    )]
    Tools(ToolsArgs),
    /// List installed release lines with a newer patch, and lines Go no longer supports
    #[command(
        long_about = "List the installed release lines that have a newer patch release in the go.dev feed \
(1.27.2 -> 1.27.3), and the lines Go no longer supports: only the two newest minor releases get \
security fixes.",
        after_help = "Examples:\n  gox outdated\n  gox outdated --json   [{\"line\",\"installed\",\"latest\",\"supported\"}]"
    )]
    Outdated(OutdatedArgs),
    /// Install the newest patch of installed release lines and move the default along
    #[command(
        long_about = "Install the newest patch of each installed release line (or of the LINEs named), \
through the normal install pipeline (checksums, verification, atomic commit). When the global \
default pins an older patch of an upgraded line exactly (1.27.2), it moves to the new patch; \
defaults like `1.27` or `latest` already follow. --pins does the same for the .go-version files \
of the project directories gox has recorded (GOX_HOME/projects); --prune then removes the \
superseded patches that nothing uses any more (the default, recorded projects, this directory \
and running processes are respected, as with `gox prune`).",
        after_help = "Examples:\n  gox upgrade\n  gox upgrade 1.27\n  gox upgrade --pins --prune   also move exact .go-version pins of recorded projects, then remove the old patches"
    )]
    Upgrade(UpgradeArgs),
    /// Keep a static mirror (feed.json, archives, GOPROXY tree) for a fleet: gox mirror sync DIR …
    #[command(subcommand)]
    Mirror(MirrorCommand),
    /// Print shell code that switches Go on every `cd`: eval "$(gox activate zsh)"
    #[command(
        long_about = "Print shell code that switches Go as you move between directories.\n\n\
Before each prompt (and right after each `cd` in zsh, fish and PowerShell) the code runs \
`gox hook-env`, which puts the toolchain the directory selects first on PATH, with the \
platform's GOPATH/bin, and exports GOROOT, GOPATH, GOCACHE, GOMODCACHE and GOTOOLCHAIN=local; \
leaving the project restores what was there before, and PATH entries you add yourself stay. \
It never downloads: a missing version is reported once, with the command that installs it. \
`gox deactivate` undoes everything.",
        after_help = "Add one line to your shell's startup file:\n  \
bash  ~/.bashrc                   eval \"$(gox activate bash)\"\n  \
zsh   ~/.zshrc                    eval \"$(gox activate zsh)\"\n  \
fish  ~/.config/fish/config.fish  gox activate fish | source\n  \
pwsh  $PROFILE                    gox activate pwsh | Out-String | Invoke-Expression\n\n\
Details: https://github.com/gox-dev/gox/blob/main/docs/shell-integration.md"
    )]
    Activate(ActivateArgs),
    /// Undo `gox activate` in this shell
    #[command(
        long_about = "Undo `gox activate` in this shell: remove the hook, take the toolchain's entries \
off PATH and restore GOROOT, GOPATH and the rest to what they were before.\n\n\
It is carried out by the `gox` shell function that `gox activate` defines; the gox binary \
itself cannot change its parent shell, so run directly it only explains."
    )]
    Deactivate,
    /// Print the shell code that updates this shell for the current directory (the activate hook runs it)
    #[command(
        hide = true,
        long_about = "Print the shell code that brings this shell up to date for the current directory; \
the code `gox activate` prints runs it before each prompt and on `cd`.\n\n\
When nothing it depends on changed (the directory, the version files up the tree and their \
modification times, the global default, the installed toolchains, GOX_VERSION) it prints \
nothing, deciding from `stat` calls alone. Otherwise it prints the changes: the selected \
toolchain's PATH entries and variables, what it set before removed or restored, and its state \
in __GOX_STATE. It never downloads; problems are one-line warnings on stderr and the exit \
status is 0."
    )]
    HookEnv(HookEnvArgs),
    /// Take over the Go toolchains of goenv, gvm, asdf, mise, g, gobrew, ~/sdk, Scoop, /usr/local/go, Program Files\Go and Homebrew
    #[command(
        long_about = "Take over Go toolchains that other managers installed, without downloading them again.\n\n\
Searched: goenv ($GOENV_ROOT or ~/.goenv/versions/*), gvm ($GVM_ROOT or ~/.gvm/gos/go*), asdf \
($ASDF_DATA_DIR or ~/.asdf/installs/golang/*/go), mise ($MISE_DATA_DIR or ~/.local/share/mise/installs/go/*), \
voidint/g ($G_HOME or ~/.g/versions/*), gobrew ($GOBREW_ROOT or ~/.gobrew/versions/*/go), golang.org/dl \
(~/sdk/go* with .unpacked-success), /usr/local/go and Homebrew's Cellar/go/*/libexec (under /usr/local \
and /opt/homebrew, or the prefixes in GOX_IMPORT_PREFIXES). On Windows also Scoop (%SCOOP% or \
%USERPROFILE%\\scoop, and %SCOOP_GLOBAL% or %ProgramData%\\scoop: apps\\go\\*), and instead of \
/usr/local and Homebrew %ProgramFiles%\\Go, where the official MSI, winget and Chocolatey install Go, \
and %ProgramFiles(x86)%\\Go (the 386 MSI) (GOX_IMPORT_PREFIXES replaces them the same way). Given \
FROM directories (a GOROOT, or a directory of them), only those are searched. Finding nothing, \
gox lists every place it searched.\n\n\
Each tree is verified like a download: VERSION, every binary's format and CPU for one platform, the \
Go build info, and a complete tree (src/runtime, pkg/tool/<os>_<arch>). It then enters \
GOX_HOME/toolchains through the same staging directory and atomic rename as an install, with a \
receipt saying `source: import` and where it came from. Toolchains already installed are skipped; a \
tree for another CPU is registered under its own platform, never as this machine's; broken trees \
are refused with the reason. The old manager's pins (.go-version, .tool-versions) keep working.",
        after_help = "Examples:\n  gox import --dry-run          what would be imported, skipped or refused\n  \
gox import                    hard links (no extra disk space) where possible\n  \
gox import --move ~/old-gos   take the trees out of the old place\n  \
gox import --json             [{\"manager\",\"path\",\"version\",\"platform\",\"action\",\"reason\"}]\n\n\
Details: https://github.com/gox-dev/gox/blob/main/docs/migrate.md"
    )]
    Import(ImportArgs),
    /// Remove toolchains nothing uses (and, with --cache, downloads and GOCACHEs nothing needs)
    #[command(
        long_about = "Remove the toolchains nothing uses: kept are the global default, what every recorded \
project directory selects (GOX_HOME/projects: directories where you ran `gox use`, `gox install` \
without a version, or entered with the shell hook active), what the current directory selects, \
and toolchains a running process uses (those are refused, not forced). A selection keeps the \
version it resolves to on every installed platform.\n\n\
--cache also removes downloaded archives of toolchains that are not installed, partial downloads \
(`.part`) no running install is writing, the GOCACHE of platforms that have no toolchain left, and \
the Linux shims' recorded decisions (`shims/.plans`, made again by the next `go` in each directory). \
Prints what it removed and the bytes freed, and what it kept and why.",
        after_help = "Examples:\n  gox prune --dry-run\n  gox prune --cache"
    )]
    Prune(PruneArgs),
    /// Print the shell completion script for SHELL
    #[command(
        long_about = "Print the shell completion script for SHELL.\n\n\
The script registers gox as its own completer: on TAB the shell asks `gox` (which must be on \
PATH) for candidates, so installed versions (use, uninstall, exec) and the versions in the \
cached go.dev feed (install) are always current. Completion never touches the network.",
        after_help = "Examples:\n  gox completions bash > ~/.local/share/bash-completion/completions/gox\n  \
gox completions zsh > ~/.zfunc/_gox\n  gox completions fish > ~/.config/fish/completions/gox.fish\n\n\
See https://github.com/gox-dev/gox/blob/main/docs/completions.md for PowerShell and elvish."
    )]
    Completions(CompletionsArgs),
    /// Update or remove gox itself
    #[command(name = "self", subcommand)]
    SelfCmd(SelfCommand),
}

#[derive(Debug, Subcommand)]
pub enum SelfCommand {
    /// Update gox and gox-shim to the newest release, verified, and refresh the shims
    // `--version V` names the release to install, so this subcommand has no `--version`
    // flag of its own (`gox --version` still prints gox's).
    #[command(
        disable_version_flag = true,
        long_about = "Update gox and gox-shim to the newest release and refresh every shim.\n\n\
The release's manifest.json must carry a valid minisign signature from the key built into \
this gox; the archive for this machine's real CPU must match the SHA-256 in that signed \
manifest; the new binaries must be executables for this machine. Only then are they renamed \
over the installed ones. Any failure leaves the installed gox untouched. The man pages \
install.sh put beside the install dir (PREFIX/share/man/man1 for PREFIX/bin) are refreshed \
too. Releases come from GOX_UPDATE_BASE (default: the GitHub releases of gox-dev/gox).",
        after_help = "Examples:\n  gox self update\n  gox self update --check\n  \
gox self update --version 0.3.0   (also to downgrade on purpose)\n\nSee https://github.com/gox-dev/gox/blob/main/docs/self-update.md."
    )]
    Update(SelfUpdateArgs),
    /// Remove gox, gox-shim, the shims and the man pages (toolchains stay unless --all)
    #[command(
        after_help = "Examples:\n  gox self uninstall\n  gox self uninstall --yes\n  \
gox self uninstall --all --yes   (also GOX_HOME with every toolchain, and the cache)"
    )]
    Uninstall(SelfUninstallArgs),
}

#[derive(Debug, Args)]
pub struct SelfUpdateArgs {
    /// Only report whether a newer release exists
    #[arg(long)]
    pub check: bool,
    /// Install exactly this release (a downgrade too)
    // Checked by clap (exit 2, before any network access): V becomes part of a URL.
    #[arg(long, value_name = "V", value_parser = release_version)]
    pub version: Option<String>,
}

/// `self update --version V`: a release version (`0.3.0`, `v0.3.0`, `1.0.0-rc.10`), nothing
/// else; kept as the release it names (`0.3.0`).
fn release_version(value: &str) -> Result<String, String> {
    gox_installer::self_update::normalize_wanted(value).map_err(|e| e.to_string())
}

#[derive(Debug, Args)]
pub struct SelfUninstallArgs {
    /// Do not ask for confirmation (needed when not run from a terminal)
    #[arg(long, short)]
    pub yes: bool,
    /// Also remove what gox keeps in GOX_HOME (every toolchain, the GOPATHs, the module cache),
    /// its download cache and its ~/sdk links; other files there, and the directories holding
    /// them, stay
    #[arg(long)]
    pub all: bool,
}

#[derive(Debug, Args)]
pub struct InstallArgs {
    /// Versions to install: 1.22.10, 1.22 (newest 1.22.x), latest, unstable, 1.23rc1
    #[arg(value_name = "SPEC", add = ArgValueCandidates::new(completion::remote_versions))]
    pub specs: Vec<String>,
    /// Install for another platform (GOOS/GOARCH) instead of this machine's [default:
    /// GOX_PLATFORM when set]
    #[arg(long, value_name = "OS/ARCH")]
    pub platform: Option<String>,
    /// Install from a local archive instead of downloading
    #[arg(long, value_name = "FILE")]
    pub archive: Option<PathBuf>,
    /// The SHA-256 the archive must have (needed when the feed has none)
    #[arg(long, value_name = "HEX")]
    pub sha256: Option<String>,
    /// Reinstall even if already installed
    #[arg(long, short)]
    pub force: bool,
    /// Where toolchains come from: `feed` (go.dev's download feed and its mirrors),
    /// `proxy` (the module golang.org/toolchain through GOPROXY, verified by the checksum
    /// database GOSUMDB, as `go` itself does), `auto` (the feed; the proxy when the feed is
    /// unreachable and GOPROXY is not the default). Default: GOX_SOURCE, then the config's
    /// `source`, then `auto`
    #[arg(long = "source", value_name = "feed|proxy|auto", value_parser = gox_core::config::SOURCES)]
    pub toolchain_source: Option<String>,
    /// INSECURE, proxy source only: install even though the checksum database cannot vouch
    /// for the zip (GOSUMDB=off). Nothing then checks what the proxy served; the receipt
    /// records it
    #[arg(long)]
    pub insecure_skip_sumdb: bool,
    #[command(flatten)]
    pub source: SourceArgs,
}

impl InstallArgs {
    /// `gox install SPEC` as other commands (use, upgrade) run it: the host platform, the
    /// configured source, checksums from the feed.
    pub fn one(spec: String, source: SourceArgs) -> Self {
        Self {
            specs: vec![spec],
            platform: None,
            archive: None,
            sha256: None,
            force: false,
            toolchain_source: None,
            insecure_skip_sumdb: false,
            source,
        }
    }
}

/// `--mirror`: checked by clap (exit 2, before any network access), with the resolver's
/// reason (known presets, URL policy) as the message.
fn parse_mirror(value: &str) -> Result<MirrorList, String> {
    MirrorList::parse("--mirror", value).map_err(|e| match e {
        gox_resolver::ResolveError::Setting { reason, .. } => reason,
        other => other.to_string(),
    })
}

#[derive(Debug, Args)]
pub struct SourceArgs {
    /// Download from a mirror: go.dev, golang.google.cn, ustc, aliyun, or a base URL; a
    /// comma-separated list is tried in order (the next one when a mirror lacks the file or
    /// keeps failing transiently). Checksums still come from the go.dev feed. Beats
    /// GOX_DOWNLOAD_BASE, then GOX_MIRROR, then the config file's `mirror`
    #[arg(long, value_name = "NAME|URL[,…]", value_parser = parse_mirror)]
    pub mirror: Option<MirrorList>,
    /// Work from the cached feed only; never touch the network for it
    #[arg(long)]
    pub offline: bool,
    /// Fetch the feed again even if the cached copy is fresh
    #[arg(long, conflicts_with = "offline")]
    pub refresh: bool,
}

#[derive(Debug, Args)]
pub struct UninstallArgs {
    /// The installed version to remove (1.22.10, or 1.22 when exactly one 1.22.x is installed)
    #[arg(value_name = "SPEC", add = ArgValueCandidates::new(completion::installed_versions))]
    pub spec: String,
    /// The platform of the toolchain to remove (default: GOX_PLATFORM when set, else this
    /// machine's)
    #[arg(long, value_name = "OS/ARCH")]
    pub platform: Option<String>,
    /// Remove it even while running processes use it (they may then fail)
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Print JSON: [{"version","platform","path","active","problems"}]
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct LsRemoteArgs {
    /// Only versions matching this prefix or spec (1.22, 1.21.13, 1)
    #[arg(value_name = "PREFIX")]
    pub prefix: Option<String>,
    /// Include pre-releases (betas, release candidates)
    #[arg(long)]
    pub all: bool,
    /// Print JSON: [{"version","stable","platforms"}], newest first
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub source: SourceArgs,
}

#[derive(Debug, Args)]
pub struct UseArgs {
    /// The version to use: 1.22.10, 1.22, latest
    #[arg(value_name = "SPEC", add = ArgValueCandidates::new(completion::installed_versions))]
    pub spec: String,
    /// Set the global default (GOX_HOME/default) instead of writing ./.go-version
    #[arg(long, short)]
    pub global: bool,
    /// Do not install the version if it is missing
    #[arg(long)]
    pub no_install: bool,
    #[command(flatten)]
    pub source: SourceArgs,
}

#[derive(Debug, Args)]
pub struct CurrentArgs {
    /// Print JSON: {"version","platform","goroot","source":{"kind","path","line"}}
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct WhichArgs {
    /// The tool: go, gofmt, or goX.Y.Z (exactly that version's go, as the shim of that name runs)
    #[arg(value_name = "TOOL", default_value = "go")]
    pub tool: String,
}

#[derive(Debug, Args)]
pub struct ExecArgs {
    /// The installed version to run with (1.22.10, 1.22, latest)
    #[arg(value_name = "SPEC", add = ArgValueCandidates::new(completion::installed_versions))]
    pub spec: String,
    /// The command and its arguments
    #[arg(value_name = "CMD", last = true, required = true)]
    pub command: Vec<std::ffi::OsString>,
}

#[derive(Debug, Args)]
pub struct EnvArgs {
    /// Shell syntax to print (default: from $SHELL; without it bash, PowerShell on Windows)
    #[arg(long, value_name = "SHELL", value_parser = shell_names())]
    pub shell: Option<String>,
    /// Print JSON: {"GOROOT":…,"GOPATH":…,…,"PATH":…}
    #[arg(long, conflicts_with = "shell")]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct DoctorArgs {
    /// Print JSON: {"host":{"platform","translated","parent_translated"},"findings":[{"id","severity","message","fix"}]}
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct SetupArgs {
    /// Shell to print the PATH line for (default: from $SHELL; without it bash, PowerShell on Windows)
    #[arg(long, value_name = "SHELL", value_parser = shell_names())]
    pub shell: Option<String>,
    /// Also keep ~/sdk/goX.Y.Z links to the installed toolchains (golang.org/dl layout, listed
    /// by editors); recorded as `sdk_links = true` so installs and uninstalls keep them current
    #[arg(long)]
    pub sdk: bool,
    /// Windows: also put the shims, gox's own directory and GOPATH\bin (tools from
    /// `go install`) first in your user Path (HKEY_CURRENT_USER\Environment), which cmd.exe,
    /// PowerShell, Explorer and IDEs inherit; `gox self uninstall` takes them out
    #[arg(long)]
    pub user_path: bool,
}

#[derive(Debug, Args)]
pub struct ActivateArgs {
    /// The shell to print code for (default: from $SHELL; without it bash, PowerShell on Windows)
    #[arg(value_name = "SHELL", value_parser = shell_names())]
    pub shell: Option<String>,
}

#[derive(Debug, Args)]
pub struct HookEnvArgs {
    /// The shell syntax to print
    #[arg(long, value_name = "SHELL", value_parser = shell_names())]
    pub shell: String,
    /// Print the code that undoes everything the hook set (what `gox deactivate` runs)
    #[arg(long)]
    pub deactivate: bool,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to print the script for
    #[arg(value_name = "SHELL", value_enum)]
    pub shell: Shell,
}

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct ToolsArgs {
    #[command(subcommand)]
    pub action: Option<ToolsAction>,
    /// Print JSON: [{"name","path","module","version","go","platform","problems"}]
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum ToolsAction {
    /// Reinstall tools with `go install PACKAGE@VERSION`, natively, with the selected Go
    #[command(
        long_about = "Reinstall tools with `go install PACKAGE@VERSION` (the exact version from each \
tool's build info, or @latest with --latest), using the toolchain selected in this directory \
(or --go SPEC) for this machine's platform, into that platform's GOPATH/bin. Each tool is \
reported: ok, failed (with go's error), or skipped (not Go, or built from a local checkout: \
(devel)). Exit status 1 when any rebuild failed.",
        after_help = "Examples:\n  gox tools rebuild --wrong-arch\n  gox tools rebuild dlv\n  gox tools rebuild --all --latest --go 1.27"
    )]
    Rebuild(RebuildArgs),
}

#[derive(Debug, Args)]
#[command(group = clap::ArgGroup::new("which").required(true).args(["names", "wrong_arch", "all"]))]
pub struct RebuildArgs {
    /// Tools to rebuild, by file name (dlv, gopls)
    #[arg(value_name = "NAME")]
    pub names: Vec<String>,
    /// Rebuild every tool built for another platform than this machine's
    #[arg(long)]
    pub wrong_arch: bool,
    /// Rebuild every Go tool
    #[arg(long)]
    pub all: bool,
    /// Install @latest instead of the version the tool was built from
    #[arg(long)]
    pub latest: bool,
    /// Build with this installed Go (default: the one selected in this directory)
    #[arg(long, value_name = "SPEC", add = ArgValueCandidates::new(completion::installed_versions))]
    pub go: Option<String>,
}

#[derive(Debug, Args)]
pub struct OutdatedArgs {
    /// Print JSON: [{"line","installed","latest","supported"}]
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub source: SourceArgs,
}

#[derive(Debug, Args)]
pub struct UpgradeArgs {
    /// Release lines to upgrade (1.27); default: every installed line
    #[arg(value_name = "LINE")]
    pub lines: Vec<String>,
    /// Also rewrite exact pins of an older patch (1.27.2) in recorded projects' .go-version files
    #[arg(long)]
    pub pins: bool,
    /// Then remove the superseded patches that nothing uses any more (what `gox prune` would)
    #[arg(long)]
    pub prune: bool,
    #[command(flatten)]
    pub source: SourceArgs,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// Import only from these: a GOROOT, or a directory of GOROOTs (default: every known manager)
    #[arg(value_name = "FROM")]
    pub from: Vec<PathBuf>,
    /// Print what would be imported, skipped or refused, and do nothing
    #[arg(long, short = 'n')]
    pub dry_run: bool,
    /// Print JSON: [{"manager","path","version","platform","action":"import|skip|refuse","reason"}]
    #[arg(long)]
    pub json: bool,
    /// Hard-link the files (the default; copies where links are impossible)
    #[arg(long, conflicts_with_all = ["copy", "move_"])]
    pub link: bool,
    /// Copy the files (independent of the old manager's tree)
    #[arg(long, conflicts_with = "move_")]
    pub copy: bool,
    /// Take the trees away from the old manager (removed there once imported)
    #[arg(long = "move", id = "move_")]
    pub move_: bool,
}

#[derive(Debug, Args)]
pub struct PruneArgs {
    /// Print what would be removed and the bytes it would free, and remove nothing
    #[arg(long, short = 'n')]
    pub dry_run: bool,
    /// Also remove downloads of toolchains not installed, partial downloads no install is
    /// writing, and GOCACHEs of platforms without toolchains
    #[arg(long)]
    pub cache: bool,
}

#[derive(Debug, Subcommand)]
pub enum MirrorCommand {
    /// Fetch, verify and write toolchains into DIR for any web server or bucket to serve
    #[command(
        long_about = "Fetch and verify toolchains exactly as `gox install` does (SHA-256 from the feed, \
safe extraction, binary architecture checks), then write a static tree into DIR:\n\n\
  DIR/feed.json            go.dev feed shape, listing only the synced archives\n\
  DIR/go1.22.10.linux-amd64.tar.gz …\n\
  DIR/golang.org/toolchain/@v/{list,*.info,*.mod,*.zip}   with --goproxy\n\n\
Serve DIR and point gox at it with GOX_FEED_URL=https://host/DIR/feed.json and \
GOX_DOWNLOAD_BASE=https://host/DIR/ (file:// works too). With --goproxy, plain `go` switches \
toolchains through GOPROXY=https://host/DIR; the module zips hash to the same h1: as the \
official ones, so the Go checksum database still vouches for them.\n\n\
Re-running fetches only what is missing (files already in DIR are checked against the feed); \
every file appears by atomic rename, feed.json last. Without --prune, archives from earlier \
syncs stay listed. See https://github.com/gox-dev/gox/blob/main/docs/fleet.md for nginx and S3 setups.",
        after_help = "Examples:\n  gox mirror sync /srv/go --versions 1.22 1.23 --platforms linux/amd64 darwin/arm64\n  gox mirror sync ./mirror --versions latest --platforms linux/amd64,linux/arm64 --goproxy --prune"
    )]
    Sync(MirrorSyncArgs),
}

#[derive(Debug, Args)]
pub struct MirrorSyncArgs {
    /// The directory to write (created if missing)
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
    /// Versions to mirror: 1.22.10, 1.22 (newest 1.22.x), latest, 1.23rc1
    #[arg(long, value_name = "SPEC", num_args = 1.., value_delimiter = ',', required = true)]
    pub versions: Vec<String>,
    /// Platforms to mirror (GOOS/GOARCH)
    #[arg(long, value_name = "OS/ARCH", num_args = 1.., value_delimiter = ',', required = true)]
    pub platforms: Vec<String>,
    /// Also write the golang.org/toolchain module tree, so GOPROXY=<DIR's URL> serves plain `go`
    #[arg(long)]
    pub goproxy: bool,
    /// Remove archives and module versions not in this sync
    #[arg(long)]
    pub prune: bool,
    #[command(flatten)]
    pub source: SourceArgs,
}

/// `bash`, `zsh`, `fish`, `pwsh`; `powershell` is taken for `pwsh`, as `gox completions` takes it.
fn shell_names() -> clap::builder::PossibleValuesParser {
    use clap::builder::PossibleValue;
    clap::builder::PossibleValuesParser::new([
        PossibleValue::new("bash"),
        PossibleValue::new("zsh"),
        PossibleValue::new("fish"),
        PossibleValue::new("pwsh").alias("powershell"),
    ])
}
