//! `gox outdated` and `gox upgrade` against a feed holding 1.27.2, 1.27.3 and 1.22.10
//! (real archives from the fixtures, served on loopback).

mod support;

use gox_testkit::{FeedBuilder, MirrorBuilder, fixtures};
use serde_json::{Value, json};
use support::{World, describe, stderr, stdout};

fn world() -> World {
    let fx = fixtures();
    let archives = [
        fx.archive("1.27.3", "linux/amd64"),
        fx.archive("1.27.2", "linux/amd64"),
        fx.archive("1.22.10", "linux/amd64"),
    ];
    let feed = archives
        .iter()
        .fold(FeedBuilder::new(), |b, a| b.fixture(a))
        .to_json();
    let mirror = archives
        .iter()
        .fold(MirrorBuilder::new().feed(feed), |b, a| {
            b.file(&a.filename, a.path.clone())
        });
    World::with_mirror(mirror)
}

fn outdated_json(w: &World) -> Value {
    let out = w.run(["outdated", "--json"]);
    assert!(out.status.success(), "{}", describe(&out));
    serde_json::from_slice(&out.stdout).expect("json")
}

#[test]
fn outdated_then_upgrade_moves_the_default() {
    let w = world();
    w.with_toolchain("1.22.10", "linux/amd64");
    w.ok(["install", "--quiet", "1.27.2"]);
    w.ok(["use", "--global", "1.27.2"]);

    assert_eq!(
        outdated_json(&w),
        json!([
            {"line": "1.27", "installed": "1.27.2", "latest": "1.27.3", "supported": true},
            {"line": "1.22", "installed": "1.22.10", "latest": "1.22.10", "supported": false},
        ])
    );
    let out = w.run(["outdated"]);
    assert!(out.status.success(), "{}", describe(&out));
    let table = stdout(&out);
    assert!(
        table.lines().any(|l| l.starts_with("1.27 ")
            && l.contains("1.27.2")
            && l.contains("1.27.3")
            && l.ends_with("supported")),
        "{table}"
    );
    assert!(
        table
            .lines()
            .any(|l| l.starts_with("1.22 ") && l.contains("unsupported")),
        "{table}"
    );

    let out = w.run(["upgrade", "1.25"]);
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    assert!(
        stderr(&out).contains("gox install 1.25"),
        "{}",
        describe(&out)
    );

    // Two recorded projects on 1.27.2: an exact .go-version pin (--pins moves it) and a
    // .tool-versions line (left alone, so it keeps 1.27.2 from --prune).
    let pinned = w.projects().join("pinned");
    std::fs::create_dir_all(&pinned).expect("mkdir");
    let mut use_cmd = w.gox();
    use_cmd.current_dir(&pinned).args(["use", "1.27.2"]);
    let out = use_cmd.output().expect("gox use");
    assert!(out.status.success(), "{}", describe(&out));
    let asdf = w.write("asdf/.tool-versions", "golang 1.27.2\n");
    let mut install_here = w.gox();
    install_here
        .current_dir(asdf.parent().expect("dir"))
        .arg("install");
    let out = install_here.output().expect("gox install");
    assert!(out.status.success(), "{}", describe(&out));

    let out = w.run(["upgrade", "--pins", "--prune"]);
    assert!(out.status.success(), "{}", describe(&out));
    let err = stderr(&out);
    assert!(err.contains("upgrading 1.27: 1.27.2 -> 1.27.3"), "{err}");
    assert!(err.contains("installed go1.27.3 (linux/amd64)"), "{err}");
    assert!(
        err.contains("the global default moved from 1.27.2 to 1.27.3"),
        "{err}"
    );
    assert_eq!(
        std::fs::read_to_string(pinned.join(".go-version")).expect("pin"),
        "1.27.3\n"
    );
    assert_eq!(
        std::fs::read_to_string(&asdf).expect("tool-versions"),
        "golang 1.27.2\n"
    );
    assert!(
        err.contains(&format!(
            "kept go1.27.2 (linux/amd64): still selected by {}",
            asdf.parent().expect("dir").display()
        )),
        "{err}"
    );
    assert_eq!(
        w.installed_dirs(),
        [
            "go1.22.10.linux-amd64",
            "go1.27.2.linux-amd64",
            "go1.27.3.linux-amd64"
        ]
    );
    // Once nothing uses it, --prune removes the superseded patch (and nothing else).
    std::fs::remove_dir_all(asdf.parent().expect("dir")).expect("rm project");
    let out = w.run(["upgrade", "--prune"]);
    assert!(out.status.success(), "{}", describe(&out));
    let err = stderr(&out);
    assert!(err.contains("nothing to upgrade"), "{err}");
    assert!(err.contains("removed go1.27.2 (linux/amd64)"), "{err}");
    assert_eq!(
        w.installed_dirs(),
        ["go1.22.10.linux-amd64", "go1.27.3.linux-amd64"]
    );
    assert_eq!(
        std::fs::read_to_string(w.home().join("default")).expect("default"),
        "1.27.3\n"
    );
    let current: Value = serde_json::from_str(&w.ok(["current", "--json"])).expect("current json");
    assert_eq!(current["version"], "1.27.3");

    assert_eq!(
        outdated_json(&w),
        json!([{"line": "1.22", "installed": "1.22.10", "latest": "1.22.10", "supported": false}])
    );
    let out = w.run(["upgrade"]);
    assert!(out.status.success(), "{}", describe(&out));
    assert!(
        stderr(&out).contains("nothing to upgrade"),
        "{}",
        describe(&out)
    );
}
