#![no_main]

use gox_core::{Spec, Version};
use libfuzzer_sys::fuzz_target;

/// Same version and same spelling: `Eq` alone would accept `1.20` for `1.20.0`.
fn assert_round_trips(parse: fn(&str) -> Result<Version, gox_core::VersionError>, v: &Version) {
    let again = parse(&v.to_string()).expect("a displayed version parses back");
    assert_eq!(&again, v);
    assert_eq!(again.as_str(), v.as_str());
    assert_eq!(again.go_name(), v.go_name());
}

fuzz_target!(|data: &[u8]| {
    let input = String::from_utf8_lossy(data);
    if let Ok(v) = Version::parse(&input) {
        assert!(v.is_go_valid());
        assert_round_trips(Version::parse, &v);
    }
    if let Ok(v) = Version::parse_feed(&input) {
        assert_round_trips(Version::parse_feed, &v);
    }
    if let Ok(spec) = Spec::parse(&input) {
        let again = Spec::parse(&spec.to_string()).expect("a displayed spec parses back");
        assert_eq!(again, spec);
    }
});
