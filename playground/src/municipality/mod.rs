//! The synthetic municipality: departments, citizens in households on shared streets, staff,
//! cases and documents, all generated from a seed (no real person's data).
//!
//! - [`generate`] builds the records ([`Municipality`]) quickly and deterministically; it makes
//!   no document bytes.
//! - [`render`] makes one document's bytes on demand (PDF, text, e-mail, Word or an image-only
//!   scan) together with the ground truth of its text: every span of personal data with whose
//!   it is ([`PiiSpan`]) and the look-alikes that are not CPR numbers (decoys).
//!
//! Invariants: the same [`Params`] give the same municipality and the same bytes; CPR numbers
//! are unique, have valid dates and a seventh digit consistent with the century rule; citizen 0
//! is party to exactly [`Params::demo_citizen_cases`] cases, spread over all departments.

mod compose;
mod data;
mod font;
mod generate;
mod model;
mod prng;
mod render;
mod scan;
#[cfg(test)]
mod tests;

pub use generate::{LARGEST_CASE_DOCUMENTS, generate};
pub use model::*;
pub use render::render;
