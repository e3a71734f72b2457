//! Servers that misbehave on purpose, on raw loopback sockets: an HTTP server whose answers
//! drip, break off, stall, grow huge or loop; and an SMTP server that stops answering at a
//! chosen step or drops the connection after taking a message.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

/// How the HTTP server answers one request.
#[derive(Debug, Clone)]
pub enum Answer {
    /// A normal answer.
    Ok {
        status: u16,
        headers: Vec<(String, String)>,
        body: String,
    },
    /// Headers announcing the body, then one byte every `every`.
    Drip { body: String, every: Duration },
    /// Headers announcing `body` plus 1000 bytes, the body, then the connection closes.
    Truncated { body: String },
    /// Headers, then nothing, the connection held open.
    Stall,
    /// Headers announcing `bytes` bytes of JSON-looking filler, streamed as fast as possible.
    Huge { bytes: u64 },
}

impl Answer {
    pub fn json(body: impl Into<String>) -> Answer {
        Answer::Ok {
            status: 200,
            headers: vec![],
            body: body.into(),
        }
    }

    pub fn with_header(self, name: &str, value: impl Into<String>) -> Answer {
        match self {
            Answer::Ok {
                status,
                mut headers,
                body,
            } => {
                headers.push((name.to_string(), value.into()));
                Answer::Ok {
                    status,
                    headers,
                    body,
                }
            }
            other => other,
        }
    }
}

/// A request as the raw HTTP server saw it.
#[derive(Debug, Clone)]
pub struct RawRequest {
    pub method: String,
    pub target: String,
}

type Script = dyn Fn(&RawRequest, usize) -> Answer + Send + Sync;

/// An HTTP/1.1 server on loopback that answers each request as a script says; the script gets
/// the request and how many requests came before it.
pub struct RawHttp {
    pub url: String,
    pub requests: Arc<Mutex<Vec<RawRequest>>>,
}

impl RawHttp {
    pub fn start(script: impl Fn(&RawRequest, usize) -> Answer + Send + Sync + 'static) -> RawHttp {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let requests = Arc::new(Mutex::new(Vec::new()));
        let seen = requests.clone();
        let script: Arc<Script> = Arc::new(script);
        thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (seen, script) = (seen.clone(), script.clone());
                thread::spawn(move || serve_http(stream, &seen, &*script));
            }
        });
        RawHttp { url, requests }
    }

    pub fn count(&self, needle: &str) -> usize {
        self.requests
            .lock()
            .unwrap()
            .iter()
            .filter(|r| r.target.contains(needle))
            .count()
    }
}

fn serve_http(stream: TcpStream, seen: &Mutex<Vec<RawRequest>>, script: &Script) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut out = stream;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let mut parts = line.split_whitespace();
        let request = RawRequest {
            method: parts.next().unwrap_or_default().to_string(),
            target: parts.next().unwrap_or_default().to_string(),
        };
        let mut length = 0usize;
        loop {
            let mut h = String::new();
            if reader.read_line(&mut h).unwrap_or(0) == 0 {
                return;
            }
            if h == "\r\n" {
                break;
            }
            if let Some((k, v)) = h.split_once(':')
                && k.eq_ignore_ascii_case("content-length")
            {
                length = v.trim().parse().unwrap_or(0);
            }
        }
        let mut body = vec![0; length];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        let n = {
            let mut s = seen.lock().unwrap();
            s.push(request.clone());
            s.len() - 1
        };
        let head = |status: u16, len: u64, extra: &[(String, String)]| {
            let mut h = format!(
                "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {len}\r\n"
            );
            for (k, v) in extra {
                h.push_str(&format!("{k}: {v}\r\n"));
            }
            h.push_str("\r\n");
            h
        };
        match script(&request, n) {
            Answer::Ok {
                status,
                headers,
                body,
            } => {
                let h = head(status, body.len() as u64, &headers);
                if out.write_all(h.as_bytes()).is_err() || out.write_all(body.as_bytes()).is_err() {
                    return;
                }
            }
            Answer::Drip { body, every } => {
                let _ = out.write_all(head(200, body.len() as u64, &[]).as_bytes());
                for b in body.bytes() {
                    thread::sleep(every);
                    if out.write_all(&[b]).is_err() {
                        return;
                    }
                }
            }
            Answer::Truncated { body } => {
                let _ = out.write_all(head(200, body.len() as u64 + 1000, &[]).as_bytes());
                let _ = out.write_all(body.as_bytes());
                return;
            }
            Answer::Stall => {
                let _ = out.write_all(head(200, 100, &[]).as_bytes());
                thread::sleep(Duration::from_secs(120));
                return;
            }
            Answer::Huge { bytes } => {
                let _ = out.write_all(head(200, bytes, &[]).as_bytes());
                let chunk = vec![b' '; 64 * 1024];
                let mut sent = 0u64;
                while sent < bytes {
                    let n = chunk.len().min((bytes - sent) as usize);
                    if out.write_all(&chunk[..n]).is_err() {
                        return;
                    }
                    sent += n as u64;
                }
            }
        }
    }
}

