//! Attention points: terms for topics a reviewer must look at before anything is released —
//! health, social problems, criminal matters, economy and debt, and the GDPR art. 9 categories
//! (ethnicity, religion, politics, union membership, sexuality). They are shown with the
//! matched term and are never redacted automatically.
//!
//! One case-insensitive aho-corasick automaton over all terms; a term must start a word and
//! either end one or be a stem (marked `*`), so `diagnose*` matches `diagnosen`.

use std::sync::LazyLock;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};

use super::{Category, Raw};

/// The kind of sensitive topic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AttentionKind {
    /// Health, diagnoses, treatment, disability.
    Health,
    /// Social problems: abuse, neglect, placements, homelessness.
    Social,
    /// Criminal matters.
    Criminal,
    /// Economy and debt.
    Economy,
    /// Racial or ethnic origin (GDPR art. 9).
    Ethnicity,
    /// Religious or philosophical beliefs (GDPR art. 9).
    Religion,
    /// Political opinions (GDPR art. 9).
    Politics,
    /// Trade-union membership (GDPR art. 9).
    Union,
    /// Sex life or sexual orientation (GDPR art. 9).
    Sexuality,
}

impl AttentionKind {
    /// A stable lower-case name (`health`, `social`, ...).
    pub fn name(self) -> &'static str {
        match self {
            Self::Health => "health",
            Self::Social => "social",
            Self::Criminal => "criminal",
            Self::Economy => "economy",
            Self::Ethnicity => "ethnicity",
            Self::Religion => "religion",
            Self::Politics => "politics",
            Self::Union => "union",
            Self::Sexuality => "sexuality",
        }
    }
}

use AttentionKind::*;

/// Terms; a trailing `*` marks a stem that may be inflected.
const TERMS: &[(&str, AttentionKind)] = &[
    ("diagnose*", Health),
    ("sygdom*", Health),
    ("syg", Health),
    ("sygemeld*", Health),
    ("depression*", Health),
    ("deprimeret", Health),
    ("angst*", Health),
    ("stress*", Health),
    ("psykiat*", Health),
    ("psykisk*", Health),
    ("psykose*", Health),
    ("skizofreni*", Health),
    ("bipolar*", Health),
    ("adhd", Health),
    ("add", Health),
    ("autis*", Health),
    ("kræft*", Health),
    ("cancer*", Health),
    ("diabetes", Health),
    ("sklerose", Health),
    ("demens*", Health),
    ("alzheimer*", Health),
    ("epilep*", Health),
    ("handicap*", Health),
    ("medicin*", Health),
    ("behandling*", Health),
    ("hospital*", Health),
    ("indlagt*", Health),
    ("indlæggelse*", Health),
    ("lægen", Health),
    ("læge", Health),
    ("lægeerklæring*", Health),
    ("operation*", Health),
    ("gravid*", Health),
    ("abort*", Health),
    ("hiv", Health),
    ("selvmord*", Health),
    ("selvskade*", Health),
    ("spiseforstyrrel*", Health),
    ("skånehensyn*", Health),
    ("genoptræning*", Health),
    ("personlig pleje", Health),
    ("misbrug*", Social),
    ("alkohol*", Social),
    ("hash", Social),
    ("kokain", Social),
    ("narkotika", Social),
    ("stoffer", Social),
    ("omsorgssvigt*", Social),
    ("underretning*", Social),
    ("anbringelse*", Social),
    ("anbragt", Social),
    ("hjemløs*", Social),
    ("krisecenter*", Social),
    ("vold", Social),
    ("voldelig*", Social),
    ("overgreb*", Social),
    ("mistrivsel*", Social),
    ("børnefaglig undersøgelse", Social),
    ("tvangsfjernelse*", Social),
    ("skilsmisse*", Social),
    ("straf*", Criminal),
    ("dømt", Criminal),
    ("dom", Criminal),
    ("fængsel*", Criminal),
    ("fængslet", Criminal),
    ("sigtet", Criminal),
    ("sigtelse*", Criminal),
    ("tiltalt", Criminal),
    ("tiltale*", Criminal),
    ("anholdt", Criminal),
    ("anholdelse*", Criminal),
    ("politianmeld*", Criminal),
    ("anmeldt", Criminal),
    ("kriminal*", Criminal),
    ("kriminel*", Criminal),
    ("tyveri*", Criminal),
    ("røveri*", Criminal),
    ("bøde*", Criminal),
    ("betinget dom", Criminal),
    ("varetægt*", Criminal),
    ("gæld*", Economy),
    ("inkasso*", Economy),
    ("rykker*", Economy),
    ("udlæg*", Economy),
    ("fogedret*", Economy),
    ("restance*", Economy),
    ("konkurs*", Economy),
    ("betalingsstandsning*", Economy),
    ("lønindeholdelse*", Economy),
    ("kontanthjælp*", Economy),
    ("gældssanering*", Economy),
    ("ror", Economy),
    ("skyldner*", Economy),
    ("misligholdt", Economy),
    ("huslejerestance*", Economy),
    ("etnisk*", Ethnicity),
    ("etnicitet*", Ethnicity),
    ("race", Ethnicity),
    ("hudfarve*", Ethnicity),
    ("herkomst", Ethnicity),
    ("religi*", Religion),
    ("muslim*", Religion),
    ("kristen", Religion),
    ("jøde*", Religion),
    ("jødisk*", Religion),
    ("moske*", Religion),
    ("kirkelig*", Religion),
    ("ateist*", Religion),
    ("politisk*", Politics),
    ("partimedlem*", Politics),
    ("medlem af partiet", Politics),
    ("fagforening*", Union),
    ("fagligt medlem*", Union),
    ("tillidsrepræsentant*", Union),
    ("a-kasse*", Union),
    ("homoseksuel*", Sexuality),
    ("biseksuel*", Sexuality),
    ("transkøn*", Sexuality),
    ("seksualitet*", Sexuality),
    ("seksuel*", Sexuality),
    ("lesbisk*", Sexuality),
    ("kønsidentitet*", Sexuality),
];

