//! Fonts: from a string's bytes to characters and advance widths. Simple fonts (one byte per
//! code; a base encoding with `/Differences`), Type0 fonts (codes of the lengths the CMap's
//! code space gives, 2 bytes for Identity-H/V), and `ToUnicode` CMaps over both.

use std::collections::HashMap;

use lopdf::{Dictionary, Document, Object};

use super::encoding::{BaseEncoding, Metrics, glyph_char};

/// Most entries read from one CMap.
const MAX_CMAP_ENTRIES: usize = 100_000;

/// One decoded glyph.
#[derive(Clone, Debug)]
pub(crate) struct Glyph {
    /// The text it stands for (empty when unknown).
    pub text: String,
    /// Advance width, 1/1000 text-space units.
    pub width: f32,
    /// A single-byte code 32 (word spacing applies).
    pub is_space: bool,
    /// How many bytes of the string the code took (1 for simple fonts).
    pub len: usize,
}

/// A font ready to decode strings.
#[derive(Clone, Debug)]
pub(crate) struct Font {
    /// `true` for Type0 (multi-byte codes).
    composite: bool,
    /// Code lengths allowed (Type0), from the code space ranges: (length, low, high).
    codespace: Vec<(usize, u32, u32)>,
    /// Simple font: the code table.
    table: [Option<char>; 256],
    /// Simple font widths by code (`/Widths`), if given.
    widths: Option<Vec<f32>>,
    first_char: u32,
    /// Type0 widths by CID (`/W`) and the default (`/DW`).
    cid_widths: HashMap<u32, f32>,
    default_width: f32,
    missing_width: Option<f32>,
    metrics: Metrics,
    to_unicode: Option<CMap>,
    /// Glyph box above and below the baseline, in em.
    pub ascent: f32,
    pub descent: f32,
}

impl Font {
    /// Reads a font dictionary. Never fails: what cannot be read falls back to WinAnsi and
    /// Helvetica metrics.
    pub(crate) fn load(doc: &Document, dict: &Dictionary, limit: usize) -> Font {
        fn get<'a>(doc: &'a Document, d: &'a Dictionary, k: &[u8]) -> Option<&'a Object> {
            d.get(k).ok().and_then(|o| deref(doc, o))
        }
        let subtype = get(doc, dict, b"Subtype")
            .and_then(|o| o.as_name().ok())
            .unwrap_or(b"");
        let base_font = get(doc, dict, b"BaseFont")
            .and_then(|o| o.as_name().ok())
            .map(|n| String::from_utf8_lossy(n).into_owned())
            .unwrap_or_default();
        let composite = subtype == b"Type0";
        let descendant = get(doc, dict, b"DescendantFonts")
            .and_then(|o| o.as_array().ok())
            .and_then(|a| a.first())
            .and_then(|o| deref(doc, o))
            .and_then(|o| o.as_dict().ok());
        let descriptor =
            get(doc, descendant.unwrap_or(dict), b"FontDescriptor").and_then(|o| o.as_dict().ok());
        let num = |d: Option<&Dictionary>, k: &[u8]| {
            d.and_then(|d| get(doc, d, k))
                .and_then(|o| o.as_float().ok())
        };
        let ascent = num(descriptor, b"Ascent")
            .map(|a| (a / 1000.0).clamp(0.6, 1.2))
            .unwrap_or(0.9);
        let descent = num(descriptor, b"Descent")
            .map(|d| (d / 1000.0).clamp(-0.5, -0.1))
            .unwrap_or(-0.22);
        let to_unicode = get(doc, dict, b"ToUnicode")
            .and_then(|o| o.as_stream().ok())
            .and_then(|s| s.decompressed_content_with_limit(limit).ok())
            .map(|bytes| CMap::parse(&bytes));

        let mut font = Font {
            composite,
            codespace: Vec::new(),
            table: BaseEncoding::WinAnsi.table(),
            widths: None,
            first_char: 0,
            cid_widths: HashMap::new(),
            default_width: 1000.0,
            missing_width: num(descriptor, b"MissingWidth"),
            metrics: Metrics::for_font(&base_font),
            to_unicode,
            ascent,
            descent,
        };
        if composite {
            font.load_composite(doc, dict, descendant, limit);
        } else {
            font.load_simple(doc, dict, subtype, &base_font);
        }
        font
    }

