//! The template catalogue and engine: embedded templates overridable by file name, the
//! render budget that stops a template that never ends, and the filters (`url`, `date`,
//! `signed`, `pluralize`) every page uses.

use super::*;
use crate::error::{Error, Result};
use crate::site::safe_url;
use crate::summary::Summary;
use chrono::{DateTime, Utc};
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
        ROLLUP_OVERVIEW_TEMPLATE,
        include_str!("../../templates/rollup-overview.html.tera"),
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
/// The overview across the organizations of a roll-up.
pub const ROLLUP_OVERVIEW_TEMPLATE: &str = "rollup-overview.html.tera";

/// GitHub's limit for an issue body or a job summary, in characters.
pub const MARKDOWN_LIMIT: usize = 65_536;

/// The loaded templates, ready to render.
#[derive(Debug)]
pub struct Templates {
    pub(super) markdown: Arc<Tera>,
    pub(super) html: Arc<Tera>,
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
    pub(super) fn render(tera: &Arc<Tera>, name: &str, context: &tera::Context) -> Result<String> {
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

/// Which of a batch of templates an error is about (its report names the file).
pub(super) fn failing_template(e: &tera::Error, sources: &[(&str, String)]) -> String {
    let text = e.to_string();
    sources
        .iter()
        .map(|(n, _)| *n)
        .find(|n| text.contains(&format!("--> {n}:")) || text.contains(&format!("`{n}`")))
        .or_else(|| sources.first().map(|(n, _)| *n))
        .unwrap_or("templates")
        .to_string()
}

pub(super) fn template_error(name: &str, e: &tera::Error) -> Error {
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
pub(super) fn register_filters(tera: &mut Tera) {
    tera.register_filter("date", |v: &str, _: Kwargs, _: &State| {
        DateTime::parse_from_rfc3339(v)
            .map(|d| d.with_timezone(&Utc).format("%Y-%m-%d").to_string())
            .unwrap_or_else(|_| v.to_string())
    });
    tera.register_filter("signed", |v: i64, _: Kwargs, _: &State| signed(v));
    // the first letter upper-case, the rest as it is (Tera's `capitalize` lowers the rest)
    tera.register_filter("sentence", |v: &str, _: Kwargs, _: &State| {
        let mut c = v.chars();
        c.next()
            .map(|f| f.to_uppercase().chain(c).collect::<String>())
            .unwrap_or_default()
    });
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

/// The template context: `s` is the summary as in summary.json, `v` the [`ReportView`].
pub fn context(summary: &Summary, view: &ReportView) -> tera::Context {
    let mut ctx = tera::Context::new();
    ctx.insert("s", summary);
    ctx.insert("v", view);
    ctx
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
