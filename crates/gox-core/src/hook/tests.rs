//! The hook's story in one shell: activate, move between projects, edit PATH by hand,
//! leave, deactivate. Each step applies the printed ops to a fake environment, as the
//! shell's `eval` would.

use std::path::PathBuf;

use super::*;
use crate::childenv::Target;
use crate::config::Config;
use crate::environment::Environment;
use crate::host::Host;
use crate::layout::Layout;

/// A path or PATH value written the Unix way, spelled as this OS spells it: on Windows
/// `\\` between parts and `;` between entries, which is what the hook's joins produce there.
fn n(unix: &str) -> String {
    if cfg!(windows) {
        unix.replace('/', "\\").replace(':', ";")
    } else {
        unix.to_owned()
    }
}

fn layout() -> Layout {
    Layout::at(n("/h"), n("/c"), n("/cfg.toml"))
}

fn target(version: &str) -> Target {
    Target {
        goroot: PathBuf::from(n(&format!("/h/toolchains/go{version}.linux-amd64"))),
        platform: "linux/amd64".parse().unwrap(),
    }
}

fn desired(version: &str) -> Desired {
    Desired::for_target(&layout(), &Config::default(), &target(version))
}

fn shell_env() -> Environment {
    Environment::fake(
        "/p",
        [
            ("PATH", n("/usr/local/bin:/usr/bin:/bin")),
            ("GOPATH", n("/home/u/go")),
            ("HOME", n("/home/u")),
        ],
    )
}

/// What `eval` of the rendered ops does.
fn apply(env: &mut Environment, ops: &[Op]) {
    for op in ops {
        match op {
            Op::Set(k, v) => env.set(k.clone(), v.clone()),
            Op::Unset(k) => env.remove(k),
            Op::Path(entries) => env.set("PATH", std::env::join_paths(entries).unwrap()),
        }
    }
}

fn state(env: &Environment) -> Option<State> {
    env.var(STATE_VAR).and_then(State::decode)
}

/// One full hook run, applied.
fn run(env: &mut Environment, fp: &str, want: Option<&Desired>) -> Update {
    let update = update(state(env).as_ref(), env, fp.to_owned(), want, None);
    apply(env, &update.ops);
    update
}

fn get<'a>(env: &'a Environment, key: &str) -> Option<&'a str> {
    env.var(key)
}

#[test]
fn entering_a_project_exports_the_toolchain_and_remembers_what_it_replaced() {
    let mut env = shell_env();
    let update = run(&mut env, "fp1", Some(&desired("1.22.10")));
    let names: Vec<&str> = update
        .ops
        .iter()
        .map(|op| match op {
            Op::Set(k, _) | Op::Unset(k) => k.as_str(),
            Op::Path(_) => "PATH",
        })
        .collect();
    assert_eq!(
        names,
        [
            "GOROOT",
            "GOPATH",
            "GOCACHE",
            "GOMODCACHE",
            "GOTOOLCHAIN",
            "PATH",
            STATE_VAR
        ]
    );
    assert_eq!(
        get(&env, "PATH"),
        Some(n("/h/toolchains/go1.22.10.linux-amd64/bin:/h/gopath/linux-amd64/bin:/usr/local/bin:/usr/bin:/bin").as_str())
    );
    let state = state(&env).unwrap();
    assert_eq!(state.fingerprint, "fp1");
    let gopath = state.vars.iter().find(|v| v.name == "GOPATH").unwrap();
    assert_eq!(gopath.previous.as_deref(), Some(n("/home/u/go").as_str()));
    let goroot = state.vars.iter().find(|v| v.name == "GOROOT").unwrap();
    assert_eq!(goroot.previous, None);

    // The same answer again (a file touched, fingerprint changed): only the state moves.
    let again = run(&mut env, "fp2", Some(&desired("1.22.10")));
    assert!(matches!(&again.ops[..], [Op::Set(k, _)] if k == STATE_VAR));
    // And with the same fingerprint too: nothing at all.
    assert!(
        run(&mut env, "fp2", Some(&desired("1.22.10")))
            .ops
            .is_empty()
    );
}

