//! A GitHub-like API on loopback: the alert listing with cursor pagination (`Link` headers,
//! absolute URLs, raw commas in `secret_type`), generic alerts only when their types are named
//! in `secret_type`, `state`, `sort`/`direction`, `per_page` (default 30, max 100), the
//! `secret` field unless `hide_secret=true`, campaigns, `/rate_limit`, bearer-token auth and
//! rate-limit headers. Responses follow GitHub's schemas (full user and repository objects),
//! so Prism can check them. Used by the tests and by `examples/fake_github.rs`.

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

/// The token the fake accepts.
pub const TOKEN: &str = "ghp_test-token-0123456789";
/// The installation token the fake mints for its GitHub App.
pub const INSTALLATION_TOKEN: &str = "ghs_test-installation-token-42";

/// Secret types GitHub only returns when asked by name.
pub const GENERIC_TYPES: &[&str] = &[
    "password",
    "ec_private_key",
    "generic_private_key",
    "http_basic_authentication_header",
    "http_bearer_authentication_header",
    "mongodb_connection_string",
    "mysql_connection_url",
    "openssh_private_key",
    "pgp_private_key",
    "postgres_connection_string",
    "rsa_private_key",
];

/// One request the fake received.
#[derive(Debug, Clone)]
pub struct Seen {
    pub path: String,
    pub query: HashMap<String, String>,
    pub raw_query: String,
    pub authorized: bool,
    pub accept: Option<String>,
    pub api_version: Option<String>,
}

/// What the fake serves and how it misbehaves.
#[derive(Default)]
pub struct FakeState {
    pub org: String,
    pub alerts: Vec<Value>,
    pub campaigns: HashMap<u64, Value>,
    pub seen: Vec<Seen>,
    /// When set, `rel="next"` links point to this origin instead of the fake's own.
    pub next_origin: Option<String>,
    pub base: String,
    /// Answers given, in order, to the next alert-list requests instead of the alerts.
    pub faults: std::collections::VecDeque<Fault>,
    /// A misbehaving server: sends `secret` even when asked to hide it.
    pub ignore_hide_secret: bool,
    /// What `/rate_limit` says is left (default 5000 minus requests seen).
    pub remaining: Option<(u64, i64)>,
    /// The GitHub App: (app id, installation id, public key PEM) whose JWTs are accepted.
    pub app: Option<(u64, u64, String)>,
    /// Installation tokens minted.
    pub minted: usize,
    /// Commits by sha: the author's login (`None`: an e-mail linked to no account).
    pub commits: HashMap<String, Option<String>>,
    /// Files by (repository, path), served by the contents API.
    pub files: HashMap<(String, String), String>,
    /// Commits whose lookup answers 500 (a GitHub having a bad day).
    pub failing_commits: Vec<String>,
    /// Logins without write access: assigning them answers 422.
    pub cannot_write: Vec<String>,
    /// When set, every alert PATCH answers this status.
    pub patch_status: Option<u16>,
    /// Alert PATCH requests: (repository, number, body).
    pub patches: Vec<(String, u64, Value)>,
    /// Added to every alert-list answer, outside the state's lock (as a network's latency).
    pub latency: std::time::Duration,
    /// Added to every commit and contents answer (an owner lookup), outside the lock.
    pub lookup_latency: std::time::Duration,
    /// GraphQL request bodies received, in order.
    pub graphql: Vec<String>,
    /// GraphQL answers 502 (a server without it, or down).
    pub graphql_broken: bool,
    /// Owner lookups being answered now, and the most at once.
    pub lookups_in_flight: usize,
    pub max_lookups_in_flight: usize,
    /// Sorted positions of the alerts per listing (filter, state, order), built once for
    /// the alerts served: paging 100,000 alerts must not sort them for every page.
    pub listing_index: HashMap<String, Arc<Vec<usize>>>,
    /// Lists newest first whatever `direction` asks (a server that ignores it).
    pub ignore_direction: bool,
    /// Sorts by creation whatever `sort` asks (a server that ignores it).
    pub ignore_sort: bool,
    /// Alert-list requests being answered now, and the most there were at once.
    pub in_flight: usize,
    pub max_in_flight: usize,
    /// More organizations served beside `org`: each sees the alerts of its repositories.
    pub more_orgs: Vec<String>,
    /// Organizations whose alerts answer 403 (a token without access to them).
    pub forbidden_orgs: Vec<String>,
    /// Organizations read only with the App's installation token (the personal token answers
    /// 403): they prove a run used the installation configured for them.
    pub app_orgs: Vec<String>,
}

/// A canned answer: status, headers, body.
#[derive(Debug, Clone)]
pub struct Fault {
    pub status: u16,
    pub headers: Vec<(&'static str, String)>,
    pub body: String,
}

impl Fault {
    pub fn new(status: u16, body: &str) -> Fault {
        Fault {
            status,
            headers: Vec::new(),
            body: body.to_string(),
        }
    }

