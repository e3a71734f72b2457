//! The GitHub Action's shell logic (`action/run.sh`, what `action.yml` runs) on this machine:
//! a local "release" made by `scripts/package-release.sh` with its SHA256SUMS, a local bare
//! repository as the user's GitHub repository, and the GitHub-like server on loopback. It needs
//! bash, git, curl, tar, gzip and sha256sum (or shasum), as GitHub's runners have.

use crate::common::servers::ChatServer;
use crate::common::{FakeGitHub, TOKEN, config, scenario};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
const VERSION: &str = env!("CARGO_PKG_VERSION");
const TARGET: &str = "x86_64-unknown-linux-musl";

fn ok(out: Output, what: &str) -> Output {
    assert!(
        out.status.success(),
        "{what} failed ({:?}):\n{}\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args(["-c", "user.name=t", "-c", "user.email=t@example.org"])
        .args(["-c", "init.defaultBranch=main"])
        .args(args)
        .current_dir(dir)
        .output()
        .expect("git is installed");
    String::from_utf8(ok(out, &format!("git {args:?}")).stdout).unwrap()
}

fn sha256(file: &Path) -> String {
    let out = Command::new("sha256sum")
        .arg(file)
        .output()
        .or_else(|_| {
            Command::new("shasum")
                .args(["-a", "256"])
                .arg(file)
                .output()
        })
        .expect("sha256sum or shasum is installed");
    let text = String::from_utf8(ok(out, "sha256sum").stdout).unwrap();
    text.split_whitespace().next().unwrap().to_string()
}

/// A user's repository: a bare "GitHub" copy and a clone holding the configuration.
struct Setup {
    tmp: tempfile::TempDir,
    gh: FakeGitHub,
}

impl Setup {
    fn new() -> Setup {
        Setup::with_config("")
    }

    /// A user's repository whose configuration is the scenario's plus `extra`.
    fn with_config(extra: &str) -> Setup {
        let tmp = tempfile::tempdir().unwrap();
        let gh = FakeGitHub::start("acme", scenario());
        let origin = tmp.path().join("origin.git");
        std::fs::create_dir(&origin).unwrap();
        git(&origin, &["init", "--quiet", "--bare"]);
        git(tmp.path(), &["clone", "--quiet", "origin.git", "ws"]);
        let ws = tmp.path().join("ws");
        std::fs::create_dir_all(ws.join("config")).unwrap();
        std::fs::write(
            ws.join("config/campaign-pulse.yaml"),
            config(&gh.url) + extra,
        )
        .unwrap();
        git(&ws, &["add", "-A"]);
        git(&ws, &["commit", "--quiet", "-m", "configuration"]);
        git(&ws, &["push", "--quiet", "origin", "HEAD:refs/heads/main"]);
        Setup { tmp, gh }
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.tmp.path().join(rel)
    }

    /// A release folder with an archive and a SHA256SUMS. The archived "binary" is a small
    /// launcher of the binary under test (the debug build is hundreds of megabytes: packing it
    /// would only time gzip).
    fn release(&self, name: &str) -> PathBuf {
        let dir = self.path(name);
        let binary = self.path("launcher");
        std::fs::write(
            &binary,
            format!(
                "#!/bin/sh\nexec '{}' \"$@\"\n",
                env!("CARGO_BIN_EXE_campaign-pulse")
            ),
        )
        .unwrap();
        let out = Command::new("bash")
            .arg(format!("{ROOT}/scripts/package-release.sh"))
            .args([TARGET, VERSION])
            .arg(binary)
            .arg(&dir)
            .output()
            .unwrap();
        let archive = PathBuf::from(
            String::from_utf8(ok(out, "package-release.sh").stdout)
                .unwrap()
                .trim(),
        );
        let name = archive.file_name().unwrap().to_string_lossy().into_owned();
        assert_eq!(name, format!("campaign-pulse-{VERSION}-{TARGET}.tar.gz"));
        std::fs::write(
            dir.join("SHA256SUMS"),
            format!("{}  {name}\n", sha256(&archive)),
        )
        .unwrap();
        dir
    }

    /// `action/run.sh STEP` as the action runs it on a Linux x86_64 runner.
    fn step(&self, step: &str, release: &Path, extra: &[(&str, &str)]) -> Output {
        let mut cmd = Command::new("bash");
        cmd.arg(format!("{ROOT}/action/run.sh"))
            .arg(step)
            .current_dir(self.path("ws"))
            .env("RUNNER_OS", "Linux")
            .env("RUNNER_ARCH", "X64")
            .env("RUNNER_TEMP", self.path("runner"))
            .env("GITHUB_WORKSPACE", self.path("ws"))
            .env("GITHUB_OUTPUT", self.path("outputs"))
            .env("CP_RELEASE_BASE", format!("file://{}", release.display()))
            .env("CP_INSTALL_DIR", self.path("runner/install"))
            .env("GITHUB_TOKEN", TOKEN)
            .env_remove("GITHUB_STEP_SUMMARY")
            .env_remove("GITHUB_API_URL")
            .env_remove("GITHUB_PATH")
            .env_remove("CP_VERSION");
        for (k, v) in extra {
            cmd.env(k, v);
        }
        cmd.output().unwrap()
    }

    /// `action/run.sh site`: the pages of `reports` copied to `site`.
    fn site(&self, release: &Path, reports: &Path, site: &Path) {
        ok(
            self.step(
                "site",
                release,
                &[
                    ("CP_REPORT_DIR", reports.to_str().unwrap()),
                    ("CP_SITE_DIR", site.to_str().unwrap()),
                ],
            ),
            "site",
        );
    }

    fn outputs(&self) -> String {
        std::fs::read_to_string(self.path("outputs")).unwrap_or_default()
    }
}

#[test]
fn the_action_installs_a_checked_release_runs_and_keeps_the_history_on_a_branch() {
    let s = Setup::new();
    let release = s.release("release");
    ok(s.step("install", &release, &[]), "install");
    let installed = s.path("runner/install/bin/campaign-pulse");
    assert!(installed.is_file());
    assert!(
        s.outputs()
            .contains(&format!("binary={}", installed.display())),
        "{}",
        s.outputs()
    );

    for (week, as_of) in ["2026-11-16", "2026-11-23"].iter().enumerate() {
        ok(s.step("checkout", &release, &[]), "checkout");
        ok(s.step("run", &release, &[("CP_AS_OF", as_of)]), "run");
        ok(s.step("save", &release, &[("CP_AS_OF", as_of)]), "save");
        let outputs = s.outputs();
        assert!(outputs.contains("exit-status=0"), "{outputs}");
        let state = s.path("ws/campaign-pulse-state");
        assert!(
            outputs.contains(&format!("report-dir={}", state.join("out").display())),
            "{outputs}"
        );
        assert!(
            state
                .join(format!("out/azure/{as_of}/report.html"))
                .is_file()
        );
        // the history is on the branch of the "GitHub" repository, one commit a run
        let history = git(
            &s.path("origin.git"),
            &["show", "campaign-reports:state/history.jsonl"],
        );
        assert!(
            history.contains(&format!("\"as_of\":\"{as_of}T00:00:00Z\"")),
            "{history}"
        );
        let log = git(
            &s.path("origin.git"),
            &["log", "--format=%s", "campaign-reports"],
        );
        assert_eq!(log.lines().count(), week + 1, "{log}");
        // the alert store travels with the history: the next run reads only what changed
        let store = git(
            &s.path("origin.git"),
            &["show", "campaign-reports:state/alerts.jsonl"],
        );
        assert!(
            store.starts_with("{\"schema\":\"campaign-pulse/alerts/v1\""),
            "{store}"
        );
        assert_eq!(
            log.lines().next(),
            Some(format!("campaign-pulse {as_of}").as_str())
        );
        // the next run starts from a fresh checkout, as on a new runner
        git(
            &s.path("ws"),
            &["worktree", "remove", "--force", "campaign-pulse-state"],
        );
    }
    assert!(
        git(
            &s.path("origin.git"),
            &["ls-tree", "-r", "--name-only", "main"]
        )
        .trim()
            == "config/campaign-pulse.yaml",
        "main keeps only the configuration"
    );
}

#[test]
fn the_action_refuses_an_archive_whose_checksum_is_wrong() {
    let s = Setup::new();
    let release = s.release("release");
    let sums = release.join("SHA256SUMS");
    let text = std::fs::read_to_string(&sums).unwrap();
    std::fs::write(&sums, format!("{}{}", "0".repeat(64), &text[64..])).unwrap();
    let out = s.step("install", &release, &[]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "checksum mismatch for campaign-pulse-{VERSION}-{TARGET}.tar.gz"
        )),
        "{stderr}"
    );
    assert!(
        !s.path("runner/install/bin/campaign-pulse").exists(),
        "nothing installed"
    );

    std::fs::remove_file(&sums).unwrap();
    let out = s.step("install", &release, &[]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("no SHA256SUMS"), "{stderr}");
    assert!(s.gh.seen().is_empty());
}

