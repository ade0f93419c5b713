//! Go toolchain versions and the specs users type to pick one.
//!
//! Parsing and ordering follow Go's own `src/internal/gover` exactly, because gox must agree
//! with the `go` command about which toolchain satisfies a `go.mod`. Go versions are not
//! semver:
//!
//! - `1` means `1.0.0`, and before Go 1.21 the first release of a line had no `.0`, so
//!   `1.20rc1 < 1.20 == 1.20.0`.
//! - From Go 1.21 on, `1.21` is the *language* version, below every release of that line:
//!   `1.21 < 1.21rc1 < 1.21.0`.
//! - Pre-release kinds compare as strings (`alpha < beta < rc`), and numbers are compared as
//!   arbitrary-size decimals, so nothing overflows.
//!
//! The go.dev feed also lists a few pre-releases of patch releases (`go1.9.2rc2`). Go's
//! shipped parsers reject them, so [`Version::parse`] does too, but [`Version::parse_feed`]
//! accepts them and orders them just below their release (`1.9.1 < 1.9.2rc2 < 1.9.2`).

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::str::FromStr;

mod spec;
#[cfg(test)]
mod tests;

pub use spec::Spec;

/// A parsed Go version such as `1.22.5`, `1.21rc1` or `1.20`.
///
/// Equality, ordering and hashing are Go's (`1.20 == 1.20.0`), while [`Version::as_str`]
/// keeps the text as written, because `go1.20` and `go1.20.0` name different things on
/// disk and in the feed.
#[derive(Clone)]
pub struct Version {
    /// As written, without the `go` prefix or surrounding whitespace.
    text: String,
    // The fields below are gover's: decimal strings, "" when absent.
    major: String,
    minor: String,
    patch: String,
    kind: String,
    pre: String,
}

/// Why a version or spec was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VersionError {
    #[error("expected a Go version (like 1.22.5), got an empty string")]
    Empty,
    #[error("`{input}` is not a Go version: {reason}")]
    Invalid { input: String, reason: Reason },
    #[error(
        "`{input}` is not a Go version or spec: use a version (1.22.5, go1.23rc1), \
         a release line (1.22, 1), `latest` or `unstable`"
    )]
    UnknownSpec { input: String },
}

/// What exactly is wrong with a malformed version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reason {
    /// `found` is what stands where the number should be ("" at the end of the input).
    MissingNumber {
        part: Part,
        found: String,
    },
    LeadingZero {
        part: Part,
        number: String,
    },
    UppercaseKind {
        found: String,
    },
    /// `1.21.3rc1`: only [`Version::parse_feed`] tolerates these.
    PatchPrerelease,
    /// `after` is the valid beginning of the input, `rest` the text that cannot follow it.
    Unexpected {
        after: String,
        rest: String,
    },
}

/// The numbered parts of a Go version, for error messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    Major,
    Minor,
    Patch,
    Prerelease,
}

impl fmt::Display for Part {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Part::Major => "major",
            Part::Minor => "minor",
            Part::Patch => "patch",
            Part::Prerelease => "pre-release",
        })
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reason::MissingNumber { part, found } if found.is_empty() => {
                write!(f, "the {part} number is missing")
            }
            Reason::MissingNumber { part, found } => {
                write!(f, "expected a {part} number, found `{found}`")
            }
            Reason::LeadingZero { part, number } => {
                write!(f, "the {part} number `{number}` has a leading zero")
            }
            Reason::UppercaseKind { found } => {
                write!(
                    f,
                    "pre-release kinds are lowercase (like rc1), found `{found}`"
                )
            }
            Reason::PatchPrerelease => {
                f.write_str("pre-releases exist only for X.Y (like 1.21rc1), not X.Y.Z")
            }
            Reason::Unexpected { after, rest } => write!(f, "unexpected `{rest}` after `{after}`"),
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Strict,
    Feed,
}

/// gover's fields, borrowed from the input until parsing succeeds.
struct Parts<'a> {
    major: &'a str,
    minor: &'a str,
    patch: &'a str,
    kind: &'a str,
    pre: &'a str,
}

