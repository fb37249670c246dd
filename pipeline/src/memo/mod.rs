//! The MeMo 1.2 message that delivers an aktindsigt bundle by Digital Post.
//!
//! [`message`] turns a [`MemoInput`] into the XML of one `memo:Message` (namespace
//! `https://DigitalPost.dk/MeMo-1`, `memoVersion="1.2"`): a `DIGITALPOST` header with the
//! municipality as sender (CVR), the citizen as recipient (CPR), `ContentData` with the
//! aktindsigt case's `CaseID` and its KLE classification (`kle:KLEdata`, handlingsfacet
//! `A53` *Aktindsigt*), and a body whose `MainDocument` is the bundle PDF in base64.
//!
//! # Identity and re-issue
//! The `messageUUID` is a function of the request and the bundle version alone
//! ([`message_uuid`]), so a retried or duplicated delivery job produces the same message and
//! Digital Post (or the outbox) can refuse the second copy. A re-issue (version ≥ 2) carries a
//! `ReplyData` pointing at version 1's message (and at the previous version's, from version
//! 3), which is how MeMo threads one message onto another.
//!
//! # Schema
//! The schemas are vendored in `pipeline/fixtures/memo/xsd/` (from `../shared/spec/memo/`);
//! messages validate against `v1.2/MeMo_core.xsd`. The `MeMo_core.xsd` beside the 1.2 folder
//! is MeMo 1.1 (it requires a `memoSchVersion` attribute that 1.2 dropped and rejects the
//! spec's own 1.2 examples), so it is not the one to validate against.
//!
//! # Size
//! Digital Post refuses messages over a size limit. Neither the schemas nor the examples state
//! it, so the limit is the caller's setting ([`MemoInput::max_message_bytes`]), defaulting to
//! [`DEFAULT_MAX_MESSAGE_BYTES`]; a message over it is [`MemoError::TooLarge`] before the
//! base64 is even built.

#[cfg(test)]
mod tests;
mod xml;

use chrono::{DateTime, Utc};
use uuid::Uuid;

pub use xml::message;

/// The default size limit for a whole message, in bytes of XML (70 MiB).
///
/// Not from the MeMo schemas, which state no limit: set
/// [`MemoInput::max_message_bytes`] from the municipality's Digital Post (SF1601) agreement.
pub const DEFAULT_MAX_MESSAGE_BYTES: usize = 70 * 1024 * 1024;

/// KLE's handlingsfacet for aktindsigt.
pub const KLE_ACTIVITY_AKTINDSIGT: &str = "A53";

/// The sender: the municipality.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sender {
    /// CVR number, eight digits.
    pub cvr: String,
    /// The name shown to the citizen (`Egekær Kommune`).
    pub label: String,
}

/// The recipient: a citizen identified by CPR number.
#[derive(Clone, PartialEq, Eq)]
pub struct Recipient {
    /// CPR number, ten digits (a hyphen after the sixth is accepted and removed).
    pub cpr: String,
    /// The citizen's name, if it should be printed on the envelope.
    pub label: Option<String>,
}

impl std::fmt::Debug for Recipient {
    // Never a CPR number in a log line.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Recipient")
            .field("cpr", &"<redacted>")
            .field("label", &self.label)
            .finish()
    }
}

/// The aktindsigt case the message belongs to and its KLE classification.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseData {
    /// The sagsnummer of the case in which the aktindsigt is journalised.
    pub case_id: String,
    /// The system that holds that case (`sagshub`, or the ESDH's name).
    pub case_system: String,
    /// KLE emne (subject key, `00.00.00` form) the case is journalised under.
    pub kle_subject_key: String,
    /// The KLE topic's title (`Børnefaglige undersøgelser`).
    pub kle_label: String,
    /// The KLE version (`KLE 2024`).
    pub kle_version: String,
    /// The handlingsfacet; [`KLE_ACTIVITY_AKTINDSIGT`] for an aktindsigt.
    pub kle_activity_facet: String,
}

/// Everything a message is made from.
#[derive(Clone, Debug)]
pub struct MemoInput<'a> {
    /// The hub's id of the access request.
    pub request_id: Uuid,
    /// The request's reference as the citizen sees it; the `messageID` is
    /// `<reference>-v<version>`.
    pub request_reference: String,
    /// The bundle's version, 1 and up.
    pub bundle_version: u32,
    /// The message's title in the citizen's inbox (`Afgørelse om aktindsigt`).
    pub title: String,
    /// Short notification text (SMS/e-mail), at most 160 characters.
    pub notification: Option<String>,
    /// The municipality.
    pub sender: Sender,
    /// The citizen.
    pub recipient: Recipient,
    /// The case and KLE data.
    pub case: CaseData,
    /// When the message was created (the caller's clock; kept for a retry so the message is
    /// the same).
    pub created: DateTime<Utc>,
    /// The bundle.
    pub pdf: &'a [u8],
    /// The bundle's file name (`aktindsigt-AKT-2024-0042-v1.pdf`).
    pub filename: String,
    /// `mandatory`: sent as obligatory Digital Post. A decision to a citizen is; default
    /// `true`.
    pub mandatory: bool,
    /// `legalNotification`: the message has legal effect (a decision with a complaint
    /// deadline); default `true`.
    pub legal_notification: bool,
    /// The size limit for the whole XML message.
    pub max_message_bytes: usize,
}

