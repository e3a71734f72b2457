//! Rendering: a [`Summary`](crate::summary::Summary) in, bytes out. Templates are embedded
//! at build time and can be overridden by file name from `output.templates_dir`
//! ([`templates`]); one file per output (the report and index, the email, the overview, the
//! playbooks, the escalation alarm, the charts, the Markdown rules); the view model and the
//! words every channel shares in [`view`] and [`words`].

pub mod alarm;
pub mod charts;
mod email;
pub mod markdown;
mod overview;
mod playbooks;
mod report;
pub mod templates;
pub mod view;
pub mod words;

pub use email::{EmailContext, EmailItem};
pub use report::{IndexEntry, TREND_WEEKS, TrendCell, summary_json};
pub use templates::*;
pub use view::{AtRiskView, ChartLinks, Limits, PreviousReport, ReportView, ViewInputs};
pub use words::week_words;

#[cfg(test)]
pub(crate) mod tests;
