//! The Linux release shim's hot path, packed together at link time.
//!
//! Why: one shim run executes ~60k instructions in ~170 functions, but LLVM scatters them
//! over all of the shim's ~390 KiB of text, between std's cold backtrace and formatting
//! code. Every 64 KiB window of text a run touches is one page fault mapping 16 pages, and
//! those pages are unmapped again at `exec`. Placing the executed functions first in
//! `.text` (lld's `--symbol-ordering-file`) puts them in two windows: measured in
//! docs/architecture.md, "The shim's start-up".
//!
//! How:
//! - [`LIST`] names the functions a shim run executes, demangled and without crate hashes,
//!   so the list survives rebuilds and compiler updates. `cargo xtask hot-path` regenerates
//!   it with callgrind ([`regenerate`]).
//! - Linux shims are linked by rust-lld through this very program: [`shim_build`] makes
//!   `cargo xtask` the target's linker and sets [`LIST_ENV`] and [`LLD_ENV`]; [`link`] links
//!   once with a map, matches the map's symbols against the list, and links again in that
//!   order. zig's linker driver (the rest of the dist) rejects `--symbol-ordering-file`.
//! - The same link puts the small `.bss` variables before the shim's 64 KiB allocation
//!   arena, so they share the page the kernel already touched at `exec`.

use std::collections::{HashMap, HashSet};
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::Result;
use crate::dist::Target;

/// The hot-path list, relative to the workspace root.
pub const LIST: &str = "shims/hot-path.txt";
/// Set (to the list's path) when this program runs as the linker.
pub const LIST_ENV: &str = "GOX_LINK_HOT_PATH";
/// The rust-lld that does the linking.
pub const LLD_ENV: &str = "GOX_LINK_LLD";
/// Where an ordered link says how much of the list it placed ([`report`] reads it).
const REPORT_ENV: &str = "GOX_LINK_REPORT";
/// The list and the shim must agree on this share of names both ways (see [`enough`]).
const MIN_SHARED_PERCENT: usize = 90;
/// `.bss` sections at least this large go after the small ones: the 64 KiB allocation
/// arena, and cold buffers that would push it a page further (musl's 928-byte malloc
/// context, libunwind's 2 KiB cache). musl's 336-byte start-up TLS block stays in front.
const BIG_BSS: u64 = 512;

/// How [`shim_build`] links.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// In the order of [`LIST`]: what ships.
    Ordered,
    /// As the inputs come: to make the list.
    AsIs,
}

/// A copy of the running xtask binary in `target_dir`, to be cargo's linker: the binary
/// itself may be rebuilt while the link runs (any `cargo build` in the workspace replaces
/// `target/debug/xtask`), and cargo would then find only `xtask (deleted)`. Written to a
/// temporary name and renamed, so a link already running keeps its file.
fn linker_copy(target_dir: &Path) -> Result<std::path::PathBuf> {
    let me = std::env::current_exe()
        .map_err(|e| format!("cannot find the running xtask binary to link with: {e}"))?;
    // A `cargo xtask` run beside this one may have rebuilt xtask, deleting the file this
    // process runs from; Linux still reads it through /proc/self/exe.
    let me = if cfg!(target_os = "linux") && !me.exists() {
        std::path::PathBuf::from("/proc/self/exe")
    } else {
        me
    };
    std::fs::create_dir_all(target_dir)?;
    let copy = target_dir.join(format!("xtask-linker{}", std::env::consts::EXE_SUFFIX));
    let partial = target_dir.join(format!(".xtask-linker-{}", std::process::id()));
    std::fs::copy(&me, &partial)
        .and_then(|_| std::fs::rename(&partial, &copy))
        .map_err(|e| format!("cannot copy {} to {}: {e}", me.display(), copy.display()))?;
    Ok(copy)
}

