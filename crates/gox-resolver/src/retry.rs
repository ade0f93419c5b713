//! Retries for every HTTP GET gox makes (the feed and the archives), in one place.
//!
//! A failure is [`Class::Transient`] (connect errors, timeouts, resets, a stalled or cut-off
//! body, 408, 429, 500, 502, 503, 504) or [`Class::Permanent`] (404, 410, 403 and every
//! other status, TLS failures, redirect loops, refused URLs). Transient failures are retried
//! with capped exponential backoff and jitter, or after the server's `Retry-After` (capped
//! too), until [`RetryPolicy::attempts`] attempts were made or the next wait would end past
//! [`RetryPolicy::deadline`]. Permanent failures stop at once. A transfer that is moving is
//! never cut off by the deadline; a silent one is cut off by [`RetryPolicy::stall`].

use std::future::Future;
use std::hash::{BuildHasher, Hasher};
use std::time::{Duration, Instant, SystemTime};

use gox_core::{Config, Environment};

use crate::error::{ResolveError, chain};

/// Whether trying again can help.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Class {
    Transient,
    Permanent,
}

/// How hard to try.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts per URL, the first one included (`GOX_RETRIES` / `retries`).
    pub attempts: u32,
    /// No retry starts, and no wait ends, later than this after the first attempt began
    /// (`GOX_DEADLINE` / `retry_deadline_secs`).
    pub deadline: Duration,
    /// The first backoff; each later one doubles, up to `cap`.
    pub base: Duration,
    /// The longest wait between two attempts, `Retry-After` included.
    pub cap: Duration,
    /// The longest silence while reading a body (`GOX_STALL_TIMEOUT` / `stall_timeout_secs`).
    pub stall: Duration,
}

