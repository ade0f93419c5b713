//! Resumable, retrying download: every chunk is hashed, written to `downloads/<file>.part`
//! and handed to the consumer (the extractor) as it arrives, so hashing and decompression
//! overlap with the network.
//!
//! Transient failures are retried per [`RetryPolicy`] (the one policy the feed uses too);
//! a retry continues where the bytes stopped with `Range` + `If-Range` (the ETag, or
//! Last-Modified) when the server gave a validator, and starts over otherwise, or when the
//! server answers the range request with the whole file (no range support, or the file
//! changed). Starting over truncates the `.part`, resets the hash and calls
//! [`Consumer::restart`], so the SHA-256 always covers the whole file as one stream.
//! A `.part` left by an earlier run (Ctrl-C, network gone) is resumed the same way: its
//! bytes are read back from disk into the hash and the consumer first (extraction restarts
//! from the start of the file), then the rest comes from the network.
//! Mirrors are tried in order; see [`GaveUp::falls_through`] for which failures move on.

use std::cell::RefCell;
use std::io::Write;
use std::path::{Path, PathBuf};

use gox_resolver::retry::{self, Attempt, Failure, GaveUp, RetryPolicy, Stopped};
use gox_verifier::hash::StreamHasher;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use reqwest::StatusCode;
use reqwest::header::{
    CONTENT_RANGE, ETAG, HeaderMap, HeaderValue, IF_RANGE, LAST_MODIFIED, RANGE,
};

use crate::error::InstallError;

/// What a finished transfer produced.
#[derive(Debug)]
pub struct Transfer {
    pub sha256: String,
    pub bytes: u64,
    /// The mirror URL that completed the download.
    pub url: String,
}

/// Whether to draw a progress bar (on stderr, only when it is a terminal).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Progress {
    Bar,
    Quiet,
}

impl Progress {
    pub(crate) fn bar(self, total: Option<u64>, label: &str) -> ProgressBar {
        if self == Progress::Quiet {
            return ProgressBar::hidden();
        }
        let bar = ProgressBar::with_draw_target(total, ProgressDrawTarget::stderr());
        style(&bar, total.is_some());
        bar.set_prefix(label.to_string());
        bar
    }
}

/// A bar with a total shows how far along it is; without one, only bytes and speed.
fn style(bar: &ProgressBar, with_total: bool) {
    let template = if with_total {
        "{prefix} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} {eta}"
    } else {
        "{prefix} {bytes} {bytes_per_sec}"
    };
    if let Ok(style) = ProgressStyle::with_template(template) {
        bar.set_style(style.progress_chars("=> "));
    }
}

/// The total became known (from the response): switch to the full bar.
fn set_total(bar: &ProgressBar, total: u64) {
    if !bar.is_hidden() {
        bar.set_length(total);
        style(bar, true);
    }
}

/// Receives the archive bytes in order while they download.
pub trait Consumer {
    /// The next bytes. Returning `false` stops feeding (the consumer failed and will say
    /// why), but the transfer goes on so the checksum is complete and reported first.
    fn chunk(&mut self, bytes: &[u8]) -> bool;
    /// Everything fed so far is void: the bytes start again from the first one.
    fn restart(&mut self);
}

/// A consumer that ignores the bytes (zip archives are extracted once complete).
#[derive(Debug)]
pub struct Discard;

impl Consumer for Discard {
    fn chunk(&mut self, _: &[u8]) -> bool {
        true
    }
    fn restart(&mut self) {}
}

/// What to download and how.
pub struct Download<'a> {
    pub client: &'a reqwest::Client,
    /// The same file on each mirror, in failover order (http, https or file URLs).
    pub urls: &'a [String],
    /// `downloads/<file>.part`; its validator lives next to it in `<file>.part.meta`.
    pub part: &'a Path,
    pub policy: RetryPolicy,
    pub progress: Progress,
    pub label: &'a str,
}

