//! `campaign-pulse run`: fetch, snapshot, render, deliver.

use super::job::{Job, Outcome, OverviewInputs, digest, resolve_campaigns, site};
use crate::error::{self, Result};
use crate::playbooks::Catalogue;
use crate::render::Templates;
use crate::state::HistoryLock;
use crate::{config, deliver, escalation, github, tls};
use chrono::{DateTime, Utc};
use std::path::PathBuf;
use std::sync::Arc;

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
    /// Do only part of the run: the escalations, or the weekly reports.
    pub only: Option<Only>,
    /// Read every alert the campaigns need, not only what changed since the alert store.
    pub full: bool,
}

/// A part of the run (`--only`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Only {
    /// Evaluate the escalation rules and send what is due; no reports, no history (a daily
    /// schedule).
    Escalate,
    /// The weekly reports and their delivery; no escalation.
    Report,
}

/// `campaign-pulse run`: fetch, snapshot, render, deliver.
pub async fn run(opts: &RunOptions) -> Result<Outcome> {
    tls::init();
    let config = config::load(&opts.config)?;
    let as_of = opts.as_of.unwrap_or_else(crate::time::now);
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
    if opts.only == Some(Only::Escalate) && config.escalation.is_empty() {
        // a daily schedule copied before any rule was written: nothing to do, not a failure
        tracing::warn!(
            "--only escalate: {} has no escalation rules, so there is nothing to send (see docs/playbooks.md)",
            opts.config.display()
        );
        return Ok(Outcome {
            reports: Vec::new(),
            delivery: deliver::DeliveryReport::default(),
            exit_code: error::EXIT_OK,
            escalations_due: 0,
        });
    }
    if config.is_many() {
        return run_many(&config, opts, as_of, &templates, channels.as_ref()).await;
    }
    let (outcome, digest, held) =
        run_org(&config, opts, as_of, &templates, channels.as_ref()).await?;
    finish(
        &config,
        opts,
        outcome,
        digest,
        Some(held),
        &templates,
        channels.as_ref(),
    )
    .await
}

/// The history's lock and the delivery records a run read before writing anything: a run
/// keeps its lock through delivery, so two runs at once cannot both send, and a malformed
/// record file fails the run before it changes anything.
pub(crate) struct Held {
    lock: HistoryLock,
    records: deliver::Records,
}

/// Delivers a run's weekly digest (one organization's, or the roll-up's) and sets the exit
/// code.
async fn finish(
    config: &config::Config,
    opts: &RunOptions,
    mut outcome: Outcome,
    digest: Option<deliver::Digest>,
    held: Option<Held>,
    templates: &Templates,
    channels: Option<&deliver::Channels>,
) -> Result<Outcome> {
    if let (Some(channels), Some(digest)) = (channels, digest) {
        let sent = deliver_digest(
            config,
            channels,
            &digest,
            templates,
            &mode(config, opts),
            held,
        )
        .await?;
        outcome.delivery.merge(sent);
    }
    if !outcome.delivery.failed.is_empty() {
        outcome.exit_code = error::EXIT_DELIVERY;
    }
    Ok(outcome)
}

/// Delivers a digest, recorded beside the configuration's history, holding its lock (the
/// run's, when it still holds it).
pub(crate) async fn deliver_digest(
    config: &config::Config,
    channels: &deliver::Channels,
    digest: &deliver::Digest,
    templates: &Templates,
    mode: &deliver::Mode,
    held: Option<Held>,
) -> Result<deliver::DeliveryReport> {
    let records_path = crate::layout::SideFile::Deliveries.path(&config.history_path);
    let Held { lock, records } = match held {
        Some(h) => h,
        None => Held {
            lock: HistoryLock::acquire(&config.history_path)?,
            records: deliver::Records::load(&records_path)?,
        },
    };
    let sent = deliver::deliver(channels, digest, templates, mode, records, &records_path).await?;
    drop(lock);
    Ok(sent)
}

/// How a run delivers: to the outbox on a dry run, else for real.
fn mode(config: &config::Config, opts: &RunOptions) -> deliver::Mode {
    if opts.dry_run {
        let out = opts
            .out
            .clone()
            .unwrap_or_else(|| config.output.dir.clone());
        deliver::Mode::Outbox(out.join(crate::layout::OUTBOX_DIR))
    } else {
        deliver::Mode::Send {
            resend: opts.resend,
        }
    }
}

/// Every organization of `github.orgs`, each as a run of its own into `OUT/<org>/` (its
/// escalations sent as it goes), then the roll-up: `OUT/rollup.json`, `OUT/index.html` and
/// one digest across them. An organization GitHub will not let the run read is named in the
/// roll-up and the run goes on to the others; it then exits 3.
async fn run_many(
    config: &config::Config,
    opts: &RunOptions,
    as_of: DateTime<Utc>,
    templates: &Templates,
    channels: Option<&deliver::Channels>,
) -> Result<Outcome> {
    let out = opts
        .out
        .clone()
        .unwrap_or_else(|| config.output.dir.clone());
    let mut outcome = Outcome {
        reports: Vec::new(),
        delivery: deliver::DeliveryReport::default(),
        exit_code: error::EXIT_OK,
        escalations_due: 0,
    };
    let mut failed = Vec::new();
    let mut dirs = Vec::new();
    for one in config.per_org() {
        let org = one.github.org.clone();
        let org_opts = RunOptions {
            out: Some(out.join(&org)),
            ..opts.clone()
        };
        tracing::info!("{org}: reading");
        match run_org(&one, &org_opts, as_of, templates, channels).await {
            Ok((o, _, _)) => {
                outcome.reports.extend(o.reports);
                outcome.delivery.merge(o.delivery);
                outcome.escalations_due += o.escalations_due;
                dirs.push(out.join(&org));
            }
            Err(crate::error::Error::GitHub(why)) => {
                tracing::error!("{org}: not read, the others go on: {why}");
                failed.push(crate::rollup::FailedOrg { org, reason: why });
            }
            Err(e) => return Err(e),
        }
    }
    let weekly = opts.only != Some(Only::Escalate);
    let digest = if weekly {
        let (_, digest) = super::rollup::write(config, templates, &out, &dirs, failed.clone())?;
        Some(digest)
    } else {
        None
    };
    let mut outcome = finish(config, opts, outcome, digest, None, templates, channels).await?;
    if !failed.is_empty() {
        outcome.exit_code = error::EXIT_DELIVERY;
    }
    Ok(outcome)
}

