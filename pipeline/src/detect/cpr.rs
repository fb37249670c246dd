//! CPR numbers in text: `010203-1234`, `0102031234`, `010203 1234`, masked `010203-XXXX`.
//!
//! The shape is found on the digit groups of the token pass; the date and century rule and
//! modulus 11 come from [`crate::cpr`]. Modulus 11 only raises confidence (numbers issued since
//! 2007 may fail it). The nearest keyword before decides look-alikes: a case, journal, CVR,
//! account, invoice, EAN or reference keyword, or a phone keyword, means it is no CPR number.

use super::context::{self, Cue};
use super::token::{Group, Kind, Token};
use super::{Category, Raw};
use crate::cpr::Cpr;

/// Whether the token before `first` (if any) is glued to it as a word or a joining mark.
fn glued_before(tokens: &[Token], first: usize) -> bool {
    first
        .checked_sub(1)
        .and_then(|p| tokens.get(p))
        .is_some_and(|p| {
            p.end == tokens[first].start
                && (p.kind == Kind::Word
                    || matches!(p.kind, Kind::Punct(b'-' | b'/' | b'.' | b'+')))
        })
}

/// Whether the token after `last` is glued to it as a word, digit run or joining mark.
fn glued_after(tokens: &[Token], last: usize) -> bool {
    tokens.get(last + 1).is_some_and(|n| {
        n.start == tokens[last].end
            && match n.kind {
                Kind::Word | Kind::Num => true,
                // A joining mark followed directly by more digits or letters.
                Kind::Punct(b'-' | b'/') => tokens.get(last + 2).is_some_and(|a| a.start == n.end),
                _ => false,
            }
    })
}

/// Try a CPR number at part `i` of a digit group. `None`: no CPR shape here. `Some((found, used))`:
/// a CPR shape using `used` parts, `found` if it is accepted as a CPR number.
pub(crate) fn classify(
    text: &str,
    tokens: &[Token],
    g: &Group,
    i: usize,
) -> Option<(Option<Raw>, usize)> {
    let first = g.part(i);
    let t0 = tokens[first];
    let (last, used, spaced) = if t0.len() == 6
        && i + 1 < g.n
        && matches!(g.seps[i + 1], b'-' | b' ')
        && tokens[g.part(i + 1)].len() == 4
    {
        (g.part(i + 1), 2, true)
    } else if t0.len() == 10 {
        (first, 1, false)
    } else if t0.len() == 6 && i + 1 == g.n {
        return masked(text, tokens, first).map(|r| (r, 1));
    } else {
        return None;
    };
    let start = t0.start;
    let end = tokens[last].end;
    // Part of a longer reference (`2024-010203-1234`, `1234-0102031234`) or glued to letters.
    let joined_before = i > 0;
    let joined_after = i + used < g.n && g.seps[i + used] != b' ';
    if (i == 0 && glued_before(tokens, first)) || glued_after(tokens, last) {
        return Some((None, used));
    }
    // After a phone or CPR number in the same space-joined run is fine; glued to a part is not.
    if (joined_before && !(g.seps[i] == b' ' && i >= 2)) || joined_after {
        return Some((None, used));
    }
    let digits: String = text
        .get(start..end)
        .unwrap_or("")
        .bytes()
        .filter(u8::is_ascii_digit)
        .map(char::from)
        .collect();
    let Ok(cpr) = Cpr::parse(&digits) else {
        return Some((None, used));
    };
    let cue = context::before(text, start).map(|c| c.0);
    if matches!(cue, Some(Cue::LookAlike(_) | Cue::Phone)) {
        return Some((None, used));
    }
    let keyword = cue == Some(Cue::Cpr);
    let mod11 = cpr.passes_mod11();
    let mut confidence: f32 = if spaced { 0.8 } else { 0.65 };
    if mod11 {
        confidence += 0.15;
    } else if !cpr.mod11_optional() {
        confidence -= 0.15;
    }
    if keyword {
        confidence += 0.2;
    }
    let reason = match (keyword, mod11) {
        (true, true) => "CPR keyword, valid date, modulus 11",
        (true, false) => "CPR keyword, valid date",
        (false, true) => "valid date, modulus 11",
        (false, false) => "valid date, no modulus 11",
    };
    Some((
        Some(Raw {
            category: Category::Cpr,
            start,
            end,
            confidence: confidence.min(0.99),
            reason,
        }),
        used,
    ))
}

