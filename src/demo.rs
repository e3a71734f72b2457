//! The built-in sample organization of `campaign-pulse demo`: a few hundred alerts over some
//! months, generated from a fixed seed so every run gives the same numbers.

use crate::model::{Alert, AlertStats, CampaignRecord, Location, Repository, User, Validity};
use crate::ownership::Lookups;
use chrono::{DateTime, Duration, TimeZone, Utc};
use std::collections::BTreeMap;

/// The demo's configuration.
pub const CONFIG: &str = include_str!("../config/demo.yaml");

/// The as-of instant of the demo's last run (a Monday).
pub fn as_of() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 0, 0, 0)
        .single()
        .unwrap_or_default()
}

/// The demo runs weekly on these instants, the last at [`as_of`], so its reports show
/// observed history next to the reconstructed backfill.
pub fn run_dates() -> Vec<DateTime<Utc>> {
    (0..4).rev().map(|k| as_of() - Duration::weeks(k)).collect()
}

struct Kind {
    secret_type: &'static str,
    display: &'static str,
    provider: Option<(&'static str, &'static str)>,
    generic: bool,
    count: usize,
    /// First and last creation day, as days before the last run.
    created: (i64, i64),
    /// Mean days to fix.
    mean_fix_days: f64,
}

const KINDS: &[Kind] = &[
    Kind {
        secret_type: "azure_storage_account_key",
        display: "Azure Storage Account Access Key",
        provider: Some(("azure", "Microsoft Azure")),
        generic: false,
        count: 58,
        created: (175, 1),
        mean_fix_days: 150.0,
    },
    Kind {
        secret_type: "azure_sql_connection_string",
        display: "Azure SQL Connection String",
        provider: Some(("azure", "Microsoft Azure")),
        generic: false,
        count: 22,
        created: (160, 3),
        mean_fix_days: 150.0,
    },
    Kind {
        secret_type: "azure_active_directory_application_secret",
        display: "Azure Entra ID Application Secret",
        provider: Some(("azure", "Microsoft Azure")),
        generic: false,
        count: 16,
        created: (120, 2),
        mean_fix_days: 120.0,
    },
    Kind {
        secret_type: "aws_access_key_id",
        display: "Amazon AWS Access Key ID",
        provider: Some(("aws", "Amazon AWS")),
        generic: false,
        count: 44,
        created: (205, 4),
        mean_fix_days: 110.0,
    },
    Kind {
        secret_type: "aws_secret_access_key",
        display: "Amazon AWS Secret Access Key",
        provider: Some(("aws", "Amazon AWS")),
        generic: false,
        count: 26,
        created: (205, 6),
        mean_fix_days: 110.0,
    },
    Kind {
        secret_type: "slack_api_token",
        display: "Slack API Token",
        provider: Some(("slack", "Slack")),
        generic: false,
        count: 18,
        created: (70, 14),
        mean_fix_days: 0.0,
    },
    Kind {
        secret_type: "slack_incoming_webhook_url",
        display: "Slack Incoming Webhook URL",
        provider: Some(("slack", "Slack")),
        generic: false,
        count: 7,
        created: (60, 14),
        mean_fix_days: 0.0,
    },
    Kind {
        secret_type: "github_personal_access_token",
        display: "GitHub Personal Access Token",
        provider: Some(("github", "GitHub")),
        generic: false,
        count: 52,
        created: (190, 1),
        mean_fix_days: 35.0,
    },
    Kind {
        secret_type: "stripe_api_key",
        display: "Stripe API Key",
        provider: Some(("stripe", "Stripe")),
        generic: false,
        count: 14,
        created: (150, 5),
        mean_fix_days: 20.0,
    },
    Kind {
        secret_type: "google_api_key",
        display: "Google API Key",
        provider: Some(("google", "Google")),
        generic: false,
        count: 21,
        created: (180, 2),
        mean_fix_days: 60.0,
    },
    Kind {
        secret_type: "npm_access_token",
        display: "npm Access Token",
        provider: Some(("npm", "npm")),
        generic: false,
        count: 9,
        created: (100, 8),
        mean_fix_days: 25.0,
    },
    Kind {
        secret_type: "password",
        display: "Password",
        provider: None,
        generic: true,
        count: 31,
        created: (200, 21),
        mean_fix_days: 45.0,
    },
    Kind {
        secret_type: "rsa_private_key",
        display: "RSA Private Key",
        provider: None,
        generic: true,
        count: 9,
        created: (200, 30),
        mean_fix_days: 45.0,
    },
    Kind {
        secret_type: "postgres_connection_string",
        display: "PostgreSQL Connection String",
        provider: None,
        generic: true,
        count: 8,
        created: (150, 25),
        mean_fix_days: 45.0,
    },
];

