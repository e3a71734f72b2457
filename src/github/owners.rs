//! Looking up what ownership needs (docs/owners.md): the authors of the commits that added secrets,
//! through a cache beside the history (commits never change), and each repository's
//! CODEOWNERS, read once per run. Lookups stay within the run's rate-limit budget; what could
//! not be asked is said, and the run goes on.

use super::client::{COMMITS_A_QUERY, GitHub, IN_FLIGHT, REPOS_A_QUERY, RepoFile};
use crate::error::{Error, Result};
use crate::model::Alert;
use crate::model::{OwnerSource, Ownership};
use crate::ownership::codeowners::CodeOwners;
use crate::ownership::{Lookups, OwnershipConfig, owner_of};
use futures::StreamExt;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Resolves the owner of every alert open at `as_of` that a campaign targets. With GitHub
/// (`gh`), commit authors and CODEOWNERS are looked up within the rate-limit budget, through
/// the commit cache beside the history, returned to be saved under the history lock;
/// without it (alerts replayed from a file) those two sources are not asked, and say so.
pub async fn resolve_owners(
    config: &crate::config::Config,
    gh: Option<&GitHub>,
    alerts: &mut [Alert],
    as_of: chrono::DateTime<chrono::Utc>,
) -> Option<CommitCache> {
    // the campaigns' open members: those matching the filter, and those recorded
    let record = crate::membership::Record::read(
        &crate::layout::SideFile::Members.path(&config.history_path),
    );
    let members: Vec<_> = config
        .campaigns
        .iter()
        .map(|c| (c, record.members(&c.id, &c.filter.canonical())))
        .collect();
    let targeted = |a: &Alert| {
        a.is_open_at(as_of)
            && members.iter().any(|(c, m)| {
                c.filter.matches_campaign(a) || m.contains(&a.repository.full_name, a.number)
            })
    };
    let mut kept = None;
    let lookups = match gh {
        Some(gh) => {
            let cache_path = crate::layout::SideFile::CommitCache.path(&config.history_path);
            let mut cache = CommitCache::load(&cache_path);
            let wanted: Vec<&Alert> = alerts.iter().filter(|a| targeted(a)).collect();
            let (lookups, stats) = look_up(gh, &wanted, &config.ownership, &mut cache).await;
            if stats != LookupStats::default() {
                tracing::info!(
                    "owners: {} commit authors asked over REST, {} by GraphQL, {} from the cache; CODEOWNERS of {} repositories by GraphQL and {} over REST in {} requests; {} GraphQL queries",
                    stats.commits_asked,
                    stats.commits_by_graphql,
                    stats.commits_cached,
                    stats.repos_by_graphql,
                    stats.repos_asked,
                    stats.files_asked,
                    stats.graphql_queries
                );
            }
            kept = Some(cache);
            lookups
        }
        None => {
            let why = "not looked up: the alerts were replayed from a file".to_string();
            let mut lookups = Lookups::default();
            lookups
                .not_asked
                .insert(OwnerSource::Committer, why.clone());
            lookups.not_asked.insert(OwnerSource::Codeowners, why);
            lookups
        }
    };
    for a in alerts.iter_mut().filter(|a| targeted(a)) {
        a.owner = owner_of(a, &config.ownership, &lookups);
    }
    kept
}

/// Lookups that fail one after another before a source is not asked further this run: a
/// GitHub that keeps failing is not asked thousands of times, each with its retries.
const FAILURES_IN_A_ROW: usize = 3;

/// GitHub ignores a CODEOWNERS file of 3 MB or more.
pub const CODEOWNERS_MAX_BYTES: u64 = 3 * 1024 * 1024;

/// Where GitHub looks for CODEOWNERS, in its order.
pub const CODEOWNERS_PATHS: [&str; 3] = [".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS"];

