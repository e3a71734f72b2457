//! The numbers of a campaign at an instant, as summary.json and the history carry them.

use crate::model::{OwnerKind, OwnerSource};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The reporting week `[T − 7 days, T)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Window {
    /// `T − 7 days`.
    pub start: DateTime<Utc>,
    /// `T`.
    pub end: DateTime<Utc>,
}

/// Headline counts.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Totals {
    /// Scope alerts open at T.
    pub open: u64,
    /// Scope alerts closed at T.
    pub closed: u64,
    /// open + closed.
    pub total: u64,
    /// 100 × closed / total, 1 decimal; 100 when total is 0.
    pub progress_pct: f64,
    /// Resolved during the week.
    pub resolved_this_week: u64,
    /// Created during the week.
    pub new_this_week: u64,
    /// Open at T − 7 days.
    pub open_week_ago: u64,
    /// open − open_week_ago.
    pub net_change: i64,
    /// Scope alerts that no longer match the whole filter on their current fields (in scope
    /// because they are resolved, or because an earlier run recorded them); unknown in
    /// snapshots written before summary v3 (and then left out).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kept: Option<u64>,
}

/// Open alerts by validity.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValidityCounts {
    /// Secrets that still work.
    pub active: u64,
    /// Secrets that no longer work.
    pub inactive: u64,
    /// Not checked (null included).
    pub unknown: u64,
}

/// Open alerts carrying each flag.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenFlags {
    /// Found in public too.
    pub publicly_leaked: u64,
    /// Found in more than one repository.
    pub multi_repo: u64,
    /// Pushed past push protection.
    pub push_protection_bypassed: u64,
    /// Nobody assigned.
    pub unassigned: u64,
}

/// Whether the campaign will finish in time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Nothing left open.
    Done,
    /// The due date has passed with alerts still open.
    Overdue,
    /// At the current pace the campaign will not finish by its due date.
    AtRisk,
    /// At the current pace the campaign finishes by its due date.
    OnTrack,
}

impl Status {
    /// Most urgent first: overdue, at risk, on track, done. Every channel orders campaigns so.
    pub fn severity(self) -> u8 {
        match self {
            Status::Overdue => 0,
            Status::AtRisk => 1,
            Status::OnTrack => 2,
            Status::Done => 3,
        }
    }

    /// The machine name, as summary.json spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Done => "done",
            Status::Overdue => "overdue",
            Status::AtRisk => "at_risk",
            Status::OnTrack => "on_track",
        }
    }

    /// Words for people.
    pub fn label(self) -> &'static str {
        match self {
            Status::Done => "Done",
            Status::Overdue => "Overdue",
            Status::AtRisk => "At risk",
            Status::OnTrack => "On track",
        }
    }
}

/// Why a campaign's status is what it is (`forecast.status_reasons` in summary.json).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StatusReason {
    /// Open alerts that are active, publicly leaked and past SLA.
    CriticalAlerts,
    /// Alerts are open and the last 28 days closed no more than they brought.
    NoNetProgress,
    /// The backlog is about a week of fixes and new alerts are fixed about as fast as they
    /// come: "never reaches zero" is not a risk by itself.
    KeepingPace,
    /// At the current net pace the last alert closes after the due date.
    ProjectedAfterDue,
}

/// Pace and projection against the due date.
///
/// The fields added by summary v2 are optional when read back: a snapshot written by v1 did
/// not record them, and `report` says so rather than showing zeros.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Forecast {
    /// Alerts resolved per week over the last 28 days (fixes), 2 decimals.
    pub burn_rate_per_week: f64,
    /// Alerts created per week over the last 28 days (new alerts), 2 decimals.
    #[serde(default)]
    pub inflow_rate_per_week: Option<f64>,
    /// (fixes − new alerts) per week over the last 28 days, 2 decimals; negative when the
    /// backlog grows.
    #[serde(default)]
    pub net_burn_rate_per_week: Option<f64>,
    /// Net closures per week needed to finish by the due date, 2 decimals.
    pub required_rate_per_week: Option<f64>,
    /// When the open alerts run out at the current net pace; null: never at this pace.
    pub projected_completion: Option<NaiveDate>,
    /// Open alerts expected on the due date at the current net pace.
    #[serde(default)]
    pub expected_open_at_due: Option<u64>,
    /// Days from the date of T to the due date (negative when past).
    pub days_to_due: Option<i64>,
    /// Weeks today's backlog takes at today's fix pace, new alerts aside (open / fixes a
    /// week), 2 decimals; null when nothing was fixed in 28 days (and in snapshots written
    /// before summary v3).
    #[serde(default)]
    pub weeks_to_clear: Option<f64>,
    /// Verdict.
    pub status: Status,
    /// Every reason that holds, in the order of [`StatusReason`].
    #[serde(default)]
    pub status_reasons: Vec<StatusReason>,
    /// The verdict of the previous report (`history.previous`); null without one, or when
    /// it was written by summary v1, whose verdicts meant something else.
    #[serde(default)]
    pub previous_status: Option<Status>,
}

/// One repository's numbers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RepoStats {
    /// `owner/name`.
    pub repo: String,
    /// Open at T.
    pub open: u64,
    /// Closed at T.
    pub closed: u64,
    /// Resolved during the week.
    pub resolved_this_week: u64,
    /// Created during the week.
    pub new_this_week: u64,
    /// Latest resolution at or before T.
    pub last_resolved_at: Option<DateTime<Utc>>,
    /// How that latest alert was closed, as GitHub spells it (`revoked` is a fix, anything
    /// else a dismissal); for the reports, not in summary.json (SPEC §5's fields only).
    #[serde(skip)]
    pub last_resolution: Option<String>,
    /// Who to call about the repository: the owner (`login` or `org/team`) of most of its
    /// open alerts; set for stalled repositories; for the reports, not in summary.json.
    #[serde(skip)]
    pub owner: Option<String>,
    /// Open at T − 7 days (kept in the history for "cleared this week"; not in summary.json).
    #[serde(skip)]
    pub open_week_ago: u64,
}

/// Repository lists of the report.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Repos {
    /// Most open alerts first.
    pub top: Vec<RepoStats>,
    /// Open alerts and no fix for `stale_after_days`.
    pub stalled: Vec<RepoStats>,
    /// Had open alerts a week ago, none now.
    pub cleared_this_week: Vec<String>,
}

/// Why an alert is at risk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// The secret still works.
    Active,
    /// The secret was found in public.
    PubliclyLeaked,
    /// Open longer than the campaign's SLA.
    PastSla,
}

/// An open alert that needs attention first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AtRiskAlert {
    /// `owner/name`.
    pub repo: String,
    /// Alert number in the repository.
    pub number: u64,
    /// Machine name of the pattern.
    pub secret_type: String,
    /// Human name of the pattern.
    pub secret_type_display_name: String,
    /// Whole days since the alert was created.
    pub age_days: i64,
    /// Why it is at risk.
    pub reasons: Vec<Reason>,
    /// Priority: higher first.
    pub score: u32,
    /// Assignee login.
    pub assignee: Option<String>,
    /// Link to the alert.
    pub html_url: String,
    /// The owner (`login` or `org/team`), null when unowned or unknown.
    #[serde(default)]
    pub owner: Option<String>,
    /// Where the owner was found.
    #[serde(default)]
    pub owner_source: Option<OwnerSource>,
    /// The provider (slug, else name), for finding the alert's experts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    /// Id of the remediation playbook (docs/playbooks.md); null when not looked up.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub playbook: Option<String>,
    /// The secret was found in more than one repository (one point of the score).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub multi_repo: bool,
    /// It was pushed past push protection (one point of the score).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub bypassed: bool,
}

/// One owner's open alerts in a campaign.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OwnerStats {
    /// `login` or `org/team`.
    pub owner: String,
    /// User or team.
    pub kind: OwnerKind,
    /// Open alerts.
    pub open: u64,
    /// Of them, at risk.
    pub at_risk: u64,
    /// Of them, critical.
    pub critical: u64,
    /// Age in days of the oldest.
    pub oldest_age_days: i64,
    /// How many were attributed by each source.
    pub sources: BTreeMap<String, u64>,
}

/// Open alerts without an owner.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unowned {
    /// Open alerts.
    pub open: u64,
    /// Of them, at risk.
    pub at_risk: u64,
}

/// The campaign's open alerts by owner (docs/owners.md).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Owners {
    /// Open alerts nobody owns (or whose owner could not be looked up).
    pub unowned: Unowned,
    /// Owners, by at-risk alerts, then open alerts, then name.
    pub list: Vec<OwnerStats>,
}

/// At-risk alerts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AtRisk {
    /// How many open alerts are at risk.
    pub count: u64,
    /// Open alerts that are active, publicly leaked and past SLA.
    #[serde(default)]
    pub critical_count: u64,
    /// The first `risk.top_alerts` of them by priority.
    pub top: Vec<AtRiskAlert>,
}

impl AtRiskAlert {
    /// Active, publicly leaked and past SLA: a working secret exposed in public for longer
    /// than the campaign allows.
    pub fn is_critical(&self) -> bool {
        [Reason::Active, Reason::PubliclyLeaked, Reason::PastSla]
            .iter()
            .all(|r| self.reasons.contains(r))
    }
}

/// What the reports show beyond summary.json: the whole at-risk list (summary.json keeps the
/// first `risk.top_alerts`), secret types' display names, and how many repositories have open
/// alerts (summary.json lists the first `risk.top_repos`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Details {
    /// Every at-risk alert, by priority; `None` when re-rendered from the history.
    pub at_risk: Option<Vec<AtRiskAlert>>,
    /// Display names of the open alerts' secret types.
    pub secret_type_names: BTreeMap<String, String>,
    /// Repositories with open alerts.
    pub repos_with_open: u64,
    /// Open alerts whose owner could not be looked up, by why.
    pub owners_unknown: BTreeMap<String, u64>,
    /// Why kept alerts are kept (see [`Totals::kept`]).
    pub kept: Kept,
    /// Every open alert, at risk or not, when there are at most [`FEW_OPEN`]: a backlog that
    /// small is answered by naming it.
    pub few_open: Vec<AtRiskAlert>,
    /// Members left out of the scope because they were resolved before `starts_on`.
    pub closed_before_start: u64,
    /// Scope alerts created after the linked GitHub campaign was (GitHub's campaign holds
    /// the alerts attached to it, not those found since); null without one.
    pub new_since_github_campaign: Option<u64>,
}

/// A backlog of at most this many open alerts is named alert by alert in the decisions.
pub const FEW_OPEN: u64 = 3;

/// The scope alerts that no longer match the whole filter, and what they no longer match.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Kept {
    /// Open ones (recorded by an earlier run).
    pub open: u64,
    /// Closed ones.
    pub closed: u64,
    /// Of the closed ones, revoked (fixed).
    pub fixed: u64,
    /// The filter's terms, as written, that some kept alert no longer matches, in filter
    /// order.
    pub terms: Vec<String>,
}

/// A dismissal of a secret GitHub still calls valid (`won't fix`, `used in tests`, ... on an
/// active secret): a risk someone accepted, shown with who closed it and never the comment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RiskAcceptance {
    /// `owner/name`.
    pub repo: String,
    /// Alert number in the repository.
    pub number: u64,
    /// Machine name of the pattern.
    pub secret_type: String,
    /// Human name of the pattern.
    pub secret_type_display_name: String,
    /// How it was closed (`wont_fix`, `used_in_tests`, `false_positive`, ...).
    pub resolution: String,
    /// Who closed it (login), when GitHub says.
    pub resolved_by: Option<String>,
    /// When.
    pub resolved_at: DateTime<Utc>,
    /// Link to the alert.
    pub html_url: String,
}

