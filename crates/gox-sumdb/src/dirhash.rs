//! Go's `dirhash` `h1:` hash (golang.org/x/mod/sumdb/dirhash `Hash1`/`HashZip`): the hash
//! go.sum lines and the checksum database record for a module zip.
//!
//! For every file, sorted by name: `"<sha256 hex>  <name>\n"`; then SHA-256 of those lines,
//! base64 (standard, padded), prefixed with `h1:`. Names are the zip's entry names, module
//! prefix included (`golang.org/toolchain@v0.0.1-go1.22.10.linux-amd64/bin/go`).

use std::fs::File;
use std::io::{self, BufReader, Read, Seek};
use std::path::Path;

use base64::Engine;
use sha2::{Digest, Sha256};

use crate::SumdbError;

/// `h1:` over `(name, file sha256)` pairs, in any order. Names containing a newline are
/// refused, as Go refuses them (they would forge extra lines).
pub fn hash1_from_digests<I, S>(files: I) -> Result<String, SumdbError>
where
    I: IntoIterator<Item = (S, [u8; 32])>,
    S: Into<String>,
{
    let mut files: Vec<(String, [u8; 32])> =
        files.into_iter().map(|(n, d)| (n.into(), d)).collect();
    files.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    let mut summary = Sha256::new();
    for pair in files.windows(2) {
        if pair[0].0 == pair[1].0 {
            return Err(SumdbError::Dirhash(format!(
                "the file name `{}` appears twice",
                pair[0].0
            )));
        }
    }
    for (name, digest) in &files {
        if name.contains('\n') {
            return Err(SumdbError::Dirhash(format!(
                "file name {name:?} contains a newline"
            )));
        }
        summary.update(format!("{}  {name}\n", hex(digest)));
    }
    Ok(format!(
        "h1:{}",
        base64::engine::general_purpose::STANDARD.encode(summary.finalize())
    ))
}

/// `h1:` over named contents (tests, small trees).
pub fn hash1<'a, I>(files: I) -> Result<String, SumdbError>
where
    I: IntoIterator<Item = (&'a str, &'a [u8])>,
{
    hash1_from_digests(
        files
            .into_iter()
            .map(|(name, data)| (name.to_string(), Sha256::digest(data).into())),
    )
}

/// The `h1:` of a module zip, as `go` computes it for go.sum and the checksum database
/// (dirhash `HashZip`): every entry, by its full name.
pub fn hash_zip<R: Read + Seek>(reader: R) -> Result<String, SumdbError> {
    let mut zip = zip::ZipArchive::new(reader)
        .map_err(|e| SumdbError::Dirhash(format!("not a readable zip: {e}")))?;
    let mut digests = Vec::with_capacity(zip.len());
    let mut buf = vec![0u8; 64 * 1024];
    for i in 0..zip.len() {
        let mut entry = zip
            .by_index(i)
            .map_err(|e| SumdbError::Dirhash(format!("zip entry #{i}: {e}")))?;
        let name = String::from_utf8(entry.name_raw().to_vec()).map_err(|_| {
            SumdbError::Dirhash(format!("zip entry #{i} has a name that is not UTF-8"))
        })?;
        let mut h = Sha256::new();
        loop {
            match entry.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => h.update(&buf[..n]),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                // The zip crate checks each entry's CRC-32 at its end: a changed byte in
                // a stored entry surfaces here.
                Err(e) => return Err(SumdbError::Dirhash(format!("zip entry `{name}`: {e}"))),
            }
        }
        digests.push((name, h.finalize().into()));
    }
    hash1_from_digests(digests)
}

/// [`hash_zip`] of a file on disk.
pub fn hash_zip_file(path: &Path) -> Result<String, SumdbError> {
    let file = File::open(path)
        .map_err(|e| SumdbError::Dirhash(format!("cannot open {}: {e}", path.display())))?;
    hash_zip(BufReader::with_capacity(256 * 1024, file))
        .map_err(|e| SumdbError::Dirhash(format!("{}: {e}", path.display())))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Computed outside Rust:
    /// `printf '%s  abc\n%s  xyz\n' $(printf 'data for abc' | sha256sum | cut -c1-64)
    ///  $(printf 'data for xyz' | sha256sum | cut -c1-64) | sha256sum | xxd -r -p | base64`
    /// (the same inputs as Go's dirhash TestHash1).
    const KNOWN: &str = "h1:EP6WfDoQTSk9klnxcjriWJOGztueJUywHNmWeq+efB8=";

    #[test]
    fn hash1_matches_a_value_computed_with_coreutils() {
        let got = hash1([
            ("xyz", b"data for xyz".as_slice()),
            ("abc", b"data for abc".as_slice()),
        ])
        .unwrap();
        assert_eq!(got, KNOWN);
    }

    #[test]
    fn newline_and_duplicate_names_are_refused() {
        assert!(hash1([("a\nb", b"x".as_slice())]).is_err());
        assert!(hash1([("a", b"x".as_slice()), ("a", b"y".as_slice())]).is_err());
    }

    #[test]
    fn zip_hash_covers_names_and_contents() {
        use std::io::{Cursor, Write};
        let make = |content: &[u8]| {
            let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
            let opts = zip::write::SimpleFileOptions::default();
            w.start_file("m@v1/xyz", opts).unwrap();
            w.write_all(content).unwrap();
            w.start_file("m@v1/abc", opts).unwrap();
            w.write_all(b"data for abc").unwrap();
            w.finish().unwrap().into_inner()
        };
        let zipped = hash_zip(Cursor::new(make(b"data for xyz"))).unwrap();
        let direct = hash1([
            ("m@v1/abc", b"data for abc".as_slice()),
            ("m@v1/xyz", b"data for xyz".as_slice()),
        ])
        .unwrap();
        assert_eq!(zipped, direct);
        assert_ne!(
            zipped,
            hash_zip(Cursor::new(make(b"data for xyZ"))).unwrap()
        );
    }
}
