//! The legal grounds (*hjemmel*) for withholding a document or redacting information in an
//! aktindsigt, as printed on a redaction box and explained in the cover letter.
//!
//! A [`LegalGround`] has a stable `code` (`OFL_30_1`) that rules, proposals and stored
//! decisions refer to, the `paragraph` as printed (`OFL § 30, nr. 1`), a short Danish `label`
//! and a plain-Danish `text` for the citizen. [`default_grounds`] is the table a municipality
//! starts from; it can supply its own through [`Grounds::new`], which checks the table.
//!
//! Laws are abbreviated the way Danish case workers write them: `OFL` offentlighedsloven (lov
//! om offentlighed i forvaltningen), `FVL` forvaltningsloven, `DBL` databeskyttelsesloven and
//! `GDPR` databeskyttelsesforordningen. Every paragraph carries its law, because one
//! aktindsigt may mix partsaktindsigt (FVL), aktindsigt for anyone (OFL) and indsigtsret
//! (GDPR).
//!
//! # What the default table deliberately leaves out
//! - OFL § 19 (strafferetsplejen), § 20 (lovgivning), § 24 (ministerbetjening), § 27, nr. 1–3
//!   and § 32 (udenrigspolitik): they concern the police, the state or ministers, not a
//!   municipality's case work.
//! - OFL §§ 28–29 and FVL § 14 a: they are no grounds but the duty to extract facts and
//!   external expert assessments from a withheld document; the withholding rules say so in
//!   their note.
//! - OFL § 33, nr. 4 (researchers' and artists' original ideas): rare in municipal cases.

use std::collections::HashSet;

/// One legal ground for withholding or redacting.
#[derive(Clone, Debug, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct LegalGround {
    /// Stable identifier: upper-case letters, digits and `_` (`OFL_30_1`, `FVL_15B_1`).
    pub code: String,
    /// The paragraph as printed on a redaction box and in the cover letter (`OFL § 30, nr. 1`).
    pub paragraph: String,
    /// A short Danish label (`Private forhold`).
    pub label: String,
    /// One or two Danish sentences explaining the ground to the citizen.
    pub text: String,
}

impl LegalGround {
    fn new(code: &str, paragraph: &str, label: &str, text: &str) -> Self {
        Self {
            code: code.to_owned(),
            paragraph: paragraph.to_owned(),
            label: label.to_owned(),
            text: text.to_owned(),
        }
    }
}