/// The `.part` file of a download and what is known about its bytes.
struct Part<'a> {
    file: std::fs::File,
    path: &'a Path,
    meta: PathBuf,
    hasher: StreamHasher,
    len: u64,
    /// The `If-Range` value for the bytes on disk (a strong ETag, else Last-Modified).
    validator: Option<String>,
    consumer: &'a mut dyn Consumer,
    consumer_alive: bool,
    bar: ProgressBar,
}

/// `<file>.part`: where `file` is downloaded to until it is complete (and verified).
pub fn part_path(file: &Path) -> PathBuf {
    let mut name = file.as_os_str().to_owned();
    name.push(".part");
    PathBuf::from(name)
}

/// Where a `.part` file's validator is kept.
pub fn meta_path(part: &Path) -> PathBuf {
    let mut name = part.as_os_str().to_owned();
    name.push(".meta");
    PathBuf::from(name)
}

/// The name of the file a [`part_path`] (or its [`meta_path`]) is downloading:
/// `go1.22.10.linux-amd64.tar.gz.part.meta` → `go1.22.10.linux-amd64.tar.gz`.
pub fn part_target(name: &str) -> Option<&str> {
    name.strip_suffix(".part.meta")
        .or_else(|| name.strip_suffix(".part"))
}

impl<'a> Part<'a> {
    /// Opens (or creates) the `.part`, keeping earlier bytes only when a validator for them
    /// was recorded; those bytes are fed to the hash and the consumer again.
    fn open(
        path: &'a Path,
        consumer: &'a mut dyn Consumer,
        bar: ProgressBar,
    ) -> Result<Self, InstallError> {
        use std::io::Read;
        let meta = meta_path(path);
        let validator = std::fs::read_to_string(&meta)
            .ok()
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty() && HeaderValue::from_str(v).is_ok());
        let file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)
            .map_err(|e| InstallError::io("open", path, e))?;
        let mut part = Part {
            file,
            path,
            meta,
            hasher: StreamHasher::new(),
            len: 0,
            validator,
            consumer,
            consumer_alive: true,
            bar,
        };
        if part.validator.is_none() {
            part.restart()?;
            return Ok(part);
        }
        let mut buf = vec![0u8; 256 * 1024];
        loop {
            let n = part
                .file
                .read(&mut buf)
                .map_err(|e| InstallError::io("read", path, e))?;
            if n == 0 {
                break;
            }
            part.feed(&buf[..n]);
        }
        Ok(part)
    }

    /// Hash and hand on bytes that are already in the file.
    fn feed(&mut self, chunk: &[u8]) {
        self.hasher.update(chunk);
        self.len += chunk.len() as u64;
        if self.consumer_alive {
            self.consumer_alive = self.consumer.chunk(chunk);
        }
        self.bar.set_position(self.len);
    }

    fn push(&mut self, chunk: &[u8]) -> Result<(), InstallError> {
        self.file
            .write_all(chunk)
            .map_err(|e| InstallError::io("write", self.path, e))?;
        self.feed(chunk);
        Ok(())
    }

    /// Back to byte 0: empty file, fresh hash, consumer told.
    fn restart(&mut self) -> Result<(), InstallError> {
        use std::io::Seek;
        self.file
            .set_len(0)
            .and_then(|()| self.file.rewind())
            .map_err(|e| InstallError::io("truncate", self.path, e))?;
        let _ = std::fs::remove_file(&self.meta);
        self.validator = None;
        self.hasher = StreamHasher::new();
        if self.len > 0 {
            self.consumer.restart();
            self.consumer_alive = true;
        }
        self.len = 0;
        self.bar.set_position(0);
        Ok(())
    }

    /// Records the validator of the bytes being written, so a later run can resume them.
    fn set_validator(&mut self, validator: Option<String>) {
        match &validator {
            Some(v) => {
                let _ = std::fs::write(&self.meta, v);
            }
            None => {
                let _ = std::fs::remove_file(&self.meta);
            }
        }
        self.validator = validator;
    }

    fn finish(mut self, url: &str) -> Result<Transfer, InstallError> {
        self.file
            .flush()
            .map_err(|e| InstallError::io("write", self.path, e))?;
        let _ = std::fs::remove_file(&self.meta);
        self.bar.finish_and_clear();
        Ok(Transfer {
            sha256: self.hasher.finish(),
            bytes: self.len,
            url: url.to_string(),
        })
    }
}

