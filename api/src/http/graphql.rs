//! `/graphql` per the GraphQL-over-HTTP specification.
//!
//! - POST with a JSON body (one request object, or an array for batching up to
//!   `graphql.max_batch`), GET with `query`/`operationName`/`variables`/`extensions` parameters.
//! - `Accept` negotiation: `application/graphql-response+json` (preferred when asked for) or
//!   `application/json` (also for a missing `Accept` or `*/*`); anything else is 406.
//! - GET never runs a mutation: 405 with `Allow: POST`.
//! - Under `application/graphql-response+json` a request that fails before execution (cannot be
//!   parsed or validated) is 400; under `application/json` it is 200, as the spec says for legacy
//!   clients. A body that is not a GraphQL request at all is 400 either way.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use async_graphql::parser::types::OperationType;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::AppState;

const GRAPHQL_RESPONSE: &str = "application/graphql-response+json";
const JSON: &str = "application/json";

/// The media type chosen for the response.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum MediaType {
    /// `application/graphql-response+json`.
    GraphqlResponse,
    /// `application/json`.
    Json,
}

impl MediaType {
    fn as_str(self) -> &'static str {
        match self {
            Self::GraphqlResponse => GRAPHQL_RESPONSE,
            Self::Json => JSON,
        }
    }
}

/// Choose a media type from `Accept`; `None`: nothing we can produce is acceptable.
pub fn negotiate(accept: Option<&str>) -> Option<MediaType> {
    let Some(accept) = accept.map(str::trim).filter(|a| !a.is_empty()) else {
        return Some(MediaType::Json);
    };
    let mut best: Option<(f32, MediaType)> = None;
    for part in accept.split(',') {
        let mut pieces = part.split(';').map(str::trim);
        let range = pieces.next().unwrap_or_default().to_ascii_lowercase();
        let q = pieces
            .filter_map(|p| p.strip_prefix("q="))
            .next()
            .and_then(|q| q.parse::<f32>().ok())
            .unwrap_or(1.0);
        if q <= 0.0 {
            continue;
        }
        let candidate = match range.as_str() {
            GRAPHQL_RESPONSE => MediaType::GraphqlResponse,
            JSON | "application/*" | "*/*" => MediaType::Json,
            _ => continue,
        };
        // Prefer graphql-response+json at equal quality.
        let better = match best {
            None => true,
            Some((bq, bm)) => {
                q > bq || (q == bq && candidate == MediaType::GraphqlResponse && bm != candidate)
            }
        };
        if better {
            best = Some((q, candidate));
        }
    }
    best.map(|(_, m)| m)
}

fn error_body(code: &str, message: &str) -> Value {
    json!({ "errors": [{ "message": message, "extensions": { "code": code } }] })
}

/// A response with a body of our own making (before any GraphQL ran).
fn reply(status: StatusCode, media: MediaType, body: &Value) -> Response {
    let mut response = (status, body.to_string()).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(media.as_str()),
    );
    response
}

/// `GET /graphql`.
pub async fn get(
    State(state): State<Arc<AppState>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Query(params): Query<Vec<(String, String)>>,
) -> Response {
    let Some(media) = negotiate(header_str(&headers, header::ACCEPT)) else {
        return (
            StatusCode::NOT_ACCEPTABLE,
            "accept application/graphql-response+json or application/json",
        )
            .into_response();
    };
    let mut object = serde_json::Map::new();
    for (key, value) in params {
        let value = match key.as_str() {
            "variables" | "extensions" => match serde_json::from_str::<Value>(&value) {
                Ok(v) => v,
                Err(_) => {
                    return reply(
                        StatusCode::BAD_REQUEST,
                        media,
                        &error_body("BAD_REQUEST", &format!("`{key}` is not JSON")),
                    );
                }
            },
            _ => Value::String(value),
        };
        object.insert(key, value);
    }
    let request = match parse_one(Value::Object(object)) {
        Ok(r) => r,
        Err(message) => {
            return reply(
                StatusCode::BAD_REQUEST,
                media,
                &error_body("BAD_REQUEST", &message),
            );
        }
    };
    if is_mutation(&request) {
        let mut response = reply(
            StatusCode::METHOD_NOT_ALLOWED,
            media,
            &error_body(
                "METHOD_NOT_ALLOWED",
                "mutations are only accepted with POST",
            ),
        );
        response
            .headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("POST"));
        return response;
    }
    execute(&state, peer, &headers, media, Batch::One(Box::new(request))).await
}

