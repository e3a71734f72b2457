//! An escalation as its messages show it: each channel's due alerts, with what the secret
//! is, where, how long it has been exposed, its owner, its playbook and whom to involve.

use crate::escalation::Due;
use crate::model::{Validity, owner_label};
use crate::playbooks::Catalogue;
use crate::render::view::PlaybookRef;
use crate::site::Site;
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::collections::BTreeMap;

/// Alerts listed in one escalation message; the rest are counted, with a link.
pub const SHOWN: usize = 20;

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

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t(d: u32, h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, d, h, 0, 0).unwrap()
    }

    pub(crate) fn item(n: u64) -> Item {
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
}
