//! The unified model: what every connector maps its system's records into.
//!
//! The API never sees a system's own vocabulary (SF1470 `FremdriftStatus`, a REST system's
//! `state`, a legacy table's `status` column): every connector converts into these types.

use std::fmt;
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// The configured id of a case system (`"esdh"`, `"jobcenter"`, `"byg"`).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SystemId(pub Arc<str>);

impl SystemId {
    /// A system id from its configured name.
    pub fn new(id: impl AsRef<str>) -> Self {
        Self(Arc::from(id.as_ref()))
    }
    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for SystemId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The protocol family of a system.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SystemKind {
    /// SOAP 1.2, KOMBIT SF1470 SagDokumentIndeks v6.
    Soap,
    /// A JSON/REST fagsystem.
    Rest,
    /// A relational database read through configured queries.
    Sql,
}

/// Progress status of a case (SF1470 `FremdriftStatus`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum ProgressStatus {
    /// Opened, nothing done yet.
    Opstaaet,
    /// Being investigated (oplyst).
    Oplyst,
    /// Decided (afgjort).
    Afgjort,
    /// Closed (afsluttet).
    Afsluttet,
}

/// Sensitivity of a case or document (SF1470 `Foelsomhed`), ordered from least to most
/// sensitive so that a clearance for one level includes the lower ones.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Sensitivity {
    /// Not confidential.
    IkkeFortrolig,
    /// Confidential.
    Fortrolig,
    /// Sensitive personal data (GDPR art. 9/10 kind).
    Foelsom,
    /// Very important person: restricted to named staff.
    Vip,
}

/// A person's or a company's identifying number, the key parties are merged on.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum PartyKey {
    /// CPR number, normalised to ten digits without the dash.
    Cpr(String),
    /// CVR number, eight digits.
    Cvr(String),
}

impl PartyKey {
    /// A CPR key from `DDMMYY-SSSS` or `DDMMYYSSSS`; `None` if it is not ten digits.
    pub fn cpr(text: &str) -> Option<Self> {
        let digits: String = text.chars().filter(|c| *c != '-' && *c != ' ').collect();
        (digits.len() == 10 && digits.bytes().all(|b| b.is_ascii_digit()))
            .then_some(Self::Cpr(digits))
    }
    /// A CVR key from eight digits; `None` otherwise.
    pub fn cvr(text: &str) -> Option<Self> {
        let digits: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        (digits.len() == 8 && digits.bytes().all(|b| b.is_ascii_digit()))
            .then_some(Self::Cvr(digits))
    }
    /// The CPR number as `DDMMYY-SSSS`, or the CVR number.
    pub fn display_number(&self) -> String {
        match self {
            Self::Cpr(d) => format!("{}-{}", &d[..6], &d[6..]),
            Self::Cvr(d) => d.clone(),
        }
    }
}

/// Debug never prints the number: CPR numbers must not reach a log.
impl fmt::Debug for PartyKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Cpr(d) => write!(f, "Cpr({}-XXXX)", &d[..6.min(d.len())]),
            Self::Cvr(d) => write!(f, "Cvr({d})"),
        }
    }
}

/// A party as one system records it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Party {
    /// CPR or CVR, where the system knows it; parties are merged across systems on this.
    pub key: Option<PartyKey>,
    /// Full name (or company name).
    pub name: String,
    /// Postal address on one line, where known.
    pub address: Option<String>,
}

/// A party's role on a case.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum PartyRole {
    /// The primary party (hovedpart).
    Primary,
    /// A secondary party (sekundær part): family member, guardian, representative.
    Secondary,
}

/// A party on a case with its role.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseParty {
    /// Who.
    pub party: Party,
    /// As what.
    pub role: PartyRole,
}

