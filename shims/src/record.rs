//! The planner's half of replaying (docs/architecture.md, "replayer and planner"): plan the
//! way every shim does, noting what the plan depended on ([`gox_core::observe`]), and
//! leave a record the Linux replayer re-runs while all of it still holds.
//!
//! Only the ordinary run is recorded: the outermost shim (no pin from a parent shim), a
//! plain tool name (not `go1.22.10`), a native toolchain whose in-use mark could be taken,
//! nothing to warn about. Everything else always goes through the planner.

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use gox_core::childenv::{DEPTH_VAR, PIN_VAR};
use gox_core::observe::{self, Observation, Recording};
use gox_core::{Environment, Layout};

use crate::{Plan, ShimError, plan_version};

/// The version that wrote a record: a record from another gox may follow other rules.
pub const PLANNER_VERSION: &str = match option_env!("GOX_BUILD_VERSION") {
    Some(v) => v,
    None => env!("CARGO_PKG_VERSION"),
};

/// [`plan_version`] for an ordinary `tool` run, and the record of it written to the shims
/// directory's plans (best effort: a read-only GOX_HOME only means no replaying). The
/// caller started the recording ([`observe::start`]) before it read anything; this ends
/// it. `argv0_name` is the file name the shim was started as, which the replayer keys on;
/// `shim` is that shim's file, which the toolchain's `bin/go` must not be.
pub fn plan_and_record(
    env: &Environment,
    tool: &str,
    argv0_name: &OsStr,
    shim: Option<&Path>,
) -> Result<Plan, ShimError> {
    let recordable = env.var_os(PIN_VAR).is_none() && env.var_os(DEPTH_VAR).is_none();
    let plan = plan_version(env, tool, None, shim);
    let recording = observe::finish().filter(|_| recordable);
    if let (Ok(plan), Some(recording), Ok(physical), Some(now)) =
        (&plan, recording, std::env::current_dir(), now())
        && let Some(encoded) = record(env, &physical, now, plan, recording, argv0_name)
    {
        let _ = write(env, &encoded);
    }
    // A shims dir set up by an older gox has no planner link: the replayer found gox on
    // PATH this time, and it is linked so that the next miss needs no search.
    if let Ok(layout) = Layout::from_env(env) {
        let link = layout.planner_link();
        if std::fs::symlink_metadata(&link).is_err()
            && let Ok(gox) = std::env::current_exe()
        {
            let _ = link_planner(&gox, &link);
        }
    }
    plan
}

/// A record's bytes and file name.
struct Encoded {
    bytes: Vec<u8>,
    name: [u8; 16],
}

/// The record of `plan`, made in the physical working directory `physical` at `now`
/// (unix seconds, nanoseconds), or `None` when it must not be replayed.
fn record(
    env: &Environment,
    physical: &Path,
    (now_sec, now_nsec): (i64, u32),
    plan: &Plan,
    recording: Recording,
    argv0_name: &OsStr,
) -> Option<Encoded> {
    if recording.incomplete || !plan.warnings.is_empty() || !plan.inuse.held() {
        return None;
    }
    // The working directory as `Environment::from_process` chose it: `PWD` when it names
    // the physical directory. The replayer keys on the physical one (`getcwd`).
    let pwd = env.var_raw("PWD");
    let mut observations = vec![
        Observation::Var {
            name: b"PWD".to_vec(),
            value: pwd.map(|v| v.as_bytes().to_vec()),
        },
        observe_path(physical)?,
    ];
    if let Some(pwd) = pwd.map(Path::new).filter(|p| p.is_absolute()) {
        observations.push(observe_path(pwd)?);
    }
    let observations = distinct(observations.into_iter().chain(recording.observations))?;
    let racy = observations.iter().any(|o| match o {
        Observation::Path { seen, .. } => gox_plan::is_racy(*seen, now_sec, now_nsec),
        Observation::Var { .. } => false,
    });
    if racy {
        return None;
    }
    let cwd = physical.as_os_str().as_bytes();
    let receipt = plan.target.goroot.join(gox_core::layout::RECEIPT_FILE);
    let head = gox_plan::Head {
        planner_version: PLANNER_VERSION.as_bytes(),
        cwd,
        tool: argv0_name.as_bytes(),
        program: plan.program.as_os_str().as_bytes(),
        receipt: receipt.as_os_str().as_bytes(),
    };
    let observations: Vec<gox_plan::Observation<'_>> =
        observations.iter().map(Observation::as_plan).collect();
    let child_vars: Vec<(&[u8], &[u8])> = plan
        .vars
        .iter()
        .map(|(k, v)| (k.as_bytes(), v.as_bytes()))
        .collect();
    let mut bytes = vec![0; gox_plan::MAX_BYTES];
    let len = gox_plan::encode(&head, &observations, &child_vars, &mut bytes)?;
    bytes.truncate(len);
    Some(Encoded {
        bytes,
        name: gox_plan::file_name(cwd, argv0_name.as_bytes()),
    })
}

