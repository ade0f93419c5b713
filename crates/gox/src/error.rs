//! The CLI's error: every library error, plus the exit status DESIGN.md assigns to it.

use gox_core::ExitStatus;

#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error(transparent)]
    Install(#[from] gox_installer::InstallError),
    #[error(transparent)]
    Resolve(#[from] gox_resolver::ResolveError),
    #[error(transparent)]
    Layout(#[from] gox_core::layout::LayoutError),
    #[error(transparent)]
    Config(#[from] gox_core::config::ConfigError),
    #[error(transparent)]
    Host(#[from] gox_core::host::HostError),
    #[error(transparent)]
    Shim(#[from] gox_shim::ShimError),
    #[error(transparent)]
    Select(#[from] gox_core::select::SelectError),
    #[error(transparent)]
    SelfUpdate(#[from] gox_installer::self_update::SelfUpdateError),
    #[error(transparent)]
    SelfUninstall(#[from] gox_installer::self_uninstall::UninstallError),
    #[error(transparent)]
    Prune(#[from] gox_installer::prune::PruneError),
    #[error(transparent)]
    Mirror(#[from] gox_installer::mirror::SyncError),
    /// A malformed version, spec or platform typed on the command line.
    #[error("{0}")]
    Usage(String),
    /// Nothing selected, or the selected toolchain is missing.
    #[error("{0}")]
    NoToolchain(String),
    #[error("{0}")]
    Other(String),
}

impl CliError {
    /// The signal that interrupted an install, if that is what ended the command.
    pub fn interrupted_by(&self) -> Option<i32> {
        match self {
            CliError::Install(e) => e.interrupted_by(),
            CliError::SelfUpdate(e) => e.interrupted_by(),
            CliError::Mirror(e) => e.interrupted_by(),
            _ => None,
        }
    }

    pub fn exit_status(&self) -> ExitStatus {
        match self {
            CliError::Usage(_) => ExitStatus::Usage,
            CliError::NoToolchain(_) => ExitStatus::NoToolchain,
            CliError::Shim(e) => e.exit_status(),
            _ => ExitStatus::Error,
        }
    }
}

impl From<gox_core::VersionError> for CliError {
    fn from(e: gox_core::VersionError) -> Self {
        CliError::Usage(e.to_string())
    }
}

impl From<gox_core::platform::PlatformError> for CliError {
    fn from(e: gox_core::platform::PlatformError) -> Self {
        CliError::Usage(e.to_string())
    }
}
