//! The organization overview and campaign planning (docs/overview.md: the first look at the alerts, then planning campaigns): what
//! is open, default and generic results apart, the urgent slices with their week-over-week
//! change, push-protection bypasses, the biggest providers, secret types and repositories, and
//! the campaigns one could create — each filter's open alerts against GitHub's 1,000-alert
//! limit, configured campaigns' overlaps, and the open alerts no campaign covers.
//!
//! Pure functions of the alerts, the configured campaigns and T, like `metrics`.

use crate::filter::Filter;
use crate::history::Source;
use crate::model::{Alert, Validity};
use crate::site::Site;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// The schema string of the overview's summary.json.
pub const SCHEMA: &str = "campaign-pulse/overview/v1";
/// GitHub caps a security campaign at this many alerts.
pub const CAMPAIGN_LIMIT: u64 = 1000;
/// Lists of providers, secret types and repositories show this many, then the rest.
pub const TOP: usize = 15;
/// The history's ids for the organization's weekly points: no campaign id has a `:`.
pub const TREND_IDS: [(&str, &str); 2] = [("default", "org:default"), ("generic", "org:generic")];

/// One kind of results (`default` or `generic`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResultsCounts {
    /// Open at T.
    pub open: u64,
    /// Repositories with open alerts.
    pub repositories: u64,
    /// Created during the week.
    pub new_this_week: u64,
    /// Resolved during the week.
    pub resolved_this_week: u64,
    /// Open at T − 7 days.
    pub open_week_ago: u64,
}

/// `results` of the overview.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Results {
    /// Alerts of providers' patterns and custom patterns.
    pub default: ResultsCounts,
    /// Alerts of generic patterns (passwords, private keys).
    pub generic: ResultsCounts,
}

/// One point of the weekly trend.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrendPoint {
    /// When.
    pub as_of: DateTime<Utc>,
    /// Open default alerts.
    pub default: u64,
    /// Open generic alerts.
    pub generic: u64,
    /// Observed by a run, or reconstructed from alert timestamps.
    pub source: Source,
}

/// One of the first-look filters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Slice {
    /// The filter, as GitHub's security overview writes it.
    pub filter: String,
    /// Words for people.
    pub label: String,
    /// Open alerts matching it at T.
    pub open: u64,
    /// At T − 7 days.
    pub open_week_ago: u64,
    /// open − open_week_ago.
    pub change: i64,
    /// The same filter in GitHub's security overview.
    pub url: Option<String>,
}

/// A count under a key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Row {
    /// Machine key (a provider slug, a secret type, `owner/name`).
    pub key: String,
    /// Words for people.
    pub label: String,
    /// Open alerts.
    pub open: u64,
}

/// The first [`TOP`] rows and what is left.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ranked {
    /// The biggest, most open alerts first.
    pub top: Vec<Row>,
    /// How many more keys.
    pub rest_keys: u64,
    /// Their open alerts.
    pub rest_open: u64,
}

/// A bypass count.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BypassRow {
    /// A secret type or `owner/name`.
    pub key: String,
    /// Words for people.
    pub label: String,
    /// Bypassed alerts still open.
    pub open: u64,
    /// Bypassed alerts, all those read.
    pub all: u64,
}

/// One provider's open alerts by validity.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValidityRow {
    /// The provider, as `by_provider` names it.
    pub label: String,
    /// Open alerts.
    pub open: u64,
    /// GitHub says the secret still works.
    pub active: u64,
    /// GitHub says it no longer works.
    pub inactive: u64,
    /// Not checked, or not checkable.
    pub unknown: u64,
}

/// Push protection: alerts pushed past it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushProtection {
    /// Bypassed and still open.
    pub bypassed_open: u64,
    /// Bypassed, every alert read.
    pub bypassed_all: u64,
    /// Bypassed during the last 28 days.
    pub bypassed_28d: u64,
    /// By secret type, most first.
    pub by_secret_type: Vec<BypassRow>,
    /// By repository, most first.
    pub by_repository: Vec<BypassRow>,
}

/// What a campaign with a filter would target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Candidate {
    /// The configured campaign's id, or null for one of the first-look filters.
    pub campaign: Option<String>,
    /// The filter.
    pub filter: String,
    /// Open alerts it would target now.
    pub open: u64,
    /// Whether that fits GitHub's 1,000-alert limit.
    pub fits: bool,
    /// How many alerts over the limit (0 when it fits).
    pub over_by: u64,
    /// The filter in GitHub's security overview.
    pub url: Option<String>,
    /// When it does not fit: narrower filters from its own breakdown that do.
    #[serde(default)]
    pub narrower: Vec<Narrower>,
}

