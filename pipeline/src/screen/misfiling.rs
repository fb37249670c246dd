//! Misfiling (*fejljournalisering*): a document that seems to belong to someone else's case.
//! Releasing it would disclose a stranger's case, so it is flagged for the reviewer.

use std::collections::HashSet;

use crate::detect::{Category, Finding, Owner};

/// The parties registered on the case.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CaseParties {
    /// The parties' CPR numbers; only the digits are compared, so `010203-1234` and
    /// `0102031234` are the same.
    pub cprs: Vec<String>,
    /// The parties' full names; compared case-insensitively with whitespace collapsed.
    pub names: Vec<String>,
}

/// Why a document seems misfiled.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Misfiling {
    /// Distinct full CPR numbers in the document that belong to no party.
    pub foreign_cprs: usize,
    /// Distinct confident full names in the document that belong to no party.
    pub foreign_names: usize,
    /// One English sentence for the reviewer. It never contains a CPR number (nor a name).
    pub reason: String,
}

/// The lowest confidence at which a name counts as evidence of misfiling.
const NAME_CONFIDENCE: f32 = 0.8;

/// How many distinct foreign full names, with no party mentioned, make a document suspect.
const FOREIGN_NAMES: usize = 2;

/// Flag a document that seems to belong to another case.
///
/// - **CPR rule**: the document carries full CPR numbers, none of them is a party's, and no
///   party is named in it either (a letter about a party that quotes a relative's CPR number is
///   not misfiled). Only applies when the parties' CPR numbers are known; masked numbers
///   (`010203-XXXX`) cannot be attributed and are ignored.
/// - **Name rule**: the document names at least two distinct people — confident
///   ([`Category::Name`], owner [`Owner::OtherPerson`] or [`Owner::Unknown`], confidence ≥
///   0.8, a full name with a space) — none of them a party, and no party is mentioned at all,
///   neither by CPR number nor by full name. A document that mentions a party of the case is
///   never misfiled by this rule: letters about a party routinely name other people.
///
/// With no parties registered there is nothing to compare with, and `None` is returned.
pub fn misfiling(findings: &[Finding], parties: &CaseParties) -> Option<Misfiling> {
    let party_cprs: HashSet<String> = parties
        .cprs
        .iter()
        .map(|c| digits(c))
        .filter(|d| d.len() == 10)
        .collect();
    let party_names: HashSet<String> = parties
        .names
        .iter()
        .map(|n| normalise_name(n))
        .filter(|n| !n.is_empty())
        .collect();
    if party_cprs.is_empty() && party_names.is_empty() {
        return None;
    }

    let doc_cprs: HashSet<String> = findings
        .iter()
        .filter(|f| f.category == Category::Cpr)
        .map(|f| digits(&f.text))
        .filter(|d| d.len() == 10)
        .collect();
    let party_by_cpr = doc_cprs.iter().any(|c| party_cprs.contains(c));
    let foreign_cprs = doc_cprs.iter().filter(|c| !party_cprs.contains(*c)).count();

    let party_by_name = findings
        .iter()
        .filter(|f| f.category == Category::Name)
        .any(|f| party_names.contains(&normalise_name(&f.text)));
    let foreign_names = findings
        .iter()
        .filter(|f| {
            f.category == Category::Name
                && matches!(f.owner, Owner::OtherPerson | Owner::Unknown)
                && f.confidence >= NAME_CONFIDENCE
        })
        .map(|f| normalise_name(&f.text))
        .filter(|n| n.contains(' ') && !party_names.contains(n))
        .collect::<HashSet<_>>()
        .len();

    let by_cpr = !party_cprs.is_empty() && !doc_cprs.is_empty() && !party_by_cpr && !party_by_name;
    let by_name = foreign_names >= FOREIGN_NAMES && !party_by_cpr && !party_by_name;
    if !by_cpr && !by_name {
        return None;
    }

    let mut reasons = Vec::new();
    if by_cpr {
        reasons.push(format!(
            "{} in the document {} to no party on the case",
            plural(foreign_cprs, "CPR number", "CPR numbers"),
            if foreign_cprs == 1 {
                "belongs"
            } else {
                "belong"
            },
        ));
    }
    if by_name {
        reasons.push(format!(
            "the document names {}, none of them a party, and mentions no party of the case",
            plural(foreign_names, "person", "people"),
        ));
    }
    let mut reason = reasons.join("; ");
    if let Some(first) = reason.get(..1) {
        reason = first.to_uppercase() + &reason[1..];
    }
    reason.push('.');
    Some(Misfiling {
        foreign_cprs,
        foreign_names,
        reason,
    })
}

fn digits(s: &str) -> String {
    s.chars().filter(char::is_ascii_digit).collect()
}

/// Lower-cased, whitespace collapsed to single spaces, trimmed.
fn normalise_name(s: &str) -> String {
    s.split_whitespace()
        .map(str::to_lowercase)
        .collect::<Vec<_>>()
        .join(" ")
}

