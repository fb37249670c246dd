//! GraphQL enums of the aktindsigt workflow, each mapped to the string the store keeps (see the
//! doc comments in `entities`). The store's strings are the contract between the workflow's jobs
//! and the API; these enums are the API's side of it.

/// An enum whose values are stored as `SCREAMING_SNAKE_CASE` strings.
macro_rules! stored_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $stored:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, async_graphql::Enum)]
        pub enum $name {
            $($(#[$vmeta])* #[graphql(name = $stored)] $variant),+
        }

        impl $name {
            /// The stored name.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $stored),+
                }
            }
            /// From the stored name; `None` for anything else.
            pub fn parse(text: &str) -> Option<Self> {
                match text {
                    $($stored => Some(Self::$variant),)+
                    _ => None,
                }
            }
        }
    };
}

stored_enum! {
    /// The law a request is made under.
    LegalBasis {
        /// Partsaktindsigt (forvaltningsloven § 9): a party's access to their own case.
        PartyAccess = "PARTY_ACCESS",
        /// Aktindsigt for anyone (offentlighedsloven § 7).
        PublicAccess = "PUBLIC_ACCESS",
        /// The data subject's right of access (GDPR art. 15).
        Gdpr15 = "GDPR15",
    }
}

stored_enum! {
    /// How much of a document is disclosed.
    Disclosure {
        /// In full.
        Full = "FULL",
        /// With redactions.
        Partial = "PARTIAL",
        /// Not at all.
        Withheld = "WITHHELD",
    }
}

stored_enum! {
    /// What screening proposes for a finding.
    FindingProposal {
        /// Redact it.
        Redact = "REDACT",
        /// Disclose it.
        Keep = "KEEP",
        /// A sensitive topic for the reviewer's attention.
        Attention = "ATTENTION",
    }
}

stored_enum! {
    /// A reviewer's decision on a finding.
    FindingDecision {
        /// Redact it (with a legal ground).
        Redact = "REDACT",
        /// Disclose it.
        Keep = "KEEP",
    }
}

stored_enum! {
    /// Whose personal data a finding is.
    FindingOwner {
        /// The requester's own.
        Own = "OWN",
        /// The municipality's staff.
        Staff = "STAFF",
        /// Another person's.
        OtherPerson = "OTHER_PERSON",
        /// Not known.
        Unknown = "UNKNOWN",
    }
}

stored_enum! {
    /// What kind of data a finding is.
    FindingCategory {
        /// A CPR number.
        Cpr = "CPR",
        /// A person's name.
        Name = "NAME",
        /// An address.
        Address = "ADDRESS",
        /// A phone number.
        Phone = "PHONE",
        /// An e-mail address.
        Email = "EMAIL",
        /// A sensitive topic (health, social, criminal, economy).
        Attention = "ATTENTION",
    }
}

stored_enum! {
    /// A department's automation policy for review.
    Automation {
        /// A caseworker approves every request.
        Manual = "MANUAL",
        /// Released without review when screening finds nothing above threshold.
        AutoWhenClean = "AUTO_WHEN_CLEAN",
        /// Everything proposed is redacted and the request released.
        Automatic = "AUTOMATIC",
    }
}

stored_enum! {
    /// Who asked.
    RequesterRole {
        /// The citizen themselves.
        Citizen = "citizen",
        /// A third party under the citizen's consent.
        ThirdParty = "third_party",
    }
}

stored_enum! {
    /// Whether collection has read a case system for a request.
    CollectionState {
        /// Read in full.
        Collected = "COLLECTED",
        /// The last attempt failed.
        Failed = "FAILED",
    }
}

stored_enum! {
    /// A job's state.
    JobState {
        /// Waiting to run.
        Queued = "QUEUED",
        /// Running on a worker.
        Running = "RUNNING",
        /// Done.
        Succeeded = "SUCCEEDED",
        /// Gave up.
        Failed = "FAILED",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_names_round_trip() {
        for b in [
            LegalBasis::PartyAccess,
            LegalBasis::PublicAccess,
            LegalBasis::Gdpr15,
        ] {
            assert_eq!(LegalBasis::parse(b.as_str()), Some(b));
        }
        assert_eq!(
            FindingOwner::parse("OTHER_PERSON"),
            Some(FindingOwner::OtherPerson)
        );
        assert_eq!(Disclosure::parse("full"), None);
    }
}
