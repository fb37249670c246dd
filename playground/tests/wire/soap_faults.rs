//! The simulated ESDH refuses bad requests with SOAP 1.2 `Sender` faults and varies its prefixes.

use std::sync::Arc;

use playground::municipality::{Params, generate};
use playground::sim::soap;

const ENV: &str = "http://www.w3.org/2003/05/soap-envelope";
const SDI: &str = "urn:oio:sts:sagdok:sagdokumentindeks:6";

fn envelope(ns: &str, body: &str) -> String {
    format!(
        r#"<?xml version="1.0"?><e:Envelope xmlns:e="{ns}" xmlns:sdi="{SDI}" xmlns:sag="urn:oio:sts:sagdok:sag:6"><e:Body>{body}</e:Body></e:Envelope>"#
    )
}

#[tokio::test]
async fn bad_requests_get_sender_faults() {
    let muni = Arc::new(generate(&Params::small()));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let server = soap::spawn(muni, "esdh", listener).await.expect("spawn");
    let url = format!("{}{}", server.base_url(), soap::PATH);
    let http = reqwest::Client::new();
    let bad_status = r#"<sdi:FremsoegSagDokumentIndeksInput><sdi:SoegUdtryk><sdi:SoegSag><sag:AttributListe/><sag:TilstandListe><sag:Fremdrift><sag:FremdriftStatusKode>Bogus</sag:FremdriftStatusKode></sag:Fremdrift></sag:TilstandListe><sag:RelationListe/></sdi:SoegSag></sdi:SoegUdtryk></sdi:FremsoegSagDokumentIndeksInput>"#;
    let cases = [
        ("malformed", "<e:Envelope".to_owned(), "malformed"),
        (
            "doctype",
            format!("<!DOCTYPE x [<!ENTITY a 'b'>]>{}", envelope(ENV, "<x/>")),
            "DOCTYPE",
        ),
        (
            "soap 1.1",
            envelope("http://schemas.xmlsoap.org/soap/envelope/", "<x/>"),
            "VersionMismatch",
        ),
        (
            "unknown op",
            envelope(ENV, "<sdi:ImporterSagDokumentIndeksInput/>"),
            "unknown operation",
        ),
        (
            "invalid search",
            envelope(ENV, bad_status),
            "FremdriftStatusKode",
        ),
        (
            "no criteria",
            envelope(ENV, "<sdi:FremsoegSagDokumentIndeksInput/>"),
            "invalid search",
        ),
    ];
    let mut prefixes = std::collections::BTreeSet::new();
    for (name, body, reason) in cases {
        let resp = http
            .post(&url)
            .header("Content-Type", "application/soap+xml; charset=utf-8")
            .body(body)
            .send()
            .await
            .expect("send");
        assert_eq!(resp.status(), 400, "{name}");
        let text = resp.text().await.expect("body");
        assert!(text.contains(":Sender</"), "{name}: {text}");
        assert!(text.contains(reason), "{name}: {text}");
        let prefix = text
            .split(":Envelope")
            .next()
            .and_then(|s| s.rsplit('<').next())
            .unwrap_or("")
            .to_owned();
        prefixes.insert(prefix);
    }
    assert!(
        prefixes.len() >= 3,
        "prefixes vary between responses: {prefixes:?}"
    );
    assert!(server.control.total_calls() >= 6);
    server.shutdown().await;
}
