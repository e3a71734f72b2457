//! End-to-end: the real binary against a GitHub-like server on loopback.

use crate::common::{FakeGitHub, T1, Workdir, config, scenario, text};
use serde_json::{Value, json};

#[test]
fn run_computes_every_spec_number_with_few_requests_and_no_secrets() {
    let gh = FakeGitHub::start("acme", scenario());
    let w = Workdir::new(&config(&gh.url));
    let out = w.run(&["run", "--config", "config.yaml", "--as-of", T1]);
    let (stdout, stderr) = text(&out);
    assert_eq!(
        out.status.code(),
        Some(0),
        "stdout:\n{stdout}\nstderr:\n{stderr}"
    );

    let s = w.json("out/azure/2026-11-23/summary.json");
    assert_eq!(s["schema"], "campaign-pulse/summary/v3");
    assert_eq!(
        s["campaign"],
        json!({"id": "azure", "name": "Azure <credentials> & \"keys\" | fix", "filter": "is:open provider:azure",
               "starts_on": "2026-10-01", "due_on": "2026-12-31", "github_campaign": null})
    );
    assert_eq!(s["as_of"], "2026-11-23T00:00:00Z");
    assert_eq!(
        s["window"],
        json!({"start": "2026-11-16T00:00:00Z", "end": "2026-11-23T00:00:00Z"})
    );
    assert_eq!(
        s["totals"],
        json!({"open": 4, "closed": 3, "total": 7, "progress_pct": 42.9, "resolved_this_week": 2,
               "new_this_week": 1, "open_week_ago": 5, "net_change": -1, "kept": 0})
    );
    assert_eq!(
        s["resolved_this_week_by_resolution"],
        json!({"revoked": 1, "wont_fix": 1})
    );
    assert_eq!(
        s["open_by_validity"],
        json!({"active": 2, "inactive": 1, "unknown": 1})
    );
    assert_eq!(
        s["open_flags"],
        json!({"publicly_leaked": 1, "multi_repo": 1, "push_protection_bypassed": 1, "unassigned": 1})
    );
    assert_eq!(
        s["open_by_secret_type"],
        json!({"azure_sql_connection_string": 1, "azure_storage_account_key": 3})
    );
    assert_eq!(s["mttr_days_median"], json!(58.25));
    // the 28 days [10-26, 11-23): fixes 2, 5 (false positive, left out of the median) and 9;
    // the same fixes as the week, so the same median
    assert_eq!(s["mttr_days_median_28d"], json!(58.25));
    assert_eq!(
        s["closed_by_resolution"],
        json!({"false_positive": 1, "revoked": 1, "wont_fix": 1})
    );
    // 3 fixes and 1 new alert (3) in 28 days: net 2, 0.5 a week; ceil(28 × 4 / 2) = 56 days
    // → 2027-01-18, after the due date; ceil((28 × 4 − 2 × 38) / 28) = 2 open then. Alert 1 is
    // active, public and 83 days old (SLA 30): critical. 4 open at 0.75 fixes a week: 5.33
    // weeks to clear; a first run has no previous verdict.
    assert_eq!(
        s["forecast"],
        json!({"burn_rate_per_week": 0.75, "inflow_rate_per_week": 0.25, "net_burn_rate_per_week": 0.5,
               "required_rate_per_week": 0.74, "projected_completion": "2027-01-18",
               "expected_open_at_due": 2, "days_to_due": 38, "weeks_to_clear": 5.33,
               "status": "at_risk", "status_reasons": ["critical_alerts", "projected_after_due"],
               "previous_status": null})
    );
    assert_eq!(s["at_risk"]["critical_count"], 1);
    assert_eq!(
        s["repos"]["top"],
        json!([
            {"repo": "acme/web", "open": 2, "closed": 1, "resolved_this_week": 1, "new_this_week": 1, "last_resolved_at": "2026-11-18T12:00:00Z"},
            {"repo": "acme/api", "open": 1, "closed": 1, "resolved_this_week": 0, "new_this_week": 0, "last_resolved_at": "2026-11-10T00:00:00Z"},
            {"repo": "acme/legacy", "open": 1, "closed": 0, "resolved_this_week": 0, "new_this_week": 0, "last_resolved_at": null}
        ])
    );
    assert_eq!(s["repos"]["stalled"].as_array().unwrap().len(), 1);
    assert_eq!(s["repos"]["stalled"][0]["repo"], "acme/legacy");
    assert_eq!(s["repos"]["cleared_this_week"], json!(["acme/ops-scripts"]));
    assert_eq!(s["at_risk"]["count"], 3);
    assert_eq!(
        s["at_risk"]["top"][0],
        json!({"repo": "acme/web", "number": 1, "secret_type": "azure_storage_account_key",
               "secret_type_display_name": "Azure Storage Account Access Key", "age_days": 83,
               "reasons": ["active", "publicly_leaked", "past_sla"], "score": 9, "assignee": null,
               "html_url": format!("{}/acme/web/security/secret-scanning/1", gh.url),
               "owner": null, "owner_source": null, "provider": "azure", "playbook": "azure"})
    );
    // the Azure SQL connection string is a database credential before it is an Azure one
    assert_eq!(s["open_by_playbook"], json!({"azure": 3, "database": 1}));
    let order: Vec<(String, u64, u64)> = s["at_risk"]["top"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["repo"].as_str().unwrap().to_string(),
                a["number"].as_u64().unwrap(),
                a["score"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        order,
        [
            ("acme/web".into(), 1, 9),
            ("acme/api".into(), 3, 6),
            ("acme/legacy".into(), 1, 2)
        ]
    );
    assert_eq!(s["github_campaign"], Value::Null);
    // first run: reconstructed weekly points back to starts_on, then T
    let points = s["history"]["points"].as_array().unwrap();
    assert_eq!(points.len(), 8);
    // open on 10-05: alerts 1, 2, 5 (created that midnight), 8 and 9
    assert_eq!(
        points[0],
        json!({"as_of": "2026-10-05T00:00:00Z", "open": 5, "closed": 0, "source": "reconstructed",
               "status": "at_risk"})
    );
    assert_eq!(
        points[7],
        json!({"as_of": "2026-11-23T00:00:00Z", "open": 4, "closed": 3, "source": "observed",
               "status": "at_risk"})
    );
    assert_eq!(s["history"]["previous"], Value::Null);

    // the generic campaign sees only the generic pass's alert
    let g = w.json("out/generic/2026-11-23/summary.json");
    assert_eq!(g["campaign"]["name"], "generic");
    assert_eq!(g["totals"]["open"], 1);
    assert_eq!(g["totals"]["total"], 1);
    assert_eq!(g["forecast"]["status"], "at_risk");
    assert_eq!(g["forecast"]["projected_completion"], Value::Null);
    assert_eq!(g["forecast"]["status_reasons"], json!(["no_net_progress"]));
    assert_eq!(g["forecast"]["net_burn_rate_per_week"], json!(-0.25));

    // requests: every alert request hides the secret and asks for 100 per page, with auth
    let seen = gh.seen();
    assert!(seen.iter().all(|r| r.authorized), "{seen:?}");
    assert!(
        seen.iter()
            .all(|r| r.accept.as_deref() == Some("application/vnd.github+json")),
        "one media type on every request: {seen:?}"
    );
    assert!(
        seen.iter()
            .all(|r| r.api_version.as_deref() == Some("2022-11-28"))
    );
    let alerts = gh.alert_requests();
    assert!(
        alerts
            .iter()
            .all(|r| r.query.get("hide_secret").map(String::as_str) == Some("true"))
    );
    assert!(
        alerts
            .iter()
            .all(|r| r.query.get("per_page").map(String::as_str) == Some("100"))
    );
    // the rate limit first, then open + resolved for the default pass and the generic pass
    assert_eq!(seen.len(), 5, "{seen:?}");
    assert_eq!(seen[0].path, "/rate_limit");
    assert_eq!(alerts.len(), 4);
    let generic: Vec<_> = alerts
        .iter()
        .filter(|r| r.query.contains_key("secret_type"))
        .collect();
    assert_eq!(generic.len(), 2);
    assert!(generic[0].query["secret_type"].starts_with("password,ec_private_key,"));

    // no secret and no comment reaches any file or the logs
    for (path, bytes) in w.all_files() {
        let content = String::from_utf8_lossy(&bytes);
        assert!(
            !content.contains("CANARY"),
            "{} leaks: {content}",
            path.display()
        );
        assert!(
            !content.contains(crate::common::TOKEN),
            "{} has the token",
            path.display()
        );
    }
    assert!(!stdout.contains("CANARY") && !stderr.contains("CANARY"));
    assert!(!stderr.contains(crate::common::TOKEN));

    // the Markdown report escapes config and GitHub text, links the alerts
    let md = w.read("out/azure/2026-11-23/report.md");
    assert!(
        md.starts_with("# Azure &lt;credentials&gt; &amp; \"keys\" \\| fix\n"),
        "{md}"
    );
    assert!(
        md.contains("**🟠 At risk:** 1 working secret leaked in public past SLA; at this pace the last alert would close around 2027-01-18, 18 days after the due date (a rough projection from only 3 fixes and 1 new alert in 4 weeks).\n"),
        "{md}"
    );
    assert!(md.contains("**4** open (down 1 from 5) · **1** fixed and 1 dismissed this week · **1** new · **42.9%** closed (3 of 7: 1 fixed, 2 dismissed)"), "{md}");
    assert!(
        md.contains(
            "- Closed a week (last 4 weeks): **0.75** · new a week: **0.25** · backlog: **−0.5** a week\n"
        ),
        "{md}"
    );
    assert!(
        md.contains("- Last alert closes, at this pace: **2027-01-18** (a rough projection from only 3 fixes and 1 new alert in 4 weeks)\n"),
        "{md}"
    );
    assert!(
        md.contains("- Expected open on the due date (2026-12-31): **2**\n"),
        "{md}"
    );
    assert!(
        md.contains(&format!("| [acme/web #1]({}/acme/web/security/secret-scanning/1) | Azure Storage Account Access Key ([how to fix](../../playbooks/azure.md)) | 83 d | **critical:** still valid, publicly leaked, past SLA | **no owner**, unassigned |", gh.url)),
        "{md}"
    );
    assert!(
        md.contains("| acme/web | 2 | 1 | 1 | 1 | 2026-11-18 |"),
        "{md}"
    );
    assert!(
        md.contains(&format!(
            "[acme/web #1]({}/acme/web/security/secret-scanning/1)",
            gh.url
        )),
        "{md}"
    );
    assert!(md.contains("- acme/ops-scripts\n"), "{md}");
    // the playbooks the open alerts need, and their pages beside the reports
    assert!(
        md.contains("| [Azure keys and application secrets](../../playbooks/azure.md) | 3 |  |\n| [Database credentials](../../playbooks/database.md) | 1 |  |"),
        "{md}"
    );
    let page = std::fs::read_to_string(w.path().join("out/playbooks/azure.md")).unwrap();
    assert!(
        page.starts_with("# Playbook: Azure keys and application secrets\n"),
        "{page}"
    );
    assert!(
        page.contains("3. **Revoke or rotate the compromised secret**"),
        "{page}"
    );
    assert!(
        md.contains("- acme/legacy: 1 open, nothing closed yet; "),
        "{md}"
    );
    assert!(
        stdout.contains("out/azure/2026-11-23/report.md"),
        "{stdout}"
    );

    // every campaign folder holds the five outputs, and the index links each report
    for id in ["azure", "generic"] {
        for file in [
            "summary.json",
            "report.md",
            "report.html",
            "burndown.png",
            "repos.png",
        ] {
            let path = w.path().join(format!("out/{id}/2026-11-23/{file}"));
            assert!(
                std::fs::metadata(&path)
                    .map(|m| m.len() > 100)
                    .unwrap_or(false),
                "{}",
                path.display()
            );
        }
        let png =
            std::fs::read(w.path().join(format!("out/{id}/2026-11-23/burndown.png"))).unwrap();
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    }
    let index = w.read("out/index.html");
    assert!(
        index.contains("href=\"azure/2026-11-23/report.html\""),
        "{index}"
    );
    assert!(
        index.contains("href=\"generic/2026-11-23/report.html\""),
        "{index}"
    );
    assert!(
        index.contains("Azure &lt;credentials&gt; &amp; &quot;keys&quot; | fix"),
        "{index}"
    );
    let html = w.read("out/azure/2026-11-23/report.html");
    assert!(
        html.contains("<h1>Azure &lt;credentials&gt; &amp; &quot;keys&quot; | fix</h1>"),
        "{html}"
    );
    assert!(html.contains("<header class=\"band at_risk\">"), "{html}");
    assert!(
        html.contains("<p class=\"verdict\"><strong>At risk:</strong> 1 working secret leaked in public past SLA;"),
        "{html}"
    );
    assert!(html.contains("src=\"burndown.png\"") && html.contains("src=\"repos.png\""));
}

#[test]
fn github_actions_step_summary_gets_every_markdown_report() {
    let gh = FakeGitHub::start("acme", scenario());
    let w = Workdir::new(&config(&gh.url));
    let summary = w.path().join("step-summary.md");
    std::fs::write(&summary, "earlier step\n").unwrap();
    let out = w
        .command(&["run", "-c", "config.yaml", "--as-of", T1])
        .env("GITHUB_STEP_SUMMARY", &summary)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    let text = std::fs::read_to_string(&summary).unwrap();
    assert!(
        text.starts_with("earlier step\n# Secret scanning in acme: the overview"),
        "appended, not replaced, the overview first: {text}"
    );
    assert!(text.contains(&w.read("out/overview/report.md")));
    assert!(text.contains(&w.read("out/azure/2026-11-23/report.md")));
    assert!(text.contains(&w.read("out/generic/2026-11-23/report.md")));
}

#[test]
fn templates_dir_overrides_by_name_and_a_broken_template_exits_2() {
    let gh = FakeGitHub::start("acme", scenario());
    let cfg = config(&gh.url).replace(
        "output:\n  dir: out\n",
        "output:\n  dir: out\n  templates_dir: mine\n",
    );
    let w = Workdir::new(&cfg);
    std::fs::create_dir(w.path().join("mine")).unwrap();
    std::fs::write(
        w.path().join("mine/report.md.tera"),
        "{{ s.campaign.id }}: {{ s.totals.open }} open\n",
    )
    .unwrap();
    let out = w.run(&["run", "-c", "config.yaml", "--as-of", T1]);
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    assert_eq!(w.read("out/azure/2026-11-23/report.md"), "azure: 4 open\n");
    assert!(
        w.read("out/azure/2026-11-23/report.html")
            .contains("<!DOCTYPE html>"),
        "others stay embedded"
    );

    std::fs::write(
        w.path().join("mine/report.html.tera"),
        "<p>\n{{ s.totals.open }\n</p>\n",
    )
    .unwrap();
    let before = w.read("state/history.jsonl");
    let out = w.run(&["run", "-c", "config.yaml", "--as-of", "2026-11-30"]);
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("template `report.html.tera`"), "{stderr}");
    assert!(stderr.contains("2:"), "names the line: {stderr}");
    assert_eq!(w.read("state/history.jsonl"), before, "nothing recorded");
    assert!(!w.path().join("out/azure/2026-11-30").exists());
}

