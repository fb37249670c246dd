//! Text removal: simple and composite fonts, TJ arrays, ' and ", forms; the rest stays put.

use lopdf::{Object, Stream, dictionary};

use super::*;
use crate::redact::Rect;

/// The x of the first box of `word` in the line of `text` that contains `line_hint`.
fn x_of(e: &Extracted, line_hint: &str, word: &str) -> f32 {
    let line_start = e.text.find(line_hint).expect("line found");
    let at = line_start + e.text[line_start..].find(word).expect("word on line");
    e.boxes_for(at..at + word.len())[0].1.x0
}

#[test]
fn winansi_name_mid_line_is_removed_and_the_line_stays_in_place() {
    let pdf = super::super::bench::sample_letter(2);
    let before = extracted(&pdf);
    let reds = boxes(&pdf, "Jens Ærø Hansen");
    assert_eq!(reds.len(), 6);
    let out = run(&pdf, &reds);
    assert_eq!(out.pages, 2);
    assert_eq!(out.removed_glyphs, 6 * "Jens Ærø Hansen".chars().count());
    assert_qpdf_ok(&out.bytes);

    // The words around the first occurrence, on its line.
    let at = before.text.find("Jens Ærø Hansen").expect("name");
    let line_start = before.text[..at].rfind('\n').map_or(0, |i| i + 1);
    let line_end = before.text[at..]
        .find('\n')
        .map_or(before.text.len(), |i| at + i);
    let left = before.text[line_start..at].trim_end();
    let right = before.text[at + "Jens Ærø Hansen".len()..line_end].trim_start();
    let word_before = left.rsplit(' ').next().expect("word before");
    let word_after = right.split(' ').next().expect("word after");

    let after = extracted(&out.bytes);
    assert!(!after.text.contains("Jens") && !after.text.contains("Hansen"));
    assert!(after.text.contains(left), "left part of the line kept");
    assert!(after.text.contains(right), "right part of the line kept");
    // Same positions to a hundredth of a point.
    let x0 = x_of(&before, left, word_after);
    let x1 = x_of(&after, left, word_after);
    assert!(
        (x0 - x1).abs() < 0.01,
        "{word_after} moved from {x0} to {x1}"
    );

    if let Some(text) = pdftotext(&out.bytes) {
        for gone in ["Jens", "Hansen", "Ærø"] {
            assert!(!text.contains(gone), "pdftotext still finds {gone:?}");
        }
        let line = text
            .lines()
            .find(|l| l.contains(left))
            .expect("pdftotext has the line");
        assert!(
            line.contains(word_before) && line.contains(word_after),
            "{line}"
        );
    }
    // The box is drawn with its label.
    let raw = all_bytes(&out.bytes);
    assert!(contains(&raw, b"(\\247 30, nr. 1) Tj"));
    assert!(!contains(&raw, b"Hansen"));
}

/// A Type0 font with Identity-H codes (CID = index in `ALPHABET` + 1) and a ToUnicode CMap.
const ALPHABET: &str = "abcdefghijklmnopqrstuvwxyzæøåÆØÅ ŁłśŚ.,";

fn cid_hex(s: &str) -> Vec<u8> {
    s.chars()
        .flat_map(|c| {
            let cid = ALPHABET.chars().position(|a| a == c).expect("in alphabet") as u16 + 1;
            cid.to_be_bytes()
        })
        .collect()
}

