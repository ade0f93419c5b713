//! The checksum database client reads hostile network input: `GOSUMDB` strings, `/lookup`
//! bodies (record id, record, signed tree note), hash tiles and the stored tree head. None of
//! it may panic, and none of it may make a lookup succeed with anything but the record the
//! log really holds: the target owns the log's signing key, so it can hand the client notes
//! that verify (over fuzzed text) and honest tiles, and check every `Ok` against the log.
//!
//! The first byte picks what is hostile:
//! 0. a `GOSUMDB` value (plus the `h1:` dirhash and path escaping over the same text);
//! 1. the whole `/lookup` body (seed it with a real one: the signature then verifies);
//! 2. the tree note text, signed with the database key;
//! 3. the hash tiles (a script of honest / missing / truncated / flipped / raw answers);
//! 4. the stored tree head (`latest`), raw or signed.
//!
//! Bit 3 of the first byte stores an honest small tree head first, so the consistency proof
//! runs too. The honest logs: 3 records (the toolchain record at id 2), and 300 records whose
//! first 3 are the same, so a note signing the small tree with the big log's tiles is honest.
#![no_main]

use std::cell::Cell;
use std::path::Path;

use gox_sumdb::log::{Log, key_pair_from_seed};
use gox_sumdb::{Client, Database, Remote, RemoteError, SumdbError, Verified};
use libfuzzer_sys::fuzz_target;
use signed_note::{Note, Signer, StandardSigner};

const M: &str = "golang.org/toolchain";
const V: &str = "v0.0.1-go1.22.10.linux-amd64";
const H1: &str = "h1:EP6WfDoQTSk9klnxcjriWJOGztueJUywHNmWeq+efB8=";

struct World {
    small: Log,
    big: Log,
    db: Database,
    signer: StandardSigner,
}

fn fill(log: &mut Log, n: u64) {
    while log.size() < n {
        let i = log.size();
        if i == 2 {
            log.add_module(M, V, H1, "h1:mod=");
        } else {
            log.add(format!("example.com/m{i} v1.0.0 h1:x{i}=\n"));
        }
    }
}

impl World {
    fn new() -> Self {
        let (skey, vkey) = key_pair_from_seed("sum.fuzz.example", [7; 32]);
        let mut small = Log::new(&skey).unwrap();
        fill(&mut small, 3);
        let mut big = Log::new(&skey).unwrap();
        fill(&mut big, 300);
        World {
            small,
            big,
            db: Database::from_gosumdb(&vkey).unwrap(),
            signer: StandardSigner::new(&skey).unwrap(),
        }
    }

    /// `text` signed with the database key, when it is a well-formed note text.
    fn sign(&self, text: &[u8]) -> Option<Vec<u8>> {
        let mut note = Note::new(text, &[]).ok()?;
        note.add_sigs(&[&self.signer as &dyn Signer]).ok()?;
        let bytes = note.to_bytes();
        // What we signed parses back and verifies with the database's key.
        let back = Note::from_bytes(&bytes).expect("a note we signed parses");
        assert_eq!(back.text(), text);
        let known = signed_note::VerifierList::new(vec![Box::new(
            signed_note::StandardVerifier::new(&self.db.key).unwrap(),
        )]);
        let (ok, _) = back.verify(&known).expect("a note we signed verifies");
        assert_eq!(ok.len(), 1);
        Some(bytes)
    }
}

thread_local! {
    static WORLD: World = World::new();
}

/// A remote serving `log`, with a replaced lookup body and scripted tile answers.
struct Fuzzed<'a> {
    log: &'a Log,
    lookup: Option<Vec<u8>>,
    script: &'a [u8],
    pos: Cell<usize>,
}

impl Fuzzed<'_> {
    fn next(&self) -> Option<u8> {
        let b = *self.script.get(self.pos.get())?;
        self.pos.set(self.pos.get() + 1);
        Some(b)
    }
}

