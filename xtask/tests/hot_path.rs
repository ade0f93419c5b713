//! The hot-path list still describes the shim: an unstripped release shim runs once under
//! callgrind (`cargo xtask hot-path --check`, needs valgrind) and the list must name at
//! least nine in ten of the functions it executes. Otherwise the release link would leave
//! the new ones scattered over the shim's text, a page fault each (docs/architecture.md).

#[test]
fn the_hot_path_list_matches_what_the_shim_executes() {
    let out = gox_testkit::dist::nested_cargo()
        .args(["run", "--quiet", "--locked", "--package", "xtask", "--"])
        .args(["hot-path", "--check"])
        .output()
        .expect("cargo runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "cargo xtask hot-path --check failed:\n{stderr}"
    );
    assert!(stderr.contains("functions a shim run executes"), "{stderr}");
}
