//! A simulated REST fagsystem: English JSON under `/api/v1`, bearer-token auth, cursor
//! pagination with `next` links, an `updatedSince` change feed, `429` with `Retry-After`.
//!
//! Its vocabulary (`state: "investigating"`, `confidentiality: "sensitive"`, `partyCpr`) is
//! deliberately not the hub's: the connector has to translate.
//!
//! # Endpoints (all `GET` endpoints need `Authorization: Bearer <token>`)
//! - `GET /api/v1/cases?partyCpr=&partyCvr=&ids=&q=&unit=&kle=&state=&cursor=&limit=`
//! - `GET /api/v1/documents?caseIds=&cursor=&limit=`
//! - `GET /api/v1/documents/{id}/content`
//! - `GET /api/v1/changes?updatedSince=&cursor=&limit=` — inclusive of `updatedSince`, ordered
//!   by `updatedAt`; `nextCursor` is `null` once the feed is drained.
//! - `GET /api/v1/health`
//!
//! # Operator endpoints (no token; the simulator only ever listens on loopback)
//! - `POST /_sim/fault` with `{"mode": "none|rate_limit|slow|error|truncated",
//!   "retryAfterSecs": 2, "delayMs": 3000, "count": 1}` sets the [`Control`] fault switch
//!   (`count` absent: until changed).
//! - `POST /_sim/cases/{id}/delete` deletes a case: it disappears from `/cases` and
//!   `/documents` and shows up in `/changes` as `{"deleted": true, "case": null}`.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Json;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};

use super::{Control, Fault, RunningServer};
use crate::municipality::{DocKind, Level, Municipality, SimCase, SimDocument, Status, render};

/// Default page size when `limit` is absent.
const DEFAULT_LIMIT: usize = 50;
/// Largest page size served.
const MAX_LIMIT: usize = 1_000;

/// Start the REST fagsystem for `system`'s slice of `muni` on `listener`, requiring `token`.
pub async fn spawn(
    muni: Arc<Municipality>,
    system: &str,
    token: &str,
    listener: tokio::net::TcpListener,
) -> std::io::Result<RunningServer> {
    let control = Control::new();
    let sim = Arc::new(Sim::new(muni, system, token, control.clone()));
    let router = Router::new()
        .route("/api/v1/cases", get(cases))
        .route("/api/v1/documents", get(documents))
        .route("/api/v1/documents/{id}/content", get(content))
        .route("/api/v1/changes", get(changes))
        .route("/api/v1/health", get(health))
        .route("/_sim/fault", post(set_fault))
        .route("/_sim/cases/{id}/delete", post(delete_case))
        .with_state(sim);
    RunningServer::spawn(system, listener, router, control)
}

/// The server's state: the slice of the municipality it holds and its own mutable overlay.
struct Sim {
    muni: Arc<Municipality>,
    system: String,
    prefix: String,
    token: String,
    control: Arc<Control>,
    /// Global indices of this system's cases, ascending.
    cases: Vec<usize>,
    in_system: HashSet<usize>,
    /// Document index -> (case index, position in the case's documents).
    documents: HashMap<usize, (usize, usize)>,
    /// Deleted cases and when.
    deleted: Mutex<BTreeMap<usize, DateTime<Utc>>>,
    /// Rendered sizes, computed on first listing.
    sizes: Mutex<HashMap<usize, u64>>,
}

/// A request that could not be served, as the wire shows it.
struct ApiError(StatusCode, String);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.0, Json(serde_json::json!({ "error": self.1 }))).into_response()
    }
}

fn bad_request(message: impl Into<String>) -> ApiError {
    ApiError(StatusCode::BAD_REQUEST, message.into())
}