/// A case (sag) in one system.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Case {
    /// The system that holds it.
    pub system: SystemId,
    /// The system's own id for it (a UUID in SF1470 systems, a key elsewhere).
    pub local_id: String,
    /// Sagsnummer: the case number staff and citizens see (`2024-004711`).
    pub sagsnummer: String,
    /// Title.
    pub title: String,
    /// KLE subject number, `hovedgruppe.gruppe.emne` (`27.24.00`).
    pub kle: String,
    /// KLE handlingsfacet (`G01`), where recorded.
    pub handlingsfacet: Option<String>,
    /// The owning department's name.
    pub department: String,
    /// Progress status.
    pub status: ProgressStatus,
    /// Sensitivity.
    pub sensitivity: Sensitivity,
    /// Date opened.
    pub opened: NaiveDate,
    /// Date closed, if closed.
    pub closed: Option<NaiveDate>,
    /// Parties with roles.
    pub parties: Vec<CaseParty>,
    /// Responsible unit (ansvarlig enhed), where recorded.
    pub responsible_unit: Option<String>,
    /// Responsible caseworker's name, where recorded. Staff names are disclosed.
    pub caseworker: Option<String>,
    /// Last change in the source system, where it says.
    pub updated_at: Option<DateTime<Utc>>,
}

impl Case {
    /// Whether `key` is a party (primary or secondary) on this case.
    pub fn has_party(&self, key: &PartyKey) -> bool {
        self.parties
            .iter()
            .any(|p| p.party.key.as_ref() == Some(key))
    }
}

/// The kind of a document (akt).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum DocumentKind {
    /// A letter or e-mail received (indgående).
    IncomingLetter,
    /// A letter or e-mail sent (udgående).
    OutgoingLetter,
    /// A journal note (notat).
    JournalNote,
    /// An internal working document.
    Internal,
}

/// A document (akt) on a case.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Document {
    /// The system that holds it.
    pub system: SystemId,
    /// The system's own id for the document.
    pub local_id: String,
    /// The local id of the case it belongs to.
    pub case_local_id: String,
    /// Aktnummer: the document's running number on its case (1, 2, 3 ...).
    pub aktnummer: u32,
    /// Title.
    pub title: String,
    /// Kind.
    pub kind: DocumentKind,
    /// Letter date (brevdato).
    pub letter_date: Option<NaiveDate>,
    /// MIME type of the content.
    pub mime_type: String,
    /// Size of the content in bytes, where the system says.
    pub size: Option<u64>,
    /// Sensitivity.
    pub sensitivity: Sensitivity,
}

/// The bytes of one document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Content {
    /// MIME type as the system reports it.
    pub mime_type: String,
    /// The bytes.
    pub bytes: Vec<u8>,
}

/// A search over one system's cases.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchQuery {
    /// Words that must occur in the title or sagsnummer.
    pub text: Option<String>,
    /// Only this department.
    pub department: Option<String>,
    /// Only cases whose KLE number starts with this (`27`, `27.24`, `27.24.00`).
    pub kle_prefix: Option<String>,
    /// Only this status.
    pub status: Option<ProgressStatus>,
    /// At most this many cases.
    pub limit: usize,
}

/// One entry of a change feed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Change {
    /// A case was created or changed; here it is now.
    Upserted(Box<Case>),
    /// The case with this local id was deleted.
    Deleted {
        /// Local id of the deleted case.
        local_id: String,
    },
}

/// A page of a change feed and the cursor to continue from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChangePage {
    /// Changes in the order the system reports them.
    pub changes: Vec<Change>,
    /// Opaque cursor for the next call; pass it back to continue.
    pub next_cursor: String,
    /// Whether the feed has more right now.
    pub has_more: bool,
}

/// A system's health as last seen.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Health {
    /// Whether the system answered a health probe.
    pub up: bool,
    /// How long the probe took, in milliseconds.
    pub latency_ms: u64,
    /// Why it is down, in words safe to show an operator.
    pub detail: Option<String>,
    /// Whether the circuit breaker is currently open.
    pub circuit_open: bool,
}

impl Health {
    /// The health a probe that started at `started` and ended with `result` shows.
    pub fn from_probe<T>(started: std::time::Instant, result: &crate::Result<T>) -> Self {
        Self {
            up: result.is_ok(),
            latency_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
            detail: result.as_ref().err().map(|e| e.to_string()),
            circuit_open: false,
        }
    }
}
