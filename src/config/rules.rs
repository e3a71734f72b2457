//! The parts of the configuration that name each other: escalation rules and their channels,
//! subject-matter experts, ownership sources and teams, and the delivery settings they use.

use super::*;

/// `experts`: every key names something and every list names someone.
pub(super) fn experts(
    at: &Locator<'_>,
    raw: Option<Spanned<BTreeMap<String, Vec<String>>>>,
) -> Result<BTreeMap<String, Vec<String>>> {
    let Some(raw) = raw else {
        return Ok(BTreeMap::new());
    };
    for (key, people) in &raw.value {
        if key.trim().is_empty() || people.iter().all(|p| p.trim().is_empty()) {
            return Err(at.spanned(
                &raw,
                &format!("experts: `{key}` names nobody"),
                Some("key experts by secret type, provider or playbook, e.g. `aws: [\"@acme/cloud-sec\"]`"),
            ));
        }
    }
    Ok(raw
        .value
        .into_iter()
        .map(|(k, v)| {
            (
                k.trim().to_string(),
                v.into_iter()
                    .map(|p| p.trim().to_string())
                    .filter(|p| !p.is_empty())
                    .collect(),
            )
        })
        .collect())
}

/// `escalation`: each rule's filter parses, its age reads, its channels exist, its name is
/// its own.
pub(super) fn escalation(
    at: &Locator<'_>,
    raw: Vec<RawEscalation>,
    delivery: &DeliveryConfig,
) -> Result<Vec<EscalationRule>> {
    let mut rules: Vec<EscalationRule> = Vec::with_capacity(raw.len());
    for r in raw {
        let name = r
            .name
            .as_ref()
            .map(|n| n.value.trim().to_string())
            .unwrap_or_else(|| {
                r.when
                    .value
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
            });
        let subject = format!("escalation rule `{name}`");
        if name.is_empty() {
            return Err(at.spanned(
                r.name.as_ref().unwrap_or(&r.when),
                "an escalation rule needs a name or a `when` filter",
                Some("e.g. `when: \"validity:active publicly-leaked\"`"),
            ));
        }
        if rules.iter().any(|o| o.name == name) {
            return Err(at.spanned(
                r.name.as_ref().unwrap_or(&r.when),
                &format!("{subject} is written twice"),
                Some("give each rule its own `name`: it keys which alerts were already sent"),
            ));
        }
        let when =
            Filter::parse(&r.when.value).map_err(|e| at.filter_error(&r.when, &subject, &e))?;
        let (after, after_text) = match &r.after {
            None => (chrono::Duration::zero(), "0s".to_string()),
            Some(a) => {
                let parsed = humantime::parse_duration(a.value.trim())
                    .ok()
                    .filter(|d| d.as_secs() <= 3650 * 86_400)
                    .and_then(|d| chrono::Duration::from_std(d).ok())
                    .ok_or_else(|| {
                        at.spanned(
                            a,
                            &format!("{subject}: `{}` is not an age", a.value),
                            Some("write how long after the secret was found, e.g. `after: 24h` or `7days`"),
                        )
                    })?;
                (parsed, a.value.trim().to_string())
            }
        };
        if r.notify.value.is_empty() {
            return Err(at.spanned(
                &r.notify,
                &format!("{subject} notifies nobody"),
                Some(&format!(
                    "name channels of `delivery`: {}",
                    channel_names(delivery)
                )),
            ));
        }
        let mut notify = Vec::new();
        for n in &r.notify.value {
            let keys = channel_keys(n.trim(), delivery);
            if keys.is_empty() {
                return Err(at.spanned(
                    &r.notify,
                    &format!("{subject}: `{n}` is not a channel of `delivery`"),
                    Some(&format!("configured channels: {}", channel_names(delivery))),
                ));
            }
            for k in keys {
                if !notify.contains(&k) {
                    notify.push(k);
                }
            }
        }
        rules.push(EscalationRule {
            name,
            when_text: r.when.value.clone(),
            when,
            after,
            after_text,
            notify,
            contacts: r
                .contacts
                .into_iter()
                .map(|c| c.trim().to_string())
                .filter(|c| !c.is_empty())
                .collect(),
        });
    }
    Ok(rules)
}

/// The keys of the channels a `notify` entry names: `email`, `slack:NAME`, `teams:NAME`, or a
/// bare NAME for every webhook of that name.
pub(super) fn channel_keys(name: &str, d: &DeliveryConfig) -> Vec<String> {
    let slack = |n: &str| d.slack.iter().any(|h| h.name == n);
    let teams = |n: &str| d.teams.iter().any(|h| h.name == n);
    match name.split_once(':') {
        Some(("slack", n)) if slack(n) => vec![format!("slack:{n}")],
        Some(("teams", n)) if teams(n) => vec![format!("teams:{n}")],
        Some(_) => vec![],
        None if name == "email" && d.email.is_some() => vec!["email".into()],
        None => {
            let mut out = Vec::new();
            if slack(name) {
                out.push(format!("slack:{name}"));
            }
            if teams(name) {
                out.push(format!("teams:{name}"));
            }
            out
        }
    }
}

pub(super) fn channel_names(d: &DeliveryConfig) -> String {
    let mut names: Vec<String> = Vec::new();
    if d.email.is_some() {
        names.push("email".into());
    }
    names.extend(d.slack.iter().map(|h| format!("{} (Slack)", h.name)));
    names.extend(d.teams.iter().map(|h| format!("{} (Teams)", h.name)));
    if names.is_empty() {
        "none yet; add one under `delivery`".into()
    } else {
        names.join(", ")
    }
}

