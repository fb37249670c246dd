//! Rendering a document: compose its text (with ground truth), then write the bytes in the
//! document's format: PDF with a text layer, plain text, e-mail, Word, or an image-only scan.

use std::io::{Cursor, Write};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use chrono::NaiveTime;
use lopdf::{Dictionary, Document, Object, Stream, dictionary};

use super::compose::{Composed, compose};
use super::model::{Format, Municipality, Rendered, SimDocument};
use super::prng::Rng;
use super::scan;

/// Random stream of the renderer (per document).
const S_RENDER: u64 = 10;

/// A4 in points.
pub(crate) const A4: (f32, f32) = (595.28, 841.89);

/// Renders `doc` of `m`: its text, the personal data in it, and its bytes in `doc.format`.
///
/// Deterministic: the same municipality and document give the same bytes. A document that is not
/// part of `m` renders as its title only, with no personal data.
pub fn render(m: &Municipality, doc: &SimDocument) -> Rendered {
    let rng = Rng::stream(m.params.seed, S_RENDER, doc.id as u64);
    let composed = match m.cases.get(doc.case) {
        Some(case) if !m.citizens.is_empty() => compose(m, case, doc, rng),
        _ => Composed {
            text: doc.title.clone(),
            spans: Vec::new(),
            decoys: Vec::new(),
            mail: None,
            title_line: None,
        },
    };
    let bytes = match doc.format {
        Format::Pdf => text_pdf(&composed),
        Format::Text => composed.text.as_bytes().to_vec(),
        Format::Eml => eml(m.params.seed, doc, &composed),
        Format::Docx => docx(&composed),
        Format::Scan => scan::scan_pdf(&composed.text),
    };
    Rendered {
        mime_type: doc.format.mime_type(),
        bytes,
        text: composed.text,
        spans: composed.spans,
        decoys: composed.decoys,
    }
}

/// Helvetica advance widths (1/1000 em) for the characters the generator writes.
fn helvetica_width(ch: char) -> u32 {
    match ch {
        ' ' | '.' | ',' | ':' | ';' | '/' | 'f' | 't' | 'I' | '!' => 278,
        'i' | 'j' | 'l' | '\'' => 222,
        '(' | ')' | '-' | 'r' | '[' | ']' => 333,
        'c' | 'k' | 's' | 'v' | 'x' | 'y' | 'z' | 'J' => 500,
        'm' | 'M' => 833,
        'w' | 'C' | 'D' | 'H' | 'N' | 'R' | 'U' => 722,
        'A' | 'B' | 'E' | 'K' | 'P' | 'S' | 'V' | 'X' | 'Y' | 'Å' => 667,
        'F' | 'T' | 'Z' | 'ø' => 611,
        'G' | 'O' | 'Q' | 'Ø' => 778,
        'W' => 944,
        'æ' => 889,
        'Æ' => 1000,
        '@' => 1015,
        _ => 556,
    }
}

/// Splits `text` into lines no wider than `max` by `width` (breaking at spaces where it can).
pub(crate) fn wrap(text: &str, max: u32, width: impl Fn(char) -> u32) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut offset = 0;
    for line in text.split('\n') {
        let mut rest = line;
        let mut line_offset = offset;
        loop {
            let mut w = 0;
            let mut cut = rest.len();
            let mut last_space = None;
            for (i, ch) in rest.char_indices() {
                w += width(ch);
                if ch == ' ' {
                    last_space = Some(i);
                }
                if w > max {
                    cut = match last_space {
                        Some(s) if s > 0 => s,
                        _ => i.max(ch.len_utf8()),
                    };
                    break;
                }
            }
            out.push((line_offset, rest[..cut].to_string()));
            if cut >= rest.len() {
                break;
            }
            let skip = usize::from(rest[cut..].starts_with(' '));
            line_offset += cut + skip;
            rest = &rest[cut + skip..];
        }
        offset += line.len() + 1;
    }
    out
}

/// Encodes to WinAnsiEncoding (CP1252); characters outside it become `?`.
pub(crate) fn win_ansi(s: &str) -> Vec<u8> {
    s.chars()
        .map(|c| match c {
            ' '..='~' => c as u8,
            '\u{A0}'..='\u{FF}' => c as u32 as u8,
            '€' => 0x80,
            '’' => 0x92,
            '“' => 0x93,
            '”' => 0x94,
            '•' => 0x95,
            '–' => 0x96,
            '—' => 0x97,
            _ => b'?',
        })
        .collect()
}

