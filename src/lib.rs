//! campaign-pulse: weekly progress reports for GitHub secret-scanning remediation campaigns.
//!
//! One run flows one way: configuration → source (GitHub, or the demo's sample) → the pure
//! domain (filter, ownership, metrics, overview, escalation rules) → the state beside the
//! history → presentation (`summary.json`, reports) → delivery. The README's "Architecture"
//! section lists every module, its layer and the import rules, which a test checks.
//!
//! The entry points, one per command of the binary:
//!
//! - [`run`]: the weekly job — fetch, compute, record, write the reports, deliver, escalate;
//! - [`report`]: the reports again from the history, without GitHub;
//! - [`demo`](fn@demo): the reports of a built-in sample organization, no token, no network;
//! - [`check`]: the configuration, the token and what it may read;
//! - [`init`]: a commented example configuration; [`templates`]: the built-in templates, to
//!   start your own from;
//! - [`overview`]: the organization overview alone, from every alert;
//! - [`preview`]: which alerts a proposed campaign would hold;
//! - [`assign`]: assign the campaigns' unassigned open alerts to their owners.
//!
//! Below them the public modules are what the benchmarks and library users need:
//! [`config`], [`filter`], [`metrics`], [`history`], [`summary`], [`render`], [`demo`](mod@demo),
//! [`error`], [`time`] and [`tls`].

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
pub(crate) mod rollup;
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
pub use commands::export::{ExportOptions, Format as ExportFormat, export};
pub use commands::init::{init, templates};
pub use commands::job::Outcome;
pub use commands::overview::{OverviewOptions, overview};
pub use commands::preview::{PreviewOptions, preview};
pub use commands::report::{ReportOptions, report};
pub use commands::rollup::{RollupOptions, rollup};
pub use commands::run::{Only, RunOptions, run};
pub use output::WrittenReport;
