//! The aktindsigt bundle: one PDF per request.
//!
//! [`bundle`] writes, in this order:
//! 1. the **cover letter** (*følgebrev* with the *afgørelse*): sender, recipient, date and
//!    reference; the request; the decision with the counts of documents disclosed in full, in
//!    part and withheld; the reasons with the legal grounds actually used and their text; any
//!    incompleteness a caseworker accepted; complaint guidance for each department involved;
//!    whom to contact;
//! 2. the **reading guide** (*læsevejledning*);
//! 3. the **document list** (*dokumentfortegnelse*): one row per document, withheld ones
//!    included, with the page where each disclosed document starts;
//! 4. the **documents**, in case order (sagsnummer, then aktnummer), each from a new page.
//!
//! # Layout decisions
//! - **Page numbers.** The front matter is numbered in lower-case roman (i, ii, ...) and the
//!   documents from 1. `/PageLabels` says the same, so a viewer's page box, the stamp
//!   ("Side 12 af 480") and the document list's "Side" column all show one number. Because
//!   document pages are numbered from 1, their numbers do not depend on how long the front
//!   matter turns out, and the front matter can be laid out last, from the metadata alone.
//! - **Stamp.** At the bottom of every document page, in a 24 pt band: "Sag <sagsnummer> ·
//!   Akt <aktnummer>" on the left, the request reference in the middle, "Side X af Y" on the
//!   right, where Y is the number of document pages. The source page is scaled uniformly
//!   (A4: to 97 %) and centred above the band, so the stamp never covers content. The page
//!   keeps its visual size; a `/Rotate` is applied to the content so every output page is
//!   upright with the stamp at its visual bottom.
//! - **Bookmarks.** Three for the front matter (cover letter, reading guide, document
//!   list), one per case, and under each case one per disclosed document. A case whose
//!   documents are all withheld points at the document list.
//! - **Fonts and PDF/A.** Front matter and stamps use the standard-14 Helvetica and
//!   Helvetica-Bold with WinAnsiEncoding (see `text`): not embedded, so the file is
//!   PDF/A-friendly but claims no PDF/A conformance. No JavaScript, no encryption, no
//!   annotations, no source metadata; the imported pages keep their own fonts.
//!
//! # Memory
//! Sources are imported one at a time ([`BundleDocument::pdf`] is dropped after its import)
//! and written straight to the output; what stays in memory is the metadata of the documents
//! and a few numbers per page. The front matter, the page tree, the outline and the
//! cross-reference table are written at the end.

mod assemble;
pub mod bench;
mod front;
mod import;
mod layout;
mod list;
mod logo;
mod outline;
#[cfg(test)]
mod tests;
mod text;
mod writer;

use std::cmp::Ordering;

use chrono::NaiveDate;

use crate::grounds::LegalGround;
use crate::screen::{Disclosure, LegalBasis};

pub use assemble::bundle;

/// The sender of the bundle.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Municipality {
    /// Name as printed (`Egekær Kommune`).
    pub name: String,
    /// Postal address, one line each.
    pub address_lines: Vec<String>,
    /// CVR number (eight digits), printed under the address.
    pub cvr: String,
    /// How to reach the municipality about the request: phone, e-mail, opening hours.
    pub contact: String,
    /// Optional logo for the letterhead: a non-interlaced 8-bit greyscale or RGB PNG without
    /// transparency, drawn 40 pt high top right.
    pub logo_png: Option<Vec<u8>>,
}

/// Complaint guidance (*klagevejledning*) configured for one department.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ComplaintGuidance {
    /// The department, as in [`BundleDocument::department`].
    pub department: String,
    /// The guidance, in Danish: where to complain, the deadline, how.
    pub text: String,
}

/// What the bundle is about: the request and its decision.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BundleRequest {
    /// The sender.
    pub municipality: Municipality,
    /// Who the letter is addressed to (the requester: the citizen or a third party).
    pub recipient_name: String,
    /// The recipient's postal address, one line each (may be empty for Digital Post only).
    pub recipient_address_lines: Vec<String>,
    /// The request's reference as the citizen sees it (`AKT-2024-0042`).
    pub request_reference: String,
    /// When the request was received.
    pub received: NaiveDate,
    /// When it was decided: the letter's date.
    pub decided: NaiveDate,
    /// The law the request is decided under.
    pub legal_basis: LegalBasis,
    /// The caseworker who signs the letter; `None` signs with the municipality's name.
    pub caseworker_name: Option<String>,
    /// Complaint guidance per department; only the departments of the bundled documents are
    /// printed.
    pub complaint_guidance: Vec<ComplaintGuidance>,
    /// The reason a caseworker accepted that the request is incomplete (a system could not be
    /// read), printed in the letter. `None` when it is complete.
    pub incompleteness_accepted: Option<String>,
    /// The bundle's version: 1, or 2 and up for a re-issue.
    pub version: u32,
    /// For a re-issue: what changed since the previous version, printed in the letter.
    pub previous_version_note: Option<String>,
}

