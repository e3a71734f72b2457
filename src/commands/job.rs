//! What the commands share: campaigns resolved against GitHub's records, one weekly job over
//! fetched alerts (compute, record, render, write), and the reports written.

use crate::config::{self, CampaignConfig, EscalationRule, RiskSettings};
use crate::deliver;
use crate::error::{Error, Result};
use crate::escalation;
use crate::github;
use crate::history::{self, History, Snapshot, Source};
use crate::membership;
use crate::metrics::{self, Campaign, CampaignInfo, Metrics};
use crate::model::{Alert, CampaignRecord};
use crate::output::{
    Rendered, RenderedOverview, WrittenReport, write_overview, write_playbooks, write_reports,
};
use crate::overview::{self, Overview};
use crate::playbooks::Catalogue;
use crate::render::{self, ReportView, Templates, ViewInputs};
use crate::site::Site;
use crate::state::HistoryLock;
use crate::summary::{GithubCampaign, Summary};
use chrono::{DateTime, NaiveDate, Utc};
use std::collections::BTreeMap;
use std::path::Path;

/// What a run produced.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// One report per campaign, in configuration order.
    pub reports: Vec<WrittenReport>,
    /// What each delivery channel did.
    pub delivery: deliver::DeliveryReport,
    /// The process exit code (0, or 3 when a delivery failed).
    pub exit_code: i32,
    /// Alerts that escalation rules sent (or would send) in this run, counted once per rule.
    pub escalations_due: usize,
}

/// Where the reports' links point, from the configuration.
pub(crate) fn site(config: &config::Config) -> Site {
    Site::new(
        &config.github.org,
        github::client::api_url(&config.github).ok().as_ref(),
        config.output.report_url.as_deref(),
    )
}

/// A campaign of the config resolved against GitHub's campaign records, with reader notes.
pub(crate) struct Resolved {
    pub(crate) campaign: Campaign,
    pub(crate) record: Option<GithubCampaign>,
    pub(crate) notes: Vec<String>,
}

pub(crate) fn resolve_campaigns(
    configured: &[CampaignConfig],
    records: &BTreeMap<u64, CampaignRecord>,
    server_notes: &[github::Note],
    offline: bool,
) -> Vec<Resolved> {
    configured
        .iter()
        .map(|c| {
            let record = c.github_campaign.and_then(|n| records.get(&n));
            let mut notes = Vec::new();
            if let (Some(n), None) = (c.github_campaign, record) {
                notes.push(if offline {
                    format!("GitHub campaign #{n} was not read: alerts were replayed from a file.")
                } else {
                    format!(
                        "GitHub campaign #{n} could not be read (this server may not have security campaigns): its name, due date and counts are not shown."
                    )
                });
            }
            notes.extend(
                server_notes
                    .iter()
                    .filter(|n| n.only_filters_with.is_none_or(|q| c.filter_text.contains(q)))
                    .map(|n| n.text.clone()),
            );
            let name = c
                .name
                .clone()
                .or_else(|| record.and_then(|r| r.name.clone()))
                .unwrap_or_else(|| c.id.clone());
            let due_on = c
                .due_on
                .or_else(|| record.and_then(|r| r.ends_at).map(|t| t.date_naive()));
            Resolved {
                campaign: Campaign {
                    info: CampaignInfo {
                        id: c.id.clone(),
                        name,
                        filter: c.filter_text.clone(),
                        starts_on: c.starts_on,
                        due_on,
                        github_campaign: c.github_campaign,
                    },
                    filter: c.filter.clone(),
                    sla_days: c.sla_days,
                    members: Default::default(),
                },
                record: record.map(GithubCampaign::from),
                notes,
            }
        })
        .collect()
}

/// One weekly run over already-fetched alerts: shared by `run` and `demo`.
pub(crate) struct Job<'a> {
    pub(crate) campaigns: Vec<Resolved>,
    pub(crate) alerts: &'a [Alert],
    pub(crate) as_of: DateTime<Utc>,
    pub(crate) risk: RiskSettings,
    pub(crate) history_path: &'a Path,
    pub(crate) save_history: bool,
    pub(crate) out: &'a Path,
    pub(crate) templates: &'a Templates,
    pub(crate) site: Site,
    /// Also write the organization overview (`OUT/overview/`), its trend kept in the history.
    pub(crate) overview: Option<OverviewInputs<'a>>,
    /// The remediation playbooks: linked from alerts, written to `OUT/playbooks/`.
    pub(crate) playbooks: std::sync::Arc<Catalogue>,
    /// The escalation rules, shown on the playbook pages.
    pub(crate) escalation: &'a [EscalationRule],
    /// Each escalated alert's first escalation, for the reports' lists of escalated alerts
    /// still open.
    pub(crate) escalated: &'a escalation::FirstEscalations,
}

