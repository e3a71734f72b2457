//! This project's own view of GitHub's secret-scanning alert and campaign records.
//!
//! octocrab's `SecretScanningAlert` requires the `secret` field, which GitHub omits when asked
//! with `hide_secret=true`, so alerts are read into these types instead. There is deliberately
//! no field for the secret and none for people's free-text comments (`resolution_comment`,
//! bypass and closure comments): whatever the server sends in them is dropped at parse time.
//! Unknown extra fields are ignored and unknown enum values are kept as data.

use crate::text::clean_owned;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize};

/// Text fields, cleaned at parse time with [`clean_text`].
mod text {
    use super::*;

    pub fn required<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
        Ok(clean_owned(String::deserialize(d)?))
    }

    pub fn optional<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
        Ok(Option::<String>::deserialize(d)?.map(clean_owned))
    }
}

/// Instants from GitHub, refused outside the years this tool computes with
/// ([`crate::time::SUPPORTED_YEARS`]): such a date is unreadable data, not a reason to
/// overflow date arithmetic later.
mod instant {
    use super::*;

    fn check<E: serde::de::Error>(t: DateTime<Utc>) -> Result<DateTime<Utc>, E> {
        if crate::time::instant_supported(t) {
            Ok(t)
        } else {
            Err(E::custom(format!(
                "{} is outside the years 1970 to 9999",
                t.to_rfc3339()
            )))
        }
    }

    pub fn required<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
        check(DateTime::<Utc>::deserialize(d)?)
    }

    pub fn optional<'de, D: Deserializer<'de>>(d: D) -> Result<Option<DateTime<Utc>>, D::Error> {
        Option::<DateTime<Utc>>::deserialize(d)?
            .map(check)
            .transpose()
    }
}

/// One secret-scanning alert, as listed by `GET /orgs/{org}/secret-scanning/alerts`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct Alert {
    /// Alert number, unique within its repository.
    pub number: u64,
    /// When secret scanning first found the secret.
    #[serde(deserialize_with = "instant::required")]
    pub created_at: DateTime<Utc>,
    /// Last change to the alert (resolution included); GitHub may send null.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "instant::optional"
    )]
    pub updated_at: Option<DateTime<Utc>>,
    /// The alert's page on GitHub.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "text::optional"
    )]
    pub html_url: Option<String>,
    /// `open` or `resolved` (kept as text: unknown values are data, not errors).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "text::optional"
    )]
    pub state: Option<String>,
    /// Why the alert was closed: `revoked`, `false_positive`, `wont_fix`, `used_in_tests`, ...
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "text::optional"
    )]
    pub resolution: Option<String>,
    /// When the alert was closed; null while it is open.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "instant::optional"
    )]
    pub resolved_at: Option<DateTime<Utc>>,
    /// Who closed the alert (the login only: a dismissal of a working secret is a risk
    /// someone accepted, and reports name who).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolved_by: Option<User>,
    /// Machine name of the pattern, e.g. `azure_storage_account_key`.
    #[serde(default, deserialize_with = "text::required")]
    pub secret_type: String,
    /// Human name of the pattern, e.g. `Azure Storage Account Access Key`.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "text::optional"
    )]
    pub secret_type_display_name: Option<String>,
    /// Provider of the secret, e.g. `Microsoft Azure`.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "text::optional"
    )]
    pub provider: Option<String>,
    /// Provider slug, e.g. `azure`.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "text::optional"
    )]
    pub provider_slug: Option<String>,
    /// Repository the secret was found in.
    pub repository: Repository,
    /// Whether someone pushed the secret past push protection.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub push_protection_bypassed: Option<bool>,
    /// Whether the secret still works, as of GitHub's last check.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub validity: Option<Validity>,
    /// Whether the secret was also found in public.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub publicly_leaked: Option<bool>,
    /// Whether the secret was found in more than one repository.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub multi_repo: Option<bool>,
    /// Who is assigned to fix the alert.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assigned_to: Option<User>,
    /// Where the secret was first found (for a commit: the file and the commit).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_location_detected: Option<Location>,
    /// Who pushed the secret past push protection.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub push_protection_bypassed_by: Option<User>,
    /// When it was pushed past push protection.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "instant::optional"
    )]
    pub push_protection_bypassed_at: Option<DateTime<Utc>>,
    /// True when the alert came from the generic pass (non-provider patterns, passwords).
    /// Not part of GitHub's record: set by the source after fetching.
    #[serde(skip)]
    pub generic: bool,
    /// Who owns the alert (docs/owners.md). Not part of GitHub's record: resolved after fetching.
    #[serde(skip)]
    pub owner: crate::model::Ownership,
    /// The id of the alert's remediation playbook (docs/playbooks.md); empty until looked up. Not part
    /// of GitHub's record.
    #[serde(skip)]
    pub playbook: String,
}

