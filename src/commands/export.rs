//! `campaign-pulse export`: the campaigns' alerts and history as spreadsheet rows (SPEC §15,
//! "Exports"): `alerts.csv`, one row per campaign and alert in its scope at T, and
//! `history.csv`, one row per campaign and snapshot — or the same rows as JSON Lines.
//!
//! Offline: the alerts come from the alert store beside the history (what the last run read)
//! or a fixture, the history from its file. No secret value is read, so none can be written;
//! no free-text comment is a column.

use super::job::{recall_members, resolve_campaigns};
use crate::config::{self, Config};
use crate::error::{Error, Result};
use crate::github;
use crate::history::{History, Snapshot};
use crate::metrics;
use crate::model::Alert;
use crate::playbooks::Catalogue;
use crate::state::HistoryLock;
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// The file formats of `export`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Format {
    /// Comma-separated values with a header row, quoted against spreadsheet formulas.
    #[default]
    Csv,
    /// One JSON object per line, values as they are.
    Jsonl,
}

impl Format {
    fn extension(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Jsonl => "jsonl",
        }
    }
}

/// Options of `campaign-pulse export`.
#[derive(Debug, Clone, Default)]
pub struct ExportOptions {
    /// The configuration file.
    pub config: PathBuf,
    /// CSV or JSON Lines.
    pub format: Format,
    /// Only this campaign.
    pub campaign: Option<String>,
    /// The scope at this instant; default: the last run's (the alert store's), else now.
    pub as_of: Option<DateTime<Utc>>,
    /// Where to write (default: output.dir).
    pub out: Option<PathBuf>,
    /// Alerts from this JSON file instead of the alert store.
    pub fixture: Option<PathBuf>,
}

/// What `export` wrote.
#[derive(Debug, Clone)]
pub struct Exported {
    /// `alerts.csv` (or `.jsonl`) and how many rows.
    pub alerts: (PathBuf, usize),
    /// `history.csv` (or `.jsonl`) and how many rows.
    pub history: (PathBuf, usize),
    /// T.
    pub as_of: DateTime<Utc>,
}

/// A row of `alerts.csv`, its columns in SPEC §15's order.
#[derive(Debug, Clone, Serialize)]
pub struct AlertRow {
    /// The organization.
    pub org: String,
    /// The campaign's id.
    pub campaign: String,
    /// `owner/name`.
    pub repository: String,
    /// The alert's number in its repository.
    pub number: u64,
    /// Its page on GitHub.
    pub html_url: Option<String>,
    /// `open` or `resolved`, at T.
    pub state: &'static str,
    /// How it was resolved, when resolved by T.
    pub resolution: Option<String>,
    /// When it was found.
    pub created_at: DateTime<Utc>,
    /// When it was resolved, when by T.
    pub resolved_at: Option<DateTime<Utc>>,
    /// GitHub's secret type.
    pub secret_type: String,
    /// Its name for people.
    pub secret_type_display_name: String,
    /// The provider, as GitHub names it.
    pub provider: Option<String>,
    /// `active`, `inactive` or `unknown`.
    pub validity: &'static str,
    /// Also found in public.
    pub publicly_leaked: Option<bool>,
    /// Found in more than one repository.
    pub multi_repo: Option<bool>,
    /// Pushed past push protection.
    pub push_protection_bypassed: Option<bool>,
    /// The GitHub user it is assigned to.
    pub assignee: Option<String>,
    /// Who owns it (`login` or `org/team`), when known.
    pub owner: Option<String>,
    /// Where that was found (`assignee`, `codeowners`, …).
    pub owner_source: Option<&'static str>,
    /// The remediation playbook's id.
    pub playbook: String,
}

/// A row of `history.csv`.
#[derive(Debug, Clone, Serialize)]
pub struct HistoryRow {
    /// The organization.
    pub org: String,
    /// The campaign's id.
    pub campaign: String,
    /// The snapshot's instant.
    pub as_of: DateTime<Utc>,
    /// `observed` or `reconstructed`.
    pub source: String,
    /// Open at `as_of`.
    pub open: u64,
    /// Closed at `as_of`.
    pub closed: u64,
    /// open + closed.
    pub total: u64,
    /// 100 × closed / total.
    pub progress_pct: f64,
    /// Resolved in the week to `as_of`.
    pub resolved_this_week: u64,
    /// Created in the week to `as_of`.
    pub new_this_week: u64,
    /// `on_track`, `at_risk`, `overdue`, `done`.
    pub status: String,
}

