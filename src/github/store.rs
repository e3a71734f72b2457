//! The alert store (README, "Incremental runs"): the alerts the campaigns need, kept beside the history so the
//! next run reads only what changed.
//!
//! `alerts.jsonl` (or `<stem>.alerts.jsonl` beside `<stem>.jsonl`) is JSON Lines: a header,
//! then one alert a line, sorted by repository and number, with only the fields this tool
//! reads (no secret, no comment: the alert type has no field for them). It is replaced
//! atomically under the history's lock, like the history.
//!
//! A run with a usable store reads open alerts in full and resolved alerts newest change first
//! only back to the store's high-water mark less an overlap; the stored resolved alerts fill
//! in the rest. A store is not used, and is rebuilt by a full read, when it was written for
//! another organization, server, set of generic secret types or version of this tool, when
//! it does not reach back as far as the campaigns now need, when the run is earlier than the
//! store, when its last full read is older than `github.full_refresh`, or when an alert it has
//! as open is in neither of GitHub's listings any more (a deleted repository, a missed change).

use crate::error::{Error, Result};
use crate::model::Alert;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use std::io::{BufRead, Read};
use std::path::Path;

/// The header's schema: the format of the whole file.
pub const SCHEMA: &str = "campaign-pulse/alerts/v1";

/// Added to the overlap the last read's own duration needs: clocks of GitHub's servers.
const CLOCK_MARGIN: Duration = Duration::hours(1);

/// What a store was read for: a store for anything else is not used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identity {
    /// The organization.
    pub org: String,
    /// The API base (origin and path, never credentials).
    pub api: String,
    /// The configured generic secret types, sorted.
    pub generic_secret_types: Vec<String>,
    /// The version of this tool that wrote it.
    pub version: String,
}

impl Identity {
    /// The identity of a run against `api` with `config`.
    pub fn new(config: &crate::config::Config, api: &url::Url) -> Identity {
        let mut generic = config.github.generic_secret_types.clone();
        generic.sort();
        generic.dedup();
        Identity {
            org: config.github.org.to_ascii_lowercase(),
            api: format!(
                "{}{}",
                api.origin().ascii_serialization(),
                api.path().trim_end_matches('/')
            ),
            generic_secret_types: generic,
            version: env!("CARGO_PKG_VERSION").to_string(),
        }
    }
}

/// The store's first line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Header {
    /// [`SCHEMA`].
    pub schema: String,
    /// What it was read for.
    #[serde(flatten)]
    pub identity: Identity,
    /// The run (its T) that wrote it.
    pub as_of: DateTime<Utc>,
    /// The run (its T) of the last read of every alert the campaigns need.
    pub full_read_as_of: DateTime<Utc>,
    /// Every resolved alert changed since this instant is in the store; `None`: every one.
    pub covers_since: Option<DateTime<Utc>>,
    /// The latest change GitHub reported in the last read (never later than that read's
    /// start): changes after it are what the next run reads.
    pub high_water: DateTime<Utc>,
    /// How long the last read took, in seconds: a change made while it ran may carry an
    /// instant up to that much before the high-water mark.
    pub read_seconds: u64,
    /// The alerts that follow.
    pub alerts: usize,
}

/// A store read from disk and found usable.
#[derive(Debug)]
pub struct Store {
    /// Its header.
    pub header: Header,
    /// Its alerts.
    pub alerts: Vec<Alert>,
}

/// Resolved alerts changed at or after this may not have been seen by the read that wrote
/// the store: the incremental listing reads back to here.
pub fn read_back_to(header: &Header) -> DateTime<Utc> {
    let read = Duration::try_seconds(i64::try_from(header.read_seconds).unwrap_or(i64::MAX))
        .unwrap_or(Duration::days(365));
    header
        .high_water
        .checked_sub_signed(read + CLOCK_MARGIN)
        .unwrap_or(DateTime::<Utc>::MIN_UTC)
}

/// What a run needs of a store.
#[derive(Debug, Clone)]
pub struct Need {
    /// The run's identity.
    pub identity: Identity,
    /// The run's T.
    pub as_of: DateTime<Utc>,
    /// The oldest change the campaigns need (`None`: every alert).
    pub since: Option<DateTime<Utc>>,
    /// `github.full_refresh`.
    pub full_refresh: Duration,
    /// The clock: a store whose high-water mark is later was not written by a sane run.
    pub now: DateTime<Utc>,
}

