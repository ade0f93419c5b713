use super::*;

fn p(s: &str) -> Platform {
    s.parse().unwrap()
}

fn host(s: &str) -> Host {
    crate::host::parse_debug_host(s).unwrap()
}

fn layout() -> Layout {
    Layout::at("/gx", "/cache", "/cfg.toml")
}

fn facts(host_spec: &str) -> Facts {
    Facts {
        host: host(host_spec),
        layout: layout(),
        shell: Some(Shell::Zsh),
        zdotdir: None,
        path: PathFacts {
            entries: vec!["/gx/shims".into(), "/usr/bin".into()],
            first_go: Some("/gx/shims/go".into()),
            shims_installed: true,
            planner_missing: false,
        },
        activated: false,
        env_vars: Vec::new(),
        go_env_file: None,
        gopath_per_platform: true,
        allow_rosetta: false,
        toolchains: Vec::new(),
        bin_dirs: Vec::new(),
        leftovers: Vec::new(),
    }
}

fn binary(path: &str, os: &str, arch: &str, native: bool) -> Binary {
    Binary {
        path: path.into(),
        os: Some(os.to_string()),
        archs: vec![arch.to_string()],
        cpu: format!("{arch} (test cpu)"),
        native,
        package: None,
    }
}

fn toolchain(version: &str, platform: &str, go: Result<Binary, String>) -> ToolchainFacts {
    let plat = p(platform);
    ToolchainFacts {
        version: Version::parse(version).unwrap(),
        goroot: PathBuf::from(format!("/gx/toolchains/go{version}.{}", plat.dir_name())),
        tool_dirs: vec![plat.tool_dir_name()],
        platform: plat,
        go,
        receipt_problems: Vec::new(),
    }
}

fn native_toolchain(version: &str, platform: &str) -> ToolchainFacts {
    let plat = p(platform);
    let bin = binary(
        &format!("/gx/toolchains/go{version}.{}/bin/go", plat.dir_name()),
        plat.os(),
        plat.arch(),
        true,
    );
    toolchain(version, platform, Ok(bin))
}

fn ids(findings: &[Finding]) -> Vec<(&'static str, Severity)> {
    findings.iter().map(|f| (f.id, f.severity)).collect()
}

fn problems(findings: &[Finding]) -> Vec<&Finding> {
    findings
        .iter()
        .filter(|f| f.severity != Severity::Ok)
        .collect()
}

#[test]
fn clean_setup_has_only_ok_findings() {
    let mut f = facts("linux/amd64");
    f.toolchains = vec![native_toolchain("1.22.10", "linux/amd64")];
    f.bin_dirs = vec![BinDir {
        dir: "/gx/gopath/linux-amd64/bin".into(),
        binaries: vec![binary(
            "/gx/gopath/linux-amd64/bin/dlv",
            "linux",
            "amd64",
            true,
        )],
    }];
    let findings = diagnose(&f);
    assert!(problems(&findings).is_empty(), "{findings:#?}");
    assert!(findings.iter().all(|f| f.fix.is_none()));
    let ids: Vec<_> = findings.iter().map(|f| f.id).collect();
    assert_eq!(
        ids,
        [
            "host",
            "path",
            "shell",
            "go-env",
            "toolchains",
            "gopath-bin"
        ]
    );
}

#[test]
fn translated_gox_is_an_error_and_a_rosetta_shell_a_warning() {
    let findings = check_host(&host("darwin/arm64,translated"));
    assert_eq!(ids(&findings), [("gox-translated", Severity::Error)]);
    assert!(findings[0].message.contains("Rosetta 2"));
    assert!(findings[0].message.contains("arm64 build of gox"));
    assert!(
        findings[0]
            .fix
            .as_deref()
            .unwrap()
            .contains("aarch64-apple-darwin")
    );

    let findings = check_host(&host("darwin/arm64,parent-translated"));
    assert_eq!(ids(&findings), [("shell-translated", Severity::Warn)]);
    assert!(
        findings[0]
            .fix
            .as_deref()
            .unwrap()
            .starts_with("arch -arm64 $SHELL")
    );

    let findings = check_host(&host("windows/arm64,translated"));
    assert!(findings[0].message.contains("x64 emulation"));

    assert_eq!(
        ids(&check_host(&host("darwin/arm64"))),
        [("host", Severity::Ok)]
    );
}

