use super::*;
use proptest::prelude::*;
use std::collections::HashMap;
use std::string::String;
use std::vec::Vec;
use std::{format, vec};

fn id(n: u64) -> Identity {
    Identity {
        dev: n,
        ino: n + 1,
        mode: 0o100_644,
        size: n * 10,
        mtime_sec: 1_700_000_000,
        mtime_nsec: 5,
        ctime_sec: 1_700_000_001,
        ctime_nsec: 6,
    }
}

/// An owned record, borrowed into [`encode`]'s arguments.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Plan {
    planner_version: Vec<u8>,
    cwd: Vec<u8>,
    tool: Vec<u8>,
    program: Vec<u8>,
    receipt: Vec<u8>,
    observations: Vec<Owned>,
    child_vars: Vec<(Vec<u8>, Vec<u8>)>,
}

/// An owned [`Observation`].
#[derive(Clone, Debug, PartialEq, Eq)]
enum Owned {
    Var {
        name: Vec<u8>,
        value: Option<Vec<u8>>,
    },
    Path {
        path: Vec<u8>,
        seen: Seen,
    },
}

impl Owned {
    fn borrow(&self) -> Observation<'_> {
        match self {
            Owned::Var { name, value } => Observation::Var {
                name,
                value: value.as_deref(),
            },
            Owned::Path { path, seen } => Observation::Path { path, seen: *seen },
        }
    }
}

impl Plan {
    /// [`encode`] into `out`, with everything borrowed from `self`.
    fn encode_into(&self, out: &mut [u8]) -> Option<usize> {
        let head = Head {
            planner_version: &self.planner_version,
            cwd: &self.cwd,
            tool: &self.tool,
            program: &self.program,
            receipt: &self.receipt,
        };
        let observations: Vec<Observation<'_>> =
            self.observations.iter().map(Owned::borrow).collect();
        let child_vars: Vec<(&[u8], &[u8])> = self
            .child_vars
            .iter()
            .map(|(name, value)| (name.as_slice(), value.as_slice()))
            .collect();
        encode(&head, &observations, &child_vars, out)
    }

    /// The record's bytes, encoded into a [`MAX_BYTES`] buffer as the planner does.
    fn encode(&self) -> Option<Vec<u8>> {
        let mut out = vec![0; MAX_BYTES];
        let len = self.encode_into(&mut out)?;
        out.truncate(len);
        Some(out)
    }
}

fn var(name: &[u8], value: Option<&[u8]>) -> Owned {
    Owned::Var {
        name: name.to_vec(),
        value: value.map(<[u8]>::to_vec),
    }
}

fn path(path: &[u8], seen: Seen) -> Owned {
    Owned::Path {
        path: path.to_vec(),
        seen,
    }
}

fn sample() -> Plan {
    Plan {
        planner_version: b"0.1.0".to_vec(),
        cwd: b"/home/u/proj".to_vec(),
        tool: b"go".to_vec(),
        program: b"/home/u/.gox/go1.22.10/bin/go".to_vec(),
        receipt: b"/home/u/.gox/go1.22.10/.gox-receipt".to_vec(),
        observations: vec![
            var(b"GOTOOLCHAIN", Some(b"auto")),
            var(b"GOX_HOME", None),
            path(b"/home/u/proj/go.work", Seen::Absent),
            path(b"/home/u/proj/go.mod", Seen::Present(id(1))),
            path(b"/home/u/go.mod", Seen::Present(id(2))),
        ],
        child_vars: vec![
            (b"GOROOT".to_vec(), b"/x".to_vec()),
            (b"GOTOOLCHAIN".to_vec(), b"local".to_vec()),
        ],
    }
}

/// The world as a HashMap; paths it does not know are absent.
#[derive(Default)]
struct Fake {
    vars: HashMap<Vec<u8>, Vec<u8>>,
    paths: HashMap<Vec<u8>, Result<Seen, ()>>,
    stats: usize,
}

impl World for Fake {
    fn var(&self, name: &[u8]) -> Option<&[u8]> {
        self.vars.get(name).map(Vec::as_slice)
    }
    fn stat(&mut self, path_nul: &[u8]) -> Result<Seen, ()> {
        self.stats += 1;
        let (&nul, path) = path_nul.split_last().expect("a path");
        assert_eq!(nul, 0, "stat gets the path with its NUL");
        self.paths.get(path).copied().unwrap_or(Ok(Seen::Absent))
    }
}

