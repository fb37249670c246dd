//! One row per attempt of a job: who ran it, when, and how it ended.

use sea_orm::entity::prelude::*;

/// One attempt.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "job_run")]
pub struct Model {
    /// The job.
    #[sea_orm(primary_key, auto_increment = false)]
    pub job_id: i64,
    /// Attempt number, from 1.
    #[sea_orm(primary_key, auto_increment = false)]
    pub attempt: i32,
    /// The worker (`{process}/{task}`).
    pub worker: String,
    /// Started.
    pub started_at: ChronoDateTimeUtc,
    /// Ended, unless the worker died.
    pub finished_at: Option<ChronoDateTimeUtc>,
    /// `SUCCEEDED`, `RETRY`, `FAILED`, `RELEASED`; null while running or if the worker died.
    pub outcome: Option<String>,
    /// The error, if any.
    pub error: Option<String>,
}

/// No relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