/// The commit → author cache (`commit-authors.json` beside the history): a JSON object of
/// sha → login, `null` for a commit whose e-mail is linked to no account.
#[derive(Debug, Clone, Default)]
pub struct CommitCache {
    path: PathBuf,
    authors: BTreeMap<String, Option<String>>,
    changed: bool,
}

impl CommitCache {
    /// Reads the cache; a missing or unreadable one is empty (it is only a cache: the lookups
    /// are made again, with a warning when it was damaged).
    pub fn load(path: &Path) -> CommitCache {
        let mut authors: BTreeMap<String, Option<String>> = match std::fs::read_to_string(path) {
            Ok(text) => serde_json::from_str(&text).unwrap_or_else(|e| {
                tracing::warn!(
                    "{}: not a commit cache ({e}); commits will be looked up again",
                    path.display()
                );
                BTreeMap::new()
            }),
            Err(_) => BTreeMap::new(),
        };
        // nothing in it is trusted unchecked: an entry that is not a commit and a login (or
        // null) is dropped, and that commit is asked again
        let before = authors.len();
        authors.retain(|sha, login| {
            is_commit_sha(sha) && login.as_deref().is_none_or(crate::model::is_login)
        });
        let dropped = before - authors.len();
        if dropped > 0 {
            tracing::warn!(
                "{}: {dropped} entries are not a commit and a GitHub login; those commits will be looked up again",
                path.display()
            );
        }
        CommitCache {
            path: path.to_path_buf(),
            authors,
            changed: false,
        }
    }

    /// The cached author of a commit: `Some(None)` for a commit known to have no account.
    pub fn get(&self, sha: &str) -> Option<&Option<String>> {
        self.authors.get(sha)
    }

    fn insert(&mut self, sha: &str, login: Option<String>) {
        self.authors.insert(sha.to_string(), login);
        self.changed = true;
    }

    /// Writes it back (atomically) when a lookup added to it; a failure is only a warning (the
    /// next run asks again).
    pub fn save(&self) {
        if self.changed
            && let Err(e) = self.write()
        {
            tracing::warn!("owners: {e}; the next run looks those commits up again");
        }
    }

    fn write(&self) -> Result<()> {
        let text = serde_json::to_string_pretty(&self.authors).map_err(|e| Error::History {
            path: self.path.clone(),
            message: format!("cannot serialize the commit cache: {e}"),
        })?;
        crate::state::write_atomic(&self.path, format!("{text}\n").as_bytes())
    }
}

/// Whether `sha` can be a commit id: hexadecimal digits, at most 64 (a SHA-256 id; GitHub's
/// SHA-1 ids have 40).
fn is_commit_sha(sha: &str) -> bool {
    (1..=64).contains(&sha.len()) && sha.bytes().all(|b| b.is_ascii_hexdigit())
}

/// What a lookup run did, for the log and the tests.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LookupStats {
    /// Commits asked of GitHub.
    pub commits_asked: usize,
    /// Commits answered from the cache.
    pub commits_cached: usize,
    /// Commits answered by GraphQL.
    pub commits_by_graphql: usize,
    /// GraphQL queries sent.
    pub graphql_queries: usize,
    /// Repositories whose CODEOWNERS was read over REST.
    pub repos_asked: usize,
    /// Repositories whose CODEOWNERS GraphQL answered.
    pub repos_by_graphql: usize,
    /// Contents requests made for CODEOWNERS (up to three locations a repository).
    pub files_asked: usize,
}

