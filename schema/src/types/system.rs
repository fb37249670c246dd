//! `CaseSystem` and its health.

use async_graphql::{Context, ID, Object, SimpleObject};
use chrono::{DateTime, Utc};

use super::enums::SystemKind;
use crate::ids::GlobalId;
use crate::services::health::SystemStatus;

/// A configured case system and its health as just probed.
#[derive(Clone)]
pub struct CaseSystemNode(pub SystemStatus);

/// A system's health.
#[derive(SimpleObject)]
pub struct SystemHealth {
    /// Whether the probe succeeded.
    pub up: bool,
    /// Probe latency in milliseconds.
    pub latency_ms: u64,
    /// Why it is down.
    pub detail: Option<String>,
    /// Whether the hub has paused calls to it after repeated failures.
    pub circuit_open: bool,
    /// When it was last seen up.
    pub last_up_at: Option<DateTime<Utc>>,
}

/// How far the case index has synced one system.
#[derive(SimpleObject)]
pub struct IndexSyncStatus {
    /// When a sync last ended (either way).
    pub last_sync_at: Option<DateTime<Utc>>,
    /// When a sync last reached the end of the system's change feed.
    pub last_success_at: Option<DateTime<Utc>>,
    /// Seconds since `lastSuccessAt`: how stale the index may be for this system.
    pub lag_seconds: Option<i64>,
    /// Why the last sync failed; null after a success.
    pub last_error: Option<String>,
    /// This system's cases in the index.
    pub indexed_count: i64,
    /// Whether the first, full sync has completed.
    pub full_sync_done: bool,
}

#[Object(name = "CaseSystem")]
impl CaseSystemNode {
    /// Opaque global id.
    pub async fn id(&self) -> ID {
        ID(GlobalId::CaseSystem {
            system: self.0.id.to_string(),
        }
        .encode())
    }
    /// The configured id (`esdh`).
    async fn system_id(&self) -> &str {
        self.0.id.as_str()
    }
    /// Human name.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// Protocol family.
    async fn kind(&self) -> SystemKind {
        self.0.kind.into()
    }
    /// The case index's sync of this system; for caseworkers and admins (null for others, and
    /// before the first sync has run).
    async fn index(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<IndexSyncStatus>> {
        let rc = crate::request::RequestCtx::from(ctx)?;
        if !matches!(
            rc.viewer.role,
            crate::viewer::Role::Caseworker | crate::viewer::Role::Admin
        ) {
            return Ok(None);
        }
        let row = crate::services::index::sync::state(&rc.services.store, self.0.id.as_str())
            .await
            .map_err(|e| crate::error::internal("reading the index sync state", e))?;
        Ok(row.map(|r| IndexSyncStatus {
            lag_seconds: r
                .last_success_at
                .map(|t| (Utc::now() - t).num_seconds().max(0)),
            last_sync_at: r.last_sync_at,
            last_success_at: r.last_success_at,
            last_error: r.last_error,
            indexed_count: r.indexed_count,
            full_sync_done: r.full_sync_done,
        }))
    }
    /// Health as just probed.
    async fn health(&self) -> SystemHealth {
        let h = &self.0.health;
        SystemHealth {
            up: h.up,
            latency_ms: h.latency_ms,
            detail: h.detail.clone(),
            circuit_open: h.circuit_open,
            last_up_at: self.0.last_up_at,
        }
    }
}
