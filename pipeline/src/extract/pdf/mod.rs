//! PDF: lopdf loads the file; [`interp`] walks each page's content stream; runs are laid out
//! into lines (a new line where the baseline moves, a space where a gap is); pages without a
//! text layer go to OCR ([`image`] decodes their images) or to manual review.

pub(crate) mod encoding;
pub(crate) mod font;
mod image;
mod interp;

use lopdf::content::Content;
use lopdf::{Dictionary, Document, LoadOptions, Object, ObjectId};

pub(crate) use encoding::cp1252;
use font::deref;
use interp::{Interp, PageContent, RawRun};

use super::{
    ExtractError, ExtractOptions, ExtractStatus, Extracted, Format, Limit, Metadata, Ocr, OcrImage,
    PAGE_SEPARATOR, Page, Rect, Result, ReviewNote, ReviewReason, RunSource, TextRun,
};

/// Below this many visible characters a page mostly covered by an image counts as a scan (a
/// scan often carries a small stamp or header as text).
const SCAN_TEXT_CHARS: usize = 100;
/// Path-painting operators above which a page without text is suspected of outlined text.
const VECTOR_PAINTS: usize = 10;
/// Mean OCR confidence below which a page goes to review.
const LOW_CONFIDENCE: f32 = 50.0;

fn malformed(detail: impl Into<String>) -> ExtractError {
    ExtractError::Malformed {
        format: Format::Pdf,
        detail: detail.into(),
    }
}

/// Extracts a PDF.
pub(super) fn extract(bytes: &[u8], options: &ExtractOptions) -> Result<Extracted> {
    if !bytes[..bytes.len().min(1024)]
        .windows(5)
        .any(|w| w == b"%PDF-")
    {
        return Err(malformed("no %PDF- header"));
    }
    let load = LoadOptions {
        max_decompressed_size: Some(options.max_decompressed_bytes),
        ..LoadOptions::default()
    };
    let too_large = ExtractError::TooLarge {
        limit: Limit::Decompressed,
        limit_value: options.max_decompressed_bytes,
    };
    let doc = Document::load_mem_with_options(bytes, load).map_err(|e| match e {
        lopdf::Error::Decryption(_) | lopdf::Error::InvalidPassword => ExtractError::Encrypted,
        lopdf::Error::Decompress(lopdf::DecompressError::MemoryLimitExceeded { .. }) => {
            too_large.clone()
        }
        e => malformed(e.to_string()),
    })?;
    if doc.trailer.get(b"Encrypt").is_ok() && !doc.was_encrypted() {
        return Err(ExtractError::Encrypted);
    }
    let page_ids = doc.get_pages();
    if page_ids.len() > options.max_pages {
        return Err(ExtractError::TooLarge {
            limit: Limit::Pages,
            limit_value: options.max_pages,
        });
    }
    if page_ids.is_empty() {
        return Err(malformed("no pages"));
    }
    let mut out = Extracted {
        format: Format::Pdf,
        text: String::new(),
        pages: Vec::with_capacity(page_ids.len()),
        status: ExtractStatus::Complete,
        metadata: Metadata {
            title: title(&doc),
            was_encrypted: doc.was_encrypted(),
            ..Metadata::default()
        },
    };
    let mut notes = Vec::new();
    for (index, (_, page_id)) in page_ids.iter().enumerate() {
        if index > 0 {
            out.text.push_str(PAGE_SEPARATOR);
        }
        let number = index + 1;
        let page = extract_page(&doc, *page_id, number, options, &mut out.text, &mut notes)?;
        out.pages.push(page);
    }
    if !notes.is_empty() {
        out.status = ExtractStatus::NeedsManualReview(notes);
    }
    Ok(out)
}

/// The document title from the Info dictionary.
fn title(doc: &Document) -> Option<String> {
    let info = deref(doc, doc.trailer.get(b"Info").ok()?)?.as_dict().ok()?;
    let t = lopdf::decode_text_string(deref(doc, info.get(b"Title").ok()?)?).ok()?;
    let t = t.trim().to_string();
    (!t.is_empty()).then_some(t)
}

/// A page attribute, inherited through the page tree.
fn inherited<'a>(doc: &'a Document, page: &'a Dictionary, key: &[u8]) -> Option<&'a Object> {
    let mut node = page;
    for _ in 0..32 {
        if let Ok(v) = node.get(key) {
            return deref(doc, v);
        }
        node = deref(doc, node.get(b"Parent").ok()?)?.as_dict().ok()?;
    }
    None
}