impl Default for RetryPolicy {
    /// Five attempts within two minutes ride out a CDN edge's hiccup or a flaky Wi-Fi
    /// without leaving a user staring at a dead terminal.
    fn default() -> Self {
        Self {
            attempts: 5,
            deadline: Duration::from_secs(120),
            base: Duration::from_millis(500),
            cap: Duration::from_secs(30),
            stall: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// The defaults, overridden by the config file, overridden by the environment
    /// (`GOX_RETRIES`, `GOX_DEADLINE`, `GOX_STALL_TIMEOUT`; whole seconds, fractions allowed).
    pub fn from_settings(env: &Environment, config: &Config) -> Result<Self, ResolveError> {
        let mut policy = Self::default();
        if let Some(n) = config.retries {
            policy.attempts = n.max(1);
        }
        if let Some(s) = config.retry_deadline_secs {
            policy.deadline = Duration::from_secs(s);
        }
        if let Some(s) = config.stall_timeout_secs {
            policy.stall = Duration::from_secs(s.max(1));
        }
        if let Some(v) = env.var("GOX_RETRIES") {
            policy.attempts = v
                .trim()
                .parse::<u32>()
                .ok()
                .filter(|&n| n >= 1)
                .ok_or_else(|| {
                    setting(
                        "GOX_RETRIES",
                        v,
                        "must be a whole number of attempts, at least 1",
                    )
                })?;
        }
        if let Some(v) = env.var("GOX_DEADLINE") {
            policy.deadline = seconds("GOX_DEADLINE", v)?;
        }
        if let Some(v) = env.var("GOX_STALL_TIMEOUT") {
            policy.stall = seconds("GOX_STALL_TIMEOUT", v)?.max(Duration::from_millis(100));
        }
        // A wait never outlasts the whole budget.
        policy.cap = policy.cap.min(policy.deadline.max(policy.base));
        Ok(policy)
    }
}

fn seconds(name: &str, value: &str) -> Result<Duration, ResolveError> {
    value
        .trim()
        .parse::<f64>()
        .ok()
        .filter(|s| s.is_finite() && *s >= 0.0 && *s <= 86_400.0)
        .map(Duration::from_secs_f64)
        .ok_or_else(|| setting(name, value, "must be a number of seconds (0 to 86400)"))
}

fn setting(name: &str, value: &str, reason: &str) -> ResolveError {
    ResolveError::Setting {
        name: name.to_string(),
        value: value.to_string(),
        reason: reason.to_string(),
    }
}

/// 408, 429 and the 5xx a busy or restarting server sends are worth another try; 501 and
/// 505 (the server will never do it), 4xx (our request or the file is the problem) are not.
pub fn classify_status(status: u16) -> Class {
    match status {
        408 | 429 | 500 | 502 | 503 | 504 => Class::Transient,
        s if (500..600).contains(&s) && s != 501 && s != 505 => Class::Transient,
        _ => Class::Permanent,
    }
}

/// Resets, timeouts, refused connections and cut-off bodies are transient; a TLS failure
/// (a certificate the roots don't vouch for, a handshake alert) is someone in the middle or a
/// misconfigured host, and a redirect loop or a refused redirect is configuration: those stop.
pub fn classify_error(err: &reqwest::Error) -> Class {
    if err.is_redirect() || err.is_builder() {
        return Class::Permanent;
    }
    let text = chain(err);
    if is_tls(&text) || is_proxy_auth(&text) {
        return Class::Permanent;
    }
    Class::Transient
}

/// Whether an error text says the HTTPS proxy wants credentials (its CONNECT got a 407):
/// asking again without them cannot help.
pub fn is_proxy_auth(text: &str) -> bool {
    text.to_ascii_lowercase()
        .contains("proxy authorization required")
}

const PROXY_AUTH_FIX: &str = " (HTTP 407 from the proxy: it wants a user name and password; \
     put them in the proxy variable, HTTPS_PROXY=http://USER:PASSWORD@HOST:PORT, with special \
     characters percent-encoded)";

/// Whether an error text (the whole source chain) describes a TLS failure.
pub fn is_tls(text: &str) -> bool {
    let text = text.to_ascii_lowercase();
    [
        "certificate",
        "tls handshake",
        "handshake failure",
        "received fatal alert",
        "invalid peer",
        "unknownissuer",
    ]
    .iter()
    .any(|needle| text.contains(needle))
}

/// `Retry-After` as delay-seconds or an HTTP-date (RFC 9110 §10.2.3), relative to `now`.
/// A date in the past means "now"; anything unreadable is ignored (the backoff applies).
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        // Absurd values saturate; the cap bounds them anyway.
        return Some(Duration::from_secs(
            value.parse::<u64>().unwrap_or(u64::MAX),
        ));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

/// The wait before attempt `attempt + 1` after `attempt` failed (1-based): `base·2^(n-1)`
/// capped at `cap`, of which the upper half is jittered by `unit` ∈ [0, 1) so that many
/// clients knocked over by the same outage don't come back in lockstep.
pub fn backoff(attempt: u32, base: Duration, cap: Duration, unit: f64) -> Duration {
    let exp = base.saturating_mul(1u32 << attempt.saturating_sub(1).min(20));
    let full = exp.min(cap);
    let unit = unit.clamp(0.0, 1.0);
    full / 2 + (full / 2).mul_f64(unit)
}

/// A random number in [0, 1) without a random-number crate: std's hasher keys are random
/// per process, and the clock and attempt number vary the input.
fn jitter_unit(attempt: u32) -> f64 {
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u32(attempt);
    h.write_u128(
        SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos()),
    );
    (h.finish() >> 11) as f64 / (1u64 << 53) as f64
}

/// Why one attempt failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    pub class: Class,
    /// `HTTP 503 Service Unavailable`, `connection refused`, `no data for 60 s`.
    pub detail: String,
    pub status: Option<u16>,
    pub retry_after: Option<Duration>,
}

impl Failure {
    /// A failure from an HTTP status (with the response's `Retry-After`, if any).
    pub fn status(status: reqwest::StatusCode, headers: &reqwest::header::HeaderMap) -> Self {
        let retry_after = headers
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| parse_retry_after(v, SystemTime::now()));
        Self {
            class: classify_status(status.as_u16()),
            detail: format!(
                "HTTP {} {}",
                status.as_u16(),
                status.canonical_reason().unwrap_or("")
            )
            .trim_end()
            .to_string(),
            status: Some(status.as_u16()),
            retry_after,
        }
    }

    /// A failure from the HTTP client (connect, TLS, reset, timeout, redirects).
    pub fn client(err: &reqwest::Error) -> Self {
        let mut detail = err.without_url_ref();
        if is_proxy_auth(&detail) {
            // The client's own words ("tunnel error: proxy authorization required") do not
            // say which setting holds the credentials.
            detail.push_str(PROXY_AUTH_FIX);
        }
        Self {
            class: classify_error(err),
            detail,
            status: None,
            retry_after: None,
        }
    }

    /// A transient failure described in words (a stalled or short body).
    pub fn transient(detail: impl Into<String>) -> Self {
        Self {
            class: Class::Transient,
            detail: detail.into(),
            status: None,
            retry_after: None,
        }
    }

    /// 404 and 410: the URL's host is fine, it just does not have the file.
    pub fn is_not_found(&self) -> bool {
        matches!(self.status, Some(404 | 410))
    }
}

