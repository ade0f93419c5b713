//! Pure parsers for the files that pin a Go version. They take text and return the pin as
//! written plus its 1-based line; turning that text into a [`Spec`](crate::Spec) or
//! [`Version`](crate::Version) is the caller's job, so these never touch the file system,
//! never allocate more than the result and are fuzzed on arbitrary input.
//!
//! Errors are `(line, reason)`: the 1-based line at fault and a sentence saying what is
//! wrong and how to fix it.

/// The result of [`parse_go_mod`]: the top-level `go` and `toolchain` lines of a go.mod or
/// go.work, each as written with its 1-based line.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GoModInfo {
    /// `go 1.22.5` → `("1.22.5", line)`.
    pub go: Option<(String, usize)>,
    /// `toolchain go1.22.5` → `("go1.22.5", line)`; `toolchain default` (or no toolchain
    /// line) → `None`.
    pub toolchain: Option<(String, usize)>,
}

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

/// Parses the `go` and `toolchain` directives of a go.mod or go.work.
///
/// Follows `golang.org/x/mod/modfile`'s lexical rules closely enough to never mistake a line:
/// tokens are separated by white space and the punctuation `( ) [ ] { } ,`; `//` starts a
/// comment (whole-line or trailing) except inside `"…"` or `` `…` `` strings; a line ending
/// in `(` opens a block (`require (`…`)`) whose lines are skipped, since `go` and
/// `toolchain` are only directives at top level. A leading byte-order mark and CRLF line
/// endings are tolerated.
///
/// Errors where the `go` command errors too, so a broken file is never silently ignored:
/// a repeated `go` or `toolchain` directive, one without exactly one argument, an
/// unterminated string, a `)` without a block, and a block never closed.
///
/// Versions are returned as written and not validated here.
pub fn parse_go_mod(text: &str) -> Result<GoModInfo, (usize, String)> {
    let mut info = GoModInfo::default();
    // Line of the `(` of the block being skipped, if any.
    let mut block: Option<usize> = None;
    // The current line's tokens; reused (at most a handful matter: the directive and its
    // argument).
    let mut tokens: Vec<&str> = Vec::new();
    for (index, line) in strip_bom(text).lines().enumerate() {
        let line_no = index + 1;
        tokens.clear();
        tokenize(line, &mut tokens).map_err(|reason| (line_no, reason))?;
        if block.is_some() {
            if tokens.contains(&")") {
                block = None;
            }
            continue;
        }
        let Some(&verb) = tokens.first() else {
            continue;
        };
        if let Some(open) = tokens.iter().position(|t| *t == "(") {
            // `go` and `toolchain` take one value and no block; the go command refuses
            // `toolchain (` ("unknown block type"), so skipping it would pick another version.
            if matches!(verb, "go" | "toolchain") {
                return Err((
                    line_no,
                    format!(
                        "unknown block type: {verb} (write `{verb}` and its one value on one line)"
                    ),
                ));
            }
            // `require (` opens a block; `require ()` is an empty one.
            if !tokens[open + 1..].contains(&")") {
                block = Some(line_no);
            }
            continue;
        }
        if verb == ")" {
            return Err((line_no, "unexpected `)`: no block is open".to_owned()));
        }
        let slot = match verb {
            "go" => &mut info.go,
            "toolchain" => &mut info.toolchain,
            _ => continue,
        };
        if let Some((_, first)) = slot {
            return Err((
                line_no,
                format!(
                    "repeated `{verb}` directive (the first is on line {first}); keep only one"
                ),
            ));
        }
        let [_, argument] = tokens[..] else {
            let usage = if verb == "go" {
                "go 1.22.5"
            } else {
                "toolchain go1.22.5"
            };
            return Err((
                line_no,
                format!("`{verb}` expects exactly one argument, like `{usage}`"),
            ));
        };
        *slot = Some((argument.to_owned(), line_no));
    }
    if let Some(start) = block {
        return Err((
            start,
            "this block is never closed: a line with `)` is missing".to_owned(),
        ));
    }
    if info.toolchain.as_ref().is_some_and(|(t, _)| t == "default") {
        info.toolchain = None;
    }
    Ok(info)
}

/// Splits one go.mod line into tokens, dropping a `//` comment. Strings stay whole, quotes
/// included.
fn tokenize<'a>(line: &'a str, tokens: &mut Vec<&'a str>) -> Result<(), String> {
    let bytes = line.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let rest = &line[i..];
        let c = rest.chars().next().unwrap_or_default();
        if c.is_whitespace() {
            i += c.len_utf8();
            continue;
        }
        if rest.starts_with("//") {
            break;
        }
        if is_punct(c) {
            tokens.push(&line[i..i + 1]);
            i += 1;
            continue;
        }
        if c == '"' || c == '`' {
            let len = quoted_len(rest).ok_or_else(|| {
                format!("unterminated {c}-quoted string; close it on the same line")
            })?;
            tokens.push(&line[i..i + len]);
            i += len;
            continue;
        }
        // An identifier runs until white space, punctuation, a quote or `//`.
        let start = i;
        for (offset, c) in rest.char_indices() {
            if c.is_whitespace()
                || is_punct(c)
                || c == '"'
                || c == '`'
                || rest[offset..].starts_with("//")
            {
                break;
            }
            i = start + offset + c.len_utf8();
        }
        tokens.push(&line[start..i]);
    }
    Ok(())
}

fn is_punct(c: char) -> bool {
    matches!(c, '(' | ')' | '[' | ']' | '{' | '}' | ',')
}

