//! Review of a screened request by a caseworker: its collected cases and documents (items),
//! their findings and manual redactions, the decisions on them, and approval.
//!
//! Only caseworkers who may see the request get here, and of its items only those whose own
//! and whose case's sensitivity are within their clearance (an unknown level counts as above
//! it). Reading the details is a `request.read` audit event; every decision is an event in the
//! transaction that stores it. Decisions are taken only while the request is
//! `AWAITING_REVIEW`: each one re-checks that state in its transaction, so a decision never
//! lands on a request approved meanwhile.

use std::collections::{BTreeMap, HashSet};

use async_graphql::Result;
use entities::{access_request, finding, manual_redaction, request_case, request_document};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, DatabaseTransaction, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder,
};

use super::{
    Access, begin, commit, conflict, event, find, find_for_caseworker, known_ground, optional_text,
    reload, require_caseworker, state_of,
};
use crate::error::{Code, api_error, internal};
use crate::request::RequestCtx;
use crate::services::aktindsigt::{Actor, RequestState, now, transition};
use crate::services::audit::{self, Entry, Outcome};
use crate::services::workflow;
use crate::viewer::{Viewer, sensitivity_from_name};

/// A collected document with the case it belongs to.
#[derive(Clone, Debug)]
pub struct Item {
    /// The document row.
    pub doc: request_document::Model,
    /// Its case, as collected.
    pub case: Option<request_case::Model>,
}

/// Which items to list.
#[derive(Clone, Debug, Default)]
pub struct ItemFilter {
    /// Only those that do (or do not) need a person to look at them.
    pub needs_manual_review: Option<bool>,
    /// Only those flagged (or not) as misfiled.
    pub misfiled: Option<bool>,
    /// Only those where screening proposes redactions (or none).
    pub has_proposed_redactions: Option<bool>,
}

/// Whether `viewer`'s clearance covers the stored sensitivity name.
pub fn cleared(viewer: &Viewer, sensitivity: &str) -> bool {
    sensitivity_from_name(sensitivity).is_some_and(|s| s <= viewer.clearance)
}

fn item_visible(viewer: &Viewer, item: &Item) -> bool {
    cleared(viewer, &item.doc.sensitivity)
        && item
            .case
            .as_ref()
            .is_none_or(|c| cleared(viewer, &c.sensitivity))
}

/// How many redactions screening proposes for a document (from its stored summary).
pub fn redactions_proposed(doc: &request_document::Model) -> u64 {
    doc.summary
        .as_deref()
        .and_then(|s| serde_json::from_str::<serde_json::Value>(s).ok())
        .and_then(|v| v["redactionsProposed"].as_u64())
        .unwrap_or(0)
}

fn item_not_found() -> async_graphql::Error {
    api_error(
        Code::NotFound,
        "no such document of an access request (or not visible to you)",
    )
}

async fn cases_map(
    rc: &RequestCtx<'_>,
    request_id: &str,
) -> Result<BTreeMap<(String, String), request_case::Model>> {
    let cases = request_case::Entity::find()
        .filter(request_case::Column::RequestId.eq(request_id))
        .all(&rc.services.store)
        .await
        .map_err(|e| internal("reading a request's cases", e))?;
    Ok(cases
        .into_iter()
        .map(|c| ((c.system.clone(), c.local_id.clone()), c))
        .collect())
}

/// The request's collected cases the caseworker is cleared for, by system and sagsnummer.
pub async fn cases(
    rc: &RequestCtx<'_>,
    request: &access_request::Model,
) -> Result<Vec<request_case::Model>> {
    require_caseworker(rc).await?;
    super::audit_read(rc, &request.id).await?;
    let mut cases: Vec<_> = cases_map(rc, &request.id)
        .await?
        .into_values()
        .filter(|c| cleared(rc.viewer, &c.sensitivity))
        .collect();
    cases.sort_by(|a, b| (&a.system, &a.sagsnummer).cmp(&(&b.system, &b.sagsnummer)));
    Ok(cases)
}