/// What the overview needs besides the job's alerts.
pub(crate) struct OverviewInputs<'a> {
    /// The organization.
    pub(crate) org: &'a str,
    /// The configured campaigns, for candidates, overlaps and what no campaign covers.
    pub(crate) campaigns: &'a [CampaignConfig],
    /// How far back resolved alerts were read (null: all).
    pub(crate) read_since: Option<DateTime<Utc>>,
}

/// The digest channels deliver, from the rendered reports.
pub(crate) fn digest(
    rendered: Vec<Rendered>,
    as_of: DateTime<Utc>,
    report_url: Option<String>,
) -> deliver::Digest {
    deliver::Digest::new(
        as_of.date_naive(),
        rendered
            .into_iter()
            .map(|r| deliver::CampaignReport {
                summary: r.summary,
                view: r.view,
                burndown: r.burndown_email,
                scoped: None,
            })
            .collect(),
        report_url,
    )
}

impl Job<'_> {
    /// Computes, records and writes the week's reports. The caller holds the history lock.
    pub(crate) fn weekly(
        mut self,
        _lock: &HistoryLock,
    ) -> Result<(Vec<WrittenReport>, Vec<Rendered>)> {
        let mut history = History::load(self.history_path)?;
        let members_path = crate::layout::SideFile::Members.path(self.history_path);
        let mut record = recall_members(&members_path, &history, &mut self.campaigns);
        let overview = match &self.overview {
            Some(inputs) => Some(self.overview(inputs, &mut history)?),
            None => None,
        };
        let mut computed: Vec<(&Resolved, Metrics)> = Vec::new();
        for r in &self.campaigns {
            let c = &r.campaign;
            let scope = metrics::Scope::new(self.alerts, c);
            let mut m = scope.metrics(self.as_of, &self.risk);
            m.forecast.previous_status = history
                .previous(&c.info.id, self.as_of)
                .and_then(Snapshot::status);
            if let Some(github) = r.record.as_ref().and_then(|g| g.created_at) {
                m.details.new_since_github_campaign = Some(scope.created_after(github));
            }
            if !history.has_campaign(&c.info.id) {
                self.backfill(&mut history, c, &scope);
            }
            history.upsert(Snapshot::from_metrics(&c.info.id, &m, Source::Observed));
            // once a member, always a member: the open members at T join the record
            let mut members = c.members.clone();
            for a in scope.open_at(self.as_of) {
                members.insert(&a.repository.full_name, a.number);
            }
            record.set(&c.info.id, &c.filter.canonical(), members);
            computed.push((r, m));
        }
        // Render everything before touching the disk: a template error leaves no trace.
        let mut rendered = Vec::new();
        for (r, mut m) in computed {
            let id = r.campaign.info.id.clone();
            let details = std::mem::take(&mut m.details);
            let mut summary = Summary::new(
                r.campaign.info.clone(),
                m,
                r.record.clone(),
                history.view(&id, self.as_of),
            );
            summary.escalated = escalation::still_open(
                self.escalated,
                self.alerts,
                |a| metrics::in_scope(a, &r.campaign, self.as_of),
                self.as_of,
                &self.site,
                &self.playbooks,
            );
            let inputs = ViewInputs {
                stale_after_days: self.risk.stale_after_days,
                week_before: week_before(&history, &id, self.as_of),
                notes: r.notes.clone(),
                details,
                site: self.site.clone(),
                playbooks: Some(self.playbooks.clone()),
                top_alerts: Some(self.risk.top_alerts),
            };
            rendered.push(render_one(self.templates, self.out, summary, inputs)?);
        }
        let pages = self
            .templates
            .playbook_pages(&self.playbooks, self.escalation, &self.site)?;
        // Reports first: if they cannot be written the run fails with the history unchanged.
        if let Some(o) = &overview {
            write_overview(self.out, o)?;
        }
        write_playbooks(self.out, &pages)?;
        let written = write_reports(self.templates, self.out, &rendered)?;
        if self.save_history {
            // members first: a record that knows more than the history is harmless
            record.save(&members_path)?;
            history.save(self.history_path)?;
        }
        Ok((written, rendered))
    }

    /// The organization overview: its weekly trend recorded in the history (backfilled on the
    /// first run, from what was read), the numbers, and the rendered files.
    fn overview(
        &self,
        inputs: &OverviewInputs<'_>,
        history: &mut History,
    ) -> Result<RenderedOverview> {
        let mut trend: BTreeMap<DateTime<Utc>, (u64, u64, Source)> = BTreeMap::new();
        for (kind, id) in overview::TREND_IDS {
            let c = Campaign {
                info: CampaignInfo {
                    id: id.to_string(),
                    name: id.to_string(),
                    filter: format!("results:{kind}"),
                    starts_on: None,
                    due_on: None,
                    github_campaign: None,
                },
                filter: crate::filter::Filter::parse(&format!("results:{kind}"))
                    .map_err(|e| Error::Usage(e.to_string()))?,
                sla_days: 30,
                members: Default::default(),
            };
            let scope = metrics::Scope::new(self.alerts, &c);
            // the trend reads the open counts only: the organization's history lines keep no
            // table of every repository (half the history file of a large organization)
            let line = |m: &metrics::Metrics, source| {
                let mut snapshot = Snapshot::from_metrics(id, m, source);
                snapshot.repos.clear();
                snapshot
            };
            if !history.has_campaign(id) {
                // resolved alerts older than what was read would be missing from older weeks
                let first = self.alerts.iter().map(|a| a.created_at).min();
                let not_before = match (first, inputs.read_since) {
                    (Some(f), Some(since)) => Some(f.max(since)),
                    (f, None) => f,
                    (None, Some(_)) => None,
                };
                if let Some(not_before) = not_before {
                    for t in history::backfill_instants(self.as_of, not_before) {
                        let m = scope.snapshot(t, &self.risk);
                        history.upsert(line(&m, Source::Reconstructed));
                    }
                }
            }
            let m = scope.snapshot(self.as_of, &self.risk);
            history.upsert(line(&m, Source::Observed));
            for p in history.view(id, self.as_of).points {
                let e = trend.entry(p.as_of).or_insert((0, 0, p.source));
                if kind == "default" {
                    e.0 = p.open;
                } else {
                    e.1 = p.open;
                }
                if p.source == Source::Reconstructed {
                    e.2 = Source::Reconstructed;
                }
            }
        }
        let planned: Vec<overview::Planned<'_>> = inputs
            .campaigns
            .iter()
            .map(|c| overview::Planned {
                id: &c.id,
                filter_text: &c.filter_text,
                filter: &c.filter,
            })
            .collect();
        let o = overview::compute(
            inputs.org,
            self.alerts,
            &planned,
            self.as_of,
            inputs.read_since,
            trend
                .into_iter()
                .map(|(as_of, (default, generic, source))| overview::TrendPoint {
                    as_of,
                    default,
                    generic,
                    source,
                })
                .collect(),
            &self.site,
        );
        let mut o = o;
        o.escalated = escalation::still_open(
            self.escalated,
            self.alerts,
            |_| true,
            self.as_of,
            &self.site,
            &self.playbooks,
        );
        render_overview(self.templates, o, &self.site)
    }

    /// Weekly reconstructed points back to `starts_on` (or the campaign's first alert).
    fn backfill(&self, history: &mut History, c: &Campaign, scope: &metrics::Scope<'_>) {
        let first_alert = scope.first_created().filter(|t| *t <= self.as_of);
        let not_before = match (c.info.starts_on, first_alert) {
            (Some(start), _) => crate::time::midnight(start),
            (None, Some(first)) => first,
            (None, None) => return,
        };
        let points = history::backfill_instants(self.as_of, not_before);
        tracing::info!(
            "{}: first run, backfilling {} weekly points from alert timestamps",
            c.info.id,
            points.len()
        );
        for t in points {
            let m = scope.snapshot(t, &self.risk);
            history.upsert(Snapshot::from_metrics(
                &c.info.id,
                &m,
                Source::Reconstructed,
            ));
        }
    }
}

