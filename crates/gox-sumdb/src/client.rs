//! Looking up one module version as cmd/go's sumdb client does (x/mod/sumdb `Client.Lookup`):
//!
//! 1. `GET <db>/lookup/<module>@<version>` → `<record id>\n<record lines>\n<signed tree note>`;
//! 2. the tree note must carry a valid signature of the database's key;
//! 3. the tree must extend the last tree head this machine verified (stored in
//!    `<state>/latest`): a consistency proof from hash tiles; otherwise it is a fork;
//! 4. the record must be in the tree: an inclusion proof from hash tiles
//!    (`/tile/8/<level>/<n>[.p/<width>]`, RFC 6962 hashing);
//! 5. only then is the new tree head stored.

use std::cell::RefCell;
use std::path::{Path, PathBuf};

use signed_note::{Note, VerifierList};
use tlog_tiles::{Hash, TileHashReader, TileReader};

use crate::{Database, SumdbError, escape_module_text};

/// Tile height of sum.golang.org and every database cmd/go talks to (x/mod's client
/// hard-codes it too).
pub const TILE_HEIGHT: u8 = 8;

const TREE_PREFIX: &str = "go.sum database tree\n";

/// Why a fetch failed: `NotFound` is a 404/410 answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RemoteError {
    NotFound,
    Other(String),
}

/// The database transport: `get("lookup/golang.org/toolchain@v0.0.1-…")` relative to the
/// database's base URL (direct or through a proxy's `/sumdb/<name>/`).
pub trait Remote {
    fn get(&self, path: &str) -> Result<Vec<u8>, RemoteError>;
    /// The full URL of `path`, for messages.
    fn url(&self, path: &str) -> String;
}

/// A verified lookup.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verified {
    pub record_id: u64,
    /// The size of the signed tree the record was proven in.
    pub tree_size: u64,
    /// The record's go.sum lines (`golang.org/toolchain v0.0.1-… h1:…`).
    pub lines: Vec<String>,
}

impl Verified {
    /// The `h1:` the database recorded for the module zip of `module@version`.
    pub fn zip_hash(&self, module: &str, version: &str) -> Option<&str> {
        let prefix = format!("{module} {version} ");
        self.lines
            .iter()
            .find_map(|l| l.strip_prefix(&prefix))
            .filter(|h| !h.contains(' '))
    }
}

/// A parsed tree head.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Tree {
    size: u64,
    hash: Hash,
}

pub struct Client<'a, R: Remote> {
    db: &'a Database,
    remote: &'a R,
    /// `GOX_HOME/sumdb/<name>`: holds `latest`, the last verified signed tree note.
    state_dir: PathBuf,
}

impl<'a, R: Remote> Client<'a, R> {
    pub fn new(db: &'a Database, remote: &'a R, state_dir: PathBuf) -> Self {
        Client {
            db,
            remote,
            state_dir,
        }
    }

    pub fn latest_path(&self) -> PathBuf {
        self.state_dir.join("latest")
    }

    /// Looks up `module@version` and proves the record (see the module docs).
    pub fn lookup(&self, module: &str, version: &str) -> Result<Verified, SumdbError> {
        let path = format!(
            "lookup/{}@{}",
            escape_module_text(module),
            escape_module_text(version)
        );
        let url = self.remote.url(&path);
        let body = match self.remote.get(&path) {
            Ok(b) => b,
            Err(RemoteError::NotFound) => {
                return Err(SumdbError::MissingRecord {
                    name: self.db.name.clone(),
                    module: module.to_string(),
                    version: version.to_string(),
                    url,
                });
            }
            Err(RemoteError::Other(detail)) => return Err(self.remote_error(url, detail)),
        };
        let (id, text, note) = parse_record(&body).map_err(|detail| SumdbError::Malformed {
            name: self.db.name.clone(),
            what: "lookup response",
            url: url.clone(),
            detail,
        })?;
        let tree = self.verify_note(note, &url)?;
        self.check_consistency(&tree)?;
        if id >= tree.size {
            return Err(self.not_included(
                module,
                version,
                id,
                &tree,
                "the id is past the tree's end",
            ));
        }
        let reader = self.tiles(tree);
        let proof = tlog_tiles::prove_record(tree.size, id, &reader.hashes())
            .map_err(|e| self.tile_error(&reader, e, module, version, id, &tree))?;
        tlog_tiles::check_record(
            &proof,
            tree.size,
            tree.hash,
            id,
            tlog_tiles::record_hash(text),
        )
        .map_err(|e| self.not_included(module, version, id, &tree, &e.to_string()))?;
        self.store_latest(note, &tree)?;
        let lines = std::str::from_utf8(text)
            .map_err(|_| SumdbError::Malformed {
                name: self.db.name.clone(),
                what: "record",
                url,
                detail: "not UTF-8".into(),
            })?
            .lines()
            .map(str::to_string)
            .collect();
        Ok(Verified {
            record_id: id,
            tree_size: tree.size,
            lines,
        })
    }