/// Dismissals of secrets GitHub still calls valid, among the alerts closed at T.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RiskAcceptances {
    /// How many.
    pub count: u64,
    /// The latest `risk.top_alerts` of them, latest first.
    pub list: Vec<RiskAcceptance>,
}

/// Every §5 number of one campaign at one instant.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Metrics {
    /// T.
    pub as_of: DateTime<Utc>,
    /// The reporting week.
    pub window: Window,
    /// Headline counts.
    pub totals: Totals,
    /// Resolutions during the week (null → `unknown`).
    pub resolved_this_week_by_resolution: BTreeMap<String, u64>,
    /// Open alerts by validity.
    pub open_by_validity: ValidityCounts,
    /// Open alerts by flag.
    pub open_flags: OpenFlags,
    /// Open alerts by secret type.
    pub open_by_secret_type: BTreeMap<String, u64>,
    /// Open alerts by remediation playbook id (docs/playbooks.md); empty when not looked up.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub open_by_playbook: BTreeMap<String, u64>,
    /// Closures at T by resolution (null → `unknown`): `revoked` is fixed, the rest dismissed.
    pub closed_by_resolution: BTreeMap<String, u64>,
    /// Median days to fix over the week's fixes (false positives excluded).
    pub mttr_days_median: Option<f64>,
    /// The same over the last 28 days.
    pub mttr_days_median_28d: Option<f64>,
    /// Pace and projection.
    pub forecast: Forecast,
    /// Repository lists.
    pub repos: Repos,
    /// At-risk alerts.
    pub at_risk: AtRisk,
    /// Open alerts by owner.
    pub owners: Owners,
    /// Dismissals of secrets GitHub still calls valid.
    #[serde(default)]
    pub risk_acceptances: RiskAcceptances,
    /// Every repository with scope alerts, by name (kept in the history; not in summary.json).
    #[serde(skip)]
    pub all_repos: Vec<RepoStats>,
    /// What the reports show beyond summary.json.
    #[serde(skip)]
    pub details: Details,
}
