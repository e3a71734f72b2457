//! campaign-pulse: weekly progress reports for GitHub secret-scanning remediation campaigns.
//!
//! One run flows one way: configuration → source (GitHub or a fixture) → metrics (pure) →
//! history (JSONL snapshots) → render (Markdown, summary.json) → deliver. The public entry
//! points are [`run`], [`report`], [`demo`], [`check`] and [`init`].

#![warn(missing_docs, clippy::unwrap_used)]

pub mod cli;
pub mod commands;
pub mod config;
pub mod deliver;
pub mod demo;
pub mod error;
pub mod escalation;
pub mod filter;
pub mod github;
pub mod history;
pub mod layout;
pub mod membership;
pub mod metrics;
pub mod model;
pub mod net;
pub mod output;
pub mod overview;
pub mod ownership;
pub mod playbooks;
pub mod render;
pub mod secret;
pub mod site;
pub mod state;
pub mod summary;
pub mod text;
pub mod time;
pub mod tls;

pub use commands::assign::{AssignOptions, assign};
pub use commands::check::check;
pub use commands::demo::demo;
pub use commands::init::init;
pub use commands::job::Outcome;
pub use commands::overview::{OverviewOptions, overview};
pub use commands::preview::{PreviewOptions, preview};
pub use commands::report::{ReportOptions, report};
pub use commands::run::{Only, RunOptions, run};
pub use output::WrittenReport;
