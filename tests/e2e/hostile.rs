//! Hostile servers and data: GitHub-like, SMTP and webhook servers on raw loopback sockets
//! that hang, drip, break off, grow huge, loop or lie, and text meant to disguise or break
//! the reports. Each test stays well under 30 s: deadlines are set short in the config.

use crate::common::raw::{Answer, RawHttp, RawSmtp, SmtpFault};
use crate::common::servers::ChatServer;
use crate::common::{A, FakeGitHub, T1, Workdir, text};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

/// A config reading GitHub at `api` with a 2 s deadline per request.
fn github_config(api: &str) -> String {
    format!(
        "github:\n  org: acme\n  api_url: {api}\n  timeout: 2s\n  generic_secret_types: []\n\
         history: {{ path: state/history.jsonl }}\noutput: {{ dir: out }}\n\
         campaigns:\n  - {{ id: all, starts_on: 2026-10-01 }}\n"
    )
}

fn rate_limit(remaining: u64) -> Answer {
    let reset = chrono::Utc::now().timestamp() + 3600;
    Answer::json(format!(
        r#"{{"rate": {{"limit": 5000, "remaining": {remaining}, "reset": {reset}}}, "resources": {{}}}}"#
    ))
}

fn one_alert() -> String {
    format!("[{}]", A::new("acme/web", 1, "2026-11-01T00:00:00Z").json())
}

fn run(w: &Workdir, args: &[&str]) -> (Option<i32>, String, String, Duration) {
    let started = Instant::now();
    let out = w.run(args);
    let (o, e) = text(&out);
    (out.status.code(), o, e, started.elapsed())
}

