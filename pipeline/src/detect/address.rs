//! Danish postal addresses: `Gammel Kongevej 5E, 4. th., 1610 København V`, a street with a
//! house number (and letter, floor and door), postcode and town alone on a line
//! (`1610 København V`), and both across a line break, which become one finding.
//!
//! A street is a capitalised word with a street suffix (`-vej`, `-gade`, `-vænget`, `-allé`,
//! ...) or a street-type word after capitalised words (`H.C. Andersens Boulevard`), followed by
//! a house number. The town hall's own address (`Rådhuspladsen`) is the authority's, not a
//! person's, and is skipped.

use std::collections::HashSet;
use std::sync::LazyLock;

use super::token::{Gap, Kind, Token, gap};
use super::{Category, Raw};

/// Suffixes of street names (lower case), longest first where one contains another.
const SUFFIXES: &[&str] = &[
    "vej",
    "vejen",
    "gade",
    "gaden",
    "stræde",
    "strædet",
    "vænget",
    "vænge",
    "allé",
    "alle",
    "plads",
    "pladsen",
    "boulevard",
    "torv",
    "torvet",
    "parken",
    "vangen",
    "bakken",
    "toften",
    "haven",
    "engen",
    "højen",
    "løkken",
    "stien",
    "diget",
    "kajen",
    "brinken",
    "hegnet",
    "krogen",
    "kæret",
    "mosen",
    "marken",
    "lunden",
    "tværvej",
    "passagen",
    "kvarteret",
    "have",
    "park",
    "ager",
    "agre",
    "høj",
    "skrænten",
    "slippen",
    "lien",
    "svinget",
    "sti",
];

/// Words that are a street's type after its name (`Niels Juels Gade`).
const TYPE_WORDS: &[&str] = &[
    "gade",
    "vej",
    "allé",
    "alle",
    "boulevard",
    "plads",
    "torv",
    "stræde",
    "vænge",
    "have",
    "park",
    "bro",
    "kanal",
    "promenade",
];

/// Words that start a multi-word street name (`Gammel Kongevej`, `Ny Østergade`).
const PREFIX_WORDS: &[&str] = &[
    "gammel",
    "gl",
    "ny",
    "nye",
    "store",
    "lille",
    "sankt",
    "skt",
    "kong",
    "dronning",
    "prins",
    "prinsesse",
    "nørre",
    "søndre",
    "vester",
    "øster",
    "nordre",
    "vestre",
    "østre",
    "den",
    "kongens",
    "dronningens",
    "peder",
    "niels",
    "hans",
    "christian",
    "frederik",
    "h",
    "c",
];

/// Words after a number that make it a quantity, not a house number.
const NOT_HOUSE: &[&str] = &[
    "år", "kr", "timer", "dage", "uger", "måneder", "gange", "stk", "procent", "personer",
    "minutter", "km", "m", "meter",
];

static TOWNS: LazyLock<HashSet<String>> = LazyLock::new(|| {
    include_str!("../../data/towns.txt")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_lowercase)
        .collect()
});

fn lower_in(word: &str, list: &[&str]) -> bool {
    if word.is_ascii() {
        list.iter().any(|w| word.eq_ignore_ascii_case(w))
    } else {
        let lower = word.to_lowercase();
        list.contains(&lower.as_str())
    }
}

fn ends_with_suffix(word: &str) -> bool {
    let test = |w: &str| {
        SUFFIXES
            .iter()
            .any(|s| w.len() > s.len() + 1 && w.ends_with(s))
    };
    // Capitalised words have a lower-case tail; only all-caps words need lower-casing.
    if word.chars().skip(1).any(char::is_uppercase) {
        test(&word.to_lowercase())
    } else {
        test(word)
    }
}

/// Every address in the token list.
pub(crate) fn find(text: &str, tokens: &[Token], out: &mut Vec<Raw>) {
    let mut i = 0;
    while i < tokens.len() {
        let t = tokens[i];
        if t.kind == Kind::Word && t.cap {
            if let Some(next) = street(text, tokens, i, out) {
                i = next;
                continue;
            }
        } else if t.kind == Kind::Num
            && t.len() == 4
            && at_line_start(text, tokens, i)
            && let Some((end_tok, sure)) = postcode_town(text, tokens, i)
        {
            let start = if i > 0 && dk_prefix(text, tokens, i) {
                tokens[i - 2].start
            } else {
                t.start
            };
            out.push(Raw {
                category: Category::Address,
                start,
                end: tokens[end_tok].end,
                confidence: if sure { 0.9 } else { 0.7 },
                reason: "postcode and town",
            });
            i = end_tok + 1;
            continue;
        }
        i += 1;
    }
}

/// `DK-` before token `i`.
fn dk_prefix(text: &str, tokens: &[Token], i: usize) -> bool {
    i >= 2 && tokens[i - 1].is_punct(b'-') && tokens[i - 2].text(text).eq_ignore_ascii_case("dk")
}

