//! Posting JSON to a chat webhook with the sending rules of SPEC §8: 429 waits `Retry-After`,
//! 5xx and timeouts retry with backoff (bounded), any other 4xx is permanent. Errors name the
//! webhook, never its URL (the URL is the credential).

use super::{Failure, Secret};
use crate::error::{Error, Result};
use std::time::Duration;

/// Attempts per message (the first try and the retries).
const ATTEMPTS: u32 = 4;
/// The longest `Retry-After` worth waiting for.
const MAX_RETRY_AFTER: u64 = 120;
/// Backoff before the first retry; doubled each time.
const BACKOFF: Duration = Duration::from_secs(1);

/// The shared HTTP client (rustls, 30 s timeout, no redirects: a webhook that redirects is
/// not followed with its payload).
pub fn client() -> Result<reqwest::Client> {
    crate::tls::init();
    reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .connect_timeout(Duration::from_secs(10))
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
        let loopback = crate::config::is_loopback(&parsed);
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
        let mut backoff = BACKOFF;
        for attempt in 1..=ATTEMPTS {
            let last = attempt == ATTEMPTS;
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
                    tracing::warn!("{who}: {why}; retrying in {} s", backoff.as_secs());
                    tokio::time::sleep(backoff).await;
                    backoff *= 2;
                    continue;
                }
            };
            let status = response.status();
            let retry_after = response
                .headers()
                .get(reqwest::header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok());
            let text = response.text().await.unwrap_or_default();
            let said = super::clip(text.lines().next().unwrap_or_default().trim(), 200);
            if status.is_success() {
                if accepted(&text) {
                    return Ok(());
                }
                return Err(Failure(format!("{who}: answered {status} but `{said}`")));
            }
            if status.as_u16() == 429 {
                let wait = retry_after.unwrap_or(1);
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
                tracing::warn!(
                    "{who}: answered {status}; retrying in {} s",
                    backoff.as_secs()
                );
                tokio::time::sleep(backoff).await;
                backoff *= 2;
                continue;
            }
            return Err(Failure(format!(
                "{who}: answered {status} `{said}` (permanent: check the webhook and its environment variable)"
            )));
        }
        Err(Failure(format!("{who}: gave up after {ATTEMPTS} attempts")))
    }
}
