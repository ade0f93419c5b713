//! Go build info: the Go version and build settings (`GOOS`, `GOARCH`, …) the linker
//! embeds in every Go binary, as `go version -m` shows them.
//!
//! The blob starts with a 32-byte header: the magic `"\xff Go buildinf:"`, the pointer
//! size (4 or 8) and a flags byte (0x1 big-endian, 0x2 strings inline). Since Go 1.18
//! the strings follow the header inline, each prefixed by its uvarint length: the Go
//! version, then the module info framed by 16-byte sentinels (see golang/go
//! src/debug/buildinfo/buildinfo.go and src/runtime/debug/mod.go).
//!
//! Go finds the blob through the section tables; this reader scans the whole file for
//! the magic at 16-byte aligned offsets instead, which works for ELF, Mach-O (thin and
//! universal) and PE alike: segments and sections are at least 16-byte aligned in the
//! file exactly as in memory. The magic also occurs as a string constant in binaries
//! that link debug/buildinfo (cmd/go does), so each candidate is validated and the first
//! valid one wins.
//!
//! Binaries from Go before 1.18 store pointers to the strings rather than the strings;
//! following them needs the section tables, which this reader does not parse: those
//! binaries read as "no build info" (`None`), not as an error.

use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};

use crate::header::read_up_to;

const MAGIC: &[u8] = b"\xff Go buildinf:";
const HEADER_LEN: usize = 32;
const ALIGN: usize = 16;
const FLAG_BIG_ENDIAN: u8 = 0x1;
const FLAG_INLINE_STRINGS: u8 = 0x2;

/// Go reads 64 KiB from the start of the data holding the blob; anything it can read
/// fits in this much after the magic.
const MAX_BLOB_LEN: usize = 64 * 1024;

/// Read size for the scan; a multiple of [`ALIGN`] so file alignment is preserved.
const CHUNK_LEN: usize = 1024 * 1024;

/// Go versions are short (`go1.22.10`, `devel go1.23-abc1234 Tue Jan 2 …`).
const MAX_VERSION_LEN: usize = 256;

/// Build information of a Go binary.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BuildInfo {
    /// `go1.22.10`, or `devel …` for a development toolchain.
    pub go_version: String,
    /// Package path of the main package (`cmd/go`); `None` without module info.
    pub path: Option<String>,
    /// The main module (the `mod` line); `None` for the toolchain's own commands, which
    /// belong to the standard library, and for `go build` of a file outside any module.
    pub main: Option<Module>,
    /// The `dep` lines, in order.
    pub deps: Vec<Module>,
    /// `build` lines in order: (`GOOS`, `linux`), (`-compiler`, `gc`), …
    pub settings: Vec<(String, String)>,
}

/// A module line of the build info (`mod` or `dep`), with its `=>` replacement if any.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Module {
    pub path: String,
    /// `v1.2.3`, a pseudo-version, or `(devel)` when built from a local checkout.
    pub version: String,
    /// The `h1:` go.sum hash; empty when the module was not downloaded (local builds).
    pub sum: String,
    pub replace: Option<Box<Module>>,
}

impl Module {
    /// Built from a local checkout (`go build`, `go install` inside the module): no
    /// version exists that `go install path@version` could fetch again.
    pub fn is_devel(&self) -> bool {
        self.version == "(devel)" || self.version.is_empty()
    }
}

impl BuildInfo {
    /// `CGO_ENABLED` from the build settings (absent for binaries built without cgo
    /// information, e.g. by very old toolchains).
    pub fn cgo_enabled(&self) -> Option<bool> {
        self.setting("CGO_ENABLED").map(|v| v == "1")
    }

    pub fn goos(&self) -> Option<&str> {
        self.setting("GOOS")
    }

    pub fn goarch(&self) -> Option<&str> {
        self.setting("GOARCH")
    }