/// The default table, in the order of the laws and their paragraphs.
///
/// | code | paragraph | label |
/// |---|---|---|
/// | `OFL_21_1` | OFL § 21, stk. 1 | Ansættelse og forfremmelse |
/// | `OFL_21_2` | OFL § 21, stk. 2 | Personalesager |
/// | `OFL_22` | OFL § 22 | Kalendere |
/// | `OFL_23` | OFL § 23, stk. 1, nr. 1 | Interne dokumenter |
/// | `OFL_27_4` | OFL § 27, nr. 4 | Brevveksling med sagkyndige |
/// | `OFL_30_1` | OFL § 30, nr. 1 | Private forhold |
/// | `OFL_30_2` | OFL § 30, nr. 2 | Forretningsforhold |
/// | `OFL_31` | OFL § 31 | Statens sikkerhed og forsvar |
/// | `OFL_33_1` | OFL § 33, nr. 1 | Lovovertrædelser |
/// | `OFL_33_2` | OFL § 33, nr. 2 | Kontrol og planlægning |
/// | `OFL_33_3` | OFL § 33, nr. 3 | Det offentliges økonomi |
/// | `OFL_33_5` | OFL § 33, nr. 5 | Særlige hensyn |
/// | `OFL_35` | OFL § 35 | Særlig tavshedspligt |
/// | `FVL_12` | FVL § 12, stk. 1 | Interne dokumenter |
/// | `FVL_15B_1` | FVL § 15 b, nr. 1 | Private interesser |
/// | `GDPR_15_4` | GDPR art. 15(4) | Andres rettigheder |
/// | `DBL_22_1` | DBL § 22, stk. 1 | Private interesser |
///
/// `OFL_30_1`, `FVL_15B_1` and `GDPR_15_4` are the grounds proposed for redacting another
/// person's data under each legal basis (see [`crate::screen::default_redaction_ground`]).
pub fn default_grounds() -> Vec<LegalGround> {
    vec![
        LegalGround::new(
            "OFL_21_1",
            "OFL § 21, stk. 1",
            "Ansættelse og forfremmelse",
            "Sager om ansættelse eller forfremmelse i det offentliges tjeneste er undtaget fra \
             retten til aktindsigt.",
        ),
        LegalGround::new(
            "OFL_21_2",
            "OFL § 21, stk. 2",
            "Personalesager",
            "Sager om den enkelte ansattes ansættelsesforhold i det offentlige er undtaget fra \
             retten til aktindsigt. Du har dog ret til oplysninger om den ansattes navn, \
             stilling, uddannelse, arbejdsopgaver, lønforhold og tjenesterejser.",
        ),
        LegalGround::new(
            "OFL_22",
            "OFL § 22",
            "Kalendere",
            "Retten til aktindsigt omfatter ikke sager om førelse af en kalender.",
        ),
        LegalGround::new(
            "OFL_23",
            "OFL § 23, stk. 1, nr. 1",
            "Interne dokumenter",
            "Dokumenter, som kommunen har udarbejdet til eget brug og ikke sendt til andre, er \
             undtaget fra aktindsigt. Oplysninger om sagens faktiske grundlag og eksterne \
             faglige vurderinger i dokumenterne får du dog, jf. offentlighedslovens § 28.",
        ),
        LegalGround::new(
            "OFL_27_4",
            "OFL § 27, nr. 4",
            "Brevveksling med sagkyndige",
            "Brevveksling med advokater og andre sagkyndige til brug i en retssag, eller når det \
             overvejes, om en retssag skal føres, er undtaget fra aktindsigt.",
        ),
        LegalGround::new(
            "OFL_30_1",
            "OFL § 30, nr. 1",
            "Private forhold",
            "Oplysninger om andre personers private, herunder økonomiske, forhold er undtaget \
             fra aktindsigt. De er derfor overstreget.",
        ),
        LegalGround::new(
            "OFL_30_2",
            "OFL § 30, nr. 2",
            "Forretningsforhold",
            "Oplysninger om tekniske indretninger og fremgangsmåder eller om drifts- og \
             forretningsforhold er undtaget, når det har væsentlig økonomisk betydning for den \
             virksomhed eller person, de angår, at de ikke udleveres.",
        ),
        LegalGround::new(
            "OFL_31",
            "OFL § 31",
            "Statens sikkerhed og forsvar",
            "Aktindsigten er begrænset, fordi oplysningerne har væsentlig betydning for statens \
             sikkerhed eller rigets forsvar.",
        ),
        LegalGround::new(
            "OFL_33_1",
            "OFL § 33, nr. 1",
            "Lovovertrædelser",
            "Aktindsigten er begrænset for at beskytte forebyggelse, efterforskning og \
             forfølgning af lovovertrædelser eller for at beskytte sigtede, vidner eller andre i \
             sager om strafferetlig eller disciplinær forfølgning.",
        ),
        LegalGround::new(
            "OFL_33_2",
            "OFL § 33, nr. 2",
            "Kontrol og planlægning",
            "Aktindsigten er begrænset af hensyn til gennemførelsen af offentlig kontrol-, \
             regulerings- eller planlægningsvirksomhed.",
        ),
        LegalGround::new(
            "OFL_33_3",
            "OFL § 33, nr. 3",
            "Det offentliges økonomi",
            "Aktindsigten er begrænset for at beskytte det offentliges økonomiske interesser, \
             herunder udførelsen af det offentliges forretningsvirksomhed.",
        ),
        LegalGround::new(
            "OFL_33_5",
            "OFL § 33, nr. 5",
            "Særlige hensyn",
            "Aktindsigten er begrænset, fordi private eller offentlige interesser efter \
             forholdets særlige karakter gør det påkrævet at hemmeligholde oplysningerne.",
        ),
        LegalGround::new(
            "OFL_35",
            "OFL § 35",
            "Særlig tavshedspligt",
            "Oplysningerne er omfattet af en særlig lovbestemt tavshedspligt og kan derfor ikke \
             udleveres.",
        ),
        LegalGround::new(
            "FVL_12",
            "FVL § 12, stk. 1",
            "Interne dokumenter",
            "Som part har du ikke ret til at se kommunens interne dokumenter. Oplysninger om \
             sagens faktiske grundlag og eksterne faglige vurderinger i dem får du dog, jf. \
             forvaltningslovens § 14 a.",
        ),
        LegalGround::new(
            "FVL_15B_1",
            "FVL § 15 b, nr. 1",
            "Private interesser",
            "Oplysninger er overstreget, fordi din interesse i at kende dem må vige for \
             afgørende hensyn til andre private interesser, typisk andre personers private \
             forhold.",
        ),
        LegalGround::new(
            "GDPR_15_4",
            "GDPR art. 15(4)",
            "Andres rettigheder",
            "Retten til en kopi af dine personoplysninger må ikke krænke andres rettigheder. \
             Oplysninger om andre personer er derfor overstreget.",
        ),
        LegalGround::new(
            "DBL_22_1",
            "DBL § 22, stk. 1",
            "Private interesser",
            "Indsigtsretten gælder ikke, når din interesse i oplysningerne må vige for afgørende \
             hensyn til private interesser, herunder hensynet til dig selv.",
        ),
    ]
}

