//! Simple-font encodings (WinAnsi, Standard, MacRoman), glyph names, and Helvetica metrics.

/// Glyph names of U+0020..=U+007E, in order.
const ASCII_NAMES: &str = "space exclam quotedbl numbersign dollar percent ampersand quotesingle \
parenleft parenright asterisk plus comma hyphen period slash zero one two three four five six seven \
eight nine colon semicolon less equal greater question at A B C D E F G H I J K L M N O P Q R S T U V \
W X Y Z bracketleft backslash bracketright asciicircum underscore grave a b c d e f g h i j k l m n o \
p q r s t u v w x y z braceleft bar braceright asciitilde";

/// Glyph names of U+00A0..=U+00FF, in order.
const LATIN1_NAMES: &str = "nbspace exclamdown cent sterling currency yen brokenbar section \
dieresis copyright ordfeminine guillemotleft logicalnot sfthyphen registered macron degree plusminus \
twosuperior threesuperior acute mu paragraph periodcentered cedilla onesuperior ordmasculine \
guillemotright onequarter onehalf threequarters questiondown Agrave Aacute Acircumflex Atilde \
Adieresis Aring AE Ccedilla Egrave Eacute Ecircumflex Edieresis Igrave Iacute Icircumflex Idieresis \
Eth Ntilde Ograve Oacute Ocircumflex Otilde Odieresis multiply Oslash Ugrave Uacute Ucircumflex \
Udieresis Yacute Thorn germandbls agrave aacute acircumflex atilde adieresis aring ae ccedilla \
egrave eacute ecircumflex edieresis igrave iacute icircumflex idieresis eth ntilde ograve oacute \
ocircumflex otilde odieresis divide oslash ugrave uacute ucircumflex udieresis yacute thorn ydieresis";

/// Other glyph names in the encodings above.
const OTHER_NAMES: &[(&str, char)] = &[
    ("quoteright", '’'),
    ("quoteleft", '‘'),
    ("quotedblleft", '“'),
    ("quotedblright", '”'),
    ("quotesinglbase", '‚'),
    ("quotedblbase", '„'),
    ("endash", '–'),
    ("emdash", '—'),
    ("bullet", '•'),
    ("ellipsis", '…'),
    ("dagger", '†'),
    ("daggerdbl", '‡'),
    ("perthousand", '‰'),
    ("Euro", '€'),
    ("trademark", '™'),
    ("fi", 'ﬁ'),
    ("fl", 'ﬂ'),
    ("OE", 'Œ'),
    ("oe", 'œ'),
    ("Scaron", 'Š'),
    ("scaron", 'š'),
    ("Zcaron", 'Ž'),
    ("zcaron", 'ž'),
    ("Ydieresis", 'Ÿ'),
    ("florin", 'ƒ'),
    ("circumflex", 'ˆ'),
    ("tilde", '˜'),
    ("guilsinglleft", '‹'),
    ("guilsinglright", '›'),
    ("fraction", '⁄'),
    ("dotlessi", 'ı'),
    ("Lslash", 'Ł'),
    ("lslash", 'ł'),
    ("minus", '−'),
    ("space", ' '),
    ("hyphen", '-'),
    ("breve", '˘'),
    ("dotaccent", '˙'),
    ("ring", '˚'),
    ("hungarumlaut", '˝'),
    ("ogonek", '˛'),
    ("caron", 'ˇ'),
];

/// The character a glyph name stands for (the Adobe Glyph List for what Danish text uses,
/// `uniXXXX` and `uXXXX`).
pub(super) fn glyph_char(name: &str) -> Option<char> {
    let base = name.split('.').next().unwrap_or(name);
    if let Some(i) = ASCII_NAMES.split_whitespace().position(|n| n == base) {
        return char::from_u32(0x20 + i as u32);
    }
    if let Some(i) = LATIN1_NAMES.split_whitespace().position(|n| n == base) {
        return char::from_u32(0xA0 + i as u32);
    }
    if let Some((_, c)) = OTHER_NAMES.iter().find(|(n, _)| *n == base) {
        return Some(*c);
    }
    let hex = base
        .strip_prefix("uni")
        .filter(|h| h.len() == 4)
        .or_else(|| {
            base.strip_prefix('u')
                .filter(|h| (4..=6).contains(&h.len()))
        })?;
    u32::from_str_radix(hex, 16).ok().and_then(char::from_u32)
}

