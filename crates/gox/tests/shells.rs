//! Shell integration, as users meet it: `gox activate` loaded by real interactive bash,
//! zsh and fish (driven through tmux), `cd` between projects pinned to real toolchains,
//! PATH edits made by hand, `gox deactivate`; and `gox hook-env`'s contract (silent when
//! nothing changed, never downloads, warns once, never breaks the prompt), checked through
//! scripted bash. PowerShell cannot be installed from the registries these machines reach,
//! so its script is covered by snapshot only.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use support::{World, describe, stderr, stdout};

const GOX: &str = env!("CARGO_BIN_EXE_gox");
const SHELLS: [&str; 4] = ["bash", "zsh", "fish", "pwsh"];

/// The PATH of the test process without any directory holding a `go`: the point of the
/// hook is that *it* puts Go on PATH.
fn clean_path() -> String {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let dirs: Vec<PathBuf> = std::env::split_paths(&path)
        .filter(|dir| !dir.join("go").exists() && !dir.as_os_str().is_empty())
        .collect();
    std::env::join_paths(dirs)
        .expect("PATH")
        .to_string_lossy()
        .into_owned()
}

/// The world every scenario uses: projects `a` (1.21.13) and `b` (1.22.10) with real
/// toolchains, and a global default of 1.22.10 for everything else.
fn projects() -> World {
    let w = World::new();
    w.with_toolchain("1.22.10", "linux/amd64")
        .with_toolchain("1.21.13", "linux/amd64");
    w.write("a/.go-version", "1.21.13\n");
    w.write("b/.go-version", "1.22.10\n");
    w.ok(["use", "--global", "--no-install", "1.22.10"]);
    w
}

