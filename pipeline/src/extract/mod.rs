//! Text extraction with positions: the first half of screening.
//!
//! [`extract`] turns a document's bytes into one string ([`Extracted::text`]) plus, per page, the
//! runs of text that make it up ([`TextRun`]), each with a byte range into the text and, for PDF,
//! a box in PDF user space. A detector finds spans in the text; [`Extracted::boxes_for`] maps a
//! span back to rectangles on pages so the redaction step can place its boxes.
//!
//! Formats: PDF ([`pdf`], with OCR of scanned pages through an injected [`Ocr`]), plain text,
//! HTML, e-mail (.eml, with its attachments) and Word (.docx). Formats without page geometry give
//! one logical page whose runs are lines without boxes.
//!
//! Invariants:
//! - A page whose text could not be read (a scan without OCR, an image OCR cannot decode, OCR
//!   that failed or found nothing) is never reported as empty and clean: the result's
//!   [`ExtractStatus`] is [`ExtractStatus::NeedsManualReview`] and names the page.
//! - Malformed, encrypted or oversized input gives a typed [`ExtractError`], never a panic:
//!   panics inside third-party parsers are caught at this boundary ([`ExtractError::ParserPanic`]).
//! - The only side effect is the OCR engine the caller passes in ([`ExtractOptions::ocr`]).

mod docx;
mod eml;
mod html;
pub(crate) mod ocr;
pub(crate) mod pdf;
#[cfg(test)]
mod tests;
mod text;

use std::ops::Range;
use std::panic::{AssertUnwindSafe, catch_unwind};

pub use ocr::{Ocr, OcrError, OcrImage, OcrWord, Tesseract};

/// Separator between pages in [`Extracted::text`]: a newline and a form feed.
pub const PAGE_SEPARATOR: &str = "\n\u{c}";

/// A document format this module reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    /// PDF, with or without a text layer.
    Pdf,
    /// Plain text.
    Text,
    /// HTML or XHTML.
    Html,
    /// An RFC 5322 e-mail (.eml), MIME included.
    Email,
    /// A WordprocessingML document (.docx).
    Docx,
}

impl Format {
    /// The format for a MIME type (parameters such as `charset` ignored), or `None`.
    pub fn from_mime(mime_type: &str) -> Option<Self> {
        let essence = mime_type
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        Some(match essence.as_str() {
            "application/pdf" | "application/x-pdf" => Self::Pdf,
            "text/plain" | "text/csv" | "text/markdown" => Self::Text,
            "text/html" | "application/xhtml+xml" => Self::Html,
            "message/rfc822" | "application/eml" => Self::Email,
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document" => Self::Docx,
            _ => return None,
        })
    }

    /// Guesses the format from the first bytes (for `application/octet-stream`).
    pub fn sniff(bytes: &[u8]) -> Option<Self> {
        let head = &bytes[..bytes.len().min(1024)];
        if head.windows(5).any(|w| w == b"%PDF-") {
            Some(Self::Pdf)
        } else if head.starts_with(b"PK\x03\x04") {
            Some(Self::Docx)
        } else {
            None
        }
    }
}

/// Limits and the OCR engine for one extraction.
#[derive(Clone, Copy)]
pub struct ExtractOptions<'a> {
    /// Largest input accepted, in bytes.
    pub max_bytes: usize,
    /// Most PDF pages accepted.
    pub max_pages: usize,
    /// Largest size any one decompressed stream or archive member may reach, in bytes: bounds
    /// what a small crafted file can inflate to.
    pub max_decompressed_bytes: usize,
    /// The OCR engine for pages without a text layer; `None` means no OCR is available, and such
    /// pages are reported for manual review.
    pub ocr: Option<&'a dyn Ocr>,
}

impl Default for ExtractOptions<'_> {
    fn default() -> Self {
        Self {
            max_bytes: 64 * 1024 * 1024,
            max_pages: 2_000,
            max_decompressed_bytes: 128 * 1024 * 1024,
            ocr: None,
        }
    }
}

