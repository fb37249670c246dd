//! The one tokenising pass: words, digit runs and single punctuation marks with byte spans.
//!
//! Whitespace is not a token; rules look at the gap between two tokens ([`gap`]) to tell a
//! space from a line break.

/// What a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Letters, with inner hyphens and apostrophes (`Anne-Marie`, `O'Brien`).
    Word,
    /// ASCII digits.
    Num,
    /// One other non-space character (the byte is its first byte).
    Punct(u8),
}

/// A token: its kind, byte span and, for words, whether it starts with a capital letter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    /// Kind.
    pub kind: Kind,
    /// Byte start.
    pub start: usize,
    /// Byte end (exclusive).
    pub end: usize,
    /// A word starting with an upper-case letter.
    pub cap: bool,
}

impl Token {
    /// Its text.
    pub fn text<'a>(&self, text: &'a str) -> &'a str {
        text.get(self.start..self.end).unwrap_or("")
    }
    /// Whether it is this punctuation byte.
    pub fn is_punct(&self, b: u8) -> bool {
        self.kind == Kind::Punct(b)
    }
    /// Length in bytes.
    pub fn len(&self) -> usize {
        self.end - self.start
    }
    /// Whether it is empty (never, for a token from [`tokenize`]).
    pub fn is_empty(&self) -> bool {
        self.end == self.start
    }
}

/// The gap between two tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gap {
    /// Adjacent.
    None,
    /// Spaces or tabs only.
    Space,
    /// Exactly one line break (with any spaces).
    Line,
    /// More than one line break: a new paragraph.
    Paragraph,
}

/// The gap between byte `end` of one token and byte `start` of the next.
pub fn gap(text: &str, end: usize, start: usize) -> Gap {
    let Some(g) = text.as_bytes().get(end..start) else {
        return Gap::Paragraph;
    };
    if g.is_empty() {
        return Gap::None;
    }
    match g.iter().filter(|b| **b == b'\n').count() {
        0 => Gap::Space,
        1 => Gap::Line,
        _ => Gap::Paragraph,
    }
}

/// The gap between tokens `a` and `a + 1`.
pub fn gap_after(text: &str, tokens: &[Token], a: usize) -> Gap {
    match (tokens.get(a), tokens.get(a + 1)) {
        (Some(x), Some(y)) => gap(text, x.end, y.start),
        _ => Gap::Paragraph,
    }
}

fn is_word_char(c: char) -> bool {
    c.is_alphabetic()
}

/// Split `text` into tokens in one pass.
pub fn tokenize(text: &str) -> Vec<Token> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(text.len() / 5 + 1);
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b.is_ascii_digit() {
            let s = i;
            while i < bytes.len() && bytes[i].is_ascii_digit() {
                i += 1;
            }
            out.push(Token {
                kind: Kind::Num,
                start: s,
                end: i,
                cap: false,
            });
            continue;
        }
        if b == b' ' || b == b'\n' || b == b'\t' || b == b'\r' {
            i += 1;
            continue;
        }
        let (c, w) = decode(bytes, i, text);
        if is_word_char(c) {
            let s = i;
            let cap = c.is_uppercase();
            i += w;
            while let Some(&n) = bytes.get(i) {
                if n.is_ascii_alphabetic() {
                    i += 1;
                    continue;
                }
                if n < 0x80 {
                    // An inner hyphen or apostrophe joins two letter runs.
                    if (n == b'-' || n == b'\'')
                        && bytes
                            .get(i + 1)
                            .is_some_and(|x| x.is_ascii_alphabetic() || *x >= 0x80)
                    {
                        let (c2, _) = decode(bytes, i + 1, text);
                        if is_word_char(c2) {
                            i += 1;
                            continue;
                        }
                    }
                    break;
                }
                let (c2, w2) = decode(bytes, i, text);
                if is_word_char(c2) {
                    i += w2;
                } else {
                    break;
                }
            }
            out.push(Token {
                kind: Kind::Word,
                start: s,
                end: i,
                cap,
            });
            continue;
        }
        if c.is_whitespace() {
            i += w;
            continue;
        }
        out.push(Token {
            kind: Kind::Punct(b),
            start: i,
            end: i + w,
            cap: false,
        });
        i += w;
    }
    out
}

