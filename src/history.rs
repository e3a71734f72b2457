//! The JSON Lines history (README, "History"): one snapshot per campaign and UTC day.
//!
//! The file is never half-written: a run writes a temporary file in the same folder, syncs it,
//! renames it over the old one and syncs the folder. Runs are serialized by an advisory lock on
//! a sibling `.lock` file held from load to save. A malformed line or a newer schema is an
//! error that names the line and leaves the file as it was.

use crate::error::{Error, Result};
use crate::metrics::{Forecast, Metrics, OpenFlags, RepoStats, Totals, ValidityCounts};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The schema string written on every line. v2 added the numbers of summary v2, v3 those of
/// summary v3 (membership, kept alerts, weeks to clear, the previous verdict); v1 and v2
/// lines are read, their missing numbers left unknown.
pub const SCHEMA: &str = "campaign-pulse/history/v3";
const SCHEMA_PREFIX: &str = "campaign-pulse/history/v";
const SCHEMA_VERSION: u32 = 3;
/// The first run of a campaign backfills at most this many weekly points.
pub const BACKFILL_WEEKS: i64 = 26;

/// How a snapshot came to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    /// Computed by a run at its as-of instant.
    Observed,
    /// Rebuilt from alert timestamps on a campaign's first run.
    Reconstructed,
}

/// One repository's numbers in a snapshot (zeros and nulls left out of the line).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RepoCounts {
    /// Open alerts.
    pub open: u64,
    /// Closed alerts.
    pub closed: u64,
    /// Resolved during the week.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub resolved_this_week: u64,
    /// Created during the week.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub new_this_week: u64,
    /// Open a week before.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub open_week_ago: u64,
    /// Latest resolution.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_resolved_at: Option<DateTime<Utc>>,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// One line of the history: the §5 numbers of a campaign at an instant, without long lists.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    /// [`SCHEMA`].
    pub schema: String,
    /// Campaign id.
    pub campaign: String,
    /// The as-of instant.
    pub as_of: DateTime<Utc>,
    /// Observed or reconstructed.
    pub source: Source,
    /// Headline counts.
    pub totals: Totals,
    /// Resolutions during the week.
    pub resolved_this_week_by_resolution: BTreeMap<String, u64>,
    /// Open alerts by validity.
    pub open_by_validity: ValidityCounts,
    /// Open alerts by flag.
    pub open_flags: OpenFlags,
    /// Open alerts by secret type.
    pub open_by_secret_type: BTreeMap<String, u64>,
    /// Closures by resolution (v2).
    #[serde(default)]
    pub closed_by_resolution: BTreeMap<String, u64>,
    /// Median days to fix.
    pub mttr_days_median: Option<f64>,
    /// Median days to fix over 28 days (v2).
    #[serde(default)]
    pub mttr_days_median_28d: Option<f64>,
    /// Pace and projection.
    pub forecast: Forecast,
    /// Number of at-risk alerts.
    pub at_risk_count: u64,
    /// Number of critical alerts (v2; unknown in v1 lines).
    #[serde(default)]
    pub critical_count: Option<u64>,
    /// Dismissals of secrets GitHub still calls valid (v3; unknown before).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub risk_acceptances: Option<u64>,
    /// Display names of the open alerts' secret types (v2).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub secret_type_names: BTreeMap<String, String>,
    /// Open and closed counts per repository.
    pub repos: BTreeMap<String, RepoCounts>,
}

impl Snapshot {
    /// The history line for a campaign's metrics.
    pub fn from_metrics(campaign: &str, m: &Metrics, source: Source) -> Snapshot {
        Snapshot {
            schema: SCHEMA.to_string(),
            campaign: campaign.to_string(),
            as_of: m.as_of,
            source,
            totals: m.totals,
            resolved_this_week_by_resolution: m.resolved_this_week_by_resolution.clone(),
            open_by_validity: m.open_by_validity,
            open_flags: m.open_flags,
            open_by_secret_type: m.open_by_secret_type.clone(),
            closed_by_resolution: m.closed_by_resolution.clone(),
            mttr_days_median: m.mttr_days_median,
            mttr_days_median_28d: m.mttr_days_median_28d,
            forecast: m.forecast.clone(),
            at_risk_count: m.at_risk.count,
            critical_count: Some(m.at_risk.critical_count),
            risk_acceptances: Some(m.risk_acceptances.count),
            secret_type_names: m.details.secret_type_names.clone(),
            repos: m
                .all_repos
                .iter()
                .map(|r| {
                    (
                        r.repo.clone(),
                        RepoCounts {
                            open: r.open,
                            closed: r.closed,
                            resolved_this_week: r.resolved_this_week,
                            new_this_week: r.new_this_week,
                            open_week_ago: r.open_week_ago,
                            last_resolved_at: r.last_resolved_at,
                        },
                    )
                })
                .collect(),
        }
    }

