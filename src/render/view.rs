//! What the templates and channels show besides the numbers: the verdict in words, numbers
//! rounded for people, names as GitHub spells them, and links that lead somewhere.
//!
//! Everything here is derived from a [`Summary`] (plus what the reports show beyond it), so
//! every channel says the same thing in the same words.

use super::words::*;
use crate::metrics::{AtRiskAlert, Details, Reason, Status, Totals};
use crate::model::OwnerSource;
use crate::model::owner_label;
use crate::playbooks::Catalogue;
use crate::site::Site;
use crate::summary::Summary;
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::BTreeMap;

/// Links of one campaign's report.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Links {
    /// The campaign's full HTML report as published (needs `output.report_url`).
    pub report: Option<String>,
    /// The index of every report as published.
    pub reports_home: Option<String>,
    /// The GitHub security campaign's page.
    pub github_campaign: Option<String>,
    /// The campaign's filter in GitHub's security overview.
    pub github_filter: Option<String>,
    /// The campaign's report before this one.
    pub previous: Option<PreviousReport>,
}

/// A link to the campaign's report before this one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PreviousReport {
    /// From this report's folder (`../2026-11-16/report.html`), or the published page, made
    /// safe.
    pub href: String,
    /// Its date.
    pub date: NaiveDate,
}

/// A count under a name for people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Count {
    /// The machine key (`false_positive`, `github_personal_access_token`).
    pub key: String,
    /// The name for people (`False positive`, `GitHub Personal Access Token`).
    pub label: String,
    /// How many.
    pub n: u64,
}

/// An at-risk alert as reports list it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AtRiskView {
    /// `owner/name`.
    pub repo: String,
    /// Alert number.
    pub number: u64,
    /// The alert's page, made safe; `None` when GitHub sent no usable link.
    pub url: Option<String>,
    /// The secret type's display name.
    pub secret: String,
    /// Whole days since it was found.
    pub age_days: i64,
    /// Machine reasons (`active`, ...), for styling.
    pub reasons: Vec<Reason>,
    /// Reasons in words: "still valid", "publicly leaked", "past SLA".
    pub why: Vec<&'static str>,
    /// Active, publicly leaked and past SLA.
    pub critical: bool,
    /// Assignee login.
    pub assignee: Option<String>,
    /// The owner as shown: `@login`, `org/team`; `None` when unowned or unknown.
    pub owner: Option<String>,
    /// The owner's name as GitHub has it (`login`, `org/team`).
    pub owner_name: Option<String>,
    /// Where the owner was found, in words (`committer`, `CODEOWNERS`), unless the assignee.
    pub owner_via: Option<&'static str>,
    /// The alert's remediation playbook, when looked up.
    pub playbook: Option<PlaybookRef>,
    /// Subject-matter experts for its secret type (`experts` of the configuration).
    pub experts: Vec<String>,
}

/// A link to a remediation playbook.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlaybookRef {
    /// `aws`.
    pub id: String,
    /// `AWS access keys`.
    pub title: String,
    /// The page from a campaign's report folder: `../../playbooks/aws.html`.
    pub page: String,
    /// The Markdown page from a campaign's report folder: `../../playbooks/aws.md`.
    pub page_md: String,
    /// The page as published, when `output.report_url` is set.
    pub published: Option<String>,
    /// A link that works anywhere (email, chat): the published page, else the provider's
    /// documentation.
    pub url: Option<String>,
}

impl PlaybookRef {
    /// The reference to a playbook from a campaign report.
    pub fn new(p: &crate::playbooks::Playbook, site: &Site) -> PlaybookRef {
        let published = site.playbook_url(&p.id);
        PlaybookRef {
            id: p.id.clone(),
            title: p.title.clone(),
            page: format!("../../playbooks/{}.html", p.id),
            page_md: format!("../../playbooks/{}.md", p.id),
            url: published
                .clone()
                .or_else(|| p.docs.first().map(|d| d.url.clone())),
            published,
        }
    }
}

