//! Exit codes are part of gox's contract (DESIGN.md, "Commands"): scripts branch on them.

/// The process exit status for an outcome.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExitStatus {
    Ok = 0,
    Error = 1,
    Usage = 2,
    /// Refused: the binary is for another architecture (would run under Rosetta/emulation).
    Refused = 126,
    /// No toolchain selected or installed.
    NoToolchain = 127,
}

impl ExitStatus {
    pub fn code(self) -> i32 {
        self as i32
    }
}