#[test]
fn without_a_release_the_action_builds_from_its_own_source() {
    let s = Setup::new();
    let empty = s.path("no-release");
    std::fs::create_dir(&empty).unwrap();
    // a stand-in for cargo that records its arguments and "installs" a binary
    let stub = s.path("cargo-stub");
    std::fs::write(
        &stub,
        "#!/usr/bin/env bash\necho \"$@\" > \"$(dirname \"$0\")/cargo-args\"\nwhile [ \"$1\" != --root ]; do shift; done\nmkdir -p \"$2/bin\"\nprintf '#!/bin/sh\\necho campaign-pulse stub\\n' > \"$2/bin/campaign-pulse\"\nchmod +x \"$2/bin/campaign-pulse\"\n",
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&stub, std::fs::Permissions::from_mode(0o755)).unwrap();
    let out = s.step("install", &empty, &[("CARGO", stub.to_str().unwrap())]);
    let stdout = String::from_utf8_lossy(&ok(out, "install from source").stdout).into_owned();
    assert!(
        stdout.contains("building from the action's source"),
        "{stdout}"
    );
    let args = std::fs::read_to_string(s.path("cargo-args")).unwrap();
    assert_eq!(
        args.trim(),
        format!(
            "install --locked --path {ROOT} --root {}",
            s.path("runner/install").display()
        )
    );
}

