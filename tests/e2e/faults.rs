//! GitHub misbehaving: server errors, rate limits, bad credentials, redirects, foreign links
//! and leaked secrets. Each test would fail if the promise it checks broke.

use crate::common::{FakeGitHub, Fault, T1, Workdir, config, scenario, text};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

fn run(w: &Workdir) -> (Option<i32>, String, String) {
    let out = w.run(&["run", "-c", "config.yaml", "--as-of", T1]);
    let (o, e) = text(&out);
    (out.status.code(), o, e)
}

/// A listener on another origin that counts connections.
fn other_origin() -> (String, Arc<AtomicUsize>) {
    let hits = Arc::new(AtomicUsize::new(0));
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let counter = hits.clone();
    std::thread::spawn(move || {
        for _ in listener.incoming() {
            counter.fetch_add(1, Ordering::SeqCst);
        }
    });
    (url, hits)
}

#[test]
fn server_errors_are_retried_with_backoff() {
    let gh = FakeGitHub::start("acme", scenario());
    gh.fail_with([
        Fault::new(502, "{\"message\": \"Bad Gateway\"}"),
        Fault::new(503, "{\"message\": \"Unavailable\"}"),
    ]);
    let w = Workdir::new(&config(&gh.url));
    let started = Instant::now();
    let (code, _, stderr) = run(&w);
    assert_eq!(code, Some(0), "{stderr}");
    // the listings run at once, so the two faults may hit two of them (each waits 1 s) or
    // one of them twice (1 s, then 2 s)
    assert!(started.elapsed().as_secs() >= 1, "waited before retrying");
    assert!(
        stderr.contains("GitHub answered 502 Bad Gateway; retrying in 1 s"),
        "{stderr}"
    );
    assert!(
        stderr.contains("GitHub answered 503 Service Unavailable; retrying in 1 s")
            || stderr.contains("GitHub answered 503 Service Unavailable; retrying in 2 s"),
        "{stderr}"
    );
    assert_eq!(
        w.json("out/azure/2026-11-23/summary.json")["totals"]["open"],
        4
    );
}

#[test]
fn persistent_server_errors_fail_the_run_cleanly() {
    let gh = FakeGitHub::start("acme", scenario());
    // four listings run at once (default and generic, open and resolved), five attempts each
    gh.fail_with(vec![Fault::new(503, "{\"message\": \"Unavailable\"}"); 20]);
    let w = Workdir::new(&config(&gh.url));
    let (code, _, stderr) = run(&w);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains("GitHub kept failing (503 Unavailable) after retries; run again later"),
        "{stderr}"
    );
    let attempts = gh.alert_requests().len();
    assert!(
        (5..=20).contains(&attempts),
        "bounded: five attempts a listing, {attempts} made"
    );
    assert!(
        !w.path().join("state/history.jsonl").exists(),
        "a failed run writes no snapshot"
    );
    assert!(!w.path().join("out").exists());
}

#[test]
fn secondary_rate_limits_wait_out_retry_after() {
    let gh = FakeGitHub::start("acme", scenario());
    gh.fail_with([
        Fault::new(
            429,
            "{\"message\": \"You have exceeded a secondary rate limit\"}",
        )
        .header("retry-after", "1"),
        Fault::new(
            403,
            "{\"message\": \"You have exceeded a secondary rate limit\"}",
        )
        .header("retry-after", "1"),
    ]);
    let w = Workdir::new(&config(&gh.url));
    let (code, _, stderr) = run(&w);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        stderr.contains("GitHub rate limit (429 Too Many Requests): waiting 1 s"),
        "{stderr}"
    );
    assert!(
        stderr.contains("GitHub rate limit (403 Forbidden): waiting 1 s"),
        "{stderr}"
    );
}

#[test]
fn primary_limit_waits_for_the_reset_within_max_wait() {
    let gh = FakeGitHub::start("acme", scenario());
    let reset = chrono::Utc::now().timestamp() + 2;
    gh.fail_with([Fault::new(
        403,
        "{\"message\": \"API rate limit exceeded for user ID 1.\"}",
    )
    .header("x-ratelimit-remaining", "0")
    .header("x-ratelimit-reset", reset.to_string())]);
    let w = Workdir::new(&config(&gh.url));
    let (code, _, stderr) = run(&w);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        stderr.contains("GitHub rate limit (403 Forbidden): waiting"),
        "{stderr}"
    );
}

