//! KOMBIT SF1470 SagDokumentIndeks v6 over SOAP 1.2.
//!
//! Everything goes through the one `fremsoeg` operation (`FremsoegSagDokumentIndeksInput`):
//! - cases for parties: a `SoegUdtryk` with `operation = OR` and one `SoegSag` per party, each with
//!   `RelationListe/Sagspart/ReferenceID` = `urn:oio:cpr-nr:DDMMYYSSSS` (or `urn:oio:cvr-nr:`);
//! - cases by ids: `SagUuid` repeated;
//! - documents of cases: `operation = OR` over one `SoegDokument` per case with
//!   `RelationListe/Dokumentrelation/ReferenceID` = the case UUID; the relation's `Indeks` is the
//!   aktnummer;
//! - search: one `SoegSag` (`Egenskaber/Titel`, `Fremdrift/FremdriftStatusKode`,
//!   `Sagsklasse` → `urn:oio:kle:emne:<prefix>`, `Sagsaktoer` named in `SagsaktoerLokalUdvidelse`);
//! - change feed: SF1470 has none, but `SoegSag/SoegRegistrering/FraTidspunkt` searches on
//!   registration time, sorted by `Registreringstidspunkt`. The cursor is
//!   `<registration time>|<objects at exactly that time already seen>`, so ties are skipped by
//!   `FoersteResultatReference`. A registration whose `LivscyklusKode` is `Slettet`/`Passiveret`
//!   becomes [`Change::Deleted`].
//! - content: `HentDokumentIndhold` (namespace `urn:sagshub:playground:sf1470:indhold:1`), base64.
//!
//! Paging: `FoersteResultatReference` (0-based) and `MaksimalAntalKvantitet` on the first leaf of
//! the expression; the answer's `Antal` says how many match in all. Responses are read as a stream
//! and refused past `max_response_bytes`. Parsing is pure ([`parse_fremsoeg_sag`] and friends).

mod parse;
mod request;
mod xml;

use std::time::Instant;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use reqwest::StatusCode;
use reqwest::header::{CONTENT_TYPE, RETRY_AFTER};

pub use self::parse::{
    Page, TimedChange, parse_fremsoeg_changes, parse_fremsoeg_dokument, parse_fremsoeg_sag,
    parse_indhold,
};
use crate::config::SoapConfig;
use crate::model::{
    Case, Change, ChangePage, Content, Document, Health, PartyKey, SearchQuery, SystemId,
    SystemKind,
};
use crate::system::CaseSystem;
use crate::{Error, Result};

/// Namespace URIs the connector matches on.
pub(crate) mod ns {
    pub const SOAP: &str = "http://www.w3.org/2003/05/soap-envelope";
    pub const HDR: &str = "http://kombit.dk/xml/schemas/RequestHeader/1/";
    pub const SDI: &str = "urn:oio:sts:sagdok:sagdokumentindeks:6";
    pub const SAG: &str = "urn:oio:sts:sagdok:sag:6";
    pub const DI: &str = "urn:oio:sts:sagdok:dokumentindeks:6";
    pub const SD: &str = "urn:oio:sagdok:3.0.0";
    pub const GD: &str = "urn:oio:sts:generelledefinitioner:6";
    pub const SI: &str = "urn:oio:sts:sagdok:sagindeks:6";
    pub const IND: &str = "urn:sagshub:playground:sf1470:indhold:1";
}

/// The request builders, public so tests can validate what the connector sends.
pub mod requests {
    pub use super::request::{
        cases_by_ids, cases_for_parties, documents_of_cases, health, indhold, registered_since,
        search,
    };
}

/// A case system reached over SF1470 SagDokumentIndeks v6.
#[derive(Clone, Debug)]
pub struct SoapSystem {
    id: SystemId,
    url: reqwest::Url,
    http: reqwest::Client,
    max_response_bytes: u64,
    page_size: usize,
}

