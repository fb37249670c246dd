//! Scans: the region under a redaction is painted into the image's pixels.

use lopdf::{Object, Stream, dictionary};

use super::*;
use crate::redact::Rect;

/// An image-only page: a `w`×`h` image with `comps` components (1 grey, 3 RGB) stretched over
/// the page, every pixel a non-black value, Flate-compressed.
fn scan(w: usize, h: usize, comps: usize) -> Vec<u8> {
    let pixels: Vec<u8> = (0..w * h * comps).map(|i| 100 + (i % 150) as u8).collect();
    let mut doc = one_page(b"q 595 0 0 842 0 0 cm /Im0 Do Q", |doc| {
        let mut image = Stream::new(
            dictionary! {
                "Type" => "XObject", "Subtype" => "Image",
                "Width" => w as i64, "Height" => h as i64,
                "ColorSpace" => if comps == 3 { "DeviceRGB" } else { "DeviceGray" },
                "BitsPerComponent" => 8,
            },
            pixels,
        );
        let _ = image.compress();
        let id = doc.add_object(image);
        dictionary! { "XObject" => dictionary! { "Im0" => id } }
    });
    save(&mut doc)
}

/// The pixels of the one image the output's page draws.
fn output_pixels(pdf: &[u8]) -> (usize, usize, Vec<u8>) {
    let doc = lopdf::Document::load_mem(pdf).expect("loads");
    let page = *doc.get_pages().values().next().expect("page");
    let (res, _) = doc.get_page_resources(page).expect("resources");
    let xobjects = res
        .expect("resources")
        .get(b"XObject")
        .and_then(Object::as_dict)
        .expect("xobjects");
    let images: Vec<&Stream> = xobjects
        .iter()
        .filter_map(|(_, o)| {
            doc.get_object(o.as_reference().ok()?)
                .ok()?
                .as_stream()
                .ok()
        })
        .collect();
    // The page draws the painted copy; the original is no longer referenced once pruned.
    assert_eq!(images.len(), 1, "one image left");
    let s = images[0];
    let w = s.dict.get(b"Width").and_then(Object::as_i64).expect("w") as usize;
    let h = s.dict.get(b"Height").and_then(Object::as_i64).expect("h") as usize;
    (w, h, s.decompressed_content().expect("decodes"))
}

#[test]
fn a_manual_redaction_on_a_scan_is_painted_into_the_pixels() {
    for comps in [1, 3] {
        let (w, h) = (120usize, 168usize);
        let pdf = scan(w, h, comps);
        // The upper left quarter of the page, in points.
        let rect = Rect {
            x0: 0.0,
            y0: 421.0,
            x1: 297.5,
            y1: 842.0,
        };
        let reds = vec![Redaction {
            page: 1,
            rect,
            label: "§ 30, nr. 1".into(),
        }];
        let out = run(&pdf, &reds);
        assert_eq!(out.report.pages[0].images_painted, 1);
        assert!(out.report.pages[0].images_replaced.is_empty());
        assert_qpdf_ok(&out.bytes);
        let (ow, oh, px) = output_pixels(&out.bytes);
        assert_eq!((ow, oh), (w, h));
        assert_eq!(px.len(), w * h * comps);
        let at = |x: usize, y: usize| &px[(y * w + x) * comps..(y * w + x + 1) * comps];
        // Inside the quarter (top rows are first in the image): all black.
        for y in 0..h / 2 - 1 {
            for x in 0..w / 2 - 1 {
                assert!(
                    at(x, y).iter().all(|v| *v == 0),
                    "pixel {x},{y} not painted"
                );
            }
        }
        // Well outside: untouched.
        let original = |x: usize, y: usize| {
            (0..comps).map(move |k| 100 + (((y * w + x) * comps + k) % 150) as u8)
        };
        for (x, y) in [(w - 1, h - 1), (w / 2 + 5, 3), (3, h / 2 + 5)] {
            assert!(
                at(x, y).iter().copied().eq(original(x, y)),
                "pixel {x},{y} changed"
            );
        }
    }
}

#[test]
fn an_image_that_cannot_be_decoded_is_replaced_by_a_box_and_reported() {
    let mut doc = one_page(b"q 200 0 0 100 50 600 cm /Im0 Do Q", |doc| {
        let id = doc.add_object(Stream::new(
            dictionary! {
                "Type" => "XObject", "Subtype" => "Image", "Width" => 20, "Height" => 10,
                "ColorSpace" => "DeviceRGB", "BitsPerComponent" => 8, "Filter" => "DCTDecode",
            },
            b"\xFF\xD8 not really a jpeg, but the name Ole Bak is in it \xFF\xD9".to_vec(),
        ));
        dictionary! { "XObject" => dictionary! { "Im0" => id } }
    });
    let pdf = save(&mut doc);
    let reds = vec![Redaction {
        page: 1,
        rect: Rect {
            x0: 60.0,
            y0: 610.0,
            x1: 100.0,
            y1: 630.0,
        },
        label: "§ 30".into(),
    }];
    let out = run(&pdf, &reds);
    let page = &out.report.pages[0];
    assert_eq!(page.images_replaced.len(), 1, "{page:?}");
    assert!(page.images_replaced[0].detail.contains("DCTDecode"));
    assert!(!contains(&all_bytes(&out.bytes), b"Ole Bak"));
    assert_qpdf_ok(&out.bytes);
}

#[test]
fn an_image_beside_the_redaction_is_left_alone() {
    let mut doc = one_page(b"q 100 0 0 100 400 600 cm /Im0 Do Q", |doc| {
        let id = doc.add_object(Stream::new(
            dictionary! {
                "Type" => "XObject", "Subtype" => "Image", "Width" => 2, "Height" => 2,
                "ColorSpace" => "DeviceGray", "BitsPerComponent" => 8,
            },
            vec![200, 201, 202, 203],
        ));
        dictionary! { "XObject" => dictionary! { "Im0" => id } }
    });
    let pdf = save(&mut doc);
    let reds = vec![Redaction {
        page: 1,
        rect: Rect {
            x0: 60.0,
            y0: 610.0,
            x1: 100.0,
            y1: 630.0,
        },
        label: "§ 30".into(),
    }];
    let out = run(&pdf, &reds);
    assert_eq!(out.report.pages[0].images_painted, 0);
    assert_eq!(output_pixels(&out.bytes).2, vec![200, 201, 202, 203]);
}
