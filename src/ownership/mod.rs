//! Who owns each leak (docs/owners.md): the first of the configured sources that names someone —
//! the assignee, the committer of the secret, the person who pushed it past push protection,
//! the repository's CODEOWNERS, or a team configured for the repository.
//!
//! Resolution here is pure: what had to be looked up on GitHub (commit authors, CODEOWNERS
//! files) comes in as [`Lookups`]; `crate::github::owners` does the looking up.

pub mod codeowners;

use crate::model::Alert;
use crate::model::{Owner, OwnerKind, OwnerSource, Ownership};
use codeowners::{CodeOwner, CodeOwners};
use std::collections::{BTreeMap, HashMap};

/// The ownership settings of the configuration.
#[derive(Debug, Clone)]
pub struct OwnershipConfig {
    /// Sources in the order they are asked.
    pub sources: Vec<OwnerSource>,
    /// Teams and the repository patterns they own, in configuration order.
    pub teams: Vec<(String, Vec<glob::Pattern>)>,
}

impl Default for OwnershipConfig {
    fn default() -> Self {
        OwnershipConfig {
            sources: OwnerSource::DEFAULT_ORDER.to_vec(),
            teams: Vec::new(),
        }
    }
}

impl OwnershipConfig {
    /// The first team whose pattern matches the repository (`name` or `owner/name`).
    pub fn team_for(&self, full_name: &str) -> Option<&str> {
        let name = full_name.rsplit('/').next().unwrap_or(full_name);
        self.teams
            .iter()
            .find(|(_, patterns)| {
                patterns
                    .iter()
                    .any(|p| p.matches(name) || p.matches(full_name))
            })
            .map(|(team, _)| team.as_str())
    }
}

/// What was looked up on GitHub for the sources that need it.
#[derive(Debug, Clone, Default)]
pub struct Lookups {
    /// Commit sha → the author's login (`None`: the commit's e-mail is linked to no account).
    pub committers: HashMap<String, Option<String>>,
    /// Repository → its CODEOWNERS (`None`: it has none).
    pub codeowners: HashMap<String, Option<CodeOwners>>,
    /// Why some lookups were not made (the rate limit, a replayed file), by source.
    pub not_asked: BTreeMap<OwnerSource, String>,
}

/// The owner of an alert: the first source, in the configured order, that names one. A
/// source whose lookup was not made leaves the alert's owner unknown (with why) unless an
/// earlier source named one.
pub fn owner_of(alert: &Alert, config: &OwnershipConfig, lookups: &Lookups) -> Ownership {
    let user = |name: &str, source| {
        Ownership::Owned(Owner {
            name: name.to_string(),
            kind: OwnerKind::User,
            source,
        })
    };
    let location = alert.first_location_detected.as_ref();
    for source in &config.sources {
        match source {
            OwnerSource::Assignee => {
                if let Some(login) = alert.assignee() {
                    return user(login, OwnerSource::Assignee);
                }
            }
            OwnerSource::Committer => {
                let Some(sha) = location.and_then(|l| l.commit_sha.as_deref()) else {
                    continue;
                };
                match lookups.committers.get(sha) {
                    Some(Some(login)) => return user(login, OwnerSource::Committer),
                    Some(None) => {}
                    None => {
                        if let Some(why) = lookups.not_asked.get(source) {
                            return Ownership::Unknown(why.clone());
                        }
                    }
                }
            }
            OwnerSource::Bypasser => {
                if let Some(u) = &alert.push_protection_bypassed_by {
                    return user(&u.login, OwnerSource::Bypasser);
                }
            }
            OwnerSource::Codeowners => {
                let Some(path) = location.and_then(|l| l.path.as_deref()) else {
                    continue;
                };
                match lookups.codeowners.get(&alert.repository.full_name) {
                    Some(Some(co)) => {
                        if let Some(owners) = co.owners_of(path) {
                            return match owners.first() {
                                Some(CodeOwner::User(u)) => user(u, OwnerSource::Codeowners),
                                Some(CodeOwner::Team(t)) => Ownership::Owned(Owner {
                                    name: t.clone(),
                                    kind: OwnerKind::Team,
                                    source: OwnerSource::Codeowners,
                                }),
                                // the last matching line names nobody: no owner from here
                                None => continue,
                            };
                        }
                    }
                    Some(None) => {}
                    None => {
                        if let Some(why) = lookups.not_asked.get(source) {
                            return Ownership::Unknown(why.clone());
                        }
                    }
                }
            }
            OwnerSource::Teams => {
                if let Some(team) = config.team_for(&alert.repository.full_name) {
                    return Ownership::Owned(Owner {
                        name: team.to_string(),
                        kind: OwnerKind::Team,
                        source: OwnerSource::Teams,
                    });
                }
            }
        }
    }
    Ownership::Unowned
}

/// The most users `assign` tries for one alert: a CODEOWNERS line naming dozens does not make
/// dozens of writes.
pub const MAX_CANDIDATES: usize = 5;

/// Whom `assign` may make an alert's assignee.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Candidates {
    /// Users to try, in order, without repeats, at most [`MAX_CANDIDATES`]: the committer, the
    /// bypasser, then the users (not teams: they cannot be assignees) of the matching
    /// CODEOWNERS line in the order written.
    pub users: Vec<(String, OwnerSource)>,
    /// A source after these users could not be asked (why): when none of them can be
    /// assigned, the alert waits for a later run rather than go to someone further down.
    pub then_waits: Option<String>,
}

