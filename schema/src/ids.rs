//! Opaque global ids (Relay `Node`): base64url of a small JSON array `["Case", system, id]`.
//!
//! Opaque means clients must not build or parse them; it does not mean secret. Party ids carry
//! the party's key, so they are only ever handed to viewers allowed to see that party.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// What a global id points at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GlobalId {
    /// A case: system id, local id.
    Case { system: String, local_id: String },
    /// A document: system id, case local id, document local id.
    Document {
        system: String,
        case_local_id: String,
        local_id: String,
    },
    /// A merged party: `cpr:DDMMYYSSSS` or `cvr:NNNNNNNN`.
    Party { key: String },
    /// A configured case system.
    CaseSystem { system: String },
}

impl GlobalId {
    /// Encode as an opaque id.
    pub fn encode(&self) -> String {
        let parts: Vec<&str> = match self {
            Self::Case { system, local_id } => vec!["Case", system, local_id],
            Self::Document {
                system,
                case_local_id,
                local_id,
            } => vec!["Document", system, case_local_id, local_id],
            Self::Party { key } => vec!["Party", key],
            Self::CaseSystem { system } => vec!["CaseSystem", system],
        };
        let json = serde_json::to_vec(&parts).unwrap_or_default();
        URL_SAFE_NO_PAD.encode(json)
    }

    /// Decode an id; `None` if it is not one of ours.
    pub fn decode(id: &str) -> Option<Self> {
        let bytes = URL_SAFE_NO_PAD.decode(id.trim_end_matches('=')).ok()?;
        let parts: Vec<String> = serde_json::from_slice(&bytes).ok()?;
        let mut it = parts.into_iter();
        let kind = it.next()?;
        let rest: Vec<String> = it.collect();
        match (kind.as_str(), rest.as_slice()) {
            ("Case", [system, local_id]) => Some(Self::Case {
                system: system.clone(),
                local_id: local_id.clone(),
            }),
            ("Document", [system, case_local_id, local_id]) => Some(Self::Document {
                system: system.clone(),
                case_local_id: case_local_id.clone(),
                local_id: local_id.clone(),
            }),
            ("Party", [key]) => Some(Self::Party { key: key.clone() }),
            ("CaseSystem", [system]) => Some(Self::CaseSystem {
                system: system.clone(),
            }),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_every_kind() {
        for id in [
            GlobalId::Case {
                system: "esdh".into(),
                local_id: "6f1c:x\"y".into(),
            },
            GlobalId::Document {
                system: "skole".into(),
                case_local_id: "12".into(),
                local_id: "99".into(),
            },
            GlobalId::Party {
                key: "cvr:12345678".into(),
            },
            GlobalId::CaseSystem {
                system: "jobcenter".into(),
            },
        ] {
            assert_eq!(GlobalId::decode(&id.encode()), Some(id));
        }
    }

    #[test]
    fn rejects_foreign_ids() {
        for bad in [
            "",
            "abc",
            "W10",
            "WyJDYXNlIl0",
            "not base64 !!",
            "WyJVc2VyIiwiMSJd",
        ] {
            assert_eq!(GlobalId::decode(bad), None, "{bad}");
        }
    }
}
