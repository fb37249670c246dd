//! The aktindsigt workflow end to end over HTTP: a citizen submits, the worker collects from
//! every system and screens, a caseworker reviews and approves; automatic release; a system
//! down during collection; a document whose extraction fails.

use std::time::{Duration, Instant};

use api::auth::DevIdentity;
use pipeline::screen::Automation;
use serde_json::{Value, json};

use crate::helpers::{
    TestApp, codes, edge_nodes, params_with_demo_cases, request_as_caseworker, spawn_app,
    spawn_app_with, wait_for_request,
};

const SUBMIT: &str = "mutation($key: String) { submitAccessRequest(input: {legalBasis: PARTY_ACCESS, idempotencyKey: $key}) { created accessRequest { id state deadline receivedAt } } }";

const STATUS: &str = "query($id: ID!) { accessRequest(id: $id) { id state incomplete automation autoReleased decidedBy departments documentCount
    systems { system state error documents }
    jobs { kind state attempts lastError } } }";

async fn submit(app: &TestApp, key: &str) -> (String, bool) {
    let answer = app
        .gql(Some(&app.tokens.citizen), SUBMIT, json!({ "key": key }))
        .await;
    assert!(answer["errors"].is_null(), "submit failed: {answer}");
    let payload = &answer["data"]["submitAccessRequest"];
    (
        payload["accessRequest"]["id"]
            .as_str()
            .unwrap_or_else(|| panic!("no id in {answer}"))
            .to_owned(),
        payload["created"].as_bool().unwrap_or(false),
    )
}

async fn status(app: &TestApp, id: &str) -> Value {
    request_as_caseworker(app, STATUS, id).await
}

/// Poll until `done` holds for the request (the worker runs in the background), or panic
/// with the last status after a minute.
async fn wait_for(app: &TestApp, id: &str, what: &str, done: impl Fn(&Value) -> bool) -> Value {
    wait_for_request(app, STATUS, id, what, done).await
}

fn state_is(state: &'static str) -> impl Fn(&Value) -> bool {
    move |s| s["state"] == state
}

/// How many documents the demo citizen has in the generated municipality (the truth the
/// collection must match).
fn citizen_documents(app: &TestApp) -> usize {
    app.municipality()
        .cases
        .iter()
        .filter(|c| c.primary == 0 || c.secondary.contains(&0))
        .map(|c| c.documents.len())
        .sum()
}

const ITEMS: &str = "query($id: ID!) { accessRequest(id: $id) { items(first: 300) { totalCount edges { node {
    id system title screened needsManualReview reviewNotes misfiled misfilingReason extractError disclosure
    proposal { disclosure ground rule }
    summary { own staff otherPersons redactionsProposed }
    findings(first: 100) { totalCount edges { node { id category owner text proposal decision contextBefore contextAfter page } } }
} } } } }";

async fn items(app: &TestApp, id: &str) -> Vec<Value> {
    edge_nodes(&request_as_caseworker(app, ITEMS, id).await["items"])
}

