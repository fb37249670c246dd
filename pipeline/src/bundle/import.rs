//! Importing one source PDF into the bundle.
//!
//! Each source page becomes a form XObject (its content stream with the page's resources and
//! box), and only the objects that XObject reaches are copied, renumbered, into the output.
//! The source's catalog, document info, XMP metadata, outlines, annotations, form fields,
//! embedded files and JavaScript are not reachable from a page's content and resources, so
//! they never enter the bundle. Wrapping the page in an XObject also isolates its graphics
//! state (an unbalanced `q`/`Q` in a source cannot leak into the stamp) and lets the bundle
//! scale the page to leave a margin for the stamp.
//!
//! The source [`Document`] is dropped when [`import`] returns: memory holds one source at a
//! time.

use std::collections::{HashMap, HashSet};
use std::io::Write;
use std::panic::{AssertUnwindSafe, catch_unwind};

use lopdf::{Dictionary, Document, LoadOptions, Object, ObjectId, Stream};

use super::writer::PdfOut;

/// One imported page, drawn later by the bundle's own page.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ImportedPage {
    /// The form XObject holding the source page, in output numbering.
    pub(crate) xobject: ObjectId,
    /// Visual width and height (after the source's `/Rotate`).
    pub(crate) width: f32,
    /// See `width`.
    pub(crate) height: f32,
    /// Maps the XObject's space (the source page's user space) onto the visual page with the
    /// rotation applied and the origin at (0, 0), before the stamp margin is made.
    pub(crate) matrix: [f32; 6],
}

/// Why a source PDF could not be imported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ImportError {
    /// lopdf could not read it (or panicked on it).
    Malformed(String),
    /// It is encrypted with a password we do not have.
    Encrypted,
    /// It has no pages.
    NoPages,
    /// Writing the output failed.
    Io(String),
}

/// Limit for one decompressed stream of a source, as in extraction.
const MAX_DECOMPRESSED: usize = 256 * 1024 * 1024;

/// Imports the pages of `bytes` into `out`.
pub(crate) fn import<W: Write>(
    out: &mut PdfOut<W>,
    bytes: &[u8],
) -> Result<Vec<ImportedPage>, ImportError> {
    let options = LoadOptions {
        max_decompressed_size: Some(MAX_DECOMPRESSED),
        ..LoadOptions::default()
    };
    let loaded = catch_unwind(AssertUnwindSafe(|| {
        Document::load_mem_with_options(bytes, options)
    }))
    .map_err(|_| ImportError::Malformed("the PDF parser panicked".into()))?;
    let mut doc = loaded.map_err(|e| match e {
        lopdf::Error::Decryption(_) | lopdf::Error::InvalidPassword => ImportError::Encrypted,
        e => ImportError::Malformed(e.to_string()),
    })?;
    if doc.trailer.get(b"Encrypt").is_ok() && !doc.was_encrypted() {
        return Err(ImportError::Encrypted);
    }
    let page_ids: Vec<ObjectId> = doc.get_pages().into_values().collect();
    if page_ids.is_empty() {
        return Err(ImportError::NoPages);
    }

    // Make one form XObject per page, in the source's numbering (fresh ids past its max).
    let mut forms = Vec::with_capacity(page_ids.len());
    for (n, page_id) in (doc.max_id + 1..).zip(page_ids) {
        let (form, geometry) = page_form(&doc, page_id)?;
        let id = (n, 0);
        doc.objects.insert(id, Object::Stream(form));
        forms.push((id, geometry));
    }

    // Copy what the forms reach, renumbered.
    let roots: Vec<ObjectId> = forms.iter().map(|(id, _)| *id).collect();
    let order = reachable(&doc, &roots);
    let map: HashMap<ObjectId, ObjectId> = order.iter().map(|&id| (id, out.alloc())).collect();
    for id in &order {
        let Some(mut object) = doc.objects.remove(id) else {
            continue;
        };
        renumber(&mut object, &map);
        let new_id = map[id];
        let result = match object {
            Object::Stream(stream) => out.write_stream(new_id, stream),
            other => out.write(new_id, &other),
        };
        result.map_err(|e| ImportError::Io(e.to_string()))?;
    }
    Ok(forms
        .into_iter()
        .map(|(id, g)| ImportedPage {
            xobject: map[&id],
            width: g.width,
            height: g.height,
            matrix: g.matrix,
        })
        .collect())
}

/// A page's box and rotation, resolved.
struct Geometry {
    width: f32,
    height: f32,
    matrix: [f32; 6],
}

