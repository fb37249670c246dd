//! Rewriting content streams: the same text-state tracking as the extractor's interpreter
//! (q/Q, cm, BT, Tf, Tm, Td, TD, T*, TL, Tc, Tw, Tz, Ts), with fonts decoded by
//! [`crate::extract`]'s font code, so a glyph is removed exactly where extraction placed it.
//!
//! A text-showing operator (Tj, TJ, ', ") with glyphs under a redaction is re-emitted as a TJ
//! whose removed glyphs are replaced by position adjustments of their advance widths, so the rest
//! of the line does not move. Form XObjects are interpreted and, when changed, copied to new
//! objects (a form may be shared with pages that are not redacted); images under a redaction are
//! painted ([`super::image`]) or, when they cannot be decoded, replaced by an opaque box.
//! Content in hidden optional-content groups is removed (text kept as advances only, paths
//! ended without painting, images and forms dropped). Marked-content properties (`BDC`,
//! which can carry `/ActualText` and `/Alt` strings) become plain `BMC` tags.

use std::collections::{HashMap, HashSet};
use std::rc::Rc;

use lopdf::content::{Content, Operation};
use lopdf::{Dictionary, Document, Object, ObjectId, Stream};

use super::geom::{Matrix, UNIT, bounds, covered, intersect};
use super::{ImageIssue, image};
use crate::extract::Rect;
use crate::extract::pdf::font::{Font, deref};

/// Deepest Form XObject nesting followed.
const MAX_FORM_DEPTH: usize = 8;
/// Deepest q/Q nesting kept.
const MAX_STACK: usize = 256;
/// Most operators interpreted on one page, forms included.
pub(super) const MAX_OPS: usize = 4_000_000;

/// What rewriting found on one page.
#[derive(Debug, Default)]
pub(super) struct PageStats {
    pub removed_glyphs: usize,
    pub images_painted: usize,
    pub images_replaced: Vec<ImageIssue>,
    pub forms_rewritten: usize,
    pub hidden_removed: usize,
    pub ops: usize,
}

/// A rewritten content stream.
pub(super) struct Scope {
    pub ops: Vec<Operation>,
    /// Whether anything differs from the input.
    pub changed: bool,
    /// XObjects to add to the scope's resources: (name, new object).
    pub added: Vec<(Vec<u8>, ObjectId)>,
    /// `q` left open at the end, and whether a text object is still open.
    pub open_q: usize,
    pub in_text: bool,
}

/// Rewrites the content of one document's pages.
pub(super) struct Rewriter<'d> {
    pub doc: &'d Document,
    pub limit: usize,
    pub compression: flate2::Compression,
    fonts: HashMap<ObjectId, Rc<Font>>,
    /// Objects made while rewriting (new forms and images), numbered from `next_id`.
    pub new_objects: Vec<(ObjectId, Object)>,
    pub next_id: u32,
    /// Hidden optional-content groups, when the document has optional content.
    pub hidden_oc: Option<HashSet<ObjectId>>,
    pub stats: PageStats,
    names: usize,
    /// XObject names the rewritten content of the current page still draws (nested forms
    /// included): names not in it are dropped from rewritten resources, so an image that was
    /// painted or replaced does not stay in the file under its old name.
    pub used_names: HashSet<Vec<u8>>,
}

#[derive(Clone)]
struct GState {
    ctm: Matrix,
    font: Option<Rc<Font>>,
    size: f32,
    tc: f32,
    tw: f32,
    th: f32,
    tl: f32,
    rise: f32,
}

impl<'d> Rewriter<'d> {
    pub(super) fn new(
        doc: &'d Document,
        limit: usize,
        hidden_oc: Option<HashSet<ObjectId>>,
    ) -> Self {
        Self {
            doc,
            limit,
            compression: flate2::Compression::new(1),
            fonts: HashMap::new(),
            new_objects: Vec::new(),
            next_id: doc.max_id.saturating_add(1),
            hidden_oc,
            stats: PageStats::default(),
            names: 0,
            used_names: HashSet::new(),
        }
    }

    /// Adds an object made during rewriting and returns its id.
    pub(super) fn add(&mut self, object: Object) -> ObjectId {
        let id = (self.next_id, 0);
        self.next_id = self.next_id.saturating_add(1);
        self.new_objects.push((id, object));
        id
    }

    /// A resource name no input uses.
    fn fresh_name(&mut self) -> Vec<u8> {
        self.names += 1;
        format!("SagshubRedacted{}", self.names).into_bytes()
    }