/// A playbook a campaign's open alerts need, with how many.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlaybookUse {
    /// The playbook.
    pub playbook: PlaybookRef,
    /// Open alerts that need it.
    pub open: u64,
    /// Its subject-matter experts.
    pub experts: Vec<String>,
}

impl AtRiskView {
    fn new(a: &AtRiskAlert, site: &Site, playbooks: Option<&Catalogue>) -> AtRiskView {
        let playbook = playbooks
            .zip(a.playbook.as_deref())
            .and_then(|(c, id)| c.get(id));
        AtRiskView {
            playbook: playbook.map(|p| PlaybookRef::new(p, site)),
            // the experts of the playbook the row links: the same names as the playbook table
            experts: match (playbooks, playbook) {
                (Some(c), Some(p)) => c.experts_of(p),
                _ => Vec::new(),
            },
            repo: a.repo.clone(),
            number: a.number,
            url: site.alert_link(&a.repo, a.number, Some(&a.html_url)),
            secret: crate::text::clip_name(&a.secret_type_display_name),
            age_days: a.age_days,
            reasons: a.reasons.clone(),
            // every part of the score, so that the order can be read: the reasons, then the
            // point each for several repositories and a bypass (unassigned shows as owner)
            why: a
                .reasons
                .iter()
                .map(|r| reason_words(*r))
                .chain(a.multi_repo.then_some("in several repositories"))
                .chain(a.bypassed.then_some("pushed past push protection"))
                .collect(),
            critical: a.is_critical(),
            assignee: a.assignee.as_deref().map(crate::text::clip_name),
            owner: a.owner.as_deref().map(owner_label),
            owner_name: a.owner.clone(),
            owner_via: a
                .owner_source
                .filter(|s| *s != OwnerSource::Assignee)
                .map(source_words),
        }
    }

    /// `acme/web #12`.
    pub fn label(&self) -> String {
        format!("{} #{}", self.repo, self.number)
    }

    /// Who to ask: `@ada`, `acme/payments (CODEOWNERS, unassigned)`, `no owner, unassigned`.
    pub fn who(&self) -> String {
        match (&self.owner, self.owner_via, &self.assignee) {
            (Some(o), None, _) => o.clone(),
            (Some(o), Some(via), None) => format!("{o} ({via}, unassigned)"),
            (Some(o), Some(via), Some(_)) => format!("{o} ({via})"),
            (None, _, Some(a)) => format!("@{a}"),
            (None, _, None) => "no owner, unassigned".into(),
        }
    }
}

/// The playbooks a campaign's open alerts need, most alerts first.
fn playbook_uses(
    summary: &Summary,
    playbooks: Option<&Catalogue>,
    site: &Site,
) -> Vec<PlaybookUse> {
    let Some(c) = playbooks else {
        return Vec::new();
    };
    let mut uses: Vec<PlaybookUse> = summary
        .open_by_playbook
        .iter()
        .filter_map(|(id, n)| {
            let p = c.get(id)?;
            Some(PlaybookUse {
                playbook: PlaybookRef::new(p, site),
                open: *n,
                experts: c.experts_of(p),
            })
        })
        .collect();
    uses.sort_by(|a, b| {
        b.open
            .cmp(&a.open)
            .then_with(|| a.playbook.title.cmp(&b.playbook.title))
    });
    uses
}

/// One line of the By owner table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OwnerView {
    /// `@login` or `org/team`.
    pub label: String,
    /// Open alerts.
    pub open: u64,
    /// Of them, at risk.
    pub at_risk: u64,
    /// Of them, critical.
    pub critical: u64,
    /// The oldest's age in days.
    pub oldest_age_days: i64,
    /// `CODEOWNERS 9, committer 2`.
    pub via: String,
}

/// How many entries long lists show; the rest is counted in a note.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Limits {
    /// Repository and secret-type lists.
    pub list: usize,
    /// At-risk alerts.
    pub at_risk: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            list: 50,
            at_risk: 1000,
        }
    }
}

