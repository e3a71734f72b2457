//! The history file under concurrent runs and runs killed mid-write.

use crate::common::{Workdir, text};
use std::process::Stdio;
use std::time::{Duration, Instant};

const CONFIG: &str = "github: {org: acme}\nhistory: {path: state/history.jsonl}\noutput: {dir: out}\ncampaigns:\n  - {id: azure, filter: 'provider:azure', starts_on: 2026-09-01}\n  - {id: aws, filter: 'provider:aws'}\n";

fn workdir() -> Workdir {
    let w = Workdir::new(CONFIG);
    let fixture = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/alerts.json"
    ))
    .unwrap();
    std::fs::write(w.path().join("alerts.json"), fixture).unwrap();
    w
}

/// The binary, replaying the fixture as of `as_of`, sending nothing.
fn command(w: &Workdir, as_of: &str) -> std::process::Command {
    w.command(&[
        "run",
        "-c",
        "config.yaml",
        "--source",
        "fixture:alerts.json",
        "--no-send",
        "--as-of",
        as_of,
    ])
}

fn run(w: &Workdir, as_of: &str) -> Option<i32> {
    command(w, as_of).output().unwrap().status.code()
}

/// Every line parses as a snapshot; returns (campaign, UTC date) of each.
fn snapshots(text: &str) -> Vec<(String, String)> {
    text.lines()
        .map(|l| {
            let v: serde_json::Value =
                serde_json::from_str(l).unwrap_or_else(|e| panic!("bad line {e}: {l:.80}"));
            assert_eq!(v["schema"], "campaign-pulse/history/v3");
            (
                v["campaign"].as_str().unwrap().to_string(),
                v["as_of"].as_str().unwrap()[..10].to_string(),
            )
        })
        .collect()
}

#[test]
fn three_runs_at_once_serialize_on_the_lock() {
    let w = workdir();
    let children: Vec<_> = (0..3)
        .map(|_| {
            command(&w, "2026-11-23")
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for c in children {
        let out = c.wait_with_output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    }
    let snaps = snapshots(&w.read("state/history.jsonl"));
    let mut keys = snaps.clone();
    keys.sort();
    keys.dedup();
    assert_eq!(
        keys.len(),
        snaps.len(),
        "one snapshot per campaign and day: {snaps:?}"
    );
    // two campaigns and the organization's two trend lines (default, generic)
    assert_eq!(snaps.iter().filter(|(_, d)| d == "2026-11-23").count(), 4);
}

#[test]
fn a_run_killed_while_writing_leaves_the_old_or_the_new_file_never_a_mix() {
    let w = workdir();
    // a long history, so that writing it takes a while
    assert_eq!(run(&w, "2026-11-23"), Some(0));
    let path = w.path().join("state/history.jsonl");
    let seed_line = std::fs::read_to_string(&path)
        .unwrap()
        .lines()
        .last()
        .unwrap()
        .to_string();
    let mut big = String::new();
    for k in 0..6000 {
        let day =
            chrono::NaiveDate::from_ymd_opt(2000, 1, 1).unwrap() + chrono::Duration::days(k % 3000);
        big.push_str(
            &seed_line
                .replace(
                    "\"campaign\":\"aws\"",
                    &format!("\"campaign\":\"bulk-{}\"", k / 3000),
                )
                .replace("2026-11-23T00:00:00Z", &format!("{day}T00:00:00Z")),
        );
        big.push('\n');
    }
    let first = std::fs::read_to_string(&path).unwrap();
    big.push_str(&first);
    std::fs::write(&path, &big).unwrap();
    assert_eq!(snapshots(&big).len(), 6000 + snapshots(&first).len());

    // how long a whole run takes, to kill at random moments within it
    let started = Instant::now();
    assert_eq!(run(&w, "2026-11-24"), Some(0));
    let full = started.elapsed();

    // `.ci/run` sets CAMPAIGN_PULSE_LONG_TESTS for 24 kills; a plain `cargo test` does 6
    let kills = if std::env::var_os("CAMPAIGN_PULSE_LONG_TESTS").is_some() {
        24
    } else {
        6
    };
    let mut rng = fastrand::Rng::with_seed(7);
    let (mut old_kept, mut new_written) = (0, 0);
    for i in 0..kills {
        let before = std::fs::read(&path).unwrap();
        let day =
            chrono::NaiveDate::from_ymd_opt(2026, 11, 25).unwrap() + chrono::Duration::days(i);
        let mut child = command(&w, &day.to_string())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // the write comes at the end of a run: aim at the second half, and a little past it
        let us = full.as_micros() as u64;
        std::thread::sleep(Duration::from_micros(rng.u64(us / 2..us * 11 / 10 + 1)));
        let _ = child.kill(); // SIGKILL
        let _ = child.wait();
        let after = std::fs::read(&path).unwrap();
        let text = String::from_utf8(after.clone()).expect("UTF-8, not a torn write");
        let snaps = snapshots(&text);
        if after == before {
            old_kept += 1;
        } else {
            new_written += 1;
            assert_eq!(
                snaps.len(),
                snapshots(&String::from_utf8(before).unwrap()).len() + 4,
                "old + this day's four snapshots (two campaigns, the organization's two trend lines)"
            );
            assert!(snaps.iter().any(|(_, d)| *d == day.to_string()));
        }
    }
    eprintln!("killed {kills} runs: {old_kept} left the old file, {new_written} wrote the new one");
    // the next run sweeps the temporary files of killed runs
    assert_eq!(run(&w, "2027-01-01"), Some(0));
    let litter: Vec<_> = std::fs::read_dir(w.path().join("state"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(litter.is_empty(), "{litter:?}");
}
