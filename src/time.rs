//! Time as this tool computes with it: UTC instants to the second, dates within the years it
//! supports, midnight of a date.

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};

/// The current instant to the second: reports show `2026-11-23T06:00:00Z`, not nanoseconds.
pub fn now() -> DateTime<Utc> {
    use chrono::SubsecRound;
    Utc::now().trunc_subsecs(0)
}

/// The first and last years this tool computes with. Dates outside are refused where they
/// enter (the command line, the configuration, GitHub's answers), so date arithmetic here
/// never leaves chrono's range.
pub const SUPPORTED_YEARS: std::ops::RangeInclusive<i32> = 1970..=9999;

/// Whether a date is within [`SUPPORTED_YEARS`].
pub fn date_supported(d: NaiveDate) -> bool {
    SUPPORTED_YEARS.contains(&chrono::Datelike::year(&d))
}

/// Whether an instant is within [`SUPPORTED_YEARS`].
pub fn instant_supported(t: DateTime<Utc>) -> bool {
    date_supported(t.date_naive())
}

/// Midnight UTC at the start of a date.
pub fn midnight(date: NaiveDate) -> DateTime<Utc> {
    date.and_time(NaiveTime::MIN).and_utc()
}