/// Chart locations as the report refers to them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChartLinks {
    /// The burndown chart.
    pub burndown: String,
    /// The repositories chart.
    pub repos: String,
}

impl Default for ChartLinks {
    fn default() -> Self {
        ChartLinks {
            burndown: crate::layout::BURNDOWN_PNG.into(),
            repos: crate::layout::REPOS_PNG.into(),
        }
    }
}

/// What the templates get besides the summary: words and derived values that make the
/// report read well (`v` in templates; see docs/templates.md).
#[derive(Debug, Clone, Serialize)]
pub struct ReportView {
    /// `on_track`, `at_risk`, `overdue`, `done`.
    pub status: Status,
    /// "On track", "At risk", ...
    pub status_label: &'static str,
    /// An emoji for the status.
    pub status_icon: &'static str,
    /// The status colour (CSS), for email clients that drop style sheets.
    pub status_color: &'static str,
    /// The verdict with its reasons.
    pub verdict: Verdict,
    /// The pace numbers, rounded for people.
    pub pace: Pace,
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
    /// The week before's counts (from the history), for week-over-week arrows.
    pub week_before: Option<Totals>,
    /// At-risk alerts by priority: every one when known, else summary.json's first ones.
    pub at_risk: Vec<AtRiskView>,
    /// Whether `at_risk` holds every at-risk alert.
    pub at_risk_complete: bool,
    /// Secret types of open alerts by display name, most first.
    pub open_by_secret_type: Vec<Count>,
    /// The week's closures by resolution as GitHub spells them, most first.
    pub resolved_by_resolution: Vec<Count>,
    /// Every closure by resolution, most first.
    pub closed_by_resolution: Vec<Count>,
    /// Closed as revoked (fixed) at T.
    pub fixed: u64,
    /// Closed otherwise (dismissed) at T.
    pub dismissed: u64,
    /// Closed as revoked this week.
    pub fixed_this_week: u64,
    /// Closed otherwise this week.
    pub dismissed_this_week: u64,
    /// Repositories with open alerts (the top list shows the first `risk.top_repos`).
    pub repos_with_open: u64,
    /// Whether the history holds points rebuilt from alert timestamps.
    pub has_reconstructed: bool,
    /// Owners of open alerts, most at risk first.
    pub owners: Vec<OwnerView>,
    /// The playbooks the open alerts need, most alerts first.
    pub playbooks: Vec<PlaybookUse>,
    /// Open alerts whose owner could not be looked up, and why.
    pub owners_unknown: Vec<Count>,
    /// How many entries long lists show.
    pub limits: Limits,
    /// Where the charts are, relative to the report (or `cid:` links in email).
    pub charts: ChartLinks,
    /// Links to the full report and to GitHub.
    pub links: Links,
    /// Things the reader should know about this report.
    pub notes: Vec<String>,
    /// The reporting week, named one way everywhere: `week to 2026-11-23 (Nov 16–22)`.
    pub week: String,
    /// Why alerts that no longer match the filter still count, when some do.
    pub kept: Option<String>,
    /// What GitHub's 1,000-alert campaign limit means for this campaign, when it passes it.
    pub campaign_limit: Option<String>,
    /// Dismissals of secrets GitHub still calls valid, latest first.
    pub risk_acceptances: Vec<RiskAcceptanceView>,
    /// Stalled repositories as reports list them.
    pub stalled: Vec<StalledView>,
}

/// A stalled repository: whom to call, and what was closed last.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StalledView {
    /// `owner/name`.
    pub repo: String,
    /// Open alerts.
    pub open: u64,
    /// The last closure in words: `last fix 2026-10-01`, `last closed 2026-10-01 (dismissed:
    /// False positive)`, `nothing closed yet`.
    pub last: String,
    /// The owner of most of its open alerts (`@login`, `org/team`), when known.
    pub owner: Option<String>,
}

