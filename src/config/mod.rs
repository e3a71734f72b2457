//! YAML configuration (README, "Configuration"): parsed with serde-saphyr, then validated into [`Config`].
//!
//! Every error names the file, line and column and says what to write instead. Secrets are not
//! in the file: it names the environment variables that hold them.

use crate::error::{Error, Result};
use crate::filter::Filter;
use chrono::NaiveDate;
use serde::Deserialize;
use serde_saphyr::Spanned;
use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

mod locator;
mod rules;

pub(crate) use locator::Locator;
use rules::*;

mod raw;
mod validate;

use raw::*;
pub use validate::is_campaign_id;
use validate::validate;

/// The default list of generic secret types fetched in the second pass.
pub const DEFAULT_GENERIC_SECRET_TYPES: &[&str] = &[
    "password",
    "ec_private_key",
    "generic_private_key",
    "http_basic_authentication_header",
    "http_bearer_authentication_header",
    "mongodb_connection_string",
    "mysql_connection_url",
    "openssh_private_key",
    "pgp_private_key",
    "postgres_connection_string",
    "rsa_private_key",
];

/// The commented example configuration that `init` writes.
pub const EXAMPLE_CONFIG: &str = include_str!("../../config/example.yaml");

/// A validated configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// Where the configuration was read from.
    pub path: PathBuf,
    /// GitHub settings.
    pub github: GithubConfig,
    /// The JSONL history file.
    pub history_path: PathBuf,
    /// Output settings.
    pub output: OutputConfig,
    /// The campaigns to report on, in file order.
    pub campaigns: Vec<CampaignConfig>,
    /// Thresholds for stalled repositories and list lengths.
    pub risk: RiskSettings,
    /// Where reports are sent.
    pub delivery: DeliveryConfig,
    /// How alerts' owners are found (docs/owners.md).
    pub ownership: crate::ownership::OwnershipConfig,
    /// A folder of playbooks adding to or replacing the built-in ones (docs/playbooks.md).
    pub playbooks_dir: Option<PathBuf>,
    /// Subject-matter experts by secret type, provider or playbook id (docs/playbooks.md, "Experts").
    pub experts: BTreeMap<String, Vec<String>>,
    /// Escalation rules, in the order written (docs/playbooks.md, "Escalation").
    pub escalation: Vec<EscalationRule>,
    /// The organizations of `github.orgs` (SPEC §15); empty with `github.org` (one
    /// organization, `github`'s settings).
    pub orgs: Vec<OrgConfig>,
}

/// An organization of `github.orgs`, read with its own credentials or `github`'s.
#[derive(Debug, Clone)]
pub struct OrgConfig {
    /// Its login.
    pub name: String,
    /// The env var of its token, instead of `github.token_env`.
    pub token_env: Option<String>,
    /// Its GitHub App installation, instead of `github.app`.
    pub app: Option<AppConfig>,
}

impl Config {
    /// Whether the configuration reads several organizations (`github.orgs`).
    pub fn is_many(&self) -> bool {
        !self.orgs.is_empty()
    }

    /// The configuration of each organization, as if written for it alone: its credentials,
    /// its campaigns (its own and those of every organization), its history
    /// (`<history folder>/<org>/history.jsonl` and the side files beside it), its output
    /// (`OUT/<org>/`) and its address under `output.report_url`. With `github.org`, the
    /// configuration itself.
    pub fn per_org(&self) -> Vec<Config> {
        if self.orgs.is_empty() {
            return vec![self.clone()];
        }
        let history_dir = self
            .history_path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        let history_file = self
            .history_path
            .file_name()
            .map(|f| f.to_os_string())
            .unwrap_or_else(|| "history.jsonl".into());
        self.orgs
            .iter()
            .map(|o| {
                let mut c = self.clone();
                c.orgs = Vec::new();
                c.github.org = o.name.clone();
                if let Some(env) = &o.token_env {
                    c.github.token_env = env.clone();
                    c.github.app = None;
                }
                if let Some(app) = &o.app {
                    c.github.app = Some(app.clone());
                }
                c.history_path = history_dir.join(&o.name).join(&history_file);
                c.output.dir = self.output.dir.join(&o.name);
                c.output.report_url = self
                    .output
                    .report_url
                    .as_ref()
                    .map(|u| format!("{}/{}", u.trim_end_matches('/'), o.name));
                c.campaigns.retain(|k| {
                    k.org
                        .as_ref()
                        .is_none_or(|org| org.eq_ignore_ascii_case(&o.name))
                });
                c
            })
            .collect()
    }

