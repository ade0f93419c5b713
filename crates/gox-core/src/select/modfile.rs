//! go.mod and go.work as the go command reads them (`golang.org/x/mod/modfile`, strict
//! mode): a file the go command refuses is refused here too, with the line and the fix,
//! and a file it accepts gives the same `go` and `toolchain` lines; [`switch_lines`] gives
//! them as the go command's toolchain switch reads them, which decides the Go that runs.
//!
//! What is checked, as modfile does:
//!
//! - the tokens: words separated by spaces, tabs and CRs only (a no-break space or a
//!   byte-order mark is an error, as is any other character that is neither printable nor
//!   a separator); the punctuation `( ) [ ] { } ,`; `"…"` and `` `…` `` strings; `//`
//!   comments (a `/*` anywhere outside a string is an error);
//! - the statements: a line, or a block opened by a line ending in `(` and closed by a line
//!   starting with `)`;
//! - the directives each file may hold (go.mod: `module`, `go`, `toolchain`, `godebug`,
//!   `require`, `exclude`, `replace`, `retract`, `tool`, `ignore`; go.work: `go`,
//!   `toolchain`, `godebug`, `use`, `replace`) and which of them may be blocks;
//! - `go` and `toolchain` in full: one each, one argument, and modfile's syntax for the
//!   value (`go 1.21rc` is refused; `go 1.22.0rc1` passes, though no Go can order it).
//!
//! The arguments of the other directives (module paths, versions, replacements) are left to
//! the go command: they do not change which Go runs, and the go command that runs reports
//! them.
//!
//! Errors are `(line, reason)`: the 1-based line at fault and a sentence saying what is
//! wrong and how to fix it. Where the go command would report several errors, the first
//! syntax error wins over every directive error, as in modfile.

/// Which of the two files: they share the syntax, not the directives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ModFileKind {
    GoMod,
    GoWork,
}

impl ModFileKind {
    pub fn file_name(self) -> &'static str {
        match self {
            ModFileKind::GoMod => super::GO_MOD_FILE,
            ModFileKind::GoWork => super::GO_WORK_FILE,
        }
    }

    /// The directives the go command knows in this file.
    fn directives(self) -> &'static [&'static str] {
        match self {
            ModFileKind::GoMod => &[
                "module",
                "go",
                "toolchain",
                "godebug",
                "require",
                "exclude",
                "replace",
                "retract",
                "tool",
                "ignore",
            ],
            ModFileKind::GoWork => &["go", "toolchain", "godebug", "use", "replace"],
        }
    }

    /// The directives that may open a block (`require (`).
    fn blocks(self) -> &'static [&'static str] {
        match self {
            ModFileKind::GoMod => &[
                "module", "godebug", "require", "exclude", "replace", "retract", "tool", "ignore",
            ],
            ModFileKind::GoWork => &["godebug", "use", "replace"],
        }
    }
}

/// The result of [`parse_go_mod`]: the `go` and `toolchain` lines of a go.mod or go.work,
/// each as written with its 1-based line.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GoModInfo {
    /// `go 1.22.5` → `("1.22.5", line)`.
    pub go: Option<(String, usize)>,
    /// `toolchain go1.22.5` → `("go1.22.5", line)`; `toolchain default` (or no toolchain
    /// line) → `None`.
    pub toolchain: Option<(String, usize)>,
}

type Error = (usize, String);

/// Parses a go.mod (see the module documentation).
pub fn parse_go_mod(text: &str) -> Result<GoModInfo, Error> {
    parse_mod_file(text, ModFileKind::GoMod)
}

/// Parses a go.work (see the module documentation).
pub fn parse_go_work(text: &str) -> Result<GoModInfo, Error> {
    parse_mod_file(text, ModFileKind::GoWork)
}

