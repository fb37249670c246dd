//! Scanned pages: manual review without OCR, word boxes with it.

use super::{find, fixture, ok};
use crate::extract::{
    ExtractOptions, ExtractStatus, Ocr, OcrError, OcrImage, OcrWord, ReviewNote, ReviewReason,
    RunSource, Tesseract, extract,
};

const PDF: &str = "application/pdf";

#[test]
fn scan_without_ocr_needs_manual_review_never_clean() {
    let e = ok(fixture!("scan.pdf"), PDF);
    assert_eq!(
        e.status,
        ExtractStatus::NeedsManualReview(
            (1..=2)
                .map(|p| ReviewNote {
                    page: Some(p),
                    reason: ReviewReason::NoTextLayer
                })
                .collect()
        )
    );
    assert!(!e.is_complete());
    assert!(e.text.trim().is_empty());
}

/// An OCR engine that reports one fixed word, and checks what it was given.
struct OneWord;

impl Ocr for OneWord {
    fn recognize(&self, image: OcrImage<'_>) -> Result<Vec<OcrWord>, OcrError> {
        let OcrImage::Gray {
            width,
            height,
            pixels,
            dpi,
        } = image
        else {
            return Err(OcrError::Failed("expected a grey image".into()));
        };
        assert_eq!((width, height, pixels.len()), (1654, 2339, 1654 * 2339));
        assert_eq!(dpi, Some(200));
        // The generator's ink is grey 16 on white; the margin is paper.
        assert_eq!(pixels[0], 255);
        assert!(pixels.contains(&16));
        Ok(vec![OcrWord {
            text: "Sagshub".into(),
            left: 110,
            top: 120,
            width: 189,
            height: 48,
            confidence: 91.0,
            line: (1, 1, 1),
        }])
    }
}

#[test]
fn ocr_word_boxes_are_converted_from_pixels_to_user_space() {
    let options = ExtractOptions {
        ocr: Some(&OneWord),
        ..ExtractOptions::default()
    };
    let e = extract(fixture!("scan.pdf"), PDF, &options).unwrap_or_else(|e| panic!("{e}"));
    assert!(e.is_complete(), "{:?}", e.status);
    // Two scanned pages, one word each.
    assert_eq!(e.text, "Sagshub\n\u{c}Sagshub");
    assert!(e.pages[0].ocr);
    let run = &e.pages[0].runs[0];
    assert_eq!(run.source, RunSource::Ocr);
    // 200 dpi: 110 px = 39.6 pt from the left; 120 px from the top = 841.89 - 43.2.
    let r = run.bbox.unwrap_or_else(|| panic!("no box"));
    let s = 595.28 / 1654.0;
    assert!(
        (r.x0 - 110.0 * s).abs() < 0.1 && (r.x1 - 299.0 * s).abs() < 0.1,
        "{r:?}"
    );
    let t = 841.89 / 2339.0;
    assert!(
        (r.y1 - (841.89 - 120.0 * t)).abs() < 0.1 && (r.y0 - (841.89 - 168.0 * t)).abs() < 0.1,
        "{r:?}"
    );
    assert_eq!(e.boxes_for(find(&e.text, "hub")).len(), 1);
}

struct Broken;

impl Ocr for Broken {
    fn recognize(&self, _: OcrImage<'_>) -> Result<Vec<OcrWord>, OcrError> {
        Err(OcrError::Timeout(std::time::Duration::from_secs(1)))
    }
}

#[test]
fn failing_ocr_needs_manual_review() {
    let options = ExtractOptions {
        ocr: Some(&Broken),
        ..ExtractOptions::default()
    };
    let e = extract(fixture!("scan.pdf"), PDF, &options).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        matches!(&e.status, ExtractStatus::NeedsManualReview(n) if matches!(n[0].reason, ReviewReason::OcrFailed(_)))
    );
}

#[test]
fn tsv_rows_of_level_five_are_words() {
    let tsv = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n\
1\t1\t0\t0\t0\t0\t0\t0\t1654\t2339\t-1\t\n\
5\t1\t1\t1\t1\t1\t110\t120\t189\t48\t95.5\tKøbenhavn\n\
5\t1\t1\t1\t1\t2\t320\t120\t60\t48\t90\t \n";
    let words = crate::extract::ocr::parse_tsv(tsv);
    assert_eq!(words.len(), 1);
    assert_eq!(words[0].text, "København");
    assert_eq!(
        (words[0].left, words[0].top, words[0].width, words[0].height),
        (110, 120, 189, 48)
    );
}

#[test]
fn scan_with_tesseract_finds_known_words_on_the_page() {
    let Some(tesseract) = Tesseract::detect() else {
        println!("skipped: tesseract not installed");
        return;
    };
    let options = ExtractOptions {
        ocr: Some(&tesseract),
        ..ExtractOptions::default()
    };
    let e = extract(fixture!("scan.pdf"), PDF, &options).unwrap_or_else(|e| panic!("{e}"));
    assert!(e.pages[0].ocr, "{:?}", e.status);
    // The scans use a coarse bitmap font, so only words Tesseract reads reliably are checked.
    for word in ["Madsen", "Kirkevej", "Kommune", "Familie", "samtykke"] {
        assert!(e.text.contains(word), "{word} not in {}", e.text);
    }
    // "Sagshub Kommune" is the 5th text row: y0 = 120 + 5 * 48 px from the top at 200 dpi.
    let boxes = e.boxes_for(find(&e.text, "Kommune"));
    let (page, r) = boxes[0];
    assert_eq!(page, 1);
    let px = 72.0 / 200.0;
    let top = 841.89 - (120.0 + 5.0 * 48.0) * px;
    assert!((r.y1 - top).abs() < 8.0, "{r:?} vs top {top}");
    assert!((r.x0 - (110.0 + 8.0 * 27.0) * px).abs() < 8.0, "{r:?}");
}
