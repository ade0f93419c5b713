//! The real fixture feed (`cargo xtask fixtures`): every archive it serves can be found
//! with its true checksum, and its oddities are handled.

use gox_core::{Platform, Spec, Version};
use gox_resolver::{Feed, FileKind};

#[test]
fn the_fixture_feed_finds_every_fixture_archive() {
    let fixtures = gox_testkit::fixtures();
    let feed = Feed::parse(fixtures.feed_json.as_bytes(), "fixtures/feed.json").unwrap();
    assert!(!feed.releases().is_empty());
    assert!(
        feed.releases()
            .windows(2)
            .all(|w| w[0].version >= w[1].version)
    );

    for archive in &fixtures.archives {
        let spec = Spec::Exact(Version::parse(&archive.version).unwrap());
        // The 1.27.x fixtures are files only (xtask fixtures keeps them out of the default
        // feed so its `latest` stays 1.22.10); tests that need them build their own feed.
        if archive.version.starts_with("1.27.") {
            assert!(
                feed.resolve(&spec).is_none(),
                "{} leaked into the feed",
                archive.version
            );
            continue;
        }
        let release = feed
            .resolve(&spec)
            .unwrap_or_else(|| panic!("{} not in feed", archive.version));
        let platform: Platform = archive.platform().parse().unwrap();
        let file = feed.artifact(release, &platform).unwrap();
        assert_eq!(file.filename(), archive.filename);
        assert_eq!(file.sha256(), Some(archive.sha256.as_str()));
        assert_eq!(file.size(), archive.size);
    }
}

#[test]
fn the_fixture_feed_oddities_are_handled() {
    let fixtures = gox_testkit::fixtures();
    let feed = Feed::parse(fixtures.feed_json.as_bytes(), "fixtures/feed.json").unwrap();
    let release = |s: &str| {
        let version = Version::parse_feed(s).unwrap();
        feed.releases()
            .iter()
            .find(|r| r.version == version)
            .unwrap_or_else(|| panic!("fixture feed lacks {s}"))
    };

    // Listed, ordered among its neighbours, never picked by `latest`.
    let rc = release("1.9.2rc2");
    assert!(!rc.is_stable());
    assert!(feed.resolve(&Spec::Latest).unwrap().version > rc.version);
    assert!(release("1.23rc1").version.is_prerelease());

    // Very old releases have no SHA-256.
    assert!(release("1.2.2").files.iter().all(|f| f.sha256().is_none()));

    // Sources and installers never stand in for an archive.
    let all_files = feed.releases().iter().flat_map(|r| &r.files);
    for file in all_files {
        if file.kind() == &FileKind::Source {
            assert_eq!(file.platform(), None, "{}", file.filename());
        }
        if file.filename().ends_with(".pkg") || file.filename().ends_with(".msi") {
            assert_eq!(file.kind(), &FileKind::Installer, "{}", file.filename());
        }
    }

    // armv6l is Go's linux/arm.
    let arm: Platform = "linux/arm".parse().unwrap();
    let with_arm = feed
        .releases()
        .iter()
        .find(|r| r.platforms().contains(&arm));
    let with_arm = with_arm.expect("fixture feed lists a linux armv6l archive");
    let file = feed.artifact(with_arm, &arm).unwrap();
    assert!(file.filename().contains("armv6l"), "{}", file.filename());
}
