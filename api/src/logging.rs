//! Logs never carry a CPR number.
//!
//! Field discipline comes first (connectors and services log ids and counts, `PartyKey` and
//! `Viewer` mask numbers in `Debug`), and this writer is the guarantee behind it: every log line
//! passes through [`redact`] on its way out, which masks anything shaped like a CPR number
//! (`DDMMYY-SSSS`, `DDMMYYSSSS`, `DDMMYY SSSS`) as `DDMMYY-XXXX`.

use std::io::{self, Write};
use std::sync::LazyLock;

use regex::bytes::Regex;
use tracing_subscriber::fmt::MakeWriter;

static CPR_SHAPED: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"(?-u:\b)(\d{6})[- ]?\d{4}(?-u:\b)").ok());

/// Mask every CPR-shaped number in `line`.
pub fn redact(line: &[u8]) -> std::borrow::Cow<'_, [u8]> {
    match CPR_SHAPED.as_ref() {
        Some(re) => re.replace_all(line, &b"${1}-XXXX"[..]),
        // The pattern is a constant; if it ever failed to compile, mask every digit instead.
        None => std::borrow::Cow::Owned(
            line.iter()
                .map(|b| if b.is_ascii_digit() { b'X' } else { *b })
                .collect(),
        ),
    }
}

/// A [`MakeWriter`] whose writers redact CPR-shaped numbers before they reach `inner`.
#[derive(Clone, Debug)]
pub struct Redacting<M>(pub M);

/// The writer [`Redacting`] makes.
#[derive(Debug)]
pub struct RedactingWriter<W>(W);

impl<W: Write> Write for RedactingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        // The fmt layer formats a whole event, then writes it in one call.
        self.0.write_all(&redact(buf))?;
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

impl<'a, M: MakeWriter<'a>> MakeWriter<'a> for Redacting<M> {
    type Writer = RedactingWriter<M::Writer>;
    fn make_writer(&'a self) -> Self::Writer {
        RedactingWriter(self.0.make_writer())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_spelling_is_masked_and_other_numbers_stay() {
        let line = b"cpr 070761-4285 and 0707614285 and 070761 4285; case 2024-004711, phone 12345678, id 12345678901";
        let out = String::from_utf8(redact(line).into_owned()).unwrap_or_default();
        assert_eq!(out.matches("070761-XXXX").count(), 3, "{out}");
        assert!(!out.contains("4285"), "{out}");
        assert!(
            out.contains("2024-004711") && out.contains("12345678") && out.contains("12345678901"),
            "{out}"
        );
    }
}
