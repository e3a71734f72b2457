//! What escalation sent, per rule, alert and channel, in `escalations.jsonl` beside the
//! history (under the history's lock, so two runs at once cannot both send); a channel that
//! failed is tried again by the next run.

use crate::error::Result;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashSet};
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
        assert_eq!(
            first[&("acme/web".to_string(), 1)],
            (t(10, 0), "a".to_string())
        );
        assert!(
            r.first_escalations(t(9, 0)).is_empty(),
            "nothing escalated before T"
        );
        assert!(r.sent("c", "acme/web", None, 1, "slack:secops"));
        assert!(!r.sent("c", "acme/web", None, 1, "teams:x"));
        // renamed: the id still knows it
        assert!(r.sent("c", "acme/website", Some(42), 1, "slack:secops"));
        assert!(!r.sent("c", "acme/website", Some(43), 1, "slack:secops"));
    }
}
