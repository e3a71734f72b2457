//! Delivery (SPEC §8): one email per run, a Slack message and a Teams card per webhook.
//!
//! Each channel renders its own message from the week's reports and sends it on its own: one
//! failing does not stop the others. Webhook URLs and SMTP credentials are secrets: they are
//! read from the environment, never logged, and channels are named by their `name`.
//! Successful deliveries are recorded per channel, date and campaign set next to the
//! history, so a rerun sends only what is missing.

pub mod email;
pub mod slack;
pub mod teams;
mod webhook;

use crate::config::DeliveryConfig;
use crate::error::{Error, Result};
use crate::metrics::Status;
use crate::render::{ReportView, Templates};
use crate::secret::{Missing, Secret};
use crate::summary::Summary;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::future::Future;
use std::path::{Path, PathBuf};

/// One campaign's rendered report, as channels need it.
#[derive(Debug, Clone)]
pub struct CampaignReport {
    /// The numbers.
    pub summary: Summary,
    /// Derived values for templates.
    pub view: ReportView,
    /// `report.md`.
    pub markdown: String,
    /// `burndown.png`.
    pub burndown: Vec<u8>,
    /// `repos.png`.
    pub repos: Vec<u8>,
    /// Set when the message is limited to some owners: their open alerts in this campaign.
    pub scoped: Option<ScopedTotals>,
}

/// Some owners' open alerts in a campaign, for a channel limited to them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScopedTotals {
    /// The owners, as the configuration names them.
    pub owners: Vec<String>,
    /// Their open alerts.
    pub open: u64,
    /// Of them, at risk.
    pub at_risk: u64,
    /// Of them, critical.
    pub critical: u64,
    /// The oldest one's age in days.
    pub oldest_age_days: i64,
}

/// Whether an owner name matches one of a channel's owners (`@ada` and `ada` alike; case
/// does not matter on GitHub).
fn owned_by(name: &str, owners: &[String]) -> bool {
    owners.iter().any(|o| {
        o.trim_start_matches('@')
            .eq_ignore_ascii_case(name.trim_start_matches('@'))
    })
}

/// Everything a run delivers: the week's reports of every campaign.
#[derive(Debug, Clone)]
pub struct Digest {
    /// Date of T.
    pub as_of: NaiveDate,
    /// Reports, most urgent first (overdue, at risk, on track, done), then in configuration
    /// order.
    pub reports: Vec<CampaignReport>,
    /// Where people can read the reports (`output.report_url`).
    pub report_url: Option<String>,
}

/// Subjects stay under this many characters, so the verdict shows in every inbox.
pub const MAX_SUBJECT: usize = 70;

impl Digest {
    /// The digest of a run's reports, ordered most urgent first.
    pub fn new(
        as_of: NaiveDate,
        mut reports: Vec<CampaignReport>,
        report_url: Option<String>,
    ) -> Digest {
        reports.sort_by_key(|r| r.summary.forecast.status.severity());
        Digest {
            as_of,
            reports,
            report_url,
        }
    }

    /// The verdict first, under [`MAX_SUBJECT`] characters:
    /// `1 overdue, 2 at risk — secret remediation, week to 2026-11-23`. Counts of calmer
    /// statuses are left out when they would not fit.
    pub fn subject(&self) -> String {
        let tail = format!(" — secret remediation, week to {}", self.as_of);
        let mut head = String::new();
        for part in self.status_parts() {
            let next = if head.is_empty() {
                part
            } else {
                format!("{head}, {part}")
            };
            if !head.is_empty() && next.chars().count() + tail.chars().count() >= MAX_SUBJECT {
                break;
            }
            head = next;
        }
        if head.is_empty() {
            head = "No campaigns".into();
        }
        format!("{head}{tail}")
    }

    /// The reporting week, named as the reports name it: `week to 2026-11-23 (Nov 16–22)`.
    pub fn week(&self) -> String {
        match self.reports.first() {
            Some(r) => crate::render::week_words(r.summary.window.start, r.summary.window.end),
            None => format!("week to {}", self.as_of),
        }
    }

    /// `1 overdue, 2 at risk, 1 on track, 1 done`, most urgent first.
    pub fn status_counts(&self) -> String {
        let parts = self.status_parts();
        if parts.is_empty() {
            "no campaigns".into()
        } else {
            parts.join(", ")
        }
    }