/// reqwest's `without_url` consumes the error; messages name the URL themselves.
trait WithoutUrlRef {
    fn without_url_ref(&self) -> String;
}

impl WithoutUrlRef for reqwest::Error {
    fn without_url_ref(&self) -> String {
        let text = chain(self);
        match self.url() {
            Some(url) => text
                .replace(&format!(" for url ({url})"), "")
                .replace(&format!(" ({url})"), ""),
            None => text,
        }
    }
}

/// How an attempt ended, when it did not succeed.
#[derive(Debug)]
pub enum Attempt<E> {
    /// Worth classifying (and maybe retrying).
    Failed(Failure),
    /// Not a network matter (a full disk, a checksum): stop and pass it on.
    Abort(E),
}

impl<E> From<Failure> for Attempt<E> {
    fn from(f: Failure) -> Self {
        Attempt::Failed(f)
    }
}

/// The retries ran out, or a failure was permanent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GaveUp {
    pub url: String,
    pub last: Failure,
    pub attempts: u32,
    /// Why no further attempt was made, for the message.
    pub reason: String,
}

impl GaveUp {
    /// `HTTP 503 Service Unavailable after 5 attempts (the retry limit)`.
    pub fn summary(&self) -> String {
        let attempts = if self.attempts == 1 {
            "1 attempt".to_string()
        } else {
            format!("{} attempts", self.attempts)
        };
        format!("{} after {attempts} ({})", self.last.detail, self.reason)
    }

    /// Whether another mirror may have better luck: it lacks the file or kept failing
    /// transiently. A 403, TLS failure or redirect loop stops the list: those mean the
    /// setup is wrong, and quietly moving on would hide it.
    pub fn falls_through(&self) -> bool {
        self.last.is_not_found() || self.last.class == Class::Transient
    }
}

/// `download failed:` and an indented line per source tried, in order: how every message
/// about a download all sources failed begins, whatever it then advises (feed mirrors or
/// GOPROXY).
pub fn failure_list(failures: &[GaveUp]) -> String {
    let mut out = String::from("download failed:");
    for failure in failures {
        out.push_str(&format!("\n  {failure}"));
    }
    out
}

impl std::fmt::Display for GaveUp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "GET {}: {}", self.url, self.summary())
    }
}

/// Runs `op` (given the 1-based attempt number) until it succeeds, fails permanently, or
/// the policy's attempts or deadline run out. `on_retry(failure, next_attempt, wait)` is
/// called before each wait, e.g. to tell the user.
pub async fn retry<T, E, F, Fut>(
    policy: &RetryPolicy,
    url: &str,
    mut op: F,
    mut on_retry: impl FnMut(&Failure, u32, Duration),
) -> Result<T, Stopped<E>>
where
    F: FnMut(u32) -> Fut,
    Fut: Future<Output = Result<T, Attempt<E>>>,
{
    let start = Instant::now();
    let mut attempt = 0u32;
    loop {
        attempt += 1;
        let failure = match op(attempt).await {
            Ok(value) => return Ok(value),
            Err(Attempt::Abort(e)) => return Err(Stopped::Abort(e)),
            Err(Attempt::Failed(f)) => f,
        };
        let gave_up = |reason: String| {
            Err(Stopped::GaveUp(GaveUp {
                url: url.to_string(),
                last: failure.clone(),
                attempts: attempt,
                reason,
            }))
        };
        if failure.class == Class::Permanent {
            return gave_up(if failure.is_not_found() {
                "not found; not retried".to_string()
            } else {
                "permanent failure; not retried".to_string()
            });
        }
        if attempt >= policy.attempts {
            return gave_up(format!("the retry limit, GOX_RETRIES={}", policy.attempts));
        }
        // A server asking for more time than the deadline leaves will not be ready within
        // it: give up now (naming the deadline) rather than spend the rest of it polling.
        let asked = failure.retry_after;
        let wait = match asked {
            Some(asked) => asked.min(policy.cap),
            None => backoff(attempt, policy.base, policy.cap, jitter_unit(attempt)),
        };
        if start.elapsed() + asked.unwrap_or(wait).max(wait) > policy.deadline {
            return gave_up(format!(
                "the retry deadline, GOX_DEADLINE={}s",
                policy.deadline.as_secs_f64()
            ));
        }
        on_retry(&failure, attempt + 1, wait);
        tokio::time::sleep(wait).await;
    }
}

