//! What GitHub and the state folder say is checked before it is used: alerts of other
//! accounts or of `..` are refused, a lookup that failed makes an alert wait rather than go
//! to the next candidate, `--max` bounds the writes, and CODEOWNERS files over GitHub's 1 MB
//! JSON limit are read as raw bytes.

use crate::common::servers::ChatServer;
use crate::common::{A, FakeGitHub, T1, Workdir, text};
use serde_json::Value;

fn config(api: &str) -> String {
    format!(
        "github:\n  org: acme\n  api_url: {api}\n  generic_secret_types: []\n\
         history: {{ path: state/history.jsonl }}\noutput: {{ dir: out }}\n\
         campaigns:\n  - {{ id: all, starts_on: 2026-10-01 }}\n"
    )
}

fn unassigned(repo: &'static str, number: u64, location: (&'static str, &'static str)) -> A {
    let mut a = A::new(repo, number, "2026-10-02T00:00:00Z");
    a.assignee = None;
    a.location = Some(location);
    a
}

#[test]
fn alerts_of_other_accounts_and_of_dot_dot_are_refused() {
    let alerts = vec![
        unassigned("acme/web", 1, ("config/app.yaml", "c1")).json(),
        unassigned("victim/payroll", 7, ("pay.env", "c1")).json(),
        unassigned("acme/..", 4, ("x.env", "c1")).json(),
        unassigned("ACME/api", 2, ("y.env", "c1")).json(),
    ];
    let gh = FakeGitHub::start("acme", alerts);
    gh.state
        .lock()
        .unwrap()
        .commits
        .insert("c1".into(), Some("ada".into()));
    let w = Workdir::new(&config(&gh.url));

    let out = w.run(&["assign", "-c", "config.yaml", "--apply"]);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    assert!(stderr.contains("not the organization's"), "{stderr}");
    let patched: Vec<String> = gh
        .state
        .lock()
        .unwrap()
        .patches
        .iter()
        .map(|(repo, n, _)| format!("{repo} #{n}"))
        .collect();
    // the owner is compared case-insensitively, as GitHub does
    assert_eq!(patched, ["ACME/api #2", "acme/web #1"]);
    let seen: Vec<String> = gh.seen().into_iter().map(|r| r.path).collect();
    assert!(
        !seen
            .iter()
            .any(|p| p.contains("victim") || p.contains("/..")),
        "no request for a foreign or `..` repository: {seen:?}"
    );

    let out = w.run(&["run", "-c", "config.yaml", "--as-of", T1]);
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    let s = w.json("out/all/2026-11-23/summary.json");
    assert_eq!(
        s["totals"]["total"], 2,
        "only the organization's alerts count"
    );
}

#[test]
fn a_commit_that_could_not_be_read_makes_its_alert_wait() {
    let mut bypassed = unassigned("acme/web", 1, ("config/app.yaml", "c1"));
    bypassed.bypassed = true;
    let alerts = vec![
        bypassed.json(),
        unassigned("acme/api", 2, ("src/a.py", "c2")).json(),
    ];
    let gh = FakeGitHub::start("acme", alerts);
    {
        let mut st = gh.state.lock().unwrap();
        st.failing_commits.push("c1".into());
        st.commits.insert("c2".into(), Some("linus".into()));
    }
    let w = Workdir::new(&config(&gh.url));
    let out = w.run(&["assign", "-c", "config.yaml", "--apply"]);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    let patched: Vec<(String, u64, String)> = gh
        .state
        .lock()
        .unwrap()
        .patches
        .iter()
        .map(|(r, n, b)| (r.clone(), *n, b["assignee"].as_str().unwrap_or("").into()))
        .collect();
    // the bypasser is not the committer: the alert waits, and the lookups after it go on
    assert_eq!(patched, [("acme/api".to_string(), 2, "linus".to_string())]);
    let plan = w.json("out/assign-plan.json");
    assert_eq!(plan["waiting"][0]["repo"], "acme/web", "{plan}");
    assert!(
        plan["waiting"][0]["why"]
            .as_str()
            .unwrap()
            .contains("could not be read")
    );
    assert!(
        stdout.contains("acme/web #1") && stdout.contains("waits"),
        "{stdout}"
    );
    let trail = std::fs::read_to_string(w.path().join("state/assignments.jsonl")).unwrap();
    assert!(
        !trail.contains("\"number\":1,"),
        "nothing settled for the waiting alert: {trail}"
    );
}

