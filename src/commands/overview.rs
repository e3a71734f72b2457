//! `campaign-pulse overview`: the organization overview alone (docs/overview.md), from every alert, its
//! weekly trend recorded in the history. `run` writes it too, from what it reads.

use super::job::{Job, OverviewInputs, site};
use crate::error::Result;
use crate::layout::OVERVIEW_DIR;
use crate::playbooks::Catalogue;
use crate::render::Templates;
use crate::state::HistoryLock;
use crate::{config, github, tls};
use chrono::{DateTime, Utc};
use std::path::PathBuf;
use std::sync::Arc;

/// Options of `campaign-pulse overview`.
#[derive(Debug, Clone, Default)]
pub struct OverviewOptions {
    /// The configuration file.
    pub config: PathBuf,
    /// T; default now.
    pub as_of: Option<DateTime<Utc>>,
    /// Output folder instead of `output.dir`.
    pub out: Option<PathBuf>,
    /// Replay alerts from this JSON file instead of GitHub.
    pub fixture: Option<PathBuf>,
}

/// `campaign-pulse overview`: writes `OUT/overview/` and the index; returns the report's path.
pub async fn overview(opts: &OverviewOptions) -> Result<PathBuf> {
    tls::init();
    let config = config::load(&opts.config)?;
    config.one_org("overview")?;
    let as_of = opts.as_of.unwrap_or_else(crate::time::now);
    let templates = Templates::load(config.output.templates_dir.as_deref())?;
    let fetched = match &opts.fixture {
        Some(path) => github::load_fixture(path, &config)?,
        None => {
            let gh = github::client::GitHub::connect(&config.github)?;
            // every alert: the overview counts all of them
            github::fetch_since(&config, &gh, None).await?
        }
    };
    let catalogue =
        Arc::new(Catalogue::load(config.playbooks_dir.as_deref())?.with_experts(&config.experts));
    let lock = HistoryLock::acquire(&config.history_path)?;
    let escalated = crate::escalation::Records::load(
        &crate::layout::SideFile::Escalations.path(&config.history_path),
    )?
    .first_escalations(as_of);
    let out = opts
        .out
        .clone()
        .unwrap_or_else(|| config.output.dir.clone());
    let job = Job {
        campaigns: Vec::new(),
        alerts: &fetched.alerts,
        as_of,
        risk: config.risk,
        history_path: &config.history_path,
        save_history: true,
        out: &out,
        templates: &templates,
        site: site(&config),
        overview: Some(OverviewInputs {
            org: &config.github.org,
            campaigns: &config.campaigns,
            read_since: None,
        }),
        playbooks: catalogue,
        escalation: &config.escalation,
        escalated: &escalated,
    };
    job.weekly(&lock)?;
    Ok(out.join(OVERVIEW_DIR).join(crate::layout::REPORT_MD))
}
