//! The legacy SQL system end to end: seed the playground's layout, read it back through the
//! hub's SQL connector with the demo's configured queries, on SQLite always and on PostgreSQL /
//! MariaDB when `SAGSHUB_TEST_POSTGRES_URL` / `SAGSHUB_TEST_MARIADB_URL` name a server.

use std::collections::BTreeSet;
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicU32, Ordering};

use connectors::config::{SqlConfig, SqlQueries};
use connectors::sql::SqlSystem;
use connectors::{
    CaseSystem, Change, DocumentKind, Error, PartyKey, PartyRole, ProgressStatus, SearchQuery,
    SystemId,
};
use futures::FutureExt;
use playground::municipality::{DocKind, Municipality, Params, SimCase, Status, generate, render};
use playground::sim::sql::{DEMO_QUERIES_TOML, delete_case, dok_id, retitle_case, sag_id, seed};
use sea_orm::{ConnectionTrait, Database};

const SYSTEM: &str = "skole";

#[derive(serde::Deserialize)]
struct QueriesFile {
    queries: SqlQueries,
}

fn demo_queries() -> SqlQueries {
    match toml::from_str::<QueriesFile>(DEMO_QUERIES_TOML) {
        Ok(file) => file.queries,
        Err(e) => panic!("DEMO_QUERIES_TOML does not parse: {e}"),
    }
}

