//! The weekly digest every channel delivers: the campaigns' reports, most urgent first, and
//! the part of it a channel limited to some owners gets.

use crate::metrics::Status;
use crate::render::ReportView;
use crate::summary::Summary;
use chrono::NaiveDate;

/// One campaign's rendered report, as channels need it.
#[derive(Debug, Clone)]
pub struct CampaignReport {
    /// The numbers.
    pub summary: Summary,
    /// Derived values for templates.
    pub view: ReportView,
    /// The burndown as the email shows it (`charts::burndown_email`).
    pub burndown: Vec<u8>,
    /// Set when the message is limited to some owners: their open alerts in this campaign.
    pub scoped: Option<ScopedTotals>,
}

/// Some owners' open alerts in a campaign, for a channel limited to them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScopedTotals {
    /// The owners, as the configuration names them.
    pub owners: Vec<String>,
    /// Their open alerts.
    pub open: u64,
    /// Of them, at risk.
    pub at_risk: u64,
    /// Of them, critical.
    pub critical: u64,
    /// The oldest one's age in days.
    pub oldest_age_days: i64,
}

/// Whether an owner name matches one of a channel's owners (`@ada` and `ada` alike; case
/// does not matter on GitHub).
fn owned_by(name: &str, owners: &[String]) -> bool {
    owners.iter().any(|o| {
        o.trim_start_matches('@')
            .eq_ignore_ascii_case(name.trim_start_matches('@'))
    })
}

/// Everything a run delivers: the week's reports of every campaign.
#[derive(Debug, Clone)]
pub struct Digest {
    /// Date of T.
    pub as_of: NaiveDate,
    /// Reports, most urgent first (overdue, at risk, on track, done), then in configuration
    /// order.
    pub reports: Vec<CampaignReport>,
    /// Where people can read the reports (`output.report_url`).
    pub report_url: Option<String>,
    /// What the digest lacks, in words: the organizations of a roll-up that could not be
    /// read (`globex could not be read: …`).
    pub unread: Vec<String>,
}

/// Subjects stay under this many characters, so the verdict shows in every inbox.
pub const MAX_SUBJECT: usize = 70;

impl Digest {
    /// The digest of a run's reports, ordered most urgent first.
    pub fn new(
        as_of: NaiveDate,
        mut reports: Vec<CampaignReport>,
        report_url: Option<String>,
    ) -> Digest {
        reports.sort_by_key(|r| r.summary.forecast.status.severity());
        Digest {
            as_of,
            reports,
            report_url,
            unread: Vec::new(),
        }
    }

    /// The verdict first, under [`MAX_SUBJECT`] characters:
    /// `1 overdue, 2 at risk — secret remediation, week to 2026-11-23`. Counts of calmer
    /// statuses are left out when they would not fit.
    pub fn subject(&self) -> String {
        let tail = format!(" — secret remediation, week to {}", self.as_of);
        let mut head = String::new();
        for part in self.status_parts() {
            let next = if head.is_empty() {
                part
            } else {
                format!("{head}, {part}")
            };
            if !head.is_empty() && next.chars().count() + tail.chars().count() >= MAX_SUBJECT {
                break;
            }
            head = next;
        }
        if head.is_empty() {
            head = "No campaigns".into();
        }
        format!("{head}{tail}")
    }

    /// The reporting week, named as the reports name it: `week to 2026-11-23 (Nov 16–22)`.
    pub fn week(&self) -> String {
        match self.reports.first() {
            Some(r) => crate::render::week_words(r.summary.window.start, r.summary.window.end),
            None => format!("week to {}", self.as_of),
        }
    }

    /// `1 overdue, 2 at risk, 1 on track, 1 done`, most urgent first.
    pub fn status_counts(&self) -> String {
        let parts = self.status_parts();
        if parts.is_empty() {
            "no campaigns".into()
        } else {
            parts.join(", ")
        }
    }

    fn status_parts(&self) -> Vec<String> {
        let order = [
            (Status::Overdue, "overdue"),
            (Status::AtRisk, "at risk"),
            (Status::OnTrack, "on track"),
            (Status::Done, "done"),
        ];
        order
            .iter()
            .filter_map(|(status, words)| {
                let n = self
                    .reports
                    .iter()
                    .filter(|r| r.summary.forecast.status == *status)
                    .count();
                (n > 0).then(|| format!("{n} {words}"))
            })
            .collect()
    }

    /// The digest for a channel limited to some owners: each campaign with only their at-risk
    /// alerts and their counts (campaigns where they own nothing open are left out).
    pub fn scoped(&self, owners: &[String]) -> Digest {
        let mut out = self.clone();
        out.reports.retain_mut(|r| {
            let mine: Vec<_> = r
                .summary
                .owners
                .list
                .iter()
                .filter(|o| owned_by(&o.owner, owners))
                .cloned()
                .collect();
            r.scoped = Some(ScopedTotals {
                owners: owners.to_vec(),
                open: mine.iter().map(|o| o.open).sum(),
                at_risk: mine.iter().map(|o| o.at_risk).sum(),
                critical: mine.iter().map(|o| o.critical).sum(),
                oldest_age_days: mine.iter().map(|o| o.oldest_age_days).max().unwrap_or(0),
            });
            r.summary.owners.list = mine;
            r.summary
                .escalated
                .retain(|e| e.owner.as_deref().is_some_and(|o| owned_by(o, owners)));
            r.summary.owners.unowned = Default::default();
            r.view
                .at_risk
                .retain(|a| a.owner_name.as_deref().is_some_and(|n| owned_by(n, owners)));
            r.summary.at_risk.count = r.view.at_risk.len() as u64;
            r.summary.at_risk.critical_count =
                r.view.at_risk.iter().filter(|a| a.critical).count() as u64;
            r.scoped.as_ref().is_some_and(|t| t.open > 0)
        });
        out
    }

    /// Ids of the campaigns covered.
    pub fn campaign_ids(&self) -> Vec<String> {
        self.reports
            .iter()
            .map(|r| r.summary.campaign.id.clone())
            .collect()
    }
}
