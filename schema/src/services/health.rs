//! Probing the case systems and recording the result in the store.

use chrono::Utc;
use connectors::{Health, SystemId};
use futures::future::join_all;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveValue::Set, EntityTrait};

use super::Services;

/// One system's probe result.
#[derive(Clone, Debug)]
pub struct SystemStatus {
    /// System id.
    pub id: SystemId,
    /// Human name.
    pub name: String,
    /// Protocol family.
    pub kind: connectors::SystemKind,
    /// The probe.
    pub health: Health,
    /// When the system was last seen up (from the store), if ever.
    pub last_up_at: Option<chrono::DateTime<Utc>>,
}

/// Probe every system concurrently and record each result. A store failure is logged and does not
/// hide the probe results.
#[tracing::instrument(skip(services))]
pub async fn probe_all(services: &Services) -> Vec<SystemStatus> {
    let probes = services.registry.entries().iter().map(|entry| async move {
        let health = entry.system.health().await;
        (entry, health)
    });
    let mut out = Vec::new();
    for (entry, health) in join_all(probes).await {
        let id = entry.system.id().clone();
        let last_up_at = record(services, &entry.name, entry.system.kind(), &id, &health).await;
        out.push(SystemStatus {
            id,
            name: entry.name.clone(),
            kind: entry.system.kind(),
            health,
            last_up_at,
        });
    }
    out
}

async fn record(
    services: &Services,
    name: &str,
    kind: connectors::SystemKind,
    id: &SystemId,
    health: &Health,
) -> Option<chrono::DateTime<Utc>> {
    use entities::case_system_health::{ActiveModel, Column, Entity};
    let now = Utc::now();
    let previous = Entity::find_by_id(id.to_string())
        .one(&services.store)
        .await
        .ok()
        .flatten();
    let last_up_at = if health.up {
        Some(now)
    } else {
        previous.and_then(|p| p.last_up_at)
    };
    let row = ActiveModel {
        system_id: Set(id.to_string()),
        name: Set(name.to_owned()),
        kind: Set(format!("{kind:?}").to_lowercase()),
        up: Set(health.up),
        latency_ms: Set(i64::try_from(health.latency_ms).unwrap_or(i64::MAX)),
        detail: Set(health.detail.clone()),
        circuit_open: Set(health.circuit_open),
        checked_at: Set(now),
        last_up_at: Set(last_up_at),
    };
    let upsert = Entity::insert(row).on_conflict(
        OnConflict::column(Column::SystemId)
            .update_columns([
                Column::Name,
                Column::Kind,
                Column::Up,
                Column::LatencyMs,
                Column::Detail,
                Column::CircuitOpen,
                Column::CheckedAt,
                Column::LastUpAt,
            ])
            .to_owned(),
    );
    if let Err(error) = upsert.exec(&services.store).await {
        tracing::error!(%error, system = %id, "could not record system health");
    }
    last_up_at
}

/// The last recorded probe of each configured system, without probing (cheap, for `/readyz`).
/// A system never probed yet is reported down with `checked_at` unset.
pub async fn last_recorded(
    services: &Services,
) -> Vec<(SystemId, Option<entities::case_system_health::Model>)> {
    use entities::case_system_health::Entity;
    let rows = Entity::find()
        .all(&services.store)
        .await
        .unwrap_or_else(|error| {
            tracing::error!(%error, "could not read recorded system health");
            Vec::new()
        });
    services
        .registry
        .entries()
        .iter()
        .map(|entry| {
            let id = entry.system.id().clone();
            let row = rows.iter().find(|r| r.system_id == id.as_str()).cloned();
            (id, row)
        })
        .collect()
}