impl std::fmt::Debug for ExtractOptions<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ExtractOptions")
            .field("max_bytes", &self.max_bytes)
            .field("max_pages", &self.max_pages)
            .field("max_decompressed_bytes", &self.max_decompressed_bytes)
            .field("ocr", &self.ocr.is_some())
            .finish()
    }
}

/// Which limit of [`ExtractOptions`] a document exceeded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Limit {
    /// [`ExtractOptions::max_bytes`].
    Bytes,
    /// [`ExtractOptions::max_pages`].
    Pages,
    /// [`ExtractOptions::max_decompressed_bytes`].
    Decompressed,
}

/// Why a document could not be extracted at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExtractError {
    /// The document needs a password to be read.
    #[error("the document is encrypted and needs a password")]
    Encrypted,
    /// The bytes are not a valid document of the format.
    #[error("malformed {format:?} document: {detail}")]
    Malformed {
        /// The format it was read as.
        format: Format,
        /// What was wrong (parser diagnostics; never document text).
        detail: String,
    },
    /// The document exceeds a limit of [`ExtractOptions`].
    #[error("document exceeds the {limit:?} limit ({limit_value})")]
    TooLarge {
        /// Which limit.
        limit: Limit,
        /// The limit's value.
        limit_value: usize,
    },
    /// No reader for this MIME type.
    #[error("no text extraction for MIME type {0:?}")]
    Unsupported(String),
    /// A third-party parser panicked on the input; the panic was caught.
    #[error("the {format:?} parser failed on this input (internal panic caught)")]
    ParserPanic {
        /// The format being read.
        format: Format,
    },
}

/// `Result` with [`ExtractError`].
pub type Result<T, E = ExtractError> = std::result::Result<T, E>;

/// A rectangle in PDF user space (points, origin bottom-left), `x0 <= x1`, `y0 <= y1`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rect {
    /// Left.
    pub x0: f32,
    /// Bottom.
    pub y0: f32,
    /// Right.
    pub x1: f32,
    /// Top.
    pub y1: f32,
}

impl Rect {
    /// The smallest rectangle holding both.
    pub fn union(self, other: Rect) -> Rect {
        Rect {
            x0: self.x0.min(other.x0),
            y0: self.y0.min(other.y0),
            x1: self.x1.max(other.x1),
            y1: self.y1.max(other.y1),
        }
    }

    /// Whether `(x, y)` lies inside (edges included).
    pub fn contains(&self, x: f32, y: f32) -> bool {
        x >= self.x0 && x <= self.x1 && y >= self.y0 && y <= self.y1
    }

    /// Width times height.
    pub fn area(&self) -> f32 {
        (self.x1 - self.x0).max(0.0) * (self.y1 - self.y0).max(0.0)
    }
}

/// Where a run's text came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RunSource {
    /// The document's own text (a PDF text layer, or the text of a non-PDF format).
    Layer,
    /// Optical character recognition of an image.
    Ocr,
}

/// A piece of text drawn in one go (one PDF text-showing operator, one OCR word, one line of a
/// non-PDF document).
#[derive(Clone, Debug, PartialEq)]
pub struct TextRun {
    /// Byte range into [`Extracted::text`].
    pub text_range: Range<usize>,
    /// Where it was drawn, in PDF user space; `None` for formats without page geometry.
    pub bbox: Option<Rect>,
    /// Left edge of each character of the run and the right edge of the last (so one more entry
    /// than the run has characters), in user space, when the run is horizontal and the glyph
    /// widths were known; empty otherwise (then widths are taken as equal).
    pub char_edges: Vec<f32>,
    /// Font size in user-space units (for OCR: the word's height).
    pub font_size: f32,
    /// Text layer or OCR.
    pub source: RunSource,
    /// OCR confidence 0–100; `None` for the text layer.
    pub confidence: Option<f32>,
}

/// One page: for PDF a real page, for other formats the one logical page.
#[derive(Clone, Debug, PartialEq)]
pub struct Page {
    /// Page number, from 1.
    pub number: usize,
    /// Width and height in PDF user units (the media box); `None` without page geometry.
    pub size: Option<(f32, f32)>,
    /// The page's part of [`Extracted::text`].
    pub text_range: Range<usize>,
    /// The runs in text order.
    pub runs: Vec<TextRun>,
    /// Whether the page's text came from OCR.
    pub ocr: bool,
}

