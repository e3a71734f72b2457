//! The roll-up across organizations (SPEC §15): `run` with `github.orgs` ends with it, and
//! `campaign-pulse rollup --out DIR RUN_DIR…` makes the same from runs made elsewhere (an
//! Actions matrix job per organization). Both read the organizations' output folders, so
//! they give the same `rollup.json`, index and digest.

use super::job::Outcome;
use crate::config::{self, Config};
use crate::deliver::{self, CampaignReport, Digest};
use crate::error::{self, Error, Result};
use crate::layout;
use crate::output::latest_summary;
use crate::overview::Overview;
use crate::playbooks::Catalogue;
use crate::render::{self, IndexEntry, ReportView, Templates, ViewInputs};
use crate::rollup::{FailedOrg, OrgReports, Rollup};
use crate::site::Site;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

/// `rollup.json`'s file name.
pub const ROLLUP_JSON: &str = "rollup.json";

/// Options of `campaign-pulse rollup`.
#[derive(Debug, Clone, Default)]
pub struct RollupOptions {
    /// The configuration: channels, templates, `output.report_url`, playbooks.
    pub config: PathBuf,
    /// Where to write `rollup.json` and `index.html`.
    pub out: PathBuf,
    /// The organizations' output folders.
    pub runs: Vec<PathBuf>,
    /// Deliver the digest with the configuration's channels.
    pub send: bool,
    /// Send again what was already delivered today.
    pub resend: bool,
}

/// `to` as a path relative to the folder `from` (both as given, made absolute from the
/// current folder): `a/b` from `a` is `b`, `c/d` from `a/b` is `../../c/d`.
fn relative(from: &Path, to: &Path) -> PathBuf {
    let absolute = |p: &Path| {
        let p = if p.is_absolute() {
            p.to_path_buf()
        } else {
            std::env::current_dir().unwrap_or_default().join(p)
        };
        // `.` and `..` as written, without touching the disk
        let mut out = PathBuf::new();
        for c in p.components() {
            match c {
                Component::CurDir => {}
                Component::ParentDir => {
                    out.pop();
                }
                other => out.push(other),
            }
        }
        out
    };
    let (from, to) = (absolute(from), absolute(to));
    let common = from
        .components()
        .zip(to.components())
        .take_while(|(a, b)| a == b)
        .count();
    let mut out = PathBuf::new();
    for _ in from.components().skip(common) {
        out.push("..");
    }
    for c in to.components().skip(common) {
        out.push(c);
    }
    out
}

/// A link in HTML and JSON: `/` between parts on every system.
fn link(path: &Path) -> String {
    path.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// One organization's latest reports in its output folder `dir`, with paths relative to `out`.
pub(crate) fn read_run(dir: &Path, out: &Path) -> std::result::Result<OrgReports, String> {
    let overview = dir.join(layout::OVERVIEW_DIR).join(layout::SUMMARY_JSON);
    let text = std::fs::read_to_string(&overview).map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            format!(
                "no run's output in {} (did its run fail, or its files not arrive?)",
                dir.display()
            )
        } else {
            format!("{} cannot be read: {e}", overview.display())
        }
    })?;
    let o: Overview = serde_json::from_str(&text)
        .map_err(|e| format!("{} is not an overview's summary ({e})", overview.display()))?;
    // it names a folder of the roll-up: a login and nothing else
    if o.org.is_empty()
        || o.org.len() > 39
        || !o
            .org
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        || [
            layout::OVERVIEW_DIR,
            layout::PLAYBOOKS_DIR,
            layout::OUTBOX_DIR,
        ]
        .iter()
        .any(|r| o.org.eq_ignore_ascii_case(r))
    {
        return Err(format!(
            "{} names `{}`, which is not an organization login",
            overview.display(),
            crate::text::clip(&o.org, 40)
        ));
    }
    let base = relative(out, dir);
    let mut reports = Vec::new();
    let mut folders: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| format!("{} cannot be read: {e}", dir.display()))?
        .flatten()
        .map(|d| d.path())
        .filter(|p| p.is_dir())
        .collect();
    folders.sort();
    for folder in folders {
        if let Some(s) = latest_summary(&folder) {
            let report = base
                .join(&s.campaign.id)
                .join(s.as_of.date_naive().format("%Y-%m-%d").to_string())
                .join(layout::REPORT_HTML);
            reports.push((s, link(&report)));
        }
    }
    let folder = link(&base);
    Ok(OrgReports {
        overview: crate::rollup::OrgOverview::new(&o, &folder),
        org: o.org,
        folder,
        reports,
    })
}

