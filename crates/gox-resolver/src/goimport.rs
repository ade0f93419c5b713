//! cmd/go's go-import discovery, as a pure function of the page: which `<meta
//! name="go-import" content="PREFIX VCS REPOROOT [SUBDIR]">` tags a `?go-get=1` page carries
//! ([`parse_meta_go_imports`], cmd/go's `vcs/discovery.go`), which one serves a module path
//! ([`match_go_import`], `vcs.matchGoImport`), and whether its root is usable
//! ([`validate_repo_root`], [`validate_repo_sub_dir`]). The network half is [`crate::direct`].
//!
//! cmd/go reads the page with `encoding/xml` in non-strict mode, token by token
//! (`RawToken`), and so does this: only `<meta>` elements before `</head>` or `<body>` count,
//! element and attribute names compare case-insensitively (after a namespace prefix, as Go
//! splits `x:meta`), the attribute *value* `go-import` exactly; unquoted values, bare
//! attributes, comments, `<![CDATA[`, directives and processing instructions are read as Go
//! reads them; `<?xml encoding=…?>` other than UTF-8/ASCII is an error; a syntax error
//! before the first tag is an error, after it parsing just stops. `mod` entries come first
//! and hide other entries with the same prefix (cmd/go's `PreferMod`).
//!
//! Approximations: XML name characters outside ASCII are checked with Rust's
//! `is_alphabetic`/`is_alphanumeric` instead of the XML 1.0 tables, and error lines count
//! `\n` up to where the error was seen. Neither changes which tags a well-formed page has.

use std::fmt;

/// One `go-import` tag.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MetaImport {
    pub prefix: String,
    pub vcs: String,
    pub repo_root: String,
    /// The optional fourth field (Go 1.25+), empty when absent.
    pub sub_dir: String,
}

/// Why the page could not be read (Go's words).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ParseError {
    /// `XML syntax error on line N: MSG`.
    Syntax { line: usize, msg: String },
    /// `<?xml encoding="…"?>` names a charset other than UTF-8 or ASCII.
    Charset(String),
    /// `<?xml version="…"?>` other than 1.0.
    Version(String),
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParseError::Syntax { line, msg } => write!(f, "XML syntax error on line {line}: {msg}"),
            ParseError::Charset(c) => write!(
                f,
                "xml: opening charset {c:?}: can't decode XML document using charset {c:?}"
            ),
            ParseError::Version(v) => write!(
                f,
                "xml: unsupported version {v:?}; only version 1.0 is supported"
            ),
        }
    }
}

/// Why no single tag serves the module path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MatchError {
    /// No tag's prefix is a path prefix of the module path; `mismatches` are the prefixes
    /// the page had (possibly none).
    Mismatch {
        import_path: String,
        mismatches: Vec<String>,
    },
    /// More than one tag matches (and the first is not a `mod` tag ahead of non-`mod` ones).
    Multiple { import_path: String },
}

impl fmt::Display for MatchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MatchError::Mismatch {
                import_path,
                mismatches,
            } => {
                let each: Vec<String> = mismatches
                    .iter()
                    .map(|p| format!("meta tag {p} did not match import path {import_path}"))
                    .collect();
                write!(f, "no go-import meta tags ({})", each.join(", "))
            }
            MatchError::Multiple { import_path } => {
                write!(f, "multiple meta tags match import path {import_path:?}")
            }
        }
    }
}

/// cmd/go's `parseMetaGoImports(body, PreferMod)`: the go-import tags of a page, `mod`
/// entries first (hiding non-`mod` entries with the same prefix). Never panics.
pub fn parse_meta_go_imports(body: &[u8]) -> Result<Vec<MetaImport>, ParseError> {
    let mut d = Decoder {
        data: body,
        pos: 0,
        pending_end: None,
    };
    let mut imports = Vec::new();
    loop {
        let token = match d.raw_token() {
            Ok(t) => t,
            Err(Stop::Eof) => break,
            Err(Stop::Error(e)) if imports.is_empty() => return Err(e),
            Err(Stop::Error(_)) => break,
        };
        let (name, attrs) = match token {
            Token::Start { name, .. } if name.eq_ignore_ascii_case("body") => break,
            Token::End(name) if name.eq_ignore_ascii_case("head") => break,
            Token::Start { name, attrs } if name.eq_ignore_ascii_case("meta") => (name, attrs),
            _ => continue,
        };
        let _ = name;
        if attr_value(&attrs, "name") != "go-import" {
            continue;
        }
        let f: Vec<&str> = attr_value(&attrs, "content").split_whitespace().collect();
        if f.len() == 3 || f.len() == 4 {
            imports.push(MetaImport {
                prefix: f[0].to_string(),
                vcs: f[1].to_string(),
                repo_root: f[2].to_string(),
                sub_dir: f.get(3).map_or_else(String::new, |s| (*s).to_string()),
            });
        }
    }
    let mods = imports.iter().filter(|m| m.vcs == "mod");
    let have: Vec<&str> = mods.clone().map(|m| m.prefix.as_str()).collect();
    let mut list: Vec<MetaImport> = mods.cloned().collect();
    list.extend(
        imports
            .iter()
            .filter(|m| m.vcs != "mod" && !have.contains(&m.prefix.as_str()))
            .cloned(),
    );
    Ok(list)
}

