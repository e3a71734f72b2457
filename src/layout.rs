//! Where every file lives: the output folder a run writes (reports, the overview, playbooks,
//! the outbox, the index) and the state kept beside the history (records, caches, the lock),
//! as one list. Nothing here touches the disk.

use std::path::{Path, PathBuf};

/// A campaign's `summary.json`.
pub const SUMMARY_JSON: &str = "summary.json";
/// A campaign's Markdown report.
pub const REPORT_MD: &str = "report.md";
/// A campaign's HTML report.
pub const REPORT_HTML: &str = "report.html";
/// A campaign's burndown chart.
pub const BURNDOWN_PNG: &str = "burndown.png";
/// A campaign's repositories chart.
pub const REPOS_PNG: &str = "repos.png";
/// The organization overview's trend chart.
pub const TREND_PNG: &str = "trend.png";
/// The index of every campaign's latest report, in the output folder.
pub const INDEX_HTML: &str = "index.html";
/// The organization overview's folder under the output folder.
pub const OVERVIEW_DIR: &str = "overview";
/// The playbooks' folder under the output folder.
pub const PLAYBOOKS_DIR: &str = "playbooks";
/// Where a dry run writes every message it would send.
pub const OUTBOX_DIR: &str = "outbox";
/// The plan `assign` writes without `--apply`.
pub const ASSIGN_PLAN: &str = "assign-plan.json";

/// A campaign's report folder: `OUT/<id>/<YYYY-MM-DD>/`.
pub fn report_dir(out: &Path, campaign: &str, date: chrono::NaiveDate) -> PathBuf {
    out.join(campaign).join(date.format("%Y-%m-%d").to_string())
}

/// A file kept beside the history: the run's state other than the snapshots.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SideFile {
    /// Deliveries made, per channel and date (`deliveries.jsonl`).
    Deliveries,
    /// Escalations sent, per rule, alert and channel (`escalations.jsonl`).
    Escalations,
    /// Commit authors looked up (`commit-authors.json`).
    CommitCache,
    /// The alert store of incremental runs (`alerts.jsonl`).
    AlertStore,
    /// The audit trail of `assign --apply` (`assignments.jsonl`).
    Assignments,
    /// The campaigns' recorded members (`members.jsonl`).
    Members,
}

impl SideFile {
    /// Every file beside the history, for the lock to sweep their temporary copies.
    pub const ALL: [SideFile; 6] = [
        SideFile::Deliveries,
        SideFile::Escalations,
        SideFile::CommitCache,
        SideFile::AlertStore,
        SideFile::Assignments,
        SideFile::Members,
    ];

    /// Its name beside `history.jsonl`.
    pub fn name(self) -> &'static str {
        match self {
            SideFile::Deliveries => "deliveries.jsonl",
            SideFile::Escalations => "escalations.jsonl",
            SideFile::CommitCache => "commit-authors.json",
            SideFile::AlertStore => "alerts.jsonl",
            SideFile::Assignments => "assignments.jsonl",
            SideFile::Members => "members.jsonl",
        }
    }

    /// Its path beside a history file.
    pub fn path(self, history: &Path) -> PathBuf {
        side_file(history, self.name())
    }
}

/// The lock file of a history: `<history>.lock`.
pub fn lock_path(history: &Path) -> PathBuf {
    let mut name = history.file_name().unwrap_or_default().to_os_string();
    name.push(".lock");
    history.with_file_name(name)
}

/// A file kept beside a history: `NAME` beside `history.jsonl`, `<stem>.NAME` beside any other
/// history file, so histories sharing a folder keep their own side files.
fn side_file(history: &Path, name: &str) -> PathBuf {
    let stem = history
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    if stem == "history" || stem.is_empty() {
        history.with_file_name(name)
    } else {
        history.with_file_name(format!("{stem}.{name}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn side_files_keep_their_history_apart() {
        let h = Path::new("state/history.jsonl");
        assert_eq!(SideFile::Members.path(h), Path::new("state/members.jsonl"));
        assert_eq!(
            SideFile::Deliveries.path(Path::new("state/acme.jsonl")),
            Path::new("state/acme.deliveries.jsonl")
        );
        assert_eq!(lock_path(h), Path::new("state/history.jsonl.lock"));
        let names: std::collections::BTreeSet<&str> =
            SideFile::ALL.iter().map(|f| f.name()).collect();
        assert_eq!(names.len(), SideFile::ALL.len(), "one name each");
    }
}