    /// Checks a signed tree note with the database key and parses the tree it signs.
    fn verify_note(&self, msg: &[u8], url: &str) -> Result<Tree, SumdbError> {
        let bad = |detail: String| SumdbError::BadSignature {
            name: self.db.name.clone(),
            url: url.to_string(),
            key: self.db.key.clone(),
            detail,
        };
        let note = Note::from_bytes(msg).map_err(|e| bad(format!("malformed note: {e}")))?;
        let known = VerifierList::new(vec![Box::new(self.db.verifier())]);
        let (verified, _) = note.verify(&known).map_err(|e| bad(e.to_string()))?;
        if verified.is_empty() {
            return Err(bad("no signature by the database key".into()));
        }
        parse_tree(note.text()).map_err(|detail| SumdbError::Malformed {
            name: self.db.name.clone(),
            what: "tree note",
            url: url.to_string(),
            detail,
        })
    }

    /// The new tree must be consistent with the stored one: same size → same hash; larger →
    /// a consistency proof from the new tree's tiles; smaller → a proof from the stored
    /// tree's tiles (an older but honest head is fine and not stored).
    fn check_consistency(&self, new: &Tree) -> Result<(), SumdbError> {
        let latest = self.latest_path();
        let old_note = match std::fs::read(&latest) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(source) => {
                return Err(SumdbError::State {
                    path: latest,
                    source,
                });
            }
        };
        let old = self.verify_note(&old_note, &latest.display().to_string())?;
        let fork = || {
            SumdbError::Fork(Box::new(crate::error::Fork {
                name: self.db.name.clone(),
                old_size: old.size,
                old_hash: old.hash.to_string(),
                new_size: new.size,
                new_hash: new.hash.to_string(),
                latest: latest.clone(),
            }))
        };
        if old.size == new.size {
            return if old.hash == new.hash {
                Ok(())
            } else {
                Err(fork())
            };
        }
        let (small, big) = if old.size < new.size {
            (old, *new)
        } else {
            (*new, old)
        };
        if small.size == 0 {
            return Ok(());
        }
        let reader = self.tiles(big);
        let proof = match tlog_tiles::prove_tree(big.size, small.size, &reader.hashes()) {
            Ok(p) => p,
            // Tiles that do not hash to the signed tree are the fork's other symptom.
            Err(tlog_tiles::Error::InconsistentTile | tlog_tiles::Error::InvalidProof) => {
                return Err(fork());
            }
            Err(e) => return Err(self.remote_error(self.remote.url("tile/"), reader.error_or(e))),
        };
        tlog_tiles::check_tree(&proof, big.size, big.hash, small.size, small.hash)
            .map_err(|_| fork())
    }

    fn store_latest(&self, note: &[u8], tree: &Tree) -> Result<(), SumdbError> {
        let latest = self.latest_path();
        if let Ok(old) = std::fs::read(&latest)
            && let Ok(t) = parse_tree_note_unverified(&old)
            && t.size >= tree.size
        {
            return Ok(());
        }
        let state = |source| SumdbError::State {
            path: latest.clone(),
            source,
        };
        std::fs::create_dir_all(&self.state_dir).map_err(state)?;
        let tmp = tempfile_path(&latest);
        std::fs::write(&tmp, note).map_err(state)?;
        std::fs::rename(&tmp, &latest).map_err(state)
    }

    fn tiles(&self, tree: Tree) -> RemoteTiles<'_, R> {
        RemoteTiles {
            remote: self.remote,
            tree,
            error: RefCell::new(None),
        }
    }

    fn remote_error(&self, url: String, detail: String) -> SumdbError {
        SumdbError::Remote {
            name: self.db.name.clone(),
            url,
            detail,
        }
    }

    fn tile_error(
        &self,
        reader: &RemoteTiles<'_, R>,
        e: tlog_tiles::Error,
        module: &str,
        version: &str,
        id: u64,
        tree: &Tree,
    ) -> SumdbError {
        match e {
            tlog_tiles::Error::InconsistentTile | tlog_tiles::Error::InvalidProof => {
                self.not_included(module, version, id, tree, &e.to_string())
            }
            e => self.remote_error(self.remote.url("tile/"), reader.error_or(e)),
        }
    }

    fn not_included(
        &self,
        module: &str,
        version: &str,
        id: u64,
        tree: &Tree,
        detail: &str,
    ) -> SumdbError {
        SumdbError::NotIncluded {
            name: self.db.name.clone(),
            module: module.to_string(),
            version: version.to_string(),
            id,
            tree_size: tree.size,
            detail: detail.to_string(),
        }
    }
}