/// Why a grounds table was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum GroundsError {
    /// The table has no grounds at all.
    #[error("the legal grounds table is empty")]
    Empty,
    /// A code is empty or has characters other than `A`–`Z`, `0`–`9` and `_`.
    #[error("legal ground code {0:?} must be upper-case letters, digits and `_`")]
    BadCode(String),
    /// Two grounds share a code.
    #[error("legal ground code {0:?} appears more than once")]
    DuplicateCode(String),
    /// A ground has an empty paragraph, label or text.
    #[error("legal ground {code:?} has an empty {field}")]
    EmptyField {
        /// The ground's code.
        code: String,
        /// Which field is empty (`paragraph`, `label` or `text`).
        field: &'static str,
    },
}

/// A checked table of legal grounds: non-empty, codes well-formed and unique, every field
/// filled in. Order is kept as given (it is the order a reviewer picks from).
///
/// Deserializes from a list of [`LegalGround`] through [`Grounds::new`], so a bad table in a
/// settings file is refused at startup.
#[derive(Clone, Debug, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(try_from = "Vec<LegalGround>", into = "Vec<LegalGround>")]
pub struct Grounds(Vec<LegalGround>);

impl Grounds {
    /// Check a table.
    pub fn new(grounds: Vec<LegalGround>) -> Result<Self, GroundsError> {
        if grounds.is_empty() {
            return Err(GroundsError::Empty);
        }
        let mut seen = HashSet::new();
        for g in &grounds {
            let well_formed = !g.code.is_empty()
                && g.code
                    .bytes()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_');
            if !well_formed {
                return Err(GroundsError::BadCode(g.code.clone()));
            }
            if !seen.insert(g.code.as_str()) {
                return Err(GroundsError::DuplicateCode(g.code.clone()));
            }
            for (field, value) in [
                ("paragraph", &g.paragraph),
                ("label", &g.label),
                ("text", &g.text),
            ] {
                if value.trim().is_empty() {
                    return Err(GroundsError::EmptyField {
                        code: g.code.clone(),
                        field,
                    });
                }
            }
        }
        Ok(Self(grounds))
    }

    /// The [`default_grounds`] table.
    pub fn defaults() -> Self {
        // The default table is well-formed (a unit test checks it); wrapping it directly
        // avoids a fallible path for a constant.
        Self(default_grounds())
    }

    /// The ground with this code.
    pub fn get(&self, code: &str) -> Option<&LegalGround> {
        self.0.iter().find(|g| g.code == code)
    }

    /// The grounds in table order.
    pub fn iter(&self) -> std::slice::Iter<'_, LegalGround> {
        self.0.iter()
    }
}

impl TryFrom<Vec<LegalGround>> for Grounds {
    type Error = GroundsError;

    fn try_from(grounds: Vec<LegalGround>) -> Result<Self, Self::Error> {
        Self::new(grounds)
    }
}

impl From<Grounds> for Vec<LegalGround> {
    fn from(grounds: Grounds) -> Self {
        grounds.0
    }
}