/// A folder's last name, for messages about it.
fn folder_name(dir: &Path) -> String {
    dir.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| dir.display().to_string())
}

/// The organization's folder inside `out` and its login: `dir` itself when it is there already,
/// else a copy of it at `out/<org>/` (the pages a run's artifact holds), replacing an older one.
fn gather(dir: &Path, out: &Path) -> std::result::Result<(PathBuf, String), String> {
    let run = read_run(dir, out)?;
    if !relative(out, dir).starts_with("..") {
        return Ok((dir.to_path_buf(), run.org));
    }
    let to = out.join(&run.org);
    if to.exists() {
        std::fs::remove_dir_all(&to)
            .map_err(|e| format!("cannot replace {}: {e}", to.display()))?;
    }
    copy_tree(dir, &to)
        .map_err(|e| format!("cannot copy {} to {}: {e}", dir.display(), to.display()))?;
    Ok((to, run.org))
}

/// Copies the files and folders under `from` to `to` (links are not followed).
fn copy_tree(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let kind = entry.file_type()?;
        let target = to.join(entry.file_name());
        if kind.is_dir() {
            copy_tree(&entry.path(), &target)?;
        } else if kind.is_file() {
            std::fs::copy(entry.path(), &target)?;
        }
    }
    Ok(())
}

/// The digest of the roll-up: every organization's campaigns, most urgent first, then most
/// open alerts; each named with its organization and linking its organization's report.
fn digest(config: &Config, rollup: &Rollup, runs: &[OrgReports]) -> Digest {
    let catalogue = Catalogue::load(config.playbooks_dir.as_deref())
        .ok()
        .map(|c| Arc::new(c.with_experts(&config.experts)));
    let api = crate::github::client::api_url(&config.github).ok();
    let mut reports = Vec::new();
    for run in runs {
        for (s, _) in &run.reports {
            // the organization's reports live under its folder of the roll-up's address
            let report_url = config
                .output
                .report_url
                .as_ref()
                .map(|u| format!("{}/{}", u.trim_end_matches('/'), run.folder));
            let site = Site::new(&run.org, api.as_ref(), report_url.as_deref());
            let view = ReportView::new(
                s,
                ViewInputs {
                    stale_after_days: config.risk.stale_after_days,
                    week_before: None,
                    notes: Vec::new(),
                    details: Default::default(),
                    site,
                    playbooks: catalogue.clone(),
                    top_alerts: Some(config.risk.top_alerts),
                },
            );
            let mut summary = s.clone();
            summary.campaign.name = format!("{} · {}", s.campaign.name, run.org);
            // unique per organization: it keys the email's images and the delivery records
            summary.campaign.id = format!(
                "{}--{}",
                run.org.to_ascii_lowercase().replace('_', "-"),
                s.campaign.id
            );
            reports.push(CampaignReport {
                burndown: render::charts::burndown_email(s).unwrap_or_default(),
                summary,
                view,
                scoped: None,
            });
        }
    }
    reports.sort_by_key(|r| {
        (
            r.summary.forecast.status.severity(),
            std::cmp::Reverse(r.summary.totals.open),
        )
    });
    let as_of = rollup
        .as_of
        .map(|t| t.date_naive())
        .unwrap_or_else(|| crate::time::now().date_naive());
    let mut d = Digest::new(as_of, reports, config.output.report_url.clone());
    d.unread = rollup
        .failed_orgs
        .iter()
        .map(|f| format!("{} could not be read: {}", f.org, f.reason))
        .collect();
    d
}

