//! The simulated ESDH: KOMBIT SF1470 SagDokumentIndeks v6 `fremsoeg` over SOAP 1.2, plus a content
//! operation of its own (`HentDokumentIndhold`, namespace `urn:sagshub:playground:sf1470:indhold:1`,
//! schema in `indhold.xsd`).
//!
//! One endpoint, `POST /sagdokumentindeks/6`, `application/soap+xml`. The body child decides the
//! operation: `FremsoegSagDokumentIndeksInput` (counted as `fremsoeg:Sag` or
//! `fremsoeg:DokumentIndeks`) or `HentDokumentIndhold`. Malformed XML, a DOCTYPE, a wrong envelope
//! namespace, an unknown operation or an invalid search give a `Sender` fault (HTTP 400). Prefixes
//! rotate between responses. See [`request`] for what a search may say and [`response`] for where
//! the data sits in the schema.

pub mod request;
pub mod response;
pub mod xml;

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use base64::Engine;
use uuid::Uuid;

use self::request::{DokCrit, Expr, Fremsoeg, SagCrit};
use self::xml::{El, Ns, Writer, uri};
use super::{Control, Fault, RunningServer};
use crate::municipality::{Municipality, SimCase, render};

/// The XSD of the playground's own additions (content operation, document extension).
pub const INDHOLD_XSD: &str = include_str!("indhold.xsd");

/// The path the service is served on.
pub const PATH: &str = "/sagdokumentindeks/6";

struct Esdh {
    muni: Arc<Municipality>,
    /// Indices of this system's cases, in sagsnummer order.
    cases: Vec<usize>,
    by_uuid: HashMap<Uuid, usize>,
    docs: HashMap<Uuid, (usize, usize)>,
    sizes: Mutex<HashMap<Uuid, usize>>,
    control: Arc<Control>,
    responses: AtomicUsize,
}

/// Serve `system`'s slice of `muni` as an SF1470 ESDH on `listener`.
pub async fn spawn(
    muni: Arc<Municipality>,
    system: &str,
    listener: tokio::net::TcpListener,
) -> std::io::Result<RunningServer> {
    let control = Control::new();
    let mut cases: Vec<usize> = muni.cases_of_system(system).map(|c| c.id).collect();
    cases.sort_by(|a, b| muni.cases[*a].sagsnummer.cmp(&muni.cases[*b].sagsnummer));
    let by_uuid = cases.iter().map(|i| (muni.cases[*i].uuid, *i)).collect();
    let docs = cases
        .iter()
        .flat_map(|i| {
            muni.cases[*i]
                .documents
                .iter()
                .enumerate()
                .map(move |(j, d)| (d.uuid, (*i, j)))
        })
        .collect();
    let state = Arc::new(Esdh {
        muni,
        cases,
        by_uuid,
        docs,
        sizes: Mutex::default(),
        control: control.clone(),
        responses: AtomicUsize::new(0),
    });
    let router = axum::Router::new()
        .route(PATH, post(handle))
        .with_state(state);
    RunningServer::spawn(system, listener, router, control)
}

/// A SOAP fault to answer with.
struct SoapFault {
    status: StatusCode,
    sender: bool,
    subcode: Option<&'static str>,
    reason: String,
}

impl SoapFault {
    fn sender(reason: impl Into<String>) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            sender: true,
            subcode: None,
            reason: reason.into(),
        }
    }
}

enum Op {
    Fremsoeg(Box<Fremsoeg>),
    Indhold(Uuid),
}

fn read_request(body: &[u8]) -> Result<(Option<String>, Op), SoapFault> {
    let root = xml::parse(body).map_err(|e| SoapFault::sender(e.to_string()))?;
    if root.local != "Envelope" {
        return Err(SoapFault::sender(
            "the root element must be a SOAP 1.2 Envelope",
        ));
    }
    if root.ns != uri::SOAP {
        return Err(SoapFault {
            subcode: None,
            ..SoapFault::sender("VersionMismatch: expected the SOAP 1.2 envelope namespace")
        });
    }
    let transaction = root
        .path(&[
            (uri::SOAP, "Header"),
            (uri::HDR, "RequestHeader"),
            (uri::HDR, "TransactionUUID"),
        ])
        .map(|t| t.value().to_owned());
    let body = root
        .child(uri::SOAP, "Body")
        .ok_or_else(|| SoapFault::sender("no SOAP Body"))?;
    let op = body
        .children
        .first()
        .ok_or_else(|| SoapFault::sender("empty SOAP Body"))?;
    let parsed = if op.is(uri::SDI, "FremsoegSagDokumentIndeksInput") {
        Op::Fremsoeg(Box::new(
            request::parse_fremsoeg(op).map_err(|e| SoapFault::sender(e.to_string()))?,
        ))
    } else if op.is(uri::IND, "HentDokumentIndhold") {
        let id = op
            .child(uri::IND, "DokumentUUID")
            .map(El::value)
            .unwrap_or_default();
        Op::Indhold(
            Uuid::parse_str(id).map_err(|_| SoapFault::sender("DokumentUUID is not a UUID"))?,
        )
    } else {
        return Err(SoapFault::sender(format!(
            "unknown operation {{{}}}{}",
            op.ns, op.local
        )));
    };
    Ok((transaction, parsed))
}