/// How [`retry`] ended without a value.
#[derive(Debug)]
pub enum Stopped<E> {
    GaveUp(GaveUp),
    Abort(E),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_are_classified() {
        for s in [408, 429, 500, 502, 503, 504, 599] {
            assert_eq!(classify_status(s), Class::Transient, "{s}");
        }
        for s in [400, 401, 403, 404, 410, 416, 451, 501, 505, 302] {
            assert_eq!(classify_status(s), Class::Permanent, "{s}");
        }
    }

    #[test]
    fn tls_texts_are_recognised() {
        assert!(is_tls(
            "error sending request: client error (Connect): invalid peer certificate: UnknownIssuer"
        ));
        assert!(is_tls("received fatal alert: HandshakeFailure"));
        assert!(!is_tls(
            "error sending request: tcp connect error: Connection refused (os error 111)"
        ));
        assert!(!is_tls("connection reset by peer"));
        assert!(is_proxy_auth(
            "error sending request: client error (Connect): tunnel error: proxy authorization required"
        ));
        assert!(!is_proxy_auth("tunnel error: unsuccessful"));
    }

    #[test]
    fn a_failure_list_has_a_line_per_source_in_order() {
        let gave_up = |url: &str, status: u16, attempts| GaveUp {
            url: url.to_string(),
            last: Failure {
                class: classify_status(status),
                detail: format!("HTTP {status}"),
                status: Some(status),
                retry_after: None,
            },
            attempts,
            reason: "the retry limit".to_string(),
        };
        assert_eq!(
            failure_list(&[
                gave_up("https://a/x", 404, 1),
                gave_up("https://b/x", 503, 5)
            ]),
            "download failed:\n  GET https://a/x: HTTP 404 after 1 attempt (the retry limit)\n  \
             GET https://b/x: HTTP 503 after 5 attempts (the retry limit)"
        );
    }

