//! Unit tests of the module, apart from its code.

use super::*;

fn parse_str(text: &str) -> Result<Config> {
    parse(Path::new("c.yaml"), text)
}

fn err(text: &str) -> String {
    match parse_str(text) {
        Err(Error::Config(m)) => m,
        other => panic!("expected a config error, got {other:?}"),
    }
}

const MINIMAL: &str = "github:\n  org: acme\ncampaigns:\n  - id: all\n";

const CHANNELS: &str = "delivery:\n  email: { smtp_url_env: S, from: a@acme.example, to: [b@acme.example] }\n  slack: [ { name: secops, webhook_env: A }, { name: both, webhook_env: B } ]\n  teams: [ { name: both, webhook_env: C } ]\n";

#[test]
fn full_refresh_defaults_to_28_days_and_zero_turns_the_store_off() {
    let with =
        |v: &str| format!("github:\n  org: acme\n  full_refresh: {v}\ncampaigns:\n  - id: all\n");
    assert_eq!(
        parse_str(MINIMAL).unwrap().github.full_refresh,
        chrono::Duration::days(28)
    );
    assert_eq!(
        parse_str(&with("7days")).unwrap().github.full_refresh,
        chrono::Duration::days(7)
    );
    assert!(
        parse_str(&with("0s"))
            .unwrap()
            .github
            .full_refresh
            .is_zero()
    );
    let m = err(&with("2years"));
    assert!(m.contains("3:17") && m.contains("up to a year"), "{m}");
    let m = err(&with("soon"));
    assert!(m.contains("`soon` is not a usable full_refresh"), "{m}");
}

#[test]
fn escalation_rules_resolve_their_channels() {
    let c = parse_str(&format!(
        "{MINIMAL}{CHANNELS}escalation:\n  - when: \"validity:active  publicly-leaked\"\n    after: 24h\n    notify: [both, email, slack:secops]\n    contacts: [\"@acme/ir\", \" \"]\n  - name: old\n    when: \"validity:active\"\n    after: 30days\n    notify: [teams:both]\n"
    ))
    .unwrap();
    let r = &c.escalation[0];
    assert_eq!(
        r.name, "validity:active publicly-leaked",
        "named by its filter"
    );
    assert_eq!(r.after, chrono::Duration::hours(24));
    assert_eq!(
        r.notify,
        ["slack:both", "teams:both", "email", "slack:secops"]
    );
    assert_eq!(r.contacts, ["@acme/ir"]);
    assert_eq!(c.escalation[1].name, "old");
    assert_eq!(c.escalation[1].after, chrono::Duration::days(30));
    assert_eq!(c.escalation[1].notify, ["teams:both"]);
}

#[test]
fn escalation_rules_are_checked_where_written() {
    let rule = |body: &str| err(&format!("{MINIMAL}{CHANNELS}escalation:\n{body}"));
    let m = rule("  - when: publicly-leaked\n    notify: [leadership]\n");
    assert!(
        m.starts_with("c.yaml:11:13: escalation rule `publicly-leaked`: `leadership` is not a channel of `delivery`"),
        "{m}"
    );
    assert!(
        m.contains("configured channels: email, secops (Slack), both (Slack), both (Teams)"),
        "{m}"
    );
    let m = rule("  - when: publicly-leaked\n    notify: [teams:secops]\n");
    assert!(m.contains("`teams:secops` is not a channel"), "{m}");
    let m = rule("  - when: publicly-leaked\n    notify: []\n");
    assert!(
        m.contains("escalation rule `publicly-leaked` notifies nobody"),
        "{m}"
    );
    let m = rule("  - when: \"validty:active\"\n    notify: [secops]\n");
    assert!(
        m.starts_with("c.yaml:10:12: escalation rule `validty:active`: bad filter: unknown filter `validty:active`"),
        "{m}"
    );
    let m = rule("  - when: publicly-leaked\n    after: soon\n    notify: [secops]\n");
    assert!(
        m.starts_with("c.yaml:11:12: escalation rule `publicly-leaked`: `soon` is not an age"),
        "{m}"
    );
    let m = rule(
        "  - when: publicly-leaked\n    notify: [secops]\n  - when: publicly-leaked\n    notify: [both]\n",
    );
    assert!(m.contains("is written twice"), "{m}");
    let m = rule("  - when: publicly-leaked\n    notfy: [secops]\n");
    assert!(
        m.contains("unknown field `notfy`") && m.contains("did you mean `notify`?"),
        "{m}"
    );
    let m = err(&format!("{MINIMAL}experts:\n  aws: []\n"));
    assert!(m.contains("experts: `aws` names nobody"), "{m}");
}

