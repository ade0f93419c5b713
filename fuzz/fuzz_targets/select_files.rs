#![no_main]

use gox_core::select::{
    parse_go_mod, parse_go_version_file, parse_go_work, parse_tool_versions, switch_lines,
};
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
    for parsed in [parse_go_mod(text), parse_go_work(text)] {
        match parsed {
            Ok(info) => {
                for (value, line) in info.go.iter().chain(&info.toolchain) {
                    assert!(in_range(*line) && !value.is_empty());
                }
            }
            Err((line, _)) => assert!(in_range(line)),
        }
    }
    // The toolchain switch's reading never fails, and what it finds is on a real line.
    let info = switch_lines(text);
    for (value, line) in info.go.iter().chain(&info.toolchain) {
        assert!(in_range(*line) && !value.is_empty());
    }
});
