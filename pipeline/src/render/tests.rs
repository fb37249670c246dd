//! Rendering tests: exact text round trips (pdftotext and our extractor), every input format,
//! page breaks, qpdf, sizes, and redaction of a rendered document.

use chrono::NaiveDate;

use super::*;
use crate::redact::tests::{assert_qpdf_ok, boxes, extracted, pdftotext, run};

/// Names that WinAnsi cannot all hold.
const NAMES: &[&str] = &[
    "Søren Æbelø Ågård",
    "Łukasz Wiśniewski",
    "Zoë Ødegård",
    "Nguyễn Thị Minh Khai",
    "Şükrü Öztürk",
    "Ægidius Ørsted-Ågård",
    "Dvořák Čapek Žižka",
    "Ελένη Παπαδοπούλου",
    "Анна Иванова",
];

fn meta() -> DocumentMeta {
    DocumentMeta {
        title: "Journalnotat om samtale med Zoë Ødegård".into(),
        system: "esdh".into(),
        case_number: "27.24.00-G01-12-24".into(),
        aktnummer: Some(7),
        date: NaiveDate::from_ymd_opt(2025, 11, 28),
        kind: "Journalnotat".into(),
    }
}

/// Text without the line breaks and spaces a layout may add or drop.
fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn danish_and_foreign_names_come_back_exactly() {
    let body: String = NAMES
        .iter()
        .map(|n| format!("Samtale med {n} om sagen.\n"))
        .collect();
    let out = render_text(&meta(), &body, true).expect("renders");
    assert!(out.missing_glyphs.is_empty(), "{:?}", out.missing_glyphs);
    assert_qpdf_ok(&out.bytes);
    let ours = extracted(&out.bytes);
    for n in NAMES {
        assert!(ours.text.contains(n), "extract lost {n}: {}", ours.text);
    }
    assert!(ours.text.contains("Aktnummer: 7") && ours.text.contains("Side 1 af 1"));
    if let Some(text) = pdftotext(&out.bytes) {
        for n in NAMES {
            assert!(
                text.contains(&format!("Samtale med {n} om sagen.")),
                "pdftotext lost {n}:\n{text}"
            );
        }
        assert!(text.contains("Journalnotat om samtale med Zoë Ødegård"));
        assert!(text.contains("Sagsnummer: 27.24.00-G01-12-24"));
    }
    println!(
        "render: {} bytes, font program {} bytes",
        out.bytes.len(),
        out.font_bytes
    );
}

#[test]
fn a_character_without_a_glyph_is_still_extracted_and_reported() {
    let out = render_text(&meta(), "Mærke: 漢字 og ✓ slut", false).expect("renders");
    assert!(
        out.missing_glyphs.contains(&'漢'),
        "{:?}",
        out.missing_glyphs
    );
    assert!(extracted(&out.bytes).text.contains("Mærke: 漢字 og ✓ slut"));
    if let Some(text) = pdftotext(&out.bytes) {
        assert!(text.contains("漢字"), "{text}");
    }
}

#[test]
fn long_text_breaks_into_numbered_pages_and_long_words_wrap() {
    let mut body = String::new();
    for i in 0..200 {
        body.push_str(&format!(
            "Linje {i}: borgeren Åse Ørum har oplyst følgende om forløbet.\n"
        ));
    }
    body.push_str(&"Langtordudenmellemrum".repeat(12));
    let out = render_text(&meta(), &body, true).expect("renders");
    assert!(out.pages >= 5, "{} pages", out.pages);
    assert_qpdf_ok(&out.bytes);
    let e = extracted(&out.bytes);
    assert_eq!(e.pages.len(), out.pages);
    assert!(
        e.text
            .contains(&format!("Side {} af {}", out.pages, out.pages))
    );
    assert!(
        squash(&e.text).contains("Linje 199: borgeren Åse Ørum har oplyst følgende om forløbet.")
    );
    // Every page stays inside the A4 box, margins included.
    for page in &e.pages {
        for run in &page.runs {
            let b = run.bbox.expect("box");
            assert!(
                b.x0 >= 50.0 && b.x1 <= PAGE.0 - 50.0 && b.y0 >= 25.0 && b.y1 <= PAGE.1 - 40.0,
                "{b:?}"
            );
        }
    }
    // Ten pages of a few fonts' worth of glyphs stay small.
    println!(
        "render: {} pages, {} bytes, font {} bytes",
        out.pages,
        out.bytes.len(),
        out.font_bytes
    );
    assert!(
        out.font_bytes < 60_000,
        "font program {} bytes",
        out.font_bytes
    );
}

