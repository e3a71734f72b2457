//! Unit tests of the module, apart from its code.

use super::*;
use crate::model::testkit::{self, resolved};
use chrono::TimeZone;

fn t(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, 0, 0).unwrap()
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// T = 2026-11-23 00:00 UTC; the week is [11-16, 11-23).
fn as_of() -> DateTime<Utc> {
    t(2026, 11, 23, 0)
}

fn alert(repo: &str, number: u64, created: DateTime<Utc>) -> Alert {
    Alert {
        secret_type: "azure_storage_account_key".into(),
        secret_type_display_name: Some("Azure Storage Account Access Key".into()),
        provider: Some("Microsoft Azure".into()),
        provider_slug: Some("azure".into()),
        push_protection_bypassed: Some(false),
        validity: Some(Validity::Inactive),
        publicly_leaked: Some(false),
        multi_repo: Some(false),
        assigned_to: testkit::user("mona"),
        ..testkit::alert(repo, number, created)
    }
}

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

fn campaign(filter: &str, starts: Option<NaiveDate>, due: Option<NaiveDate>) -> Campaign {
    Campaign {
        info: CampaignInfo {
            id: "c".into(),
            name: "C".into(),
            filter: filter.into(),
            starts_on: starts,
            due_on: due,
            github_campaign: None,
        },
        filter: Filter::parse(filter).unwrap(),
        sla_days: 30,
        members: Default::default(),
    }
}

