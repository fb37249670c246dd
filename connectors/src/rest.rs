//! A JSON/REST fagsystem: `/api/v1` with bearer-token auth, cursor pagination (`nextCursor`),
//! `429` with `Retry-After`, and an `updatedSince` change feed.
//!
//! The wire vocabulary (`state: "investigating"`, `confidentiality: "sensitive"`, ...) is mapped
//! into the unified model here and nowhere else. Parsing is pure ([`parse_cases_page`],
//! [`parse_documents_page`], [`parse_changes_page`], [`parse_retry_after`]); the I/O around it
//! is one paginated walk per method call (per chunk of ~100 keys, so URLs stay short).
//!
//! # Change cursor
//! The opaque cursor of [`CaseSystem::changes_since`] is base64url of a small JSON object:
//! the server's own `nextCursor` while the feed has more, otherwise the latest `updatedAt` seen
//! (the server's `updatedSince` is inclusive) plus the case ids seen at exactly that instant, so
//! a quiet feed does not re-deliver its last entries.

use std::time::Instant;

use async_trait::async_trait;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use reqwest::header::{CONTENT_LENGTH, CONTENT_TYPE, RETRY_AFTER};
use reqwest::{StatusCode, Url};
use serde::{Deserialize, Serialize};

use crate::config::RestConfig;
use crate::model::{
    Case, CaseParty, Change, ChangePage, Content, Document, DocumentKind, Health, Party, PartyKey,
    PartyRole, ProgressStatus, SearchQuery, Sensitivity, SystemId, SystemKind,
};
use crate::system::CaseSystem;
use crate::{Error, Result};

/// Keys per request in batch forms (`partyCpr=`, `ids=`, `caseIds=`): keeps URLs well under
/// the 8 KiB many servers accept.
const CHUNK: usize = 100;

/// One page of a paginated list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Page<T> {
    /// The items on this page.
    pub items: Vec<T>,
    /// The server's cursor for the next page; `None` on the last page.
    pub next_cursor: Option<String>,
}

/// One entry of the server's change feed, mapped, with the instant the feed gives it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FeedEntry {
    /// The case's local id.
    pub case_id: String,
    /// When it changed (or was deleted).
    pub updated_at: DateTime<Utc>,
    /// What happened.
    pub change: Change,
}

// ---- wire types (the fagsystem's vocabulary) ----

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ListWire<T> {
    items: Vec<T>,
    #[serde(default)]
    next_cursor: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CaseWire {
    id: String,
    case_number: String,
    title: String,
    kle: String,
    #[serde(default)]
    facet: Option<String>,
    unit: String,
    state: StateWire,
    confidentiality: ConfidentialityWire,
    opened_on: NaiveDate,
    #[serde(default)]
    closed_on: Option<NaiveDate>,
    #[serde(default)]
    caseworker: Option<CaseworkerWire>,
    #[serde(default)]
    parties: Vec<PartyWire>,
    #[serde(default)]
    updated_at: Option<DateTime<Utc>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "lowercase")]
enum StateWire {
    Open,
    Investigating,
    Decided,
    Closed,
}

#[derive(Deserialize)]
#[serde(rename_all = "lowercase")]
enum ConfidentialityWire {
    Normal,
    Confidential,
    Sensitive,
    Vip,
}

#[derive(Deserialize)]
struct CaseworkerWire {
    name: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "lowercase")]
enum RoleWire {
    Primary,
    Secondary,
}

