//! E-mail (RFC 5322 with MIME): the headers a reader sees (RFC 2047 encoded words decoded), the
//! body (text/plain preferred over text/html in `multipart/alternative`), quoted-printable and
//! base64 transfer encodings, and attachments: all listed in [`Metadata::attachments`], and those
//! that are themselves extractable (text, HTML, PDF, docx, e-mail) appended to the text after a
//! separator line. An attachment that cannot be read puts the message up for manual review.

use super::{
    Attachment, ExtractOptions, ExtractStatus, Extracted, Format, MAX_NESTING, Metadata, Result,
    ReviewNote, ReviewReason, decode_charset, extract_as, html, single_page,
    text::normalize_newlines,
};

/// Headers copied into the text and metadata, in this order.
const SHOWN: &[&str] = &["From", "To", "Cc", "Reply-To", "Date", "Subject"];
/// Most MIME parts read from one message.
const MAX_PARTS: usize = 200;

/// One MIME entity: headers and raw body.
struct Part<'a> {
    headers: Vec<(String, String)>,
    body: &'a [u8],
}

impl Part<'_> {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Content type (lower case) and its parameters.
    fn content_type(&self) -> (String, Vec<(String, String)>) {
        let raw = self.header("Content-Type").unwrap_or("text/plain");
        let (essence, params) = parse_params(raw);
        let essence = if essence.contains('/') {
            essence
        } else {
            "text/plain".into()
        };
        (essence, params)
    }

    /// The body with its transfer encoding undone.
    fn decoded(&self) -> Vec<u8> {
        match self
            .header("Content-Transfer-Encoding")
            .map(|s| s.trim().to_ascii_lowercase())
            .as_deref()
        {
            Some("base64") => base64(self.body),
            Some("quoted-printable") => quoted_printable(self.body),
            _ => self.body.to_vec(),
        }
    }

    /// Whether it is an attachment rather than the message body.
    fn is_attachment(&self) -> bool {
        let disposition = self.header("Content-Disposition").unwrap_or("");
        disposition
            .trim()
            .to_ascii_lowercase()
            .starts_with("attachment")
            || self.file_name().is_some()
    }

    fn file_name(&self) -> Option<String> {
        let (_, dp) = parse_params(self.header("Content-Disposition").unwrap_or(""));
        let (_, cp) = self.content_type();
        param(&dp, "filename").or_else(|| param(&cp, "name"))
    }
}

/// The text of an e-mail as one logical page.
pub(super) fn extract(bytes: &[u8], options: &ExtractOptions, depth: usize) -> Result<Extracted> {
    let root = parse_part(bytes);
    let mut metadata = Metadata::default();
    let mut text = String::new();
    for name in SHOWN {
        if let Some(value) = root.header(name) {
            let value = decode_words(value);
            text.push_str(&format!("{name}: {value}\n"));
            if *name == "Subject" {
                metadata.title = Some(value.clone());
            }
            metadata.headers.push(((*name).to_string(), value));
        }
    }
    text.push('\n');

    let mut leaves = Vec::new();
    collect_leaves(root, &mut leaves, 0);
    let mut body_done = false;
    let mut notes = Vec::new();
    let mut appendix = String::new();
    for part in &leaves {
        let (mime, params) = part.content_type();
        let charset = param(&params, "charset").map(|c| c.to_ascii_lowercase());
        let is_text = mime == "text/plain" || mime == "text/html";
        if is_text && !part.is_attachment() {
            if body_done && mime == "text/html" {
                // The HTML twin of a text/plain body already taken.
                continue;
            }
            let decoded = part.decoded();
            let body = if mime == "text/html" {
                html::extract(&decoded, charset.as_deref()).text
            } else {
                normalize_newlines(&decode_charset(&decoded, charset.as_deref()))
            };
            if body_done {
                appendix.push_str("\n\n");
                appendix.push_str(&body);
            } else {
                text.push_str(body.trim_end());
                body_done = true;
            }
            continue;
        }
        let data = part.decoded();
        let name = part.file_name();
        let label = name.clone().unwrap_or_else(|| mime.clone());
        let format = Format::from_mime(&mime)
            .or_else(|| name.as_deref().and_then(format_from_name))
            .or_else(|| Format::sniff(&data));
        let mut extracted = false;
        match format {
            Some(format) if depth < MAX_NESTING => {
                match extract_as(&data, format, charset.as_deref(), options, depth + 1) {
                    Ok(inner) => {
                        extracted = true;
                        appendix.push_str(&format!("\n\n--- Bilag: {label} ---\n"));
                        appendix.push_str(inner.text.trim_end());
                        if let ExtractStatus::NeedsManualReview(inner_notes) = inner.status {
                            for n in inner_notes {
                                notes.push(attachment_note(&label, format!("{:?}", n.reason)));
                            }
                        }
                    }
                    Err(e) => notes.push(attachment_note(&label, e.to_string())),
                }
            }
            _ => notes.push(attachment_note(
                &label,
                format!("no text extraction for {mime}"),
            )),
        }
        metadata.attachments.push(Attachment {
            name,
            mime_type: mime,
            size: data.len(),
            extracted,
        });
    }
    text.push_str(&appendix);
    let mut out = single_page(Format::Email, text, metadata);
    if !notes.is_empty() {
        out.status = ExtractStatus::NeedsManualReview(notes);
    }
    Ok(out)
}