/// Windows-1252 (PDF's WinAnsiEncoding); undefined codes map as Latin-1.
pub(crate) fn cp1252(b: u8) -> char {
    const HIGH: [char; 32] = [
        '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8D}', 'Ž',
        '\u{8F}', '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9D}',
        'ž', 'Ÿ',
    ];
    match b {
        0x80..=0x9F => HIGH[usize::from(b - 0x80)],
        _ => char::from(b),
    }
}

/// MacRomanEncoding, codes 0x80..=0xFF.
const MAC_ROMAN_HIGH: &str = "ÄÅÇÉÑÖÜáàâäãåçéèêëíìîïñóòôöõúùûü†°¢£§•¶ß®©™´¨≠ÆØ∞±≤≥¥µ∂∑∏π∫ªºΩæø\
¿¡¬√ƒ≈∆«»…\u{A0}ÀÃÕŒœ–—“”‘’÷◊ÿŸ⁄€‹›ﬁﬂ‡·‚„‰ÂÊÁËÈÍÎÏÌÓÔ\u{F8FF}ÒÚÛÙıˆ˜¯˘˙˚¸˝˛ˇ";

/// StandardEncoding's upper half, as (code, glyph name).
const STANDARD_HIGH: &[(u8, &str)] = &[
    (0xA1, "exclamdown"),
    (0xA2, "cent"),
    (0xA3, "sterling"),
    (0xA4, "fraction"),
    (0xA5, "yen"),
    (0xA6, "florin"),
    (0xA7, "section"),
    (0xA8, "currency"),
    (0xA9, "quotesingle"),
    (0xAA, "quotedblleft"),
    (0xAB, "guillemotleft"),
    (0xAC, "guilsinglleft"),
    (0xAD, "guilsinglright"),
    (0xAE, "fi"),
    (0xAF, "fl"),
    (0xB1, "endash"),
    (0xB2, "dagger"),
    (0xB3, "daggerdbl"),
    (0xB4, "periodcentered"),
    (0xB6, "paragraph"),
    (0xB7, "bullet"),
    (0xB8, "quotesinglbase"),
    (0xB9, "quotedblbase"),
    (0xBA, "quotedblright"),
    (0xBB, "guillemotright"),
    (0xBC, "ellipsis"),
    (0xBD, "perthousand"),
    (0xBF, "questiondown"),
    (0xC1, "grave"),
    (0xC2, "acute"),
    (0xC3, "circumflex"),
    (0xC4, "tilde"),
    (0xC5, "macron"),
    (0xC6, "breve"),
    (0xC7, "dotaccent"),
    (0xC8, "dieresis"),
    (0xCA, "ring"),
    (0xCB, "cedilla"),
    (0xCD, "hungarumlaut"),
    (0xCE, "ogonek"),
    (0xCF, "caron"),
    (0xD0, "emdash"),
    (0xE1, "AE"),
    (0xE3, "ordfeminine"),
    (0xE8, "Lslash"),
    (0xE9, "Oslash"),
    (0xEA, "OE"),
    (0xEB, "ordmasculine"),
    (0xF1, "ae"),
    (0xF5, "dotlessi"),
    (0xF8, "lslash"),
    (0xF9, "oslash"),
    (0xFA, "oe"),
    (0xFB, "germandbls"),
];

