//! Rendering: a [`Summary`] in, bytes out. Templates are embedded at build time and can be
//! overridden by file name from `output.templates_dir`.

pub mod markdown;

use crate::error::{Error, Result};
use crate::metrics::{Reason, Status};
use crate::summary::Summary;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use std::path::Path;
use tera::{Kwargs, State, Tera, Value};

/// Name of the Markdown report template.
pub const MARKDOWN_TEMPLATE: &str = "report.md.tera";

/// The default templates, embedded in the binary.
pub const EMBEDDED: &[(&str, &str)] = &[(
    MARKDOWN_TEMPLATE,
    include_str!("../../templates/report.md.tera"),
)];

/// The loaded templates, ready to render.
#[derive(Debug)]
pub struct Templates {
    markdown: Tera,
}

impl Templates {
    /// Loads the embedded templates, replaced by any file of the same name in `dir`.
    pub fn load(dir: Option<&Path>) -> Result<Templates> {
        let source = |name: &str, embedded: &str| -> Result<String> {
            let Some(dir) = dir else {
                return Ok(embedded.to_string());
            };
            let path = dir.join(name);
            match std::fs::read_to_string(&path) {
                Ok(text) => {
                    tracing::info!("using template {}", path.display());
                    Ok(text)
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(embedded.to_string()),
                Err(e) => Err(Error::Template {
                    name: path.display().to_string(),
                    message: format!("cannot read it: {e}"),
                }),
            }
        };
        let mut markdown = Tera::new();
        markdown.set_escape_fn(markdown::escape);
        markdown.autoescape_on([".md.tera"]);
        register_filters(&mut markdown);
        for (name, embedded) in EMBEDDED {
            let text = source(name, embedded)?;
            markdown
                .add_raw_template(name, &text)
                .map_err(|e| template_error(name, &e))?;
        }
        Ok(Templates { markdown })
    }

    /// Renders a template with the report context.
    fn render(tera: &Tera, name: &str, context: &tera::Context) -> Result<String> {
        tera.render(name, context)
            .map_err(|e| template_error(name, &e))
    }
}

fn template_error(name: &str, e: &tera::Error) -> Error {
    use std::error::Error as _;
    let mut message = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        message.push_str(&format!(": {s}"));
        source = s.source();
    }
    Error::Template {
        name: name.to_string(),
        message,
    }
}

/// Filters available in every template:
/// `date` (RFC 3339 instant → `YYYY-MM-DD`), `signed` (3 → `+3`, -3 → `−3`),
/// `url` (an http(s) link made safe for Markdown and HTML, or empty).
fn register_filters(tera: &mut Tera) {
    tera.register_filter("date", |v: &str, _: Kwargs, _: &State| {
        DateTime::parse_from_rfc3339(v)
            .map(|d| d.with_timezone(&Utc).format("%Y-%m-%d").to_string())
            .unwrap_or_else(|_| v.to_string())
    });
    tera.register_filter("signed", |v: i64, _: Kwargs, _: &State| signed(v));
    tera.register_filter("url", |v: &str, _: Kwargs, _: &State| {
        Value::from(safe_url(v).unwrap_or_default()).mark_safe()
    });
}

/// `+3`, `−3` (with a minus sign), `0`.
pub fn signed(v: i64) -> String {
    match v {
        0 => "0".to_string(),
        v if v > 0 => format!("+{v}"),
        v => format!("−{}", v.unsigned_abs()),
    }
}

/// An http(s) URL re-serialized so it cannot break out of a Markdown link or an HTML
/// attribute (spaces, quotes, angle brackets and parentheses percent-encoded); `None` for
/// anything else.
pub fn safe_url(raw: &str) -> Option<String> {
    let url = url::Url::parse(raw.trim()).ok()?;
    if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
        return None;
    }
    Some(
        url.as_str()
            .replace('(', "%28")
            .replace(')', "%29")
            .replace('"', "%22")
            .replace('\'', "%27")
            .replace('<', "%3C")
            .replace('>', "%3E"),
    )
}

