//! The bundle and its delivery end to end over HTTP: a citizen submits, a caseworker reviews
//! and approves, the worker bundles and delivers; the bundle is downloaded over `/bundles/{id}`
//! and read back with poppler (`pdftotext`), `qpdf --check` and `xmllint` against the MeMo
//! schema; a duplicated delivery job sends nothing; a re-issue is a second message that refers
//! to the first; strangers get 404. Tools that are missing are reported as `skipped:`.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use api::auth::DevIdentity;
use serde_json::{Value, json};

use crate::helpers::{
    TempDir, TestApp, edge_nodes, params_with_demo_cases, request_as_caseworker, spawn_app_with,
    wait_for_request,
};

const SUBMIT: &str = "mutation($key: String) { submitAccessRequest(input: {legalBasis: PARTY_ACCESS, idempotencyKey: $key}) { accessRequest { id state } } }";

const STATUS: &str = "query($id: ID!) { accessRequest(id: $id) { id state
    bundle { version pages bytes createdAt downloadUrl }
    delivery { state transport version messageUuid sentAt error }
    jobs { kind state attempts lastError } } }";

const ITEMS: &str = "query($id: ID!) { accessRequest(id: $id) { items(first: 300) { edges { node {
    id title sagsnummer aktnummer mimeType needsManualReview disclosure
    findings(first: 200) { edges { node { id text owner category proposal decision boxes { page } } } }
} } } } }";

const APPROVE: &str =
    "mutation($id: ID!) { approveAccessRequest(id: $id) { accessRequest { state } } }";

fn tool(name: &str) -> bool {
    Command::new(name)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success() || !o.stderr.is_empty() || !o.stdout.is_empty())
}

async fn status(app: &TestApp, id: &str) -> Value {
    request_as_caseworker(app, STATUS, id).await
}

/// Poll until `done` holds (the worker runs in the background); panic with the last status
/// after 90 s, or at once when a job failed for good.
async fn wait_for(app: &TestApp, id: &str, what: &str, done: impl Fn(&Value) -> bool) -> Value {
    wait_for_request(app, STATUS, id, what, done).await
}

async fn items(app: &TestApp, id: &str) -> Vec<Value> {
    edge_nodes(&request_as_caseworker(app, ITEMS, id).await["items"])
}

fn findings(item: &Value) -> Vec<Value> {
    edge_nodes(&item["findings"])
}

/// Submit as the demo citizen and wait for review.
async fn submit_and_screen(app: &TestApp, key: &str) -> String {
    let answer = app
        .gql(Some(&app.tokens.citizen), SUBMIT, json!({ "key": key }))
        .await;
    assert!(answer["errors"].is_null(), "submit failed: {answer}");
    let id = answer["data"]["submitAccessRequest"]["accessRequest"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("no id in {answer}"))
        .to_owned();
    wait_for(app, &id, "AWAITING_REVIEW", |s| {
        s["state"] == "AWAITING_REVIEW"
    })
    .await;
    id
}

/// Review the scans (a manual redaction and a disclosure each), then approve.
async fn review_and_approve(app: &TestApp, id: &str) {
    for item in items(app, id).await {
        if item["needsManualReview"] != true || !item["disclosure"].is_null() {
            continue;
        }
        let answer = app
            .gql(
                Some(&app.tokens.caseworker_all),
                "mutation($i: ID!) {
                    addManualRedaction(input: {itemId: $i, page: 1, rect: {x0: 70, y0: 700, x1: 300, y1: 720}, ground: \"FVL_15B_1\"}) { item { id } }
                    setItemDisclosure(input: {itemId: $i, disclosure: PARTIAL, ground: \"FVL_15B_1\", note: \"Skannet brev gennemgået\"}) { item { id } }
                }",
                json!({ "i": item["id"] }),
            )
            .await;
        assert!(answer["errors"].is_null(), "{answer}");
    }
    let approved = app
        .gql(
            Some(&app.tokens.caseworker_all),
            APPROVE,
            json!({ "id": id }),
        )
        .await;
    assert!(approved["errors"].is_null(), "{approved}");
}

fn delivered(version: i64) -> impl Fn(&Value) -> bool {
    move |s| s["state"] == "DELIVERED" && s["delivery"]["version"] == version
}

async fn get_bundle(app: &TestApp, token: Option<&str>, url: &str) -> reqwest::Response {
    let mut request = app.http.get(format!("{}{url}", app.base));
    if let Some(t) = token {
        request = request.bearer_auth(t);
    }
    request
        .send()
        .await
        .unwrap_or_else(|e| panic!("GET {url}: {e}"))
}

fn outbox_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| {
            d.filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "xml"))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}

fn memo_xsd() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../pipeline/fixtures/memo/xsd/v1.2/MeMo_core.xsd")
}

