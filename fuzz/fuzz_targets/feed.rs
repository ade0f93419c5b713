#![no_main]

use gox_core::{Platform, Spec};
use gox_resolver::Feed;
use libfuzzer_sys::fuzz_target;

// The go.dev feed parser never panics on any body (junk, HTML, wrong shapes, odd entries),
// keeps releases newest first, and everything it accepted can be resolved and picked from.
fuzz_target!(|data: &[u8]| {
    let Ok(feed) = Feed::parse(data, "https://fuzz.invalid/dl/?mode=json") else {
        return;
    };
    let releases = feed.releases();
    assert!(releases.windows(2).all(|w| w[0].version >= w[1].version));
    let platforms: Vec<Platform> = ["linux/amd64", "darwin/arm64", "windows/amd64", "linux/arm"]
        .iter()
        .map(|p| p.parse().expect("known platform"))
        .collect();
    for release in releases.iter().take(64) {
        let _ = release.is_stable();
        for platform in &platforms {
            if let Ok(file) = feed.artifact(release, platform) {
                assert!(!file.filename().is_empty());
                let _ = (file.sha256(), file.size(), file.kind());
            }
        }
        let _ = feed.platforms(release);
    }
    for spec in ["latest", "unstable", "1.22", "1.21.0", "1"] {
        if let Ok(spec) = Spec::parse(spec) {
            if let Some(release) = feed.resolve(&spec) {
                assert!(spec.matches(&release.version));
            }
        }
    }
});