    /// Rewrites `ops` drawn with `resources` under `ctm`, removing what lies under `rects`.
    pub(super) fn scope(
        &mut self,
        ops: &[Operation],
        resources: Option<&'d Dictionary>,
        ctm: Matrix,
        rects: &[Rect],
        depth: usize,
    ) -> Scope {
        let mut gs = GState {
            ctm,
            font: None,
            size: 0.0,
            tc: 0.0,
            tw: 0.0,
            th: 1.0,
            tl: 0.0,
            rise: 0.0,
        };
        let mut stack: Vec<GState> = Vec::new();
        let mut tm = Matrix::IDENTITY;
        let mut tlm = Matrix::IDENTITY;
        let mut out = Scope {
            ops: Vec::with_capacity(ops.len() + 8),
            changed: false,
            added: Vec::new(),
            open_q: 0,
            in_text: false,
        };
        // A text-showing operator whose line no redaction touches is not decoded: its advance is
        // only needed when the next one follows without repositioning, and is applied then.
        let mut deferred: Option<(GState, &Operation)> = None;
        // Marked content: for each open sequence, whether it opened hidden content.
        let mut marked: Vec<bool> = Vec::new();
        let mut hidden = 0usize;
        for op in ops {
            self.stats.ops += 1;
            if self.stats.ops > MAX_OPS {
                // Beyond the bound nothing more is drawn: dropping is the safe side.
                out.changed = true;
                break;
            }
            let n = |i: usize| {
                op.operands
                    .get(i)
                    .and_then(|o| o.as_float().ok())
                    .filter(|v| v.is_finite())
                    .unwrap_or(0.0)
            };
            let hide = hidden > 0;
            match op.operator.as_str() {
                "q" => {
                    if stack.len() >= MAX_STACK {
                        out.changed = true;
                        continue;
                    }
                    stack.push(gs.clone());
                }
                "Q" => match stack.pop() {
                    Some(s) => gs = s,
                    None => {
                        // An unmatched Q would pop the state the box is drawn in.
                        out.changed = true;
                        continue;
                    }
                },
                "cm" => {
                    if let Some(m) = Matrix::from_objects(&op.operands) {
                        gs.ctm = m.then(gs.ctm);
                    }
                }
                "BT" => {
                    deferred = None;
                    tm = Matrix::IDENTITY;
                    tlm = Matrix::IDENTITY;
                    out.in_text = true;
                }
                "ET" => out.in_text = false,
                "Tf" => {
                    gs.size = n(1);
                    gs.font = op
                        .operands
                        .first()
                        .and_then(|o| o.as_name().ok())
                        .and_then(|name| self.font(resources, name));
                }
                "Tc" => gs.tc = n(0),
                "Tw" => gs.tw = n(0),
                "Tz" => gs.th = n(0) / 100.0,
                "TL" => gs.tl = n(0),
                "Ts" => gs.rise = n(0),
                "Td" | "TD" => {
                    deferred = None;
                    if op.operator == "TD" {
                        gs.tl = -n(1);
                    }
                    tlm = Matrix::translate(n(0), n(1)).then(tlm);
                    tm = tlm;
                }
                "Tm" => {
                    if let Some(m) = Matrix::from_objects(&op.operands) {
                        deferred = None;
                        tlm = m;
                        tm = tlm;
                    }
                }
                "T*" => {
                    deferred = None;
                    tlm = Matrix::translate(0.0, -gs.tl).then(tlm);
                    tm = tlm;
                }
                "Tj" | "'" | "\"" | "TJ" => {
                    if op.operator == "'" || op.operator == "\"" {
                        if op.operator == "\"" {
                            gs.tw = n(0);
                            gs.tc = n(1);
                        }
                        deferred = None;
                        tlm = Matrix::translate(0.0, -gs.tl).then(tlm);
                        tm = tlm;
                    }
                    if let Some((g, o)) = deferred.take() {
                        self.show(&g, &mut tm, o, &[], false);
                    }
                    let off_line = !hide && misses_line(&gs, tm, rects);
                    if off_line && gs.font.is_some() {
                        deferred = Some((gs.clone(), op));
                    } else if let Some(replacement) = self.show(&gs, &mut tm, op, rects, hide) {
                        out.changed = true;
                        out.ops.extend(replacement);
                        continue;
                    }
                }
                "Do" => {
                    let replacement =
                        self.x_object(resources, op, gs.ctm, rects, hide, depth, &mut out);
                    let drawn = replacement.as_deref().unwrap_or(std::slice::from_ref(op));
                    for d in drawn.iter().filter(|d| d.operator == "Do") {
                        if let Some(name) = d.operands.first().and_then(|o| o.as_name().ok()) {
                            self.used_names.insert(name.to_vec());
                        }
                    }
                    if let Some(replacement) = replacement {
                        out.changed = true;
                        out.ops.extend(replacement);
                        continue;
                    }
                }
                "BI" => {
                    let placed = gs.ctm.map_rect(UNIT);
                    if hide || rects.iter().any(|r| intersect(placed, *r).is_some()) {
                        out.changed = true;
                        if !hide {
                            self.stats.images_replaced.push(ImageIssue {
                                detail: "inline image under a redaction".into(),
                            });
                            out.ops.extend(opaque_box(gs.ctm));
                        }
                        continue;
                    }
                }
                "BMC" | "BDC" => {
                    let opens_hidden = op.operator == "BDC" && self.marks_hidden(resources, op);
                    if opens_hidden {
                        hidden += 1;
                        self.stats.hidden_removed += 1;
                    }
                    marked.push(opens_hidden);
                    if op.operator == "BDC" {
                        out.changed = true;
                        out.ops.push(Operation::new(
                            "BMC",
                            op.operands.first().cloned().into_iter().collect(),
                        ));
                        continue;
                    }
                }
                "EMC" => {
                    let closes_hidden = marked.pop() == Some(true);
                    hidden = hidden.saturating_sub(usize::from(closes_hidden));
                }
                "f" | "F" | "f*" | "B" | "B*" | "b" | "b*" | "S" | "s" if hide => {
                    out.changed = true;
                    out.ops.push(Operation::new("n", Vec::new()));
                    continue;
                }
                "sh" if hide => {
                    out.changed = true;
                    continue;
                }
                _ => {}
            }
            out.ops.push(op.clone());
        }
        // Close what the content left open, so the box is drawn in the page's own state.
        for _ in 0..marked.len() {
            out.ops.push(Operation::new("EMC", Vec::new()));
        }
        out.open_q = stack.len();
        out
    }