#[test]
fn example_config_is_valid() {
    let c = parse_str(EXAMPLE_CONFIG).expect("example parses");
    assert_eq!(c.github.org, "acme");
    assert_eq!(c.campaigns.len(), 2);
    assert_eq!(c.campaigns[0].due_on, NaiveDate::from_ymd_opt(2026, 12, 31));
    assert_eq!(c.campaigns[0].sla_days, 30);
    assert_eq!(c.risk, RiskSettings::default());
    assert_eq!(c.history_path, PathBuf::from("reports/history.jsonl"));
}

#[test]
fn defaults() {
    let c = parse_str(MINIMAL).expect("minimal parses");
    assert_eq!(c.github.token_env, "GITHUB_TOKEN");
    assert_eq!(c.github.generic_secret_types.len(), 11);
    assert_eq!(c.output.dir, PathBuf::from("reports"));
    assert_eq!(c.history_path, PathBuf::from("reports/history.jsonl"));
    assert_eq!(c.campaigns[0].sla_days, 30);
    assert!(c.campaigns[0].filter_text.is_empty());
    let off =
        parse_str("github:\n  org: acme\n  generic_secret_types: []\ncampaigns:\n  - id: all\n")
            .expect("parses");
    assert!(off.github.generic_secret_types.is_empty());
}

#[test]
fn unknown_key_names_line_column_and_suggestion() {
    let m = err("github:\n  org: acme\ncampaigns:\n  - id: all\nrisk:\n  top_repoz: 3\n");
    assert!(
        m.starts_with("c.yaml:6:3: unknown field `top_repoz`"),
        "{m}"
    );
    assert!(m.contains("did you mean `top_repos`?"), "{m}");
    assert!(m.contains("|   top_repoz: 3"), "{m}");
}

#[test]
fn wrong_type() {
    let m = err("github:\n  org: acme\ncampaigns:\n  - id: all\n    sla_days: soon\n");
    assert!(m.starts_with("c.yaml:5:15:"), "{m}");
}

#[test]
fn bad_campaign_id() {
    let m = err("github:\n  org: acme\ncampaigns:\n  - id: Azure Active\n");
    assert!(
        m.starts_with("c.yaml:4:9: campaign id `Azure Active` is not valid"),
        "{m}"
    );
    assert!(m.contains("`id: azure-active`"), "{m}");
}

#[test]
fn duplicate_campaign_id() {
    let m = err("github:\n  org: acme\ncampaigns:\n  - id: a\n  - id: a\n");
    assert!(
        m.starts_with("c.yaml:5:9: campaign id `a` is used twice"),
        "{m}"
    );
}

#[test]
fn bad_date() {
    let m = err("github:\n  org: acme\ncampaigns:\n  - id: a\n    due_on: 2026-13-01\n");
    assert!(
        m.starts_with("c.yaml:5:13: `2026-13-01` is not a date"),
        "{m}"
    );
    assert!(m.contains("YYYY-MM-DD"), "{m}");
    let m = err(
        "github:\n  org: acme\ncampaigns:\n  - id: a\n    starts_on: 2026-12-01\n    due_on: 2026-11-01\n",
    );
    assert!(m.contains("before it starts"), "{m}");
}

