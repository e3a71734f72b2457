//! Posting JSON to a chat webhook (README, "Delivery"): 429 waits `Retry-After`, 5xx and
//! timeouts retry with backoff (bounded), any other 4xx is permanent. Errors name the
//! webhook, never its URL (the URL is the credential).

use super::Failure;
use crate::error::{Error, Result};
use crate::secret::Secret;
use std::time::Duration;

/// Attempts per message (the first try and the retries).
const ATTEMPTS: u32 = 4;
/// The longest `Retry-After` worth waiting for.
const MAX_RETRY_AFTER: u64 = 120;
/// Backoff before the first retry; doubled each time.
const BACKOFF: Duration = Duration::from_secs(1);

/// The largest webhook answer read: Slack answers `ok`, Teams nothing.
const MAX_ANSWER: usize = 64 * 1024;

/// The shared HTTP client (rustls; the whole request and answer within `deadline`; no
/// redirects: a webhook that redirects is not followed with its payload).
pub fn client(deadline: Duration) -> Result<reqwest::Client> {
    crate::tls::init();
    reqwest::Client::builder()
        .timeout(deadline)
        .connect_timeout(deadline.min(Duration::from_secs(10)))
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("campaign-pulse/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| {
            Error::Usage(format!(
                "cannot set up the HTTP client: {}",
                e.without_url()
            ))
        })
}

/// Seconds a `Retry-After` value asks to wait: a number of seconds, or an HTTP date.
pub fn retry_after_secs(value: &str) -> Option<u64> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(secs);
    }
    let at = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    let secs = (at.with_timezone(&chrono::Utc) - chrono::Utc::now()).num_seconds();
    Some(u64::try_from(secs).unwrap_or(0))
}

/// Reads at most [`MAX_ANSWER`] bytes of an answer; a longer one is cut there and said so.
async fn read_capped(mut response: reqwest::Response) -> std::result::Result<String, String> {
    let mut body = Vec::new();
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                if body.len() + chunk.len() > MAX_ANSWER {
                    return Err(format!(
                        "its answer is longer than {} KB",
                        MAX_ANSWER / 1024
                    ));
                }
                body.extend_from_slice(&chunk);
            }
            Ok(None) => return Ok(String::from_utf8_lossy(&body).into_owned()),
            Err(e) if e.is_timeout() => return Err("its answer did not arrive in time".into()),
            Err(e) => return Err(format!("its answer broke off ({})", e.without_url())),
        }
    }
}

/// A webhook: its name, its URL (secret) and the client.
#[derive(Debug, Clone)]
pub struct Hook {
    name: String,
    url: Secret,
    client: reqwest::Client,
}

impl Hook {
    /// Checks the URL: https, or plain http only to this machine.
    pub fn new(name: &str, url: Secret, client: reqwest::Client) -> Result<Hook> {
        let parsed = url::Url::parse(url.expose()).map_err(|_| {
            Error::Usage(format!(
                "webhook `{name}`: its environment variable does not hold a URL"
            ))
        })?;
        let loopback = crate::net::is_loopback(&parsed);
        match parsed.scheme() {
            "https" => {}
            "http" if loopback => {}
            _ => {
                return Err(Error::Usage(format!(
                    "webhook `{name}`: its URL must use https"
                )));
            }
        }
        Ok(Hook {
            name: name.to_string(),
            url,
            client,
        })
    }

    /// Posts a JSON body; `accepted` says whether a 2xx answer body means success.
    pub async fn post(
        &self,
        kind: &str,
        body: &[u8],
        accepted: impl Fn(&str) -> bool,
    ) -> Result<(), Failure> {
        let who = format!("{kind} webhook `{}`", self.name);
        let mut backoff = crate::net::Backoff::new(BACKOFF);
        for attempt in 1..=ATTEMPTS {
            let last = attempt == ATTEMPTS;
            // the deadline covers connecting, sending and the whole answer
            let sent = self
                .client
                .post(self.url.expose())
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(body.to_vec())
                .send()
                .await;
            let response = match sent {
                Ok(r) => r,
                Err(e) => {
                    let why = if e.is_timeout() {
                        "timed out".to_string()
                    } else {
                        e.without_url().to_string()
                    };
                    if last {
                        return Err(Failure(format!("{who}: {why}, after {ATTEMPTS} attempts")));
                    }
                    let wait = backoff.next_wait();
                    tracing::warn!("{who}: {why}; retrying in {} s", wait.as_secs());
                    tokio::time::sleep(wait).await;
                    continue;
                }
            };
            let status = response.status();
            let retry_after = response
                .headers()
                .get(reqwest::header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(retry_after_secs);
            let text = match read_capped(response).await {
                Ok(t) => t,
                Err(why) if status.is_success() => {
                    return Err(Failure(format!("{who}: answered {status} but {why}")));
                }
                Err(_) => String::new(),
            };
            let said = super::clip(text.lines().next().unwrap_or_default().trim(), 200);
            if status.is_success() {
                if accepted(&text) {
                    return Ok(());
                }
                return Err(Failure(format!("{who}: answered {status} but `{said}`")));
            }
            if status.as_u16() == 429 {
                let wait = retry_after.unwrap_or(1).max(1);
                if wait > MAX_RETRY_AFTER || last {
                    return Err(Failure(format!(
                        "{who}: rate limited (429, retry after {wait} s); run again later"
                    )));
                }
                tracing::warn!("{who}: rate limited; waiting {wait} s as asked");
                tokio::time::sleep(Duration::from_secs(wait)).await;
                continue;
            }
            if status.is_server_error() {
                if last {
                    return Err(Failure(format!(
                        "{who}: answered {status} `{said}` after {ATTEMPTS} attempts"
                    )));
                }
                let wait = backoff.next_wait();
                tracing::warn!("{who}: answered {status}; retrying in {} s", wait.as_secs());
                tokio::time::sleep(wait).await;
                continue;
            }
            return Err(Failure(format!(
                "{who}: answered {status} `{said}` (permanent: check the webhook and its environment variable)"
            )));
        }
        Err(Failure(format!("{who}: gave up after {ATTEMPTS} attempts")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_in_seconds_or_as_an_http_date() {
        assert_eq!(retry_after_secs("7"), Some(7));
        let soon = (chrono::Utc::now() + chrono::Duration::seconds(90))
            .format("%a, %d %b %Y %H:%M:%S GMT")
            .to_string();
        let secs = retry_after_secs(&soon).unwrap();
        assert!((88..=90).contains(&secs), "{soon}: {secs}");
        assert_eq!(
            retry_after_secs("Wed, 21 Oct 2015 07:28:00 GMT"),
            Some(0),
            "past"
        );
        assert_eq!(retry_after_secs("soon"), None);
    }
}
