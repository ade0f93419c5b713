use std::cmp::Ordering::{self, Equal, Less};
use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};

use proptest::prelude::*;

use super::*;

fn v(s: &str) -> Version {
    Version::parse(s).unwrap_or_else(|e| panic!("{s:?}: {e}"))
}

fn feed(s: &str) -> Version {
    Version::parse_feed(s).unwrap_or_else(|e| panic!("{s:?}: {e}"))
}

fn fields(v: &Version) -> [&str; 5] {
    [&v.major, &v.minor, &v.patch, &v.kind, &v.pre]
}

/// Same version, same spelling.
fn identical(a: &Version, b: &Version) -> bool {
    a.as_str() == b.as_str() && fields(a) == fields(b)
}

fn hash_of(v: &Version) -> u64 {
    let mut hasher = DefaultHasher::new();
    v.hash(&mut hasher);
    hasher.finish()
}

// gover_test.go's compareTests, without the rows about malformed input ("", "x"), which
// cannot become a `Version` here. The legacy X.Y.Z pre-release rows go through parse_feed.
const GOVER_COMPARE: &[(&str, &str, Ordering)] = &[
    ("1", "1.1", Less),
    ("1.5", "1.6", Less),
    ("1.5", "1.10", Less),
    ("1.6", "1.6.1", Less),
    ("1.19", "1.19.0", Equal),
    ("1.19rc1", "1.19", Less),
    ("1.20", "1.20.0", Equal),
    ("1.20rc1", "1.20", Less),
    ("1.21", "1.21.0", Less),
    ("1.21", "1.21rc1", Less),
    ("1.21rc1", "1.21.0", Less),
    ("1.6", "1.19", Less),
    ("1.19", "1.19.1", Less),
    ("1.19rc1", "1.19.1", Less),
    ("1.19rc1", "1.19rc2", Less),
    ("1.19.0", "1.19.1", Less),
    ("1.19rc1", "1.19.0", Less),
    ("1.19alpha3", "1.19beta2", Less),
    ("1.19beta2", "1.19rc1", Less),
    ("1.9.2rc2", "1.9.2", Less),
    ("1.9.2rc2", "1.9.2rc3", Less),
    ("1.9.2beta2", "1.9.2rc3", Less),
    ("1.9.2alpha1", "1.9.2beta2", Less),
    ("1.1", "1.99999999999999998", Less),
    ("1.99999999999999998", "1.99999999999999999", Less),
];

#[test]
fn compares_like_gover() {
    for &(x, y, want) in GOVER_COMPARE {
        let (x, y) = (feed(x), feed(y));
        assert_eq!(x.cmp(&y), want, "{x} vs {y}");
        assert_eq!(y.cmp(&x), want.reverse(), "{y} vs {x}");
        assert_eq!(x == y, want == Equal, "{x} == {y}");
    }
}

#[test]
fn design_examples() {
    assert!(v("1.21") < v("1.21rc1"));
    assert!(v("1.21rc1") < v("1.21.0"));
    assert!(v("1.20rc1") < v("1.20"));
    assert_eq!(v("1.20"), v("1.20.0"));
    assert_eq!(v("1"), v("1.0.0"));
    assert!(v("1.22alpha1") < v("1.22beta1"));
    assert!(v("1.22beta1") < v("1.22rc1"));
    assert!(v("1.22.5") < v("1.22.10"));
}

// gover_test.go's parseTests: (input, [major, minor, patch, kind, pre]).
const GOVER_PARSE: &[(&str, [&str; 5])] = &[
    ("1", ["1", "0", "0", "", ""]),
    ("1.2", ["1", "2", "0", "", ""]),
    ("1.2.3", ["1", "2", "3", "", ""]),
    ("1.2rc3", ["1", "2", "", "rc", "3"]),
    ("1.20", ["1", "20", "0", "", ""]),
    ("1.21", ["1", "21", "", "", ""]),
    ("1.21rc3", ["1", "21", "", "rc", "3"]),
    ("1.21.0", ["1", "21", "0", "", ""]),
    ("1.24", ["1", "24", "", "", ""]),
    ("1.24rc3", ["1", "24", "", "rc", "3"]),
    ("1.24.0", ["1", "24", "0", "", ""]),
    ("1.999testmod", ["1", "999", "", "testmod", ""]),
    (
        "1.99999999999999999",
        ["1", "99999999999999999", "", "", ""],
    ),
];

