//! Plain async service functions behind the resolvers.

pub mod audit;
pub mod consent;
pub mod health;
pub mod reads;

use connectors::Registry;
use sea_orm::DatabaseConnection;

/// Everything the services need, shared by all requests.
pub struct Services {
    /// The configured case systems.
    pub registry: Registry,
    /// The hub's own store.
    pub store: DatabaseConnection,
    /// Limits the API enforces.
    pub limits: crate::Limits,
    /// Seals party keys (CPR/CVR numbers) into opaque ids.
    pub ids: crate::ids::IdSealer,
}