fn findings(item: &Value) -> Vec<Value> {
    edge_nodes(&item["findings"])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_citizens_request_is_collected_screened_reviewed_and_approved() {
    let app = spawn_app(params_with_demo_cases(6)).await;
    let (id, created) = submit(&app, "double-click").await;
    assert!(created);
    // A double click: the same key gives the same request, not a second one.
    let (again, created_again) = submit(&app, "double-click").await;
    assert_eq!(again, id);
    assert!(!created_again);

    let s = wait_for(&app, &id, "AWAITING_REVIEW", state_is("AWAITING_REVIEW")).await;
    assert_eq!(s["incomplete"], false);
    assert_eq!(s["automation"], "MANUAL");
    // Collected from all five systems (SOAP, REST and SQL) ...
    let systems = s["systems"].as_array().cloned().unwrap_or_default();
    assert_eq!(systems.len(), 5, "{s}");
    assert!(systems.iter().all(|x| x["state"] == "COLLECTED"), "{s}");
    for kind_system in ["esdh", "jobcenter", "skole"] {
        let sys = systems.iter().find(|x| x["system"] == kind_system);
        assert!(
            sys.is_some_and(|x| x["documents"].as_i64().unwrap_or(0) > 0),
            "no documents from {kind_system}: {s}"
        );
    }
    // ... every one of the citizen's documents, each screened.
    let items = items(&app, &id).await;
    assert_eq!(items.len(), citizen_documents(&app));
    assert_eq!(s["documentCount"], items.len());
    assert!(items.iter().all(|i| i["screened"] == true));

    // Other persons' data is proposed for redaction, shown with the words around it; the
    // citizen's own data is not.
    let all: Vec<Value> = items.iter().flat_map(findings).collect();
    let redact: Vec<&Value> = all
        .iter()
        .filter(|f| f["proposal"] == "REDACT" && f["owner"] == "OTHER_PERSON")
        .collect();
    assert!(!redact.is_empty(), "no other person's data found");
    assert!(redact.iter().all(
        |f| f["contextBefore"].as_str().is_some_and(|t| !t.is_empty())
            || f["contextAfter"].as_str().is_some_and(|t| !t.is_empty())
    ));
    assert!(
        all.iter()
            .filter(|f| f["owner"] == "OWN")
            .all(|f| f["proposal"] == "KEEP")
    );
    let own_cpr = app.municipality().demo_citizen().cpr.replace('-', "");
    assert!(
        all.iter()
            .filter(|f| f["category"] == "CPR"
                && f["text"]
                    .as_str()
                    .is_some_and(|t| t.replace('-', "") == own_cpr))
            .all(|f| f["proposal"] == "KEEP")
    );

    // The reviewer keeps one proposed redaction, withholds one document, and must look at the
    // scans before approving.
    let kept = redact[0]["id"].as_str().unwrap_or_default().to_owned();
    let decided = app
        .gql(
            Some(&app.tokens.caseworker_all),
            "mutation($f: ID!) { decideFindings(input: {decisions: [{findingId: $f, decision: KEEP}]}) { findings { id decision } } }",
            json!({ "f": kept }),
        )
        .await;
    assert!(decided["errors"].is_null(), "{decided}");
    let unknown_ground = app
        .gql(
            Some(&app.tokens.caseworker_all),
            "mutation($f: ID!) { decideFindings(input: {decisions: [{findingId: $f, decision: REDACT, ground: \"OFL_99\"}]}) { findings { id } } }",
            json!({ "f": kept }),
        )
        .await;
    assert_eq!(
        codes(&unknown_ground),
        ["BAD_USER_INPUT"],
        "{unknown_ground}"
    );

    let scans: Vec<&Value> = items
        .iter()
        .filter(|i| i["needsManualReview"] == true)
        .collect();
    if !scans.is_empty() {
        let early = app
            .gql(
                Some(&app.tokens.caseworker_all),
                "mutation($id: ID!) { approveAccessRequest(id: $id) { accessRequest { state } } }",
                json!({ "id": id }),
            )
            .await;
        assert_eq!(
            codes(&early),
            ["CONFLICT"],
            "approved with unreviewed scans: {early}"
        );
        for scan in &scans {
            let answer = app
                .gql(
                    Some(&app.tokens.caseworker_all),
                    "mutation($i: ID!) {
                        addManualRedaction(input: {itemId: $i, page: 1, rect: {x0: 70, y0: 700, x1: 300, y1: 720}, ground: \"FVL_15B_1\"}) { item { id } }
                        setItemDisclosure(input: {itemId: $i, disclosure: PARTIAL, ground: \"FVL_15B_1\", note: \"Skannet brev gennemgået\"}) { item { id disclosure } }
                    }",
                    json!({ "i": scan["id"] }),
                )
                .await;
            assert!(answer["errors"].is_null(), "{answer}");
        }
    }
    let approved = app
        .gql(
            Some(&app.tokens.caseworker_all),
            "mutation($id: ID!) { approveAccessRequest(id: $id) { accessRequest { state decidedBy autoReleased } } }",
            json!({ "id": id }),
        )
        .await;
    assert!(approved["errors"].is_null(), "{approved}");
    let r = &approved["data"]["approveAccessRequest"]["accessRequest"];
    // The bundle job may already have started when the payload is read.
    assert!(
        r["state"] == "APPROVED" || r["state"] == "BUNDLING",
        "{approved}"
    );
    assert_eq!(r["autoReleased"], false);
    assert_eq!(r["decidedBy"], "cw-all");

    // Approval applied the proposals the reviewer left alone, and kept the reviewer's choice.
    let after: Vec<Value> = items_after(&app, &id).await;
    let decisions: Vec<Value> = after.iter().flat_map(findings).collect();
    let kept_now = decisions.iter().find(|f| f["id"] == kept.as_str());
    assert_eq!(kept_now.map(|f| f["decision"].clone()), Some(json!("KEEP")));
    assert!(
        decisions
            .iter()
            .filter(|f| f["id"] != kept.as_str() && f["proposal"] == "REDACT")
            .all(|f| f["decision"] == "REDACT")
    );
    assert!(after.iter().all(|i| !i["disclosure"].is_null()));

    // The citizen sees the request and its state, not the review.
    let mine = app
        .gql(
            Some(&app.tokens.citizen),
            "{ myAccessRequests(first: 10) { totalCount edges { node { id state deadline } } } }",
            json!({}),
        )
        .await;
    assert_eq!(mine["data"]["myAccessRequests"]["totalCount"], 1, "{mine}");
    // Approval queues the bundle at once, so the request may be past APPROVED already.
    let state = &mine["data"]["myAccessRequests"]["edges"][0]["node"]["state"];
    assert!(
        ["APPROVED", "BUNDLING", "DELIVERED"].contains(&state.as_str().unwrap_or_default()),
        "{mine}"
    );
    let peek = app
        .gql(Some(&app.tokens.citizen), ITEMS, json!({ "id": id }))
        .await;
    assert!(
        !codes(&peek).is_empty(),
        "a citizen saw the findings: {peek}"
    );

    // Every step is in the audit log.
    let store = app.store().await;
    use sea_orm::{ConnectionTrait, Statement};
    let rows = store
        .query_all(Statement::from_string(
            sea_orm::DbBackend::Sqlite,
            "SELECT action FROM audit_event WHERE object_kind = 'access_request' ORDER BY seq",
        ))
        .await
        .unwrap_or_else(|e| panic!("audit: {e}"));
    let actions: Vec<String> = rows
        .iter()
        .filter_map(|r| r.try_get::<String>("", "action").ok())
        .collect();
    for expected in [
        "request.submitted",
        "request.collected",
        "request.screened",
        "request.approved",
    ] {
        assert!(
            actions.iter().any(|a| a == expected),
            "no {expected} in {actions:?}"
        );
    }
}

async fn items_after(app: &TestApp, id: &str) -> Vec<Value> {
    items(app, id).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_automatic_policy_a_request_is_approved_without_a_person() {
    let app = spawn_app_with(params_with_demo_cases(2), |s| {
        s.aktindsigt.default_automation = Automation::Automatic;
        // Scans are screened by OCR where Tesseract is installed (CI installs it); without it
        // they would wait for a person.
        s.aktindsigt.ocr = true;
    })
    .await;
    let (id, _) = submit(&app, "auto").await;
    let decided = |s: &Value| {
        ["APPROVED", "BUNDLING", "DELIVERED"].contains(&s["state"].as_str().unwrap_or_default())
    };
    let s = wait_for(&app, &id, "a decision", |s| {
        decided(s) || s["state"] == "AWAITING_REVIEW"
    })
    .await;
    let all_items = items(&app, &id).await;
    let scans_unread = all_items.iter().any(|i| i["needsManualReview"] == true);
    if scans_unread {
        // Only when no OCR engine is installed: the scans hold the request for a person.
        assert_eq!(s["state"], "AWAITING_REVIEW", "{s}");
        assert!(
            pipeline::extract::Tesseract::detect().is_none(),
            "OCR is installed, yet scans were not read: {s}"
        );
        eprintln!("tesseract not installed: the request waits for a person, as it must");
        return;
    }
    assert!(decided(&s), "{s}\n{all_items:#?}");
    assert_eq!(s["automation"], "AUTOMATIC");
    assert_eq!(s["autoReleased"], true);
    assert_eq!(s["decidedBy"], "system");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_system_down_during_collection_marks_the_request_and_it_completes_when_back() {
    let app = spawn_app(params_with_demo_cases(3)).await;
    let jobcenter = app.server("jobcenter");
    jobcenter
        .control
        .set_fault(playground::sim::Fault::ServerError);
    let (id, _) = submit(&app, "down").await;
    let s = wait_for(&app, &id, "incomplete", |s| {
        s["incomplete"] == true && s["state"] == "AWAITING_REVIEW"
    })
    .await;
    let down = s["systems"]
        .as_array()
        .and_then(|a| a.iter().find(|x| x["system"] == "jobcenter").cloned())
        .unwrap_or_default();
    assert_eq!(down["state"], "FAILED", "{s}");
    assert!(down["error"].as_str().is_some_and(|e| !e.is_empty()), "{s}");
    // The others were read.
    assert!(
        s["systems"].as_array().is_some_and(|a| a
            .iter()
            .filter(|x| x["state"] == "COLLECTED")
            .count()
            == 4),
        "{s}"
    );
    // Approving an incomplete request is refused.
    let refused = app
        .gql(
            Some(&app.tokens.caseworker_all),
            "mutation($id: ID!) { approveAccessRequest(id: $id) { accessRequest { state } } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(codes(&refused), ["REQUEST_INCOMPLETE"], "{refused}");
    // The system comes back; the retried collection reads it and the gap closes.
    jobcenter.control.set_fault(playground::sim::Fault::None);
    let s = wait_for(&app, &id, "complete", |s| {
        s["incomplete"] == false && s["state"] == "AWAITING_REVIEW"
    })
    .await;
    assert!(
        s["systems"]
            .as_array()
            .is_some_and(|a| a.iter().all(|x| x["state"] == "COLLECTED")),
        "{s}"
    );
    let items = items(&app, &id).await;
    assert_eq!(items.len(), citizen_documents(&app));
    assert!(items.iter().all(|i| i["screened"] == true));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pdf_that_breaks_extraction_is_flagged_and_the_rest_proceeds() {
    let app = spawn_app(params_with_demo_cases(6)).await;
    let damaged = crate::helpers::damage_school_pdfs(&app).await;
    let (id, _) = submit(&app, "broken").await;
    wait_for(&app, &id, "AWAITING_REVIEW", state_is("AWAITING_REVIEW")).await;
    let items = items(&app, &id).await;
    let broken: Vec<&Value> = items
        .iter()
        .filter(|i| !i["extractError"].is_null())
        .collect();
    assert_eq!(broken.len() as u64, damaged, "flagged: {broken:?}");
    assert!(
        broken
            .iter()
            .all(|i| i["needsManualReview"] == true && i["system"] == "skole")
    );
    // The rest were screened normally.
    assert_eq!(items.len(), citizen_documents(&app));
    assert!(items.iter().all(|i| i["screened"] == true));
    assert!(
        items
            .iter()
            .filter(|i| i["extractError"].is_null())
            .any(|i| !findings(i).is_empty())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_third_party_needs_a_valid_consent_to_submit() {
    let app = spawn_app(params_with_demo_cases(2)).await;
    let lawyer = app.token(
        "lawyer-1",
        DevIdentity::ThirdParty {
            name: "Advokat Test".into(),
        },
    );
    let cpr = app.municipality().demo_citizen().cpr.clone();
    let submit_for = |token: String| {
        let app = &app;
        let cpr = cpr.clone();
        async move {
            app.gql(
                Some(&token),
                "mutation($cpr: String!) { submitAccessRequest(input: {legalBasis: PARTY_ACCESS, onBehalfOfCpr: $cpr}) { accessRequest { id state } } }",
                json!({ "cpr": cpr }),
            )
            .await
        }
    };
    let refused = submit_for(lawyer.clone()).await;
    assert_eq!(codes(&refused), ["FORBIDDEN"], "{refused}");
    // With a consent from the citizen it is accepted.
    let consent = app
        .gql(
            Some(&app.tokens.citizen),
            "mutation($until: DateTime!) { registerConsent(input: {granteeSubject: \"lawyer-1\", granteeName: \"Advokat Test\", validUntil: $until}) { consent { id } } }",
            json!({ "until": (chrono::Utc::now() + chrono::Duration::days(30)).to_rfc3339() }),
        )
        .await;
    assert!(consent["errors"].is_null(), "{consent}");
    let accepted = submit_for(lawyer.clone()).await;
    assert!(accepted["errors"].is_null(), "{accepted}");
    assert_eq!(
        accepted["data"]["submitAccessRequest"]["accessRequest"]["state"],
        "RECEIVED"
    );
    // Once revoked, no more.
    let consent_id = consent["data"]["registerConsent"]["consent"]["id"].clone();
    let revoked = app
        .gql(
            Some(&app.tokens.citizen),
            "mutation($id: ID!) { revokeConsent(id: $id) { consent { active } } }",
            json!({ "id": consent_id }),
        )
        .await;
    assert!(revoked["errors"].is_null(), "{revoked}");
    let refused_again = submit_for(lawyer).await;
    assert_eq!(codes(&refused_again), ["FORBIDDEN"], "{refused_again}");
}

/// A graphql-transport-ws client over a real socket: connect, init with `token`, subscribe.
async fn subscribe(
    app: &TestApp,
    token: &str,
    query: &str,
    variables: Value,
) -> tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>> {
    use futures::{SinkExt, StreamExt};
    use tokio_tungstenite::tungstenite::Message;
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    let url = format!("{}/graphql/ws", app.base.replacen("http", "ws", 1));
    let mut request = url
        .into_client_request()
        .unwrap_or_else(|e| panic!("ws request: {e}"));
    request.headers_mut().insert(
        "Sec-WebSocket-Protocol",
        "graphql-transport-ws"
            .parse()
            .unwrap_or_else(|e| panic!("header: {e}")),
    );
    let (mut ws, _) = tokio_tungstenite::connect_async(request)
        .await
        .unwrap_or_else(|e| panic!("ws connect: {e}"));
    let init =
        json!({"type": "connection_init", "payload": {"Authorization": format!("Bearer {token}")}});
    ws.send(Message::Text(init.to_string().into()))
        .await
        .unwrap_or_else(|e| panic!("ws send: {e}"));
    match ws.next().await {
        Some(Ok(Message::Text(t))) => {
            let v: Value = serde_json::from_str(&t).unwrap_or_default();
            assert_eq!(v["type"], "connection_ack", "{v}");
        }
        other => return_or_panic(other),
    }
    let start = json!({"id": "1", "type": "subscribe", "payload": {"query": query, "variables": variables}});
    ws.send(Message::Text(start.to_string().into()))
        .await
        .unwrap_or_else(|e| panic!("ws send: {e}"));
    ws
}

fn return_or_panic<T: std::fmt::Debug>(other: T) {
    panic!("expected connection_ack, got {other:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_status_subscription_follows_a_request_over_websocket_and_a_bad_token_is_refused() {
    use futures::StreamExt;
    use tokio_tungstenite::tungstenite::Message;
    let app = spawn_app(params_with_demo_cases(2)).await;
    let (id, _) = submit(&app, "ws").await;
    let mut ws = subscribe(
        &app,
        &app.tokens.citizen,
        "subscription($id: ID!) { accessRequestStatus(id: $id) { state } }",
        json!({ "id": id }),
    )
    .await;
    let mut seen = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    while !seen.iter().any(|s| s == "AWAITING_REVIEW") {
        assert!(Instant::now() < deadline, "states seen: {seen:?}");
        let next = tokio::time::timeout(Duration::from_secs(30), ws.next()).await;
        match next {
            Ok(Some(Ok(Message::Text(t)))) => {
                let v: Value = serde_json::from_str(&t).unwrap_or_default();
                if v["type"] == "next" {
                    assert!(v["payload"]["errors"].is_null(), "{v}");
                    if let Some(s) = v["payload"]["data"]["accessRequestStatus"]["state"].as_str() {
                        seen.push(s.to_owned());
                    }
                } else if v["type"] == "complete" {
                    break;
                } else if v["type"] == "error" {
                    panic!("subscription error: {v}");
                }
            }
            other => panic!("unexpected: {other:?}; states seen: {seen:?}"),
        }
    }
    assert_eq!(
        seen.last().map(String::as_str),
        Some("AWAITING_REVIEW"),
        "{seen:?}"
    );

    // Another citizen may not follow this request.
    let stranger = app.token(
        "stranger",
        DevIdentity::Citizen {
            cpr: app.municipality().citizens[1].cpr.clone(),
        },
    );
    let mut ws = subscribe(
        &app,
        &stranger,
        "subscription($id: ID!) { accessRequestStatus(id: $id) { state } }",
        json!({ "id": id }),
    )
    .await;
    let v: Value = match tokio::time::timeout(Duration::from_secs(10), ws.next()).await {
        Ok(Some(Ok(Message::Text(t)))) => serde_json::from_str(&t).unwrap_or_default(),
        other => panic!("unexpected: {other:?}"),
    };
    let refused =
        v["type"] == "error" || v["payload"]["errors"][0]["extensions"]["code"] == "NOT_FOUND";
    assert!(refused, "a stranger followed the request: {v}");

    // A bad token: the connection is refused at init.
    use futures::SinkExt;
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    let url = format!("{}/graphql/ws", app.base.replacen("http", "ws", 1));
    let mut request = url
        .into_client_request()
        .unwrap_or_else(|e| panic!("ws request: {e}"));
    request.headers_mut().insert(
        "Sec-WebSocket-Protocol",
        "graphql-transport-ws"
            .parse()
            .unwrap_or_else(|e| panic!("header: {e}")),
    );
    let (mut bad, _) = tokio_tungstenite::connect_async(request)
        .await
        .unwrap_or_else(|e| panic!("ws connect: {e}"));
    bad.send(Message::Text(
        json!({"type": "connection_init", "payload": {"Authorization": "Bearer not-a-token"}})
            .to_string()
            .into(),
    ))
    .await
    .unwrap_or_else(|e| panic!("ws send: {e}"));
    match tokio::time::timeout(Duration::from_secs(10), bad.next()).await {
        Ok(Some(Ok(Message::Close(Some(frame))))) => {
            assert!(frame.reason.contains("UNAUTHENTICATED"), "{frame:?}")
        }
        Ok(None) | Ok(Some(Err(_))) => {}
        other => panic!("a bad token was not refused: {other:?}"),
    }
    // The hub still answers.
    assert!(status(&app, &id).await["state"].is_string());
}