fn run(alerts: &[Alert], c: &Campaign) -> Metrics {
    compute(alerts, c, as_of(), &RiskSettings::default())
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
fn forecast_from_alerts_counts_fixes_and_new_alerts_over_28_days() {
    // 3 open; fixes in [T-28d, T): 10 (exactly at T-28d), 11, 12; 13 is just before.
    // New alerts in the same window: 20 (created at T-28d, open) and 21 (created and fixed
    // inside it: one new, one fix).
    let mut alerts: Vec<Alert> = (1..=2)
        .map(|n| alert("a/a", n, t(2026, 10, 1, 0)))
        .collect();
    alerts.push(alert("a/a", 20, t(2026, 10, 26, 0)));
    alerts.push(resolved(
        alert("a/a", 10, t(2026, 9, 1, 0)),
        t(2026, 10, 26, 0),
        "revoked",
    ));
    alerts.push(resolved(
        alert("a/a", 11, t(2026, 9, 1, 0)),
        t(2026, 11, 1, 0),
        "false_positive",
    ));
    alerts.push(resolved(
        alert("a/a", 12, t(2026, 9, 1, 0)),
        t(2026, 11, 22, 23),
        "wont_fix",
    ));
    alerts.push(resolved(
        alert("a/a", 13, t(2026, 9, 1, 0)),
        t(2026, 10, 25, 23),
        "revoked",
    ));
    alerts.push(resolved(
        alert("a/a", 21, t(2026, 11, 2, 0)),
        t(2026, 11, 4, 0),
        "revoked",
    ));
    let m = run(&alerts, &campaign("", None, Some(date(2026, 12, 31))));
    let f = &m.forecast;
    assert_eq!(m.totals.open, 3);
    // fixes 4 (10, 11, 12, 21), new 2 (20, 21): net 2 in 28 days
    assert_eq!(f.burn_rate_per_week, 1.0);
    assert_eq!(f.inflow_rate_per_week, Some(0.5));
    assert_eq!(f.net_burn_rate_per_week, Some(0.5));
    // ceil(28 × 3 / 2) = 42 days after 11-23
    assert_eq!(f.projected_completion, Some(date(2027, 1, 4)));
    assert_eq!(f.status, Status::AtRisk);
    assert_eq!(f.status_reasons, [StatusReason::ProjectedAfterDue]);
    // ceil((28 × 3 − 2 × 38) / 28) = ceil(8 / 28) = 1
    assert_eq!(f.expected_open_at_due, Some(1));
    assert_eq!(f.required_rate_per_week, Some(0.55), "7 × 3 / 38 = 0.5526");
    assert_eq!(
        m.closed_by_resolution,
        BTreeMap::from([
            ("false_positive".into(), 1),
            ("revoked".into(), 3),
            ("wont_fix".into(), 1)
        ])
    );
    // 28-day median of time to fix, false positives out: 21 (2 d), 10 (55 d),
    // 12 (82.96 d) → 55
    assert_eq!(m.mttr_days_median_28d, Some(55.0));
    assert_eq!(m.mttr_days_median, Some(82.96), "only 12 in the week");

    let later = run(&alerts, &campaign("", None, Some(date(2027, 1, 4))));
    assert_eq!(
        later.forecast.status,
        Status::OnTrack,
        "due on the finish day"
    );
    assert_eq!(later.forecast.status_reasons, []);
}

fn pace(open: u64, fixed_28d: u64, new_28d: u64, critical: u64) -> Pace {
    Pace {
        open,
        fixed_28d,
        new_28d,
        critical,
    }
}

/// T = 2026-11-23 and a due date 38 days later (2026-12-31), worked by hand.
#[test]
fn forecast_hand_worked_cases() {
    let today = date(2026, 11, 23);
    let due = Some(date(2026, 12, 31));

    // shrinking backlog: 12 fixes, 4 new → net 8 in 28 days
    let f = forecast(pace(10, 12, 4, 0), due, today);
    assert_eq!(f.burn_rate_per_week, 3.0);
    assert_eq!(f.inflow_rate_per_week, Some(1.0));
    assert_eq!(f.net_burn_rate_per_week, Some(2.0));
    assert_eq!(
        f.projected_completion,
        Some(date(2026, 12, 28)),
        "ceil(280/8) = 35"
    );
    assert_eq!(f.required_rate_per_week, Some(1.84), "7 × 10 / 38");
    assert_eq!(f.expected_open_at_due, Some(0), "280 − 8 × 38 < 0");
    assert_eq!(f.days_to_due, Some(38));
    assert_eq!(
        (f.status, f.status_reasons.clone()),
        (Status::OnTrack, vec![])
    );

    // growing backlog: 4 fixes, 8 new → net −4; never at this pace
    let f = forecast(pace(10, 4, 8, 0), due, today);
    assert_eq!(f.net_burn_rate_per_week, Some(-1.0));
    assert_eq!(f.projected_completion, None);
    assert_eq!(
        f.expected_open_at_due,
        Some(16),
        "ceil((280 + 4 × 38) / 28)"
    );
    assert_eq!(f.status, Status::AtRisk);
    assert_eq!(f.status_reasons, [StatusReason::NoNetProgress]);

    // zero net: as many new as fixed
    let f = forecast(pace(10, 6, 6, 0), due, today);
    assert_eq!(f.net_burn_rate_per_week, Some(0.0));
    assert_eq!(f.projected_completion, None);
    assert_eq!(f.expected_open_at_due, Some(10));
    assert_eq!(f.status, Status::AtRisk);
    assert_eq!(f.status_reasons, [StatusReason::NoNetProgress]);

    // projected after the due date: net 2 → 140 days
    let f = forecast(pace(10, 4, 2, 0), due, today);
    assert_eq!(f.projected_completion, Some(date(2027, 4, 12)));
    assert_eq!(
        f.expected_open_at_due,
        Some(8),
        "ceil((280 − 76) / 28) = ceil(7.29)"
    );
    assert_eq!(f.status, Status::AtRisk);
    assert_eq!(f.status_reasons, [StatusReason::ProjectedAfterDue]);

    // a critical alert turns an on-track pace at risk
    let f = forecast(pace(3, 12, 0, 1), due, today);
    assert_eq!(
        f.projected_completion,
        Some(date(2026, 11, 30)),
        "ceil(84/12) = 7"
    );
    assert_eq!(f.status, Status::AtRisk);
    assert_eq!(f.status_reasons, [StatusReason::CriticalAlerts]);
    // ... and every reason that holds is listed, in order
    let f = forecast(pace(3, 0, 1, 2), due, today);
    assert_eq!(
        f.status_reasons,
        [StatusReason::CriticalAlerts, StatusReason::NoNetProgress]
    );

    // no due date: on track while the backlog shrinks, at risk when it does not
    let f = forecast(pace(5, 8, 4, 0), None, today);
    assert_eq!(
        f.projected_completion,
        Some(date(2026, 12, 28)),
        "ceil(140/4)"
    );
    assert_eq!(
        (
            f.required_rate_per_week,
            f.expected_open_at_due,
            f.days_to_due
        ),
        (None, None, None)
    );
    assert_eq!(
        (f.status, f.status_reasons.clone()),
        (Status::OnTrack, vec![])
    );
    let f = forecast(pace(5, 4, 4, 0), None, today);
    assert_eq!(f.status, Status::AtRisk);
    assert_eq!(f.status_reasons, [StatusReason::NoNetProgress]);

    // done: nothing open, whatever the pace or the date
    let f = forecast(pace(0, 3, 1, 0), due, today);
    assert_eq!(f.status, Status::Done);
    assert_eq!(f.status_reasons, []);
    assert_eq!(f.projected_completion, Some(today));
    assert_eq!(f.expected_open_at_due, Some(0));
    assert_eq!(f.required_rate_per_week, Some(0.0));
    let f = forecast(pace(0, 0, 0, 0), Some(date(2026, 1, 1)), today);
    assert_eq!(f.status, Status::Done, "done beats overdue");

    // overdue: the due date has passed; reasons still say why
    let f = forecast(pace(5, 0, 0, 0), Some(date(2026, 11, 22)), today);
    assert_eq!(
        (
            f.status,
            f.days_to_due,
            f.required_rate_per_week,
            f.expected_open_at_due
        ),
        (Status::Overdue, Some(-1), None, None)
    );
    assert_eq!(f.status_reasons, [StatusReason::NoNetProgress]);

    // due today: no required rate, not overdue, the projection is after it
    let f = forecast(pace(5, 400, 0, 0), Some(today), today);
    assert_eq!((f.days_to_due, f.required_rate_per_week), (Some(0), None));
    assert_eq!(f.status, Status::AtRisk);
    assert_eq!(f.status_reasons, [StatusReason::ProjectedAfterDue]);

    // rounding: rates to 2 decimals, the projection from unrounded counts
    let f = forecast(pace(1, 1, 0, 0), None, today);
    assert_eq!(f.burn_rate_per_week, 0.25);
    assert_eq!(f.projected_completion, Some(date(2026, 12, 21)), "28 days");
    let f = forecast(pace(1, 0, 1, 0), None, today);
    assert_eq!(f.net_burn_rate_per_week, Some(-0.25));
}

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

/// *Keeping pace* (README, "The numbers"): 1 open, 9 fixed and 9 new in 28 days. The backlog never
/// reaches zero at a net pace of 0, but it is a third of a week of fixes: on track.
#[test]
fn keeping_pace_is_on_track() {
    let c = campaign("", None, Some(date(2026, 12, 31)));
    let mut alerts = vec![alert("acme/web", 1, t(2026, 9, 1, 0))];
    for n in 2..=10u64 {
        let created = as_of() - Duration::days(20) + Duration::hours(n as i64);
        alerts.push(resolved(
            alert("acme/web", n, created),
            created + Duration::days(1),
            "revoked",
        ));
    }
    let m = run(&alerts, &c);
    assert_eq!(m.totals.open, 1);
    let f = &m.forecast;
    assert_eq!(
        (f.burn_rate_per_week, f.inflow_rate_per_week),
        (2.25, Some(2.25))
    );
    assert_eq!(f.weeks_to_clear, Some(0.44));
    assert_eq!(f.projected_completion, None);
    assert_eq!(f.status, Status::OnTrack);
    assert_eq!(f.status_reasons, [StatusReason::KeepingPace]);

    let today = as_of().date_naive();
    let due = Some(date(2026, 12, 31));
    let pace = |open, fixed_28d, new_28d, critical| Pace {
        open,
        fixed_28d,
        new_28d,
        critical,
    };
    // without a due date too
    let f = forecast(pace(1, 9, 9, 0), None, today);
    assert_eq!(
        (f.status, f.status_reasons.as_slice()),
        (Status::OnTrack, &[StatusReason::KeepingPace][..])
    );
    // exactly a week of fixes still keeps pace; a bit more does not
    let f = forecast(pace(9, 36, 36, 0), due, today);
    assert_eq!((f.weeks_to_clear, f.status), (Some(1.0), Status::OnTrack));
    let f = forecast(pace(10, 36, 36, 0), due, today);
    assert_eq!((f.weeks_to_clear, f.status), (Some(1.11), Status::AtRisk));
    assert_eq!(f.status_reasons, [StatusReason::NoNetProgress]);
    // nothing fixed: no pace to keep
    let f = forecast(pace(1, 0, 0, 0), due, today);
    assert_eq!((f.weeks_to_clear, f.status), (None, Status::AtRisk));
    // critical alerts are never excused
    let f = forecast(pace(1, 9, 9, 1), due, today);
    assert_eq!(f.status, Status::AtRisk);
    assert_eq!(
        f.status_reasons,
        [StatusReason::CriticalAlerts, StatusReason::KeepingPace]
    );
    // overdue stays overdue
    let f = forecast(pace(1, 9, 9, 0), Some(date(2026, 11, 1)), today);
    assert_eq!(f.status, Status::Overdue);
}
