//! Streaming download: every chunk is hashed, written to the cache file and handed to the
//! extractor as it arrives, so hashing and decompression overlap with the network.

use std::io::Write;
use std::path::Path;

use gox_verifier::hash::StreamHasher;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::error::InstallError;

/// What a finished transfer produced.
#[derive(Debug)]
pub struct Transfer {
    pub sha256: String,
    pub bytes: u64,
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
        let template = if total.is_some() {
            "{prefix} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} {eta}"
        } else {
            "{prefix} {bytes} {bytes_per_sec}"
        };
        if let Ok(style) = ProgressStyle::with_template(template) {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.set_prefix(label.to_string());
        bar
    }
}

/// Downloads `url` (http, https or file) into `out`, calling `each` with every chunk.
/// `each` returning `false` stops feeding it (the consumer failed and will report why), but
/// the transfer goes on so the checksum is complete and a mismatch can be reported first.
pub async fn fetch(
    client: &reqwest::Client,
    url: &str,
    out: &mut std::fs::File,
    out_path: &Path,
    progress: Progress,
    label: &str,
    each: impl FnMut(&[u8]) -> bool,
) -> Result<Transfer, InstallError> {
    if let Some(path) = url.strip_prefix("file://") {
        return copy_local(Path::new(path), out, out_path, progress, label, each);
    }
    let net = |source: reqwest::Error| InstallError::Network {
        url: url.to_string(),
        detail: describe(&source),
    };
    let mut response = client.get(url).send().await.map_err(net)?;
    let status = response.status();
    if !status.is_success() {
        return Err(InstallError::HttpStatus {
            url: url.to_string(),
            status: status.as_u16(),
            reason: status.canonical_reason().unwrap_or("").to_string(),
        });
    }
    let expected_len = response.content_length();
    let mut sink = Sink::new(out, out_path, progress.bar(expected_len, label), each);
    while let Some(chunk) = response.chunk().await.map_err(net)? {
        sink.push(&chunk)?;
    }
    let transfer = sink.finish();
    if let Some(expected) = expected_len.filter(|&n| n != transfer.bytes) {
        return Err(InstallError::Network {
            url: url.to_string(),
            detail: format!(
                "connection closed after {} of {expected} bytes",
                transfer.bytes
            ),
        });
    }
    Ok(transfer)
}

fn copy_local(
    src: &Path,
    out: &mut std::fs::File,
    out_path: &Path,
    progress: Progress,
    label: &str,
    each: impl FnMut(&[u8]) -> bool,
) -> Result<Transfer, InstallError> {
    use std::io::Read;
    let mut input = std::fs::File::open(src).map_err(|e| InstallError::io("open", src, e))?;
    let total = input.metadata().ok().map(|m| m.len());
    let mut sink = Sink::new(out, out_path, progress.bar(total, label), each);
    let mut buf = vec![0u8; 256 * 1024];
    loop {
        let n = input
            .read(&mut buf)
            .map_err(|e| InstallError::io("read", src, e))?;
        if n == 0 {
            return Ok(sink.finish());
        }
        sink.push(&buf[..n])?;
    }
}

/// Where every chunk goes: the hash, the cache file, the consumer, the progress bar.
struct Sink<'a, F> {
    out: &'a mut std::fs::File,
    out_path: &'a Path,
    bar: ProgressBar,
    each: F,
    consumer_alive: bool,
    hasher: StreamHasher,
    bytes: u64,
}

impl<'a, F: FnMut(&[u8]) -> bool> Sink<'a, F> {
    fn new(out: &'a mut std::fs::File, out_path: &'a Path, bar: ProgressBar, each: F) -> Self {
        Self {
            out,
            out_path,
            bar,
            each,
            consumer_alive: true,
            hasher: StreamHasher::new(),
            bytes: 0,
        }
    }

    fn push(&mut self, chunk: &[u8]) -> Result<(), InstallError> {
        self.hasher.update(chunk);
        self.bytes += chunk.len() as u64;
        self.out
            .write_all(chunk)
            .map_err(|e| InstallError::io("write", self.out_path, e))?;
        if self.consumer_alive {
            self.consumer_alive = (self.each)(chunk);
        }
        self.bar.set_position(self.bytes);
        Ok(())
    }

    fn finish(self) -> Transfer {
        self.bar.finish_and_clear();
        Transfer {
            sha256: self.hasher.finish(),
            bytes: self.bytes,
        }
    }
}

/// reqwest's top-level message ("error sending request") hides the cause users need
/// (connection refused, reset, TLS); walk the source chain.
pub(crate) fn describe(err: &reqwest::Error) -> String {
    let mut text = err.to_string();
    let mut source = std::error::Error::source(err);
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}