/// The `If-Range` validator of a response: a strong ETag, else Last-Modified (weak ETags
/// cannot validate byte ranges).
fn validator(headers: &HeaderMap) -> Option<String> {
    let get = |name| {
        headers
            .get(name)
            .and_then(|v: &HeaderValue| v.to_str().ok())
    };
    get(ETAG)
        .filter(|e| !e.starts_with("W/"))
        .or_else(|| get(LAST_MODIFIED))
        .map(str::to_string)
}

/// Downloads the file from the first mirror that has it, retrying and resuming.
pub async fn fetch(
    d: &Download<'_>,
    consumer: &mut dyn Consumer,
) -> Result<Transfer, InstallError> {
    let bar = d.progress.bar(None, d.label);
    let part = RefCell::new(Part::open(d.part, consumer, bar.clone())?);
    let mut failures = Vec::new();
    for url in d.urls {
        if let Some(path) = gox_resolver::source::local_path(url) {
            part.borrow_mut().restart()?;
            let copied = copy_local(&path, &mut part.borrow_mut())?;
            let Some(failure) = copied else {
                return part.into_inner().finish(url);
            };
            let through = failure.is_not_found();
            failures.push(GaveUp {
                url: url.clone(),
                reason: if through {
                    "not found on this mirror".to_string()
                } else {
                    "a local file; not retried".to_string()
                },
                last: failure,
                attempts: 1,
            });
            if through {
                continue;
            }
            break;
        }
        let result = retry::retry(
            &d.policy,
            url,
            |_| attempt(d, url, &part),
            |failure, next, wait| {
                if d.progress == Progress::Bar {
                    bar.suspend(|| {
                        gox_core::say!(
                            "gox: {url}: {}; retrying in {:.1} s (attempt {next} of {})",
                            failure.detail,
                            wait.as_secs_f64(),
                            d.policy.attempts
                        );
                    });
                }
            },
        )
        .await;
        match result {
            Ok(()) => return part.into_inner().finish(url),
            Err(Stopped::Abort(e)) => return Err(e),
            Err(Stopped::GaveUp(g)) => {
                let through = g.falls_through();
                failures.push(g);
                if !through {
                    break;
                }
            }
        }
    }
    let part = part.into_inner();
    part.bar.finish_and_clear();
    let kept = (part.len > 0 && part.validator.is_some()).then(|| d.part.to_path_buf());
    if kept.is_none() {
        let _ = std::fs::remove_file(d.part);
    }
    Err(InstallError::Download {
        failures,
        part: kept,
    })
}

