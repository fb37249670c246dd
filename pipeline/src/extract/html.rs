//! HTML: a small tokenizer that keeps text, drops tags, comments, scripts and styles, decodes
//! character references, turns block elements into line breaks and collapses white space
//! (except inside `<pre>`). The `<title>` becomes the first line and [`Metadata::title`].

use super::{Extracted, Format, Metadata, decode_charset, single_page};

/// The text of an HTML document as one logical page.
pub(super) fn extract(bytes: &[u8], charset: Option<&str>) -> Extracted {
    let charset = charset.map(str::to_string).or_else(|| meta_charset(bytes));
    let source = decode_charset(bytes, charset.as_deref());
    let (body, title) = to_text(&source);
    let mut text = String::with_capacity(body.len() + 64);
    if let Some(t) = &title {
        text.push_str(t);
        text.push_str("\n\n");
    }
    text.push_str(&body);
    let metadata = Metadata {
        title,
        ..Metadata::default()
    };
    single_page(Format::Html, text, metadata)
}

/// The charset a `<meta>` in the first 2 KB declares.
fn meta_charset(bytes: &[u8]) -> Option<String> {
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(2048)]).to_ascii_lowercase();
    let at = head.find("charset=")? + "charset=".len();
    let value: String = head[at..]
        .trim_start_matches(['"', '\''])
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    (!value.is_empty()).then_some(value)
}

/// Elements whose content is never text.
const SKIPPED: &[&str] = &["script", "style", "noscript", "template", "svg", "head"];
/// Elements that break a line.
const BLOCKS: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "body",
    "dd",
    "div",
    "dl",
    "dt",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "form",
    "header",
    "hr",
    "li",
    "main",
    "nav",
    "ol",
    "section",
    "table",
    "tbody",
    "thead",
    "tfoot",
    "tr",
    "ul",
];
/// Elements that end a paragraph (a blank line).
const PARAGRAPHS: &[&str] = &["p", "h1", "h2", "h3", "h4", "h5", "h6", "pre"];

/// Collects text, collapsing white space.
struct Out {
    text: String,
    space: bool,
}

impl Out {
    fn push_text(&mut self, s: &str, pre: bool) {
        for ch in s.chars() {
            if pre {
                self.text.push(ch);
                continue;
            }
            if ch.is_whitespace() && ch != '\u{A0}' {
                self.space = true;
                continue;
            }
            if self.space && !self.text.is_empty() && !self.text.ends_with(['\n', '\t', ' ']) {
                self.text.push(' ');
            }
            self.space = false;
            self.text.push(ch);
        }
    }

    fn newlines(&mut self, n: usize) {
        self.space = false;
        while self.text.ends_with(' ') || self.text.ends_with('\t') {
            self.text.pop();
        }
        if self.text.is_empty() {
            return;
        }
        let have = self.text.len() - self.text.trim_end_matches('\n').len();
        for _ in have..n {
            self.text.push('\n');
        }
    }
}

/// Body text and title of an HTML source.
fn to_text(src: &str) -> (String, Option<String>) {
    let mut out = Out {
        text: String::with_capacity(src.len() / 2),
        space: false,
    };
    let mut title: Option<String> = None;
    let mut in_title = false;
    let mut pre = 0usize;
    let mut rest = src;
    while !rest.is_empty() {
        let Some(lt) = rest.find('<') else {
            emit(&mut out, &mut title, in_title, rest, pre > 0);
            break;
        };
        emit(&mut out, &mut title, in_title, &rest[..lt], pre > 0);
        rest = &rest[lt..];
        if let Some(after) = rest.strip_prefix("<!--") {
            rest = after.find("-->").map_or("", |e| &after[e + 3..]);
            continue;
        }
        let next = rest[1..].chars().next().unwrap_or(' ');
        if !(next.is_ascii_alphabetic() || next == '/' || next == '!' || next == '?') {
            emit(&mut out, &mut title, in_title, "<", pre > 0);
            rest = &rest[1..];
            continue;
        }
        let end = tag_end(rest);
        let tag = rest[1..end.max(1)].trim_end_matches('>');
        rest = &rest[end..];
        let closing = tag.starts_with('/');
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        if name.is_empty() {
            continue;
        }
        if !closing && SKIPPED.contains(&name.as_str()) && !tag.ends_with('/') {
            if name == "head" {
                // The head holds the title; keep reading it, skipping its scripts and styles.
                continue;
            }
            let close = format!("</{name}");
            rest = find_ci(rest, &close).map_or("", |i| {
                let r = &rest[i..];
                &r[tag_end(r)..]
            });
            continue;
        }
        match (name.as_str(), closing) {
            ("title", false) => {
                in_title = true;
                title.get_or_insert_with(String::new);
            }
            ("title", true) => in_title = false,
            ("br", _) => {
                out.text.push('\n');
                out.space = false;
            }
            ("td" | "th", false) => {
                if !out.text.is_empty() && !out.text.ends_with('\n') {
                    out.text.push('\t');
                }
                out.space = false;
            }
            ("pre", false) => {
                out.newlines(2);
                pre += 1;
            }
            ("pre", true) => {
                pre = pre.saturating_sub(1);
                out.newlines(2);
            }
            (n, _) if PARAGRAPHS.contains(&n) => out.newlines(2),
            (n, _) if BLOCKS.contains(&n) => out.newlines(1),
            _ => {}
        }
    }
    let title = title
        .map(|t| t.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|t| !t.is_empty());
    let text = out.text.trim_end().to_string();
    (text, title)
}