#[test]
fn empty_campaigns() {
    let m = err("github:\n  org: acme\ncampaigns: []\n");
    assert!(m.starts_with("c.yaml:3:"), "{m}");
    assert!(m.contains("`campaigns` is empty"), "{m}");
}

#[test]
fn missing_campaigns_and_empty_file() {
    let m = err("github:\n  org: acme\n");
    assert!(m.contains("campaigns"), "{m}");
    let m = err("");
    assert!(m.contains("c.yaml:1:1: the configuration is empty"), "{m}");
}

#[test]
fn bad_filter_points_at_token() {
    let m = err(
        "github:\n  org: acme\ncampaigns:\n  - id: a\n    filter: \"provider:azure validty:active\"\n",
    );
    assert!(
        m.starts_with("c.yaml:5:29: campaign `a`: bad filter: unknown filter `validty:active`"),
        "{m}"
    );
    assert!(m.contains("did you mean `validity:`"), "{m}");
    let carets = format!("\n   | {}{}\n", " ".repeat(28), "^".repeat(14));
    assert!(m.contains(&carets), "{m}");
}

#[test]
fn plain_http_only_to_loopback() {
    let m = err(
        "github:\n  org: acme\n  api_url: http://ghe.example.com/api/v3\ncampaigns:\n  - id: a\n",
    );
    assert!(m.contains("plain http"), "{m}");
    parse_str("github:\n  org: acme\n  api_url: http://127.0.0.1:8080\ncampaigns:\n  - id: a\n")
        .expect("loopback http is fine");
}

#[test]
fn mentions_map_logins_and_teams_to_slack_ids() {
    let with = |m: &str| format!("{MINIMAL}delivery:\n  mentions:\n{m}");
    let c = parse_str(&with(
        "    \"@Ada\": { slack: U024BE7LH }\n    acme/platform: { slack: S0614TZR7 }\n",
    ))
    .unwrap();
    assert_eq!(
        c.delivery.slack_mention("ada").as_deref(),
        Some("<@U024BE7LH>")
    );
    assert_eq!(
        c.delivery.slack_mention("acme/Platform").as_deref(),
        Some("<!subteam^S0614TZR7>")
    );
    assert_eq!(c.delivery.slack_mention("grace"), None);
    let m = err(&with("    ada: { slack: \"<!channel>\" }\n"));
    assert!(m.contains("is not a Slack member id"), "{m}");
    let m = err(&with("    \"ada smith\": { slack: U1234 }\n"));
    assert!(m.contains("is not a GitHub login or an org/team"), "{m}");
    let m = err(&with("    ada: { slak: U1234 }\n"));
    assert!(m.contains("slak"), "{m}");
}

#[test]
fn teams_mentions_need_an_id_and_a_plain_name() {
    let with = |m: &str| format!("{MINIMAL}delivery:\n  mentions:\n    ada:\n{m}");
    let c = parse_str(&with(
        "      teams: { id: ada@acme.example, name: Ada Lovelace }\n",
    ))
    .unwrap();
    let t = c.delivery.mentions["ada"].teams.as_ref().unwrap();
    assert_eq!(
        (t.id.as_str(), t.name.as_str()),
        ("ada@acme.example", "Ada Lovelace")
    );
    for bad in [
        "      teams: { id: ada, name: Ada }\n",
        "      teams: { id: ada@acme.example, name: \"<at>x</at>\" }\n",
        "      teams: { id: \"a b@acme.example\", name: Ada }\n",
    ] {
        let m = err(&with(bad));
        assert!(m.contains("delivery.mentions.ada.teams"), "{bad}: {m}");
    }
}

const MANY: &str = "github:
  orgs:
    - acme
    - { name: globex, token_env: GLOBEX_TOKEN }
    - { name: initech, app: { app_id: 1, installation_id: 9, private_key_env: GH_APP_KEY } }
