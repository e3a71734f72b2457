//! The alert listings: pages read one after another within a walk, listings side by side,
//! those sorted by creation from both ends, each page checked to stay on the configured
//! origin and parsed once.

use super::{GitHub, Probe};
use crate::error::{Error, Result};
use crate::github::pagination::{
    AlertQuery, Meet, Step, link_with_rel, parse_page, stop_before, with_required_params,
};
use crate::model::Alert;
use chrono::{DateTime, Utc};
use http::HeaderMap;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, Ordering};

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
            None => self.read_listing(query(None, "created"), progress).await,
            Some(since) => {
                // the two listings do not depend on each other: both at once
                let resolved_q = query(Some("resolved"), "updated");
                let stop = stop_before(since);
                let (mut open, resolved) = tokio::try_join!(
                    self.read_listing(query(Some("open"), "created"), progress),
                    self.paginate(&resolved_q, &stop, progress),
                )?;
                open.extend(resolved);
                Ok(open)
            }
        }
    }

    /// Lists the organization's resolved alerts newest change first, until one changed before
    /// `since` (every one without). `secret_types` set → the generic pass.
    pub async fn list_resolved(
        &self,
        secret_types: Option<&[String]>,
        since: Option<DateTime<Utc>>,
        progress: &Progress,
    ) -> Result<Vec<Alert>> {
        let query = AlertQuery::new(
            Some("resolved"),
            secret_types.map(|t| t.join(",")),
            "updated",
        );
        match since {
            Some(since) => self.paginate(&query, &stop_before(since), progress).await,
            None => self.paginate(&query, &|_| false, progress).await,
        }
    }

    /// A whole listing sorted by creation, walked from each end at once (the second walk from
    /// the first page's answer on, so that a listing of one page is one request), each
    /// stopping when what the two have read covers the listing: about half the time for at
    /// most one page more. Every listing is read this way, not only the largest, so that no
    /// listing's pages wait in a single line while request slots stand idle. The caller
    /// drops the duplicates where the walks overlap.
    async fn read_listing(&self, query: AlertQuery<'_>, progress: &Progress) -> Result<Vec<Alert>> {
        let meet = std::sync::Mutex::new(Meet::default());
        // the second walk starts once the first page says there is more than one
        let first_page = tokio::sync::Notify::new();
        let newest_first = Meet::walk(&meet, true, Some(&first_page));
        let oldest_first = Meet::walk(&meet, false, None);
        let ascending = query.clone().ascending();
        let second_walk = async {
            first_page.notified().await;
            self.paginate(&ascending, &oldest_first, progress).await
        };
        let (mut newest, oldest) =
            tokio::try_join!(self.paginate(&query, &newest_first, progress), second_walk,)?;
        newest.extend(oldest);
        Ok(newest)
    }

    /// Reads a listing page after page; `stop` is asked before each request and after each
    /// page (with whether GitHub links a next one) whether the listing has been read far
    /// enough.
    async fn paginate(
        &self,
        query: &AlertQuery<'_>,
        stop: &(dyn Fn(Step<'_>) -> bool + Sync),
        progress: &Progress,
    ) -> Result<Vec<Alert>> {
        let mut next = Some(self.alerts_path(query)?);
        let mut alerts = Vec::new();
        let mut visited = HashSet::new();
        while let Some(path) = next.take() {
            // waiting for a slot can take a while: the listing may be read far enough by then
            let slot = self.in_flight.acquire().await.map_err(|_| {
                Error::GitHub("cannot list secret-scanning alerts: the run is ending".into())
            })?;
            if stop(Step::Before) {
                break;
            }
            // a server that sends the same page again, or pages without end, is refused
            if !visited.insert(path.clone()) {
                return Err(Error::GitHub(format!(
                    "cannot list secret-scanning alerts: GitHub's next-page link leads back to a page already read ({} pages in); the listing would never end — is github.api_url a GitHub API?",
                    visited.len()
                )));
            }
            let budget = self.budget.load(Ordering::Relaxed);
            if self.request_count() >= budget {
                return Err(Error::GitHub(format!(
                    "cannot list secret-scanning alerts: GitHub kept sending next pages beyond the {budget} requests the rate limit allows this run ({} alerts so far); stopping rather than spend the token's whole budget",
                    alerts.len()
                )));
            }
            let reply = self.get(&path, "list secret-scanning alerts").await?;
            drop(slot);
            let page: Vec<Alert> = parse_page(&reply.body)?;
            progress.page(page.len());
            let more = !page.is_empty()
                && reply
                    .headers
                    .get(http::header::LINK)
                    .and_then(|v| v.to_str().ok())
                    .is_some_and(|l| link_with_rel(l, "next").is_some());
            let done = stop(Step::Page(&page, more));
            alerts.extend(crate::github::of_the_org(&self.org, page));
            if more && !done {
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
    pub async fn probe_alerts(&self) -> Result<Probe> {
        let path = self.alerts_path(&AlertQuery::new(Some("open"), None, "created"))?;
        let reply = self.get(&path, "list secret-scanning alerts").await?;
        Ok(Probe {
            open_on_first_page: parse_page(&reply.body)?.len(),
            scopes: reply
                .headers
                .get("x-oauth-scopes")
                .and_then(|v| v.to_str().ok())
                .map(|s| {
                    s.split(',')
                        .map(|x| x.trim().to_string())
                        .filter(|x| !x.is_empty())
                        .collect()
                }),
        })
    }

    /// Path and query of the first page of an alert listing.
    fn alerts_path(&self, query: &AlertQuery<'_>) -> Result<String> {
        let qs = serde_urlencoded::to_string(query)
            .map_err(|e| Error::GitHub(format!("cannot build the alert query: {e}")))?;
        Ok(format!("/orgs/{}/secret-scanning/alerts?{qs}", self.org))
    }
}
