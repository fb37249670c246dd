//! Tests of text extraction, on fixture files made once with the playground generator (see
//! `pipeline/fixtures/extract/`), qpdf, and PDFs built here with lopdf.

mod formats;
mod fuzz;
mod pdf;
mod scan;

use super::{ExtractOptions, Extracted, extract};

/// A fixture file's bytes.
macro_rules! fixture {
    ($name:literal) => {
        include_bytes!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fixtures/extract/",
            $name
        ))
        .as_slice()
    };
}
pub(crate) use fixture;

/// Extracts with default options (no OCR); panics with the error in a test.
fn ok(bytes: &[u8], mime: &str) -> Extracted {
    match extract(bytes, mime, &ExtractOptions::default()) {
        Ok(e) => e,
        Err(e) => panic!("extraction failed: {e}"),
    }
}

/// Text with all white space runs collapsed to one space, for comparing layouts.
fn words(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The byte range of the first `needle` in `hay`.
fn find(hay: &str, needle: &str) -> std::ops::Range<usize> {
    let start = hay
        .find(needle)
        .unwrap_or_else(|| panic!("{needle:?} not in {hay:?}"));
    start..start + needle.len()
}
