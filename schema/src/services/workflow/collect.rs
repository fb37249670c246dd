//! Collection: every case where the subject is a party, in every system, with each document's
//! content snapshotted into the blob store.

use super::*;

/// Which of `cases` the request covers: its scope (chosen cases) and, for a third party, the
/// consent's departments.
async fn in_scope(
    db: &DatabaseConnection,
    request: &access_request::Model,
    cases: Vec<Case>,
) -> Result<Vec<Case>, DbErr> {
    let chosen: Option<BTreeSet<String>> = request
        .scope
        .as_deref()
        .and_then(|s| serde_json::from_str::<Vec<String>>(s).ok())
        .map(|v| v.into_iter().collect());
    let consent_scope = match &request.consent_id {
        Some(id) => entities::consent::Entity::find_by_id(id.clone())
            .one(db)
            .await?
            .map(|c| crate::services::consent::Scope::from_stored(&c.scope)),
        None => None,
    };
    Ok(cases
        .into_iter()
        .filter(|c| {
            chosen
                .as_ref()
                .is_none_or(|set| set.contains(&format!("{}/{}", c.system, c.local_id)))
        })
        .filter(|c| match &consent_scope {
            Some(crate::services::consent::Scope::Departments(d)) => {
                d.iter().any(|d| d.eq_ignore_ascii_case(&c.department))
            }
            _ => true,
        })
        .collect())
}

/// Collect every case where the request's subject is a party, in every configured system not
/// yet read for it, with each document's content.
pub(super) async fn collect(
    services: &Arc<Services>,
    job: &entities::job::Model,
) -> Result<(), StepError> {
    let db = &services.store;
    let id = request_id_of(job)?;
    let request = load_request(db, &id).await?;
    let state = state_of(&request);
    if state.is_final() || (request.gap_accepted_reason.is_some() && request.incomplete) {
        // Withdrawn or decided meanwhile, or a caseworker accepted the gap: nothing to fetch.
        return Ok(());
    }
    system_transition(
        db,
        &id,
        &[RequestState::Received],
        RequestState::Collecting,
        "request.collecting",
        vec![],
    )
    .await?;
    let subject = PartyKey::cpr(&request.subject_cpr)
        .ok_or_else(|| StepError::Permanent("request has no valid subject".into()))?;
    let done: BTreeSet<String> = request_system::Entity::find()
        .filter(request_system::Column::RequestId.eq(&id))
        .filter(request_system::Column::State.eq("COLLECTED"))
        .all(db)
        .await?
        .into_iter()
        .map(|r| r.system)
        .collect();
    let mut failures = Vec::new();
    let mut progress = Progress::new(services, job);
    let mut collected_new = false;
    for entry in services.registry.entries() {
        let system = &entry.system;
        let sid = system.id().as_str().to_owned();
        if done.contains(&sid) {
            continue;
        }
        match collect_system(services, &request, &subject, system.as_ref(), &mut progress).await {
            Ok((cases, documents)) => {
                collected_new = true;
                record_system(db, &id, &sid, "COLLECTED", None, cases, documents).await?;
            }
            Err(SystemFailure::Store(e)) => return Err(e),
            Err(SystemFailure::System(e)) => {
                let reason = connectors::error::mask_numbers(&e.to_string());
                record_system(db, &id, &sid, "FAILED", Some(reason.clone()), 0, 0).await?;
                failures.push(format!("{sid}: {reason}"));
            }
        }
    }
    let departments: BTreeSet<String> = request_case::Entity::find()
        .filter(request_case::Column::RequestId.eq(&id))
        .all(db)
        .await?
        .into_iter()
        .map(|c| c.department)
        .collect();
    let departments = serde_json::to_string(&departments).unwrap_or_else(|_| "[]".into());
    let generation = request_system::Entity::find()
        .filter(request_system::Column::RequestId.eq(&id))
        .filter(request_system::Column::State.eq("COLLECTED"))
        .count(db)
        .await?;
    {
        let _chain = audit::lock_chain().await;
        let txn = crate::services::begin_write(db).await?;
        access_request::Entity::update_many()
            .set(access_request::ActiveModel {
                incomplete: Set(!failures.is_empty()),
                departments: Set(departments),
                updated_at: Set(now()),
                ..Default::default()
            })
            .filter(access_request::Column::Id.eq(&id))
            .exec(&txn)
            .await?;
        if collected_new || generation == 0 {
            enqueue_screen(&txn, &id, generation, services.jobs.max_attempts).await?;
        }
        let note = (!failures.is_empty()).then(|| failures.join("; "));
        let action = if failures.is_empty() {
            "request.collected"
        } else {
            "request.incomplete"
        };
        audit::append_locked(&txn, vec![Actor::System.event(action, &id, note)]).await?;
        txn.commit().await?;
    }
    services.wake.notify_waiters();
    if failures.is_empty() {
        Ok(())
    } else {
        Err(StepError::SystemsUnavailable(format!(
            "could not read {}",
            failures.join("; ")
        )))
    }
}

