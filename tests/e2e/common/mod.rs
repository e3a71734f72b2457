//! Test support: a GitHub-like server, delivery peers, and helpers to run the real binary.

pub mod fake_github;
pub mod raw;
pub mod servers;

pub use fake_github::*;

use serde_json::Value;
use std::path::{Path as FsPath, PathBuf};
use std::process::{Command, Output};

/// A temporary working folder with a config, where the binary runs.
pub struct Workdir {
    pub dir: tempfile::TempDir,
}

/// With `CAMPAIGN_PULSE_KEEP_SUMMARIES=DIR`, every `summary.json` a test's runs wrote is
/// copied to `DIR/<test>/<n>/…` when its folder goes away: a refactoring can show that the
/// end-to-end tests' numbers did not move (`scripts/output-hashes.sh`).
impl Drop for Workdir {
    fn drop(&mut self) {
        let Some(keep) = std::env::var_os("CAMPAIGN_PULSE_KEEP_SUMMARIES") else {
            return;
        };
        static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        // the test's own name, without its module (`run::history_across…` → `history_across…`)
        let test = std::thread::current()
            .name()
            .and_then(|n| n.rsplit("::").next())
            .unwrap_or("unnamed")
            .to_string();
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        // tests leave unreadable folders on purpose: skip what cannot be read, never panic
        let mut stack = vec![self.path().to_path_buf()];
        while let Some(d) = stack.pop() {
            let Ok(entries) = std::fs::read_dir(&d) else {
                continue;
            };
            for path in entries.flatten().map(|e| e.path()) {
                if path.is_dir() {
                    stack.push(path);
                } else if path.file_name().is_some_and(|f| f == "summary.json")
                    && let Ok(bytes) = std::fs::read(&path)
                {
                    let rel = path.strip_prefix(self.path()).unwrap_or(&path);
                    let to = FsPath::new(&keep).join(&test).join(n.to_string()).join(rel);
                    let _ = std::fs::create_dir_all(to.parent().unwrap_or(FsPath::new(".")));
                    let _ = std::fs::write(to, bytes);
                }
            }
        }
    }
}

impl Workdir {
    pub fn new(config: &str) -> Workdir {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("config.yaml"), config).unwrap();
        Workdir { dir }
    }

    pub fn path(&self) -> &FsPath {
        self.dir.path()
    }

    /// Runs the binary here with the fake's token and no GitHub Actions variables.
    pub fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().unwrap()
    }

    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_campaign-pulse"));
        cmd.args(args)
            .current_dir(self.path())
            .env("GITHUB_TOKEN", TOKEN)
            .env_remove("GITHUB_API_URL")
            .env_remove("GITHUB_STEP_SUMMARY")
            .env_remove("CAMPAIGN_PULSE_LOG");
        cmd
    }

    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.path().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
    }

    pub fn json(&self, rel: &str) -> Value {
        serde_json::from_str(&self.read(rel)).unwrap()
    }

    /// Every file under the folder, recursively, with its content.
    pub fn all_files(&self) -> Vec<(PathBuf, Vec<u8>)> {
        let mut out = Vec::new();
        let mut stack = vec![self.path().to_path_buf()];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    stack.push(p);
                } else {
                    out.push((p.clone(), std::fs::read(&p).unwrap()));
                }
            }
        }
        out
    }
}

