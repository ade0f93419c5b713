//! A Go distribution as the module `golang.org/toolchain`, the form cmd/go (≥ 1.21) downloads
//! through GOPROXY for GOTOOLCHAIN switches. Built the way cmd/distpack builds it, so the zip
//! hashes to the same `h1:` the Go checksum database records for the official one:
//! - the binary archive's files (directories are not entries), minus `api/`, `doc/`,
//!   `misc/` and `test/`;
//! - each name under the prefix `golang.org/toolchain@v0.0.1-go1.22.10.linux-amd64/` in place
//!   of the archive's `go/`;
//! - every `go.mod` renamed `_go.mod` (a module zip cannot hold nested modules).
//!
//! The `h1:` hash covers names and contents only, so compression and entry metadata are free;
//! modes follow distpack anyway (executables under `bin/` and `pkg/tool/`).

use std::io::{Read, Write};
use std::path::Path;

use gox_core::{Platform, Version};

use crate::error::InstallError;

/// The `.mod` file every toolchain version serves.
pub const MOD_FILE: &str = "module golang.org/toolchain\n";
/// Top-level directories distpack leaves out of the module form.
const LEFT_OUT: [&str; 4] = ["api", "doc", "misc", "test"];

/// `v0.0.1-go1.22.10.linux-amd64`, the module version of a toolchain. GOARCH, not the
/// feed's name (`linux-arm`, where the archive says `armv6l`), as cmd/go asks for it.
pub fn module_version(version: &Version, platform: &Platform) -> String {
    format!("v0.0.1-{}.{}", version.go_name(), platform.dir_name())
}

/// The zip entry for a file at `rel` (slash-separated, relative to the archive's `go/`), or
/// `None` when distpack leaves it out.
pub fn entry_name(module_version: &str, rel: &str) -> Option<String> {
    let top = rel.split('/').next().unwrap_or_default();
    if rel.is_empty() || LEFT_OUT.contains(&top) {
        return None;
    }
    let rel = match rel.rsplit_once('/') {
        Some((dir, "go.mod")) => format!("{dir}/_go.mod"),
        None if rel == "go.mod" => "_go.mod".to_string(),
        _ => rel.to_string(),
    };
    Some(format!(
        "{}{rel}",
        gox_sumdb::toolchain_zip_prefix(module_version)
    ))
}

/// The `.info` file: the version and the release time from the toolchain's VERSION file.
pub fn info_json(module_version: &str, time: &str) -> String {
    format!(
        "{}\n",
        serde_json::json!({ "Version": module_version, "Time": time })
    )
}

/// The `time` line of a Go VERSION file (`go1.22.10\ntime 2024-11-26T19:58:46Z\n`), which
/// distpack stamps into the `.info`; the epoch when absent (older trees).
pub fn version_time(version_file: &str) -> String {
    version_file
        .lines()
        .find_map(|l| l.strip_prefix("time "))
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .unwrap_or("1970-01-01T00:00:00Z")
        .to_string()
}

/// What [`write_from_tree`] wrote.
#[derive(Debug)]
pub struct ModuleZip {
    pub files: u64,
    pub time: String,
}

/// Writes the module zip for a verified, extracted toolchain `root` (the archive's `go/`,
/// which holds exactly the archive's files) to `out`.
pub fn write_from_tree(
    root: &Path,
    module_version: &str,
    out: &Path,
) -> Result<ModuleZip, InstallError> {
    let mut files = Vec::new();
    collect(root, "", &mut files)?;
    files.sort();
    let file = std::fs::File::create(out).map_err(|e| InstallError::io("create", out, e))?;
    let mut zip = zip::ZipWriter::new(std::io::BufWriter::new(file));
    let zip_err =
        |e: zip::result::ZipError| InstallError::io("write", out, std::io::Error::other(e));
    let mut count = 0;
    let mut buf = vec![0u8; 256 * 1024];
    for rel in &files {
        let Some(name) = entry_name(module_version, rel) else {
            continue;
        };
        let exec = rel.starts_with("bin/") || rel.starts_with("pkg/tool/");
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .unix_permissions(if exec { 0o755 } else { 0o644 });
        zip.start_file(name, options).map_err(zip_err)?;
        let src = root.join(rel);
        let mut input = std::fs::File::open(&src).map_err(|e| InstallError::io("read", &src, e))?;
        loop {
            let n = input
                .read(&mut buf)
                .map_err(|e| InstallError::io("read", &src, e))?;
            if n == 0 {
                break;
            }
            zip.write_all(&buf[..n])
                .map_err(|e| InstallError::io("write", out, e))?;
        }
        count += 1;
    }
    let mut writer = zip.finish().map_err(zip_err)?;
    writer
        .flush()
        .map_err(|e| InstallError::io("write", out, e))?;
    let version_file = std::fs::read_to_string(root.join("VERSION")).unwrap_or_default();
    Ok(ModuleZip {
        files: count,
        time: version_time(&version_file),
    })
}

