//! Reading the go.dev feed and choosing what to install from it.

use gox_core::{Platform, Spec, Version};
use gox_resolver::{Feed, FileKind, ResolveError};
use gox_testkit::FeedBuilder;

const SHA: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

fn p(s: &str) -> Platform {
    s.parse().unwrap()
}

fn v(s: &str) -> Version {
    Version::parse_feed(s).unwrap()
}

fn spec(s: &str) -> Spec {
    Spec::parse(s).unwrap()
}

/// The usual archives of a modern release.
fn full_release(b: FeedBuilder, version: &str) -> FeedBuilder {
    let go = format!("go{version}");
    b.archive(
        version,
        "linux",
        "amd64",
        &format!("{go}.linux-amd64.tar.gz"),
        SHA,
        1,
    )
    .archive(
        version,
        "linux",
        "arm64",
        &format!("{go}.linux-arm64.tar.gz"),
        SHA,
        1,
    )
    .archive(
        version,
        "linux",
        "armv6l",
        &format!("{go}.linux-armv6l.tar.gz"),
        SHA,
        1,
    )
    .archive(
        version,
        "darwin",
        "amd64",
        &format!("{go}.darwin-amd64.tar.gz"),
        SHA,
        1,
    )
    .archive(
        version,
        "darwin",
        "arm64",
        &format!("{go}.darwin-arm64.tar.gz"),
        SHA,
        1,
    )
    .installer(
        version,
        "darwin",
        "arm64",
        &format!("{go}.darwin-arm64.pkg"),
        SHA,
        1,
    )
    .archive(
        version,
        "windows",
        "amd64",
        &format!("{go}.windows-amd64.zip"),
        SHA,
        1,
    )
    .installer(
        version,
        "windows",
        "amd64",
        &format!("{go}.windows-amd64.msi"),
        SHA,
        1,
    )
    .source(version, &format!("{go}.src.tar.gz"), SHA, 1)
}

/// A feed in go.dev's shape with the oddities the real one has, deliberately not in order.
fn odd_feed() -> Feed {
    let mut b = FeedBuilder::new().release("1.23rc1", false);
    b = full_release(b, "1.23rc1");
    for version in ["1.22.10", "1.21.13", "1.22.9", "1.21.12"] {
        b = full_release(b, version);
    }
    // Listed, but held back by the feed's `stable` flag (as a mirror's own feed may do).
    b = full_release(b.release("1.22.11", false), "1.22.11");
    let json = b
        .archive(
            "1.15.15",
            "darwin",
            "amd64",
            "go1.15.15.darwin-amd64.tar.gz",
            SHA,
            1,
        )
        .archive(
            "1.15.15",
            "linux",
            "amd64",
            "go1.15.15.linux-amd64.tar.gz",
            SHA,
            1,
        )
        .archive(
            "1.9.2rc2",
            "linux",
            "amd64",
            "go1.9.2rc2.linux-amd64.tar.gz",
            SHA,
            1,
        )
        .release("1.9.2rc2", false)
        .archive(
            "1.9.2",
            "linux",
            "amd64",
            "go1.9.2.linux-amd64.tar.gz",
            SHA,
            1,
        )
        .archive(
            "1.4.3",
            "darwin",
            "amd64",
            "go1.4.3.darwin-amd64-osx10.6.tar.gz",
            SHA,
            1,
        )
        .archive(
            "1.4.3",
            "darwin",
            "amd64",
            "go1.4.3.darwin-amd64.tar.gz",
            SHA,
            1,
        )
        .archive(
            "1.4.3",
            "linux",
            "bootstrap",
            "go1.4-bootstrap-20171003.tar.gz",
            SHA,
            1,
        )
        .archive(
            "1.2.2",
            "linux",
            "amd64",
            "go1.2.2.linux-amd64.tar.gz",
            "",
            1,
        )
        .to_json();
    Feed::parse(json.as_bytes(), "https://go.dev/dl/?mode=json&include=all").unwrap()
}

#[test]
fn releases_come_newest_first_with_the_feed_oddities_in_place() {
    let feed = odd_feed();
    let versions: Vec<&str> = feed.releases().iter().map(|r| r.version.as_str()).collect();
    assert_eq!(
        versions,
        [
            "1.23rc1", "1.22.11", "1.22.10", "1.22.9", "1.21.13", "1.21.12", "1.15.15", "1.9.2",
            "1.9.2rc2", "1.4.3", "1.2.2"
        ]
    );
    assert_eq!(feed.skipped(), 0);
}