    #[test]
    fn retry_after_seconds_and_dates() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        assert_eq!(parse_retry_after("7", now), Some(Duration::from_secs(7)));
        assert_eq!(parse_retry_after(" 0 ", now), Some(Duration::ZERO));
        assert_eq!(
            parse_retry_after("99999999999999999999999", now),
            Some(Duration::from_secs(u64::MAX))
        );
        let later = httpdate::fmt_http_date(now + Duration::from_secs(90));
        assert_eq!(
            parse_retry_after(&later, now),
            Some(Duration::from_secs(90))
        );
        let earlier = httpdate::fmt_http_date(now - Duration::from_secs(90));
        assert_eq!(parse_retry_after(&earlier, now), Some(Duration::ZERO));
        for bad in ["", "-1", "1.5", "soon", "Mon, 99 Foo 2024"] {
            assert_eq!(parse_retry_after(bad, now), None, "{bad}");
        }
    }

    #[test]
    fn backoff_doubles_caps_and_jitters_the_upper_half() {
        let (base, cap) = (Duration::from_millis(500), Duration::from_secs(30));
        assert_eq!(backoff(1, base, cap, 0.0), Duration::from_millis(250));
        assert_eq!(backoff(1, base, cap, 1.0), Duration::from_millis(500));
        assert_eq!(backoff(2, base, cap, 0.0), Duration::from_millis(500));
        assert_eq!(backoff(3, base, cap, 1.0), Duration::from_secs(2));
        assert_eq!(backoff(10, base, cap, 1.0), cap);
        assert_eq!(backoff(u32::MAX, base, cap, 0.5), cap.mul_f64(0.75));
        for n in 1..40 {
            let d = backoff(n, base, cap, jitter_unit(n));
            assert!(d <= cap && d >= backoff(n, base, cap, 0.0), "{n}: {d:?}");
        }
        let u = jitter_unit(3);
        assert!((0.0..1.0).contains(&u));
    }

    fn env(vars: &[(&str, &str)]) -> Environment {
        Environment::fake(
            "/",
            vars.iter().map(|(k, v)| (k.to_string(), v.to_string())),
        )
    }

    #[test]
    fn settings_from_config_and_env() {
        let config = Config {
            retries: Some(3),
            retry_deadline_secs: Some(10),
            ..Config::default()
        };
        let p = RetryPolicy::from_settings(&env(&[]), &config).unwrap();
        assert_eq!((p.attempts, p.deadline), (3, Duration::from_secs(10)));
        assert_eq!(p.cap, Duration::from_secs(10));
        let p = RetryPolicy::from_settings(
            &env(&[
                ("GOX_RETRIES", "2"),
                ("GOX_DEADLINE", "1.5"),
                ("GOX_STALL_TIMEOUT", "2"),
            ]),
            &config,
        )
        .unwrap();
        assert_eq!(p.attempts, 2);
        assert_eq!(p.deadline, Duration::from_millis(1500));
        assert_eq!(p.stall, Duration::from_secs(2));
        for (k, v) in [
            ("GOX_RETRIES", "0"),
            ("GOX_RETRIES", "x"),
            ("GOX_DEADLINE", "-1"),
            ("GOX_STALL_TIMEOUT", "NaN"),
        ] {
            let err = RetryPolicy::from_settings(&env(&[(k, v)]), &Config::default())
                .unwrap_err()
                .to_string();
            assert!(err.starts_with(&format!("{k}=")), "{err}");
        }
    }

    fn fast(attempts: u32, deadline_ms: u64) -> RetryPolicy {
        RetryPolicy {
            attempts,
            deadline: Duration::from_millis(deadline_ms),
            base: Duration::from_millis(1),
            cap: Duration::from_millis(5),
            stall: Duration::from_secs(1),
        }
    }

    async fn run(policy: RetryPolicy, script: Vec<Failure>) -> (Result<u32, GaveUp>, u32) {
        let mut calls = 0;
        let result = retry::<u32, std::convert::Infallible, _, _>(
            &policy,
            "http://x/f",
            |n| {
                calls += 1;
                let next = script.get(n as usize - 1).cloned();
                async move {
                    match next {
                        Some(f) => Err(Attempt::Failed(f)),
                        None => Ok(n),
                    }
                }
            },
            |_, _, _| {},
        )
        .await;
        let result = result.map_err(|e| match e {
            Stopped::GaveUp(g) => g,
            Stopped::Abort(never) => match never {},
        });
        (result, calls)
    }

    fn status(code: u16) -> Failure {
        Failure {
            class: classify_status(code),
            detail: format!("HTTP {code}"),
            status: Some(code),
            retry_after: None,
        }
    }

    #[tokio::test]
    async fn transient_failures_are_retried_until_the_limit() {
        let (ok, calls) = run(fast(5, 10_000), vec![status(503), status(502)]).await;
        assert_eq!((ok.unwrap(), calls), (3, 3));
        let (err, calls) = run(fast(3, 10_000), vec![status(503); 9]).await;
        let err = err.unwrap_err();
        assert_eq!((err.attempts, calls), (3, 3));
        assert_eq!(
            err.to_string(),
            "GET http://x/f: HTTP 503 after 3 attempts (the retry limit, GOX_RETRIES=3)"
        );
        assert!(err.falls_through());
    }

    #[tokio::test]
    async fn permanent_failures_stop_at_once() {
        let (err, calls) = run(fast(5, 10_000), vec![status(404)]).await;
        let err = err.unwrap_err();
        assert_eq!(calls, 1);
        assert!(
            err.to_string()
                .contains("HTTP 404 after 1 attempt (not found; not retried)"),
            "{err}"
        );
        assert!(err.falls_through());
        let (err, calls) = run(fast(5, 10_000), vec![status(403)]).await;
        let err = err.unwrap_err();
        assert_eq!(calls, 1);
        assert!(!err.to_string().contains("not found"), "{err}");
        assert!(!err.falls_through());
    }

    #[tokio::test]
    async fn the_deadline_stops_retries_and_retry_after_is_capped() {
        let mut slow = status(429);
        slow.retry_after = Some(Duration::from_secs(3));
        let start = Instant::now();
        // Within the 10 s deadline, Retry-After is capped at 5 ms: both retries come quickly.
        let (ok, _) = run(fast(5, 10_000), vec![slow.clone(), slow.clone()]).await;
        assert_eq!(ok.unwrap(), 3);
        assert!(start.elapsed() < Duration::from_secs(2));
        // A server asking for longer than the deadline leaves: given up at once, even though
        // the capped wait would fit (polling it would only fail later).
        slow.retry_after = Some(Duration::from_secs(3600));
        let (err, calls) = run(fast(5, 10_000), vec![slow.clone(), slow.clone()]).await;
        assert_eq!(calls, 1);
        assert!(err.unwrap_err().reason.contains("GOX_DEADLINE=10s"));
        // With a deadline shorter than the capped wait, it gives up instead of sleeping.
        let mut policy = fast(5, 2);
        policy.cap = Duration::from_secs(1);
        let (err, calls) = run(policy, vec![slow; 5]).await;
        let err = err.unwrap_err();
        assert_eq!(calls, 1);
        assert!(err.reason.contains("GOX_DEADLINE"), "{err}");
    }
}
