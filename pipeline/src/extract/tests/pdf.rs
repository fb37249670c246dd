//! PDF text layers: positions, encodings, ToUnicode, errors.

use lopdf::{Document, Object, Stream, dictionary};

use super::{find, fixture, ok, words};
use crate::extract::{
    ExtractError, ExtractOptions, ExtractStatus, Format, Limit, RunSource, extract,
};

const PDF: &str = "application/pdf";

#[test]
fn text_pdf_gives_the_generated_text_with_danish_letters() {
    let e = ok(fixture!("letter.pdf"), PDF);
    let expected = std::str::from_utf8(fixture!("letter.pdf.expected.txt")).unwrap_or_default();
    assert_eq!(words(&e.text), words(expected));
    assert!(e.text.contains("pårørende") && e.text.contains("Boligstøtten"));
    assert!(e.is_complete());
    assert_eq!(e.format, Format::Pdf);
    assert_eq!(e.pages.len(), 1);
    let (w, h) = e.pages[0].size.unwrap_or_default();
    assert!((w - 595.28).abs() < 0.01 && (h - 841.89).abs() < 0.01);
}

#[test]
fn paragraphs_survive_as_blank_lines() {
    let e = ok(fixture!("letter.pdf"), PDF);
    assert!(
        e.text.starts_with("Journalnotat\n\nSagsnr.: 2025-000002"),
        "{:?}",
        &e.text[..40]
    );
}

#[test]
fn a_word_box_lies_where_the_word_was_drawn() {
    // The generator draws each line with `/F1 10.5 Tf 1 0 0 1 62 y Tm`, from y = 780 down by 14.
    let e = ok(fixture!("letter.pdf"), PDF);
    let range = find(&e.text, "Gitte Holm");
    let boxes = e.boxes_for(range);
    assert_eq!(boxes.len(), 1, "{boxes:?}");
    let (page, r) = boxes[0];
    assert_eq!(page, 1);
    // Helvetica widths of "Udarbejdet af: " and of "Gitte Holm".
    let prefix = [
        722, 556, 556, 333, 556, 556, 222, 556, 556, 278, 278, 556, 278, 278, 278,
    ];
    let word = [778, 222, 278, 278, 556, 278, 722, 556, 222, 833];
    let em = |w: &[u32]| w.iter().sum::<u32>() as f32 * 10.5 / 1000.0;
    let x0 = 62.0 + em(&prefix);
    let width = em(&word);
    let baseline = 780.0 - 4.0 * 14.0;
    assert!((r.x0 - x0).abs() < 2.0, "x0 {} vs {x0}", r.x0);
    assert!(
        (r.x1 - (x0 + width)).abs() < 2.0,
        "x1 {} vs {}",
        r.x1,
        x0 + width
    );
    assert!(r.y0 < baseline && r.y0 > baseline - 5.0, "y0 {}", r.y0);
    assert!(
        r.y1 > baseline + 7.0 && r.y1 < baseline + 12.0,
        "y1 {}",
        r.y1
    );
    assert_eq!(e.pages[0].runs[0].source, RunSource::Layer);
}

#[test]
fn a_span_across_runs_gives_one_box_per_run() {
    let e = ok(fixture!("letter.pdf"), PDF);
    let start = find(&e.text, "Holm\nPart").start;
    let end = find(&e.text, "Part: Maja").end;
    let boxes = e.boxes_for(start..end);
    assert_eq!(boxes.len(), 2, "{boxes:?}");
    assert!(boxes[0].1.y0 > boxes[1].1.y0, "second line is lower");
}

/// A one-page PDF with a Type0/Identity-H font whose ToUnicode CMap maps 2-byte codes, drawn
/// at (100, 700) in 20 pt, plus a second run in a simple font with /Differences.
fn type0_pdf() -> Vec<u8> {
    let mut doc = Document::with_version("1.7");
    let cmap = b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n\
/CMapName /Test def 1 begincodespacerange <0000> <FFFF> endcodespacerange\n\
3 beginbfchar <0001> <0053> <0002> <00F8> <0003> <0072> endbfchar\n\
2 beginbfrange <0004> <0005> <0065> <0010> <0012> [<00C6> <0072> <00F8>] endbfrange\n\
endcmap CMapName currentdict /CMap defineresource pop end end"
        .to_vec();
    let to_unicode = doc.add_object(Stream::new(dictionary! {}, cmap));
    let descendant = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "CIDFontType2", "BaseFont" => "Test",
        "CIDSystemInfo" => dictionary! { "Registry" => Object::string_literal("Adobe"), "Ordering" => Object::string_literal("Identity"), "Supplement" => 0 },
        "DW" => 500,
        "W" => vec![1.into(), vec![600.into(), 550.into(), 400.into()].into()],
    });
    let type0 = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type0", "BaseFont" => "Test", "Encoding" => "Identity-H",
        "DescendantFonts" => vec![descendant.into()], "ToUnicode" => to_unicode,
    });
    let simple = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica",
        "Encoding" => dictionary! { "Type" => "Encoding", "BaseEncoding" => "WinAnsiEncoding",
            "Differences" => vec![1.into(), "aring".into(), "oslash".into(), "AE".into()] },
    });
    // 0001 0002 0003 0004 0011 = "Sører" (bfchar, bfchar, bfchar, bfrange start, bfrange list).
    let content = b"BT /F1 20 Tf 1 0 0 1 100 700 Tm <00010002000300040011> Tj ET\n\
BT /F2 12 Tf 100 650 Td (Bl\\001b\\002r \\003rter) Tj ET"
        .to_vec();
    let content_id = doc.add_object(Stream::new(dictionary! {}, content));
    let pages_id = doc.new_object_id();
    let page = doc.add_object(dictionary! {
        "Type" => "Page", "Parent" => pages_id, "MediaBox" => vec![0.into(), 0.into(), 612.into(), 792.into()],
        "Contents" => content_id,
        "Resources" => dictionary! { "Font" => dictionary! { "F1" => type0, "F2" => simple } },
    });
    doc.objects.insert(
        pages_id,
        Object::Dictionary(
            dictionary! { "Type" => "Pages", "Kids" => vec![page.into()], "Count" => 1 },
        ),
    );
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog);
    let mut out = Vec::new();
    doc.save_to(&mut out).unwrap_or_default();
    out
}

