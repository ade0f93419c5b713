//! Streaming SHA-256: downloads are hashed as they arrive, never read back.

use std::fs::File;
use std::io::{self, Read, Write};
use std::path::Path;

use sha2::{Digest, Sha256};

/// Incremental SHA-256 for bytes that arrive in pieces (network chunks).
#[derive(Clone, Default)]
pub struct StreamHasher {
    inner: Sha256,
}

impl StreamHasher {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn update(&mut self, bytes: &[u8]) {
        self.inner.update(bytes);
    }

    /// The digest as 64 lowercase hex digits, the form go.dev's feed uses.
    pub fn finish(self) -> String {
        to_hex(&self.inner.finalize())
    }
}

/// A writer that hashes everything written through it to the inner writer.
pub struct Sha256Writer<W> {
    inner: W,
    hasher: StreamHasher,
}

impl<W: Write> Sha256Writer<W> {
    pub fn new(inner: W) -> Self {
        Self {
            inner,
            hasher: StreamHasher::new(),
        }
    }

    /// Returns the inner writer (not flushed: call `flush` first if it buffers) and the
    /// lowercase hex digest of everything written.
    pub fn finish(self) -> (W, String) {
        (self.inner, self.hasher.finish())
    }
}

impl<W: Write> Write for Sha256Writer<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let written = self.inner.write(buf)?;
        // Hash only what the inner writer accepted: the caller retries the rest.
        self.hasher.update(buf.get(..written).unwrap_or(buf));
        Ok(written)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// SHA-256 of a file's contents, as lowercase hex.
pub fn sha256_file(path: &Path) -> io::Result<String> {
    let mut file = File::open(path)?;
    let mut hasher = StreamHasher::new();
    let mut buf = vec![0u8; 256 * 1024];
    loop {
        match file.read(&mut buf) {
            Ok(0) => return Ok(hasher.finish()),
            Ok(n) => hasher.update(buf.get(..n).unwrap_or_default()),
            Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
            Err(err) => return Err(err),
        }
    }
}

/// Normalizes a user- or feed-supplied SHA-256: surrounding whitespace trimmed, 64 hex
/// digits in either case → lowercase. `None` when it is anything else.
pub fn normalize_sha256(s: &str) -> Option<String> {
    let s = s.trim();
    (s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit())).then(|| s.to_ascii_lowercase())
}

fn to_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut hex = String::with_capacity(bytes.len() * 2);
    for &byte in bytes {
        hex.push(char::from(DIGITS[usize::from(byte >> 4)]));
        hex.push(char::from(DIGITS[usize::from(byte & 0xf)]));
    }
    hex
}

#[cfg(test)]
mod tests {
    use super::*;

    const EMPTY: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    const ABC: &str = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

    #[test]
    fn stream_hasher_matches_known_digests() {
        assert_eq!(StreamHasher::new().finish(), EMPTY);
        let mut hasher = StreamHasher::new();
        hasher.update(b"a");
        hasher.update(b"");
        hasher.update(b"bc");
        assert_eq!(hasher.finish(), ABC);
    }

    #[test]
    fn writer_hashes_what_passes_through() {
        let mut writer = Sha256Writer::new(Vec::new());
        writer.write_all(b"ab").unwrap();
        writer.write_all(b"c").unwrap();
        let (inner, digest) = writer.finish();
        assert_eq!(inner, b"abc");
        assert_eq!(digest, ABC);
    }

    /// A writer that takes one byte at a time, like a slow pipe.
    struct Trickle(Vec<u8>);

    impl Write for Trickle {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            match buf.first() {
                Some(&byte) => {
                    self.0.push(byte);
                    Ok(1)
                }
                None => Ok(0),
            }
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn writer_hashes_only_accepted_bytes() {
        let mut writer = Sha256Writer::new(Trickle(Vec::new()));
        writer.write_all(b"abc").unwrap();
        let (inner, digest) = writer.finish();
        assert_eq!(inner.0, b"abc");
        assert_eq!(digest, ABC);
    }

    #[test]
    fn file_hash() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        std::fs::write(&path, "abc").unwrap();
        assert_eq!(sha256_file(&path).unwrap(), ABC);
        let big = dir.path().join("big");
        let content = vec![7u8; 600_000];
        std::fs::write(&big, &content).unwrap();
        let mut hasher = StreamHasher::new();
        hasher.update(&content);
        assert_eq!(sha256_file(&big).unwrap(), hasher.finish());
        assert!(sha256_file(&dir.path().join("missing")).is_err());
    }

    #[test]
    fn normalizes_checksums() {
        assert_eq!(normalize_sha256(ABC).as_deref(), Some(ABC));
        let upper = format!("  {}\n", ABC.to_uppercase());
        assert_eq!(normalize_sha256(&upper).as_deref(), Some(ABC));
        for bad in [
            "",
            "abc",
            &ABC[1..],
            &format!("{ABC}0"),
            &ABC.replace('a', "g"),
        ] {
            assert_eq!(normalize_sha256(bad), None, "{bad:?}");
        }
        let with_inner_space = format!("{} {}", &ABC[..32], &ABC[32..]);
        assert_eq!(normalize_sha256(&with_inner_space), None);
        let non_ascii = format!("{}é", &ABC[..62]);
        assert_eq!(normalize_sha256(&non_ascii), None);
    }
}