/// Looks up `key` on the page or, as PDF inherits it, on its ancestors.
fn inherited<'a>(doc: &'a Document, page: &'a Dictionary, key: &[u8]) -> Option<&'a Object> {
    let mut node = page;
    for _ in 0..64 {
        if let Ok(value) = node.get(key) {
            return Some(value);
        }
        let parent = node.get(b"Parent").and_then(Object::as_reference).ok()?;
        node = doc.get_dictionary(parent).ok()?;
    }
    None
}

/// A rectangle `[x0 y0 x1 y1]`, normalised.
fn rect(doc: &Document, object: Option<&Object>) -> Option<[f32; 4]> {
    let (_, object) = doc.dereference(object?).ok()?;
    let items = object.as_array().ok()?;
    if items.len() != 4 {
        return None;
    }
    let mut v = [0f32; 4];
    for (slot, item) in v.iter_mut().zip(items) {
        let (_, item) = doc.dereference(item).ok()?;
        *slot = item.as_float().ok()?;
    }
    let [a, b, c, d] = v;
    let r = [a.min(c), b.min(d), a.max(c), b.max(d)];
    (r[2] - r[0] > 1.0 && r[3] - r[1] > 1.0).then_some(r)
}

/// The form XObject for one page and where it goes.
fn page_form(doc: &Document, page_id: ObjectId) -> Result<(Stream, Geometry), ImportError> {
    let page = doc
        .get_dictionary(page_id)
        .map_err(|e| ImportError::Malformed(format!("page {page_id:?}: {e}")))?;
    let media = rect(doc, inherited(doc, page, b"MediaBox")).unwrap_or([0.0, 0.0, 595.276, 841.89]);
    let bbox = match rect(doc, inherited(doc, page, b"CropBox")) {
        // The visible part is the intersection; a crop box outside the media box is ignored.
        Some(c) => {
            let i = [
                c[0].max(media[0]),
                c[1].max(media[1]),
                c[2].min(media[2]),
                c[3].min(media[3]),
            ];
            if i[2] - i[0] > 1.0 && i[3] - i[1] > 1.0 {
                i
            } else {
                media
            }
        }
        None => media,
    };
    let rotate = inherited(doc, page, b"Rotate")
        .and_then(|o| doc.dereference(o).ok())
        .and_then(|(_, o)| o.as_i64().ok())
        .unwrap_or(0)
        .rem_euclid(360);
    let (w, h) = (bbox[2] - bbox[0], bbox[3] - bbox[1]);
    // Source user space → visual space with the origin at the visual lower left. /Rotate
    // turns the page clockwise when shown.
    let shift = [1.0, 0.0, 0.0, 1.0, -bbox[0], -bbox[1]];
    let (turn, width, height) = match rotate {
        90 => ([0.0, -1.0, 1.0, 0.0, 0.0, w], h, w),
        180 => ([-1.0, 0.0, 0.0, -1.0, w, h], w, h),
        270 => ([0.0, 1.0, -1.0, 0.0, h, 0.0], h, w),
        _ => ([1.0, 0.0, 0.0, 1.0, 0.0, 0.0], w, h),
    };
    let matrix = multiply(shift, turn);

    let resources = inherited(doc, page, b"Resources")
        .cloned()
        .unwrap_or_else(|| Object::Dictionary(Dictionary::new()));
    let (mut dict, content) = page_content(doc, page)?;
    dict.set("Type", Object::Name(b"XObject".to_vec()));
    dict.set("Subtype", Object::Name(b"Form".to_vec()));
    dict.set(
        "BBox",
        Object::Array(bbox.iter().map(|&v| Object::Real(v)).collect()),
    );
    dict.set("Resources", resources);
    Ok((
        Stream::new(dict, content),
        Geometry {
            width,
            height,
            matrix,
        },
    ))
}

/// The page's content as one stream: its dictionary keeps the filters so a single stream is
/// copied without decoding; several streams are decoded and joined.
fn page_content(doc: &Document, page: &Dictionary) -> Result<(Dictionary, Vec<u8>), ImportError> {
    let streams: Vec<&Stream> = match page.get(b"Contents") {
        Err(_) => Vec::new(),
        Ok(contents) => {
            let (_, contents) = doc
                .dereference(contents)
                .map_err(|e| ImportError::Malformed(format!("page contents: {e}")))?;
            match contents {
                Object::Stream(s) => vec![s],
                Object::Array(items) => items
                    .iter()
                    .filter_map(|item| match doc.dereference(item) {
                        Ok((_, Object::Stream(s))) => Some(s),
                        _ => None,
                    })
                    .collect(),
                _ => Vec::new(),
            }
        }
    };
    if let [single] = streams.as_slice() {
        let mut dict = Dictionary::new();
        for key in [&b"Filter"[..], b"DecodeParms"] {
            if let Ok(value) = single.dict.get(key) {
                dict.set(key.to_vec(), value.clone());
            }
        }
        return Ok((dict, single.content.clone()));
    }
    let mut joined = Vec::new();
    for stream in streams {
        let data = if stream.dict.get(b"Filter").is_ok() {
            stream
                .decompressed_content_with_limit(MAX_DECOMPRESSED)
                .map_err(|e| ImportError::Malformed(format!("page content stream: {e}")))?
        } else {
            stream.content.clone()
        };
        joined.extend_from_slice(&data);
        joined.push(b'\n');
    }
    let mut stream = Stream::new(Dictionary::new(), joined);
    // Best effort: an uncompressed stream is as valid, only larger.
    let _ = stream.compress();
    Ok((stream.dict, stream.content))
}

