//! GitHub REST client: octocrab's HTTP stack (auth, base URI, rate-limit retries) with this
//! project's own alert type, cursor pagination that never leaves the configured origin, and
//! `hide_secret=true` on every alert request.

use super::model::{Alert, CampaignRecord};
use crate::config::GithubConfig;
use crate::error::{Error, Result};
use chrono::{DateTime, TimeZone, Utc};
use http::header::{ACCEPT, HeaderName};
use http::{HeaderMap, StatusCode};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use octocrab::Octocrab;
use octocrab::service::middleware::retry::{RateLimitMetrics, RetryConfig};
use serde::Serialize;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use url::Url;

/// GitHub's recommended media type.
const MEDIA_TYPE: &str = "application/vnd.github+json";
/// The REST API version this tool is written against.
const API_VERSION: &str = "2022-11-28";
/// Largest page GitHub serves.
const PER_PAGE: u8 = 100;
const DEFAULT_API: &str = "https://api.github.com";

/// The API base URL: `github.api_url`, else `$GITHUB_API_URL`, else api.github.com.
pub fn api_url(cfg: &GithubConfig) -> Result<Url> {
    let (raw, from) = match (&cfg.api_url, std::env::var("GITHUB_API_URL")) {
        (Some(u), _) => (u.clone(), "github.api_url"),
        (None, Ok(u)) if !u.trim().is_empty() => (u.trim().to_string(), "GITHUB_API_URL"),
        _ => (DEFAULT_API.to_string(), "the default"),
    };
    crate::config::check_url(&raw).map_err(|m| Error::Usage(format!("{from}: {m}")))
}

/// A connected GitHub API client for one organization.
pub struct GitHub {
    octo: Octocrab,
    api: Url,
    org: String,
    credential: String,
    requests: AtomicU64,
}

impl std::fmt::Debug for GitHub {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GitHub")
            .field("api", &self.api.as_str())
            .field("org", &self.org)
            .field("credential", &self.credential)
            .finish_non_exhaustive()
    }
}

/// Logs the waits of octocrab's rate-limit retry policy.
struct LogRateLimits;

impl RateLimitMetrics for LogRateLimits {
    fn retry_after_error(
        &self,
        req: &http::Request<octocrab::OctoBody>,
        status: StatusCode,
        retries_remaining: usize,
    ) {
        tracing::warn!(
            "GitHub answered {status} to {}; retrying ({retries_remaining} retries left)",
            req.uri().path()
        );
    }

    fn rate_limited(
        &self,
        req: &http::Request<octocrab::OctoBody>,
        status: StatusCode,
        retries_remaining: usize,
        waiting_seconds: u64,
    ) {
        tracing::warn!(
            "GitHub rate limit ({status}) on {}: waiting {waiting_seconds} s before retrying ({retries_remaining} retries left)",
            req.uri().path()
        );
    }
}

#[derive(Serialize)]
struct AlertQuery<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    state: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    secret_type: Option<String>,
    sort: &'a str,
    direction: &'a str,
    per_page: u8,
    hide_secret: bool,
    after: &'a str,
}

/// A response read in full.
struct Reply {
    headers: HeaderMap,
    body: String,
}

/// Rate-limit state read from response headers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    /// Requests allowed per window.
    pub limit: u64,
    /// Requests left in the window.
    pub remaining: u64,
    /// When the window resets.
    pub reset: Option<DateTime<Utc>>,
}

impl RateLimit {
    fn from_headers(h: &HeaderMap) -> Option<RateLimit> {
        let num = |name: &str| h.get(name)?.to_str().ok()?.trim().parse::<u64>().ok();
        Some(RateLimit {
            limit: num("x-ratelimit-limit")?,
            remaining: num("x-ratelimit-remaining")?,
            reset: num("x-ratelimit-reset")
                .and_then(|s| Utc.timestamp_opt(i64::try_from(s).ok()?, 0).single()),
        })
    }
}

/// A spinner on stderr while pages arrive; invisible when stderr is not a terminal.
pub struct Progress {
    bar: ProgressBar,
    alerts: AtomicU64,
}

impl Progress {
    /// A new spinner.
    pub fn new() -> Progress {
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        if let Ok(style) = ProgressStyle::with_template("{spinner} {msg}") {
            bar.set_style(style);
        }
        Progress {
            bar,
            alerts: AtomicU64::new(0),
        }
    }

