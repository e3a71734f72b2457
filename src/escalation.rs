//! Escalation (SPEC §12, the seed's step 6): a working secret leaked in public should not wait
//! for Monday's report. Every run evaluates the configuration's rules over the organization's
//! open alerts; each alert newly matching a rule is sent once to the rule's channels, with what
//! it is, where, how long it has been exposed, its owner, its playbook and the contacts.
//!
//! What was sent is recorded per rule, alert and channel in `escalations.jsonl` beside the
//! history (under the history's lock, so two runs at once cannot both send), and a channel
//! that failed is tried again by the next run. The weekly reports list the escalated alerts
//! that are still open.

use crate::config::EscalationRule;
use crate::error::Result;
use crate::model::owner_label;
use crate::model::{Alert, Validity};
use crate::playbooks::Catalogue;
use crate::render::view::{PlaybookRef, Site};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

/// Alerts listed in one escalation message; the rest are counted, with a link.
pub const SHOWN: usize = 20;

/// One escalation sent: a rule, an alert and a channel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    /// The rule's name.
    pub rule: String,
    /// `owner/name` of the alert's repository.
    pub repo: String,
    /// The alert's number.
    pub number: u64,
    /// The channel key (`email`, `slack:secops`, `teams:leadership`).
    pub channel: String,
    /// T of the run that sent it.
    pub as_of: DateTime<Utc>,
    /// When it was sent.
    pub sent_at: DateTime<Utc>,
}

/// The escalation records.
#[derive(Debug, Clone, Default)]
pub struct Records {
    records: Vec<Record>,
}

impl Records {
    /// Reads the records; a missing file is none, a malformed line an error naming it.
    pub fn load(path: &Path) -> Result<Records> {
        Ok(Records {
            records: crate::state::read_jsonl(path, "an escalation record")?,
        })
    }

    /// Writes the records atomically.
    pub fn save(&self, path: &Path) -> Result<()> {
        crate::state::write_jsonl(path, &self.records, "an escalation record")
    }

    /// Whether this rule already sent this alert to this channel.
    pub fn sent(&self, rule: &str, repo: &str, number: u64, channel: &str) -> bool {
        self.records
            .iter()
            .any(|r| r.rule == rule && r.number == number && r.repo == repo && r.channel == channel)
    }

    /// Adds records.
    pub fn extend(&mut self, records: impl IntoIterator<Item = Record>) {
        self.records.extend(records);
    }

    /// Every record.
    pub fn all(&self) -> &[Record] {
        &self.records
    }

    /// When each alert was first escalated at or before T, and by which rule:
    /// `(repo, number) → (as_of, rule)`.
    pub fn first_escalations(
        &self,
        as_of: DateTime<Utc>,
    ) -> BTreeMap<(String, u64), (DateTime<Utc>, String)> {
        let mut out: BTreeMap<(String, u64), (DateTime<Utc>, String)> = BTreeMap::new();
        for r in self.records.iter().filter(|r| r.as_of <= as_of) {
            let e = out
                .entry((r.repo.clone(), r.number))
                .or_insert((r.as_of, r.rule.clone()));
            if r.as_of < e.0 {
                *e = (r.as_of, r.rule.clone());
            }
        }
        out
    }
}

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
                .filter(|c| !records.sent(&rule.name, &alert.repository.full_name, alert.number, c))
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

/// One escalated alert as a message shows it. Text is unescaped: each channel escapes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Item {
    /// The rule's name.
    pub rule: String,
    /// The rule's filter.
    pub when: String,
    /// The rule's age threshold as written (`24h`).
    pub after: String,
    /// The rule's contacts.
    pub contacts: Vec<String>,
    /// `owner/name`.
    pub repo: String,
    /// Alert number.
    pub number: u64,
    /// The alert's page, made safe.
    pub url: Option<String>,
    /// The secret type's display name.
    pub secret: String,
    /// The provider as GitHub names it.
    pub provider: Option<String>,
    /// The file the secret was found in, when known.
    pub path: Option<String>,
    /// `3 days`, `5 hours`: since the secret was found.
    pub exposed: String,
    /// `still valid`, `no longer valid`, `validity unknown`.
    pub validity: &'static str,
    /// Also found in public.
    pub publicly_leaked: bool,
    /// The owner as shown (`@ada`, `acme/payments`), when known.
    pub owner: Option<String>,
    /// The playbook.
    pub playbook: Option<PlaybookRef>,
    /// Experts for the secret type (`experts` of the configuration).
    pub experts: Vec<String>,
    /// Whom to involve: the rule's contacts, then the experts, each once.
    pub who: Vec<String>,
}