history:
  path: state/history.jsonl
output:
  dir: out
  report_url: https://reports.example/secrets/
campaigns:
  - { id: aws, filter: \"provider:aws\" }
  - { id: globex-public, org: globex, filter: \"publicly-leaked\" }
";

#[test]
fn many_organizations_split_into_one_configuration_each() {
    let c = parse_str(MANY).unwrap();
    assert!(c.is_many());
    let per: Vec<Config> = c.per_org();
    let names: Vec<&str> = per.iter().map(|c| c.github.org.as_str()).collect();
    assert_eq!(names, ["acme", "globex", "initech"]);
    for p in &per {
        assert!(!p.is_many());
        let org = &p.github.org;
        assert_eq!(
            p.history_path,
            Path::new("state").join(org).join("history.jsonl")
        );
        assert_eq!(p.output.dir, Path::new("out").join(org));
        assert_eq!(
            p.output.report_url.as_deref(),
            Some(format!("https://reports.example/secrets/{org}").as_str())
        );
    }
    let ids = |p: &Config| p.campaigns.iter().map(|c| c.id.clone()).collect::<Vec<_>>();
    assert_eq!(ids(&per[0]), ["aws"]);
    assert_eq!(ids(&per[1]), ["aws", "globex-public"]);
    assert_eq!(ids(&per[2]), ["aws"]);
    // credentials: github's, the org's token, the org's App
    assert_eq!(per[0].github.token_env, "GITHUB_TOKEN");
    assert_eq!(per[1].github.token_env, "GLOBEX_TOKEN");
    assert!(per[1].github.app.is_none());
    assert_eq!(
        per[2].github.app.as_ref().map(|a| a.installation_id),
        Some(9)
    );
    // one organization: the configuration itself
    let one = parse_str(MINIMAL).unwrap();
    assert!(!one.is_many());
    assert_eq!(one.per_org().len(), 1);
    assert_eq!(one.per_org()[0].history_path, one.history_path);
    assert!(one.one_org("preview").is_ok());
    let m = match c.one_org("preview") {
        Err(Error::Usage(m)) => m,
        other => panic!("{other:?}"),
    };
    assert!(m.contains("lists 3 under github.orgs"), "{m}");
}

#[test]
fn organizations_are_checked_where_written() {
    let m = err(&MANY.replace("org: globex, filter", "org: umbrella, filter"));
    assert!(
        m.contains("13:")
            && m.contains("belongs to `umbrella`")
            && m.contains("acme, globex, initech"),
        "{m}"
    );
    let m = err(&MANY.replace("    - acme\n", "    - acme\n    - ACME\n"));
    assert!(m.contains("`ACME` is listed twice"), "{m}");
    let m = err(&MANY.replace("    - acme\n", "    - overview\n"));
    assert!(m.contains("OUT/overview/"), "{m}");
    let m = err(&MANY.replace("    - acme\n", "    - \"acme corp\"\n"));
    assert!(
        m.contains("`acme corp` is not an organization login"),
        "{m}"
    );
    let m = err(&MANY.replace("  orgs:\n", "  org: acme\n  orgs:\n"));
    assert!(m.contains("both set"), "{m}");
    let m = err("github:\n  enterprise: megacorp\ncampaigns:\n  - id: all\n");
    assert!(m.contains("github.orgs"), "{m}");
    let m = err("github:\n  token_env: T\ncampaigns:\n  - id: all\n");
    assert!(m.contains("`github.org` is missing"), "{m}");
    // one organization: a campaign's org must be it
    let m = err("github:\n  org: acme\ncampaigns:\n  - { id: all, org: globex }\n");
    assert!(m.contains("belongs to `globex`"), "{m}");
    assert!(parse_str("github:\n  org: acme\ncampaigns:\n  - { id: all, org: Acme }\n").is_ok());
}
