//! Who owns an alert: a user or a team, and where that was found.

use serde::{Deserialize, Serialize};

/// Where an owner was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OwnerSource {
    /// The alert's assignee.
    Assignee,
    /// The author of the commit that added the secret.
    Committer,
    /// The person who pushed it past push protection.
    Bypasser,
    /// The repository's CODEOWNERS, for the file.
    Codeowners,
    /// `ownership.teams` in the configuration, for the repository.
    Teams,
}

impl OwnerSource {
    /// Every source, in the default order.
    pub const DEFAULT_ORDER: [OwnerSource; 5] = [
        OwnerSource::Assignee,
        OwnerSource::Committer,
        OwnerSource::Bypasser,
        OwnerSource::Codeowners,
        OwnerSource::Teams,
    ];

    /// The name used in the configuration and in summary.json.
    pub fn as_str(self) -> &'static str {
        match self {
            OwnerSource::Assignee => "assignee",
            OwnerSource::Committer => "committer",
            OwnerSource::Bypasser => "bypasser",
            OwnerSource::Codeowners => "codeowners",
            OwnerSource::Teams => "teams",
        }
    }

    /// Reads a configured source name.
    pub fn parse(name: &str) -> Option<OwnerSource> {
        OwnerSource::DEFAULT_ORDER
            .into_iter()
            .find(|s| s.as_str() == name)
    }
}

/// A user or a team.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OwnerKind {
    /// A GitHub user: `login`.
    User,
    /// A GitHub team: `org/team-slug`.
    Team,
}

/// An alert's owner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Owner {
    /// `login` or `org/team-slug`.
    pub name: String,
    /// User or team.
    pub kind: OwnerKind,
    /// Where it was found.
    pub source: OwnerSource,
}

/// What is known of an alert's owner.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Ownership {
    /// Nobody: no source named anyone.
    #[default]
    Unowned,
    /// Someone.
    Owned(Owner),
    /// Not known: a source that might name someone could not be asked (the reason).
    Unknown(String),
}

impl Ownership {
    /// The owner, if known.
    pub fn owner(&self) -> Option<&Owner> {
        match self {
            Ownership::Owned(o) => Some(o),
            _ => None,
        }
    }
}

/// An owner as reports show it: `@login` for a user, `org/team` for a team; a name longer
/// than any GitHub name is cut ([`crate::text::MAX_NAME`]).
pub fn owner_label(name: &str) -> String {
    let name = crate::text::clip_name(name);
    if name.contains('/') {
        name
    } else {
        format!("@{name}")
    }
}
