//! Writing the message XML. Elements follow the schema's sequences in order; text is escaped
//! with quick-xml.

use std::fmt::Write as _;

use base64::Engine as _;
use quick_xml::escape::escape;

use super::{MemoError, MemoInput, message_id, message_uuid, validate};

/// The MeMo 1.2 XML message for `input`.
///
/// Checks the input first ([`MemoError`] for an invalid CPR or CVR number, an empty or too
/// long text, a bad KLE key, version 0, an empty PDF) and the size limit before encoding the
/// PDF ([`MemoError::TooLarge`]). The same input always gives the same bytes.
pub fn message(input: &MemoInput) -> Result<String, MemoError> {
    let cpr = validate(input)?;
    let (head, tail) = envelope(input, &cpr);
    let encoded_len = input.pdf.len().div_ceil(3) * 4;
    let size = head.len() + encoded_len + tail.len();
    if size > input.max_message_bytes {
        return Err(MemoError::TooLarge {
            size,
            limit: input.max_message_bytes,
        });
    }
    let mut out = String::with_capacity(size);
    out.push_str(&head);
    base64::engine::general_purpose::STANDARD.encode_string(input.pdf, &mut out);
    out.push_str(&tail);
    Ok(out)
}

/// `<memo:name>text</memo:name>` on its own line at `indent`.
fn element(out: &mut String, indent: usize, name: &str, text: &str) {
    let _ = writeln!(
        out,
        "{:indent$}<{name}>{}</{name}>",
        "",
        escape(text),
        indent = indent * 2
    );
}

fn open(out: &mut String, indent: usize, name: &str) {
    let _ = writeln!(out, "{:indent$}<{name}>", "", indent = indent * 2);
}

fn close(out: &mut String, indent: usize, name: &str) {
    let _ = writeln!(out, "{:indent$}</{name}>", "", indent = indent * 2);
}

/// The message up to the opening `<memo:content>` and from its closing tag on.
fn envelope(input: &MemoInput, cpr: &str) -> (String, String) {
    let version = input.bundle_version;
    let mut h = String::with_capacity(4096);
    h.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    h.push_str(
        "<memo:Message xmlns:memo=\"https://DigitalPost.dk/MeMo-1\" \
         xmlns:kle=\"http://kle-online.dk/\" memoVersion=\"1.2\">\n",
    );
    open(&mut h, 1, "memo:MessageHeader");
    element(&mut h, 2, "memo:messageType", "DIGITALPOST");
    element(
        &mut h,
        2,
        "memo:messageUUID",
        &message_uuid(input.request_id, version).to_string(),
    );
    element(
        &mut h,
        2,
        "memo:messageID",
        &message_id(&input.request_reference, version),
    );
    element(&mut h, 2, "memo:label", &input.title);
    if let Some(notification) = &input.notification {
        element(&mut h, 2, "memo:notification", notification);
    }
    element(&mut h, 2, "memo:mandatory", bool_text(input.mandatory));
    element(
        &mut h,
        2,
        "memo:legalNotification",
        bool_text(input.legal_notification),
    );
    element(&mut h, 2, "memo:postType", "MYNDIGHEDSPOST");

    open(&mut h, 2, "memo:Sender");
    element(&mut h, 3, "memo:senderID", input.sender.cvr.trim());
    element(&mut h, 3, "memo:idType", "CVR");
    element(&mut h, 3, "memo:label", &input.sender.label);
    close(&mut h, 2, "memo:Sender");

    open(&mut h, 2, "memo:Recipient");
    element(&mut h, 3, "memo:recipientID", cpr);
    element(&mut h, 3, "memo:idType", "CPR");
    if let Some(label) = &input.recipient.label {
        element(&mut h, 3, "memo:label", label);
    }
    close(&mut h, 2, "memo:Recipient");

    let case = &input.case;
    open(&mut h, 2, "memo:ContentData");
    open(&mut h, 3, "memo:CaseID");
    element(&mut h, 4, "memo:caseID", &case.case_id);
    element(&mut h, 4, "memo:caseSystem", &case.case_system);
    close(&mut h, 3, "memo:CaseID");
    open(&mut h, 3, "kle:KLEdata");
    element(&mut h, 4, "kle:subjectKey", &case.kle_subject_key);
    element(&mut h, 4, "kle:version", &case.kle_version);
    element(&mut h, 4, "kle:activityFacet", &case.kle_activity_facet);
    element(&mut h, 4, "kle:label", &case.kle_label);
    close(&mut h, 3, "kle:KLEdata");
    close(&mut h, 2, "memo:ContentData");

    // A re-issue threads onto the first message and, from version 3, the one it replaces.
    let mut refers_to = Vec::new();
    if version >= 2 {
        refers_to.push(1);
    }
    if version >= 3 {
        refers_to.push(version - 1);
    }
    for earlier in refers_to {
        open(&mut h, 2, "memo:ReplyData");
        element(
            &mut h,
            3,
            "memo:messageID",
            &message_id(&input.request_reference, earlier),
        );
        element(
            &mut h,
            3,
            "memo:messageUUID",
            &message_uuid(input.request_id, earlier).to_string(),
        );
        element(&mut h, 3, "memo:senderID", input.sender.cvr.trim());
        element(&mut h, 3, "memo:recipientID", cpr);
        element(&mut h, 3, "memo:caseID", &case.case_id);
        element(
            &mut h,
            3,
            "memo:comment",
            &format!("Version {version} af afgørelsen erstatter version {earlier}."),
        );
        close(&mut h, 2, "memo:ReplyData");
    }
    close(&mut h, 1, "memo:MessageHeader");

    open(&mut h, 1, "memo:MessageBody");
    element(
        &mut h,
        2,
        "memo:createdDateTime",
        &input.created.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
    );
    open(&mut h, 2, "memo:MainDocument");
    element(
        &mut h,
        3,
        "memo:mainDocumentID",
        &message_id(&input.request_reference, version),
    );
    element(&mut h, 3, "memo:label", &input.title);
    open(&mut h, 3, "memo:File");
    element(&mut h, 4, "memo:encodingFormat", "application/pdf");
    element(&mut h, 4, "memo:filename", &input.filename);
    element(&mut h, 4, "memo:language", "da");
    h.push_str("        <memo:content>");

    let mut t = String::with_capacity(256);
    t.push_str("</memo:content>\n");
    close(&mut t, 3, "memo:File");
    close(&mut t, 2, "memo:MainDocument");
    close(&mut t, 1, "memo:MessageBody");
    t.push_str("</memo:Message>\n");
    (h, t)
}

fn bool_text(value: bool) -> &'static str {
    if value { "true" } else { "false" }
}
