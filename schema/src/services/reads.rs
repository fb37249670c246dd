//! Reads across the case systems, filtered by policy and audited before anything reaches a
//! resolver.

use std::sync::Arc;

use connectors::{Case, Document, PartyKey};

use crate::ids::GlobalId;
use crate::loaders::{CaseKey, SystemFailure};
use crate::policy;
use crate::request::RequestCtx;
use crate::services::audit::Entry;

/// The audit object id of a case: `system/local id`.
pub fn case_object_id(case: &Case) -> String {
    format!("{}/{}", case.system, case.local_id)
}

/// The audit object id of a document: `system/case/document`.
pub fn document_object_id(document: &Document) -> String {
    format!(
        "{}/{}/{}",
        document.system, document.case_local_id, document.local_id
    )
}

/// The audit object id of a party: its sealed global id, never the number itself.
pub fn party_object_id(rc: &RequestCtx<'_>, key: &PartyKey) -> String {
    GlobalId::Party {
        sealed: rc
            .services
            .ids
            .seal(&crate::types::party::key_to_id_part(key)),
    }
    .encode()
}

/// Record a denial and hand back the error to show. A denial that cannot be recorded is
/// logged; the request is refused either way.
pub async fn deny(
    rc: &RequestCtx<'_>,
    error: async_graphql::Error,
    kind: Option<&'static str>,
    id: Option<String>,
) -> async_graphql::Error {
    if rc.viewer.role != crate::viewer::Role::Anonymous
        && let Err(e) = rc
            .loaders
            .audit(vec![Entry::denied("access.denied", kind, id)])
            .await
    {
        tracing::error!(error = ?e.message, "a denial could not be audited");
    }
    error
}

/// A party's cases the viewer may see, across every system, plus the systems that failed.
#[tracing::instrument(skip_all)]
pub async fn party_cases(
    rc: &RequestCtx<'_>,
    key: &PartyKey,
) -> async_graphql::Result<(Vec<Arc<Case>>, Vec<SystemFailure>)> {
    let grants = rc.loaders.grants().await?;
    let loaded = match rc.loaders.party_cases.load_one(key.clone()).await {
        Ok(Some(found)) => found,
        Ok(None) | Err(_) => return Ok((Vec::new(), Vec::new())),
    };
    let visible: Vec<Arc<Case>> = loaded
        .cases
        .iter()
        .filter(|c| policy::may_see_case(rc.viewer, &grants, c))
        .cloned()
        .collect();
    if policy::is_audited(rc.viewer) {
        let mut entries = vec![Entry::read("party.read", "party", party_object_id(rc, key))];
        entries.extend(
            visible
                .iter()
                .map(|c| Entry::read("case.read", "case", case_object_id(c))),
        );
        rc.loaders.audit(entries).await?;
    }
    Ok((visible, loaded.failures.clone()))
}

/// One case, if it exists and the viewer may see it.
#[tracing::instrument(skip_all)]
pub async fn case(
    rc: &RequestCtx<'_>,
    key: CaseKey,
) -> async_graphql::Result<Result<Option<Arc<Case>>, SystemFailure>> {
    let grants = rc.loaders.grants().await?;
    let case = match rc.loaders.cases.load_one(key).await {
        Ok(Some(Ok(case))) => case,
        Ok(Some(Err(failure))) => return Ok(Err(failure)),
        Ok(None) | Err(_) => return Ok(Ok(None)),
    };
    if !policy::may_see_case(rc.viewer, &grants, &case) {
        return Ok(Ok(None));
    }
    if policy::is_audited(rc.viewer) {
        rc.loaders
            .audit(vec![Entry::read(
                "case.read",
                "case",
                case_object_id(&case),
            )])
            .await?;
    }
    Ok(Ok(Some(case)))
}

/// The documents of a case the viewer may see (the caller has already checked the case). The
/// caller audits the ones it hands out with [`audit_documents`].
#[tracing::instrument(skip_all)]
pub async fn documents(
    rc: &RequestCtx<'_>,
    case: &Case,
) -> async_graphql::Result<Result<Vec<Document>, SystemFailure>> {
    let key = CaseKey {
        system: case.system.clone(),
        local_id: case.local_id.clone(),
    };
    let docs: Vec<Document> = match rc.loaders.documents.load_one(key).await {
        Ok(Some(Ok(docs))) => docs
            .iter()
            .filter(|d| policy::may_see_document(rc.viewer, d))
            .cloned()
            .collect(),
        Ok(Some(Err(failure))) => return Ok(Err(failure)),
        Ok(None) | Err(_) => Vec::new(),
    };
    Ok(Ok(docs))
}

/// Record the reads of the documents actually handed to the viewer (a page, or one node).
pub async fn audit_documents<'d>(
    rc: &RequestCtx<'_>,
    docs: impl IntoIterator<Item = &'d Document>,
) -> async_graphql::Result<()> {
    if !policy::is_audited(rc.viewer) {
        return Ok(());
    }
    rc.loaders
        .audit(
            docs.into_iter()
                .map(|d| Entry::read("document.read", "document", document_object_id(d)))
                .collect(),
        )
        .await
}

/// When the query will ask for the documents of these cases, load them all at once: one call per
/// system however the resolvers' timing falls (the loader's time-window batching alone can split
/// a level into several calls under load).
pub async fn prefetch_documents(rc: &RequestCtx<'_>, cases: &[Arc<Case>]) {
    let keys: Vec<CaseKey> = cases
        .iter()
        .map(|c| CaseKey {
            system: c.system.clone(),
            local_id: c.local_id.clone(),
        })
        .collect();
    if !keys.is_empty() {
        // Errors are values in this loader; each resolver reports its own.
        let _ = rc.loaders.documents.load_many(keys).await;
    }
}

/// Whether the selection below a connection field asks for `documents` of its cases.
pub fn selects_documents(ctx: &async_graphql::Context<'_>) -> bool {
    let look = ctx.look_ahead();
    look.field("nodes").field("documents").exists()
        || look
            .field("edges")
            .field("node")
            .field("documents")
            .exists()
}
