//! Screening: what to propose for each collected document before a person (or the automation
//! setting) decides.
//!
//! For every document the hub combines two proposals:
//! - the document as a whole, from its facts (KLE number, handlingsfacet, department, kind,
//!   legal basis of the request) through the first matching [`Rule`] — [`Rules::propose`];
//! - each finding of [`crate::detect`] — [`propose_finding`]: redact another person's data,
//!   keep the requester's own and staff's, show attention points.
//!
//! [`propose_document`] merges the two: a document disclosed in full that has redactions
//! proposed becomes a partial disclosure under the basis's [`default_redaction_ground`].
//! [`misfiling()`] flags a document that seems to belong to another case, [`summarize`] counts
//! findings for the reviewer, [`context()`] cuts the words around a finding, and
//! [`may_release_without_review`] applies the municipality's [`Automation`] setting.
//!
//! Inputs are plain values; nothing here knows the case systems, the database or GraphQL.
//! Reasons meant for a reviewer never contain a CPR number.

mod automation;
mod context;
mod misfiling;
mod rules;
mod summary;

#[cfg(test)]
mod tests;

pub use automation::{
    Automation, DocOutcome, may_release_without_review, review_reasons, strictest,
};
pub use context::context;
pub use misfiling::{CaseParties, Misfiling, misfiling};
pub use rules::{DocFacts, Rule, RuleProposal, Rules};
pub use summary::{Summary, summarize};

use crate::detect::{Finding, Owner};

/// The law a request for access is decided under.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum LegalBasis {
    /// Partsaktindsigt: a party's access to their own case (forvaltningsloven § 9).
    PartyAccess,
    /// Aktindsigt for anyone (offentlighedsloven).
    PublicAccess,
    /// Indsigtsret: the data subject's right of access (GDPR art. 15).
    Gdpr15,
}

impl LegalBasis {
    /// The stable name (`PARTY_ACCESS`, `PUBLIC_ACCESS`, `GDPR15`), as serialized.
    pub fn name(self) -> &'static str {
        match self {
            Self::PartyAccess => "PARTY_ACCESS",
            Self::PublicAccess => "PUBLIC_ACCESS",
            Self::Gdpr15 => "GDPR15",
        }
    }
}

/// How much of a document is disclosed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Disclosure {
    /// The whole document.
    Full,
    /// The document with redactions.
    Partial,
    /// Not at all (the cover letter gives the ground).
    Withheld,
}

impl Disclosure {
    /// The stable name (`FULL`, `PARTIAL`, `WITHHELD`), as serialized.
    pub fn name(self) -> &'static str {
        match self {
            Self::Full => "FULL",
            Self::Partial => "PARTIAL",
            Self::Withheld => "WITHHELD",
        }
    }
}

/// What sort of document it is, as the case system records it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum DocKind {
    /// A letter or e-mail received from outside.
    IncomingLetter,
    /// A letter or e-mail sent out.
    OutgoingLetter,
    /// A journal note (*journalnotat*), e.g. of a phone call.
    JournalNote,
    /// An internal working document, never sent outside the authority.
    Internal,
}

impl DocKind {
    /// The stable name (`INCOMING_LETTER`, ...), as serialized.
    pub fn name(self) -> &'static str {
        match self {
            Self::IncomingLetter => "INCOMING_LETTER",
            Self::OutgoingLetter => "OUTGOING_LETTER",
            Self::JournalNote => "JOURNAL_NOTE",
            Self::Internal => "INTERNAL",
        }
    }
}

/// What to do with one finding.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum FindingProposal {
    /// Propose to redact it.
    Redact,
    /// Show it, do not propose to redact it.
    Keep,
    /// An attention point: shown to the reviewer, never redacted automatically.
    Attention,
}

impl FindingProposal {
    /// The stable name (`REDACT`, `KEEP`, `ATTENTION`), as serialized.
    pub fn name(self) -> &'static str {
        match self {
            Self::Redact => "REDACT",
            Self::Keep => "KEEP",
            Self::Attention => "ATTENTION",
        }
    }
}