#[test]
fn history_across_two_weeks_and_a_same_day_rerun() {
    let gh = FakeGitHub::start("acme", scenario());
    let w = Workdir::new(&config(&gh.url));
    // the campaigns' lines (the organization's trend, `org:…`, is recorded beside them)
    let history_lines = |w: &Workdir| {
        w.read("state/history.jsonl")
            .lines()
            .filter(|l| !l.contains("\"campaign\":\"org:"))
            .count()
    };

    assert_eq!(
        w.run(&["run", "-c", "config.yaml", "--as-of", T1])
            .status
            .code(),
        Some(0)
    );
    // azure: 7 backfilled (10-05 .. 11-16) + 1 observed; generic: 3 (11-02 .. 11-16) + 1
    let first = w.read("state/history.jsonl");
    assert_eq!(history_lines(&w), 8 + 4, "{first}");
    for line in first.lines() {
        let v: Value = serde_json::from_str(line).unwrap();
        assert_eq!(v["schema"], "campaign-pulse/history/v3");
        assert!(v.get("repos").is_some() && v.get("totals").is_some());
        assert!(v.get("at_risk").is_none(), "no long lists in the history");
    }

    // a week later: one more observed line per campaign, previous = last week's run
    let out = w.run(&["run", "-c", "config.yaml", "--as-of", "2026-11-30"]);
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    assert_eq!(history_lines(&w), 12 + 2);
    let s = w.json("out/azure/2026-11-30/summary.json");
    assert_eq!(
        s["history"]["previous"],
        json!({"as_of": "2026-11-23T00:00:00Z", "open": 4, "closed": 3})
    );
    assert_eq!(s["history"]["points"].as_array().unwrap().len(), 9);
    assert_eq!(s["totals"]["open"], 5, "alert 7 was created on 11-24");
    assert_eq!(s["totals"]["new_this_week"], 1);
    assert_eq!(s["totals"]["open_week_ago"], 4);

    // the same day again, later: replaces that day's snapshot instead of adding one
    let out = w.run(&[
        "run",
        "-c",
        "config.yaml",
        "--as-of",
        "2026-11-30T09:00:00Z",
    ]);
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    assert_eq!(history_lines(&w), 14);
    let history = w.read("state/history.jsonl");
    assert!(history.contains("\"as_of\":\"2026-11-30T09:00:00Z\""));
    assert!(!history.contains("\"as_of\":\"2026-11-30T00:00:00Z\""));
    let s = w.json("out/azure/2026-11-30/summary.json");
    assert_eq!(s["history"]["points"].as_array().unwrap().len(), 9);

    // a dry run computes and writes reports but leaves the history as it was
    let before = w.read("state/history.jsonl");
    let out = w.run(&[
        "run",
        "-c",
        "config.yaml",
        "--as-of",
        "2026-12-07",
        "--dry-run",
    ]);
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    assert_eq!(w.read("state/history.jsonl"), before);
    assert!(w.path().join("out/azure/2026-12-07/summary.json").exists());
}