/// Everything one channel receives in an escalation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Alarm {
    /// The organization.
    pub org: String,
    /// T.
    pub as_of: DateTime<Utc>,
    /// The escalated alerts, in rule order, most urgent first.
    pub items: Vec<Item>,
    /// Where to see every alert of the rules in GitHub, when the message cannot list them all.
    pub more: Vec<(String, String)>,
}

impl Alarm {
    /// `Escalation: 3 leaked secrets in acme need action now`.
    pub fn subject(&self) -> String {
        let n = self.items.len();
        format!(
            "Escalation: {n} leaked secret{} in {} need{} action now",
            if n == 1 { "" } else { "s" },
            self.org,
            if n == 1 { "s" } else { "" }
        )
    }
}

/// How long since `since`, for people: `3 days`, `5 hours`, `less than an hour`.
pub fn exposed_for(since: DateTime<Utc>, as_of: DateTime<Utc>) -> String {
    let d = as_of - since;
    let plural = |n: i64, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    if d.num_days() >= 2 {
        plural(d.num_days(), "day")
    } else if d.num_hours() >= 1 {
        plural(d.num_hours(), "hour")
    } else {
        "less than an hour".into()
    }
}

/// The alarm of each channel: its due alerts, as messages show them.
pub fn alarms(
    due: &[Due<'_>],
    org: &str,
    as_of: DateTime<Utc>,
    catalogue: &Catalogue,
    site: &Site,
) -> BTreeMap<String, Alarm> {
    let mut out: BTreeMap<String, Alarm> = BTreeMap::new();
    for d in due {
        let a = d.alert;
        let playbook = catalogue.for_alert(a);
        let experts = catalogue
            .experts(
                &a.secret_type,
                a.provider_slug.as_deref().or(a.provider.as_deref()),
                &playbook.id,
            )
            .to_vec();
        let mut who = d.rule.contacts.clone();
        for e in &experts {
            if !who.contains(e) {
                who.push(e.clone());
            }
        }
        let item = Item {
            rule: d.rule.name.clone(),
            when: d.rule.when_text.clone(),
            after: d.rule.after_text.clone(),
            contacts: d.rule.contacts.clone(),
            repo: a.repository.full_name.clone(),
            number: a.number,
            url: site.alert_link(&a.repository.full_name, a.number, a.html_url.as_deref()),
            secret: a.display_name().to_string(),
            provider: a.provider.clone(),
            path: a
                .first_location_detected
                .as_ref()
                .and_then(|l| l.path.clone()),
            exposed: exposed_for(a.created_at, as_of),
            validity: match a.validity() {
                Validity::Active => "still valid",
                Validity::Inactive => "no longer valid",
                Validity::Unknown => "validity unknown",
            },
            publicly_leaked: a.publicly_leaked == Some(true),
            owner: a.owner.owner().map(|o| owner_label(&o.name)),
            playbook: Some(PlaybookRef::new(playbook, site)),
            experts,
            who,
        };
        for channel in &d.channels {
            let alarm = out.entry(channel.clone()).or_insert_with(|| Alarm {
                org: org.to_string(),
                as_of,
                items: Vec::new(),
                more: Vec::new(),
            });
            alarm.items.push(item.clone());
        }
    }
    // a message lists the first SHOWN alerts: the rest are one click away in GitHub
    for alarm in out.values_mut().filter(|a| a.items.len() > SHOWN) {
        for d in due {
            if !alarm.more.iter().any(|(rule, _)| *rule == d.rule.name)
                && alarm.items.iter().any(|i| i.rule == d.rule.name)
                && let Some(url) = site.alerts_filter_url(&d.rule.when_text)
            {
                alarm.more.push((d.rule.name.clone(), url));
            }
        }
    }
    out
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
}

/// The escalated alerts still open at T among `alerts` (those `keep` accepts), escalated
/// longest ago first. `pending` are this run's new escalations, counted as escalated at T.
pub fn still_open(
    first: &BTreeMap<(String, u64), (DateTime<Utc>, String)>,
    alerts: &[Alert],
    keep: impl Fn(&Alert) -> bool,
    as_of: DateTime<Utc>,
    site: &Site,
) -> Vec<Escalated> {
    let mut out: Vec<Escalated> = alerts
        .iter()
        .filter(|a| a.is_open_at(as_of) && keep(a))
        .filter_map(|a| {
            let (at, rule) = first.get(&(a.repository.full_name.clone(), a.number))?;
            Some(Escalated {
                repo: a.repository.full_name.clone(),
                number: a.number,
                secret: a.display_name().to_string(),
                rule: rule.clone(),
                escalated_at: *at,
                days_since: (as_of - *at).num_days(),
                url: site.alert_link(&a.repository.full_name, a.number, a.html_url.as_deref()),
                owner: a.owner.owner().map(|o| owner_label(&o.name)),
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
pub fn with_due(
    records: &Records,
    due: &[Due<'_>],
    as_of: DateTime<Utc>,
) -> BTreeMap<(String, u64), (DateTime<Utc>, String)> {
    let mut first = records.first_escalations(as_of);
    for d in due {
        first
            .entry((d.alert.repository.full_name.clone(), d.alert.number))
            .or_insert((as_of, d.rule.name.clone()));
    }
    first
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t(d: u32, h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, d, h, 0, 0).unwrap()
    }

    fn item(n: u64) -> Item {
        Item {
            rule: "public <leak> & *bold*".into(),
            when: "publicly-leaked".into(),
            after: "24h".into(),
            contacts: vec!["@acme/ir".into()],
            repo: "acme/web".into(),
            number: n,
            url: Some(format!(
                "https://github.com/acme/web/security/secret-scanning/{n}"
            )),
            secret: "Azure Storage Account Access Key | <b>".into(),
            provider: Some("Azure".into()),
            path: Some("config/prod.env".into()),
            exposed: "3 days".into(),
            validity: "still valid",
            publicly_leaked: true,
            owner: Some("@ada".into()),
            playbook: None,
            experts: vec![],
            who: vec!["@acme/ir".into()],
        }
    }

    #[test]
    fn exposure_reads_as_people_say_it() {
        assert_eq!(exposed_for(t(20, 0), t(23, 5)), "3 days");
        assert_eq!(exposed_for(t(22, 0), t(23, 5)), "29 hours");
        assert_eq!(exposed_for(t(23, 4), t(23, 5)), "1 hour");
        assert_eq!(exposed_for(t(23, 5), t(23, 5)), "less than an hour");
    }

    #[test]
    fn the_first_escalation_of_an_alert_is_the_earliest_up_to_t() {
        let mut r = Records::default();
        let rec = |rule: &str, at: DateTime<Utc>| Record {
            rule: rule.into(),
            repo: "acme/web".into(),
            number: 1,
            channel: "slack:secops".into(),
            as_of: at,
            sent_at: at,
        };
        r.extend([rec("b", t(20, 0)), rec("a", t(10, 0)), rec("c", t(25, 0))]);
        let first = r.first_escalations(t(23, 0));
        assert_eq!(
            first[&("acme/web".to_string(), 1)],
            (t(10, 0), "a".to_string())
        );
        assert!(
            r.first_escalations(t(9, 0)).is_empty(),
            "nothing escalated before T"
        );
        assert!(r.sent("c", "acme/web", 1, "slack:secops"));
        assert!(!r.sent("c", "acme/web", 1, "teams:x"));
    }

    #[test]
    fn many_escalations_fit_slack_and_teams() {
        let alarm = Alarm {
            org: "acme".into(),
            as_of: t(23, 0),
            items: (1..=120).map(item).collect(),
            more: vec![(
                "public <leak> & *bold*".into(),
                "https://github.com/orgs/acme/security/alerts/secret-scanning?query=is%3Aopen"
                    .into(),
            )],
        };
        let slack = crate::deliver::slack::alarm_payload(&alarm);
        crate::deliver::slack::check_limits(&slack).unwrap();
        let text = serde_json::to_string(&slack).unwrap();
        assert!(text.contains("+100 more not listed here"), "{text}");
        assert!(
            text.contains("Azure Storage Account Access Key | &lt;b&gt;"),
            "text from GitHub is escaped: {text}"
        );
        assert!(!text.contains("<b>"), "{text}");
        let teams = crate::deliver::teams::alarm_message(&alarm).unwrap();
        assert!(
            teams.len() <= crate::deliver::teams::MAX_BYTES,
            "{}",
            teams.len()
        );
        let card: serde_json::Value = serde_json::from_slice(&teams).unwrap();
        crate::deliver::teams::validate(&card).unwrap();
        assert_eq!(
            alarm.subject(),
            "Escalation: 120 leaked secrets in acme need action now"
        );
    }
}