fn operation_name(body: &[u8], parsed: &Result<(Option<String>, Op), SoapFault>) -> &'static str {
    match parsed {
        Ok((_, Op::Fremsoeg(q))) if q.is_documents() => "fremsoeg:DokumentIndeks",
        Ok((_, Op::Fremsoeg(_))) => "fremsoeg:Sag",
        Ok((_, Op::Indhold(_))) => "HentDokumentIndhold",
        Err(_) if body.windows(8).any(|w| w == b"Fremsoeg") => "fremsoeg",
        Err(_) => "invalid",
    }
}

async fn handle(State(esdh): State<Arc<Esdh>>, headers: HeaderMap, body: Bytes) -> Response {
    let variant = esdh.responses.fetch_add(1, Ordering::Relaxed);
    let soap_ct = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().starts_with("application/soap+xml"));
    let parsed = if soap_ct {
        read_request(&body)
    } else {
        Err(SoapFault {
            status: StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ..SoapFault::sender("Content-Type must be application/soap+xml")
        })
    };
    esdh.control.count(operation_name(&body, &parsed));
    match esdh.control.take_fault() {
        Fault::None => {}
        Fault::Slow(d) => tokio::time::sleep(d).await,
        Fault::RateLimit { retry_after_secs } => {
            let fault = SoapFault {
                status: StatusCode::SERVICE_UNAVAILABLE,
                sender: false,
                subcode: None,
                reason: "for mange kald; prøv igen senere".into(),
            };
            let mut resp = fault_response(variant, None, &fault);
            if let Ok(v) = HeaderValue::from_str(&retry_after_secs.to_string()) {
                resp.headers_mut().insert(header::RETRY_AFTER, v);
            }
            return resp;
        }
        Fault::ServerError => {
            let fault = SoapFault {
                status: StatusCode::INTERNAL_SERVER_ERROR,
                sender: false,
                subcode: None,
                reason: "intern fejl i ESDH".into(),
            };
            return fault_response(variant, None, &fault);
        }
        Fault::Truncated => {
            let mut resp = answer(&esdh, variant, parsed);
            let (parts, body) = resp.into_parts();
            let bytes = axum::body::to_bytes(body, usize::MAX)
                .await
                .unwrap_or_default();
            resp = Response::from_parts(
                parts,
                axum::body::Body::from(bytes.slice(..bytes.len() / 2)),
            );
            resp.headers_mut().remove(header::CONTENT_LENGTH);
            return resp;
        }
    }
    answer(&esdh, variant, parsed)
}

fn answer(
    esdh: &Esdh,
    variant: usize,
    parsed: Result<(Option<String>, Op), SoapFault>,
) -> Response {
    let (transaction, op) = match parsed {
        Ok(p) => p,
        Err(fault) => return fault_response(variant, None, &fault),
    };
    let result = match op {
        Op::Fremsoeg(q) => Ok(fremsoeg(esdh, variant, transaction.as_deref(), &q)),
        Op::Indhold(id) => indhold(esdh, variant, transaction.as_deref(), id),
    };
    match result {
        Ok(xml) => soap_response(StatusCode::OK, xml),
        Err(fault) => fault_response(variant, transaction.as_deref(), &fault),
    }
}

fn soap_response(status: StatusCode, xml: String) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/soap+xml; charset=utf-8")],
        xml,
    )
        .into_response()
}

fn envelope_start(w: &mut Writer, transaction: Option<&str>) {
    w.open(Ns::Soap, "Envelope");
    if let Some(t) = transaction {
        w.open(Ns::Soap, "Header")
            .open(Ns::Hdr, "RequestHeader")
            .leaf(Ns::Hdr, "TransactionUUID", t)
            .close(Ns::Hdr, "RequestHeader")
            .close(Ns::Soap, "Header");
    }
    w.open(Ns::Soap, "Body");
}