/// Whether token `i` starts a line (or follows `DK-` at a line start).
fn at_line_start(text: &str, tokens: &[Token], i: usize) -> bool {
    let j = if dk_prefix(text, tokens, i) { i - 2 } else { i };
    j == 0
        || matches!(
            gap(text, tokens[j - 1].end, tokens[j].start),
            Gap::Line | Gap::Paragraph
        )
}

/// A street address whose street word is token `i`; pushes it and returns the next token.
fn street(text: &str, tokens: &[Token], i: usize, out: &mut Vec<Raw>) -> Option<usize> {
    // Cheap test first: a house number (or `nr.`) must follow.
    let next = tokens.get(i + 1)?;
    if next.kind != Kind::Num && !next.text(text).eq_ignore_ascii_case("nr") {
        return None;
    }
    let word = tokens[i].text(text);
    let is_type = lower_in(word, TYPE_WORDS);
    if !is_type && !ends_with_suffix(word) {
        return None;
    }
    // House number: `Møllevej 12`, `Møllevej nr. 12`.
    let mut k = i + 1;
    if tokens
        .get(k)
        .is_some_and(|t| t.text(text).eq_ignore_ascii_case("nr"))
    {
        k += 1;
        if tokens.get(k).is_some_and(|t| t.is_punct(b'.')) {
            k += 1;
        }
    }
    let num = tokens.get(k)?;
    if num.kind != Kind::Num
        || num.len() > 3
        || gap(text, tokens[k - 1].end, num.start) != Gap::Space
    {
        return None;
    }
    if num.text(text).starts_with('0') {
        return None;
    }
    if let Some(after) = tokens.get(k + 1)
        && after.kind == Kind::Word
        && lower_in(after.text(text), NOT_HOUSE)
    {
        return None;
    }
    // Glued to more digits or a decimal (`Skovvej 12,5 km`): not a house number.
    if tokens
        .get(k + 1)
        .is_some_and(|p| p.is_punct(b',') || p.is_punct(b'.'))
        && tokens
            .get(k + 2)
            .is_some_and(|d| d.kind == Kind::Num && d.start == tokens[k + 1].end)
    {
        return None;
    }
    let mut end = k;
    // Letter: `5E`, `5 E`.
    if let Some(l) = tokens.get(end + 1)
        && l.kind == Kind::Word
        && l.len() == 1
        && l.cap
        && gap(text, tokens[end].end, l.start) != Gap::Line
        && gap(text, tokens[end].end, l.start) != Gap::Paragraph
        && !tokens.get(end + 2).is_some_and(|d| d.is_punct(b'.'))
    {
        end += 1;
    }
    end = floor_and_door(text, tokens, end);
    // Walk back over the rest of a multi-word street name on the same line.
    let mut first = i;
    for _ in 0..4 {
        let Some(p) = first.checked_sub(1) else { break };
        let pt = tokens[p];
        let g = gap(text, pt.end, tokens[first].start);
        let ok = match pt.kind {
            Kind::Word if pt.cap && g == Gap::Space => {
                is_type || lower_in(pt.text(text), PREFIX_WORDS)
            }
            Kind::Word if pt.cap && g == Gap::None => true,
            Kind::Punct(b'.') if matches!(g, Gap::None | Gap::Space) => {
                p > 0 && tokens[p - 1].kind == Kind::Word && tokens[p - 1].len() == 1
            }
            _ => false,
        };
        if !ok {
            break;
        }
        first = p;
        if pt.is_punct(b'.') {
            first = p - 1;
        }
    }
    while first < i && tokens[first].kind != Kind::Word {
        first += 1;
    }
    // Postcode and town after a comma, a space or one line break.
    let mut k = end + 1;
    if tokens.get(k).is_some_and(|t| t.is_punct(b',')) {
        k += 1;
    }
    let mut sure = false;
    if let Some(pc) = tokens.get(k)
        && pc.kind == Kind::Num
        && pc.len() == 4
        && gap(text, tokens[k - 1].end, pc.start) != Gap::Paragraph
        && let Some((town_end, _)) = postcode_town(text, tokens, k)
    {
        end = town_end;
        sure = true;
    }
    let start_word = tokens[first].text(text);
    let authority = start_word.starts_with("Rådhus") || word.starts_with("Rådhus");
    if !authority {
        out.push(Raw {
            category: Category::Address,
            start: tokens[first].start,
            end: tokens[end].end,
            confidence: if sure { 0.95 } else { 0.85 },
            reason: if sure {
                "street, number, postcode and town"
            } else {
                "street and house number"
            },
        });
    }
    Some(end + 1)
}

