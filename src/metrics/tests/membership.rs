//! Membership: a campaign keeps what it fixed (revoked, assigned, rotated alerts).

use super::*;

/// The campaign GitHub's remediation guide suggests, `is:open provider:azure validity:active`: 10 active Azure
/// alerts, 6 revoked since (GitHub then calls the secrets inactive). A resolved alert is
/// judged on the stable terms, so the fixes count: 6 of 10 closed, not 0 of 4.
#[test]
fn a_revoked_alert_counts_closed_in_a_validity_active_campaign() {
    let c = campaign("is:open provider:azure validity:active", None, None);
    let mut alerts: Vec<Alert> = (1..=10u64)
        .map(|n| {
            let a = Alert {
                validity: Some(Validity::Active),
                ..alert("acme/web", n, t(2026, 10, 1, 0))
            };
            if n <= 6 {
                Alert {
                    validity: Some(Validity::Inactive),
                    ..resolved(a, t(2026, 11, 10 + n as u32, 0), "revoked")
                }
            } else {
                a
            }
        })
        .collect();
    // never a member: an open inactive key, and a closed AWS key
    alerts.push(alert("acme/web", 11, t(2026, 10, 1, 0)));
    alerts.push(Alert {
        provider_slug: Some("aws".into()),
        provider: Some("Amazon AWS".into()),
        ..resolved(
            alert("acme/web", 12, t(2026, 10, 1, 0)),
            t(2026, 11, 20, 0),
            "revoked",
        )
    });
    let m = run(&alerts, &c);
    assert_eq!((m.totals.open, m.totals.closed, m.totals.total), (4, 6, 10));
    assert_eq!(m.totals.progress_pct, 60.0);
    // fixed on 11-11 to 11-16: only 11-16 falls in the week [11-16, 11-23)
    assert_eq!(m.totals.resolved_this_week, 1);
    assert_eq!(
        m.totals.kept,
        Some(6),
        "every fix no longer matches validity:active"
    );
    assert_eq!(
        m.details.kept,
        Kept {
            open: 0,
            closed: 6,
            fixed: 6,
            terms: vec!["validity:active".into()]
        }
    );
    assert_eq!(m.open_by_validity.active, 4);
    // the weeks before count the same members: a burndown, not a flat line
    let scope = Scope::new(&alerts, &c);
    let open_by_week: Vec<u64> = (0..3)
        .map(|k| {
            scope
                .snapshot(as_of() - Duration::days(7 * k), &RiskSettings::default())
                .totals
                .open
        })
        .collect();
    assert_eq!(open_by_week, [4, 4, 10]);
}

/// `assignee:none`: assigning an alert is the campaign's work, not a reason to drop it.
#[test]
fn an_alert_assigned_between_two_runs_stays_in_an_unassigned_campaign() {
    let mut c = campaign("assignee:none", None, None);
    let unassigned = |n| Alert {
        assigned_to: None,
        ..alert("acme/web", n, t(2026, 10, 1, 0))
    };
    let mut alerts = vec![unassigned(1), unassigned(2)];
    // the first run, a week before, records its open members
    let week_ago = as_of() - Duration::days(7);
    let mut recorded = Members::default();
    for a in Scope::new(&alerts, &c).open_at(week_ago) {
        recorded.insert(&a.repository.full_name, a.number);
    }
    assert_eq!(recorded.len(), 2);
    // then `assign --apply` assigns alert 1
    alerts[0].assigned_to = testkit::user("ada");
    let stateless = run(&alerts, &c);
    assert_eq!(stateless.totals.open, 1, "without the record it drops out");
    c.members = recorded;
    let m = run(&alerts, &c);
    assert_eq!((m.totals.open, m.totals.total), (2, 2));
    assert_eq!(m.totals.kept, Some(1));
    assert_eq!(m.details.kept.open, 1);
    assert_eq!(m.details.kept.terms, ["assignee:none"]);
    assert_eq!(m.open_flags.unassigned, 1);
}

/// A secret rotated while its alert stays open is still the campaign's to close; a lost
/// record loses only that memory.
#[test]
fn an_open_alert_rotated_to_inactive_stays_open_in_scope() {
    let mut c = campaign("validity:active", None, None);
    let mut a = Alert {
        validity: Some(Validity::Active),
        ..alert("acme/web", 1, t(2026, 10, 1, 0))
    };
    let mut recorded = Members::default();
    for a in Scope::new(std::slice::from_ref(&a), &c).open_at(as_of()) {
        recorded.insert(&a.repository.full_name, a.number);
    }
    a.validity = Some(Validity::Inactive);
    // the record lost: the two stateless rules alone
    let lost = run(std::slice::from_ref(&a), &c);
    assert_eq!(
        (lost.totals.open, lost.totals.total, lost.totals.kept),
        (0, 0, Some(0))
    );
    c.members = recorded;
    let m = run(std::slice::from_ref(&a), &c);
    assert_eq!(
        (m.totals.open, m.totals.total, m.totals.kept),
        (1, 1, Some(1))
    );
    assert_eq!(m.open_by_validity.inactive, 1);
    // and once it is revoked it counts closed, record or not
    let fixed = resolved(a, t(2026, 11, 20, 0), "revoked");
    for members in [Members::default(), c.members.clone()] {
        c.members = members;
        let m = run(std::slice::from_ref(&fixed), &c);
        assert_eq!((m.totals.open, m.totals.closed), (0, 1));
    }
}