/// Length in bytes of the quoted string at the start of `s` (quotes included), or `None`
/// when it does not end on this line. `"…"` strings honour backslash escapes.
fn quoted_len(s: &str) -> Option<usize> {
    let bytes = s.as_bytes();
    let quote = bytes[0];
    let mut i = 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if quote == b'"' => i += 2,
            b if b == quote => return Some(i + 1),
            _ => i += 1,
        }
    }
    None
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

    fn gomod(text: &str) -> GoModInfo {
        parse_go_mod(text).unwrap_or_else(|e| panic!("{text:?}: {e:?}"))
    }

    #[test]
    fn go_mod_go_and_toolchain_lines() {
        let text = "\u{feff}// Module comment\r\nmodule example.com/m // trailing\r\n\r\ngo 1.22 // the minimum\r\n\r\ntoolchain go1.22.5\r\n\r\nrequire (\r\n\tgolang.org/x/mod v0.17.0\r\n)\r\n";
        let info = gomod(text);
        assert_eq!(info.go, some("1.22", 4));
        assert_eq!(info.toolchain, some("go1.22.5", 6));
    }

    #[test]
    fn go_mod_skips_blocks_and_comments() {
        let text = r#"module "example.com/m"

// go 1.10
// toolchain go1.10.0
require (
	example.com/go v1.0.0 // go 1.11
	go 1.12
	toolchain go1.12.0
)
replace (
	example.com/a => "./go )" // a string with a paren
	toolchain => ../x
)
exclude example.com/b v1.0.0
require ()
retract [v1.0.0, v1.0.1]
godebug default=go1.21
go 1.21.3
"#;
        let info = gomod(text);
        assert_eq!(info.go, some("1.21.3", 18));
        assert_eq!(info.toolchain, None);
    }

    #[test]
    fn go_mod_toolchain_default_means_none_and_missing_lines_are_none() {
        assert_eq!(
            gomod("module m\ngo 1.21\ntoolchain default\n").toolchain,
            None
        );
        assert_eq!(gomod(""), GoModInfo::default());
        assert_eq!(gomod("module m\n"), GoModInfo::default());
        assert_eq!(gomod("go 1.21rc1").go, some("1.21rc1", 1));
        assert_eq!(
            gomod("go 1.22 //x\ntoolchain go1.22.5-custom//y").toolchain,
            some("go1.22.5-custom", 2)
        );
    }

    #[test]
    fn go_work_shape() {
        let info = gomod("go 1.23.0\n\ntoolchain go1.23.2\n\nuse (\n\t./a\n\t./b\n)\nuse ./c\n");
        assert_eq!(info.go, some("1.23.0", 1));
        assert_eq!(info.toolchain, some("go1.23.2", 3));
    }

    #[test]
    fn go_mod_errors_name_the_line() {
        let cases: [(&str, usize, &str); 10] = [
            (
                "module m\ngo 1.21\ngo 1.22\n",
                3,
                "repeated `go` directive (the first is on line 2)",
            ),
            (
                "toolchain go1.21.0\ntoolchain go1.22.0\n",
                2,
                "repeated `toolchain`",
            ),
            ("module m\n\ngo\n", 3, "`go` expects exactly one argument"),
            ("go 1.21 1.22\n", 1, "`go` expects exactly one argument"),
            (
                "toolchain\n",
                1,
                "`toolchain` expects exactly one argument, like `toolchain go1.22.5`",
            ),
            ("module \"m\n", 1, "unterminated"),
            ("module m\n)\n", 2, "unexpected `)`"),
            // The go command: "unknown block type: toolchain".
            (
                "module m\ntoolchain (\n\tgo1.27.3\n)\n",
                2,
                "unknown block type: toolchain",
            ),
            ("module m\ngo (\n\t1.22\n)\n", 2, "unknown block type: go"),
            (
                "module m\n\nrequire (\n\ta v1\ngo 1.22\n",
                3,
                "never closed",
            ),
        ];
        for (text, line, want) in cases {
            let (got_line, reason) = parse_go_mod(text).expect_err(text);
            assert_eq!(got_line, line, "{text:?}: {reason}");
            assert!(reason.contains(want), "{text:?}: {reason}");
        }
    }

    #[test]
    fn go_mod_tokens() {
        let mut tokens = Vec::new();
        tokenize("require(a v1)//c", &mut tokens).unwrap();
        assert_eq!(tokens, ["require", "(", "a", "v1", ")"]);
        tokens.clear();
        tokenize(r#"  x "a \" // b" `c//d`,é// e"#, &mut tokens).unwrap();
        assert_eq!(tokens, ["x", r#""a \" // b""#, "`c//d`", ",", "é"]);
        tokens.clear();
        tokenize("a/b//c", &mut tokens).unwrap();
        assert_eq!(tokens, ["a/b"]);
    }

    proptest! {
        #[test]
        fn parsers_never_panic(text in any::<String>()) {
            let _ = parse_go_version_file(&text);
            let _ = parse_tool_versions(&text);
            let _ = parse_go_mod(&text);
        }

        #[test]
        fn parsers_never_panic_on_file_like_text(
            text in r#"(\u{feff})?((go|toolchain|golang|module|require|\)|\(|"|`|//|#|\\|1\.2[0-9](\.[0-9])?|[ \t]|\r?\n|[a-z]|é))*"#
        ) {
            let _ = parse_go_version_file(&text);
            let _ = parse_tool_versions(&text);
            if let Ok(info) = parse_go_mod(&text) {
                for (value, line) in info.go.iter().chain(&info.toolchain) {
                    prop_assert!(*line >= 1 && *line <= text.lines().count());
                    prop_assert!(!value.is_empty());
                }
            }
        }
    }
}