/// One document of the request, disclosed or not.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BundleDocument {
    /// The case's number (*sagsnummer*), e.g. `27.24.00-G01-12-24`.
    pub sagsnummer: String,
    /// The case's title.
    pub case_title: String,
    /// The department that owns the case (selects the complaint guidance).
    pub department: String,
    /// The case system the document comes from, as printed (`ESDH`, `Jobcenter`).
    pub system_name: String,
    /// The document's number in its case (*aktnummer*).
    pub aktnummer: u32,
    /// The document's title.
    pub title: String,
    /// The document's date, if known.
    pub date: Option<NaiveDate>,
    /// How much of it is disclosed.
    pub disclosure: Disclosure,
    /// The legal grounds used for this document (for redactions or for withholding it); must
    /// be non-empty unless it is disclosed in full.
    pub grounds: Vec<LegalGround>,
    /// The document as PDF, already redacted — `None` exactly when it is withheld.
    pub pdf: Option<Vec<u8>>,
}

impl BundleDocument {
    /// The bundle's order: by sagsnummer, then aktnummer. Sort the documents with this before
    /// passing them to [`bundle`], which checks it.
    pub fn case_order(&self, other: &Self) -> Ordering {
        (self.sagsnummer.as_str(), self.aktnummer)
            .cmp(&(other.sagsnummer.as_str(), other.aktnummer))
    }
}

/// Where a document ended up in the bundle.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListedDocument {
    /// The case's number.
    pub sagsnummer: String,
    /// The document's number in the case.
    pub aktnummer: u32,
    /// How much of it was disclosed.
    pub disclosure: Disclosure,
    /// The page (label number in the document part, as printed in the list and the stamp)
    /// where it starts; `None` when withheld.
    pub first_page: Option<u32>,
    /// How many pages it has in the bundle (0 when withheld).
    pub pages: u32,
}

/// What [`bundle`] wrote.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BundleSummary {
    /// Pages in the file.
    pub pages: u32,
    /// Pages of cover letter, reading guide and document list (numbered i, ii, ...).
    pub front_matter_pages: u32,
    /// Pages of documents (numbered 1, 2, ...).
    pub document_pages: u32,
    /// Size of the file in bytes.
    pub bytes: u64,
    /// Distinct cases.
    pub cases: usize,
    /// Documents disclosed in full.
    pub full: usize,
    /// Documents disclosed in part.
    pub partial: usize,
    /// Documents withheld.
    pub withheld: usize,
    /// Outline entries: 3 for the front matter + one per case + one per disclosed document.
    pub bookmarks: usize,
    /// Every document, in bundle order.
    pub documents: Vec<ListedDocument>,
}

/// Why a bundle could not be made. Nothing names a CPR number.
#[derive(Debug, thiserror::Error)]
pub enum BundleError {
    /// A required text of the request is empty.
    #[error("the request's {field} is empty")]
    EmptyField {
        /// Which field.
        field: &'static str,
    },
    /// The version is 0.
    #[error("bundle versions start at 1")]
    BadVersion,
    /// The logo is not a PNG this module can embed.
    #[error("the logo cannot be used: {0}")]
    Logo(String),
    /// The caller's document source failed.
    #[error("document {index} could not be read: {source}")]
    Source {
        /// Position in the input (0-based).
        index: usize,
        /// The caller's error.
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// The documents are not in case order, or one is repeated.
    #[error(
        "documents must be in case order without repeats: {sagsnummer} akt {aktnummer} comes after {previous_sagsnummer} akt {previous_aktnummer}"
    )]
    Order {
        /// The offending document's case.
        sagsnummer: String,
        /// Its aktnummer.
        aktnummer: u32,
        /// The document before it.
        previous_sagsnummer: String,
        /// Its aktnummer.
        previous_aktnummer: u32,
    },
    /// A document disclosed in part or withheld names no legal ground.
    #[error("{sagsnummer} akt {aktnummer} is not disclosed in full but names no legal ground")]
    MissingGround {
        /// The case.
        sagsnummer: String,
        /// The document.
        aktnummer: u32,
    },
    /// A disclosed document has no PDF, or a withheld one has one.
    #[error("{sagsnummer} akt {aktnummer}: {problem}")]
    Content {
        /// The case.
        sagsnummer: String,
        /// The document.
        aktnummer: u32,
        /// What is wrong.
        problem: &'static str,
    },
    /// A document's PDF could not be imported.
    #[error("{sagsnummer} akt {aktnummer}: the PDF cannot be bundled: {detail}")]
    Pdf {
        /// The case.
        sagsnummer: String,
        /// The document.
        aktnummer: u32,
        /// Why.
        detail: String,
    },
    /// Writing the output failed.
    #[error("writing the bundle failed: {0}")]
    Io(#[from] std::io::Error),
}

/// The result type of this module.
pub type Result<T, E = BundleError> = std::result::Result<T, E>;

/// A document's metadata, kept after its PDF is gone.
pub(crate) struct Entry {
    pub(crate) doc: BundleDocument,
    pub(crate) first_page: Option<u32>,
    pub(crate) pages: u32,
}

/// Checks the request before anything is written.
fn check_request(request: &BundleRequest) -> Result<()> {
    let required = [
        ("municipality name", &request.municipality.name),
        ("recipient name", &request.recipient_name),
        ("request reference", &request.request_reference),
    ];
    for (field, value) in required {
        if value.trim().is_empty() {
            return Err(BundleError::EmptyField { field });
        }
    }
    if request.version == 0 {
        return Err(BundleError::BadVersion);
    }
    Ok(())
}
