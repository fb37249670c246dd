//! TrueType subsetting for embedding: the glyphs a document uses (and the components of
//! composite glyphs) are kept under their original glyph ids, all others become empty, and the
//! font is cut after the highest id used. Only the tables a PDF reader needs for a
//! `CIDFontType2` are written: `head`, `hhea`, `maxp`, `hmtx`, `loca`, `glyf` and the hinting
//! tables `cvt `, `fpgm`, `prep` (no `cmap`: the PDF maps codes to glyphs itself).

use std::collections::BTreeSet;

/// A font table by tag.
fn table<'a>(font: &'a [u8], tag: &[u8; 4]) -> Option<&'a [u8]> {
    let count = usize::from(u16::from_be_bytes([*font.get(4)?, *font.get(5)?]));
    (0..count).find_map(|i| {
        let rec = font.get(12 + 16 * i..28 + 16 * i)?;
        if &rec[..4] != tag {
            return None;
        }
        let offset = u32::from_be_bytes([rec[8], rec[9], rec[10], rec[11]]) as usize;
        let len = u32::from_be_bytes([rec[12], rec[13], rec[14], rec[15]]) as usize;
        font.get(offset..offset.checked_add(len)?)
    })
}

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes([*b.get(at)?, *b.get(at + 1)?]))
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes([
        *b.get(at)?,
        *b.get(at + 1)?,
        *b.get(at + 2)?,
        *b.get(at + 3)?,
    ]))
}

/// The font's glyph data, read through `loca`.
struct Glyphs<'a> {
    glyf: &'a [u8],
    loca: &'a [u8],
    long: bool,
    count: usize,
}

impl<'a> Glyphs<'a> {
    fn get(&self, gid: u16) -> &'a [u8] {
        let g = usize::from(gid);
        if g >= self.count {
            return &[];
        }
        let (start, end) = if self.long {
            (u32_at(self.loca, 4 * g), u32_at(self.loca, 4 * g + 4))
        } else {
            (
                u16_at(self.loca, 2 * g).map(|v| u32::from(v) * 2),
                u16_at(self.loca, 2 * g + 2).map(|v| u32::from(v) * 2),
            )
        };
        match (start, end) {
            (Some(s), Some(e)) if s <= e => self.glyf.get(s as usize..e as usize).unwrap_or(&[]),
            _ => &[],
        }
    }

    /// The glyph ids a composite glyph refers to.
    fn components(&self, gid: u16) -> Vec<u16> {
        let data = self.get(gid);
        let mut out = Vec::new();
        if data.len() < 10 || i16::from_be_bytes([data[0], data[1]]) >= 0 {
            return out;
        }
        let mut at = 10;
        while let (Some(flags), Some(component)) = (u16_at(data, at), u16_at(data, at + 2)) {
            out.push(component);
            at += 4 + if flags & 0x0001 != 0 { 4 } else { 2 };
            at += match flags {
                f if f & 0x0008 != 0 => 2,
                f if f & 0x0040 != 0 => 4,
                f if f & 0x0080 != 0 => 8,
                _ => 0,
            };
            if flags & 0x0020 == 0 || out.len() > 64 {
                break;
            }
        }
        out
    }
}

