//! The `gox` command line as a library: its clap definition ([`cli`]), shell completion
//! ([`completion`]) and man pages ([`man`]). The `gox` binary parses with it; `cargo xtask
//! completions|man` and the staleness tests generate from it, so the checked-in files and
//! the binary can never describe different command lines.

pub mod build_info;
pub mod cli;
pub mod completion;
pub mod man;
