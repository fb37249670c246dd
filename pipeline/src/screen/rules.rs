//! Document rules: whether a document is disclosed, partly disclosed or withheld, decided from
//! its facts before anyone reads it. The first matching rule wins; no match means full
//! disclosure, the main rule of both laws.

use super::{Disclosure, DocKind, LegalBasis, ScreenError, default_redaction_ground};
use crate::grounds::Grounds;

/// What is known about a document without reading it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DocFacts<'a> {
    /// The case's KLE number (Kommunernes Landsforenings Emnesystematik), e.g. `27.24.00`.
    pub kle: &'a str,
    /// The KLE handlingsfacet (what is being done in the case), e.g. `G01`, if recorded.
    pub handlingsfacet: Option<&'a str>,
    /// The department that owns the case.
    pub department: &'a str,
    /// What sort of document it is.
    pub kind: DocKind,
    /// The law the request is decided under.
    pub legal_basis: LegalBasis,
}

/// One document rule. Every condition that is set must hold; an empty list or `None` means
/// "any".
#[derive(Clone, Debug, PartialEq, serde::Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// A name for reviewers and the audit trail (`Interne dokumenter (partsaktindsigt)`).
    pub name: String,
    /// KLE prefix, matched on dot boundaries: `27` matches `27.24.00` but not `270.01`, and
    /// `27.24` matches `27.24.00` but not `27.240`.
    #[serde(default)]
    pub kle_prefix: Option<String>,
    /// Handlingsfacet, compared case-insensitively; a document without one does not match.
    #[serde(default)]
    pub handlingsfacet: Option<String>,
    /// Document kinds.
    #[serde(default)]
    pub kinds: Vec<DocKind>,
    /// Departments, compared case-insensitively and ignoring surrounding whitespace.
    #[serde(default)]
    pub departments: Vec<String>,
    /// Legal bases of the request.
    #[serde(default)]
    pub legal_bases: Vec<LegalBasis>,
    /// What the rule proposes.
    pub disclosure: Disclosure,
    /// The [`crate::grounds::LegalGround`] code; required for `Partial` and `Withheld`.
    #[serde(default)]
    pub ground: Option<String>,
    /// A note shown to the reviewer with the proposal.
    #[serde(default)]
    pub note: Option<String>,
}

impl Rule {
    /// Whether every condition of the rule holds for `facts`.
    pub fn matches(&self, facts: &DocFacts<'_>) -> bool {
        self.kle_prefix
            .as_deref()
            .is_none_or(|p| kle_has_prefix(facts.kle, p))
            && self.handlingsfacet.as_deref().is_none_or(|h| {
                facts
                    .handlingsfacet
                    .is_some_and(|f| f.trim().eq_ignore_ascii_case(h.trim()))
            })
            && (self.kinds.is_empty() || self.kinds.contains(&facts.kind))
            && (self.departments.is_empty()
                || self
                    .departments
                    .iter()
                    .any(|d| same_department(d, facts.department)))
            && (self.legal_bases.is_empty() || self.legal_bases.contains(&facts.legal_basis))
    }
}

/// Whether `kle` is `prefix` or continues it after a dot.
fn kle_has_prefix(kle: &str, prefix: &str) -> bool {
    let (kle, prefix) = (kle.trim(), prefix.trim());
    kle.strip_prefix(prefix)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('.'))
}

fn same_department(a: &str, b: &str) -> bool {
    a.trim().to_lowercase() == b.trim().to_lowercase()
}

/// A KLE prefix is one or more digit groups joined by dots (`27`, `27.24`, `27.24.00`).
fn is_kle_prefix(prefix: &str) -> bool {
    prefix
        .trim()
        .split('.')
        .all(|group| !group.is_empty() && group.bytes().all(|b| b.is_ascii_digit()))
}

/// What the rules propose for a document.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RuleProposal {
    /// How much to disclose.
    pub disclosure: Disclosure,
    /// The legal ground code when not disclosed in full.
    pub ground: Option<String>,
    /// The name of the rule that matched; `None` for the built-in fallback (full disclosure).
    pub rule: Option<String>,
    /// The rule's note for the reviewer.
    pub note: Option<String>,
}

/// An ordered list of rules; the first that matches wins.
#[derive(Clone, Debug, PartialEq, serde::Deserialize, serde::Serialize)]
#[serde(transparent)]
pub struct Rules(Vec<Rule>);