/// One organization's run: fetch, snapshot, render, write, send its escalations. The weekly
/// digest is returned, not sent.
async fn run_org(
    config: &config::Config,
    opts: &RunOptions,
    as_of: DateTime<Utc>,
    templates: &Templates,
    channels: Option<&deliver::Channels>,
) -> Result<(Outcome, Option<deliver::Digest>, Held)> {
    let escalate = opts.only != Some(Only::Report) && !config.escalation.is_empty();
    let weekly = opts.only != Some(Only::Escalate);
    let catalogue =
        Arc::new(Catalogue::load(config.playbooks_dir.as_deref())?.with_experts(&config.experts));
    let (mut fetched, commit_cache) = match &opts.fixture {
        Some(path) => {
            let mut fetched = github::load_fixture(path, config)?;
            github::owners::resolve_owners(config, None, &mut fetched.alerts, as_of).await;
            (fetched, None)
        }
        None if !weekly => {
            // escalation looks at open alerts only
            let gh = github::client::GitHub::connect(&config.github)?;
            let mut fetched = github::Fetched {
                alerts: github::fetch_open(config, &gh, as_of).await?,
                ..Default::default()
            };
            let cache =
                github::owners::resolve_owners(config, Some(&gh), &mut fetched.alerts, as_of).await;
            (fetched, cache)
        }
        None => {
            let gh = github::client::GitHub::connect(&config.github)?;
            let store = crate::layout::SideFile::AlertStore.path(&config.history_path);
            let mut fetched = github::fetch_stored(config, &gh, as_of, &store, opts.full).await?;
            let cache =
                github::owners::resolve_owners(config, Some(&gh), &mut fetched.alerts, as_of).await;
            (fetched, cache)
        }
    };
    catalogue.annotate(&mut fetched.alerts);
    let offline = opts.fixture.is_some();
    let out = opts
        .out
        .clone()
        .unwrap_or_else(|| config.output.dir.clone());
    // The lock is held through delivery, so two runs at once cannot both send.
    let lock = HistoryLock::acquire(&config.history_path)?;
    // Read before anything is written: a malformed record file fails the run unchanged.
    let records_path = crate::layout::SideFile::Deliveries.path(&config.history_path);
    let records = deliver::Records::load(&records_path)?;
    let escalations_path = crate::layout::SideFile::Escalations.path(&config.history_path);
    let mut escalations = escalation::Records::load(&escalations_path)?;
    let due = if escalate {
        escalation::due(&config.escalation, &fetched.alerts, as_of, &escalations)
    } else {
        Vec::new()
    };
    if !due.is_empty() && channels.is_none() {
        tracing::info!(
            "{} escalation(s) due; not sent{}",
            due.len(),
            if opts.no_send {
                " (--no-send)"
            } else {
                ": no channel is configured"
            }
        );
    }
    // the reports count this run's escalations as made at T, when they are sent
    let escalated = escalation::with_due(
        &escalations,
        if channels.is_some() { &due } else { &[] },
        as_of,
    );
    let site = site(config);
    let mut outcome = Outcome {
        reports: Vec::new(),
        delivery: deliver::DeliveryReport::default(),
        exit_code: error::EXIT_OK,
        escalations_due: due.len(),
    };
    let mut rendered = Vec::new();
    if weekly {
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
            templates,
            site: site.clone(),
            overview: Some(OverviewInputs {
                org: &config.github.org,
                campaigns: &config.campaigns,
                read_since: if offline {
                    None
                } else {
                    github::needed_since(config, as_of)
                },
            }),
            playbooks: catalogue.clone(),
            escalation: &config.escalation,
            escalated: &escalated,
        };
        let (reports, r) = job.weekly(&lock)?;
        outcome.reports = reports;
        rendered = r;
    }
    if let Some(cache) = commit_cache.filter(|_| !opts.dry_run) {
        cache.save();
    }
    if let Some((path, header)) = fetched.store.as_ref().filter(|_| !opts.dry_run) {
        github::store::save(path, header, &fetched.alerts)?;
    }
    if opts.dry_run {
        tracing::info!("dry run: the history was left unchanged and nothing was sent");
    }
    if let Some(channels) = channels {
        // escalations first: they are what cannot wait
        if !due.is_empty() {
            let alarms =
                crate::render::alarm::alarms(&due, &config.github.org, as_of, &catalogue, &site);
            let sent = deliver::escalate(
                channels,
                &due,
                &alarms,
                templates,
                &mode(config, opts),
                &mut escalations,
                &escalations_path,
            )
            .await?;
            outcome.delivery.merge(sent);
        }
    }
    let digest = weekly.then(|| digest(rendered, as_of, config.output.report_url.clone()));
    Ok((outcome, digest, Held { lock, records }))
}
