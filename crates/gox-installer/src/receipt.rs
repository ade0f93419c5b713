//! The install receipt: what was installed, from where, with which checksum. Written into
//! the staging directory before the atomic rename, so every toolchain directory has one.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::InstallError;
use gox_core::layout::RECEIPT_FILE;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Receipt {
    pub version: String,
    pub platform: String,
    pub sha256: String,
    /// URL or local path the archive came from; `import` for a toolchain taken over from
    /// another manager (then `sha256` is empty: there was no archive).
    pub source: String,
    /// Seconds since the Unix epoch.
    pub installed_at: u64,
    pub gox_version: String,
    /// For `source: "import"`: the directory the toolchain was imported from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<String>,
    /// For `source: "import"`: the manager that had installed it (`goenv`, `asdf`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manager: Option<String>,
}

impl Receipt {
    pub fn write(&self, goroot: &Path) -> Result<(), InstallError> {
        let path = goroot.join(RECEIPT_FILE);
        let text = serde_json::to_string_pretty(self).expect("receipt serializes");
        std::fs::write(&path, text + "\n").map_err(|e| InstallError::io("write", &path, e))
    }

    /// The receipt of an installed toolchain; `None` when missing or unreadable (a
    /// toolchain copied in by hand still lists, just without provenance).
    pub fn read(goroot: &Path) -> Option<Self> {
        let text = std::fs::read_to_string(goroot.join(RECEIPT_FILE)).ok()?;
        serde_json::from_str(&text).ok()
    }
}

pub(crate) fn now_unix() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}