/// The `go` and `toolchain` lines as cmd/go's toolchain switch reads them (gover's
/// `GoModLookup`), which is what decides the Go that runs: for each word, the first line
/// anywhere in the file whose trimmed text starts with it and a space or tab, up to any
/// `//`. In a file [`parse_mod_file`] accepts that is the directive itself, unless a block
/// line comes first (a module named `go` in a replace block: `go => ./x`), whose words the
/// switch then takes. Values are trimmed as written; `toolchain default`, an empty value
/// or no line at all is `None`.
pub fn switch_lines(text: &str) -> GoModInfo {
    let lookup = |key: &str| {
        let (index, line) = text.split('\n').enumerate().find(|(_, line)| {
            line.trim()
                .strip_prefix(key)
                .is_some_and(|rest| rest.starts_with([' ', '\t']))
        })?;
        let value = line.trim()[key.len()..]
            .split("//")
            .next()
            .unwrap_or_default();
        Some((value.trim().to_owned(), index + 1))
    };
    let given = |found: Option<(String, usize)>| found.filter(|(value, _)| !value.is_empty());
    GoModInfo {
        go: given(lookup("go")),
        toolchain: given(lookup("toolchain")).filter(|(value, _)| value != "default"),
    }
}

/// Parses a go.mod or go.work. Invalid UTF-8 is for the caller to replace with U+FFFD
/// beforehand: the go command reads such bytes as that character too (fine in a comment,
/// an error in a version).
pub fn parse_mod_file(text: &str, kind: ModFileKind) -> Result<GoModInfo, Error> {
    let mut lexer = Lexer {
        text,
        pos: 0,
        line: 1,
        peeked: None,
    };
    let mut rules = Rules {
        kind,
        info: GoModInfo::default(),
        tokens: Vec::new(),
        first_error: None,
    };
    loop {
        match lexer.next()? {
            (Tok::Eol, _) => {}
            (Tok::Eof, _) => break,
            (first, line) => statement(&mut lexer, &mut rules, first, line)?,
        }
    }
    if let Some(error) = rules.first_error {
        return Err(error);
    }
    let mut info = rules.info;
    if info.toolchain.as_ref().is_some_and(|(t, _)| t == "default") {
        info.toolchain = None;
    }
    Ok(info)
}

/// One top-level statement starting with `first`: a line, or a block (modfile's
/// `parseStmt`).
fn statement<'a>(
    lexer: &mut Lexer<'a>,
    rules: &mut Rules<'a>,
    first: Tok<'a>,
    line: usize,
) -> Result<(), Error> {
    rules.tokens.clear();
    rules.tokens.push(first.text());
    loop {
        match lexer.next()?.0 {
            tok if tok.is_eol() => {
                rules.line(line);
                return Ok(());
            }
            Tok::Punct(b'(') => match lexer.peek()? {
                next if next.is_eol() => {
                    block(lexer, line)?;
                    rules.block(line);
                    return Ok(());
                }
                Tok::Punct(b')') => {
                    lexer.next()?;
                    if lexer.peek()?.is_eol() {
                        lexer.next()?;
                        rules.block(line);
                        return Ok(());
                    }
                    // `( )` inside a line: two more words.
                    rules.tokens.extend(["(", ")"]);
                }
                _ => rules.tokens.push("("),
            },
            tok => rules.tokens.push(tok.text()),
        }
    }
}

/// The lines of a block, up to and including its `)` line (modfile's `parseLineBlock`).
/// Their contents belong to directives gox does not read.
fn block(lexer: &mut Lexer<'_>, start: usize) -> Result<(), Error> {
    loop {
        match lexer.next()? {
            (Tok::Eol, _) => {}
            (Tok::Eof, _) => {
                return Err((
                    start,
                    "this block is never closed: a line with `)` is missing".to_owned(),
                ));
            }
            (Tok::Punct(b')'), _) => {
                return match lexer.next()? {
                    (tok, _) if tok.is_eol() => Ok(()),
                    (tok, line) => Err((
                        line,
                        format!(
                            "unexpected `{}` after the `)` that closes the block: put the `)` on a line of its own",
                            tok.text()
                        ),
                    )),
                };
            }
            _ => while !lexer.next()?.0.is_eol() {},
        }
    }
}

/// The directive rules (modfile's `add`), applied statement by statement. Only the first
/// error is kept, and only reported once the whole file has parsed.
struct Rules<'a> {
    kind: ModFileKind,
    info: GoModInfo,
    /// The current statement's words (a block's: those before its `(`).
    tokens: Vec<&'a str>,
    first_error: Option<Error>,
}

