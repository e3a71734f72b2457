//! Real peers for delivery tests: an SMTP server (mailin-embedded, optionally STARTTLS with a
//! test CA made by rcgen) and a chat-webhook server (axum) that answers like Slack and Teams.

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use std::collections::HashMap;
use std::net::IpAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

/// One message the SMTP server accepted.
#[derive(Debug, Clone)]
pub struct Mail {
    pub from: String,
    pub to: Vec<String>,
    pub data: Vec<u8>,
    pub authenticated_as: Option<String>,
    pub tls: bool,
}

#[derive(Clone)]
struct MailHandler {
    received: Arc<Mutex<Vec<Mail>>>,
    current: Option<Mail>,
    user: Option<String>,
    tls: bool,
}

const USER: &str = "reports@acme.example";
const PASSWORD: &str = "smtp-pass-CANARY-9f8e";

impl mailin_embedded::Handler for MailHandler {
    fn data_start(
        &mut self,
        _domain: &str,
        from: &str,
        _is8bit: bool,
        to: &[String],
    ) -> mailin_embedded::Response {
        self.current = Some(Mail {
            from: from.to_string(),
            to: to.to_vec(),
            data: Vec::new(),
            authenticated_as: self.user.clone(),
            tls: self.tls,
        });
        mailin_embedded::response::OK
    }

    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        if let Some(m) = &mut self.current {
            m.data.extend_from_slice(buf);
        }
        Ok(())
    }

    fn data_end(&mut self) -> mailin_embedded::Response {
        if let Some(m) = self.current.take() {
            self.received.lock().unwrap().push(m);
        }
        mailin_embedded::response::OK
    }

    fn auth_plain(
        &mut self,
        _authz: &str,
        user: &str,
        password: &str,
    ) -> mailin_embedded::Response {
        if user == USER && password == PASSWORD {
            self.user = Some(user.to_string());
            mailin_embedded::response::AUTH_OK
        } else {
            mailin_embedded::response::INVALID_CREDENTIALS
        }
    }

    fn helo(&mut self, _ip: IpAddr, _domain: &str) -> mailin_embedded::Response {
        mailin_embedded::response::OK
    }
}

/// A running SMTP server.
pub struct SmtpServer {
    pub port: u16,
    pub received: Arc<Mutex<Vec<Mail>>>,
    /// The CA to trust for STARTTLS (PEM file), when started with TLS.
    pub ca_file: Option<PathBuf>,
    _dir: tempfile::TempDir,
}

impl SmtpServer {
    /// Starts a server on a free loopback port; with `starttls`, it offers STARTTLS with a
    /// certificate for 127.0.0.1 signed by a fresh test CA, and accepts AUTH PLAIN.
    pub fn start(starttls: bool) -> SmtpServer {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let dir = tempfile::tempdir().unwrap();
        let received = Arc::new(Mutex::new(Vec::new()));
        let handler = MailHandler {
            received: received.clone(),
            current: None,
            user: None,
            tls: starttls,
        };
        let mut server = mailin_embedded::Server::new(handler);
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        server.with_name("localhost").with_tcp_listener(listener);
        let mut ca_file = None;
        if starttls {
            let (ca, cert, key) = test_certificates();
            let paths = [("ca.pem", ca), ("cert.pem", cert), ("key.pem", key)].map(|(n, pem)| {
                let p = dir.path().join(n);
                std::fs::write(&p, pem).unwrap();
                p
            });
            server
                .with_ssl(mailin_embedded::SslConfig::Trusted {
                    cert_path: paths[1].display().to_string(),
                    key_path: paths[2].display().to_string(),
                    chain_path: paths[0].display().to_string(),
                })
                .unwrap()
                .with_auth(mailin_embedded::AuthMechanism::Plain);
            ca_file = Some(paths[0].clone());
        }
        std::thread::spawn(move || {
            let _ = server.serve();
        });
        SmtpServer {
            port,
            received,
            ca_file,
            _dir: dir,
        }
    }