    pub fn setting(&self, key: &str) -> Option<&str> {
        self.settings
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, value)| value.as_str())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum BuildInfoError {
    #[error("cannot read Go build info from {}: {source}", .path.display())]
    Io { path: PathBuf, source: io::Error },
}

/// Reads the build info of the binary at `path`, scanning it in chunks (memory stays
/// around 1 MiB whatever the file size). `Ok(None)`: no build info, or the pre-1.18
/// format (see the module docs).
pub fn read_buildinfo(path: &Path) -> Result<Option<BuildInfo>, BuildInfoError> {
    let io_error = |source| BuildInfoError::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut file = File::open(path).map_err(io_error)?;
    // Candidates are looked for in the first CHUNK_LEN bytes; the MAX_BLOB_LEN after
    // them hold the rest of a blob that starts near the end of the chunk.
    let mut window = vec![0u8; CHUNK_LEN + MAX_BLOB_LEN];
    let mut filled = 0;
    loop {
        let free = window.get_mut(filled..).unwrap_or_default();
        filled += read_up_to(&mut file, free).map_err(io_error)?;
        let data = window.get(..filled).unwrap_or_default();
        let at_end = filled < window.len();
        let scan_len = if at_end { filled } else { CHUNK_LEN };
        if let Some(info) = find_blob(data, scan_len) {
            return Ok(Some(info));
        }
        if at_end {
            return Ok(None);
        }
        window.copy_within(CHUNK_LEN.., 0);
        filled -= CHUNK_LEN;
    }
}

/// Finds and decodes the build info in `bytes`, the contents of a binary (or any part of
/// it starting at a file offset that is a multiple of 16). `None` when there is none in
/// the supported format.
pub fn parse_buildinfo(bytes: &[u8]) -> Option<BuildInfo> {
    find_blob(bytes, bytes.len())
}

/// The first valid blob whose magic starts at an aligned offset below `scan_len`.
fn find_blob(bytes: &[u8], scan_len: usize) -> Option<BuildInfo> {
    (0..scan_len)
        .step_by(ALIGN)
        .filter_map(|offset| bytes.get(offset..))
        .filter(|rest| rest.starts_with(MAGIC))
        .find_map(parse_blob)
}

fn parse_blob(blob: &[u8]) -> Option<BuildInfo> {
    let &[pointer_size, flags] = blob.get(MAGIC.len()..MAGIC.len() + 2)? else {
        return None;
    };
    let known_flags = FLAG_BIG_ENDIAN | FLAG_INLINE_STRINGS;
    if !matches!(pointer_size, 4 | 8)
        || flags & !known_flags != 0
        || flags & FLAG_INLINE_STRINGS == 0
    {
        return None;
    }
    let (version, rest) = decode_string(blob.get(HEADER_LEN..)?)?;
    let go_version = parse_version(version)?;
    // Like Go: a module info string that does not decode means "no module info".
    let modinfo = decode_string(rest).map_or(&[][..], |(modinfo, _)| modinfo);
    let parsed = parse_modinfo(strip_sentinels(modinfo));
    Some(BuildInfo {
        go_version,
        path: parsed.path,
        main: parsed.main,
        deps: parsed.deps,
        settings: parsed.settings,
    })
}

/// A uvarint length and that many bytes. Like Go's decodeString, the string must end
/// before the data does.
fn decode_string(data: &[u8]) -> Option<(&[u8], &[u8])> {
    let (len, prefix) = uvarint(data)?;
    let rest = data.get(prefix..)?;
    let len = usize::try_from(len).ok().filter(|&len| len < rest.len())?;
    Some(rest.split_at(len))
}

/// encoding/binary.Uvarint: at most 10 bytes, no overflow.
fn uvarint(data: &[u8]) -> Option<(u64, usize)> {
    let mut value = 0u64;
    for (index, &byte) in data.iter().take(10).enumerate() {
        let bits = u64::from(byte & 0x7f);
        if byte < 0x80 {
            if index == 9 && byte > 1 {
                return None;
            }
            return Some((value | bits << (7 * index), index + 1));
        }
        value |= bits << (7 * index);
    }
    None
}