/// Appends decoded text to the body or the title.
fn emit(out: &mut Out, title: &mut Option<String>, in_title: bool, raw: &str, pre: bool) {
    if raw.is_empty() {
        return;
    }
    let decoded = decode_entities(raw);
    match title {
        Some(t) if in_title => t.push_str(&decoded),
        _ => out.push_text(&decoded, pre),
    }
}

/// The byte index just past the `>` that ends the tag at the start of `s` (quotes respected).
fn tag_end(s: &str) -> usize {
    let mut quote = None;
    for (i, ch) in s.char_indices().skip(1) {
        match (quote, ch) {
            (None, '"' | '\'') => quote = Some(ch),
            (Some(q), c) if c == q => quote = None,
            (None, '>') => return i + 1,
            _ => {}
        }
    }
    s.len()
}

/// Case-insensitive ASCII find.
fn find_ci(hay: &str, needle: &str) -> Option<usize> {
    let h = hay.as_bytes();
    let n = needle.as_bytes();
    if n.is_empty() || h.len() < n.len() {
        return None;
    }
    (0..=h.len() - n.len()).find(|&i| h[i..i + n.len()].eq_ignore_ascii_case(n))
}

/// Decodes `&name;`, `&#NN;` and `&#xHH;` references; unknown ones stay as written.
pub(super) fn decode_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let semi = rest.bytes().take(12).position(|b| b == b';');
        let decoded = semi.and_then(|e| entity(&rest[1..e]).map(|c| (c, e + 1)));
        match decoded {
            Some((c, len)) => {
                out.push(c);
                rest = &rest[len..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// One character reference's value.
fn entity(name: &str) -> Option<char> {
    if let Some(num) = name.strip_prefix('#') {
        let code = match num.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => num.parse().ok()?,
        };
        return char::from_u32(code).filter(|c| *c != '\0');
    }
    Some(match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "nbsp" => '\u{A0}',
        "aelig" => 'æ',
        "oslash" => 'ø',
        "aring" => 'å',
        "AElig" => 'Æ',
        "Oslash" => 'Ø',
        "Aring" => 'Å',
        "eacute" => 'é',
        "Eacute" => 'É',
        "auml" => 'ä',
        "Auml" => 'Ä',
        "ouml" => 'ö',
        "Ouml" => 'Ö',
        "uuml" => 'ü',
        "Uuml" => 'Ü',
        "szlig" => 'ß',
        "copy" => '©',
        "reg" => '®',
        "sect" => '§',
        "shy" => '\u{AD}',
        "ndash" => '–',
        "mdash" => '—',
        "hellip" => '…',
        "laquo" => '«',
        "raquo" => '»',
        "bdquo" => '„',
        "ldquo" => '“',
        "rdquo" => '”',
        "lsquo" => '‘',
        "rsquo" => '’',
        "euro" => '€',
        "deg" => '°',
        "middot" => '·',
        "bull" => '•',
        _ => return None,
    })
}