/// Looks up, source by source in the configured order, what the open alerts still without
/// an owner need: commit authors (cache first), then CODEOWNERS. Requests stop where the
/// rate-limit budget does; a source that could not be asked is recorded in
/// [`Lookups::not_asked`] with why.
pub async fn look_up(
    gh: &GitHub,
    alerts: &[&Alert],
    config: &OwnershipConfig,
    cache: &mut CommitCache,
) -> (Lookups, LookupStats) {
    let mut lookups = Lookups::default();
    let mut stats = LookupStats::default();
    for (i, source) in config.sources.iter().enumerate() {
        // the alerts that no source before this one gives an owner
        let earlier = OwnershipConfig {
            sources: config.sources[..i].to_vec(),
            teams: config.teams.clone(),
        };
        let pending: Vec<&Alert> = alerts
            .iter()
            .copied()
            .filter(|a| matches!(owner_of(a, &earlier, &lookups), Ownership::Unowned))
            .collect();
        match source {
            OwnerSource::Committer => {
                let shas: BTreeSet<(&str, &str)> = pending
                    .iter()
                    .filter_map(|a| {
                        let sha = a.first_location_detected.as_ref()?.commit_sha.as_deref()?;
                        Some((a.repository.full_name.as_str(), sha))
                    })
                    .collect();
                let mut to_ask: Vec<(&str, &str)> = Vec::new();
                let mut queued = BTreeSet::new();
                for (repo, sha) in shas {
                    // not a commit id: nobody to ask about it
                    if !is_commit_sha(sha) {
                        lookups.committers.insert(sha.to_string(), None);
                    } else if let Some(known) = cache.get(sha) {
                        lookups.committers.insert(sha.to_string(), known.clone());
                        stats.commits_cached += 1;
                    } else if queued.insert(sha) {
                        // a commit in two repositories (a fork, a mirror) is asked once
                        to_ask.push((repo, sha));
                    }
                }
                // GraphQL first: a hundred commits a query, on GraphQL's own budget; what it
                // could not answer is asked over REST
                let mut batches = futures::stream::iter(
                    to_ask
                        .chunks(COMMITS_A_QUERY)
                        .map(|batch| async move { (batch, gh.commit_authors(batch).await) }),
                )
                .buffered(IN_FLIGHT);
                let mut by_rest = Vec::new();
                let mut graphql_failed = false;
                while let Some((batch, answer)) = batches.next().await {
                    let authors = graphql_answer(
                        answer,
                        &mut graphql_failed,
                        "commit authors are asked over REST",
                    );
                    for &(repo, sha) in batch {
                        match authors.get(sha) {
                            Some(login) => {
                                cache.insert(sha, login.clone());
                                lookups.committers.insert(sha.to_string(), login.clone());
                                stats.commits_by_graphql += 1;
                            }
                            None => by_rest.push((repo, sha)),
                        }
                    }
                }
                drop(batches);
                stats.graphql_queries = usize::try_from(gh.query_count()).unwrap_or(usize::MAX);
                let budget = usize::try_from(gh.requests_left()).unwrap_or(usize::MAX);
                if by_rest.len() > budget {
                    by_rest.truncate(budget);
                    lookups.not_asked.insert(*source, BUDGET_SPENT.into());
                }
                // up to IN_FLIGHT lookups at once, their answers taken in order
                let mut answers =
                    futures::stream::iter(by_rest.into_iter().map(|(repo, sha)| async move {
                        (sha, gh.commit_author(repo, sha).await)
                    }))
                    .buffered(IN_FLIGHT);
                let mut failed_in_a_row = 0;
                while let Some((sha, answer)) = answers.next().await {
                    match answer {
                        Ok(login) => {
                            failed_in_a_row = 0;
                            cache.insert(sha, login.clone());
                            lookups.committers.insert(sha.to_string(), login);
                            stats.commits_asked += 1;
                        }
                        // this commit's alerts wait (their owner is unknown, not someone
                        // else); the others are still asked unless GitHub keeps failing
                        Err(e) => {
                            failed_in_a_row += 1;
                            lookups
                                .not_asked
                                .insert(*source, format!("the commit could not be read ({e})"));
                            if failed_in_a_row == FAILURES_IN_A_ROW {
                                tracing::warn!(
                                    "owners: {e}; {FAILURES_IN_A_ROW} commits in a row could not be read, so committers are not looked up further this run"
                                );
                                break;
                            }
                            tracing::warn!(
                                "owners: {e}; that commit's alerts wait for a later run"
                            );
                        }
                    }
                }
            }
            OwnerSource::Codeowners => {
                let repos: BTreeSet<&str> = pending
                    .iter()
                    .filter(|a| {
                        a.first_location_detected
                            .as_ref()
                            .is_some_and(|l| l.path.is_some())
                    })
                    .map(|a| a.repository.full_name.as_str())
                    .collect();
                let repos: Vec<&str> = repos.into_iter().collect();
                // GraphQL first: 25 repositories' three locations a query; what it could not
                // answer (or cut short) is read over REST
                let mut batches =
                    futures::stream::iter(repos.chunks(REPOS_A_QUERY).map(|batch| async move {
                        let answer = gh
                            .codeowners_files(batch, &CODEOWNERS_PATHS, CODEOWNERS_MAX_BYTES)
                            .await;
                        (batch, answer)
                    }))
                    .buffered(IN_FLIGHT);
                let mut by_rest = Vec::new();
                let mut graphql_failed = false;
                while let Some((batch, answer)) = batches.next().await {
                    let mut files = graphql_answer(
                        answer,
                        &mut graphql_failed,
                        "CODEOWNERS are read over REST",
                    );
                    for &repo in batch {
                        match files.remove(repo) {
                            Some((file, found)) => {
                                stats.repos_by_graphql += 1;
                                let parsed = match (file, found) {
                                    (Some(file), RepoFile::Text(text)) => {
                                        Some(parse_codeowners(repo, &file, &text))
                                    }
                                    (Some(file), RepoFile::TooLarge(size)) => {
                                        too_large(repo, &file, size);
                                        None
                                    }
                                    _ => None,
                                };
                                lookups.codeowners.insert(repo.to_string(), parsed);
                            }
                            None => by_rest.push(repo),
                        }
                    }
                }
                drop(batches);
                stats.graphql_queries = usize::try_from(gh.query_count()).unwrap_or(usize::MAX);
                let mut answers = futures::stream::iter(
                    by_rest
                        .into_iter()
                        .map(|repo| async move { (repo, codeowners_of(gh, repo).await) }),
                )
                .buffered(IN_FLIGHT);
                let mut failed_in_a_row = 0;
                while let Some((repo, answer)) = answers.next().await {
                    stats.files_asked += answer.requests;
                    match answer.outcome {
                        Ok(found) => {
                            failed_in_a_row = 0;
                            stats.repos_asked += 1;
                            lookups.codeowners.insert(repo.to_string(), found);
                        }
                        Err(CodeownersError::BudgetSpent) => {
                            lookups.not_asked.insert(*source, BUDGET_SPENT.into());
                            break;
                        }
                        // this repository's alerts wait; the others are still read unless
                        // GitHub keeps failing
                        Err(CodeownersError::Failed(e)) => {
                            failed_in_a_row += 1;
                            lookups
                                .not_asked
                                .insert(*source, format!("CODEOWNERS could not be read ({e})"));
                            if failed_in_a_row == FAILURES_IN_A_ROW {
                                tracing::warn!(
                                    "owners: {e}; {FAILURES_IN_A_ROW} repositories' CODEOWNERS in a row could not be read, so CODEOWNERS are not read further this run"
                                );
                                break;
                            }
                            tracing::warn!(
                                "owners: {e}; that repository's alerts wait for a later run"
                            );
                        }
                    }
                }
            }
            OwnerSource::Assignee | OwnerSource::Bypasser | OwnerSource::Teams => {}
        }
    }
    (lookups, stats)
}