/// The longest line a store may hold. An alert is a few hundred bytes (a long path makes it a
/// few kilobytes); a longer line is not one this tool wrote, and is not read whole.
const MAX_LINE: usize = 1 << 20;

/// Why a store cannot be used: the run then reads every alert and writes a new store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unusable {
    /// In words.
    pub why: String,
    /// The store is not as this tool writes it (damaged, tampered with, cut short), rather
    /// than written for another run: worth a warning.
    pub damaged: bool,
}

impl Unusable {
    fn stale(why: impl Into<String>) -> Unusable {
        Unusable {
            why: why.into(),
            damaged: false,
        }
    }
}

impl std::fmt::Display for Unusable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.why)
    }
}

/// Reads the store at `path` if it can be used for `need`; otherwise says why not (the run
/// then reads every alert and writes a new store). An unreadable store is not an error: it is
/// only a cache of what GitHub holds. Nothing in it is trusted unchecked: a store whose header
/// or alerts are not as this tool writes them — lines out of order or repeated, an alert of
/// another organization, a state that disagrees with `resolved_at`, an instant later than
/// now, a line longer than any alert — is not used.
pub fn load(path: &Path, need: &Need) -> std::result::Result<Store, Unusable> {
    read_checked(path, need.now, |header| usable(header, need))
}

/// Reads the store at `path` for a reader that does not fetch (`export`): any store this tool
/// wrote for `config`'s organization, however old, checked line by line as [`load`] does.
pub fn read_any(
    path: &Path,
    config: &crate::config::Config,
) -> std::result::Result<Store, Unusable> {
    let org = config.github.org.to_ascii_lowercase();
    read_checked(path, crate::time::now(), |h| {
        if h.schema != SCHEMA {
            Err(Unusable::stale(format!(
                "it is {}, not {SCHEMA}",
                crate::text::clip(&h.schema, 60)
            )))
        } else if h.identity.org != org {
            Err(Unusable::stale(format!(
                "it was read for the organization {}",
                crate::text::clip(&h.identity.org, 40)
            )))
        } else {
            Ok(())
        }
    })
}

fn read_checked(
    path: &Path,
    now: DateTime<Utc>,
    check: impl FnOnce(&Header) -> std::result::Result<(), Unusable>,
) -> std::result::Result<Store, Unusable> {
    let file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(Unusable::stale("no alert store yet"));
        }
        Err(e) => {
            return Err(Unusable {
                why: format!("cannot read {}: {e}", path.display()),
                damaged: true,
            });
        }
    };
    let mut reader = std::io::BufReader::with_capacity(1 << 16, file);
    let unreadable = |what: String| Unusable {
        why: format!("{} is not an alert store ({what})", path.display()),
        damaged: true,
    };
    let mut line = Vec::new();
    let mut number = 0usize;
    // the next line, at most MAX_LINE bytes of it; `None` at the end of the file
    let mut next_line = |line: &mut Vec<u8>| -> std::result::Result<Option<usize>, Unusable> {
        line.clear();
        number += 1;
        let read = (&mut reader)
            .take(MAX_LINE as u64 + 1)
            .read_until(b'\n', line)
            .map_err(|e| unreadable(e.to_string()))?;
        if read == 0 {
            return Ok(None);
        }
        if line.last() == Some(&b'\n') {
            line.pop();
        } else if line.len() > MAX_LINE {
            return Err(unreadable(format!(
                "line {number} is longer than {} MB",
                MAX_LINE >> 20
            )));
        }
        Ok(Some(number))
    };
    if next_line(&mut line)?.is_none() {
        return Err(unreadable("empty".into()));
    }
    let header: Header =
        serde_json::from_slice(&line).map_err(|e| unreadable(format!("line 1: {e}")))?;
    check(&header)?;
    let org = &header.identity.org;
    // a damaged count must not decide how much memory is set aside
    let mut alerts: Vec<Alert> = Vec::with_capacity(header.alerts.min(1 << 16));
    while let Some(n) = next_line(&mut line)? {
        let alert: Alert =
            serde_json::from_slice(&line).map_err(|e| unreadable(format!("line {n}: {e}")))?;
        if let Some(why) = suspect(&alert, org, now) {
            return Err(unreadable(format!("line {n}: {why}")));
        }
        if let Some(before) = alerts.last()
            && (before.repository.full_name.as_str(), before.number)
                >= (alert.repository.full_name.as_str(), alert.number)
        {
            return Err(unreadable(format!(
                "line {n}: alerts out of order or repeated"
            )));
        }
        if alerts.len() == header.alerts {
            return Err(unreadable(format!(
                "more alerts than its header's {}",
                header.alerts
            )));
        }
        alerts.push(alert);
    }
    if alerts.len() != header.alerts {
        return Err(unreadable(format!(
            "{} alerts where its header says {}: cut short?",
            alerts.len(),
            header.alerts
        )));
    }
    super::mark_generic(&mut alerts, &header.identity.generic_secret_types);
    Ok(Store { header, alerts })
}

