//! Unit tests of the module, apart from its code.

use super::*;
use crate::config::RiskSettings;
use crate::filter::Filter;
use crate::history::{HistoryView, Point, Source};
use crate::metrics::{Campaign, CampaignInfo};
use crate::model::{Alert, Validity, testkit};
use crate::site::{Site, safe_url};
use crate::summary::Summary;
use chrono::{Duration, TimeZone, Utc};

/// A summary computed from hand-built alerts whose texts need escaping.
pub(crate) fn sample(
    name: &str,
    repo: &str,
    repos: usize,
    alerts_per_repo: u64,
    risk: &RiskSettings,
) -> Summary {
    let t = Utc.with_ymd_and_hms(2026, 11, 23, 0, 0, 0).unwrap();
    let mut alerts = Vec::new();
    for r in 0..repos {
        let full = if r == 0 {
            repo.to_string()
        } else {
            format!("acme/repo-{r:03}")
        };
        for n in 0..alerts_per_repo {
            let created = t - Duration::days(40 + n as i64);
            let resolved = (n % 3 == 0).then(|| t - Duration::days(2 + n as i64 % 20));
            alerts.push(Alert {
                updated_at: resolved,
                html_url: Some(format!(
                    "https://github.com/{full}/security/secret-scanning/{}",
                    n + 1
                )),
                state: None,
                resolution: resolved.map(|_| "revoked".to_string()),
                resolved_at: resolved,
                secret_type: "custom_<pattern>".into(),
                secret_type_display_name: Some("Custom <i>pattern</i> & \"friends\" | co".into()),
                push_protection_bypassed: Some(false),
                validity: Some(Validity::Active),
                publicly_leaked: Some(true),
                multi_repo: Some(false),
                ..testkit::alert(&full, n + 1, created)
            });
        }
    }
    let campaign = Campaign {
        info: CampaignInfo {
            id: "c".into(),
            name: name.into(),
            filter: "repo:x|y".into(),
            starts_on: None,
            due_on: Some(chrono::NaiveDate::from_ymd_opt(2026, 12, 31).unwrap()),
            github_campaign: None,
        },
        filter: Filter::default(),
        sla_days: 30,
        members: Default::default(),
    };
    let m = crate::metrics::compute(&alerts, &campaign, t, risk);
    let points = (0..6)
        .map(|k| Point {
            as_of: t - Duration::weeks(5 - k),
            open: 10 + k as u64,
            closed: k as u64,
            source: if k < 3 {
                Source::Reconstructed
            } else {
                Source::Observed
            },
            status: None,
        })
        .collect();
    Summary::new(
        campaign.info,
        m,
        None,
        HistoryView {
            previous: None,
            points,
        },
    )
}

fn view(s: &Summary) -> ReportView {
    ReportView::new(
        s,
        ViewInputs {
            stale_after_days: 14,
            notes: vec!["a <note> & more".into()],
            ..Default::default()
        },
    )
}

/// `risk.top_alerts` is the length of the at-risk list in report.md, report.html and
/// summary.json alike: a campaign of 1,500 at-risk alerts lists its first 20, and links
/// the rest in GitHub.
#[test]
fn the_at_risk_list_has_one_length_in_every_report() {
    let t = Utc.with_ymd_and_hms(2026, 11, 23, 0, 0, 0).unwrap();
    let alerts: Vec<Alert> = (0..1500u64)
        .map(|n| Alert {
            validity: Some(Validity::Active),
            ..testkit::alert("acme/web", n + 1, t - Duration::days(3))
        })
        .collect();
    let campaign = Campaign {
        info: CampaignInfo {
            id: "c".into(),
            name: "Big".into(),
            filter: String::new(),
            starts_on: None,
            due_on: None,
            github_campaign: None,
        },
        filter: Filter::default(),
        sla_days: 30,
        members: Default::default(),
    };
    let risk = RiskSettings::default();
    let mut m = crate::metrics::compute(&alerts, &campaign, t, &risk);
    let details = std::mem::take(&mut m.details);
    assert_eq!(details.at_risk.as_ref().map(Vec::len), Some(1500));
    let summary = Summary::new(campaign.info, m, None, HistoryView::default());
    assert_eq!(summary.at_risk.top.len(), 20);
    let api = url::Url::parse("https://api.github.com").unwrap();
    let view = ReportView::new(
        &summary,
        ViewInputs {
            details,
            top_alerts: Some(risk.top_alerts),
            site: Site::new("acme", Some(&api), None),
            ..Default::default()
        },
    );
    let templates = Templates::load(None).unwrap();
    let html = templates.html(&summary, &view).unwrap();
    assert_eq!(html.matches("data-label=\"Why\"").count(), 20);
    assert!(
        html.contains("The 20 to fix first, of 1500 at risk"),
        "the rest is linked"
    );
    let md = templates.markdown(&summary, &view).unwrap();
    assert_eq!(md.matches("| still valid |").count(), 20, "{md}");
    assert!(md.contains("The 20 to fix first, of 1500 at risk: [every open alert of the campaign in GitHub](https://github.com/orgs/acme/security/alerts/secret-scanning?query=is%3Aopen)"), "{md}");
    assert!(html.len() < 60_000, "{} bytes", html.len());
}

