//! The tests' GitHub-like API as a standalone server, for checks that need a process: `.ci/run`
//! puts Prism (GitHub's own API description) in front of it.
//!
//!   cargo run --example fake_github -- --port 8181 --alerts tests/fixtures/alerts.json \
//!     [--org acme] [--more-orgs globex,initech] [--latency-ms 150] [--owners DIR]
//!
//! It serves until killed; the token it accepts is printed on start. `--latency-ms` delays every
//! alert page and owner lookup, like a real network (benches/e2e.sh uses it). `--owners DIR`
//! serves DIR/commits.json (sha → author login or null) through the commits API and
//! DIR/codeowners.json (repository → text) as each repository's `.github/CODEOWNERS`
//! (benches/gen_alerts.py writes both). `--more-orgs` serves more organizations, each the
//! alerts of its own repositories (benches/orgs.sh).

// the example uses part of the tests' GitHub: the rest is theirs
#[allow(dead_code, clippy::unwrap_used)]
#[path = "../tests/e2e/common/fake_github.rs"]
mod fake_github;

fn main() {
    let mut args = std::env::args().skip(1);
    let (mut port, mut alerts, mut org, mut latency) = (0u16, None, "acme".to_string(), 0u64);
    let mut owners: Option<String> = None;
    let mut more_orgs: Vec<String> = Vec::new();
    while let Some(a) = args.next() {
        match a.as_str() {
            "--port" => port = args.next().and_then(|p| p.parse().ok()).expect("--port N"),
            "--alerts" => alerts = args.next(),
            "--org" => org = args.next().expect("--org NAME"),
            "--owners" => owners = args.next(),
            "--more-orgs" => {
                more_orgs = args
                    .next()
                    .expect("--more-orgs A,B")
                    .split(',')
                    .map(str::to_string)
                    .collect()
            }
            "--latency-ms" => {
                latency = args
                    .next()
                    .and_then(|p| p.parse().ok())
                    .expect("--latency-ms N")
            }
            other => panic!("unknown argument {other}"),
        }
    }
    let alerts: Vec<serde_json::Value> = match alerts {
        Some(path) => {
            serde_json::from_str(&std::fs::read_to_string(path).expect("readable alerts"))
                .expect("a JSON array")
        }
        None => Vec::new(),
    };
    let gh = fake_github::FakeGitHub::start_on(&org, alerts, port);
    if !more_orgs.is_empty() {
        let names: Vec<&str> = more_orgs.iter().map(String::as_str).collect();
        gh.serve_orgs(&names);
    }
    gh.set_latency(std::time::Duration::from_millis(latency));
    gh.set_lookup_latency(std::time::Duration::from_millis(latency));
    if let Some(dir) = owners {
        let read = |name: &str| -> serde_json::Value {
            let path = std::path::Path::new(&dir).join(name);
            serde_json::from_str(&std::fs::read_to_string(&path).expect("readable owners"))
                .expect("a JSON object")
        };
        let mut st = gh.state.lock().expect("the fake's state");
        for (sha, login) in read("commits.json").as_object().expect("an object") {
            st.commits
                .insert(sha.clone(), login.as_str().map(str::to_string));
        }
        for (repo, text) in read("codeowners.json").as_object().expect("an object") {
            st.files.insert(
                (repo.clone(), ".github/CODEOWNERS".into()),
                text.as_str().expect("text").to_string(),
            );
        }
    }
    println!(
        "fake GitHub for `{org}` at {} (token {})",
        gh.url,
        fake_github::TOKEN
    );
    loop {
        std::thread::park();
    }
}