/// `1 person`, `3 people`.
pub(super) fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Real-looking CPR numbers (modulus 11 is irrelevant here).
    const PARTY_CPR: &str = "010203-1234";
    const STRANGER_CPR: &str = "050607-4321";
    const OTHER_STRANGER_CPR: &str = "111111-1118";

    fn finding(category: Category, text: &str, owner: Owner, confidence: f32) -> Finding {
        Finding {
            category,
            start: 0,
            end: text.len(),
            char_start: 0,
            char_end: text.chars().count(),
            text: text.to_owned(),
            confidence,
            reason: "test",
            owner,
        }
    }

    fn cpr(text: &str) -> Finding {
        finding(Category::Cpr, text, Owner::Unknown, 0.95)
    }

    fn name(text: &str) -> Finding {
        finding(Category::Name, text, Owner::Unknown, 0.9)
    }

    fn parties() -> CaseParties {
        CaseParties {
            cprs: vec!["0102031234".into()],
            names: vec!["Anna  Marie Jensen".into()],
        }
    }

    #[test]
    fn a_strangers_cpr_alone_is_misfiling_and_the_reason_hides_it() {
        let m = misfiling(&[cpr(STRANGER_CPR), cpr(OTHER_STRANGER_CPR)], &parties()).unwrap();
        assert_eq!(m.foreign_cprs, 2);
        assert_eq!(m.foreign_names, 0);
        assert_eq!(
            m.reason,
            "2 CPR numbers in the document belong to no party on the case."
        );
        for c in [STRANGER_CPR, OTHER_STRANGER_CPR, "0506074321", "050607"] {
            assert!(!m.reason.contains(c));
        }
        let one = misfiling(&[cpr(STRANGER_CPR), cpr("0506074321")], &parties()).unwrap();
        assert_eq!(one.foreign_cprs, 1, "the same number twice is one number");
        assert!(
            one.reason
                .starts_with("1 CPR number in the document belongs")
        );
    }

    #[test]
    fn a_partys_cpr_clears_the_document() {
        // Dash or no dash: digits are compared.
        assert_eq!(
            misfiling(&[cpr(PARTY_CPR), cpr(STRANGER_CPR)], &parties()),
            None
        );
        assert_eq!(misfiling(&[cpr("0102031234")], &parties()), None);
    }

    #[test]
    fn a_relatives_cpr_in_a_letter_naming_the_party_is_not_misfiling() {
        let findings = [
            finding(Category::Name, "Anna Marie Jensen", Owner::Own, 0.9),
            cpr(STRANGER_CPR),
        ];
        assert_eq!(misfiling(&findings, &parties()), None);
    }

    #[test]
    fn masked_cprs_and_documents_without_cprs_are_not_flagged_by_the_cpr_rule() {
        assert_eq!(misfiling(&[cpr("050607-XXXX")], &parties()), None);
        assert_eq!(misfiling(&[], &parties()), None);
    }

    #[test]
    fn two_strangers_and_no_party_is_misfiling() {
        let m = misfiling(&[name("Peter Hansen"), name("Lise Nielsen")], &parties()).unwrap();
        assert_eq!(m.foreign_names, 2);
        assert_eq!(
            m.reason,
            "The document names 2 people, none of them a party, and mentions no party of the \
             case."
        );
        assert!(!m.reason.contains("Hansen"));
    }

    #[test]
    fn a_party_named_anywhere_clears_the_name_rule() {
        let findings = [
            name("Peter Hansen"),
            name("Lise Nielsen"),
            finding(Category::Name, "ANNA MARIE\nJENSEN", Owner::Own, 0.6),
        ];
        assert_eq!(misfiling(&findings, &parties()), None);
        let by_cpr = [name("Peter Hansen"), name("Lise Nielsen"), cpr(PARTY_CPR)];
        assert_eq!(misfiling(&by_cpr, &parties()), None);
    }

    #[test]
    fn weak_first_name_only_and_staff_names_do_not_count() {
        let findings = [
            name("Peter Hansen"),
            name("peter  hansen"),
            finding(Category::Name, "Lise Nielsen", Owner::Unknown, 0.5),
            name("Lise"),
            finding(
                Category::Name,
                "Sagsbehandler Berit Holm",
                Owner::Staff,
                0.95,
            ),
        ];
        assert_eq!(misfiling(&findings, &parties()), None);
        let with_other = [
            name("Peter Hansen"),
            finding(Category::Name, "Lise Nielsen", Owner::OtherPerson, 0.8),
        ];
        assert_eq!(misfiling(&with_other, &parties()).unwrap().foreign_names, 2);
    }

    #[test]
    fn both_rules_are_reported_together() {
        let m = misfiling(
            &[
                cpr(STRANGER_CPR),
                name("Peter Hansen"),
                name("Lise Nielsen"),
            ],
            &parties(),
        )
        .unwrap();
        assert_eq!((m.foreign_cprs, m.foreign_names), (1, 2));
        assert_eq!(
            m.reason,
            "1 CPR number in the document belongs to no party on the case; the document names \
             2 people, none of them a party, and mentions no party of the case."
        );
    }

    #[test]
    fn without_known_party_cprs_only_the_name_rule_applies() {
        let names_only = CaseParties {
            cprs: vec!["not a cpr".into()],
            names: vec!["Anna Jensen".into()],
        };
        assert_eq!(misfiling(&[cpr(STRANGER_CPR)], &names_only), None);
        assert!(misfiling(&[name("Peter Hansen"), name("Lise Nielsen")], &names_only).is_some());
        assert_eq!(
            misfiling(
                &[
                    cpr(STRANGER_CPR),
                    name("Peter Hansen"),
                    name("Lise Nielsen")
                ],
                &CaseParties::default()
            ),
            None,
            "no parties: nothing to compare with"
        );
    }
}