impl Rules<'_> {
    fn fail(&mut self, line: usize, reason: String) {
        self.first_error.get_or_insert((line, reason));
    }

    fn line(&mut self, line: usize) {
        if self.first_error.is_some() {
            return;
        }
        let verb = self.tokens[0];
        if !self.kind.directives().contains(&verb) {
            let reason = if verb == ")" {
                "unexpected `)`: no block is open; delete it".to_owned()
            } else {
                format!(
                    "unknown directive `{verb}`: a {} holds only {}; fix or delete the line",
                    self.kind.file_name(),
                    list(self.kind.directives())
                )
            };
            return self.fail(line, reason);
        }
        let (slot, usage) = match verb {
            "go" => (&mut self.info.go, "go 1.22.5"),
            "toolchain" => (&mut self.info.toolchain, "toolchain go1.22.5"),
            _ => return,
        };
        if let Some((_, first)) = slot {
            let reason = format!(
                "repeated `{verb}` directive (the first is on line {first}); keep only one"
            );
            return self.fail(line, reason);
        }
        let [_, argument] = self.tokens[..] else {
            let reason = format!("`{verb}` expects exactly one argument, like `{usage}`");
            return self.fail(line, reason);
        };
        let problem = if verb == "go" {
            go_line_problem(argument)
        } else {
            toolchain_line_problem(argument)
        };
        match problem {
            Some(reason) => self.fail(line, reason),
            None => *slot = Some((argument.to_owned(), line)),
        }
    }

    fn block(&mut self, line: usize) {
        if self.first_error.is_some() {
            return;
        }
        let verb = self.tokens[0];
        if self.tokens.len() == 1 && self.kind.blocks().contains(&verb) {
            return;
        }
        let reason = if matches!(verb, "go" | "toolchain") {
            // The go command: "unknown block type: toolchain".
            format!("unknown block type: {verb} (write `{verb}` and its one value on one line)")
        } else if self.tokens.len() > 1 {
            format!(
                "unknown block type `{}`: only the directive may stand before `(`, like `require (`",
                self.tokens.join(" ")
            )
        } else {
            format!(
                "unknown block type `{verb}`: a {} has blocks only for {}; fix the line",
                self.kind.file_name(),
                list(self.kind.blocks())
            )
        };
        self.fail(line, reason);
    }
}

/// `a, b and c`.
fn list(words: &[&str]) -> String {
    match words {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// Why a go line's value is refused, as modfile's `GoVersionRE` refuses it
/// (`^[1-9][0-9]*\.(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))?([a-z]+[0-9]+)?$`), or `None`.
fn go_line_problem(value: &str) -> Option<String> {
    if is_go_line_version(value) {
        return None;
    }
    let detail = match crate::version::Version::parse(value) {
        Err(e) => format!(" ({e})"),
        Ok(_) if value.starts_with("go") => " (no `go` prefix on a go line)".to_owned(),
        Ok(_) if !value.contains('.') => " (a go line needs at least a minor version)".to_owned(),
        Ok(_) if value.ends_with(|c: char| c.is_ascii_lowercase()) => {
            " (a pre-release needs its number, like 1.21rc1)".to_owned()
        }
        Ok(_) => String::new(),
    };
    Some(format!(
        "`{value}` is not a Go version for a go line{detail}: write the go line like `go 1.22` or `go 1.22.5`"
    ))
}

fn is_go_line_version(value: &str) -> bool {
    let bytes = value.as_bytes();
    let mut i = 0;
    let number = |i: &mut usize, zero_ok: bool| {
        let start = *i;
        while bytes.get(*i).is_some_and(u8::is_ascii_digit) {
            *i += 1;
        }
        match &bytes[start..*i] {
            [] => false,
            [b'0'] => zero_ok,
            [b'0', ..] => false,
            _ => true,
        }
    };
    if !number(&mut i, false) || bytes.get(i) != Some(&b'.') {
        return false;
    }
    i += 1;
    if !number(&mut i, true) {
        return false;
    }
    if bytes.get(i) == Some(&b'.') {
        i += 1;
        if !number(&mut i, true) {
            return false;
        }
    }
    if i == bytes.len() {
        return true;
    }
    let kind = i;
    while bytes.get(i).is_some_and(u8::is_ascii_lowercase) {
        i += 1;
    }
    let digits = i;
    while bytes.get(i).is_some_and(u8::is_ascii_digit) {
        i += 1;
    }
    i > digits && digits > kind && i == bytes.len()
}

/// Why a toolchain line's value is refused, as modfile's `ToolchainRE` refuses it
/// (`^default$|^go1($|\.)`), or `None`. Whether the go command can run the toolchain it
/// names is the caller's question.
fn toolchain_line_problem(value: &str) -> Option<String> {
    let ok = value == "default"
        || value
            .strip_prefix("go1")
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('.'));
    (!ok).then(|| {
        format!(
            "`{value}` is not a Go toolchain name: write it like `toolchain go1.22.5` (or `toolchain default`)"
        )
    })
}

/// A token (modfile's lexer). Comments end their line, so they are [`Tok::Eol`]s.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tok<'a> {
    Eol,
    Eof,
    /// One of `( ) [ ] { } ,`.
    Punct(u8),
    /// A word or a quoted string (quotes included).
    Word(&'a str),
}

impl<'a> Tok<'a> {
    fn is_eol(self) -> bool {
        matches!(self, Tok::Eol | Tok::Eof)
    }

    fn text(self) -> &'a str {
        match self {
            Tok::Word(word) => word,
            Tok::Punct(b'(') => "(",
            Tok::Punct(b')') => ")",
            Tok::Punct(b'[') => "[",
            Tok::Punct(b']') => "]",
            Tok::Punct(b'{') => "{",
            Tok::Punct(b'}') => "}",
            Tok::Punct(_) => ",",
            Tok::Eol => "end of line",
            Tok::Eof => "end of file",
        }
    }
}

