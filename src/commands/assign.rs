//! `campaign-pulse assign` (docs/owners.md, "Assigning"): assign the campaigns' unassigned open alerts to the user
//! who should fix them — the committer, the bypasser, then the users of the matching
//! CODEOWNERS line — as a plan by default, with `--apply` on GitHub, one alert at a time, an
//! audit trail in `assignments.jsonl`, and nothing done twice.

use crate::error::{Error, Result};
use crate::github::client::GitHub;
use crate::github::owners::{CommitCache, look_up};
use crate::membership;
use crate::model::Alert;
use crate::model::OwnerSource;
use crate::ownership::{Lookups, OwnershipConfig, candidates};
use crate::state::HistoryLock;
use crate::{config, github, tls};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashSet};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// GitHub allows about 80 content-creating requests a minute: one write every 0.75 s.
pub const WRITE_INTERVAL: Duration = Duration::from_millis(750);

/// Options of `campaign-pulse assign`.
#[derive(Debug, Clone, Default)]
pub struct AssignOptions {
    /// The configuration file.
    pub config: PathBuf,
    /// Only this campaign's alerts.
    pub campaign: Option<String>,
    /// Send the assignments; without it only the plan is written.
    pub apply: bool,
    /// At most this many writes (PATCH requests) sent.
    pub max: Option<usize>,
    /// Where the plan goes instead of `output.dir`.
    pub out: Option<PathBuf>,
    /// Plan from these alerts (`--source fixture:PATH`) instead of GitHub: nothing is asked
    /// or changed on GitHub; commit authors come from the cache beside the history.
    pub source: Option<PathBuf>,
}

/// One planned assignment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Planned {
    /// `owner/name`.
    pub repo: String,
    /// Alert number.
    pub number: u64,
    /// The user to assign.
    pub login: String,
    /// Where the user was found.
    pub source: OwnerSource,
}

/// An alert with nobody left to assign.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotAssignable {
    /// `owner/name`.
    pub repo: String,
    /// Alert number.
    pub number: u64,
    /// Why.
    pub why: String,
}

/// An alert whose next candidate could not be looked up: it waits for a later run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Waiting {
    /// `owner/name`.
    pub repo: String,
    /// Alert number.
    pub number: u64,
    /// Why.
    pub why: String,
}

/// `OUT/assign-plan.json`.
#[derive(Debug, Clone, Serialize)]
pub struct Plan {
    /// When it was made.
    pub generated_at: DateTime<Utc>,
    /// The first candidate of each unassigned open alert that is not yet settled.
    pub plan: Vec<Planned>,
    /// Alerts with no user to assign.
    pub not_assignable: Vec<NotAssignable>,
    /// Alerts whose candidate could not be looked up this run: nobody is assigned until a
    /// later run can ask.
    pub waiting: Vec<Waiting>,
}

/// What happened to one alert, appended to `assignments.jsonl`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assignment {
    /// When.
    pub time: DateTime<Utc>,
    /// `owner/name`.
    pub repo: String,
    /// Alert number.
    pub number: u64,
    /// The user tried (empty when there was nobody to try).
    pub login: String,
    /// Where the user came from.
    pub source: Option<OwnerSource>,
    /// `assigned`, `no_write_access`, `not_assignable` or `failed`.
    pub result: String,
    /// GitHub's message, when it said one.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub message: String,
}

/// What `assign` did.
#[derive(Debug, Clone)]
pub struct AssignOutcome {
    /// The plan.
    pub plan: Plan,
    /// Where the plan was written.
    pub plan_path: PathBuf,
    /// With `--apply`: what happened, in order.
    pub applied: Vec<Assignment>,
}

fn load_trail(path: &Path) -> Result<Vec<Assignment>> {
    crate::state::read_jsonl(path, "an assignment record")
}

fn append(path: &Path, record: &Assignment) -> Result<()> {
    let line = serde_json::to_string(record).map_err(|e| Error::History {
        path: path.to_path_buf(),
        message: format!("cannot serialize an assignment: {e}"),
    })?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| Error::io("cannot create folder", dir, e))?;
    }
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(|e| Error::io("cannot open", path, e))?;
    writeln!(file, "{line}")
        .and_then(|()| file.sync_all())
        .map_err(|e| Error::io("cannot append to", path, e))
}