/// Each variable and path once (the replayer checks each with a system call or a lookup),
/// in first-seen order; `None` when one was seen two ways (a file replaced between its
/// `stat` and its read): such a plan could never be replayed.
fn distinct(all: impl Iterator<Item = Observation>) -> Option<Vec<Observation>> {
    fn key(o: &Observation) -> (bool, &[u8]) {
        match o {
            Observation::Var { name, .. } => (false, name),
            Observation::Path { path, .. } => (true, path),
        }
    }
    let mut kept: Vec<Observation> = Vec::new();
    for observation in all {
        match kept.iter().find(|k| key(k) == key(&observation)) {
            Some(earlier) if *earlier == observation => {}
            Some(_) => return None,
            None => kept.push(observation),
        }
    }
    Some(kept)
}

fn observe_path(path: &Path) -> Option<Observation> {
    Some(Observation::Path {
        path: path.as_os_str().as_bytes().to_vec(),
        seen: observe::seen_now(path)?,
    })
}

fn now() -> Option<(i64, u32)> {
    let since = SystemTime::now().duration_since(UNIX_EPOCH).ok()?;
    Some((i64::try_from(since.as_secs()).ok()?, since.subsec_nanos()))
}

/// Writes the record under its name in the shims directory's plans, by rename.
fn write(env: &Environment, record: &Encoded) -> std::io::Result<()> {
    let dir = Layout::from_env(env)
        .map_err(std::io::Error::other)?
        .plans();
    let path = dir.join(OsStr::from_bytes(&record.name));
    let tmp = dir.join(format!(".{}.{}", std::process::id(), PLANNER_VERSION));
    let written = std::fs::write(&tmp, &record.bytes).or_else(|e| {
        if e.kind() != std::io::ErrorKind::NotFound {
            return Err(e);
        }
        std::fs::create_dir_all(&dir)?;
        std::fs::write(&tmp, &record.bytes)
    });
    written
        .and_then(|()| std::fs::rename(&tmp, &path))
        .inspect_err(|_| {
            let _ = std::fs::remove_file(&tmp);
        })
}