/// One GET, continuing the `.part` when it can.
async fn attempt(
    d: &Download<'_>,
    url: &str,
    part: &RefCell<Part<'_>>,
) -> Result<(), Attempt<InstallError>> {
    let mut request = d.client.get(url);
    let offset = {
        let mut p = part.borrow_mut();
        if p.len > 0 {
            match p.validator.clone() {
                Some(v) => {
                    request = request
                        .header(RANGE, format!("bytes={}-", p.len))
                        .header(IF_RANGE, v);
                }
                None => p.restart().map_err(Attempt::Abort)?,
            }
        }
        p.len
    };
    // A server that accepts the connection but never answers is a stall too.
    let mut response = match tokio::time::timeout(d.policy.stall, request.send()).await {
        Err(_) => {
            return Err(Failure::transient(format!(
                "no response for {:.1} s (GOX_STALL_TIMEOUT)",
                d.policy.stall.as_secs_f64()
            ))
            .into());
        }
        Ok(sent) => sent.map_err(|e| Failure::client(&e))?,
    };
    let status = response.status();
    let expected_total = match status {
        StatusCode::PARTIAL_CONTENT if offset > 0 => {
            let range = response
                .headers()
                .get(CONTENT_RANGE)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            if !range.starts_with(&format!("bytes {offset}-")) {
                part.borrow_mut().restart().map_err(Attempt::Abort)?;
                return Err(Failure::transient(format!(
                    "asked for bytes {offset}- but got the range {range:?}; starting over"
                ))
                .into());
            }
            response.content_length().map(|n| n + offset)
        }
        StatusCode::OK => {
            let mut p = part.borrow_mut();
            // The whole file: no range support, or it changed since the bytes on disk.
            if p.len > 0 {
                p.restart().map_err(Attempt::Abort)?;
            }
            p.set_validator(validator(response.headers()));
            response.content_length()
        }
        StatusCode::RANGE_NOT_SATISFIABLE => {
            part.borrow_mut().restart().map_err(Attempt::Abort)?;
            return Err(Failure::transient("HTTP 416 Range Not Satisfiable; starting over").into());
        }
        _ => return Err(Failure::status(status, response.headers()).into()),
    };
    if let Some(total) = expected_total {
        set_total(&part.borrow().bar, total);
    }
    loop {
        let chunk = match tokio::time::timeout(d.policy.stall, response.chunk()).await {
            Err(_) => {
                return Err(Failure::transient(format!(
                    "no data for {:.1} s (stalled after {} bytes; GOX_STALL_TIMEOUT)",
                    d.policy.stall.as_secs_f64(),
                    part.borrow().len
                ))
                .into());
            }
            Ok(Err(e)) => return Err(Failure::client(&e).into()),
            Ok(Ok(None)) => break,
            Ok(Ok(Some(chunk))) => chunk,
        };
        part.borrow_mut().push(&chunk).map_err(Attempt::Abort)?;
    }
    let got = part.borrow().len;
    if let Some(expected) = expected_total.filter(|&n| n != got) {
        return Err(Failure::transient(format!(
            "connection closed after {got} of {expected} bytes"
        ))
        .into());
    }
    Ok(())
}

/// A `file://` mirror: `Some(failure)` when the file cannot be read (a missing file falls
/// through like a 404); `Err` when the `.part` cannot be written.
fn copy_local(src: &Path, part: &mut Part<'_>) -> Result<Option<Failure>, InstallError> {
    use std::io::Read;
    let failure = |e: std::io::Error| Failure {
        class: retry::Class::Permanent,
        status: (e.kind() == std::io::ErrorKind::NotFound).then_some(404),
        detail: e.to_string(),
        retry_after: None,
    };
    let mut input = match std::fs::File::open(src) {
        Ok(f) => f,
        Err(e) => return Ok(Some(failure(e))),
    };
    if let Ok(m) = input.metadata() {
        set_total(&part.bar, m.len());
    }
    let mut buf = vec![0u8; 256 * 1024];
    loop {
        let n = match input.read(&mut buf) {
            Ok(n) => n,
            Err(e) => return Ok(Some(failure(e))),
        };
        if n == 0 {
            return Ok(None);
        }
        part.push(&buf[..n])?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn part_and_meta_names_lead_back_to_their_file() {
        let file = Path::new("/c/downloads/go1.22.10.linux-amd64.tar.gz");
        let part = part_path(file);
        for path in [&part, &meta_path(&part)] {
            let name = path.file_name().unwrap().to_str().unwrap();
            assert_eq!(part_target(name), Some("go1.22.10.linux-amd64.tar.gz"));
        }
        for other in ["go1.22.10.linux-amd64.tar.gz", "x.meta", "x.part.old"] {
            assert_eq!(part_target(other), None, "{other}");
        }
    }
}