/// Repositories with a weight (how many secrets land there) and a slowness factor.
const REPOS: &[(&str, u32, f64)] = &[
    ("web", 6, 1.0),
    ("api", 5, 1.0),
    ("payments", 3, 0.8),
    ("legacy-billing", 4, 8.0),
    ("infra", 4, 1.2),
    ("terraform", 3, 1.0),
    ("mobile-app", 2, 1.0),
    ("data-pipeline", 3, 1.5),
    ("auth-service", 2, 0.6),
    ("website", 2, 1.0),
    ("docs", 1, 2.0),
    ("search", 1, 1.0),
    ("ml-models", 2, 3.0),
    ("ci-tools", 1, 1.0),
    ("ops-scripts", 1, 1.0),
];

const PEOPLE: &[&str] = &["mona", "hubot", "octocat", "ada", "grace", "linus"];

/// The demo organization's alerts as GitHub would list them at [`as_of`].
pub fn alerts() -> Vec<Alert> {
    let mut rng = fastrand::Rng::with_seed(0x5EC7_2026);
    let t = as_of();
    let total_weight: u32 = REPOS.iter().map(|r| r.1).sum();
    let mut numbers: BTreeMap<&str, u64> = BTreeMap::new();
    let mut out = Vec::new();
    for kind in KINDS {
        for _ in 0..kind.count {
            let mut pick = rng.u32(0..total_weight);
            let &(repo, _, slowness) = REPOS
                .iter()
                .find(|r| {
                    if pick < r.1 {
                        true
                    } else {
                        pick -= r.1;
                        false
                    }
                })
                .unwrap_or(&REPOS[0]);
            let number = numbers.entry(repo).or_insert(0);
            *number += 1;
            let (from, to) = kind.created;
            let created = t - Duration::minutes(rng.i64(to * 1440..from * 1440));
            let public = rng.f64() < 0.12;
            let mean = if kind.secret_type.starts_with("slack") {
                0.0
            } else if public {
                9.0
            } else {
                kind.mean_fix_days * slowness
            };
            let resolved = if repo == "ops-scripts" {
                // the repository that gets cleared during the last week
                Some(t - Duration::minutes(rng.i64(1440..6 * 1440)))
            } else if mean == 0.0 {
                // Slack tokens: a campaign that is done, every token revoked within days
                Some(
                    (created + Duration::minutes(rng.i64(1440..9 * 1440)))
                        .min(t - Duration::days(3)),
                )
            } else {
                let days = -mean * (1.0 - rng.f64()).ln();
                let at = created + Duration::minutes((days * 1440.0) as i64);
                (at < t).then_some(at)
            };
            let resolution = resolved.map(|_| {
                let r = rng.f64();
                if r < 0.66 {
                    "revoked"
                } else if r < 0.78 {
                    "false_positive"
                } else if r < 0.86 {
                    "wont_fix"
                } else {
                    "used_in_tests"
                }
            });
            let validity = match (resolution, rng.f64()) {
                // GitHub checks the validity of provider patterns only
                _ if kind.generic => Validity::Unknown,
                (Some("revoked"), v) if v < 0.8 => Validity::Inactive,
                (_, v) if v < 0.62 => Validity::Active,
                (_, v) if v < 0.8 => Validity::Inactive,
                _ => Validity::Unknown,
            };
            let assignee = (rng.f64() < 0.6).then(|| User {
                login: PEOPLE[rng.usize(0..PEOPLE.len())].to_string(),
            });
            let full_name = format!("acme/{repo}");
            out.push(Alert {
                number: *number,
                created_at: created,
                updated_at: Some(resolved.unwrap_or(created + Duration::hours(2))),
                html_url: Some(format!(
                    "https://github.com/{full_name}/security/secret-scanning/{number}"
                )),
                state: Some(
                    if resolved.is_some() {
                        "resolved"
                    } else {
                        "open"
                    }
                    .to_string(),
                ),
                resolution: resolution.map(str::to_string),
                resolved_at: resolved,
                // who closed it: a person of the team, the same one for the same alert
                resolved_by: resolved.map(|_| User {
                    login: PEOPLE[(*number as usize + repo.len()) % PEOPLE.len()].to_string(),
                }),
                secret_type: kind.secret_type.to_string(),
                secret_type_display_name: Some(kind.display.to_string()),
                provider: kind.provider.map(|p| p.1.to_string()),
                provider_slug: kind.provider.map(|p| p.0.to_string()),
                repository: Repository {
                    id: None,
                    full_name,
                    name: repo.to_string(),
                },
                push_protection_bypassed: Some(rng.f64() < 0.1),
                validity: Some(validity),
                publicly_leaked: Some(public),
                multi_repo: Some(rng.f64() < 0.08),
                assigned_to: assignee,
                generic: kind.generic,
                first_location_detected: Some(location(repo, *number, kind.secret_type)),
                push_protection_bypassed_by: None,
                push_protection_bypassed_at: None,
                owner: Default::default(),
                playbook: String::new(),
            });
        }
    }
    out
}

