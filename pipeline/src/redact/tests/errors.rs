//! Bad input gives a clear error, never a panic.

use proptest::prelude::*;

use super::*;
use crate::redact::{Rect, RedactError};

fn red(page: usize, rect: Rect) -> Redaction {
    Redaction {
        page,
        rect,
        label: "§ 30".into(),
    }
}

const R: Rect = Rect {
    x0: 10.0,
    y0: 10.0,
    x1: 20.0,
    y1: 20.0,
};

#[test]
fn a_broken_pdf_is_a_malformed_error() {
    let options = RedactOptions::default();
    assert!(matches!(
        redact(b"not a pdf", &[], &options),
        Err(RedactError::Malformed(_))
    ));
    let mut pdf = super::super::bench::sample_letter(1);
    pdf.truncate(pdf.len() / 3);
    match redact(&pdf, &[], &options) {
        Err(RedactError::Malformed(_)) | Ok(_) => {}
        other => panic!("unexpected {other:?}"),
    }
    assert!(matches!(
        redact(
            b"%PDF-1.7\n1 0 obj << >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF",
            &[],
            &options
        ),
        Err(RedactError::Malformed(_))
    ));
}

#[test]
fn a_redaction_on_a_missing_page_or_with_a_bad_rectangle_is_an_error() {
    let pdf = super::super::bench::sample_letter(2);
    let options = RedactOptions::default();
    assert_eq!(
        redact(&pdf, &[red(1, R), red(3, R)], &options),
        Err(RedactError::PageOutOfRange {
            index: 1,
            page: 3,
            pages: 2
        })
    );
    assert!(matches!(
        redact(&pdf, &[red(0, R)], &options),
        Err(RedactError::PageOutOfRange { page: 0, .. })
    ));
    let nan = Rect { x0: f32::NAN, ..R };
    assert_eq!(
        redact(&pdf, &[red(1, nan)], &options),
        Err(RedactError::InvalidRect { index: 0 })
    );
    // A rectangle given corner to corner the other way round is fine.
    let flipped = Rect {
        x0: 20.0,
        y0: 20.0,
        x1: 10.0,
        y1: 10.0,
    };
    assert!(redact(&pdf, &[red(1, flipped)], &options).is_ok());
}

#[test]
fn an_encrypted_pdf_needing_a_password_is_refused() {
    let pdf = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/extract/encrypted-user-password.pdf"
    ))
    .expect("fixture");
    assert_eq!(
        redact(&pdf, &[], &RedactOptions::default()),
        Err(RedactError::Encrypted)
    );
}

#[test]
fn an_owner_password_only_pdf_is_written_unencrypted() {
    let pdf = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/extract/encrypted-owner-only.pdf"
    ))
    .expect("fixture");
    let out = run(&pdf, &[]);
    assert!(!contains(&out.bytes, b"/Encrypt"));
    assert_qpdf_ok(&out.bytes);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn mutated_input_never_panics(flips in proptest::collection::vec((0usize..100_000, any::<u8>()), 1..12)) {
        let mut pdf = super::super::bench::sample_letter(1);
        for (at, b) in flips {
            let n = pdf.len();
            pdf[at % n] = b;
        }
        let reds = vec![red(1, Rect { x0: 60.0, y0: 700.0, x1: 300.0, y1: 800.0 })];
        let result = redact(&pdf, &reds, &RedactOptions::default());
        prop_assert!(!matches!(result, Err(RedactError::ParserPanic)), "{result:?}");
    }
}
