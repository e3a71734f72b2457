//! The `campaign-pulse` binary: parse the command line, run the library, map errors to exit
//! codes (0 ok, 1 failure, 2 usage or configuration, 3 delivery failed).

mod cli;

use campaign_pulse::error::{EXIT_FAILURE, EXIT_OK, Error};
use campaign_pulse::{Only, Outcome, ReportOptions, RunOptions};
use clap::{CommandFactory, Parser};
use cli::{Cli, Command, OnlyPart};
use std::io::IsTerminal;
use std::process::ExitCode;
use tracing_subscriber::filter::Targets;
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::time::FormatTime;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

fn main() -> ExitCode {
    campaign_pulse::tls::init();
    let cli = Cli::parse();
    let color = cli.color.enabled(std::io::stderr().is_terminal());
    init_logging(cli.quiet, cli.verbose, color);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            print_error(color, &format!("cannot start the async runtime: {e}"));
            return ExitCode::from(EXIT_FAILURE as u8);
        }
    };
    let code = match runtime.block_on(dispatch(cli.command, cli.quiet)) {
        Ok(code) => code,
        Err(e) => {
            print_error(color, &e.to_string());
            e.exit_code()
        }
    };
    ExitCode::from(u8::try_from(code).unwrap_or(1))
}

/// `error: …` on stderr, the word in red on a terminal (not under NO_COLOR or --color never).
fn print_error(color: bool, message: &str) {
    if color {
        eprintln!("\x1b[1;31merror:\x1b[0m {message}");
    } else {
        eprintln!("error: {message}");
    }
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
                config: args.config.path().map_err(Error::Usage)?,
                as_of: args.as_of,
                out: args.out,
                dry_run: args.dry_run,
                no_send: args.no_send,
                resend: args.resend,
                fixture: args.source,
                full: args.full,
                only: args.only.map(|o| match o {
                    OnlyPart::Escalate => Only::Escalate,
                    OnlyPart::Report => Only::Report,
                }),
            };
            let outcome = campaign_pulse::run(&opts).await?;
            if !quiet {
                print_reports(&outcome);
                if opts.only == Some(Only::Escalate) && outcome.escalations_due == 0 {
                    println!("no escalation due");
                }
            }
            Ok(outcome.exit_code)
        }
        Command::Rollup {
            config,
            out,
            send,
            resend,
            runs,
        } => {
            let outcome = campaign_pulse::rollup(&campaign_pulse::RollupOptions {
                config: config.path().map_err(Error::Usage)?,
                out: out.clone(),
                runs,
                send,
                resend,
            })
            .await?;
            if !quiet {
                println!("{}", out.join("rollup.json").display());
                println!("{}", out.join("index.html").display());
            }
            Ok(outcome.exit_code)
        }
        Command::Report {
            config,
            as_of,
            out,
            force,
        } => {
            let outcome = campaign_pulse::report(&ReportOptions {
                config: config.path().map_err(Error::Usage)?,
                as_of,
                out,
                force,
            })?;
            if !quiet {
                print_reports(&outcome);
            }
            Ok(outcome.exit_code)
        }
        Command::Check { config } => {
            let report = campaign_pulse::check(&config.path().map_err(Error::Usage)?).await?;
            for line in report.lines {
                println!("{line}");
            }
            Ok(report.exit_code)
        }
        Command::Assign {
            config,
            campaign,
            apply,
            max,
            out,
            source,
        } => {
            let outcome = campaign_pulse::assign(&campaign_pulse::AssignOptions {
                config: config.path().map_err(Error::Usage)?,
                campaign,
                apply,
                max,
                out,
                source,
            })
            .await?;
            if !quiet {
                for p in &outcome.plan.plan {
                    println!(
                        "{:<40} -> {:<20} ({})",
                        format!("{} #{}", p.repo, p.number),
                        p.login,
                        p.source.as_str()
                    );
                }
                for n in &outcome.plan.not_assignable {
                    println!(
                        "{:<40} -> nobody: {}",
                        format!("{} #{}", n.repo, n.number),
                        n.why
                    );
                }
                for w in &outcome.plan.waiting {
                    println!(
                        "{:<40} -> waits: {}",
                        format!("{} #{}", w.repo, w.number),
                        w.why
                    );
                }
                println!(
                    "plan: {} alert{} to assign, written to {}",
                    outcome.plan.plan.len(),
                    if outcome.plan.plan.len() == 1 {
                        ""
                    } else {
                        "s"
                    },
                    outcome.plan_path.display()
                );
                if apply {
                    let assigned = outcome
                        .applied
                        .iter()
                        .filter(|a| a.result == "assigned")
                        .count();
                    println!(
                        "applied: {assigned} assigned; every attempt is in assignments.jsonl beside the history"
                    );
                } else {
                    println!("nothing changed on GitHub; run again with --apply to assign");
                }
            }
            Ok(EXIT_OK)
        }
        Command::Preview {
            config,
            filter,
            as_of,
            source,
        } => {
            let text = campaign_pulse::preview(&campaign_pulse::PreviewOptions {
                config: config.path().map_err(Error::Usage)?,
                filter,
                as_of,
                fixture: source,
            })
            .await?;
            print!("{text}");
            Ok(EXIT_OK)
        }
        Command::Overview {
            config,
            as_of,
            out,
            source,
        } => {
            let path = campaign_pulse::overview(&campaign_pulse::OverviewOptions {
                config: config.path().map_err(Error::Usage)?,
                as_of,
                out,
                fixture: source,
            })
            .await?;
            if !quiet {
                println!("{}", path.display());
            }
            Ok(EXIT_OK)
        }
        Command::Export {
            config,
            format,
            campaign,
            as_of,
            out,
            source,
        } => {
            let written = campaign_pulse::export(&campaign_pulse::ExportOptions {
                config: config.path().map_err(Error::Usage)?,
                format: match format {
                    cli::ExportFormatArg::Csv => campaign_pulse::ExportFormat::Csv,
                    cli::ExportFormatArg::Jsonl => campaign_pulse::ExportFormat::Jsonl,
                },
                campaign,
                as_of,
                out,
                fixture: source,
            })
            .await?;
            if !quiet {
                println!(
                    "{} ({} rows)\n{} ({} rows)\nas of {}",
                    written.alerts.0.display(),
                    written.alerts.1,
                    written.history.0.display(),
                    written.history.1,
                    written.as_of.format("%Y-%m-%d %H:%M UTC")
                );
            }
            Ok(EXIT_OK)
        }
        Command::Templates { out } => {
            let written = campaign_pulse::templates(&out)?;
            if !quiet {
                println!(
                    "Wrote {} templates into {} (files already there were kept). Edit them, then set\n  output:\n    templates_dir: {}\nand check them with: campaign-pulse check",
                    written.len(),
                    out.display(),
                    out.display()
                );
            }
            Ok(EXIT_OK)
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
        Command::Completions { shell } => {
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "campaign-pulse", &mut script);
            print_all(&script)
        }
        Command::Man { out: None } => {
            let mut page = Vec::new();
            clap_mangen::Man::new(Cli::command())
                .render(&mut page)
                .map_err(|e| Error::Usage(format!("cannot render the manual page: {e}")))?;
            print_all(&page)
        }
        Command::Man { out: Some(dir) } => {
            std::fs::create_dir_all(&dir)
                .and_then(|()| clap_mangen::generate_to(Cli::command(), &dir))
                .map_err(|e| {
                    Error::Usage(format!(
                        "cannot write the manual pages into {}: {e}",
                        dir.display()
                    ))
                })?;
            println!("wrote the manual pages into {}", dir.display());
            Ok(EXIT_OK)
        }
    }
}

