//! Parsing tests on hand-written fixtures (`connectors/fixtures/soap/`).

use chrono::NaiveDate;

use super::*;
use crate::model::{DocumentKind, PartyRole, ProgressStatus, Sensitivity};

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/fixtures/soap/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("fixture {path}: {e}"))
}

fn esdh() -> SystemId {
    SystemId::new("esdh")
}

#[test]
fn parses_a_page_of_cases() {
    let page = parse_fremsoeg_sag(&esdh(), &fixture("sag_page.xml")).expect("parse");
    assert_eq!((page.total, page.first, page.items.len()), (Some(3), 0, 2));
    let c = &page.items[0];
    assert_eq!(c.local_id, "1b0c1f7e-0000-4000-8000-000000000001");
    assert_eq!(c.sagsnummer, "2024-000017");
    assert_eq!(c.title, "Ansøgning om hjælpemidler & boligændring");
    assert_eq!(c.kle, "27.24.00");
    assert_eq!(c.handlingsfacet.as_deref(), Some("G01"));
    assert_eq!(c.status, ProgressStatus::Afsluttet);
    assert_eq!(c.closed, NaiveDate::from_ymd_opt(2024, 6, 1));
    assert_eq!(
        c.opened,
        NaiveDate::from_ymd_opt(2024, 1, 10).expect("date")
    );
    assert_eq!(c.sensitivity, Sensitivity::Foelsom);
    assert_eq!(c.department, "Social og Omsorg");
    assert_eq!(c.caseworker.as_deref(), Some("Mette Sagsbehandler"));
    // The secondary party whose Virkning ended is no longer a party.
    assert_eq!(c.parties.len(), 2);
    assert_eq!(c.parties[0].party.key, PartyKey::cpr("0101700000"));
    assert_eq!(c.parties[0].party.name, "Testa Testesen");
    assert_eq!(c.parties[0].role, PartyRole::Primary);
    assert_eq!(c.parties[1].party.key, PartyKey::cvr("12345678"));
    assert_eq!(c.parties[1].role, PartyRole::Secondary);
    assert!(c.updated_at.is_some());
    let second = &page.items[1];
    assert_eq!(second.status, ProgressStatus::Oplyst);
    // No Foelsomhed given: treated as confidential, never as public.
    assert_eq!(second.sensitivity, Sensitivity::Fortrolig);
    assert_eq!(
        second.opened,
        NaiveDate::from_ymd_opt(2025, 3, 1).expect("date")
    );
}

#[test]
fn prefixes_and_default_namespaces_do_not_matter() {
    let a = parse_fremsoeg_sag(&esdh(), &fixture("sag_page.xml")).expect("prefixed");
    let b = parse_fremsoeg_sag(&esdh(), &fixture("sag_default_ns.xml")).expect("default ns");
    let (a, b) = (&a.items[0], &b.items[0]);
    assert_eq!(
        (&a.local_id, &a.title, &a.kle, a.status, a.sensitivity),
        (&b.local_id, &b.title, &b.kle, b.status, b.sensitivity)
    );
    assert_eq!(a.parties[0], b.parties[0]);
}

#[test]
fn parses_documents() {
    let page = parse_fremsoeg_dokument(&esdh(), &fixture("dokumenter.xml")).expect("parse");
    assert_eq!(page.total, Some(2));
    let d = &page.items[0];
    assert_eq!(
        (d.aktnummer, d.title.as_str(), d.kind),
        (2, "Afgørelse", DocumentKind::OutgoingLetter)
    );
    assert_eq!(d.case_local_id, "1b0c1f7e-0000-4000-8000-000000000001");
    assert_eq!(
        (d.mime_type.as_str(), d.size),
        ("application/pdf", Some(2048))
    );
    assert_eq!(d.letter_date, NaiveDate::from_ymd_opt(2024, 5, 30));
    assert_eq!(d.sensitivity, Sensitivity::Fortrolig);
    let d = &page.items[1];
    assert_eq!(
        (d.aktnummer, d.kind, d.size),
        (1, DocumentKind::IncomingLetter, None)
    );
    assert_eq!(d.sensitivity, Sensitivity::IkkeFortrolig);
}

