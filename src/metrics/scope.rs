//! A campaign's alerts reduced once to compact rows, and every number at any instant computed
//! from them (README, "The numbers"): the current week for the report, reconstructed weeks for the history.

use super::*;

/// A campaign's alerts whatever the instant: its filter and `starts_on` applied once, the
/// alerts sorted by creation (those in scope at any T are a prefix) and reduced to compact
/// rows of what the numbers read, with repositories, secret types and resolutions numbered
/// in name order. A week's numbers then read one small contiguous array: reconstructing 26
/// weeks of 100,000 alerts is a sweep, not 26 walks through every alert's record.
pub struct Scope<'a> {
    campaign: &'a Campaign,
    /// The alerts, sorted by creation; `rows[i]` is `alerts[i]`.
    alerts: Vec<&'a Alert>,
    rows: Vec<Row>,
    /// Repository names by number, in name order.
    repos: Vec<&'a str>,
    /// Secret types (machine name, display name of its first alert) by number, in name order.
    types: Vec<(&'a str, &'a str)>,
    /// Resolutions by number, in name order (`unknown` for none).
    resolutions: Vec<&'a str>,
    /// Members left out because they were resolved before the campaign started.
    closed_before_start: u64,
}

/// What the numbers read of one alert.
#[derive(Debug, Clone, Copy)]
struct Row {
    created: DateTime<Utc>,
    resolved: Option<DateTime<Utc>>,
    repo: u32,
    secret_type: u32,
    resolution: u32,
    validity: Validity,
    /// [`PUBLIC`], [`MULTI_REPO`], [`BYPASSED`], [`UNASSIGNED`], [`FALSE_POSITIVE`], [`KEPT`],
    /// [`ACCEPTED`].
    flags: u8,
}

const PUBLIC: u8 = 1;
const MULTI_REPO: u8 = 2;
const BYPASSED: u8 = 4;
const UNASSIGNED: u8 = 8;
const FALSE_POSITIVE: u8 = 16;
/// A member that no longer matches the whole filter on its current fields.
const KEPT: u8 = 32;
/// Dismissed (resolved other than `revoked`) while GitHub still calls the secret valid: a
/// risk someone accepted.
const ACCEPTED: u8 = 64;

impl Row {
    fn has(&self, flag: u8) -> bool {
        self.flags & flag != 0
    }

    fn is_open_at(&self, t: DateTime<Utc>) -> bool {
        self.created <= t && self.resolved.is_none_or(|r| r > t)
    }

    /// Time to fix in milliseconds; false positives left out (never a leak to fix).
    fn time_to_fix(&self) -> Option<i64> {
        self.resolved
            .filter(|_| !self.has(FALSE_POSITIVE))
            .map(|r| (r - self.created).num_milliseconds())
    }
}

/// Numbers names in name order: the name's number for each item, and the names.
fn numbered<'a>(names: impl Iterator<Item = &'a str> + Clone) -> (Vec<u32>, Vec<&'a str>) {
    let mut sorted: Vec<&str> = names.clone().collect();
    sorted.sort_unstable();
    sorted.dedup();
    let index: std::collections::HashMap<&str, u32> = sorted
        .iter()
        .enumerate()
        .map(|(i, n)| (*n, u32::try_from(i).unwrap_or(u32::MAX)))
        .collect();
    (names.map(|n| index[n]).collect(), sorted)
}