impl Rules {
    /// Rules in priority order. Check them with [`Rules::validate`] before use.
    pub fn new(rules: Vec<Rule>) -> Self {
        Self(rules)
    }

    /// The rules in priority order.
    pub fn iter(&self) -> std::slice::Iter<'_, Rule> {
        self.0.iter()
    }

    /// The default rules: internal working documents.
    ///
    /// | rule | kinds | legal basis | disclosure | ground |
    /// |---|---|---|---|---|
    /// | Interne dokumenter (partsaktindsigt) | `Internal` | `PartyAccess` | `Withheld` | `FVL_12` |
    /// | Interne dokumenter (offentlighedsloven) | `Internal` | `PublicAccess` | `Withheld` | `OFL_23` |
    /// | Interne dokumenter (indsigtsret) | `Internal` | `Gdpr15` | `Full` | — |
    ///
    /// The two withholding rules carry a note: facts and external expert assessments in the
    /// document must still be extracted and disclosed (forvaltningsloven § 14 a,
    /// offentlighedsloven § 28), which only a person can do. Under GDPR art. 15 there is no
    /// exception for internal documents: the right of access covers the personal data itself,
    /// wherever it is kept, so internal documents are disclosed (with other persons' data
    /// redacted as usual). Everything else falls through to full disclosure.
    pub fn defaults() -> Self {
        let internal = |name: &str, basis, disclosure, ground: Option<&str>, note: &str| Rule {
            name: name.to_owned(),
            kle_prefix: None,
            handlingsfacet: None,
            kinds: vec![DocKind::Internal],
            departments: Vec::new(),
            legal_bases: vec![basis],
            disclosure,
            ground: ground.map(str::to_owned),
            note: Some(note.to_owned()),
        };
        Self(vec![
            internal(
                "Interne dokumenter (partsaktindsigt)",
                LegalBasis::PartyAccess,
                Disclosure::Withheld,
                Some("FVL_12"),
                "Internt dokument: oplysninger om sagens faktiske grundlag og eksterne faglige \
                 vurderinger skal ekstraheres og udleveres (FVL § 14 a).",
            ),
            internal(
                "Interne dokumenter (offentlighedsloven)",
                LegalBasis::PublicAccess,
                Disclosure::Withheld,
                Some("OFL_23"),
                "Internt dokument: oplysninger om sagens faktiske grundlag og eksterne faglige \
                 vurderinger skal ekstraheres og udleveres (OFL § 28).",
            ),
            internal(
                "Interne dokumenter (indsigtsret)",
                LegalBasis::Gdpr15,
                Disclosure::Full,
                None,
                "Indsigtsretten omfatter personoplysningerne selv, også i interne dokumenter.",
            ),
        ])
    }

    /// Check the rules against a grounds table: every KLE prefix is well-formed, every
    /// withholding or partial rule names a ground, every named ground exists, and so do the
    /// grounds that redaction proposals use ([`default_redaction_ground`]).
    pub fn validate(&self, grounds: &Grounds) -> Result<(), ScreenError> {
        for rule in &self.0 {
            if let Some(prefix) = &rule.kle_prefix
                && !is_kle_prefix(prefix)
            {
                return Err(ScreenError::BadKlePrefix {
                    rule: rule.name.clone(),
                    prefix: prefix.clone(),
                });
            }
            match &rule.ground {
                None if rule.disclosure != Disclosure::Full => {
                    return Err(ScreenError::MissingGround {
                        rule: rule.name.clone(),
                    });
                }
                Some(code) if grounds.get(code).is_none() => {
                    return Err(ScreenError::UnknownGround {
                        rule: rule.name.clone(),
                        code: code.clone(),
                    });
                }
                _ => {}
            }
        }
        for basis in [
            LegalBasis::PartyAccess,
            LegalBasis::PublicAccess,
            LegalBasis::Gdpr15,
        ] {
            let code = default_redaction_ground(basis);
            if grounds.get(code).is_none() {
                return Err(ScreenError::MissingDefaultGround {
                    code,
                    basis: basis.name(),
                });
            }
        }
        Ok(())
    }

    /// The proposal of the first rule that matches, else full disclosure with no rule.
    pub fn propose(&self, facts: &DocFacts<'_>) -> RuleProposal {
        match self.0.iter().find(|r| r.matches(facts)) {
            Some(rule) => RuleProposal {
                disclosure: rule.disclosure,
                ground: rule.ground.clone(),
                rule: Some(rule.name.clone()),
                note: rule.note.clone(),
            },
            None => RuleProposal {
                disclosure: Disclosure::Full,
                ground: None,
                rule: None,
                note: None,
            },
        }
    }
}

