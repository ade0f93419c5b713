//! The client against an in-memory log: every refusal the proxy install relies on.

use std::cell::RefCell;

use gox_sumdb::log::{Log, key_pair_from_seed};
use gox_sumdb::{Client, Database, Remote, RemoteError, SumdbError};

const M: &str = "golang.org/toolchain";
const V: &str = "v0.0.1-go1.22.10.linux-amd64";
const H1: &str = "h1:EP6WfDoQTSk9klnxcjriWJOGztueJUywHNmWeq+efB8=";

struct Mem {
    log: RefCell<Log>,
    /// Replaces the signed tree note in lookups.
    note: RefCell<Option<Vec<u8>>>,
}

impl Remote for Mem {
    fn get(&self, path: &str) -> Result<Vec<u8>, RemoteError> {
        let log = self.log.borrow();
        if let Some(rest) = path.strip_prefix("lookup/") {
            let (m, v) = rest.split_once('@').unwrap();
            let id = log.find(m, v).ok_or(RemoteError::NotFound)?;
            let note = self
                .note
                .borrow()
                .clone()
                .unwrap_or_else(|| log.signed_tree());
            return Ok(log.lookup_body(id, &note).unwrap());
        }
        log.tile(path).ok_or(RemoteError::NotFound)
    }
    fn url(&self, path: &str) -> String {
        format!("mem:///{path}")
    }
}

fn log_with(seed: u8, filler: &str) -> (Log, Database) {
    let (skey, vkey) = key_pair_from_seed("sum.example.com", [seed; 32]);
    let mut log = Log::new(&skey).unwrap();
    for i in 0..300 {
        log.add(format!(
            "example.com/{filler}{i} v1.0.0 h1:x=\nexample.com/{filler}{i} v1.0.0/go.mod h1:y=\n"
        ));
    }
    log.add_module(M, V, H1, "h1:mod=");
    (log, Database::from_gosumdb(&vkey).unwrap())
}

fn mem(log: Log) -> Mem {
    Mem {
        log: RefCell::new(log),
        note: RefCell::new(None),
    }
}

#[test]
fn lookup_proves_inclusion_and_tracks_the_tree_head() {
    let state = tempfile::tempdir().unwrap();
    let (log, db) = log_with(1, "a");
    let remote = mem(log);
    let client = Client::new(&db, &remote, state.path().join("db"));
    let got = client.lookup(M, V).unwrap();
    assert_eq!(got.tree_size, 301);
    assert_eq!(got.zip_hash(M, V), Some(H1));
    assert!(client.latest_path().is_file());
    // The log grows across a tile boundary: the consistency proof holds.
    for i in 0..250 {
        remote
            .log
            .borrow_mut()
            .add(format!("example.com/b{i} v1.0.0 h1:z=\n"));
    }
    assert_eq!(client.lookup(M, V).unwrap().tree_size, 551);
    let stored = std::fs::read_to_string(client.latest_path()).unwrap();
    assert!(
        stored.starts_with("go.sum database tree\n551\n"),
        "{stored}"
    );
}

#[test]
fn forked_tree_is_a_security_error_and_keeps_the_stored_head() {
    let state = tempfile::tempdir().unwrap();
    let (log, db) = log_with(1, "a");
    let remote = mem(log);
    let client = Client::new(&db, &remote, state.path().join("db"));
    client.lookup(M, V).unwrap();
    let before = std::fs::read(client.latest_path()).unwrap();
    // Same key, different history (same size, then a larger one).
    let (mut forked, _) = log_with(1, "fork");
    *remote.log.borrow_mut() = log_with(1, "fork").0;
    let err = client.lookup(M, V).unwrap_err();
    assert!(matches!(err, SumdbError::Fork(_)), "{err}");
    assert!(err.to_string().contains("SECURITY ERROR"));
    forked.add("example.com/more v1.0.0 h1:q=\n");
    *remote.log.borrow_mut() = forked;
    let err = client.lookup(M, V).unwrap_err();
    assert!(matches!(err, SumdbError::Fork(_)), "{err}");
    assert_eq!(std::fs::read(client.latest_path()).unwrap(), before);
}

#[test]
fn bad_signatures_are_refused() {
    let state = tempfile::tempdir().unwrap();
    let (log, db) = log_with(1, "a");
    // Another key with the same name: its signature is not the database's.
    let (other, _) = log_with(2, "a");
    let remote = mem(log);
    *remote.note.borrow_mut() = Some(other.signed_tree());
    let client = Client::new(&db, &remote, state.path().join("db"));
    let err = client.lookup(M, V).unwrap_err();
    assert!(matches!(err, SumdbError::BadSignature { .. }), "{err}");
    // The right key id, one signature byte flipped.
    let mut note = remote.log.borrow().signed_tree();
    let text = String::from_utf8(note.clone()).unwrap();
    let sig_line = text.rfind("— ").unwrap();
    let pos = note.len() - 3;
    assert!(pos > sig_line);
    note[pos] = if note[pos] == b'A' { b'B' } else { b'A' };
    *remote.note.borrow_mut() = Some(note);
    let err = client.lookup(M, V).unwrap_err();
    assert!(matches!(err, SumdbError::BadSignature { .. }), "{err}");
    assert!(!client.latest_path().exists());
}

#[test]
fn missing_record_and_unproven_record_are_refused() {
    let state = tempfile::tempdir().unwrap();
    let (log, db) = log_with(1, "a");
    let remote = mem(log);
    let client = Client::new(&db, &remote, state.path().join("db"));
    let err = client.lookup(M, "v0.0.1-go1.99.0.linux-amd64").unwrap_err();
    assert!(matches!(err, SumdbError::MissingRecord { .. }), "{err}");
    // A note signing a tree that does not contain the served record text.
    let (skey, _) = key_pair_from_seed("sum.example.com", [1; 32]);
    let mut other = Log::new(&skey).unwrap();
    for i in 0..301 {
        other.add(format!("example.com/c{i} v1.0.0 h1:x=\n"));
    }
    *remote.note.borrow_mut() = Some(other.signed_tree());
    let err = client.lookup(M, V).unwrap_err();
    assert!(matches!(err, SumdbError::NotIncluded { .. }), "{err}");
}