    pub fn header(mut self, name: &'static str, value: impl Into<String>) -> Fault {
        self.headers.push((name, value.into()));
        self
    }

    fn response(&self) -> Response {
        let mut r = (
            StatusCode::from_u16(self.status).unwrap(),
            self.body.clone(),
        )
            .into_response();
        r.headers_mut()
            .insert("content-type", HeaderValue::from_static("application/json"));
        for (k, v) in &self.headers {
            r.headers_mut()
                .insert(*k, HeaderValue::from_str(v).unwrap());
        }
        r
    }
}

/// A running fake GitHub API.
#[derive(Clone)]
pub struct FakeGitHub {
    pub url: String,
    pub state: Arc<Mutex<FakeState>>,
}

impl FakeGitHub {
    /// Starts the fake on a free loopback port, serving `alerts` for `org`.
    pub fn start(org: &str, alerts: Vec<Value>) -> FakeGitHub {
        Self::start_on(org, alerts, 0)
    }

    /// Starts the fake on a given loopback port (0: any free one).
    pub fn start_on(org: &str, alerts: Vec<Value>, port: u16) -> FakeGitHub {
        Self::start_at(org, alerts, port, "")
    }

    /// Starts the fake under a path prefix, like GitHub Enterprise Server's `/api/v3`;
    /// `url` then includes the prefix.
    pub fn start_with_prefix(org: &str, alerts: Vec<Value>, prefix: &str) -> FakeGitHub {
        Self::start_at(org, alerts, 0, prefix)
    }

    fn start_at(org: &str, alerts: Vec<Value>, port: u16, prefix: &str) -> FakeGitHub {
        let state = Arc::new(Mutex::new(FakeState {
            org: org.to_string(),
            alerts,
            ..FakeState::default()
        }));
        let routes = Router::new()
            .route("/orgs/{org}/secret-scanning/alerts", get(list_alerts))
            .route("/orgs/{org}/campaigns/{number}", get(get_campaign))
            .route("/rate_limit", get(rate_limit))
            .route("/repos/{owner}/{repo}/commits/{sha}", get(get_commit))
            .route("/graphql", axum::routing::post(post_graphql))
            .route("/repos/{owner}/{repo}/contents/{*path}", get(get_contents))
            .route(
                "/repos/{owner}/{repo}/secret-scanning/alerts/{number}",
                axum::routing::patch(patch_alert),
            )
            .route(
                "/app/installations/{id}/access_tokens",
                axum::routing::post(access_token),
            )
            .with_state(state.clone());
        let app = if prefix.is_empty() {
            routes
        } else {
            Router::new().nest(prefix, routes)
        };
        let addr = serve_on(app, port);
        let origin = format!("http://{addr}");
        state.lock().unwrap().base = origin.clone();
        FakeGitHub {
            url: format!("{origin}{prefix}"),
            state,
        }
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.state.lock().unwrap().seen.clone()
    }

    pub fn alert_requests(&self) -> Vec<Seen> {
        self.seen()
            .into_iter()
            .filter(|s| s.path.ends_with("/secret-scanning/alerts"))
            .collect()
    }

    /// Serves these organizations too, each the alerts of its repositories.
    pub fn serve_orgs(&self, orgs: &[&str]) {
        let mut st = self.state.lock().unwrap();
        st.more_orgs = orgs.iter().map(|o| o.to_string()).collect();
        st.listing_index.clear();
    }

    pub fn clear_seen(&self) {
        self.state.lock().unwrap().seen.clear();
    }

    pub fn add_campaign(&self, number: u64, record: Value) {
        self.state.lock().unwrap().campaigns.insert(number, record);
    }

    pub fn set_alerts(&self, alerts: Vec<Value>) {
        let mut st = self.state.lock().unwrap();
        st.alerts = alerts;
        st.listing_index.clear();
    }

    /// Lists newest first whatever `direction` asks.
    pub fn ignore_direction(&self) {
        let mut st = self.state.lock().unwrap();
        st.ignore_direction = true;
        st.listing_index.clear();
    }

    /// Sorts by creation whatever `sort` asks.
    pub fn ignore_sort(&self) {
        let mut st = self.state.lock().unwrap();
        st.ignore_sort = true;
        st.listing_index.clear();
    }

    /// The most alert-list requests that were being answered at once.
    pub fn max_in_flight(&self) -> usize {
        self.state.lock().unwrap().max_in_flight
    }

    /// Delays every owner lookup (commit, contents) by `latency`.
    pub fn set_lookup_latency(&self, latency: std::time::Duration) {
        self.state.lock().unwrap().lookup_latency = latency;
    }

    /// Delays every alert-list answer by `latency`.
    pub fn set_latency(&self, latency: std::time::Duration) {
        self.state.lock().unwrap().latency = latency;
    }

