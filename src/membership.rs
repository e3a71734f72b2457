//! Which alerts belong to a campaign over time: once a member, always a member.
//!
//! Fixing an alert changes some of its fields: revoking a secret turns its validity to
//! `inactive`, assigning it fills `assignee`. A filter re-read against today's fields would
//! drop exactly the alerts a campaign fixed, so membership has three rules:
//!
//! - an alert that is **open** in the data read is a member when it matches the whole filter;
//! - an alert that is **resolved** is a member when it matches the filter's stable terms (the
//!   mutable `validity:` and `assignee:` are skipped);
//! - an alert that an earlier run recorded as an open member stays one, whatever its fields
//!   say now (it was assigned, or its secret rotated while the alert stayed open).
//!
//! The record of the third rule is `members.jsonl` beside the history, one line per campaign.
//! It is written under the history lock, atomically, by every run that writes the history.
//! A lost or damaged record only loses that memory: the first two rules still hold.

use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The schema string of each line.
pub const SCHEMA: &str = "campaign-pulse/members/v1";

/// The alerts recorded as a campaign's members: repository (`owner/name`) → alert numbers.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Members {
    by_repo: BTreeMap<String, BTreeSet<u64>>,
}

impl Members {
    /// Whether the alert `repo` #`number` is recorded.
    pub fn contains(&self, repo: &str, number: u64) -> bool {
        self.by_repo.get(repo).is_some_and(|n| n.contains(&number))
    }

    /// Records an alert.
    pub fn insert(&mut self, repo: &str, number: u64) {
        match self.by_repo.get_mut(repo) {
            Some(numbers) => {
                numbers.insert(number);
            }
            None => {
                self.by_repo
                    .insert(repo.to_string(), BTreeSet::from([number]));
            }
        }
    }

    /// How many alerts are recorded.
    pub fn len(&self) -> usize {
        self.by_repo.values().map(BTreeSet::len).sum()
    }

    /// Whether none is.
    pub fn is_empty(&self) -> bool {
        self.by_repo.is_empty()
    }
}

/// One line of the record: a campaign's members under the filter they were recorded with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Line {
    schema: String,
    campaign: String,
    /// The filter in its canonical spelling: members recorded under another filter are not
    /// this campaign's any more.
    filter: String,
    members: Members,
}

/// The record file's content, by campaign id.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Record {
    campaigns: BTreeMap<String, (String, Members)>,
}

/// What reading the record found.
#[derive(Debug)]
pub enum Loaded {
    /// The record as written.
    Read(Record),
    /// No record: the first run that writes one, or one that was lost.
    Missing,
    /// The file could not be read or parsed; the message says why.
    Unreadable(String),
}

/// What the record holds for one campaign.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recalled {
    /// The campaign's members, recorded under the same filter.
    Members(Members),
    /// Members were recorded under another filter: the campaign's membership starts again.
    FilterChanged,
    /// Nothing is recorded for the campaign.
    None,
}

