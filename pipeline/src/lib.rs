//! Pipeline: the pure aktindsigt steps — no database, no network, no GraphQL.
//!
//! # Layout
//! - [`cpr`]: CPR numbers: date and century validation, modulus 11.
//! - [`extract`]: text with positions from PDF (OCR for scans), text, HTML, e-mail and .docx.
//! - [`detect`]: personal data (CPR, names, addresses, phones, e-mails) and attention points in
//!   Danish case text, with whose data it is; precision/recall/F2 evaluation.
//!
//! Redaction, bundle assembly, MeMo messages and deadlines join this crate with their issues.
//!
//! # Invariants
//! - No database, no network. The one side effect is running the `tesseract` binary for OCR,
//!   behind the [`extract::Ocr`] trait, so callers choose (or refuse) it and tests inject one.
//! - Otherwise deterministic: inputs are bytes and values, outputs are values.
//! - Nothing here ever formats a full CPR number into a log or an error.

pub mod cpr;
pub mod detect;
pub mod extract;
