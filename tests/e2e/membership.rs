//! Membership end to end: a campaign keeps what it fixed. Against the fake GitHub, the
//! suggested `validity:active` campaign counts its revoked alerts as closed, an `assignee:none`
//! campaign keeps the alerts `assign --apply` assigned, and a lost or damaged membership
//! record is a warning with the stateless numbers, never a failed run.

use crate::common::{A, FakeGitHub, T1, Workdir, text};
use serde_json::Value;

fn config(api: &str, filter: &str) -> String {
    format!(
        "github:\n  org: acme\n  api_url: {api}\n  generic_secret_types: []\n\
         history: {{ path: state/history.jsonl }}\noutput: {{ dir: out }}\n\
         campaigns:\n  - {{ id: azure, filter: \"{filter}\", due_on: 2026-12-31 }}\n"
    )
}

/// Ten active Azure alerts found on 2026-10-01; six revoked since, one a week from 10-26 on
/// (GitHub's validity check then calls those secrets inactive).
fn ten_azure_alerts() -> Vec<Value> {
    (1..=10u64)
        .map(|n| {
            let mut a = A::new("acme/web", n, "2026-10-01T00:00:00Z");
            a.validity = Some("active");
            if n <= 6 {
                let at = [
                    "2026-10-26",
                    "2026-11-02",
                    "2026-11-09",
                    "2026-11-12",
                    "2026-11-17",
                    "2026-11-18",
                ][n as usize - 1];
                a.resolved = Some((
                    Box::leak(format!("{at}T10:00:00Z").into_boxed_str()),
                    "revoked",
                ));
                a.validity = Some("inactive");
            }
            a.json()
        })
        .collect()
}

#[test]
fn revoked_alerts_count_closed_in_the_seeds_validity_active_campaign() {
    let gh = FakeGitHub::start("acme", ten_azure_alerts());
    let w = Workdir::new(&config(&gh.url, "is:open provider:azure validity:active"));
    let out = w.run(&["run", "-c", "config.yaml", "--as-of", T1]);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    let s = w.json("out/azure/2026-11-23/summary.json");
    assert_eq!(s["schema"], "campaign-pulse/summary/v3");
    let t = &s["totals"];
    assert_eq!(
        (&t["open"], &t["closed"], &t["total"], &t["progress_pct"]),
        (
            &Value::from(4),
            &Value::from(6),
            &Value::from(10),
            &Value::from(60.0)
        ),
        "{t}"
    );
    assert_eq!(
        t["kept"], 6,
        "the six fixes no longer match validity:active"
    );
    assert_eq!(t["resolved_this_week"], 2);
    // the backfilled burndown falls as the fixes came in: not a flat line
    let open: Vec<u64> = s["history"]["points"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["open"].as_u64().unwrap())
        .collect();
    assert_eq!(open, [10, 10, 10, 10, 9, 8, 6, 4], "{open:?}");
    let md = w.read("out/azure/2026-11-23/report.md");
    assert!(
        md.contains("**4** open")
            && md.contains("**60.0%** closed (6 of 10: 6 fixed, 0 dismissed)"),
        "{md}"
    );
    assert!(
        md.contains("6 alerts fixed since they joined still count, though they no longer match “validity:active”"),
        "{md}"
    );
    let html = w.read("out/azure/2026-11-23/report.html");
    assert!(
        html.contains("6 alerts fixed since they joined still count"),
        "the HTML says so too"
    );
    // the four open members are recorded beside the history, for the weeks to come
    let record = w.read("state/members.jsonl");
    assert_eq!(
        record,
        "{\"schema\":\"campaign-pulse/members/v1\",\"campaign\":\"azure\",\"filter\":\"is:open provider:azure validity:active\",\"members\":{\"acme/web\":[7,8,9,10]}}\n"
    );
}

/// `assignee:none`, then `assign --apply`, then the next week's run: the assigned alerts are
/// the campaign's work done, not alerts that left it. Then the record is lost, and damaged.
#[test]
fn alerts_assigned_between_two_runs_stay_in_an_unassigned_campaign() {
    let alerts: Vec<Value> = (1..=3u64)
        .map(|n| {
            let mut a = A::new("acme/web", n, "2026-10-01T00:00:00Z");
            a.assignee = None;
            a.location = Some(("config/app.yaml", "c1"));
            a.json()
        })
        .collect();
    let gh = FakeGitHub::start("acme", alerts);
    gh.state
        .lock()
        .unwrap()
        .commits
        .insert("c1".into(), Some("ada".into()));
    let w = Workdir::new(&config(&gh.url, "assignee:none"));

    let out = w.run(&["run", "-c", "config.yaml", "--as-of", "2026-11-16"]);
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    let first = w.json("out/azure/2026-11-16/summary.json");
    assert_eq!(first["totals"]["open"], 3);
    assert_eq!(first["forecast"]["previous_status"], Value::Null);

    let out = w.run(&["assign", "-c", "config.yaml", "--apply"]);
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    assert_eq!(
        gh.state.lock().unwrap().patches.len(),
        3,
        "all three assigned to ada"
    );

    let out = w.run(&["run", "-c", "config.yaml", "--as-of", T1]);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    assert!(!stderr.contains("WARN"), "{stderr}");
    let s = w.json("out/azure/2026-11-23/summary.json");
    assert_eq!(
        s["totals"]["open"], 3,
        "still the campaign's: {}",
        s["totals"]
    );
    assert_eq!(s["totals"]["kept"], 3);
    assert_eq!(s["open_flags"]["unassigned"], 0);
    assert_eq!(
        s["forecast"]["previous_status"], first["forecast"]["status"],
        "the verdict of the week before"
    );
    let md = w.read("out/azure/2026-11-23/report.md");
    assert!(
        md.contains("3 open alerts that an earlier run counted still count, though they no longer match “assignee:none”"),
        "{md}"
    );

    // the record lost: a warning, the stateless numbers, and a dry run writes no new one
    let record = w.path().join("state/members.jsonl");
    let kept = std::fs::read(&record).unwrap();
    std::fs::remove_file(&record).unwrap();
    let out = w.run(&[
        "run",
        "-c",
        "config.yaml",
        "--as-of",
        T1,
        "--dry-run",
        "--out",
        "dry",
    ]);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    assert!(
        stderr.contains("WARN") && stderr.contains("members.jsonl is missing"),
        "{stderr}"
    );
    assert_eq!(
        w.json("dry/azure/2026-11-23/summary.json")["totals"]["open"],
        0
    );
    assert!(!record.exists(), "--dry-run leaves the record alone");

    // damaged: the same, and the next real run writes it anew
    std::fs::write(&record, b"{\"schema\": 7\n").unwrap();
    let out = w.run(&["run", "-c", "config.yaml", "--as-of", T1]);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    assert!(
        stderr.contains("the membership record is unreadable"),
        "{stderr}"
    );
    let written = std::fs::read_to_string(&record).unwrap();
    assert!(
        written.starts_with("{\"schema\":\"campaign-pulse/members/v1\""),
        "{written}"
    );
    assert_ne!(
        written.as_bytes(),
        kept,
        "the stateless run has no open member left to record"
    );
}
