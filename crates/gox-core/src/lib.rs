//! gox-core: everything gox decides without touching the network.
//!
//! Go versions and specs ([`version`]), the host platform as the hardware sees it
//! ([`host`], [`platform`]), the on-disk layout ([`layout`]), configuration ([`config`]),
//! the process environment as one injectable value ([`environment`]), Go's own env file
//! ([`goenv`]), the shell hook's decisions ([`hook`]), and `gox doctor`'s checks
//! ([`doctor`]).

pub mod childenv;
pub mod config;
pub mod doctor;
#[cfg(target_os = "linux")]
pub mod environ;
pub mod environment;
pub mod exit;
pub mod goenv;
pub mod gonames;
pub mod hook;
pub mod host;
pub mod installed;
pub mod layout;
pub mod observe;
pub mod outdated;
pub mod pathext;
pub mod pathname;
pub mod platform;
pub mod projects;
pub mod select;
pub mod shell;
pub mod shim_identity;
pub mod stderr;
pub mod tools;
pub mod version;

pub use config::Config;
pub use environment::Environment;
pub use exit::ExitStatus;
pub use host::Host;
pub use layout::Layout;
pub use platform::Platform;
pub use version::{Spec, Version, VersionError};
