//! `campaign-pulse demo`: the weekly pipeline on the built-in sample organization.

use super::job::{Job, Outcome, OverviewInputs, digest, resolve_campaigns, site};
use crate::error::{self, Error, Result};
use crate::history::HistoryLock;
use crate::render::Templates;
use crate::{config, deliver, demo as sample};
use std::path::Path;

/// `campaign-pulse demo`: the weekly pipeline on a built-in sample organization, four weekly
/// runs ending on [`sample::AS_OF`]. No token, no network; the same numbers every time.
pub async fn demo(out: &Path) -> Result<Outcome> {
    let config = config::parse(Path::new("<built-in demo config>"), sample::CONFIG)?;
    let templates = Templates::load(None)?;
    let mut alerts = sample::alerts();
    let lookups = sample::lookups(&alerts);
    crate::ownership::resolve(&mut alerts, &config.ownership, &lookups);
    let history_path = out.join("history.jsonl");
    match std::fs::remove_file(&history_path) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(Error::io("cannot reset the demo history", &history_path, e)),
    }
    let lock = HistoryLock::acquire(&history_path)?;
    let mut last = None;
    for as_of in sample::run_dates() {
        let job = Job {
            campaigns: resolve_campaigns(
                &config.campaigns,
                &sample::campaign_records(),
                &[],
                false,
            ),
            alerts: &alerts,
            as_of,
            risk: config.risk,
            history_path: &history_path,
            save_history: true,
            out,
            templates: &templates,
            site: site(&config),
            overview: Some(OverviewInputs {
                org: &config.github.org,
                campaigns: &config.campaigns,
                read_since: None,
            }),
        };
        last = Some((as_of, job.weekly(&lock)?));
    }
    let Some((as_of, (reports, rendered))) = last else {
        return Err(Error::Usage("the demo has no run dates".into()));
    };
    // what the demo organization's channels would receive, written and never sent
    let channels = deliver::Channels::offline(&config.delivery)?;
    let digest = digest(rendered, as_of, config.output.report_url.clone());
    let delivery = deliver::deliver(
        &channels,
        &digest,
        &templates,
        &deliver::Mode::Outbox(out.join("outbox")),
        deliver::Records::default(),
        &deliver::records_path(&history_path),
    )
    .await?;
    Ok(Outcome {
        reports,
        delivery,
        exit_code: error::EXIT_OK,
    })
}