fn envelope_end(w: &mut Writer) {
    w.close(Ns::Soap, "Body").close(Ns::Soap, "Envelope");
}

fn fault_response(variant: usize, transaction: Option<&str>, f: &SoapFault) -> Response {
    let mut w = Writer::new(variant);
    envelope_start(&mut w, transaction);
    let soap = w.prefix(Ns::Soap);
    w.open(Ns::Soap, "Fault").open(Ns::Soap, "Code");
    w.leaf(
        Ns::Soap,
        "Value",
        &format!("{soap}:{}", if f.sender { "Sender" } else { "Receiver" }),
    );
    if let Some(sub) = f.subcode {
        let ind = w.prefix(Ns::Ind);
        w.open(Ns::Soap, "Subcode")
            .leaf(Ns::Soap, "Value", &format!("{ind}:{sub}"))
            .close(Ns::Soap, "Subcode");
    }
    w.close(Ns::Soap, "Code");
    w.open(Ns::Soap, "Reason")
        .leaf_lang(Ns::Soap, "Text", "da", &f.reason)
        .close(Ns::Soap, "Reason");
    w.close(Ns::Soap, "Fault");
    envelope_end(&mut w);
    soap_response(f.status, w.finish())
}

fn words_match(words: &[String], hay: &[&str]) -> bool {
    words
        .iter()
        .all(|word| hay.iter().any(|h| h.to_lowercase().contains(word.as_str())))
}

fn sag_matches(m: &Municipality, c: &SimCase, k: &SagCrit) -> bool {
    let party_urns: Vec<String> = std::iter::once(c.primary)
        .chain(c.secondary.iter().copied())
        .filter_map(|i| m.citizens.get(i))
        .map(|p| response::cpr_urn(&p.cpr))
        .collect();
    let dept = m.department(c.department);
    let aktoer_keys = [
        Some(response::object_uuid("enhed", c.department).to_string()),
        Some(c.department.to_owned()),
        dept.map(|d| d.name.to_owned()),
        m.staff.get(c.caseworker).map(|s| s.name.clone()),
        m.staff
            .get(c.caseworker)
            .map(|s| response::object_uuid("bruger", &s.id.to_string()).to_string()),
    ];
    words_match(&k.words, &[&c.title, &c.sagsnummer])
        && k.sagsnummer.as_ref().is_none_or(|s| *s == c.sagsnummer)
        && k.status
            .as_deref()
            .is_none_or(|s| s == response::status_code(c.status))
        && k.kle_prefix
            .as_ref()
            .is_none_or(|p| c.kle.starts_with(p.as_str()))
        && k.facet.as_ref().is_none_or(|f| *f == c.handlingsfacet)
        && k.parties.iter().all(|p| party_urns.contains(p))
        && k.aktoer.iter().all(|a| {
            aktoer_keys
                .iter()
                .flatten()
                .any(|key| key.eq_ignore_ascii_case(a))
        })
        && k.reg_from.is_none_or(|t| c.updated_at >= t)
        && k.reg_to.is_none_or(|t| c.updated_at < t)
}

fn eval_sag(m: &Municipality, c: &SimCase, e: &Expr) -> bool {
    match e {
        Expr::And(v) => v.iter().all(|e| eval_sag(m, c, e)),
        Expr::Or(v) => v.iter().any(|e| eval_sag(m, c, e)),
        Expr::Not(e) => !eval_sag(m, c, e),
        Expr::Sag(k) => sag_matches(m, c, k),
        Expr::Dok(_) => false,
    }
}

fn dok_matches(c: &SimCase, d: &crate::municipality::SimDocument, k: &DokCrit) -> bool {
    k.cases.iter().all(|u| *u == c.uuid) && words_match(&k.words, &[&d.title])
}

fn eval_dok(c: &SimCase, d: &crate::municipality::SimDocument, e: &Expr) -> bool {
    match e {
        Expr::And(v) => v.iter().all(|e| eval_dok(c, d, e)),
        Expr::Or(v) => v.iter().any(|e| eval_dok(c, d, e)),
        Expr::Not(e) => !eval_dok(c, d, e),
        Expr::Dok(k) => dok_matches(c, d, k),
        Expr::Sag(_) => false,
    }
}

fn size_of(esdh: &Esdh, c: usize, j: usize) -> usize {
    let doc = &esdh.muni.cases[c].documents[j];
    if let Some(size) = esdh
        .sizes
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .get(&doc.uuid)
    {
        return *size;
    }
    // Rendered outside the lock, so concurrent listings do not queue behind each other.
    let size = render(&esdh.muni, doc).bytes.len();
    esdh.sizes
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(doc.uuid, size);
    size
}