    /// Whether the line was written before summary v2 (no new-alert pace, no critical count).
    pub fn is_v1(&self) -> bool {
        self.critical_count.is_none()
    }

    /// The verdict of the line, unless written by summary v1 (whose verdicts meant something
    /// else).
    pub fn status(&self) -> Option<crate::metrics::Status> {
        (!self.is_v1()).then_some(self.forecast.status)
    }

    /// The version of the line's schema (`campaign-pulse/history/v3` → 3; 0 when unknown).
    pub fn version(&self) -> u32 {
        self.schema
            .strip_prefix(SCHEMA_PREFIX)
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    }

    /// Every repository's numbers, by name.
    pub fn repo_stats(&self) -> Vec<RepoStats> {
        self.repos
            .iter()
            .map(|(name, c)| RepoStats {
                repo: name.clone(),
                open: c.open,
                closed: c.closed,
                resolved_this_week: c.resolved_this_week,
                new_this_week: c.new_this_week,
                last_resolved_at: c.last_resolved_at,
                last_resolution: None,
                owner: None,
                open_week_ago: c.open_week_ago,
            })
            .collect()
    }
}

/// `history.previous` of summary.json.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Previous {
    /// When it was taken.
    pub as_of: DateTime<Utc>,
    /// Open alerts then.
    pub open: u64,
    /// Closed alerts then.
    pub closed: u64,
}

/// One entry of `history.points` of summary.json.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Point {
    /// When.
    pub as_of: DateTime<Utc>,
    /// Open alerts.
    pub open: u64,
    /// Closed alerts.
    pub closed: u64,
    /// Observed or reconstructed.
    pub source: Source,
    /// The verdict then; null for snapshots of summary v1, whose verdicts meant something
    /// else.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<crate::metrics::Status>,
}

/// `history` of summary.json.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryView {
    /// The latest observed snapshot at least 6 days before T.
    pub previous: Option<Previous>,
    /// Every snapshot of the campaign up to T, oldest first (T included).
    pub points: Vec<Point>,
}

/// The history file's content.
#[derive(Debug, Clone, Default)]
pub struct History {
    snapshots: Vec<Snapshot>,
}

