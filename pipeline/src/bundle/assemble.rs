//! [`bundle`]: import the documents as they come, then write the front matter, the pages, the
//! page tree, the outline, the page labels and the catalog.

use std::cmp::Ordering;
use std::io::Write;

use lopdf::{Dictionary, Object, ObjectId, Stream, text_string};

use super::front::{self, Counts, FrontMatter};
use super::import::{self, ImportError, ImportedPage, multiply};
use super::outline::write_outline;
use super::text::{Content, Face};
use super::writer::PdfOut;
use super::{
    BundleDocument, BundleError, BundleRequest, BundleSummary, Entry, ListedDocument, Result,
    check_request, logo,
};
use crate::screen::Disclosure;

/// Height of the stamp band at the bottom of every document page.
pub(crate) const STAMP_BAND: f32 = 24.0;

/// Writes the bundle for `request` to `out`.
///
/// `documents` must come in case order ([`BundleDocument::case_order`]); each is imported and
/// its PDF dropped before the next is read, so a caller that loads PDFs lazily inside the
/// iterator keeps memory to one document. Withheld documents carry no PDF; all others must.
/// Nothing is written for a request that fails its checks; for an error after that, `out`
/// holds an incomplete file that the caller must discard.
pub fn bundle<I, E, W>(request: &BundleRequest, documents: I, out: W) -> Result<BundleSummary>
where
    I: IntoIterator<Item = std::result::Result<BundleDocument, E>>,
    E: Into<Box<dyn std::error::Error + Send + Sync>>,
    W: Write,
{
    check_request(request)?;
    let logo = match &request.municipality.logo_png {
        Some(png) => Some(logo::image(png).map_err(BundleError::Logo)?),
        None => None,
    };
    let mut pdf = PdfOut::new(out)?;
    let pages_root = pdf.alloc();
    let fonts = Fonts {
        regular: pdf.alloc(),
        bold: pdf.alloc(),
    };

    let mut entries: Vec<Entry> = Vec::new();
    let mut body: Vec<(usize, ImportedPage)> = Vec::new();
    let mut document_pages = 0u32;
    for (index, item) in documents.into_iter().enumerate() {
        let mut doc = item.map_err(|e| BundleError::Source {
            index,
            source: e.into(),
        })?;
        check_document(entries.last().map(|e| &e.doc), &doc)?;
        let content = doc.pdf.take();
        let (first_page, pages) = match (doc.disclosure, content) {
            (Disclosure::Withheld, None) => (None, 0),
            (Disclosure::Withheld, Some(_)) => {
                return Err(content_error(&doc, "is withheld but a PDF was passed"));
            }
            (_, None) => return Err(content_error(&doc, "is disclosed but has no PDF")),
            (_, Some(bytes)) => {
                let imported = import::import(&mut pdf, &bytes).map_err(|e| match e {
                    ImportError::Io(detail) => BundleError::Io(std::io::Error::other(detail)),
                    other => BundleError::Pdf {
                        sagsnummer: doc.sagsnummer.clone(),
                        aktnummer: doc.aktnummer,
                        detail: describe(other),
                    },
                })?;
                drop(bytes);
                let first = document_pages + 1;
                let n = imported.len() as u32;
                document_pages += n;
                body.extend(imported.into_iter().map(|page| (entries.len(), page)));
                (Some(first), n)
            }
        };
        entries.push(Entry {
            doc,
            first_page,
            pages,
        });
    }

    let counts = counts(&entries, document_pages);
    let front = front::layout(request, &entries, &counts, logo.as_ref().map(|(_, a)| *a));
    let front_ids = write_front(&mut pdf, &front, pages_root, &fonts, logo.map(|(s, _)| s))?;
    let body_ids = write_body(
        &mut pdf,
        request,
        &entries,
        &body,
        pages_root,
        &fonts,
        document_pages,
    )?;

    let kids: Vec<Object> = front_ids
        .iter()
        .chain(&body_ids)
        .map(|&id| Object::Reference(id))
        .collect();
    let total_pages = kids.len() as u32;
    let mut root = Dictionary::new();
    root.set("Type", Object::Name(b"Pages".to_vec()));
    root.set("Count", i64::from(total_pages));
    root.set("Kids", Object::Array(kids));
    pdf.write(pages_root, &Object::Dictionary(root))?;
    for (id, face) in [(fonts.regular, Face::Regular), (fonts.bold, Face::Bold)] {
        pdf.write(id, &font_dict(face))?;
    }

    let (outline, bookmarks) = write_outline(&mut pdf, &entries, &front, &front_ids, &body_ids)?;
    let catalog = catalog(pages_root, outline, front_ids.len(), document_pages);
    let catalog_id = pdf.add(&Object::Dictionary(catalog))?;
    let info_id = pdf.add(&Object::Dictionary(info(request)))?;
    let file_id = *uuid::Uuid::new_v5(
        &uuid::Uuid::NAMESPACE_OID,
        format!(
            "sagshub-bundle:{}:{}",
            request.request_reference, request.version
        )
        .as_bytes(),
    )
    .as_bytes();
    let bytes = pdf.finish(catalog_id, info_id, file_id)?;

    Ok(BundleSummary {
        pages: total_pages,
        front_matter_pages: front_ids.len() as u32,
        document_pages,
        bytes,
        cases: counts.cases,
        full: counts.full,
        partial: counts.partial,
        withheld: counts.withheld,
        bookmarks,
        documents: entries
            .into_iter()
            .map(|e| ListedDocument {
                sagsnummer: e.doc.sagsnummer,
                aktnummer: e.doc.aktnummer,
                disclosure: e.doc.disclosure,
                first_page: e.first_page,
                pages: e.pages,
            })
            .collect(),
    })
}

