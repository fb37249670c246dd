//! Benchmark: collection + screening of one case, from `submitAccessRequest` to
//! `AWAITING_REVIEW`, for a median-sized case (18 documents) and the largest case (552) of the
//! demo municipality, against the simulated systems on loopback.
//!
//! `cargo bench -p tests --bench workflow` — prints, per case, the documents and pages
//! collected, the time to collect and screen, documents per second, and the time from a
//! caseworker's approval to `DELIVERED` (bundle job and delivery). OCR is off (scans
//! wait for a person), so the figures are for text extraction and detection; Tesseract adds
//! about two seconds per scanned page.

#[allow(dead_code)]
#[path = "../blackbox/helpers.rs"]
mod helpers;

use std::time::{Duration, Instant};

use api::auth::DevIdentity;
use playground::municipality::{Params, SimCase};
use serde_json::{Value, json};

const RUNS: usize = 3;

async fn run_once(
    app: &helpers::TestApp,
    case: &SimCase,
    run: usize,
) -> (Duration, usize, i64, Duration) {
    let m = app.municipality();
    let cpr = m.citizens[case.primary].cpr.clone();
    let citizen = app.token(
        &format!("bench-citizen-{}-{run}", case.id),
        DevIdentity::Citizen { cpr: cpr.clone() },
    );
    // The case's global id, as the citizen's own case list gives it.
    let mine = app
        .gql(
            Some(&citizen),
            "{ myCases(first: 1000) { nodes { id sagsnummer } } }",
            json!({}),
        )
        .await;
    let case_id = mine["data"]["myCases"]["nodes"]
        .as_array()
        .and_then(|a| {
            a.iter()
                .find(|c| c["sagsnummer"] == case.sagsnummer.as_str())
        })
        .map(|c| c["id"].clone())
        .unwrap_or_else(|| panic!("case {} not among the citizen's: {mine}", case.sagsnummer));
    let started = Instant::now();
    let submitted = app
        .gql(
            Some(&citizen),
            "mutation($c: ID!, $k: String) { submitAccessRequest(input: {legalBasis: PARTY_ACCESS, cases: [$c], idempotencyKey: $k}) { accessRequest { id } } }",
            json!({ "c": case_id, "k": format!("bench-{run}") }),
        )
        .await;
    let id = submitted["data"]["submitAccessRequest"]["accessRequest"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("submit: {submitted}"))
        .to_owned();
    loop {
        let s: Value = app
            .gql(
                Some(&app.tokens.caseworker_all),
                "query($id: ID!) { accessRequest(id: $id) { state documentCount } }",
                json!({ "id": id }),
            )
            .await;
        let r = &s["data"]["accessRequest"];
        if r["state"] == "AWAITING_REVIEW" || r["state"] == "APPROVED" {
            let elapsed = started.elapsed();
            let store = app.store().await;
            use sea_orm::{ConnectionTrait, Statement};
            let pages = store
                .query_one(Statement::from_string(
                    sea_orm::DbBackend::Sqlite,
                    // The newest request is this one (the global id is opaque; the store has the raw id).
                    "SELECT COALESCE(SUM(page_count), 0) AS p FROM request_document WHERE request_id = \
                     (SELECT id FROM access_request ORDER BY received_at DESC LIMIT 1)"
                        .to_owned(),
                ))
                .await
                .ok()
                .flatten()
                .and_then(|row| row.try_get::<i64>("", "p").ok())
                .unwrap_or(0);
            let documents = r["documentCount"].as_u64().unwrap_or(0) as usize;
            let bundled = approve_and_deliver(app, &id).await;
            return (elapsed, documents, pages, bundled);
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// As the caseworker: give the scans a disclosure, approve, and time approval → DELIVERED
/// (the bundle job: true redaction or rendering of every document, the bundle, the MeMo
/// message into the outbox).
async fn approve_and_deliver(app: &helpers::TestApp, id: &str) -> Duration {
    let cw = &app.tokens.caseworker_all;
    let items = app
        .gql(
            Some(cw),
            "query($id: ID!) { accessRequest(id: $id) { items(first: 1000) { nodes { id needsManualReview } } } }",
            json!({ "id": id }),
        )
        .await;
    for item in items["data"]["accessRequest"]["items"]["nodes"]
        .as_array()
        .cloned()
        .unwrap_or_default()
    {
        if item["needsManualReview"] == true {
            let _ = app
                .gql(
                    Some(cw),
                    "mutation($i: ID!) { setItemDisclosure(input: {itemId: $i, disclosure: FULL}) { item { id } } }",
                    json!({ "i": item["id"] }),
                )
                .await;
        }
    }
    let started = Instant::now();
    let approved = app
        .gql(
            Some(cw),
            "mutation($id: ID!) { approveAccessRequest(id: $id) { accessRequest { state } } }",
            json!({ "id": id }),
        )
        .await;
    assert!(approved["errors"].is_null(), "approve: {approved}");
    loop {
        let s: Value = app
            .gql(
                Some(cw),
                "query($id: ID!) { accessRequest(id: $id) { state } }",
                json!({ "id": id }),
            )
            .await;
        match s["data"]["accessRequest"]["state"].as_str() {
            Some("DELIVERED") => return started.elapsed(),
            Some("FAILED") => panic!("bundling failed: {s}"),
            _ => tokio::time::sleep(Duration::from_millis(10)).await,
        }
    }
}

#[tokio::main]
async fn main() {
    let app = helpers::spawn_app_with(Params::demo(), |s| {
        s.jobs.poll_ms = 10;
    })
    .await;
    let m = app.municipality();
    let largest = m
        .cases
        .iter()
        .max_by_key(|c| c.documents.len())
        .unwrap_or_else(|| panic!("no cases"))
        .clone();
    let median = m
        .cases
        .iter()
        .find(|c| c.documents.len() == 18)
        .unwrap_or_else(|| panic!("no 18-document case"))
        .clone();
    println!(
        "collection + screening, submit → AWAITING_REVIEW, then approve → DELIVERED; {RUNS} runs each (OCR off)"
    );
    for (label, case) in [("median case", &median), ("largest case", &largest)] {
        let mut times = Vec::new();
        let mut bundles = Vec::new();
        let mut docs = 0;
        let mut pages = 0;
        for run in 0..RUNS {
            let (t, d, p, b) = run_once(&app, case, run).await;
            times.push(t);
            bundles.push(b);
            docs = d;
            pages = p;
        }
        times.sort();
        bundles.sort();
        let med = times[times.len() / 2];
        println!(
            "  {label:<13} {docs:>4} documents {pages:>5} pages   median {:>8.1} ms   min {:>8.1} ms   max {:>8.1} ms   {:>6.0} documents/s",
            ms(med),
            ms(times[0]),
            ms(times[times.len() - 1]),
            docs as f64 / med.as_secs_f64()
        );
        println!(
            "  {:<13} approve → DELIVERED (redact/render, bundle, MeMo): median {:>8.1} ms   min {:>8.1} ms   max {:>8.1} ms",
            "",
            ms(bundles[bundles.len() / 2]),
            ms(bundles[0]),
            ms(bundles[bundles.len() - 1])
        );
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
