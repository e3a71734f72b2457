//! How the client authenticates: a token from the environment, or a GitHub App installation
//! (octocrab signs a JWT with the App's key and exchanges it for an installation token).

use super::*;
use crate::config::GithubConfig;
use crate::error::{Error, Result};
use crate::github::retry::Policy;
use crate::secret::{Missing, Secret};
use http::header::HeaderName;
use octocrab::Octocrab;
use octocrab::service::middleware::retry::RetryConfig;
use std::sync::atomic::AtomicU64;
use std::time::Duration;
use url::Url;

/// How requests are authenticated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Auth {
    /// A token from this env var.
    Token(String),
    /// A GitHub App installation.
    App { app_id: u64, installation_id: u64 },
}

impl Auth {
    fn describe(&self) -> String {
        match self {
            Auth::Token(env) => format!("the token in {env}"),
            Auth::App { app_id, .. } => format!("GitHub App {app_id}'s installation"),
        }
    }
}

/// The settings every client shares, on an octocrab builder whose type cannot be named.
macro_rules! configured {
    ($builder:expr) => {
        // the media type (`Accept`) is each request's: a default here would be sent as well
        $builder
            .add_header(
                HeaderName::from_static("x-github-api-version"),
                API_VERSION.to_string(),
            )
            // Retries are ours (see `get_raw`): octocrab's HandleRateLimits waits for any
            // `retry-after` or reset however far away and retries 5xx without backoff.
            .add_retry_config(RetryConfig::None)
            .set_connect_timeout(Some(Duration::from_secs(15)))
            .set_read_timeout(Some(Duration::from_secs(60)))
    };
}

impl GitHub {
    /// Connects with the credentials the configuration names: a GitHub App installation when
    /// `github.app` is set, else the token in `github.token_env`.
    pub fn connect(cfg: &GithubConfig) -> Result<GitHub> {
        crate::tls::init();
        let api = api_url(cfg)?;
        match &cfg.app {
            Some(app) => {
                let pem = std::env::var(&app.private_key_env)
                    .ok()
                    .filter(|k| !k.trim().is_empty())
                    .ok_or_else(|| {
                        Error::Usage(format!(
                            "the environment variable {} (github.app.private_key_env) is not set: set it to the GitHub App's private key (the PEM file GitHub gave you)",
                            app.private_key_env
                        ))
                    })?;
                let key = octocrab::EncodingKey::from_rsa_pem(pem.trim().as_bytes()).map_err(|_| {
                    Error::Usage(format!(
                        "the environment variable {} does not hold an RSA private key in PEM form (-----BEGIN RSA PRIVATE KEY----- …)",
                        app.private_key_env
                    ))
                })?;
                Self::with_app(cfg, api, app.app_id, app.installation_id, key)
            }
            None => {
                let token = match Secret::from_env(&cfg.token_env) {
                    Ok(t) => t,
                    Err(Missing::Empty) => {
                        return Err(Error::Usage(format!(
                            "the environment variable {} (github.token_env) is empty: GitHub Actions passes an empty value when the secret it names is not set — create the secret, or set {0} to a token that can read the organization's secret-scanning alerts",
                            cfg.token_env
                        )));
                    }
                    Err(Missing::Unset) => {
                        return Err(Error::Usage(format!(
                            "the environment variable {} (github.token_env) is not set: set it to a token \
                             that can read the organization's secret-scanning alerts (classic: \
                             `security_events` scope; fine-grained: \"Secret scanning alerts\" read), \
                             or configure github.app",
                            cfg.token_env
                        )));
                    }
                };
                Self::with_token(cfg, api, &token)
            }
        }
    }

    /// A client for `api` authenticating with a token.
    pub fn with_token(
        cfg: &GithubConfig,
        api: Url,
        token: &crate::secret::Secret,
    ) -> Result<GitHub> {
        let octo = configured!(
            Octocrab::builder()
                .base_uri(api.as_str())
                .map_err(|e| Error::Usage(format!("github.api_url `{api}`: {e}")))?
                .personal_token(token.expose().to_string())
        )
        .build()
        .map_err(|e| Error::GitHub(format!("cannot set up the GitHub client: {e}")))?;
        Ok(Self::new(
            cfg,
            api,
            octo,
            Auth::Token(cfg.token_env.clone()),
        ))
    }

    /// A client for `api` acting as a GitHub App installation: octocrab signs a JWT with the
    /// App's key and exchanges it for an installation token on the first request.
    pub fn with_app(
        cfg: &GithubConfig,
        api: Url,
        app_id: u64,
        installation_id: u64,
        key: octocrab::EncodingKey,
    ) -> Result<GitHub> {
        let app = configured!(
            Octocrab::builder()
                .base_uri(api.as_str())
                .map_err(|e| Error::Usage(format!("github.api_url `{api}`: {e}")))?
                .app(octocrab::models::AppId(app_id), key)
        )
        .build()
        .map_err(|e| Error::GitHub(format!("cannot set up the GitHub client: {e}")))?;
        let octo = app
            .installation(octocrab::models::InstallationId(installation_id))
            .map_err(|e| Error::GitHub(format!("cannot set up the GitHub App client: {e}")))?;
        Ok(Self::new(
            cfg,
            api,
            octo,
            Auth::App {
                app_id,
                installation_id,
            },
        ))
    }

    fn new(cfg: &GithubConfig, api: Url, octo: Octocrab, auth: Auth) -> GitHub {
        GitHub {
            octo,
            api,
            org: cfg.org.clone(),
            credential: auth.describe(),
            auth,
            requests: AtomicU64::new(0),
            queries: AtomicU64::new(0),
            policy: Policy {
                deadline: cfg.timeout,
                max_wait: cfg.max_wait,
                attempts: crate::github::retry::ATTEMPTS,
            },
            budget: AtomicU64::new(DEFAULT_BUDGET),
            pause: Default::default(),
            in_flight: tokio::sync::Semaphore::new(IN_FLIGHT),
        }
    }

    /// How this client authenticates, in words for `check`.
    pub fn auth_kind(&self) -> String {
        match &self.auth {
            Auth::Token(env) => format!("token from {env}"),
            Auth::App {
                app_id,
                installation_id,
            } => format!("GitHub App {app_id}, installation {installation_id}"),
        }
    }
}
