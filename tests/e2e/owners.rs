//! Ownership end to end (docs/owners.md): owners found through each source against the fake GitHub's
//! commits and contents endpoints, the commit cache across runs, per-team channels, and
//! `assign`.

use crate::common::{A, FakeGitHub, T1, Workdir, text};
use serde_json::{Value, json};

/// Six open alerts, each owned through another source (or not at all).
fn alerts() -> Vec<Value> {
    let mut v = Vec::new();
    // assignee
    v.push(A::new("acme/web", 1, "2026-10-01T00:00:00Z").json());
    // committer: c1 is ada's
    let mut a = A::new("acme/web", 2, "2026-10-02T00:00:00Z");
    a.assignee = None;
    a.location = Some(("config/app.yaml", "c1"));
    v.push(a.json());
    // bypasser: c2's e-mail is linked to no account, hubot pushed past push protection
    let mut a = A::new("acme/api", 1, "2026-10-03T00:00:00Z");
    a.assignee = None;
    a.bypassed = true;
    a.location = Some(("src/x.py", "c2"));
    v.push(a.json());
    // CODEOWNERS of acme/api: /deploy/ is acme/platform's
    let mut a = A::new("acme/api", 2, "2026-10-04T00:00:00Z");
    a.assignee = None;
    a.validity = Some("active");
    a.location = Some(("deploy/values.yaml", "c3"));
    v.push(a.json());
    // no CODEOWNERS: the configured team for ops-*
    let mut a = A::new("acme/ops-scripts", 1, "2026-10-05T00:00:00Z");
    a.assignee = None;
    a.location = Some(("run.sh", "c4"));
    v.push(a.json());
    // nothing: an unknown commit, no CODEOWNERS, no team
    let mut a = A::new("acme/other", 1, "2026-10-06T00:00:00Z");
    a.assignee = None;
    a.location = Some(("x.txt", "c5"));
    v.push(a.json());
    v
}

fn fake() -> FakeGitHub {
    let gh = FakeGitHub::start("acme", alerts());
    {
        let mut st = gh.state.lock().unwrap();
        st.commits.insert("c1".into(), Some("ada".into()));
        for sha in ["c2", "c3", "c4"] {
            st.commits.insert(sha.into(), None);
        }
        st.files.insert(
            ("acme/api".into(), ".github/CODEOWNERS".into()),
            "# owners\n* @acme/api\n/deploy/ @acme/platform\n*.md owner-without-at\n".into(),
        );
    }
    gh
}

fn config(api: &str) -> String {
    format!(
        "github:\n  org: acme\n  api_url: {api}\n  generic_secret_types: []\n\
         history: {{ path: state/history.jsonl }}\noutput: {{ dir: out }}\n\
         campaigns:\n  - {{ id: all, starts_on: 2026-10-01 }}\n\
         ownership:\n  teams:\n    acme/sre: [\"ops-*\"]\n"
    )
}