    /// Queues canned answers for the next alert-list requests.
    pub fn fail_with(&self, faults: impl IntoIterator<Item = Fault>) {
        self.state.lock().unwrap().faults.extend(faults);
    }
}

/// Serves an axum app on a loopback port from a thread of its own; returns the address.
pub fn serve(app: Router) -> SocketAddr {
    serve_on(app, 0)
}

/// Serves an axum app on a given loopback port (0: any free one).
pub fn serve_on(app: Router, port: u16) -> SocketAddr {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
                .await
                .unwrap();
            tx.send(listener.local_addr().unwrap()).unwrap();
            axum::serve(listener, app).await.unwrap();
        });
    });
    rx.recv().unwrap()
}

fn record(
    state: &Mutex<FakeState>,
    path: &str,
    headers: &HeaderMap,
    q: &HashMap<String, String>,
    raw: String,
) -> bool {
    let authorized = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v == format!("Bearer {TOKEN}") || v == format!("Bearer {INSTALLATION_TOKEN}")
        });
    let header = |n: &str| {
        headers
            .get(n)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    state.lock().unwrap().seen.push(Seen {
        path: path.to_string(),
        query: q.clone(),
        raw_query: raw,
        authorized,
        accept: header("accept"),
        api_version: header("x-github-api-version"),
    });
    authorized
}

fn rate_headers(h: &mut HeaderMap, used: usize) {
    h.insert("x-ratelimit-limit", HeaderValue::from_static("5000"));
    h.insert(
        "x-ratelimit-remaining",
        HeaderValue::from_str(&(5000 - used).to_string()).unwrap(),
    );
    h.insert(
        "x-ratelimit-used",
        HeaderValue::from_str(&used.to_string()).unwrap(),
    );
    h.insert("x-ratelimit-reset", HeaderValue::from_static("1798761600"));
    h.insert("x-ratelimit-resource", HeaderValue::from_static("core"));
}

fn unauthorized() -> Response {
    (
        StatusCode::UNAUTHORIZED,
        axum::Json(json!({"message": "Bad credentials", "documentation_url": "https://docs.github.com/rest", "status": "401"})),
    )
        .into_response()
}

fn not_found() -> Response {
    (
        StatusCode::NOT_FOUND,
        axum::Json(json!({"message": "Not Found", "documentation_url": "https://docs.github.com/rest", "status": "404"})),
    )
        .into_response()
}

async fn list_alerts(
    State(state): State<Arc<Mutex<FakeState>>>,
    Path(org): Path<String>,
    Query(q): Query<HashMap<String, String>>,
    axum::extract::OriginalUri(uri): axum::extract::OriginalUri,
    headers: HeaderMap,
) -> Response {
    let path = uri.path().to_string();
    if !record(
        &state,
        &path,
        &headers,
        &q,
        uri.query().unwrap_or_default().to_string(),
    ) {
        return unauthorized();
    }
    let latency = {
        let mut st = state.lock().unwrap();
        st.in_flight += 1;
        st.max_in_flight = st.max_in_flight.max(st.in_flight);
        st.latency
    };
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    let mut st = state.lock().unwrap();
    st.in_flight -= 1;
    if let Some(fault) = st.faults.pop_front() {
        return fault.response();
    }
    let forbidden = || {
        (
            StatusCode::FORBIDDEN,
            axum::Json(json!({"message": "Resource not accessible by personal access token", "documentation_url": "https://docs.github.com/rest/secret-scanning/secret-scanning#list-secret-scanning-alerts-for-an-organization", "status": "403"})),
        )
            .into_response()
    };
    let is = |list: &[String]| list.iter().any(|o| o.eq_ignore_ascii_case(&org));
    if is(&st.forbidden_orgs) {
        return forbidden();
    }
    let installation = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v == format!("Bearer {INSTALLATION_TOKEN}"));
    if is(&st.app_orgs) && !installation {
        return forbidden();
    }
    let many = !st.more_orgs.is_empty();
    if !org.eq_ignore_ascii_case(&st.org) && !is(&st.more_orgs) {
        return not_found();
    }
    let listing = format!(
        "{}|{:?}|{:?}|{:?}|{:?}",
        if many {
            org.to_ascii_lowercase()
        } else {
            String::new()
        },
        q.get("secret_type"),
        q.get("state"),
        q.get("sort"),
        q.get("direction")
    );
    let index = match st.listing_index.get(&listing) {
        Some(index) => index.clone(),
        None => {
            let mut asked = q.clone();
            if st.ignore_direction {
                asked.remove("direction");
            }
            if st.ignore_sort {
                asked.remove("sort");
            }
            let mut order = listing_order(&st.alerts, &asked);
            if many {
                // each organization sees the alerts of its own repositories
                let prefix = format!("{}/", org.to_ascii_lowercase());
                order.retain(|&i| {
                    st.alerts[i]["repository"]["full_name"]
                        .as_str()
                        .is_some_and(|n| n.to_ascii_lowercase().starts_with(&prefix))
                });
            }
            let index = Arc::new(order);
            st.listing_index.insert(listing, index.clone());
            index
        }
    };
    let items: Vec<&Value> = index.iter().map(|&i| &st.alerts[i]).collect();
    let per_page: usize = q
        .get("per_page")
        .and_then(|p| p.parse().ok())
        .unwrap_or(30)
        .clamp(1, 100);
    let start: usize = match q.get("after").filter(|a| !a.is_empty()) {
        Some(cursor) => match decode_cursor(cursor) {
            Some(n) => n,
            None => {
                return (
                    StatusCode::BAD_REQUEST,
                    axum::Json(json!({"message": "Bad cursor"})),
                )
                    .into_response();
            }
        },
        None => 0,
    };
    let page: Vec<Value> = items
        .iter()
        .skip(start)
        .take(per_page)
        .map(|a| {
            let mut a = (*a).clone();
            if q.get("hide_secret").map(String::as_str) == Some("true") && !st.ignore_hide_secret {
                a.as_object_mut().unwrap().remove("secret");
            }
            // alert pages live on the server's own web origin, as on GitHub Enterprise Server
            if let Some(rest) = a["html_url"]
                .as_str()
                .and_then(|u| u.strip_prefix("https://github.com/"))
            {
                a["html_url"] = json!(format!("{}/{rest}", st.base));
            }
            a
        })
        .collect();
    let mut resp = axum::Json(page).into_response();
    let used = st.seen.len();
    rate_headers(resp.headers_mut(), used);
    if start + per_page < items.len() {
        let origin = st.next_origin.clone().unwrap_or_else(|| st.base.clone());
        let mut params: Vec<String> = q
            .iter()
            .filter(|(k, _)| k.as_str() != "after")
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        params.sort();
        params.push(format!("after={}", encode_cursor(start + per_page)));
        let link = format!("<{origin}{path}?{}>; rel=\"next\"", params.join("&"));
        resp.headers_mut()
            .insert("link", HeaderValue::from_str(&link).unwrap());
    }
    resp
}