/// The rows of `alerts.csv` for `campaigns` at `as_of`: each campaign's scope (SPEC §5, its
/// members included), oldest first.
pub fn alert_rows(
    org: &str,
    alerts: &[Alert],
    campaigns: &[metrics::Campaign],
    as_of: DateTime<Utc>,
) -> Vec<AlertRow> {
    let mut rows = Vec::new();
    for c in campaigns {
        let scope = metrics::Scope::new(alerts, c);
        for a in scope.known_at(as_of) {
            let resolved = a.resolved_at.filter(|r| *r <= as_of);
            let owner = a.owner.owner();
            rows.push(AlertRow {
                org: org.to_string(),
                campaign: c.info.id.clone(),
                repository: a.repository.full_name.clone(),
                number: a.number,
                html_url: a.html_url.clone(),
                state: if resolved.is_some() {
                    "resolved"
                } else {
                    "open"
                },
                resolution: resolved.and(a.resolution.clone()),
                created_at: a.created_at,
                resolved_at: resolved,
                secret_type: a.secret_type.clone(),
                secret_type_display_name: a.display_name().to_string(),
                provider: a.provider.clone(),
                validity: a.validity().as_str(),
                publicly_leaked: a.publicly_leaked,
                multi_repo: a.multi_repo,
                push_protection_bypassed: a.push_protection_bypassed,
                assignee: a.assigned_to.as_ref().map(|u| u.login.clone()),
                owner: owner.map(|o| o.name.clone()),
                owner_source: owner.map(|o| o.source.as_str()),
                playbook: a.playbook.clone(),
            });
        }
    }
    rows
}

/// The rows of `history.csv`: every snapshot of `campaigns` up to `as_of`, by campaign in
/// configuration order, then oldest first.
pub fn history_rows(
    org: &str,
    history: &History,
    campaigns: &[&str],
    as_of: DateTime<Utc>,
) -> Vec<HistoryRow> {
    let word = |v: serde_json::Value| v.as_str().unwrap_or_default().to_string();
    let mut by_campaign: BTreeMap<&str, Vec<&Snapshot>> = BTreeMap::new();
    for s in history.snapshots().iter().filter(|s| s.as_of <= as_of) {
        by_campaign.entry(s.campaign.as_str()).or_default().push(s);
    }
    campaigns
        .iter()
        .flat_map(|id| by_campaign.remove(id).unwrap_or_default())
        .map(|s| HistoryRow {
            org: org.to_string(),
            campaign: s.campaign.clone(),
            as_of: s.as_of,
            source: word(serde_json::to_value(s.source).unwrap_or_default()),
            open: s.totals.open,
            closed: s.totals.closed,
            total: s.totals.total,
            progress_pct: s.totals.progress_pct,
            resolved_this_week: s.totals.resolved_this_week,
            new_this_week: s.totals.new_this_week,
            status: word(serde_json::to_value(s.forecast.status).unwrap_or_default()),
        })
        .collect()
}

/// A text cell a spreadsheet would read as a formula (`=`, `+`, `-`, `@`, a tab or a carriage
/// return first) gets a `'` before it, which spreadsheets show as text (OWASP, "CSV
/// Injection"). A number is not a formula and stays a number.
pub fn defuse(cell: &str) -> std::borrow::Cow<'_, str> {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') if cell.parse::<f64>().is_err() => {
            format!("'{cell}").into()
        }
        _ => cell.into(),
    }
}