impl<'a> Scope<'a> {
    /// The campaign's alerts among `alerts` (its scope, T aside).
    pub fn new(alerts: &'a [Alert], campaign: &'a Campaign) -> Scope<'a> {
        let start = campaign.info.starts_on.map(midnight);
        let mut closed_before_start = 0u64;
        let mut scoped: Vec<&Alert> = alerts
            .iter()
            .filter(|a| campaign.is_member(a))
            .filter(|a| {
                let kept = match (a.resolved_at, start) {
                    (Some(resolved), Some(start)) => resolved >= start,
                    _ => true,
                };
                closed_before_start += u64::from(!kept);
                kept
            })
            .collect();
        // stable: alerts created in the same second keep the order they came in
        scoped.sort_by_key(|a| a.created_at);
        let (repo_of, repos) = numbered(scoped.iter().map(|a| a.repository.full_name.as_str()));
        let (type_of, type_names) = numbered(scoped.iter().map(|a| a.secret_type.as_str()));
        let (resolution_of, resolutions) = numbered(
            scoped
                .iter()
                .map(|a| a.resolution.as_deref().unwrap_or("unknown")),
        );
        let mut display: Vec<Option<&str>> = vec![None; type_names.len()];
        let rows = scoped
            .iter()
            .enumerate()
            .map(|(i, a)| {
                let flag = |on: bool, f: u8| if on { f } else { 0 };
                display[type_of[i] as usize].get_or_insert_with(|| a.display_name());
                Row {
                    created: a.created_at,
                    resolved: a.resolved_at,
                    repo: repo_of[i],
                    secret_type: type_of[i],
                    resolution: resolution_of[i],
                    validity: a.validity(),
                    flags: flag(a.publicly_leaked == Some(true), PUBLIC)
                        | flag(a.multi_repo == Some(true), MULTI_REPO)
                        | flag(a.push_protection_bypassed == Some(true), BYPASSED)
                        | flag(a.assigned_to.is_none(), UNASSIGNED)
                        | flag(
                            a.resolution.as_deref() == Some("false_positive"),
                            FALSE_POSITIVE,
                        )
                        | flag(!campaign.filter.matches_campaign(a), KEPT)
                        | flag(
                            a.resolved_at.is_some()
                                && a.validity() == Validity::Active
                                && a.resolution.as_deref() != Some("revoked"),
                            ACCEPTED,
                        ),
                }
            })
            .collect();
        let types = type_names
            .iter()
            .zip(display)
            .map(|(name, shown)| (*name, shown.unwrap_or(name)))
            .collect();
        Scope {
            campaign,
            alerts: scoped,
            rows,
            repos,
            types,
            resolutions,
            closed_before_start,
        }
    }

    /// The open members at `t`, to record: an alert that was a member while open stays one
    /// (see [`crate::membership`]).
    pub fn open_at(&self, t: DateTime<Utc>) -> impl Iterator<Item = &'a Alert> + '_ {
        self.rows[..self.count_at(t)]
            .iter()
            .zip(&self.alerts)
            .filter(move |(r, _)| r.is_open_at(t))
            .map(|(_, a)| *a)
    }

    /// The alerts in scope at `t` (those created by then), oldest first.
    pub fn known_at(&self, t: DateTime<Utc>) -> &[&'a Alert] {
        &self.alerts[..self.count_at(t)]
    }

    /// How many members (resolved before the start or not) were created after `t`.
    pub fn created_after(&self, t: DateTime<Utc>) -> u64 {
        (self.rows.len() - self.count_at(t)) as u64
    }

    /// When the campaign's first alert was created.
    pub fn first_created(&self) -> Option<DateTime<Utc>> {
        self.rows.first().map(|r| r.created)
    }

    /// How many alerts are in scope at `t`: those created by then are the first ones.
    pub(super) fn count_at(&self, t: DateTime<Utc>) -> usize {
        self.rows.partition_point(|r| r.created <= t)
    }

    /// Every §5 number at `as_of`, with the at-risk list and owners for the reports.
    pub fn metrics(&self, as_of: DateTime<Utc>, risk: &RiskSettings) -> Metrics {
        self.compute(as_of, risk, true)
    }

    /// The numbers a history line keeps at `t` (a reconstructed week): no at-risk list, no
    /// owners, only their counts.
    pub fn snapshot(&self, t: DateTime<Utc>, risk: &RiskSettings) -> Metrics {
        self.compute(t, risk, false)
    }

    /// The numbers at `as_of`; `full` adds the at-risk list, the owners and the playbooks,
    /// which read the alerts themselves.
    fn compute(&self, as_of: DateTime<Utc>, risk: &RiskSettings, full: bool) -> Metrics {
        let campaign = self.campaign;
        let week_ago = as_of - Duration::days(7);
        let month_ago = as_of - Duration::days(28);
        let today = as_of.date_naive();
        let n = self.count_at(as_of);

        let mut open = 0u64;
        let mut closed = 0u64;
        let mut resolved_this_week = 0u64;
        let mut new_this_week = 0u64;
        let mut open_week_ago = 0u64;
        let mut fixed_28d = 0u64;
        let mut new_28d = 0u64;
        let mut by_resolution = vec![0u64; self.resolutions.len()];
        let mut closed_by_resolution = vec![0u64; self.resolutions.len()];
        let mut by_validity = ValidityCounts::default();
        let mut flags = OpenFlags::default();
        let mut by_type = vec![0u64; self.types.len()];
        let (mut risky_count, mut critical_count) = (0u64, 0u64);
        let mut fix_ms: Vec<i64> = Vec::new();
        let mut fix_ms_28d: Vec<i64> = Vec::new();
        let mut repos: Vec<Option<RepoStats>> = vec![None; self.repos.len()];
        let mut open_rows: Vec<usize> = Vec::new();
        let mut kept = 0u64;
        let mut kept_rows: Vec<usize> = Vec::new();
        let mut accepted_rows: Vec<usize> = Vec::new();

        for (i, r) in self.rows[..n].iter().enumerate() {
            let repo = repos[r.repo as usize].get_or_insert_with(|| RepoStats {
                repo: self.repos[r.repo as usize].to_string(),
                open: 0,
                closed: 0,
                resolved_this_week: 0,
                new_this_week: 0,
                last_resolved_at: None,
                last_resolution: None,
                owner: None,
                open_week_ago: 0,
            });
            if r.has(KEPT) {
                kept += 1;
                if full {
                    kept_rows.push(i);
                }
            }
            if r.is_open_at(as_of) {
                open += 1;
                repo.open += 1;
                match r.validity {
                    Validity::Active => by_validity.active += 1,
                    Validity::Inactive => by_validity.inactive += 1,
                    Validity::Unknown => by_validity.unknown += 1,
                }
                flags.publicly_leaked += u64::from(r.has(PUBLIC));
                flags.multi_repo += u64::from(r.has(MULTI_REPO));
                flags.push_protection_bypassed += u64::from(r.has(BYPASSED));
                flags.unassigned += u64::from(r.has(UNASSIGNED));
                by_type[r.secret_type as usize] += 1;
                if let Some(risk) = Risk::of(r, campaign.sla_days, as_of) {
                    risky_count += 1;
                    critical_count += u64::from(risk.is_critical());
                }
                if full {
                    open_rows.push(i);
                }
            }
            if r.resolved.is_some_and(|t| t <= as_of) {
                closed += 1;
                repo.closed += 1;
                if r.resolved > repo.last_resolved_at {
                    repo.last_resolved_at = r.resolved;
                    repo.last_resolution =
                        Some(self.resolutions[r.resolution as usize].to_string());
                }
                closed_by_resolution[r.resolution as usize] += 1;
                if r.has(ACCEPTED) {
                    accepted_rows.push(i);
                }
            }
            if in_window(r.resolved, week_ago, as_of) {
                resolved_this_week += 1;
                repo.resolved_this_week += 1;
                by_resolution[r.resolution as usize] += 1;
                fix_ms.extend(r.time_to_fix());
            }
            if in_window(Some(r.created), week_ago, as_of) {
                new_this_week += 1;
                repo.new_this_week += 1;
            }
            if r.is_open_at(week_ago) {
                open_week_ago += 1;
                repo.open_week_ago += 1;
            }
            if in_window(r.resolved, month_ago, as_of) {
                fixed_28d += 1;
                fix_ms_28d.extend(r.time_to_fix());
            }
            if in_window(Some(r.created), month_ago, as_of) {
                new_28d += 1;
            }
        }

        let total = open + closed;
        let totals = Totals {
            open,
            closed,
            total,
            progress_pct: if total == 0 {
                100.0
            } else {
                ratio(100 * i128::from(closed), i128::from(total), 1)
            },
            resolved_this_week,
            new_this_week,
            open_week_ago,
            net_change: open as i64 - open_week_ago as i64,
            kept: Some(kept),
        };
        let all_repos: Vec<RepoStats> = repos.into_iter().flatten().collect();
        let mut lists = repo_lists(&all_repos, as_of, risk);
        self.name_stalled_owners(&mut lists.stalled, n, as_of);
        let forecast = forecast(
            Pace {
                open,
                fixed_28d,
                new_28d,
                critical: critical_count,
            },
            campaign.info.due_on,
            today,
        );
        let named = |counts: Vec<u64>, names: &[&str]| -> BTreeMap<String, u64> {
            counts
                .into_iter()
                .zip(names)
                .filter(|(c, _)| *c > 0)
                .map(|(c, name)| (name.to_string(), c))
                .collect()
        };
        let type_names: Vec<&str> = self.types.iter().map(|(name, _)| *name).collect();
        let secret_type_names = self
            .types
            .iter()
            .zip(&by_type)
            .filter(|(_, c)| **c > 0)
            .map(|((name, shown), _)| (name.to_string(), shown.to_string()))
            .collect();
        let extras = if full {
            self.extras(&open_rows, as_of)
        } else {
            Extras::default()
        };
        let risk_acceptances = RiskAcceptances {
            count: accepted_rows.len() as u64,
            list: if full {
                let mut list: Vec<RiskAcceptance> = accepted_rows
                    .iter()
                    .filter_map(|&i| risk_acceptance(self.alerts[i]))
                    .collect();
                list.sort_by(|a, b| {
                    b.resolved_at
                        .cmp(&a.resolved_at)
                        .then_with(|| a.repo.cmp(&b.repo))
                        .then_with(|| a.number.cmp(&b.number))
                });
                list.truncate(risk.top_alerts);
                list
            } else {
                Vec::new()
            },
        };
        let few_open = if full && open <= FEW_OPEN {
            open_rows
                .iter()
                .map(|&i| {
                    let risk =
                        Risk::of(&self.rows[i], campaign.sla_days, as_of).unwrap_or_default();
                    at_risk_entry(self.alerts[i], risk, as_of)
                })
                .collect()
        } else {
            Vec::new()
        };
        let kept_detail = if full {
            self.kept(&kept_rows, as_of)
        } else {
            Kept::default()
        };
        Metrics {
            as_of,
            window: Window {
                start: week_ago,
                end: as_of,
            },
            totals,
            resolved_this_week_by_resolution: named(by_resolution, &self.resolutions),
            open_by_validity: by_validity,
            open_flags: flags,
            open_by_secret_type: named(by_type, &type_names),
            open_by_playbook: extras.by_playbook,
            closed_by_resolution: named(closed_by_resolution, &self.resolutions),
            mttr_days_median: median_days(&mut fix_ms),
            mttr_days_median_28d: median_days(&mut fix_ms_28d),
            forecast,
            repos: lists,
            at_risk: AtRisk {
                count: risky_count,
                critical_count,
                top: extras
                    .at_risk
                    .iter()
                    .take(risk.top_alerts)
                    .cloned()
                    .collect(),
            },
            owners: extras.owners,
            risk_acceptances,
            details: Details {
                at_risk: full.then_some(extras.at_risk),
                secret_type_names,
                repos_with_open: all_repos.iter().filter(|r| r.open > 0).count() as u64,
                owners_unknown: extras.owners_unknown,
                kept: kept_detail,
                few_open,
                closed_before_start: self.closed_before_start,
                new_since_github_campaign: None,
            },
            all_repos,
        }
    }

    /// What the kept alerts (`kept_rows`) are and which terms of the filter they no longer
    /// match.
    fn kept(&self, kept_rows: &[usize], as_of: DateTime<Utc>) -> Kept {
        let mut kept = Kept::default();
        let mut missed: std::collections::BTreeSet<&str> = Default::default();
        for &i in kept_rows {
            let (a, r) = (self.alerts[i], &self.rows[i]);
            if r.is_open_at(as_of) {
                kept.open += 1;
            } else {
                kept.closed += 1;
                kept.fixed += u64::from(self.resolutions[r.resolution as usize] == "revoked");
            }
            missed.extend(self.campaign.filter.unmatched_terms(a));
        }
        // in the order the filter names them
        kept.terms = self
            .campaign
            .filter
            .canonical()
            .split(' ')
            .filter(|t| missed.contains(t))
            .map(str::to_string)
            .collect();
        kept.terms.dedup();
        kept
    }

    /// The at-risk list, owners and playbooks of the open alerts (`open_rows`) at `as_of`.
    fn extras(&self, open_rows: &[usize], as_of: DateTime<Utc>) -> Extras {
        let mut at_risk = Vec::new();
        let mut owners: BTreeMap<(String, OwnerKind), OwnerStats> = BTreeMap::new();
        let mut unowned = Unowned::default();
        let mut owners_unknown: BTreeMap<String, u64> = BTreeMap::new();
        let mut by_playbook: BTreeMap<String, u64> = BTreeMap::new();
        for &i in open_rows {
            let (a, r) = (self.alerts[i], &self.rows[i]);
            if !a.playbook.is_empty() {
                *by_playbook.entry(a.playbook.clone()).or_insert(0) += 1;
            }
            let alert_risk = Risk::of(r, self.campaign.sla_days, as_of);
            let (risky, critical) = alert_risk.map_or((false, false), |r| (true, r.is_critical()));
            if let Some(risk) = alert_risk {
                at_risk.push((a.created_at, at_risk_entry(a, risk, as_of)));
            }
            match &a.owner {
                Ownership::Owned(o) => {
                    let stats =
                        owners
                            .entry((o.name.clone(), o.kind))
                            .or_insert_with(|| OwnerStats {
                                owner: o.name.clone(),
                                kind: o.kind,
                                open: 0,
                                at_risk: 0,
                                critical: 0,
                                oldest_age_days: 0,
                                sources: BTreeMap::new(),
                            });
                    stats.open += 1;
                    stats.at_risk += u64::from(risky);
                    stats.critical += u64::from(critical);
                    stats.oldest_age_days =
                        stats.oldest_age_days.max((as_of - a.created_at).num_days());
                    *stats
                        .sources
                        .entry(o.source.as_str().to_string())
                        .or_insert(0) += 1;
                }
                other => {
                    unowned.open += 1;
                    unowned.at_risk += u64::from(risky);
                    if let Ownership::Unknown(why) = other {
                        *owners_unknown.entry(why.clone()).or_insert(0) += 1;
                    }
                }
            }
        }
        at_risk.sort_by(|(ca, a), (cb, b)| {
            b.score
                .cmp(&a.score)
                .then_with(|| ca.cmp(cb))
                .then_with(|| a.repo.cmp(&b.repo))
                .then_with(|| a.number.cmp(&b.number))
        });
        let mut list: Vec<OwnerStats> = owners.into_values().collect();
        list.sort_by(|a, b| {
            b.at_risk
                .cmp(&a.at_risk)
                .then_with(|| b.open.cmp(&a.open))
                .then_with(|| a.owner.cmp(&b.owner))
        });
        Extras {
            at_risk: at_risk.into_iter().map(|(_, e)| e).collect(),
            owners: Owners { unowned, list },
            owners_unknown,
            by_playbook,
        }
    }
}

