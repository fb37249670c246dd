//! The access-request lifecycle as the API drives it: who may see a request, submitting,
//! withdrawing, assigning, accepting a gap, rejecting and deadline notices. The review steps
//! (findings, redactions, disclosures, approval) are in [`review`].
//!
//! Every change is a conditional update ([`transition`]) committed in one transaction with its
//! audit event: a change whose event cannot be written is not made, and two concurrent changes
//! cannot both apply to the same state (the loser gets `CONFLICT`).
//!
//! Who sees a request:
//! - its requester (citizen or third party), and the citizen it is about;
//! - a caseworker of one of its departments, or any caseworker while its departments are not
//!   known yet (nothing collected), so it can be triaged;
//! - nobody else (admins see only [`crate::services::statistics`]).

use std::collections::BTreeSet;

use async_graphql::Result;
use chrono::{NaiveDate, Utc};
use connectors::PartyKey;
use entities::access_request::{ActiveModel, Column, Entity, Model};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder, Value,
};

use crate::error::{Code, api_error, internal};
use crate::ids::GlobalId;
use crate::request::RequestCtx;
use crate::services::aktindsigt::{RequestState, danish_date, departments_of, now, transition};
use crate::services::audit::{self, Entry, Outcome};
use crate::services::{consent, reads, workflow};
use crate::viewer::{Role, Viewer, cpr_key};

pub mod review;
#[cfg(test)]
pub(crate) mod tests;

/// Longest idempotency key accepted.
const MAX_KEY_LEN: usize = 200;
/// Longest free text (reasons, notes) accepted.
pub const MAX_TEXT_LEN: usize = 4_000;

/// How the viewer relates to a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// Asked for it (a citizen, or a third party under consent).
    Requester,
    /// The citizen it is about, when a third party asked.
    Subject,
    /// A caseworker of one of its departments (or of any, while none is known).
    Caseworker,
}

impl Access {
    /// Whether the viewer is staff (sees errors, findings, other persons' data).
    pub fn is_staff(self) -> bool {
        self == Self::Caseworker
    }
}

/// How `viewer` relates to `request`, if at all.
pub fn access_of(viewer: &Viewer, request: &Model) -> Option<Access> {
    match viewer.role {
        Role::Citizen | Role::ThirdParty => {
            let me = viewer.subject.as_deref()?;
            if me == request.requester_subject
                && request.requester_role == audit::role_name(viewer.role)
            {
                return Some(Access::Requester);
            }
            let is_subject = viewer.role == Role::Citizen
                && viewer
                    .cpr
                    .as_ref()
                    .is_some_and(|k| matches!(k, PartyKey::Cpr(d) if *d == request.subject_cpr));
            is_subject.then_some(Access::Subject)
        }
        Role::Caseworker => {
            let departments = departments_of(&request.departments);
            (departments.is_empty() || departments.iter().any(|d| viewer.departments.contains(d)))
                .then_some(Access::Caseworker)
        }
        Role::Admin | Role::Anonymous => None,
    }
}

/// The stored state, or an internal error for a row no code wrote.
pub fn state_of(request: &Model) -> Result<RequestState> {
    RequestState::parse(&request.state)
        .ok_or_else(|| internal("reading an access request", "unknown stored state"))
}

/// Whether the request still waits for a decision (§ 36 applies).
pub fn is_open(request: &Model) -> bool {
    RequestState::parse(&request.state).is_some_and(|s| !s.is_final() && !s.is_decided())
}

/// The date the requester was promised a decision by: the § 36 deadline, or a later date a
/// deadline notice gave.
pub fn effective_deadline(request: &Model) -> NaiveDate {
    request
        .notice_expected_by
        .map_or(request.deadline, |e| e.max(request.deadline))
}

/// Today in Denmark.
pub fn today() -> NaiveDate {
    danish_date(Utc::now())
}

/// Whether an undecided request is past the date it was promised by.
pub fn is_overdue(request: &Model, today: NaiveDate) -> bool {
    is_open(request) && pipeline::deadline::overdue(effective_deadline(request), today)
}

