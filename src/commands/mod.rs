//! One file per command, over the job they share.

pub mod assign;
pub mod check;
pub mod demo;
pub mod init;
pub mod job;
pub mod report;
pub mod run;