fn parse_version(bytes: &[u8]) -> Option<String> {
    let version = std::str::from_utf8(bytes).ok()?;
    let plausible = version.len() <= MAX_VERSION_LEN
        && (version.starts_with("go") || version.starts_with("devel"))
        && version.bytes().all(|b| b.is_ascii_graphic() || b == b' ');
    plausible.then(|| version.to_string())
}

/// Drops cmd/go's 16-byte framing; without it Go ignores the module info, and so do we.
fn strip_sentinels(modinfo: &[u8]) -> &[u8] {
    const SENTINEL_LEN: usize = 16;
    let framed = modinfo.len() > 2 * SENTINEL_LEN
        && modinfo.get(modinfo.len() - SENTINEL_LEN - 1) == Some(&b'\n');
    if framed {
        modinfo
            .get(SENTINEL_LEN..modinfo.len() - SENTINEL_LEN)
            .unwrap_or_default()
    } else {
        &[]
    }
}

#[derive(Default)]
struct ModInfo {
    path: Option<String>,
    main: Option<Module>,
    deps: Vec<Module>,
    settings: Vec<(String, String)>,
}

/// The `path`, `mod`, `dep`, `=>` and `build` lines (runtime/debug's format). A line Go
/// would reject is skipped rather than failing the whole info.
fn parse_modinfo(modinfo: &[u8]) -> ModInfo {
    let text = String::from_utf8_lossy(modinfo);
    // Like Go, only newline-terminated lines count.
    let complete = text.rsplit_once('\n').map_or("", |(lines, _)| lines);
    let mut info = ModInfo::default();
    // Where a `=>` line goes: the main module (None) or the last dep (Some).
    let mut last_is_dep = None;
    for line in complete.split('\n') {
        if let Some(value) = line.strip_prefix("path\t") {
            info.path = Some(value.to_string());
        } else if let Some(module) = line.strip_prefix("mod\t").and_then(parse_module) {
            info.main = Some(module);
            last_is_dep = Some(false);
        } else if let Some(module) = line.strip_prefix("dep\t").and_then(parse_module) {
            info.deps.push(module);
            last_is_dep = Some(true);
        } else if let Some(module) = line.strip_prefix("=>\t").and_then(parse_module) {
            let target = match last_is_dep {
                Some(true) => info.deps.last_mut(),
                Some(false) => info.main.as_mut(),
                None => None,
            };
            if let Some(target) = target {
                target.replace = Some(Box::new(module));
            }
            last_is_dep = None;
        } else if let Some(setting) = line.strip_prefix("build\t").and_then(parse_setting) {
            info.settings.push(setting);
        }
    }
    info
}

/// `path\tversion[\tsum]`; a replacement by a local directory has no version.
fn parse_module(fields: &str) -> Option<Module> {
    let mut parts = fields.split('\t');
    let path = parts.next().filter(|p| !p.is_empty())?.to_string();
    let version = parts.next().unwrap_or_default().to_string();
    let sum = parts.next().unwrap_or_default().to_string();
    if parts.next().is_some() {
        return None;
    }
    Some(Module {
        path,
        version,
        sum,
        replace: None,
    })
}

/// `key=value`, where either side may be Go-quoted (`-ldflags="-s -w"`).
fn parse_setting(line: &str) -> Option<(String, String)> {
    let (key, raw_value) = match line.as_bytes().first()? {
        b'"' | b'`' => {
            let len = quoted_prefix_len(line)?;
            let key = unquote(line.get(..len)?)?;
            (key, line.get(len..)?.strip_prefix('=')?)
        }
        b'=' => return None,
        _ => {
            let (key, value) = line.split_once('=')?;
            (key.to_string(), value)
        }
    };
    let value = match raw_value.as_bytes().first() {
        Some(b'"' | b'`') => unquote(raw_value)?,
        _ => raw_value.to_string(),
    };
    Some((key, value))
}

