//! Malformed input never panics and finishes: random mutations and truncations of the
//! fixture PDFs and .docx (64 cases each, so the suite stays quick).

use proptest::prelude::*;

use super::fixture;
use crate::extract::{ExtractError, ExtractOptions, extract};

/// Applies `(position, byte)` overwrites and a truncation to `base`.
fn mutate(base: &[u8], edits: &[(usize, u8)], cut: usize) -> Vec<u8> {
    let mut bytes = base.to_vec();
    for &(pos, byte) in edits {
        let i = pos % bytes.len().max(1);
        if let Some(b) = bytes.get_mut(i) {
            *b = byte;
        }
    }
    bytes.truncate(bytes.len() - cut % (bytes.len() / 2).max(1));
    bytes
}

/// Runs an extraction; only a caught third-party panic is reported, our own code must not
/// panic at all (a panic in it would show as `ParserPanic` too, so both count as failures).
fn check(bytes: &[u8], mime: &str) -> Result<(), TestCaseError> {
    let options = ExtractOptions {
        max_decompressed_bytes: 8 << 20,
        ..ExtractOptions::default()
    };
    let r = extract(bytes, mime, &options);
    prop_assert!(
        !matches!(r, Err(ExtractError::ParserPanic { .. })),
        "panic on input"
    );
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn mutated_text_pdf_never_panics(edits in prop::collection::vec((any::<usize>(), any::<u8>()), 1..8), cut in any::<usize>()) {
        check(&mutate(fixture!("letter.pdf"), &edits, cut), "application/pdf")?;
    }

    #[test]
    fn mutated_scan_pdf_never_panics(edits in prop::collection::vec((any::<usize>(), any::<u8>()), 1..8), cut in any::<usize>()) {
        check(&mutate(fixture!("scan.pdf"), &edits, cut), "application/pdf")?;
    }

    #[test]
    fn mutated_docx_never_panics(edits in prop::collection::vec((any::<usize>(), any::<u8>()), 1..8), cut in any::<usize>()) {
        check(&mutate(fixture!("letter.docx"), &edits, cut), "application/vnd.openxmlformats-officedocument.wordprocessingml.document")?;
    }

    #[test]
    fn arbitrary_bytes_never_panic_in_any_format(bytes in prop::collection::vec(any::<u8>(), 0..512), mime in prop::sample::select(vec!["application/pdf", "text/html", "message/rfc822", "text/plain", "application/octet-stream"])) {
        check(&bytes, mime)?;
    }

    #[test]
    fn mutated_eml_never_panics(edits in prop::collection::vec((any::<usize>(), any::<u8>()), 1..16), cut in any::<usize>()) {
        check(&mutate(fixture!("mail-attachment.eml"), &edits, cut), "message/rfc822")?;
    }
}
