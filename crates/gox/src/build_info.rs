//! What a release build stamps into the binary (see DESIGN.md, "Distribution").
//!
//! `cargo xtask dist` sets these variables when it compiles; a plain `cargo build` leaves
//! them unset. `option_env!` makes cargo rebuild when they change, so an "older" and a
//! "newer" release can be built from one tree (the self-update tests do exactly that).

/// The version `gox --version` prints: `GOX_BUILD_VERSION`, else the crate version.
pub const VERSION: &str = match option_env!("GOX_BUILD_VERSION") {
    Some(v) => v,
    None => env!("CARGO_PKG_VERSION"),
};

/// The minisign public key (the base64 line of a `.pub` file) that `gox self update`
/// trusts for `manifest.json.minisig`. `None` for builds not made by `cargo xtask dist`:
/// they cannot self-update and say so.
pub const UPDATE_PUBLIC_KEY: Option<&str> = option_env!("GOX_DIST_PUBLIC_KEY");
