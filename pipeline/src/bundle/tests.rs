//! Bundle tests: the output is read back with independent tools (poppler's `pdftotext`,
//! `qpdf --check`) and with lopdf. A missing tool prints `skipped:` and the check is left out.

use std::path::{Path, PathBuf};
use std::process::Command;

use chrono::NaiveDate;
use lopdf::{Dictionary, Document, Object, Stream};

use super::bench::{case, request, synthetic_pdf};
use super::*;
use crate::grounds::default_grounds;

fn ground(code: &str) -> LegalGround {
    default_grounds()
        .into_iter()
        .find(|g| g.code == code)
        .expect("ground in the default table")
}

fn doc(sag: &str, akt: u32, disclosure: Disclosure, pages: u32) -> BundleDocument {
    let grounds = match disclosure {
        Disclosure::Full => Vec::new(),
        Disclosure::Partial => vec![ground("OFL_30_1")],
        Disclosure::Withheld => vec![ground("OFL_23"), ground("FVL_12")],
    };
    BundleDocument {
        sagsnummer: sag.into(),
        case_title: format!("Sagen {sag}"),
        department: if sag.contains("-1-") {
            "Børn og Familie"
        } else {
            "Jobcenter"
        }
        .into(),
        system_name: "ESDH".into(),
        aktnummer: akt,
        title: format!("Brev nummer {akt} om ydelsen"),
        date: NaiveDate::from_ymd_opt(2024, 3, akt.min(28)),
        disclosure,
        grounds,
        pdf: (disclosure != Disclosure::Withheld).then(|| synthetic_pdf("Brev", pages, 0)),
    }
}

fn run(request: &BundleRequest, docs: Vec<BundleDocument>) -> Result<(Vec<u8>, BundleSummary)> {
    let mut out = Vec::new();
    let summary = bundle(
        request,
        docs.into_iter().map(Ok::<_, std::convert::Infallible>),
        &mut out,
    )?;
    Ok((out, summary))
}

/// A file in a per-process temp folder, removed when the guard drops.
struct TempFile(PathBuf);

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
        if let Some(dir) = self.0.parent() {
            // Fails while other tests still use it; the last one out removes it.
            let _ = std::fs::remove_dir(dir);
        }
    }
}

impl std::ops::Deref for TempFile {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.0
    }
}