    fn page(&self, alerts: usize) {
        let n = self.alerts.fetch_add(alerts as u64, Ordering::Relaxed) + alerts as u64;
        self.bar.set_message(format!("fetched {n} alerts"));
        self.bar.tick();
    }

    /// Removes the spinner.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

impl Default for Progress {
    fn default() -> Self {
        Progress::new()
    }
}

impl GitHub {
    /// Connects with the credentials the configuration names.
    pub fn connect(cfg: &GithubConfig) -> Result<GitHub> {
        crate::tls::init();
        let api = api_url(cfg)?;
        if cfg.app.is_some() {
            return Err(Error::Usage(
                "github.app: GitHub App authentication is not available in this version; \
                 remove `app` and set `token_env` to an env var holding a token"
                    .into(),
            ));
        }
        let token = std::env::var(&cfg.token_env)
            .ok()
            .filter(|t| !t.trim().is_empty())
            .ok_or_else(|| {
                Error::Usage(format!(
                    "the environment variable {} (github.token_env) is not set: set it to a token \
                     that can read the organization's secret-scanning alerts (classic: \
                     `security_events` scope; fine-grained: \"Secret scanning alerts\" read)",
                    cfg.token_env
                ))
            })?;
        let octo = Octocrab::builder()
            .base_uri(api.as_str())
            .map_err(|e| Error::Usage(format!("github.api_url `{api}`: {e}")))?
            .personal_token(token.trim().to_string())
            .add_header(ACCEPT, MEDIA_TYPE.to_string())
            .add_header(
                HeaderName::from_static("x-github-api-version"),
                API_VERSION.to_string(),
            )
            .add_retry_config(RetryConfig::HandleRateLimits {
                metrics: Arc::new(LogRateLimits),
                max_retries: 5,
                min_wait_seconds: 60,
                retry_on_forbidden: false,
            })
            .set_connect_timeout(Some(Duration::from_secs(15)))
            .set_read_timeout(Some(Duration::from_secs(60)))
            .build()
            .map_err(|e| Error::GitHub(format!("cannot set up the GitHub client: {e}")))?;
        Ok(GitHub {
            octo,
            api,
            org: cfg.org.clone(),
            credential: format!("the token in {}", cfg.token_env),
            requests: AtomicU64::new(0),
        })
    }

    /// Requests sent so far (retries inside octocrab not counted).
    pub fn request_count(&self) -> u64 {
        self.requests.load(Ordering::Relaxed)
    }

    /// The configured API base.
    pub fn api(&self) -> &Url {
        &self.api
    }

    /// Lists the organization's alerts. `secret_types` set → the generic pass. With `since`,
    /// open alerts are read in full and resolved ones newest change first until one older than
    /// `since`; without it, every alert is read in one listing.
    pub async fn list_alerts(
        &self,
        secret_types: Option<&[String]>,
        since: Option<DateTime<Utc>>,
        progress: &Progress,
    ) -> Result<Vec<Alert>> {
        let secret_type = secret_types.map(|t| t.join(","));
        let query = |state, sort| AlertQuery {
            state,
            secret_type: secret_type.clone(),
            sort,
            direction: "desc",
            per_page: PER_PAGE,
            hide_secret: true,
            after: "",
        };
        match since {
            None => self.paginate(&query(None, "created"), None, progress).await,
            Some(since) => {
                let mut open = self
                    .paginate(&query(Some("open"), "created"), None, progress)
                    .await?;
                let resolved = self
                    .paginate(&query(Some("resolved"), "updated"), Some(since), progress)
                    .await?;
                open.extend(resolved);
                Ok(open)
            }
        }
    }

    async fn paginate(
        &self,
        query: &AlertQuery<'_>,
        stop_before: Option<DateTime<Utc>>,
        progress: &Progress,
    ) -> Result<Vec<Alert>> {
        let qs = serde_urlencoded::to_string(query)
            .map_err(|e| Error::GitHub(format!("cannot build the alert query: {e}")))?;
        let mut next = Some(format!("/orgs/{}/secret-scanning/alerts?{qs}", self.org));
        let mut alerts = Vec::new();
        while let Some(path) = next.take() {
            let reply = self.get(&path, "list secret-scanning alerts").await?;
            let page: Vec<Alert> = parse_page(&reply.body)?;
            progress.page(page.len());
            let done = match (stop_before, page.last()) {
                (_, None) => true,
                (Some(limit), Some(last)) => last.last_change() < limit,
                (None, Some(_)) => false,
            };
            alerts.extend(page);
            if !done {
                next = self.next_link(&reply.headers)?;
            }
        }
        Ok(alerts)
    }

