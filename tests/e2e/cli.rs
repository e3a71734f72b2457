//! The command line as a user meets it: exit codes, messages, init and the demo.

use crate::common::{Workdir, text};

#[test]
fn config_errors_exit_2_with_file_line_column() {
    let cases = [
        (
            "github:\n  org: acme\ncampaigns:\n  - id: a\nrisk:\n  top_repoz: 3\n",
            "config.yaml:6:3: unknown field `top_repoz`",
            "did you mean `top_repos`?",
        ),
        (
            "github:\n  org: acme\ncampaigns:\n  - id: Azure\n",
            "config.yaml:4:9: campaign id `Azure` is not valid",
            "`id: azure`",
        ),
        (
            "github:\n  org: acme\ncampaigns:\n  - id: a\n  - id: a\n",
            "config.yaml:5:9: campaign id `a` is used twice",
            "its own id",
        ),
        (
            "github:\n  org: acme\ncampaigns:\n  - id: a\n    due_on: 31/12/2026\n",
            "config.yaml:5:13: `31/12/2026` is not a date",
            "YYYY-MM-DD",
        ),
        (
            "github:\n  org: acme\ncampaigns: []\n",
            "config.yaml:3:",
            "add at least one campaign",
        ),
        (
            "github:\n  org: acme\ncampaigns:\n  - id: a\n    sla_days: many\n",
            "config.yaml:5:15:",
            "",
        ),
        (
            "github:\n  org: acme\ncampaigns:\n  - id: a\n    filter: \"provider:aws secret:x\"\n",
            "config.yaml:5:27: campaign `a`: bad filter: unknown filter `secret:x`",
            "did you mean `secret-type:`?",
        ),
    ];
    for (yaml, expected, hint) in cases {
        let w = Workdir::new(yaml);
        let out = w.run(&["run", "--config", "config.yaml"]);
        let (_, stderr) = text(&out);
        assert_eq!(out.status.code(), Some(2), "{yaml}\n{stderr}");
        assert!(stderr.contains(expected), "{yaml}\n{stderr}");
        assert!(stderr.contains(hint), "{yaml}\n{stderr}");
        // check says the same
        let out = w.run(&["check", "--config", "config.yaml"]);
        assert_eq!(out.status.code(), Some(2));
    }
}

#[test]
fn missing_config_and_bad_arguments_exit_2() {
    let w = Workdir::new("");
    let out = w.run(&["run", "--config", "nope.yaml"]);
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr.contains("cannot read config nope.yaml") && stderr.contains("campaign-pulse init"),
        "{stderr}"
    );

    let out = w.run(&["run", "--config", "config.yaml", "--as-of", "next monday"]);
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr.contains("YYYY-MM-DD"), "{stderr}");

    let out = w.run(&["run", "--config", "config.yaml", "--source", "github"]);
    assert_eq!(out.status.code(), Some(2));
    let out = w.run(&["frobnicate"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn init_writes_a_config_that_check_accepts_and_never_overwrites() {
    let w = Workdir::new("");
    let out = w.run(&["init", "--out", "conf/pulse.yaml"]);
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    let written = w.read("conf/pulse.yaml");
    assert!(written.contains("token_env: GITHUB_TOKEN"));
    assert!(
        written
            .lines()
            .filter(|l| l.trim_start().starts_with('#'))
            .count()
            > 10,
        "commented"
    );
    // the written config parses: a run fails only on reaching GitHub, not on the config
    let out = w
        .command(&["run", "--config", "conf/pulse.yaml"])
        .env("GITHUB_API_URL", "http://127.0.0.1:9")
        .output()
        .unwrap();
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("could not be reached"), "{stderr}");

    std::fs::write(w.path().join("conf/pulse.yaml"), "mine").unwrap();
    let out = w.run(&["init", "--out", "conf/pulse.yaml"]);
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr.contains("already exists"), "{stderr}");
    assert_eq!(w.read("conf/pulse.yaml"), "mine");
}

