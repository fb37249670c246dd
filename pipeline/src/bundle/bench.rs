//! Synthetic input for the bundle's tests and benchmark: text PDFs made with lopdf, a
//! municipality, and requests of any size.
//!
//! `cargo run --release -p pipeline --example bundle_bench -- 552 5000` times [`run`] on a
//! case of that many documents and pages and prints the figures with the peak RSS.

use std::io::Write;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use lopdf::{Dictionary, Document, Object, Stream};

use super::{
    BundleDocument, BundleRequest, BundleSummary, ComplaintGuidance, Municipality, Result,
};
use crate::grounds::default_grounds;
use crate::screen::{Disclosure, LegalBasis};

/// A text PDF of `pages` A4 pages, each with `title`, a page number and about 40 lines of
/// Danish-looking text in Helvetica — roughly what `pipeline::render` makes of a letter. It
/// carries document info, an annotation and an outline, which a bundle must not copy.
pub fn synthetic_pdf(title: &str, pages: u32, rotate: i64) -> Vec<u8> {
    let mut doc = Document::with_version("1.7");
    let pages_id = doc.new_object_id();
    let mut font = Dictionary::new();
    font.set("Type", Object::Name(b"Font".to_vec()));
    font.set("Subtype", Object::Name(b"Type1".to_vec()));
    font.set("BaseFont", Object::Name(b"Helvetica".to_vec()));
    font.set("Encoding", Object::Name(b"WinAnsiEncoding".to_vec()));
    let font_id = doc.add_object(font);
    let mut fonts = Dictionary::new();
    fonts.set("F1", Object::Reference(font_id));
    let mut resources = Dictionary::new();
    resources.set("Font", Object::Dictionary(fonts));
    let resources_id = doc.add_object(resources);
    let mut kids = Vec::new();
    for n in 1..=pages {
        let mut ops = format!("BT /F1 14 Tf 60 780 Td ({}) Tj ET\n", ascii(title));
        for line in 0..40 {
            ops.push_str(&format!(
                "BT /F1 10 Tf 60 {} Td (Linje {line} paa side {n}: Borgeren henvendte sig om \
                 sagen, og forvaltningen noterede oplysningerne.) Tj ET\n",
                750 - line * 16
            ));
        }
        let mut stream = Stream::new(Dictionary::new(), ops.into_bytes());
        let _ = stream.compress();
        let content_id = doc.add_object(stream);
        let mut annot = Dictionary::new();
        annot.set("Type", Object::Name(b"Annot".to_vec()));
        annot.set("Subtype", Object::Name(b"Text".to_vec()));
        annot.set(
            "Rect",
            Object::Array(vec![10.into(), 10.into(), 30.into(), 30.into()]),
        );
        annot.set("Contents", Object::string_literal("SKJULT-NOTE"));
        let annot_id = doc.add_object(annot);
        let mut page = Dictionary::new();
        page.set("Type", Object::Name(b"Page".to_vec()));
        page.set("Parent", Object::Reference(pages_id));
        page.set("Contents", Object::Reference(content_id));
        page.set("Annots", Object::Array(vec![Object::Reference(annot_id)]));
        if rotate != 0 {
            page.set("Rotate", rotate);
        }
        kids.push(Object::Reference(doc.add_object(page)));
    }
    let mut tree = Dictionary::new();
    tree.set("Type", Object::Name(b"Pages".to_vec()));
    tree.set("Count", i64::from(pages));
    tree.set("Kids", Object::Array(kids));
    // Inherited by every page, as many producers do.
    tree.set("Resources", Object::Reference(resources_id));
    tree.set(
        "MediaBox",
        Object::Array(vec![0.into(), 0.into(), 595.into(), 842.into()]),
    );
    doc.objects.insert(pages_id, Object::Dictionary(tree));
    let mut catalog = Dictionary::new();
    catalog.set("Type", Object::Name(b"Catalog".to_vec()));
    catalog.set("Pages", Object::Reference(pages_id));
    let catalog_id = doc.add_object(catalog);
    doc.trailer.set("Root", Object::Reference(catalog_id));
    let mut info = Dictionary::new();
    info.set("Author", Object::string_literal("SKJULT-FORFATTER"));
    let info_id = doc.add_object(info);
    doc.trailer.set("Info", Object::Reference(info_id));
    let mut out = Vec::new();
    // Saving a document built in memory only fails on I/O, and a Vec does not fail.
    let _ = doc.save_to(&mut out);
    out
}

fn ascii(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '(' | ')' | '\\' => ' ',
            c if c.is_ascii() && !c.is_control() => c,
            _ => '?',
        })
        .collect()
}

/// A municipality for tests and the benchmark.
pub fn municipality() -> Municipality {
    Municipality {
        name: "Egekær Kommune".into(),
        address_lines: vec!["Rådhuspladsen 1".into(), "4690 Egekær".into()],
        cvr: "29189900".into(),
        contact: "telefon 70 10 20 30 eller aktindsigt@egekaer.dk, hverdage kl. 9–15".into(),
        logo_png: None,
    }
}