#[test]
fn paging_stops_once_resolved_alerts_are_older_than_any_campaign_needs() {
    let gh = FakeGitHub::start("acme", crate::common::many(250, 100, 200));
    let cfg = format!(
        "github: {{org: acme, api_url: {}}}\nhistory: {{path: h.jsonl}}\ncampaigns:\n  - {{id: all, starts_on: 2026-10-01}}\n",
        gh.url
    );
    let w = Workdir::new(&cfg);
    let out = w.run(&["run", "-c", "config.yaml", "--as-of", T1, "--out", "r"]);
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    let s = w.json("r/all/2026-11-23/summary.json");
    assert_eq!(s["totals"]["open"], 250);
    assert_eq!(
        s["totals"]["closed"], 100,
        "every alert resolved since starts_on, none before"
    );

    // pages holding needed alerts: 3 of open alerts + 1 of recently resolved ones
    let needed_pages = 4;
    let requests = gh.alert_requests();
    assert!(
        requests.len() <= needed_pages + 4,
        "{} requests",
        requests.len()
    );
    // open: 3 pages, read from both ends at once (the walks meet a page apart: 4 requests);
    // resolved: the page of recent fixes + the one that shows they ended; generic pass: one
    // empty page each
    assert_eq!(requests.len(), 8);
    let open: Vec<_> = requests
        .iter()
        .filter(|r| r.query.get("state").map(String::as_str) == Some("open"))
        .collect();
    assert_eq!(open.len(), 5, "4 default + 1 generic");
    assert!(
        open.iter()
            .any(|r| r.query.get("direction").map(String::as_str) == Some("asc")),
        "the default listing's oldest-first walk"
    );
    let resolved: Vec<_> = requests
        .iter()
        .filter(|r| r.query.get("state").map(String::as_str) == Some("resolved"))
        .collect();
    assert!(
        resolved
            .iter()
            .all(|r| r.query.get("sort").map(String::as_str) == Some("updated"))
    );
    assert!(
        resolved
            .iter()
            .all(|r| r.query.get("direction").map(String::as_str) == Some("desc"))
    );
    let cursors: Vec<&str> = requests
        .iter()
        .filter_map(|r| r.query.get("after").map(String::as_str))
        .collect();
    assert!(
        cursors.iter().filter(|c| !c.is_empty()).count() >= 3,
        "cursor pagination: {cursors:?}"
    );
    assert!(
        requests
            .iter()
            .all(|r| r.query.get("hide_secret").map(String::as_str) == Some("true"))
    );
}

