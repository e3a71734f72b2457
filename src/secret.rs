//! Secrets (tokens, webhook URLs, SMTP credentials) read from the environment and kept out of
//! every `Debug` output.

/// A secret value (URL with a token, SMTP password) that never shows in `Debug` output.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

/// Why an environment variable holds no secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Missing {
    /// It is not set.
    Unset,
    /// It is set to nothing but blanks (GitHub Actions passes an empty value for a secret
    /// that does not exist).
    Empty,
}

impl Secret {
    /// The secret in an environment variable, trimmed; the caller says what to do when it is
    /// missing, in its own words.
    pub fn from_env(var: &str) -> Result<Secret, Missing> {
        match std::env::var(var) {
            Ok(v) if !v.trim().is_empty() => Ok(Secret(v.trim().to_string())),
            Ok(_) => Err(Missing::Empty),
            Err(_) => Err(Missing::Unset),
        }
    }

    /// Wraps a secret value.
    pub fn new(value: String) -> Secret {
        Secret(value)
    }

    /// The value, for the one place that sends it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}