fn tempfile_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".tmp{}", std::process::id()));
    path.with_file_name(name)
}

/// Splits a lookup response (x/mod `tlog.ParseRecord`): the decimal id line, the record text
/// up to and including its last newline before a blank line, then the signed note.
fn parse_record(msg: &[u8]) -> Result<(u64, &[u8], &[u8]), String> {
    let nl = msg
        .iter()
        .position(|&b| b == b'\n')
        .ok_or("no record id line")?;
    let id_text = std::str::from_utf8(&msg[..nl]).map_err(|_| "record id is not text")?;
    if id_text.is_empty() || !id_text.bytes().all(|b| b.is_ascii_digit()) || id_text.len() > 19 {
        return Err(format!("bad record id {id_text:?}"));
    }
    let id: u64 = id_text
        .parse()
        .map_err(|_| format!("bad record id {id_text:?}"))?;
    let rest = &msg[nl + 1..];
    let blank = rest
        .windows(2)
        .position(|w| w == b"\n\n")
        .ok_or("no blank line between the record and the tree note")?;
    Ok((id, &rest[..blank + 1], &rest[blank + 2..]))
}

/// x/mod `tlog.ParseTree`: `go.sum database tree\n<size>\n<base64 hash>\n`.
fn parse_tree(text: &[u8]) -> Result<Tree, String> {
    let text = std::str::from_utf8(text).map_err(|_| "not UTF-8".to_string())?;
    let body = text
        .strip_prefix(TREE_PREFIX)
        .ok_or("does not start with `go.sum database tree`")?;
    let mut lines = body.split('\n');
    let (Some(size), Some(hash), Some("")) = (lines.next(), lines.next(), lines.next()) else {
        return Err("want exactly a size line and a hash line".into());
    };
    if lines.next().is_some() {
        return Err("trailing lines after the hash".into());
    }
    let size: u64 = size
        .parse()
        .map_err(|_| format!("bad tree size {size:?}"))?;
    let hash = Hash::parse_hash(hash).map_err(|e| format!("bad tree hash: {e}"))?;
    Ok(Tree { size, hash })
}

/// The tree in a note whose signature was already checked when it was stored.
fn parse_tree_note_unverified(msg: &[u8]) -> Result<Tree, String> {
    let note = Note::from_bytes(msg).map_err(|e| e.to_string())?;
    parse_tree(note.text())
}

/// Hash tiles fetched from the database, authenticated against a signed tree by
/// `TileHashReader`.
struct RemoteTiles<'a, R: Remote> {
    remote: &'a R,
    tree: Tree,
    /// The transport error behind a failed read, for the message.
    error: RefCell<Option<String>>,
}

impl<R: Remote> RemoteTiles<'_, R> {
    fn hashes(&self) -> TileHashReader<'_> {
        TileHashReader::new(self.tree.size, self.tree.hash, self)
    }

    fn error_or(&self, e: tlog_tiles::Error) -> String {
        self.error
            .borrow_mut()
            .take()
            .unwrap_or_else(|| e.to_string())
    }
}

impl<R: Remote> TileReader for RemoteTiles<'_, R> {
    fn height(&self) -> u8 {
        TILE_HEIGHT
    }

    fn read_tiles(&self, tiles: &[tlog_tiles::Tile]) -> Result<Vec<Vec<u8>>, tlog_tiles::Error> {
        let mut out = Vec::with_capacity(tiles.len());
        for tile in tiles {
            let path = tile.path();
            let data = self.remote.get(&path).map_err(|e| {
                let detail = match e {
                    RemoteError::NotFound => format!("{}: not found", self.remote.url(&path)),
                    RemoteError::Other(d) => format!("{}: {d}", self.remote.url(&path)),
                };
                *self.error.borrow_mut() = Some(detail.clone());
                tlog_tiles::Error::InvalidInput(detail)
            })?;
            // TileHashReader indexes into the data: a short tile must be an error, not a panic.
            if data.len() != tile.width() as usize * tlog_tiles::HASH_SIZE {
                let detail = format!(
                    "{}: {} bytes, want {}",
                    self.remote.url(&path),
                    data.len(),
                    tile.width() as usize * tlog_tiles::HASH_SIZE
                );
                *self.error.borrow_mut() = Some(detail.clone());
                return Err(tlog_tiles::Error::InvalidInput(detail));
            }
            out.push(data);
        }
        Ok(out)
    }

    fn save_tiles(&self, _tiles: &[tlog_tiles::Tile], _data: &[Vec<u8>]) {}
}