#[test]
fn a_campaign_without_starts_on_reads_everything_in_one_listing_per_pass() {
    let gh = FakeGitHub::start("acme", crate::common::many(120, 30, 60));
    let cfg = format!(
        "github: {{org: acme, api_url: {}, generic_secret_types: []}}\nhistory: {{path: h.jsonl}}\ncampaigns:\n  - {{id: all}}\n",
        gh.url
    );
    let w = Workdir::new(&cfg);
    let out = w.run(&["run", "-c", "config.yaml", "--as-of", T1, "--out", "r"]);
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    let s = w.json("r/all/2026-11-23/summary.json");
    assert_eq!(
        (s["totals"]["open"].as_u64(), s["totals"]["closed"].as_u64()),
        (Some(120), Some(90))
    );
    let requests = gh.alert_requests();
    assert_eq!(
        requests.len(),
        4,
        "210 alerts in pages of 100 read from both ends (a page more), no generic pass"
    );
    assert!(requests.iter().all(|r| !r.query.contains_key("state")));
}

#[test]
fn a_next_link_to_another_origin_fails_the_run_and_sends_nothing_there() {
    // the other origin: counts every connection it gets
    let hits = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let other = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let other_url = format!("http://{}", other.local_addr().unwrap());
    let counter = hits.clone();
    std::thread::spawn(move || {
        for _ in other.incoming() {
            counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        }
    });

    let gh = FakeGitHub::start("acme", crate::common::many(150, 0, 0));
    gh.state.lock().unwrap().next_origin = Some(other_url.clone());
    let w = Workdir::new(&config(&gh.url));
    let out = w.run(&["run", "-c", "config.yaml", "--as-of", T1]);
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(&other_url),
        "names the refused origin: {stderr}"
    );
    assert!(stderr.contains("refusing to send the token"), "{stderr}");
    std::thread::sleep(std::time::Duration::from_millis(200));
    assert_eq!(hits.load(std::sync::atomic::Ordering::SeqCst), 0);
    assert!(
        !w.path().join("state/history.jsonl").exists(),
        "a failed run writes no snapshot"
    );
    assert!(!w.path().join("out").exists());
}

