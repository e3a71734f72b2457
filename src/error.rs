//! One error type for the whole run; every message says what went wrong and what to do.

use std::path::PathBuf;

/// Exit code: everything worked.
pub const EXIT_OK: i32 = 0;
/// Exit code: the run failed; nothing was delivered and the history is unchanged.
pub const EXIT_FAILURE: i32 = 1;
/// Exit code: bad usage or configuration.
pub const EXIT_USAGE: i32 = 2;
/// Exit code: reports and history were written but at least one delivery failed.
pub const EXIT_DELIVERY: i32 = 3;

/// Everything that can stop a run.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The configuration file is invalid; the message carries file:line:column.
    #[error("{0}")]
    Config(String),

    /// The command line or an environment variable is wrong.
    #[error("{0}")]
    Usage(String),

    /// A template could not be parsed or rendered.
    #[error("template `{name}`: {message}")]
    Template {
        /// Template name, e.g. `report.md.tera`.
        name: String,
        /// What is wrong, with the line when known.
        message: String,
    },

    /// GitHub answered with an error, could not be reached, or sent something unreadable.
    #[error("{0}")]
    GitHub(String),

    /// A pagination link pointed away from the configured API origin.
    #[error(
        "GitHub's pagination link points to {refused}, not to the configured API at {expected}; \
         refusing to send the token there. Check `github.api_url` (or GITHUB_API_URL) and any \
         proxy in between"
    )]
    ForeignLink {
        /// Origin the link pointed to.
        refused: String,
        /// Configured origin.
        expected: String,
    },

    /// The history file is unreadable or malformed; it was left untouched.
    #[error("history {}: {message}", path.display())]
    History {
        /// The history file.
        path: PathBuf,
        /// What is wrong and where.
        message: String,
    },

    /// A chart could not be drawn.
    #[error("{0}")]
    Chart(String),

    /// A file could not be read or written.
    #[error("{what} {}: {source}", path.display())]
    Io {
        /// What the file is for, e.g. "cannot write report".
        what: &'static str,
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
}

impl Error {
    /// The process exit code for this error (README, "Errors and exit codes").
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Config(_) | Error::Usage(_) | Error::Template { .. } => EXIT_USAGE,
            Error::GitHub(_)
            | Error::ForeignLink { .. }
            | Error::History { .. }
            | Error::Chart(_)
            | Error::Io { .. } => EXIT_FAILURE,
        }
    }

    /// Shorthand for an I/O error on a path.
    pub fn io(what: &'static str, path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            what,
            path: path.into(),
            source,
        }
    }
}

/// Result with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