impl StalledView {
    fn new(r: &crate::metrics::RepoStats) -> StalledView {
        let last = match (r.last_resolved_at, r.last_resolution.as_deref()) {
            (None, _) => "nothing closed yet".to_string(),
            (Some(t), Some("revoked")) => format!("last fix {}", t.format("%Y-%m-%d")),
            // re-rendered from the history, which does not keep how it was closed
            (Some(t), None) => format!("last closed {}", t.format("%Y-%m-%d")),
            (Some(t), Some(how)) => format!(
                "last closed {} (dismissed: {})",
                t.format("%Y-%m-%d"),
                resolution_label(how)
            ),
        };
        StalledView {
            repo: r.repo.clone(),
            open: r.open,
            last,
            owner: r.owner.as_deref().map(owner_label),
        }
    }
}

/// A dismissal of a working secret as reports list it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RiskAcceptanceView {
    /// `acme/web #12`.
    pub label: String,
    /// The alert's page, made safe.
    pub url: Option<String>,
    /// The secret type's display name.
    pub secret: String,
    /// How it was closed, as GitHub spells it (`Won't fix`).
    pub resolution: String,
    /// Who closed it (`@login`), when GitHub says.
    pub resolved_by: Option<String>,
    /// When.
    pub resolved_on: NaiveDate,
}

/// Inputs of a view besides the summary.
#[derive(Debug, Clone, Default)]
pub struct ViewInputs {
    /// Days without a fix after which a repository is stalled.
    pub stale_after_days: u32,
    /// The week before's counts.
    pub week_before: Option<Totals>,
    /// Notes for the reader.
    pub notes: Vec<String>,
    /// What the report shows beyond summary.json.
    pub details: Details,
    /// Where links point.
    pub site: Site,
    /// The remediation playbooks, for links from alerts.
    pub playbooks: Option<std::sync::Arc<Catalogue>>,
    /// How many at-risk alerts the reports list (`risk.top_alerts`; none: its default).
    pub top_alerts: Option<usize>,
}

