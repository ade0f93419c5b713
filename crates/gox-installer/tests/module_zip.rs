//! Module-zip extraction as cmd/go unpacks a toolchain: prefix stripped and enforced,
//! `_go.mod` copied to `go.mod`, exec bits by cmd/go's rules.

use std::io::{Cursor, Write};

use gox_installer::extract::{ExtractError, Limits, extract_module_zip};

const P: &str = "golang.org/toolchain@v0.0.1-go1.22.10.linux-amd64/";

fn zip_of(entries: &[(&str, &[u8])]) -> tempfile::NamedTempFile {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for (name, data) in entries {
        w.start_file(*name, zip::write::SimpleFileOptions::default())
            .unwrap();
        w.write_all(data).unwrap();
    }
    let bytes = w.finish().unwrap().into_inner();
    let mut f = tempfile::NamedTempFile::new().unwrap();
    f.write_all(&bytes).unwrap();
    f
}

#[test]
fn strips_the_prefix_restores_go_mod_and_sets_exec_bits() {
    let z = zip_of(&[
        (&format!("{P}VERSION"), b"go1.22.10\n"),
        (&format!("{P}bin/go"), b"\x7fELF"),
        (&format!("{P}pkg/tool/linux_amd64/compile"), b"\x7fELF"),
        (&format!("{P}lib/wasm/go_js_wasm_exec"), b"#!/bin/sh\n"),
        (&format!("{P}lib/wasm/wasm_exec.js"), b"//"),
        (&format!("{P}src/_go.mod"), b"module std\n"),
        (&format!("{P}src/cmd/_go.mod"), b"module cmd\n"),
    ]);
    let dest = tempfile::tempdir().unwrap();
    let out = extract_module_zip(z.path(), P, dest.path(), Limits::default()).unwrap();
    let go = dest.path().join("go");
    assert_eq!(out.root, go);
    assert_eq!(
        std::fs::read_to_string(go.join("VERSION")).unwrap(),
        "go1.22.10\n"
    );
    assert_eq!(
        std::fs::read_to_string(go.join("src/go.mod")).unwrap(),
        "module std\n"
    );
    assert_eq!(
        std::fs::read_to_string(go.join("src/cmd/go.mod")).unwrap(),
        "module cmd\n"
    );
    assert!(go.join("src/_go.mod").is_file(), "cmd/go keeps _go.mod too");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let exec =
            |p: &str| std::fs::metadata(go.join(p)).unwrap().permissions().mode() & 0o111 != 0;
        assert!(exec("bin/go"));
        assert!(exec("pkg/tool/linux_amd64/compile"));
        assert!(exec("lib/wasm/go_js_wasm_exec"));
        assert!(!exec("lib/wasm/wasm_exec.js"));
        assert!(!exec("VERSION"));
    }
}

#[test]
fn an_entry_without_the_prefix_is_refused() {
    for stray in [
        "go/VERSION",
        "golang.org/toolchain@v0.0.1-go1.21.0.linux-amd64/VERSION",
        P,
    ] {
        let z = zip_of(&[(&format!("{P}VERSION"), b"go1.22.10\n"), (stray, b"x")]);
        let dest = tempfile::tempdir().unwrap();
        let err = extract_module_zip(z.path(), P, dest.path(), Limits::default()).unwrap_err();
        assert!(
            matches!(err, ExtractError::NotInModule { .. }),
            "{stray}: {err}"
        );
        assert!(err.to_string().contains(P), "{err}");
    }
}
