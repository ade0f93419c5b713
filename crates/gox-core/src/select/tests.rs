use std::fs;
use std::path::{Path, PathBuf};

use super::*;

fn v(s: &str) -> Version {
    Version::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
}

fn vs(list: &[&str]) -> Vec<Version> {
    list.iter().map(|s| v(s)).collect()
}

fn linux() -> Platform {
    "linux/amd64".parse().unwrap()
}

/// A temporary file system: projects under `p/`, GOX_HOME at `home/`.
struct Tree {
    root: tempfile::TempDir,
    layout: Layout,
}

impl Tree {
    fn new() -> Self {
        let root = tempfile::tempdir().unwrap();
        let layout = Layout::at(
            root.path().join("home"),
            root.path().join("cache"),
            root.path().join("c.toml"),
        );
        fs::create_dir_all(layout.home()).unwrap();
        Self { root, layout }
    }

    /// `rel` with `/` between its parts, spelled natively (`\\` on Windows), as the walk
    /// up from a directory spells the files it finds.
    fn path(&self, rel: &str) -> PathBuf {
        rel.split('/')
            .fold(self.root.path().to_path_buf(), |p, part| p.join(part))
    }

    fn file(&self, rel: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let path = self.path(rel);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(&path, contents).unwrap();
        path
    }

    fn dir(&self, rel: &str) -> PathBuf {
        let path = self.path(rel);
        fs::create_dir_all(&path).unwrap();
        path
    }

    fn install(&self, versions: &[&str], platform: &str) {
        for version in versions {
            fs::create_dir_all(
                self.layout
                    .toolchains()
                    .join(format!("go{version}.{platform}")),
            )
            .unwrap();
        }
    }

    fn env(&self, rel: &str, vars: &[(&str, &str)]) -> Environment {
        Environment::fake(self.dir(rel), vars.iter().copied())
    }

    fn select(&self, rel: &str, vars: &[(&str, &str)]) -> Result<Option<Selection>, SelectError> {
        select(&self.env(rel, vars), &self.layout)
    }

    fn selected(&self, rel: &str) -> Selection {
        self.select(rel, &[])
            .unwrap_or_else(|e| panic!("{rel}: {e}"))
            .unwrap_or_else(|| panic!("{rel}: nothing selected"))
    }

    /// Selects and resolves for linux/amd64: `(version or "missing <spec>", source)`.
    fn resolved(&self, rel: &str) -> (String, String) {
        let selection = self.selected(rel);
        let resolved = match resolve_for(&selection, &self.layout, &linux()) {
            Resolved::Version(version) => version.to_string(),
            Resolved::Missing(spec) => format!("missing {spec}"),
        };
        (resolved, selection.source.describe())
    }

    fn bad_file(&self, rel: &str, vars: &[(&str, &str)]) -> (PathBuf, usize, String, String) {
        match self.select(rel, vars) {
            Err(SelectError::BadFile {
                path,
                line,
                text,
                reason,
            }) => (path, line, text, reason),
            other => panic!("{rel}: expected BadFile, got {other:?}"),
        }
    }
}

fn show(path: &Path, suffix: &str) -> String {
    format!("{}{suffix}", path.display())
}

#[test]
fn go_version_file_pins_and_subdirectories_inherit() {
    let t = Tree::new();
    let pin = t.file(
        "p/gv/.go-version",
        "\u{feff}# CI uses this\r\ngo1.22.5  # patched\r\n",
    );
    t.dir("p/gv/sub/deeper");
    for rel in ["p/gv", "p/gv/sub", "p/gv/sub/deeper"] {
        let selection = t.selected(rel);
        assert_eq!(
            selection.request,
            Request::Spec(Spec::Exact(v("1.22.5"))),
            "{rel}"
        );
        assert_eq!(selection.raw, "go1.22.5");
        assert_eq!(
            selection.source,
            Source {
                origin: Origin::GoVersionFile,
                path: Some(pin.clone()),
                line: Some(2)
            }
        );
        assert_eq!(selection.source.kind(), SourceKind::File);
        assert_eq!(t.resolved(rel), ("1.22.5".to_owned(), show(&pin, ":2")));
    }
}

#[test]
fn nearest_pin_wins_and_go_version_beats_tool_versions_in_one_directory() {
    let t = Tree::new();
    t.file("p/a/.go-version", "1.20.14\n");
    let near = t.file("p/a/b/.tool-versions", "golang 1.21.13\n");
    t.file(
        "p/a/b/c/go.mod",
        "module m\ngo 1.23.0\ntoolchain go1.23.2\n",
    );
    assert_eq!(
        t.resolved("p/a/b/c"),
        ("1.21.13".to_owned(), show(&near, ":1"))
    );
    let gv = t.file("p/a/b/.go-version", "1.19.13\n");
    assert_eq!(
        t.resolved("p/a/b/c"),
        ("1.19.13".to_owned(), show(&gv, ":1"))
    );
}

