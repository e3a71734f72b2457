//! Totals, the week's edges, scope and breakdowns, time to remediate, rounding, field names.

use super::*;

/// The scope computed once and cut at each week gives the numbers of the alerts filtered
/// again at each week; a reconstructed week's numbers are the full computation's.
#[test]
fn weeks_from_one_scope_match_filtering_every_week() {
    let mut alerts = Vec::new();
    let mut seed = 7u64;
    let mut next = |m: u64| {
        seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1);
        (seed >> 33) % m
    };
    for n in 0..400u64 {
        let created = t(2026, 5, 1, 0) + Duration::hours(next(24 * 200) as i64);
        let mut a = alert(
            ["acme/web", "acme/api", "acme/ops"][next(3) as usize],
            n,
            created,
        );
        a.validity =
            Some([Validity::Active, Validity::Inactive, Validity::Unknown][next(3) as usize]);
        a.publicly_leaked = Some(next(4) == 0);
        if next(3) == 0 {
            a.secret_type = "password".into();
            a.provider = None;
            a.provider_slug = None;
        }
        if next(5) < 3 {
            let at = created + Duration::hours(next(24 * 90) as i64);
            a = resolved(
                a,
                at,
                ["revoked", "false_positive", "wont_fix"][next(3) as usize],
            );
        }
        alerts.push(a);
    }
    for c in [
        campaign(
            "provider:azure",
            Some(date(2026, 8, 1)),
            Some(date(2026, 12, 31)),
        ),
        campaign("", None, None),
        campaign("validity:active", Some(date(2026, 10, 1)), None),
    ] {
        let scope = Scope::new(&alerts, &c);
        for week in 0..30 {
            let at = t(2026, 5, 1, 6) + Duration::days(7 * week);
            let filtered = alerts.iter().filter(|a| in_scope(a, &c, at)).count();
            assert_eq!(scope.count_at(at), filtered, "week {week}");
            let full = compute(&alerts, &c, at, &RiskSettings::default());
            let light = scope.snapshot(at, &RiskSettings::default());
            let line = |m: &Metrics| {
                crate::history::Snapshot::from_metrics("c", m, crate::history::Source::Observed)
            };
            assert_eq!(line(&light), line(&full), "week {week}");
            assert_eq!(
                light.at_risk.count,
                full.details.at_risk.as_ref().unwrap().len() as u64
            );
            assert!(light.details.at_risk.is_none() && light.at_risk.top.is_empty());
        }
    }
}

#[test]
fn zero_alerts() {
    let m = run(&[], &campaign("", None, Some(date(2026, 12, 31))));
    assert_eq!(m.totals.open, 0);
    assert_eq!(m.totals.total, 0);
    assert_eq!(m.totals.progress_pct, 100.0);
    assert_eq!(m.mttr_days_median, None);
    assert_eq!(m.forecast.status, Status::Done);
    assert_eq!(m.forecast.projected_completion, Some(date(2026, 11, 23)));
    assert_eq!(m.forecast.burn_rate_per_week, 0.0);
    assert_eq!(m.forecast.required_rate_per_week, Some(0.0));
    assert_eq!(m.forecast.days_to_due, Some(38));
    assert!(m.repos.top.is_empty() && m.at_risk.top.is_empty());
}

