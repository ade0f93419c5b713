//! Messages to stderr, each in a single `write`.
//!
//! `eprintln!` goes through an unbuffered stderr and writes every piece of a formatted
//! message on its own: "Go 1.22.10 (linux/amd64) is selected by … but not installed" took 15
//! writes. Under `make -j`, `go test ./...` or a CI runner's parallel steps, other processes'
//! output then lands inside gox's messages. Formatting first and writing once keeps each
//! message whole (a pipe delivers a write of up to `PIPE_BUF` bytes in one piece).

use std::fmt::Display;
use std::io::Write;

/// Writes `message` and a newline to stderr at once.
pub fn line(message: impl Display) {
    let text = format!("{message}\n");
    // When stderr is gone there is nobody left to tell.
    let _ = std::io::stderr().write_all(text.as_bytes());
}

/// `eprintln!`, but the message reaches stderr in one `write` ([`line`]).
#[macro_export]
macro_rules! say {
    ($($arg:tt)*) => {
        $crate::stderr::line(::std::format_args!($($arg)*))
    };
}