/// `POST /graphql`.
pub async fn post(
    State(state): State<Arc<AppState>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some(media) = negotiate(header_str(&headers, header::ACCEPT)) else {
        return (
            StatusCode::NOT_ACCEPTABLE,
            "accept application/graphql-response+json or application/json",
        )
            .into_response();
    };
    let content_type = header_str(&headers, header::CONTENT_TYPE)
        .unwrap_or_default()
        .to_ascii_lowercase();
    if !content_type.starts_with(JSON) {
        return reply(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            media,
            &error_body(
                "UNSUPPORTED_MEDIA_TYPE",
                "POST bodies must be application/json",
            ),
        );
    }
    let value: Value = match serde_json::from_slice(&body) {
        Ok(v) => v,
        Err(_) => {
            return reply(
                StatusCode::BAD_REQUEST,
                media,
                &error_body("BAD_REQUEST", "the body is not valid JSON"),
            );
        }
    };
    let batch = match value {
        Value::Array(items) => {
            if items.is_empty() {
                return reply(
                    StatusCode::BAD_REQUEST,
                    media,
                    &error_body("BAD_REQUEST", "an empty batch"),
                );
            }
            if items.len() > state.max_batch {
                return reply(
                    StatusCode::BAD_REQUEST,
                    media,
                    &error_body(
                        "BATCH_TOO_LARGE",
                        &format!("at most {} operations in one batch", state.max_batch),
                    ),
                );
            }
            let mut requests = Vec::with_capacity(items.len());
            for item in items {
                match parse_one(item) {
                    Ok(r) => requests.push(r),
                    Err(message) => {
                        return reply(
                            StatusCode::BAD_REQUEST,
                            media,
                            &error_body("BAD_REQUEST", &message),
                        );
                    }
                }
            }
            Batch::Many(requests)
        }
        other => match parse_one(other) {
            Ok(r) => Batch::One(Box::new(r)),
            Err(message) => {
                return reply(
                    StatusCode::BAD_REQUEST,
                    media,
                    &error_body("BAD_REQUEST", &message),
                );
            }
        },
    };
    execute(&state, peer, &headers, media, batch).await
}

enum Batch {
    One(Box<async_graphql::Request>),
    Many(Vec<async_graphql::Request>),
}

fn parse_one(value: Value) -> Result<async_graphql::Request, String> {
    let Value::Object(map) = &value else {
        return Err("a GraphQL request is a JSON object".into());
    };
    match map.get("query") {
        Some(Value::String(_)) => {}
        Some(_) => return Err("`query` must be a string".into()),
        None => return Err("`query` is missing".into()),
    }
    for key in ["variables", "extensions"] {
        if let Some(v) = map.get(key)
            && !(v.is_object() || v.is_null())
        {
            return Err(format!("`{key}` must be an object"));
        }
    }
    if let Some(v) = map.get("operationName")
        && !(v.is_string() || v.is_null())
    {
        return Err("`operationName` must be a string".into());
    }
    serde_json::from_value(value).map_err(|_| "not a GraphQL request".into())
}

fn is_mutation(request: &async_graphql::Request) -> bool {
    let Ok(doc) = async_graphql::parser::parse_query(&request.query) else {
        return false; // execution reports the parse error
    };
    let mut operations = doc.operations.iter();
    let chosen = match &request.operation_name {
        Some(name) => operations
            .find(|(n, _)| n.is_some_and(|n| n.as_str() == name))
            .map(|(_, op)| op),
        None => operations.next().map(|(_, op)| op),
    };
    chosen.is_some_and(|op| op.node.ty == OperationType::Mutation)
}

fn header_str(headers: &HeaderMap, name: header::HeaderName) -> Option<&str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