/// Serializes `rows` as CSV (header row first, text cells defused) or JSON Lines.
pub fn encode<T: Serialize>(rows: &[T], format: Format) -> Result<Vec<u8>> {
    let fail = |e: &dyn std::fmt::Display| Error::Usage(format!("cannot write the export: {e}"));
    match format {
        Format::Jsonl => {
            let mut out = Vec::new();
            for r in rows {
                serde_json::to_writer(&mut out, r).map_err(|e| fail(&e))?;
                out.push(b'\n');
            }
            Ok(out)
        }
        Format::Csv => {
            // the csv crate writes the header and fields in the rows' order; each cell is
            // then defused on its way to the file
            let mut raw = csv::Writer::from_writer(Vec::new());
            for r in rows {
                raw.serialize(r).map_err(|e| fail(&e))?;
            }
            let raw = raw.into_inner().map_err(|e| fail(&e))?;
            let mut reader = csv::ReaderBuilder::new()
                .has_headers(false)
                .from_reader(&raw[..]);
            let mut w = csv::Writer::from_writer(Vec::new());
            for record in reader.records() {
                let record = record.map_err(|e| fail(&e))?;
                w.write_record(record.iter().map(|c| defuse(c).into_owned()))
                    .map_err(|e| fail(&e))?;
            }
            w.into_inner().map_err(|e| fail(&e))
        }
    }
}

/// The header row of a file with no rows: the columns still say what the file holds.
fn header_only(columns: &[&str]) -> Vec<u8> {
    let mut line = columns.join(",");
    line.push('\n');
    line.into_bytes()
}

const ALERT_COLUMNS: &[&str] = &[
    "org",
    "campaign",
    "repository",
    "number",
    "html_url",
    "state",
    "resolution",
    "created_at",
    "resolved_at",
    "secret_type",
    "secret_type_display_name",
    "provider",
    "validity",
    "publicly_leaked",
    "multi_repo",
    "push_protection_bypassed",
    "assignee",
    "owner",
    "owner_source",
    "playbook",
];

const HISTORY_COLUMNS: &[&str] = &[
    "org",
    "campaign",
    "as_of",
    "source",
    "open",
    "closed",
    "total",
    "progress_pct",
    "resolved_this_week",
    "new_this_week",
    "status",
];

/// One organization's rows: (alerts.csv rows, history.csv rows, T).
async fn org_rows(
    config: &Config,
    configured: &[config::CampaignConfig],
    opts: &ExportOptions,
) -> Result<(Vec<AlertRow>, Vec<HistoryRow>, DateTime<Utc>)> {
    let (mut alerts, as_of) = alerts_of(config, opts).await?;
    Catalogue::load(config.playbooks_dir.as_deref())?.annotate(&mut alerts);
    let history = {
        let _lock = HistoryLock::acquire(&config.history_path)?;
        History::load(&config.history_path)?
    };
    let mut resolved = resolve_campaigns(configured, &BTreeMap::new(), &[], true);
    let members = crate::layout::SideFile::Members.path(&config.history_path);
    let _ = recall_members(&members, &history, &mut resolved);
    let campaigns: Vec<metrics::Campaign> = resolved.into_iter().map(|r| r.campaign).collect();
    let org = &config.github.org;
    let rows = alert_rows(org, &alerts, &campaigns, as_of);
    let ids: Vec<&str> = configured.iter().map(|c| c.id.as_str()).collect();
    let history = history_rows(org, &history, &ids, as_of);
    Ok((rows, history, as_of))
}

/// The alerts to export and the T they are as of: the fixture's at `--as-of` (else now), or
/// the alert store's, at `--as-of` (else the last run's T).
async fn alerts_of(config: &Config, opts: &ExportOptions) -> Result<(Vec<Alert>, DateTime<Utc>)> {
    let mut alerts = match &opts.fixture {
        Some(path) => github::load_fixture(path, config)?.alerts,
        None => {
            let store = crate::layout::SideFile::AlertStore.path(&config.history_path);
            let stored = github::store::read_any(&store, config).map_err(|why| {
                Error::Usage(format!(
                    "{} cannot be exported ({why}): run `campaign-pulse run` first, or export from a file with --source fixture:PATH",
                    store.display()
                ))
            })?;
            let as_of = opts.as_of.unwrap_or(stored.header.as_of);
            if as_of > stored.header.as_of {
                tracing::warn!(
                    "the alert store holds what the run of {} read: later changes are not in the export",
                    stored.header.as_of.format("%Y-%m-%d %H:%M")
                );
            }
            let mut alerts = stored.alerts;
            github::owners::resolve_owners(config, None, &mut alerts, as_of).await;
            return Ok((alerts, as_of));
        }
    };
    let as_of = opts.as_of.unwrap_or_else(crate::time::now);
    github::owners::resolve_owners(config, None, &mut alerts, as_of).await;
    Ok((alerts, as_of))
}

