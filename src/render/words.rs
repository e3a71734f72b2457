//! The verdict and the numbers for people: one place builds the verdict sentence, the
//! decisions and their reasons, names resolutions as GitHub spells them, and rounds rates and
//! days as people read them, so every channel says the same thing in the same words.

use crate::metrics::{AtRiskAlert, Details, Reason, Status, StatusReason};
use crate::model::OwnerSource;
use crate::model::owner_label;
use crate::summary::Summary;
use serde::Serialize;

/// The verdict in words: one sentence with the reasons, and what needs a decision.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Verdict {
    /// `At risk: 3 working secrets leaked in public past SLA; the backlog grew by 2 a week`.
    pub headline: String,
    /// The status and, when it changed, what it was: `At risk — was On track last week`.
    pub label: String,
    /// `was On track last week`, when the verdict changed since the previous report.
    pub change: Option<String>,
    /// Why the projection is rough, when it rests on few changes: `a rough projection from
    /// only 3 fixes and 2 new alerts in 4 weeks`.
    pub rough: Option<String>,
    /// The reasons alone, each a phrase.
    pub reasons: Vec<String>,
    /// What someone has to decide or do, each a short imperative; empty when on track or done.
    pub decisions: Vec<String>,
}

/// The pace numbers, rounded for people.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Pace {
    /// Closures a week over the last 4 weeks (fixes, dismissals included): `1.5`.
    pub fixes: String,
    /// New alerts a week over the last 4 weeks (unknown in snapshots of version 1).
    pub new: Option<String>,
    /// The backlog's change a week over the last 4 weeks (new − closed), signed as every
    /// change of the backlog is: `−0.5` (shrinking), `+1` (growing).
    pub net: Option<String>,
    /// Net closures a week needed to finish on time.
    pub needed: Option<String>,
    /// Open alerts expected on the due date at this pace.
    pub expected_open_at_due: Option<u64>,
    /// Median time to fix this week: `1.2 days`.
    pub mttr: Option<String>,
    /// Median time to fix over 4 weeks.
    pub mttr_28d: Option<String>,
}

/// Where an owner was found, in words.
pub fn source_words(s: OwnerSource) -> &'static str {
    match s {
        OwnerSource::Assignee => "assignee",
        OwnerSource::Committer => "committer",
        OwnerSource::Bypasser => "pushed past push protection",
        OwnerSource::Codeowners => "CODEOWNERS",
        OwnerSource::Teams => "team of the repository",
    }
}

pub(super) fn reason_words(r: Reason) -> &'static str {
    match r {
        Reason::Active => "still valid",
        Reason::PubliclyLeaked => "publicly leaked",
        Reason::PastSla => "past SLA",
    }
}

/// The reporting week `[start, end)` for people: `week to 2026-11-23 (Nov 16–22)`, the days
/// in brackets being the first and the last day it covers.
pub fn week_words(
    start: chrono::DateTime<chrono::Utc>,
    end: chrono::DateTime<chrono::Utc>,
) -> String {
    use chrono::Datelike;
    let first = start.date_naive();
    let last = (end - chrono::Duration::seconds(1)).date_naive().max(first);
    let days = if first.year() != last.year() {
        format!(
            "{}–{}",
            first.format("%b %-d, %Y"),
            last.format("%b %-d, %Y")
        )
    } else if first.month() != last.month() {
        format!("{}–{}", first.format("%b %-d"), last.format("%b %-d"))
    } else {
        format!("{}–{}", first.format("%b %-d"), last.format("%-d"))
    };
    format!("week to {} ({days})", end.date_naive())
}

