//! Repositories (top, stalled, cleared), at-risk alerts and their order, critical alerts, risk acceptances.

use super::*;

#[test]
fn repositories_top_stalled_cleared() {
    let mut alerts = vec![
        // acme/big: 3 open, last fix long ago → stalled
        alert("acme/big", 1, t(2026, 9, 1, 0)),
        alert("acme/big", 2, t(2026, 9, 1, 0)),
        alert("acme/big", 3, t(2026, 11, 18, 0)),
        resolved(
            alert("acme/big", 4, t(2026, 9, 1, 0)),
            t(2026, 10, 1, 0),
            "revoked",
        ),
        // acme/active: 1 open, fixed recently → not stalled
        alert("acme/active", 1, t(2026, 9, 1, 0)),
        resolved(
            alert("acme/active", 2, t(2026, 9, 1, 0)),
            t(2026, 11, 20, 0),
            "revoked",
        ),
        // acme/alpha: 1 open, never fixed → stalled
        alert("acme/alpha", 1, t(2026, 9, 1, 0)),
        // acme/done: open a week ago, all fixed now → cleared
        resolved(
            alert("acme/done", 1, t(2026, 9, 1, 0)),
            t(2026, 11, 19, 0),
            "revoked",
        ),
        // acme/old: fixed long ago → neither
        resolved(
            alert("acme/old", 1, t(2026, 9, 1, 0)),
            t(2026, 10, 1, 0),
            "revoked",
        ),
    ];
    // acme/fresh: created and fixed this week → not cleared (was not open a week ago)
    alerts.push(resolved(
        alert("acme/fresh", 1, t(2026, 11, 17, 0)),
        t(2026, 11, 18, 0),
        "revoked",
    ));
    let c = campaign("", None, None);
    let m = compute(
        &alerts,
        &c,
        as_of(),
        &RiskSettings {
            top_repos: 2,
            ..RiskSettings::default()
        },
    );
    let names = |v: &[RepoStats]| v.iter().map(|r| r.repo.clone()).collect::<Vec<_>>();
    assert_eq!(names(&m.repos.top), ["acme/big", "acme/active"]);
    assert_eq!(names(&m.repos.stalled), ["acme/big", "acme/alpha"]);
    assert_eq!(m.repos.cleared_this_week, ["acme/done"]);
    let big = &m.repos.top[0];
    assert_eq!(
        (
            big.open,
            big.closed,
            big.new_this_week,
            big.resolved_this_week
        ),
        (3, 1, 1, 0)
    );
    assert_eq!(big.last_resolved_at, Some(t(2026, 10, 1, 0)));
    assert_eq!(m.all_repos.len(), 6);
}