/// The world exactly as `buf`'s planner saw it.
fn world_of(buf: &Plan) -> Fake {
    let mut world = Fake::default();
    for observation in &buf.observations {
        match observation {
            Owned::Var {
                name,
                value: Some(value),
            } => {
                world.vars.insert(name.clone(), value.clone());
            }
            Owned::Var { value: None, .. } => {}
            Owned::Path { path, seen } => {
                world.paths.insert(path.clone(), Ok(*seen));
            }
        }
    }
    world
}

fn owned(observation: Observation<'_>) -> Owned {
    match observation {
        Observation::Var { name, value } => Owned::Var {
            name: name.to_vec(),
            value: value.map(<[u8]>::to_vec),
        },
        Observation::Path { path, seen } => Owned::Path {
            path: path.to_vec(),
            seen,
        },
    }
}

fn with_nul(parts: &[&[u8]]) -> Vec<u8> {
    let mut out = parts.concat();
    out.push(0);
    out
}

fn assert_round_trips(buf: &Plan) {
    let bytes = buf.encode().expect("encodes");
    // Exactly the record's length is enough, one byte less is not, and what the buffer held
    // before does not matter.
    let mut exact = vec![0xff; bytes.len()];
    assert_eq!(buf.encode_into(&mut exact), Some(bytes.len()));
    assert_eq!(exact, bytes);
    let mut short = vec![0; bytes.len() - 1];
    assert_eq!(buf.encode_into(&mut short), None, "one byte too small");
    let record = Record::parse(&bytes).expect("parses back");
    assert_eq!(record.planner_version(), buf.planner_version);
    assert_eq!(record.cwd(), buf.cwd);
    assert_eq!(record.tool(), buf.tool);
    assert_eq!(record.program_nul(), with_nul(&[&buf.program]));
    assert_eq!(record.receipt_nul(), with_nul(&[&buf.receipt]));
    assert_eq!(
        record.observations().map(owned).collect::<Vec<_>>(),
        buf.observations
    );
    let entries: Vec<&[u8]> = record.child_entries().collect();
    assert_eq!(entries.len(), buf.child_vars.len());
    for (entry, (name, value)) in entries.iter().zip(&buf.child_vars) {
        assert_eq!(*entry, with_nul(&[name, b"=", value]));
        assert_eq!(entry_name(entry), Some(name.as_slice()));
    }
}

fn string() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(1u8..=255, 0..12)
}

fn name() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec((1u8..=255).prop_filter("no =", |b| *b != b'='), 1..8)
}

fn seen() -> impl Strategy<Value = Seen> {
    let identity = (any::<(u64, u64, u32, u64)>(), any::<(i64, u32, i64, u32)>()).prop_map(
        |((dev, ino, mode, size), (mtime_sec, mtime_nsec, ctime_sec, ctime_nsec))| Identity {
            dev,
            ino,
            mode,
            size,
            mtime_sec,
            mtime_nsec,
            ctime_sec,
            ctime_nsec,
        },
    );
    prop_oneof![Just(Seen::Absent), identity.prop_map(Seen::Present)]
}

fn plan() -> impl Strategy<Value = Plan> {
    let observation = prop_oneof![
        (name(), prop::option::of(string())).prop_map(|(name, value)| Owned::Var { name, value }),
        (string(), seen()).prop_map(|(path, seen)| Owned::Path { path, seen }),
    ];
    let strings = (string(), string(), string(), string(), string());
    let lists = (
        prop::collection::vec(observation, 0..6),
        prop::collection::vec((name(), string()), 0..4),
    );
    (strings, lists).prop_map(
        |((planner_version, cwd, tool, program, receipt), (observations, child_vars))| Plan {
            planner_version,
            cwd,
            tool,
            program,
            receipt,
            observations,
            child_vars,
        },
    )
}

/// A string in the format, whatever its bytes.
fn raw_string(s: &[u8]) -> Vec<u8> {
    let mut out = u32::try_from(s.len()).unwrap().to_le_bytes().to_vec();
    out.extend_from_slice(s);
    out.push(0);
    out
}

