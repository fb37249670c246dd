//! Laying text out on A4 pages: wrapping at spaces by the font's widths (a word wider than
//! the line is broken between letters), page breaks when the page is full or at a form feed.

use super::font::FontUse;

/// A4 in points.
pub(super) const PAGE: (f32, f32) = (595.28, 841.89);
/// Left and right margin.
pub(super) const MARGIN_X: f32 = 62.0;
/// Top and bottom margin (the footer sits inside the bottom one).
pub(super) const MARGIN_TOP: f32 = 64.0;
pub(super) const MARGIN_BOTTOM: f32 = 64.0;

/// One line placed on a page.
#[derive(Clone, Debug)]
pub(super) struct Placed {
    pub text: String,
    pub x: f32,
    /// Baseline.
    pub y: f32,
    pub size: f32,
    pub gray: f32,
}

/// Pages being filled top to bottom.
pub(super) struct Pages {
    pub pages: Vec<Vec<Placed>>,
    /// Rules (horizontal lines) per page: (page index, y).
    pub rules: Vec<(usize, f32)>,
    y: f32,
}

impl Pages {
    pub(super) fn new() -> Self {
        Self {
            pages: vec![Vec::new()],
            rules: Vec::new(),
            y: PAGE.1 - MARGIN_TOP,
        }
    }

    fn width() -> f32 {
        PAGE.0 - 2.0 * MARGIN_X
    }

    pub(super) fn break_page(&mut self) {
        self.pages.push(Vec::new());
        self.y = PAGE.1 - MARGIN_TOP;
    }

    /// Moves down by `dy`, breaking the page when there is no room for `need` more.
    fn advance(&mut self, dy: f32, need: f32) {
        if self.y - dy - need < MARGIN_BOTTOM && !self.current_is_empty() {
            self.break_page();
        } else {
            self.y -= dy;
        }
    }

    fn current_is_empty(&self) -> bool {
        self.pages.last().is_none_or(Vec::is_empty) && self.y >= PAGE.1 - MARGIN_TOP
    }

    /// Vertical space.
    pub(super) fn space(&mut self, dy: f32) {
        if !self.current_is_empty() {
            self.y -= dy;
        }
    }

    /// A horizontal rule at the current position.
    pub(super) fn rule(&mut self) {
        let page = self.pages.len() - 1;
        self.rules.push((page, self.y));
        self.y -= 6.0;
    }

    /// Text in paragraphs (lines split at `\n`, pages at form feeds), wrapped.
    pub(super) fn paragraphs(
        &mut self,
        font: &FontUse,
        text: &str,
        size: f32,
        leading: f32,
        gray: f32,
    ) {
        for (i, block) in text.split('\u{c}').enumerate() {
            if i > 0 {
                self.break_page();
            }
            for line in block.split('\n') {
                let line = clean(line);
                if line.trim().is_empty() {
                    self.advance(leading, 0.0);
                    continue;
                }
                for part in wrap(font, &line, size, Self::width()) {
                    let first = self.current_is_empty();
                    if !first {
                        self.advance(leading, 0.0);
                    } else {
                        self.y -= size;
                    }
                    let y = self.y;
                    if let Some(page) = self.pages.last_mut() {
                        page.push(Placed {
                            text: part,
                            x: MARGIN_X,
                            y,
                            size,
                            gray,
                        });
                    }
                }
            }
        }
    }
}

/// A line with tabs expanded and control characters other than the text's own removed (they
/// are not letters and draw nothing).
fn clean(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    for c in line.chars() {
        match c {
            '\t' => {
                let col = out.chars().count();
                out.extend(std::iter::repeat_n(' ', 4 - col % 4));
            }
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out.trim_end().to_string()
}

/// Splits `line` into pieces no wider than `max` points at `size`.
fn wrap(font: &FontUse, line: &str, size: f32, max: f32) -> Vec<String> {
    let limit = max * 1000.0 / size;
    let mut out = Vec::new();
    let mut rest = line;
    while !rest.is_empty() {
        let mut w = 0.0;
        let mut cut = rest.len();
        let mut last_space = None;
        for (i, c) in rest.char_indices() {
            w += font.width(c);
            if c == ' ' {
                last_space = Some(i);
            }
            if w > limit {
                cut = match last_space {
                    Some(s) if s > 0 => s,
                    _ => i.max(c.len_utf8()),
                };
                break;
            }
        }
        out.push(rest[..cut].to_string());
        rest = &rest[cut..];
        if let Some(r) = rest.strip_prefix(' ') {
            rest = r;
        }
    }
    out
}
