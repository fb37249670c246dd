//! The SOAP connector against the simulated SF1470 ESDH, over a real socket.

use std::sync::Arc;

use connectors::config::SoapConfig;
use connectors::soap::SoapSystem;
use connectors::{CaseSystem, Error, PartyKey, PartyRole, ProgressStatus, SystemId};
use playground::municipality::{Municipality, Params, Status, generate, render};
use playground::sim::{Fault, RunningServer, soap};

const SYSTEM: &str = "esdh";

async fn start() -> (Arc<Municipality>, RunningServer, SoapSystem) {
    let muni = Arc::new(generate(&Params::small()));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let server = soap::spawn(muni.clone(), SYSTEM, listener)
        .await
        .expect("spawn");
    let config = SoapConfig {
        url: format!("{}{}", server.base_url(), soap::PATH),
        max_response_bytes: 64 * 1024 * 1024,
        page_size: 500,
    };
    let system =
        SoapSystem::new(SystemId::new(SYSTEM), &config, reqwest::Client::new()).expect("connector");
    (muni, server, system)
}

fn status(s: Status) -> ProgressStatus {
    match s {
        Status::Opened => ProgressStatus::Opstaaet,
        Status::Investigated => ProgressStatus::Oplyst,
        Status::Decided => ProgressStatus::Afgjort,
        Status::Closed => ProgressStatus::Afsluttet,
    }
}

#[tokio::test]
async fn demo_citizen_cases_documents_and_content() {
    let (muni, server, system) = start().await;
    let citizen = muni.demo_citizen();
    let key = PartyKey::cpr(&citizen.cpr).expect("cpr");
    let mut expected: Vec<_> = muni
        .cases_of_system(SYSTEM)
        .filter(|c| c.primary == 0 || c.secondary.contains(&0))
        .collect();
    expected.sort_by(|a, b| a.sagsnummer.cmp(&b.sagsnummer));
    assert!(
        !expected.is_empty(),
        "the demo citizen has cases in {SYSTEM}"
    );

    let mut cases = system
        .cases_for_parties(std::slice::from_ref(&key))
        .await
        .expect("cases");
    cases.sort_by(|a, b| a.sagsnummer.cmp(&b.sagsnummer));
    assert_eq!(cases.len(), expected.len());
    for (got, want) in cases.iter().zip(&expected) {
        assert_eq!(got.local_id, want.uuid.to_string());
        assert_eq!(
            (
                got.title.as_str(),
                got.sagsnummer.as_str(),
                got.kle.as_str()
            ),
            (
                want.title.as_str(),
                want.sagsnummer.as_str(),
                want.kle.as_str()
            )
        );
        assert_eq!(got.status, status(want.status));
        assert_eq!(got.opened, want.opened);
        let primary = got
            .parties
            .iter()
            .find(|p| p.role == PartyRole::Primary)
            .expect("primary party");
        let want_primary = &muni.citizens[want.primary];
        assert_eq!(primary.party.key, PartyKey::cpr(&want_primary.cpr));
        assert_eq!(primary.party.name, want_primary.name());
        assert_eq!(got.parties.len(), 1 + want.secondary.len());
        assert!(got.has_party(&key));
    }

    // Many case ids and their documents: one fremsoeg each.
    server.control.reset_calls();
    let ids: Vec<String> = expected.iter().map(|c| c.uuid.to_string()).collect();
    let by_id = system.cases_by_ids(&ids).await.expect("by ids");
    assert_eq!(by_id.len(), ids.len());
    let docs = system.documents_of_cases(&ids).await.expect("documents");
    let calls = server.control.calls();
    assert_eq!(calls.get("fremsoeg:Sag"), Some(&1), "{calls:?}");
    assert_eq!(calls.get("fremsoeg:DokumentIndeks"), Some(&1), "{calls:?}");
    for case in &expected {
        let akt: Vec<u32> = docs
            .iter()
            .filter(|d| d.case_local_id == case.uuid.to_string())
            .map(|d| d.aktnummer)
            .collect();
        let want: Vec<u32> = case.documents.iter().map(|d| d.aktnummer).collect();
        assert_eq!(akt, want, "aktnumre of {}", case.sagsnummer);
    }

    let doc = &expected[0].documents[0];
    let rendered = render(&muni, doc);
    let content = system
        .content(&doc.uuid.to_string(), 64 * 1024 * 1024)
        .await
        .expect("content");
    assert_eq!(content.bytes, rendered.bytes);
    assert_eq!(content.mime_type, rendered.mime_type);
    let listed = docs
        .iter()
        .find(|d| d.local_id == doc.uuid.to_string())
        .expect("listed");
    assert_eq!(listed.size, Some(rendered.bytes.len() as u64));
    if !rendered.bytes.is_empty() {
        let too_small = system
            .content(&doc.uuid.to_string(), rendered.bytes.len() as u64 - 1)
            .await;
        assert!(
            matches!(too_small, Err(Error::TooLarge { .. })),
            "{too_small:?}"
        );
    }
    let health = system.health().await;
    assert!(health.up, "{health:?}");
    server.shutdown().await;
}