/// `campaign-pulse assign`.
pub async fn assign(opts: &AssignOptions) -> Result<AssignOutcome> {
    tls::init();
    let config = config::load(&opts.config)?;
    config.one_org("assign")?;
    if let Some(id) = &opts.campaign {
        config.campaign(id)?;
    }
    if let Some(path) = &opts.source {
        if opts.apply {
            return Err(Error::Usage(
                "--apply changes GitHub, and --source replays alerts from a file: plan from the file, or apply from GitHub".into(),
            ));
        }
        let now = crate::time::now();
        let alerts = github::load_fixture(path, &config)?.alerts;
        let unassigned = unassigned(&config, opts.campaign.as_deref(), &alerts, now);
        // no GitHub to ask: the commit authors the cache knows, CODEOWNERS not read
        let cache =
            CommitCache::load(&crate::layout::SideFile::CommitCache.path(&config.history_path));
        let mut lookups = Lookups::default();
        for a in &unassigned {
            if let Some(sha) = a
                .first_location_detected
                .as_ref()
                .and_then(|l| l.commit_sha.as_deref())
                && let Some(login) = cache.get(sha)
            {
                lookups.committers.insert(sha.to_string(), login.clone());
            }
        }
        let why = "not looked up: the alerts were replayed from a file".to_string();
        if unassigned.iter().any(|a| {
            a.first_location_detected
                .as_ref()
                .and_then(|l| l.commit_sha.as_deref())
                .is_some_and(|sha| cache.get(sha).is_none())
        }) {
            lookups
                .not_asked
                .insert(OwnerSource::Committer, why.clone());
        }
        lookups.not_asked.insert(OwnerSource::Codeowners, why);
        let trail = load_trail(&crate::layout::SideFile::Assignments.path(&config.history_path))?;
        let (plan, _) = make_plan(&unassigned, &lookups, &trail, now);
        let out = opts
            .out
            .clone()
            .unwrap_or_else(|| config.output.dir.clone());
        let plan_path = write_plan(&out, &plan)?;
        return Ok(AssignOutcome {
            plan,
            plan_path,
            applied: Vec::new(),
        });
    }
    let gh = GitHub::connect(&config.github)?;
    let now = crate::time::now();
    let fetched = github::fetch(&config, &gh, now).await?;
    let unassigned = unassigned(&config, opts.campaign.as_deref(), &fetched.alerts, now);
    // the committer and CODEOWNERS of every unassigned alert, each asked on its own so that
    // later candidates are known when earlier ones cannot be assigned
    let cache_path = crate::layout::SideFile::CommitCache.path(&config.history_path);
    let mut cache = CommitCache::load(&cache_path);
    let mut lookups = Lookups::default();
    for source in [OwnerSource::Committer, OwnerSource::Codeowners] {
        let only = OwnershipConfig {
            sources: vec![source],
            teams: Vec::new(),
        };
        let (found, _) = look_up(&gh, &unassigned, &only, &mut cache).await;
        lookups.committers.extend(found.committers);
        lookups.codeowners.extend(found.codeowners);
        lookups.not_asked.extend(found.not_asked);
    }
    let _lock = HistoryLock::acquire(&config.history_path)?;
    cache.save();
    let trail_path = crate::layout::SideFile::Assignments.path(&config.history_path);
    let trail = load_trail(&trail_path)?;
    let (plan, queues) = make_plan(&unassigned, &lookups, &trail, now);
    let out = opts
        .out
        .clone()
        .unwrap_or_else(|| config.output.dir.clone());
    let plan_path = write_plan(&out, &plan)?;
    let mut applied = Vec::new();
    if opts.apply {
        let mut writes = Writes {
            max: opts.max.unwrap_or(usize::MAX),
            sent: 0,
        };
        for queue in &queues {
            if writes.spent() {
                tracing::info!(
                    "--max: {} writes sent; the rest waits for the next run",
                    writes.sent
                );
                break;
            }
            applied.extend(apply_one(&gh, &trail_path, queue, &mut writes).await?);
        }
        // with nobody to try, an alert is settled as not assignable once --apply has run
        for n in &plan.not_assignable {
            let record = Assignment {
                time: crate::time::now(),
                repo: n.repo.clone(),
                number: n.number,
                login: String::new(),
                source: None,
                result: "not_assignable".into(),
                message: n.why.clone(),
            };
            append(&trail_path, &record)?;
            applied.push(record);
        }
    }
    Ok(AssignOutcome {
        plan,
        plan_path,
        applied,
    })
}