#[derive(Deserialize)]
struct PartyWire {
    #[serde(default)]
    cpr: Option<String>,
    #[serde(default)]
    cvr: Option<String>,
    name: String,
    #[serde(default)]
    address: Option<String>,
    role: RoleWire,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct DocumentWire {
    id: String,
    case_id: String,
    document_number: u32,
    title: String,
    #[serde(rename = "type")]
    kind: KindWire,
    #[serde(default)]
    letter_date: Option<NaiveDate>,
    mime_type: String,
    #[serde(default)]
    size_bytes: Option<u64>,
    confidentiality: ConfidentialityWire,
}

#[derive(Deserialize)]
#[serde(rename_all = "lowercase")]
enum KindWire {
    Incoming,
    Outgoing,
    Note,
    Internal,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ChangeWire {
    case_id: String,
    updated_at: DateTime<Utc>,
    #[serde(default)]
    deleted: bool,
    #[serde(default)]
    case: Option<CaseWire>,
}

/// What the opaque change cursor carries.
#[derive(Default, Serialize, Deserialize)]
struct FeedCursor {
    /// The server's `nextCursor`, while the feed has more.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    c: Option<String>,
    /// Latest `updatedAt` delivered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    s: Option<DateTime<Utc>>,
    /// Case ids delivered with exactly `s`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    seen: Vec<String>,
}

fn protocol(system: &SystemId, reason: impl Into<String>) -> Error {
    Error::Protocol {
        system: system.clone(),
        reason: reason.into(),
    }
}

fn map_case(system: &SystemId, w: CaseWire) -> Case {
    let parties = w
        .parties
        .into_iter()
        .map(|p| {
            let key = match (p.cpr.as_deref(), p.cvr.as_deref()) {
                (Some(cpr), _) => PartyKey::cpr(cpr),
                (None, Some(cvr)) => PartyKey::cvr(cvr),
                (None, None) => None,
            };
            if key.is_none() && (p.cpr.is_some() || p.cvr.is_some()) {
                // Never log the value itself: it may be a (malformed) CPR number.
                tracing::warn!(%system, "party with an unreadable CPR/CVR number; kept without key");
            }
            let role = match p.role {
                RoleWire::Primary => PartyRole::Primary,
                RoleWire::Secondary => PartyRole::Secondary,
            };
            CaseParty { party: Party { key, name: p.name, address: p.address.filter(|a| !a.is_empty()) }, role }
        })
        .collect();
    Case {
        system: system.clone(),
        local_id: w.id,
        sagsnummer: w.case_number,
        title: w.title,
        kle: w.kle,
        handlingsfacet: w.facet.filter(|f| !f.is_empty()),
        department: w.unit.clone(),
        status: match w.state {
            StateWire::Open => ProgressStatus::Opstaaet,
            StateWire::Investigating => ProgressStatus::Oplyst,
            StateWire::Decided => ProgressStatus::Afgjort,
            StateWire::Closed => ProgressStatus::Afsluttet,
        },
        sensitivity: map_sensitivity(w.confidentiality),
        opened: w.opened_on,
        closed: w.closed_on,
        parties,
        responsible_unit: Some(w.unit),
        caseworker: w.caseworker.map(|c| c.name),
        updated_at: w.updated_at,
    }
}

fn map_sensitivity(c: ConfidentialityWire) -> Sensitivity {
    match c {
        ConfidentialityWire::Normal => Sensitivity::IkkeFortrolig,
        ConfidentialityWire::Confidential => Sensitivity::Fortrolig,
        ConfidentialityWire::Sensitive => Sensitivity::Foelsom,
        ConfidentialityWire::Vip => Sensitivity::Vip,
    }
}

fn map_document(system: &SystemId, w: DocumentWire) -> Document {
    Document {
        system: system.clone(),
        local_id: w.id,
        case_local_id: w.case_id,
        aktnummer: w.document_number,
        title: w.title,
        kind: match w.kind {
            KindWire::Incoming => DocumentKind::IncomingLetter,
            KindWire::Outgoing => DocumentKind::OutgoingLetter,
            KindWire::Note => DocumentKind::JournalNote,
            KindWire::Internal => DocumentKind::Internal,
        },
        letter_date: w.letter_date,
        mime_type: w.mime_type,
        size: w.size_bytes,
        sensitivity: map_sensitivity(w.confidentiality),
    }
}

fn parse_json<'a, T: Deserialize<'a>>(system: &SystemId, bytes: &'a [u8]) -> Result<T> {
    // serde_json's message can quote the offending value ("invalid type: integer `…`"), so
    // long numbers are masked before the text becomes an error.
    serde_json::from_slice(bytes).map_err(|e| {
        protocol(
            system,
            crate::error::mask_numbers(&format!("invalid JSON: {e}")),
        )
    })
}

/// Parse a page of `GET /api/v1/cases`.
pub fn parse_cases_page(system: &SystemId, bytes: &[u8]) -> Result<Page<Case>> {
    let wire: ListWire<CaseWire> = parse_json(system, bytes)?;
    Ok(Page {
        items: wire
            .items
            .into_iter()
            .map(|c| map_case(system, c))
            .collect(),
        next_cursor: wire.next_cursor,
    })
}

/// Parse a page of `GET /api/v1/documents`.
pub fn parse_documents_page(system: &SystemId, bytes: &[u8]) -> Result<Page<Document>> {
    let wire: ListWire<DocumentWire> = parse_json(system, bytes)?;
    Ok(Page {
        items: wire
            .items
            .into_iter()
            .map(|d| map_document(system, d))
            .collect(),
        next_cursor: wire.next_cursor,
    })
}

/// Parse a page of `GET /api/v1/changes`. An entry that is neither deleted nor carries its case
/// is a protocol error.
pub fn parse_changes_page(system: &SystemId, bytes: &[u8]) -> Result<Page<FeedEntry>> {
    let wire: ListWire<ChangeWire> = parse_json(system, bytes)?;
    let items = wire
        .items
        .into_iter()
        .map(|w| {
            let change = match (w.deleted, w.case) {
                (true, _) => Change::Deleted {
                    local_id: w.case_id.clone(),
                },
                (false, Some(case)) => Change::Upserted(Box::new(map_case(system, case))),
                (false, None) => {
                    return Err(protocol(
                        system,
                        "change entry without case and not deleted",
                    ));
                }
            };
            Ok(FeedEntry {
                case_id: w.case_id,
                updated_at: w.updated_at,
                change,
            })
        })
        .collect::<Result<_>>()?;
    Ok(Page {
        items,
        next_cursor: wire.next_cursor,
    })
}

/// Seconds to wait from a `Retry-After` value: delta-seconds or an HTTP date (RFC 9110), rounded
/// up; a date in the past gives `0`; anything else `None`.
pub fn parse_retry_after(value: &str, now: DateTime<Utc>) -> Option<u64> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(secs);
    }
    let at = DateTime::parse_from_rfc2822(value)
        .ok()?
        .with_timezone(&Utc);
    let millis = (at - now).num_milliseconds();
    Some(if millis <= 0 {
        0
    } else {
        (millis as u64).div_ceil(1000)
    })
}