/// Length of the quoted string at the start of `s`, quotes included.
fn quoted_prefix_len(s: &str) -> Option<usize> {
    let bytes = s.as_bytes();
    let quote = *bytes.first()?;
    let mut index = 1;
    while let Some(&byte) = bytes.get(index) {
        if byte == quote {
            return Some(index + 1);
        }
        index += if byte == b'\\' && quote == b'"' { 2 } else { 1 };
    }
    None
}

/// strconv.Unquote for what strconv.Quote produces: raw `` `…` `` strings, and `"…"`
/// with the escapes Quote writes (`\n`, `\"`, `\x7f`, `\u00a0`, …).
fn unquote(s: &str) -> Option<String> {
    if let Some(raw) = s.strip_prefix('`').and_then(|s| s.strip_suffix('`')) {
        return (!raw.contains('`')).then(|| raw.to_string());
    }
    let inner = s.strip_prefix('"')?.strip_suffix('"')?;
    let mut out = Vec::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => return None,
            '\\' => unescape(&mut chars, &mut out)?,
            c => out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes()),
        }
    }
    String::from_utf8(out).ok()
}

fn unescape(chars: &mut std::str::Chars<'_>, out: &mut Vec<u8>) -> Option<()> {
    let simple = match chars.next()? {
        'n' => b'\n',
        't' => b'\t',
        'r' => b'\r',
        'a' => 0x07,
        'b' => 0x08,
        'f' => 0x0c,
        'v' => 0x0b,
        c @ ('\\' | '"' | '\'') => c as u8,
        'x' => u8::try_from(hex_digits(chars, 2)?).ok()?,
        'u' => return push_char(hex_digits(chars, 4)?, out),
        'U' => return push_char(hex_digits(chars, 8)?, out),
        _ => return None,
    };
    out.push(simple);
    Some(())
}

fn hex_digits(chars: &mut std::str::Chars<'_>, count: usize) -> Option<u32> {
    (0..count).try_fold(0u32, |value, _| {
        Some(value << 4 | chars.next()?.to_digit(16)?)
    })
}

