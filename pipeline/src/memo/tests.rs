use std::path::{Path, PathBuf};
use std::process::Command;

use chrono::{TimeZone, Utc};
use uuid::Uuid;

use super::*;

const PDF: &[u8] = b"%PDF-1.7\n% a bundle stands in here\n%%EOF\n";

fn input(version: u32) -> MemoInput<'static> {
    MemoInput {
        request_id: Uuid::from_u128(0x0123_4567_89ab_4def_8123_4567_89ab_cdef),
        request_reference: "AKT-2024-0042".into(),
        bundle_version: version,
        title: "Afgørelse om aktindsigt".into(),
        notification: Some("Du har fået svar på din anmodning om aktindsigt.".into()),
        sender: Sender {
            cvr: "29189900".into(),
            label: "Egekær Kommune".into(),
        },
        recipient: Recipient {
            cpr: "010203-1234".into(),
            label: Some("Søren Ærø Østergaard".into()),
        },
        case: CaseData {
            case_id: "00.01.10-A53-42-24".into(),
            case_system: "sagshub".into(),
            kle_subject_key: "27.24.00".into(),
            kle_label: "Børnefaglige undersøgelser & <sager>".into(),
            kle_version: "KLE 2024".into(),
            kle_activity_facet: KLE_ACTIVITY_AKTINDSIGT.into(),
        },
        created: Utc
            .with_ymd_and_hms(2024, 5, 3, 10, 15, 0)
            .single()
            .unwrap_or_default(),
        pdf: PDF,
        filename: "aktindsigt-AKT-2024-0042.pdf".into(),
        mandatory: true,
        legal_notification: true,
        max_message_bytes: DEFAULT_MAX_MESSAGE_BYTES,
    }
}

fn schema() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/memo/xsd/v1.2/MeMo_core.xsd")
}

/// Validates with xmllint; `None` when xmllint is not installed.
fn xmllint(xml: &str, name: &str) -> Option<Result<(), String>> {
    let dir = std::env::temp_dir().join(format!("sagshub-memo-{}", std::process::id()));
    std::fs::create_dir_all(&dir).ok()?;
    let file = dir.join(name);
    std::fs::write(&file, xml).ok()?;
    let output = Command::new("xmllint")
        .arg("--noout")
        .arg("--schema")
        .arg(schema())
        .arg(&file)
        .output();
    let _ = std::fs::remove_file(&file);
    let _ = std::fs::remove_dir(&dir);
    match output {
        Err(_) => None,
        Ok(o) if o.status.success() => Some(Ok(())),
        Ok(o) => Some(Err(String::from_utf8_lossy(&o.stderr).into_owned())),
    }
}

#[test]
fn first_message_and_reissue_validate_against_the_memo_1_2_schema() {
    for version in [1, 2, 3] {
        let xml = message(&input(version)).expect("valid input");
        match xmllint(&xml, &format!("v{version}.xml")) {
            None => {
                println!("skipped: xmllint is not installed");
                return;
            }
            Some(result) => assert_eq!(result, Ok(()), "version {version}:\n{xml}"),
        }
    }
}

#[test]
fn message_carries_sender_recipient_case_kle_and_the_bundle() {
    let xml = message(&input(1)).expect("valid input");
    for needle in [
        "memoVersion=\"1.2\"",
        "<memo:messageType>DIGITALPOST</memo:messageType>",
        "<memo:messageID>AKT-2024-0042-v1</memo:messageID>",
        "<memo:label>Afgørelse om aktindsigt</memo:label>",
        "<memo:senderID>29189900</memo:senderID>",
        "<memo:idType>CVR</memo:idType>",
        "<memo:recipientID>0102031234</memo:recipientID>",
        "<memo:idType>CPR</memo:idType>",
        "<memo:caseID>00.01.10-A53-42-24</memo:caseID>",
        "<kle:subjectKey>27.24.00</kle:subjectKey>",
        "<kle:activityFacet>A53</kle:activityFacet>",
        "<kle:label>Børnefaglige undersøgelser &amp; &lt;sager&gt;</kle:label>",
        "<memo:encodingFormat>application/pdf</memo:encodingFormat>",
        "<memo:language>da</memo:language>",
        "<memo:createdDateTime>2024-05-03T10:15:00Z</memo:createdDateTime>",
        "<memo:mandatory>true</memo:mandatory>",
    ] {
        assert!(xml.contains(needle), "missing {needle} in\n{xml}");
    }
    assert!(
        !xml.contains("ReplyData"),
        "a first message refers to nothing"
    );
    let start = xml.find("<memo:content>").expect("content") + "<memo:content>".len();
    let end = xml.find("</memo:content>").expect("content end");
    use base64::Engine as _;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(&xml[start..end])
        .expect("base64");
    assert_eq!(decoded, PDF);
}