fn encode_feed_cursor(cursor: &FeedCursor) -> String {
    // Serialising this struct cannot fail; fall back to "from the beginning" rather than panic.
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(cursor).unwrap_or_default())
}

fn decode_feed_cursor(system: &SystemId, cursor: &str) -> Result<FeedCursor> {
    let bad = || Error::Config {
        system: system.clone(),
        reason: "invalid change cursor".into(),
    };
    let raw = URL_SAFE_NO_PAD
        .decode(cursor.as_bytes())
        .map_err(|_| bad())?;
    serde_json::from_slice(&raw).map_err(|_| bad())
}

fn state_param(status: ProgressStatus) -> &'static str {
    match status {
        ProgressStatus::Opstaaet => "open",
        ProgressStatus::Oplyst => "investigating",
        ProgressStatus::Afgjort => "decided",
        ProgressStatus::Afsluttet => "closed",
    }
}

/// The REST connector.
pub struct RestSystem {
    id: SystemId,
    base: Url,
    token: String,
    page_size: usize,
    max_response_bytes: u64,
    http: reqwest::Client,
}

impl RestSystem {
    /// A connector for the system at `config.url`, sharing the hub's `http` client.
    pub fn new(id: SystemId, config: &RestConfig, http: reqwest::Client) -> Result<Self> {
        let config_error = |reason: String| Error::Config {
            system: id.clone(),
            reason,
        };
        let base = Url::parse(config.url.trim_end_matches('/'))
            .map_err(|e| config_error(format!("invalid url: {e}")))?;
        if !matches!(base.scheme(), "http" | "https") || base.cannot_be_a_base() {
            return Err(config_error("url must be an http(s) base URL".into()));
        }
        if config.page_size == 0 {
            return Err(config_error("page_size must be at least 1".into()));
        }
        if config.token.is_empty() {
            return Err(config_error("token must not be empty".into()));
        }
        Ok(Self {
            id,
            base,
            token: config.token.clone(),
            page_size: config.page_size,
            max_response_bytes: config.max_response_bytes,
            http,
        })
    }

