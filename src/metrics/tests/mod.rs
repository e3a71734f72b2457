//! Unit tests of the module, apart from its code: the shared builders here, the tests by
//! concept in the files beside.

use super::*;
use crate::model::testkit::{self, resolved};
use chrono::TimeZone;

mod forecast;
mod membership;
mod risk;
mod totals;

pub(super) fn t(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, 0, 0).unwrap()
}

pub(super) fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// T = 2026-11-23 00:00 UTC; the week is [11-16, 11-23).
pub(super) fn as_of() -> DateTime<Utc> {
    t(2026, 11, 23, 0)
}

pub(super) fn alert(repo: &str, number: u64, created: DateTime<Utc>) -> Alert {
    Alert {
        secret_type: "azure_storage_account_key".into(),
        secret_type_display_name: Some("Azure Storage Account Access Key".into()),
        provider: Some("Microsoft Azure".into()),
        provider_slug: Some("azure".into()),
        push_protection_bypassed: Some(false),
        validity: Some(Validity::Inactive),
        publicly_leaked: Some(false),
        multi_repo: Some(false),
        assigned_to: testkit::user("mona"),
        ..testkit::alert(repo, number, created)
    }
}

pub(super) fn campaign(
    filter: &str,
    starts: Option<NaiveDate>,
    due: Option<NaiveDate>,
) -> Campaign {
    Campaign {
        info: CampaignInfo {
            id: "c".into(),
            name: "C".into(),
            filter: filter.into(),
            starts_on: starts,
            due_on: due,
            github_campaign: None,
        },
        filter: Filter::parse(filter).unwrap(),
        sla_days: 30,
        members: Default::default(),
    }
}

pub(super) fn run(alerts: &[Alert], c: &Campaign) -> Metrics {
    compute(alerts, c, as_of(), &RiskSettings::default())
}

pub(super) fn pace(open: u64, fixed_28d: u64, new_28d: u64, critical: u64) -> Pace {
    Pace {
        open,
        fixed_28d,
        new_28d,
        critical,
    }
}
