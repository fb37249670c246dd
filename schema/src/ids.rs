//! Opaque global ids (Relay `Node`): base64url of a small JSON array `["Case", system, id]`.
//!
//! Opaque means clients must not build or parse them. Case, document and system ids carry only
//! system-local identifiers. A party's key is a CPR number, so party ids carry it **sealed**:
//! encrypted and authenticated with the hub's id secret ([`IdSealer`]), deterministic so the
//! same person has the same id in every answer, and useless to anyone without the secret.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use sha2::{Digest, Sha256};

/// What a global id points at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GlobalId {
    /// A case: system id, local id.
    Case {
        /// System id.
        system: String,
        /// The system's id for the case.
        local_id: String,
    },
    /// A document: system id, case local id, document local id.
    Document {
        /// System id.
        system: String,
        /// The system's id for the case.
        case_local_id: String,
        /// The system's id for the document.
        local_id: String,
    },
    /// A merged party; `sealed` is [`IdSealer::seal`] of `cpr:…`/`cvr:…`/`local:…`.
    Party {
        /// The sealed key.
        sealed: String,
    },
    /// A configured case system.
    CaseSystem {
        /// System id.
        system: String,
    },
    /// An access request (the store's UUID).
    AccessRequest {
        /// The request's id.
        id: String,
    },
    /// A document collected for an access request (the store's row id).
    RequestItem {
        /// The row id.
        id: String,
    },
    /// A screening finding in a collected document (`{document row id}:{ordinal}`).
    Finding {
        /// The finding's id.
        id: String,
    },
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
            Self::Party { sealed } => vec!["Party", sealed],
            Self::CaseSystem { system } => vec!["CaseSystem", system],
            Self::AccessRequest { id } => vec!["AccessRequest", id],
            Self::RequestItem { id } => vec!["RequestItem", id],
            Self::Finding { id } => vec!["Finding", id],
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
            ("Party", [sealed]) => Some(Self::Party {
                sealed: sealed.clone(),
            }),
            ("CaseSystem", [system]) => Some(Self::CaseSystem {
                system: system.clone(),
            }),
            ("AccessRequest", [id]) => Some(Self::AccessRequest { id: id.clone() }),
            ("RequestItem", [id]) => Some(Self::RequestItem { id: id.clone() }),
            ("Finding", [id]) => Some(Self::Finding { id: id.clone() }),
            _ => None,
        }
    }
}

/// Seals party keys into ids: ChaCha20-Poly1305 with a nonce derived from the key itself
/// (SIV-style), so a key always seals to the same text and only the hub can open it.
pub struct IdSealer {
    cipher: ChaCha20Poly1305,
    nonce_key: [u8; 32],
}

impl IdSealer {
    /// From the configured id secret. Every hub instance behind one load balancer needs the same
    /// secret for ids to resolve everywhere.
    pub fn new(secret: &[u8]) -> Self {
        let derive = |label: &[u8]| -> [u8; 32] {
            let mut h = Sha256::new();
            h.update(label);
            h.update(secret);
            h.finalize().into()
        };
        let enc = derive(b"sagshub/party-id/enc/v1");
        Self {
            cipher: ChaCha20Poly1305::new(Key::from_slice(&enc)),
            nonce_key: derive(b"sagshub/party-id/nonce/v1"),
        }
    }

    /// Seal `plain` (`cpr:0102031234`).
    pub fn seal(&self, plain: &str) -> String {
        let mut h = Sha256::new();
        h.update(self.nonce_key);
        h.update(plain.as_bytes());
        let digest = h.finalize();
        let nonce = Nonce::from_slice(&digest[..12]);
        let mut out = digest[..12].to_vec();
        // Encryption of a short in-memory buffer cannot fail.
        out.extend(
            self.cipher
                .encrypt(nonce, plain.as_bytes())
                .unwrap_or_default(),
        );
        URL_SAFE_NO_PAD.encode(out)
    }

    /// Open a sealed key; `None` if it was not sealed with this secret or was altered.
    pub fn open(&self, sealed: &str) -> Option<String> {
        let bytes = URL_SAFE_NO_PAD.decode(sealed).ok()?;
        if bytes.len() < 12 + 16 {
            return None;
        }
        let (nonce, ct) = bytes.split_at(12);
        let plain = self.cipher.decrypt(Nonce::from_slice(nonce), ct).ok()?;
        String::from_utf8(plain).ok()
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
                sealed: "abc".into(),
            },
            GlobalId::CaseSystem {
                system: "jobcenter".into(),
            },
            GlobalId::AccessRequest {
                id: "1b4e28ba-2fa1-11d2-883f-0016d3cca427".into(),
            },
            GlobalId::RequestItem { id: "d1".into() },
            GlobalId::Finding { id: "d1:3".into() },
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

    #[test]
    fn sealed_party_keys_hide_the_number_and_resolve_only_with_the_secret() {
        let sealer = IdSealer::new(b"secret one");
        let sealed = sealer.seal("cpr:0707614285");
        assert_eq!(sealed, sealer.seal("cpr:0707614285"), "deterministic");
        assert_ne!(sealed, sealer.seal("cpr:0707614286"));
        let id = GlobalId::Party {
            sealed: sealed.clone(),
        }
        .encode();
        let decoded =
            String::from_utf8(URL_SAFE_NO_PAD.decode(&id).unwrap_or_default()).unwrap_or_default();
        assert!(!decoded.contains("0707614285"), "{decoded}");
        assert_eq!(sealer.open(&sealed).as_deref(), Some("cpr:0707614285"));
        assert_eq!(IdSealer::new(b"secret two").open(&sealed), None);
        let mut tampered = sealed.into_bytes();
        let last = tampered.len() - 1;
        tampered[last] = if tampered[last] == b'A' { b'B' } else { b'A' };
        assert_eq!(
            sealer.open(&String::from_utf8(tampered).unwrap_or_default()),
            None
        );
    }
}
