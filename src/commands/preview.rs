//! `campaign-pulse preview --filter "…"`: what a security campaign with that filter would target
//! (GitHub allows at most 1,000 alerts in a campaign), and a campaign entry ready to paste
//! into the configuration.

use crate::error::{Error, Result};
use crate::filter::Filter;
use crate::model::{Alert, Validity};
use crate::site::Site;
use crate::{config, github, overview, tls};
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::PathBuf;

/// Options of `campaign-pulse preview`.
#[derive(Debug, Clone, Default)]
pub struct PreviewOptions {
    /// The configuration file (the organization, the API, the token).
    pub config: PathBuf,
    /// The campaign filter to preview.
    pub filter: String,
    /// Count as of this instant; default now.
    pub as_of: Option<DateTime<Utc>>,
    /// Read alerts from this JSON file instead of GitHub.
    pub fixture: Option<PathBuf>,
}

/// `campaign-pulse preview`: the text to print.
pub async fn preview(opts: &PreviewOptions) -> Result<String> {
    tls::init();
    let filter =
        Filter::parse(&opts.filter).map_err(|e| Error::Usage(format!("bad filter: {e}")))?;
    let config = config::load(&opts.config)?;
    config.one_org("preview")?;
    let as_of = opts.as_of.unwrap_or_else(crate::time::now);
    let alerts = match &opts.fixture {
        Some(path) => github::load_fixture(path, &config)?.alerts,
        None => {
            let gh = github::client::GitHub::connect(&config.github)?;
            github::fetch_open(&config, &gh, as_of).await?
        }
    };
    let site = Site::new(
        &config.github.org,
        github::client::api_url(&config.github).ok().as_ref(),
        None,
    );
    Ok(describe(
        &opts.filter,
        &filter,
        &alerts,
        as_of,
        &site,
        config.campaigns.len(),
    ))
}

/// What a campaign with `filter` would target among the alerts open at `as_of`.
pub fn describe(
    text: &str,
    filter: &Filter,
    alerts: &[Alert],
    as_of: DateTime<Utc>,
    site: &Site,
    configured: usize,
) -> String {
    let targeted: Vec<&Alert> = alerts
        .iter()
        .filter(|a| a.is_open_at(as_of) && filter.matches_campaign(a))
        .collect();
    let n = targeted.len() as u64;
    let count = |key: &dyn Fn(&Alert) -> String| {
        let mut m: BTreeMap<String, u64> = BTreeMap::new();
        for a in &targeted {
            *m.entry(key(a)).or_insert(0) += 1;
        }
        let mut v: Vec<(String, u64)> = m.into_iter().collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        v
    };
    let list = |v: &[(String, u64)], shown: usize| {
        let mut s = v
            .iter()
            .take(shown)
            .map(|(k, n)| format!("{k} {n}"))
            .collect::<Vec<_>>()
            .join(", ");
        if v.len() > shown {
            s.push_str(&format!(" (+{} more)", v.len() - shown));
        }
        s
    };
    let repos = count(&|a| a.repository.full_name.clone());
    let mut out = String::new();
    let _ = writeln!(out, "Filter: {text}");
    let fits = if n <= overview::CAMPAIGN_LIMIT {
        "fits GitHub's 1,000-alert campaign limit".to_string()
    } else {
        format!(
            "{} over GitHub's 1,000-alert campaign limit: narrow the filter",
            n - overview::CAMPAIGN_LIMIT
        )
    };
    let narrower = overview::narrower(text, &targeted);
    let _ = writeln!(
        out,
        "Targets {n} open alert{} in {} repositor{} as of {}: {fits}",
        if n == 1 { "" } else { "s" },
        repos.len(),
        if repos.len() == 1 { "y" } else { "ies" },
        as_of.format("%Y-%m-%d")
    );
    if !narrower.is_empty() {
        let _ = writeln!(
            out,
            "Narrower filters that fit: {}",
            narrower
                .iter()
                .map(|c| format!("\"{}\" ({})", c.filter, c.open))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    if n > 0 {
        let validity = count(&|a| {
            match a.validity() {
                Validity::Active => "still valid",
                Validity::Inactive => "no longer valid",
                Validity::Unknown => "unknown",
            }
            .to_string()
        });
        let _ = writeln!(out, "Validity: {}", list(&validity, 3));
        let providers = count(&|a| a.provider.clone().unwrap_or_else(|| "no provider".into()));
        let _ = writeln!(out, "Providers: {}", list(&providers, 8));
        let types = count(&|a| a.display_name().to_string());
        let _ = writeln!(out, "Secret types: {}", list(&types, 8));
        let _ = writeln!(out, "Repositories: {}", list(&repos, 10));
        let mut ages: Vec<i64> = targeted
            .iter()
            .map(|a| (as_of - a.created_at).num_days())
            .collect();
        ages.sort_unstable();
        let _ = writeln!(
            out,
            "Age: oldest {} days, median {} days; {} older than 30 days",
            ages.last().copied().unwrap_or(0),
            ages[ages.len() / 2],
            ages.iter().filter(|d| **d > 30).count()
        );
        let flags = [
            (
                "publicly leaked",
                targeted
                    .iter()
                    .filter(|a| a.publicly_leaked == Some(true))
                    .count(),
            ),
            (
                "in several repositories",
                targeted
                    .iter()
                    .filter(|a| a.multi_repo == Some(true))
                    .count(),
            ),
            (
                "pushed past push protection",
                targeted
                    .iter()
                    .filter(|a| a.push_protection_bypassed == Some(true))
                    .count(),
            ),
            (
                "unassigned",
                targeted.iter().filter(|a| a.assigned_to.is_none()).count(),
            ),
        ];
        let _ = writeln!(
            out,
            "Of them: {}",
            flags
                .iter()
                .map(|(w, k)| format!("{k} {w}"))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    if let Some(url) = site.alerts_filter_url(text) {
        let _ = writeln!(out, "In GitHub: {url}");
    }
    let _ = writeln!(
        out,
        "GitHub runs at most {} active security campaigns in an organization at once{}.",
        overview::ACTIVE_CAMPAIGN_LIMIT,
        match configured {
            0 => String::new(),
            1 => "; the configuration tracks 1 campaign".to_string(),
            n => format!("; the configuration tracks {n} campaigns"),
        }
    );
    let _ = write!(
        out,
        "\nA campaign entry to paste under `campaigns:` in the configuration:\n\n{}",
        overview::campaign_entry(text, text, as_of.date_naive())
    );
    out
}