fn push_char(code: u32, out: &mut Vec<u8>) -> Option<()> {
    let c = char::from_u32(code)?;
    out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes());
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testdata::{Class, Order, buildinfo_blob, elf, go_binary, modinfo, modinfo_lines};
    use proptest::prelude::*;

    fn settings(info: &BuildInfo) -> Vec<(&str, &str)> {
        info.settings
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect()
    }

    #[test]
    fn reads_version_path_and_settings() {
        let binary = go_binary(&elf(62, Class::B64, Order::Little), "linux", "amd64");
        let info = parse_buildinfo(&binary).unwrap();
        assert_eq!(info.go_version, "go1.22.10");
        assert_eq!(info.path.as_deref(), Some("cmd/go"));
        assert_eq!(info.goos(), Some("linux"));
        assert_eq!(info.goarch(), Some("amd64"));
        assert_eq!(info.setting("-compiler"), Some("gc"));
        assert_eq!(info.setting("CGO_ENABLED"), None);
    }

    #[test]
    fn quoted_settings_are_unquoted() {
        let info = modinfo(
            "example.com/tool",
            &[
                ("-ldflags", r#""-s -w -X main.v=\"1\"""#),
                ("CGO_CFLAGS", "`-O2 -g`"),
                (r#""odd key""#, r#""tab\there\u00e9\x41""#),
                ("empty", ""),
            ],
        );
        let blob = buildinfo_blob("go1.23.0", &info);
        let info = parse_buildinfo(&blob).unwrap();
        assert_eq!(
            settings(&info),
            vec![
                ("-ldflags", r#"-s -w -X main.v="1""#),
                ("CGO_CFLAGS", "-O2 -g"),
                ("odd key", "tab\thereéA"),
                ("empty", ""),
            ]
        );
    }

    #[test]
    fn malformed_setting_lines_are_skipped() {
        for line in [
            "=x",
            "noequals",
            r#""open=x"#,
            r#"k="open"#,
            r#"k="bad\q""#,
            "`a`b=c",
            r#"k="a"b""#,
        ] {
            assert_eq!(parse_setting(line), None, "{line:?}");
        }
    }

    #[test]
    fn module_info_without_framing_is_ignored() {
        let blob = buildinfo_blob("go1.22.10", b"path\tcmd/go\nbuild\tGOOS=linux\n");
        let info = parse_buildinfo(&blob).unwrap();
        assert_eq!(info.go_version, "go1.22.10");
        assert_eq!(info.path, None);
        assert!(info.settings.is_empty());
    }

    #[test]
    fn unterminated_last_line_is_dropped() {
        let info = parse_modinfo(b"path\tcmd/go\nbuild\tGOOS=linux");
        assert_eq!(info.path.as_deref(), Some("cmd/go"));
        assert!(info.settings.is_empty());
    }

    #[test]
    fn module_dep_and_replace_lines() {
        let info = parse_modinfo(
            b"path\tgolang.org/x/tools/gopls\n\
mod\tgolang.org/x/tools/gopls\tv0.16.1\th1:abc=\n\
dep\tgithub.com/google/go-cmp\tv0.6.0\th1:def=\n\
dep\tgolang.org/x/mod\tv0.20.0\th1:ghi=\n\
=>\t../mod\t\n\
dep\tbroken\ta\tb\tc\n\
build\tCGO_ENABLED=0\n",
        );
        let main = info.main.unwrap();
        assert_eq!(
            (main.path.as_str(), main.version.as_str(), main.sum.as_str()),
            ("golang.org/x/tools/gopls", "v0.16.1", "h1:abc=")
        );
        assert!(!main.is_devel() && main.replace.is_none());
        assert_eq!(info.deps.len(), 2, "the malformed dep line is skipped");
        assert_eq!(info.deps[0].path, "github.com/google/go-cmp");
        let replaced = info.deps[1].replace.as_ref().unwrap();
        assert_eq!(
            (replaced.path.as_str(), replaced.version.as_str()),
            ("../mod", "")
        );
        assert_eq!(
            info.settings,
            [("CGO_ENABLED".to_string(), "0".to_string())]
        );
    }

    #[test]
    fn local_checkout_is_devel() {
        let blob = buildinfo_blob(
            "go1.27.3",
            &modinfo_lines(
                "path\texample.com/hello\nmod\texample.com/hello\t(devel)\t\nbuild\tCGO_ENABLED=1\n",
            ),
        );
        let info = parse_buildinfo(&blob).unwrap();
        assert_eq!(info.cgo_enabled(), Some(true));
        assert!(info.main.unwrap().is_devel());
    }

    #[test]
    fn string_constant_before_the_blob_is_skipped() {
        // cmd/go links debug/buildinfo, so its rodata holds the magic as a plain string.
        let mut bytes = vec![0u8; 64];
        bytes.extend_from_slice(MAGIC);
        bytes.extend_from_slice(b"\x00\x00unrelated string data........");
        bytes.resize(256, 0);
        bytes.extend_from_slice(MAGIC);
        bytes.extend_from_slice(b"\x08\x02garbage that is no version.....");
        bytes.resize(512, 0);
        bytes.extend(buildinfo_blob(
            "go1.22.10",
            &modinfo("cmd/go", &[("GOOS", "darwin")]),
        ));
        assert_eq!(parse_buildinfo(&bytes).unwrap().goos(), Some("darwin"));
    }

    #[test]
    fn unaligned_magic_is_not_a_blob() {
        let mut bytes = vec![0u8; 8];
        bytes.extend(buildinfo_blob("go1.22.10", &modinfo("cmd/go", &[])));
        assert_eq!(parse_buildinfo(&bytes), None);
    }

    #[test]
    fn pre_118_pointer_format_reads_as_none() {
        let mut blob = buildinfo_blob("go1.16.15", &modinfo("cmd/go", &[]));
        blob[15] = 0; // little-endian, strings behind pointers
        assert_eq!(parse_buildinfo(&blob), None);
    }

    #[test]
    fn candidates_are_validated() {
        let good = buildinfo_blob("go1.22.10", &modinfo("cmd/go", &[]));
        let corrupt = |index: usize, value: u8| {
            let mut blob = good.clone();
            blob[index] = value;
            parse_buildinfo(&blob)
        };
        assert!(corrupt(14, 2).is_none(), "pointer size");
        assert!(corrupt(15, 0x06).is_none(), "unknown flag");
        assert!(corrupt(32, 0x7f).is_none(), "version longer than the data");
        assert!(corrupt(33, b'x').is_none(), "version not starting with go");
        assert!(corrupt(35, 0).is_none(), "control byte in version");
        assert!(corrupt(15, 0x03).is_some(), "big-endian inline is fine");
        let devel = buildinfo_blob("devel go1.24-abc1234 Tue Jan 2 15:04:05 2024", &[0]);
        assert!(
            parse_buildinfo(&devel)
                .unwrap()
                .go_version
                .starts_with("devel")
        );
    }

    #[test]
    fn uvarint_matches_go() {
        assert_eq!(uvarint(&[0x05]), Some((5, 1)));
        assert_eq!(uvarint(&[0xac, 0x02]), Some((300, 2)));
        assert_eq!(uvarint(&[0x80]), None);
        assert_eq!(uvarint(&[]), None);
        let max = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01];
        assert_eq!(uvarint(&max), Some((u64::MAX, 10)));
        let overflow = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02];
        assert_eq!(uvarint(&overflow), None);
    }

    #[test]
    fn reads_files_across_chunk_boundaries() {
        let dir = tempfile::tempdir().unwrap();
        let blob = buildinfo_blob("go1.22.10", &modinfo("cmd/go", &[("GOARCH", "arm64")]));
        // A blob straddling the first chunk's end, and one found only in the second chunk.
        for offset in [CHUNK_LEN - 16, CHUNK_LEN + 4096] {
            let mut bytes = elf(183, Class::B64, Order::Little);
            bytes.resize(offset, 0xaa);
            bytes.extend_from_slice(&blob);
            bytes.resize(offset + 200_000, 0xbb);
            let path = dir.path().join(format!("go-{offset}"));
            std::fs::write(&path, &bytes).unwrap();
            let info = read_buildinfo(&path).unwrap().unwrap();
            assert_eq!(info.goarch(), Some("arm64"), "offset {offset}");
        }
        let plain = dir.path().join("plain");
        std::fs::write(&plain, vec![0u8; CHUNK_LEN * 2 + 5]).unwrap();
        assert_eq!(read_buildinfo(&plain).unwrap(), None);
        let missing = dir.path().join("missing");
        let message = read_buildinfo(&missing).unwrap_err().to_string();
        assert!(message.contains("missing"), "{message}");
    }

    proptest! {
        #[test]
        fn parse_buildinfo_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..4096)) {
            let _ = parse_buildinfo(&bytes);
        }

        #[test]
        fn parse_buildinfo_never_panics_after_the_magic(
            pointer_size in prop::sample::select(vec![4u8, 8, 0]),
            flags in 0u8..4,
            rest in proptest::collection::vec(any::<u8>(), 0..2048),
        ) {
            let bytes = [MAGIC, &[pointer_size, flags], &[0u8; 16], &rest].concat();
            let _ = parse_buildinfo(&bytes);
        }

        #[test]
        fn any_setting_line_parses_without_panicking(line in ".{0,40}") {
            let _ = parse_setting(&line);
        }
    }
}