/// What makes a stored alert one this tool cannot have written, if anything.
fn suspect(a: &Alert, org: &str, now: DateTime<Utc>) -> Option<String> {
    if let Some(why) = a.repository.outside(org) {
        return Some(why);
    }
    match (a.state.as_deref(), a.resolved_at) {
        (Some("open"), None) | (Some("resolved"), Some(_)) => {}
        (state, resolved_at) => {
            return Some(format!(
                "alert #{} is {} with {} resolved_at",
                a.number,
                state.map_or("without a state".to_string(), |s| {
                    format!("`{}`", crate::text::clip(s, 20))
                }),
                if resolved_at.is_some() { "a" } else { "no" }
            ));
        }
    }
    let instants = [
        Some(a.created_at),
        a.updated_at,
        a.resolved_at,
        a.push_protection_bypassed_at,
    ];
    if instants.into_iter().flatten().any(|t| t > now) {
        return Some(format!("alert #{} changes later than now", a.number));
    }
    None
}

/// Why a store with `header` cannot serve `need`, if it cannot.
fn usable(header: &Header, need: &Need) -> std::result::Result<(), Unusable> {
    let h = header;
    let n = need;
    let stale = |why: String| Err(Unusable::stale(why));
    let damaged = |why: String| Err(Unusable { why, damaged: true });
    if h.schema != SCHEMA {
        return stale(format!(
            "the alert store is {}, not {SCHEMA}",
            crate::text::clip(&h.schema, 60)
        ));
    }
    if h.identity.version != n.identity.version {
        return stale(format!(
            "the alert store was written by campaign-pulse {}",
            crate::text::clip(&h.identity.version, 30)
        ));
    }
    if h.identity != n.identity {
        return stale(
            "the alert store was read for another organization, server or list of generic secret types"
                .into(),
        );
    }
    // instants this tool wrote: the high-water mark is GitHub's latest change, never later
    // than now; the last full read and the store's reach are never later than the run that
    // wrote it (a run may be dated ahead with --as-of, and a later store is not used)
    if h.high_water > n.now {
        return damaged(format!(
            "the alert store's high-water mark ({}) is in the future",
            h.high_water.to_rfc3339()
        ));
    }
    if h.full_read_as_of > h.as_of {
        return damaged(format!(
            "the alert store's last full read ({}) is later than the run that wrote it",
            h.full_read_as_of.to_rfc3339()
        ));
    }
    if h.covers_since.is_some_and(|c| c > h.as_of) {
        return damaged("the alert store's reach is later than the run that wrote it".into());
    }
    if n.full_refresh.is_zero() {
        return stale("github.full_refresh is 0s".into());
    }
    if n.as_of < h.as_of {
        return stale(format!(
            "this run ({}) is earlier than the one that wrote the alert store ({})",
            n.as_of.format("%Y-%m-%d %H:%M"),
            h.as_of.format("%Y-%m-%d %H:%M")
        ));
    }
    if n.as_of - h.full_read_as_of > n.full_refresh {
        return stale(format!(
            "the last full read was on {}, longer ago than github.full_refresh",
            h.full_read_as_of.format("%Y-%m-%d")
        ));
    }
    let covered = match (h.covers_since, n.since) {
        (None, _) => true,
        (Some(_), None) => false,
        (Some(have), Some(need)) => have <= need,
    };
    if !covered {
        return stale(format!(
            "the campaigns now need resolved alerts from before {}, which the alert store does not keep",
            h.covers_since
                .map(|t| t.format("%Y-%m-%d").to_string())
                .unwrap_or_default()
        ));
    }
    Ok(())
}