/// Why rules could not be used.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ScreenError {
    /// A rule withholds or partially discloses without naming a legal ground.
    #[error("rule {rule:?} withholds or redacts but names no legal ground")]
    MissingGround {
        /// The rule's name.
        rule: String,
    },
    /// A rule names a ground code that is not in the grounds table.
    #[error("rule {rule:?} names legal ground {code:?}, which is not in the grounds table")]
    UnknownGround {
        /// The rule's name.
        rule: String,
        /// The unknown code.
        code: String,
    },
    /// A rule's KLE prefix is not digit groups separated by dots.
    #[error("rule {rule:?} has KLE prefix {prefix:?}; expected digit groups such as 27.24")]
    BadKlePrefix {
        /// The rule's name.
        rule: String,
        /// The prefix as given.
        prefix: String,
    },
    /// The grounds table lacks a code that redaction proposals use.
    #[error("the grounds table lacks {code:?}, the ground proposed for redactions under {basis}")]
    MissingDefaultGround {
        /// The missing code.
        code: &'static str,
        /// The legal basis it is the default for ([`LegalBasis::name`]).
        basis: &'static str,
    },
}

/// The proposal for one finding.
///
/// Attention points are always [`FindingProposal::Attention`]. The requester's own data and
/// staff acting in office are kept; another person's data is redacted. Where the owner is
/// unknown, the finding is proposed for redaction only when `confidence >= threshold`: a weak
/// unknown match is shown to the reviewer but not proposed, so that ordinary words that look
/// like names do not pepper the document with boxes.
pub fn propose_finding(finding: &Finding, threshold: f32) -> FindingProposal {
    if !finding.category.is_personal_data() {
        return FindingProposal::Attention;
    }
    match finding.owner {
        Owner::Own | Owner::Staff => FindingProposal::Keep,
        Owner::OtherPerson => FindingProposal::Redact,
        Owner::Unknown if finding.confidence >= threshold => FindingProposal::Redact,
        Owner::Unknown => FindingProposal::Keep,
    }
}

/// The ground code for redacting another person's data under `basis`; the code is in
/// [`crate::grounds::default_grounds`].
///
/// - [`PartyAccess`](LegalBasis::PartyAccess): `FVL_15B_1` — forvaltningsloven § 15 b,
///   nr. 1, decisive regard to other private interests (partsaktindsigt has no "private
///   forhold" exception of its own; § 15 b, nr. 1 is the one used for third parties' data).
/// - [`PublicAccess`](LegalBasis::PublicAccess): `OFL_30_1` — enkeltpersoners private
///   forhold.
/// - [`Gdpr15`](LegalBasis::Gdpr15): `GDPR_15_4` — the copy must not adversely affect the
///   rights and freedoms of others.
pub fn default_redaction_ground(basis: LegalBasis) -> &'static str {
    match basis {
        LegalBasis::PartyAccess => "FVL_15B_1",
        LegalBasis::PublicAccess => "OFL_30_1",
        LegalBasis::Gdpr15 => "GDPR_15_4",
    }
}

/// The proposal for a whole document: the rule's decision combined with the redactions.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct DocumentProposal {
    /// How much is disclosed.
    pub disclosure: Disclosure,
    /// The legal ground code for withholding or redacting; `None` for a full disclosure.
    pub ground: Option<String>,
    /// The name of the rule that matched, `None` for the built-in fallback.
    pub rule: Option<String>,
    /// The rule's note for the reviewer.
    pub note: Option<String>,
}

/// Combine a rule's proposal with the number of redactions proposed in the document.
///
/// A withheld document stays withheld: its redactions do not matter. A partial rule keeps its
/// ground. A full disclosure with at least one proposed redaction becomes
/// [`Disclosure::Partial`] under [`default_redaction_ground`], because the rest of the
/// document must still be disclosed (offentlighedsloven § 34, forvaltningsloven § 15 c).
pub fn propose_document(
    rule: &RuleProposal,
    redactions: usize,
    basis: LegalBasis,
) -> DocumentProposal {
    let (disclosure, ground) = match rule.disclosure {
        Disclosure::Withheld => (Disclosure::Withheld, rule.ground.clone()),
        Disclosure::Partial => (
            Disclosure::Partial,
            rule.ground
                .clone()
                .or_else(|| Some(default_redaction_ground(basis).to_owned())),
        ),
        Disclosure::Full if redactions > 0 => (
            Disclosure::Partial,
            Some(default_redaction_ground(basis).to_owned()),
        ),
        Disclosure::Full => (Disclosure::Full, None),
    };
    DocumentProposal {
        disclosure,
        ground,
        rule: rule.rule.clone(),
        note: rule.note.clone(),
    }
}