/// Appends `bytes` as a PDF literal string, escaped (octal for bytes outside ASCII).
fn pdf_literal(out: &mut Vec<u8>, bytes: &[u8]) {
    out.push(b'(');
    for &b in bytes {
        match b {
            b'(' | b')' | b'\\' => {
                out.push(b'\\');
                out.push(b);
            }
            0x20..=0x7E => out.push(b),
            _ => out.extend_from_slice(format!("\\{b:03o}").as_bytes()),
        }
    }
    out.push(b')');
}

/// Saves a document to bytes.
pub(crate) fn save(mut doc: Document) -> Vec<u8> {
    let mut out = Vec::new();
    // Writing into a Vec performs no I/O that can fail.
    if doc.save_to(&mut out).is_err() {
        out.clear();
    }
    out
}

/// Adds the page tree and catalog for `pages` (each a content stream and its resources).
pub(crate) fn finish_pdf(doc: &mut Document, pages: Vec<(Vec<u8>, Dictionary)>) {
    let pages_id = doc.new_object_id();
    let mut kids = Vec::with_capacity(pages.len());
    for (content, resources) in pages {
        let mut stream = Stream::new(Dictionary::new(), content);
        // Compression only fails on I/O into memory; an uncompressed stream is still valid.
        let _ = stream.compress();
        let content_id = doc.add_object(stream);
        let page = dictionary! {
            "Type" => "Page",
            "Parent" => pages_id,
            "MediaBox" => vec![0.into(), 0.into(), A4.0.into(), A4.1.into()],
            "Contents" => content_id,
            "Resources" => resources,
        };
        kids.push(Object::Reference(doc.add_object(page)));
    }
    let count = kids.len() as i64;
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! { "Type" => "Pages", "Kids" => kids, "Count" => count }),
    );
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog);
}

/// A PDF with a Helvetica text layer, one positioned `Tj` per line.
fn text_pdf(c: &Composed) -> Vec<u8> {
    const SIZE: f32 = 10.5;
    const LEADING: f32 = 14.0;
    const LEFT: f32 = 62.0;
    const TOP: f32 = 780.0;
    const BOTTOM: f32 = 60.0;
    let max = ((A4.0 - 2.0 * LEFT) / SIZE * 1000.0) as u32;
    let lines = wrap(&c.text, max, helvetica_width);
    let per_page = ((TOP - BOTTOM) / LEADING) as usize + 1;

    let mut doc = Document::with_version("1.5");
    let regular = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica", "Encoding" => "WinAnsiEncoding",
    });
    let bold = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica-Bold", "Encoding" => "WinAnsiEncoding",
    });
    let mut pages = Vec::new();
    for chunk in lines.chunks(per_page.max(1)) {
        let mut content = Vec::with_capacity(4096);
        content.extend_from_slice(b"BT\n");
        for (k, (offset, line)) in chunk.iter().enumerate() {
            if line.is_empty() {
                continue;
            }
            let is_title = c
                .title_line
                .is_some_and(|(s, e)| *offset >= s && *offset < e);
            let font = if is_title { "F2" } else { "F1" };
            let y = TOP - k as f32 * LEADING;
            content.extend_from_slice(
                format!("/{font} {SIZE} Tf 1 0 0 1 {LEFT} {y:.2} Tm ").as_bytes(),
            );
            pdf_literal(&mut content, &win_ansi(line));
            content.extend_from_slice(b" Tj\n");
        }
        content.extend_from_slice(b"ET\n");
        let resources = dictionary! { "Font" => dictionary! { "F1" => regular, "F2" => bold } };
        pages.push((content, resources));
    }
    if pages.is_empty() {
        pages.push((b"BT ET".to_vec(), Dictionary::new()));
    }
    finish_pdf(&mut doc, pages);
    save(doc)
}

/// RFC 2047 encoded-word for a header value when it is not plain ASCII.
fn header_word(s: &str) -> String {
    if s.is_ascii() {
        s.to_string()
    } else {
        format!("=?utf-8?B?{}?=", B64.encode(s))
    }
}

/// Body lines with CRLF; lines over 900 bytes are broken at a space (RFC 5322 allows 998).
fn crlf_body(body: &str) -> String {
    let mut out = String::with_capacity(body.len() + body.len() / 40);
    for (_, line) in wrap(body, 900, |c| c.len_utf8() as u32) {
        out.push_str(&line);
        out.push_str("\r\n");
    }
    out
}

