//! The forecast: the pace over 28 days, hand-worked due-date cases, keeping pace.

use super::*;

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
