//! What escalation sent, per rule, alert and channel, in `escalations.jsonl` beside the
//! history (under the history's lock, so two runs at once cannot both send); a channel that
//! failed is tried again by the next run.

use crate::error::Result;
use crate::model::Alert;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use std::path::Path;

/// One escalation sent: a rule, an alert and a channel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    /// The rule's name.
    pub rule: String,
    /// `owner/name` of the alert's repository when it was sent (for people).
    pub repo: String,
    /// GitHub's id of the repository, which stays when it is renamed (records written before
    /// it was kept have none, and are matched by name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repo_id: Option<u64>,
    /// The alert's number.
    pub number: u64,
    /// The channel key (`email`, `slack:secops`, `teams:leadership`).
    pub channel: String,
    /// T of the run that sent it.
    pub as_of: DateTime<Utc>,
    /// When it was sent.
    pub sent_at: DateTime<Utc>,
}

/// The escalation records, with an index of what was sent so that each question is one
/// look-up, not a scan of every record (a run asks once per alert, rule and channel).
#[derive(Debug, Clone, Default)]
pub struct Records {
    records: Vec<Record>,
    /// (rule, repository, number, channel) of every record.
    sent: HashSet<(String, String, u64, String)>,
    /// (rule, repository id, number, channel) of every record that has the id.
    sent_by_id: HashSet<(String, u64, u64, String)>,
}

impl Records {
    /// Reads the records; a missing file is none, a malformed line an error naming it.
    pub fn load(path: &Path) -> Result<Records> {
        let mut records = Records::default();
        records.extend(crate::state::read_jsonl::<Record>(
            path,
            "an escalation record",
        )?);
        Ok(records)
    }

    /// Writes the records atomically.
    pub fn save(&self, path: &Path) -> Result<()> {
        crate::state::write_jsonl(path, &self.records, "an escalation record")
    }

    /// Whether this rule already sent this alert to this channel.
    /// A repository renamed since keeps its id, so its alerts are not sent again.
    pub fn sent(
        &self,
        rule: &str,
        repo: &str,
        repo_id: Option<u64>,
        number: u64,
        channel: &str,
    ) -> bool {
        if let Some(id) = repo_id
            && self
                .sent_by_id
                .contains(&(rule.to_string(), id, number, channel.to_string()))
        {
            return true;
        }
        self.sent.contains(&(
            rule.to_string(),
            repo.to_string(),
            number,
            channel.to_string(),
        ))
    }

    /// Adds records.
    pub fn extend(&mut self, records: impl IntoIterator<Item = Record>) {
        for r in records {
            if let Some(id) = r.repo_id {
                self.sent_by_id
                    .insert((r.rule.clone(), id, r.number, r.channel.clone()));
            }
            self.sent
                .insert((r.rule.clone(), r.repo.clone(), r.number, r.channel.clone()));
            self.records.push(r);
        }
    }

    /// When each alert was first escalated at or before T, and by which rule.
    pub fn first_escalations(&self, as_of: DateTime<Utc>) -> FirstEscalations {
        let mut out = FirstEscalations::default();
        for r in self.records.iter().filter(|r| r.as_of <= as_of) {
            out.note(&r.repo, r.repo_id, r.number, r.as_of, &r.rule);
        }
        out
    }
}

/// When each alert was first escalated, and by which rule, found by the repository's id
/// (which a rename keeps) and by its name (for records written before the id was kept).
#[derive(Debug, Clone, Default)]
pub struct FirstEscalations {
    by_id: HashMap<(u64, u64), (DateTime<Utc>, String)>,
    by_name: HashMap<(String, u64), (DateTime<Utc>, String)>,
}

impl FirstEscalations {
    /// Notes an escalation; the earliest one of an alert is kept.
    pub fn note(
        &mut self,
        repo: &str,
        repo_id: Option<u64>,
        number: u64,
        at: DateTime<Utc>,
        rule: &str,
    ) {
        fn keep_earliest<K: std::hash::Hash + Eq>(
            map: &mut HashMap<K, (DateTime<Utc>, String)>,
            key: K,
            at: DateTime<Utc>,
            rule: &str,
        ) {
            let e = map.entry(key).or_insert_with(|| (at, rule.to_string()));
            if at < e.0 {
                *e = (at, rule.to_string());
            }
        }
        if let Some(id) = repo_id {
            keep_earliest(&mut self.by_id, (id, number), at, rule);
        }
        keep_earliest(&mut self.by_name, (repo.to_string(), number), at, rule);
    }

    /// The first escalation of an alert: `(when, rule)`.
    pub fn of(&self, alert: &Alert) -> Option<&(DateTime<Utc>, String)> {
        let by_id = alert
            .repository
            .id
            .and_then(|id| self.by_id.get(&(id, alert.number)));
        let by_name = self
            .by_name
            .get(&(alert.repository.full_name.clone(), alert.number));
        match (by_id, by_name) {
            (Some(a), Some(b)) => Some(if b.0 < a.0 { b } else { a }),
            (a, b) => a.or(b),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t(d: u32, h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, d, h, 0, 0).unwrap()
    }

    #[test]
    fn the_first_escalation_of_an_alert_is_the_earliest_up_to_t() {
        let mut r = Records::default();
        let rec = |rule: &str, at: DateTime<Utc>| Record {
            rule: rule.into(),
            repo: "acme/web".into(),
            repo_id: Some(42),
            number: 1,
            channel: "slack:secops".into(),
            as_of: at,
            sent_at: at,
        };
        r.extend([rec("b", t(20, 0)), rec("a", t(10, 0)), rec("c", t(25, 0))]);
        let first = r.first_escalations(t(23, 0));
        let mut web = crate::model::alert::testkit::alert("acme/web", 1, t(1, 0));
        assert_eq!(first.of(&web), Some(&(t(10, 0), "a".to_string())));
        // renamed: the id still finds it; another repository of the old name does not
        web.repository.id = Some(42);
        web.repository.full_name = "acme/website".into();
        assert_eq!(first.of(&web), Some(&(t(10, 0), "a".to_string())));
        web.repository.id = Some(43);
        assert_eq!(first.of(&web), None);
        web.repository.full_name = "acme/web".into();
        assert_eq!(
            r.first_escalations(t(9, 0)).of(&web),
            None,
            "nothing escalated before T"
        );
        assert!(r.sent("c", "acme/web", None, 1, "slack:secops"));
        assert!(!r.sent("c", "acme/web", None, 1, "teams:x"));
        // renamed: the id still knows it
        assert!(r.sent("c", "acme/website", Some(42), 1, "slack:secops"));
        assert!(!r.sent("c", "acme/website", Some(43), 1, "slack:secops"));
    }
}
