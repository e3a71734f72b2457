//! Where alerts come from: GitHub's REST API, or a JSON file replayed offline.

pub mod client;
pub mod owners;
pub mod pagination;
pub mod retry;
pub mod store;

use crate::config::Config;
use crate::error::{Error, Result};
use crate::model::{Alert, CampaignRecord};
use chrono::{DateTime, Duration, Utc};
use std::collections::{BTreeMap, HashSet};
use std::path::Path;

/// Everything one run reads from its source.
#[derive(Debug, Clone, Default)]
pub struct Fetched {
    /// The organization's alerts (default and generic), each once.
    pub alerts: Vec<Alert>,
    /// GitHub security campaign records by number, for campaigns that link one.
    pub campaigns: BTreeMap<u64, CampaignRecord>,
    /// Things the reader should know about features the server lacks.
    pub notes: Vec<Note>,
    /// The alert store to write once the run holds the history's lock (README, "Incremental runs"): its path
    /// and header; its alerts are `alerts`.
    pub store: Option<(std::path::PathBuf, store::Header)>,
}

/// A note for the reports, for every campaign or only those whose filter uses a qualifier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    /// `Some("provider:")`: only campaigns filtering on it.
    pub only_filters_with: Option<&'static str>,
    /// The words.
    pub text: String,
}

/// Notes about alert fields an older server (GitHub Enterprise Server) does not send, so the
/// reports say why a number is missing instead of showing a misleading zero.
pub fn missing_features(alerts: &[Alert]) -> Vec<Note> {
    if alerts.is_empty() {
        return Vec::new();
    }
    let mut notes = Vec::new();
    if alerts.iter().all(|a| a.publicly_leaked.is_none()) {
        notes.push(Note {
            only_filters_with: None,
            text: "This GitHub server does not report whether secrets were leaked publicly: publicly leaked counts and that at-risk reason are not available.".into(),
        });
    }
    if alerts
        .iter()
        .all(|a| a.provider.is_none() && a.provider_slug.is_none())
    {
        notes.push(Note {
            only_filters_with: Some("provider:"),
            text: "This GitHub server does not report the providers of secrets, so `provider:` filters match no alert; filter by `secret-type:` instead.".into(),
        });
    }
    if alerts.iter().all(|a| a.validity.is_none()) {
        notes.push(Note {
            only_filters_with: None,
            text: "This GitHub server does not check whether secrets are still valid: every open alert counts as validity unknown.".into(),
        });
    }
    notes
}

/// The oldest `updated_at` any campaign needs at `as_of`: resolved alerts last changed before
/// it cannot be in any campaign's scope nor in the 28-day burn-rate window. `None` when a
/// campaign has no `starts_on`, which needs every alert.
pub fn needed_since(config: &Config, as_of: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let burn_window = as_of - Duration::days(28);
    config
        .campaigns
        .iter()
        .map(|c| c.starts_on.map(crate::time::midnight))
        .try_fold(burn_window, |acc, start| start.map(|s| acc.min(s)))
}

/// Fetches the organization's alerts and linked campaign records from GitHub: open alerts in
/// full, resolved ones as far back as the campaigns need.
pub async fn fetch(config: &Config, gh: &client::GitHub, as_of: DateTime<Utc>) -> Result<Fetched> {
    fetch_since(config, gh, needed_since(config, as_of)).await
}

/// Fetches the organization's alerts, resolved ones changed since `since` (every one without),
/// and the linked campaign records.
pub async fn fetch_since(
    config: &Config,
    gh: &client::GitHub,
    since: Option<DateTime<Utc>>,
) -> Result<Fetched> {
    match since {
        Some(s) => tracing::info!(
            "fetching open alerts, and resolved alerts changed since {}",
            s.format("%Y-%m-%d")
        ),
        None => tracing::info!("fetching every alert (a campaign has no starts_on)"),
    }
    gh.ensure_budget(listings(config, since.is_some()) + records_needed(config))
        .await?;
    let progress = client::Progress::new();
    let alerts = list_default_and_generic(config, gh, since, &progress).await?;
    progress.finish();
    let alerts = canonical(dedup(alerts), since);
    log_fetched(gh, &alerts);
    with_campaign_records(config, gh, alerts).await
}

