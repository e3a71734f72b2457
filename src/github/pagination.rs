//! Cursor pagination of alert listings: the query every first page asks, the `Link` header's
//! next page (checked by the client to stay on the configured origin), `hide_secret=true` and
//! `per_page=100` enforced on every page, and pages read into this project's alert type.

use crate::error::{Error, Result};
use crate::model::Alert;
use chrono::{DateTime, Utc};
use serde::Serialize;
use url::Url;

/// Largest page GitHub serves.
pub const PER_PAGE: u8 = 100;

/// The query of an alert listing's first page.
#[derive(Clone, Serialize)]
pub struct AlertQuery<'a> {
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
    pub fn new(state: Option<&'a str>, secret_type: Option<String>, sort: &'a str) -> Self {
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

    /// The same listing oldest first.
    pub fn ascending(mut self) -> Self {
        self.direction = "asc";
        self
    }
}

/// Reads a page of alerts, parsing the JSON once. When an alert cannot be read, the page is
/// read again item by item to say which alert and which field.
pub fn parse_page(body: &str) -> Result<Vec<Alert>> {
    match serde_json::from_str::<Vec<Alert>>(body) {
        Ok(alerts) => Ok(alerts),
        Err(_) => Err(explain_page(body)),
    }
}

fn explain_page(body: &str) -> Error {
    let values: Vec<serde_json::Value> = match serde_json::from_str(body) {
        Ok(v) => v,
        Err(e) => {
            return Error::GitHub(format!(
                "GitHub sent an alert list this tool cannot read ({e}); is github.api_url a GitHub API?"
            ));
        }
    };
    for (i, v) in values.into_iter().enumerate() {
        let number = v.get("number").and_then(|n| n.as_u64());
        if let Err(e) = serde_path_to_error::deserialize::<_, Alert>(v) {
            return Error::GitHub(format!(
                "GitHub sent an alert this tool cannot read (item {i}{}, field `{}`: {})",
                number.map(|n| format!(", alert #{n}")).unwrap_or_default(),
                e.path(),
                e.inner()
            ));
        }
    }
    Error::GitHub("GitHub sent an alert list this tool cannot read".into())
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
pub fn with_required_params(url: &Url) -> String {
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

/// Where a listing's walk is, for the `stop` question of the client's `paginate`.
pub enum Step<'a> {
    /// About to ask for the next page.
    Before,
    /// A page arrived; `true` when GitHub links a next one.
    Page(&'a [Alert], bool),
}

/// Stops a listing sorted by last change, newest first, after the page that reaches before
/// `since` — as long as the pages come in that order: once one does not (a server that does
/// not sort as asked), stopping early could leave changes unread, so the listing is read to
/// the end.
pub fn stop_before(since: DateTime<Utc>) -> impl Fn(Step<'_>) -> bool + Sync {
    // the last change of the latest page's last alert, and whether the order ever broke
    let seen = std::sync::Mutex::new((None::<DateTime<Utc>>, false));
    move |step| match step {
        Step::Before => false,
        Step::Page(page, _) => {
            let mut seen = seen
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            let (previous, unsorted) = &mut *seen;
            let changes: Vec<DateTime<Utc>> = page.iter().map(Alert::last_change).collect();
            let in_order = previous
                .iter()
                .chain(&changes)
                .collect::<Vec<_>>()
                .windows(2)
                .all(|w| w[0] >= w[1]);
            if !in_order && !*unsorted {
                *unsorted = true;
                tracing::warn!(
                    "GitHub listed resolved alerts out of the order asked for: reading them all rather than stopping at {}",
                    since.format("%Y-%m-%d")
                );
            }
            *previous = changes.last().copied().or(*previous);
            page.is_empty() || (!*unsorted && changes.last().is_some_and(|t| *t < since))
        }
    }
}

/// Two walks of one listing sorted by creation, from its ends towards each other.
#[derive(Debug, Default)]
pub struct Meet {
    /// The oldest creation the newest-first walk has reached: it has read every alert
    /// created after it.
    newest_first: Option<DateTime<Utc>>,
    /// The newest creation the oldest-first walk has reached: it has read every alert
    /// created before it.
    oldest_first: Option<DateTime<Utc>>,
    /// A walk read to the end of the listing: it has read everything.
    done: bool,
    /// A page came out of the order asked for (a server that ignores `direction`, or does
    /// not sort): where the walks stand proves nothing, so the oldest-first walk stops and the
    /// newest-first one reads to the end.
    unsorted: bool,
}

impl Meet {
    /// The `stop` question of one walk (`newest`: the newest-first one), noting where it has
    /// reached; `first_page` hears of its first page.
    pub fn walk<'a>(
        meet: &'a std::sync::Mutex<Meet>,
        newest: bool,
        first_page: Option<&'a tokio::sync::Notify>,
    ) -> impl Fn(Step<'_>) -> bool + Sync + 'a {
        move |step| {
            let mut m = meet
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            if let Step::Page(page, more) = step {
                let before = if newest {
                    m.newest_first
                } else {
                    m.oldest_first
                };
                // each page goes on from where the last one ended, in the order asked for
                let in_order = before
                    .into_iter()
                    .chain(page.iter().map(|a| a.created_at))
                    .collect::<Vec<_>>()
                    .windows(2)
                    .all(|w| if newest { w[0] >= w[1] } else { w[0] <= w[1] });
                if !in_order && !m.unsorted {
                    m.unsorted = true;
                    tracing::warn!(
                        "GitHub listed alerts out of the order asked for: reading the listing from one end only"
                    );
                }
                let reached = page.last().map(|a| a.created_at).or(before);
                if newest {
                    m.newest_first = reached;
                } else {
                    m.oldest_first = reached;
                }
                // a walk that read to the end read every page, whatever their order
                m.done |= !more;
                if let Some(n) = first_page {
                    n.notify_one();
                }
            }
            if m.unsorted {
                // only a newest-first walk to the end can be trusted
                return !newest || m.done;
            }
            m.covered()
        }
    }

    /// Whether the two walks together have read the whole listing. With equal instants
    /// alerts created at that very second may be on neither side yet: not covered.
    fn covered(&self) -> bool {
        self.done
            || matches!((self.newest_first, self.oldest_first), (Some(low), Some(high)) if high > low)
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