impl History {
    /// Reads the file; a missing file is an empty history.
    pub fn load(path: &Path) -> Result<History> {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(History::default()),
            Err(e) => return Err(Error::io("cannot read history", path, e)),
        };
        Self::parse(path, &text)
    }

    /// Parses history text; `path` is used in messages.
    pub fn parse(path: &Path, text: &str) -> Result<History> {
        let fail = |line: usize, message: String| Error::History {
            path: path.to_path_buf(),
            message: format!(
                "line {line}: {message}; the file was left unchanged — fix or remove that line, or restore the file from a backup"
            ),
        };
        let mut snapshots = Vec::new();
        for (i, line) in text.lines().enumerate() {
            let n = i + 1;
            if line.trim().is_empty() {
                continue;
            }
            let value: serde_json::Value =
                serde_json::from_str(line).map_err(|e| fail(n, format!("not valid JSON ({e})")))?;
            let schema = value
                .get("schema")
                .and_then(|s| s.as_str())
                .ok_or_else(|| fail(n, "no `schema` field".into()))?;
            let version = schema
                .strip_prefix(SCHEMA_PREFIX)
                .and_then(|v| v.parse::<u32>().ok())
                .ok_or_else(|| fail(n, format!("unknown schema `{schema}`")))?;
            if version > SCHEMA_VERSION {
                return Err(Error::History {
                    path: path.to_path_buf(),
                    message: format!(
                        "line {n} was written by a newer campaign-pulse (schema `{schema}`, this one reads up to `{SCHEMA}`); upgrade campaign-pulse — the file was left unchanged"
                    ),
                });
            }
            let snapshot: Snapshot = serde_json::from_value(value)
                .map_err(|e| fail(n, format!("not a snapshot ({e})")))?;
            snapshots.push(snapshot);
        }
        Ok(History { snapshots })
    }

    /// Every snapshot, in file order.
    pub fn snapshots(&self) -> &[Snapshot] {
        &self.snapshots
    }

    /// Whether the campaign has any snapshot.
    pub fn has_campaign(&self, campaign: &str) -> bool {
        self.snapshots.iter().any(|s| s.campaign == campaign)
    }

    /// Adds a snapshot, replacing the campaign's snapshot of the same UTC day.
    pub fn upsert(&mut self, snapshot: Snapshot) {
        let day = snapshot.as_of.date_naive();
        self.snapshots
            .retain(|s| !(s.campaign == snapshot.campaign && s.as_of.date_naive() == day));
        self.snapshots.push(snapshot);
        self.snapshots.sort_by(|a, b| {
            a.as_of
                .cmp(&b.as_of)
                .then_with(|| a.campaign.cmp(&b.campaign))
        });
    }

    /// The campaign's latest snapshot at or before `as_of`.
    pub fn latest(&self, campaign: &str, as_of: DateTime<Utc>) -> Option<&Snapshot> {
        self.snapshots
            .iter()
            .filter(|s| s.campaign == campaign && s.as_of <= as_of)
            .max_by_key(|s| s.as_of)
    }

    /// The previous report of the campaign at `as_of`: its latest observed snapshot at least
    /// 6 days before.
    pub fn previous(&self, campaign: &str, as_of: DateTime<Utc>) -> Option<&Snapshot> {
        self.snapshots
            .iter()
            .filter(|s| {
                s.campaign == campaign
                    && s.source == Source::Observed
                    && s.as_of <= as_of - Duration::days(6)
            })
            .max_by_key(|s| s.as_of)
    }

    /// Whether a line of summary v3 or later records the campaign: its membership record
    /// should exist.
    pub fn has_v3(&self, campaign: &str) -> bool {
        self.snapshots
            .iter()
            .any(|s| s.campaign == campaign && s.version() >= 3)
    }

    /// `history` of summary.json for the campaign at `as_of`.
    pub fn view(&self, campaign: &str, as_of: DateTime<Utc>) -> HistoryView {
        let previous = self.previous(campaign, as_of).map(|s| Previous {
            as_of: s.as_of,
            open: s.totals.open,
            closed: s.totals.closed,
        });
        let mut points: Vec<Point> = self
            .snapshots
            .iter()
            .filter(|s| s.campaign == campaign && s.as_of <= as_of)
            .map(|s| Point {
                as_of: s.as_of,
                open: s.totals.open,
                closed: s.totals.closed,
                source: s.source,
                status: s.status(),
            })
            .collect();
        points.sort_by_key(|p| p.as_of);
        HistoryView { previous, points }
    }

    /// Serializes the history, one snapshot per line.
    pub fn to_jsonl(&self) -> Result<String> {
        let mut out = String::new();
        for s in &self.snapshots {
            let line = serde_json::to_string(s).map_err(|e| Error::History {
                path: PathBuf::new(),
                message: format!("cannot serialize a snapshot: {e}"),
            })?;
            out.push_str(&line);
            out.push('\n');
        }
        Ok(out)
    }

    /// Replaces the file atomically: temporary file in the same folder, fsync, rename, fsync
    /// of the folder.
    pub fn save(&self, path: &Path) -> Result<()> {
        let text = self.to_jsonl()?;
        crate::state::write_atomic(path, text.as_bytes())
    }
}

