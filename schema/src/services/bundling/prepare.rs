//! One document made ready for the bundle: its PDF (rendered first if it is not one), with
//! every redaction applied. Runs on a blocking thread, one document at a time.
//!
//! # Where a redaction goes
//! - **PDF** (text or scan): each finding decided `REDACT` at the boxes screening stored for
//!   it, and at every other occurrence of its exact text in the PDF's own extraction (see
//!   below: a repetition screening did not flag, e.g. an address broken over two lines, goes
//!   too). Manual redactions at their rectangles.
//! - **Other formats** (text, e-mail, .docx, HTML) are rendered ([`pipeline::render`]) and the
//!   rendered PDF extracted again; each `REDACT` finding is redacted at **every** occurrence of
//!   its exact text (whole words, any whitespace between them) in that PDF. Matching the n-th
//!   occurrence by its offset would be tighter, but the rendered text also holds a header block
//!   and wraps lines, so the offsets do not carry over; redacting every occurrence can only
//!   remove more of what a reviewer already decided is another person's data, never less.
//!   Manual redactions on such documents are drawn on the rendered pages. One exception keeps
//!   the reviewer's other decisions: an occurrence that lies inside a longer text kept in the
//!   same document (the requester's full name, a caseworker's) is left alone, so a first name
//!   flagged on its own is not cut out of the requester's own name.
//!
//! A finding that cannot be located, a document that cannot be rendered or extracted, and a
//! redaction that fails are errors naming the document: the bundle is never made with a
//! redaction silently dropped. [`pipeline::redact`] runs on every disclosed document, with no
//! redactions too, so annotations, metadata and earlier revisions never reach the citizen.

use std::ops::Range;

use pipeline::bundle::BundleDocument;
use pipeline::extract::{ExtractOptions, Extracted, Format, Rect, extract};
use pipeline::redact::{RedactOptions, Redaction, redact};
use pipeline::render::{DocumentMeta, RenderInput, render};

use crate::services::blobs::BlobStore;

/// A finding decided `REDACT`.
#[derive(Clone, Debug)]
pub struct FindingCut {
    /// The text found.
    pub text: String,
    /// Boxes screening stored, `(page, rect)`; empty for non-PDF formats.
    pub boxes: Vec<(usize, Rect)>,
    /// The label printed on its boxes (the ground's paragraph).
    pub label: String,
}

/// Everything needed to prepare one document, read from the store beforehand.
#[derive(Clone, Debug)]
pub struct Plan {
    /// The document as the bundle lists it; `pdf` is filled in by [`prepare`].
    pub document: BundleDocument,
    /// The stored row's id (for error messages and the summary).
    pub document_id: String,
    /// The content blob.
    pub blob_hash: String,
    /// Its MIME type.
    pub mime_type: String,
    /// The header block for rendered documents.
    pub meta: DocumentMeta,
    /// Findings to redact.
    pub findings: Vec<FindingCut>,
    /// The texts of the document's findings that are kept (the requester's own data, staff):
    /// an occurrence of a redacted text inside a longer kept one is left alone, so redacting
    /// a first name flagged on its own does not cut it out of the requester's full name.
    pub kept: Vec<String>,
    /// Manual redactions.
    pub manual: Vec<Redaction>,
}

impl Plan {
    /// How the document is named in an error.
    pub fn name(&self) -> String {
        format!(
            "document {} akt {} \u{201c}{}\u{201d} ({})",
            self.document.sagsnummer,
            self.document.aktnummer,
            self.document.title,
            self.document_id
        )
    }
}

/// The PDF of `plan`'s document with its redactions applied; `None` when it is withheld.
pub fn prepare(plan: &Plan, blobs: &BlobStore) -> Result<Option<Vec<u8>>, String> {
    if plan.document.disclosure == pipeline::screen::Disclosure::Withheld {
        return Ok(None);
    }
    let bytes = blobs
        .get_blocking(&plan.blob_hash)
        .map_err(|e| format!("its content cannot be read: {e}"))?;
    let format = Format::from_mime(&plan.mime_type).or_else(|| Format::sniff(&bytes));
    let options = ExtractOptions {
        max_pages: 20_000,
        ..ExtractOptions::default()
    };
    let (pdf, located) = if format == Some(Format::Pdf) {
        let mut redactions = Vec::new();
        // Read once for all findings: every occurrence of a redacted text is found again, so
        // a repetition screening did not flag (a line break inside an address) goes too.
        let extracted = if plan.findings.is_empty() {
            None
        } else {
            match extract(&bytes, "application/pdf", &options) {
                Ok(x) => Some(x),
                // The stored boxes still place every finding; only the extra search is lost.
                Err(_) if plan.findings.iter().all(|f| !f.boxes.is_empty()) => None,
                Err(e) => {
                    return Err(format!("its text cannot be read to place a redaction: {e}"));
                }
            }
        };
        for f in &plan.findings {
            let found = extracted
                .as_ref()
                .map(|x| locate(x, &f.text, &plan.kept))
                .unwrap_or_default();
            if f.boxes.is_empty() && found.is_empty() {
                return Err(not_located(&f.text));
            }
            redactions.extend(f.boxes.iter().chain(&found).map(|(page, rect)| Redaction {
                page: *page,
                rect: *rect,
                label: f.label.clone(),
            }));
        }
        (bytes, redactions)
    } else {
        let rendered = render(&RenderInput {
            bytes: &bytes,
            mime_type: &plan.mime_type,
            meta: plan.meta.clone(),
            page_numbers: false,
        })
        .map_err(|e| format!("it cannot be rendered as PDF: {e}"))?;
        drop(bytes);
        let mut redactions = Vec::new();
        if !plan.findings.is_empty() {
            let extracted = extract(&rendered.bytes, "application/pdf", &options)
                .map_err(|e| format!("its rendered text cannot be read: {e}"))?;
            for f in &plan.findings {
                let boxes = locate(&extracted, &f.text, &plan.kept);
                if boxes.is_empty() {
                    return Err(not_located(&f.text));
                }
                redactions.extend(boxes.into_iter().map(|(page, rect)| Redaction {
                    page,
                    rect,
                    label: f.label.clone(),
                }));
            }
        }
        (rendered.bytes, redactions)
    };
    let mut redactions = located;
    redactions.extend(plan.manual.iter().cloned());
    let redacted = redact(&pdf, &redactions, &RedactOptions::default())
        .map_err(|e| format!("it cannot be redacted: {e}"))?;
    Ok(Some(redacted.bytes))
}

