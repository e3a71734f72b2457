//! Rendering: a [`Summary`] in, bytes out. Templates are embedded at build time and can be
//! overridden by file name from `output.templates_dir`.

pub mod alarm;
pub mod charts;
pub mod markdown;
pub mod view;

pub use view::{AtRiskView, ChartLinks, Limits, ReportView, ViewInputs, week_words};

use crate::error::{Error, Result};
use crate::metrics::Status;
use crate::site::{Site, safe_url};
use crate::summary::Summary;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use std::path::Path;
use std::sync::Arc;
use tera::{Kwargs, State, Tera, Value};

/// Name of the Markdown report template.
pub const MARKDOWN_TEMPLATE: &str = "report.md.tera";
/// Name of the HTML report template.
pub const HTML_TEMPLATE: &str = "report.html.tera";
/// Name of the index page template.
pub const INDEX_TEMPLATE: &str = "index.html.tera";

/// Name of the email's HTML template.
pub const EMAIL_TEMPLATE: &str = "email.html.tera";
/// Name of the email's plain-text template.
pub const EMAIL_TEXT_TEMPLATE: &str = "email.txt.tera";

/// The default templates, embedded in the binary, by name. `campaign.html.tera` (one
/// campaign's report body) and `style.css.tera` are included by the others.
pub const EMBEDDED: &[(&str, &str)] = &[
    (
        MARKDOWN_TEMPLATE,
        include_str!("../../templates/report.md.tera"),
    ),
    (
        HTML_TEMPLATE,
        include_str!("../../templates/report.html.tera"),
    ),
    (
        "campaign.html.tera",
        include_str!("../../templates/campaign.html.tera"),
    ),
    (
        "style.css.tera",
        include_str!("../../templates/style.css.tera"),
    ),
    (
        INDEX_TEMPLATE,
        include_str!("../../templates/index.html.tera"),
    ),
    (
        EMAIL_TEMPLATE,
        include_str!("../../templates/email.html.tera"),
    ),
    (
        EMAIL_TEXT_TEMPLATE,
        include_str!("../../templates/email.txt.tera"),
    ),
    (
        OVERVIEW_MARKDOWN_TEMPLATE,
        include_str!("../../templates/overview.md.tera"),
    ),
    (
        OVERVIEW_HTML_TEMPLATE,
        include_str!("../../templates/overview.html.tera"),
    ),
    (
        ESCALATION_TEMPLATE,
        include_str!("../../templates/escalation.html.tera"),
    ),
    (
        ESCALATION_TEXT_TEMPLATE,
        include_str!("../../templates/escalation.txt.tera"),
    ),
    (
        PLAYBOOK_MARKDOWN_TEMPLATE,
        include_str!("../../templates/playbook.md.tera"),
    ),
    (
        PLAYBOOK_HTML_TEMPLATE,
        include_str!("../../templates/playbook.html.tera"),
    ),
    (
        PLAYBOOKS_MARKDOWN_TEMPLATE,
        include_str!("../../templates/playbooks.md.tera"),
    ),
    (
        PLAYBOOKS_HTML_TEMPLATE,
        include_str!("../../templates/playbooks.html.tera"),
    ),
];

/// Name of the escalation email's HTML template.
pub const ESCALATION_TEMPLATE: &str = "escalation.html.tera";
/// Name of the escalation email's plain-text template.
pub const ESCALATION_TEXT_TEMPLATE: &str = "escalation.txt.tera";
/// Name of a playbook page's Markdown template.
pub const PLAYBOOK_MARKDOWN_TEMPLATE: &str = "playbook.md.tera";
/// Name of a playbook page's HTML template.
pub const PLAYBOOK_HTML_TEMPLATE: &str = "playbook.html.tera";
/// Name of the playbooks index's Markdown template.
pub const PLAYBOOKS_MARKDOWN_TEMPLATE: &str = "playbooks.md.tera";
/// Name of the playbooks index's HTML template.
pub const PLAYBOOKS_HTML_TEMPLATE: &str = "playbooks.html.tera";

/// Name of the overview's Markdown template.
pub const OVERVIEW_MARKDOWN_TEMPLATE: &str = "overview.md.tera";
/// Name of the overview's HTML template.
pub const OVERVIEW_HTML_TEMPLATE: &str = "overview.html.tera";

