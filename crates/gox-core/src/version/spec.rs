use std::fmt;
use std::str::FromStr;

use super::{Version, VersionError};

/// What a user asks for on the command line or in a version file.
///
/// | Input                                  | Spec                                         |
/// |----------------------------------------|----------------------------------------------|
/// | `1.22.5`, `go1.22.5`, `1.23rc1`        | `Exact`                                      |
/// | `1.22`, `1.20`                         | `Prefix { major: "1", minor: Some(..) }`     |
/// | `1`                                    | `Prefix { major: "1", minor: None }`         |
/// | `latest`, `stable`                     | `Latest`                                     |
/// | `unstable`, `latest-unstable`          | `Unstable`                                   |
///
/// `1.N` is a release line for every N, including N < 21. Go did release `go1.20` itself
/// (= `1.20.0`), but someone typing `1.20` means "the 1.20 line" as surely as with `1.22`,
/// and the newest 1.20.x is what they want. To pin the first release, write `1.20.0`.
///
/// Versions are parsed with [`Version::parse_feed`], so anything `ls-remote` lists,
/// including the legacy `1.9.2rc2`, can be asked for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Spec {
    /// This version, compared as Go does (`1.20.0` matches a release listed as `1.20`).
    Exact(Version),
    /// The newest stable release of a major (and minor, when given) line.
    Prefix {
        major: String,
        minor: Option<String>,
    },
    /// The newest stable release.
    Latest,
    /// The newest release, pre-releases included.
    Unstable,
}

impl Spec {
    /// Parses a spec, ignoring surrounding whitespace; keywords are case-insensitive.
    pub fn parse(s: &str) -> Result<Spec, VersionError> {
        let input = s.trim();
        if input.is_empty() {
            return Err(VersionError::Empty);
        }
        match input.to_ascii_lowercase().as_str() {
            "latest" | "stable" => return Ok(Spec::Latest),
            "unstable" | "latest-unstable" => return Ok(Spec::Unstable),
            _ => {}
        }
        // Only input that starts like a version gets the parser's detailed complaint;
        // for anything else (`latestt`) listing what a spec can be helps more.
        let body = input.strip_prefix("go").unwrap_or(input);
        if !body.starts_with(|c: char| c.is_ascii_digit()) {
            return Err(VersionError::UnknownSpec {
                input: input.to_owned(),
            });
        }
        let version = Version::parse_feed(input)?;
        let spec = if version.kind.is_empty() {
            match version.text.matches('.').count() {
                0 => Spec::Prefix {
                    major: version.major,
                    minor: None,
                },
                1 => Spec::Prefix {
                    major: version.major,
                    minor: Some(version.minor),
                },
                _ => Spec::Exact(version),
            }
        } else {
            Spec::Exact(version)
        };
        Ok(spec)
    }

    pub fn matches(&self, v: &Version) -> bool {
        match self {
            Spec::Exact(exact) => v == exact,
            Spec::Prefix { major, minor } => {
                v.is_stable()
                    && v.major() == major
                    && minor.as_ref().is_none_or(|minor| v.minor() == minor)
            }
            Spec::Latest => v.is_stable(),
            Spec::Unstable => true,
        }
    }

    /// The newest of `versions` that this spec matches.
    pub fn pick<'a, I: IntoIterator<Item = &'a Version>>(
        &self,
        versions: I,
    ) -> Option<&'a Version> {
        versions.into_iter().filter(|v| self.matches(v)).max()
    }

    pub fn is_exact(&self) -> bool {
        matches!(self, Spec::Exact(_))
    }
}

impl fmt::Display for Spec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Spec::Exact(version) => version.fmt(f),
            Spec::Prefix { major, minor: None } => f.pad(major),
            Spec::Prefix {
                major,
                minor: Some(minor),
            } => f.pad(&format!("{major}.{minor}")),
            Spec::Latest => f.pad("latest"),
            Spec::Unstable => f.pad("unstable"),
        }
    }
}

impl FromStr for Spec {
    type Err = VersionError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Spec::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Version {
        Version::parse_feed(s).unwrap()
    }

    fn prefix(major: &str, minor: Option<&str>) -> Spec {
        Spec::Prefix {
            major: major.to_owned(),
            minor: minor.map(str::to_owned),
        }
    }

    #[test]
    fn parses_every_form() {
        let cases = [
            ("1.22.5", Spec::Exact(v("1.22.5"))),
            ("go1.22.5", Spec::Exact(v("1.22.5"))),
            ("  go1.22.5\n", Spec::Exact(v("1.22.5"))),
            ("1.23rc1", Spec::Exact(v("1.23rc1"))),
            ("1.20.0", Spec::Exact(v("1.20.0"))),
            ("1.9.2rc2", Spec::Exact(v("1.9.2rc2"))),
            ("1.22", prefix("1", Some("22"))),
            ("go1.22", prefix("1", Some("22"))),
            ("1.20", prefix("1", Some("20"))),
            ("1", prefix("1", None)),
            ("go1", prefix("1", None)),
            ("latest", Spec::Latest),
            ("LATEST", Spec::Latest),
            ("Stable", Spec::Latest),
            ("unstable", Spec::Unstable),
            (" Latest-Unstable ", Spec::Unstable),
        ];
        for (input, want) in cases {
            assert_eq!(Spec::parse(input), Ok(want.clone()), "{input:?}");
            assert_eq!(input.parse::<Spec>(), Ok(want), "{input:?}");
        }
    }