/// What the module files built from a toolchain archive must be: the zip's `h1:` and the
/// `.info`, read straight from the archive (one pass over its bytes, no extraction), so a
/// mirror can check the zip it already holds without building it again.
#[derive(Debug, PartialEq, Eq)]
pub struct Expected {
    pub h1: String,
    pub info: String,
}

/// [`Expected`] for the module version `module_version` of `archive` (`.tar.gz` or `.zip`,
/// already verified against its checksum). Honours a stop request between entries.
pub fn expected_from_archive(
    archive: &Path,
    module_version: &str,
) -> Result<Expected, InstallError> {
    let read_err = |e: std::io::Error| InstallError::io("read", archive, e);
    let file = std::fs::File::open(archive).map_err(read_err)?;
    let mut digests: Vec<(String, [u8; 32])> = Vec::new();
    let mut version_file = String::new();
    let mut add = |raw: &[u8], content: &mut dyn Read| -> Result<(), InstallError> {
        crate::cancel::check()?;
        let Some(rel) = crate::extract::normalize(raw).ok().flatten() else {
            return Ok(());
        };
        let Some(rel) = rel.strip_prefix("go/") else {
            return Ok(());
        };
        let Some(name) = entry_name(module_version, rel) else {
            return Ok(());
        };
        let mut hasher = <sha2::Sha256 as sha2::Digest>::new();
        let mut buf = vec![0u8; 256 * 1024];
        loop {
            let n = content.read(&mut buf).map_err(read_err)?;
            if n == 0 {
                break;
            }
            if rel == "VERSION" {
                version_file.push_str(&String::from_utf8_lossy(&buf[..n]));
            }
            sha2::Digest::update(&mut hasher, &buf[..n]);
        }
        digests.push((name, sha2::Digest::finalize(hasher).into()));
        Ok(())
    };
    if archive.to_string_lossy().ends_with(".zip") {
        let mut zip = zip::ZipArchive::new(std::io::BufReader::new(file))
            .map_err(|e| read_err(std::io::Error::other(e)))?;
        for i in 0..zip.len() {
            let mut entry = zip
                .by_index(i)
                .map_err(|e| read_err(std::io::Error::other(e)))?;
            if entry.is_file() {
                let raw = entry.name_raw().to_vec();
                add(&raw, &mut entry)?;
            }
        }
    } else {
        let gz = flate2::read::GzDecoder::new(std::io::BufReader::with_capacity(256 * 1024, file));
        let mut tar = tar::Archive::new(gz);
        for entry in tar.entries().map_err(read_err)? {
            let mut entry = entry.map_err(read_err)?;
            if entry.header().entry_type().is_file() {
                let raw = entry.path_bytes().into_owned();
                add(&raw, &mut entry)?;
            }
        }
    }
    let h1 = gox_sumdb::hash1_from_digests(digests)
        .map_err(|e| read_err(std::io::Error::other(e.to_string())))?;
    Ok(Expected {
        h1,
        info: info_json(module_version, &version_time(&version_file)),
    })
}