pub fn text(out: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The as-of date of the hand-computed scenario.
pub const T1: &str = "2026-11-23";

/// The hand-computed scenario of the README's numbers (see each alert's comment).
pub fn scenario() -> Vec<Value> {
    let mut v = Vec::new();
    // 1: open, active, public, unassigned, 83 days old → at risk, score 9
    let mut a = A::new("acme/web", 1, "2026-09-01T00:00:00Z");
    a.validity = Some("active");
    a.public = true;
    a.assignee = None;
    v.push(a.json());
    // 2: resolved in the week (revoked), 69.5 days to fix
    let mut a = A::new("acme/web", 2, "2026-09-10T00:00:00Z");
    a.resolved = Some(("2026-11-18T12:00:00Z", "revoked"));
    v.push(a.json());
    // 3: new this week, null validity, bypassed push protection
    let mut a = A::new("acme/web", 3, "2026-11-20T00:00:00Z");
    a.validity = None;
    a.bypassed = true;
    v.push(a.json());
    // 4: resolved before the campaign started → out of scope
    let mut a = A::new("acme/api", 1, "2026-08-01T00:00:00Z");
    a.resolved = Some(("2026-09-15T00:00:00Z", "revoked"));
    v.push(a.json());
    // 5: false positive, resolved before the week but within 28 days
    let mut a = A::new("acme/api", 2, "2026-10-05T00:00:00Z");
    a.resolved = Some(("2026-11-10T00:00:00Z", "false_positive"));
    v.push(a.json());
    // 6: open, active, multi-repo, 34 days old → at risk, score 6
    let mut a = A::new("acme/api", 3, "2026-10-20T00:00:00Z");
    a.validity = Some("active");
    a.multi = true;
    a.secret_type = "azure_sql_connection_string";
    a.assignee = Some("hubot");
    v.push(a.json());
    // 7: created after T1
    v.push(A::new("acme/api", 4, "2026-11-24T00:00:00Z").json());
    // 8: open, inactive, 83 days old → past SLA only, score 2; its repo never had a fix
    let mut a = A::new("acme/legacy", 1, "2026-09-01T00:00:00Z");
    a.assignee = Some("ada");
    v.push(a.json());
    // 9: the only alert of its repository, fixed this week (won't fix) → cleared
    let mut a = A::new("acme/ops-scripts", 1, "2026-10-01T00:00:00Z");
    a.resolved = Some(("2026-11-17T00:00:00Z", "wont_fix"));
    v.push(a.json());
    // 10: another provider
    let mut a = A::new("acme/web", 4, "2026-10-10T00:00:00Z");
    a.provider = Some("aws");
    a.secret_type = "aws_access_key_id";
    v.push(a.json());
    // 11: a generic alert, only returned when asked for by type
    let mut a = A::new("acme/web", 6, "2026-11-01T00:00:00Z");
    a.provider = None;
    a.secret_type = "password";
    a.validity = Some("unknown");
    v.push(a.json());
    v
}

pub fn config(api: &str) -> String {
    format!(
        r#"github:
  org: acme
  api_url: {api}
history:
  path: state/history.jsonl
output:
  dir: out
campaigns:
  - id: azure
    name: Azure <credentials> & "keys" | fix
    filter: "is:open provider:azure"
    starts_on: 2026-10-01
    due_on: 2026-12-31
    sla_days: 30
  - id: generic
    filter: "results:generic"
    starts_on: 2026-11-01
"#
    )
}

/// Alerts for paging: `open` open ones, `recent` resolved within the last weeks and `old`
/// resolved long before the campaign started.
pub fn many(open: u64, recent: u64, old: u64) -> Vec<Value> {
    let mut v = Vec::new();
    for n in 0..open {
        let created = format!("2026-{:02}-{:02}T10:00:00Z", 6 + n % 5, 1 + n % 28);
        v.push(
            A {
                created: Box::leak(created.into_boxed_str()),
                ..A::new("acme/web", n + 1, "")
            }
            .json(),
        );
    }
    for n in 0..recent {
        let resolved = format!("2026-11-{:02}T{:02}:00:00Z", 3 + n % 18, n % 24);
        let mut a = A::new("acme/api", n + 1, "2026-05-01T00:00:00Z");
        a.resolved = Some((Box::leak(resolved.into_boxed_str()), "revoked"));
        v.push(a.json());
    }
    for n in 0..old {
        let resolved = format!("2026-{:02}-{:02}T00:00:00Z", 3 + n % 6, 1 + n % 28);
        let mut a = A::new("acme/old", n + 1, "2026-01-01T00:00:00Z");
        a.resolved = Some((Box::leak(resolved.into_boxed_str()), "revoked"));
        v.push(a.json());
    }
    v
}

/// `n` open alerts in one repository (for paging tests).
pub fn many_alerts(n: u64) -> Vec<Value> {
    many(n, 0, 0)
}
