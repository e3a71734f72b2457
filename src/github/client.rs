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
use octocrab::service::middleware::retry::RetryConfig;
use serde::Serialize;
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
    auth: Auth,
    credential: String,
    requests: AtomicU64,
    max_wait: Duration,
}

impl std::fmt::Debug for GitHub {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GitHub")
            .field("api", &self.api.as_str())
            .field("org", &self.org)
            .field("auth", &self.auth)
            .finish_non_exhaustive()
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

impl<'a> AlertQuery<'a> {
    /// The first page of a listing: newest first, 100 a page, secrets hidden, cursor paging.
    fn new(state: Option<&'a str>, secret_type: Option<String>, sort: &'a str) -> Self {
        AlertQuery {
            state,
            secret_type,
            sort,
            direction: "desc",
            per_page: PER_PAGE,
            hide_secret: true,
            after: "",
        }
    }
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

/// How requests are authenticated.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Auth {
    /// A token from this env var.
    Token(String),
    /// A GitHub App installation.
    App { app_id: u64, installation_id: u64 },
}

impl Auth {
    fn describe(&self) -> String {
        match self {
            Auth::Token(env) => format!("the token in {env}"),
            Auth::App { app_id, .. } => format!("GitHub App {app_id}'s installation"),
        }
    }
}

/// The settings every client shares, on an octocrab builder whose type cannot be named.
macro_rules! configured {
    ($builder:expr) => {
        $builder
            .add_header(ACCEPT, MEDIA_TYPE.to_string())
            .add_header(
                HeaderName::from_static("x-github-api-version"),
                API_VERSION.to_string(),
            )
            // Retries are ours (see `get_raw`): octocrab's HandleRateLimits waits for any
            // `retry-after` or reset however far away and retries 5xx without backoff.
            .add_retry_config(RetryConfig::None)
            .set_connect_timeout(Some(Duration::from_secs(15)))
            .set_read_timeout(Some(Duration::from_secs(60)))
    };
}

impl GitHub {
    /// Connects with the credentials the configuration names: a GitHub App installation when
    /// `github.app` is set, else the token in `github.token_env`.
    pub fn connect(cfg: &GithubConfig) -> Result<GitHub> {
        crate::tls::init();
        let api = api_url(cfg)?;
        match &cfg.app {
            Some(app) => {
                let pem = std::env::var(&app.private_key_env)
                    .ok()
                    .filter(|k| !k.trim().is_empty())
                    .ok_or_else(|| {
                        Error::Usage(format!(
                            "the environment variable {} (github.app.private_key_env) is not set: set it to the GitHub App's private key (the PEM file GitHub gave you)",
                            app.private_key_env
                        ))
                    })?;
                let key = octocrab::EncodingKey::from_rsa_pem(pem.trim().as_bytes()).map_err(|_| {
                    Error::Usage(format!(
                        "the environment variable {} does not hold an RSA private key in PEM form (-----BEGIN RSA PRIVATE KEY----- …)",
                        app.private_key_env
                    ))
                })?;
                Self::with_app(cfg, api, app.app_id, app.installation_id, key)
            }
            None => {
                let token = std::env::var(&cfg.token_env)
                    .ok()
                    .filter(|t| !t.trim().is_empty())
                    .ok_or_else(|| {
                        Error::Usage(format!(
                            "the environment variable {} (github.token_env) is not set: set it to a token \
                             that can read the organization's secret-scanning alerts (classic: \
                             `security_events` scope; fine-grained: \"Secret scanning alerts\" read), \
                             or configure github.app",
                            cfg.token_env
                        ))
                    })?;
                Self::with_token(
                    cfg,
                    api,
                    &crate::deliver::Secret::new(token.trim().to_string()),
                )
            }
        }
    }

