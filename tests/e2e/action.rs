//! The GitHub Action's shell logic (`action/run.sh`, what `action.yml` runs) on this machine:
//! a local "release" made by `scripts/package-release.sh` with its SHA256SUMS, a local bare
//! repository as the user's GitHub repository, and the GitHub-like server on loopback. It needs
//! bash, git, curl, tar, gzip and sha256sum (or shasum), as GitHub's runners have.

use crate::common::{FakeGitHub, TOKEN, config, scenario};
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
        let tmp = tempfile::tempdir().unwrap();
        let gh = FakeGitHub::start("acme", scenario());
        let origin = tmp.path().join("origin.git");
        std::fs::create_dir(&origin).unwrap();
        git(&origin, &["init", "--quiet", "--bare"]);
        git(tmp.path(), &["clone", "--quiet", "origin.git", "ws"]);
        let ws = tmp.path().join("ws");
        std::fs::create_dir_all(ws.join("config")).unwrap();
        std::fs::write(ws.join("config/campaign-pulse.yaml"), config(&gh.url)).unwrap();
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
    let site = s.path("site");
    ok(
        s.step(
            "site",
            &release,
            &[
                ("CP_REPORT_DIR", reports.to_str().unwrap()),
                ("CP_SITE_DIR", site.to_str().unwrap()),
            ],
        ),
        "site",
    );
    assert!(site.join("index.html").is_file());
    assert!(site.join("azure/2026-11-23/report.html").is_file());
    assert!(site.join("azure/2026-11-23/burndown.png").is_file());
    assert!(site.join("playbooks/aws.html").is_file());
    assert!(!site.join("history.jsonl").exists() && !site.join("deliveries.jsonl").exists());
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
    assert_eq!(subcommands, ["install", "checkout", "run", "save", "site"]);
    for (name, out) in action["outputs"].as_object().unwrap() {
        let value = out["value"].as_str().unwrap();
        assert!(value.contains("steps.run.outputs."), "{name}: {value}");
    }
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
