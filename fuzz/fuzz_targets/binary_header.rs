//! Executable headers and Go build info come from downloaded archives and from whatever
//! sits in a toolchain directory: parsing must never panic or allocate by the input, and
//! what it returns must display (error messages are built from it).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    match gox_verifier::parse_header(data) {
        Ok(info) => drop(info.to_string()),
        Err(err) => drop(err.to_string()),
    }
    if let Some(info) = gox_verifier::parse_buildinfo(data) {
        assert!(info.go_version.starts_with("go") || info.go_version.starts_with("devel"));
    }
});