/// Fetches what a weekly run needs, reading only what changed since the last run when the
/// alert store at `store_path` can be used (README, "Incremental runs"), and everything the campaigns need when
/// it cannot or `full` is set. The store to write is in the result.
pub async fn fetch_stored(
    config: &Config,
    gh: &client::GitHub,
    as_of: DateTime<Utc>,
    store_path: &Path,
    full: bool,
) -> Result<Fetched> {
    let since = needed_since(config, as_of);
    let need = store::Need {
        identity: store::Identity::new(config, gh.api()),
        as_of,
        since,
        full_refresh: config.github.full_refresh,
        now: crate::time::now(),
    };
    let stored = if full {
        Err(store::Unusable {
            why: "--full".into(),
            damaged: false,
        })
    } else {
        store::load(store_path, &need)
    };
    let started = crate::time::now();
    let clock = std::time::Instant::now();
    let (mut fetched, read_everything, previous) = match stored {
        Err(why) => {
            if why.damaged {
                tracing::warn!(
                    "the alert store is not used, and is written again after a full read: {why}"
                );
            }
            tracing::info!("reading every alert the campaigns need: {why}");
            (fetch_since(config, gh, since).await?, true, None)
        }
        Ok(store) => {
            let (alerts, complete) =
                read_changes(config, gh, since, store.alerts, &store.header).await?;
            let fetched = with_campaign_records(config, gh, alerts).await?;
            (fetched, complete, Some(store.header))
        }
    };
    let high_water = fetched
        .alerts
        .iter()
        .map(Alert::last_change)
        .chain(previous.as_ref().map(|h| h.high_water))
        .max()
        .unwrap_or(started)
        .min(started);
    let header = store::Header {
        schema: store::SCHEMA.into(),
        identity: need.identity,
        as_of,
        full_read_as_of: match &previous {
            Some(h) if !read_everything => h.full_read_as_of,
            _ => as_of,
        },
        covers_since: since,
        high_water,
        read_seconds: clock.elapsed().as_secs() + 1,
        alerts: fetched.alerts.len(),
    };
    fetched.store = Some((store_path.to_path_buf(), header));
    Ok(fetched)
}
/// The incremental read: open alerts in full, resolved ones changed since the store's
/// high-water mark (less the overlap), the store's other resolved alerts kept. When an alert
/// the store has as open is in neither listing, the store no longer matches GitHub and every
/// resolved alert the campaigns need is read again. Returns the alerts and whether that
/// happened.
async fn read_changes(
    config: &Config,
    gh: &client::GitHub,
    since: Option<DateTime<Utc>>,
    stored: Vec<Alert>,
    header: &store::Header,
) -> Result<(Vec<Alert>, bool)> {
    let back_to = since.map_or(store::read_back_to(header), |s| {
        s.max(store::read_back_to(header))
    });
    tracing::info!(
        "fetching open alerts, and resolved alerts changed since {} (the last run's, with an overlap; the alert store has the rest)",
        back_to.format("%Y-%m-%d %H:%M UTC")
    );
    // of the store's open alerts only their names are needed (were they all listed again?):
    // the rest of them is not held while the listings are read
    let (stored_open, mut kept): (Vec<Alert>, Vec<Alert>) = stored
        .into_iter()
        .partition(|a| a.state.as_deref() == Some("open"));
    let open_before: Vec<(String, u64)> = stored_open
        .iter()
        .map(|a| (a.repository.full_name.clone(), a.number))
        .collect();
    drop(stored_open);
    if let Some(since) = since {
        kept.retain(|a| a.last_change() >= since);
    }
    gh.ensure_budget(listings(config, true) + records_needed(config))
        .await?;
    let progress = client::Progress::new();
    let fresh = dedup(list_default_and_generic(config, gh, Some(back_to), &progress).await?);
    let seen: HashSet<(&str, u64)> = fresh.iter().map(key).collect();
    let vanished = open_before
        .iter()
        .filter(|(repo, number)| !seen.contains(&(repo.as_str(), *number)))
        .count();
    if vanished > 0 {
        tracing::info!(
            "{vanished} alert(s) the alert store has as open are in neither of GitHub's listings any more (a deleted or archived repository?): reading every resolved alert the campaigns need again"
        );
        drop(kept);
        let resolved = list_resolved_default_and_generic(config, gh, since, &progress).await?;
        progress.finish();
        let mut alerts = fresh;
        alerts.extend(resolved);
        let alerts = canonical(dedup(alerts), since);
        log_fetched(gh, &alerts);
        return Ok((alerts, true));
    }
    progress.finish();
    let changed = fresh.len();
    kept.retain(|a| !seen.contains(&key(a)));
    drop(seen);
    let from_store = kept.len();
    let mut alerts = fresh;
    alerts.extend(kept);
    let alerts = canonical(alerts, since);
    log_fetched(gh, &alerts);
    tracing::info!(
        "read {changed} open or changed alerts; {from_store} resolved alerts came from the alert store"
    );
    Ok((alerts, false))
}

