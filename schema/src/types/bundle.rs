//! `AccessRequest.bundle` and `AccessRequest.delivery`: the PDF made for a decided request
//! and the Digital Post message that carried it.

use async_graphql::{Enum, SimpleObject};
use chrono::{DateTime, Utc};

/// A version of a request's bundle (the PDF the requester receives).
#[derive(SimpleObject)]
#[graphql(name = "Bundle")]
pub struct BundleNode {
    /// 1, or 2 and up after a re-issue.
    pub version: i32,
    /// Pages in the PDF (front matter and documents).
    pub pages: i32,
    /// Size of the PDF in bytes.
    pub bytes: i64,
    /// When it was made.
    pub created_at: DateTime<Utc>,
    /// Where the requester and the request's caseworkers download it (`GET`, with the same
    /// bearer token as for GraphQL), relative to the API's origin.
    pub download_url: String,
}

impl BundleNode {
    /// From the stored row; `request_gid` is the request's global id.
    pub fn from_row(row: &entities::bundle::Model, request_gid: &str) -> Self {
        Self {
            version: row.version,
            pages: row.pages,
            bytes: row.bytes,
            created_at: row.created_at,
            download_url: format!("/bundles/{request_gid}?version={}", row.version),
        }
    }
}

/// Where a Digital Post message is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
pub enum DeliveryState {
    /// Recorded; not yet accepted by Digital Post (it will be retried).
    Queued,
    /// Accepted by Digital Post.
    Sent,
    /// Refused for good (too large, refused by the receiver); see `error`.
    Failed,
}

/// The Digital Post message that delivered (or is delivering) the latest bundle.
#[derive(SimpleObject)]
#[graphql(name = "Delivery")]
pub struct DeliveryNode {
    /// Where it is.
    pub state: DeliveryState,
    /// The transport (`outbox`, `http`).
    pub transport: String,
    /// The bundle version it carries.
    pub version: i32,
    /// The MeMo message UUID (the same for every attempt, so it is sent once).
    pub message_uuid: String,
    /// When Digital Post accepted it.
    pub sent_at: Option<DateTime<Utc>>,
    /// Why the last attempt failed (caseworkers only).
    pub error: Option<String>,
}

impl DeliveryNode {
    /// From the stored row; `staff` sees the error text.
    pub fn from_row(row: &entities::delivery::Model, staff: bool) -> Self {
        let state = match row.state.as_str() {
            "SENT" => DeliveryState::Sent,
            "FAILED" => DeliveryState::Failed,
            _ => DeliveryState::Queued,
        };
        Self {
            state,
            transport: row.transport.clone(),
            version: row.version,
            message_uuid: row.message_uuid.clone(),
            sent_at: row.sent_at,
            error: if staff { row.error.clone() } else { None },
        }
    }
}