/// GitHub's limit for an issue body or a job summary, in characters.
pub const MARKDOWN_LIMIT: usize = 65_536;

/// The loaded templates, ready to render.
#[derive(Debug)]
pub struct Templates {
    markdown: Arc<Tera>,
    html: Arc<Tera>,
}

/// A template that renders longer than this is stopped: a template of `templates_dir` with
/// loops that never end must not hang the weekly run (the built-in ones take milliseconds).
pub const RENDER_BUDGET: std::time::Duration = std::time::Duration::from_secs(10);

impl Templates {
    /// Loads the embedded templates, each replaced by a file of the same name in `dir`.
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
        // Tera decides escaping by the template name's suffix, and its defaults (.html,
        // .htm, .xml) do not cover `.html.tera`: say which names are escaped, and how.
        let mut markdown = Tera::new();
        markdown.set_escape_fn(markdown::escape);
        markdown.autoescape_on([".md.tera"]);
        register_filters(&mut markdown);
        let mut html = Tera::new();
        html.autoescape_on([".html.tera"]);
        register_filters(&mut html);
        let mut md_sources = Vec::new();
        let mut html_sources = Vec::new();
        for (name, embedded) in EMBEDDED {
            let text = source(name, embedded)?;
            if name.ends_with(".md.tera") {
                md_sources.push((*name, text));
            } else {
                html_sources.push((*name, text));
            }
        }
        // Added together so includes resolve; an error names the template at fault.
        for (tera, sources) in [(&mut markdown, md_sources), (&mut html, html_sources)] {
            tera.add_raw_templates(sources.iter().map(|(n, t)| (*n, t.as_str())))
                .map_err(|e| template_error(&failing_template(&e, &sources), &e))?;
        }
        Ok(Templates {
            markdown: Arc::new(markdown),
            html: Arc::new(html),
        })
    }

    /// Renders a template with a context within [`RENDER_BUDGET`]. The rendering runs on a
    /// thread of its own; one that overruns is abandoned (it ends with the process).
    fn render(tera: &Arc<Tera>, name: &str, context: &tera::Context) -> Result<String> {
        let (tx, rx) = std::sync::mpsc::channel();
        let (tera, owned_name, context) = (tera.clone(), name.to_string(), context.clone());
        std::thread::Builder::new()
            .name(format!("render {name}"))
            .spawn(move || {
                let _ = tx.send(tera.render(&owned_name, &context));
            })
            .map_err(|e| Error::Template {
                name: name.to_string(),
                message: format!("cannot start rendering: {e}"),
            })?;
        match rx.recv_timeout(RENDER_BUDGET) {
            Ok(rendered) => rendered.map_err(|e| template_error(name, &e)),
            Err(_) => Err(Error::Template {
                name: name.to_string(),
                message: format!(
                    "rendering took longer than {} s and was stopped; look for loops that never end or grow too large",
                    RENDER_BUDGET.as_secs()
                ),
            }),
        }
    }

    /// Renders `report.html`.
    pub fn html(&self, summary: &Summary, view: &ReportView) -> Result<String> {
        Templates::render(&self.html, HTML_TEMPLATE, &context(summary, view))
    }

    /// Renders the email's HTML and plain-text parts.
    pub fn email(&self, email: &EmailContext<'_>) -> Result<(String, String)> {
        let ctx =
            tera::Context::from_serialize(email).map_err(|e| template_error(EMAIL_TEMPLATE, &e))?;
        Ok((
            Templates::render(&self.html, EMAIL_TEMPLATE, &ctx)?,
            Templates::render(&self.html, EMAIL_TEXT_TEMPLATE, &ctx)?,
        ))
    }

    /// Renders the escalation email's HTML and plain-text parts.
    pub fn escalation_email(
        &self,
        alarm: &crate::render::alarm::Alarm,
        shown: usize,
    ) -> Result<(String, String)> {
        let mut ctx = tera::Context::new();
        ctx.insert("a", alarm);
        ctx.insert("subject", &alarm.subject());
        ctx.insert("shown", &shown);
        Ok((
            Templates::render(&self.html, ESCALATION_TEMPLATE, &ctx)?,
            Templates::render(&self.html, ESCALATION_TEXT_TEMPLATE, &ctx)?,
        ))
    }

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

    /// Renders `OUT/playbooks/`: each playbook's page in HTML and Markdown, and the index of
    /// them, as (file name, text).
    pub fn playbook_pages(
        &self,
        catalogue: &crate::playbooks::Catalogue,
        escalation: &[crate::config::EscalationRule],
        site: &Site,
    ) -> Result<Vec<(String, String)>> {
        #[derive(Serialize)]
        struct Rule<'a> {
            name: &'a str,
            when: &'a str,
            after: &'a str,
            notify: &'a [String],
            contacts: &'a [String],
        }
        #[derive(Serialize)]
        struct Entry<'a> {
            id: &'a str,
            title: &'a str,
            grants: &'a str,
            experts: Vec<String>,
        }
        let rules: Vec<Rule<'_>> = escalation
            .iter()
            .map(|r| Rule {
                name: &r.name,
                when: &r.when_text,
                after: &r.after_text,
                notify: &r.notify,
                contacts: &r.contacts,
            })
            .collect();
        let mut out = Vec::new();
        let mut entries = Vec::new();
        for p in catalogue.all() {
            let experts = catalogue.experts_of(p);
            let mut ctx = tera::Context::new();
            ctx.insert("p", p);
            ctx.insert("checklist", &crate::playbooks::checklist(p));
            ctx.insert("experts", &experts);
            ctx.insert("escalations", &rules);
            ctx.insert("home", &site.reports);
            out.push((
                format!("{}.html", p.id),
                Templates::render(&self.html, PLAYBOOK_HTML_TEMPLATE, &ctx)?,
            ));
            out.push((
                format!("{}.md", p.id),
                Templates::render(&self.markdown, PLAYBOOK_MARKDOWN_TEMPLATE, &ctx)?,
            ));
            entries.push(Entry {
                id: &p.id,
                title: &p.title,
                grants: &p.grants,
                experts,
            });
        }
        let mut ctx = tera::Context::new();
        ctx.insert("playbooks", &entries);
        ctx.insert("home", &site.reports);
        out.push((
            "index.html".into(),
            Templates::render(&self.html, PLAYBOOKS_HTML_TEMPLATE, &ctx)?,
        ));
        out.push((
            "index.md".into(),
            Templates::render(&self.markdown, PLAYBOOKS_MARKDOWN_TEMPLATE, &ctx)?,
        ));
        Ok(out)
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
        ctx.insert("campaigns", entries);
        ctx.insert(
            "as_of",
            &entries
                .iter()
                .map(|e| e.as_of_date)
                .max()
                .map(|d| d.to_string()),
        );
        Templates::render(&self.html, INDEX_TEMPLATE, &ctx)
    }
}