/// A subset of `font` holding `used` glyph ids (glyph 0 is always kept).
pub(super) fn subset(font: &[u8], used: &BTreeSet<u16>) -> Option<Vec<u8>> {
    let head = table(font, b"head")?;
    let maxp = table(font, b"maxp")?;
    let hhea = table(font, b"hhea")?;
    let hmtx = table(font, b"hmtx")?;
    let glyphs = Glyphs {
        glyf: table(font, b"glyf")?,
        loca: table(font, b"loca")?,
        long: u16_at(head, 50)? == 1,
        count: usize::from(u16_at(maxp, 4)?),
    };
    let metrics = usize::from(u16_at(hhea, 34)?).max(1);
    // Close over composite glyphs' components.
    let mut keep: BTreeSet<u16> = used
        .iter()
        .copied()
        .filter(|g| usize::from(*g) < glyphs.count)
        .collect();
    keep.insert(0);
    let mut work: Vec<u16> = keep.iter().copied().collect();
    while let Some(g) = work.pop() {
        for c in glyphs.components(g) {
            if usize::from(c) < glyphs.count && keep.insert(c) {
                work.push(c);
            }
        }
    }
    let count = usize::from(*keep.last()?) + 1;
    let mut glyf = Vec::new();
    let mut loca = Vec::with_capacity(4 * (count + 1));
    let mut new_hmtx = Vec::with_capacity(4 * count);
    for g in 0..count {
        loca.extend_from_slice(&(glyf.len() as u32).to_be_bytes());
        let gid = g as u16;
        if keep.contains(&gid) {
            glyf.extend_from_slice(glyphs.get(gid));
            while glyf.len() % 4 != 0 {
                glyf.push(0);
            }
        }
        let advance = u16_at(hmtx, 4 * g.min(metrics - 1))?;
        let lsb = if g < metrics {
            u16_at(hmtx, 4 * g + 2)?
        } else {
            u16_at(hmtx, 4 * metrics + 2 * (g - metrics)).unwrap_or(0)
        };
        new_hmtx.extend_from_slice(&advance.to_be_bytes());
        new_hmtx.extend_from_slice(&lsb.to_be_bytes());
    }
    loca.extend_from_slice(&(glyf.len() as u32).to_be_bytes());
    let mut new_head = head.to_vec();
    new_head.get_mut(8..12)?.copy_from_slice(&[0; 4]);
    new_head
        .get_mut(50..52)?
        .copy_from_slice(&1u16.to_be_bytes());
    let mut new_maxp = maxp.to_vec();
    new_maxp
        .get_mut(4..6)?
        .copy_from_slice(&(count as u16).to_be_bytes());
    let mut new_hhea = hhea.to_vec();
    new_hhea
        .get_mut(34..36)?
        .copy_from_slice(&(count as u16).to_be_bytes());

    let mut tables: Vec<([u8; 4], Vec<u8>)> = vec![
        (*b"glyf", glyf),
        (*b"head", new_head),
        (*b"hhea", new_hhea),
        (*b"hmtx", new_hmtx),
        (*b"loca", loca),
        (*b"maxp", new_maxp),
    ];
    for tag in [b"cvt ", b"fpgm", b"prep"] {
        if let Some(t) = table(font, tag) {
            tables.push((*tag, t.to_vec()));
        }
    }
    tables.sort_by_key(|a| a.0);
    Some(write(&tables))
}

/// Writes an sfnt file from tables sorted by tag, with checksums and `checkSumAdjustment`.
fn write(tables: &[([u8; 4], Vec<u8>)]) -> Vec<u8> {
    let n = tables.len() as u16;
    let power = 1u16 << (15 - n.max(1).leading_zeros() as u16);
    let mut out = Vec::new();
    out.extend_from_slice(&0x0001_0000u32.to_be_bytes());
    out.extend_from_slice(&n.to_be_bytes());
    out.extend_from_slice(&(power * 16).to_be_bytes());
    out.extend_from_slice(&(power.trailing_zeros() as u16).to_be_bytes());
    out.extend_from_slice(&(n * 16 - power * 16).to_be_bytes());
    let mut offset = 12 + 16 * tables.len();
    let mut head_at = None;
    for (tag, data) in tables {
        out.extend_from_slice(tag);
        out.extend_from_slice(&checksum(data).to_be_bytes());
        out.extend_from_slice(&(offset as u32).to_be_bytes());
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        if tag == b"head" {
            head_at = Some(offset);
        }
        offset += data.len().div_ceil(4) * 4;
    }
    for (_, data) in tables {
        out.extend_from_slice(data);
        while out.len() % 4 != 0 {
            out.push(0);
        }
    }
    if let Some(at) = head_at {
        let adjust = 0xB1B0_AFBAu32.wrapping_sub(checksum(&out));
        out[at + 8..at + 12].copy_from_slice(&adjust.to_be_bytes());
    }
    out
}

fn checksum(data: &[u8]) -> u32 {
    data.chunks(4).fold(0u32, |sum, c| {
        let mut word = [0u8; 4];
        word[..c.len()].copy_from_slice(c);
        sum.wrapping_add(u32::from_be_bytes(word))
    })
}
