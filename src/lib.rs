//! campaign-pulse: weekly progress reports for GitHub secret-scanning remediation campaigns.
//!
//! One run flows one way: configuration → source (GitHub or a fixture) → metrics (pure) →
//! history (JSONL snapshots) → render (Markdown, summary.json) → deliver. The public entry
//! points are [`run`], [`report`], [`demo`], [`check`] and [`init`].

#![warn(missing_docs, clippy::unwrap_used)]

pub mod cli;
pub mod config;
pub mod deliver;
pub mod demo;
pub mod error;
pub mod filter;
pub mod github;
pub mod history;
pub mod metrics;
pub mod render;
pub mod summary;
pub mod tls;

use chrono::{DateTime, Utc};
use config::{CampaignConfig, RiskSettings};
use error::{Error, Result};
use github::model::{Alert, CampaignRecord};
use history::{History, HistoryLock, Snapshot, Source};
use metrics::{AtRisk, Campaign, CampaignInfo, Metrics, Window};
use render::{ReportView, Site, Templates, ViewInputs};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use summary::{GithubCampaign, Summary};

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

/// A campaign's report as written to disk.
#[derive(Debug, Clone)]
pub struct WrittenReport {
    /// The folder holding summary.json and report.md.
    pub dir: PathBuf,
    /// The summary it was rendered from.
    pub summary: Summary,
}

/// What a run produced.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// One report per campaign, in configuration order.
    pub reports: Vec<WrittenReport>,
    /// What each delivery channel did.
    pub delivery: deliver::DeliveryReport,
    /// The process exit code (0, or 3 when a delivery failed).
    pub exit_code: i32,
}

