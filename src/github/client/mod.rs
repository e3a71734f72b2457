//! GitHub REST client: octocrab's HTTP stack (auth, base URI, rate-limit retries) with this
//! project's own alert type, cursor pagination that never leaves the configured origin, and
//! `hide_secret=true` on every alert request.

use super::retry::{ApiError, ApiErrorKind, Policy, Reply, short};
use crate::config::GithubConfig;
use crate::error::{Error, Result};
use crate::model::CampaignRecord;
use chrono::{DateTime, TimeZone, Utc};
use http::StatusCode;
use octocrab::Octocrab;

mod graphql;
pub use graphql::{COMMITS_A_QUERY, REPOS_A_QUERY};
mod listing;

pub use listing::Progress;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use url::Url;

mod auth;

use auth::Auth;

/// The REST API version this tool is written against.
const API_VERSION: &str = "2022-11-28";
const DEFAULT_API: &str = "https://api.github.com";

/// A path segment, percent-encoded but for RFC 3986's unreserved characters.
fn segment(s: &str) -> String {
    const SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'.')
        .remove(b'_')
        .remove(b'~');
    percent_encoding::utf8_percent_encode(s, SEGMENT).to_string()
}

/// `owner/name` as two encoded path segments; anything that is not a login and a repository
/// name (`..` would climb out of `/repos/{owner}/`) is refused before a request is made.
fn repo_path(full_name: &str) -> Result<String> {
    match full_name.split_once('/') {
        Some((owner, name))
            if crate::model::is_login(owner) && crate::model::is_repo_name(name) =>
        {
            Ok(format!("{}/{}", segment(owner), segment(name)))
        }
        _ => Err(Error::GitHub(format!(
            "GitHub sent a repository name that is not owner/name: `{}`",
            crate::text::clip(full_name, 120)
        ))),
    }
}

/// A file read from a repository.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RepoFile {
    /// There is no such file (or it is a folder, a link, a submodule).
    Missing,
    /// Its text (bytes that are not UTF-8 replaced).
    Text(String),
    /// It is larger than was asked for: its size in bytes.
    TooLarge(u64),
}

/// Requests a run may make when the server does not say its rate limit: 10,000 pages of 100
/// alerts, far beyond any organization.
const DEFAULT_BUDGET: u64 = 10_000;

/// The API base URL: `github.api_url`, else `$GITHUB_API_URL`, else api.github.com. A user
/// name or password written into it is dropped (authentication is the token's or the App's)
/// and never shown.
pub fn api_url(cfg: &GithubConfig) -> Result<Url> {
    let (raw, from) = match (&cfg.api_url, std::env::var("GITHUB_API_URL")) {
        (Some(u), _) => (u.clone(), "github.api_url"),
        (None, Ok(u)) if !u.trim().is_empty() => (u.trim().to_string(), "GITHUB_API_URL"),
        _ => (DEFAULT_API.to_string(), "the default"),
    };
    let mut url = crate::net::check_url(&raw).map_err(|m| Error::Usage(format!("{from}: {m}")))?;
    if !url.username().is_empty() || url.password().is_some() {
        tracing::warn!(
            "{from} holds a user name or password; they are ignored (requests authenticate with the token or the GitHub App)"
        );
        let _ = url.set_username("");
        let _ = url.set_password(None);
    }
    Ok(url)
}

/// A connected GitHub API client for one organization.
pub struct GitHub {
    octo: Octocrab,
    api: Url,
    org: String,
    auth: Auth,
    credential: String,
    requests: AtomicU64,
    /// GraphQL queries sent (their budget is GraphQL's own, not the REST requests').
    queries: AtomicU64,
    policy: Policy,
    /// Requests the rate limit allows this run (read before fetching); pages beyond it are
    /// refused rather than spent.
    budget: AtomicU64,
    /// A rate limit met by one request holds back the others made at the same time.
    pause: super::retry::Pause,
    /// At most [`IN_FLIGHT`] alert pages are asked for at once, whatever the listings.
    in_flight: tokio::sync::Semaphore,
}

