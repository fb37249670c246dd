//! Migrations of the hub's own store. Identifiers are defined here, not imported from `entities`,
//! so a migration keeps meaning what it meant when it was written.
//!
//! [`Migrator`] runs on every start (`sagshub serve`/`demo`) and by `sagshub migrate`.

pub use sea_orm_migration::prelude::*;

mod m20261203_000001_case_system_health;
mod m20261203_000002_audit_and_consent;
mod m20261203_000003_aktindsigt;
mod m20261203_000004_case_index;
mod m20261203_000005_bundle_delivery;

/// All migrations, in order.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261203_000001_case_system_health::Migration),
            Box::new(m20261203_000002_audit_and_consent::Migration),
            Box::new(m20261203_000003_aktindsigt::Migration),
            Box::new(m20261203_000004_case_index::Migration),
            Box::new(m20261203_000005_bundle_delivery::Migration),
        ]
    }
}