/// "6 alerts fixed since they joined still count, though they no longer match
/// `validity:active`", when alerts are kept.
pub(super) fn kept_words(s: &Summary, kept: &crate::metrics::Kept) -> Option<String> {
    let n = s.totals.kept.filter(|n| *n > 0)?;
    let terms = if kept.terms.is_empty() {
        "the filter".to_string()
    } else {
        kept.terms
            .iter()
            .map(|t| format!("“{t}”"))
            .collect::<Vec<_>>()
            .join(" or ")
    };
    let mut parts = Vec::new();
    if kept.closed > 0 {
        let what = if kept.fixed == kept.closed {
            plural(kept.closed, "alert fixed", "alerts fixed")
        } else if kept.fixed == 0 {
            plural(kept.closed, "alert closed", "alerts closed")
        } else {
            format!(
                "{} ({} fixed, {} dismissed)",
                plural(kept.closed, "alert closed", "alerts closed"),
                kept.fixed,
                kept.closed - kept.fixed
            )
        };
        parts.push(format!("{what} since they joined"));
    }
    if kept.open > 0 {
        parts.push(format!(
            "{} that an earlier run counted",
            plural(kept.open, "open alert", "open alerts")
        ));
    }
    if parts.is_empty() {
        // a re-rendered snapshot: the count without the detail
        return Some(format!(
            "{} still count, though they no longer match {terms}: a campaign keeps the alerts it took on.",
            plural(n, "alert", "alerts")
        ));
    }
    let verb = if n == 1 { "counts" } else { "count" };
    Some(format!(
        "{} still {verb}, though {} no longer match {terms}: a campaign keeps the alerts it took on (fixing a secret turns it inactive; assigning an alert fills its assignee).",
        parts.join(" and "),
        if n == 1 { "it" } else { "they" }
    ))
}

/// An emoji for a status.
pub fn status_icon(status: Status) -> &'static str {
    match status {
        Status::Done => "✅",
        Status::OnTrack => "🟢",
        Status::AtRisk => "🟠",
        Status::Overdue => "🔴",
    }
}

/// Resolutions as GitHub's alert page spells them.
pub fn resolution_label(key: &str) -> String {
    match key {
        "revoked" => "Revoked".into(),
        "false_positive" => "False positive".into(),
        "wont_fix" => "Won't fix".into(),
        "used_in_tests" => "Used in tests".into(),
        "pattern_edited" => "Pattern edited".into(),
        "pattern_deleted" => "Pattern deleted".into(),
        "unknown" => "Unknown".into(),
        other => {
            let words = other.replace('_', " ");
            let mut c = words.chars();
            match c.next() {
                Some(first) => first.to_uppercase().chain(c).collect(),
                None => words,
            }
        }
    }
}

/// A rate for people: two significant digits below 10 (`0.25`, `1.8`), whole numbers from
/// 10 up, `2` rather than `2.0`, and a real minus sign.
pub fn people_rate(x: f64) -> String {
    let decimals = match x.abs() {
        a if a >= 9.95 => 0,
        a if a >= 0.995 => 1,
        _ => 2,
    };
    // half away from zero, as people round (format! rounds 4.25 to 4.2)
    let scale = 10f64.powi(decimals as i32);
    let text = format!("{:.*}", decimals, (x.abs() * scale).round() / scale);
    let text = if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    };
    if x < 0.0 && text != "0" {
        format!("−{text}")
    } else {
        text
    }
}

/// A signed rate for people: `+0.5`, `−1`, `0`.
pub fn people_signed_rate(x: f64) -> String {
    let r = people_rate(x);
    if r != "0" && !r.starts_with('−') {
        format!("+{r}")
    } else {
        r
    }
}

/// Days for people: whole from ten up, else one decimal; `1 day`.
pub fn people_days(days: f64) -> String {
    let decimals = if days >= 9.95 { 0 } else { 1 };
    let scale = 10f64.powi(decimals as i32);
    let n = format!("{:.decimals$}", (days * scale).round() / scale);
    let n = if n.contains('.') {
        n.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        n
    };
    format!("{n} day{}", if n == "1" { "" } else { "s" })
}

pub(super) fn days_words(days: i64) -> String {
    format!("{days} day{}", if days == 1 { "" } else { "s" })
}

pub(super) fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

