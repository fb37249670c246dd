//! Screening: text extraction, personal-data detection with the requester as subject, the
//! misfiling check, rule proposals; then review or automatic release.

use super::*;

/// What screening needs to know about the request's cases.
struct CaseContext {
    profile: SubjectProfile,
    cases: HashMap<(String, String), (Case, CaseParties)>,
}

fn case_context(subject: &PartyKey, cases: &[request_case::Model]) -> CaseContext {
    let mut profile = SubjectProfile::default();
    if let PartyKey::Cpr(d) = subject {
        profile.cprs.push(d.clone());
    }
    let mut names = BTreeSet::new();
    let mut addresses = BTreeSet::new();
    let mut staff = BTreeSet::new();
    let mut map = HashMap::new();
    for row in cases {
        let Ok(case) = serde_json::from_str::<Case>(&row.snapshot) else {
            continue;
        };
        let mut parties = CaseParties {
            cprs: Vec::new(),
            names: Vec::new(),
        };
        for p in &case.parties {
            if p.party.key.as_ref() == Some(subject) {
                names.insert(p.party.name.clone());
                if let Some(a) = &p.party.address {
                    addresses.insert(a.clone());
                }
            }
            if let Some(PartyKey::Cpr(d)) = &p.party.key {
                parties.cprs.push(d.clone());
            }
            parties.names.push(p.party.name.clone());
        }
        if let Some(w) = &case.caseworker {
            staff.insert(w.clone());
        }
        map.insert((row.system.clone(), row.local_id.clone()), (case, parties));
    }
    profile.names = names.into_iter().collect();
    profile.addresses = addresses.into_iter().collect();
    profile.staff_names = staff.into_iter().collect();
    CaseContext {
        profile,
        cases: map,
    }
}

/// Screen every collected, unscreened document of the request; then hand it to review, or
/// release it where the automation policy allows.
pub(super) async fn screen_request(
    services: &Arc<Services>,
    job: &entities::job::Model,
) -> Result<(), StepError> {
    let db = &services.store;
    let id = request_id_of(job)?;
    let request = load_request(db, &id).await?;
    let state = state_of(&request);
    if !matches!(
        state,
        RequestState::Collecting | RequestState::Screening | RequestState::AwaitingReview
    ) {
        return Ok(());
    }
    let subject = PartyKey::cpr(&request.subject_cpr)
        .ok_or_else(|| StepError::Permanent("request has no valid subject".into()))?;
    let basis = legal_basis(&request.legal_basis);
    let mut progress = Progress::new(services, job);
    loop {
        let pending = request_document::Entity::find()
            .filter(request_document::Column::RequestId.eq(&id))
            .filter(request_document::Column::Screened.eq(false))
            .order_by_asc(request_document::Column::System)
            .order_by_asc(request_document::Column::CaseLocalId)
            .order_by_asc(request_document::Column::Aktnummer)
            .all(db)
            .await?;
        if pending.is_empty() {
            break;
        }
        system_transition(
            db,
            &id,
            &[RequestState::Collecting, RequestState::AwaitingReview],
            RequestState::Screening,
            "request.screening",
            vec![],
        )
        .await?;
        let cases = request_case::Entity::find()
            .filter(request_case::Column::RequestId.eq(&id))
            .all(db)
            .await?;
        let context = Arc::new(case_context(&subject, &cases));
        progress.add_total(pending.len());
        // Documents are screened a few at a time (extraction and detection run on the blocking
        // pool, one per core) and stored a batch per transaction.
        use futures::StreamExt;
        let parallel = std::thread::available_parallelism().map_or(2, |n| n.get());
        for batch in pending.chunks(SCREEN_BATCH) {
            // Futures collected first: a stream over a borrowing closure trips the `Send`
            // check of the spawned job (rust-lang/rust#102211).
            let work: Vec<_> = batch
                .iter()
                .map(|doc| screen_document(services, &context, doc, basis))
                .collect();
            let screened: Vec<Result<Screened, StepError>> = futures::stream::iter(work)
                .buffered(parallel)
                .collect()
                .await;
            let mut done = Vec::with_capacity(batch.len());
            for (doc, s) in batch.iter().zip(screened) {
                done.push((doc.id.clone(), s?));
            }
            store_screening(db, done).await?;
            for _ in batch {
                progress.step(Some("screening".into())).await;
            }
        }
    }
    // Every collected document is screened: hand over to review.
    let request = load_request(db, &id).await?;
    let departments = aktindsigt::departments_of(&request.departments);
    let automation = screen::strictest(
        departments
            .iter()
            .map(|d| services.aktindsigt.automation_of(d)),
    );
    let automation = if departments.is_empty() {
        // Nothing found: no department's policy applies; the default does.
        services.aktindsigt.config.default_automation
    } else {
        automation
    };
    // The policy in force may change when a system read late adds a department.
    access_request::Entity::update_many()
        .set(access_request::ActiveModel {
            automation: Set(Some(automation.name().to_owned())),
            ..Default::default()
        })
        .filter(access_request::Column::Id.eq(&id))
        .exec(db)
        .await?;
    let blocked_by_gap = request.incomplete && request.gap_accepted_reason.is_none();
    let release_now = !blocked_by_gap
        && automation != Automation::Manual
        && screen::may_release_without_review(
            automation,
            &outcomes(
                db,
                &id,
                automation,
                services.aktindsigt.config.auto_threshold,
            )
            .await?,
        );
    // Screened and, where the policy allows, released in the same transaction: nobody sees
    // an automatic request waiting for a review that will not come.
    let _chain = audit::lock_chain().await;
    let txn = crate::services::begin_write(db).await?;
    let mut events = Vec::new();
    if transition(
        &txn,
        &id,
        &[RequestState::Collecting, RequestState::Screening],
        RequestState::AwaitingReview,
        vec![],
    )
    .await?
    {
        events.push(Actor::System.event("request.screened", &id, None));
    }
    if release_now && release(&txn, &id, &Actor::System, true, services.jobs.max_attempts).await? {
        events.push(Actor::System.event(
            "request.approved",
            &id,
            Some(format!("released automatically ({})", automation.name())),
        ));
    }
    audit::append_locked(&txn, events).await?;
    txn.commit().await?;
    Ok(())
}