/// `cargo build` of the release shim for a Linux `target` into `target_dir`, linked by
/// rust-lld through [`link`]. Plain cargo, not zigbuild: the shim needs no C compiler, and
/// zig's linker driver cannot order symbols.
pub fn shim_build(
    root: &Path,
    target: &Target,
    target_dir: &Path,
    layout: Layout,
) -> Result<Command> {
    let linker = linker_copy(target_dir)?;
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    let mut cmd = Command::new(cargo);
    cmd.args([
        "build",
        "--release",
        "--locked",
        "-p",
        "gox-shim",
        "--target",
    ])
    .arg(target.triple)
    .arg("--target-dir")
    .arg(target_dir)
    .current_dir(root)
    .env(
        format!(
            "CARGO_TARGET_{}_LINKER",
            target.triple.replace('-', "_").to_uppercase()
        ),
        linker,
    )
    // Replaces .cargo/config.toml's target rustflags, so they are restated here. The
    // strip is said again: `cargo build -v` shows cargo 1.95 passing the shim's final
    // rustc `-C strip=debuginfo` despite the profile's `strip = "symbols"` (zig's
    // driver stripped anyway). The list is made from a build that keeps its symbols.
    .env(
        "RUSTFLAGS",
        format!(
            "-C relocation-model=static -C linker-flavor=ld.lld -C link-self-contained=yes \
                 -C strip={}",
            match layout {
                Layout::Ordered => format!("symbols {}", list_cfg(root)?),
                Layout::AsIs => "none".to_string(),
            }
        ),
    )
    .env(
        LIST_ENV,
        match layout {
            Layout::Ordered => root.join(LIST),
            Layout::AsIs => PathBuf::new(),
        },
    )
    // It would take precedence over RUSTFLAGS (cargo sets it for build scripts; a user's
    // shell may have it too).
    .env_remove("CARGO_ENCODED_RUSTFLAGS")
    .env(LLD_ENV, rust_lld()?)
    .env(REPORT_ENV, report_path(target_dir, target));
    Ok(cmd)
}

/// A `--cfg` naming the list's contents and this linking code: cargo does not know that the
/// linker reads the list, but it rebuilds when the flags change, so a new list or a new way
/// of ordering means a new link.
fn list_cfg(root: &Path) -> Result<String> {
    let path = root.join(LIST);
    let list = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut hasher = gox_verifier::StreamHasher::new();
    hasher.update(&list);
    hasher.update(include_str!("hot_path.rs").as_bytes());
    let hex = hasher.finish();
    Ok(format!("--cfg gox_hot_path=\"{}\"", &hex[..16]))
}

fn report_path(target_dir: &Path, target: &Target) -> PathBuf {
    target_dir.join(target.triple).join("hot-path-placed.txt")
}

/// What the last ordered link of `target` in `target_dir` placed, e.g. "placed 156 of the
/// 158 listed functions".
pub fn report(target_dir: &Path, target: &Target) -> Result<String> {
    let path = report_path(target_dir, target);
    Ok(std::fs::read_to_string(&path)
        .map_err(|e| format!("{}: {e}", path.display()))?
        .trim()
        .to_string())
}

/// The rust-lld of the active toolchain (`rustup component` rust-std ships it).
fn rust_lld() -> Result<PathBuf> {
    let rustc = |args: &[&str]| -> Result<String> {
        let out = Command::new("rustc")
            .args(args)
            .output()
            .map_err(|e| format!("cannot run rustc {args:?}: {e}"))?;
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    };
    let sysroot = rustc(&["--print", "sysroot"])?;
    let host = rustc(&["-vV"])?
        .lines()
        .find_map(|l| l.strip_prefix("host: ").map(str::to_string))
        .ok_or("`rustc -vV` names no host")?;
    let lld = Path::new(sysroot.trim())
        .join("lib/rustlib")
        .join(host)
        .join("bin/rust-lld");
    if lld.is_file() {
        Ok(lld)
    } else {
        Err(format!(
            "{} is missing (it ships with rustc; reinstall the toolchain with rustup)",
            lld.display()
        )
        .into())
    }
}

// ------------------------------------------------------------------------------- link

