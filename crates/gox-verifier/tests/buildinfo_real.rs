//! The build info reader against real Go binaries: `bin/gofmt` of the fixture toolchains.

use std::io::Read;

use gox_verifier::parse_buildinfo;

/// The bytes of `go/bin/gofmt` inside a fixture archive.
fn gofmt_of(version: &str) -> Vec<u8> {
    let archive = gox_testkit::fixtures().archive(version, "linux/amd64");
    let file = std::fs::File::open(&archive.path).unwrap();
    let mut tar = tar::Archive::new(flate2::read::GzDecoder::new(file));
    for entry in tar.entries().unwrap() {
        let mut entry = entry.unwrap();
        if entry.path().unwrap().to_str() == Some("go/bin/gofmt") {
            let mut bytes = Vec::new();
            entry.read_to_end(&mut bytes).unwrap();
            return bytes;
        }
    }
    panic!("no go/bin/gofmt in {}", archive.path.display());
}

#[test]
fn gofmt_of_real_toolchains() {
    for version in ["1.22.10", "1.27.3"] {
        let info = parse_buildinfo(&gofmt_of(version)).unwrap();
        assert_eq!(info.go_version, format!("go{version}"));
        assert_eq!(info.path.as_deref(), Some("cmd/gofmt"));
        assert_eq!((info.goos(), info.goarch()), (Some("linux"), Some("amd64")));
        // The toolchain's own commands are built without cgo and belong to std: no module.
        assert_eq!(info.cgo_enabled(), Some(false), "{version}");
        assert_eq!(info.main, None);
        assert!(info.deps.is_empty());
    }
}