/// The request's items the caseworker is cleared for, in system, case and aktnummer order.
pub async fn items(
    rc: &RequestCtx<'_>,
    request: &access_request::Model,
    filter: &ItemFilter,
) -> Result<Vec<Item>> {
    require_caseworker(rc).await?;
    super::audit_read(rc, &request.id).await?;
    let mut query = request_document::Entity::find()
        .filter(request_document::Column::RequestId.eq(&request.id));
    if let Some(n) = filter.needs_manual_review {
        query = query.filter(request_document::Column::NeedsManualReview.eq(n));
    }
    if let Some(m) = filter.misfiled {
        query = query.filter(request_document::Column::Misfiled.eq(m));
    }
    let docs = query
        .order_by_asc(request_document::Column::System)
        .order_by_asc(request_document::Column::CaseLocalId)
        .order_by_asc(request_document::Column::Aktnummer)
        .order_by_asc(request_document::Column::Id)
        .all(&rc.services.store)
        .await
        .map_err(|e| internal("reading a request's documents", e))?;
    let cases = cases_map(rc, &request.id).await?;
    Ok(docs
        .into_iter()
        .filter(|d| {
            filter
                .has_proposed_redactions
                .is_none_or(|want| (redactions_proposed(d) > 0) == want)
        })
        .map(|doc| Item {
            case: cases
                .get(&(doc.system.clone(), doc.case_local_id.clone()))
                .cloned(),
            doc,
        })
        .filter(|i| item_visible(rc.viewer, i))
        .collect())
}

/// Item `id` with its request, if the caseworker may see both; `NOT_FOUND` (audited) if not.
pub async fn item(rc: &RequestCtx<'_>, id: &str) -> Result<(Item, access_request::Model)> {
    require_caseworker(rc).await?;
    let doc = request_document::Entity::find_by_id(id.to_owned())
        .one(&rc.services.store)
        .await
        .map_err(|e| internal("reading a request's document", e))?;
    let Some(doc) = doc else {
        return Err(crate::services::reads::deny(
            rc,
            item_not_found(),
            Some("request_item"),
            Some(id.to_owned()),
        )
        .await);
    };
    let (request, access) = find(rc, &doc.request_id).await?;
    let case = request_case::Entity::find_by_id((
        doc.request_id.clone(),
        doc.system.clone(),
        doc.case_local_id.clone(),
    ))
    .one(&rc.services.store)
    .await
    .map_err(|e| internal("reading a request's case", e))?;
    let item = Item { doc, case };
    if access != Access::Caseworker || !item_visible(rc.viewer, &item) {
        return Err(crate::services::reads::deny(
            rc,
            item_not_found(),
            Some("request_item"),
            Some(id.to_owned()),
        )
        .await);
    }
    super::audit_read(rc, &request.id).await?;
    Ok((item, request))
}

/// Finding `id` with its item and request, under the same rules as [`item`].
pub async fn finding(
    rc: &RequestCtx<'_>,
    id: &str,
) -> Result<(finding::Model, Item, access_request::Model)> {
    require_caseworker(rc).await?;
    let row = finding::Entity::find_by_id(id.to_owned())
        .one(&rc.services.store)
        .await
        .map_err(|e| internal("reading a finding", e))?;
    let Some(row) = row else {
        let e = api_error(Code::NotFound, "no such finding (or not visible to you)");
        return Err(
            crate::services::reads::deny(rc, e, Some("finding"), Some(id.to_owned())).await,
        );
    };
    let (item, request) = item(rc, &row.document_id).await?;
    Ok((row, item, request))
}

/// The findings of an item the caller has already checked, in order.
pub async fn findings_of(rc: &RequestCtx<'_>, item: &Item) -> Result<Vec<finding::Model>> {
    super::audit_read(rc, &item.doc.request_id).await?;
    finding::Entity::find()
        .filter(finding::Column::DocumentId.eq(&item.doc.id))
        .order_by_asc(finding::Column::Ordinal)
        .all(&rc.services.store)
        .await
        .map_err(|e| internal("reading findings", e))
}

/// The manual redactions of an item the caller has already checked, oldest first.
pub async fn redactions_of(
    rc: &RequestCtx<'_>,
    item: &Item,
) -> Result<Vec<manual_redaction::Model>> {
    manual_redaction::Entity::find()
        .filter(manual_redaction::Column::DocumentId.eq(&item.doc.id))
        .order_by_asc(manual_redaction::Column::AddedAt)
        .order_by_asc(manual_redaction::Column::Id)
        .all(&rc.services.store)
        .await
        .map_err(|e| internal("reading manual redactions", e))
}