    /// For a command that reads one organization: a usage error when there are several.
    pub fn one_org(&self, command: &str) -> Result<()> {
        if self.orgs.is_empty() {
            Ok(())
        } else {
            Err(Error::Usage(format!(
                "`campaign-pulse {command}` reads one organization, and {} lists {} under github.orgs: give it a configuration with `github.org` (`run` and `rollup` read them all)",
                self.path.display(),
                self.orgs.len()
            )))
        }
    }

    /// The campaign `id`, or a usage error that lists the campaigns there are.
    pub fn campaign(&self, id: &str) -> Result<&CampaignConfig> {
        self.campaigns.iter().find(|c| c.id == id).ok_or_else(|| {
            Error::Usage(format!(
                "no campaign `{id}` in {}; the campaigns: {}",
                self.path.display(),
                self.campaigns
                    .iter()
                    .map(|c| c.id.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        })
    }
}

/// An escalation rule: open alerts matching `when` for longer than `after` are sent once to
/// the `notify` channels, with the `contacts`.
#[derive(Debug, Clone)]
pub struct EscalationRule {
    /// The rule's name, keying its records: `name` as written, else the `when` filter.
    pub name: String,
    /// The filter as written.
    pub when_text: String,
    /// The parsed filter.
    pub when: Filter,
    /// How long after `created_at` an alert escalates.
    pub after: chrono::Duration,
    /// `after` as written (`24h`), for messages.
    pub after_text: String,
    /// Channel keys: `email`, `slack:<name>`, `teams:<name>`.
    pub notify: Vec<String>,
    /// Subject-matter experts to name in the message.
    pub contacts: Vec<String>,
}

/// GitHub connection settings.
#[derive(Debug, Clone)]
pub struct GithubConfig {
    /// The organization.
    pub org: String,
    /// API base URL from the file, if set (else `GITHUB_API_URL`, else api.github.com).
    pub api_url: Option<String>,
    /// Name of the env var holding a token.
    pub token_env: String,
    /// GitHub App credentials, used instead of a token when set.
    pub app: Option<AppConfig>,
    /// Generic secret types fetched in the second pass; empty turns the pass off.
    pub generic_secret_types: Vec<String>,
    /// The longest rate-limit wait a run accepts before failing with the time to retry.
    pub max_wait: std::time::Duration,
    /// The whole answer to one request must arrive within this (`github.timeout`, default 60 s).
    pub timeout: std::time::Duration,
    /// How old the alert store's last full read may be before a run reads every alert again
    /// (`github.full_refresh`, default 28 days); zero turns the store off (README, "Incremental runs").
    pub full_refresh: chrono::Duration,
}

/// GitHub App authentication settings.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AppConfig {
    /// The App's id.
    pub app_id: u64,
    /// The installation on the organization.
    pub installation_id: u64,
    /// Env var holding the App's PEM private key.
    pub private_key_env: String,
}

/// Output settings.
#[derive(Debug, Clone)]
pub struct OutputConfig {
    /// Where reports are written.
    pub dir: PathBuf,
    /// Public address of the reports, linked from chat messages.
    pub report_url: Option<String>,
    /// Directory of templates overriding the embedded ones by file name.
    pub templates_dir: Option<PathBuf>,
}

/// One campaign to report on.
#[derive(Debug, Clone)]
pub struct CampaignConfig {
    /// Stable key, `[a-z0-9-]+`.
    pub id: String,
    /// The organization it belongs to (`org:`); none: every organization.
    pub org: Option<String>,
    /// Display name; falls back to the GitHub campaign's name, then the id.
    pub name: Option<String>,
    /// The filter as written.
    pub filter_text: String,
    /// The parsed filter.
    pub filter: Filter,
    /// First day of the campaign: alerts resolved before it are out of scope.
    pub starts_on: Option<NaiveDate>,
    /// Due date; falls back to the GitHub campaign's `ends_at`.
    pub due_on: Option<NaiveDate>,
    /// Number of the organization's GitHub security campaign.
    pub github_campaign: Option<u64>,
    /// Age in days after which an open alert is past its SLA.
    pub sla_days: u32,
}

/// Thresholds for the risk sections of the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RiskSettings {
    /// A repository with open alerts and no fix for this many days is stalled.
    pub stale_after_days: u32,
    /// How many repositories the "top repositories" list shows.
    pub top_repos: usize,
    /// How many at-risk alerts the report lists.
    pub top_alerts: usize,
}

impl Default for RiskSettings {
    fn default() -> Self {
        RiskSettings {
            stale_after_days: 14,
            top_repos: 10,
            top_alerts: 20,
        }
    }
}

/// Delivery channels.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeliveryConfig {
    /// The weekly email.
    #[serde(default)]
    pub email: Option<EmailConfig>,
    /// Slack incoming webhooks.
    #[serde(default)]
    pub slack: Vec<WebhookConfig>,
    /// Microsoft Teams Workflows webhooks.
    #[serde(default)]
    pub teams: Vec<WebhookConfig>,
    /// Each network step of a delivery (an SMTP command, a webhook request) must finish within
    /// this (`delivery.timeout`, default 60 s); a channel that does not is a failed channel.
    #[serde(default, deserialize_with = "delivery_timeout")]
    pub timeout: Option<std::time::Duration>,
    /// Who a GitHub login or team is in chat (`ada: { slack: U024BE7LH }`): owners named in
    /// Slack messages become mentions that reach them; unmapped owners stay plain text.
    #[serde(default)]
    pub mentions: std::collections::BTreeMap<String, Mention>,
}