    fn load_simple(&mut self, doc: &Document, dict: &Dictionary, subtype: &[u8], base_font: &str) {
        let encoding = dict.get(b"Encoding").ok().and_then(|o| deref(doc, o));
        let default = if subtype == b"Type1" && !base_font.contains("Arial") {
            BaseEncoding::Standard
        } else {
            BaseEncoding::WinAnsi
        };
        let (base, differences) = match encoding {
            Some(Object::Name(n)) => (BaseEncoding::from_name(n).unwrap_or(default), None),
            Some(Object::Dictionary(d)) => (
                d.get(b"BaseEncoding")
                    .ok()
                    .and_then(|o| o.as_name().ok())
                    .and_then(BaseEncoding::from_name)
                    .unwrap_or(default),
                d.get(b"Differences")
                    .ok()
                    .and_then(|o| deref(doc, o))
                    .and_then(|o| o.as_array().ok()),
            ),
            _ => (default, None),
        };
        self.table = base.table();
        if let Some(diffs) = differences {
            let mut code: usize = 0;
            for item in diffs {
                match item {
                    Object::Integer(i) => code = (*i).clamp(0, 256) as usize,
                    Object::Name(n) => {
                        if let Some(slot) = self.table.get_mut(code) {
                            *slot = glyph_char(&String::from_utf8_lossy(n));
                        }
                        code += 1;
                    }
                    _ => {}
                }
            }
        }
        let widths = dict
            .get(b"Widths")
            .ok()
            .and_then(|o| deref(doc, o))
            .and_then(|o| o.as_array().ok());
        if let Some(w) = widths {
            self.widths = Some(
                w.iter()
                    .map(|o| deref(doc, o).and_then(|o| o.as_float().ok()).unwrap_or(0.0))
                    .collect(),
            );
            self.first_char = dict
                .get(b"FirstChar")
                .ok()
                .and_then(|o| o.as_i64().ok())
                .unwrap_or(0)
                .clamp(0, 255) as u32;
        }
    }

    fn load_composite(
        &mut self,
        doc: &Document,
        dict: &Dictionary,
        descendant: Option<&Dictionary>,
        limit: usize,
    ) {
        // Identity-H/V and the predefined CMaps: 2-byte codes; an embedded CMap says.
        self.codespace = vec![(2, 0, 0xFFFF)];
        if let Some(Object::Stream(s)) = dict.get(b"Encoding").ok().and_then(|o| deref(doc, o))
            && let Ok(bytes) = s.decompressed_content_with_limit(limit)
        {
            let cmap = CMap::parse(&bytes);
            if !cmap.codespace.is_empty() {
                self.codespace = cmap.codespace;
            }
        }
        let Some(desc) = descendant else { return };
        if let Some(dw) = desc.get(b"DW").ok().and_then(|o| o.as_float().ok()) {
            self.default_width = dw;
        }
        let Some(w) = desc
            .get(b"W")
            .ok()
            .and_then(|o| deref(doc, o))
            .and_then(|o| o.as_array().ok())
        else {
            return;
        };
        let f = |o: &Object| deref(doc, o).and_then(|o| o.as_float().ok());
        let mut i = 0;
        while i < w.len() && self.cid_widths.len() < MAX_CMAP_ENTRIES {
            let Some(first) = f(&w[i]).map(|v| v as u32) else {
                break;
            };
            match w.get(i + 1).and_then(|o| deref(doc, o)) {
                Some(Object::Array(list)) => {
                    for (k, o) in list.iter().enumerate().take(MAX_CMAP_ENTRIES) {
                        if let Some(v) = f(o) {
                            self.cid_widths.insert(first.saturating_add(k as u32), v);
                        }
                    }
                    i += 2;
                }
                Some(_) => {
                    let (Some(last), Some(v)) =
                        (w.get(i + 1).and_then(f), w.get(i + 2).and_then(f))
                    else {
                        break;
                    };
                    let last = (last as u32).min(first.saturating_add(MAX_CMAP_ENTRIES as u32));
                    for cid in first..=last {
                        self.cid_widths.insert(cid, v);
                    }
                    i += 3;
                }
                None => break,
            }
        }
    }