#[test]
fn type0_font_with_to_unicode_cmap_decodes_two_byte_codes() {
    let e = ok(&type0_pdf(), PDF);
    assert_eq!(e.text, "Sører\n\nBlåbør Ærter");
    assert!(e.is_complete());
    // Widths from /W: S=600, ø=550, r=400, e=500 (DW), r (0011 in the range) = 500.
    let boxes = e.boxes_for(find(&e.text, "ø"));
    let r = boxes[0].1;
    assert!(
        (r.x0 - 112.0).abs() < 0.01 && (r.x1 - 123.0).abs() < 0.01,
        "{r:?}"
    );
}

#[test]
fn differences_override_the_base_encoding() {
    let e = ok(&type0_pdf(), PDF);
    assert!(e.text.ends_with("Blåbør Ærter"), "{:?}", e.text);
}

#[test]
fn encrypted_pdf_needing_a_password_is_a_typed_error() {
    let r = extract(
        fixture!("encrypted-user-password.pdf"),
        PDF,
        &ExtractOptions::default(),
    );
    assert_eq!(r.err(), Some(ExtractError::Encrypted));
}

#[test]
fn pdf_encrypted_with_only_an_owner_password_is_read() {
    let e = ok(fixture!("encrypted-owner-only.pdf"), PDF);
    assert!(e.metadata.was_encrypted);
    assert!(e.text.contains("Boligstøtten"), "{}", e.text);
}

#[test]
fn broken_pdf_is_malformed() {
    for bytes in [&b"not a pdf"[..], &b"%PDF-1.5\n garbage"[..]] {
        let r = extract(bytes, PDF, &ExtractOptions::default());
        assert!(
            matches!(
                r,
                Err(ExtractError::Malformed {
                    format: Format::Pdf,
                    ..
                })
            ),
            "{r:?}"
        );
    }
    // Cut mid-stream: lopdf may recover what it can, or not; never a panic.
    let letter = fixture!("letter.pdf");
    let r = extract(&letter[..letter.len() / 3], PDF, &ExtractOptions::default());
    assert!(
        matches!(r, Ok(_) | Err(ExtractError::Malformed { .. })),
        "{r:?}"
    );
}

#[test]
fn oversized_input_is_too_large() {
    let options = ExtractOptions {
        max_bytes: 100,
        ..ExtractOptions::default()
    };
    let r = extract(fixture!("letter.pdf"), PDF, &options);
    assert_eq!(
        r.err(),
        Some(ExtractError::TooLarge {
            limit: Limit::Bytes,
            limit_value: 100
        })
    );
    let options = ExtractOptions {
        max_pages: 0,
        ..ExtractOptions::default()
    };
    let r = extract(fixture!("letter.pdf"), PDF, &options);
    assert_eq!(
        r.err(),
        Some(ExtractError::TooLarge {
            limit: Limit::Pages,
            limit_value: 0
        })
    );
    let options = ExtractOptions {
        max_decompressed_bytes: 10,
        ..ExtractOptions::default()
    };
    let r = extract(fixture!("letter.pdf"), PDF, &options);
    assert!(
        matches!(
            r,
            Err(ExtractError::TooLarge {
                limit: Limit::Decompressed,
                ..
            })
        ),
        "{r:?}"
    );
}

#[test]
fn page_with_outlined_text_only_is_for_review() {
    let mut doc = Document::with_version("1.5");
    let mut content = Vec::new();
    for i in 0..20 {
        content.extend_from_slice(format!("{i} 0 5 5 re f\n").as_bytes());
    }
    let content_id = doc.add_object(Stream::new(dictionary! {}, content));
    let pages_id = doc.new_object_id();
    let page = doc.add_object(dictionary! { "Type" => "Page", "Parent" => pages_id, "MediaBox" => vec![0.into(), 0.into(), 100.into(), 100.into()], "Contents" => content_id });
    doc.objects.insert(
        pages_id,
        Object::Dictionary(
            dictionary! { "Type" => "Pages", "Kids" => vec![page.into()], "Count" => 1 },
        ),
    );
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog);
    let mut bytes = Vec::new();
    doc.save_to(&mut bytes).unwrap_or_default();
    let e = ok(&bytes, PDF);
    assert!(
        matches!(e.status, ExtractStatus::NeedsManualReview(ref n) if n[0].page == Some(1)),
        "{:?}",
        e.status
    );
}
