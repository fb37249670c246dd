//! The synthetic municipality's records: the ground truth every simulated system serves a slice of.
//!
//! All of it is generated (see [`super::generate`]); no real person's data is ever in here.

use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

/// Generator parameters. [`Params::demo`] and [`Params::small`] are the two usual sizes.
#[derive(Clone, Debug)]
pub struct Params {
    /// Seed: the same seed and parameters give byte-identical output.
    pub seed: u64,
    /// Number of cases in the whole municipality.
    pub cases: usize,
    /// Number of citizens.
    pub citizens: usize,
    /// Cases that the first citizen ([`Municipality::demo_citizen`]) is a party to, spread over
    /// every department (and so every system). Used for the demo and the batching test.
    pub demo_citizen_cases: usize,
    /// Whether one case gets the 552-document stress size.
    pub include_largest_case: bool,
}

impl Params {
    /// The default demo: a few thousand cases.
    pub fn demo() -> Self {
        Self {
            seed: 2026,
            cases: 3_000,
            citizens: 2_000,
            demo_citizen_cases: 12,
            include_largest_case: true,
        }
    }
    /// A small municipality for tests.
    pub fn small() -> Self {
        Self {
            seed: 7,
            cases: 60,
            citizens: 50,
            demo_citizen_cases: 6,
            include_largest_case: false,
        }
    }
}

/// A department (forvaltning/afdeling) and which simulated system holds its cases.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Department {
    /// Short code (`BF`).
    pub code: &'static str,
    /// Name (`Børn og Familie`).
    pub name: &'static str,
    /// KLE subjects its cases are journalised under, with a typical title for each.
    pub kle_topics: &'static [(&'static str, &'static str)],
    /// The id of the simulated system that owns this department's cases.
    pub system: &'static str,
}

/// A postal address.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Address {
    /// Street and number (`Møllevej 12, 2. tv.`).
    pub street: String,
    /// Postcode.
    pub postcode: String,
    /// Town.
    pub town: String,
}

impl Address {
    /// On one line: `Møllevej 12, 2. tv., 8000 Aarhus C`.
    pub fn one_line(&self) -> String {
        format!("{}, {} {}", self.street, self.postcode, self.town)
    }
}

/// A citizen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Citizen {
    /// Index into [`Municipality::citizens`].
    pub id: usize,
    /// CPR number `DDMMYY-SSSS` (generated; some deliberately fail modulus 11, as numbers issued
    /// since 2007 may).
    pub cpr: String,
    /// Whether the number passes modulus 11.
    pub mod11: bool,
    /// Given name(s).
    pub first_name: String,
    /// Family name.
    pub last_name: String,
    /// Home address.
    pub address: Address,
    /// Phone, `+45 12 34 56 78` or `12345678` style.
    pub phone: String,
    /// E-mail.
    pub email: String,
    /// Household members (indices into citizens).
    pub family: Vec<usize>,
    /// Neighbours (indices into citizens).
    pub neighbours: Vec<usize>,
}

impl Citizen {
    /// Full name.
    pub fn name(&self) -> String {
        format!("{} {}", self.first_name, self.last_name)
    }
}

/// A member of staff (sagsbehandler). Staff names are disclosed in aktindsigt.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Staff {
    /// Index into [`Municipality::staff`].
    pub id: usize,
    /// Full name.
    pub name: String,
    /// Work e-mail.
    pub email: String,
    /// Work phone.
    pub phone: String,
    /// Department code.
    pub department: &'static str,
}

/// Case progress, as the generator records it (mapped to each system's own vocabulary).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// SF1470 Opstaaet.
    Opened,
    /// SF1470 Oplyst.
    Investigated,
    /// SF1470 Afgjort.
    Decided,
    /// SF1470 Afsluttet.
    Closed,
}

/// Sensitivity level (SF1470 Foelsomhed), least to most.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// IkkeFortrolig.
    Normal,
    /// Fortrolig.
    Confidential,
    /// Foelsom.
    Sensitive,
    /// Vip.
    Vip,
}

/// A case.
#[derive(Clone, Debug, PartialEq)]
pub struct SimCase {
    /// Index into [`Municipality::cases`].
    pub id: usize,
    /// Stable UUID (SF1470 systems identify by it).
    pub uuid: Uuid,
    /// Sagsnummer, `YYYY-NNNNNN`.
    pub sagsnummer: String,
    /// Title.
    pub title: String,
    /// KLE subject `27.24.00`.
    pub kle: String,
    /// Handlingsfacet `G01`.
    pub handlingsfacet: String,
    /// Department code.
    pub department: &'static str,
    /// Status.
    pub status: Status,
    /// Sensitivity.
    pub level: Level,
    /// Opened.
    pub opened: NaiveDate,
    /// Closed.
    pub closed: Option<NaiveDate>,
    /// Primary party (citizen index).
    pub primary: usize,
    /// Secondary parties (citizen indices).
    pub secondary: Vec<usize>,
    /// Responsible caseworker (staff index).
    pub caseworker: usize,
    /// Last change.
    pub updated_at: DateTime<Utc>,
    /// Documents in aktnummer order.
    pub documents: Vec<SimDocument>,
}