/// A GitHub login's or team's identity in chat.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Mention {
    /// A Slack member id (`U…`, `W…`) or user group id (`S…`).
    #[serde(default)]
    pub slack: Option<String>,
    /// A Teams user: their Microsoft Entra object id or user principal name, and the name
    /// Teams shows.
    #[serde(default)]
    pub teams: Option<TeamsUser>,
}

/// Who a Teams mention reaches.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct TeamsUser {
    /// The Entra object id (a GUID) or user principal name (`ada@acme.example`).
    pub id: String,
    /// The name shown in the mention.
    pub name: String,
}

impl DeliveryConfig {
    /// The Slack mention of a GitHub login or team (`<@U024BE7LH>`, `<!subteam^S0614TZR7>`),
    /// when mapped.
    pub fn slack_mention(&self, owner: &str) -> Option<String> {
        let key = owner.trim_start_matches('@').to_ascii_lowercase();
        let id = self
            .mentions
            .iter()
            .find(|(k, _)| k.trim_start_matches('@').to_ascii_lowercase() == key)?
            .1
            .slack
            .as_deref()?;
        Some(if id.starts_with('S') {
            format!("<!subteam^{id}>")
        } else {
            format!("<@{id}>")
        })
    }
}

impl DeliveryConfig {
    /// The deadline of one network step of a delivery.
    pub fn deadline(&self) -> std::time::Duration {
        self.timeout.unwrap_or(std::time::Duration::from_secs(60))
    }
}