    /// `base/api/v1/<segments...>` with `params` as the query.
    fn url(&self, segments: &[&str], params: &[(&str, String)]) -> Result<Url> {
        let mut url = self.base.clone();
        {
            let mut path = url.path_segments_mut().map_err(|_| Error::Config {
                system: self.id.clone(),
                reason: "url cannot be a base".into(),
            })?;
            path.pop_if_empty().extend(["api", "v1"]).extend(segments);
        }
        if !params.is_empty() {
            let mut query = url.query_pairs_mut();
            for (k, v) in params {
                query.append_pair(k, v);
            }
        }
        Ok(url)
    }

    fn transport(&self, error: reqwest::Error) -> Error {
        // `without_url`: the URL may carry CPR numbers in `partyCpr=`.
        let error = error.without_url();
        if error.is_timeout() && !error.is_connect() {
            Error::Timeout {
                system: self.id.clone(),
                millis: 0,
            }
        } else {
            Error::Unavailable {
                system: self.id.clone(),
                reason: error.to_string(),
            }
        }
    }

    /// One GET; the body bounded by `limit` bytes (`over` builds the error past it).
    async fn get(
        &self,
        url: Url,
        limit: u64,
        over: impl Fn() -> Error,
    ) -> Result<(Option<String>, Vec<u8>)> {
        let mut response = self
            .http
            .get(url)
            .bearer_auth(&self.token)
            .send()
            .await
            .map_err(|e| self.transport(e))?;
        let status = response.status();
        if !status.is_success() {
            return Err(self.status_error(status, response.headers()));
        }
        if response
            .headers()
            .get(CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok())
            .is_some_and(|n| n > limit)
        {
            return Err(over());
        }
        let mime = response
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(|e| self.transport(e))? {
            if (body.len() + chunk.len()) as u64 > limit {
                return Err(over());
            }
            body.extend_from_slice(&chunk);
        }
        Ok((mime, body))
    }