impl Remote for Fuzzed<'_> {
    fn get(&self, path: &str) -> Result<Vec<u8>, RemoteError> {
        if path.starts_with("lookup/") {
            if let Some(body) = &self.lookup {
                return Ok(body.clone());
            }
            return honest_lookup(self.log, &self.log.signed_tree()).ok_or(RemoteError::NotFound);
        }
        let real = self.log.tile(path);
        let Some(op) = self.next() else {
            return real.ok_or(RemoteError::NotFound);
        };
        match op % 8 {
            0 | 1 => real.ok_or(RemoteError::NotFound),
            2 => Err(RemoteError::NotFound),
            3 => Err(RemoteError::Other("fuzzed transport error".into())),
            4 => {
                let mut t = real.unwrap_or_default();
                t.truncate(usize::from(self.next().unwrap_or(0)) * 4);
                Ok(t)
            }
            5 => {
                let mut t = real.unwrap_or_default();
                let at = usize::from(self.next().unwrap_or(0)) * 31;
                let bit = self.next().unwrap_or(1) | 1;
                if !t.is_empty() {
                    let n = t.len();
                    t[at % n] ^= bit;
                }
                Ok(t)
            }
            6 => {
                // Raw bytes from the script, as long as the honest tile would be.
                let len = real.map_or(32, |t| t.len());
                let start = self.pos.get().min(self.script.len());
                let end = (start + len).min(self.script.len());
                self.pos.set(end);
                Ok(self.script[start..end].to_vec())
            }
            _ => {
                // Another tile's honest answer (a replayed or shifted tile).
                let alt = path.replacen("/0/", "/1/", 1).replacen("000", "001", 1);
                self.log.tile(&alt).ok_or(RemoteError::NotFound)
            }
        }
    }

    fn url(&self, path: &str) -> String {
        format!("https://sum.fuzz.example/{path}")
    }
}

fn honest_lookup(log: &Log, note: &[u8]) -> Option<Vec<u8>> {
    log.lookup_body(log.find(M, V)?, note)
}

fn record_lines(log: &Log, id: u64) -> Vec<String> {
    let text = std::str::from_utf8(log.record(id).expect("a proven id is in the log")).unwrap();
    text.lines().map(str::to_string).collect()
}

/// A successful lookup holds exactly what the log holds, in a tree the log really had.
fn check_verified(log: &Log, v: &Verified) {
    assert!(v.record_id < v.tree_size, "{v:?}");
    assert!(v.tree_size <= log.size(), "{v:?}");
    assert_eq!(v.lines, record_lines(log, v.record_id), "{v:?}");
}

/// Messages render, and carry no terminal control characters from the server's bytes.
fn check_error(err: &SumdbError) {
    let msg = err.to_string();
    assert!(!msg.is_empty());
    assert!(
        !msg.chars().any(|c| c.is_control() && c != '\n'),
        "control characters in message: {msg:?}"
    );
}

fn gosumdb(world: &World, text: &str) {
    match Database::from_gosumdb(text) {
        Ok(db) => {
            assert!(!db.name.is_empty());
            assert!(!db.name.contains(char::is_whitespace), "{db:?}");
            assert!(db.direct_url().contains("://"), "{db:?}");
            // What was accepted parses back to itself.
            let again = match &db.url {
                Some(url) => format!("{} {url}", db.key),
                None => db.key.clone(),
            };
            let back = Database::from_gosumdb(&again)
                .unwrap_or_else(|e| panic!("{text:?} gave {db:?}, which does not reparse: {e}"));
            assert_eq!(back, db, "{text:?}");
        }
        Err(e) => check_error(&e),
    }
    // Path escaping: no upper case left, and it undoes.
    let escaped = gox_sumdb::escape_module_text(text);
    assert!(!escaped.contains(|c: char| c.is_ascii_uppercase()));
    if !text.contains('!') {
        let mut undone = String::new();
        let mut bang = false;
        for c in escaped.chars() {
            match (bang, c) {
                (false, '!') => bang = true,
                (true, c) => {
                    undone.push(c.to_ascii_uppercase());
                    bang = false;
                }
                (false, c) => undone.push(c),
            }
        }
        assert_eq!(undone, text);
    }
    // dirhash: the lines as file names; the order does not matter, newlines never get in.
    let files: Vec<(&str, &[u8])> = text.split('\n').map(|l| (l, l.as_bytes())).collect();
    let a = gox_sumdb::hash1(files.iter().copied());
    let b = gox_sumdb::hash1(files.iter().rev().copied());
    match (a, b) {
        (Ok(a), Ok(b)) => {
            assert_eq!(a, b);
            assert!(a.starts_with("h1:") && a.len() == 47, "{a}");
        }
        (Err(_), Err(_)) => {}
        (a, b) => panic!("order changed the outcome: {a:?} {b:?}"),
    }
    // The text as a zip: never a panic; an h1: when it reads.
    if let Ok(h) = gox_sumdb::hash_zip(std::io::Cursor::new(text.as_bytes())) {
        assert!(h.starts_with("h1:") && h.len() == 47, "{h}");
    }
    let _ = world;
}