/// The positions of the alerts a listing returns, in its order.
fn listing_order(alerts: &[Value], q: &HashMap<String, String>) -> Vec<usize> {
    let asked: Option<Vec<&str>> = q.get("secret_type").map(|s| s.split(',').collect());
    let mut items: Vec<usize> = (0..alerts.len())
        .filter(|&i| {
            let ty = alerts[i]["secret_type"].as_str().unwrap_or_default();
            match &asked {
                Some(list) => list.contains(&ty),
                None => !GENERIC_TYPES.contains(&ty),
            }
        })
        .filter(|&i| match q.get("state").map(String::as_str) {
            Some(s) => alerts[i]["state"].as_str() == Some(s),
            None => true,
        })
        .collect();
    let key = if q.get("sort").map(String::as_str) == Some("updated") {
        "updated_at"
    } else {
        "created_at"
    };
    items.sort_by(|&a, &b| {
        let (a, b) = (&alerts[a], &alerts[b]);
        a[key]
            .as_str()
            .cmp(&b[key].as_str())
            .then_with(|| {
                a["repository"]["full_name"]
                    .as_str()
                    .cmp(&b["repository"]["full_name"].as_str())
            })
            .then_with(|| a["number"].as_u64().cmp(&b["number"].as_u64()))
    });
    if q.get("direction").map(String::as_str) != Some("asc") {
        items.reverse();
    }
    items
}

fn encode_cursor(n: usize) -> String {
    format!("Y3Vyc29y{:08x}", n ^ 0x5a5a)
}

fn decode_cursor(s: &str) -> Option<usize> {
    let hex = s.strip_prefix("Y3Vyc29y")?;
    usize::from_str_radix(hex, 16).ok().map(|n| n ^ 0x5a5a)
}

async fn get_campaign(
    State(state): State<Arc<Mutex<FakeState>>>,
    Path((_org, number)): Path<(String, u64)>,
    axum::extract::OriginalUri(uri): axum::extract::OriginalUri,
    headers: HeaderMap,
) -> Response {
    if !record(&state, uri.path(), &headers, &HashMap::new(), String::new()) {
        return unauthorized();
    }
    let st = state.lock().unwrap();
    match st.campaigns.get(&number) {
        Some(c) => axum::Json(c.clone()).into_response(),
        None => not_found(),
    }
}

async fn rate_limit(
    State(state): State<Arc<Mutex<FakeState>>>,
    axum::extract::OriginalUri(uri): axum::extract::OriginalUri,
    headers: HeaderMap,
) -> Response {
    if !record(&state, uri.path(), &headers, &HashMap::new(), String::new()) {
        return unauthorized();
    }
    let (used, remaining) = {
        let st = state.lock().unwrap();
        (st.seen.len(), st.remaining)
    };
    let (left, reset) = remaining.unwrap_or((5000 - used as u64, 1798761600));
    let body = json!({
        "resources": {"core": {"limit": 5000, "remaining": left, "reset": reset, "used": 5000 - left},
                      "search": {"limit": 30, "remaining": 30, "reset": reset, "used": 0}},
        "rate": {"limit": 5000, "remaining": left, "reset": reset, "used": 5000 - left}
    });
    let mut resp = axum::Json(body).into_response();
    rate_headers(resp.headers_mut(), used);
    resp
}