/// Begin a review change on `request_id`: take the chain lock, begin, and check (with a
/// conditional update, so a concurrent approval waits for or excludes this one) that it is
/// still awaiting review.
async fn begin_review(
    rc: &RequestCtx<'_>,
    request_id: &str,
) -> Result<(tokio::sync::MutexGuard<'static, ()>, DatabaseTransaction)> {
    let chain = audit::lock_chain().await;
    let txn = begin(rc).await?;
    let still = transition(
        &txn,
        request_id,
        &[RequestState::AwaitingReview],
        RequestState::AwaitingReview,
        vec![],
    )
    .await
    .map_err(|e| internal("checking a request's state", e))?;
    if !still {
        return Err(api_error(
            Code::Conflict,
            "the request is no longer awaiting review",
        ));
    }
    Ok((chain, txn))
}

fn require_awaiting_review(request: &access_request::Model, what: &str) -> Result<()> {
    let state = state_of(request)?;
    if state != RequestState::AwaitingReview {
        return Err(conflict(what, state));
    }
    Ok(())
}

fn entry(action: &'static str, kind: &'static str, id: &str, note: String) -> Entry {
    Entry {
        action,
        object_kind: Some(kind),
        object_id: Some(id.to_owned()),
        purpose: Some(note),
        outcome: Outcome::Allowed,
    }
}

/// One reviewer decision on a finding.
#[derive(Clone, Debug)]
pub struct Decision {
    /// The finding's id (not the global id).
    pub finding_id: String,
    /// `REDACT` or `KEEP`.
    pub decision: &'static str,
    /// The legal ground (required for `REDACT`).
    pub ground: Option<String>,
}

/// Decide findings; returns them as stored after, with their items.
#[tracing::instrument(skip_all, fields(decisions = decisions.len()))]
pub async fn decide_findings(
    rc: &RequestCtx<'_>,
    decisions: Vec<Decision>,
) -> Result<Vec<(finding::Model, Item)>> {
    require_caseworker(rc).await?;
    if decisions.is_empty() {
        return Err(api_error(Code::BadUserInput, "give at least one decision"));
    }
    if decisions.len() > rc.services.limits.max_page_size {
        return Err(api_error(
            Code::BadUserInput,
            format!(
                "at most {} decisions at once",
                rc.services.limits.max_page_size
            ),
        ));
    }
    let mut seen = HashSet::new();
    let mut checked = Vec::with_capacity(decisions.len());
    for d in decisions {
        if !seen.insert(d.finding_id.clone()) {
            return Err(api_error(
                Code::BadUserInput,
                "each finding may be decided once per call",
            ));
        }
        let ground = match (d.decision, d.ground.as_deref().map(str::trim)) {
            ("REDACT", Some(g)) if !g.is_empty() => Some(known_ground(rc, g)?),
            ("REDACT", _) => {
                return Err(api_error(
                    Code::BadUserInput,
                    "a redaction needs a legal ground",
                ));
            }
            (_, Some(g)) if !g.is_empty() => {
                known_ground(rc, g)?;
                return Err(api_error(
                    Code::BadUserInput,
                    "a finding kept takes no legal ground",
                ));
            }
            _ => None,
        };
        checked.push((d, ground));
    }
    let mut loaded = Vec::with_capacity(checked.len());
    let mut requests = BTreeMap::new();
    for (d, ground) in checked {
        let (row, _item, request) = finding(rc, &d.finding_id).await?;
        require_awaiting_review(&request, "deciding findings")?;
        requests.insert(request.id.clone(), ());
        loaded.push((row, d.decision, ground));
    }
    let chain = audit::lock_chain().await;
    let txn = begin(rc).await?;
    for request_id in requests.keys() {
        let still = transition(
            &txn,
            request_id,
            &[RequestState::AwaitingReview],
            RequestState::AwaitingReview,
            vec![],
        )
        .await
        .map_err(|e| internal("checking a request's state", e))?;
        if !still {
            return Err(api_error(
                Code::Conflict,
                "the request is no longer awaiting review",
            ));
        }
    }
    let at = now();
    let mut entries = Vec::with_capacity(loaded.len());
    for (row, decision, ground) in &loaded {
        finding::Entity::update_many()
            .set(finding::ActiveModel {
                decision: Set(Some((*decision).to_owned())),
                ground: Set(ground.clone()),
                decided_by: Set(rc.viewer.subject.clone()),
                decided_at: Set(Some(at)),
                ..Default::default()
            })
            .filter(finding::Column::Id.eq(&row.id))
            .exec(&txn)
            .await
            .map_err(|e| internal("storing a decision", e))?;
        let note = match ground {
            Some(g) => format!("{decision} {g}"),
            None => (*decision).to_owned(),
        };
        entries.push(entry("finding.decided", "finding", &row.id, note));
    }
    commit(rc, txn, entries).await?;
    drop(chain);
    let mut out = Vec::with_capacity(loaded.len());
    for (row, _, _) in loaded {
        let (row, item, _) = finding(rc, &row.id).await?;
        out.push((row, item));
    }
    Ok(out)
}