impl Version {
    /// Parses a version exactly as Go does, accepting a `go` prefix and surrounding
    /// whitespace: `1.22.5`, `go1.21rc1`, `1.20`, `1`.
    pub fn parse(s: &str) -> Result<Version, VersionError> {
        parse_with(s, Mode::Strict)
    }

    /// Like [`Version::parse`], but also accepts the pre-releases of patch releases that the
    /// go.dev feed lists (`go1.9.2rc2`).
    pub fn parse_feed(s: &str) -> Result<Version, VersionError> {
        parse_with(s, Mode::Feed)
    }

    /// True when this is not a pre-release of any sort (`1.22.5`, `1.20`, and the language
    /// version `1.21`).
    pub fn is_stable(&self) -> bool {
        self.kind.is_empty()
    }

    pub fn is_prerelease(&self) -> bool {
        !self.is_stable()
    }

    /// False only for the legacy `1.9.2rc2` form, which Go's own tools reject.
    pub fn is_go_valid(&self) -> bool {
        self.patch.is_empty() || self.kind.is_empty()
    }

    /// True for a language version such as `1.21` (Go ≥ 1.21 written without a patch), which
    /// names no release: it sorts below `1.21rc1` and `1.21.0`.
    pub fn is_lang(&self) -> bool {
        self.patch.is_empty() && self.kind.is_empty()
    }

    /// The text as written, without the `go` prefix: `1.22.5`, `1.20`, `1.21rc1`.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The name Go gives this release (`go1.22.5`, `go1.20`), as used in archive and
    /// directory names.
    pub fn go_name(&self) -> String {
        format!("go{}", self.text)
    }

    pub fn major(&self) -> &str {
        &self.major
    }

    /// The minor number; `0` for a bare major such as `1`.
    pub fn minor(&self) -> &str {
        &self.minor
    }

    /// The language version, as gover's `Lang`: `1.22` for `1.22.5`, `1.22rc1` and `1.22.0`;
    /// just the major for `1` and `1.0.x`.
    pub fn lang(&self) -> String {
        if self.major == "1" && self.minor == "0" {
            self.major.clone()
        } else {
            format!("{}.{}", self.major, self.minor)
        }
    }

    /// Whether both versions belong to the same release line (major and minor).
    pub fn same_lang(&self, other: &Version) -> bool {
        self.major == other.major && self.minor == other.minor
    }

    /// gover orders kinds as strings, so the language version `1.21` ("") sorts before
    /// `1.21alpha1`; but a patch release sorts after its own pre-releases.
    /// Only meaningful once the patches compared equal.
    fn cmp_kind(&self, other: &Version) -> Ordering {
        if !self.patch.is_empty() && self.kind.is_empty() != other.kind.is_empty() {
            return if self.kind.is_empty() {
                Ordering::Greater
            } else {
                Ordering::Less
            };
        }
        self.kind.cmp(&other.kind)
    }
}

fn parse_with(s: &str, mode: Mode) -> Result<Version, VersionError> {
    let input = s.trim();
    if input.is_empty() {
        return Err(VersionError::Empty);
    }
    let text = input.strip_prefix("go").unwrap_or(input);
    let parts = parse_parts(text, mode).map_err(|reason| VersionError::Invalid {
        input: input.to_owned(),
        reason,
    })?;
    Ok(Version {
        text: text.to_owned(),
        major: parts.major.to_owned(),
        minor: parts.minor.to_owned(),
        patch: parts.patch.to_owned(),
        kind: parts.kind.to_owned(),
        pre: parts.pre.to_owned(),
    })
}

