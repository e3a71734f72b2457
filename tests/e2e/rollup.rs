//! Many organizations (SPEC §15): one run over `github.orgs` against the test GitHub — one
//! organization read with its own App installation, one whose token lacks access — and
//! `rollup` over the same organizations run one by one, as an Actions matrix would.

use crate::common::servers::{ChatServer, SmtpServer};
use crate::common::{A, FakeGitHub, T1, TOKEN, Workdir, scenario, text};
use serde_json::Value;

const CAMPAIGNS: &str = "campaigns:
  - id: azure
    filter: \"is:open provider:azure\"
    starts_on: 2026-10-01
    due_on: 2026-12-31
  - id: generic
    filter: \"results:generic\"
    starts_on: 2026-11-01
";

/// acme's scenario, and globex's own alerts (initech has some too, but cannot be read).
fn alerts() -> Vec<Value> {
    let mut v = scenario();
    for (n, created, resolved) in [
        (1, "2026-10-05T00:00:00Z", None),
        (
            2,
            "2026-10-20T00:00:00Z",
            Some(("2026-11-20T00:00:00Z", "revoked")),
        ),
        (3, "2026-11-18T00:00:00Z", None),
    ] {
        let mut a = A::new("globex/api", n, created);
        a.resolved = resolved;
        a.public = n == 3;
        v.push(a.json());
    }
    v.push(A::new("initech/web", 1, "2026-10-01T00:00:00Z").json());
    v
}

fn start() -> (FakeGitHub, String) {
    let (private, public) = crate::setup::app_key();
    let gh = FakeGitHub::start("acme", alerts());
    gh.serve_orgs(&["globex", "initech"]);
    {
        let mut st = gh.state.lock().unwrap();
        st.app = Some((123, 456, public));
        st.app_orgs = vec!["globex".into()];
        st.forbidden_orgs = vec!["initech".into()];
    }
    (gh, private)
}

fn many_config(api: &str, channels: &str) -> String {
    format!(
        "github:
  api_url: {api}
  orgs:
    - acme
    - {{ name: globex, app: {{ app_id: 123, installation_id: 456, private_key_env: GH_APP_KEY }} }}
    - initech
history:
  path: state/history.jsonl
output:
  dir: out
{CAMPAIGNS}  - {{ id: globex-public, org: globex, filter: publicly-leaked }}
{channels}"
    )
}

fn totals(w: &Workdir, rel: &str) -> Value {
    w.json(rel)["totals"].clone()
}

