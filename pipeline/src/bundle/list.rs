//! The document list (*dokumentfortegnelse*): a table with one row per document, withheld
//! ones included, wrapping across pages with the header repeated.
//!
//! Every cell starts on the row's first line, so a text extractor (`pdftotext -layout`) reads
//! aktnummer, sagsnummer and page on one line.

use super::Entry;
use super::front::{Counts, count};
use super::layout::{A4, BODY, Flow};
use super::text::{Face, wrap};
use crate::screen::Disclosure;

/// Table font size.
const SIZE: f32 = 7.5;
/// Left edge of the table (wider than the letter's column).
const LEFT: f32 = 40.0;
/// Gap between columns.
const GAP: f32 = 4.0;
/// Most lines a cell shows; longer text ends in `…`.
const MAX_LINES: usize = 8;

/// Column headings and widths; the last column is right-aligned.
const COLUMNS: [(&str, f32); 8] = [
    ("Akt", 22.0),
    ("Dato", 42.0),
    ("Titel", 116.0),
    ("Sag", 106.0),
    ("System", 50.0),
    ("Udlevering", 42.0),
    ("Hjemmel", 78.0),
    ("Side", 31.0),
];

/// The label printed for a disclosure.
pub(crate) fn disclosure_label(d: Disclosure) -> &'static str {
    match d {
        Disclosure::Full => "Fuld",
        Disclosure::Partial => "Delvis",
        Disclosure::Withheld => "Undtaget",
    }
}

/// `03.05.2024`.
fn short_date(d: Option<chrono::NaiveDate>) -> String {
    d.map_or_else(|| "–".to_owned(), |d| d.format("%d.%m.%Y").to_string())
}

/// Lays out the heading, an introduction and the table.
pub(crate) fn document_list(flow: &mut Flow, entries: &[Entry], c: &Counts) {
    flow.paragraph(Face::Bold, 16.0, "Dokumentfortegnelse");
    let total = entries.len();
    flow.paragraph(
        Face::Regular,
        BODY,
        &format!(
            "{} fra {}. »Side« er sidetallet nederst på dokumentets første side. Står der –, er \
             dokumentet undtaget fra aktindsigt.",
            count(total, "dokument", "dokumenter"),
            count(c.cases, "sag", "sager")
        ),
    );
    header(flow);
    for entry in entries {
        row(flow, entry);
    }
}

fn column_x() -> [f32; 8] {
    let mut xs = [0.0; 8];
    let mut x = LEFT;
    for (slot, (_, w)) in xs.iter_mut().zip(COLUMNS) {
        *slot = x;
        x += w + GAP;
    }
    xs
}

fn header(flow: &mut Flow) {
    let h = Flow::line_height(SIZE) + 4.0;
    flow.ensure(h + 3.0 * Flow::line_height(SIZE));
    let y = flow.y() - h;
    let right = A4.0 - LEFT;
    let xs = column_x();
    let content = flow.content();
    content.fill_grey(0.88);
    content.rect(LEFT - 2.0, y, right - LEFT + 4.0, h);
    content.fill_grey(0.0);
    let baseline = y + 4.0;
    for (i, (title, w)) in COLUMNS.iter().enumerate() {
        if i == COLUMNS.len() - 1 {
            content.text_right(Face::Bold, SIZE, xs[i] + w, baseline, title);
        } else {
            content.text(Face::Bold, SIZE, xs[i], baseline, title);
        }
    }
    flow.space(h + 2.0);
}

fn cell(text: &str, face: Face, width: f32) -> Vec<(Face, String)> {
    let mut lines = wrap(text, face, SIZE, width);
    if lines.len() > MAX_LINES {
        lines.truncate(MAX_LINES);
        if let Some(last) = lines.last_mut() {
            last.push('…');
        }
    }
    lines.into_iter().map(|l| (face, l)).collect()
}

fn row(flow: &mut Flow, entry: &Entry) {
    let d = &entry.doc;
    let grounds: Vec<&str> = d.grounds.iter().map(|g| g.paragraph.as_str()).collect();
    let mut sag = cell(&d.sagsnummer, Face::Bold, COLUMNS[3].1);
    sag.extend(cell(&d.case_title, Face::Regular, COLUMNS[3].1));
    let cells: [Vec<(Face, String)>; 8] = [
        cell(&d.aktnummer.to_string(), Face::Regular, COLUMNS[0].1),
        cell(&short_date(d.date), Face::Regular, COLUMNS[1].1),
        cell(&d.title, Face::Regular, COLUMNS[2].1),
        sag,
        cell(&d.system_name, Face::Regular, COLUMNS[4].1),
        cell(disclosure_label(d.disclosure), Face::Regular, COLUMNS[5].1),
        cell(&grounds.join("; "), Face::Regular, COLUMNS[6].1),
        vec![(
            Face::Regular,
            entry
                .first_page
                .map_or_else(|| "–".to_owned(), |p| p.to_string()),
        )],
    ];
    let lines = cells.iter().map(Vec::len).max().unwrap_or(1).max(1);
    let lh = Flow::line_height(SIZE);
    let height = lines as f32 * lh + 4.0;
    let page_before = flow.page_index();
    flow.ensure(height);
    if flow.page_index() != page_before {
        header(flow);
    }
    let top = flow.y();
    let xs = column_x();
    let content = flow.content();
    for (i, lines) in cells.iter().enumerate() {
        for (n, (face, text)) in lines.iter().enumerate() {
            let y = top - (n as f32 + 1.0) * lh + (lh - SIZE) / 2.0;
            if i == COLUMNS.len() - 1 {
                content.text_right(*face, SIZE, xs[i] + COLUMNS[i].1, y, text);
            } else {
                content.text(*face, SIZE, xs[i], y, text);
            }
        }
    }
    let bottom = top - height;
    content.rule(LEFT - 2.0, A4.0 - LEFT + 2.0, bottom + 1.0, 0.3, 0.75);
    flow.space(height);
}
