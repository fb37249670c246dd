//! Person names: listed given and family names (Danish and foreign), `-sen` family names,
//! hyphenated and multi-token names (`Anne-Marie Klit Munk`), possessives (`Jensens`),
//! names after honorifics (`hr.`, `fru`, `dr.`), salutations (`Kære`, `c/o`), labels (`Fra:`)
//! and relation words (`naboen`, `moren`, `ægtefælle`).
//!
//! Names that are also ordinary words (`Skov`, `Bjørn`, `Rose`, `Strand`, `Have`) count only
//! with support: next to another name, after a trigger, or — for given names — capitalised
//! inside a sentence or followed by a verb at its start. A name followed by a company form
//! (`Olsen A/S`, `Hansen & Søn`, `Jensen ApS`) is a company, not a person.
//!
//! The lists live in `pipeline/data/names/` (source and licence in its README) and are built
//! once into one hash map from lower-cased name to what it can be.

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use super::token::{Gap, Kind, Token, gap};
use super::{Category, Raw};

const FIRST: u8 = 1;
const SUR: u8 = 2;
const WORD: u8 = 4;

static LEXICON: LazyLock<HashMap<String, u8, FnvBuild>> = LazyLock::new(|| {
    let mut m: HashMap<String, u8, FnvBuild> = HashMap::default();
    let files: [(&str, u8); 5] = [
        (include_str!("../../data/names/first_names_da.txt"), FIRST),
        (
            include_str!("../../data/names/first_names_foreign.txt"),
            FIRST,
        ),
        (include_str!("../../data/names/surnames_da.txt"), SUR),
        (include_str!("../../data/names/surnames_foreign.txt"), SUR),
        (include_str!("../../data/names/word_names.txt"), WORD),
    ];
    for (data, flag) in files {
        for line in data.lines().map(str::trim) {
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            *m.entry(line.to_lowercase()).or_default() |= flag;
        }
    }
    m
});

/// Lower-case words before a name that say a person follows.
const RELATIONS: &[&str] = &[
    "moren",
    "moderen",
    "mor",
    "far",
    "faren",
    "faderen",
    "søster",
    "søsteren",
    "bror",
    "broren",
    "broderen",
    "sønnen",
    "søn",
    "datter",
    "datteren",
    "barnet",
    "naboen",
    "nabo",
    "borgeren",
    "borger",
    "ægtefælle",
    "ægtefællen",
    "samlever",
    "samleveren",
    "kæresten",
    "partneren",
    "bedstemor",
    "bedstemoren",
    "bedstefar",
    "bedstefaren",
    "morfar",
    "mormor",
    "farfar",
    "farmor",
    "onkel",
    "onklen",
    "tante",
    "tanten",
    "fætter",
    "fætteren",
    "kusine",
    "kusinen",
    "plejemor",
    "plejefar",
    "værge",
    "værgen",
    "bisidder",
    "bisidderen",
    "pårørende",
    "kontaktperson",
    "kontaktpersonen",
    "eleven",
    "patienten",
    "ansøgeren",
    "ansøger",
    "klienten",
    "lægen",
    "advokat",
    "advokaten",
    "sagsbehandler",
    "sagsbehandleren",
    "hustru",
    "hustruen",
    "manden",
    "konen",
    "veninde",
    "veninden",
    "vennen",
    "kollega",
    "kollegaen",
    "stedfar",
    "stedmor",
    "svigermor",
    "svigerfar",
    "barnebarn",
    "drengen",
    "pigen",
    "hr",
    "fru",
    "frk",
    "dr",
    "prof",
    "mr",
    "mrs",
    "ms",
    "pastor",
    "kære",
    "hej",
    "att",
    "attn",
    "fra",
    "til",
    "part",
    "af",
    "navn",
    "ved",
];

