//! Where the tool is scheduled: GitHub App authentication, GitHub Enterprise Server's path
//! prefix and missing features, `check`, and `--quiet` for cron.

use crate::common::{A, FakeGitHub, T1, Workdir, config, scenario, text};

pub fn app_key() -> (String, String) {
    use rsa::pkcs1::{EncodeRsaPrivateKey, EncodeRsaPublicKey, LineEnding};
    let key = rsa::RsaPrivateKey::new(&mut rand_core::OsRng, 2048).unwrap();
    let private = key.to_pkcs1_pem(LineEnding::LF).unwrap().to_string();
    let public = rsa::RsaPublicKey::from(&key)
        .to_pkcs1_pem(LineEnding::LF)
        .unwrap();
    (private, public)
}

#[test]
fn a_github_app_installation_reads_the_alerts() {
    let (private, public) = app_key();
    let gh = FakeGitHub::start("acme", scenario());
    gh.state.lock().unwrap().app = Some((123, 456, public));
    let cfg = config(&gh.url).replace(
        "  org: acme\n",
        "  org: acme\n  app: { app_id: 123, installation_id: 456, private_key_env: GH_APP_KEY }\n",
    );
    let w = Workdir::new(&cfg);
    let out = w
        .command(&["check", "-c", "config.yaml"])
        .env_remove("GITHUB_TOKEN")
        .env("GH_APP_KEY", &private)
        .output()
        .unwrap();
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    assert!(
        stdout.contains("auth: GitHub App 123, installation 456"),
        "{stdout}"
    );
    assert!(
        stdout.contains("can read the secret-scanning alerts of `acme`"),
        "{stdout}"
    );

    let out = w
        .command(&["run", "-c", "config.yaml", "--as-of", T1])
        .env_remove("GITHUB_TOKEN")
        .env("GH_APP_KEY", &private)
        .output()
        .unwrap();
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    assert_eq!(
        w.json("out/azure/2026-11-23/summary.json")["totals"]["open"],
        4
    );
    assert!(
        gh.seen()
            .iter()
            .filter(|r| !r.path.starts_with("/app/"))
            .all(|r| r.authorized)
    );
    assert_eq!(
        gh.state.lock().unwrap().minted,
        2,
        "one installation token per run (check, run)"
    );
    for secret in [
        private.lines().nth(1).unwrap(),
        crate::common::INSTALLATION_TOKEN,
    ] {
        assert!(!stdout.contains(secret) && !stderr.contains(secret));
    }

    // a key that is not the App's is refused by GitHub: a plain sentence, exit 1
    let (other, _) = app_key();
    let out = w
        .command(&["run", "-c", "config.yaml"])
        .env("GH_APP_KEY", &other)
        .output()
        .unwrap();
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("GitHub rejected GitHub App 123's installation (401"),
        "{stderr}"
    );

    let out = w
        .command(&["run", "-c", "config.yaml"])
        .env("GH_APP_KEY", "not a key")
        .output()
        .unwrap();
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("GH_APP_KEY does not hold an RSA private key"),
        "{stderr}"
    );
}

#[test]
fn check_names_the_missing_permission() {
    let gh = FakeGitHub::start("acme", scenario());
    gh.fail_with([crate::common::Fault::new(
        403,
        "{\"message\": \"Resource not accessible by personal access token\"}",
    )
    .header(
        "x-accepted-github-permissions",
        "secret_scanning_alerts=read",
    )]);
    let w = Workdir::new(&config(&gh.url));
    let out = w.run(&["check", "-c", "config.yaml"]);
    let (stdout, _) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("auth: token from GITHUB_TOKEN"), "{stdout}");
    assert!(
        stdout.contains("rate limit: 4999 of 5000 requests left"),
        "{stdout}"
    );
    assert!(stdout.contains("alerts: NO: cannot list secret-scanning alerts: GitHub refused the token in GITHUB_TOKEN for `acme` (403 Resource not accessible by personal access token). It lacks the permission `secret_scanning_alerts=read`"), "{stdout}");
}

#[test]
fn github_enterprise_server_with_a_path_prefix_and_fewer_features() {
    // an older server: no security campaigns (404), no publicly_leaked / provider fields
    let alerts: Vec<serde_json::Value> = (1..=130)
        .map(|n| {
            let mut a = A::new("acme/web", n, "2026-10-01T00:00:00Z").json();
            let o = a.as_object_mut().unwrap();
            o.remove("publicly_leaked");
            o.remove("provider");
            o.remove("provider_slug");
            a
        })
        .collect();
    let gh = FakeGitHub::start_with_prefix("acme", alerts, "/api/v3");
    assert!(gh.url.ends_with("/api/v3"));
    let cfg = format!(
        "github: {{org: acme, api_url: {}}}\nhistory: {{path: h.jsonl}}\ncampaigns:\n  - {{id: all, github_campaign: 4, starts_on: 2026-09-01}}\n  - {{id: azure, filter: 'provider:azure', starts_on: 2026-09-01}}\n",
        gh.url
    );
    let w = Workdir::new(&cfg);
    let out = w.run(&["run", "-c", "config.yaml", "--as-of", T1, "--out", "r"]);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    assert_eq!(
        w.json("r/all/2026-11-23/summary.json")["totals"]["open"],
        130,
        "paged under /api/v3"
    );
    let seen = gh.seen();
    let paths: Vec<&str> = seen.iter().map(|r| r.path.as_str()).collect();
    assert!(paths.iter().all(|p| p.starts_with("/api/v3/")), "{paths:?}");
    assert!(
        seen.iter()
            .any(|r| r.query.get("after").is_some_and(|a| !a.is_empty())),
        "followed a cursor"
    );
    let md = w.read("r/all/2026-11-23/report.md");
    assert!(md.contains("GitHub campaign #4 could not be read"), "{md}");
    assert!(
        md.contains("does not report whether secrets were leaked publicly"),
        "{md}"
    );
    let azure = w.read("r/azure/2026-11-23/report.md");
    assert!(
        azure.contains("does not report the providers of secrets"),
        "{azure}"
    );

    // GITHUB_API_URL (set by GitHub Actions) works the same when the config has no api_url
    let cfg = "github: {org: acme}\nhistory: {path: h2.jsonl}\ncampaigns: [{id: all, starts_on: 2026-09-01}]\n";
    std::fs::write(w.path().join("env.yaml"), cfg).unwrap();
    let out = w
        .command(&["run", "-c", "env.yaml", "--as-of", T1, "--out", "e"])
        .env("GITHUB_API_URL", &gh.url)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
}

#[test]
fn quiet_runs_print_nothing_unless_something_is_wrong() {
    let gh = FakeGitHub::start("acme", scenario());
    let w = Workdir::new(&config(&gh.url));
    let out = w.run(&["run", "-c", "config.yaml", "--as-of", T1, "--quiet"]);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!((stdout.as_str(), stderr.as_str()), ("", ""));
    let out = w
        .command(&["run", "-c", "config.yaml", "--quiet"])
        .env("GITHUB_TOKEN", "wrong")
        .output()
        .unwrap();
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(stdout, "");
    assert!(stderr.starts_with("error: cannot"), "{stderr}");
}
