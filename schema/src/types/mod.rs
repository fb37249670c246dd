//! GraphQL output types, one per file. Each converts from the unified model; none is stored.

pub mod access_request;
pub mod audit;
pub mod bundle;
pub mod case;
pub mod connection;
pub mod consent;
pub mod document;
pub mod enums;
pub mod job;
pub mod party;
pub mod request_enums;
pub mod review;
pub mod search;
pub mod statistics;
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
    /// An access request.
    AccessRequest(access_request::AccessRequestNode),
    /// A document collected for an access request.
    RequestItem(review::RequestItemNode),
    /// A screening finding.
    Finding(review::FindingNode),
}

/// The mutation root: the consent, request lifecycle and review writes.
#[derive(async_graphql::MergedObject)]
pub struct Mutation(
    pub consent::Mutation,
    pub access_request::RequestMutation,
    pub review::ReviewMutation,
);

impl Mutation {
    /// The root.
    pub fn new() -> Self {
        Self(
            consent::Mutation,
            access_request::RequestMutation,
            review::ReviewMutation,
        )
    }
}

impl Default for Mutation {
    fn default() -> Self {
        Self::new()
    }
}
