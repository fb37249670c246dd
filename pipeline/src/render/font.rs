//! The embedded font: DejaVu Sans as a `Type0` font with `Identity-H` encoding over a
//! `CIDFontType2`. Every distinct character a document uses gets its own CID (1, 2, ...), so
//! the `/ToUnicode` CMap maps each code back to exactly that character, even for characters the
//! font has no glyph for (those draw as the font's empty box, and are reported); a
//! `/CIDToGIDMap` maps CIDs to the font's glyphs, and `/W` gives their widths.

use std::collections::{BTreeSet, HashMap};
use std::fmt::Write as _;

use lopdf::{Document, Object, ObjectId, Stream, dictionary};

use super::RenderError;
use super::deflate as content_deflate;
use super::subset::subset;

/// DejaVu Sans 2.37 (Bitstream Vera license, see `fonts/LICENSE`).
static DEJAVU_SANS: &[u8] = include_bytes!("../../fonts/DejaVuSans.ttf");

/// The font's PostScript name.
const NAME: &str = "DejaVuSans";

/// The characters one document uses, with their CIDs and widths.
pub(super) struct FontUse {
    face: ttf_parser::Face<'static>,
    units: f32,
    cids: HashMap<char, u16>,
    /// Per CID − 1: the character, its glyph and its width in 1/1000 em.
    chars: Vec<(char, u16, f32)>,
}

impl FontUse {
    pub(super) fn new() -> Result<Self, RenderError> {
        let face = ttf_parser::Face::parse(DEJAVU_SANS, 0)
            .map_err(|e| RenderError::Font(e.to_string()))?;
        let units = f32::from(face.units_per_em().max(1));
        Ok(Self {
            face,
            units,
            cids: HashMap::new(),
            chars: Vec::new(),
        })
    }

    /// Width of `c` in 1/1000 em, as `/W` will give it.
    pub(super) fn width(&self, c: char) -> f32 {
        let gid = self.face.glyph_index(c).unwrap_or(ttf_parser::GlyphId(0));
        let advance = self.face.glyph_hor_advance(gid).unwrap_or(0);
        (f32::from(advance) * 1000.0 / self.units).round()
    }

    /// The CID of `c`, assigned on first use.
    pub(super) fn cid(&mut self, c: char) -> u16 {
        if let Some(cid) = self.cids.get(&c) {
            return *cid;
        }
        let gid = self.face.glyph_index(c).map_or(0, |g| g.0);
        let cid = u16::try_from(self.chars.len() + 1).unwrap_or(u16::MAX);
        let width = self.width(c);
        self.chars.push((c, gid, width));
        self.cids.insert(c, cid);
        cid
    }

    /// Hex codes for a string (two bytes per character).
    pub(super) fn encode(&mut self, s: &str) -> Vec<u8> {
        let mut out = Vec::with_capacity(s.len() * 2);
        for c in s.chars() {
            out.extend_from_slice(&self.cid(c).to_be_bytes());
        }
        out
    }

    /// Characters used that the font has no glyph for.
    pub(super) fn missing(&self) -> Vec<char> {
        self.chars
            .iter()
            .filter(|(c, gid, _)| *gid == 0 && !c.is_whitespace())
            .map(|(c, ..)| *c)
            .collect()
    }

