//! `summary.json` (schema `campaign-pulse/summary/v3`): a campaign's §5 numbers at T, the
//! linked GitHub campaign, and its history. Every report is rendered from this document.

use crate::history::HistoryView;
use crate::metrics::{
    AtRisk, CampaignInfo, Forecast, Metrics, OpenFlags, Owners, Repos, RiskAcceptances, Totals,
    ValidityCounts, Window,
};
use crate::model::{AlertStats, CampaignRecord};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The schema string of summary.json.
pub const SCHEMA: &str = "campaign-pulse/summary/v3";

/// The GitHub security campaign record, as shown beside our numbers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GithubCampaign {
    /// Campaign number.
    pub number: u64,
    /// Campaign name.
    pub name: Option<String>,
    /// When it was created.
    #[serde(default)]
    pub created_at: Option<DateTime<Utc>>,
    /// Due date.
    pub ends_at: Option<DateTime<Utc>>,
    /// Managers' logins.
    pub managers: Vec<String>,
    /// GitHub's own counts.
    pub alert_stats: Option<AlertStats>,
}

impl From<&CampaignRecord> for GithubCampaign {
    fn from(r: &CampaignRecord) -> Self {
        GithubCampaign {
            number: r.number,
            name: r.name.clone(),
            created_at: r.created_at,
            ends_at: r.ends_at,
            managers: r.managers.iter().map(|m| m.login.clone()).collect(),
            alert_stats: r.alert_stats,
        }
    }
}

/// The document written to `summary.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// [`SCHEMA`].
    pub schema: String,
    /// The campaign.
    pub campaign: CampaignInfo,
    /// T.
    pub as_of: DateTime<Utc>,
    /// `[T − 7 days, T)`.
    pub window: Window,
    /// Headline counts.
    pub totals: Totals,
    /// Resolutions during the week.
    pub resolved_this_week_by_resolution: BTreeMap<String, u64>,
    /// Open alerts by validity.
    pub open_by_validity: ValidityCounts,
    /// Open alerts by flag.
    pub open_flags: OpenFlags,
    /// Open alerts by secret type.
    pub open_by_secret_type: BTreeMap<String, u64>,
    /// Open alerts by remediation playbook id (docs/playbooks.md).
    #[serde(default)]
    pub open_by_playbook: BTreeMap<String, u64>,
    /// Closures by resolution: `revoked` is fixed, the rest dismissed.
    #[serde(default)]
    pub closed_by_resolution: BTreeMap<String, u64>,
    /// Median days to fix over the week.
    pub mttr_days_median: Option<f64>,
    /// Median days to fix over the last 28 days.
    #[serde(default)]
    pub mttr_days_median_28d: Option<f64>,
    /// Pace and projection.
    pub forecast: Forecast,
    /// Repository lists.
    pub repos: Repos,
    /// At-risk alerts.
    pub at_risk: AtRisk,
    /// Open alerts by owner (docs/owners.md).
    #[serde(default)]
    pub owners: Owners,
    /// Dismissals of secrets GitHub still calls valid: risks someone accepted.
    #[serde(default)]
    pub risk_acceptances: RiskAcceptances,
    /// The linked GitHub campaign.
    pub github_campaign: Option<GithubCampaign>,
    /// The campaign's open alerts that an escalation rule sent (docs/playbooks.md, "Escalation"), escalated longest
    /// ago first.
    #[serde(default)]
    pub escalated: Vec<crate::escalation::Escalated>,
    /// Earlier snapshots.
    pub history: HistoryView,
}

impl Summary {
    /// Assembles the document.
    pub fn new(
        campaign: CampaignInfo,
        metrics: Metrics,
        github_campaign: Option<GithubCampaign>,
        history: HistoryView,
    ) -> Summary {
        Summary {
            schema: SCHEMA.to_string(),
            campaign,
            as_of: metrics.as_of,
            window: metrics.window,
            totals: metrics.totals,
            resolved_this_week_by_resolution: metrics.resolved_this_week_by_resolution,
            open_by_validity: metrics.open_by_validity,
            open_flags: metrics.open_flags,
            open_by_secret_type: metrics.open_by_secret_type,
            open_by_playbook: metrics.open_by_playbook,
            closed_by_resolution: metrics.closed_by_resolution,
            mttr_days_median: metrics.mttr_days_median,
            mttr_days_median_28d: metrics.mttr_days_median_28d,
            forecast: metrics.forecast,
            repos: metrics.repos,
            at_risk: metrics.at_risk,
            owners: metrics.owners,
            risk_acceptances: metrics.risk_acceptances,
            github_campaign,
            escalated: Vec::new(),
            history,
        }
    }
}