    fn status_error(&self, status: StatusCode, headers: &reqwest::header::HeaderMap) -> Error {
        let system = self.id.clone();
        match status {
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => Error::Unauthorized { system },
            StatusCode::NOT_FOUND => Error::NotFound {
                system,
                what: "resource".into(),
            },
            StatusCode::TOO_MANY_REQUESTS => Error::RateLimited {
                system,
                retry_after_secs: headers
                    .get(RETRY_AFTER)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| parse_retry_after(v, Utc::now())),
            },
            s if s.is_server_error() => Error::Unavailable {
                system,
                reason: format!("HTTP {}", s.as_u16()),
            },
            s => Error::Protocol {
                system,
                reason: format!("unexpected HTTP {}", s.as_u16()),
            },
        }
    }

    /// A JSON GET bounded by `max_response_bytes`.
    async fn get_json(&self, url: Url) -> Result<Vec<u8>> {
        let limit = self.max_response_bytes;
        let over = || protocol(&self.id, format!("response larger than {limit} bytes"));
        Ok(self.get(url, limit, over).await?.1)
    }

    /// Walk `nextCursor` pages of `segment` with `params`, stopping once `max` items are in.
    async fn walk<T>(
        &self,
        segment: &str,
        params: Vec<(&str, String)>,
        max: usize,
        parse: fn(&SystemId, &[u8]) -> Result<Page<T>>,
    ) -> Result<Vec<T>> {
        let mut items = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let mut query = params.clone();
            query.push((
                "limit",
                self.page_size
                    .min(max.saturating_sub(items.len()))
                    .max(1)
                    .to_string(),
            ));
            if let Some(c) = &cursor {
                query.push(("cursor", c.clone()));
            }
            let page = parse(
                &self.id,
                &self.get_json(self.url(&[segment], &query)?).await?,
            )?;
            items.extend(page.items);
            match page.next_cursor {
                Some(next) if items.len() < max && Some(&next) != cursor.as_ref() => {
                    cursor = Some(next)
                }
                _ => break,
            }
        }
        items.truncate(max);
        Ok(items)
    }

    /// Walk every chunk of `keys` as `param=k1,k2,...`.
    async fn walk_batched<T>(
        &self,
        segment: &str,
        param: &'static str,
        keys: &[String],
        parse: fn(&SystemId, &[u8]) -> Result<Page<T>>,
    ) -> Result<Vec<T>> {
        let mut items = Vec::new();
        for chunk in keys.chunks(CHUNK) {
            items.extend(
                self.walk(segment, vec![(param, chunk.join(","))], usize::MAX, parse)
                    .await?,
            );
        }
        Ok(items)
    }
}

fn dedup_sorted(mut keys: Vec<String>) -> Vec<String> {
    keys.sort();
    keys.dedup();
    keys
}

#[async_trait]
impl CaseSystem for RestSystem {
    fn id(&self) -> &SystemId {
        &self.id
    }

    fn kind(&self) -> SystemKind {
        SystemKind::Rest
    }

    #[tracing::instrument(skip_all, fields(system = %self.id, parties = parties.len()))]
    async fn cases_for_parties(&self, parties: &[PartyKey]) -> Result<Vec<Case>> {
        let cprs = dedup_sorted(
            parties
                .iter()
                .filter(|k| matches!(k, PartyKey::Cpr(_)))
                .map(PartyKey::display_number)
                .collect(),
        );
        let cvrs = dedup_sorted(
            parties
                .iter()
                .filter(|k| matches!(k, PartyKey::Cvr(_)))
                .map(PartyKey::display_number)
                .collect(),
        );
        let mut cases = self
            .walk_batched("cases", "partyCpr", &cprs, parse_cases_page)
            .await?;
        cases.extend(
            self.walk_batched("cases", "partyCvr", &cvrs, parse_cases_page)
                .await?,
        );
        // A case with two of the asked parties comes back once per chunk/param it matched.
        let mut seen = std::collections::HashSet::new();
        cases.retain(|c| seen.insert(c.local_id.clone()));
        Ok(cases)
    }

    #[tracing::instrument(skip_all, fields(system = %self.id, ids = ids.len()))]
    async fn cases_by_ids(&self, ids: &[String]) -> Result<Vec<Case>> {
        self.walk_batched(
            "cases",
            "ids",
            &dedup_sorted(ids.to_vec()),
            parse_cases_page,
        )
        .await
    }

    #[tracing::instrument(skip_all, fields(system = %self.id, cases = case_ids.len()))]
    async fn documents_of_cases(&self, case_ids: &[String]) -> Result<Vec<Document>> {
        self.walk_batched(
            "documents",
            "caseIds",
            &dedup_sorted(case_ids.to_vec()),
            parse_documents_page,
        )
        .await
    }