/// A narrower filter that fits GitHub's campaign limit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Narrower {
    /// The filter.
    pub filter: String,
    /// Open alerts it targets.
    pub open: u64,
}

/// GitHub's limit of active security campaigns in an organization.
pub const ACTIVE_CAMPAIGN_LIMIT: u64 = 10;

/// How many narrower filters are proposed for a filter over the limit.
const NARROWER_SHOWN: usize = 3;

/// Narrower filters for `text` whose open alerts (`targeted`) pass GitHub's 1,000-alert
/// campaign limit, from their own breakdown: the still-valid ones, those leaked in public,
/// then the largest provider, secret type and repository that fit. Empty when it fits.
pub fn narrower(text: &str, targeted: &[&Alert]) -> Vec<Narrower> {
    if targeted.len() as u64 <= CAMPAIGN_LIMIT {
        return Vec::new();
    }
    let base = text.trim();
    let join = |extra: &str| {
        if base.is_empty() {
            extra.to_string()
        } else {
            format!("{base} {extra}")
        }
    };
    let names = |q: &str| {
        base.split_whitespace().any(|t| {
            t.trim_start_matches('-')
                .trim_start_matches("is:")
                .starts_with(q)
        })
    };
    let mut out = Vec::new();
    if !names("validity:") {
        let n = targeted
            .iter()
            .filter(|a| a.validity() == Validity::Active)
            .count() as u64;
        out.push(Narrower {
            filter: join("validity:active"),
            open: n,
        });
    }
    if !names("publicly-leaked") {
        let n = targeted
            .iter()
            .filter(|a| a.publicly_leaked == Some(true))
            .count() as u64;
        out.push(Narrower {
            filter: join("publicly-leaked"),
            open: n,
        });
    }
    let largest_fitting = |qualifier: &str, key: &dyn Fn(&Alert) -> Option<String>| {
        let mut counts: BTreeMap<String, u64> = BTreeMap::new();
        for a in targeted {
            if let Some(k) = key(a).filter(|k| !k.is_empty() && !k.contains(char::is_whitespace)) {
                *counts.entry(k).or_insert(0) += 1;
            }
        }
        counts
            .into_iter()
            .filter(|(_, n)| *n <= CAMPAIGN_LIMIT)
            .max_by(|a, b| a.1.cmp(&b.1).then_with(|| b.0.cmp(&a.0)))
            .map(|(k, n)| Narrower {
                filter: join(&format!("{qualifier}{k}")),
                open: n,
            })
    };
    if !names("provider:") {
        out.extend(largest_fitting("provider:", &|a| {
            a.provider_slug.clone().or_else(|| a.provider.clone())
        }));
    }
    if !names("secret-type:") {
        out.extend(largest_fitting("secret-type:", &|a| {
            Some(a.secret_type.clone())
        }));
    }
    if !names("repo:") {
        out.extend(largest_fitting("repo:", &|a| {
            Some(a.repository.full_name.clone())
        }));
    }
    out.retain(|c| c.open > 0 && c.open <= CAMPAIGN_LIMIT);
    out.truncate(NARROWER_SHOWN);
    out
}

/// A campaign entry, as the configuration takes it, indented to paste under `campaigns:`: its
/// id made from `name`, name and filter quoted, starting on `today`, due in 60 days (a date to choose), `sla_days: 30`.
pub fn campaign_entry(name: &str, filter: &str, today: chrono::NaiveDate) -> String {
    let slug: String = name
        .to_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    let parts: Vec<&str> = slug
        .split('-')
        .filter(|p| !p.is_empty() && *p != "is" && *p != "open")
        .collect();
    let joined = parts.join("-");
    let id = if joined.is_empty() {
        "all-alerts".to_string()
    } else {
        joined
            .chars()
            .take(40)
            .collect::<String>()
            .trim_end_matches('-')
            .to_string()
    };
    format!(
        "  - id: {id}\n    name: {}\n    filter: {}\n    starts_on: {today}\n    due_on: {}   # choose the real due date\n    sla_days: 30\n",
        yaml_string(name),
        yaml_string(filter),
        today + Duration::days(60)
    )
}

/// `text` as a YAML double-quoted scalar: a JSON string is one (YAML 1.2 reads JSON), so quotes,
/// backslashes and line breaks from GitHub cannot end the value or add a key.
fn yaml_string(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_else(|_| "\"\"".to_string())
}