#[test]
fn the_pages_leave_out_the_history_and_the_records() {
    let s = Setup::new();
    let release = s.release("release");
    ok(s.step("install", &release, &[]), "install");
    ok(s.step("checkout", &release, &[]), "checkout");
    ok(
        s.step("run", &release, &[("CP_AS_OF", "2026-11-23")]),
        "run",
    );
    let reports = s.path("ws/campaign-pulse-state/out");
    // a history kept inside the published folder must not be published
    std::fs::write(reports.join("history.jsonl"), "{}\n").unwrap();
    std::fs::write(reports.join("deliveries.jsonl"), "{}\n").unwrap();
    // and neither must the alert inventory, the caches or a dry run's outbox
    std::fs::write(reports.join("alerts.jsonl"), "{}\n").unwrap();
    std::fs::write(reports.join("commit-authors.json"), "{}\n").unwrap();
    std::fs::create_dir_all(reports.join("outbox")).unwrap();
    std::fs::write(reports.join("outbox/email.eml"), "Subject: x\n").unwrap();
    std::fs::write(reports.join("outbox/slack-secops.json"), "{}\n").unwrap();
    let site = s.path("site");
    s.site(&release, &reports, &site);
    assert!(site.join("index.html").is_file());
    assert!(site.join("azure/2026-11-23/report.html").is_file());
    assert!(site.join("azure/2026-11-23/burndown.png").is_file());
    assert!(site.join("playbooks/aws.html").is_file());
    assert!(!site.join("history.jsonl").exists() && !site.join("deliveries.jsonl").exists());
    // the artifact's file list: only what a reader opens
    let mut stack = vec![site.clone()];
    let mut files = 0;
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                assert!(!path.ends_with("outbox"), "{}", path.display());
                stack.push(path);
                continue;
            }
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            assert!(
                [".html", ".md", ".png"].iter().any(|x| name.ends_with(x))
                    || name == "summary.json",
                "{} is published",
                path.display()
            );
            files += 1;
        }
    }
    assert!(files > 10, "{files} files");
    assert!(
        s.outputs()
            .contains(&format!("site-dir={}", site.display()))
    );
}

