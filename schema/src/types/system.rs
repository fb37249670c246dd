//! `CaseSystem` and its health.

use async_graphql::{ID, Object, SimpleObject};
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