#[test]
fn primary_limit_beyond_max_wait_fails_saying_when_to_retry() {
    let gh = FakeGitHub::start("acme", scenario());
    let reset = chrono::Utc::now().timestamp() + 3600;
    gh.fail_with([Fault::new(
        403,
        "{\"message\": \"API rate limit exceeded for user ID 1.\"}",
    )
    .header("x-ratelimit-remaining", "0")
    .header("x-ratelimit-reset", reset.to_string())]);
    let cfg = config(&gh.url).replace("  org: acme\n", "  org: acme\n  max_wait: 1m\n");
    let w = Workdir::new(&cfg);
    let started = Instant::now();
    let (code, _, stderr) = run(&w);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(started.elapsed().as_secs() < 30, "did not wait an hour");
    let when = chrono::DateTime::from_timestamp(reset, 0)
        .unwrap()
        .format("%Y-%m-%d %H:%M UTC")
        .to_string();
    assert!(
        stderr.contains(&format!("GitHub's rate limit is exhausted until {when}")),
        "{stderr}"
    );
    assert!(
        stderr.contains("longer than github.max_wait (1m); run again after that time"),
        "{stderr}"
    );
    assert!(!w.path().join("state/history.jsonl").exists());
}

#[test]
fn an_exhausted_budget_is_seen_before_fetching() {
    let gh = FakeGitHub::start("acme", scenario());
    let reset = chrono::Utc::now().timestamp() + 7200;
    gh.state.lock().unwrap().remaining = Some((0, reset));
    let cfg = config(&gh.url).replace("  org: acme\n", "  org: acme\n  max_wait: 10m\n");
    let w = Workdir::new(&cfg);
    let (code, _, stderr) = run(&w);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains("0 of 5000 requests left"),
        "says what is left: {stderr}"
    );
    assert!(
        stderr.contains("this run needs at least 4"),
        "and what it needs: {stderr}"
    );
    assert!(stderr.contains("exhausted until"), "{stderr}");
    assert!(gh.alert_requests().is_empty(), "no alert request was spent");
}

#[test]
fn credentials_and_disabled_secret_scanning_are_plain_sentences() {
    let cases = [
        (
            Fault::new(
                401,
                "{\"message\": \"Bad credentials\", \"status\": \"401\"}",
            ),
            "GitHub rejected the token in GITHUB_TOKEN (401 Bad credentials). It is wrong, expired or revoked",
        ),
        (
            Fault::new(
                403,
                "{\"message\": \"Resource not accessible by personal access token\"}",
            ),
            "a classic token with the `security_events` scope, or a fine-grained token or GitHub App with the repository permission \"Secret scanning alerts: read\"",
        ),
        (
            Fault::new(
                403,
                "{\"message\": \"Resource not accessible by personal access token\"}",
            )
            .header(
                "x-accepted-github-permissions",
                "secret_scanning_alerts=read",
            ),
            "It lacks the permission `secret_scanning_alerts=read`",
        ),
        (
            Fault::new(
                403,
                "{\"message\": \"Resource not accessible by integration\"}",
            )
            .header("x-oauth-scopes", "read:org, repo:status")
            .header("x-accepted-oauth-scopes", "security_events, repo"),
            "GitHub accepts `security_events, repo` here and the token has `read:org, repo:status`",
        ),
        (
            Fault::new(
                404,
                "{\"message\": \"Secret scanning is disabled on this organization.\"}",
            ),
            "secret scanning is disabled for the organization `acme`",
        ),
        (
            Fault::new(
                403,
                "{\"message\": \"Secret scanning is disabled on this organization.\"}",
            ),
            "secret scanning is disabled for the organization `acme`",
        ),
    ];
    for (fault, expected) in cases {
        let gh = FakeGitHub::start("acme", scenario());
        gh.fail_with([fault]);
        let w = Workdir::new(&config(&gh.url));
        let (code, _, stderr) = run(&w);
        assert_eq!(code, Some(1), "{stderr}");
        assert!(stderr.contains(expected), "{expected}\n{stderr}");
        assert!(!stderr.contains("panicked"));
        // the listings run at once; the refused one is not asked again
        let asked: Vec<String> = gh
            .alert_requests()
            .iter()
            .map(|r| r.raw_query.clone())
            .collect();
        let distinct: std::collections::HashSet<&String> = asked.iter().collect();
        assert_eq!(distinct.len(), asked.len(), "not retried: {asked:?}");
        assert!(asked.len() <= 4, "{asked:?}");
    }
}

