//! Connector errors. Every variant names the system it came from.

use crate::model::SystemId;

/// What can go wrong talking to a case system.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The system could not be reached or answered with a server error.
    #[error("case system {system} is unavailable: {reason}")]
    Unavailable {
        /// Which system.
        system: SystemId,
        /// Why, safe for an operator log (no personal data).
        reason: String,
    },
    /// The system did not answer within its timeout.
    #[error("case system {system} timed out after {millis} ms")]
    Timeout {
        /// Which system.
        system: SystemId,
        /// The timeout that passed.
        millis: u64,
    },
    /// The system asked us to slow down and the retries ran out.
    #[error("case system {system} is rate limiting (retry after {retry_after_secs:?} s)")]
    RateLimited {
        /// Which system.
        system: SystemId,
        /// What it asked for, if it said.
        retry_after_secs: Option<u64>,
    },
    /// The circuit breaker is open after repeated failures; no call was made.
    #[error("case system {system} is failing; calls are paused for {remaining_ms} ms")]
    CircuitOpen {
        /// Which system.
        system: SystemId,
        /// How long until a trial call is let through.
        remaining_ms: u64,
    },
    /// The system answered something we cannot read (malformed XML/JSON, a SOAP fault, a bad row).
    #[error("case system {system} sent an unreadable answer: {reason}")]
    Protocol {
        /// Which system.
        system: SystemId,
        /// What was wrong with it.
        reason: String,
    },
    /// The system refused our credentials.
    #[error("case system {system} refused the hub's credentials")]
    Unauthorized {
        /// Which system.
        system: SystemId,
    },
    /// The thing asked for does not exist there.
    #[error("not found in case system {system}: {what}")]
    NotFound {
        /// Which system.
        system: SystemId,
        /// What was asked for.
        what: String,
    },
    /// The content is larger than allowed.
    #[error("document in case system {system} is larger than {limit} bytes")]
    TooLarge {
        /// Which system.
        system: SystemId,
        /// The configured limit.
        limit: u64,
    },
    /// The system's configuration is wrong (bad URL, a configured SQL query that fails).
    #[error("case system {system} is misconfigured: {reason}")]
    Config {
        /// Which system.
        system: SystemId,
        /// What is wrong.
        reason: String,
    },
}

impl Error {
    /// The system the error came from.
    pub fn system(&self) -> &SystemId {
        match self {
            Self::Unavailable { system, .. }
            | Self::Timeout { system, .. }
            | Self::RateLimited { system, .. }
            | Self::CircuitOpen { system, .. }
            | Self::Protocol { system, .. }
            | Self::Unauthorized { system }
            | Self::NotFound { system, .. }
            | Self::TooLarge { system, .. }
            | Self::Config { system, .. } => system,
        }
    }

    /// Whether a read may be retried after this error.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            Self::Unavailable { .. } | Self::Timeout { .. } | Self::RateLimited { .. }
        )
    }

    /// Whether this error counts against the circuit breaker (the system is unhealthy,
    /// as opposed to our request being wrong).
    pub fn trips_breaker(&self) -> bool {
        matches!(
            self,
            Self::Unavailable { .. }
                | Self::Timeout { .. }
                | Self::RateLimited { .. }
                | Self::Protocol { .. }
        )
    }
}

/// Replace every run of six or more digits (dashes allowed inside) with `[number]`, so a
/// backend's error text can never carry a CPR number into an error or a log.
pub fn mask_numbers(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut run = String::new();
    let flush = |run: &mut String, out: &mut String| {
        if run.chars().filter(char::is_ascii_digit).count() >= 6 {
            out.push_str("[number]");
        } else {
            out.push_str(run);
        }
        run.clear();
    };
    for c in text.chars() {
        if c.is_ascii_digit() || (c == '-' && !run.is_empty()) {
            run.push(c);
        } else {
            flush(&mut run, &mut out);
            out.push(c);
        }
    }
    flush(&mut run, &mut out);
    out
}
