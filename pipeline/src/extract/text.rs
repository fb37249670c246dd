//! Plain text: UTF-8 (a BOM is dropped), CP1252/Latin-1 when the bytes are not valid UTF-8 or
//! the MIME type says so. Line endings become `\n`.

use super::{Extracted, Format, Metadata, decode_charset, single_page};

/// The text of a plain-text document as one logical page.
pub(super) fn extract(bytes: &[u8], charset: Option<&str>) -> Extracted {
    let text = normalize_newlines(&decode_charset(bytes, charset));
    single_page(Format::Text, text, Metadata::default())
}

/// `\r\n` and lone `\r` become `\n`.
pub(super) fn normalize_newlines(s: &str) -> String {
    if !s.contains('\r') {
        return s.to_string();
    }
    s.replace("\r\n", "\n").replace('\r', "\n")
}
