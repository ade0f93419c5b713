use proptest::prelude::*;

use super::*;

fn some(s: &str, line: usize) -> Option<(String, usize)> {
    Some((s.to_owned(), line))
}

fn gomod(text: &str) -> GoModInfo {
    parse_go_mod(text).unwrap_or_else(|e| panic!("{text:?}: {e:?}"))
}

fn refused(text: &str, kind: ModFileKind) -> (usize, String) {
    match parse_mod_file(text, kind) {
        Err(e) => e,
        Ok(info) => panic!("{text:?} was accepted: {info:?}"),
    }
}

#[test]
fn go_mod_go_and_toolchain_lines() {
    let text = "// Module comment\r\nmodule example.com/m // trailing\r\n\r\ngo 1.22 // the minimum\r\n\r\ntoolchain\tgo1.22.5\r\n\r\nrequire (\r\n\tgolang.org/x/mod v0.17.0\r\n)\r\n";
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
	example.com/toolchain v1.0.0
)
replace (
	example.com/a => "./go )" // a string with a paren
	example.com/b => ../x
)
exclude example.com/b v1.0.0
require ()
retract [v1.0.0, v1.0.1]
godebug default=go1.21
tool example.com/t
ignore ./node_modules
go 1.21.3
"#;
    let info = gomod(text);
    assert_eq!(info.go, some("1.21.3", 19));
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
    let info = parse_go_work(
        "go 1.23.0\n\ntoolchain go1.23.2\n\nuse (\n\t./a\n\t./b\n)\nuse ./c\ngodebug x=1\nreplace a => ./a\n",
    )
    .unwrap();
    assert_eq!(info.go, some("1.23.0", 1));
    assert_eq!(info.toolchain, some("go1.23.2", 3));
}

/// The audit's cases, each checked against go 1.27 (`go mod edit -json`): the go command
/// refuses these files, so gox must too.
#[test]
fn what_the_go_command_refuses() {
    use ModFileKind::{GoMod, GoWork};
    let cases: &[(&str, ModFileKind, usize, &str)] = &[
        // A pre-release without its number: "invalid go version '1.21rc'".
        (
            "module m\ngo 1.21rc\n",
            GoMod,
            2,
            "`1.21rc` is not a Go version for a go line (a pre-release needs its number",
        ),
        (
            "go 1.22rc\nuse ./m\n",
            GoWork,
            1,
            "`1.22rc` is not a Go version",
        ),
        ("module m\ngo 0.1\n", GoMod, 2, "`0.1` is not a Go version"),
        ("module m\ngo 1.21rc1x\n", GoMod, 2, "`1.21rc1x` is not"),
        ("module m\ngo \"1.22\"\n", GoMod, 2, "`\"1.22\"` is not"),
        // "unexpected input character '\u00a0'", "… '\ufeff'".
        (
            "module m\ngo\u{a0}1.22\n",
            GoMod,
            2,
            "unexpected character U+00A0 (a no-break space) at column 3",
        ),
        (
            "go 1.22\u{a0}\nuse ./m\n",
            GoWork,
            1,
            "U+00A0 (a no-break space) at column 8",
        ),
        (
            "\u{feff}module m\ngo 1.22\n",
            GoMod,
            1,
            "starts with a byte-order mark",
        ),
        ("\u{feff}go 1.22\n", GoWork, 1, "byte-order mark"),
        ("module m\n\u{c}\n", GoMod, 2, "U+000C"),
        (
            "module m // ok\nrequire a\u{200b}b v1\n",
            GoMod,
            2,
            "U+200B",
        ),
        // "unknown directive: foo", and the directives the other file has.
        (
            "module m\nfoo bar\ngo 1.22\n",
            GoMod,
            2,
            "unknown directive `foo`: a go.mod holds only module, go, toolchain, godebug, require, exclude, replace, retract, tool and ignore",
        ),
        (
            "go 1.22\nfoo bar\n",
            GoWork,
            2,
            "unknown directive `foo`: a go.work holds only go, toolchain, godebug, use and replace",
        ),
        ("module m\nuse ./x\n", GoMod, 2, "unknown directive `use`"),
        (
            "go 1.22\nmodule m\n",
            GoWork,
            2,
            "unknown directive `module`",
        ),
        (
            "go 1.22\nrequire a v1.0.0\n",
            GoWork,
            2,
            "unknown directive `require`",
        ),
        (
            "module m\n\"go\" 1.22\n",
            GoMod,
            2,
            "unknown directive `\"go\"`",
        ),
        (
            "module m\n)\n",
            GoMod,
            2,
            "unexpected `)`: no block is open",
        ),
        ("module m\n(\n", GoMod, 2, "unknown directive `(`"),
        // Blocks.
        ("module m\nfoo ()\n", GoMod, 2, "unknown block type `foo`"),
        (
            "module m\nrequire foo (\n)\n",
            GoMod,
            2,
            "unknown block type `require foo`",
        ),
        (
            "go 1.22\ntool (\n)\n",
            GoWork,
            2,
            "unknown block type `tool`",
        ),
        (
            "module m\ntoolchain (\n\tgo1.27.3\n)\n",
            GoMod,
            2,
            "unknown block type: toolchain",
        ),
        (
            "module m\ngo (\n\t1.22\n)\n",
            GoMod,
            2,
            "unknown block type: go",
        ),
        (
            "module m\nrequire (\n) x\n",
            GoMod,
            3,
            "unexpected `x` after the `)` that closes the block",
        ),
        (
            "module m\n\nrequire (\n\ta v1\ngo 1.22\n",
            GoMod,
            3,
            "never closed",
        ),
        // A `)` inside a block line does not close the block.
        ("module m\nrequire (\n\ta v1 )\n", GoMod, 2, "never closed"),
        // Comments and strings.
        (
            "module m\ngo 1.22 /* c */\n",
            GoMod,
            2,
            "`/*` comments are not allowed",
        ),
        (
            "module m\n/* c */\ngo 1.22\n",
            GoMod,
            2,
            "use `//` comments",
        ),
        ("module m/*x\n", GoMod, 1, "`/*` comments"),
        ("module \"m\n", GoMod, 1, "unterminated \"-quoted string"),
        ("module `m\n`\n", GoMod, 1, "unterminated `-quoted string"),
        ("module \"m\\", GoMod, 1, "unterminated"),
        // go and toolchain themselves.
        (
            "module m\ngo 1.21\ngo 1.22\n",
            GoMod,
            3,
            "repeated `go` directive (the first is on line 2)",
        ),
        (
            "toolchain go1.21.0\ntoolchain go1.22.0\n",
            GoWork,
            2,
            "repeated `toolchain`",
        ),
        (
            "module m\n\ngo\n",
            GoMod,
            3,
            "`go` expects exactly one argument",
        ),
        (
            "go 1.21 1.22\n",
            GoMod,
            1,
            "`go` expects exactly one argument",
        ),
        ("module m\ngo 1.22,\n", GoMod, 2, "exactly one argument"),
        // A CR is a space, not a line break.
        (
            "module m\ngo 1.22\rtoolchain go1.22.1\n",
            GoMod,
            2,
            "exactly one argument",
        ),
        (
            "toolchain\n",
            GoMod,
            1,
            "`toolchain` expects exactly one argument, like `toolchain go1.22.5`",
        ),
        (
            "module m\ntoolchain 1.22.5\n",
            GoMod,
            2,
            "`1.22.5` is not a Go toolchain name",
        ),
        ("module m\ntoolchain gofoo\n", GoMod, 2, "`gofoo` is not"),
        ("module m\ntoolchain go2.0\n", GoMod, 2, "`go2.0` is not"),
    ];
    for &(text, kind, line, want) in cases {
        let (got_line, reason) = refused(text, kind);
        assert_eq!(got_line, line, "{text:?} ({kind:?}): {reason}");
        assert!(reason.contains(want), "{text:?} ({kind:?}): {reason}");
    }
}

