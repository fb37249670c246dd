//! Plain async service functions behind the resolvers.

pub mod aktindsigt;
pub mod audit;
pub mod blobs;
pub mod consent;
pub mod health;
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
    /// Where collected documents are kept.
    pub blobs: blobs::BlobStore,
    /// Wakes this process's idle workers when a job is enqueued here.
    pub wake: std::sync::Arc<tokio::sync::Notify>,
    /// The OCR engine for scanned pages, if one is installed and enabled.
    pub ocr: Option<std::sync::Arc<dyn pipeline::extract::Ocr>>,
}
