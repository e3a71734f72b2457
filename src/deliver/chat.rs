//! What Slack and Teams messages share: the audience a channel is limited to, the alerts to
//! fix first, where a cut list continues, and clipping text to a limit.

use super::*;

/// An at-risk alert as chat messages list it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FixFirst {
    /// `acme/web #12`, unescaped.
    pub label: String,
    /// The alert's page, made safe; `None` when GitHub sent no usable link.
    pub url: Option<String>,
    /// Reasons in words: `still valid, past SLA`.
    pub why: String,
    /// The playbook's link that works anywhere (published page, else the provider's docs).
    pub how_to_fix: Option<String>,
    /// Subject-matter experts, unescaped.
    pub experts: Vec<String>,
    /// The owner as shown (`@ada`, `acme/platform`) and their GitHub name (`ada`), when known.
    pub owner: Option<(String, String)>,
}

/// Owners' chat identities: GitHub name (lower case, no `@`) → the mention to write.
pub type Mentions = std::collections::BTreeMap<String, String>;

/// `why` with the owner written as their mention, when they have one; escaped by `escape`.
pub fn why_with_mention(
    f: &FixFirst,
    mentions: &Mentions,
    escape: impl Fn(&str) -> String,
) -> String {
    let mention = f.owner.as_ref().and_then(|(shown, name)| {
        let m = mentions.get(&name.to_ascii_lowercase())?;
        let at = f.why.rfind(shown.as_str())?;
        Some((at, shown.len(), m))
    });
    match mention {
        Some((at, len, m)) => format!("{}{m}{}", escape(&f.why[..at]), escape(&f.why[at + len..])),
        None => escape(&f.why),
    }
}

/// The key of a person or team in the mentions maps: `@Ada` → `ada`, `@acme/SRE` → `acme/sre`.
pub fn mention_key(shown: &str) -> String {
    shown.trim_start_matches('@').to_ascii_lowercase()
}

/// People and teams as shown (`@ada`, `acme/sre`), each as its mention when it has one, else
/// escaped by `escape`; joined by commas.
pub fn people(names: &[String], mentions: &Mentions, escape: impl Fn(&str) -> String) -> String {
    names
        .iter()
        .map(|n| {
            mentions
                .get(&mention_key(n))
                .cloned()
                .unwrap_or_else(|| escape(n))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The first `n` at-risk alerts of a campaign, for chat messages.
pub fn fix_first(r: &CampaignReport, n: usize) -> Vec<FixFirst> {
    r.view
        .at_risk
        .iter()
        .take(n)
        .map(|a| FixFirst {
            label: a.label(),
            url: a.url.clone(),
            why: format!(
                "{}{}; {}",
                if a.critical { "critical: " } else { "" },
                a.why.join(", "),
                a.who()
            ),
            how_to_fix: a.playbook.as_ref().and_then(|p| p.url.clone()),
            experts: a.experts.clone(),
            owner: a.owner.clone().zip(a.owner_name.clone()),
        })
        .collect()
}

/// Where a reader of a chat message or an email finds the at-risk alerts a digest left out:
/// the campaign's full report when published and it lists them all, else the campaign's
/// alerts in GitHub.
pub fn more_link(r: &CampaignReport) -> Option<&str> {
    let report = r.view.links.report.as_deref();
    let github = r.view.links.github_filter.as_deref();
    if r.summary.at_risk.count <= r.view.limits.at_risk as u64 {
        report.or(github)
    } else {
        github.or(report)
    }
}

pub use crate::text::clip;

/// Whom a chat channel speaks to: everyone, or only some owners (`owners:` of the channel),
/// who then get only their alerts and numbers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Audience {
    owners: Vec<String>,
}

impl Audience {
    /// A channel limited to these owners (none: every alert).
    pub fn owners(owners: &[String]) -> Audience {
        Audience {
            owners: owners.to_vec(),
        }
    }

    /// The digest this audience gets.
    pub fn digest_for(&self, digest: &Digest) -> Digest {
        if self.owners.is_empty() {
            digest.clone()
        } else {
            digest.scoped(&self.owners)
        }
    }
}