/// Verbs that follow a subject: a word-name at a sentence's start followed by one is a name.
const SUBJECT_VERBS: &[&str] = &[
    "kan",
    "har",
    "er",
    "var",
    "blev",
    "skal",
    "vil",
    "fortalte",
    "fortæller",
    "oplyser",
    "oplyste",
    "deltog",
    "går",
    "gik",
    "bor",
    "boede",
    "vender",
    "ønsker",
    "siger",
    "sagde",
    "mener",
    "fik",
    "får",
    "kom",
    "kommer",
    "havde",
    "hjælper",
    "hjalp",
    "arbejder",
    "ringede",
    "skrev",
    "skriver",
    "mødte",
    "bad",
    "kontaktede",
    "gav",
    "bekræftede",
    "og",
    "samt",
];

/// Capitalised words that never continue a name (an unlisted word after a listed name).
const NOT_NAMES: &[&str] = &[
    "kommune",
    "kommunen",
    "borgerservice",
    "jobcenter",
    "jobcentret",
    "afdeling",
    "familie",
    "sagsbehandler",
    "notat",
    "journalnotat",
    "kære",
    "hej",
    "til",
    "fra",
    "dato",
    "emne",
    "vedrørende",
    "tlf",
    "telefon",
    "mobil",
    "cpr",
    "sagsnr",
    "part",
    "med",
    "venlig",
    "hilsen",
    "jeg",
    "vi",
    "du",
    "de",
    "han",
    "hun",
    "den",
    "det",
    "der",
    "region",
    "danmark",
    "skolen",
    "børnehave",
    "vuggestue",
    "hospital",
    "sygehus",
    "klinik",
    "center",
    "centret",
    "krisen",
    "prisen",
    "rosen",
    "basen",
    "vasen",
    "musen",
    "linsen",
    "næsen",
    "bussen",
    "januar",
    "februar",
    "marts",
    "april",
    "juni",
    "juli",
    "august",
    "september",
    "oktober",
    "november",
    "december",
    "mandag",
    "tirsdag",
    "onsdag",
    "torsdag",
    "fredag",
    "lørdag",
    "søndag",
    "e-mail",
    "email",
    "mail",
    "aps",
    "a/s",
    "holding",
    "sagen",
    "ps",
    "nb",
];

/// Lower-case particles inside a name (`van der`, `al-`, `bin`).
const PARTICLES: &[&str] = &[
    "van", "von", "der", "den", "de", "da", "di", "du", "la", "el", "al", "bin", "ibn",
];

/// Company forms after a name.
const COMPANY: &[&str] = &[
    "aps", "ivs", "holding", "group", "invest", "consult", "amba", "a.m.b.a",
];

/// What one capitalised token can be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Class {
    flags: u8,
    /// A `-sen` surname by its ending, not listed.
    sen: bool,
}

impl Class {
    fn known(self) -> bool {
        self.flags & (FIRST | SUR) != 0 || self.sen
    }
    /// A listed name that is no ordinary word, or a `-sen` name.
    fn strong(self) -> bool {
        self.known() && self.flags & WORD == 0
    }
}

/// FNV-1a: the lexicon's keys are short words, where SipHash's set-up dominates.
#[derive(Default, Clone, Copy)]
pub(crate) struct Fnv(u64);

impl std::hash::Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for b in bytes {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }
}

type FnvBuild = std::hash::BuildHasherDefault<Fnv>;
type WordSet = HashSet<&'static [u8], FnvBuild>;

