//! Incremental runs (README, "Incremental runs"): a run a week after the last reads open alerts and what changed
//! since, keeps the rest in the alert store beside the history, and writes exactly what a run
//! that reads everything (`--full`) writes.

use crate::common::{A, FakeGitHub, Workdir, config, text};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;

const T1: &str = "2026-11-23";
const T2: &str = "2026-11-30";
const T3: &str = "2026-12-07";

fn leak(s: String) -> &'static str {
    Box::leak(s.into_boxed_str())
}

/// A made-up organization of `n` alerts in 12 repositories, the same every time: a tenth
/// generic, three in five resolved, spread over June to November 2026.
fn organization(n: u64) -> Vec<Value> {
    let mut seed: u64 = 20261123;
    let mut next = move |m: u64| {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (seed >> 33) % m
    };
    let repos = [
        "acme/api",
        "acme/web",
        "acme/gone",
        "acme/ops",
        "acme/data",
        "acme/mobile",
        "acme/infra",
        "acme/docs",
        "acme/billing",
        "acme/auth",
        "acme/search",
        "acme/legacy",
    ];
    (1..=n)
        .map(|number| {
            let repo = repos[next(repos.len() as u64) as usize];
            let day = next(170);
            let created = chrono::NaiveDate::from_ymd_opt(2026, 6, 1).unwrap()
                + chrono::Duration::days(day as i64);
            let mut a = A::new(
                repo,
                number,
                leak(format!("{created}T{:02}:00:00Z", next(24))),
            );
            match next(10) {
                0 => {
                    a.secret_type = "password";
                    a.provider = None;
                }
                1 => a.secret_type = "azure_sql_connection_string",
                _ => {}
            }
            a.validity = Some(["active", "inactive", "unknown"][next(3) as usize]);
            a.public = next(30) == 0;
            a.assignee = if next(4) == 0 { None } else { Some("mona") };
            if next(5) < 3 {
                let resolved = created + chrono::Duration::days(1 + next(60) as i64);
                if resolved < chrono::NaiveDate::from_ymd_opt(2026, 11, 23).unwrap() {
                    let why = ["revoked", "false_positive", "wont_fix", "used_in_tests"]
                        [next(4) as usize];
                    a.resolved = Some((leak(format!("{resolved}T{:02}:30:00Z", next(24))), why));
                }
            }
            a.json()
        })
        .collect()
}

/// The organization a week later: some open alerts resolved, some new, a resolution changed,
/// a resolved alert reopened. Changes carry instants in the week after T1.
fn a_week_later(mut alerts: Vec<Value>) -> Vec<Value> {
    let open: Vec<usize> = (0..alerts.len())
        .filter(|&i| alerts[i]["state"] == "open")
        .collect();
    let resolved: Vec<usize> = (0..alerts.len())
        .filter(|&i| alerts[i]["state"] == "resolved")
        .collect();
    for (k, &i) in open.iter().step_by(15).enumerate() {
        let when = format!("2026-11-{:02}T{:02}:00:00Z", 24 + k % 5, k % 24);
        let a = &mut alerts[i];
        a["state"] = "resolved".into();
        a["resolution"] = "revoked".into();
        a["resolved_at"] = when.clone().into();
        a["updated_at"] = when.into();
    }
    // a changed resolution and a reopened alert, both resolved inside the campaigns' window
    let recent: Vec<usize> = resolved
        .iter()
        .copied()
        .filter(|&i| alerts[i]["updated_at"].as_str().unwrap() > "2026-10-15")
        .collect();
    alerts[recent[0]]["resolution"] = "revoked".into();
    alerts[recent[0]]["updated_at"] = "2026-11-26T08:00:00Z".into();
    let reopened = &mut alerts[recent[1]];
    reopened["state"] = "open".into();
    reopened["resolution"] = Value::Null;
    reopened["resolved_at"] = Value::Null;
    reopened["updated_at"] = "2026-11-27T09:00:00Z".into();
    let n = alerts.len() as u64;
    for k in 0..12 {
        let created = leak(format!("2026-11-{:02}T{:02}:15:00Z", 24 + k % 5, 3 + k));
        alerts.push(A::new("acme/web", n + 1 + k, created).json());
    }
    alerts
}

/// Copies a folder (the working folder of a run, with its state).
fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

/// A second working folder holding a copy of `w`'s files.
fn twin(w: &Workdir) -> Workdir {
    let t = Workdir::new("");
    copy_dir(w.path(), t.path());
    t
}