/// Reads the organizations' output folders, writes `OUT/rollup.json` and `OUT/index.html`,
/// and returns the roll-up with its digest. `failed` are organizations that a run could not
/// read; a folder that holds no run's output joins them.
pub(crate) fn write(
    config: &Config,
    templates: &Templates,
    out: &Path,
    dirs: &[PathBuf],
    mut failed: Vec<FailedOrg>,
) -> Result<(Rollup, Digest)> {
    let mut runs = Vec::new();
    for dir in dirs {
        match read_run(dir, out) {
            Ok(r) => runs.push(r),
            Err(why) => failed.push(FailedOrg {
                org: folder_name(dir),
                reason: why,
            }),
        }
    }
    let rollup = Rollup::new(&runs, failed);
    crate::state::write_atomic_if_changed(&out.join(ROLLUP_JSON), rollup.to_json().as_bytes())?;
    let entries: Vec<IndexEntry> = runs
        .iter()
        .flat_map(|r| {
            r.reports.iter().map(|(s, report)| {
                let mut e = IndexEntry::new(s);
                e.name = format!("{} · {}", s.campaign.name, r.org);
                e.href = report.clone();
                e
            })
        })
        .collect();
    let mut entries = entries;
    entries.sort_by_key(|e| (e.status.severity(), std::cmp::Reverse(e.open)));
    let overviews: Vec<(String, String)> = runs
        .iter()
        .map(|r| (r.org.clone(), r.folder.clone()))
        .collect();
    let rolled = crate::rollup::RolledOverview::new(&runs, &rollup.failed_orgs);
    let dir = out.join(layout::OVERVIEW_DIR);
    let mut json = serde_json::to_string_pretty(&rolled).unwrap_or_default();
    json.push('\n');
    crate::state::write_atomic_if_changed(&dir.join(layout::SUMMARY_JSON), json.as_bytes())?;
    let html = templates.rollup_overview(&rolled)?;
    crate::state::write_atomic_if_changed(&dir.join(layout::REPORT_HTML), html.as_bytes())?;
    let index = templates.rollup_index(&entries, &rollup, &overviews)?;
    crate::state::write_atomic_if_changed(&out.join(layout::INDEX_HTML), index.as_bytes())?;
    let digest = digest(config, &rollup, &runs);
    Ok((rollup, digest))
}

/// `campaign-pulse rollup`: the roll-up of runs made elsewhere, delivered once with `--send`.
/// Exit 3 when an organization's folder holds no run's output or a delivery failed.
pub async fn rollup(opts: &RollupOptions) -> Result<Outcome> {
    crate::tls::init();
    let config = config::load(&opts.config)?;
    let templates = Templates::load(config.output.templates_dir.as_deref())?;
    if opts.runs.is_empty() {
        return Err(Error::Usage(
            "name the organizations' output folders: campaign-pulse rollup --out DIR RUN_DIR…"
                .into(),
        ));
    }
    let channels = if opts.send {
        Some(deliver::Channels::connect(&config.delivery)?).filter(|c| !c.is_empty())
    } else {
        None
    };
    // the organizations' folders inside OUT, so that the roll-up and its links publish as one
    let mut dirs = Vec::new();
    let mut read = Vec::new();
    let mut failed = Vec::new();
    for dir in &opts.runs {
        match gather(dir, &opts.out) {
            Ok((d, org)) => {
                dirs.push(d);
                read.push(org);
            }
            Err(reason) => failed.push(FailedOrg {
                org: folder_name(dir),
                reason,
            }),
        }
    }
    // an organization the configuration lists whose run left nothing here
    for o in &config.orgs {
        let named = |name: &String| name.eq_ignore_ascii_case(&o.name);
        if !read.iter().any(named) && !failed.iter().any(|f| named(&f.org)) {
            failed.push(FailedOrg {
                org: o.name.clone(),
                reason: "no reports from its run among the folders given".into(),
            });
        }
    }
    let (rollup, digest) = write(&config, &templates, &opts.out, &dirs, failed)?;
    let mut outcome = Outcome {
        reports: Vec::new(),
        delivery: deliver::DeliveryReport::default(),
        exit_code: if rollup.failed_orgs.is_empty() {
            error::EXIT_OK
        } else {
            error::EXIT_DELIVERY
        },
        escalations_due: 0,
    };
    for f in &rollup.failed_orgs {
        tracing::error!("{}: {}", f.org, f.reason);
    }
    if let Some(channels) = channels {
        let mode = deliver::Mode::Send {
            resend: opts.resend,
        };
        outcome.delivery =
            super::run::deliver_digest(&config, &channels, &digest, &templates, &mode, None)
                .await?;
        if !outcome.delivery.failed.is_empty() {
            outcome.exit_code = error::EXIT_DELIVERY;
        }
    }
    Ok(outcome)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_relative_to_the_rollup_folder() {
        assert_eq!(
            relative(Path::new("out"), Path::new("out/acme")),
            Path::new("acme")
        );
        assert_eq!(
            relative(Path::new("site/all"), Path::new("runs/acme")),
            Path::new("../../runs/acme")
        );
        assert_eq!(
            relative(Path::new("./out/"), Path::new("out/./acme")),
            Path::new("acme")
        );
        assert_eq!(link(Path::new("../runs/acme")), "../runs/acme");
    }
}
