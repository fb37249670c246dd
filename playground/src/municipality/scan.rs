//! Scanned letters: the text drawn into a grayscale bitmap with an embedded 8×16 font, one image
//! per page, and no text layer (a hub has to OCR them).

use lopdf::{Document, Stream, dictionary};

use super::font::glyph;
use super::render::{A4, finish_pdf, save};

/// Page bitmap size: A4 at 200 dpi.
const WIDTH: usize = 1654;
const HEIGHT: usize = 2339;
/// Each font pixel becomes `SCALE`×`SCALE` image pixels (27×48 per character cell, ~12 pt).
const SCALE: usize = 3;
const MARGIN_X: usize = 110;
const MARGIN_Y: usize = 120;
/// Ink and paper grey levels.
const INK: u8 = 16;
const PAPER: u8 = 255;

/// An image-only PDF of `text`.
pub(crate) fn scan_pdf(text: &str) -> Vec<u8> {
    // A ninth blank column between characters, as on a VGA text screen, keeps `rn` from `m`.
    let cell_w = 9 * SCALE;
    let cell_h = 16 * SCALE;
    let cols = (WIDTH - 2 * MARGIN_X) / cell_w;
    let rows = (HEIGHT - 2 * MARGIN_Y) / cell_h;
    let lines = super::render::wrap(text, cols as u32, |_| 1);
    let mut doc = Document::with_version("1.5");
    let mut pages = Vec::new();
    for chunk in lines.chunks(rows) {
        let mut bitmap = vec![PAPER; WIDTH * HEIGHT];
        for (row, (_, line)) in chunk.iter().enumerate() {
            let y0 = MARGIN_Y + row * cell_h;
            for (col, ch) in line.chars().take(cols).enumerate() {
                if ch == ' ' {
                    continue;
                }
                let x0 = MARGIN_X + col * cell_w;
                draw(&mut bitmap, glyph(ch), x0, y0);
            }
        }
        let mut image = Stream::new(
            dictionary! {
                "Type" => "XObject",
                "Subtype" => "Image",
                "Width" => WIDTH as i64,
                "Height" => HEIGHT as i64,
                "ColorSpace" => "DeviceGray",
                "BitsPerComponent" => 8,
            },
            bitmap,
        );
        // Compression only fails on in-memory I/O; the raw image is still a valid PDF.
        let _ = image.compress();
        let image_id = doc.add_object(image);
        let content = format!("q {} 0 0 {} 0 0 cm /Im0 Do Q", A4.0, A4.1).into_bytes();
        let resources = dictionary! { "XObject" => dictionary! { "Im0" => image_id } };
        pages.push((content, resources));
    }
    finish_pdf(&mut doc, pages);
    save(doc)
}

fn draw(bitmap: &mut [u8], rows: &[u8; 16], x0: usize, y0: usize) {
    let mut scaled = [PAPER; 8 * SCALE];
    for (gy, bits) in rows.iter().enumerate() {
        if *bits == 0 {
            continue;
        }
        for (gx, px) in scaled.chunks_mut(SCALE).enumerate() {
            px.fill(if bits & (0x80 >> gx) == 0 { PAPER } else { INK });
        }
        for dy in 0..SCALE {
            let start = (y0 + gy * SCALE + dy) * WIDTH + x0;
            bitmap[start..start + scaled.len()].copy_from_slice(&scaled);
        }
    }
}
