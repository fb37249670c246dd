//! Text for the case index, pure: tokenising, Danish stemming, query parsing and highlights.
//!
//! Indexed text and query terms go through the same steps: split into words (runs of Unicode
//! letters and digits, so `æ`, `ø`, `å` stay inside words), lower-case (`Æ` → `æ`; nothing is
//! stripped or transliterated), then Snowball's Danish stemmer. A document keeps both the word
//! and its stem, so a full query term matches by stem (`børnene` finds `børn`) and the last
//! term also matches as a prefix of any word (`bør` finds `børn`, `børnefagl` finds
//! `børnefaglig` although its stem is `børnefag`).
//!
//! A query is parsed into exact parts, which never go to full-text search, and terms:
//! - a CPR number (`DDMMYY-SSSS` or ten digits) becomes an exact party-key lookup;
//! - a word with digits and a dash (`2024-004711`) is a sagsnummer, matched exactly;
//! - everything else is split into terms; Danish stop words are dropped (except as the last,
//!   prefix term), as PostgreSQL's `danish` configuration drops them from documents.

use std::collections::BTreeSet;
use std::sync::LazyLock;

use connectors::PartyKey;
use rust_stemmers::{Algorithm, Stemmer};

static DANISH: LazyLock<Stemmer> = LazyLock::new(|| Stemmer::create(Algorithm::Danish));

/// At most this many terms are used from one query (the rest are ignored).
pub const MAX_TERMS: usize = 12;

/// Danish stop words (the common ones of Snowball's list) that never become query terms.
const STOP_WORDS: &[&str] = &[
    "af", "alle", "at", "da", "de", "den", "der", "det", "dig", "du", "efter", "eller", "en", "er",
    "et", "for", "fra", "har", "hun", "hvad", "hvor", "i", "ikke", "jeg", "kan", "med", "men",
    "mig", "og", "om", "over", "på", "sig", "som", "til", "ud", "var", "vi",
];

/// The stem of one lower-cased word.
pub fn stem(word: &str) -> String {
    DANISH.stem(word).into_owned()
}

/// The words of `text`, lower-cased, in order.
pub fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
}

/// The text to index for one field: every word, followed by its stem where that differs.
pub fn index_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    for word in words(text) {
        let stemmed = stem(&word);
        push_word(&mut out, &word);
        if stemmed != word {
            push_word(&mut out, &stemmed);
        }
    }
    out
}

fn push_word(out: &mut String, word: &str) {
    if !out.is_empty() {
        out.push(' ');
    }
    out.push_str(word);
}

/// Every word and stem of `texts`: what an in-memory match ([`ParsedQuery::matches`]) looks in.
pub fn document_terms<'a>(texts: impl IntoIterator<Item = &'a str>) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for text in texts {
        for word in words(text) {
            out.insert(stem(&word));
            out.insert(word);
        }
    }
    out
}

/// One full-text term of a query.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Term {
    /// The word as typed, lower-cased.
    pub word: String,
    /// Its stem.
    pub stem: String,
    /// Whether it also matches as a prefix (the last term of a query).
    pub prefix: bool,
}

impl Term {
    fn new(word: String, prefix: bool) -> Self {
        Self {
            stem: stem(&word),
            word,
            prefix,
        }
    }
    /// Whether this term matches a document with these words and stems.
    pub fn matches(&self, terms: &BTreeSet<String>) -> bool {
        terms.contains(&self.stem)
            || (self.prefix
                && terms
                    .range(self.word.clone()..)
                    .next()
                    .is_some_and(|t| t.starts_with(&self.word)))
    }
    /// Whether this term matches one (lower-cased) word of a title.
    pub fn matches_word(&self, word: &str) -> bool {
        word == self.stem
            || stem(word) == self.stem
            || (self.prefix && word.starts_with(&self.word))
    }
}

/// A search box's text, parsed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ParsedQuery {
    /// CPR/CVR numbers: cases naming any of them as a party (exact; never full-text).
    pub parties: Vec<PartyKey>,
    /// Sagsnumre (lower-cased): cases with exactly this number.
    pub sagsnumre: Vec<String>,
    /// Full-text terms, all of which must match.
    pub terms: Vec<Term>,
}

