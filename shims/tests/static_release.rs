//! The Linux release shim is what runs on every `go` call: it must stay fully static (no ELF
//! interpreter, no shared libraries: nothing for the dynamic loader to do before `main`),
//! within its 1 MB budget, and free of heavy dependencies. Not timed: `cargo xtask bench`
//! measures speed (the dist's zig-linked build). Builds the release musl shim with plain
//! cargo into target/musl-shim (incremental when it is already there).
#![cfg(all(target_os = "linux", target_arch = "x86_64"))]

use std::path::{Path, PathBuf};
use std::process::Command;

const TARGET: &str = "x86_64-unknown-linux-musl";
const MAX_SIZE: u64 = 1024 * 1024;
/// Everything the shim may link. A new crate here is a decision (DESIGN.md: no tokio, no
/// reqwest, no clap in the shim), not an accident.
const ALLOWED_CRATES: &[&str] = &[
    "gox-core",
    "gox-shim",
    "gox-verifier",
    // The in-use mark: `open` without O_CLOEXEC + `flock(LOCK_SH)` (shims/src/inuse.rs);
    // std cannot open a descriptor that survives exec. Bindings only, no code of its own.
    "libc",
    "proc-macro2",
    "quote",
    "serde",
    "serde_core",
    "serde_derive",
    "syn",
    "thiserror",
    "thiserror-impl",
    "unicode-ident",
];

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn cargo() -> Command {
    let mut cmd = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    cmd.current_dir(root());
    cmd
}

fn release_shim() -> PathBuf {
    let dir = root().join("target/musl-shim");
    let out = cargo()
        .args([
            "build",
            "--release",
            "--quiet",
            "-p",
            "gox-shim",
            "--target",
            TARGET,
        ])
        .arg("--target-dir")
        .arg(&dir)
        .output()
        .expect("run cargo");
    assert!(
        out.status.success(),
        "cargo build --release --target {TARGET} -p gox-shim failed (needs `rustup target add {TARGET}`):\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    dir.join(TARGET).join("release/gox-shim")
}

/// (has PT_INTERP, DT_NEEDED count) of a 64-bit little-endian ELF.
fn dynamic_facts(elf: &[u8]) -> (bool, usize) {
    let u16_at = |o: usize| u16::from_le_bytes(elf[o..o + 2].try_into().unwrap()) as usize;
    let u32_at = |o: usize| u32::from_le_bytes(elf[o..o + 4].try_into().unwrap());
    let u64_at = |o: usize| u64::from_le_bytes(elf[o..o + 8].try_into().unwrap()) as usize;
    assert_eq!(
        &elf[..6],
        b"\x7fELF\x02\x01",
        "not a 64-bit little-endian ELF"
    );
    let (phoff, phentsize, phnum) = (u64_at(0x20), u16_at(0x36), u16_at(0x38));
    let mut interp = false;
    let mut needed = 0;
    for i in 0..phnum {
        let ph = phoff + i * phentsize;
        match u32_at(ph) {
            3 => interp = true, // PT_INTERP
            2 => {
                // PT_DYNAMIC: (d_tag, d_val) pairs up to DT_NULL; DT_NEEDED = 1.
                let (offset, size) = (u64_at(ph + 8), u64_at(ph + 32));
                for entry in elf[offset..offset + size].chunks_exact(16) {
                    match u64::from_le_bytes(entry[..8].try_into().unwrap()) {
                        0 => break,
                        1 => needed += 1,
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
    (interp, needed)
}

#[test]
fn linux_release_shim_is_static_small_and_lean() {
    let shim = release_shim();
    let bytes = std::fs::read(&shim).expect("read the release shim");
    let (interp, needed) = dynamic_facts(&bytes);
    assert!(
        !interp,
        "{} has an ELF interpreter: not static",
        shim.display()
    );
    assert_eq!(needed, 0, "{} needs shared libraries", shim.display());
    let size = bytes.len() as u64;
    assert!(
        size <= MAX_SIZE,
        "{} is {size} bytes, over the 1 MB budget",
        shim.display()
    );

    let out = cargo()
        .args([
            "tree", "-p", "gox-shim", "-e", "normal", "--prefix", "none", "--target", TARGET,
        ])
        .output()
        .expect("run cargo tree");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let tree = String::from_utf8_lossy(&out.stdout);
    let extra: Vec<&str> = tree
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .filter(|name| !ALLOWED_CRATES.contains(name))
        .collect();
    assert!(extra.is_empty(), "new crates in the shim: {extra:?}");
}

#[test]
fn elf_facts_of_a_dynamic_binary() {
    // The test binary itself is a normal (glibc, dynamically linked) executable: the parser
    // must see its interpreter and libraries, or the static check above proves nothing.
    let me = std::fs::read(std::env::current_exe().unwrap()).unwrap();
    let (interp, needed) = dynamic_facts(&me);
    if cfg!(target_env = "gnu") {
        assert!(interp && needed > 0, "interp {interp}, needed {needed}");
    }
}
