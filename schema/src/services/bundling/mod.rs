//! The `bundle` job: an approved request becomes one PDF ([`pipeline::bundle`]) in the blob
//! store and a `bundle` row, then its delivery is queued ([`crate::services::delivery`]).
//! Also what the API asks about bundles: the latest version, downloading one
//! ([`download`], for `GET /bundles/{id}`), and re-issuing a delivered request ([`reopen`]).
//!
//! # The job
//! `APPROVED → BUNDLING`; then every document of the request in case order (sagsnummer, then
//! aktnummer): withheld ones are listed only; disclosed ones are read from the blob store,
//! rendered if they are not PDF, and redacted ([`prepare`]), one at a time on a blocking
//! thread, straight into the bundle writer. A document that cannot be prepared fails the job
//! for good with an error naming it (retrying cannot help; the request's `jobs` show it and it
//! stays `BUNDLING`).
//!
//! # Versions and idempotency
//! The version is fixed when the job is queued ([`enqueue_bundle`], called by
//! [`crate::services::workflow::release`] in the approval's transaction): one more than the
//! request's latest bundle. Everything the bundle is made of is stored (the blobs, the
//! decisions, the decision date), so a re-run makes the same bytes: the same blob, and the
//! `bundle` row is inserted once. A bundle that exists already is not made again.

mod municipality;
pub mod prepare;

use std::collections::BTreeSet;
use std::sync::Arc;

use async_graphql::Result as ApiResult;
use entities::{access_request, bundle, finding, manual_redaction, request_case, request_document};
use pipeline::bundle::{BundleDocument, BundleRequest, ComplaintGuidance};
use pipeline::grounds::LegalGround;
use pipeline::redact::{Rect, Redaction};
use pipeline::render::DocumentMeta;
use pipeline::screen::Disclosure;
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use serde_json::json;

pub use municipality::{DEFAULT_COMPLAINT_GUIDANCE, Municipality, MunicipalityConfig};

use crate::error::{Code, api_error, internal};
use crate::request::RequestCtx;
use crate::services::Services;
use crate::services::aktindsigt::{RequestState, danish_date, departments_of, now};
use crate::services::audit::{Entry, RequestMeta};
use crate::services::jobs::{self, NewJob};
use crate::services::requests;
use crate::services::workflow::{self, StepError};
use crate::viewer::Viewer;

/// Job kind: make a request's bundle.
pub const BUNDLE: &str = "bundle";

/// Queue the bundle of `request_id`: the next version (one more than its latest bundle).
pub async fn enqueue_bundle<C: ConnectionTrait>(
    conn: &C,
    request_id: &str,
    max_attempts: i32,
) -> Result<i32, DbErr> {
    let version = latest(conn, request_id).await?.map_or(1, |b| b.version + 1);
    jobs::enqueue(
        conn,
        NewJob {
            kind: BUNDLE,
            request_id: Some(request_id.to_owned()),
            payload: json!({ "requestId": request_id, "version": version }),
            dedupe_key: Some(format!("bundle:{request_id}:v{version}")),
            run_after: None,
            max_attempts,
        },
    )
    .await?;
    Ok(version)
}

/// The latest bundle of a request.
pub async fn latest<C: ConnectionTrait>(
    conn: &C,
    request_id: &str,
) -> Result<Option<bundle::Model>, DbErr> {
    bundle::Entity::find()
        .filter(bundle::Column::RequestId.eq(request_id))
        .order_by_desc(bundle::Column::Version)
        .one(conn)
        .await
}

/// The bundle version named in a `bundle` or `deliver` job's payload.
pub fn version_of(job: &entities::job::Model) -> Result<i32, StepError> {
    serde_json::from_str::<serde_json::Value>(&job.payload)
        .ok()
        .and_then(|p| p["version"].as_i64())
        .and_then(|v| i32::try_from(v).ok())
        .filter(|v| *v >= 1)
        .ok_or_else(|| StepError::Permanent("the job names no bundle version".into()))
}