#[test]
fn one_run_over_three_organizations_rolls_them_up_and_names_the_one_it_cannot_read() {
    let (gh, key) = start();
    let smtp = SmtpServer::start(false);
    let chat = ChatServer::start();
    let channels = "delivery:
  email: { smtp_url_env: TEST_SMTP_URL, from: security@acme.example, to: [ciso@acme.example] }
  slack: [ { name: secops, webhook_env: HOOK_SLACK } ]
  teams: [ { name: leadership, webhook_env: HOOK_TEAMS } ]
";
    let w = Workdir::new(&many_config(&gh.url, channels));
    let run = |args: &[&str]| {
        w.command(args)
            .env("GH_APP_KEY", &key)
            .env("TEST_SMTP_URL", smtp.url())
            .env("HOOK_SLACK", format!("{}/slack/ok", chat.url))
            .env("HOOK_TEAMS", format!("{}/teams/ok", chat.url))
            .output()
            .unwrap()
    };
    let out = run(&["run", "-c", "config.yaml", "--as-of", T1]);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(3), "{stdout}\n{stderr}");
    assert!(stderr.contains("initech"), "{stderr}");

    // each organization's reports and history in its own folders; none for initech
    for org in ["acme", "globex"] {
        assert!(
            w.path()
                .join(format!("out/{org}/azure/{T1}/report.html"))
                .is_file()
        );
        assert!(
            w.path()
                .join(format!("out/{org}/overview/summary.json"))
                .is_file()
        );
        assert!(
            w.path()
                .join(format!("state/{org}/history.jsonl"))
                .is_file()
        );
    }
    assert!(!w.path().join("out/initech").join("azure").exists());
    assert!(
        w.path()
            .join(format!("out/globex/globex-public/{T1}/summary.json"))
            .is_file()
    );
    assert!(!w.path().join("out/acme/globex-public").exists());
    // globex was read with its own installation: its listings carried the installation token
    assert!(gh.state.lock().unwrap().minted >= 1);

    // the roll-up: every number traceable to its organization's report, sums that add up
    let r = w.json("out/rollup.json");
    assert_eq!(r["schema"], "campaign-pulse/rollup/v1");
    assert_eq!(r["orgs"], serde_json::json!(["acme", "globex"]));
    assert_eq!(r["failed_orgs"][0]["org"], "initech");
    assert!(
        r["failed_orgs"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("403"),
        "{r}"
    );
    let campaigns = r["campaigns"].as_array().unwrap();
    let azure = campaigns.iter().find(|c| c["id"] == "azure").unwrap();
    for key in [
        "open",
        "closed",
        "total",
        "resolved_this_week",
        "new_this_week",
    ] {
        let sum: u64 = ["acme", "globex"]
            .iter()
            .map(|org| {
                totals(&w, &format!("out/{org}/azure/{T1}/summary.json"))[key]
                    .as_u64()
                    .unwrap()
            })
            .sum();
        assert_eq!(azure["sums"][key].as_u64(), Some(sum), "{key}");
    }
    for line in azure["orgs"].as_array().unwrap() {
        let org = line["org"].as_str().unwrap();
        let s = w.json(&format!("out/{org}/azure/{T1}/summary.json"));
        assert_eq!(line["totals"], s["totals"], "{org}");
        assert_eq!(line["status"], s["forecast"]["status"], "{org}");
        assert_eq!(line["report"], format!("{org}/azure/{T1}/report.html"));
    }
    let public = campaigns
        .iter()
        .find(|c| c["id"] == "globex-public")
        .unwrap();
    assert_eq!(public["orgs"].as_array().unwrap().len(), 1);
    // most urgent first
    let severity = |s: &Value| match s.as_str().unwrap() {
        "overdue" => 0,
        "at_risk" => 1,
        "on_track" => 2,
        _ => 3,
    };
    assert!(
        campaigns
            .windows(2)
            .all(|p| severity(&p[0]["status"]) <= severity(&p[1]["status"]))
    );

    // the overview across them: each organization's overview in a line, added up
    let o = w.json("out/overview/summary.json");
    assert_eq!(o["schema"], "campaign-pulse/rollup-overview/v1");
    for kind in ["default", "generic"] {
        let sum: u64 = ["acme", "globex"]
            .iter()
            .map(|org| {
                w.json(&format!("out/{org}/overview/summary.json"))["results"][kind]["open"]
                    .as_u64()
                    .unwrap()
            })
            .sum();
        assert_eq!(o["totals"][kind]["open"].as_u64(), Some(sum), "{kind}");
    }
    assert!(
        w.read("out/overview/report.html")
            .contains("href=\"../globex/overview/report.html\"")
    );

    // the index links each organization's reports and names the one not read
    let index = w.read("out/index.html");
    assert!(
        index.contains(&format!("href=\"acme/azure/{T1}/report.html\"")),
        "{index}"
    );
    assert!(index.contains(&format!("href=\"globex/azure/{T1}/report.html\"")));
    assert!(index.contains("href=\"globex/overview/report.html\""));
    assert!(index.contains("initech"));

    // one digest per channel, across the organizations
    let slack = chat.posts_to("/slack/ok");
    assert_eq!(slack.len(), 1);
    let slack = String::from_utf8_lossy(&slack[0].body).to_string();
    assert!(
        slack.contains("Not in these numbers") && slack.contains("initech"),
        "{slack}"
    );
    assert!(
        slack.contains("· acme") && slack.contains("· globex"),
        "{slack}"
    );
    assert_eq!(chat.posts_to("/teams/ok").len(), 1);
    let mails = smtp.mails();
    assert_eq!(mails.len(), 1);
    assert!(String::from_utf8_lossy(&mails[0].data).contains("initech"));
    // delivered once: a rerun the same day sends nothing again
    let out = run(&["run", "-c", "config.yaml", "--as-of", T1]);
    assert_eq!(out.status.code(), Some(3), "{:?}", text(&out));
    assert_eq!(chat.posts_to("/slack/ok").len(), 1);
}