    #[tracing::instrument(skip(self), fields(system = %self.id))]
    async fn content(&self, document_id: &str, max_bytes: u64) -> Result<Content> {
        let url = self.url(&["documents", document_id, "content"], &[])?;
        let limit = max_bytes.min(self.max_response_bytes);
        let over = || Error::TooLarge {
            system: self.id.clone(),
            limit,
        };
        let (mime, bytes) = self.get(url, limit, over).await.map_err(|e| match e {
            Error::NotFound { system, .. } => Error::NotFound {
                system,
                what: format!("document {document_id}"),
            },
            e => e,
        })?;
        Ok(Content {
            mime_type: mime.unwrap_or_else(|| "application/octet-stream".into()),
            bytes,
        })
    }

    #[tracing::instrument(skip_all, fields(system = %self.id))]
    async fn search(&self, query: &SearchQuery) -> Result<Vec<Case>> {
        let mut params = Vec::new();
        if let Some(t) = query.text.as_ref().filter(|t| !t.trim().is_empty()) {
            params.push(("q", t.clone()));
        }
        if let Some(d) = &query.department {
            params.push(("unit", d.clone()));
        }
        if let Some(k) = &query.kle_prefix {
            params.push(("kle", k.clone()));
        }
        if let Some(s) = query.status {
            params.push(("state", state_param(s).to_owned()));
        }
        // `limit: 0` (the Default) means one page rather than nothing.
        let max = if query.limit == 0 {
            self.page_size
        } else {
            query.limit
        };
        self.walk("cases", params, max, parse_cases_page).await
    }

    #[tracing::instrument(skip_all, fields(system = %self.id, limit))]
    async fn changes_since(&self, cursor: Option<&str>, limit: usize) -> Result<ChangePage> {
        let start = match cursor {
            Some(c) => decode_feed_cursor(&self.id, c)?,
            None => FeedCursor::default(),
        };
        if limit == 0 {
            let next_cursor = cursor.map_or_else(|| encode_feed_cursor(&start), str::to_owned);
            return Ok(ChangePage {
                changes: Vec::new(),
                next_cursor,
                has_more: start.c.is_some(),
            });
        }
        let mut state = FeedCursor {
            c: start.c.clone(),
            s: start.s,
            seen: start.seen.clone(),
        };
        let mut changes = Vec::new();
        let mut has_more = false;
        while changes.len() < limit {
            let mut query = vec![(
                "limit",
                self.page_size.min(limit - changes.len()).to_string(),
            )];
            if let Some(s) = start.s {
                query.push((
                    "updatedSince",
                    s.to_rfc3339_opts(SecondsFormat::AutoSi, true),
                ));
            }
            if let Some(c) = &state.c {
                query.push(("cursor", c.clone()));
            }
            let page = parse_changes_page(
                &self.id,
                &self.get_json(self.url(&["changes"], &query)?).await?,
            )?;
            for entry in page.items {
                if Some(entry.updated_at) == start.s && start.seen.contains(&entry.case_id) {
                    continue;
                }
                match state.s {
                    Some(s) if s == entry.updated_at => state.seen.push(entry.case_id),
                    Some(s) if s > entry.updated_at => {}
                    _ => {
                        state.s = Some(entry.updated_at);
                        state.seen = vec![entry.case_id];
                    }
                }
                changes.push(entry.change);
            }
            has_more = page.next_cursor.is_some();
            if page.next_cursor.is_none() || page.next_cursor == state.c {
                state.c = None;
                break;
            }
            state.c = page.next_cursor;
        }
        if !has_more {
            state.c = None;
        }
        Ok(ChangePage {
            changes,
            next_cursor: encode_feed_cursor(&state),
            has_more,
        })
    }

