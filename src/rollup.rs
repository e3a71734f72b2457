//! The roll-up across organizations (SPEC §15): each campaign's numbers in every organization
//! that reports it, their sums, and the organizations that could not be read. Pure: computed
//! from the organizations' `summary.json`, wherever the runs that wrote them ran.

use crate::metrics::{Status, Totals};
use crate::overview::{Overview, Results, ResultsCounts};
use crate::summary::Summary;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// The schema string of `rollup.json`.
pub const SCHEMA: &str = "campaign-pulse/rollup/v1";

/// `OUT/rollup.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rollup {
    /// [`SCHEMA`].
    pub schema: String,
    /// The latest T of the reports rolled up.
    pub as_of: Option<DateTime<Utc>>,
    /// The organizations read, in the order given.
    pub orgs: Vec<String>,
    /// The organizations that could not be read, and why.
    pub failed_orgs: Vec<FailedOrg>,
    /// The campaigns, most urgent first: by the most urgent status of any organization,
    /// then by open alerts, most first.
    pub campaigns: Vec<RolledCampaign>,
}

/// An organization the roll-up lacks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FailedOrg {
    /// Its login (or the folder that should have held its reports).
    pub org: String,
    /// Why, in words.
    pub reason: String,
}

/// A campaign across the organizations that report it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RolledCampaign {
    /// Its id.
    pub id: String,
    /// Its name (the first organization's).
    pub name: String,
    /// The most urgent status of any organization.
    pub status: Status,
    /// The organizations' numbers added up.
    pub sums: Sums,
    /// Each organization's numbers, most urgent first.
    pub orgs: Vec<OrgCampaign>,
}

/// Numbers that add up across organizations.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sums {
    /// Open at T.
    pub open: u64,
    /// Closed at T.
    pub closed: u64,
    /// open + closed.
    pub total: u64,
    /// Resolved during the week.
    pub resolved_this_week: u64,
    /// Created during the week.
    pub new_this_week: u64,
}

impl Sums {
    fn add(&mut self, t: &Totals) {
        self.open += t.open;
        self.closed += t.closed;
        self.total += t.total;
        self.resolved_this_week += t.resolved_this_week;
        self.new_this_week += t.new_this_week;
    }
}

/// One organization's report of a campaign.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrgCampaign {
    /// The organization.
    pub org: String,
    /// The campaign's name there.
    pub name: String,
    /// Its `totals`, as in its summary.json.
    pub totals: Totals,
    /// Its `forecast.status`.
    pub status: Status,
    /// Its due date.
    pub due_on: Option<NaiveDate>,
    /// Its T.
    pub as_of: DateTime<Utc>,
    /// Its report, relative to the roll-up's folder (`acme/aws/2026-11-23/report.html`).
    pub report: String,
}

/// The schema string of the roll-up's `overview/summary.json`.
pub const OVERVIEW_SCHEMA: &str = "campaign-pulse/rollup-overview/v1";

/// `OUT/overview/summary.json` of a roll-up: each organization's overview in a line, and the
/// sums (organizations share no repository, so their alerts add up).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RolledOverview {
    /// [`OVERVIEW_SCHEMA`].
    pub schema: String,
    /// The latest T of the overviews.
    pub as_of: Option<DateTime<Utc>>,
    /// Each organization, most open alerts first.
    pub orgs: Vec<OrgOverview>,
    /// Their results added up.
    pub totals: Results,
    /// Open alerts no configured campaign covers, added up.
    pub uncovered: u64,
    /// Open alerts pushed past push protection, added up.
    pub bypassed_open: u64,
    /// The organizations not read.
    pub failed_orgs: Vec<FailedOrg>,
}

/// One organization's overview, as its `overview/summary.json` says.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrgOverview {
    /// The organization.
    pub org: String,
    /// Its T.
    pub as_of: DateTime<Utc>,
    /// Default and generic results.
    pub results: Results,
    /// Open alerts no configured campaign covers.
    pub uncovered: u64,
    /// Open alerts pushed past push protection.
    pub bypassed_open: u64,
    /// Its overview page, relative to the roll-up's folder.
    pub report: String,
}