/// The instants of the weekly points a campaign's first run backfills: `T − 7k` for
/// k = 1..=26, oldest first, none before `not_before`.
pub fn backfill_instants(as_of: DateTime<Utc>, not_before: DateTime<Utc>) -> Vec<DateTime<Utc>> {
    let mut out: Vec<DateTime<Utc>> = (1..=BACKFILL_WEEKS)
        .map(|k| as_of - Duration::days(7 * k))
        .take_while(|t| *t >= not_before)
        .collect();
    out.reverse();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t(d: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, d, 0, 0, 0).unwrap()
    }

    fn snap(campaign: &str, as_of: DateTime<Utc>, open: u64, source: Source) -> Snapshot {
        Snapshot {
            schema: SCHEMA.into(),
            campaign: campaign.into(),
            as_of,
            source,
            totals: Totals {
                open,
                closed: 1,
                total: open + 1,
                progress_pct: 50.0,
                resolved_this_week: 0,
                new_this_week: 0,
                open_week_ago: 0,
                net_change: 0,
                kept: Some(0),
            },
            resolved_this_week_by_resolution: BTreeMap::new(),
            open_by_validity: ValidityCounts::default(),
            open_flags: OpenFlags::default(),
            open_by_secret_type: BTreeMap::new(),
            closed_by_resolution: BTreeMap::new(),
            mttr_days_median: None,
            mttr_days_median_28d: None,
            forecast: crate::metrics::forecast(
                crate::metrics::Pace {
                    open,
                    ..Default::default()
                },
                None,
                as_of.date_naive(),
            ),
            at_risk_count: 0,
            critical_count: Some(0),
            risk_acceptances: None,
            secret_type_names: BTreeMap::new(),
            repos: BTreeMap::from([(
                "acme/web".into(),
                RepoCounts {
                    open,
                    closed: 1,
                    ..RepoCounts::default()
                },
            )]),
        }
    }

    #[test]
    fn upsert_replaces_same_campaign_same_day() {
        let mut h = History::default();
        h.upsert(snap("a", t(16), 5, Source::Observed));
        h.upsert(snap("b", t(16), 7, Source::Observed));
        h.upsert(snap("a", t(16) + Duration::hours(5), 4, Source::Observed));
        assert_eq!(h.snapshots().len(), 2);
        assert_eq!(h.latest("a", t(30)).map(|s| s.totals.open), Some(4));
        h.upsert(snap("a", t(23), 3, Source::Observed));
        assert_eq!(h.snapshots().len(), 3);
    }

    #[test]
    fn view_previous_is_latest_observed_at_least_six_days_back() {
        let mut h = History::default();
        h.upsert(snap("a", t(2), 9, Source::Reconstructed));
        h.upsert(snap("a", t(9), 8, Source::Observed));
        h.upsert(snap("a", t(16), 7, Source::Reconstructed));
        h.upsert(snap("a", t(18), 6, Source::Observed)); // only 5 days before T
        h.upsert(snap("a", t(23), 5, Source::Observed));
        h.upsert(snap("a", t(30), 4, Source::Observed)); // after T
        h.upsert(snap("b", t(16), 1, Source::Observed));
        let v = h.view("a", t(23));
        assert_eq!(v.previous.map(|p| (p.as_of, p.open)), Some((t(9), 8)));
        let opens: Vec<u64> = v.points.iter().map(|p| p.open).collect();
        assert_eq!(opens, [9, 8, 7, 6, 5]);
        assert_eq!(v.points[0].source, Source::Reconstructed);
        // exactly six days is enough
        let v = h.view("a", t(24));
        assert_eq!(v.previous.map(|p| p.as_of), Some(t(18)));
    }

    #[test]
    fn roundtrip_and_line_errors() {
        let mut h = History::default();
        h.upsert(snap("a", t(16), 5, Source::Observed));
        h.upsert(snap("a", t(23), 4, Source::Observed));
        let text = h.to_jsonl().unwrap();
        let back = History::parse(Path::new("h.jsonl"), &text).unwrap();
        assert_eq!(back.snapshots(), h.snapshots());

        let broken = format!("{text}{{not json\n");
        let e = History::parse(Path::new("h.jsonl"), &broken)
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("history h.jsonl: line 3: not valid JSON"),
            "{e}"
        );

        let newer = text.replacen("history/v3", "history/v4", 1);
        let e = History::parse(Path::new("h.jsonl"), &newer)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("line 1 was written by a newer campaign-pulse"),
            "{e}"
        );

        let e = History::parse(
            Path::new("h.jsonl"),
            "\n{\"schema\":\"campaign-pulse/history/v1\"}\n",
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("line 2: not a snapshot"), "{e}");
    }

    #[test]
    fn v1_lines_load_with_the_v2_numbers_unknown() {
        let v1 = r#"{"schema":"campaign-pulse/history/v1","campaign":"a","as_of":"2026-11-23T00:00:00Z","source":"observed","totals":{"open":1,"closed":0,"total":1,"progress_pct":0.0,"resolved_this_week":0,"new_this_week":0,"open_week_ago":1,"net_change":0},"resolved_this_week_by_resolution":{},"open_by_validity":{"active":1,"inactive":0,"unknown":0},"open_flags":{"publicly_leaked":0,"multi_repo":0,"push_protection_bypassed":0,"unassigned":1},"open_by_secret_type":{"x":1},"mttr_days_median":null,"forecast":{"burn_rate_per_week":0.5,"required_rate_per_week":null,"projected_completion":"2026-12-21","days_to_due":null,"status":"on_track"},"at_risk_count":1,"repos":{"acme/web":{"open":1,"closed":0}}}"#;
        let h = History::parse(Path::new("h.jsonl"), v1).unwrap();
        let s = &h.snapshots()[0];
        assert!(s.is_v1());
        assert_eq!(s.forecast.burn_rate_per_week, 0.5);
        assert_eq!(s.forecast.inflow_rate_per_week, None);
        assert_eq!(s.forecast.net_burn_rate_per_week, None);
        assert!(s.forecast.status_reasons.is_empty());
        assert_eq!(s.critical_count, None);
        // written back as the current schema, with nothing invented
        let text = h.to_jsonl().unwrap();
        assert!(
            text.contains("\"schema\":\"campaign-pulse/history/v1\""),
            "{text}"
        );
        assert!(!text.contains("critical_count\":0"), "{text}");
    }

    #[test]
    fn backfill_stops_at_start_and_26_weeks() {
        let as_of = t(23);
        let start = Utc.with_ymd_and_hms(2026, 10, 1, 0, 0, 0).unwrap();
        let pts = backfill_instants(as_of, start);
        assert_eq!(pts.len(), 7);
        assert_eq!(pts[0], Utc.with_ymd_and_hms(2026, 10, 5, 0, 0, 0).unwrap());
        assert_eq!(pts[6], t(16));
        let long = backfill_instants(as_of, as_of - Duration::days(1000));
        assert_eq!(long.len(), 26);
    }

    #[test]
    fn save_is_atomic_and_leaves_no_temporary_files() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/history.jsonl");
        let mut h = History::default();
        h.upsert(snap("a", t(16), 5, Source::Observed));
        h.save(&path).unwrap();
        h.upsert(snap("a", t(23), 4, Source::Observed));
        h.save(&path).unwrap();
        let loaded = History::load(&path).unwrap();
        assert_eq!(loaded.snapshots().len(), 2);
        let names: Vec<String> = std::fs::read_dir(path.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["history.jsonl"]);
    }
}

