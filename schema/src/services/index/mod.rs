//! The case index: every system's cases in the hub's store, synced from their change feeds,
//! searched with full-text search within what the caseworker may see.
//!
//! # Layout
//! - [`text`]: pure tokenising, Danish stemming (Snowball, `rust-stemmers`), query parsing
//!   (CPR numbers and sagsnumre as exact parts, the last term as a prefix), highlights.
//! - [`kle`]: KLE labels and KLE prefix filters.
//! - [`store`]: index rows — a case with its parties and (SQLite) its FTS5 row.
//! - [`sync`]: one system's change feed into the index, cursor persisted per page.
//! - [`search`]: the SQL search, scope and filters in the `WHERE` clause, ranked.
//! - [`live`]: the fall-back that asks the systems' own search.
//! - [`lookup`]: `searchCases` — roles, purpose, audit events.
//! - [`fill`]: the synthetic generator for the scale benchmark.
//!
//! # Invariants
//! - A search's scope (departments, clearance) is part of its SQL, never applied after paging.
//! - A CPR number is never full-text indexed or searched, and never logged: it is an exact
//!   party-key match (`case_index_party`).
//! - One system failing fails only its own sync job.

pub mod fill;
pub mod kle;
pub mod live;
pub mod lookup;
pub mod search;
pub mod store;
pub mod sync;
#[cfg(test)]
mod tests;
pub mod text;

use std::sync::Arc;

use serde::Deserialize;

use crate::services::Services;
use crate::services::jobs::{self, NewJob};
use crate::services::workflow::StepError;

/// Job kind: sync one system into the index (payload `{"system": id}`).
pub const INDEX_SYNC: &str = "index-sync";

/// Case index settings (`[index]` in `sagshub.toml`).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct IndexConfig {
    /// Keep the index synced (needs `jobs.enabled`): a sync job per system every interval.
    pub enabled: bool,
    /// How often each system's change feed is read, in seconds.
    pub sync_interval_secs: u64,
    /// Changes asked for per change-feed call.
    pub page_size: usize,
    /// Most pages one sync job reads; the next job continues from the cursor.
    pub max_pages_per_sync: usize,
    /// Attempts of one sync job before it fails (the next interval starts a new one).
    pub max_attempts: i32,
    /// Most cases each system returns to a live search.
    pub live_limit_per_system: usize,
}

impl Default for IndexConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            sync_interval_secs: 60,
            page_size: 500,
            max_pages_per_sync: 1_000,
            max_attempts: 3,
            live_limit_per_system: 200,
        }
    }
}

/// Queue a sync of every configured system (one per system: a sync still queued or running
/// is not doubled). Returns how many were queued.
pub async fn enqueue_syncs(services: &Services) -> Result<usize, sea_orm::DbErr> {
    let mut queued = 0;
    for id in services.registry.ids() {
        let job = NewJob {
            kind: INDEX_SYNC,
            request_id: None,
            payload: serde_json::json!({ "system": id.as_str() }),
            dedupe_key: Some(format!("{INDEX_SYNC}:{id}")),
            run_after: None,
            max_attempts: services.index.max_attempts,
        };
        if jobs::enqueue(&services.store, job).await?.is_some() {
            queued += 1;
        }
    }
    Ok(queued)
}

/// The handler of an [`INDEX_SYNC`] job: a system that fails makes the job retry; the other
/// systems' jobs are unaffected.
#[tracing::instrument(skip_all, fields(job = job.id))]
pub async fn sync_job(
    services: &Arc<Services>,
    job: &entities::job::Model,
) -> Result<(), StepError> {
    let payload: serde_json::Value = serde_json::from_str(&job.payload)
        .map_err(|e| StepError::Permanent(format!("bad payload: {e}")))?;
    let Some(id) = payload["system"].as_str() else {
        return Err(StepError::Permanent("payload names no system".into()));
    };
    let Some(system) = services.registry.get(id) else {
        return Err(StepError::Permanent(format!("no configured system {id:?}")));
    };
    let config = &services.index;
    match sync::sync_system(
        &services.store,
        system.as_ref(),
        config.page_size,
        config.max_pages_per_sync,
    )
    .await
    {
        Ok(_) => Ok(()),
        Err(sync::SyncError::Store(e)) => Err(StepError::Store(e)),
        Err(sync::SyncError::System(e)) => Err(StepError::SystemsUnavailable(e.to_string())),
    }
}
