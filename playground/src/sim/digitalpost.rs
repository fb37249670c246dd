//! A simulated Digital Post receiver in the style of SF1601 KombiPostAfsend: `POST
//! /api/kombipostafsend` with a MeMo message as `application/xml`, a bearer token and the
//! message UUID in `Idempotency-Key`. A real server on a loopback port.
//!
//! It keeps every message by UUID (`201 Created`), answers `409 Conflict` for a UUID it already
//! has (and keeps the first copy), `401` for a wrong token, `400` for a body that is not a MeMo
//! message or whose `messageUUID` differs from the header, and obeys its [`Control`] fault
//! switch (`500`, slow answers, `429`). It reads the XML with its own few lines of parsing:
//! nothing is shared with the hub's MeMo code.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

use super::{Control, Fault, RunningServer};

/// The path messages are posted to.
pub const PATH: &str = "/api/kombipostafsend";

/// The messages received, by UUID.
#[derive(Debug, Default)]
pub struct Mailbox {
    messages: Mutex<BTreeMap<String, Vec<u8>>>,
}

impl Mailbox {
    /// The UUIDs received, sorted.
    pub fn uuids(&self) -> Vec<String> {
        self.lock().keys().cloned().collect()
    }
    /// The message with this UUID.
    pub fn get(&self, uuid: &str) -> Option<Vec<u8>> {
        self.lock().get(uuid).cloned()
    }
    /// How many distinct messages were received.
    pub fn len(&self) -> usize {
        self.lock().len()
    }
    /// Whether none was.
    pub fn is_empty(&self) -> bool {
        self.lock().is_empty()
    }
    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, Vec<u8>>> {
        self.messages.lock().unwrap_or_else(|e| e.into_inner())
    }
}

struct Sim {
    token: String,
    control: Arc<Control>,
    mailbox: Arc<Mailbox>,
}

/// A running receiver and its mailbox.
#[derive(Debug)]
pub struct DigitalPostServer {
    /// The server (its address, fault switch and call counts).
    pub server: RunningServer,
    /// What it received.
    pub mailbox: Arc<Mailbox>,
}

impl DigitalPostServer {
    /// The URL to post messages to.
    pub fn url(&self) -> String {
        format!("{}{PATH}", self.server.base_url())
    }
}

/// Start the receiver on `listener`, requiring `token`.
pub async fn spawn(
    token: &str,
    listener: tokio::net::TcpListener,
) -> std::io::Result<DigitalPostServer> {
    let control = Control::new();
    let mailbox = Arc::new(Mailbox::default());
    let sim = Arc::new(Sim {
        token: token.to_owned(),
        control: control.clone(),
        mailbox: mailbox.clone(),
    });
    let router = Router::new()
        .route(PATH, post(receive))
        .route("/api/health", get(|| async { "ok" }))
        .with_state(sim);
    let server = RunningServer::spawn("digitalpost", listener, router, control)?;
    Ok(DigitalPostServer { server, mailbox })
}

fn answer(status: StatusCode, text: &str) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        serde_json::json!({ "status": status.as_u16(), "message": text }).to_string(),
    )
        .into_response()
}

/// The text of the first `<...messageUUID>` element.
fn message_uuid(xml: &str) -> Option<&str> {
    let open = xml.find("messageUUID>")? + "messageUUID>".len();
    let close = xml[open..].find('<')?;
    Some(xml[open..open + close].trim())
}

async fn receive(State(sim): State<Arc<Sim>>, headers: HeaderMap, body: Bytes) -> Response {
    sim.control.count("POST kombipostafsend");
    match sim.control.take_fault() {
        Fault::ServerError | Fault::Truncated => {
            return answer(StatusCode::INTERNAL_SERVER_ERROR, "internal server error");
        }
        Fault::RateLimit { retry_after_secs } => {
            let mut response = answer(StatusCode::TOO_MANY_REQUESTS, "too many requests");
            if let Ok(v) = HeaderValue::from_str(&retry_after_secs.to_string()) {
                response.headers_mut().insert(header::RETRY_AFTER, v);
            }
            return response;
        }
        Fault::Slow(delay) => tokio::time::sleep(delay).await,
        Fault::None => {}
    }
    let expected = format!("Bearer {}", sim.token);
    if headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        != Some(expected.as_str())
    {
        return answer(StatusCode::UNAUTHORIZED, "missing or invalid bearer token");
    }
    let xml_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/xml"));
    if !xml_type {
        return answer(StatusCode::UNSUPPORTED_MEDIA_TYPE, "send application/xml");
    }
    let Ok(xml) = std::str::from_utf8(&body) else {
        return answer(StatusCode::BAD_REQUEST, "the body is not UTF-8");
    };
    let Some(uuid) = message_uuid(xml).map(str::to_owned) else {
        return answer(StatusCode::BAD_REQUEST, "no messageUUID in the message");
    };
    let key = headers.get("idempotency-key").and_then(|v| v.to_str().ok());
    if key.is_some_and(|k| k != uuid) {
        return answer(
            StatusCode::BAD_REQUEST,
            "Idempotency-Key differs from the messageUUID",
        );
    }
    let mut messages = sim.mailbox.lock();
    if messages.contains_key(&uuid) {
        return answer(StatusCode::CONFLICT, "message already received");
    }
    messages.insert(uuid.clone(), body.to_vec());
    answer(StatusCode::CREATED, &format!("received {uuid}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_message_uuid_is_read_from_any_prefix() {
        let xml = "<memo:Message><memo:MessageHeader><memo:messageUUID> 8a1c </memo:messageUUID>";
        assert_eq!(message_uuid(xml), Some("8a1c"));
        assert_eq!(message_uuid("<Message/>"), None);
    }
}
