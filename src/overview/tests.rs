//! Unit tests of the overview.

use super::*;
use crate::model::{Validity, testkit};
use chrono::TimeZone;

fn t(m: u32, d: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, m, d, 0, 0, 0).unwrap()
}

struct Spec {
    repo: &'static str,
    number: u64,
    created: DateTime<Utc>,
    resolved: Option<DateTime<Utc>>,
    provider: Option<&'static str>,
    secret_type: &'static str,
    validity: Option<Validity>,
    public: bool,
    multi: bool,
    bypassed_at: Option<DateTime<Utc>>,
    generic: bool,
}

fn alert(s: Spec) -> Alert {
    Alert {
        state: None,
        resolution: s.resolved.map(|_| "revoked".into()),
        resolved_at: s.resolved,
        secret_type: s.secret_type.into(),
        provider: s.provider.map(|p| p.to_uppercase()),
        provider_slug: s.provider.map(str::to_string),
        push_protection_bypassed: Some(s.bypassed_at.is_some()),
        validity: s.validity,
        publicly_leaked: Some(s.public),
        multi_repo: Some(s.multi),
        push_protection_bypassed_at: s.bypassed_at,
        generic: s.generic,
        ..testkit::alert(s.repo, s.number, s.created)
    }
}

fn spec(repo: &'static str, number: u64, created: DateTime<Utc>) -> Spec {
    Spec {
        repo,
        number,
        created,
        resolved: None,
        provider: None,
        secret_type: "x",
        validity: Some(Validity::Inactive),
        public: false,
        multi: false,
        bypassed_at: None,
        generic: false,
    }
}

/// Seven alerts, every number worked out by hand (T = 2026-11-23, the week from 11-16).
fn fixture() -> Vec<Alert> {
    vec![
        alert(Spec {
            provider: Some("azure"),
            secret_type: "azure_storage_account_key",
            validity: Some(Validity::Active),
            public: true,
            bypassed_at: Some(t(10, 1)),
            ..spec("acme/web", 1, t(10, 1))
        }),
        alert(Spec {
            provider: Some("azure"),
            secret_type: "azure_storage_account_key",
            ..spec("acme/web", 2, t(11, 18))
        }),
        alert(Spec {
            provider: Some("aws"),
            secret_type: "aws_access_key_id",
            validity: Some(Validity::Active),
            multi: true,
            ..spec("acme/api", 1, t(9, 1))
        }),
        alert(Spec {
            provider: Some("aws"),
            secret_type: "aws_access_key_id",
            resolved: Some(t(11, 20)),
            bypassed_at: Some(t(9, 1)),
            ..spec("acme/api", 2, t(9, 1))
        }),
        alert(Spec {
            secret_type: "password",
            validity: None,
            generic: true,
            ..spec("acme/db", 1, t(11, 1))
        }),
        alert(Spec {
            secret_type: "password",
            validity: None,
            generic: true,
            resolved: Some(t(11, 1)),
            ..spec("acme/db", 2, t(10, 1))
        }),
        alert(Spec {
            provider: Some("github"),
            secret_type: "github_personal_access_token",
            validity: Some(Validity::Active),
            bypassed_at: Some(t(11, 17)),
            ..spec("acme/web", 3, t(11, 17))
        }),
    ]
}

fn run(alerts: &[Alert]) -> Overview {
    let az = Filter::parse("provider:azure").unwrap();
    let live = Filter::parse("is:open validity:active").unwrap();
    let campaigns = [
        Planned {
            id: "az",
            filter_text: "provider:azure",
            filter: &az,
        },
        Planned {
            id: "live",
            filter_text: "is:open validity:active",
            filter: &live,
        },
    ];
    compute(
        "acme",
        alerts,
        &campaigns,
        t(11, 23),
        None,
        Vec::new(),
        &Site::default(),
    )
}