#[test]
fn answers_that_drip_break_off_or_stall_are_retried_within_the_deadline() {
    // the first three alert requests misbehave, each differently
    let faults = std::sync::Arc::new(std::sync::Mutex::new(vec![
        Answer::Stall,
        Answer::Truncated {
            body: "[{\"num".into(),
        },
        Answer::Drip {
            body: "[]".into(),
            every: Duration::from_secs(5),
        },
    ]));
    let gh = RawHttp::start(move |r, _| {
        if r.target.starts_with("/rate_limit") {
            return rate_limit(4990);
        }
        faults
            .lock()
            .unwrap()
            .pop()
            .unwrap_or_else(|| Answer::json("[]"))
    });
    let w = Workdir::new(&github_config(&gh.url));
    let (code, _, stderr, took) = run(&w, &["run", "-c", "config.yaml", "--as-of", T1]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(took < Duration::from_secs(25), "took {took:?}");
    assert!(stderr.contains("no complete answer within 2s"), "{stderr}");
    assert!(stderr.contains("the answer broke off"), "{stderr}");
    // 3 failed attempts, then the open and resolved listings
    assert_eq!(gh.count("/secret-scanning/alerts"), 5);
}

#[test]
fn a_huge_answer_is_refused_without_reading_it_all() {
    let gh = RawHttp::start(|r, _| {
        if r.target.starts_with("/rate_limit") {
            rate_limit(4990)
        } else {
            Answer::Huge {
                bytes: 1024 * 1024 * 1024,
            }
        }
    });
    let w = Workdir::new(&github_config(&gh.url));
    let (code, _, stderr, took) = run(&w, &["run", "-c", "config.yaml", "--as-of", T1]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("larger than 16 MB"), "{stderr}");
    assert!(took < Duration::from_secs(15), "took {took:?}");
    // the four listings run at once: each asks once, none retries
    let asked = gh.count("/secret-scanning/alerts");
    assert!((1..=4).contains(&asked), "not retried: {asked} requests");
}

#[test]
fn a_next_link_back_to_a_page_already_read_is_refused() {
    let page = one_alert();
    let gh = RawHttp::start(move |r, _| {
        if r.target.starts_with("/rate_limit") {
            return rate_limit(4990);
        }
        // every page says the next one is the same cursor
        let next =
            "/orgs/acme/secret-scanning/alerts?state=open&per_page=100&hide_secret=true&after=same";
        Answer::json(page.clone()).with_header("link", format!("<{next}>; rel=\"next\""))
    });
    let w = Workdir::new(&github_config(&gh.url));
    let (code, _, stderr, _) = run(&w, &["run", "-c", "config.yaml", "--as-of", T1]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains("next-page link leads back to a page already read"),
        "{stderr}"
    );
    // refused at the second request of a listing; the four listings run at once
    let asked = gh.count("/secret-scanning/alerts");
    assert!((2..=8).contains(&asked), "{asked} requests");
    assert!(!w.path().join("state/history.jsonl").exists());
}

#[test]
fn endless_pages_stop_at_the_rate_limit_budget() {
    let page = one_alert();
    let gh = RawHttp::start(move |r, n| {
        if r.target.starts_with("/rate_limit") {
            return rate_limit(12);
        }
        let next = format!(
            "/orgs/acme/secret-scanning/alerts?state=open&per_page=100&hide_secret=true&after=c{n}"
        );
        Answer::json(page.clone()).with_header("link", format!("<{next}>; rel=\"next\""))
    });
    let w = Workdir::new(&github_config(&gh.url));
    let (code, _, stderr, _) = run(&w, &["run", "-c", "config.yaml", "--as-of", T1]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains("beyond the 12 requests the rate limit allows this run"),
        "{stderr}"
    );
    assert!(gh.count("/secret-scanning/alerts") <= 12);
}

#[test]
fn absurd_or_stale_rate_limits_are_said_plainly() {
    let gh = RawHttp::start(|r, _| {
        if r.target.starts_with("/rate_limit") {
            return rate_limit(4990);
        }
        Answer::Ok {
            status: 429,
            headers: vec![("retry-after".into(), "99999999999".into())],
            body: r#"{"message": "slow down"}"#.into(),
        }
    });
    let w = Workdir::new(&github_config(&gh.url));
    let (code, _, stderr, _) = run(&w, &["run", "-c", "config.yaml", "--as-of", T1]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains("far longer than any rate-limit window"),
        "{stderr}"
    );
    assert!(!stderr.contains("0s from now"), "{stderr}");

    // no requests left and a reset already past: a rate limit, not a missing permission
    let past = chrono::Utc::now().timestamp() - 600;
    let gh = RawHttp::start(move |r, _| {
        if r.target.starts_with("/rate_limit") {
            return rate_limit(4990);
        }
        Answer::Ok {
            status: 403,
            headers: vec![
                ("x-ratelimit-remaining".into(), "0".into()),
                ("x-ratelimit-reset".into(), past.to_string()),
            ],
            body: r#"{"message": "Forbidden"}"#.into(),
        }
    });
    let w = Workdir::new(&github_config(&gh.url));
    let (code, _, stderr, _) = run(&w, &["run", "-c", "config.yaml", "--as-of", T1]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("rate limit is exhausted (403"), "{stderr}");
    assert!(stderr.contains("reset time already past"), "{stderr}");
    assert!(!stderr.contains("lacks"), "{stderr}");
}

#[test]
fn user_information_in_the_api_url_is_never_shown() {
    let w = Workdir::new(&github_config("http://user:hunter2@127.0.0.1:9"));
    let (code, stdout, stderr, _) = run(&w, &["check", "-c", "config.yaml"]);
    assert_ne!(code, Some(0));
    assert!(
        !stdout.contains("hunter2") && !stderr.contains("hunter2"),
        "{stdout}\n{stderr}"
    );
}

#[test]
fn dates_beyond_the_calendar_are_refused_not_panicked_on() {
    let mut alert = A::new("acme/web", 1, "2026-11-01T00:00:00Z").json();
    alert["created_at"] = "+262142-12-30T00:00:00Z".into();
    let gh = FakeGitHub::start("acme", vec![alert]);
    let w = Workdir::new(&crate::common::config(&gh.url));
    let (code, _, stderr, _) = run(&w, &["run", "-c", "config.yaml", "--as-of", T1]);
    assert_eq!(code, Some(1), "GitHub's data: {stderr}");
    assert!(
        stderr.contains("outside the years 1970 to 9999"),
        "{stderr}"
    );

    let gh = FakeGitHub::start("acme", crate::common::scenario());
    gh.add_campaign(
        7,
        serde_json::json!({"number": 7, "name": "far", "ends_at": "+262142-12-30T00:00:00Z"}),
    );
    let w = Workdir::new(&crate::common::config(&gh.url).replace(
        "    sla_days: 30\n",
        "    sla_days: 30\n    github_campaign: 7\n",
    ));
    let (code, _, stderr, _) = run(&w, &["run", "-c", "config.yaml", "--as-of", T1]);
    assert_eq!(code, Some(1), "a campaign record: {stderr}");
    assert!(
        stderr.contains("outside the years 1970 to 9999"),
        "{stderr}"
    );

    for far in ["--as-of=+262142-06-01", "--as-of=-262143-01-01"] {
        let (code, _, stderr, _) = run(&w, &["run", "-c", "config.yaml", far]);
        assert_eq!(code, Some(2), "{far}: {stderr}");
        assert!(
            stderr.contains("outside the years 1970 to 9999"),
            "{stderr}"
        );
    }
}

// ---- delivery -------------------------------------------------------------------------------

/// A config replaying no alerts from a file, with an email and a Slack webhook, and a 2 s
/// deadline per delivery step.
fn delivery_workdir() -> Workdir {
    let w = Workdir::new(
        "github: { org: acme }\nhistory: { path: state/history.jsonl }\noutput: { dir: out }\n\
         campaigns:\n  - { id: all }\n\
         delivery:\n  timeout: 2s\n  email:\n    smtp_url_env: SMTP_URL\n    from: sec@acme.example\n    to: [ciso@acme.example]\n\
         \x20 slack:\n    - { name: secops, webhook_env: HOOK }\n",
    );
    std::fs::write(w.path().join("alerts.json"), "[]").unwrap();
    w
}

fn deliver(
    w: &Workdir,
    smtp: &str,
    hook: &str,
    extra: &[&str],
) -> (Option<i32>, String, String, Duration) {
    let mut args = vec![
        "run",
        "-c",
        "config.yaml",
        "--as-of",
        T1,
        "--source",
        "fixture:alerts.json",
    ];
    args.extend_from_slice(extra);
    let started = Instant::now();
    let out = w
        .command(&args)
        .env("SMTP_URL", smtp)
        .env("HOOK", hook)
        .output()
        .unwrap();
    let (o, e) = text(&out);
    (out.status.code(), o, e, started.elapsed())
}

#[test]
fn an_smtp_server_that_never_greets_fails_the_channel_not_the_run() {
    smtp_stops_answering(SmtpFault::NoGreeting);
}

#[test]
fn an_smtp_server_that_stops_after_ehlo_fails_the_channel_not_the_run() {
    smtp_stops_answering(SmtpFault::HangAfterEhlo);
}

fn smtp_stops_answering(fault: SmtpFault) {
    {
        let smtp = RawSmtp::start(fault);
        let chat = ChatServer::start();
        let w = delivery_workdir();
        let (code, stdout, stderr, took) =
            deliver(&w, &smtp.url(), &format!("{}/slack/ok", chat.url), &[]);
        assert_eq!(code, Some(3), "{fault:?}: {stdout}\n{stderr}");
        assert!(took < Duration::from_secs(25), "{fault:?}: took {took:?}");
        assert!(stdout.contains("FAILED email"), "{stdout}");
        assert!(stdout.contains("no answer within 2s"), "{stdout}");
        assert_eq!(chat.posts_to("/slack/ok").len(), 1, "Slack is still tried");
        assert_eq!(smtp.connections.load(Ordering::SeqCst), 3, "three sessions");
        assert!(w.path().join("state/history.jsonl").exists());
    }
}

#[test]
fn a_message_taken_but_not_acknowledged_is_not_sent_again() {
    for fault in [SmtpFault::HangAfterData, SmtpFault::DropBefore250] {
        let smtp = RawSmtp::start(fault);
        let chat = ChatServer::start();
        let w = delivery_workdir();
        let (code, stdout, stderr, took) =
            deliver(&w, &smtp.url(), &format!("{}/slack/ok", chat.url), &[]);
        assert_eq!(code, Some(3), "{fault:?}: {stdout}\n{stderr}");
        assert!(took < Duration::from_secs(15), "{fault:?}: took {took:?}");
        assert_eq!(
            smtp.messages.load(Ordering::SeqCst),
            1,
            "{fault:?}: one message, no blind retry"
        );
        assert!(
            stdout.contains("may or may not have been delivered") && stdout.contains("--resend"),
            "{stdout}"
        );
    }
    // a server that behaves takes it once, and a rerun the same day sends nothing again
    let smtp = RawSmtp::start(SmtpFault::None);
    let chat = ChatServer::start();
    let w = delivery_workdir();
    let hook = format!("{}/slack/ok", chat.url);
    let (code, stdout, _, _) = deliver(&w, &smtp.url(), &hook, &[]);
    assert_eq!(code, Some(0), "{stdout}");
    let (code, _, _, _) = deliver(&w, &smtp.url(), &hook, &[]);
    assert_eq!(code, Some(0));
    assert_eq!(smtp.messages.load(Ordering::SeqCst), 1);
}

#[test]
fn webhook_answers_that_are_huge_slow_or_dated_are_handled() {
    let smtp = RawSmtp::start(SmtpFault::None);
    let hook = RawHttp::start(|r, _| match r.target.as_str() {
        "/huge" => Answer::Huge {
            bytes: 500 * 1024 * 1024,
        },
        _ => Answer::Drip {
            body: "ok".into(),
            every: Duration::from_secs(5),
        },
    });
    // a 429 whose Retry-After is an HTTP date three seconds ahead, then ok
    let dated = RawHttp::start(|_, n| match n {
        0 => Answer::Ok {
            status: 429,
            headers: vec![(
                "retry-after".into(),
                (chrono::Utc::now() + chrono::Duration::seconds(3))
                    .format("%a, %d %b %Y %H:%M:%S GMT")
                    .to_string(),
            )],
            body: "rate_limited".into(),
        },
        _ => Answer::Ok {
            status: 200,
            headers: vec![],
            body: "ok".into(),
        },
    });
    let w = delivery_workdir();
    let (code, stdout, stderr, took) = deliver(&w, &smtp.url(), &format!("{}/huge", hook.url), &[]);
    assert_eq!(code, Some(3), "{stdout}\n{stderr}");
    assert!(
        hook.requests
            .lock()
            .unwrap()
            .iter()
            .all(|r| r.method == "POST"),
        "a webhook is posted to"
    );
    assert!(stdout.contains("longer than 64 KB"), "{stdout}");
    assert!(took < Duration::from_secs(15), "took {took:?}");

    let w = delivery_workdir();
    let (code, stdout, _, took) = deliver(&w, &smtp.url(), &format!("{}/slow", hook.url), &[]);
    assert_eq!(code, Some(3), "{stdout}");
    assert!(took < Duration::from_secs(25), "took {took:?}");

    let w = delivery_workdir();
    let (code, stdout, stderr, took) =
        deliver(&w, &smtp.url(), &format!("{}/dated", dated.url), &[]);
    assert_eq!(code, Some(0), "{stdout}\n{stderr}");
    assert!(
        took >= Duration::from_secs(2),
        "waited for the date: {took:?}"
    );
    assert!(
        stderr.contains("waiting 2 s as asked") || stderr.contains("waiting 3 s as asked"),
        "{stderr}"
    );
}

#[test]
fn a_malformed_delivery_record_stops_the_run_before_anything_is_written() {
    let smtp = RawSmtp::start(SmtpFault::None);
    let chat = ChatServer::start();
    let w = delivery_workdir();
    std::fs::create_dir_all(w.path().join("state")).unwrap();
    std::fs::write(w.path().join("state/deliveries.jsonl"), "{not json\n").unwrap();
    let (code, _, stderr, _) = deliver(&w, &smtp.url(), &format!("{}/slack/ok", chat.url), &[]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("deliveries.jsonl"), "{stderr}");
    assert!(
        !w.path().join("state/history.jsonl").exists(),
        "history unchanged"
    );
    assert!(!w.path().join("out").exists(), "no report written");
    assert!(chat.posts().is_empty());
}

#[cfg(unix)]
#[test]
fn a_delivery_that_cannot_be_recorded_is_exit_3_not_a_failed_run() {
    let smtp = RawSmtp::start(SmtpFault::None);
    let chat = ChatServer::start();
    let w = delivery_workdir();
    std::fs::create_dir_all(w.path().join("state")).unwrap();
    // the records file points into /proc, where nothing can be created
    std::os::unix::fs::symlink(
        "/proc/campaign-pulse-test/deliveries.jsonl",
        w.path().join("state/deliveries.jsonl"),
    )
    .unwrap();
    let (code, stdout, stderr, _) =
        deliver(&w, &smtp.url(), &format!("{}/slack/ok", chat.url), &[]);
    assert_eq!(code, Some(3), "{stdout}\n{stderr}");
    assert!(
        stdout.contains("delivered, but the delivery could not be recorded"),
        "{stdout}"
    );
    assert_eq!(smtp.messages.load(Ordering::SeqCst), 1);
    assert_eq!(chat.posts_to("/slack/ok").len(), 1);
    assert!(w.path().join("state/history.jsonl").exists());
}

#[test]
fn histories_sharing_a_folder_keep_their_own_records_and_temporaries() {
    let chat = ChatServer::start();
    let config = |history: &str| {
        format!(
            "github: {{ org: acme }}\nhistory: {{ path: state/{history} }}\noutput: {{ dir: out-{history} }}\n\
             campaigns:\n  - {{ id: all }}\ndelivery:\n  slack:\n    - {{ name: secops, webhook_env: HOOK }}\n"
        )
    };
    let w = Workdir::new(&config("a.jsonl"));
    std::fs::write(w.path().join("b.yaml"), config("b.jsonl")).unwrap();
    std::fs::write(w.path().join("alerts.json"), "[]").unwrap();
    std::fs::create_dir_all(w.path().join("state")).unwrap();
    // a write of b's history in progress
    let theirs = w.path().join("state/.b.jsonl.x1y2z3.campaign-pulse.tmp");
    std::fs::write(&theirs, "half").unwrap();
    let hook = format!("{}/slack/ok", chat.url);
    for cfg in ["config.yaml", "b.yaml"] {
        let out = w
            .command(&[
                "run",
                "-c",
                cfg,
                "--as-of",
                T1,
                "--source",
                "fixture:alerts.json",
            ])
            .env("HOOK", &hook)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{cfg}: {:?}", text(&out));
        if cfg == "config.yaml" {
            assert!(theirs.exists(), "a's run left b's temporary file alone");
        }
    }
    assert_eq!(
        chat.posts_to("/slack/ok").len(),
        2,
        "b's channel is not skipped because of a's record"
    );
    assert!(w.path().join("state/a.deliveries.jsonl").exists());
    assert!(w.path().join("state/b.deliveries.jsonl").exists());
}

// ---- hostile text and files ------------------------------------------------------------------

#[test]
fn text_meant_to_disguise_or_break_out_is_neutralized() {
    let mut alert = A::new("acme/web", 1, "2026-10-01T00:00:00Z");
    alert.validity = Some("active");
    alert.public = true;
    let mut json = alert.json();
    json["secret_type_display_name"] =
        "Key\u{0}\u{202E}txt.exe *bold* _it_ `code` see www.evil.example or http://evil.example"
            .into();
    json["html_url"] = "https://user:pw@evil.example/acme/web/security/secret-scanning/1".into();
    let gh = FakeGitHub::start("acme", vec![json]);
    let chat = ChatServer::start();
    let w = Workdir::new(
        &(crate::common::config(&gh.url).replace(
            "name: Azure <credentials> & \"keys\" | fix",
            "name: \"Azure *bold* _it_ `code`\"",
        ) + "delivery:\n  slack:\n    - { name: secops, webhook_env: HOOK }\n"),
    );
    let out = w
        .command(&["run", "-c", "config.yaml", "--as-of", T1])
        .env("HOOK", format!("{}/slack/ok", chat.url))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    let md = w.read("out/azure/2026-11-23/report.md");
    let html = w.read("out/azure/2026-11-23/report.html");
    let slack = String::from_utf8(chat.posts_to("/slack/ok")[0].body.clone()).unwrap();
    for (name, output) in [
        ("report.md", &md),
        ("report.html", &html),
        ("slack", &slack),
    ] {
        assert!(
            !output.contains('\u{0}') && !output.contains("\\u0000"),
            "{name}: NUL"
        );
        assert!(
            !output.contains('\u{202E}') && !output.contains("\\u202e"),
            "{name}: bidi"
        );
        assert!(
            !output.contains("evil.example/acme"),
            "{name}: foreign alert link"
        );
    }
    assert!(
        md.contains("www\\.evil.example") && md.contains("http\\://evil.example"),
        "{md}"
    );
    assert!(md.contains("\\*bold\\*"), "{md}");
    assert!(slack.contains("*\u{200B}bold*\u{200B}"), "{slack}");
    // the alert is still linked, to its page on the configured GitHub
    assert!(
        md.contains(&format!("({}/acme/web/security/secret-scanning/1)", gh.url)),
        "{md}"
    );
}

#[test]
fn the_index_trusts_no_campaign_id_read_from_disk() {
    let w = Workdir::new(
        "github: { org: acme }\nhistory: { path: state/history.jsonl }\noutput: { dir: out }\ncampaigns:\n  - { id: all }\n",
    );
    std::fs::write(w.path().join("alerts.json"), "[]").unwrap();
    let out = w.run(&[
        "run",
        "-c",
        "config.yaml",
        "--as-of",
        T1,
        "--source",
        "fixture:alerts.json",
    ]);
    assert_eq!(out.status.code(), Some(0));
    // a planted report whose id is a script link
    let mut planted = w.json("out/all/2026-11-23/summary.json");
    planted["campaign"]["id"] = "javascript:alert(1)//".into();
    for folder in ["out/evil/2026-11-23", "out/javascript:alert(1)/2026-11-23"] {
        std::fs::create_dir_all(w.path().join(folder)).unwrap();
        std::fs::write(
            w.path().join(folder).join("summary.json"),
            planted.to_string(),
        )
        .unwrap();
    }
    let out = w.run(&[
        "run",
        "-c",
        "config.yaml",
        "--as-of",
        T1,
        "--source",
        "fixture:alerts.json",
    ]);
    assert_eq!(out.status.code(), Some(0));
    let index = w.read("out/index.html");
    assert!(!index.contains("javascript:"), "{index}");
    assert!(index.contains("href=\"all/2026-11-23/report.html\""));
}

#[test]
fn listings_run_at_once_and_a_rate_limit_holds_them_all_back() {
    use std::sync::atomic::{AtomicBool, AtomicUsize};
    use std::sync::{Arc, Mutex};
    let in_flight = Arc::new(AtomicUsize::new(0));
    let most = Arc::new(AtomicUsize::new(0));
    let limited = Arc::new(AtomicBool::new(false));
    let limited_at: Arc<Mutex<Option<Instant>>> = Arc::default();
    let second_pages: Arc<Mutex<Vec<Instant>>> = Arc::default();
    let (i, m, l, at, pages) = (
        in_flight.clone(),
        most.clone(),
        limited.clone(),
        limited_at.clone(),
        second_pages.clone(),
    );
    let page = one_alert();
    let gh = RawHttp::start(move |r, _| {
        if r.target.starts_with("/rate_limit") {
            return rate_limit(4990);
        }
        if r.target.contains("after=p2") {
            pages.lock().unwrap().push(Instant::now());
            return Answer::json("[]");
        }
        // the first listing to ask meets a secondary rate limit: wait 2 s
        if !l.swap(true, Ordering::SeqCst) {
            *at.lock().unwrap() = Some(Instant::now());
            return Answer::Ok {
                status: 403,
                headers: vec![("retry-after".into(), "2".into())],
                body: r#"{"message": "You have exceeded a secondary rate limit."}"#.into(),
            };
        }
        let now = i.fetch_add(1, Ordering::SeqCst) + 1;
        m.fetch_max(now, Ordering::SeqCst);
        std::thread::sleep(Duration::from_millis(500));
        i.fetch_sub(1, Ordering::SeqCst);
        Answer::json(page.clone())
            .with_header("link", format!("<{}&after=p2>; rel=\"next\"", r.target))
    });
    let cfg = github_config(&gh.url).replace(
        "generic_secret_types: []",
        "generic_secret_types: [password]\n  max_wait: 10s",
    );
    let w = Workdir::new(&cfg);
    let (code, _, stderr, _) = run(&w, &["run", "-c", "config.yaml", "--as-of", T1]);
    assert_eq!(code, Some(0), "{stderr}");
    let most = most.load(Ordering::SeqCst);
    assert!(
        (3..=4).contains(&most),
        "{most} first pages in flight at once"
    );
    // default and generic, open and resolved: four listings, two pages each
    let pages = second_pages.lock().unwrap().clone();
    assert_eq!(pages.len(), 4, "{stderr}");
    let limited_at = limited_at.lock().unwrap().unwrap();
    for p in pages {
        assert!(
            p.duration_since(limited_at) >= Duration::from_millis(1900),
            "a page was asked {:?} after the rate limit, before its 2 s were over",
            p.duration_since(limited_at)
        );
    }
    assert!(stderr.contains("waiting 2 s"), "{stderr}");
}
