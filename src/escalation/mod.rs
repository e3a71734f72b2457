//! Escalation: a working secret leaked in public should not wait for Monday's report. Every
//! run evaluates the configuration's rules over the organization's open alerts; each alert
//! newly matching a rule is due once on each of the rule's channels ([`due`]); the weekly
//! reports list the escalated alerts that are still open ([`still_open`]). What was sent is
//! recorded in [`records`]; the messages themselves are `render::alarm`'s.

pub mod records;

pub use records::{FirstEscalations, Record, Records};

use crate::config::EscalationRule;
use crate::model::owner_label;
use crate::model::{Alert, Validity};
use crate::site::Site;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// An alert a rule escalates in this run, with the channels it has not reached yet.
#[derive(Debug, Clone)]
pub struct Due<'a> {
    /// The rule.
    pub rule: &'a EscalationRule,
    /// The alert.
    pub alert: &'a Alert,
    /// Channel keys still to send it to.
    pub channels: Vec<String>,
}

/// The escalations due at T: every open alert matching a rule for at least its `after`, on the
/// rule's channels it has not been sent to. Rules in configuration order; alerts most
/// critical first, then oldest first.
pub fn due<'a>(
    rules: &'a [EscalationRule],
    alerts: &'a [Alert],
    as_of: DateTime<Utc>,
    records: &Records,
) -> Vec<Due<'a>> {
    let mut out = Vec::new();
    for rule in rules {
        let mut matching: Vec<&Alert> = alerts
            .iter()
            .filter(|a| {
                a.is_open_at(as_of)
                    && as_of - a.created_at >= rule.after
                    && rule.when.matches_campaign(a)
            })
            .collect();
        matching.sort_by(|a, b| {
            urgency(b)
                .cmp(&urgency(a))
                .then_with(|| a.created_at.cmp(&b.created_at))
                .then_with(|| a.repository.full_name.cmp(&b.repository.full_name))
                .then_with(|| a.number.cmp(&b.number))
        });
        for alert in matching {
            let channels: Vec<String> = rule
                .notify
                .iter()
                .filter(|c| {
                    !records.sent(
                        &rule.name,
                        &alert.repository.full_name,
                        alert.repository.id,
                        alert.number,
                        c,
                    )
                })
                .cloned()
                .collect();
            if !channels.is_empty() {
                out.push(Due {
                    rule,
                    alert,
                    channels,
                });
            }
        }
    }
    out
}

fn urgency(a: &Alert) -> u8 {
    u8::from(a.validity() == Validity::Active) + u8::from(a.publicly_leaked == Some(true))
}

/// An escalated alert still open, as the weekly reports list it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Escalated {
    /// `owner/name`.
    pub repo: String,
    /// Alert number.
    pub number: u64,
    /// The secret type's display name.
    pub secret: String,
    /// The first rule that escalated it.
    pub rule: String,
    /// When it was first escalated (T of that run).
    pub escalated_at: DateTime<Utc>,
    /// Whole days since.
    pub days_since: i64,
    /// The alert's page, made safe.
    #[serde(default)]
    pub url: Option<String>,
    /// The owner as shown, when known.
    #[serde(default)]
    pub owner: Option<String>,
    /// Its remediation playbook (`aws`), whose page is `OUT/playbooks/<id>.html`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub playbook: Option<String>,
    /// A link to that playbook that works anywhere (email, chat): its published page, else
    /// the provider's documentation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub playbook_url: Option<String>,
}

/// The escalated alerts still open at T among `alerts` (those `keep` accepts), escalated
/// longest ago first. `pending` are this run's new escalations, counted as escalated at T.
pub fn still_open(
    first: &FirstEscalations,
    alerts: &[Alert],
    keep: impl Fn(&Alert) -> bool,
    as_of: DateTime<Utc>,
    site: &Site,
    playbooks: &crate::playbooks::Catalogue,
) -> Vec<Escalated> {
    let mut out: Vec<Escalated> = alerts
        .iter()
        .filter(|a| a.is_open_at(as_of) && keep(a))
        .filter_map(|a| {
            let (at, rule) = first.of(a)?;
            Some(Escalated {
                repo: a.repository.full_name.clone(),
                number: a.number,
                secret: crate::text::clip_name(a.display_name()),
                rule: rule.clone(),
                escalated_at: *at,
                days_since: (as_of - *at).num_days(),
                url: site.alert_link(&a.repository.full_name, a.number, a.html_url.as_deref()),
                owner: a.owner.owner().map(|o| owner_label(&o.name)),
                playbook: playbooks.get(&a.playbook).map(|p| p.id.clone()),
                playbook_url: playbooks.get(&a.playbook).and_then(|p| {
                    site.playbook_url(&p.id)
                        .or_else(|| p.docs.first().map(|d| d.url.clone()))
                }),
            })
        })
        .collect();
    out.sort_by(|a, b| {
        a.escalated_at
            .cmp(&b.escalated_at)
            .then_with(|| a.repo.cmp(&b.repo))
            .then_with(|| a.number.cmp(&b.number))
    });
    out
}

/// The first escalations of the records with this run's due ones added at T.
pub fn with_due(records: &Records, due: &[Due<'_>], as_of: DateTime<Utc>) -> FirstEscalations {
    let mut first = records.first_escalations(as_of);
    for d in due {
        let repo = &d.alert.repository;
        first.note(
            &repo.full_name,
            repo.id,
            d.alert.number,
            as_of,
            &d.rule.name,
        );
    }
    first
}