fn type0_doc(content: &[u8]) -> Vec<u8> {
    let mut doc = one_page(content, |doc| {
        let mut cmap = String::from(
            "/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n\
             /CMapName /Test def 1 begincodespacerange <0000> <FFFF> endcodespacerange\n",
        );
        cmap.push_str(&format!("{} beginbfchar\n", ALPHABET.chars().count()));
        for (i, c) in ALPHABET.chars().enumerate() {
            let mut units = [0u16; 2];
            let hex: String = c
                .encode_utf16(&mut units)
                .iter()
                .map(|u| format!("{u:04X}"))
                .collect();
            cmap.push_str(&format!("<{:04X}> <{hex}>\n", i + 1));
        }
        cmap.push_str("endbfchar endcmap CMapName currentdict /CMap defineresource pop end end\n");
        let to_unicode = doc.add_object(Stream::new(dictionary! {}, cmap.into_bytes()));
        let descendant = doc.add_object(dictionary! {
            "Type" => "Font", "Subtype" => "CIDFontType2", "BaseFont" => "TestSans",
            "CIDSystemInfo" => dictionary! {
                "Registry" => Object::string_literal("Adobe"),
                "Ordering" => Object::string_literal("Identity"), "Supplement" => 0,
            },
            "DW" => 600,
            "W" => vec![1.into(), vec![500.into(), 520.into(), 540.into()].into()],
        });
        let font = doc.add_object(dictionary! {
            "Type" => "Font", "Subtype" => "Type0", "BaseFont" => "TestSans",
            "Encoding" => "Identity-H", "DescendantFonts" => vec![descendant.into()],
            "ToUnicode" => to_unicode,
        });
        dictionary! { "Font" => dictionary! { "F0" => font } }
    });
    save(&mut doc)
}

#[test]
fn type0_identity_h_with_kerning_is_removed_in_place() {
    let mut content = b"BT /F0 12 Tf 1 0 0 1 72 700 Tm [<".to_vec();
    let hex = |s: &str| -> String { cid_hex(s).iter().map(|b| format!("{b:02X}")).collect() };
    content.extend_from_slice(hex("sagen om ").as_bytes());
    content.extend_from_slice(b"> -30 <");
    content.extend_from_slice(hex("łukasz wiśniewski og ").as_bytes());
    content.extend_from_slice(b"> 15 <");
    content.extend_from_slice(hex("åse ørsted.").as_bytes());
    content.extend_from_slice(b">] TJ ET");
    let pdf = type0_doc(&content);
    let before = extracted(&pdf);
    assert!(before.text.contains("łukasz wiśniewski"), "{}", before.text);
    let reds = boxes(&pdf, "łukasz wiśniewski");
    let out = run(&pdf, &reds);
    assert_eq!(out.removed_glyphs, "łukasz wiśniewski".chars().count());
    assert_qpdf_ok(&out.bytes);
    let after = extracted(&out.bytes);
    assert!(!after.text.contains("łukasz") && !after.text.contains("wiśniewski"));
    let x0 = x_of(&before, "sagen", "ørsted");
    let x1 = x_of(&after, "sagen", "ørsted");
    assert!((x0 - x1).abs() < 0.01, "moved from {x0} to {x1}");
    if let Some(text) = pdftotext(&out.bytes) {
        assert!(
            !text.contains("łukasz") && !text.contains("wiśniewski"),
            "{text}"
        );
        assert!(
            text.contains("sagen om") && text.contains("åse ørsted"),
            "{text}"
        );
    }
}

#[test]
fn quote_operators_and_word_spacing_keep_positions() {
    let content = b"BT /F1 11 Tf 14 TL 72 720 Td (Overskrift) Tj \
        (Bor hos Karin Holm i Ribe) ' 2 0.5 (Ringet til Karin Holm i dag) \" ET";
    let mut doc = one_page(content, helvetica);
    let pdf = save(&mut doc);
    let before = extracted(&pdf);
    assert!(
        before.text.contains("Ringet til Karin Holm i dag"),
        "{}",
        before.text
    );
    let reds = boxes(&pdf, "Karin Holm");
    assert_eq!(reds.len(), 2);
    let out = run(&pdf, &reds);
    assert_qpdf_ok(&out.bytes);
    let after = extracted(&out.bytes);
    assert!(
        !after.text.contains("Karin") && !after.text.contains("Holm"),
        "{}",
        after.text
    );
    for (hint, word) in [("Bor hos", "Ribe"), ("Ringet", "dag")] {
        let (a, b) = (x_of(&before, hint, word), x_of(&after, hint, word));
        assert!((a - b).abs() < 0.01, "{word} moved from {a} to {b}");
    }
    if let Some(text) = pdftotext(&out.bytes) {
        assert!(!text.contains("Karin"), "{text}");
        assert!(text.contains("Overskrift") && text.contains("Ribe") && text.contains("dag"));
    }
}

