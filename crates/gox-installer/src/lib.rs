//! gox-installer: download with progress, safe extraction, verification, atomic commit.
//!
//! The installer takes a version, a platform, where the archive comes from and the checksum
//! someone vouches for; choosing those (the feed, mirrors) is gox-resolver's job.

pub mod cancel;
pub mod download;
pub mod error;
pub mod extract;
pub mod import;
pub mod install;
pub mod inuse;
pub mod lock;
pub mod manpages;
pub mod mirror;
pub mod modzip;
pub mod prune;
pub mod receipt;
pub mod remove;
pub mod self_uninstall;
pub mod self_update;
pub mod shims;
mod staging;
mod streaming;
pub mod tools;
pub mod transaction;
pub mod userpath;

pub use download::Progress;
pub use error::InstallError;
pub use install::{Checksum, Installed, Installer, Origin, Outcome, Request};
pub use receipt::{ModuleProvenance, Receipt};
pub use remove::{InUse, remove_toolchain, uninstall};