    /// The font `name` of `resources`, cached by object for the whole document.
    fn font(&mut self, resources: Option<&Dictionary>, name: &[u8]) -> Option<Rc<Font>> {
        let fonts = deref(self.doc, resources?.get(b"Font").ok()?)?
            .as_dict()
            .ok()?;
        let entry = fonts.get(name).ok()?;
        let id = entry.as_reference().ok();
        if let Some(f) = id.and_then(|id| self.fonts.get(&id)) {
            return Some(f.clone());
        }
        let dict = deref(self.doc, entry)?.as_dict().ok()?;
        let font = Rc::new(Font::load(self.doc, dict, self.limit));
        if let Some(id) = id {
            self.fonts.insert(id, font.clone());
        }
        Some(font)
    }

    /// One text-showing operator: `None` when no glyph is removed (the text matrix advanced),
    /// else the operators to emit instead.
    fn show(
        &mut self,
        gs: &GState,
        tm: &mut Matrix,
        op: &Operation,
        rects: &[Rect],
        remove_all: bool,
    ) -> Option<Vec<Operation>> {
        let items: &[Object] = match op.operands.last() {
            Some(Object::Array(a)) if op.operator == "TJ" => a,
            Some(o) => std::slice::from_ref(o),
            None => return None,
        };
        let Some(font) = gs.font.clone() else {
            // Without a font nothing is drawn, but a reader may still extract the bytes.
            return (remove_all || !rects.is_empty()).then(|| prefix_ops(op, gs));
        };
        let params = Matrix([gs.size * gs.th, 0.0, 0.0, gs.size, 0.0, gs.rise]);
        let mut parts: Vec<Object> = Vec::with_capacity(items.len() + 4);
        let mut removed = 0usize;
        let mut pending = 0.0f32;
        for item in items {
            match item {
                Object::String(bytes, format) => {
                    let mut current: Vec<u8> = Vec::new();
                    let mut offset = 0usize;
                    for g in font.decode(bytes) {
                        let code =
                            &bytes[offset.min(bytes.len())..(offset + g.len).min(bytes.len())];
                        offset += g.len;
                        let trm = params.then(*tm).then(gs.ctm);
                        let w0 = g.width / 1000.0;
                        let glyph_box = bounds(&[
                            trm.apply(0.0, font.descent),
                            trm.apply(w0, font.descent),
                            trm.apply(0.0, font.ascent),
                            trm.apply(w0, font.ascent),
                        ]);
                        let origin = trm.apply(0.0, 0.0);
                        let advance = w0 * gs.size + gs.tc + if g.is_space { gs.tw } else { 0.0 };
                        *tm = Matrix::translate(advance * gs.th, 0.0).then(*tm);
                        if remove_all || covered(glyph_box, origin, rects) {
                            removed += 1;
                            if !current.is_empty() {
                                parts.push(Object::String(std::mem::take(&mut current), *format));
                            }
                            if gs.size.abs() > 1e-6 {
                                pending -= advance * 1000.0 / gs.size;
                            }
                        } else {
                            if pending != 0.0 {
                                flush_number(&mut parts, &mut pending);
                            }
                            current.extend_from_slice(code);
                        }
                    }
                    if !current.is_empty() {
                        parts.push(Object::String(current, *format));
                    }
                }
                other => {
                    let adj = other
                        .as_float()
                        .ok()
                        .filter(|v| v.is_finite())
                        .unwrap_or(0.0);
                    *tm = Matrix::translate(-adj / 1000.0 * gs.size * gs.th, 0.0).then(*tm);
                    pending += adj;
                }
            }
        }
        if removed == 0 {
            return None;
        }
        if pending != 0.0 {
            flush_number(&mut parts, &mut pending);
        }
        self.stats.removed_glyphs += removed;
        let mut ops = prefix_ops(op, gs);
        if !parts.is_empty() {
            ops.push(Operation::new("TJ", vec![Object::Array(parts)]));
        }
        Some(ops)
    }

