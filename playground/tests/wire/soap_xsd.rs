//! The simulated SF1470 ESDH answers (and the connector's requests) validate against the vendored
//! KOMBIT schemas, checked with `xmllint` (skipped with a message when it is not installed).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use connectors::PartyKey;
use connectors::soap::requests;
use playground::municipality::{Params, generate};
use playground::sim::soap;

fn xmllint_available() -> bool {
    Command::new("xmllint").arg("--version").output().is_ok()
}

/// The Body's first child as a standalone document: the envelope's namespace declarations moved
/// onto it (both sides declare every namespace on the Envelope).
fn body_child(envelope: &str) -> String {
    let start = envelope.find("Envelope ").expect("envelope start tag");
    let tag_end = start + envelope[start..].find('>').expect("end of envelope tag");
    let decls = &envelope[start + "Envelope ".len()..tag_end];
    let body_open = envelope.find(":Body>").expect("Body") + ":Body>".len();
    let body_close = envelope
        .rfind("</")
        .and_then(|envelope_close| envelope[..envelope_close].rfind("</"))
        .expect("Body end");
    let child = &envelope[body_open..body_close];
    let name_end = child.find([' ', '>', '/']).expect("child name");
    format!("{} {decls}{}", &child[..name_end], &child[name_end..])
}

struct Schemas {
    dir: PathBuf,
}

impl Schemas {
    fn new(tag: &str) -> Self {
        let dir =
            std::env::temp_dir().join(format!("sagshub-soap-xsd-{tag}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let spec = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("spec/sf1470/xsd/6.0.STS-0/SagDokumentIndeksOperationer.xsd");
        let indhold = dir.join("indhold.xsd");
        std::fs::write(&indhold, soap::INDHOLD_XSD).expect("write indhold.xsd");
        let wrapper = format!(
            r#"<?xml version="1.0"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:sagshub:test:wrapper">
  <xs:import namespace="urn:oio:sts:sagdok:sagdokumentindeks:6" schemaLocation="{}"/>
  <xs:import namespace="urn:sagshub:playground:sf1470:indhold:1" schemaLocation="{}"/>
</xs:schema>"#,
            spec.display(),
            indhold.display()
        );
        std::fs::write(dir.join("wrapper.xsd"), wrapper).expect("write wrapper");
        Self { dir }
    }

    fn validate(&self, name: &str, envelope: &str) {
        let doc = self.dir.join(format!("{name}.xml"));
        std::fs::write(&doc, body_child(envelope)).expect("write doc");
        let out = Command::new("xmllint")
            .arg("--noout")
            .arg("--schema")
            .arg(self.dir.join("wrapper.xsd"))
            .arg(&doc)
            .output()
            .expect("run xmllint");
        assert!(
            out.status.success(),
            "{name} does not validate:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

async fn post(url: &str, action: &str, body: String) -> String {
    let resp = reqwest::Client::new()
        .post(url)
        .header(
            "Content-Type",
            format!("application/soap+xml; charset=utf-8; action=\"{action}\""),
        )
        .body(body)
        .send()
        .await
        .expect("send");
    assert!(resp.status().is_success(), "HTTP {}", resp.status());
    resp.text().await.expect("body")
}

#[tokio::test]
async fn responses_validate_against_sf1470_xsd() {
    if !xmllint_available() {
        println!("skipped: xmllint not installed");
        return;
    }
    let muni = Arc::new(generate(&Params::small()));
    let citizen = PartyKey::cpr(&muni.demo_citizen().cpr).expect("cpr");
    let ids: Vec<String> = muni
        .cases_of_system("esdh")
        .map(|c| c.uuid.to_string())
        .collect();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let server = soap::spawn(muni.clone(), "esdh", listener)
        .await
        .expect("spawn");
    let url = format!("{}{}", server.base_url(), soap::PATH);
    let schemas = Schemas::new("responses");
    let action = "http://kombit.dk/sts/sagdokumentindeks/fremsoeg";

    let by_party = post(
        &url,
        action,
        requests::cases_for_parties("t1", std::slice::from_ref(&citizen), 0, 50),
    )
    .await;
    assert!(by_party.contains("SagFiltreretOejebliksbillede"));
    schemas.validate("by_party", &by_party);
    let id_refs: Vec<&str> = ids.iter().map(String::as_str).collect();
    schemas.validate(
        "by_uuid",
        &post(&url, action, requests::cases_by_ids("t2", &id_refs)).await,
    );
    let docs = post(
        &url,
        action,
        requests::documents_of_cases("t3", &id_refs[..3.min(id_refs.len())], 0, 500),
    )
    .await;
    assert!(docs.contains("DokumentFiltreretOejebliksbillede"));
    schemas.validate("dokumenter", &docs);
    schemas.validate(
        "changes",
        &post(&url, action, requests::registered_since("t4", None, 0, 5)).await,
    );
    let doc_id = muni
        .cases_of_system("esdh")
        .flat_map(|c| c.documents.iter())
        .next()
        .expect("a document")
        .uuid
        .to_string();
    schemas.validate(
        "indhold",
        &post(
            &url,
            "HentDokumentIndhold",
            requests::indhold("t5", &doc_id),
        )
        .await,
    );
    server.shutdown().await;
}

#[test]
fn connector_requests_validate_against_sf1470_xsd() {
    if !xmllint_available() {
        println!("skipped: xmllint not installed");
        return;
    }
    let schemas = Schemas::new("requests");
    let parties = [
        PartyKey::cpr("010170-0000").expect("cpr"),
        PartyKey::cvr("12345678").expect("cvr"),
    ];
    let ids = [
        "1b0c1f7e-0000-4000-8000-000000000001",
        "1b0c1f7e-0000-4000-8000-000000000002",
    ];
    let search = connectors::SearchQuery {
        text: Some("bolig & hjælp".into()),
        department: Some("Social og Omsorg".into()),
        kle_prefix: Some("27.24".into()),
        status: Some(connectors::ProgressStatus::Oplyst),
        limit: 10,
    };
    schemas.validate(
        "parties",
        &requests::cases_for_parties("t", &parties, 0, 500),
    );
    schemas.validate("ids", &requests::cases_by_ids("t", &ids));
    schemas.validate(
        "documents",
        &requests::documents_of_cases("t", &ids, 0, 500),
    );
    schemas.validate("search", &requests::search("t", &search, 10));
    schemas.validate(
        "since",
        &requests::registered_since("t", Some(chrono_now()), 3, 100),
    );
    schemas.validate("health", &requests::health("t"));
    schemas.validate("indhold", &requests::indhold("t", ids[0]));
}

fn chrono_now() -> chrono::DateTime<chrono::Utc> {
    chrono::Utc::now()
}