struct Lexer<'a> {
    text: &'a str,
    pos: usize,
    /// The 1-based line of `pos`.
    line: usize,
    peeked: Option<(Tok<'a>, usize)>,
}

impl<'a> Lexer<'a> {
    fn peek(&mut self) -> Result<Tok<'a>, Error> {
        if self.peeked.is_none() {
            self.peeked = Some(self.lex()?);
        }
        Ok(self.peeked.map_or(Tok::Eof, |(tok, _)| tok))
    }

    /// The next token and its line.
    fn next(&mut self) -> Result<(Tok<'a>, usize), Error> {
        match self.peeked.take() {
            Some(peeked) => Ok(peeked),
            None => self.lex(),
        }
    }

    fn lex(&mut self) -> Result<(Tok<'a>, usize), Error> {
        let rest = loop {
            let rest = &self.text[self.pos..];
            match rest.as_bytes().first() {
                Some(b' ' | b'\t' | b'\r') => self.pos += 1,
                _ => break rest,
            }
        };
        let line = self.line;
        let Some(c) = rest.chars().next() else {
            return Ok((Tok::Eof, line));
        };
        if rest.starts_with("//") {
            // The comment takes its newline along.
            match rest.find('\n') {
                Some(end) => {
                    self.pos += end + 1;
                    self.line += 1;
                }
                None => self.pos = self.text.len(),
            }
            return Ok((Tok::Eol, line));
        }
        if rest.starts_with("/*") {
            return Err(self.block_comment());
        }
        match c {
            '\n' => {
                self.pos += 1;
                self.line += 1;
                Ok((Tok::Eol, line))
            }
            '(' | ')' | '[' | ']' | '{' | '}' | ',' => {
                self.pos += 1;
                Ok((Tok::Punct(c as u8), line))
            }
            '"' | '`' => self.string(c),
            _ => self.word(c),
        }
    }

    /// A quoted string, on one line; in `"…"` a backslash escapes the next character. (The
    /// lexer lets a backslash escape a newline, but every directive then unquotes its
    /// strings, which no string holding a newline survives: refused here at once.)
    fn string(&mut self, quote: char) -> Result<(Tok<'a>, usize), Error> {
        let (start, line) = (self.pos, self.line);
        let unterminated = || {
            (
                line,
                format!("unterminated {quote}-quoted string; close it on the same line"),
            )
        };
        self.pos += 1;
        loop {
            let Some(c) = self.text[self.pos..].chars().next() else {
                return Err(unterminated());
            };
            if c == '\n' {
                return Err(unterminated());
            }
            self.pos += c.len_utf8();
            if c == quote {
                return Ok((Tok::Word(&self.text[start..self.pos]), line));
            }
            if c == '\\' && quote == '"' {
                match self.text[self.pos..].chars().next() {
                    Some(escaped) if escaped != '\n' => self.pos += escaped.len_utf8(),
                    _ => return Err(unterminated()),
                }
            }
        }
    }

    /// A word: printable characters up to a separator, punctuation or `//`.
    fn word(&mut self, first: char) -> Result<(Tok<'a>, usize), Error> {
        if !is_word_char(first) {
            return Err(self.unexpected(first));
        }
        let start = self.pos;
        loop {
            let rest = &self.text[self.pos..];
            match rest.chars().next() {
                Some(c) if is_word_char(c) && !rest.starts_with("//") => {
                    if rest.starts_with("/*") {
                        return Err(self.block_comment());
                    }
                    self.pos += c.len_utf8();
                }
                _ => return Ok((Tok::Word(&self.text[start..self.pos]), self.line)),
            }
        }
    }

    fn block_comment(&self) -> Error {
        (
            self.line,
            "`/*` comments are not allowed in go.mod or go.work (the go command refuses them): use `//` comments".to_owned(),
        )
    }

    fn unexpected(&self, c: char) -> Error {
        if self.pos == 0 && c == '\u{feff}' {
            return (
                1,
                "the file starts with a byte-order mark, which the go command refuses: save it as UTF-8 without a BOM".to_owned(),
            );
        }
        let line_start = self.text[..self.pos].rfind('\n').map_or(0, |i| i + 1);
        let column = self.text[line_start..self.pos].chars().count() + 1;
        let what = match c {
            '\u{a0}' => " (a no-break space)",
            '\u{feff}' => " (a byte-order mark)",
            '\u{200b}' => " (a zero-width space)",
            c if c.is_whitespace() => " (a space other than ASCII space or tab)",
            c if c.is_control() => " (a control character)",
            _ => "",
        };
        (
            self.line,
            format!(
                "unexpected character U+{:04X}{what} at column {column}, which the go command refuses: \
                 words may be separated only by spaces and tabs; delete it or replace it with a space",
                u32::from(c)
            ),
        )
    }
}

