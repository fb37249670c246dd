//! Rendering non-PDF documents as PDF, so they can be redacted and bundled like any PDF.
//!
//! [`render`] takes a document's bytes and MIME type (plain text and journal notes, e-mail,
//! .docx, HTML), reads its text with [`crate::extract`] (e-mail headers, body and attachment
//! list included), and lays it out on A4 pages: a header block with the title and the
//! metadata the caller passes in [`DocumentMeta`] (system, case number, aktnummer, date, kind),
//! a rule, the body wrapped to the page width, and optionally "Side X af Y" in the footer.
//!
//! The text is set in DejaVu Sans, embedded as a subset (only the glyphs used) in a `Type0`
//! font with `Identity-H` encoding, a `/ToUnicode` CMap and widths ([`font`]), so any letter
//! of Danish and foreign names is drawn, and text extraction (poppler's or ours) gives back
//! exactly the characters that went in. A character the font lacks is still encoded and
//! mapped (it draws as an empty box) and is listed in [`Rendered::missing_glyphs`]; no letter
//! is ever dropped or replaced.
//!
//! Invariants: pure; deterministic (the same input gives the same bytes); one font program per
//! file.

mod font;
mod layout;
mod subset;
#[cfg(test)]
mod tests;

use std::fmt::Write as _;

use chrono::NaiveDate;
use lopdf::{Document, Object, Stream, dictionary};

use crate::extract::{ExtractError, ExtractOptions, Format, extract};
use font::FontUse;
use layout::{MARGIN_X, PAGE, Pages};

/// What the header block says about a document.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DocumentMeta {
    /// The document's title.
    pub title: String,
    /// The case system it comes from (its configured id or name).
    pub system: String,
    /// The case number (sagsnummer).
    pub case_number: String,
    /// The document's number within the case (aktnummer), if it has one.
    pub aktnummer: Option<u32>,
    /// The letter date.
    pub date: Option<NaiveDate>,
    /// The kind of document as shown to the reader, e.g. "Journalnotat" or "Indgående brev".
    pub kind: String,
}

/// One document to render.
#[derive(Clone, Debug)]
pub struct RenderInput<'a> {
    /// The document's bytes.
    pub bytes: &'a [u8],
    /// Its MIME type (`text/plain`, `message/rfc822`, the .docx type, `text/html`).
    pub mime_type: &'a str,
    /// The header block.
    pub meta: DocumentMeta,
    /// Whether to print "Side X af Y" at the foot of each page.
    pub page_numbers: bool,
}

/// A rendered document.
#[derive(Clone, Debug, PartialEq)]
pub struct Rendered {
    /// The PDF.
    pub bytes: Vec<u8>,
    /// Its page count.
    pub pages: usize,
    /// Size of the embedded (subset, compressed) font program in bytes.
    pub font_bytes: usize,
    /// Characters the font has no glyph for (drawn as an empty box, extracted correctly).
    pub missing_glyphs: Vec<char>,
}

/// Why a document could not be rendered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RenderError {
    /// The format is not one this renders (a PDF needs no rendering).
    #[error("no rendering for {0:?}")]
    Unsupported(String),
    /// The document's text could not be read.
    #[error("the document could not be read: {0}")]
    Extract(#[from] ExtractError),
    /// The embedded font could not be prepared.
    #[error("font: {0}")]
    Font(String),
    /// Writing the PDF failed.
    #[error("writing the PDF failed: {0}")]
    Write(String),
}

/// `Result` with [`RenderError`].
pub type Result<T, E = RenderError> = std::result::Result<T, E>;

/// Body text size and leading, in points.
const BODY: (f32, f32) = (10.5, 14.5);
const TITLE: (f32, f32) = (15.0, 19.0);
const META: (f32, f32) = (8.5, 12.0);

/// Renders a non-PDF document as PDF.
///
/// # Errors
/// [`RenderError::Unsupported`] for PDF and unknown types, [`RenderError::Extract`] when the
/// document cannot be read, [`RenderError::Font`]/[`RenderError::Write`] on internal failures.
pub fn render(input: &RenderInput) -> Result<Rendered> {
    let format = Format::from_mime(input.mime_type)
        .or_else(|| Format::sniff(input.bytes))
        .ok_or_else(|| RenderError::Unsupported(input.mime_type.to_string()))?;
    if format == Format::Pdf {
        return Err(RenderError::Unsupported(input.mime_type.to_string()));
    }
    let extracted = extract(input.bytes, input.mime_type, &ExtractOptions::default())?;
    let mut body = extracted.text.trim_end().to_string();
    if !extracted.metadata.attachments.is_empty() {
        body.push_str("\n\nVedhæftede filer:\n");
        for a in &extracted.metadata.attachments {
            let name = a.name.as_deref().unwrap_or("(uden navn)");
            let _ = write!(body, "– {name} ({}, {} bytes)", a.mime_type, a.size);
            body.push_str(if a.extracted {
                ", indholdet er gengivet ovenfor\n"
            } else {
                ", indholdet er ikke gengivet\n"
            });
        }
    }
    render_text(&input.meta, &body, input.page_numbers)
}