/// `ownership`: the sources' order (each known, once) and the teams' repository patterns.
pub(super) fn ownership(
    at: &Locator<'_>,
    raw: Option<RawOwnership>,
) -> Result<crate::ownership::OwnershipConfig> {
    use crate::model::OwnerSource;
    use crate::ownership::OwnershipConfig;
    let mut config = OwnershipConfig::default();
    let Some(raw) = raw else {
        return Ok(config);
    };
    if let Some(sources) = &raw.sources {
        let mut seen = Vec::new();
        for name in &sources.value {
            let source = OwnerSource::parse(name.trim()).ok_or_else(|| {
                at.spanned(
                    sources,
                    &format!("`{name}` is not an owner source"),
                    Some("use some of assignee, committer, bypasser, codeowners, teams"),
                )
            })?;
            if seen.contains(&source) {
                return Err(at.spanned(
                    sources,
                    &format!("`{name}` is listed twice"),
                    Some("list each source once, in the order to ask them"),
                ));
            }
            seen.push(source);
        }
        config.sources = seen;
    }
    if let Some(teams) = &raw.teams {
        for (team, patterns) in &teams.value.0 {
            let valid = team.split_once('/').is_some_and(|(org, slug)| {
                !org.is_empty() && !slug.is_empty() && !slug.contains('/')
            });
            if !valid {
                return Err(at.spanned(
                    teams,
                    &format!("`{team}` is not a team"),
                    Some("name teams as org/team-slug, e.g. `acme/sre: [ops-scripts, \"k8s-*\"]`"),
                ));
            }
            let compiled = patterns
                .iter()
                .map(|p| glob::Pattern::new(p.trim()))
                .collect::<std::result::Result<Vec<_>, _>>()
                .map_err(|e| {
                    at.spanned(
                        teams,
                        &format!("team `{team}`: a repository pattern is not valid ({e})"),
                        Some("write repository names or patterns like `k8s-*`"),
                    )
                })?;
            config.teams.push((team.clone(), compiled));
        }
    }
    Ok(config)
}

/// Webhook names appear in file names and messages: short, safe and unique per kind.
/// An Entra object id: 8-4-4-4-12 hexadecimal digits.
fn is_guid(id: &str) -> bool {
    let parts: Vec<&str> = id.split('-').collect();
    parts.iter().map(|p| p.len()).eq([8, 4, 4, 4, 12])
        && parts
            .iter()
            .all(|p| p.chars().all(|c| c.is_ascii_hexdigit()))
}

pub(super) fn check_delivery(path: &Path, d: &DeliveryConfig) -> Result<()> {
    for (who, m) in &d.mentions {
        let name = who.trim_start_matches('@');
        let is_owner = match name.split_once('/') {
            Some((org, team)) => crate::model::is_login(org) && crate::model::is_login(team),
            None => crate::model::is_login(name),
        };
        if !is_owner {
            return Err(Error::Config(format!(
                "{}: delivery.mentions: `{who}` is not a GitHub login or an org/team",
                path.display()
            )));
        }
        if let Some(t) = &m.teams {
            let id_ok = (3..=256).contains(&t.id.len())
                && !t
                    .id
                    .chars()
                    .any(|c| c.is_whitespace() || c.is_control() || "<>\"'&".contains(c))
                && (t.id.contains('@') || is_guid(&t.id));
            let name_ok = (1..=64).contains(&t.name.chars().count())
                && !t
                    .name
                    .chars()
                    .any(|c| c.is_control() || "<>*_[]\\{}".contains(c));
            if !id_ok || !name_ok {
                return Err(Error::Config(format!(
                    "{}: delivery.mentions.{who}.teams: needs `id`, the user's Entra object id or user principal name (ada@acme.example), and `name`, the name Teams shows (plain text, at most 64 characters)",
                    path.display()
                )));
            }
        }
        if let Some(id) = &m.slack {
            let ok = (3..=24).contains(&id.len())
                && id.starts_with(['U', 'W', 'S'])
                && id
                    .chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit());
            if !ok {
                return Err(Error::Config(format!(
                    "{}: delivery.mentions.{who}.slack: `{id}` is not a Slack member id (U…, W…) or user group id (S…); copy it from the member's profile, More, Copy member ID",
                    path.display()
                )));
            }
        }
    }
    for (kind, hooks) in [("slack", &d.slack), ("teams", &d.teams)] {
        let mut seen = HashSet::new();
        for h in hooks {
            let ok = !h.name.is_empty()
                && h.name.len() <= 40
                && h.name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
            if !ok {
                return Err(Error::Config(format!(
                    "{}: delivery.{kind}: name `{}` is not valid; use letters, digits, `-` and `_` (it names files and log lines instead of the URL)",
                    path.display(),
                    h.name
                )));
            }
            if !seen.insert(h.name.as_str()) {
                return Err(Error::Config(format!(
                    "{}: delivery.{kind}: name `{}` is used twice; give each webhook its own name",
                    path.display(),
                    h.name
                )));
            }
        }
    }
    if let Some(e) = &d.email
        && e.to.is_empty()
    {
        return Err(Error::Config(format!(
            "{}: delivery.email.to is empty; list at least one recipient",
            path.display()
        )));
    }
    Ok(())
}
