//! gox plan records: what the `go` shim's planner observed and what the replayer execs.
//!
//! The planner (std) decides which toolchain to run and records every variable it read and
//! every path it stat'ed; the replayer (`no_std`, no allocator) re-checks each observation
//! with one lookup or one `stat` and, if all still hold, execs the recorded program. Both
//! sides use this crate so the format has one implementation.
//!
//! Nothing here allocates: the crate has no features and never links `alloc`, because the
//! planner and the allocator-free replayer are built from one package and cargo would unify
//! any `std` feature into both. The writer, [`encode`], fills a caller's buffer (the planner
//! passes one of [`MAX_BYTES`]); everything the replayer calls ([`Record::parse`], the
//! accessors, [`Record::holds`], [`file_name`], [`entry_name`]) also neither panics nor
//! formats, as the replayer must stay small. [`Record::parse`] validates the whole record
//! once, so the iterators afterwards cannot meet a malformed state (if they did, they would
//! just end).
#![no_std]

#[cfg(test)]
extern crate std;

/// Bumped whenever the format or its meaning changes; part of the magic.
pub const MAGIC: [u8; 8] = *b"goxplan2";

/// The directory, inside the shims directory, holding the records (named by [`file_name`]).
pub const PLANS_DIR: &str = ".plans";

/// The link, inside the shims directory, to gox, which the replayer runs as its planner.
pub const PLANNER_LINK: &str = ".gox";

/// The largest record: the replayer reads into a stack buffer this big, so the planner does
/// not write larger ones (the replayer would find them truncated and re-plan every time).
pub const MAX_BYTES: usize = 4096;

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

/// FNV-1a 64 continued from `hash`: tiny and allocation-free, and enough to catch torn or
/// corrupted files (not an adversary: whoever can write the record can write the checksum).
fn fnv1a(mut hash: u64, bytes: &[u8]) -> u64 {
    for &b in bytes {
        hash = (hash ^ u64::from(b)).wrapping_mul(FNV_PRIME);
    }
    hash
}

/// The record's checksum: FNV-1a's step over little-endian 8-byte words (the tail byte by
/// byte). A byte at a time, the multiplications of a 1.5 KB record were a chain of ~1500
/// that every replayed `go` waited for; this is an eighth of it, and catches the same torn
/// or corrupted files.
fn checksum(bytes: &[u8]) -> u64 {
    let mut words = bytes.chunks_exact(8);
    let mut hash = FNV_OFFSET;
    for word in words.by_ref() {
        let word: [u8; 8] = word.try_into().unwrap_or_default();
        hash = (hash ^ u64::from_le_bytes(word)).wrapping_mul(FNV_PRIME);
    }
    fnv1a(hash, words.remainder())
}

/// The record's file name for a working directory and a tool: FNV-1a 64 of `cwd`, one 0
/// byte, `tool`, as 16 lowercase hex digits.
pub fn file_name(cwd: &[u8], tool: &[u8]) -> [u8; 16] {
    // The 0 byte keeps ("/a", "bgo") and ("/ab", "go") apart; paths cannot contain it.
    let mut hash = fnv1a(fnv1a(fnv1a(FNV_OFFSET, cwd), &[0]), tool);
    let mut out = [0u8; 16];
    for digit in out.iter_mut().rev() {
        let nibble = (hash & 0xf) as u8;
        *digit = if nibble < 10 {
            b'0' + nibble
        } else {
            b'a' + nibble - 10
        };
        hash >>= 4;
    }
    out
}

/// What `stat` (following symlinks) said about a path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Identity {
    /// `st_dev`.
    pub dev: u64,
    /// `st_ino`.
    pub ino: u64,
    /// `st_mode` (type and permissions: a file turned directory or lost `x` is a change).
    pub mode: u32,
    /// `st_size`.
    pub size: u64,
    /// `st_mtime` seconds.
    pub mtime_sec: i64,
    /// `st_mtime` nanoseconds.
    pub mtime_nsec: u32,
    /// `st_ctime` seconds (catches edits that restore mtime, e.g. `touch -r`).
    pub ctime_sec: i64,
    /// `st_ctime` nanoseconds.
    pub ctime_nsec: u32,
}