/// action.yml as the runner reads it: every input a step uses is declared, every script step
/// goes through `action/run.sh` with a subcommand it knows, and every output comes from a step
/// that exists. (actionlint lints workflows, not action metadata; zizmor audits this file in
/// `.ci/run`.)
#[test]
fn action_yml_is_consistent_with_its_script() {
    let text = std::fs::read_to_string(format!("{ROOT}/action.yml")).unwrap();
    let action: serde_json::Value = serde_saphyr::from_str(&text).expect("action.yml is YAML");
    assert_eq!(action["runs"]["using"], "composite");
    let inputs = action["inputs"].as_object().unwrap();
    let steps = action["runs"]["steps"].as_array().unwrap();
    let script = std::fs::read_to_string(format!("{ROOT}/action/run.sh")).unwrap();
    let ids: Vec<&str> = steps.iter().filter_map(|s| s["id"].as_str()).collect();
    let mut subcommands = Vec::new();
    for step in steps {
        let all = serde_json::to_string(step).unwrap();
        for used in all.split("inputs.").skip(1) {
            let name: String = used
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
                .collect();
            assert!(
                inputs.contains_key(&name),
                "step uses undeclared input {name}"
            );
        }
        for used in all.split("steps.").skip(1) {
            let id: String = used
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
                .collect();
            assert!(
                ids.contains(&id.as_str()),
                "step refers to unknown step {id}"
            );
        }
        if let Some(run) = step["run"].as_str().filter(|r| r.contains("run.sh")) {
            assert_eq!(step["shell"], "bash");
            let sub = run.rsplit(' ').next().unwrap();
            assert!(
                script.contains(&format!("\n  {sub}) {sub} ;;")),
                "run.sh has no `{sub}` subcommand"
            );
            subcommands.push(sub.to_string());
            // inputs reach the script as environment variables, never spliced into the script
            assert!(!run.contains("${{"), "{run}");
        }
    }
    assert_eq!(
        subcommands,
        ["install", "checkout", "run", "save", "site", "cleanup"]
    );
    for (name, out) in action["outputs"].as_object().unwrap() {
        let value = out["value"].as_str().unwrap();
        assert!(value.contains("${{ steps."), "{name}: {value}");
    }
    // what is uploaded: the pages people read, never the checkout of the history branch
    let uses = |prefix: &str| {
        steps
            .iter()
            .find(|s| s["uses"].as_str().is_some_and(|u| u.starts_with(prefix)))
            .unwrap_or_else(|| panic!("a {prefix} step"))
    };
    for upload in [
        uses("actions/upload-artifact@"),
        uses("actions/upload-pages-artifact@"),
    ] {
        assert_eq!(upload["with"]["path"], "${{ steps.site.outputs.site-dir }}");
    }
    // Pages after exit 0 and 3 alike, never after a dry run
    let pages_if = uses("actions/upload-pages-artifact@")["if"]
        .as_str()
        .unwrap();
    assert!(!pages_if.contains("exit-status"), "{pages_if}");
    assert!(
        pages_if.contains("steps.run.outputs.dry-run != 'true'"),
        "{pages_if}"
    );
    let site_if = steps.iter().find(|s| s["id"] == "site").unwrap()["if"]
        .as_str()
        .unwrap();
    assert!(
        site_if.contains("steps.run.outputs.reports-written == 'true'"),
        "{site_if}"
    );
    let cleanup = steps
        .iter()
        .find(|s| s["run"].as_str().is_some_and(|r| r.ends_with(" cleanup")))
        .unwrap();
    assert_eq!(cleanup["if"], "always()");
    // the failing step comes last, after everything that must happen on exit 3
    assert!(
        steps.last().unwrap()["if"]
            .as_str()
            .unwrap()
            .contains("exit-status == '3'")
    );
    for name in ["config", "as-of", "args", "history-branch", "publish-pages"] {
        assert!(inputs.contains_key(name), "input {name}");
    }
}

/// `cargo install campaign-pulse` builds from the published package: every file the binary
/// embeds at build time must be in it, with the licences; the npm packages and CI are not.
#[test]
fn the_crate_package_holds_everything_the_binary_embeds() {
    let out = Command::new(env!("CARGO"))
        .args(["package", "--list", "--allow-dirty", "--offline"])
        .current_dir(ROOT)
        .output()
        .unwrap();
    let listed = String::from_utf8(ok(out, "cargo package --list").stdout).unwrap();
    let files: Vec<&str> = listed.lines().collect();
    // every include_str!/include_bytes! of the sources, resolved from its file
    let mut embedded = Vec::new();
    let mut stack = vec![PathBuf::from(ROOT).join("src")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            let pieces = text
                .split("include_str!(\"")
                .skip(1)
                .chain(text.split("include_bytes!(\"").skip(1));
            for piece in pieces {
                let Some((rel, _)) = piece.split_once('"') else {
                    continue;
                };
                let resolved = path.parent().unwrap().join(rel);
                let canonical = resolved.canonicalize().unwrap_or(resolved);
                let inside = canonical
                    .strip_prefix(ROOT)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                embedded.push(inside);
            }
        }
    }
    assert!(
        embedded.len() >= 20,
        "the scan finds the templates and playbooks: {embedded:?}"
    );
    for file in &embedded {
        assert!(
            files.contains(&file.as_str()),
            "{file} is embedded but not packaged"
        );
    }
    for needed in [
        "README.md",
        "LICENSE-MIT",
        "LICENSE-APACHE",
        "licenses/DejaVu-fonts-LICENSE.txt",
        "Cargo.lock",
    ] {
        assert!(files.contains(&needed), "{needed} missing");
    }
    assert!(
        !files
            .iter()
            .any(|f| f.contains("node_modules") || f.starts_with(".github/")),
        "no npm packages, no CI"
    );
    // the vendored API description travels with its licence
    assert!(files.contains(&"tests/fixtures/github-api/LICENSE"));
}