/// `campaign-pulse run`: fetch, snapshot, render, deliver.
pub async fn run(opts: &RunOptions) -> Result<Outcome> {
    tls::init();
    let config = config::load(&opts.config)?;
    let as_of = opts.as_of.unwrap_or_else(now);
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
    let fetched = match &opts.fixture {
        Some(path) => github::load_fixture(path, &config)?,
        None => {
            let gh = github::client::GitHub::connect(&config.github)?;
            github::fetch(&config, &gh, as_of).await?
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
    };
    // The lock is held through delivery, so two runs at once cannot both send.
    let lock = HistoryLock::acquire(&config.history_path)?;
    // Read before anything is written: a malformed record file fails the run unchanged.
    let records_path = deliver::records_path(&config.history_path);
    let records = deliver::Records::load(&records_path)?;
    let (reports, rendered) = job.weekly(&lock)?;
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

/// Where the reports' links point, from the configuration.
fn site(config: &config::Config) -> Site {
    Site::new(
        &config.github.org,
        github::client::api_url(&config.github).ok().as_ref(),
        config.output.report_url.as_deref(),
    )
}

/// The current instant to the second: reports show `2026-11-23T06:00:00Z`, not nanoseconds.
fn now() -> DateTime<Utc> {
    use chrono::SubsecRound;
    Utc::now().trunc_subsecs(0)
}

/// A campaign of the config resolved against GitHub's campaign records, with reader notes.
struct Resolved {
    campaign: Campaign,
    record: Option<GithubCampaign>,
    notes: Vec<String>,
}

fn resolve_campaigns(
    configured: &[CampaignConfig],
    records: &BTreeMap<u64, CampaignRecord>,
    server_notes: &[github::Note],
    offline: bool,
) -> Vec<Resolved> {
    configured
        .iter()
        .map(|c| {
            let record = c.github_campaign.and_then(|n| records.get(&n));
            let mut notes = Vec::new();
            if let (Some(n), None) = (c.github_campaign, record) {
                notes.push(if offline {
                    format!("GitHub campaign #{n} was not read: alerts were replayed from a file.")
                } else {
                    format!(
                        "GitHub campaign #{n} could not be read (this server may not have security campaigns): its name, due date and counts are not shown."
                    )
                });
            }
            notes.extend(
                server_notes
                    .iter()
                    .filter(|n| n.only_filters_with.is_none_or(|q| c.filter_text.contains(q)))
                    .map(|n| n.text.clone()),
            );
            let name = c
                .name
                .clone()
                .or_else(|| record.and_then(|r| r.name.clone()))
                .unwrap_or_else(|| c.id.clone());
            let due_on = c
                .due_on
                .or_else(|| record.and_then(|r| r.ends_at).map(|t| t.date_naive()));
            Resolved {
                campaign: Campaign {
                    info: CampaignInfo {
                        id: c.id.clone(),
                        name,
                        filter: c.filter_text.clone(),
                        starts_on: c.starts_on,
                        due_on,
                        github_campaign: c.github_campaign,
                    },
                    filter: c.filter.clone(),
                    sla_days: c.sla_days,
                },
                record: record.map(GithubCampaign::from),
                notes,
            }
        })
        .collect()
}

/// One weekly run over already-fetched alerts: shared by `run` and `demo`.
struct Job<'a> {
    campaigns: Vec<Resolved>,
    alerts: &'a [Alert],
    as_of: DateTime<Utc>,
    risk: RiskSettings,
    history_path: &'a Path,
    save_history: bool,
    out: &'a Path,
    templates: &'a Templates,
    site: Site,
}

/// A report rendered in memory, not yet written.
struct Rendered {
    dir: PathBuf,
    summary: Summary,
    view: ReportView,
    markdown: String,
    html: String,
    json: String,
    burndown: Vec<u8>,
    repos: Vec<u8>,
}

impl Rendered {
    fn files(&self) -> [(&'static str, &[u8]); 5] {
        [
            ("summary.json", self.json.as_bytes()),
            ("report.md", self.markdown.as_bytes()),
            ("report.html", self.html.as_bytes()),
            (render::BURNDOWN_PNG, &self.burndown),
            (render::REPOS_PNG, &self.repos),
        ]
    }
}

/// The digest channels deliver, from the rendered reports.
fn digest(
    rendered: Vec<Rendered>,
    as_of: DateTime<Utc>,
    report_url: Option<String>,
) -> deliver::Digest {
    deliver::Digest::new(
        as_of.date_naive(),
        rendered
            .into_iter()
            .map(|r| deliver::CampaignReport {
                summary: r.summary,
                view: r.view,
                markdown: r.markdown,
                burndown: r.burndown,
                repos: r.repos,
            })
            .collect(),
        report_url,
    )
}

impl Job<'_> {
    /// Computes, records and writes the week's reports. The caller holds the history lock.
    fn weekly(self, _lock: &HistoryLock) -> Result<(Vec<WrittenReport>, Vec<Rendered>)> {
        let mut history = History::load(self.history_path)?;
        let mut computed: Vec<(&Resolved, Metrics)> = Vec::new();
        for r in &self.campaigns {
            let c = &r.campaign;
            let m = metrics::compute(self.alerts, c, self.as_of, &self.risk);
            if !history.has_campaign(&c.info.id) {
                self.backfill(&mut history, c);
            }
            history.upsert(Snapshot::from_metrics(&c.info.id, &m, Source::Observed));
            computed.push((r, m));
        }
        // Render everything before touching the disk: a template error leaves no trace.
        let mut rendered = Vec::new();
        for (r, mut m) in computed {
            let id = r.campaign.info.id.clone();
            let details = std::mem::take(&mut m.details);
            let summary = Summary::new(
                r.campaign.info.clone(),
                m,
                r.record.clone(),
                history.view(&id, self.as_of),
            );
            let inputs = ViewInputs {
                stale_after_days: self.risk.stale_after_days,
                week_before: week_before(&history, &id, self.as_of),
                notes: r.notes.clone(),
                details,
                site: self.site.clone(),
            };
            rendered.push(render_one(self.templates, self.out, summary, inputs)?);
        }
        // Reports first: if they cannot be written the run fails with the history unchanged.
        let written = write_reports(self.templates, self.out, &rendered)?;
        if self.save_history {
            history.save(self.history_path)?;
        }
        Ok((written, rendered))
    }

    /// Weekly reconstructed points back to `starts_on` (or the campaign's first alert).
    fn backfill(&self, history: &mut History, c: &Campaign) {
        let first_alert = self
            .alerts
            .iter()
            .filter(|a| metrics::in_scope(a, c, self.as_of))
            .map(|a| a.created_at)
            .min();
        let not_before = match (c.info.starts_on, first_alert) {
            (Some(start), _) => metrics::midnight(start),
            (None, Some(first)) => first,
            (None, None) => return,
        };
        let points = history::backfill_instants(self.as_of, not_before);
        tracing::info!(
            "{}: first run, backfilling {} weekly points from alert timestamps",
            c.info.id,
            points.len()
        );
        for t in points {
            let m = metrics::compute(self.alerts, c, t, &self.risk);
            history.upsert(Snapshot::from_metrics(
                &c.info.id,
                &m,
                Source::Reconstructed,
            ));
        }
    }
}

/// The totals of the campaign's snapshot about a week before T (observed or reconstructed),
/// for week-over-week comparisons of weekly counts.
fn week_before(history: &History, id: &str, as_of: DateTime<Utc>) -> Option<metrics::Totals> {
    history
        .latest(id, as_of - chrono::Duration::days(6))
        .filter(|s| s.as_of >= as_of - chrono::Duration::days(8))
        .map(|s| s.totals)
}

fn render_one(
    templates: &Templates,
    out: &Path,
    summary: Summary,
    inputs: ViewInputs,
) -> Result<Rendered> {
    let view = ReportView::new(&summary, inputs);
    let markdown = templates.markdown(&summary, &view)?;
    let html = templates.html(&summary, &view)?;
    let json = render::summary_json(&summary)?;
    let burndown = render::charts::burndown(&summary)?;
    let repos = render::charts::repos(&summary)?;
    let dir = out
        .join(&summary.campaign.id)
        .join(summary.as_of.format("%Y-%m-%d").to_string());
    Ok(Rendered {
        dir,
        summary,
        view,
        markdown,
        html,
        json,
        burndown,
        repos,
    })
}

fn write_reports(
    templates: &Templates,
    out: &Path,
    rendered: &[Rendered],
) -> Result<Vec<WrittenReport>> {
    let mut written = Vec::with_capacity(rendered.len());
    for r in rendered {
        std::fs::create_dir_all(&r.dir)
            .map_err(|e| Error::io("cannot create report folder", &r.dir, e))?;
        for (name, bytes) in r.files() {
            history::write_atomic(&r.dir.join(name), bytes)?;
        }
        append_step_summary(&r.markdown);
        written.push(WrittenReport {
            dir: r.dir.clone(),
            summary: r.summary.clone(),
        });
    }
    write_index(templates, out, &written)?;
    Ok(written)
}

/// Writes `OUT/index.html`: every campaign's latest report found under `out`, most urgent
/// first (this run's campaigns before older folders of the same status).
fn write_index(templates: &Templates, out: &Path, written: &[WrittenReport]) -> Result<()> {
    let mut entries: Vec<render::IndexEntry> = written
        .iter()
        .map(|w| render::IndexEntry::new(&w.summary))
        .collect();
    let mut others = Vec::new();
    if let Ok(dirs) = std::fs::read_dir(out) {
        for dir in dirs.flatten() {
            let id = dir.file_name().to_string_lossy().into_owned();
            if entries.iter().any(|e| e.id == id) || !dir.path().is_dir() {
                continue;
            }
            if let Some(summary) = latest_summary(&dir.path()) {
                others.push(render::IndexEntry::new(&summary));
            }
        }
    }
    others.sort_by(|a, b| a.name.cmp(&b.name));
    entries.extend(others);
    entries.sort_by_key(|e| e.status.severity());
    let html = templates.index(&entries)?;
    history::write_atomic(&out.join("index.html"), html.as_bytes())
}

/// The summary.json of the latest dated report folder of a campaign folder, when its id is a
/// valid campaign id naming that folder (a planted file cannot turn into a link elsewhere).
fn latest_summary(campaign_dir: &Path) -> Option<Summary> {
    let folder = campaign_dir.file_name()?.to_str()?;
    if !config::is_campaign_id(folder) {
        return None;
    }
    let latest = std::fs::read_dir(campaign_dir)
        .ok()?
        .flatten()
        .filter(|d| {
            chrono::NaiveDate::parse_from_str(&d.file_name().to_string_lossy(), "%Y-%m-%d").is_ok()
                && d.path().join("summary.json").is_file()
        })
        .max_by_key(|d| d.file_name())?;
    let text = std::fs::read_to_string(latest.path().join("summary.json")).ok()?;
    let summary: Summary = serde_json::from_str(&text).ok()?;
    (summary.campaign.id == folder).then_some(summary)
}

/// Appends a Markdown report to GitHub Actions' job summary when running there.
fn append_step_summary(markdown: &str) {
    let Some(path) = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|p| !p.is_empty()) else {
        return;
    };
    let result = std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(&path)
        .and_then(|mut f| writeln!(f, "{markdown}"));
    if let Err(e) = result {
        tracing::warn!(
            "cannot append to GITHUB_STEP_SUMMARY ({}): {e}",
            Path::new(&path).display()
        );
    }
}

