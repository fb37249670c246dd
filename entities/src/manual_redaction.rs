//! Redactions a reviewer draws by hand (scans, or anything screening missed).

use sea_orm::entity::prelude::*;

/// A rectangle on a page to be redacted.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "manual_redaction")]
pub struct Model {
    /// UUID.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    /// The request.
    pub request_id: String,
    /// The document.
    pub document_id: String,
    /// Page, from 1.
    pub page: i32,
    /// Left, in PDF points from the bottom-left corner.
    pub x0: f64,
    /// Bottom.
    pub y0: f64,
    /// Right.
    pub x1: f64,
    /// Top.
    pub y1: f64,
    /// Legal ground code.
    pub ground: String,
    /// The reviewer's note.
    pub note: Option<String>,
    /// Who drew it.
    pub added_by: String,
    /// When.
    pub added_at: ChronoDateTimeUtc,
}

/// No relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