/// Why a message could not be made. Nothing here contains a CPR number.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum MemoError {
    /// A required text is empty.
    #[error("{field} is empty")]
    Empty {
        /// Which field.
        field: &'static str,
    },
    /// A text is longer than the schema allows.
    #[error("{field} has {len} characters; MeMo allows {max}")]
    TooLong {
        /// Which field.
        field: &'static str,
        /// Its length in characters.
        len: usize,
        /// The schema's maximum.
        max: usize,
    },
    /// The recipient's CPR number is not ten digits.
    #[error("the recipient's CPR number is not ten digits")]
    InvalidCpr,
    /// The sender's CVR number is not eight digits.
    #[error("the sender's CVR number is not eight digits")]
    InvalidCvr,
    /// The KLE subject key is not of the form `00.00.00`.
    #[error("KLE subject key {0:?} is not of the form 00.00.00")]
    InvalidKle(String),
    /// Bundle versions start at 1.
    #[error("bundle versions start at 1")]
    BadVersion,
    /// The bundle is empty.
    #[error("the bundle PDF is empty")]
    EmptyDocument,
    /// The message would exceed the size limit.
    #[error("the message would be {size} bytes; Digital Post's limit is {limit}")]
    TooLarge {
        /// The message's size in bytes.
        size: usize,
        /// The limit.
        limit: usize,
    },
}

/// Fixed namespace of sagshub's message UUIDs.
const NAMESPACE: Uuid = Uuid::from_u128(0x5a67_7368_7562_4d65_8d6f_6d65_7373_6167);

/// The `messageUUID` of version `version` of request `request_id`'s bundle.
///
/// Name-based: the SHA-1 UUID of RFC 9562 (v5) over `request_id` and `version`, with its
/// version nibble set to 4, because MeMo's `memoUuidType` pattern admits only version-4
/// UUIDs. Deterministic, so a retry reproduces it; different for every version.
pub fn message_uuid(request_id: Uuid, version: u32) -> Uuid {
    let name = format!("aktindsigt:{request_id}:v{version}");
    let v5 = Uuid::new_v5(&NAMESPACE, name.as_bytes());
    uuid::Builder::from_random_bytes(*v5.as_bytes()).into_uuid()
}

/// The `messageID` of a version: `<reference>-v<version>`.
pub fn message_id(reference: &str, version: u32) -> String {
    format!("{reference}-v{version}")
}

/// The CPR number's ten digits, or an error.
fn cpr_digits(cpr: &str) -> Result<String, MemoError> {
    let digits: String = cpr.trim().replacen('-', "", 1);
    if digits.len() == 10 && digits.bytes().all(|b| b.is_ascii_digit()) {
        Ok(digits)
    } else {
        Err(MemoError::InvalidCpr)
    }
}

/// Checks `input` against the schema's limits and returns the normalised CPR number.
fn validate(input: &MemoInput) -> Result<String, MemoError> {
    if input.bundle_version == 0 {
        return Err(MemoError::BadVersion);
    }
    if input.pdf.is_empty() {
        return Err(MemoError::EmptyDocument);
    }
    let cvr = input.sender.cvr.trim();
    if cvr.len() != 8 || !cvr.bytes().all(|b| b.is_ascii_digit()) {
        return Err(MemoError::InvalidCvr);
    }
    let cpr = cpr_digits(&input.recipient.cpr)?;
    let key = &input.case.kle_subject_key;
    let kle_ok = key.len() == 8
        && key.bytes().enumerate().all(|(i, b)| {
            if i == 2 || i == 5 {
                b == b'.'
            } else {
                b.is_ascii_digit()
            }
        });
    if !kle_ok {
        return Err(MemoError::InvalidKle(key.clone()));
    }
    let texts: [(&'static str, &str, usize); 9] = [
        ("title", &input.title, 256),
        ("request reference", &input.request_reference, 250),
        ("sender label", &input.sender.label, 256),
        ("case id", &input.case.case_id, 256),
        ("case system", &input.case.case_system, 256),
        ("KLE label", &input.case.kle_label, 256),
        ("KLE version", &input.case.kle_version, 256),
        ("KLE activity facet", &input.case.kle_activity_facet, 256),
        ("filename", &input.filename, 256),
    ];
    for (field, value, max) in texts {
        check_text(field, value, max, true)?;
    }
    if let Some(label) = &input.recipient.label {
        check_text("recipient label", label, 256, false)?;
    }
    if let Some(notification) = &input.notification {
        check_text("notification", notification, 160, false)?;
    }
    Ok(cpr)
}

fn check_text(
    field: &'static str,
    value: &str,
    max: usize,
    required: bool,
) -> Result<(), MemoError> {
    if required && value.trim().is_empty() {
        return Err(MemoError::Empty { field });
    }
    let len = value.chars().count();
    if len > max {
        return Err(MemoError::TooLong { field, len, max });
    }
    Ok(())
}