impl Record {
    /// Reads the record; never fails the run: a missing file or a damaged one is reported
    /// as such, for the caller to warn about.
    pub fn load(path: &Path) -> Loaded {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Loaded::Missing,
            Err(e) => return Loaded::Unreadable(format!("cannot read it: {e}")),
        };
        let mut record = Record::default();
        for (i, text) in text.lines().enumerate() {
            if text.trim().is_empty() {
                continue;
            }
            let line: Line = match serde_json::from_str(text) {
                Ok(l) => l,
                Err(e) => return Loaded::Unreadable(format!("line {}: {e}", i + 1)),
            };
            if line.schema != SCHEMA {
                return Loaded::Unreadable(format!(
                    "line {}: unknown schema `{}`",
                    i + 1,
                    line.schema
                ));
            }
            if record
                .campaigns
                .insert(line.campaign.clone(), (line.filter, line.members))
                .is_some()
            {
                return Loaded::Unreadable(format!(
                    "line {}: campaign `{}` appears twice",
                    i + 1,
                    line.campaign
                ));
            }
        }
        Loaded::Read(record)
    }

    /// What is recorded for a campaign with this filter (in [`crate::filter::Filter::canonical`]
    /// spelling).
    pub fn recall(&self, campaign: &str, filter: &str) -> Recalled {
        match self.campaigns.get(campaign) {
            Some((f, members)) if f == filter => Recalled::Members(members.clone()),
            Some(_) => Recalled::FilterChanged,
            None => Recalled::None,
        }
    }

    /// The record as far as it can be read, for the commands that only consult it (`assign`,
    /// owner lookups): a missing or damaged record is none (the weekly run warns of it).
    pub fn read(path: &Path) -> Record {
        match Record::load(path) {
            Loaded::Read(r) => r,
            Loaded::Missing | Loaded::Unreadable(_) => Record::default(),
        }
    }

    /// The members recorded for a campaign with this filter; none when the filter changed.
    pub fn members(&self, campaign: &str, filter: &str) -> Members {
        match self.recall(campaign, filter) {
            Recalled::Members(m) => m,
            Recalled::FilterChanged | Recalled::None => Members::default(),
        }
    }

    /// Replaces a campaign's members.
    pub fn set(&mut self, campaign: &str, filter: &str, members: Members) {
        self.campaigns
            .insert(campaign.to_string(), (filter.to_string(), members));
    }

    /// Writes the record atomically. Campaigns no longer configured are kept: a campaign
    /// taken out of the configuration for a while finds its members when it comes back.
    pub fn save(&self, path: &Path) -> Result<()> {
        let mut out = String::new();
        for (campaign, (filter, members)) in &self.campaigns {
            let line = Line {
                schema: SCHEMA.to_string(),
                campaign: campaign.clone(),
                filter: filter.clone(),
                members: members.clone(),
            };
            out.push_str(&serde_json::to_string(&line).map_err(|e| Error::History {
                path: path.to_path_buf(),
                message: format!("cannot serialize the membership record: {e}"),
            })?);
            out.push('\n');
        }
        crate::state::write_atomic(path, out.as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_round_trips_and_knows_its_filter() {
        let dir = tempfile::tempdir().unwrap();
        let path = crate::layout::SideFile::Members.path(&dir.path().join("history.jsonl"));
        assert!(path.ends_with("members.jsonl"));
        assert!(matches!(Record::load(&path), Loaded::Missing));
        let mut members = Members::default();
        members.insert("acme/web", 7);
        members.insert("acme/web", 3);
        members.insert("acme/api", 1);
        let mut record = Record::default();
        record.set("azure", "provider:azure validity:active", members.clone());
        record.save(&path).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(
            text,
            "{\"schema\":\"campaign-pulse/members/v1\",\"campaign\":\"azure\",\"filter\":\"provider:azure validity:active\",\"members\":{\"acme/api\":[1],\"acme/web\":[3,7]}}\n"
        );
        let Loaded::Read(back) = Record::load(&path) else {
            panic!("the record reads back")
        };
        assert_eq!(back, record);
        assert_eq!(
            back.recall("azure", "provider:azure validity:active"),
            Recalled::Members(members.clone())
        );
        assert!(members.contains("acme/web", 7) && !members.contains("acme/web", 8));
        assert_eq!(members.len(), 3);
        assert_eq!(
            back.recall("azure", "provider:azure"),
            Recalled::FilterChanged
        );
        assert_eq!(back.recall("aws", "provider:aws"), Recalled::None);
    }

    #[test]
    fn a_damaged_record_is_reported_not_fatal() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("members.jsonl");
        for bad in [
            "{not json\n",
            "{\"schema\":\"campaign-pulse/members/v9\",\"campaign\":\"a\",\"filter\":\"\",\"members\":{}}\n",
            "{\"schema\":\"campaign-pulse/members/v1\",\"campaign\":\"a\",\"filter\":\"\",\"members\":{}}\n{\"schema\":\"campaign-pulse/members/v1\",\"campaign\":\"a\",\"filter\":\"\",\"members\":{}}\n",
            "{\"schema\":\"campaign-pulse/members/v1\",\"campaign\":\"a\",\"filter\":\"\",\"members\":{\"acme/web\":[-1]}}\n",
        ] {
            std::fs::write(&path, bad).unwrap();
            assert!(
                matches!(Record::load(&path), Loaded::Unreadable(_)),
                "{bad}"
            );
        }
    }
}