#[test]
fn adding_an_organization_leaves_the_others_history_as_it_was() {
    let (gh, key) = start();
    let one = many_config(&gh.url, "")
        .replace(
            "    - { name: globex, app: { app_id: 123, installation_id: 456, private_key_env: GH_APP_KEY } }\n    - initech\n",
            "",
        )
        .replace("  - { id: globex-public, org: globex, filter: publicly-leaked }\n", "");
    let w = Workdir::new(&one);
    let out = w
        .command(&["run", "-c", "config.yaml", "--as-of", T1])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    let before = w.read("state/acme/history.jsonl");
    std::fs::write(w.path().join("config.yaml"), many_config(&gh.url, "")).unwrap();
    let out = w
        .command(&["run", "-c", "config.yaml", "--as-of", T1])
        .env("GH_APP_KEY", &key)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "{:?}", text(&out));
    assert_eq!(w.read("state/acme/history.jsonl"), before);
    assert!(w.path().join("state/globex/history.jsonl").is_file());
}

#[test]
fn rollup_of_a_matrix_of_runs_equals_the_single_run() {
    let (gh, key) = start();
    // the single run
    let single = Workdir::new(&many_config(&gh.url, ""));
    let out = single
        .command(&["run", "-c", "config.yaml", "--as-of", T1])
        .env("GH_APP_KEY", &key)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "{:?}", text(&out));

    // the matrix: one configuration and one history per organization, into site/<org>
    let w = Workdir::new(&many_config(&gh.url, ""));
    let job = |org: &str, extra: &str, campaigns: &str| {
        let cfg = format!(
            "github:\n  api_url: {}\n  org: {org}\n{extra}history:\n  path: state-{org}/history.jsonl\noutput:\n  dir: runs/{org}\n{CAMPAIGNS}{campaigns}",
            gh.url
        );
        std::fs::write(w.path().join(format!("{org}.yaml")), cfg).unwrap();
        w.command(&["run", "-c", &format!("{org}.yaml"), "--as-of", T1])
            .env("GH_APP_KEY", &key)
            .env("GITHUB_TOKEN", TOKEN)
            .output()
            .unwrap()
    };
    assert_eq!(job("acme", "", "").status.code(), Some(0));
    let globex = job(
        "globex",
        "  app: { app_id: 123, installation_id: 456, private_key_env: GH_APP_KEY }\n",
        "  - { id: globex-public, filter: publicly-leaked }\n",
    );
    assert_eq!(globex.status.code(), Some(0), "{:?}", text(&globex));
    assert_eq!(
        job("initech", "", "").status.code(),
        Some(1),
        "403: nothing to report"
    );

    // initech's job failed and left nothing: the configuration still names it
    let out = w.run(&[
        "rollup",
        "-c",
        "config.yaml",
        "--out",
        "site",
        "runs/acme",
        "runs/globex",
    ]);
    assert_eq!(out.status.code(), Some(3), "{:?}", text(&out));
    let matrix = w.json("site/rollup.json");
    let single = single.json("out/rollup.json");
    assert_eq!(matrix["campaigns"], single["campaigns"]);
    assert_eq!(matrix["orgs"], single["orgs"]);
    assert_eq!(matrix["as_of"], single["as_of"]);
    assert_eq!(matrix["failed_orgs"][0]["org"], "initech");
    // the organizations' pages are gathered under the roll-up, so that its links work where
    // it is published
    let index = w.read("site/index.html");
    assert!(
        index.contains(&format!("href=\"acme/azure/{T1}/report.html\"")),
        "{index}"
    );
    assert!(
        w.path()
            .join(format!("site/acme/azure/{T1}/report.html"))
            .is_file()
    );
    assert!(
        w.path()
            .join(format!("site/globex/globex-public/{T1}/summary.json"))
            .is_file()
    );

    // a folder whose overview names no organization login is not used as a folder name
    let evil = w.path().join("runs/evil");
    std::fs::create_dir_all(evil.join("overview")).unwrap();
    let mut o = w.json("runs/acme/overview/summary.json");
    o["org"] = "../../outside".into();
    std::fs::write(evil.join("overview/summary.json"), o.to_string()).unwrap();
    let out = w.run(&[
        "rollup",
        "-c",
        "config.yaml",
        "--out",
        "site",
        "runs/acme",
        "runs/evil",
    ]);
    assert_eq!(out.status.code(), Some(3), "{:?}", text(&out));
    let r = w.json("site/rollup.json");
    let refused = r["failed_orgs"].as_array().unwrap().iter().any(|f| {
        f["org"] == "evil"
            && f["reason"]
                .as_str()
                .unwrap()
                .contains("not an organization login")
    });
    assert!(refused, "{r}");
    assert!(!w.path().join("outside").exists());
}