/// Whether a path existed when observed, and what it was.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Seen {
    /// `stat` failed with ENOENT or ENOTDIR.
    Absent,
    /// `stat` succeeded.
    Present(Identity),
}

/// One thing the plan depended on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Observation<'a> {
    /// An environment variable: its raw value, or None when it was unset.
    Var {
        /// The variable's name (non-empty, without `=`).
        name: &'a [u8],
        /// Its raw value, None when unset.
        value: Option<&'a [u8]>,
    },
    /// A path, as passed to stat.
    Path {
        /// The path, without its NUL.
        path: &'a [u8],
        /// What `stat` said.
        seen: Seen,
    },
}

/// How the replayer sees the world now.
pub trait World {
    /// The variable's raw value (first occurrence in the environment block), None when unset.
    fn var(&self, name: &[u8]) -> Option<&[u8]>;
    /// `stat` of `path_nul` (the path followed by its NUL byte, ready for a syscall).
    /// Ok(Absent) for ENOENT/ENOTDIR, Err(()) for any other failure.
    #[allow(clippy::result_unit_err)] // which failure it was changes nothing: rerun the planner
    fn stat(&mut self, path_nul: &[u8]) -> Result<Seen, ()>;
}

/// Why bytes are not a record (the replayer then runs the planner).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Malformed;

/// A cursor over untrusted bytes: every read is bounds-checked and None past the end.
#[derive(Clone, Copy, Debug)]
struct Reader<'a> {
    rest: &'a [u8],
}

impl<'a> Reader<'a> {
    fn array<const N: usize>(&mut self) -> Option<[u8; N]> {
        let (head, rest) = self.rest.split_first_chunk::<N>()?;
        self.rest = rest;
        Some(*head)
    }
    fn u32(&mut self) -> Option<u32> {
        self.array().map(u32::from_le_bytes)
    }
    fn u64(&mut self) -> Option<u64> {
        self.array().map(u64::from_le_bytes)
    }
    fn i64(&mut self) -> Option<i64> {
        self.array().map(i64::from_le_bytes)
    }
    /// A string with its NUL: the form syscalls take, so the replayer never copies.
    fn string_nul(&mut self) -> Option<&'a [u8]> {
        let len = usize::try_from(self.u32()?).ok()?;
        let (with_nul, rest) = self.rest.split_at_checked(len.checked_add(1)?)?;
        let (&nul, content) = with_nul.split_last()?;
        // An interior NUL would silently cut the string short in the syscall.
        if nul != 0 || content.contains(&0) {
            return None;
        }
        self.rest = rest;
        Some(with_nul)
    }
    fn string(&mut self) -> Option<&'a [u8]> {
        self.string_nul().map(strip_nul)
    }
}

fn strip_nul(with_nul: &[u8]) -> &[u8] {
    with_nul
        .split_last()
        .map_or(with_nul, |(_, content)| content)
}

/// A variable name the environment can hold and a lookup can match exactly.
fn is_var_name(name: &[u8]) -> bool {
    !name.is_empty() && !name.contains(&b'=')
}