/// Checked against go 1.27 too: the go command accepts these.
#[test]
fn what_the_go_command_accepts() {
    let cases: &[(&str, Option<&str>, Option<&str>)] = &[
        // modfile's syntax allows a pre-release of a patch; no Go can order it.
        ("module m\ngo 1.22.0rc1\n", Some("1.22.0rc1"), None),
        ("module m\ngo 1.21rc01\n", Some("1.21rc01"), None),
        ("module m\ngo 1.21rc0\n", Some("1.21rc0"), None),
        ("module m\ngo 1.20\n", Some("1.20"), None),
        ("module m\ngo\t1.22\r\n", Some("1.22"), None),
        ("module m\n\t  go 1.22 \n", Some("1.22"), None),
        // Anything after `go1.` passes modfile; whether it can run is the caller's question.
        (
            "module m\ntoolchain go1.22.5+auto\n",
            None,
            Some("go1.22.5+auto"),
        ),
        ("module m\ntoolchain go1\n", None, Some("go1")),
        ("module m\ntoolchain go1.21rc\n", None, Some("go1.21rc")),
        // Bytes that were not UTF-8 (read as U+FFFD), and any printable text, in comments.
        (
            "module m // caf\u{fffd} \u{a0}\u{feff}\ngo 1.22\n",
            Some("1.22"),
            None,
        ),
        ("// /* not a comment here */\ngo 1.22\n", Some("1.22"), None),
        (
            "module m\nrequire \"example.com/a\" v1.0.0\ngo 1.23\n",
            Some("1.23"),
            None,
        ),
        (
            "module m\nrequire example.com/a\u{300} v1.0.0\ngo 1.23\n",
            Some("1.23"),
            None,
        ),
        // An empty block, comments after `(` and `)`.
        ("module m\nrequire ()\ngo 1.22\n", Some("1.22"), None),
        ("module m\nrequire ( // c\n)\ngo 1.22\n", Some("1.22"), None),
        ("module m\nrequire (\n) // c\ngo 1.22\n", Some("1.22"), None),
        ("module m\nrequire (\n)", None, None),
    ];
    for &(text, go, toolchain) in cases {
        let info = gomod(text);
        assert_eq!(info.go.as_ref().map(|(g, _)| g.as_str()), go, "{text:?}");
        assert_eq!(
            info.toolchain.as_ref().map(|(t, _)| t.as_str()),
            toolchain,
            "{text:?}"
        );
    }
}

