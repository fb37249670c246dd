//! Affine matrices and rectangle overlap, in the conventions of the PDF content stream.

use crate::extract::Rect;

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

    pub(super) fn translate(x: f32, y: f32) -> Matrix {
        Matrix([1.0, 0.0, 0.0, 1.0, x, y])
    }

    pub(super) fn apply(self, x: f32, y: f32) -> (f32, f32) {
        let [a, b, c, d, e, f] = self.0;
        (x * a + y * c + e, x * b + y * d + f)
    }

    /// The inverse, or `None` for a singular matrix.
    pub(super) fn invert(self) -> Option<Matrix> {
        let [a, b, c, d, e, f] = self.0;
        let det = a * d - b * c;
        if !det.is_finite() || det.abs() < 1e-12 {
            return None;
        }
        let (ia, ib, ic, id) = (d / det, -b / det, -c / det, a / det);
        Some(Matrix([
            ia,
            ib,
            ic,
            id,
            -(e * ia + f * ic),
            -(e * ib + f * id),
        ]))
    }

    /// The axis-aligned box of the image of `r` (given in this matrix's source space).
    pub(super) fn map_rect(self, r: Rect) -> Rect {
        bounds(&[
            self.apply(r.x0, r.y0),
            self.apply(r.x1, r.y0),
            self.apply(r.x0, r.y1),
            self.apply(r.x1, r.y1),
        ])
    }

    /// Parses six numeric operands; `None` when there are not six numbers.
    pub(super) fn from_objects(objects: &[lopdf::Object]) -> Option<Matrix> {
        if objects.len() < 6 {
            return None;
        }
        let mut m = [0.0; 6];
        for (slot, o) in m.iter_mut().zip(objects) {
            *slot = o.as_float().ok().filter(|v| v.is_finite())?;
        }
        Some(Matrix(m))
    }
}

/// The unit square.
pub(super) const UNIT: Rect = Rect {
    x0: 0.0,
    y0: 0.0,
    x1: 1.0,
    y1: 1.0,
};

/// The smallest rectangle holding `points`.
pub(super) fn bounds(points: &[(f32, f32)]) -> Rect {
    points.iter().fold(
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

/// The overlap of two rectangles, or `None` when they do not overlap.
pub(super) fn intersect(a: Rect, b: Rect) -> Option<Rect> {
    let r = Rect {
        x0: a.x0.max(b.x0),
        y0: a.y0.max(b.y0),
        x1: a.x1.min(b.x1),
        y1: a.y1.min(b.y1),
    };
    (r.x0 < r.x1 && r.y0 < r.y1).then_some(r)
}

/// Share of a glyph box that a redaction must cover for the glyph to be removed. A box placed
/// from [`crate::extract::Extracted::boxes_for`] covers its glyphs entirely and touches its
/// neighbours only at an edge; a hand-drawn box that covers a third of a letter takes it.
pub(super) const COVER_SHARE: f32 = 0.3;

/// Whether a glyph with box `glyph` (origin `origin`) falls under one of `rects`.
pub(super) fn covered(glyph: Rect, origin: (f32, f32), rects: &[Rect]) -> bool {
    let area = glyph.area();
    if area.is_nan() || area <= 1e-6 {
        // Zero-size text (size 0, a degenerate matrix) is invisible but still extractable.
        return rects.iter().any(|r| r.contains(origin.0, origin.1));
    }
    rects
        .iter()
        .any(|r| intersect(glyph, *r).is_some_and(|overlap| overlap.area() >= COVER_SHARE * area))
}