/// A stalled repository names whom to call (the owner of most of its open alerts) and how
/// its last alert was closed: a dismissal is not a fix.
#[test]
fn stalled_repositories_name_their_owner_and_last_closure() {
    use crate::model::{Owner, OwnerKind, OwnerSource, Ownership};
    let owned = |mut a: Alert, name: &str| {
        a.owner = Ownership::Owned(Owner {
            name: name.into(),
            kind: if name.contains('/') {
                OwnerKind::Team
            } else {
                OwnerKind::User
            },
            source: OwnerSource::Codeowners,
        });
        a
    };
    let alerts = vec![
        owned(alert("acme/big", 1, t(2026, 9, 1, 0)), "acme/platform"),
        owned(alert("acme/big", 2, t(2026, 9, 1, 0)), "acme/platform"),
        owned(alert("acme/big", 3, t(2026, 9, 1, 0)), "ada"),
        resolved(
            alert("acme/big", 4, t(2026, 9, 1, 0)),
            t(2026, 10, 1, 0),
            "revoked",
        ),
        resolved(
            alert("acme/big", 5, t(2026, 9, 1, 0)),
            t(2026, 10, 2, 0),
            "false_positive",
        ),
        alert("acme/alpha", 1, t(2026, 9, 1, 0)),
    ];
    let m = compute(
        &alerts,
        &campaign("", None, None),
        as_of(),
        &RiskSettings::default(),
    );
    let stalled: Vec<(&str, Option<&str>, Option<&str>)> = m
        .repos
        .stalled
        .iter()
        .map(|r| {
            (
                r.repo.as_str(),
                r.owner.as_deref(),
                r.last_resolution.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        stalled,
        [
            ("acme/big", Some("acme/platform"), Some("false_positive")),
            ("acme/alpha", None, None),
        ]
    );
}

#[test]
fn stalled_boundary_is_exclusive() {
    // stale_after_days 14: last fix exactly at T-14d is not stalled
    let alerts = vec![
        alert("acme/a", 1, t(2026, 9, 1, 0)),
        resolved(
            alert("acme/a", 2, t(2026, 9, 1, 0)),
            t(2026, 11, 9, 0),
            "revoked",
        ),
        alert("acme/b", 1, t(2026, 9, 1, 0)),
        resolved(
            alert("acme/b", 2, t(2026, 9, 1, 0)),
            t(2026, 11, 8, 23),
            "revoked",
        ),
    ];
    let m = run(&alerts, &campaign("", None, None));
    assert_eq!(m.repos.stalled.len(), 1);
    assert_eq!(m.repos.stalled[0].repo, "acme/b");
}

#[test]
fn at_risk_reasons_scores_and_order() {
    let mut active = alert("acme/b", 1, t(2026, 11, 20, 0)); // 2 days old
    active.validity = Some(Validity::Active);
    let mut public_old = alert("acme/a", 2, t(2026, 10, 1, 0)); // 53 days
    public_old.publicly_leaked = Some(true);
    public_old.assigned_to = None;
    let mut old_only = alert("acme/c", 3, t(2026, 10, 23, 0)); // exactly 31 days > 30
    old_only.multi_repo = Some(true);
    let boundary = alert("acme/c", 4, t(2026, 10, 24, 0)); // exactly 30 days: not past SLA
    let mut null_validity = alert("acme/c", 5, t(2026, 11, 1, 0));
    null_validity.validity = None;
    let mut tie_a = alert("acme/a", 9, t(2026, 11, 21, 0));
    tie_a.validity = Some(Validity::Active);
    let mut tie_b = alert("acme/a", 8, t(2026, 11, 21, 0));
    tie_b.validity = Some(Validity::Active);
    let mut closed_active = resolved(
        alert("acme/z", 1, t(2026, 9, 1, 0)),
        t(2026, 11, 1, 0),
        "revoked",
    );
    closed_active.validity = Some(Validity::Active);
    let alerts = vec![
        active,
        public_old,
        old_only,
        boundary,
        null_validity,
        tie_a,
        tie_b,
        closed_active,
    ];
    let m = run(&alerts, &campaign("", None, None));
    assert_eq!(m.at_risk.count, 5);
    assert_eq!(
        m.at_risk.critical_count, 0,
        "none is active, public and past SLA"
    );
    let got: Vec<(String, u64, u32, i64)> = m
        .at_risk
        .top
        .iter()
        .map(|a| (a.repo.clone(), a.number, a.score, a.age_days))
        .collect();
    assert_eq!(
        got,
        vec![
            ("acme/a".to_string(), 2, 6, 53), // public 3 + past_sla 2 + unassigned 1
            ("acme/c".to_string(), 3, 3, 31), // past_sla 2 + multi_repo 1; oldest first
            ("acme/b".to_string(), 1, 3, 3),
            ("acme/a".to_string(), 8, 3, 2), // same score and age: repo, then number
            ("acme/a".to_string(), 9, 3, 2),
        ]
    );
    assert_eq!(
        m.at_risk.top[0].reasons,
        vec![Reason::PubliclyLeaked, Reason::PastSla]
    );
    assert_eq!(m.at_risk.top[0].assignee, None);
    assert_eq!(m.at_risk.top[2].assignee.as_deref(), Some("mona"));
    assert_eq!(
        m.at_risk.top[0].html_url,
        "https://github.com/acme/a/security/secret-scanning/2"
    );
    let few = compute(
        &alerts,
        &campaign("", None, None),
        as_of(),
        &RiskSettings {
            top_alerts: 2,
            ..RiskSettings::default()
        },
    );
    assert_eq!((few.at_risk.count, few.at_risk.top.len()), (5, 2));
}

#[test]
fn critical_alerts_are_active_public_and_past_sla() {
    let mut critical = alert("acme/a", 1, t(2026, 11, 1, 0)); // 22 days, SLA 7
    critical.validity = Some(Validity::Active);
    critical.publicly_leaked = Some(true);
    let mut young = critical.clone(); // 3 days: within SLA
    young.number = 2;
    young.created_at = t(2026, 11, 20, 0);
    let mut private = critical.clone(); // not public
    private.number = 3;
    private.publicly_leaked = Some(false);
    let mut c = campaign("", None, None);
    c.sla_days = 7;
    let mut fixed = resolved(
        alert("acme/a", 4, t(2026, 10, 1, 0)),
        t(2026, 11, 20, 0),
        "revoked",
    );
    fixed.validity = Some(Validity::Active);
    fixed.publicly_leaked = Some(true);
    let m = run(&[critical, young, private, fixed], &c);
    assert_eq!((m.at_risk.count, m.at_risk.critical_count), (3, 1));
    assert!(m.at_risk.top[0].is_critical() && !m.at_risk.top[1].is_critical());
    // one fix and three new alerts in 28 days, and a critical alert
    assert_eq!(m.forecast.status, Status::AtRisk);
    assert_eq!(
        m.forecast.status_reasons,
        [StatusReason::CriticalAlerts, StatusReason::NoNetProgress]
    );
}

/// Dismissing a working secret is a risk someone accepted: counted and listed, with who
/// closed it.
#[test]
fn dismissals_of_working_secrets_are_risk_acceptances() {
    let c = campaign("provider:azure", None, None);
    let alerts = vec![
        Alert {
            validity: Some(Validity::Active),
            resolved_by: testkit::user("eve"),
            ..resolved(
                alert("acme/web", 1, t(2026, 10, 1, 0)),
                t(2026, 11, 20, 0),
                "wont_fix",
            )
        },
        Alert {
            validity: Some(Validity::Active),
            ..resolved(
                alert("acme/api", 2, t(2026, 10, 1, 0)),
                t(2026, 11, 2, 0),
                "used_in_tests",
            )
        },
        // revoked, or no longer valid: not a risk accepted
        Alert {
            validity: Some(Validity::Active),
            ..resolved(
                alert("acme/web", 3, t(2026, 10, 1, 0)),
                t(2026, 11, 20, 0),
                "revoked",
            )
        },
        resolved(
            alert("acme/web", 4, t(2026, 10, 1, 0)),
            t(2026, 11, 20, 0),
            "wont_fix",
        ),
        // resolved after T: open at T
        Alert {
            validity: Some(Validity::Active),
            ..resolved(
                alert("acme/web", 5, t(2026, 10, 1, 0)),
                t(2026, 11, 30, 0),
                "wont_fix",
            )
        },
    ];
    let m = run(&alerts, &c);
    assert_eq!(m.risk_acceptances.count, 2);
    let list: Vec<(&str, u64, &str, Option<&str>)> = m
        .risk_acceptances
        .list
        .iter()
        .map(|r| {
            (
                r.repo.as_str(),
                r.number,
                r.resolution.as_str(),
                r.resolved_by.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        list,
        [
            ("acme/web", 1, "wont_fix", Some("eve")),
            ("acme/api", 2, "used_in_tests", None)
        ],
        "latest first"
    );
}