/// GitHub's GraphQL endpoint, for the query shapes campaign-pulse sends (commit authors:
/// `rN: repository(owner: $oN, name: $nN) { cM: object(oid: $sN_M) { ... } }`; CODEOWNERS:
/// `... { fK: object(expression: $eK) { ... on Blob } }`), read from the query's aliases and
/// variables; a commit or file it does not know is `null`, as on GitHub.
async fn post_graphql(
    State(state): State<Arc<Mutex<FakeState>>>,
    axum::extract::OriginalUri(uri): axum::extract::OriginalUri,
    headers: HeaderMap,
    body: String,
) -> Response {
    if !record(&state, uri.path(), &headers, &HashMap::new(), String::new()) {
        return unauthorized();
    }
    lookup_delay(&state).await;
    let mut st = state.lock().unwrap();
    st.graphql.push(body.clone());
    if st.graphql_broken {
        return (StatusCode::BAD_GATEWAY, "bad gateway").into_response();
    }
    let Ok(request) = serde_json::from_str::<Value>(&body) else {
        return (
            StatusCode::BAD_REQUEST,
            axum::Json(json!({"message": "Problems parsing JSON"})),
        )
            .into_response();
    };
    let query = request["query"].as_str().unwrap_or_default();
    let vars = &request["variables"];
    let var = |name: &str| vars[name].as_str().unwrap_or_default().to_string();
    let mut data = serde_json::Map::new();
    let mut errors = Vec::new();
    let mut current: Option<(String, serde_json::Map<String, Value>)> = None;
    let mut repo = String::new();
    for line in query.lines().map(str::trim) {
        if let Some((alias, rest)) = line.split_once(": repository(owner: $") {
            if let Some((a, m)) = current.take() {
                data.insert(a, Value::Object(m));
            }
            let owner_var = rest.split(',').next().unwrap_or_default();
            let name_var = rest
                .split("name: $")
                .nth(1)
                .and_then(|r| r.split(')').next())
                .unwrap_or_default();
            repo = format!("{}/{}", var(owner_var), var(name_var));
            current = Some((alias.to_string(), serde_json::Map::new()));
        } else if let Some((alias, rest)) = line.split_once(": object(expression: $") {
            // `HEAD:path`: the file at path on the default branch, as a Blob (its text cut
            // at 512,000 bytes, as GitHub's is)
            let expression = var(rest.split(')').next().unwrap_or_default());
            let path = expression.strip_prefix("HEAD:").unwrap_or_default();
            let answer = match st.files.get(&(repo.clone(), path.to_string())) {
                Some(text) => {
                    let cut = text.len() > 512_000;
                    let mut end = text.len().min(512_000);
                    while !text.is_char_boundary(end) {
                        end -= 1;
                    }
                    json!({"text": &text[..end], "byteSize": text.len(), "isTruncated": cut})
                }
                None => Value::Null,
            };
            if let Some((_, m)) = current.as_mut() {
                m.insert(alias.to_string(), answer);
            }
        } else if let Some((alias, rest)) = line.split_once(": object(oid: $") {
            let sha = var(rest.split(')').next().unwrap_or_default());
            // a commit that fails is left out of the data, with an error, as GitHub does
            if st.failing_commits.contains(&sha) {
                errors.push(json!({"message": "Something went wrong", "path": [alias]}));
                continue;
            }
            let answer = match st.commits.get(&sha) {
                Some(login) => {
                    json!({"author": {"user": login.as_deref().map(|l| json!({"login": l}))}})
                }
                None => Value::Null,
            };
            if let Some((_, m)) = current.as_mut() {
                m.insert(alias.to_string(), answer);
            }
        }
    }
    if let Some((a, m)) = current.take() {
        data.insert(a, Value::Object(m));
    }
    if errors.is_empty() {
        axum::Json(json!({ "data": data })).into_response()
    } else {
        axum::Json(json!({ "data": data, "errors": errors })).into_response()
    }
}

/// Waits out the lookup latency, outside the state's lock.
async fn lookup_delay(state: &Arc<Mutex<FakeState>>) {
    let latency = {
        let mut st = state.lock().unwrap();
        st.lookups_in_flight += 1;
        st.max_lookups_in_flight = st.max_lookups_in_flight.max(st.lookups_in_flight);
        st.lookup_latency
    };
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    state.lock().unwrap().lookups_in_flight -= 1;
}