/// Where a secret was found. Only commit locations carry a path and a commit; the others
/// (issues, pull requests, discussions, wikis) leave both empty.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
pub struct Location {
    /// The file, relative to the repository's root.
    #[serde(default, deserialize_with = "text::optional")]
    pub path: Option<String>,
    /// The commit that added the secret.
    #[serde(default, deserialize_with = "text::optional")]
    pub commit_sha: Option<String>,
}

impl Alert {
    /// Validity with null and unknown values read as `unknown`.
    pub fn validity(&self) -> Validity {
        self.validity.unwrap_or(Validity::Unknown)
    }

    /// Whether the alert is open at instant `t` (created by then, not resolved by then).
    pub fn is_open_at(&self, t: DateTime<Utc>) -> bool {
        self.created_at <= t && self.resolved_at.is_none_or(|r| r > t)
    }

    /// Whether the alert is resolved in the data read (state `resolved`, whatever its
    /// `resolved_at`; without a state, a `resolved_at` says so).
    pub fn is_resolved(&self) -> bool {
        match self.state.as_deref() {
            Some(state) => state == "resolved",
            None => self.resolved_at.is_some(),
        }
    }

    /// Whether the alert was resolved at or before instant `t`.
    pub fn is_closed_at(&self, t: DateTime<Utc>) -> bool {
        self.resolved_at.is_some_and(|r| r <= t)
    }

    /// The most recent change GitHub records for the alert, used to stop paging.
    pub fn last_change(&self) -> DateTime<Utc> {
        self.updated_at
            .or(self.resolved_at)
            .unwrap_or(self.created_at)
    }

    /// Login of the assignee, if any.
    pub fn assignee(&self) -> Option<&str> {
        self.assigned_to.as_ref().map(|u| u.login.as_str())
    }

    /// The display name of the secret type, falling back to its machine name.
    pub fn display_name(&self) -> &str {
        self.secret_type_display_name
            .as_deref()
            .filter(|s| !s.is_empty())
            .unwrap_or(&self.secret_type)
    }
}

/// The repository part of an alert.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct Repository {
    /// GitHub's id of the repository: it stays when the repository is renamed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<u64>,
    /// `owner/name`.
    #[serde(deserialize_with = "text::required")]
    pub full_name: String,
    /// Name without the owner.
    #[serde(default, deserialize_with = "text::required")]
    pub name: String,
}

/// GitHub's longest repository name.
pub const MAX_REPO_NAME: usize = 100;
/// GitHub's longest user or organization login.
pub const MAX_LOGIN: usize = 39;

/// Whether `name` can be a repository's name on GitHub: 1 to 100 of `A-Z a-z 0-9 . _ -`, and
/// neither `.` nor `..` (which a URL path would read as "this folder" and "the one above").
pub fn is_repo_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= MAX_REPO_NAME
        && name != "."
        && name != ".."
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

