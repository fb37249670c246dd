//! The aktindsigt workflow's job handlers: collect, then screen, then (where the departments'
//! automation policy allows) release without a person.
//!
//! Every step is idempotent, so an attempt cut short (a crash, a lost lease) and run again
//! produces the same rows: documents have deterministic ids (UUID v5 of request, system and
//! document id) and are inserted once; blobs are content-addressed; a document's findings are
//! replaced together with its `screened` flag in one transaction; every state change is a
//! conditional update ([`aktindsigt::transition`]) committed with its audit event.
//!
//! A case system that fails during collection marks the request `incomplete` (the system and
//! why are on `request_system`); what was read is screened; the collection job is retried with
//! backoff for the missing systems only, and delivery is blocked until they are read or a
//! caseworker accepts the gap.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use connectors::{Case, CaseSystem, Document, DocumentKind, PartyKey, Sensitivity};
use entities::{access_request, finding, request_case, request_document, request_system};
use pipeline::detect::{Category, Finding as Detected, Owner, SubjectProfile};
use pipeline::screen::{
    self, Automation, CaseParties, DocFacts, DocKind, DocOutcome, FindingProposal, LegalBasis,
};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, Statement, Value,
};
use serde_json::json;

use crate::services::Services;
use crate::services::aktindsigt::{self, Actor, RequestState, now, transition};
use crate::services::audit;
use crate::services::jobs::{self, Ending, NewJob};

mod collect;
mod screening;

/// Job kind: collect a request's cases and documents.
pub const COLLECT: &str = "collect";
/// Job kind: screen a request's collected documents.
pub const SCREEN: &str = "screen";

/// Namespace of document row ids.
const DOCUMENT_NS: uuid::Uuid = uuid::Uuid::from_u128(0x5a65_6b5f_6475_4a1d_9c3e_7d0c_2f61_a001);

/// The row id of document `local_id` of `system` collected for `request_id`.
pub fn document_row_id(request_id: &str, system: &str, local_id: &str) -> String {
    uuid::Uuid::new_v5(
        &DOCUMENT_NS,
        format!("{request_id}\u{1f}{system}\u{1f}{local_id}").as_bytes(),
    )
    .to_string()
}

/// Queue the collection of `request_id` (once: a second call while it is queued or running
/// adds nothing).
pub async fn enqueue_collect<C: ConnectionTrait>(
    conn: &C,
    request_id: &str,
    max_attempts: i32,
) -> Result<(), DbErr> {
    jobs::enqueue(
        conn,
        NewJob {
            kind: COLLECT,
            request_id: Some(request_id.to_owned()),
            payload: json!({ "requestId": request_id }),
            dedupe_key: Some(format!("collect:{request_id}")),
            run_after: None,
            max_attempts,
        },
    )
    .await
    .map(|_| ())
}

async fn enqueue_screen<C: ConnectionTrait>(
    conn: &C,
    request_id: &str,
    generation: u64,
    max_attempts: i32,
) -> Result<(), DbErr> {
    jobs::enqueue(
        conn,
        NewJob {
            kind: SCREEN,
            request_id: Some(request_id.to_owned()),
            payload: json!({ "requestId": request_id }),
            // One screening job per batch of newly collected documents: a batch collected
            // while an earlier screening runs gets its own job rather than being lost to the
            // running job's key.
            dedupe_key: Some(format!("screen:{request_id}:{generation}")),
            run_after: None,
            max_attempts,
        },
    )
    .await
    .map(|_| ())
}

