//! Painting redactions into image pixels: the image's samples are decoded (any filter lopdf
//! decodes: Flate with predictors, LZW, ASCIIHex/85, RunLength, or none), the region under each
//! redaction is set to the darkest colour of the image's colour space (for a stencil mask: to
//! "not painted"), and the image is written anew, Flate-compressed. DCT (JPEG), JPX, JBIG2 and
//! CCITT images are not decoded here: the caller replaces them with an opaque box.

use lopdf::{Document, Object, Stream};

use super::content::deflate;
use super::geom::{Matrix, UNIT, intersect};
use crate::extract::Rect;
use crate::extract::pdf::font::deref;

/// Largest image painted, in pixels.
const MAX_PIXELS: usize = 100_000_000;

/// A copy of the image `stream`, drawn under `ctm`, with the parts under `rects` painted.
pub(super) fn paint(
    doc: &Document,
    stream: &Stream,
    ctm: Matrix,
    rects: &[Rect],
    limit: usize,
    level: flate2::Compression,
) -> Result<Stream, String> {
    let dict = &stream.dict;
    let get = |k: &[u8]| dict.get(k).ok().and_then(|o| deref(doc, o));
    let int = |k: &[u8]| get(k).and_then(|o| o.as_i64().ok());
    let width = int(b"Width")
        .filter(|w| *w > 0)
        .ok_or("image without a width")? as usize;
    let height = int(b"Height")
        .filter(|h| *h > 0)
        .ok_or("image without a height")? as usize;
    if width.saturating_mul(height) > MAX_PIXELS {
        return Err(format!("image of {width}×{height} pixels is too large"));
    }
    let filters: Vec<Vec<u8>> = match get(b"Filter") {
        Some(Object::Name(n)) => vec![n.clone()],
        Some(Object::Array(a)) => a
            .iter()
            .filter_map(|o| o.as_name().ok().map(<[u8]>::to_vec))
            .collect(),
        _ => Vec::new(),
    };
    if let Some(f) = filters.iter().find(|f| {
        matches!(
            f.as_slice(),
            b"DCTDecode" | b"DCT" | b"JPXDecode" | b"JBIG2Decode" | b"CCITTFaxDecode" | b"CCF"
        )
    }) {
        return Err(format!(
            "{} image not decoded for painting",
            String::from_utf8_lossy(f)
        ));
    }
    let mask = get(b"ImageMask")
        .and_then(|o| o.as_bool().ok())
        .unwrap_or(false);
    let bpc = if mask {
        1
    } else {
        int(b"BitsPerComponent").unwrap_or(8) as usize
    };
    if ![1, 2, 4, 8, 16].contains(&bpc) {
        return Err(format!("{bpc} bits per component"));
    }
    let max = (1u32 << bpc) - 1;
    let mut dark: Vec<u32> = if mask {
        vec![1]
    } else {
        dark_samples(doc, get(b"ColorSpace"), max, limit)?
    };
    // A Decode array with an inverted range flips what a sample value means.
    if let Some(Object::Array(decode)) = get(b"Decode") {
        for (k, v) in dark.iter_mut().enumerate() {
            let lo = decode.get(2 * k).and_then(|o| o.as_float().ok());
            let hi = decode.get(2 * k + 1).and_then(|o| o.as_float().ok());
            if let (Some(lo), Some(hi)) = (lo, hi)
                && lo > hi
            {
                *v = max - *v;
            }
        }
    }
    let mut data = if filters.is_empty() {
        stream.content.clone()
    } else {
        stream
            .decompressed_content_with_limit(limit)
            .map_err(|e| format!("image data not decoded: {e}"))?
    };
    let comps = dark.len();
    let row_bytes = (width * comps * bpc).div_ceil(8);
    if data.len() < row_bytes * height {
        return Err("image data shorter than its size".into());
    }
    let inverse = ctm.invert().ok_or("image placed with a singular matrix")?;
    for rect in rects {
        let Some(unit) = intersect(inverse.map_rect(*rect), UNIT) else {
            continue;
        };
        // Pixel rows run top to bottom; widen by a pixel so no anti-aliased edge survives.
        let x0 = ((unit.x0 * width as f32).floor() as isize - 1).max(0) as usize;
        let x1 = (((unit.x1 * width as f32).ceil() as isize + 1).max(0) as usize).min(width);
        let y0 = ((((1.0 - unit.y1) * height as f32).floor() as isize) - 1).max(0) as usize;
        let y1 =
            (((((1.0 - unit.y0) * height as f32).ceil()) as isize + 1).max(0) as usize).min(height);
        for y in y0..y1 {
            let row = &mut data[y * row_bytes..(y + 1) * row_bytes];
            fill_row(row, x0, x1, &dark, bpc);
        }
    }
    data.truncate(row_bytes * height);
    let mut out = Stream::new(dict.clone(), Vec::new());
    for key in [&b"Filter"[..], b"DecodeParms", b"Length", b"Metadata"] {
        out.dict.remove(key);
    }
    out.set_content(deflate(&data, level));
    out.dict.set("Filter", "FlateDecode");
    Ok(out)
}