/// Whether `login` can be a GitHub user's or organization's login: 1 to 39 letters, digits
/// and hyphens, not starting with a hyphen. (Some old accounts end with a hyphen or hold two
/// in a row; those are accepted.)
pub fn is_login(login: &str) -> bool {
    !login.is_empty()
        && login.len() <= MAX_LOGIN
        && !login.starts_with('-')
        && login
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

impl Repository {
    /// Why an alert in this repository cannot be one of organization `org`'s alerts, if it
    /// cannot: its owner is another account (compared case-insensitively, as GitHub does), or
    /// its name is not a repository name. Such an alert is refused where it is read: no
    /// lookup, no write, no count.
    pub fn outside(&self, org: &str) -> Option<String> {
        let shown = crate::text::clip(&self.full_name, 80);
        let Some((owner, name)) = self.full_name.split_once('/') else {
            return Some(format!("`{shown}` is not owner/name"));
        };
        if !owner.eq_ignore_ascii_case(org) {
            return Some(format!("`{shown}` is not a repository of `{org}`"));
        }
        if !is_repo_name(name) {
            return Some(format!("`{shown}` is not a repository name"));
        }
        if !self.name.is_empty() && self.name != name {
            return Some(format!(
                "`{shown}` is called `{}` in the same answer",
                crate::text::clip(&self.name, 80)
            ));
        }
        None
    }
}

/// A GitHub user, reduced to the login.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct User {
    /// The user's login.
    #[serde(deserialize_with = "text::required")]
    pub login: String,
}

/// Result of GitHub's validity check of a secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Validity {
    /// The secret still works.
    Active,
    /// The secret no longer works.
    Inactive,
    /// Not checked, not checkable, or a value this version does not know.
    #[serde(other)]
    Unknown,
}

impl Validity {
    /// The lower-case name used in filters and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Validity::Active => "active",
            Validity::Inactive => "inactive",
            Validity::Unknown => "unknown",
        }
    }
}

/// A GitHub security campaign record (`GET /orgs/{org}/campaigns/{n}`).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct CampaignRecord {
    /// Campaign number within the organization.
    pub number: u64,
    /// Campaign name.
    #[serde(default, deserialize_with = "text::optional")]
    pub name: Option<String>,
    /// When the campaign was created: GitHub's campaign holds the alerts attached to it then.
    #[serde(default, deserialize_with = "instant::optional")]
    pub created_at: Option<DateTime<Utc>>,
    /// Due date of the campaign.
    #[serde(default, deserialize_with = "instant::optional")]
    pub ends_at: Option<DateTime<Utc>>,
    /// People managing the campaign.
    #[serde(default)]
    pub managers: Vec<User>,
    /// `open` or `closed`.
    #[serde(default, deserialize_with = "text::optional")]
    pub state: Option<String>,
    /// GitHub's own counts for the campaign's alerts.
    #[serde(default)]
    pub alert_stats: Option<AlertStats>,
}

/// GitHub's counts of a campaign's alerts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
pub struct AlertStats {
    /// Open alerts.
    #[serde(default)]
    pub open_count: u64,
    /// Closed alerts.
    #[serde(default)]
    pub closed_count: u64,
    /// Alerts in progress.
    #[serde(default)]
    pub in_progress_count: u64,
}

/// Alerts for unit tests: one place that spells out every field, so a test names only what
/// it is about.
#[cfg(test)]
pub(crate) mod testkit {
    use super::*;

    /// An open alert in `repo` (`owner/name`) created at `created`, with every optional field
    /// empty and secret type `x`; tests set what they need with struct update syntax.
    pub(crate) fn alert(repo: &str, number: u64, created: DateTime<Utc>) -> Alert {
        Alert {
            number,
            created_at: created,
            updated_at: None,
            html_url: None,
            state: Some("open".into()),
            resolution: None,
            resolved_at: None,
            resolved_by: None,
            secret_type: "x".into(),
            secret_type_display_name: None,
            provider: None,
            provider_slug: None,
            repository: Repository {
                id: None,
                full_name: repo.into(),
                name: repo.rsplit('/').next().unwrap_or(repo).into(),
            },
            push_protection_bypassed: None,
            validity: None,
            publicly_leaked: None,
            multi_repo: None,
            assigned_to: None,
            first_location_detected: None,
            push_protection_bypassed_by: None,
            push_protection_bypassed_at: None,
            generic: false,
            owner: Default::default(),
            playbook: String::new(),
        }
    }

    /// `a` resolved at `at` with `how` (`revoked`, `wont_fix`, ...).
    pub(crate) fn resolved(a: Alert, at: DateTime<Utc>, how: &str) -> Alert {
        Alert {
            state: Some("resolved".into()),
            resolution: Some(how.into()),
            resolved_at: Some(at),
            ..a
        }
    }