/// The files of a run's output folder and history, by path relative to the folder.
fn outputs(w: &Workdir) -> BTreeMap<String, Vec<u8>> {
    w.all_files()
        .into_iter()
        .map(|(p, bytes)| {
            let rel = p
                .strip_prefix(w.path())
                .unwrap()
                .to_string_lossy()
                .into_owned();
            (rel, bytes)
        })
        .filter(|(rel, _)| rel.starts_with("out/") || rel == "state/history.jsonl")
        .collect()
}

/// A configuration with one campaign over every alert since 2026-10-01.
fn one_campaign(api: &str) -> String {
    format!(
        "github: {{org: acme, api_url: {api}}}\nhistory: {{path: state/history.jsonl}}\noutput: {{dir: out}}\ncampaigns:\n  - {{id: all, starts_on: 2026-10-01}}\n"
    )
}

fn run_ok(w: &Workdir, args: &[&str]) -> String {
    let out = w
        .command(args)
        .env("CAMPAIGN_PULSE_LOG", "campaign_pulse=info")
        .output()
        .unwrap();
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    stderr
}

/// Alert-list requests since the last `clear_seen`, as (state, pages).
fn listing_pages(gh: &FakeGitHub) -> BTreeMap<String, usize> {
    let mut pages = BTreeMap::new();
    for s in gh.alert_requests() {
        let state = s
            .query
            .get("state")
            .cloned()
            .unwrap_or_else(|| "all".into());
        *pages.entry(state).or_insert(0) += 1;
    }
    gh.clear_seen();
    pages
}

/// The requests for the default results' open alerts (not the generic pass).
fn default_open_requests(gh: &FakeGitHub) -> Vec<crate::common::Seen> {
    gh.alert_requests()
        .into_iter()
        .filter(|r| {
            r.query.get("state").map(String::as_str) == Some("open")
                && !r.query.contains_key("secret_type")
        })
        .collect()
}

/// Asserts two runs wrote the same bytes, naming the first file that differs.
fn assert_same_outputs(incremental: &Workdir, full: &Workdir) {
    let (a, b) = (outputs(incremental), outputs(full));
    assert_eq!(
        a.keys().collect::<Vec<_>>(),
        b.keys().collect::<Vec<_>>(),
        "the same files"
    );
    for (path, bytes) in &a {
        assert!(
            bytes == &b[path],
            "{path} differs between the run from the store and the --full run:\n{}\n---\n{}",
            String::from_utf8_lossy(bytes),
            String::from_utf8_lossy(&b[path])
        );
    }
    assert!(
        a.keys()
            .any(|p| p.ends_with("/summary.json") && p.starts_with("out/azure/"))
    );
    assert!(a.contains_key("out/overview/summary.json"));
}

/// The store's alert lines (everything after the header).
fn stored_alerts(w: &Workdir) -> Vec<String> {
    w.read("state/alerts.jsonl")
        .lines()
        .skip(1)
        .map(str::to_string)
        .collect()
}

#[test]
fn a_run_from_the_store_reads_less_and_writes_exactly_what_a_full_run_writes() {
    let week1 = organization(1500);
    let gh = FakeGitHub::start("acme", week1.clone());
    let w = Workdir::new(&config(&gh.url));

    // the first run reads everything the campaigns need and writes the store
    let log = run_ok(&w, &["run", "--config", "config.yaml", "--as-of", T1]);
    assert!(log.contains("no alert store yet"), "{log}");
    let first = listing_pages(&gh);
    let header: Value =
        serde_json::from_str(w.read("state/alerts.jsonl").lines().next().unwrap()).unwrap();
    assert_eq!(header["schema"], "campaign-pulse/alerts/v1");
    assert_eq!(header["org"], "acme");
    assert_eq!(header["covers_since"], "2026-10-01T00:00:00Z");
    assert_eq!(header["full_read_as_of"], "2026-11-23T00:00:00Z");
    let store = w.read("state/alerts.jsonl");
    for canary in ["CANARY", "secret\"", "resolution_comment", "locations_url"] {
        assert!(!store.contains(canary), "the store holds {canary}");
    }
    assert_eq!(
        stored_alerts(&w).len() as u64,
        header["alerts"].as_u64().unwrap()
    );

    // a week later: the run from the store and a --full run on a copy of the same state
    gh.set_alerts(a_week_later(week1));
    let full = twin(&w);
    let log = run_ok(&w, &["run", "--config", "config.yaml", "--as-of", T2]);
    assert!(log.contains("came from the alert store"), "{log}");
    let incremental_pages = listing_pages(&gh);
    let log = run_ok(
        &full,
        &["run", "--config", "config.yaml", "--as-of", T2, "--full"],
    );
    assert!(
        log.contains("reading every alert the campaigns need: --full"),
        "{log}"
    );
    let full_pages = listing_pages(&gh);
    assert_same_outputs(&w, &full);
    assert_eq!(
        stored_alerts(&w),
        stored_alerts(&full),
        "the same alerts kept"
    );

    // open alerts are read in full every time; resolved ones only back to the last run: one
    // page each for the default and the generic results, where a full run reads them all
    assert_eq!(incremental_pages["open"], full_pages["open"]);
    assert_eq!(incremental_pages["resolved"], 2, "{incremental_pages:?}");
    assert!(full_pages["resolved"] >= 4, "{full_pages:?} {first:?}");

    // a week later still, a repository is gone with its alerts: the store no longer matches
    // GitHub, so the resolved alerts are read again, and the numbers are a full run's
    let mut week3 = a_week_later(organization(1500));
    week3.retain(|a| a["repository"]["full_name"] != "acme/gone");
    gh.set_alerts(week3);
    let full = twin(&w);
    let log = run_ok(&w, &["run", "--config", "config.yaml", "--as-of", T3]);
    assert!(log.contains("in neither of GitHub's listings"), "{log}");
    run_ok(
        &full,
        &["run", "--config", "config.yaml", "--as-of", T3, "--full"],
    );
    assert_same_outputs(&w, &full);
    assert!(!w.read("state/alerts.jsonl").contains("acme/gone"));
}