/// `, 4. th.`, `, st. tv.`, `, 2. 3`, `1. sal` after token `end`; returns the last token used.
fn floor_and_door(text: &str, tokens: &[Token], mut end: usize) -> usize {
    let mut k = end + 1;
    if tokens.get(k).is_some_and(|t| t.is_punct(b',')) {
        k += 1;
    }
    let Some(f) = tokens.get(k) else { return end };
    if gap(text, tokens[k - 1].end, f.start) == Gap::Paragraph {
        return end;
    }
    let ft = f.text(text);
    let is_floor = (f.kind == Kind::Num
        && f.len() <= 2
        && tokens.get(k + 1).is_some_and(|d| d.is_punct(b'.')))
        || ["st", "kl", "stuen", "kælder"]
            .iter()
            .any(|w| ft.eq_ignore_ascii_case(w));
    if !is_floor {
        return end;
    }
    end = k;
    if tokens.get(end + 1).is_some_and(|d| d.is_punct(b'.')) {
        end += 1;
    }
    if tokens
        .get(end + 1)
        .is_some_and(|t| t.text(text).eq_ignore_ascii_case("sal"))
    {
        end += 1;
    }
    let mut k = end + 1;
    if tokens.get(k).is_some_and(|t| t.is_punct(b',')) {
        k += 1;
    }
    if let Some(d) = tokens.get(k) {
        let dt = d.text(text);
        let side = ["th", "tv", "mf"]
            .iter()
            .any(|w| dt.eq_ignore_ascii_case(w));
        let door = d.kind == Kind::Num
            && d.len() <= 3
            && !tokens
                .get(k + 1)
                .is_some_and(|t| t.kind == Kind::Word && t.cap);
        if (side || (door && d.len() <= 2)) && gap(text, tokens[k - 1].end, d.start) == Gap::Space {
            end = k;
            if tokens.get(end + 1).is_some_and(|p| p.is_punct(b'.')) {
                end += 1;
            }
        }
    }
    end
}

/// Postcode at token `i` and the town after it: returns the last token of the town and whether
/// the town is a known one or has a district letter (`København V`).
fn postcode_town(text: &str, tokens: &[Token], i: usize) -> Option<(usize, bool)> {
    let pc = tokens[i].text(text);
    let value: u32 = pc.parse().ok()?;
    if !(1000..=9999).contains(&value) {
        return None;
    }
    let first = tokens.get(i + 1)?;
    if first.kind != Kind::Word || !first.cap || gap(text, tokens[i].end, first.start) != Gap::Space
    {
        return None;
    }
    let mut end = i + 1;
    let mut known = TOWNS.contains(&first.text(text).to_lowercase());
    let mut district = false;
    for _ in 0..2 {
        let Some(n) = tokens.get(end + 1) else { break };
        if n.kind != Kind::Word || !n.cap || gap(text, tokens[end].end, n.start) != Gap::Space {
            break;
        }
        let nt = n.text(text);
        let is_district = nt.chars().count() <= 2 && nt.chars().all(char::is_uppercase);
        let two = format!("{} {}", tokens[i + 1].text(text), nt).to_lowercase();
        if is_district {
            end += 1;
            district = true;
            break;
        }
        if TOWNS.contains(&two) {
            end += 1;
            known = true;
            continue;
        }
        break;
    }
    let year_like = (1900..=2100).contains(&value);
    if year_like && !known && !district {
        return None;
    }
    Some((end, known || district))
}

#[cfg(test)]
mod tests {
    use crate::detect::{Category, detect};

    fn addrs(text: &str) -> Vec<String> {
        detect(text, None)
            .into_iter()
            .filter(|f| f.category == Category::Address)
            .map(|f| f.text)
            .collect()
    }

    #[test]
    fn finds_full_addresses() {
        assert_eq!(
            addrs("bor på Gammel Kongevej 5E, 4. th., 1610 København V i dag"),
            ["Gammel Kongevej 5E, 4. th., 1610 København V"]
        );
        assert_eq!(
            addrs("adressen Møllevej 12, 8000 Aarhus C."),
            ["Møllevej 12, 8000 Aarhus C"]
        );
        assert_eq!(
            addrs("H.C. Andersens Boulevard 27, st. tv."),
            ["H.C. Andersens Boulevard 27, st. tv."]
        );
        assert_eq!(addrs("Niels Juels Gade 3"), ["Niels Juels Gade 3"]);
    }

    #[test]
    fn joins_a_line_break_and_finds_postcode_lines() {
        assert_eq!(
            addrs("Hanne Olsen\nSkovvej 7\n8260 Viby J\n"),
            ["Skovvej 7\n8260 Viby J"]
        );
        assert_eq!(addrs("c/o Jensen\n2100 København Ø"), ["2100 København Ø"]);
    }

    #[test]
    fn refuses_non_addresses() {
        assert!(addrs("Rådhuspladsen 2, 8000 Aarhus C").is_empty());
        assert!(addrs("ca. 12 km fra Skovvej").is_empty());
        assert!(addrs("Strandvejen 12 år senere").is_empty());
        assert!(addrs("\n2024 Sagen blev afsluttet").is_empty());
    }
}
