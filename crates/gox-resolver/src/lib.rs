//! gox-resolver: what to download and from where.
//!
//! The go.dev JSON feed ([`feed`]) says which releases exist, which files they have and
//! their SHA-256; [`source`] decides where the feed and the archives come from and which
//! URLs are acceptable; [`fetch`] gets the feed over HTTP with the on-disk [`cache`]
//! (TTL, conditional GET, stale fallback when offline); [`retry`] is the retry policy
//! every GET (feed and archives) goes through. [`goproxy`] is the other source:
//! `golang.org/toolchain` through `GOPROXY`, trusted through the checksum database; its
//! `direct` entry follows the module's go-import tag ([`goimport`] reads the page,
//! [`direct`] fetches it) to the module proxy it names.

pub mod cache;
pub mod direct;
pub mod error;
pub mod feed;
pub mod fetch;
pub mod goimport;
pub mod goproxy;
pub mod retry;
pub mod source;
pub mod tls;

pub use cache::cached_feed;
pub use error::{NoBuild, ResolveError};
pub use feed::{Feed, File, FileKind, Release};
pub use fetch::{DEFAULT_TTL, FeedClient, FetchPolicy, Loaded, MAX_FEED_BYTES, http_client};
pub use retry::RetryPolicy;
pub use source::{MIRRORS, Sources, check_url};
