//! Plan records are read by the no_std replayer from a file anyone with access to the cache
//! can write or tear: parsing must never panic, and once parsed, iterating and checking
//! cannot fail. A parsed record must hold in the world it describes and, when it fits the
//! replayer's buffer, encode back to itself.
#![no_main]

use std::cell::Cell;

use gox_plan::{Head, Identity, MAX_BYTES, Observation, Record, Seen, World};
use libfuzzer_sys::fuzz_target;

/// Answers from the fuzz input, so every outcome of `holds` (match, mismatch, stat error)
/// is reachable; the same input always gets the same answers.
struct FromData<'a> {
    data: &'a [u8],
    stats: usize,
}

impl World for FromData<'_> {
    fn var(&self, name: &[u8]) -> Option<&[u8]> {
        let rest = self.data.get(name.len() % (self.data.len() + 1)..)?;
        let (&first, value) = rest.split_first()?;
        (first % 2 == 0).then_some(value)
    }
    fn stat(&mut self, path_nul: &[u8]) -> Result<Seen, ()> {
        assert_eq!(path_nul.last(), Some(&0), "stat gets the path with its NUL");
        self.stats += 1;
        let at = (path_nul.len() + self.stats) % (self.data.len() + 1);
        let byte = |i: usize| u64::from(self.data.get(at + i).copied().unwrap_or(0));
        match byte(0) % 3 {
            0 => Ok(Seen::Absent),
            1 => Err(()),
            _ => Ok(Seen::Present(Identity {
                dev: byte(1),
                ino: byte(2),
                mode: byte(3) as u32,
                size: byte(4),
                mtime_sec: byte(5) as i64,
                mtime_nsec: byte(6) as u32,
                ctime_sec: byte(7) as i64,
                ctime_nsec: byte(8) as u32,
            })),
        }
    }
}

/// The world exactly as recorded: answers each observation in order, as `holds` asks them.
struct Recorded<'a> {
    observations: Vec<Observation<'a>>,
    next: Cell<usize>,
}

impl<'a> Recorded<'a> {
    fn take(&self) -> Observation<'a> {
        let i = self.next.replace(self.next.get() + 1);
        self.observations[i]
    }
}

impl World for Recorded<'_> {
    fn var(&self, name: &[u8]) -> Option<&[u8]> {
        match self.take() {
            Observation::Var {
                name: recorded,
                value,
            } if recorded == name => value,
            other => panic!("holds asked for variable {name:?}, recorded {other:?}"),
        }
    }
    fn stat(&mut self, path_nul: &[u8]) -> Result<Seen, ()> {
        match self.take() {
            Observation::Path { path, seen } if [path, b"\0"].concat() == path_nul => Ok(seen),
            other => panic!("holds asked for path {path_nul:?}, recorded {other:?}"),
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(record) = Record::parse(data) else {
        return;
    };
    assert_eq!(record.program_nul().last(), Some(&0));
    assert_eq!(record.receipt_nul().last(), Some(&0));
    let observations: Vec<Observation> = record.observations().collect();
    let entries: Vec<&[u8]> = record.child_entries().collect();
    for entry in &entries {
        assert_eq!(entry.last(), Some(&0));
        assert!(gox_plan::entry_name(entry).is_some());
    }
    record.holds(&mut FromData { data, stats: 0 });
    let mut recorded = Recorded {
        observations: observations.clone(),
        next: Cell::new(0),
    };
    assert!(
        record.holds(&mut recorded),
        "a record holds in the world it recorded"
    );
    assert_eq!(recorded.next.get(), observations.len());

    fn strip(with_nul: &[u8]) -> &[u8] {
        &with_nul[..with_nul.len() - 1]
    }
    let head = Head {
        planner_version: record.planner_version(),
        cwd: record.cwd(),
        tool: record.tool(),
        program: strip(record.program_nul()),
        receipt: strip(record.receipt_nul()),
    };
    let child_vars: Vec<(&[u8], &[u8])> = entries
        .iter()
        .map(|entry| {
            let name = gox_plan::entry_name(entry).unwrap();
            (name, &entry[name.len() + 1..entry.len() - 1])
        })
        .collect();
    let mut out = [0u8; MAX_BYTES];
    match gox_plan::encode(&head, &observations, &child_vars, &mut out) {
        Some(len) => assert_eq!(&out[..len], data, "a record encodes back to its bytes"),
        // Larger records do not fit the replayer's buffer; Windows-style `=C:` names parse
        // but the writer never produces them.
        None => assert!(
            data.len() > MAX_BYTES || child_vars.iter().any(|(name, _)| name.contains(&b'=')),
            "a record of at most MAX_BYTES encodes"
        ),
    }
});
