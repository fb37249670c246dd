//! The content-stream interpreter: tracks the graphics and text state (q/Q, cm, BT/ET, Tf, Tm,
//! Td, TD, T*, TL, Tc, Tw, Tz, Ts) and records every text-showing operator (Tj, TJ, ', ") as a
//! run with its characters' positions in user space, plus where images are drawn. Form
//! XObjects are followed (depth-bounded).

use std::collections::HashMap;
use std::rc::Rc;

use lopdf::content::{Content, Operation};
use lopdf::{Dictionary, Document, Object, ObjectId, Stream};

use super::font::{Font, deref};
use crate::extract::Rect;

/// Most operators interpreted on one page, forms included.
const MAX_OPS: usize = 2_000_000;
/// Deepest Form XObject nesting followed.
const MAX_FORM_DEPTH: usize = 8;
/// Deepest q/Q nesting kept.
const MAX_STACK: usize = 256;

/// An affine matrix `[a b c d e f]` (row-vector convention, as PDF writes it).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct Matrix(pub [f32; 6]);

impl Matrix {
    pub(super) const IDENTITY: Matrix = Matrix([1.0, 0.0, 0.0, 1.0, 0.0, 0.0]);

    /// `self × other`: first self, then other.
    pub(super) fn then(self, other: Matrix) -> Matrix {
        let [a, b, c, d, e, f] = self.0;
        let [a2, b2, c2, d2, e2, f2] = other.0;
        Matrix([
            a * a2 + b * c2,
            a * b2 + b * d2,
            c * a2 + d * c2,
            c * b2 + d * d2,
            e * a2 + f * c2 + e2,
            e * b2 + f * d2 + f2,
        ])
    }

    pub(super) fn apply(self, x: f32, y: f32) -> (f32, f32) {
        let [a, b, c, d, e, f] = self.0;
        (x * a + y * c + e, x * b + y * d + f)
    }

    fn translate(x: f32, y: f32) -> Matrix {
        Matrix([1.0, 0.0, 0.0, 1.0, x, y])
    }

    /// The axis-aligned box of the unit square's image.
    pub(super) fn unit_box(self) -> Rect {
        let pts = [
            self.apply(0.0, 0.0),
            self.apply(1.0, 0.0),
            self.apply(0.0, 1.0),
            self.apply(1.0, 1.0),
        ];
        pts.iter().fold(
            Rect {
                x0: f32::MAX,
                y0: f32::MAX,
                x1: f32::MIN,
                y1: f32::MIN,
            },
            |r, &(x, y)| Rect {
                x0: r.x0.min(x),
                y0: r.y0.min(y),
                x1: r.x1.max(x),
                y1: r.y1.max(y),
            },
        )
    }
}

/// Text shown by one operator.
#[derive(Clone, Debug)]
pub(super) struct RawRun {
    pub text: String,
    /// Character edges (chars + 1) when horizontal, else empty.
    pub edges: Vec<f32>,
    pub bbox: Rect,
    pub font_size: f32,
    /// Baseline start and end in user space.
    pub start: (f32, f32),
    pub end: (f32, f32),
    /// Glyphs with no known character.
    pub unmapped: usize,
    pub glyphs: usize,
}

/// An image drawn on the page.
#[derive(Clone, Debug)]
pub(super) struct ImageUse {
    /// The image's stream (object id, or an inline image's copy).
    pub source: ImageSource,
    /// Its placement: the CTM at `Do`, mapping the unit square to user space.
    pub ctm: Matrix,
}

/// Where an image's data is.
#[derive(Clone, Debug)]
pub(super) enum ImageSource {
    Object(ObjectId),
    Inline(Box<Stream>),
}

/// What a page draws.
#[derive(Debug, Default)]
pub(super) struct PageContent {
    pub runs: Vec<RawRun>,
    pub images: Vec<ImageUse>,
    /// Path painting operators seen.
    pub paints: usize,
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

/// Interprets one page.
pub(super) struct Interp<'d> {
    doc: &'d Document,
    limit: usize,
    fonts: HashMap<ObjectId, Rc<Font>>,
    ops: usize,
    pub out: PageContent,
}

impl<'d> Interp<'d> {
    pub(super) fn new(doc: &'d Document, limit: usize) -> Self {
        Self {
            doc,
            limit,
            fonts: HashMap::new(),
            ops: 0,
            out: PageContent::default(),
        }
    }