#[test]
fn tool_versions_golang_and_go_lines_and_non_go_files_are_skipped() {
    let t = Tree::new();
    let golang = t.file(
        "p/tv1/.tool-versions",
        "nodejs 20.1.0\n# go next\ngolang 1.21.13 1.20.14\n",
    );
    let go = t.file("p/tv2/.tool-versions", "go 1.22.5\n");
    assert_eq!(
        t.resolved("p/tv1"),
        ("1.21.13".to_owned(), show(&golang, ":3"))
    );
    assert_eq!(t.selected("p/tv1").source.origin, Origin::ToolVersions);
    assert_eq!(t.resolved("p/tv2"), ("1.22.5".to_owned(), show(&go, ":1")));

    // Only nodejs: not a Go pin, so the walk goes on to the parent's .go-version.
    let outer = t.file("p/outer/.go-version", "1.20.14");
    t.file("p/outer/inner/.tool-versions", "nodejs 20.1.0\n");
    assert_eq!(
        t.resolved("p/outer/inner"),
        ("1.20.14".to_owned(), show(&outer, ":1"))
    );

    // …or to a go.mod in the same directory.
    let module = t.file(
        "p/node/go.mod",
        "module m\n\ngo 1.22.0\n\ntoolchain go1.22.5\n",
    );
    t.file("p/node/.tool-versions", "nodejs 20.1.0\n");
    assert_eq!(
        t.resolved("p/node"),
        ("1.22.5".to_owned(), show(&module, ":5 (toolchain line)"))
    );
}

#[test]
fn go_mod_toolchain_line_is_exact() {
    let t = Tree::new();
    let module = t.file(
        "p/m/go.mod",
        "module example.com/m\n\ngo 1.22.0\n\ntoolchain go1.22.5\n",
    );
    t.dir("p/m/internal/x");
    let selection = t.selected("p/m/internal/x");
    assert_eq!(selection.request, Request::Spec(Spec::Exact(v("1.22.5"))));
    assert_eq!(selection.raw, "go1.22.5");
    assert_eq!(selection.source.origin, Origin::ToolchainLine);
    assert_eq!(
        t.resolved("p/m/internal/x"),
        ("1.22.5".to_owned(), show(&module, ":5 (toolchain line)"))
    );

    t.file(
        "p/custom/go.mod",
        "module m\ngo 1.21.0\ntoolchain go1.21.6-custom\n",
    );
    assert_eq!(t.resolved("p/custom").0, "1.21.6");
    t.file(
        "p/default/go.mod",
        "module m\ngo 1.21.3\ntoolchain default\n",
    );
    assert_eq!(t.selected("p/default").source.origin, Origin::GoLine);
}

#[test]
fn toolchain_line_older_than_the_go_line_is_ignored_like_go_does() {
    let t = Tree::new();
    let module = t.file("p/m/go.mod", "module m\ngo 1.23.1\ntoolchain go1.22.5\n");
    assert_eq!(
        t.resolved("p/m"),
        ("1.23.1".to_owned(), show(&module, ":2 (go line, minimum)"))
    );
    // Equal counts as the toolchain line: it pins exactly.
    t.file("p/eq/go.mod", "module m\ngo 1.22.5\ntoolchain go1.22.5\n");
    t.install(&["1.22.9"], "linux-amd64");
    assert_eq!(t.selected("p/eq").source.origin, Origin::ToolchainLine);
    assert_eq!(t.resolved("p/eq").0, "1.22.5");
}

#[test]
fn go_line_is_a_minimum_over_installed_patches() {
    let t = Tree::new();
    let module = t.file(
        "p/m/go.mod",
        "// comment\nmodule m\n\ngo 1.21\n\nrequire (\n\tgolang.org/x/mod v0.17.0\n)\n",
    );
    let selection = t.selected("p/m");
    assert_eq!(selection.request, Request::Minimum(v("1.21.0")));
    assert_eq!(selection.raw, "1.21");
    // Nothing installed: the first release of the language version.
    assert_eq!(
        t.resolved("p/m"),
        ("1.21.0".to_owned(), show(&module, ":4 (go line, minimum)"))
    );
    // Other platforms and other minors do not count.
    t.install(&["1.21.13", "1.22.3"], "darwin-arm64");
    t.install(&["1.22.3", "1.20.14"], "linux-amd64");
    assert_eq!(t.resolved("p/m").0, "1.21.0");
    t.install(&["1.21.13", "1.21.2"], "linux-amd64");
    assert_eq!(t.resolved("p/m").0, "1.21.13");
}

#[test]
fn go_line_minimum_rules() {
    let min = |go: &str, installed: &[&str]| {
        let t = Tree::new();
        t.file("p/go.mod", format!("module m\ngo {go}\n"));
        t.install(installed, "linux-amd64");
        t.resolved("p").0
    };
    assert_eq!(min("1.22", &[]), "1.22.0");
    assert_eq!(min("1.21rc1", &[]), "1.21rc1");
    assert_eq!(min("1.20", &[]), "1.20");
    assert_eq!(min("1.21.3", &[]), "1.21.3");
    assert_eq!(min("1.21.3", &["1.21.1", "1.21.2"]), "1.21.3");
    assert_eq!(min("1.21.3", &["1.21.1", "1.21.5", "1.21.4"]), "1.21.5");
    assert_eq!(min("1.21rc1", &["1.21rc2", "1.20.3"]), "1.21rc2");
    assert_eq!(min("1.22", &["1.22rc1"]), "1.22.0");
    assert_eq!(min("1.20", &["1.20.3", "1.20rc1"]), "1.20.3");
}