fn input<'a>(bytes: &'a [u8], mime_type: &'a str) -> RenderInput<'a> {
    RenderInput {
        bytes,
        mime_type,
        meta: meta(),
        page_numbers: true,
    }
}

#[test]
fn every_format_renders_its_text() {
    let fixture = |name: &str| {
        std::fs::read(format!(
            "{}/fixtures/extract/{name}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .expect("fixture")
    };
    let docx_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
    let html = "<html><head><title>Notat</title></head><body><h1>Møde</h1><p>Deltager: Şükrü Öztürk &amp; Zoë.</p></body></html>";
    let cases: Vec<(Vec<u8>, &str)> = vec![
        (fixture("note.txt"), "text/plain; charset=utf-8"),
        (fixture("mail.eml"), "message/rfc822"),
        (fixture("mail-attachment.eml"), "message/rfc822"),
        (fixture("letter.docx"), docx_type),
        (html.as_bytes().to_vec(), "text/html"),
    ];
    for (bytes, mime) in &cases {
        let source =
            crate::extract::extract(bytes, mime, &Default::default()).expect("source reads");
        let out = render(&input(bytes, mime)).expect("renders");
        assert_qpdf_ok(&out.bytes);
        let back = squash(&extracted(&out.bytes).text);
        assert!(
            back.contains(&squash(&source.text)),
            "{mime}: text changed:\n{back}"
        );
        if !source.metadata.attachments.is_empty() {
            assert!(
                back.contains("Vedhæftede filer:"),
                "{mime}: attachments not listed"
            );
        }
        if let Some(text) = pdftotext(&out.bytes) {
            let text = squash(&text);
            // pdftotext joins a line that ends in a hyphen with the next (dehyphenation).
            let lines = source.text.lines().map(squash);
            for line in lines
                .filter(|l| !l.is_empty() && !l.ends_with('-'))
                .take(12)
            {
                assert!(text.contains(&line), "{mime}: pdftotext lost {line:?}");
            }
        }
    }
}

#[test]
fn a_pdf_or_unknown_type_is_not_rendered() {
    let pdf = crate::redact::bench::sample_letter(1);
    assert!(matches!(
        render(&input(&pdf, "application/pdf")),
        Err(RenderError::Unsupported(_))
    ));
    assert!(matches!(
        render(&input(b"\x00\x01", "image/tiff")),
        Err(RenderError::Unsupported(_))
    ));
}

#[test]
fn a_rendered_document_can_be_redacted() {
    let body = "Vi har talt med Nguyễn Thị Minh Khai og med naboen Ægidius Ørsted-Ågård i dag.\n";
    let out = render_text(&meta(), body, true).expect("renders");
    let reds = boxes(&out.bytes, "Ægidius Ørsted-Ågård");
    let redacted = run(&out.bytes, &reds);
    assert_eq!(
        redacted.removed_glyphs,
        "Ægidius Ørsted-Ågård".chars().count()
    );
    assert_qpdf_ok(&redacted.bytes);
    let ours = extracted(&redacted.bytes);
    assert!(!ours.text.contains("Ægidius") && !ours.text.contains("Ørsted"));
    assert!(ours.text.contains("Nguyễn Thị Minh Khai og med naboen"));
    if let Some(text) = pdftotext(&redacted.bytes) {
        assert!(
            !text.contains("Ægidius") && !text.contains("Ørsted"),
            "{text}"
        );
        assert!(text.contains("Nguyễn Thị Minh Khai og med naboen") && text.contains("i dag."));
    }
}

#[test]
fn rendering_is_deterministic() {
    let a = render_text(&meta(), "Samme tekst, Zoë.", true).expect("renders");
    let b = render_text(&meta(), "Samme tekst, Zoë.", true).expect("renders");
    assert_eq!(a.bytes, b.bytes);
}