    /// `Do`: `None` to keep it, else its replacement.
    #[allow(clippy::too_many_arguments)]
    fn x_object(
        &mut self,
        resources: Option<&'d Dictionary>,
        op: &Operation,
        ctm: Matrix,
        rects: &[Rect],
        hide: bool,
        depth: usize,
        out: &mut Scope,
    ) -> Option<Vec<Operation>> {
        let doc = self.doc;
        let name = op.operands.first()?.as_name().ok()?;
        let xobjects = deref(doc, resources?.get(b"XObject").ok()?)?
            .as_dict()
            .ok()?;
        let Ok((_, Object::Stream(stream))) = doc.dereference(xobjects.get(name).ok()?) else {
            return None;
        };
        if hide || self.oc_hidden(stream.dict.get(b"OC").ok()) {
            self.stats.hidden_removed += 1;
            return Some(Vec::new());
        }
        match stream.dict.get(b"Subtype").and_then(Object::as_name) {
            Ok(b"Image") => {
                let placed = ctm.map_rect(UNIT);
                let hits: Vec<Rect> = rects
                    .iter()
                    .filter(|r| intersect(placed, **r).is_some())
                    .copied()
                    .collect();
                if hits.is_empty() {
                    return None;
                }
                match image::paint(doc, stream, ctm, &hits, self.limit, self.compression) {
                    Ok(painted) => {
                        self.stats.images_painted += 1;
                        let id = self.add(Object::Stream(painted));
                        let fresh = self.fresh_name();
                        out.added.push((fresh.clone(), id));
                        Some(vec![Operation::new("Do", vec![Object::Name(fresh)])])
                    }
                    Err(detail) => {
                        self.stats.images_replaced.push(ImageIssue { detail });
                        Some(opaque_box(ctm))
                    }
                }
            }
            Ok(b"Form") if depth < MAX_FORM_DEPTH => {
                let matrix = stream
                    .dict
                    .get(b"Matrix")
                    .and_then(Object::as_array)
                    .ok()
                    .and_then(|m| Matrix::from_objects(m))
                    .unwrap_or(Matrix::IDENTITY);
                let bytes = stream.decompressed_content_with_limit(self.limit).ok();
                let Some(content) = bytes.as_deref().and_then(|b| Content::decode(b).ok()) else {
                    // A form we cannot read could hold anything: drop it where it is redacted.
                    return (!rects.is_empty()).then(Vec::new);
                };
                let form_resources = stream
                    .dict
                    .get(b"Resources")
                    .ok()
                    .and_then(|o| deref(doc, o))
                    .and_then(|o| o.as_dict().ok())
                    .or(resources);
                let sub = self.scope(
                    &content.operations,
                    form_resources,
                    matrix.then(ctm),
                    rects,
                    depth + 1,
                );
                if !sub.changed {
                    return None;
                }
                let mut form = Stream::new(stream.dict.clone(), Vec::new());
                for key in [
                    &b"Filter"[..],
                    b"DecodeParms",
                    b"Length",
                    b"Metadata",
                    b"PieceInfo",
                ] {
                    form.dict.remove(key);
                }
                let mut ops = sub.ops;
                ops.extend((0..sub.open_q).map(|_| Operation::new("Q", Vec::new())));
                let encoded = super::encode::encode(&ops).ok()?;
                form.set_content(deflate(&encoded, self.compression));
                form.dict.set("Filter", "FlateDecode");
                if !sub.added.is_empty() {
                    let res = with_xobjects(doc, form_resources, &sub.added, &self.used_names);
                    form.dict.set("Resources", res);
                }
                self.stats.forms_rewritten += 1;
                let id = self.add(Object::Stream(form));
                let fresh = self.fresh_name();
                out.added.push((fresh.clone(), id));
                Some(vec![Operation::new("Do", vec![Object::Name(fresh)])])
            }
            _ => None,
        }
    }
}