fn log_fetched(gh: &client::GitHub, alerts: &[Alert]) {
    tracing::info!(
        "fetched {} alerts in {} requests",
        alerts.len(),
        gh.request_count()
    );
}

/// An alert's identity in the organization: repository and number.
fn key(a: &Alert) -> (&str, u64) {
    (a.repository.full_name.as_str(), a.number)
}

/// The alerts as every run leaves them, however they were read: resolved alerts changed
/// before `since` (a listing's last page reaches past it) dropped, sorted by repository and
/// number. A run from the store and a full run then compute from the same list.
fn canonical(mut alerts: Vec<Alert>, since: Option<DateTime<Utc>>) -> Vec<Alert> {
    if let Some(since) = since {
        alerts.retain(|a| a.state.as_deref() == Some("open") || a.last_change() >= since);
    }
    // sorted by moving each (large) alert once, not at every step of the sort
    let mut order: Vec<usize> = (0..alerts.len()).collect();
    order.sort_unstable_by(|&i, &j| key(&alerts[i]).cmp(&key(&alerts[j])));
    let mut slots: Vec<Option<Alert>> = alerts.into_iter().map(Some).collect();
    order.into_iter().filter_map(|i| slots[i].take()).collect()
}

/// Listings a read makes: default and generic, each open and resolved (`split`) or whole.
fn listings(config: &Config, split: bool) -> u64 {
    let passes = if config.github.generic_secret_types.is_empty() {
        1
    } else {
        2
    };
    passes * if split { 2 } else { 1 }
}

/// The campaign records a run reads.
fn records_needed(config: &Config) -> u64 {
    config
        .campaigns
        .iter()
        .filter_map(|c| c.github_campaign)
        .collect::<HashSet<_>>()
        .len() as u64
}

/// Reads the campaign records the configured campaigns link.
async fn with_campaign_records(
    config: &Config,
    gh: &client::GitHub,
    alerts: Vec<Alert>,
) -> Result<Fetched> {
    let mut fetched = Fetched {
        notes: missing_features(&alerts),
        alerts,
        ..Fetched::default()
    };
    let numbers: HashSet<u64> = config
        .campaigns
        .iter()
        .filter_map(|c| c.github_campaign)
        .collect();
    for number in numbers {
        // a missing record (404) is said in the campaign's report by resolve_campaigns
        if let Some(record) = gh.campaign(number).await? {
            fetched.campaigns.insert(number, record);
        }
    }
    Ok(fetched)
}

/// Which listings of each pass a read makes.
#[derive(Debug, Clone, Copy)]
enum Listings {
    /// Open alerts and resolved ones changed since (every alert without).
    Since(Option<DateTime<Utc>>),
    /// Resolved alerts changed since (every resolved one without).
    ResolvedSince(Option<DateTime<Utc>>),
}

/// Resolved alerts of the default and the generic results at once, generic ones marked.
async fn list_resolved_default_and_generic(
    config: &Config,
    gh: &client::GitHub,
    since: Option<DateTime<Utc>>,
    progress: &client::Progress,
) -> Result<Vec<Alert>> {
    list_passes(config, gh, Listings::ResolvedSince(since), progress).await
}

/// The default and the generic results at once (each open and resolved at once: at most four
/// listings in flight), generic alerts marked.
async fn list_default_and_generic(
    config: &Config,
    gh: &client::GitHub,
    since: Option<DateTime<Utc>>,
    progress: &client::Progress,
) -> Result<Vec<Alert>> {
    list_passes(config, gh, Listings::Since(since), progress).await
}

/// The default pass and the generic one (when generic types are configured) at once.
async fn list_passes(
    config: &Config,
    gh: &client::GitHub,
    listings: Listings,
    progress: &client::Progress,
) -> Result<Vec<Alert>> {
    let generic = &config.github.generic_secret_types;
    let generic_listing = async {
        if generic.is_empty() {
            return Ok(Vec::new());
        }
        let mut more = pass(gh, Some(generic), listings, progress).await?;
        for a in &mut more {
            a.generic = true;
        }
        Ok(more)
    };
    let (mut alerts, more) = tokio::try_join!(pass(gh, None, listings, progress), generic_listing)?;
    alerts.extend(more);
    Ok(alerts)
}

