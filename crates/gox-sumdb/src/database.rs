//! `GOSUMDB`, parsed as cmd/go's `modfetch.dbDial` does.

use crate::SumdbError;

/// sum.golang.org's verifier key, as built into cmd/go (`modfetch/key.go`, `knownGOSUMDB`).
pub const SUM_GOLANG_ORG_KEY: &str =
    "sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8";

/// Which checksum database to ask, and with which key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Database {
    /// The key's name: `sum.golang.org`.
    pub name: String,
    /// The full verifier key `name+hash+key`.
    pub key: String,
    /// An explicit URL from `GOSUMDB="key url"`: used directly, bypassing proxies (as cmd/go).
    pub url: Option<String>,
}

impl Database {
    /// Parses `GOSUMDB`: `""` (the default, sum.golang.org), `sum.golang.google.cn` (an alias
    /// of sum.golang.org reachable from mainland China), a known name, or `name+hash+key`,
    /// each optionally followed by a URL. `off` is [`SumdbError::Disabled`].
    pub fn from_gosumdb(value: &str) -> Result<Self, SumdbError> {
        let invalid = |detail: &str| SumdbError::InvalidGosumdb {
            value: value.to_string(),
            detail: detail.to_string(),
        };
        let mut gosumdb = value.trim();
        if gosumdb.is_empty() {
            gosumdb = "sum.golang.org";
        }
        if gosumdb == "sum.golang.google.cn" {
            gosumdb = "sum.golang.org https://sum.golang.google.cn";
        }
        if gosumdb == "off" {
            return Err(SumdbError::Disabled);
        }
        let fields: Vec<&str> = gosumdb.split_whitespace().collect();
        if fields.len() > 2 {
            return Err(invalid("too many fields (want `name+hash+key [url]`)"));
        }
        let key = match fields[0] {
            "sum.golang.org" => SUM_GOLANG_ORG_KEY,
            k => k,
        };
        let verifier = signed_note::StandardVerifier::new(key).map_err(|e| {
            invalid(&format!(
                "{e} (want a known name like sum.golang.org, or a verifier key `name+hash+key`)"
            ))
        })?;
        let name = signed_note::Verifier::name(&verifier).to_string();
        // No funny business in the name: it becomes `https://<name>`.
        if name.is_empty()
            || name.ends_with('/')
            || name.contains(['?', '#', '@', ' ', '\\'])
            || name.starts_with('/')
        {
            return Err(invalid("the database name must be host[/path]"));
        }
        // Trailing slashes go before the check: `https://` alone must not become `https:`.
        let url = match fields.get(1).map(|u| (u, u.trim_end_matches('/'))) {
            Some((_, u))
                if u.split_once("://")
                    .is_some_and(|(s, r)| !s.is_empty() && !r.is_empty()) =>
            {
                Some(u.to_string())
            }
            Some((u, _)) => return Err(invalid(&format!("the URL {u:?} has no scheme or host"))),
            None => None,
        };
        Ok(Database {
            name,
            key: key.to_string(),
            url,
        })
    }

    /// Where the database lives when no proxy serves it: the explicit URL, else
    /// `https://<name>`.
    pub fn direct_url(&self) -> String {
        self.url
            .clone()
            .unwrap_or_else(|| format!("https://{}", self.name))
    }

    pub(crate) fn verifier(&self) -> signed_note::StandardVerifier {
        signed_note::StandardVerifier::new(&self.key).expect("validated in from_gosumdb")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gosumdb_table() {
        let d = Database::from_gosumdb("").unwrap();
        assert_eq!(
            (d.name.as_str(), d.key.as_str(), d.url),
            ("sum.golang.org", SUM_GOLANG_ORG_KEY, None)
        );
        let d = Database::from_gosumdb("sum.golang.org").unwrap();
        assert_eq!(d.direct_url(), "https://sum.golang.org");
        let d = Database::from_gosumdb("sum.golang.google.cn").unwrap();
        assert_eq!(d.name, "sum.golang.org");
        assert_eq!(d.direct_url(), "https://sum.golang.google.cn");
        let d = Database::from_gosumdb(&format!("{SUM_GOLANG_ORG_KEY} http://127.0.0.1:9/db/"))
            .unwrap();
        assert_eq!(d.direct_url(), "http://127.0.0.1:9/db");
        assert!(matches!(
            Database::from_gosumdb("off"),
            Err(SumdbError::Disabled)
        ));
        for bad in [
            "a b c",
            "example.com",
            "sum.golang.org+033de0ae+AAAA",
            "sum.golang.org 127.0.0.1:9",
            // Found by the sumdb fuzz target's round trip: these became the URLs `https:`
            // and `a:`, which are not URLs and do not parse back.
            "sum.golang.org https://",
            "sum.golang.org a:///",
            "sum.golang.org ://x",
        ] {
            assert!(
                matches!(
                    Database::from_gosumdb(bad),
                    Err(SumdbError::InvalidGosumdb { .. })
                ),
                "{bad}"
            );
        }
    }

    #[test]
    fn builtin_key_hash_is_the_key_id() {
        // The hash field is the first 4 bytes of SHA-256(name "\n" 0x01 pubkey).
        let v = signed_note::StandardVerifier::new(SUM_GOLANG_ORG_KEY).unwrap();
        assert_eq!(signed_note::Verifier::key_id(&v), 0x033de0ae);
    }
}