#[test]
fn go_work_beats_go_mod_even_when_farther() {
    let t = Tree::new();
    let work = t.file(
        "p/ws/go.work",
        "go 1.23.0\n\ntoolchain go1.23.2\n\nuse (\n\t./mod\n)\n",
    );
    t.file("p/ws/mod/go.mod", "module m\ngo 1.22\ntoolchain go1.22.1\n");
    t.dir("p/ws/mod/pkg");
    assert_eq!(
        t.resolved("p/ws/mod/pkg"),
        ("1.23.2".to_owned(), show(&work, ":3 (toolchain line)"))
    );

    // A go.work without toolchain line: its go line, not the module's toolchain line.
    t.file("p/ws/go.work", "go 1.23.0\nuse ./mod\n");
    assert_eq!(
        t.resolved("p/ws/mod/pkg"),
        ("1.23.0".to_owned(), show(&work, ":1 (go line, minimum)"))
    );

    // GOWORK=off: the module alone.
    let env = t.env("p/ws/mod/pkg", &[("GOWORK", "off")]);
    let selection = select(&env, &t.layout).unwrap().unwrap();
    assert_eq!(selection.request, Request::Spec(Spec::Exact(v("1.22.1"))));

    // GOWORK naming a file elsewhere.
    let other = t.file("elsewhere/x.work", "go 1.24.0\ntoolchain go1.24.1\n");
    let env = t.env("p/ws/mod/pkg", &[("GOWORK", other.to_str().unwrap())]);
    assert_eq!(
        select(&env, &t.layout).unwrap().unwrap().source.path,
        Some(other.clone())
    );
    // …that does not exist yet (`GOWORK=… go work init` makes it): the module decides, as
    // the go command runs without it.
    let missing = t.path("elsewhere/missing.work");
    let env = t.env("p/ws/mod/pkg", &[("GOWORK", missing.to_str().unwrap())]);
    let selection = select(&env, &t.layout).unwrap().unwrap();
    assert_eq!(selection.request, Request::Spec(Spec::Exact(v("1.22.1"))));
    assert_eq!(selection.source.path, Some(t.path("p/ws/mod/go.mod")));

    // A relative GOWORK is an error the go command makes too.
    let err = t
        .select("p/ws/mod/pkg", &[("GOWORK", "rel/go.work")])
        .unwrap_err();
    assert!(
        matches!(err, SelectError::BadEnv { var: "GOWORK", .. }),
        "{err}"
    );
    // …but only when a go.work could matter.
    t.file("p/ws/mod/.go-version", "1.21.13");
    assert!(
        t.select("p/ws/mod/pkg", &[("GOWORK", "rel/go.work")])
            .is_ok()
    );
}

#[test]
fn gox_version_beats_everything() {
    let t = Tree::new();
    t.file("p/all/.go-version", "1.22.5");
    t.file("p/all/.tool-versions", "golang 1.21.0");
    t.file("p/all/go.mod", "module m\ngo 1.23.0\ntoolchain go1.23.1\n");
    t.file("home/default", "1.20.14\n");
    let selection = t
        .select("p/all", &[("GOX_VERSION", " 1.22 ")])
        .unwrap()
        .unwrap();
    assert_eq!(
        selection.request,
        Request::Spec(Spec::parse("1.22").unwrap())
    );
    assert_eq!(selection.raw, "1.22");
    assert_eq!(selection.source.describe(), "GOX_VERSION");
    assert_eq!(selection.source.kind(), SourceKind::Env);
    // Empty means unset.
    assert_eq!(
        t.select("p/all", &[("GOX_VERSION", "")])
            .unwrap()
            .unwrap()
            .source
            .origin,
        Origin::GoVersionFile
    );

    let err = t.select("p/all", &[("GOX_VERSION", "banana")]).unwrap_err();
    assert!(
        matches!(&err, SelectError::BadEnv { var: "GOX_VERSION", value, .. } if value == "banana")
    );
    assert!(
        err.to_string()
            .starts_with("GOX_VERSION=\"banana\": `banana` is not a Go version or spec"),
        "{err}"
    );
}

#[test]
fn default_file_then_nothing() {
    let t = Tree::new();
    t.dir("p/plain");
    assert_eq!(t.select("p/plain", &[]), Ok(None));
    let default = t.file("home/default", "# set by gox default\nlatest\n");
    t.install(&["1.22.10", "1.23rc1"], "linux-amd64");
    let selection = t.selected("p/plain");
    assert_eq!(selection.source.kind(), SourceKind::Default);
    assert_eq!(selection.source.line, Some(2));
    assert_eq!(
        t.resolved("p/plain"),
        (
            "1.22.10".to_owned(),
            format!("default ({})", default.display())
        )
    );

    fs::write(&default, "\n# nothing\n").unwrap();
    let (path, line, _, reason) = t.bad_file("p/plain", &[]);
    assert_eq!((path, line), (default, 1));
    assert!(reason.starts_with("empty version file"), "{reason}");
}

