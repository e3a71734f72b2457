//! One GitHub request with this tool's retry policy: a deadline for the whole answer (a server
//! that drips bytes is given up on), a cap on its size, bounded retries with backoff for
//! transport errors, answers that break off, timeouts and 5xx, and rate limits waited out
//! within `github.max_wait`.

use bytes::Bytes;
use chrono::{DateTime, TimeZone, Utc};
use http::{HeaderMap, StatusCode};
use http_body_util::{BodyExt, Full, Limited};
use octocrab::Octocrab;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// A pause shared by requests made at once: a rate limit one of them meets holds back every
/// other, so concurrent listings slow down together instead of each running into the limit.
#[derive(Debug, Default)]
pub struct Pause(std::sync::Mutex<Option<tokio::time::Instant>>);

impl Pause {
    /// Waits until the pause, if any, is over.
    pub async fn wait(&self) {
        let until = *self.0.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(until) = until {
            tokio::time::sleep_until(until).await;
        }
    }

    /// Holds every request back for `d` from now (a longer pause already set stays).
    pub fn hold(&self, d: Duration) {
        let until = tokio::time::Instant::now() + d;
        let mut current = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if current.is_none_or(|c| c < until) {
            *current = Some(until);
        }
    }
}

/// A response read in full.
pub struct Reply {
    /// Its headers.
    pub headers: HeaderMap,
    /// Its body.
    pub body: String,
}

/// GitHub's recommended media type: JSON of the REST API.
pub const JSON: &str = "application/vnd.github+json";
/// A file's bytes as they are, from the contents API (files of up to 100 MB).
pub const RAW: &str = "application/vnd.github.raw+json";

/// Attempts per request, the first included.
pub const ATTEMPTS: u32 = 5;
/// Backoff before the first retry of a 5xx or a transport error; doubled each time.
const RETRY_BACKOFF: Duration = Duration::from_secs(1);
/// GitHub asks to wait at least a minute after a secondary rate limit without `retry-after`.
const SECONDARY_LIMIT_WAIT: u64 = 60;
/// The largest answer read: a page of 100 alerts is well under a megabyte.
pub const MAX_BODY: usize = 16 * 1024 * 1024;
/// Waits beyond this are not a rate-limit window (GitHub's is an hour): the server is wrong.
const IMPLAUSIBLE_WAIT: u64 = 7 * 24 * 3600;

/// How requests are made: the deadline of one attempt and the longest rate-limit wait.
#[derive(Debug, Clone, Copy)]
pub struct Policy {
    /// The whole answer, headers and body, must arrive within this.
    pub deadline: Duration,
    /// Rate limits are waited out when they end within this.
    pub max_wait: Duration,
    /// Attempts per request, the first included.
    pub attempts: u32,
}

/// A request that failed, with the status when GitHub answered.
#[derive(Debug)]
pub struct ApiError {
    /// The status GitHub answered, if it answered.
    pub status: Option<StatusCode>,
    /// What went wrong.
    pub kind: ApiErrorKind,
}

/// What went wrong with a request.
#[derive(Debug)]
pub enum ApiErrorKind {
    /// GitHub answered with an error.
    Octocrab(octocrab::Error),
    /// The rate limit ends later than `github.max_wait`.
    RateLimited {
        /// How long GitHub asked to wait.
        wait_secs: u64,
        /// Until when, when that is a real instant.
        until: Option<DateTime<Utc>>,
        /// The configured bound.
        max_wait: Duration,
    },
    /// No complete answer: the connection failed, timed out or broke off, every attempt.
    Transport(String),
    /// Anything else, said in words.
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

    /// A failure said in words.
    pub fn other(m: String) -> ApiError {
        ApiError {
            status: None,
            kind: ApiErrorKind::Other(m),
        }
    }

    /// The rate limit asks for a longer wait than allowed.
    pub fn rate_limited(wait_secs: u64, max_wait: Duration) -> ApiError {
        ApiError {
            status: None,
            kind: ApiErrorKind::RateLimited {
                wait_secs,
                until: until(wait_secs),
                max_wait,
            },
        }
    }
}