    /// The `rel="next"` link, checked to stay on the configured origin and to keep
    /// `hide_secret=true` and `per_page=100`; returned as path and query.
    fn next_link(&self, headers: &HeaderMap) -> Result<Option<String>> {
        let Some(value) = headers.get(http::header::LINK) else {
            return Ok(None);
        };
        let text = value
            .to_str()
            .map_err(|_| Error::GitHub("GitHub sent a Link header that is not text".into()))?;
        let Some(raw) = link_with_rel(text, "next") else {
            return Ok(None);
        };
        let url = self.api.join(raw).map_err(|e| {
            Error::GitHub(format!(
                "GitHub sent a pagination link that is not a URL ({e})"
            ))
        })?;
        if url.origin() != self.api.origin() {
            return Err(Error::ForeignLink {
                refused: url.origin().ascii_serialization(),
                expected: self.api.origin().ascii_serialization(),
            });
        }
        Ok(Some(with_required_params(&url)))
    }

    /// Reads the first page of open alerts (as a run would ask for them) and returns how many
    /// it held: proves the token can read the organization's alerts.
    pub async fn probe_alerts(&self) -> Result<usize> {
        let query = AlertQuery {
            state: Some("open"),
            secret_type: None,
            sort: "created",
            direction: "desc",
            per_page: PER_PAGE,
            hide_secret: true,
            after: "",
        };
        let qs = serde_urlencoded::to_string(&query)
            .map_err(|e| Error::GitHub(format!("cannot build the alert query: {e}")))?;
        let path = format!("/orgs/{}/secret-scanning/alerts?{qs}", self.org);
        let reply = self.get(&path, "list secret-scanning alerts").await?;
        Ok(parse_page(&reply.body)?.len())
    }

    /// Reads a GitHub security campaign record; `None` when the server has no such campaign
    /// or no campaigns at all (404), so the report can say so instead of failing.
    pub async fn campaign(&self, number: u64) -> Result<Option<CampaignRecord>> {
        let path = format!("/orgs/{}/campaigns/{number}", self.org);
        let what = "read the security campaign";
        match self.get_raw(&path).await {
            Ok(reply) => serde_json::from_str(&reply.body).map(Some).map_err(|e| {
                Error::GitHub(format!(
                    "GitHub sent a campaign record this tool cannot read ({e})"
                ))
            }),
            Err(e) if status_of(&e) == Some(StatusCode::NOT_FOUND) => {
                tracing::warn!("security campaign #{number}: {}", self.describe(e, what));
                Ok(None)
            }
            Err(e) => Err(self.describe(e, what)),
        }
    }

    /// Reads `GET /rate_limit` (does not count against the limit).
    pub async fn rate_limit(&self) -> Result<RateLimit> {
        let reply = self.get("/rate_limit", "read the rate limit").await?;
        #[derive(serde::Deserialize)]
        struct Body {
            rate: Rate,
        }
        #[derive(serde::Deserialize)]
        struct Rate {
            limit: u64,
            remaining: u64,
            reset: i64,
        }
        let body: Body = serde_json::from_str(&reply.body)
            .map_err(|e| Error::GitHub(format!("GitHub sent an unreadable rate limit ({e})")))?;
        Ok(RateLimit {
            limit: body.rate.limit,
            remaining: body.rate.remaining,
            reset: Utc.timestamp_opt(body.rate.reset, 0).single(),
        })
    }

    async fn get(&self, path: &str, what: &str) -> Result<Reply> {
        self.get_raw(path).await.map_err(|e| self.describe(e, what))
    }

    async fn get_raw(&self, path: &str) -> std::result::Result<Reply, octocrab::Error> {
        let first = self.requests.fetch_add(1, Ordering::Relaxed) == 0;
        let response = self.octo._get(path).await?;
        if first && let Some(rl) = RateLimit::from_headers(response.headers()) {
            tracing::info!(
                "GitHub rate limit: {} of {} requests left{}",
                rl.remaining,
                rl.limit,
                rl.reset
                    .map(|r| format!(", resets at {}", r.format("%H:%M UTC")))
                    .unwrap_or_default()
            );
        }
        let response = octocrab::map_github_error(response).await?;
        let headers = response.headers().clone();
        let body = self.octo.body_to_string(response).await?;
        Ok(Reply { headers, body })
    }