    /// Runs `ops` with `resources` under `ctm`.
    pub(super) fn run(
        &mut self,
        ops: &[Operation],
        resources: Option<&Dictionary>,
        ctm: Matrix,
        depth: usize,
    ) {
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
        for op in ops {
            self.ops += 1;
            if self.ops > MAX_OPS {
                return;
            }
            let n = |i: usize| {
                op.operands
                    .get(i)
                    .and_then(|o| o.as_float().ok())
                    .unwrap_or(0.0)
            };
            match op.operator.as_str() {
                "q" if stack.len() < MAX_STACK => stack.push(gs.clone()),
                "Q" => {
                    if let Some(s) = stack.pop() {
                        gs = s;
                    }
                }
                "cm" => gs.ctm = Matrix([n(0), n(1), n(2), n(3), n(4), n(5)]).then(gs.ctm),
                "BT" => {
                    tm = Matrix::IDENTITY;
                    tlm = Matrix::IDENTITY;
                }
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
                    if op.operator == "TD" {
                        gs.tl = -n(1);
                    }
                    tlm = Matrix::translate(n(0), n(1)).then(tlm);
                    tm = tlm;
                }
                "Tm" => {
                    tlm = Matrix([n(0), n(1), n(2), n(3), n(4), n(5)]);
                    tm = tlm;
                }
                "T*" => {
                    tlm = Matrix::translate(0.0, -gs.tl).then(tlm);
                    tm = tlm;
                }
                "Tj" | "'" | "\"" | "TJ" => {
                    if op.operator != "Tj" && op.operator != "TJ" {
                        if op.operator == "\"" {
                            gs.tw = n(0);
                            gs.tc = n(1);
                        }
                        tlm = Matrix::translate(0.0, -gs.tl).then(tlm);
                        tm = tlm;
                    }
                    let items: Vec<&Object> = match op.operands.last() {
                        Some(Object::Array(a)) if op.operator == "TJ" => a.iter().collect(),
                        Some(o) => vec![o],
                        None => Vec::new(),
                    };
                    self.show(&gs, &mut tm, &items);
                }
                "Do" => {
                    if let Some(name) = op.operands.first().and_then(|o| o.as_name().ok()) {
                        self.x_object(resources, name, gs.ctm, depth);
                    }
                }
                "BI" => {
                    if let Some(Object::Stream(s)) = op.operands.first() {
                        self.out.images.push(ImageUse {
                            source: ImageSource::Inline(Box::new(s.clone())),
                            ctm: gs.ctm,
                        });
                    }
                }
                "f" | "F" | "f*" | "B" | "B*" | "b" | "b*" | "S" | "s" | "sh" => {
                    self.out.paints += 1
                }
                _ => {}
            }
        }
    }

    /// The font `name` of `resources`, cached by object.
    fn font(&mut self, resources: Option<&Dictionary>, name: &[u8]) -> Option<Rc<Font>> {
        let fonts = resources?
            .get(b"Font")
            .ok()
            .and_then(|o| deref(self.doc, o))?
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

    /// Records one text-showing operator's strings as a run and advances the text matrix.
    fn show(&mut self, gs: &GState, tm: &mut Matrix, items: &[&Object]) {
        let Some(font) = gs.font.clone() else { return };
        let mut run = RawRun {
            text: String::new(),
            edges: Vec::new(),
            bbox: Rect {
                x0: f32::MAX,
                y0: f32::MAX,
                x1: f32::MIN,
                y1: f32::MIN,
            },
            font_size: 0.0,
            start: (0.0, 0.0),
            end: (0.0, 0.0),
            unmapped: 0,
            glyphs: 0,
        };
        let params = Matrix([gs.size * gs.th, 0.0, 0.0, gs.size, 0.0, gs.rise]);
        let trm0 = params.then(*tm).then(gs.ctm);
        run.start = trm0.apply(0.0, 0.0);
        let [a, b, c, d, ..] = trm0.0;
        let horizontal = a > 0.0
            && b.abs() < 1e-3 * a.abs().max(1e-6)
            && c.abs() < 1e-3 * d.abs().max(1e-6)
            && d > 0.0;
        run.font_size = (c * c + d * d).sqrt();
        for item in items {
            match item {
                Object::String(bytes, _) => {
                    for g in font.decode(bytes) {
                        let trm = params.then(*tm).then(gs.ctm);
                        let w0 = g.width / 1000.0;
                        for (x, y) in [
                            (0.0, font.descent),
                            (w0, font.descent),
                            (0.0, font.ascent),
                            (w0, font.ascent),
                        ] {
                            let (px, py) = trm.apply(x, y);
                            run.bbox = run.bbox.union(Rect {
                                x0: px,
                                y0: py,
                                x1: px,
                                y1: py,
                            });
                        }
                        let left = trm.apply(0.0, 0.0).0;
                        let right = trm.apply(w0, 0.0).0;
                        let chars = g.text.chars().count();
                        run.glyphs += 1;
                        if chars == 0 {
                            run.unmapped += 1;
                            // Keep the text aligned with the glyphs: one replacement character.
                            run.text.push('\u{FFFD}');
                            run.edges.push(left);
                        } else {
                            for k in 0..chars {
                                run.edges
                                    .push(left + (right - left) * k as f32 / chars as f32);
                            }
                            run.text.push_str(&g.text);
                        }
                        let tx =
                            (w0 * gs.size + gs.tc + if g.is_space { gs.tw } else { 0.0 }) * gs.th;
                        *tm = Matrix::translate(tx, 0.0).then(*tm);
                    }
                }
                other => {
                    let adj = other.as_float().unwrap_or(0.0);
                    let tx = -adj / 1000.0 * gs.size * gs.th;
                    // A wide negative adjustment is how some producers write a word space.
                    if adj < -200.0 && !run.text.is_empty() && !run.text.ends_with(' ') {
                        let x = params.then(*tm).then(gs.ctm).apply(0.0, 0.0).0;
                        run.text.push(' ');
                        run.edges.push(x);
                    }
                    *tm = Matrix::translate(tx, 0.0).then(*tm);
                }
            }
        }
        let end = params.then(*tm).then(gs.ctm);
        run.end = end.apply(0.0, 0.0);
        run.edges.push(run.end.0);
        if !horizontal {
            run.edges.clear();
        }
        if run.glyphs > 0 && run.bbox.x0 <= run.bbox.x1 {
            self.out.runs.push(run);
        }
    }

    /// Follows `Do`: records an image, or interprets a form.
    fn x_object(&mut self, resources: Option<&Dictionary>, name: &[u8], ctm: Matrix, depth: usize) {
        let Some(xobjects) = resources
            .and_then(|r| r.get(b"XObject").ok())
            .and_then(|o| deref(self.doc, o))
            .and_then(|o| o.as_dict().ok())
        else {
            return;
        };
        let Ok(entry) = xobjects.get(name) else {
            return;
        };
        let Ok((id, Object::Stream(stream))) = self.doc.dereference(entry) else {
            return;
        };
        match stream.dict.get(b"Subtype").and_then(Object::as_name) {
            Ok(b"Image") => {
                if let Some(id) = id {
                    self.out.images.push(ImageUse {
                        source: ImageSource::Object(id),
                        ctm,
                    });
                }
            }
            Ok(b"Form") if depth < MAX_FORM_DEPTH => {
                let matrix = stream
                    .dict
                    .get(b"Matrix")
                    .and_then(Object::as_array)
                    .ok()
                    .filter(|m| m.len() == 6)
                    .map(|m| {
                        let v: Vec<f32> = m.iter().map(|o| o.as_float().unwrap_or(0.0)).collect();
                        Matrix([v[0], v[1], v[2], v[3], v[4], v[5]])
                    })
                    .unwrap_or(Matrix::IDENTITY);
                let Ok(bytes) = stream.decompressed_content_with_limit(self.limit) else {
                    return;
                };
                let Ok(content) = Content::decode(&bytes) else {
                    return;
                };
                let form_resources = stream
                    .dict
                    .get(b"Resources")
                    .ok()
                    .and_then(|o| deref(self.doc, o))
                    .and_then(|o| o.as_dict().ok())
                    .or(resources);
                self.run(
                    &content.operations,
                    form_resources,
                    matrix.then(ctm),
                    depth + 1,
                );
            }
            _ => {}
        }
    }
}