/// `body` with its checksum, computed here independently of the crate: FNV-1a's step over
/// little-endian 8-byte words, then the tail byte by byte.
fn seal(mut body: Vec<u8>) -> Vec<u8> {
    let step = |hash: u64, x: u64| (hash ^ x).wrapping_mul(0x100_0000_01b3);
    let mut hash = 0xcbf2_9ce4_8422_2325u64;
    let whole = body.len() / 8 * 8;
    for i in (0..whole).step_by(8) {
        let mut word = 0u64;
        for k in (0..8).rev() {
            word = word << 8 | u64::from(body[i + k]);
        }
        hash = step(hash, word);
    }
    for &b in &body[whole..] {
        hash = step(hash, u64::from(b));
    }
    body.extend_from_slice(&hash.to_le_bytes());
    body
}

/// A record built byte by byte: one unset var, one child entry.
fn by_hand(cwd: &[u8], var: &[u8], entry: &[u8]) -> Vec<u8> {
    let mut body = MAGIC.to_vec();
    for s in [b"1".as_slice(), cwd, b"go", b"/bin/go", b"/r"] {
        body.extend(raw_string(s));
    }
    body.extend(1u32.to_le_bytes());
    body.push(b'u');
    body.extend(raw_string(var));
    body.extend(1u32.to_le_bytes());
    body.extend(raw_string(entry));
    seal(body)
}

proptest! {
    #[test]
    fn round_trips(buf in plan()) {
        assert_round_trips(&buf);
        // What the planner saw holds, unless it saw one variable or path two ways.
        let mut world = world_of(&buf);
        let bytes = buf.encode().unwrap();
        let record = Record::parse(&bytes).unwrap();
        let consistent = record.observations().all(|o| match o {
            Observation::Var { name, value } => world.var(name) == value,
            Observation::Path { path, seen } => world.paths.get(path) == Some(&Ok(seen)),
        });
        prop_assert_eq!(record.holds(&mut world), consistent);
    }

    #[test]
    fn parse_never_panics(data in prop::collection::vec(any::<u8>(), 0..200)) {
        for bytes in [data.clone(), seal(data)] {
            if let Ok(record) = Record::parse(&bytes) {
                record.observations().count();
                record.child_entries().count();
                record.holds(&mut Fake::default());
            }
        }
    }

    #[test]
    fn parse_survives_resealed_edits(buf in plan(), at in any::<prop::sample::Index>(), byte in any::<u8>()) {
        let mut body = buf.encode().unwrap();
        body.truncate(body.len() - 8);
        let i = at.index(body.len());
        body[i] = byte;
        if let Ok(record) = Record::parse(&seal(body)) {
            record.observations().count();
            record.child_entries().for_each(|e| assert!(entry_name(e).is_some()));
            record.holds(&mut Fake::default());
        }
    }
}

#[test]
fn sample_round_trips_and_edge_strings() {
    assert_round_trips(&sample());
    assert_round_trips(&Plan::default());
    let mut buf = sample();
    buf.child_vars.push((b"A".to_vec(), b"=x=".to_vec()));
    assert_round_trips(&buf);
}