#[test]
fn demo_needs_no_token_and_gives_the_same_numbers_every_time() {
    let w = Workdir::new("");
    let run = |out: &str| {
        let o = w
            .command(&["demo", "--out", out])
            .env_remove("GITHUB_TOKEN")
            .env("GITHUB_API_URL", "http://127.0.0.1:9")
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(0), "{:?}", text(&o));
        text(&o).0
    };
    let stdout = run("a");
    let first: Vec<String> = [
        "azure-credentials",
        "public-leaks",
        "aws-keys",
        "slack-tokens",
        "passwords",
    ]
    .iter()
    .map(|id| w.read(&format!("a/{id}/2026-11-23/summary.json")))
    .collect();
    // what `assign` would do there: a plan (no token was needed), the same each time
    let plan = w.read("a/assign-plan.json");
    let parsed: serde_json::Value = serde_json::from_str(&plan).unwrap();
    assert!(
        !parsed["plan"].as_array().unwrap().is_empty(),
        "a demo plan assigns someone: {plan}"
    );
    assert_eq!(parsed["generated_at"], "2026-11-23T00:00:00Z");
    run("a"); // again in the same place: the demo resets its own history
    assert_eq!(w.read("a/assign-plan.json"), plan);
    let campaigns = [
        "azure-credentials",
        "public-leaks",
        "aws-keys",
        "slack-tokens",
        "passwords",
    ];
    let mut statuses = Vec::new();
    for (id, before) in campaigns.iter().zip(&first) {
        let rel = format!("{id}/2026-11-23/summary.json");
        let a = w.read(&format!("a/{rel}"));
        assert_eq!(&a, before, "{id}");
        assert!(
            w.path()
                .join(format!("a/{id}/2026-11-23/report.md"))
                .exists()
        );
        let v: serde_json::Value = serde_json::from_str(&a).unwrap();
        statuses.push(v["forecast"]["status"].as_str().unwrap().to_string());
        // four weekly runs: observed points after the backfill
        let observed = v["history"]["points"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| p["source"] == "observed")
            .count();
        assert_eq!(observed, 4, "{id}");
        assert!(v["history"]["previous"].is_object(), "{id}");
    }
    for status in ["on_track", "at_risk", "overdue", "done"] {
        assert!(
            statuses.iter().any(|s| s == status),
            "the demo shows {status}: {statuses:?}"
        );
    }
    assert!(
        stdout.contains("a/azure-credentials/2026-11-23/report.md"),
        "{stdout}"
    );
    let total: u64 = {
        let history = w.read("a/history.jsonl");
        history.lines().count() as u64
    };
    assert!(total > 20);
}

#[test]
fn the_config_is_found_without_config() {
    let w = Workdir::new("github: { org: acme }\ncampaigns:\n  - { id: a }\n");
    std::fs::write(w.path().join("alerts.json"), "[]").unwrap();
    // neither --config nor CAMPAIGN_PULSE_CONFIG, and no ./campaign-pulse.yaml
    let out = w
        .command(&[
            "run",
            "--source",
            "fixture:alerts.json",
            "--as-of",
            "2026-11-23",
        ])
        .env_remove("CAMPAIGN_PULSE_CONFIG")
        .output()
        .unwrap();
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("no configuration: pass --config FILE, set CAMPAIGN_PULSE_CONFIG"),
        "{stderr}"
    );
    // CAMPAIGN_PULSE_CONFIG names it
    let out = w
        .command(&[
            "run",
            "--source",
            "fixture:alerts.json",
            "--as-of",
            "2026-11-23",
        ])
        .env("CAMPAIGN_PULSE_CONFIG", "config.yaml")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    // ./campaign-pulse.yaml is found
    std::fs::rename(
        w.path().join("config.yaml"),
        w.path().join("campaign-pulse.yaml"),
    )
    .unwrap();
    let out = w
        .command(&[
            "run",
            "--source",
            "fixture:alerts.json",
            "--as-of",
            "2026-11-23",
        ])
        .env_remove("CAMPAIGN_PULSE_CONFIG")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    assert!(w.path().join("reports/a/2026-11-23/summary.json").exists());
}

#[test]
fn conventions_of_the_command_line() {
    let w = Workdir::new("github: { org: acme }\ncampaigns:\n  - { id: a }\n");
    // -q and -v together make no sense
    let out = w.run(&["-q", "-v", "demo"]);
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("cannot be used with"), "{stderr}");
    // completions and the manual page
    for shell in ["bash", "zsh", "fish"] {
        let out = w.run(&["completions", shell]);
        assert_eq!(out.status.code(), Some(0));
        let script = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(
            script.contains("campaign-pulse") && script.contains("as-of"),
            "{shell}: {script}"
        );
    }
    let out = w.run(&["man"]);
    assert_eq!(out.status.code(), Some(0));
    let man = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        man.starts_with(".ie") || man.contains(".TH campaign-pulse"),
        "{man}"
    );
    // the help has examples, exit codes and the environment
    let help = String::from_utf8_lossy(&w.run(&["--help"]).stdout).into_owned();
    for part in [
        "Examples:",
        "Exit codes:",
        "GITHUB_TOKEN",
        "CAMPAIGN_PULSE_CONFIG",
        "NO_COLOR",
    ] {
        assert!(help.contains(part), "{part}: {help}");
    }
    // colour: forced on, then off by NO_COLOR or --color never
    let error = |cmd: &mut std::process::Command| {
        String::from_utf8_lossy(&cmd.output().unwrap().stderr).into_owned()
    };
    let coloured = error(
        w.command(&["--color", "always", "run", "-c", "nope.yaml"])
            .env_remove("NO_COLOR"),
    );
    assert!(coloured.contains("\x1b[1;31merror:\x1b[0m"), "{coloured:?}");
    let plain = error(&mut w.command(&["--color", "never", "run", "-c", "nope.yaml"]));
    assert!(plain.starts_with("error: "), "{plain:?}");
    let no_color = error(w.command(&["run", "-c", "nope.yaml"]).env("NO_COLOR", "1"));
    assert!(!no_color.contains('\x1b'), "{no_color:?}");
    // an empty token is named as empty, not as missing
    let out = w
        .command(&["check"])
        .env("GITHUB_TOKEN", "")
        .env("CAMPAIGN_PULSE_CONFIG", "config.yaml")
        .output()
        .unwrap();
    let (stdout, _) = text(&out);
    assert_eq!(out.status.code(), Some(2), "{stdout}");
    assert!(
        stdout.contains("GITHUB_TOKEN (github.token_env) is empty"),
        "{stdout}"
    );
    // dates as the docs write them, two-digit months and days
    let w = Workdir::new("github: { org: acme }\ncampaigns:\n  - { id: a, due_on: 2026-12-1 }\n");
    let out = w.run(&["check", "-c", "config.yaml"]);
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("`2026-12-1` is not a date"), "{stderr}");
}