/// One pass's listings: the default results (`types` unset) or the named generic types.
async fn pass(
    gh: &client::GitHub,
    types: Option<&[String]>,
    listings: Listings,
    progress: &client::Progress,
) -> Result<Vec<Alert>> {
    match listings {
        Listings::Since(since) => gh.list_alerts(types, since, progress).await,
        Listings::ResolvedSince(since) => gh.list_resolved(types, since, progress).await,
    }
}

/// Marks the alerts whose secret type is one of the generic ones.
pub fn mark_generic(alerts: &mut [Alert], generic_secret_types: &[String]) {
    let generic: HashSet<&str> = generic_secret_types.iter().map(String::as_str).collect();
    for a in alerts {
        a.generic = generic.contains(a.secret_type.as_str());
    }
}

/// Fetches only the organization's open alerts (default and generic): what `preview` needs.
pub async fn fetch_open(
    config: &Config,
    gh: &client::GitHub,
    as_of: DateTime<Utc>,
) -> Result<Vec<Alert>> {
    let generic = &config.github.generic_secret_types;
    gh.ensure_budget(if generic.is_empty() { 2 } else { 4 })
        .await?;
    let progress = client::Progress::new();
    // resolved alerts changed since now: one page, empty
    let alerts = list_default_and_generic(config, gh, Some(as_of), &progress).await?;
    progress.finish();
    Ok(dedup(alerts))
}

/// Keeps the first copy of each (repository, number).
fn dedup(alerts: Vec<Alert>) -> Vec<Alert> {
    let mut seen = HashSet::new();
    alerts
        .into_iter()
        .filter(|a| seen.insert((a.repository.full_name.clone(), a.number)))
        .collect()
}

/// The alerts that are organization `org`'s. An alert of another account's repository, or of
/// a repository whose name is not one (`..`), is refused with a warning: it is never looked
/// up, written to or counted.
pub fn of_the_org(org: &str, alerts: Vec<Alert>) -> Vec<Alert> {
    let (ours, refused): (Vec<Alert>, Vec<Alert>) = alerts
        .into_iter()
        .partition(|a| a.repository.outside(org).is_none());
    if let Some(first) = refused.first() {
        let why = first.repository.outside(org).unwrap_or_default();
        tracing::warn!(
            "GitHub listed {} alert(s) that are not the organization's ({why}, alert #{}); they are left out: no lookup, no write, no count — is github.api_url the GitHub API?",
            refused.len(),
            first.number
        );
    }
    ours
}

/// Reads alerts from a JSON file holding an array of alert objects as the API returns them.
/// An alert is generic when its type is in `generic_secret_types`.
pub fn load_fixture(path: &Path, config: &Config) -> Result<Fetched> {
    // parsed as it is read: memory holds the alerts, not the file's text as well
    let file = std::fs::File::open(path)
        .map_err(|e| Error::Usage(format!("cannot read fixture {}: {e}", path.display())))?;
    let reader = std::io::BufReader::with_capacity(1 << 16, file);
    let mut alerts: Vec<Alert> = serde_json::from_reader(reader).map_err(|e| {
        Error::Usage(format!(
            "fixture {} is not a JSON array of secret-scanning alerts: {e}",
            path.display()
        ))
    })?;
    mark_generic(&mut alerts, &config.github.generic_secret_types);
    let alerts = dedup(of_the_org(&config.github.org, alerts));
    Ok(Fetched {
        notes: missing_features(&alerts),
        alerts,
        ..Fetched::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn needed_since_is_the_earliest_start_or_the_burn_window() {
        let as_of = Utc.with_ymd_and_hms(2026, 11, 23, 0, 0, 0).unwrap();
        let text = "github: {org: acme}\ncampaigns:\n  - {id: a, starts_on: 2026-11-20}\n  - {id: b, starts_on: 2026-10-01}\n";
        let c = crate::config::parse(Path::new("c.yaml"), text).unwrap();
        assert_eq!(
            needed_since(&c, as_of),
            Some(Utc.with_ymd_and_hms(2026, 10, 1, 0, 0, 0).unwrap())
        );
        let text = "github: {org: acme}\ncampaigns:\n  - {id: a, starts_on: 2026-11-20}\n";
        let c = crate::config::parse(Path::new("c.yaml"), text).unwrap();
        assert_eq!(needed_since(&c, as_of), Some(as_of - Duration::days(28)));
        let text =
            "github: {org: acme}\ncampaigns:\n  - {id: a, starts_on: 2026-11-20}\n  - {id: b}\n";
        let c = crate::config::parse(Path::new("c.yaml"), text).unwrap();
        assert_eq!(needed_since(&c, as_of), None);
    }
}