/// `010203-XXXX`, `010203-xxxx` or `010203-****` after the six digits at token `first`.
fn masked(text: &str, tokens: &[Token], first: usize) -> Option<Option<Raw>> {
    let dash = tokens.get(first + 1)?;
    if !dash.is_punct(b'-') || dash.start != tokens[first].end {
        return None;
    }
    let mask = tokens.get(first + 2)?;
    let end = if mask.kind == Kind::Word
        && mask.start == dash.end
        && mask.len() == 4
        && mask.text(text).bytes().all(|b| b == b'X' || b == b'x')
    {
        mask.end
    } else {
        let stars = tokens.get(first + 2..first + 6)?;
        let contiguous = stars.windows(2).all(|w| w[0].end == w[1].start);
        if stars.iter().all(|t| t.is_punct(b'*')) && contiguous && stars[0].start == dash.end {
            stars[3].end
        } else {
            return None;
        }
    };
    let six = tokens[first].text(text);
    // The century digit is masked: a date valid in any century will do.
    let valid = ["0000", "4000", "5000"]
        .iter()
        .any(|s| Cpr::parse(&format!("{six}{s}")).is_ok());
    if !valid || (first > 0 && glued_before(tokens, first)) {
        return Some(None);
    }
    let cue = context::before(text, tokens[first].start).map(|c| c.0);
    if matches!(cue, Some(Cue::LookAlike(_) | Cue::Phone)) {
        return Some(None);
    }
    Some(Some(Raw {
        category: Category::Cpr,
        start: tokens[first].start,
        end,
        confidence: if cue == Some(Cue::Cpr) { 0.95 } else { 0.85 },
        reason: "masked CPR, valid date",
    }))
}

#[cfg(test)]
mod tests {
    use crate::detect::{Category, detect};

    fn cprs(text: &str) -> Vec<String> {
        detect(text, None)
            .into_iter()
            .filter(|f| f.category == Category::Cpr)
            .map(|f| f.text)
            .collect()
    }

    #[test]
    fn finds_every_common_spelling() {
        assert_eq!(cprs("CPR-nr. 070761-4285."), ["070761-4285"]);
        assert_eq!(cprs("cpr 0707614285"), ["0707614285"]);
        assert_eq!(cprs("personnummer 070761 4285"), ["070761 4285"]);
        assert_eq!(cprs("CPR: 070761-XXXX"), ["070761-XXXX"]);
        assert_eq!(cprs("født 070761-****"), ["070761-****"]);
        // A number issued after 2007 may fail modulus 11 and is still a CPR number.
        assert_eq!(cprs("barnet, 010110-4001, bor"), ["010110-4001"]);
    }

    #[test]
    fn refuses_impossible_dates() {
        assert!(cprs("CPR 320161-4285").is_empty());
        assert!(cprs("CPR 011361-4285").is_empty());
        assert!(cprs("nr. 351299-1234").is_empty());
    }

    #[test]
    fn refuses_look_alikes_by_context_and_shape() {
        assert!(cprs("Sagsnr. 070761-4285").is_empty());
        assert!(cprs("j.nr. 070761-4285").is_empty());
        assert!(cprs("CVR 0707614285").is_empty());
        assert!(cprs("reg.nr. 1234 konto 0707614285").is_empty());
        assert!(cprs("konto 1234-0707614285").is_empty());
        assert!(cprs("Faktura 0707614285").is_empty());
        assert!(cprs("EAN 5790000707614").is_empty());
        assert!(cprs("tlf. 0707614285").is_empty());
        assert!(cprs("løbenummer 070761-4285").is_empty());
        assert!(cprs("ref. 2024-070761-4285").is_empty());
        assert!(cprs("kode 070761-42851").is_empty());
    }

    #[test]
    fn nearest_keyword_decides() {
        assert_eq!(cprs("Tlf. 12345678, CPR 0707614285"), ["0707614285"]);
    }
}