/// A campaign for open alerts no configured campaign covers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Proposal {
    /// The filter.
    pub filter: String,
    /// Words for people.
    pub label: String,
    /// Open alerts it targets now.
    pub open: u64,
    /// Of them, those no configured campaign covers.
    pub uncovered: u64,
    /// The filter in GitHub's security overview.
    pub url: Option<String>,
    /// The entry to paste under `campaigns:`.
    pub entry: String,
}

/// Open alerts two configured campaigns both target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Overlap {
    /// One campaign's id.
    pub a: String,
    /// The other's.
    pub b: String,
    /// Open alerts both target.
    pub open: u64,
}

/// Open alerts no configured campaign covers.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Uncovered {
    /// How many.
    pub open: u64,
    /// Repositories they are in.
    pub repositories: u64,
    /// The first-look slices they fall into (only those with any).
    pub slices: Vec<Slice>,
    /// A campaign that would take the most of them and fits GitHub's limit: the provider or
    /// secret type with most of them; null when every open alert is covered.
    #[serde(default)]
    pub proposed: Option<Proposal>,
}

/// The overview's summary.json.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Overview {
    /// [`SCHEMA`].
    pub schema: String,
    /// The organization.
    pub org: String,
    /// T.
    pub as_of: DateTime<Utc>,
    /// The alerts read go back to this instant (resolved ones older were not read); null:
    /// every alert was read.
    pub read_since: Option<DateTime<Utc>>,
    /// Default and generic results apart.
    pub results: Results,
    /// The weekly trend of open alerts, oldest first.
    pub trend: Vec<TrendPoint>,
    /// The urgent first-look slices.
    pub slices: Vec<Slice>,
    /// Push-protection bypasses.
    pub push_protection: PushProtection,
    /// Open alerts by provider.
    pub by_provider: Ranked,
    /// The providers of `by_provider.top`, in its order, by validity: which leaks still work.
    #[serde(default)]
    pub validity_by_provider: Vec<ValidityRow>,
    /// Open alerts by secret type.
    pub by_secret_type: Ranked,
    /// Open alerts by repository.
    pub by_repository: Ranked,
    /// Campaigns one could create, and the configured ones.
    pub candidates: Vec<Candidate>,
    /// Configured campaigns targeting the same open alerts.
    pub overlaps: Vec<Overlap>,
    /// Open alerts no configured campaign covers.
    pub uncovered: Uncovered,
    /// Open alerts an escalation rule sent (docs/playbooks.md, "Escalation"), escalated longest ago first.
    #[serde(default)]
    pub escalated: Vec<crate::escalation::Escalated>,
}

/// A configured campaign as the overview needs it.
#[derive(Debug, Clone)]
pub struct Planned<'a> {
    /// Its id.
    pub id: &'a str,
    /// Its filter as written.
    pub filter_text: &'a str,
    /// Its parsed filter.
    pub filter: &'a Filter,
}

/// The first-look filters (active, public, unassigned, …), before the per-provider ones.
const SEED: &[(&str, &str)] = &[
    ("publicly-leaked", "Leaked in public"),
    ("is:multi-repository", "Found in more than one repository"),
    ("validity:active", "Still valid"),
    ("bypassed:true", "Pushed past push protection"),
];

/// The filter of a provider slice.
fn provider_filter(slug: &str) -> String {
    format!("provider:{slug}")
}

fn provider_of(a: &Alert) -> Option<(String, String)> {
    let slug = a
        .provider_slug
        .clone()
        .filter(|s| !s.is_empty())
        .or_else(|| a.provider.as_ref().map(|p| p.to_lowercase()))?;
    let name = a.provider.clone().unwrap_or_else(|| slug.clone());
    Some((slug, name))
}

fn ranked<'a>(counts: impl Iterator<Item = (&'a String, &'a (String, u64))>) -> Ranked {
    let mut rows: Vec<Row> = counts
        .map(|(k, (label, n))| Row {
            key: k.clone(),
            label: label.clone(),
            open: *n,
        })
        .collect();
    rows.sort_by(|a, b| b.open.cmp(&a.open).then_with(|| a.key.cmp(&b.key)));
    let rest = rows.split_off(rows.len().min(TOP));
    Ranked {
        top: rows,
        rest_keys: rest.len() as u64,
        rest_open: rest.iter().map(|r| r.open).sum(),
    }
}

mod compute;

pub use compute::compute;

#[cfg(test)]
mod tests;