fn delivery_timeout<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> std::result::Result<Option<std::time::Duration>, D::Error> {
    let text = String::deserialize(d)?;
    humantime::parse_duration(text.trim())
        .ok()
        .filter(|t| {
            (std::time::Duration::from_secs(1)..=std::time::Duration::from_secs(3600)).contains(t)
        })
        .map(Some)
        .ok_or_else(|| {
            serde::de::Error::custom(format!(
                "`{text}` is not a duration between 1s and 1h (write e.g. `timeout: 60s`)"
            ))
        })
}

/// Email settings; the SMTP URL itself is in an env var.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmailConfig {
    /// Env var holding the SMTP URL (credentials included).
    pub smtp_url_env: String,
    /// Sender, e.g. `Security <sec@acme.example>`.
    pub from: String,
    /// Recipients.
    pub to: Vec<String>,
    /// Copy recipients.
    #[serde(default)]
    pub cc: Vec<String>,
    /// PEM file of extra CA certificates to trust for the SMTP server (an internal CA).
    #[serde(default)]
    pub ca_file: Option<PathBuf>,
    /// Only these owners' alerts and numbers go in the email; empty: every alert.
    #[serde(default)]
    pub owners: Vec<String>,
}

/// A chat webhook; its URL (a credential) is in an env var.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebhookConfig {
    /// Name used in logs and errors instead of the URL.
    pub name: String,
    /// Env var holding the webhook URL.
    pub webhook_env: String,
    /// Only these owners' alerts and numbers go to this channel (`login` or `org/team`);
    /// empty: every alert.
    #[serde(default)]
    pub owners: Vec<String>,
}

/// Reads and validates a configuration file.
pub fn load(path: &Path) -> Result<Config> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        let hint = if e.kind() == std::io::ErrorKind::NotFound {
            "; write one with `campaign-pulse init --out FILE`"
        } else {
            ""
        };
        Error::Config(format!("cannot read config {}: {e}{hint}", path.display()))
    })?;
    parse(path, &text)
}

/// Validates configuration text; `path` is used in messages.
pub fn parse(path: &Path, text: &str) -> Result<Config> {
    let at = Locator { path, text };
    if text.trim().is_empty() {
        return Err(at.error(
            1,
            1,
            "the configuration is empty",
            Some("write one with `campaign-pulse init --out FILE`"),
        ));
    }
    let raw: RawConfig = serde_saphyr::from_str(text).map_err(|e| at.yaml_error(&e))?;
    validate(path, &at, raw)
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod proptests {
    use super::*;
    use proptest::prelude::*;

    fn check(text: &str) -> std::result::Result<(), TestCaseError> {
        match parse(Path::new("c.yaml"), text) {
            Ok(_) => Ok(()),
            Err(Error::Config(m)) => {
                // file:line:column, every time
                let rest = m
                    .strip_prefix("c.yaml:")
                    .ok_or_else(|| TestCaseError::fail(m.clone()))?;
                let mut parts = rest.splitn(3, ':');
                let line = parts.next().and_then(|l| l.parse::<u64>().ok());
                let col = parts.next().and_then(|c| c.parse::<u64>().ok());
                prop_assert!(line.is_some() && col.is_some(), "{}", m);
                Ok(())
            }
            Err(other) => Err(TestCaseError::fail(format!("not a config error: {other}"))),
        }
    }

    proptest! {
        #[test]
        fn arbitrary_text_is_an_error_with_a_position(text in "\\PC{0,200}") {
            check(&text)?;
        }

        #[test]
        fn damaged_example_configs_are_errors_with_a_position(
            cut in 0usize..2000, len in 0usize..40, insert in "[\\PC\\n]{0,8}"
        ) {
            let chars: Vec<char> = EXAMPLE_CONFIG.chars().collect();
            let cut = cut.min(chars.len());
            let end = (cut + len).min(chars.len());
            let text: String = chars[..cut].iter().chain(insert.chars().collect::<Vec<_>>().iter()).chain(chars[end..].iter()).collect();
            check(&text)?;
        }
    }
}