/// Whether no redaction reaches the line a horizontal text operator draws on (checked from the
/// font's ascent and descent at the current position, before any glyph is decoded).
fn misses_line(gs: &GState, tm: Matrix, rects: &[Rect]) -> bool {
    let Some(font) = &gs.font else { return false };
    let params = Matrix([gs.size * gs.th, 0.0, 0.0, gs.size, 0.0, gs.rise]);
    let [_, b, c, d, _, f] = params.then(tm).then(gs.ctm).0;
    if b != 0.0 || c != 0.0 || d.is_nan() {
        return false;
    }
    let (y0, y1) = (f + font.descent * d, f + font.ascent * d);
    let (lo, hi) = (y0.min(y1), y0.max(y1));
    rects.iter().all(|r| r.y0 > hi || r.y1 < lo)
}

/// What a `'` or `"` does besides showing text, for emitting it as TJ.
fn prefix_ops(op: &Operation, gs: &GState) -> Vec<Operation> {
    match op.operator.as_str() {
        "'" => vec![Operation::new("T*", Vec::new())],
        "\"" => vec![
            Operation::new("Tw", vec![Object::Real(gs.tw)]),
            Operation::new("Tc", vec![Object::Real(gs.tc)]),
            Operation::new("T*", Vec::new()),
        ],
        _ => Vec::new(),
    }
}

fn flush_number(parts: &mut Vec<Object>, pending: &mut f32) {
    if let Some(Object::Real(last)) = parts.last_mut() {
        *last += *pending;
    } else {
        parts.push(Object::Real(*pending));
    }
    *pending = 0.0;
}

/// An opaque black rectangle over the unit square under `ctm` (where an image was).
fn opaque_box(ctm: Matrix) -> Vec<Operation> {
    let m = ctm.0.iter().map(|v| Object::Real(*v)).collect();
    vec![
        Operation::new("q", Vec::new()),
        Operation::new("cm", m),
        Operation::new("g", vec![Object::Integer(0)]),
        Operation::new("re", vec![0.into(), 0.into(), 1.into(), 1.into()]),
        Operation::new("f", Vec::new()),
        Operation::new("Q", Vec::new()),
    ]
}

/// A copy of `resources` (followed one reference) with XObjects added and those not in `used`
/// removed.
pub(super) fn with_xobjects(
    doc: &Document,
    resources: Option<&Dictionary>,
    added: &[(Vec<u8>, ObjectId)],
    used: &HashSet<Vec<u8>>,
) -> Dictionary {
    let mut res = resources.cloned().unwrap_or_default();
    let mut xobjects = res
        .get(b"XObject")
        .ok()
        .and_then(|o| deref(doc, o))
        .and_then(|o| o.as_dict().ok())
        .cloned()
        .unwrap_or_default();
    for (name, id) in added {
        xobjects.set(name.clone(), Object::Reference(*id));
    }
    let unused: Vec<Vec<u8>> = xobjects
        .iter()
        .map(|(k, _)| k.clone())
        .filter(|k| !used.contains(k))
        .collect();
    for k in unused {
        xobjects.remove(&k);
    }
    if xobjects.is_empty() {
        res.remove(b"XObject");
    } else {
        res.set("XObject", xobjects);
    }
    res
}

/// zlib-compresses `data`.
pub(super) fn deflate(data: &[u8], level: flate2::Compression) -> Vec<u8> {
    use std::io::Write;
    let mut enc = flate2::write::ZlibEncoder::new(Vec::with_capacity(data.len() / 3 + 64), level);
    // Writing into a Vec cannot fail.
    let _ = enc.write_all(data);
    enc.finish().unwrap_or_default()
}