#[tokio::test]
async fn many_parties_are_one_call() {
    let (muni, server, system) = start().await;
    let keys: Vec<PartyKey> = muni
        .citizens
        .iter()
        .take(30)
        .filter_map(|c| PartyKey::cpr(&c.cpr))
        .collect();
    let cases = system.cases_for_parties(&keys).await.expect("cases");
    let want = muni
        .cases_of_system(SYSTEM)
        .filter(|c| {
            std::iter::once(c.primary)
                .chain(c.secondary.iter().copied())
                .any(|p| p < 30)
        })
        .count();
    assert_eq!(cases.len(), want);
    assert_eq!(server.control.calls().get("fremsoeg:Sag"), Some(&1));
    server.shutdown().await;
}

#[tokio::test]
async fn faults_are_classified() {
    let (muni, server, system) = start().await;
    let key = PartyKey::cpr(&muni.demo_citizen().cpr).expect("cpr");
    server.control.set_fault_for(Fault::ServerError, 1);
    let e = system
        .cases_for_parties(std::slice::from_ref(&key))
        .await
        .expect_err("server error");
    assert!(matches!(e, Error::Unavailable { .. }), "{e}");
    server.control.set_fault_for(Fault::Truncated, 1);
    let e = system
        .cases_for_parties(std::slice::from_ref(&key))
        .await
        .expect_err("truncated");
    assert!(matches!(e, Error::Protocol { .. }), "{e}");
    server.control.set_fault_for(
        Fault::RateLimit {
            retry_after_secs: 7,
        },
        1,
    );
    let e = system
        .cases_for_parties(std::slice::from_ref(&key))
        .await
        .expect_err("rate limit");
    assert!(
        matches!(
            e,
            Error::RateLimited {
                retry_after_secs: Some(7),
                ..
            }
        ),
        "{e}"
    );
    let e = system
        .content("00000000-0000-4000-8000-000000000000", 1024)
        .await
        .expect_err("unknown document");
    assert!(matches!(e, Error::NotFound { .. }), "{e}");
    assert!(
        !system
            .cases_for_parties(std::slice::from_ref(&key))
            .await
            .expect("recovered")
            .is_empty()
    );
    server.shutdown().await;
}

#[tokio::test]
async fn search_and_change_feed() {
    let (muni, server, system) = start().await;
    let all: Vec<_> = muni.cases_of_system(SYSTEM).collect();
    let first = all[0];
    let q = connectors::SearchQuery {
        kle_prefix: Some(first.kle[..2].to_owned()),
        status: Some(status(first.status)),
        limit: 1000,
        ..Default::default()
    };
    let hits = system.search(&q).await.expect("search");
    let want = all
        .iter()
        .filter(|c| c.kle.starts_with(&first.kle[..2]) && c.status == first.status)
        .count();
    assert_eq!(hits.len(), want);
    let word = first
        .title
        .split_whitespace()
        .next()
        .expect("a word")
        .to_owned();
    let hits = system
        .search(&connectors::SearchQuery {
            text: Some(word.clone()),
            limit: 1000,
            ..Default::default()
        })
        .await
        .expect("search");
    assert!(hits.iter().any(|c| c.local_id == first.uuid.to_string()));

    // Walk the feed in small pages: every case exactly once.
    let mut seen = std::collections::BTreeSet::new();
    let mut cursor: Option<String> = None;
    for _ in 0..1000 {
        let page = system
            .changes_since(cursor.as_deref(), 7)
            .await
            .expect("changes");
        for c in &page.changes {
            if let connectors::Change::Upserted(c) = c {
                assert!(seen.insert(c.local_id.clone()), "seen twice");
            }
        }
        cursor = Some(page.next_cursor);
        if !page.has_more {
            break;
        }
    }
    assert_eq!(seen.len(), all.len());
    let again = system
        .changes_since(cursor.as_deref(), 7)
        .await
        .expect("changes");
    assert!(again.changes.is_empty() && !again.has_more);
    server.shutdown().await;
}