impl OrgOverview {
    /// The line of an organization's overview, its page at `folder/overview/report.html`.
    pub fn new(o: &Overview, folder: &str) -> OrgOverview {
        OrgOverview {
            org: o.org.clone(),
            as_of: o.as_of,
            results: o.results,
            uncovered: o.uncovered.open,
            bypassed_open: o.push_protection.bypassed_open,
            report: format!("{folder}/overview/report.html"),
        }
    }
}

fn add_counts(to: &mut ResultsCounts, c: &ResultsCounts) {
    to.open += c.open;
    to.repositories += c.repositories;
    to.new_this_week += c.new_this_week;
    to.resolved_this_week += c.resolved_this_week;
    to.open_week_ago += c.open_week_ago;
}

impl RolledOverview {
    /// The organizations' overviews in a table, and their sums.
    pub fn new(orgs: &[OrgReports], failed: &[FailedOrg]) -> RolledOverview {
        let mut lines: Vec<OrgOverview> = orgs.iter().map(|o| o.overview.clone()).collect();
        lines.sort_by_key(|o| {
            (
                std::cmp::Reverse(o.results.default.open + o.results.generic.open),
                o.org.clone(),
            )
        });
        let mut totals = Results::default();
        for o in &lines {
            add_counts(&mut totals.default, &o.results.default);
            add_counts(&mut totals.generic, &o.results.generic);
        }
        RolledOverview {
            schema: OVERVIEW_SCHEMA.to_string(),
            as_of: lines.iter().map(|o| o.as_of).max(),
            uncovered: lines.iter().map(|o| o.uncovered).sum(),
            bypassed_open: lines.iter().map(|o| o.bypassed_open).sum(),
            totals,
            orgs: lines,
            failed_orgs: failed.to_vec(),
        }
    }
}

/// One organization's latest reports, as a run left them.
#[derive(Debug, Clone)]
pub struct OrgReports {
    /// The organization.
    pub org: String,
    /// Its overview's line.
    pub overview: OrgOverview,
    /// Its output folder, relative to the roll-up's (`acme`).
    pub folder: String,
    /// Each campaign's latest summary and its report's path relative to the roll-up's folder.
    pub reports: Vec<(Summary, String)>,
}

impl Rollup {
    /// The roll-up of the organizations' reports; `failed` are those that could not be read.
    pub fn new(orgs: &[OrgReports], failed: Vec<FailedOrg>) -> Rollup {
        let mut campaigns: Vec<RolledCampaign> = Vec::new();
        for o in orgs {
            for (s, report) in &o.reports {
                let line = OrgCampaign {
                    org: o.org.clone(),
                    name: s.campaign.name.clone(),
                    totals: s.totals,
                    status: s.forecast.status,
                    due_on: s.campaign.due_on,
                    as_of: s.as_of,
                    report: report.clone(),
                };
                match campaigns.iter_mut().find(|c| c.id == s.campaign.id) {
                    Some(c) => c.orgs.push(line),
                    None => campaigns.push(RolledCampaign {
                        id: s.campaign.id.clone(),
                        name: s.campaign.name.clone(),
                        status: s.forecast.status,
                        sums: Sums::default(),
                        orgs: vec![line],
                    }),
                }
            }
        }
        for c in &mut campaigns {
            c.orgs.sort_by(|a, b| {
                (
                    a.status.severity(),
                    std::cmp::Reverse(a.totals.open),
                    &a.org,
                )
                    .cmp(&(
                        b.status.severity(),
                        std::cmp::Reverse(b.totals.open),
                        &b.org,
                    ))
            });
            c.sums = Sums::default();
            for o in &c.orgs {
                c.sums.add(&o.totals);
            }
            c.status = c.orgs.first().map_or(c.status, |o| o.status);
        }
        campaigns.sort_by(|a, b| {
            (a.status.severity(), std::cmp::Reverse(a.sums.open), &a.id).cmp(&(
                b.status.severity(),
                std::cmp::Reverse(b.sums.open),
                &b.id,
            ))
        });
        Rollup {
            schema: SCHEMA.to_string(),
            as_of: orgs
                .iter()
                .flat_map(|o| o.reports.iter().map(|(s, _)| s.as_of))
                .max(),
            orgs: orgs.iter().map(|o| o.org.clone()).collect(),
            failed_orgs: failed,
            campaigns,
        }
    }

