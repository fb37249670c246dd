//! The documents collected for a request: metadata, content blob, screening and decision.

use sea_orm::entity::prelude::*;

/// One collected document (akt).
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "request_document")]
pub struct Model {
    /// Deterministic id (UUID v5 of request, system and document id), so collecting twice
    /// writes the same row.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    /// The request.
    pub request_id: String,
    /// The system holding the document.
    pub system: String,
    /// The system's id for the document.
    pub local_id: String,
    /// The system's id for its case.
    pub case_local_id: String,
    /// Aktnummer.
    pub aktnummer: i32,
    /// Title.
    pub title: String,
    /// `INCOMING_LETTER`, `OUTGOING_LETTER`, `JOURNAL_NOTE`, `INTERNAL`.
    pub kind: String,
    /// Letter date.
    pub letter_date: Option<Date>,
    /// MIME type of the content.
    pub mime_type: String,
    /// SF1470 sensitivity name.
    pub sensitivity: String,
    /// SHA-256 of the content (the blob's name in the blob store).
    pub blob_hash: String,
    /// Content size in bytes.
    pub blob_size: i64,
    /// Whether screening has run.
    pub screened: bool,
    /// Why text extraction failed, if it did.
    pub extract_error: Option<String>,
    /// Whether a person must look at it (no text layer, extraction failed, ...).
    pub needs_manual_review: bool,
    /// JSON array of the reasons for manual review.
    pub review_notes: String,
    /// Pages, where known.
    pub page_count: Option<i32>,
    /// Whether the misfiling check flagged it.
    pub misfiled: bool,
    /// The misfiling check's reason.
    pub misfiling_reason: Option<String>,
    /// Per-document summary (JSON: own, staff, otherPersons, unknown, redactionsProposed,
    /// attention).
    pub summary: Option<String>,
    /// Proposed disclosure: `FULL`, `PARTIAL`, `WITHHELD`.
    pub proposed_disclosure: Option<String>,
    /// Proposed legal ground code.
    pub proposed_ground: Option<String>,
    /// The screening rule behind the proposal.
    pub proposed_rule: Option<String>,
    /// The rule's note for the reviewer.
    pub proposal_note: Option<String>,
    /// Decided disclosure (a reviewer's, or the proposal applied on approval).
    pub disclosure: Option<String>,
    /// Decided legal ground code.
    pub ground: Option<String>,
    /// The reviewer's note.
    pub note: Option<String>,
    /// Who decided.
    pub decided_by: Option<String>,
    /// When.
    pub decided_at: Option<ChronoDateTimeUtc>,
}

/// No relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