/// Whether an undecided request's date is within the configured working days.
pub fn is_due_soon(rc_services: &crate::Services, request: &Model, today: NaiveDate) -> bool {
    let ak = &rc_services.aktindsigt;
    is_open(request)
        && pipeline::deadline::due_soon(
            effective_deadline(request),
            today,
            ak.config.due_soon_working_days,
            &ak.calendar,
        )
}

fn unauthenticated() -> async_graphql::Error {
    api_error(Code::Unauthenticated, "a verified identity is required")
}

fn not_found() -> async_graphql::Error {
    api_error(
        Code::NotFound,
        "no access request with that id (or not visible to you)",
    )
}

/// A conflict: the request is not in a state that allows `what`.
pub fn conflict(what: &str, state: RequestState) -> async_graphql::Error {
    api_error(
        Code::Conflict,
        format!(
            "{what} is not possible while the request is {}",
            state.as_str()
        ),
    )
}

/// Trimmed, non-empty, not too long free text, or `BAD_USER_INPUT` naming `field`.
pub fn required_text(field: &str, text: &str) -> Result<String> {
    let t = text.trim();
    if t.is_empty() {
        return Err(api_error(
            Code::BadUserInput,
            format!("`{field}` is required"),
        ));
    }
    optional_text(field, Some(t.to_owned())).map(|t| t.unwrap_or_default())
}

/// Trimmed optional free text (empty is none), not too long.
pub fn optional_text(field: &str, text: Option<String>) -> Result<Option<String>> {
    let t = text.map(|t| t.trim().to_owned()).filter(|t| !t.is_empty());
    if t.as_ref().is_some_and(|t| t.chars().count() > MAX_TEXT_LEN) {
        return Err(api_error(
            Code::BadUserInput,
            format!("`{field}` is longer than {MAX_TEXT_LEN} characters"),
        ));
    }
    Ok(t)
}

/// Refuse anyone but caseworkers (the refusal audited).
pub async fn require_caseworker(rc: &RequestCtx<'_>) -> Result<()> {
    match rc.viewer.role {
        Role::Caseworker => Ok(()),
        Role::Anonymous => Err(unauthenticated()),
        _ => {
            let e = api_error(Code::Forbidden, "this is for caseworkers");
            Err(reads::deny(rc, e, Some("access_request"), None).await)
        }
    }
}

/// Request `id`, if the viewer may see it; `NOT_FOUND` (audited) if it does not exist or they
/// may not.
#[tracing::instrument(skip(rc))]
pub async fn find(rc: &RequestCtx<'_>, id: &str) -> Result<(Model, Access)> {
    match rc.viewer.role {
        Role::Anonymous => return Err(unauthenticated()),
        Role::Admin => {
            let e = api_error(Code::Forbidden, "this role has no access to requests");
            return Err(reads::deny(rc, e, Some("access_request"), Some(id.to_owned())).await);
        }
        _ => {}
    }
    let row = Entity::find_by_id(id.to_owned())
        .one(&rc.services.store)
        .await
        .map_err(|e| internal("reading an access request", e))?;
    match row.and_then(|r| access_of(rc.viewer, &r).map(|a| (r, a))) {
        Some(found) => Ok(found),
        None => {
            Err(reads::deny(rc, not_found(), Some("access_request"), Some(id.to_owned())).await)
        }
    }
}

/// Request `id` for a caseworker's review or decision.
pub async fn find_for_caseworker(rc: &RequestCtx<'_>, id: &str) -> Result<Model> {
    require_caseworker(rc).await?;
    find(rc, id).await.map(|(m, _)| m)
}

/// Record that a caseworker read the details (cases, documents, findings) of request `id`;
/// once per request per query (the audit loader deduplicates).
pub async fn audit_read(rc: &RequestCtx<'_>, id: &str) -> Result<()> {
    if rc.viewer.role != Role::Caseworker {
        return Ok(());
    }
    rc.loaders
        .audit(vec![Entry::read(
            "request.read",
            "access_request",
            id.to_owned(),
        )])
        .await
}