/// Keeps the GraphQL requests the fake received in `target/tmp/graphql/`, where `.ci/run`
/// validates them against GitHub's published schema (`tests/js/graphql-check.mjs`); with
/// the npm packages installed, they are validated here too.
fn check_graphql(gh: &FakeGitHub, name: &str) {
    let bodies = gh.state.lock().unwrap().graphql.clone();
    assert!(!bodies.is_empty(), "a GraphQL query was sent");
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("graphql");
    std::fs::create_dir_all(&dir).unwrap();
    let mut files = Vec::new();
    for (i, body) in bodies.iter().enumerate() {
        let file = dir.join(format!("{name}-{i}.json"));
        std::fs::write(&file, body).unwrap();
        files.push(file);
    }
    let js = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/js");
    if std::path::Path::new(js)
        .join("node_modules/graphql")
        .is_dir()
    {
        let out = std::process::Command::new("node")
            .arg(format!("{js}/graphql-check.mjs"))
            .args(&files)
            .output()
            .expect("node runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

fn requests(gh: &FakeGitHub, part: &str) -> usize {
    gh.seen().iter().filter(|r| r.path.contains(part)).count()
}

#[test]
fn owners_come_from_each_source_and_commits_are_asked_once() {
    let gh = fake();
    let w = Workdir::new(&config(&gh.url));
    let out = w.run(&["run", "-c", "config.yaml", "--as-of", T1]);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    let s = w.json("out/all/2026-11-23/summary.json");
    let owners: Vec<(String, String, u64, Value)> = s["owners"]["list"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (
                o["owner"].as_str().unwrap().to_string(),
                o["kind"].as_str().unwrap().to_string(),
                o["open"].as_u64().unwrap(),
                o["sources"].clone(),
            )
        })
        .collect();
    // at risk first (acme/platform's secret is active), then open, then name
    assert_eq!(
        owners,
        vec![
            (
                "acme/platform".into(),
                "team".into(),
                1,
                json!({"codeowners": 1})
            ),
            ("acme/sre".into(), "team".into(), 1, json!({"teams": 1})),
            ("ada".into(), "user".into(), 1, json!({"committer": 1})),
            ("hubot".into(), "user".into(), 1, json!({"bypasser": 1})),
            ("mona".into(), "user".into(), 1, json!({"assignee": 1})),
        ]
    );
    // every alert is older than the 30-day SLA: at risk
    assert_eq!(s["owners"]["unowned"], json!({"open": 1, "at_risk": 1}));
    let top = &s["at_risk"]["top"][0];
    assert_eq!(
        (
            top["number"].as_u64(),
            top["owner"].as_str(),
            top["owner_source"].as_str()
        ),
        (Some(2), Some("acme/platform"), Some("codeowners"))
    );
    // five commits asked once, in one GraphQL query; the CODEOWNERS of the three
    // repositories that needed it (api: found at the first place; ops-scripts and other:
    // none of the three places) in one more
    assert_eq!(requests(&gh, "/graphql"), 2);
    assert_eq!(requests(&gh, "/commits/"), 0, "no REST lookup");
    assert_eq!(requests(&gh, "/contents/"), 0, "no REST lookup");
    check_graphql(&gh, "owners");
    assert!(
        stderr.contains("acme/api: .github/CODEOWNERS:4: skipped a line"),
        "{stderr}"
    );
    let md = w.read("out/all/2026-11-23/report.md");
    assert!(md.contains("## By owner"), "{md}");
    assert!(md.contains("| **No owner** | 1 | 1 |"), "{md}");
    assert!(md.contains("| acme/platform | 1 | 1 | 0 |"), "{md}");
    let cache: Value = serde_json::from_str(&w.read("state/commit-authors.json")).unwrap();
    assert_eq!(
        cache,
        json!({"c1": "ada", "c2": null, "c3": null, "c4": null, "c5": null})
    );
    assert!(!w.read("state/commit-authors.json").contains("CANARY"));

    // a week later: every commit is known, none is asked again
    gh.clear_seen();
    let out = w.run(&["run", "-c", "config.yaml", "--as-of", "2026-11-30"]);
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    assert_eq!(requests(&gh, "/commits/"), 0, "the cache answers");
    assert_eq!(
        requests(&gh, "/graphql"),
        1,
        "CODEOWNERS is read every run, commits are not asked again"
    );
    assert!(gh.state.lock().unwrap().graphql[2].contains("query Codeowners("));
    let s = w.json("out/all/2026-11-30/summary.json");
    assert_eq!(s["owners"]["list"].as_array().unwrap().len(), 5);
    // the week's report leads back to the index and to last week's
    let html = w.read("out/all/2026-11-30/report.html");
    assert!(
        html.contains(r#"<a href="../../index.html">All campaigns</a> · <a href="../2026-11-23/report.html">previous report (2026-11-23)</a>"#),
        "{html}"
    );
}

#[test]
fn a_short_budget_leaves_owners_unknown_and_says_why() {
    let gh = fake();
    // enough for the listings, not for the owner lookups; no GraphQL, so every lookup is REST
    gh.state.lock().unwrap().remaining = Some((3, 1_798_761_600));
    gh.state.lock().unwrap().graphql_broken = true;
    let w = Workdir::new(&config(&gh.url));
    let out = w.run(&["run", "-c", "config.yaml", "--as-of", T1]);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    assert_eq!(requests(&gh, "/commits/") + requests(&gh, "/contents/"), 0);
    let md = w.read("out/all/2026-11-23/report.md");
    assert!(
        md.contains(
            "5 open alerts: owner not looked up: the rate limit left no requests for it this run"
        ),
        "{md}"
    );
    let s = w.json("out/all/2026-11-23/summary.json");
    assert_eq!(s["owners"]["unowned"]["open"], 5);
    assert_eq!(s["owners"]["list"][0]["owner"], "mona");
}

/// A plan's entries as (repository, number, login, source).
fn planned(plan: &Value) -> Vec<(String, u64, String, String)> {
    plan["plan"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["repo"].as_str().unwrap().to_string(),
                p["number"].as_u64().unwrap(),
                p["login"].as_str().unwrap().to_string(),
                p["source"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn patches(gh: &FakeGitHub) -> Vec<(String, u64, String)> {
    gh.state
        .lock()
        .unwrap()
        .patches
        .iter()
        .map(|(r, n, b)| {
            (
                r.clone(),
                *n,
                b["assignee"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

#[test]
fn assign_plans_then_applies_once_with_the_422_fallback() {
    let gh = fake();
    {
        let mut st = gh.state.lock().unwrap();
        st.files.insert(
            ("acme/api".into(), ".github/CODEOWNERS".into()),
            "* @acme/api\n/deploy/ @acme/platform @grace @linus\n".into(),
        );
        st.cannot_write.push("grace".into());
    }
    let w = Workdir::new(&config(&gh.url));

    // the plan: nothing changes on GitHub
    let out = w.run(&["assign", "-c", "config.yaml"]);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    assert!(patches(&gh).is_empty(), "no PATCH without --apply");
    let plan = w.json("out/assign-plan.json");
    let planned = planned(&plan);
    assert_eq!(
        planned,
        vec![
            ("acme/web".into(), 2, "ada".into(), "committer".into()),
            ("acme/api".into(), 1, "hubot".into(), "bypasser".into()),
            ("acme/api".into(), 2, "grace".into(), "codeowners".into()),
        ]
    );
    let nobody: Vec<&str> = plan["not_assignable"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["repo"].as_str().unwrap())
        .collect();
    assert_eq!(
        nobody,
        ["acme/ops-scripts", "acme/other"],
        "teams cannot be assignees"
    );
    assert!(
        stdout.contains("acme/web #2") && stdout.contains("-> ada"),
        "{stdout}"
    );
    assert!(!w.path().join("state/assignments.jsonl").exists());

    // applied: the planned users, grace refused (422) and linus next
    let out = w.run(&["assign", "-c", "config.yaml", "--apply"]);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    assert_eq!(
        patches(&gh),
        vec![
            ("acme/web".into(), 2, "ada".into()),
            ("acme/api".into(), 1, "hubot".into()),
            ("acme/api".into(), 2, "grace".into()),
            ("acme/api".into(), 2, "linus".into()),
        ]
    );
    let trail: Vec<Value> = w
        .read("state/assignments.jsonl")
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let results: Vec<(String, String)> = trail
        .iter()
        .map(|r| {
            (
                format!("{} #{}", r["repo"].as_str().unwrap(), r["number"]),
                format!(
                    "{} {}",
                    r["login"].as_str().unwrap(),
                    r["result"].as_str().unwrap()
                ),
            )
        })
        .collect();
    assert_eq!(
        results,
        vec![
            ("acme/web #2".into(), "ada assigned".into()),
            ("acme/api #1".into(), "hubot assigned".into()),
            ("acme/api #2".into(), "grace no_write_access".into()),
            ("acme/api #2".into(), "linus assigned".into()),
            ("acme/ops-scripts #1".into(), " not_assignable".into()),
            ("acme/other #1".into(), " not_assignable".into()),
        ]
    );
    assert!(trail.iter().all(|r| r["time"].is_string()));

    // a rerun does nothing new
    let out = w.run(&["assign", "-c", "config.yaml", "--apply"]);
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    assert_eq!(patches(&gh).len(), 4, "no PATCH on a rerun");
    assert_eq!(w.read("state/assignments.jsonl").lines().count(), 6);
}

#[test]
fn a_token_that_cannot_write_alerts_is_named_as_such() {
    let gh = fake();
    gh.state.lock().unwrap().patch_status = Some(403);
    let w = Workdir::new(&config(&gh.url));
    let out = w.run(&["assign", "-c", "config.yaml", "--apply", "--max", "1"]);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{stdout}\n{stderr}");
    assert!(
        stderr.contains(
            "GitHub refused (403 Forbidden Resource not accessible by personal access token)"
        ) && stderr.contains("Secret scanning alerts: write"),
        "{stderr}"
    );
    assert_eq!(patches(&gh).len(), 1);
}

#[test]
fn a_channel_limited_to_owners_gets_only_their_alerts() {
    let gh = fake();
    let chat = crate::common::servers::ChatServer::start();
    let w = Workdir::new(
        &(config(&gh.url)
            + "delivery:\n  slack:\n    - { name: platform, webhook_env: HOOK_PLATFORM, owners: [\"acme/platform\", \"@ada\"] }\n    - { name: everyone, webhook_env: HOOK_ALL }\n  teams:\n    - { name: sre, webhook_env: HOOK_SRE, owners: [acme/sre] }\n  mentions:\n    ada: { slack: U024BE7LH }\n    Acme/Platform: { slack: S0614TZR7 }\n    acme/sre: { teams: { id: sre-lead@acme.example, name: SRE on call } }\n"),
    );
    let out = w
        .command(&["run", "-c", "config.yaml", "--as-of", T1])
        .env("HOOK_PLATFORM", format!("{}/slack/ok-platform", chat.url))
        .env("HOOK_ALL", format!("{}/slack/ok-all", chat.url))
        .env("HOOK_SRE", format!("{}/teams/ok-sre", chat.url))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    let body = |path: &str| String::from_utf8(chat.posts_to(path)[0].body.clone()).unwrap();
    let platform = body("/slack/ok-platform");
    assert!(
        platform.contains("acme/api #2") && platform.contains("acme/web #2"),
        "{platform}"
    );
    for other in [
        "acme/api #1",
        "acme/ops-scripts #1",
        "acme/other #1",
        "acme/web #1",
    ] {
        assert!(
            !platform.contains(other),
            "{other} is not theirs: {platform}"
        );
    }
    assert!(
        platform.contains("*2* open for acme/platform, @ada · *2* at risk"),
        "their numbers, not the campaign's: {platform}"
    );
    assert!(!platform.contains("*6* open"), "{platform}");
    let everyone = body("/slack/ok-all");
    assert!(everyone.contains("*6* open"), "{everyone}");
    // mapped owners are mentions that reach them; the others stay plain text
    assert!(
        platform.contains("<!subteam^S0614TZR7> (CODEOWNERS") && platform.contains("<@U024BE7LH>"),
        "{platform}"
    );
    assert!(!platform.contains("@ada ("), "{platform}");
    let sre = body("/teams/ok-sre");
    assert!(
        sre.contains("acme/ops-scripts") && !sre.contains("acme/web"),
        "{sre}"
    );
    assert!(sre.contains("Open for you"), "{sre}");
    // the Teams card mentions the mapped owner, and says who that is in its entities
    let card: Value = serde_json::from_str(&sre).unwrap();
    let content = &card["attachments"][0]["content"];
    assert!(
        content.to_string().contains("<at>SRE on call</at>"),
        "{sre}"
    );
    assert_eq!(
        content["msteams"]["entities"],
        json!([{"type": "mention", "text": "<at>SRE on call</at>",
                "mentioned": {"id": "sre-lead@acme.example", "name": "SRE on call"}}])
    );
}

/// Without GraphQL, owner lookups go over REST with up to four requests in flight, never
/// more, and a commit that added secrets to two repositories (a fork, a mirror) is asked
/// about once.
#[test]
fn lookups_go_four_at_a_time_and_a_shared_commit_is_asked_once() {
    let shas: Vec<String> = (0..12).map(|i| format!("{:040x}", 0xc0ffee + i)).collect();
    let mut alerts = Vec::new();
    for (i, sha) in shas.iter().enumerate() {
        let sha: &'static str = Box::leak(sha.clone().into_boxed_str());
        let mut a = A::new("acme/web", i as u64 + 1, "2026-10-02T00:00:00Z");
        a.assignee = None;
        a.location = Some(("config/app.yaml", sha));
        alerts.push(a.json());
    }
    // the first commit again, in another repository
    let mut twin = A::new("acme/web-mirror", 1, "2026-10-02T00:00:00Z");
    twin.assignee = None;
    twin.location = Some((
        "config/app.yaml",
        Box::leak(shas[0].clone().into_boxed_str()),
    ));
    alerts.push(twin.json());
    let gh = FakeGitHub::start("acme", alerts);
    gh.set_lookup_latency(std::time::Duration::from_millis(100));
    {
        let mut st = gh.state.lock().unwrap();
        st.graphql_broken = true;
        for sha in &shas {
            st.commits.insert(sha.clone(), Some("ada".into()));
        }
    }
    let w = Workdir::new(&format!(
        "github:\n  org: acme\n  api_url: {}\n  generic_secret_types: []\n\
         history: {{ path: state/history.jsonl }}\noutput: {{ dir: out }}\n\
         campaigns:\n  - {{ id: all, starts_on: 2026-10-01 }}\n",
        gh.url
    ));
    let out = w.run(&["run", "-c", "config.yaml", "--as-of", T1]);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    assert!(
        stderr.contains("commit authors are asked over REST"),
        "{stderr}"
    );
    // the query it tried first: twelve commits, the shared one once
    check_graphql(&gh, "two-repositories");
    let commits: Vec<String> = gh
        .seen()
        .into_iter()
        .map(|r| r.path)
        .filter(|p| p.contains("/commits/"))
        .collect();
    assert_eq!(commits.len(), 12, "{commits:?}");
    assert_eq!(gh.state.lock().unwrap().max_lookups_in_flight, 4);
    let s = w.json("out/all/2026-11-23/summary.json");
    assert_eq!(s["owners"]["list"][0]["owner"], "ada");
    assert_eq!(s["owners"]["list"][0]["open"], 13);
}

/// `assign --source fixture:` plans offline: no token, no GitHub (nothing listens at the
/// configured address), commit authors from the cache, the rest waiting with why; applying
/// from a file is refused.
#[test]
fn assign_plans_offline_from_a_file_of_alerts() {
    let w = Workdir::new(&config("http://127.0.0.1:9"));
    std::fs::write(
        w.path().join("alerts.json"),
        serde_json::to_string(&alerts()).unwrap(),
    )
    .unwrap();
    std::fs::create_dir_all(w.path().join("state")).unwrap();
    std::fs::write(
        w.path().join("state/commit-authors.json"),
        r#"{"c1": "ada", "c2": null}"#,
    )
    .unwrap();
    let out = w
        .command(&[
            "assign",
            "-c",
            "config.yaml",
            "--source",
            "fixture:alerts.json",
        ])
        .env_remove("GITHUB_TOKEN")
        .output()
        .unwrap();
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    let plan = w.json("out/assign-plan.json");
    let planned = planned(&plan);
    assert_eq!(
        planned,
        vec![
            ("acme/web".into(), 2, "ada".into(), "committer".into()),
            ("acme/api".into(), 1, "hubot".into(), "bypasser".into()),
        ],
        "{plan}"
    );
    let waiting = plan["waiting"].as_array().unwrap();
    assert!(!waiting.is_empty(), "{plan}");
    assert!(
        waiting
            .iter()
            .all(|w| w["why"].as_str().unwrap().contains("replayed from a file")),
        "{plan}"
    );
    assert!(!w.path().join("state/assignments.jsonl").exists());

    let out = w.run(&[
        "assign",
        "-c",
        "config.yaml",
        "--apply",
        "--source",
        "fixture:alerts.json",
    ]);
    assert_eq!(out.status.code(), Some(2), "{:?}", text(&out));
}
