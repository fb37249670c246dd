//! Errors the API shows, each with a stable `extensions.code`.
//!
//! Internal error text is logged, never sent: clients see a short message and the code.

use async_graphql::ErrorExtensions;
use connectors::SystemId;

/// A stable error code in `errors[].extensions.code`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Code {
    /// No verified viewer.
    Unauthenticated,
    /// The viewer may not see this.
    Forbidden,
    /// No such object (or not visible to the viewer: the two look the same).
    NotFound,
    /// A case system could not be read; `extensions.system` names it.
    CaseSystemUnavailable,
    /// An argument is malformed.
    BadUserInput,
    /// The audit log could not be written, so the data is withheld.
    AuditUnavailable,
    /// The object is in a state that does not allow this (an access request already decided,
    /// not awaiting review, ...); read it again and decide anew.
    Conflict,
    /// An access request cannot be approved while a case system is unread and no caseworker
    /// has accepted the gap.
    RequestIncomplete,
    /// Something went wrong inside the hub; details are in its log.
    Internal,
}

impl Code {
    /// The code as sent.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Unauthenticated => "UNAUTHENTICATED",
            Self::Forbidden => "FORBIDDEN",
            Self::NotFound => "NOT_FOUND",
            Self::CaseSystemUnavailable => "CASE_SYSTEM_UNAVAILABLE",
            Self::BadUserInput => "BAD_USER_INPUT",
            Self::AuditUnavailable => "AUDIT_UNAVAILABLE",
            Self::Conflict => "CONFLICT",
            Self::RequestIncomplete => "REQUEST_INCOMPLETE",
            Self::Internal => "INTERNAL",
        }
    }
}

/// An API error: a code and a message fit for the client.
pub fn api_error(code: Code, message: impl Into<String>) -> async_graphql::Error {
    async_graphql::Error::new(message.into()).extend_with(|_, e| e.set("code", code.as_str()))
}

/// The error shown when a case system could not be read. The connector's own error text goes to
/// the log (it carries no personal data), the client sees the system id and a short reason.
pub fn system_unavailable(error: &connectors::Error) -> async_graphql::Error {
    let system: &SystemId = error.system();
    tracing::warn!(system = %system, %error, "case system read failed");
    let reason = match error {
        connectors::Error::Timeout { .. } => "timed out",
        connectors::Error::RateLimited { .. } => "rate limited",
        connectors::Error::CircuitOpen { .. } => "failing; calls paused",
        connectors::Error::Protocol { .. } => "sent an unreadable answer",
        connectors::Error::Unauthorized { .. } => "refused the hub's credentials",
        connectors::Error::Config { .. } => "misconfigured",
        connectors::Error::TooLarge { .. } => "answer too large",
        connectors::Error::NotFound { .. } | connectors::Error::Unavailable { .. } => "unavailable",
    };
    let system = system.to_string();
    async_graphql::Error::new(format!("case system {system} could not be read: {reason}"))
        .extend_with(move |_, e| {
            e.set("code", Code::CaseSystemUnavailable.as_str());
            e.set("system", system.clone());
        })
}

/// A store error: logged, shown as `INTERNAL`.
pub fn internal(context: &str, error: impl std::fmt::Display) -> async_graphql::Error {
    tracing::error!(%error, "{context}");
    api_error(
        Code::Internal,
        "internal error; the hub's log has the details",
    )
}