/// A redaction drawn by hand.
#[derive(Clone, Debug)]
pub struct NewRedaction {
    /// The item's row id.
    pub item_id: String,
    /// Page, from 1.
    pub page: i32,
    /// Left, bottom, right, top in PDF points.
    pub rect: [f64; 4],
    /// Legal ground code.
    pub ground: String,
    /// The reviewer's note.
    pub note: Option<String>,
}

/// Add a manual redaction. An item a reviewer had marked `FULL` becomes `PARTIAL` with the
/// redaction's ground: a document with a box on it is not disclosed in full.
#[tracing::instrument(skip_all)]
pub async fn add_manual_redaction(
    rc: &RequestCtx<'_>,
    new: NewRedaction,
) -> Result<(manual_redaction::Model, Item)> {
    require_caseworker(rc).await?;
    let ground = known_ground(rc, &new.ground)?;
    let note = optional_text("note", new.note)?;
    let [x0, y0, x1, y1] = new.rect;
    if new.rect.iter().any(|v| !v.is_finite() || *v < 0.0) || x1 <= x0 || y1 <= y0 {
        return Err(api_error(
            Code::BadUserInput,
            "`rect` must have x0 < x1 and y0 < y1, in points from the bottom-left corner",
        ));
    }
    if new.page < 1 {
        return Err(api_error(Code::BadUserInput, "pages count from 1"));
    }
    let (item, request) = item(rc, &new.item_id).await?;
    if let Some(pages) = item.doc.page_count
        && new.page > pages
    {
        return Err(api_error(
            Code::BadUserInput,
            format!("the document has {pages} page(s)"),
        ));
    }
    require_awaiting_review(&request, "adding a redaction")?;
    let (chain, txn) = begin_review(rc, &request.id).await?;
    let at = now();
    let row = manual_redaction::ActiveModel {
        id: Set(uuid::Uuid::new_v4().to_string()),
        request_id: Set(request.id.clone()),
        document_id: Set(item.doc.id.clone()),
        page: Set(new.page),
        x0: Set(x0),
        y0: Set(y0),
        x1: Set(x1),
        y1: Set(y1),
        ground: Set(ground.clone()),
        note: Set(note),
        added_by: Set(rc.viewer.subject.clone().unwrap_or_default()),
        added_at: Set(at),
    };
    let row = manual_redaction::Entity::insert(row)
        .exec_with_returning(&txn)
        .await
        .map_err(|e| internal("storing a redaction", e))?;
    if item.doc.disclosure.as_deref() == Some("FULL") {
        request_document::Entity::update_many()
            .set(request_document::ActiveModel {
                disclosure: Set(Some("PARTIAL".to_owned())),
                ground: Set(Some(ground.clone())),
                ..Default::default()
            })
            .filter(request_document::Column::Id.eq(&item.doc.id))
            .exec(&txn)
            .await
            .map_err(|e| internal("storing a disclosure", e))?;
    }
    let note = format!("page {} {ground}", new.page);
    let entries = vec![entry("redaction.added", "request_item", &item.doc.id, note)];
    commit(rc, txn, entries).await?;
    drop(chain);
    let (item, _) = self::item(rc, &item.doc.id).await?;
    Ok((row, item))
}

