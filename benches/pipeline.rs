//! How long the pure stages take on large organizations: `cargo bench --bench pipeline`.
//! Prints timings; asserts nothing (speed is measured here, behaviour is tested elsewhere).

use campaign_pulse::config::RiskSettings;
use campaign_pulse::demo;
use campaign_pulse::filter::Filter;
use campaign_pulse::history::{History, HistoryView, Snapshot, Source, backfill_instants};
use campaign_pulse::metrics::{Campaign, CampaignInfo, Scope, compute};
use campaign_pulse::render::{ReportView, Templates, ViewInputs, charts};
use campaign_pulse::summary::Summary;
use chrono::Duration;
use std::time::Instant;

/// Runs `f` `runs` times and prints the mean; returns the last result.
fn time<T>(what: &str, runs: u32, mut f: impl FnMut() -> T) -> T {
    let started = Instant::now();
    let mut out = None;
    for _ in 0..runs {
        out = Some(f());
    }
    let per = started.elapsed() / runs;
    println!("{what:<58} {:>10.3} ms", per.as_secs_f64() * 1000.0);
    out.expect("at least one run")
}

fn main() {
    let base = demo::alerts();
    let as_of = demo::as_of();
    let risk = RiskSettings::default();
    let campaign = |filter: &str| Campaign {
        info: CampaignInfo {
            id: "bench".into(),
            name: "Bench".into(),
            filter: filter.into(),
            starts_on: None,
            due_on: Some(as_of.date_naive() + Duration::days(40)),
            github_campaign: None,
        },
        filter: Filter::parse(filter).expect("a valid filter"),
        sla_days: 30,
        members: Default::default(),
    };
    for copies in [30usize, 300] {
        // the demo organization repeated: 335 alerts × copies, distinct repositories per copy
        let alerts: Vec<_> = (0..copies)
            .flat_map(|k| {
                base.iter().cloned().map(move |mut a| {
                    a.repository.full_name = format!("{}-{k}", a.repository.full_name);
                    a
                })
            })
            .collect();
        let n = alerts.len();
        let all = campaign("");
        let azure = campaign("provider:azure -validity:inactive");
        let m = time(&format!("metrics, every alert, {n} alerts"), 10, || {
            compute(&alerts, &all, as_of, &risk)
        });
        time(
            &format!("metrics, filtered campaign, {n} alerts"),
            10,
            || compute(&alerts, &azure, as_of, &risk),
        );
        time(
            &format!("first-run backfill (26 weekly points), {n} alerts"),
            1,
            || {
                // as a run does it: the scope once, each week a prefix of it
                let scope = Scope::new(&alerts, &all);
                let mut h = History::default();
                for t in backfill_instants(as_of, as_of - Duration::weeks(30)) {
                    h.upsert(Snapshot::from_metrics(
                        "bench",
                        &scope.snapshot(t, &risk),
                        Source::Reconstructed,
                    ));
                }
                h
            },
        );
        let history = {
            let mut h = History::default();
            h.upsert(Snapshot::from_metrics("bench", &m, Source::Observed));
            h
        };
        time(
            &format!("history to JSONL ({} repositories)", m.all_repos.len()),
            10,
            || history.to_jsonl().expect("serializes"),
        );
        let mut m = m;
        let details = std::mem::take(&mut m.details);
        let summary = Summary::new(all.info.clone(), m, None, HistoryView::default());
        let templates = Templates::load(None).expect("embedded templates");
        let view = ReportView::new(
            &summary,
            ViewInputs {
                stale_after_days: 14,
                details,
                ..Default::default()
            },
        );
        time(
            &format!("report.md ({} repositories)", summary.repos.top.len()),
            10,
            || templates.markdown(&summary, &view).expect("renders"),
        );
        time("report.html", 10, || {
            templates.html(&summary, &view).expect("renders")
        });
        time("burndown.png", 3, || {
            charts::burndown(&summary).expect("draws")
        });
        time("repos.png", 3, || charts::repos(&summary).expect("draws"));
    }
}