#[test]
fn encode_refuses_what_cannot_be_read_back() {
    assert!(sample().encode().is_some(), "the sample itself encodes");
    type Edit = (&'static str, fn(&mut Plan));
    let edits: [Edit; 15] = [
        ("NUL in planner_version", |p| p.planner_version.push(0)),
        ("NUL in cwd", |p| p.cwd.insert(0, 0)),
        ("NUL in tool", |p| p.tool.insert(1, 0)),
        ("NUL in program", |p| p.program.push(0)),
        ("NUL in receipt", |p| p.receipt.push(0)),
        ("empty var name", |p| p.observations.push(var(b"", None))),
        ("var name with =", |p| {
            p.observations.push(var(b"A=B", None))
        }),
        ("var name =", |p| p.observations.push(var(b"=", Some(b"x")))),
        ("NUL in var name", |p| {
            p.observations.push(var(b"A\0", None))
        }),
        ("NUL in var value", |p| {
            p.observations.push(var(b"A", Some(b"\0")))
        }),
        ("NUL in path", |p| {
            p.observations.push(path(b"/a\0b", Seen::Absent))
        }),
        ("NUL in child name", |p| {
            p.child_vars.push((b"A\0".to_vec(), b"x".to_vec()))
        }),
        ("NUL in child value", |p| {
            p.child_vars.push((b"A".to_vec(), b"x\0".to_vec()))
        }),
        ("empty child name", |p| {
            p.child_vars.push((Vec::new(), b"x".to_vec()))
        }),
        ("child name with =", |p| {
            p.child_vars.push((b"=C:".to_vec(), b"x".to_vec()))
        }),
    ];
    for (what, edit) in edits {
        let mut buf = sample();
        edit(&mut buf);
        assert_eq!(buf.encode(), None, "{what}");
        // Not for want of room.
        assert_eq!(buf.encode_into(&mut vec![0; 1 << 16]), None, "{what}");
    }
}

#[test]
fn encode_fits_max_bytes_exactly() {
    // Pad cwd until the record is exactly MAX_BYTES long.
    let mut buf = sample();
    let len = buf.encode().unwrap().len();
    buf.cwd.resize(buf.cwd.len() + MAX_BYTES - len, b'x');
    let bytes = buf.encode().expect("a record of MAX_BYTES fits");
    assert_eq!(bytes.len(), MAX_BYTES);
    assert_eq!(Record::parse(&bytes).unwrap().cwd(), buf.cwd);
    buf.cwd.push(b'x');
    assert_eq!(buf.encode(), None, "one byte more does not");
    let mut out = vec![0; MAX_BYTES + 1];
    assert_eq!(buf.encode_into(&mut out), Some(MAX_BYTES + 1));
    // Nothing fits in nothing.
    assert_eq!(Plan::default().encode_into(&mut []), None);
}

#[test]
fn parse_rejects_corruption() {
    let bytes = sample().encode().unwrap();
    for i in 0..bytes.len() {
        for flip in [0x01, 0x80, 0xff] {
            let mut bad = bytes.clone();
            bad[i] ^= flip;
            assert_eq!(
                Record::parse(&bad).unwrap_err(),
                Malformed,
                "byte {i} ^ {flip:#x}"
            );
        }
    }
    for len in 0..bytes.len() {
        assert!(Record::parse(&bytes[..len]).is_err(), "truncated to {len}");
    }
    let mut trailing = bytes.clone();
    trailing.push(0);
    assert!(Record::parse(&trailing).is_err());
    // Trailing bytes inside the checksummed body.
    let mut body = bytes[..bytes.len() - 8].to_vec();
    body.push(0);
    assert!(Record::parse(&seal(body)).is_err());
    let mut magic = bytes[..bytes.len() - 8].to_vec();
    magic[7] = b'1'; // the format before the word-wise checksum
    assert!(Record::parse(&seal(magic)).is_err());
}

#[test]
fn encode_writes_the_format_byte_by_byte() {
    let plan = Plan {
        planner_version: b"1".to_vec(),
        cwd: b"/p".to_vec(),
        tool: b"go".to_vec(),
        program: b"/bin/go".to_vec(),
        receipt: b"/r".to_vec(),
        observations: vec![var(b"GOFLAGS", None)],
        child_vars: vec![(b"A".to_vec(), b"b".to_vec())],
    };
    assert_eq!(plan.encode().unwrap(), by_hand(b"/p", b"GOFLAGS", b"A=b"));

    let identity = Identity {
        dev: 1,
        ino: 2,
        mode: 3,
        size: 4,
        mtime_sec: -5,
        mtime_nsec: 6,
        ctime_sec: 7,
        ctime_nsec: 8,
    };
    let plan = Plan {
        observations: vec![
            var(b"V", Some(b"x")),
            path(b"/a", Seen::Absent),
            path(b"/p", Seen::Present(identity)),
        ],
        child_vars: Vec::new(),
        ..plan
    };
    let mut body = MAGIC.to_vec();
    for s in [b"1".as_slice(), b"/p", b"go", b"/bin/go", b"/r"] {
        body.extend(raw_string(s));
    }
    body.extend(3u32.to_le_bytes());
    body.push(b'v');
    body.extend(raw_string(b"V"));
    body.extend(raw_string(b"x"));
    body.push(b'a');
    body.extend(raw_string(b"/a"));
    body.push(b'p');
    body.extend(raw_string(b"/p"));
    body.extend(1u64.to_le_bytes());
    body.extend(2u64.to_le_bytes());
    body.extend(3u32.to_le_bytes());
    body.extend(4u64.to_le_bytes());
    body.extend((-5i64).to_le_bytes());
    body.extend(6u32.to_le_bytes());
    body.extend(7i64.to_le_bytes());
    body.extend(8u32.to_le_bytes());
    body.extend(0u32.to_le_bytes());
    assert_eq!(plan.encode().unwrap(), seal(body));
}

#[test]
fn parse_checks_strings_names_and_entries() {
    // The builder itself must make valid records, or the rejections below prove nothing.
    let bytes = by_hand(b"/p", b"GOFLAGS", b"A=b");
    let good = Record::parse(&bytes).expect("hand-built record");
    assert_eq!(good.cwd(), b"/p");
    assert_eq!(
        good.child_entries().collect::<Vec<_>>(),
        [b"A=b\0".as_slice()]
    );
    assert!(Record::parse(&by_hand(b"/p", b"GOFLAGS", b"=C:=x")).is_ok());

    assert!(
        Record::parse(&by_hand(b"/p\0q", b"GOFLAGS", b"A=b")).is_err(),
        "interior NUL"
    );
    assert!(
        Record::parse(&by_hand(b"/p", b"GOFLAGS", b"AB")).is_err(),
        "entry without ="
    );
    assert!(
        Record::parse(&by_hand(b"/p", b"GOFLAGS", b"=x")).is_err(),
        "entry with empty name"
    );
    assert!(
        Record::parse(&by_hand(b"/p", b"", b"A=b")).is_err(),
        "empty var name"
    );
    assert!(
        Record::parse(&by_hand(b"/p", b"A=B", b"A=b")).is_err(),
        "var name with ="
    );
    // A string whose NUL is missing: the length claims one byte more than is there.
    let mut body = by_hand(b"/p", b"GOFLAGS", b"A=b");
    body.truncate(body.len() - 8);
    let at = MAGIC.len() + raw_string(b"1").len();
    body[at] = 3;
    assert!(Record::parse(&seal(body)).is_err(), "no NUL terminator");
    // An unknown tag.
    let mut body = by_hand(b"/p", b"GOFLAGS", b"A=b");
    let tag = body.iter().position(|&b| b == b'u').unwrap();
    body.truncate(body.len() - 8);
    body[tag] = b'x';
    assert!(Record::parse(&seal(body)).is_err(), "unknown tag");
}

#[test]
fn holds_when_nothing_changed_and_checks_every_path() {
    let buf = sample();
    let bytes = buf.encode().unwrap();
    let record = Record::parse(&bytes).unwrap();
    let mut world = world_of(&buf);
    assert!(record.holds(&mut world));
    assert_eq!(world.stats, 3);
}

#[test]
fn holds_fails_on_any_change() {
    let buf = sample();
    let bytes = buf.encode().unwrap();
    let record = Record::parse(&bytes).unwrap();
    type Change = (&'static str, fn(&mut Fake));
    let changes: [Change; 6] = [
        ("var changed", |w| {
            w.vars.insert(b"GOTOOLCHAIN".to_vec(), b"local".to_vec());
        }),
        ("var now unset", |w| {
            w.vars.remove(b"GOTOOLCHAIN".as_slice());
        }),
        ("var now set", |w| {
            w.vars.insert(b"GOX_HOME".to_vec(), Vec::new());
        }),
        ("path now present", |w| {
            w.paths
                .insert(b"/home/u/proj/go.work".to_vec(), Ok(Seen::Present(id(3))));
        }),
        ("path now absent", |w| {
            w.paths.remove(b"/home/u/go.mod".as_slice());
        }),
        ("stat error", |w| {
            w.paths.insert(b"/home/u/go.mod".to_vec(), Err(()));
        }),
    ];
    for (what, change) in changes {
        let mut world = world_of(&buf);
        change(&mut world);
        assert!(!record.holds(&mut world), "{what}");
    }
    let fields: [fn(&mut Identity); 8] = [
        |i| i.dev += 1,
        |i| i.ino += 1,
        |i| i.mode ^= 0o111,
        |i| i.size += 1,
        |i| i.mtime_sec += 1,
        |i| i.mtime_nsec += 1,
        |i| i.ctime_sec += 1,
        |i| i.ctime_nsec += 1,
    ];
    for (n, field) in fields.iter().enumerate() {
        let mut world = world_of(&buf);
        let mut changed = id(2);
        field(&mut changed);
        world
            .paths
            .insert(b"/home/u/go.mod".to_vec(), Ok(Seen::Present(changed)));
        assert!(!record.holds(&mut world), "identity field {n}");
    }
}

#[test]
fn holds_stops_at_the_first_mismatch() {
    let buf = sample();
    let bytes = buf.encode().unwrap();
    let record = Record::parse(&bytes).unwrap();
    let mut world = world_of(&buf);
    world.vars.remove(b"GOTOOLCHAIN".as_slice());
    assert!(!record.holds(&mut world));
    assert_eq!(world.stats, 0, "a changed variable stops before any stat");
    let mut world = world_of(&buf);
    world
        .paths
        .insert(b"/home/u/proj/go.work".to_vec(), Err(()));
    assert!(!record.holds(&mut world));
    assert_eq!(world.stats, 1, "the first path's stat error stops the rest");
}

fn reference_name(cwd: &[u8], tool: &[u8]) -> String {
    let mut hash = 0xcbf2_9ce4_8422_2325u64;
    for &b in cwd.iter().chain(&[0]).chain(tool) {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x100_0000_01b3);
    }
    format!("{hash:016x}")
}

#[test]
fn file_name_is_fnv1a_of_cwd_nul_tool_in_hex() {
    // Published FNV-1a 64 vectors, for the hash the name and the checksum share.
    assert_eq!(fnv1a(FNV_OFFSET, b""), 0xcbf2_9ce4_8422_2325);
    assert_eq!(fnv1a(FNV_OFFSET, b"a"), 0xaf63_dc4c_8601_ec8c);
    assert_eq!(fnv1a(FNV_OFFSET, b"foobar"), 0x8594_4171_f739_67e8);
    let cases: [(&[u8], &[u8]); 5] = [
        (b"", b""),
        (b"/home/u/proj", b"go"),
        (b"/home/u/proj", b"gofmt"),
        (b"/a", b"bgo"),
        (b"/ab", b"go"),
    ];
    let mut names = Vec::new();
    for (cwd, tool) in cases {
        let name = file_name(cwd, tool);
        assert_eq!(name.as_slice(), reference_name(cwd, tool).as_bytes());
        assert!(
            name.iter()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(b))
        );
        assert!(!names.contains(&name), "{cwd:?} {tool:?} collides");
        names.push(name);
    }
    assert_ne!(file_name(b"/x", b"go"), file_name(b"/y", b"go"));
}

