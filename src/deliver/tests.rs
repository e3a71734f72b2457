//! Unit tests of the module, apart from its code.

use super::digest::MAX_SUBJECT;
use super::*;
use crate::config::RiskSettings;
use crate::metrics::Status;
use crate::render::ReportView;
use crate::render::tests::sample;
use chrono::{NaiveDate, Utc};

/// A digest of `n` campaigns named `name-<k>`.
pub(crate) fn digest(n: usize, name: &str) -> Digest {
    Digest {
        as_of: NaiveDate::from_ymd_opt(2026, 11, 23).unwrap(),
        reports: (0..n)
            .map(|k| {
                let mut summary = sample(
                    &format!("{name}-{k}"),
                    "acme/web",
                    3,
                    4,
                    &RiskSettings::default(),
                );
                summary.campaign.id = format!("c{k}");
                let view = ReportView::new(
                    &summary,
                    crate::render::ViewInputs {
                        stale_after_days: 14,
                        ..Default::default()
                    },
                );
                CampaignReport {
                    summary,
                    view,
                    burndown: vec![],
                    scoped: None,
                }
            })
            .collect(),
        report_url: Some("https://reports.example/x".into()),
        unread: Vec::new(),
    }
}

#[test]
fn subject_counts_statuses_most_urgent_first() {
    let mut d = digest(3, "c");
    d.reports[0].summary.forecast.status = Status::Done;
    d.reports[1].summary.forecast.status = Status::Overdue;
    d.reports[2].summary.forecast.status = Status::Done;
    assert_eq!(
        d.subject(),
        "1 overdue, 2 done — secret remediation, week to 2026-11-23"
    );
    for s in [Status::Overdue, Status::AtRisk, Status::OnTrack] {
        d.reports.push(d.reports[0].clone());
        d.reports.last_mut().unwrap().summary.forecast.status = s;
    }
    let subject = d.subject();
    assert_eq!(
        subject, "2 overdue, 1 at risk — secret remediation, week to 2026-11-23",
        "calmer counts are left out rather than pushing the verdict past {MAX_SUBJECT}"
    );
    assert!(subject.chars().count() < MAX_SUBJECT);
}

#[test]
fn secrets_do_not_debug_print() {
    let s = Secret::new("https://hooks.slack.com/services/T0/B0/XYZ".into());
    assert_eq!(format!("{s:?}"), "Secret(<redacted>)");
    let client = webhook::client(std::time::Duration::from_secs(30)).unwrap();
    let hook = |name: &str| {
        webhook::Hook::new(
            name,
            Secret::new(format!("https://hooks.example/CANARY-{name}")),
            client.clone(),
        )
        .unwrap()
    };
    let email_cfg = crate::config::EmailConfig {
        smtp_url_env: "SMTP_URL".into(),
        from: "a@acme.example".into(),
        to: vec!["b@acme.example".into()],
        cc: vec![],
        ca_file: None,
        owners: vec![],
    };
    let channels = Channels {
        email: Some(
            email::Email::connect(
                &email_cfg,
                Some(Secret::new("smtps://u:CANARY-pw@mail.acme.example".into())),
                std::time::Duration::from_secs(60),
            )
            .unwrap(),
        ),
        slack: vec![slack::Slack::new("s", Some(hook("slack")))],
        teams: vec![teams::Teams::new("t", Some(hook("teams")))],
    };
    let shown = format!("{channels:?}");
    assert!(!shown.contains("CANARY"), "{shown}");
    assert!(
        shown.contains("mail.acme.example"),
        "the host is not secret: {shown}"
    );
}

#[test]
fn records_match_channel_date_and_campaign_set() {
    let d = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
    let mut r = Records::default();
    r.add(Record {
        date: d,
        channel: "slack:secops".into(),
        campaigns: vec!["a".into(), "b".into()],
        sent_at: Utc::now(),
    });
    assert!(r.delivered("slack:secops", d, &["a".into()]));
    assert!(r.delivered("slack:secops", d, &["a".into(), "b".into()]));
    assert!(
        !r.delivered("slack:secops", d, &["a".into(), "c".into()]),
        "a new campaign is missing"
    );
    assert!(!r.delivered("slack:other", d, &["a".into()]));
    assert!(!r.delivered("slack:secops", d.succ_opt().unwrap(), &["a".into()]));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("deliveries.jsonl");
    r.save(&path).unwrap();
    assert!(
        Records::load(&path)
            .unwrap()
            .delivered("slack:secops", d, &["b".into()])
    );
}

#[test]
fn clip_counts_characters() {
    assert_eq!(clip("abcdef", 4), "abc…");
    assert_eq!(clip("ab", 4), "ab");
    assert_eq!(clip("ééééé", 3), "éé…");
}

