//! A minimal flow layout for the front matter: A4 pages, a cursor moving down, paragraphs that
//! wrap and break across pages, headings kept with what follows.

use super::text::{Content, Face, wrap};

/// A4 in points.
pub(crate) const A4: (f32, f32) = (595.276, 841.89);
/// Left and right margin.
pub(crate) const MARGIN_X: f32 = 62.0;
/// Top margin.
const MARGIN_TOP: f32 = 60.0;
/// Bottom margin; the footer sits inside it.
const MARGIN_BOTTOM: f32 = 64.0;

/// Body text size.
pub(crate) const BODY: f32 = 10.5;
/// Line height relative to the font size.
const LEADING: f32 = 1.35;

/// Pages being filled top to bottom.
pub(crate) struct Flow {
    pages: Vec<Content>,
    page: Content,
    /// Baseline of the next line.
    y: f32,
}

impl Flow {
    /// An empty first page.
    pub(crate) fn new() -> Self {
        Self {
            pages: Vec::new(),
            page: Content::default(),
            y: A4.1 - MARGIN_TOP,
        }
    }

    /// The text column's left edge.
    pub(crate) fn left(&self) -> f32 {
        MARGIN_X
    }

    /// The text column's right edge.
    pub(crate) fn right(&self) -> f32 {
        A4.0 - MARGIN_X
    }

    /// The column width.
    pub(crate) fn width(&self) -> f32 {
        self.right() - self.left()
    }

    /// The cursor (top of the next line's box).
    pub(crate) fn y(&self) -> f32 {
        self.y
    }

    /// Moves the cursor to `y` (only ever down the page).
    pub(crate) fn set_y(&mut self, y: f32) {
        self.y = self.y.min(y);
    }

    /// Index of the page being filled (0-based).
    pub(crate) fn page_index(&self) -> usize {
        self.pages.len()
    }

    /// The page being filled, to draw on directly.
    pub(crate) fn content(&mut self) -> &mut Content {
        &mut self.page
    }

    /// Starts a new page.
    pub(crate) fn new_page(&mut self) {
        let full = std::mem::take(&mut self.page);
        self.pages.push(full);
        self.y = A4.1 - MARGIN_TOP;
    }

    /// Starts a new page unless `height` more points fit on this one.
    pub(crate) fn ensure(&mut self, height: f32) {
        if self.y - height < MARGIN_BOTTOM {
            self.new_page();
        }
    }

    /// Vertical space.
    pub(crate) fn space(&mut self, points: f32) {
        self.y -= points;
    }

    /// Line height for `size`.
    pub(crate) fn line_height(size: f32) -> f32 {
        size * LEADING
    }

    /// One line of text at the cursor, indented by `indent`.
    pub(crate) fn line(&mut self, face: Face, size: f32, indent: f32, text: &str) {
        let h = Self::line_height(size);
        self.ensure(h);
        self.y -= h;
        let (x, y) = (self.left() + indent, self.y + (h - size) / 2.0);
        self.page.text(face, size, x, y, text);
    }

    /// A wrapped paragraph followed by a small gap.
    pub(crate) fn paragraph(&mut self, face: Face, size: f32, text: &str) {
        self.paragraph_indented(face, size, 0.0, text);
        self.space(size * 0.6);
    }

    /// A wrapped paragraph indented by `indent` (no gap after).
    pub(crate) fn paragraph_indented(&mut self, face: Face, size: f32, indent: f32, text: &str) {
        for line in wrap(text, face, size, self.width() - indent) {
            self.line(face, size, indent, &line);
        }
    }

    /// A bullet item: a dash and a hanging indent.
    pub(crate) fn bullet(&mut self, size: f32, text: &str) {
        let indent = 14.0;
        let lines = wrap(text, Face::Regular, size, self.width() - indent);
        for (i, line) in lines.iter().enumerate() {
            self.line(Face::Regular, size, indent, line);
            if i == 0 {
                let y = self.y + (Self::line_height(size) - size) / 2.0;
                let x = self.left() + 3.0;
                self.page.text(Face::Regular, size, x, y, "–");
            }
        }
    }

    /// A heading, kept on the page with at least three lines after it.
    pub(crate) fn heading(&mut self, size: f32, text: &str) {
        self.space(size * 0.5);
        self.ensure(Self::line_height(size) + 3.0 * Self::line_height(BODY));
        self.paragraph_indented(Face::Bold, size, 0.0, text);
        self.space(size * 0.3);
    }

    /// The pages, the last one included.
    pub(crate) fn finish(mut self) -> Vec<Content> {
        self.pages.push(self.page);
        self.pages
    }
}

/// Adds the footer to every front-matter page: the sender and reference on the left, the
/// page in roman numerals ("side ii af v") on the right — the numbers the page labels show.
pub(crate) fn footers(pages: &mut [Content], left: &str) {
    let total = super::text::roman(pages.len() as u32);
    for (i, page) in pages.iter_mut().enumerate() {
        let y = MARGIN_BOTTOM - 30.0;
        page.rule(MARGIN_X, A4.0 - MARGIN_X, y + 11.0, 0.4, 0.6);
        page.fill_grey(0.3);
        page.text(Face::Regular, 8.0, MARGIN_X, y, left);
        let label = format!("Side {} af {total}", super::text::roman(i as u32 + 1));
        page.text_right(Face::Regular, 8.0, A4.0 - MARGIN_X, y, &label);
        page.fill_grey(0.0);
    }
}