/// Options of `campaign-pulse report`.
#[derive(Debug, Clone, Default)]
pub struct ReportOptions {
    /// The configuration file.
    pub config: PathBuf,
    /// The latest snapshot on or before this day is rendered; default now.
    pub as_of: Option<DateTime<Utc>>,
    /// Output folder instead of `output.dir`.
    pub out: Option<PathBuf>,
}

/// `campaign-pulse report`: re-renders each campaign's latest snapshot from the history,
/// without GitHub.
pub fn report(opts: &ReportOptions) -> Result<Outcome> {
    let config = config::load(&opts.config)?;
    let templates = Templates::load(config.output.templates_dir.as_deref())?;
    let day = opts.as_of.unwrap_or_else(now).date_naive();
    let out = opts
        .out
        .clone()
        .unwrap_or_else(|| config.output.dir.clone());
    let history = {
        let _lock = HistoryLock::acquire(&config.history_path)?;
        History::load(&config.history_path)?
    };
    let mut rendered = Vec::new();
    for r in resolve_campaigns(&config.campaigns, &BTreeMap::new(), &[], true) {
        let id = &r.campaign.info.id;
        let snap = history
            .snapshots()
            .iter()
            .filter(|s| &s.campaign == id && s.as_of.date_naive() <= day)
            .max_by_key(|s| s.as_of)
            .ok_or_else(|| {
                Error::Usage(format!(
                    "the history {} has no snapshot of campaign `{id}` on or before {day}; run `campaign-pulse run` first",
                    config.history_path.display()
                ))
            })?;
        let mut notes = vec![
            "Re-rendered from the history by `campaign-pulse report`: the list of at-risk alerts is only in reports made by `campaign-pulse run`.".to_string(),
        ];
        if snap.source == Source::Reconstructed {
            notes.push("This snapshot was reconstructed from alert timestamps, not observed by a weekly run.".into());
        }
        if snap.is_v1() {
            notes.push("This snapshot was recorded by an earlier version of campaign-pulse: its status follows the pace of closures alone, and the pace of new alerts, the net pace and the critical alerts were not recorded.".into());
        }
        let mut metrics = metrics_from_snapshot(snap, &config.risk);
        let mut campaign = r.campaign.info.clone();
        campaign.due_on = campaign.due_on.or_else(|| {
            // keep the due date the snapshot's forecast was computed with
            snap.forecast.days_to_due.and_then(|d| {
                snap.as_of
                    .date_naive()
                    .checked_add_signed(chrono::Duration::days(d))
            })
        });
        let details = std::mem::take(&mut metrics.details);
        let summary = Summary::new(campaign, metrics, None, history.view(id, snap.as_of));
        let inputs = ViewInputs {
            stale_after_days: config.risk.stale_after_days,
            week_before: week_before(&history, id, snap.as_of),
            notes,
            details,
            site: site(&config),
        };
        rendered.push(render_one(&templates, &out, summary, inputs)?);
    }
    Ok(Outcome {
        reports: write_reports(&templates, &out, &rendered)?,
        delivery: deliver::DeliveryReport::default(),
        exit_code: error::EXIT_OK,
    })
}