    /// A client for `api` authenticating with a token.
    pub fn with_token(
        cfg: &GithubConfig,
        api: Url,
        token: &crate::deliver::Secret,
    ) -> Result<GitHub> {
        let octo = configured!(
            Octocrab::builder()
                .base_uri(api.as_str())
                .map_err(|e| Error::Usage(format!("github.api_url `{api}`: {e}")))?
                .personal_token(token.expose().to_string())
        )
        .build()
        .map_err(|e| Error::GitHub(format!("cannot set up the GitHub client: {e}")))?;
        Ok(Self::new(
            cfg,
            api,
            octo,
            Auth::Token(cfg.token_env.clone()),
        ))
    }

    /// A client for `api` acting as a GitHub App installation: octocrab signs a JWT with the
    /// App's key and exchanges it for an installation token on the first request.
    pub fn with_app(
        cfg: &GithubConfig,
        api: Url,
        app_id: u64,
        installation_id: u64,
        key: octocrab::EncodingKey,
    ) -> Result<GitHub> {
        let app = configured!(
            Octocrab::builder()
                .base_uri(api.as_str())
                .map_err(|e| Error::Usage(format!("github.api_url `{api}`: {e}")))?
                .app(octocrab::models::AppId(app_id), key)
        )
        .build()
        .map_err(|e| Error::GitHub(format!("cannot set up the GitHub client: {e}")))?;
        let octo = app
            .installation(octocrab::models::InstallationId(installation_id))
            .map_err(|e| Error::GitHub(format!("cannot set up the GitHub App client: {e}")))?;
        Ok(Self::new(
            cfg,
            api,
            octo,
            Auth::App {
                app_id,
                installation_id,
            },
        ))
    }

    fn new(cfg: &GithubConfig, api: Url, octo: Octocrab, auth: Auth) -> GitHub {
        GitHub {
            octo,
            api,
            org: cfg.org.clone(),
            credential: auth.describe(),
            auth,
            requests: AtomicU64::new(0),
            max_wait: cfg.max_wait,
        }
    }

    /// How this client authenticates, in words for `check`.
    pub fn auth_kind(&self) -> String {
        match &self.auth {
            Auth::Token(env) => format!("token from {env}"),
            Auth::App {
                app_id,
                installation_id,
            } => format!("GitHub App {app_id}, installation {installation_id}"),
        }
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
        let query = |state, sort| AlertQuery::new(state, secret_type.clone(), sort);
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
        let mut next = Some(self.alerts_path(query)?);
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
        let path = self.alerts_path(&AlertQuery::new(Some("open"), None, "created"))?;
        let reply = self.get(&path, "list secret-scanning alerts").await?;
        Ok(parse_page(&reply.body)?.len())
    }

