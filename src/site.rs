//! Where links point: GitHub's web pages of the organization (on github.com, GHE.com or a
//! GitHub Enterprise Server), the published reports, and URLs made safe for a link.

use chrono::NaiveDate;

/// Where links in the reports point: GitHub's web pages of the organization and the
/// published reports.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Site {
    /// The organization.
    pub org: String,
    /// GitHub's web origin (`https://github.com`, or a GitHub Enterprise Server host).
    pub web: Option<String>,
    /// Where the output folder is published (`output.report_url`), ending with `/`.
    pub reports: Option<String>,
}

impl Site {
    /// The site of an organization, from the API URL and `output.report_url`.
    pub fn new(org: &str, api: Option<&url::Url>, report_url: Option<&str>) -> Site {
        Site {
            org: org.to_string(),
            web: api.and_then(web_origin),
            reports: report_url.and_then(reports_base),
        }
    }

    /// GitHub's security overview of the organization's open secret-scanning alerts matching
    /// a filter (`is:open` added unless the filter names a state).
    pub fn alerts_filter_url(&self, filter: &str) -> Option<String> {
        let web = self.web.as_deref()?;
        let mut query = filter.trim().to_string();
        if !filter
            .split_whitespace()
            .any(|t| matches!(t, "is:open" | "is:closed" | "-is:open" | "-is:closed"))
        {
            query = format!("is:open {query}").trim().to_string();
        }
        let query: String = url::form_urlencoded::byte_serialize(query.as_bytes()).collect();
        Some(format!(
            "{web}/orgs/{}/security/alerts/secret-scanning?query={query}",
            self.org
        ))
    }

    /// A GitHub security campaign's page.
    pub fn campaign_url(&self, number: u64) -> Option<String> {
        let web = self.web.as_deref()?;
        Some(format!(
            "{web}/orgs/{}/security/campaigns/{number}",
            self.org
        ))
    }

    /// The link to an alert: GitHub's `html_url` when it is on GitHub's web origin (no other
    /// host, no user information), else the alert's page built from the origin; without a
    /// known origin, any https link without user information.
    pub fn alert_link(&self, repo: &str, number: u64, html_url: Option<&str>) -> Option<String> {
        let sent = html_url
            .and_then(|h| url::Url::parse(h).ok())
            .filter(|u| u.username().is_empty() && u.password().is_none());
        let trusted = match (&sent, self.web.as_deref()) {
            (Some(u), Some(web)) => u.origin().ascii_serialization() == web,
            (Some(u), None) => u.scheme() == "https",
            (None, _) => false,
        };
        if trusted && let Some(url) = html_url.and_then(safe_url) {
            return Some(url);
        }
        let web = self.web.as_deref()?;
        safe_url(&format!("{web}/{repo}/security/secret-scanning/{number}"))
    }

    /// A playbook's page as published (`OUT/playbooks/<id>.html`).
    pub fn playbook_url(&self, id: &str) -> Option<String> {
        Some(format!("{}playbooks/{id}.html", self.reports.as_deref()?))
    }

    /// A campaign's full HTML report as published.
    pub fn report_url(&self, id: &str, date: NaiveDate) -> Option<String> {
        Some(format!(
            "{}{id}/{date}/report.html",
            self.reports.as_deref()?
        ))
    }
}

/// GitHub's web origin for an API URL: api.github.com → github.com, api.X.ghe.com → X.ghe.com,
/// `https://host/api/v3` → `https://host`. Never carries user information.
pub fn web_origin(api: &url::Url) -> Option<String> {
    let host = api.host_str()?;
    let scheme = api.scheme();
    let port = api.port().map(|p| format!(":{p}")).unwrap_or_default();
    let host = if host == "api.github.com" {
        "github.com"
    } else if let Some(rest) = host
        .strip_prefix("api.")
        .filter(|h| h.ends_with(".ghe.com"))
    {
        rest
    } else {
        host
    };
    Some(format!("{scheme}://{host}{port}"))
}

/// The base of published reports: `report_url` with a final `/`; a link to a page (`….html`)
/// means its folder.
fn reports_base(report_url: &str) -> Option<String> {
    let url = safe_url(report_url)?;
    let base = match url.rsplit_once('/') {
        Some((dir, page)) if page.ends_with(".html") || page.ends_with(".htm") => dir.to_string(),
        _ => url.trim_end_matches('/').to_string(),
    };
    Some(format!("{base}/"))
}

/// Links longer than this are not shown: no page of GitHub's needs one, and a message must fit.
const MAX_URL: usize = 2_000;

/// An http(s) URL re-serialized so it cannot break out of a Markdown link, a Markdown table
/// cell or an HTML attribute (spaces, quotes, brackets, parentheses and pipes
/// percent-encoded); `None` for anything else, and for a link longer than [`MAX_URL`].
pub fn safe_url(raw: &str) -> Option<String> {
    if raw.len() > MAX_URL {
        return None;
    }
    let url = url::Url::parse(raw.trim()).ok()?;
    if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
        return None;
    }
    let mut out = String::with_capacity(url.as_str().len());
    for c in url.as_str().chars() {
        match c {
            '(' | ')' | '"' | '\'' | '<' | '>' | '|' | '`' | '[' | ']' | '\\' | '{' | '}' | '^'
            | ' ' => out.push_str(&format!("%{:02X}", c as u32)),
            c => out.push(c),
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_from_the_api_url_and_report_url() {
        let api = url::Url::parse("https://api.github.com").unwrap();
        let site = Site::new(
            "acme",
            Some(&api),
            Some("https://reports.acme.example/pulse"),
        );
        assert_eq!(
            site.alerts_filter_url("provider:azure validity:active")
                .as_deref(),
            Some(
                "https://github.com/orgs/acme/security/alerts/secret-scanning?query=is%3Aopen+provider%3Aazure+validity%3Aactive"
            )
        );
        assert_eq!(
            site.alerts_filter_url("is:open publicly-leaked").as_deref(),
            Some(
                "https://github.com/orgs/acme/security/alerts/secret-scanning?query=is%3Aopen+publicly-leaked"
            )
        );
        assert_eq!(
            site.campaign_url(7).as_deref(),
            Some("https://github.com/orgs/acme/security/campaigns/7")
        );
        assert_eq!(
            site.report_url("aws", NaiveDate::from_ymd_opt(2026, 11, 23).unwrap())
                .as_deref(),
            Some("https://reports.acme.example/pulse/aws/2026-11-23/report.html")
        );
        let ghes = url::Url::parse("https://user:pw@ghe.example.com/api/v3").unwrap();
        assert_eq!(
            web_origin(&ghes).as_deref(),
            Some("https://ghe.example.com")
        );
        let ghec = url::Url::parse("https://api.acme.ghe.com").unwrap();
        assert_eq!(web_origin(&ghec).as_deref(), Some("https://acme.ghe.com"));
        assert_eq!(
            reports_base("https://r.example/latest/index.html").as_deref(),
            Some("https://r.example/latest/")
        );
        assert_eq!(reports_base("javascript:alert(1)"), None);
    }
}