/// The aktindsigt's own case number, derived from the request: `AKT-<year received>-<the
/// first eight hex digits of its id>` (`AKT-2026-3F2A9C41`). Printed as the letter's reference
/// and used as the MeMo `CaseID`.
pub fn case_number(request: &access_request::Model) -> String {
    let year = danish_date(request.received_at).format("%Y");
    let short: String = request
        .id
        .chars()
        .filter(char::is_ascii_hexdigit)
        .take(8)
        .collect::<String>()
        .to_uppercase();
    format!("AKT-{year}-{short}")
}

/// The bundle's file name: `aktindsigt-<case number>-v<version>.pdf`.
pub fn file_name(request: &access_request::Model, version: i32) -> String {
    format!("aktindsigt-{}-v{version}.pdf", case_number(request))
}

/// The citizen's name as the collected cases know it.
pub fn citizen_name(cases: &[request_case::Model], cpr: &str) -> Option<String> {
    let key = connectors::PartyKey::Cpr(cpr.to_owned());
    cases.iter().find_map(|c| {
        let case: connectors::Case = serde_json::from_str(&c.snapshot).ok()?;
        case.parties
            .into_iter()
            .find(|p| p.party.key.as_ref() == Some(&key))
            .map(|p| p.party.name)
            .filter(|n| !n.trim().is_empty())
    })
}

/// A system's name as the document list prints it: the configured name without what an
/// operator adds after a dash or in parentheses (`ESDH — Borgerservice (SF1470)` → `ESDH`).
fn short_system_name(name: &str) -> String {
    let cut = name
        .find(" — ")
        .into_iter()
        .chain(name.find(" - "))
        .chain(name.find(" ("))
        .min()
        .unwrap_or(name.len());
    let short = name[..cut].trim();
    if short.is_empty() {
        name.trim().to_owned()
    } else {
        short.to_owned()
    }
}

fn kind_label(stored: &str) -> &'static str {
    match stored {
        "INCOMING_LETTER" => "Indgående brev",
        "OUTGOING_LETTER" => "Udgående brev",
        "JOURNAL_NOTE" => "Journalnotat",
        _ => "Internt dokument",
    }
}

fn disclosure(stored: Option<&str>) -> Disclosure {
    match stored {
        Some("FULL") => Disclosure::Full,
        Some("WITHHELD") => Disclosure::Withheld,
        // Undecided cannot reach here (approval decides every document); partial is the
        // cautious reading of anything else.
        _ => Disclosure::Partial,
    }
}

/// The `bundle` job.
#[tracing::instrument(skip_all, fields(job = job.id))]
pub async fn bundle_job(
    services: &Arc<Services>,
    job: &entities::job::Model,
) -> Result<(), StepError> {
    let id = workflow::request_id_of(job)?;
    let version = version_of(job)?;
    let db = &services.store;
    let request = workflow::load_request(db, &id).await?;
    let state = RequestState::parse(&request.state).unwrap_or(RequestState::Failed);
    let existing = bundle::Entity::find_by_id((id.clone(), version))
        .one(db)
        .await?;
    match state {
        RequestState::Approved => {
            workflow::system_transition_noted(
                db,
                &id,
                &[RequestState::Approved],
                RequestState::Bundling,
                "request.bundling",
                Some(format!("version {version}")),
            )
            .await?;
        }
        RequestState::Bundling => {}
        RequestState::Delivered if existing.is_some() => return Ok(()),
        other => {
            return Err(StepError::Permanent(format!(
                "request {id} is {} and cannot be bundled",
                other.as_str()
            )));
        }
    }
    if existing.is_none() {
        let made = make(services, &request, version).await?;
        let hash = services.blobs.put(made.bytes).await?;
        let txn = crate::services::begin_write(db).await?;
        bundle::Entity::insert(bundle::ActiveModel {
            request_id: Set(id.clone()),
            version: Set(version),
            blob_hash: Set(hash),
            pages: Set(made.summary.pages as i32),
            bytes: Set(made.summary.bytes as i64),
            created_at: Set(now()),
            summary: Set(made.summary_json.to_string()),
        })
        .on_conflict(
            OnConflict::columns([bundle::Column::RequestId, bundle::Column::Version])
                .do_nothing()
                .to_owned(),
        )
        .do_nothing()
        .exec(&txn)
        .await?;
        crate::services::delivery::enqueue_deliver(&txn, &id, version, services.jobs.max_attempts)
            .await?;
        txn.commit().await?;
        tracing::info!(
            version,
            pages = made.summary.pages,
            bytes = made.summary.bytes,
            "bundle made"
        );
    } else {
        crate::services::delivery::enqueue_deliver(db, &id, version, services.jobs.max_attempts)
            .await?;
    }
    services.wake.notify_waiters();
    Ok(())
}