/// What `select` reads as the global default, alone in the file, is gox's; a file that
/// also says something else, or that `select` refuses, is not.
#[test]
fn default_files_are_told_from_notes() {
    let t = Tree::new();
    t.dir("p/plain");
    for ours in [
        "1.22.10\n",
        "latest\n",
        "1.22\r\n",
        "go1.21.13",
        "\u{feff}# set by gox default\n\nlatest\n# end\n",
        "1.23rc1 # newest rc\n",
    ] {
        assert!(is_default_file(ours), "{ours:?}");
        t.file("home/default", ours);
        assert_eq!(t.selected("p/plain").source.kind(), SourceKind::Default);
    }
    for notes in [
        "",
        "\n# nothing\n",
        "call the bank\nbuy milk\n",
        "banana\n",
        "1.22.10\ncall the bank\n",
        "1.22.10\n1.21.0\n",
        "1.22.10 1.21.0\n",
    ] {
        assert!(!is_default_file(notes), "{notes:?}");
    }
}

#[test]
fn partial_specs_resolve_to_the_newest_installed_or_missing() {
    let t = Tree::new();
    t.file("p/m/.go-version", "1.22\n");
    assert_eq!(t.resolved("p/m").0, "missing 1.22");
    t.install(&["1.22.3", "1.22.10", "1.21.13"], "linux-amd64");
    t.install(&["1.22.11"], "darwin-arm64");
    assert_eq!(t.resolved("p/m").0, "1.22.10");

    let selection = t.selected("p/m");
    assert_eq!(
        selection.resolve(&vs(&["1.22.3", "1.22.10", "1.21.13"])),
        Resolved::Version(v("1.22.10"))
    );
    assert_eq!(
        selection.resolve(&[]),
        Resolved::Missing(Spec::parse("1.22").unwrap())
    );
    assert_eq!(
        selection.resolve(&vs(&["1.21.13", "1.23.0"])).version(),
        None
    );
}

#[test]
fn exact_specs_resolve_without_listing_installed() {
    let selection = Selection {
        request: Request::Spec(Spec::parse("1.22.5").unwrap()),
        source: Source {
            origin: Origin::GoxVersionEnv,
            path: None,
            line: None,
        },
        raw: "1.22.5".to_owned(),
    };
    assert!(!selection.request.needs_installed());
    // A layout whose toolchains/ is a file: listing it would find nothing either way, but
    // the exact answer must not depend on it.
    let layout = Layout::at("/nonexistent/gox", "/nonexistent/c", "/nonexistent/c.toml");
    assert_eq!(
        resolve_for(&selection, &layout, &linux()),
        Resolved::Version(v("1.22.5"))
    );
    assert_eq!(
        selection.resolve(&vs(&["1.22.6"])),
        Resolved::Version(v("1.22.5"))
    );
    assert!(Request::Minimum(v("1.22.0")).needs_installed());
    assert!(Request::Spec(Spec::Latest).needs_installed());
}

#[test]
fn bad_files_name_path_line_and_fix() {
    let t = Tree::new();
    let gv = t.file("p/banana/.go-version", "# pinned\nbanana\n");
    let (path, line, text, reason) = t.bad_file("p/banana", &[]);
    assert_eq!((path, line, text.as_str()), (gv.clone(), 2, "banana"));
    assert!(
        reason.starts_with("`banana` is not a Go version or spec"),
        "{reason}"
    );
    let err = t.select("p/banana", &[]).unwrap_err();
    assert!(
        err.to_string()
            .starts_with(&show(&gv, ":2: `banana` is not a Go version")),
        "{err}"
    );
    assert_eq!(err.path(), Some(gv.as_path()));

    t.file("p/x/.go-version", "1.x\n");
    let (_, line, _, reason) = t.bad_file("p/x", &[]);
    assert_eq!(line, 1);
    assert!(
        reason.contains("expected a minor number")
            && reason.ends_with("write a version like 1.22.5"),
        "{reason}"
    );

    t.file("p/empty/.go-version", "");
    let (_, line, _, reason) = t.bad_file("p/empty", &[]);
    assert_eq!(line, 1);
    assert!(reason.starts_with("empty version file"), "{reason}");

    t.file("p/two/.go-version", "1.22.5 1.21.0\n");
    assert_eq!(t.bad_file("p/two", &[]).1, 1);

    t.file("p/tv/.tool-versions", "nodejs 20\n\ngolang\n");
    let (_, line, text, _) = t.bad_file("p/tv", &[]);
    assert_eq!((line, text.as_str()), (3, "golang"));

    t.file("p/tvbad/.tool-versions", "golang system\n");
    assert!(
        t.bad_file("p/tvbad", &[])
            .3
            .contains("`system` is not a Go version or spec")
    );
}

