//! Plain async service functions behind the resolvers.

pub mod aktindsigt;
pub mod audit;
pub mod blobs;
pub mod bundling;
pub mod consent;
pub mod delivery;
pub mod health;
pub mod index;
pub mod jobs;
pub mod reads;
pub mod requests;
pub mod statistics;
pub mod workflow;

use connectors::Registry;
use sea_orm::DatabaseConnection;

/// Everything the services need, shared by all requests.
pub struct Services {
    /// The configured case systems.
    pub registry: Registry,
    /// The hub's own store.
    pub store: DatabaseConnection,
    /// Limits the API enforces.
    pub limits: crate::Limits,
    /// Seals party keys (CPR/CVR numbers) into opaque ids.
    pub ids: crate::ids::IdSealer,
    /// The aktindsigt workflow's compiled configuration.
    pub aktindsigt: std::sync::Arc<aktindsigt::Aktindsigt>,
    /// Job queue and worker settings.
    pub jobs: jobs::JobsConfig,
    /// Case index settings (sync interval, page sizes, live search limit).
    pub index: index::IndexConfig,
    /// Where collected documents are kept.
    pub blobs: blobs::BlobStore,
    /// Wakes this process's idle workers when a job is enqueued here.
    pub wake: std::sync::Arc<tokio::sync::Notify>,
    /// The OCR engine for scanned pages, if one is installed and enabled.
    pub ocr: Option<std::sync::Arc<dyn pipeline::extract::Ocr>>,
    /// The sender of bundles: the municipality's name, address, CVR, complaint guidance.
    pub municipality: std::sync::Arc<bundling::Municipality>,
    /// Digital Post: settings and the transport.
    pub delivery: std::sync::Arc<delivery::Delivery>,
}

/// Begin a transaction that will write, holding the write lock from its first statement.
///
/// On SQLite a plain `BEGIN` is deferred: a transaction that reads first and writes later
/// fails with `SQLITE_BUSY` (no busy wait) when another connection committed in between, which
/// the job worker makes likely. A no-op write first takes the write lock at once, waiting for
/// it under the store's busy timeout. PostgreSQL needs nothing.
pub async fn begin_write<C: sea_orm::TransactionTrait>(
    db: &C,
) -> Result<sea_orm::DatabaseTransaction, sea_orm::DbErr> {
    use sea_orm::ConnectionTrait;
    let txn = db.begin().await?;
    if txn.get_database_backend() == sea_orm::DbBackend::Sqlite {
        txn.execute_unprepared("DELETE FROM case_system_health WHERE 0")
            .await?;
    }
    Ok(txn)
}
