//! Access requests (anmodninger om aktindsigt): one row per request, its state and decision.

use sea_orm::entity::prelude::*;

/// One request for access to records.
///
/// `state` is one of `RECEIVED`, `COLLECTING`, `SCREENING`, `AWAITING_REVIEW`, `APPROVED`,
/// `BUNDLING`, `DELIVERED`, `REJECTED`, `WITHDRAWN`, `FAILED`; `incomplete` is set while a case
/// system could not be read.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "access_request")]
pub struct Model {
    /// UUID.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    /// The client's idempotency key (unique per requester), so a double submit makes one request.
    pub idempotency_key: Option<String>,
    /// The requester's token subject.
    pub requester_subject: String,
    /// `citizen` or `third_party`.
    pub requester_role: String,
    /// The requester's name where known (a third party's registered name).
    pub requester_name: Option<String>,
    /// The citizen whose records are asked for, ten digits.
    pub subject_cpr: String,
    /// The consent a third party acts under.
    pub consent_id: Option<String>,
    /// `PARTY_ACCESS`, `PUBLIC_ACCESS` or `GDPR15`.
    pub legal_basis: String,
    /// `null` for all the citizen's cases, or a JSON array of `system/localId` case references.
    pub scope: Option<String>,
    /// The workflow state.
    pub state: String,
    /// Whether some case system could not be read.
    pub incomplete: bool,
    /// Why a caseworker accepted the gap (stated in the cover letter).
    pub gap_accepted_reason: Option<String>,
    /// Who accepted the gap.
    pub gap_accepted_by: Option<String>,
    /// The automation policy in force (`MANUAL`, `AUTO_WHEN_CLEAN`, `AUTOMATIC`), known after
    /// collection.
    pub automation: Option<String>,
    /// JSON array of the departments whose cases were collected.
    pub departments: String,
    /// The caseworker assigned (token subject).
    pub assignee_subject: Option<String>,
    /// When it was received.
    pub received_at: ChronoDateTimeUtc,
    /// The offentlighedsloven § 36 deadline (7 working days after receipt).
    pub deadline: Date,
    /// The date a deadline notice (fristbrev) promised a decision by.
    pub notice_expected_by: Option<Date>,
    /// The reason the notice gave.
    pub notice_reason: Option<String>,
    /// When the notice was recorded.
    pub notice_sent_at: Option<ChronoDateTimeUtc>,
    /// When it was decided (approved, rejected) or withdrawn.
    pub decided_at: Option<ChronoDateTimeUtc>,
    /// Who decided (token subject, or `system` when released automatically).
    pub decided_by: Option<String>,
    /// A rejection's grounds (JSON array of legal-ground codes) and note, as JSON.
    pub decision_note: Option<String>,
    /// Whether it was approved without a person.
    pub auto_released: bool,
    /// Last change.
    pub updated_at: ChronoDateTimeUtc,
}

/// No relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