    /// Writes the font objects into `doc`; returns the `Type0` font and the embedded font
    /// program's size in bytes (compressed).
    pub(super) fn embed(&self, doc: &mut Document) -> Result<(ObjectId, usize), RenderError> {
        let used: BTreeSet<u16> = self.chars.iter().map(|(_, g, _)| *g).collect();
        let program = subset(DEJAVU_SANS, &used)
            .ok_or_else(|| RenderError::Font("font tables could not be subset".into()))?;
        let level = flate2::Compression::new(9);
        let packed = content_deflate(&program, level);
        let program_size = packed.len();
        let mut file = Stream::new(dictionary! { "Length1" => program.len() as i64 }, packed);
        file.dict.set("Filter", "FlateDecode");
        let file_id = doc.add_object(file);

        let tag = subset_tag(&used);
        let base = format!("{tag}+{NAME}");
        let scale = |v: i16| (f32::from(v) * 1000.0 / self.units).round() as i64;
        let bbox = self.face.global_bounding_box();
        let descriptor = doc.add_object(dictionary! {
            "Type" => "FontDescriptor",
            "FontName" => Object::Name(base.clone().into_bytes()),
            "Flags" => 32,
            "FontBBox" => vec![scale(bbox.x_min).into(), scale(bbox.y_min).into(),
                               scale(bbox.x_max).into(), scale(bbox.y_max).into()],
            "ItalicAngle" => 0,
            "Ascent" => scale(self.face.ascender()),
            "Descent" => scale(self.face.descender()),
            "CapHeight" => scale(self.face.capital_height().unwrap_or(729)),
            "StemV" => 80,
            "FontFile2" => file_id,
        });
        let mut gid_map = Vec::with_capacity(2 * (self.chars.len() + 1));
        gid_map.extend_from_slice(&0u16.to_be_bytes());
        for (_, gid, _) in &self.chars {
            gid_map.extend_from_slice(&gid.to_be_bytes());
        }
        let mut map = Stream::new(dictionary! {}, content_deflate(&gid_map, level));
        map.dict.set("Filter", "FlateDecode");
        let map_id = doc.add_object(map);
        let widths: Vec<Object> = self
            .chars
            .iter()
            .map(|(_, _, w)| Object::Integer(*w as i64))
            .collect();
        let cid_font = doc.add_object(dictionary! {
            "Type" => "Font",
            "Subtype" => "CIDFontType2",
            "BaseFont" => Object::Name(base.clone().into_bytes()),
            "CIDSystemInfo" => dictionary! {
                "Registry" => Object::string_literal("Adobe"),
                "Ordering" => Object::string_literal("Identity"),
                "Supplement" => 0,
            },
            "FontDescriptor" => descriptor,
            "DW" => 1000,
            "W" => vec![1.into(), Object::Array(widths)],
            "CIDToGIDMap" => map_id,
        });
        let mut to_unicode = Stream::new(dictionary! {}, content_deflate(&self.cmap(), level));
        to_unicode.dict.set("Filter", "FlateDecode");
        let to_unicode = doc.add_object(to_unicode);
        let font = doc.add_object(dictionary! {
            "Type" => "Font",
            "Subtype" => "Type0",
            "BaseFont" => Object::Name(base.into_bytes()),
            "Encoding" => "Identity-H",
            "DescendantFonts" => vec![cid_font.into()],
            "ToUnicode" => to_unicode,
        });
        Ok((font, program_size))
    }

    /// The `/ToUnicode` CMap: each CID to its one character.
    fn cmap(&self) -> Vec<u8> {
        let mut s = String::from(
            "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n\
             /CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n\
             /CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n\
             1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n",
        );
        for (block, chunk) in self.chars.chunks(100).enumerate() {
            let _ = writeln!(s, "{} beginbfchar", chunk.len());
            for (k, (c, ..)) in chunk.iter().enumerate() {
                let cid = block * 100 + k + 1;
                let mut units = [0u16; 2];
                let hex: String = c
                    .encode_utf16(&mut units)
                    .iter()
                    .map(|u| format!("{u:04X}"))
                    .collect();
                let _ = writeln!(s, "<{cid:04X}> <{hex}>");
            }
            s.push_str("endbfchar\n");
        }
        s.push_str("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n");
        s.into_bytes()
    }
}

/// Six capital letters from the glyph set, as PDF wants for a subset's name.
fn subset_tag(used: &BTreeSet<u16>) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for g in used {
        for b in g.to_be_bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    (0..6)
        .map(|i| char::from(b'A' + ((h >> (i * 5)) % 26) as u8))
        .collect()
}
