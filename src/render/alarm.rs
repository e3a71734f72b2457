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
            // every text from GitHub cut to a length, so no one alert makes a message too
            // large to send
            repo: crate::text::clip_name(&a.repository.full_name),
            number: a.number,
            url: site.alert_link(&a.repository.full_name, a.number, a.html_url.as_deref()),
            secret: crate::text::clip_name(a.display_name()),
            provider: a.provider.as_deref().map(crate::text::clip_name),
            path: a
                .first_location_detected
                .as_ref()
                .and_then(|l| l.path.as_deref())
                .map(crate::text::clip_path),
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
    // (each rule once, in rule order: linear in the alerts, however many are due)
    for alarm in out.values_mut().filter(|a| a.items.len() > SHOWN) {
        let rules: std::collections::HashSet<&str> =
            alarm.items.iter().map(|i| i.rule.as_str()).collect();
        let mut linked = std::collections::HashSet::new();
        for d in due {
            let name = d.rule.name.as_str();
            if rules.contains(name)
                && linked.insert(name)
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

    /// Text from GitHub of any length (a CODEOWNERS login anyone with push access can write,
    /// a file path) is cut before it reaches a message, so one alert cannot make an
    /// escalation too large to send on any channel.
    #[test]
    fn no_alert_makes_an_escalation_too_large_to_send() {
        use crate::model::{Location, Owner, OwnerKind, OwnerSource, Ownership, testkit};
        let rule = crate::config::EscalationRule {
            name: "active".into(),
            when_text: "validity:active".into(),
            when: crate::filter::Filter::parse("validity:active").unwrap(),
            after: chrono::Duration::zero(),
            after_text: "0h".into(),
            notify: vec!["teams:ir".into(), "slack:ir".into()],
            contacts: vec![],
        };
        let huge = "x".repeat(30_000);
        let alerts: Vec<crate::model::Alert> = (1..=20)
            .map(|n| crate::model::Alert {
                validity: Some(Validity::Active),
                secret_type_display_name: Some(format!("Key {huge}")),
                provider: Some(huge.clone()),
                first_location_detected: Some(Location {
                    path: Some(format!("{huge}/www.example.com/a.env")),
                    commit_sha: None,
                }),
                owner: Ownership::Owned(Owner {
                    name: "l".repeat(26_000),
                    kind: OwnerKind::User,
                    source: OwnerSource::Codeowners,
                }),
                ..testkit::alert("acme/web", n, t(1, 0))
            })
            .collect();
        let due = crate::escalation::due(
            std::slice::from_ref(&rule),
            &alerts,
            t(20, 0),
            &crate::escalation::Records::default(),
        );
        assert_eq!(due.len(), 20);
        let catalogue = Catalogue::load(None).unwrap();
        let site = Site::new("acme", None, None);
        let out = alarms(&due, "acme", t(20, 0), &catalogue, &site);
        let item = &out["teams:ir"].items[0];
        assert!(item.path.as_ref().unwrap().chars().count() <= crate::text::MAX_PATH);
        assert!(
            item.path
                .as_ref()
                .unwrap()
                .ends_with("www.example.com/a.env")
        );
        assert!(item.owner.as_ref().unwrap().chars().count() <= crate::text::MAX_NAME + 1);
        assert!(item.secret.chars().count() <= crate::text::MAX_NAME);
        let card =
            crate::deliver::teams::alarm_message(&out["teams:ir"], &Default::default()).unwrap();
        assert!(card.len() < 25 * 1024, "{} bytes", card.len());
        let slack =
            crate::deliver::slack::alarm_payload(&out["slack:ir"], &Default::default()).to_string();
        assert!(slack.len() < 40_000, "{} bytes", slack.len());
        // a path Slack would take for a link is sent as code
        assert!(slack.contains("www.example.com/a.env`"), "{slack}");
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