pub(super) fn pace(s: &Summary) -> Pace {
    let f = &s.forecast;
    Pace {
        fixes: people_rate(f.burn_rate_per_week),
        new: f.inflow_rate_per_week.map(people_rate),
        net: f.net_burn_rate_per_week.map(|n| people_signed_rate(-n)),
        needed: f
            .required_rate_per_week
            .filter(|_| s.totals.open > 0)
            .map(people_rate),
        expected_open_at_due: f.expected_open_at_due.filter(|_| s.totals.open > 0),
        mttr: s.mttr_days_median.map(people_days),
        mttr_28d: s.mttr_days_median_28d.map(people_days),
    }
}

/// A projection resting on fewer changes than this (fixes plus new alerts in 28 days) is
/// called rough: two fixes more or less would move it by weeks.
pub const ROUGH_BELOW_CHANGES: u64 = 8;

/// How many critical alerts a decision names; the rest are counted.
const NAMED_CRITICAL: usize = 3;

/// The 28-day counts a forecast rests on: fixes and new alerts (null: a v1 snapshot).
fn changes_28d(f: &crate::metrics::Forecast) -> (u64, Option<u64>) {
    // the rates are counts over 4 weeks divided by 4: exact in two decimals
    let count = |rate: f64| (rate * 4.0).round().max(0.0) as u64;
    (
        count(f.burn_rate_per_week),
        f.inflow_rate_per_week.map(count),
    )
}

/// "a rough projection from 3 fixes and 2 new alerts in 4 weeks", when it is one.
fn rough_basis(f: &crate::metrics::Forecast) -> Option<String> {
    let (fixes, new) = changes_28d(f);
    let new = new?;
    (fixes + new < ROUGH_BELOW_CHANGES).then(|| {
        format!(
            "a rough projection from only {} and {} in 4 weeks",
            plural(fixes, "fix", "fixes"),
            plural(new, "new alert", "new alerts")
        )
    })
}

/// "at risk — was on track last week", when the verdict changed since the previous report.
fn verdict_change(s: &Summary) -> Option<String> {
    let was = s.forecast.previous_status?;
    if was == s.forecast.status {
        return None;
    }
    let when = match s.history.previous {
        Some(p) if (s.as_of - p.as_of).num_days() <= 8 => "last week".to_string(),
        Some(p) => format!("on {}", p.as_of.date_naive()),
        None => "last time".to_string(),
    };
    Some(format!("was {} {when}", was.label()))
}

/// An alert named in a decision: `acme/web #12 (@ada, exposed 45 days, escalated 3 days ago)`.
fn named_alert(a: &AtRiskAlert, escalated: &[crate::escalation::Escalated]) -> String {
    let who = a
        .owner
        .as_deref()
        .map(owner_label)
        .or_else(|| a.assignee.as_ref().map(|l| format!("@{l}")));
    let mut parts = vec![
        who.unwrap_or_else(|| "no owner".into()),
        format!("exposed {}", days_words(a.age_days)),
    ];
    if let Some(e) = escalated
        .iter()
        .find(|e| e.repo == a.repo && e.number == a.number)
    {
        parts.push(match e.days_since {
            0 => "escalated today".into(),
            d => format!("escalated {} ago", days_words(d)),
        });
    }
    format!("{} #{} ({})", a.repo, a.number, parts.join(", "))
}