/// What only the current week's report shows, read from the alerts themselves.
#[derive(Default)]
struct Extras {
    at_risk: Vec<AtRiskAlert>,
    owners: Owners,
    owners_unknown: BTreeMap<String, u64>,
    by_playbook: BTreeMap<String, u64>,
}

/// Risk of an open alert at T: its reasons and score (none for an alert not at risk).
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Risk {
    pub(super) active: bool,
    pub(super) public: bool,
    pub(super) past_sla: bool,
    pub(super) multi_repo: bool,
    pub(super) bypassed: bool,
    pub(super) score: u32,
}

impl Scope<'_> {
    /// Names, for each stalled repository, the owner of most of its open alerts (ties: the
    /// first by name): whom to reach out to.
    fn name_stalled_owners(&self, stalled: &mut [RepoStats], n: usize, as_of: DateTime<Utc>) {
        if stalled.is_empty() {
            return;
        }
        let wanted: BTreeMap<&str, usize> = stalled
            .iter()
            .enumerate()
            .map(|(i, r)| (r.repo.as_str(), i))
            .collect();
        let mut counts: Vec<BTreeMap<&str, u64>> = vec![BTreeMap::new(); stalled.len()];
        for (row, alert) in self.rows[..n].iter().zip(&self.alerts) {
            if !row.is_open_at(as_of) {
                continue;
            }
            let Some(&i) = wanted.get(self.repos[row.repo as usize]) else {
                continue;
            };
            if let Some(o) = alert.owner.owner() {
                *counts[i].entry(o.name.as_str()).or_insert(0) += 1;
            }
        }
        for (r, c) in stalled.iter_mut().zip(counts) {
            r.owner = c
                .into_iter()
                .max_by(|a, b| a.1.cmp(&b.1).then_with(|| b.0.cmp(a.0)))
                .map(|(name, _)| name.to_string());
        }
    }
}

impl Risk {
    fn of(r: &Row, sla_days: u32, as_of: DateTime<Utc>) -> Option<Risk> {
        let age_days = (as_of - r.created).num_days();
        let active = r.validity == Validity::Active;
        let public = r.has(PUBLIC);
        let past_sla = age_days > i64::from(sla_days);
        if !(active || public || past_sla) {
            return None;
        }
        let score = 3 * u32::from(active)
            + 3 * u32::from(public)
            + 2 * u32::from(past_sla)
            + u32::from(r.has(MULTI_REPO))
            + u32::from(r.has(BYPASSED))
            + u32::from(r.has(UNASSIGNED));
        Some(Risk {
            active,
            public,
            past_sla,
            multi_repo: r.has(MULTI_REPO),
            bypassed: r.has(BYPASSED),
            score,
        })
    }

    fn is_critical(self) -> bool {
        self.active && self.public && self.past_sla
    }
}