/// Reads the membership record and gives each campaign the members recorded for it. A
/// missing or damaged record is a warning, never a failure: the campaigns then count what
/// the stateless rules admit (see [`membership`]).
pub(crate) fn recall_members(
    path: &Path,
    history: &History,
    campaigns: &mut [Resolved],
) -> membership::Record {
    let (record, missing) = match membership::Record::load(path) {
        membership::Loaded::Read(r) => (r, false),
        membership::Loaded::Missing => (membership::Record::default(), true),
        membership::Loaded::Unreadable(why) => {
            tracing::warn!(
                "{}: the membership record is unreadable ({why}); this run counts only the alerts that match each campaign's filter (resolved alerts by its stable terms), so alerts that an earlier run admitted and that no longer match may drop out; the record is written anew",
                path.display()
            );
            (membership::Record::default(), false)
        }
    };
    for r in campaigns {
        let c = &mut r.campaign;
        match record.recall(&c.info.id, &c.filter.canonical()) {
            membership::Recalled::Members(m) => c.members = m,
            membership::Recalled::FilterChanged => tracing::info!(
                "{}: the filter changed since its members were recorded; membership starts again from this run",
                c.info.id
            ),
            membership::Recalled::None if history.has_v3(&c.info.id) => tracing::warn!(
                "{}: {} {} no members of this campaign, though earlier runs recorded them; this run counts only the alerts that match its filter (resolved alerts by its stable terms), and records its members again",
                c.info.id,
                path.display(),
                if missing {
                    "is missing, so it holds"
                } else {
                    "holds"
                },
            ),
            membership::Recalled::None => {}
        }
    }
    record
}