// Valid only for parse_feed: recent gover accepts these, the Go releases gox manages don't.
const LEGACY_PARSE: &[(&str, [&str; 5])] = &[
    ("1.9.2rc2", ["1", "9", "2", "rc", "2"]),
    ("1.8.5rc4", ["1", "8", "5", "rc", "4"]),
    ("1.8.2beta2", ["1", "8", "2", "beta", "2"]),
    ("1.9.2alpha", ["1", "9", "2", "alpha", ""]),
];

#[test]
fn parses_like_gover() {
    for &(input, want) in GOVER_PARSE {
        for parsed in [v(input), feed(input)] {
            assert_eq!(fields(&parsed), want, "{input}");
            assert_eq!(parsed.as_str(), input);
            assert!(parsed.is_go_valid());
        }
    }
    for &(input, want) in LEGACY_PARSE {
        let parsed = feed(input);
        assert_eq!(fields(&parsed), want, "{input}");
        assert!(!parsed.is_go_valid());
        assert!(Version::parse(input).is_err(), "{input}");
    }
}

// gover_test.go's isValidTests, plus malformed inputs that must be rejected.
#[test]
fn validates_like_gover() {
    let valid = [
        "1.2rc3",
        "1.2.3",
        "1.999testmod",
        "1.22",
        "1.21.0",
        "1.21rc2",
        "1.21",
        "1.20.0",
        "1.20",
        "1.19",
        "1.3",
        "1.2",
        "1",
        "0",
        "2.0.0",
        "1.21rc",
        "go1.22.5",
    ];
    for input in valid {
        assert!(Version::parse(input).is_ok(), "{input}");
    }
    let invalid = [
        "1.600+auto",
        "",
        "x",
        "1.",
        "1..2",
        ".1",
        "1.2.",
        "1.05",
        "01",
        "1.2.03",
        "1.21rc01",
        "1.21RC1",
        "1.21Rc1",
        "1rc1",
        "1.21-rc1",
        "1.21rc1x",
        "1.2.3.4",
        "v1.22",
        "gogo1.22",
        "go 1.22",
        "1.22 5",
        "１.22",
        "1.22\u{e9}",
        "1.21.3rc1",
    ];
    for input in invalid {
        assert!(Version::parse(input).is_err(), "{input:?}");
        if input != "1.21.3rc1" {
            assert!(Version::parse_feed(input).is_err(), "{input:?}");
        }
    }
}

#[test]
fn errors_say_what_is_wrong() {
    let cases = [
        (
            "1.21.3rc1",
            "`1.21.3rc1` is not a Go version: pre-releases exist only for X.Y (like 1.21rc1), \
             not X.Y.Z",
        ),
        (
            " go1.9.2rc2 ",
            "`go1.9.2rc2` is not a Go version: pre-releases exist only for X.Y (like 1.21rc1), \
             not X.Y.Z",
        ),
        (
            "",
            "expected a Go version (like 1.22.5), got an empty string",
        ),
        (
            "1.",
            "`1.` is not a Go version: the minor number is missing",
        ),
        (
            "1..2",
            "`1..2` is not a Go version: expected a minor number, found `.2`",
        ),
        (
            "1.2.",
            "`1.2.` is not a Go version: the patch number is missing",
        ),
        (
            "go",
            "`go` is not a Go version: the major number is missing",
        ),
        (
            "x1",
            "`x1` is not a Go version: expected a major number, found `x1`",
        ),
        (
            "1.05",
            "`1.05` is not a Go version: the minor number `05` has a leading zero",
        ),
        (
            "1.2.03",
            "`1.2.03` is not a Go version: the patch number `03` has a leading zero",
        ),
        (
            "1.21rc01",
            "`1.21rc01` is not a Go version: the pre-release number `01` has a leading zero",
        ),
        (
            "1.21RC1",
            "`1.21RC1` is not a Go version: pre-release kinds are lowercase (like rc1), \
             found `RC1`",
        ),
        (
            "1.600+auto",
            "`1.600+auto` is not a Go version: unexpected `+auto` after `1.600`",
        ),
        (
            "1.21rc1x",
            "`1.21rc1x` is not a Go version: unexpected `x` after `1.21rc1`",
        ),
        (
            "1rc1",
            "`1rc1` is not a Go version: unexpected `rc1` after `1`",
        ),
        (
            "1.2.3.4",
            "`1.2.3.4` is not a Go version: unexpected `.4` after `1.2.3`",
        ),
    ];
    for (input, want) in cases {
        let err = Version::parse(input).expect_err(input);
        assert_eq!(err.to_string(), want);
    }
    assert_eq!(
        Version::parse("1.21.3rc1"),
        Err(VersionError::Invalid {
            input: "1.21.3rc1".into(),
            reason: Reason::PatchPrerelease,
        })
    );
}

