//! End-to-end delivery: the real binary, a real SMTP server (STARTTLS with a test CA) and a
//! webhook server answering like Slack and Teams, all on loopback.

use crate::common::servers::{ChatServer, SmtpServer};
use crate::common::{FakeGitHub, T1, Workdir, config, scenario, text};
use mail_parser::{MessageParser, MimeHeaders, PartType};

const HOOK_SECRET: &str = "hook-CANARY-b1f2";

struct Setup {
    gh: FakeGitHub,
    smtp: SmtpServer,
    chat: ChatServer,
    w: Workdir,
}

fn setup(starttls: bool) -> Setup {
    let gh = FakeGitHub::start("acme", scenario());
    let smtp = SmtpServer::start(starttls);
    let chat = ChatServer::start();
    let ca = smtp
        .ca_file
        .as_ref()
        .map(|p| format!("\n    ca_file: {}", p.display()))
        .unwrap_or_default();
    let cfg = config(&gh.url).replace(
        "output:\n  dir: out\n",
        "output:\n  dir: out\n  report_url: https://reports.acme.example/pulse/\n",
    ) + &format!(
        r#"delivery:
  email:
    smtp_url_env: TEST_SMTP_URL
    from: "Acme Security <security@acme.example>"
    to: [ciso@acme.example, "Eng Leads <leads@acme.example>"]
    cc: [secops@acme.example]{ca}
  slack:
    - {{ name: secops, webhook_env: HOOK_SLACK_OK }}
    - {{ name: busy, webhook_env: HOOK_SLACK_LIMITED }}
    - {{ name: broken, webhook_env: HOOK_SLACK_GONE }}
  teams:
    - {{ name: leadership, webhook_env: HOOK_TEAMS_OK }}
"#
    );
    let w = Workdir::new(&cfg);
    Setup { gh, smtp, chat, w }
}

impl Setup {
    fn run(&self, args: &[&str]) -> std::process::Output {
        let hook = |path: &str| format!("{}{path}?token={HOOK_SECRET}", self.chat.url);
        self.w
            .command(args)
            .env("TEST_SMTP_URL", self.smtp.url())
            .env("HOOK_SLACK_OK", hook("/slack/ok"))
            .env("HOOK_SLACK_LIMITED", hook("/slack/limited"))
            .env("HOOK_SLACK_GONE", hook("/slack/gone"))
            .env("HOOK_TEAMS_OK", hook("/teams/ok"))
            .output()
            .unwrap()
    }

    fn counts(&self) -> (usize, usize, usize, usize, usize) {
        (
            self.smtp.mails().len(),
            self.chat.posts_to("/slack/ok").len(),
            self.chat.posts_to("/slack/limited").len(),
            self.chat.posts_to("/slack/gone").len(),
            self.chat.posts_to("/teams/ok").len(),
        )
    }
}

fn no_secrets(s: &Setup, out: &std::process::Output) {
    let (stdout, stderr) = text(out);
    for secret in [HOOK_SECRET, SmtpServer::password(), crate::common::TOKEN] {
        assert!(
            !stdout.contains(secret) && !stderr.contains(secret),
            "{secret} leaked:\n{stdout}\n{stderr}"
        );
        for (path, bytes) in s.w.all_files() {
            assert!(
                !String::from_utf8_lossy(&bytes).contains(secret),
                "{secret} in {}",
                path.display()
            );
        }
    }
    assert!(
        !stderr.contains(&s.chat.url),
        "webhook URLs never appear: {stderr}"
    );
}