/// Renders already-read text under the header block of `meta`.
///
/// # Errors
/// [`RenderError::Font`]/[`RenderError::Write`] on internal failures.
pub fn render_text(meta: &DocumentMeta, body: &str, page_numbers: bool) -> Result<Rendered> {
    let mut font = FontUse::new()?;
    let mut pages = Pages::new();
    let title = if meta.title.trim().is_empty() {
        "(uden titel)"
    } else {
        meta.title.trim()
    };
    pages.paragraphs(&font, title, TITLE.0, TITLE.1, 0.0);
    pages.space(4.0);
    let mut facts: Vec<String> = Vec::new();
    let mut fact = |label: &str, value: &str| {
        if !value.trim().is_empty() {
            facts.push(format!("{label}: {}", value.trim()));
        }
    };
    fact("Dokumenttype", &meta.kind);
    fact(
        "Dato",
        &meta
            .date
            .map(|d| d.format("%d.%m.%Y").to_string())
            .unwrap_or_default(),
    );
    fact("Sagsnummer", &meta.case_number);
    fact(
        "Aktnummer",
        &meta.aktnummer.map(|a| a.to_string()).unwrap_or_default(),
    );
    fact("System", &meta.system);
    if !facts.is_empty() {
        pages.paragraphs(&font, &facts.join("    "), META.0, META.1, 0.35);
    }
    pages.space(6.0);
    pages.rule();
    pages.space(8.0);
    pages.paragraphs(&font, body, BODY.0, BODY.1, 0.0);

    let count = pages.pages.len();
    let mut contents = Vec::with_capacity(count);
    for (index, lines) in pages.pages.iter().enumerate() {
        let mut c = String::with_capacity(64 * lines.len() + 128);
        for (_, y) in pages.rules.iter().filter(|(p, _)| *p == index) {
            let _ = writeln!(
                c,
                "q 0.6 G 0.6 w {MARGIN_X:.2} {y:.2} m {:.2} {y:.2} l S Q",
                PAGE.0 - MARGIN_X
            );
        }
        c.push_str("BT\n");
        for l in lines {
            show(&mut c, &mut font, &l.text, (l.x, l.y), l.size, l.gray);
        }
        if page_numbers {
            let label = format!("Side {} af {count}", index + 1);
            let w: f32 = label.chars().map(|ch| font.width(ch)).sum::<f32>() * 8.0 / 1000.0;
            show(
                &mut c,
                &mut font,
                &label,
                ((PAGE.0 - w) / 2.0, 36.0),
                8.0,
                0.35,
            );
        }
        c.push_str("ET\n");
        contents.push(c.into_bytes());
    }

    let mut doc = Document::with_version("1.7");
    let (font_id, font_bytes) = font.embed(&mut doc)?;
    let pages_id = doc.new_object_id();
    let level = flate2::Compression::new(6);
    let mut kids = Vec::with_capacity(count);
    for content in contents {
        let mut stream = Stream::new(dictionary! {}, deflate(&content, level));
        stream.dict.set("Filter", "FlateDecode");
        let content_id = doc.add_object(stream);
        kids.push(Object::Reference(doc.add_object(dictionary! {
            "Type" => "Page",
            "Parent" => pages_id,
            "MediaBox" => vec![0.into(), 0.into(), PAGE.0.into(), PAGE.1.into()],
            "Contents" => content_id,
            "Resources" => dictionary! { "Font" => dictionary! { "F1" => font_id } },
        })));
    }
    doc.objects.insert(
        pages_id,
        Object::Dictionary(
            dictionary! { "Type" => "Pages", "Kids" => kids, "Count" => count as i64 },
        ),
    );
    let catalog = doc.add_object(dictionary! {
        "Type" => "Catalog", "Pages" => pages_id, "Lang" => Object::string_literal("da"),
    });
    doc.trailer.set("Root", catalog);
    let mut bytes = Vec::new();
    doc.save_to(&mut bytes)
        .map_err(|e| RenderError::Write(e.to_string()))?;
    Ok(Rendered {
        bytes,
        pages: count,
        font_bytes,
        missing_glyphs: font.missing(),
    })
}

/// Appends one positioned line of text.
fn show(c: &mut String, font: &mut FontUse, text: &str, (x, y): (f32, f32), size: f32, gray: f32) {
    let hex: String = font
        .encode(text)
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect();
    let _ = writeln!(
        c,
        "/F1 {size:.1} Tf {gray:.2} g 1 0 0 1 {x:.2} {y:.2} Tm <{hex}> Tj"
    );
}

/// zlib-compresses `data`.
fn deflate(data: &[u8], level: flate2::Compression) -> Vec<u8> {
    use std::io::Write;
    let mut enc = flate2::write::ZlibEncoder::new(Vec::with_capacity(data.len() / 3 + 64), level);
    // Writing into a Vec cannot fail.
    let _ = enc.write_all(data);
    enc.finish().unwrap_or_default()
}