// gover_test.go's langTests.
#[test]
fn lang_like_gover() {
    let cases = [
        ("1.2rc3", "1.2"),
        ("1.2.3", "1.2"),
        ("1.2", "1.2"),
        ("1", "1"),
        ("1.999testmod", "1.999"),
        ("1.22.5", "1.22"),
        ("1.22rc1", "1.22"),
        ("1.22.0", "1.22"),
        ("1.0.3", "1"),
    ];
    for (input, want) in cases {
        assert_eq!(v(input).lang(), want, "{input}");
    }
    assert_eq!(feed("1.9.2rc2").lang(), "1.9");
    assert_eq!(feed("1.8.5rc4").lang(), "1.8");
    assert!(v("1.22.5").same_lang(&v("1.22rc1")));
    assert!(v("1.22").same_lang(&v("1.22.0")));
    assert!(!v("1.22.5").same_lang(&v("1.21.5")));
    assert!(!v("1.22.5").same_lang(&v("2.22.5")));
}

// gover_test.go's isLangTests.
#[test]
fn is_lang_like_gover() {
    let cases = [
        ("1.2rc3", false),
        ("1.2.3", false),
        ("1.999testmod", false),
        ("1.22", true),
        ("1.21", true),
        ("1.20", false),
        ("1.19", false),
        ("1.3", false),
        ("1.2", false),
        ("1", false),
    ];
    for (input, want) in cases {
        assert_eq!(v(input).is_lang(), want, "{input}");
    }
    assert!(!feed("1.9.2rc2").is_lang());
}

#[test]
fn feed_oddities() {
    let legacy = feed("go1.9.2rc2");
    assert!(feed("go1.9.1") < legacy);
    assert!(legacy < feed("go1.9.2"));
    assert!(feed("1.9rc1") < legacy);
    assert!(!legacy.is_go_valid());
    assert!(legacy.is_prerelease() && !legacy.is_stable());
    assert_eq!(legacy.as_str(), "1.9.2rc2");
    assert_eq!(legacy.go_name(), "go1.9.2rc2");

    let go1 = v("go1");
    assert_eq!(go1, v("1.0.0"));
    assert_eq!(go1.go_name(), "go1");
    assert_eq!((go1.major(), go1.minor()), ("1", "0"));
}

#[test]
fn text_is_kept_as_written() {
    let cases = [
        ("go1.22.5", "1.22.5", "go1.22.5"),
        ("  1.22.5\r\n", "1.22.5", "go1.22.5"),
        ("1.20", "1.20", "go1.20"),
        ("go1.21rc1", "1.21rc1", "go1.21rc1"),
    ];
    for (input, text, name) in cases {
        let parsed = v(input);
        assert_eq!(parsed.as_str(), text);
        assert_eq!(parsed.to_string(), text);
        assert_eq!(parsed.go_name(), name);
        assert_eq!(
            input.parse::<Version>().map(|p| p.to_string()),
            Ok(text.into())
        );
    }
    assert_eq!(format!("{:>8}|", v("1.22.5")), "  1.22.5|");
    assert_eq!(format!("{:?}", v("go1.20")), "Version(1.20)");
}

