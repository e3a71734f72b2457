//! The tests' GitHub-like API as a standalone server, for checks that need a process: `.ci/run`
//! puts Prism (GitHub's own API description) in front of it.
//!
//!   cargo run --example fake_github -- --port 8181 --alerts tests/fixtures/alerts.json \
//!     [--org acme] [--latency-ms 150]
//!
//! It serves until killed; the token it accepts is printed on start. `--latency-ms` delays every
//! alert page, like a real network (benches/e2e.sh uses it).

// the example uses part of the tests' GitHub: the rest is theirs
#[allow(dead_code, clippy::unwrap_used)]
#[path = "../tests/e2e/common/fake_github.rs"]
mod fake_github;

fn main() {
    let mut args = std::env::args().skip(1);
    let (mut port, mut alerts, mut org, mut latency) = (0u16, None, "acme".to_string(), 0u64);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--port" => port = args.next().and_then(|p| p.parse().ok()).expect("--port N"),
            "--alerts" => alerts = args.next(),
            "--org" => org = args.next().expect("--org NAME"),
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
    gh.set_latency(std::time::Duration::from_millis(latency));
    println!(
        "fake GitHub for `{org}` at {} (token {})",
        gh.url,
        fake_github::TOKEN
    );
    loop {
        std::thread::park();
    }
}
