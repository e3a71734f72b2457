//! `export`: the campaigns' alerts and history for spreadsheets, offline, read back by
//! Python's `csv` module as a spreadsheet would read them.

use crate::common::{FakeGitHub, T1, Workdir, config, scenario, text};
use serde_json::Value;
use std::process::Command;

/// Python's csv module reads the file: prints `{"columns": [...], "rows": [{...}]}` as JSON, and
/// fails if a text cell would run as a formula or a number column holds anything but numbers.
const READ_CSV: &str = r#"
import csv, json, sys
numbers = set(sys.argv[2].split(",")) if sys.argv[2] else set()
with open(sys.argv[1], newline="", encoding="utf-8") as f:
    reader = csv.DictReader(f)
    rows = list(reader)
    columns = reader.fieldnames
for row in rows:
    for k, v in row.items():
        if k in numbers:
            float(v)  # a number stays a number
        elif v[:1] in ("=", "+", "-", "@", "\t", "\r"):
            sys.exit(f"formula in {k}: {v!r}")
print(json.dumps({"columns": columns, "rows": rows}))
"#;

fn read_csv(path: &std::path::Path, numbers: &[&str]) -> Value {
    let out = Command::new("python3")
        .args(["-c", READ_CSV])
        .arg(path)
        .arg(numbers.join(","))
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

const ALERT_COLUMNS: &[&str] = &[
    "org",
    "campaign",
    "repository",
    "number",
    "html_url",
    "state",
    "resolution",
    "created_at",
    "resolved_at",
    "secret_type",
    "secret_type_display_name",
    "provider",
    "validity",
    "publicly_leaked",
    "multi_repo",
    "push_protection_bypassed",
    "assignee",
    "owner",
    "owner_source",
    "playbook",
];

#[test]
fn export_writes_what_the_reports_count_for_a_spreadsheet() {
    let mut alerts = scenario();
    // names a spreadsheet would run as formulas
    alerts[0]["secret_type_display_name"] = "=HYPERLINK(\"http://evil.example\",\"x\")".into();
    alerts[0]["provider"] = "+cmd|' /C calc'!A0".into();
    alerts[1]["assigned_to"]["login"] = "@mona".into();
    let gh = FakeGitHub::start("acme", alerts);
    let w = Workdir::new(&config(&gh.url));
    let out = w.run(&["run", "-c", "config.yaml", "--as-of", T1]);
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    let requests = gh.alert_requests().len();

    let out = w.run(&["export", "-c", "config.yaml"]);
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    assert_eq!(
        gh.alert_requests().len(),
        requests,
        "export reads no GitHub"
    );
    let csv = read_csv(&w.path().join("out/alerts.csv"), &["number"]);
    let columns: Vec<&str> = csv["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    assert_eq!(columns, ALERT_COLUMNS);
    let rows = csv["rows"].as_array().unwrap();
    // as many rows per campaign as its report counts, open and closed alike
    for id in ["azure", "generic"] {
        let s = w.json(&format!("out/{id}/{T1}/summary.json"));
        let of = |state: &str| {
            rows.iter()
                .filter(|r| r["campaign"] == id && r["state"] == state)
                .count() as u64
        };
        assert_eq!(of("open"), s["totals"]["open"].as_u64().unwrap(), "{id}");
        assert_eq!(
            of("resolved"),
            s["totals"]["closed"].as_u64().unwrap(),
            "{id}"
        );
    }
    assert!(rows.iter().all(|r| r["org"] == "acme"));
    // the defused names are still there, behind a '
    let all = serde_json::to_string(rows).unwrap();
    assert!(all.contains("'=HYPERLINK("), "{all}");
    assert!(all.contains("'+cmd|"), "{all}");
    assert!(all.contains("'@mona"), "{all}");
    // never a secret, never a comment
    let bytes = w.read("out/alerts.csv");
    assert!(!bytes.contains("CANARY-SECRET") && !bytes.contains("CANARY-COMMENT"));

    let history = read_csv(
        &w.path().join("out/history.csv"),
        &[
            "open",
            "closed",
            "total",
            "progress_pct",
            "resolved_this_week",
            "new_this_week",
        ],
    );
    let rows = history["rows"].as_array().unwrap();
    let last = rows
        .iter()
        .rfind(|r| r["campaign"] == "azure")
        .expect("azure's snapshots");
    let s = w.json(&format!("out/azure/{T1}/summary.json"));
    assert_eq!(last["open"], s["totals"]["open"].to_string());
    assert_eq!(last["status"], s["forecast"]["status"]);
    assert!(rows.iter().any(|r| r["source"] == "reconstructed"));
    assert!(rows.iter().any(|r| r["source"] == "observed"));

    // JSON Lines: the same rows, values as they are
    let out = w.run(&[
        "export",
        "-c",
        "config.yaml",
        "--format",
        "jsonl",
        "--campaign",
        "azure",
    ]);
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    let lines: Vec<Value> = w
        .read("out/alerts.jsonl")
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let s = w.json(&format!("out/azure/{T1}/summary.json"));
    assert_eq!(lines.len() as u64, s["totals"]["total"].as_u64().unwrap());
    assert!(
        lines
            .iter()
            .all(|l| l["campaign"] == "azure" && l["number"].is_u64())
    );

    // an unknown campaign is a usage error that lists the ones there are
    let out = w.run(&["export", "-c", "config.yaml", "--campaign", "nope"]);
    assert_eq!(out.status.code(), Some(2), "{:?}", text(&out));
    assert!(text(&out).1.contains("azure, generic"), "{:?}", text(&out));
}

#[test]
fn export_without_a_store_says_to_run_first() {
    let w = Workdir::new(&config("http://127.0.0.1:9"));
    let out = w.run(&["export", "-c", "config.yaml"]);
    assert_eq!(out.status.code(), Some(2), "{:?}", text(&out));
    let (_, stderr) = text(&out);
    assert!(stderr.contains("campaign-pulse run"), "{stderr}");
}
