//! Context windows: the nearest keyword before a candidate decides what a number is.
//!
//! `CPR-nr. 010203-1234` is a CPR number, `Sagsnr. 010203-1234` is not, and in
//! `Tlf. 12345678, CPR 0102031234` each number takes the keyword nearest to it. One
//! aho-corasick automaton over every keyword, built once, runs over the few dozen bytes before
//! each candidate only.

use std::sync::LazyLock;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};

/// What the nearest keyword says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cue {
    /// `cpr`, `cpr-nr.`, `personnummer`, `født`.
    Cpr,
    /// `tlf`, `telefon`, `mobil`, `sms`.
    Phone,
    /// A look-alike's keyword (`sagsnr`, `CVR`, `konto`, `faktura`, `EAN`, ...): the reason.
    LookAlike(&'static str),
}

/// How far back a keyword counts, in bytes.
pub const WINDOW: usize = 40;

const KEYWORDS: &[(&str, Cue)] = &[
    ("cpr", Cue::Cpr),
    ("personnummer", Cue::Cpr),
    ("personnr", Cue::Cpr),
    ("pers.nr", Cue::Cpr),
    ("personal number", Cue::Cpr),
    ("født", Cue::Cpr),
    ("tlf", Cue::Phone),
    ("telefon", Cue::Phone),
    ("telefonnummer", Cue::Phone),
    ("mobil", Cue::Phone),
    ("mobilnummer", Cue::Phone),
    ("mob.", Cue::Phone),
    ("sms", Cue::Phone),
    ("fax", Cue::Phone),
    ("ring", Cue::Phone),
    ("phone", Cue::Phone),
    ("træffes på", Cue::Phone),
    ("sagsnr", Cue::LookAlike("case-number context")),
    ("sags nr", Cue::LookAlike("case-number context")),
    ("sags-nr", Cue::LookAlike("case-number context")),
    ("sagsnummer", Cue::LookAlike("case-number context")),
    ("sag nr", Cue::LookAlike("case-number context")),
    ("j.nr", Cue::LookAlike("journal-number context")),
    ("jnr", Cue::LookAlike("journal-number context")),
    ("journalnr", Cue::LookAlike("journal-number context")),
    ("journalnummer", Cue::LookAlike("journal-number context")),
    ("journal nr", Cue::LookAlike("journal-number context")),
    ("cvr", Cue::LookAlike("CVR context")),
    ("se-nr", Cue::LookAlike("CVR context")),
    ("se nr", Cue::LookAlike("CVR context")),
    ("p-nr", Cue::LookAlike("CVR context")),
    ("reg.nr", Cue::LookAlike("bank-account context")),
    ("reg. nr", Cue::LookAlike("bank-account context")),
    ("regnr", Cue::LookAlike("bank-account context")),
    ("reg.-", Cue::LookAlike("bank-account context")),
    (
        "registreringsnummer",
        Cue::LookAlike("bank-account context"),
    ),
    ("konto", Cue::LookAlike("bank-account context")),
    ("kontonr", Cue::LookAlike("bank-account context")),
    ("kontonummer", Cue::LookAlike("bank-account context")),
    ("iban", Cue::LookAlike("bank-account context")),
    ("faktura", Cue::LookAlike("invoice context")),
    ("fakturanr", Cue::LookAlike("invoice context")),
    ("fakturanummer", Cue::LookAlike("invoice context")),
    ("ean", Cue::LookAlike("EAN context")),
    ("gln", Cue::LookAlike("EAN context")),
    ("ordrenr", Cue::LookAlike("reference context")),
    ("ordre", Cue::LookAlike("reference context")),
    ("kundenr", Cue::LookAlike("reference context")),
    ("kundenummer", Cue::LookAlike("reference context")),
    ("løbenr", Cue::LookAlike("reference context")),
    ("løbenummer", Cue::LookAlike("reference context")),
    ("lbnr", Cue::LookAlike("reference context")),
    ("bilag", Cue::LookAlike("reference context")),
    ("ref", Cue::LookAlike("reference context")),
    ("dok.nr", Cue::LookAlike("reference context")),
    ("dokumentnr", Cue::LookAlike("reference context")),
    ("aktnr", Cue::LookAlike("reference context")),
    ("policenr", Cue::LookAlike("reference context")),
    ("police", Cue::LookAlike("reference context")),
    ("matr", Cue::LookAlike("reference context")),
    ("isbn", Cue::LookAlike("reference context")),
    ("varenr", Cue::LookAlike("reference context")),
    ("serienr", Cue::LookAlike("reference context")),
    ("sagsid", Cue::LookAlike("case-number context")),
];

static AUTOMATON: LazyLock<Option<AhoCorasick>> = LazyLock::new(|| {
    AhoCorasickBuilder::new()
        .ascii_case_insensitive(true)
        .match_kind(MatchKind::LeftmostLongest)
        .kind(Some(AhoCorasickKind::DFA))
        .build(KEYWORDS.iter().map(|(k, _)| *k))
        .ok()
});

/// The nearest keyword that ends before byte `pos` within [`WINDOW`] bytes, starting a word,
/// with the number of bytes between its end and `pos`.
pub fn before(text: &str, pos: usize) -> Option<(Cue, usize)> {
    let mut from = pos.saturating_sub(WINDOW);
    while from > 0 && !text.is_char_boundary(from) {
        from -= 1;
    }
    let window = text.get(from..pos)?;
    let ac = AUTOMATON.as_ref()?;
    let bytes = text.as_bytes();
    let mut best = None;
    for m in ac.find_iter(window) {
        let start = from + m.start();
        let at_word_start = start == 0 || !bytes[start - 1].is_ascii_alphanumeric();
        if !at_word_start {
            continue;
        }
        let (_, cue) = KEYWORDS[m.pattern().as_usize()];
        best = Some((cue, pos - (from + m.end())));
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_keyword_wins() {
        let t = "Tlf. 12345678, CPR 0102031234";
        assert_eq!(before(t, 19).map(|c| c.0), Some(Cue::Cpr));
        assert_eq!(before(t, 5).map(|c| c.0), Some(Cue::Phone));
        let s = "Sagsnr. 010203-1234";
        assert!(matches!(before(s, 8), Some((Cue::LookAlike(_), _))));
    }

    #[test]
    fn keywords_must_start_a_word() {
        // "ref" inside "refusion" is no reference-number cue; "ring" inside "bevilring" neither.
        assert_eq!(before("Sagen om forbedring 12345678", 20), None);
    }
}