#[test]
fn bad_token_and_missing_token() {
    let gh = FakeGitHub::start("acme", scenario());
    let w = Workdir::new(&config(&gh.url));
    let out = w
        .command(&["run", "-c", "config.yaml"])
        .env("GITHUB_TOKEN", "ghp_wrong")
        .output()
        .unwrap();
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("GitHub rejected the token in GITHUB_TOKEN (401 Bad credentials)"),
        "{stderr}"
    );
    assert!(!stderr.contains("ghp_wrong"), "{stderr}");

    let out = w
        .command(&["run", "-c", "config.yaml"])
        .env_remove("GITHUB_TOKEN")
        .output()
        .unwrap();
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("GITHUB_TOKEN (github.token_env) is not set"),
        "{stderr}"
    );
}

#[test]
fn unknown_organization_is_a_clear_error() {
    let gh = FakeGitHub::start("someone-else", scenario());
    let w = Workdir::new(&config(&gh.url));
    let out = w.run(&["run", "-c", "config.yaml"]);
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("404") && stderr.contains("`acme`"),
        "{stderr}"
    );
}

#[test]
fn github_campaign_supplies_name_and_due_date() {
    let gh = FakeGitHub::start("acme", scenario());
    gh.add_campaign(
        12,
        json!({"number": 12, "name": "Rotate Azure keys", "description": "", "created_at": "2026-09-01T00:00:00Z",
               "updated_at": "2026-09-01T00:00:00Z", "ends_at": "2027-01-15T00:00:00Z", "state": "open",
               "contact_link": null, "managers": [{"login": "mona", "id": 1}],
               "alert_stats": {"open_count": 4, "closed_count": 3, "in_progress_count": 1}}),
    );
    let cfg = format!(
        "github: {{org: acme, api_url: {}}}\nhistory: {{path: h.jsonl}}\ncampaigns:\n  - {{id: azure, filter: 'provider:azure', starts_on: 2026-10-01, github_campaign: 12}}\n  - {{id: missing, github_campaign: 99, starts_on: 2026-10-01}}\n",
        gh.url
    );
    let w = Workdir::new(&cfg);
    let out = w.run(&["run", "-c", "config.yaml", "--as-of", T1, "--out", "r"]);
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    let s = w.json("r/azure/2026-11-23/summary.json");
    assert_eq!(s["campaign"]["name"], "Rotate Azure keys");
    assert_eq!(s["campaign"]["due_on"], "2027-01-15");
    assert_eq!(s["campaign"]["github_campaign"], 12);
    assert_eq!(
        s["github_campaign"],
        json!({"number": 12, "name": "Rotate Azure keys", "created_at": "2026-09-01T00:00:00Z", "ends_at": "2027-01-15T00:00:00Z", "managers": ["mona"],
               "alert_stats": {"open_count": 4, "closed_count": 3, "in_progress_count": 1}})
    );
    assert_eq!(s["forecast"]["days_to_due"], 53);
    let md = w.read("r/azure/2026-11-23/report.md");
    assert!(
        md.contains("## GitHub campaign #12: Rotate Azure keys"),
        "{md}"
    );
    assert!(md.contains("Managed by @mona."), "{md}");
    let missing = w.read("r/missing/2026-11-23/report.md");
    assert!(
        missing.contains("GitHub campaign #99 could not be read"),
        "{missing}"
    );
    assert!(
        gh.seen()
            .iter()
            .any(|r| r.path == "/orgs/acme/campaigns/12")
    );
}