    /// Splits a string's bytes into codes and decodes each.
    pub(crate) fn decode(&self, bytes: &[u8]) -> Vec<Glyph> {
        let mut out = Vec::with_capacity(bytes.len());
        let mut i = 0;
        while i < bytes.len() {
            let len = if self.composite {
                self.code_len(&bytes[i..])
            } else {
                1
            };
            let taken = len.min(bytes.len() - i);
            let code = bytes[i..i + taken]
                .iter()
                .fold(0u32, |acc, &b| (acc << 8) | u32::from(b));
            i += len;
            let text = self
                .to_unicode
                .as_ref()
                .and_then(|m| m.lookup(code, len))
                .or_else(|| {
                    if self.composite {
                        None
                    } else {
                        self.table[code as usize & 0xFF].map(String::from)
                    }
                })
                .unwrap_or_default();
            let width = self.width(code, &text);
            out.push(Glyph {
                text,
                width,
                is_space: !self.composite && code == 32,
                len: taken,
            });
        }
        out
    }

    /// The length of the code at the start of `bytes` by the code space ranges.
    fn code_len(&self, bytes: &[u8]) -> usize {
        for &(len, lo, hi) in &self.codespace {
            if bytes.len() >= len {
                let code = bytes[..len]
                    .iter()
                    .fold(0u32, |a, &b| (a << 8) | u32::from(b));
                if (lo..=hi).contains(&code) {
                    return len;
                }
            }
        }
        self.codespace.first().map_or(2, |c| c.0).clamp(1, 4)
    }

    fn width(&self, code: u32, text: &str) -> f32 {
        if self.composite {
            return self
                .cid_widths
                .get(&code)
                .copied()
                .unwrap_or(self.default_width);
        }
        if let Some(w) = &self.widths {
            let given = code
                .checked_sub(self.first_char)
                .and_then(|i| w.get(i as usize))
                .copied()
                .filter(|w| *w > 0.0);
            if let Some(given) = given.or(self.missing_width.filter(|w| *w > 0.0)) {
                return given;
            }
        }
        text.chars().next().map_or(500.0, |c| self.metrics.width(c))
    }
}

/// Follows one reference (objects point at objects; one hop is what fonts need).
pub(crate) fn deref<'a>(doc: &'a Document, object: &'a Object) -> Option<&'a Object> {
    doc.dereference(object).ok().map(|(_, o)| o)
}

/// A CMap: code space ranges and code-to-Unicode mappings (bfchar, bfrange).
#[derive(Clone, Debug, Default)]
pub(super) struct CMap {
    /// (code length in bytes, low, high).
    pub codespace: Vec<(usize, u32, u32)>,
    chars: HashMap<(usize, u32), String>,
    /// (length, low, high, destination).
    ranges: Vec<(usize, u32, u32, RangeDst)>,
}

#[derive(Clone, Debug)]
enum RangeDst {
    /// The first code's UTF-16BE; later codes increment the last unit.
    Start(Vec<u8>),
    /// One destination per code.
    List(Vec<String>),
}

/// A token of a CMap program.
#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Hex(Vec<u8>),
    Word(String),
    Open,
    Close,
}

impl CMap {
    /// Parses what it understands and skips the rest.
    pub(super) fn parse(bytes: &[u8]) -> CMap {
        let toks = tokenize(bytes);
        let mut cmap = CMap::default();
        let mut i = 0;
        let mut section = "";
        while i < toks.len() && cmap.chars.len() + cmap.ranges.len() < MAX_CMAP_ENTRIES {
            match &toks[i] {
                Tok::Word(w) if w.starts_with("begin") => {
                    section = match w.as_str() {
                        "begincodespacerange" => "cs",
                        "beginbfchar" => "bfchar",
                        "beginbfrange" => "bfrange",
                        _ => "",
                    };
                    i += 1;
                }
                Tok::Word(w) if w.starts_with("end") => {
                    section = "";
                    i += 1;
                }
                Tok::Hex(lo) if section == "cs" => {
                    if let Some(Tok::Hex(hi)) = toks.get(i + 1) {
                        cmap.codespace.push((lo.len().clamp(1, 4), be(lo), be(hi)));
                    }
                    i += 2;
                }
                Tok::Hex(src) if section == "bfchar" => {
                    if let Some(Tok::Hex(dst)) = toks.get(i + 1) {
                        cmap.chars.insert((src.len(), be(src)), utf16(dst));
                    }
                    i += 2;
                }
                Tok::Hex(lo) if section == "bfrange" => {
                    let Some(Tok::Hex(hi)) = toks.get(i + 1) else {
                        i += 1;
                        continue;
                    };
                    let (lo_v, hi_v) = (be(lo), be(hi));
                    match toks.get(i + 2) {
                        Some(Tok::Hex(dst)) => {
                            cmap.ranges
                                .push((lo.len(), lo_v, hi_v, RangeDst::Start(dst.clone())));
                            i += 3;
                        }
                        Some(Tok::Open) => {
                            let mut list = Vec::new();
                            let mut j = i + 3;
                            while let Some(Tok::Hex(d)) = toks.get(j) {
                                list.push(utf16(d));
                                j += 1;
                            }
                            cmap.ranges
                                .push((lo.len(), lo_v, hi_v, RangeDst::List(list)));
                            i = j + 1;
                        }
                        _ => i += 2,
                    }
                }
                _ => i += 1,
            }
        }
        cmap.codespace.sort_by_key(|c| c.0);
        cmap
    }