    #[tracing::instrument(skip_all, fields(system = %self.id))]
    async fn health(&self) -> Health {
        let started = Instant::now();
        let result = match self.url(&["health"], &[]) {
            Ok(url) => self.get_json(url).await.map(|_| ()),
            Err(e) => Err(e),
        };
        Health::from_probe(started, &result)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sys() -> SystemId {
        SystemId::new("jobcenter")
    }

    fn fixture(name: &str) -> Vec<u8> {
        let path = format!("{}/fixtures/rest/{name}", env!("CARGO_MANIFEST_DIR"));
        std::fs::read(&path).unwrap_or_else(|e| panic!("fixture {path}: {e}"))
    }

    #[test]
    fn cases_page_maps_vocabulary() {
        let page = parse_cases_page(&sys(), &fixture("cases_page.json")).unwrap();
        assert_eq!(page.next_cursor.as_deref(), Some("bzoy"));
        assert_eq!(page.items.len(), 2);
        let c = &page.items[0];
        assert_eq!(c.local_id, "JC-000123");
        assert_eq!(c.sagsnummer, "2024-000123");
        assert_eq!(c.kle, "15.02.00");
        assert_eq!(c.handlingsfacet.as_deref(), Some("G01"));
        assert_eq!(c.department, "Jobcenter");
        assert_eq!(c.status, ProgressStatus::Oplyst);
        assert_eq!(c.sensitivity, Sensitivity::Foelsom);
        assert_eq!(c.opened, NaiveDate::from_ymd_opt(2024, 1, 2).unwrap());
        assert_eq!(c.closed, None);
        assert_eq!(c.caseworker.as_deref(), Some("Hanne Sagsbehandler"));
        assert_eq!(c.parties.len(), 2);
        assert_eq!(c.parties[0].role, PartyRole::Primary);
        assert_eq!(c.parties[0].party.key, PartyKey::cpr("010190-1234"));
        assert_eq!(c.parties[1].role, PartyRole::Secondary);
        assert!(c.has_party(&PartyKey::Cpr("0201851235".into())));
        assert!(c.updated_at.is_some());
        let last = &page.items[1];
        assert_eq!(last.status, ProgressStatus::Afsluttet);
        assert_eq!(last.closed, NaiveDate::from_ymd_opt(2024, 6, 30));
        assert_eq!(last.parties[0].party.key, PartyKey::cvr("12345678"));
        assert_eq!(last.caseworker, None);
    }

    #[test]
    fn last_page_has_no_cursor() {
        let page =
            parse_cases_page(&sys(), br#"{"items": [], "nextCursor": null, "links": {}}"#).unwrap();
        assert!(page.items.is_empty());
        assert_eq!(page.next_cursor, None);
    }

    #[test]
    fn unknown_state_is_protocol_error() {
        let bytes = String::from_utf8(fixture("cases_page.json"))
            .unwrap()
            .replace("\"investigating\"", "\"pending\"");
        assert!(matches!(
            parse_cases_page(&sys(), bytes.as_bytes()),
            Err(Error::Protocol { .. })
        ));
    }

    #[test]
    fn truncated_json_is_protocol_error() {
        let bytes = fixture("cases_page.json");
        let err = parse_cases_page(&sys(), &bytes[..bytes.len() / 2]).unwrap_err();
        assert!(matches!(err, Error::Protocol { .. }));
        assert!(
            !err.to_string().contains("010190"),
            "error text must not carry CPR numbers"
        );
    }

    #[test]
    fn documents_page_maps_kinds() {
        let page = parse_documents_page(&sys(), &fixture("documents_page.json")).unwrap();
        assert_eq!(page.next_cursor, None);
        let kinds: Vec<_> = page.items.iter().map(|d| d.kind).collect();
        assert_eq!(
            kinds,
            [
                DocumentKind::IncomingLetter,
                DocumentKind::OutgoingLetter,
                DocumentKind::JournalNote,
                DocumentKind::Internal
            ]
        );
        let d = &page.items[0];
        assert_eq!(d.local_id, "JC-D0000001");
        assert_eq!(d.case_local_id, "JC-000123");
        assert_eq!(d.aktnummer, 1);
        assert_eq!(d.mime_type, "application/pdf");
        assert_eq!(d.size, Some(2048));
        assert_eq!(d.letter_date, NaiveDate::from_ymd_opt(2024, 1, 3));
        assert_eq!(page.items[3].sensitivity, Sensitivity::Fortrolig);
    }

    #[test]
    fn changes_page_has_upserts_and_deletions() {
        let page = parse_changes_page(&sys(), &fixture("changes_page.json")).unwrap();
        assert_eq!(page.items.len(), 2);
        assert!(matches!(&page.items[0].change, Change::Upserted(c) if c.local_id == "JC-000123"));
        assert_eq!(
            page.items[1].change,
            Change::Deleted {
                local_id: "JC-000124".into()
            }
        );
        assert_eq!(page.next_cursor.as_deref(), Some("azoxOjI"));
    }

    #[test]
    fn change_without_case_is_protocol_error() {
        let bytes = br#"{"items": [{"caseId": "X", "updatedAt": "2024-01-01T00:00:00Z", "deleted": false, "case": null}], "nextCursor": null}"#;
        assert!(matches!(
            parse_changes_page(&sys(), bytes),
            Err(Error::Protocol { .. })
        ));
    }

    #[test]
    fn retry_after_seconds_and_http_date() {
        let now = DateTime::parse_from_rfc3339("2015-10-21T07:28:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(parse_retry_after("120", now), Some(120));
        assert_eq!(parse_retry_after(" 3 ", now), Some(3));
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:30 GMT", now),
            Some(30)
        );
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:27:00 GMT", now),
            Some(0)
        );
        assert_eq!(parse_retry_after("soon", now), None);
    }

    #[test]
    fn feed_cursor_round_trips_and_rejects_garbage() {
        let cursor = FeedCursor {
            c: Some("abc".into()),
            s: None,
            seen: vec!["JC-1".into()],
        };
        let decoded = decode_feed_cursor(&sys(), &encode_feed_cursor(&cursor)).unwrap();
        assert_eq!(decoded.c.as_deref(), Some("abc"));
        assert_eq!(decoded.seen, ["JC-1"]);
        assert!(matches!(
            decode_feed_cursor(&sys(), "!!not base64"),
            Err(Error::Config { .. })
        ));
    }

    #[test]
    fn config_is_validated() {
        let http = reqwest::Client::new();
        let config = |url: &str, page_size| RestConfig {
            url: url.into(),
            token: "t".into(),
            page_size,
            max_response_bytes: 1024,
        };
        assert!(RestSystem::new(sys(), &config("http://127.0.0.1:1/", 10), http.clone()).is_ok());
        assert!(matches!(
            RestSystem::new(sys(), &config("not a url", 10), http.clone()),
            Err(Error::Config { .. })
        ));
        assert!(matches!(
            RestSystem::new(sys(), &config("ftp://host", 10), http.clone()),
            Err(Error::Config { .. })
        ));
        assert!(matches!(
            RestSystem::new(sys(), &config("http://host", 0), http),
            Err(Error::Config { .. })
        ));
    }

    #[test]
    fn urls_keep_a_base_path_and_encode_segments() {
        let config = RestConfig {
            url: "http://host:8080/fag/".into(),
            token: "t".into(),
            page_size: 10,
            max_response_bytes: 1024,
        };
        let rest = RestSystem::new(sys(), &config, reqwest::Client::new()).unwrap();
        let url = rest.url(&["documents", "a/b", "content"], &[]).unwrap();
        assert_eq!(
            url.as_str(),
            "http://host:8080/fag/api/v1/documents/a%2Fb/content"
        );
        let url = rest
            .url(
                &["cases"],
                &[("partyCpr", "010190-1234,020185-1235".into())],
            )
            .unwrap();
        assert_eq!(
            url.as_str(),
            "http://host:8080/fag/api/v1/cases?partyCpr=010190-1234%2C020185-1235"
        );
    }
}