fn set_of(words: &[&'static str]) -> WordSet {
    words.iter().map(|w| w.as_bytes()).collect()
}

static RELATION_SET: LazyLock<WordSet> = LazyLock::new(|| set_of(RELATIONS));
static VERB_SET: LazyLock<WordSet> = LazyLock::new(|| set_of(SUBJECT_VERBS));
static STOP_SET: LazyLock<WordSet> = LazyLock::new(|| set_of(NOT_NAMES));
static PARTICLE_SET: LazyLock<WordSet> = LazyLock::new(|| set_of(PARTICLES));
static COMPANY_SET: LazyLock<WordSet> = LazyLock::new(|| set_of(COMPANY));

/// Whether `word`, lower-cased, is in `set` (no allocation for short ASCII words).
fn in_list(word: &str, set: &WordSet) -> bool {
    if word.len() <= 32 && word.is_ascii() {
        let mut b = [0u8; 32];
        for (d, s) in b.iter_mut().zip(word.bytes()) {
            *d = s.to_ascii_lowercase();
        }
        set.contains(&b[..word.len()])
    } else {
        set.contains(word.to_lowercase().as_bytes())
    }
}

fn lower_into(buf: &mut String, s: &str) {
    buf.clear();
    if s.is_ascii() {
        buf.push_str(s);
        buf.make_ascii_lowercase();
    } else {
        for c in s.chars() {
            buf.extend(c.to_lowercase());
        }
    }
}

fn classify(word: &str, buf: &mut String) -> Class {
    lower_into(buf, word);
    let lex = &*LEXICON;
    if let Some(&f) = lex.get(buf.as_str()) {
        return Class {
            flags: f,
            sen: false,
        };
    }
    // Possessive: `Jensens`, `Annes`.
    if buf.ends_with('s')
        && buf.len() > 3
        && let Some(&f) = lex.get(&buf[..buf.len() - 1])
    {
        return Class {
            flags: f,
            sen: false,
        };
    }
    // Hyphenated: `Anne-Marie`, `Bech-Hansen`: every part a name.
    if buf.contains('-') {
        let mut flags = 0;
        let mut all = true;
        for part in buf.split('-') {
            match lex.get(part) {
                Some(&f) => flags |= f & (FIRST | SUR),
                None if part.len() > 4 && part.ends_with("sen") => flags |= SUR,
                None => all = false,
            }
        }
        if all && flags != 0 {
            return Class { flags, sen: false };
        }
    }
    let stem = buf.strip_suffix('s').unwrap_or(buf);
    let sen = stem.chars().count() >= 5
        && (stem.ends_with("sen") || stem.ends_with("gaard") || stem.ends_with("gård"))
        && !NOT_NAMES.contains(&stem);
    Class { flags: 0, sen }
}

/// Whether token `i` starts a sentence or a line.
fn sentence_start(text: &str, tokens: &[Token], i: usize) -> bool {
    let Some(p) = i.checked_sub(1).map(|p| tokens[p]) else {
        return true;
    };
    matches!(
        gap(text, p.end, tokens[i].start),
        Gap::Line | Gap::Paragraph
    ) || matches!(
        p.kind,
        Kind::Punct(b'.' | b'!' | b'?' | b':' | b'"' | b'(' | b'-')
    ) || p.text(text) == "»"
        || p.text(text) == "“"
}

/// A trigger word right before token `i` (skipping `.` and `,`, and `:` after a label).
fn trigger_before(text: &str, tokens: &[Token], i: usize) -> bool {
    let mut k = i;
    for _ in 0..2 {
        let Some(p) = k.checked_sub(1) else {
            return false;
        };
        let t = tokens[p];
        if matches!(t.kind, Kind::Punct(b'.' | b',' | b':' | b'/')) {
            k = p;
            continue;
        }
        if t.kind != Kind::Word {
            return false;
        }
        if gap(text, t.end, tokens[k].start) == Gap::Paragraph {
            return false;
        }
        let w = t.text(text);
        if w.eq_ignore_ascii_case("o") {
            // Only `c/o`.
            return p >= 2
                && tokens[p - 1].is_punct(b'/')
                && tokens[p - 2].text(text).eq_ignore_ascii_case("c");
        }
        if w.eq_ignore_ascii_case("v") {
            // Only `v/`.
            return tokens.get(p + 1).is_some_and(|s| s.is_punct(b'/'));
        }
        return in_list(w, &RELATION_SET);
    }
    false
}

fn company_after(text: &str, tokens: &[Token], j: usize) -> bool {
    let mut k = j + 1;
    if tokens.get(k).is_some_and(|t| t.is_punct(b',')) {
        k += 1;
    }
    let Some(t) = tokens.get(k) else { return false };
    if t.is_punct(b'&') {
        return true;
    }
    if t.kind != Kind::Word {
        return false;
    }
    // `A/S`, `I/S`, `K/S`, `P/S`.
    if t.len() == 1
        && tokens.get(k + 1).is_some_and(|s| s.is_punct(b'/'))
        && tokens.get(k + 2).is_some_and(|s| s.text(text) == "S")
    {
        return true;
    }
    in_list(t.text(text), &COMPANY_SET)
}

/// Every person name in the token list.
pub(crate) fn find(text: &str, tokens: &[Token], out: &mut Vec<Raw>) {
    let mut buf = String::with_capacity(32);
    let mut i = 0;
    while i < tokens.len() {
        let t = tokens[i];
        if t.kind != Kind::Word || !t.cap || t.len() < 2 {
            i += 1;
            continue;
        }
        let word = t.text(text);
        let c0 = classify(word, &mut buf);
        let trig = trigger_before(text, tokens, i);
        let at_start = sentence_start(text, tokens, i);
        let stop0 = STOP_SET.contains(buf.as_bytes());
        if stop0
            || (!c0.known() && !trig && (at_start || !next_is_strong(text, tokens, i, &mut buf)))
        {
            i += 1;
            continue;
        }
        // Grow the name over following name tokens.
        let mut j = i;
        let mut strong = c0.strong();
        let mut known = usize::from(c0.known());
        let mut firstish = c0.flags & FIRST != 0;
        let mut count = 1;
        while let Some(n) = tokens.get(j + 1) {
            let g = gap(text, tokens[j].end, n.start);
            // An initial: `Jens P. Hansen`.
            if n.kind == Kind::Word
                && n.len() == 1
                && n.cap
                && g == Gap::Space
                && tokens
                    .get(j + 2)
                    .is_some_and(|d| d.is_punct(b'.') && d.start == n.end)
                && tokens
                    .get(j + 3)
                    .is_some_and(|w| w.kind == Kind::Word && w.cap)
            {
                j += 2;
                continue;
            }
            if n.kind == Kind::Word
                && !n.cap
                && g == Gap::Space
                && in_list(n.text(text), &PARTICLE_SET)
                && tokens.get(j + 2).is_some_and(|w| {
                    w.kind == Kind::Word && w.cap && gap(text, n.end, w.start) != Gap::Paragraph
                })
                && (strong || trig)
            {
                j += 1;
                continue;
            }
            if n.kind != Kind::Word || !n.cap || n.len() < 2 || !matches!(g, Gap::Space | Gap::Line)
            {
                break;
            }
            let nw = n.text(text);
            if in_list(nw, &STOP_SET) {
                break;
            }
            let c = classify(nw, &mut buf);
            let ok = if g == Gap::Line {
                c.known() && (strong || trig) && !sentence_verb_after(text, tokens, j + 1)
            } else {
                c.known() || strong || trig
            };
            if !ok {
                break;
            }
            j += 1;
            count += 1;
            strong |= c.strong();
            known += usize::from(c.known());
            firstish |= c.flags & FIRST != 0;
        }
        if company_after(text, tokens, j) {
            i = j + 1;
            continue;
        }
        let next_verb = subject_verb_after(text, tokens, i);
        let (accept, confidence, reason) = if trig {
            (true, 0.9, "name after a title, salutation or relation word")
        } else if count >= 2 && (strong || (firstish && known >= 2)) {
            (true, 0.9, "multi-token name")
        } else if count >= 2 && firstish && known >= 1 {
            (true, 0.7, "given name and capitalised word")
        } else if count == 1 && c0.strong() && (c0.flags != 0 || !at_start) {
            (true, 0.75, "listed name")
        } else if count == 1 && c0.sen && !at_start {
            (true, 0.6, "-sen surname")
        } else if count == 1 && c0.flags & FIRST != 0 && (!at_start || next_verb) {
            (true, 0.6, "given name that is also a word, in context")
        } else {
            (false, 0.0, "")
        };
        if accept {
            out.push(Raw {
                category: Category::Name,
                start: t.start,
                end: tokens[j].end,
                confidence,
                reason,
            });
        }
        i = j + 1;
    }
}

/// Whether the token after `i` (same line, one space) is a strong name: lets an unlisted word
/// start a name (`Xiomara Nguyen`).
fn next_is_strong(text: &str, tokens: &[Token], i: usize, buf: &mut String) -> bool {
    tokens.get(i + 1).is_some_and(|n| {
        n.kind == Kind::Word && n.cap && gap(text, tokens[i].end, n.start) == Gap::Space && {
            let c = classify(n.text(text), buf);
            c.strong() && c.flags & SUR != 0
        }
    })
}

fn subject_verb_after(text: &str, tokens: &[Token], i: usize) -> bool {
    tokens.get(i + 1).is_some_and(|n| {
        (n.kind == Kind::Word && in_list(n.text(text), &VERB_SET)) || n.is_punct(b',')
    })
}

/// A word after a line break that is followed by a verb starts a new sentence, not a surname.
fn sentence_verb_after(text: &str, tokens: &[Token], k: usize) -> bool {
    tokens
        .get(k + 1)
        .is_some_and(|n| n.kind == Kind::Word && in_list(n.text(text), &VERB_SET))
}

#[cfg(test)]
mod tests {
    use crate::detect::{Category, detect};

    fn names(text: &str) -> Vec<String> {
        detect(text, None)
            .into_iter()
            .filter(|f| f.category == Category::Name)
            .map(|f| f.text)
            .collect()
    }

    #[test]
    fn finds_listed_and_multi_token_names() {
        assert_eq!(
            names("Mødet med Anne-Marie Klit Munk blev holdt."),
            ["Anne-Marie Klit Munk"]
        );
        assert_eq!(names("Kære Mette Jensen"), ["Mette Jensen"]);
        assert_eq!(names("Det er Jensens opgave."), ["Jensens"]);
        assert_eq!(names("dr. Nguyen har set barnet"), ["Nguyen"]);
        assert_eq!(
            names("Sagen er sendt til Mohammed Al-Sayed i dag."),
            ["Mohammed Al-Sayed"]
        );
        assert_eq!(names("Mødet med Jens P. Hansen."), ["Jens P. Hansen"]);
    }

    #[test]
    fn word_names_need_support() {
        assert!(names("Skov og Natur har svaret.").is_empty());
        assert!(names("Have du spurgt?").is_empty());
        assert_eq!(names("naboen Strand har ringet"), ["Strand"]);
        assert_eq!(names("fru Rose kom forbi"), ["Rose"]);
        assert_eq!(names("Bjørn kan kontaktes"), ["Bjørn"]);
        assert_eq!(names("Det oplyste Bjørn i går."), ["Bjørn"]);
        assert_eq!(names("Peter Skov bor der"), ["Peter Skov"]);
    }

    #[test]
    fn companies_are_not_persons() {
        assert!(names("Tilbud fra Olsen A/S i dag").is_empty());
        assert!(names("Tilbud fra Hansen & Søn i dag").is_empty());
        assert!(names("firmaet Jensen ApS har svaret").is_empty());
    }

    #[test]
    fn names_split_across_lines() {
        assert_eq!(
            names("Part: Anne-Marie\nKlit Munk\n"),
            ["Anne-Marie\nKlit Munk"]
        );
        assert_eq!(
            names("Med venlig hilsen\n\nMette Holm\nBorgerservice"),
            ["Mette Holm"]
        );
    }

    #[test]
    fn unlisted_names_after_triggers_and_sen_names() {
        assert_eq!(names("naboen Xiomara Quispe oplyste"), ["Xiomara Quispe"]);
        assert_eq!(names("c/o Tordenskjold"), ["Tordenskjold"]);
        assert_eq!(names("aftalt med Brandtsen i går"), ["Brandtsen"]);
    }
}
