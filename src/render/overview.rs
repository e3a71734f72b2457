//! The organization overview's Markdown and HTML.

use super::*;
use crate::error::Result;
use crate::site::Site;
use chrono::NaiveDate;
use serde::Serialize;

/// The overview templates' context: `o` is the overview, `v` a few words around it.
fn overview_context(o: &crate::overview::Overview, site: &Site) -> tera::Context {
    #[derive(Serialize)]
    struct OverviewView<'a> {
        as_of_date: NaiveDate,
        week_start: NaiveDate,
        week: String,
        home: Option<String>,
        notes: Vec<String>,
        configured: usize,
        /// For each first-look slice, in order, what a campaign with its filter would target.
        limits: Vec<Option<&'a crate::overview::Candidate>>,
        /// The configured campaigns' candidates.
        campaigns: Vec<&'a crate::overview::Candidate>,
    }
    let mut notes = Vec::new();
    if let Some(since) = o.read_since {
        notes.push(format!(
            "Resolved alerts were read back to {} (what the campaigns need): counts of all alerts read start there. campaign-pulse overview reads them all.",
            since.format("%Y-%m-%d")
        ));
    }
    let mut ctx = tera::Context::new();
    ctx.insert("o", o);
    ctx.insert(
        "v",
        &OverviewView {
            as_of_date: o.as_of.date_naive(),
            week_start: (o.as_of - chrono::Duration::days(7)).date_naive(),
            week: words::week_words(o.as_of - chrono::Duration::days(7), o.as_of),
            home: site.reports.clone(),
            notes,
            configured: o.candidates.iter().filter(|c| c.campaign.is_some()).count(),
            limits: o
                .slices
                .iter()
                .map(|s| {
                    o.candidates
                        .iter()
                        .find(|c| c.campaign.is_none() && c.filter == s.filter)
                })
                .collect(),
            campaigns: o
                .candidates
                .iter()
                .filter(|c| c.campaign.is_some())
                .collect(),
        },
    );
    ctx
}

impl Templates {
    /// Renders the overview's `report.md` (cut to GitHub's 65,536 characters if it must be).
    pub fn overview_markdown(&self, o: &crate::overview::Overview, site: &Site) -> Result<String> {
        let text = Templates::render(
            &self.markdown,
            OVERVIEW_MARKDOWN_TEMPLATE,
            &overview_context(o, site),
        )?;
        Ok(if text.chars().count() > MARKDOWN_LIMIT {
            markdown::truncate(&text)
        } else {
            text
        })
    }

    /// Renders the overview's `report.html`.
    pub fn overview_html(&self, o: &crate::overview::Overview, site: &Site) -> Result<String> {
        Templates::render(
            &self.html,
            OVERVIEW_HTML_TEMPLATE,
            &overview_context(o, site),
        )
    }
}