/// A base encoding of a simple font.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum BaseEncoding {
    /// WinAnsiEncoding (CP1252).
    WinAnsi,
    /// StandardEncoding (Adobe).
    Standard,
    /// MacRomanEncoding.
    MacRoman,
}

impl BaseEncoding {
    /// The encoding a `/Encoding` or `/BaseEncoding` name stands for.
    pub(super) fn from_name(name: &[u8]) -> Option<Self> {
        match name {
            b"WinAnsiEncoding" | b"PDFDocEncoding" => Some(Self::WinAnsi),
            b"StandardEncoding" => Some(Self::Standard),
            b"MacRomanEncoding" | b"MacExpertEncoding" => Some(Self::MacRoman),
            _ => None,
        }
    }

    /// The 256-entry code table.
    pub(super) fn table(self) -> [Option<char>; 256] {
        let mut t = [None; 256];
        for (code, slot) in t.iter_mut().enumerate().skip(0x20).take(0x5F) {
            *slot = char::from_u32(code as u32);
        }
        match self {
            Self::WinAnsi => {
                for (code, slot) in t.iter_mut().enumerate().skip(0x80) {
                    *slot = Some(cp1252(code as u8));
                }
            }
            Self::MacRoman => {
                for (slot, ch) in t.iter_mut().skip(0x80).zip(MAC_ROMAN_HIGH.chars()) {
                    *slot = Some(ch);
                }
            }
            Self::Standard => {
                t[0x27] = Some('’');
                t[0x60] = Some('‘');
                for (code, name) in STANDARD_HIGH {
                    t[usize::from(*code)] = glyph_char(name);
                }
            }
        }
        t
    }
}

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

/// Which standard-14 metrics a font name uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Metrics {
    /// Helvetica / Arial (also the fallback for unknown fonts).
    Helvetica,
    /// Helvetica-Bold / Arial Bold.
    HelveticaBold,
    /// Courier: every glyph 600.
    Courier,
}

impl Metrics {
    /// The metrics for a `/BaseFont` name (a subset prefix `ABCDEF+` ignored).
    pub(crate) fn for_font(base_font: &str) -> Self {
        let name = base_font.rsplit('+').next().unwrap_or(base_font);
        if name.contains("Courier") || name.contains("Mono") {
            Self::Courier
        } else if name.contains("Bold") || name.contains("Black") || name.contains("Heavy") {
            Self::HelveticaBold
        } else {
            Self::Helvetica
        }
    }

    /// Advance width of `ch` in 1/1000 em (Latin-1 letters as their base letter).
    pub(crate) fn width(self, ch: char) -> f32 {
        let table = match self {
            Self::Courier => return 600.0,
            Self::Helvetica => &HELVETICA_ASCII,
            Self::HelveticaBold => &HELVETICA_BOLD_ASCII,
        };
        let ascii = |c: char| f32::from(table[(c as usize) - 0x20]);
        match ch {
            ' '..='~' => ascii(ch),
            'æ' => 889.0,
            'Æ' => 1000.0,
            'ø' => 611.0,
            'Ø' => 778.0,
            'ß' => 611.0,
            'À'..='Å' => ascii('A'),
            'Ç' => 722.0,
            'È'..='Ë' => ascii('E'),
            'Ì'..='Ï' | 'ì'..='ï' | 'ı' => 278.0,
            'Ð' | 'Ñ' | 'Ù'..='Ü' => 722.0,
            'Ò'..='Ö' => 778.0,
            'Ý' | 'Þ' => 667.0,
            'à'..='å' | 'è'..='ë' | 'ð' => ascii('a'),
            'ç' => ascii('c'),
            'ñ' | 'ò'..='ö' | 'ù'..='ü' | 'þ' => ascii('n'),
            'ý' | 'ÿ' => ascii('y'),
            '×' | '÷' | '−' => 584.0,
            '–' => 556.0,
            '—' => 1000.0,
            '\u{A0}' => 278.0,
            _ => 556.0,
        }
    }
}