/// This program as the linker: `args` are rustc's ld.lld arguments. An empty [`LIST_ENV`]
/// links as is ([`Layout::AsIs`]).
pub fn link(args: &[OsString]) -> Result {
    let list_path = std::env::var_os(LIST_ENV).unwrap_or_default();
    let lld = std::env::var_os(LLD_ENV).ok_or("rust-lld is not set")?;
    if list_path.is_empty() {
        return run_lld(&lld, args, &[]);
    }
    let list = std::fs::read_to_string(&list_path)
        .map_err(|e| format!("{}: {e}", Path::new(&list_path).display()))?;
    let hot = parse_list(&list);
    let scratch = tempfile::tempdir()?;
    let map = scratch.path().join("first.map");
    // Mangled names in the map: the ordering file takes those.
    run_lld(
        &lld,
        args,
        &[
            format!("-Map={}", map.display()),
            "--no-demangle".to_string(),
        ],
    )?;
    let text = std::fs::read_to_string(&map).map_err(|e| format!("{}: {e}", map.display()))?;
    let (order, placed) = ordering(&hot, &parse_map(&text));
    if !enough(placed, hot.len()) {
        return Err(format!(
            "only {placed} of the {} functions in {} are in this shim: the list \
             is stale; regenerate it with `cargo xtask hot-path`",
            hot.len(),
            Path::new(&list_path).display()
        )
        .into());
    }
    if let Some(report) = std::env::var_os(REPORT_ENV) {
        let text = format!("placed {placed} of the {} listed functions\n", hot.len());
        std::fs::write(&report, text)
            .map_err(|e| format!("{}: {e}", Path::new(&report).display()))?;
    }
    let order_file = scratch.path().join("order.txt");
    std::fs::write(&order_file, order.join("\n") + "\n")?;
    run_lld(
        &lld,
        args,
        &[
            format!("--symbol-ordering-file={}", order_file.display()),
            "--no-warn-symbol-ordering".to_string(),
        ],
    )
}

fn run_lld(lld: &std::ffi::OsStr, args: &[OsString], extra: &[String]) -> Result {
    let mut cmd = Command::new(lld);
    // rustc passes `-flavor gnu` first for its ld.lld flavor; rust-lld needs it first.
    if args.first().is_none_or(|a| a != "-flavor") {
        cmd.args(["-flavor", "gnu"]);
    }
    let status = cmd
        .args(args)
        .args(extra)
        .status()
        .map_err(|e| format!("cannot run {}: {e}", Path::new(lld).display()))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("rust-lld failed ({status})").into())
    }
}

/// The list's names: one per line, `#` comments and blank lines skipped.
fn parse_list(text: &str) -> Vec<&str> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect()
}

/// A symbol in an lld link map, with the input section that holds it.
#[derive(Debug, PartialEq, Eq)]
struct MapSymbol<'a> {
    name: &'a str,
    section: &'a str,
    section_size: u64,
}

/// The symbols of an lld `-Map` file. Its lines are `VMA LMA Size Align` then a name whose
/// indentation says what it is: an output section (1 space), an input section
/// (`file:(section)`, 9 spaces), or a symbol in it (17 spaces).
fn parse_map(text: &str) -> Vec<MapSymbol<'_>> {
    let mut symbols = Vec::new();
    let mut section = ("", 0);
    for line in text.lines().skip(1) {
        let mut rest = line;
        let mut fields = [""; 4];
        for field in &mut fields {
            rest = rest.trim_start();
            let end = rest.find(' ').unwrap_or(rest.len());
            *field = &rest[..end];
            rest = &rest[end..];
        }
        let name = rest.trim();
        let indent = rest.len() - rest.trim_start().len();
        let Ok(size) = u64::from_str_radix(fields[2], 16) else {
            continue;
        };
        match indent {
            0..=1 => section = ("", 0),
            2..=9 => {
                let inner = name
                    .rsplit_once(":(")
                    .and_then(|(_, s)| s.strip_suffix(')'))
                    .unwrap_or("");
                section = (inner, size);
            }
            _ => symbols.push(MapSymbol {
                name,
                section: section.0,
                section_size: section.1,
            }),
        }
    }
    symbols
}

