//! GraphQL output types, one per file. Each converts from the unified model; none is stored.

pub mod audit;
pub mod case;
pub mod connection;
pub mod consent;
pub mod document;
pub mod enums;
pub mod party;
pub mod system;
pub mod viewer;

use async_graphql::{ID, Interface};

/// Relay `Node`: anything with a global id that `node(id)` can fetch again.
#[derive(Interface)]
#[graphql(field(name = "id", ty = "ID", desc = "Opaque global id."))]
pub enum Node {
    /// A case.
    Case(case::CaseNode),
    /// A document.
    Document(document::DocumentNode),
    /// A party.
    Party(party::PartyNode),
    /// A case system.
    CaseSystem(system::CaseSystemNode),
}