/// The two front-matter fonts.
struct Fonts {
    regular: ObjectId,
    bold: ObjectId,
}

fn font_dict(face: Face) -> Object {
    let mut font = Dictionary::new();
    font.set("Type", Object::Name(b"Font".to_vec()));
    font.set("Subtype", Object::Name(b"Type1".to_vec()));
    font.set(
        "BaseFont",
        Object::Name(face.base_font().as_bytes().to_vec()),
    );
    font.set("Encoding", Object::Name(b"WinAnsiEncoding".to_vec()));
    Object::Dictionary(font)
}

fn check_document(previous: Option<&BundleDocument>, doc: &BundleDocument) -> Result<()> {
    if let Some(prev) = previous
        && prev.case_order(doc) != Ordering::Less
    {
        return Err(BundleError::Order {
            sagsnummer: doc.sagsnummer.clone(),
            aktnummer: doc.aktnummer,
            previous_sagsnummer: prev.sagsnummer.clone(),
            previous_aktnummer: prev.aktnummer,
        });
    }
    if doc.disclosure != Disclosure::Full && doc.grounds.is_empty() {
        return Err(BundleError::MissingGround {
            sagsnummer: doc.sagsnummer.clone(),
            aktnummer: doc.aktnummer,
        });
    }
    Ok(())
}

fn content_error(doc: &BundleDocument, problem: &'static str) -> BundleError {
    BundleError::Content {
        sagsnummer: doc.sagsnummer.clone(),
        aktnummer: doc.aktnummer,
        problem,
    }
}

fn describe(e: ImportError) -> String {
    match e {
        ImportError::Malformed(detail) => format!("malformed: {detail}"),
        ImportError::Encrypted => "it is encrypted".into(),
        ImportError::NoPages => "it has no pages".into(),
        ImportError::Io(detail) => detail,
    }
}

fn counts(entries: &[Entry], document_pages: u32) -> Counts {
    let by = |d: Disclosure| entries.iter().filter(|e| e.doc.disclosure == d).count();
    let mut cases = 0;
    for (i, e) in entries.iter().enumerate() {
        if i == 0 || entries[i - 1].doc.sagsnummer != e.doc.sagsnummer {
            cases += 1;
        }
    }
    Counts {
        full: by(Disclosure::Full),
        partial: by(Disclosure::Partial),
        withheld: by(Disclosure::Withheld),
        cases,
        document_pages,
    }
}

fn page_dict(
    parent: ObjectId,
    width: f32,
    height: f32,
    resources: Object,
    contents: ObjectId,
) -> Object {
    let mut page = Dictionary::new();
    page.set("Type", Object::Name(b"Page".to_vec()));
    page.set("Parent", Object::Reference(parent));
    page.set(
        "MediaBox",
        Object::Array(vec![
            0.into(),
            0.into(),
            Object::Real(width),
            Object::Real(height),
        ]),
    );
    page.set("Resources", resources);
    page.set("Contents", Object::Reference(contents));
    Object::Dictionary(page)
}

fn write_front<W: Write>(
    pdf: &mut PdfOut<W>,
    front: &FrontMatter,
    parent: ObjectId,
    fonts: &Fonts,
    logo: Option<Stream>,
) -> Result<Vec<ObjectId>> {
    let mut font = Dictionary::new();
    font.set("F1", Object::Reference(fonts.regular));
    font.set("F2", Object::Reference(fonts.bold));
    let mut resources = Dictionary::new();
    resources.set("Font", Object::Dictionary(font));
    if let Some(image) = logo {
        let id = pdf.alloc();
        pdf.write_stream(id, image)?;
        let mut xobjects = Dictionary::new();
        xobjects.set("Logo", Object::Reference(id));
        resources.set("XObject", Object::Dictionary(xobjects));
    }
    let resources = pdf.add(&Object::Dictionary(resources))?;
    let mut ids = Vec::with_capacity(front.pages.len());
    for content in &front.pages {
        let mut stream = Stream::new(Dictionary::new(), content.bytes.clone());
        // Compression is an optimisation; an uncompressed stream is as valid.
        let _ = stream.compress();
        let content_id = pdf.alloc();
        pdf.write_stream(content_id, stream)?;
        let page = page_dict(
            parent,
            super::layout::A4.0,
            super::layout::A4.1,
            Object::Reference(resources),
            content_id,
        );
        ids.push(pdf.add(&page)?);
    }
    Ok(ids)
}