/// One observation, with its path's NUL-terminated form (empty for variables).
fn observation<'a>(r: &mut Reader<'a>) -> Option<(Observation<'a>, &'a [u8])> {
    let [tag] = r.array()?;
    let var = |name: &'a [u8], value| {
        // The planner never records such names (encode refuses them), and a World may
        // then assume lookups are exact.
        is_var_name(name).then_some((Observation::Var { name, value }, &[][..]))
    };
    match tag {
        b'v' => {
            let name = r.string()?;
            var(name, Some(r.string()?))
        }
        b'u' => var(r.string()?, None),
        b'a' | b'p' => {
            let path_nul = r.string_nul()?;
            let seen = if tag == b'a' {
                Seen::Absent
            } else {
                // Struct fields are evaluated in the order written: the format's order.
                Seen::Present(Identity {
                    dev: r.u64()?,
                    ino: r.u64()?,
                    mode: r.u32()?,
                    size: r.u64()?,
                    mtime_sec: r.i64()?,
                    mtime_nsec: r.u32()?,
                    ctime_sec: r.i64()?,
                    ctime_nsec: r.u32()?,
                })
            };
            let path = strip_nul(path_nul);
            Some((Observation::Path { path, seen }, path_nul))
        }
        _ => None,
    }
}

/// A parsed, fully validated view over a record's bytes (no copies).
#[derive(Clone, Copy, Debug)]
pub struct Record<'a> {
    planner_version: &'a [u8],
    cwd: &'a [u8],
    tool: &'a [u8],
    program_nul: &'a [u8],
    receipt_nul: &'a [u8],
    observation_count: u32,
    /// From the first observation to the end of the body; the count says where they stop.
    observations: &'a [u8],
    child_count: u32,
    children: &'a [u8],
}

impl<'a> Record<'a> {
    /// Validates all of `bytes` (bounds, NULs, tags, counts, names, checksum, no trailing
    /// bytes), so that nothing read from the record afterwards can fail.
    pub fn parse(bytes: &'a [u8]) -> Result<Record<'a>, Malformed> {
        Self::walk(bytes).ok_or(Malformed)
    }

    fn walk(bytes: &'a [u8]) -> Option<Record<'a>> {
        // Checksum first: a torn or foreign file is rejected before anything is trusted.
        let (body, sum) = bytes.split_last_chunk::<8>()?;
        if checksum(body) != u64::from_le_bytes(*sum) {
            return None;
        }
        let mut r = Reader { rest: body };
        if r.array()? != MAGIC {
            return None;
        }
        let planner_version = r.string()?;
        let cwd = r.string()?;
        let tool = r.string()?;
        let program_nul = r.string_nul()?;
        let receipt_nul = r.string_nul()?;
        let observation_count = r.u32()?;
        let observations = r.rest;
        // Each round consumes at least one byte or fails: a huge count cannot loop long.
        for _ in 0..observation_count {
            observation(&mut r)?;
        }
        let child_count = r.u32()?;
        let children = r.rest;
        for _ in 0..child_count {
            entry_name(r.string()?)?;
        }
        r.rest.is_empty().then_some(Record {
            planner_version,
            cwd,
            tool,
            program_nul,
            receipt_nul,
            observation_count,
            observations,
            child_count,
            children,
        })
    }

    /// gox's version that wrote it (the replayer compares it with its own).
    pub fn planner_version(&self) -> &'a [u8] {
        self.planner_version
    }
    /// The physical working directory it was planned for (guards against hash collisions
    /// of [`file_name`]).
    pub fn cwd(&self) -> &'a [u8] {
        self.cwd
    }
    /// The tool the shim ran as: `go`, `gofmt`, ...
    pub fn tool(&self) -> &'a [u8] {
        self.tool
    }
    /// The program to exec, with its trailing NUL (a C string for execve).
    pub fn program_nul(&self) -> &'a [u8] {
        self.program_nul
    }
    /// The toolchain's receipt to lock (in-use mark), with its trailing NUL.
    pub fn receipt_nul(&self) -> &'a [u8] {
        self.receipt_nul
    }
    /// The observations, in recorded order.
    pub fn observations(&self) -> Observations<'a> {
        Observations {
            r: Reader {
                rest: self.observations,
            },
            left: self.observation_count,
        }
    }
    /// The child's variables as `NAME=value` entries, each with its trailing NUL (ready to
    /// be envp pointers).
    pub fn child_entries(&self) -> ChildEntries<'a> {
        ChildEntries {
            r: Reader {
                rest: self.children,
            },
            left: self.child_count,
        }
    }
    /// Whether every observation still holds in `world`, checked in recorded order,
    /// stopping at the first that does not.
    pub fn holds(&self, world: &mut impl World) -> bool {
        let mut observations = self.observations();
        let mut checked = 0u32;
        while let Some((observation, path_nul)) = observations.next_with_path_nul() {
            let holds = match observation {
                Observation::Var { name, value } => world.var(name) == value,
                Observation::Path { seen, .. } => world.stat(path_nul) == Ok(seen),
            };
            if !holds {
                return false;
            }
            checked = checked.wrapping_add(1);
        }
        // Fail closed: an iteration cut short (impossible after parse) proves nothing.
        checked == self.observation_count
    }
}

