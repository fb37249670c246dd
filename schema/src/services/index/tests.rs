//! The index against a real SQLite store and a scripted change feed: full and incremental
//! sync, a case moved to another department, a deletion, a failing system, and the scope of a
//! search in its SQL.

use std::sync::Mutex;

use async_trait::async_trait;
use connectors::{
    Case, CaseParty, CaseSystem, Change, ChangePage, Content, Document, DocumentKind, Health,
    Party, PartyKey, PartyRole, ProgressStatus, SearchQuery, Sensitivity, SystemId, SystemKind,
};

use super::search::{Filter, Scope, search};
use super::sync::{state, sync_system};
use super::text::ParsedQuery;

/// A system whose change feed is a script: cursor `n` is the n-th page.
struct Scripted {
    id: SystemId,
    pages: Mutex<Vec<Vec<Change>>>,
    down: Mutex<bool>,
}

fn err(id: &SystemId) -> connectors::Error {
    connectors::Error::Unavailable {
        system: id.clone(),
        reason: "scripted outage".into(),
    }
}

#[async_trait]
impl CaseSystem for Scripted {
    fn id(&self) -> &SystemId {
        &self.id
    }
    fn kind(&self) -> SystemKind {
        SystemKind::Rest
    }
    async fn cases_for_parties(&self, _: &[PartyKey]) -> connectors::Result<Vec<Case>> {
        Ok(vec![])
    }
    async fn cases_by_ids(&self, _: &[String]) -> connectors::Result<Vec<Case>> {
        Ok(vec![])
    }
    async fn documents_of_cases(&self, ids: &[String]) -> connectors::Result<Vec<Document>> {
        Ok(ids
            .iter()
            .map(|id| Document {
                system: self.id.clone(),
                local_id: format!("{id}-d1"),
                case_local_id: id.clone(),
                aktnummer: 1,
                title: "Lægeerklæring fra egen læge".into(),
                kind: DocumentKind::IncomingLetter,
                letter_date: None,
                mime_type: "application/pdf".into(),
                size: None,
                sensitivity: Sensitivity::IkkeFortrolig,
            })
            .collect())
    }
    async fn content(&self, _: &str, _: u64) -> connectors::Result<Content> {
        Err(err(&self.id))
    }
    async fn search(&self, _: &SearchQuery) -> connectors::Result<Vec<Case>> {
        Ok(vec![])
    }
    async fn changes_since(
        &self,
        cursor: Option<&str>,
        _: usize,
    ) -> connectors::Result<ChangePage> {
        if *self.down.lock().unwrap_or_else(|e| e.into_inner()) {
            return Err(err(&self.id));
        }
        let at: usize = cursor.and_then(|c| c.parse().ok()).unwrap_or(0);
        let pages = self.pages.lock().unwrap_or_else(|e| e.into_inner());
        let changes = pages.get(at).cloned().unwrap_or_default();
        let next = (at + 1).min(pages.len());
        Ok(ChangePage {
            changes,
            next_cursor: next.to_string(),
            has_more: next < pages.len(),
        })
    }
    async fn health(&self) -> Health {
        Health {
            up: true,
            latency_ms: 0,
            detail: None,
            circuit_open: false,
        }
    }
}

fn case(id: &str, title: &str, department: &str, sensitivity: Sensitivity) -> Change {
    Change::Upserted(Box::new(Case {
        system: SystemId::new("fag"),
        local_id: id.into(),
        sagsnummer: format!("2025-00{id}"),
        title: title.into(),
        kle: "27.24.00".into(),
        handlingsfacet: None,
        department: department.into(),
        status: ProgressStatus::Oplyst,
        sensitivity,
        opened: chrono::NaiveDate::from_ymd_opt(2025, 3, 1).unwrap_or_default(),
        closed: None,
        parties: vec![CaseParty {
            party: Party {
                key: PartyKey::cpr(&format!("01018{id}1234")[..10]),
                name: "Åse Møller".into(),
                address: None,
            },
            role: PartyRole::Primary,
        }],
        responsible_unit: None,
        caseworker: None,
        updated_at: None,
    }))
}