/// `campaign-pulse export`: writes `alerts.<ext>` and `history.<ext>` into the output folder,
/// the rows of every organization the configuration reads.
pub async fn export(opts: &ExportOptions) -> Result<Exported> {
    let config = config::load(&opts.config)?;
    if let Some(id) = &opts.campaign {
        config.campaign(id)?;
    }
    if config.is_many() && opts.fixture.is_some() {
        return Err(Error::Usage(
            "--source replays one organization's alerts, and github.orgs lists several: export from the alert stores, or with a configuration of one organization".into(),
        ));
    }
    let mut alert_rows = Vec::new();
    let mut history_rows = Vec::new();
    let mut as_of = None;
    for one in config.per_org() {
        let configured: Vec<config::CampaignConfig> = one
            .campaigns
            .iter()
            .filter(|c| opts.campaign.as_ref().is_none_or(|id| &c.id == id))
            .cloned()
            .collect();
        if configured.is_empty() {
            continue;
        }
        let (rows, history, t) = org_rows(&one, &configured, opts).await?;
        alert_rows.extend(rows);
        history_rows.extend(history);
        as_of = as_of.max(Some(t));
    }
    let as_of = as_of.unwrap_or_else(crate::time::now);
    let out = opts
        .out
        .clone()
        .unwrap_or_else(|| config.output.dir.clone());
    let write = |name: &str, bytes: Vec<u8>| -> Result<PathBuf> {
        let path = out.join(format!("{name}.{}", opts.format.extension()));
        crate::state::write_atomic(&path, &bytes)?;
        Ok(path)
    };
    let body = |rows: Vec<u8>, columns: &[&str], empty: bool| match (empty, opts.format) {
        (true, Format::Csv) => header_only(columns),
        _ => rows,
    };
    let alerts_path = write(
        "alerts",
        body(
            encode(&alert_rows, opts.format)?,
            ALERT_COLUMNS,
            alert_rows.is_empty(),
        ),
    )?;
    let history_path = write(
        "history",
        body(
            encode(&history_rows, opts.format)?,
            HISTORY_COLUMNS,
            history_rows.is_empty(),
        ),
    )?;
    Ok(Exported {
        alerts: (alerts_path, alert_rows.len()),
        history: (history_path, history_rows.len()),
        as_of,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_defused_and_other_text_is_not() {
        for danger in ["=1+1", "+1+1", "-1+cmd", "@SUM(A1)", "\tx", "\rx", "-"] {
            assert_eq!(defuse(danger), format!("'{danger}"));
        }
        for fine in ["acme/web", "1", "-1", "12.5", "", "a=b", "'quoted"] {
            assert_eq!(defuse(fine), fine);
        }
    }

    #[derive(Serialize)]
    struct Row {
        text: String,
        n: u64,
        pct: f64,
        flag: Option<bool>,
        none: Option<String>,
    }

    #[test]
    fn csv_keeps_numbers_numbers_and_quotes_what_needs_it() {
        let rows = [Row {
            text: "=HYPERLINK(\"http://x\",\"a, b\")".into(),
            n: 42,
            pct: 12.5,
            flag: Some(true),
            none: None,
        }];
        let csv = String::from_utf8(encode(&rows, Format::Csv).unwrap()).unwrap();
        assert_eq!(
            csv,
            "text,n,pct,flag,none\n\"'=HYPERLINK(\"\"http://x\"\",\"\"a, b\"\")\",42,12.5,true,\n"
        );
        let jsonl = String::from_utf8(encode(&rows, Format::Jsonl).unwrap()).unwrap();
        assert_eq!(
            jsonl,
            "{\"text\":\"=HYPERLINK(\\\"http://x\\\",\\\"a, b\\\")\",\"n\":42,\"pct\":12.5,\"flag\":true,\"none\":null}\n"
        );
    }
}
