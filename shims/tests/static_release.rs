//! The Linux release shim is what runs on every `go` call: it must stay fully static (no ELF
//! interpreter, no shared libraries: nothing for the dynamic loader to do before `main`),
//! built without std (the replayer of shims/src/replay.rs), small, and free of heavy
//! dependencies. Not timed: `cargo xtask bench` measures speed (the dist's build). Builds the
//! release musl shim with plain cargo into target/musl-shim (incremental when it is already
//! there).
#![cfg(all(target_os = "linux", target_arch = "x86_64"))]

use std::path::{Path, PathBuf};
use std::process::Command;

const TARGET: &str = "x86_64-unknown-linux-musl";
const MAX_SIZE: u64 = 1024 * 1024;
/// The replayer without std or alloc: tens of KiB. A std shim was ~500 KB.
const MAX_NO_STD_SIZE: u64 = 128 * 1024;
/// std's panic machinery reads this variable: any binary that links std carries the string.
const STD_MARKER: &[u8] = b"RUST_BACKTRACE";
/// Everything the shim package may link. A new crate here is a decision (DESIGN.md: no tokio,
/// no reqwest, no clap in the shim), not an accident. The Linux binary itself links only
/// gox-plan and libc (the no-std test below); the rest is the package's library: the std
/// planner that `gox` runs, and the shim of macOS and Windows.
const ALLOWED_CRATES: &[&str] = &[
    // The library's decisions: pins, config, layout and version selection, shared with gox.
    "gox-core",
    // The plan record, written by the planner and replayed by the Linux binary: no_std, no
    // dependencies, no allocation.
    "gox-plan",
    "gox-shim",
    // The library checks a toolchain's `go` header (format, CPU) before it execs it.
    "gox-verifier",
    // The replayer's system calls (it has no std), and the in-use mark: `open` without
    // O_CLOEXEC + `flock(LOCK_SH)` (shims/src/inuse.rs); std cannot open a descriptor that
    // survives exec. Bindings only, no code of its own.
    "libc",
    // gox-core's serializable types (`serde_core` is serde's trait half, `serde_derive` its
    // derive); the proc-macro crates below run at build time and link nothing into the shim.
    "serde",
    "serde_core",
    "serde_derive",
    // gox-core's and gox-verifier's error types (`thiserror-impl` is its derive).
    "thiserror",
    "thiserror-impl",
    // The derives' own dependencies, build time only.
    "proc-macro2",
    "quote",
    "syn",
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
fn linux_release_shim_is_built_without_std() {
    let shim = release_shim();
    let bytes = std::fs::read(&shim).expect("read the release shim");
    let size = bytes.len() as u64;
    let why = "a dependency or a feature pulled std or alloc into the replayer \
               (shims/src/main.rs is no_std for release builds), and every `go` run pays \
               for std's start-up and its larger binary";
    assert!(
        !bytes.windows(STD_MARKER.len()).any(|w| w == STD_MARKER),
        "{} links std (it holds {:?}): {why}",
        shim.display(),
        String::from_utf8_lossy(STD_MARKER)
    );
    assert!(
        size < MAX_NO_STD_SIZE,
        "{} is {size} bytes, not under {MAX_NO_STD_SIZE}: {why}",
        shim.display()
    );
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