/// Why part of a document needs a person to look at it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReviewReason {
    /// No text layer and no OCR engine available.
    NoTextLayer,
    /// No text layer, and its images are in an encoding the OCR step cannot read.
    UnsupportedImage(String),
    /// OCR ran and failed.
    OcrFailed(String),
    /// OCR ran and found no text on a page that has an image.
    OcrFoundNothing,
    /// OCR found text with low mean confidence (0–100).
    OcrLowConfidence(u8),
    /// Painted content (paths) but no text: possibly text drawn as outlines.
    VectorContentWithoutText,
    /// An e-mail attachment whose contents were not extracted.
    AttachmentNotExtracted {
        /// The attachment's file name or type.
        name: String,
        /// Why.
        detail: String,
    },
    /// A page could not be interpreted (its content stream is broken).
    PageUnreadable(String),
}

/// One thing a reviewer must check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReviewNote {
    /// The page it concerns (from 1), if it concerns one page.
    pub page: Option<usize>,
    /// What is wrong.
    pub reason: ReviewReason,
}

/// Whether all of the document's text was read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ExtractStatus {
    /// All text was read (from the text layer or by OCR).
    Complete,
    /// Some content could not be read as text; never to be passed as clean.
    NeedsManualReview(Vec<ReviewNote>),
}

/// An e-mail attachment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attachment {
    /// File name, if the message gives one.
    pub name: Option<String>,
    /// MIME type as the message declares it.
    pub mime_type: String,
    /// Decoded size in bytes.
    pub size: usize,
    /// Whether its text was appended to [`Extracted::text`].
    pub extracted: bool,
}

/// What a document says about itself.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Metadata {
    /// E-mail headers worth showing (From, To, Cc, Subject, Date, ...), decoded, in order.
    pub headers: Vec<(String, String)>,
    /// E-mail attachments.
    pub attachments: Vec<Attachment>,
    /// The document title (PDF /Title, HTML `<title>`, e-mail subject), if any.
    pub title: Option<String>,
    /// Whether the PDF was encrypted with an empty user password (readable without one).
    pub was_encrypted: bool,
}

/// The extracted text of a document with its positions.
#[derive(Clone, Debug, PartialEq)]
pub struct Extracted {
    /// The format it was read as.
    pub format: Format,
    /// The whole text; pages joined with [`PAGE_SEPARATOR`].
    pub text: String,
    /// The pages in order, their runs covering the text.
    pub pages: Vec<Page>,
    /// Whether everything was read.
    pub status: ExtractStatus,
    /// Headers, attachments and title.
    pub metadata: Metadata,
}

impl Extracted {
    /// The rectangles covering `range` (a byte range into [`Self::text`]), as
    /// `(page number, rect)`: one per run the range touches, cut to the characters in the range.
    /// Runs without boxes (non-PDF formats) give nothing.
    pub fn boxes_for(&self, range: Range<usize>) -> Vec<(usize, Rect)> {
        let mut out = Vec::new();
        for page in &self.pages {
            if page.text_range.end <= range.start || page.text_range.start >= range.end {
                continue;
            }
            let first = page
                .runs
                .partition_point(|r| r.text_range.end <= range.start);
            for run in &page.runs[first..] {
                if run.text_range.start >= range.end {
                    break;
                }
                if let Some(rect) = self.run_part_box(run, &range) {
                    out.push((page.number, rect));
                }
            }
        }
        out
    }

    /// The part of `run`'s box that holds the characters of `range`.
    fn run_part_box(&self, run: &TextRun, range: &Range<usize>) -> Option<Rect> {
        let bbox = run.bbox?;
        let start = range.start.max(run.text_range.start);
        let end = range.end.min(run.text_range.end);
        let run_text = self.text.get(run.text_range.clone())?;
        let part = self.text.get(start..end)?;
        if start >= end || part.trim().is_empty() {
            return None;
        }
        let skip = self.text.get(run.text_range.start..start)?.chars().count();
        let count = part.chars().count();
        let total = run_text.chars().count().max(1);
        let (x0, x1) = if run.char_edges.len() == total + 1 {
            let a = run.char_edges[skip];
            let b = run.char_edges[skip + count];
            (a.min(b), a.max(b))
        } else {
            let w = bbox.x1 - bbox.x0;
            (
                bbox.x0 + w * skip as f32 / total as f32,
                bbox.x0 + w * (skip + count) as f32 / total as f32,
            )
        };
        Some(Rect { x0, x1, ..bbox })
    }

