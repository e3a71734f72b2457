//! Command-line definitions (SPEC §3).

use chrono::{DateTime, NaiveDate, Utc};
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

/// Weekly progress reports for GitHub secret-scanning remediation campaigns.
#[derive(Debug, Parser)]
#[command(name = "campaign-pulse", version, about, long_about = None)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
    /// Log only warnings and errors (for cron).
    #[arg(long, short, global = true)]
    pub quiet: bool,
    /// Log more (-v: debug, -vv: trace).
    #[arg(long, short, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Reports from a built-in sample organization: no token, no network.
    Demo {
        /// Where to write the reports.
        #[arg(long, default_value = "reports/demo")]
        out: PathBuf,
    },
    /// Fetch alerts, record this week's snapshot, write and send the reports.
    Run(RunArgs),
    /// Re-render the reports from the history only, offline.
    Report {
        /// The configuration file.
        #[arg(long, short)]
        config: PathBuf,
        /// The report's date: the latest snapshot on or before it is used.
        #[arg(long, value_parser = parse_as_of)]
        as_of: Option<DateTime<Utc>>,
        /// Where to write the reports (default: output.dir).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Check the configuration, the token, GitHub's reachability and the rate limit.
    Check {
        /// The configuration file.
        #[arg(long, short)]
        config: PathBuf,
    },
    /// Write a commented example configuration.
    Init {
        /// Where to write it.
        #[arg(long, default_value = "campaign-pulse.yaml")]
        out: PathBuf,
    },
}

/// Options of `run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// The configuration file.
    #[arg(long, short)]
    pub config: PathBuf,
    /// Compute everything as of this instant: YYYY-MM-DD (midnight UTC) or RFC 3339.
    #[arg(long, value_parser = parse_as_of)]
    pub as_of: Option<DateTime<Utc>>,
    /// Where to write the reports (default: output.dir).
    #[arg(long)]
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
    #[arg(long, value_parser = parse_source)]
    pub source: Option<PathBuf>,
}

/// Parses `--as-of`: `YYYY-MM-DD` is midnight UTC; otherwise RFC 3339.
pub fn parse_as_of(s: &str) -> Result<DateTime<Utc>, String> {
    let t = match NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        Ok(d) if crate::metrics::date_supported(d) => crate::metrics::midnight(d),
        Ok(_) => return Err(out_of_range(s)),
        Err(_) => DateTime::parse_from_rfc3339(s)
            .map(|d| d.with_timezone(&Utc))
            .map_err(|_| {
                format!("`{s}` is not a date: write YYYY-MM-DD (midnight UTC) or RFC 3339 like 2026-11-23T09:00:00Z")
            })?,
    };
    if !crate::metrics::instant_supported(t) {
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
