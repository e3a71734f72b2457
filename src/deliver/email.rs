//! The weekly email (lettre, rustls): `multipart/alternative` with the Markdown reports as
//! plain text and the HTML reports (CSS inlined) with their charts as inline PNG parts
//! referenced by `cid:`.
//!
//! The SMTP URL comes from an env var: `smtps://` (implicit TLS), `smtp://…?tls=required`
//! (STARTTLS), or plain `smtp://` only to this machine.

use super::{Channel, Digest, Failure, Secret};
use crate::config::EmailConfig;
use crate::error::{Error, Result};
use crate::render::{ChartLinks, Templates};
use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::time::Duration;

/// How the SMTP connection is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Security {
    /// TLS from the first byte (`smtps://`, port 465).
    ImplicitTls,
    /// STARTTLS, required (`smtp://…?tls=required`, port 587).
    StartTls,
    /// None: only to a loopback address.
    Plain,
}

/// Where and how to send, from the SMTP URL.
#[derive(Debug, Clone)]
pub struct Server {
    /// Host name or address.
    pub host: String,
    /// Port.
    pub port: u16,
    /// TLS mode.
    pub security: Security,
    user: Option<String>,
    password: Option<Secret>,
}

impl Server {
    /// Parses an SMTP URL; messages name the env var, never the URL (it holds a password).
    pub fn parse(url: &Secret, var: &str) -> Result<Server> {
        let bad = |why: &str| Error::Usage(format!("{var}: {why}"));
        let u = url::Url::parse(url.expose())
            .map_err(|_| bad("not a URL; write smtps://USER:PASSWORD@HOST or smtp://USER:PASSWORD@HOST:587?tls=required"))?;
        let host = u
            .host_str()
            .map(|h| h.trim_start_matches('[').trim_end_matches(']').to_string())
            .filter(|h| !h.is_empty())
            .ok_or_else(|| bad("the URL has no host"))?;
        let tls = u
            .query_pairs()
            .find(|(k, _)| k == "tls")
            .map(|(_, v)| v.into_owned());
        let security = match (u.scheme(), tls.as_deref()) {
            ("smtps", _) => Security::ImplicitTls,
            ("smtp", Some("required")) => Security::StartTls,
            ("smtp", None) => Security::Plain,
            ("smtp", Some(other)) => {
                return Err(bad(&format!(
                    "tls={other} is not supported: use ?tls=required (STARTTLS) or smtps://"
                )));
            }
            (other, _) => {
                return Err(bad(&format!(
                    "scheme `{other}` is not SMTP; use smtps:// or smtp://"
                )));
            }
        };
        if security == Security::Plain && !crate::config::is_loopback(&u) {
            return Err(bad(
                "plain smtp:// would send the password and the report unencrypted; use smtps:// or smtp://…?tls=required (plain SMTP is allowed only to this machine)",
            ));
        }
        let port = u.port().unwrap_or(match security {
            Security::ImplicitTls => 465,
            Security::StartTls => 587,
            Security::Plain => 25,
        });
        let decode = |s: &str| {
            percent_decode(s)
                .map_err(|_| bad("the user or password is not valid percent-encoded UTF-8"))
        };
        let user = (!u.username().is_empty())
            .then(|| decode(u.username()))
            .transpose()?;
        let password = u.password().map(decode).transpose()?.map(Secret);
        Ok(Server {
            host,
            port,
            security,
            user,
            password,
        })
    }
}

fn percent_decode(s: &str) -> std::result::Result<String, std::str::Utf8Error> {
    percent_encoding::percent_decode_str(s)
        .decode_utf8()
        .map(|c| c.into_owned())
}

/// The email channel.
#[derive(Debug)]
pub struct Email {
    from: Mailbox,
    to: Vec<Mailbox>,
    cc: Vec<Mailbox>,
    server: Option<Server>,
    ca: Option<Vec<u8>>,
}

fn mailbox(field: &str, s: &str) -> Result<Mailbox> {
    s.parse::<Mailbox>().map_err(|e| {
        Error::Usage(format!(
            "delivery.email.{field}: `{s}` is not an email address ({e}); write `name@example.org` or `Name <name@example.org>`"
        ))
    })
}

