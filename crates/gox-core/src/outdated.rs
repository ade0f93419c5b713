//! `gox outdated` / `gox upgrade`: which installed release lines have a newer patch, and
//! which lines Go still supports. Pure functions of version lists.
//!
//! Go's release policy: each major release is supported until there are two newer major
//! releases, so only the two newest minors (1.27 and 1.26 once 1.27 is out) get security
//! fixes. "Newest" comes from the stable releases in the feed, by number, so a line the feed
//! happens not to list (1.26 in a trimmed mirror feed) still counts.

use serde::Serialize;

use crate::version::Version;

/// One installed release line as `gox outdated` reports it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Line {
    /// `1.27`.
    pub line: String,
    /// The newest installed patch of the line.
    #[serde(serialize_with = "as_text")]
    pub installed: Version,
    /// The newest stable patch of the line in the feed (the installed one when the feed
    /// lists nothing newer or nothing of the line at all).
    #[serde(serialize_with = "as_text")]
    pub latest: Version,
    /// Go still ships security fixes for the line.
    pub supported: bool,
}

impl Line {
    pub fn has_update(&self) -> bool {
        self.latest > self.installed
    }
}

fn as_text<S: serde::Serializer>(v: &Version, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(v.as_str())
}

/// `(major, minor)` as numbers; `None` for numbers too long to matter.
fn minor_key(v: &Version) -> Option<(u64, u64)> {
    Some((v.major().parse().ok()?, v.minor().parse().ok()?))
}

/// Whether the line of `v` is one of the two newest minors of the `stable` releases.
pub fn supported(v: &Version, stable: &[Version]) -> bool {
    let Some(newest) = stable.iter().filter_map(minor_key).max() else {
        // Without a feed to compare with, claim nothing.
        return true;
    };
    match minor_key(v) {
        Some((major, minor)) => major == newest.0 && minor + 1 >= newest.1,
        None => false,
    }
}

/// Every installed stable line (newest first) with its newest installed and available
/// patch. `available` is every version in the feed; pre-releases are ignored on both sides.
pub fn lines(installed: &[Version], available: &[Version]) -> Vec<Line> {
    let stable: Vec<Version> = available
        .iter()
        .filter(|v| v.is_stable() && v.is_go_valid() && !v.is_lang())
        .cloned()
        .collect();
    let mut newest_installed: Vec<&Version> = Vec::new();
    for v in installed.iter().filter(|v| v.is_stable() && !v.is_lang()) {
        match newest_installed.iter_mut().find(|n| n.same_lang(v)) {
            Some(n) if v > *n => *n = v,
            Some(_) => {}
            None => newest_installed.push(v),
        }
    }
    newest_installed.sort_by(|a, b| b.cmp(a));
    newest_installed
        .into_iter()
        .map(|v| {
            let latest = stable
                .iter()
                .filter(|s| s.same_lang(v) && *s > v)
                .max()
                .unwrap_or(v)
                .clone();
            Line {
                line: v.lang(),
                installed: v.clone(),
                latest,
                supported: supported(v, &stable),
            }
        })
        .collect()
}

/// The lines `gox outdated` prints: a newer patch exists, or Go no longer supports them.
pub fn outdated(lines: &[Line]) -> Vec<&Line> {
    lines
        .iter()
        .filter(|l| l.has_update() || !l.supported)
        .collect()
}

/// The new global default after upgrading `line` to `latest`: only an exact pin of an
/// older patch of that line moves (`1.27.2` → `1.27.3`); `1.27`, `latest` and pins of
/// other lines stay as they are.
pub fn moved_pin(pin: &str, latest: &Version) -> Option<Version> {
    let pinned = Version::parse(pin.trim()).ok()?;
    let exact = !pinned.is_lang() && pinned.is_stable() && pin.trim().matches('.').count() >= 2;
    (exact && pinned.same_lang(latest) && pinned < *latest).then(|| latest.clone())
}

