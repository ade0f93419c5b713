//! Where the feed and the archives come from: defaults, mirrors, environment, URL policy.

use gox_core::{Environment, Platform, Spec};
use gox_resolver::source::MirrorList;
use gox_resolver::{Feed, ResolveError, Sources};
use gox_testkit::FeedBuilder;

const SHA: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

fn env(vars: &[(&str, &str)]) -> Environment {
    Environment::fake(
        "/",
        vars.iter().map(|(k, v)| (k.to_string(), v.to_string())),
    )
}

fn flag(value: &str) -> MirrorList {
    MirrorList::parse("--mirror", value).unwrap()
}

fn linux_amd64_file(feed: &Feed) -> &gox_resolver::File {
    let release = feed.resolve(&Spec::Latest).unwrap();
    let platform: Platform = "linux/amd64".parse().unwrap();
    feed.artifact(release, &platform).unwrap()
}

fn feed() -> Feed {
    let json = FeedBuilder::new()
        .archive(
            "1.22.10",
            "linux",
            "amd64",
            "go1.22.10.linux-amd64.tar.gz",
            SHA,
            1,
        )
        .to_json();
    Feed::parse(json.as_bytes(), "test").unwrap()
}

fn download_url(sources: &Sources) -> String {
    sources.download_url(linux_amd64_file(&feed())).to_string()
}

#[test]
fn defaults_are_go_dev() {
    let sources = Sources::from_env(&env(&[]), None, None).unwrap();
    assert_eq!(
        sources.feed_url().as_str(),
        "https://go.dev/dl/?mode=json&include=all"
    );
    assert_eq!(
        download_url(&sources),
        "https://dl.google.com/go/go1.22.10.linux-amd64.tar.gz"
    );
    assert_eq!(sources.mirror_name(), None);
}

#[test]
fn mirror_presets_change_the_download_base_only() {
    let cases = [
        ("go.dev", "https://dl.google.com/go/"),
        ("golang.google.cn", "https://golang.google.cn/dl/"),
        ("ustc", "https://mirrors.ustc.edu.cn/golang/"),
        ("aliyun", "https://mirrors.aliyun.com/golang/"),
    ];
    for (name, base) in cases {
        let sources = Sources::from_env(&env(&[]), Some(&flag(name)), None).unwrap();
        assert_eq!(sources.download_base().as_str(), base, "{name}");
        assert_eq!(sources.mirror_name(), Some(name));
        // Checksums stay with go.dev's feed.
        assert_eq!(
            sources.feed_url().as_str(),
            "https://go.dev/dl/?mode=json&include=all"
        );
        let via_env = Sources::from_env(&env(&[("GOX_MIRROR", name)]), None, None).unwrap();
        assert_eq!(via_env, sources);
    }
}

#[test]
fn a_mirror_url_without_a_trailing_slash_is_a_directory() {
    let sources =
        Sources::from_env(&env(&[]), Some(&flag("https://m.example/golang")), None).unwrap();
    assert_eq!(
        download_url(&sources),
        "https://m.example/golang/go1.22.10.linux-amd64.tar.gz"
    );
}

#[test]
fn download_base_from_the_environment() {
    let vars = [("GOX_DOWNLOAD_BASE", "http://127.0.0.1:8080/dl")];
    let sources = Sources::from_env(&env(&vars), None, None).unwrap();
    assert_eq!(
        download_url(&sources),
        "http://127.0.0.1:8080/dl/go1.22.10.linux-amd64.tar.gz"
    );
}

#[test]
fn the_flag_beats_the_environment_which_beats_the_config_file() {
    let config = MirrorList::parse("config.toml: mirror", "golang.google.cn").unwrap();
    let base = |vars: &[(&str, &str)], flag_value: Option<&str>| {
        let flag_list = flag_value.map(flag);
        Sources::from_env(&env(vars), flag_list.as_ref(), Some(&config))
            .unwrap()
            .download_base()
            .to_string()
    };
    let both = [
        ("GOX_DOWNLOAD_BASE", "https://base.example/go/"),
        ("GOX_MIRROR", "ustc"),
    ];
    assert_eq!(
        base(&both, Some("aliyun")),
        "https://mirrors.aliyun.com/golang/"
    );
    assert_eq!(base(&both, None), "https://base.example/go/");
    assert_eq!(
        base(&[("GOX_MIRROR", "ustc")], None),
        "https://mirrors.ustc.edu.cn/golang/"
    );
    assert_eq!(base(&[], None), "https://golang.google.cn/dl/");
}

#[test]
fn the_feed_url_comes_from_the_environment() {
    let vars = [(
        "GOX_FEED_URL",
        "https://golang.google.cn/dl/?mode=json&include=all",
    )];
    let sources = Sources::from_env(&env(&vars), Some(&flag("golang.google.cn")), None).unwrap();
    assert_eq!(sources.feed_url().host_str(), Some("golang.google.cn"));
}

#[test]
fn plain_http_to_the_network_is_refused_before_any_request() {
    let cases = [
        env(&[("GOX_FEED_URL", "http://example.com/dl/?mode=json")]),
        env(&[("GOX_DOWNLOAD_BASE", "http://example.com/go/")]),
        env(&[("GOX_MIRROR", "http://10.0.0.1/golang/")]),
    ];
    for e in cases {
        let err = Sources::from_env(&e, None, None).unwrap_err();
        assert!(matches!(err, ResolveError::UrlPolicy { .. }), "{err}");
        assert!(err.to_string().contains("use https://"), "{err}");
    }
    let err = MirrorList::parse("--mirror", "http://localhost.evil.com/").unwrap_err();
    assert!(matches!(err, ResolveError::UrlPolicy { .. }), "{err}");
}

#[test]
fn unusable_settings_say_which_and_what_to_write() {
    let err = MirrorList::parse("--mirror", "tsinghua")
        .unwrap_err()
        .to_string();
    assert!(err.starts_with("--mirror=\"tsinghua\""), "{err}");
    assert!(err.contains("ustc"), "{err}");
    let err = Sources::from_env(&env(&[("GOX_MIRROR", "tsinghua")]), None, None)
        .unwrap_err()
        .to_string();
    assert!(err.starts_with("GOX_MIRROR=\"tsinghua\""), "{err}");
    let err = Sources::from_env(&env(&[("GOX_FEED_URL", "go.dev/dl")]), None, None)
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with("GOX_FEED_URL=\"go.dev/dl\": not a URL"),
        "{err}"
    );
}
