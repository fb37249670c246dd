//! GraphQL enums mirroring the unified model.

use async_graphql::Enum;

/// Case progress (SF1470 FremdriftStatus).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
pub enum CaseStatus {
    /// Opened.
    Opstaaet,
    /// Being investigated.
    Oplyst,
    /// Decided.
    Afgjort,
    /// Closed.
    Afsluttet,
}

impl From<connectors::ProgressStatus> for CaseStatus {
    fn from(s: connectors::ProgressStatus) -> Self {
        match s {
            connectors::ProgressStatus::Opstaaet => Self::Opstaaet,
            connectors::ProgressStatus::Oplyst => Self::Oplyst,
            connectors::ProgressStatus::Afgjort => Self::Afgjort,
            connectors::ProgressStatus::Afsluttet => Self::Afsluttet,
        }
    }
}

/// Sensitivity (SF1470 Foelsomhed), least to most.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
pub enum Sensitivity {
    /// Not confidential.
    IkkeFortrolig,
    /// Confidential.
    Fortrolig,
    /// Sensitive personal data.
    Foelsom,
    /// Restricted to named staff.
    Vip,
}

impl From<connectors::Sensitivity> for Sensitivity {
    fn from(s: connectors::Sensitivity) -> Self {
        match s {
            connectors::Sensitivity::IkkeFortrolig => Self::IkkeFortrolig,
            connectors::Sensitivity::Fortrolig => Self::Fortrolig,
            connectors::Sensitivity::Foelsom => Self::Foelsom,
            connectors::Sensitivity::Vip => Self::Vip,
        }
    }
}

/// Kind of document.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
pub enum DocumentKind {
    /// Received letter or e-mail.
    IncomingLetter,
    /// Sent letter or e-mail.
    OutgoingLetter,
    /// Journal note.
    JournalNote,
    /// Internal working document.
    Internal,
}

impl From<connectors::DocumentKind> for DocumentKind {
    fn from(k: connectors::DocumentKind) -> Self {
        match k {
            connectors::DocumentKind::IncomingLetter => Self::IncomingLetter,
            connectors::DocumentKind::OutgoingLetter => Self::OutgoingLetter,
            connectors::DocumentKind::JournalNote => Self::JournalNote,
            connectors::DocumentKind::Internal => Self::Internal,
        }
    }
}

/// A party's role on a case.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
pub enum PartyRole {
    /// Hovedpart.
    Primary,
    /// Sekundær part.
    Secondary,
}

impl From<connectors::PartyRole> for PartyRole {
    fn from(r: connectors::PartyRole) -> Self {
        match r {
            connectors::PartyRole::Primary => Self::Primary,
            connectors::PartyRole::Secondary => Self::Secondary,
        }
    }
}

/// Protocol family of a case system.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
pub enum SystemKind {
    /// SF1470 over SOAP 1.2.
    Soap,
    /// JSON/REST.
    Rest,
    /// A relational database.
    Sql,
}

impl From<connectors::SystemKind> for SystemKind {
    fn from(k: connectors::SystemKind) -> Self {
        match k {
            connectors::SystemKind::Soap => Self::Soap,
            connectors::SystemKind::Rest => Self::Rest,
            connectors::SystemKind::Sql => Self::Sql,
        }
    }
}