fn lookup(world: &World, log: &Log, remote: &Fuzzed<'_>, state: &Path, seeded: bool) {
    let client = Client::new(&world.db, remote, state.to_path_buf());
    let before = std::fs::read(client.latest_path()).ok();
    match client.lookup(M, V) {
        Ok(v) => {
            check_verified(log, &v);
            let after = std::fs::read(client.latest_path()).expect("a verified head is stored");
            assert!(
                Some(&after) == before.as_ref() || after.starts_with(b"go.sum database tree\n"),
                "stored {:?}",
                String::from_utf8_lossy(&after)
            );
        }
        Err(e) => {
            check_error(&e);
            // Nothing is stored unless the lookup verified.
            assert_eq!(std::fs::read(client.latest_path()).ok(), before);
            if !seeded {
                assert!(before.is_none());
            }
        }
    }
    // Whatever happened, an honest database still answers (a hostile answer never poisons
    // the stored head), unless the hostile part was the stored head itself.
    let honest = Fuzzed {
        log,
        lookup: None,
        script: &[],
        pos: Cell::new(0),
    };
    if let Ok(v) = Client::new(&world.db, &honest, state.to_path_buf()).lookup(M, V) {
        check_verified(log, &v);
        assert_eq!(v.tree_size, log.size());
    } else {
        let stored = std::fs::read(client.latest_path()).unwrap_or_default();
        panic!(
            "an honest lookup failed after a hostile one; stored head {:?}",
            String::from_utf8_lossy(&stored)
        );
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    WORLD.with(|world| {
        if mode % 8 == 0 {
            gosumdb(world, &String::from_utf8_lossy(rest));
            return;
        }
        let log = if mode & 0x10 != 0 {
            &world.small
        } else {
            &world.big
        };
        let seeded = mode & 0x08 != 0;
        let dir = tempfile::tempdir().unwrap();
        let state = dir.path().join("db");
        let honest_small = Fuzzed {
            log: &world.small,
            lookup: None,
            script: &[],
            pos: Cell::new(0),
        };
        if seeded {
            Client::new(&world.db, &honest_small, state.clone())
                .lookup(M, V)
                .expect("honest lookup");
        }
        let mut remote = Fuzzed {
            log,
            lookup: None,
            script: &[],
            pos: Cell::new(0),
        };
        match mode % 8 {
            1 => remote.lookup = Some(rest.to_vec()),
            2 => {
                let note = world.sign(rest).unwrap_or_else(|| rest.to_vec());
                remote.lookup = Some(
                    log.lookup_body(2, &note)
                        .expect("the toolchain record is id 2"),
                );
            }
            3 => remote.script = rest,
            4 => {
                let stored = if mode & 0x20 != 0 {
                    world.sign(rest).unwrap_or_else(|| rest.to_vec())
                } else {
                    rest.to_vec()
                };
                std::fs::create_dir_all(&state).unwrap();
                std::fs::write(state.join("latest"), &stored).unwrap();
                let client = Client::new(&world.db, &remote, state.clone());
                match client.lookup(M, V) {
                    Ok(v) => {
                        check_verified(log, &v);
                        assert_eq!(v.tree_size, log.size());
                    }
                    Err(e) => {
                        check_error(&e);
                        assert_eq!(std::fs::read(state.join("latest")).unwrap(), stored);
                    }
                }
                return;
            }
            _ => {
                // No hostile part: honest lookups succeed.
                let v = Client::new(&world.db, &remote, state.clone())
                    .lookup(M, V)
                    .expect("honest lookup");
                check_verified(log, &v);
                return;
            }
        }
        lookup(world, log, &remote, &state, seeded);
    });
});