/// Alert pages asked for at once: GitHub asks integrators not to make many concurrent
/// requests (secondary rate limits); four keeps well within that.
pub const IN_FLIGHT: usize = 4;

impl std::fmt::Debug for GitHub {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GitHub")
            .field("api", &self.api.as_str())
            .field("org", &self.org)
            .field("auth", &self.auth)
            .finish_non_exhaustive()
    }
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

/// What reading the first page of open alerts showed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Probe {
    /// Alerts on the first page.
    pub open_on_first_page: usize,
    /// A classic token's scopes (`x-oauth-scopes`); `None` for fine-grained tokens and Apps,
    /// which GitHub does not describe.
    pub scopes: Option<Vec<String>>,
}

impl GitHub {
    /// One attempt per request and no rate-limit wait: `check` answers at once, and says what
    /// a run would wait for or retry.
    pub fn impatient(mut self) -> GitHub {
        self.policy.attempts = 1;
        self.policy.max_wait = Duration::ZERO;
        self
    }

    /// Requests sent so far (retries inside octocrab not counted).
    pub fn request_count(&self) -> u64 {
        self.requests.load(Ordering::Relaxed)
    }

    /// GraphQL queries sent so far.
    pub fn query_count(&self) -> u64 {
        self.queries.load(Ordering::Relaxed)
    }

    /// The configured API base.
    pub fn api(&self) -> &Url {
        &self.api
    }

    /// Requests this run may still make under the rate limit read before fetching.
    pub fn requests_left(&self) -> u64 {
        self.budget
            .load(Ordering::Relaxed)
            .saturating_sub(self.request_count())
    }

    /// The GitHub login of a commit's author (`GET /repos/{owner}/{repo}/commits/{sha}`):
    /// `None` when the commit's e-mail is linked to no account, or the commit or repository is
    /// gone (404, 422).
    pub async fn commit_author(&self, repo: &str, sha: &str) -> Result<Option<String>> {
        let path = format!("/repos/{}/commits/{}", repo_path(repo)?, segment(sha));
        match self.get_raw(&path).await {
            Ok(reply) => {
                #[derive(serde::Deserialize)]
                struct Commit {
                    author: Option<crate::model::User>,
                }
                let commit: Commit = serde_json::from_str(&reply.body).map_err(|e| {
                    Error::GitHub(format!(
                        "GitHub sent a commit this tool cannot read ({repo}@{sha}: {e})"
                    ))
                })?;
                match commit.author.map(|u| u.login) {
                    Some(login) if !crate::model::is_login(&login) => Err(Error::GitHub(format!(
                        "GitHub named the author of commit {sha} of {repo} with a login that is not one (`{}`)",
                        crate::text::clip(&login, 40)
                    ))),
                    login => Ok(login),
                }
            }
            Err(e) if matches!(e.status.map(|s| s.as_u16()), Some(404 | 422 | 409)) => Ok(None),
            Err(e) => Err(self.describe(e, &format!("read commit {sha} of {repo}"))),
        }
    }

