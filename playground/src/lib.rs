//! Playground: everything that exists so the hub can be tried and tested without a municipality.
//!
//! # Layout
//! - [`municipality`]: the deterministic synthetic municipality (citizens, families, staff,
//!   departments, cases, documents) and its ground truth of personal data.
//! - [`sim`]: the simulated case systems — SF1470 SOAP ESDH, a REST fagsystem, a legacy SQL
//!   database — real servers each serving a slice of the municipality.
//! - [`graphiql`]: the GraphiQL page and its assets (served by the hub, no CDN) and example
//!   operations.
//!
//! # Invariants
//! - Nothing here is production logic; the hub never depends on playground behaviour.
//! - The simulated systems share no types or parsing code with `connectors`.
//! - All data is generated from a seed; no real person's data.

pub mod graphiql;
pub mod municipality;
pub mod sim;
