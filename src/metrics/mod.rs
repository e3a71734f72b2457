//! The numbers of every report, as pure functions of the alerts, the campaign and the
//! as-of instant. Nothing here touches the network, the disk or the clock.

use crate::config::RiskSettings;
use crate::filter::Filter;
use crate::membership::Members;
use crate::model::{Alert, Validity};
use crate::model::{OwnerKind, Ownership};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use crate::time::midnight;

mod forecast;
mod numbers;
mod scope;

pub use forecast::{KEEPING_PACE_WEEKS, Pace, forecast};
pub use numbers::*;
use scope::Risk;
pub use scope::Scope;

/// A campaign resolved for one run: the configured settings plus GitHub's fallbacks.
#[derive(Debug, Clone)]
pub struct Campaign {
    /// What `summary.json` shows under `campaign`.
    pub info: CampaignInfo,
    /// The parsed filter.
    pub filter: Filter,
    /// Age in days after which an open alert is past its SLA.
    pub sla_days: u32,
    /// The alerts earlier runs recorded as members (see [`crate::membership`]).
    pub members: Members,
}

impl Campaign {
    /// Whether the alert is one of the campaign's members, whatever the instant: an open
    /// alert matching the whole filter, a resolved one matching its stable terms, or one an
    /// earlier run recorded (see [`crate::membership`]).
    pub fn is_member(&self, alert: &Alert) -> bool {
        (if alert.is_resolved() {
            self.filter.matches_stable(alert)
        } else {
            self.filter.matches_campaign(alert)
        }) || self
            .members
            .contains(&alert.repository.full_name, alert.number)
    }
}

/// The campaign as shown in `summary.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CampaignInfo {
    /// Stable key.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Filter as written in the config.
    pub filter: String,
    /// First day of the campaign.
    pub starts_on: Option<NaiveDate>,
    /// Due date (configured, else the GitHub campaign's end).
    pub due_on: Option<NaiveDate>,
    /// Number of the GitHub security campaign, if linked.
    pub github_campaign: Option<u64>,
}

/// Whether an alert belongs to the campaign at T: the filter, the membership record, the campaign's dates (README, "The numbers").
pub fn in_scope(alert: &Alert, campaign: &Campaign, as_of: DateTime<Utc>) -> bool {
    alert.created_at <= as_of
        && match (alert.resolved_at, campaign.info.starts_on) {
            (Some(resolved), Some(start)) => resolved >= midnight(start),
            _ => true,
        }
        && campaign.is_member(alert)
}

/// `num / den` rounded half-up to `decimals` decimals, in exact integer arithmetic so that
/// 1.005 becomes 1.01 (a binary float would hold 1.00499… and round down).
fn ratio(num: i128, den: i128, decimals: u32) -> f64 {
    if den == 0 {
        return 0.0;
    }
    let scale = 10i128.pow(decimals);
    let (num, den) = if den < 0 { (-num, -den) } else { (num, den) };
    let scaled = num * scale;
    let half_up = if scaled >= 0 {
        (2 * scaled + den) / (2 * den)
    } else {
        -((-2 * scaled + den) / (2 * den))
    };
    half_up as f64 / scale as f64
}

fn in_window(t: Option<DateTime<Utc>>, start: DateTime<Utc>, end: DateTime<Utc>) -> bool {
    t.is_some_and(|t| start <= t && t < end)
}

/// Computes every §5 number of `campaign` at `as_of` from the organization's alerts.
pub fn compute(
    alerts: &[Alert],
    campaign: &Campaign,
    as_of: DateTime<Utc>,
    risk: &RiskSettings,
) -> Metrics {
    Scope::new(alerts, campaign).metrics(as_of, risk)
}

/// The report's repository lists from every repository's numbers (README, "The numbers").
pub fn repo_lists(all: &[RepoStats], as_of: DateTime<Utc>, risk: &RiskSettings) -> Repos {
    let stale_before = as_of
        .checked_sub_signed(Duration::days(i64::from(risk.stale_after_days)))
        .unwrap_or(DateTime::<Utc>::MIN_UTC);
    let mut with_open: Vec<&RepoStats> = all.iter().filter(|r| r.open > 0).collect();
    with_open.sort_by(|a, b| b.open.cmp(&a.open).then_with(|| a.repo.cmp(&b.repo)));
    let mut cleared: Vec<String> = all
        .iter()
        .filter(|r| r.open_week_ago > 0 && r.open == 0)
        .map(|r| r.repo.clone())
        .collect();
    cleared.sort();
    Repos {
        top: with_open
            .iter()
            .take(risk.top_repos)
            .map(|r| (*r).clone())
            .collect(),
        stalled: with_open
            .iter()
            .filter(|r| r.last_resolved_at.is_none_or(|t| t < stale_before))
            .map(|r| (*r).clone())
            .collect(),
        cleared_this_week: cleared,
    }
}

fn at_risk_entry(a: &Alert, risk: Risk, as_of: DateTime<Utc>) -> AtRiskAlert {
    let reasons = [
        (risk.active, Reason::Active),
        (risk.public, Reason::PubliclyLeaked),
        (risk.past_sla, Reason::PastSla),
    ]
    .into_iter()
    .filter_map(|(on, r)| on.then_some(r))
    .collect();
    let age_days = (as_of - a.created_at).num_days();
    let score = risk.score;
    AtRiskAlert {
        repo: a.repository.full_name.clone(),
        number: a.number,
        secret_type: a.secret_type.clone(),
        secret_type_display_name: a.display_name().to_string(),
        age_days,
        reasons,
        score,
        assignee: a.assignee().map(str::to_string),
        owner: a.owner.owner().map(|o| o.name.clone()),
        owner_source: a.owner.owner().map(|o| o.source),
        provider: a.provider_slug.clone().or_else(|| a.provider.clone()),
        playbook: (!a.playbook.is_empty()).then(|| a.playbook.clone()),
        html_url: html_url(a),
        multi_repo: risk.multi_repo,
        bypassed: risk.bypassed,
    }
}

/// The alert's page: GitHub's link, else the one github.com would have.
fn html_url(a: &Alert) -> String {
    a.html_url.clone().unwrap_or_else(|| {
        format!(
            "https://github.com/{}/security/secret-scanning/{}",
            a.repository.full_name, a.number
        )
    })
}

fn risk_acceptance(a: &Alert) -> Option<RiskAcceptance> {
    Some(RiskAcceptance {
        repo: a.repository.full_name.clone(),
        number: a.number,
        secret_type: a.secret_type.clone(),
        secret_type_display_name: a.display_name().to_string(),
        resolution: a.resolution.clone().unwrap_or_else(|| "unknown".into()),
        resolved_by: a.resolved_by.as_ref().map(|u| u.login.clone()),
        resolved_at: a.resolved_at?,
        html_url: html_url(a),
    })
}

/// Median of durations in milliseconds, in days rounded to 2 decimals.
fn median_days(ms: &mut [i64]) -> Option<f64> {
    if ms.is_empty() {
        return None;
    }
    ms.sort_unstable();
    let mid = ms.len() / 2;
    const DAY_MS: i128 = 86_400_000;
    Some(if ms.len().is_multiple_of(2) {
        ratio(i128::from(ms[mid - 1]) + i128::from(ms[mid]), 2 * DAY_MS, 2)
    } else {
        ratio(i128::from(ms[mid]), DAY_MS, 2)
    })
}

#[cfg(test)]
mod tests;