    /// The SMTP URL a client uses: STARTTLS with credentials, or plain.
    pub fn url(&self) -> String {
        if self.ca_file.is_some() {
            format!(
                "smtp://reports%40acme.example:{PASSWORD}@127.0.0.1:{}?tls=required",
                self.port
            )
        } else {
            format!("smtp://127.0.0.1:{}", self.port)
        }
    }

    pub fn password() -> &'static str {
        PASSWORD
    }

    pub fn mails(&self) -> Vec<Mail> {
        self.received.lock().unwrap().clone()
    }
}

/// (CA PEM, leaf certificate PEM, leaf key PEM) for 127.0.0.1 and localhost.
fn test_certificates() -> (String, String, String) {
    use rcgen::{
        BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair, KeyUsagePurpose, SanType,
    };
    let ca_key = KeyPair::generate().unwrap();
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    ca_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "campaign-pulse test CA");
    let ca_cert = ca_params.self_signed(&ca_key).unwrap();
    let issuer = Issuer::new(ca_params, ca_key);
    let leaf_key = KeyPair::generate().unwrap();
    let mut leaf = CertificateParams::new(vec!["localhost".to_string()]).unwrap();
    leaf.subject_alt_names
        .push(SanType::IpAddress("127.0.0.1".parse().unwrap()));
    leaf.is_ca = IsCa::ExplicitNoCa;
    let leaf_cert = leaf.signed_by(&leaf_key, &issuer).unwrap();
    (ca_cert.pem(), leaf_cert.pem(), leaf_key.serialize_pem())
}

/// One webhook call.
#[derive(Debug, Clone)]
pub struct Post {
    pub path: String,
    pub body: Vec<u8>,
}

impl Post {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap()
    }
}

#[derive(Default)]
struct ChatState {
    posts: Vec<Post>,
    calls: HashMap<String, usize>,
}

/// A webhook server answering like Slack (`/slack/NAME`) and Teams (`/teams/NAME`).
/// NAME decides the behaviour: `ok`-anything succeeds; `gone` answers 404 `no_service`;
/// `limited` answers 429 with `Retry-After: 1` once, then succeeds; `flaky` answers 503
/// once, then succeeds.
pub struct ChatServer {
    pub url: String,
    state: Arc<Mutex<ChatState>>,
}

impl ChatServer {
    pub fn start() -> ChatServer {
        let state = Arc::new(Mutex::new(ChatState::default()));
        let app = Router::new()
            .route("/{kind}/{name}", post(hook))
            .with_state(state.clone());
        let addr = super::serve(app);
        ChatServer {
            url: format!("http://{addr}"),
            state,
        }
    }

    pub fn posts(&self) -> Vec<Post> {
        self.state.lock().unwrap().posts.clone()
    }

    pub fn posts_to(&self, path: &str) -> Vec<Post> {
        self.posts()
            .into_iter()
            .filter(|p| p.path == path)
            .collect()
    }
}

async fn hook(
    State(state): State<Arc<Mutex<ChatState>>>,
    Path((kind, name)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    let path = format!("/{kind}/{name}");
    let mut st = state.lock().unwrap();
    let n = {
        let c = st.calls.entry(path.clone()).or_insert(0);
        *c += 1;
        *c
    };
    st.posts.push(Post {
        path,
        body: body.to_vec(),
    });
    let ok = || {
        if kind == "teams" {
            (StatusCode::ACCEPTED, "").into_response()
        } else {
            (StatusCode::OK, "ok").into_response()
        }
    };
    match name.as_str() {
        "gone" => (StatusCode::NOT_FOUND, "no_service").into_response(),
        "limited" if n == 1 => {
            let mut r = (StatusCode::TOO_MANY_REQUESTS, "rate_limited").into_response();
            r.headers_mut()
                .insert("retry-after", HeaderValue::from_static("1"));
            r
        }
        "flaky" if n == 1 => (StatusCode::SERVICE_UNAVAILABLE, "try later").into_response(),
        _ => ok(),
    }
}
