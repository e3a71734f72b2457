//! One file per command, over the job they share.

pub mod assign;
pub mod check;
pub mod demo;
pub mod export;
pub mod init;
pub mod job;
pub mod overview;
pub mod preview;
pub mod report;
pub mod rollup;
pub mod run;