impl<'a> IntoIterator for &'a Rules {
    type Item = &'a Rule;
    type IntoIter = std::slice::Iter<'a, Rule>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(kind: DocKind, basis: LegalBasis) -> DocFacts<'static> {
        DocFacts {
            kle: "27.24.00",
            handlingsfacet: Some("G01"),
            department: "Børn og Unge",
            kind,
            legal_basis: basis,
        }
    }

    fn rule(name: &str) -> Rule {
        Rule {
            name: name.to_owned(),
            kle_prefix: None,
            handlingsfacet: None,
            kinds: Vec::new(),
            departments: Vec::new(),
            legal_bases: Vec::new(),
            disclosure: Disclosure::Full,
            ground: None,
            note: None,
        }
    }

    #[test]
    fn defaults_withhold_internal_documents_under_fvl_and_ofl() {
        let rules = Rules::defaults();
        rules.validate(&Grounds::defaults()).unwrap();

        let party = rules.propose(&facts(DocKind::Internal, LegalBasis::PartyAccess));
        assert_eq!(party.disclosure, Disclosure::Withheld);
        assert_eq!(party.ground.as_deref(), Some("FVL_12"));
        assert!(party.note.as_deref().unwrap().contains("FVL § 14 a"));

        let public = rules.propose(&facts(DocKind::Internal, LegalBasis::PublicAccess));
        assert_eq!(public.disclosure, Disclosure::Withheld);
        assert_eq!(public.ground.as_deref(), Some("OFL_23"));
        assert!(public.note.as_deref().unwrap().contains("OFL § 28"));

        let gdpr = rules.propose(&facts(DocKind::Internal, LegalBasis::Gdpr15));
        assert_eq!(gdpr.disclosure, Disclosure::Full);
        assert_eq!(gdpr.ground, None);
        assert_eq!(
            gdpr.rule.as_deref(),
            Some("Interne dokumenter (indsigtsret)")
        );
    }

    #[test]
    fn everything_else_is_disclosed_by_the_fallback() {
        let rules = Rules::defaults();
        for kind in [
            DocKind::IncomingLetter,
            DocKind::OutgoingLetter,
            DocKind::JournalNote,
        ] {
            for basis in [
                LegalBasis::PartyAccess,
                LegalBasis::PublicAccess,
                LegalBasis::Gdpr15,
            ] {
                let p = rules.propose(&facts(kind, basis));
                assert_eq!(
                    p,
                    RuleProposal {
                        disclosure: Disclosure::Full,
                        ground: None,
                        rule: None,
                        note: None
                    }
                );
            }
        }
    }

    #[test]
    fn kle_prefix_matches_on_dot_boundaries() {
        assert!(kle_has_prefix("27.24.00", "27"));
        assert!(kle_has_prefix("27.24.00", "27.24"));
        assert!(kle_has_prefix("27.24.00", "27.24.00"));
        assert!(kle_has_prefix(" 27.24.00 ", "27.24 "));
        assert!(!kle_has_prefix("270.01.00", "27"));
        assert!(!kle_has_prefix("27.240", "27.24"));
        assert!(!kle_has_prefix("27", "27.24"));
        assert!(!kle_has_prefix("28.24.00", "27"));
    }

    #[test]
    fn every_condition_must_hold() {
        let mut r = rule("Børnesager");
        r.kle_prefix = Some("27.24".into());
        r.handlingsfacet = Some("g01".into());
        r.departments = vec!["  BØRN OG UNGE ".into(), "Jobcenter".into()];
        r.kinds = vec![DocKind::JournalNote];
        r.legal_bases = vec![LegalBasis::PublicAccess];
        let ok = facts(DocKind::JournalNote, LegalBasis::PublicAccess);
        assert!(r.matches(&ok));
        assert!(!r.matches(&DocFacts {
            kle: "27.25.00",
            ..ok
        }));
        assert!(!r.matches(&DocFacts {
            handlingsfacet: None,
            ..ok
        }));
        assert!(!r.matches(&DocFacts {
            handlingsfacet: Some("G02"),
            ..ok
        }));
        assert!(!r.matches(&DocFacts {
            department: "Teknik og Miljø",
            ..ok
        }));
        assert!(!r.matches(&DocFacts {
            kind: DocKind::Internal,
            ..ok
        }));
        assert!(!r.matches(&DocFacts {
            legal_basis: LegalBasis::Gdpr15,
            ..ok
        }));
        assert!(rule("any").matches(&ok), "an empty rule matches everything");
    }