/// The instant `secs` from now, when that is a plausible instant.
fn until(secs: u64) -> Option<DateTime<Utc>> {
    (secs <= IMPLAUSIBLE_WAIT)
        .then(|| {
            Utc.timestamp_opt(Utc::now().timestamp() + secs as i64, 0)
                .single()
        })
        .flatten()
}

/// What one attempt got: a whole answer, or a failure worth retrying.
enum Attempt {
    Answer {
        status: StatusCode,
        headers: HeaderMap,
        body: Bytes,
        parts: http::response::Parts,
    },
    /// Transport error, timeout, or an answer that broke off: retried.
    Broken(String),
    /// An answer too large to read: not retried, it would be as large again.
    TooLarge,
    /// GitHub refused before the request (a GitHub App's installation token): an answer,
    /// not retried.
    Refused(octocrab::Error),
}

async fn attempt(octo: &Octocrab, path: &str, accept: &'static str, deadline: Duration) -> Attempt {
    let whole = async {
        let mut headers = HeaderMap::new();
        headers.insert(http::header::ACCEPT, http::HeaderValue::from_static(accept));
        let response = match octo._get_with_headers(path, Some(headers)).await {
            Ok(r) => r,
            Err(e @ octocrab::Error::GitHub { .. }) => return Err(Err(e)),
            Err(e) => return Err(Ok(short(&e.to_string()))),
        };
        let (parts, body) = response.into_parts();
        let body = Limited::new(body, MAX_BODY).collect().await.map_err(|e| {
            if e.is::<http_body_util::LengthLimitError>() {
                None
            } else {
                Some(format!("the answer broke off: {}", short(&e.to_string())))
            }
        });
        Ok::<_, std::result::Result<String, octocrab::Error>>((parts, body))
    };
    match tokio::time::timeout(deadline, whole).await {
        Err(_) => Attempt::Broken(format!(
            "no complete answer within {}",
            humantime::format_duration(deadline)
        )),
        Ok(Err(Ok(transport))) => Attempt::Broken(transport),
        Ok(Err(Err(refused))) => Attempt::Refused(refused),
        Ok(Ok((_, Err(None)))) => Attempt::TooLarge,
        Ok(Ok((_, Err(Some(broken))))) => Attempt::Broken(broken),
        Ok(Ok((parts, Ok(collected)))) => Attempt::Answer {
            status: parts.status,
            headers: parts.headers.clone(),
            body: collected.to_bytes(),
            parts,
        },
    }
}

