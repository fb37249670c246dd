//! The verified viewer handed to every request.
//!
//! `api` verifies the token and puts a [`Viewer`] into the request data
//! (`request.data(viewer)`); every resolver and service reads it from there. A request without
//! one is treated as [`Viewer::anonymous`].

use connectors::{PartyKey, Sensitivity};

/// The role a viewer acts in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, async_graphql::Enum)]
pub enum Role {
    /// No verified identity: health and (if configured) introspection only.
    Anonymous,
    /// A citizen logged in with MitID: their own cases.
    Citizen,
    /// A third party acting for a citizen under a registered consent.
    ThirdParty,
    /// Municipal staff: their departments, up to their clearance.
    Caseworker,
    /// Operators: configuration, health, audit log; no case content.
    Admin,
}

/// Who is asking, as verified by `api`.
#[derive(Clone, PartialEq, Eq)]
pub struct Viewer {
    /// The token's subject (`sub`), an opaque id.
    pub subject: Option<String>,
    /// The role.
    pub role: Role,
    /// A citizen's own CPR number (from the identity broker's CPR claim).
    pub cpr: Option<PartyKey>,
    /// A caseworker's departments (names, as the systems report them).
    pub departments: Vec<String>,
    /// A caseworker's sensitivity clearance: cases and documents up to this level.
    pub clearance: Sensitivity,
}

impl std::fmt::Debug for Viewer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Viewer")
            .field("subject", &self.subject)
            .field("role", &self.role)
            .field("cpr", &self.cpr) // PartyKey's Debug masks the number
            .field("departments", &self.departments)
            .field("clearance", &self.clearance)
            .finish()
    }
}

impl Viewer {
    /// Nobody verified.
    pub fn anonymous() -> Self {
        Self {
            subject: None,
            role: Role::Anonymous,
            cpr: None,
            departments: Vec::new(),
            clearance: Sensitivity::IkkeFortrolig,
        }
    }
    /// A citizen with this CPR.
    pub fn citizen(subject: impl Into<String>, cpr: PartyKey) -> Self {
        Self {
            subject: Some(subject.into()),
            role: Role::Citizen,
            cpr: Some(cpr),
            departments: Vec::new(),
            clearance: Sensitivity::IkkeFortrolig,
        }
    }
    /// A caseworker in `departments` with `clearance`.
    pub fn caseworker(
        subject: impl Into<String>,
        departments: Vec<String>,
        clearance: Sensitivity,
    ) -> Self {
        Self {
            subject: Some(subject.into()),
            role: Role::Caseworker,
            cpr: None,
            departments,
            clearance,
        }
    }
    /// An administrator.
    pub fn admin(subject: impl Into<String>) -> Self {
        Self {
            subject: Some(subject.into()),
            role: Role::Admin,
            cpr: None,
            departments: Vec::new(),
            clearance: Sensitivity::IkkeFortrolig,
        }
    }
}

/// A validated CPR number from a claim or an argument, as a party key; `None` if it is not a
/// CPR number with a real birth date.
pub fn cpr_key(text: &str) -> Option<PartyKey> {
    pipeline::cpr::Cpr::parse(text)
        .ok()
        .map(|c| PartyKey::Cpr(c.digits()))
}

/// A sensitivity level by its SF1470 name (`IkkeFortrolig`, `Fortrolig`, `Foelsom`, `Vip`).
pub fn sensitivity_from_name(name: &str) -> Option<Sensitivity> {
    match name {
        "IkkeFortrolig" => Some(Sensitivity::IkkeFortrolig),
        "Fortrolig" => Some(Sensitivity::Fortrolig),
        "Foelsom" => Some(Sensitivity::Foelsom),
        "Vip" => Some(Sensitivity::Vip),
        _ => None,
    }
}