/// Where a demo secret was committed: a file that fits its type, and a commit id derived from
/// the repository and alert number (no random draw, so the alerts' numbers stay as they were).
fn location(repo: &str, number: u64, secret_type: &str) -> Location {
    let path = match secret_type {
        t if t.starts_with("azure") => "deploy/azure/values.yaml",
        t if t.starts_with("aws") => "infra/terraform.tfvars",
        t if t.starts_with("slack") => "scripts/notify.sh",
        "github_personal_access_token" => ".github/workflows/release.yml",
        "password" | "postgres_connection_string" => "config/database.yml",
        "rsa_private_key" => "keys/deploy.pem",
        _ => "src/settings.py",
    };
    Location {
        path: Some(path.to_string()),
        commit_sha: Some(commit_sha(repo, number)),
    }
}

/// A 40-hex-digit commit id, FNV-1a of the repository and number.
fn commit_sha(repo: &str, number: u64) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in repo.bytes().chain(number.to_le_bytes()) {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}{:024x}", u128::from(h.rotate_left(17)) * 7919)
}

/// What the demo organization's GitHub would answer to ownership lookups: who authored the
/// commits (a third of them from e-mails linked to no account) and the repositories'
/// CODEOWNERS files.
pub fn lookups(alerts: &[Alert]) -> Lookups {
    let mut lookups = Lookups::default();
    for a in alerts {
        let Some(sha) = a
            .first_location_detected
            .as_ref()
            .and_then(|l| l.commit_sha.clone())
        else {
            continue;
        };
        let pick = u64::from_str_radix(&sha[..8], 16).unwrap_or(0);
        let login = (pick % 3 != 0).then(|| PEOPLE[(pick % 7) as usize % PEOPLE.len()].to_string());
        lookups.committers.insert(sha, login);
    }
    for (repo, text) in CODEOWNERS {
        let co = crate::github::owners::parse_codeowners(repo, ".github/CODEOWNERS", text);
        lookups.codeowners.insert((*repo).to_string(), Some(co));
    }
    for (repo, _, _) in REPOS {
        lookups
            .codeowners
            .entry(format!("acme/{repo}"))
            .or_insert(None);
    }
    lookups
}

/// The demo repositories that have a CODEOWNERS file.
const CODEOWNERS: &[(&str, &str)] = &[
    (
        "acme/payments",
        "* @acme/payments
",
    ),
    (
        "acme/web",
        "* @acme/web
/deploy/ @acme/platform
",
    ),
    (
        "acme/api",
        "* @acme/api
*.py @grace
",
    ),
    (
        "acme/legacy-billing",
        "# nobody owns this one any more
*
",
    ),
    (
        "acme/auth-service",
        "* @acme/identity
",
    ),
];

/// The demo's GitHub security campaign record (#7, linked from `slack-tokens`).
pub fn campaign_records() -> BTreeMap<u64, CampaignRecord> {
    let t = as_of();
    let slack: Vec<Alert> = alerts()
        .into_iter()
        .filter(|a| a.provider_slug.as_deref() == Some("slack"))
        .collect();
    let created = Utc
        .with_ymd_and_hms(2026, 10, 15, 9, 0, 0)
        .single()
        .unwrap_or_default();
    // the alerts open when the campaign was created were attached to it
    let attached: Vec<&Alert> = slack.iter().filter(|a| a.is_open_at(created)).collect();
    let open = attached.iter().filter(|a| a.is_open_at(t)).count() as u64;
    let closed = attached.iter().filter(|a| a.is_closed_at(t)).count() as u64;
    BTreeMap::from([(
        7,
        CampaignRecord {
            number: 7,
            name: Some("Revoke leaked Slack tokens".into()),
            created_at: Some(created),
            ends_at: Utc.with_ymd_and_hms(2026, 12, 1, 0, 0, 0).single(),
            managers: vec![User {
                login: "mona".into(),
            }],
            state: Some("open".into()),
            alert_stats: Some(AlertStats {
                open_count: open,
                closed_count: closed,
                in_progress_count: 0,
            }),
        },
    )])
}