/// The campaigns' unassigned open alerts at `now` (members as the weekly run counts them:
/// open alerts matching the filter, and those an earlier run recorded), longest exposed
/// first, so that --max assigns the oldest leaks.
fn unassigned<'a>(
    config: &config::Config,
    campaign: Option<&str>,
    alerts: &'a [Alert],
    now: DateTime<Utc>,
) -> Vec<&'a Alert> {
    let record =
        membership::Record::read(&crate::layout::SideFile::Members.path(&config.history_path));
    let campaigns: Vec<_> = config
        .campaigns
        .iter()
        .filter(|c| campaign.is_none_or(|id| c.id == id))
        .map(|c| (c, record.members(&c.id, &c.filter.canonical())))
        .collect();
    let mut unassigned: Vec<&Alert> = alerts
        .iter()
        .filter(|a| a.is_open_at(now) && a.assigned_to.is_none())
        .filter(|a| {
            campaigns.iter().any(|(c, members)| {
                c.filter.matches_campaign(a) || members.contains(&a.repository.full_name, a.number)
            })
        })
        .collect();
    unassigned.sort_by(|a, b| {
        a.created_at
            .cmp(&b.created_at)
            .then_with(|| a.repository.full_name.cmp(&b.repository.full_name))
            .then_with(|| a.number.cmp(&b.number))
    });
    unassigned
}

/// The plan for `unassigned` from what `lookups` found, leaving out the alerts the trail
/// settled and the users GitHub already refused; and the candidates to try for each planned
/// alert.
fn make_plan(
    unassigned: &[&Alert],
    lookups: &Lookups,
    trail: &[Assignment],
    now: DateTime<Utc>,
) -> (Plan, Vec<Queue>) {
    let settled: BTreeSet<(&str, u64)> = trail
        .iter()
        .filter(|r| r.result == "assigned" || r.result == "not_assignable")
        .map(|r| (r.repo.as_str(), r.number))
        .collect();
    // the users GitHub already refused (422) for each alert, by lower-case login
    let refused: HashSet<(&str, u64, String)> = trail
        .iter()
        .filter(|r| r.result == "no_write_access")
        .map(|r| (r.repo.as_str(), r.number, r.login.to_ascii_lowercase()))
        .collect();
    let mut plan = Plan {
        generated_at: now,
        plan: Vec::new(),
        not_assignable: Vec::new(),
        waiting: Vec::new(),
    };
    let mut queues = Vec::new();
    for a in unassigned {
        let repo = a.repository.full_name.as_str();
        if settled.contains(&(repo, a.number)) {
            continue;
        }
        let found = candidates(a, lookups);
        let left: Vec<(String, OwnerSource)> = found
            .users
            .into_iter()
            .filter(|(login, _)| !refused.contains(&(repo, a.number, login.to_ascii_lowercase())))
            .collect();
        match (left.first(), found.then_waits) {
            (Some((login, source)), waits) => {
                plan.plan.push(Planned {
                    repo: repo.to_string(),
                    number: a.number,
                    login: login.clone(),
                    source: *source,
                });
                queues.push(Queue {
                    repo: repo.to_string(),
                    number: a.number,
                    left,
                    then_waits: waits,
                });
            }
            (None, Some(why)) => plan.waiting.push(Waiting {
                repo: repo.to_string(),
                number: a.number,
                why,
            }),
            (None, None) => plan.not_assignable.push(NotAssignable {
                repo: repo.to_string(),
                number: a.number,
                why: NOBODY.into(),
            }),
        }
    }
    (plan, queues)
}

