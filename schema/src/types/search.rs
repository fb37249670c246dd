//! `searchCases`: its filter, its hits and their connection.

use async_graphql::connection::{Connection, Edge};
use async_graphql::{Context, Enum, InputObject, Result, SimpleObject};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, NaiveDate, Utc};
use connectors::ProgressStatus;

use super::case::CaseNode;
use super::connection::{ConnectionFields, CountedConnection};
use super::enums::CaseStatus;
use crate::error::{Code, api_error, system_unavailable};
use crate::request::RequestCtx;
use crate::services::index::lookup::{self, Source};
use crate::services::index::{kle, search::Filter};

/// What to search within, besides the query text. Every list is "any of"; the conditions
/// together are "all of".
#[derive(InputObject, Default)]
pub struct CaseSearchFilter {
    /// Only these departments (of the caseworker's own).
    pub departments: Option<Vec<String>>,
    /// Only these case systems (`esdh`, `jobcenter`).
    pub systems: Option<Vec<String>>,
    /// Only these statuses.
    pub statuses: Option<Vec<CaseStatus>>,
    /// Only KLE numbers under this prefix: `27`, `27.*`, `27.24` or `27.24.00`.
    pub kle: Option<String>,
    /// Opened on or after this date.
    pub opened_from: Option<NaiveDate>,
    /// Opened on or before this date.
    pub opened_to: Option<NaiveDate>,
    /// Changed in its system at or after this time.
    pub updated_from: Option<DateTime<Utc>>,
    /// Changed in its system at or before this time.
    pub updated_to: Option<DateTime<Utc>>,
}

/// Where a search's results came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
pub enum SearchSource {
    /// The hub's case index (synced every `index.sync_interval_secs`).
    Index,
    /// The case systems' own search, asked just now.
    Live,
}

/// One search result.
#[derive(SimpleObject)]
pub struct CaseSearchHit {
    /// The case as indexed (its documents are read from its system when asked for).
    pub case: CaseNode,
    /// Relevance, higher is better (BM25 on SQLite, `ts_rank` on PostgreSQL; null for live
    /// results). Comparable within one search only.
    pub score: Option<f64>,
    /// The title as HTML: `<`, `>`, `&` and quotes escaped, and each word a query term matched
    /// wrapped in `<mark>…</mark>`.
    pub highlighted_title: String,
    /// The KLE subject's label, where the hub knows it.
    pub kle_label: Option<String>,
    /// Index or live.
    pub source: SearchSource,
}

fn status(s: CaseStatus) -> ProgressStatus {
    match s {
        CaseStatus::Opstaaet => ProgressStatus::Opstaaet,
        CaseStatus::Oplyst => ProgressStatus::Oplyst,
        CaseStatus::Afgjort => ProgressStatus::Afgjort,
        CaseStatus::Afsluttet => ProgressStatus::Afsluttet,
    }
}

impl CaseSearchFilter {
    fn into_filter(self) -> Result<Filter> {
        let kle_prefix = match self.kle.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(text) => Some(kle::parse_prefix(text).ok_or_else(|| {
                api_error(
                    Code::BadUserInput,
                    "`kle` must be a KLE prefix: `27`, `27.*`, `27.24` or `27.24.00`",
                )
            })?),
        };
        Ok(Filter {
            departments: self.departments,
            systems: self.systems,
            statuses: self.statuses.map(|s| s.into_iter().map(status).collect()),
            kle_prefix,
            opened_from: self.opened_from,
            opened_to: self.opened_to,
            updated_from: self.updated_from,
            updated_to: self.updated_to,
        })
    }
}

fn cursor(index: u64) -> String {
    URL_SAFE_NO_PAD.encode(format!("s:{index}"))
}

fn parse_cursor(cursor: &str) -> Option<u64> {
    let bytes = URL_SAFE_NO_PAD.decode(cursor).ok()?;
    std::str::from_utf8(&bytes)
        .ok()?
        .strip_prefix("s:")?
        .parse()
        .ok()
}

/// `Query.searchCases`.
pub async fn search(
    ctx: &Context<'_>,
    query: Option<String>,
    filter: Option<CaseSearchFilter>,
    purpose: Option<String>,
    live: bool,
    first: Option<i32>,
    after: Option<String>,
) -> Result<CountedConnection<CaseSearchHit>> {
    let rc = RequestCtx::from(ctx)?;
    let limits = &rc.services.limits;
    let first = match first {
        None => limits.default_page_size as u64,
        Some(n) if n < 0 => {
            return Err(api_error(
                Code::BadUserInput,
                "`first` must not be negative",
            ));
        }
        Some(n) if n as usize > limits.max_page_size => {
            return Err(api_error(
                Code::BadUserInput,
                format!("`first` must be at most {}", limits.max_page_size),
            ));
        }
        Some(n) => n as u64,
    };
    let offset = match after.as_deref() {
        None => 0,
        Some(c) => parse_cursor(c).map(|i| i + 1).ok_or_else(|| {
            api_error(
                Code::BadUserInput,
                "`after` is not a cursor from this search",
            )
        })?,
    };
    let request = lookup::Request {
        query: query.unwrap_or_default(),
        filter: filter.unwrap_or_default().into_filter()?,
        purpose,
        live,
        offset,
        limit: first,
    };
    let outcome = lookup::search_cases(&rc, request).await?;
    for failure in &outcome.failures {
        ctx.add_error(
            ctx.set_error_path(system_unavailable(failure).into_server_error(ctx.item.pos)),
        );
    }
    let end = offset + outcome.hits.len() as u64;
    let mut connection = Connection::with_additional_fields(
        offset > 0,
        end < outcome.total,
        ConnectionFields {
            total_count: outcome.total as usize,
        },
    );
    let source = match outcome.source {
        Source::Index => SearchSource::Index,
        Source::Live => SearchSource::Live,
    };
    let parsed = &outcome.query;
    connection
        .edges
        .extend(outcome.hits.iter().enumerate().map(|(i, (case, score))| {
            Edge::new(
                cursor(offset + i as u64),
                CaseSearchHit {
                    highlighted_title: parsed.highlight(&case.title),
                    kle_label: kle::subject_label(&case.kle).map(str::to_owned),
                    case: CaseNode(case.clone()),
                    score: *score,
                    source,
                },
            )
        }));
    Ok(connection)
}