fn not_located(text: &str) -> String {
    format!(
        "a finding decided REDACT ({} characters) cannot be located in it",
        text.chars().count()
    )
}

/// The boxes of every whole-word occurrence of `needle` in `extracted`, except those inside
/// an occurrence of a longer `kept` text.
fn locate(extracted: &Extracted, needle: &str, kept: &[String]) -> Vec<(usize, Rect)> {
    let spared: Vec<Range<usize>> = kept
        .iter()
        .filter(|k| k.len() > needle.len() && k.contains(needle.trim()))
        .flat_map(|k| occurrences(&extracted.text, k))
        .collect();
    occurrences(&extracted.text, needle)
        .into_iter()
        .filter(|r| !spared.iter().any(|s| s.start <= r.start && r.end <= s.end))
        .flat_map(|range| extracted.boxes_for(range))
        .collect()
}

/// Byte ranges of the occurrences of `needle`'s words in `haystack`, in order, separated by any
/// whitespace, not inside a longer word.
pub(crate) fn occurrences(haystack: &str, needle: &str) -> Vec<Range<usize>> {
    let words: Vec<&str> = needle.split_whitespace().collect();
    let Some(first) = words.first() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(pos) = haystack.get(from..).and_then(|h| h.find(first)) {
        let start = from + pos;
        let mut end = start + first.len();
        let mut whole = true;
        for w in &words[1..] {
            let rest = &haystack[end..];
            let trimmed = rest.trim_start();
            let gap = rest.len() - trimmed.len();
            if gap == 0 || !trimmed.starts_with(w) {
                whole = false;
                break;
            }
            end += gap + w.len();
        }
        let before_ok = haystack[..start]
            .chars()
            .next_back()
            .is_none_or(|c| !c.is_alphanumeric());
        let after_ok = haystack[end..]
            .chars()
            .next()
            .is_none_or(|c| !c.is_alphanumeric());
        if whole && before_ok && after_ok {
            out.push(start..end);
        }
        from = start + first.len();
    }
    out
}

/// Boxes stored on a finding: `[[page, x0, y0, x1, y1], ...]`.
pub fn parse_boxes(stored: &str) -> Vec<(usize, Rect)> {
    let parsed: Vec<Vec<f64>> = serde_json::from_str(stored).unwrap_or_default();
    parsed
        .into_iter()
        .filter(|b| b.len() == 5 && b[0] >= 1.0)
        .map(|b| {
            (
                b[0] as usize,
                Rect {
                    x0: b[1] as f32,
                    y0: b[2] as f32,
                    x1: b[3] as f32,
                    y1: b[4] as f32,
                },
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn occurrences_are_whole_words_across_any_whitespace() {
        let text = "Anne Hansen ringede. Annette og Anne\nHansen; Anne Hansens bror.";
        let found = occurrences(text, "Anne Hansen");
        let words: Vec<&str> = found.iter().map(|r| &text[r.clone()]).collect();
        assert_eq!(words, ["Anne Hansen", "Anne\nHansen"]);
        assert!(occurrences(text, "  ").is_empty());
        assert_eq!(occurrences("tlf. 12 34 56 78.", "12 34 56 78").len(), 1);
    }

    #[test]
    fn stored_boxes_are_parsed_and_bad_ones_skipped() {
        let boxes = parse_boxes("[[1, 10, 20, 30, 40], [0, 1, 1, 2, 2], [2, 1]]");
        assert_eq!(boxes.len(), 1);
        assert_eq!(boxes[0].0, 1);
        assert_eq!(boxes[0].1.x1, 30.0);
        assert!(parse_boxes("not json").is_empty());
    }
}