impl ParsedQuery {
    /// Parse `text`.
    pub fn parse(text: &str) -> Self {
        let mut out = Self::default();
        let mut words: Vec<String> = Vec::new();
        for chunk in text.split_whitespace() {
            let chunk = chunk.trim_matches(|c: char| !c.is_alphanumeric());
            if chunk.is_empty() {
                continue;
            }
            if let Some(key) = cpr_shaped(chunk) {
                if !out.parties.contains(&key) {
                    out.parties.push(key);
                }
            } else if chunk.contains('-') && chunk.chars().any(|c| c.is_ascii_digit()) {
                let key = sagsnummer_key(chunk);
                if !out.sagsnumre.contains(&key) {
                    out.sagsnumre.push(key);
                }
            } else {
                words.extend(self::words(chunk));
            }
        }
        let last = words.len().saturating_sub(1);
        let mut terms: Vec<Term> = words
            .into_iter()
            .enumerate()
            .filter(|(i, w)| *i == last || !STOP_WORDS.contains(&w.as_str()))
            .map(|(i, w)| Term::new(w, i == last))
            .collect();
        // A one-letter prefix matches nearly everything; it only counts when it is alone.
        if terms.len() > 1 && terms.last().is_some_and(|t| t.word.chars().count() < 2) {
            terms.pop();
        }
        let mut seen = BTreeSet::new();
        terms.retain(|t| seen.insert((t.stem.clone(), t.prefix)));
        terms.truncate(MAX_TERMS);
        out.terms = terms;
        out
    }

    /// Whether the query has nothing in it (every visible case matches).
    pub fn is_empty(&self) -> bool {
        self.parties.is_empty() && self.sagsnumre.is_empty() && self.terms.is_empty()
    }

    /// Whether the text terms match a document with these words and stems (the exact parts are
    /// not checked here).
    pub fn matches(&self, terms: &BTreeSet<String>) -> bool {
        self.terms.iter().all(|t| t.matches(terms))
    }

    /// The FTS5 `MATCH` expression of the terms (`None` without terms). Every term is quoted,
    /// so nothing a user types is read as FTS5 syntax.
    pub fn fts5(&self) -> Option<String> {
        if self.terms.is_empty() {
            return None;
        }
        let parts: Vec<String> = self
            .terms
            .iter()
            .map(|t| {
                if !t.prefix {
                    format!("\"{}\"", t.stem)
                } else if t.stem == t.word {
                    format!("\"{}\"*", t.word)
                } else {
                    format!("(\"{}\"* OR \"{}\")", t.word, t.stem)
                }
            })
            .collect();
        Some(parts.join(" AND "))
    }

    /// `title` as HTML: special characters escaped, every word a term matches in
    /// `<mark>…</mark>`.
    pub fn highlight(&self, title: &str) -> String {
        let mut out = String::with_capacity(title.len() + 16);
        let mut word = String::new();
        let flush = |word: &mut String, out: &mut String| {
            if word.is_empty() {
                return;
            }
            let lower = word.to_lowercase();
            if self.terms.iter().any(|t| t.matches_word(&lower)) {
                out.push_str("<mark>");
                escape_into(word, out);
                out.push_str("</mark>");
            } else {
                escape_into(word, out);
            }
            word.clear();
        };
        for c in title.chars() {
            if c.is_alphanumeric() {
                word.push(c);
            } else {
                flush(&mut word, &mut out);
                escape_into(c.encode_utf8(&mut [0; 4]), &mut out);
            }
        }
        flush(&mut word, &mut out);
        out
    }
}

