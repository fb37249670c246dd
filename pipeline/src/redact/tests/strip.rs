//! What else can carry content: annotations, forms, metadata, attachments, JavaScript, hidden
//! layers, structure, outlines and earlier revisions.

use lopdf::{Object, Stream, dictionary};

use super::*;
use crate::redact::Stripped;

/// A page naming "Ida Krogh" visibly, with the name also in every side channel.
fn loaded_document() -> Vec<u8> {
    let content = b"BT /F1 12 Tf 72 700 Td (Brev til Ida Krogh om sagen) Tj ET \
        /OC /Hidden BDC BT /F1 12 Tf 72 650 Td (Skjult lag: Ida Krogh bor i Vejle) Tj ET EMC \
        /OC /Shown BDC BT /F1 12 Tf 72 600 Td (Synligt lag med tekst) Tj ET EMC \
        /Span << /ActualText (Ida Krogh) >> BDC BT /F1 12 Tf 72 550 Td (Underskrift) Tj ET EMC";
    let mut hidden = None;
    let mut shown = None;
    let mut doc = one_page(content, |doc| {
        let h = doc.add_object(
            dictionary! { "Type" => "OCG", "Name" => Object::string_literal("Skjult") },
        );
        let s = doc.add_object(
            dictionary! { "Type" => "OCG", "Name" => Object::string_literal("Synligt") },
        );
        hidden = Some(h);
        shown = Some(s);
        let mut res = helvetica(doc);
        res.set("Properties", dictionary! { "Hidden" => h, "Shown" => s });
        res
    });
    let (hidden, shown) = (hidden.expect("ocg"), shown.expect("ocg"));
    let page_id = *doc.get_pages().values().next().expect("page");
    let annot = doc.add_object(dictionary! {
        "Type" => "Annot", "Subtype" => "Text",
        "Rect" => vec![0.into(), 0.into(), 10.into(), 10.into()],
        "Contents" => Object::string_literal("Ring til Ida Krogh"),
    });
    let file = doc.add_object(Stream::new(
        dictionary! { "Type" => "EmbeddedFile" },
        b"Vedhaeftet: Ida Krogh, Vejle".to_vec(),
    ));
    let spec = doc.add_object(dictionary! {
        "Type" => "Filespec", "F" => Object::string_literal("bilag.txt"),
        "EF" => dictionary! { "F" => file },
    });
    let xmp = doc.add_object(Stream::new(
        dictionary! { "Type" => "Metadata", "Subtype" => "XML" },
        b"<x:xmpmeta><dc:creator>Ida Krogh</dc:creator></x:xmpmeta>".to_vec(),
    ));
    let field = doc.add_object(dictionary! {
        "FT" => "Tx", "T" => Object::string_literal("navn"), "V" => Object::string_literal("Ida Krogh"),
    });
    let js = doc.add_object(dictionary! {
        "S" => "JavaScript", "JS" => Object::string_literal("app.alert('Ida Krogh')"),
    });
    let outline = doc
        .add_object(dictionary! { "Title" => Object::string_literal("Ida Krogh"), "Count" => 0 });
    let outlines = doc.add_object(
        dictionary! { "Type" => "Outlines", "First" => outline, "Last" => outline, "Count" => 1 },
    );
    let info = doc.add_object(dictionary! {
        "Title" => Object::string_literal("Sag om Ida Krogh"),
        "Author" => Object::string_literal("Ida Krogh"),
    });
    let root = doc
        .trailer
        .get(b"Root")
        .and_then(Object::as_reference)
        .expect("root");
    let catalog = doc.get_dictionary_mut(root).expect("catalog");
    catalog.set("Metadata", xmp);
    catalog.set("Names", dictionary! {
        "EmbeddedFiles" => dictionary! { "Names" => vec![Object::string_literal("bilag.txt"), spec.into()] },
        "JavaScript" => dictionary! { "Names" => vec![Object::string_literal("a"), js.into()] },
    });
    catalog.set("AcroForm", dictionary! { "Fields" => vec![field.into()] });
    catalog.set("OpenAction", js);
    catalog.set("Outlines", outlines);
    catalog.set(
        "OCProperties",
        dictionary! {
            "OCGs" => vec![hidden.into(), shown.into()],
            "D" => dictionary! { "OFF" => vec![hidden.into()] },
        },
    );
    doc.get_dictionary_mut(page_id)
        .expect("page")
        .set("Annots", vec![annot.into()]);
    doc.trailer.set("Info", info);
    save(&mut doc)
}