/// Interprets one page, appending its text to `text`.
fn extract_page(
    doc: &Document,
    page_id: ObjectId,
    number: usize,
    options: &ExtractOptions,
    text: &mut String,
    notes: &mut Vec<ReviewNote>,
) -> Result<Page> {
    let dict = doc
        .get_dictionary(page_id)
        .map_err(|e| malformed(e.to_string()))?;
    let media = inherited(doc, dict, b"MediaBox")
        .and_then(|o| o.as_array().ok())
        .filter(|a| a.len() == 4)
        .map(|a| {
            a.iter()
                .map(|o| o.as_float().unwrap_or(0.0))
                .collect::<Vec<_>>()
        })
        .map(|v| Rect {
            x0: v[0].min(v[2]),
            y0: v[1].min(v[3]),
            x1: v[0].max(v[2]),
            y1: v[1].max(v[3]),
        })
        .unwrap_or(Rect {
            x0: 0.0,
            y0: 0.0,
            x1: 595.28,
            y1: 841.89,
        });
    let resources = inherited(doc, dict, b"Resources").and_then(|o| o.as_dict().ok());
    let start = text.len();
    let mut page = Page {
        number,
        size: Some((media.x1 - media.x0, media.y1 - media.y0)),
        text_range: start..start,
        runs: Vec::new(),
        ocr: false,
    };
    let note = |reason| ReviewNote {
        page: Some(number),
        reason,
    };
    let content = match doc.get_page_content_with_limit(page_id, options.max_decompressed_bytes) {
        Ok(c) => c,
        Err(lopdf::Error::Decompress(lopdf::DecompressError::MemoryLimitExceeded { .. })) => {
            return Err(ExtractError::TooLarge {
                limit: Limit::Decompressed,
                limit_value: options.max_decompressed_bytes,
            });
        }
        Err(e) => {
            notes.push(note(ReviewReason::PageUnreadable(e.to_string())));
            return Ok(page);
        }
    };
    let ops = match Content::decode(&content) {
        Ok(c) => c.operations,
        Err(e) => {
            notes.push(note(ReviewReason::PageUnreadable(e.to_string())));
            return Ok(page);
        }
    };
    let mut interp = Interp::new(doc, options.max_decompressed_bytes);
    interp.run(&ops, resources, interp::Matrix::IDENTITY, 0);
    let content: PageContent = interp.out;
    layout(&content.runs, text, &mut page.runs);

    let visible = content
        .runs
        .iter()
        .flat_map(|r| r.text.chars())
        .filter(|c| !c.is_whitespace() && *c != '\u{FFFD}')
        .count();
    let glyphs: usize = content.runs.iter().map(|r| r.glyphs).sum();
    let unmapped: usize = content.runs.iter().map(|r| r.unmapped).sum();
    if glyphs > 0 && unmapped * 10 > glyphs {
        notes.push(note(ReviewReason::PageUnreadable(format!(
            "{unmapped} of {glyphs} glyphs have no Unicode mapping"
        ))));
    }
    let page_area = media.area().max(1.0);
    let covered: f32 = content.images.iter().map(|i| i.ctm.unit_box().area()).sum();
    let scan = !content.images.is_empty()
        && (visible == 0 || (covered / page_area >= 0.5 && visible < SCAN_TEXT_CHARS));
    if scan {
        ocr_page(doc, &content, &mut page, options, text, notes);
    } else if visible == 0 && content.paints > VECTOR_PAINTS {
        notes.push(note(ReviewReason::VectorContentWithoutText));
    }
    page.text_range = start..text.len();
    Ok(page)
}

/// Appends runs to `text` in content order: a newline where the baseline moves (two where it
/// jumps by more than two lines), a space where the gap on a line is wider than a thin space.
fn layout(raw: &[RawRun], text: &mut String, runs: &mut Vec<TextRun>) {
    let mut prev: Option<&RawRun> = None;
    for run in raw {
        if run.text.is_empty() {
            continue;
        }
        if let Some(p) = prev {
            let size = p.font_size.max(run.font_size).max(1.0);
            let same_line =
                (run.start.1 - p.end.1).abs() < 0.5 * size && run.start.0 > p.end.0 - size;
            if same_line {
                let gap = run.start.0 - p.end.0;
                if gap > 0.15 * size && !p.text.ends_with(' ') && !run.text.starts_with(' ') {
                    text.push(' ');
                }
            } else if p.end.1 - run.start.1 > 2.0 * size {
                text.push_str("\n\n");
            } else {
                text.push('\n');
            }
        }
        let start = text.len();
        text.push_str(&run.text);
        runs.push(TextRun {
            text_range: start..text.len(),
            bbox: Some(run.bbox),
            char_edges: run.edges.clone(),
            font_size: run.font_size,
            source: RunSource::Layer,
            confidence: None,
        });
        prev = Some(run);
    }
}

