//! Pure parsers for the files that pin a Go version. They take text and return the pin as
//! written plus its 1-based line; turning that text into a [`Spec`](crate::Spec) or
//! [`Version`](crate::Version) is the caller's job, so these never touch the file system,
//! never allocate more than the result and are fuzzed on arbitrary input.
//!
//! Errors are `(line, reason)`: the 1-based line at fault and a sentence saying what is
//! wrong and how to fix it.

/// Parses a `.go-version` (goenv's format; also gox's `default` file).
///
/// The version is the first *meaningful* line: a UTF-8 byte-order mark, CR before LF,
/// surrounding spaces and tabs, blank lines, `#` comment lines and trailing `# comments` are
/// all ignored. Later lines are not read (pyenv-style files list several versions; the first
/// one wins).
///
/// Returns `Ok(None)` when there is no meaningful line at all. The caller decides what that
/// means ([`select`](super::select) reports it as an error: an empty pin is a mistake, and
/// goenv refuses it too). A line holding more than one word is an error rather than a guess.
pub fn parse_go_version_file(text: &str) -> Result<Option<(String, usize)>, (usize, String)> {
    for (index, line) in strip_bom(text).lines().enumerate() {
        let content = strip_hash_comment(line).trim();
        if content.is_empty() {
            continue;
        }
        let line_no = index + 1;
        let mut words = content.split_whitespace();
        let first = words.next().unwrap_or_default();
        if words.next().is_some() {
            return Err((
                line_no,
                format!(
                    "expected one Go version on the line, found `{content}`; write a single version like 1.22.5"
                ),
            ));
        }
        return Ok(Some((first.to_owned(), line_no)));
    }
    Ok(None)
}

/// Parses an asdf `.tool-versions`: the first `golang <spec> [<spec>…]` or `go <spec>` line
/// (mise calls the tool `go`). The first spec counts, as in asdf. Lines for other tools,
/// blank lines and `#` comments (whole-line or trailing) are ignored.
///
/// Returns `Ok(None)` when no line is about Go: such a file is not a Go pin, and the search
/// goes on in the parent directory, as asdf does.
pub fn parse_tool_versions(text: &str) -> Result<Option<(String, usize)>, (usize, String)> {
    for (index, line) in strip_bom(text).lines().enumerate() {
        let mut words = strip_hash_comment(line).split_whitespace();
        let Some(tool) = words.next() else {
            continue;
        };
        if tool != "golang" && tool != "go" {
            continue;
        }
        return match words.next() {
            Some(spec) => Ok(Some((spec.to_owned(), index + 1))),
            None => Err((
                index + 1,
                format!("`{tool}` has no version; write a line like `{tool} 1.22.5`"),
            )),
        };
    }
    Ok(None)
}

fn strip_bom(text: &str) -> &str {
    text.strip_prefix('\u{feff}').unwrap_or(text)
}

fn strip_hash_comment(line: &str) -> &str {
    line.split_once('#').map_or(line, |(before, _)| before)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn gv(text: &str) -> Result<Option<(String, usize)>, (usize, String)> {
        parse_go_version_file(text)
    }

    fn some(s: &str, line: usize) -> Option<(String, usize)> {
        Some((s.to_owned(), line))
    }

    #[test]
    fn go_version_plain_and_tolerated_noise() {
        let cases = [
            ("1.22.5", some("1.22.5", 1)),
            ("1.22.5\n", some("1.22.5", 1)),
            ("go1.22.5\n", some("go1.22.5", 1)),
            ("\u{feff}1.22.5\r\n", some("1.22.5", 1)),
            ("  1.22\t \r\n", some("1.22", 1)),
            (
                "# pinned for CI\n\n   \n1.21.13 # security fix\n1.20\n",
                some("1.21.13", 4),
            ),
            ("\r\n\r\n#x\r\nlatest\r\n", some("latest", 4)),
            ("1.22#comment", some("1.22", 1)),
            ("\u{feff}# only\n", None),
        ];
        for (text, want) in cases {
            assert_eq!(gv(text), Ok(want), "{text:?}");
        }
    }

    #[test]
    fn go_version_empty_or_comments_only_is_none() {
        for text in [
            "",
            "\n",
            "\u{feff}",
            "  \t\r\n",
            "# just a comment\n#another\n",
            "   # indented\n",
        ] {
            assert_eq!(gv(text), Ok(None), "{text:?}");
        }
    }

    #[test]
    fn go_version_returns_garbage_as_written_for_the_caller_to_reject() {
        assert_eq!(gv("\n\nbanana\n"), Ok(some("banana", 3)));
        assert_eq!(gv("1.x"), Ok(some("1.x", 1)));
    }

    #[test]
    fn go_version_two_words_name_the_line() {
        let (line, reason) = gv("# c\n1.22.5 1.21.0\n").unwrap_err();
        assert_eq!(line, 2);
        assert!(reason.contains("`1.22.5 1.21.0`"), "{reason}");
    }

    #[test]
    fn tool_versions_golang_and_go_lines() {
        let cases = [
            ("golang 1.22.5\n", some("1.22.5", 1)),
            ("go 1.22\n", some("1.22", 1)),
            (
                "nodejs 20.1.0\npython 3.12.0 3.11.0\ngolang 1.21.13 1.20.14\n",
                some("1.21.13", 3),
            ),
            (
                "\u{feff}# tools\r\n  golang   latest   # newest\r\n",
                some("latest", 2),
            ),
            ("golang go1.22.5\ngo 1.20\n", some("go1.22.5", 1)),
            (
                "gopls 0.15\ngolangci-lint 1.55.0\ngo 1.23rc1",
                some("1.23rc1", 3),
            ),
            ("#golang 1.22\ngolang 1.21", some("1.21", 2)),
        ];
        for (text, want) in cases {
            assert_eq!(parse_tool_versions(text), Ok(want), "{text:?}");
        }
    }

    #[test]
    fn tool_versions_without_go_is_none() {
        for text in [
            "",
            "nodejs 20.1.0\n",
            "# golang 1.22\nruby 3.3.0\n",
            "golangci-lint 1.55.0\n",
            "\n\n",
        ] {
            assert_eq!(parse_tool_versions(text), Ok(None), "{text:?}");
        }
    }

    #[test]
    fn tool_versions_golang_without_version_names_the_line() {
        let (line, reason) = parse_tool_versions("nodejs 20\ngolang   # todo\n").unwrap_err();
        assert_eq!(line, 2);
        assert!(reason.contains("`golang` has no version"), "{reason}");
    }

    proptest! {
        #[test]
        fn parsers_never_panic(text in any::<String>()) {
            let _ = parse_go_version_file(&text);
            let _ = parse_tool_versions(&text);
        }

        #[test]
        fn parsers_never_panic_on_file_like_text(
            text in r#"(\u{feff})?((go|golang|\)|\(|#|1\.2[0-9](\.[0-9])?|[ \t]|\r?\n|[a-z]|é))*"#
        ) {
            let _ = parse_go_version_file(&text);
            let _ = parse_tool_versions(&text);
        }
    }
}