struct Made {
    bytes: Vec<u8>,
    summary: pipeline::bundle::BundleSummary,
    summary_json: serde_json::Value,
}

/// Reads the request's documents and decisions and writes the bundle.
async fn make(
    services: &Arc<Services>,
    request: &access_request::Model,
    version: i32,
) -> Result<Made, StepError> {
    let db = &services.store;
    let cases = request_case::Entity::find()
        .filter(request_case::Column::RequestId.eq(&request.id))
        .all(db)
        .await?;
    let documents = request_document::Entity::find()
        .filter(request_document::Column::RequestId.eq(&request.id))
        .all(db)
        .await?;
    let all_findings = finding::Entity::find()
        .filter(finding::Column::RequestId.eq(&request.id))
        .order_by_asc(finding::Column::DocumentId)
        .order_by_asc(finding::Column::Ordinal)
        .all(db)
        .await?;
    let (findings, kept): (Vec<_>, Vec<_>) = all_findings
        .into_iter()
        .partition(|f| f.decision.as_deref() == Some("REDACT"));
    let manual = manual_redaction::Entity::find()
        .filter(manual_redaction::Column::RequestId.eq(&request.id))
        .order_by_asc(manual_redaction::Column::AddedAt)
        .order_by_asc(manual_redaction::Column::Id)
        .all(db)
        .await?;
    let basis = workflow::legal_basis(&request.legal_basis);
    let default_ground = pipeline::screen::default_redaction_ground(basis);
    let grounds = &services.aktindsigt.grounds;
    let ground = |code: &str| -> Result<LegalGround, StepError> {
        grounds.get(code).cloned().ok_or_else(|| {
            StepError::Permanent(format!("legal ground {code} is not in the grounds table"))
        })
    };
    let system_name = |system: &str| {
        services
            .registry
            .entries()
            .iter()
            .find(|e| e.system.id().as_str() == system)
            .map_or_else(|| system.to_owned(), |e| short_system_name(&e.name))
    };

    let mut plans = Vec::with_capacity(documents.len());
    for doc in documents {
        let case = cases
            .iter()
            .find(|c| c.system == doc.system && c.local_id == doc.case_local_id);
        let (sagsnummer, case_title, department) = case.map_or_else(
            || (doc.case_local_id.clone(), String::new(), String::new()),
            |c| (c.sagsnummer.clone(), c.title.clone(), c.department.clone()),
        );
        let mut codes: Vec<String> = Vec::new();
        let mut push = |code: &str| {
            if !codes.iter().any(|c| c == code) {
                codes.push(code.to_owned());
            }
        };
        let mut disclosed = disclosure(doc.disclosure.as_deref());
        if let Some(g) = &doc.ground {
            push(g);
        }
        let mut cuts = Vec::new();
        let mut rects = Vec::new();
        if disclosed != Disclosure::Withheld {
            for f in findings.iter().filter(|f| f.document_id == doc.id) {
                let code = f
                    .ground
                    .clone()
                    .unwrap_or_else(|| default_ground.to_owned());
                push(&code);
                cuts.push(prepare::FindingCut {
                    text: f.text.clone(),
                    boxes: prepare::parse_boxes(&f.boxes),
                    label: ground(&code)?.paragraph,
                });
            }
            for m in manual.iter().filter(|m| m.document_id == doc.id) {
                push(&m.ground);
                rects.push(Redaction {
                    page: m.page.max(1) as usize,
                    rect: Rect {
                        x0: m.x0 as f32,
                        y0: m.y0 as f32,
                        x1: m.x1 as f32,
                        y1: m.y1 as f32,
                    },
                    label: ground(&m.ground)?.paragraph,
                });
            }
            // A document a reviewer marked FULL while redactions are decided on it is
            // redacted all the same, and listed as partly disclosed.
            if disclosed == Disclosure::Full && !(cuts.is_empty() && rects.is_empty()) {
                disclosed = Disclosure::Partial;
            }
        }
        if disclosed == Disclosure::Full {
            codes.clear();
        } else if codes.is_empty() {
            codes.push(default_ground.to_owned());
        }
        let document_grounds = codes
            .iter()
            .map(|c| ground(c))
            .collect::<Result<Vec<_>, _>>()?;
        let system = system_name(&doc.system);
        plans.push(prepare::Plan {
            meta: DocumentMeta {
                title: doc.title.clone(),
                system: system.clone(),
                case_number: sagsnummer.clone(),
                aktnummer: u32::try_from(doc.aktnummer).ok(),
                date: doc.letter_date,
                kind: kind_label(&doc.kind).to_owned(),
            },
            document: BundleDocument {
                sagsnummer,
                case_title,
                department,
                system_name: system,
                aktnummer: u32::try_from(doc.aktnummer).unwrap_or(0),
                title: doc.title.clone(),
                date: doc.letter_date,
                disclosure: disclosed,
                grounds: document_grounds,
                pdf: None,
            },
            document_id: doc.id.clone(),
            blob_hash: doc.blob_hash.clone(),
            mime_type: doc.mime_type.clone(),
            findings: cuts,
            kept: kept
                .iter()
                .filter(|f| f.document_id == doc.id && f.decision.as_deref() == Some("KEEP"))
                .map(|f| f.text.clone())
                .collect(),
            manual: rects,
        });
    }
    plans.sort_by(|a, b| {
        a.document
            .case_order(&b.document)
            .then_with(|| a.document_id.cmp(&b.document_id))
    });

    let municipality = services.municipality.clone();
    let departments: BTreeSet<String> = departments_of(&request.departments)
        .into_iter()
        .chain(plans.iter().map(|p| p.document.department.clone()))
        .filter(|d| !d.is_empty())
        .collect();
    let previous_version_note = if version > 1 {
        Some(
            reopen_reason(db, &request.id)
                .await?
                .map(|r| format!("Denne version erstatter version {}. {r}", version - 1))
                .unwrap_or_else(|| format!("Denne version erstatter version {}.", version - 1)),
        )
    } else {
        None
    };
    let recipient_name = request
        .requester_name
        .clone()
        .filter(|n| !n.trim().is_empty())
        .or_else(|| citizen_name(&cases, &request.subject_cpr))
        .unwrap_or_else(|| "Modtager".to_owned());
    let bundle_request = BundleRequest {
        municipality: pipeline::bundle::Municipality {
            name: municipality.name.clone(),
            address_lines: municipality.address_lines.clone(),
            cvr: municipality.cvr.clone(),
            contact: municipality.contact.clone(),
            logo_png: municipality.logo.clone(),
        },
        recipient_name,
        recipient_address_lines: Vec::new(),
        request_reference: case_number(request),
        received: danish_date(request.received_at),
        decided: danish_date(request.decided_at.unwrap_or(request.updated_at)),
        legal_basis: basis,
        caseworker_name: None,
        complaint_guidance: departments
            .iter()
            .map(|d| ComplaintGuidance {
                department: d.clone(),
                text: municipality.guidance_for(d),
            })
            .collect(),
        incompleteness_accepted: request.gap_accepted_reason.clone(),
        version: version as u32,
        previous_version_note,
    };

    let blobs = services.blobs.clone();
    let result = tokio::task::spawn_blocking(move || {
        let ids: Vec<String> = plans.iter().map(|p| p.document_id.clone()).collect();
        let mut out = Vec::new();
        let mut failed: Option<String> = None;
        let source = plans.iter().map(|plan| {
            let pdf = prepare::prepare(plan, &blobs).map_err(|e| {
                let message = format!("{}: {e}", plan.name());
                failed = Some(message.clone());
                message
            })?;
            let mut document = plan.document.clone();
            document.pdf = pdf;
            Ok::<_, String>(document)
        });
        let summary = pipeline::bundle::bundle(&bundle_request, source, &mut out);
        match summary {
            Ok(summary) => Ok((out, summary, ids)),
            Err(e) => Err(failed.unwrap_or_else(|| format!("the bundle cannot be made: {e}"))),
        }
    })
    .await
    .map_err(|e| StepError::Permanent(format!("the bundle task failed: {e}")))?;
    let (bytes, summary, ids) = result.map_err(StepError::Permanent)?;
    let documents: Vec<serde_json::Value> = summary
        .documents
        .iter()
        .zip(&ids)
        .map(|(d, id)| {
            json!({
                "documentId": id,
                "sagsnummer": d.sagsnummer,
                "aktnummer": d.aktnummer,
                "disclosure": d.disclosure.name(),
                "firstPage": d.first_page,
                "pages": d.pages,
            })
        })
        .collect();
    let summary_json = json!({
        "pages": summary.pages,
        "frontMatterPages": summary.front_matter_pages,
        "documentPages": summary.document_pages,
        "cases": summary.cases,
        "full": summary.full,
        "partial": summary.partial,
        "withheld": summary.withheld,
        "documents": documents,
    });
    Ok(Made {
        bytes,
        summary,
        summary_json,
    })
}