#[test]
fn text_in_a_shared_form_is_removed_only_where_redacted() {
    let mut doc = lopdf::Document::with_version("1.7");
    let fonts = helvetica(&mut doc);
    let form = doc.add_object(Stream::new(
        dictionary! {
            "Type" => "XObject", "Subtype" => "Form",
            "BBox" => vec![0.into(), 0.into(), 595.into(), 100.into()],
            "Resources" => fonts.clone(),
        },
        b"BT /F1 10 Tf 72 50 Td (Brevhoved for Sofie Lund, Ribe) Tj ET".to_vec(),
    ));
    let pages_id = doc.new_object_id();
    let mut kids = Vec::new();
    for _ in 0..2 {
        let content = doc.add_object(Stream::new(
            dictionary! {},
            b"q 1 0 0 1 0 700 cm /Fm1 Do Q BT /F1 10 Tf 72 600 Td (Side tekst) Tj ET".to_vec(),
        ));
        kids.push(Object::Reference(doc.add_object(dictionary! {
            "Type" => "Page", "Parent" => pages_id,
            "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
            "Contents" => content,
            "Resources" => dictionary! { "Font" => fonts.get(b"Font").cloned().unwrap_or(Object::Null),
                                         "XObject" => dictionary! { "Fm1" => form } },
        })));
    }
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! { "Type" => "Pages", "Kids" => kids, "Count" => 2 }),
    );
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog);
    let pdf = save(&mut doc);
    let reds: Vec<Redaction> = boxes(&pdf, "Sofie Lund")
        .into_iter()
        .filter(|r| r.page == 1)
        .collect();
    assert_eq!(reds.len(), 1);
    assert!(
        reds[0].rect.y0 > 700.0,
        "form placed by the page's cm: {:?}",
        reds[0].rect
    );
    let out = run(&pdf, &reds);
    assert_eq!(out.report.pages[0].forms_rewritten, 1);
    assert_qpdf_ok(&out.bytes);
    let after = extracted(&out.bytes);
    let page = |n: usize| &after.text[after.pages[n].text_range.clone()];
    assert!(
        !page(0).contains("Sofie") && page(0).contains("Brevhoved") && page(0).contains("Ribe")
    );
    assert!(page(1).contains("Sofie Lund"), "page 2 was not redacted");
    if let Some(text) = pdftotext(&out.bytes) {
        let pages: Vec<&str> = text.split('\u{c}').collect();
        assert!(!pages[0].contains("Sofie") && pages[0].contains("Brevhoved"));
        assert!(pages[1].contains("Sofie Lund"));
    }
}

#[test]
fn a_box_over_nothing_is_still_painted_and_other_text_untouched() {
    let pdf = super::super::bench::sample_letter(1);
    let reds = vec![Redaction {
        page: 1,
        rect: Rect {
            x0: 10.0,
            y0: 10.0,
            x1: 50.0,
            y1: 30.0,
        },
        label: "§ 30".into(),
    }];
    let out = run(&pdf, &reds);
    assert_eq!(out.removed_glyphs, 0);
    assert_eq!(out.report.pages[0].redactions, 1);
    // The text is unchanged; the label is the box's own text.
    let text = extracted(&out.bytes).text;
    assert_eq!(
        text.strip_suffix("\n\n§ 30"),
        Some(extracted(&pdf).text.as_str())
    );
    assert!(contains(
        &all_bytes(&out.bytes),
        b"10.000 10.000 40.000 20.000 re f"
    ));
}