/// A successful answer before the fault switch may cut it.
enum Reply {
    Json(Vec<u8>),
    Bytes { mime: &'static str, bytes: Vec<u8> },
}

impl Reply {
    fn json<T: Serialize>(value: &T) -> Result<Self, ApiError> {
        serde_json::to_vec(value)
            .map(Reply::Json)
            .map_err(|e| ApiError(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CaseJson {
    id: String,
    case_number: String,
    title: String,
    kle: String,
    facet: String,
    unit: String,
    state: &'static str,
    confidentiality: &'static str,
    opened_on: String,
    closed_on: Option<String>,
    caseworker: Option<CaseworkerJson>,
    parties: Vec<PartyJson>,
    updated_at: String,
}

#[derive(Serialize)]
struct CaseworkerJson {
    name: String,
    email: String,
}

#[derive(Serialize)]
struct PartyJson {
    cpr: Option<String>,
    cvr: Option<String>,
    name: String,
    address: String,
    role: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct DocumentJson {
    id: String,
    case_id: String,
    document_number: u32,
    title: String,
    #[serde(rename = "type")]
    kind: &'static str,
    letter_date: String,
    mime_type: &'static str,
    size_bytes: u64,
    confidentiality: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ListJson<T> {
    items: Vec<T>,
    next_cursor: Option<String>,
    links: BTreeMap<&'static str, String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ChangeJson {
    case_id: String,
    updated_at: String,
    deleted: bool,
    case: Option<CaseJson>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ChangesJson {
    items: Vec<ChangeJson>,
    next_cursor: Option<String>,
}

/// Body of `POST /_sim/fault`.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct FaultRequest {
    mode: String,
    #[serde(default)]
    retry_after_secs: Option<u64>,
    #[serde(default)]
    delay_ms: Option<u64>,
    #[serde(default)]
    count: Option<u64>,
}

fn state_word(status: Status) -> &'static str {
    match status {
        Status::Opened => "open",
        Status::Investigated => "investigating",
        Status::Decided => "decided",
        Status::Closed => "closed",
    }
}

fn level_word(level: Level) -> &'static str {
    match level {
        Level::Normal => "normal",
        Level::Confidential => "confidential",
        Level::Sensitive => "sensitive",
        Level::Vip => "vip",
    }
}

fn kind_word(kind: DocKind) -> &'static str {
    match kind {
        DocKind::Incoming => "incoming",
        DocKind::Outgoing => "outgoing",
        DocKind::Note => "note",
        DocKind::Internal => "internal",
    }
}

fn rfc3339(ts: DateTime<Utc>) -> String {
    ts.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// Comma-separated list parameter; empty entries dropped.
fn list(q: &HashMap<String, String>, key: &str) -> Option<Vec<String>> {
    q.get(key).map(|v| {
        v.split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect()
    })
}

fn digits(text: &str) -> String {
    text.chars().filter(char::is_ascii_digit).collect()
}

fn limit_of(q: &HashMap<String, String>) -> Result<usize, ApiError> {
    match q.get("limit") {
        None => Ok(DEFAULT_LIMIT),
        Some(v) => v
            .trim()
            .parse::<usize>()
            .map(|n| n.clamp(1, MAX_LIMIT))
            .map_err(|_| bad_request("limit must be a positive integer")),
    }
}

fn offset_cursor(q: &HashMap<String, String>) -> Result<usize, ApiError> {
    let Some(cursor) = q.get("cursor") else {
        return Ok(0);
    };
    let raw = URL_SAFE_NO_PAD
        .decode(cursor.as_bytes())
        .map_err(|_| bad_request("invalid cursor"))?;
    let text = String::from_utf8(raw).map_err(|_| bad_request("invalid cursor"))?;
    text.strip_prefix("o:")
        .and_then(|n| n.parse().ok())
        .ok_or_else(|| bad_request("invalid cursor"))
}

fn encode_offset(offset: usize) -> String {
    URL_SAFE_NO_PAD.encode(format!("o:{offset}"))
}

/// Percent-encode a query value (RFC 3986 unreserved characters kept).
fn encode_component(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The `next` link: the same query with the cursor replaced.
fn next_link(path: &str, q: &HashMap<String, String>, cursor: &str) -> String {
    let mut pairs: Vec<(&String, &String)> =
        q.iter().filter(|(k, _)| k.as_str() != "cursor").collect();
    pairs.sort();
    let mut link = format!("{path}?");
    for (k, v) in pairs {
        link.push_str(&format!("{}={}&", encode_component(k), encode_component(v)));
    }
    link.push_str(&format!("cursor={}", encode_component(cursor)));
    link
}

/// One page of `items` from `offset`, with the cursor and link to the next.
fn page<T>(
    all: Vec<T>,
    offset: usize,
    limit: usize,
    path: &str,
    q: &HashMap<String, String>,
) -> ListJson<T> {
    let total = all.len();
    let items: Vec<T> = all.into_iter().skip(offset).take(limit).collect();
    let next = offset + items.len();
    let next_cursor = (next < total).then(|| encode_offset(next));
    let mut links = BTreeMap::new();
    if let Some(c) = &next_cursor {
        links.insert("next", next_link(path, q, c));
    }
    ListJson {
        items,
        next_cursor,
        links,
    }
}

impl Sim {
    fn new(muni: Arc<Municipality>, system: &str, token: &str, control: Arc<Control>) -> Self {
        let cases: Vec<usize> = muni.cases_of_system(system).map(|c| c.id).collect();
        let in_system = cases.iter().copied().collect();
        let mut documents = HashMap::new();
        for &ci in &cases {
            if let Some(case) = muni.cases.get(ci) {
                for (pos, doc) in case.documents.iter().enumerate() {
                    documents.insert(doc.id, (ci, pos));
                }
            }
        }
        let mut prefix: String = system
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .take(2)
            .collect::<String>()
            .to_ascii_uppercase();
        while prefix.len() < 2 {
            prefix.push('X');
        }
        Self {
            muni,
            system: system.to_owned(),
            prefix,
            token: token.to_owned(),
            control,
            cases,
            in_system,
            documents,
            deleted: Mutex::new(BTreeMap::new()),
            sizes: Mutex::new(HashMap::new()),
        }
    }

    fn case_id(&self, case: &SimCase) -> String {
        format!("{}-{:06}", self.prefix, case.id)
    }

    fn document_id(&self, doc: &SimDocument) -> String {
        format!("{}-D{:07}", self.prefix, doc.id)
    }

    fn is_deleted(&self, index: usize) -> bool {
        self.deleted
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .contains_key(&index)
    }

    /// The live (not deleted) case with this wire id.
    fn case_by_wire_id(&self, id: &str) -> Option<&SimCase> {
        let index: usize = id
            .strip_prefix(&self.prefix)?
            .strip_prefix('-')?
            .parse()
            .ok()?;
        (self.in_system.contains(&index) && !self.is_deleted(index))
            .then(|| self.muni.cases.get(index))
            .flatten()
    }

    fn live_cases(&self) -> Vec<&SimCase> {
        let deleted = self
            .deleted
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        self.cases
            .iter()
            .filter(|i| !deleted.contains_key(i))
            .filter_map(|&i| self.muni.cases.get(i))
            .collect()
    }

    fn case_json(&self, case: &SimCase) -> CaseJson {
        let m = &self.muni;
        let party = |index: usize, role: &'static str| {
            m.citizens.get(index).map(|c| PartyJson {
                cpr: Some(c.cpr.clone()),
                cvr: None,
                name: c.name(),
                address: c.address.one_line(),
                role,
            })
        };
        let mut parties: Vec<PartyJson> = party(case.primary, "primary").into_iter().collect();
        parties.extend(case.secondary.iter().filter_map(|&s| party(s, "secondary")));
        CaseJson {
            id: self.case_id(case),
            case_number: case.sagsnummer.clone(),
            title: case.title.clone(),
            kle: case.kle.clone(),
            facet: case.handlingsfacet.clone(),
            unit: m
                .department(case.department)
                .map_or_else(|| case.department.to_owned(), |d| d.name.to_owned()),
            state: state_word(case.status),
            confidentiality: level_word(case.level),
            opened_on: case.opened.to_string(),
            closed_on: case.closed.map(|d| d.to_string()),
            caseworker: m.staff.get(case.caseworker).map(|s| CaseworkerJson {
                name: s.name.clone(),
                email: s.email.clone(),
            }),
            parties,
            updated_at: rfc3339(case.updated_at),
        }
    }

    fn size_of(&self, doc: &SimDocument) -> u64 {
        if let Some(size) = self
            .sizes
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&doc.id)
        {
            return *size;
        }
        let size = render(&self.muni, doc).bytes.len() as u64;
        self.sizes
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(doc.id, size);
        size
    }

    fn document_json(&self, case: &SimCase, doc: &SimDocument) -> DocumentJson {
        DocumentJson {
            id: self.document_id(doc),
            case_id: self.case_id(case),
            document_number: doc.aktnummer,
            title: doc.title.clone(),
            kind: kind_word(doc.kind),
            letter_date: doc.letter_date.to_string(),
            mime_type: doc.format.mime_type(),
            size_bytes: self.size_of(doc),
            confidentiality: level_word(doc.level),
        }
    }

    /// Count the request, apply the fault switch, check the token, answer.
    async fn serve(
        &self,
        operation: &str,
        headers: &HeaderMap,
        answer: impl FnOnce() -> Result<Reply, ApiError>,
    ) -> Response {
        self.control.count(operation);
        let fault = self.control.take_fault();
        match &fault {
            Fault::RateLimit { retry_after_secs } => {
                let mut response =
                    ApiError(StatusCode::TOO_MANY_REQUESTS, "too many requests".into())
                        .into_response();
                if let Ok(v) = HeaderValue::from_str(&retry_after_secs.to_string()) {
                    response.headers_mut().insert(header::RETRY_AFTER, v);
                }
                return response;
            }
            Fault::ServerError => {
                return ApiError(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal server error".into(),
                )
                .into_response();
            }
            Fault::Slow(delay) => tokio::time::sleep(*delay).await,
            Fault::None | Fault::Truncated => {}
        }
        let expected = format!("Bearer {}", self.token);
        let authorized = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v == expected);
        if !authorized {
            return ApiError(
                StatusCode::UNAUTHORIZED,
                "missing or invalid bearer token".into(),
            )
            .into_response();
        }
        let (mime, mut bytes) = match answer() {
            Ok(Reply::Json(bytes)) => ("application/json", bytes),
            Ok(Reply::Bytes { mime, bytes }) => (mime, bytes),
            Err(error) => return error.into_response(),
        };
        if fault == Fault::Truncated {
            bytes.truncate(bytes.len() / 2);
        }
        ([(header::CONTENT_TYPE, mime)], bytes).into_response()
    }

    fn list_cases(&self, q: &HashMap<String, String>) -> Result<Reply, ApiError> {
        let limit = limit_of(q)?;
        let offset = offset_cursor(q)?;
        let cprs: Option<HashSet<String>> =
            list(q, "partyCpr").map(|v| v.iter().map(|c| digits(c)).collect());
        let cvrs: Option<HashSet<String>> = list(q, "partyCvr").map(|v| v.into_iter().collect());
        let ids: Option<HashSet<String>> = list(q, "ids").map(|v| v.into_iter().collect());
        let words: Vec<String> = q
            .get("q")
            .map(|t| t.split_whitespace().map(str::to_lowercase).collect())
            .unwrap_or_default();
        let unit = q.get("unit").map(|u| u.to_lowercase());
        let kle = q.get("kle");
        let state = q.get("state").map(String::as_str);
        if let Some(s) = state
            && !["open", "investigating", "decided", "closed"].contains(&s)
        {
            return Err(bad_request(
                "state must be open, investigating, decided or closed",
            ));
        }
        let m = &self.muni;
        let matches = |c: &SimCase| {
            let party_cprs = || {
                std::iter::once(c.primary)
                    .chain(c.secondary.iter().copied())
                    .filter_map(|i| m.citizens.get(i))
                    .map(|p| digits(&p.cpr))
            };
            // Citizens have no CVR; a CVR filter alone matches nothing, combined with CPR it widens nothing.
            let party_ok = match (&cprs, &cvrs) {
                (None, None) => true,
                (Some(set), _) => party_cprs().any(|p| set.contains(&p)),
                (None, Some(_)) => false,
            };
            let haystack = format!("{} {}", c.title, c.sagsnummer).to_lowercase();
            party_ok
                && ids
                    .as_ref()
                    .is_none_or(|set| set.contains(&self.case_id(c)))
                && words.iter().all(|w| haystack.contains(w.as_str()))
                && unit.as_ref().is_none_or(|u| {
                    m.department(c.department)
                        .is_some_and(|d| d.name.to_lowercase() == *u)
                })
                && kle.is_none_or(|k| c.kle.starts_with(k.as_str()))
                && state.is_none_or(|s| state_word(c.status) == s)
        };
        let all: Vec<CaseJson> = self
            .live_cases()
            .into_iter()
            .filter(|c| matches(c))
            .map(|c| self.case_json(c))
            .collect();
        Reply::json(&page(all, offset, limit, "/api/v1/cases", q))
    }

    fn list_documents(&self, q: &HashMap<String, String>) -> Result<Reply, ApiError> {
        let limit = limit_of(q)?;
        let offset = offset_cursor(q)?;
        let ids = list(q, "caseIds").ok_or_else(|| bad_request("caseIds is required"))?;
        let mut cases: Vec<&SimCase> = ids
            .iter()
            .filter_map(|id| self.case_by_wire_id(id))
            .collect();
        cases.sort_by_key(|c| c.id);
        cases.dedup_by_key(|c| c.id);
        let all: Vec<DocumentJson> = cases
            .iter()
            .flat_map(|c| c.documents.iter().map(|d| self.document_json(c, d)))
            .collect();
        Reply::json(&page(all, offset, limit, "/api/v1/documents", q))
    }

    fn document_content(&self, id: &str) -> Result<Reply, ApiError> {
        let not_found = || ApiError(StatusCode::NOT_FOUND, "no such document".into());
        let index: usize = id
            .strip_prefix(&self.prefix)
            .and_then(|r| r.strip_prefix("-D"))
            .and_then(|n| n.parse().ok())
            .ok_or_else(not_found)?;
        let &(ci, pos) = self.documents.get(&index).ok_or_else(not_found)?;
        if self.is_deleted(ci) {
            return Err(not_found());
        }
        let doc = self
            .muni
            .cases
            .get(ci)
            .and_then(|c| c.documents.get(pos))
            .ok_or_else(not_found)?;
        let rendered = render(&self.muni, doc);
        Ok(Reply::Bytes {
            mime: rendered.mime_type,
            bytes: rendered.bytes,
        })
    }

    fn list_changes(&self, q: &HashMap<String, String>) -> Result<Reply, ApiError> {
        let limit = limit_of(q)?;
        let since = match q.get("updatedSince") {
            None => None,
            // A `+` in an unencoded query arrives as a space.
            Some(t) => Some(
                DateTime::parse_from_rfc3339(&t.replace(' ', "+"))
                    .map_err(|_| bad_request("updatedSince must be RFC 3339"))?
                    .with_timezone(&Utc),
            ),
        };
        let after = match q.get("cursor") {
            None => None,
            Some(c) => Some(decode_change_cursor(c).ok_or_else(|| bad_request("invalid cursor"))?),
        };
        let deleted = self
            .deleted
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        let mut entries: Vec<(DateTime<Utc>, usize, bool)> = self
            .cases
            .iter()
            .filter_map(|&i| self.muni.cases.get(i))
            .map(|c| match deleted.get(&c.id) {
                Some(at) => (*at, c.id, true),
                None => (c.updated_at, c.id, false),
            })
            .filter(|(ts, _, _)| since.is_none_or(|s| *ts >= s))
            .filter(|(ts, i, _)| after.is_none_or(|(ats, ai)| (*ts, *i) > (ats, ai)))
            .collect();
        entries.sort();
        let more = entries.len() > limit;
        entries.truncate(limit);
        let next_cursor = if more {
            entries
                .last()
                .map(|(ts, i, _)| encode_change_cursor(*ts, *i))
        } else {
            None
        };
        let items = entries
            .into_iter()
            .filter_map(|(ts, i, gone)| {
                let case = self.muni.cases.get(i)?;
                Some(ChangeJson {
                    case_id: self.case_id(case),
                    updated_at: rfc3339(ts),
                    deleted: gone,
                    case: (!gone).then(|| self.case_json(case)),
                })
            })
            .collect();
        Reply::json(&ChangesJson { items, next_cursor })
    }

    /// Delete a case (the overlay); returns when, or `None` if there is no such live case.
    fn delete(&self, id: &str) -> Option<DateTime<Utc>> {
        let index = self.case_by_wire_id(id)?.id;
        // Strictly after every generated timestamp, so the deletion sorts last in the feed.
        let latest = self
            .cases
            .iter()
            .filter_map(|&i| self.muni.cases.get(i))
            .map(|c| c.updated_at)
            .max();
        let mut at = Utc::now();
        if let Some(latest) = latest
            && latest >= at
        {
            at = latest + chrono::Duration::seconds(1);
        }
        let at = at.with_nanosecond_zero();
        self.deleted
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(index, at);
        Some(at)
    }
}

/// Second precision, as the feed prints timestamps.
trait NanoZero {
    fn with_nanosecond_zero(self) -> Self;
}

impl NanoZero for DateTime<Utc> {
    fn with_nanosecond_zero(self) -> Self {
        DateTime::from_timestamp(self.timestamp(), 0).unwrap_or(self)
    }
}

fn encode_change_cursor(ts: DateTime<Utc>, index: usize) -> String {
    URL_SAFE_NO_PAD.encode(format!(
        "k:{}:{}:{index}",
        ts.timestamp(),
        ts.timestamp_subsec_nanos()
    ))
}

fn decode_change_cursor(cursor: &str) -> Option<(DateTime<Utc>, usize)> {
    let text = String::from_utf8(URL_SAFE_NO_PAD.decode(cursor.as_bytes()).ok()?).ok()?;
    let mut parts = text.strip_prefix("k:")?.split(':');
    let secs: i64 = parts.next()?.parse().ok()?;
    let nanos: u32 = parts.next()?.parse().ok()?;
    let index: usize = parts.next()?.parse().ok()?;
    Some((DateTime::from_timestamp(secs, nanos)?, index))
}

type Sh = State<Arc<Sim>>;
type Q = Query<HashMap<String, String>>;

async fn cases(State(sim): Sh, headers: HeaderMap, Query(q): Q) -> Response {
    sim.serve("GET /api/v1/cases", &headers, || sim.list_cases(&q))
        .await
}

async fn documents(State(sim): Sh, headers: HeaderMap, Query(q): Q) -> Response {
    sim.serve("GET /api/v1/documents", &headers, || sim.list_documents(&q))
        .await
}

async fn content(State(sim): Sh, headers: HeaderMap, Path(id): Path<String>) -> Response {
    sim.serve("GET /api/v1/documents/{id}/content", &headers, || {
        sim.document_content(&id)
    })
    .await
}

async fn changes(State(sim): Sh, headers: HeaderMap, Query(q): Q) -> Response {
    sim.serve("GET /api/v1/changes", &headers, || sim.list_changes(&q))
        .await
}

async fn health(State(sim): Sh, headers: HeaderMap) -> Response {
    sim.serve("GET /api/v1/health", &headers, || {
        Reply::json(&serde_json::json!({ "status": "ok", "system": sim.system }))
    })
    .await
}

async fn set_fault(State(sim): Sh, Json(req): Json<FaultRequest>) -> Response {
    let fault = match req.mode.as_str() {
        "none" => Fault::None,
        "rate_limit" => Fault::RateLimit {
            retry_after_secs: req.retry_after_secs.unwrap_or(1),
        },
        "slow" => Fault::Slow(Duration::from_millis(req.delay_ms.unwrap_or(1_000))),
        "error" => Fault::ServerError,
        "truncated" => Fault::Truncated,
        _ => {
            return bad_request("mode must be none, rate_limit, slow, error or truncated")
                .into_response();
        }
    };
    match req.count {
        Some(n) => sim.control.set_fault_for(fault, n),
        None => sim.control.set_fault(fault),
    }
    Json(serde_json::json!({ "ok": true })).into_response()
}

async fn delete_case(State(sim): Sh, Path(id): Path<String>) -> Response {
    match sim.delete(&id) {
        Some(at) => {
            Json(serde_json::json!({ "caseId": id, "deletedAt": rfc3339(at) })).into_response()
        }
        None => ApiError(StatusCode::NOT_FOUND, "no such case".into()).into_response(),
    }
}