    fn status_parts(&self) -> Vec<String> {
        let order = [
            (Status::Overdue, "overdue"),
            (Status::AtRisk, "at risk"),
            (Status::OnTrack, "on track"),
            (Status::Done, "done"),
        ];
        order
            .iter()
            .filter_map(|(status, words)| {
                let n = self
                    .reports
                    .iter()
                    .filter(|r| r.summary.forecast.status == *status)
                    .count();
                (n > 0).then(|| format!("{n} {words}"))
            })
            .collect()
    }

    /// The digest for a channel limited to some owners: each campaign with only their at-risk
    /// alerts and their counts (campaigns where they own nothing open are left out).
    pub fn scoped(&self, owners: &[String]) -> Digest {
        let mut out = self.clone();
        out.reports.retain_mut(|r| {
            let mine: Vec<_> = r
                .summary
                .owners
                .list
                .iter()
                .filter(|o| owned_by(&o.owner, owners))
                .cloned()
                .collect();
            r.scoped = Some(ScopedTotals {
                owners: owners.to_vec(),
                open: mine.iter().map(|o| o.open).sum(),
                at_risk: mine.iter().map(|o| o.at_risk).sum(),
                critical: mine.iter().map(|o| o.critical).sum(),
                oldest_age_days: mine.iter().map(|o| o.oldest_age_days).max().unwrap_or(0),
            });
            r.summary.owners.list = mine;
            r.summary
                .escalated
                .retain(|e| e.owner.as_deref().is_some_and(|o| owned_by(o, owners)));
            r.summary.owners.unowned = Default::default();
            r.view
                .at_risk
                .retain(|a| a.owner_name.as_deref().is_some_and(|n| owned_by(n, owners)));
            r.summary.at_risk.count = r.view.at_risk.len() as u64;
            r.summary.at_risk.critical_count =
                r.view.at_risk.iter().filter(|a| a.critical).count() as u64;
            r.scoped.as_ref().is_some_and(|t| t.open > 0)
        });
        out
    }

    /// Ids of the campaigns covered.
    pub fn campaign_ids(&self) -> Vec<String> {
        self.reports
            .iter()
            .map(|r| r.summary.campaign.id.clone())
            .collect()
    }
}

/// Why a delivery failed, in words that name the channel and never its URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure(pub String);

/// A way to deliver the weekly reports.
pub trait Channel {
    /// Stable key used in records and messages: `email`, `slack:secops`, `teams:leadership`.
    fn key(&self) -> String;
    /// File name of the message under `OUT/outbox/` in a dry run.
    fn outbox_name(&self) -> String;
    /// Renders the message (bytes as sent).
    fn render(&self, digest: &Digest, templates: &Templates) -> Result<Vec<u8>>;
    /// Renders an escalation (bytes as sent).
    fn render_alarm(
        &self,
        alarm: &crate::render::alarm::Alarm,
        templates: &Templates,
    ) -> Result<Vec<u8>>;
    /// Sends a rendered message, retrying what is worth retrying.
    fn send(&self, message: &[u8]) -> impl Future<Output = Result<(), Failure>> + Send;
}

fn secret_env(var: &str, what: &str) -> Result<Secret> {
    match Secret::from_env(var) {
        Ok(secret) => Ok(secret),
        Err(Missing::Empty) => Err(Error::Usage(format!(
            "the environment variable {var} ({what}) is empty (GitHub Actions passes an empty value for a secret that is not set); set it, remove that channel from delivery, or run with --no-send"
        ))),
        Err(Missing::Unset) => Err(Error::Usage(format!(
            "the environment variable {var} ({what}) is not set; set it, remove that channel from delivery, or run with --no-send"
        ))),
    }
}

/// Every configured channel, ready to send (secrets read from the environment) or, for a
/// dry run, only to render.
#[derive(Debug)]
pub struct Channels {
    /// The email, if configured.
    pub email: Option<email::Email>,
    /// Slack webhooks.
    pub slack: Vec<slack::Slack>,
    /// Teams webhooks.
    pub teams: Vec<teams::Teams>,
}