fn attachment_note(name: &str, detail: String) -> ReviewNote {
    ReviewNote {
        page: None,
        reason: ReviewReason::AttachmentNotExtracted {
            name: name.to_string(),
            detail,
        },
    }
}

/// The format a file name's extension suggests.
fn format_from_name(name: &str) -> Option<Format> {
    let ext = name.rsplit('.').next()?.to_ascii_lowercase();
    Some(match ext.as_str() {
        "pdf" => Format::Pdf,
        "txt" | "csv" => Format::Text,
        "htm" | "html" => Format::Html,
        "eml" => Format::Email,
        "docx" => Format::Docx,
        _ => return None,
    })
}

/// Splits an entity into unfolded headers and body.
fn parse_part(bytes: &[u8]) -> Part<'_> {
    let (head, body) = match find(bytes, b"\r\n\r\n")
        .map(|i| (i, 4))
        .into_iter()
        .chain(find(bytes, b"\n\n").map(|i| (i, 2)))
        .min()
    {
        Some((i, sep)) => (&bytes[..i], &bytes[i + sep..]),
        None => (bytes, &bytes[bytes.len()..]),
    };
    let head = String::from_utf8_lossy(head);
    let mut headers: Vec<(String, String)> = Vec::new();
    for line in head.lines() {
        if line.starts_with([' ', '\t']) {
            if let Some((_, v)) = headers.last_mut() {
                v.push(' ');
                v.push_str(line.trim());
            }
        } else if let Some((k, v)) = line.split_once(':') {
            headers.push((k.trim().to_string(), v.trim().to_string()));
        }
    }
    Part { headers, body }
}

/// Flattens multiparts into their leaf parts (depth- and count-bounded).
fn collect_leaves<'a>(part: Part<'a>, out: &mut Vec<Part<'a>>, depth: usize) {
    let (mime, params) = part.content_type();
    let boundary = param(&params, "boundary");
    match boundary {
        Some(b) if mime.starts_with("multipart/") && depth < 8 => {
            for child in split_multipart(part.body, &b) {
                if out.len() >= MAX_PARTS {
                    return;
                }
                collect_leaves(parse_part(child), out, depth + 1);
            }
        }
        _ => out.push(part),
    }
}