#[test]
fn strings_do_not_span_lines() {
    // modfile's lexer lets `\` escape a newline, but unquoting the string then fails.
    let (line, reason) = refused("module \"m\\\nn\"\ngo 1.22\n", ModFileKind::GoMod);
    assert_eq!(line, 1, "{reason}");
    assert!(reason.contains("unterminated"), "{reason}");
    let info = gomod("replace a => \"./x \\\" // (\"\nreplace b => `c\\`\ngo 1.23\n");
    assert_eq!(info.go, some("1.23", 3));
}

#[test]
fn the_switch_reads_the_first_line_starting_with_the_word() {
    let text = "module m\nreplace (\n\tgo => ./x\n\ttoolchain => ../y // z\n)\ngo 1.22\ntoolchain go1.22.5\n";
    assert_eq!(gomod(text).go, some("1.22", 6));
    let lines = switch_lines(text);
    assert_eq!(lines.go, some("=> ./x", 3));
    assert_eq!(lines.toolchain, some("=> ../y", 4));
    // In ordinary files, the directives themselves.
    let text = "module m\n\tgo 1.22 // c\r\ntoolchain\tgo1.22.5//x\n";
    assert_eq!(switch_lines(text), gomod(text));
    assert_eq!(
        switch_lines("go\ngodebug x=1\ntoolchain default\n"),
        GoModInfo::default()
    );
    // The first match decides, even when it has no value.
    assert_eq!(switch_lines("go // none\ngo 1.22\n").go, None);
    assert_eq!(switch_lines("go \ngo 1.22\n").go, some("1.22", 2));
}

#[test]
fn the_first_syntax_error_wins_over_directive_errors() {
    let (line, reason) = refused("module m\nfoo bar\ngo 1.22 /* x */\n", ModFileKind::GoMod);
    assert_eq!(line, 3, "{reason}");
    let (line, reason) = refused("foo bar\ngo 1.x\n", ModFileKind::GoMod);
    assert_eq!(line, 1, "{reason}");
}

#[test]
fn go_line_syntax_is_modfiles() {
    for ok in [
        "1.0",
        "1.22",
        "1.22.0",
        "1.22.10",
        "1.21rc1",
        "1.21beta2",
        "1.22.0rc1",
        "1.21rc01",
        "10.100.1000",
    ] {
        assert!(is_go_line_version(ok), "{ok}");
    }
    for bad in [
        "", "1", "1.", "1.x", "01.2", "1.02", "1.2.03", "1.21rc", "1.21RC1", "go1.22", "0.1",
        "1.2.3.4", "1.22 ", "1.22-x", "v1.22",
    ] {
        assert!(!is_go_line_version(bad), "{bad}");
    }
}

#[test]
fn printable_is_gos_unicode_is_print() {
    for c in ['a', '~', 'é', '\u{fffd}', '世', '\u{1f600}', '\u{300}'] {
        assert!(is_word_char(c), "{c:?}");
    }
    for c in [
        '\u{a0}',
        '\u{ad}',
        '\u{85}',
        '\u{7f}',
        '\u{1}',
        '\u{2028}',
        '\u{3000}',
        '\u{200b}',
        '\u{feff}',
        '\u{e000}',
        '\u{fdd0}',
        '\u{fffe}',
        '\u{10ffff}',
        '\u{e0041}',
        ',',
        '(',
    ] {
        assert!(!is_word_char(c), "{c:?}");
    }
}

proptest! {
    #[test]
    fn never_panics(text in any::<String>()) {
        let _ = parse_go_mod(&text);
        let _ = parse_go_work(&text);
    }

    #[test]
    fn never_panics_on_file_like_text(
        text in r#"(\u{feff})?((go|toolchain|module|require|use|\)|\(|"|`|//|/\*|\\|1\.2[0-9](\.[0-9])?|[ \t\r]|\r?\n|[a-z]|é|\u{a0}))*"#
    ) {
        for kind in [ModFileKind::GoMod, ModFileKind::GoWork] {
            if let Ok(info) = parse_mod_file(&text, kind) {
                for (value, line) in info.go.iter().chain(&info.toolchain) {
                    prop_assert!(*line >= 1 && *line <= text.split('\n').count());
                    prop_assert!(!value.is_empty());
                }
            }
        }
    }
}
