//! The organization overview and campaign planning (SPEC §11; the seed's steps 1 and 2): what
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

/// One of the seed's filters.
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
    /// The configured campaign's id, or null for one of the seed's filters.
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
    /// The seed's slices they fall into (only those with any).
    pub slices: Vec<Slice>,
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
    /// The seed's urgent slices.
    pub slices: Vec<Slice>,
    /// Push-protection bypasses.
    pub push_protection: PushProtection,
    /// Open alerts by provider.
    pub by_provider: Ranked,
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
    /// Open alerts an escalation rule sent (SPEC §12), escalated longest ago first.
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

/// The seed's step-1 filters, before the per-provider ones.
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

/// Computes the overview at `as_of` from the organization's alerts. `trend` comes from the
/// history (see [`trend_points`]); `read_since` says how far back resolved alerts were read.
pub fn compute(
    org: &str,
    alerts: &[Alert],
    campaigns: &[Planned<'_>],
    as_of: DateTime<Utc>,
    read_since: Option<DateTime<Utc>>,
    trend: Vec<TrendPoint>,
    site: &Site,
) -> Overview {
    let week_ago = as_of - Duration::days(7);
    let month_ago = as_of - Duration::days(28);
    let in_week = |t: Option<DateTime<Utc>>| t.is_some_and(|t| week_ago <= t && t < as_of);
    let known: Vec<&Alert> = alerts.iter().filter(|a| a.created_at <= as_of).collect();
    let open: Vec<&Alert> = known
        .iter()
        .copied()
        .filter(|a| a.is_open_at(as_of))
        .collect();
    let open_then: Vec<&Alert> = known
        .iter()
        .copied()
        .filter(|a| a.is_open_at(week_ago))
        .collect();

    let mut results = Results::default();
    for (generic, counts) in [(false, &mut results.default), (true, &mut results.generic)] {
        let of_kind = |a: &&&Alert| a.generic == generic;
        counts.open = open.iter().filter(of_kind).count() as u64;
        counts.repositories = open
            .iter()
            .filter(of_kind)
            .map(|a| a.repository.full_name.as_str())
            .collect::<BTreeSet<_>>()
            .len() as u64;
        counts.open_week_ago = open_then.iter().filter(of_kind).count() as u64;
        counts.new_this_week = known
            .iter()
            .filter(of_kind)
            .filter(|a| in_week(Some(a.created_at)))
            .count() as u64;
        counts.resolved_this_week = known
            .iter()
            .filter(of_kind)
            .filter(|a| in_week(a.resolved_at))
            .count() as u64;
    }

    // the seed's filters, then one per provider with open alerts
    let mut providers: BTreeMap<String, (String, u64)> = BTreeMap::new();
    let mut types: BTreeMap<String, (String, u64)> = BTreeMap::new();
    let mut repos: BTreeMap<String, (String, u64)> = BTreeMap::new();
    // counted under borrowed keys; names copied once per key, not once per alert
    fn count(map: &mut BTreeMap<String, (String, u64)>, key: &str, label: impl FnOnce() -> String) {
        match map.get_mut(key) {
            Some(entry) => entry.1 += 1,
            None => {
                map.insert(key.to_string(), (label(), 1));
            }
        }
    }
    for a in &open {
        match a.provider_slug.as_deref().filter(|s| !s.is_empty()) {
            Some(slug) => count(&mut providers, slug, || {
                a.provider.clone().unwrap_or_else(|| slug.to_string())
            }),
            None => {
                if let Some((slug, name)) = provider_of(a) {
                    count(&mut providers, &slug, || name);
                }
            }
        }
        count(&mut types, &a.secret_type, || a.display_name().to_string());
        count(&mut repos, &a.repository.full_name, || {
            a.repository.full_name.clone()
        });
    }
    let by_provider = ranked(providers.iter());
    let by_secret_type = ranked(types.iter());
    let by_repository = ranked(repos.iter());
    let seed_filters: Vec<(String, String)> = SEED
        .iter()
        .map(|(f, l)| (f.to_string(), l.to_string()))
        .chain(
            by_provider
                .top
                .iter()
                .map(|r| (provider_filter(&r.key), format!("{} credentials", r.label))),
        )
        .collect();
    let slice = |filter: &str, label: &str, now: &[&Alert], then: &[&Alert]| -> Option<Slice> {
        let f = Filter::parse(filter).ok()?;
        let open = now.iter().filter(|a| f.matches_campaign(a)).count() as u64;
        let open_week_ago = then.iter().filter(|a| f.matches_campaign(a)).count() as u64;
        Some(Slice {
            filter: filter.to_string(),
            label: label.to_string(),
            open,
            open_week_ago,
            change: open as i64 - open_week_ago as i64,
            url: site.alerts_filter_url(filter),
        })
    };
    let slices: Vec<Slice> = seed_filters
        .iter()
        .filter_map(|(f, l)| slice(f, l, &open, &open_then))
        .collect();

    // push protection
    let bypassed: Vec<&Alert> = known
        .iter()
        .copied()
        .filter(|a| a.push_protection_bypassed == Some(true))
        .collect();
    let mut pp = PushProtection {
        bypassed_open: bypassed.iter().filter(|a| a.is_open_at(as_of)).count() as u64,
        bypassed_all: bypassed.len() as u64,
        bypassed_28d: bypassed
            .iter()
            .filter(|a| {
                a.push_protection_bypassed_at
                    .unwrap_or(a.created_at)
                    .ge(&month_ago)
                    && a.push_protection_bypassed_at.unwrap_or(a.created_at) < as_of
            })
            .count() as u64,
        ..PushProtection::default()
    };
    let bypass_rows = |key: &dyn Fn(&Alert) -> (String, String)| {
        let mut m: BTreeMap<String, BypassRow> = BTreeMap::new();
        for a in &bypassed {
            let (k, label) = key(a);
            let row = m.entry(k.clone()).or_insert(BypassRow {
                key: k,
                label,
                open: 0,
                all: 0,
            });
            row.all += 1;
            row.open += u64::from(a.is_open_at(as_of));
        }
        let mut rows: Vec<BypassRow> = m.into_values().collect();
        rows.sort_by(|a, b| b.all.cmp(&a.all).then_with(|| a.key.cmp(&b.key)));
        rows.truncate(TOP);
        rows
    };
    pp.by_secret_type = bypass_rows(&|a| (a.secret_type.clone(), a.display_name().to_string()));
    pp.by_repository = bypass_rows(&|a| {
        (
            a.repository.full_name.clone(),
            a.repository.full_name.clone(),
        )
    });

    // campaigns: the seed's filters, then the configured ones
    let candidate = |campaign: Option<&str>, filter_text: &str, f: &Filter| {
        let targeted: Vec<&Alert> = open
            .iter()
            .copied()
            .filter(|a| f.matches_campaign(a))
            .collect();
        let n = targeted.len() as u64;
        Candidate {
            campaign: campaign.map(str::to_string),
            filter: filter_text.to_string(),
            open: n,
            fits: n <= CAMPAIGN_LIMIT,
            over_by: n.saturating_sub(CAMPAIGN_LIMIT),
            url: site.alerts_filter_url(filter_text),
            narrower: narrower(filter_text, &targeted),
        }
    };
    let mut candidates: Vec<Candidate> = seed_filters
        .iter()
        .filter_map(|(f, _)| Filter::parse(f).ok().map(|p| candidate(None, f, &p)))
        .collect();
    candidates.extend(
        campaigns
            .iter()
            .map(|c| candidate(Some(c.id), c.filter_text, c.filter)),
    );
    let mut overlaps = Vec::new();
    for (i, a) in campaigns.iter().enumerate() {
        for b in &campaigns[i + 1..] {
            let n = open
                .iter()
                .filter(|x| a.filter.matches_campaign(x) && b.filter.matches_campaign(x))
                .count() as u64;
            if n > 0 {
                overlaps.push(Overlap {
                    a: a.id.to_string(),
                    b: b.id.to_string(),
                    open: n,
                });
            }
        }
    }
    let uncovered_now: Vec<&Alert> = open
        .iter()
        .copied()
        .filter(|a| !campaigns.iter().any(|c| c.filter.matches_campaign(a)))
        .collect();
    let uncovered_then: Vec<&Alert> = open_then
        .iter()
        .copied()
        .filter(|a| !campaigns.iter().any(|c| c.filter.matches_campaign(a)))
        .collect();
    let uncovered = Uncovered {
        open: uncovered_now.len() as u64,
        repositories: uncovered_now
            .iter()
            .map(|a| a.repository.full_name.as_str())
            .collect::<BTreeSet<_>>()
            .len() as u64,
        slices: seed_filters
            .iter()
            .filter_map(|(f, l)| slice(f, l, &uncovered_now, &uncovered_then))
            .filter(|s| s.open > 0)
            .collect(),
    };

    Overview {
        schema: SCHEMA.to_string(),
        org: org.to_string(),
        as_of,
        read_since,
        results,
        trend,
        slices,
        push_protection: pp,
        by_provider,
        by_secret_type,
        by_repository,
        candidates,
        overlaps,
        uncovered,
        escalated: Vec::new(),
    }
}

/// Counts open alerts of each kind at `t`, for a trend point.
pub fn open_at(alerts: &[Alert], t: DateTime<Utc>) -> (u64, u64) {
    let open = alerts.iter().filter(|a| a.is_open_at(t));
    let (mut default, mut generic) = (0, 0);
    for a in open {
        if a.generic {
            generic += 1;
        } else {
            default += 1;
        }
    }
    (default, generic)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Validity, testkit};
    use chrono::TimeZone;

    fn t(m: u32, d: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, m, d, 0, 0, 0).unwrap()
    }

    struct Spec {
        repo: &'static str,
        number: u64,
        created: DateTime<Utc>,
        resolved: Option<DateTime<Utc>>,
        provider: Option<&'static str>,
        secret_type: &'static str,
        validity: Option<Validity>,
        public: bool,
        multi: bool,
        bypassed_at: Option<DateTime<Utc>>,
        generic: bool,
    }

    fn alert(s: Spec) -> Alert {
        Alert {
            state: None,
            resolution: s.resolved.map(|_| "revoked".into()),
            resolved_at: s.resolved,
            secret_type: s.secret_type.into(),
            provider: s.provider.map(|p| p.to_uppercase()),
            provider_slug: s.provider.map(str::to_string),
            push_protection_bypassed: Some(s.bypassed_at.is_some()),
            validity: s.validity,
            publicly_leaked: Some(s.public),
            multi_repo: Some(s.multi),
            push_protection_bypassed_at: s.bypassed_at,
            generic: s.generic,
            ..testkit::alert(s.repo, s.number, s.created)
        }
    }

    fn spec(repo: &'static str, number: u64, created: DateTime<Utc>) -> Spec {
        Spec {
            repo,
            number,
            created,
            resolved: None,
            provider: None,
            secret_type: "x",
            validity: Some(Validity::Inactive),
            public: false,
            multi: false,
            bypassed_at: None,
            generic: false,
        }
    }

    /// Seven alerts, every number worked out by hand (T = 2026-11-23, the week from 11-16).
    fn fixture() -> Vec<Alert> {
        vec![
            alert(Spec {
                provider: Some("azure"),
                secret_type: "azure_storage_account_key",
                validity: Some(Validity::Active),
                public: true,
                bypassed_at: Some(t(10, 1)),
                ..spec("acme/web", 1, t(10, 1))
            }),
            alert(Spec {
                provider: Some("azure"),
                secret_type: "azure_storage_account_key",
                ..spec("acme/web", 2, t(11, 18))
            }),
            alert(Spec {
                provider: Some("aws"),
                secret_type: "aws_access_key_id",
                validity: Some(Validity::Active),
                multi: true,
                ..spec("acme/api", 1, t(9, 1))
            }),
            alert(Spec {
                provider: Some("aws"),
                secret_type: "aws_access_key_id",
                resolved: Some(t(11, 20)),
                bypassed_at: Some(t(9, 1)),
                ..spec("acme/api", 2, t(9, 1))
            }),
            alert(Spec {
                secret_type: "password",
                validity: None,
                generic: true,
                ..spec("acme/db", 1, t(11, 1))
            }),
            alert(Spec {
                secret_type: "password",
                validity: None,
                generic: true,
                resolved: Some(t(11, 1)),
                ..spec("acme/db", 2, t(10, 1))
            }),
            alert(Spec {
                provider: Some("github"),
                secret_type: "github_personal_access_token",
                validity: Some(Validity::Active),
                bypassed_at: Some(t(11, 17)),
                ..spec("acme/web", 3, t(11, 17))
            }),
        ]
    }

    fn run(alerts: &[Alert]) -> Overview {
        let az = Filter::parse("provider:azure").unwrap();
        let live = Filter::parse("is:open validity:active").unwrap();
        let campaigns = [
            Planned {
                id: "az",
                filter_text: "provider:azure",
                filter: &az,
            },
            Planned {
                id: "live",
                filter_text: "is:open validity:active",
                filter: &live,
            },
        ];
        compute(
            "acme",
            alerts,
            &campaigns,
            t(11, 23),
            None,
            Vec::new(),
            &Site::default(),
        )
    }

    #[test]
    fn every_number_of_the_overview() {
        let o = run(&fixture());
        assert_eq!(
            o.results.default,
            ResultsCounts {
                open: 4,
                repositories: 2,
                new_this_week: 2,
                resolved_this_week: 1,
                open_week_ago: 3
            }
        );
        assert_eq!(
            o.results.generic,
            ResultsCounts {
                open: 1,
                repositories: 1,
                new_this_week: 0,
                resolved_this_week: 0,
                open_week_ago: 1
            }
        );
        let slices: Vec<(&str, u64, u64, i64)> = o
            .slices
            .iter()
            .map(|s| (s.filter.as_str(), s.open, s.open_week_ago, s.change))
            .collect();
        assert_eq!(
            slices,
            [
                ("publicly-leaked", 1, 1, 0),
                ("is:multi-repository", 1, 1, 0),
                ("validity:active", 3, 2, 1),
                ("bypassed:true", 2, 2, 0),
                ("provider:azure", 2, 1, 1),
                ("provider:aws", 1, 2, -1),
                ("provider:github", 1, 0, 1),
            ]
        );
        let pp = &o.push_protection;
        assert_eq!(
            (pp.bypassed_open, pp.bypassed_all, pp.bypassed_28d),
            (2, 3, 1)
        );
        let by_type: Vec<(&str, u64, u64)> = pp
            .by_secret_type
            .iter()
            .map(|r| (r.key.as_str(), r.open, r.all))
            .collect();
        assert_eq!(
            by_type,
            [
                ("aws_access_key_id", 0, 1),
                ("azure_storage_account_key", 1, 1),
                ("github_personal_access_token", 1, 1)
            ]
        );
        let by_repo: Vec<(&str, u64, u64)> = pp
            .by_repository
            .iter()
            .map(|r| (r.key.as_str(), r.open, r.all))
            .collect();
        assert_eq!(by_repo, [("acme/web", 2, 2), ("acme/api", 0, 1)]);
        let providers: Vec<(&str, u64)> = o
            .by_provider
            .top
            .iter()
            .map(|r| (r.key.as_str(), r.open))
            .collect();
        assert_eq!(providers, [("azure", 2), ("aws", 1), ("github", 1)]);
        assert_eq!(o.by_repository.top[0].key, "acme/web");
        assert_eq!(o.by_repository.top[0].open, 3);
        let candidates: Vec<(Option<&str>, &str, u64)> = o
            .candidates
            .iter()
            .map(|c| (c.campaign.as_deref(), c.filter.as_str(), c.open))
            .collect();
        assert_eq!(
            candidates,
            [
                (None, "publicly-leaked", 1),
                (None, "is:multi-repository", 1),
                (None, "validity:active", 3),
                (None, "bypassed:true", 2),
                (None, "provider:azure", 2),
                (None, "provider:aws", 1),
                (None, "provider:github", 1),
                (Some("az"), "provider:azure", 2),
                (Some("live"), "is:open validity:active", 3),
            ]
        );
        assert!(o.candidates.iter().all(|c| c.fits && c.over_by == 0));
        assert_eq!(
            o.overlaps,
            [Overlap {
                a: "az".into(),
                b: "live".into(),
                open: 1
            }]
        );
        // only the generic password is in no campaign, and in none of the seed's slices
        assert_eq!((o.uncovered.open, o.uncovered.repositories), (1, 1));
        assert!(o.uncovered.slices.is_empty());
    }

    #[test]
    fn a_filter_over_githubs_limit_says_by_how_much() {
        let many: Vec<Alert> = (0..1003)
            .map(|n| {
                alert(Spec {
                    provider: Some("gcp"),
                    ..spec("acme/big", n + 1, t(10, 1))
                })
            })
            .collect();
        let o = run(&many);
        let gcp = o
            .candidates
            .iter()
            .find(|c| c.filter == "provider:gcp")
            .unwrap();
        assert_eq!((gcp.open, gcp.fits, gcp.over_by), (1003, false, 3));
        // none of them is in a configured campaign: all uncovered, in the gcp slice
        assert_eq!(o.uncovered.open, 1003);
        assert_eq!(o.uncovered.slices[0].filter, "provider:gcp");
    }

    #[test]
    fn the_markdown_stays_under_githubs_limit_with_100000_alerts() {
        let providers = [
            "azure", "aws", "gcp", "github", "slack", "stripe", "npm", "twilio",
        ];
        let alerts: Vec<Alert> = (0..100_000u64)
            .map(|n| {
                let repo: &'static str =
                    Box::leak(format!("acme/repository-{}", n % 3000).into_boxed_str());
                let kind: &'static str =
                    Box::leak(format!("secret_type_{}", n % 90).into_boxed_str());
                alert(Spec {
                    provider: Some(providers[(n % 8) as usize]),
                    secret_type: kind,
                    bypassed_at: (n % 11 == 0).then(|| t(10, 1)),
                    ..spec(repo, n, t(10, 1))
                })
            })
            .collect();
        let o = run(&alerts);
        let md = crate::render::Templates::load(None)
            .unwrap()
            .overview_markdown(&o, &Site::default())
            .unwrap();
        assert!(
            md.chars().count() < 65_536,
            "{} characters",
            md.chars().count()
        );
        assert!(
            md.contains("| 2985 more repositories |"),
            "{}",
            &md[md.len() - 2000..]
        );
    }

    /// A filter over GitHub's 1,000-alert limit gets narrower ones from its own breakdown.
    #[test]
    fn a_filter_over_the_campaign_limit_gets_narrower_ones_that_fit() {
        let created = Utc.with_ymd_and_hms(2026, 10, 1, 0, 0, 0).unwrap();
        let alerts: Vec<Alert> = (0..1200u64)
            .map(|n| Alert {
                provider_slug: Some("azure".into()),
                secret_type: if n < 900 {
                    "azure_storage_account_key"
                } else {
                    "azure_sql_connection_string"
                }
                .into(),
                validity: Some(if n < 700 {
                    Validity::Active
                } else {
                    Validity::Inactive
                }),
                publicly_leaked: Some(n % 100 == 0),
                ..testkit::alert(if n % 2 == 0 { "acme/web" } else { "acme/api" }, n, created)
            })
            .collect();
        let targeted: Vec<&Alert> = alerts.iter().collect();
        let found = narrower("provider:azure", &targeted);
        assert_eq!(
            found,
            [
                Narrower {
                    filter: "provider:azure validity:active".into(),
                    open: 700
                },
                Narrower {
                    filter: "provider:azure publicly-leaked".into(),
                    open: 12
                },
                Narrower {
                    filter: "provider:azure secret-type:azure_storage_account_key".into(),
                    open: 900
                },
            ]
        );
        // a filter that already names validity gets other slices; one that fits, none
        let found = narrower("validity:active provider:azure", &targeted);
        assert!(
            found.iter().all(|c| !c.filter.ends_with("validity:active")),
            "{found:?}"
        );
        assert!(narrower("provider:azure", &targeted[..1000]).is_empty());
    }
}
