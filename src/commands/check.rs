//! `campaign-pulse check`: the configuration, the templates, the token, the rate limit and
//! access to the alerts, before the weekly run needs them.

use super::job::resolve_campaigns;
use crate::error::{EXIT_FAILURE, EXIT_OK, EXIT_USAGE, Error, Result};
use crate::github::client::GitHub;
use crate::render::{self, IndexEntry, ReportView, Templates, ViewInputs};
use crate::site::Site;
use crate::summary::Summary;
use crate::{config, deliver, demo as sample, github, history, metrics, tls};
use std::path::Path;

/// What `check` found.
#[derive(Debug, Clone)]
pub struct CheckReport {
    /// One line per check, for people.
    pub lines: Vec<String>,
    /// 0 when every check passed; 2 when the configuration, a template or an environment
    /// variable is wrong (fix the setup); 1 when GitHub refused or could not be reached.
    pub exit_code: i32,
}

impl CheckReport {
    fn usage(&mut self, line: String) {
        self.lines.push(line);
        self.exit_code = EXIT_USAGE;
    }

    fn access(&mut self, line: String) {
        self.lines.push(line);
        if self.exit_code == EXIT_OK {
            self.exit_code = EXIT_FAILURE;
        }
    }
}

/// `campaign-pulse check`: validates the configuration, then loads every template and renders
/// it against the demo organization (so a template error shows now, not after fetching), then
/// the delivery channels' environment variables, how it authenticates, GitHub's rate limit,
/// and whether it can read the organization's alerts (naming the missing permission when it
/// cannot). A configuration that does not load is an error (exit 2); the other problems are
/// all listed.
pub async fn check(config_path: &Path) -> Result<CheckReport> {
    tls::init();
    let config = config::load(config_path)?;
    let mut report = CheckReport {
        lines: vec![format!(
            "config {}: valid, {} campaign{}",
            config_path.display(),
            config.campaigns.len(),
            if config.campaigns.len() == 1 { "" } else { "s" }
        )],
        exit_code: EXIT_OK,
    };
    let dir = config.output.templates_dir.as_deref();
    match Templates::load(dir).and_then(|t| render_samples(&t)) {
        Ok(n) => report.lines.push(format!(
            "templates: valid; {n} reports rendered against the demo organization"
        )),
        Err(e) => report.usage(format!("templates: NO: {e}")),
    }
    if let Some(dir) = dir {
        for name in render::unknown_template_files(dir) {
            report.lines.push(format!(
                "templates: warning: {} is not a template name, so it is never used (the names: {})",
                dir.join(&name).display(),
                render::EMBEDDED
                    .iter()
                    .map(|(n, _)| *n)
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
    }
    match crate::playbooks::Catalogue::load(config.playbooks_dir.as_deref()) {
        Ok(c) => {
            let c = c.with_experts(&config.experts);
            let added = c.all().iter().filter(|p| p.origin != "built-in").count();
            report.lines.push(format!(
                "playbooks: valid; {} playbooks{}",
                c.all().len(),
                match added {
                    0 => String::new(),
                    n => format!(
                        ", {n} from {}",
                        config
                            .playbooks_dir
                            .as_deref()
                            .unwrap_or(Path::new(""))
                            .display()
                    ),
                }
            ));
            for key in c.unmatched_expert_keys() {
                report.lines.push(format!(
                    "experts: warning: `{key}` names no playbook, secret type or provider the playbooks know; it applies only to alerts GitHub reports with that exact secret type or provider"
                ));
            }
            if let Some(dir) = &config.playbooks_dir {
                for name in crate::playbooks::stray_files(dir) {
                    report.lines.push(format!(
                        "playbooks: warning: {} is not a .yaml file, so it is never used",
                        dir.join(&name).display()
                    ));
                }
            }
        }
        Err(e) => report.usage(format!("playbooks: NO: {e}")),
    }
    if !config.escalation.is_empty() {
        report.lines.push(format!(
            "escalation: {} rule{}, each naming configured channels",
            config.escalation.len(),
            if config.escalation.len() == 1 {
                ""
            } else {
                "s"
            }
        ));
    }
    match deliver::Channels::connect(&config.delivery) {
        Ok(c) if c.is_empty() => report.lines.push("delivery: none configured".into()),
        Ok(_) => report
            .lines
            .push("delivery: every channel's environment variables are set and valid".into()),
        Err(e) => report.usage(format!("delivery: NO: {e}")),
    }
    // each organization with its own credentials (github.orgs), or the one
    for one in config.per_org() {
        let gh = match GitHub::connect(&one.github) {
            Ok(gh) => gh.impatient(),
            Err(e) => {
                let line = format!("auth: NO: {e}");
                report.usage(org_line(&config, &one, line));
                continue;
            }
        };
        let line = format!("auth: {} (API {})", gh.auth_kind(), gh.api());
        report.lines.push(org_line(&config, &one, line));
        let from = report.lines.len();
        access(&mut report, &gh, &one).await;
        if config.is_many() {
            for line in &mut report.lines[from..] {
                *line = format!("{}: {line}", one.github.org);
            }
        }
    }
    Ok(report)
}

/// A line about one organization of several starts with its name.
fn org_line(config: &config::Config, one: &config::Config, line: String) -> String {
    if config.is_many() {
        format!("{}: {line}", one.github.org)
    } else {
        line
    }
}

/// The checks that ask GitHub.
async fn access(report: &mut CheckReport, gh: &GitHub, config: &config::Config) {
    match gh.rate_limit().await {
        Ok(rl) => report.lines.push(format!(
            "rate limit: {} of {} requests left{}",
            rl.remaining,
            rl.limit,
            rl.reset
                .map(|r| format!(", resets at {}", r.format("%Y-%m-%d %H:%M UTC")))
                .unwrap_or_default()
        )),
        Err(e) => report.lines.push(format!("rate limit: unknown ({e})")),
    }
    match gh.probe_alerts().await {
        Ok(probe) => {
            report.lines.push(format!(
                "alerts: can read the secret-scanning alerts of `{}` ({})",
                config.github.org,
                match probe.open_on_first_page {
                    0 => "no open alert on the first page".to_string(),
                    n if n >= usize::from(github::pagination::PER_PAGE) => {
                        format!("at least {n} open: the first page is full")
                    }
                    n => format!("{n} open on the first page"),
                }
            ));
            report.lines.push(match probe.scopes {
                Some(scopes) if scopes.iter().any(|s| s == "security_events" || s == "repo") => {
                    "assign: the token can write secret-scanning alerts (classic token with `security_events`)".to_string()
                }
                Some(_) => "assign: the token cannot write secret-scanning alerts: add the `security_events` scope to the classic token to use campaign-pulse assign --apply".to_string(),
                None => "assign: GitHub does not say what a fine-grained token or GitHub App may write; campaign-pulse assign --apply needs \"Secret scanning alerts: write\" and says so at its first write otherwise".to_string(),
            });
        }
        Err(e) => report.access(format!("alerts: NO: {e}")),
    }
    for n in config
        .campaigns
        .iter()
        .filter_map(|c| c.github_campaign)
        .collect::<std::collections::BTreeSet<_>>()
    {
        match gh.campaign(n).await {
            Ok(Some(r)) => report.lines.push(format!(
                "campaign #{n}: readable{}",
                r.name.map(|n| format!(" (“{n}”)")).unwrap_or_default()
            )),
            Ok(None) => report.lines.push(format!(
                "campaign #{n}: not found on this server (reports will say so)"
            )),
            Err(e) => report.access(format!("campaign #{n}: NO: {e}")),
        }
    }
}

/// Renders every template — both reports, the index and the email's two parts — against the
/// demo organization, writing nothing. Returns how many reports were rendered.
pub fn render_samples(templates: &Templates) -> Result<usize> {
    let config = config::parse(Path::new("<built-in demo config>"), sample::CONFIG)?;
    let catalogue =
        std::sync::Arc::new(crate::playbooks::Catalogue::load(None)?.with_experts(&config.experts));
    let mut alerts = sample::alerts();
    catalogue.annotate(&mut alerts);
    let as_of = sample::as_of();
    let site = Site::new(
        &config.github.org,
        None,
        config.output.report_url.as_deref(),
    );
    let mut reports = Vec::new();
    for r in resolve_campaigns(&config.campaigns, &sample::campaign_records(), &[], false) {
        let mut m = metrics::compute(&alerts, &r.campaign, as_of, &config.risk);
        let details = std::mem::take(&mut m.details);
        let summary = Summary::new(
            r.campaign.info.clone(),
            m,
            r.record.clone(),
            history::HistoryView::default(),
        );
        let view = ReportView::new(
            &summary,
            ViewInputs {
                stale_after_days: config.risk.stale_after_days,
                notes: r.notes.clone(),
                details,
                site: site.clone(),
                playbooks: Some(catalogue.clone()),
                ..ViewInputs::default()
            },
        );
        templates.markdown(&summary, &view)?;
        templates.html(&summary, &view)?;
        reports.push(deliver::CampaignReport {
            summary,
            view,
            burndown: Vec::new(),
            scoped: None,
        });
    }
    let entries: Vec<IndexEntry> = reports
        .iter()
        .map(|r| IndexEntry::new(&r.summary))
        .collect();
    templates.index(&entries)?;
    let digest = deliver::Digest::new(as_of.date_naive(), reports, config.output.report_url);
    deliver::email::parts(&digest, templates)?;
    templates.playbook_pages(&catalogue, &config.escalation, &site)?;
    let due = crate::escalation::due(
        &config.escalation,
        &alerts,
        as_of,
        &crate::escalation::Records::default(),
    );
    for alarm in
        crate::render::alarm::alarms(&due, &config.github.org, as_of, &catalogue, &site).values()
    {
        templates.escalation_email(alarm, crate::render::alarm::SHOWN)?;
    }
    if entries.is_empty() {
        return Err(Error::Usage("the demo organization has no campaign".into()));
    }
    Ok(entries.len())
}