#[test]
fn a_store_that_does_not_match_the_run_is_rebuilt() {
    let gh = FakeGitHub::start("acme", organization(300));
    let w = Workdir::new(&config(&gh.url));
    run_ok(&w, &["run", "--config", "config.yaml", "--as-of", T1]);

    // another list of generic secret types: the store was read for something else
    let changed = config(&gh.url).replace(
        "  api_url:",
        "  generic_secret_types: [password, generic_private_key]\n  api_url:",
    );
    std::fs::write(w.path().join("config.yaml"), changed).unwrap();
    let log = run_ok(&w, &["run", "--config", "config.yaml", "--as-of", T2]);
    assert!(
        log.contains("read for another organization, server or list of generic secret types"),
        "{log}"
    );
    std::fs::write(w.path().join("config.yaml"), config(&gh.url)).unwrap();
    run_ok(&w, &["run", "--config", "config.yaml", "--as-of", T2]);

    // a campaign that starts earlier than the store reaches back
    let earlier = config(&gh.url).replace("starts_on: 2026-10-01", "starts_on: 2026-08-01");
    std::fs::write(w.path().join("config.yaml"), earlier).unwrap();
    let log = run_ok(&w, &["run", "--config", "config.yaml", "--as-of", T3]);
    assert!(log.contains("does not keep"), "{log}");

    // older than github.full_refresh
    let log = run_ok(
        &w,
        &["run", "--config", "config.yaml", "--as-of", "2027-01-10"],
    );
    assert!(log.contains("longer ago than github.full_refresh"), "{log}");

    // a damaged store is only a cache: the run reads everything and replaces it
    std::fs::write(w.path().join("state/alerts.jsonl"), "{\"schema\":").unwrap();
    let log = run_ok(
        &w,
        &["run", "--config", "config.yaml", "--as-of", "2027-01-17"],
    );
    assert!(log.contains("is not an alert store"), "{log}");
    assert!(
        w.read("state/alerts.jsonl")
            .starts_with("{\"schema\":\"campaign-pulse/alerts/v1\"")
    );

    // a dry run reads the store but leaves it as it is
    let before = w.read("state/alerts.jsonl");
    run_ok(
        &w,
        &[
            "run",
            "--config",
            "config.yaml",
            "--as-of",
            "2027-01-24",
            "--dry-run",
        ],
    );
    assert_eq!(w.read("state/alerts.jsonl"), before);
}