/// The first attribute whose local name equals `name` case-insensitively, else `""`.
fn attr_value<'a>(attrs: &'a [(String, String)], name: &str) -> &'a str {
    attrs
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map_or("", |(_, v)| v.as_str())
}

/// cmd/go's `str.HasPathPrefix`: `s` starts with the path elements of `prefix`.
pub fn has_path_prefix(s: &str, prefix: &str) -> bool {
    if s.len() == prefix.len() {
        return s == prefix;
    }
    if prefix.is_empty() {
        return true;
    }
    if s.len() > prefix.len() {
        let (head, rest) = s.as_bytes().split_at(prefix.len());
        if prefix.ends_with('/') || rest.first() == Some(&b'/') {
            return head == prefix.as_bytes();
        }
    }
    false
}

/// cmd/go's `matchGoImport`: the one tag whose prefix is a path prefix of `import_path`.
pub fn match_go_import(
    imports: &[MetaImport],
    import_path: &str,
) -> Result<MetaImport, MatchError> {
    let mut found: Option<&MetaImport> = None;
    let mut mismatches = Vec::new();
    for im in imports {
        if !has_path_prefix(import_path, &im.prefix) {
            mismatches.push(im.prefix.clone());
            continue;
        }
        if let Some(first) = found {
            if first.vcs == "mod" && im.vcs != "mod" {
                // All mod entries precede the others: the mod match wins.
                break;
            }
            return Err(MatchError::Multiple {
                import_path: import_path.to_string(),
            });
        }
        found = Some(im);
    }
    found.cloned().ok_or_else(|| MatchError::Mismatch {
        import_path: import_path.to_string(),
        mismatches,
    })
}

/// cmd/go's `urlForImportPath` with the https scheme web.Get tries first:
/// `https://golang.org/toolchain?go-get=1`. `None` when the first element has no dot
/// ("import path does not begin with hostname").
pub fn go_get_url(import_path: &str) -> Option<String> {
    let (host, path) = match import_path.find('/') {
        Some(i) => import_path.split_at(i),
        None => (import_path, "/"),
    };
    host.contains('.')
        .then(|| format!("https://{host}{path}?go-get=1"))
}

/// cmd/go's `validateRepoRoot` then `newProxyRepo`'s scheme check, for a `mod` tag: the root
/// must be an absolute http(s) URL. Returns it without a trailing `/`.
pub fn validate_repo_root(root: &str) -> Result<String, String> {
    if root.contains(char::is_control) {
        return Err("it contains a control character".into());
    }
    let url = match url::Url::parse(root) {
        Ok(url) => url,
        Err(url::ParseError::RelativeUrlWithoutBase) => return Err("no scheme".into()),
        Err(e) => return Err(e.to_string()),
    };
    match url.scheme() {
        "file" => Err("file scheme disallowed".into()),
        "http" | "https" if url.host_str().is_some_and(|h| !h.is_empty()) => {
            if url.query().is_some() || url.fragment().is_some() {
                // cmd/go would keep the query on every request; no module proxy needs one.
                return Err("a module proxy URL with a query or fragment is not supported".into());
            }
            Ok(root.trim_end_matches('/').to_string())
        }
        "http" | "https" => Err("no host".into()),
        _ => Err("invalid proxy URL scheme (must be https, http, file)".into()),
    }
}

/// cmd/go's `validateRepoSubDir`: no leading `/` or `-`.
pub fn validate_repo_sub_dir(sub_dir: &str) -> Result<(), &'static str> {
    match sub_dir.as_bytes().first() {
        Some(b'/') => Err("leading slash"),
        Some(b'-') => Err("leading hyphen"),
        _ => Ok(()),
    }
}

// ---- A non-strict XML tokenizer: Go's encoding/xml `RawToken` with `Strict = false`. ----