/// Files of a templates folder whose names are no template's: a typo there is silently
/// ignored otherwise.
pub fn unknown_template_files(dir: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut unknown: Vec<String> = entries
        .flatten()
        .filter(|e| e.path().is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with('.') && !EMBEDDED.iter().any(|(t, _)| t == n))
        .collect();
    unknown.sort();
    unknown
}

/// What the email templates get (see `templates/email.html.tera`).
#[derive(Debug, Serialize)]
pub struct EmailContext<'a> {
    /// The subject line.
    pub subject: &'a str,
    /// Date of T.
    pub as_of: NaiveDate,
    /// The reporting week: `week to 2026-11-23 (Nov 16–22)`.
    pub week: &'a str,
    /// `1 overdue, 2 at risk, 1 on track`.
    pub counts: &'a str,
    /// Where the reports are published, if they are.
    pub home: Option<&'a str>,
    /// At-risk alerts listed per campaign.
    pub shown: usize,
    /// Every campaign, most urgent first.
    pub reports: Vec<EmailItem<'a>>,
}

/// One campaign of the email.
#[derive(Debug, Serialize)]
pub struct EmailItem<'a> {
    /// summary.json.
    pub s: &'a Summary,
    /// Derived values.
    pub v: &'a ReportView,
}

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
            reasons: view::verdict(summary, None).reasons.join("; "),
            open: summary.totals.open,
            resolved_this_week: summary.totals.resolved_this_week,
            progress_pct: summary.totals.progress_pct,
            due_on: summary.campaign.due_on,
            as_of_date: date,
            href: format!("{}/{date}/report.html", summary.campaign.id),
            change: view::verdict(summary, None).change,
            trend: trend.clone(),
            trend_words: trend
                .iter()
                .map(|c| format!("{} {}", c.date, c.label))
                .collect::<Vec<_>>()
                .join(", "),
        }
    }
}

