//! Command-line definitions (README, "Commands").

use chrono::{DateTime, NaiveDate, Utc};
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

/// What `--help` shows after the options: examples, exit codes and the environment.
const AFTER_HELP: &str = "\
Examples:
  campaign-pulse demo                           reports from a built-in sample organization
  campaign-pulse init                           write campaign-pulse.yaml to edit
  campaign-pulse check                          check it, the token and access to the alerts
  campaign-pulse run                            fetch, record, write and send this week's reports
  campaign-pulse run --as-of 2026-11-23 --dry-run
  campaign-pulse report --as-of 2026-11-16      re-render a past week from the history, offline
  campaign-pulse overview                       the organization's alerts, and campaigns to create
  campaign-pulse preview --filter \"provider:azure validity:active\"
  campaign-pulse assign                         plan who to assign each unassigned alert to
  campaign-pulse assign --apply --max 50        and assign them on GitHub

Exit codes:
  0  success
  1  failure: nothing sent, history unchanged (GitHub refused or could not be reached, a file)
  2  bad usage or configuration (a flag, the config file, a template, a missing variable)
  3  reports and history written, but a delivery failed

Environment:
  CAMPAIGN_PULSE_CONFIG  the configuration file when --config is not given
                         (else ./campaign-pulse.yaml)
  GITHUB_TOKEN           the token (or the variable github.token_env names)
  GITHUB_API_URL         the API when github.api_url is not set (GitHub Enterprise Server)
  CAMPAIGN_PULSE_LOG     a tracing filter for the logs, e.g. campaign_pulse=debug
  GITHUB_STEP_SUMMARY    set by GitHub Actions: the Markdown reports are appended to it
  NO_COLOR               no colour in the output (like --color never)
  and the variables the configuration names for SMTP and webhook URLs";

/// Weekly progress reports for GitHub secret-scanning remediation campaigns.
#[derive(Debug, Parser)]
#[command(name = "campaign-pulse", version, about, long_about = None, after_help = AFTER_HELP)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
    /// Print only errors: no progress, no list of reports (for cron).
    #[arg(long, short, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Log more (-v: debug, -vv: trace).
    #[arg(long, short, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// When to colour the output: auto (on a terminal, unless NO_COLOR is set), always, never.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,
}

/// When to colour the output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    /// On a terminal, unless `NO_COLOR` is set.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

impl ColorChoice {
    /// Whether to colour a stream that is (or is not) a terminal.
    pub fn enabled(self, terminal: bool) -> bool {
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
            }
        }
    }
}

/// The configuration file option shared by the commands that read one.
#[derive(Debug, Clone, Args)]
pub struct ConfigArg {
    /// The configuration file [default: $CAMPAIGN_PULSE_CONFIG, else ./campaign-pulse.yaml].
    #[arg(
        long,
        short,
        value_name = "FILE",
        env = "CAMPAIGN_PULSE_CONFIG",
        hide_env = true
    )]
    pub config: Option<PathBuf>,
}

/// The configuration file read when neither `--config` nor `CAMPAIGN_PULSE_CONFIG` names one.
pub const DEFAULT_CONFIG: &str = "campaign-pulse.yaml";

