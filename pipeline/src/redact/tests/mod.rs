//! Redaction tests: generated PDFs (lopdf), read back with poppler's `pdftotext` (an
//! independent reader), our own extractor, and `qpdf --check`.

mod errors;
mod image;
mod strip;
mod text;

use std::io::Write;
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

use lopdf::{Document, Object, Stream, dictionary};

use super::{RedactOptions, Redacted, Redaction, redact};
use crate::extract::{ExtractOptions, Extracted, extract};

/// Writes `bytes` to a fresh temporary file and returns its path.
fn temp_file(bytes: &[u8]) -> std::path::PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let path = std::env::temp_dir().join(format!(
        "sagshub-redact-{}-{}.pdf",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    if let Ok(mut f) = std::fs::File::create(&path) {
        let _ = f.write_all(bytes);
    }
    path
}

/// The text poppler's `pdftotext` reads from `pdf`, or `None` (with a `skipped:` line) when
/// the tool is not installed.
pub(crate) fn pdftotext(pdf: &[u8]) -> Option<String> {
    let path = temp_file(pdf);
    let out = Command::new("pdftotext").arg(&path).arg("-").output();
    let _ = std::fs::remove_file(&path);
    match out {
        Ok(o) => {
            assert!(
                o.status.success(),
                "pdftotext failed: {}",
                String::from_utf8_lossy(&o.stderr)
            );
            Some(String::from_utf8_lossy(&o.stdout).into_owned())
        }
        Err(_) => {
            println!("skipped: pdftotext is not installed");
            None
        }
    }
}

/// Asserts that `qpdf --check` accepts `pdf` (skipped with a line when qpdf is missing).
pub(crate) fn assert_qpdf_ok(pdf: &[u8]) {
    let path = temp_file(pdf);
    let out = Command::new("qpdf").arg("--check").arg(&path).output();
    let _ = std::fs::remove_file(&path);
    match out {
        Ok(o) => assert!(
            o.status.success(),
            "qpdf --check failed:\n{}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        ),
        Err(_) => println!("skipped: qpdf is not installed"),
    }
}

/// Our own extraction of a PDF.
pub(crate) fn extracted(pdf: &[u8]) -> Extracted {
    extract(pdf, "application/pdf", &ExtractOptions::default()).expect("extracts")
}

/// Redactions over every occurrence of `needle`, found by our extractor.
pub(crate) fn boxes(pdf: &[u8], needle: &str) -> Vec<Redaction> {
    let r = super::bench::sample_redactions(pdf, needle, "§ 30, nr. 1");
    assert!(!r.is_empty(), "{needle:?} not found to redact");
    r
}

/// Redacts with default options.
pub(crate) fn run(pdf: &[u8], redactions: &[Redaction]) -> Redacted {
    redact(pdf, redactions, &RedactOptions::default()).expect("redacts")
}

/// Every byte string the file holds: each object written out, streams decompressed.
pub(crate) fn all_bytes(pdf: &[u8]) -> Vec<u8> {
    let doc = Document::load_mem(pdf).expect("output loads");
    let mut out = Vec::new();
    for object in doc.objects.values() {
        match object {
            Object::Stream(s) => {
                out.extend(
                    s.decompressed_content()
                        .unwrap_or_else(|_| s.content.clone()),
                );
                out.extend(format!("{:?}", s.dict).into_bytes());
            }
            other => out.extend(format!("{other:?}").into_bytes()),
        }
        out.push(b'\n');
    }
    out.extend(format!("{:?}", doc.trailer).into_bytes());
    out
}

/// Whether `haystack` contains `needle`.
pub(crate) fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// A one-page document from content and the resources `resources` adds to it.
pub(crate) fn one_page(
    content: &[u8],
    resources: impl FnOnce(&mut Document) -> lopdf::Dictionary,
) -> Document {
    let mut doc = Document::with_version("1.7");
    let resources = resources(&mut doc);
    let pages_id = doc.new_object_id();
    let content_id = doc.add_object(Stream::new(dictionary! {}, content.to_vec()));
    let page = doc.add_object(dictionary! {
        "Type" => "Page",
        "Parent" => pages_id,
        "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
        "Contents" => content_id,
        "Resources" => resources,
    });
    doc.objects.insert(
        pages_id,
        Object::Dictionary(
            dictionary! { "Type" => "Pages", "Kids" => vec![page.into()], "Count" => 1 },
        ),
    );
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog);
    doc
}

/// Saves a document.
pub(crate) fn save(doc: &mut Document) -> Vec<u8> {
    let mut out = Vec::new();
    doc.save_to(&mut out).expect("saves");
    out
}

/// A Helvetica WinAnsi font resource dictionary named `F1`.
pub(crate) fn helvetica(doc: &mut Document) -> lopdf::Dictionary {
    let font = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica",
        "Encoding" => "WinAnsiEncoding",
    });
    dictionary! { "Font" => dictionary! { "F1" => font } }
}

#[test]
fn bench() {
    // Not timed as a test: prints the figure (run with --release for the real one).
    let pdf = super::bench::sample_letter(50);
    let reds = super::bench::sample_redactions(&pdf, "Jens Ærø Hansen", "§ 30, nr. 1");
    assert_eq!(reds.len(), 50 * 3);
    let t = super::bench::measure(&pdf, &reds, 4).expect("redacts");
    println!(
        "redaction: {} pages in {:.3} s = {:.0} pages/s ({} → {} bytes per 50-page document)",
        t.pages, t.seconds, t.pages_per_second, t.bytes_in, t.bytes_out
    );
}