/// The fix-first order can be read: every part of an alert's score is in its row, and the
/// list says how they weigh.
#[test]
fn every_part_of_the_score_is_shown() {
    let t = Utc.with_ymd_and_hms(2026, 11, 23, 0, 0, 0).unwrap();
    let base = |n| testkit::alert("acme/web", n, t - Duration::days(3));
    let alerts = vec![
        // still valid and found in two repositories: 4
        Alert {
            validity: Some(Validity::Active),
            multi_repo: Some(true),
            ..base(1)
        },
        // still valid and pushed past push protection: 4
        Alert {
            validity: Some(Validity::Active),
            push_protection_bypassed: Some(true),
            ..base(2)
        },
        // still valid only: 3 (and unassigned in each, as the owner column says)
        Alert {
            validity: Some(Validity::Active),
            ..base(3)
        },
    ];
    let campaign = Campaign {
        info: CampaignInfo {
            id: "c".into(),
            name: "Order".into(),
            filter: String::new(),
            starts_on: None,
            due_on: None,
            github_campaign: None,
        },
        filter: Filter::default(),
        sla_days: 30,
        members: Default::default(),
    };
    let mut m = crate::metrics::compute(&alerts, &campaign, t, &RiskSettings::default());
    let details = std::mem::take(&mut m.details);
    let summary = Summary::new(campaign.info, m, None, HistoryView::default());
    let view = ReportView::new(
        &summary,
        ViewInputs {
            details,
            ..Default::default()
        },
    );
    let templates = Templates::load(None).unwrap();
    let md = templates.markdown(&summary, &view).unwrap();
    let rows: Vec<&str> = md
        .lines()
        .filter(|l| l.starts_with("| [acme/web #"))
        .collect();
    assert!(
        rows[0].contains("| still valid, in several repositories |"),
        "{md}"
    );
    assert!(
        rows[1].contains("| still valid, pushed past push protection |"),
        "{md}"
    );
    assert!(rows[2].contains("| still valid |"), "{md}");
    assert!(md.contains(
        "and 1 each for several repositories, pushed past push protection and no assignee"
    ));
    let html = templates.html(&summary, &view).unwrap();
    assert!(
        html.contains(r#"<span class="tag">pushed past push protection</span>"#),
        "{html}"
    );
    // summary.json says which alerts carry them
    let json = serde_json::to_value(&summary).unwrap();
    assert_eq!(json["at_risk"]["top"][0]["multi_repo"], true);
    assert_eq!(json["at_risk"]["top"][1]["bypassed"], true);
    assert!(json["at_risk"]["top"][2].get("bypassed").is_none());
}

#[test]
fn html_escapes_campaign_repository_and_github_text() {
    let t = Templates::load(None).unwrap();
    let s = sample(
        "<b>Keys</b> & \"tokens\" | 'x'",
        "acme/<script>",
        3,
        4,
        &RiskSettings::default(),
    );
    let html = t.html(&s, &view(&s)).unwrap();
    assert!(
        html.contains("<h1>&lt;b&gt;Keys&lt;/b&gt; &amp; &quot;tokens&quot; | &#39;x&#39;</h1>"),
        "{html}"
    );
    assert!(!html.contains("<b>Keys"));
    assert!(!html.contains("<script>"));
    assert!(html.contains("acme/&lt;script&gt;"), "{html}");
    assert!(
        html.contains("Custom &lt;i&gt;pattern&lt;/i&gt; &amp; &quot;friends&quot; | co"),
        "{html}"
    );
    assert!(html.contains("a &lt;note&gt; &amp; more"));
    // the alert link is percent-encoded, not escaped text
    assert!(
        html.contains("href=\"https://github.com/acme/%3Cscript%3E/security/secret-scanning/"),
        "{html}"
    );
    assert!(html.contains("src=\"burndown.png\"") && html.contains("src=\"repos.png\""));
    assert!(!html.contains("<script"), "no JavaScript");
}

#[test]
fn markdown_escapes_campaign_repository_and_github_text() {
    let t = Templates::load(None).unwrap();
    let s = sample(
        "<b>Keys</b> & \"tokens\" | x",
        "acme/a|b",
        2,
        4,
        &RiskSettings::default(),
    );
    let md = t.markdown(&s, &view(&s)).unwrap();
    assert!(
        md.starts_with("# &lt;b&gt;Keys&lt;/b&gt; &amp; \"tokens\" \\| x\n"),
        "{md}"
    );
    assert!(
        md.contains("| acme/a\\|b | "),
        "table cell stays one cell: {md}"
    );
    assert!(
        md.contains("Custom &lt;i&gt;pattern&lt;/i&gt; &amp; \"friends\" \\| co"),
        "{md}"
    );
    assert!(md.contains("custom\\_&lt;pattern&gt;"), "{md}");
    assert!(
        md.contains("(https://github.com/acme/a%7Cb/security/secret-scanning/"),
        "{md}"
    );
}

#[test]
fn index_lists_every_campaign_escaped() {
    let t = Templates::load(None).unwrap();
    let s = sample("<i>One</i>", "acme/web", 1, 3, &RiskSettings::default());
    let html = t.index(&[IndexEntry::new(&s)]).unwrap();
    assert!(html.contains("&lt;i&gt;One&lt;/i&gt;"), "{html}");
    assert!(html.contains("href=\"c/2026-11-23/report.html\""), "{html}");
    assert!(html.contains("1 campaign."), "{html}");
}

#[test]
fn markdown_stays_within_githubs_limit() {
    let risk = RiskSettings {
        top_repos: 500,
        top_alerts: 5000,
        stale_after_days: 1,
    };
    let t = Templates::load(None).unwrap();
    let s = sample("Huge", "acme/web", 500, 6, &risk);
    assert_eq!(s.repos.top.len(), 500);
    let md = t.markdown(&s, &view(&s)).unwrap();
    assert!(
        md.chars().count() <= MARKDOWN_LIMIT,
        "{} chars",
        md.chars().count()
    );
    assert!(
        md.contains("repositories with the most open alerts, of 500 with any"),
        "a note says what was left out"
    );
    assert!(md.contains("to fix first, of "), "{}", &md[..2000]);
    assert!(
        !md.contains("summary.json"),
        "no pointer to a file readers do not have"
    );
    // a small report is not cut
    let small = sample("Small", "acme/web", 3, 3, &RiskSettings::default());
    let md = t.markdown(&small, &view(&small)).unwrap();
    assert!(!md.contains("with the most open alerts"));
}

#[test]
fn user_templates_override_by_name_and_errors_name_the_template() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("report.md.tera"),
        "Open: {{ s.totals.open }} in {{ s.campaign.name }}\n",
    )
    .unwrap();
    let t = Templates::load(Some(dir.path())).unwrap();
    let s = sample("A|B", "acme/web", 1, 3, &RiskSettings::default());
    assert_eq!(t.markdown(&s, &view(&s)).unwrap(), "Open: 2 in A\\|B\n");
    // the others stay embedded
    assert!(t.html(&s, &view(&s)).unwrap().contains("<!DOCTYPE html>"));

    std::fs::write(
        dir.path().join("report.html.tera"),
        "<p>\n{% if s.totals.open %}\n{{ s.totals.open }\n</p>",
    )
    .unwrap();
    let e = Templates::load(Some(dir.path())).unwrap_err();
    assert_eq!(e.exit_code(), 2);
    let m = e.to_string();
    assert!(m.starts_with("template `report.html.tera`"), "{m}");
    assert!(m.contains("3:"), "names the line: {m}");
}