impl SoapSystem {
    /// A connector for `config.url`; fails on a URL that is not http(s).
    pub fn new(id: SystemId, config: &SoapConfig, http: reqwest::Client) -> Result<Self> {
        let url = reqwest::Url::parse(&config.url).map_err(|e| Error::Config {
            system: id.clone(),
            reason: format!("bad url: {e}"),
        })?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(Error::Config {
                system: id,
                reason: "url must be http or https".to_owned(),
            });
        }
        Ok(Self {
            id,
            url,
            http,
            max_response_bytes: config.max_response_bytes,
            page_size: config.page_size.clamp(1, 10_000),
        })
    }

    fn unavailable(&self, reason: impl Into<String>) -> Error {
        Error::Unavailable {
            system: self.id.clone(),
            reason: reason.into(),
        }
    }

    /// POST one envelope and return the body of a successful answer (at most `limit` bytes).
    async fn call(&self, action: &str, envelope: String, limit: u64) -> Result<Vec<u8>> {
        let mut resp = self
            .http
            .post(self.url.clone())
            .header(
                CONTENT_TYPE,
                format!("application/soap+xml; charset=utf-8; action=\"{action}\""),
            )
            .body(envelope)
            .send()
            .await
            .map_err(|e| {
                self.unavailable(if e.is_timeout() {
                    "request timed out".to_owned()
                } else {
                    format!("request failed: {}", without_url(&e))
                })
            })?;
        let status = resp.status();
        if status == StatusCode::TOO_MANY_REQUESTS
            || (status == StatusCode::SERVICE_UNAVAILABLE
                && resp.headers().contains_key(RETRY_AFTER))
        {
            let retry_after_secs = resp
                .headers()
                .get(RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse().ok());
            return Err(Error::RateLimited {
                system: self.id.clone(),
                retry_after_secs,
            });
        }
        if status == StatusCode::UNAUTHORIZED || status == StatusCode::FORBIDDEN {
            return Err(Error::Unauthorized {
                system: self.id.clone(),
            });
        }
        if resp.content_length().is_some_and(|n| n > limit) {
            return Err(self.too_big(limit));
        }
        let mut body = Vec::new();
        loop {
            let chunk = resp.chunk().await.map_err(|e| {
                self.unavailable(format!("reading the answer failed: {}", without_url(&e)))
            })?;
            let Some(chunk) = chunk else { break };
            if (body.len() + chunk.len()) as u64 > limit {
                return Err(self.too_big(limit));
            }
            body.extend_from_slice(&chunk);
        }
        if status.is_success() {
            return Ok(body);
        }
        // A fault body says why; its class follows the HTTP status for 5xx.
        let fault = parse_fremsoeg_sag(&self.id, &body).err();
        if status.is_server_error() {
            let reason = match fault {
                Some(Error::Unavailable { reason, .. } | Error::Protocol { reason, .. }) => reason,
                _ => format!("HTTP {status}"),
            };
            return Err(self.unavailable(reason));
        }
        Err(fault.unwrap_or_else(|| Error::Protocol {
            system: self.id.clone(),
            reason: format!("HTTP {status}"),
        }))
    }

    fn too_big(&self, limit: u64) -> Error {
        Error::Protocol {
            system: self.id.clone(),
            reason: format!("answer larger than max_response_bytes ({limit})"),
        }
    }

    fn transaction() -> String {
        uuid::Uuid::new_v4().to_string()
    }

    async fn fremsoeg(&self, envelope: String) -> Result<Vec<u8>> {
        self.call(request::ACTION_FREMSOEG, envelope, self.max_response_bytes)
            .await
    }

    /// Walk every page of a case search built by `build(first, max)`.
    async fn all_cases(&self, build: impl Fn(usize, usize) -> String) -> Result<Vec<Case>> {
        let mut cases = Vec::new();
        let mut first = 0;
        loop {
            let body = self.fremsoeg(build(first, self.page_size)).await?;
            let page = parse_fremsoeg_sag(&self.id, &body)?;
            let got = page.items.len();
            cases.extend(page.items);
            first += got;
            if got == 0 || page.total.is_none_or(|t| first >= t) {
                return Ok(cases);
            }
        }
    }
}

fn without_url(e: &reqwest::Error) -> String {
    let mut text = e.to_string();
    if let Some(url) = e.url() {
        text = text.replace(url.as_str(), "<url>");
    }
    text
}

fn parse_cursor(system: &SystemId, cursor: Option<&str>) -> Result<(Option<DateTime<Utc>>, usize)> {
    let Some(cursor) = cursor.filter(|c| !c.is_empty()) else {
        return Ok((None, 0));
    };
    let bad = || Error::Protocol {
        system: system.clone(),
        reason: "unreadable change cursor".to_owned(),
    };
    let (ts, seen) = cursor.split_once('|').ok_or_else(bad)?;
    let seen = seen.parse().map_err(|_| bad())?;
    if ts.is_empty() {
        return Ok((None, seen));
    }
    let ts = DateTime::parse_from_rfc3339(ts)
        .map_err(|_| bad())?
        .with_timezone(&Utc);
    Ok((Some(ts), seen))
}

#[async_trait]
impl CaseSystem for SoapSystem {
    fn id(&self) -> &SystemId {
        &self.id
    }

    fn kind(&self) -> SystemKind {
        SystemKind::Soap
    }

    #[tracing::instrument(skip(self, parties), fields(system = %self.id, parties = parties.len()))]
    async fn cases_for_parties(&self, parties: &[PartyKey]) -> Result<Vec<Case>> {
        if parties.is_empty() {
            return Ok(Vec::new());
        }
        let tx = Self::transaction();
        let cases = self
            .all_cases(|first, max| request::cases_for_parties(&tx, parties, first, max))
            .await?;
        // The system's matching is trusted only as far as the answer agrees with it.
        let cases: Vec<Case> = cases
            .into_iter()
            .filter(|c| parties.iter().any(|p| c.has_party(p)))
            .collect();
        tracing::debug!(cases = cases.len(), "fremsoeg by party");
        Ok(cases)
    }

