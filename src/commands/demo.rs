//! `campaign-pulse demo`: the weekly pipeline on the built-in sample organization.

use super::job::{Job, Outcome, OverviewInputs, digest, resolve_campaigns, site};
use crate::error::{self, Error, Result};
use crate::playbooks::Catalogue;
use crate::render::Templates;
use crate::state::HistoryLock;
use crate::{config, deliver, demo as sample, escalation};
use std::path::Path;
use std::sync::Arc;

/// `campaign-pulse demo`: the weekly pipeline on a built-in sample organization, four weekly
/// runs ending on [`sample::AS_OF`]. No token, no network; the same numbers every time.
pub async fn demo(out: &Path) -> Result<Outcome> {
    let config = config::parse(Path::new("<built-in demo config>"), sample::CONFIG)?;
    let templates = Templates::load(None)?;
    let catalogue = Arc::new(Catalogue::load(None)?.with_experts(&config.experts));
    let mut alerts = sample::alerts();
    let lookups = sample::lookups(&alerts);
    crate::ownership::resolve(&mut alerts, &config.ownership, &lookups);
    catalogue.annotate(&mut alerts);
    let site = site(&config);
    let history_path = out.join("history.jsonl");
    // every run of the demo starts from nothing: the same numbers every time
    for path in [
        history_path.clone(),
        crate::layout::SideFile::Members.path(&history_path),
    ] {
        match std::fs::remove_file(&path) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(Error::io("cannot reset the demo history", &path, e)),
        }
    }
    let lock = HistoryLock::acquire(&history_path)?;
    let mut last = None;
    // Escalations as each weekly run would have sent them (the demo keeps no record on disk);
    // the outbox shows the latest run's that had any.
    let mut escalations = escalation::Records::default();
    let mut latest_alarms = std::collections::BTreeMap::new();
    for as_of in sample::run_dates() {
        let due = escalation::due(&config.escalation, &alerts, as_of, &escalations);
        let escalated = escalation::with_due(&escalations, &due, as_of);
        if !due.is_empty() {
            latest_alarms =
                crate::render::alarm::alarms(&due, &config.github.org, as_of, &catalogue, &site);
        }
        escalations.extend(due.iter().flat_map(|d| {
            d.channels.iter().map(|c| escalation::Record {
                rule: d.rule.name.clone(),
                repo: d.alert.repository.full_name.clone(),
                repo_id: d.alert.repository.id,
                number: d.alert.number,
                channel: c.clone(),
                as_of,
                sent_at: as_of,
            })
        }));
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
            site: site.clone(),
            overview: Some(OverviewInputs {
                org: &config.github.org,
                campaigns: &config.campaigns,
                read_since: None,
            }),
            playbooks: catalogue.clone(),
            escalation: &config.escalation,
            escalated: &escalated,
        };
        last = Some((as_of, job.weekly(&lock)?));
    }
    let Some((as_of, (reports, rendered))) = last else {
        return Err(Error::Usage("the demo has no run dates".into()));
    };
    // what the demo organization's channels would receive, written and never sent
    let channels = deliver::Channels::offline(&config.delivery)?;
    let outbox = deliver::Mode::Outbox(out.join(crate::layout::OUTBOX_DIR));
    let mut delivery = deliver::escalate(
        &channels,
        &[],
        &latest_alarms,
        &templates,
        &outbox,
        &mut escalation::Records::default(),
        &crate::layout::SideFile::Escalations.path(&history_path),
    )
    .await?;
    let digest = digest(rendered, as_of, config.output.report_url.clone());
    let weekly = deliver::deliver(
        &channels,
        &digest,
        &templates,
        &outbox,
        deliver::Records::default(),
        &crate::layout::SideFile::Deliveries.path(&history_path),
    )
    .await?;
    delivery.merge(weekly);
    // what `assign` would do in the demo organization: the plan, nothing sent
    let demo_config = config::Config {
        history_path: history_path.clone(),
        ..config.clone()
    };
    let plan = super::assign::plan_from(&demo_config, &alerts, &lookups, as_of);
    let plan_path = super::assign::write_plan(out, &plan)?;
    tracing::info!(
        "assign would give {} alerts to their committer, bypasser or CODEOWNERS user: {}",
        plan.plan.len(),
        plan_path.display()
    );
    Ok(Outcome {
        reports,
        delivery,
        exit_code: error::EXIT_OK,
        escalations_due: 0,
    })
}