impl Channels {
    /// Channels that can send: every env var must be set and valid.
    pub fn connect(config: &DeliveryConfig) -> Result<Channels> {
        let client = webhook::client(config.deadline())?;
        Ok(Channels {
            email: config
                .email
                .as_ref()
                .map(|e| {
                    email::Email::connect(
                        e,
                        Some(secret_env(&e.smtp_url_env, "delivery.email.smtp_url_env")?),
                        config.deadline(),
                    )
                })
                .transpose()?,
            slack: config
                .slack
                .iter()
                .map(|h| {
                    let url = secret_env(&h.webhook_env, &format!("Slack webhook `{}`", h.name))?;
                    Ok(slack::Slack::new(
                        &h.name,
                        Some(webhook::Hook::new(&h.name, url, client.clone())?),
                    )
                    .for_owners(&h.owners))
                })
                .collect::<Result<_>>()?,
            teams: config
                .teams
                .iter()
                .map(|h| {
                    let url = secret_env(&h.webhook_env, &format!("Teams webhook `{}`", h.name))?;
                    Ok(teams::Teams::new(
                        &h.name,
                        Some(webhook::Hook::new(&h.name, url, client.clone())?),
                    )
                    .for_owners(&h.owners))
                })
                .collect::<Result<_>>()?,
        })
    }

    /// Channels for a dry run: they render but hold no secret and cannot send.
    pub fn offline(config: &DeliveryConfig) -> Result<Channels> {
        Ok(Channels {
            email: config
                .email
                .as_ref()
                .map(|e| email::Email::connect(e, None, config.deadline()))
                .transpose()?,
            slack: config
                .slack
                .iter()
                .map(|h| slack::Slack::new(&h.name, None).for_owners(&h.owners))
                .collect(),
            teams: config
                .teams
                .iter()
                .map(|h| teams::Teams::new(&h.name, None).for_owners(&h.owners))
                .collect(),
        })
    }

    /// Whether any channel is configured.
    pub fn is_empty(&self) -> bool {
        self.email.is_none() && self.slack.is_empty() && self.teams.is_empty()
    }
}

/// What happened to each channel.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeliveryReport {
    /// Keys of channels that delivered now.
    pub sent: Vec<String>,
    /// Keys of channels that had already delivered this report today.
    pub skipped: Vec<String>,
    /// Keys written to the outbox (dry run).
    pub written: Vec<PathBuf>,
    /// Channels that failed, with why.
    pub failed: Vec<(String, String)>,
}

impl DeliveryReport {
    /// Adds what another round of deliveries did.
    pub fn merge(&mut self, other: DeliveryReport) {
        self.sent.extend(other.sent);
        self.skipped.extend(other.skipped);
        self.written.extend(other.written);
        self.failed.extend(other.failed);
    }
}

/// How to deliver.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mode {
    /// Send what was not delivered yet today (everything with `resend`).
    Send {
        /// Send again what was already delivered.
        resend: bool,
    },
    /// Write every message under this folder and send nothing.
    Outbox(PathBuf),
}

/// Renders and delivers the digest on every channel. Rendering errors (templates, an invalid
/// card) of one channel are that channel's failure, like a send error. `records` were read
/// before the run wrote anything (a malformed file stops the run with nothing changed).
pub async fn deliver(
    channels: &Channels,
    digest: &Digest,
    templates: &Templates,
    mode: &Mode,
    records: Records,
    records_path: &Path,
) -> Result<DeliveryReport> {
    let mut sender = Sender {
        digest,
        templates,
        mode,
        records,
        records_path,
        report: DeliveryReport::default(),
    };
    if let Some(c) = &channels.email {
        sender.one(c).await?;
    }
    for c in &channels.slack {
        sender.one(c).await?;
    }
    for c in &channels.teams {
        sender.one(c).await?;
    }
    Ok(sender.report)
}