    /// A user.
    pub(crate) fn user(login: &str) -> Option<User> {
        Some(User {
            login: login.into(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_and_comments_are_dropped_and_unknown_values_tolerated() {
        let json = r#"{
            "number": 7, "created_at": "2026-01-02T03:04:05Z", "updated_at": null,
            "state": "open", "resolution": "some_new_reason", "resolved_at": null,
            "secret_type": "azure_storage_account_key", "secret": "CANARY-SECRET",
            "resolution_comment": "CANARY-COMMENT", "validity": "brand_new_value",
            "repository": {"full_name": "acme/web", "name": "web", "id": 1},
            "assigned_to": {"login": "mona", "id": 2}, "extra": {"nested": [1, 2]}
        }"#;
        let alert: Alert = serde_json::from_str(json).expect("alert parses");
        assert_eq!(alert.number, 7);
        assert_eq!(alert.validity(), Validity::Unknown);
        assert_eq!(alert.resolution.as_deref(), Some("some_new_reason"));
        assert_eq!(alert.assignee(), Some("mona"));
        let back = serde_json::to_string(&alert).expect("serializes");
        assert!(!back.contains("CANARY"), "{back}");
    }

    #[test]
    fn dates_beyond_the_supported_years_are_unreadable() {
        let alert = |created: &str| {
            serde_json::from_str::<Alert>(&format!(
                r#"{{"number": 1, "created_at": "{created}", "repository": {{"full_name": "a/b"}}}}"#
            ))
        };
        assert!(alert("2026-01-02T03:04:05Z").is_ok());
        let e = alert("+262142-12-30T00:00:00Z").unwrap_err().to_string();
        assert!(e.contains("outside the years 1970 to 9999"), "{e}");
        let e = serde_json::from_str::<CampaignRecord>(
            r#"{"number": 7, "ends_at": "+262142-12-30T00:00:00Z"}"#,
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("outside the years 1970 to 9999"), "{e}");
    }

    #[test]
    fn text_cannot_hide_or_break_out() {
        let json = "{\"number\": 1, \"created_at\": \"2026-01-02T03:04:05Z\", \"secret_type_display_name\": \"Key\\u0000\\u202Eevil\\nline\", \"repository\": {\"full_name\": \"acme/\\u2066web\"}}";
        let a: Alert = serde_json::from_str(json).unwrap();
        assert_eq!(a.display_name(), "Key\u{FFFD}\u{FFFD}evil line");
        assert_eq!(a.repository.full_name, "acme/\u{FFFD}web");
    }

    #[test]
    fn null_validity_reads_as_unknown() {
        let json = r#"{"number": 1, "created_at": "2026-01-02T03:04:05Z", "validity": null,
                       "repository": {"full_name": "acme/web"}}"#;
        let alert: Alert = serde_json::from_str(json).expect("alert parses");
        assert_eq!(alert.validity(), Validity::Unknown);
    }
}

#[cfg(test)]
mod repository_tests {
    use super::*;

    fn repo(full_name: &str) -> Repository {
        Repository {
            id: None,
            full_name: full_name.into(),
            name: full_name.rsplit('/').next().unwrap_or_default().into(),
        }
    }

    #[test]
    fn only_the_organizations_repositories_are_its_own() {
        assert_eq!(repo("acme/web").outside("acme"), None);
        assert_eq!(repo("ACME/web.js_2-x").outside("acme"), None);
        assert!(
            repo("victim/payroll")
                .outside("acme")
                .unwrap()
                .contains("not a repository of")
        );
        for bad in [
            "acme/..",
            "acme/.",
            "acme/a b",
            "acme/a%2F..",
            "acme/",
            "acme",
        ] {
            assert!(repo(bad).outside("acme").is_some(), "{bad}");
        }
        assert!(
            repo(&format!("acme/{}", "r".repeat(101)))
                .outside("acme")
                .is_some()
        );
        assert!(is_login("octo-cat") && !is_login("-x") && !is_login(&"l".repeat(40)));
    }
}
