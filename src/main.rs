//! The `campaign-pulse` binary: parse the command line, run the library, map errors to exit
//! codes (0 ok, 1 failure, 2 usage or configuration, 3 delivery failed).

use campaign_pulse::cli::{Cli, Command};
use campaign_pulse::error::{EXIT_FAILURE, EXIT_OK, Error};
use campaign_pulse::{Outcome, ReportOptions, RunOptions};
use clap::Parser;
use std::io::IsTerminal;
use std::process::ExitCode;
use tracing_subscriber::EnvFilter;

fn main() -> ExitCode {
    campaign_pulse::tls::init();
    let cli = Cli::parse();
    init_logging(cli.quiet, cli.verbose);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(EXIT_FAILURE as u8);
        }
    };
    let code = match runtime.block_on(dispatch(cli.command, cli.quiet)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            e.exit_code()
        }
    };
    ExitCode::from(u8::try_from(code).unwrap_or(1))
}

async fn dispatch(command: Command, quiet: bool) -> Result<i32, Error> {
    match command {
        Command::Demo { out } => {
            let outcome = campaign_pulse::demo(&out).await?;
            if !quiet {
                print_reports(&outcome);
                println!(
                    "\nThe demo organization's history is in {}; run the same command again for the same numbers.",
                    out.join("history.jsonl").display()
                );
            }
            Ok(outcome.exit_code)
        }
        Command::Run(args) => {
            let opts = RunOptions {
                config: args.config,
                as_of: args.as_of,
                out: args.out,
                dry_run: args.dry_run,
                no_send: args.no_send,
                resend: args.resend,
                fixture: args.source,
            };
            let outcome = campaign_pulse::run(&opts).await?;
            if !quiet {
                print_reports(&outcome);
            }
            Ok(outcome.exit_code)
        }
        Command::Report { config, as_of, out } => {
            let outcome = campaign_pulse::report(&ReportOptions { config, as_of, out })?;
            if !quiet {
                print_reports(&outcome);
            }
            Ok(outcome.exit_code)
        }
        Command::Check { config } => {
            let (lines, ok) = campaign_pulse::check(&config).await?;
            for line in lines {
                println!("{line}");
            }
            Ok(if ok { EXIT_OK } else { EXIT_FAILURE })
        }
        Command::Init { out } => {
            campaign_pulse::init(&out)?;
            if !quiet {
                println!(
                    "Wrote {}. Edit the organization and campaigns, set GITHUB_TOKEN, then:\n  campaign-pulse check --config {0}\n  campaign-pulse run --config {0}",
                    out.display()
                );
            }
            Ok(EXIT_OK)
        }
    }
}

fn print_reports(outcome: &Outcome) {
    print_campaigns(outcome);
    let d = &outcome.delivery;
    for path in &d.written {
        println!("would send: {}", path.display());
    }
    if !d.sent.is_empty() {
        println!("delivered: {}", d.sent.join(", "));
    }
    if !d.skipped.is_empty() {
        println!(
            "already delivered today: {} (--resend sends again)",
            d.skipped.join(", ")
        );
    }
    for (channel, why) in &d.failed {
        println!("FAILED {channel}: {why}");
    }
}

fn print_campaigns(outcome: &Outcome) {
    for r in &outcome.reports {
        let s = &r.summary;
        println!(
            "{:<28} {:<9} {:>5} open {:>4} resolved this week  {}",
            s.campaign.id,
            s.forecast.status.label(),
            s.totals.open,
            s.totals.resolved_this_week,
            r.dir.join("report.md").display()
        );
    }
}

fn init_logging(quiet: bool, verbose: u8) {
    let default = match (quiet, verbose) {
        (true, _) => "warn",
        (false, 0) => "campaign_pulse=info,warn",
        (false, 1) => "campaign_pulse=debug,info",
        (false, _) => "trace",
    };
    let filter =
        EnvFilter::try_from_env("CAMPAIGN_PULSE_LOG").unwrap_or_else(|_| EnvFilter::new(default));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_target(false)
        .init();
}