/// Sends each channel its escalation (SPEC §12) and records, per rule, alert and channel,
/// what was sent, so no run sends it again; a channel that fails is tried again by the next
/// run. In an outbox run the messages are written as `escalation-<channel>.*` and nothing is
/// recorded.
pub async fn escalate(
    channels: &Channels,
    due: &[crate::escalation::Due<'_>],
    alarms: &std::collections::BTreeMap<String, crate::render::alarm::Alarm>,
    templates: &Templates,
    mode: &Mode,
    records: &mut crate::escalation::Records,
    records_path: &Path,
) -> Result<DeliveryReport> {
    let mut report = DeliveryReport::default();
    let each = |key: String| alarms.get(&key).map(|a| (key, a));
    let mut jobs: Vec<(String, &crate::render::alarm::Alarm)> = Vec::new();
    if let Some(c) = &channels.email {
        jobs.extend(each(c.key()));
    }
    for c in &channels.slack {
        jobs.extend(each(c.key()));
    }
    for c in &channels.teams {
        jobs.extend(each(c.key()));
    }
    for (key, alarm) in jobs {
        let result = if let Some(c) = channels.email.as_ref().filter(|c| c.key() == key) {
            alarm_one(c, alarm, templates, mode).await
        } else if let Some(c) = channels.slack.iter().find(|c| c.key() == key) {
            alarm_one(c, alarm, templates, mode).await
        } else if let Some(c) = channels.teams.iter().find(|c| c.key() == key) {
            alarm_one(c, alarm, templates, mode).await
        } else {
            continue;
        };
        let label = format!("escalation to {key}");
        match result? {
            Outcome::Written(path) => report.written.push(path),
            Outcome::Failed(why) => {
                tracing::error!("{label}: {why}");
                report.failed.push((label, why));
            }
            Outcome::Sent => {
                tracing::info!("{label}: {} alert(s) sent", alarm.items.len());
                let sent_at = crate::time::now();
                records.extend(due.iter().filter(|d| d.channels.contains(&key)).map(|d| {
                    crate::escalation::Record {
                        rule: d.rule.name.clone(),
                        repo: d.alert.repository.full_name.clone(),
                        number: d.alert.number,
                        channel: key.clone(),
                        as_of: alarm.as_of,
                        sent_at,
                    }
                }));
                match records.save(records_path) {
                    Ok(()) => report.sent.push(label),
                    Err(e) => {
                        let why = format!(
                            "sent, but it could not be recorded ({e}); the next run would send it again"
                        );
                        tracing::error!("{label}: {why}");
                        report.failed.push((label, why));
                    }
                }
            }
        }
    }
    Ok(report)
}

/// What became of one escalation message.
enum Outcome {
    Sent,
    Written(PathBuf),
    Failed(String),
}

async fn alarm_one<C: Channel>(
    channel: &C,
    alarm: &crate::render::alarm::Alarm,
    templates: &Templates,
    mode: &Mode,
) -> Result<Outcome> {
    let message = match channel.render_alarm(alarm, templates) {
        Ok(m) => m,
        Err(e) => return Ok(Outcome::Failed(e.to_string())),
    };
    match mode {
        Mode::Outbox(dir) => {
            let path = dir.join(format!("escalation-{}", channel.outbox_name()));
            crate::state::write_atomic(&path, &message)?;
            Ok(Outcome::Written(path))
        }
        Mode::Send { .. } => Ok(match channel.send(&message).await {
            Ok(()) => Outcome::Sent,
            Err(Failure(why)) => Outcome::Failed(why),
        }),
    }
}

/// One delivery round: the digest, how to deliver, and what happened so far.
struct Sender<'a> {
    digest: &'a Digest,
    templates: &'a Templates,
    mode: &'a Mode,
    records: Records,
    records_path: &'a Path,
    report: DeliveryReport,
}

impl Sender<'_> {
    async fn one<C: Channel>(&mut self, channel: &C) -> Result<()> {
        let key = channel.key();
        let digest = self.digest;
        let campaigns = digest.campaign_ids();
        if let Mode::Send { resend: false } = self.mode
            && self.records.delivered(&key, digest.as_of, &campaigns)
        {
            tracing::info!(
                "{key}: already delivered for {}; skipping (use --resend to send again)",
                digest.as_of
            );
            self.report.skipped.push(key);
            return Ok(());
        }
        let message = match channel.render(digest, self.templates) {
            Ok(m) => m,
            Err(e) => {
                tracing::error!("{key}: {e}");
                self.report.failed.push((key, e.to_string()));
                return Ok(());
            }
        };
        match self.mode {
            Mode::Outbox(dir) => {
                let path = dir.join(channel.outbox_name());
                crate::state::write_atomic(&path, &message)?;
                self.report.written.push(path);
            }
            Mode::Send { .. } => match channel.send(&message).await {
                Ok(()) => {
                    tracing::info!("{key}: delivered");
                    self.records.add(Record {
                        date: digest.as_of,
                        channel: key.clone(),
                        campaigns,
                        sent_at: crate::time::now(),
                    });
                    // The message is out: failing to note it must not look like a failed run.
                    match self.records.save(self.records_path) {
                        Ok(()) => self.report.sent.push(key),
                        Err(e) => {
                            let why = format!(
                                "delivered, but the delivery could not be recorded ({e}); a rerun today would send it again"
                            );
                            tracing::error!("{key}: {why}");
                            self.report.failed.push((key, why));
                        }
                    }
                }
                Err(Failure(why)) => {
                    tracing::error!("{key}: {why}");
                    self.report.failed.push((key, why));
                }
            },
        }
        Ok(())
    }
}

