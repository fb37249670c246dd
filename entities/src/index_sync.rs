//! Each case system's sync state for the case index: cursor, last run, last success, error.

use sea_orm::entity::prelude::*;

/// One row per system that has been synced at least once.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "index_sync")]
pub struct Model {
    /// The configured system id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub system_id: String,
    /// The system's change-feed cursor to continue from (opaque; never shown in the API).
    pub cursor: Option<String>,
    /// Whether the first, full sync has completed.
    pub full_sync_done: bool,
    /// When a sync last ran (ended, either way).
    pub last_sync_at: Option<ChronoDateTimeUtc>,
    /// When a sync last reached the end of the feed.
    pub last_success_at: Option<ChronoDateTimeUtc>,
    /// Why the last sync failed (operator text, no personal data); null after a success.
    pub last_error: Option<String>,
    /// Cases of this system in the index after the last sync.
    pub indexed_count: i64,
    /// Changes applied in all.
    pub changes_applied: i64,
    /// Last write of this row.
    pub updated_at: ChronoDateTimeUtc,
}

/// No relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