impl ConfigArg {
    /// The file to read: `--config`, else `CAMPAIGN_PULSE_CONFIG`, else
    /// `./campaign-pulse.yaml` when it exists.
    pub fn path(&self) -> Result<PathBuf, String> {
        match &self.config {
            Some(p) if !p.as_os_str().is_empty() => Ok(p.clone()),
            _ if std::path::Path::new(DEFAULT_CONFIG).is_file() => {
                Ok(PathBuf::from(DEFAULT_CONFIG))
            }
            _ => Err(format!(
                "no configuration: pass --config FILE, set CAMPAIGN_PULSE_CONFIG, or write ./{DEFAULT_CONFIG} with `campaign-pulse init`"
            )),
        }
    }
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Reports from a built-in sample organization: no token, no network.
    Demo {
        /// Where to write the reports.
        #[arg(long, default_value = "reports/demo", value_name = "DIR")]
        out: PathBuf,
    },
    /// Fetch alerts, record this week's snapshot, write and send the reports.
    Run(RunArgs),
    /// Re-render the reports from the history only, offline.
    Report {
        /// The configuration file.
        #[command(flatten)]
        config: ConfigArg,
        /// The report's date, YYYY-MM-DD or RFC 3339: the latest snapshot on or before it.
        #[arg(long, value_parser = parse_as_of, value_name = "DATE")]
        as_of: Option<DateTime<Utc>>,
        /// Where to write the reports (default: output.dir).
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// Replace a report that `run` wrote for the same date (it lists at-risk alerts the
        /// history does not keep).
        #[arg(long)]
        force: bool,
    },
    /// Check the configuration, the templates, the token, GitHub's reachability and the rate
    /// limit.
    Check {
        /// The configuration file.
        #[command(flatten)]
        config: ConfigArg,
    },
    /// Assign the campaigns' unassigned open alerts to the user who should fix them: a plan
    /// (OUT/assign-plan.json) unless --apply.
    Assign {
        /// The configuration file.
        #[command(flatten)]
        config: ConfigArg,
        /// Only this campaign's alerts.
        #[arg(long, value_name = "ID")]
        campaign: Option<String>,
        /// Assign on GitHub (one alert at a time, at most 80 a minute); without it nothing
        /// changes on GitHub.
        #[arg(long)]
        apply: bool,
        /// Send at most N assignments (PATCH requests; an alert may need several when a
        /// candidate lacks write access).
        #[arg(long, value_name = "N")]
        max: Option<usize>,
        /// Where to write the plan (default: output.dir).
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// Plan from a JSON file of alerts (as GitHub lists them) instead of GitHub: no token
        /// needed, nothing asked or changed on GitHub; commit authors from the cache.
        #[arg(long, value_parser = parse_source, value_name = "fixture:PATH", conflicts_with = "apply")]
        source: Option<PathBuf>,
    },
    /// What a security campaign with a filter would target, and a campaign entry to paste.
    Preview {
        /// The configuration file (the organization and the token).
        #[command(flatten)]
        config: ConfigArg,
        /// The campaign filter, e.g. "provider:azure validity:active".
        #[arg(long, value_name = "FILTER")]
        filter: String,
        /// Count as of this instant: YYYY-MM-DD or RFC 3339. Default: now.
        #[arg(long, value_parser = parse_as_of, value_name = "TIME")]
        as_of: Option<DateTime<Utc>>,
        /// Read alerts from `fixture:PATH` instead of GitHub.
        #[arg(long, value_parser = parse_source, value_name = "fixture:PATH")]
        source: Option<PathBuf>,
    },
    /// The organization overview alone (OUT/overview/): every alert read, the trend recorded.
    Overview {
        /// The configuration file.
        #[command(flatten)]
        config: ConfigArg,
        /// Compute everything as of this instant: YYYY-MM-DD or RFC 3339. Default: now.
        #[arg(long, value_parser = parse_as_of, value_name = "TIME")]
        as_of: Option<DateTime<Utc>>,
        /// Where to write it (default: output.dir).
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// Read alerts from `fixture:PATH` instead of GitHub.
        #[arg(long, value_parser = parse_source, value_name = "fixture:PATH")]
        source: Option<PathBuf>,
    },
    /// The campaigns' alerts and history for spreadsheets: OUT/alerts.csv (one row per
    /// campaign and alert in its scope at T) and OUT/history.csv (one row per snapshot),
    /// offline, from the alert store and history beside the configuration's history.
    Export {
        /// The configuration file.
        #[command(flatten)]
        config: ConfigArg,
        /// `csv` (text cells a spreadsheet would run as a formula are prefixed with ') or
        /// `jsonl` (one JSON object per line).
        #[arg(long, value_enum, default_value_t = ExportFormatArg::Csv, value_name = "FORMAT")]
        format: ExportFormatArg,
        /// Only this campaign.
        #[arg(long, value_name = "ID")]
        campaign: Option<String>,
        /// The scope as of this instant: YYYY-MM-DD or RFC 3339. Default: the last run's.
        #[arg(long, value_parser = parse_as_of, value_name = "TIME")]
        as_of: Option<DateTime<Utc>>,
        /// Where to write (default: output.dir).
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// Read alerts from `fixture:PATH` instead of the alert store.
        #[arg(long, value_parser = parse_source, value_name = "fixture:PATH")]
        source: Option<PathBuf>,
    },
    /// Combine the output folders of runs made elsewhere (one per organization, e.g. an
    /// Actions matrix) into OUT/rollup.json and OUT/index.html, and with --send deliver one
    /// digest across them.
    Rollup {
        /// The configuration file (channels, templates, output.report_url).
        #[command(flatten)]
        config: ConfigArg,
        /// Where to write the roll-up.
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// Deliver the digest with the configuration's channels.
        #[arg(long)]
        send: bool,
        /// Send again what was already delivered today.
        #[arg(long, requires = "send")]
        resend: bool,
        /// The organizations' output folders (each run's `output.dir`).
        #[arg(value_name = "RUN_DIR", required = true)]
        runs: Vec<PathBuf>,
    },
    /// Write a commented example configuration.
    Init {
        /// Where to write it.
        #[arg(long, default_value = DEFAULT_CONFIG, value_name = "FILE")]
        out: PathBuf,
    },
    /// Write the built-in report templates into a folder, to change and name as
    /// `output.templates_dir` (files already there are kept).
    Templates {
        /// The folder.
        #[arg(long, default_value = "templates", value_name = "DIR")]
        out: PathBuf,
    },
    /// Print a shell completion script: bash, zsh, fish, elvish or powershell.
    ///
    /// For bash: `campaign-pulse completions bash > ~/.local/share/bash-completion/completions/campaign-pulse`
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff): `campaign-pulse man > campaign-pulse.1`; with `--out`,
    /// write it and one page per command (`campaign-pulse-run.1`, …) into a folder.
    Man {
        /// The folder to write every page into (`man1/` of a MANPATH entry).
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
    },
}

