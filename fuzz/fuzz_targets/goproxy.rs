//! Go's settings come from the environment and from env files other tools (and users) write:
//! `GOPROXY`, `GOSUMDB`, `GONOSUMDB`, `GOPRIVATE`, `GONOPROXY`, `GOFLAGS` must never make the
//! proxy source panic, and what it accepts must be usable: every proxy entry is `direct`,
//! `off` or an http(s)/file URL, `direct`/`off` end the list, and a module zip URL built on a
//! proxy stays under it.
//!
//! The input is a Go env file; its `KEY=VALUE` lines are also the environment, and its first
//! line is fed to the pattern matcher and the GOPROXY parser on its own. The whole input is
//! also a go-get page for `direct`: reading its go-import tags never panics, and a tag that
//! matches golang.org/toolchain has a prefix of it.
#![no_main]

use gox_resolver::goimport::{
    has_path_prefix, match_go_import, parse_meta_go_imports, validate_repo_root,
};
use gox_resolver::goproxy::{
    GO_SETTINGS, GoEnv, ProxyEntry, ProxySettings, entry_refusal, falls_through,
    match_prefix_patterns, parse_env_file, parse_goproxy,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    check_go_get_page(data);
    let text = String::from_utf8_lossy(data);
    let pairs = parse_env_file(&text);
    for (key, value) in &pairs {
        assert!(key.starts_with(|c: char| c.is_ascii_uppercase()), "{key:?}");
        assert!(!key.contains(['=', '\n']) && !value.contains('\n'));
    }

    let first = text.split('\n').next().unwrap_or_default();
    check_goproxy(first);
    // Patterns: a glob matches itself as a module path when it has no meta characters, and
    // matching never panics (nor takes exponential time) whatever the target.
    let _ = match_prefix_patterns(first, gox_sumdb::TOOLCHAIN_MODULE);
    let _ = match_prefix_patterns(gox_sumdb::TOOLCHAIN_MODULE, first);
    for glob in first.split(',').map(str::trim).filter(|g| !g.is_empty()) {
        if !glob.contains(['*', '?', '[', '\\']) {
            assert!(match_prefix_patterns(glob, glob), "{glob:?}");
        }
    }

    let go = GoEnv::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    for name in GO_SETTINGS {
        if let Some(v) = go.get(name) {
            assert!(!v.is_empty());
        }
    }
    match ProxySettings::from_go_env(&go) {
        Ok(settings) => {
            check_list(&settings.proxies);
            assert!(!settings.proxies.is_empty());
            if let Some(db) = &settings.database {
                assert!(!db.name.is_empty());
            }
            for spec in &settings.proxies {
                if let ProxyEntry::Url(proxy) = &spec.entry {
                    let zip = ProxySettings::zip_url(proxy, "v0.0.1-go1.22.10.linux-amd64");
                    assert!(zip.starts_with(&format!("{proxy}/")));
                    url::Url::parse(&zip).unwrap_or_else(|e| panic!("{zip:?}: {e}"));
                }
            }
        }
        Err(e) => assert!(!e.to_string().is_empty()),
    }
    for (key, value) in &pairs {
        if key == "GOPROXY" {
            check_goproxy(value);
        }
    }
});

fn check_goproxy(value: &str) {
    match parse_goproxy(value) {
        Ok(list) => check_list(&list),
        Err(e) => assert!(!e.to_string().is_empty()),
    }
}

fn check_list(list: &[gox_resolver::goproxy::ProxySpec]) {
    assert!(!list.is_empty());
    for (i, spec) in list.iter().enumerate() {
        let _ = falls_through(spec, false);
        match &spec.entry {
            ProxyEntry::Url(u) => {
                assert!(entry_refusal(&spec.entry).is_none());
                let parsed = url::Url::parse(u).unwrap_or_else(|e| panic!("{u:?}: {e}"));
                assert!(
                    matches!(parsed.scheme(), "https" | "http" | "file"),
                    "{u:?}"
                );
                assert!(!u.ends_with('/'), "{u:?}");
            }
            ProxyEntry::Direct | ProxyEntry::Off => {
                // `direct` follows the go-import tag; only `off` refuses.
                assert_eq!(
                    entry_refusal(&spec.entry).is_some(),
                    spec.entry == ProxyEntry::Off
                );
                assert_eq!(i, list.len() - 1, "{list:?}: direct/off end the list");
            }
            ProxyEntry::NoProxy => {
                assert!(entry_refusal(&spec.entry).is_none());
                assert_eq!(i, 0, "{list:?}");
            }
        }
    }
}

fn check_go_get_page(data: &[u8]) {
    let Ok(imports) = parse_meta_go_imports(data) else {
        return;
    };
    let first_other = imports
        .iter()
        .position(|m| m.vcs != "mod")
        .unwrap_or(imports.len());
    assert!(imports[first_other..].iter().all(|m| m.vcs != "mod"));
    if let Ok(m) = match_go_import(&imports, gox_sumdb::TOOLCHAIN_MODULE) {
        assert!(has_path_prefix(gox_sumdb::TOOLCHAIN_MODULE, &m.prefix));
        if let Ok(root) = validate_repo_root(&m.repo_root) {
            let parsed = url::Url::parse(&root).unwrap_or_else(|e| panic!("{root:?}: {e}"));
            assert!(matches!(parsed.scheme(), "https" | "http"), "{root:?}");
        }
    }
}