/// An at-risk alert as chat messages list it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FixFirst {
    /// `acme/web #12`, unescaped.
    pub label: String,
    /// The alert's page, made safe; `None` when GitHub sent no usable link.
    pub url: Option<String>,
    /// Reasons in words: `still valid, past SLA`.
    pub why: String,
    /// The playbook's link that works anywhere (published page, else the provider's docs).
    pub how_to_fix: Option<String>,
    /// Subject-matter experts, unescaped.
    pub experts: Vec<String>,
}

/// The first `n` at-risk alerts of a campaign, for chat messages.
pub fn fix_first(r: &CampaignReport, n: usize) -> Vec<FixFirst> {
    r.view
        .at_risk
        .iter()
        .take(n)
        .map(|a| FixFirst {
            label: a.label(),
            url: a.url.clone(),
            why: format!(
                "{}{}; {}",
                if a.critical { "critical: " } else { "" },
                a.why.join(", "),
                a.who()
            ),
            how_to_fix: a.playbook.as_ref().and_then(|p| p.url.clone()),
            experts: a.experts.clone(),
        })
        .collect()
}

/// Where a reader of a chat message or an email finds the at-risk alerts a digest left out:
/// the campaign's full report when published and it lists them all, else the campaign's
/// alerts in GitHub.
pub fn more_link(r: &CampaignReport) -> Option<&str> {
    let report = r.view.links.report.as_deref();
    let github = r.view.links.github_filter.as_deref();
    if r.summary.at_risk.count <= r.view.limits.at_risk as u64 {
        report.or(github)
    } else {
        github.or(report)
    }
}

/// One successful delivery.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    /// Date of T of the delivered reports.
    pub date: NaiveDate,
    /// Channel key.
    pub channel: String,
    /// Campaign ids the message covered.
    pub campaigns: Vec<String>,
    /// When it was sent.
    pub sent_at: DateTime<Utc>,
}

/// The delivery records (`deliveries.jsonl` next to the history).
#[derive(Debug, Clone, Default)]
pub struct Records {
    records: Vec<Record>,
}

impl Records {
    /// Reads the records; a missing file is none.
    pub fn load(path: &Path) -> Result<Records> {
        Ok(Records {
            records: crate::state::read_jsonl(path, "a delivery record")?,
        })
    }

    /// Whether `channel` already delivered a message covering every campaign of `campaigns`
    /// for `date`.
    pub fn delivered(&self, channel: &str, date: NaiveDate, campaigns: &[String]) -> bool {
        self.records.iter().any(|r| {
            r.channel == channel
                && r.date == date
                && campaigns.iter().all(|c| r.campaigns.contains(c))
        })
    }

    fn add(&mut self, record: Record) {
        self.records.push(record);
    }

    fn save(&self, path: &Path) -> Result<()> {
        crate::state::write_jsonl(path, &self.records, "a delivery record")
    }
}