async fn get_commit(
    State(state): State<Arc<Mutex<FakeState>>>,
    Path((owner, repo, sha)): Path<(String, String, String)>,
    axum::extract::OriginalUri(uri): axum::extract::OriginalUri,
    headers: HeaderMap,
) -> Response {
    if !record(&state, uri.path(), &headers, &HashMap::new(), String::new()) {
        return unauthorized();
    }
    lookup_delay(&state).await;
    let st = state.lock().unwrap();
    if st.failing_commits.contains(&sha) {
        return (
            StatusCode::INTERNAL_SERVER_ERROR,
            axum::Json(json!({"message": "Server Error"})),
        )
            .into_response();
    }
    let Some(author) = st.commits.get(&sha) else {
        return (
            StatusCode::UNPROCESSABLE_ENTITY,
            axum::Json(json!({"message": format!("No commit found for SHA: {sha}")})),
        )
            .into_response();
    };
    // GitHub's commit: the git author (name, e-mail) and the account it is linked to, or null
    axum::Json(json!({
        "sha": sha,
        "url": format!("{}/repos/{owner}/{repo}/commits/{sha}", st.base),
        "html_url": format!("{}/{owner}/{repo}/commit/{sha}", st.base),
        "commit": {"author": {"name": "Some One", "email": "CANARY-someone@example.com", "date": "2026-09-01T00:00:00Z"},
                   "message": "CANARY-COMMENT add config"},
        "author": author.as_deref().map(user_json),
        "committer": null,
        "parents": []
    }))
    .into_response()
}

async fn get_contents(
    State(state): State<Arc<Mutex<FakeState>>>,
    Path((owner, repo, path)): Path<(String, String, String)>,
    axum::extract::OriginalUri(uri): axum::extract::OriginalUri,
    headers: HeaderMap,
) -> Response {
    if !record(&state, uri.path(), &headers, &HashMap::new(), String::new()) {
        return unauthorized();
    }
    lookup_delay(&state).await;
    let st = state.lock().unwrap();
    let Some(text) = st.files.get(&(format!("{owner}/{repo}"), path.clone())) else {
        return not_found();
    };
    // GitHub's raw media type: the bytes themselves
    if headers.get("accept").and_then(|v| v.to_str().ok())
        == Some("application/vnd.github.raw+json")
    {
        return (
            [(
                "content-type",
                "application/vnd.github.raw+json; charset=utf-8",
            )],
            text.clone(),
        )
            .into_response();
    }
    // over 1 MB GitHub's JSON carries no content: `encoding: none`
    if text.len() > 1024 * 1024 {
        return axum::Json(json!({
            "type": "file", "encoding": "none", "size": text.len(),
            "name": path.rsplit('/').next(), "path": path, "sha": "0000000000000000000000000000000000000000",
            "content": "",
            "url": format!("{}/repos/{owner}/{repo}/contents/{path}", st.base),
            "git_url": null, "html_url": null, "download_url": null,
            "_links": {"self": format!("{}/repos/{owner}/{repo}/contents/{path}", st.base), "git": null, "html": null}
        }))
        .into_response();
    }
    use base64::Engine as _;
    let encoded = base64::engine::general_purpose::STANDARD.encode(text);
    // GitHub wraps the base64 at 60 characters
    let wrapped: Vec<String> = encoded
        .as_bytes()
        .chunks(60)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect();
    axum::Json(json!({
        "type": "file", "encoding": "base64", "size": text.len(),
        "name": path.rsplit('/').next(), "path": path, "sha": "0000000000000000000000000000000000000000",
        "content": wrapped.join("\n") + "\n",
        "url": format!("{}/repos/{owner}/{repo}/contents/{path}", st.base),
        "git_url": null, "html_url": null, "download_url": null,
        "_links": {"self": format!("{}/repos/{owner}/{repo}/contents/{path}", st.base), "git": null, "html": null}
    }))
    .into_response()
}

async fn patch_alert(
    State(state): State<Arc<Mutex<FakeState>>>,
    Path((owner, repo, number)): Path<(String, String, u64)>,
    axum::extract::OriginalUri(uri): axum::extract::OriginalUri,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    if !record(&state, uri.path(), &headers, &HashMap::new(), String::new()) {
        return unauthorized();
    }
    let mut st = state.lock().unwrap();
    let full = format!("{owner}/{repo}");
    let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    st.patches.push((full.clone(), number, body.clone()));
    if let Some(status) = st.patch_status {
        let message = if status == 403 {
            "Resource not accessible by personal access token"
        } else {
            "Failed"
        };
        return (
            StatusCode::from_u16(status).unwrap(),
            axum::Json(json!({"message": message})),
        )
            .into_response();
    }
    let login = body["assignee"].as_str().map(str::to_string);
    if login.as_ref().is_some_and(|l| st.cannot_write.contains(l)) {
        return (
            StatusCode::UNPROCESSABLE_ENTITY,
            axum::Json(json!({"message": "Validation Failed", "errors": [{"message": "assignee must have write access"}]})),
        )
            .into_response();
    }
    let Some(alert) = st
        .alerts
        .iter_mut()
        .find(|a| a["repository"]["full_name"] == full && a["number"] == number)
    else {
        return not_found();
    };
    alert["assigned_to"] = login.as_deref().map(user_json).unwrap_or(Value::Null);
    let answer = alert.clone();
    axum::Json(answer).into_response()
}