#[test]
fn fixture_replay_gives_the_same_numbers_offline() {
    let gh = FakeGitHub::start("acme", scenario());
    let w = Workdir::new(&config(&gh.url));
    assert_eq!(
        w.run(&["run", "-c", "config.yaml", "--as-of", T1, "--out", "live"])
            .status
            .code(),
        Some(0)
    );

    // the alerts as the server lists them: their pages on its own origin
    let fixture = serde_json::to_string(&Value::Array(scenario()))
        .unwrap()
        .replace("https://github.com/", &format!("{}/", gh.url));
    std::fs::write(w.path().join("alerts.json"), fixture).unwrap();
    // a second config with its own history, pointing at a port nothing listens on
    let cfg = config("http://127.0.0.1:9").replace("state/history.jsonl", "state/replay.jsonl");
    std::fs::write(w.path().join("replay.yaml"), cfg).unwrap();
    let out = w
        .command(&[
            "run",
            "-c",
            "replay.yaml",
            "--as-of",
            T1,
            "--out",
            "replay",
            "--source",
            "fixture:alerts.json",
        ])
        .env_remove("GITHUB_TOKEN")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    for id in ["azure", "generic"] {
        let live = w.read(&format!("live/{id}/2026-11-23/summary.json"));
        let replay = w.read(&format!("replay/{id}/2026-11-23/summary.json"));
        assert_eq!(live, replay, "{id}");
    }
    for (path, bytes) in w.all_files() {
        if path.ends_with("alerts.json") {
            continue;
        }
        assert!(
            !String::from_utf8_lossy(&bytes).contains("CANARY"),
            "{}",
            path.display()
        );
    }
}

#[test]
fn report_rerenders_from_the_history_offline() {
    let gh = FakeGitHub::start("acme", scenario());
    let w = Workdir::new(&config(&gh.url));
    assert_eq!(
        w.run(&["run", "-c", "config.yaml", "--as-of", T1])
            .status
            .code(),
        Some(0)
    );
    let live = w.json("out/azure/2026-11-23/summary.json");
    let requests = gh.seen().len();

    let out = w
        .command(&[
            "report",
            "-c",
            "config.yaml",
            "--as-of",
            T1,
            "--out",
            "again",
        ])
        .env_remove("GITHUB_TOKEN")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    assert_eq!(gh.seen().len(), requests, "report never calls GitHub");
    let again = w.json("again/azure/2026-11-23/summary.json");
    for key in [
        "totals",
        "open_by_validity",
        "open_flags",
        "open_by_secret_type",
        "forecast",
        "repos",
        "history",
        "campaign",
    ] {
        assert_eq!(again[key], live[key], "{key}");
    }
    assert_eq!(again["at_risk"]["count"], live["at_risk"]["count"]);
    let md = w.read("again/azure/2026-11-23/report.md");
    assert!(md.contains("Re-rendered from the history"), "{md}");
    assert!(
        !md.contains("\\`"),
        "no escaped backticks in the note: {md}"
    );

    // over run's own report, poorer without the at-risk list: refused unless --force
    let out = w.run(&["report", "-c", "config.yaml", "--as-of", T1]);
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("holds the report campaign-pulse run wrote for that date")
            && stderr.contains("--force"),
        "{stderr}"
    );
    assert_eq!(
        w.json("out/azure/2026-11-23/summary.json"),
        live,
        "left as it was"
    );
    let out = w.run(&["report", "-c", "config.yaml", "--as-of", T1, "--force"]);
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    assert_eq!(
        w.json("out/azure/2026-11-23/summary.json")["at_risk"]["top"],
        json!([])
    );

    let out = w.run(&["report", "-c", "config.yaml", "--as-of", "2026-10-01"]);
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("no snapshot of campaign `azure` on or before 2026-10-01"),
        "{stderr}"
    );
}

