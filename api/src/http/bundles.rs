//! `GET /bundles/{id}` — the PDF bundle of an access request (`id` is `AccessRequest.id`,
//! `?version=` picks an earlier version; the latest by default).
//!
//! Only the token is handled here: who may download, and the audit event `bundle.downloaded`,
//! are decided by `schema::services::bundling::download` under the same rules as
//! `accessRequest(id)`. Answers: `200` with `application/pdf` as an attachment; `401` for a
//! missing or refused token; `404` for a request or bundle that does not exist or is not
//! visible; `503` when the store cannot answer.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use schema::services::bundling::{self, DownloadError};
use serde::Deserialize;
use serde_json::json;

use super::AppState;

/// The query string.
#[derive(Debug, Deserialize)]
pub struct BundleQuery {
    /// A bundle version; the latest when absent.
    pub version: Option<i32>,
}

fn error(status: StatusCode, code: &str, message: &str) -> Response {
    let body = json!({ "errors": [{ "message": message, "extensions": { "code": code } }] });
    let mut response = (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response();
    if status == StatusCode::UNAUTHORIZED {
        response
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    }
    response
}

/// The handler.
pub async fn download(
    State(state): State<Arc<AppState>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path(id): Path<String>,
    Query(query): Query<BundleQuery>,
    headers: HeaderMap,
) -> Response {
    let authorization = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    let viewer = match state.verifier.viewer(authorization).await {
        Ok(v) => v,
        Err(crate::auth::AuthError::KeysUnavailable) => {
            return error(
                StatusCode::SERVICE_UNAVAILABLE,
                "IDENTITY_PROVIDER_UNAVAILABLE",
                &crate::auth::AuthError::KeysUnavailable.to_string(),
            );
        }
        Err(e) => {
            tracing::info!(error = %e, "token refused");
            return error(StatusCode::UNAUTHORIZED, "UNAUTHENTICATED", &e.to_string());
        }
    };
    let Some(schema::ids::GlobalId::AccessRequest { id: request_id }) =
        schema::ids::GlobalId::decode(&id)
    else {
        return error(StatusCode::NOT_FOUND, "NOT_FOUND", "no such bundle");
    };
    let meta = schema::services::audit::RequestMeta {
        request_id: uuid::Uuid::new_v4().to_string(),
        client_addr: Some(peer.ip().to_string()),
    };
    match bundling::download(&state.services, &viewer, meta, &request_id, query.version).await {
        Ok(bundle) => {
            let disposition = format!("attachment; filename=\"{}\"", bundle.file_name);
            let mut response = (
                StatusCode::OK,
                [
                    (header::CONTENT_TYPE, "application/pdf"),
                    (header::CACHE_CONTROL, "private, no-store"),
                ],
                bundle.bytes,
            )
                .into_response();
            if let Ok(v) = HeaderValue::from_str(&disposition) {
                response
                    .headers_mut()
                    .insert(header::CONTENT_DISPOSITION, v);
            }
            response
        }
        Err(e @ DownloadError::Unauthenticated) => {
            error(StatusCode::UNAUTHORIZED, "UNAUTHENTICATED", &e.to_string())
        }
        Err(e @ DownloadError::NotFound) => {
            error(StatusCode::NOT_FOUND, "NOT_FOUND", &e.to_string())
        }
        Err(e @ DownloadError::Unavailable) => {
            error(StatusCode::SERVICE_UNAVAILABLE, "INTERNAL", &e.to_string())
        }
    }
}
