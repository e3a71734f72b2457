//! The end-to-end tests: the real binary against real servers on loopback (a GitHub-like API
//! with real pagination, SMTP, chat webhooks), one module per theme. One test binary links
//! once, not once per theme.

// Test helpers fail loudly: a panic names the line that broke.
#![allow(clippy::unwrap_used)]

mod common;

mod action;
mod architecture;
mod cli;
mod deliver;
mod escalation;
mod export;
mod faults;
mod hardening;
mod history;
mod hostile;
mod incremental;
mod membership;
mod owners;
mod rollup;
mod run;
mod setup;