#[test]
fn every_listing_by_creation_is_read_from_both_ends_with_at_most_four_requests_at_once() {
    // 1,234 open alerts, 501 of them created in the same second, where the two walks meet;
    // recent fixes and generic alerts so that every listing has pages to read
    let mut alerts = Vec::new();
    for n in 1..=1234u64 {
        let created = if (400..=900).contains(&n) {
            "2026-08-01T00:00:00Z".to_string()
        } else {
            format!(
                "2026-{:02}-{:02}T{:02}:00:00Z",
                6 + n % 5,
                1 + n % 28,
                n % 24
            )
        };
        alerts.push(A::new("acme/web", n, leak(created)).json());
    }
    for n in 1..=650u64 {
        let mut a = A::new("acme/api", n, "2026-05-01T00:00:00Z");
        a.resolved = Some((
            leak(format!("2026-11-{:02}T{:02}:00:00Z", 1 + n % 20, n % 24)),
            "revoked",
        ));
        alerts.push(a.json());
    }
    for n in 1..=400u64 {
        let mut a = A::new(
            "acme/ops",
            n,
            leak(format!("2026-09-{:02}T00:00:00Z", 1 + n % 28)),
        );
        a.secret_type = "password";
        a.provider = None;
        if n > 250 {
            a.resolved = Some(("2026-11-10T00:00:00Z", "revoked"));
        }
        alerts.push(a.json());
    }
    let gh = FakeGitHub::start("acme", alerts);
    gh.set_latency(std::time::Duration::from_millis(20));
    let w = Workdir::new(&one_campaign(&gh.url));
    run_ok(&w, &["run", "--config", "config.yaml", "--as-of", T1]);
    let s = w.json("out/all/2026-11-23/summary.json");
    assert_eq!(
        s["totals"]["open"],
        1234 + 250,
        "every open alert, each once"
    );
    assert_eq!(s["totals"]["closed"], 650 + 150);

    let default_open = default_open_requests(&gh);
    let ascending = default_open
        .iter()
        .filter(|r| r.query.get("direction").map(String::as_str) == Some("asc"))
        .count();
    assert!(ascending >= 3, "{ascending} pages oldest first");
    // 13 pages' worth; the walks overlap by about a page, and neither can tell where it
    // stands inside the 501 alerts of one second: both may read them (6 pages)
    assert!(
        (13..=20).contains(&default_open.len()),
        "{} requests for the default open listing",
        default_open.len()
    );
    // the generic listing (250 open alerts, 3 pages) is walked from both ends too
    let generic_open: Vec<_> = gh
        .alert_requests()
        .into_iter()
        .filter(|r| {
            r.query.get("state").map(String::as_str) == Some("open")
                && r.query.contains_key("secret_type")
        })
        .collect();
    let generic_ascending = generic_open
        .iter()
        .filter(|r| r.query.get("direction").map(String::as_str) == Some("asc"))
        .count();
    assert!(
        generic_ascending >= 1 && (3..=4).contains(&generic_open.len()),
        "{generic_ascending} of {} generic pages oldest first",
        generic_open.len()
    );
    let in_flight = gh.max_in_flight();
    assert!((3..=4).contains(&in_flight), "{in_flight} requests at once");
}

#[test]
fn a_server_that_ignores_the_direction_asked_for_loses_no_alert() {
    // every listing comes newest first, whatever `direction` says: the oldest-first walk sees
    // its first page out of order and stops; the other reads to the end
    let gh = FakeGitHub::start("acme", crate::common::many(730, 40, 0));
    gh.ignore_direction();
    let w = Workdir::new(&one_campaign(&gh.url));
    let log = run_ok(&w, &["run", "--config", "config.yaml", "--as-of", T1]);
    assert!(log.contains("out of the order asked for"), "{log}");
    let s = w.json("out/all/2026-11-23/summary.json");
    assert_eq!(s["totals"]["open"], 730);
    assert_eq!(s["totals"]["closed"], 40);
    let open_pages = default_open_requests(&gh).len();
    assert!(
        (8..=10).contains(&open_pages),
        "{open_pages} requests for 8 pages"
    );
}

#[test]
fn a_server_that_ignores_the_sort_asked_for_loses_no_resolved_alert() {
    // resolved alerts come by creation, not by last change: 150 created in March and fixed in
    // spring (before any campaign), then 30 created in 2025 and fixed in November. Stopping at
    // the first page older than the campaign would leave the 30 unread.
    let mut alerts = Vec::new();
    for n in 1..=150u64 {
        let mut a = A::new("acme/old", n, "2026-03-01T00:00:00Z");
        let fixed = format!("2026-04-{:02}T00:00:00Z", 1 + (n * 7) % 28);
        a.resolved = Some((leak(fixed), "revoked"));
        alerts.push(a.json());
    }
    for n in 1..=30u64 {
        let mut a = A::new("acme/api", n, "2025-06-01T00:00:00Z");
        a.resolved = Some((
            leak(format!("2026-11-{:02}T00:00:00Z", 1 + n % 20)),
            "revoked",
        ));
        alerts.push(a.json());
    }
    alerts.push(A::new("acme/web", 1, "2026-11-02T00:00:00Z").json());
    let gh = FakeGitHub::start("acme", alerts);
    gh.ignore_sort();
    let w = Workdir::new(&one_campaign(&gh.url));
    let log = run_ok(&w, &["run", "--config", "config.yaml", "--as-of", T1]);
    assert!(log.contains("out of the order asked for"), "{log}");
    let s = w.json("out/all/2026-11-23/summary.json");
    assert_eq!(s["totals"]["closed"], 30, "every fix since starts_on");
    assert_eq!(s["totals"]["open"], 1);
}