/// The char at byte `i` and its width (a replacement char of width 1 off a boundary).
fn decode(bytes: &[u8], i: usize, text: &str) -> (char, usize) {
    let b = bytes[i];
    if b < 0x80 {
        return (char::from(b), 1);
    }
    match text.get(i..).and_then(|s| s.chars().next()) {
        Some(c) => (c, c.len_utf8()),
        None => ('\u{FFFD}', 1),
    }
}

/// Most parts a digit group keeps (longer runs start a new group).
pub const MAX_PARTS: usize = 8;

/// Digit runs joined by single separators (`010203-1234`, `+45 12 34 56 78`, `12.03.2024`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Group {
    /// Token indices of the digit runs.
    pub parts: [usize; MAX_PARTS],
    /// The separator before each part (`0` before the first): `b' '`, `b'-'`, `b'.'`, `b'/'`.
    pub seps: [u8; MAX_PARTS],
    /// How many parts.
    pub n: usize,
}

impl Group {
    /// Token index of part `i`.
    pub fn part(&self, i: usize) -> usize {
        self.parts[i]
    }
}

/// The digit groups of a token list, in order.
pub fn digit_groups(text: &str, tokens: &[Token]) -> Vec<Group> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        if tokens[i].kind != Kind::Num {
            i += 1;
            continue;
        }
        let mut g = Group {
            parts: [i; MAX_PARTS],
            seps: [0; MAX_PARTS],
            n: 1,
        };
        let mut j = i;
        while g.n < MAX_PARTS {
            let Some(next) = tokens.get(j + 1) else { break };
            let cur = tokens[j];
            if next.kind == Kind::Num {
                // Only one plain space joins two runs.
                if text.as_bytes().get(cur.end..next.start) == Some(b" ") {
                    g.parts[g.n] = j + 1;
                    g.seps[g.n] = b' ';
                    g.n += 1;
                    j += 1;
                    continue;
                }
                break;
            }
            let sep = match next.kind {
                Kind::Punct(b @ (b'-' | b'.' | b'/')) => b,
                _ => break,
            };
            match tokens.get(j + 2) {
                Some(after)
                    if after.kind == Kind::Num
                        && next.start == cur.end
                        && after.start == next.end =>
                {
                    g.parts[g.n] = j + 2;
                    g.seps[g.n] = sep;
                    g.n += 1;
                    j += 2;
                }
                _ => break,
            }
        }
        out.push(g);
        i = j + 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_words_numbers_and_marks() {
        let t = "Anne-Marie bor på Gammel Kongevej 5E, 4. th.";
        let toks = tokenize(t);
        let texts: Vec<&str> = toks.iter().map(|k| k.text(t)).collect();
        assert_eq!(
            texts,
            [
                "Anne-Marie",
                "bor",
                "på",
                "Gammel",
                "Kongevej",
                "5",
                "E",
                ",",
                "4",
                ".",
                "th",
                "."
            ]
        );
        assert!(toks[0].cap && !toks[1].cap);
        assert_eq!(gap(t, toks[5].end, toks[6].start), Gap::None);
    }

    #[test]
    fn tells_line_breaks_from_paragraphs() {
        let t = "a b\nc\n\nd";
        let toks = tokenize(t);
        assert_eq!(gap_after(t, &toks, 0), Gap::Space);
        assert_eq!(gap_after(t, &toks, 1), Gap::Line);
        assert_eq!(gap_after(t, &toks, 2), Gap::Paragraph);
    }

    #[test]
    fn groups_digit_runs_by_single_separators() {
        let t = "010203-1234 og +45 12 34 56 78, 12.03.2024";
        let toks = tokenize(t);
        let g = digit_groups(t, &toks);
        let lens: Vec<usize> = g.iter().map(|g| g.n).collect();
        assert_eq!(lens, [2, 5, 3]);
        assert_eq!(g[2].seps[1], b'.');
    }
}