/// Each document's outcome for the automation decision. A suspected misfiling counts as
/// needing a person: a document about another citizen must never go out unseen.
async fn outcomes(
    db: &DatabaseConnection,
    id: &str,
    automation: Automation,
    auto_threshold: f32,
) -> Result<Vec<DocOutcome>, DbErr> {
    let docs = request_document::Entity::find()
        .filter(request_document::Column::RequestId.eq(id))
        .all(db)
        .await?;
    Ok(docs
        .into_iter()
        .map(|d| {
            let summary: serde_json::Value = d
                .summary
                .as_deref()
                .and_then(|s| serde_json::from_str(s).ok())
                .unwrap_or_default();
            let attention: u64 = summary["attention"]
                .as_array()
                .map(|a| a.iter().filter_map(|k| k["count"].as_u64()).sum())
                .unwrap_or(0);
            // Text read by OCR is not "clean" for AUTO_WHEN_CLEAN: a person checks it.
            let ocr_unseen = automation == Automation::AutoWhenClean
                && summary["ocr"].as_bool().unwrap_or(false);
            // AUTO_WHEN_CLEAN counts what was found at or above `auto_threshold`; proposals
            // below it are still applied on release.
            let proposed = summary["redactionsProposed"].as_u64().unwrap_or(0) as usize;
            let strongest = summary["maxRedactConfidence"].as_f64().unwrap_or(1.0);
            let redactions_proposed = if strongest >= f64::from(auto_threshold) {
                proposed
            } else {
                0
            };
            DocOutcome {
                needs_manual_review: d.needs_manual_review || d.misfiled || ocr_unseen,
                misfiled: d.misfiled,
                redactions_proposed,
                attention_points: attention as usize,
                withheld: d.proposed_disclosure.as_deref() == Some("WITHHELD"),
            }
        })
        .collect())
}

/// What screening found in one document.
struct Screened {
    findings: Vec<finding::ActiveModel>,
    extract_error: Option<String>,
    needs_manual_review: bool,
    review_notes: Vec<String>,
    page_count: Option<i32>,
    misfiling: Option<String>,
    summary: serde_json::Value,
    disclosure: &'static str,
    ground: Option<String>,
    rule: Option<String>,
    note: Option<String>,
}