    #[test]
    fn first_match_wins() {
        let mut withhold = rule("Tavshedspligt i børnesager");
        withhold.kle_prefix = Some("27".into());
        withhold.disclosure = Disclosure::Withheld;
        withhold.ground = Some("OFL_35".into());
        let mut general = rule("Alt andet");
        general.disclosure = Disclosure::Partial;
        general.ground = Some("OFL_33_5".into());
        let rules = Rules::new(vec![withhold, general]);
        rules.validate(&Grounds::defaults()).unwrap();
        let p = rules.propose(&facts(DocKind::IncomingLetter, LegalBasis::PublicAccess));
        assert_eq!(p.rule.as_deref(), Some("Tavshedspligt i børnesager"));
        assert_eq!(p.ground.as_deref(), Some("OFL_35"));
        let other = DocFacts {
            kle: "02.00.00",
            ..facts(DocKind::IncomingLetter, LegalBasis::PublicAccess)
        };
        assert_eq!(rules.propose(&other).rule.as_deref(), Some("Alt andet"));
    }

    #[test]
    fn validate_refuses_what_a_cover_letter_could_not_explain() {
        let grounds = Grounds::defaults();
        let mut no_ground = rule("Uden hjemmel");
        no_ground.disclosure = Disclosure::Withheld;
        assert_eq!(
            Rules::new(vec![no_ground.clone()]).validate(&grounds),
            Err(ScreenError::MissingGround {
                rule: "Uden hjemmel".into()
            })
        );
        no_ground.disclosure = Disclosure::Partial;
        assert!(matches!(
            Rules::new(vec![no_ground]).validate(&grounds),
            Err(ScreenError::MissingGround { .. })
        ));

        let mut unknown = rule("Forkert kode");
        unknown.disclosure = Disclosure::Withheld;
        unknown.ground = Some("OFL_99".into());
        let err = Rules::new(vec![unknown]).validate(&grounds).unwrap_err();
        assert_eq!(
            err,
            ScreenError::UnknownGround {
                rule: "Forkert kode".into(),
                code: "OFL_99".into()
            }
        );
        assert!(err.to_string().contains("OFL_99"));

        for bad in ["", "27.", ".27", "27..24", "27.a4", "27-24"] {
            let mut r = rule("KLE");
            r.kle_prefix = Some(bad.into());
            assert!(
                matches!(
                    Rules::new(vec![r]).validate(&grounds),
                    Err(ScreenError::BadKlePrefix { .. })
                ),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn validate_needs_the_default_redaction_grounds() {
        let only_ofl: Vec<_> = Grounds::defaults()
            .iter()
            .filter(|g| g.code.starts_with("OFL"))
            .cloned()
            .collect();
        let grounds = Grounds::new(only_ofl).unwrap();
        assert_eq!(
            Rules::new(Vec::new()).validate(&grounds),
            Err(ScreenError::MissingDefaultGround {
                code: "FVL_15B_1",
                basis: "PARTY_ACCESS"
            })
        );
    }

    #[test]
    fn rules_deserialize_with_defaults_and_refuse_unknown_fields() {
        let rules: Rules = serde_json::from_str(
            r#"[
                {"name": "Byggesager", "kle_prefix": "02.34", "disclosure": "PARTIAL",
                 "ground": "OFL_30_2", "legal_bases": ["PUBLIC_ACCESS"],
                 "kinds": ["INCOMING_LETTER"]},
                {"name": "Resten", "disclosure": "FULL"}
            ]"#,
        )
        .unwrap();
        rules.validate(&Grounds::defaults()).unwrap();
        let first = rules.iter().next().unwrap();
        assert_eq!(first.kle_prefix.as_deref(), Some("02.34"));
        assert_eq!(first.kinds, vec![DocKind::IncomingLetter]);
        assert!(first.departments.is_empty());
        let typo =
            serde_json::from_str::<Rules>(r#"[{"name": "x", "disclosure": "FULL", "kle": "27"}]"#);
        assert!(typo.is_err());
        let round = serde_json::to_string(&Rules::defaults()).unwrap();
        assert_eq!(
            serde_json::from_str::<Rules>(&round).unwrap(),
            Rules::defaults()
        );
    }
}