#[test]
fn every_number_of_the_overview() {
    let o = run(&fixture());
    assert_eq!(
        o.results.default,
        ResultsCounts {
            open: 4,
            repositories: 2,
            new_this_week: 2,
            resolved_this_week: 1,
            open_week_ago: 3
        }
    );
    assert_eq!(
        o.results.generic,
        ResultsCounts {
            open: 1,
            repositories: 1,
            new_this_week: 0,
            resolved_this_week: 0,
            open_week_ago: 1
        }
    );
    let slices: Vec<(&str, u64, u64, i64)> = o
        .slices
        .iter()
        .map(|s| (s.filter.as_str(), s.open, s.open_week_ago, s.change))
        .collect();
    assert_eq!(
        slices,
        [
            ("publicly-leaked", 1, 1, 0),
            ("is:multi-repository", 1, 1, 0),
            ("validity:active", 3, 2, 1),
            ("bypassed:true", 2, 2, 0),
            ("provider:azure", 2, 1, 1),
            ("provider:aws", 1, 2, -1),
            ("provider:github", 1, 0, 1),
        ]
    );
    let pp = &o.push_protection;
    assert_eq!(
        (pp.bypassed_open, pp.bypassed_all, pp.bypassed_28d),
        (2, 3, 1)
    );
    let by_type: Vec<(&str, u64, u64)> = pp
        .by_secret_type
        .iter()
        .map(|r| (r.key.as_str(), r.open, r.all))
        .collect();
    assert_eq!(
        by_type,
        [
            ("aws_access_key_id", 0, 1),
            ("azure_storage_account_key", 1, 1),
            ("github_personal_access_token", 1, 1)
        ]
    );
    let by_repo: Vec<(&str, u64, u64)> = pp
        .by_repository
        .iter()
        .map(|r| (r.key.as_str(), r.open, r.all))
        .collect();
    assert_eq!(by_repo, [("acme/web", 2, 2), ("acme/api", 0, 1)]);
    let providers: Vec<(&str, u64)> = o
        .by_provider
        .top
        .iter()
        .map(|r| (r.key.as_str(), r.open))
        .collect();
    assert_eq!(providers, [("azure", 2), ("aws", 1), ("github", 1)]);
    assert_eq!(o.by_repository.top[0].key, "acme/web");
    assert_eq!(o.by_repository.top[0].open, 3);
    let candidates: Vec<(Option<&str>, &str, u64)> = o
        .candidates
        .iter()
        .map(|c| (c.campaign.as_deref(), c.filter.as_str(), c.open))
        .collect();
    assert_eq!(
        candidates,
        [
            (None, "publicly-leaked", 1),
            (None, "is:multi-repository", 1),
            (None, "validity:active", 3),
            (None, "bypassed:true", 2),
            (None, "provider:azure", 2),
            (None, "provider:aws", 1),
            (None, "provider:github", 1),
            (Some("az"), "provider:azure", 2),
            (Some("live"), "is:open validity:active", 3),
        ]
    );
    assert!(o.candidates.iter().all(|c| c.fits && c.over_by == 0));
    assert_eq!(
        o.overlaps,
        [Overlap {
            a: "az".into(),
            b: "live".into(),
            open: 1
        }]
    );
    // only the generic password is in no campaign, and in none of the first-look slices
    assert_eq!((o.uncovered.open, o.uncovered.repositories), (1, 1));
    assert!(o.uncovered.slices.is_empty());
    // and the campaign proposed for it is its secret type's
    let p = o
        .uncovered
        .proposed
        .expect("a proposal for the uncovered password");
    assert_eq!(
        (p.filter.as_str(), p.open, p.uncovered),
        ("secret-type:password", 1, 1)
    );
}

/// The overview at T of `alerts` with `campaigns` configured.
fn overview_of(alerts: &[Alert], campaigns: &[Planned<'_>]) -> Overview {
    compute(
        "acme",
        alerts,
        campaigns,
        t(11, 23),
        None,
        Vec::new(),
        &Site::default(),
    )
}

#[test]
fn the_proposed_campaign_takes_most_new_work_and_fits_the_limit() {
    let mut alerts = Vec::new();
    let mut n = 0;
    let mut add = |count: u64, provider: &'static str, validity: Validity| {
        for _ in 0..count {
            n += 1;
            alerts.push(alert(Spec {
                provider: Some(provider),
                secret_type: "k",
                validity: Some(validity),
                ..spec("acme/web", n, t(11, 1))
            }));
        }
    };
    // Azure: 10 still valid (in the "live" campaign) and 5 not; GitHub: 4, in no campaign;
    // AWS: 1,001, in no campaign, over GitHub's limit
    add(10, "azure", Validity::Active);
    add(5, "azure", Validity::Inactive);
    add(4, "github", Validity::Inactive);
    add(1001, "aws", Validity::Inactive);
    let live = Filter::parse("validity:active").unwrap();
    let campaigns = [Planned {
        id: "live",
        filter_text: "validity:active",
        filter: &live,
    }];
    let o = overview_of(&alerts, &campaigns);
    assert_eq!(o.uncovered.open, 1010);
    let p = o.uncovered.proposed.expect("a proposal");
    // not AWS (1,001 is over the limit), not Azure (5 new, 10 shared): GitHub's 4, all new
    assert_eq!(
        (p.filter.as_str(), p.label.as_str(), p.open, p.uncovered),
        ("provider:github", "GITHUB credentials", 4, 4)
    );
    assert!(
        p.entry.contains("  - id: github-credentials\n"),
        "{}",
        p.entry
    );
    assert!(
        p.entry.contains("    filter: \"provider:github\"\n"),
        "{}",
        p.entry
    );

    // every open alert covered: nothing to propose
    let all = Filter::parse("").unwrap();
    let campaigns = [Planned {
        id: "all",
        filter_text: "",
        filter: &all,
    }];
    let o = overview_of(&alerts, &campaigns);
    assert_eq!(o.uncovered.open, 0);
    assert_eq!(o.uncovered.proposed, None);
}