/// A history line as campaign-pulse wrote it before summary v2.
fn v1_line(campaign: &str, as_of: &str, open: u64) -> String {
    format!(
        r#"{{"schema":"campaign-pulse/history/v1","campaign":"{campaign}","as_of":"{as_of}","source":"observed","totals":{{"open":{open},"closed":2,"total":{},"progress_pct":28.6,"resolved_this_week":1,"new_this_week":0,"open_week_ago":{},"net_change":-1}},"resolved_this_week_by_resolution":{{"revoked":1}},"open_by_validity":{{"active":{open},"inactive":0,"unknown":0}},"open_flags":{{"publicly_leaked":1,"multi_repo":0,"push_protection_bypassed":0,"unassigned":1}},"open_by_secret_type":{{"azure_storage_account_key":{open}}},"mttr_days_median":3.5,"forecast":{{"burn_rate_per_week":0.5,"required_rate_per_week":0.9,"projected_completion":"2027-01-20","days_to_due":45,"status":"at_risk"}},"at_risk_count":2,"repos":{{"acme/web":{{"open":{open},"closed":2}}}}}}"#,
        open + 2,
        open + 1
    )
}

#[test]
fn a_history_written_by_v1_loads_renders_and_grows() {
    let gh = FakeGitHub::start("acme", scenario());
    let w = Workdir::new(&config(&gh.url));
    std::fs::create_dir_all(w.path().join("state")).unwrap();
    let history = [
        v1_line("azure", "2026-11-16T00:00:00Z", 5),
        v1_line("generic", "2026-11-16T00:00:00Z", 1),
    ]
    .join("\n")
        + "\n";
    std::fs::write(w.path().join("state/history.jsonl"), &history).unwrap();

    // `report` renders the v1 snapshot: its numbers as recorded, the missing ones unknown
    let out = w.run(&["report", "-c", "config.yaml", "--as-of", "2026-11-16"]);
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    let s = w.json("out/azure/2026-11-16/summary.json");
    assert_eq!(s["schema"], "campaign-pulse/summary/v3");
    assert_eq!(s["totals"]["open"], 5);
    assert_eq!(s["forecast"]["status"], "at_risk");
    assert_eq!(s["forecast"]["burn_rate_per_week"], json!(0.5));
    assert_eq!(s["forecast"]["inflow_rate_per_week"], Value::Null);
    assert_eq!(s["forecast"]["net_burn_rate_per_week"], Value::Null);
    assert_eq!(s["forecast"]["status_reasons"], json!([]));
    let md = w.read("out/azure/2026-11-16/report.md");
    assert!(
        md.contains("recorded by an earlier version of campaign-pulse"),
        "{md}"
    );
    assert!(!md.contains("new a week:"), "no invented pace: {md}");

    // a run a week later keeps the v1 line, adds a v2 one, and charts both
    let out = w.run(&["run", "-c", "config.yaml", "--as-of", T1]);
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    // (the organization's trend, `org:…`, is backfilled on its first run: left aside here)
    let lines: Vec<String> = w
        .read("state/history.jsonl")
        .lines()
        .filter(|l| !l.contains("\"campaign\":\"org:"))
        .map(str::to_string)
        .collect();
    assert_eq!(lines.len(), 4, "no backfill: the campaigns have a history");
    let kept: Value = serde_json::from_str(&lines[0]).unwrap();
    let before: Value = serde_json::from_str(history.lines().next().unwrap()).unwrap();
    assert_eq!(kept["schema"], "campaign-pulse/history/v1", "{kept}");
    for key in ["campaign", "as_of", "totals", "at_risk_count", "repos"] {
        assert_eq!(kept[key], before[key], "{key}");
    }
    assert_eq!(kept["forecast"]["status"], "at_risk");
    assert_eq!(kept["critical_count"], Value::Null, "nothing invented");
    assert_eq!(
        lines
            .iter()
            .filter(|l| l.contains("campaign-pulse/history/v3"))
            .count(),
        2
    );
    let s = w.json("out/azure/2026-11-23/summary.json");
    assert_eq!(
        s["history"]["previous"],
        json!({"as_of": "2026-11-16T00:00:00Z", "open": 5, "closed": 2})
    );
    assert_eq!(s["history"]["points"].as_array().unwrap().len(), 2);
}

#[test]
fn a_malformed_history_line_fails_the_run_and_leaves_the_file_alone() {
    let gh = FakeGitHub::start("acme", scenario());
    let w = Workdir::new(&config(&gh.url));
    assert_eq!(
        w.run(&["run", "-c", "config.yaml", "--as-of", T1])
            .status
            .code(),
        Some(0)
    );
    let path = w.path().join("state/history.jsonl");
    let mut broken = std::fs::read_to_string(&path).unwrap();
    let bad_line = broken.lines().count() + 1;
    broken.push_str("{\"schema\": \"campaign-pulse/history/v1\", \"campaign\": \n");
    std::fs::write(&path, &broken).unwrap();
    let out = w.run(&["run", "-c", "config.yaml", "--as-of", "2026-11-30"]);
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains(&format!("line {bad_line}:")), "{stderr}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), broken);
}

