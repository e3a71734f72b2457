//! campaign-pulse: weekly progress reports for GitHub secret-scanning remediation campaigns.
//!
//! One run flows one way: configuration → source (GitHub or a fixture) → metrics (pure) →
//! history (JSONL snapshots) → render (Markdown, summary.json) → deliver. The public entry
//! points are [`run`], [`report`], [`demo`], [`check`] and [`init`].

pub(crate) mod commands;
pub mod config;
pub(crate) mod deliver;
pub mod demo;
pub mod error;
pub(crate) mod escalation;
pub mod filter;
pub(crate) mod github;
pub mod history;
pub(crate) mod layout;
pub(crate) mod membership;
pub mod metrics;
pub(crate) mod model;
pub(crate) mod net;
pub(crate) mod output;
pub(crate) mod overview;
pub(crate) mod ownership;
pub(crate) mod playbooks;
pub mod render;
pub(crate) mod secret;
pub(crate) mod site;
pub(crate) mod state;
pub mod summary;
pub(crate) mod text;
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