    #[tracing::instrument(skip(self, ids), fields(system = %self.id, ids = ids.len()))]
    async fn cases_by_ids(&self, ids: &[String]) -> Result<Vec<Case>> {
        let ids: Vec<&str> = ids
            .iter()
            .map(String::as_str)
            .filter(|id| uuid::Uuid::parse_str(id).is_ok())
            .collect();
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let body = self
            .fremsoeg(request::cases_by_ids(&Self::transaction(), &ids))
            .await?;
        Ok(parse_fremsoeg_sag(&self.id, &body)?.items)
    }

    #[tracing::instrument(skip(self, case_ids), fields(system = %self.id, cases = case_ids.len()))]
    async fn documents_of_cases(&self, case_ids: &[String]) -> Result<Vec<Document>> {
        let ids: Vec<&str> = case_ids
            .iter()
            .map(String::as_str)
            .filter(|id| uuid::Uuid::parse_str(id).is_ok())
            .collect();
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let tx = Self::transaction();
        let mut docs = Vec::new();
        let mut first = 0;
        loop {
            let body = self
                .fremsoeg(request::documents_of_cases(
                    &tx,
                    &ids,
                    first,
                    self.page_size,
                ))
                .await?;
            let page = parse_fremsoeg_dokument(&self.id, &body)?;
            let got = page.items.len();
            docs.extend(page.items);
            first += got;
            if got == 0 || page.total.is_none_or(|t| first >= t) {
                break;
            }
        }
        let order = |d: &Document| {
            ids.iter()
                .position(|id| *id == d.case_local_id)
                .unwrap_or(usize::MAX)
        };
        docs.sort_by_key(|d| (order(d), d.aktnummer));
        Ok(docs)
    }

    #[tracing::instrument(skip(self), fields(system = %self.id))]
    async fn content(&self, document_id: &str, max_bytes: u64) -> Result<Content> {
        if uuid::Uuid::parse_str(document_id).is_err() {
            return Err(Error::NotFound {
                system: self.id.clone(),
                what: "document".to_owned(),
            });
        }
        // base64 is 4/3 of the bytes; allow for the envelope around it.
        let limit = (max_bytes.saturating_mul(4) / 3)
            .saturating_add(64 * 1024)
            .min(self.max_response_bytes);
        let body = match self
            .call(
                request::ACTION_INDHOLD,
                request::indhold(&Self::transaction(), document_id),
                limit,
            )
            .await
        {
            Err(Error::Protocol { reason, .. })
                if reason.starts_with("answer larger") && limit < self.max_response_bytes =>
            {
                return Err(Error::TooLarge {
                    system: self.id.clone(),
                    limit: max_bytes,
                });
            }
            other => other?,
        };
        parse_indhold(&self.id, &body, max_bytes)
    }

    #[tracing::instrument(skip(self, query), fields(system = %self.id))]
    async fn search(&self, query: &SearchQuery) -> Result<Vec<Case>> {
        let max = if query.limit == 0 {
            self.page_size
        } else {
            query.limit.min(10_000)
        };
        let body = self
            .fremsoeg(request::search(&Self::transaction(), query, max))
            .await?;
        let mut cases = parse_fremsoeg_sag(&self.id, &body)?.items;
        cases.truncate(max);
        Ok(cases)
    }

    #[tracing::instrument(skip(self, cursor), fields(system = %self.id))]
    async fn changes_since(&self, cursor: Option<&str>, limit: usize) -> Result<ChangePage> {
        let (from, seen) = parse_cursor(&self.id, cursor)?;
        let max = limit.clamp(1, 10_000);
        let body = self
            .fremsoeg(request::registered_since(
                &Self::transaction(),
                from,
                seen,
                max,
            ))
            .await?;
        let page = parse_fremsoeg_changes(&self.id, &body)?;
        let got = page.items.len();
        let has_more = got > 0 && page.total.is_some_and(|t| page.first + got < t);
        // New cursor: the last registration time and how many objects at exactly that time we have.
        let (mut at, mut count) = (from, seen);
        for (_, registered) in &page.items {
            if registered.is_some() && *registered == at {
                count += 1;
            } else if registered.is_some() {
                at = *registered;
                count = 1;
            } else {
                count += 1;
            }
        }
        let next_cursor = format!(
            "{}|{count}",
            at.map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Micros, true))
                .unwrap_or_default()
        );
        let changes: Vec<Change> = page.items.into_iter().map(|(c, _)| c).collect();
        tracing::debug!(changes = changes.len(), has_more, "change scan");
        Ok(ChangePage {
            changes,
            next_cursor,
            has_more,
        })
    }

    async fn health(&self) -> Health {
        let start = Instant::now();
        let result = match self.fremsoeg(request::health(&Self::transaction())).await {
            Ok(body) => parse_fremsoeg_sag(&self.id, &body).map(|_| ()),
            Err(e) => Err(e),
        };
        Health::from_probe(start, &result)
    }
}

#[cfg(test)]
mod tests;
