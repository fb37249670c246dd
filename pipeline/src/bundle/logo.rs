//! The letterhead logo: a PNG's compressed pixels passed into an image XObject unchanged (PNG's
//! zlib data with its row filters is exactly FlateDecode with `/Predictor 15`), so no image
//! library is needed. Transparency is refused rather than flattened: PDF/A-1 forbids it, and a
//! logo is configuration that can be exported without.

use lopdf::{Dictionary, Object, Stream};

/// The image XObject and its aspect ratio (width / height).
pub(crate) fn image(png: &[u8]) -> Result<(Stream, f32), String> {
    const SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";
    let mut rest = png
        .strip_prefix(SIGNATURE)
        .ok_or("not a PNG file (bad signature)")?;
    let mut header = None;
    let mut data = Vec::new();
    while rest.len() >= 12 {
        let len = u32::from_be_bytes([rest[0], rest[1], rest[2], rest[3]]) as usize;
        let kind = &rest[4..8];
        let body = rest.get(8..8 + len).ok_or("truncated PNG chunk")?;
        match kind {
            b"IHDR" if len == 13 => header = Some(body.to_vec()),
            b"IDAT" => data.extend_from_slice(body),
            b"tRNS" => return Err("the PNG has transparency (tRNS)".into()),
            b"IEND" => break,
            _ => {}
        }
        rest = rest.get(12 + len..).ok_or("truncated PNG chunk")?;
    }
    let h = header.ok_or("the PNG has no IHDR")?;
    let width = u32::from_be_bytes([h[0], h[1], h[2], h[3]]);
    let height = u32::from_be_bytes([h[4], h[5], h[6], h[7]]);
    let (depth, colour, interlace) = (h[8], h[9], h[12]);
    let (space, colours) = match colour {
        0 => ("DeviceGray", 1),
        2 => ("DeviceRGB", 3),
        4 | 6 => return Err("the PNG has an alpha channel".into()),
        3 => return Err("palette PNGs are not supported; save it as RGB".into()),
        _ => return Err(format!("unknown PNG colour type {colour}")),
    };
    if depth != 8 {
        return Err(format!(
            "the PNG has {depth} bits per sample; 8 are supported"
        ));
    }
    if interlace != 0 {
        return Err("interlaced PNGs are not supported".into());
    }
    if width == 0 || height == 0 || data.is_empty() {
        return Err("the PNG is empty".into());
    }
    let mut parms = Dictionary::new();
    parms.set("Predictor", 15);
    parms.set("Colors", colours);
    parms.set("BitsPerComponent", 8);
    parms.set("Columns", i64::from(width));
    let mut dict = Dictionary::new();
    dict.set("Type", Object::Name(b"XObject".to_vec()));
    dict.set("Subtype", Object::Name(b"Image".to_vec()));
    dict.set("Width", i64::from(width));
    dict.set("Height", i64::from(height));
    dict.set("ColorSpace", Object::Name(space.as_bytes().to_vec()));
    dict.set("BitsPerComponent", 8);
    dict.set("Filter", Object::Name(b"FlateDecode".to_vec()));
    dict.set("DecodeParms", Object::Dictionary(parms));
    Ok((Stream::new(dict, data), width as f32 / height as f32))
}