impl<'a> IntoIterator for &'a Grounds {
    type Item = &'a LegalGround;
    type IntoIter = std::slice::Iter<'a, LegalGround>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ground(code: &str) -> LegalGround {
        LegalGround::new(code, "§ 1", "Label", "Tekst.")
    }

    #[test]
    fn default_table_passes_its_own_checks() {
        let checked = Grounds::new(default_grounds()).unwrap();
        assert_eq!(checked, Grounds::defaults());
        assert_eq!(checked.iter().count(), 17);
    }

    #[test]
    fn default_table_has_the_grounds_case_workers_use() {
        let g = Grounds::defaults();
        let expect = [
            ("OFL_23", "OFL § 23, stk. 1, nr. 1", "Interne dokumenter"),
            ("OFL_30_1", "OFL § 30, nr. 1", "Private forhold"),
            ("OFL_30_2", "OFL § 30, nr. 2", "Forretningsforhold"),
            ("OFL_33_5", "OFL § 33, nr. 5", "Særlige hensyn"),
            ("OFL_35", "OFL § 35", "Særlig tavshedspligt"),
            ("FVL_12", "FVL § 12, stk. 1", "Interne dokumenter"),
            ("FVL_15B_1", "FVL § 15 b, nr. 1", "Private interesser"),
            ("GDPR_15_4", "GDPR art. 15(4)", "Andres rettigheder"),
        ];
        for (code, paragraph, label) in expect {
            let found = g.get(code).unwrap_or_else(|| panic!("{code} missing"));
            assert_eq!(found.paragraph, paragraph);
            assert_eq!(found.label, label);
        }
        assert_eq!(g.get("OFL_24"), None, "ministerbetjening is not municipal");
        assert_eq!(g.get("OFL_28"), None, "extraction is a duty, not a ground");
    }

    #[test]
    fn every_default_paragraph_names_its_law_and_every_text_is_a_sentence() {
        for g in &Grounds::defaults() {
            assert!(
                ["OFL § ", "FVL § ", "DBL § ", "GDPR art. "]
                    .iter()
                    .any(|law| g.paragraph.starts_with(law)),
                "{}",
                g.paragraph
            );
            assert!(g.text.ends_with('.'), "{}", g.code);
            assert!(g.label.chars().count() <= 30, "{}: label too long", g.code);
            assert!(!g.text.contains("  "), "{}: stray spaces", g.code);
        }
    }

    #[test]
    fn refuses_bad_tables() {
        assert_eq!(Grounds::new(vec![]), Err(GroundsError::Empty));
        assert_eq!(
            Grounds::new(vec![ground("OFL_30_1"), ground("OFL_30_1")]),
            Err(GroundsError::DuplicateCode("OFL_30_1".into()))
        );
        assert_eq!(
            Grounds::new(vec![ground("")]),
            Err(GroundsError::BadCode(String::new()))
        );
        assert_eq!(
            Grounds::new(vec![ground("ofl 30")]),
            Err(GroundsError::BadCode("ofl 30".into()))
        );
        let mut blank = ground("X");
        blank.label = "  ".into();
        assert_eq!(
            Grounds::new(vec![blank]),
            Err(GroundsError::EmptyField {
                code: "X".into(),
                field: "label"
            })
        );
    }

    #[test]
    fn deserializes_through_the_checks() {
        let ok: Grounds = serde_json::from_str(
            r#"[{"code":"OFL_30_1","paragraph":"OFL § 30, nr. 1","label":"Private forhold","text":"Tekst."}]"#,
        )
        .unwrap();
        assert_eq!(
            ok.get("OFL_30_1").map(|g| g.label.as_str()),
            Some("Private forhold")
        );
        let dup = serde_json::from_str::<Grounds>(
            r#"[{"code":"A","paragraph":"p","label":"l","text":"t"},{"code":"A","paragraph":"p","label":"l","text":"t"}]"#,
        );
        assert!(dup.unwrap_err().to_string().contains("more than once"));
        let unknown = serde_json::from_str::<Grounds>(
            r#"[{"code":"A","paragraph":"p","label":"l","text":"t","extra":1}]"#,
        );
        assert!(unknown.is_err(), "unknown fields are refused");
        let back = serde_json::to_value(&ok).unwrap();
        assert_eq!(back[0]["code"], "OFL_30_1");
    }
}