/// Points `link` (the shims dir's `.gox`, [`Layout::planner_link`]) at `gox`, the planner
/// the replayer runs when it has no current record. A symbolic link by path: `gox self
/// update` renames the new gox over the old one, and the link then names the new one with
/// nothing to refresh. Returns whether it changed.
pub fn link_planner(gox: &Path, link: &Path) -> std::io::Result<bool> {
    if std::fs::read_link(link).is_ok_and(|target| target == gox) {
        return Ok(false);
    }
    let mut tmp = link.as_os_str().to_owned();
    tmp.push(".gox-new");
    let tmp = std::path::PathBuf::from(tmp);
    let _ = std::fs::remove_file(&tmp);
    std::os::unix::fs::symlink(gox, &tmp)?;
    std::fs::rename(&tmp, link).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    //! Soundness, against gox's own selection: whenever a record still holds after the
    //! world changed, planning afresh in the changed world runs exactly what the record
    //! says. Changes are made as a user (or gox) makes them, each at a later timestamp than
    //! the record's: a change within the record's own timestamp tick is what the racy rule
    //! ([`gox_plan::is_racy`]) keeps from being recorded at all.

    use super::*;
    use gox_core::observe::Seen;
    use proptest::prelude::*;
    use std::time::Duration;

    const VERSIONS: [&str; 6] = ["1.21.13", "1.22.10", "1.22", "1.21", "latest", "1.23"];
    const INSTALLED: [&str; 2] = ["1.21.13", "1.22.10"];

    #[derive(Clone, Debug)]
    enum File {
        GoVersion(usize),
        ToolVersions(usize),
        GoMod { go: usize, toolchain: Option<usize> },
        GoWork(usize),
    }

    impl File {
        fn name(&self) -> &'static str {
            match self {
                File::GoVersion(_) => ".go-version",
                File::ToolVersions(_) => ".tool-versions",
                File::GoMod { .. } => "go.mod",
                File::GoWork(_) => "go.work",
            }
        }

        fn text(&self) -> String {
            // go.mod wants a language version or release (`go 1.22`), never `latest`.
            let lang = |i: usize| ["1.21", "1.22", "1.21.13", "1.22.10"][i % 4];
            match self {
                File::GoVersion(v) => format!("{}\n", VERSIONS[*v]),
                File::ToolVersions(v) => format!("golang {}\n", VERSIONS[*v]),
                File::GoMod { go, toolchain } => {
                    let mut text = format!("module example.com/m\n\ngo {}\n", lang(*go));
                    if let Some(t) = toolchain {
                        text.push_str(&format!("\ntoolchain go{}\n", INSTALLED[t % 2]));
                    }
                    text
                }
                File::GoWork(go) => format!("go {}\n\nuse .\n", lang(*go)),
            }
        }
    }

    #[derive(Clone, Debug)]
    enum Change {
        Nothing,
        Write(usize, File),
        Delete(usize, File),
        GoxVersion(Option<usize>),
        Uninstall(usize),
        /// A newer patch release of an installed minor.
        Install(usize),
        Default(usize),
    }

    fn file() -> impl Strategy<Value = File> {
        prop_oneof![
            (0..6usize).prop_map(File::GoVersion),
            (0..6usize).prop_map(File::ToolVersions),
            (0..4usize, proptest::option::of(0..2usize))
                .prop_map(|(go, toolchain)| File::GoMod { go, toolchain }),
            (0..4usize).prop_map(File::GoWork),
        ]
    }

    fn change() -> impl Strategy<Value = Change> {
        prop_oneof![
            Just(Change::Nothing),
            (0..3usize, file()).prop_map(|(l, f)| Change::Write(l, f)),
            (0..3usize, file()).prop_map(|(l, f)| Change::Delete(l, f)),
            proptest::option::of(0..6usize).prop_map(Change::GoxVersion),
            (0..2usize).prop_map(Change::Uninstall),
            (0..2usize).prop_map(Change::Install),
            (0..6usize).prop_map(Change::Default),
        ]
    }

    struct Tree {
        root: tempfile::TempDir,
    }

    impl Tree {
        fn new() -> Self {
            let tree = Tree {
                root: tempfile::tempdir().unwrap(),
            };
            for version in INSTALLED {
                tree.install(version);
            }
            std::fs::create_dir_all(tree.level(2)).unwrap();
            tree
        }

        fn install(&self, version: &str) {
            let goroot = self.toolchains().join(format!("go{version}.linux-amd64"));
            std::fs::create_dir_all(goroot.join("bin")).unwrap();
            // Any native executable passes the header check.
            std::fs::copy("/bin/true", goroot.join("bin/go")).unwrap();
            std::fs::write(goroot.join(gox_core::layout::RECEIPT_FILE), "{}").unwrap();
        }

        fn home(&self) -> std::path::PathBuf {
            self.root.path().join("home")
        }

        fn toolchains(&self) -> std::path::PathBuf {
            self.home().join("toolchains")
        }

        /// 0 is the top of the project, 2 the working directory.
        fn level(&self, level: usize) -> std::path::PathBuf {
            ["p", "p/a", "p/a/b"][..=level.min(2)]
                .last()
                .map(|rel| self.root.path().join(rel))
                .unwrap()
        }

        fn env(&self, gox_version: Option<usize>) -> Environment {
            let cwd = self.level(2);
            let mut vars = vec![
                ("GOX_HOME", self.home().into_os_string()),
                (
                    "GOX_CONFIG",
                    self.root.path().join("none.toml").into_os_string(),
                ),
                ("GOX_DEBUG_HOST", "linux/amd64".into()),
                ("HOME", self.root.path().join("user").into_os_string()),
                ("TMPDIR", self.root.path().join("tmp").into_os_string()),
                ("PWD", cwd.clone().into_os_string()),
            ];
            if let Some(v) = gox_version {
                vars.push(("GOX_VERSION", VERSIONS[v].into()));
            }
            Environment::fake(cwd, vars)
        }

        /// Writes a file as an editor would, stamped `later` than the record.
        fn write(&self, path: &Path, text: &str) {
            std::fs::write(path, text).unwrap();
            later(path);
        }
    }

    /// Modification time a minute ahead: a change the record's timestamps cannot match.
    fn later(path: &Path) {
        let ahead = SystemTime::now() + Duration::from_secs(60);
        std::fs::File::open(path)
            .and_then(|f| f.set_modified(ahead))
            .unwrap();
    }

    struct Fake<'e>(&'e Environment);

    impl gox_plan::World for Fake<'_> {
        fn var(&self, name: &[u8]) -> Option<&[u8]> {
            let name = std::str::from_utf8(name).ok()?;
            self.0.var_raw(name).map(OsStr::as_bytes)
        }

        fn stat(&mut self, path_nul: &[u8]) -> Result<Seen, ()> {
            let path = path_nul.strip_suffix(b"\0").ok_or(())?;
            observe::seen_now(Path::new(OsStr::from_bytes(path))).ok_or(())
        }
    }

    /// A plan's program, its child's variables (`NAME=value`), and its record.
    type Planned = (Vec<u8>, Vec<Vec<u8>>, Vec<u8>);

    /// Plans in `tree` with `env` as the planner does, when a record may be written.
    fn plan_with_record(tree: &Tree, env: &Environment) -> Option<Planned> {
        observe::start();
        let plan = plan_version(env, "go", None, None);
        let recording = observe::finish()?;
        let plan = plan.ok()?;
        // Everything was just written: "now" is after the racy window (see the module note).
        let now = now()?;
        let encoded = record(
            env,
            &tree.level(2),
            (now.0 + 10, now.1),
            &plan,
            recording,
            OsStr::new("go"),
        )?;
        Some((program_of(&plan), entries_of(&plan), encoded.bytes))
    }

    fn program_of(plan: &Plan) -> Vec<u8> {
        plan.program.as_os_str().as_bytes().to_vec()
    }

    fn entries_of(plan: &Plan) -> Vec<Vec<u8>> {
        plan.vars
            .iter()
            .map(|(k, v)| [k.as_bytes(), b"=", v.as_bytes()].concat())
            .collect()
    }

    fn apply(tree: &Tree, change: &Change, gox_version: &mut Option<usize>) {
        match change {
            Change::Nothing => {}
            Change::Write(level, file) => {
                tree.write(&tree.level(*level).join(file.name()), &file.text())
            }
            Change::Delete(level, file) => {
                if std::fs::remove_file(tree.level(*level).join(file.name())).is_ok() {
                    later(&tree.level(*level));
                }
            }
            Change::GoxVersion(v) => *gox_version = *v,
            Change::Uninstall(i) => {
                let goroot = tree
                    .toolchains()
                    .join(format!("go{}.linux-amd64", INSTALLED[*i]));
                if std::fs::remove_dir_all(&goroot).is_ok() {
                    later(&tree.toolchains());
                }
            }
            Change::Install(i) => {
                tree.install(["1.22.11", "1.21.14"][*i]);
                later(&tree.toolchains());
            }
            Change::Default(v) => {
                tree.write(&tree.home().join("default"), &format!("{}\n", VERSIONS[*v]))
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(96))]

        #[test]
        fn a_record_that_holds_runs_what_planning_afresh_runs(
            files in proptest::collection::vec((0..3usize, file()), 0..4),
            gox_version in proptest::option::of(0..6usize),
            default in proptest::option::of(0..6usize),
            changes in proptest::collection::vec(change(), 1..4),
        ) {
            let tree = Tree::new();
            for (level, file) in &files {
                std::fs::write(tree.level(*level).join(file.name()), file.text()).unwrap();
            }
            if let Some(v) = default {
                std::fs::write(tree.home().join("default"), format!("{}\n", VERSIONS[v])).unwrap();
            }
            let env = tree.env(gox_version);
            let Some((_, _, bytes)) = plan_with_record(&tree, &env) else {
                return Ok(());
            };
            let mut gox_version = gox_version;
            for change in &changes {
                apply(&tree, change, &mut gox_version);
            }
            let env = tree.env(gox_version);
            let record = gox_plan::Record::parse(&bytes).unwrap();
            if !record.holds(&mut Fake(&env)) {
                return Ok(());
            }
            let fresh = plan_version(&env, "go", None, None);
            let fresh = fresh.map_err(|e| TestCaseError::fail(format!("the record holds, but planning afresh fails: {e}")))?;
            prop_assert_eq!(record.program_nul().strip_suffix(b"\0").unwrap(), &program_of(&fresh)[..]);
            let recorded: Vec<Vec<u8>> = record
                .child_entries()
                .map(|e| e.strip_suffix(b"\0").unwrap_or(e).to_vec())
                .collect();
            prop_assert_eq!(recorded, entries_of(&fresh));
        }
    }

    #[test]
    fn an_edit_of_the_deciding_pin_is_seen() {
        let tree = Tree::new();
        let pin = tree.level(0).join(".go-version");
        std::fs::write(&pin, "1.21.13\n").unwrap();
        let env = tree.env(None);
        let (program, _, bytes) = plan_with_record(&tree, &env).unwrap();
        assert!(String::from_utf8_lossy(&program).contains("go1.21.13"));
        let record = gox_plan::Record::parse(&bytes).unwrap();
        assert!(record.holds(&mut Fake(&env)));
        tree.write(&pin, "1.22.10\n"); // same size, later time
        assert!(!record.holds(&mut Fake(&env)));
    }

    #[test]
    fn racy_files_leave_no_record() {
        let tree = Tree::new();
        std::fs::write(tree.level(0).join(".go-version"), "1.21.13\n").unwrap();
        let env = tree.env(None);
        observe::start();
        let plan = plan_version(&env, "go", None, None).unwrap();
        let recording = observe::finish().unwrap();
        let now = now().unwrap();
        let made = |now| {
            record(
                &env,
                &tree.level(2),
                now,
                &plan,
                recording.clone(),
                OsStr::new("go"),
            )
            .is_some()
        };
        assert!(!made(now), "files written just now are racy");
        assert!(made((now.0 + 3, now.1)), "3 s later they are not");
    }

    #[test]
    fn observations_seen_two_ways_leave_no_record() {
        let a = Observation::Var {
            name: b"A".to_vec(),
            value: None,
        };
        let a2 = Observation::Var {
            name: b"A".to_vec(),
            value: Some(b"1".to_vec()),
        };
        let b = Observation::Path {
            path: b"/b".to_vec(),
            seen: Seen::Absent,
        };
        assert_eq!(
            distinct([a.clone(), b.clone(), a.clone()].into_iter()),
            Some(vec![a.clone(), b])
        );
        assert_eq!(distinct([a, a2].into_iter()), None);
    }
}