/// `a` then `b`, as PDF matrices `[a b c d e f]` (row vectors: p' = p · a · b).
pub(crate) fn multiply(a: [f32; 6], b: [f32; 6]) -> [f32; 6] {
    [
        a[0] * b[0] + a[1] * b[2],
        a[0] * b[1] + a[1] * b[3],
        a[2] * b[0] + a[3] * b[2],
        a[2] * b[1] + a[3] * b[3],
        a[4] * b[0] + a[5] * b[2] + b[4],
        a[4] * b[1] + a[5] * b[3] + b[5],
    ]
}

/// The objects reachable from `roots`, roots first, in a stable order. `/Parent` links are not
/// followed: they lead back into the source's page tree, which the bundle does not copy.
fn reachable(doc: &Document, roots: &[ObjectId]) -> Vec<ObjectId> {
    let mut seen: HashSet<ObjectId> = HashSet::new();
    let mut order = Vec::new();
    let mut stack: Vec<ObjectId> = roots.iter().rev().copied().collect();
    while let Some(id) = stack.pop() {
        if !seen.insert(id) {
            continue;
        }
        let Some(object) = doc.objects.get(&id) else {
            continue;
        };
        order.push(id);
        let mut refs = Vec::new();
        collect_refs(object, &mut refs);
        stack.extend(refs.into_iter().rev().filter(|r| !seen.contains(r)));
    }
    order
}

fn collect_refs(object: &Object, refs: &mut Vec<ObjectId>) {
    match object {
        Object::Reference(id) => refs.push(*id),
        Object::Array(items) => items.iter().for_each(|o| collect_refs(o, refs)),
        Object::Dictionary(dict) => collect_dict_refs(dict, refs),
        Object::Stream(stream) => collect_dict_refs(&stream.dict, refs),
        _ => {}
    }
}

fn collect_dict_refs(dict: &Dictionary, refs: &mut Vec<ObjectId>) {
    for (key, value) in dict.iter() {
        if key != b"Parent" {
            collect_refs(value, refs);
        }
    }
}

/// Rewrites references into output numbering; a reference to an object that was not copied
/// (missing in the source, or a `/Parent`) becomes `null`.
fn renumber(object: &mut Object, map: &HashMap<ObjectId, ObjectId>) {
    match object {
        Object::Reference(id) => {
            *object = map.get(id).map_or(Object::Null, |&n| Object::Reference(n));
        }
        Object::Array(items) => items.iter_mut().for_each(|o| renumber(o, map)),
        Object::Dictionary(dict) => renumber_dict(dict, map),
        Object::Stream(stream) => renumber_dict(&mut stream.dict, map),
        _ => {}
    }
}

fn renumber_dict(dict: &mut Dictionary, map: &HashMap<ObjectId, ObjectId>) {
    dict.remove(b"Parent");
    for (_, value) in dict.iter_mut() {
        renumber(value, map);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn apply(m: [f32; 6], x: f32, y: f32) -> (f32, f32) {
        (m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5])
    }

    #[test]
    fn rotation_maps_the_box_onto_the_visual_page() {
        // A portrait 100 × 200 page shown at /Rotate 90 is landscape 200 × 100, and its top
        // left corner lands top right.
        let (w, h) = (100.0, 200.0);
        let turn = [0.0, -1.0, 1.0, 0.0, 0.0, w];
        assert_eq!(apply(turn, 0.0, h), (h, w));
        assert_eq!(apply(turn, 0.0, 0.0), (0.0, w));
        assert_eq!(apply(turn, w, 0.0), (0.0, 0.0));
        let turn270 = [0.0, 1.0, -1.0, 0.0, h, 0.0];
        assert_eq!(apply(turn270, 0.0, 0.0), (h, 0.0));
        let shifted = multiply([1.0, 0.0, 0.0, 1.0, -10.0, -20.0], turn);
        assert_eq!(apply(shifted, 10.0, 20.0), (0.0, w));
    }
}