#[test]
fn bad_go_mod_lines() {
    let t = Tree::new();
    let cases = [
        ("module m\n\ngo 1.x\n", 3, "expected a minor number"),
        (
            "module m\ngo go1.22\n",
            2,
            "`go1.22` is not a Go version for a go line",
        ),
        (
            "module m\ngo 1\n",
            2,
            "`1` is not a Go version for a go line",
        ),
        (
            "module m\ngo 1.22\ntoolchain 1.22.5\n",
            3,
            "`1.22.5` is not a Go toolchain name",
        ),
        (
            "module m\ngo 1.22\ntoolchain gofoo\n",
            3,
            "`gofoo` is not a Go toolchain name",
        ),
        (
            "module m\ngo 1.22\ntoolchain go1.x\n",
            3,
            "expected a minor number",
        ),
        ("module m\ngo 1.21\ngo 1.22\n", 3, "repeated `go` directive"),
        ("module m\nrequire (\n\ta v1\n", 2, "never closed"),
    ];
    for (i, (text, want_line, want)) in cases.into_iter().enumerate() {
        let rel = format!("p/m{i}");
        let module = t.file(&format!("{rel}/go.mod"), text);
        let (path, line, _, reason) = t.bad_file(&rel, &[]);
        assert_eq!((path, line), (module, want_line), "{text:?}: {reason}");
        assert!(reason.contains(want), "{text:?}: {reason}");
    }
}

#[test]
fn non_utf8_files_are_bad_files_with_the_line() {
    let t = Tree::new();
    let gv = t.file("p/latin1/.go-version", b"# caf\xe9\n1.22.5\n");
    let (path, line, text, reason) = t.bad_file("p/latin1", &[]);
    assert_eq!((path, line, text.as_str()), (gv, 1, "# caf\u{fffd}"));
    assert!(reason.contains("not valid UTF-8"), "{reason}");

    // UTF-16 with its byte-order mark, as Windows PowerShell 5.1's `"1.22.10" > .go-version`
    // writes it (CRLF included), little or big endian: read as the same text.
    let le: Vec<u8> = [0xff, 0xfe]
        .into_iter()
        .chain("1.22.10\r\n".encode_utf16().flat_map(u16::to_le_bytes))
        .collect();
    let gv = t.file("p/utf16/.go-version", &le);
    let selected = t.selected("p/utf16");
    assert_eq!(selected.source.path, Some(gv));
    assert_eq!(selected.raw, "1.22.10");
    let be: Vec<u8> = [0xfe, 0xff]
        .into_iter()
        .chain(
            "go 1.21.13 # pinned\n"
                .encode_utf16()
                .flat_map(u16::to_be_bytes),
        )
        .collect();
    t.file("p/utf16be/.tool-versions", &be);
    assert_eq!(t.selected("p/utf16be").raw, "1.21.13");
    // Not UTF-16 after all (an odd length, an unpaired surrogate): named as such.
    t.file("p/utf16odd/.go-version", b"\xff\xfe1\x00.\x002\x002\x00\n");
    assert!(t.bad_file("p/utf16odd", &[]).3.contains("UTF-16"));
    t.file("p/utf16bad/.go-version", b"\xff\xfe\x00\xd8\n\x00");
    assert!(t.bad_file("p/utf16bad", &[]).3.contains("UTF-16"));

    // go.mod is another matter: the go command reads such bytes as U+FFFD, which a comment
    // may hold and a version may not.
    let module = t.file(
        "p/mod/go.mod",
        b"module m // caf\xe9\n\ngo 1.22\n// \xc3\x28\n",
    );
    assert_eq!(t.selected("p/mod").source.path, Some(module));
    t.file("p/modbad/go.mod", b"module m\n\ngo 1.22\xe9\n");
    let (_, line, text, reason) = t.bad_file("p/modbad", &[]);
    assert_eq!((line, text.as_str()), (3, "go 1.22\u{fffd}"), "{reason}");
    t.file("p/mod16/go.mod", b"\xff\xfem\x00o\x00d\x00\n\x00");
    assert!(t.bad_file("p/mod16", &[]).3.contains("UTF-16"));
}

#[test]
fn directories_named_like_pins_are_not_pins() {
    let t = Tree::new();
    t.dir("p/d/.go-version");
    t.dir("p/d/.tool-versions");
    t.dir("p/d/go.mod");
    let module = t.file("p/go.mod", "module m\ngo 1.22.5\n");
    assert_eq!(t.selected("p/d").source.path, Some(module));
}

#[cfg(unix)]
#[test]
fn special_files_named_like_pins_are_not_pins() {
    // Probed with `stat` before any `open`: reading a FIFO would block the shim forever.
    let t = Tree::new();
    let fifo = t.dir("p/fifo").join(".go-version");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    assert!(made.is_ok_and(|s| s.success()), "mkfifo {}", fifo.display());
    let module = t.file("p/go.mod", "module m\ngo 1.22.5\n");
    // Bounded: a regression blocks in `open`, and the test must fail, not hang.
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(t.selected("p/fifo").source.path);
    });
    let selected = rx.recv_timeout(std::time::Duration::from_secs(20));
    assert_eq!(
        selected.ok().flatten(),
        Some(module),
        "a FIFO pin blocked selection"
    );
}

