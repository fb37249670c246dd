//! Reads across the case systems, filtered by policy before anything reaches a resolver.

use std::sync::Arc;

use connectors::{Case, Document, PartyKey};

use crate::loaders::{CaseKey, Loaders, SystemFailure};
use crate::policy;
use crate::viewer::Viewer;

/// A party's cases the viewer may see, across every system, plus the systems that failed.
#[tracing::instrument(skip_all)]
pub async fn party_cases(
    loaders: &Loaders,
    viewer: &Viewer,
    key: &PartyKey,
) -> (Vec<Arc<Case>>, Vec<SystemFailure>) {
    let loaded = match loaders.party_cases.load_one(key.clone()).await {
        Ok(Some(found)) => found,
        Ok(None) | Err(_) => return (Vec::new(), Vec::new()),
    };
    let visible = loaded
        .cases
        .iter()
        .filter(|c| policy::may_see_case(viewer, c))
        .cloned()
        .collect();
    (visible, loaded.failures.clone())
}

/// One case, if it exists and the viewer may see it.
#[tracing::instrument(skip_all)]
pub async fn case(
    loaders: &Loaders,
    viewer: &Viewer,
    key: CaseKey,
) -> Result<Option<Arc<Case>>, SystemFailure> {
    match loaders.cases.load_one(key).await {
        Ok(Some(Ok(case))) => Ok(policy::may_see_case(viewer, &case).then_some(case)),
        Ok(Some(Err(failure))) => Err(failure),
        Ok(None) | Err(_) => Ok(None),
    }
}

/// The documents of a case the viewer may see (the caller has already checked the case).
#[tracing::instrument(skip_all)]
pub async fn documents(
    loaders: &Loaders,
    viewer: &Viewer,
    case: &Case,
) -> Result<Vec<Document>, SystemFailure> {
    let key = CaseKey {
        system: case.system.clone(),
        local_id: case.local_id.clone(),
    };
    match loaders.documents.load_one(key).await {
        Ok(Some(Ok(docs))) => Ok(docs
            .iter()
            .filter(|d| policy::may_see_document(viewer, d))
            .cloned()
            .collect()),
        Ok(Some(Err(failure))) => Err(failure),
        Ok(None) | Err(_) => Ok(Vec::new()),
    }
}
