//! Digital Post deliveries: one MeMo message per request and bundle version.

use sea_orm::entity::prelude::*;

/// One message.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "delivery")]
pub struct Model {
    /// The request.
    #[sea_orm(primary_key, auto_increment = false)]
    pub request_id: String,
    /// The bundle version it carries.
    #[sea_orm(primary_key, auto_increment = false)]
    pub version: i32,
    /// The MeMo `messageUUID` (unique: a message is sent once).
    pub message_uuid: String,
    /// The transport used (`outbox`, `http`).
    pub transport: String,
    /// `QUEUED`, `SENT` or `FAILED`.
    pub state: String,
    /// Send attempts so far.
    pub attempts: i32,
    /// When the message was first built (its `createdDateTime`, kept for retries).
    pub created_at: ChronoDateTimeUtc,
    /// When the transport accepted it.
    pub sent_at: Option<ChronoDateTimeUtc>,
    /// Why the last attempt failed.
    pub error: Option<String>,
    /// What the transport answered (file path, HTTP status and body).
    pub receipt: Option<String>,
    /// Last change.
    pub updated_at: ChronoDateTimeUtc,
}

/// No relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