#[test]
fn side_channels_and_hidden_layers_are_gone() {
    let pdf = loaded_document();
    assert!(contains(&all_bytes(&pdf), b"Vejle"));
    let reds = boxes(&pdf, "Ida Krogh");
    let out = run(&pdf, &reds);
    assert_qpdf_ok(&out.bytes);
    let raw = all_bytes(&out.bytes);
    for gone in [
        &b"Ida"[..],
        b"Krogh",
        b"Vejle",
        b"Skjult",
        b"JavaScript",
        b"EmbeddedFile",
    ] {
        assert!(
            !contains(&raw, gone),
            "{} survived",
            String::from_utf8_lossy(gone)
        );
    }
    for kept in [
        &b"Brev til"[..],
        b"om sagen",
        b"Synligt lag",
        b"Underskrift",
    ] {
        assert!(
            contains(&raw, kept),
            "{} lost",
            String::from_utf8_lossy(kept)
        );
    }
    for s in [
        Stripped::Annotations,
        Stripped::FormFields,
        Stripped::DocumentInfo,
        Stripped::XmpMetadata,
        Stripped::EmbeddedFiles,
        Stripped::JavaScript,
        Stripped::Actions,
        Stripped::OptionalContent,
        Stripped::Outlines,
    ] {
        assert!(out.report.stripped.contains(&s), "{s:?} not reported");
    }
    assert!(out.report.pages[0].hidden_content_removed >= 1);
    if let Some(text) = pdftotext(&out.bytes) {
        assert!(!text.contains("Ida") && !text.contains("Skjult") && !text.contains("Vejle"));
        assert!(
            text.contains("Brev til") && text.contains("Synligt lag med tekst"),
            "{text}"
        );
    }
    let doc = lopdf::Document::load_mem(&out.bytes).expect("loads");
    assert!(doc.trailer.get(b"Info").is_err());
    let page = doc
        .get_dictionary(*doc.get_pages().values().next().expect("page"))
        .expect("page");
    assert!(page.get(b"Annots").is_err());
}

#[test]
fn hidden_layers_go_even_without_redactions() {
    let pdf = loaded_document();
    let out = run(&pdf, &[]);
    let raw = all_bytes(&out.bytes);
    assert!(!contains(&raw, b"Vejle") && !contains(&raw, b"Skjult"));
    assert!(
        contains(&raw, b"Brev til Ida Krogh"),
        "not redacted, only stripped"
    );
    assert_qpdf_ok(&out.bytes);
}

#[test]
fn an_earlier_revision_does_not_survive() {
    // Revision 1 names the person; an incremental update replaces the page content.
    let mut doc = one_page(
        b"BT /F1 12 Tf 72 700 Td (Gammel tekst om Bo Riis) Tj ET",
        helvetica,
    );
    let original = save(&mut doc);
    let page_id = *doc.get_pages().values().next().expect("page");
    let content_id = doc
        .get_dictionary(page_id)
        .and_then(|p| p.get(b"Contents"))
        .and_then(Object::as_reference)
        .expect("content");
    let mut update = original.clone();
    let offset = update.len();
    let body = b"BT /F1 12 Tf 72 700 Td (Ny tekst uden navn) Tj ET";
    update.extend_from_slice(
        format!(
            "{} 0 obj\n<< /Length {} >>\nstream\n",
            content_id.0,
            body.len()
        )
        .as_bytes(),
    );
    update.extend_from_slice(body);
    update.extend_from_slice(b"\nendstream\nendobj\n");
    let xref = update.len();
    let prev = String::from_utf8_lossy(&original)
        .rsplit("startxref")
        .next()
        .and_then(|t| t.split_whitespace().next().map(str::to_string))
        .expect("startxref");
    let root = doc
        .trailer
        .get(b"Root")
        .and_then(Object::as_reference)
        .expect("root");
    update.extend_from_slice(
        format!(
            "xref\n{} 1\n{offset:010} 00000 n \ntrailer\n<< /Size {} /Root {} 0 R /Prev {prev} >>\nstartxref\n{xref}\n%%EOF\n",
            content_id.0,
            doc.max_id + 1,
            root.0
        )
        .as_bytes(),
    );
    assert!(contains(&update, b"Bo Riis"));
    let out = run(&update, &[]);
    assert!(!contains(&all_bytes(&out.bytes), b"Bo Riis"));
    assert!(!contains(&out.bytes, b"Bo Riis"));
    assert!(contains(&all_bytes(&out.bytes), b"Ny tekst uden navn"));
    assert_qpdf_ok(&out.bytes);
}