#[test]
fn every_channel_delivers_once_and_a_failing_hook_fails_alone() {
    let s = setup(true);
    let out = s.run(&["run", "-c", "config.yaml", "--as-of", T1]);
    let (stdout, stderr) = text(&out);
    assert_eq!(
        out.status.code(),
        Some(3),
        "a delivery failed, reports written:\n{stdout}\n{stderr}"
    );
    assert!(s.w.path().join("out/azure/2026-11-23/report.html").exists());
    assert!(s.w.path().join("state/history.jsonl").exists());
    // one mail; Slack: ok once, 429 then ok, 404 once; Teams once
    assert_eq!(s.counts(), (1, 1, 2, 1, 1));
    assert!(
        stdout.contains("delivered: email, slack:secops, slack:busy, teams:leadership"),
        "{stdout}"
    );
    assert!(
        stdout.contains(
            "FAILED slack:broken: Slack webhook `broken`: answered 404 Not Found `no_service`"
        ),
        "{stdout}"
    );
    assert!(
        stderr.contains("Slack webhook `busy`: rate limited; waiting 1 s as asked"),
        "{stderr}"
    );
    no_secrets(&s, &out);

    // the mail: over STARTTLS, authenticated, to everyone, multipart/alternative with cid charts
    let mail = &s.smtp.mails()[0];
    assert!(mail.tls && mail.authenticated_as.as_deref() == Some("reports@acme.example"));
    assert_eq!(
        mail.from, "security@acme.example",
        "the envelope sender is `from`"
    );
    let mut rcpt = mail.to.clone();
    rcpt.sort();
    assert_eq!(
        rcpt,
        [
            "ciso@acme.example",
            "leads@acme.example",
            "secops@acme.example"
        ]
    );
    let msg = MessageParser::default()
        .parse(&mail.data)
        .expect("a MIME message");
    assert_eq!(
        msg.subject(),
        Some("2 at risk — secret remediation, week to 2026-11-23")
    );
    assert_eq!(
        msg.from().and_then(|f| f.first()).and_then(|a| a.address()),
        Some("security@acme.example")
    );
    assert_eq!(
        msg.cc().and_then(|c| c.first()).and_then(|a| a.address()),
        Some("secops@acme.example")
    );
    let root = &msg.parts[0];
    assert_eq!(
        root.content_type().map(|c| (c.ctype(), c.subtype())),
        Some(("multipart", Some("alternative")))
    );
    let text_part = msg.body_text(0).expect("a text part");
    assert!(
        text_part.contains("== Azure <credentials> & \"keys\" | fix ==")
            && text_part.contains("\nFix first (")
            && !text_part.contains("&lt;"),
        "plain text, written for plain text: {text_part}"
    );
    assert!(
        text_part
            .lines()
            .all(|l| l.chars().count() <= 78 || !l.trim().contains(' ')),
        "lines of at most 78 characters: {text_part}"
    );
    let html = msg.body_html(0).expect("an HTML part");
    assert!(
        html.contains("Azure &lt;credentials&gt; &amp; &quot;keys&quot; | fix"),
        "escaped"
    );
    assert!(
        !html.contains("Azure <credentials>"),
        "no markup from the config in text or attributes"
    );
    assert!(html.contains("alt=\"Burndown of Azure &lt;credentials&gt; &amp; &quot;keys&quot;"));
    assert!(html.contains("style=\""), "the essentials inlined");
    let cids: Vec<String> = html
        .match_indices("src=\"cid:")
        .map(|(i, _)| html[i + 9..].split('"').next().unwrap().to_string())
        .collect();
    assert_eq!(cids.len(), 2, "one burndown per campaign: {cids:?}");
    let images: Vec<String> = msg
        .parts
        .iter()
        .filter(|p| {
            p.content_type()
                .is_some_and(|c| c.ctype() == "image" && c.subtype() == Some("png"))
        })
        .filter_map(|p| p.content_id().map(str::to_string))
        .collect();
    for cid in &cids {
        assert!(images.contains(cid), "{cid} has a part: {images:?}");
    }
    assert_eq!(images.len(), cids.len(), "every chart attached is shown");
    assert!(
        msg.parts
            .iter()
            .all(|p| !matches!(p.body, PartType::Binary(ref b) if b.is_empty()))
    );
    assert!(
        !String::from_utf8_lossy(&mail.data).contains("CANARY"),
        "no secret or comment in the mail"
    );

    // Slack: limits, escaping, the button
    let slack = s.chat.posts_to("/slack/ok")[0].json();
    let blocks = slack["blocks"].as_array().unwrap();
    assert!(blocks.len() <= 50);
    assert_eq!(blocks[0]["type"], "header");
    assert_eq!(
        blocks[0]["text"]["text"],
        "Secret remediation — week to 2026-11-23 (Nov 16–22)"
    );
    let section = blocks[2]["text"]["text"].as_str().unwrap();
    assert!(
        section.starts_with(
            "<https://reports.acme.example/pulse/azure/2026-11-23/report.html|Azure &lt;credentials&gt; &amp; \"keys\" ¦ fix> · :large_orange_circle: *At risk*\n\
             At risk: 1 working secret leaked in public past SLA; at this pace the last alert would close around 2027-01-18, 18 days after the due date (a rough projection from only 3 fixes and 1 new alert in 4 weeks)\n\
             *Needs a decision:* revoke now: acme/web #1 (no owner, exposed 83 days); move the due date to 2027-01-18"
        ),
        "the verdict and its reasons: {section}"
    );
    assert!(
        section.contains("*4* open (backlog −1) · *1* fixed, 1 dismissed · *1* new"),
        "{section}"
    );
    assert!(
        section.contains(
            "A week: 0.75 closed, 0.25 new, backlog −0.5 · 0.74 net closures needed by 2026-12-31"
        ),
        "{section}"
    );
    let context = blocks[3]["elements"][0]["text"].as_str().unwrap();
    assert!(
        context.contains(&format!(
            "<{}/acme/web/security/secret-scanning/1|acme/web #1> (critical: still valid, publicly leaked, past SLA; no owner, unassigned)",
            s.gh.url
        )),
        "{context}"
    );
    let last = blocks.last().unwrap();
    assert_eq!(
        last["elements"][0]["url"],
        "https://reports.acme.example/pulse/"
    );
    assert!(
        slack["text"].as_str().unwrap().starts_with("Secret remediation — week to 2026-11-23 (Nov 16–22): 2 at risk\nAzure &lt;credentials&gt; &amp; \"keys\" | fix: At risk: 1 working secret"),
        "{}",
        slack["text"]
    );
    assert!(!String::from_utf8_lossy(&s.chat.posts_to("/slack/ok")[0].body).contains("CANARY"));

    // Teams: the envelope and an Adaptive Card 1.4 under 25 KB
    let teams = &s.chat.posts_to("/teams/ok")[0];
    assert!(teams.body.len() < 25 * 1024);
    let t = teams.json();
    assert_eq!(t["type"], "message");
    assert_eq!(
        t["attachments"][0]["contentType"],
        "application/vnd.microsoft.card.adaptive"
    );
    let card = &t["attachments"][0]["content"];
    assert_eq!(
        (card["type"].as_str(), card["version"].as_str()),
        (Some("AdaptiveCard"), Some("1.4"))
    );
    let name = &card["body"][2]["items"][0]["columns"][0]["items"][0]["text"];
    // only Teams' own markup is escaped (`<` is no markup in a TextBlock)
    assert_eq!(
        name,
        "[Azure <credentials> & \"keys\" | fix](https://reports.acme.example/pulse/azure/2026-11-23/report.html)"
    );
    let verdict = card["body"][2]["items"][1]["text"].as_str().unwrap();
    assert!(
        verdict.starts_with("At risk: 1 working secret leaked in public past SLA; at this pace"),
        "{verdict}"
    );
    assert_eq!(card["actions"][0]["type"], "Action.OpenUrl");
    assert_eq!(
        card["actions"][0]["url"],
        "https://reports.acme.example/pulse/"
    );

    // a rerun the same day sends only what is missing (the broken hook, which fails again)
    let out = s.run(&["run", "-c", "config.yaml", "--as-of", T1]);
    let (stdout, _) = text(&out);
    assert_eq!(out.status.code(), Some(3));
    assert_eq!(s.counts(), (1, 1, 2, 2, 1), "{stdout}");
    assert!(
        stdout
            .contains("already delivered today: email, slack:secops, slack:busy, teams:leadership"),
        "{stdout}"
    );
    let records = s.w.read("state/deliveries.jsonl");
    assert_eq!(records.lines().count(), 4, "{records}");

    // --resend sends everything again
    let out = s.run(&["run", "-c", "config.yaml", "--as-of", T1, "--resend"]);
    assert_eq!(out.status.code(), Some(3));
    assert_eq!(s.counts(), (2, 2, 3, 3, 2));
    no_secrets(&s, &out);
}

