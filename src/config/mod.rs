//! YAML configuration (SPEC §4): parsed with serde-saphyr, then validated into [`Config`].
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

use crate::net::check_url;
pub(crate) use locator::Locator;
use rules::*;

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
    /// How alerts' owners are found (SPEC §10).
    pub ownership: crate::ownership::OwnershipConfig,
    /// A folder of playbooks adding to or replacing the built-in ones (SPEC §12).
    pub playbooks_dir: Option<PathBuf>,
    /// Subject-matter experts by secret type, provider or playbook id (SPEC §12).
    pub experts: BTreeMap<String, Vec<String>>,
    /// Escalation rules, in the order written (SPEC §12).
    pub escalation: Vec<EscalationRule>,
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
    /// (`github.full_refresh`, default 28 days); zero turns the store off (SPEC §14).
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

// ---- the file as written -------------------------------------------------------------------

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    github: RawGithub,
    #[serde(default)]
    history: Option<RawHistory>,
    #[serde(default)]
    output: Option<RawOutput>,
    campaigns: Spanned<Vec<RawCampaign>>,
    #[serde(default)]
    risk: Option<RawRisk>,
    #[serde(default)]
    delivery: Option<DeliveryConfig>,
    #[serde(default)]
    ownership: Option<RawOwnership>,
    #[serde(default)]
    playbooks_dir: Option<String>,
    #[serde(default)]
    experts: Option<Spanned<BTreeMap<String, Vec<String>>>>,
    #[serde(default)]
    escalation: Vec<RawEscalation>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEscalation {
    #[serde(default)]
    name: Option<Spanned<String>>,
    when: Spanned<String>,
    #[serde(default)]
    after: Option<Spanned<String>>,
    notify: Spanned<Vec<String>>,
    #[serde(default)]
    contacts: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOwnership {
    #[serde(default)]
    sources: Option<Spanned<Vec<String>>>,
    #[serde(default)]
    teams: Option<Spanned<OrderedTeams>>,
}

/// `ownership.teams` in the order written: the first team whose pattern matches wins.
struct OrderedTeams(Vec<(String, Vec<String>)>);

impl<'de> Deserialize<'de> for OrderedTeams {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = OrderedTeams;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a map of teams to lists of repository patterns")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> std::result::Result<OrderedTeams, A::Error> {
                let mut out = Vec::new();
                while let Some((team, patterns)) = map.next_entry::<String, Vec<String>>()? {
                    out.push((team, patterns));
                }
                Ok(OrderedTeams(out))
            }
        }
        d.deserialize_map(Visit)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawGithub {
    org: Spanned<String>,
    #[serde(default)]
    api_url: Option<Spanned<String>>,
    #[serde(default)]
    token_env: Option<String>,
    #[serde(default)]
    app: Option<AppConfig>,
    #[serde(default)]
    generic_secret_types: Option<Vec<String>>,
    #[serde(default)]
    max_wait: Option<Spanned<String>>,
    #[serde(default)]
    timeout: Option<Spanned<String>>,
    #[serde(default)]
    full_refresh: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHistory {
    path: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOutput {
    #[serde(default)]
    dir: Option<String>,
    #[serde(default)]
    report_url: Option<Spanned<String>>,
    #[serde(default)]
    templates_dir: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCampaign {
    id: Spanned<String>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    filter: Option<Spanned<String>>,
    #[serde(default)]
    starts_on: Option<Spanned<String>>,
    #[serde(default)]
    due_on: Option<Spanned<String>>,
    #[serde(default)]
    github_campaign: Option<u64>,
    #[serde(default)]
    sla_days: Option<u32>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRisk {
    #[serde(default)]
    stale_after_days: Option<u32>,
    #[serde(default)]
    top_repos: Option<usize>,
    #[serde(default)]
    top_alerts: Option<usize>,
}

// ---- loading --------------------------------------------------------------------------------

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

fn validate(path: &Path, at: &Locator<'_>, raw: RawConfig) -> Result<Config> {
    let org = raw.github.org.value.trim().to_string();
    if org.is_empty()
        || !org
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(at.spanned(
            &raw.github.org,
            &format!("`{}` is not an organization login", raw.github.org.value),
            Some("write the organization's login as in its URL, e.g. `org: acme`"),
        ));
    }
    if let Some(url) = &raw.github.api_url {
        check_url(&url.value).map_err(|m| {
            at.spanned(
                url,
                &m,
                Some("e.g. `api_url: https://ghe.example.com/api/v3`"),
            )
        })?;
    }
    if let Some(url) = raw.output.as_ref().and_then(|o| o.report_url.as_ref()) {
        url::Url::parse(&url.value)
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https"))
            .ok_or_else(|| {
                at.spanned(
                    url,
                    &format!("`{}` is not an http(s) URL", url.value),
                    Some("e.g. `report_url: https://example.org/reports/latest`"),
                )
            })?;
    }

    let max_wait = duration(at, raw.github.max_wait.as_ref(), "max_wait", 15 * 60)?;
    let timeout = duration(at, raw.github.timeout.as_ref(), "timeout", 60)?;
    let full_refresh = full_refresh(at, raw.github.full_refresh.as_ref())?;
    if raw.campaigns.value.is_empty() {
        return Err(at.spanned(
            &raw.campaigns,
            "`campaigns` is empty: there is nothing to report on",
            Some(
                "add at least one campaign, e.g.\n  campaigns:\n    - id: azure-active\n      filter: \"provider:azure validity:active\"",
            ),
        ));
    }
    let mut seen = HashSet::new();
    let mut campaigns = Vec::with_capacity(raw.campaigns.value.len());
    for c in raw.campaigns.value {
        campaigns.push(campaign(at, c, &mut seen)?);
    }

    let delivery = raw.delivery.unwrap_or_default();
    check_delivery(path, &delivery)?;
    let risk = raw.risk.map_or_else(RiskSettings::default, |r| {
        let d = RiskSettings::default();
        RiskSettings {
            stale_after_days: r.stale_after_days.unwrap_or(d.stale_after_days),
            top_repos: r.top_repos.unwrap_or(d.top_repos),
            top_alerts: r.top_alerts.unwrap_or(d.top_alerts),
        }
    });
    let output_dir = PathBuf::from(
        raw.output
            .as_ref()
            .and_then(|o| o.dir.clone())
            .unwrap_or_else(|| "reports".into()),
    );
    let history_path = raw
        .history
        .map(|h| PathBuf::from(h.path))
        .unwrap_or_else(|| output_dir.join("history.jsonl"));
    let output = OutputConfig {
        dir: output_dir,
        report_url: raw
            .output
            .as_ref()
            .and_then(|o| o.report_url.as_ref().map(|u| u.value.clone())),
        templates_dir: raw.output.and_then(|o| o.templates_dir.map(PathBuf::from)),
    };
    Ok(Config {
        path: path.to_path_buf(),
        github: GithubConfig {
            org,
            api_url: raw.github.api_url.map(|u| u.value),
            token_env: raw
                .github
                .token_env
                .unwrap_or_else(|| "GITHUB_TOKEN".into()),
            app: raw.github.app,
            max_wait,
            timeout,
            full_refresh,
            generic_secret_types: raw.github.generic_secret_types.unwrap_or_else(|| {
                DEFAULT_GENERIC_SECRET_TYPES
                    .iter()
                    .map(|s| s.to_string())
                    .collect()
            }),
        },
        history_path,
        output,
        campaigns,
        risk,
        escalation: escalation(at, raw.escalation, &delivery)?,
        delivery,
        ownership: ownership(at, raw.ownership)?,
        playbooks_dir: raw.playbooks_dir.map(PathBuf::from),
        experts: experts(at, raw.experts)?,
    })
}

/// Whether text is a campaign id: `[a-z0-9-]+`. Ids name folders and links, so ids read back
/// from disk are held to the same rule.
pub fn is_campaign_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .chars()
            .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '-')
}

fn campaign(
    at: &Locator<'_>,
    c: RawCampaign,
    seen: &mut HashSet<String>,
) -> Result<CampaignConfig> {
    let id = &c.id.value;
    if id == crate::layout::OVERVIEW_DIR {
        return Err(at.spanned(
            &c.id,
            &format!("campaign id `{id}` is reserved: OUT/{id}/ holds the organization overview"),
            Some("choose another id, e.g. `id: all-alerts`"),
        ));
    }
    if !is_campaign_id(id) {
        let suggestion: String = id
            .to_lowercase()
            .chars()
            .map(|ch| if ch.is_ascii_alphanumeric() { ch } else { '-' })
            .collect();
        let suggestion = suggestion.trim_matches('-');
        let hint = if suggestion.is_empty() {
            "use lower-case letters, digits and dashes, e.g. `id: azure-active`".to_string()
        } else {
            format!("use lower-case letters, digits and dashes, e.g. `id: {suggestion}`")
        };
        return Err(at.spanned(
            &c.id,
            &format!("campaign id `{id}` is not valid: it names folders and history entries"),
            Some(&hint),
        ));
    }
    if !seen.insert(id.clone()) {
        return Err(at.spanned(
            &c.id,
            &format!("campaign id `{id}` is used twice"),
            Some("give each campaign its own id: it keys the history"),
        ));
    }
    let (filter_text, filter) = match &c.filter {
        Some(f) => {
            let parsed = Filter::parse(&f.value)
                .map_err(|e| at.filter_error(f, &format!("campaign `{id}`"), &e))?;
            (f.value.clone(), parsed)
        }
        None => (String::new(), Filter::default()),
    };
    let starts_on = c.starts_on.as_ref().map(|d| date(at, d)).transpose()?;
    let due_on = c.due_on.as_ref().map(|d| date(at, d)).transpose()?;
    if let (Some(s), Some(d), Some(span)) = (starts_on, due_on, c.due_on.as_ref())
        && d < s
    {
        return Err(at.spanned(
            span,
            &format!("campaign `{id}` is due on {d}, before it starts on {s}"),
            Some("check both dates"),
        ));
    }
    Ok(CampaignConfig {
        id: id.clone(),
        name: c
            .name
            .filter(|n| !n.trim().is_empty())
            .map(|n| crate::text::clean_text(&n)),
        filter_text,
        filter,
        starts_on,
        due_on,
        github_campaign: c.github_campaign,
        sla_days: c.sla_days.unwrap_or(30),
    })
}

/// `github.full_refresh`: `0s` (no store) up to a year; 28 days when absent.
fn full_refresh(at: &Locator<'_>, value: Option<&Spanned<String>>) -> Result<chrono::Duration> {
    let Some(w) = value else {
        return Ok(chrono::Duration::days(28));
    };
    humantime::parse_duration(w.value.trim())
        .ok()
        .filter(|d| *d <= std::time::Duration::from_secs(366 * 24 * 3600))
        .and_then(|d| chrono::Duration::from_std(d).ok())
        .ok_or_else(|| {
            at.spanned(
                w,
                &format!(
                    "`{}` is not a usable full_refresh (a duration up to a year)",
                    w.value
                ),
                Some("write e.g. `full_refresh: 28days`, or `0s` to read every alert on every run"),
            )
        })
}

/// A duration setting (`90s`, `15m`, `1h`), at least a second; `default_secs` when absent.
fn duration(
    at: &Locator<'_>,
    value: Option<&Spanned<String>>,
    key: &str,
    default_secs: u64,
) -> Result<std::time::Duration> {
    let Some(w) = value else {
        return Ok(std::time::Duration::from_secs(default_secs));
    };
    humantime::parse_duration(w.value.trim())
        .map_err(|e| e.to_string())
        .and_then(|d| {
            if d < std::time::Duration::from_secs(1) {
                Err("shorter than a second".to_string())
            } else if d > std::time::Duration::from_secs(7 * 24 * 3600) {
                Err("longer than a week".to_string())
            } else {
                Ok(d)
            }
        })
        .map_err(|why| {
            at.spanned(
                w,
                &format!("`{}` is not a usable duration ({why})", w.value),
                Some(&format!("write e.g. `{key}: 90s`, `15m` or `1h`")),
            )
        })
}

fn date(at: &Locator<'_>, d: &Spanned<String>) -> Result<NaiveDate> {
    let text = d.value.trim();
    // chrono accepts `2026-12-1`; the documented form has two-digit months and days
    let shaped = text.len() == 10
        && text.bytes().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }
        });
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .filter(|_| shaped)
        .filter(|d| crate::time::date_supported(*d))
        .ok_or_else(|| {
            at.spanned(
                d,
                &format!("`{}` is not a date between 1970 and 9999", d.value),
                Some("write dates as YYYY-MM-DD, e.g. `due_on: 2026-12-31`"),
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_str(text: &str) -> Result<Config> {
        parse(Path::new("c.yaml"), text)
    }

    fn err(text: &str) -> String {
        match parse_str(text) {
            Err(Error::Config(m)) => m,
            other => panic!("expected a config error, got {other:?}"),
        }
    }

    const MINIMAL: &str = "github:\n  org: acme\ncampaigns:\n  - id: all\n";

    const CHANNELS: &str = "delivery:\n  email: { smtp_url_env: S, from: a@acme.example, to: [b@acme.example] }\n  slack: [ { name: secops, webhook_env: A }, { name: both, webhook_env: B } ]\n  teams: [ { name: both, webhook_env: C } ]\n";

    #[test]
    fn full_refresh_defaults_to_28_days_and_zero_turns_the_store_off() {
        let with = |v: &str| {
            format!("github:\n  org: acme\n  full_refresh: {v}\ncampaigns:\n  - id: all\n")
        };
        assert_eq!(
            parse_str(MINIMAL).unwrap().github.full_refresh,
            chrono::Duration::days(28)
        );
        assert_eq!(
            parse_str(&with("7days")).unwrap().github.full_refresh,
            chrono::Duration::days(7)
        );
        assert!(
            parse_str(&with("0s"))
                .unwrap()
                .github
                .full_refresh
                .is_zero()
        );
        let m = err(&with("2years"));
        assert!(m.contains("3:17") && m.contains("up to a year"), "{m}");
        let m = err(&with("soon"));
        assert!(m.contains("`soon` is not a usable full_refresh"), "{m}");
    }

    #[test]
    fn escalation_rules_resolve_their_channels() {
        let c = parse_str(&format!(
            "{MINIMAL}{CHANNELS}escalation:\n  - when: \"validity:active  publicly-leaked\"\n    after: 24h\n    notify: [both, email, slack:secops]\n    contacts: [\"@acme/ir\", \" \"]\n  - name: old\n    when: \"validity:active\"\n    after: 30days\n    notify: [teams:both]\n"
        ))
        .unwrap();
        let r = &c.escalation[0];
        assert_eq!(
            r.name, "validity:active publicly-leaked",
            "named by its filter"
        );
        assert_eq!(r.after, chrono::Duration::hours(24));
        assert_eq!(
            r.notify,
            ["slack:both", "teams:both", "email", "slack:secops"]
        );
        assert_eq!(r.contacts, ["@acme/ir"]);
        assert_eq!(c.escalation[1].name, "old");
        assert_eq!(c.escalation[1].after, chrono::Duration::days(30));
        assert_eq!(c.escalation[1].notify, ["teams:both"]);
    }

    #[test]
    fn escalation_rules_are_checked_where_written() {
        let rule = |body: &str| err(&format!("{MINIMAL}{CHANNELS}escalation:\n{body}"));
        let m = rule("  - when: publicly-leaked\n    notify: [leadership]\n");
        assert!(
            m.starts_with("c.yaml:11:13: escalation rule `publicly-leaked`: `leadership` is not a channel of `delivery`"),
            "{m}"
        );
        assert!(
            m.contains("configured channels: email, secops (Slack), both (Slack), both (Teams)"),
            "{m}"
        );
        let m = rule("  - when: publicly-leaked\n    notify: [teams:secops]\n");
        assert!(m.contains("`teams:secops` is not a channel"), "{m}");
        let m = rule("  - when: publicly-leaked\n    notify: []\n");
        assert!(
            m.contains("escalation rule `publicly-leaked` notifies nobody"),
            "{m}"
        );
        let m = rule("  - when: \"validty:active\"\n    notify: [secops]\n");
        assert!(
            m.starts_with("c.yaml:10:12: escalation rule `validty:active`: bad filter: unknown filter `validty:active`"),
            "{m}"
        );
        let m = rule("  - when: publicly-leaked\n    after: soon\n    notify: [secops]\n");
        assert!(
            m.starts_with("c.yaml:11:12: escalation rule `publicly-leaked`: `soon` is not an age"),
            "{m}"
        );
        let m = rule(
            "  - when: publicly-leaked\n    notify: [secops]\n  - when: publicly-leaked\n    notify: [both]\n",
        );
        assert!(m.contains("is written twice"), "{m}");
        let m = rule("  - when: publicly-leaked\n    notfy: [secops]\n");
        assert!(
            m.contains("unknown field `notfy`") && m.contains("did you mean `notify`?"),
            "{m}"
        );
        let m = err(&format!("{MINIMAL}experts:\n  aws: []\n"));
        assert!(m.contains("experts: `aws` names nobody"), "{m}");
    }

    #[test]
    fn example_config_is_valid() {
        let c = parse_str(EXAMPLE_CONFIG).expect("example parses");
        assert_eq!(c.github.org, "acme");
        assert_eq!(c.campaigns.len(), 2);
        assert_eq!(c.campaigns[0].due_on, NaiveDate::from_ymd_opt(2026, 12, 31));
        assert_eq!(c.campaigns[0].sla_days, 30);
        assert_eq!(c.risk, RiskSettings::default());
        assert_eq!(c.history_path, PathBuf::from("reports/history.jsonl"));
    }

    #[test]
    fn defaults() {
        let c = parse_str(MINIMAL).expect("minimal parses");
        assert_eq!(c.github.token_env, "GITHUB_TOKEN");
        assert_eq!(c.github.generic_secret_types.len(), 11);
        assert_eq!(c.output.dir, PathBuf::from("reports"));
        assert_eq!(c.history_path, PathBuf::from("reports/history.jsonl"));
        assert_eq!(c.campaigns[0].sla_days, 30);
        assert!(c.campaigns[0].filter_text.is_empty());
        let off = parse_str(
            "github:\n  org: acme\n  generic_secret_types: []\ncampaigns:\n  - id: all\n",
        )
        .expect("parses");
        assert!(off.github.generic_secret_types.is_empty());
    }

    #[test]
    fn unknown_key_names_line_column_and_suggestion() {
        let m = err("github:\n  org: acme\ncampaigns:\n  - id: all\nrisk:\n  top_repoz: 3\n");
        assert!(
            m.starts_with("c.yaml:6:3: unknown field `top_repoz`"),
            "{m}"
        );
        assert!(m.contains("did you mean `top_repos`?"), "{m}");
        assert!(m.contains("|   top_repoz: 3"), "{m}");
    }

    #[test]
    fn wrong_type() {
        let m = err("github:\n  org: acme\ncampaigns:\n  - id: all\n    sla_days: soon\n");
        assert!(m.starts_with("c.yaml:5:15:"), "{m}");
    }

    #[test]
    fn bad_campaign_id() {
        let m = err("github:\n  org: acme\ncampaigns:\n  - id: Azure Active\n");
        assert!(
            m.starts_with("c.yaml:4:9: campaign id `Azure Active` is not valid"),
            "{m}"
        );
        assert!(m.contains("`id: azure-active`"), "{m}");
    }

    #[test]
    fn duplicate_campaign_id() {
        let m = err("github:\n  org: acme\ncampaigns:\n  - id: a\n  - id: a\n");
        assert!(
            m.starts_with("c.yaml:5:9: campaign id `a` is used twice"),
            "{m}"
        );
    }

    #[test]
    fn bad_date() {
        let m = err("github:\n  org: acme\ncampaigns:\n  - id: a\n    due_on: 2026-13-01\n");
        assert!(
            m.starts_with("c.yaml:5:13: `2026-13-01` is not a date"),
            "{m}"
        );
        assert!(m.contains("YYYY-MM-DD"), "{m}");
        let m = err(
            "github:\n  org: acme\ncampaigns:\n  - id: a\n    starts_on: 2026-12-01\n    due_on: 2026-11-01\n",
        );
        assert!(m.contains("before it starts"), "{m}");
    }

    #[test]
    fn empty_campaigns() {
        let m = err("github:\n  org: acme\ncampaigns: []\n");
        assert!(m.starts_with("c.yaml:3:"), "{m}");
        assert!(m.contains("`campaigns` is empty"), "{m}");
    }

    #[test]
    fn missing_campaigns_and_empty_file() {
        let m = err("github:\n  org: acme\n");
        assert!(m.contains("campaigns"), "{m}");
        let m = err("");
        assert!(m.contains("c.yaml:1:1: the configuration is empty"), "{m}");
    }

    #[test]
    fn bad_filter_points_at_token() {
        let m = err(
            "github:\n  org: acme\ncampaigns:\n  - id: a\n    filter: \"provider:azure validty:active\"\n",
        );
        assert!(
            m.starts_with("c.yaml:5:29: campaign `a`: bad filter: unknown filter `validty:active`"),
            "{m}"
        );
        assert!(m.contains("did you mean `validity:`"), "{m}");
        let carets = format!("\n   | {}{}\n", " ".repeat(28), "^".repeat(14));
        assert!(m.contains(&carets), "{m}");
    }

    #[test]
    fn plain_http_only_to_loopback() {
        let m = err(
            "github:\n  org: acme\n  api_url: http://ghe.example.com/api/v3\ncampaigns:\n  - id: a\n",
        );
        assert!(m.contains("plain http"), "{m}");
        parse_str(
            "github:\n  org: acme\n  api_url: http://127.0.0.1:8080\ncampaigns:\n  - id: a\n",
        )
        .expect("loopback http is fine");
    }
}

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