/// Cuts text to at most `max` characters, ending with `…` when cut.
pub fn clip(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut out: String = text.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::config::RiskSettings;
    use crate::render::tests::sample;

    /// A digest of `n` campaigns named `name-<k>`.
    pub(crate) fn digest(n: usize, name: &str) -> Digest {
        Digest {
            as_of: NaiveDate::from_ymd_opt(2026, 11, 23).unwrap(),
            reports: (0..n)
                .map(|k| {
                    let mut summary = sample(
                        &format!("{name}-{k}"),
                        "acme/web",
                        3,
                        4,
                        &RiskSettings::default(),
                    );
                    summary.campaign.id = format!("c{k}");
                    let view = ReportView::new(
                        &summary,
                        crate::render::ViewInputs {
                            stale_after_days: 14,
                            ..Default::default()
                        },
                    );
                    CampaignReport {
                        summary,
                        view,
                        markdown: String::new(),
                        burndown: vec![],
                        repos: vec![],
                        scoped: None,
                    }
                })
                .collect(),
            report_url: Some("https://reports.example/x".into()),
        }
    }

    #[test]
    fn subject_counts_statuses_most_urgent_first() {
        let mut d = digest(3, "c");
        d.reports[0].summary.forecast.status = Status::Done;
        d.reports[1].summary.forecast.status = Status::Overdue;
        d.reports[2].summary.forecast.status = Status::Done;
        assert_eq!(
            d.subject(),
            "1 overdue, 2 done — secret remediation, week to 2026-11-23"
        );
        for s in [Status::Overdue, Status::AtRisk, Status::OnTrack] {
            d.reports.push(d.reports[0].clone());
            d.reports.last_mut().unwrap().summary.forecast.status = s;
        }
        let subject = d.subject();
        assert_eq!(
            subject, "2 overdue, 1 at risk — secret remediation, week to 2026-11-23",
            "calmer counts are left out rather than pushing the verdict past {MAX_SUBJECT}"
        );
        assert!(subject.chars().count() < MAX_SUBJECT);
    }

    #[test]
    fn secrets_do_not_debug_print() {
        let s = Secret::new("https://hooks.slack.com/services/T0/B0/XYZ".into());
        assert_eq!(format!("{s:?}"), "Secret(<redacted>)");
        let client = webhook::client(std::time::Duration::from_secs(30)).unwrap();
        let hook = |name: &str| {
            webhook::Hook::new(
                name,
                Secret::new(format!("https://hooks.example/CANARY-{name}")),
                client.clone(),
            )
            .unwrap()
        };
        let email_cfg = crate::config::EmailConfig {
            smtp_url_env: "SMTP_URL".into(),
            from: "a@acme.example".into(),
            to: vec!["b@acme.example".into()],
            cc: vec![],
            ca_file: None,
            owners: vec![],
        };
        let channels = Channels {
            email: Some(
                email::Email::connect(
                    &email_cfg,
                    Some(Secret::new("smtps://u:CANARY-pw@mail.acme.example".into())),
                    std::time::Duration::from_secs(60),
                )
                .unwrap(),
            ),
            slack: vec![slack::Slack::new("s", Some(hook("slack")))],
            teams: vec![teams::Teams::new("t", Some(hook("teams")))],
        };
        let shown = format!("{channels:?}");
        assert!(!shown.contains("CANARY"), "{shown}");
        assert!(
            shown.contains("mail.acme.example"),
            "the host is not secret: {shown}"
        );
    }

    #[test]
    fn records_match_channel_date_and_campaign_set() {
        let d = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        let mut r = Records::default();
        r.add(Record {
            date: d,
            channel: "slack:secops".into(),
            campaigns: vec!["a".into(), "b".into()],
            sent_at: Utc::now(),
        });
        assert!(r.delivered("slack:secops", d, &["a".into()]));
        assert!(r.delivered("slack:secops", d, &["a".into(), "b".into()]));
        assert!(
            !r.delivered("slack:secops", d, &["a".into(), "c".into()]),
            "a new campaign is missing"
        );
        assert!(!r.delivered("slack:other", d, &["a".into()]));
        assert!(!r.delivered("slack:secops", d.succ_opt().unwrap(), &["a".into()]));
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("deliveries.jsonl");
        r.save(&path).unwrap();
        assert!(
            Records::load(&path)
                .unwrap()
                .delivered("slack:secops", d, &["b".into()])
        );
    }

    #[test]
    fn clip_counts_characters() {
        assert_eq!(clip("abcdef", 4), "abc…");
        assert_eq!(clip("ab", 4), "ab");
        assert_eq!(clip("ééééé", 3), "éé…");
    }

    #[test]
    fn many_escalations_fit_slack_and_teams() {
        let alarm = crate::render::alarm::Alarm {
            org: "acme".into(),
            as_of: chrono::TimeZone::with_ymd_and_hms(&Utc, 2026, 11, 23, 0, 0, 0).unwrap(),
            items: (1..=120).map(crate::render::alarm::tests::item).collect(),
            more: vec![(
                "public <leak> & *bold*".into(),
                "https://github.com/orgs/acme/security/alerts/secret-scanning?query=is%3Aopen"
                    .into(),
            )],
        };
        let slack = crate::deliver::slack::alarm_payload(&alarm);
        crate::deliver::slack::check_limits(&slack).unwrap();
        let text = serde_json::to_string(&slack).unwrap();
        assert!(text.contains("+100 more not listed here"), "{text}");
        assert!(
            text.contains("Azure Storage Account Access Key | &lt;b&gt;"),
            "text from GitHub is escaped: {text}"
        );
        assert!(!text.contains("<b>"), "{text}");
        let teams = crate::deliver::teams::alarm_message(&alarm).unwrap();
        assert!(
            teams.len() <= crate::deliver::teams::MAX_BYTES,
            "{}",
            teams.len()
        );
        let card: serde_json::Value = serde_json::from_slice(&teams).unwrap();
        crate::deliver::teams::validate(&card).unwrap();
        assert_eq!(
            alarm.subject(),
            "Escalation: 120 leaked secrets in acme need action now"
        );
    }
}