#[test]
fn dry_run_writes_the_outbox_and_sends_nothing() {
    let s = setup(false);
    let out =
        s.w.command(&["run", "-c", "config.yaml", "--as-of", T1, "--dry-run"])
            .env_remove("TEST_SMTP_URL")
            .output()
            .unwrap();
    let (stdout, stderr) = text(&out);
    assert_eq!(
        out.status.code(),
        Some(0),
        "secrets are not needed for a dry run:\n{stdout}\n{stderr}"
    );
    assert_eq!(s.counts(), (0, 0, 0, 0, 0));
    for f in [
        "email.eml",
        "slack-secops.json",
        "slack-busy.json",
        "slack-broken.json",
        "teams-leadership.json",
    ] {
        let p = s.w.path().join("out/outbox").join(f);
        assert!(p.exists(), "{}", p.display());
        assert!(
            stdout.contains(&format!("would send: out/outbox/{f}")),
            "{stdout}"
        );
    }
    let eml = std::fs::read(s.w.path().join("out/outbox/email.eml")).unwrap();
    let msg = MessageParser::default().parse(&eml).unwrap();
    assert!(
        msg.subject()
            .unwrap()
            .ends_with("— secret remediation, week to 2026-11-23")
    );
    assert!(!s.w.path().join("state/deliveries.jsonl").exists());
    assert!(
        !s.w.path().join("state/history.jsonl").exists(),
        "a dry run records nothing"
    );
}