    /// Turns an octocrab error into a sentence that says what to fix.
    fn describe(&self, err: octocrab::Error, what: &str) -> Error {
        let octocrab::Error::GitHub { source, .. } = &err else {
            return Error::GitHub(format!(
                "cannot {what}: GitHub at {} could not be reached or answered unreadably ({}); check the network and github.api_url, then run again",
                self.api,
                short(&err.to_string())
            ));
        };
        let status = source.status_code;
        let message = short(&source.message);
        let org = &self.org;
        let credential = &self.credential;
        let lower = message.to_lowercase();
        let text = match status.as_u16() {
            401 => format!(
                "cannot {what}: GitHub rejected {credential} (401 {message}). It is wrong, expired or revoked: create a new one and set it"
            ),
            403 | 404
                if lower.contains("secret scanning is disabled")
                    || lower.contains("secret scanning is not enabled") =>
            {
                format!(
                    "cannot {what}: secret scanning is disabled for the organization `{org}` ({} {message}). Enable GitHub Secret Protection for its repositories, or check github.org",
                    status.as_u16()
                )
            }
            403 if lower.contains("rate limit") => format!(
                "cannot {what}: GitHub's rate limit is exhausted (403 {message}){}; run again after that",
                reset_hint(source.rate_limit_reset)
            ),
            429 => format!(
                "cannot {what}: GitHub's rate limit is exhausted (429 {message}){}; run again after that",
                reset_hint(source.rate_limit_reset)
            ),
            403 => format!(
                "cannot {what}: GitHub refused {credential} (403 {message}). It needs read access to secret-scanning alerts of `{org}`: a classic token with the `security_events` scope, or a fine-grained token with \"Secret scanning alerts: read\" (and organization \"Security campaigns: read\" for github_campaign)"
            ),
            404 => format!(
                "cannot {what}: GitHub answered 404 ({message}). The organization `{org}` does not exist, {credential} cannot see it, or the feature is not available there; check github.org and the token"
            ),
            s if (500..600).contains(&s) => format!(
                "cannot {what}: GitHub kept failing ({s} {message}) after retries; run again later"
            ),
            s => format!("cannot {what}: GitHub answered {s} ({message})"),
        };
        Error::GitHub(text)
    }
}

fn status_of(err: &octocrab::Error) -> Option<StatusCode> {
    match err {
        octocrab::Error::GitHub { source, .. } => Some(source.status_code),
        _ => None,
    }
}

fn reset_hint(reset: Option<u64>) -> String {
    reset
        .and_then(|r| Utc.timestamp_opt(i64::try_from(r).ok()?, 0).single())
        .map(|t| format!("; it resets at {}", t.format("%Y-%m-%d %H:%M UTC")))
        .unwrap_or_default()
}

/// First line of a message, at most 200 characters.
fn short(s: &str) -> String {
    let line = s.lines().next().unwrap_or_default().trim();
    match line.char_indices().nth(200) {
        Some((i, _)) => format!("{}…", &line[..i]),
        None => line.to_string(),
    }
}

fn parse_page(body: &str) -> Result<Vec<Alert>> {
    let values: Vec<serde_json::Value> = serde_json::from_str(body).map_err(|e| {
        Error::GitHub(format!(
            "GitHub sent an alert list this tool cannot read ({e}); is github.api_url a GitHub API?"
        ))
    })?;
    values
        .into_iter()
        .enumerate()
        .map(|(i, v)| {
            let number = v.get("number").and_then(|n| n.as_u64());
            serde_json::from_value(v).map_err(|e| {
                Error::GitHub(format!(
                    "GitHub sent an alert this tool cannot read (item {i}{}: {e})",
                    number.map(|n| format!(", alert #{n}")).unwrap_or_default()
                ))
            })
        })
        .collect()
}

/// The URL of the first link with `rel=<rel>` in a `Link` header (RFC 8288). URLs are
/// delimited by angle brackets, so commas inside them (`secret_type=a,b`) are fine.
pub fn link_with_rel<'a>(header: &'a str, rel: &str) -> Option<&'a str> {
    let mut rest = header;
    while let Some(open) = rest.find('<') {
        let after = &rest[open + 1..];
        let close = after.find('>')?;
        let url = &after[..close];
        let params_and_more = &after[close + 1..];
        let params = match params_and_more.find('<') {
            Some(next) => &params_and_more[..next],
            None => params_and_more,
        };
        let matches = params.split(';').any(|p| {
            let Some((k, v)) = p.split_once('=') else {
                return false;
            };
            k.trim().eq_ignore_ascii_case("rel")
                && v.trim()
                    .trim_end_matches(',')
                    .trim()
                    .trim_matches('"')
                    .split_ascii_whitespace()
                    .any(|r| r.eq_ignore_ascii_case(rel))
        });
        if matches {
            return Some(url);
        }
        rest = params_and_more;
    }
    None
}

