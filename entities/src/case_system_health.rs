//! The last health probe of each configured case system.

use sea_orm::entity::prelude::*;

/// One row per configured system, overwritten by each probe.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "case_system_health")]
pub struct Model {
    /// The configured system id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub system_id: String,
    /// Human name at the time of the probe.
    pub name: String,
    /// `soap`, `rest` or `sql`.
    pub kind: String,
    /// Whether the probe succeeded.
    pub up: bool,
    /// Probe latency in milliseconds.
    pub latency_ms: i64,
    /// Why it was down.
    pub detail: Option<String>,
    /// Whether the circuit breaker was open.
    pub circuit_open: bool,
    /// When the probe ran.
    pub checked_at: ChronoDateTimeUtc,
    /// When the system was last seen up.
    pub last_up_at: Option<ChronoDateTimeUtc>,
}

/// No relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