#[test]
fn escalations_mention_the_owners_and_contacts_that_have_a_chat_identity() {
    let mut items = vec![crate::render::alarm::tests::item(1)];
    items[0].who = vec!["@acme/ir".into(), "@bob".into()];
    let alarm = crate::render::alarm::Alarm {
        org: "acme".into(),
        as_of: chrono::TimeZone::with_ymd_and_hms(&Utc, 2026, 11, 23, 0, 0, 0).unwrap(),
        items,
        more: vec![],
    };
    // Ada (the owner) and the IR team have identities; Bob has none
    let slack_ids: crate::deliver::chat::Mentions = [
        ("ada".to_string(), "<@U012ADA>".to_string()),
        ("acme/ir".to_string(), "<!subteam^S0IR>".to_string()),
    ]
    .into();
    let slack = crate::deliver::slack::alarm_payload(&alarm, &slack_ids);
    let section = slack["blocks"][1]["text"]["text"].as_str().unwrap();
    assert!(section.contains("owner <@U012ADA>"), "{section}");
    assert!(
        section.contains("contacts <!subteam^S0IR>, @bob"),
        "{section}"
    );
    let teams_ids: crate::deliver::teams::TeamsMentions = [
        (
            "ada".to_string(),
            ("ada@acme.example".to_string(), "Ada Lovelace".to_string()),
        ),
        (
            "acme/ir".to_string(),
            (
                "6f1c2d3e-0000-4000-8000-00000000a11e".to_string(),
                "Incident response".to_string(),
            ),
        ),
    ]
    .into();
    let bytes = crate::deliver::teams::alarm_message(&alarm, &teams_ids).unwrap();
    let card: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    crate::deliver::teams::validate(&card).unwrap();
    let content = &card["attachments"][0]["content"];
    let text = content.to_string();
    assert!(
        text.contains("Reach <at>Ada Lovelace</at> (owner), <at>Incident response</at> (contact)"),
        "{text}"
    );
    let entities = content["msteams"]["entities"].as_array().unwrap();
    let who: Vec<&str> = entities
        .iter()
        .map(|e| e["mentioned"]["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        who,
        ["ada@acme.example", "6f1c2d3e-0000-4000-8000-00000000a11e"]
    );
    // without identities, no mentions at all
    let plain = crate::deliver::teams::alarm_message(&alarm, &Default::default()).unwrap();
    assert!(!String::from_utf8_lossy(&plain).contains("<at>"));
}

#[test]
fn many_escalations_fit_slack_and_teams() {
    let alarm = crate::render::alarm::Alarm {
        org: "acme".into(),
        as_of: chrono::TimeZone::with_ymd_and_hms(&Utc, 2026, 11, 23, 0, 0, 0).unwrap(),
        items: (1..=120).map(crate::render::alarm::tests::item).collect(),
        more: vec![(
            "public <leak> & *bold*".into(),
            "https://github.com/orgs/acme/security/alerts/secret-scanning?query=is%3Aopen".into(),
        )],
    };
    let slack = crate::deliver::slack::alarm_payload(&alarm, &Default::default());
    crate::deliver::slack::check_limits(&slack).unwrap();
    let text = serde_json::to_string(&slack).unwrap();
    assert!(text.contains("+100 more not listed here"), "{text}");
    assert!(
        text.contains("Azure Storage Account Access Key | &lt;b&gt;"),
        "text from GitHub is escaped: {text}"
    );
    assert!(!text.contains("<b>"), "{text}");
    let teams = crate::deliver::teams::alarm_message(&alarm, &Default::default()).unwrap();
    assert!(
        teams.len() <= crate::deliver::teams::MAX_BYTES,
        "{}",
        teams.len()
    );
    let card: serde_json::Value = serde_json::from_slice(&teams).unwrap();
    crate::deliver::teams::validate(&card).unwrap();
    assert_eq!(
        alarm.subject(),
        "Escalation: 120 leaked secrets in acme need action now"
    );
}

#[test]
fn a_roll_up_names_what_it_lacks_in_every_channel() {
    let mut d = digest(2, "AWS");
    d.unread = vec!["initech could not be read: 403 <Forbidden>".into()];
    let slack = crate::deliver::slack::payload(&d, &Default::default());
    crate::deliver::slack::check_limits(&slack).unwrap();
    let text = slack.to_string();
    assert!(
        text.contains("Not in these numbers:* initech could not be read: 403 &lt;Forbidden&gt;"),
        "{text}"
    );
    let teams = crate::deliver::teams::message(&d, &Default::default()).unwrap();
    let card: serde_json::Value = serde_json::from_slice(&teams).unwrap();
    crate::deliver::teams::validate(&card).unwrap();
    assert!(String::from_utf8_lossy(&teams).contains("Not in these numbers"));
    let templates = crate::render::Templates::load(None).unwrap();
    let (html, text, _) = crate::deliver::email::parts(&d, &templates).unwrap();
    assert!(
        html.contains("initech could not be read: 403 &lt;Forbidden&gt;"),
        "{html}"
    );
    assert!(
        text.contains("Not in these numbers: initech could not be read"),
        "{text}"
    );
    // a digest that lacks nothing says nothing of it
    let plain = digest(2, "AWS");
    assert!(
        !crate::deliver::slack::payload(&plain, &Default::default())
            .to_string()
            .contains("Not in these")
    );
}

#[test]
fn a_digest_of_many_campaigns_stays_under_gmails_clipping_and_lists_them_all() {
    let d = digest(60, "Campaign");
    let templates = crate::render::Templates::load(None).unwrap();
    let (html, _, detailed) = crate::deliver::email::parts(&d, &templates).unwrap();
    assert!(
        html.len() <= crate::deliver::email::HTML_BUDGET,
        "{} bytes",
        html.len()
    );
    assert!(detailed > 0 && detailed < 60, "{detailed} cards");
    // every campaign is in the table, the first ones have their card
    for r in &d.reports {
        assert!(
            html.contains(&r.summary.campaign.name),
            "{}",
            r.summary.campaign.name
        );
    }
    assert!(html.contains(&format!(
        "The {} other campaigns are in the table above",
        60 - detailed
    )));
    // a few campaigns: every one has its card
    let (_, _, all) = crate::deliver::email::parts(&digest(3, "Few"), &templates).unwrap();
    assert_eq!(all, 3);
}
