//! End-to-end: escalation rules (docs/playbooks.md) over the real binary, a GitHub-like server and a
//! chat-webhook server on loopback: each alert is sent once per rule and channel, across
//! reruns and concurrent runs, and the weekly report lists what was escalated.

use crate::common::servers::ChatServer;
use crate::common::{A, FakeGitHub, T1, Workdir, config, scenario, text};
use mail_parser::MimeHeaders;
use std::process::Output;

/// The scenario's configuration with two channels and two rules:
/// - "public": active and publicly leaked for a day → Slack `secops` (matches acme/web #1);
/// - "active a month": active for 30 days → Teams `leadership` (acme/web #1 and acme/api #3).
fn escalating_config(api: &str) -> String {
    config(api)
        + r#"delivery:
  slack:
    - { name: secops, webhook_env: HOOK_SECOPS }
  teams:
    - { name: leadership, webhook_env: HOOK_LEADERSHIP }
experts:
  azure: ["@acme/cloud-sec"]
escalation:
  - name: public
    when: "validity:active publicly-leaked"
    after: 24h
    notify: [secops]
    contacts: ["@acme/incident-response"]
  - name: active a month
    when: "validity:active"
    after: 30d
    notify: [teams:leadership]
"#
}

fn run(w: &Workdir, chat: &ChatServer, slack: &str, args: &[&str]) -> Output {
    w.command(args)
        .env("HOOK_SECOPS", format!("{}/slack/{slack}", chat.url))
        .env(
            "HOOK_LEADERSHIP",
            format!("{}/teams/ok-leadership", chat.url),
        )
        .output()
        .unwrap()
}