/// An RFC 5322 message; sometimes multipart with a small text attachment.
fn eml(seed: u64, doc: &SimDocument, c: &Composed) -> Vec<u8> {
    let (from, to, body_start) = match &c.mail {
        Some(m) => (m.from.clone(), m.to.clone(), m.body_start),
        None => (
            ("Sagshub Kommune".into(), "post@sagshub-kommune.dk".into()),
            ("Sagshub Kommune".into(), "post@sagshub-kommune.dk".into()),
            0,
        ),
    };
    let mut rng = Rng::stream(seed, S_RENDER + 1, doc.id as u64);
    let time = NaiveTime::from_hms_opt(
        8 + rng.below(9) as u32,
        rng.below(60) as u32,
        rng.below(60) as u32,
    )
    .unwrap_or_default();
    let date = doc
        .letter_date
        .and_time(time)
        .format("%a, %d %b %Y %H:%M:%S +0100");
    let mut out = String::with_capacity(c.text.len() + 1024);
    out.push_str(&format!("From: {} <{}>\r\n", header_word(&from.0), from.1));
    out.push_str(&format!("To: {} <{}>\r\n", header_word(&to.0), to.1));
    out.push_str(&format!("Subject: {}\r\n", header_word(&doc.title)));
    out.push_str(&format!("Date: {date}\r\n"));
    out.push_str(&format!(
        "Message-ID: <{}@sagshub-kommune.dk>\r\n",
        doc.uuid
    ));
    out.push_str("MIME-Version: 1.0\r\n");
    let body = crlf_body(c.text.get(body_start..).unwrap_or(&c.text));
    if rng.chance(0.3) {
        let boundary = format!("=_sagshub_{}", doc.uuid.simple());
        out.push_str(&format!(
            "Content-Type: multipart/mixed; boundary=\"{boundary}\"\r\n\r\n"
        ));
        out.push_str("This is a multi-part message in MIME format.\r\n\r\n");
        out.push_str(&format!("--{boundary}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"));
        out.push_str(&body);
        let attachment = format!(
            "Bilag til: {}\r\nAktnummer: {}\r\nOversigt over fremsendte oplysninger vedlagt.\r\n",
            doc.title, doc.aktnummer
        );
        let encoded = B64.encode(attachment.as_bytes());
        out.push_str(&format!(
            "\r\n--{boundary}\r\nContent-Type: text/plain; charset=utf-8; name=\"bilag.txt\"\r\nContent-Disposition: attachment; filename=\"bilag.txt\"\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        ));
        for chunk in encoded.as_bytes().chunks(76) {
            out.push_str(&String::from_utf8_lossy(chunk));
            out.push_str("\r\n");
        }
        out.push_str(&format!("--{boundary}--\r\n"));
    } else {
        out.push_str(
            "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n",
        );
        out.push_str(&body);
    }
    out.into_bytes()
}

/// XML-escapes text content.
fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            _ => out.push(ch),
        }
    }
    out
}

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>"#;

const ROOT_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>"#;

const DOCUMENT_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"></Relationships>"#;

/// The `word/document.xml` of `c`: one paragraph per line, the title bold.
pub(crate) fn document_xml(c: &Composed) -> String {
    let mut xml = String::with_capacity(c.text.len() * 2 + 512);
    xml.push_str(r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#);
    xml.push_str("\n<w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body>");
    let mut offset = 0;
    for line in c.text.split('\n') {
        let is_title = c.title_line.is_some_and(|(s, _)| s == offset);
        offset += line.len() + 1;
        if line.is_empty() {
            xml.push_str("<w:p/>");
            continue;
        }
        xml.push_str("<w:p><w:r>");
        if is_title {
            xml.push_str("<w:rPr><w:b/></w:rPr>");
        }
        xml.push_str("<w:t xml:space=\"preserve\">");
        xml.push_str(&xml_escape(line));
        xml.push_str("</w:t></w:r></w:p>");
    }
    xml.push_str(r#"<w:sectPr><w:pgSz w:w="11906" w:h="16838"/><w:pgMar w:top="1440" w:right="1440" w:bottom="1440" w:left="1440" w:header="708" w:footer="708" w:gutter="0"/></w:sectPr></w:body></w:document>"#);
    xml
}

/// A minimal WordprocessingML package.
fn docx(c: &Composed) -> Vec<u8> {
    let parts: [(&str, String); 4] = [
        ("[Content_Types].xml", CONTENT_TYPES.to_string()),
        ("_rels/.rels", ROOT_RELS.to_string()),
        ("word/document.xml", document_xml(c)),
        ("word/_rels/document.xml.rels", DOCUMENT_RELS.to_string()),
    ];
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(zip::DateTime::default());
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let mut write = || -> zip::result::ZipResult<()> {
        for (name, content) in &parts {
            zip.start_file(*name, options)?;
            zip.write_all(content.as_bytes())?;
        }
        Ok(())
    };
    // Only in-memory I/O happens here; on the impossible failure an empty file is served.
    if write().is_err() {
        return Vec::new();
    }
    zip.finish().map(Cursor::into_inner).unwrap_or_default()
}
