//! Text for the pages the bundle draws itself (front matter and stamps): Helvetica metrics,
//! WinAnsi encoding, line wrapping and a small content-stream builder.
//!
//! The fonts are the standard-14 Helvetica and Helvetica-Bold with `/WinAnsiEncoding`, which
//! covers Danish (æøå, é, ü, ...) and Western European names. They are not embedded, so the
//! bundle is PDF/A-*friendly* (no JavaScript, no encryption, no transparency, no external
//! content) but does not claim PDF/A: full PDF/A needs an embedded font, which
//! `pipeline::render`'s Unicode font can supply once it is wired in here ([`Face`] is the one
//! place that would change). A character WinAnsi lacks is drawn as `?` — documented, and the
//! reason the embedded font is the next step.

use std::fmt::Write as _;

/// Helvetica advance widths of U+0020..=U+007E (1/1000 em, from the AFM).
const HELVETICA_ASCII: [u16; 95] = [
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556,
    556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556, 1015, 667, 667, 722, 722, 667,
    611, 778, 722, 278, 500, 667, 556, 833, 722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667,
    667, 611, 278, 278, 278, 469, 556, 333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500,
    222, 833, 556, 556, 556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,
];

/// Helvetica-Bold advance widths of U+0020..=U+007E.
const HELVETICA_BOLD_ASCII: [u16; 95] = [
    278, 333, 474, 556, 556, 889, 722, 238, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556,
    556, 556, 556, 556, 556, 556, 556, 333, 333, 584, 584, 584, 611, 975, 722, 722, 722, 722, 667,
    611, 778, 722, 278, 556, 722, 611, 833, 722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667,
    667, 611, 333, 278, 333, 584, 556, 333, 556, 611, 556, 611, 556, 333, 611, 611, 278, 278, 556,
    278, 889, 611, 611, 611, 611, 389, 556, 333, 611, 556, 778, 556, 556, 500, 389, 280, 389, 584,
];

/// WinAnsiEncoding 0x80..=0x9F (unassigned codes as `\0`).
const WIN_ANSI_HIGH: [char; 32] = [
    '€', '\0', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\0', 'Ž', '\0', '\0', '‘',
    '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\0', 'ž', 'Ÿ',
];

/// A font face of the front matter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Face {
    /// Helvetica, resource name `/F1`.
    Regular,
    /// Helvetica-Bold, resource name `/F2`.
    Bold,
}

impl Face {
    /// The page resource name.
    pub(crate) fn resource(self) -> &'static str {
        match self {
            Self::Regular => "F1",
            Self::Bold => "F2",
        }
    }

    /// The standard-14 base font.
    pub(crate) fn base_font(self) -> &'static str {
        match self {
            Self::Regular => "Helvetica",
            Self::Bold => "Helvetica-Bold",
        }
    }

    /// Advance width of `ch` in 1/1000 em; accented letters as their base letter.
    fn glyph_width(self, ch: char) -> f32 {
        let table = match self {
            Self::Regular => &HELVETICA_ASCII,
            Self::Bold => &HELVETICA_BOLD_ASCII,
        };
        let ascii = |c: char| f32::from(table[(c as usize) - 0x20]);
        match ch {
            ' '..='~' => ascii(ch),
            'æ' => 889.0,
            'Æ' => 1000.0,
            'ø' => 611.0,
            'Ø' => 778.0,
            'ß' => 611.0,
            '§' => 556.0,
            '–' => 556.0,
            '—' => 1000.0,
            '·' | '•' => 350.0,
            'À'..='Å' => ascii('A'),
            'Ç' => ascii('C'),
            'È'..='Ë' => ascii('E'),
            'Ì'..='Ï' => ascii('I'),
            'Ñ' => ascii('N'),
            'Ò'..='Ö' => ascii('O'),
            'Ù'..='Ü' => ascii('U'),
            'Ý' => ascii('Y'),
            'à'..='å' => ascii('a'),
            'ç' => ascii('c'),
            'è'..='ë' => ascii('e'),
            'ì'..='ï' => ascii('i'),
            'ñ' => ascii('n'),
            'ò'..='ö' => ascii('o'),
            'ù'..='ü' => ascii('u'),
            'ý' | 'ÿ' => ascii('y'),
            _ => 556.0,
        }
    }

    /// Width of `text` at `size` points.
    pub(crate) fn width(self, text: &str, size: f32) -> f32 {
        text.chars().map(|c| self.glyph_width(c)).sum::<f32>() * size / 1000.0
    }
}

/// The WinAnsi byte for `ch`, `?` where WinAnsi has none.
fn win_ansi(ch: char) -> u8 {
    match ch as u32 {
        0x20..=0x7E | 0xA0..=0xFF => ch as u32 as u8,
        _ => WIN_ANSI_HIGH
            .iter()
            .position(|&c| c == ch && c != '\0')
            .map_or(b'?', |i| 0x80 + i as u8),
    }
}

/// Appends `text` as a PDF literal string in WinAnsi, escaping what must be escaped.
pub(crate) fn literal(out: &mut Vec<u8>, text: &str) {
    out.push(b'(');
    for ch in text.chars() {
        let ch = if ch.is_control() { ' ' } else { ch };
        match win_ansi(ch) {
            b @ (b'(' | b')' | b'\\') => out.extend_from_slice(&[b'\\', b]),
            b => out.push(b),
        }
    }
    out.push(b')');
}