#[test]
fn specs_resolve_like_users_expect() {
    let feed = odd_feed();
    let pick = |s: &str| {
        feed.resolve(&spec(s))
            .map(|r| r.version.as_str().to_string())
    };
    // 1.22.11 is listed but the feed does not call it stable.
    assert_eq!(pick("latest").as_deref(), Some("1.22.10"));
    assert_eq!(pick("1").as_deref(), Some("1.22.10"));
    assert_eq!(pick("1.22").as_deref(), Some("1.22.10"));
    assert_eq!(pick("1.21").as_deref(), Some("1.21.13"));
    assert_eq!(pick("unstable").as_deref(), Some("1.23rc1"));
    assert_eq!(pick("1.23rc1").as_deref(), Some("1.23rc1"));
    assert_eq!(pick("go1.21.12").as_deref(), Some("1.21.12"));
    assert_eq!(pick("1.22.11").as_deref(), Some("1.22.11"));
    assert_eq!(pick("1.9.2rc2").as_deref(), Some("1.9.2rc2"));
    assert_eq!(pick("1.20"), None);
    assert_eq!(pick("1.22.99"), None);
}

#[test]
fn artifacts_are_archives_for_the_platform() {
    let feed = odd_feed();
    let release = feed.resolve(&spec("1.22.10")).unwrap();
    let name = |platform: &str| {
        feed.artifact(release, &p(platform))
            .unwrap()
            .filename()
            .to_string()
    };
    assert_eq!(name("linux/amd64"), "go1.22.10.linux-amd64.tar.gz");
    assert_eq!(name("darwin/arm64"), "go1.22.10.darwin-arm64.tar.gz");
    assert_eq!(name("windows/amd64"), "go1.22.10.windows-amd64.zip");
    assert_eq!(name("linux/arm"), "go1.22.10.linux-armv6l.tar.gz");

    let file = feed.artifact(release, &p("linux/arm")).unwrap();
    assert_eq!(file.kind(), &FileKind::Archive);
    assert_eq!(file.platform(), Some(&p("linux/arm")));
    assert_eq!(file.sha256(), Some(SHA));
}

#[test]
fn installers_and_sources_are_not_platforms() {
    let feed = odd_feed();
    let release = feed.resolve(&spec("1.22.10")).unwrap();
    let platforms: Vec<String> = feed
        .platforms(release)
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        platforms,
        [
            "darwin/amd64",
            "darwin/arm64",
            "linux/amd64",
            "linux/arm",
            "linux/arm64",
            "windows/amd64"
        ]
    );
    let source = release
        .files
        .iter()
        .find(|f| f.kind() == &FileKind::Source)
        .unwrap();
    assert_eq!(source.platform(), None);
    assert!(
        release
            .files
            .iter()
            .any(|f| f.kind() == &FileKind::Installer)
    );
}

#[test]
fn missing_platform_lists_what_exists() {
    let feed = odd_feed();
    let release = feed.resolve(&spec("1.22.10")).unwrap();
    let err = feed.artifact(release, &p("plan9/arm")).unwrap_err();
    assert!(matches!(err, ResolveError::NoBuild(_)));
    let msg = err.to_string();
    assert!(msg.contains("Go 1.22.10 has no plan9/arm archive"), "{msg}");
    assert!(
        msg.contains("darwin/arm64, linux/amd64, linux/arm,"),
        "{msg}"
    );
    assert!(!msg.contains("Rosetta"), "{msg}");
}

#[test]
fn old_go_on_apple_silicon_gets_the_amd64_route() {
    let feed = odd_feed();
    let release = feed.resolve(&spec("1.15.15")).unwrap();
    let msg = feed
        .artifact(release, &p("darwin/arm64"))
        .unwrap_err()
        .to_string();
    assert!(
        msg.contains("available: darwin/amd64, linux/amd64"),
        "{msg}"
    );
    assert!(msg.contains("--platform darwin/amd64"), "{msg}");
}

#[test]
fn bootstrap_entries_and_extra_archives_do_not_confuse_the_choice() {
    let feed = odd_feed();
    let release = feed.resolve(&spec("1.4.3")).unwrap();
    assert_eq!(feed.platforms(release), [p("darwin/amd64")]);
    let file = feed.artifact(release, &p("darwin/amd64")).unwrap();
    assert_eq!(file.filename(), "go1.4.3.darwin-amd64.tar.gz");
    assert!(feed.artifact(release, &p("linux/amd64")).is_err());
}