#[test]
fn a_template_that_never_ends_is_stopped() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("report.html.tera"),
        "{% for a in range(end=100000) %}{% for b in range(end=100000) %}{% for c in range(end=100000) %}.{% endfor %}{% endfor %}{% endfor %}",
    )
    .unwrap();
    let t = Templates::load(Some(dir.path())).unwrap();
    let s = sample("A", "acme/web", 1, 3, &RiskSettings::default());
    let started = std::time::Instant::now();
    let e = t.html(&s, &view(&s)).unwrap_err();
    assert!(started.elapsed() < RENDER_BUDGET + std::time::Duration::from_secs(5));
    assert_eq!(e.exit_code(), 2);
    assert!(e.to_string().contains("longer than 10 s"), "{e}");
}

#[test]
fn urls_are_made_safe_or_dropped() {
    assert_eq!(
        safe_url("https://github.com/acme/web/security/secret-scanning/12").as_deref(),
        Some("https://github.com/acme/web/security/secret-scanning/12")
    );
    assert_eq!(
        safe_url("https://x.example/a)b(c\"d<e> f").as_deref(),
        Some("https://x.example/a%29b%28c%22d%3Ce%3E%20f")
    );
    assert_eq!(
        safe_url("https://x.example/a|b[c]`d").as_deref(),
        Some("https://x.example/a%7Cb%5Bc%5D%60d")
    );
    assert_eq!(safe_url("javascript:alert(1)"), None);
    assert_eq!(safe_url("not a url"), None);
}

#[test]
fn signed_numbers() {
    assert_eq!(signed(3), "+3");
    assert_eq!(signed(-3), "−3");
    assert_eq!(signed(0), "0");
}