enum Token {
    Start {
        name: String,
        attrs: Vec<(String, String)>,
    },
    End(String),
    /// Text, comments, directives, processing instructions.
    Other,
}

enum Stop {
    Eof,
    Error(ParseError),
}

impl From<ParseError> for Stop {
    fn from(e: ParseError) -> Self {
        Stop::Error(e)
    }
}

struct Decoder<'a> {
    data: &'a [u8],
    pos: usize,
    /// `<x/>` yields a start then an end element, as in Go.
    pending_end: Option<String>,
}

fn is_name_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'_' | b':' | b'.' | b'-')
}

fn is_name(s: &[u8]) -> bool {
    let Ok(s) = std::str::from_utf8(s) else {
        return false;
    };
    let mut chars = s.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    let is_first = |c: char| {
        c.is_ascii_alphabetic() || c == '_' || c == ':' || (!c.is_ascii() && c.is_alphabetic())
    };
    is_first(first)
        && chars.all(|c| {
            is_first(c)
                || c.is_ascii_digit()
                || c == '.'
                || c == '-'
                || c == '\u{b7}'
                || (!c.is_ascii() && c.is_alphanumeric())
        })
}

fn is_in_character_range(c: char) -> bool {
    matches!(c, '\u{9}' | '\u{a}' | '\u{d}' | '\u{20}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}' | '\u{10000}'..)
}

/// Go's `procInst`: the quoted value of `param=` in a processing instruction.
fn proc_inst<'s>(param: &str, s: &'s str) -> &'s str {
    let param = format!("{param}=");
    let lenp = param.len();
    let mut i = 0;
    let mut sep = None;
    while i < s.len() {
        let sub = &s[i..];
        let Some(k) = sub.find(&param) else {
            return "";
        };
        if lenp + k >= sub.len() {
            return "";
        }
        i += lenp + k + 1;
        let c = sub.as_bytes()[lenp + k];
        if c == b'\'' || c == b'"' {
            sep = Some(c);
            break;
        }
    }
    let Some(sep) = sep else {
        return "";
    };
    // `i` is just past an ASCII quote, so it is a char boundary.
    match s.get(i..).and_then(|rest| rest.find(sep as char)) {
        Some(j) => &s[i..i + j],
        None => "",
    }
}