/// What `accessRequests` filters on; every given condition must hold.
#[derive(Clone, Debug, Default)]
pub struct ListFilter {
    /// Only these states.
    pub states: Option<Vec<RequestState>>,
    /// Only overdue (true) or not overdue (false) requests.
    pub overdue: Option<bool>,
    /// Only requests due soon (true) or not (false).
    pub due_soon: Option<bool>,
    /// Only those assigned to the viewer.
    pub assigned_to_me: bool,
    /// Only those with cases of this department.
    pub department: Option<String>,
}

/// The requests a caseworker may see, filtered, most urgent first (deadline, then receipt).
#[tracing::instrument(skip(rc))]
pub async fn list_for_caseworker(rc: &RequestCtx<'_>, filter: ListFilter) -> Result<Vec<Model>> {
    require_caseworker(rc).await?;
    let mut query = Entity::find();
    if let Some(states) = &filter.states {
        query = query.filter(Column::State.is_in(states.iter().map(|s| s.as_str())));
    }
    if filter.assigned_to_me {
        query = query.filter(Column::AssigneeSubject.eq(rc.viewer.subject.clone()));
    }
    let rows = query
        .order_by_asc(Column::Deadline)
        .order_by_asc(Column::ReceivedAt)
        .order_by_asc(Column::Id)
        .all(&rc.services.store)
        .await
        .map_err(|e| internal("listing access requests", e))?;
    let today = today();
    Ok(rows
        .into_iter()
        .filter(|r| access_of(rc.viewer, r).is_some())
        .filter(|r| {
            filter
                .department
                .as_ref()
                .is_none_or(|d| departments_of(&r.departments).contains(d))
        })
        .filter(|r| filter.overdue.is_none_or(|o| is_overdue(r, today) == o))
        .filter(|r| {
            filter
                .due_soon
                .is_none_or(|o| is_due_soon(rc.services, r, today) == o)
        })
        .collect())
}

/// The viewer's own requests (as requester), newest first.
pub async fn list_mine(rc: &RequestCtx<'_>) -> Result<Vec<Model>> {
    let role = match rc.viewer.role {
        Role::Citizen | Role::ThirdParty => audit::role_name(rc.viewer.role),
        Role::Anonymous => return Err(unauthenticated()),
        _ => {
            return Err(api_error(
                Code::Forbidden,
                "myAccessRequests is for citizens and third parties",
            ));
        }
    };
    let me = rc.viewer.subject.clone().ok_or_else(unauthenticated)?;
    Entity::find()
        .filter(Column::RequesterSubject.eq(me))
        .filter(Column::RequesterRole.eq(role))
        .order_by_desc(Column::ReceivedAt)
        .order_by_desc(Column::Id)
        .all(&rc.services.store)
        .await
        .map_err(|e| internal("listing access requests", e))
}

/// What a requester asks for.
#[derive(Clone, Debug)]
pub struct Submission {
    /// `PARTY_ACCESS`, `PUBLIC_ACCESS` or `GDPR15`.
    pub legal_basis: &'static str,
    /// Case global ids; `None` for all the citizen's cases.
    pub cases: Option<Vec<String>>,
    /// A third party: the citizen they act for.
    pub on_behalf_of_cpr: Option<String>,
    /// The client's idempotency key.
    pub idempotency_key: Option<String>,
}