async fn screen_document(
    services: &Arc<Services>,
    context: &Arc<CaseContext>,
    doc: &request_document::Model,
    basis: LegalBasis,
) -> Result<Screened, StepError> {
    let config = &services.aktindsigt;
    let case = context
        .cases
        .get(&(doc.system.clone(), doc.case_local_id.clone()));
    let (kle, facet, department) = case
        .map(|(c, _)| {
            (
                c.kle.clone(),
                c.handlingsfacet.clone(),
                c.department.clone(),
            )
        })
        .unwrap_or_default();
    let rule = config.rules.propose(&DocFacts {
        kle: &kle,
        handlingsfacet: facet.as_deref(),
        department: &department,
        kind: doc_kind(&doc.kind),
        legal_basis: basis,
    });
    let mut out = Screened {
        findings: Vec::new(),
        extract_error: doc.extract_error.clone(),
        needs_manual_review: doc.needs_manual_review,
        review_notes: serde_json::from_str(&doc.review_notes).unwrap_or_default(),
        page_count: None,
        misfiling: None,
        summary: json!({"own":0,"staff":0,"otherPersons":0,"unknown":0,"redactionsProposed":0,"attention":[]}),
        disclosure: rule.disclosure.name(),
        ground: rule.ground.clone(),
        rule: rule.rule.clone(),
        note: rule.note.clone(),
    };
    if doc.blob_hash.is_empty() {
        out.needs_manual_review = true;
        return Ok(out);
    }
    let bytes = services.blobs.get(&doc.blob_hash).await?;
    let mime = doc.mime_type.clone();
    let ocr = services.ocr.clone();
    let context2 = context.clone();
    let threshold = config.config.redaction_threshold;
    // Extraction and detection are CPU work: off the async threads.
    let analysed = tokio::task::spawn_blocking(move || {
        let options = pipeline::extract::ExtractOptions {
            ocr: ocr.as_deref(),
            ..Default::default()
        };
        let extracted = pipeline::extract::extract(&bytes, &mime, &options)?;
        let found = pipeline::detect::detect(&extracted.text, Some(&context2.profile));
        let proposals: Vec<FindingProposal> = found
            .iter()
            .map(|f| screen::propose_finding(f, threshold))
            .collect();
        Ok::<_, pipeline::extract::ExtractError>((extracted, found, proposals))
    })
    .await
    .map_err(|e| StepError::Permanent(format!("screening panicked: {e}")))?;
    let (extracted, found, proposals) = match analysed {
        Ok(a) => a,
        Err(e) => {
            // This document is flagged; the rest of the request proceeds.
            out.extract_error = Some(e.to_string());
            out.needs_manual_review = true;
            out.review_notes
                .push(format!("the text could not be extracted: {e}"));
            return Ok(out);
        }
    };
    out.page_count = Some(extracted.pages.len() as i32);
    if let pipeline::extract::ExtractStatus::NeedsManualReview(notes) = &extracted.status {
        out.needs_manual_review = true;
        for n in notes.iter() {
            out.review_notes.push(review_note(n));
        }
    }
    let read_by_ocr = extracted.pages.iter().any(|p| p.ocr);
    if read_by_ocr {
        out.review_notes.push(
            "scanned pages were read by OCR, which can misread numbers: check them by eye".into(),
        );
    }
    if let Some((_, parties)) = case {
        out.misfiling = screen::misfiling(&found, parties).map(|m| m.reason);
    }
    let summary = screen::summarize(&found, threshold);
    out.summary = json!({
        "own": summary.own,
        "staff": summary.staff,
        "otherPersons": summary.other_persons,
        "unknown": summary.unknown,
        "redactionsProposed": summary.redactions_proposed,
        "maxRedactConfidence": summary.max_redact_confidence,
        "ocr": read_by_ocr,
        "attention": summary.attention.iter().map(|(k, n)| json!({"kind": k.name(), "count": n})).collect::<Vec<_>>(),
    });
    let doc_proposal = screen::propose_document(&rule, summary.redactions_proposed, basis);
    out.disclosure = doc_proposal.disclosure.name();
    out.ground = doc_proposal.ground;
    out.rule = doc_proposal.rule;
    out.note = doc_proposal.note;
    for (ordinal, (f, proposal)) in found.iter().zip(proposals).enumerate() {
        out.findings
            .push(finding_row(doc, ordinal, f, proposal, &extracted));
    }
    Ok(out)
}