#[test]
fn switching_changes_only_what_differs_and_keeps_user_path_edits() {
    let mut env = shell_env();
    run(&mut env, "a", Some(&desired("1.21.13")));
    // The user prepends and appends their own entries after activation.
    let path = format!(
        "{}{}{}",
        n("/opt/user-added:"),
        get(&env, "PATH").unwrap(),
        n(":/opt/tail")
    );
    env.set("PATH", path);

    let update = run(&mut env, "b", Some(&desired("1.22.10")));
    let set: Vec<&str> = update
        .ops
        .iter()
        .filter_map(|op| match op {
            Op::Set(k, _) => Some(k.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(set, ["GOROOT", STATE_VAR], "GOPATH & co. are unchanged");
    assert_eq!(
        get(&env, "PATH"),
        Some(n("/h/toolchains/go1.22.10.linux-amd64/bin:/h/gopath/linux-amd64/bin:/opt/user-added:/usr/local/bin:/usr/bin:/bin:/opt/tail").as_str())
    );
    // GOPATH's outer value survives the switch: it was recorded at entry, not re-read.
    let state = state(&env).unwrap();
    let gopath = state.vars.iter().find(|v| v.name == "GOPATH").unwrap();
    assert_eq!(gopath.previous.as_deref(), Some(n("/home/u/go").as_str()));
}

#[test]
fn leaving_restores_the_outer_environment() {
    let mut env = shell_env();
    run(&mut env, "a", Some(&desired("1.22.10")));
    env.set(
        "PATH",
        format!("{}{}", n("/opt/user-added:"), get(&env, "PATH").unwrap()),
    );
    run(&mut env, "outside", None);
    assert_eq!(get(&env, "GOROOT"), None);
    assert_eq!(get(&env, "GOCACHE"), None);
    assert_eq!(get(&env, "GOPATH"), Some(n("/home/u/go").as_str()));
    assert_eq!(
        get(&env, "PATH"),
        Some(n("/opt/user-added:/usr/local/bin:/usr/bin:/bin").as_str())
    );
    // The state stays, empty, so the fast path works outside projects too.
    let state = state(&env).unwrap();
    assert!(state.path.is_empty() && state.vars.is_empty());
    assert_eq!(state.fingerprint, "outside");
}

#[test]
fn a_variable_the_user_changed_is_theirs() {
    let mut env = shell_env();
    run(&mut env, "a", Some(&desired("1.22.10")));
    env.set("GOPATH", n("/mine"));
    run(&mut env, "outside", None);
    assert_eq!(
        get(&env, "GOPATH"),
        Some(n("/mine").as_str()),
        "not restored over"
    );
    run(&mut env, "b", Some(&desired("1.21.13")));
    assert_eq!(
        get(&env, "GOPATH"),
        Some(n("/h/gopath/linux-amd64").as_str())
    );
    run(&mut env, "outside", None);
    assert_eq!(get(&env, "GOPATH"), Some(n("/mine").as_str()));
}

#[test]
fn a_path_entry_the_user_already_had_stays_after_leaving() {
    let mut env = shell_env();
    env.set("PATH", n("/usr/bin:/h/gopath/linux-amd64/bin:/bin"));
    run(&mut env, "a", Some(&desired("1.22.10")));
    assert_eq!(
        get(&env, "PATH"),
        Some(n("/h/toolchains/go1.22.10.linux-amd64/bin:/h/gopath/linux-amd64/bin:/usr/bin:/h/gopath/linux-amd64/bin:/bin").as_str())
    );
    run(&mut env, "outside", None);
    assert_eq!(
        get(&env, "PATH"),
        Some(n("/usr/bin:/h/gopath/linux-amd64/bin:/bin").as_str())
    );
}

#[test]
fn deactivate_undoes_everything_and_forgets_the_state() {
    let mut env = shell_env();
    let before = shell_env();
    run(&mut env, "a", Some(&desired("1.22.10")));
    run(&mut env, "b", Some(&desired("1.21.13")));
    let ops = deactivate(state(&env).as_ref(), &env);
    assert!(matches!(ops.last(), Some(Op::Unset(k)) if k == STATE_VAR));
    apply(&mut env, &ops);
    for key in [
        "PATH",
        "GOPATH",
        "GOROOT",
        "GOCACHE",
        "GOTOOLCHAIN",
        STATE_VAR,
    ] {
        assert_eq!(get(&env, key), get(&before, key), "{key}");
    }
    // Nothing to undo: nothing printed.
    assert!(deactivate(None, &shell_env()).is_empty());
}

#[test]
fn a_warning_is_given_once_per_key() {
    let mut env = shell_env();
    let notice = |key: &str| Notice {
        key: key.to_owned(),
        message: format!("warning about {key}"),
    };
    let mut step = |fp: &str, n: Option<Notice>| {
        let u = update(state(&env).as_ref(), &env, fp.to_owned(), None, n);
        apply(&mut env, &u.ops);
        u.warning
    };
    assert_eq!(
        step("a", Some(notice("k1"))).as_deref(),
        Some("warning about k1")
    );
    assert_eq!(step("a/sub", Some(notice("k1"))), None, "same project");
    assert_eq!(
        step("b", Some(notice("k2"))).as_deref(),
        Some("warning about k2")
    );
    assert_eq!(step("c", None), None);
    assert_eq!(
        step("a", Some(notice("k1"))).as_deref(),
        Some("warning about k1")
    );
}

#[test]
fn fast_path_needs_the_same_fingerprint_and_the_entries_still_on_path() {
    let mut env = shell_env();
    run(&mut env, "fp", Some(&desired("1.22.10")));
    let current = state(&env).unwrap();
    assert!(is_current(&current, &env, "fp"));
    assert!(!is_current(&current, &env, "other"));
    // A later line of the rc file resets PATH: the next prompt puts Go back.
    env.set("PATH", n("/usr/bin:/bin"));
    assert!(!is_current(&current, &env, "fp"));
    run(&mut env, "fp", Some(&desired("1.22.10")));
    assert_eq!(
        get(&env, "PATH"),
        Some(
            n("/h/toolchains/go1.22.10.linux-amd64/bin:/h/gopath/linux-amd64/bin:/usr/bin:/bin")
                .as_str()
        )
    );
    // Outside any project there is nothing to check but the fingerprint.
    assert!(is_current(&State::default(), &env, ""));
}

#[test]
fn foreign_builds_stay_off_path_unless_rosetta_is_allowed() {
    let host = |p: &str| Host {
        platform: p.parse().unwrap(),
        translated: false,
        parent_translated: false,
        simulated: true,
    };
    let t = |p: &str| Target {
        goroot: PathBuf::from("/x"),
        platform: p.parse().unwrap(),
    };
    assert!(runs_natively(
        &host("linux/amd64"),
        &t("linux/amd64"),
        false
    ));
    assert!(!runs_natively(
        &host("linux/amd64"),
        &t("linux/arm64"),
        true
    ));
    assert!(!runs_natively(
        &host("darwin/arm64"),
        &t("darwin/amd64"),
        false
    ));
    assert!(runs_natively(
        &host("darwin/arm64"),
        &t("darwin/amd64"),
        true
    ));
    assert!(!runs_natively(
        &host("darwin/amd64"),
        &t("darwin/arm64"),
        true
    ));
}

// The snapshots are this story spelled with Unix paths.
#[cfg(unix)]
#[test]
fn hook_env_output_in_each_shell() {
    // A shell that was in a 1.21.13 project (with a user PATH edit since) enters a 1.22.10
    // project: GOROOT and PATH change, and the state.
    let mut env = shell_env();
    run(&mut env, "0123456789abcdef", Some(&desired("1.21.13")));
    env.set(
        "PATH",
        format!("/opt/user's bin:{}", get(&env, "PATH").unwrap()),
    );
    let switch = update(
        state(&env).as_ref(),
        &env,
        "fedcba9876543210".to_owned(),
        Some(&desired("1.22.10")),
        None,
    );
    let mut left = env.clone();
    apply(&mut left, &switch.ops);
    let leave = update(
        state(&left).as_ref(),
        &left,
        "00000000000000ff".to_owned(),
        None,
        None,
    );
    let off = deactivate(state(&left).as_ref(), &left);
    for shell in Shell::ALL {
        let text = format!(
            "# enter a 1.22.10 project\n{}# leave it\n{}# gox deactivate\n{}",
            render(shell, &switch.ops),
            render(shell, &leave.ops),
            render(shell, &off),
        );
        insta::assert_snapshot!(format!("hook_env_{}", shell.name()), text);
    }
}

#[test]
fn activate_scripts_call_gox_by_absolute_quoted_path() {
    for shell in Shell::ALL {
        let script = activate_script(shell, std::path::Path::new("/opt/it's here/gox"));
        assert!(!script.contains("@GOX@"), "{shell}");
        assert!(
            script.contains(&shell.quote("/opt/it's here/gox")),
            "{shell}: {script}"
        );
        assert!(script.contains(&format!("hook-env --shell {}", shell.name())));
        assert!(script.contains(&format!("hook-env --shell {} --deactivate", shell.name())));
    }
}
