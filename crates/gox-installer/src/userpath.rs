//! Windows' user PATH (the `Path` value of `HKEY_CURRENT_USER\Environment`): what cmd.exe,
//! PowerShell, Explorer and every program started from it (IDEs included) inherit, where a
//! `$PROFILE` line reaches PowerShell only. `gox setup --user-path` puts the shims, gox's
//! own directory and the host's GOPATH/bin (where `go install` puts tools) first in it;
//! `gox self uninstall` takes them out again as part of its plan
//! ([`crate::self_uninstall`]).
//!
//! The value is edited as text, entry by entry, and written back with its registry type:
//! entries like `%USERPROFILE%\bin` stay unexpanded (reading it through the environment
//! would expand them for good). The decisions are pure functions, tested everywhere; the
//! registry access is Windows-only and thin.

/// One PATH entry as Windows compares them: case does not matter, nor a trailing `\`.
fn same_entry(a: &str, b: &str) -> bool {
    let trim = |s: &str| s.trim().trim_end_matches(['\\', '/']).to_lowercase();
    trim(a) == trim(b)
}

/// The entries of `raw` (a user PATH value), as written there.
pub fn entries(raw: &str) -> impl Iterator<Item = &str> {
    raw.split(';').filter(|e| !e.trim().is_empty())
}

/// `raw` (a user PATH value) with those of `dirs` that are not in it yet put first, in
/// their order, and which ones those are; None when every one is there already.
pub fn with_dirs<'d>(raw: &str, dirs: &'d [String]) -> Option<(String, Vec<&'d str>)> {
    let entries: Vec<&str> = entries(raw).collect();
    let missing: Vec<&str> = dirs
        .iter()
        .map(String::as_str)
        .filter(|d| !entries.iter().any(|e| same_entry(e, d)))
        .collect();
    if missing.is_empty() {
        return None;
    }
    let new = missing.iter().chain(&entries).copied().collect::<Vec<_>>();
    Some((new.join(";"), missing))
}

/// Whether the PATH entry `entry` names one of `dirs`.
pub fn names_one_of(entry: &str, dirs: &[String]) -> bool {
    dirs.iter().any(|d| same_entry(entry, d))
}

/// `raw` without the entries that name one of `dirs`; None when it has none of them.
pub fn without_dirs(raw: &str, dirs: &[String]) -> Option<String> {
    let entries: Vec<&str> = entries(raw).collect();
    let kept: Vec<&str> = entries
        .iter()
        .copied()
        .filter(|e| !names_one_of(e, dirs))
        .collect();
    (kept.len() != entries.len()).then(|| kept.join(";"))
}

/// Where the user PATH lives, for messages.
pub const LOCATION: &str = r"HKEY_CURRENT_USER\Environment\Path";

#[cfg(windows)]
mod registry {
    use std::io;

    use winreg::enums::{HKEY_CURRENT_USER, KEY_READ, KEY_WRITE, RegType};
    use winreg::{RegKey, RegValue};

    /// The user PATH's text, unexpanded, and its registry type (`REG_EXPAND_SZ` for a
    /// value that does not exist yet, as Windows' own editor writes it).
    fn value(key: &RegKey) -> io::Result<(String, RegType)> {
        match key.get_raw_value("Path") {
            Ok(value) => Ok((utf16_text(&value.bytes), value.vtype)),
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                Ok((String::new(), RegType::REG_EXPAND_SZ))
            }
            Err(e) => Err(e),
        }
    }

    pub fn read() -> io::Result<String> {
        let key = RegKey::predef(HKEY_CURRENT_USER).open_subkey("Environment")?;
        value(&key).map(|(text, _)| text)
    }

    /// Applies `change` to the user PATH's text; returns whether it wrote anything.
    pub fn edit(change: impl FnOnce(&str) -> Option<String>) -> io::Result<bool> {
        let key = RegKey::predef(HKEY_CURRENT_USER)
            .open_subkey_with_flags("Environment", KEY_READ | KEY_WRITE)?;
        let (text, vtype) = value(&key)?;
        let Some(new) = change(&text) else {
            return Ok(false);
        };
        let bytes: Vec<u8> = new
            .encode_utf16()
            .chain([0])
            .flat_map(u16::to_le_bytes)
            .collect();
        key.set_raw_value(
            "Path",
            &RegValue {
                bytes: bytes.into(),
                vtype,
            },
        )?;
        announce();
        Ok(true)
    }

    fn utf16_text(bytes: &[u8]) -> String {
        let units: Vec<u16> = bytes
            .chunks_exact(2)
            .map(|p| u16::from_le_bytes([p[0], p[1]]))
            .take_while(|&u| u != 0)
            .collect();
        String::from_utf16_lossy(&units)
    }

    /// Tells running programs (Explorer above all, which starts the next cmd.exe) that the
    /// environment changed, as Windows' own editor does; without it the change shows only
    /// after the next sign-in. Programs that do not answer within a second are skipped.
    fn announce() {
        use windows_sys::Win32::UI::WindowsAndMessaging::{
            HWND_BROADCAST, SMTO_ABORTIFHUNG, SendMessageTimeoutW, WM_SETTINGCHANGE,
        };
        let name: Vec<u16> = "Environment".encode_utf16().chain([0]).collect();
        // SAFETY: a broadcast with a NUL-terminated string that outlives the call; the
        // result pointer may be null.
        unsafe {
            SendMessageTimeoutW(
                HWND_BROADCAST,
                WM_SETTINGCHANGE,
                0,
                name.as_ptr() as isize,
                SMTO_ABORTIFHUNG,
                1000,
                std::ptr::null_mut(),
            );
        }
    }
}