/// Path and query of a pagination URL with `hide_secret=true` and `per_page=100` enforced.
fn with_required_params(url: &Url) -> String {
    let pairs: Vec<(String, String)> = url.query_pairs().into_owned().collect();
    let has = |k: &str, v: &str| pairs.iter().any(|(pk, pv)| pk == k && pv == v);
    let ok = has("hide_secret", "true")
        && has("per_page", &PER_PAGE.to_string())
        && pairs
            .iter()
            .filter(|(k, _)| k == "hide_secret" || k == "per_page")
            .count()
            == 2;
    if ok {
        return match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_string(),
        };
    }
    let mut fixed = url.clone();
    fixed
        .query_pairs_mut()
        .clear()
        .extend_pairs(
            pairs
                .iter()
                .filter(|(k, _)| k != "hide_secret" && k != "per_page"),
        )
        .append_pair("per_page", &PER_PAGE.to_string())
        .append_pair("hide_secret", "true");
    match fixed.query() {
        Some(q) => format!("{}?{q}", fixed.path()),
        None => fixed.path().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_header_parsing() {
        let h = r#"<https://api.github.com/orgs/acme/secret-scanning/alerts?secret_type=password,rsa_private_key&after=Y3,Vy>; rel="next", <https://api.github.com/x?before=a>; rel="prev""#;
        assert_eq!(
            link_with_rel(h, "next"),
            Some(
                "https://api.github.com/orgs/acme/secret-scanning/alerts?secret_type=password,rsa_private_key&after=Y3,Vy"
            )
        );
        assert_eq!(
            link_with_rel(h, "prev"),
            Some("https://api.github.com/x?before=a")
        );
        assert_eq!(link_with_rel(h, "last"), None);
        assert_eq!(link_with_rel("<a>; rel=\"prev next\"", "next"), Some("a"));
        assert_eq!(link_with_rel("<a>; rel=next", "next"), Some("a"));
        assert_eq!(link_with_rel("garbage", "next"), None);
        assert_eq!(link_with_rel("<unterminated; rel=next", "next"), None);
        assert_eq!(link_with_rel("", "next"), None);
    }

    #[test]
    fn required_params_are_enforced() {
        let u = Url::parse("https://h/api/v3/orgs/a/secret-scanning/alerts?per_page=100&hide_secret=true&after=abc%2B").unwrap();
        assert_eq!(
            with_required_params(&u),
            "/api/v3/orgs/a/secret-scanning/alerts?per_page=100&hide_secret=true&after=abc%2B"
        );
        let u = Url::parse(
            "https://h/orgs/a/secret-scanning/alerts?after=x&hide_secret=false&per_page=30",
        )
        .unwrap();
        assert_eq!(
            with_required_params(&u),
            "/orgs/a/secret-scanning/alerts?after=x&per_page=100&hide_secret=true"
        );
        let u = Url::parse("https://h/orgs/a/secret-scanning/alerts?after=x").unwrap();
        assert_eq!(
            with_required_params(&u),
            "/orgs/a/secret-scanning/alerts?after=x&per_page=100&hide_secret=true"
        );
    }

    #[test]
    fn page_errors_name_the_alert() {
        let e = parse_page(
            r#"[{"number": 4, "created_at": "yesterday", "repository": {"full_name": "a/b"}}]"#,
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("item 0, alert #4"), "{e}");
        let e = parse_page("<html>").unwrap_err().to_string();
        assert!(e.contains("cannot read"), "{e}");
    }

    #[test]
    fn query_string_has_hide_secret_and_per_page() {
        let q = AlertQuery {
            state: Some("open"),
            secret_type: Some("password,rsa_private_key".into()),
            sort: "created",
            direction: "desc",
            per_page: PER_PAGE,
            hide_secret: true,
            after: "",
        };
        assert_eq!(
            serde_urlencoded::to_string(&q).unwrap(),
            "state=open&secret_type=password%2Crsa_private_key&sort=created&direction=desc&per_page=100&hide_secret=true&after="
        );
    }
}
