//! Consents (fuldmagter): a citizen lets a third party act for them.

use sea_orm::entity::prelude::*;

/// One consent. Revoked by setting `revoked_at`; never deleted, so the audit trail holds.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "consent")]
pub struct Model {
    /// UUID.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    /// The citizen who gives it, ten digits.
    pub citizen_cpr: String,
    /// The third party's token subject.
    pub grantee_subject: String,
    /// The third party's name as registered (lawyer, bisidder, insurer ...).
    pub grantee_name: String,
    /// `all` or a JSON array of department names the consent covers.
    pub scope: String,
    /// From when it is valid.
    pub valid_from: ChronoDateTimeUtc,
    /// Until when it is valid.
    pub valid_until: ChronoDateTimeUtc,
    /// When it was revoked, if it was.
    pub revoked_at: Option<ChronoDateTimeUtc>,
    /// Who registered it (token subject).
    pub registered_by: String,
    /// When it was registered.
    pub registered_at: ChronoDateTimeUtc,
}

/// No relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