async fn store() -> sea_orm::DatabaseConnection {
    let db = sea_orm::Database::connect("sqlite::memory:")
        .await
        .expect("sqlite");
    <migration::Migrator as migration::MigratorTrait>::up(&db, None)
        .await
        .expect("migrations");
    db
}

fn scope(departments: &[&str], clearance: Sensitivity) -> Scope {
    Scope {
        departments: departments.iter().map(|d| (*d).to_owned()).collect(),
        clearance,
    }
}

async fn count(db: &sea_orm::DatabaseConnection, q: &str, s: &Scope) -> u64 {
    search(db, s, &ParsedQuery::parse(q), &Filter::default(), 0, 10)
        .await
        .expect("search")
        .total
}

#[tokio::test]
async fn sync_applies_full_then_incremental_changes_and_search_keeps_to_the_scope() {
    let db = store().await;
    let system = Scripted {
        id: SystemId::new("fag"),
        pages: Mutex::new(vec![
            vec![
                case(
                    "1",
                    "Børnefaglig undersøgelse",
                    "Børn og Familie",
                    Sensitivity::Fortrolig,
                ),
                case(
                    "2",
                    "Hjemmehjælp",
                    "Sundhed og Omsorg",
                    Sensitivity::IkkeFortrolig,
                ),
            ],
            vec![case(
                "3",
                "Anbringelse uden for hjemmet",
                "Børn og Familie",
                Sensitivity::Vip,
            )],
        ]),
        down: Mutex::new(false),
    };
    let report = sync_system(&db, &system, 10, 100).await.expect("sync");
    assert!(report.full);
    assert_eq!((report.upserted, report.pages), (3, 2));
    let row = state(&db, "fag").await.expect("state").expect("row");
    assert_eq!((row.indexed_count, row.full_sync_done), (3, true));
    assert_eq!(row.cursor.as_deref(), Some("2"));

    let bf = scope(&["Børn og Familie"], Sensitivity::Fortrolig);
    let everyone = scope(&["Børn og Familie", "Sundhed og Omsorg"], Sensitivity::Vip);
    assert_eq!(count(&db, "åse møl", &everyone).await, 3);
    assert_eq!(
        count(&db, "åse møl", &bf).await,
        1,
        "Vip and another department are hidden"
    );
    assert_eq!(
        count(&db, "lægeerklæringer", &everyone).await,
        3,
        "document titles, stemmed"
    );
    assert_eq!(count(&db, "2025-002", &everyone).await, 1);
    assert_eq!(count(&db, "0101821234", &everyone).await, 1);
    assert_eq!(
        count(&db, "social service", &everyone).await,
        3,
        "the KLE main group label"
    );

    // Case 1 moves to Sundhed og Omsorg, case 2 is deleted.
    system.pages.lock().expect("lock").push(vec![
        case(
            "1",
            "Børnefaglig undersøgelse",
            "Sundhed og Omsorg",
            Sensitivity::Fortrolig,
        ),
        Change::Deleted {
            local_id: "2".into(),
        },
    ]);
    let report = sync_system(&db, &system, 10, 100).await.expect("sync");
    assert!(!report.full);
    assert_eq!((report.upserted, report.deleted), (1, 1));
    assert_eq!(count(&db, "børnefaglig", &bf).await, 0);
    assert_eq!(count(&db, "hjemmehjælp", &everyone).await, 0);
    assert_eq!(count(&db, "", &everyone).await, 2);

    // Down: the error is recorded, the cursor and the index stay.
    *system.down.lock().expect("lock") = true;
    assert!(sync_system(&db, &system, 10, 100).await.is_err());
    let row = state(&db, "fag").await.expect("state").expect("row");
    assert!(row.last_error.as_deref().is_some_and(|e| e.contains("fag")));
    assert_eq!((row.cursor.as_deref(), row.indexed_count), (Some("3"), 2));
    *system.down.lock().expect("lock") = false;
    sync_system(&db, &system, 10, 100).await.expect("sync");
    assert!(
        state(&db, "fag")
            .await
            .expect("state")
            .expect("row")
            .last_error
            .is_none()
    );
}