#[test]
fn totals_and_week_edges() {
    let alerts = vec![
        // open all along
        alert("acme/web", 1, t(2026, 10, 1, 0)),
        // created in the week (and exactly at the window start)
        alert("acme/web", 2, t(2026, 11, 16, 0)),
        // created at T: in scope, but not "new this week" (W is half-open)
        alert("acme/web", 3, t(2026, 11, 23, 0)),
        // created after T: out of scope
        alert("acme/web", 4, t(2026, 11, 23, 1)),
        // resolved in the week
        resolved(
            alert("acme/api", 5, t(2026, 9, 1, 0)),
            t(2026, 11, 20, 0),
            "revoked",
        ),
        // resolved after T: still open at T
        resolved(
            alert("acme/api", 6, t(2026, 9, 1, 0)),
            t(2026, 11, 24, 0),
            "revoked",
        ),
        // resolved exactly at T: closed, but not resolved this week
        resolved(alert("acme/api", 7, t(2026, 9, 1, 0)), as_of(), "wont_fix"),
        // resolved before the week
        resolved(
            alert("acme/api", 8, t(2026, 9, 1, 0)),
            t(2026, 11, 1, 0),
            "false_positive",
        ),
    ];
    let m = run(&alerts, &campaign("", None, None));
    assert_eq!(m.totals.open, 4, "1, 2, 3 and 6");
    assert_eq!(m.totals.closed, 3, "5, 7, 8");
    assert_eq!(m.totals.total, 7);
    assert_eq!(m.totals.progress_pct, 42.9);
    assert_eq!(m.totals.resolved_this_week, 1);
    assert_eq!(m.totals.new_this_week, 1, "only alert 2");
    // open at 11-16 00:00: 1, 2 (created exactly then), 5, 6, 7
    assert_eq!(m.totals.open_week_ago, 5);
    assert_eq!(m.totals.net_change, -1);
    assert_eq!(
        m.resolved_this_week_by_resolution,
        BTreeMap::from([("revoked".into(), 1)])
    );
}

#[test]
fn starts_on_excludes_alerts_resolved_before_it() {
    let alerts = vec![
        resolved(
            alert("acme/web", 1, t(2026, 8, 1, 0)),
            t(2026, 9, 30, 23),
            "revoked",
        ),
        resolved(
            alert("acme/web", 2, t(2026, 8, 1, 0)),
            t(2026, 10, 1, 0),
            "revoked",
        ),
        alert("acme/web", 3, t(2026, 8, 1, 0)),
    ];
    let m = run(&alerts, &campaign("", Some(date(2026, 10, 1)), None));
    assert_eq!((m.totals.open, m.totals.closed), (1, 1));
}

#[test]
fn filter_is_applied_and_state_terms_ignored() {
    let mut other = alert("acme/web", 2, t(2026, 10, 1, 0));
    other.provider_slug = Some("aws".into());
    other.provider = Some("Amazon AWS".into());
    let alerts = vec![
        resolved(
            alert("acme/web", 1, t(2026, 10, 1, 0)),
            t(2026, 11, 17, 0),
            "revoked",
        ),
        other,
    ];
    let m = run(&alerts, &campaign("is:open provider:azure", None, None));
    assert_eq!((m.totals.open, m.totals.closed), (0, 1));
}

#[test]
fn breakdowns_of_open_alerts() {
    let mut a1 = alert("acme/web", 1, t(2026, 10, 1, 0));
    a1.validity = Some(Validity::Active);
    a1.publicly_leaked = Some(true);
    a1.assigned_to = None;
    let mut a2 = alert("acme/web", 2, t(2026, 10, 1, 0));
    a2.validity = None;
    a2.multi_repo = Some(true);
    a2.push_protection_bypassed = Some(true);
    a2.secret_type = "github_pat".into();
    let a3 = alert("acme/web", 3, t(2026, 10, 1, 0));
    let gone = resolved(
        alert("acme/web", 4, t(2026, 10, 1, 0)),
        t(2026, 11, 18, 0),
        "revoked",
    );
    let mut unknown_resolution = resolved(
        alert("acme/web", 5, t(2026, 10, 1, 0)),
        t(2026, 11, 18, 0),
        "x",
    );
    unknown_resolution.resolution = None;
    let m = run(
        &[a1, a2, a3, gone, unknown_resolution],
        &campaign("", None, None),
    );
    assert_eq!(
        m.open_by_validity,
        ValidityCounts {
            active: 1,
            inactive: 1,
            unknown: 1
        }
    );
    assert_eq!(
        m.open_flags,
        OpenFlags {
            publicly_leaked: 1,
            multi_repo: 1,
            push_protection_bypassed: 1,
            unassigned: 1
        }
    );
    assert_eq!(
        m.open_by_secret_type,
        BTreeMap::from([
            ("azure_storage_account_key".into(), 2),
            ("github_pat".into(), 1)
        ])
    );
    assert_eq!(
        m.resolved_this_week_by_resolution,
        BTreeMap::from([("revoked".into(), 1), ("unknown".into(), 1)])
    );
}