/// `campaign-pulse man | head`: a reader that stops early is not an error; `man --out` writes
/// every page the main page names.
#[test]
fn man_and_completions_for_packagers() {
    let w = Workdir::new("github: { org: acme }\ncampaigns:\n  - { id: a }\n");
    for args in [&["man"][..], &["completions", "bash"]] {
        let mut child = w
            .command(args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take()); // the reader is gone before anything is written
        let out = child.wait_with_output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{args:?}: {:?}", text(&out));
        assert!(out.stderr.is_empty(), "{args:?}: {:?}", text(&out));
    }
    let out = w.run(&["man", "--out", "man1"]);
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    let main = w.read("man1/campaign-pulse.1");
    let mut named = 0;
    for piece in main.split("campaign\\-pulse\\-").skip(1) {
        let name: String = piece
            .chars()
            .take_while(|c| c.is_ascii_lowercase())
            .collect();
        assert!(
            w.path()
                .join(format!("man1/campaign-pulse-{name}.1"))
                .is_file(),
            "the main page names campaign-pulse-{name}(1), which is not written"
        );
        named += 1;
    }
    assert!(named >= 8, "{main}");
}

/// `templates --out DIR` writes the built-in templates, keeps a file already there, and
/// `check` accepts the folder as `output.templates_dir`.
#[test]
fn templates_writes_the_built_in_templates_to_start_from() {
    let w = Workdir::new(
        "github: { org: acme, api_url: \"http://127.0.0.1:9\" }\noutput: { templates_dir: mine }\ncampaigns:\n  - { id: a }\n",
    );
    std::fs::create_dir(w.path().join("mine")).unwrap();
    std::fs::write(
        w.path().join("mine/report.md.tera"),
        "# {{ s.campaign.name }}\n",
    )
    .unwrap();
    let out = w.run(&["templates", "--out", "mine"]);
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    assert_eq!(
        w.read("mine/report.md.tera"),
        "# {{ s.campaign.name }}\n",
        "kept"
    );
    let html = w.read("mine/report.html.tera");
    let built_in = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/templates/report.html.tera"
    ))
    .unwrap();
    assert_eq!(html, built_in);
    let written = std::fs::read_dir(w.path().join("mine")).unwrap().count();
    let shipped = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/templates"))
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == "tera")
        })
        .count();
    assert_eq!(written, shipped, "every template");
    let out = w.run(&["check", "-c", "config.yaml"]);
    let (stdout, _) = text(&out);
    assert!(
        stdout.contains("templates: valid;") && !stdout.contains("is not a template name"),
        "{stdout}"
    );
}

#[test]
fn check_renders_every_template_and_names_strays() {
    let w = Workdir::new(
        "github: { org: acme, api_url: \"http://127.0.0.1:9\" }\noutput: { templates_dir: mine }\ncampaigns:\n  - { id: a }\n",
    );
    std::fs::create_dir_all(w.path().join("mine")).unwrap();
    // parses, but fails only when rendered
    std::fs::write(w.path().join("mine/report.md.tera"), "{{ s.nope.x }}\n").unwrap();
    std::fs::write(w.path().join("mine/report.md"), "a stray file").unwrap();
    let out = w.run(&["check", "-c", "config.yaml"]);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2), "{stdout}\n{stderr}");
    assert!(
        stdout.contains("templates: NO: template `report.md.tera`"),
        "{stdout}"
    );
    assert!(
        stdout.contains("mine/report.md is not a template name"),
        "{stdout}"
    );
    assert_eq!(
        stderr.matches("using template").count(),
        1,
        "each template logged once: {stderr}"
    );
    // fixed, the templates render against the demo organization
    std::fs::write(
        w.path().join("mine/report.md.tera"),
        "{{ s.totals.open }}\n",
    )
    .unwrap();
    let out = w.run(&["check", "-c", "config.yaml"]);
    let (stdout, _) = text(&out);
    assert!(
        stdout.contains("templates: valid; 5 reports rendered against the demo organization"),
        "{stdout}"
    );
    assert_eq!(
        out.status.code(),
        Some(1),
        "GitHub cannot be reached: {stdout}"
    );
}