#[test]
fn stability() {
    for stable in ["1.22.5", "1.20", "1", "1.21"] {
        assert!(
            v(stable).is_stable() && !v(stable).is_prerelease(),
            "{stable}"
        );
    }
    for pre in ["1.22rc1", "1.22beta2", "1.18alpha1", "1.999testmod"] {
        assert!(v(pre).is_prerelease() && !v(pre).is_stable(), "{pre}");
    }
}

#[test]
fn big_numbers_do_not_overflow() {
    let big = v("1.99999999999999999999999.0");
    assert!(big > v("1.9.0"));
    assert!(big > v("1.99999999999999999999998.7"));
    assert!(v("99999999999999999999999999") > v("9.99.99"));
    assert_eq!(big.minor(), "99999999999999999999999");
}

#[test]
fn equal_versions_hash_alike() {
    for (a, b) in [
        ("1.20", "1.20.0"),
        ("1", "1.0.0"),
        ("1", "1.0"),
        ("go1.19", "1.19.0"),
    ] {
        assert_eq!(v(a), v(b));
        assert_eq!(hash_of(&v(a)), hash_of(&v(b)), "{a} {b}");
    }
    assert_ne!(v("1.21"), v("1.21.0"));
}

fn number() -> impl Strategy<Value = String> {
    // Small numbers collide often (exercising equality); 19..23 straddles the 1.21 rule.
    prop_oneof![
        4 => (0u32..3).prop_map(|n| n.to_string()),
        4 => (19u32..23).prop_map(|n| n.to_string()),
        1 => "[1-9][0-9]{18,25}",
    ]
}

fn prerelease() -> impl Strategy<Value = String> {
    let kind = prop_oneof![
        Just("alpha".to_owned()),
        Just("beta".to_owned()),
        Just("rc".to_owned()),
        "[a-z]{1,4}"
    ];
    (kind, proptest::option::of(number()))
        .prop_map(|(kind, pre)| kind + pre.as_deref().unwrap_or(""))
}

/// Text of a version `parse` accepts.
fn go_version_text() -> impl Strategy<Value = String> {
    prop_oneof![
        number(),
        (number(), number()).prop_map(|(x, y)| format!("{x}.{y}")),
        (number(), number(), number()).prop_map(|(x, y, z)| format!("{x}.{y}.{z}")),
        (number(), number(), prerelease()).prop_map(|(x, y, p)| format!("{x}.{y}{p}")),
    ]
}

/// Text of a version `parse_feed` accepts, the legacy X.Y.Z pre-releases included.
fn feed_version_text() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => go_version_text(),
        1 => (number(), number(), number(), prerelease())
            .prop_map(|(x, y, z, p)| format!("{x}.{y}.{z}{p}")),
    ]
}

fn feed_version() -> impl Strategy<Value = Version> {
    feed_version_text().prop_map(|s| feed(&s))
}

