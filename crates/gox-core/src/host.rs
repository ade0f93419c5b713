//! The host: the platform of the *hardware*, which is not always the platform gox was built
//! for. An x86_64 gox started under Rosetta 2 on an Apple Silicon Mac must still install
//! darwin/arm64 Go. All decisions are pure functions of [`Probe`] values; only
//! [`probe`] touches the operating system.

use std::fmt;

use crate::environment::Environment;
use crate::platform::{Platform, PlatformError};

/// What the operating system told us about this process.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Probe {
    /// `sysctl.proc_translated`: `Some(true)` under Rosetta, `Some(false)` native on Apple
    /// Silicon, `None` where the sysctl does not exist (Intel Macs, other systems).
    pub proc_translated: Option<bool>,
    /// Whether the parent process runs translated (an `arch -x86_64` shell).
    pub parent_translated: bool,
    /// Windows on ARM running this x64 build under emulation.
    pub windows_arm64_emulated: bool,
}

/// The host platform and how this process and its parent run on it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Host {
    pub platform: Platform,
    /// This process runs under binary translation (Rosetta 2, or x64 emulation on ARM).
    pub translated: bool,
    /// The parent process (usually the shell) runs under Rosetta: a native `go` started
    /// from it inherits an x86_64 `uname -m` and cgo builds break.
    pub parent_translated: bool,
    /// The host came from `GOX_DEBUG_HOST`, not from the machine.
    pub simulated: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HostError {
    #[error(
        "GOX_DEBUG_HOST={value:?}: {source}; expected os/arch[,translated], e.g. darwin/arm64,translated"
    )]
    DebugHost {
        value: String,
        source: PlatformError,
    },
    #[error("GOX_DEBUG_HOST={value:?}: unknown flag `{flag}`; the only flag is `translated`")]
    DebugHostFlag { value: String, flag: String },
}

/// Decides the host from the platform gox was built for and what the OS reported.
pub fn decide(build: &Platform, probe: Probe) -> Host {
    let translated_mac = build.os() == "darwin" && probe.proc_translated == Some(true);
    let emulated_win = build.os() == "windows" && probe.windows_arm64_emulated;
    let platform = if (translated_mac || emulated_win) && build.arch() == "amd64" {
        Platform::new(build.os(), "arm64").expect("known platform")
    } else {
        build.clone()
    };
    Host {
        platform,
        translated: translated_mac || emulated_win,
        parent_translated: probe.parent_translated,
        simulated: false,
    }
}

/// Parses `GOX_DEBUG_HOST=os/arch[,translated]`.
pub fn parse_debug_host(value: &str) -> Result<Host, HostError> {
    let mut parts = value.split(',').map(str::trim);
    let platform: Platform =
        parts
            .next()
            .unwrap_or_default()
            .parse()
            .map_err(|source| HostError::DebugHost {
                value: value.to_string(),
                source,
            })?;
    let mut host = Host {
        platform,
        translated: false,
        parent_translated: false,
        simulated: true,
    };
    for flag in parts {
        match flag {
            "translated" => host.translated = true,
            "parent-translated" => host.parent_translated = true,
            other => {
                return Err(HostError::DebugHostFlag {
                    value: value.to_string(),
                    flag: other.to_string(),
                });
            }
        }
    }
    Ok(host)
}

/// The host for this process: `GOX_DEBUG_HOST` when set, else the real machine.
pub fn detect(env: &Environment) -> Result<Host, HostError> {
    match env.var("GOX_DEBUG_HOST") {
        Some(value) => parse_debug_host(value),
        None => Ok(decide(&Platform::build_target(), probe(env))),
    }
}

/// Asks the operating system how this process runs.
pub fn probe(env: &Environment) -> Probe {
    let _ = env;
    Probe {
        proc_translated: sys::proc_translated(),
        parent_translated: sys::parent_translated(),
        windows_arm64_emulated: windows_emulated(
            env.var("PROCESSOR_ARCHITECTURE"),
            env.var("PROCESSOR_ARCHITEW6432"),
            env.var("PROCESSOR_IDENTIFIER"),
        ),
    }
}

/// An x64 process on Windows on ARM sees `PROCESSOR_ARCHITECTURE=AMD64`, but the machine's
/// identifier still names the ARM CPU.
pub fn windows_emulated(arch: Option<&str>, wow: Option<&str>, identifier: Option<&str>) -> bool {
    let is_arm = |v: Option<&str>| v.is_some_and(|v| v.eq_ignore_ascii_case("ARM64"));
    if is_arm(wow) {
        return true;
    }
    arch.is_some_and(|a| a.eq_ignore_ascii_case("AMD64"))
        && identifier.is_some_and(|i| i.to_ascii_uppercase().starts_with("ARM"))
}

impl fmt::Display for Host {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.platform)?;
        if self.translated {
            f.write_str(" (this process runs translated)")?;
        }
        Ok(())
    }
}

/// The macOS route for Go releases older than 1.16, which have no darwin/arm64 build.
pub fn no_native_build_hint(version: &str, host: &Platform) -> Option<String> {
    (host.os() == "darwin" && host.arch() == "arm64").then(|| {
        format!(
            "Go {version} has no darwin/arm64 build (Apple Silicon support began with Go 1.16). \
             To run it under Rosetta 2 on purpose: `gox install {version} --platform darwin/amd64` \
             and set GOX_ALLOW_ROSETTA=1, or use Go 1.16 or newer."
        )
    })
}