/// `acme/web #12 (@ada), acme/api #3 (no owner)`: a small backlog, alert by alert.
fn named_few(few: &[AtRiskAlert]) -> String {
    few.iter()
        .map(|a| {
            let who = a
                .owner
                .as_deref()
                .map(owner_label)
                .or_else(|| a.assignee.as_ref().map(|l| format!("@{l}")))
                .unwrap_or_else(|| "no owner".into());
            format!("{} #{} ({who})", a.repo, a.number)
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The verdict of a campaign in words. `details` (what the report knows beyond summary.json:
/// every at-risk alert, a small backlog's alerts) lets the decisions name alerts; without it
/// they name what summary.json lists.
pub fn verdict(s: &Summary, details: Option<&Details>) -> Verdict {
    let f = &s.forecast;
    let open = s.totals.open;
    let due = s.campaign.due_on;
    let rough = rough_basis(f).filter(|_| open > 0);
    let few: &[AtRiskAlert] = details
        .map(|d| d.few_open.as_slice())
        .filter(|few| !few.is_empty() && few.len() as u64 == open)
        .unwrap_or(&[]);
    let mut reasons = Vec::new();
    let mut decisions = Vec::new();
    // the most specific reason decides first: critical alerts, named
    if f.status_reasons.contains(&StatusReason::CriticalAlerts) {
        let n = s.at_risk.critical_count;
        reasons.push(format!(
            "{} leaked in public past SLA",
            plural(n, "working secret", "working secrets")
        ));
        let all = details
            .and_then(|d| d.at_risk.as_deref())
            .unwrap_or(&s.at_risk.top);
        let critical: Vec<&AtRiskAlert> = all.iter().filter(|a| a.is_critical()).collect();
        let named: Vec<String> = critical
            .iter()
            .take(NAMED_CRITICAL)
            .map(|a| named_alert(a, &s.escalated))
            .collect();
        let rest = n.saturating_sub(named.len() as u64);
        decisions.push(if named.is_empty() {
            format!(
                "revoke {} now",
                plural(n, "critical secret", "critical secrets")
            )
        } else {
            format!(
                "revoke now: {}{}",
                named.join("; "),
                if rest > 0 {
                    format!("; and {rest} more")
                } else {
                    String::new()
                }
            )
        });
    }
    if f.status == Status::Overdue
        && let (Some(d), Some(days)) = (due, f.days_to_due)
    {
        reasons.push(format!(
            "due {d}, {} ago, with {} still open",
            days_words(-days),
            plural(open, "alert", "alerts")
        ));
        decisions.push(if !few.is_empty() {
            format!(
                "close the last {}: {}",
                plural(open, "alert", "alerts"),
                named_few(few)
            )
        } else {
            match f.projected_completion {
                Some(p) => format!("set a new due date (at this pace: {p}) or add people"),
                None => "set a new due date and add people: the backlog is not shrinking".into(),
            }
        });
    }
    for r in &f.status_reasons {
        match r {
            StatusReason::CriticalAlerts => {}
            StatusReason::ProjectedAfterDue => {
                let (Some(p), Some(d)) = (f.projected_completion, due) else {
                    continue;
                };
                let late = (p - d).num_days();
                reasons.push(match &rough {
                    Some(basis) => format!(
                        "at this pace the last alert would close around {p}, {} after the due date ({basis})",
                        days_words(late)
                    ),
                    None => format!(
                        "at this pace the last alert closes on {p}, {} after the due date",
                        days_words(late)
                    ),
                });
                if f.status != Status::Overdue {
                    decisions.push(if !few.is_empty() {
                        format!(
                            "close the last {} by {d}: {}",
                            plural(open, "alert", "alerts"),
                            named_few(few)
                        )
                    } else {
                        match f.required_rate_per_week {
                            Some(needed) => format!(
                                "move the due date to {p}, or raise the net pace to {} closures a week (now {})",
                                people_rate(needed),
                                f.net_burn_rate_per_week
                                    .map_or_else(|| people_rate(f.burn_rate_per_week), people_rate)
                            ),
                            None => format!("move the due date to {p}"),
                        }
                    });
                }
            }
            StatusReason::NoNetProgress => {
                let net = f.net_burn_rate_per_week.unwrap_or(0.0);
                reasons.push(if f.burn_rate_per_week == 0.0 {
                    "nothing was closed in the last 4 weeks".into()
                } else if net < 0.0 {
                    format!("the backlog grew by {} a week", people_rate(-net))
                } else {
                    format!(
                        "new alerts arrive as fast as they are closed ({} a week)",
                        people_rate(f.burn_rate_per_week)
                    )
                });
                if f.status != Status::Overdue {
                    decisions.push(if !few.is_empty() {
                        format!(
                            "close the last {}: {}",
                            plural(open, "alert", "alerts"),
                            named_few(few)
                        )
                    } else if f.burn_rate_per_week == 0.0 {
                        "nobody is closing these alerts: name an owner for each and add people"
                            .into()
                    } else {
                        "new leaks arrive as fast as fixes: stop the inflow at its source (push protection, the repositories that leak most), and add people".into()
                    });
                }
            }
            StatusReason::KeepingPace => {
                reasons.push(format!(
                    "keeping pace: new alerts are fixed as fast as they come ({} a week), and the {} open would take {} at that pace",
                    people_rate(f.burn_rate_per_week),
                    open,
                    f.weeks_to_clear
                        .map_or_else(|| "about a week".to_string(), |w| {
                            if w < 1.0 { "under a week".to_string() } else { "a week".to_string() }
                        })
                ));
            }
        }
    }
    // the order of the decisions above follows the reasons' specificity; an overdue
    // campaign's decision comes before the pace's
    if reasons.is_empty() {
        reasons.push(match (f.status, f.projected_completion, due) {
            (Status::Done, _, _) if s.totals.total == 0 => "no alert matches this campaign".into(),
            (Status::Done, _, _) => "every alert is closed".into(),
            (_, Some(p), Some(d)) => {
                let early = (d - p).num_days();
                let when = if early == 0 {
                    "the due date".to_string()
                } else {
                    format!("{} before the due date", days_words(early))
                };
                match &rough {
                    Some(basis) => {
                        format!("on pace to close the last alert around {p}, {when} ({basis})")
                    }
                    None => format!("on pace to close the last alert on {p}, {when}"),
                }
            }
            (_, Some(p), None) => match &rough {
                Some(basis) => {
                    format!("on pace to close the last alert around {p}; no due date ({basis})")
                }
                None => format!("on pace to close the last alert on {p}; no due date"),
            },
            // a v1 snapshot re-rendered: its status without the reasons v2 records
            _ => "the reasons were not recorded by the version that took this snapshot".into(),
        });
    }
    let accepted = s.risk_acceptances.count;
    if accepted > 0 {
        reasons.push(format!(
            "{} dismissed without revoking ({})",
            plural(accepted, "working secret", "working secrets"),
            if accepted == 1 {
                "a risk accepted"
            } else {
                "risks accepted"
            }
        ));
    }
    let change = verdict_change(s);
    let label = match &change {
        Some(c) => format!("{} — {c}", f.status.label()),
        None => f.status.label().to_string(),
    };
    Verdict {
        headline: format!("{label}: {}", reasons.join("; ")),
        label,
        change,
        rough,
        reasons,
        decisions,
    }
}

/// GitHub's limit of alerts in one security campaign.
pub const GITHUB_CAMPAIGN_ALERTS: u64 = 1000;

/// GitHub's limit of active security campaigns in an organization.
pub const GITHUB_ACTIVE_CAMPAIGNS: u64 = 10;

/// A campaign whose scope passes GitHub's 1,000-alert campaign limit cannot be tracked as
/// one GitHub campaign.
pub(super) fn campaign_limit_note(s: &Summary) -> Option<String> {
    (s.totals.total > GITHUB_CAMPAIGN_ALERTS).then(|| {
        format!(
            "This campaign's scope holds {} alerts, more than the {} a GitHub security campaign can hold: to track it in GitHub, split it into campaigns of at most {} alerts (by repository, secret type or validity; `campaign-pulse preview --filter \"…\"` counts a filter).",
            s.totals.total, GITHUB_CAMPAIGN_ALERTS, GITHUB_CAMPAIGN_ALERTS
        )
    })
}

/// Why GitHub's own counts of the linked campaign differ from the report's, from the data:
/// what `starts_on` left out, what was found after the GitHub campaign was created, what no
/// longer matches the filter.
pub(super) fn github_counts_note(s: &Summary, details: &Details) -> Option<String> {
    let campaign = s.github_campaign.as_ref()?;
    let stats = campaign.alert_stats?;
    let theirs_open = stats.open_count + stats.in_progress_count;
    let (ours_open, ours_closed) = (s.totals.open, s.totals.closed);
    if (theirs_open, stats.closed_count) == (ours_open, ours_closed) {
        return None;
    }
    let theirs_total = theirs_open + stats.closed_count;
    let mut why = Vec::new();
    if let Some(n) = details.new_since_github_campaign.filter(|n| *n > 0)
        && let Some(created) = campaign.created_at
        && s.totals.total > theirs_total
    {
        why.push(format!(
            "{} found after the GitHub campaign was created ({}) {} counted here, while GitHub's campaign holds the alerts attached to it",
            plural(n, "alert", "alerts"),
            created.date_naive(),
            if n == 1 { "is" } else { "are" }
        ));
    }
    if details.closed_before_start > 0
        && stats.closed_count > ours_closed
        && let Some(start) = s.campaign.starts_on
    {
        let n = details.closed_before_start;
        why.push(format!(
            "{} closed before this campaign's start ({start}) {} left out here",
            plural(n, "alert", "alerts"),
            if n == 1 { "is" } else { "are" }
        ));
    }
    let diff = |ours: u64, theirs: u64| -> String {
        match ours.cmp(&theirs) {
            std::cmp::Ordering::Greater => format!("{} more", ours - theirs),
            std::cmp::Ordering::Less => format!("{} fewer", theirs - ours),
            std::cmp::Ordering::Equal => "the same".into(),
        }
    };
    let mut text = format!(
        "GitHub's campaign page counts {theirs_open} open and {} closed; this report counts {ours_open} open ({}) and {ours_closed} closed ({}).",
        stats.closed_count,
        diff(ours_open, theirs_open),
        diff(ours_closed, stats.closed_count),
    );
    if why.is_empty() {
        text.push_str(" The GitHub campaign's alerts were chosen when it was created, perhaps with another filter: compare its alerts in GitHub with this campaign's filter.");
    } else {
        text.push_str(&format!(" Of the difference: {}.", why.join("; ")));
    }
    Some(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    #[test]
    fn rates_and_days_for_people() {
        assert_eq!(people_rate(1.84), "1.8");
        assert_eq!(people_rate(4.25), "4.3", "half up, as people round");
        assert_eq!(people_rate(4.75), "4.8");
        assert_eq!(people_rate(2.0), "2");
        assert_eq!(people_rate(0.25), "0.25");
        assert_eq!(people_rate(0.5), "0.5");
        assert_eq!(people_rate(0.0), "0");
        assert_eq!(people_rate(-1.0), "−1");
        assert_eq!(people_rate(-0.25), "−0.25");
        assert_eq!(people_rate(12.34), "12");
        assert_eq!(people_rate(0.004), "0");
        assert_eq!(people_rate(-0.001), "0");
        assert_eq!(people_signed_rate(0.5), "+0.5");
        assert_eq!(people_signed_rate(-0.5), "−0.5");
        assert_eq!(people_signed_rate(0.0), "0");
        assert_eq!(people_days(82.96), "83 days");
        assert_eq!(people_days(1.16), "1.2 days");
        assert_eq!(people_days(1.0), "1 day");
        assert_eq!(people_days(0.04), "0 days");
    }

    #[test]
    fn resolutions_as_github_spells_them() {
        assert_eq!(resolution_label("wont_fix"), "Won't fix");
        assert_eq!(resolution_label("false_positive"), "False positive");
        assert_eq!(resolution_label("brand_new_reason"), "Brand new reason");
    }

    /// A campaign's summary and details from alerts, at 2026-11-23.
    fn computed(alerts: &[crate::model::Alert], due: Option<NaiveDate>) -> (Summary, Details) {
        use crate::metrics::{Campaign, CampaignInfo};
        let t = chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2026, 11, 23, 0, 0, 0).unwrap();
        let campaign = Campaign {
            info: CampaignInfo {
                id: "c".into(),
                name: "C".into(),
                filter: String::new(),
                starts_on: None,
                due_on: due,
                github_campaign: None,
            },
            filter: crate::filter::Filter::default(),
            sla_days: 30,
            members: Default::default(),
        };
        let mut m = crate::metrics::compute(
            alerts,
            &campaign,
            t,
            &crate::config::RiskSettings::default(),
        );
        let details = std::mem::take(&mut m.details);
        let summary = Summary::new(campaign.info, m, None, Default::default());
        (summary, details)
    }

    /// A backlog of three or fewer is answered by naming it, never with "add people"; a
    /// projection on few changes is called rough; a changed verdict says what it was.
    #[test]
    fn decisions_name_small_backlogs_and_rough_projections_say_so() {
        use crate::model::{Alert, testkit};
        let t = chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2026, 11, 23, 0, 0, 0).unwrap();
        // two open alerts, nothing fixed in four weeks: no net progress
        let alerts = vec![
            Alert {
                assigned_to: testkit::user("ada"),
                ..testkit::alert("acme/web", 3, t - chrono::Duration::days(40))
            },
            testkit::alert("acme/api", 9, t - chrono::Duration::days(42)),
        ];
        let (mut s, details) = computed(&alerts, None);
        assert_eq!(s.forecast.status_reasons, [StatusReason::NoNetProgress]);
        let v = verdict(&s, Some(&details));
        assert_eq!(
            v.decisions,
            ["close the last 2 alerts: acme/api #9 (no owner), acme/web #3 (@ada)"]
        );
        assert!(!v.decisions.join(" ").contains("add people"));
        // re-rendered from the history, without the alerts: the general advice
        let general = verdict(&s, None);
        assert!(
            general.decisions[0].contains("name an owner"),
            "{general:?}"
        );

        s.forecast.previous_status = Some(Status::OnTrack);
        let v = verdict(&s, Some(&details));
        assert_eq!(v.label, "At risk — was On track last time");
        assert!(
            v.headline.starts_with("At risk — was On track last time: "),
            "{v:?}"
        );

        // on track on 3 fixes and 1 new alert in 4 weeks: rough, and said to be
        let mut alerts = alerts;
        for n in 0..3 {
            alerts.push(testkit::resolved(
                testkit::alert("acme/web", 20 + n, t - chrono::Duration::days(40)),
                t - chrono::Duration::days(2 + n as i64),
                "revoked",
            ));
        }
        alerts.push(testkit::alert(
            "acme/web",
            30,
            t - chrono::Duration::days(1),
        ));
        let due = NaiveDate::from_ymd_opt(2027, 6, 30);
        let (s, details) = computed(&alerts, due);
        assert_eq!(s.forecast.status, Status::OnTrack);
        let v = verdict(&s, Some(&details));
        assert_eq!(
            v.rough.as_deref(),
            Some("a rough projection from only 3 fixes and 1 new alert in 4 weeks")
        );
        assert!(
            v.reasons[0].starts_with("on pace to close the last alert around 2027-01-04"),
            "{v:?}"
        );
        assert!(
            v.reasons[0]
                .ends_with("(a rough projection from only 3 fixes and 1 new alert in 4 weeks)")
        );
    }

    #[test]
    fn the_week_is_named_one_way() {
        let at =
            |y, m, d| chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, y, m, d, 0, 0, 0).unwrap();
        assert_eq!(
            week_words(at(2026, 11, 16), at(2026, 11, 23)),
            "week to 2026-11-23 (Nov 16–22)"
        );
        assert_eq!(
            week_words(at(2026, 10, 28), at(2026, 11, 4)),
            "week to 2026-11-04 (Oct 28–Nov 3)"
        );
        assert_eq!(
            week_words(at(2026, 12, 29), at(2027, 1, 5)),
            "week to 2027-01-05 (Dec 29, 2026–Jan 4, 2027)"
        );
    }
}
