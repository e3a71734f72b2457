//! The weekly email (lettre, rustls): `multipart/alternative` with the Markdown reports as
//! plain text and the HTML reports (CSS inlined) with their charts as inline PNG parts
//! referenced by `cid:`.
//!
//! The SMTP URL comes from an env var: `smtps://` (implicit TLS), `smtp://…?tls=required`
//! (STARTTLS), or plain `smtp://` only to this machine.

use super::{Channel, Digest, Failure};
use crate::config::EmailConfig;
use crate::error::{Error, Result};
use crate::render::{ChartLinks, EmailContext, EmailItem, Templates};
use crate::secret::Secret;
use lettre::Message;
use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{AsyncSmtpConnection, Certificate, TlsParameters};
use lettre::transport::smtp::commands::{Data, Mail, Rcpt};
use lettre::transport::smtp::extension::{ClientId, MailBodyParameter, MailParameter};
use std::time::Duration;
use tokio::time::timeout;

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
        if security == Security::Plain && !crate::net::is_loopback(&u) {
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
        let password = u.password().map(decode).transpose()?.map(Secret::new);
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
    deadline: Duration,
}

fn mailbox(field: &str, s: &str) -> Result<Mailbox> {
    s.parse::<Mailbox>().map_err(|e| {
        Error::Usage(format!(
            "delivery.email.{field}: `{s}` is not an email address ({e}); write `name@example.org` or `Name <name@example.org>`"
        ))
    })
}

