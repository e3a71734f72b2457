//! `campaign-pulse run`: fetch, snapshot, render, deliver.

use super::job::{Job, Outcome, OverviewInputs, digest, resolve_campaigns, site};
use crate::error::{self, Result};
use crate::history::HistoryLock;
use crate::render::Templates;
use crate::{config, deliver, github, tls};
use chrono::{DateTime, Utc};
use std::path::PathBuf;

/// Options of `campaign-pulse run`.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// The configuration file.
    pub config: PathBuf,
    /// T; default now.
    pub as_of: Option<DateTime<Utc>>,
    /// Output folder instead of `output.dir`.
    pub out: Option<PathBuf>,
    /// Send nothing, keep the history unchanged.
    pub dry_run: bool,
    /// Send nothing.
    pub no_send: bool,
    /// Send again what was already delivered.
    pub resend: bool,
    /// Replay alerts from this JSON file instead of GitHub.
    pub fixture: Option<PathBuf>,
}

/// `campaign-pulse run`: fetch, snapshot, render, deliver.
pub async fn run(opts: &RunOptions) -> Result<Outcome> {
    tls::init();
    let config = config::load(&opts.config)?;
    let as_of = opts.as_of.unwrap_or_else(crate::now);
    let templates = Templates::load(config.output.templates_dir.as_deref())?;
    // Channels are checked before anything is fetched: a missing secret is a usage error.
    let channels = if opts.dry_run {
        Some(deliver::Channels::offline(&config.delivery)?)
    } else if opts.no_send {
        None
    } else {
        Some(deliver::Channels::connect(&config.delivery)?)
    }
    .filter(|c| !c.is_empty());
    let (fetched, commit_cache) = match &opts.fixture {
        Some(path) => {
            let mut fetched = github::load_fixture(path, &config)?;
            github::owners::resolve_owners(&config, None, &mut fetched.alerts, as_of).await;
            (fetched, None)
        }
        None => {
            let gh = github::client::GitHub::connect(&config.github)?;
            let mut fetched = github::fetch(&config, &gh, as_of).await?;
            let cache =
                github::owners::resolve_owners(&config, Some(&gh), &mut fetched.alerts, as_of)
                    .await;
            (fetched, cache)
        }
    };
    let offline = opts.fixture.is_some();
    let out = opts
        .out
        .clone()
        .unwrap_or_else(|| config.output.dir.clone());
    let job = Job {
        campaigns: resolve_campaigns(
            &config.campaigns,
            &fetched.campaigns,
            &fetched.notes,
            offline,
        ),
        alerts: &fetched.alerts,
        as_of,
        risk: config.risk,
        history_path: &config.history_path,
        save_history: !opts.dry_run,
        out: &out,
        templates: &templates,
        site: site(&config),
        overview: Some(OverviewInputs {
            org: &config.github.org,
            campaigns: &config.campaigns,
            read_since: if offline {
                None
            } else {
                github::needed_since(&config, as_of)
            },
        }),
    };
    // The lock is held through delivery, so two runs at once cannot both send.
    let lock = HistoryLock::acquire(&config.history_path)?;
    // Read before anything is written: a malformed record file fails the run unchanged.
    let records_path = deliver::records_path(&config.history_path);
    let records = deliver::Records::load(&records_path)?;
    let (reports, rendered) = job.weekly(&lock)?;
    if let Some(cache) = commit_cache.filter(|_| !opts.dry_run) {
        cache.save();
    }
    let mut outcome = Outcome {
        reports,
        delivery: deliver::DeliveryReport::default(),
        exit_code: error::EXIT_OK,
    };
    if opts.dry_run {
        tracing::info!("dry run: the history was left unchanged and nothing was sent");
    }
    if let Some(channels) = channels {
        let mode = if opts.dry_run {
            deliver::Mode::Outbox(out.join("outbox"))
        } else {
            deliver::Mode::Send {
                resend: opts.resend,
            }
        };
        let digest = digest(rendered, as_of, config.output.report_url.clone());
        outcome.delivery = deliver::deliver(
            &channels,
            &digest,
            &templates,
            &mode,
            records,
            &records_path,
        )
        .await?;
        if !outcome.delivery.failed.is_empty() {
            outcome.exit_code = error::EXIT_DELIVERY;
        }
    }
    drop(lock);
    Ok(outcome)
}