/// Which of a batch of templates an error is about (its report names the file).
fn failing_template(e: &tera::Error, sources: &[(&str, String)]) -> String {
    let text = e.to_string();
    sources
        .iter()
        .map(|(n, _)| *n)
        .find(|n| text.contains(&format!("--> {n}:")) || text.contains(&format!("`{n}`")))
        .or_else(|| sources.first().map(|(n, _)| *n))
        .unwrap_or("templates")
        .to_string()
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
/// `url` (an http(s) link made safe for Markdown and HTML, or empty), `fence(indent=N)`
/// (text as a fenced Markdown code block).
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
    tera.register_filter("fence", |v: &str, kwargs: Kwargs, _: &State| {
        let indent = kwargs.get::<i64>("indent").ok().flatten().unwrap_or(0);
        Value::from(fence(v, usize::try_from(indent).unwrap_or(0).min(12))).mark_safe()
    });
}

/// Text as a fenced Markdown code block, its fence longer than any run of backticks inside
/// (so nothing in it can end the block early), every line indented by `indent` spaces (a
/// block inside a list item).
pub fn fence(code: &str, indent: usize) -> String {
    let longest = code.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let ticks = "`".repeat(longest.max(2) + 1);
    let pad = " ".repeat(indent);
    let mut out = format!("{pad}{ticks}\n");
    for line in code.lines() {
        out.push_str(&pad);
        out.push_str(&line.replace('\r', ""));
        out.push('\n');
    }
    out.push_str(&pad);
    out.push_str(&ticks);
    out
}

/// `+3`, `−3` (with a minus sign), `0`.
pub fn signed(v: i64) -> String {
    match v {
        0 => "0".to_string(),
        v if v > 0 => format!("+{v}"),
        v => format!("−{}", v.unsigned_abs()),
    }
}

/// The overview templates' context: `o` is the overview, `v` a few words around it.
fn overview_context(o: &crate::overview::Overview, site: &Site) -> tera::Context {
    #[derive(Serialize)]
    struct OverviewView {
        as_of_date: NaiveDate,
        week_start: NaiveDate,
        week: String,
        home: Option<String>,
        notes: Vec<String>,
        configured: usize,
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
            week: view::week_words(o.as_of - chrono::Duration::days(7), o.as_of),
            home: site.reports.clone(),
            notes,
            configured: o.candidates.iter().filter(|c| c.campaign.is_some()).count(),
        },
    );
    ctx
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
pub(crate) mod tests {
    use super::*;
    use crate::config::RiskSettings;
    use crate::filter::Filter;
    use crate::history::{HistoryView, Point, Source};
    use crate::metrics::{Campaign, CampaignInfo};
    use crate::model::{Alert, Validity, testkit};
    use chrono::{Duration, TimeZone, Utc};

    /// A summary computed from hand-built alerts whose texts need escaping.
    pub(crate) fn sample(
        name: &str,
        repo: &str,
        repos: usize,
        alerts_per_repo: u64,
        risk: &RiskSettings,
    ) -> Summary {
        let t = Utc.with_ymd_and_hms(2026, 11, 23, 0, 0, 0).unwrap();
        let mut alerts = Vec::new();
        for r in 0..repos {
            let full = if r == 0 {
                repo.to_string()
            } else {
                format!("acme/repo-{r:03}")
            };
            for n in 0..alerts_per_repo {
                let created = t - Duration::days(40 + n as i64);
                let resolved = (n % 3 == 0).then(|| t - Duration::days(2 + n as i64 % 20));
                alerts.push(Alert {
                    updated_at: resolved,
                    html_url: Some(format!(
                        "https://github.com/{full}/security/secret-scanning/{}",
                        n + 1
                    )),
                    state: None,
                    resolution: resolved.map(|_| "revoked".to_string()),
                    resolved_at: resolved,
                    secret_type: "custom_<pattern>".into(),
                    secret_type_display_name: Some(
                        "Custom <i>pattern</i> & \"friends\" | co".into(),
                    ),
                    push_protection_bypassed: Some(false),
                    validity: Some(Validity::Active),
                    publicly_leaked: Some(true),
                    multi_repo: Some(false),
                    ..testkit::alert(&full, n + 1, created)
                });
            }
        }
        let campaign = Campaign {
            info: CampaignInfo {
                id: "c".into(),
                name: name.into(),
                filter: "repo:x|y".into(),
                starts_on: None,
                due_on: Some(chrono::NaiveDate::from_ymd_opt(2026, 12, 31).unwrap()),
                github_campaign: None,
            },
            filter: Filter::default(),
            sla_days: 30,
            members: Default::default(),
        };
        let m = crate::metrics::compute(&alerts, &campaign, t, risk);
        let points = (0..6)
            .map(|k| Point {
                as_of: t - Duration::weeks(5 - k),
                open: 10 + k as u64,
                closed: k as u64,
                source: if k < 3 {
                    Source::Reconstructed
                } else {
                    Source::Observed
                },
                status: None,
            })
            .collect();
        Summary::new(
            campaign.info,
            m,
            None,
            HistoryView {
                previous: None,
                points,
            },
        )
    }