/// One GET with the retry policy of this tool: transport errors, timeouts, answers that break
/// off and 5xx are retried with exponential backoff (1, 2, 4, 8 s); rate limits (429, or 403
/// with `retry-after` or no requests left) are waited out when the wait is within
/// `max_wait`, and fail with the time to retry otherwise; the wait is set on `pause`, which
/// every concurrent request honours. `sent` counts every attempt.
pub async fn get(
    octo: &Octocrab,
    path: &str,
    accept: &'static str,
    policy: Policy,
    sent: &AtomicU64,
    pause: &Pause,
) -> Result<Reply, ApiError> {
    let mut backoff = crate::net::Backoff::new(RETRY_BACKOFF);
    let attempts = policy.attempts.max(1);
    for n in 1..=attempts {
        let last = n == attempts;
        pause.wait().await;
        sent.fetch_add(1, Ordering::Relaxed);
        let (status, headers, body, parts) = match attempt(octo, path, accept, policy.deadline)
            .await
        {
            Attempt::Answer {
                status,
                headers,
                body,
                parts,
            } => (status, headers, body, parts),
            Attempt::Refused(e) => return Err(ApiError::octocrab(e)),
            Attempt::TooLarge => {
                return Err(ApiError::other(format!(
                    "GitHub's answer is larger than {} MB, far more than a page of alerts; is github.api_url a GitHub API?",
                    MAX_BODY / (1024 * 1024)
                )));
            }
            Attempt::Broken(why) if !last => {
                let wait = backoff.next_wait();
                tracing::warn!(
                    "GitHub could not be reached or its answer broke off ({why}); retrying in {} s",
                    wait.as_secs()
                );
                tokio::time::sleep(wait).await;
                continue;
            }
            Attempt::Broken(why) => {
                return Err(ApiError {
                    status: None,
                    kind: ApiErrorKind::Transport(if attempts == 1 {
                        why
                    } else {
                        format!("{why}, after {attempts} attempts")
                    }),
                });
            }
        };
        if status.is_success() {
            let body = String::from_utf8(body.to_vec())
                .map_err(|_| ApiError::other("GitHub sent an answer that is not UTF-8".into()))?;
            return Ok(Reply { headers, body });
        }
        let rebuilt = http::Response::from_parts(
            parts,
            Full::new(body).map_err(|never| match never {}).boxed(),
        );
        let error = match octocrab::map_github_error(rebuilt).await {
            Ok(_) => return Err(ApiError::other(format!("GitHub answered {status}"))),
            Err(e) => e,
        };
        let message = match &error {
            octocrab::Error::GitHub { source, .. } => source.message.to_lowercase(),
            _ => String::new(),
        };
        if let Some(wait) = rate_limit_wait(status, &headers, &message) {
            if wait > policy.max_wait.as_secs() {
                return Err(ApiError::rate_limited(wait, policy.max_wait));
            }
            if !last {
                tracing::warn!(
                    "GitHub rate limit ({status}): waiting {wait} s (github.max_wait allows {})",
                    humantime::format_duration(policy.max_wait)
                );
                pause.hold(Duration::from_secs(wait));
                continue;
            }
        } else if status.is_server_error() && !last {
            let wait = backoff.next_wait();
            tracing::warn!("GitHub answered {status}; retrying in {} s", wait.as_secs());
            tokio::time::sleep(wait).await;
            continue;
        }
        return Err(ApiError::octocrab(error));
    }
    Err(ApiError::other(format!(
        "gave up after {attempts} attempts"
    )))
}

/// One PATCH with a JSON body, under the deadline, not retried (a write is decided by its
/// caller): the status and the body, or why there was no answer.
pub async fn patch(
    octo: &Octocrab,
    path: &str,
    body: &serde_json::Value,
    deadline: Duration,
    sent: &AtomicU64,
) -> Result<(StatusCode, String), String> {
    send_json(octo, http::Method::PATCH, path, body, deadline, sent).await
}

/// One request with a JSON body (PATCH, or POST for GraphQL), once, counted in `sent`: the
/// answer's status and text, within `deadline` and [`MAX_BODY`].
pub async fn send_json(
    octo: &Octocrab,
    method: http::Method,
    path: &str,
    body: &serde_json::Value,
    deadline: Duration,
    sent: &AtomicU64,
) -> Result<(StatusCode, String), String> {
    sent.fetch_add(1, Ordering::Relaxed);
    let whole = async {
        let request = http::Request::builder()
            .method(method)
            .uri(path)
            .header(http::header::ACCEPT, JSON);
        let request = octo
            .build_request(request, Some(body))
            .map_err(|e| short(&e.to_string()))?;
        let response = octo
            .execute(request)
            .await
            .map_err(|e| short(&e.to_string()))?;
        let status = response.status();
        let bytes = Limited::new(response.into_body(), MAX_BODY)
            .collect()
            .await
            .map_err(|e| format!("the answer broke off: {}", short(&e.to_string())))?
            .to_bytes();
        Ok((status, String::from_utf8_lossy(&bytes).into_owned()))
    };
    match tokio::time::timeout(deadline, whole).await {
        Ok(result) => result,
        Err(_) => Err(format!(
            "no complete answer within {}",
            humantime::format_duration(deadline)
        )),
    }
}