fn temp_file(name: &str, bytes: &[u8]) -> TempFile {
    let dir = std::env::temp_dir().join(format!("sagshub-bundle-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join(name);
    std::fs::write(&path, bytes).expect("write temp file");
    TempFile(path)
}

fn tool(name: &str) -> bool {
    let found = Command::new(name).arg("-v").output().is_ok();
    if !found {
        println!("skipped: {name} is not installed");
    }
    found
}

/// The text of each page (`pdftotext -layout`), or `None` without poppler.
fn pages_text(path: &Path) -> Option<Vec<String>> {
    if !tool("pdftotext") {
        return None;
    }
    let out = Command::new("pdftotext")
        .args(["-layout", "-enc", "UTF-8"])
        .arg(path)
        .arg("-")
        .output()
        .expect("pdftotext runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let mut pages: Vec<String> = text.split('\u{c}').map(str::to_owned).collect();
    if pages.last().is_some_and(|p| p.trim().is_empty()) {
        pages.pop();
    }
    Some(pages)
}

fn qpdf_check(path: &Path) {
    if !tool("qpdf") {
        return;
    }
    let out = Command::new("qpdf")
        .arg("--check")
        .arg(path)
        .output()
        .expect("qpdf runs");
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "qpdf --check failed:\n{text}");
    assert!(!text.contains("WARNING"), "qpdf warns:\n{text}");
}

/// Counts outline entries, walking First/Next.
fn outline_entries(doc: &Document, first: Option<&Object>) -> usize {
    let mut n = 0;
    let mut next = first.and_then(|o| o.as_reference().ok());
    while let Some(id) = next {
        let item = doc.get_dictionary(id).expect("outline item");
        n += 1 + outline_entries(doc, item.get(b"First").ok());
        next = item.get(b"Next").ok().and_then(|o| o.as_reference().ok());
    }
    n
}

/// A mixed request: three cases, withheld and partial documents, 18 documents in all.
fn eighteen() -> Vec<BundleDocument> {
    let mut docs = Vec::new();
    for (sag, n) in [
        ("27.24.00-G01-1-24", 8),
        ("32.18.00-G01-2-24", 6),
        ("15.00.00-A00-3-23", 4),
    ] {
        for akt in 1..=n {
            let disclosure = match akt % 5 {
                3 => Disclosure::Withheld,
                2 => Disclosure::Partial,
                _ => Disclosure::Full,
            };
            docs.push(doc(sag, akt, disclosure, 1 + akt % 3));
        }
    }
    docs.sort_by(BundleDocument::case_order);
    docs
}

#[test]
fn list_pages_match_the_stamps_and_the_file_is_clean() {
    let docs = eighteen();
    let expected: Vec<(String, u32, Disclosure)> = docs
        .iter()
        .map(|d| (d.sagsnummer.clone(), d.aktnummer, d.disclosure))
        .collect();
    let (pdf, summary) = run(&request(1), docs).expect("bundle");
    assert_eq!(summary.documents.len(), 18);
    assert_eq!(summary.cases, 3);
    assert_eq!(
        summary.withheld,
        expected
            .iter()
            .filter(|e| e.2 == Disclosure::Withheld)
            .count()
    );
    let path = temp_file("eighteen.pdf", &pdf);
    qpdf_check(&path);

    // lopdf: pages, labels, outline; nothing of the sources' metadata or annotations.
    let read = Document::load_mem(&pdf).expect("lopdf reads the bundle");
    assert_eq!(read.get_pages().len() as u32, summary.pages);
    assert_eq!(
        summary.pages,
        summary.front_matter_pages + summary.document_pages
    );
    let catalog = read.catalog().expect("catalog");
    let labels = catalog
        .get(b"PageLabels")
        .and_then(Object::as_dict)
        .expect("/PageLabels");
    let nums = labels
        .get(b"Nums")
        .and_then(Object::as_array)
        .expect("/Nums");
    assert_eq!(nums[0].as_i64().ok(), Some(0));
    assert_eq!(
        nums[1]
            .as_dict()
            .and_then(|d| d.get(b"S"))
            .and_then(Object::as_name)
            .ok(),
        Some(&b"r"[..])
    );
    assert_eq!(
        nums[2].as_i64().ok(),
        Some(i64::from(summary.front_matter_pages))
    );
    assert_eq!(
        nums[3]
            .as_dict()
            .and_then(|d| d.get(b"S"))
            .and_then(Object::as_name)
            .ok(),
        Some(&b"D"[..])
    );
    let outlines = catalog
        .get(b"Outlines")
        .and_then(Object::as_reference)
        .and_then(|id| read.get_dictionary(id))
        .expect("/Outlines");
    let disclosed = expected
        .iter()
        .filter(|e| e.2 != Disclosure::Withheld)
        .count();
    assert_eq!(
        outline_entries(&read, outlines.get(b"First").ok()),
        3 + 3 + disclosed
    );
    assert_eq!(summary.bookmarks, 3 + 3 + disclosed);
    for needle in [
        &b"SKJULT-NOTE"[..],
        b"SKJULT-FORFATTER",
        b"/Annots",
        b"/JavaScript",
        b"/Encrypt",
    ] {
        assert!(
            !pdf.windows(needle.len()).any(|w| w == needle),
            "{}",
            String::from_utf8_lossy(needle)
        );
    }

    let Some(pages) = pages_text(&path) else {
        return;
    };
    assert_eq!(pages.len() as u32, summary.pages);
    let front = summary.front_matter_pages as usize;
    let total = summary.document_pages;
    let list: String = pages[..front].join("\n");
    for ((sag, akt, disclosure), listed) in expected.iter().zip(&summary.documents) {
        assert_eq!((sag, *akt), (&listed.sagsnummer, listed.aktnummer));
        // The list row: aktnummer first, the sagsnummer, the page last.
        let row = list
            .lines()
            .find(|l| {
                l.split_whitespace().next() == Some(&akt.to_string()) && l.contains(sag.as_str())
            })
            .unwrap_or_else(|| panic!("no list row for {sag} akt {akt} in\n{list}"));
        let page_cell = row.split_whitespace().last().expect("a page cell");
        let stamp = format!("Sag {sag} · Akt {akt}");
        match listed.first_page {
            None => {
                assert_eq!(*disclosure, Disclosure::Withheld);
                assert_eq!(page_cell, "–", "{row}");
                assert!(row.contains("Undtaget"), "{row}");
                assert!(
                    !pages[front..].iter().any(|p| p.contains(&stamp)),
                    "withheld {stamp} is in the body"
                );
            }
            Some(first) => {
                assert_eq!(page_cell, first.to_string(), "{row}");
                let page = &pages[front + first as usize - 1];
                assert!(
                    page.contains(&stamp),
                    "page {first} does not show {stamp}:\n{page}"
                );
                assert!(page.contains(&format!("Side {first} af {total}")), "{page}");
                if first > 1 {
                    let before = &pages[front + first as usize - 2];
                    assert!(
                        !before.contains(&stamp),
                        "{stamp} starts before page {first}"
                    );
                }
            }
        }
    }
    // Every body page is stamped with its number.
    for (i, page) in pages[front..].iter().enumerate() {
        assert!(
            page.contains(&format!("Side {} af {total}", i + 1)),
            "page {}:\n{page}",
            i + 1
        );
    }

    // The letter: counts, the grounds used with their text, guidance for the departments
    // involved only, contact.
    let letter = pages[..front].join("\n");
    let flat: String = letter.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(flat.contains("Afgørelse om aktindsigt"));
    assert!(
        flat.contains("Vi har fundet 18 dokumenter i 3 sager"),
        "{flat}"
    );
    assert!(
        flat.contains(&format!(
            "{} dokumenter får du ikke aktindsigt i",
            summary.withheld
        )),
        "{flat}"
    );
    for code in [
        "OFL § 30, nr. 1 – Private forhold",
        "OFL § 23, stk. 1, nr. 1 – Interne dokumenter",
        "FVL § 12, stk. 1",
    ] {
        assert!(flat.contains(code), "{code} missing");
    }
    assert!(
        flat.contains("Oplysninger om andre personers private"),
        "the ground's text is printed"
    );
    assert!(
        !flat.contains("OFL § 33"),
        "only grounds actually used are printed"
    );
    assert!(flat.contains("Klagevejledning"));
    assert!(
        flat.contains("genvurderer afgørelsen"),
        "configured guidance for Børn og Familie"
    );
    assert!(
        flat.contains("Jobcenter Kontakt os, hvis du vil klage"),
        "fallback guidance: {flat}"
    );
    assert!(flat.contains("Læsevejledning"));
    assert!(flat.contains("Dokumentfortegnelse"));
    assert!(flat.contains("aktindsigt@egekaer.dk"));
    assert!(
        flat.contains("Søren Ærø Østergaard"),
        "Danish letters survive"
    );
    assert!(flat.contains("Side i af"), "front matter numbered in roman");
}

/// A page with text at its very bottom edge, optionally rotated.
fn edge_pdf(rotate: i64) -> Vec<u8> {
    let mut doc = Document::with_version("1.7");
    let pages_id = doc.new_object_id();
    let mut font = Dictionary::new();
    font.set("Type", Object::Name(b"Font".to_vec()));
    font.set("Subtype", Object::Name(b"Type1".to_vec()));
    font.set("BaseFont", Object::Name(b"Helvetica".to_vec()));
    let font_id = doc.add_object(font);
    let mut fonts = Dictionary::new();
    fonts.set("F1", Object::Reference(font_id));
    let mut resources = Dictionary::new();
    resources.set("Font", Object::Dictionary(fonts));
    // Two content streams, and a q without its Q, to test joining and isolation.
    let a = doc.add_object(Stream::new(
        Dictionary::new(),
        b"q 1 0 0 1 0 0 cm\n".to_vec(),
    ));
    let b = doc.add_object(Stream::new(
        Dictionary::new(),
        b"BT /F1 12 Tf 2 3 Td (BUNDKANT) Tj ET BT /F1 12 Tf 2 828 Td (TOPKANT) Tj ET".to_vec(),
    ));
    let mut page = Dictionary::new();
    page.set("Type", Object::Name(b"Page".to_vec()));
    page.set("Parent", Object::Reference(pages_id));
    page.set(
        "MediaBox",
        Object::Array(vec![0.into(), 0.into(), 595.into(), 842.into()]),
    );
    page.set("Resources", Object::Dictionary(resources));
    page.set(
        "Contents",
        Object::Array(vec![Object::Reference(a), Object::Reference(b)]),
    );
    page.set("Rotate", rotate);
    let page_id = doc.add_object(page);
    let mut tree = Dictionary::new();
    tree.set("Type", Object::Name(b"Pages".to_vec()));
    tree.set("Count", 1);
    tree.set("Kids", Object::Array(vec![Object::Reference(page_id)]));
    doc.objects.insert(pages_id, Object::Dictionary(tree));
    let mut catalog = Dictionary::new();
    catalog.set("Type", Object::Name(b"Catalog".to_vec()));
    catalog.set("Pages", Object::Reference(pages_id));
    let catalog_id = doc.add_object(catalog);
    doc.trailer.set("Root", Object::Reference(catalog_id));
    let mut out = Vec::new();
    doc.save_to(&mut out).expect("save");
    out
}

#[test]
fn stamp_never_overlaps_page_content_rotated_or_not() {
    let mut docs = Vec::new();
    for (akt, rotate) in [(1, 0), (2, 90), (3, 180), (4, 270)] {
        let mut d = doc("27.24.00-G01-1-24", akt, Disclosure::Full, 1);
        d.pdf = Some(edge_pdf(rotate));
        docs.push(d);
    }
    let (pdf, summary) = run(&request(1), docs).expect("bundle");
    let path = temp_file("edges.pdf", &pdf);
    qpdf_check(&path);
    let read = Document::load_mem(&pdf).expect("lopdf");
    let pages = read.get_pages();
    let front = summary.front_matter_pages;
    // Rotated sources become upright pages of the rotated size.
    let size = |n: u32| {
        let dict = read.get_dictionary(pages[&(front + n)]).expect("page");
        let mb = dict
            .get(b"MediaBox")
            .and_then(Object::as_array)
            .expect("MediaBox");
        (
            mb[2].as_float().unwrap_or(0.0),
            mb[3].as_float().unwrap_or(0.0),
        )
    };
    assert_eq!(size(1), (595.0, 842.0));
    assert_eq!(size(2), (842.0, 595.0));
    assert_eq!(size(4), (842.0, 595.0));
    assert!(
        read.get_dictionary(pages[&(front + 2)])
            .expect("page")
            .get(b"Rotate")
            .is_err()
    );

    if !tool("pdftotext") {
        return;
    }
    let out = Command::new("pdftotext")
        .args(["-bbox", "-f"])
        .arg((front + 1).to_string())
        .arg(&*path)
        .arg("-")
        .output()
        .expect("pdftotext -bbox");
    let html = String::from_utf8_lossy(&out.stdout);
    let number = |s: &str, key: &str| -> f32 {
        let start = s.find(&format!("{key}=\"")).expect(key) + key.len() + 2;
        s[start..]
            .split('"')
            .next()
            .and_then(|v| v.parse().ok())
            .expect("number")
    };
    let mut height = 0.0;
    let mut content_words = 0;
    for tag in html.split('<') {
        if tag.starts_with("page ") {
            height = number(tag, "height");
        } else if tag.starts_with("word ") {
            let word = tag.rsplit('>').next().unwrap_or("");
            let (y_max, y_min) = (number(tag, "yMax"), number(tag, "yMin"));
            let in_band = y_min >= height - assemble::STAMP_BAND;
            if word == "BUNDKANT" || word == "TOPKANT" {
                content_words += 1;
                assert!(
                    y_max <= height - assemble::STAMP_BAND + 0.5,
                    "{word} reaches into the stamp band: {tag}"
                );
                assert!(y_min >= -0.5, "{word} is cut off at the top: {tag}");
            } else {
                assert!(in_band, "only the stamp is drawn in the band: {tag}");
            }
        }
    }
    assert_eq!(
        content_words, 8,
        "both edge words on all four pages:\n{html}"
    );
}

#[test]
fn same_input_same_bytes() {
    let a = run(&request(1), eighteen()).expect("bundle").0;
    let b = run(&request(1), eighteen()).expect("bundle").0;
    assert!(a == b, "bundling is deterministic");
}

#[test]
fn reissue_incompleteness_and_legal_basis_are_stated() {
    let mut r = request(2);
    r.previous_version_note = Some("akt 2 udleveres nu delvist".into());
    r.incompleteness_accepted =
        Some("Jobcentrets fagsystem kunne ikke læses den 2. maj 2024".into());
    r.legal_basis = LegalBasis::Gdpr15;
    r.caseworker_name = None;
    let (pdf, summary) = run(&r, eighteen()).expect("bundle");
    let path = temp_file("reissue.pdf", &pdf);
    qpdf_check(&path);
    let Some(pages) = pages_text(&path) else {
        return;
    };
    let front: String = pages[..summary.front_matter_pages as usize].join(" ");
    let flat: String = front.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(flat.contains("Afgørelse om aktindsigt – version 2"));
    assert!(
        flat.contains("Det har vi ændret: akt 2 udleveres nu delvist."),
        "{flat}"
    );
    assert!(flat.contains("Aktindsigten er ikke fuldstændig"));
    assert!(flat.contains("Jobcentrets fagsystem kunne ikke læses den 2. maj 2024."));
    assert!(flat.contains("databeskyttelsesforordningens artikel 15"));
}

#[test]
fn bad_input_is_refused_with_a_clear_error() {
    // Out of order.
    let mut docs = eighteen();
    docs.swap(0, 1);
    assert!(matches!(
        run(&request(1), docs),
        Err(BundleError::Order { aktnummer: 1, .. })
    ));
    // Repeated.
    let docs = vec![
        doc("A", 1, Disclosure::Full, 1),
        doc("A", 1, Disclosure::Full, 1),
    ];
    assert!(matches!(
        run(&request(1), docs),
        Err(BundleError::Order { .. })
    ));
    // Withheld without a ground.
    let mut d = doc("A", 1, Disclosure::Withheld, 1);
    d.grounds.clear();
    assert!(matches!(
        run(&request(1), vec![d]),
        Err(BundleError::MissingGround { .. })
    ));
    // Withheld with content: it must never reach the bundle.
    let mut d = doc("A", 1, Disclosure::Withheld, 1);
    d.pdf = Some(synthetic_pdf("x", 1, 0));
    assert!(matches!(
        run(&request(1), vec![d]),
        Err(BundleError::Content { .. })
    ));
    // Disclosed without content.
    let mut d = doc("A", 1, Disclosure::Full, 1);
    d.pdf = None;
    assert!(matches!(
        run(&request(1), vec![d]),
        Err(BundleError::Content { .. })
    ));
    // Not a PDF; an encrypted one.
    let mut d = doc("A", 1, Disclosure::Full, 1);
    d.pdf = Some(b"%PDF-1.4 nothing else".to_vec());
    assert!(matches!(
        run(&request(1), vec![d]),
        Err(BundleError::Pdf { .. })
    ));
    let encrypted =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/extract/encrypted-user-password.pdf");
    if let Ok(bytes) = std::fs::read(encrypted) {
        let mut d = doc("A", 1, Disclosure::Full, 1);
        d.pdf = Some(bytes);
        match run(&request(1), vec![d]) {
            Err(BundleError::Pdf { detail, .. }) => {
                assert!(detail.contains("encrypted"), "{detail}")
            }
            other => panic!("expected an encryption error, got {:?}", other.map(|s| s.1)),
        }
    }
    // The caller's source failing.
    let items = vec![
        Ok(doc("A", 1, Disclosure::Full, 1)),
        Err(std::io::Error::other("blob missing")),
    ];
    let err = bundle(&request(1), items, Vec::new()).expect_err("source error");
    assert!(matches!(err, BundleError::Source { index: 1, .. }), "{err}");
    // The request.
    let mut r = request(1);
    r.recipient_name = " ".into();
    assert!(matches!(
        run(&r, eighteen()),
        Err(BundleError::EmptyField { .. })
    ));
    assert!(matches!(
        run(&request(0), eighteen()),
        Err(BundleError::BadVersion)
    ));
}

/// A `w`×`h` PNG (8-bit, colour type `colour`) with one colour; CRCs are left zero, which the
/// bundle does not check.
fn png(w: u32, h: u32, colour: u8) -> Vec<u8> {
    use std::io::Write as _;
    let channels = if colour == 2 { 3 } else { 4 };
    let mut row = vec![0u8];
    for _ in 0..w {
        row.extend_from_slice(&[0u8, 90, 160, 255][..channels]);
    }
    let raw = row.repeat(h as usize);
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    z.write_all(&raw).expect("zlib");
    let idat = z.finish().expect("zlib");
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&w.to_be_bytes());
    ihdr.extend_from_slice(&h.to_be_bytes());
    ihdr.extend_from_slice(&[8, colour, 0, 0, 0]);
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    for (kind, body) in [(&b"IHDR"[..], ihdr), (b"IDAT", idat), (b"IEND", Vec::new())] {
        out.extend_from_slice(&(body.len() as u32).to_be_bytes());
        out.extend_from_slice(kind);
        out.extend_from_slice(&body);
        out.extend_from_slice(&[0; 4]);
    }
    out
}

#[test]
fn logo_is_embedded_and_transparency_refused() {
    let mut r = request(1);
    r.municipality.logo_png = Some(png(120, 40, 2));
    let (pdf, _) = run(&r, eighteen()).expect("bundle with logo");
    qpdf_check(&temp_file("logo.pdf", &pdf));
    let read = Document::load_mem(&pdf).expect("lopdf");
    let images = read
        .objects
        .values()
        .filter(|o| matches!(o, Object::Stream(s) if s.dict.get(b"Subtype").and_then(Object::as_name).ok() == Some(&b"Image"[..])))
        .count();
    assert_eq!(images, 1, "the logo is one image XObject");
    r.municipality.logo_png = Some(png(10, 10, 6));
    assert!(matches!(run(&r, eighteen()), Err(BundleError::Logo(_))));
}

#[test]
fn large_synthetic_case_bundles_with_every_page_stamped() {
    let docs = case(120, 600);
    let (pdf, summary) = run(&request(1), docs).expect("bundle");
    assert_eq!(summary.documents.len(), 120);
    let disclosed: u32 = summary.documents.iter().map(|d| d.pages).sum();
    assert_eq!(disclosed, summary.document_pages);
    let path = temp_file("large.pdf", &pdf);
    qpdf_check(&path);
    let Some(pages) = pages_text(&path) else {
        return;
    };
    let front = summary.front_matter_pages as usize;
    assert!(front >= 4, "a 120-row list spans pages");
    for listed in &summary.documents {
        if let Some(first) = listed.first_page {
            let stamp = format!("Sag {} · Akt {}", listed.sagsnummer, listed.aktnummer);
            assert!(
                pages[front + first as usize - 1].contains(&stamp),
                "{stamp} at {first}"
            );
        }
    }
}

#[test]
fn a_rendered_document_keeps_its_embedded_unicode_font_in_the_bundle() {
    let meta = crate::render::DocumentMeta {
        title: "Journalnotat".into(),
        system: "ESDH".into(),
        case_number: "27.24.00-G01-1-24".into(),
        aktnummer: Some(1),
        date: NaiveDate::from_ymd_opt(2024, 3, 1),
        kind: "Journalnotat".into(),
    };
    let rendered =
        crate::render::render_text(&meta, "Samtale med Łukasz Wójcik og Şahin Øzdemir.", false)
            .expect("render");
    let mut d = doc("27.24.00-G01-1-24", 1, Disclosure::Full, 1);
    d.pdf = Some(rendered.bytes);
    let (pdf, summary) = run(&request(1), vec![d]).expect("bundle");
    let path = temp_file("rendered.pdf", &pdf);
    qpdf_check(&path);
    let Some(pages) = pages_text(&path) else {
        return;
    };
    let body = &pages[summary.front_matter_pages as usize];
    assert!(
        body.contains("Łukasz Wójcik") && body.contains("Şahin Øzdemir"),
        "{body}"
    );
}