/// Why a handler stopped.
#[derive(Debug, thiserror::Error)]
pub enum StepError {
    /// The store failed; retry.
    #[error("store: {0}")]
    Store(#[from] DbErr),
    /// The blob store failed; retry.
    #[error("blob store: {0}")]
    Blobs(#[from] std::io::Error),
    /// Some case systems could not be read; retry them later.
    #[error("{0}")]
    SystemsUnavailable(String),
    /// Digital Post could not be reached or answered with a temporary error; retry.
    #[error("{0}")]
    Transport(String),
    /// The job cannot succeed (unknown kind, bad payload, missing request).
    #[error("{0}")]
    Permanent(String),
}

/// Run one leased job to its end.
#[tracing::instrument(skip_all, fields(job = job.id, kind = %job.kind))]
pub async fn run(services: &Arc<Services>, job: &entities::job::Model) -> Ending {
    let result = match job.kind.as_str() {
        COLLECT => collect::collect(services, job).await,
        SCREEN => screening::screen_request(services, job).await,
        crate::services::bundling::BUNDLE => {
            crate::services::bundling::bundle_job(services, job).await
        }
        crate::services::delivery::DELIVER => {
            crate::services::delivery::deliver_job(services, job).await
        }
        crate::services::index::INDEX_SYNC => crate::services::index::sync_job(services, job).await,
        other => Err(StepError::Permanent(format!(
            "no handler for job kind {other:?}"
        ))),
    };
    match result {
        Ok(()) => Ending::Succeeded,
        Err(StepError::Permanent(e)) => {
            tracing::error!(error = %e, "job failed for good");
            Ending::Failed(e)
        }
        Err(e) => {
            tracing::warn!(error = %e, "job attempt failed; it will be retried");
            Ending::Retry(e.to_string())
        }
    }
}

/// A job of a request failed for good: a request that the job was moving along (received,
/// collecting, screening, bundling) can go no further by itself and becomes `FAILED`, with the
/// error, so caseworkers see it. A request waiting for review stays there (e.g. a collection
/// retry that gave up leaves it `incomplete`, for a caseworker to accept the gap or not).
pub async fn job_failed(services: &Services, job: &jobs::Job) -> Result<(), DbErr> {
    let Some(id) = &job.request_id else {
        return Ok(());
    };
    let _chain = audit::lock_chain().await;
    let txn = crate::services::begin_write(&services.store).await?;
    let note = job
        .last_error
        .clone()
        .unwrap_or_else(|| format!("the {} job failed", job.kind));
    if transition(
        &txn,
        id,
        &[
            RequestState::Received,
            RequestState::Collecting,
            RequestState::Screening,
            RequestState::Bundling,
        ],
        RequestState::Failed,
        vec![],
    )
    .await?
    {
        audit::append_locked(
            &txn,
            vec![Actor::System.event(
                "request.failed",
                id,
                Some(format!("{} job: {note}", job.kind)),
            )],
        )
        .await?;
    }
    txn.commit().await
}

/// The request a job works for.
pub(crate) fn request_id_of(job: &entities::job::Model) -> Result<String, StepError> {
    job.request_id
        .clone()
        .ok_or_else(|| StepError::Permanent("job has no request".into()))
}

/// The request row, or a permanent error if it is gone.
pub(crate) async fn load_request(
    db: &DatabaseConnection,
    id: &str,
) -> Result<access_request::Model, StepError> {
    access_request::Entity::find_by_id(id.to_owned())
        .one(db)
        .await?
        .ok_or_else(|| StepError::Permanent(format!("request {id} does not exist")))
}

fn state_of(r: &access_request::Model) -> RequestState {
    RequestState::parse(&r.state).unwrap_or(RequestState::Failed)
}

/// A state change by the worker and its audit event, in one transaction.
async fn system_transition(
    db: &DatabaseConnection,
    id: &str,
    from: &[RequestState],
    to: RequestState,
    action: &'static str,
    extra: Vec<(&'static str, Value)>,
) -> Result<bool, DbErr> {
    let _chain = audit::lock_chain().await;
    let txn = crate::services::begin_write(db).await?;
    let moved = transition(&txn, id, from, to, extra).await?;
    if moved {
        audit::append_locked(&txn, vec![Actor::System.event(action, id, None)]).await?;
    }
    txn.commit().await?;
    Ok(moved)
}

/// A state change by the worker with a note on its audit event, in one transaction. Returns
/// whether it moved.
pub(crate) async fn system_transition_noted(
    db: &DatabaseConnection,
    id: &str,
    from: &[RequestState],
    to: RequestState,
    action: &'static str,
    note: Option<String>,
) -> Result<bool, DbErr> {
    let _chain = audit::lock_chain().await;
    let txn = crate::services::begin_write(db).await?;
    let moved = transition(&txn, id, from, to, Vec::new()).await?;
    if moved {
        audit::append_locked(&txn, vec![Actor::System.event(action, id, note)]).await?;
    }
    txn.commit().await?;
    Ok(moved)
}

fn sensitivity_name(s: Sensitivity) -> &'static str {
    match s {
        Sensitivity::IkkeFortrolig => "IkkeFortrolig",
        Sensitivity::Fortrolig => "Fortrolig",
        Sensitivity::Foelsom => "Foelsom",
        Sensitivity::Vip => "Vip",
    }
}

fn kind_name(k: DocumentKind) -> &'static str {
    match k {
        DocumentKind::IncomingLetter => "INCOMING_LETTER",
        DocumentKind::OutgoingLetter => "OUTGOING_LETTER",
        DocumentKind::JournalNote => "JOURNAL_NOTE",
        DocumentKind::Internal => "INTERNAL",
    }
}

fn doc_kind(stored: &str) -> DocKind {
    match stored {
        "INCOMING_LETTER" => DocKind::IncomingLetter,
        "OUTGOING_LETTER" => DocKind::OutgoingLetter,
        "JOURNAL_NOTE" => DocKind::JournalNote,
        _ => DocKind::Internal,
    }
}

/// The legal basis of a stored request.
pub fn legal_basis(stored: &str) -> LegalBasis {
    match stored {
        "PUBLIC_ACCESS" => LegalBasis::PublicAccess,
        "GDPR15" => LegalBasis::Gdpr15,
        _ => LegalBasis::PartyAccess,
    }
}

/// Progress of a job, written at most every 200 ms (and at the end).
struct Progress<'a> {
    services: &'a Arc<Services>,
    job: &'a entities::job::Model,
    done: usize,
    total: usize,
    last: std::time::Instant,
}