    fn view(s: &Summary) -> ReportView {
        ReportView::new(
            s,
            ViewInputs {
                stale_after_days: 14,
                notes: vec!["a <note> & more".into()],
                ..Default::default()
            },
        )
    }

    /// `risk.top_alerts` is the length of the at-risk list in report.md, report.html and
    /// summary.json alike: a campaign of 1,500 at-risk alerts lists its first 20, and links
    /// the rest in GitHub.
    #[test]
    fn the_at_risk_list_has_one_length_in_every_report() {
        let t = Utc.with_ymd_and_hms(2026, 11, 23, 0, 0, 0).unwrap();
        let alerts: Vec<Alert> = (0..1500u64)
            .map(|n| Alert {
                validity: Some(Validity::Active),
                ..testkit::alert("acme/web", n + 1, t - Duration::days(3))
            })
            .collect();
        let campaign = Campaign {
            info: CampaignInfo {
                id: "c".into(),
                name: "Big".into(),
                filter: String::new(),
                starts_on: None,
                due_on: None,
                github_campaign: None,
            },
            filter: Filter::default(),
            sla_days: 30,
            members: Default::default(),
        };
        let risk = RiskSettings::default();
        let mut m = crate::metrics::compute(&alerts, &campaign, t, &risk);
        let details = std::mem::take(&mut m.details);
        assert_eq!(details.at_risk.as_ref().map(Vec::len), Some(1500));
        let summary = Summary::new(campaign.info, m, None, HistoryView::default());
        assert_eq!(summary.at_risk.top.len(), 20);
        let api = url::Url::parse("https://api.github.com").unwrap();
        let view = ReportView::new(
            &summary,
            ViewInputs {
                details,
                top_alerts: Some(risk.top_alerts),
                site: Site::new("acme", Some(&api), None),
                ..Default::default()
            },
        );
        let templates = Templates::load(None).unwrap();
        let html = templates.html(&summary, &view).unwrap();
        assert_eq!(html.matches("data-label=\"Why\"").count(), 20);
        assert!(
            html.contains("The 20 to fix first, of 1500 at risk"),
            "the rest is linked"
        );
        let md = templates.markdown(&summary, &view).unwrap();
        assert_eq!(md.matches("| still valid |").count(), 20, "{md}");
        assert!(md.contains("The 20 to fix first, of 1500 at risk: [every open alert of the campaign in GitHub](https://github.com/orgs/acme/security/alerts/secret-scanning?query=is%3Aopen)"), "{md}");
        assert!(html.len() < 60_000, "{} bytes", html.len());
    }

    #[test]
    fn html_escapes_campaign_repository_and_github_text() {
        let t = Templates::load(None).unwrap();
        let s = sample(
            "<b>Keys</b> & \"tokens\" | 'x'",
            "acme/<script>",
            3,
            4,
            &RiskSettings::default(),
        );
        let html = t.html(&s, &view(&s)).unwrap();
        assert!(
            html.contains(
                "<h1>&lt;b&gt;Keys&lt;/b&gt; &amp; &quot;tokens&quot; | &#39;x&#39;</h1>"
            ),
            "{html}"
        );
        assert!(!html.contains("<b>Keys"));
        assert!(!html.contains("<script>"));
        assert!(html.contains("acme/&lt;script&gt;"), "{html}");
        assert!(
            html.contains("Custom &lt;i&gt;pattern&lt;/i&gt; &amp; &quot;friends&quot; | co"),
            "{html}"
        );
        assert!(html.contains("a &lt;note&gt; &amp; more"));
        // the alert link is percent-encoded, not escaped text
        assert!(
            html.contains("href=\"https://github.com/acme/%3Cscript%3E/security/secret-scanning/"),
            "{html}"
        );
        assert!(html.contains("src=\"burndown.png\"") && html.contains("src=\"repos.png\""));
        assert!(!html.contains("<script"), "no JavaScript");
    }