/// The text of a store of `alerts` (sorted by repository and number, as a run leaves them).
pub fn render(path: &Path, header: &Header, alerts: &[Alert]) -> Result<Vec<u8>> {
    let mut out = Vec::with_capacity(alerts.len() * 400 + 512);
    let fail = |e: serde_json::Error| Error::History {
        path: path.to_path_buf(),
        message: format!("cannot write the alert store: {e}"),
    };
    serde_json::to_writer(&mut out, header).map_err(fail)?;
    out.push(b'\n');
    for a in alerts {
        serde_json::to_writer(&mut out, a).map_err(fail)?;
        out.push(b'\n');
    }
    Ok(out)
}

/// Replaces the store atomically (call it holding the history's lock).
pub fn save(path: &Path, header: &Header, alerts: &[Alert]) -> Result<()> {
    crate::state::write_atomic(path, &render(path, header, alerts)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t(d: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, d, 0, 0, 0).unwrap()
    }

    fn identity() -> Identity {
        Identity {
            org: "acme".into(),
            api: "https://api.github.com".into(),
            generic_secret_types: vec!["password".into()],
            version: env!("CARGO_PKG_VERSION").into(),
        }
    }

    fn header() -> Header {
        Header {
            schema: SCHEMA.into(),
            identity: identity(),
            as_of: t(16),
            full_read_as_of: t(2),
            covers_since: Some(t(1)),
            high_water: t(15),
            read_seconds: 600,
            alerts: 2,
        }
    }

    fn alerts() -> Vec<Alert> {
        let a = |n: u64, ty: &str, state: &str| -> Alert {
            serde_json::from_value(serde_json::json!({
                "number": n, "created_at": "2026-11-03T04:05:06Z",
                "updated_at": "2026-11-04T00:00:00Z", "state": state,
                "resolution": if state == "resolved" { Some("revoked") } else { None },
                "resolved_at": if state == "resolved" { Some("2026-11-04T00:00:00Z") } else { None },
                "secret_type": ty, "validity": "active",
                "html_url": format!("https://github.com/acme/web/security/secret-scanning/{n}"),
                "repository": {"full_name": "acme/web", "name": "web"},
                "first_location_detected": {"path": "a.env", "commit_sha": "abc"},
                "assigned_to": {"login": "mona"}
            }))
            .unwrap()
        };
        vec![a(1, "password", "open"), a(2, "azure_key", "resolved")]
    }

    fn need(as_of: DateTime<Utc>, since: Option<DateTime<Utc>>) -> Need {
        Need {
            identity: identity(),
            as_of,
            since,
            full_refresh: Duration::days(28),
            now: t(29),
        }
    }

    #[test]
    fn a_store_reads_back_what_was_written() {
        let dir = tempfile::tempdir().unwrap();
        let p = crate::layout::SideFile::AlertStore.path(&dir.path().join("history.jsonl"));
        assert_eq!(p, dir.path().join("alerts.jsonl"));
        let mut written = alerts();
        written[0].generic = true;
        save(&p, &header(), &written).unwrap();
        let store = load(&p, &need(t(23), Some(t(1)))).unwrap();
        assert_eq!(store.header, header());
        assert_eq!(store.alerts, written);
        assert!(store.alerts[0].generic && !store.alerts[1].generic);
        let text = std::fs::read_to_string(&p).unwrap();
        assert_eq!(text.lines().count(), 3);
        assert!(!text.contains("null"), "absent fields are left out: {text}");
        assert_eq!(
            read_back_to(&store.header),
            t(15) - Duration::minutes(10) - Duration::hours(1)
        );
    }

    #[test]
    fn a_store_for_something_else_is_not_used() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("alerts.jsonl");
        let why = |n: Need| load(&p, &n).unwrap_err().why;
        assert_eq!(why(need(t(23), Some(t(1)))), "no alert store yet");
        save(&p, &header(), &alerts()).unwrap();
        let mut other = need(t(23), Some(t(1)));
        other.identity.org = "other".into();
        assert!(why(other).contains("another organization"));
        let mut other = need(t(23), Some(t(1)));
        other.identity.version = "0.0.0".into();
        assert!(why(other).contains("written by campaign-pulse"));
        assert!(why(need(t(10), Some(t(1)))).contains("earlier than"));
        assert!(why(need(t(30) + Duration::days(1), Some(t(1)))).contains("full_refresh"));
        assert!(why(need(t(23), Some(t(1) - Duration::days(1)))).contains("does not keep"));
        assert!(why(need(t(23), None)).contains("does not keep"));
        let mut off = need(t(23), Some(t(1)));
        off.full_refresh = Duration::zero();
        assert!(why(off).contains("0s"));
        let mut earlier = need(t(23), Some(t(1)));
        earlier.now = t(14);
        assert!(why(earlier).contains("in the future"));
        // the boundaries are usable
        assert!(load(&p, &need(t(16), Some(t(1)))).is_ok());
        assert!(load(&p, &need(t(30), Some(t(1)))).is_ok());
    }

    #[test]
    fn a_damaged_store_is_not_used() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("alerts.jsonl");
        let text = String::from_utf8(render(&p, &header(), &alerts()).unwrap()).unwrap();
        let cut: String = text.lines().take(2).map(|l| format!("{l}\n")).collect();
        std::fs::write(&p, cut).unwrap();
        assert!(
            load(&p, &need(t(23), Some(t(1))))
                .unwrap_err()
                .why
                .contains("cut short")
        );
        std::fs::write(&p, text.replace("\"number\":2", "\"number\":\"two\"")).unwrap();
        assert!(
            load(&p, &need(t(23), Some(t(1))))
                .unwrap_err()
                .why
                .contains("line 3")
        );
        std::fs::write(&p, "").unwrap();
        assert!(
            load(&p, &need(t(23), Some(t(1))))
                .unwrap_err()
                .why
                .contains("empty")
        );
    }

    /// Every way a store can be tampered with ends in a full read with a warning, never a
    /// crash nor a number taken from it.
    #[test]
    fn a_tampered_store_is_not_used() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("alerts.jsonl");
        let text = String::from_utf8(render(&p, &header(), &alerts()).unwrap()).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        let refused = |content: &str| {
            std::fs::write(&p, content).unwrap();
            let e = load(&p, &need(t(23), Some(t(1)))).unwrap_err();
            assert!(e.damaged, "{e}");
            e.why
        };
        // counts no allocation can hold
        for count in [u64::MAX, 1_000_000_000_000] {
            let h = lines[0].replace("\"alerts\":2", &format!("\"alerts\":{count}"));
            let why = refused(&format!("{h}\n{}\n{}\n", lines[1], lines[2]));
            assert!(why.contains("cut short"), "{why}");
        }
        let why = refused(&format!("{}\n{}\n{}\n", lines[0], lines[1], lines[1]));
        assert!(why.contains("out of order or repeated"), "{why}");
        let why = refused(&format!("{}\n{}\n{}\n", lines[0], lines[2], lines[1]));
        assert!(why.contains("out of order or repeated"), "{why}");
        let h3 = lines[0].replace("\"alerts\":2", "\"alerts\":3");
        let why = refused(&format!("{h3}\n{}\n{}\n{}\n", lines[1], lines[2], lines[2]));
        assert!(why.contains("out of order or repeated"), "{why}");
        let foreign = lines[2].replace("acme/web", "victim/payroll");
        let why = refused(&format!("{}\n{}\n{foreign}\n", lines[0], lines[1]));
        assert!(why.contains("not a repository of `acme`"), "{why}");
        let dots = lines[2]
            .replace("acme/web", "acme/..")
            .replace("\"web\"", "\"..\"");
        let why = refused(&format!("{}\n{}\n{dots}\n", lines[0], lines[1]));
        assert!(why.contains("not a repository name"), "{why}");
        for state in ["dismissed", "open"] {
            let odd = lines[2].replace("\"state\":\"resolved\"", &format!("\"state\":\"{state}\""));
            let why = refused(&format!("{}\n{}\n{odd}\n", lines[0], lines[1]));
            assert!(why.contains("resolved_at"), "{why}");
        }
        let later = lines[2].replace("2026-11-04T00:00:00Z", "9999-01-01T00:00:00Z");
        let why = refused(&format!("{}\n{}\n{later}\n", lines[0], lines[1]));
        assert!(why.contains("later than now"), "{why}");
        let never_refresh = lines[0].replace("2026-11-02T00:00:00Z", "9999-01-01T00:00:00Z");
        assert_ne!(never_refresh, lines[0]);
        let why = refused(&format!("{never_refresh}\n{}\n{}\n", lines[1], lines[2]));
        assert!(
            why.contains("last full read") && why.contains("later than the run"),
            "{why}"
        );
        let long = format!("{}\n{}\n", lines[0], "x".repeat(MAX_LINE + 10));
        let why = refused(&long);
        assert!(why.contains("line 2 is longer than 1 MB"), "{why}");
        // what was written is read back
        std::fs::write(&p, &text).unwrap();
        assert!(load(&p, &need(t(23), Some(t(1)))).is_ok());
    }
}