fn failed_before_execution(response: &async_graphql::Response) -> bool {
    response.data == async_graphql::Value::Null
        && !response.errors.is_empty()
        && response.errors.iter().all(|e| {
            e.extensions
                .as_ref()
                .and_then(|x| x.get("code"))
                .is_some_and(|c| matches!(c, async_graphql::Value::String(s) if schema::PRE_EXECUTION_CODES.contains(&s.as_str())))
        })
}

async fn execute(
    state: &AppState,
    peer: SocketAddr,
    headers: &HeaderMap,
    media: MediaType,
    batch: Batch,
) -> Response {
    let viewer = match state
        .verifier
        .viewer(header_str(headers, header::AUTHORIZATION))
        .await
    {
        Ok(v) => v,
        Err(crate::auth::AuthError::KeysUnavailable) => {
            // Not the client's fault: the identity provider's keys cannot be fetched right now.
            tracing::warn!("token not checked: the identity provider's keys are unavailable");
            let mut response = reply(
                StatusCode::SERVICE_UNAVAILABLE,
                media,
                &error_body(
                    "IDENTITY_PROVIDER_UNAVAILABLE",
                    &crate::auth::AuthError::KeysUnavailable.to_string(),
                ),
            );
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
            return response;
        }
        Err(error) => {
            tracing::info!(%error, "token refused");
            let mut response = reply(
                StatusCode::UNAUTHORIZED,
                media,
                &error_body("UNAUTHENTICATED", &error.to_string()),
            );
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            return response;
        }
    };
    let timeout = Duration::from_millis(state.request_timeout_ms);
    let request_id = uuid::Uuid::new_v4().to_string();
    tracing::debug!(%request_id, role = ?viewer.role, "graphql request");
    let meta = schema::services::audit::RequestMeta {
        request_id,
        client_addr: Some(peer.ip().to_string()),
    };
    let run = |request: async_graphql::Request| {
        let request = schema::prepare(request, viewer.clone(), meta.clone(), &state.services);
        let schema = state.schema.clone();
        async move {
            match tokio::time::timeout(timeout, schema.execute(request)).await {
                Ok(response) => response,
                Err(_) => async_graphql::Response::from_errors(vec![{
                    let mut e = async_graphql::ServerError::new(
                        "the request took too long and was stopped",
                        None,
                    );
                    let mut ext = async_graphql::ErrorExtensionValues::default();
                    ext.set("code", "TIMEOUT");
                    e.extensions = Some(ext);
                    e
                }]),
            }
        }
    };
    let (status, body) = match batch {
        Batch::One(request) => {
            let response = run(*request).await;
            let status =
                if media == MediaType::GraphqlResponse && failed_before_execution(&response) {
                    StatusCode::BAD_REQUEST
                } else {
                    StatusCode::OK
                };
            (status, serde_json::to_value(&response))
        }
        Batch::Many(requests) => {
            let responses = futures::future::join_all(requests.into_iter().map(run)).await;
            (StatusCode::OK, serde_json::to_value(&responses))
        }
    };
    match body {
        Ok(body) => reply(status, media, &body),
        Err(error) => {
            tracing::error!(%error, "could not serialise a response");
            reply(
                StatusCode::INTERNAL_SERVER_ERROR,
                media,
                &error_body("INTERNAL", "internal error"),
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_negotiation() {
        assert_eq!(negotiate(None), Some(MediaType::Json));
        assert_eq!(negotiate(Some("application/json")), Some(MediaType::Json));
        assert_eq!(
            negotiate(Some(
                "application/graphql-response+json, application/json;q=0.9"
            )),
            Some(MediaType::GraphqlResponse)
        );
        assert_eq!(
            negotiate(Some(
                "application/json, application/graphql-response+json;q=0.5"
            )),
            Some(MediaType::Json)
        );
        assert_eq!(negotiate(Some("*/*")), Some(MediaType::Json));
        assert_eq!(negotiate(Some("text/html")), None);
        assert_eq!(negotiate(Some("application/json;q=0")), None);
    }
}