/// `symbol` as the list names it: demangled without crate hashes, and without LLVM's
/// numeric suffixes (`.147`), which change from build to build.
pub fn hot_name(symbol: &str) -> String {
    let mut name = format!("{:#}", rustc_demangle::demangle(symbol));
    while let Some((head, tail)) = name.rsplit_once('.') {
        if tail.is_empty() || !tail.bytes().all(|b| b.is_ascii_digit()) {
            break;
        }
        name.truncate(head.len());
    }
    name
}

/// The symbol ordering for lld: every text symbol of a listed function, in the list's
/// order, then the small `.bss` variables. Also returns how many listed names were found.
fn ordering(hot: &[&str], symbols: &[MapSymbol<'_>]) -> (Vec<String>, usize) {
    let mut by_name: HashMap<String, Vec<&str>> = HashMap::new();
    for s in symbols.iter().filter(|s| s.section.starts_with(".text")) {
        by_name.entry(hot_name(s.name)).or_default().push(s.name);
    }
    let mut order = Vec::new();
    let mut seen = HashSet::new();
    let mut placed = 0;
    for name in hot {
        if let Some(found) = by_name.get(*name) {
            placed += 1;
            order.extend(
                found
                    .iter()
                    .filter(|s| seen.insert(**s))
                    .map(|s| s.to_string()),
            );
        }
    }
    order.extend(
        symbols
            .iter()
            .filter(|s| s.section.starts_with(".bss") && s.section_size < BIG_BSS)
            .filter(|s| seen.insert(s.name))
            .map(|s| s.name.to_string()),
    );
    (order, placed)
}

// ------------------------------------------------------------------------- regenerate

/// `cargo xtask hot-path`: runs an unstripped release shim once under callgrind, in a
/// project four levels below its `.go-version`, and writes every function it executes
/// before `execve` to [`LIST`].
///
/// `--check` writes nothing and fails when the list lacks more than a tenth of what a run
/// executes now: the shim's hot path changed and the release link no longer packs it.
pub fn regenerate(args: &[String]) -> Result {
    let check = match args {
        [] => false,
        [flag] if flag == "--check" => true,
        [arg, ..] => {
            return Err(format!(
                "unknown argument `{arg}` (usage: cargo xtask hot-path [--check])"
            )
            .into());
        }
    };
    let root = crate::dist::workspace_root();
    let names = executed_now(&root)?;
    let path = root.join(LIST);
    if check {
        let text =
            std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        return check_list(&parse_list(&text), &names);
    }
    let text = format!(
        "# The functions one shim run executes before execve, in first-seen order\n\
         # (xtask/src/hot_path.rs). Regenerated by `cargo xtask hot-path`; do not edit.\n{}\n",
        names.join("\n")
    );
    std::fs::write(&path, text)?;
    eprintln!("hot-path: {} functions written to {LIST}", names.len());
    Ok(())
}

/// Whether `part` of `whole` names is enough: a link that places fewer of the listed
/// functions, or a list naming fewer of those a run executes, means the list no longer
/// describes the shim (`cargo xtask hot-path` regenerates it).
fn enough(part: usize, whole: usize) -> bool {
    part.saturating_mul(100) >= whole.saturating_mul(MIN_SHARED_PERCENT)
}

/// Fails when `listed` lacks more than a tenth of `executed`, naming what it lacks.
fn check_list(listed: &[&str], executed: &[String]) -> Result {
    let listed: HashSet<&str> = listed.iter().copied().collect();
    let lacking: Vec<&str> = executed
        .iter()
        .map(String::as_str)
        .filter(|n| !listed.contains(n))
        .collect();
    let ok = enough(executed.len() - lacking.len(), executed.len());
    eprintln!(
        "hot-path: {LIST} lists {} of the {} functions a shim run executes",
        executed.len() - lacking.len(),
        executed.len()
    );
    if ok {
        Ok(())
    } else {
        Err(format!(
            "{LIST} lacks {} of the {} functions a shim run executes now ({}); the release \
             shim would be linked with them scattered: run `cargo xtask hot-path`",
            lacking.len(),
            executed.len(),
            lacking.join(", ")
        )
        .into())
    }
}

/// The hot names of what an unstripped release shim executes before `execve`, in a project
/// four levels below its `.go-version` (callgrind).
fn executed_now(root: &Path) -> Result<Vec<String>> {
    let target = crate::dist::TARGETS
        .iter()
        .find(|t| t.triple == crate::exec_floor::MUSL_TARGET)
        .expect("the musl target is a dist target");
    let target_dir = root.join("target/hot-path");
    let mut build = shim_build(root, target, &target_dir, Layout::AsIs)?;
    build.arg("--quiet");
    if !build.status()?.success() {
        return Err(format!("{build:?} failed").into());
    }
    let shim = target_dir.join(target.triple).join("release/gox-shim");

    let work = tempfile::tempdir()?;
    let home = work.path().join("home");
    let goroot = home.join("toolchains/go1.22.10.linux-amd64");
    std::fs::create_dir_all(goroot.join("bin"))?;
    std::fs::write(goroot.join(gox_core::layout::RECEIPT_FILE), "{}\n")?;
    // Any native executable passes the shim's header check; callgrind stops at execve.
    std::fs::copy("/bin/true", goroot.join("bin/go"))?;
    let project = work.path().join("p/a/b/c/d");
    std::fs::create_dir_all(&project)?;
    std::fs::write(work.path().join("p/.go-version"), "1.22.10\n")?;
    let bin = work.path().join("bin");
    std::fs::create_dir_all(&bin)?;
    std::fs::copy(&shim, bin.join("go"))?;

    let out = work.path().join("callgrind.out");
    let status = Command::new("valgrind")
        .args([
            "-q",
            "--tool=callgrind",
            "--demangle=no",
            "--dump-before=execve",
        ])
        .arg(format!("--callgrind-out-file={}", out.display()))
        .arg(bin.join("go"))
        .arg("version")
        .current_dir(&project)
        .env("PWD", &project)
        .env("GOX_HOME", &home)
        .env("GOX_CONFIG", work.path().join("none.toml"))
        .status()
        .map_err(|e| format!("cannot run valgrind ({e}); apt-get install valgrind"))?;
    if !status.success() {
        return Err(format!("the shim failed under callgrind ({status})").into());
    }
    // The dump taken before execve; the file named by --callgrind-out-file is the empty
    // one callgrind writes at exit.
    let dump = PathBuf::from(format!("{}.1", out.display()));
    let profile = std::fs::read_to_string(&dump).map_err(|e| format!("{}: {e}", dump.display()))?;
    let symbols = nm_symbols(&shim)?;
    let mut names = executed(&profile, &symbols);
    // The dump is taken on entering execve: it runs too.
    names.push("execve".to_string());
    Ok(names)
}

/// The binary's function symbols by address (`nm -n`), to name the functions callgrind
/// shows only as addresses (musl's assembly has no symbol sizes).
fn nm_symbols(binary: &Path) -> Result<Vec<(u64, String)>> {
    let out = Command::new("nm")
        .arg("-n")
        .arg(binary)
        .output()
        .map_err(|e| format!("cannot run nm ({e}); apt-get install binutils"))?;
    Ok(String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| {
            let mut parts = l.split_whitespace();
            let addr = u64::from_str_radix(parts.next()?, 16).ok()?;
            let kind = parts.next()?;
            let name = parts.next()?;
            matches!(kind, "t" | "T" | "w" | "W").then(|| (addr, name.to_string()))
        })
        .collect())
}