#[test]
fn a_go_before_the_shims_is_named_with_the_path_line() {
    let mut path = PathFacts {
        entries: vec!["/usr/local/go/bin".into(), "/gx/shims/".into()],
        first_go: Some("/usr/local/go/bin/go".into()),
        shims_installed: true,
        planner_missing: false,
    };
    let findings = check_path(&layout(), &path, false, Some(Shell::Fish));
    assert_eq!(ids(&findings), [("path-shadowed", Severity::Warn)]);
    assert!(findings[0].message.contains("/usr/local/go/bin/go"));
    assert!(findings[0].message.contains("comes before the gox shims"));
    let fix = findings[0].fix.as_deref().unwrap();
    assert!(fix.starts_with("fish_add_path --path '/gx/shims'"), "{fix}");

    // Shims not on PATH at all, and not even created.
    path.entries = vec!["/usr/local/go/bin".into()];
    path.shims_installed = false;
    let findings = check_path(&layout(), &path, false, Some(Shell::Bash));
    assert_eq!(ids(&findings), [("path-shadowed", Severity::Warn)]);
    assert!(findings[0].message.contains("not on PATH"));
    let fix = findings[0].fix.as_deref().unwrap();
    assert!(fix.starts_with("gox setup, then export PATH='/gx/shims':\"$PATH\""));
}

#[test]
fn go_from_the_hook_or_the_shims_is_fine() {
    let path = PathFacts {
        entries: vec!["/gx/toolchains/go1.22.10.linux-amd64/bin".into()],
        first_go: Some("/gx/toolchains/go1.22.10.linux-amd64/bin/go".into()),
        shims_installed: false,
        planner_missing: false,
    };
    assert_eq!(
        ids(&check_path(&layout(), &path, true, None)),
        [("path", Severity::Ok)]
    );
}

#[test]
fn shims_on_path_but_never_created() {
    let path = PathFacts {
        entries: vec!["/gx/shims".into(), "/usr/bin".into()],
        first_go: None,
        shims_installed: false,
        planner_missing: false,
    };
    let findings = check_path(&layout(), &path, false, None);
    assert_eq!(
        ids(&findings),
        [
            ("shims-missing", Severity::Warn),
            ("no-go-on-path", Severity::Warn)
        ]
    );
    assert_eq!(findings[0].fix.as_deref(), Some("gox setup"));
    // Without shims on PATH and without the hook, only the shell check speaks.
    let bare = PathFacts {
        entries: vec!["/usr/bin".into()],
        ..PathFacts::default()
    };
    assert!(check_path(&layout(), &bare, false, None).is_empty());
}

