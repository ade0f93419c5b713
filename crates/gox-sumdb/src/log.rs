//! A checksum database log held in memory: records, their RFC 6962 tree, hash tiles and
//! signed tree notes, in the formats sum.golang.org serves. gox-testkit serves it over HTTP
//! so gox and the real `go` command can be tested against a database whose key the tests
//! own; the client tests use it in-process.

use base64::Engine;
use signed_note::{Note, Signer, StandardSigner};
use tlog_tiles::{Hash, HashReader, Tile};

use crate::client::TILE_HEIGHT;

/// A note signing key pair from a fixed 32-byte seed: (`PRIVATE+KEY+name+hash+…`,
/// `name+hash+key`), the formats `go` and golang.org/x/mod/sumdb/note use.
pub fn key_pair_from_seed(name: &str, seed: [u8; 32]) -> (String, String) {
    let signing = ed25519_dalek::SigningKey::from_bytes(&seed);
    let vkey = signed_note::new_ed25519_verifier_key(name, &signing.verifying_key());
    let id = vkey.split('+').nth(1).unwrap_or_default().to_string();
    let mut private = vec![1u8];
    private.extend_from_slice(&seed);
    let skey = format!(
        "PRIVATE+KEY+{name}+{id}+{}",
        base64::engine::general_purpose::STANDARD.encode(private)
    );
    (skey, vkey)
}

pub struct Log {
    signer: StandardSigner,
    records: Vec<Vec<u8>>,
    /// Every stored hash, indexed by `tlog_tiles::stored_hash_index`.
    hashes: Vec<Hash>,
}

impl std::fmt::Debug for Log {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Log")
            .field("records", &self.records.len())
            .finish()
    }
}

struct Stored<'a>(&'a [Hash]);

impl HashReader for Stored<'_> {
    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<Hash>, tlog_tiles::Error> {
        indexes
            .iter()
            .map(|&i| {
                self.0
                    .get(usize::try_from(i).map_err(|_| tlog_tiles::Error::IndexesNotInTree)?)
                    .copied()
                    .ok_or(tlog_tiles::Error::IndexesNotInTree)
            })
            .collect()
    }
}

impl Log {
    /// A log signing with `skey` (`PRIVATE+KEY+…`).
    pub fn new(skey: &str) -> Result<Self, String> {
        let signer = StandardSigner::new(skey).map_err(|e| format!("bad signer key: {e}"))?;
        Ok(Log {
            signer,
            records: Vec::new(),
            hashes: Vec::new(),
        })
    }

    /// Appends a record (go.sum lines, each ending in `\n`); returns its id.
    pub fn add(&mut self, text: impl Into<Vec<u8>>) -> u64 {
        let text = text.into();
        let n = self.records.len() as u64;
        let new = tlog_tiles::stored_hashes(n, &text, &Stored(&self.hashes))
            .expect("stored hashes of an in-memory tree");
        self.hashes.extend(new);
        self.records.push(text);
        n
    }

    /// Appends the record of a module version: its zip line and its go.mod line.
    pub fn add_module(&mut self, module: &str, version: &str, zip_h1: &str, mod_h1: &str) -> u64 {
        self.add(format!(
            "{module} {version} {zip_h1}\n{module} {version}/go.mod {mod_h1}\n"
        ))
    }

    pub fn size(&self) -> u64 {
        self.records.len() as u64
    }

    pub fn tree_hash(&self) -> Hash {
        tlog_tiles::tree_hash(self.size(), &Stored(&self.hashes)).expect("tree hash")
    }

    /// The tree note text (`go.sum database tree\n<size>\n<hash>\n`).
    pub fn tree_text(&self) -> String {
        format!(
            "go.sum database tree\n{}\n{}\n",
            self.size(),
            self.tree_hash()
        )
    }

    /// The current tree note signed with the log's key.
    pub fn signed_tree(&self) -> Vec<u8> {
        sign(&self.tree_text(), &self.signer)
    }

    /// The id of the record whose first line starts with `module version `.
    pub fn find(&self, module: &str, version: &str) -> Option<u64> {
        let prefix = format!("{module} {version} ");
        self.records
            .iter()
            .position(|r| r.starts_with(prefix.as_bytes()))
            .map(|i| i as u64)
    }

    pub fn record(&self, id: u64) -> Option<&[u8]> {
        self.records
            .get(usize::try_from(id).ok()?)
            .map(Vec::as_slice)
    }

    /// The `/lookup/<module>@<version>` body for record `id`, with `note` as the tree note.
    pub fn lookup_body(&self, id: u64, note: &[u8]) -> Option<Vec<u8>> {
        let mut out = format!("{id}\n").into_bytes();
        out.extend_from_slice(self.record(id)?);
        out.push(b'\n');
        out.extend_from_slice(note);
        Some(out)
    }

    /// The tile at `path` (`tile/8/0/000.p/5`, `tile/8/data/000`) if this tree has it.
    pub fn tile(&self, path: &str) -> Option<Vec<u8>> {
        let tile = Tile::from_path(path).ok()?;
        if tile.height() != TILE_HEIGHT {
            return None;
        }
        let width = u64::from(tile.width());
        // The tile must lie inside the tree: its last hash at its level must exist.
        let level = u32::from(tile.level()) * u32::from(TILE_HEIGHT);
        let first = tile.level_index().checked_shl(u32::from(TILE_HEIGHT))?;
        let needed = (first + width).checked_shl(level)?;
        if needed > self.size() {
            return None;
        }
        if tile.is_data() {
            let mut out = Vec::new();
            for id in first..first + width {
                out.extend_from_slice(self.record(id)?);
            }
            return Some(out);
        }
        tile.read_data(&Stored(&self.hashes)).ok()
    }
}

/// Signs `text` (which ends in a newline) as a note.
pub fn sign(text: &str, signer: &StandardSigner) -> Vec<u8> {
    let mut note = Note::new(text.as_bytes(), &[]).expect("well-formed note text");
    note.add_sigs(&[signer as &dyn Signer])
        .expect("valid signer");
    note.to_bytes()
}