/// The hot names of the functions in a callgrind profile, first-seen order, each once.
/// `symbols` (sorted by address) names those callgrind gives as bare addresses.
fn executed(profile: &str, symbols: &[(u64, String)]) -> Vec<String> {
    let mut names = Vec::new();
    let mut seen = HashSet::new();
    for line in profile.lines() {
        let Some(rest) = line
            .strip_prefix("fn=")
            .or_else(|| line.strip_prefix("cfn="))
        else {
            continue;
        };
        // `(id) name` the first time, `(id)` after.
        let Some((_, name)) = rest.split_once(") ") else {
            continue;
        };
        // Callgrind marks recursion levels as `name'2`.
        let name = name.split_once('\'').map_or(name, |(n, _)| n);
        let name = match name.strip_prefix("0x") {
            Some(hex) => match u64::from_str_radix(hex, 16) {
                Ok(addr) => match symbols.partition_point(|(a, _)| *a <= addr) {
                    0 => continue,
                    i => symbols[i - 1].1.as_str(),
                },
                Err(_) => continue,
            },
            // Valgrind's name for the C runtime's entry (musl's __libc_start_main).
            None if name == "(below main)" => "__libc_start_main",
            None if name.starts_with('(') => continue,
            None => name,
        };
        let hot = hot_name(name);
        if seen.insert(hot.clone()) {
            names.push(hot);
        }
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    const MAP: &str = "             VMA              LMA     Size Align Out     In      Symbol
          200240           200240     edba    32 .rodata
          200240           200240       60     8         a.o:(.rodata._ZN3foo3bar17h0123456789abcdefE)
          21ad90           21ad90    5fe12    16 .text
          21ad90           21ad90       6e    16         /t/gox_shim.o:(.text._ZN8gox_shim12plan_version17h15eaaf9b83b08093E)
          21ad90           21ad90        0     1                 _ZN8gox_shim12plan_version17h15eaaf9b83b08093E
          21ae00           21ae00       30    16         /t/gox_shim.o:(.text._ZN8gox_shim4cold17h15eaaf9b83b08093E)
          21ae00           21ae00        0     1                 _ZN8gox_shim4cold17h15eaaf9b83b08093E
          21ae30           21ae30       30    16         /t/gox_shim.o:(.text._RNvNtCs2Nb3gJ4iU0I_5alloc3fmt6format.147)
          21ae30           21ae30        0     1                 _RNvNtCs2Nb3gJ4iU0I_5alloc3fmt6format.147
          21ae60           21ae60       20    16         /t/gox_shim.o:(.text._ZN8gox_shim12plan_version17h99999999999999aaE)
          21ae60           21ae60        0     1                 _ZN8gox_shim12plan_version17h99999999999999aaE
          21b000           21b000       40     1         libc.a(memcpy.o):(.text)
          21b000           21b000        0     1                 memcpy
          27da00           27da00    11014    32 .bss
          27daf0           27daf0    10000    16         /t/gox_shim.o:(.bss._ZN8gox_shim5arena6BUFFER17hbbb02a85f0b92421E)
          27daf0           27daf0        0     1                 _ZN8gox_shim5arena6BUFFER17hbbb02a85f0b92421E
          28e3a0           28e3a0        8     8         libc.a(environ.o):(.bss.__environ)
          28e3a0           28e3a0        0     1                 environ
";

    #[test]
    fn map_lines_are_told_apart_by_indentation() {
        let symbols = parse_map(MAP);
        assert_eq!(symbols.len(), 7);
        assert_eq!(
            symbols[0],
            MapSymbol {
                name: "_ZN8gox_shim12plan_version17h15eaaf9b83b08093E",
                section: ".text._ZN8gox_shim12plan_version17h15eaaf9b83b08093E",
                section_size: 0x6e,
            }
        );
        assert_eq!(symbols[4].section, ".text");
        assert_eq!(symbols[5].section_size, 0x10000);
        assert_eq!(symbols[6].name, "environ");
        // Output section lines reset the section: no symbol outside one is misfiled.
        assert!(
            parse_map("h\n   1 1 1 1 .text\n   1 1 0 1                 x\n")[0]
                .section
                .is_empty()
        );
    }

    #[test]
    fn hot_names_drop_hashes_and_numeric_suffixes() {
        assert_eq!(
            hot_name("_ZN8gox_shim12plan_version17h15eaaf9b83b08093E"),
            "gox_shim::plan_version"
        );
        assert_eq!(
            hot_name("_RNvNtCs2Nb3gJ4iU0I_5alloc3fmt6format.147"),
            "alloc::fmt::format"
        );
        assert_eq!(
            hot_name("_ZN3std2fs8metadata17h295d96b4e97c50c5E.llvm.123"),
            "std::fs::metadata"
        );
        assert_eq!(hot_name("memcpy"), "memcpy");
        // A dot that is part of a name stays.
        assert_eq!(hot_name("__init_libc.part"), "__init_libc.part");
    }

    #[test]
    fn ordering_follows_the_list_then_puts_small_bss_first() {
        let symbols = parse_map(MAP);
        let hot = [
            "memcpy",
            "gox_shim::plan_version",
            "alloc::fmt::format",
            "gone::since",
        ];
        let (order, placed) = ordering(&hot, &symbols);
        assert_eq!(placed, 3);
        assert_eq!(
            order,
            [
                "memcpy",
                // Every monomorphization or copy of a listed function.
                "_ZN8gox_shim12plan_version17h15eaaf9b83b08093E",
                "_ZN8gox_shim12plan_version17h99999999999999aaE",
                "_RNvNtCs2Nb3gJ4iU0I_5alloc3fmt6format.147",
                // The 64 KiB arena is left to follow.
                "environ",
            ]
        );
    }

    #[test]
    fn callgrind_names_and_addresses_become_hot_names_once() {
        let profile = "fn=(1) 0x0000000000201004\n\
                       cfn=(2) _ZN8gox_shim12plan_version17h15eaaf9b83b08093E\n\
                       fn=(2)\n\
                       cfn=(3) _ZN8gox_shim12plan_version17h15eaaf9b83b08093E'2\n\
                       fn=(4) (below main)\n\
                       fn=(5) 0x0000000000000010\n\
                       fn=(7) (no name)\n\
                       fn=(6) memcpy\n";
        let symbols = [
            (0x201000, "_start".to_string()),
            (0x202000, "memcpy".to_string()),
        ];
        assert_eq!(
            executed(profile, &symbols),
            [
                "_start",
                "gox_shim::plan_version",
                "__libc_start_main",
                "memcpy"
            ]
        );
    }

    #[test]
    fn nine_in_ten_is_enough() {
        assert!(enough(9, 10) && enough(158, 158) && enough(0, 0));
        assert!(!enough(8, 10) && !enough(142, 158) && !enough(0, 1));
        assert!(enough(usize::MAX, usize::MAX));
    }

    #[test]
    fn a_list_lacking_a_tenth_of_the_run_fails_the_check() {
        let run: Vec<String> = (0..20).map(|i| format!("f{i}")).collect();
        let mut listed: Vec<&str> = run.iter().map(String::as_str).collect();
        listed.truncate(18);
        listed.push("gone");
        assert!(
            check_list(&listed, &run).is_ok(),
            "2 of 20 lacking is within a tenth"
        );
        listed.truncate(17);
        let err = check_list(&listed, &run).unwrap_err().to_string();
        assert!(
            err.contains("lacks 3 of the 20") && err.contains("f17, f18, f19"),
            "{err}"
        );
        assert!(err.contains("cargo xtask hot-path"), "{err}");
    }

    #[test]
    fn the_checked_in_list_is_a_list() {
        let root = crate::dist::workspace_root();
        let text = std::fs::read_to_string(root.join(LIST)).expect("shims/hot-path.txt");
        let names = parse_list(&text);
        assert!(names.len() > 50, "{} names", names.len());
        assert!(names.contains(&"gox_shim::plan_version") || names.contains(&"main"));
    }
}