/// Every text and fact of a Teams message, one a line.
fn card_text(body: &str) -> String {
    fn walk(v: &serde_json::Value, out: &mut Vec<String>) {
        match v {
            serde_json::Value::String(s) => out.push(s.clone()),
            serde_json::Value::Array(a) => a.iter().for_each(|x| walk(x, out)),
            serde_json::Value::Object(o) => o.values().for_each(|x| walk(x, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(&serde_json::from_str(body).unwrap(), &mut out);
    out.join("\n")
}

fn bodies(chat: &ChatServer, path: &str) -> Vec<String> {
    chat.posts_to(path)
        .iter()
        .map(|p| String::from_utf8(p.body.clone()).unwrap())
        .collect()
}

#[test]
fn each_alert_is_escalated_once_per_rule_across_runs() {
    let gh = FakeGitHub::start("acme", scenario());
    let chat = ChatServer::start();
    let w = Workdir::new(&escalating_config(&gh.url));
    let escalate = |as_of: &str| {
        run(
            &w,
            &chat,
            "ok-secops",
            &[
                "run",
                "-c",
                "config.yaml",
                "--only",
                "escalate",
                "--as-of",
                as_of,
            ],
        )
    };

    // first run: both rules fire
    let out = escalate(T1);
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    let slack = bodies(&chat, "/slack/ok-secops");
    assert_eq!(slack.len(), 1, "{slack:?}");
    let message: serde_json::Value = serde_json::from_str(&slack[0]).unwrap();
    assert_eq!(
        message["text"],
        "Escalation: 1 leaked secret in acme needs action now"
    );
    let alert = message["blocks"][1]["text"]["text"].as_str().unwrap();
    for expected in [
        "|acme/web #1>*",
        "Azure Storage Account Access Key",
        "exposed 83 days",
        "still valid",
        "*publicly leaked*",
        "how to fix: Azure keys and application secrets>",
        "Rule “public” (open 24h or more)",
        "contacts @acme/incident-response, @acme/cloud-sec",
    ] {
        assert!(
            alert.contains(expected),
            "{expected:?} missing from {alert}"
        );
    }
    let teams = bodies(&chat, "/teams/ok-leadership");
    assert_eq!(teams.len(), 1, "{teams:?}");
    let card = card_text(&teams[0]);
    assert!(
        card.contains("Escalation: 2 leaked secrets in acme need action now"),
        "{card}"
    );
    // `#` is no markup in an Adaptive Card TextBlock: not escaped (Teams on phones would
    // show the backslash)
    assert!(
        card.contains("acme/web #1") && card.contains("acme/api #3") && !card.contains("\\#"),
        "{card}"
    );
    assert!(
        !card.contains("acme/legacy"),
        "an inactive secret matches neither rule"
    );
    // nothing of the weekly run: no report, no snapshot
    assert!(!w.path().join("out/azure").exists());
    assert!(!w.path().join("state/history.jsonl").exists());
    let records = w.read("state/escalations.jsonl");
    assert_eq!(records.lines().count(), 3, "{records}");

    // second run, a day later: nothing new
    let out = escalate("2026-11-24");
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    assert!(
        text(&out).0.contains("no escalation due"),
        "{:?}",
        text(&out)
    );
    assert_eq!(chat.posts().len(), 2, "nothing is sent twice");

    // third run: a new public leak is escalated alone
    let mut alerts = scenario();
    let mut fresh = A::new("acme/web", 9, "2026-11-22T00:00:00Z");
    fresh.validity = Some("active");
    fresh.public = true;
    fresh.location = Some(("deploy/.env", "4f2a9c1e8b7d6a5f4e3d2c1b0a9f8e7d6c5b4a39"));
    alerts.push(fresh.json());
    gh.set_alerts(alerts);
    let out = escalate("2026-11-25");
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    let slack = bodies(&chat, "/slack/ok-secops");
    assert_eq!(slack.len(), 2);
    assert!(
        slack[1].contains("acme/web #9") && !slack[1].contains("acme/web #1>"),
        "{}",
        slack[1]
    );
    assert!(slack[1].contains("in `deploy/.env`"), "{}", slack[1]);
    assert_eq!(
        bodies(&chat, "/teams/ok-leadership").len(),
        1,
        "the new leak is not active for 30 days yet"
    );

    // the weekly report lists the escalated alerts of the campaign still open
    let out = run(
        &w,
        &chat,
        "ok-secops",
        &[
            "run",
            "-c",
            "config.yaml",
            "--only",
            "report",
            "--no-send",
            "--as-of",
            "2026-11-30",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    let s = w.json("out/azure/2026-11-30/summary.json");
    let escalated: Vec<(String, u64, &str)> = s["escalated"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                format!("{} #{}", e["repo"].as_str().unwrap(), e["number"]),
                e["days_since"].as_u64().unwrap(),
                e["rule"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        escalated,
        [
            ("acme/api #3".to_string(), 7, "active a month"),
            ("acme/web #1".to_string(), 7, "public"),
            ("acme/web #9".to_string(), 5, "public"),
        ]
    );
    let md = w.read("out/azure/2026-11-30/report.md");
    assert!(md.contains("## Escalated and still open: 3"), "{md}");
    assert!(md.contains("| 7 d ago (2026-11-23) | public |"), "{md}");
    // each escalated row links its playbook, as at-risk rows do
    let section = md
        .split("## Escalated and still open")
        .nth(1)
        .unwrap()
        .split("\n## ")
        .next()
        .unwrap();
    let rows: Vec<&str> = section
        .lines()
        .filter(|l| l.starts_with("| [acme/"))
        .collect();
    assert_eq!(rows.len(), 3, "{section}");
    let linked: Vec<bool> = rows
        .iter()
        .zip(["database", "azure", "azure"])
        .map(|(r, p)| r.contains(&format!("([how to fix](../../playbooks/{p}.md))")))
        .collect();
    assert_eq!(linked, [true, true, true], "{section}");
    let html = w.read("out/azure/2026-11-30/report.html");
    let escalated = html.split(r#"<section id="escalated">"#).nth(1).unwrap();
    let escalated = escalated.split("</section>").next().unwrap();
    assert_eq!(
        escalated.matches("how to fix</a>").count(),
        3,
        "{escalated}"
    );
    assert!(escalated.contains(r#"<a href="../../playbooks/database.html">how to fix</a>"#));
    assert_eq!(chat.posts().len(), 3, "--no-send sends nothing");
}

#[test]
fn two_runs_at_once_escalate_once() {
    let gh = FakeGitHub::start("acme", scenario());
    let chat = ChatServer::start();
    let w = Workdir::new(&escalating_config(&gh.url));
    let spawn = || {
        w.command(&[
            "run",
            "-c",
            "config.yaml",
            "--only",
            "escalate",
            "--as-of",
            T1,
        ])
        .env("HOOK_SECOPS", format!("{}/slack/ok-secops", chat.url))
        .env(
            "HOOK_LEADERSHIP",
            format!("{}/teams/ok-leadership", chat.url),
        )
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap()
    };
    let (a, b) = (spawn(), spawn());
    for child in [a, b] {
        let out = child.wait_with_output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    }
    assert_eq!(bodies(&chat, "/slack/ok-secops").len(), 1);
    assert_eq!(bodies(&chat, "/teams/ok-leadership").len(), 1);
    assert_eq!(w.read("state/escalations.jsonl").lines().count(), 3);
}

#[test]
fn a_failed_channel_is_tried_again_and_the_other_is_not_repeated() {
    let gh = FakeGitHub::start("acme", scenario());
    let chat = ChatServer::start();
    let w = Workdir::new(&escalating_config(&gh.url));
    let args = [
        "run",
        "-c",
        "config.yaml",
        "--only",
        "escalate",
        "--as-of",
        T1,
    ];
    let out = run(&w, &chat, "gone", &args);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(3), "{stdout}\n{stderr}");
    assert!(
        stdout.contains("FAILED escalation to slack:secops"),
        "{stdout}"
    );
    assert!(
        !stderr.contains(&chat.url),
        "no webhook URL in logs: {stderr}"
    );
    assert_eq!(bodies(&chat, "/teams/ok-leadership").len(), 1);

    let out = run(&w, &chat, "ok-secops", &args);
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    assert_eq!(bodies(&chat, "/slack/ok-secops").len(), 1, "sent now");
    assert_eq!(
        bodies(&chat, "/teams/ok-leadership").len(),
        1,
        "Teams had it already"
    );
}

/// The scenario with `acme/web` renamed `acme/website`; GitHub keeps the repository's id.
fn renamed_web() -> Vec<serde_json::Value> {
    let mut alerts = scenario();
    for a in &mut alerts {
        let repo = &mut a["repository"];
        if repo["full_name"] == "acme/web" {
            repo["full_name"] = "acme/website".into();
            repo["name"] = "website".into();
        }
    }
    alerts
}

#[test]
fn a_renamed_repository_is_not_escalated_again_and_stays_listed() {
    let gh = FakeGitHub::start("acme", scenario());
    let chat = ChatServer::start();
    let w = Workdir::new(&escalating_config(&gh.url));
    let escalate = |as_of: &str| {
        let args = [
            "run",
            "-c",
            "config.yaml",
            "--only",
            "escalate",
            "--as-of",
            as_of,
        ];
        run(&w, &chat, "ok-secops", &args)
    };
    let out = escalate(T1);
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    assert_eq!(chat.posts().len(), 2, "Slack and Teams");

    gh.set_alerts(renamed_web());
    let out = escalate("2026-11-24");
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    assert!(
        text(&out).0.contains("no escalation due"),
        "{:?}",
        text(&out)
    );
    assert_eq!(
        chat.posts().len(),
        2,
        "the renamed repository's alerts are not sent again"
    );

    let out = run(
        &w,
        &chat,
        "ok-secops",
        &[
            "run",
            "-c",
            "config.yaml",
            "--only",
            "report",
            "--no-send",
            "--as-of",
            "2026-11-30",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    let s = w.json("out/azure/2026-11-30/summary.json");
    let escalated: Vec<String> = s["escalated"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            format!(
                "{} #{} {}",
                e["repo"].as_str().unwrap(),
                e["number"],
                e["rule"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        escalated,
        ["acme/api #3 active a month", "acme/website #1 public"],
        "listed under its new name, escalated a week ago"
    );
}

#[test]
fn a_rule_naming_a_missing_channel_is_refused_at_load() {
    let gh = FakeGitHub::start("acme", scenario());
    let w = Workdir::new(&escalating_config(&gh.url).replace("[teams:leadership]", "[board]"));
    let out = w.run(&["check", "-c", "config.yaml"]);
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("config.yaml:34:13: escalation rule `active a month`: `board` is not a channel of `delivery`"),
        "{stderr}"
    );
    assert!(
        stderr.contains("configured channels: secops (Slack), leadership (Teams)"),
        "{stderr}"
    );
    assert!(gh.seen().is_empty(), "nothing is fetched with a bad config");
}

#[test]
fn a_daily_escalation_run_without_rules_has_nothing_to_do() {
    let gh = FakeGitHub::start("acme", scenario());
    let w = Workdir::new(&config(&gh.url));
    let out = w.run(&[
        "run",
        "-c",
        "config.yaml",
        "--only",
        "escalate",
        "--as-of",
        T1,
    ]);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    assert!(stdout.contains("no escalation due"), "{stdout}");
    assert!(stderr.contains("has no escalation rules"), "{stderr}");
    assert!(gh.seen().is_empty(), "nothing to fetch");
}

#[test]
fn check_validates_the_playbooks_folder() {
    let gh = FakeGitHub::start("acme", scenario());
    let w = Workdir::new(&(escalating_config(&gh.url) + "playbooks_dir: my-playbooks\n"));
    let dir = w.path().join("my-playbooks");
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(
        dir.join("mailchimp.yaml"),
        "title: Mailchimp API keys\nproviders: [mailchimp]\ngrants: Mail as us.\nrevoke:\n  - Disable the key.\n",
    )
    .unwrap();
    std::fs::write(dir.join("notes.txt"), "to do").unwrap();
    let check = || {
        w.command(&["check", "-c", "config.yaml"])
            .env("HOOK_SECOPS", "https://hooks.slack.com/services/T0/B0/x")
            .env("HOOK_LEADERSHIP", "https://example.webhook.office.com/x")
            .output()
            .unwrap()
    };
    let out = check();
    let (stdout, stderr) = text(&out);
    assert!(
        stdout.contains("playbooks: valid; 11 playbooks, 1 from my-playbooks"),
        "{stdout}\n{stderr}"
    );
    assert!(
        stdout.contains("my-playbooks/notes.txt is not a .yaml file"),
        "{stdout}"
    );
    assert!(
        stdout.contains("escalation: 2 rules, each naming configured channels"),
        "{stdout}"
    );

    std::fs::write(
        dir.join("mailchimp.yaml"),
        "title: Mailchimp API keys\ngrants: Mail as us.\nrevok:\n  - Disable the key.\n",
    )
    .unwrap();
    let out = check();
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2), "{stdout}\n{stderr}");
    assert!(
        stdout.contains("playbooks: NO: my-playbooks/mailchimp.yaml:3:1: unknown field `revok`"),
        "{stdout}"
    );
    assert!(stdout.contains("did you mean `revoke`?"), "{stdout}");
}

#[test]
fn an_escalation_email_reaches_a_real_smtp_server() {
    let gh = FakeGitHub::start("acme", scenario());
    let smtp = crate::common::servers::SmtpServer::start(false);
    let cfg = config(&gh.url).replace(
        "output:\n  dir: out\n",
        "output:\n  dir: out\n  report_url: https://reports.acme.example/pulse/\n",
    ) + r#"delivery:
  email:
    smtp_url_env: TEST_SMTP_URL
    from: "Acme Security <security@acme.example>"
    to: [ciso@acme.example]
escalation:
  - name: public
    when: "validity:active publicly-leaked"
    after: 24h
    notify: [email]
    contacts: ["@acme/incident-response"]
"#;
    let w = Workdir::new(&cfg);
    let out = w
        .command(&[
            "run",
            "-c",
            "config.yaml",
            "--only",
            "escalate",
            "--as-of",
            T1,
        ])
        .env("TEST_SMTP_URL", smtp.url())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    let mails = smtp.mails();
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].to, ["ciso@acme.example"]);
    let data = String::from_utf8_lossy(&mails[0].data).into_owned();
    let msg = mail_parser::MessageParser::default()
        .parse(&mails[0].data)
        .expect("a MIME message");
    assert_eq!(
        msg.subject(),
        Some("Escalation: 1 leaked secret in acme needs action now")
    );
    assert_eq!(
        msg.parts[0]
            .content_type()
            .map(|c| (c.ctype(), c.subtype())),
        Some(("multipart", Some("alternative")))
    );
    let plain = msg.body_text(0).expect("a text part").replace("\r\n", "\n");
    let html = msg.body_html(0).expect("an HTML part");
    for expected in [
        "* acme/web #1: Azure Storage Account Access Key, exposed 83 days, still valid,\n  PUBLICLY LEAKED; owner not known",
        "Rule \"public\" (open 24h or more); contacts @acme/incident-response",
        "How to fix (Azure keys and application secrets):\n  https://reports.acme.example/pulse/playbooks/azure.html",
    ] {
        assert!(
            plain.contains(expected),
            "{expected:?} missing from {plain}"
        );
    }
    assert!(
        html.contains("<a href=\"https://reports.acme.example/pulse/playbooks/azure.html\">how to fix: Azure keys and application secrets</a>"),
        "{html}"
    );
    assert!(!data.contains("CANARY"), "no secret, no comment: {data}");
}
