//! Per request and case system: whether collection has read it.

use sea_orm::entity::prelude::*;

/// One configured system's collection for one request.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "request_system")]
pub struct Model {
    /// The request.
    #[sea_orm(primary_key, auto_increment = false)]
    pub request_id: String,
    /// The configured system id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub system: String,
    /// `COLLECTED` or `FAILED`.
    pub state: String,
    /// Why the last attempt failed (no document text, no CPR numbers).
    pub error: Option<String>,
    /// Cases found.
    pub cases: i32,
    /// Documents collected.
    pub documents: i32,
    /// Attempts so far.
    pub attempts: i32,
    /// When it was read in full.
    pub collected_at: Option<ChronoDateTimeUtc>,
    /// Last change.
    pub updated_at: ChronoDateTimeUtc,
}

/// No relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
