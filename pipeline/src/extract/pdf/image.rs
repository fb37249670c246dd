//! Image XObjects to pixels OCR can read: 1/2/4/8-bit DeviceGray, DeviceRGB, DeviceCMYK,
//! ICCBased and Indexed over those, and stencil masks, all to 8-bit grey; DCTDecode (JPEG)
//! passed through as a file. JPX, JBIG2 and CCITT are not decoded.

use lopdf::{Document, Object, Stream};

use super::font::deref;
use super::interp::ImageSource;

/// Largest image decoded, in pixels.
const MAX_PIXELS: usize = 60_000_000;

/// A decoded image.
pub(super) enum Decoded {
    /// 8-bit grey, top row first.
    Gray {
        width: usize,
        height: usize,
        pixels: Vec<u8>,
    },
    /// A JPEG file and its size.
    Jpeg(Vec<u8>, usize, usize),
}

impl Decoded {
    pub(super) fn size(&self) -> (usize, usize) {
        match self {
            Self::Gray { width, height, .. } => (*width, *height),
            Self::Jpeg(_, w, h) => (*w, *h),
        }
    }
}

/// The colour space of an image: components and an optional palette.
struct Space {
    components: usize,
    palette: Option<(usize, Vec<u8>)>,
}

/// Decodes an image for OCR, or says why it cannot.
pub(super) fn decode(
    doc: &Document,
    source: &ImageSource,
    limit: usize,
) -> Result<Decoded, String> {
    let stream: &Stream = match source {
        ImageSource::Object(id) => match doc.get_object(*id) {
            Ok(Object::Stream(s)) => s,
            _ => return Err("image object missing".into()),
        },
        ImageSource::Inline(s) => s,
    };
    let dict = &stream.dict;
    let int = |k: &[u8], alt: &[u8]| {
        dict.get(k)
            .or_else(|_| dict.get(alt))
            .ok()
            .and_then(|o| deref(doc, o))
            .and_then(|o| o.as_i64().ok())
    };
    let width = int(b"Width", b"W").filter(|w| *w > 0).ok_or("no width")? as usize;
    let height = int(b"Height", b"H").filter(|h| *h > 0).ok_or("no height")? as usize;
    if width.saturating_mul(height) > MAX_PIXELS {
        return Err(format!("image of {width}×{height} pixels is too large"));
    }
    let filters: Vec<Vec<u8>> = match dict
        .get(b"Filter")
        .or_else(|_| dict.get(b"F"))
        .ok()
        .and_then(|o| deref(doc, o))
    {
        Some(Object::Name(n)) => vec![n.clone()],
        Some(Object::Array(a)) => a
            .iter()
            .filter_map(|o| o.as_name().ok().map(<[u8]>::to_vec))
            .collect(),
        _ => Vec::new(),
    };
    match filters.last().map(Vec::as_slice) {
        Some(b"DCTDecode" | b"DCT") if filters.len() == 1 => {
            return Ok(Decoded::Jpeg(stream.content.clone(), width, height));
        }
        Some(f @ (b"JPXDecode" | b"JBIG2Decode" | b"CCITTFaxDecode" | b"CCF" | b"DCTDecode")) => {
            return Err(format!(
                "{} images are not decoded",
                String::from_utf8_lossy(f)
            ));
        }
        _ => {}
    }
    let mask = dict
        .get(b"ImageMask")
        .or_else(|_| dict.get(b"IM"))
        .ok()
        .and_then(|o| o.as_bool().ok())
        .unwrap_or(false);
    let bpc = if mask {
        1
    } else {
        int(b"BitsPerComponent", b"BPC").unwrap_or(8) as usize
    };
    if ![1, 2, 4, 8].contains(&bpc) {
        return Err(format!("{bpc} bits per component not supported"));
    }
    let space = if mask {
        Space {
            components: 1,
            palette: None,
        }
    } else {
        let cs = dict
            .get(b"ColorSpace")
            .or_else(|_| dict.get(b"CS"))
            .ok()
            .and_then(|o| deref(doc, o));
        color_space(doc, cs, limit)?
    };
    let data = stream
        .decompressed_content_with_limit(limit)
        .map_err(|e| e.to_string())?;
    let per_pixel = if space.palette.is_some() {
        1
    } else {
        space.components
    };
    let row_bytes = (width * per_pixel * bpc).div_ceil(8);
    if data.len() < row_bytes * height {
        return Err("image data shorter than its size".into());
    }
    let max = (1u32 << bpc) - 1;
    let mut pixels = Vec::with_capacity(width * height);
    if bpc == 8 && per_pixel == 1 && space.palette.is_none() {
        // The common scan: 8-bit grey, already what OCR wants.
        for row in data.chunks(row_bytes).take(height) {
            pixels.extend_from_slice(&row[..width]);
        }
    } else {
        for row in data.chunks(row_bytes).take(height) {
            let sample = |i: usize| -> u32 {
                let bit = i * bpc;
                let byte = u32::from(row[bit / 8]);
                (byte >> (8 - bpc - bit % 8)) & max
            };
            for x in 0..width {
                let mut c = [0u32; 4];
                let gray = if let Some((base, palette)) = &space.palette {
                    let idx = sample(x) as usize * base;
                    for (k, slot) in c.iter_mut().enumerate().take(*base) {
                        *slot = u32::from(palette.get(idx + k).copied().unwrap_or(0));
                    }
                    to_gray(&c[..(*base).min(4)], 255)
                } else {
                    for (k, slot) in c.iter_mut().enumerate().take(space.components) {
                        *slot = sample(x * space.components + k);
                    }
                    to_gray(&c[..space.components.min(4)], max)
                };
                pixels.push(gray);
            }
        }
    }
    let inverted = dict
        .get(b"Decode")
        .or_else(|_| dict.get(b"D"))
        .ok()
        .and_then(|o| o.as_array().ok())
        .and_then(|a| a.first())
        .and_then(|o| o.as_float().ok())
        .is_some_and(|first| first > 0.5);
    // A stencil mask paints where the sample is 0 (with the default Decode).
    if inverted != mask {
        for p in &mut pixels {
            *p = 255 - *p;
        }
    }
    Ok(Decoded::Gray {
        width,
        height,
        pixels,
    })
}

