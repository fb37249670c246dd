//! The synthetic municipality.

mod model;

pub use model::*;
