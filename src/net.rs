//! The network policy: which URLs a token or a message may be sent to, how a URL is shown, and
//! how long to wait between the attempts of a request.

use std::time::Duration;

/// Exponential backoff between the attempts of one request. Each caller keeps its own decision
/// about what is worth retrying and how many attempts to make; this only says how long to wait.
#[derive(Debug, Clone)]
pub struct Backoff {
    next: Duration,
}

impl Backoff {
    /// Backoff that waits `first` before the first retry and twice as long each time after.
    pub fn new(first: Duration) -> Self {
        Self { next: first }
    }

    /// The wait before the coming retry; the one after waits twice as long.
    pub fn next_wait(&mut self) -> Duration {
        let wait = self.next;
        self.next = self.next.saturating_mul(2);
        wait
    }
}

/// Checks an API base URL: http(s), and plain http only to a loopback address.
pub fn check_url(raw: &str) -> std::result::Result<url::Url, String> {
    let url = &redact_userinfo(raw);
    let parsed = url::Url::parse(raw).map_err(|e| format!("`{url}` is not a URL ({e})"))?;
    match parsed.scheme() {
        "https" => Ok(parsed),
        "http" if is_loopback(&parsed) => Ok(parsed),
        "http" => Err(format!(
            "`{url}` uses plain http to a host that is not this machine; the token would travel unencrypted: use https"
        )),
        other => Err(format!("`{url}` uses `{other}`; use https")),
    }
}

/// A URL as it may be shown: a user name or password before the host is replaced by `…`.
pub fn redact_userinfo(raw: &str) -> String {
    let Some((scheme, rest)) = raw.split_once("://") else {
        return raw.to_string();
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => format!("{scheme}://…@{}", &rest[at + 1..]),
        None => raw.to_string(),
    }
}

/// Whether a URL's host is this machine (127.0.0.0/8, ::1, localhost). The url crate leaves
/// IP hosts of non-special schemes such as `smtp://` as text, so those are parsed here.
pub fn is_loopback(url: &url::Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(d)) => {
            d.eq_ignore_ascii_case("localhost")
                || d.trim_start_matches('[')
                    .trim_end_matches(']')
                    .parse::<std::net::IpAddr>()
                    .is_ok_and(|ip| ip.is_loopback())
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::Backoff;
    use std::time::Duration;

    #[test]
    fn backoff_doubles_from_the_first_wait() {
        let mut b = Backoff::new(Duration::from_secs(2));
        let waits: Vec<u64> = (0..4).map(|_| b.next_wait().as_secs()).collect();
        assert_eq!(waits, [2, 4, 8, 16]);
        let mut huge = Backoff::new(Duration::MAX);
        assert_eq!(huge.next_wait(), Duration::MAX);
        assert_eq!(
            huge.next_wait(),
            Duration::MAX,
            "saturates instead of overflowing"
        );
    }
}