    /// `rollup.json`, pretty-printed with a final newline.
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).unwrap_or_default();
        s.push('\n');
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::RiskSettings;

    fn report(org: &str, s: Summary) -> (Summary, String) {
        let path = format!(
            "{org}/{}/{}/report.html",
            s.campaign.id,
            s.as_of.date_naive()
        );
        (s, path)
    }

    fn line(org: &str, open: u64) -> OrgOverview {
        let mut results = Results::default();
        results.default.open = open;
        results.generic.open = 1;
        OrgOverview {
            org: org.into(),
            as_of: chrono::DateTime::UNIX_EPOCH,
            results,
            uncovered: open,
            bypassed_open: 1,
            report: format!("{org}/overview/report.html"),
        }
    }

    #[test]
    fn sums_add_up_and_the_most_urgent_comes_first() {
        let risk = RiskSettings::default();
        let sample = crate::render::tests::sample;
        let mut a = sample("AWS", "acme/web", 3, 12, &risk);
        a.campaign.id = "aws".into();
        let mut b = sample("AWS", "globex/api", 5, 2, &risk);
        b.campaign.id = "aws".into();
        b.forecast.status = Status::Overdue;
        let mut c = sample("Public", "acme/web", 1, 1, &risk);
        c.campaign.id = "public".into();
        c.forecast.status = Status::OnTrack;
        let orgs = [
            OrgReports {
                org: "acme".into(),
                folder: "acme".into(),
                overview: line("acme", 3),
                reports: vec![report("acme", a.clone()), report("acme", c.clone())],
            },
            OrgReports {
                org: "globex".into(),
                folder: "globex".into(),
                overview: line("globex", 5),
                reports: vec![report("globex", b.clone())],
            },
        ];
        let failed = vec![FailedOrg {
            org: "initech".into(),
            reason: "403".into(),
        }];
        let r = Rollup::new(&orgs, failed.clone());
        assert_eq!(r.orgs, ["acme", "globex"]);
        assert_eq!(r.failed_orgs, failed);
        let ids: Vec<&str> = r.campaigns.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids, ["aws", "public"]);
        let aws = &r.campaigns[0];
        assert_eq!(aws.status, Status::Overdue);
        assert_eq!(aws.orgs[0].org, "globex", "the overdue org first");
        assert_eq!(aws.sums.open, a.totals.open + b.totals.open);
        assert_eq!(aws.sums.closed, a.totals.closed + b.totals.closed);
        assert_eq!(aws.sums.total, a.totals.total + b.totals.total);
        assert_eq!(
            aws.sums.resolved_this_week,
            a.totals.resolved_this_week + b.totals.resolved_this_week
        );
        assert_eq!(
            aws.orgs[1].report,
            format!("acme/aws/{}/report.html", a.as_of.date_naive())
        );
        let back: Rollup = serde_json::from_str(&r.to_json()).unwrap();
        assert_eq!(back, r);
        // the overviews: most open first, added up
        let o = RolledOverview::new(&orgs, &r.failed_orgs);
        let names: Vec<&str> = o.orgs.iter().map(|l| l.org.as_str()).collect();
        assert_eq!(names, ["globex", "acme"]);
        assert_eq!((o.totals.default.open, o.totals.generic.open), (8, 2));
        assert_eq!((o.uncovered, o.bypassed_open), (8, 2));
        assert_eq!(o.failed_orgs, failed);
    }
}