/// Sets pixels `x0..x1` of one row to `dark` (one sample per component).
fn fill_row(row: &mut [u8], x0: usize, x1: usize, dark: &[u32], bpc: usize) {
    let comps = dark.len();
    match bpc {
        8 => {
            for px in row[x0 * comps..x1 * comps].chunks_exact_mut(comps) {
                for (slot, v) in px.iter_mut().zip(dark) {
                    *slot = *v as u8;
                }
            }
        }
        16 => {
            for px in row[x0 * comps * 2..x1 * comps * 2].chunks_exact_mut(comps * 2) {
                for (pair, v) in px.chunks_exact_mut(2).zip(dark) {
                    pair.copy_from_slice(&(*v as u16).to_be_bytes());
                }
            }
        }
        _ => {
            for x in x0..x1 {
                for (k, v) in dark.iter().enumerate() {
                    let bit = (x * comps + k) * bpc;
                    let shift = 8 - bpc - bit % 8;
                    let mask = (((1u32 << bpc) - 1) << shift) as u8;
                    let byte = &mut row[bit / 8];
                    *byte = (*byte & !mask) | (((*v << shift) as u8) & mask);
                }
            }
        }
    }
}

/// The samples of the darkest colour in a colour space, each in `0..=max`.
fn dark_samples(
    doc: &Document,
    space: Option<&Object>,
    max: u32,
    limit: usize,
) -> Result<Vec<u32>, String> {
    let by_components = |n: i64| match n {
        1 => Ok(vec![0]),
        3 => Ok(vec![0, 0, 0]),
        4 => Ok(vec![0, 0, 0, max]),
        n => Err(format!("colour space with {n} components")),
    };
    let name = |n: &[u8]| match n {
        b"DeviceGray" | b"G" | b"CalGray" => by_components(1),
        b"DeviceRGB" | b"RGB" | b"CalRGB" => by_components(3),
        b"DeviceCMYK" | b"CMYK" => by_components(4),
        other => Err(format!(
            "colour space {} not painted",
            String::from_utf8_lossy(other)
        )),
    };
    match space {
        None => by_components(1),
        Some(Object::Name(n)) => name(n),
        Some(Object::Array(a)) => {
            let kind = a.first().and_then(|o| o.as_name().ok()).unwrap_or(b"");
            let arg = |i: usize| a.get(i).and_then(|o| deref(doc, o));
            match kind {
                b"ICCBased" => {
                    let n = arg(1)
                        .and_then(|o| o.as_stream().ok())
                        .and_then(|s| s.dict.get(b"N").ok())
                        .and_then(|o| o.as_i64().ok())
                        .unwrap_or(3);
                    by_components(n)
                }
                b"CalGray" => by_components(1),
                b"CalRGB" => by_components(3),
                b"Lab" => Ok(vec![0, max / 2, max / 2]),
                b"Separation" => Ok(vec![max]),
                b"DeviceN" => {
                    let n = arg(1).and_then(|o| o.as_array().ok()).map_or(1, Vec::len);
                    Ok(vec![max; n.clamp(1, 32)])
                }
                b"Indexed" | b"I" => {
                    let base = dark_samples(doc, arg(1), 255, limit)?;
                    let palette = match arg(3) {
                        Some(Object::String(s, _)) => s.clone(),
                        Some(Object::Stream(s)) => s
                            .decompressed_content_with_limit(limit)
                            .map_err(|e| e.to_string())?,
                        _ => return Err("indexed colour space without a palette".into()),
                    };
                    Ok(vec![darkest_index(&palette, base.len(), max)])
                }
                other => Err(format!(
                    "colour space {} not painted",
                    String::from_utf8_lossy(other)
                )),
            }
        }
        Some(_) => Err("colour space not understood".into()),
    }
}

/// The palette entry with the least light (grey, RGB or CMYK entries of `comps` bytes).
fn darkest_index(palette: &[u8], comps: usize, max: u32) -> u32 {
    let light = |e: &[u8]| -> u32 {
        match e {
            [g] => u32::from(*g) * 3,
            [r, g, b] => u32::from(*r) + u32::from(*g) + u32::from(*b),
            [c, m, y, k] => (255 * 4u32)
                .saturating_sub(u32::from(*c) + u32::from(*m) + u32::from(*y))
                .saturating_sub(u32::from(*k) * 3),
            _ => u32::MAX,
        }
    };
    palette
        .chunks_exact(comps.max(1))
        .take(max as usize + 1)
        .enumerate()
        .min_by_key(|(_, e)| light(e))
        .map_or(0, |(i, _)| i as u32)
}
