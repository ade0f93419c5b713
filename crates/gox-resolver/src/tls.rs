//! Extra trust anchors from `SSL_CERT_FILE` / `SSL_CERT_DIR`.
//!
//! gox trusts the Mozilla roots compiled in (webpki-roots), not the OS store: reading the
//! macOS keychain needs the Security framework, which cannot be linked when cross-building
//! from Linux (docs/architecture.md, "Decisions"). Users behind a TLS-inspecting proxy
//! trust their company CA the way OpenSSL, curl, Python and Go tools let them: a PEM file
//! in `SSL_CERT_FILE`, or a directory of PEM files in `SSL_CERT_DIR` (several joined like
//! PATH). Unlike OpenSSL these add to the bundled roots instead of replacing them, so
//! pointing them at the company CA alone keeps go.dev reachable without the proxy too.

use std::path::Path;

use gox_core::Environment;

use crate::error::ResolveError;

/// The certificates `SSL_CERT_FILE` and `SSL_CERT_DIR` name (none when both are unset).
/// A variable that is set but unreadable, or holds no PEM certificate, is an error naming
/// it: silently ignoring it would turn into a baffling "unknown issuer" later.
pub fn extra_root_certificates(
    env: &Environment,
) -> Result<Vec<reqwest::Certificate>, ResolveError> {
    let mut certs = Vec::new();
    if let Some(file) = env.var("SSL_CERT_FILE") {
        let found = pem_certificates(Path::new(file))
            .map_err(|reason| setting("SSL_CERT_FILE", file, reason))?;
        if found.is_empty() {
            return Err(setting("SSL_CERT_FILE", file, no_pem(file)));
        }
        certs.extend(found);
    }
    if let Some(dirs) = env.var("SSL_CERT_DIR") {
        for dir in std::env::split_paths(dirs).filter(|d| !d.as_os_str().is_empty()) {
            let before = certs.len();
            let entries = std::fs::read_dir(&dir).map_err(|e| {
                setting(
                    "SSL_CERT_DIR",
                    dirs,
                    format!("cannot read {}: {e}", dir.display()),
                )
            })?;
            let mut files: Vec<_> = entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.is_file())
                .collect();
            files.sort();
            for file in files {
                // Hash links, README files and the like sit next to the certificates.
                certs.extend(pem_certificates(&file).unwrap_or_default());
            }
            if certs.len() == before {
                return Err(setting("SSL_CERT_DIR", dirs, no_pem(dir.display())));
            }
        }
    }
    Ok(certs)
}

/// Every `CERTIFICATE` block of a PEM file (other blocks, e.g. keys, are skipped).
fn pem_certificates(path: &Path) -> Result<Vec<reqwest::Certificate>, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    if !bytes.windows(11).any(|w| w == b"-----BEGIN ") {
        return Ok(Vec::new());
    }
    reqwest::Certificate::from_pem_bundle(&bytes).map_err(|e| {
        format!(
            "{}: not a valid PEM certificate bundle ({e})",
            path.display()
        )
    })
}

fn no_pem(what: impl std::fmt::Display) -> String {
    format!("no PEM certificate (-----BEGIN CERTIFICATE-----) in {what}")
}

fn setting(name: &str, value: &str, reason: String) -> ResolveError {
    ResolveError::Setting {
        name: name.to_string(),
        value: value.to_string(),
        reason,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A self-signed certificate (any valid one will do: only parsing is tested here;
    /// crates/gox/tests/tls.rs proves the trust end to end).
    const CERT: &str = "-----BEGIN CERTIFICATE-----
MIIBgDCCASegAwIBAgIUAWbUvA+SazEy99MyAuqBjHLLsHcwCgYIKoZIzj0EAwIw
FjEUMBIGA1UEAwwLZ294IHRlc3QgY2EwHhcNMjYxMjAxMDQ1MDQ1WhcNMzYxMTI4
MDQ1MDQ1WjAWMRQwEgYDVQQDDAtnb3ggdGVzdCBjYTBZMBMGByqGSM49AgEGCCqG
SM49AwEHA0IABBSLY+yTeV5SZmGjijKgBRndkaZF7bFDgccpGJswbMVUoxRLOqXy
JErKOat+fTPUsbo/DXvv/IG8u4N21o7ke4KjUzBRMB0GA1UdDgQWBBQadKlRmwL2
XCU58YwBY3fgt2arMzAfBgNVHSMEGDAWgBQadKlRmwL2XCU58YwBY3fgt2arMzAP
BgNVHRMBAf8EBTADAQH/MAoGCCqGSM49BAMCA0cAMEQCICRNNyYrwtQ2jJXuqfTw
dZfyY3XA5ApQlP819PE2h/mYAiAV62rGauW80WlHVeD/y8g9xLvXoFGddddyqcrB
mkGoQQ==
-----END CERTIFICATE-----
";

    fn env(vars: &[(&str, &Path)]) -> Environment {
        Environment::fake("/", vars.iter().map(|(k, v)| (*k, v.as_os_str())))
    }

    #[test]
    fn unset_variables_add_nothing() {
        assert!(extra_root_certificates(&env(&[])).unwrap().is_empty());
    }

    #[test]
    fn file_and_dir_certificates_are_loaded() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("company.pem");
        std::fs::write(&file, format!("{CERT}{CERT}")).unwrap();
        std::fs::write(dir.path().join("README"), "not a certificate").unwrap();
        let from_file = extra_root_certificates(&env(&[("SSL_CERT_FILE", &file)])).unwrap();
        assert_eq!(from_file.len(), 2);
        let from_dir = extra_root_certificates(&env(&[("SSL_CERT_DIR", dir.path())])).unwrap();
        assert_eq!(from_dir.len(), 2);
    }

    #[test]
    fn a_set_but_useless_variable_is_an_error_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("missing.pem");
        let err = extra_root_certificates(&env(&[("SSL_CERT_FILE", &missing)])).unwrap_err();
        assert!(err.to_string().contains("SSL_CERT_FILE"), "{err}");
        assert!(err.to_string().contains("missing.pem"), "{err}");
        let text = dir.path().join("notes.txt");
        std::fs::write(&text, "hello").unwrap();
        let err = extra_root_certificates(&env(&[("SSL_CERT_FILE", &text)])).unwrap_err();
        assert!(err.to_string().contains("no PEM certificate"), "{err}");
        let err = extra_root_certificates(&env(&[("SSL_CERT_DIR", dir.path())])).unwrap_err();
        assert!(err.to_string().contains("SSL_CERT_DIR"), "{err}");
    }
}