/// A `.go-version` file with every exact pin of an older patch of `latest`'s line
/// rewritten to `latest` (comments, other lines, a `go` prefix and CRLF kept); `None` when
/// nothing changes.
pub fn rewrite_go_version(text: &str, latest: &Version) -> Option<String> {
    let mut changed = false;
    let mut out = String::with_capacity(text.len());
    for (index, piece) in text.split_inclusive('\n').enumerate() {
        let body = piece.trim_end_matches(['\n', '\r']);
        let ending = &piece[body.len()..];
        let bom = if index == 0 && body.starts_with('\u{feff}') {
            "\u{feff}"
        } else {
            ""
        };
        let content = &body[bom.len()..];
        let word = content.trim();
        let (prefix, bare) = match word.strip_prefix("go") {
            Some(rest) => ("go", rest),
            None => ("", word),
        };
        match moved_pin(bare, latest) {
            Some(new) if !word.starts_with('#') => {
                let lead = &content[..content.len() - content.trim_start().len()];
                out.push_str(&format!("{bom}{lead}{prefix}{new}{ending}"));
                changed = true;
            }
            _ => out.push_str(piece),
        }
    }
    changed.then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vs(list: &[&str]) -> Vec<Version> {
        list.iter().map(|s| Version::parse(s).unwrap()).collect()
    }

    #[test]
    fn two_newest_minors_are_supported() {
        let feed = vs(&["1.27.3", "1.27.2", "1.22.10", "1.21.13"]);
        let v = |s| Version::parse(s).unwrap();
        assert!(supported(&v("1.27.2"), &feed));
        assert!(supported(&v("1.26.5"), &feed), "1.26 is the previous minor");
        assert!(!supported(&v("1.25.9"), &feed));
        assert!(!supported(&v("1.22.10"), &feed));
        assert!(supported(&v("1.22.10"), &[]), "no feed: no claim");
        // A release candidate of the next minor does not end support for the previous one.
        let with_rc = vs(&["1.28rc1", "1.27.3"]);
        let stable: Vec<_> = with_rc.into_iter().filter(|v| v.is_stable()).collect();
        assert!(supported(&v("1.26.0"), &stable));
    }

    #[test]
    fn lines_and_outdated() {
        let installed = vs(&["1.22.10", "1.27.2", "1.27.1", "1.21.13", "1.28rc1"]);
        let feed = vs(&["1.28rc1", "1.27.3", "1.27.2", "1.22.10", "1.21.13", "1.9.2"]);
        let all = lines(&installed, &feed);
        let show: Vec<_> = all
            .iter()
            .map(|l| format!("{} {}->{} {}", l.line, l.installed, l.latest, l.supported))
            .collect();
        assert_eq!(
            show,
            [
                "1.27 1.27.2->1.27.3 true",
                "1.22 1.22.10->1.22.10 false",
                "1.21 1.21.13->1.21.13 false"
            ]
        );
        assert_eq!(outdated(&all).len(), 3);
        let current = lines(&vs(&["1.27.3"]), &feed);
        assert!(outdated(&current).is_empty());
        let json = serde_json::to_string(&all[0]).unwrap();
        assert_eq!(
            json,
            r#"{"line":"1.27","installed":"1.27.2","latest":"1.27.3","supported":true}"#
        );
    }

    #[test]
    fn default_pin_moves_only_for_an_older_exact_patch() {
        let latest = Version::parse("1.27.3").unwrap();
        assert_eq!(moved_pin("1.27.2\n", &latest), Some(latest.clone()));
        assert_eq!(moved_pin("go1.27.0", &latest), Some(latest.clone()));
        assert_eq!(moved_pin("1.27", &latest), None);
        assert_eq!(moved_pin("latest", &latest), None);
        assert_eq!(moved_pin("1.22.10", &latest), None);
        assert_eq!(moved_pin("1.27.3", &latest), None);
    }

    #[test]
    fn go_version_files_keep_their_shape() {
        let latest = Version::parse("1.27.3").unwrap();
        assert_eq!(
            rewrite_go_version("# pinned for CI\r\ngo1.27.2\r\n", &latest).as_deref(),
            Some("# pinned for CI\r\ngo1.27.3\r\n")
        );
        assert_eq!(
            rewrite_go_version("\u{feff}1.27.0", &latest).as_deref(),
            Some("\u{feff}1.27.3")
        );
        assert_eq!(rewrite_go_version("1.27\n", &latest), None);
        assert_eq!(rewrite_go_version("1.22.10\n", &latest), None);
        assert_eq!(rewrite_go_version("# 1.27.2\n", &latest), None);
    }
}