impl Email {
    /// Reads the addresses and, when sending, the SMTP URL and the extra CA file.
    pub fn connect(cfg: &EmailConfig, smtp_url: Option<Secret>) -> Result<Email> {
        let from = mailbox("from", &cfg.from)?;
        let to = cfg
            .to
            .iter()
            .map(|a| mailbox("to", a))
            .collect::<Result<Vec<_>>>()?;
        let cc = cfg
            .cc
            .iter()
            .map(|a| mailbox("cc", a))
            .collect::<Result<Vec<_>>>()?;
        let server = smtp_url
            .map(|u| Server::parse(&u, &cfg.smtp_url_env))
            .transpose()?;
        let ca = match (&server, &cfg.ca_file) {
            (Some(_), Some(path)) => Some(std::fs::read(path).map_err(|e| {
                Error::Usage(format!("delivery.email.ca_file {}: {e}", path.display()))
            })?),
            _ => None,
        };
        Ok(Email {
            from,
            to,
            cc,
            server,
            ca,
        })
    }

    /// Builds the message.
    pub fn message(&self, digest: &Digest, templates: &Templates) -> Result<Message> {
        let subject = digest.subject();
        let mut views = Vec::with_capacity(digest.reports.len());
        for r in &digest.reports {
            let mut v = r.view.clone();
            v.charts = ChartLinks {
                burndown: format!("cid:{}", cid("burndown", &r.summary.campaign.id)),
                repos: format!("cid:{}", cid("repos", &r.summary.campaign.id)),
            };
            views.push(v);
        }
        let pairs: Vec<_> = digest
            .reports
            .iter()
            .zip(&views)
            .map(|(r, v)| (&r.summary, v))
            .collect();
        let html =
            templates.email_html(&subject, digest.as_of, digest.report_url.as_deref(), &pairs)?;
        let html = css_inline::CSSInliner::options()
            .keep_style_tags(true)
            .build()
            .inline(&html)
            .map_err(|e| Error::Template {
                name: crate::render::EMAIL_TEMPLATE.into(),
                message: format!("cannot inline its CSS: {e}"),
            })?;
        let mut text = format!("{subject}\n\n");
        if let Some(url) = &digest.report_url {
            text.push_str(&format!("The reports: {url}\n\n"));
        }
        text.push_str(
            &digest
                .reports
                .iter()
                .map(|r| r.markdown.trim_end().to_string())
                .collect::<Vec<_>>()
                .join("\n\n---\n\n"),
        );
        text.push('\n');

        let mut related = MultiPart::related().singlepart(SinglePart::html(html));
        let png = ContentType::parse("image/png").map_err(|e| Error::Chart(e.to_string()))?;
        for r in &digest.reports {
            let id = &r.summary.campaign.id;
            // the repositories chart is shown only when a repository has open alerts
            let charts: &[(&str, &Vec<u8>)] = if r.summary.repos.top.is_empty() {
                &[("burndown", &r.burndown)]
            } else {
                &[("burndown", &r.burndown), ("repos", &r.repos)]
            };
            for &(kind, bytes) in charts {
                related = related.singlepart(
                    Attachment::new_inline_with_name(cid(kind, id), format!("{id}-{kind}.png"))
                        .body(bytes.clone(), png.clone()),
                );
            }
        }
        let mut builder = Message::builder().from(self.from.clone()).subject(subject);
        for to in &self.to {
            builder = builder.to(to.clone());
        }
        for cc in &self.cc {
            builder = builder.cc(cc.clone());
        }
        builder
            .multipart(
                MultiPart::alternative()
                    .singlepart(SinglePart::plain(text))
                    .multipart(related),
            )
            .map_err(|e| Error::Usage(format!("cannot build the email: {e}")))
    }

    fn transport(
        &self,
        server: &Server,
    ) -> std::result::Result<AsyncSmtpTransport<Tokio1Executor>, String> {
        crate::tls::init();
        let tls_params = || -> std::result::Result<TlsParameters, String> {
            let mut b = TlsParameters::builder(server.host.clone());
            if let Some(ca) = &self.ca {
                b = b.add_root_certificate(
                    Certificate::from_pem(ca)
                        .map_err(|e| format!("delivery.email.ca_file: {e}"))?,
                );
            }
            b.build_rustls()
                .map_err(|e| format!("TLS set-up failed: {e}"))
        };
        let tls = match server.security {
            Security::ImplicitTls => Tls::Wrapper(tls_params()?),
            Security::StartTls => Tls::Required(tls_params()?),
            Security::Plain => Tls::None,
        };
        let mut b = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(server.host.clone())
            .port(server.port)
            .tls(tls)
            .timeout(Some(Duration::from_secs(30)));
        if let (Some(user), Some(password)) = (&server.user, &server.password) {
            b = b.credentials(Credentials::new(
                user.clone(),
                password.expose().to_string(),
            ));
        }
        Ok(b.build())
    }

