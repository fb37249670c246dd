//! The cases collected for a request, snapshotted.

use sea_orm::entity::prelude::*;

/// One collected case.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "request_case")]
pub struct Model {
    /// The request.
    #[sea_orm(primary_key, auto_increment = false)]
    pub request_id: String,
    /// The system holding the case.
    #[sea_orm(primary_key, auto_increment = false)]
    pub system: String,
    /// The system's id for the case.
    #[sea_orm(primary_key, auto_increment = false)]
    pub local_id: String,
    /// Sagsnummer.
    pub sagsnummer: String,
    /// Title.
    pub title: String,
    /// KLE subject (`27.24.00`).
    pub kle: String,
    /// Handlingsfacet (`G01`).
    pub handlingsfacet: Option<String>,
    /// Department.
    pub department: String,
    /// SF1470 sensitivity name.
    pub sensitivity: String,
    /// The whole case as collected (JSON of the unified model).
    pub snapshot: String,
}

/// No relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