/// gover's `Parse`, reporting why instead of returning a zero version.
fn parse_parts(text: &str, mode: Mode) -> Result<Parts<'_>, Reason> {
    let (major, rest) = cut_int(text, Part::Major)?;
    if rest.is_empty() {
        return Ok(Parts {
            major,
            minor: "0",
            patch: "0",
            kind: "",
            pre: "",
        });
    }
    let Some(rest) = rest.strip_prefix('.') else {
        return Err(unexpected(text, rest));
    };

    let (minor, rest) = cut_int(rest, Part::Minor)?;
    let mut parts = Parts {
        major,
        minor,
        patch: "",
        kind: "",
        pre: "",
    };
    if rest.is_empty() {
        // Before Go 1.21 the first release of a line was `1.N`, meaning `1.N.0`.
        if cmp_int(minor, "21").is_lt() {
            parts.patch = "0";
        }
        return Ok(parts);
    }

    if let Some(rest) = rest.strip_prefix('.') {
        let (patch, rest) = cut_int(rest, Part::Patch)?;
        parts.patch = patch;
        if rest.is_empty() {
            return Ok(parts);
        }
        (parts.kind, parts.pre) = parse_prerelease(text, rest)?;
        if mode == Mode::Strict {
            return Err(Reason::PatchPrerelease);
        }
        return Ok(parts);
    }

    (parts.kind, parts.pre) = parse_prerelease(text, rest)?;
    Ok(parts)
}

/// A pre-release suffix: lowercase letters, then an optional number (`rc1`, `beta`).
fn parse_prerelease<'a>(text: &'a str, rest: &'a str) -> Result<(&'a str, &'a str), Reason> {
    let kind_len = rest.bytes().take_while(u8::is_ascii_lowercase).count();
    let (kind, tail) = rest.split_at(kind_len);
    if tail.bytes().next().is_some_and(|b| b.is_ascii_uppercase()) {
        return Err(Reason::UppercaseKind {
            found: rest.to_owned(),
        });
    }
    if kind.is_empty() {
        return Err(unexpected(text, rest));
    }
    if tail.is_empty() {
        return Ok((kind, ""));
    }
    let (pre, tail) = cut_int(tail, Part::Prerelease)?;
    if !tail.is_empty() {
        return Err(unexpected(text, tail));
    }
    Ok((kind, pre))
}

/// Splits a leading decimal number (no superfluous leading zero) off `s`.
fn cut_int(s: &str, part: Part) -> Result<(&str, &str), Reason> {
    let len = s.bytes().take_while(u8::is_ascii_digit).count();
    if len == 0 {
        return Err(Reason::MissingNumber {
            part,
            found: s.to_owned(),
        });
    }
    // Only ASCII digits precede `len`, so this is a char boundary.
    let (number, rest) = s.split_at(len);
    if len > 1 && number.starts_with('0') {
        return Err(Reason::LeadingZero {
            part,
            number: number.to_owned(),
        });
    }
    Ok((number, rest))
}

/// `rest` must be a suffix of `text`.
fn unexpected(text: &str, rest: &str) -> Reason {
    Reason::Unexpected {
        after: text[..text.len() - rest.len()].to_owned(),
        rest: rest.to_owned(),
    }
}

/// Compares canonical decimal strings of any size; "" (absent) sorts below "0".
fn cmp_int(x: &str, y: &str) -> Ordering {
    x.len().cmp(&y.len()).then_with(|| x.cmp(y))
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        cmp_int(&self.major, &other.major)
            .then_with(|| cmp_int(&self.minor, &other.minor))
            .then_with(|| cmp_int(&self.patch, &other.patch))
            .then_with(|| self.cmp_kind(other))
            .then_with(|| cmp_int(&self.pre, &other.pre))
    }
}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Version {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other).is_eq()
    }
}

impl Eq for Version {}

impl Hash for Version {
    // Numbers are canonical (no leading zeros), so versions compare equal exactly when
    // these fields are identical; `text` must stay out (`1.20` == `1.20.0`).
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.major.hash(state);
        self.minor.hash(state);
        self.patch.hash(state);
        self.kind.hash(state);
        self.pre.hash(state);
    }
}

impl fmt::Debug for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Version({})", self.text)
    }
}

impl fmt::Display for Version {
    // `pad` so tables can align versions with `{:<8}`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(&self.text)
    }
}

impl FromStr for Version {
    type Err = VersionError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Version::parse(s)
    }
}
