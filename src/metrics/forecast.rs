//! The forecast: pace against the due date, the projection, the verdict and its reasons.

use super::*;
use chrono::{Duration, NaiveDate};

/// What the forecast is computed from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Pace {
    /// Open alerts at T.
    pub open: u64,
    /// Alerts resolved in the last 28 days.
    pub fixed_28d: u64,
    /// Alerts created in the last 28 days.
    pub new_28d: u64,
    /// Critical open alerts (active, publicly leaked, past SLA).
    pub critical: u64,
}

/// The forecast from the open count, the 28-day fixes and new alerts, the
/// critical alerts and the due date.
pub fn forecast(pace: Pace, due: Option<NaiveDate>, today: NaiveDate) -> Forecast {
    let Pace {
        open,
        fixed_28d,
        new_28d,
        critical,
    } = pace;
    let open_i = i128::from(open);
    let net_28d = i128::from(fixed_28d) - i128::from(new_28d);
    let days_to_due = due.map(|d| (d - today).num_days());
    let days_left = days_to_due.filter(|d| *d > 0).map(i128::from);
    let required_rate_per_week = days_left.map(|days| ratio(7 * open_i, days, 2));
    // ceil(7 × open / (net / 4)) = ceil(28 × open / net), in integers
    let projected_completion = if open == 0 {
        Some(today)
    } else if net_28d > 0 {
        let days = (28 * open_i + net_28d - 1) / net_28d;
        i64::try_from(days)
            .ok()
            .and_then(Duration::try_days)
            .and_then(|d| today.checked_add_signed(d))
    } else {
        None
    };
    // open − net/28 × days, rounded up, never below zero
    let expected_open_at_due = days_left.map(|days| {
        let num = 28 * open_i - net_28d * days;
        let ceil = if num <= 0 { 0 } else { (num + 27) / 28 };
        u64::try_from(ceil).unwrap_or(u64::MAX)
    });
    // open / (fixes / 4) = 4 × open / fixes
    let weeks_to_clear = (fixed_28d > 0).then(|| ratio(4 * open_i, i128::from(fixed_28d), 2));
    let keeping_pace =
        open > 0 && net_28d <= 0 && weeks_to_clear.is_some_and(|w| w <= KEEPING_PACE_WEEKS);
    let late = open > 0 && matches!((due, projected_completion), (Some(d), Some(p)) if p > d);
    let mut status_reasons = Vec::new();
    if critical > 0 {
        status_reasons.push(StatusReason::CriticalAlerts);
    }
    if open > 0 && net_28d <= 0 && !keeping_pace {
        status_reasons.push(StatusReason::NoNetProgress);
    }
    if keeping_pace {
        status_reasons.push(StatusReason::KeepingPace);
    }
    if late {
        status_reasons.push(StatusReason::ProjectedAfterDue);
    }
    let status = if open == 0 {
        Status::Done
    } else if due.is_some_and(|d| d < today) {
        Status::Overdue
    } else if critical > 0
        || (!keeping_pace
            && match due {
                Some(d) => projected_completion.is_none_or(|p| p > d),
                None => net_28d <= 0,
            })
    {
        Status::AtRisk
    } else {
        Status::OnTrack
    };
    Forecast {
        burn_rate_per_week: ratio(i128::from(fixed_28d), 4, 2),
        inflow_rate_per_week: Some(ratio(i128::from(new_28d), 4, 2)),
        net_burn_rate_per_week: Some(ratio(net_28d, 4, 2)),
        required_rate_per_week,
        projected_completion,
        expected_open_at_due,
        days_to_due,
        weeks_to_clear,
        status,
        status_reasons,
        previous_status: None,
    }
}

/// A backlog that today's fix pace clears within this many weeks is *keeping pace* when new
/// alerts arrive as fast as they are fixed.
pub const KEEPING_PACE_WEEKS: f64 = 1.0;