#[cfg(unix)]
#[test]
fn unreadable_pin_is_a_read_error() {
    use std::os::unix::fs::PermissionsExt;
    let t = Tree::new();
    let gv = t.file("p/locked/.go-version", "1.22.5\n");
    fs::set_permissions(&gv, fs::Permissions::from_mode(0o000)).unwrap();
    if fs::read(&gv).is_ok() {
        return; // running as root: permissions do not apply
    }
    match t.select("p/locked", &[]) {
        Err(SelectError::Read { path, message }) => {
            assert_eq!(path, gv);
            assert!(!message.is_empty());
        }
        other => panic!("expected Read, got {other:?}"),
    }
}

#[test]
fn module_minimum_reports_the_go_line_as_written() {
    let t = Tree::new();
    t.dir("p/none");
    let env = |rel: &str| t.env(rel, &[]);
    assert_eq!(module_minimum(&env("p/none")).unwrap(), None);

    let module = t.file("p/m/go.mod", "module m\n\ngo 1.22\ntoolchain go1.22.5\n");
    t.file("p/m/.go-version", "1.21.13\n");
    t.dir("p/m/sub");
    let (version, source) = module_minimum(&env("p/m/sub")).unwrap().unwrap();
    assert_eq!(version.as_str(), "1.22");
    assert!(v("1.22rc1") >= version && v("1.21.13") < version);
    assert_eq!(source.describe(), show(&module, ":3 (go line, minimum)"));

    let work = t.file("p/w/go.work", "go 1.23.0\nuse ./m\n");
    t.file("p/w/m/go.mod", "module m\ngo 1.21\n");
    let (version, source) = module_minimum(&env("p/w/m")).unwrap().unwrap();
    assert_eq!((version.as_str(), source.path), ("1.23.0", Some(work)));

    t.file("p/nogo/go.mod", "module m\n");
    assert_eq!(module_minimum(&env("p/nogo")).unwrap(), None);
    t.file("p/bad/go.mod", "module m\ngo banana\n");
    assert!(matches!(
        module_minimum(&env("p/bad")),
        Err(SelectError::BadFile { line: 2, .. })
    ));
}

#[test]
fn describe_every_origin() {
    let source = |origin, path: Option<&str>, line| Source {
        origin,
        path: path.map(PathBuf::from),
        line,
    };
    let cases = [
        (
            source(Origin::GoxVersionEnv, None, None),
            "GOX_VERSION",
            SourceKind::Env,
        ),
        (
            source(Origin::GoVersionFile, Some("/p/.go-version"), Some(1)),
            "/p/.go-version:1",
            SourceKind::File,
        ),
        (
            source(Origin::ToolVersions, Some("/p/.tool-versions"), Some(2)),
            "/p/.tool-versions:2",
            SourceKind::File,
        ),
        (
            source(Origin::ToolchainLine, Some("/p/go.mod"), Some(5)),
            "/p/go.mod:5 (toolchain line)",
            SourceKind::File,
        ),
        (
            source(Origin::GoLine, Some("/p/go.mod"), Some(3)),
            "/p/go.mod:3 (go line, minimum)",
            SourceKind::File,
        ),
        (
            source(Origin::DefaultFile, Some("/h/default"), Some(1)),
            "default (/h/default)",
            SourceKind::Default,
        ),
    ];
    for (source, want, kind) in cases {
        assert_eq!(source.describe(), want);
        assert_eq!(source.kind(), kind);
    }
    assert_eq!(SourceKind::Default.as_str(), "default");
}

#[test]
fn errors_display_file_and_line() {
    let err = SelectError::BadFile {
        path: PathBuf::from("/p/.go-version"),
        line: 1,
        text: "banana".to_owned(),
        reason: "`banana` is not a Go version".to_owned(),
    };
    assert_eq!(
        err.to_string(),
        "/p/.go-version:1: `banana` is not a Go version"
    );
    let err = SelectError::Read {
        path: PathBuf::from("/p/go.mod"),
        message: "Permission denied".to_owned(),
    };
    assert_eq!(err.to_string(), "cannot read /p/go.mod: Permission denied");
}