/// Where the raw SMTP server stops behaving.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpFault {
    /// Accepts the connection and never says hello.
    NoGreeting,
    /// Greets, then never answers EHLO.
    HangAfterEhlo,
    /// Takes the whole message, then never answers after the final dot.
    HangAfterData,
    /// Takes the whole message, then closes the connection before its 250.
    DropBefore250,
    /// Behaves.
    None,
}

/// An SMTP server on loopback that misbehaves as told; counts the messages it took whole.
pub struct RawSmtp {
    pub port: u16,
    pub messages: Arc<AtomicUsize>,
    pub connections: Arc<AtomicUsize>,
}

impl RawSmtp {
    pub fn start(fault: SmtpFault) -> RawSmtp {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let messages = Arc::new(AtomicUsize::new(0));
        let connections = Arc::new(AtomicUsize::new(0));
        let (m, c) = (messages.clone(), connections.clone());
        thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                c.fetch_add(1, Ordering::SeqCst);
                let m = m.clone();
                thread::spawn(move || serve_smtp(stream, fault, &m));
            }
        });
        RawSmtp {
            port,
            messages,
            connections,
        }
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }
}

fn serve_smtp(stream: TcpStream, fault: SmtpFault, messages: &AtomicUsize) {
    let hang = || thread::sleep(Duration::from_secs(120));
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut out = stream;
    if fault == SmtpFault::NoGreeting {
        return hang();
    }
    let _ = out.write_all(b"220 raw.test ESMTP\r\n");
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let verb = line
            .split_whitespace()
            .next()
            .unwrap_or_default()
            .to_uppercase();
        let reply: &[u8] = match verb.as_str() {
            "EHLO" | "HELO" if fault == SmtpFault::HangAfterEhlo => return hang(),
            "EHLO" | "HELO" => b"250-raw.test\r\n250 8BITMIME\r\n",
            "MAIL" | "RCPT" | "RSET" | "NOOP" => b"250 ok\r\n",
            "DATA" => {
                let _ = out.write_all(b"354 go on\r\n");
                loop {
                    let mut l = String::new();
                    if reader.read_line(&mut l).unwrap_or(0) == 0 {
                        return;
                    }
                    if l == ".\r\n" {
                        break;
                    }
                }
                messages.fetch_add(1, Ordering::SeqCst);
                match fault {
                    SmtpFault::HangAfterData => return hang(),
                    SmtpFault::DropBefore250 => return,
                    _ => b"250 queued\r\n",
                }
            }
            "QUIT" => {
                let _ = out.write_all(b"221 bye\r\n");
                return;
            }
            _ => b"502 no\r\n",
        };
        if out.write_all(reply).is_err() {
            return;
        }
    }
}
