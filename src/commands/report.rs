//! `campaign-pulse report`: re-render each campaign's latest snapshot from the history alone,
//! offline.

use super::job::{Outcome, render_one, resolve_campaigns, site, week_before};
use crate::config::{self, RiskSettings};
use crate::deliver;
use crate::error::{self, Error, Result};
use crate::history::{History, Snapshot, Source};
use crate::metrics::{self, AtRisk, Metrics, Window};
use crate::output::{write_playbooks, write_reports};
use crate::playbooks::Catalogue;
use crate::render::{Templates, ViewInputs};
use crate::state::HistoryLock;
use crate::summary::Summary;
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Options of `campaign-pulse report`.
#[derive(Debug, Clone, Default)]
pub struct ReportOptions {
    /// The configuration file.
    pub config: PathBuf,
    /// The latest snapshot on or before this day is rendered; default now.
    pub as_of: Option<DateTime<Utc>>,
    /// Output folder instead of `output.dir`.
    pub out: Option<PathBuf>,
    /// Replace a report `run` wrote for the same date.
    pub force: bool,
}

/// `campaign-pulse report`: re-renders each campaign's latest snapshot from the history,
/// without GitHub.
pub fn report(opts: &ReportOptions) -> Result<Outcome> {
    let config = config::load(&opts.config)?;
    config.one_org("report")?;
    let templates = Templates::load(config.output.templates_dir.as_deref())?;
    let catalogue =
        Arc::new(Catalogue::load(config.playbooks_dir.as_deref())?.with_experts(&config.experts));
    let day = opts.as_of.unwrap_or_else(crate::time::now).date_naive();
    let out = opts
        .out
        .clone()
        .unwrap_or_else(|| config.output.dir.clone());
    let history = {
        let _lock = HistoryLock::acquire(&config.history_path)?;
        History::load(&config.history_path)?
    };
    let mut rendered = Vec::new();
    for r in resolve_campaigns(&config.campaigns, &BTreeMap::new(), &[], true) {
        let id = &r.campaign.info.id;
        let snap = history
            .snapshots()
            .iter()
            .filter(|s| &s.campaign == id && s.as_of.date_naive() <= day)
            .max_by_key(|s| s.as_of)
            .ok_or_else(|| {
                Error::Usage(format!(
                    "the history {} has no snapshot of campaign `{id}` on or before {day}; run `campaign-pulse run` first",
                    config.history_path.display()
                ))
            })?;
        let mut notes = vec![
            "Re-rendered from the history by campaign-pulse report: the lists of at-risk alerts and of owners are only in reports made by campaign-pulse run.".to_string(),
        ];
        if snap.source == Source::Reconstructed {
            notes.push("This snapshot was reconstructed from alert timestamps, not observed by a weekly run.".into());
        }
        if snap.is_v1() {
            notes.push("This snapshot was recorded by an earlier version of campaign-pulse: its status follows the pace of closures alone, and the pace of new alerts, the net pace and the critical alerts were not recorded.".into());
        }
        let mut metrics = metrics_from_snapshot(snap, &config.risk);
        let mut campaign = r.campaign.info.clone();
        campaign.due_on = campaign.due_on.or_else(|| {
            // keep the due date the snapshot's forecast was computed with
            snap.forecast.days_to_due.and_then(|d| {
                snap.as_of
                    .date_naive()
                    .checked_add_signed(chrono::Duration::days(d))
            })
        });
        let details = std::mem::take(&mut metrics.details);
        let summary = Summary::new(campaign, metrics, None, history.view(id, snap.as_of));
        let inputs = ViewInputs {
            stale_after_days: config.risk.stale_after_days,
            week_before: week_before(&history, id, snap.as_of),
            notes,
            details,
            site: site(&config),
            playbooks: Some(catalogue.clone()),
            top_alerts: Some(config.risk.top_alerts),
        };
        let one = render_one(&templates, &out, summary, inputs)?;
        if !opts.force && holds_richer_report(&one.dir) {
            return Err(Error::Usage(format!(
                "{} holds the report campaign-pulse run wrote for that date, with at-risk alerts the history does not keep; write elsewhere with --out DIR, or replace it with --force",
                one.dir.display()
            )));
        }
        rendered.push(one);
    }
    let pages = templates.playbook_pages(&catalogue, &config.escalation, &site(&config))?;
    write_playbooks(&out, &pages)?;
    Ok(Outcome {
        reports: write_reports(&templates, &out, &rendered)?,
        delivery: deliver::DeliveryReport::default(),
        exit_code: error::EXIT_OK,
        escalations_due: 0,
    })
}

/// Whether a report folder holds a summary.json listing at-risk alerts: a report of `run`,
/// which re-rendering from the history would make poorer.
fn holds_richer_report(dir: &Path) -> bool {
    std::fs::read_to_string(dir.join(crate::layout::SUMMARY_JSON))
        .ok()
        .and_then(|t| serde_json::from_str::<Summary>(&t).ok())
        .is_some_and(|s| !s.at_risk.top.is_empty())
}

fn metrics_from_snapshot(s: &Snapshot, risk: &RiskSettings) -> Metrics {
    let all_repos = s.repo_stats();
    Metrics {
        as_of: s.as_of,
        window: Window {
            start: s.as_of - chrono::Duration::days(7),
            end: s.as_of,
        },
        totals: s.totals,
        resolved_this_week_by_resolution: s.resolved_this_week_by_resolution.clone(),
        open_by_validity: s.open_by_validity,
        open_flags: s.open_flags,
        open_by_secret_type: s.open_by_secret_type.clone(),
        // the history keeps no playbook counts: the re-rendered report leaves them out
        open_by_playbook: BTreeMap::new(),
        closed_by_resolution: s.closed_by_resolution.clone(),
        mttr_days_median: s.mttr_days_median,
        mttr_days_median_28d: s.mttr_days_median_28d,
        forecast: s.forecast.clone(),
        repos: metrics::repo_lists(&all_repos, s.as_of, risk),
        at_risk: AtRisk {
            count: s.at_risk_count,
            critical_count: s.critical_count.unwrap_or(0),
            top: Vec::new(),
        },
        owners: metrics::Owners::default(),
        // the history keeps the count of dismissed working secrets, not the list
        risk_acceptances: metrics::RiskAcceptances {
            count: s.risk_acceptances.unwrap_or(0),
            list: Vec::new(),
        },
        details: metrics::Details {
            secret_type_names: s.secret_type_names.clone(),
            repos_with_open: all_repos.iter().filter(|r| r.open > 0).count() as u64,
            ..Default::default()
        },
        all_repos,
    }
}