/// The observations of a [`Record`], in recorded order.
#[derive(Clone, Debug)]
pub struct Observations<'a> {
    r: Reader<'a>,
    left: u32,
}

impl<'a> Observations<'a> {
    fn next_with_path_nul(&mut self) -> Option<(Observation<'a>, &'a [u8])> {
        self.left = self.left.checked_sub(1)?;
        let next = observation(&mut self.r);
        if next.is_none() {
            self.left = 0;
        }
        next
    }
}

impl<'a> Iterator for Observations<'a> {
    type Item = Observation<'a>;
    fn next(&mut self) -> Option<Observation<'a>> {
        self.next_with_path_nul()
            .map(|(observation, _)| observation)
    }
}

/// The child's `NAME=value` entries of a [`Record`], each with its trailing NUL.
#[derive(Clone, Debug)]
pub struct ChildEntries<'a> {
    r: Reader<'a>,
    left: u32,
}

impl<'a> Iterator for ChildEntries<'a> {
    type Item = &'a [u8];
    fn next(&mut self) -> Option<&'a [u8]> {
        self.left = self.left.checked_sub(1)?;
        let next = self.r.string_nul();
        if next.is_none() {
            self.left = 0;
        }
        next
    }
}

/// The name part of a `NAME=value` entry (bytes before the first `=` after the first byte,
/// as glibc splits), None without `=`.
pub fn entry_name(entry: &[u8]) -> Option<&[u8]> {
    // Skipping the first byte keeps Windows-style `=C:=C:\x` names whole, like glibc does.
    let (_, rest) = entry.split_first()?;
    let equals = rest.iter().position(|&b| b == b'=')?;
    entry.get(..=equals)
}

/// Whether `seen`'s times are too recent to trust: mtime or ctime within 2 seconds before
/// `now` (unix seconds, nanoseconds) or after it (a clock skew). A same-size edit within one
/// timestamp tick would keep mtime, ctime and size equal, so such a record must not be
/// written (git's "racily clean" rule). Absent is never racy.
pub fn is_racy(seen: Seen, now_sec: i64, now_nsec: u32) -> bool {
    let Seen::Present(id) = seen else {
        return false;
    };
    // i128 nanoseconds: no overflow for any i64 seconds, no borrow juggling.
    let nanos = |sec: i64, nsec: u32| i128::from(sec) * 1_000_000_000 + i128::from(nsec);
    let now = nanos(now_sec, now_nsec);
    let recent = |sec, nsec| now - nanos(sec, nsec) < 2_000_000_000;
    recent(id.mtime_sec, id.mtime_nsec) || recent(id.ctime_sec, id.ctime_nsec)
}

/// The strings at the head of a record (see [`Record`]'s accessors).
#[derive(Clone, Copy, Debug)]
pub struct Head<'a> {
    /// gox's version (see [`Record::planner_version`]).
    pub planner_version: &'a [u8],
    /// The physical working directory.
    pub cwd: &'a [u8],
    /// The tool: `go`, `gofmt`, ...
    pub tool: &'a [u8],
    /// The program to exec, without NUL.
    pub program: &'a [u8],
    /// The toolchain's receipt to lock, without NUL.
    pub receipt: &'a [u8],
}