/// Why a repository's CODEOWNERS is not known this run.
enum CodeownersError {
    /// The rate limit left no request for it.
    BudgetSpent,
    /// GitHub failed to answer.
    Failed(Error),
}

/// What reading one repository's CODEOWNERS found, and the requests it took.
struct CodeownersAnswer {
    outcome: std::result::Result<Option<CodeOwners>, CodeownersError>,
    requests: usize,
}

/// The first of GitHub's CODEOWNERS locations that exists in `repo` (GitHub reads only that
/// one), parsed; `None` when there is none, or it is over GitHub's 3 MB limit.
async fn codeowners_of(gh: &GitHub, repo: &str) -> CodeownersAnswer {
    let mut requests = 0;
    for file in CODEOWNERS_PATHS {
        if gh.requests_left() == 0 {
            return CodeownersAnswer {
                outcome: Err(CodeownersError::BudgetSpent),
                requests,
            };
        }
        requests += 1;
        let outcome = match gh.file(repo, file, CODEOWNERS_MAX_BYTES).await {
            Ok(RepoFile::Missing) => continue,
            Ok(RepoFile::Text(text)) => Ok(Some(parse_codeowners(repo, file, &text))),
            Ok(RepoFile::TooLarge(size)) => {
                too_large(repo, file, size);
                Ok(None)
            }
            Err(e) => Err(CodeownersError::Failed(e)),
        };
        return CodeownersAnswer { outcome, requests };
    }
    CodeownersAnswer {
        outcome: Ok(None),
        requests,
    }
}

