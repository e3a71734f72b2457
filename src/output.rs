//! The output folder: each campaign's report files, the index of every campaign's latest
//! report, the overview, the playbooks, and the GitHub Actions job summary. Rendering happens
//! before: what reaches here is bytes.

use crate::config::{self};
use crate::error::{Error, Result};
use crate::layout;
use crate::layout::{OVERVIEW_DIR, PLAYBOOKS_DIR};
use crate::overview::Overview;
use crate::render::{self, ReportView, Templates};
use crate::summary::Summary;
use std::io::Write;
use std::path::{Path, PathBuf};

/// A campaign's report as written to disk.
#[derive(Debug, Clone)]
pub struct WrittenReport {
    /// The folder holding summary.json and report.md.
    pub dir: PathBuf,
    /// The summary it was rendered from.
    pub summary: Summary,
}

/// The overview rendered in memory, not yet written.
pub(crate) struct RenderedOverview {
    pub(crate) markdown: String,
    pub(crate) html: String,
    pub(crate) json: String,
    pub(crate) trend: Vec<u8>,
}

/// A report rendered in memory, not yet written.
pub(crate) struct Rendered {
    pub(crate) dir: PathBuf,
    pub(crate) summary: Summary,
    pub(crate) view: ReportView,
    pub(crate) markdown: String,
    pub(crate) html: String,
    pub(crate) json: String,
    pub(crate) burndown: Vec<u8>,
    /// The burndown drawn for the email (not written to the folder).
    pub(crate) burndown_email: Vec<u8>,
    pub(crate) repos: Vec<u8>,
}

impl Rendered {
    fn files(&self) -> [(&'static str, &[u8]); 5] {
        [
            (layout::SUMMARY_JSON, self.json.as_bytes()),
            (layout::REPORT_MD, self.markdown.as_bytes()),
            (layout::REPORT_HTML, self.html.as_bytes()),
            (crate::layout::BURNDOWN_PNG, &self.burndown),
            (crate::layout::REPOS_PNG, &self.repos),
        ]
    }
}

/// Writes `OUT/playbooks/`.
pub(crate) fn write_playbooks(out: &Path, pages: &[(String, String)]) -> Result<()> {
    let dir = out.join(PLAYBOOKS_DIR);
    for (name, text) in pages {
        crate::state::write_atomic_if_changed(&dir.join(name), text.as_bytes())?;
    }
    Ok(())
}

/// Writes `OUT/overview/`.
pub(crate) fn write_overview(out: &Path, o: &RenderedOverview) -> Result<()> {
    let dir = out.join(OVERVIEW_DIR);
    for (name, bytes) in [
        (layout::SUMMARY_JSON, o.json.as_bytes()),
        (layout::REPORT_MD, o.markdown.as_bytes()),
        (layout::REPORT_HTML, o.html.as_bytes()),
        (crate::layout::TREND_PNG, &o.trend[..]),
    ] {
        crate::state::write_atomic_if_changed(&dir.join(name), bytes)?;
    }
    append_step_summary(&o.markdown);
    Ok(())
}

pub(crate) fn write_reports(
    templates: &Templates,
    out: &Path,
    rendered: &[Rendered],
) -> Result<Vec<WrittenReport>> {
    let mut written = Vec::with_capacity(rendered.len());
    for r in rendered {
        std::fs::create_dir_all(&r.dir)
            .map_err(|e| Error::io("cannot create report folder", &r.dir, e))?;
        for (name, bytes) in r.files() {
            crate::state::write_atomic_if_changed(&r.dir.join(name), bytes)?;
        }
        append_step_summary(&r.markdown);
        written.push(WrittenReport {
            dir: r.dir.clone(),
            summary: r.summary.clone(),
        });
    }
    write_index(templates, out, &written)?;
    Ok(written)
}

/// Writes `OUT/index.html`: every campaign's latest report found under `out`, most urgent
/// first (this run's campaigns before older folders of the same status).
pub(crate) fn write_index(
    templates: &Templates,
    out: &Path,
    written: &[WrittenReport],
) -> Result<()> {
    let mut entries: Vec<render::IndexEntry> = written
        .iter()
        .map(|w| render::IndexEntry::new(&w.summary))
        .collect();
    let mut others = Vec::new();
    if let Ok(dirs) = std::fs::read_dir(out) {
        for dir in dirs.flatten() {
            let id = dir.file_name().to_string_lossy().into_owned();
            if entries.iter().any(|e| e.id == id) || !dir.path().is_dir() {
                continue;
            }
            if let Some(summary) = latest_summary(&dir.path()) {
                others.push(render::IndexEntry::new(&summary));
            }
        }
    }
    others.sort_by(|a, b| a.name.cmp(&b.name));
    entries.extend(others);
    entries.sort_by_key(|e| e.status.severity());
    let overview: Option<Overview> =
        std::fs::read_to_string(out.join(OVERVIEW_DIR).join(layout::SUMMARY_JSON))
            .ok()
            .and_then(|t| serde_json::from_str(&t).ok());
    let html = templates.index_with(&entries, overview.as_ref())?;
    crate::state::write_atomic_if_changed(&out.join(layout::INDEX_HTML), html.as_bytes())
}

/// The summary.json of the latest dated report folder of a campaign folder, when its id is a
/// valid campaign id naming that folder (a planted file cannot turn into a link elsewhere).
pub(crate) fn latest_summary(campaign_dir: &Path) -> Option<Summary> {
    let folder = campaign_dir.file_name()?.to_str()?;
    if !config::is_campaign_id(folder) {
        return None;
    }
    let latest = std::fs::read_dir(campaign_dir)
        .ok()?
        .flatten()
        .filter(|d| {
            chrono::NaiveDate::parse_from_str(&d.file_name().to_string_lossy(), "%Y-%m-%d").is_ok()
                && d.path().join(layout::SUMMARY_JSON).is_file()
        })
        .max_by_key(|d| d.file_name())?;
    let text = std::fs::read_to_string(latest.path().join(layout::SUMMARY_JSON)).ok()?;
    let summary: Summary = serde_json::from_str(&text).ok()?;
    (summary.campaign.id == folder).then_some(summary)
}

/// Appends a Markdown report to GitHub Actions' job summary when running there.
pub(crate) fn append_step_summary(markdown: &str) {
    let Some(path) = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|p| !p.is_empty()) else {
        return;
    };
    let result = std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(&path)
        .and_then(|mut f| writeln!(f, "{markdown}"));
    if let Err(e) = result {
        tracing::warn!(
            "cannot append to GITHUB_STEP_SUMMARY ({}): {e}",
            Path::new(&path).display()
        );
    }
}