/// Set how much of an item is disclosed; a ground is required unless `FULL`.
#[tracing::instrument(skip_all, fields(item = item_id))]
pub async fn set_disclosure(
    rc: &RequestCtx<'_>,
    item_id: &str,
    disclosure: &'static str,
    ground: Option<String>,
    note: Option<String>,
) -> Result<Item> {
    require_caseworker(rc).await?;
    let ground = match (disclosure, optional_text("ground", ground)?) {
        ("FULL", None) => None,
        ("FULL", Some(_)) => {
            return Err(api_error(
                Code::BadUserInput,
                "a document disclosed in full takes no legal ground",
            ));
        }
        (_, Some(g)) => Some(known_ground(rc, &g)?),
        (_, None) => {
            return Err(api_error(
                Code::BadUserInput,
                "withholding or redacting a document needs a legal ground",
            ));
        }
    };
    let note = optional_text("note", note)?;
    let (item, request) = item(rc, item_id).await?;
    require_awaiting_review(&request, "setting a disclosure")?;
    let (chain, txn) = begin_review(rc, &request.id).await?;
    request_document::Entity::update_many()
        .set(request_document::ActiveModel {
            disclosure: Set(Some(disclosure.to_owned())),
            ground: Set(ground.clone()),
            note: Set(note),
            decided_by: Set(rc.viewer.subject.clone()),
            decided_at: Set(Some(now())),
            ..Default::default()
        })
        .filter(request_document::Column::Id.eq(&item.doc.id))
        .exec(&txn)
        .await
        .map_err(|e| internal("storing a disclosure", e))?;
    let audit_note = match &ground {
        Some(g) => format!("{disclosure} {g}"),
        None => disclosure.to_owned(),
    };
    let entries = vec![entry(
        "item.disclosure_set",
        "request_item",
        &item.doc.id,
        audit_note,
    )];
    commit(rc, txn, entries).await?;
    drop(chain);
    self::item(rc, &item.doc.id).await.map(|(i, _)| i)
}

/// Approve a request awaiting review: undecided findings and documents take screening's
/// proposals. Refused with `REQUEST_INCOMPLETE` while a case system is unread and no gap is
/// accepted, and with `CONFLICT` while a document marked for manual review has no
/// disclosure from a reviewer.
#[tracing::instrument(skip_all, fields(request = id))]
pub async fn approve(rc: &RequestCtx<'_>, id: &str) -> Result<access_request::Model> {
    let request = find_for_caseworker(rc, id).await?;
    require_awaiting_review(&request, "approving")?;
    let chain = audit::lock_chain().await;
    let txn = begin(rc).await?;
    // Checked again inside the transaction: collection may have changed the flag meanwhile.
    let now_stored = access_request::Entity::find_by_id(request.id.clone())
        .one(&txn)
        .await
        .map_err(|e| internal("reading an access request", e))?
        .ok_or_else(|| internal("reading an access request", "the request vanished"))?;
    if now_stored.incomplete && now_stored.gap_accepted_reason.is_none() {
        return Err(api_error(
            Code::RequestIncomplete,
            "a case system could not be read: collect it again or accept the gap \
             (acceptIncomplete) before approving",
        ));
    }
    let pending = request_document::Entity::find()
        .filter(request_document::Column::RequestId.eq(&request.id))
        .filter(request_document::Column::NeedsManualReview.eq(true))
        .filter(request_document::Column::Disclosure.is_null())
        .count(&txn)
        .await
        .map_err(|e| internal("counting documents", e))?;
    if pending > 0 {
        return Err(api_error(
            Code::Conflict,
            format!(
                "{pending} document(s) need manual review: set their disclosure \
                 (setItemDisclosure) before approving"
            ),
        ));
    }
    let actor = Actor::Person(rc.viewer.clone(), rc.loaders.audit.loader().meta.clone());
    let released = workflow::release(
        &txn,
        &request.id,
        &actor,
        false,
        rc.services.jobs.max_attempts,
    )
    .await
    .map_err(|e| internal("approving a request", e))?;
    if !released {
        return Err(api_error(
            Code::Conflict,
            "the request is no longer awaiting review",
        ));
    }
    commit(rc, txn, vec![event("request.approved", &request.id, None)]).await?;
    drop(chain);
    rc.services.wake.notify_waiters();
    reload(rc, &request.id).await
}