async fn record_system(
    db: &DatabaseConnection,
    request_id: &str,
    system: &str,
    state: &str,
    error: Option<String>,
    cases: usize,
    documents: usize,
) -> Result<(), DbErr> {
    let at = now();
    let row = request_system::ActiveModel {
        request_id: Set(request_id.to_owned()),
        system: Set(system.to_owned()),
        state: Set(state.to_owned()),
        error: Set(error),
        cases: Set(cases as i32),
        documents: Set(documents as i32),
        attempts: Set(1),
        collected_at: Set((state == "COLLECTED").then_some(at)),
        updated_at: Set(at),
    };
    use request_system::Column as C;
    request_system::Entity::insert(row)
        .on_conflict(
            OnConflict::columns([C::RequestId, C::System])
                .update_columns([
                    C::State,
                    C::Error,
                    C::Cases,
                    C::Documents,
                    C::CollectedAt,
                    C::UpdatedAt,
                ])
                .value(
                    C::Attempts,
                    sea_orm::sea_query::Expr::col((request_system::Entity, C::Attempts)).add(1),
                )
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    Ok(())
}

enum SystemFailure {
    System(connectors::Error),
    Store(StepError),
}

impl From<DbErr> for SystemFailure {
    fn from(e: DbErr) -> Self {
        Self::Store(StepError::Store(e))
    }
}

/// Read one system for the request: its cases, their documents, each document's content into
/// the blob store. Documents already collected (by an earlier, interrupted attempt) are skipped.
async fn collect_system(
    services: &Arc<Services>,
    request: &access_request::Model,
    subject: &PartyKey,
    system: &dyn CaseSystem,
    progress: &mut Progress<'_>,
) -> Result<(usize, usize), SystemFailure> {
    let db = &services.store;
    let cases = system
        .cases_for_parties(std::slice::from_ref(subject))
        .await
        .map_err(SystemFailure::System)?;
    let cases: Vec<Case> = in_scope(db, request, cases)
        .await?
        .into_iter()
        .filter(|c| c.has_party(subject))
        .collect();
    if cases.is_empty() {
        return Ok((0, 0));
    }
    let ids: Vec<String> = cases.iter().map(|c| c.local_id.clone()).collect();
    let documents = system
        .documents_of_cases(&ids)
        .await
        .map_err(SystemFailure::System)?;
    let rows: Vec<request_case::ActiveModel> = cases
        .iter()
        .map(|c| request_case::ActiveModel {
            request_id: Set(request.id.clone()),
            system: Set(c.system.as_str().to_owned()),
            local_id: Set(c.local_id.clone()),
            sagsnummer: Set(c.sagsnummer.clone()),
            title: Set(c.title.clone()),
            kle: Set(c.kle.clone()),
            handlingsfacet: Set(c.handlingsfacet.clone()),
            department: Set(c.department.clone()),
            sensitivity: Set(sensitivity_name(c.sensitivity).to_owned()),
            snapshot: Set(serde_json::to_string(c).unwrap_or_default()),
        })
        .collect();
    use request_case::Column as RC;
    for chunk in rows.chunks(200) {
        request_case::Entity::insert_many(chunk.to_vec())
            .on_conflict(
                OnConflict::columns([RC::RequestId, RC::System, RC::LocalId])
                    .do_nothing()
                    .to_owned(),
            )
            .exec_without_returning(db)
            .await?;
    }
    let known: BTreeSet<String> = request_document::Entity::find()
        .filter(request_document::Column::RequestId.eq(&request.id))
        .filter(request_document::Column::System.eq(system.id().as_str()))
        .all(db)
        .await?
        .into_iter()
        .map(|d| d.local_id)
        .collect();
    progress.add_total(documents.len());
    let count = documents.len();
    let todo: Vec<&Document> = documents
        .iter()
        .filter(|d| !known.contains(&d.local_id))
        .collect();
    for _ in 0..count - todo.len() {
        progress.step(None).await;
    }
    // Contents are fetched several at a time (the connector's own concurrency limit still
    // applies) and their rows written a batch at a time; a failure keeps what was stored, and
    // the retry fetches only the rest.
    use futures::StreamExt;
    for batch in todo.chunks(COLLECT_BATCH) {
        // Futures collected first: a stream over a borrowing closure trips the `Send` check
        // of the spawned job (rust-lang/rust#102211).
        let work: Vec<_> = batch
            .iter()
            .map(|doc| fetch(services, request, system, doc))
            .collect();
        let fetched: Vec<Result<request_document::ActiveModel, SystemFailure>> =
            futures::stream::iter(work)
                .buffer_unordered(COLLECT_CONCURRENCY)
                .collect()
                .await;
        let mut rows = Vec::with_capacity(fetched.len());
        let mut failure = None;
        for r in fetched {
            match r {
                Ok(row) => rows.push(row),
                Err(e) => {
                    failure.get_or_insert(e);
                }
            }
        }
        let stored = rows.len();
        if !rows.is_empty() {
            request_document::Entity::insert_many(rows)
                .on_conflict(
                    OnConflict::column(request_document::Column::Id)
                        .do_nothing()
                        .to_owned(),
                )
                .exec_without_returning(db)
                .await?;
        }
        for _ in 0..stored {
            progress
                .step(Some(format!("collecting from {}", system.id())))
                .await;
        }
        if let Some(e) = failure {
            return Err(e);
        }
    }
    Ok((cases.len(), count))
}

/// Documents fetched at once from one system.
const COLLECT_CONCURRENCY: usize = 8;
/// Documents written per statement.
const COLLECT_BATCH: usize = 64;

/// One document's content into the blob store, and its row.
async fn fetch(
    services: &Arc<Services>,
    request: &access_request::Model,
    system: &dyn CaseSystem,
    doc: &Document,
) -> Result<request_document::ActiveModel, SystemFailure> {
    let max = services.aktindsigt.config.max_document_bytes;
    match system.content(&doc.local_id, max).await {
        Ok(content) => {
            let size = content.bytes.len() as i64;
            let hash = services
                .blobs
                .put(content.bytes)
                .await
                .map_err(|e| SystemFailure::Store(StepError::Blobs(e)))?;
            Ok(document_row(
                request,
                doc,
                &content.mime_type,
                hash,
                size,
                None,
            ))
        }
        // Too large to collect: recorded, and a person must look at it in the source.
        Err(connectors::Error::TooLarge { .. }) => Ok(document_row(
            request,
            doc,
            &doc.mime_type,
            String::new(),
            doc.size.unwrap_or(0) as i64,
            Some(format!(
                "larger than the {max} bytes collected per document; see it in the case system"
            )),
        )),
        Err(e) => Err(SystemFailure::System(e)),
    }
}

fn document_row(
    request: &access_request::Model,
    doc: &Document,
    mime_type: &str,
    blob_hash: String,
    size: i64,
    error: Option<String>,
) -> request_document::ActiveModel {
    let review = error.is_some();
    request_document::ActiveModel {
        id: Set(document_row_id(
            &request.id,
            doc.system.as_str(),
            &doc.local_id,
        )),
        request_id: Set(request.id.clone()),
        system: Set(doc.system.as_str().to_owned()),
        local_id: Set(doc.local_id.clone()),
        case_local_id: Set(doc.case_local_id.clone()),
        aktnummer: Set(doc.aktnummer as i32),
        title: Set(doc.title.clone()),
        kind: Set(kind_name(doc.kind).to_owned()),
        letter_date: Set(doc.letter_date),
        mime_type: Set(mime_type.to_owned()),
        sensitivity: Set(sensitivity_name(doc.sensitivity).to_owned()),
        blob_hash: Set(blob_hash),
        blob_size: Set(size),
        screened: Set(false),
        extract_error: Set(error.clone()),
        needs_manual_review: Set(review),
        review_notes: Set(
            serde_json::to_string(&error.into_iter().collect::<Vec<_>>())
                .unwrap_or_else(|_| "[]".into()),
        ),
        page_count: Set(None),
        misfiled: Set(false),
        misfiling_reason: Set(None),
        summary: Set(None),
        proposed_disclosure: Set(None),
        proposed_ground: Set(None),
        proposed_rule: Set(None),
        proposal_note: Set(None),
        disclosure: Set(None),
        ground: Set(None),
        note: Set(None),
        decided_by: Set(None),
        decided_at: Set(None),
    }
}