/// Submit a request. Returns it and whether it was created now (false: the same requester
/// already submitted with this idempotency key, and that request is returned).
#[tracing::instrument(skip_all)]
pub async fn submit(rc: &RequestCtx<'_>, s: Submission) -> Result<(Model, bool)> {
    let (subject, requester_name, consent_id) = match rc.viewer.role {
        Role::Anonymous => return Err(unauthenticated()),
        Role::Citizen => {
            let me = rc
                .viewer
                .cpr
                .clone()
                .ok_or_else(|| api_error(Code::Forbidden, "no CPR number in your identity"))?;
            if let Some(given) = s.on_behalf_of_cpr.as_deref()
                && cpr_key(given).as_ref() != Some(&me)
            {
                let e = api_error(
                    Code::Forbidden,
                    "a citizen asks for their own records; `onBehalfOfCpr` is for third parties",
                );
                return Err(reads::deny(rc, e, Some("access_request"), None).await);
            }
            (me, None, None)
        }
        Role::ThirdParty => {
            let given = s.on_behalf_of_cpr.as_deref().ok_or_else(|| {
                api_error(
                    Code::BadUserInput,
                    "give `onBehalfOfCpr`: the citizen you act for",
                )
            })?;
            let key = cpr_key(given).ok_or_else(|| {
                api_error(Code::BadUserInput, "`onBehalfOfCpr` is not a CPR number")
            })?;
            let grants = rc.loaders.grants().await?;
            // Prefer a consent covering all the citizen's cases, then the longest valid.
            let grant = grants
                .0
                .iter()
                .filter(|g| g.citizen == key)
                .max_by_key(|g| (g.scope == consent::Scope::All, g.valid_until));
            let Some(grant) = grant else {
                let e = api_error(
                    Code::Forbidden,
                    "no valid consent from this citizen is registered for you",
                );
                let object = reads::party_object_id(rc, &key);
                return Err(reads::deny(rc, e, Some("party"), Some(object)).await);
            };
            let row = consent::find(rc.services, &grant.consent_id)
                .await
                .map_err(|e| internal("reading a consent", e))?
                .ok_or_else(|| internal("reading a consent", "a granted consent vanished"))?;
            (key, Some(row.grantee_name), Some(row.id))
        }
        Role::Caseworker | Role::Admin => {
            let e = api_error(
                Code::Forbidden,
                "access requests are made by citizens and third parties",
            );
            return Err(reads::deny(rc, e, Some("access_request"), None).await);
        }
    };
    let PartyKey::Cpr(subject_cpr) = subject else {
        return Err(api_error(
            Code::BadUserInput,
            "the subject must be a person",
        ));
    };
    let scope = match s.cases {
        None => None,
        Some(ids) => Some(scope_of(rc, &ids)?),
    };
    let key = s
        .idempotency_key
        .map(|k| k.trim().to_owned())
        .filter(|k| !k.is_empty());
    if key.as_ref().is_some_and(|k| k.len() > MAX_KEY_LEN) {
        return Err(api_error(
            Code::BadUserInput,
            format!("`idempotencyKey` is longer than {MAX_KEY_LEN} bytes"),
        ));
    }
    let requester = rc.viewer.subject.clone().ok_or_else(unauthenticated)?;
    let store = &rc.services.store;

    let _chain = audit::lock_chain().await;
    if let Some(k) = &key
        && let Some(existing) = by_key(rc, &requester, k).await?
    {
        return Ok((existing, false));
    }
    let txn = begin(rc).await?;
    let at = now();
    let deadline =
        pipeline::deadline::access_deadline(danish_date(at), &rc.services.aktindsigt.calendar);
    let id = uuid::Uuid::new_v4().to_string();
    let row = ActiveModel {
        id: Set(id.clone()),
        idempotency_key: Set(key.clone()),
        requester_subject: Set(requester.clone()),
        requester_role: Set(audit::role_name(rc.viewer.role).to_owned()),
        requester_name: Set(requester_name),
        subject_cpr: Set(subject_cpr),
        consent_id: Set(consent_id.clone()),
        legal_basis: Set(s.legal_basis.to_owned()),
        scope: Set(scope),
        state: Set(RequestState::Received.as_str().to_owned()),
        incomplete: Set(false),
        gap_accepted_reason: Set(None),
        gap_accepted_by: Set(None),
        automation: Set(None),
        departments: Set("[]".to_owned()),
        assignee_subject: Set(None),
        received_at: Set(at),
        deadline: Set(deadline),
        notice_expected_by: Set(None),
        notice_reason: Set(None),
        notice_sent_at: Set(None),
        decided_at: Set(None),
        decided_by: Set(None),
        decision_note: Set(None),
        auto_released: Set(false),
        updated_at: Set(at),
    };
    if let Err(error) = Entity::insert(row).exec_without_returning(&txn).await {
        // Another hub process committed the same requester and key first (the unique index
        // refused ours): that request is the answer.
        drop(txn);
        if let Some(k) = &key
            && let Some(existing) = by_key(rc, &requester, k).await?
        {
            return Ok((existing, false));
        }
        return Err(internal("storing an access request", error));
    }
    workflow::enqueue_collect(&txn, &id, rc.services.jobs.max_attempts)
        .await
        .map_err(|e| internal("queueing collection", e))?;
    let note = match &consent_id {
        Some(c) => format!("{}; consent {c}", s.legal_basis),
        None => s.legal_basis.to_owned(),
    };
    commit(rc, txn, vec![event("request.submitted", &id, Some(note))]).await?;
    rc.services.wake.notify_waiters();
    let created = Entity::find_by_id(id)
        .one(store)
        .await
        .map_err(|e| internal("reading an access request", e))?
        .ok_or_else(|| internal("reading an access request", "the new request vanished"))?;
    Ok((created, true))
}