/// Seconds a rate-limited answer asks to wait, `None` when the answer is no rate limit: 429,
/// or 403 with `retry-after`, no requests left, or a "rate limit" message. A reset already
/// past asks for a second.
pub fn rate_limit_wait(status: StatusCode, headers: &HeaderMap, message: &str) -> Option<u64> {
    let num = |name: &str| headers.get(name)?.to_str().ok()?.trim().parse::<i64>().ok();
    let limited = status == StatusCode::TOO_MANY_REQUESTS
        || (status == StatusCode::FORBIDDEN
            && (num("retry-after").is_some()
                || num("x-ratelimit-remaining") == Some(0)
                || message.contains("rate limit")));
    if !limited {
        return None;
    }
    let secs = match (
        num("retry-after"),
        num("x-ratelimit-remaining"),
        num("x-ratelimit-reset"),
    ) {
        (Some(after), _, _) => after.max(1),
        (None, Some(0), Some(reset)) => reset.saturating_sub(Utc::now().timestamp()).max(1),
        _ => SECONDARY_LIMIT_WAIT as i64,
    };
    Some(u64::try_from(secs).unwrap_or(1))
}

/// The sentence for a rate limit that ends later than `max_wait`.
pub fn rate_limited_sentence(
    what: &str,
    wait_secs: u64,
    until: Option<DateTime<Utc>>,
    max_wait: Duration,
) -> String {
    match until {
        Some(until) => format!(
            "cannot {what}: GitHub's rate limit is exhausted until {} ({} from now), longer than github.max_wait ({}); run again after that time, or raise github.max_wait",
            until.format("%Y-%m-%d %H:%M UTC"),
            humantime::format_duration(Duration::from_secs(wait_secs)),
            humantime::format_duration(max_wait)
        ),
        None => format!(
            "cannot {what}: GitHub asked to wait {wait_secs} s before the next request, far longer than any rate-limit window; the server is misbehaving or misconfigured: check github.api_url, and run again later"
        ),
    }
}

/// First line of a message, at most 200 characters.
pub fn short(s: &str) -> String {
    let line = s.lines().next().unwrap_or_default().trim();
    match line.char_indices().nth(200) {
        Some((i, _)) => format!("{}…", &line[..i]),
        None => line.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, String)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, v.parse().unwrap());
        }
        h
    }

    #[test]
    fn rate_limit_waits() {
        let now = Utc::now().timestamp();
        let h = headers(&[("retry-after", "30".into())]);
        assert_eq!(rate_limit_wait(StatusCode::FORBIDDEN, &h, ""), Some(30));
        let h = headers(&[
            ("x-ratelimit-remaining", "0".into()),
            ("x-ratelimit-reset", (now + 120).to_string()),
        ]);
        let w = rate_limit_wait(StatusCode::FORBIDDEN, &h, "").unwrap();
        assert!((119..=121).contains(&w), "{w}");
        // a reset already past: a second, then the request again
        let h = headers(&[
            ("x-ratelimit-remaining", "0".into()),
            ("x-ratelimit-reset", (now - 600).to_string()),
        ]);
        assert_eq!(rate_limit_wait(StatusCode::FORBIDDEN, &h, ""), Some(1));
        assert_eq!(
            rate_limit_wait(StatusCode::FORBIDDEN, &HeaderMap::new(), ""),
            None
        );
        assert_eq!(
            rate_limit_wait(
                StatusCode::FORBIDDEN,
                &HeaderMap::new(),
                "secondary rate limit"
            ),
            Some(60)
        );
    }

    #[test]
    fn absurd_waits_are_said_as_such() {
        let max = Duration::from_secs(900);
        let s = rate_limited_sentence("list alerts", 3600, until(3600), max);
        assert!(s.contains("(1h from now)"), "{s}");
        let s = rate_limited_sentence("list alerts", u64::MAX / 2, until(u64::MAX / 2), max);
        assert!(s.contains("far longer than any rate-limit window"), "{s}");
        assert!(!s.contains("0s from now"), "{s}");
    }
}
