//! SeaORM entities of the hub's own store (SQLite by default, PostgreSQL in production).
//!
//! # Layout
//! One module per table. Entities carry no GraphQL derives and no business rules: the `schema`
//! crate converts them into API types.
//!
//! # Invariants
//! - Table and column names match the `migration` crate, which defines them independently.

pub mod access_request;
pub mod audit_event;
pub mod bundle;
pub mod case_index;
pub mod case_index_party;
pub mod case_system_health;
pub mod consent;
pub mod delivery;
pub mod finding;
pub mod index_sync;
pub mod job;
pub mod job_run;
pub mod manual_redaction;
pub mod request_case;
pub mod request_document;
pub mod request_system;
