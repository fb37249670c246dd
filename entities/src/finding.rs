//! Screening findings: personal data and attention points found in a collected document.

use sea_orm::entity::prelude::*;

/// One finding. Its id is `{document id}:{ordinal}`, so screening a document again replaces
/// rather than duplicates.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "finding")]
pub struct Model {
    /// `{document id}:{ordinal}`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    /// The request.
    pub request_id: String,
    /// The document.
    pub document_id: String,
    /// Position among the document's findings.
    pub ordinal: i32,
    /// `CPR`, `NAME`, `ADDRESS`, `PHONE`, `EMAIL`, `ATTENTION`.
    pub category: String,
    /// For attention points: `health`, `social`, ...
    pub attention_kind: Option<String>,
    /// `OWN`, `STAFF`, `OTHER_PERSON`, `UNKNOWN`.
    pub owner: String,
    /// Character offset of the start in the document's extracted text.
    pub char_start: i32,
    /// Character offset of the end.
    pub char_end: i32,
    /// The matched text.
    pub text: String,
    /// The rule's confidence, 0–1.
    pub confidence: f64,
    /// The rule and context that produced it.
    pub reason: String,
    /// The first page it is on, where pages are known.
    pub page: Option<i32>,
    /// JSON array of `[page, x0, y0, x1, y1]` boxes in PDF user space.
    pub boxes: String,
    /// Words before it.
    pub context_before: String,
    /// Words after it.
    pub context_after: String,
    /// Screening's proposal: `REDACT`, `KEEP`, `ATTENTION`.
    pub proposal: String,
    /// A reviewer's decision: `REDACT` or `KEEP`.
    pub decision: Option<String>,
    /// The legal ground code for a redaction.
    pub ground: Option<String>,
    /// Who decided.
    pub decided_by: Option<String>,
    /// When.
    pub decided_at: Option<ChronoDateTimeUtc>,
}

/// No relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