/// The reason of the latest `request.reopened` event of a request.
async fn reopen_reason<C: ConnectionTrait>(conn: &C, id: &str) -> Result<Option<String>, DbErr> {
    use entities::audit_event::{Column, Entity};
    Ok(Entity::find()
        .filter(Column::ObjectId.eq(id))
        .filter(Column::Action.eq("request.reopened"))
        .order_by_desc(Column::Seq)
        .limit(1)
        .one(conn)
        .await?
        .and_then(|e| e.purpose))
}

/// Reopen a delivered request for a re-issue (caseworkers): `DELIVERED → AWAITING_REVIEW`,
/// decisions kept and editable; approving it again makes the next bundle version, delivered as
/// a new message that refers to the first.
#[tracing::instrument(skip_all, fields(request = id))]
pub async fn reopen(
    rc: &RequestCtx<'_>,
    id: &str,
    reason: &str,
) -> ApiResult<access_request::Model> {
    let request = requests::find_for_caseworker(rc, id).await?;
    let reason = requests::required_text("reason", reason)?;
    let state = requests::state_of(&request)?;
    if state != RequestState::Delivered {
        return Err(requests::conflict("reopening", state));
    }
    let _chain = crate::services::audit::lock_chain().await;
    let txn = requests::begin(rc).await?;
    let moved = crate::services::aktindsigt::transition(
        &txn,
        &request.id,
        &[RequestState::Delivered],
        RequestState::AwaitingReview,
        Vec::new(),
    )
    .await
    .map_err(|e| internal("reopening a request", e))?;
    if !moved {
        return Err(api_error(
            Code::Conflict,
            "the request changed meanwhile; read it again",
        ));
    }
    requests::commit(
        rc,
        txn,
        vec![requests::event(
            "request.reopened",
            &request.id,
            Some(reason),
        )],
    )
    .await?;
    requests::reload(rc, &request.id).await
}