    /// Path and query of the first page of an alert listing.
    fn alerts_path(&self, query: &AlertQuery<'_>) -> Result<String> {
        let qs = serde_urlencoded::to_string(query)
            .map_err(|e| Error::GitHub(format!("cannot build the alert query: {e}")))?;
        Ok(format!("/orgs/{}/secret-scanning/alerts?{qs}", self.org))
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
        if rl.remaining >= needed {
            return Ok(());
        }
        let until = rl.reset.unwrap_or_else(Utc::now);
        let wait = u64::try_from((until - Utc::now()).num_seconds().max(1)).unwrap_or(1);
        if wait > self.max_wait.as_secs() {
            return Err(self.describe(
                ApiError::rate_limited(until, self.max_wait),
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

    /// One GET with the retry policy of this tool: transport errors, timeouts and 5xx are
    /// retried with exponential backoff (1, 2, 4, 8 s); rate limits (429, or 403 with
    /// `retry-after` or no requests left) are waited out when the wait is within
    /// `github.max_wait`, and fail with the time to retry otherwise.
    async fn get_raw(&self, path: &str) -> std::result::Result<Reply, ApiError> {
        let mut backoff = RETRY_BACKOFF;
        for attempt in 1..=ATTEMPTS {
            let last = attempt == ATTEMPTS;
            self.requests.fetch_add(1, Ordering::Relaxed);
            let response = match self.octo._get(path).await {
                Ok(r) => r,
                Err(e) if !last => {
                    tracing::warn!(
                        "GitHub could not be reached ({}); retrying in {} s",
                        short(&e.to_string()),
                        backoff.as_secs()
                    );
                    tokio::time::sleep(backoff).await;
                    backoff *= 2;
                    continue;
                }
                Err(e) => return Err(ApiError::octocrab(e)),
            };
            let headers = response.headers().clone();
            let status = response.status();
            if status.is_success() {
                let body = self
                    .octo
                    .body_to_string(response)
                    .await
                    .map_err(ApiError::octocrab)?;
                return Ok(Reply { headers, body });
            }
            let error = match octocrab::map_github_error(response).await {
                Ok(_) => return Err(ApiError::other(format!("GitHub answered {status}"))),
                Err(e) => e,
            };
            let message = match &error {
                octocrab::Error::GitHub { source, .. } => source.message.to_lowercase(),
                _ => String::new(),
            };
            if let Some(wait) = rate_limit_wait(status, &headers, &message) {
                if wait.until_secs > self.max_wait.as_secs() {
                    return Err(ApiError::rate_limited(wait.until, self.max_wait));
                }
                if !last {
                    tracing::warn!(
                        "GitHub rate limit ({status}): waiting {} s, until {} (github.max_wait allows {})",
                        wait.until_secs,
                        wait.until.format("%H:%M:%S UTC"),
                        humantime::format_duration(self.max_wait)
                    );
                    tokio::time::sleep(Duration::from_secs(wait.until_secs)).await;
                    continue;
                }
            } else if status.is_server_error() && !last {
                tracing::warn!(
                    "GitHub answered {status}; retrying in {} s",
                    backoff.as_secs()
                );
                tokio::time::sleep(backoff).await;
                backoff *= 2;
                continue;
            }
            return Err(ApiError::octocrab(error));
        }
        Err(ApiError::other(format!(
            "gave up after {ATTEMPTS} attempts"
        )))
    }

    /// Turns a failed request into a sentence that says what to fix.
    fn describe(&self, err: ApiError, what: &str) -> Error {
        let err = match err.kind {
            ApiErrorKind::RateLimited { until, max_wait } => {
                return Error::GitHub(format!(
                    "cannot {what}: GitHub's rate limit is exhausted until {} ({} from now), longer than github.max_wait ({}); run again after that time, or raise github.max_wait",
                    until.format("%Y-%m-%d %H:%M UTC"),
                    humantime::format_duration(Duration::from_secs(
                        u64::try_from((until - Utc::now()).num_seconds().max(0)).unwrap_or(0)
                    )),
                    humantime::format_duration(max_wait)
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
            403 if lower.contains("rate limit") => format!(
                "cannot {what}: GitHub's rate limit is exhausted (403 {message}){}; run again after that",
                reset_hint(source.rate_limit_reset)
            ),
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
                        "It lacks the permission `{p}`: give the fine-grained token or the GitHub App organization permission \"Secret scanning alerts: read\"{}",
                        if p.contains("campaign") { " and \"Security campaigns: read\"" } else { "" }
                    ),
                    (None, Some(scopes)) => format!(
                        "It lacks the scope: GitHub accepts `{scopes}` here and the token has `{}`; add `security_events` to the classic token",
                        header("x-oauth-scopes").unwrap_or_else(|| "none".into())
                    ),
                    (None, None) => "It needs read access to the organization's secret-scanning alerts: a classic token with the `security_events` scope, or a fine-grained token or GitHub App with \"Secret scanning alerts: read\" (and \"Security campaigns: read\" for github_campaign)".to_string(),
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

/// Attempts per request, the first included.
const ATTEMPTS: u32 = 5;
/// Backoff before the first retry of a 5xx or a transport error; doubled each time.
const RETRY_BACKOFF: Duration = Duration::from_secs(1);
/// GitHub asks to wait at least a minute after a secondary rate limit without `retry-after`.
const SECONDARY_LIMIT_WAIT: u64 = 60;

/// A request that failed, with the status when GitHub answered.
#[derive(Debug)]
struct ApiError {
    status: Option<StatusCode>,
    kind: ApiErrorKind,
}

#[derive(Debug)]
enum ApiErrorKind {
    Octocrab(octocrab::Error),
    RateLimited {
        until: DateTime<Utc>,
        max_wait: Duration,
    },
    Other(String),
}

impl ApiError {
    fn octocrab(e: octocrab::Error) -> ApiError {
        let status = match &e {
            octocrab::Error::GitHub { source, .. } => Some(source.status_code),
            _ => None,
        };
        ApiError {
            status,
            kind: ApiErrorKind::Octocrab(e),
        }
    }

    fn rate_limited(until: DateTime<Utc>, max_wait: Duration) -> ApiError {
        ApiError {
            status: None,
            kind: ApiErrorKind::RateLimited { until, max_wait },
        }
    }

    fn other(m: String) -> ApiError {
        ApiError {
            status: None,
            kind: ApiErrorKind::Other(m),
        }
    }
}

/// How long a rate-limited answer asks to wait.
struct Wait {
    until_secs: u64,
    until: DateTime<Utc>,
}

/// `Some` when the answer is a rate limit: 429, or 403 with `retry-after`, no requests
/// left, or a "secondary rate limit" message.
fn rate_limit_wait(status: StatusCode, headers: &HeaderMap, message: &str) -> Option<Wait> {
    let num = |name: &str| headers.get(name)?.to_str().ok()?.trim().parse::<i64>().ok();
    let limited = status == StatusCode::TOO_MANY_REQUESTS
        || (status == StatusCode::FORBIDDEN
            && (num("retry-after").is_some()
                || num("x-ratelimit-remaining") == Some(0)
                || message.contains("rate limit")));
    if !limited {
        return None;
    }
    let now = Utc::now().timestamp();
    let secs = match (
        num("retry-after"),
        num("x-ratelimit-remaining"),
        num("x-ratelimit-reset"),
    ) {
        (Some(after), _, _) => after.max(1),
        (None, Some(0), Some(reset)) => (reset - now).max(1),
        _ => SECONDARY_LIMIT_WAIT as i64,
    };
    let until_secs = u64::try_from(secs).unwrap_or(1);
    Some(Wait {
        until_secs,
        until: Utc
            .timestamp_opt(now + secs, 0)
            .single()
            .unwrap_or_else(Utc::now),
    })
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
            serde_path_to_error::deserialize(v).map_err(|e| {
                Error::GitHub(format!(
                    "GitHub sent an alert this tool cannot read (item {i}{}, field `{}`: {})",
                    number.map(|n| format!(", alert #{n}")).unwrap_or_default(),
                    e.path(),
                    e.inner()
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

    #[tokio::test]
    async fn debug_output_has_no_token() {
        let cfg = crate::config::parse(
            std::path::Path::new("c.yaml"),
            "github: {org: acme}\ncampaigns: [{id: a}]\n",
        )
        .unwrap()
        .github;
        let token = crate::deliver::Secret::new("ghp_CANARY0123456789".into());
        let gh = GitHub::with_token(&cfg, Url::parse("https://api.github.com").unwrap(), &token)
            .unwrap();
        let shown = format!("{gh:?} {token:?}");
        assert!(!shown.contains("CANARY"), "{shown}");
        assert!(shown.contains("Token(\"GITHUB_TOKEN\")"), "{shown}");
    }

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
        assert!(e.contains("item 0, alert #4, field `created_at`"), "{e}");
        let e = parse_page("<html>").unwrap_err().to_string();
        assert!(e.contains("cannot read"), "{e}");
    }

    #[test]
    fn query_string_has_hide_secret_and_per_page() {
        let q = AlertQuery::new(
            Some("open"),
            Some("password,rsa_private_key".into()),
            "created",
        );
        assert_eq!(
            serde_urlencoded::to_string(&q).unwrap(),
            "state=open&secret_type=password%2Crsa_private_key&sort=created&direction=desc&per_page=100&hide_secret=true&after="
        );
    }
}