/// Renders the overview: Markdown, HTML, summary.json and the trend chart.
pub(crate) fn render_overview(
    templates: &Templates,
    o: Overview,
    site: &Site,
) -> Result<RenderedOverview> {
    let markdown = templates.overview_markdown(&o, site)?;
    let html = templates.overview_html(&o, site)?;
    let json = serde_json::to_string_pretty(&o)
        .map(|mut s| {
            s.push('\n');
            s
        })
        .map_err(|e| Error::Template {
            name: "overview summary.json".into(),
            message: e.to_string(),
        })?;
    let trend = render::charts::trend(&o)?;
    Ok(RenderedOverview {
        markdown,
        html,
        json,
        trend,
    })
}

/// The totals of the campaign's snapshot about a week before T (observed or reconstructed),
/// for week-over-week comparisons of weekly counts.
pub(crate) fn week_before(
    history: &History,
    id: &str,
    as_of: DateTime<Utc>,
) -> Option<metrics::Totals> {
    history
        .latest(id, as_of - chrono::Duration::days(6))
        .filter(|s| s.as_of >= as_of - chrono::Duration::days(8))
        .map(|s| s.totals)
}

/// The campaign's latest report folder before `date` that holds a report, as a link from a
/// report's folder.
fn previous_report(out: &Path, campaign: &str, date: NaiveDate) -> Option<(String, NaiveDate)> {
    std::fs::read_dir(out.join(campaign))
        .ok()?
        .flatten()
        .filter_map(|d| {
            let day =
                NaiveDate::parse_from_str(&d.file_name().to_string_lossy(), "%Y-%m-%d").ok()?;
            (day < date && d.path().join(crate::layout::REPORT_HTML).is_file()).then_some(day)
        })
        .max()
        .map(|day| {
            (
                format!(
                    "../{}/{}",
                    day.format("%Y-%m-%d"),
                    crate::layout::REPORT_HTML
                ),
                day,
            )
        })
}

pub(crate) fn render_one(
    templates: &Templates,
    out: &Path,
    summary: Summary,
    inputs: ViewInputs,
) -> Result<Rendered> {
    let site = inputs.site.clone();
    let mut view = ReportView::new(&summary, inputs);
    let date = summary.as_of.date_naive();
    // the folder beside this one, else (a run in CI, whose output folder is new) the
    // published report of the history's previous run
    view.links.previous = previous_report(out, &summary.campaign.id, date)
        .or_else(|| {
            let day = summary.history.previous.as_ref()?.as_of.date_naive();
            (day < date)
                .then(|| site.report_url(&summary.campaign.id, day))
                .flatten()
                .and_then(|url| crate::site::safe_url(&url))
                .map(|url| (url, day))
        })
        .map(|(href, date)| render::PreviousReport { href, date });
    let markdown = templates.markdown(&summary, &view)?;
    let html = templates.html(&summary, &view)?;
    let json = render::summary_json(&summary)?;
    let burndown = render::charts::burndown(&summary)?;
    let burndown_email = render::charts::burndown_email(&summary)?;
    let repos = render::charts::repos(&summary)?;
    let dir = crate::layout::report_dir(out, &summary.campaign.id, summary.as_of.date_naive());
    Ok(Rendered {
        dir,
        summary,
        view,
        markdown,
        html,
        json,
        burndown,
        burndown_email,
        repos,
    })
}