#[test]
fn mttr_median_excludes_false_positives() {
    let alerts = vec![
        resolved(
            alert("a/a", 1, t(2026, 11, 16, 0)),
            t(2026, 11, 17, 0),
            "revoked",
        ), // 1 day
        resolved(
            alert("a/a", 2, t(2026, 11, 16, 0)),
            t(2026, 11, 19, 6),
            "wont_fix",
        ), // 3.25
        resolved(
            alert("a/a", 3, t(2026, 11, 1, 0)),
            t(2026, 11, 18, 0),
            "false_positive",
        ),
        resolved(
            alert("a/a", 4, t(2026, 11, 1, 0)),
            t(2026, 11, 2, 0),
            "revoked",
        ), // not in W
    ];
    let m = run(&alerts, &campaign("", None, None));
    assert_eq!(m.mttr_days_median, Some(2.13), "(1 + 3.25) / 2 = 2.125");
    let only_fp = [resolved(
        alert("a/a", 3, t(2026, 11, 1, 0)),
        t(2026, 11, 18, 0),
        "false_positive",
    )];
    assert_eq!(
        run(&only_fp, &campaign("", None, None)).mttr_days_median,
        None
    );
    let odd = [
        resolved(
            alert("a/a", 1, t(2026, 11, 16, 0)),
            t(2026, 11, 17, 8),
            "revoked",
        ),
        resolved(
            alert("a/a", 2, t(2026, 11, 16, 0)),
            t(2026, 11, 16, 1),
            "revoked",
        ),
        resolved(
            alert("a/a", 3, t(2026, 11, 10, 0)),
            t(2026, 11, 20, 0),
            "revoked",
        ),
    ];
    assert_eq!(
        run(&odd, &campaign("", None, None)).mttr_days_median,
        Some(1.33)
    );
}

#[test]
fn rounding_is_decimal_half_up() {
    assert_eq!(ratio(1005, 1000, 2), 1.01);
    assert_eq!(ratio(1004, 1000, 2), 1.0);
    assert_eq!(ratio(2125, 1000, 2), 2.13);
    assert_eq!(ratio(300, 7, 1), 42.9);
    assert_eq!(ratio(100, 3, 1), 33.3);
    assert_eq!(ratio(1, 8, 2), 0.13);
    assert_eq!(ratio(-1, 8, 2), -0.13);
    assert_eq!(ratio(5, 0, 2), 0.0);
    // 1.005 days to fix: a float median would say 1.0
    let alerts = [resolved(
        alert("a/a", 1, t(2026, 11, 16, 0)),
        t(2026, 11, 16, 0) + Duration::seconds(86_832),
        "revoked",
    )];
    assert_eq!(
        run(&alerts, &campaign("", None, None)).mttr_days_median,
        Some(1.01)
    );
}

#[test]
fn summary_json_field_names() {
    let m = run(
        &[alert("acme/web", 1, t(2026, 10, 1, 0))],
        &campaign("", None, None),
    );
    let v = serde_json::to_value(&m).unwrap();
    for key in [
        "totals",
        "resolved_this_week_by_resolution",
        "open_by_validity",
        "open_flags",
        "open_by_secret_type",
        "mttr_days_median",
        "mttr_days_median_28d",
        "closed_by_resolution",
        "forecast",
        "repos",
        "at_risk",
    ] {
        assert!(v.get(key).is_some(), "{key}");
    }
    assert!(v.get("all_repos").is_none() && v.get("details").is_none());
    for key in [
        "inflow_rate_per_week",
        "net_burn_rate_per_week",
        "expected_open_at_due",
        "status_reasons",
    ] {
        assert!(v["forecast"].get(key).is_some(), "{key}");
    }
    assert_eq!(v["at_risk"]["critical_count"], 0);
    assert_eq!(
        v["forecast"]["status_reasons"],
        serde_json::json!(["no_net_progress"])
    );
    assert_eq!(v["forecast"]["status"], "at_risk");
    assert_eq!(v["window"]["start"], "2026-11-16T00:00:00Z");
    assert_eq!(
        v["open_by_validity"],
        serde_json::json!({"active": 0, "inactive": 1, "unknown": 0})
    );
}
