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
/// `each` returning `false` aborts the transfer early (the consumer failed and will report
/// why); the transfer then ends with `Ok` and the caller inspects the consumer's error.
pub async fn fetch(
    client: &reqwest::Client,
    url: &str,
    out: &mut std::fs::File,
    out_path: &Path,
    progress: Progress,
    label: &str,
    mut each: impl FnMut(&[u8]) -> bool,
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
    let bar = progress.bar(expected_len, label);
    let mut hasher = StreamHasher::new();
    let mut bytes = 0u64;
    let mut consumer_alive = true;
    while let Some(chunk) = response.chunk().await.map_err(net)? {
        hasher.update(&chunk);
        bytes += chunk.len() as u64;
        out.write_all(&chunk)
            .map_err(|e| InstallError::io("write", out_path, e))?;
        if consumer_alive {
            consumer_alive = each(&chunk);
        }
        bar.set_position(bytes);
    }
    bar.finish_and_clear();
    if let Some(expected) = expected_len.filter(|&n| n != bytes) {
        return Err(InstallError::Network {
            url: url.to_string(),
            detail: format!("connection closed after {bytes} of {expected} bytes"),
        });
    }
    Ok(Transfer {
        sha256: hasher.finish(),
        bytes,
    })
}

fn copy_local(
    src: &Path,
    out: &mut std::fs::File,
    out_path: &Path,
    progress: Progress,
    label: &str,
    mut each: impl FnMut(&[u8]) -> bool,
) -> Result<Transfer, InstallError> {
    use std::io::Read;
    let mut input = std::fs::File::open(src).map_err(|e| InstallError::io("open", src, e))?;
    let total = input.metadata().ok().map(|m| m.len());
    let bar = progress.bar(total, label);
    let mut hasher = StreamHasher::new();
    let mut buf = vec![0u8; 256 * 1024];
    let mut bytes = 0u64;
    let mut consumer_alive = true;
    loop {
        let n = input
            .read(&mut buf)
            .map_err(|e| InstallError::io("read", src, e))?;
        if n == 0 {
            break;
        }
        let chunk = &buf[..n];
        hasher.update(chunk);
        bytes += n as u64;
        out.write_all(chunk)
            .map_err(|e| InstallError::io("write", out_path, e))?;
        if consumer_alive {
            consumer_alive = each(chunk);
        }
        bar.set_position(bytes);
    }
    bar.finish_and_clear();
    Ok(Transfer {
        sha256: hasher.finish(),
        bytes,
    })
}

/// reqwest's top-level message ("error sending request") hides the cause users need
/// (connection refused, reset, TLS); walk the source chain.
fn describe(err: &reqwest::Error) -> String {
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