#[test]
fn a_redirect_to_another_origin_is_not_followed() {
    let (other, hits) = other_origin();
    let gh = FakeGitHub::start("acme", scenario());
    gh.fail_with([Fault::new(302, "").header(
        "location",
        format!("{other}/orgs/acme/secret-scanning/alerts"),
    )]);
    let w = Workdir::new(&config(&gh.url));
    let (code, _, stderr) = run(&w);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains(&format!("a redirect to {other}")),
        "{stderr}"
    );
    assert!(stderr.contains("redirects are not followed"), "{stderr}");
    std::thread::sleep(std::time::Duration::from_millis(200));
    assert_eq!(
        hits.load(Ordering::SeqCst),
        0,
        "the other origin got nothing"
    );
}

#[test]
fn next_links_to_another_host_port_or_scheme_are_refused() {
    let gh = FakeGitHub::start("acme", crate::common::many_alerts(150));
    let port = gh.url.rsplit(':').next().unwrap().to_string();
    let (other, hits) = other_origin();
    for origin in [
        other.clone(),
        format!("https://127.0.0.1:{port}"),
        format!("http://localhost:{port}"),
    ] {
        gh.state.lock().unwrap().next_origin = Some(origin.clone());
        let w = Workdir::new(&config(&gh.url));
        let (code, _, stderr) = run(&w);
        assert_eq!(code, Some(1), "{origin}: {stderr}");
        assert!(
            stderr.contains(&format!(
                "points to {origin}, not to the configured API at {}",
                gh.url
            )),
            "{stderr}"
        );
    }
    std::thread::sleep(std::time::Duration::from_millis(200));
    assert_eq!(hits.load(Ordering::SeqCst), 0);
}

#[test]
fn a_server_that_sends_secrets_anyway_leaks_nothing_anywhere() {
    let gh = FakeGitHub::start("acme", scenario());
    gh.state.lock().unwrap().ignore_hide_secret = true;
    let cfg = config(&gh.url)
        + "delivery:\n  email: {smtp_url_env: SMTP_URL, from: a@acme.example, to: [b@acme.example]}\n  slack: [{name: s, webhook_env: SLACK_URL}]\n  teams: [{name: t, webhook_env: TEAMS_URL}]\n";
    let w = Workdir::new(&cfg);
    let smtp_password = "smtp-CANARY-pass";
    let hook = "https://hooks.example/services/CANARY-HOOK";
    let runs = [
        vec![
            "-vv",
            "run",
            "-c",
            "config.yaml",
            "--as-of",
            T1,
            "--dry-run",
        ],
        vec![
            "-vv",
            "run",
            "-c",
            "config.yaml",
            "--as-of",
            T1,
            "--no-send",
        ],
        vec!["-vv", "check", "-c", "config.yaml"],
        vec![
            "-vv",
            "report",
            "-c",
            "config.yaml",
            "--as-of",
            T1,
            "--force",
        ],
    ];
    for args in runs {
        let out = w
            .command(&args)
            .env(
                "SMTP_URL",
                format!("smtps://user:{smtp_password}@mail.example"),
            )
            .env("SLACK_URL", hook)
            .env("TEAMS_URL", hook)
            .output()
            .unwrap();
        let (stdout, stderr) = text(&out);
        assert_eq!(out.status.code(), Some(0), "{args:?}\n{stderr}");
        if args[1] != "report" {
            assert!(
                stderr.contains("TRACE") || stderr.contains("DEBUG"),
                "verbose logs were on: {stderr}"
            );
        }
        for canary in ["CANARY", crate::common::TOKEN, "hooks.example"] {
            assert!(!stdout.contains(canary), "{args:?} stdout has {canary}");
            assert!(!stderr.contains(canary), "{args:?} stderr has {canary}");
        }
    }
    let mut files = 0;
    for (path, bytes) in w.all_files() {
        if path.ends_with("config.yaml") {
            continue;
        }
        files += 1;
        let content = String::from_utf8_lossy(&bytes);
        for canary in [
            "CANARY",
            crate::common::TOKEN,
            "hooks.example",
            "\"secret\"",
        ] {
            assert!(!content.contains(canary), "{} has {canary}", path.display());
        }
    }
    assert!(
        files > 15,
        "outputs, history and outbox were checked ({files} files)"
    );
    // the server did send the secret: the test would see a leak
    let seen = gh.alert_requests();
    assert!(
        seen.iter()
            .all(|r| r.query.get("hide_secret").map(String::as_str) == Some("true"))
    );
}