/// The candidates of an alert. A source whose lookup was not made for this alert (a failed
/// request, the budget spent) ends the list: who comes after it is not known to be next.
pub fn candidates(alert: &Alert, lookups: &Lookups) -> Candidates {
    let mut out = Candidates::default();
    let push = |users: &mut Vec<(String, OwnerSource)>, login: &str, source| {
        if users.len() < MAX_CANDIDATES && !users.iter().any(|(l, _)| l.eq_ignore_ascii_case(login))
        {
            users.push((login.to_string(), source));
        }
    };
    let not_asked = |source| {
        lookups
            .not_asked
            .get(&source)
            .cloned()
            .unwrap_or_else(|| "not looked up".to_string())
    };
    let location = alert.first_location_detected.as_ref();
    if let Some(sha) = location.and_then(|l| l.commit_sha.as_deref()) {
        match lookups.committers.get(sha) {
            Some(Some(login)) => push(&mut out.users, login, OwnerSource::Committer),
            Some(None) => {}
            None => {
                out.then_waits = Some(not_asked(OwnerSource::Committer));
                return out;
            }
        }
    }
    if let Some(u) = &alert.push_protection_bypassed_by {
        push(&mut out.users, &u.login, OwnerSource::Bypasser);
    }
    if let Some(path) = location.and_then(|l| l.path.as_deref()) {
        match lookups.codeowners.get(&alert.repository.full_name) {
            Some(Some(co)) => {
                for owner in co.owners_of(path).unwrap_or_default() {
                    if let CodeOwner::User(login) = owner {
                        push(&mut out.users, login, OwnerSource::Codeowners);
                    }
                }
            }
            Some(None) => {}
            None if out.users.len() < MAX_CANDIDATES => {
                out.then_waits = Some(not_asked(OwnerSource::Codeowners));
            }
            None => {}
        }
    }
    out
}

/// Resolves the owner of every alert in place.
pub fn resolve(alerts: &mut [Alert], config: &OwnershipConfig, lookups: &Lookups) {
    for a in alerts.iter_mut() {
        a.owner = owner_of(a, config, lookups);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Location, User, testkit};
    use chrono::TimeZone;

    fn alert(repo: &str) -> Alert {
        Alert {
            first_location_detected: Some(Location {
                path: Some("src/config.yaml".into()),
                commit_sha: Some("abc".into()),
            }),
            ..testkit::alert(
                repo,
                1,
                chrono::Utc.with_ymd_and_hms(2026, 10, 1, 0, 0, 0).unwrap(),
            )
        }
    }

    fn config(teams: &[(&str, &[&str])]) -> OwnershipConfig {
        OwnershipConfig {
            teams: teams
                .iter()
                .map(|(t, ps)| {
                    (
                        t.to_string(),
                        ps.iter().map(|p| glob::Pattern::new(p).unwrap()).collect(),
                    )
                })
                .collect(),
            ..OwnershipConfig::default()
        }
    }

    fn name(o: &Ownership) -> String {
        match o {
            Ownership::Owned(o) => format!("{} ({})", o.name, o.source.as_str()),
            Ownership::Unowned => "unowned".into(),
            Ownership::Unknown(why) => format!("unknown: {why}"),
        }
    }

    #[test]
    fn each_source_in_the_default_order() {
        let cfg = config(&[("acme/sre", &["ops-*"]), ("acme/web", &["acme/web*"])]);
        let (co, _) = CodeOwners::parse("*.yaml @acme/platform\n");
        let mut lookups = Lookups::default();
        lookups.committers.insert("abc".into(), Some("ada".into()));
        lookups.codeowners.insert("acme/api".into(), Some(co));
        let mut a = alert("acme/api");
        a.assigned_to = Some(User {
            login: "mona".into(),
        });
        assert_eq!(name(&owner_of(&a, &cfg, &lookups)), "mona (assignee)");
        a.assigned_to = None;
        assert_eq!(name(&owner_of(&a, &cfg, &lookups)), "ada (committer)");
        // the commit's e-mail is linked to no account
        lookups.committers.insert("abc".into(), None);
        a.push_protection_bypassed_by = Some(User {
            login: "hubot".into(),
        });
        assert_eq!(name(&owner_of(&a, &cfg, &lookups)), "hubot (bypasser)");
        a.push_protection_bypassed_by = None;
        assert_eq!(
            name(&owner_of(&a, &cfg, &lookups)),
            "acme/platform (codeowners)"
        );
        // no CODEOWNERS: the configured teams, by name or full name
        let a = alert("acme/ops-scripts");
        lookups.codeowners.insert("acme/ops-scripts".into(), None);
        assert_eq!(name(&owner_of(&a, &cfg, &lookups)), "acme/sre (teams)");
        let a = alert("acme/website");
        lookups.codeowners.insert("acme/website".into(), None);
        assert_eq!(name(&owner_of(&a, &cfg, &lookups)), "acme/web (teams)");
        let a = alert("acme/other");
        lookups.codeowners.insert("acme/other".into(), None);
        assert_eq!(name(&owner_of(&a, &cfg, &lookups)), "unowned");
    }

    #[test]
    fn the_configured_order_and_lookups_not_made() {
        let mut cfg = config(&[("acme/sre", &["*"])]);
        cfg.sources = vec![OwnerSource::Teams, OwnerSource::Assignee];
        let mut a = alert("acme/api");
        a.assigned_to = Some(User {
            login: "mona".into(),
        });
        assert_eq!(
            name(&owner_of(&a, &cfg, &Lookups::default())),
            "acme/sre (teams)"
        );
        // the committer could not be asked: unknown, and why
        let cfg = config(&[]);
        let mut lookups = Lookups::default();
        lookups.not_asked.insert(
            OwnerSource::Committer,
            "the rate limit left no requests".into(),
        );
        assert_eq!(
            name(&owner_of(&alert("acme/api"), &cfg, &lookups)),
            "unknown: the rate limit left no requests"
        );
    }
}
