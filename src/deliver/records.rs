//! Deliveries made, per channel and date of T, in `deliveries.jsonl` beside the history: a
//! rerun sends only what is missing.

use crate::error::Result;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// One successful delivery.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    /// Date of T of the delivered reports.
    pub date: NaiveDate,
    /// Channel key.
    pub channel: String,
    /// Campaign ids the message covered.
    pub campaigns: Vec<String>,
    /// When it was sent.
    pub sent_at: DateTime<Utc>,
}

/// The delivery records (`deliveries.jsonl` next to the history).
#[derive(Debug, Clone, Default)]
pub struct Records {
    records: Vec<Record>,
}

impl Records {
    /// Reads the records; a missing file is none.
    pub fn load(path: &Path) -> Result<Records> {
        Ok(Records {
            records: crate::state::read_jsonl(path, "a delivery record")?,
        })
    }

    /// Whether `channel` already delivered a message covering every campaign of `campaigns`
    /// for `date`.
    pub fn delivered(&self, channel: &str, date: NaiveDate, campaigns: &[String]) -> bool {
        self.records.iter().any(|r| {
            r.channel == channel
                && r.date == date
                && campaigns.iter().all(|c| r.campaigns.contains(c))
        })
    }

    pub(super) fn add(&mut self, record: Record) {
        self.records.push(record);
    }

    pub(super) fn save(&self, path: &Path) -> Result<()> {
        crate::state::write_jsonl(path, &self.records, "a delivery record")
    }
}