fn write_body<W: Write>(
    pdf: &mut PdfOut<W>,
    request: &BundleRequest,
    entries: &[Entry],
    body: &[(usize, ImportedPage)],
    parent: ObjectId,
    fonts: &Fonts,
    total: u32,
) -> Result<Vec<ObjectId>> {
    let mut ids = Vec::with_capacity(body.len());
    for (n, (entry, page)) in body.iter().enumerate() {
        let doc = &entries[*entry].doc;
        let stamp = Stamp {
            sagsnummer: &doc.sagsnummer,
            aktnummer: doc.aktnummer,
            reference: &request.request_reference,
            page: n as u32 + 1,
            total,
        };
        let content_id = pdf.alloc();
        pdf.write_stream(
            content_id,
            Stream::new(Dictionary::new(), page_content(page, &stamp)),
        )?;
        let mut xobjects = Dictionary::new();
        xobjects.set("P", Object::Reference(page.xobject));
        let mut font = Dictionary::new();
        font.set("F1", Object::Reference(fonts.regular));
        let mut resources = Dictionary::new();
        resources.set("XObject", Object::Dictionary(xobjects));
        resources.set("Font", Object::Dictionary(font));
        let dict = page_dict(
            parent,
            page.width,
            page.height,
            Object::Dictionary(resources),
            content_id,
        );
        ids.push(pdf.add(&dict)?);
    }
    Ok(ids)
}

/// What the stamp on one document page says.
struct Stamp<'a> {
    sagsnummer: &'a str,
    aktnummer: u32,
    reference: &'a str,
    page: u32,
    total: u32,
}

/// The source page scaled into the area above the stamp band, then the stamp.
fn page_content(page: &ImportedPage, stamp: &Stamp) -> Vec<u8> {
    let (w, h) = (page.width, page.height);
    let scale = ((h - STAMP_BAND) / h).max(0.1);
    let shift_x = (w - w * scale) / 2.0;
    let fit = [scale, 0.0, 0.0, scale, shift_x, STAMP_BAND];
    let m = multiply(page.matrix, fit);
    let mut content = Content::default();
    content.raw(&format!(
        "q {:.5} {:.5} {:.5} {:.5} {:.3} {:.3} cm /P Do Q\n",
        m[0], m[1], m[2], m[3], m[4], m[5]
    ));
    let margin = 20.0_f32.min(w * 0.05);
    let size = 7.5;
    let baseline = 9.0;
    content.rule(margin, w - margin, STAMP_BAND - 4.0, 0.4, 0.6);
    content.fill_grey(0.25);
    let left = format!("Sag {} · Akt {}", stamp.sagsnummer, stamp.aktnummer);
    let right = format!("Side {} af {}", stamp.page, stamp.total);
    content.text(Face::Regular, size, margin, baseline, &left);
    content.text_right(Face::Regular, size, w - margin, baseline, &right);
    let middle = format!("Aktindsigt {}", stamp.reference);
    let free =
        w - 2.0 * margin - Face::Regular.width(&left, size) - Face::Regular.width(&right, size);
    if Face::Regular.width(&middle, size) + 24.0 < free {
        content.text_centred(Face::Regular, size, w / 2.0, baseline, &middle);
    }
    content.fill_grey(0.0);
    content.bytes
}

fn catalog(
    pages: ObjectId,
    outline: ObjectId,
    front_pages: usize,
    document_pages: u32,
) -> Dictionary {
    let mut roman = Dictionary::new();
    roman.set("S", Object::Name(b"r".to_vec()));
    let mut nums = vec![0.into(), Object::Dictionary(roman)];
    if document_pages > 0 {
        let mut decimal = Dictionary::new();
        decimal.set("S", Object::Name(b"D".to_vec()));
        decimal.set("St", 1);
        nums.push((front_pages as i64).into());
        nums.push(Object::Dictionary(decimal));
    }
    let mut labels = Dictionary::new();
    labels.set("Nums", Object::Array(nums));
    let mut prefs = Dictionary::new();
    prefs.set("DisplayDocTitle", true);
    let mut catalog = Dictionary::new();
    catalog.set("Type", Object::Name(b"Catalog".to_vec()));
    catalog.set("Pages", Object::Reference(pages));
    catalog.set("Outlines", Object::Reference(outline));
    catalog.set("PageMode", Object::Name(b"UseOutlines".to_vec()));
    catalog.set("PageLabels", Object::Dictionary(labels));
    catalog.set("Lang", Object::string_literal("da-DK"));
    catalog.set("ViewerPreferences", Object::Dictionary(prefs));
    catalog
}

fn info(request: &BundleRequest) -> Dictionary {
    let mut info = Dictionary::new();
    info.set(
        "Title",
        text_string(&format!("Aktindsigt {}", request.request_reference)),
    );
    info.set("Author", text_string(&request.municipality.name));
    info.set("Creator", Object::string_literal("sagshub"));
    info.set(
        "Producer",
        Object::string_literal("sagshub pipeline::bundle"),
    );
    // The decision date, not the clock: the same input gives the same file.
    let date = request.decided.format("D:%Y%m%d000000Z").to_string();
    info.set("CreationDate", Object::string_literal(date));
    info
}