/// modfile's `isIdent`: anything printable (Go's `unicode.IsPrint`) except white space and
/// the punctuation.
fn is_word_char(c: char) -> bool {
    !matches!(c, '(' | ')' | '[' | ']' | '{' | '}' | ',') && !c.is_whitespace() && is_print(c)
}

/// Go's `unicode.IsPrint` for non-space characters: letters, marks, numbers, punctuation
/// and symbols, that is not a control, format, private-use or noncharacter code point.
/// (Unassigned code points, which Go also refuses, are taken as printable: telling them
/// apart needs the Unicode tables, and they do not occur in real files.)
fn is_print(c: char) -> bool {
    let u = u32::from(c);
    !(c.is_control()
        || is_format(u)
        || (0xE000..=0xF8FF).contains(&u)
        || u >= 0xF_0000
        || (0xFDD0..=0xFDEF).contains(&u)
        || u & 0xFFFE == 0xFFFE)
}

/// Unicode's format characters (category Cf).
fn is_format(u: u32) -> bool {
    matches!(
        u,
        0xAD | 0x600..=0x605
            | 0x61C
            | 0x6DD
            | 0x70F
            | 0x890..=0x891
            | 0x8E2
            | 0x180E
            | 0x200B..=0x200F
            | 0x202A..=0x202E
            | 0x2060..=0x2064
            | 0x2066..=0x206F
            | 0xFEFF
            | 0xFFF9..=0xFFFB
            | 0x110BD
            | 0x110CD
            | 0x13430..=0x1343F
            | 0x1BCA0..=0x1BCA3
            | 0x1D173..=0x1D17A
            | 0xE0001
            | 0xE0020..=0xE007F
    )
}

#[cfg(test)]
mod tests;
