//! Plain text, HTML, e-mail and .docx.

use super::{fixture, ok, words};
use crate::extract::{ExtractError, ExtractOptions, ExtractStatus, Format, ReviewReason, extract};

const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

fn expected(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn plain_text_is_read_as_utf8() {
    let e = ok(fixture!("note.txt"), "text/plain; charset=utf-8");
    assert_eq!(e.text, expected(fixture!("note.txt.expected.txt")));
    assert!(e.is_complete());
    assert_eq!(e.pages.len(), 1);
    assert!(e.pages[0].size.is_none() && e.pages[0].runs.iter().all(|r| r.bbox.is_none()));
    assert_eq!(
        &e.text[e.pages[0].runs[0].text_range.clone()],
        "Journalnotat"
    );
}

#[test]
fn invalid_utf8_falls_back_to_latin1() {
    let e = ok(b"S\xf8ren \xc6bler\r\nK\xf8ge", "text/plain");
    assert_eq!(e.text, "Søren Æbler\nKøge");
    let e = ok("Søren".as_bytes(), "text/plain; charset=ISO-8859-1");
    assert_eq!(e.text, "SÃ¸ren", "the declared charset wins");
}

#[test]
fn html_drops_markup_scripts_and_decodes_entities() {
    let html = "<!DOCTYPE html><html><head><title>Afg&oslash;relse</title><style>p{color:red}</style>\
<script>var x = '<p>no</p>';</script></head><body><h1>Kære Søren</h1><p>Din sag &amp; dine\n   \
bilag er <b>modtaget</b>.<br>CPR&#58; 010203&#x2D;1234</p><ul><li>Én</li><li>To</li></ul>\
<!-- skjult --><table><tr><td>A</td><td>B</td></tr></table></body></html>";
    let e = ok(html.as_bytes(), "text/html");
    assert_eq!(
        e.text,
        "Afgørelse\n\nKære Søren\n\nDin sag & dine bilag er modtaget.\nCPR: 010203-1234\n\nÉn\nTo\nA\tB"
    );
    assert_eq!(e.metadata.title.as_deref(), Some("Afgørelse"));
}

#[test]
fn eml_headers_are_decoded_and_body_read() {
    let e = ok(fixture!("mail.eml"), "message/rfc822");
    assert_eq!(e.format, Format::Email);
    assert!(
        e.text
            .starts_with("From: Maja Madsen <maja.madsen@example.net>\nTo: Gitte Holm"),
        "{}",
        e.text
    );
    assert_eq!(
        e.metadata.title.as_deref(),
        Some("Ansøgning om sygesikring og valg af læge")
    );
    assert!(e.text.contains("Subject: Ansøgning om sygesikring"));
    let body = expected(fixture!("mail.eml.expected.txt"));
    let tail: String = body.lines().last().unwrap_or("").to_string();
    assert!(words(&e.text).contains(&words(&tail)), "{tail}");
    assert!(e.is_complete());
}

#[test]
fn eml_attachments_are_listed_and_text_ones_included() {
    let e = ok(fixture!("mail-attachment.eml"), "message/rfc822");
    assert_eq!(e.metadata.attachments.len(), 1);
    let a = &e.metadata.attachments[0];
    assert_eq!(
        (a.name.as_deref(), a.mime_type.as_str(), a.extracted),
        (Some("bilag.txt"), "text/plain", true)
    );
    assert!(a.size > 50);
    assert!(
        e.text
            .contains("--- Bilag: bilag.txt ---\nBilag til: Mail fra borger"),
        "{}",
        e.text
    );
    assert!(e.text.contains("CPR-nr. 180443-9044"));
}

#[test]
fn eml_quoted_printable_html_and_unreadable_attachment() {
    let mail = "From: =?iso-8859-1?Q?S=F8ren_=C6rb=F8?= <s@example.dk>\r\nSubject: =?utf-8?Q?Kl=C3=A6ge?=\r\n \
=?utf-8?B?IG92ZXIgYWZnw7hyZWxzZQ==?=\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n\
--b1\r\nContent-Type: multipart/alternative; boundary=b2\r\n\r\n--b2\r\nContent-Type: text/html; charset=utf-8\r\n\
Content-Transfer-Encoding: quoted-printable\r\n\r\n<p>Hej p=C3=A5 dig, med en meget lang linje der er =\r\nbrudt</p>\r\n\
--b2--\r\n--b1\r\nContent-Type: image/png; name=\"foto.png\"\r\nContent-Transfer-Encoding: base64\r\n\r\niVBORw0KGgo=\r\n--b1--\r\n";
    let e = ok(mail.as_bytes(), "message/rfc822");
    assert!(
        e.text
            .starts_with("From: Søren Ærbø <s@example.dk>\nSubject: Klæge over afgørelse\n\n"),
        "{}",
        e.text
    );
    assert!(
        e.text
            .contains("Hej på dig, med en meget lang linje der er brudt"),
        "{}",
        e.text
    );
    assert_eq!(e.metadata.attachments[0].name.as_deref(), Some("foto.png"));
    assert_eq!(e.metadata.attachments[0].size, 8);
    assert!(matches!(&e.status, ExtractStatus::NeedsManualReview(n)
        if matches!(&n[0].reason, ReviewReason::AttachmentNotExtracted { name, .. } if name == "foto.png")));
}

#[test]
fn docx_paragraphs_become_lines() {
    let e = ok(fixture!("letter.docx"), DOCX);
    assert_eq!(
        e.text,
        expected(fixture!("letter.docx.expected.txt")).trim_end()
    );
    assert!(e.text.contains("læge"));
    assert!(e.is_complete());
}

#[test]
fn docx_that_is_no_zip_is_malformed_and_encrypted_office_is_encrypted() {
    let r = extract(b"PK\x03\x04 broken", DOCX, &ExtractOptions::default());
    assert!(
        matches!(
            r,
            Err(ExtractError::Malformed {
                format: Format::Docx,
                ..
            })
        ),
        "{r:?}"
    );
    let mut ole = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    ole.extend("EncryptionInfo".bytes().flat_map(|b| [b, 0]));
    let r = extract(&ole, DOCX, &ExtractOptions::default());
    assert_eq!(r.err(), Some(ExtractError::Encrypted));
}

#[test]
fn unknown_types_are_unsupported_and_octet_streams_sniffed() {
    let r = extract(b"GIF89a", "image/gif", &ExtractOptions::default());
    assert_eq!(r.err(), Some(ExtractError::Unsupported("image/gif".into())));
    let e = ok(fixture!("letter.docx"), "application/octet-stream");
    assert_eq!(e.format, Format::Docx);
}
