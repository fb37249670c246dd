//! Schema: the GraphQL contract and the services behind it.
//!
//! # Layout
//! - [`query`]: the query root; thin resolvers over [`services`]. The mutation root is
//!   [`types::Mutation`], the subscription root [`subscription::Subscription`].
//! - [`types`]: one GraphQL type per file, each converting from the unified model.
//! - [`loaders`]: per-request DataLoaders that batch per case system.
//! - [`policy`]: who may see what, applied to every connector result in [`services`].
//! - [`viewer`]: the verified [`Viewer`] that `api` hands to every request.
//! - [`ids`]: opaque Relay global ids.
//! - [`error`]: API errors with stable `extensions.code`.
//! - [`limits`]: limits on a query's shape (aliases, root fields, directives, introspection per
//!   role) and the cost model behind `max_complexity`.
//!
//! # Invariants
//! - Knows nothing of HTTP, headers or tokens: `api` verifies and calls [`prepare`].
//! - Authorization happens in the services, not in resolvers.
//! - One case system failing never fails the query: its part is null (or left out) with a
//!   `CASE_SYSTEM_UNAVAILABLE` error naming it.

pub mod error;
pub mod ids;
pub mod limits;
pub mod loaders;
pub mod policy;
pub mod query;
pub mod request;
pub mod services;
pub mod subscription;
pub mod types;
pub mod viewer;

mod codes;

use std::sync::Arc;

use async_graphql::Schema;

pub use services::Services;
pub use viewer::{Role, Viewer};

/// The hub's schema type.
pub type AppSchema = Schema<query::Query, types::Mutation, subscription::Subscription>;

/// `first` when a client gives none, by default; also the page the cost model assumes then
/// (see [`limits::connection_cost`]).
pub const DEFAULT_PAGE_SIZE: usize = 100;

/// Limits the API enforces. The defaults are generous enough that a portal will not hit them.
#[derive(Clone, Debug)]
pub struct Limits {
    /// Deepest selection nesting accepted.
    pub max_depth: usize,
    /// Highest query complexity accepted (`QUERY_TOO_COMPLEX`). Default 2,000,000: the cost
    /// model and the complexity of the example queries are in [`limits`]; two nested
    /// connections at up to 200 × 1000 pass, 1000 × 1000 or a third nested connection do not.
    pub max_complexity: usize,
    /// `first` when a client gives none.
    pub default_page_size: usize,
    /// Largest `first` accepted.
    pub max_page_size: usize,
    /// Largest batch one DataLoader sends to one system at once.
    pub max_loader_batch: usize,
    /// Most aliased fields in one operation, its fragments counted once (`TOO_MANY_ALIASES`).
    /// Default 30: a portal aliases a few fields; hundreds of aliases are how one request asks
    /// for the same expensive field many times.
    pub max_aliases: usize,
    /// Most fields at an operation's top level (`TOO_MANY_ROOT_FIELDS`). Default 20: a portal
    /// asks for a few root fields at once; twenty and more means one field repeated under
    /// aliases, each a separate fan-out to the case systems.
    pub max_root_fields: usize,
    /// Most directives in one operation (`TOO_MANY_DIRECTIVES`). Default 20: a client uses a
    /// handful of `@include`/`@skip`; thousands only make validation slow.
    pub max_directives: usize,
    /// Master switch for introspection: when false, nobody may introspect. When true, see
    /// [`Limits::introspection_allowed`].
    pub introspection: bool,
    /// Whether anonymous viewers may introspect (default false: the contract is not advertised
    /// to whoever asks).
    pub introspection_for_anonymous: bool,
    /// Whether citizens, and third parties acting for them, may introspect (default false:
    /// portals are built against the published SDL, not by exploring).
    pub introspection_for_citizens: bool,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_depth: 16,
            max_complexity: 2_000_000,
            default_page_size: DEFAULT_PAGE_SIZE,
            max_page_size: 1_000,
            max_loader_batch: 1_000,
            max_aliases: 30,
            max_root_fields: 20,
            max_directives: 20,
            introspection: true,
            introspection_for_anonymous: false,
            introspection_for_citizens: false,
        }
    }
}

impl Limits {
    /// Whether a viewer in `role` may introspect: never with the master switch off; staff
    /// (caseworkers, admins) always with it on; anonymous viewers and citizens (with third
    /// parties) only where configured.
    pub fn introspection_allowed(&self, role: Role) -> bool {
        self.introspection
            && match role {
                Role::Caseworker | Role::Admin => true,
                Role::Citizen | Role::ThirdParty => self.introspection_for_citizens,
                Role::Anonymous => self.introspection_for_anonymous,
            }
    }
}

/// Build the schema over `services`.
pub fn build(services: Arc<Services>) -> AppSchema {
    let limits = services.limits.clone();
    limited(&limits).data(services).finish()
}

/// The schema with `limits` and the error-code extensions, but no services: [`build`] adds
/// them; tests of what is refused before execution need none.
pub(crate) fn limited(
    limits: &Limits,
) -> async_graphql::SchemaBuilder<query::Query, types::Mutation, subscription::Subscription> {
    let builder = Schema::build(
        query::Query,
        types::Mutation::default(),
        subscription::Subscription,
    )
    .limit_depth(limits.max_depth)
    .limit_complexity(limits.max_complexity)
    .extension(codes::ErrorCodes)
    .extension(limits::ShapeLimits::new(limits.clone()));
    if limits.introspection {
        builder
    } else {
        builder.disable_introspection()
    }
}

/// The schema's SDL, as `sagshub schema` prints it.
pub fn sdl() -> String {
    Schema::build(
        query::Query,
        types::Mutation::default(),
        subscription::Subscription,
    )
    .finish()
    .sdl()
}

/// Hand a request its viewer, where it came from (for the audit log) and fresh per-request
/// loaders, and turn introspection off for it where the viewer's role may not introspect
/// ([`Limits::introspection_allowed`]; the [`limits`] extension refuses such a query with
/// `INTROSPECTION_DISABLED` before it runs, this is the second lock).
pub fn prepare(
    request: async_graphql::Request,
    viewer: Viewer,
    meta: services::audit::RequestMeta,
    services: &Arc<Services>,
) -> async_graphql::Request {
    let request = if services.limits.introspection_allowed(viewer.role) {
        request
    } else {
        request.disable_introspection()
    };
    let loaders = loaders::Loaders::new(services, &viewer, meta);
    request.data(viewer).data(loaders)
}

/// Codes of errors raised before execution (parse and validation); `api` answers these with 4xx
/// under `application/graphql-response+json`.
pub use codes::PRE_EXECUTION_CODES;

/// The data a subscription connection (graphql-transport-ws) runs with: its viewer, verified
/// once at `connection_init`, and loaders for its audit events.
pub fn connection_data(
    viewer: Viewer,
    meta: services::audit::RequestMeta,
    services: &Arc<Services>,
) -> async_graphql::Data {
    let loaders = loaders::Loaders::new(services, &viewer, meta);
    let mut data = async_graphql::Data::default();
    data.insert(viewer);
    data.insert(loaders);
    data
}
