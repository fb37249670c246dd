//! `/graphql/ws`: subscriptions over WebSocket (graphql-transport-ws, and the older
//! graphql-ws protocol), for request status and job progress.
//!
//! Browsers cannot set headers on a WebSocket, so the token travels in the `connection_init`
//! payload as `{"Authorization": "Bearer …"}`; it is verified there, once per connection, with
//! the same verifier as `/graphql`. A bad token closes the connection with the error.

use std::net::SocketAddr;
use std::sync::Arc;

use async_graphql::http::ALL_WEBSOCKET_PROTOCOLS;
use async_graphql_axum::{GraphQLProtocol, GraphQLWebSocket};
use axum::extract::ws::WebSocketUpgrade;
use axum::extract::{ConnectInfo, State};
use axum::response::Response;

use super::AppState;

/// Upgrade to a GraphQL WebSocket.
pub async fn upgrade(
    State(state): State<Arc<AppState>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    protocol: GraphQLProtocol,
    upgrade: WebSocketUpgrade,
) -> Response {
    upgrade
        .protocols(ALL_WEBSOCKET_PROTOCOLS)
        .on_upgrade(move |socket| {
            let schema = state.schema.clone();
            GraphQLWebSocket::new(socket, schema, protocol)
                .on_connection_init(move |payload| init(state, peer, payload))
                .serve()
        })
}

async fn init(
    state: Arc<AppState>,
    peer: SocketAddr,
    payload: serde_json::Value,
) -> async_graphql::Result<async_graphql::Data> {
    let header = ["Authorization", "authorization"]
        .iter()
        .find_map(|k| payload.get(*k).and_then(|v| v.as_str()));
    let viewer = state.verifier.viewer(header).await.map_err(|error| {
        tracing::info!(%error, "subscription token refused");
        async_graphql::Error::new(format!("UNAUTHENTICATED: {error}"))
    })?;
    let meta = schema::services::audit::RequestMeta {
        request_id: uuid::Uuid::new_v4().to_string(),
        client_addr: Some(peer.ip().to_string()),
    };
    Ok(schema::connection_data(viewer, meta, &state.services))
}