impl<'a> Progress<'a> {
    fn new(services: &'a Arc<Services>, job: &'a entities::job::Model) -> Self {
        Self {
            services,
            job,
            done: 0,
            total: 0,
            last: std::time::Instant::now() - std::time::Duration::from_secs(1),
        }
    }
    fn add_total(&mut self, n: usize) {
        self.total += n;
    }
    async fn step(&mut self, note: Option<String>) {
        self.done += 1;
        if self.done == self.total || self.last.elapsed() >= std::time::Duration::from_millis(200) {
            self.last = std::time::Instant::now();
            if let Err(e) = jobs::progress(
                &self.services.store,
                self.job,
                self.done as i32,
                self.total as i32,
                note,
            )
            .await
            {
                tracing::warn!(error = %e, "could not record job progress");
            }
        }
    }
}

/// Approve request `request_id`: every undecided finding takes its proposal (`REDACT` with the
/// legal basis's default ground, `KEEP`), every document without a reviewer's disclosure gets
/// one from its proposal and its redactions (`WITHHELD` stays; any redaction makes it
/// `PARTIAL`; otherwise `FULL`), the request moves `AWAITING_REVIEW → APPROVED`, and its
/// `bundle` job is queued (the next bundle version; `max_attempts` for it). Returns false,
/// changing nothing, if it was not awaiting review. Writes no audit event: the caller appends
/// `request.approved` in the same transaction.
pub async fn release<C: ConnectionTrait>(
    conn: &C,
    request_id: &str,
    actor: &Actor,
    automatic: bool,
    max_attempts: i32,
) -> Result<bool, DbErr> {
    let Some(request) = access_request::Entity::find_by_id(request_id.to_owned())
        .one(conn)
        .await?
    else {
        return Ok(false);
    };
    let at = now();
    let moved = transition(
        conn,
        request_id,
        &[RequestState::AwaitingReview],
        RequestState::Approved,
        vec![
            ("decided_at", at.into()),
            ("decided_by", actor.subject().into()),
            ("auto_released", automatic.into()),
        ],
    )
    .await?;
    if !moved {
        return Ok(false);
    }
    let ground = screen::default_redaction_ground(legal_basis(&request.legal_basis));
    let backend = conn.get_database_backend();
    let p = |i: usize| match backend {
        sea_orm::DbBackend::Postgres => format!("${i}"),
        _ => "?".to_owned(),
    };
    let sql = format!(
        "UPDATE finding SET decision = proposal, \
         ground = CASE WHEN proposal = 'REDACT' THEN {} ELSE NULL END, \
         decided_by = {}, decided_at = {} \
         WHERE request_id = {} AND decision IS NULL AND proposal IN ('REDACT', 'KEEP')",
        p(1),
        p(2),
        p(3),
        p(4)
    );
    conn.execute(Statement::from_sql_and_values(
        backend,
        sql,
        vec![
            ground.into(),
            actor.subject().into(),
            at.into(),
            request_id.into(),
        ],
    ))
    .await?;
    let redacted = "(EXISTS (SELECT 1 FROM finding f WHERE f.document_id = request_document.id AND f.decision = 'REDACT') \
         OR EXISTS (SELECT 1 FROM manual_redaction m WHERE m.document_id = request_document.id))";
    let sql = format!(
        "UPDATE request_document SET \
         disclosure = CASE WHEN proposed_disclosure = 'WITHHELD' THEN 'WITHHELD' WHEN {redacted} THEN 'PARTIAL' ELSE 'FULL' END, \
         ground = CASE WHEN proposed_disclosure = 'WITHHELD' THEN proposed_ground \
                       WHEN {redacted} THEN COALESCE(CASE WHEN proposed_disclosure = 'PARTIAL' THEN proposed_ground END, {}) \
                       ELSE NULL END, \
         decided_by = {}, decided_at = {} \
         WHERE request_id = {} AND disclosure IS NULL",
        p(1),
        p(2),
        p(3),
        p(4)
    );
    conn.execute(Statement::from_sql_and_values(
        backend,
        sql,
        vec![
            ground.into(),
            actor.subject().into(),
            at.into(),
            request_id.into(),
        ],
    ))
    .await?;
    crate::services::bundling::enqueue_bundle(conn, request_id, max_attempts).await?;
    Ok(true)
}
