//! The cross-department lookup behind `searchCases`: who may search, the index or the live
//! fall-back, and the audit events of a search.
//!
//! Only caseworkers search (citizens, third parties and admins are refused with `FORBIDDEN`,
//! and the refusal is audited). Every search is a `case.search` event (object
//! `results=N`, the total); a search by CPR number needs a `purpose` and adds one
//! `case.searched_by_cpr` event per number, naming the party by its sealed id; every case on
//! the returned page is a `case.read`, as any other read of a case. The events are written
//! before anything is returned: no audit log, no results.

use std::sync::Arc;

use connectors::Case;

use super::live;
use super::search::{self, Filter, Scope};
use super::text::ParsedQuery;
use crate::error::{Code, api_error, internal};
use crate::loaders::SystemFailure;
use crate::request::RequestCtx;
use crate::services::audit::Entry;
use crate::services::reads;
use crate::viewer::Role;

/// A search as asked.
#[derive(Clone, Debug, Default)]
pub struct Request {
    /// The search box's text.
    pub query: String,
    /// Filters.
    pub filter: Filter,
    /// Why, for a search by CPR number (at least three characters).
    pub purpose: Option<String>,
    /// Ask the systems directly instead of the index.
    pub live: bool,
    /// Skip this many results.
    pub offset: u64,
    /// Return at most this many.
    pub limit: u64,
}

/// Where results came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    /// The hub's case index.
    Index,
    /// The systems' own search, just now.
    Live,
}

/// A page of results.
pub struct Outcome {
    /// The cases on this page with their scores (index only), best first.
    pub hits: Vec<(Arc<Case>, Option<f64>)>,
    /// Visible matches in all.
    pub total: u64,
    /// Systems that could not be searched (live only).
    pub failures: Vec<SystemFailure>,
    /// The parsed query (for highlights).
    pub query: ParsedQuery,
    /// Index or live.
    pub source: Source,
}

/// Search for `request` as the request's viewer.
#[tracing::instrument(skip_all, fields(live = request.live))]
pub async fn search_cases(rc: &RequestCtx<'_>, request: Request) -> async_graphql::Result<Outcome> {
    match rc.viewer.role {
        Role::Caseworker => {}
        Role::Anonymous => {
            return Err(api_error(
                Code::Unauthenticated,
                "a verified identity is required",
            ));
        }
        Role::Citizen | Role::ThirdParty | Role::Admin => {
            let e = api_error(Code::Forbidden, "searching cases is for caseworkers");
            return Err(reads::deny(rc, e, Some("search"), None).await);
        }
    }
    let query = ParsedQuery::parse(&request.query);
    let purpose = request
        .purpose
        .as_deref()
        .map(str::trim)
        .filter(|p| p.chars().count() >= 3)
        .map(str::to_owned);
    if !query.parties.is_empty() && purpose.is_none() {
        let e = api_error(
            Code::BadUserInput,
            "a search by CPR number needs a `purpose` (at least three characters)",
        );
        let id = query.parties.first().map(|k| reads::party_object_id(rc, k));
        return Err(reads::deny(rc, e, Some("party"), id).await);
    }
    let scope = Scope {
        departments: rc.viewer.departments.clone(),
        clearance: rc.viewer.clearance,
    };
    let config = &rc.services.index;
    let outcome = if request.live {
        let found = live::search(
            rc.services,
            &scope,
            &query,
            &request.filter,
            config.live_limit_per_system,
        )
        .await;
        let total = found.cases.len() as u64;
        let hits = found
            .cases
            .into_iter()
            .skip(request.offset as usize)
            .take(request.limit as usize)
            .map(|c| (Arc::new(c), None))
            .collect();
        Outcome {
            hits,
            total,
            failures: found.failures,
            query,
            source: Source::Live,
        }
    } else {
        let page = search::search(
            &rc.services.store,
            &scope,
            &query,
            &request.filter,
            request.offset,
            request.limit,
        )
        .await
        .map_err(|e| internal("searching the case index", e))?;
        Outcome {
            hits: page
                .hits
                .into_iter()
                .map(|h| (Arc::new(h.case), Some(h.score)))
                .collect(),
            total: page.total,
            failures: Vec::new(),
            query,
            source: Source::Index,
        }
    };
    let mut search_entry = Entry::read(
        "case.search",
        "search",
        format!(
            "results={}{}",
            outcome.total,
            if request.live { ";live" } else { "" }
        ),
    );
    search_entry.purpose = purpose.clone();
    let mut entries = vec![search_entry];
    for key in &outcome.query.parties {
        let mut entry = Entry::read(
            "case.searched_by_cpr",
            "party",
            reads::party_object_id(rc, key),
        );
        entry.purpose = purpose.clone();
        entries.push(entry);
    }
    entries.extend(
        outcome
            .hits
            .iter()
            .map(|(c, _)| Entry::read("case.read", "case", reads::case_object_id(c))),
    );
    rc.loaders.audit(entries).await?;
    Ok(outcome)
}
