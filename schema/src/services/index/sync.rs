//! Syncing one system's cases into the index from its change feed.
//!
//! The first sync of a system (no cursor) reads its feed from the beginning; later ones
//! continue from the persisted cursor. Each page is applied in one transaction together with
//! the cursor it leads to, so an attempt cut short and run again re-applies at most one page
//! (upserts and deletes are idempotent). A full sync that reaches the end removes the rows it
//! did not touch (cases deleted while the hub had no cursor). A system that fails records its
//! error on its own `index_sync` row and fails only its own job, which the queue retries.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use connectors::{CaseSystem, Change, ChangePage};
use entities::index_sync::{ActiveModel, Column, Entity, Model};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveValue::Set, ConnectionTrait, DbErr, EntityTrait, TransactionTrait};

use super::store::{self, IndexedCase};

/// What one sync run did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SyncReport {
    /// Whether it started from the beginning of the feed.
    pub full: bool,
    /// Cases written.
    pub upserted: usize,
    /// Cases removed (deleted in the system, or left over after a full sync).
    pub deleted: usize,
    /// Pages read.
    pub pages: usize,
}

/// Why a sync stopped early.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// The hub's store failed.
    #[error("store: {0}")]
    Store(#[from] DbErr),
    /// The case system failed (its error names it; no personal data).
    #[error("{0}")]
    System(#[from] connectors::Error),
}

/// The sync state of `system`, if it was ever synced.
pub async fn state<C: ConnectionTrait>(conn: &C, system: &str) -> Result<Option<Model>, DbErr> {
    Entity::find_by_id(system.to_owned()).one(conn).await
}

/// The sync state of every system that has one.
pub async fn states<C: ConnectionTrait>(conn: &C) -> Result<Vec<Model>, DbErr> {
    Entity::find().all(conn).await
}

async fn save<C: ConnectionTrait>(conn: &C, row: Model) -> Result<(), DbErr> {
    let active = ActiveModel {
        system_id: Set(row.system_id),
        cursor: Set(row.cursor),
        full_sync_done: Set(row.full_sync_done),
        last_sync_at: Set(row.last_sync_at),
        last_success_at: Set(row.last_success_at),
        last_error: Set(row.last_error),
        indexed_count: Set(row.indexed_count),
        changes_applied: Set(row.changes_applied),
        updated_at: Set(row.updated_at),
    };
    Entity::insert(active)
        .on_conflict(
            OnConflict::column(Column::SystemId)
                .update_columns([
                    Column::Cursor,
                    Column::FullSyncDone,
                    Column::LastSyncAt,
                    Column::LastSuccessAt,
                    Column::LastError,
                    Column::IndexedCount,
                    Column::ChangesApplied,
                    Column::UpdatedAt,
                ])
                .to_owned(),
        )
        .exec_without_returning(conn)
        .await
        .map(|_| ())
}

fn fresh(system: &str, at: DateTime<Utc>) -> Model {
    Model {
        system_id: system.to_owned(),
        cursor: None,
        full_sync_done: false,
        last_sync_at: None,
        last_success_at: None,
        last_error: None,
        indexed_count: 0,
        changes_applied: 0,
        updated_at: at,
    }
}

/// Sync `system` into the index: read its change feed from the persisted cursor to the end
/// (at most `max_pages` pages of `page_size`), applying each page with its cursor. On a system
/// error the error is recorded on the system's row and returned.
#[tracing::instrument(skip_all, fields(system = %system.id()))]
pub async fn sync_system<C: ConnectionTrait + TransactionTrait>(
    conn: &C,
    system: &dyn CaseSystem,
    page_size: usize,
    max_pages: usize,
) -> Result<SyncReport, SyncError> {
    let id = system.id().to_string();
    let started = Utc::now();
    let mut row = state(conn, &id)
        .await?
        .unwrap_or_else(|| fresh(&id, started));
    let mut report = SyncReport {
        full: row.cursor.is_none(),
        ..SyncReport::default()
    };
    let mut reached_end = false;
    while report.pages < max_pages.max(1) {
        let page = match system.changes_since(row.cursor.as_deref(), page_size).await {
            Ok(page) => page,
            Err(error) => {
                if row.cursor.is_some() && matches!(error, connectors::Error::NotFound { .. }) {
                    // The system no longer knows our cursor: start over with a full sync.
                    row.cursor = None;
                    row.full_sync_done = false;
                }
                return Err(record_failure(conn, row, error).await);
            }
        };
        let titles = match document_titles(system, &page).await {
            Ok(titles) => titles,
            Err(error) => return Err(record_failure(conn, row, error).await),
        };
        let (up, del) = apply_page(conn, &id, &page, &titles).await?;
        report.upserted += up;
        report.deleted += del;
        report.pages += 1;
        row.cursor = Some(page.next_cursor.clone());
        row.changes_applied += (up + del) as i64;
        row.updated_at = Utc::now();
        save(conn, row.clone()).await?;
        if !page.has_more {
            reached_end = true;
            break;
        }
    }
    if reached_end && report.full {
        let stale = store::stale_ids(conn, &id, started).await?;
        if !stale.is_empty() {
            let txn = conn.begin().await?;
            store::delete_ids(&txn, &stale).await?;
            txn.commit().await?;
            report.deleted += stale.len();
        }
    }
    let at = Utc::now();
    row.last_sync_at = Some(at);
    if reached_end {
        row.full_sync_done = true;
        row.last_success_at = Some(at);
        row.last_error = None;
    }
    row.indexed_count = store::count_of_system(conn, &id).await?;
    row.updated_at = at;
    save(conn, row).await?;
    tracing::info!(
        full = report.full,
        upserted = report.upserted,
        deleted = report.deleted,
        pages = report.pages,
        "index sync"
    );
    Ok(report)
}

async fn record_failure<C: ConnectionTrait>(
    conn: &C,
    mut row: Model,
    error: connectors::Error,
) -> SyncError {
    let at = Utc::now();
    row.last_sync_at = Some(at);
    row.last_error = Some(error.to_string());
    row.updated_at = at;
    if let Err(e) = save(conn, row).await {
        tracing::error!(error = %e, "could not record a failed index sync");
    }
    SyncError::System(error)
}

/// The document titles of the cases a page upserts, in one call to the system.
async fn document_titles(
    system: &dyn CaseSystem,
    page: &ChangePage,
) -> Result<HashMap<String, Vec<String>>, connectors::Error> {
    let ids: Vec<String> = page
        .changes
        .iter()
        .filter_map(|c| match c {
            Change::Upserted(case) => Some(case.local_id.clone()),
            Change::Deleted { .. } => None,
        })
        .collect();
    let mut out: HashMap<String, Vec<String>> = HashMap::new();
    if ids.is_empty() {
        return Ok(out);
    }
    let mut docs = system.documents_of_cases(&ids).await?;
    docs.sort_by_key(|d| d.aktnummer);
    for d in docs {
        out.entry(d.case_local_id).or_default().push(d.title);
    }
    Ok(out)
}

/// Apply one page of changes in one transaction: (upserted, deleted).
pub async fn apply_page<C: ConnectionTrait + TransactionTrait>(
    conn: &C,
    system: &str,
    page: &ChangePage,
    titles: &HashMap<String, Vec<String>>,
) -> Result<(usize, usize), DbErr> {
    let at = Utc::now();
    let txn = conn.begin().await?;
    let (mut up, mut del) = (0, 0);
    for change in &page.changes {
        match change {
            Change::Upserted(case) => {
                let indexed = IndexedCase {
                    case,
                    document_titles: titles.get(&case.local_id).cloned().unwrap_or_default(),
                };
                store::upsert(&txn, &indexed, at).await?;
                up += 1;
            }
            Change::Deleted { local_id } => {
                if store::delete(&txn, system, local_id).await? {
                    del += 1;
                }
            }
        }
    }
    txn.commit().await?;
    Ok((up, del))
}
