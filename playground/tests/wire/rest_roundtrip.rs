//! The REST connector against the simulated REST fagsystem, over a real socket.
//!
//! The two sides share no code: the server speaks its own JSON, the connector maps it.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::sync::Arc;
use std::time::Duration;

use connectors::config::{ResilienceConfig, RestConfig};
use connectors::resilience::Resilient;
use connectors::rest::RestSystem;
use connectors::{CaseSystem, Change, Error, PartyKey, SearchQuery, SystemId};
use playground::municipality::{Municipality, Params, SimCase, generate, render};
use playground::sim::{Fault, RunningServer, rest};

const SYSTEM: &str = "jobcenter";
const TOKEN: &str = "test-token-4711";

struct Sim {
    muni: Arc<Municipality>,
    server: RunningServer,
}

async fn start() -> Sim {
    let muni = Arc::new(generate(&Params::small()));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let server = rest::spawn(muni.clone(), SYSTEM, TOKEN, listener)
        .await
        .unwrap();
    Sim { muni, server }
}

impl Sim {
    fn connector_with(&self, token: &str, page_size: usize) -> RestSystem {
        let config = RestConfig {
            url: self.server.base_url(),
            token: token.into(),
            page_size,
            max_response_bytes: 16 * 1024 * 1024,
        };
        RestSystem::new(SystemId::new(SYSTEM), &config, reqwest::Client::new()).unwrap()
    }
    fn connector(&self) -> RestSystem {
        self.connector_with(TOKEN, 500)
    }
    fn resilient(&self, config: ResilienceConfig) -> Resilient {
        Resilient::new(Arc::new(self.connector()), &config)
    }
    fn sim_cases(&self) -> Vec<&SimCase> {
        self.muni.cases_of_system(SYSTEM).collect()
    }
    fn sim_case(&self, sagsnummer: &str) -> &SimCase {
        self.muni
            .cases
            .iter()
            .find(|c| c.sagsnummer == sagsnummer)
            .unwrap()
    }
    fn demo_key(&self) -> PartyKey {
        PartyKey::cpr(&self.muni.demo_citizen().cpr).unwrap()
    }
    fn calls(&self, operation: &str) -> u64 {
        self.server
            .control
            .calls()
            .get(operation)
            .copied()
            .unwrap_or(0)
    }
    async fn admin(&self, path: &str, body: serde_json::Value) -> reqwest::StatusCode {
        let url = format!("{}{path}", self.server.base_url());
        reqwest::Client::new()
            .post(url)
            .json(&body)
            .send()
            .await
            .unwrap()
            .status()
    }
}

fn quick(config: ResilienceConfig) -> ResilienceConfig {
    ResilienceConfig {
        backoff_base_ms: 1,
        backoff_max_ms: 5_000,
        timeout_ms: 5_000,
        ..config
    }
}

#[tokio::test]
async fn demo_citizens_cases_come_back() {
    let sim = start().await;
    let expected: BTreeSet<String> = sim
        .sim_cases()
        .iter()
        .filter(|c| c.primary == 0 || c.secondary.contains(&0))
        .map(|c| c.sagsnummer.clone())
        .collect();
    assert!(
        !expected.is_empty(),
        "the demo citizen has cases in {SYSTEM}"
    );
    let cases = sim
        .connector()
        .cases_for_parties(&[sim.demo_key()])
        .await
        .unwrap();
    let got: BTreeSet<String> = cases.iter().map(|c| c.sagsnummer.clone()).collect();
    assert_eq!(got, expected);
    for case in &cases {
        assert!(case.has_party(&sim.demo_key()));
        let truth = sim.sim_case(&case.sagsnummer);
        assert_eq!(case.title, truth.title);
        assert_eq!(case.kle, truth.kle);
        assert_eq!(case.opened, truth.opened);
        assert_eq!(
            case.department,
            sim.muni.department(truth.department).unwrap().name
        );
    }
    assert_eq!(sim.calls("GET /api/v1/cases"), 1);
}