/// The format a document is rendered in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// A PDF with a text layer.
    Pdf,
    /// Plain text journal note.
    Text,
    /// An e-mail (.eml, RFC 5322).
    Eml,
    /// A Word file (.docx).
    Docx,
    /// A scanned letter: a PDF whose pages are images of text, no text layer.
    Scan,
}

impl Format {
    /// The MIME type the systems report.
    pub fn mime_type(self) -> &'static str {
        match self {
            Self::Pdf | Self::Scan => "application/pdf",
            Self::Text => "text/plain; charset=utf-8",
            Self::Eml => "message/rfc822",
            Self::Docx => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        }
    }
}

/// Document kind as the generator records it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DocKind {
    /// Indgående.
    Incoming,
    /// Udgående.
    Outgoing,
    /// Notat.
    Note,
    /// Internt.
    Internal,
}

/// A document's metadata. Its bytes come from [`super::render`], deterministically.
#[derive(Clone, Debug, PartialEq)]
pub struct SimDocument {
    /// Globally unique index (across all cases).
    pub id: usize,
    /// Stable UUID.
    pub uuid: Uuid,
    /// Index of the case.
    pub case: usize,
    /// Aktnummer, from 1.
    pub aktnummer: u32,
    /// Title.
    pub title: String,
    /// Kind.
    pub kind: DocKind,
    /// Format.
    pub format: Format,
    /// Letter date.
    pub letter_date: NaiveDate,
    /// Sensitivity.
    pub level: Level,
}

/// Whose personal data a span is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Owner {
    /// A citizen (index).
    Citizen(usize),
    /// A member of staff (index).
    Staff(usize),
}

/// What kind of personal data a span is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PiiKind {
    /// A CPR number.
    Cpr,
    /// A person's name.
    Name,
    /// A postal address.
    Address,
    /// A phone number.
    Phone,
    /// An e-mail address.
    Email,
}

/// One span of personal data in a document's text, with whose it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PiiSpan {
    /// Byte offset into [`Rendered::text`], start.
    pub start: usize,
    /// Byte offset, end (exclusive).
    pub end: usize,
    /// What it is.
    pub kind: PiiKind,
    /// Whose it is.
    pub owner: Owner,
}

/// A rendered document: its bytes and the ground truth of its text.
#[derive(Clone, Debug, PartialEq)]
pub struct Rendered {
    /// MIME type.
    pub mime_type: &'static str,
    /// The bytes a system serves.
    pub bytes: Vec<u8>,
    /// The document's text as written (before rendering), the reference for [`Self::spans`].
    pub text: String,
    /// Every span of personal data in `text`, with its owner.
    pub spans: Vec<PiiSpan>,
    /// Look-alikes deliberately put in the text (case numbers, dates with serials, bank and CVR
    /// numbers) that a detector must not report as CPR numbers.
    pub decoys: Vec<(usize, usize)>,
}

/// The whole synthetic municipality.
#[derive(Clone, Debug)]
pub struct Municipality {
    /// The parameters it was made from.
    pub params: Params,
    /// Departments.
    pub departments: Vec<Department>,
    /// Citizens; index 0 is the demo citizen.
    pub citizens: Vec<Citizen>,
    /// Staff.
    pub staff: Vec<Staff>,
    /// Cases.
    pub cases: Vec<SimCase>,
}

impl Municipality {
    /// The citizen the demo and the batching test look up (party to cases in every system).
    pub fn demo_citizen(&self) -> &Citizen {
        &self.citizens[0]
    }
    /// The department with this code.
    pub fn department(&self, code: &str) -> Option<&Department> {
        self.departments.iter().find(|d| d.code == code)
    }
    /// The cases held by the simulated system `system`.
    pub fn cases_of_system<'a>(
        &'a self,
        system: &'a str,
    ) -> impl Iterator<Item = &'a SimCase> + 'a {
        self.cases.iter().filter(move |c| {
            self.department(c.department)
                .is_some_and(|d| d.system == system)
        })
    }
    /// Total number of documents.
    pub fn document_count(&self) -> usize {
        self.cases.iter().map(|c| c.documents.len()).sum()
    }
}
