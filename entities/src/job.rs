//! Durable jobs: the work queue the workers lease from.

use sea_orm::entity::prelude::*;

/// One job. `state` is `QUEUED`, `RUNNING`, `SUCCEEDED` or `FAILED`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "job")]
pub struct Model {
    /// Sequence.
    #[sea_orm(primary_key)]
    pub id: i64,
    /// What to do: `collect`, `screen`, ...
    pub kind: String,
    /// The request it works for.
    pub request_id: Option<String>,
    /// JSON arguments.
    pub payload: String,
    /// While queued or running, a key no other queued or running job has (cleared when it ends),
    /// so enqueueing the same step twice makes one job.
    pub dedupe_key: Option<String>,
    /// State.
    pub state: String,
    /// Attempts started.
    pub attempts: i32,
    /// Attempts allowed before it fails for good.
    pub max_attempts: i32,
    /// Not before.
    pub run_after: ChronoDateTimeUtc,
    /// The worker holding the lease.
    pub lease_owner: Option<String>,
    /// When the lease ends unless renewed.
    pub lease_expires_at: Option<ChronoDateTimeUtc>,
    /// Units done.
    pub progress_done: i32,
    /// Units in all.
    pub progress_total: i32,
    /// What it is doing.
    pub progress_note: Option<String>,
    /// The last attempt's error.
    pub last_error: Option<String>,
    /// Created.
    pub created_at: ChronoDateTimeUtc,
    /// Last change.
    pub updated_at: ChronoDateTimeUtc,
    /// When it ended.
    pub finished_at: Option<ChronoDateTimeUtc>,
}

/// No relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