/// An alert as GitHub lists it, with a secret and free-text comments carrying canaries.
pub struct A {
    pub repo: &'static str,
    pub number: u64,
    pub created: &'static str,
    pub resolved: Option<(&'static str, &'static str)>,
    pub secret_type: &'static str,
    pub provider: Option<&'static str>,
    pub validity: Option<&'static str>,
    pub public: bool,
    pub multi: bool,
    pub bypassed: bool,
    pub assignee: Option<&'static str>,
    /// Where it was committed: (path, commit sha).
    pub location: Option<(&'static str, &'static str)>,
}

impl A {
    pub fn new(repo: &'static str, number: u64, created: &'static str) -> A {
        A {
            repo,
            number,
            created,
            resolved: None,
            secret_type: "azure_storage_account_key",
            provider: Some("azure"),
            validity: Some("inactive"),
            public: false,
            multi: false,
            bypassed: false,
            assignee: Some("mona"),
            location: None,
        }
    }

    pub fn json(&self) -> Value {
        let user = user_json;
        let name = self.repo.rsplit('/').next().unwrap_or(self.repo);
        json!({
            "number": self.number,
            "created_at": self.created,
            "updated_at": self.resolved.map(|r| r.0).unwrap_or(self.created),
            "url": format!("https://api.github.com/repos/{}/secret-scanning/alerts/{}", self.repo, self.number),
            "html_url": format!("https://github.com/{}/security/secret-scanning/{}", self.repo, self.number),
            "locations_url": format!("https://api.github.com/repos/{}/secret-scanning/alerts/{}/locations", self.repo, self.number),
            "state": if self.resolved.is_some() { "resolved" } else { "open" },
            "resolution": self.resolved.map(|r| r.1),
            "resolved_at": self.resolved.map(|r| r.0),
            "resolved_by": self.resolved.map(|_| user("octocat")),
            "resolution_comment": self.resolved.map(|_| "CANARY-COMMENT rotated by hand"),
            "secret_type": self.secret_type,
            "secret_type_display_name": display_name(self.secret_type),
            "provider": self.provider.map(|p| format!("{p} inc")),
            "provider_slug": self.provider,
            "secret": format!("CANARY-SECRET-{}-{}", name, self.number),
            "repository": repo_json(self.repo),
            "push_protection_bypassed": self.bypassed,
            "push_protection_bypassed_by": if self.bypassed { user("hubot") } else { Value::Null },
            "push_protection_bypass_request_comment": if self.bypassed { json!("CANARY-COMMENT need to ship") } else { Value::Null },
            "validity": self.validity,
            "publicly_leaked": self.public,
            "multi_repo": self.multi,
            "is_base64_encoded": false,
            "has_more_locations": false,
            "assigned_to": self.assignee.map(user),
            "first_location_detected": self.location.map(|(path, sha)| json!({
                "path": path, "start_line": 3, "end_line": 3, "start_column": 9, "end_column": 49,
                "blob_sha": "af5626b4a114abcb82d63db7c8082c3c4756e51b",
                "blob_url": format!("https://api.github.com/repos/{}/git/blobs/af5626b4a114abcb82d63db7c8082c3c4756e51b", self.repo),
                "commit_sha": sha,
                "commit_url": format!("https://api.github.com/repos/{}/git/commits/{sha}", self.repo)
            })),
            "closure_request_comment": "CANARY-COMMENT please close",
            "some_future_field": {"nested": true}
        })
    }
}

/// A user as GitHub's `simple-user` schema describes it.
pub fn user_json(login: &str) -> Value {
    let u = format!("https://api.github.com/users/{login}");
    json!({
        "login": login, "id": 1, "node_id": "U_kgDOAAAAAQ", "avatar_url": "https://avatars.githubusercontent.com/u/1",
        "gravatar_id": "", "url": u, "html_url": format!("https://github.com/{login}"),
        "followers_url": format!("{u}/followers"), "following_url": format!("{u}/following{{/other_user}}"),
        "gists_url": format!("{u}/gists{{/gist_id}}"), "starred_url": format!("{u}/starred{{/owner}}{{/repo}}"),
        "subscriptions_url": format!("{u}/subscriptions"), "organizations_url": format!("{u}/orgs"),
        "repos_url": format!("{u}/repos"), "events_url": format!("{u}/events{{/privacy}}"),
        "received_events_url": format!("{u}/received_events"), "type": "User", "site_admin": false
    })
}