fn metrics_from_snapshot(s: &Snapshot, risk: &RiskSettings) -> Metrics {
    let all_repos = s.repo_stats();
    Metrics {
        as_of: s.as_of,
        window: Window {
            start: s.as_of - chrono::Duration::days(7),
            end: s.as_of,
        },
        totals: s.totals,
        resolved_this_week_by_resolution: s.resolved_this_week_by_resolution.clone(),
        open_by_validity: s.open_by_validity,
        open_flags: s.open_flags,
        open_by_secret_type: s.open_by_secret_type.clone(),
        closed_by_resolution: s.closed_by_resolution.clone(),
        mttr_days_median: s.mttr_days_median,
        mttr_days_median_28d: s.mttr_days_median_28d,
        forecast: s.forecast.clone(),
        repos: metrics::repo_lists(&all_repos, s.as_of, risk),
        at_risk: AtRisk {
            count: s.at_risk_count,
            critical_count: s.critical_count.unwrap_or(0),
            top: Vec::new(),
        },
        details: metrics::Details {
            at_risk: None,
            secret_type_names: s.secret_type_names.clone(),
            repos_with_open: all_repos.iter().filter(|r| r.open > 0).count() as u64,
        },
        all_repos,
    }
}

/// `campaign-pulse demo`: the weekly pipeline on a built-in sample organization, four weekly
/// runs ending on [`demo::AS_OF`]. No token, no network; the same numbers every time.
pub async fn demo(out: &Path) -> Result<Outcome> {
    let config = config::parse(Path::new("<built-in demo config>"), demo::CONFIG)?;
    let templates = Templates::load(None)?;
    let alerts = demo::alerts();
    let history_path = out.join("history.jsonl");
    match std::fs::remove_file(&history_path) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(Error::io("cannot reset the demo history", &history_path, e)),
    }
    let lock = HistoryLock::acquire(&history_path)?;
    let mut last = None;
    for as_of in demo::run_dates() {
        let job = Job {
            campaigns: resolve_campaigns(&config.campaigns, &demo::campaign_records(), &[], false),
            alerts: &alerts,
            as_of,
            risk: config.risk,
            history_path: &history_path,
            save_history: true,
            out,
            templates: &templates,
            site: site(&config),
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

/// `campaign-pulse check`: validates the configuration and templates, then reports how it
/// authenticates, GitHub's rate limit, and whether it can read the organization's alerts
/// (naming the missing permission when it cannot). Returns the lines to print and whether
/// every check passed.
pub async fn check(config_path: &Path) -> Result<(Vec<String>, bool)> {
    tls::init();
    let config = config::load(config_path)?;
    let mut lines = vec![format!(
        "config {}: valid, {} campaign{}",
        config_path.display(),
        config.campaigns.len(),
        if config.campaigns.len() == 1 { "" } else { "s" }
    )];
    Templates::load(config.output.templates_dir.as_deref())?;
    lines.push("templates: valid".into());
    let gh = github::client::GitHub::connect(&config.github)?;
    lines.push(format!("auth: {} (API {})", gh.auth_kind(), gh.api()));
    let mut ok = true;
    match gh.rate_limit().await {
        Ok(rl) => lines.push(format!(
            "rate limit: {} of {} requests left{}",
            rl.remaining,
            rl.limit,
            rl.reset
                .map(|r| format!(", resets at {}", r.format("%Y-%m-%d %H:%M UTC")))
                .unwrap_or_default()
        )),
        Err(e) => lines.push(format!("rate limit: unknown ({e})")),
    }
    match gh.probe_alerts().await {
        Ok(n) => lines.push(format!(
            "alerts: can read the secret-scanning alerts of `{}` ({n} open on the first page)",
            config.github.org
        )),
        Err(e) => {
            ok = false;
            lines.push(format!("alerts: NO: {e}"));
        }
    }
    for n in config
        .campaigns
        .iter()
        .filter_map(|c| c.github_campaign)
        .collect::<std::collections::BTreeSet<_>>()
    {
        match gh.campaign(n).await {
            Ok(Some(r)) => lines.push(format!(
                "campaign #{n}: readable{}",
                r.name.map(|n| format!(" (“{n}”)")).unwrap_or_default()
            )),
            Ok(None) => lines.push(format!(
                "campaign #{n}: not found on this server (reports will say so)"
            )),
            Err(e) => {
                ok = false;
                lines.push(format!("campaign #{n}: NO: {e}"));
            }
        }
    }
    match deliver::Channels::connect(&config.delivery) {
        Ok(c) if c.is_empty() => lines.push("delivery: none configured".into()),
        Ok(_) => {
            lines.push("delivery: every channel's environment variables are set and valid".into())
        }
        Err(e) => {
            ok = false;
            lines.push(format!("delivery: NO: {e}"));
        }
    }
    Ok((lines, ok))
}

/// `campaign-pulse init`: writes the commented example configuration; never overwrites.
pub fn init(out: &Path) -> Result<()> {
    if out.exists() {
        return Err(Error::Usage(format!(
            "{} already exists; choose another path with --out, or remove it first",
            out.display()
        )));
    }
    if let Some(dir) = out.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| Error::io("cannot create folder", dir, e))?;
    }
    std::fs::write(out, config::EXAMPLE_CONFIG)
        .map_err(|e| Error::io("cannot write config", out, e))
}
