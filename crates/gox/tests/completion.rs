//! The checked-in completion scripts in real shells: they load without error, and TAB
//! offers subcommands, installed versions (from a test GOX_HOME) and, for `install`, the
//! versions of the cached feed, by calling back into the real `gox` binary on PATH.
//!
//! bash, fish and zsh must be installed (CI installs them); elvish is tested when present
//! (and must be under .ci/run). PowerShell is not installable from the registries this
//! project uses: its script is covered by the staleness test in generated.rs and parsed by
//! tests/dist.rs (`install_ps1_parses_as_powershell`).

mod support;

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use gox_testkit::{FeedBuilder, MirrorBuilder};

struct World {
    root: tempfile::TempDir,
}

fn completions_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../completions")
}

fn script(name: &str) -> PathBuf {
    completions_dir().join(name)
}

fn describe(out: &Output) -> String {
    format!(
        "exit {:?}\n--- stdout\n{}\n--- stderr\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

impl World {
    /// A GOX_HOME with 1.22.10 (two platforms) and 1.21.13 installed, as far as
    /// `installed()` can tell (it reads directory names only), and an empty cache.
    fn new() -> Self {
        let root = tempfile::Builder::new()
            .prefix("gox-compl-")
            .tempdir()
            .unwrap();
        for dir in [
            "gox/toolchains/go1.22.10.linux-amd64",
            "gox/toolchains/go1.22.10.darwin-arm64",
            "gox/toolchains/go1.21.13.linux-amd64",
            "gox/toolchains/.staging-go1.23.0.linux-amd64-x",
            "cache",
            "user",
        ] {
            std::fs::create_dir_all(root.path().join(dir)).unwrap();
        }
        Self { root }
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.root.path().join(rel)
    }

    /// The binary's directory first on PATH: the scripts call plain `gox`.
    fn path_var() -> OsString {
        let bin_dir = Path::new(env!("CARGO_BIN_EXE_gox")).parent().unwrap();
        let mut dirs = vec![bin_dir.to_path_buf()];
        dirs.extend(std::env::split_paths(
            &std::env::var_os("PATH").unwrap_or_default(),
        ));
        std::env::join_paths(dirs).unwrap()
    }

    /// `program` in a hermetic environment pointing at this world.
    fn shell(&self, program: &str) -> Command {
        let mut cmd = Command::new(program);
        cmd.env_clear()
            .env("HOME", self.path("user"))
            .env("XDG_CONFIG_HOME", self.path("user/.config"))
            .env("XDG_DATA_HOME", self.path("user/.local/share"))
            .env("PATH", Self::path_var())
            .env("TERM", "dumb")
            .env("GOX_HOME", self.path("gox"))
            .env("GOX_CACHE_DIR", self.path("cache"))
            .env("GOX_CONFIG", self.path("config.toml"))
            .current_dir(self.root.path());
        cmd
    }

    fn run(&self, mut cmd: Command) -> String {
        let out = cmd
            .output()
            .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
        assert!(out.status.success(), "{cmd:?}: {}", describe(&out));
        assert!(
            out.stderr.is_empty(),
            "{cmd:?} wrote to stderr: {}",
            describe(&out)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    /// COMPREPLY after bash's completion function for `line` (completing its last word).
    fn bash(&self, line: &str) -> Vec<String> {
        let mut words: Vec<&str> = line.split(' ').collect();
        let current = words.pop().unwrap();
        let previous = words.last().copied().unwrap_or("");
        let mut cmd = self.shell("bash");
        cmd.args(["--norc", "--noprofile", "-c"])
            .arg(
                r#"source "$1" || exit 9
                   shift
                   COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}; COMP_TYPE=9
                   COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 ))
                   _clap_complete_gox gox "${@: -1}" "$PREV"
                   printf '%s\n' "${COMPREPLY[@]}""#,
            )
            .arg("bash")
            .arg(script("gox.bash"))
            .args(&words)
            .arg(current)
            .env("PREV", previous);
        lines(&self.run(cmd))
    }

    /// `complete -C LINE` in fish: candidate values (descriptions cut off).
    fn fish(&self, line: &str) -> Vec<String> {
        let (values, _) = self.fish_with_help(line);
        values
    }

    fn fish_with_help(&self, line: &str) -> (Vec<String>, Vec<String>) {
        let mut cmd = self.shell("fish");
        cmd.args([
            "--no-config",
            "-c",
            r#"source $argv[1]; and complete -C $argv[2]"#,
        ])
        .arg(script("gox.fish"))
        .arg(line);
        let out = self.run(cmd);
        lines(&out)
            .into_iter()
            .map(|l| match l.split_once('\t') {
                Some((v, h)) => (v.to_string(), h.to_string()),
                None => (l, String::new()),
            })
            .unzip()
    }

    /// What an interactive zsh offers on TAB after `line`, with `_gox` autoloaded from
    /// `$fpath` by compinit (the installation the docs describe), captured through zpty.
    fn zsh(&self, line: &str) -> Vec<String> {
        let dir = self.path("zsh");
        let fpath = dir.join("functions");
        std::fs::create_dir_all(&fpath).unwrap();
        std::fs::copy(script("_gox"), fpath.join("_gox")).unwrap();
        std::fs::write(dir.join("setup.zsh"), ZSH_SETUP).unwrap();
        std::fs::write(dir.join("driver.zsh"), ZSH_DRIVER).unwrap();
        let mut cmd = self.shell("zsh");
        cmd.arg("-f")
            .arg(dir.join("driver.zsh"))
            .arg(dir.join("setup.zsh"))
            .arg(line)
            .env("GOX_TEST_FPATH", &fpath)
            .env("GOX_TEST_ZDOT", &dir);
        lines(&self.run(cmd))
    }
}

fn lines(s: &str) -> Vec<String> {
    s.lines()
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

fn versions(candidates: &[String]) -> Vec<&str> {
    candidates
        .iter()
        .map(String::as_str)
        .filter(|c| c.starts_with(|ch: char| ch.is_ascii_digit()) || *c == "latest")
        .collect()
}

/// Runs in the interactive zsh inside the pty: compinit with our fpath, TAB bound to
/// completion, and `compadd` wrapped to print every match it is asked to add.
const ZSH_SETUP: &str = r#"PROMPT='' RPROMPT='' PS2=''
unset zle_bracketed_paste
fpath=("$GOX_TEST_FPATH" $fpath)
autoload -U compinit; compinit -u -d "$GOX_TEST_ZDOT/zcompdump"
bindkey '^I' complete-word
__gox_done() { print -r -- '<<END>>'; exit }
comppostfuncs=(__gox_done)
compadd() {
  if [[ ${@[1,(i)(-|--)]} == *-(O|A|D)\ * ]]; then builtin compadd "$@"; return; fi
  local -a __hits
  builtin compadd -O __hits "$@"
  (( $#__hits )) && print -rl -- '' "${__hits[@]/#/MATCH:}"
  builtin compadd "$@"
}
print -r -- '<<READY>>'
"#;

/// `zsh -f driver.zsh SETUP LINE`: starts an interactive zsh in a pty, sources SETUP,
/// types LINE and TAB, prints the captured matches.
/// Gives up after 20 s instead of hanging the test when the shell never answers.
const ZSH_DRIVER: &str = r#"zmodload zsh/zpty || exit 2
local out=''
wait_for() {
  local chunk
  integer i
  for (( i = 0; i < 400; i++ )); do
    while zpty -r -t z chunk; do out+=$chunk; done
    [[ $out == *"$1"* ]] && return 0
    sleep 0.05
  done
  print -r -- "no $1 from zsh; it printed: $out" >&2
  return 1
}
zpty z zsh -f -i
zpty -w z "source ${(q)1}"
wait_for '<<READY>>' || exit 3
out=''
zpty -n -w z "$2"$'\t'
wait_for '<<END>>' || exit 4
zpty -d z
print -r -- "$out" | tr -d '\r' | sed -n 's/^MATCH://p'
"#;

#[test]
fn bash_loads_and_completes_subcommands_and_installed_versions() {
    let w = World::new();
    let mut cmd = w.shell("bash");
    cmd.args([
        "--norc",
        "--noprofile",
        "-c",
        r#"source "$1" && complete -p gox"#,
    ])
    .arg("bash")
    .arg(script("gox.bash"));
    let registered = w.run(cmd);
    assert!(
        registered.contains("-F _clap_complete_gox gox"),
        "{registered}"
    );

    let subcommands = w.bash("gox ");
    for sub in [
        "install",
        "uninstall",
        "use",
        "exec",
        "ls-remote",
        "completions",
    ] {
        assert!(
            subcommands.iter().any(|s| s == sub),
            "{sub}: {subcommands:?}"
        );
    }
    assert_eq!(w.bash("gox ins"), ["install"]);
    assert_eq!(versions(&w.bash("gox use ")), ["1.22.10", "1.21.13"]);
    assert_eq!(w.bash("gox uninstall 1.21"), ["1.21.13"]);
    assert_eq!(w.bash("gox exec 1.22"), ["1.22.10"]);
    assert_eq!(
        w.bash("gox --quiet use --global 1.2"),
        ["1.22.10", "1.21.13"]
    );
    assert_eq!(w.bash("gox completions z"), ["zsh"]);
}

#[test]
fn fish_loads_and_completes_subcommands_and_installed_versions() {
    let w = World::new();
    let (values, help) = w.fish_with_help("gox use ");
    assert_eq!(versions(&values), ["1.22.10", "1.21.13"]);
    assert_eq!(help[0], "installed (darwin/arm64, linux/amd64)");
    assert_eq!(w.fish("gox ins"), ["install"]);
    assert_eq!(w.fish("gox uninstall 1.21"), ["1.21.13"]);
    assert_eq!(versions(&w.fish("gox exec ")), ["1.22.10", "1.21.13"]);
    assert!(w.fish("gox ").iter().any(|s| s == "ls-remote"));
}

#[test]
fn zsh_loads_the_script_sourced_after_compinit() {
    let w = World::new();
    let mut cmd = w.shell("zsh");
    cmd.args([
        "-f",
        "-c",
        r#"autoload -U compinit && compinit -u -d "$2" && source "$1" && print -r -- $_comps[gox]"#,
        "zsh",
    ])
    .arg(script("_gox"))
    .arg(w.path("zcompdump"));
    assert_eq!(w.run(cmd).trim(), "_clap_dynamic_completer_gox");
}

#[test]
fn zsh_completes_on_the_first_tab_when_autoloaded_from_fpath() {
    let w = World::new();
    assert_eq!(w.zsh("gox ins"), ["install"]);
    assert_eq!(versions(&w.zsh("gox use ")), ["1.22.10", "1.21.13"]);
    assert_eq!(w.zsh("gox uninstall 1.21"), ["1.21.13"]);
}

#[test]
fn elvish_script_evaluates_and_completes_when_elvish_is_installed() {
    let w = World::new();
    let probe = w.shell("elvish").arg("-version").output();
    if !probe.is_ok_and(|o| o.status.success()) {
        support::skip_for_missing_tool("elvish is not installed (apt-get install elvish)");
        return;
    }
    // `edit:` exists only in an interactive elvish: evaluate the script against a plain map
    // instead and call the completer it registers, as the line editor would.
    let body = std::fs::read_to_string(script("gox.elv"))
        .unwrap()
        .replace("edit:completion:arg-completer", "completers");
    let file = w.path("test.elv");
    std::fs::write(
        &file,
        format!(
            "var completers = [&]\n{body}\n$completers[gox] gox use ''\n$completers[gox] gox ins\n"
        ),
    )
    .unwrap();
    let mut cmd = w.shell("elvish");
    cmd.arg("-norc").arg(&file);
    let out = lines(&w.run(cmd));
    assert_eq!(versions(&out), ["1.22.10", "1.21.13"]);
    assert!(out.iter().any(|l| l == "install"), "{out:?}");
}

/// `gox install <TAB>` offers the versions of the cached feed: filled once by a real
/// `gox ls-remote` against a loopback mirror, then read with the mirror idle (no request
/// seen) and gone.
#[test]
fn install_completes_remote_versions_from_the_cached_feed_only() {
    let w = World::new();
    let feed = FeedBuilder::new()
        .release("1.23rc1", false)
        .archive(
            "1.23rc1",
            "linux",
            "amd64",
            "go1.23rc1.linux-amd64.tar.gz",
            "aa",
            1,
        )
        .archive(
            "1.22.10",
            "linux",
            "amd64",
            "go1.22.10.linux-amd64.tar.gz",
            "bb",
            1,
        )
        .archive(
            "1.21.13",
            "linux",
            "amd64",
            "go1.21.13.linux-amd64.tar.gz",
            "cc",
            1,
        )
        .archive(
            "1.21.12",
            "linux",
            "amd64",
            "go1.21.12.linux-amd64.tar.gz",
            "dd",
            1,
        )
        .to_json();
    let server = MirrorBuilder::new().feed(feed).start();
    let feed_url = server.feed_url();
    let mut ls_remote = Command::new(env!("CARGO_BIN_EXE_gox"));
    ls_remote
        .args(["ls-remote", "--all"])
        .env_clear()
        .env("HOME", w.path("user"))
        .env("GOX_HOME", w.path("gox"))
        .env("GOX_CACHE_DIR", w.path("cache"))
        .env("GOX_CONFIG", w.path("config.toml"))
        .env("GOX_FEED_URL", &feed_url)
        .env("GOX_DEBUG_HOST", "linux/amd64");
    let out = ls_remote.output().unwrap();
    assert!(out.status.success(), "{}", describe(&out));
    assert!(w.path("cache/feed.json").is_file());
    server.clear_requests();

    let want = ["latest", "1.23rc1", "1.22.10", "1.21.13", "1.21.12"];
    let fish = |line: &str| {
        let mut cmd = w.shell("fish");
        cmd.env("GOX_FEED_URL", &feed_url)
            .args([
                "--no-config",
                "-c",
                r#"source $argv[1]; and complete -C $argv[2]"#,
            ])
            .arg(script("gox.fish"))
            .arg(line);
        lines(&w.run(cmd))
    };
    let with_help = fish("gox install ");
    assert_eq!(
        versions(
            &with_help
                .iter()
                .map(|l| l.split('\t').next().unwrap().to_string())
                .collect::<Vec<_>>()
        ),
        want
    );
    assert!(
        with_help.contains(&"1.23rc1\tpre-release".to_string()),
        "{with_help:?}"
    );
    assert!(
        with_help.contains(&"1.22.10\tstable, installed".to_string()),
        "{with_help:?}"
    );
    assert!(
        with_help.contains(&"1.21.12\tstable".to_string()),
        "{with_help:?}"
    );
    assert_eq!(
        server.requests().len(),
        0,
        "completion touched the mirror: {:?}",
        server.requests()
    );

    drop(server);
    assert_eq!(versions(&w.bash("gox install ")), want);
    assert_eq!(w.bash("gox install 1.22.10 1.21"), ["1.21.13", "1.21.12"]);
    // zsh's _describe groups candidates by description, so only the set is comparable.
    let mut zsh = w.zsh("gox install 1.2");
    zsh.sort();
    assert_eq!(zsh, ["1.21.12", "1.21.13", "1.22.10", "1.23rc1"]);
}

/// No usable GOX_HOME (no HOME at all, or a relative GOX_HOME) and no cached feed: no
/// version candidates, no error, nothing on stderr; subcommands and flags still complete.
#[test]
fn without_a_home_or_a_feed_completion_offers_no_versions_quietly() {
    let w = World::new();
    for (line, vars) in [
        (vec!["gox", "use", ""], vec![]),
        (vec!["gox", "install", ""], vec![]),
        (vec!["gox", "use", ""], vec![("GOX_HOME", "relative/home")]),
        (
            vec!["gox", "install", ""],
            vec![("HOME", "/nonexistent/home")],
        ),
    ] {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_gox"));
        cmd.env_clear()
            .env("COMPLETE", "fish")
            .arg("--")
            .args(&line)
            .envs(vars.iter().copied())
            .current_dir(w.root.path());
        let out = w.run(cmd);
        let got = lines(&out);
        assert_eq!(
            versions(&got),
            Vec::<&str>::new(),
            "{line:?} {vars:?}: {out}"
        );
        assert!(got.iter().any(|l| l.starts_with("--help")), "{out}");
    }
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_gox"));
    cmd.env_clear()
        .env("COMPLETE", "fish")
        .args(["--", "gox", "ls"]);
    assert!(w.run(cmd).contains("ls-remote"));
}

/// Only `gox` alone or `gox -- WORDS` is a completion request: any other command line that
/// inherited COMPLETE (the activate hook's `gox hook-env`, run by the `gox` shell function
/// inside a completion) runs normally.
#[test]
fn an_inherited_complete_variable_does_not_hijack_normal_commands() {
    let w = World::new();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_gox"));
    cmd.env_clear()
        .env("COMPLETE", "bash")
        .args(["completions", "fish"]);
    assert_eq!(
        w.run(cmd),
        std::fs::read_to_string(script("gox.fish")).unwrap()
    );
}

/// In a shell where `gox activate` made `gox` a function, the completion script's call
/// back into `gox` goes through that function and still completes.
#[test]
fn bash_completes_in_an_activated_shell() {
    let w = World::new();
    let mut cmd = w.shell("bash");
    cmd.args(["--norc", "--noprofile", "-c"])
        .arg(
            r#"eval "$(gox activate bash)" || exit 8
               [[ $(type -t gox) == function ]] || exit 9
               source "$1" || exit 10
               COMP_WORDS=(gox use ""); COMP_CWORD=2; COMP_LINE="gox use "; COMP_POINT=8
               _clap_complete_gox gox "" use
               printf '%s\n' "${COMPREPLY[@]}""#,
        )
        .arg("bash")
        .arg(script("gox.bash"));
    let activated = lines(&w.run(cmd));
    assert_eq!(versions(&activated), ["1.22.10", "1.21.13"]);
    assert_eq!(
        activated,
        w.bash("gox use "),
        "the hook leaked into the candidates"
    );
}