fn fremsoeg(esdh: &Esdh, variant: usize, transaction: Option<&str>, q: &Fremsoeg) -> String {
    let m = &esdh.muni;
    let documents = q.is_documents();
    // (case index, document index) of every hit, in a stable order.
    let mut hits: Vec<(usize, Option<usize>)> = if documents {
        let mut v: Vec<(usize, usize)> = if q.dok_uuids.is_empty() {
            esdh.cases
                .iter()
                .flat_map(|ci| (0..m.cases[*ci].documents.len()).map(move |j| (*ci, j)))
                .collect()
        } else {
            q.dok_uuids
                .iter()
                .filter_map(|u| esdh.docs.get(u).copied())
                .collect()
        };
        if let Some(e) = &q.expr {
            v.retain(|(ci, j)| eval_dok(&m.cases[*ci], &m.cases[*ci].documents[*j], e));
        }
        v.into_iter().map(|(c, j)| (c, Some(j))).collect()
    } else {
        let v: Vec<usize> = if q.sag_uuids.is_empty() {
            esdh.cases.clone()
        } else {
            q.sag_uuids
                .iter()
                .filter_map(|u| esdh.by_uuid.get(u).copied())
                .collect()
        };
        v.into_iter()
            .filter(|ci| {
                q.expr
                    .as_ref()
                    .is_none_or(|e| eval_sag(m, &m.cases[*ci], e))
            })
            .map(|c| (c, None))
            .collect()
    };
    if q.by_registration {
        hits.sort_by(|a, b| {
            (m.cases[a.0].updated_at, m.cases[a.0].uuid)
                .cmp(&(m.cases[b.0].updated_at, m.cases[b.0].uuid))
        });
    }
    let total = hits.len();
    let page: Vec<_> = hits
        .into_iter()
        .skip(q.first)
        .take(q.max.unwrap_or(usize::MAX))
        .collect();

    let mut w = Writer::new(variant);
    envelope_start(&mut w, transaction);
    w.open(Ns::Sdi, "FremsoegSagDokumentIndeksOutput");
    w.open(Ns::Sd, "StandardRetur")
        .leaf(Ns::Sd, "StatusKode", "20")
        .leaf(Ns::Sd, "FejlbeskedTekst", "OK")
        .close(Ns::Sd, "StandardRetur");
    w.open(Ns::Sdi, "Antal");
    w.leaf(
        Ns::Sdi,
        "Element",
        if documents { "dokumenter" } else { "sager" },
    );
    w.leaf(Ns::Sdi, "Antal", &total.to_string());
    w.open(Ns::Sdi, "Paginering");
    w.leaf(Ns::Sd, "FoersteResultatReference", &q.first.to_string());
    w.leaf(
        Ns::Sd,
        "MaksimalAntalKvantitet",
        &q.max.unwrap_or(total.max(1)).to_string(),
    );
    w.close(Ns::Sdi, "Paginering");
    w.close(Ns::Sdi, "Antal");
    for (ci, j) in page {
        let c = &m.cases[ci];
        match j {
            None => response::write_sag(&mut w, m, c, q),
            Some(j) => {
                response::write_dokument(&mut w, c, &c.documents[j], size_of(esdh, ci, j), q)
            }
        }
    }
    w.close(Ns::Sdi, "FremsoegSagDokumentIndeksOutput");
    envelope_end(&mut w);
    w.finish()
}

fn indhold(
    esdh: &Esdh,
    variant: usize,
    transaction: Option<&str>,
    id: Uuid,
) -> Result<String, SoapFault> {
    let (ci, j) = esdh.docs.get(&id).copied().ok_or(SoapFault {
        status: StatusCode::BAD_REQUEST,
        sender: true,
        subcode: Some("DokumentIkkeFundet"),
        reason: "dokumentet findes ikke".into(),
    })?;
    let doc = &esdh.muni.cases[ci].documents[j];
    let rendered = render(&esdh.muni, doc);
    let mut w = Writer::new(variant);
    envelope_start(&mut w, transaction);
    w.open(Ns::Ind, "HentDokumentIndholdResponse");
    w.leaf(Ns::Ind, "MimeType", rendered.mime_type);
    w.leaf(Ns::Ind, "Stoerrelse", &rendered.bytes.len().to_string());
    w.leaf(
        Ns::Ind,
        "Indhold",
        &base64::engine::general_purpose::STANDARD.encode(&rendered.bytes),
    );
    w.close(Ns::Ind, "HentDokumentIndholdResponse");
    envelope_end(&mut w);
    Ok(w.finish())
}
