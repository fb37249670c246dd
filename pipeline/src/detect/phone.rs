//! Danish phone numbers by the numbering plan: eight digits, the first 2–9, written `12345678`,
//! `12 34 56 78`, `1234 5678`, `12 34 5678`, with or without `+45`, `0045` or `(+45)`.
//!
//! A bare number next to a look-alike keyword (CVR, account, invoice, case number) or a CPR
//! keyword is no phone number, nor is an amount (`kr.` after) or an eight-digit date
//! (`20240312`). A prefix or a phone keyword makes it sure.

use super::context::{self, Cue};
use super::token::{Group, Kind, Token};
use super::{Category, Raw};

/// Part lengths of an eight-digit national number that people write.
const SHAPES: &[&[usize]] = &[&[8], &[2, 2, 2, 2], &[4, 4], &[2, 2, 4], &[4, 2, 2]];

/// Words after a number that make it an amount or a quantity.
const AMOUNT_AFTER: &[&str] = &["kr", "dkk", "euro", "eur", "stk", "timer", "kroner"];

/// Try a phone number starting at part `i` of `g` and running to the group's end.
pub(crate) fn classify(text: &str, tokens: &[Token], g: &Group, i: usize) -> Option<(Raw, usize)> {
    let first = tokens[g.part(i)];
    let mut start = first.start;
    let mut j = i;
    let mut prefixed = false;
    let mut national_offset = 0;
    let lead = first.text(text);
    // +45 / (+45) / 0045 before the national number.
    let plus_before = i == 0
        && g.part(i) > 0
        && tokens[g.part(i) - 1].is_punct(b'+')
        && tokens[g.part(i) - 1].end == first.start;
    if plus_before && lead.starts_with("45") {
        start = tokens[g.part(i) - 1].start;
        prefixed = true;
        if lead.len() == 2 {
            j += 1;
        } else {
            national_offset = 2;
        }
    } else if lead.starts_with("0045") {
        prefixed = true;
        if lead.len() == 4 {
            j += 1;
        } else {
            national_offset = 4;
        }
    } else if i == 0 && paren_prefix(text, tokens, g.part(i)) {
        prefixed = true;
        start = tokens[g.part(i) - 4].start;
    } else if i == 0 && g.part(i) > 0 {
        let p = tokens[g.part(i) - 1];
        if p.end == first.start && (p.kind == Kind::Word || p.is_punct(b'+')) {
            return None;
        }
    }
    if j >= g.n {
        return None;
    }
    let mut lens = [0usize; 8];
    let mut k = 0;
    for (n, ix) in (j..g.n).enumerate() {
        let t = tokens[g.part(ix)];
        let l = if ix == j {
            t.len() - national_offset
        } else {
            t.len()
        };
        if k >= lens.len() {
            return None;
        }
        lens[k] = l;
        k += 1;
        if n > 0 {
            let sep = g.seps[ix];
            if sep == b'/' || (sep == b'.' && g.n - j != 4) {
                return None;
            }
        }
    }
    let shape = &lens[..k];
    if !SHAPES.contains(&shape) {
        return None;
    }
    let national_first = tokens[g.part(j)]
        .text(text)
        .as_bytes()
        .get(national_offset)
        .copied()
        .unwrap_or(b'0');
    if !(b'2'..=b'9').contains(&national_first) {
        return None;
    }
    let last = tokens[g.part(g.n - 1)];
    let end = last.end;
    if let Some(n) = tokens.get(g.part(g.n - 1) + 1)
        && n.start == end
        && n.kind == Kind::Word
    {
        return None;
    }
    if amount_after(text, tokens, g.part(g.n - 1)) {
        return None;
    }
    let cue = context::before(text, start).map(|c| c.0);
    let (confidence, reason) = match cue {
        _ if prefixed => (0.97, "+45 prefix"),
        Some(Cue::Phone) => (0.95, "phone keyword"),
        Some(Cue::LookAlike(_) | Cue::Cpr) => return None,
        None if shape == [8] && looks_like_date(tokens[g.part(j)].text(text)) => return None,
        None if shape == [8] => (0.6, "eight digits, no context"),
        None => (0.75, "grouped eight digits"),
    };
    Some((
        Raw {
            category: Category::Phone,
            start,
            end,
            confidence,
            reason,
        },
        g.n - i,
    ))
}

/// `(+45)` right before token `num` with a space.
fn paren_prefix(text: &str, tokens: &[Token], num: usize) -> bool {
    let Some(ts) = num.checked_sub(4).and_then(|s| tokens.get(s..num)) else {
        return false;
    };
    ts[0].is_punct(b'(') && ts[1].is_punct(b'+') && ts[2].text(text) == "45" && ts[3].is_punct(b')')
}

fn amount_after(text: &str, tokens: &[Token], last: usize) -> bool {
    let mut k = last + 1;
    // `12345678,-` and `12345678 kr.`
    if let Some(t) = tokens.get(k)
        && t.is_punct(b',')
        && tokens.get(k + 1).is_some_and(|d| d.is_punct(b'-'))
    {
        return true;
    }
    if tokens.get(k).is_some_and(|t| t.is_punct(b'%')) {
        return true;
    }
    while tokens.get(k).is_some_and(|t| t.is_punct(b',')) {
        k += 1;
    }
    tokens.get(k).is_some_and(|t| {
        t.kind == Kind::Word
            && AMOUNT_AFTER
                .iter()
                .any(|w| t.text(text).eq_ignore_ascii_case(w))
    })
}

/// `YYYYMMDD` with a plausible year, month and day.
fn looks_like_date(d: &str) -> bool {
    let b = d.as_bytes();
    if b.len() != 8 {
        return false;
    }
    let n = |r: std::ops::Range<usize>| -> u32 {
        b[r].iter().fold(0, |a, x| a * 10 + u32::from(x - b'0'))
    };
    let (y, m, day) = (n(0..4), n(4..6), n(6..8));
    (1900..=2099).contains(&y) && (1..=12).contains(&m) && (1..=31).contains(&day)
}

#[cfg(test)]
mod tests {
    use crate::detect::{Category, detect};

    fn phones(text: &str) -> Vec<String> {
        detect(text, None)
            .into_iter()
            .filter(|f| f.category == Category::Phone)
            .map(|f| f.text)
            .collect()
    }

    #[test]
    fn finds_the_spellings() {
        assert_eq!(phones("tlf. 20304050"), ["20304050"]);
        assert_eq!(phones("Tlf. 20 30 40 50."), ["20 30 40 50"]);
        assert_eq!(phones("ring på 2030 4050"), ["2030 4050"]);
        assert_eq!(phones("mobil +45 20 30 40 50"), ["+45 20 30 40 50"]);
        assert_eq!(phones("på +4520304050 i dag"), ["+4520304050"]);
        assert_eq!(phones("0045 20304050"), ["0045 20304050"]);
        assert_eq!(phones("(+45) 2030 4050"), ["(+45) 2030 4050"]);
        assert_eq!(phones("kan træffes på 20-30-40-50"), ["20-30-40-50"]);
    }

    #[test]
    fn refuses_look_alikes() {
        assert!(phones("CVR 20304050").is_empty());
        assert!(phones("CVR-nr.: 20 30 40 50").is_empty());
        assert!(phones("konto 20304050").is_empty());
        assert!(phones("beløbet 20304050 kr.").is_empty());
        assert!(phones("opgjort 20240312 som dato").is_empty());
        assert!(phones("Faktura 20304050").is_empty());
        assert!(phones("nummer 10304050").is_empty());
        assert!(phones("dato 12.03.2024").is_empty());
    }
}