#[test]
fn faults_are_classified() {
    let e = parse_fremsoeg_sag(&esdh(), &fixture("fault_sender.xml")).expect_err("fault");
    assert!(
        matches!(&e, Error::Protocol { reason, .. } if reason.contains("FremdriftStatusKode")),
        "{e}"
    );
    assert!(!e.is_transient());
    let e = parse_fremsoeg_sag(&esdh(), &fixture("fault_receiver.xml")).expect_err("fault");
    assert!(
        matches!(&e, Error::Unavailable { reason, .. } if reason.contains("intern fejl")),
        "{e}"
    );
    assert!(e.is_transient());
    let e = parse_indhold(&esdh(), &fixture("fault_not_found.xml"), 100).expect_err("fault");
    assert!(matches!(e, Error::NotFound { .. }), "{e}");
}

#[test]
fn broken_answers_are_protocol_errors() {
    for name in ["truncated.xml", "wrong_ns.xml", "doctype.xml"] {
        let e = parse_fremsoeg_sag(&esdh(), &fixture(name)).expect_err(name);
        assert!(matches!(e, Error::Protocol { .. }), "{name}: {e}");
    }
    let e = parse_fremsoeg_sag(&esdh(), &fixture("doctype.xml")).expect_err("doctype");
    assert!(e.to_string().contains("DOCTYPE"), "{e}");
    let e = parse_fremsoeg_sag(&esdh(), &fixture("wrong_ns.xml")).expect_err("ns");
    assert!(e.to_string().contains("namespace"), "{e}");
}

#[test]
fn content_is_decoded_and_bounded() {
    let c = parse_indhold(&esdh(), &fixture("indhold.xml"), 100).expect("parse");
    assert_eq!(
        (c.mime_type.as_str(), c.bytes.as_slice()),
        ("text/plain; charset=utf-8", b"hello world".as_slice())
    );
    let e = parse_indhold(&esdh(), &fixture("indhold.xml"), 5).expect_err("too large");
    assert!(matches!(e, Error::TooLarge { limit: 5, .. }));
}

#[test]
fn deletions_become_changes() {
    let page = parse_fremsoeg_changes(&esdh(), &fixture("changes.xml")).expect("parse");
    assert_eq!((page.total, page.first), (Some(5), 1));
    assert!(matches!(&page.items[0].0, Change::Upserted(c) if c.title == "A"));
    assert!(matches!(&page.items[1].0, Change::Deleted { local_id } if local_id.ends_with("0006")));
    // A deleted case is not returned as a case.
    assert_eq!(
        parse_fremsoeg_sag(&esdh(), &fixture("changes.xml"))
            .expect("parse")
            .items
            .len(),
        1
    );
}

#[test]
fn requests_carry_party_urns_and_paging() {
    let parties = [
        PartyKey::cpr("010170-0000").expect("cpr"),
        PartyKey::cvr("12345678").expect("cvr"),
    ];
    let xml = requests::cases_for_parties("tx", &parties, 10, 5);
    assert!(xml.contains("urn:oio:cpr-nr:0101700000") && xml.contains("urn:oio:cvr-nr:12345678"));
    assert!(xml.contains("<sdi:operation>OR</sdi:operation>"));
    assert_eq!(xml.matches("<sd:FoersteResultatReference>10<").count(), 1);
    let q = SearchQuery {
        text: Some("a<b".into()),
        ..SearchQuery::default()
    };
    assert!(requests::search("tx", &q, 5).contains("a&lt;b"));
}

#[test]
fn cursor_round_trip() {
    assert_eq!(parse_cursor(&esdh(), None).expect("none"), (None, 0));
    let (t, n) = parse_cursor(&esdh(), Some("2025-01-01T00:00:00.000000Z|3")).expect("cursor");
    assert_eq!(
        (t.map(|t| t.to_rfc3339()), n),
        (Some("2025-01-01T00:00:00+00:00".to_owned()), 3)
    );
    assert!(parse_cursor(&esdh(), Some("garbage")).is_err());
}

#[test]
fn rejects_bad_urls() {
    let cfg = SoapConfig {
        url: "ftp://x".into(),
        max_response_bytes: 10,
        page_size: 1,
    };
    assert!(matches!(
        SoapSystem::new(esdh(), &cfg, reqwest::Client::new()),
        Err(Error::Config { .. })
    ));
}