impl Email {
    /// Reads the addresses and, when sending, the SMTP URL and the extra CA file; every SMTP
    /// step must finish within `deadline`.
    pub fn connect(
        cfg: &EmailConfig,
        smtp_url: Option<Secret>,
        deadline: Duration,
    ) -> Result<Email> {
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
            deadline,
        })
    }

    /// Builds the message: a digest, most urgent campaign first, each linking its full
    /// report; the burndown charts as inline parts.
    pub fn message(&self, digest: &Digest, templates: &Templates) -> Result<Message> {
        let subject = digest.subject();
        let (html, text, detailed) = parts(digest, templates)?;
        let mut related = MultiPart::related().singlepart(SinglePart::html(html));
        let png = ContentType::parse("image/png").map_err(|e| Error::Chart(e.to_string()))?;
        // the email shows each carded campaign's burndown; the repositories chart is in the
        // full report
        for r in digest.reports[..detailed]
            .iter()
            .filter(|r| r.summary.totals.total > 0)
        {
            let id = &r.summary.campaign.id;
            related = related.singlepart(
                Attachment::new_inline_with_name(cid("burndown", id), format!("{id}-burndown.png"))
                    .body(r.burndown.clone(), png.clone()),
            );
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

    /// The escalation message: text and HTML, no images.
    pub fn alarm(
        &self,
        alarm: &crate::render::alarm::Alarm,
        templates: &Templates,
    ) -> Result<Message> {
        let (html, text) = templates.escalation_email(alarm, crate::render::alarm::SHOWN)?;
        let mut builder = Message::builder()
            .from(self.from.clone())
            .subject(alarm.subject());
        for to in &self.to {
            builder = builder.to(to.clone());
        }
        for cc in &self.cc {
            builder = builder.cc(cc.clone());
        }
        builder
            .multipart(MultiPart::alternative_plain_html(wrap_text(&text), html))
            .map_err(|e| Error::Usage(format!("cannot build the escalation email: {e}")))
    }

    /// TLS settings for the server: the SMTP host's name and any extra CA of the config.
    fn tls_parameters(&self, server: &Server) -> std::result::Result<TlsParameters, String> {
        crate::tls::init();
        let mut b = TlsParameters::builder(server.host.clone());
        if let Some(ca) = &self.ca {
            b = b.add_root_certificate(
                Certificate::from_pem(ca).map_err(|e| format!("delivery.email.ca_file: {e}"))?,
            );
        }
        b.build_rustls()
            .map_err(|e| format!("TLS set-up failed: {e}"))
    }

    /// One SMTP session, every step under the deadline. Errors say whether the server could
    /// have the message: once its content is sent, a lost answer is no proof either way.
    async fn session(&self, server: &Server, message: &[u8]) -> std::result::Result<(), Sent> {
        let deadline = self.deadline;
        let implicit = match server.security {
            Security::ImplicitTls => Some(
                self.tls_parameters(server)
                    .map_err(|e| Sent::Not(e, true))?,
            ),
            _ => None,
        };
        let hello = ClientId::default();
        let address = (server.host.as_str(), server.port);
        let mut conn = within(
            deadline,
            "connecting and greeting",
            AsyncSmtpConnection::connect_tokio1(address, Some(deadline), &hello, implicit, None),
        )
        .await?;
        if server.security == Security::StartTls {
            let params = self
                .tls_parameters(server)
                .map_err(|e| Sent::Not(e, true))?;
            if !conn.can_starttls() {
                return Err(Sent::Not(
                    "the server does not offer STARTTLS, which ?tls=required asks for".into(),
                    true,
                ));
            }
            within(deadline, "STARTTLS", conn.starttls(params, &hello)).await?;
        }
        if let (Some(user), Some(password)) = (&server.user, &server.password) {
            let credentials = Credentials::new(user.clone(), password.expose().to_string());
            let mechanisms = [Mechanism::Plain, Mechanism::Login];
            within(
                deadline,
                "authentication",
                conn.auth(&mechanisms, &credentials),
            )
            .await?;
        }
        let envelope = self.envelope().map_err(|e| Sent::Not(e, true))?;
        let mut options = Vec::new();
        if !message.is_ascii() {
            options.push(MailParameter::Body(MailBodyParameter::EightBitMime));
        }
        let from = Mail::new(envelope.from().cloned(), options);
        within(deadline, "MAIL FROM", conn.command(from)).await?;
        for to in envelope.to() {
            within(
                deadline,
                "RCPT TO",
                conn.command(Rcpt::new(to.clone(), vec![])),
            )
            .await?;
        }
        within(deadline, "DATA", conn.command(Data)).await?;
        // From here the server may hold the message: only a refusal proves it does not.
        match timeout(deadline, conn.message(message)).await {
            Ok(Ok(_)) => {}
            Ok(Err(e)) if e.status().is_some() => {
                return Err(Sent::Not(
                    format!("the message was refused: {e}"),
                    e.is_permanent(),
                ));
            }
            Ok(Err(e)) => return Err(Sent::Maybe(format!("after the message was sent: {e}"))),
            Err(_) => {
                return Err(Sent::Maybe(format!(
                    "no answer within {} after the message was sent",
                    humantime::format_duration(deadline)
                )));
            }
        }
        let _ = timeout(deadline, conn.quit()).await;
        Ok(())
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

/// The longest HTML part the email is made with: Gmail clips an HTML part above about 102 KB
/// (hiding the end behind a link), so a digest of many campaigns (a roll-up across
/// organizations) gives cards to the first ones only and lists them all in its table.
pub const HTML_BUDGET: usize = 95 * 1024;

/// The email's HTML part (charts as `cid:` links), its plain-text part, wrapped, and how many
/// campaigns (the most urgent) got a card of their own.
pub fn parts(digest: &Digest, templates: &Templates) -> Result<(String, String, usize)> {
    let subject = digest.subject();
    let counts = digest.status_counts();
    let week = digest.week();
    let views: Vec<_> = digest
        .reports
        .iter()
        .map(|r| {
            let mut v = r.view.clone();
            v.charts = ChartLinks {
                burndown: format!("cid:{}", cid("burndown", &r.summary.campaign.id)),
                repos: String::new(),
            };
            v
        })
        .collect();
    let home = digest.report_url.as_deref().and_then(crate::site::safe_url);
    let render = |detailed: usize| {
        templates.email(&EmailContext {
            subject: &subject,
            as_of: digest.as_of,
            week: &week,
            counts: &counts,
            home: home.as_deref(),
            shown: AT_RISK_SHOWN,
            reports: digest
                .reports
                .iter()
                .zip(&views)
                .map(|(r, v)| EmailItem { s: &r.summary, v })
                .collect(),
            unread: &digest.unread,
            detailed,
        })
    };
    let mut detailed = digest.reports.len();
    let (mut html, mut text) = render(detailed)?;
    while html.len() > HTML_BUDGET && detailed > 0 {
        detailed = detailed * 3 / 4;
        (html, text) = render(detailed)?;
    }
    Ok((html, wrap_text(&text), detailed))
}

/// Wraps plain text at [`TEXT_WIDTH`] characters; a continued line keeps its indentation
/// (and a list item's hanging indent). Long words such as links are never broken.
pub fn wrap_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 16);
    for line in text.lines() {
        let line = line.trim_end();
        if line.chars().count() <= TEXT_WIDTH {
            out.push_str(line);
            out.push('\n');
            continue;
        }
        let indent: String = line.chars().take_while(|c| *c == ' ').collect();
        let rest = &line[indent.len()..];
        let hanging = if rest.starts_with("- ") || rest.starts_with("* ") {
            format!("{indent}  ")
        } else {
            indent.clone()
        };
        let options = textwrap::Options::new(TEXT_WIDTH)
            .initial_indent(&indent)
            .subsequent_indent(&hanging)
            .break_words(false)
            .word_splitter(textwrap::WordSplitter::NoHyphenation);
        for piece in textwrap::wrap(rest, options) {
            out.push_str(piece.trim_end());
            out.push('\n');
        }
    }
    out
}

/// Plain-text lines are wrapped to this many characters.
pub const TEXT_WIDTH: usize = 78;
/// At-risk alerts listed per campaign in the email.
const AT_RISK_SHOWN: usize = 5;

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

    fn render_alarm(
        &self,
        alarm: &crate::render::alarm::Alarm,
        templates: &Templates,
    ) -> Result<Vec<u8>> {
        Ok(self.alarm(alarm, templates)?.formatted())
    }

    async fn send(&self, message: &[u8]) -> std::result::Result<(), Failure> {
        let server = self
            .server
            .as_ref()
            .ok_or_else(|| Failure("email: no SMTP server configured".into()))?;
        let at = format!(
            "{} {}:{}",
            match server.security {
                Security::ImplicitTls => "SMTPS server",
                Security::StartTls => "SMTP server (STARTTLS)",
                Security::Plain => "SMTP server",
            },
            server.host,
            server.port
        );
        let mut backoff = crate::net::Backoff::new(Duration::from_secs(2));
        for attempt in 1..=ATTEMPTS {
            match self.session(server, message).await {
                Ok(()) => return Ok(()),
                Err(Sent::Not(why, permanent)) if attempt < ATTEMPTS && !permanent => {
                    let wait = backoff.next_wait();
                    tracing::warn!("email: {at}: {why}; retrying in {} s", wait.as_secs());
                    tokio::time::sleep(wait).await;
                }
                Err(Sent::Not(why, _)) => {
                    return Err(Failure(format!("email: {at} refused or failed: {why}")));
                }
                // Sending again could deliver it twice: say so and let --resend decide.
                Err(Sent::Maybe(why)) => {
                    return Err(Failure(format!(
                        "email: {at}: {why}; the message may or may not have been delivered — check the inbox, and run again with --resend if it did not arrive"
                    )));
                }
            }
        }
        Err(Failure(format!(
            "email: {at}: gave up after {ATTEMPTS} attempts"
        )))
    }
}