/// The stored scope of chosen cases: a sorted JSON array of `system/localId`.
fn scope_of(rc: &RequestCtx<'_>, ids: &[String]) -> Result<String> {
    if ids.is_empty() {
        return Err(api_error(
            Code::BadUserInput,
            "give at least one case in `cases`, or leave it out for all your cases",
        ));
    }
    if ids.len() > rc.services.limits.max_page_size {
        return Err(api_error(
            Code::BadUserInput,
            format!("at most {} cases at once", rc.services.limits.max_page_size),
        ));
    }
    let mut refs = BTreeSet::new();
    for id in ids {
        let Some(GlobalId::Case { system, local_id }) = GlobalId::decode(id) else {
            return Err(api_error(
                Code::BadUserInput,
                "`cases` takes case ids (Case.id)",
            ));
        };
        if rc.services.registry.get(&system).is_none() {
            return Err(api_error(
                Code::BadUserInput,
                format!("no case system {system} is connected"),
            ));
        }
        refs.insert(format!("{system}/{local_id}"));
    }
    serde_json::to_string(&refs).map_err(|e| internal("storing a request's scope", e))
}

async fn by_key(rc: &RequestCtx<'_>, requester: &str, key: &str) -> Result<Option<Model>> {
    Entity::find()
        .filter(Column::RequesterSubject.eq(requester))
        .filter(Column::IdempotencyKey.eq(key))
        .one(&rc.services.store)
        .await
        .map_err(|e| internal("reading an access request", e))
}

/// Begin a transaction (the caller holds [`audit::lock_chain`]).
pub(crate) async fn begin(rc: &RequestCtx<'_>) -> Result<DatabaseTransaction> {
    crate::services::begin_write(&rc.services.store)
        .await
        .map_err(|e| internal("starting a transaction", e))
}

/// Append `entries` in `txn` and commit both, or neither.
pub(crate) async fn commit(
    rc: &RequestCtx<'_>,
    txn: DatabaseTransaction,
    entries: Vec<Entry>,
) -> Result<()> {
    rc.loaders.audit_in(&txn, entries).await?;
    txn.commit()
        .await
        .map_err(|e| internal("committing an access request change", e))
}

/// The audit entry of `action` on request `id`.
pub(crate) fn event(action: &'static str, id: &str, note: Option<String>) -> Entry {
    Entry {
        action,
        object_kind: Some("access_request"),
        object_id: Some(id.to_owned()),
        purpose: note,
        outcome: Outcome::Allowed,
    }
}