/// Options of `run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// The configuration file.
    #[command(flatten)]
    pub config: ConfigArg,
    /// Compute everything as of this instant: YYYY-MM-DD (midnight UTC) or RFC 3339
    /// (2026-11-23T09:00:00+01:00). Default: now.
    #[arg(long, value_parser = parse_as_of, value_name = "TIME")]
    pub as_of: Option<DateTime<Utc>>,
    /// Where to write the reports (default: output.dir).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Send nothing and leave the history as it is; write what would be sent to OUT/outbox/.
    #[arg(long)]
    pub dry_run: bool,
    /// Record the snapshot and write the reports, but send nothing.
    #[arg(long)]
    pub no_send: bool,
    /// Send again what was already delivered today.
    #[arg(long)]
    pub resend: bool,
    /// Read alerts from `fixture:PATH` (a JSON array of alerts as the API returns them).
    #[arg(long, value_parser = parse_source, value_name = "fixture:PATH")]
    pub source: Option<PathBuf>,
    /// Do one part only: `escalate` sends what the escalation rules say is due and writes no
    /// report (a daily schedule); `report` writes and sends the weekly reports, no escalation.
    #[arg(long, value_enum, value_name = "PART")]
    pub only: Option<OnlyPart>,
    /// Read every alert the campaigns need from GitHub, not only what changed since the last
    /// run (the alert store beside the history is rebuilt).
    #[arg(long, conflicts_with = "source")]
    pub full: bool,
}

/// The file format of `export`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormatArg {
    /// Comma-separated values.
    Csv,
    /// JSON Lines.
    Jsonl,
}

/// A part of `run` (`--only`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OnlyPart {
    /// The escalation rules only.
    Escalate,
    /// The weekly reports only.
    Report,
}

/// Parses `--as-of`: `YYYY-MM-DD` is midnight UTC; otherwise RFC 3339.
pub fn parse_as_of(s: &str) -> Result<DateTime<Utc>, String> {
    let t = match NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        Ok(d) if campaign_pulse::time::date_supported(d) => campaign_pulse::time::midnight(d),
        Ok(_) => return Err(out_of_range(s)),
        Err(_) => DateTime::parse_from_rfc3339(s)
            .map(|d| d.with_timezone(&Utc))
            .map_err(|_| {
                format!("`{s}` is not a date: write YYYY-MM-DD (midnight UTC) or RFC 3339 like 2026-11-23T09:00:00Z")
            })?,
    };
    if !campaign_pulse::time::instant_supported(t) {
        return Err(out_of_range(s));
    }
    Ok(t)
}

fn out_of_range(s: &str) -> String {
    format!("`{s}` is outside the years 1970 to 9999 this tool reports on")
}

/// Parses `--source fixture:PATH`.
pub fn parse_source(s: &str) -> Result<PathBuf, String> {
    match s.strip_prefix("fixture:") {
        Some(path) if !path.is_empty() => Ok(PathBuf::from(path)),
        _ => Err(format!(
            "`{s}` is not a source: write `fixture:PATH` (a JSON file of alerts), or leave --source out to read GitHub"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn as_of_forms() {
        assert_eq!(
            parse_as_of("2026-11-23"),
            Ok(Utc.with_ymd_and_hms(2026, 11, 23, 0, 0, 0).unwrap())
        );
        assert_eq!(
            parse_as_of("2026-11-23T09:30:00+02:00"),
            Ok(Utc.with_ymd_and_hms(2026, 11, 23, 7, 30, 0).unwrap())
        );
        assert!(parse_as_of("23/11/2026").is_err());
        for far in ["+262142-06-01", "-262143-01-01", "1969-12-31T23:59:59Z"] {
            let e = parse_as_of(far).unwrap_err();
            assert!(e.contains("outside the years 1970 to 9999"), "{far}: {e}");
        }
    }

    #[test]
    fn source_forms() {
        assert_eq!(parse_source("fixture:a.json"), Ok(PathBuf::from("a.json")));
        assert!(parse_source("github").is_err());
        assert!(parse_source("fixture:").is_err());
    }

    #[test]
    fn cli_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