#[test]
fn plain_smtp_to_this_machine_and_no_send() {
    let s = setup(false);
    let out = s.run(&["run", "-c", "config.yaml", "--as-of", T1, "--no-send"]);
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    assert_eq!(s.counts(), (0, 0, 0, 0, 0));
    // plain SMTP on loopback, no auth
    let out = s.run(&["run", "-c", "config.yaml", "--as-of", T1]);
    assert_eq!(out.status.code(), Some(3), "{:?}", text(&out));
    let mails = s.smtp.mails();
    assert_eq!(mails.len(), 1);
    assert!(!mails[0].tls && mails[0].authenticated_as.is_none());
}

#[test]
fn a_missing_webhook_variable_stops_before_anything_is_fetched() {
    let s = setup(false);
    let out =
        s.w.command(&["run", "-c", "config.yaml", "--as-of", T1])
            .env("TEST_SMTP_URL", s.smtp.url())
            .output()
            .unwrap();
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("HOOK_SLACK_OK (Slack webhook `secops`) is not set"),
        "{stderr}"
    );
    assert!(s.gh.seen().is_empty(), "nothing fetched");
    assert!(!s.w.path().join("out").exists());
}

#[test]
fn plain_smtp_to_another_host_is_refused() {
    let s = setup(false);
    let out =
        s.w.command(&["run", "-c", "config.yaml", "--as-of", T1, "--no-send"])
            .output()
            .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let out =
        s.w.command(&["run", "-c", "config.yaml", "--as-of", T1])
            .env("TEST_SMTP_URL", "smtp://bot:hunter2@mail.acme.example:25")
            .env("HOOK_SLACK_OK", "https://hooks.example/x")
            .env("HOOK_SLACK_LIMITED", "https://hooks.example/y")
            .env("HOOK_SLACK_GONE", "https://hooks.example/z")
            .env("HOOK_TEAMS_OK", "https://hooks.example/t")
            .output()
            .unwrap();
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("TEST_SMTP_URL: plain smtp:// would send the password"),
        "{stderr}"
    );
    assert!(!stderr.contains("hunter2"));
}

/// One certificate policy for every connection: the system's roots, where `SSL_CERT_FILE`
/// names a private CA. The SMTP server's CA is not in the configuration here: with
/// `SSL_CERT_FILE` the email goes, without it the certificate is refused (exit 3).
#[test]
fn a_private_ca_named_by_ssl_cert_file_is_trusted_for_smtp() {
    let s = setup(true);
    let ca = s.smtp.ca_file.clone().unwrap();
    let cfg: String =
        s.w.read("config.yaml")
            .lines()
            .filter(|l| !l.contains("ca_file:"))
            .map(|l| format!("{l}\n"))
            .collect();
    std::fs::write(s.w.path().join("config.yaml"), cfg).unwrap();
    let run = |ssl_cert_file: &std::path::Path, extra: &[&str]| {
        let hook = |path: &str| format!("{}{path}", s.chat.url);
        let mut args = vec!["run", "-c", "config.yaml", "--as-of", T1];
        args.extend(extra);
        s.w.command(&args)
            .env("TEST_SMTP_URL", s.smtp.url())
            .env("SSL_CERT_FILE", ssl_cert_file)
            .env("HOOK_SLACK_OK", hook("/slack/ok"))
            .env("HOOK_SLACK_LIMITED", hook("/slack/ok"))
            .env("HOOK_SLACK_GONE", hook("/slack/ok"))
            .env("HOOK_TEAMS_OK", hook("/teams/ok"))
            .output()
            .unwrap()
    };
    let out = run(std::path::Path::new("/nonexistent/ca.pem"), &[]);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(3), "{stdout}\n{stderr}");
    assert!(stdout.contains("FAILED email"), "{stdout}");
    assert!(s.smtp.mails().is_empty());

    let out = run(&ca, &["--resend"]);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    assert_eq!(s.smtp.mails().len(), 1);
}
