//! A campaign's report as HTML and summary.json, and the index of every campaign's latest report.

use super::*;
use crate::error::{Error, Result};
use crate::metrics::Status;
use crate::summary::Summary;
use chrono::NaiveDate;
use serde::Serialize;

/// One line of `index.html`.
#[derive(Debug, Clone, Serialize)]
pub struct IndexEntry {
    /// Campaign id.
    pub id: String,
    /// Campaign name.
    pub name: String,
    /// `on_track`, `at_risk`, `overdue`, `done`.
    pub status: Status,
    /// Words for the status.
    pub status_label: &'static str,
    /// The verdict's reasons in words.
    pub reasons: String,
    /// Open alerts.
    pub open: u64,
    /// Resolved during the week.
    pub resolved_this_week: u64,
    /// Progress in percent.
    pub progress_pct: f64,
    /// Due date.
    pub due_on: Option<NaiveDate>,
    /// Date of the report.
    pub as_of_date: NaiveDate,
    /// Relative link to the report.
    pub href: String,
    /// `was On track last week`, when the verdict changed.
    pub change: Option<String>,
    /// The verdicts of the last reports, oldest first (the latest is this one).
    pub trend: Vec<TrendCell>,
    /// The trend in words, for screen readers and text browsers.
    pub trend_words: String,
}

/// One past verdict of a campaign in the index.
#[derive(Debug, Clone, Serialize)]
pub struct TrendCell {
    /// The snapshot's date.
    pub date: NaiveDate,
    /// `on_track`, ...; `unknown` for a snapshot whose verdict was not recorded.
    pub status: &'static str,
    /// `On track`, ...
    pub label: &'static str,
}

/// How many past verdicts the index shows per campaign.
pub const TREND_WEEKS: usize = 8;

impl IndexEntry {
    /// The index line of a report written under `<id>/<date>/`.
    pub fn new(summary: &Summary) -> IndexEntry {
        let date = summary.as_of.date_naive();
        let points = &summary.history.points;
        let trend: Vec<TrendCell> = points[points.len().saturating_sub(TREND_WEEKS)..]
            .iter()
            .map(|p| TrendCell {
                date: p.as_of.date_naive(),
                status: p.status.map_or("unknown", Status::as_str),
                label: p.status.map_or("not recorded", Status::label),
            })
            .collect();
        IndexEntry {
            id: summary.campaign.id.clone(),
            name: summary.campaign.name.clone(),
            status: summary.forecast.status,
            status_label: summary.forecast.status.label(),
            reasons: words::verdict(summary, None).reasons.join("; "),
            open: summary.totals.open,
            resolved_this_week: summary.totals.resolved_this_week,
            progress_pct: summary.totals.progress_pct,
            due_on: summary.campaign.due_on,
            as_of_date: date,
            href: format!("{}/{date}/report.html", summary.campaign.id),
            change: words::verdict(summary, None).change,
            trend: trend.clone(),
            trend_words: trend
                .iter()
                .map(|c| format!("{} {}", c.date, c.label))
                .collect::<Vec<_>>()
                .join(", "),
        }
    }
}

/// `summary.json`, pretty-printed with a final newline.
pub fn summary_json(summary: &Summary) -> Result<String> {
    serde_json::to_string_pretty(summary)
        .map(|mut s| {
            s.push('\n');
            s
        })
        .map_err(|e| Error::Template {
            name: "summary.json".into(),
            message: e.to_string(),
        })
}

impl Templates {
    /// Renders `report.html`.
    pub fn html(&self, summary: &Summary, view: &ReportView) -> Result<String> {
        Templates::render(&self.html, HTML_TEMPLATE, &context(summary, view))
    }

    /// Renders `index.html` from the latest report of every campaign.
    pub fn index(&self, entries: &[IndexEntry]) -> Result<String> {
        self.index_with(entries, None)
    }

    /// Renders `index.html`, the organization overview linked first when there is one.
    pub fn index_with(
        &self,
        entries: &[IndexEntry],
        overview: Option<&crate::overview::Overview>,
    ) -> Result<String> {
        let mut ctx = tera::Context::new();
        ctx.insert("overview", &overview);
        ctx.insert("rollup", &None::<crate::rollup::Rollup>);
        ctx.insert("orgs", &Vec::<OrgLink>::new());
        ctx.insert("playbooks", "playbooks/index.html");
        ctx.insert("campaigns", entries);
        ctx.insert("as_of", &latest_date(entries));
        Templates::render(&self.html, INDEX_TEMPLATE, &ctx)
    }

    /// Renders the roll-up's `index.html`: every organization's campaigns, most urgent first,
    /// each linking its organization's report; the sums per campaign; the organizations that
    /// could not be read; each organization's overview. `orgs` are (login, folder relative to
    /// the index).
    pub fn rollup_index(
        &self,
        entries: &[IndexEntry],
        rollup: &crate::rollup::Rollup,
        orgs: &[(String, String)],
    ) -> Result<String> {
        let orgs: Vec<OrgLink> = orgs
            .iter()
            .map(|(name, folder)| OrgLink {
                name: name.clone(),
                overview: format!("{folder}/overview/report.html"),
            })
            .collect();
        let mut ctx = tera::Context::new();
        ctx.insert("overview", &None::<crate::overview::Overview>);
        ctx.insert("rollup", &Some(rollup));
        ctx.insert(
            "playbooks",
            &orgs
                .first()
                .map_or("playbooks/index.html".to_string(), |o| {
                    o.overview
                        .replace("overview/report.html", "playbooks/index.html")
                }),
        );
        ctx.insert("orgs", &orgs);
        ctx.insert("campaigns", entries);
        ctx.insert("as_of", &latest_date(entries));
        Templates::render(&self.html, INDEX_TEMPLATE, &ctx)
    }
}

impl Templates {
    /// Renders the roll-up's `overview/report.html`: each organization's overview in a line,
    /// and their sums.
    pub fn rollup_overview(&self, o: &crate::rollup::RolledOverview) -> Result<String> {
        let mut ctx = tera::Context::new();
        ctx.insert("o", o);
        Templates::render(&self.html, ROLLUP_OVERVIEW_TEMPLATE, &ctx)
    }
}

/// The latest report's date, as the index names it.
fn latest_date(entries: &[IndexEntry]) -> Option<String> {
    entries
        .iter()
        .map(|e| e.as_of_date)
        .max()
        .map(|d| d.to_string())
}

/// An organization of a roll-up, as its index links it.
#[derive(Debug, Clone, Serialize)]
pub struct OrgLink {
    /// Its login.
    pub name: String,
    /// Its overview, relative to the index.
    pub overview: String,
}
