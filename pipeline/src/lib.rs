//! Pipeline: the pure aktindsigt steps — no database, no network, no GraphQL.
//!
//! # Layout
//! - [`cpr`]: CPR numbers: date and century validation, modulus 11.
//! - [`extract`]: text with positions from PDF (OCR for scans), text, HTML, e-mail and .docx.
//! - [`detect`]: personal data (CPR, names, addresses, phones, e-mails) and attention points in
//!   Danish case text, with whose data it is; precision/recall/F2 evaluation.
//! - [`screen`]: proposals per document and per finding, the misfiling check, summaries, and
//!   whether the automation setting lets a request be released without review.
//! - [`grounds`]: the legal grounds (offentlighedsloven, forvaltningsloven, GDPR) printed on
//!   redaction boxes and explained in the cover letter.
//! - [`deadline`]: Danish public holidays, working days, and the 7-working-day deadline of
//!   offentlighedsloven § 36.
//! - [`redact`]: true redaction of PDFs: glyphs under a box removed from the content, images
//!   painted, labelled boxes, annotations/metadata/attachments/hidden layers stripped, a fresh file.
//! - [`render`]: plain text, journal notes, e-mails, .docx and HTML as tidy A4 PDF pages in an
//!   embedded, subset Unicode font (DejaVu Sans), redactable and bundleable like any PDF.
//! - [`bundle`]: the aktindsigt PDF — cover letter, reading guide, document list, and the
//!   documents with stamps, bookmarks and page labels — written incrementally.
//! - [`memo`]: the MeMo 1.2 message that carries the bundle to Digital Post.
//!
//! # Invariants
//! - No database, no network. The one side effect is running the `tesseract` binary for OCR,
//!   behind the [`extract::Ocr`] trait, so callers choose (or refuse) it and tests inject one.
//! - Otherwise deterministic: inputs are bytes and values, outputs are values.
//! - Nothing here ever formats a full CPR number into a log or an error.

pub mod bundle;
pub mod cpr;
pub mod deadline;
pub mod detect;
pub mod extract;
pub mod grounds;
pub mod memo;
pub mod redact;
pub mod render;
pub mod screen;