fn unique_name() -> String {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    format!(
        "sagshub_sql_{}_{}_{nanos}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

async fn connect(url: &str, queries: SqlQueries) -> SqlSystem {
    match SqlSystem::connect(SystemId::new(SYSTEM), &SqlConfig::new(url, queries)).await {
        Ok(system) => system,
        Err(e) => panic!("connect: {e}"),
    }
}

fn ids(cases: &[connectors::Case]) -> BTreeSet<String> {
    cases.iter().map(|c| c.local_id.clone()).collect()
}

fn expected_status(status: Status) -> ProgressStatus {
    match status {
        Status::Opened => ProgressStatus::Opstaaet,
        Status::Investigated => ProgressStatus::Oplyst,
        Status::Decided => ProgressStatus::Afgjort,
        Status::Closed => ProgressStatus::Afsluttet,
    }
}

fn expected_kind(kind: DocKind) -> DocumentKind {
    match kind {
        DocKind::Incoming => DocumentKind::IncomingLetter,
        DocKind::Outgoing => DocumentKind::OutgoingLetter,
        DocKind::Note => DocumentKind::JournalNote,
        DocKind::Internal => DocumentKind::Internal,
    }
}

fn key_of(muni: &Municipality, citizen: usize) -> PartyKey {
    match PartyKey::cpr(&muni.citizens[citizen].cpr) {
        Some(key) => key,
        None => panic!("generated CPR is not ten digits"),
    }
}

/// Every check, against a database that `url` names and that nothing else uses.
async fn roundtrip(url: &str) {
    let muni = generate(&Params::small());
    let ours: Vec<&SimCase> = muni.cases_of_system(SYSTEM).collect();
    assert!(
        ours.len() >= 3,
        "the small municipality gives {SYSTEM} too few cases ({})",
        ours.len()
    );

    let report = match seed(&muni, SYSTEM, url).await {
        Ok(r) => r,
        Err(e) => panic!("seed: {e}"),
    };
    assert_eq!(report.cases, ours.len());
    assert_eq!(
        report.documents,
        ours.iter().map(|c| c.documents.len()).sum::<usize>()
    );
    // Seeding twice recreates the tables rather than failing on them.
    if let Err(e) = seed(&muni, SYSTEM, url).await {
        panic!("second seed: {e}");
    }

    let system = connect(url, demo_queries()).await;
    assert!(system.health().await.up, "health probe failed");

    // The demo citizen's cases, titles, status and parties: three statements.
    let citizen = muni.demo_citizen();
    let theirs: Vec<&&SimCase> = ours
        .iter()
        .filter(|c| c.primary == citizen.id || c.secondary.contains(&citizen.id))
        .collect();
    assert!(!theirs.is_empty(), "the demo citizen has no {SYSTEM} cases");
    let before = system.statements_executed();
    let cases = match system.cases_for_parties(&[key_of(&muni, citizen.id)]).await {
        Ok(c) => c,
        Err(e) => panic!("cases_for_parties: {e}"),
    };
    assert_eq!(
        system.statements_executed() - before,
        2,
        "one statement for the cases, one for their parties"
    );
    assert_eq!(
        ids(&cases),
        theirs.iter().map(|c| sag_id(c).to_string()).collect()
    );
    for case in &cases {
        let sim = theirs
            .iter()
            .find(|c| sag_id(c).to_string() == case.local_id)
            .map(|c| **c);
        let Some(sim) = sim else {
            panic!("unexpected case {}", case.local_id)
        };
        assert_eq!(case.title, sim.title);
        assert_eq!(case.sagsnummer, sim.sagsnummer);
        assert_eq!(case.kle, sim.kle);
        assert_eq!(case.status, expected_status(sim.status));
        assert_eq!(case.opened, sim.opened);
        assert_eq!(case.closed, sim.closed);
        assert_eq!(case.department, "Skole og Dagtilbud");
        assert!(case.updated_at.is_some());
        assert_eq!(case.parties.len(), 1 + sim.secondary.len());
        let primary: Vec<_> = case
            .parties
            .iter()
            .filter(|p| p.role == PartyRole::Primary)
            .collect();
        assert_eq!(primary.len(), 1);
        assert_eq!(primary[0].party.name, muni.citizens[sim.primary].name());
        assert_eq!(primary[0].party.key, Some(key_of(&muni, sim.primary)));
        assert_eq!(
            primary[0].party.address.as_deref(),
            Some(muni.citizens[sim.primary].address.one_line().as_str())
        );
        assert!(case.has_party(&key_of(&muni, citizen.id)));
    }

    // Many parties still take three statements.
    let many: Vec<PartyKey> = (0..muni.citizens.len().min(40))
        .map(|i| key_of(&muni, i))
        .chain([PartyKey::Cvr("12345678".into())])
        .collect();
    let before = system.statements_executed();
    let all = match system.cases_for_parties(&many).await {
        Ok(c) => c,
        Err(e) => panic!("cases_for_parties(many): {e}"),
    };
    assert_eq!(system.statements_executed() - before, 2);
    assert!(all.len() >= cases.len());

    // Documents of several cases: one statement, aktnummer order, metadata as generated.
    let several: Vec<&SimCase> = ours.iter().take(5).copied().collect();
    let case_ids: Vec<String> = several.iter().map(|c| sag_id(c).to_string()).collect();
    let before = system.statements_executed();
    let documents = match system.documents_of_cases(&case_ids).await {
        Ok(d) => d,
        Err(e) => panic!("documents_of_cases: {e}"),
    };
    assert_eq!(system.statements_executed() - before, 1);
    assert_eq!(
        documents.len(),
        several.iter().map(|c| c.documents.len()).sum::<usize>()
    );
    for case in &several {
        let listed: Vec<_> = documents
            .iter()
            .filter(|d| d.case_local_id == sag_id(case).to_string())
            .collect();
        assert_eq!(
            listed.iter().map(|d| d.aktnummer).collect::<Vec<_>>(),
            case.documents
                .iter()
                .map(|d| d.aktnummer)
                .collect::<Vec<_>>()
        );
        for (doc, sim) in listed.iter().zip(&case.documents) {
            assert_eq!(doc.local_id, dok_id(sim).to_string());
            assert_eq!(doc.title, sim.title);
            assert_eq!(doc.kind, expected_kind(sim.kind));
            assert_eq!(doc.letter_date, Some(sim.letter_date));
            assert_eq!(doc.mime_type, sim.format.mime_type());
        }
    }

    // Content bytes are what the generator renders.
    for sim in several
        .iter()
        .flat_map(|c| c.documents.iter())
        .step_by(3)
        .take(6)
    {
        let rendered = render(&muni, sim);
        let content = match system
            .content(&dok_id(sim).to_string(), 64 * 1024 * 1024)
            .await
        {
            Ok(c) => c,
            Err(e) => panic!("content: {e}"),
        };
        assert_eq!(content.mime_type, rendered.mime_type);
        assert!(
            content.bytes == rendered.bytes,
            "content of document {} differs from render",
            sim.id
        );
        assert!(matches!(
            system.content(&dok_id(sim).to_string(), 3).await,
            Err(Error::TooLarge { limit: 3, .. })
        ));
    }
    assert!(matches!(
        system.content("999999999", 1024).await,
        Err(Error::NotFound { .. })
    ));
    let text_id = system.content("no-such-id", 1024).await;
    assert!(
        matches!(text_id, Err(Error::NotFound { .. })),
        "{text_id:?}"
    );

    // Search: a word of a title in other case, a quote-laden text that must stay a value.
    let target = ours[0];
    // SQLite's LOWER folds ASCII only, so search on an ASCII word.
    let word = target
        .title
        .split_whitespace()
        .filter(|w| w.chars().all(|c| c.is_ascii_alphanumeric()))
        .max_by_key(|w| w.len())
        .unwrap_or(&target.sagsnummer)
        .to_uppercase();
    let found = search(
        &system,
        SearchQuery {
            text: Some(word.clone()),
            limit: 100,
            ..Default::default()
        },
    )
    .await;
    assert!(
        ids(&found).contains(&sag_id(target).to_string()),
        "search for {word:?} missed {}",
        target.title
    );
    assert!(
        found
            .iter()
            .all(|c| c.title.to_lowercase().contains(&word.to_lowercase())
                || c.sagsnummer.contains(&word))
    );
    let by_number = search(
        &system,
        SearchQuery {
            text: Some(target.sagsnummer.clone()),
            limit: 5,
            ..Default::default()
        },
    )
    .await;
    assert_eq!(
        ids(&by_number),
        BTreeSet::from([sag_id(target).to_string()])
    );
    for evil in [
        "O'Brien",
        "'; DROP TABLE sag; --",
        "x' OR '1'='1",
        "\\' OR 1=1 -- ",
        "100%",
        "_",
    ] {
        let hits = search(
            &system,
            SearchQuery {
                text: Some(evil.to_owned()),
                limit: 100,
                ..Default::default()
            },
        )
        .await;
        assert!(
            hits.is_empty(),
            "search for {evil:?} found {} cases",
            hits.len()
        );
    }
    let closed = search(
        &system,
        SearchQuery {
            status: Some(ProgressStatus::Afsluttet),
            limit: 1000,
            ..Default::default()
        },
    )
    .await;
    assert_eq!(
        closed.len(),
        ours.iter().filter(|c| c.status == Status::Closed).count()
    );
    let kle_head: String = target.kle.chars().take(2).collect();
    let by_kle = search(
        &system,
        SearchQuery {
            kle_prefix: Some(kle_head.clone()),
            department: Some("Skole og Dagtilbud".into()),
            limit: 1000,
            ..Default::default()
        },
    )
    .await;
    assert_eq!(
        by_kle.len(),
        ours.iter().filter(|c| c.kle.starts_with(&kle_head)).count()
    );
    let limited = search(
        &system,
        SearchQuery {
            limit: 2,
            ..Default::default()
        },
    )
    .await;
    assert_eq!(limited.len(), 2);

    // Changes: everything from the beginning, paged; then a deletion and a change.
    let mut cursor: Option<String> = None;
    let mut seen = BTreeSet::new();
    let mut pages = 0;
    loop {
        let page = match system.changes_since(cursor.as_deref(), 7).await {
            Ok(p) => p,
            Err(e) => panic!("changes_since: {e}"),
        };
        pages += 1;
        for change in &page.changes {
            match change {
                Change::Upserted(case) => {
                    seen.insert(case.local_id.clone());
                }
                Change::Deleted { local_id } => panic!("unexpected deletion of {local_id}"),
            }
        }
        cursor = Some(page.next_cursor);
        if !page.has_more {
            break;
        }
    }
    assert_eq!(seen.len(), ours.len());
    assert_eq!(pages, ours.len().div_ceil(7).max(1));

    let victim = sag_id(ours[1]);
    let renamed = sag_id(ours[2]);
    assert!(matches!(delete_case(url, victim).await, Ok(true)));
    assert!(matches!(
        retitle_case(url, renamed, "Ny titel med 'citat'").await,
        Ok(true)
    ));
    let page = match system.changes_since(cursor.as_deref(), 100).await {
        Ok(p) => p,
        Err(e) => panic!("changes_since after delete: {e}"),
    };
    assert!(!page.has_more);
    assert_eq!(page.changes.len(), 2, "{:?}", page.changes);
    assert_eq!(
        page.changes[0],
        Change::Deleted {
            local_id: victim.to_string()
        }
    );
    assert!(
        matches!(&page.changes[1], Change::Upserted(c) if c.local_id == renamed.to_string() && c.title == "Ny titel med 'citat'")
    );
    let again = match system.changes_since(Some(&page.next_cursor), 100).await {
        Ok(p) => p,
        Err(e) => panic!("changes_since at the end: {e}"),
    };
    assert!(again.changes.is_empty() && !again.has_more);
    assert_eq!(again.next_cursor, page.next_cursor);
    assert!(matches!(system.cases_by_ids(&[victim.to_string()]).await, Ok(c) if c.is_empty()));
    assert!(matches!(
        system.changes_since(Some("not-a-cursor"), 10).await,
        Err(Error::NotFound { .. })
    ));

    // A wrong configured query is a configuration error naming the query, without values.
    let mut broken = demo_queries();
    broken.cases_by_ids = broken
        .cases_by_ids
        .replace("s.titel AS title", "s.no_such_column AS title");
    broken.cases_for_parties =
        "SELEC sag_id AS case_id FROM part WHERE cpr_nr IN (:cprs) AND cvr_nr IN (:cvrs)".into();
    broken.documents_of_cases =
        "SELECT d.dok_id AS document_id FROM dokument d WHERE d.sag_id IN (:ids)".into();
    let wrong = connect(url, broken).await;
    let cpr = key_of(&muni, citizen.id);
    match wrong.cases_for_parties(std::slice::from_ref(&cpr)).await {
        Err(Error::Config { reason, .. }) => {
            assert!(reason.contains("cases_for_parties"), "{reason}");
            assert!(
                !reason.contains(&citizen.cpr.replace('-', "")) && !reason.contains(&citizen.cpr),
                "no CPR in errors"
            );
        }
        other => panic!("expected a config error, got {other:?}"),
    }
    match wrong.cases_by_ids(&[sag_id(target).to_string()]).await {
        Err(Error::Config { reason, .. }) => assert!(reason.contains("cases_by_ids"), "{reason}"),
        other => panic!("expected a config error, got {other:?}"),
    }
    match wrong
        .documents_of_cases(&[sag_id(target).to_string()])
        .await
    {
        Err(Error::Config { reason, .. }) => assert!(
            reason.contains("documents_of_cases") && reason.contains("returns no column"),
            "{reason}"
        ),
        other => panic!("expected a config error, got {other:?}"),
    }
}

async fn search(system: &SqlSystem, query: SearchQuery) -> Vec<connectors::Case> {
    match system.search(&query).await {
        Ok(c) => c,
        Err(e) => panic!("search {query:?}: {e}"),
    }
}

/// Run `roundtrip` in a fresh database on the server at `admin_url`, and drop it afterwards.
async fn on_server(admin_url: &str, postgres: bool) {
    let admin = match Database::connect(admin_url).await {
        Ok(db) => db,
        Err(e) => panic!("cannot reach the test server: {e}"),
    };
    let name = unique_name();
    let create = if postgres {
        format!("CREATE DATABASE {name}")
    } else {
        format!("CREATE DATABASE {name} CHARACTER SET utf8mb4")
    };
    if let Err(e) = admin.execute_unprepared(&create).await {
        panic!("create database: {e}");
    }
    let base = admin_url.split('?').next().unwrap_or(admin_url);
    let url = match base.rfind('/') {
        Some(slash) if slash > base.find("//").map_or(0, |i| i + 1) => {
            format!("{}/{name}", &base[..slash])
        }
        _ => format!("{base}/{name}"),
    };
    let outcome = AssertUnwindSafe(roundtrip(&url)).catch_unwind().await;
    let drop = if postgres {
        format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    } else {
        format!("DROP DATABASE IF EXISTS {name}")
    };
    if let Err(e) = admin.execute_unprepared(&drop).await {
        eprintln!("could not drop test database {name}: {e}");
    }
    if let Err(panic) = outcome {
        std::panic::resume_unwind(panic);
    }
}

#[tokio::test]
async fn sqlite_roundtrip() {
    let path = std::env::temp_dir().join(format!("{}.sqlite", unique_name()));
    let url = format!("sqlite://{}?mode=rwc", path.display());
    let outcome = AssertUnwindSafe(roundtrip(&url)).catch_unwind().await;
    let _ = std::fs::remove_file(&path);
    if let Err(panic) = outcome {
        std::panic::resume_unwind(panic);
    }
}

#[tokio::test]
async fn postgres_roundtrip() {
    let Ok(url) = std::env::var("SAGSHUB_TEST_POSTGRES_URL") else {
        println!("skipped: SAGSHUB_TEST_POSTGRES_URL not set");
        return;
    };
    on_server(&url, true).await;
}

#[tokio::test]
async fn mariadb_roundtrip() {
    let Ok(url) = std::env::var("SAGSHUB_TEST_MARIADB_URL") else {
        println!("skipped: SAGSHUB_TEST_MARIADB_URL not set");
        return;
    };
    on_server(&url, false).await;
}

#[tokio::test]
async fn a_dead_database_is_unavailable_not_a_panic() {
    let missing = std::env::temp_dir().join(unique_name()).join("gone.sqlite");
    let dead = [
        format!("sqlite://{}?mode=ro", missing.display()),
        "postgres://postgres@127.0.0.1:1/nothing".to_owned(),
        "mysql://root@127.0.0.1:1/nothing".to_owned(),
    ];
    for url in dead {
        let mut config = SqlConfig::new(url.clone(), demo_queries());
        config.connect_timeout_ms = 300;
        // Start-up succeeds: the hub must come up while a system is down.
        let system = match SqlSystem::connect(SystemId::new(SYSTEM), &config).await {
            Ok(s) => s,
            Err(e) => panic!("connect to {url} failed at start-up: {e}"),
        };
        match system.cases_by_ids(&["1".to_owned()]).await {
            Err(Error::Unavailable { reason, .. }) => assert!(!reason.is_empty()),
            other => panic!("{url}: expected unavailable, got {other:?}"),
        }
        let health = system.health().await;
        assert!(!health.up && health.detail.is_some(), "{url}: {health:?}");
    }
    let unsupported = SqlSystem::connect(
        SystemId::new(SYSTEM),
        &SqlConfig::new("oracle://x", demo_queries()),
    )
    .await;
    assert!(matches!(unsupported, Err(Error::Config { .. })));
}
