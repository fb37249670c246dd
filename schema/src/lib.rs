//! Schema: the GraphQL contract and the services behind it.
//!
//! # Layout
//! - [`query`]: the query root; thin resolvers over [`services`].
//! - [`types`]: one GraphQL type per file, each converting from the unified model.
//! - [`loaders`]: per-request DataLoaders that batch per case system.
//! - [`policy`]: who may see what, applied to every connector result in [`services`].
//! - [`viewer`]: the verified [`Viewer`] that `api` hands to every request.
//! - [`ids`]: opaque Relay global ids.
//! - [`error`]: API errors with stable `extensions.code`.
//!
//! # Invariants
//! - Knows nothing of HTTP, headers or tokens: `api` verifies and calls [`prepare`].
//! - Authorization happens in the services, not in resolvers.
//! - One case system failing never fails the query: its part is null (or left out) with a
//!   `CASE_SYSTEM_UNAVAILABLE` error naming it.

pub mod error;
pub mod ids;
pub mod loaders;
pub mod policy;
pub mod query;
pub mod request;
pub mod services;
pub mod types;
pub mod viewer;

mod codes;

use std::sync::Arc;

use async_graphql::{EmptyMutation, EmptySubscription, Schema};

pub use services::Services;
pub use viewer::{Role, Viewer};

/// The hub's schema type.
pub type AppSchema = Schema<query::Query, EmptyMutation, EmptySubscription>;

/// Limits the API enforces. The defaults are generous enough that a portal will not hit them.
#[derive(Clone, Debug)]
pub struct Limits {
    /// Deepest selection nesting accepted.
    pub max_depth: usize,
    /// Highest query complexity accepted.
    pub max_complexity: usize,
    /// `first` when a client gives none.
    pub default_page_size: usize,
    /// Largest `first` accepted.
    pub max_page_size: usize,
    /// Largest batch one DataLoader sends to one system at once.
    pub max_loader_batch: usize,
    /// Whether introspection is allowed.
    pub introspection: bool,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_depth: 12,
            max_complexity: 5_000,
            default_page_size: 100,
            max_page_size: 1_000,
            max_loader_batch: 1_000,
            introspection: true,
        }
    }
}

/// Build the schema over `services`.
pub fn build(services: Arc<Services>) -> AppSchema {
    let limits = services.limits.clone();
    let mut builder = Schema::build(query::Query, EmptyMutation, EmptySubscription)
        .data(services)
        .limit_depth(limits.max_depth)
        .limit_complexity(limits.max_complexity)
        .extension(codes::ErrorCodes);
    if !limits.introspection {
        builder = builder.disable_introspection();
    }
    builder.finish()
}

/// The schema's SDL, as `sagshub schema` prints it.
pub fn sdl() -> String {
    Schema::build(query::Query, EmptyMutation, EmptySubscription)
        .finish()
        .sdl()
}

/// Hand a request its viewer and fresh per-request loaders.
pub fn prepare(
    request: async_graphql::Request,
    viewer: Viewer,
    services: &Arc<Services>,
) -> async_graphql::Request {
    request.data(viewer).data(loaders::Loaders::new(services))
}

/// Codes of errors raised before execution (parse and validation); `api` answers these with 4xx
/// under `application/graphql-response+json`.
pub use codes::PRE_EXECUTION_CODES;