/// A request decided under partsaktindsigt, version `version`.
pub fn request(version: u32) -> BundleRequest {
    BundleRequest {
        municipality: municipality(),
        recipient_name: "Søren Ærø Østergaard".into(),
        recipient_address_lines: vec!["Åboulevarden 12, 2. th.".into(), "4690 Egekær".into()],
        request_reference: "AKT-2024-0042".into(),
        received: NaiveDate::from_ymd_opt(2024, 4, 29).unwrap_or_default(),
        decided: NaiveDate::from_ymd_opt(2024, 5, 3).unwrap_or_default(),
        legal_basis: LegalBasis::PartyAccess,
        caseworker_name: Some("Karen Møller".into()),
        complaint_guidance: vec![ComplaintGuidance {
            department: "Børn og Familie".into(),
            text: "Klagen sendes til Børn og Familie, som genvurderer afgørelsen. Fastholder vi \
                   den, sender vi klagen videre til Ankestyrelsen. Klagen skal være modtaget \
                   senest fire uger efter, at du har fået afgørelsen."
                .into(),
        }],
        incompleteness_accepted: None,
        version,
        previous_version_note: None,
    }
}

/// `documents` documents in `documents / 18 + 1` cases with about `total_pages` pages in all;
/// every tenth is withheld and every fourth disclosed in part. PDFs are made once per page
/// count and shared, so the input costs little memory.
pub fn case(documents: usize, total_pages: u32) -> Vec<BundleDocument> {
    let grounds = default_grounds();
    let find = |code: &str| grounds.iter().find(|g| g.code == code).cloned();
    let per_doc = (total_pages as usize).div_ceil(documents.max(1)).max(1) as u32;
    let mut pool: Vec<Option<Vec<u8>>> = vec![None; (2 * per_doc) as usize + 1];
    let mut left = total_pages;
    let cases = documents / 18 + 1;
    let departments = ["Børn og Familie", "Jobcenter", "Ældre og Sundhed"];
    let mut out = Vec::with_capacity(documents);
    for i in 0..documents {
        let case = i % cases;
        let aktnummer = (i / cases) as u32 + 1;
        let disclosure = match i {
            i if i % 10 == 9 => Disclosure::Withheld,
            i if i % 4 == 1 => Disclosure::Partial,
            _ => Disclosure::Full,
        };
        let grounds = match disclosure {
            Disclosure::Full => Vec::new(),
            Disclosure::Partial => find("OFL_30_1").into_iter().collect(),
            Disclosure::Withheld => find("OFL_23").into_iter().chain(find("FVL_12")).collect(),
        };
        // Vary the length around the mean, keeping the total.
        let remaining_docs = (documents - i) as u32;
        let pages = if remaining_docs == 1 {
            left.max(1)
        } else {
            (per_doc / 2 + (i as u32 * 7) % (per_doc + 1)).clamp(1, left.max(1))
        };
        let pdf = (disclosure != Disclosure::Withheld).then(|| {
            left = left.saturating_sub(pages);
            let slot = (pages as usize).min(pool.len() - 1);
            pool[slot]
                .get_or_insert_with(|| synthetic_pdf("Notat om samtale med borgeren", pages, 0))
                .clone()
        });
        out.push(BundleDocument {
            sagsnummer: format!("27.24.00-G01-{:04}-24", case + 1),
            case_title: format!("Børnefaglig undersøgelse § 50, sag {}", case + 1),
            department: departments[case % departments.len()].into(),
            system_name: if case.is_multiple_of(2) {
                "ESDH"
            } else {
                "Jobcenter"
            }
            .into(),
            aktnummer,
            title: format!("Notat om samtale med borgeren ({aktnummer})"),
            date: NaiveDate::from_ymd_opt(2024, 1 + (i % 12) as u32, 1 + (i % 28) as u32),
            disclosure,
            grounds,
            pdf,
        });
    }
    out.sort_by(BundleDocument::case_order);
    out
}

/// The timing of one [`run`].
#[derive(Clone, Debug)]
pub struct BenchReport {
    /// What the bundle contains.
    pub summary: BundleSummary,
    /// Wall-clock time of [`super::bundle`] alone (input made beforehand).
    pub elapsed: Duration,
}

/// Bundles a synthetic case of `documents` documents and about `total_pages` pages into
/// `out` and times it.
pub fn run<W: Write>(documents: usize, total_pages: u32, out: W) -> Result<BenchReport> {
    run_with(documents, total_pages, out, || {})
}

/// [`run`], calling `before` once the input is made, just before the clock starts (the
/// benchmark resets its peak-memory counter there).
pub fn run_with<W: Write>(
    documents: usize,
    total_pages: u32,
    out: W,
    before: impl FnOnce(),
) -> Result<BenchReport> {
    let input = case(documents, total_pages);
    let request = request(1);
    before();
    let start = Instant::now();
    let summary = super::bundle(
        &request,
        input.into_iter().map(Ok::<_, std::convert::Infallible>),
        out,
    )?;
    Ok(BenchReport {
        summary,
        elapsed: start.elapsed(),
    })
}