/// The audit's cases, each checked against go 1.27 (crates/gox/tests/gomod_oracle.rs runs
/// them through both): what the go command refuses in a go.mod or go.work, gox refuses,
/// naming the file and line.
#[test]
fn go_mod_and_go_work_are_refused_where_the_go_command_refuses_them() {
    let t = Tree::new();
    let cases: [(&str, &str, usize, &str); 9] = [
        (
            "go.mod",
            "module m\ngo 1.21rc\n",
            2,
            "`1.21rc` is not a Go version",
        ),
        (
            "go.mod",
            "module m\ngo\u{a0}1.22\n",
            2,
            "U+00A0 (a no-break space)",
        ),
        ("go.work", "go 1.22\u{a0}// x\nuse .\n", 1, "U+00A0"),
        (
            "go.mod",
            "\u{feff}module m\ngo 1.22\n",
            1,
            "byte-order mark",
        ),
        ("go.work", "\u{feff}go 1.22\nuse .\n", 1, "byte-order mark"),
        (
            "go.mod",
            "module m\nfoo bar\ngo 1.22\n",
            2,
            "unknown directive `foo`",
        ),
        (
            "go.work",
            "go 1.22\nmodule m\n",
            2,
            "unknown directive `module`",
        ),
        (
            "go.mod",
            "module m\ngo 1.21\ntoolchain go1.22.5+auto\n",
            3,
            "`go1.22.5+auto` is not a toolchain the go command can run",
        ),
        (
            "go.mod",
            "module m\ngo 1.21\ntoolchain go1.22.0rc1\n",
            3,
            "`go1.22.0rc1` is not a toolchain",
        ),
    ];
    for (i, (name, text, want_line, want)) in cases.into_iter().enumerate() {
        let rel = format!("p/c{i}");
        t.file(&format!("{rel}/go.mod"), "module m\n");
        let file = t.file(&format!("{rel}/{name}"), text);
        let (path, line, _, reason) = t.bad_file(&rel, &[]);
        assert_eq!((path, line), (file, want_line), "{text:?}: {reason}");
        assert!(reason.contains(want), "{text:?}: {reason}");
    }
    t.file("p/slash/go.mod", "module m\ntoolchain go1.22.5-a/b\n");
    assert!(t.bad_file("p/slash", &[]).3.contains("no `/`"));
    // `gox current`'s warning reads the same file the same way.
    assert!(matches!(
        module_minimum(&t.env("p/c0", &[])),
        Err(SelectError::BadFile { line: 2, .. })
    ));
}

/// `go 1.22.0rc1` passes modfile's syntax, but no Go can order it: to the go command it
/// sorts below every release, so it asks for nothing. The toolchain line still applies.
#[test]
fn a_go_line_no_go_can_order_asks_for_nothing() {
    let t = Tree::new();
    t.file("p/rc/go.mod", "module m\ngo 1.22.0rc1\n");
    t.file("p/rc01/go.mod", "module m\ngo 1.21rc01\n");
    for rel in ["p/rc", "p/rc01"] {
        assert_eq!(t.select(rel, &[]), Ok(None), "{rel}");
        assert_eq!(module_minimum(&t.env(rel, &[])), Ok(None), "{rel}");
    }
    t.file("home/default", "1.21.13\n");
    assert_eq!(t.selected("p/rc").source.origin, Origin::DefaultFile);
    let module = t.file(
        "p/tc/go.mod",
        "module m\ngo 1.22.0rc1\ntoolchain go1.21.3\n",
    );
    assert_eq!(
        t.resolved("p/tc"),
        ("1.21.3".to_owned(), show(&module, ":3 (toolchain line)"))
    );
    // A go line that needs its rc number still is one.
    t.file("p/rc0/go.mod", "module m\ngo 1.21rc0\n");
    assert_eq!(t.resolved("p/rc0").0, "1.21rc0");
}

/// The go command ignores a go.mod in the system temp root (`os.TempDir()`), and does not
/// look further up for another; a go.work there still counts.
#[test]
fn a_go_mod_in_the_system_temp_root_is_ignored_like_go_does() {
    let t = Tree::new();
    t.file("go.mod", "module up\ngo 1.23.0\n");
    t.file("tmp/go.mod", "module t\ngo 1.22.5\n");
    t.dir("tmp/sub/deeper");
    let tmp = t.path("tmp");
    // os.TempDir() reads TMPDIR on Unix, TMP first on Windows.
    let var = if cfg!(windows) { "TMP" } else { "TMPDIR" };
    let tmpdir = |value: &Path| [(var, value.to_str().unwrap().to_owned())];
    let select_in = |rel: &str, vars: &[(&str, String)]| {
        let env = Environment::fake(t.path(rel), vars.iter().map(|(k, v)| (*k, v.clone())));
        (select(&env, &t.layout), module_minimum(&env))
    };
    assert_eq!(
        select_in("tmp/sub/deeper", &tmpdir(&tmp)),
        (Ok(None), Ok(None))
    );
    assert_eq!(select_in("tmp", &tmpdir(&tmp)).0, Ok(None));
    // Written with a trailing slash, or reached through a symbolic link: still the root.
    let slash = PathBuf::from(format!("{}/", tmp.display()));
    assert_eq!(select_in("tmp/sub", &tmpdir(&slash)).0, Ok(None));
    #[cfg(unix)]
    {
        let link = t.path("tmplink");
        std::os::unix::fs::symlink(&tmp, &link).unwrap();
        assert_eq!(select_in("tmp/sub", &tmpdir(&link)).0, Ok(None));
        assert_eq!(select_in("tmplink/sub", &tmpdir(&tmp)).0, Ok(None));
    }
    // Another temp dir: the go.mod is an ordinary one.
    let (selected, _) = select_in("tmp/sub", &tmpdir(&t.path("elsewhere")));
    assert_eq!(selected.unwrap().unwrap().raw, "1.22.5");
    // A go.work in the temp root is used.
    t.file("tmp/go.work", "go 1.23.1\nuse ./sub\n");
    let (selected, _) = select_in("tmp/sub", &tmpdir(&tmp));
    assert_eq!(selected.unwrap().unwrap().raw, "1.23.1");
}