#[test]
fn a_history_branch_that_git_would_read_as_an_option_is_refused() {
    let s = Setup::new();
    let release = s.path("no-release");
    for branch in ["--upload-pack=touch /tmp/pwned", "-x", "a..b", "a b"] {
        let out = s.step("checkout", &release, &[("CP_HISTORY_BRANCH", branch)]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_ne!(out.status.code(), Some(0), "{branch}: {stderr}");
        assert!(
            stderr.contains("is not a branch name"),
            "{branch}: {stderr}"
        );
    }
    assert!(
        !s.path("ws/campaign-pulse-state").exists(),
        "nothing is checked out"
    );
}

/// A git server that answers every request with a 500 and keeps the requests' headers.
fn failing_git_server() -> (String, std::sync::mpsc::Receiver<String>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let mut request = Vec::new();
            let mut buf = [0u8; 4096];
            while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                match stream.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => request.extend_from_slice(&buf[..n]),
                }
            }
            let _ = tx.send(String::from_utf8_lossy(&request).into_owned());
            let _ = stream.write_all(
                b"HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            );
        }
    });
    (url, rx)
}

#[test]
fn a_history_branch_that_cannot_be_read_is_a_failure_not_a_first_run() {
    let s = Setup::new();
    let release = s.path("no-release");
    let (server, requests) = failing_git_server();
    let ws = s.path("ws");
    git(
        &ws,
        &[
            "remote",
            "set-url",
            "origin",
            &format!("{server}/acme/config.git"),
        ],
    );
    // what actions/checkout leaves with its default persist-credentials: true
    git(
        &ws,
        &[
            "config",
            &format!("http.{server}/.extraheader"),
            "AUTHORIZATION: basic cGVyc2lzdGVkOmNyZWRlbnRpYWw=",
        ],
    );
    let out = s.step(
        "checkout",
        &release,
        &[
            ("CP_PUSH_TOKEN", "input-token"),
            ("GITHUB_SERVER_URL", &server),
        ],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("could not read the campaign-reports branch"),
        "{stderr}"
    );
    assert!(!stderr.contains("input-token"), "{stderr}");
    assert!(
        !String::from_utf8_lossy(&out.stdout).contains("First run"),
        "not taken for a first run"
    );
    assert!(!s.path("ws/campaign-pulse-state").exists());
    let first = requests
        .recv_timeout(std::time::Duration::from_secs(10))
        .expect("git asked the server");
    let auth: Vec<&str> = first
        .lines()
        .filter(|l| l.to_ascii_lowercase().starts_with("authorization:"))
        .collect();
    let input = base64_of("x-access-token:input-token");
    assert_eq!(
        auth,
        [format!("AUTHORIZATION: basic {input}").as_str()],
        "the token input is the only credential sent: {first}"
    );
}