/// Writes bytes to stdout; a reader that stopped early (`| head`) is not an error.
fn print_all(bytes: &[u8]) -> Result<i32, Error> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(Error::Usage(format!(
            "cannot write to standard output: {e}"
        ))),
        _ => Ok(EXIT_OK),
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
            "{:<28} {:<9} {:>5} open {:>4} closed this week  {}",
            s.campaign.id,
            s.forecast.status.label(),
            s.totals.open,
            s.totals.resolved_this_week,
            r.dir.join("report.md").display()
        );
    }
}

/// Timestamps to the second, in UTC, for logs read later (cron mail, CI).
struct Seconds;

impl FormatTime for Seconds {
    fn format_time(&self, w: &mut Writer<'_>) -> std::fmt::Result {
        write!(w, "{}", chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ"))
    }
}

/// Logs on stderr: this tool's own lines only (the HTTP and TLS libraries stay silent unless
/// `-vv` or `CAMPAIGN_PULSE_LOG` asks); `--quiet` leaves only errors. On a terminal, lines
/// carry no timestamp; elsewhere, a timestamp to the second.
fn init_logging(quiet: bool, verbose: u8, color: bool) {
    let default = match (quiet, verbose) {
        (true, _) => "campaign_pulse=error",
        (false, 0) => "campaign_pulse=info",
        (false, 1) => "campaign_pulse=debug,warn",
        (false, _) => "trace",
    };
    // `target=level,level`, as RUST_LOG writes it (without span filters)
    let filter: Targets = std::env::var("CAMPAIGN_PULSE_LOG")
        .ok()
        .and_then(|f| f.parse().ok())
        .unwrap_or_else(|| default.parse().unwrap_or_default());
    let layer = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_ansi(color)
        .with_target(false);
    let registry = tracing_subscriber::registry().with(filter);
    if std::io::stderr().is_terminal() {
        registry.with(layer.without_time()).init();
    } else {
        registry.with(layer.with_timer(Seconds)).init();
    }
}