/// A repository as GitHub's `simple-repository` schema describes it.
/// A repository's id as GitHub gives one: a number of its own, the same for the same name
/// (tests that rename a repository set the id they need).
pub fn repo_id(full_name: &str) -> u64 {
    full_name
        .to_ascii_lowercase()
        .bytes()
        .fold(1_000_003u64, |h, b| {
            h.wrapping_mul(31).wrapping_add(u64::from(b))
        })
        % 1_000_000_000
}

pub fn repo_json(full_name: &str) -> Value {
    let (owner, name) = full_name.split_once('/').unwrap_or(("acme", full_name));
    let u = format!("https://api.github.com/repos/{full_name}");
    let mut r = json!({
        "id": repo_id(full_name), "node_id": "R_kgDOAAAAAQ", "name": name, "full_name": full_name, "owner": user_json(owner),
        "private": true, "html_url": format!("https://github.com/{full_name}"), "description": null, "fork": false,
        "url": u
    });
    for (key, suffix) in [
        ("archive_url", "/{archive_format}{/ref}"),
        ("assignees_url", "/assignees{/user}"),
        ("blobs_url", "/git/blobs{/sha}"),
        ("branches_url", "/branches{/branch}"),
        ("collaborators_url", "/collaborators{/collaborator}"),
        ("comments_url", "/comments{/number}"),
        ("commits_url", "/commits{/sha}"),
        ("compare_url", "/compare/{base}...{head}"),
        ("contents_url", "/contents/{+path}"),
        ("contributors_url", "/contributors"),
        ("deployments_url", "/deployments"),
        ("downloads_url", "/downloads"),
        ("events_url", "/events"),
        ("forks_url", "/forks"),
        ("git_commits_url", "/git/commits{/sha}"),
        ("git_refs_url", "/git/refs{/sha}"),
        ("git_tags_url", "/git/tags{/sha}"),
        ("hooks_url", "/hooks"),
        ("issue_comment_url", "/issues/comments{/number}"),
        ("issue_events_url", "/issues/events{/number}"),
        ("issues_url", "/issues{/number}"),
        ("keys_url", "/keys{/key_id}"),
        ("labels_url", "/labels{/name}"),
        ("languages_url", "/languages"),
        ("merges_url", "/merges"),
        ("milestones_url", "/milestones{/number}"),
        (
            "notifications_url",
            "/notifications{?since,all,participating}",
        ),
        ("pulls_url", "/pulls{/number}"),
        ("releases_url", "/releases{/id}"),
        ("stargazers_url", "/stargazers"),
        ("statuses_url", "/statuses/{sha}"),
        ("subscribers_url", "/subscribers"),
        ("subscription_url", "/subscription"),
        ("tags_url", "/tags"),
        ("teams_url", "/teams"),
        ("trees_url", "/git/trees{/sha}"),
    ] {
        r[key] = json!(format!("{u}{suffix}"));
    }
    r
}

fn display_name(t: &str) -> String {
    match t {
        "azure_storage_account_key" => "Azure Storage Account Access Key".into(),
        "azure_sql_connection_string" => "Azure SQL Connection String".into(),
        "password" => "Password".into(),
        other => other.replace('_', " "),
    }
}

#[derive(serde::Deserialize)]
struct AppClaims {
    iss: serde_json::Value,
}

/// `POST /app/installations/{id}/access_tokens`: checks the App's JWT (RS256, signed with
/// its private key, `iss` = the App id) and mints an installation token.
async fn access_token(
    State(state): State<Arc<Mutex<FakeState>>>,
    Path(id): Path<u64>,
    headers: HeaderMap,
) -> Response {
    let mut st = state.lock().unwrap();
    st.seen.push(Seen {
        path: format!("/app/installations/{id}/access_tokens"),
        query: HashMap::new(),
        raw_query: String::new(),
        authorized: false,
        accept: None,
        api_version: None,
    });
    let Some((app_id, installation, public_pem)) = st.app.clone() else {
        return not_found();
    };
    let jwt = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default();
    let key = jsonwebtoken::DecodingKey::from_rsa_pem(public_pem.as_bytes()).unwrap();
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
    validation.required_spec_claims.clear();
    let claims = match jsonwebtoken::decode::<AppClaims>(jwt, &key, &validation) {
        Ok(c) => c.claims,
        Err(_) => return unauthorized(),
    };
    let iss_ok =
        claims.iss.as_u64() == Some(app_id) || claims.iss.as_str() == Some(&app_id.to_string());
    if !iss_ok || id != installation {
        return unauthorized();
    }
    st.minted += 1;
    let expires = (chrono::Utc::now() + chrono::Duration::hours(1))
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string();
    (
        StatusCode::CREATED,
        axum::Json(json!({"token": INSTALLATION_TOKEN, "expires_at": expires,
                          "permissions": {"secret_scanning_alerts": "read", "organization_security_campaigns": "read"},
                          "repository_selection": "all"})),
    )
        .into_response()
}
