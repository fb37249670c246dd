//! Personal-data detection in Danish case text: CPR numbers, names, addresses, phone numbers,
//! e-mail addresses, and attention points (sensitive topics a reviewer should see).
//!
//! One tokenising pass over the text ([`token`]) feeds rule modules that work on the token
//! stream ([`cpr`], [`phone`], [`address`], [`names`]); e-mails and attention terms are found by
//! one substring search each ([`email`], [`attention`]). Every rule decides from a small context
//! window ([`context`]), so the work is linear in the input and memory is bounded by the token
//! list of the document. Overlaps are then merged deterministically ([`merge`]) and, when the
//! caller passes a [`SubjectProfile`], each finding is told whose data it is.
//!
//! [`eval`] computes precision, recall and F2 on character offsets against a labelled corpus.
//!
//! Invariants: detection never fails and never panics on any input; it formats no CPR number
//! into a log; the same text and profile always give the same findings in the same order.

pub mod address;
pub mod attention;
pub mod context;
pub mod cpr;
pub mod email;
pub mod eval;
pub mod merge;
pub mod names;
pub mod phone;
pub mod token;

pub use attention::AttentionKind;

/// What a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Category {
    /// A CPR number (also masked, `010203-XXXX`).
    Cpr,
    /// A person's name.
    Name,
    /// A postal address (street with number, postcode and town).
    Address,
    /// A phone number.
    Phone,
    /// An e-mail address.
    Email,
    /// A sensitive topic, shown to the reviewer and never redacted automatically.
    Attention(AttentionKind),
}

impl Category {
    /// The corpus label (`CPR`, `NAME`, `ADDRESS`, `PHONE`, `EMAIL`, `ATTENTION`).
    pub fn label(self) -> &'static str {
        match self {
            Self::Cpr => "CPR",
            Self::Name => "NAME",
            Self::Address => "ADDRESS",
            Self::Phone => "PHONE",
            Self::Email => "EMAIL",
            Self::Attention(_) => "ATTENTION",
        }
    }

    /// Whether this is personal data that may be proposed for redaction (not an attention point).
    pub fn is_personal_data(self) -> bool {
        !matches!(self, Self::Attention(_))
    }

    /// Which category wins when two different ones overlap (higher wins).
    pub(crate) fn priority(self) -> u8 {
        match self {
            Self::Cpr => 6,
            Self::Email => 5,
            Self::Phone => 4,
            Self::Address => 3,
            Self::Name => 2,
            Self::Attention(_) => 0,
        }
    }
}

/// Whose data a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Owner {
    /// The requester's own data: disclosed, never proposed for redaction.
    Own,
    /// A member of staff acting in office: disclosed by default.
    Staff,
    /// Someone else's data: proposed for redaction.
    OtherPerson,
    /// Not known (no profile given, or the match is too weak to tell).
    Unknown,
}

/// One piece of personal data or one attention point in a text.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    /// What it is.
    pub category: Category,
    /// Byte offset of the start in the text.
    pub start: usize,
    /// Byte offset of the end (exclusive).
    pub end: usize,
    /// Character (Unicode scalar) offset of the start.
    pub char_start: usize,
    /// Character offset of the end (exclusive).
    pub char_end: usize,
    /// The matched text.
    pub text: String,
    /// How sure the rule is, 0.0–1.0.
    pub confidence: f32,
    /// Which rule and context produced it (stable, for reviewers and tests).
    pub reason: &'static str,
    /// Whose data it is.
    pub owner: Owner,
}

/// A finding before offsets in characters, text and owner are filled in.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Raw {
    pub category: Category,
    pub start: usize,
    pub end: usize,
    pub confidence: f32,
    pub reason: &'static str,
}

/// What is known about the requester and the staff, to tell whose data a finding is.
///
/// Values are compared normalised: CPR numbers and phones by their digits (a phone by its last
/// eight), names and e-mails case-insensitively with whitespace collapsed, addresses by their
/// lower-cased letters and digits.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SubjectProfile {
    /// The requester's CPR numbers (with or without dash).
    pub cprs: Vec<String>,
    /// The requester's names (full names; a first name alone is never enough to say `Own`).
    pub names: Vec<String>,
    /// The requester's addresses.
    pub addresses: Vec<String>,
    /// The requester's phone numbers, any spelling.
    pub phones: Vec<String>,
    /// The requester's e-mail addresses.
    pub emails: Vec<String>,
    /// Names of staff whose names are disclosed by default.
    pub staff_names: Vec<String>,
}

/// Find personal data and attention points in `text`.
///
/// With a `profile`, each finding says whose it is ([`Owner::Own`], [`Owner::Staff`],
/// [`Owner::OtherPerson`], or [`Owner::Unknown`] where a match is too weak); without one every
/// owner is [`Owner::Unknown`]. Findings are sorted by start offset, personal data merged so
/// that no two overlap; attention points may overlap personal data.
pub fn detect(text: &str, profile: Option<&SubjectProfile>) -> Vec<Finding> {
    let tokens = token::tokenize(text);
    let mut raw: Vec<Raw> = Vec::new();
    numbers(text, &tokens, &mut raw);
    email::find(text, &mut raw);
    address::find(text, &tokens, &mut raw);
    names::find(text, &tokens, &mut raw);
    attention::find(text, &mut raw);
    let merged = merge::merge(raw);
    let owners = profile.map(owner::Normalised::new);
    let mut out = Vec::with_capacity(merged.len());
    let mut chars = CharCounter::default();
    for r in merged {
        let Some(slice) = text.get(r.start..r.end) else {
            continue;
        };
        let char_start = chars.advance(text, r.start);
        let char_end = char_start + slice.chars().count();
        let owner = owners
            .as_ref()
            .map_or(Owner::Unknown, |o| o.classify(r.category, slice));
        out.push(Finding {
            category: r.category,
            start: r.start,
            end: r.end,
            char_start,
            char_end,
            text: slice.to_owned(),
            confidence: r.confidence,
            reason: r.reason,
            owner,
        });
    }
    out
}

/// CPR and phone numbers on the digit groups: a CPR shape first, then a phone number running
/// to the group's end (at the group's start or right after a CPR number).
fn numbers(text: &str, tokens: &[token::Token], raw: &mut Vec<Raw>) {
    for g in token::digit_groups(text, tokens) {
        let mut i = 0;
        let mut phone_may_start = true;
        while i < g.n {
            let cpr_shape = cpr::classify(text, tokens, &g, i);
            if let Some((Some(found), used)) = cpr_shape {
                raw.push(found);
                i += used;
                phone_may_start = true;
                continue;
            }
            // A refused CPR shape may still be a phone number (`+4520304050`).
            if phone_may_start && let Some((found, used)) = phone::classify(text, tokens, &g, i) {
                raw.push(found);
                i += used;
                continue;
            }
            if let Some((None, used)) = cpr_shape {
                i += used;
                phone_may_start = false;
                continue;
            }
            phone_may_start = false;
            i += 1;
        }
    }
}

/// Byte → char offsets for increasing byte positions, in one pass.
#[derive(Default)]
struct CharCounter {
    byte: usize,
    chars: usize,
}

impl CharCounter {
    fn advance(&mut self, text: &str, byte: usize) -> usize {
        if byte < self.byte {
            // Findings are sorted by start, but attention points may start inside a previous
            // finding: count from the beginning again rather than go wrong.
            self.byte = 0;
            self.chars = 0;
        }
        if let Some(s) = text.get(self.byte..byte) {
            self.chars += s.chars().count();
            self.byte = byte;
        }
        self.chars
    }
}

mod owner;

#[cfg(test)]
mod tests;