/// A bundle to hand out.
#[derive(Clone, Debug)]
pub struct Download {
    /// The PDF.
    pub bytes: Vec<u8>,
    /// Its file name.
    pub file_name: String,
    /// Its version.
    pub version: i32,
}

/// Why a bundle is not handed out.
#[derive(Debug, thiserror::Error)]
pub enum DownloadError {
    /// No verified identity.
    #[error("a verified identity is required")]
    Unauthenticated,
    /// No such request or bundle, or not visible to the viewer.
    #[error("no bundle with that id (or not visible to you)")]
    NotFound,
    /// The store, blob store or audit log failed.
    #[error("the bundle cannot be read right now")]
    Unavailable,
}

/// The bundle of request `id` (latest version, or `version`) for `viewer`, under the same
/// authorization as `accessRequest(id)` (the requester, the citizen it is about, the
/// request's caseworkers); audited as `bundle.downloaded`. A refusal is audited like any.
#[tracing::instrument(skip(services, viewer, meta))]
pub async fn download(
    services: &Arc<Services>,
    viewer: &Viewer,
    meta: RequestMeta,
    id: &str,
    version: Option<i32>,
) -> Result<Download, DownloadError> {
    if viewer.role == crate::viewer::Role::Anonymous {
        return Err(DownloadError::Unauthenticated);
    }
    let loaders = crate::loaders::Loaders::new(services, viewer, meta);
    let rc = RequestCtx {
        viewer,
        loaders: &loaders,
        services,
    };
    // Not visible and not there look the same (the refusal is audited by `find`).
    let (request, _) = requests::find(&rc, id)
        .await
        .map_err(|_| DownloadError::NotFound)?;
    let row = match version {
        Some(v) => {
            bundle::Entity::find_by_id((request.id.clone(), v))
                .one(&services.store)
                .await
        }
        None => latest(&services.store, &request.id).await,
    }
    .map_err(|e| {
        tracing::error!(error = %e, "reading a bundle");
        DownloadError::Unavailable
    })?
    .ok_or(DownloadError::NotFound)?;
    let bytes = services.blobs.get(&row.blob_hash).await.map_err(|e| {
        tracing::error!(error = %e, "reading a bundle's blob");
        DownloadError::Unavailable
    })?;
    let entry = Entry {
        purpose: Some(format!("version {}", row.version)),
        ..Entry::read("bundle.downloaded", "access_request", request.id.clone())
    };
    rc.loaders.audit(vec![entry]).await.map_err(|_| {
        tracing::error!("the download could not be audited; refused");
        DownloadError::Unavailable
    })?;
    Ok(Download {
        bytes,
        file_name: file_name(&request, row.version),
        version: row.version,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn system_names_lose_what_operators_add() {
        assert_eq!(
            short_system_name("ESDH — Borgerservice, Børn og Familie (SF1470)"),
            "ESDH"
        );
        assert_eq!(short_system_name("Omsorgssystem (REST)"), "Omsorgssystem");
        assert_eq!(short_system_name("KMD Sag"), "KMD Sag");
        assert_eq!(short_system_name(" (x)"), "(x)");
    }

    #[test]
    fn the_case_number_is_derived_from_the_request() {
        let at = chrono::DateTime::parse_from_rfc3339("2026-12-31T23:30:00Z")
            .map(|d| d.with_timezone(&chrono::Utc))
            .unwrap_or_default();
        let request = access_request::Model {
            id: "3f2a9c41-0000-4000-8000-000000000000".into(),
            idempotency_key: None,
            requester_subject: "c".into(),
            requester_role: "citizen".into(),
            requester_name: None,
            subject_cpr: "0000000000".into(),
            consent_id: None,
            legal_basis: "PARTY_ACCESS".into(),
            scope: None,
            state: "DELIVERED".into(),
            incomplete: false,
            gap_accepted_reason: None,
            gap_accepted_by: None,
            automation: None,
            departments: "[]".into(),
            assignee_subject: None,
            received_at: at,
            deadline: at.date_naive(),
            notice_expected_by: None,
            notice_reason: None,
            notice_sent_at: None,
            decided_at: None,
            decided_by: None,
            decision_note: None,
            auto_released: false,
            updated_at: at,
        };
        // 23:30 UTC on New Year's Eve is already 2027 in Denmark.
        assert_eq!(case_number(&request), "AKT-2027-3F2A9C41");
        assert_eq!(
            file_name(&request, 2),
            "aktindsigt-AKT-2027-3F2A9C41-v2.pdf"
        );
    }
}