impl Decoder<'_> {
    fn syntax(&self, msg: impl Into<String>) -> Stop {
        let seen = &self.data[..self.pos.min(self.data.len())];
        Stop::Error(ParseError::Syntax {
            line: 1 + seen.iter().filter(|&&b| b == b'\n').count(),
            msg: msg.into(),
        })
    }

    fn getc(&mut self) -> Option<u8> {
        let b = *self.data.get(self.pos)?;
        self.pos += 1;
        Some(b)
    }

    /// A byte, or "unexpected EOF".
    fn mustgetc(&mut self) -> Result<u8, Stop> {
        self.getc().ok_or_else(|| self.syntax("unexpected EOF"))
    }

    /// Puts back the byte just read.
    fn ungetc(&mut self) {
        self.pos = self.pos.saturating_sub(1);
    }

    fn space(&mut self) {
        while let Some(b) = self.getc() {
            if !matches!(b, b' ' | b'\r' | b'\n' | b'\t') {
                self.ungetc();
                return;
            }
        }
    }

    /// Go's `readName`: `Ok(None)` when no name starts here.
    fn read_name(&mut self, buf: &mut Vec<u8>) -> Result<bool, Stop> {
        let b = self.mustgetc()?;
        if b < 0x80 && !is_name_byte(b) {
            self.ungetc();
            return Ok(false);
        }
        buf.push(b);
        loop {
            let b = self.mustgetc()?;
            if b < 0x80 && !is_name_byte(b) {
                self.ungetc();
                return Ok(true);
            }
            buf.push(b);
        }
    }

    fn name(&mut self) -> Result<Option<String>, Stop> {
        let mut buf = Vec::new();
        if !self.read_name(&mut buf)? {
            return Ok(None);
        }
        if !is_name(&buf) {
            return Err(self.syntax(format!(
                "invalid XML name: {}",
                String::from_utf8_lossy(&buf)
            )));
        }
        Ok(String::from_utf8(buf).ok())
    }

    /// Go's `nsname`: the local part (after one `:`); `None` with more than one `:`.
    fn nsname(&mut self) -> Result<Option<String>, Stop> {
        let Some(s) = self.name()? else {
            return Ok(None);
        };
        if s.matches(':').count() > 1 {
            return Ok(None);
        }
        Ok(Some(match s.split_once(':') {
            Some((space, local)) if !space.is_empty() && !local.is_empty() => local.to_string(),
            _ => s,
        }))
    }

    /// Go's `text`: character data up to `<` (or the closing `quote`, or `]]>` in CDATA),
    /// entities decoded (unknown ones kept as written), `\r\n` → `\n`, checked for valid
    /// UTF-8 and XML characters.
    fn text(&mut self, quote: Option<u8>, cdata: bool) -> Result<String, Stop> {
        let (mut b0, mut b1) = (0u8, 0u8);
        let mut trunc = 0;
        let mut buf: Vec<u8> = Vec::new();
        loop {
            let Some(b) = self.getc() else {
                if cdata {
                    return Err(self.syntax("unexpected EOF in CDATA section"));
                }
                break;
            };
            if quote.is_none() && b0 == b']' && b1 == b']' && b == b'>' {
                if cdata {
                    trunc = 2;
                    break;
                }
                return Err(self.syntax("unescaped ]]> not in CDATA section"));
            }
            if b == b'<' && !cdata {
                if quote.is_some() {
                    return Err(self.syntax("unescaped < inside quoted string"));
                }
                self.ungetc();
                break;
            }
            if quote == Some(b) {
                break;
            }
            if b == b'&' && !cdata {
                let before = buf.len();
                buf.push(b'&');
                let mut decoded: Option<String> = None;
                let mut b = self.mustgetc()?;
                if b == b'#' {
                    buf.push(b);
                    b = self.mustgetc()?;
                    let mut radix = 10;
                    if b == b'x' {
                        radix = 16;
                        buf.push(b);
                        b = self.mustgetc()?;
                    }
                    let start = buf.len();
                    while b.is_ascii_digit() || (radix == 16 && b.is_ascii_hexdigit()) {
                        buf.push(b);
                        b = self.mustgetc()?;
                    }
                    if b != b';' {
                        self.ungetc();
                    } else {
                        let digits = String::from_utf8_lossy(&buf[start..]).into_owned();
                        buf.push(b';');
                        if let Ok(n) = u64::from_str_radix(&digits, radix)
                            && n <= 0x10ffff
                        {
                            // Go's string(rune(n)): surrogates become U+FFFD.
                            let c = u32::try_from(n)
                                .ok()
                                .and_then(char::from_u32)
                                .unwrap_or('\u{fffd}');
                            decoded = Some(c.to_string());
                        }
                    }
                } else {
                    self.ungetc();
                    self.read_name(&mut buf)?;
                    b = self.mustgetc()?;
                    if b != b';' {
                        self.ungetc();
                    } else {
                        let name = buf[before + 1..].to_vec();
                        buf.push(b';');
                        if is_name(&name) {
                            decoded = match name.as_slice() {
                                b"lt" => Some("<".into()),
                                b"gt" => Some(">".into()),
                                b"amp" => Some("&".into()),
                                b"apos" => Some("'".into()),
                                b"quot" => Some("\"".into()),
                                _ => None,
                            };
                        }
                    }
                }
                if let Some(text) = decoded {
                    buf.truncate(before);
                    buf.extend_from_slice(text.as_bytes());
                }
                // Non-strict: an unknown or malformed entity stays as written.
                (b0, b1) = (0, 0);
                continue;
            }
            if b == b'\r' {
                buf.push(b'\n');
            } else if b1 == b'\r' && b == b'\n' {
                // \r\n: the \n is already written.
            } else {
                buf.push(b);
            }
            (b0, b1) = (b1, b);
        }
        buf.truncate(buf.len().saturating_sub(trunc));
        let Ok(text) = String::from_utf8(buf) else {
            return Err(self.syntax("invalid UTF-8"));
        };
        if let Some(c) = text.chars().find(|&c| !is_in_character_range(c)) {
            return Err(self.syntax(format!("illegal character code U+{:04X}", c as u32)));
        }
        Ok(text)
    }

    /// Go's `attrval` in non-strict mode: quoted, or a run of `[A-Za-z0-9_:-]`.
    fn attr_val(&mut self) -> Result<String, Stop> {
        let b = self.mustgetc()?;
        if b == b'"' || b == b'\'' {
            return self.text(Some(b), false);
        }
        self.ungetc();
        let mut value = String::new();
        loop {
            let b = self.mustgetc()?;
            if b.is_ascii_alphanumeric() || matches!(b, b'_' | b':' | b'-') {
                value.push(b as char);
            } else {
                self.ungetc();
                return Ok(value);
            }
        }
    }

    fn raw_token(&mut self) -> Result<Token, Stop> {
        if let Some(name) = self.pending_end.take() {
            return Ok(Token::End(name));
        }
        let Some(b) = self.getc() else {
            return Err(Stop::Eof);
        };
        if b != b'<' {
            self.ungetc();
            self.text(None, false)?;
            return Ok(Token::Other);
        }
        match self.mustgetc()? {
            b'/' => {
                let Some(name) = self.nsname()? else {
                    return Err(self.syntax("expected element name after </"));
                };
                self.space();
                if self.mustgetc()? != b'>' {
                    return Err(self.syntax(format!("invalid characters between </{name} and >")));
                }
                Ok(Token::End(name))
            }
            b'?' => {
                let Some(target) = self.name()? else {
                    return Err(self.syntax("expected target name after <?"));
                };
                self.space();
                let start = self.pos;
                let mut b0 = 0u8;
                loop {
                    let b = self.mustgetc()?;
                    if b0 == b'?' && b == b'>' {
                        break;
                    }
                    b0 = b;
                }
                if target == "xml" {
                    let content =
                        String::from_utf8_lossy(&self.data[start..self.pos.saturating_sub(2)])
                            .into_owned();
                    let version = proc_inst("version", &content);
                    if !version.is_empty() && version != "1.0" {
                        return Err(ParseError::Version(version.to_string()).into());
                    }
                    let encoding = proc_inst("encoding", &content);
                    if !encoding.is_empty()
                        && !encoding.eq_ignore_ascii_case("utf-8")
                        && !encoding.eq_ignore_ascii_case("ascii")
                    {
                        return Err(ParseError::Charset(encoding.to_string()).into());
                    }
                }
                Ok(Token::Other)
            }
            b'!' => self.bang(),
            _ => {
                self.ungetc();
                self.start_element()
            }
        }
    }

    /// After `<!`: a comment, a CDATA section or a directive.
    fn bang(&mut self) -> Result<Token, Stop> {
        match self.mustgetc()? {
            b'-' => {
                if self.mustgetc()? != b'-' {
                    return Err(self.syntax("invalid sequence <!- not part of <!--"));
                }
                let (mut b0, mut b1) = (0u8, 0u8);
                loop {
                    let b = self.mustgetc()?;
                    if b0 == b'-' && b1 == b'-' {
                        if b != b'>' {
                            return Err(
                                self.syntax(r#"invalid sequence "--" not allowed in comments"#)
                            );
                        }
                        return Ok(Token::Other);
                    }
                    (b0, b1) = (b1, b);
                }
            }
            b'[' => {
                for &want in b"CDATA[" {
                    if self.mustgetc()? != want {
                        return Err(self.syntax("invalid <![ sequence"));
                    }
                }
                self.text(None, true)?;
                Ok(Token::Other)
            }
            _ => {
                // A directive (<!DOCTYPE …>): quoted `>` and nested `<…>` do not end it;
                // `<!--…-->` inside is skipped.
                let mut inquote = 0u8;
                let mut depth = 0i64;
                let mut b = self.mustgetc()?;
                // Go's `goto HandleB`: a byte read while looking for `<!--` is handled
                // without the end check.
                let mut check_end = true;
                loop {
                    if check_end && inquote == 0 && b == b'>' && depth == 0 {
                        return Ok(Token::Other);
                    }
                    check_end = true;
                    if b == inquote {
                        inquote = 0;
                    } else if inquote != 0 {
                        // Quoted: nothing is special.
                    } else if b == b'\'' || b == b'"' {
                        inquote = b;
                    } else if b == b'>' {
                        depth -= 1;
                    } else if b == b'<' {
                        let mut other = None;
                        for &want in b"!--" {
                            let c = self.mustgetc()?;
                            if c != want {
                                other = Some(c);
                                break;
                            }
                        }
                        if let Some(c) = other {
                            depth += 1;
                            b = c;
                            check_end = false;
                            continue;
                        }
                        let (mut b0, mut b1) = (0u8, 0u8);
                        loop {
                            let c = self.mustgetc()?;
                            if b0 == b'-' && b1 == b'-' && c == b'>' {
                                break;
                            }
                            (b0, b1) = (b1, c);
                        }
                    }
                    b = self.mustgetc()?;
                }
            }
        }
    }

    /// `<name attr="v" bare unquoted=v>` or `<name …/>`.
    fn start_element(&mut self) -> Result<Token, Stop> {
        let Some(name) = self.nsname()? else {
            return Err(self.syntax("expected element name after <"));
        };
        let mut attrs = Vec::new();
        loop {
            self.space();
            let b = self.mustgetc()?;
            if b == b'/' {
                if self.mustgetc()? != b'>' {
                    return Err(self.syntax("expected /> in element"));
                }
                self.pending_end = Some(name.clone());
                break;
            }
            if b == b'>' {
                break;
            }
            self.ungetc();
            let Some(attr) = self.nsname()? else {
                return Err(self.syntax("expected attribute name in element"));
            };
            self.space();
            let value = if self.mustgetc()? == b'=' {
                self.space();
                self.attr_val()?
            } else {
                // Non-strict: a bare attribute's value is its name.
                self.ungetc();
                attr.clone()
            };
            attrs.push((attr, value));
        }
        Ok(Token::Start { name, attrs })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const TOOLCHAIN: &str = "golang.org/toolchain";

    fn mi(prefix: &str, vcs: &str, root: &str) -> MetaImport {
        MetaImport {
            prefix: prefix.into(),
            vcs: vcs.into(),
            repo_root: root.into(),
            sub_dir: String::new(),
        }
    }

    /// The page go.dev serves for golang.org/toolchain.
    const GO_DEV: &str = r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="go-import" content="golang.org/toolchain mod https://go.dev/dl/mod">
<meta http-equiv="refresh" content="0; url=https://pkg.go.dev/golang.org/toolchain">
</head>
<body>
<meta name="go-import" content="golang.org/toolchain git https://evil.example/x">
</body>
</html>
"#;

    #[test]
    fn the_real_page_names_go_dev_dl_mod() {
        let imports = parse_meta_go_imports(GO_DEV.as_bytes()).unwrap();
        assert_eq!(
            imports,
            [mi(TOOLCHAIN, "mod", "https://go.dev/dl/mod")],
            "tags after <body> are not read"
        );
        let m = match_go_import(&imports, TOOLCHAIN).unwrap();
        assert_eq!(
            validate_repo_root(&m.repo_root).unwrap(),
            "https://go.dev/dl/mod"
        );
    }

    /// Cases from cmd/go's discovery_test.go (parseMetaGoImportsTests), with PreferMod.
    #[test]
    fn cmd_go_discovery_cases() {
        type Tag<'a> = (&'a str, &'a str, &'a str);
        let cases: &[(&str, &[Tag])] = &[
            (
                r#"<meta name="go-import" content="foo/bar git https://github.com/rsc/foo/bar">"#,
                &[("foo/bar", "git", "https://github.com/rsc/foo/bar")],
            ),
            (
                r#"<meta name="go-import" content="foo/bar git https://github.com/rsc/foo/bar">
		<meta name="go-import" content="baz/quux git http://github.com/rsc/baz/quux">"#,
                &[
                    ("foo/bar", "git", "https://github.com/rsc/foo/bar"),
                    ("baz/quux", "git", "http://github.com/rsc/baz/quux"),
                ],
            ),
            (
                r#"<meta name="go-import" content="foo/bar git https://github.com/rsc/foo/bar">
		<meta name="go-import" content="foo/bar mod http://github.com/rsc/baz/quux">"#,
                &[("foo/bar", "mod", "http://github.com/rsc/baz/quux")],
            ),
            (
                r#"<meta name="go-import" content="foo/bar git https://github.com/rsc/foo/bar">
		</head>
		<meta name="go-import" content="baz/quux git http://github.com/rsc/baz/quux">"#,
                &[("foo/bar", "git", "https://github.com/rsc/foo/bar")],
            ),
            (
                r#"<meta name="go-import" content="foo/bar git https://github.com/rsc/foo/bar">
		<body>
		<meta name="go-import" content="baz/quux git http://github.com/rsc/baz/quux">"#,
                &[("foo/bar", "git", "https://github.com/rsc/foo/bar")],
            ),
            (
                r#"<!doctype html><meta name="go-import" content="foo/bar git https://github.com/rsc/foo/bar">"#,
                &[("foo/bar", "git", "https://github.com/rsc/foo/bar")],
            ),
            // Unquoted values and bare attributes (non-strict mode).
            (
                r#"<!doctype html><meta name=go-import content="foo/bar git https://github.com/rsc/foo/bar"><input checked>"#,
                &[("foo/bar", "git", "https://github.com/rsc/foo/bar")],
            ),
            (
                r#"<html><head><META NAME="go-import" CONTENT="foo/bar git https://github.com/rsc/foo/bar"></head></html>"#,
                &[("foo/bar", "git", "https://github.com/rsc/foo/bar")],
            ),
            (
                r#"<head><meta name="go-import" content="foo/bar git https://github.com/rsc/foo/bar"/>"#,
                &[("foo/bar", "git", "https://github.com/rsc/foo/bar")],
            ),
            // A syntax error after a tag ends parsing without an error.
            (
                r#"<meta name="go-import" content="foo/bar git https://github.com/rsc/foo/bar"><a < b"#,
                &[("foo/bar", "git", "https://github.com/rsc/foo/bar")],
            ),
            // Comments, CDATA, directives with quoted > and nested comments.
            (
                r#"<?xml version="1.0" encoding="ASCII"?><!DOCTYPE x [ <!ENTITY a "b>"> <!-- > --> ]><!-- <meta name="go-import" content="a b c"> --><![CDATA[<meta>]]><meta name="go-import" content="foo/bar mod https://p.example/m">"#,
                &[("foo/bar", "mod", "https://p.example/m")],
            ),
            // Entities in attribute values; wrong field counts skipped; value exact-case.
            (
                r#"<meta name="go-import" content="foo/bar&#x20;mod&#32;https://p.example/?a&amp;b"><meta name="go-import" content="a b"><meta name="Go-Import" content="x y z"><meta x:name="go-import" content="ns/x mod https://n.example">"#,
                &[
                    ("foo/bar", "mod", "https://p.example/?a&b"),
                    ("ns/x", "mod", "https://n.example"),
                ],
            ),
        ];
        for (page, want) in cases {
            let got =
                parse_meta_go_imports(page.as_bytes()).unwrap_or_else(|e| panic!("{page}: {e}"));
            let want: Vec<MetaImport> = want.iter().map(|(p, v, r)| mi(p, v, r)).collect();
            assert_eq!(got, want, "{page}");
        }
        let sub = parse_meta_go_imports(
            br#"<meta name="go-import" content="foo/bar git https://github.com/rsc/foo/bar subdir">"#,
        )
        .unwrap();
        assert_eq!(sub[0].sub_dir, "subdir");
    }

    #[test]
    fn errors_before_any_tag() {
        let cases: &[(&[u8], &str)] = &[
            (
                b"<a < b><meta name=\"go-import\" content=\"a b c\">",
                "XML syntax error on line 1: expected attribute name in element",
            ),
            (
                b"\n<p>x</p \n y>",
                "XML syntax error on line 3: invalid characters between </p and >",
            ),
            (
                b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>",
                "xml: opening charset \"ISO-8859-1\"",
            ),
            (
                b"<?xml version=\"2.0\"?>",
                "xml: unsupported version \"2.0\"",
            ),
            (
                b"<meta name=\"go-import\" content=\"a\xff b c\">",
                "invalid UTF-8",
            ),
            (b"<p>\x00</p>", "illegal character code U+0000"),
            (b"<meta name=\"go-import", "unexpected EOF"),
            (b"<!-- x -- y -->", "not allowed in comments"),
            (b"<![CDATA[x", "unexpected EOF in CDATA section"),
            (b"a]]>b", "unescaped ]]> not in CDATA section"),
        ];
        for (page, want) in cases {
            let err = parse_meta_go_imports(page).unwrap_err().to_string();
            assert!(
                err.contains(want),
                "{:?}: {err}",
                String::from_utf8_lossy(page)
            );
        }
        // Nothing at all, or HTML without tags: no imports, no error.
        assert_eq!(parse_meta_go_imports(b""), Ok(vec![]));
        assert_eq!(
            parse_meta_go_imports(b"<html><head></head></html>"),
            Ok(vec![])
        );
    }

    #[test]
    fn matching_follows_cmd_go() {
        let tc = mi(TOOLCHAIN, "mod", "https://go.dev/dl/mod");
        assert_eq!(
            match_go_import(std::slice::from_ref(&tc), TOOLCHAIN),
            Ok(tc.clone())
        );
        // A shorter prefix matches by path elements, not by bytes.
        let org = mi("golang.org", "mod", "https://p.example");
        assert_eq!(
            match_go_import(std::slice::from_ref(&org), TOOLCHAIN),
            Ok(org)
        );
        let err = match_go_import(
            &[
                mi("golang.org/tool", "mod", "x"),
                mi("golang.org/toolchainx", "mod", "y"),
            ],
            TOOLCHAIN,
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "no go-import meta tags (meta tag golang.org/tool did not match import path golang.org/toolchain, meta tag golang.org/toolchainx did not match import path golang.org/toolchain)"
        );
        assert_eq!(
            match_go_import(&[], TOOLCHAIN).unwrap_err().to_string(),
            "no go-import meta tags ()"
        );
        let two = [tc.clone(), mi("golang.org", "mod", "https://q.example")];
        assert!(matches!(
            match_go_import(&two, TOOLCHAIN),
            Err(MatchError::Multiple { .. })
        ));
        // A mod match ahead of non-mod ones wins (parse puts mod entries first).
        let mixed = [tc.clone(), mi("golang.org", "git", "https://g.example")];
        assert_eq!(match_go_import(&mixed, TOOLCHAIN), Ok(tc));
        assert!(
            has_path_prefix("a/b", "a/") && has_path_prefix("a", "") && !has_path_prefix("ab", "a")
        );
    }

    #[test]
    fn urls_and_roots() {
        assert_eq!(
            go_get_url(TOOLCHAIN).unwrap(),
            "https://golang.org/toolchain?go-get=1"
        );
        assert_eq!(
            go_get_url("golang.org").unwrap(),
            "https://golang.org/?go-get=1"
        );
        assert_eq!(go_get_url("toolchain/x"), None);
        assert_eq!(
            validate_repo_root("https://go.dev/dl/mod/").unwrap(),
            "https://go.dev/dl/mod"
        );
        assert_eq!(
            validate_repo_root("go.dev/dl/mod").unwrap_err(),
            "no scheme"
        );
        assert_eq!(
            validate_repo_root("file:///srv/mod").unwrap_err(),
            "file scheme disallowed"
        );
        assert!(
            validate_repo_root("ftp://x.example/m")
                .unwrap_err()
                .contains("must be https")
        );
        assert!(validate_repo_root("https://x.example/m?q").is_err());
        assert!(validate_repo_root("https://x.example/\u{1}").is_err());
        assert_eq!(validate_repo_sub_dir("-x"), Err("leading hyphen"));
        assert_eq!(validate_repo_sub_dir("/x"), Err("leading slash"));
        assert_eq!(validate_repo_sub_dir(""), Ok(()));
    }

    fn htmlish() -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            Just("<meta name=\"go-import\" content=\"golang.org/toolchain mod https://go.dev/dl/mod\">".to_string()),
            Just("<head>".to_string()),
            Just("</head>".to_string()),
            Just("<body>".to_string()),
            Just("<!--".to_string()),
            Just("-->".to_string()),
            Just("<![CDATA[".to_string()),
            Just("]]>".to_string()),
            Just("<!DOCTYPE html [".to_string()),
            Just("<?xml encoding=\"latin1\"?>".to_string()),
            Just("&#x".to_string()),
            Just("&amp;".to_string()),
            Just("/>".to_string()),
            Just("\"".to_string()),
            Just("'".to_string()),
            "[<>/=!?&#;\"' a-zA-Z:\\-\\[\\]\r\n\u{0}\u{85}é]{0,12}",
        ];
        prop::collection::vec(piece, 0..24).prop_map(|v| v.concat())
    }

    proptest! {
        #[test]
        fn never_panics_on_bytes(body in prop::collection::vec(any::<u8>(), 0..512)) {
            if let Ok(imports) = parse_meta_go_imports(&body) {
                for m in &imports {
                    let _ = match_go_import(&imports, &m.prefix);
                    let _ = validate_repo_root(&m.repo_root);
                }
            }
        }

        #[test]
        fn never_panics_on_htmlish_pages(page in htmlish()) {
            match parse_meta_go_imports(page.as_bytes()) {
                Ok(imports) => {
                    // mod entries come first.
                    let first_other = imports.iter().position(|m| m.vcs != "mod").unwrap_or(imports.len());
                    prop_assert!(imports[first_other..].iter().all(|m| m.vcs != "mod"));
                    let _ = match_go_import(&imports, TOOLCHAIN);
                }
                Err(e) => prop_assert!(!e.to_string().is_empty()),
            }
        }

        /// A tag in a well-formed head is always found, whatever comes before it.
        #[test]
        fn a_clean_tag_is_found(title in "[a-zA-Z0-9 .,]{0,40}") {
            let page = format!("<html><head><title>{title}</title><meta name=\"go-import\" content=\"golang.org/toolchain mod https://go.dev/dl/mod\"></head></html>");
            let imports = parse_meta_go_imports(page.as_bytes()).unwrap();
            prop_assert_eq!(match_go_import(&imports, TOOLCHAIN).unwrap().repo_root, "https://go.dev/dl/mod");
        }
    }
}