    #[test]
    fn markdown_escapes_campaign_repository_and_github_text() {
        let t = Templates::load(None).unwrap();
        let s = sample(
            "<b>Keys</b> & \"tokens\" | x",
            "acme/a|b",
            2,
            4,
            &RiskSettings::default(),
        );
        let md = t.markdown(&s, &view(&s)).unwrap();
        assert!(
            md.starts_with("# &lt;b&gt;Keys&lt;/b&gt; &amp; \"tokens\" \\| x\n"),
            "{md}"
        );
        assert!(
            md.contains("| acme/a\\|b | "),
            "table cell stays one cell: {md}"
        );
        assert!(
            md.contains("Custom &lt;i&gt;pattern&lt;/i&gt; &amp; \"friends\" \\| co"),
            "{md}"
        );
        assert!(md.contains("custom\\_&lt;pattern&gt;"), "{md}");
        assert!(
            md.contains("(https://github.com/acme/a%7Cb/security/secret-scanning/"),
            "{md}"
        );
    }

    #[test]
    fn index_lists_every_campaign_escaped() {
        let t = Templates::load(None).unwrap();
        let s = sample("<i>One</i>", "acme/web", 1, 3, &RiskSettings::default());
        let html = t.index(&[IndexEntry::new(&s)]).unwrap();
        assert!(html.contains("&lt;i&gt;One&lt;/i&gt;"), "{html}");
        assert!(html.contains("href=\"c/2026-11-23/report.html\""), "{html}");
        assert!(html.contains("1 campaign."), "{html}");
    }

    #[test]
    fn markdown_stays_within_githubs_limit() {
        let risk = RiskSettings {
            top_repos: 500,
            top_alerts: 5000,
            stale_after_days: 1,
        };
        let t = Templates::load(None).unwrap();
        let s = sample("Huge", "acme/web", 500, 6, &risk);
        assert_eq!(s.repos.top.len(), 500);
        let md = t.markdown(&s, &view(&s)).unwrap();
        assert!(
            md.chars().count() <= MARKDOWN_LIMIT,
            "{} chars",
            md.chars().count()
        );
        assert!(
            md.contains("repositories with the most open alerts, of 500 with any"),
            "a note says what was left out"
        );
        assert!(md.contains("to fix first, of "), "{}", &md[..2000]);
        assert!(
            !md.contains("summary.json"),
            "no pointer to a file readers do not have"
        );
        // a small report is not cut
        let small = sample("Small", "acme/web", 3, 3, &RiskSettings::default());
        let md = t.markdown(&small, &view(&small)).unwrap();
        assert!(!md.contains("with the most open alerts"));
    }

