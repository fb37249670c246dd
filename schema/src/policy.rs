//! Who may see what. Applied in the services to every connector result before it reaches a
//! resolver; resolvers never decide access themselves.
//!
//! - citizen: cases where they are a party (any sensitivity: it is their own data), and the
//!   documents of those cases; `party(cpr)` only for themselves.
//! - third party: the cases a valid, unrevoked consent covers (its citizen is a party, its
//!   scope names the department); nothing else.
//! - caseworker: cases of their departments up to their clearance; a document must satisfy both
//!   its own and its case's level; CPR numbers masked unless asked for with a purpose.
//! - admin: configuration, health, audit log; no case content.
//! - anonymous: nothing but health.

use connectors::{Case, Document, PartyKey};

use crate::error::{Code, api_error};
use crate::services::consent::Grants;
use crate::viewer::{Role, Viewer};

/// Whether `viewer` (holding `grants`) may see `case` at all.
pub fn may_see_case(viewer: &Viewer, grants: &Grants, case: &Case) -> bool {
    match viewer.role {
        Role::Citizen => viewer.cpr.as_ref().is_some_and(|cpr| case.has_party(cpr)),
        Role::ThirdParty => grants.cover_case(case),
        Role::Caseworker => {
            viewer.departments.iter().any(|d| d == &case.department)
                && case.sensitivity <= viewer.clearance
        }
        Role::Admin | Role::Anonymous => false,
    }
}

/// Whether `viewer` may see `document` of a case they may see.
pub fn may_see_document(viewer: &Viewer, document: &Document) -> bool {
    match viewer.role {
        Role::Citizen | Role::ThirdParty => true,
        Role::Caseworker => document.sensitivity <= viewer.clearance,
        Role::Admin | Role::Anonymous => false,
    }
}

/// Refuse anonymous viewers with `UNAUTHENTICATED` and roles without case access with `FORBIDDEN`.
pub fn require_case_reader(viewer: &Viewer) -> async_graphql::Result<()> {
    match viewer.role {
        Role::Anonymous => Err(api_error(
            Code::Unauthenticated,
            "a verified identity is required",
        )),
        Role::Citizen | Role::Caseworker | Role::ThirdParty => Ok(()),
        Role::Admin => Err(api_error(
            Code::Forbidden,
            "this role has no access to case content",
        )),
    }
}

/// Whether `viewer` may look a party up by number.
pub fn require_party_lookup(
    viewer: &Viewer,
    grants: &Grants,
    key: &PartyKey,
) -> async_graphql::Result<()> {
    require_case_reader(viewer)?;
    match viewer.role {
        Role::Citizen if viewer.cpr.as_ref() != Some(key) => Err(api_error(
            Code::Forbidden,
            "a citizen may look up only themselves",
        )),
        Role::ThirdParty if !grants.cover_citizen(key) => Err(api_error(
            Code::Forbidden,
            "no valid consent from this citizen is registered for you",
        )),
        _ => Ok(()),
    }
}

/// Whether reads by this viewer are audit events (staff and third parties; a citizen reading
/// their own data is not).
pub fn is_audited(viewer: &Viewer) -> bool {
    matches!(
        viewer.role,
        Role::Caseworker | Role::ThirdParty | Role::Admin
    )
}

/// Whether the party's number may be shown in full to `viewer`: to a citizen, their own; to a
/// third party, the citizen whose consent they hold; to a caseworker only when asked for with a
/// purpose; to everyone else masked (`DDMMYY-XXXX`).
pub fn show_full_number(
    viewer: &Viewer,
    grants: &Grants,
    key: &PartyKey,
    purpose: Option<&str>,
) -> bool {
    match key {
        PartyKey::Cvr(_) => true,
        PartyKey::Cpr(_) => match viewer.role {
            Role::Citizen => viewer.cpr.as_ref() == Some(key),
            Role::ThirdParty => grants.cover_citizen(key),
            Role::Caseworker => purpose.is_some_and(|p| p.trim().chars().count() >= 3),
            Role::Admin | Role::Anonymous => false,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use connectors::{CaseParty, Party, PartyRole, ProgressStatus, Sensitivity, SystemId};

    fn case(department: &str, sensitivity: Sensitivity, party: &str) -> Case {
        Case {
            system: SystemId::new("esdh"),
            local_id: "1".into(),
            sagsnummer: "2024-000001".into(),
            title: "t".into(),
            kle: "27.24.00".into(),
            handlingsfacet: None,
            department: department.into(),
            status: ProgressStatus::Oplyst,
            sensitivity,
            opened: chrono::NaiveDate::from_ymd_opt(2024, 1, 1).unwrap_or_default(),
            closed: None,
            parties: vec![CaseParty {
                party: Party {
                    key: PartyKey::cpr(party),
                    name: "n".into(),
                    address: None,
                },
                role: PartyRole::Primary,
            }],
            responsible_unit: None,
            caseworker: None,
            updated_at: None,
        }
    }

    #[test]
    fn citizen_sees_only_cases_they_are_party_to() {
        let me = Viewer::citizen(
            "s",
            PartyKey::cpr("010203-1234").unwrap_or(PartyKey::Cvr("0".into())),
        );
        assert!(may_see_case(
            &me,
            &Grants::default(),
            &case("BF", Sensitivity::Foelsom, "0102031234")
        ));
        assert!(!may_see_case(
            &me,
            &Grants::default(),
            &case("BF", Sensitivity::IkkeFortrolig, "0102031235")
        ));
    }

    #[test]
    fn caseworker_needs_department_and_clearance() {
        let cw = Viewer::caseworker("s", vec!["BF".into()], Sensitivity::Fortrolig);
        assert!(may_see_case(
            &cw,
            &Grants::default(),
            &case("BF", Sensitivity::Fortrolig, "0102031234")
        ));
        assert!(!may_see_case(
            &cw,
            &Grants::default(),
            &case("BF", Sensitivity::Foelsom, "0102031234")
        ));
        assert!(!may_see_case(
            &cw,
            &Grants::default(),
            &case("TM", Sensitivity::IkkeFortrolig, "0102031234")
        ));
    }

    #[test]
    fn admin_sees_no_case_content() {
        assert!(!may_see_case(
            &Viewer::admin("a"),
            &Grants::default(),
            &case("BF", Sensitivity::IkkeFortrolig, "0102031234")
        ));
        assert!(require_case_reader(&Viewer::anonymous()).is_err());
    }
}