fn xmllint_valid(file: &Path) {
    if !tool("xmllint") {
        eprintln!("skipped: xmllint is not installed; the MeMo message is not validated");
        return;
    }
    let out = Command::new("xmllint")
        .arg("--noout")
        .arg("--schema")
        .arg(memo_xsd())
        .arg(file)
        .output()
        .unwrap_or_else(|e| panic!("xmllint: {e}"));
    assert!(
        out.status.success(),
        "the MeMo message does not validate: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn squash(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `(sagsnummer, aktnummer, page number)` of every stamp in the body pages.
fn stamps(pages: &[String]) -> (usize, Vec<(String, String, u32)>) {
    let side = regex::Regex::new(r"Side (\d+) af (\d+)").unwrap_or_else(|e| panic!("{e}"));
    let stamp = regex::Regex::new(r"Sag (\S+) · Akt (\d+)").unwrap_or_else(|e| panic!("{e}"));
    // Front matter is numbered in roman in its footer (the reading guide's example of a stamp
    // has arabic numbers, so the footer decides).
    let roman =
        regex::Regex::new(r"Side [ivxlcdm]+ af [ivxlcdm]+").unwrap_or_else(|e| panic!("{e}"));
    let front = pages
        .iter()
        .rposition(|p| roman.is_match(p))
        .map_or(0, |i| i + 1);
    let mut out = Vec::new();
    for (i, page) in pages[front..].iter().enumerate() {
        let number = side
            .captures_iter(page)
            .last()
            .and_then(|c| c[1].parse::<u32>().ok())
            .unwrap_or_else(|| panic!("body page {} has no page stamp:\n{page}", i + 1));
        assert_eq!(number as usize, i + 1, "body page numbering");
        let c = stamp
            .captures_iter(page)
            .last()
            .unwrap_or_else(|| panic!("body page {} has no case stamp:\n{page}", i + 1));
        out.push((c[1].to_owned(), c[2].to_owned(), number));
    }
    (front, out)
}

fn pdftotext(path: &Path, layout: bool) -> String {
    let mut cmd = Command::new("pdftotext");
    if layout {
        cmd.arg("-layout");
    }
    let out = cmd
        .args(["-enc", "UTF-8"])
        .arg(path)
        .arg("-")
        .output()
        .unwrap_or_else(|e| panic!("pdftotext: {e}"));
    assert!(
        out.status.success(),
        "pdftotext failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_approved_request_is_bundled_delivered_once_downloaded_and_reissued() {
    let app = spawn_app_with(params_with_demo_cases(3), |_| {}).await;
    let outbox = app
        .settings
        .delivery
        .outbox_dir
        .clone()
        .unwrap_or_else(|| panic!("the helper sets an outbox"));
    let id = submit_and_screen(&app, "bundle-1").await;
    review_and_approve(&app, &id).await;
    let s = wait_for(&app, &id, "DELIVERED v1", delivered(1)).await;
    assert_eq!(s["delivery"]["state"], "SENT", "{s}");
    assert_eq!(s["delivery"]["transport"], "outbox");
    assert_eq!(s["bundle"]["version"], 1);
    let first_uuid = s["delivery"]["messageUuid"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let url = s["bundle"]["downloadUrl"]
        .as_str()
        .unwrap_or_else(|| panic!("no download url: {s}"))
        .to_owned();

    // The requester downloads it.
    let response = get_bundle(&app, Some(&app.tokens.citizen), &url).await;
    assert_eq!(response.status(), 200);
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    assert_eq!(header("content-type"), "application/pdf");
    assert!(
        header("content-disposition").starts_with("attachment;"),
        "{}",
        header("content-disposition")
    );
    let pdf = response.bytes().await.unwrap_or_default().to_vec();
    assert!(pdf.starts_with(b"%PDF-"));
    assert_eq!(Some(pdf.len() as i64), s["bundle"]["bytes"].as_i64());
    let dir = TempDir::new("bundle-test");
    let path = dir.0.join("bundle.pdf");
    std::fs::write(&path, &pdf).unwrap_or_else(|e| panic!("{e}"));

    // Its caseworker may, a stranger and a bad token may not; a download is audited.
    let cw = get_bundle(&app, Some(&app.tokens.caseworker_all), &url).await;
    assert_eq!(cw.status(), 200);
    let stranger_cpr = app
        .municipality()
        .citizens
        .iter()
        .find(|c| c.cpr != app.municipality().demo_citizen().cpr)
        .map(|c| c.cpr.clone())
        .unwrap_or_else(|| panic!("a second citizen"));
    let stranger = app.token("stranger", DevIdentity::Citizen { cpr: stranger_cpr });
    assert_eq!(get_bundle(&app, Some(&stranger), &url).await.status(), 404);
    assert_eq!(
        get_bundle(&app, Some(&app.tokens.admin), &url)
            .await
            .status(),
        404
    );
    assert_eq!(
        get_bundle(&app, Some("not.a.token"), &url).await.status(),
        401
    );
    assert_eq!(get_bundle(&app, None, &url).await.status(), 401);
    assert_eq!(
        get_bundle(&app, Some(&app.tokens.citizen), "/bundles/nonsense")
            .await
            .status(),
        404
    );
    let store = app.store().await;
    use sea_orm::{ConnectionTrait, Statement};
    let raw_id = schema::ids::GlobalId::decode(&id)
        .and_then(|g| match g {
            schema::ids::GlobalId::AccessRequest { id } => Some(id),
            _ => None,
        })
        .unwrap_or_else(|| panic!("not a request id: {id}"));
    let downloads = store
        .query_one(Statement::from_sql_and_values(
            sea_orm::DbBackend::Sqlite,
            "SELECT COUNT(*) FROM audit_event WHERE action = 'bundle.downloaded' AND object_id = ?",
            vec![raw_id.clone().into()],
        ))
        .await
        .ok()
        .flatten()
        .and_then(|r| r.try_get_by_index::<i64>(0).ok());
    assert_eq!(downloads, Some(2), "the two downloads are audited");

    // One message in the outbox, named by its UUID, valid MeMo.
    let files = outbox_files(&outbox);
    assert_eq!(files.len(), 1, "{files:?}");
    assert!(
        files[0].ends_with(format!("{first_uuid}.xml")),
        "{files:?} vs {first_uuid}"
    );
    xmllint_valid(&files[0]);
    let message = std::fs::read_to_string(&files[0]).unwrap_or_default();
    assert!(message.contains(&app.settings.municipality.cvr));

    // Nothing decided REDACT survives in its document's pages; the citizen's own name does.
    let all_items = items(&app, &id).await;
    let all_findings: Vec<Value> = all_items.iter().flat_map(findings).collect();
    assert!(
        all_findings.iter().any(|f| f["decision"] == "REDACT"),
        "the test needs findings decided REDACT"
    );
    if !tool("pdftotext") {
        eprintln!(
            "skipped: pdftotext (poppler-utils) is not installed; the bundle's text is not checked"
        );
    } else {
        let text = squash(&pdftotext(&path, false));
        let own = app.municipality().demo_citizen().name();
        assert!(text.contains(&own), "the citizen's own name is gone");
        let layout = pdftotext(&path, true);
        let pages: Vec<String> = layout
            .split('\u{c}')
            .filter(|p| !p.trim().is_empty())
            .map(str::to_owned)
            .collect();
        let (front, stamped) = stamps(&pages);
        let documents_text = squash(&pages[front..].join(" "));
        assert!(
            documents_text.contains(&own),
            "the citizen's own name was cut out of the documents"
        );
        let mut leaked = Vec::new();
        let mut checked = 0;
        for item in &all_items {
            let sag = item["sagsnummer"].as_str().unwrap_or_default();
            let akt = item["aktnummer"].to_string();
            let body: String = stamped
                .iter()
                .zip(&pages[front..])
                .filter(|((s, a, _), _)| s == sag && *a == akt)
                .map(|(_, p)| squash(p))
                .collect::<Vec<_>>()
                .join(" ");
            let item_findings = findings(item);
            let kept: Vec<String> = item_findings
                .iter()
                .filter(|f| f["decision"] != "REDACT")
                .filter_map(|f| f["text"].as_str().map(squash))
                .collect();
            for f in item_findings.iter().filter(|f| f["decision"] == "REDACT") {
                let t = squash(f["text"].as_str().unwrap_or_default());
                // The same words kept elsewhere in the document (the citizen, staff) stay.
                if t.is_empty() || kept.iter().any(|k| k.contains(&t)) {
                    continue;
                }
                checked += 1;
                if body.contains(&t) {
                    leaked.push(format!(
                        "{t:?} ({}, {}) in {sag} akt {akt} ({})",
                        f["category"], f["owner"], item["mimeType"]
                    ));
                }
            }
        }
        assert!(checked > 0, "no redacted text was checked");
        if !leaked.is_empty() {
            let _ = std::fs::copy(
                &path,
                std::env::temp_dir().join("sagshub-leaked-bundle.pdf"),
            );
        }
        assert!(
            leaked.is_empty(),
            "redacted text is still in the bundle: {leaked:#?}"
        );

        // The document list's pages are the pages the stamps show.
        assert!(
            front >= 3,
            "cover letter, reading guide and list come first"
        );
        let list = pages[..front].join("\n");
        let mut firsts: Vec<(String, String, u32)> = Vec::new();
        for s in &stamped {
            if !firsts.iter().any(|f| f.0 == s.0 && f.1 == s.1) {
                firsts.push(s.clone());
            }
        }
        assert!(!firsts.is_empty());
        for (sag, akt, first) in &firsts {
            let row = list
                .lines()
                .find(|l| {
                    l.split_whitespace().next() == Some(akt.as_str()) && l.contains(sag.as_str())
                })
                .unwrap_or_else(|| panic!("no list row for {sag} akt {akt}"));
            assert_eq!(
                row.split_whitespace().last(),
                Some(first.to_string().as_str()),
                "{row}"
            );
        }
        let disclosed = all_items
            .iter()
            .filter(|i| i["disclosure"] != "WITHHELD")
            .count();
        assert_eq!(
            firsts.len(),
            disclosed,
            "every disclosed document is in the body once"
        );
    }
    if !tool("qpdf") {
        eprintln!("skipped: qpdf is not installed; the bundle's structure is not checked");
    } else {
        let out = Command::new("qpdf")
            .arg("--check")
            .arg(&path)
            .output()
            .unwrap_or_else(|e| panic!("qpdf: {e}"));
        assert!(
            out.status.success(),
            "qpdf --check: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    // A duplicated delivery job (a second `deliver` row, as a retried enqueue or a second
    // worker would make) sends nothing more.
    store
        .execute(Statement::from_sql_and_values(
            sea_orm::DbBackend::Sqlite,
            "INSERT INTO job (kind, request_id, payload, dedupe_key, state, attempts, max_attempts, run_after, \
             lease_owner, lease_expires_at, progress_done, progress_total, progress_note, last_error, created_at, updated_at, finished_at) \
             SELECT kind, request_id, payload, NULL, 'QUEUED', 0, max_attempts, run_after, NULL, NULL, 0, 0, NULL, NULL, \
             created_at, updated_at, NULL FROM job WHERE kind = 'deliver' AND request_id = ?",
            vec![raw_id.clone().into()],
        ))
        .await
        .unwrap_or_else(|e| panic!("duplicating the job: {e}"));
    let started = Instant::now();
    loop {
        let s = status(&app, &id).await;
        let jobs = s["jobs"].as_array().cloned().unwrap_or_default();
        let delivers: Vec<&Value> = jobs.iter().filter(|j| j["kind"] == "deliver").collect();
        assert_eq!(delivers.len(), 2, "{s}");
        if delivers.iter().all(|j| j["state"] == "SUCCEEDED") {
            break;
        }
        assert!(delivers.iter().all(|j| j["state"] != "FAILED"), "{s}");
        assert!(started.elapsed() < Duration::from_secs(60), "{s}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(outbox_files(&outbox).len(), 1, "the duplicate sent again");
    let attempts = store
        .query_one(Statement::from_sql_and_values(
            sea_orm::DbBackend::Sqlite,
            "SELECT attempts FROM delivery WHERE request_id = ?",
            vec![raw_id.clone().into()],
        ))
        .await
        .ok()
        .flatten()
        .and_then(|r| r.try_get_by_index::<i32>(0).ok());
    assert_eq!(attempts, Some(1), "the duplicate job reached the transport");

    // A duplicated bundle job makes no second bundle: same version, same row.
    store
        .execute(Statement::from_sql_and_values(
            sea_orm::DbBackend::Sqlite,
            "INSERT INTO job (kind, request_id, payload, dedupe_key, state, attempts, max_attempts, run_after, \
             lease_owner, lease_expires_at, progress_done, progress_total, progress_note, last_error, created_at, updated_at, finished_at) \
             SELECT kind, request_id, payload, NULL, 'QUEUED', 0, max_attempts, run_after, NULL, NULL, 0, 0, NULL, NULL, \
             created_at, updated_at, NULL FROM job WHERE kind = 'bundle' AND request_id = ?",
            vec![raw_id.clone().into()],
        ))
        .await
        .unwrap_or_else(|e| panic!("duplicating the bundle job: {e}"));
    let started = Instant::now();
    loop {
        let s = status(&app, &id).await;
        let jobs = s["jobs"].as_array().cloned().unwrap_or_default();
        let bundles: Vec<&Value> = jobs.iter().filter(|j| j["kind"] == "bundle").collect();
        if bundles.len() == 2 && bundles.iter().all(|j| j["state"] == "SUCCEEDED") {
            assert_eq!(s["state"], "DELIVERED");
            assert_eq!(s["bundle"]["version"], 1);
            break;
        }
        assert!(bundles.iter().all(|j| j["state"] != "FAILED"), "{s}");
        assert!(started.elapsed() < Duration::from_secs(60), "{s}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let rows = store
        .query_one(Statement::from_sql_and_values(
            sea_orm::DbBackend::Sqlite,
            "SELECT COUNT(*) FROM bundle WHERE request_id = ?",
            vec![raw_id.clone().into()],
        ))
        .await
        .ok()
        .flatten()
        .and_then(|r| r.try_get_by_index::<i64>(0).ok());
    assert_eq!(rows, Some(1));
    assert_eq!(outbox_files(&outbox).len(), 1);

    // Re-issue: reopened, decisions kept, approved again → version 2, a new message that
    // refers to the first.
    let citizen_reopen = app
        .gql(
            Some(&app.tokens.citizen),
            "mutation($id: ID!) { reopenAccessRequest(id: $id, reason: \"x\") { accessRequest { state } } }",
            json!({ "id": id }),
        )
        .await;
    assert!(
        !citizen_reopen["errors"].is_null(),
        "a citizen reopened: {citizen_reopen}"
    );
    let reopened = app
        .gql(
            Some(&app.tokens.caseworker_all),
            "mutation($id: ID!) { reopenAccessRequest(id: $id, reason: \"En akt var fejlagtigt undtaget.\") { accessRequest { state } } }",
            json!({ "id": id }),
        )
        .await;
    assert!(reopened["errors"].is_null(), "{reopened}");
    assert_eq!(
        reopened["data"]["reopenAccessRequest"]["accessRequest"]["state"],
        "AWAITING_REVIEW"
    );
    let decisions_after: Vec<Value> = items(&app, &id).await.iter().flat_map(findings).collect();
    assert_eq!(
        decisions_after
            .iter()
            .filter(|f| f["decision"] == "REDACT")
            .count(),
        all_findings
            .iter()
            .filter(|f| f["decision"] == "REDACT")
            .count(),
        "the decisions are kept"
    );
    let again = app
        .gql(
            Some(&app.tokens.caseworker_all),
            APPROVE,
            json!({ "id": id }),
        )
        .await;
    assert!(again["errors"].is_null(), "{again}");
    let s2 = wait_for(&app, &id, "DELIVERED v2", delivered(2)).await;
    let second_uuid = s2["delivery"]["messageUuid"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert_ne!(second_uuid, first_uuid);
    assert_eq!(s2["bundle"]["version"], 2);
    let files = outbox_files(&outbox);
    assert_eq!(files.len(), 2, "{files:?}");
    let second = files
        .iter()
        .find(|f| f.ends_with(format!("{second_uuid}.xml")))
        .unwrap_or_else(|| panic!("no file for {second_uuid} in {files:?}"));
    xmllint_valid(second);
    let reissue = std::fs::read_to_string(second).unwrap_or_default();
    assert!(
        reissue.contains(&first_uuid),
        "the second message does not refer to the first"
    );
    let v1 = get_bundle(&app, Some(&app.tokens.citizen), &url).await;
    assert_eq!(v1.status(), 200, "version 1 stays downloadable");
    let v2 = get_bundle(
        &app,
        Some(&app.tokens.citizen),
        s2["bundle"]["downloadUrl"].as_str().unwrap_or_default(),
    )
    .await;
    assert_eq!(v2.status(), 200);
    let v2_pdf = v2.bytes().await.unwrap_or_default().to_vec();
    assert_ne!(v2_pdf, pdf, "version 2 is a new bundle");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_http_transport_retries_a_failing_receiver_and_sends_once() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap_or_else(|e| panic!("bind: {e}"));
    let receiver = playground::sim::digitalpost::spawn("dp-token", listener)
        .await
        .unwrap_or_else(|e| panic!("receiver: {e}"));
    // The first two posts fail with 500: the job retries.
    receiver
        .server
        .control
        .set_fault_for(playground::sim::Fault::ServerError, 2);
    let url = receiver.url();
    let app = spawn_app_with(params_with_demo_cases(1), |s| {
        s.delivery.transport = schema::services::delivery::TransportKind::Http;
        s.delivery.http_url = Some(url);
        s.delivery.http_token = Some("dp-token".into());
    })
    .await;
    let id = submit_and_screen(&app, "bundle-http").await;
    review_and_approve(&app, &id).await;
    let s = wait_for(&app, &id, "DELIVERED", delivered(1)).await;
    assert_eq!(s["delivery"]["transport"], "http");
    assert_eq!(receiver.mailbox.len(), 1);
    let uuid = s["delivery"]["messageUuid"].as_str().unwrap_or_default();
    assert!(
        receiver.mailbox.get(uuid).is_some(),
        "stored under its UUID"
    );
    let calls = receiver.server.control.total_calls();
    assert!(calls >= 3, "two failures and a success: {calls} calls");
    let deliver = s["jobs"]
        .as_array()
        .and_then(|j| j.iter().find(|j| j["kind"] == "deliver").cloned())
        .unwrap_or_default();
    assert_eq!(deliver["attempts"], 3, "{s}");

    // The receiver refuses a second copy with 409, which a transport counts as sent.
    let transport = schema::services::delivery::HttpTransport::new(
        receiver.url(),
        Some("dp-token".into()),
        Duration::from_secs(5),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    use schema::services::delivery::DigitalPost;
    let parsed = uuid_of(uuid);
    let again = transport
        .send(parsed, &receiver.mailbox.get(uuid).unwrap_or_default())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(again.duplicate, "{again:?}");
    assert_eq!(receiver.mailbox.len(), 1);
}

fn uuid_of(text: &str) -> uuid::Uuid {
    uuid::Uuid::parse_str(text).unwrap_or_else(|e| panic!("{text}: {e}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_automatic_policy_a_request_is_delivered_without_a_person() {
    let app = spawn_app_with(params_with_demo_cases(2), |s| {
        s.aktindsigt.default_automation = pipeline::screen::Automation::Automatic;
        s.aktindsigt.ocr = true;
    })
    .await;
    let answer = app
        .gql(Some(&app.tokens.citizen), SUBMIT, json!({ "key": "auto" }))
        .await;
    let id = answer["data"]["submitAccessRequest"]["accessRequest"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("no id in {answer}"))
        .to_owned();
    let s = wait_for(&app, &id, "DELIVERED or review", |s| {
        s["state"] == "DELIVERED" || s["state"] == "AWAITING_REVIEW"
    })
    .await;
    if s["state"] == "AWAITING_REVIEW" {
        assert!(
            pipeline::extract::Tesseract::detect().is_none(),
            "OCR is installed, yet the request waits for a person: {s}"
        );
        eprintln!(
            "skipped: tesseract with the Danish model is not installed; scans wait for a person"
        );
        return;
    }
    assert_eq!(s["delivery"]["state"], "SENT", "{s}");
    let outbox = app.settings.delivery.outbox_dir.clone().unwrap_or_default();
    let files = outbox_files(&outbox);
    assert_eq!(files.len(), 1, "{files:?}");
    xmllint_valid(&files[0]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_document_that_cannot_be_redacted_fails_the_bundle_naming_it() {
    let app = spawn_app_with(params_with_demo_cases(6), |_| {}).await;
    crate::helpers::damage_school_pdfs(&app).await;
    let id = submit_and_screen(&app, "unredactable").await;
    // The reviewer discloses the damaged documents without looking closer.
    let broken: Vec<Value> = items(&app, &id)
        .await
        .into_iter()
        .filter(|i| i["needsManualReview"] == true && i["mimeType"] == "application/pdf")
        .collect();
    assert!(!broken.is_empty());
    for item in &broken {
        let answer = app
            .gql(
                Some(&app.tokens.caseworker_all),
                "mutation($i: ID!) { setItemDisclosure(input: {itemId: $i, disclosure: FULL}) { item { id } } }",
                json!({ "i": item["id"] }),
            )
            .await;
        assert!(answer["errors"].is_null(), "{answer}");
    }
    review_and_approve(&app, &id).await;
    let started = Instant::now();
    let s = loop {
        let s = status(&app, &id).await;
        if s["state"] == "FAILED" {
            break s;
        }
        assert_ne!(
            s["state"], "DELIVERED",
            "a damaged document was bundled: {s}"
        );
        assert!(started.elapsed() < Duration::from_secs(90), "{s}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let job = s["jobs"]
        .as_array()
        .and_then(|j| j.iter().find(|j| j["kind"] == "bundle").cloned())
        .unwrap_or_default();
    assert_eq!(job["state"], "FAILED", "{s}");
    let error = job["lastError"].as_str().unwrap_or_default();
    assert!(
        broken.iter().any(|b| {
            let named = format!(
                "{} akt {}",
                b["sagsnummer"].as_str().unwrap_or_default(),
                b["aktnummer"]
            );
            error.contains(&named)
        }),
        "the error does not name the document: {error}"
    );
    assert_eq!(
        job["attempts"], 1,
        "a permanent failure is not retried: {s}"
    );
    assert!(s["bundle"].is_null() && s["delivery"].is_null(), "{s}");
}
