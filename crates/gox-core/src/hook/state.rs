//! The hook's memory, kept in one environment variable ([`STATE_VAR`]) of the shell it
//! runs in: what it added to PATH, what it set and what each variable held before, the
//! fingerprint of the last full run, and the last warning it printed.
//!
//! Keeping it in the shell's own environment (rather than in a file) makes it per shell,
//! inherited correctly by subshells (whose environment is a copy of the same state), and
//! free to read: the fast path parses one short string.
//!
//! The encoding is one printable line of `;`-separated fields, the first being the format
//! version: `1;f=<fingerprint>;p=<added PATH entry>…;v=<NAME>=<previous>=<value>…;w=<warning key>`,
//! where a previous value is `-` (unset) or `+` followed by the value, and `%`, `;`, `=`
//! and control characters inside values are written `%XX`.

use std::path::PathBuf;

/// The environment variable holding the state.
pub const STATE_VAR: &str = "__GOX_STATE";

const FORMAT: &str = "1";

/// What the hook did to the shell's environment, so it can be undone exactly.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct State {
    /// The [`fingerprint`](super::fingerprint) of the last full run.
    pub fingerprint: String,
    /// PATH entries the hook put in front, in order. Removed by value, so entries the user
    /// added afterwards (anywhere) stay.
    pub path: Vec<PathBuf>,
    /// Variables the hook set, each with the value it replaced.
    pub vars: Vec<VarChange>,
    /// The key of the last warning printed, so the same one is not repeated on every
    /// prompt (or on every directory of the same project).
    pub warned: Option<String>,
}

/// A variable the hook set.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VarChange {
    pub name: String,
    /// What it held before the hook set it (`None`: unset).
    pub previous: Option<String>,
    /// What the hook set it to. If the variable holds something else now, the user changed
    /// it since, and their value wins over restoring `previous`.
    pub value: String,
}

impl State {
    /// The one-line form stored in [`STATE_VAR`].
    pub fn encode(&self) -> String {
        let mut out = String::from(FORMAT);
        out.push_str(";f=");
        escape_into(&mut out, &self.fingerprint);
        for entry in &self.path {
            out.push_str(";p=");
            escape_into(&mut out, &entry.to_string_lossy());
        }
        for var in &self.vars {
            out.push_str(";v=");
            escape_into(&mut out, &var.name);
            out.push('=');
            match &var.previous {
                None => out.push('-'),
                Some(previous) => {
                    out.push('+');
                    escape_into(&mut out, previous);
                }
            }
            out.push('=');
            escape_into(&mut out, &var.value);
        }
        if let Some(warned) = &self.warned {
            out.push_str(";w=");
            escape_into(&mut out, warned);
        }
        out
    }

    /// Parses [`encode`](Self::encode)'s output. Anything else (another format version, a
    /// value mangled by hand) is `None`: the hook then starts afresh.
    pub fn decode(text: &str) -> Option<Self> {
        let mut fields = text.split(';');
        if fields.next()? != FORMAT {
            return None;
        }
        let mut state = State::default();
        for field in fields {
            let (key, value) = field.split_once('=')?;
            match key {
                "f" => state.fingerprint = unescape(value)?,
                "p" => state.path.push(PathBuf::from(unescape(value)?)),
                "v" => {
                    let mut parts = value.split('=');
                    let (name, previous, set) = (parts.next()?, parts.next()?, parts.next()?);
                    if parts.next().is_some() || name.is_empty() {
                        return None;
                    }
                    let previous = match previous.split_at_checked(1)? {
                        ("-", "") => None,
                        ("+", rest) => Some(unescape(rest)?),
                        _ => return None,
                    };
                    state.vars.push(VarChange {
                        name: unescape(name)?,
                        previous,
                        value: unescape(set)?,
                    });
                }
                "w" => state.warned = Some(unescape(value)?),
                // Fields a newer gox may add are skipped rather than fatal.
                _ => {}
            }
        }
        Some(state)
    }
}

fn needs_escape(c: char) -> bool {
    matches!(c, '%' | ';' | '=') || c.is_control()
}

fn escape_into(out: &mut String, value: &str) {
    for c in value.chars() {
        if needs_escape(c) {
            let mut buf = [0u8; 4];
            for byte in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{byte:02X}"));
            }
        } else {
            out.push(c);
        }
    }
}

fn unescape(value: &str) -> Option<String> {
    if !value.contains('%') {
        return Some(value.to_owned());
    }
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> State {
        State {
            fingerprint: "0123456789abcdef".into(),
            path: vec![
                PathBuf::from("/h/toolchains/go1.22.10.linux-amd64/bin"),
                PathBuf::from("/odd;dir=x%y\n/bin"),
            ],
            vars: vec![
                VarChange {
                    name: "GOROOT".into(),
                    previous: None,
                    value: "/h/toolchains/go1.22.10.linux-amd64".into(),
                },
                VarChange {
                    name: "GOPATH".into(),
                    previous: Some("/home/u/go;=%".into()),
                    value: "/h/gopath/linux-amd64".into(),
                },
                VarChange {
                    name: "GOFLAGS".into(),
                    previous: Some(String::new()),
                    value: String::new(),
                },
            ],
            warned: Some("Go 1.23.0 is selected by /p/.go-version:1".into()),
        }
    }

    #[test]
    fn round_trips_hostile_values() {
        let state = sample();
        let text = state.encode();
        assert!(!text.contains('\n'), "{text}");
        assert_eq!(State::decode(&text), Some(state));
        assert_eq!(
            State::decode(&State::default().encode()),
            Some(State::default())
        );
    }

    #[test]
    fn encoding_is_readable() {
        let state = State {
            fingerprint: "ff".into(),
            path: vec![PathBuf::from("/a/bin")],
            vars: vec![VarChange {
                name: "GOROOT".into(),
                previous: Some("/usr/local/go".into()),
                value: "/a".into(),
            }],
            warned: None,
        };
        assert_eq!(state.encode(), "1;f=ff;p=/a/bin;v=GOROOT=+/usr/local/go=/a");
    }

    #[test]
    fn garbage_is_no_state() {
        for text in [
            "",
            "2;f=ff",
            "1;f",
            "1;v=GOROOT=/x",
            "1;v=GOROOT=?x=/y",
            "1;v==-=/y",
            "1;p=%zz",
            "1;p=%4",
            "1;p=%FF",
        ] {
            assert_eq!(State::decode(text), None, "{text:?}");
        }
        // Unknown fields from a newer gox are skipped.
        assert_eq!(
            State::decode("1;f=ab;x=whatever").map(|s| s.fingerprint),
            Some("ab".into())
        );
    }
}
