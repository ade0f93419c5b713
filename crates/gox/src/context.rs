//! What every command needs: the environment, layout, config and host, read once.

use gox_core::{Config, Environment, Host, Layout, Platform, host};
use gox_installer::Progress;
use gox_installer::extract::Limits;
use gox_resolver::source::MirrorList;
use gox_resolver::{FeedClient, FetchPolicy, Loaded, RetryPolicy, Sources};

use crate::cli::SourceArgs;
use crate::error::CliError;

pub struct Context {
    pub env: Environment,
    pub layout: Layout,
    pub config: Config,
    pub host: Host,
    pub quiet: bool,
}

impl Context {
    pub fn new(env: Environment, quiet: bool) -> Result<Self, CliError> {
        Self::build(env, quiet, true)
    }

    /// For `gox self update` and `gox self uninstall`: a broken config file (or one written
    /// for a newer gox, with settings this one does not know) is a warning and the defaults
    /// apply, so it cannot block the update that would understand it, or removing gox.
    pub fn ignoring_config_errors(env: Environment, quiet: bool) -> Result<Self, CliError> {
        Self::build(env, quiet, false)
    }

    fn build(env: Environment, quiet: bool, config_required: bool) -> Result<Self, CliError> {
        let layout = Layout::from_env(&env)?;
        let config = match Config::load(layout.config_file()) {
            Ok(config) => config,
            Err(e) if !config_required => {
                gox_core::say!("gox: warning: {e} (ignored: the defaults apply for this command)");
                Config::default()
            }
            Err(e) => return Err(e.into()),
        };
        let host = host::detect(&env)?;
        Ok(Self {
            env,
            layout,
            config,
            host,
            quiet,
        })
    }

    /// `--platform`, else GOX_PLATFORM, else the host's native platform. The variable is
    /// read here, not by clap, so that a stale export is named in the error as itself.
    pub fn target_platform(&self, flag: Option<&str>) -> Result<Platform, CliError> {
        if let Some(p) = flag {
            return Ok(p.parse()?);
        }
        match self.setting("GOX_PLATFORM") {
            Some(value) => value
                .parse()
                .map_err(|e: gox_core::platform::PlatformError| {
                    CliError::Other(format!("GOX_PLATFORM={value:?}: {e} (or unset it)"))
                }),
            None => Ok(self.host.platform.clone()),
        }
    }

    /// Where toolchains come from: `--source`, else GOX_SOURCE, else the config's `source`,
    /// else `auto`. Read here rather than by clap, so that the commands that install without
    /// a `--source` of their own (`use`, `upgrade`) honour GOX_SOURCE as well, and a bad value
    /// is named as the variable it came from.
    pub fn toolchain_source(&self, flag: Option<&str>) -> Result<String, CliError> {
        if let Some(source) = flag {
            return Ok(source.to_string());
        }
        match self.setting("GOX_SOURCE") {
            Some(value) if gox_core::config::SOURCES.contains(&value) => Ok(value.to_string()),
            Some(value) => Err(CliError::Other(format!(
                "GOX_SOURCE={value:?}: not a toolchain source; use one of {} (or unset it)",
                gox_core::config::SOURCES.join(", ")
            ))),
            None => Ok(self.config.source.clone().unwrap_or_else(|| "auto".into())),
        }
    }

    /// A GOX_* setting from the environment; set but empty counts as unset, as `VAR= cmd`
    /// is how shells clear one for a single command.
    fn setting(&self, name: &str) -> Option<&str> {
        self.env.var(name).map(str::trim).filter(|v| !v.is_empty())
    }

    pub fn progress(&self) -> Progress {
        if self.quiet {
            Progress::Quiet
        } else {
            Progress::Bar
        }
    }

    /// A status line on stderr (stdout is for output scripts consume).
    pub fn status(&self, message: impl std::fmt::Display) {
        if !self.quiet {
            gox_core::say!("{message}");
        }
    }

    pub fn http(&self) -> Result<reqwest::Client, CliError> {
        Ok(gox_resolver::http_client(
            concat!("gox/", env!("CARGO_PKG_VERSION")),
            &self.env,
        )?)
    }

    pub fn feed_client(&self, source: &SourceArgs) -> Result<FeedClient, CliError> {
        let config_mirror = match &self.config.mirror {
            Some(value) => {
                let key = format!("{}: mirror", self.layout.config_file().display());
                Some(MirrorList::parse(&key, value)?)
            }
            None => None,
        };
        let sources = Sources::from_env(&self.env, source.mirror.as_ref(), config_mirror.as_ref())?;
        Ok(FeedClient::new(
            self.http()?,
            sources,
            self.layout.cache().to_path_buf(),
            std::time::Duration::from_secs(self.config.feed_ttl_secs),
        )
        .with_retry(self.retry_policy()?))
    }

    /// Retries and timeouts for every GET: config keys, then GOX_RETRIES / GOX_DEADLINE /
    /// GOX_STALL_TIMEOUT.
    pub fn retry_policy(&self) -> Result<RetryPolicy, CliError> {
        Ok(RetryPolicy::from_settings(&self.env, &self.config)?)
    }

    /// The install pipeline with this machine's settings (HTTP client, retries, progress).
    pub fn installer(&self) -> Result<gox_installer::Installer<'_>, CliError> {
        Ok(gox_installer::Installer {
            layout: &self.layout,
            client: self.http()?,
            progress: self.progress(),
            limits: Limits::default(),
            retry: self.retry_policy()?,
        })
    }

    /// Loads the feed per `--offline` / `--refresh`, printing any notice (stale cache).
    pub async fn load_feed(
        &self,
        client: &FeedClient,
        source: &SourceArgs,
    ) -> Result<Loaded, CliError> {
        let policy = if source.offline {
            FetchPolicy::Offline
        } else if source.refresh {
            FetchPolicy::Refresh
        } else {
            FetchPolicy::PreferCache
        };
        let loaded = client.load(policy).await?;
        if let Some(notice) = &loaded.notice {
            gox_core::say!("gox: {notice}");
        }
        Ok(loaded)
    }
}