/// Move `request` from its current state to `to` (setting `extra`), with the audit event
/// `action`, or `CONFLICT` if it changed meanwhile. Returns the row as stored after.
async fn change(
    rc: &RequestCtx<'_>,
    request: &Model,
    to: RequestState,
    extra: Vec<(&'static str, Value)>,
    action: &'static str,
    note: Option<String>,
) -> Result<Model> {
    let from = state_of(request)?;
    let _chain = audit::lock_chain().await;
    let txn = begin(rc).await?;
    let moved = transition(&txn, &request.id, &[from], to, extra)
        .await
        .map_err(|e| internal("changing an access request", e))?;
    if !moved {
        return Err(api_error(
            Code::Conflict,
            "the request changed meanwhile; read it again",
        ));
    }
    commit(rc, txn, vec![event(action, &request.id, note)]).await?;
    reload(rc, &request.id).await
}

/// The row as stored now.
pub(crate) async fn reload(rc: &RequestCtx<'_>, id: &str) -> Result<Model> {
    Entity::find_by_id(id.to_owned())
        .one(&rc.services.store)
        .await
        .map_err(|e| internal("reading an access request", e))?
        .ok_or_else(not_found)
}

/// Withdraw a request: its requester, while it is not final.
#[tracing::instrument(skip_all, fields(request = id))]
pub async fn withdraw(rc: &RequestCtx<'_>, id: &str, reason: Option<String>) -> Result<Model> {
    let (request, access) = find(rc, id).await?;
    if access != Access::Requester {
        let e = api_error(Code::Forbidden, "only the requester may withdraw a request");
        return Err(reads::deny(rc, e, Some("access_request"), Some(id.to_owned())).await);
    }
    let state = state_of(&request)?;
    if state.is_final() {
        return Err(conflict("withdrawing", state));
    }
    let reason = optional_text("reason", reason)?;
    let note = serde_json::json!({ "withdrawnReason": reason }).to_string();
    let extra = vec![
        ("decided_at", now().into()),
        ("decided_by", rc.viewer.subject.clone().into()),
        ("decision_note", Some(note).into()),
    ];
    change(
        rc,
        &request,
        RequestState::Withdrawn,
        extra,
        "request.withdrawn",
        reason,
    )
    .await
}

/// Assign a request to a caseworker (default the viewer), while it is not final.
#[tracing::instrument(skip_all, fields(request = id))]
pub async fn assign(rc: &RequestCtx<'_>, id: &str, assignee: Option<String>) -> Result<Model> {
    let request = find_for_caseworker(rc, id).await?;
    let state = state_of(&request)?;
    if state.is_final() {
        return Err(conflict("assigning", state));
    }
    let assignee = match optional_text("assigneeSubject", assignee)? {
        Some(a) => a,
        None => rc.viewer.subject.clone().ok_or_else(unauthenticated)?,
    };
    let extra = vec![("assignee_subject", Some(assignee.clone()).into())];
    change(
        rc,
        &request,
        state,
        extra,
        "request.assigned",
        Some(assignee),
    )
    .await
}

/// Accept that a case system could not be read: the request may then be approved, and the
/// cover letter states the reason.
#[tracing::instrument(skip_all, fields(request = id))]
pub async fn accept_incomplete(rc: &RequestCtx<'_>, id: &str, reason: &str) -> Result<Model> {
    let request = find_for_caseworker(rc, id).await?;
    let reason = required_text("reason", reason)?;
    let state = state_of(&request)?;
    if state.is_final() || state.is_decided() {
        return Err(conflict("accepting a gap", state));
    }
    if !request.incomplete {
        return Err(api_error(
            Code::Conflict,
            "every case system has been read; there is no gap to accept",
        ));
    }
    let extra = vec![
        ("gap_accepted_reason", Some(reason.clone()).into()),
        ("gap_accepted_by", rc.viewer.subject.clone().into()),
    ];
    change(
        rc,
        &request,
        state,
        extra,
        "request.gap_accepted",
        Some(reason),
    )
    .await
}

/// Refuse a request with legal grounds, before it is decided.
#[tracing::instrument(skip_all, fields(request = id))]
pub async fn reject(
    rc: &RequestCtx<'_>,
    id: &str,
    grounds: Vec<String>,
    note: Option<String>,
) -> Result<Model> {
    let request = find_for_caseworker(rc, id).await?;
    if grounds.is_empty() {
        return Err(api_error(
            Code::BadUserInput,
            "a rejection needs at least one legal ground",
        ));
    }
    let mut codes: Vec<String> = Vec::new();
    for g in grounds {
        let code = known_ground(rc, &g)?;
        if !codes.contains(&code) {
            codes.push(code);
        }
    }
    let note = optional_text("note", note)?;
    let state = state_of(&request)?;
    if !matches!(
        state,
        RequestState::Received
            | RequestState::Collecting
            | RequestState::Screening
            | RequestState::AwaitingReview
    ) {
        return Err(conflict("rejecting", state));
    }
    let stored = serde_json::json!({ "grounds": codes, "note": note }).to_string();
    let extra = vec![
        ("decided_at", now().into()),
        ("decided_by", rc.viewer.subject.clone().into()),
        ("decision_note", Some(stored).into()),
    ];
    let audit_note = Some(codes.join(","));
    change(
        rc,
        &request,
        RequestState::Rejected,
        extra,
        "request.rejected",
        audit_note,
    )
    .await
}

/// Record a deadline notice (fristbrev, offentlighedsloven § 36, stk. 2): why the request is
/// not decided within the deadline and when it will be.
#[tracing::instrument(skip_all, fields(request = id))]
pub async fn deadline_notice(
    rc: &RequestCtx<'_>,
    id: &str,
    expected_by: NaiveDate,
    reason: &str,
) -> Result<Model> {
    let request = find_for_caseworker(rc, id).await?;
    let reason = required_text("reason", reason)?;
    let state = state_of(&request)?;
    if state.is_final() || state.is_decided() {
        return Err(conflict("a deadline notice", state));
    }
    if expected_by <= request.deadline {
        return Err(api_error(
            Code::BadUserInput,
            format!(
                "`expectedBy` must be after the deadline ({})",
                request.deadline
            ),
        ));
    }
    let extra = vec![
        ("notice_expected_by", Some(expected_by).into()),
        ("notice_reason", Some(reason.clone()).into()),
        ("notice_sent_at", Some(now()).into()),
    ];
    let note = Some(format!("expected by {expected_by}: {reason}"));
    change(rc, &request, state, extra, "request.deadline_notice", note).await
}

/// `code` if it is in the grounds table in force, else `BAD_USER_INPUT`.
pub fn known_ground(rc: &RequestCtx<'_>, code: &str) -> Result<String> {
    let code = code.trim();
    rc.services
        .aktindsigt
        .grounds
        .get(code)
        .map(|g| g.code.clone())
        .ok_or_else(|| {
            api_error(
                Code::BadUserInput,
                format!("{code:?} is not a legal ground in the table (see `legalGrounds`)"),
            )
        })
}

/// A request and its jobs as stored now, for progress streams; `None` once it is gone.
pub async fn snapshot(
    services: &crate::Services,
    id: &str,
) -> Result<Option<(Model, Vec<entities::job::Model>)>, sea_orm::DbErr> {
    let Some(request) = Entity::find_by_id(id.to_owned())
        .one(&services.store)
        .await?
    else {
        return Ok(None);
    };
    let jobs = crate::services::jobs::of_request(&services.store, id).await?;
    Ok(Some((request, jobs)))
}

/// Whether a progress stream is done: the request is final, or it waits for a person or the
/// bundle with no job queued or running.
pub fn progress_finished(request: &Model, jobs: &[entities::job::Model]) -> bool {
    let Some(state) = RequestState::parse(&request.state) else {
        return true;
    };
    let active = jobs.iter().any(|j| {
        j.state == crate::services::jobs::state::QUEUED
            || j.state == crate::services::jobs::state::RUNNING
    });
    state.is_final()
        || (matches!(state, RequestState::Approved | RequestState::AwaitingReview) && !active)
}
