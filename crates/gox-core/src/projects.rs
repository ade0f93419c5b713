//! The projects record: `GOX_HOME/projects`, one absolute directory per line, naming the
//! project directories gox has resolved a version for (`gox use`, `gox install` with no
//! spec, the shell hook on a `cd`). `gox prune` keeps what they select and `gox upgrade
//! --pins` rewrites their pins.
//!
//! Recording is on hot-ish paths (the shell hook's slow path), so it costs one read of a
//! small file and, only for a new directory, one `O_APPEND` write of one line: appends of a
//! line are atomic, so concurrent shells never interleave or lose each other's lines, and
//! nothing is rewritten. Entries whose directory is gone are dropped by [`load_live`], which
//! readers (prune, upgrade) call; it is the only writer that rewrites the file.

use std::fs::{self, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use crate::layout::Layout;
use crate::select::{Origin, Selection};

#[derive(Debug, thiserror::Error)]
#[error("cannot {op} {}: {source}", path.display())]
pub struct ProjectsError {
    op: &'static str,
    path: PathBuf,
    source: io::Error,
}

impl ProjectsError {
    fn new(op: &'static str, path: &Path, source: io::Error) -> Self {
        Self {
            op,
            path: path.to_path_buf(),
            source,
        }
    }
}

/// The directory a selection belongs to: the one holding the file that decided
/// (`.go-version`, `.tool-versions`, go.work, go.mod). `None` for `GOX_VERSION` and the
/// global default, which belong to no project.
pub fn project_dir(selection: &Selection) -> Option<&Path> {
    match selection.source.origin {
        Origin::GoxVersionEnv | Origin::DefaultFile => None,
        _ => selection.source.path.as_deref()?.parent(),
    }
}

/// Every recorded directory, in recording order, without duplicates; stale ones included.
/// A missing file is an empty record.
pub fn load(layout: &Layout) -> Result<Vec<PathBuf>, ProjectsError> {
    let path = layout.projects_file();
    match fs::read_to_string(&path) {
        Ok(text) => Ok(parse(&text)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(e) => Err(ProjectsError::new("read", &path, e)),
    }
}

/// The recorded directories that still exist. When some are gone (deleted projects), the
/// file is rewritten without them (atomically: a temporary file renamed over it).
pub fn load_live(layout: &Layout) -> Result<Vec<PathBuf>, ProjectsError> {
    let all = load(layout)?;
    let live: Vec<PathBuf> = all.iter().filter(|dir| dir.is_dir()).cloned().collect();
    if live.len() != all.len() {
        let path = layout.projects_file();
        let tmp = path.with_extension("gox-new");
        fs::write(&tmp, render(&live)).map_err(|e| ProjectsError::new("write", &tmp, e))?;
        fs::rename(&tmp, &path).map_err(|e| ProjectsError::new("replace", &path, e))?;
    }
    Ok(live)
}

/// Records `dir` (absolute) unless it is already recorded. Returns whether it was added.
/// Paths that cannot be one line of UTF-8 (a newline in the name) are not recorded.
pub fn record(layout: &Layout, dir: &Path) -> Result<bool, ProjectsError> {
    let Some(line) = dir
        .to_str()
        .filter(|s| dir.is_absolute() && !s.contains('\n'))
    else {
        return Ok(false);
    };
    if load(layout)?.iter().any(|known| known == dir) {
        return Ok(false);
    }
    let path = layout.projects_file();
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).map_err(|e| ProjectsError::new("create", parent, e))?;
    }
    let mut file = OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .map_err(|e| ProjectsError::new("open", &path, e))?;
    // One write per line: O_APPEND makes it land whole at the end even with other writers.
    file.write_all(format!("{line}\n").as_bytes())
        .map_err(|e| ProjectsError::new("append to", &path, e))?;
    Ok(true)
}

/// [`record`] for the directory a selection came from, if it has one; errors are ignored
/// because the record is a convenience for prune/upgrade and must never fail a command.
pub fn record_selection(layout: &Layout, selection: &Selection) {
    if let Some(dir) = project_dir(selection) {
        let _ = record(layout, dir);
    }
}