fn escape_into(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

/// A CPR number typed as `DDMMYY-SSSS` or `DDMMYYSSSS`.
fn cpr_shaped(chunk: &str) -> Option<PartyKey> {
    let digits: Vec<char> = chunk.chars().filter(|c| *c != '-').collect();
    let dashes = chunk.chars().filter(|c| *c == '-').count();
    let dash_ok = dashes == 0 || (dashes == 1 && chunk.find('-') == Some(6));
    (dash_ok && digits.len() == 10 && digits.iter().all(|c| c.is_ascii_digit()))
        .then(|| PartyKey::cpr(chunk))
        .flatten()
}

/// The exact-match key of a sagsnummer: lower-cased, without spaces.
pub fn sagsnummer_key(sagsnummer: &str) -> String {
    sagsnummer
        .chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect()
}

/// The party-key column value of a CPR/CVR number (`cpr:DDMMYYSSSS`).
pub fn party_key_text(key: &PartyKey) -> String {
    match key {
        PartyKey::Cpr(d) => format!("cpr:{d}"),
        PartyKey::Cvr(d) => format!("cvr:{d}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stems_danish_words_and_keeps_the_letters_aeoa() {
        assert_eq!(stem("børnene"), "børn");
        assert_eq!(stem("undersøgelsen"), stem("undersøgelse"));
        let words: Vec<String> = words("ÆBLEHAVEN på Åboulevarden, Ørsted").collect();
        assert_eq!(words, ["æblehaven", "på", "åboulevarden", "ørsted"]);
        assert_eq!(index_text("Børnene"), "børnene børn");
    }

    #[test]
    fn the_last_term_is_a_prefix_and_stop_words_go() {
        let q = ParsedQuery::parse("anbringelse af bør");
        let words: Vec<&str> = q.terms.iter().map(|t| t.word.as_str()).collect();
        assert_eq!(words, ["anbringelse", "bør"]);
        assert_eq!(
            q.terms.iter().map(|t| t.prefix).collect::<Vec<_>>(),
            [false, true]
        );
        let doc = document_terms(["Anbringelse uden for hjemmet", "Børnefaglig undersøgelse"]);
        assert!(q.matches(&doc));
        assert!(ParsedQuery::parse("børnefagl").matches(&doc));
        assert!(ParsedQuery::parse("undersøgelserne hjemmet").matches(&doc));
        assert!(!ParsedQuery::parse("hjem").matches(&document_terms(["Hjælpemidler"])));
        // A one-letter last term alongside others is ignored; alone it is a prefix.
        assert_eq!(ParsedQuery::parse("hjemmehjælp b").terms.len(), 1);
        assert_eq!(ParsedQuery::parse("b").terms.len(), 1);
    }

    #[test]
    fn cpr_numbers_and_sagsnumre_are_exact_parts_not_terms() {
        let q = ParsedQuery::parse("010203-1234 2024-004711 Jensen");
        assert_eq!(q.parties, vec![PartyKey::Cpr("0102031234".into())]);
        assert_eq!(q.sagsnumre, vec!["2024-004711".to_owned()]);
        assert_eq!(q.terms.len(), 1);
        assert_eq!(
            ParsedQuery::parse("0102031234").parties,
            vec![PartyKey::Cpr("0102031234".into())]
        );
        // Not CPR-shaped: a 4-6 split is a sagsnummer, eleven digits a plain term.
        assert!(ParsedQuery::parse("0102-031234").parties.is_empty());
        assert!(ParsedQuery::parse("01020312345").parties.is_empty());
        assert!(ParsedQuery::parse("  ").is_empty());
    }

    #[test]
    fn fts5_expressions_quote_every_term() {
        let q = ParsedQuery::parse("\"Børnene\" OR NEAR(x) vej");
        assert_eq!(
            q.fts5().as_deref(),
            Some("\"børn\" AND \"or\" AND \"near\" AND \"x\" AND \"vej\"*")
        );
        assert_eq!(
            ParsedQuery::parse("børnene").fts5().as_deref(),
            Some("(\"børnene\"* OR \"børn\")")
        );
        assert_eq!(ParsedQuery::default().fts5(), None);
    }

    #[test]
    fn highlights_mark_matched_words_and_escape_the_rest() {
        let q = ParsedQuery::parse("børn under");
        assert_eq!(
            q.highlight("Børnefaglig <undersøgelse> & Børn"),
            "Børnefaglig &lt;<mark>undersøgelse</mark>&gt; &amp; <mark>Børn</mark>"
        );
        assert_eq!(ParsedQuery::default().highlight("a&b"), "a&amp;b");
    }
}
