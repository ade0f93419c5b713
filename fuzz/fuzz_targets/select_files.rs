#![no_main]

use gox_core::select::{parse_go_mod, parse_go_version_file, parse_tool_versions};
use libfuzzer_sys::fuzz_target;

// The per-file parsers of version selection never panic, and whatever they return points
// at a real line of the input.
fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let lines = text.lines().count();
    let in_range = |line: usize| (1..=lines).contains(&line);
    match parse_go_version_file(text) {
        Ok(Some((spec, line))) => {
            assert!(in_range(line) && !spec.is_empty() && !spec.contains(char::is_whitespace))
        }
        Ok(None) => {}
        Err((line, _)) => assert!(in_range(line)),
    }
    match parse_tool_versions(text) {
        Ok(Some((spec, line))) => assert!(in_range(line) && !spec.is_empty()),
        Ok(None) => {}
        Err((line, _)) => assert!(in_range(line)),
    }
    match parse_go_mod(text) {
        Ok(info) => {
            for (value, line) in info.go.iter().chain(&info.toolchain) {
                assert!(in_range(*line) && !value.is_empty());
            }
        }
        Err((line, _)) => assert!(in_range(line)),
    }
});
