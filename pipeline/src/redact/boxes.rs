//! The boxes drawn over redacted regions: an opaque rectangle with the legal-ground label in
//! Helvetica (WinAnsi-encoded, so `§` is one byte), sized to fit and clipped to the box.

use std::fmt::Write as _;

use super::{BoxStyle, Redaction};
use crate::extract::pdf::encoding::Metrics;

/// Smallest label size drawn, in points; a smaller box gets no label.
const MIN_LABEL: f32 = 3.5;
/// Padding between the box edge and its label.
const PAD: f32 = 1.5;

/// The operators that paint `redactions` with the label font resource `font`.
pub(super) fn draw(redactions: &[Redaction], font: &str, style: &BoxStyle) -> Vec<u8> {
    let mut out = String::with_capacity(128 * redactions.len() + 32);
    let fill = style.fill_gray.clamp(0.0, 1.0);
    let ink = style.label_gray.clamp(0.0, 1.0);
    for r in redactions {
        let rect = r.rect;
        let (w, h) = (rect.x1 - rect.x0, rect.y1 - rect.y0);
        let _ = writeln!(
            out,
            "q {fill:.3} g {:.3} {:.3} {:.3} {:.3} re f",
            rect.x0, rect.y0, w, h
        );
        let label = win_ansi(r.label.trim());
        let em: f32 = r
            .label
            .trim()
            .chars()
            .map(|c| Metrics::Helvetica.width(c) / 1000.0)
            .sum();
        if !label.is_empty() && em > 0.0 {
            let size = style
                .max_label_size
                .min((h - 2.0 * PAD) * 0.8)
                .min((w - 2.0 * PAD) / em);
            if size >= MIN_LABEL {
                let x = rect.x0 + (w - em * size) / 2.0;
                let y = rect.y0 + (h - size * 0.7) / 2.0;
                let _ = write!(
                    out,
                    "{:.3} {:.3} {:.3} {:.3} re W n BT /{font} {size:.2} Tf {ink:.3} g {x:.3} {y:.3} Td (",
                    rect.x0, rect.y0, w, h
                );
                let mut bytes = std::mem::take(&mut out).into_bytes();
                escape_into(&mut bytes, &label);
                out = String::from_utf8(bytes).unwrap_or_default();
                out.push_str(") Tj ET\n");
            }
        }
        out.push_str("Q\n");
    }
    out.into_bytes()
}

/// Appends `bytes` escaped for a literal string, as ASCII (octal escapes above 0x7E), so the
/// buffer stays valid UTF-8.
fn escape_into(out: &mut Vec<u8>, bytes: &[u8]) {
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
}

/// WinAnsiEncoding (CP1252) of `s`; characters outside it become `?`.
pub(super) fn win_ansi(s: &str) -> Vec<u8> {
    s.chars()
        .map(|c| match c {
            ' '..='~' => c as u8,
            '\u{A0}'..='\u{FF}' => c as u32 as u8,
            '€' => 0x80,
            '‚' => 0x82,
            '„' => 0x84,
            '…' => 0x85,
            '‘' => 0x91,
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