#[cfg(test)]
mod proptests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn any_text_loads_or_names_a_line(lines in proptest::collection::vec("\\PC{0,80}", 0..5)) {
            let text = lines.join("\n");
            if let Err(e) = History::parse(Path::new("h.jsonl"), &text) {
                let m = e.to_string();
                prop_assert!(m.starts_with("history h.jsonl: line "), "{}", m);
            }
        }

        #[test]
        fn damaged_snapshots_name_their_line(cut in 0usize..600, junk in "\\PC{0,4}") {
            let good = r#"{"schema":"campaign-pulse/history/v1","campaign":"a","as_of":"2026-11-23T00:00:00Z","source":"observed","totals":{"open":1,"closed":0,"total":1,"progress_pct":0.0,"resolved_this_week":0,"new_this_week":0,"open_week_ago":1,"net_change":0},"resolved_this_week_by_resolution":{},"open_by_validity":{"active":1,"inactive":0,"unknown":0},"open_flags":{"publicly_leaked":0,"multi_repo":0,"push_protection_bypassed":0,"unassigned":1},"open_by_secret_type":{"x":1},"mttr_days_median":null,"forecast":{"burn_rate_per_week":0.0,"required_rate_per_week":null,"projected_completion":null,"days_to_due":null,"status":"at_risk"},"at_risk_count":1,"repos":{"acme/web":{"open":1,"closed":0}}}"#;
            History::parse(Path::new("h.jsonl"), good).unwrap();
            let cut = cut.min(good.len());
            let damaged = format!("{good}\n{}{junk}", &good[..cut]);
            match History::parse(Path::new("h.jsonl"), &damaged) {
                Ok(h) => prop_assert!(h.snapshots().len() <= 2),
                Err(e) => prop_assert!(e.to_string().contains("line 2"), "{}", e),
            }
        }
    }
}