/// Grey level of components scaled to `max` (1 = grey, 3 = RGB, 4 = CMYK).
fn to_gray(c: &[u32], max: u32) -> u8 {
    let s = |v: u32| v * 255 / max.max(1);
    let g = match c {
        [g] => s(*g),
        [r, g, b] => (s(*r) * 299 + s(*g) * 587 + s(*b) * 114) / 1000,
        [c, m, y, k] => {
            255u32.saturating_sub(((s(*c) * 3 + s(*m) * 6 + s(*y)) / 10 + s(*k)).min(255))
        }
        _ => 255,
    };
    g.min(255) as u8
}

fn color_space(doc: &Document, cs: Option<&Object>, limit: usize) -> Result<Space, String> {
    let simple = |n: &[u8]| match n {
        b"DeviceGray" | b"G" | b"CalGray" => Some(1),
        b"DeviceRGB" | b"RGB" | b"CalRGB" => Some(3),
        b"DeviceCMYK" | b"CMYK" => Some(4),
        _ => None,
    };
    match cs {
        None => Ok(Space {
            components: 1,
            palette: None,
        }),
        Some(Object::Name(n)) => simple(n)
            .map(|components| Space {
                components,
                palette: None,
            })
            .ok_or_else(|| format!("colour space {} not supported", String::from_utf8_lossy(n))),
        Some(Object::Array(a)) => {
            let kind = a.first().and_then(|o| o.as_name().ok()).unwrap_or(b"");
            match kind {
                b"ICCBased" => {
                    let n = a
                        .get(1)
                        .and_then(|o| deref(doc, o))
                        .and_then(|o| o.as_stream().ok())
                        .and_then(|s| s.dict.get(b"N").ok())
                        .and_then(|o| o.as_i64().ok())
                        .unwrap_or(3);
                    match n {
                        1 | 3 | 4 => Ok(Space {
                            components: n as usize,
                            palette: None,
                        }),
                        _ => Err(format!("ICC colour space with {n} components")),
                    }
                }
                b"Indexed" | b"I" => {
                    let base = color_space(doc, a.get(1).and_then(|o| deref(doc, o)), limit)?;
                    let lookup = match a.get(3).and_then(|o| deref(doc, o)) {
                        Some(Object::String(s, _)) => s.clone(),
                        Some(Object::Stream(s)) => s
                            .decompressed_content_with_limit(limit)
                            .map_err(|e| e.to_string())?,
                        _ => return Err("indexed colour space without a palette".into()),
                    };
                    Ok(Space {
                        components: 1,
                        palette: Some((base.components, lookup)),
                    })
                }
                b"CalGray" => Ok(Space {
                    components: 1,
                    palette: None,
                }),
                b"CalRGB" => Ok(Space {
                    components: 3,
                    palette: None,
                }),
                _ => Err(format!(
                    "colour space {} not supported",
                    String::from_utf8_lossy(kind)
                )),
            }
        }
        Some(_) => Err("colour space not understood".into()),
    }
}
