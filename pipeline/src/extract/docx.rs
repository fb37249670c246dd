//! Word (.docx): the ZIP package's `word/document.xml` read with quick-xml — `w:p` paragraphs
//! become lines, `w:t` is text, `w:tab` a tab, `w:br`/`w:cr` a line break; field codes and
//! deleted text (tracked changes) are not shown text and are skipped. Headers, footers, foot-
//! and endnotes follow the body after a blank line, so their names and numbers are screened too.

use std::io::{Cursor, Read};

use quick_xml::Reader;
use quick_xml::events::Event;

use super::{
    ExtractError, ExtractOptions, Extracted, Format, Limit, Metadata, Result, single_page,
};

/// The main part.
const DOCUMENT: &str = "word/document.xml";
/// Most package members read besides the main part.
const MAX_EXTRA_PARTS: usize = 32;

/// The text of a .docx as one logical page.
pub(super) fn extract(bytes: &[u8], options: &ExtractOptions) -> Result<Extracted> {
    if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        // An OLE compound file: what Office makes of a password-protected .docx.
        let marker: Vec<u8> = "EncryptionInfo".bytes().flat_map(|b| [b, 0]).collect();
        if bytes.windows(marker.len()).any(|w| w == marker.as_slice()) {
            return Err(ExtractError::Encrypted);
        }
        return Err(malformed(
            "an OLE compound file (legacy .doc?), not a .docx package",
        ));
    }
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| malformed(e.to_string()))?;
    let main = read_member(&mut zip, DOCUMENT, options)?;
    let mut text = paragraphs(&main)?;

    let mut extra: Vec<String> = zip
        .file_names()
        .filter(|n| {
            let n = n.to_ascii_lowercase();
            n.starts_with("word/")
                && n.ends_with(".xml")
                && [
                    "word/header",
                    "word/footer",
                    "word/footnotes",
                    "word/endnotes",
                ]
                .iter()
                .any(|p| n.starts_with(p))
        })
        .map(str::to_string)
        .collect();
    extra.sort();
    extra.truncate(MAX_EXTRA_PARTS);
    for name in extra {
        let xml = read_member(&mut zip, &name, options)?;
        let part = paragraphs(&xml)?;
        if !part.trim().is_empty() {
            text.push_str("\n\n");
            text.push_str(part.trim_end());
        }
    }
    Ok(single_page(Format::Docx, text, Metadata::default()))
}

fn malformed(detail: impl Into<String>) -> ExtractError {
    ExtractError::Malformed {
        format: Format::Docx,
        detail: detail.into(),
    }
}

/// One package member as text, bounded by [`ExtractOptions::max_decompressed_bytes`].
fn read_member(
    zip: &mut zip::ZipArchive<Cursor<&[u8]>>,
    name: &str,
    options: &ExtractOptions,
) -> Result<String> {
    let too_large = ExtractError::TooLarge {
        limit: Limit::Decompressed,
        limit_value: options.max_decompressed_bytes,
    };
    let mut file = zip.by_name(name).map_err(|e| match e {
        zip::result::ZipError::UnsupportedArchive(m) if m.contains("ncrypt") => {
            ExtractError::Encrypted
        }
        e => malformed(format!("{name}: {e}")),
    })?;
    if file.encrypted() {
        return Err(ExtractError::Encrypted);
    }
    if file.size() > options.max_decompressed_bytes as u64 {
        return Err(too_large);
    }
    let mut data = Vec::with_capacity(file.size().min(1 << 24) as usize);
    file.by_ref()
        .take(options.max_decompressed_bytes as u64 + 1)
        .read_to_end(&mut data)
        .map_err(|e| malformed(format!("{name}: {e}")))?;
    if data.len() > options.max_decompressed_bytes {
        return Err(too_large);
    }
    Ok(String::from_utf8_lossy(&data).into_owned())
}

/// The paragraphs of a WordprocessingML part, one per line.
fn paragraphs(xml: &str) -> Result<String> {
    let mut reader = Reader::from_str(xml);
    let mut out = String::with_capacity(xml.len() / 4);
    // Inside `w:t`; inside skipped content (`w:instrText`, `w:delText`).
    let mut in_text = false;
    let mut skipping = 0usize;
    loop {
        let event = reader
            .read_event()
            .map_err(|e| malformed(format!("XML at byte {}: {e}", reader.buffer_position())))?;
        match event {
            Event::Start(e) => match e.local_name().as_ref() {
                "t" => in_text = true,
                "instrText" | "delText" => skipping += 1,
                "tab" => out.push('\t'),
                "br" | "cr" => out.push('\n'),
                _ => {}
            },
            Event::Empty(e) => match e.local_name().as_ref() {
                "tab" => out.push('\t'),
                "br" | "cr" | "p" => out.push('\n'),
                "noBreakHyphen" => out.push('-'),
                _ => {}
            },
            Event::End(e) => match e.local_name().as_ref() {
                "t" => in_text = false,
                "instrText" | "delText" => skipping = skipping.saturating_sub(1),
                "p" => out.push('\n'),
                _ => {}
            },
            Event::Text(t) if in_text && skipping == 0 => out.push_str(&t),
            Event::CData(t) if in_text && skipping == 0 => {
                out.push_str(&t);
            }
            Event::GeneralRef(r) if in_text && skipping == 0 => {
                let ch = match r.resolve_char_ref() {
                    Ok(Some(c)) => Some(c),
                    _ => match &*r {
                        "amp" => Some('&'),
                        "lt" => Some('<'),
                        "gt" => Some('>'),
                        "quot" => Some('"'),
                        "apos" => Some('\''),
                        _ => None,
                    },
                };
                if let Some(c) = ch {
                    out.push(c);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    while out.ends_with('\n') {
        out.pop();
    }
    Ok(out)
}