fn review_note(note: &pipeline::extract::ReviewNote) -> String {
    use pipeline::extract::ReviewReason as R;
    let what = match &note.reason {
        R::NoTextLayer => "no text layer (a scan): read it and redact by hand".to_owned(),
        R::UnsupportedImage(k) => format!("no text layer and an image OCR cannot read ({k})"),
        R::OcrFailed(e) => format!("OCR failed: {e}"),
        R::OcrFoundNothing => "OCR found no text on a page with an image".to_owned(),
        R::OcrLowConfidence(c) => format!("OCR is unsure of the text (confidence {c} of 100)"),
        R::VectorContentWithoutText => "drawn content but no text (text as outlines?)".to_owned(),
        R::AttachmentNotExtracted { name, detail } => {
            format!("attachment {name} was not read: {detail}")
        }
        R::PageUnreadable(e) => format!("the page could not be read: {e}"),
    };
    match note.page {
        Some(p) => format!("page {p}: {what}"),
        None => what,
    }
}

fn category_name(c: Category) -> (&'static str, Option<&'static str>) {
    match c {
        Category::Attention(k) => ("ATTENTION", Some(k.name())),
        other => (other.label(), None),
    }
}

fn owner_name(o: Owner) -> &'static str {
    match o {
        Owner::Own => "OWN",
        Owner::Staff => "STAFF",
        Owner::OtherPerson => "OTHER_PERSON",
        Owner::Unknown => "UNKNOWN",
    }
}

fn finding_row(
    doc: &request_document::Model,
    ordinal: usize,
    f: &Detected,
    proposal: FindingProposal,
    extracted: &pipeline::extract::Extracted,
) -> finding::ActiveModel {
    let (category, attention) = category_name(f.category);
    let boxes = extracted.boxes_for(f.start..f.end);
    let page = boxes.first().map(|(p, _)| *p as i32).or_else(|| {
        extracted
            .pages
            .iter()
            .find(|p| p.text_range.contains(&f.start))
            .map(|p| p.number as i32)
    });
    let boxes_json: Vec<serde_json::Value> = boxes
        .iter()
        .map(|(p, r)| json!([p, r.x0, r.y0, r.x1, r.y1]))
        .collect();
    let (before, after) = screen::context(&extracted.text, f.start, f.end, 8);
    finding::ActiveModel {
        id: Set(format!("{}:{ordinal}", doc.id)),
        request_id: Set(doc.request_id.clone()),
        document_id: Set(doc.id.clone()),
        ordinal: Set(ordinal as i32),
        category: Set(category.to_owned()),
        attention_kind: Set(attention.map(str::to_owned)),
        owner: Set(owner_name(f.owner).to_owned()),
        char_start: Set(f.char_start as i32),
        char_end: Set(f.char_end as i32),
        text: Set(f.text.clone()),
        confidence: Set(f64::from(f.confidence)),
        reason: Set(f.reason.to_owned()),
        page: Set(page),
        boxes: Set(serde_json::Value::from(boxes_json).to_string()),
        context_before: Set(before),
        context_after: Set(after),
        proposal: Set(proposal.name().to_owned()),
        decision: Set(None),
        ground: Set(None),
        decided_by: Set(None),
        decided_at: Set(None),
    }
}

/// Documents stored per transaction.
const SCREEN_BATCH: usize = 16;

/// Replace each document's findings and mark it screened, a batch in one transaction: a crash
/// leaves every document either unscreened with no findings, or screened with all of them.
async fn store_screening(
    db: &DatabaseConnection,
    batch: Vec<(String, Screened)>,
) -> Result<(), DbErr> {
    let txn = crate::services::begin_write(db).await?;
    for (doc_id, s) in batch {
        finding::Entity::delete_many()
            .filter(finding::Column::DocumentId.eq(&doc_id))
            .exec(&txn)
            .await?;
        for chunk in s.findings.chunks(200) {
            finding::Entity::insert_many(chunk.to_vec())
                .exec_without_returning(&txn)
                .await?;
        }
        request_document::Entity::update_many()
            .set(request_document::ActiveModel {
                screened: Set(true),
                extract_error: Set(s.extract_error),
                needs_manual_review: Set(s.needs_manual_review),
                review_notes: Set(
                    serde_json::to_string(&s.review_notes).unwrap_or_else(|_| "[]".into())
                ),
                page_count: Set(s.page_count),
                misfiled: Set(s.misfiling.is_some()),
                misfiling_reason: Set(s.misfiling),
                summary: Set(Some(s.summary.to_string())),
                proposed_disclosure: Set(Some(s.disclosure.to_owned())),
                proposed_ground: Set(s.ground),
                proposed_rule: Set(s.rule),
                proposal_note: Set(s.note),
                ..Default::default()
            })
            .filter(request_document::Column::Id.eq(&doc_id))
            .exec(&txn)
            .await?;
    }
    txn.commit().await
}
