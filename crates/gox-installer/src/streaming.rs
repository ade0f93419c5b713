//! Extracting a `.tar.gz` while it downloads, on a worker thread fed through a channel,
//! and starting that extraction over when the download starts over (see
//! [`crate::download`]): the staging directory is emptied and a fresh worker reads the
//! bytes again from the first one.

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::thread::JoinHandle;

use crate::download::Consumer;
use crate::extract::{self, ExtractError, Extracted, Limits};
use crate::install::ChannelReader;

pub(crate) struct StreamingExtractor {
    tx: Option<mpsc::SyncSender<Vec<u8>>>,
    worker: Option<JoinHandle<Result<Extracted, ExtractError>>>,
    name: String,
    dest: PathBuf,
    limits: Limits,
}

impl StreamingExtractor {
    pub(crate) fn start(name: &str, dest: &Path, limits: Limits) -> Self {
        let mut s = Self {
            tx: None,
            worker: None,
            name: name.to_string(),
            dest: dest.to_path_buf(),
            limits,
        };
        s.spawn();
        s
    }

    fn spawn(&mut self) {
        let (tx, rx) = mpsc::sync_channel::<Vec<u8>>(64);
        let (name, dest, limits) = (self.name.clone(), self.dest.clone(), self.limits);
        self.worker = Some(std::thread::spawn(move || {
            extract::extract_tar_gz_named(ChannelReader::new(rx), &name, &dest, limits)
        }));
        self.tx = Some(tx);
    }

    /// Ends the stream and waits for the worker's verdict.
    pub(crate) fn finish(mut self) -> Result<Extracted, ExtractError> {
        self.tx = None;
        let worker = self.worker.take().expect("a worker runs until finish");
        worker.join().unwrap_or_else(|_| {
            Err(ExtractError::Corrupt {
                archive: self.name.clone(),
                detail: "the extractor thread panicked".to_string(),
            })
        })
    }
}

impl Consumer for StreamingExtractor {
    fn chunk(&mut self, bytes: &[u8]) -> bool {
        self.tx
            .as_ref()
            .is_some_and(|tx| tx.send(bytes.to_vec()).is_ok())
    }

    fn restart(&mut self) {
        // Closing the channel ends the old worker (its half-read archive fails, and that
        // verdict is void); then the staging dir is emptied for the new one.
        self.tx = None;
        if let Some(worker) = self.worker.take() {
            let _ = worker.join();
        }
        if let Ok(entries) = std::fs::read_dir(&self.dest) {
            for entry in entries.flatten() {
                let path = entry.path();
                let _ = if path.is_dir() && !path.is_symlink() {
                    std::fs::remove_dir_all(&path)
                } else {
                    std::fs::remove_file(&path)
                };
            }
        }
        self.spawn();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn tar_gz(files: &[(&str, &[u8])]) -> Vec<u8> {
        let gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        let mut tar = tar::Builder::new(gz);
        for (name, data) in files {
            let mut h = tar::Header::new_gnu();
            h.set_size(data.len() as u64);
            h.set_mode(0o644);
            h.set_cksum();
            tar.append_data(&mut h, name, *data).unwrap();
        }
        let mut gz = tar.into_inner().unwrap();
        gz.flush().unwrap();
        gz.finish().unwrap()
    }

    #[test]
    fn a_restart_discards_what_was_extracted_and_reads_again() {
        let dir = tempfile::tempdir().unwrap();
        let old = tar_gz(&[("go/OLD", b"old"), ("go/VERSION", b"go1.0")]);
        let new = tar_gz(&[("go/VERSION", b"go1.22.10")]);
        let mut s = StreamingExtractor::start("t.tar.gz", dir.path(), Limits::default());
        assert!(s.chunk(&old[..old.len() / 2]));
        s.restart();
        assert!(s.chunk(&new[..10]));
        assert!(s.chunk(&new[10..]));
        s.finish().unwrap();
        assert!(!dir.path().join("go/OLD").exists());
        assert_eq!(
            std::fs::read(dir.path().join("go/VERSION")).unwrap(),
            b"go1.22.10"
        );
    }
}
