//! In-process schema tests of the request lifecycle and review: `schema.execute` against a
//! real SQLite store, with screened requests simulated by rows inserted directly.

use std::sync::Arc;

use async_graphql::{Request, Variables};
use chrono::{DateTime, Duration, TimeZone, Utc};
use connectors::{PartyKey, Registry, Sensitivity};
use entities::{access_request, audit_event, finding, request_case, request_document};
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};

use crate::Services;
use crate::ids::GlobalId;
use crate::services::aktindsigt::{Aktindsigt, danish_date};
use crate::services::audit::RequestMeta;
use crate::services::consent::{self, NewConsent, Scope};
use crate::viewer::Viewer;

const CITIZEN_CPR: &str = "0101801234";

pub(crate) async fn services() -> Arc<Services> {
    let dir = std::env::temp_dir().join(format!("sagshub-requests-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let url = format!("sqlite://{}?mode=rwc", dir.join("store.db").display());
    let store = sea_orm::Database::connect(&url).await.expect("sqlite");
    <migration::Migrator as migration::MigratorTrait>::up(&store, None)
        .await
        .expect("migrations");
    Arc::new(Services {
        registry: Registry::new(vec![]),
        store,
        limits: crate::Limits::default(),
        ids: crate::ids::IdSealer::new(b"test secret"),
        aktindsigt: Arc::new(Aktindsigt::default()),
        jobs: Default::default(),
        index: Default::default(),
        blobs: crate::services::blobs::BlobStore::new(dir.join("blobs")),
        wake: Arc::new(tokio::sync::Notify::new()),
        ocr: None,
        municipality: Arc::new(Default::default()),
        delivery: Arc::new(
            crate::services::delivery::Delivery::new(
                crate::services::delivery::DeliveryConfig::default(),
                &dir.join("blobs"),
            )
            .expect("delivery"),
        ),
    })
}

fn citizen() -> Viewer {
    Viewer::citizen("citizen-1", PartyKey::cpr(CITIZEN_CPR).expect("cpr"))
}

fn third_party() -> Viewer {
    Viewer {
        subject: Some("lawyer-1".into()),
        role: crate::Role::ThirdParty,
        cpr: None,
        departments: vec![],
        clearance: Sensitivity::IkkeFortrolig,
    }
}

fn caseworker(department: &str) -> Viewer {
    Viewer::caseworker(
        format!("cw-{department}"),
        vec![department.to_owned()],
        Sensitivity::Foelsom,
    )
}

async fn run(services: &Arc<Services>, viewer: Viewer, query: &str, vars: Value) -> Value {
    let schema = crate::build(services.clone());
    let request = crate::prepare(
        Request::new(query).variables(Variables::from_json(vars)),
        viewer,
        RequestMeta::default(),
        services,
    );
    serde_json::to_value(schema.execute(request).await).expect("json")
}

fn code(response: &Value) -> Option<&str> {
    response["errors"][0]["extensions"]["code"].as_str()
}

fn gid(kind: &str, id: &str) -> String {
    match kind {
        "AccessRequest" => GlobalId::AccessRequest { id: id.into() },
        "RequestItem" => GlobalId::RequestItem { id: id.into() },
        _ => GlobalId::Finding { id: id.into() },
    }
    .encode()
}

const SUBMIT: &str = r#"mutation($input: SubmitAccessRequestInput!) {
  submitAccessRequest(input: $input) {
    created
    accessRequest { id state legalBasis subject deadline receivedAt requester { role name } jobs { kind state } }
  }
}"#;

/// A request row in `state`, as collection and screening would have left it.
async fn insert_request(
    services: &Services,
    id: &str,
    state: &str,
    departments: &[&str],
    received_at: DateTime<Utc>,
) -> access_request::Model {
    let row = access_request::ActiveModel {
        id: Set(id.to_owned()),
        idempotency_key: Set(None),
        requester_subject: Set("citizen-1".into()),
        requester_role: Set("citizen".into()),
        requester_name: Set(None),
        subject_cpr: Set(CITIZEN_CPR.into()),
        consent_id: Set(None),
        legal_basis: Set("PARTY_ACCESS".into()),
        scope: Set(None),
        state: Set(state.into()),
        incomplete: Set(false),
        gap_accepted_reason: Set(None),
        gap_accepted_by: Set(None),
        automation: Set(Some("MANUAL".into())),
        departments: Set(serde_json::to_string(departments).expect("json")),
        assignee_subject: Set(None),
        received_at: Set(received_at),
        deadline: Set(pipeline::deadline::access_deadline(
            danish_date(received_at),
            &services.aktindsigt.calendar,
        )),
        notice_expected_by: Set(None),
        notice_reason: Set(None),
        notice_sent_at: Set(None),
        decided_at: Set(None),
        decided_by: Set(None),
        decision_note: Set(None),
        auto_released: Set(false),
        updated_at: Set(received_at),
    };
    access_request::Entity::insert(row)
        .exec_with_returning(&services.store)
        .await
        .expect("insert request")
}

async fn insert_case(services: &Services, request_id: &str, local_id: &str, department: &str) {
    let row = request_case::ActiveModel {
        request_id: Set(request_id.into()),
        system: Set("esdh".into()),
        local_id: Set(local_id.into()),
        sagsnummer: Set(format!("2026-{local_id}")),
        title: Set("Sag".into()),
        kle: Set("27.24.00".into()),
        handlingsfacet: Set(None),
        department: Set(department.into()),
        sensitivity: Set("IkkeFortrolig".into()),
        snapshot: Set("{}".into()),
    };
    request_case::Entity::insert(row)
        .exec_without_returning(&services.store)
        .await
        .expect("insert case");
}

async fn insert_doc(
    services: &Services,
    request_id: &str,
    id: &str,
    case_local_id: &str,
    needs_manual_review: bool,
) {
    let row = request_document::ActiveModel {
        id: Set(id.into()),
        request_id: Set(request_id.into()),
        system: Set("esdh".into()),
        local_id: Set(id.into()),
        case_local_id: Set(case_local_id.into()),
        aktnummer: Set(1),
        title: Set("Brev".into()),
        kind: Set("INCOMING_LETTER".into()),
        letter_date: Set(None),
        mime_type: Set("application/pdf".into()),
        sensitivity: Set("IkkeFortrolig".into()),
        blob_hash: Set("0".repeat(64)),
        blob_size: Set(10),
        screened: Set(true),
        extract_error: Set(None),
        needs_manual_review: Set(needs_manual_review),
        review_notes: Set("[]".into()),
        page_count: Set(Some(2)),
        misfiled: Set(false),
        misfiling_reason: Set(None),
        summary: Set(Some(
            json!({"own":1,"staff":0,"otherPersons":1,"unknown":0,"redactionsProposed":1,
                   "attention":[{"kind":"health","count":1}]})
            .to_string(),
        )),
        proposed_disclosure: Set(Some("PARTIAL".into())),
        proposed_ground: Set(Some("FVL_15B_1".into())),
        proposed_rule: Set(None),
        proposal_note: Set(None),
        disclosure: Set(None),
        ground: Set(None),
        note: Set(None),
        decided_by: Set(None),
        decided_at: Set(None),
    };
    request_document::Entity::insert(row)
        .exec_without_returning(&services.store)
        .await
        .expect("insert document");
}

async fn insert_finding(
    services: &Services,
    request_id: &str,
    doc: &str,
    ordinal: i32,
    category: &str,
    kind: Option<&str>,
) -> String {
    let id = format!("{doc}:{ordinal}");
    let row = finding::ActiveModel {
        id: Set(id.clone()),
        request_id: Set(request_id.into()),
        document_id: Set(doc.into()),
        ordinal: Set(ordinal),
        category: Set(category.into()),
        attention_kind: Set(kind.map(str::to_owned)),
        owner: Set("OTHER_PERSON".into()),
        char_start: Set(0),
        char_end: Set(4),
        text: Set("Hans".into()),
        confidence: Set(0.9),
        reason: Set("name list".into()),
        page: Set(Some(1)),
        boxes: Set("[[1,10,10,40,20]]".into()),
        context_before: Set("naboen".into()),
        context_after: Set("ringede".into()),
        proposal: Set("REDACT".into()),
        decision: Set(None),
        ground: Set(None),
        decided_by: Set(None),
        decided_at: Set(None),
    };
    finding::Entity::insert(row)
        .exec_without_returning(&services.store)
        .await
        .expect("insert finding");
    id
}

async fn actions(services: &Services) -> Vec<(String, String)> {
    audit_event::Entity::find()
        .all(&services.store)
        .await
        .expect("audit")
        .into_iter()
        .map(|e| (e.action, e.outcome))
        .collect()
}

#[tokio::test]
async fn a_citizen_resubmitting_with_the_same_key_gets_the_same_single_request() {
    let s = services().await;
    let input = json!({"input": {"legalBasis": "PARTY_ACCESS", "idempotencyKey": "form-1"}});
    let first = run(&s, citizen(), SUBMIT, input.clone()).await;
    assert!(first["errors"].is_null(), "{first}");
    let payload = &first["data"]["submitAccessRequest"];
    assert_eq!(payload["created"], true);
    let request = &payload["accessRequest"];
    assert_eq!(request["state"], "RECEIVED");
    assert_eq!(request["legalBasis"], "PARTY_ACCESS");
    assert_eq!(request["subject"], "010180-1234");
    assert_eq!(request["requester"]["role"], "citizen");
    assert_eq!(request["jobs"][0]["kind"], "collect");
    let received: DateTime<Utc> =
        serde_json::from_value(request["receivedAt"].clone()).expect("date");
    let expected =
        pipeline::deadline::access_deadline(danish_date(received), &s.aktindsigt.calendar);
    assert_eq!(request["deadline"], expected.to_string());

    let again = run(&s, citizen(), SUBMIT, input.clone()).await;
    assert_eq!(again["data"]["submitAccessRequest"]["created"], false);
    assert_eq!(
        again["data"]["submitAccessRequest"]["accessRequest"]["id"],
        request["id"]
    );

    // Two submits at once with a new key: still one request.
    let input2 = json!({"input": {"legalBasis": "PARTY_ACCESS", "idempotencyKey": "form-2"}});
    let (a, b) = tokio::join!(
        run(&s, citizen(), SUBMIT, input2.clone()),
        run(&s, citizen(), SUBMIT, input2.clone())
    );
    let created = [&a, &b]
        .iter()
        .filter(|r| r["data"]["submitAccessRequest"]["created"] == true)
        .count();
    assert_eq!(created, 1, "{a} {b}");
    assert_eq!(
        a["data"]["submitAccessRequest"]["accessRequest"]["id"],
        b["data"]["submitAccessRequest"]["accessRequest"]["id"]
    );
    assert_eq!(
        access_request::Entity::find()
            .count(&s.store)
            .await
            .expect("count"),
        2
    );
    let mine = run(
        &s,
        citizen(),
        "{ myAccessRequests { totalCount nodes { state } } }",
        json!({}),
    )
    .await;
    assert_eq!(mine["data"]["myAccessRequests"]["totalCount"], 2, "{mine}");
    let submitted = actions(&s).await;
    assert_eq!(
        submitted
            .iter()
            .filter(|(a, _)| a == "request.submitted")
            .count(),
        2
    );
}

#[tokio::test]
async fn a_third_party_without_a_valid_consent_is_forbidden_and_the_denial_audited() {
    let s = services().await;
    let input = json!({"input": {"legalBasis": "PARTY_ACCESS", "onBehalfOfCpr": "010180-1234"}});
    let refused = run(&s, third_party(), SUBMIT, input.clone()).await;
    assert_eq!(code(&refused), Some("FORBIDDEN"), "{refused}");
    assert!(
        actions(&s)
            .await
            .contains(&("access.denied".into(), "denied".into()))
    );

    // An expired consent does not help.
    let now = Utc::now();
    let grant = |from: DateTime<Utc>, until: DateTime<Utc>| NewConsent {
        citizen: PartyKey::cpr(CITIZEN_CPR).expect("cpr"),
        grantee_subject: "lawyer-1".into(),
        grantee_name: "Advokat Hansen".into(),
        scope: Scope::All,
        valid_from: from,
        valid_until: until,
        registered_by: "citizen-1".into(),
    };
    consent::register(
        &s.store,
        grant(now - Duration::days(30), now - Duration::days(1)),
    )
    .await
    .expect("consent");
    let expired = run(&s, third_party(), SUBMIT, input.clone()).await;
    assert_eq!(code(&expired), Some("FORBIDDEN"), "{expired}");
    assert_eq!(
        access_request::Entity::find()
            .count(&s.store)
            .await
            .expect("count"),
        0
    );

    // A valid one does; the request names the third party and the consent.
    let valid = consent::register(
        &s.store,
        grant(now - Duration::days(1), now + Duration::days(30)),
    )
    .await
    .expect("consent");
    let ok = run(&s, third_party(), SUBMIT, input).await;
    assert!(ok["errors"].is_null(), "{ok}");
    let request = &ok["data"]["submitAccessRequest"]["accessRequest"];
    assert_eq!(request["requester"]["name"], "Advokat Hansen");
    assert_eq!(request["requester"]["role"], "third_party");
    let row = access_request::Entity::find()
        .one(&s.store)
        .await
        .expect("read")
        .expect("row");
    assert_eq!(row.consent_id.as_deref(), Some(valid.id.as_str()));
}

#[tokio::test]
async fn staff_cannot_submit() {
    let s = services().await;
    let input = json!({"input": {"legalBasis": "PUBLIC_ACCESS"}});
    let r = run(&s, caseworker("BF"), SUBMIT, input.clone()).await;
    assert_eq!(code(&r), Some("FORBIDDEN"));
    let r = run(&s, Viewer::anonymous(), SUBMIT, input).await;
    assert_eq!(code(&r), Some("UNAUTHENTICATED"));
}

const APPROVE: &str = "mutation($id: ID!) { approveAccessRequest(id: $id) { accessRequest { state decidedBy autoReleased } } }";

#[tokio::test]
async fn approval_needs_review_state_a_read_system_and_manual_review_done() {
    let s = services().await;
    let now = Utc::now();
    insert_request(&s, "r1", "COLLECTING", &["BF"], now).await;
    let wrong = run(
        &s,
        caseworker("BF"),
        APPROVE,
        json!({"id": gid("AccessRequest", "r1")}),
    )
    .await;
    assert_eq!(code(&wrong), Some("CONFLICT"), "{wrong}");

    insert_request(&s, "r2", "AWAITING_REVIEW", &["BF"], now).await;
    access_request::Entity::update_many()
        .set(access_request::ActiveModel {
            incomplete: Set(true),
            ..Default::default()
        })
        .filter(access_request::Column::Id.eq("r2"))
        .exec(&s.store)
        .await
        .expect("update");
    insert_case(&s, "r2", "c1", "BF").await;
    insert_doc(&s, "r2", "d-scan", "c1", true).await;
    let id = gid("AccessRequest", "r2");
    let incomplete = run(&s, caseworker("BF"), APPROVE, json!({"id": id})).await;
    assert_eq!(
        code(&incomplete),
        Some("REQUEST_INCOMPLETE"),
        "{incomplete}"
    );

    let accept = run(
        &s,
        caseworker("BF"),
        "mutation($id: ID!) { acceptIncomplete(id: $id, reason: \"Byggesagsarkivet er lukket\") { accessRequest { gapAccepted { reason by } } } }",
        json!({"id": id}),
    )
    .await;
    assert_eq!(
        accept["data"]["acceptIncomplete"]["accessRequest"]["gapAccepted"]["reason"],
        "Byggesagsarkivet er lukket",
        "{accept}"
    );

    // The scan needs a reviewer's disclosure first.
    let pending = run(&s, caseworker("BF"), APPROVE, json!({"id": id})).await;
    assert_eq!(code(&pending), Some("CONFLICT"), "{pending}");
    assert!(
        pending["errors"][0]["message"]
            .as_str()
            .is_some_and(|m| m.starts_with("1 document")),
        "{pending}"
    );
    let set = run(
        &s,
        caseworker("BF"),
        "mutation($item: ID!) { setItemDisclosure(input: {itemId: $item, disclosure: WITHHELD, ground: \"OFL_30_1\"}) { item { disclosure ground decidedBy } } }",
        json!({"item": gid("RequestItem", "d-scan")}),
    )
    .await;
    assert_eq!(
        set["data"]["setItemDisclosure"]["item"]["disclosure"], "WITHHELD",
        "{set}"
    );

    let approved = run(&s, caseworker("BF"), APPROVE, json!({"id": id})).await;
    assert!(approved["errors"].is_null(), "{approved}");
    let r = &approved["data"]["approveAccessRequest"]["accessRequest"];
    assert_eq!(r["state"], "APPROVED");
    assert_eq!(r["decidedBy"], "cw-BF");
    assert_eq!(r["autoReleased"], false);
    let done = actions(&s).await;
    for action in [
        "request.gap_accepted",
        "item.disclosure_set",
        "request.approved",
    ] {
        assert!(done.iter().any(|(a, _)| a == action), "{action}: {done:?}");
    }
    // Decided: no more review.
    let again = run(&s, caseworker("BF"), APPROVE, json!({"id": id})).await;
    assert_eq!(code(&again), Some("CONFLICT"));
}

const DECIDE: &str = "mutation($input: DecideFindingsInput!) { decideFindings(input: $input) { findings { id decision ground decidedBy } } }";

#[tokio::test]
async fn findings_are_decided_with_known_grounds_only() {
    let s = services().await;
    insert_request(&s, "r1", "AWAITING_REVIEW", &["BF"], Utc::now()).await;
    insert_case(&s, "r1", "c1", "BF").await;
    insert_doc(&s, "r1", "d1", "c1", false).await;
    let f = insert_finding(&s, "r1", "d1", 0, "NAME", None).await;
    let bad = run(
        &s,
        caseworker("BF"),
        DECIDE,
        json!({"input": {"decisions": [{"findingId": gid("Finding", &f), "decision": "REDACT", "ground": "OFL_99"}]}}),
    )
    .await;
    assert_eq!(code(&bad), Some("BAD_USER_INPUT"), "{bad}");
    let missing = run(
        &s,
        caseworker("BF"),
        DECIDE,
        json!({"input": {"decisions": [{"findingId": gid("Finding", &f), "decision": "REDACT"}]}}),
    )
    .await;
    assert_eq!(code(&missing), Some("BAD_USER_INPUT"), "{missing}");

    let ok = run(
        &s,
        caseworker("BF"),
        DECIDE,
        json!({"input": {"decisions": [{"findingId": gid("Finding", &f), "decision": "REDACT", "ground": "OFL_30_1"}]}}),
    )
    .await;
    assert!(ok["errors"].is_null(), "{ok}");
    let decided = &ok["data"]["decideFindings"]["findings"][0];
    assert_eq!(decided["decision"], "REDACT");
    assert_eq!(decided["ground"], "OFL_30_1");
    assert_eq!(decided["decidedBy"], "cw-BF");
    assert!(
        actions(&s)
            .await
            .contains(&("finding.decided".into(), "allowed".into()))
    );

    // A manual redaction off the page is refused; on it, stored.
    let redact = "mutation($item: ID!, $page: Int!) { addManualRedaction(input: {itemId: $item, page: $page, rect: {x0: 10, y0: 10, x1: 50, y1: 30}, ground: \"OFL_30_1\"}) { redaction { rect { page } ground } } }";
    let off = run(
        &s,
        caseworker("BF"),
        redact,
        json!({"item": gid("RequestItem", "d1"), "page": 3}),
    )
    .await;
    assert_eq!(code(&off), Some("BAD_USER_INPUT"), "{off}");
    let on = run(
        &s,
        caseworker("BF"),
        redact,
        json!({"item": gid("RequestItem", "d1"), "page": 2}),
    )
    .await;
    assert_eq!(
        on["data"]["addManualRedaction"]["redaction"]["rect"]["page"], 2,
        "{on}"
    );
}

#[tokio::test]
async fn a_caseworker_of_another_department_sees_neither_the_request_nor_its_findings() {
    let s = services().await;
    insert_request(&s, "r1", "AWAITING_REVIEW", &["BF"], Utc::now()).await;
    insert_case(&s, "r1", "c1", "BF").await;
    insert_doc(&s, "r1", "d1", "c1", false).await;
    let f = insert_finding(&s, "r1", "d1", 0, "NAME", None).await;
    let query = "query($id: ID!) { accessRequest(id: $id) { subject items { totalCount nodes { summary { otherPersons attention { kind count } } findings { nodes { text boxes { page x1 } } } } } } }";
    let id = gid("AccessRequest", "r1");

    let own = run(&s, caseworker("BF"), query, json!({"id": id})).await;
    assert!(own["errors"].is_null(), "{own}");
    let r = &own["data"]["accessRequest"];
    assert_eq!(r["subject"], "010180-XXXX");
    assert_eq!(r["items"]["totalCount"], 1);
    let item = &r["items"]["nodes"][0];
    assert_eq!(item["summary"]["otherPersons"], 1);
    assert_eq!(item["summary"]["attention"][0]["kind"], "health");
    assert_eq!(item["findings"]["nodes"][0]["text"], "Hans");
    assert_eq!(item["findings"]["nodes"][0]["boxes"][0]["x1"], 40.0);
    let reads = audit_event::Entity::find()
        .filter(audit_event::Column::Action.eq("request.read"))
        .count(&s.store)
        .await
        .expect("count");
    assert_eq!(reads, 1, "one request.read per request per query");

    let other = run(&s, caseworker("TM"), query, json!({"id": id})).await;
    assert_eq!(code(&other), Some("NOT_FOUND"), "{other}");
    let node = run(
        &s,
        caseworker("TM"),
        "query($id: ID!) { node(id: $id) { id } }",
        json!({"id": gid("Finding", &f)}),
    )
    .await;
    assert_eq!(code(&node), Some("NOT_FOUND"), "{node}");
    let list = run(
        &s,
        caseworker("TM"),
        "{ accessRequests { totalCount } }",
        json!({}),
    )
    .await;
    assert_eq!(list["data"]["accessRequests"]["totalCount"], 0, "{list}");

    // The citizen sees their request, but no findings.
    let mine = run(
        &s,
        citizen(),
        "query($id: ID!) { accessRequest(id: $id) { state documentCount subject } }",
        json!({"id": id}),
    )
    .await;
    assert_eq!(mine["data"]["accessRequest"]["documentCount"], 1, "{mine}");
    assert_eq!(mine["data"]["accessRequest"]["subject"], "010180-1234");
    let items = run(
        &s,
        citizen(),
        "query($id: ID!) { accessRequest(id: $id) { items { totalCount } } }",
        json!({"id": id}),
    )
    .await;
    assert_eq!(code(&items), Some("FORBIDDEN"), "{items}");
}

#[tokio::test]
async fn statistics_report_the_period_figures() {
    let s = services().await;
    // Monday 2 March 2026, 09:00 Danish time.
    let monday = Utc
        .with_ymd_and_hms(2026, 3, 2, 8, 0, 0)
        .single()
        .expect("time");
    insert_request(&s, "r1", "APPROVED", &["BF"], monday).await;
    insert_request(&s, "r2", "DELIVERED", &["TM"], monday).await;
    insert_request(&s, "r3", "AWAITING_REVIEW", &["BF"], monday).await;
    // Outside the period.
    insert_request(&s, "r4", "APPROVED", &["XX"], monday + Duration::days(60)).await;
    for (id, hours, auto) in [("r1", 24, false), ("r2", 72, true)] {
        access_request::Entity::update_many()
            .set(access_request::ActiveModel {
                decided_at: Set(Some(monday + Duration::hours(hours))),
                auto_released: Set(auto),
                ..Default::default()
            })
            .filter(access_request::Column::Id.eq(id))
            .exec(&s.store)
            .await
            .expect("update");
    }
    insert_case(&s, "r1", "c1", "BF").await;
    insert_case(&s, "r2", "c2", "TM").await;
    insert_case(&s, "r2", "c3", "TM").await;
    insert_case(&s, "r4", "c4", "XX").await;
    for d in ["d1", "d2", "d3"] {
        insert_doc(&s, "r1", d, "c1", false).await;
    }
    insert_doc(&s, "r2", "d4", "c2", false).await;
    insert_doc(&s, "r4", "d5", "c4", false).await;
    insert_finding(&s, "r1", "d1", 0, "CPR", None).await;
    insert_finding(&s, "r1", "d1", 1, "ATTENTION", Some("health")).await;
    insert_finding(&s, "r2", "d4", 0, "CPR", None).await;
    insert_finding(&s, "r4", "d5", 0, "NAME", None).await;

    let q = "{ statistics(from: \"2026-03-01\", to: \"2026-03-31\") { departments departmentCount uniqueRequests byState { state count } cases documents documentsPerCaseMean documentsPerCaseMedian decided autoReleasedShare processingHoursMedian processingHoursMax processingWorkingDaysMax findingsByCategory { category count } attentionByKind { kind count } } }";
    let r = run(&s, Viewer::admin("admin-1"), q, json!({})).await;
    assert!(r["errors"].is_null(), "{r}");
    let st = &r["data"]["statistics"];
    assert_eq!(st["departments"], json!(["BF", "TM"]));
    assert_eq!(st["departmentCount"], 2);
    assert_eq!(st["uniqueRequests"], 3);
    assert_eq!(
        st["byState"],
        json!([
            {"state": "AWAITING_REVIEW", "count": 1},
            {"state": "APPROVED", "count": 1},
            {"state": "DELIVERED", "count": 1}
        ])
    );
    assert_eq!(st["cases"], 3);
    assert_eq!(st["documents"], 4);
    assert_eq!(st["documentsPerCaseMean"], 4.0 / 3.0);
    assert_eq!(st["documentsPerCaseMedian"], 1.0);
    assert_eq!(st["decided"], 2);
    assert_eq!(st["autoReleasedShare"], 0.5);
    assert_eq!(st["processingHoursMedian"], 48.0);
    assert_eq!(st["processingHoursMax"], 72.0);
    assert_eq!(st["processingWorkingDaysMax"], 3);
    assert_eq!(
        st["findingsByCategory"],
        json!([{"category": "ATTENTION", "count": 1}, {"category": "CPR", "count": 2}])
    );
    assert_eq!(
        st["attentionByKind"],
        json!([{"kind": "health", "count": 1}])
    );

    let citizen_try = run(&s, citizen(), q, json!({})).await;
    assert_eq!(code(&citizen_try), Some("FORBIDDEN"));
}

#[tokio::test]
async fn job_progress_sends_the_current_state_and_ends_when_nothing_runs() {
    use futures::StreamExt;
    let s = services().await;
    insert_request(&s, "r1", "AWAITING_REVIEW", &["BF"], Utc::now()).await;
    let schema = crate::build(s.clone());
    let subscribe = |viewer: Viewer| {
        crate::prepare(
            Request::new(
                "subscription($id: ID!) { jobProgress(requestId: $id) { state done total jobs { kind } } }",
            )
            .variables(Variables::from_json(json!({"id": gid("AccessRequest", "r1")}))),
            viewer,
            RequestMeta::default(),
            &s,
        )
    };
    let events: Vec<Value> = schema
        .execute_stream(subscribe(citizen()))
        .map(|r| serde_json::to_value(r).expect("json"))
        .collect()
        .await;
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0]["data"]["jobProgress"]["state"], "AWAITING_REVIEW");
    assert_eq!(events[0]["data"]["jobProgress"]["total"], 0);

    let refused: Vec<Value> = schema
        .execute_stream(subscribe(caseworker("TM")))
        .map(|r| serde_json::to_value(r).expect("json"))
        .collect()
        .await;
    assert_eq!(code(&refused[0]), Some("NOT_FOUND"), "{refused:?}");
}