#[test]
fn an_empty_checksum_is_no_checksum() {
    let feed = odd_feed();
    let release = feed.resolve(&spec("1.2.2")).unwrap();
    let file = feed.artifact(release, &p("linux/amd64")).unwrap();
    assert_eq!(file.sha256(), None);
}

#[test]
fn the_patch_prerelease_sorts_just_below_its_release() {
    let feed = odd_feed();
    let pos = |s: &str| {
        feed.releases()
            .iter()
            .position(|r| r.version == v(s))
            .unwrap()
    };
    assert_eq!(pos("1.9.2rc2"), pos("1.9.2") + 1);
    assert!(!feed.releases()[pos("1.9.2rc2")].is_stable());
}

#[test]
fn unreadable_entries_are_skipped_and_counted() {
    let json = r#"[
        {"version": "go1.22.10", "stable": true, "files": [
            {"filename": "go1.22.10.linux-amd64.tar.gz", "os": "linux", "arch": "amd64",
             "version": "go1.22.10", "sha256": "", "size": 1, "kind": "archive",
             "some_future_field": {"nested": [1, 2]}}
        ]},
        {"version": "not-a-version", "stable": true, "files": []},
        {"stable": true},
        42,
        {"version": "go1.21.13", "files": [
            {"filename": "../../etc/passwd", "os": "linux", "arch": "amd64", "kind": "archive"},
            {"filename": "go1.21.13.linux-amd64.tar.gz", "os": "linux", "arch": "amd64"}
        ]}
    ]"#;
    let feed = Feed::parse(json.as_bytes(), "https://go.dev/dl/").unwrap();
    let versions: Vec<&str> = feed.releases().iter().map(|r| r.version.as_str()).collect();
    assert_eq!(versions, ["1.22.10", "1.21.13"]);
    // Three bad releases and the file with a path in its name.
    assert_eq!(feed.skipped(), 4);
    // Missing `stable` means unstable, missing `kind` means not an archive.
    let old = &feed.releases()[1];
    assert!(!old.stable);
    assert_eq!(old.files.len(), 1);
    assert!(feed.artifact(old, &p("linux/amd64")).is_err());
}

#[test]
fn a_feed_that_is_not_json_names_the_url_and_position() {
    let html = b"<!doctype html>\n<title>Sign in to Hotel WiFi</title>";
    let err = Feed::parse(html, "https://go.dev/dl/?mode=json").unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains("feed at https://go.dev/dl/?mode=json is not valid JSON"),
        "{msg}"
    );
    assert!(msg.contains("line 1 column 1"), "{msg}");
    assert!(msg.contains("Hotel WiFi"), "{msg}");
    assert!(msg.contains("GOX_FEED_URL"), "{msg}");

    let err = Feed::parse(br#"{"releases": []}"#, "https://x.example/").unwrap_err();
    assert!(matches!(err, ResolveError::FeedJson { .. }), "{err}");
}

proptest::proptest! {
    /// Whatever a feed holds, parsing neither panics nor lets an unsafe file name through,
    /// and what it keeps is sorted newest first.
    #[test]
    fn any_feed_entry_is_parsed_or_skipped(
        version in "(go)?[0-9a-z.]{0,8}",
        filename in "[ -~]{0,24}",
        os in "[a-z0-9]{0,8}",
        arch in "[a-z0-9]{0,8}",
        sha in "[0-9a-fA-F]{0,64}",
    ) {
        let json = serde_json::json!([
            {"version": version, "stable": true, "files": [
                {"filename": filename, "os": os, "arch": arch, "sha256": sha, "kind": "archive"}
            ]},
            {"version": "go1.22.10", "stable": true, "files": []}
        ]);
        let feed = Feed::parse(json.to_string().as_bytes(), "prop").unwrap();
        proptest::prop_assert!(feed.releases().windows(2).all(|w| w[0].version >= w[1].version));
        for file in feed.releases().iter().flat_map(|r| &r.files) {
            let name = file.filename();
            proptest::prop_assert!(!name.contains('/') && !name.contains(':') && !name.starts_with('.'));
            proptest::prop_assert!(file.sha256().is_none_or(|s| s.len() == 64));
        }
    }

    #[test]
    fn garbage_bytes_are_an_error_not_a_panic(body in proptest::collection::vec(proptest::num::u8::ANY, 0..256)) {
        let _ = Feed::parse(&body, "prop");
    }
}