    /// A file of a repository's default branch through the contents API, of at most `max`
    /// bytes. GitHub sends files of up to 1 MB in the JSON answer; a larger one comes with
    /// `encoding: "none"` and no content, and is read again as raw bytes.
    pub async fn file(&self, repo: &str, file: &str, max: u64) -> Result<RepoFile> {
        let encoded: Vec<String> = file.split('/').map(segment).collect();
        let path = format!("/repos/{}/contents/{}", repo_path(repo)?, encoded.join("/"));
        let reply = match self.get_raw(&path).await {
            Ok(reply) => reply,
            Err(e) if e.status == Some(StatusCode::NOT_FOUND) => return Ok(RepoFile::Missing),
            Err(e) => return Err(self.describe(e, &format!("read {file} of {repo}"))),
        };
        #[derive(serde::Deserialize)]
        struct Content {
            #[serde(default, rename = "type")]
            kind: Option<String>,
            #[serde(default)]
            size: Option<u64>,
            #[serde(default)]
            content: Option<String>,
            #[serde(default)]
            encoding: Option<String>,
        }
        // a folder is a JSON array: no file of that name
        let Ok(c) = serde_json::from_str::<Content>(&reply.body) else {
            return if reply.body.trim_start().starts_with('[') {
                Ok(RepoFile::Missing)
            } else {
                Err(Error::GitHub(format!(
                    "GitHub sent {file} of {repo} unreadably"
                )))
            };
        };
        if c.kind.as_deref().is_some_and(|k| k != "file") {
            return Ok(RepoFile::Missing);
        }
        if let Some(size) = c.size.filter(|s| *s > max) {
            return Ok(RepoFile::TooLarge(size));
        }
        match (c.content, c.encoding.as_deref()) {
            (Some(content), Some("base64")) => {
                use base64::Engine as _;
                let cleaned: String = content.split_whitespace().collect();
                let bytes = base64::engine::general_purpose::STANDARD
                    .decode(cleaned)
                    .map_err(|e| Error::GitHub(format!("{file} of {repo} is not base64 ({e})")))?;
                if bytes.len() as u64 > max {
                    return Ok(RepoFile::TooLarge(bytes.len() as u64));
                }
                Ok(RepoFile::Text(String::from_utf8_lossy(&bytes).into_owned()))
            }
            // over 1 MB: only the raw media type carries the bytes
            (_, Some("none")) => {
                let raw = self
                    .get_as(&path, super::retry::RAW)
                    .await
                    .map_err(|e| self.describe(e, &format!("read {file} of {repo}")))?;
                if raw.body.len() as u64 > max {
                    return Ok(RepoFile::TooLarge(raw.body.len() as u64));
                }
                Ok(RepoFile::Text(raw.body))
            }
            (_, other) => Err(Error::GitHub(format!(
                "GitHub sent {file} of {repo} in an encoding this tool cannot read ({})",
                crate::text::clip(other.unwrap_or("none given"), 30)
            ))),
        }
    }

