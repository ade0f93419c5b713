//! Toolchain module zips (`golang.org/toolchain@v0.0.1-go1.22.10.linux-amd64.zip`) derived
//! from the fixture archives the way cmd/distpack builds them: the binary distribution's
//! `go/` tree without `api/`, `doc/`, `misc/` and `test/`, every file under the module
//! prefix, every `go.mod` renamed `_go.mod`. Built once per machine (they are ~70 MB) into
//! the temp dir, keyed by the archive's SHA-256, and written by rename so concurrent test
//! binaries never see half a zip.

use std::collections::HashMap;
use std::fs::{self, File};
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use crate::FixtureArchive;

/// A toolchain module zip, its `h1:`, and a copy with one byte changed.
#[derive(Clone, Debug)]
pub struct ToolchainZip {
    /// `v0.0.1-go1.22.10.linux-amd64`
    pub version: String,
    pub path: PathBuf,
    pub h1: String,
    /// The same zip with one byte of `src/fmt/print.go` changed (a valid zip, another h1).
    pub tampered: PathBuf,
}

/// The entries cmd/distpack drops from the binary distribution for the module form.
const DROPPED: [&str; 4] = ["api/", "doc/", "misc/", "test/"];

/// The file changed in [`ToolchainZip::tampered`].
pub const TAMPERED_FILE: &str = "src/fmt/print.go";

/// The module zip of a fixture archive (a `.tar.gz`), built on first use.
pub fn toolchain_zip(archive: &FixtureArchive) -> ToolchainZip {
    static BUILT: OnceLock<Mutex<HashMap<String, ToolchainZip>>> = OnceLock::new();
    let mut built = BUILT
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    if let Some(z) = built.get(&archive.sha256) {
        return z.clone();
    }
    let version = format!(
        "v0.0.1-go{}.{}-{}",
        archive.version, archive.os, archive.arch
    );
    let dir = std::env::temp_dir()
        .join("gox-testkit-modzip-v1")
        .join(&archive.sha256[..16]);
    fs::create_dir_all(&dir).expect("create the module zip cache dir");
    let path = dir.join(format!("{version}.zip"));
    let tampered = dir.join(format!("{version}.tampered.zip"));
    let prefix = format!("golang.org/toolchain@{version}/");
    if !path.is_file() {
        build(&archive.path, &prefix, &path);
    }
    if !tampered.is_file() {
        tamper(&path, &format!("{prefix}{TAMPERED_FILE}"), &tampered);
    }
    let h1 = gox_sumdb::hash_zip_file(&path).expect("hash the module zip");
    let z = ToolchainZip {
        version,
        path,
        h1,
        tampered,
    };
    built.insert(archive.sha256.clone(), z.clone());
    z
}

/// The module-form name of an archive entry (`go/src/go.mod` →
/// `<prefix>src/_go.mod`), or `None` when distpack leaves it out.
pub fn module_entry_name(archive_name: &str, prefix: &str) -> Option<String> {
    let rel = archive_name.strip_prefix("go/")?;
    if rel.is_empty() || DROPPED.iter().any(|d| rel.starts_with(d)) {
        return None;
    }
    let name = format!("{prefix}{rel}");
    Some(match name.strip_suffix("/go.mod") {
        Some(dir) => format!("{dir}/_go.mod"),
        None => name,
    })
}

fn temp_next_to(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".{}.tmp", std::process::id()));
    path.with_file_name(name)
}

fn build(archive: &Path, prefix: &str, out: &Path) {
    let tmp = temp_next_to(out);
    let file = File::open(archive).expect("open the fixture archive");
    let gz = flate2::read::GzDecoder::new(BufReader::with_capacity(256 * 1024, file));
    let mut tar = tar::Archive::new(gz);
    let mut zip = zip::ZipWriter::new(BufWriter::new(
        File::create(&tmp).expect("create the module zip"),
    ));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .compression_level(Some(1));
    let mut buf = Vec::new();
    for entry in tar.entries().expect("read the fixture tar") {
        let mut entry = entry.expect("read a fixture tar entry");
        if !entry.header().entry_type().is_file() {
            continue;
        }
        let name = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        let Some(zip_name) = module_entry_name(&name, prefix) else {
            continue;
        };
        buf.clear();
        entry.read_to_end(&mut buf).expect("read a fixture file");
        zip.start_file(zip_name, opts).expect("zip entry");
        zip.write_all(&buf).expect("write zip entry");
    }
    zip.finish()
        .expect("finish the module zip")
        .flush()
        .expect("flush");
    fs::rename(&tmp, out).expect("publish the module zip");
}

/// Copy `good` entry by entry (raw, no recompression), rewriting `victim` with its last
/// byte changed.
fn tamper(good: &Path, victim: &str, out: &Path) {
    let tmp = temp_next_to(out);
    let mut src = zip::ZipArchive::new(BufReader::new(File::open(good).expect("open zip")))
        .expect("read the module zip");
    let mut dst = zip::ZipWriter::new(BufWriter::new(File::create(&tmp).expect("create")));
    let mut changed = false;
    for i in 0..src.len() {
        let name = src
            .by_index_raw(i)
            .expect("entry")
            .name()
            .expect("entry name")
            .to_string();
        if name == victim {
            let mut data = Vec::new();
            src.by_index(i)
                .expect("entry")
                .read_to_end(&mut data)
                .expect("read entry");
            let last = data.last_mut().expect("non-empty file");
            *last = if *last == b' ' { b'\t' } else { b' ' };
            dst.start_file(name, zip::write::SimpleFileOptions::default())
                .expect("zip entry");
            dst.write_all(&data).expect("write entry");
            changed = true;
        } else {
            dst.raw_copy_file(src.by_index_raw(i).expect("entry"))
                .expect("copy entry");
        }
    }
    assert!(changed, "{victim} is not in {}", good.display());
    dst.finish().expect("finish").flush().expect("flush");
    fs::rename(&tmp, out).expect("publish the tampered zip");
}

#[cfg(test)]
mod tests {
    use super::module_entry_name;

    #[test]
    fn distpack_file_set() {
        let p = "golang.org/toolchain@v0.0.1-go1.22.10.linux-amd64/";
        assert_eq!(
            module_entry_name("go/bin/go", p).as_deref(),
            Some("golang.org/toolchain@v0.0.1-go1.22.10.linux-amd64/bin/go")
        );
        assert_eq!(
            module_entry_name("go/src/go.mod", p).as_deref(),
            Some("golang.org/toolchain@v0.0.1-go1.22.10.linux-amd64/src/_go.mod")
        );
        for dropped in ["go/api/go1.txt", "go/doc/go_spec.html", "go/misc/x", "go/test/a.go"] {
            assert_eq!(module_entry_name(dropped, p), None);
        }
        assert_eq!(module_entry_name("README", p), None);
    }
}
