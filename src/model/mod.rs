//! The vocabulary every stage speaks: GitHub's alerts and campaign records as this tool reads
//! them, and who owns an alert. Imports nothing of the crate above it.

pub mod alert;
pub mod owner;

pub use alert::{
    Alert, AlertStats, CampaignRecord, Location, Repository, User, Validity, is_login, is_repo_name,
};
pub use owner::{Owner, OwnerKind, OwnerSource, Ownership, owner_label};

#[cfg(test)]
pub(crate) use alert::testkit;