/// A cursor over the caller's buffer: every write is bounds-checked and None past the end.
struct Writer<'o> {
    out: &'o mut [u8],
    len: usize,
}

impl Writer<'_> {
    fn bytes(&mut self, bytes: &[u8]) -> Option<()> {
        let end = self.len.checked_add(bytes.len())?;
        self.out.get_mut(self.len..end)?.copy_from_slice(bytes);
        self.len = end;
        Some(())
    }
    fn byte(&mut self, byte: u8) -> Option<()> {
        self.bytes(&[byte])
    }
    /// A length or count, as the format's u32.
    fn count(&mut self, n: usize) -> Option<()> {
        self.bytes(&u32::try_from(n).ok()?.to_le_bytes())
    }
    /// The concatenation of `parts` as one string; None if it holds a NUL or is too long.
    fn string(&mut self, parts: &[&[u8]]) -> Option<()> {
        let len = parts
            .iter()
            .try_fold(0usize, |len, part| len.checked_add(part.len()))?;
        self.count(len)?;
        for part in parts {
            if part.contains(&0) {
                return None;
            }
            self.bytes(part)?;
        }
        self.byte(0)
    }
    fn identity(&mut self, id: &Identity) -> Option<()> {
        // The order `observation` reads them in.
        self.bytes(&id.dev.to_le_bytes())?;
        self.bytes(&id.ino.to_le_bytes())?;
        self.bytes(&id.mode.to_le_bytes())?;
        self.bytes(&id.size.to_le_bytes())?;
        self.bytes(&id.mtime_sec.to_le_bytes())?;
        self.bytes(&id.mtime_nsec.to_le_bytes())?;
        self.bytes(&id.ctime_sec.to_le_bytes())?;
        self.bytes(&id.ctime_nsec.to_le_bytes())
    }
}

/// Writes a record into `out` and returns its length; `None` when it does not fit in `out`
/// (callers pass a [`MAX_BYTES`] buffer), when a string holds a NUL byte (it could not be
/// passed to a syscall), a variable name (observed or child) is empty or holds `=` (it would
/// not read back the same), or a length exceeds u32. After `None`, `out` holds garbage.
pub fn encode(
    head: &Head<'_>,
    observations: &[Observation<'_>],
    child_vars: &[(&[u8], &[u8])],
    out: &mut [u8],
) -> Option<usize> {
    let mut w = Writer { out, len: 0 };
    w.bytes(&MAGIC)?;
    for s in [
        head.planner_version,
        head.cwd,
        head.tool,
        head.program,
        head.receipt,
    ] {
        w.string(&[s])?;
    }
    w.count(observations.len())?;
    for observation in observations {
        match *observation {
            Observation::Var { name, value } => {
                if !is_var_name(name) {
                    return None;
                }
                w.byte(if value.is_some() { b'v' } else { b'u' })?;
                w.string(&[name])?;
                if let Some(value) = value {
                    w.string(&[value])?;
                }
            }
            Observation::Path { path, seen } => {
                w.byte(if seen == Seen::Absent { b'a' } else { b'p' })?;
                w.string(&[path])?;
                if let Seen::Present(id) = seen {
                    w.identity(&id)?;
                }
            }
        }
    }
    w.count(child_vars.len())?;
    for &(name, value) in child_vars {
        // A name with `=` would split differently when read back (see entry_name).
        if !is_var_name(name) {
            return None;
        }
        w.string(&[name, b"=", value])?;
    }
    let sum = checksum(w.out.get(..w.len)?);
    w.bytes(&sum.to_le_bytes())?;
    Some(w.len)
}

#[cfg(test)]
mod tests;