proptest! {
    #[test]
    fn never_panics_on_any_string(s in any::<String>()) {
        let _ = Version::parse(&s);
        let _ = Version::parse_feed(&s);
        let _ = Spec::parse(&s);
    }

    #[test]
    fn near_versions_never_panic_and_round_trip(s in "(go)?[0-9a-zA-Z.+ \u{e9}-]{0,14}") {
        if let Ok(parsed) = Version::parse(&s) {
            let again = Version::parse(&parsed.to_string());
            prop_assert!(again.is_ok_and(|again| identical(&again, &parsed)), "{}", parsed);
        }
        if let Ok(parsed) = Version::parse_feed(&s) {
            let again = Version::parse_feed(&parsed.to_string());
            prop_assert!(again.is_ok_and(|again| identical(&again, &parsed)), "{}", parsed);
        }
        if let Ok(spec) = Spec::parse(&s) {
            prop_assert_eq!(Spec::parse(&spec.to_string()), Ok(spec));
        }
    }

    #[test]
    fn go_versions_round_trip(s in go_version_text(), go in any::<bool>()) {
        let input = if go { format!("go{s}") } else { s.clone() };
        let parsed = Version::parse(&input).unwrap();
        prop_assert!(parsed.is_go_valid());
        prop_assert_eq!(parsed.as_str(), s.as_str());
        prop_assert_eq!(parsed.go_name(), format!("go{s}"));
        let again = Version::parse(&parsed.to_string()).unwrap();
        prop_assert!(identical(&again, &parsed));
    }

    #[test]
    fn feed_versions_round_trip(parsed in feed_version()) {
        let again = Version::parse_feed(&parsed.to_string()).unwrap();
        prop_assert!(identical(&again, &parsed));
        prop_assert_eq!(Version::parse(parsed.as_str()).is_ok(), parsed.is_go_valid());
    }

    #[test]
    fn order_is_total_and_consistent(
        a in feed_version(),
        b in feed_version(),
        c in feed_version(),
    ) {
        prop_assert_eq!(a.cmp(&b), b.cmp(&a).reverse());
        prop_assert_eq!(a == b, a.cmp(&b) == Equal);
        prop_assert_eq!(a.partial_cmp(&b), Some(a.cmp(&b)));
        if a == b {
            prop_assert_eq!(hash_of(&a), hash_of(&b));
        }
        if a <= b && b <= c {
            prop_assert!(a <= c, "{a} <= {b} <= {c}");
        }
        if a < b && b <= c || a <= b && b < c {
            prop_assert!(a < c, "{a} < {c}");
        }
    }

    #[test]
    fn sorting_agrees_pairwise(mut versions in proptest::collection::vec(feed_version(), 2..24)) {
        versions.sort();
        for (i, x) in versions.iter().enumerate() {
            for y in &versions[i + 1..] {
                prop_assert!(x <= y, "{x} sorted before {y}");
            }
        }
    }

    #[test]
    fn spellings_of_one_release_are_equal(x in number(), y in number()) {
        let bare = feed(&x);
        let dotted = feed(&format!("{x}.0.0"));
        prop_assert_eq!(&bare, &dotted);
        prop_assert_eq!(hash_of(&bare), hash_of(&dotted));
        let line = feed(&format!("{x}.{y}"));
        let first = feed(&format!("{x}.{y}.0"));
        if cmp_int(&y, "21").is_lt() {
            prop_assert_eq!(&line, &first);
            prop_assert_eq!(hash_of(&line), hash_of(&first));
        } else {
            prop_assert!(line < first, "{} < {}", line, first);
        }
    }

    #[test]
    fn prerelease_sits_between_neighbours(
        x in number(),
        y in number(),
        z in number(),
        p in prerelease(),
    ) {
        // X.Y pre-releases: above the language version, below X.Y.0.
        let pre = feed(&format!("{x}.{y}{p}"));
        let line = feed(&format!("{x}.{y}"));
        let first = feed(&format!("{x}.{y}.0"));
        prop_assert!(pre < first, "{} < {}", pre, first);
        if cmp_int(&y, "21").is_ge() {
            prop_assert!(line < pre, "{} < {}", line, pre);
        } else {
            prop_assert!(pre < line, "{} < {}", pre, line);
        }
        // Legacy X.Y.Z pre-releases: just below X.Y.Z.
        let legacy = feed(&format!("{x}.{y}.{z}{p}"));
        let release = feed(&format!("{x}.{y}.{z}"));
        prop_assert!(legacy < release, "{} < {}", legacy, release);
        if z != "0" {
            let previous = feed(&format!("{x}.{y}.{}", dec(&z)));
            prop_assert!(previous < legacy, "{} < {}", previous, legacy);
        }
    }
}

/// `n - 1` for a positive decimal string.
fn dec(n: &str) -> String {
    let mut digits = n.as_bytes().to_vec();
    let mut i = digits.len() - 1;
    while digits[i] == b'0' {
        digits[i] = b'9';
        i -= 1;
    }
    digits[i] -= 1;
    if digits[0] == b'0' && digits.len() > 1 {
        digits.remove(0);
    }
    String::from_utf8(digits).unwrap()
}

#[test]
fn dec_helper() {
    assert_eq!(dec("1"), "0");
    assert_eq!(dec("10"), "9");
    assert_eq!(dec("100"), "99");
    assert_eq!(dec("21"), "20");
}
