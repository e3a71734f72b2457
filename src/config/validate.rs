//! From the file as written to a [`Config`]: every value checked, every error naming the
//! file, line and column and what to write instead.

use super::*;
use crate::error::Result;
use crate::filter::Filter;
use crate::net::check_url;
use chrono::NaiveDate;
pub(crate) use locator::Locator;
use serde_saphyr::Spanned;
use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// An organization login: letters, digits, `-` and `_`.
fn is_login(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// Folders of the output that an organization's folder (`OUT/<org>/`) must not take.
const RESERVED_ORGS: &[&str] = &["overview", "playbooks", "outbox"];

/// `github.org`, or `github.orgs` (then the first is `github.org` until `per_org` splits it).
fn organizations(at: &Locator<'_>, github: &mut RawGithub) -> Result<(String, Vec<OrgConfig>)> {
    if let Some(e) = &github.enterprise {
        return Err(at.spanned(
            e,
            "`github.enterprise` (the enterprise-wide alert listing) is not supported by this version",
            Some("list the enterprise's organizations under `github.orgs` instead, each read with a token or App installation of its own"),
        ));
    }
    match (github.org.take(), github.orgs.take()) {
        (Some(org), None) => {
            let name = org.value.trim().to_string();
            if !is_login(&name) {
                return Err(at.spanned(
                    &org,
                    &format!("`{}` is not an organization login", org.value),
                    Some("write the organization's login as in its URL, e.g. `org: acme`"),
                ));
            }
            Ok((name, Vec::new()))
        }
        (None, Some(list)) => {
            if list.value.is_empty() {
                return Err(at.spanned(
                    &list,
                    "`github.orgs` is empty",
                    Some("list the organizations to read, e.g. `orgs: [acme, globex]`"),
                ));
            }
            let mut orgs: Vec<OrgConfig> = Vec::new();
            for entry in &list.value {
                let o = match &entry.value {
                    RawOrg::Name(name) => OrgConfig {
                        name: name.trim().to_string(),
                        token_env: None,
                        app: None,
                    },
                    RawOrg::Full(f) => OrgConfig {
                        name: f.name.trim().to_string(),
                        token_env: f.token_env.clone(),
                        app: f.app.clone(),
                    },
                };
                if !is_login(&o.name) {
                    return Err(at.spanned(
                        entry,
                        &format!("`{}` is not an organization login", o.name),
                        Some("write each organization's login as in its URL, or `{ name: acme, token_env: ACME_TOKEN }`"),
                    ));
                }
                if RESERVED_ORGS.iter().any(|r| o.name.eq_ignore_ascii_case(r)) {
                    return Err(at.spanned(
                        entry,
                        &format!(
                            "the organization `{}` would take the output's own folder OUT/{}/",
                            o.name, o.name
                        ),
                        Some("this version cannot report on an organization with that login"),
                    ));
                }
                if orgs.iter().any(|x| x.name.eq_ignore_ascii_case(&o.name)) {
                    return Err(at.spanned(
                        entry,
                        &format!("the organization `{}` is listed twice", o.name),
                        Some("list each organization once"),
                    ));
                }
                orgs.push(o);
            }
            Ok((orgs[0].name.clone(), orgs))
        }
        (Some(org), Some(_)) => Err(at.spanned(
            &org,
            "`github.org` and `github.orgs` are both set",
            Some("keep `org:` for one organization, or list every one under `orgs:`"),
        )),
        (None, None) => Err(at.error(
            1,
            1,
            "`github.org` is missing: which organization should be read?",
            Some("write e.g. `github:\n  org: acme`, or `orgs: [acme, globex]` for several"),
        )),
    }
}

pub(super) fn validate(path: &Path, at: &Locator<'_>, mut raw: RawConfig) -> Result<Config> {
    let (org, orgs) = organizations(at, &mut raw.github)?;
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
        if let Some(o) = &c.org {
            let known = if orgs.is_empty() {
                o.value.eq_ignore_ascii_case(&org)
            } else {
                orgs.iter().any(|x| x.name.eq_ignore_ascii_case(&o.value))
            };
            if !known {
                let listed = if orgs.is_empty() {
                    org.clone()
                } else {
                    orgs.iter()
                        .map(|x| x.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                };
                return Err(at.spanned(
                    o,
                    &format!(
                        "campaign `{}` belongs to `{}`, which the configuration does not read",
                        c.id.value, o.value
                    ),
                    Some(&format!(
                        "name one of {listed}, or leave `org:` out to report it in every organization"
                    )),
                ));
            }
        }
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
        orgs,
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

pub(super) fn campaign(
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
        org: c.org.map(|o| o.value.trim().to_string()),
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
pub(super) fn full_refresh(
    at: &Locator<'_>,
    value: Option<&Spanned<String>>,
) -> Result<chrono::Duration> {
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
pub(super) fn duration(
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

pub(super) fn date(at: &Locator<'_>, d: &Spanned<String>) -> Result<NaiveDate> {
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