#[tokio::test]
async fn documents_of_several_cases_in_one_backend_call() {
    let sim = start().await;
    let rest = sim.connector();
    let cases = rest
        .search(&SearchQuery {
            limit: 4,
            ..SearchQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(cases.len(), 4);
    sim.server.control.reset_calls();
    let ids: Vec<String> = cases.iter().map(|c| c.local_id.clone()).collect();
    let documents = rest.documents_of_cases(&ids).await.unwrap();
    assert_eq!(
        sim.server.control.total_calls(),
        1,
        "one backend call for all cases"
    );
    for case in &cases {
        let numbers: Vec<u32> = documents
            .iter()
            .filter(|d| d.case_local_id == case.local_id)
            .map(|d| d.aktnummer)
            .collect();
        let truth: Vec<u32> = sim
            .sim_case(&case.sagsnummer)
            .documents
            .iter()
            .map(|d| d.aktnummer)
            .collect();
        assert_eq!(numbers, truth, "aktnumre of {}", case.sagsnummer);
    }
}

#[tokio::test]
async fn content_is_the_rendered_bytes_and_size_limited() {
    let sim = start().await;
    let rest = sim.connector();
    let case = &rest
        .search(&SearchQuery {
            limit: 1,
            ..SearchQuery::default()
        })
        .await
        .unwrap()[0];
    let documents = rest
        .documents_of_cases(std::slice::from_ref(&case.local_id))
        .await
        .unwrap();
    let truth = sim.sim_case(&case.sagsnummer);
    for document in documents.iter().take(3) {
        let sim_doc = truth
            .documents
            .iter()
            .find(|d| d.aktnummer == document.aktnummer)
            .unwrap();
        let rendered = render(&sim.muni, sim_doc);
        let content = rest
            .content(&document.local_id, 64 * 1024 * 1024)
            .await
            .unwrap();
        assert_eq!(content.bytes, rendered.bytes);
        assert_eq!(content.mime_type, rendered.mime_type);
        assert_eq!(document.size, Some(rendered.bytes.len() as u64));
        assert!(matches!(
            rest.content(&document.local_id, 10).await,
            Err(Error::TooLarge { limit: 10, .. })
        ));
    }
    assert!(matches!(
        rest.content("no-such-document", 1024).await,
        Err(Error::NotFound { .. })
    ));
}

#[tokio::test]
async fn pagination_walks_every_page_once() {
    let sim = start().await;
    let rest = sim.connector_with(TOKEN, 2);
    let all = rest
        .search(&SearchQuery {
            limit: 10_000,
            ..SearchQuery::default()
        })
        .await
        .unwrap();
    let expected: BTreeSet<String> = sim
        .sim_cases()
        .iter()
        .map(|c| c.sagsnummer.clone())
        .collect();
    let got: Vec<String> = all.iter().map(|c| c.sagsnummer.clone()).collect();
    assert_eq!(got.len(), expected.len(), "every case exactly once");
    assert_eq!(got.iter().cloned().collect::<BTreeSet<_>>(), expected);
    assert_eq!(
        sim.calls("GET /api/v1/cases") as usize,
        expected.len().div_ceil(2)
    );

    let ids: Vec<String> = all.iter().take(3).map(|c| c.local_id.clone()).collect();
    let documents = rest.documents_of_cases(&ids).await.unwrap();
    let expected_docs: usize = all
        .iter()
        .take(3)
        .map(|c| sim.sim_case(&c.sagsnummer).documents.len())
        .sum();
    assert_eq!(documents.len(), expected_docs);
    assert_eq!(
        documents
            .iter()
            .map(|d| d.local_id.clone())
            .collect::<HashSet<_>>()
            .len(),
        expected_docs
    );
    assert!(sim.calls("GET /api/v1/documents") > 1);
}

#[tokio::test]
async fn wrong_token_is_unauthorized() {
    let sim = start().await;
    let rest = sim.connector_with("wrong", 500);
    assert!(matches!(
        rest.cases_for_parties(&[sim.demo_key()]).await,
        Err(Error::Unauthorized { .. })
    ));
    let health = rest.health().await;
    assert!(!health.up);
    assert!(sim.connector().health().await.up);
}

#[tokio::test]
async fn rate_limit_is_waited_out_through_resilient() {
    let sim = start().await;
    sim.server.control.set_fault_for(
        Fault::RateLimit {
            retry_after_secs: 1,
        },
        1,
    );
    assert!(matches!(
        sim.connector().cases_for_parties(&[sim.demo_key()]).await,
        Err(Error::RateLimited {
            retry_after_secs: Some(1),
            ..
        })
    ));

    sim.server.control.set_fault_for(
        Fault::RateLimit {
            retry_after_secs: 1,
        },
        1,
    );
    let resilient = sim.resilient(quick(ResilienceConfig::default()));
    let cases = resilient
        .cases_for_parties(&[sim.demo_key()])
        .await
        .unwrap();
    assert!(!cases.is_empty());
    assert_eq!(resilient.backend_calls(), 2);
}

#[tokio::test]
async fn server_errors_open_the_breaker() {
    let sim = start().await;
    sim.server.control.set_fault(Fault::ServerError);
    let resilient = sim.resilient(quick(ResilienceConfig {
        retries: 0,
        breaker_failures: 3,
        ..ResilienceConfig::default()
    }));
    for _ in 0..3 {
        assert!(matches!(
            resilient.cases_for_parties(&[sim.demo_key()]).await,
            Err(Error::Unavailable { .. })
        ));
    }
    sim.server.control.reset_calls();
    assert!(matches!(
        resilient.cases_for_parties(&[sim.demo_key()]).await,
        Err(Error::CircuitOpen { .. })
    ));
    assert_eq!(
        sim.server.control.total_calls(),
        0,
        "an open breaker makes no call"
    );
    assert!(resilient.health().await.circuit_open);
}

#[tokio::test]
async fn slow_answer_times_out() {
    let sim = start().await;
    sim.server
        .control
        .set_fault_for(Fault::Slow(Duration::from_secs(3)), 1);
    let resilient = sim.resilient(ResilienceConfig {
        timeout_ms: 200,
        retries: 0,
        ..ResilienceConfig::default()
    });
    assert!(matches!(
        resilient.cases_for_parties(&[sim.demo_key()]).await,
        Err(Error::Timeout { millis: 200, .. })
    ));
}

#[tokio::test]
async fn truncated_body_is_a_protocol_error() {
    let sim = start().await;
    sim.server.control.set_fault_for(Fault::Truncated, 1);
    assert!(matches!(
        sim.connector().cases_for_parties(&[sim.demo_key()]).await,
        Err(Error::Protocol { .. })
    ));
    assert!(
        sim.connector()
            .cases_for_parties(&[sim.demo_key()])
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn fault_switch_over_http() {
    let sim = start().await;
    let status = sim
        .admin(
            "/_sim/fault",
            serde_json::json!({ "mode": "error", "count": 1 }),
        )
        .await;
    assert!(status.is_success());
    assert!(matches!(
        sim.connector().cases_by_ids(&["x".into()]).await,
        Err(Error::Unavailable { .. })
    ));
    assert!(
        sim.connector()
            .cases_by_ids(&["x".into()])
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        sim.admin("/_sim/fault", serde_json::json!({ "mode": "sideways" }))
            .await,
        reqwest::StatusCode::BAD_REQUEST
    );
}

#[tokio::test]
async fn change_feed_pages_and_propagates_deletions() {
    let sim = start().await;
    let rest = sim.connector_with(TOKEN, 2);
    let total = sim.sim_cases().len();

    // A bounded first read says there is more.
    let first = rest.changes_since(None, 5).await.unwrap();
    assert_eq!(first.changes.len(), 5);
    assert!(first.has_more);

    // Draining from the start: every case once, as upserts.
    let mut cursor: Option<String> = None;
    let mut seen = BTreeMap::new();
    loop {
        let page = rest.changes_since(cursor.as_deref(), 7).await.unwrap();
        for change in page.changes {
            match change {
                Change::Upserted(case) => *seen.entry(case.local_id.clone()).or_insert(0) += 1,
                Change::Deleted { .. } => panic!("nothing deleted yet"),
            }
        }
        cursor = Some(page.next_cursor);
        if !page.has_more {
            break;
        }
    }
    assert_eq!(seen.len(), total);
    assert!(seen.values().all(|n| *n == 1), "each case delivered once");

    // A quiet feed delivers nothing new.
    let quiet = rest.changes_since(cursor.as_deref(), 100).await.unwrap();
    assert!(quiet.changes.is_empty());

    // Delete a case: the feed reports it, and it is gone from reads.
    let victim = seen.keys().next().unwrap().clone();
    assert!(
        sim.admin(
            &format!("/_sim/cases/{victim}/delete"),
            serde_json::json!({})
        )
        .await
        .is_success()
    );
    let after = rest
        .changes_since(Some(&quiet.next_cursor), 100)
        .await
        .unwrap();
    assert_eq!(
        after.changes,
        vec![Change::Deleted {
            local_id: victim.clone()
        }]
    );
    assert!(!after.has_more);
    assert!(
        rest.cases_by_ids(std::slice::from_ref(&victim))
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        rest.changes_since(Some(&after.next_cursor), 100)
            .await
            .unwrap()
            .changes
            .is_empty()
    );
    assert_eq!(
        sim.admin(
            &format!("/_sim/cases/{victim}/delete"),
            serde_json::json!({})
        )
        .await,
        reqwest::StatusCode::NOT_FOUND
    );
}
