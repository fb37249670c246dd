//! Connectors: the unified case model and one module per protocol.
//!
//! # Layout
//! - [`model`]: `Case`, `Document`, `Party`, `Content`, ... — what every system maps into.
//! - [`system`]: the object-safe [`CaseSystem`] trait, batch-shaped so DataLoaders can batch.
//! - [`soap`]: KOMBIT SF1470 SagDokumentIndeks v6 over SOAP 1.2.
//! - [`rest`]: a JSON fagsystem with cursor pagination and `Retry-After`.
//! - [`sql`]: a legacy database read through queries written in configuration.
//! - [`resilience`]: timeouts, retries with backoff and jitter, circuit breaker, concurrency limit,
//!   wrapped around any `CaseSystem`.
//! - [`registry`]: the set of configured systems, built from [`config`].
//!
//! # Invariants
//! - No GraphQL, no HTTP serving, no access to the hub's own store.
//! - Every error names its system ([`Error::system`]); no personal data in error text.
//! - Parsing is pure (`fn parse_*(bytes) -> Result<_>`) and unit-tested on fixtures; the I/O
//!   around it is thin.

pub mod config;
pub mod error;
pub mod model;
pub mod registry;
pub mod resilience;
pub mod rest;
pub mod soap;
pub mod sql;
pub mod system;

pub use error::Error;
pub use model::*;
pub use registry::Registry;
pub use system::CaseSystem;

/// Result with the connector [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