    /// Assigns an alert to a user (`PATCH /repos/{owner}/{repo}/secret-scanning/alerts/{n}`
    /// with `{"assignee": login}`), once: the answer's status and GitHub's message.
    pub async fn assign_alert(
        &self,
        repo: &str,
        number: u64,
        login: &str,
    ) -> Result<(StatusCode, String)> {
        let path = format!(
            "/repos/{}/secret-scanning/alerts/{number}",
            repo_path(repo)?
        );
        let body = serde_json::json!({ "assignee": login });
        let (status, text) = super::retry::patch(
            &self.octo,
            &path,
            &body,
            self.policy.deadline,
            &self.requests,
        )
        .await
        .map_err(|why| {
            Error::GitHub(format!(
                "cannot assign {repo} #{number}: GitHub at {} could not be reached or its answer broke off ({why})",
                self.api
            ))
        })?;
        let message = serde_json::from_str::<serde_json::Value>(&text)
            .ok()
            .and_then(|v| v["message"].as_str().map(short))
            .unwrap_or_default();
        Ok((status, message))
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
            Err(e) if e.status == Some(StatusCode::NOT_FOUND) => {
                tracing::warn!("security campaign #{number}: {}", self.describe(e, what));
                Ok(None)
            }
            Err(e) => Err(self.describe(e, what)),
        }
    }

    /// Reads the rate limit before a run, says how many requests it needs and has left, and
    /// waits for the reset when too few are left and the reset is within `github.max_wait`.
    pub async fn ensure_budget(&self, needed: u64) -> Result<()> {
        let rl = match self.rate_limit_raw().await {
            Ok(rl) => rl,
            // GitHub Enterprise Server answers 404 when rate limiting is off
            Err(e) if e.status == Some(StatusCode::NOT_FOUND) => {
                tracing::info!("this server does not limit the rate of requests");
                return Ok(());
            }
            Err(e) => return Err(self.describe(e, "read the rate limit")),
        };
        let reset = rl
            .reset
            .map(|r| format!(", resets at {}", r.format("%H:%M UTC")))
            .unwrap_or_default();
        tracing::info!(
            "GitHub rate limit: {} of {} requests left{reset}; this run needs at least {needed}",
            rl.remaining,
            rl.limit
        );
        self.budget
            .store(rl.remaining.max(needed), Ordering::Relaxed);
        if rl.remaining >= needed {
            return Ok(());
        }
        // after the reset the whole window is this run's
        self.budget.store(rl.limit.max(needed), Ordering::Relaxed);
        let until = rl.reset.unwrap_or_else(Utc::now);
        let wait = u64::try_from((until - Utc::now()).num_seconds().max(1)).unwrap_or(1);
        if wait > self.policy.max_wait.as_secs() {
            return Err(self.describe(
                ApiError::rate_limited(wait, self.policy.max_wait),
                "list secret-scanning alerts",
            ));
        }
        tracing::warn!(
            "only {} requests left: waiting {wait} s for the reset at {}",
            rl.remaining,
            until.format("%H:%M:%S UTC")
        );
        tokio::time::sleep(Duration::from_secs(wait)).await;
        Ok(())
    }

    /// Reads `GET /rate_limit` (does not count against the limit).
    pub async fn rate_limit(&self) -> Result<RateLimit> {
        self.rate_limit_raw()
            .await
            .map_err(|e| self.describe(e, "read the rate limit"))
    }

    async fn rate_limit_raw(&self) -> std::result::Result<RateLimit, ApiError> {
        let reply = self.get_raw("/rate_limit").await?;
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
            .map_err(|e| ApiError::other(format!("GitHub sent an unreadable rate limit ({e})")))?;
        Ok(RateLimit {
            limit: body.rate.limit,
            remaining: body.rate.remaining,
            reset: Utc.timestamp_opt(body.rate.reset, 0).single(),
        })
    }

    async fn get(&self, path: &str, what: &str) -> Result<Reply> {
        self.get_raw(path).await.map_err(|e| self.describe(e, what))
    }

    /// One GET of JSON with the retry policy of [`super::retry::get`].
    async fn get_raw(&self, path: &str) -> std::result::Result<Reply, ApiError> {
        self.get_as(path, super::retry::JSON).await
    }

    /// One GET asking for the media type `accept`, with the retry policy of
    /// [`super::retry::get`].
    async fn get_as(
        &self,
        path: &str,
        accept: &'static str,
    ) -> std::result::Result<Reply, ApiError> {
        super::retry::get(
            &self.octo,
            path,
            accept,
            self.policy,
            &self.requests,
            &self.pause,
        )
        .await
    }

    /// Turns a failed request into a sentence that says what to fix.
    fn describe(&self, err: ApiError, what: &str) -> Error {
        let err = match err.kind {
            ApiErrorKind::RateLimited {
                wait_secs,
                until,
                max_wait,
            } => {
                return Error::GitHub(super::retry::rate_limited_sentence(
                    what, wait_secs, until, max_wait,
                ));
            }
            ApiErrorKind::Transport(why) => {
                return Error::GitHub(format!(
                    "cannot {what}: GitHub at {} could not be reached or its answer broke off ({why}); check the network and github.api_url, then run again",
                    self.api
                ));
            }
            ApiErrorKind::Other(m) => return Error::GitHub(format!("cannot {what}: {m}")),
            ApiErrorKind::Octocrab(e) => e,
        };
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
            403 if lower.contains("rate limit")
                || source
                    .headers
                    .as_ref()
                    .and_then(|h| h.get("x-ratelimit-remaining"))
                    .and_then(|v| v.to_str().ok())
                    .is_some_and(|v| v.trim() == "0") =>
            {
                format!(
                    "cannot {what}: GitHub's rate limit is exhausted (403 {message}){}; run again after that",
                    reset_hint(source.rate_limit_reset)
                )
            }
            429 => format!(
                "cannot {what}: GitHub's rate limit is exhausted (429 {message}){}; run again after that",
                reset_hint(source.rate_limit_reset)
            ),
            403 => {
                let header = |name: &str| {
                    source
                        .headers
                        .as_ref()
                        .and_then(|h| h.get(name))
                        .and_then(|v| v.to_str().ok())
                        .map(str::trim)
                        .filter(|v| !v.is_empty())
                        .map(str::to_string)
                };
                let need = match (
                    header("x-accepted-github-permissions"),
                    header("x-accepted-oauth-scopes"),
                ) {
                    (Some(p), _) => format!(
                        "It lacks the permission `{p}`: give the fine-grained token or the GitHub App the repository permission \"Secret scanning alerts: read\" on the organization's repositories{}; its user must be an organization owner or security manager",
                        if p.contains("campaign") { ", and the organization permission \"Security campaigns: read\"" } else { "" }
                    ),
                    (None, Some(scopes)) => format!(
                        "It lacks the scope: GitHub accepts `{scopes}` here and the token has `{}`; add `security_events` to the classic token",
                        header("x-oauth-scopes").unwrap_or_else(|| "none".into())
                    ),
                    (None, None) => "It needs read access to the organization's secret-scanning alerts: a classic token with the `security_events` scope, or a fine-grained token or GitHub App with the repository permission \"Secret scanning alerts: read\" (and the organization permission \"Security campaigns: read\" for github_campaign); a token's user must be an organization owner or security manager".to_string(),
                };
                format!(
                    "cannot {what}: GitHub refused {credential} for `{org}` (403 {message}). {need}"
                )
            }
            404 => format!(
                "cannot {what}: GitHub answered 404 ({message}). The organization `{org}` does not exist, {credential} cannot see it, or the feature is not available there; check github.org and the token"
            ),
            s if (300..400).contains(&s) => format!(
                "cannot {what}: GitHub answered {s} (a redirect{}); redirects are not followed, so the token only goes to {}. Check github.api_url",
                source
                    .headers
                    .as_ref()
                    .and_then(|h| h.get(http::header::LOCATION))
                    .and_then(|l| l.to_str().ok())
                    .and_then(|l| self.api.join(l).ok())
                    .map(|u| format!(" to {}", u.origin().ascii_serialization()))
                    .unwrap_or_default(),
                self.api.origin().ascii_serialization()
            ),
            s if (500..600).contains(&s) => format!(
                "cannot {what}: GitHub kept failing ({s} {message}) after retries; run again later"
            ),
            s => format!("cannot {what}: GitHub answered {s} ({message})"),
        };
        Error::GitHub(text)
    }
}

fn reset_hint(reset: Option<u64>) -> String {
    match reset.and_then(|r| Utc.timestamp_opt(i64::try_from(r).ok()?, 0).single()) {
        Some(t) if t > Utc::now() => format!("; it resets at {}", t.format("%Y-%m-%d %H:%M UTC")),
        Some(t) => format!(
            "; GitHub gave a reset time already past ({}), so wait a few minutes",
            t.format("%Y-%m-%d %H:%M UTC")
        ),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn debug_output_has_no_token() {
        let cfg = crate::config::parse(
            std::path::Path::new("c.yaml"),
            "github: {org: acme}\ncampaigns: [{id: a}]\n",
        )
        .unwrap()
        .github;
        let token = crate::secret::Secret::new("ghp_CANARY0123456789".into());
        let gh = GitHub::with_token(&cfg, Url::parse("https://api.github.com").unwrap(), &token)
            .unwrap();
        let shown = format!("{gh:?} {token:?}");
        assert!(!shown.contains("CANARY"), "{shown}");
        assert!(shown.contains("Token(\"GITHUB_TOKEN\")"), "{shown}");
    }
}