#[test]
fn max_counts_writes_and_an_alert_gets_at_most_five_candidates() {
    let gh = FakeGitHub::start(
        "acme",
        vec![unassigned("acme/api", 3, ("deploy/x.env", "c3")).json()],
    );
    let users: Vec<String> = (1..=40).map(|i| format!("user{i}")).collect();
    {
        let mut st = gh.state.lock().unwrap();
        st.commits.insert("c3".into(), None);
        st.cannot_write = users.clone();
        let line: Vec<String> = users.iter().map(|u| format!("@{u}")).collect();
        st.files.insert(
            ("acme/api".into(), ".github/CODEOWNERS".into()),
            format!("* {}\n", line.join(" ")),
        );
    }
    let w = Workdir::new(&config(&gh.url));
    let patches = || gh.state.lock().unwrap().patches.len();

    let out = w.run(&["assign", "-c", "config.yaml", "--apply", "--max", "1"]);
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    assert_eq!(patches(), 1, "--max 1 sends one PATCH");

    // later runs go on from the next candidate, up to five in all, then settle the alert
    for _ in 0..3 {
        let out = w.run(&["assign", "-c", "config.yaml", "--apply"]);
        assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    }
    assert_eq!(patches(), 5);
    let trail = std::fs::read_to_string(w.path().join("state/assignments.jsonl")).unwrap();
    assert_eq!(trail.matches("no_write_access").count(), 5);
    assert_eq!(trail.matches("not_assignable").count(), 1, "{trail}");
}

#[test]
fn a_codeowners_file_over_one_megabyte_is_read_raw_over_rest_and_wins_over_the_root_one() {
    let gh = FakeGitHub::start(
        "acme",
        vec![unassigned("acme/api", 1, ("deploy/x.env", "c1")).json()],
    );
    {
        let mut st = gh.state.lock().unwrap();
        st.commits.insert("c1".into(), None);
        let padding = "# a long comment line of the kind a generated file has\n".repeat(25_000);
        assert!(padding.len() > 1024 * 1024);
        st.files.insert(
            ("acme/api".into(), ".github/CODEOWNERS".into()),
            format!("{padding}/deploy/ @ada\n"),
        );
        st.files
            .insert(("acme/api".into(), "CODEOWNERS".into()), "* @eve\n".into());
    }
    let w = Workdir::new(&config(&gh.url));
    let out = w.run(&["run", "-c", "config.yaml", "--as-of", T1]);
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    let s = w.json("out/all/2026-11-23/summary.json");
    let owners: Vec<&Value> = s["owners"]["list"].as_array().unwrap().iter().collect();
    assert_eq!(owners.len(), 1, "{owners:?}");
    assert_eq!(owners[0]["owner"], "ada");
    assert!(
        gh.seen()
            .iter()
            .any(|r| r.path.ends_with("/.github/CODEOWNERS")
                && r.accept.as_deref() == Some("application/vnd.github.raw+json")),
        "the large file is asked for as raw bytes"
    );
    // GraphQL was asked first, and its text (cut at 512,000 bytes) was not taken
    assert!(
        gh.state
            .lock()
            .unwrap()
            .graphql
            .iter()
            .any(|b| b.contains("query Codeowners(")),
        "CODEOWNERS is asked by GraphQL first"
    );
    assert!(
        !gh.seen()
            .iter()
            .any(|r| r.path.ends_with("/contents/CODEOWNERS")),
        "the root CODEOWNERS is not read when .github/CODEOWNERS exists"
    );
}