fn base64_of(text: &str) -> String {
    let out = Command::new("sh")
        .arg("-c")
        .arg(format!("printf '%s' '{text}' | base64"))
        .output()
        .unwrap();
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

/// A second run in the same workspace (a self-hosted runner): the checkout the first left, or
/// its registration after the folder was deleted, and the first run's local branch are
/// cleaned up, and the run goes on.
#[test]
fn a_second_run_in_the_same_workspace_starts_clean() {
    let s = Setup::new();
    let release = s.release("release");
    ok(s.step("install", &release, &[]), "install");
    let state = s.path("ws/campaign-pulse-state");
    for (as_of, leftover) in [
        ("2026-11-16", "checkout"),
        ("2026-11-23", "registration"),
        ("2026-11-30", "none"),
    ] {
        ok(
            s.step("checkout", &release, &[]),
            &format!("checkout after {leftover}"),
        );
        ok(s.step("run", &release, &[("CP_AS_OF", as_of)]), "run");
        ok(s.step("save", &release, &[("CP_AS_OF", as_of)]), "save");
        match leftover {
            // an interrupted run: its checkout stays
            "checkout" => {}
            // a workspace cleaned by `git clean -ffdx`: the folder goes, its registration stays
            "registration" => std::fs::remove_dir_all(&state).unwrap(),
            _ => {
                ok(s.step("cleanup", &release, &[]), "cleanup");
            }
        }
    }
    assert!(!state.exists(), "cleanup removes the checkout");
    let ws = s.path("ws");
    assert_eq!(
        git(&ws, &["worktree", "list", "--porcelain"])
            .matches("worktree ")
            .count(),
        1
    );
    assert!(
        git(&ws, &["branch", "--list", "campaign-reports"])
            .trim()
            .is_empty()
    );
    let log = git(
        &s.path("origin.git"),
        &["log", "--format=%s", "campaign-reports"],
    );
    assert_eq!(log.lines().count(), 3, "{log}");
}

/// What each kind of run saves and publishes: a dry run nothing, an escalation-only run its
/// records but no report; a run whose delivery failed (exit 3) saves and publishes as a good one.
#[test]
fn dry_runs_save_nothing_escalation_runs_publish_nothing_and_exit_3_publishes() {
    let chat = ChatServer::start();
    let s = Setup::with_config(
        "delivery:\n  slack:\n    - { name: secops, webhook_env: HOOK_SECOPS }\n",
    );
    let release = s.release("release");
    ok(s.step("install", &release, &[]), "install");
    let hook = format!("{}/slack/gone", chat.url);
    let step = |name: &str, args: &str| {
        s.step(
            name,
            &release,
            &[
                ("CP_AS_OF", "2026-11-23"),
                ("CP_ARGS", args),
                ("HOOK_SECOPS", hook.as_str()),
            ],
        )
    };
    let branch_exists = || {
        Command::new("git")
            .args([
                "rev-parse",
                "--verify",
                "--quiet",
                "refs/heads/campaign-reports",
            ])
            .current_dir(s.path("origin.git"))
            .status()
            .unwrap()
            .success()
    };

    // a dry run: reports and outbox on the runner, nothing saved
    ok(step("checkout", "--dry-run"), "checkout");
    ok(step("run", "--dry-run"), "run");
    let outputs = s.outputs();
    assert!(
        outputs.contains("exit-status=0") && outputs.contains("dry-run=true"),
        "{outputs}"
    );
    assert!(s.path("ws/campaign-pulse-state/out/outbox").is_dir());
    let saved = ok(step("save", "--dry-run"), "save");
    assert!(String::from_utf8_lossy(&saved.stdout).contains("Dry run: nothing saved"));
    assert!(!branch_exists(), "the dry run pushed nothing");
    ok(step("cleanup", ""), "cleanup");

    // the weekly run whose Slack delivery fails: exit 3, saved, reports to publish
    std::fs::remove_file(s.path("outputs")).unwrap();
    ok(step("checkout", ""), "checkout");
    ok(step("run", ""), "run (exit 3 is not a failure of the step)");
    let outputs = s.outputs();
    for expected in ["exit-status=3", "dry-run=false", "reports-written=true"] {
        assert!(outputs.contains(expected), "{expected}: {outputs}");
    }
    ok(step("save", ""), "save");
    assert!(branch_exists());
    let site = s.path("site");
    let reports = s.path("ws/campaign-pulse-state/out");
    s.site(&release, &reports, &site);
    assert!(site.join("azure/2026-11-23/report.html").is_file());
    ok(step("cleanup", ""), "cleanup");

    // an escalation-only run: no report to publish
    std::fs::remove_file(s.path("outputs")).unwrap();
    ok(step("checkout", "--only escalate"), "checkout");
    ok(step("run", "--only escalate"), "run");
    assert!(
        s.outputs().contains("reports-written=false"),
        "{}",
        s.outputs()
    );
}

/// GitHub's filter patterns for tags, as its workflow syntax documents them: `*` any
/// characters but `/`, `**` any characters, `?` and `+` zero-or-one and one-or-more of the
/// character (or class) before, `[…]` a class with ranges, anything else itself.
fn github_filter_matches(pattern: &str, name: &str) -> bool {
    #[derive(Clone)]
    enum Atom {
        Char(char),
        Class(Vec<(char, char)>),
        Star { slash: bool },
    }
    let p: Vec<char> = pattern.chars().collect();
    let mut atoms: Vec<(Atom, char)> = Vec::new(); // (atom, quantifier: ' ', '?', '+')
    let mut i = 0;
    while i < p.len() {
        let atom = match p[i] {
            '*' if p.get(i + 1) == Some(&'*') => {
                i += 1;
                Atom::Star { slash: true }
            }
            '*' => Atom::Star { slash: false },
            '[' => {
                let mut ranges = Vec::new();
                i += 1;
                while p[i] != ']' {
                    if p.get(i + 1) == Some(&'-') && p.get(i + 2).is_some_and(|c| *c != ']') {
                        ranges.push((p[i], p[i + 2]));
                        i += 3;
                    } else {
                        ranges.push((p[i], p[i]));
                        i += 1;
                    }
                }
                Atom::Class(ranges)
            }
            c => Atom::Char(c),
        };
        i += 1;
        let q = match p.get(i) {
            Some(c @ ('?' | '+')) => {
                i += 1;
                *c
            }
            _ => ' ',
        };
        atoms.push((atom, q));
    }
    fn one(atom: &Atom, c: char) -> bool {
        match atom {
            Atom::Char(x) => *x == c,
            Atom::Class(r) => r.iter().any(|(a, b)| (*a..=*b).contains(&c)),
            Atom::Star { .. } => unreachable!(),
        }
    }
    fn go(atoms: &[(Atom, char)], s: &[char]) -> bool {
        let Some(((atom, q), rest)) = atoms.split_first() else {
            return s.is_empty();
        };
        if let Atom::Star { slash } = atom {
            return (0..=s.len())
                .take_while(|&k| k == 0 || *slash || s[k - 1] != '/')
                .any(|k| go(rest, &s[k..]));
        }
        match q {
            '?' => go(rest, s) || (!s.is_empty() && one(atom, s[0]) && go(rest, &s[1..])),
            '+' => {
                let run = s.iter().take_while(|c| one(atom, **c)).count();
                (1..=run).any(|k| go(rest, &s[k..]))
            }
            _ => !s.is_empty() && one(atom, s[0]) && go(rest, &s[1..]),
        }
    }
    go(&atoms, &name.chars().collect::<Vec<_>>())
}

/// The release workflow starts on full versions only, and `scripts/release-tag.sh` tells
/// releases from pre-releases and names the major tag to move; the changelog has the
/// current version's notes; the binstall metadata names the archives the release makes.
#[test]
fn release_tags_pre_releases_and_where_binstall_looks() {
    let text = std::fs::read_to_string(format!("{ROOT}/.github/workflows/release.yml")).unwrap();
    let workflow: serde_json::Value = serde_saphyr::from_str(&text).unwrap();
    let patterns: Vec<&str> = workflow["on"]["push"]["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    let starts = |tag: &str| patterns.iter().any(|p| github_filter_matches(p, tag));
    for tag in [
        "v1.2.3",
        "v0.1.0",
        "v10.20.30",
        "v1.2.3-rc.1",
        "v2.0.0-beta",
    ] {
        assert!(starts(tag), "{tag} starts a release");
    }
    for tag in [
        "v1",
        "v0",
        "v1.2",
        "latest",
        "1.2.3",
        "v1.x",
        "va.b.c",
        "v1.2.3.4/x",
    ] {
        assert!(!starts(tag), "{tag} starts nothing");
    }
    // the matcher itself
    assert!(github_filter_matches("v*", "v1") && !github_filter_matches("v*", "v1/x"));
    assert!(github_filter_matches("**", "a/b") && github_filter_matches("ab?c", "ac"));

    let tag = |tag: &str, manifest: &Path| {
        Command::new("bash")
            .arg(format!("{ROOT}/scripts/release-tag.sh"))
            .arg(tag)
            .arg(manifest)
            .output()
            .unwrap()
    };
    let tmp = tempfile::tempdir().unwrap();
    let manifest = |version: &str| {
        let path = tmp.path().join(format!("Cargo-{version}.toml"));
        std::fs::write(
            &path,
            format!("[package]\nname = \"x\"\nversion = \"{version}\"\n"),
        )
        .unwrap();
        path
    };
    for (t, version, expected) in [
        (
            "v1.2.3",
            "1.2.3",
            "version=1.2.3\nprerelease=false\nmajor=v1\n",
        ),
        (
            "v2.0.0-rc.1",
            "2.0.0-rc.1",
            "version=2.0.0-rc.1\nprerelease=true\nmajor=v2\n",
        ),
        (
            "v0.1.0",
            "0.1.0",
            "version=0.1.0\nprerelease=false\nmajor=v0\n",
        ),
    ] {
        let out = ok(tag(t, &manifest(version)), t);
        assert_eq!(String::from_utf8_lossy(&out.stdout), expected);
    }
    for (t, version) in [
        ("v1.2.4", "1.2.3"),
        ("v1.2.3-", "1.2.3-"),
        ("v01.2.3", "01.2.3"),
        ("v1", "1"),
    ] {
        let out = tag(t, &manifest(version));
        assert_eq!(out.status.code(), Some(1), "{t} is refused");
    }

    let notes = Command::new("bash")
        .arg(format!("{ROOT}/scripts/release-notes.sh"))
        .arg(VERSION)
        .output()
        .unwrap();
    let notes = String::from_utf8(ok(notes, "release-notes.sh").stdout).unwrap();
    assert!(
        !notes.contains(&format!("## [{VERSION}]")) && notes.contains("### "),
        "{notes}"
    );

    // binstall's templates, filled in as cargo-binstall does, name the archive and the binary
    let cargo = std::fs::read_to_string(format!("{ROOT}/Cargo.toml")).unwrap();
    let value = |key: &str| {
        cargo
            .lines()
            .find_map(|l| l.strip_prefix(&format!("{key} = \"")))
            .and_then(|v| v.strip_suffix('"'))
            .unwrap_or_else(|| panic!("{key} in Cargo.toml"))
            .to_string()
    };
    let fill = |template: &str| {
        template
            .replace("{ repo }", "https://github.com/acme/campaign-pulse")
            .replace("{ name }", "campaign-pulse")
            .replace("{ version }", VERSION)
            .replace("{ target }", TARGET)
            .replace("{ archive-suffix }", ".tar.gz")
            .replace("{ bin }", "campaign-pulse")
            .replace("{ binary-ext }", "")
    };
    let s = Setup::new();
    let release = s.release("release");
    let archive = format!("campaign-pulse-{VERSION}-{TARGET}.tar.gz");
    assert_eq!(
        fill(&value("pkg-url")),
        format!("https://github.com/acme/campaign-pulse/releases/download/v{VERSION}/{archive}")
    );
    let listing = Command::new("tar")
        .args(["-tzf"])
        .arg(release.join(&archive))
        .output()
        .unwrap();
    let listing = String::from_utf8(ok(listing, "tar").stdout).unwrap();
    let files: Vec<&str> = listing.lines().collect();
    for expected in [
        fill(&value("bin-dir")),
        format!("campaign-pulse-{VERSION}-{TARGET}/man/campaign-pulse.1"),
        format!("campaign-pulse-{VERSION}-{TARGET}/man/campaign-pulse-run.1"),
        format!("campaign-pulse-{VERSION}-{TARGET}/completions/campaign-pulse.bash"),
        format!("campaign-pulse-{VERSION}-{TARGET}/completions/_campaign-pulse"),
    ] {
        assert!(
            files.contains(&expected.as_str()),
            "{expected} in {files:?}"
        );
    }

    // the release stamps the repository it runs in, so binstall's `{ repo }` resolves
    let stamped = tmp.path().join("Cargo.toml");
    std::fs::write(&stamped, &cargo).unwrap();
    let out = Command::new("bash")
        .arg(format!("{ROOT}/scripts/stamp-repository.sh"))
        .args(["https://github.com/acme/campaign-pulse"])
        .arg(&stamped)
        .output()
        .unwrap();
    ok(out, "stamp-repository.sh");
    let after = std::fs::read_to_string(&stamped).unwrap();
    let package = after.split("\n[").next().unwrap();
    assert_eq!(
        package
            .lines()
            .filter(|l| *l == "repository = \"https://github.com/acme/campaign-pulse\"")
            .count(),
        1,
        "{package}"
    );
}

/// A matrix: the organization's job uploads its pages; the roll-up job downloads them into
/// `runs/<artifact>/` and the action, given `runs`, rolls them up on its own history branch.
#[test]
fn a_roll_up_job_rolls_up_the_organizations_pages() {
    let s = Setup::new();
    let release = s.release("release");
    ok(s.step("install", &release, &[]), "install");
    ok(s.step("checkout", &release, &[]), "checkout");
    ok(
        s.step("run", &release, &[("CP_AS_OF", "2026-11-23")]),
        "run",
    );
    let reports = s.path("ws/campaign-pulse-state/out");
    let artifact = s.path("ws/runs/reports-acme");
    s.site(&release, &reports, &artifact);
    let rollup_env = [
        ("CP_STATE_DIR", "rollup-state"),
        ("CP_HISTORY_BRANCH", "campaign-reports-rollup"),
        ("CP_RUNS", "runs/*"),
    ];
    ok(s.step("checkout", &release, &rollup_env), "checkout");
    ok(s.step("run", &release, &rollup_env), "rollup");
    assert!(s.outputs().contains("exit-status=0"), "{}", s.outputs());
    let out = s.path("ws/rollup-state/out");
    let r: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("rollup.json")).unwrap()).unwrap();
    assert_eq!(r["orgs"], serde_json::json!(["acme"]));
    assert!(out.join("acme/azure/2026-11-23/report.html").is_file());
    let site = s.path("site");
    s.site(&release, &out, &site);
    assert!(site.join("rollup.json").is_file() && site.join("index.html").is_file());
    ok(s.step("save", &release, &rollup_env), "save");
    let branch = git(
        &s.path("origin.git"),
        &["ls-tree", "-r", "--name-only", "campaign-reports-rollup"],
    );
    assert!(branch.contains("out/rollup.json"), "{branch}");

    // nothing downloaded: said plainly, nothing run
    std::fs::remove_dir_all(s.path("ws/runs")).unwrap();
    let out = s.step("run", &release, &rollup_env);
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("no report folder matches"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
