//! Aktindsigt bundles: one PDF per request and version, kept in the blob store.

use sea_orm::entity::prelude::*;

/// One version of a request's bundle.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "bundle")]
pub struct Model {
    /// The request.
    #[sea_orm(primary_key, auto_increment = false)]
    pub request_id: String,
    /// 1, or 2 and up for a re-issue.
    #[sea_orm(primary_key, auto_increment = false)]
    pub version: i32,
    /// SHA-256 of the PDF (its name in the blob store).
    pub blob_hash: String,
    /// Pages in the PDF.
    pub pages: i32,
    /// Size of the PDF in bytes.
    pub bytes: i64,
    /// When it was made.
    pub created_at: ChronoDateTimeUtc,
    /// JSON: page counts, the decision's counts and every document with its first page.
    pub summary: String,
}

/// No relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