/// Puts `dirs` first in the user PATH (those not there yet); returns the ones added.
#[cfg(windows)]
pub fn add(dirs: &[String]) -> std::io::Result<Vec<String>> {
    let mut added = Vec::new();
    registry::edit(|text| {
        let (new, missing) = with_dirs(text, dirs)?;
        added = missing.into_iter().map(str::to_owned).collect();
        Some(new)
    })?;
    Ok(added)
}

/// The user PATH's text, for [`present`]; None where there is no user PATH (off Windows)
/// or it cannot be read (then nothing is planned to leave it, and nothing does).
#[cfg(windows)]
pub fn read() -> Option<String> {
    registry::read().ok()
}

#[cfg(not(windows))]
pub fn read() -> Option<String> {
    None
}

/// Takes `dirs` out of the user PATH; returns whether any was there.
#[cfg(windows)]
pub fn remove(dirs: &[String]) -> std::io::Result<bool> {
    registry::edit(|text| without_dirs(text, dirs))
}

/// Off Windows there is no user PATH: [`read`] gives None, so no plan gets here.
#[cfg(not(windows))]
pub fn remove(_dirs: &[String]) -> std::io::Result<bool> {
    Err(std::io::ErrorKind::Unsupported.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dirs(d: &[&str]) -> Vec<String> {
        d.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn dirs_go_first_once() {
        let raw = r"%USERPROFILE%\bin;C:\Tools;";
        let shims = dirs(&[r"C:\Users\me\AppData\Local\gox\shims", r"C:\Users\me\bin"]);
        let (new, added) = with_dirs(raw, &shims).unwrap();
        assert_eq!(added, shims);
        assert_eq!(
            new,
            r"C:\Users\me\AppData\Local\gox\shims;C:\Users\me\bin;%USERPROFILE%\bin;C:\Tools"
        );
        // Again: nothing to do, also when spelled in another case or with a trailing `\`.
        assert_eq!(with_dirs(&new, &shims), None);
        let other_spelling = r"c:\users\ME\appdata\local\gox\shims\;C:\Users\me\bin";
        assert_eq!(with_dirs(other_spelling, &shims), None);
        assert_eq!(with_dirs("", &shims[..1]).unwrap().0, shims[0]);
        // Only what was missing counts as added.
        let (_, added) = with_dirs(r"C:\Users\me\bin", &shims).unwrap();
        assert_eq!(added, [shims[0].as_str()]);
    }

    #[test]
    fn removal_takes_only_those_dirs() {
        let raw = r"C:\gox\shims;%USERPROFILE%\bin;c:\GOX\shims\;C:\Tools";
        assert_eq!(
            without_dirs(raw, &dirs(&[r"C:\gox\shims"])).unwrap(),
            r"%USERPROFILE%\bin;C:\Tools"
        );
        assert_eq!(without_dirs(raw, &dirs(&[r"C:\other"])), None);
        let planned = dirs(&[r"C:\other", r"C:\GOX\Shims", r"C:\Tools\"]);
        let named: Vec<&str> = entries(raw).filter(|e| names_one_of(e, &planned)).collect();
        assert_eq!(named, [r"C:\gox\shims", r"c:\GOX\shims\", r"C:\Tools"]);
        assert!(!names_one_of(r"%USERPROFILE%\bin", &planned));
    }
}