/// Makes `dir` the directory that holds Go's `go/env` for `env` (os.UserConfigDir()).
fn go_config_in(env: &mut Environment, dir: PathBuf) {
    env.set(
        if cfg!(windows) {
            "APPDATA"
        } else {
            "XDG_CONFIG_HOME"
        },
        dir,
    );
}

/// `GOWORK` comes from the variable, else from Go's env file (read only once a go.work is
/// found: the shim's usual run does not open it).
#[test]
fn gowork_from_gos_env_file() {
    let t = Tree::new();
    let work = t.file("p/ws/go.work", "go 1.23.0\ntoolchain go1.23.2\nuse ./mod\n");
    let module = t.file("p/ws/mod/go.mod", "module m\ngo 1.22\ntoolchain go1.22.1\n");
    let other = t.file("elsewhere/x.work", "go 1.24.0\ntoolchain go1.24.1\n");
    t.dir("p/ws/mod/pkg");
    let env_file = t.path("config/go/env");
    let with_file = |text: &str, vars: &[(&str, &str)]| {
        t.file("config/go/env", text);
        let mut env = t.env("p/ws/mod/pkg", vars);
        go_config_in(&mut env, t.path("config"));
        select(&env, &t.layout).map(|s| s.and_then(|s| s.source.path))
    };
    assert_eq!(with_file("GOWORK=off\n", &[]), Ok(Some(module.clone())));
    assert_eq!(
        with_file("GOPROXY=x\nGOWORK=off\nGOSUMDB=off\n", &[]),
        Ok(Some(module.clone()))
    );
    assert_eq!(
        with_file(&format!("GOWORK={}\n", other.display()), &[]),
        Ok(Some(other.clone()))
    );
    assert_eq!(with_file("GOWORK=auto\n", &[]), Ok(Some(work.clone())));
    assert_eq!(with_file("GOWORK=\n", &[]), Ok(Some(work.clone())));
    assert_eq!(
        with_file("GOWORK=off\nGOWORK=auto\n", &[]),
        Ok(Some(work.clone()))
    );
    // The variable wins over the file.
    assert_eq!(
        with_file("GOWORK=off\n", &[("GOWORK", "auto")]),
        Ok(Some(work.clone()))
    );
    // The go.work is in the same directory as the only go.mod.
    t.file("p/one/go.work", "go 1.23.0\nuse .\n");
    let one = t.file("p/one/go.mod", "module m\ngo 1.21\n");
    t.file("config/go/env", "GOWORK=off\n");
    let mut env = t.env("p/one", &[]);
    go_config_in(&mut env, t.path("config"));
    assert_eq!(
        select(&env, &t.layout).unwrap().unwrap().source.path,
        Some(one)
    );
    // A relative GOWORK is refused, naming the file, the line and the fix…
    match with_file("# x\nGOWORK=rel/go.work\n", &[]) {
        Err(SelectError::BadFile {
            path,
            line,
            text,
            reason,
        }) => {
            assert_eq!(
                (path, line, text.as_str()),
                (env_file.clone(), 2, "GOWORK=rel/go.work")
            );
            assert!(
                reason.contains("not an absolute path") && reason.contains("delete the line"),
                "{reason}"
            );
        }
        other => panic!("expected BadFile, got {other:?}"),
    }
    // …but only where a go.work is found: elsewhere the file is not even read.
    t.file("p/plain/go.mod", "module m\ngo 1.22\n");
    let mut env = t.env("p/plain", &[]);
    go_config_in(&mut env, t.path("config"));
    assert!(select(&env, &t.layout).unwrap().is_some());
}

/// Which Go runs is decided by the go command's toolchain switch, which takes the first line
/// starting with `go` or `toolchain` anywhere, a block line too; modfile's own go line is
/// what the go that runs then checks itself against.
#[test]
fn lines_are_read_as_the_go_commands_switch_reads_them() {
    let t = Tree::new();
    t.file(
        "p/go/go.mod",
        "module m\nreplace (\n\tgo => ./x\n)\ngo 1.22\n",
    );
    assert_eq!(t.select("p/go", &[]), Ok(None));
    let (minimum, _) = module_minimum(&t.env("p/go", &[])).unwrap().unwrap();
    assert_eq!(minimum.as_str(), "1.22");
    t.file(
        "p/tc/go.mod",
        "module m\nreplace (\n\ttoolchain => ./x\n)\ngo 1.22\n",
    );
    let (_, line, text, reason) = t.bad_file("p/tc", &[]);
    assert_eq!((line, text.as_str()), (3, "toolchain => ./x"), "{reason}");
    assert!(
        reason.contains("takes the first line starting with `toolchain`"),
        "{reason}"
    );
}
