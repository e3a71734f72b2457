//! The overview computed in named steps: what was read at T, default and generic results,
//! rankings, the first-look slices, push protection, campaign candidates, overlaps and what no
//! campaign covers.

use super::*;

/// The alerts as the steps read them: known at T, open at T, open a week before.
struct Read<'a> {
    as_of: DateTime<Utc>,
    week_ago: DateTime<Utc>,
    known: Vec<&'a Alert>,
    open: Vec<&'a Alert>,
    open_then: Vec<&'a Alert>,
}

impl<'a> Read<'a> {
    fn new(alerts: &'a [Alert], as_of: DateTime<Utc>) -> Read<'a> {
        let week_ago = as_of - Duration::days(7);
        let known: Vec<&Alert> = alerts.iter().filter(|a| a.created_at <= as_of).collect();
        let open = known
            .iter()
            .copied()
            .filter(|a| a.is_open_at(as_of))
            .collect();
        let open_then = known
            .iter()
            .copied()
            .filter(|a| a.is_open_at(week_ago))
            .collect();
        Read {
            as_of,
            week_ago,
            known,
            open,
            open_then,
        }
    }

    fn in_week(&self, t: Option<DateTime<Utc>>) -> bool {
        t.is_some_and(|t| self.week_ago <= t && t < self.as_of)
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
    let read = Read::new(alerts, as_of);
    let (by_provider, by_secret_type, by_repository) = rankings(&read.open);
    let seed_filters = seed_filters(&by_provider);
    let slices = seed_filters
        .iter()
        .filter_map(|(f, l)| slice(f, l, &read.open, &read.open_then, site))
        .collect();
    Overview {
        schema: SCHEMA.to_string(),
        org: org.to_string(),
        as_of,
        read_since,
        results: results(&read),
        trend,
        slices,
        push_protection: push_protection(&read),
        validity_by_provider: validity_by_provider(&read.open, &by_provider),
        by_provider,
        by_secret_type,
        by_repository,
        candidates: candidates(&read.open, &seed_filters, campaigns, site),
        overlaps: overlaps(&read.open, campaigns),
        uncovered: uncovered(&read, &seed_filters, campaigns, site),
        escalated: Vec::new(),
    }
}

/// Default and generic results apart.
fn results(read: &Read<'_>) -> Results {
    let mut results = Results::default();
    for (generic, counts) in [(false, &mut results.default), (true, &mut results.generic)] {
        let of_kind = |a: &&&Alert| a.generic == generic;
        counts.open = read.open.iter().filter(of_kind).count() as u64;
        counts.repositories = read
            .open
            .iter()
            .filter(of_kind)
            .map(|a| a.repository.full_name.as_str())
            .collect::<BTreeSet<_>>()
            .len() as u64;
        counts.open_week_ago = read.open_then.iter().filter(of_kind).count() as u64;
        counts.new_this_week = read
            .known
            .iter()
            .filter(of_kind)
            .filter(|a| read.in_week(Some(a.created_at)))
            .count() as u64;
        counts.resolved_this_week = read
            .known
            .iter()
            .filter(of_kind)
            .filter(|a| read.in_week(a.resolved_at))
            .count() as u64;
    }
    results
}

/// The open alerts of each provider `by_provider` lists, by validity, in its order.
fn validity_by_provider(open: &[&Alert], by_provider: &Ranked) -> Vec<ValidityRow> {
    let mut rows: Vec<ValidityRow> = by_provider
        .top
        .iter()
        .map(|r| ValidityRow {
            label: r.label.clone(),
            open: r.open,
            ..ValidityRow::default()
        })
        .collect();
    let index: BTreeMap<&str, usize> = by_provider
        .top
        .iter()
        .enumerate()
        .map(|(i, r)| (r.key.as_str(), i))
        .collect();
    for a in open {
        let key = match a.provider_slug.as_deref().filter(|s| !s.is_empty()) {
            Some(slug) => Some(slug.to_string()),
            None => provider_of(a).map(|(slug, _)| slug),
        };
        let Some(&i) = key.as_deref().and_then(|k| index.get(k)) else {
            continue;
        };
        match a.validity() {
            Validity::Active => rows[i].active += 1,
            Validity::Inactive => rows[i].inactive += 1,
            Validity::Unknown => rows[i].unknown += 1,
        }
    }
    rows
}

/// Open alerts by provider, secret type and repository.
fn rankings(open: &[&Alert]) -> (Ranked, Ranked, Ranked) {
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
    for a in open {
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
    (
        ranked(providers.iter()),
        ranked(types.iter()),
        ranked(repos.iter()),
    )
}

/// The first-look filters, then one per provider with open alerts: (filter, label).
fn seed_filters(by_provider: &Ranked) -> Vec<(String, String)> {
    SEED.iter()
        .map(|(f, l)| (f.to_string(), l.to_string()))
        .chain(
            by_provider
                .top
                .iter()
                .map(|r| (provider_filter(&r.key), format!("{} credentials", r.label))),
        )
        .collect()
}

/// The open alerts a filter slices out now and a week before.
fn slice(filter: &str, label: &str, now: &[&Alert], then: &[&Alert], site: &Site) -> Option<Slice> {
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
}

/// Push-protection bypasses: open, all, in 28 days, by secret type and by repository.
fn push_protection(read: &Read<'_>) -> PushProtection {
    let as_of = read.as_of;
    let month_ago = as_of - Duration::days(28);
    let bypassed: Vec<&Alert> = read
        .known
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
    pp
}

/// Campaigns one could create: the first-look filters, then the configured campaigns.
fn candidates(
    open: &[&Alert],
    seed_filters: &[(String, String)],
    campaigns: &[Planned<'_>],
    site: &Site,
) -> Vec<Candidate> {
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
    candidates
}

/// Open alerts two configured campaigns both target.
fn overlaps(open: &[&Alert], campaigns: &[Planned<'_>]) -> Vec<Overlap> {
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
    overlaps
}

/// Open alerts no configured campaign covers, and the first-look slices of them.
fn uncovered<'a>(
    read: &Read<'a>,
    seed_filters: &[(String, String)],
    campaigns: &[Planned<'_>],
    site: &Site,
) -> Uncovered {
    let outside = |alerts: &[&'a Alert]| -> Vec<&'a Alert> {
        alerts
            .iter()
            .copied()
            .filter(|a| !campaigns.iter().any(|c| c.filter.matches_campaign(a)))
            .collect()
    };
    let now = outside(&read.open);
    let then = outside(&read.open_then);
    Uncovered {
        open: now.len() as u64,
        repositories: now
            .iter()
            .map(|a| a.repository.full_name.as_str())
            .collect::<BTreeSet<_>>()
            .len() as u64,
        slices: seed_filters
            .iter()
            .filter_map(|(f, l)| slice(f, l, &now, &then, site))
            .filter(|s| s.open > 0)
            .collect(),
        proposed: proposal(&now, read, site),
    }
}

/// How many provider and secret-type filters [`proposal`] tries, most uncovered alerts first.
const PROPOSALS_TRIED: usize = 12;

/// The campaign that would take the most of the `uncovered` open alerts and fits GitHub's
/// 1,000-alert limit: a provider's (`provider:slug`) or a secret type's (`secret-type:t`).
fn proposal(uncovered: &[&Alert], read: &Read<'_>, site: &Site) -> Option<Proposal> {
    let mut counts: BTreeMap<String, (String, u64)> = BTreeMap::new();
    let mut add = |filter: String, label: &dyn Fn() -> String| {
        counts.entry(filter).or_insert_with(|| (label(), 0)).1 += 1;
    };
    for a in uncovered {
        if let Some((slug, name)) = provider_of(a).filter(|(s, _)| !s.contains(char::is_whitespace))
        {
            add(provider_filter(&slug), &|| format!("{name} credentials"));
        }
        if !a.secret_type.is_empty() && !a.secret_type.contains(char::is_whitespace) {
            add(format!("secret-type:{}", a.secret_type), &|| {
                a.display_name().to_string()
            });
        }
    }
    let mut ranked: Vec<(String, String, u64)> =
        counts.into_iter().map(|(f, (l, n))| (f, l, n)).collect();
    ranked.sort_by(|a, b| b.2.cmp(&a.2).then_with(|| a.0.cmp(&b.0)));
    // of those that fit, the one with most uncovered alerts beyond those it shares with
    // configured campaigns (a campaign of mostly new work), then the one with most uncovered
    ranked
        .into_iter()
        .take(PROPOSALS_TRIED)
        .filter_map(|(filter, label, n)| {
            let f = Filter::parse(&filter).ok()?;
            let open = read.open.iter().filter(|a| f.matches_campaign(a)).count() as u64;
            (open <= CAMPAIGN_LIMIT).then_some((filter, label, n, open))
        })
        .max_by(|a, b| {
            let score = |x: &(String, String, u64, u64)| 2 * x.2 as i64 - x.3 as i64;
            score(a)
                .cmp(&score(b))
                .then_with(|| a.2.cmp(&b.2))
                .then_with(|| b.0.cmp(&a.0))
        })
        .map(|(filter, label, uncovered, open)| Proposal {
            entry: campaign_entry(&label, &filter, read.as_of.date_naive()),
            url: site.alerts_filter_url(&filter),
            filter,
            label,
            open,
            uncovered,
        })
}
