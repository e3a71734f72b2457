//! Delivery (README, "Delivery"): one email per run, a Slack message and a Teams card per webhook.
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
use crate::render::Templates;
use crate::secret::{Missing, Secret};
use std::future::Future;
use std::path::{Path, PathBuf};

mod chat;
mod digest;
mod records;

pub use chat::{Audience, clip, fix_first, more_link};
pub use digest::{CampaignReport, Digest};
pub use records::{Record, Records};

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
                    .for_owners(&h.owners)
                    .with_mentions(config))
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
                    .for_owners(&h.owners)
                    .with_mentions(config))
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
                .map(|h| {
                    slack::Slack::new(&h.name, None)
                        .for_owners(&h.owners)
                        .with_mentions(config)
                })
                .collect(),
            teams: config
                .teams
                .iter()
                .map(|h| {
                    teams::Teams::new(&h.name, None)
                        .for_owners(&h.owners)
                        .with_mentions(config)
                })
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

/// Sends each channel its escalation (docs/playbooks.md) and records, per rule, alert and channel,
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
                        repo_id: d.alert.repository.id,
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

#[cfg(test)]
mod tests;
