//! A redaction benchmark that needs no fixtures: [`sample_letter`] writes a text PDF like the
//! case letters of the synthetic municipality (Helvetica, WinAnsi, one positioned `Tj` per
//! line, a name on several lines of every page), [`sample_redactions`] finds a name's boxes with
//! [`crate::extract`], and [`measure`] times [`super::redact`] over it.
//!
//! Run (release; figures printed, nothing asserted):
//! `cargo test --release -p pipeline --lib redact::tests::bench -- --nocapture`

use std::time::Instant;

use lopdf::{Document, Object, Stream, dictionary};

use super::{RedactOptions, Redacted, Redaction, Result, redact};
use crate::extract::{ExtractOptions, extract};

/// Words the sample letter is made of.
const WORDS: &[&str] = &[
    "kommunen",
    "har",
    "modtaget",
    "din",
    "ansøgning",
    "om",
    "hjælp",
    "til",
    "boligstøtte",
    "og",
    "vi",
    "har",
    "vurderet",
    "sagen",
    "efter",
    "reglerne",
    "i",
    "serviceloven",
    "samt",
    "de",
    "oplysninger",
    "som",
    "er",
    "indhentet",
    "fra",
    "lægen",
    "jobcentret",
    "sagsbehandleren",
];

/// A text PDF of `pages` A4 pages, 50 lines each, naming "Jens Ærø Hansen" mid-line three times
/// a page.
pub fn sample_letter(pages: usize) -> Vec<u8> {
    let mut doc = Document::with_version("1.5");
    let font = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica",
        "Encoding" => "WinAnsiEncoding",
    });
    let pages_id = doc.new_object_id();
    let mut kids = Vec::with_capacity(pages);
    let mut k = 0usize;
    for p in 0..pages {
        let mut content = Vec::with_capacity(5000);
        content.extend_from_slice(b"BT\n");
        for line in 0..50 {
            let mut text = String::new();
            while text.len() < 88 {
                text.push_str(WORDS[k % WORDS.len()]);
                text.push(' ');
                k += 5;
            }
            if line % 16 == 5 {
                let at = text[25..].find(' ').map_or(0, |i| 25 + i + 1);
                text.insert_str(at, "Jens Ærø Hansen ");
            }
            let y = 790.0 - line as f32 * 14.5;
            content.extend_from_slice(format!("/F1 10.5 Tf 1 0 0 1 62 {y:.2} Tm (").as_bytes());
            for b in super::boxes::win_ansi(text.trim_end()) {
                match b {
                    b'(' | b')' | b'\\' => content.extend_from_slice(&[b'\\', b]),
                    0x20..=0x7E => content.push(b),
                    _ => content.extend_from_slice(format!("\\{b:03o}").as_bytes()),
                }
            }
            content.extend_from_slice(b") Tj\n");
        }
        content.extend_from_slice(format!("ET\n% page {p}\n").as_bytes());
        let mut stream = Stream::new(dictionary! {}, content);
        let _ = stream.compress();
        let content_id = doc.add_object(stream);
        let page = doc.add_object(dictionary! {
            "Type" => "Page",
            "Parent" => pages_id,
            "MediaBox" => vec![0.into(), 0.into(), 595.28.into(), 841.89.into()],
            "Contents" => content_id,
            "Resources" => dictionary! { "Font" => dictionary! { "F1" => font } },
        });
        kids.push(Object::Reference(page));
    }
    let count = kids.len() as i64;
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! { "Type" => "Pages", "Kids" => kids, "Count" => count }),
    );
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog);
    let mut out = Vec::new();
    // Writing into a Vec performs no I/O that can fail.
    let _ = doc.save_to(&mut out);
    out
}

/// Redactions over every occurrence of `needle` in `pdf`, found by extraction.
pub fn sample_redactions(pdf: &[u8], needle: &str, label: &str) -> Vec<Redaction> {
    let Ok(extracted) = extract(pdf, "application/pdf", &ExtractOptions::default()) else {
        return Vec::new();
    };
    extracted
        .text
        .match_indices(needle)
        .flat_map(|(at, m)| extracted.boxes_for(at..at + m.len()))
        .map(|(page, rect)| Redaction {
            page,
            rect,
            label: label.to_string(),
        })
        .collect()
}

/// Figures of one [`measure`] run.
#[derive(Clone, Debug, PartialEq)]
pub struct Throughput {
    /// Pages redacted in total (pages × rounds).
    pub pages: usize,
    /// Wall-clock seconds.
    pub seconds: f64,
    /// Pages per second.
    pub pages_per_second: f64,
    /// Input and output size of one document, in bytes.
    pub bytes_in: usize,
    /// Output size.
    pub bytes_out: usize,
}

/// Redacts `pdf` `rounds` times and reports the rate.
///
/// # Errors
/// What [`redact`] returns for the document.
pub fn measure(pdf: &[u8], redactions: &[Redaction], rounds: usize) -> Result<Throughput> {
    let options = RedactOptions::default();
    let start = Instant::now();
    let mut last: Option<Redacted> = None;
    for _ in 0..rounds.max(1) {
        last = Some(redact(pdf, redactions, &options)?);
    }
    let seconds = start.elapsed().as_secs_f64();
    let pages = last.as_ref().map_or(0, |r| r.pages) * rounds.max(1);
    Ok(Throughput {
        pages,
        seconds,
        pages_per_second: pages as f64 / seconds.max(1e-9),
        bytes_in: pdf.len(),
        bytes_out: last.map_or(0, |r| r.bytes.len()),
    })
}