/// What the templates get besides the summary: words and derived values that make the
/// report read well.
#[derive(Debug, Clone, Serialize)]
pub struct ReportView {
    /// `on_track`, `at_risk`, `overdue`, `done`.
    pub status: Status,
    /// "On track", "At risk", ...
    pub status_label: &'static str,
    /// An emoji for the status.
    pub status_icon: &'static str,
    /// Date of T.
    pub as_of_date: NaiveDate,
    /// First day of the reporting week.
    pub week_start: NaiveDate,
    /// Projected completion minus due date, in days (positive = late).
    pub days_late: Option<i64>,
    /// Days since the due date passed.
    pub days_overdue: Option<i64>,
    /// The report's stale threshold.
    pub stale_after_days: u32,
    /// At-risk alerts with their reasons in words.
    pub at_risk: Vec<AtRiskView>,
    /// Stalled repositories shown (the rest is counted in `stalled_more`).
    pub stalled_shown: usize,
    /// Stalled repositories left out of the list.
    pub stalled_more: usize,
    /// Secret types of open alerts, most first.
    pub open_by_secret_type: Vec<(String, u64)>,
    /// Things the reader should know about this report.
    pub notes: Vec<String>,
}

/// An at-risk alert with its reasons in words.
#[derive(Debug, Clone, Serialize)]
pub struct AtRiskView {
    /// Reasons as words: "still valid", "publicly leaked", "past SLA".
    pub why: Vec<&'static str>,
}

/// At most this many stalled repositories are listed.
pub const STALLED_LIMIT: usize = 50;

impl ReportView {
    /// Derives the view of a summary.
    pub fn new(summary: &Summary, stale_after_days: u32, notes: Vec<String>) -> ReportView {
        let f = &summary.forecast;
        let status = f.status;
        let mut by_type: Vec<(String, u64)> = summary
            .open_by_secret_type
            .iter()
            .map(|(k, v)| (k.clone(), *v))
            .collect();
        by_type.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        ReportView {
            status,
            status_label: status.label(),
            status_icon: match status {
                Status::Done => "✅",
                Status::OnTrack => "🟢",
                Status::AtRisk => "🟠",
                Status::Overdue => "🔴",
            },
            as_of_date: summary.as_of.date_naive(),
            week_start: summary.window.start.date_naive(),
            days_late: match (f.projected_completion, summary.campaign.due_on) {
                (Some(p), Some(d)) => Some((p - d).num_days()),
                _ => None,
            },
            days_overdue: f.days_to_due.filter(|d| *d < 0).map(|d| -d),
            stale_after_days,
            at_risk: summary
                .at_risk
                .top
                .iter()
                .map(|a| AtRiskView {
                    why: a
                        .reasons
                        .iter()
                        .map(|r| match r {
                            Reason::Active => "still valid",
                            Reason::PubliclyLeaked => "publicly leaked",
                            Reason::PastSla => "past SLA",
                        })
                        .collect(),
                })
                .collect(),
            stalled_shown: summary.repos.stalled.len().min(STALLED_LIMIT),
            stalled_more: summary.repos.stalled.len().saturating_sub(STALLED_LIMIT),
            open_by_secret_type: by_type,
            notes,
        }
    }
}

/// The template context: `s` is the summary as in summary.json, `v` the [`ReportView`].
pub fn context(summary: &Summary, view: &ReportView) -> tera::Context {
    let mut ctx = tera::Context::new();
    ctx.insert("s", summary);
    ctx.insert("v", view);
    ctx
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_made_safe_or_dropped() {
        assert_eq!(
            safe_url("https://github.com/acme/web/security/secret-scanning/12").as_deref(),
            Some("https://github.com/acme/web/security/secret-scanning/12")
        );
        assert_eq!(
            safe_url("https://x.example/a)b(c\"d<e> f").as_deref(),
            Some("https://x.example/a%29b%28c%22d%3Ce%3E%20f")
        );
        assert_eq!(safe_url("javascript:alert(1)"), None);
        assert_eq!(safe_url("not a url"), None);
    }

    #[test]
    fn signed_numbers() {
        assert_eq!(signed(3), "+3");
        assert_eq!(signed(-3), "−3");
        assert_eq!(signed(0), "0");
    }
}