static AUTOMATON: LazyLock<Option<AhoCorasick>> = LazyLock::new(|| {
    AhoCorasickBuilder::new()
        .ascii_case_insensitive(true)
        .match_kind(MatchKind::LeftmostLongest)
        .kind(Some(AhoCorasickKind::DFA))
        .build(TERMS.iter().map(|(t, _)| t.trim_end_matches('*')))
        .ok()
});

fn word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b >= 0x80
}

/// Every attention term in `text`.
pub(crate) fn find(text: &str, out: &mut Vec<Raw>) {
    let Some(ac) = AUTOMATON.as_ref() else { return };
    let bytes = text.as_bytes();
    for m in ac.find_iter(text) {
        let (term, kind) = TERMS[m.pattern().as_usize()];
        if m.start() > 0 && word_byte(bytes[m.start() - 1]) {
            continue;
        }
        let mut end = m.end();
        if term.ends_with('*') {
            while end < bytes.len() && word_byte(bytes[end]) {
                end += 1;
            }
            while !text.is_char_boundary(end) {
                end -= 1;
            }
        } else if end < bytes.len() && word_byte(bytes[end]) {
            continue;
        }
        out.push(Raw {
            category: Category::Attention(kind),
            start: m.start(),
            end,
            confidence: 0.8,
            reason: "attention term",
        });
    }
}

#[cfg(test)]
mod tests {
    use super::AttentionKind;
    use crate::detect::{Category, detect};

    fn kinds(text: &str) -> Vec<(AttentionKind, String)> {
        detect(text, None)
            .into_iter()
            .filter_map(|f| match f.category {
                Category::Attention(k) => Some((k, f.text)),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn finds_each_category_with_its_term() {
        let k = kinds("Diagnosen er depression. Han har gæld til inkasso og er dømt for tyveri.");
        let names: Vec<&str> = k.iter().map(|(_, t)| t.as_str()).collect();
        assert_eq!(
            names,
            [
                "Diagnosen",
                "depression",
                "gæld",
                "inkasso",
                "dømt",
                "tyveri"
            ]
        );
        assert_eq!(k[0].0, AttentionKind::Health);
        assert_eq!(k[2].0, AttentionKind::Economy);
        assert_eq!(k[4].0, AttentionKind::Criminal);
        let art9 = kinds("medlem af fagforening, muslimsk, homoseksuel, etnisk");
        assert_eq!(art9.len(), 4);
    }

    #[test]
    fn respects_word_boundaries() {
        assert!(kinds("dommer og domæne, adresse").is_empty());
    }
}