#[test]
fn shell_activation() {
    let bare = PathFacts {
        entries: vec!["/usr/bin".into()],
        ..PathFacts::default()
    };
    let findings = check_shell(&bare, &layout(), false, (Some(Shell::Zsh), None));
    assert_eq!(ids(&findings), [("shell-not-activated", Severity::Warn)]);
    let fix = findings[0].fix.as_deref().unwrap();
    assert!(fix.starts_with(r#"eval "$(gox activate zsh)""#), "{fix}");
    assert!(fix.contains("~/.zshrc") && fix.contains("gox setup"));
    // With ZDOTDIR set, zsh never reads ~/.zshrc.
    let zdotdir = Path::new("/home/u/.config/zsh");
    let findings = check_shell(&bare, &layout(), false, (Some(Shell::Zsh), Some(zdotdir)));
    let fix = findings[0].fix.as_deref().unwrap();
    assert!(
        fix.contains("/home/u/.config/zsh/.zshrc") && !fix.contains("~/.zshrc"),
        "{fix}"
    );
    let fish = check_shell(&bare, &layout(), false, (Some(Shell::Fish), None));
    assert!(
        fish[0]
            .fix
            .as_deref()
            .unwrap()
            .starts_with("gox activate fish | source")
    );
    assert_eq!(
        ids(&check_shell(&bare, &layout(), true, (None, None))),
        [("shell", Severity::Ok)]
    );
}

#[test]
fn go_vars_in_the_environment() {
    let mut f = facts("darwin/arm64");
    f.env_vars = vec![
        ("GOROOT".into(), "/usr/local/go".into()),
        ("GOPATH".into(), "/Users/me/go".into()),
        ("GOTOOLCHAIN".into(), "auto".into()),
        ("GOARCH".into(), "amd64".into()),
        ("GOOS".into(), "darwin".into()),
        ("GOFLAGS".into(), "-mod=mod".into()),
    ];
    let findings = check_go_env(&f);
    let keys: Vec<&str> = findings
        .iter()
        .map(|f| f.message.split('=').next().unwrap())
        .collect();
    // GOOS=darwin names the host: harmless.
    assert_eq!(
        keys,
        ["GOROOT", "GOPATH", "GOTOOLCHAIN", "GOARCH", "GOFLAGS"]
    );
    assert!(findings.iter().all(|f| f.id == "env-var"));
    assert!(findings[3].message.contains("cross-compiles for amd64"));
    assert!(findings[1].message.contains("/gx/gopath/darwin-arm64"));
    assert_eq!(
        findings[0].fix.as_deref(),
        Some("unset GOROOT   (and remove it from your shell startup file)")
    );
}

#[test]
fn gox_own_values_are_not_reported() {
    // What `gox activate` / `gox env` export.
    let mut f = facts("linux/amd64");
    f.env_vars = vec![
        (
            "GOROOT".into(),
            "/gx/toolchains/go1.22.10.linux-amd64".into(),
        ),
        ("GOPATH".into(), "/gx/gopath/linux-amd64".into()),
        ("GOTOOLCHAIN".into(), "local".into()),
        ("GOARCH".into(), "amd64".into()),
    ];
    assert_eq!(ids(&check_go_env(&f)), [("go-env", Severity::Ok)]);
    // With one shared GOPATH (config opt-out), the user's GOPATH is theirs to set.
    f.gopath_per_platform = false;
    f.env_vars = vec![("GOPATH".into(), "/home/me/go".into())];
    assert_eq!(ids(&check_go_env(&f)), [("go-env", Severity::Ok)]);
}

#[test]
fn go_env_file_entries_are_fixed_with_go_env_u() {
    let mut f = facts("linux/amd64");
    f.shell = Some(Shell::Fish);
    f.env_vars = vec![("GOARCH".into(), "arm64".into())];
    f.go_env_file = Some(GoEnvFile {
        path: "/home/me/.config/go/env".into(),
        vars: vec![
            ("GOTOOLCHAIN".into(), "auto".into()),
            ("GOOS".into(), "linux".into()),
        ],
    });
    let findings = check_go_env(&f);
    assert_eq!(
        ids(&findings),
        [("env-var", Severity::Warn), ("go-env-file", Severity::Warn)]
    );
    assert!(
        findings[0]
            .fix
            .as_deref()
            .unwrap()
            .starts_with("set -e GOARCH")
    );
    assert!(findings[1].message.contains("/home/me/.config/go/env"));
    assert!(findings[1].message.starts_with("GOTOOLCHAIN=auto"));
    assert_eq!(findings[1].fix.as_deref(), Some("go env -u GOTOOLCHAIN"));
}

#[test]
fn rosetta_toolchain_without_a_native_build() {
    let tc = toolchain(
        "1.22.10",
        "darwin/amd64",
        Ok(binary(
            "/gx/toolchains/go1.22.10.darwin-amd64/bin/go",
            "darwin",
            "amd64",
            false,
        )),
    );
    let findings = check_toolchains(&host("darwin/arm64"), std::slice::from_ref(&tc), false);
    assert_eq!(ids(&findings), [("toolchain-not-native", Severity::Warn)]);
    let msg = &findings[0].message;
    assert!(
        msg.contains("darwin/amd64") && msg.contains("Rosetta 2"),
        "{msg}"
    );
    assert_eq!(
        findings[0].fix.as_deref(),
        Some(
            "gox install 1.22.10 --platform darwin/arm64 && gox uninstall 1.22.10 --platform darwin/amd64"
        )
    );

    // Native build installed too: only the uninstall.
    let both = [tc.clone(), native_toolchain("1.22.10", "darwin/arm64")];
    let findings = check_toolchains(&host("darwin/arm64"), &both, false);
    let fix = findings[0].fix.as_deref().unwrap();
    assert!(
        fix.starts_with("gox uninstall 1.22.10 --platform darwin/amd64   (the darwin/arm64 build")
    );

    // GOX_ALLOW_ROSETTA: reported, not warned.
    let findings = check_toolchains(&host("darwin/arm64"), &[tc], true);
    assert_eq!(ids(&findings), [("toolchain-not-native", Severity::Ok)]);
    assert!(findings[0].message.contains("GOX_ALLOW_ROSETTA"));
}

#[test]
fn foreign_os_and_emulated_toolchains() {
    let win = toolchain(
        "1.22.10",
        "windows/amd64",
        Ok(binary("/x/go.exe", "windows", "amd64", false)),
    );
    let arm = toolchain(
        "1.22.10",
        "linux/arm64",
        Ok(binary("/x/go", "linux", "arm64", false)),
    );
    let findings = check_toolchains(&host("linux/amd64"), &[win, arm], false);
    assert_eq!(findings.len(), 2);
    assert!(findings[0].message.contains("does not run on linux"));
    assert!(findings[1].message.contains("exec format error"));
    assert!(
        findings[1]
            .fix
            .as_deref()
            .unwrap()
            .contains("--platform linux/amd64")
    );
}

#[test]
fn damaged_toolchains() {
    let wrong = toolchain(
        "1.21.13",
        "linux/amd64",
        Ok(binary("/x/bin/go", "linux", "arm64", false)),
    );
    let missing = toolchain("1.22.10", "linux/amd64", Err("no bin/go".into()));
    let findings = check_toolchains(&host("linux/amd64"), &[wrong, missing], false);
    assert_eq!(
        ids(&findings),
        [
            ("toolchain-damaged", Severity::Warn),
            ("toolchain-damaged", Severity::Warn)
        ]
    );
    assert_eq!(
        findings[0].fix.as_deref(),
        Some("gox install 1.21.13 --force")
    );
    assert!(findings[1].message.contains("no bin/go"));
}

#[test]
fn stale_tool_dirs() {
    let mut tc = native_toolchain("1.22.10", "darwin/arm64");
    tc.tool_dirs = vec!["darwin_amd64".into(), "darwin_arm64".into()];
    let findings = check_tool_dirs(&[tc]);
    assert_eq!(ids(&findings), [("stale-tool-dir", Severity::Warn)]);
    assert!(
        findings[0]
            .message
            .contains("go1.22.10.darwin-arm64/pkg/tool/darwin_amd64")
    );
    assert_eq!(
        findings[0].fix.as_deref(),
        Some("gox install 1.22.10 --platform darwin/arm64 --force")
    );
    assert!(check_tool_dirs(&[native_toolchain("1.22.10", "linux/amd64")]).is_empty());
}

#[test]
fn leftover_staging_dirs() {
    let findings = check_leftovers(&[
        "/gx/toolchains/.staging-go1.22.10.linux-amd64-x1".into(),
        "/gx/my toolchains/.trash-go1.21.13.linux-amd64".into(),
    ]);
    assert_eq!(findings.len(), 2);
    assert!(
        findings[0]
            .fix
            .as_deref()
            .unwrap()
            .starts_with("rm -rf /gx/toolchains/.staging-go1.22.10.linux-amd64-x1 ")
    );
    assert!(
        findings[1]
            .fix
            .as_deref()
            .unwrap()
            .starts_with("rm -rf '/gx/my toolchains/.trash-go1.21.13.linux-amd64'")
    );
}

#[test]
fn x86_64_dlv_on_apple_silicon() {
    let mut dlv = binary("/gx/gopath/darwin-arm64/bin/dlv", "darwin", "amd64", false);
    dlv.package = Some("github.com/go-delve/delve/cmd/dlv".into());
    let mut gopls = binary("/u/go/bin/gopls", "darwin", "amd64", false);
    gopls.package = Some("cmd/gopls-like".into());
    let dirs = [
        BinDir {
            dir: "/gx/gopath/darwin-arm64/bin".into(),
            binaries: vec![
                dlv,
                binary("/gx/gopath/darwin-arm64/bin/ok", "darwin", "arm64", true),
            ],
        },
        BinDir {
            dir: "/u/go/bin".into(),
            binaries: vec![gopls],
        },
    ];
    let findings = check_bin_dirs(&host("darwin/arm64"), &dirs);
    assert_eq!(
        ids(&findings),
        [
            ("gopath-bin-not-native", Severity::Warn),
            ("gopath-bin-not-native", Severity::Warn)
        ]
    );
    assert!(
        findings[0]
            .message
            .starts_with("dlv in /gx/gopath/darwin-arm64/bin is amd64")
    );
    assert!(findings[0].message.contains("Rosetta 2"));
    assert_eq!(
        findings[0].fix.as_deref(),
        Some(
            "gox tools rebuild --wrong-arch   (reinstalls github.com/go-delve/delve/cmd/dlv with a darwin/arm64 Go, \
             the version it was built from; by hand: rm /gx/gopath/darwin-arm64/bin/dlv && \
             go install github.com/go-delve/delve/cmd/dlv@latest through the gox shims)"
        )
    );
    // No module path to reinstall from: the generic route.
    assert!(
        findings[1]
            .fix
            .as_deref()
            .unwrap()
            .contains("go install PACKAGE@latest")
    );

    let ok = check_bin_dirs(&host("darwin/arm64"), &[]);
    assert_eq!(ids(&ok), [("gopath-bin", Severity::Ok)]);
}

#[test]
fn go_env_parsing() {
    let text = "# comment\nGOPROXY=https://proxy\nGOTOOLCHAIN=auto\r\ngoarch=amd64\n\nGOFLAGS=\nGOARCH=arm64\nGOARCH=amd64  \nnoequals\n";
    assert_eq!(
        parse_go_env(text),
        [
            ("GOTOOLCHAIN".to_string(), "auto".to_string()),
            ("GOARCH".to_string(), "amd64".to_string())
        ]
    );
}

#[test]
fn environment_helpers() {
    let env = Environment::fake(
        "/",
        [
            ("GOARCH", "amd64"),
            ("GOROOT", "/usr/local/go"),
            ("GOFLAGS", ""),
            ("PATH", "/usr/bin"),
        ],
    );
    assert_eq!(
        go_env_vars(&env),
        [
            ("GOROOT".to_string(), "/usr/local/go".to_string()),
            ("GOARCH".to_string(), "amd64".to_string())
        ]
    );
    assert!(!hook_active(&env));
    assert!(hook_active(&Environment::fake(
        "/",
        [("__GOX_STATE", "1;f=x")]
    )));
}

#[test]
fn a_toolchain_that_no_longer_matches_its_receipt_gets_the_reinstall_command() {
    let mut tc = native_toolchain("1.22.10", "linux/amd64");
    tc.receipt_problems = vec!["bin/go changed (sha256 aaa…, installed as bbb…)".to_string()];
    let findings = check_toolchains(&facts("linux/amd64").host, &[tc], false);
    let damaged = findings
        .iter()
        .find(|f| f.id == "toolchain-damaged")
        .expect("flagged");
    assert!(damaged.message.contains("bin/go changed"), "{damaged:?}");
    assert_eq!(
        damaged.fix.as_deref(),
        Some("gox install 1.22.10 --platform linux/amd64 --force")
    );
}

#[test]
fn shims_without_their_planner_link() {
    let path = PathFacts {
        entries: vec!["/gx/shims".into()],
        first_go: Some("/gx/shims/go".into()),
        shims_installed: true,
        planner_missing: true,
    };
    let findings = check_path(&layout(), &path, false, None);
    assert_eq!(
        ids(&findings),
        [("shims-planner", Severity::Warn), ("path", Severity::Ok)]
    );
    assert!(
        findings[0].message.contains(".gox"),
        "{}",
        findings[0].message
    );
    assert_eq!(findings[0].fix.as_deref(), Some("gox setup"));
}
