//! The URL policy: which URLs a token or a message may be sent to, and how a URL is shown.

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