/// OCRs the page's images (largest first), or notes why it cannot.
fn ocr_page(
    doc: &Document,
    content: &PageContent,
    page: &mut Page,
    options: &ExtractOptions,
    text: &mut String,
    notes: &mut Vec<ReviewNote>,
) {
    let number = page.number;
    let note = |reason| ReviewNote {
        page: Some(number),
        reason,
    };
    let Some(ocr) = options.ocr else {
        notes.push(note(ReviewReason::NoTextLayer));
        return;
    };
    let mut images: Vec<_> = content.images.iter().collect();
    images.sort_by(|a, b| b.ctm.unit_box().area().total_cmp(&a.ctm.unit_box().area()));
    let mut words_found = 0usize;
    let mut confidence_sum = 0.0f32;
    for use_ in images.iter().take(4) {
        let decoded = match image::decode(doc, &use_.source, options.max_decompressed_bytes) {
            Ok(d) => d,
            Err(detail) => {
                notes.push(note(ReviewReason::UnsupportedImage(detail)));
                continue;
            }
        };
        let (width, height) = decoded.size();
        let placed = use_.ctm.unit_box();
        let dpi = ((width as f32) / ((placed.x1 - placed.x0).max(1.0) / 72.0)).round();
        let input = match &decoded {
            image::Decoded::Gray { pixels, .. } => OcrImage::Gray {
                width,
                height,
                pixels,
                dpi: (50.0..=1200.0).contains(&dpi).then_some(dpi as u32),
            },
            image::Decoded::Jpeg(bytes, _, _) => OcrImage::Jpeg(bytes),
        };
        match ocr_words(ocr, input) {
            Ok(words) => {
                words_found += words.len();
                confidence_sum += words.iter().map(|w| w.confidence.max(0.0)).sum::<f32>();
                append_words(&words, use_.ctm, (width, height), page, text);
            }
            Err(e) => notes.push(note(ReviewReason::OcrFailed(e.to_string()))),
        }
    }
    if words_found == 0 {
        if !notes.iter().any(|n| n.page == Some(number)) {
            notes.push(note(ReviewReason::OcrFoundNothing));
        }
        return;
    }
    page.ocr = true;
    let mean = confidence_sum / words_found as f32;
    if mean < LOW_CONFIDENCE {
        notes.push(note(ReviewReason::OcrLowConfidence(mean as u8)));
    }
}

fn ocr_words(ocr: &dyn Ocr, image: OcrImage<'_>) -> Result<Vec<super::OcrWord>, super::OcrError> {
    ocr.recognize(image)
}

/// Adds OCR words as runs, converting pixel boxes to user space through the image's placement.
fn append_words(
    words: &[super::OcrWord],
    ctm: interp::Matrix,
    (width, height): (usize, usize),
    page: &mut Page,
    text: &mut String,
) {
    let (w, h) = (width.max(1) as f32, height.max(1) as f32);
    let to_user = |px: f32, py: f32| ctm.apply(px / w, 1.0 - py / h);
    let mut prev_line: Option<(u32, u32, u32)> = None;
    for word in words {
        match prev_line {
            None if !text.is_empty() && !text.ends_with('\u{c}') => text.push_str("\n\n"),
            Some(p) if p == word.line => text.push(' '),
            Some(p) if (p.0, p.1) == (word.line.0, word.line.1) => text.push('\n'),
            Some(_) => text.push_str("\n\n"),
            None => {}
        }
        prev_line = Some(word.line);
        let (ax, ay) = to_user(word.left as f32, word.top as f32);
        let (bx, by) = to_user(
            (word.left + word.width) as f32,
            (word.top + word.height) as f32,
        );
        let bbox = Rect {
            x0: ax.min(bx),
            y0: ay.min(by),
            x1: ax.max(bx),
            y1: ay.max(by),
        };
        let start = text.len();
        text.push_str(&word.text);
        page.runs.push(TextRun {
            text_range: start..text.len(),
            bbox: Some(bbox),
            char_edges: Vec::new(),
            font_size: bbox.y1 - bbox.y0,
            source: RunSource::Ocr,
            confidence: Some(word.confidence),
        });
    }
}
