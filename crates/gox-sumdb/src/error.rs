use std::path::PathBuf;

/// Why a checksum database check failed. `SECURITY ERROR` variants mean the database or a
/// proxy served something inconsistent with what it signed or with what this machine saw
/// before: never retry those around, report them.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SumdbError {
    #[error(
        "the checksum database is disabled (GOSUMDB=off), and toolchains are never installed unverified: \
         unset GOSUMDB (default sum.golang.org), or pass --insecure-skip-sumdb to install without it"
    )]
    Disabled,
    #[error("invalid GOSUMDB {value:?}: {detail}")]
    InvalidGosumdb { value: String, detail: String },
    #[error("module zip hash: {0}")]
    Dirhash(String),
    #[error("checksum database {name}: {url}: {detail}")]
    Remote {
        name: String,
        url: String,
        detail: String,
    },
    #[error(
        "checksum database {name} has no record of {module}@{version} ({url} answered not found): \
         the toolchain cannot be verified, so it is not installed"
    )]
    MissingRecord {
        name: String,
        module: String,
        version: String,
        url: String,
    },
    #[error("checksum database {name}: malformed {what} from {url}: {detail}")]
    Malformed {
        name: String,
        what: &'static str,
        url: String,
        detail: String,
    },
    #[error(
        "SECURITY ERROR: checksum database {name}: the signed tree note from {url} does not verify \
         with the key {key}: {detail}"
    )]
    BadSignature {
        name: String,
        url: String,
        key: String,
        detail: String,
    },
    #[error("{0}")]
    Fork(Box<Fork>),
    #[error(
        "SECURITY ERROR: checksum database {name}: record {id} for {module}@{version} is not in the \
         signed tree of size {tree_size}: {detail}"
    )]
    NotIncluded {
        name: String,
        module: String,
        version: String,
        id: u64,
        tree_size: u64,
        detail: String,
    },
    #[error("{0}")]
    Mismatch(Box<Mismatch>),
    #[error("checksum database state {path}: {source}")]
    State {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// The tree a database serves now does not extend the one verified before.
#[derive(Debug, thiserror::Error)]
#[error(
    "SECURITY ERROR: checksum database {name} forked: the tree it serves now (size {new_size}, \
     hash {new_hash}) is not an extension of the tree this machine verified before (size {old_size}, \
     hash {old_hash}, stored in {latest}). Someone may be serving you a different history; \
     do not trust this database or proxy until the cause is known (see docs/sources.md)"
)]
pub struct Fork {
    pub name: String,
    pub old_size: u64,
    pub old_hash: String,
    pub new_size: u64,
    pub new_hash: String,
    pub latest: PathBuf,
}

/// The downloaded zip does not hash to what the database recorded.
#[derive(Debug, thiserror::Error)]
#[error(
    "SECURITY ERROR: checksum mismatch for {module}@{version}\n  downloaded: {actual} (from {source_url})\n  {name}: {expected}\n\
     The zip differs from the one the checksum database recorded: the proxy served different \
     bytes. Nothing was installed"
)]
pub struct Mismatch {
    pub name: String,
    pub module: String,
    pub version: String,
    pub expected: String,
    pub actual: String,
    pub source_url: String,
}