/// Regular files under `dir`, as slash-separated paths relative to the root. The extractor
/// already refused anything unsafe; a symlink here would not be a Go distribution.
fn collect(dir: &Path, prefix: &str, out: &mut Vec<String>) -> Result<(), InstallError> {
    let entries = std::fs::read_dir(dir).map_err(|e| InstallError::io("read", dir, e))?;
    for entry in entries {
        let entry = entry.map_err(|e| InstallError::io("read", dir, e))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let rel = if prefix.is_empty() {
            name
        } else {
            format!("{prefix}/{name}")
        };
        let kind = entry
            .file_type()
            .map_err(|e| InstallError::io("read", &entry.path(), e))?;
        if kind.is_dir() {
            collect(&entry.path(), &rel, out)?;
        } else if kind.is_file() {
            out.push(rel);
        } else {
            return Err(InstallError::io(
                "pack",
                &entry.path(),
                std::io::Error::other("not a regular file (a Go distribution has none)"),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_distpack() {
        let v = module_version(
            &Version::parse("1.22.10").unwrap(),
            &"linux/amd64".parse().unwrap(),
        );
        assert_eq!(v, "v0.0.1-go1.22.10.linux-amd64");
        let p = "golang.org/toolchain@v0.0.1-go1.22.10.linux-amd64/";
        assert_eq!(entry_name(&v, "bin/go").unwrap(), format!("{p}bin/go"));
        assert_eq!(
            entry_name(&v, "src/cmd/go.mod").unwrap(),
            format!("{p}src/cmd/_go.mod")
        );
        assert_eq!(entry_name(&v, "go.mod").unwrap(), format!("{p}_go.mod"));
        assert_eq!(
            entry_name(&v, "src/go.sum").unwrap(),
            format!("{p}src/go.sum")
        );
        assert_eq!(
            entry_name(&v, "src/cmd/go/testdata/mod/go.mod.txt").unwrap(),
            format!("{p}src/cmd/go/testdata/mod/go.mod.txt")
        );
        for out in [
            "api/go1.txt",
            "doc/go_spec.html",
            "misc/wasm/x.js",
            "test/a.go",
            "",
        ] {
            assert_eq!(entry_name(&v, out), None, "{out}");
        }
        // Only the top level is left out.
        assert!(entry_name(&v, "src/cmd/api/main.go").is_some());
        assert!(entry_name(&v, "apix/y").is_some());
        assert_eq!(
            module_version(
                &Version::parse("1.21.13").unwrap(),
                &"linux/arm".parse().unwrap()
            ),
            "v0.0.1-go1.21.13.linux-arm"
        );
    }

    /// Reading the archive predicts the zip [`write_from_tree`] builds from its extraction:
    /// the same `h1:` and `.info`, for a `.tar.gz` and a `.zip`.
    #[test]
    fn expected_from_archive_matches_the_zip_written() {
        let files: [(&str, &[u8]); 6] = [
            ("VERSION", b"go1.22.10\ntime 2024-11-26T19:58:46Z\n"),
            ("bin/go", b"\x7fELF go"),
            ("src/cmd/go.mod", b"module cmd\n"),
            ("src/fmt/print.go", b"package fmt\n"),
            ("api/go1.txt", b"left out"),
            ("test/a.go", b"left out"),
        ];
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("tree/go");
        for (rel, data) in files {
            let path = root.join(rel);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, data).unwrap();
        }
        let v = "v0.0.1-go1.22.10.linux-amd64";
        let zip_path = dir.path().join("module.zip");
        let written = write_from_tree(&root, v, &zip_path).unwrap();
        let h1 = gox_sumdb::hash_zip_file(&zip_path).unwrap();

        let tgz = dir.path().join("go1.22.10.linux-amd64.tar.gz");
        let mut tar = tar::Builder::new(flate2::write::GzEncoder::new(
            std::fs::File::create(&tgz).unwrap(),
            flate2::Compression::fast(),
        ));
        let archive_zip = dir.path().join("go1.22.10.windows-amd64.zip");
        let mut zip = zip::ZipWriter::new(std::fs::File::create(&archive_zip).unwrap());
        zip.add_directory("go/", zip::write::SimpleFileOptions::default())
            .unwrap();
        for (rel, data) in files {
            let mut header = tar::Header::new_gnu();
            header.set_size(data.len() as u64);
            header.set_mode(0o644);
            header.set_cksum();
            tar.append_data(&mut header, format!("go/{rel}"), data)
                .unwrap();
            zip.start_file(
                format!("go/{rel}"),
                zip::write::SimpleFileOptions::default(),
            )
            .unwrap();
            zip.write_all(data).unwrap();
        }
        tar.into_inner().unwrap().finish().unwrap();
        zip.finish().unwrap();

        for archive in [&tgz, &archive_zip] {
            let expected = expected_from_archive(archive, v).unwrap();
            assert_eq!(expected.h1, h1, "{}", archive.display());
            assert_eq!(expected.info, info_json(v, &written.time));
        }
        // Another module version (other names) hashes differently.
        let other = expected_from_archive(&tgz, "v0.0.1-go1.22.10.linux-arm64").unwrap();
        assert_ne!(other.h1, h1);
    }

    #[test]
    fn info_and_time() {
        assert_eq!(
            version_time("go1.22.10\ntime 2024-11-26T19:58:46Z\n"),
            "2024-11-26T19:58:46Z"
        );
        assert_eq!(version_time("go1.20"), "1970-01-01T00:00:00Z");
        let info: serde_json::Value = serde_json::from_str(&info_json(
            "v0.0.1-go1.22.10.linux-amd64",
            "2024-11-26T19:58:46Z",
        ))
        .unwrap();
        assert_eq!(info["Version"], "v0.0.1-go1.22.10.linux-amd64");
        assert_eq!(info["Time"], "2024-11-26T19:58:46Z");
    }
}