/// Whether `text` is a projects record as [`record`] writes it: nothing but absolute
/// directories, one a line (blank lines aside). `gox self uninstall --all` removes a
/// `projects` file only then: under a shared GOX_HOME, one holding anything else is a user's.
pub fn is_projects_file(text: &str) -> bool {
    lines(text).all(|line| Path::new(line).is_absolute())
}

fn parse(text: &str) -> Vec<PathBuf> {
    let mut seen = Vec::<PathBuf>::new();
    for line in lines(text) {
        let dir = PathBuf::from(line);
        if dir.is_absolute() && !seen.contains(&dir) {
            seen.push(dir);
        }
    }
    seen
}

/// The non-blank lines of a projects file (CRLF tolerated).
fn lines(text: &str) -> impl Iterator<Item = &str> {
    text.lines()
        .map(|l| l.trim_end_matches('\r'))
        .filter(|l| !l.is_empty())
}

fn render(dirs: &[PathBuf]) -> String {
    dirs.iter()
        .filter_map(|d| d.to_str())
        .map(|d| format!("{d}\n"))
        .collect()
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use crate::select::{Request, Source};
    use crate::version::Spec;

    fn layout(dir: &Path) -> Layout {
        Layout::at(dir.join("home"), dir.join("cache"), dir.join("c.toml"))
    }

    #[test]
    fn records_once_and_drops_stale_entries() {
        let tmp = tempfile::tempdir().unwrap();
        let layout = layout(tmp.path());
        let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
        fs::create_dir_all(&a).unwrap();
        fs::create_dir_all(&b).unwrap();
        assert!(load(&layout).unwrap().is_empty());
        assert!(record(&layout, &a).unwrap());
        assert!(!record(&layout, &a).unwrap());
        assert!(record(&layout, &b).unwrap());
        assert!(!record(&layout, Path::new("relative")).unwrap());
        assert_eq!(load(&layout).unwrap(), [a.clone(), b.clone()]);
        fs::remove_dir(&a).unwrap();
        assert_eq!(load_live(&layout).unwrap(), std::slice::from_ref(&b));
        assert_eq!(
            fs::read_to_string(layout.projects_file()).unwrap(),
            format!("{}\n", b.display())
        );
    }

    #[test]
    fn parse_skips_junk_and_duplicates() {
        assert_eq!(
            parse("/a\r\n\nrel\n/b\n/a\n"),
            [PathBuf::from("/a"), PathBuf::from("/b")]
        );
    }

    #[test]
    fn what_record_writes_is_a_projects_file_and_notes_are_not() {
        let tmp = tempfile::tempdir().unwrap();
        let layout = layout(tmp.path());
        for dir in ["a", "b c"] {
            fs::create_dir_all(tmp.path().join(dir)).unwrap();
            record(&layout, &tmp.path().join(dir)).unwrap();
        }
        let written = fs::read_to_string(layout.projects_file()).unwrap();
        assert!(is_projects_file(&written), "{written:?}");
        assert!(is_projects_file("/a\r\n\r\n/b\n"));
        assert!(is_projects_file(""));
        for notes in ["myapp\n", "/a\ncall the bank\n", "TODO: /a\n"] {
            assert!(!is_projects_file(notes), "{notes:?}");
        }
    }

    #[test]
    fn project_dir_is_the_deciding_file_s_directory() {
        let selection = |origin, path: Option<&str>| Selection {
            request: Request::Spec(Spec::parse("1.22").unwrap()),
            source: Source {
                origin,
                path: path.map(PathBuf::from),
                line: Some(1),
            },
            raw: "1.22".into(),
        };
        assert_eq!(
            project_dir(&selection(Origin::GoVersionFile, Some("/p/.go-version"))),
            Some(Path::new("/p"))
        );
        assert_eq!(
            project_dir(&selection(Origin::GoLine, Some("/w/go.work"))),
            Some(Path::new("/w"))
        );
        assert_eq!(
            project_dir(&selection(Origin::DefaultFile, Some("/h/default"))),
            None
        );
        assert_eq!(project_dir(&selection(Origin::GoxVersionEnv, None)), None);
    }
}