    /// The text for `code` of `len` bytes.
    pub(super) fn lookup(&self, code: u32, len: usize) -> Option<String> {
        if let Some(s) = self.chars.get(&(len, code)) {
            return Some(s.clone());
        }
        let (_, lo, _, dst) = self
            .ranges
            .iter()
            .find(|(l, lo, hi, _)| *l == len && (*lo..=*hi).contains(&code))?;
        let offset = code - lo;
        match dst {
            RangeDst::List(list) => list.get(offset as usize).cloned(),
            RangeDst::Start(start) => {
                let mut units: Vec<u16> = start
                    .chunks(2)
                    .map(|c| u16::from_be_bytes([c[0], *c.get(1).unwrap_or(&0)]))
                    .collect();
                let last = units.last_mut()?;
                *last = last.wrapping_add(offset as u16);
                Some(char::decode_utf16(units).filter_map(|r| r.ok()).collect())
            }
        }
    }
}

/// Big-endian value of up to 4 bytes.
fn be(b: &[u8]) -> u32 {
    b.iter().take(4).fold(0u32, |a, &x| (a << 8) | u32::from(x))
}

/// UTF-16BE to a string (a lone byte as Latin-1).
fn utf16(b: &[u8]) -> String {
    if b.len() == 1 {
        return char::from(b[0]).to_string();
    }
    let units = b
        .chunks(2)
        .map(|c| u16::from_be_bytes([c[0], *c.get(1).unwrap_or(&0)]));
    char::decode_utf16(units).filter_map(|r| r.ok()).collect()
}

fn tokenize(bytes: &[u8]) -> Vec<Tok> {
    let mut toks = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        match b {
            b'<' if bytes.get(i + 1) != Some(&b'<') => {
                let end = bytes[i..]
                    .iter()
                    .position(|&c| c == b'>')
                    .map_or(bytes.len(), |p| i + p);
                let digits: Vec<u8> = bytes[i + 1..end]
                    .iter()
                    .filter_map(|c| (*c as char).to_digit(16).map(|d| d as u8))
                    .collect();
                let hex = digits
                    .chunks(2)
                    .map(|p| (p[0] << 4) | p.get(1).copied().unwrap_or(0))
                    .collect();
                toks.push(Tok::Hex(hex));
                i = end + 1;
            }
            b'[' => {
                toks.push(Tok::Open);
                i += 1;
            }
            b']' => {
                toks.push(Tok::Close);
                i += 1;
            }
            b'%' => {
                i += bytes[i..]
                    .iter()
                    .position(|&c| c == b'\n' || c == b'\r')
                    .unwrap_or(bytes.len() - i);
            }
            b'(' => {
                // Literal strings appear only in the CMap's header; skip them.
                let mut depth = 0;
                while i < bytes.len() {
                    match bytes[i] {
                        b'\\' => i += 1,
                        b'(' => depth += 1,
                        b')' => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                        }
                        _ => {}
                    }
                    i += 1;
                }
                i += 1;
            }
            _ if b.is_ascii_whitespace() => i += 1,
            _ => {
                let end = bytes[i..]
                    .iter()
                    .position(|c| c.is_ascii_whitespace() || b"<>[]()/%".contains(c))
                    .map_or(bytes.len(), |p| i + p)
                    .max(i + 1);
                toks.push(Tok::Word(
                    String::from_utf8_lossy(&bytes[i..end]).into_owned(),
                ));
                i = end;
            }
        }
    }
    toks
}