    /// Whether every page was read.
    pub fn is_complete(&self) -> bool {
        self.status == ExtractStatus::Complete
    }
}

/// Extracts the text of a document of `mime_type` (`application/octet-stream` is sniffed).
///
/// # Errors
/// [`ExtractError`] when the document cannot be read at all: unsupported type, encrypted,
/// malformed, over a limit, or a parser panic. Partly unreadable documents are not errors:
/// they come back with [`ExtractStatus::NeedsManualReview`].
pub fn extract(bytes: &[u8], mime_type: &str, options: &ExtractOptions) -> Result<Extracted> {
    let format = match Format::from_mime(mime_type) {
        Some(f) => f,
        None => Format::sniff(bytes).ok_or_else(|| ExtractError::Unsupported(mime_type.into()))?,
    };
    extract_as(bytes, format, charset(mime_type).as_deref(), options, 0)
}

/// How deep e-mails may nest attachments that are e-mails.
const MAX_NESTING: usize = 4;

/// [`extract`] for a known format; `depth` counts enclosing e-mails.
fn extract_as(
    bytes: &[u8],
    format: Format,
    charset: Option<&str>,
    options: &ExtractOptions,
    depth: usize,
) -> Result<Extracted> {
    if bytes.len() > options.max_bytes {
        return Err(ExtractError::TooLarge {
            limit: Limit::Bytes,
            limit_value: options.max_bytes,
        });
    }
    let run = AssertUnwindSafe(|| match format {
        Format::Pdf => pdf::extract(bytes, options),
        Format::Text => Ok(text::extract(bytes, charset)),
        Format::Html => Ok(html::extract(bytes, charset)),
        Format::Email => eml::extract(bytes, options, depth),
        Format::Docx => docx::extract(bytes, options),
    });
    catch_unwind(run).unwrap_or(Err(ExtractError::ParserPanic { format }))
}

/// The `charset` parameter of a MIME type, lower-cased.
fn charset(mime_type: &str) -> Option<String> {
    mime_type.split(';').skip(1).find_map(|p| {
        let (k, v) = p.split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case("charset")
            .then(|| v.trim().trim_matches('"').to_ascii_lowercase())
    })
}

/// Builds the one logical page of a format without geometry: one run per non-empty line.
fn single_page(format: Format, text: String, metadata: Metadata) -> Extracted {
    let mut runs = Vec::new();
    let mut offset = 0;
    for line in text.split('\n') {
        let trimmed = line.trim_end_matches('\r');
        if !trimmed.trim().is_empty() {
            runs.push(TextRun {
                text_range: offset..offset + trimmed.len(),
                bbox: None,
                char_edges: Vec::new(),
                font_size: 0.0,
                source: RunSource::Layer,
                confidence: None,
            });
        }
        offset += line.len() + 1;
    }
    let len = text.len();
    Extracted {
        format,
        text,
        pages: vec![Page {
            number: 1,
            size: None,
            text_range: 0..len,
            runs,
            ocr: false,
        }],
        status: ExtractStatus::Complete,
        metadata,
    }
}

/// Decodes bytes in `charset` (UTF-8 by default; Latin-1/CP1252 when they are not valid UTF-8).
fn decode_charset(bytes: &[u8], charset: Option<&str>) -> String {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let latin = matches!(
        charset,
        Some(
            "iso-8859-1"
                | "latin1"
                | "latin-1"
                | "windows-1252"
                | "cp1252"
                | "iso-8859-15"
                | "us-ascii"
        )
    );
    if !latin && let Ok(s) = std::str::from_utf8(bytes) {
        return s.to_string();
    }
    bytes.iter().map(|&b| pdf::cp1252(b)).collect()
}