    #[test]
    fn user_templates_override_by_name_and_errors_name_the_template() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("report.md.tera"),
            "Open: {{ s.totals.open }} in {{ s.campaign.name }}\n",
        )
        .unwrap();
        let t = Templates::load(Some(dir.path())).unwrap();
        let s = sample("A|B", "acme/web", 1, 3, &RiskSettings::default());
        assert_eq!(t.markdown(&s, &view(&s)).unwrap(), "Open: 2 in A\\|B\n");
        // the others stay embedded
        assert!(t.html(&s, &view(&s)).unwrap().contains("<!DOCTYPE html>"));

        std::fs::write(
            dir.path().join("report.html.tera"),
            "<p>\n{% if s.totals.open %}\n{{ s.totals.open }\n</p>",
        )
        .unwrap();
        let e = Templates::load(Some(dir.path())).unwrap_err();
        assert_eq!(e.exit_code(), 2);
        let m = e.to_string();
        assert!(m.starts_with("template `report.html.tera`"), "{m}");
        assert!(m.contains("3:"), "names the line: {m}");
    }

    #[test]
    fn a_template_that_never_ends_is_stopped() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("report.html.tera"),
            "{% for a in range(end=100000) %}{% for b in range(end=100000) %}{% for c in range(end=100000) %}.{% endfor %}{% endfor %}{% endfor %}",
        )
        .unwrap();
        let t = Templates::load(Some(dir.path())).unwrap();
        let s = sample("A", "acme/web", 1, 3, &RiskSettings::default());
        let started = std::time::Instant::now();
        let e = t.html(&s, &view(&s)).unwrap_err();
        assert!(started.elapsed() < RENDER_BUDGET + std::time::Duration::from_secs(5));
        assert_eq!(e.exit_code(), 2);
        assert!(e.to_string().contains("longer than 10 s"), "{e}");
    }

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
        assert_eq!(
            safe_url("https://x.example/a|b[c]`d").as_deref(),
            Some("https://x.example/a%7Cb%5Bc%5D%60d")
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

#[cfg(test)]
mod proptests {
    use super::*;
    use crate::config::RiskSettings;
    use crate::filter::Filter;
    use crate::history::{HistoryView, Point, Source};
    use crate::metrics::{Campaign, CampaignInfo};
    use crate::model::{Alert, Validity, testkit};
    use crate::time::{SUPPORTED_YEARS, midnight};
    use chrono::{Duration, NaiveDate};
    use proptest::prelude::*;

    /// A day number within the supported years, with the ends of the range likely.
    fn day() -> impl Strategy<Value = NaiveDate> {
        let first = NaiveDate::from_ymd_opt(*SUPPORTED_YEARS.start(), 1, 1).unwrap();
        let last = NaiveDate::from_ymd_opt(*SUPPORTED_YEARS.end(), 12, 31).unwrap();
        let span = (last - first).num_days();
        prop_oneof![
            Just(first),
            Just(last),
            (0..30i64).prop_map(move |d| first + Duration::days(d)),
            (0..30i64).prop_map(move |d| last - Duration::days(d)),
            (0..=span).prop_map(move |d| first + Duration::days(d)),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(24))]

        /// Dates at the edges of what the tool accepts go through metrics, both charts and
        /// every template without a panic.
        #[test]
        fn extreme_dates_never_panic(
            t in day(),
            due in proptest::option::of(day()),
            starts in proptest::option::of(day()),
            ages in proptest::collection::vec((0i64..400_000, proptest::option::of(0i64..400_000)), 0..8),
            stale in any::<u32>(),
            sla in any::<u32>(),
        ) {
            let as_of = midnight(t);
            let alerts: Vec<Alert> = ages
                .iter()
                .enumerate()
                .map(|(n, (age, fixed))| {
                    let created = as_of
                        .checked_sub_signed(Duration::days(*age))
                        .filter(|c| crate::time::instant_supported(*c))
                        .unwrap_or(as_of);
                    let resolved = fixed.and_then(|f| created.checked_add_signed(Duration::days(f)))
                        .filter(|r| crate::time::instant_supported(*r));
                    Alert {
                        state: None,
                        resolution: resolved.map(|_| "revoked".into()),
                        resolved_at: resolved,
                        validity: Some(Validity::Active),
                        publicly_leaked: Some(true),
                        ..testkit::alert("a/b", n as u64 + 1, created)
                    }
                })
                .collect();
            let campaign = Campaign {
                info: CampaignInfo {
                    id: "c".into(),
                    name: "C".into(),
                    filter: String::new(),
                    starts_on: starts,
                    due_on: due,
                    github_campaign: None,
                },
                filter: Filter::default(),
                sla_days: sla,
                members: Default::default(),
            };
            let risk = RiskSettings { stale_after_days: stale, ..RiskSettings::default() };
            let mut m = crate::metrics::compute(&alerts, &campaign, as_of, &risk);
            let details = std::mem::take(&mut m.details);
            let point = Point { as_of, open: m.totals.open, closed: m.totals.closed, source: Source::Observed, status: None };
            let summary = Summary::new(campaign.info, m, None, HistoryView { previous: None, points: vec![point] });
            charts::burndown(&summary).unwrap();
            charts::repos(&summary).unwrap();
            let view = ReportView::new(&summary, ViewInputs { details, ..Default::default() });
            let templates = Templates::load(None).unwrap();
            templates.markdown(&summary, &view).unwrap();
            templates.html(&summary, &view).unwrap();
        }
    }
}
