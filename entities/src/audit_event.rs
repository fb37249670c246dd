//! The append-only, hash-chained audit log.

use sea_orm::entity::prelude::*;

/// One audit event. Rows are only ever inserted; `hash` chains each row to the previous one.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_event")]
pub struct Model {
    /// Position in the chain, from 1, without gaps.
    #[sea_orm(primary_key, auto_increment = false)]
    pub seq: i64,
    /// When it happened.
    pub occurred_at: ChronoDateTimeUtc,
    /// The token subject who acted (`anonymous` if none).
    pub actor: String,
    /// The role they acted in.
    pub role: String,
    /// What was done (`case.read`, `party.cpr_revealed`, `access.denied`, ...).
    pub action: String,
    /// Kind of object (`case`, `document`, `party`, `consent`, `request`).
    pub object_kind: Option<String>,
    /// The object's id (system-qualified; party ids are sealed, never a CPR number).
    pub object_id: Option<String>,
    /// The purpose the viewer gave, where one is required.
    pub purpose: Option<String>,
    /// The HTTP request it happened in.
    pub request_id: Option<String>,
    /// The client's address as the hub saw it.
    pub client_addr: Option<String>,
    /// `allowed` or `denied`.
    pub outcome: String,
    /// Hash of the previous row (64 zeros for the first).
    pub prev_hash: String,
    /// SHA-256 over `prev_hash` and this row's fields.
    pub hash: String,
}

/// No relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