#[test]
fn a_campaign_entry_reads_back_as_the_configuration_with_any_name() {
    let hostile = "Key \"x\"\nfilter: evil \\ # not a comment";
    let entry = campaign_entry(hostile, "provider:azure", t(11, 23).date_naive());
    #[derive(serde::Deserialize)]
    struct Entry {
        id: String,
        name: String,
        filter: String,
        due_on: chrono::NaiveDate,
    }
    let read: Vec<Entry> = serde_saphyr::from_str(&entry).expect(&entry);
    assert_eq!(read.len(), 1);
    assert_eq!(read[0].name, hostile);
    assert_eq!(read[0].filter, "provider:azure");
    assert_eq!(read[0].id, "key-x-filter-evil-not-a-comment");
    assert_eq!(read[0].due_on.to_string(), "2027-01-22");
}

#[test]
fn a_filter_over_githubs_limit_says_by_how_much() {
    let many: Vec<Alert> = (0..1003)
        .map(|n| {
            alert(Spec {
                provider: Some("gcp"),
                ..spec("acme/big", n + 1, t(10, 1))
            })
        })
        .collect();
    let o = run(&many);
    let gcp = o
        .candidates
        .iter()
        .find(|c| c.filter == "provider:gcp")
        .unwrap();
    assert_eq!((gcp.open, gcp.fits, gcp.over_by), (1003, false, 3));
    // none of them is in a configured campaign: all uncovered, in the gcp slice
    assert_eq!(o.uncovered.open, 1003);
    assert_eq!(o.uncovered.slices[0].filter, "provider:gcp");
}

#[test]
fn the_markdown_stays_under_githubs_limit_with_100000_alerts() {
    let providers = [
        "azure", "aws", "gcp", "github", "slack", "stripe", "npm", "twilio",
    ];
    let alerts: Vec<Alert> = (0..100_000u64)
        .map(|n| {
            let repo: &'static str =
                Box::leak(format!("acme/repository-{}", n % 3000).into_boxed_str());
            let kind: &'static str = Box::leak(format!("secret_type_{}", n % 90).into_boxed_str());
            alert(Spec {
                provider: Some(providers[(n % 8) as usize]),
                secret_type: kind,
                bypassed_at: (n % 11 == 0).then(|| t(10, 1)),
                ..spec(repo, n, t(10, 1))
            })
        })
        .collect();
    let o = run(&alerts);
    let md = crate::render::Templates::load(None)
        .unwrap()
        .overview_markdown(&o, &Site::default())
        .unwrap();
    assert!(
        md.chars().count() < 65_536,
        "{} characters",
        md.chars().count()
    );
    assert!(
        md.contains("| 2985 more repositories |"),
        "{}",
        &md[md.len() - 2000..]
    );
}

/// A filter over GitHub's 1,000-alert limit gets narrower ones from its own breakdown.
#[test]
fn a_filter_over_the_campaign_limit_gets_narrower_ones_that_fit() {
    let created = Utc.with_ymd_and_hms(2026, 10, 1, 0, 0, 0).unwrap();
    let alerts: Vec<Alert> = (0..1200u64)
        .map(|n| Alert {
            provider_slug: Some("azure".into()),
            secret_type: if n < 900 {
                "azure_storage_account_key"
            } else {
                "azure_sql_connection_string"
            }
            .into(),
            validity: Some(if n < 700 {
                Validity::Active
            } else {
                Validity::Inactive
            }),
            publicly_leaked: Some(n % 100 == 0),
            ..testkit::alert(if n % 2 == 0 { "acme/web" } else { "acme/api" }, n, created)
        })
        .collect();
    let targeted: Vec<&Alert> = alerts.iter().collect();
    let found = narrower("provider:azure", &targeted);
    assert_eq!(
        found,
        [
            Narrower {
                filter: "provider:azure validity:active".into(),
                open: 700
            },
            Narrower {
                filter: "provider:azure publicly-leaked".into(),
                open: 12
            },
            Narrower {
                filter: "provider:azure secret-type:azure_storage_account_key".into(),
                open: 900
            },
        ]
    );
    // a filter that already names validity gets other slices; one that fits, none
    let found = narrower("validity:active provider:azure", &targeted);
    assert!(
        found.iter().all(|c| !c.filter.ends_with("validity:active")),
        "{found:?}"
    );
    assert!(narrower("provider:azure", &targeted[..1000]).is_empty());
}

/// Each provider's open alerts by validity: the rows follow the provider ranking and add up.
#[test]
fn providers_by_validity_add_up_to_their_open_alerts() {
    let o = run(&fixture());
    assert_eq!(o.validity_by_provider.len(), o.by_provider.top.len());
    for (v, p) in o.validity_by_provider.iter().zip(&o.by_provider.top) {
        assert_eq!((&v.label, v.open), (&p.label, p.open));
        assert_eq!(v.active + v.inactive + v.unknown, v.open, "{v:?}");
    }
    assert!(o.validity_by_provider.iter().any(|v| v.active > 0));
}