#[test]
fn check_reports_config_token_rate_limit_and_access() {
    let gh = FakeGitHub::start("acme", scenario());
    let w = Workdir::new(&config(&gh.url));
    let out = w.run(&["check", "--config", "config.yaml"]);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    assert!(
        stdout.contains("config config.yaml: valid, 2 campaigns"),
        "{stdout}"
    );
    assert!(stdout.contains("auth: token from GITHUB_TOKEN"), "{stdout}");
    assert!(
        stdout.contains("rate limit: 4999 of 5000 requests left"),
        "{stdout}"
    );
    assert!(
        stdout.contains("can read the secret-scanning alerts of `acme` (6 open on the first page)"),
        "{stdout}"
    );
    assert!(
        stdout.contains("assign: GitHub does not say what a fine-grained token"),
        "{stdout}"
    );
    let alerts = gh.alert_requests();
    assert_eq!(alerts.len(), 1);
    assert_eq!(
        alerts[0].query.get("hide_secret").map(String::as_str),
        Some("true")
    );
    assert!(!stdout.contains(crate::common::TOKEN) && !stderr.contains(crate::common::TOKEN));

    // a full first page is a floor, not a total
    gh.set_alerts(crate::common::many_alerts(150));
    let out = w.run(&["check", "--config", "config.yaml"]);
    let (stdout, _) = text(&out);
    assert!(
        stdout.contains("(at least 100 open: the first page is full)"),
        "{stdout}"
    );
}

#[test]
fn run_writes_the_overview_and_the_index_links_it_first() {
    let gh = FakeGitHub::start("acme", scenario());
    let w = Workdir::new(&config(&gh.url));
    let out = w.run(&["run", "-c", "config.yaml", "--as-of", T1]);
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    let o = w.json("out/overview/summary.json");
    assert_eq!(o["schema"], "campaign-pulse/overview/v1");
    // open at T: 1, 3, 6, 8, 10 default; 11 generic
    assert_eq!(o["results"]["default"]["open"], 5);
    assert_eq!(o["results"]["generic"]["open"], 1);
    assert!(
        o["read_since"].is_string(),
        "the campaigns need alerts since 2026-10-01"
    );
    assert!(w.path().join("out/overview/trend.png").exists());
    let index = w.read("out/index.html");
    let overview_at = index.find("href=\"overview/report.html\"").expect("linked");
    assert!(overview_at < index.find("report.html\">Azure").unwrap_or(usize::MAX));
    // the trend is kept in the history under ids no campaign can have
    let history = w.read("state/history.jsonl");
    assert!(history.contains("\"campaign\":\"org:default\""));
    // with its open counts, and no table of repositories (the trend needs none)
    for line in history
        .lines()
        .filter(|l| l.contains("\"campaign\":\"org:"))
    {
        let v: Value = serde_json::from_str(line).unwrap();
        assert!(v["totals"]["open"].is_u64(), "{line}");
        assert_eq!(v["repos"], json!({}), "{line}");
    }

    // overview alone reads every alert
    gh.clear_seen();
    let out = w.run(&["overview", "-c", "config.yaml", "--as-of", T1]);
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    let o = w.json("out/overview/summary.json");
    assert_eq!(o["read_since"], Value::Null);
    assert!(
        gh.alert_requests()
            .iter()
            .all(|r| !r.query.contains_key("state")),
        "one listing of every alert, no state filter"
    );

    // the campaign it proposes for what no campaign covers, pasted into the configuration
    // from the report, takes those alerts
    let uncovered = o["uncovered"]["open"].as_u64().unwrap();
    let proposed = &o["uncovered"]["proposed"];
    let taken = proposed["uncovered"].as_u64().expect("a proposed campaign");
    assert!(taken > 0 && taken <= uncovered, "{proposed}");
    let md = w.read("out/overview/report.md");
    let entry = md
        .split("```\n")
        .find(|block| block.starts_with("  - id: "))
        .expect("the entry, fenced, in report.md");
    assert_eq!(entry, proposed["entry"].as_str().unwrap());
    let config = w.read("config.yaml") + entry;
    std::fs::write(w.path().join("config.yaml"), config).unwrap();
    let out = w.run(&["overview", "-c", "config.yaml", "--as-of", T1]);
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    let o = w.json("out/overview/summary.json");
    assert_eq!(o["uncovered"]["open"].as_u64(), Some(uncovered - taken));
}

#[test]
fn preview_shows_what_a_filter_targets_and_refuses_a_bad_one() {
    let w = Workdir::new(&config("http://127.0.0.1:9"));
    let fixture = serde_json::to_string(&Value::Array(scenario())).unwrap();
    std::fs::write(w.path().join("alerts.json"), fixture).unwrap();
    let out = w.run(&[
        "preview",
        "-c",
        "config.yaml",
        "--filter",
        "provider:azure validity:active",
        "--source",
        "fixture:alerts.json",
        "--as-of",
        T1,
    ]);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    // open at T, azure, active: 1 (acme/web) and 6 (acme/api #3)
    assert!(
        stdout.contains("Targets 2 open alerts in 2 repositories as of 2026-11-23: fits GitHub's 1,000-alert campaign limit"),
        "{stdout}"
    );
    assert!(
        stdout.contains("  - id: provider-azure-validity-active\n"),
        "{stdout}"
    );
    assert!(
        stdout.contains("    filter: \"provider:azure validity:active\"\n"),
        "{stdout}"
    );
    let out = w.run(&[
        "preview",
        "-c",
        "config.yaml",
        "--filter",
        "provider:azure secret:x",
        "--source",
        "fixture:alerts.json",
    ]);
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("unknown filter `secret:x`") && stderr.contains("^^^^^^^^"),
        "{stderr}"
    );
}