/// Replaces the machine-specific parts of generated code with placeholders.
fn redact(text: &str, w: Option<&World>) -> String {
    let mut text = text.to_owned();
    let gox = Path::new(GOX);
    if let Ok(real) = gox.canonicalize() {
        text = text.replace(&*real.to_string_lossy(), "/path/to/gox");
    }
    text = text.replace(GOX, "/path/to/gox");
    if let Some(w) = w {
        text = text.replace(&*w.root.path().to_string_lossy(), "[ROOT]");
    }
    // The fingerprint covers inodes and modification times.
    let mut out = String::new();
    let mut rest = text.as_str();
    while let Some(at) = rest.find(";f=") {
        out.push_str(&rest[..at + 3]);
        rest = &rest[at + 3..];
        let end = rest
            .find(|c: char| !c.is_ascii_hexdigit())
            .unwrap_or(rest.len());
        out.push_str("[FINGERPRINT]");
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

#[test]
fn activate_prints_each_shells_init_code() {
    let w = World::new();
    for shell in SHELLS {
        let script = w.ok(["activate", shell]);
        assert!(
            script.contains(&format!("'{GOX}' hook-env --shell {shell}"))
                || Path::new(GOX)
                    .canonicalize()
                    .is_ok_and(|real| script.contains(&*real.to_string_lossy())),
            "{shell}: the hook calls gox by absolute path:\n{script}"
        );
        insta::assert_snapshot!(format!("activate_{shell}"), redact(&script, None));
    }
    // `powershell` is `pwsh`, as for `gox completions`.
    assert_eq!(w.ok(["activate", "powershell"]), w.ok(["activate", "pwsh"]));
    let out = w.run(["env", "--shell", "powershell", "--json"]);
    assert!(
        !stderr(&out).contains("invalid value"),
        "{}",
        describe(&out)
    );
    // Without a name, the login shell decides.
    let out = w
        .gox()
        .env("SHELL", "/usr/bin/fish")
        .arg("activate")
        .output()
        .unwrap();
    assert!(
        stdout(&out).contains("--on-variable PWD"),
        "{}",
        describe(&out)
    );
    let out = w.run(["activate", "tcsh"]);
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
}

/// Runs a bash script in `projects/` with the world's environment and a Go-free PATH, the
/// activation code loaded (`gox activate bash`), and `hook` defined as "run the hook the
/// prompt would run". Non-interactive: the script calls `hook` where a prompt would be.
fn bash(w: &World, script: &str) -> Output {
    let mut cmd = Command::new("bash");
    w.apply_env(&mut cmd);
    cmd.env("PATH", clean_path())
        .env("GOPATH", "/user/gopath")
        .current_dir(w.projects())
        .arg("-c")
        .arg(format!(
            "set -u\neval \"$('{GOX}' activate bash)\"\nhook() {{ __gox_hook; }}\n{script}"
        ));
    cmd.output().expect("run bash")
}

fn lines(out: &Output) -> Vec<String> {
    stdout(out).lines().map(str::to_owned).collect()
}

#[test]
fn hook_follows_cd_restores_the_outer_environment_and_keeps_user_path_edits() {
    let w = projects();
    let out = bash(
        &w,
        r#"
        echo "outer $(go version | cut -d' ' -f3) $GOPATH"
        cd a; hook; echo "a $(go version | cut -d' ' -f3)"
        export PATH=/opt/user-added:$PATH
        cd ../b; hook; echo "b $(go version | cut -d' ' -f3)"
        echo "path $PATH"
        cd ..; hook; echo "outer $(go version | cut -d' ' -f3) $GOROOT"
        rm "$GOX_HOME/default"; hook
        echo "none $(command -v go || echo no-go) [${GOROOT-}] $GOPATH"
        echo "path $PATH"
        "#,
    );
    assert!(out.status.success(), "{}", describe(&out));
    let l = lines(&out);
    let gopath = w.home().join("gopath/linux-amd64");
    assert_eq!(l[0], format!("outer go1.22.10 {}", gopath.display()));
    assert_eq!(l[1], "a go1.21.13");
    assert_eq!(l[2], "b go1.22.10");
    assert!(l[3].contains(":/opt/user-added:"), "{}", l[3]);
    assert!(
        !l[3].contains("go1.21.13"),
        "stale toolchain on PATH: {}",
        l[3]
    );
    assert_eq!(
        l[4],
        format!(
            "outer go1.22.10 {}",
            w.goroot("1.22.10", "linux/amd64").display()
        )
    );
    // No default any more: the outer environment, exactly.
    assert_eq!(l[5], "none no-go [] /user/gopath");
    assert_eq!(l[6], format!("path /opt/user-added:{}", clean_path()));
    assert_eq!(stderr(&out), "", "no warnings");
}

#[test]
fn hook_env_prints_nothing_when_nothing_changed() {
    let w = projects();
    let out = bash(
        &w,
        r#"
        cd a; hook
        printf '[%s]\n' "$('/GOX' hook-env --shell bash)"
        touch .go-version
        printf '[%s]\n' "$('/GOX' hook-env --shell bash | cut -d= -f1)"
        hook
        mkdir -p deeper/still; cd deeper/still
        printf '[%s]\n' "$('/GOX' hook-env --shell bash | cut -d= -f1)"
        hook
        printf '[%s]\n' "$('/GOX' hook-env --shell bash)"
        GOX_VERSION=1.22.10 '/GOX' hook-env --shell bash | cut -d= -f1
        "#
        .replace("/GOX", GOX)
        .as_str(),
    );
    assert!(out.status.success(), "{}", describe(&out));
    assert_eq!(
        lines(&out),
        [
            "[]",
            // The pin file was touched: same answer, only the state moves.
            "[export __GOX_STATE]",
            // A subdirectory: another fingerprint, same toolchain.
            "[export __GOX_STATE]",
            "[]",
            "export GOROOT",
            "export PATH",
            "export __GOX_STATE",
        ]
    );
}

#[test]
fn a_user_path_reset_puts_go_back_at_the_next_prompt() {
    let w = projects();
    let out = bash(
        &w,
        r#"
        cd a; hook
        export PATH=/usr/bin:/bin
        hook; go version | cut -d' ' -f3
        "#,
    );
    assert!(out.status.success(), "{}", describe(&out));
    assert_eq!(lines(&out), ["go1.21.13"]);
}

#[test]
fn hook_env_output_for_a_project() {
    let w = projects();
    // From the outer directory (default 1.22.10, GOPATH preset) into project a.
    let out = bash(
        &w,
        &format!(
            "export PATH=/opt/user-added:/usr/bin:/bin\ncd a\n'{GOX}' hook-env --shell bash\n'{GOX}' hook-env --shell fish\n"
        ),
    );
    assert!(out.status.success(), "{}", describe(&out));
    insta::assert_snapshot!("hook_env_into_project", redact(&stdout(&out), Some(&w)));
}

#[test]
fn a_missing_version_warns_once_and_never_downloads() {
    let w = projects();
    w.write("new/.go-version", "1.23.4\n");
    w.write("new/sub/main.go", "package main\n");
    let out = bash(
        &w,
        r#"
        cd new; hook; echo "1 [${GOROOT-}] $(command -v go || echo no-go)"
        hook
        touch .go-version; hook
        cd sub; hook; echo 2
        cd ../../a; hook; echo "3 $(go version | cut -d' ' -f3)"
        cd ../new; hook; echo 4
        "#,
    );
    assert!(out.status.success(), "{}", describe(&out));
    assert_eq!(lines(&out), ["1 [] no-go", "2", "3 go1.21.13", "4"]);
    let warning = format!(
        "gox: Go 1.23.4 is selected by {}:1 but not installed; run: gox install 1.23.4",
        w.projects().join("new/.go-version").display()
    );
    // Once on entering, not on later prompts, a touched file or a subdirectory; again
    // after coming back from another project.
    assert_eq!(stderr(&out), format!("{warning}\n{warning}\n"));
    assert!(w.server.requests().is_empty(), "{:?}", w.server.requests());
    assert_eq!(w.installed_dirs().len(), 2);
}

#[test]
fn a_broken_version_file_is_a_one_line_warning_not_a_broken_prompt() {
    let w = projects();
    w.write("broken/.go-version", "one point twenty-two\n");
    let out = bash(
        &w,
        r#"
        cd a; hook; echo "a $GOROOT"
        cd ../broken; hook; echo "broken status=$? [${GOROOT-}] $GOPATH"
        "#,
    );
    assert!(out.status.success(), "{}", describe(&out));
    let l = lines(&out);
    assert!(l[0].ends_with("go1.21.13.linux-amd64"), "{l:?}");
    assert_eq!(l[1], "broken status=0 [] /user/gopath");
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.starts_with("gox: warning: "), "{err}");
    assert!(err.contains("broken/.go-version:1"), "{err}");

    // hook-env itself exits 0.
    let out = w
        .gox()
        .current_dir(w.projects().join("broken"))
        .args(["hook-env", "--shell", "zsh"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
}

#[test]
fn deactivate_restores_everything_and_the_binary_alone_explains() {
    let w = projects();
    let out = bash(
        &w,
        r#"
        PROMPT_COMMAND='user_prompt'
        eval "$('/GOX' activate bash)"
        before=$PROMPT_COMMAND
        cd a; hook
        gox deactivate
        echo "[$before] [$PROMPT_COMMAND] [${GOROOT-}] [$GOPATH] [${__GOX_STATE-}] $(command -v go || echo no-go)"
        echo "$PATH"
        type -t gox __gox_hook || echo functions-gone
        "#
        .replace("/GOX", GOX)
        .as_str(),
    );
    assert!(out.status.success(), "{}", describe(&out));
    let l = lines(&out);
    assert_eq!(
        l[0],
        "[__gox_hook;user_prompt] [user_prompt] [] [/user/gopath] [] no-go"
    );
    assert_eq!(l[1], clean_path());
    assert_eq!(l[2], "functions-gone");

    let out = w.run(["deactivate"]);
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    assert!(stderr(&out).contains("not active"), "{}", describe(&out));
    let out = w
        .gox()
        .env("__GOX_STATE", "1;f=00")
        .arg("deactivate")
        .output()
        .unwrap();
    assert!(
        stderr(&out).contains("hook-env --shell bash --deactivate"),
        "{}",
        describe(&out)
    );
}

#[test]
fn the_gox_function_runs_the_hook_after_each_command() {
    let w = projects();
    let out = bash(
        &w,
        r#"
        mkdir -p c; cd c; hook
        gox use --no-install 1.21.13 2>/dev/null && go version | cut -d' ' -f3
        gox list >/dev/null; echo "status $?"
        gox nonsense 2>/dev/null; echo "status $?"
        "#,
    );
    assert!(out.status.success(), "{}", describe(&out));
    assert_eq!(lines(&out), ["go1.21.13", "status 0", "status 2"]);
}

// ---------------------------------------------------------------------------------------
// Real interactive shells in tmux.

/// One interactive shell in its own tmux server; the server dies with this value.
struct Session {
    socket: PathBuf,
    /// Where commands leave their output.
    out: PathBuf,
    next: std::cell::Cell<u32>,
}

impl Session {
    /// Starts `shell` interactively with a home whose rc file activates gox, and waits
    /// until the rc file has run.
    fn start(w: &World, shell: &str) -> Session {
        let home = w.root.path().join(format!("{shell}-home"));
        let out = w.root.path().join(format!("{shell}-out"));
        std::fs::create_dir_all(&out).unwrap();
        let ready = out.join("ready");
        let activate = |line: &str| format!("{line}\ntouch '{}'\n", ready.display());
        let (rc, argv): (PathBuf, Vec<String>) = match shell {
            "bash" => (
                home.join(".bashrc"),
                vec![
                    "bash".into(),
                    "--noprofile".into(),
                    "--rcfile".into(),
                    home.join(".bashrc").display().to_string(),
                    "-i".into(),
                ],
            ),
            "zsh" => (home.join(".zshrc"), vec!["zsh".into(), "-i".into()]),
            "fish" => (
                home.join(".config/fish/config.fish"),
                vec!["fish".into(), "-i".into()],
            ),
            other => panic!("no interactive test for {other}"),
        };
        let rc_text = match shell {
            "fish" => activate(&format!(
                "set -g fish_greeting ''\nfunction fish_prompt; echo '$ '; end\n\
                 set -gx GOPATH /user/gopath\n'{GOX}' activate fish | source"
            )),
            _ => activate(&format!(
                "PS1='$ '\nHISTFILE=/dev/null\nexport GOPATH=/user/gopath\n\
                 PROMPT_COMMAND='user_prompts=$((${{user_prompts:-0}}+1))'\n\
                 eval \"$('{GOX}' activate {shell})\""
            )),
        };
        std::fs::create_dir_all(rc.parent().unwrap()).unwrap();
        std::fs::write(&rc, rc_text).unwrap();

        let session = Session {
            socket: w.root.path().join(format!("tmux-{shell}.sock")),
            out,
            next: std::cell::Cell::new(0),
        };
        // The shell gets exactly this environment: the world's, a Go-free PATH, its home.
        let mut env: Vec<(String, String)> = vec![
            ("HOME".into(), home.display().to_string()),
            ("ZDOTDIR".into(), home.display().to_string()),
            (
                "XDG_CONFIG_HOME".into(),
                home.join(".config").display().to_string(),
            ),
            (
                "XDG_DATA_HOME".into(),
                home.join(".local/share").display().to_string(),
            ),
            ("PATH".into(), clean_path()),
            ("TERM".into(), "xterm-256color".into()),
            ("GOX_HOME".into(), w.home().display().to_string()),
            ("GOX_CACHE_DIR".into(), w.cache().display().to_string()),
            (
                "GOX_CONFIG".into(),
                w.root.path().join("config.toml").display().to_string(),
            ),
            ("GOX_FEED_URL".into(), w.server.feed_url()),
            ("GOX_DOWNLOAD_BASE".into(), w.server.download_base()),
            ("GOX_DEBUG_HOST".into(), w.host.clone()),
        ];
        env.push(("SHELL".into(), argv[0].clone()));
        let mut command = vec!["env".to_string(), "-i".to_string()];
        command.extend(env.iter().map(|(k, v)| format!("{k}={v}")));
        command.extend(argv);
        let status = Command::new("tmux")
            .arg("-S")
            .arg(&session.socket)
            .args([
                "-f",
                "/dev/null",
                "new-session",
                "-d",
                "-x",
                "200",
                "-y",
                "50",
            ])
            .arg("-c")
            .arg(w.projects())
            .args(command)
            .env_clear()
            .env("PATH", clean_path())
            .status()
            .expect("run tmux");
        assert!(status.success(), "tmux new-session failed");
        session.wait_for(&ready, "the rc file to run");
        session
    }

    fn tmux(&self) -> Command {
        let mut cmd = Command::new("tmux");
        cmd.arg("-S").arg(&self.socket);
        cmd
    }

    /// Types `line` and Enter.
    fn type_line(&self, line: &str) {
        let ok = self
            .tmux()
            .args(["send-keys", "-t", "0", "-l", line])
            .status()
            .is_ok_and(|s| s.success())
            && self
                .tmux()
                .args(["send-keys", "-t", "0", "Enter"])
                .status()
                .is_ok_and(|s| s.success());
        assert!(ok, "tmux send-keys failed");
    }

    /// Types `command` (redirected to a file) at the prompt and returns what it printed.
    fn run(&self, command: &str) -> String {
        let n = self.next.get() + 1;
        self.next.set(n);
        let done = self.out.join(n.to_string());
        let tmp = self.out.join(format!("{n}.tmp"));
        self.type_line(&format!(
            "{command} > '{}' 2>&1; mv '{}' '{}'",
            tmp.display(),
            tmp.display(),
            done.display()
        ));
        self.wait_for(&done, command);
        std::fs::read_to_string(&done)
            .unwrap()
            .trim_end()
            .to_owned()
    }

    fn wait_for(&self, file: &Path, what: &str) {
        let start = Instant::now();
        while !file.exists() {
            if start.elapsed() > Duration::from_secs(20) {
                let pane = self
                    .tmux()
                    .args(["capture-pane", "-p", "-t", "0"])
                    .output()
                    .map(|o| stdout(&o))
                    .unwrap_or_default();
                panic!("timed out waiting for {what}; the screen:\n{pane}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        let _ = self.tmux().arg("kill-server").output();
    }
}

/// The same story in each shell: the default outside projects, each project's pin inside,
/// a PATH edit that survives, the outer environment back on leaving, and deactivate.
fn interactive(shell: &str) {
    let w = projects();
    let s = Session::start(&w, shell);
    let fish = shell == "fish";
    let version = |s: &Session| s.run("go version");
    let path = |s: &Session| {
        s.run(if fish {
            "string join : $PATH"
        } else {
            "echo $PATH"
        })
    };
    let goroot = |v: &str| w.goroot(v, "linux/amd64").display().to_string();

    assert!(
        version(&s).contains("go1.22.10 linux/amd64"),
        "outer default"
    );
    s.type_line("cd a");
    assert!(version(&s).contains("go1.21.13"), "project a");
    assert_eq!(s.run("echo $GOROOT"), goroot("1.21.13"));
    s.type_line(if fish {
        "set -gx PATH /opt/user-added $PATH"
    } else {
        "export PATH=/opt/user-added:$PATH"
    });
    s.type_line("cd ../b");
    assert!(version(&s).contains("go1.22.10"), "project b");
    let p = path(&s);
    assert!(p.starts_with(&format!("{}/bin:", goroot("1.22.10"))), "{p}");
    assert!(
        p.contains(":/opt/user-added:"),
        "user PATH edit survives: {p}"
    );
    assert!(!p.contains("go1.21.13"), "the old toolchain is gone: {p}");
    s.type_line("cd ..");
    assert!(version(&s).contains("go1.22.10"), "outer again");
    assert_eq!(s.run("echo $GOROOT"), goroot("1.22.10"));

    s.type_line("gox deactivate");
    assert_eq!(s.run("command -v go || echo no-go"), "no-go");
    assert_eq!(
        s.run("echo \"GOROOT=[$GOROOT] GOPATH=[$GOPATH] STATE=[$__GOX_STATE]\""),
        "GOROOT=[] GOPATH=[/user/gopath] STATE=[]"
    );
    assert_eq!(path(&s), format!("/opt/user-added:{}", clean_path()));
    // The hooks are gone: entering a project no longer changes anything.
    s.type_line("cd a");
    assert_eq!(s.run("echo \"[$GOROOT]\""), "[]");
    if shell == "bash" {
        // The user's own prompt command kept running all along, and is theirs again.
        assert_eq!(
            s.run("echo \"$PROMPT_COMMAND\""),
            "user_prompts=$((${user_prompts:-0}+1))"
        );
        let prompts: u32 = s.run("echo $user_prompts").parse().unwrap();
        assert!(prompts >= 10, "{prompts} prompts");
    }
}

#[test]
fn interactive_bash() {
    interactive("bash");
}

#[test]
fn interactive_zsh() {
    interactive("zsh");
}

#[test]
fn interactive_fish() {
    interactive("fish");
}

/// A PATH entry that is not UTF-8 (a Latin-1 directory name) keeps its bytes through
/// `eval "$(gox env)"` and the prompt hook in each real shell: printed lossily, it would be
/// replaced by another path on every prompt and its programs would vanish.
#[cfg(unix)]
#[test]
fn path_entries_that_are_not_utf8_survive_env_and_the_hook() {
    use std::os::unix::ffi::{OsStrExt, OsStringExt};
    use std::os::unix::fs::PermissionsExt;
    let w = World::new();
    w.with_toolchain("1.22.10", "linux/amd64");
    w.write("p/.go-version", "1.22.10\n");
    let odd = w
        .root
        .path()
        .join(std::ffi::OsStr::from_bytes(b"caf\xe9-bin"));
    std::fs::create_dir_all(&odd).unwrap();
    let tool = odd.join("mytool");
    std::fs::write(&tool, "#!/bin/sh\necho mytool-ran\n").unwrap();
    std::fs::set_permissions(&tool, std::fs::Permissions::from_mode(0o755)).unwrap();
    let mut path = odd.clone().into_os_string().into_vec();
    path.push(b':');
    path.extend(std::env::var_os("PATH").unwrap_or_default().into_vec());
    let path = std::ffi::OsString::from_vec(path);
    let cases = [
        (
            "bash",
            format!(
                "eval \"$('{GOX}' env --shell bash)\" && mytool && eval \"$('{GOX}' hook-env --shell bash)\" && mytool && go version"
            ),
        ),
        (
            "zsh",
            format!(
                "eval \"$('{GOX}' env --shell zsh)\" && mytool && eval \"$('{GOX}' hook-env --shell zsh)\" && mytool && go version"
            ),
        ),
        (
            "fish",
            format!(
                "'{GOX}' env --shell fish | source; and mytool; and '{GOX}' hook-env --shell fish | source; and mytool; and go version"
            ),
        ),
    ];
    for (shell, script) in cases {
        let mut cmd = Command::new(shell);
        w.apply_env(&mut cmd);
        // A UTF-8 locale, as users have: in the C locale fish itself re-encodes the byte as
        // Latin-1 when it imports PATH, before gox runs.
        let out = cmd
            .current_dir(w.projects().join("p"))
            .env("PATH", &path)
            .env("LANG", "C.UTF-8")
            .args(["-c", &script])
            .output()
            .unwrap();
        assert!(out.status.success(), "{shell}: {}", describe(&out));
        assert_eq!(
            stdout(&out).matches("mytool-ran").count(),
            2,
            "{shell}: {}",
            describe(&out)
        );
        assert!(
            stdout(&out).contains("go1.22.10"),
            "{shell}: {}",
            describe(&out)
        );
    }
}

/// `gox setup`'s PATH line for fish sets `$PATH` for the session (`fish_add_path --path`),
/// so deleting the line from config.fish really takes gox off PATH: without `--path` fish
/// keeps the directory in the universal `fish_user_paths`. zsh's file is named under
/// `ZDOTDIR` when that is set, since zsh then never reads `~/.zshrc`.
#[test]
fn setup_names_the_line_and_file_each_shell_really_reads() {
    let w = World::new();
    support::ensure_shim_built();
    let shims = w.home().join("shims");
    // `--user-path` is Windows' user Path (tests/windows.rs): elsewhere a usage error, made
    // before anything is created.
    let out = w.run(["setup", "--user-path"]);
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    assert!(stderr(&out).contains("startup file"), "{}", describe(&out));
    assert!(!shims.exists(), "shims made before the usage error");
    let out = w.run(["setup", "--shell", "fish"]);
    assert!(out.status.success(), "{}", describe(&out));
    assert_eq!(
        stdout(&out).trim(),
        format!("fish_add_path --path '{}'", shims.display()),
        "{}",
        describe(&out)
    );
    let zdotdir = w.root.path().join("zdot");
    let out = w
        .gox()
        .args(["setup", "--shell", "zsh"])
        .env("ZDOTDIR", &zdotdir)
        .output()
        .unwrap();
    assert!(
        stderr(&out).contains(&format!(
            "add the line above to {}",
            zdotdir.join(".zshrc").display()
        )),
        "{}",
        describe(&out)
    );
    // A $SHELL gox has no integration for gets bash syntax, and a warning saying so.
    let out = w
        .gox()
        .args(["activate"])
        .env("SHELL", "/bin/tcsh")
        .output()
        .unwrap();
    assert!(
        out.status.success()
            && stdout(&out).contains("gox shell integration for bash")
            && stderr(&out).contains("SHELL is /bin/tcsh, which gox has no integration for"),
        "{}",
        describe(&out)
    );
    // fish itself (with a config dir of its own, so universal variables are stored): the
    // line puts the shims on PATH and leaves no universal variable behind.
    let fish_line = format!("fish_add_path --path '{}'", shims.display());
    let config = w.root.path().join("fish-home");
    let run = Command::new("fish")
        .arg("-c")
        .arg(format!(
            "{fish_line}; contains '{}' $PATH; and echo on-path; set -q -U fish_user_paths; \
             and echo universal; or echo session",
            shims.display()
        ))
        .env("XDG_CONFIG_HOME", &config)
        .env("HOME", &config)
        .output()
        .unwrap();
    assert_eq!(stdout(&run), "on-path\nsession\n", "{}", describe(&run));
}