#[test]
fn uuid_is_stable_per_request_and_version_and_differs_between_versions() {
    let a = message(&input(1)).expect("valid");
    let b = message(&input(1)).expect("valid");
    assert_eq!(a, b, "the same input gives the same message");
    let id = input(1).request_id;
    assert_eq!(message_uuid(id, 1), message_uuid(id, 1));
    assert_ne!(message_uuid(id, 1), message_uuid(id, 2));
    assert_ne!(message_uuid(id, 1), message_uuid(Uuid::from_u128(7), 1));
    // MeMo's memoUuidType admits version-4 UUIDs only.
    let text = message_uuid(id, 2).to_string();
    assert_eq!(&text[14..15], "4", "{text}");
    assert!(matches!(&text[19..20], "8" | "9" | "a" | "b"), "{text}");
    assert!(a.contains(&format!(
        "<memo:messageUUID>{}</memo:messageUUID>",
        message_uuid(id, 1)
    )));
}

#[test]
fn reissue_refers_to_the_first_message() {
    let id = input(2).request_id;
    let v2 = message(&input(2)).expect("valid");
    let reply = &v2[v2.find("<memo:ReplyData>").expect("ReplyData")..];
    assert!(reply.contains(&format!(
        "<memo:messageUUID>{}</memo:messageUUID>",
        message_uuid(id, 1)
    )));
    assert!(reply.contains("<memo:messageID>AKT-2024-0042-v1</memo:messageID>"));
    assert!(v2.contains(&format!(
        "<memo:messageUUID>{}</memo:messageUUID>",
        message_uuid(id, 2)
    )));
    let v3 = message(&input(3)).expect("valid");
    assert_eq!(
        v3.matches("<memo:ReplyData>").count(),
        2,
        "v3 refers to v1 and v2"
    );
}

#[test]
fn invalid_input_is_refused() {
    let mut bad = input(1);
    bad.recipient.cpr = "01020312345".into();
    assert_eq!(message(&bad), Err(MemoError::InvalidCpr));
    bad.recipient.cpr = "010203-12x4".into();
    assert_eq!(message(&bad), Err(MemoError::InvalidCpr));
    bad.recipient.cpr = "12345".into();
    assert_eq!(message(&bad), Err(MemoError::InvalidCpr));

    let mut bad = input(1);
    bad.title = "  ".into();
    assert_eq!(message(&bad), Err(MemoError::Empty { field: "title" }));

    let mut bad = input(1);
    bad.title = "x".repeat(257);
    assert!(matches!(
        message(&bad),
        Err(MemoError::TooLong { field: "title", .. })
    ));

    let mut bad = input(1);
    bad.sender.cvr = "1234".into();
    assert_eq!(message(&bad), Err(MemoError::InvalidCvr));

    let mut bad = input(1);
    bad.case.kle_subject_key = "27.24".into();
    assert!(matches!(message(&bad), Err(MemoError::InvalidKle(_))));

    assert_eq!(message(&input(0)), Err(MemoError::BadVersion));
}

#[test]
fn errors_never_show_the_cpr_number() {
    let mut bad = input(1);
    bad.recipient.cpr = "0102031234567".into();
    let err = message(&bad).expect_err("invalid");
    assert!(!err.to_string().contains("0102031234"));
    assert!(!format!("{bad:?}").contains("0102031234"));
}

#[test]
fn a_message_over_the_limit_is_too_large() {
    let pdf = vec![b'x'; 30_000];
    let mut big = input(1);
    big.pdf = &pdf;
    big.max_message_bytes = 20_000;
    match message(&big) {
        Err(MemoError::TooLarge { size, limit }) => {
            assert_eq!(limit, 20_000);
            assert!(size > 40_000, "{size}");
        }
        other => panic!("expected TooLarge, got {other:?}"),
    }
    big.max_message_bytes = 60_000;
    let xml = message(&big).expect("fits");
    assert!(xml.len() <= 60_000);
    assert_eq!(
        xml.len(),
        {
            big.max_message_bytes = xml.len();
            message(&big).expect("exactly at the limit").len()
        },
        "the size check predicts the exact size"
    );
}