impl ReportView {
    /// Derives the view of a summary.
    pub fn new(summary: &Summary, inputs: ViewInputs) -> ReportView {
        let ViewInputs {
            stale_after_days,
            week_before,
            mut notes,
            details,
            site,
            playbooks,
            top_alerts,
        } = inputs;
        let playbooks = playbooks.as_deref();
        let f = &summary.forecast;
        let status = f.status;
        let names = &details.secret_type_names;
        let mut open_by_secret_type: Vec<Count> = summary
            .open_by_secret_type
            .iter()
            .map(|(k, n)| Count {
                key: k.clone(),
                label: names
                    .get(k)
                    .filter(|s| !s.is_empty())
                    .cloned()
                    .unwrap_or_else(|| k.clone()),
                n: *n,
            })
            .collect();
        most_first(&mut open_by_secret_type);
        let resolutions = |map: &BTreeMap<String, u64>| {
            let mut v: Vec<Count> = map
                .iter()
                .map(|(k, n)| Count {
                    key: k.clone(),
                    label: resolution_label(k),
                    n: *n,
                })
                .collect();
            most_first(&mut v);
            v
        };
        let fixed_of = |map: &BTreeMap<String, u64>| map.get("revoked").copied().unwrap_or(0);
        let fixed = fixed_of(&summary.closed_by_resolution);
        let fixed_this_week = fixed_of(&summary.resolved_this_week_by_resolution);
        let (at_risk, at_risk_complete) = match &details.at_risk {
            Some(all) => (
                all.iter()
                    .map(|a| AtRiskView::new(a, &site, playbooks))
                    .collect(),
                true,
            ),
            None => (
                summary
                    .at_risk
                    .top
                    .iter()
                    .map(|a| AtRiskView::new(a, &site, playbooks))
                    .collect(),
                summary.at_risk.top.len() as u64 >= summary.at_risk.count,
            ),
        };
        let date = summary.as_of.date_naive();
        let links = Links {
            report: site.report_url(&summary.campaign.id, date),
            reports_home: site.reports.clone(),
            github_campaign: summary
                .campaign
                .github_campaign
                .and_then(|n| site.campaign_url(n)),
            github_filter: site.alerts_filter_url(&summary.campaign.filter),
            previous: None,
        };
        if let Some(note) = github_counts_note(summary, &details) {
            notes.push(note);
        }

        ReportView {
            status,
            status_label: status.label(),
            status_icon: status_icon(status),
            status_color: match status {
                Status::Overdue => "#cf222e",
                Status::AtRisk => "#9a6700",
                Status::OnTrack => "#1a7f37",
                Status::Done => "#0969da",
            },
            verdict: verdict(summary, Some(&details)),
            pace: pace(summary),
            as_of_date: date,
            week_start: summary.window.start.date_naive(),
            days_late: match (f.projected_completion, summary.campaign.due_on) {
                (Some(p), Some(d)) => Some((p - d).num_days()),
                _ => None,
            },
            days_overdue: f.days_to_due.filter(|d| *d < 0).map(|d| -d),
            stale_after_days,
            week_before,
            at_risk,
            at_risk_complete,
            open_by_secret_type,
            resolved_by_resolution: resolutions(&summary.resolved_this_week_by_resolution),
            closed_by_resolution: resolutions(&summary.closed_by_resolution),
            fixed,
            dismissed: summary.totals.closed.saturating_sub(fixed),
            fixed_this_week,
            dismissed_this_week: summary
                .totals
                .resolved_this_week
                .saturating_sub(fixed_this_week),
            repos_with_open: details.repos_with_open.max(summary.repos.top.len() as u64),
            has_reconstructed: summary
                .history
                .points
                .iter()
                .any(|p| p.source == crate::history::Source::Reconstructed),
            playbooks: playbook_uses(summary, playbooks, &site),
            owners: summary
                .owners
                .list
                .iter()
                .map(|o| OwnerView {
                    label: owner_label(&o.owner),
                    open: o.open,
                    at_risk: o.at_risk,
                    critical: o.critical,
                    oldest_age_days: o.oldest_age_days,
                    via: {
                        let mut v: Vec<(&String, &u64)> = o.sources.iter().collect();
                        v.sort_by(|a, b| b.1.cmp(a.1).then_with(|| a.0.cmp(b.0)));
                        v.iter()
                            .map(|(s, n)| {
                                let words = OwnerSource::parse(s)
                                    .map_or_else(|| s.to_string(), |x| source_words(x).into());
                                format!("{words} {n}")
                            })
                            .collect::<Vec<_>>()
                            .join(", ")
                    },
                })
                .collect(),
            owners_unknown: details
                .owners_unknown
                .iter()
                .map(|(why, n)| Count {
                    key: why.clone(),
                    label: why.clone(),
                    n: *n,
                })
                .collect(),
            limits: Limits {
                at_risk: top_alerts
                    .unwrap_or_else(|| crate::config::RiskSettings::default().top_alerts),
                ..Limits::default()
            },
            charts: ChartLinks::default(),
            week: week_words(summary.window.start, summary.window.end),
            kept: kept_words(summary, &details.kept),
            campaign_limit: campaign_limit_note(summary),
            risk_acceptances: summary
                .risk_acceptances
                .list
                .iter()
                .map(|r| RiskAcceptanceView {
                    label: format!("{} #{}", r.repo, r.number),
                    url: site.alert_link(&r.repo, r.number, Some(&r.html_url)),
                    secret: crate::text::clip_name(&r.secret_type_display_name),
                    resolution: resolution_label(&r.resolution),
                    resolved_by: r.resolved_by.as_deref().map(owner_label),
                    resolved_on: r.resolved_at.date_naive(),
                })
                .collect(),
            stalled: summary.repos.stalled.iter().map(StalledView::new).collect(),
            links,
            notes,
        }
    }
}

pub(super) fn most_first(v: &mut [Count]) {
    v.sort_by(|a, b| b.n.cmp(&a.n).then_with(|| a.label.cmp(&b.label)));
}
