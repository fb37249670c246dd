//! The case index: one row per case of every configured system, kept by the sync jobs.
//!
//! The full-text side lives beside it: on SQLite the FTS5 table `case_index_fts` (rowid =
//! `id`), on PostgreSQL the generated column `search_vector` (not mapped here).

use sea_orm::entity::prelude::*;

/// One indexed case.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "case_index")]
pub struct Model {
    /// Row id (the FTS rowid on SQLite).
    #[sea_orm(primary_key)]
    pub id: i64,
    /// The system that holds the case.
    pub system_id: String,
    /// The system's own id for it.
    pub local_id: String,
    /// Sagsnummer as the system shows it.
    pub sagsnummer: String,
    /// Sagsnummer lower-cased without spaces: the exact-match key.
    pub sagsnummer_key: String,
    /// Title.
    pub title: String,
    /// KLE subject number (`27.24.00`).
    pub kle: String,
    /// The KLE subject's label (empty if the hub's table does not know it).
    pub kle_label: String,
    /// KLE handlingsfacet.
    pub handlingsfacet: Option<String>,
    /// Owning department.
    pub department: String,
    /// Progress status (`Opstaaet`, `Oplyst`, `Afgjort`, `Afsluttet`).
    pub status: String,
    /// Sensitivity rank: 0 IkkeFortrolig, 1 Fortrolig, 2 Foelsom, 3 Vip.
    pub sensitivity: i32,
    /// Date opened.
    pub opened: Date,
    /// Date closed.
    pub closed: Option<Date>,
    /// Responsible unit.
    pub responsible_unit: Option<String>,
    /// Responsible caseworker's name.
    pub caseworker: Option<String>,
    /// Last change in the source system, where it says.
    pub source_updated_at: Option<ChronoDateTimeUtc>,
    /// When the hub wrote this row.
    pub indexed_at: ChronoDateTimeUtc,
    /// Party names, space-separated (searched).
    pub party_names: String,
    /// Document titles, one per line (searched).
    pub document_titles: String,
    /// The parties as JSON (key, name, address, role), to rebuild the case for the API.
    pub parties: String,
}

/// No relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
