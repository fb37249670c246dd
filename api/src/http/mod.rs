//! The axum router: `/graphql`, `/graphql/ws` (subscriptions), `/bundles/{id}` (a request's
//! PDF bundle), `/playground`, `/healthz`, `/readyz`.

pub mod bundles;
pub mod graphql;
pub mod ws;

use std::sync::Arc;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use sea_orm::ConnectionTrait;
use serde_json::json;

use crate::auth::Verifier;
use crate::settings::Settings;

/// Shared state of the HTTP layer.
pub struct AppState {
    /// The schema.
    pub schema: schema::AppSchema,
    /// The services behind it.
    pub services: Arc<schema::Services>,
    /// Token verification.
    pub verifier: Verifier,
    /// Most operations in one batch.
    pub max_batch: usize,
    /// GraphQL request timeout.
    pub request_timeout_ms: u64,
    /// Settings of the GraphiQL page.
    pub playground: crate::settings::PlaygroundSettings,
}

/// Build the router.
pub fn router(state: Arc<AppState>, settings: &Settings) -> Router {
    let mut router = Router::new()
        .route("/graphql", get(graphql::get).post(graphql::post))
        .route("/graphql/ws", get(ws::upgrade))
        .route("/bundles/{id}", get(bundles::download))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz));
    if settings.playground.enabled {
        router = router
            .route("/playground", get(playground_page))
            .route("/playground/assets/{name}", get(playground_asset));
    }
    router
        .layer(DefaultBodyLimit::max(settings.server.body_limit_bytes))
        .with_state(state)
}

async fn healthz() -> impl IntoResponse {
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json")],
        json!({ "status": "ok" }).to_string(),
    )
}

/// Ready when the store answers. Systems are reported from the last background probe (a down
/// system does not make the hub unready: it still serves the others); nothing is probed here, so
/// a load balancer's polling never reaches the case systems.
async fn readyz(State(state): State<Arc<AppState>>) -> Response {
    let store_ok = state
        .services
        .store
        .execute_unprepared("SELECT 1")
        .await
        .is_ok();
    let systems: Vec<_> = schema::services::health::last_recorded(&state.services)
        .await
        .into_iter()
        .map(|(id, row)| match row {
            Some(r) => json!({ "id": id.as_str(), "up": r.up, "circuitOpen": r.circuit_open, "checkedAt": r.checked_at }),
            None => json!({ "id": id.as_str(), "up": false, "circuitOpen": false, "checkedAt": null }),
        })
        .collect();
    let status = if store_ok {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let body = json!({ "status": if store_ok { "ready" } else { "store unavailable" }, "store": store_ok, "systems": systems });
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
}

async fn playground_page(State(state): State<Arc<AppState>>) -> Response {
    let html = playground::graphiql::page(
        "/graphql",
        "/playground/assets",
        state.playground.default_headers.as_deref(),
        state.playground.default_variables.as_deref(),
    );
    let mut response = Html(html).into_response();
    response.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'"),
    );
    response
}

async fn playground_asset(Path(name): Path<String>) -> Response {
    match playground::graphiql::asset(&name) {
        Some((content_type, bytes)) => (
            [
                (header::CONTENT_TYPE, content_type),
                (header::CACHE_CONTROL, "public, max-age=86400"),
            ],
            bytes,
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}
