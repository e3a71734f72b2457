//! The command line as a user meets it: exit codes, messages, init and the demo.

mod common;

use common::{Workdir, text};

#[test]
fn config_errors_exit_2_with_file_line_column() {
    let cases = [
        (
            "github:\n  org: acme\ncampaigns:\n  - id: a\nrisk:\n  top_repoz: 3\n",
            "config.yaml:6:3: unknown field `top_repoz`",
            "did you mean `top_repos`?",
        ),
        (
            "github:\n  org: acme\ncampaigns:\n  - id: Azure\n",
            "config.yaml:4:9: campaign id `Azure` is not valid",
            "`id: azure`",
        ),
        (
            "github:\n  org: acme\ncampaigns:\n  - id: a\n  - id: a\n",
            "config.yaml:5:9: campaign id `a` is used twice",
            "its own id",
        ),
        (
            "github:\n  org: acme\ncampaigns:\n  - id: a\n    due_on: 31/12/2026\n",
            "config.yaml:5:13: `31/12/2026` is not a date",
            "YYYY-MM-DD",
        ),
        (
            "github:\n  org: acme\ncampaigns: []\n",
            "config.yaml:3:",
            "add at least one campaign",
        ),
        (
            "github:\n  org: acme\ncampaigns:\n  - id: a\n    sla_days: many\n",
            "config.yaml:5:15:",
            "",
        ),
        (
            "github:\n  org: acme\ncampaigns:\n  - id: a\n    filter: \"provider:aws secret:x\"\n",
            "config.yaml:5:27: campaign `a`: bad filter: unknown filter `secret:x`",
            "did you mean `secret-type:`?",
        ),
    ];
    for (yaml, expected, hint) in cases {
        let w = Workdir::new(yaml);
        let out = w.run(&["run", "--config", "config.yaml"]);
        let (_, stderr) = text(&out);
        assert_eq!(out.status.code(), Some(2), "{yaml}\n{stderr}");
        assert!(stderr.contains(expected), "{yaml}\n{stderr}");
        assert!(stderr.contains(hint), "{yaml}\n{stderr}");
        // check says the same
        let out = w.run(&["check", "--config", "config.yaml"]);
        assert_eq!(out.status.code(), Some(2));
    }
}

#[test]
fn missing_config_and_bad_arguments_exit_2() {
    let w = Workdir::new("");
    let out = w.run(&["run", "--config", "nope.yaml"]);
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr.contains("cannot read config nope.yaml") && stderr.contains("campaign-pulse init"),
        "{stderr}"
    );

    let out = w.run(&["run", "--config", "config.yaml", "--as-of", "next monday"]);
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr.contains("YYYY-MM-DD"), "{stderr}");

    let out = w.run(&["run", "--config", "config.yaml", "--source", "github"]);
    assert_eq!(out.status.code(), Some(2));
    let out = w.run(&["frobnicate"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn init_writes_a_config_that_check_accepts_and_never_overwrites() {
    let w = Workdir::new("");
    let out = w.run(&["init", "--out", "conf/pulse.yaml"]);
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    let written = w.read("conf/pulse.yaml");
    assert!(written.contains("token_env: GITHUB_TOKEN"));
    assert!(
        written
            .lines()
            .filter(|l| l.trim_start().starts_with('#'))
            .count()
            > 10,
        "commented"
    );
    // the written config parses: a run fails only on reaching GitHub, not on the config
    let out = w
        .command(&["run", "--config", "conf/pulse.yaml"])
        .env("GITHUB_API_URL", "http://127.0.0.1:9")
        .output()
        .unwrap();
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("could not be reached"), "{stderr}");

    std::fs::write(w.path().join("conf/pulse.yaml"), "mine").unwrap();
    let out = w.run(&["init", "--out", "conf/pulse.yaml"]);
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr.contains("already exists"), "{stderr}");
    assert_eq!(w.read("conf/pulse.yaml"), "mine");
}

#[test]
fn demo_needs_no_token_and_gives_the_same_numbers_every_time() {
    let w = Workdir::new("");
    let run = |out: &str| {
        let o = w
            .command(&["demo", "--out", out])
            .env_remove("GITHUB_TOKEN")
            .env("GITHUB_API_URL", "http://127.0.0.1:9")
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(0), "{:?}", text(&o));
        text(&o).0
    };
    let stdout = run("a");
    run("b");
    run("a"); // again in the same place: the demo resets its own history
    let campaigns = [
        "azure-credentials",
        "public-leaks",
        "aws-keys",
        "slack-tokens",
        "passwords",
    ];
    let mut statuses = Vec::new();
    for id in campaigns {
        let rel = format!("{id}/2026-11-23/summary.json");
        let a = w.read(&format!("a/{rel}"));
        assert_eq!(a, w.read(&format!("b/{rel}")), "{id}");
        assert!(
            w.path()
                .join(format!("a/{id}/2026-11-23/report.md"))
                .exists()
        );
        let v: serde_json::Value = serde_json::from_str(&a).unwrap();
        statuses.push(v["forecast"]["status"].as_str().unwrap().to_string());
        // four weekly runs: observed points after the backfill
        let observed = v["history"]["points"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| p["source"] == "observed")
            .count();
        assert_eq!(observed, 4, "{id}");
        assert!(v["history"]["previous"].is_object(), "{id}");
    }
    for status in ["on_track", "at_risk", "overdue", "done"] {
        assert!(
            statuses.iter().any(|s| s == status),
            "the demo shows {status}: {statuses:?}"
        );
    }
    assert!(
        stdout.contains("a/azure-credentials/2026-11-23/report.md"),
        "{stdout}"
    );
    let total: u64 = {
        let history = w.read("a/history.jsonl");
        history.lines().count() as u64
    };
    assert!(total > 20);
}