/// Splits `text` into lines no wider than `max` points at `size`, breaking at spaces where it
/// can and inside a word only when the word alone is too wide. Explicit `\n` are kept.
pub(crate) fn wrap(text: &str, face: Face, size: f32, max: f32) -> Vec<String> {
    let mut lines = Vec::new();
    for paragraph in text.split('\n') {
        let mut line = String::new();
        for word in paragraph.split_whitespace() {
            let candidate = if line.is_empty() {
                word.to_owned()
            } else {
                format!("{line} {word}")
            };
            if face.width(&candidate, size) <= max {
                line = candidate;
                continue;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            // A word wider than the column is cut where it must be.
            for ch in word.chars() {
                line.push(ch);
                if face.width(&line, size) > max && line.chars().count() > 1 {
                    line.pop();
                    lines.push(std::mem::take(&mut line));
                    line.push(ch);
                }
            }
        }
        lines.push(line);
    }
    lines
}

/// A content stream under construction.
#[derive(Default)]
pub(crate) struct Content {
    /// The operators so far.
    pub(crate) bytes: Vec<u8>,
}

impl Content {
    /// Draws `text` with its baseline starting at (`x`, `y`).
    pub(crate) fn text(&mut self, face: Face, size: f32, x: f32, y: f32, text: &str) {
        if text.is_empty() {
            return;
        }
        let _ = write!(
            Ops(&mut self.bytes),
            "BT /{} {size} Tf {x:.2} {y:.2} Td ",
            face.resource()
        );
        literal(&mut self.bytes, text);
        self.bytes.extend_from_slice(b" Tj ET\n");
    }

    /// Draws `text` ending at `x_right`.
    pub(crate) fn text_right(&mut self, face: Face, size: f32, x_right: f32, y: f32, text: &str) {
        let x = x_right - face.width(text, size);
        self.text(face, size, x, y, text);
    }

    /// Draws `text` centred on `x_mid`.
    pub(crate) fn text_centred(&mut self, face: Face, size: f32, x_mid: f32, y: f32, text: &str) {
        let x = x_mid - face.width(text, size) / 2.0;
        self.text(face, size, x, y, text);
    }

    /// Sets the fill colour to a grey level (0 black, 1 white).
    pub(crate) fn fill_grey(&mut self, level: f32) {
        let _ = writeln!(Ops(&mut self.bytes), "{level} g");
    }

    /// Fills a rectangle.
    pub(crate) fn rect(&mut self, x: f32, y: f32, w: f32, h: f32) {
        let _ = writeln!(Ops(&mut self.bytes), "{x:.2} {y:.2} {w:.2} {h:.2} re f");
    }

    /// Strokes a horizontal rule of `width` points in grey `level`.
    pub(crate) fn rule(&mut self, x0: f32, x1: f32, y: f32, width: f32, level: f32) {
        let _ = writeln!(
            Ops(&mut self.bytes),
            "q {level} G {width} w {x0:.2} {y:.2} m {x1:.2} {y:.2} l S Q"
        );
    }

    /// Appends raw operators.
    pub(crate) fn raw(&mut self, ops: &str) {
        self.bytes.extend_from_slice(ops.as_bytes());
    }
}

/// `fmt::Write` over a byte buffer (operators are ASCII).
struct Ops<'a>(&'a mut Vec<u8>);

impl std::fmt::Write for Ops<'_> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.0.extend_from_slice(s.as_bytes());
        Ok(())
    }
}

/// Lower-case roman numerals, for the front matter's page labels and footers.
pub(crate) fn roman(mut n: u32) -> String {
    const TABLE: [(u32, &str); 13] = [
        (1000, "m"),
        (900, "cm"),
        (500, "d"),
        (400, "cd"),
        (100, "c"),
        (90, "xc"),
        (50, "l"),
        (40, "xl"),
        (10, "x"),
        (9, "ix"),
        (5, "v"),
        (4, "iv"),
        (1, "i"),
    ];
    let mut out = String::new();
    for (value, numeral) in TABLE {
        while n >= value {
            out.push_str(numeral);
            n -= value;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn win_ansi_covers_danish_and_the_dash() {
        let mut out = Vec::new();
        literal(&mut out, "Æblegrød på § 30 – (nr. 1)");
        assert_eq!(
            out,
            b"(\xC6blegr\xF8d p\xE5 \xA7 30 \x96 \\(nr. 1\\))".to_vec()
        );
    }

    #[test]
    fn wrap_breaks_at_spaces_and_cuts_long_words() {
        let lines = wrap("et to tre fire fem", Face::Regular, 10.0, 40.0);
        assert!(lines.len() > 1);
        assert!(lines.iter().all(|l| Face::Regular.width(l, 10.0) <= 40.0));
        assert_eq!(lines.join(" "), "et to tre fire fem");
        let long = wrap(
            "Kommunaldirektøratsforvaltningen",
            Face::Regular,
            10.0,
            50.0,
        );
        assert!(long.len() > 1);
        assert_eq!(long.concat(), "Kommunaldirektøratsforvaltningen");
    }

    #[test]
    fn roman_numerals() {
        assert_eq!(roman(1), "i");
        assert_eq!(roman(4), "iv");
        assert_eq!(roman(14), "xiv");
        assert_eq!(roman(49), "xlix");
    }
}