/// The bodies between `--boundary` lines.
fn split_multipart<'a>(body: &'a [u8], boundary: &str) -> Vec<&'a [u8]> {
    let delim = format!("--{boundary}");
    let delim = delim.as_bytes();
    let mut parts = Vec::new();
    let mut start: Option<usize> = None;
    let mut pos = 0;
    while pos <= body.len() {
        let line_end = body[pos..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(body.len(), |i| pos + i);
        let line = &body[pos..line_end];
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.starts_with(delim) {
            if let Some(s) = start {
                // The line break before the delimiter belongs to it.
                let mut end = pos;
                if end > s && body[end - 1] == b'\n' {
                    end -= 1;
                }
                if end > s && body[end - 1] == b'\r' {
                    end -= 1;
                }
                parts.push(&body[s..end.max(s)]);
            }
            if line[delim.len()..].starts_with(b"--") {
                return parts;
            }
            start = Some((line_end + 1).min(body.len()));
        }
        pos = line_end + 1;
    }
    if let Some(s) = start {
        parts.push(&body[s..]);
    }
    parts
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// `type/subtype; k=v; k2="v 2"` → (`type/subtype` lower-cased, params with lower-case keys).
fn parse_params(raw: &str) -> (String, Vec<(String, String)>) {
    let mut pieces = split_unquoted(raw);
    let essence = pieces
        .first()
        .map(|s| s.trim().to_ascii_lowercase())
        .unwrap_or_default();
    let params = pieces
        .drain(..)
        .skip(1)
        .filter_map(|p| {
            let (k, v) = p.split_once('=')?;
            Some((
                k.trim().to_ascii_lowercase(),
                v.trim().trim_matches('"').to_string(),
            ))
        })
        .collect();
    (essence, params)
}

/// Splits at `;` outside quotes.
fn split_unquoted(s: &str) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut quoted = false;
    for ch in s.chars() {
        match ch {
            ';' if !quoted => out.push(String::new()),
            _ => {
                quoted ^= ch == '"';
                if let Some(p) = out.last_mut() {
                    p.push(ch);
                }
            }
        }
    }
    out
}

/// A parameter's value: plain, RFC 2231 (`name*=utf-8''%C3%A6`) or RFC 2047-encoded.
fn param(params: &[(String, String)], key: &str) -> Option<String> {
    if let Some((_, v)) = params.iter().find(|(k, _)| k == key) {
        return Some(decode_words(v));
    }
    let star = format!("{key}*");
    let (_, v) = params
        .iter()
        .find(|(k, _)| *k == star || *k == format!("{key}*0*"))?;
    let (charset, rest) = v.split_once('\'')?;
    let (_, encoded) = rest.split_once('\'')?;
    let bytes = percent_decode(encoded);
    Some(decode_charset(&bytes, Some(&charset.to_ascii_lowercase())))
}

fn percent_decode(s: &str) -> Vec<u8> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && let Some(v) = b.get(i + 1..i + 3).and_then(hex_pair)
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    out
}

fn hex_pair(p: &[u8]) -> Option<u8> {
    if p.len() != 2 || !p.iter().all(u8::is_ascii_hexdigit) {
        return None;
    }
    let s = std::str::from_utf8(p).ok()?;
    u8::from_str_radix(s, 16).ok()
}

/// Decodes RFC 2047 encoded words; white space between two encoded words is dropped.
pub(super) fn decode_words(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    let mut last_was_word = false;
    while let Some(start) = rest.find("=?") {
        let decoded = rest[start + 2..].splitn(3, '?').collect::<Vec<_>>();
        let word = match decoded.as_slice() {
            [charset, enc, tail] => tail.find("?=").map(|end| (*charset, *enc, &tail[..end])),
            _ => None,
        };
        let Some((charset, enc, payload)) = word else {
            break;
        };
        let between = &rest[..start];
        if !(last_was_word && between.trim().is_empty()) {
            out.push_str(between);
        }
        let bytes = match enc {
            "B" | "b" => base64(payload.as_bytes()),
            "Q" | "q" => quoted_printable(payload.replace('_', " ").as_bytes()),
            _ => payload.as_bytes().to_vec(),
        };
        let consumed = start + 2 + charset.len() + 1 + enc.len() + 1 + payload.len() + 2;
        let charset = charset.split('*').next().unwrap_or("").to_ascii_lowercase();
        out.push_str(&decode_charset(&bytes, Some(&charset)));
        rest = rest.get(consumed..).unwrap_or("");
        last_was_word = true;
    }
    out.push_str(rest);
    out
}

/// Lenient base64: characters outside the alphabet are skipped.
fn base64(input: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(input.len() * 3 / 4);
    let mut acc: u32 = 0;
    let mut bits = 0;
    for &c in input {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            b'=' => break,
            _ => continue,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    out
}

/// Quoted-printable: `=XX` escapes and soft line breaks.
fn quoted_printable(input: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(input.len());
    let mut i = 0;
    while i < input.len() {
        if input[i] == b'=' {
            if input[i + 1..].starts_with(b"\r\n") {
                i += 3;
                continue;
            }
            if input[i + 1..].starts_with(b"\n") {
                i += 2;
                continue;
            }
            if let Some(v) = input.get(i + 1..i + 3).and_then(hex_pair) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(input[i]);
        i += 1;
    }
    out
}