#[test]
fn racy_times() {
    let at = |(mtime_sec, mtime_nsec), (ctime_sec, ctime_nsec)| {
        Seen::Present(Identity {
            mtime_sec,
            mtime_nsec,
            ctime_sec,
            ctime_nsec,
            ..id(0)
        })
    };
    let old = (997, 500);
    assert!(!is_racy(at(old, old), 1000, 500), "3 s old");
    assert!(is_racy(at((999, 500), old), 1000, 500), "mtime 1 s old");
    assert!(is_racy(at(old, (999, 500)), 1000, 500), "ctime 1 s old");
    assert!(
        is_racy(at((1001, 0), old), 1000, 500),
        "mtime in the future"
    );
    assert!(
        is_racy(at(old, (1000, 501)), 1000, 500),
        "ctime 1 ns in the future"
    );
    assert!(!is_racy(Seen::Absent, 1000, 500));
    // Exactly 2 s old is old enough; 1 ns less is not, across a second boundary too.
    assert!(!is_racy(at((998, 500), old), 1000, 500));
    assert!(is_racy(at((998, 501), old), 1000, 500));
    assert!(!is_racy(at(old, (997, 999_999_999)), 999, 999_999_999));
    assert!(is_racy(at(old, (998, 0)), 999, 999_999_999));
    // Extremes do not overflow.
    assert!(!is_racy(
        at((i64::MIN, u32::MAX), (i64::MIN, 0)),
        i64::MAX,
        u32::MAX
    ));
    assert!(is_racy(at((i64::MAX, u32::MAX), old), i64::MIN, 0));
}

#[test]
fn entry_names() {
    assert_eq!(entry_name(b"A=b"), Some(b"A".as_slice()));
    assert_eq!(entry_name(b"=C:=x"), Some(b"=C:".as_slice()));
    assert_eq!(entry_name(b"==x"), Some(b"=".as_slice()));
    assert_eq!(entry_name(b"A=b=c"), Some(b"A".as_slice()));
    assert_eq!(entry_name(b"NOEQ"), None);
    assert_eq!(entry_name(b"=x"), None);
    assert_eq!(entry_name(b""), None);
}
