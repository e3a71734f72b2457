//! The configuration file as written: what serde-saphyr reads, with every value's position
//! for the errors that follow; unknown keys are refused here.

use super::*;
use serde::Deserialize;
use serde_saphyr::Spanned;
use std::collections::BTreeMap;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawConfig {
    pub(super) github: RawGithub,
    #[serde(default)]
    pub(super) history: Option<RawHistory>,
    #[serde(default)]
    pub(super) output: Option<RawOutput>,
    pub(super) campaigns: Spanned<Vec<RawCampaign>>,
    #[serde(default)]
    pub(super) risk: Option<RawRisk>,
    #[serde(default)]
    pub(super) delivery: Option<DeliveryConfig>,
    #[serde(default)]
    pub(super) ownership: Option<RawOwnership>,
    #[serde(default)]
    pub(super) playbooks_dir: Option<String>,
    #[serde(default)]
    pub(super) experts: Option<Spanned<BTreeMap<String, Vec<String>>>>,
    #[serde(default)]
    pub(super) escalation: Vec<RawEscalation>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawEscalation {
    #[serde(default)]
    pub(super) name: Option<Spanned<String>>,
    pub(super) when: Spanned<String>,
    #[serde(default)]
    pub(super) after: Option<Spanned<String>>,
    pub(super) notify: Spanned<Vec<String>>,
    #[serde(default)]
    pub(super) contacts: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawOwnership {
    #[serde(default)]
    pub(super) sources: Option<Spanned<Vec<String>>>,
    #[serde(default)]
    pub(super) teams: Option<Spanned<OrderedTeams>>,
}

/// `ownership.teams` in the order written: the first team whose pattern matches wins.
pub(super) struct OrderedTeams(pub(super) Vec<(String, Vec<String>)>);

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
pub(super) struct RawGithub {
    #[serde(default)]
    pub(super) org: Option<Spanned<String>>,
    #[serde(default)]
    pub(super) orgs: Option<Spanned<Vec<Spanned<RawOrg>>>>,
    #[serde(default)]
    pub(super) enterprise: Option<Spanned<String>>,
    #[serde(default)]
    pub(super) api_url: Option<Spanned<String>>,
    #[serde(default)]
    pub(super) token_env: Option<String>,
    #[serde(default)]
    pub(super) app: Option<AppConfig>,
    #[serde(default)]
    pub(super) generic_secret_types: Option<Vec<String>>,
    #[serde(default)]
    pub(super) max_wait: Option<Spanned<String>>,
    #[serde(default)]
    pub(super) timeout: Option<Spanned<String>>,
    #[serde(default)]
    pub(super) full_refresh: Option<Spanned<String>>,
}

/// An entry of `github.orgs`: a login, or a login with its own credentials.
#[derive(Deserialize)]
#[serde(untagged)]
pub(super) enum RawOrg {
    Name(String),
    Full(RawOrgFull),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawOrgFull {
    pub(super) name: String,
    #[serde(default)]
    pub(super) token_env: Option<String>,
    #[serde(default)]
    pub(super) app: Option<AppConfig>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawHistory {
    pub(super) path: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawOutput {
    #[serde(default)]
    pub(super) dir: Option<String>,
    #[serde(default)]
    pub(super) report_url: Option<Spanned<String>>,
    #[serde(default)]
    pub(super) templates_dir: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawCampaign {
    pub(super) id: Spanned<String>,
    #[serde(default)]
    pub(super) org: Option<Spanned<String>>,
    #[serde(default)]
    pub(super) name: Option<String>,
    #[serde(default)]
    pub(super) filter: Option<Spanned<String>>,
    #[serde(default)]
    pub(super) starts_on: Option<Spanned<String>>,
    #[serde(default)]
    pub(super) due_on: Option<Spanned<String>>,
    #[serde(default)]
    pub(super) github_campaign: Option<u64>,
    #[serde(default)]
    pub(super) sla_days: Option<u32>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawRisk {
    #[serde(default)]
    pub(super) stale_after_days: Option<u32>,
    #[serde(default)]
    pub(super) top_repos: Option<usize>,
    #[serde(default)]
    pub(super) top_alerts: Option<usize>,
}