/// Says that `repo`'s CODEOWNERS is over GitHub's limit, so it names no owner.
fn too_large(repo: &str, file: &str, size: u64) {
    tracing::warn!(
        "owners: {repo}: {file} is {:.1} MB; GitHub ignores a CODEOWNERS file over 3 MB, so it names no owner",
        size as f64 / (1024.0 * 1024.0)
    );
}

/// The words for owners not looked up because the rate limit ran out.
pub const BUDGET_SPENT: &str =
    "not looked up: the rate limit left no requests for it this run (the next run asks again)";

/// Parses a CODEOWNERS file, warning about each line it skips with the file and line.
pub fn parse_codeowners(repo: &str, file: &str, text: &str) -> CodeOwners {
    let (co, skipped) = CodeOwners::parse(text);
    for s in skipped {
        tracing::warn!(
            "{repo}: {file}:{}: skipped a line GitHub's CODEOWNERS rules cannot read: {}",
            s.line,
            s.why
        );
    }
    co
}

/// A GraphQL batch's answer, or nothing once a batch has failed: the first failure is
/// warned about (with `fallback`, what is done instead) and every batch after it, answered
/// or not, is left to REST, so a flaky GraphQL cannot mix the two halfway through.
fn graphql_answer<T: Default>(
    answer: crate::error::Result<T>,
    failed: &mut bool,
    fallback: &str,
) -> T {
    match answer {
        Ok(value) if !*failed => value,
        Ok(_) => T::default(),
        Err(e) => {
            if !*failed {
                tracing::warn!("owners: {e}; {fallback}");
            }
            *failed = true;
            T::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tampered_commit_cache_keeps_only_commits_and_logins() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("commit-authors.json");
        let long = "a".repeat(65);
        std::fs::write(
            &path,
            format!(
                r#"{{"4f2a9c1e8b7d6a5f4e3d2c1b0a9f8e7d6c5b4a39": "ada", "c2": null,
                   "../../etc": "eve", "{long}": "eve", "c3": "not a login", "c4": "-x"}}"#
            ),
        )
        .unwrap();
        let cache = CommitCache::load(&path);
        assert_eq!(
            cache.get("4f2a9c1e8b7d6a5f4e3d2c1b0a9f8e7d6c5b4a39"),
            Some(&Some("ada".to_string()))
        );
        assert_eq!(cache.get("c2"), Some(&None));
        for dropped in ["../../etc", long.as_str(), "c3", "c4"] {
            assert_eq!(cache.get(dropped), None, "{dropped}");
        }
    }
}