/// The plan for the campaigns of `config` from alerts and lookups at hand (the demo's): no
/// assignment made before.
pub(crate) fn plan_from(
    config: &config::Config,
    alerts: &[Alert],
    lookups: &Lookups,
    now: DateTime<Utc>,
) -> Plan {
    make_plan(&unassigned(config, None, alerts, now), lookups, &[], now).0
}

/// Writes `DIR/assign-plan.json`; returns its path.
pub(crate) fn write_plan(out: &Path, plan: &Plan) -> Result<PathBuf> {
    let plan_path = out.join(crate::layout::ASSIGN_PLAN);
    let text = serde_json::to_string_pretty(plan).map_err(|e| Error::History {
        path: plan_path.clone(),
        message: e.to_string(),
    })?;
    crate::state::write_atomic(&plan_path, format!("{text}\n").as_bytes())?;
    Ok(plan_path)
}

/// Why an alert with no candidate left is not assignable.
const NOBODY: &str = "no committer, bypasser or CODEOWNERS user with write access";

/// One alert's candidates still to try.
struct Queue {
    repo: String,
    number: u64,
    left: Vec<(String, OwnerSource)>,
    /// When all of `left` lack write access, the alert waits (why) instead of being settled.
    then_waits: Option<String>,
}

/// The writes `--max` allows, and those sent (paced: one every [`WRITE_INTERVAL`]).
struct Writes {
    max: usize,
    sent: usize,
}

impl Writes {
    /// Whether `--max` allows no more.
    fn spent(&self) -> bool {
        self.sent >= self.max
    }
}

/// Assigns one alert: its candidates in turn while GitHub answers 422 (that user lacks write
/// access), every attempt recorded, each one write of `writes`. A 403 stops everything: the
/// token cannot write alerts. An alert whose candidates all lack write access is settled as
/// not assignable, unless a source after them could not be asked: then it waits.
async fn apply_one(
    gh: &GitHub,
    trail_path: &Path,
    queue: &Queue,
    writes: &mut Writes,
) -> Result<Vec<Assignment>> {
    let (repo, number) = (queue.repo.as_str(), queue.number);
    let mut done = Vec::new();
    for (login, source) in &queue.left {
        if writes.spent() {
            // the next run goes on from the next candidate: the 422s are in the trail
            return Ok(done);
        }
        if writes.sent > 0 {
            tokio::time::sleep(WRITE_INTERVAL).await;
        }
        writes.sent += 1;
        let (status, message) = gh.assign_alert(repo, number, login).await?;
        let result = match status.as_u16() {
            200..=299 => "assigned",
            422 => "no_write_access",
            403 | 401 => {
                return Err(Error::GitHub(format!(
                    "cannot assign {repo} #{number}: GitHub refused ({status} {message}); the token needs write access to secret-scanning alerts (classic: `security_events`; fine-grained or GitHub App: \"Secret scanning alerts: write\")"
                )));
            }
            _ => "failed",
        };
        let record = Assignment {
            time: crate::time::now(),
            repo: repo.to_string(),
            number,
            login: login.clone(),
            source: Some(*source),
            result: result.to_string(),
            message,
        };
        tracing::info!("{repo} #{number}: {login} ({}): {result}", source.as_str());
        append(trail_path, &record)?;
        done.push(record);
        if result != "no_write_access" {
            return Ok(done);
        }
    }
    if let Some(why) = &queue.then_waits {
        tracing::info!(
            "{repo} #{number}: no candidate so far has write access, and the next could not be looked up ({why}); it waits for a later run"
        );
        return Ok(done);
    }
    let record = Assignment {
        time: crate::time::now(),
        repo: repo.to_string(),
        number,
        login: String::new(),
        source: None,
        result: "not_assignable".into(),
        message: format!(
            "every candidate lacks write access (at most {} are tried)",
            crate::ownership::MAX_CANDIDATES
        ),
    };
    append(trail_path, &record)?;
    done.push(record);
    Ok(done)
}