/// A tampered alert store (a resolved alert repeated, another organization's resolved alert
/// added) is refused with a warning: the run reads everything, and its numbers are those of
/// an untouched twin.
#[test]
fn a_tampered_alert_store_is_refused_and_no_number_comes_from_it() {
    let mut fixed = A::new("acme/web", 2, "2026-10-03T00:00:00Z");
    fixed.resolved = Some(("2026-11-20T00:00:00Z", "revoked"));
    let alerts = vec![
        A::new("acme/web", 1, "2026-10-02T00:00:00Z").json(),
        fixed.json(),
    ];
    let gh = FakeGitHub::start("acme", alerts);
    let tampered = Workdir::new(&config(&gh.url));
    let twin = Workdir::new(&config(&gh.url));
    for w in [&tampered, &twin] {
        let out = w.run(&["run", "-c", "config.yaml", "--as-of", T1]);
        assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    }
    let store = tampered.path().join("state/alerts.jsonl");
    let text_before = std::fs::read_to_string(&store).unwrap();
    let lines: Vec<&str> = text_before.lines().collect();
    let resolved = lines
        .iter()
        .find(|l| l.contains("\"resolved\""))
        .expect("the store holds the resolved alert");
    let foreign = resolved.replace("acme/web", "zeta/web");
    let header = lines[0].replace(
        &format!("\"alerts\":{}", lines.len() - 1),
        &format!("\"alerts\":{}", lines.len() + 1),
    );
    let mut text_after = vec![header];
    text_after.extend(lines[1..].iter().map(|l| l.to_string()));
    text_after.push(resolved.to_string());
    text_after.push(foreign);
    std::fs::write(&store, text_after.join("\n") + "\n").unwrap();

    let out = tampered.run(&["run", "-c", "config.yaml", "--as-of", "2026-11-30"]);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    assert!(stderr.contains("the alert store is not used"), "{stderr}");
    let out = twin.run(&["run", "-c", "config.yaml", "--as-of", "2026-11-30"]);
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    let summary = "out/all/2026-11-30/summary.json";
    assert_eq!(tampered.read(summary), twin.read(summary));
    assert!(!tampered.read("state/alerts.jsonl").contains("zeta/"));
}

/// An alert whose path is 30,000 characters, in a repository whose CODEOWNERS names a
/// 26,000-character login, still fits every chat message: both channels hear of it (and of
/// the ordinary alert beside it), the records are kept and the next run sends nothing again.
#[test]
fn one_alert_with_huge_texts_does_not_silence_a_chat_channel() {
    let path: &'static str =
        Box::leak(format!("src/{}.env", "deep/".repeat(6_000)).into_boxed_str());
    let mut huge = unassigned("acme/web", 1, (path, "c1"));
    huge.validity = Some("active");
    let mut plain = unassigned("acme/api", 2, ("config/.env", "c2"));
    plain.validity = Some("active");
    let gh = FakeGitHub::start("acme", vec![huge.json(), plain.json()]);
    {
        let mut st = gh.state.lock().unwrap();
        st.commits.insert("c1".into(), None);
        st.commits.insert("c2".into(), None);
        let login = "x".repeat(26_000);
        st.files.insert(
            ("acme/web".into(), ".github/CODEOWNERS".into()),
            format!("* @{login}\n"),
        );
    }
    let chat = ChatServer::start();
    let w = Workdir::new(
        &(config(&gh.url)
            + "delivery:\n  slack:\n    - { name: secops, webhook_env: HOOK_SLACK }\n  \
           teams:\n    - { name: leadership, webhook_env: HOOK_TEAMS }\n\
           escalation:\n  - name: active\n    when: \"validity:active\"\n    after: 24h\n    \
           notify: [secops, teams:leadership]\n"),
    );
    let escalate = |as_of: &str| {
        w.command(&[
            "run",
            "-c",
            "config.yaml",
            "--only",
            "escalate",
            "--as-of",
            as_of,
        ])
        .env("HOOK_SLACK", format!("{}/slack/ok-secops", chat.url))
        .env("HOOK_TEAMS", format!("{}/teams/ok-leadership", chat.url))
        .output()
        .unwrap()
    };
    let out = escalate(T1);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    let posts = chat.posts();
    assert_eq!(posts.len(), 2, "one message a channel: {stdout}");
    for p in &posts {
        let body = String::from_utf8(p.body.clone()).unwrap();
        // Teams refuses a card over 28 KB; Slack a section text over 3,000 characters
        assert!(body.len() < 28_000, "{} is {} bytes", p.path, body.len());
        assert!(
            body.contains("acme/web") && body.contains("acme/api"),
            "{body:.2000}"
        );
        assert!(
            !body.contains(&"x".repeat(200)),
            "the login is not sent whole"
        );
        assert!(
            !body.contains(&"deep/".repeat(100)),
            "the path is not sent whole"
        );
    }
    for block in posts
        .iter()
        .find(|p| p.path.starts_with("/slack"))
        .unwrap()
        .json()["blocks"]
        .as_array()
        .unwrap()
    {
        if let Some(t) = block["text"]["text"].as_str() {
            assert!(t.chars().count() <= 3_000, "a Slack section of {}", t.len());
        }
    }
    assert_eq!(w.read("state/escalations.jsonl").lines().count(), 4);
    let out = escalate("2026-11-24");
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    assert_eq!(chat.posts().len(), 2, "nothing is sent twice");
}