/// One SMTP step under the deadline.
async fn within<T>(
    deadline: Duration,
    what: &str,
    step: impl std::future::Future<Output = std::result::Result<T, lettre::transport::smtp::Error>>,
) -> std::result::Result<T, Sent> {
    match timeout(deadline, step).await {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => Err(Sent::Not(format!("{what}: {e}"), e.is_permanent())),
        Err(_) => Err(Sent::Not(
            format!(
                "{what}: no answer within {}",
                humantime::format_duration(deadline)
            ),
            false,
        )),
    }
}

/// How an SMTP session ended when it did not deliver.
enum Sent {
    /// The server does not have the message (the step, and whether trying again is useless).
    Not(String, bool),
    /// The message content went out but no acceptance came back.
    Maybe(String),
}

/// Sessions tried per email.
const ATTEMPTS: u32 = 3;

#[cfg(test)]
mod tests {
    use super::*;

    /// Gmail clips an HTML part above about 102 KB: ten campaigns of 300 alerts each, with
    /// long names and every at-risk list full, stay well under it.
    #[test]
    fn ten_campaigns_of_hundreds_of_alerts_fit_before_gmail_clips() {
        use crate::config::RiskSettings;
        use crate::deliver::CampaignReport;
        use crate::render::{ReportView, ViewInputs};
        use crate::site::Site;
        let site = Site::new(
            "acme",
            url::Url::parse("https://api.github.com").ok().as_ref(),
            Some("https://reports.acme.example/pulse/"),
        );
        let reports = (0..10)
            .map(|k| {
                let mut summary = crate::render::tests::sample(
                    &format!("Campaign {k} with a rather long name to show"),
                    &format!("acme/service-{k}"),
                    30,
                    10,
                    &RiskSettings::default(),
                );
                summary.campaign.id = format!("campaign-{k}");
                assert_eq!(summary.totals.total, 300);
                let view = ReportView::new(
                    &summary,
                    ViewInputs {
                        site: site.clone(),
                        ..Default::default()
                    },
                );
                CampaignReport {
                    summary,
                    view,
                    burndown: vec![0; 40_000],
                    scoped: None,
                }
            })
            .collect();
        let digest = Digest::new(
            chrono::NaiveDate::from_ymd_opt(2026, 11, 23).unwrap(),
            reports,
            Some("https://reports.acme.example/pulse/".into()),
        );
        let email = Email::connect(
            &crate::config::EmailConfig {
                smtp_url_env: "SMTP_URL".into(),
                from: "a@acme.example".into(),
                to: vec!["b@acme.example".into()],
                cc: vec![],
                ca_file: None,
                owners: vec![],
            },
            None,
            Duration::from_secs(60),
        )
        .unwrap();
        let templates = Templates::load(None).unwrap();
        let raw = email.message(&digest, &templates).unwrap().formatted();
        let msg = mail_parser::MessageParser::default().parse(&raw).unwrap();
        let html = msg.body_html(0).unwrap();
        eprintln!("ten campaigns: HTML part of {} bytes", html.len());
        assert!(html.len() < 100 * 1024, "HTML part of {} bytes", html.len());
        assert!(
            html.len() > 10 * 1024,
            "every campaign is there: {} bytes",
            html.len()
        );
        for k in 0..10 {
            assert!(html.contains(&format!("Campaign {k} with a rather long name")));
        }
        let summary_table = html.find("<table").unwrap();
        assert!(
            summary_table < html.find("class=\"c\"").unwrap(),
            "the summary first"
        );
        let text = msg.body_text(0).unwrap();
        assert!(
            text.lines()
                .all(|l| l.chars().count() <= TEXT_WIDTH || !l.trim().contains(' '))
        );
    }

    #[test]
    fn text_is_wrapped_for_plain_text() {
        let long = format!(
            "- Overdue: AWS access keys, 12 open (+1 this week). Decide: set a new due date (at this pace: 2027-01-04) or add people\n  {}\nshort\n",
            "https://github.com/acme/a-very-long-repository/security/secret-scanning/12345678901234567890"
        );
        let w = wrap_text(&long);
        for line in w.lines() {
            assert!(
                line.chars().count() <= TEXT_WIDTH || !line.trim().contains(' '),
                "{line:?}"
            );
        }
        assert!(
            w.starts_with("- Overdue: AWS access keys, 12 open (+1 this week). Decide: set a new due date\n  (at this pace: 2027-01-04) or add people\n"),
            "a list item continues under its text: {w}"
        );
        assert!(
            w.contains("\n  https://github.com/acme/a-very-long-repository/"),
            "links stay whole: {w}"
        );
        assert!(w.ends_with("short\n"));
    }

    fn parse(url: &str) -> Result<Server> {
        Server::parse(&Secret::new(url.into()), "SMTP_URL")
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
