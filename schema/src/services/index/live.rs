//! The live fall-back: ask every system's own search at once, for when the index lags.
//!
//! Each system gets the query's words as typed and the filters it understands (one
//! department, a KLE prefix, one status) — or, for a CPR number, its exact party lookup
//! (`cases_for_parties`); a number is never sent as search text. The answers are then held to the whole query and the viewer's scope
//! here, exactly as the index would: the same scope check, the same term matching (on title,
//! sagsnummer, KLE label and party names — document titles are not fetched live), the same
//! exact parts. A system that fails is reported by id and leaves the others' results.

use std::sync::Arc;

use connectors::{Case, SearchQuery};
use futures::future::join_all;

use super::kle;
use super::search::{Filter, Scope};
use super::text::{self, ParsedQuery};
use crate::services::Services;

/// The live results: visible matches from every system that answered, and the failures.
pub struct LiveResults {
    /// Matching cases, system by system in registry order.
    pub cases: Vec<Case>,
    /// The systems that could not be searched.
    pub failures: Vec<Arc<connectors::Error>>,
}

/// Search every system (or the filter's systems) concurrently; at most `per_system` cases each.
#[tracing::instrument(skip_all, fields(terms = query.terms.len()))]
pub async fn search(
    services: &Services,
    scope: &Scope,
    query: &ParsedQuery,
    filter: &Filter,
    per_system: usize,
) -> LiveResults {
    let mut words: Vec<&str> = query.terms.iter().map(|t| t.word.as_str()).collect();
    words.extend(query.sagsnumre.iter().map(String::as_str));
    let department = match filter.departments.as_deref() {
        Some([one]) => Some(one.clone()),
        _ if scope.departments.len() == 1 => scope.departments.first().cloned(),
        _ => None,
    };
    let ask = SearchQuery {
        text: (!words.is_empty()).then(|| words.join(" ")),
        department,
        kle_prefix: filter.kle_prefix.clone(),
        status: match filter.statuses.as_deref() {
            Some([one]) => Some(*one),
            _ => None,
        },
        limit: per_system,
    };
    let wanted = |id: &str| {
        filter
            .systems
            .as_ref()
            .is_none_or(|s| s.iter().any(|x| x == id))
    };
    let calls = services
        .registry
        .systems()
        .filter(|s| wanted(s.id().as_str()))
        .map(|system| {
            let ask = ask.clone();
            async move {
                if query.parties.is_empty() {
                    system.search(&ask).await
                } else {
                    // A CPR number is looked up exactly, never sent as search text.
                    system.cases_for_parties(&query.parties).await
                }
            }
        });
    let mut out = LiveResults {
        cases: Vec::new(),
        failures: Vec::new(),
    };
    for result in join_all(calls).await {
        match result {
            Ok(cases) => out.cases.extend(
                cases
                    .into_iter()
                    .filter(|c| in_scope(scope, filter, c) && matches(query, c)),
            ),
            Err(error) => out.failures.push(Arc::new(error)),
        }
    }
    out
}

/// Whether `case` is inside the viewer's scope and the filter.
pub fn in_scope(scope: &Scope, filter: &Filter, case: &Case) -> bool {
    let department_ok = scope.departments.iter().any(|d| d == &case.department)
        && filter
            .departments
            .as_ref()
            .is_none_or(|f| f.iter().any(|d| d == &case.department));
    let kle_ok = filter
        .kle_prefix
        .as_ref()
        .is_none_or(|p| case.kle == *p || case.kle.starts_with(&format!("{p}.")));
    department_ok
        && case.sensitivity <= scope.clearance
        && filter
            .systems
            .as_ref()
            .is_none_or(|s| s.iter().any(|x| x == case.system.as_str()))
        && filter
            .statuses
            .as_ref()
            .is_none_or(|s| s.is_empty() || s.contains(&case.status))
        && kle_ok
        && filter.opened_from.is_none_or(|d| case.opened >= d)
        && filter.opened_to.is_none_or(|d| case.opened <= d)
        && filter
            .updated_from
            .is_none_or(|d| case.updated_at.is_some_and(|u| u >= d))
        && filter
            .updated_to
            .is_none_or(|d| case.updated_at.is_some_and(|u| u <= d))
}

/// Whether `case` matches the query (its terms on the case's own fields, and its exact parts).
pub fn matches(query: &ParsedQuery, case: &Case) -> bool {
    let label = kle::label(&case.kle);
    let names: Vec<&str> = case.parties.iter().map(|p| p.party.name.as_str()).collect();
    let names = names.join(" ");
    let terms = text::document_terms([
        case.title.as_str(),
        case.sagsnummer.as_str(),
        case.kle.as_str(),
        label.as_str(),
        names.as_str(),
    ]);
    query.matches(&terms)
        && query
            .sagsnumre
            .iter()
            .all(|s| text::sagsnummer_key(&case.sagsnummer) == *s)
        && query.parties.iter().all(|k| case.has_party(k))
}