#[cfg(target_os = "macos")]
mod sys {
    use std::ffi::CStr;

    /// `P_TRANSLATED` in `kp_proc.p_flag` (sys/proc.h).
    const P_TRANSLATED: i32 = 0x0002_0000;

    pub fn proc_translated() -> Option<bool> {
        let name: &CStr = c"sysctl.proc_translated";
        let mut value: libc::c_int = 0;
        let mut len = std::mem::size_of::<libc::c_int>();
        // SAFETY: name is NUL-terminated; value/len describe a valid c_int buffer.
        let rc = unsafe {
            libc::sysctlbyname(
                name.as_ptr(),
                (&raw mut value).cast(),
                &mut len,
                std::ptr::null_mut(),
                0,
            )
        };
        // ENOENT: the sysctl does not exist, i.e. an Intel Mac.
        (rc == 0).then_some(value == 1)
    }

    /// `sizeof(struct kinfo_proc)` on 64-bit macOS; `kp_proc.p_flag` sits at offset 32
    /// (after the p_un union, p_vmspace and p_sigacts). libc does not bind kinfo_proc for
    /// Apple targets, and only this one field is needed.
    const KINFO_PROC_SIZE: usize = 648;
    const P_FLAG_OFFSET: usize = 32;

    pub fn parent_translated() -> bool {
        // SAFETY: getppid has no preconditions.
        let ppid = unsafe { libc::getppid() };
        let mut mib = [libc::CTL_KERN, libc::KERN_PROC, libc::KERN_PROC_PID, ppid];
        let mut info = [0u8; KINFO_PROC_SIZE];
        let mut len = KINFO_PROC_SIZE;
        // SAFETY: mib has 4 valid entries; info/len describe a valid, writable buffer.
        let rc = unsafe {
            libc::sysctl(
                mib.as_mut_ptr(),
                mib.len() as libc::c_uint,
                info.as_mut_ptr().cast(),
                &mut len,
                std::ptr::null_mut(),
                0,
            )
        };
        if rc != 0 || len < P_FLAG_OFFSET + 4 {
            return false;
        }
        let flag = [
            info[P_FLAG_OFFSET],
            info[P_FLAG_OFFSET + 1],
            info[P_FLAG_OFFSET + 2],
            info[P_FLAG_OFFSET + 3],
        ];
        i32::from_ne_bytes(flag) & P_TRANSLATED != 0
    }
}

#[cfg(not(target_os = "macos"))]
mod sys {
    pub fn proc_translated() -> Option<bool> {
        None
    }

    pub fn parent_translated() -> bool {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Platform {
        s.parse().unwrap()
    }

    #[test]
    fn rosetta_means_arm64_host() {
        let probe = Probe {
            proc_translated: Some(true),
            ..Probe::default()
        };
        let host = decide(&p("darwin/amd64"), probe);
        assert_eq!(host.platform, p("darwin/arm64"));
        assert!(host.translated);
    }

    #[test]
    fn intel_mac_and_native_arm_mac() {
        let intel = decide(&p("darwin/amd64"), Probe::default());
        assert_eq!(intel.platform, p("darwin/amd64"));
        assert!(!intel.translated);
        let native = Probe {
            proc_translated: Some(false),
            ..Probe::default()
        };
        assert_eq!(
            decide(&p("darwin/arm64"), native).platform,
            p("darwin/arm64")
        );
    }

    #[test]
    fn translated_flag_is_ignored_off_macos() {
        let probe = Probe {
            proc_translated: Some(true),
            ..Probe::default()
        };
        assert_eq!(decide(&p("linux/amd64"), probe).platform, p("linux/amd64"));
    }

    #[test]
    fn windows_on_arm_emulation() {
        assert!(windows_emulated(
            Some("AMD64"),
            None,
            Some("ARMv8 (64-bit) Family 8")
        ));
        assert!(windows_emulated(Some("x86"), Some("ARM64"), None));
        assert!(!windows_emulated(
            Some("AMD64"),
            None,
            Some("Intel64 Family 6")
        ));
        let probe = Probe {
            windows_arm64_emulated: true,
            ..Probe::default()
        };
        assert_eq!(
            decide(&p("windows/amd64"), probe).platform,
            p("windows/arm64")
        );
    }

    #[test]
    fn debug_host() {
        let h = parse_debug_host("darwin/arm64,translated").unwrap();
        assert_eq!(h.platform, p("darwin/arm64"));
        assert!(h.translated && h.simulated && !h.parent_translated);
        assert!(
            parse_debug_host("darwin/arm64,parent-translated")
                .unwrap()
                .parent_translated
        );
        assert!(matches!(
            parse_debug_host("darwin"),
            Err(HostError::DebugHost { .. })
        ));
        assert!(matches!(
            parse_debug_host("darwin/arm64,bogus"),
            Err(HostError::DebugHostFlag { .. })
        ));
    }

    #[test]
    fn detect_honours_debug_host() {
        let env = Environment::fake("/", [("GOX_DEBUG_HOST", "linux/arm64")]);
        assert_eq!(detect(&env).unwrap().platform, p("linux/arm64"));
    }

    #[test]
    fn old_go_on_apple_silicon_names_the_amd64_route() {
        let hint = no_native_build_hint("1.15.15", &p("darwin/arm64")).unwrap();
        assert!(hint.contains("--platform darwin/amd64"));
        assert!(no_native_build_hint("1.15.15", &p("linux/amd64")).is_none());
    }
}