    #[test]
    fn exact_keeps_the_text_as_written() {
        let Ok(Spec::Exact(version)) = Spec::parse("go1.20.0") else {
            panic!("1.20.0 is exact");
        };
        assert_eq!(version.as_str(), "1.20.0");
    }

    #[test]
    fn rejects_bad_specs_with_a_reason() {
        let cases = [
            (
                "1.x",
                "`1.x` is not a Go version: expected a minor number, found `x`",
            ),
            (
                "",
                "expected a Go version (like 1.22.5), got an empty string",
            ),
            (
                "   ",
                "expected a Go version (like 1.22.5), got an empty string",
            ),
            (
                "1.2.3.4",
                "`1.2.3.4` is not a Go version: unexpected `.4` after `1.2.3`",
            ),
            ("go", "`go` is not a Go version or spec"),
            ("latestt", "`latestt` is not a Go version or spec"),
            ("newest", "`newest` is not a Go version or spec"),
            (
                "1.05",
                "`1.05` is not a Go version: the minor number `05` has a leading zero",
            ),
        ];
        for (input, want) in cases {
            let err = Spec::parse(input).expect_err(input).to_string();
            assert!(err.starts_with(want), "{input:?}: {err}");
        }
    }

    #[test]
    fn displays_what_parses_back() {
        for (input, shown) in [
            ("go1.22.5", "1.22.5"),
            ("1.23rc1", "1.23rc1"),
            ("go1.22", "1.22"),
            ("1", "1"),
            ("stable", "latest"),
            ("latest-unstable", "unstable"),
        ] {
            let spec = Spec::parse(input).unwrap();
            assert_eq!(spec.to_string(), shown);
            assert_eq!(Spec::parse(shown), Ok(spec));
        }
        assert_eq!(format!("{:<8}|", Spec::Latest), "latest  |");
    }

    #[test]
    fn picks_the_newest_match() {
        let available: Vec<Version> = [
            "1.21.0", "1.21.13", "1.22rc1", "1.22.0", "1.22.10", "1.23rc1",
        ]
        .into_iter()
        .map(v)
        .collect();
        let cases = [
            ("1.22", Some("1.22.10")),
            ("1.21", Some("1.21.13")),
            ("latest", Some("1.22.10")),
            ("unstable", Some("1.23rc1")),
            ("1", Some("1.22.10")),
            ("1.23rc1", Some("1.23rc1")),
            ("1.22.0", Some("1.22.0")),
            ("1.23", None),
            ("1.24", None),
            ("2", None),
            ("1.22rc2", None),
        ];
        for (spec, want) in cases {
            let picked = Spec::parse(spec).unwrap().pick(&available);
            assert_eq!(picked.map(Version::as_str), want, "{spec}");
        }
        assert_eq!(Spec::Latest.pick(&[]), None);
    }

    #[test]
    fn old_lines_and_legacy_prereleases() {
        let available: Vec<Version> = ["1.9.1", "1.9.2rc2", "1.9.2", "1.20rc1", "1.20", "1.20.3"]
            .into_iter()
            .map(v)
            .collect();
        let pick = |spec: &str| {
            Spec::parse(spec)
                .unwrap()
                .pick(&available)
                .map(Version::as_str)
        };
        assert_eq!(pick("1.20"), Some("1.20.3"));
        // `1.20.0` is the release the feed calls `go1.20`.
        assert_eq!(pick("1.20.0"), Some("1.20"));
        assert_eq!(pick("1.9"), Some("1.9.2"));
        assert_eq!(pick("1.9.2rc2"), Some("1.9.2rc2"));
        assert_eq!(pick("unstable"), Some("1.20.3"));
    }

    #[test]
    fn only_exact_is_exact() {
        assert!(Spec::parse("1.22.5").unwrap().is_exact());
        assert!(Spec::parse("1.22rc1").unwrap().is_exact());
        assert!(!Spec::parse("1.22").unwrap().is_exact());
        assert!(!Spec::Latest.is_exact());
        assert!(!Spec::Unstable.is_exact());
    }

    #[test]
    fn prefix_skips_prereleases() {
        let spec = Spec::parse("1.22").unwrap();
        assert!(spec.matches(&v("1.22.3")));
        assert!(!spec.matches(&v("1.22rc1")));
        assert!(!spec.matches(&v("1.23.0")));
        assert!(!Spec::Latest.matches(&v("1.9.2rc2")));
        assert!(Spec::Unstable.matches(&v("1.9.2rc2")));
    }
}
