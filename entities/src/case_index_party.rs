//! The exact party-key table of the case index: which indexed case names which CPR/CVR number.

use sea_orm::entity::prelude::*;

/// One party with a number on one indexed case.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "case_index_party")]
pub struct Model {
    /// `case_index.id`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub case_id: i64,
    /// `cpr:DDMMYYSSSS` or `cvr:NNNNNNNN` (digits only).
    #[sea_orm(primary_key, auto_increment = false)]
    pub party_key: String,
    /// The name the system records.
    pub name: String,
    /// `PRIMARY` or `SECONDARY`.
    pub role: String,
}

/// No relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