    fn envelope(&self) -> std::result::Result<lettre::address::Envelope, String> {
        let rcpt = self
            .to
            .iter()
            .chain(&self.cc)
            .map(|m| m.email.clone())
            .collect();
        lettre::address::Envelope::new(Some(self.from.email.clone()), rcpt)
            .map_err(|e| e.to_string())
    }
}

fn cid(kind: &str, campaign: &str) -> String {
    format!("{kind}-{campaign}@campaign-pulse")
}

impl Channel for Email {
    fn key(&self) -> String {
        "email".into()
    }

    fn outbox_name(&self) -> String {
        "email.eml".into()
    }

    fn render(&self, digest: &Digest, templates: &Templates) -> Result<Vec<u8>> {
        Ok(self.message(digest, templates)?.formatted())
    }

    async fn send(&self, message: &[u8]) -> std::result::Result<(), Failure> {
        let fail = |why: String| Failure(format!("email: {why}"));
        let server = self
            .server
            .as_ref()
            .ok_or_else(|| fail("no SMTP server configured".into()))?;
        let transport = self.transport(server).map_err(fail)?;
        let envelope = self.envelope().map_err(fail)?;
        let mut backoff = Duration::from_secs(2);
        for attempt in 1..=3 {
            match transport.send_raw(&envelope, message).await {
                Ok(_) => return Ok(()),
                Err(e) if attempt < 3 && !e.is_permanent() => {
                    tracing::warn!("email: {e}; retrying in {} s", backoff.as_secs());
                    tokio::time::sleep(backoff).await;
                    backoff *= 2;
                }
                Err(e) => {
                    return Err(fail(format!(
                        "{} {}:{} refused or failed: {e}",
                        match server.security {
                            Security::ImplicitTls => "SMTPS server",
                            Security::StartTls => "SMTP server (STARTTLS)",
                            Security::Plain => "SMTP server",
                        },
                        server.host,
                        server.port
                    )));
                }
            }
        }
        Err(fail("gave up after 3 attempts".into()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(url: &str) -> Result<Server> {
        Server::parse(&Secret(url.into()), "SMTP_URL")
    }

    #[test]
    fn smtp_urls() {
        let s = parse("smtps://bot%40acme:p%40ss%2Bw0rd@mail.example.org").unwrap();
        assert_eq!(
            (s.host.as_str(), s.port, s.security),
            ("mail.example.org", 465, Security::ImplicitTls)
        );
        assert_eq!(s.user.as_deref(), Some("bot@acme"));
        assert_eq!(s.password.as_ref().map(Secret::expose), Some("p@ss+w0rd"));
        let s = parse("smtp://u:p@mail.example.org?tls=required").unwrap();
        assert_eq!((s.port, s.security), (587, Security::StartTls));
        let s = parse("smtp://127.0.0.1:2525").unwrap();
        assert_eq!((s.port, s.security), (2525, Security::Plain));
        assert!(s.user.is_none());
        parse("smtp://localhost").unwrap();
        parse("smtp://[::1]:25").unwrap();
        assert!(parse("smtp://127.0.0.1.evil.example").is_err());
    }

    #[test]
    fn plain_smtp_to_another_host_is_refused_without_echoing_the_url() {
        let e = parse("smtp://user:hunter2@mail.example.org")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("SMTP_URL: plain smtp://"), "{e}");
        assert!(
            !e.contains("hunter2") && !e.contains("mail.example.org"),
            "{e}"
        );
        let e = parse("smtp://u:hunter2@mail.example.org?tls=opportunistic")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("tls=opportunistic is not supported") && !e.contains("hunter2"),
            "{e}"
        );
        let e = parse("https://u:hunter2@x").unwrap_err().to_string();
        assert!(!e.contains("hunter2"), "{e}");
        let e = parse("hunter2").unwrap_err().to_string();
        assert!(!e.contains("hunter2"), "{e}");
    }
}
