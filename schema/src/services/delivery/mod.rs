//! Delivery of a bundle by Digital Post: the `deliver` job, its settings and the transports.
//!
//! The job builds the MeMo 1.2 message ([`pipeline::memo::message`]) with the municipality as
//! sender, the citizen as recipient, the aktindsigt's case number and KLE data, and the bundle
//! PDF as main document; sends it through the configured [`DigitalPost`] transport; records
//! the `delivery` row; and moves the request `BUNDLING → DELIVERED` with the audit event
//! `request.delivered`.
//!
//! # Exactly once
//! The message UUID is a function of the request and the bundle version
//! ([`pipeline::memo::message_uuid`]) and unique on `delivery`. A job that finds its delivery
//! `SENT` sends nothing; a job that crashed between sending and recording sends the same
//! message again, and the transport recognises it (the outbox file exists; the HTTP receiver
//! answers `409`). The message's `createdDateTime` is the delivery row's `created_at`, kept
//! for retries, so every attempt sends identical bytes.
//!
//! A message over Digital Post's size limit, or one the receiver refuses, is recorded as
//! `FAILED` with the reason and the job fails for good; timeouts and `5xx` are retried.

mod transport;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use entities::{access_request, bundle, delivery, request_case};
use pipeline::memo::{self, CaseData, MemoInput, Recipient, Sender};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
};
use serde::Deserialize;
use serde_json::json;

pub use transport::{
    DigitalPost, FileOutbox, HttpTransport, IDEMPOTENCY_HEADER, Receipt, SendError,
};

use crate::services::Services;
use crate::services::aktindsigt::{RequestState, now};
use crate::services::bundling;
use crate::services::jobs::{self, NewJob};
use crate::services::workflow::{self, StepError};

/// Job kind: deliver a bundle version by Digital Post.
pub const DELIVER: &str = "deliver";

/// Delivery states as stored.
pub mod state {
    /// Recorded, not yet accepted by the transport.
    pub const QUEUED: &str = "QUEUED";
    /// Accepted by the transport.
    pub const SENT: &str = "SENT";
    /// Refused for good (too large, refused by the receiver).
    pub const FAILED: &str = "FAILED";
}

/// Which transport delivers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TransportKind {
    /// Files in `outbox_dir` (the default and the demo's).
    Outbox,
    /// POST to `http_url` (SF1601 KombiPostAfsend style).
    Http,
}

/// Digital Post settings (`[delivery]` in `sagshub.toml`).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DeliveryConfig {
    /// `outbox` (default) or `http`.
    pub transport: TransportKind,
    /// The outbox folder: one `<message uuid>.xml` per message. Default: `outbox` beside the
    /// blob store (`aktindsigt.blob_dir/../outbox`), so a hub's files stay together.
    pub outbox_dir: Option<PathBuf>,
    /// The HTTP transport's endpoint (required for `transport = "http"`).
    pub http_url: Option<String>,
    /// The bearer token sent to the endpoint.
    pub http_token: Option<String>,
    /// Timeout of one HTTP call, in milliseconds.
    pub http_timeout_ms: u64,
    /// Digital Post's size limit for a whole message, in bytes (see the municipality's SF1601
    /// agreement).
    pub max_message_bytes: usize,
    /// The KLE version named in the message's KLE data.
    pub kle_version: String,
    /// The case system named as holding the aktindsigt case.
    pub case_system: String,
}

impl Default for DeliveryConfig {
    fn default() -> Self {
        Self {
            transport: TransportKind::Outbox,
            outbox_dir: None,
            http_url: None,
            http_token: None,
            http_timeout_ms: 30_000,
            max_message_bytes: memo::DEFAULT_MAX_MESSAGE_BYTES,
            kle_version: "KLE".to_owned(),
            case_system: "sagshub".to_owned(),
        }
    }
}

/// The delivery settings with their transport, built once at start.
pub struct Delivery {
    /// As configured.
    pub config: DeliveryConfig,
    /// The outbox folder in force (also when the HTTP transport is used, unused then).
    pub outbox_dir: PathBuf,
    /// The transport in force.
    pub transport: Arc<dyn DigitalPost>,
}

impl std::fmt::Debug for Delivery {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Delivery")
            .field("transport", &self.transport.name())
            .finish()
    }
}

impl Delivery {
    /// Check `config` and build its transport; `blob_dir` places the default outbox.
    pub fn new(config: DeliveryConfig, blob_dir: &std::path::Path) -> Result<Self, String> {
        let outbox_dir = config.outbox_dir.clone().unwrap_or_else(|| {
            blob_dir
                .parent()
                .map_or_else(|| PathBuf::from("outbox"), |p| p.join("outbox"))
        });
        let transport: Arc<dyn DigitalPost> = match config.transport {
            TransportKind::Outbox => Arc::new(FileOutbox::new(outbox_dir.clone())),
            TransportKind::Http => {
                let url = config
                    .http_url
                    .clone()
                    .filter(|u| u.starts_with("http://") || u.starts_with("https://"))
                    .ok_or("delivery.http_url must be an http(s) URL when transport = \"http\"")?;
                Arc::new(HttpTransport::new(
                    url,
                    config.http_token.clone(),
                    Duration::from_millis(config.http_timeout_ms.max(1)),
                )?)
            }
        };
        if config.max_message_bytes == 0 {
            return Err("delivery.max_message_bytes must be positive".into());
        }
        Ok(Self {
            config,
            outbox_dir,
            transport,
        })
    }
}

/// Queue the delivery of version `version` of `request_id`'s bundle (once per version).
pub async fn enqueue_deliver<C: ConnectionTrait>(
    conn: &C,
    request_id: &str,
    version: i32,
    max_attempts: i32,
) -> Result<(), DbErr> {
    jobs::enqueue(
        conn,
        NewJob {
            kind: DELIVER,
            request_id: Some(request_id.to_owned()),
            payload: json!({ "requestId": request_id, "version": version }),
            dedupe_key: Some(format!("deliver:{request_id}:v{version}")),
            run_after: None,
            max_attempts,
        },
    )
    .await
    .map(|_| ())
}

/// The latest delivery of a request.
pub async fn latest<C: ConnectionTrait>(
    conn: &C,
    request_id: &str,
) -> Result<Option<delivery::Model>, DbErr> {
    delivery::Entity::find()
        .filter(delivery::Column::RequestId.eq(request_id))
        .order_by_desc(delivery::Column::Version)
        .one(conn)
        .await
}

/// The `deliver` job.
#[tracing::instrument(skip_all, fields(job = job.id))]
pub async fn deliver_job(
    services: &Arc<Services>,
    job: &entities::job::Model,
) -> Result<(), StepError> {
    let id = workflow::request_id_of(job)?;
    let version = bundling::version_of(job)?;
    let db = &services.store;
    let request = workflow::load_request(db, &id).await?;
    let Some(bundle) = bundle::Entity::find_by_id((id.clone(), version))
        .one(db)
        .await?
    else {
        return Err(StepError::Permanent(format!(
            "request {id} has no bundle version {version} to deliver"
        )));
    };
    let request_uuid = uuid::Uuid::parse_str(&id)
        .map_err(|_| StepError::Permanent(format!("request id {id} is not a UUID")))?;
    let message_uuid = memo::message_uuid(request_uuid, version as u32);
    let transport = &services.delivery.transport;
    let at = now();
    delivery::Entity::insert(delivery::ActiveModel {
        request_id: Set(id.clone()),
        version: Set(version),
        message_uuid: Set(message_uuid.to_string()),
        transport: Set(transport.name().to_owned()),
        state: Set(state::QUEUED.to_owned()),
        attempts: Set(0),
        created_at: Set(at),
        sent_at: Set(None),
        error: Set(None),
        receipt: Set(None),
        updated_at: Set(at),
    })
    .on_conflict(
        OnConflict::columns([delivery::Column::RequestId, delivery::Column::Version])
            .do_nothing()
            .to_owned(),
    )
    .do_nothing()
    .exec(db)
    .await?;
    let row = delivery::Entity::find_by_id((id.clone(), version))
        .one(db)
        .await?
        .ok_or_else(|| StepError::Permanent("the delivery row vanished".into()))?;
    if row.state == state::SENT {
        tracing::info!(version, "already sent; not sending again");
        return mark_delivered(services, &id, version, &row.message_uuid).await;
    }

    let pdf = services.blobs.get(&bundle.blob_hash).await?;
    let xml = match build_message(services, &request, version, &pdf, row.created_at).await? {
        Ok(xml) => xml,
        Err(e) => {
            let reason = format!("the MeMo message cannot be made: {e}");
            record(db, &row, state::FAILED, Some(reason.clone()), None).await?;
            return Err(StepError::Permanent(reason));
        }
    };
    drop(pdf);
    let mut attempted = row.clone();
    attempted.attempts += 1;
    match transport.send(message_uuid, xml.as_bytes()).await {
        Ok(receipt) => {
            tracing::info!(version, duplicate = receipt.duplicate, "message sent");
            record(db, &attempted, state::SENT, None, Some(receipt.detail)).await?;
            mark_delivered(services, &id, version, &row.message_uuid).await
        }
        Err(SendError::Transient(e)) => {
            record(db, &attempted, state::QUEUED, Some(e.clone()), None).await?;
            Err(StepError::Transport(e))
        }
        Err(SendError::Permanent(e)) => {
            record(db, &attempted, state::FAILED, Some(e.clone()), None).await?;
            Err(StepError::Permanent(e))
        }
    }
}

async fn record<C: ConnectionTrait>(
    conn: &C,
    row: &delivery::Model,
    to: &str,
    error: Option<String>,
    receipt: Option<String>,
) -> Result<(), DbErr> {
    let at = now();
    let sent = to == state::SENT;
    delivery::Entity::update(delivery::ActiveModel {
        request_id: Set(row.request_id.clone()),
        version: Set(row.version),
        state: Set(to.to_owned()),
        attempts: Set(row.attempts),
        sent_at: Set(if sent { Some(at) } else { row.sent_at }),
        error: Set(error),
        receipt: Set(receipt.or_else(|| row.receipt.clone())),
        updated_at: Set(at),
        ..Default::default()
    })
    .exec(conn)
    .await
    .map(|_| ())
}

/// `BUNDLING → DELIVERED` with `request.delivered`; nothing if it moved already.
async fn mark_delivered(
    services: &Arc<Services>,
    id: &str,
    version: i32,
    message_uuid: &str,
) -> Result<(), StepError> {
    let note = Some(format!("version {version}, message {message_uuid}"));
    workflow::system_transition_noted(
        &services.store,
        id,
        &[RequestState::Bundling],
        RequestState::Delivered,
        "request.delivered",
        note,
    )
    .await?;
    Ok(())
}

/// The MeMo XML for `version` of `request`'s bundle; the inner error when the message cannot
/// be made (size, a malformed field).
async fn build_message(
    services: &Arc<Services>,
    request: &access_request::Model,
    version: i32,
    pdf: &[u8],
    created: chrono::DateTime<chrono::Utc>,
) -> Result<Result<String, memo::MemoError>, StepError> {
    let cases = request_case::Entity::find()
        .filter(request_case::Column::RequestId.eq(&request.id))
        .order_by_asc(request_case::Column::Sagsnummer)
        .order_by_asc(request_case::Column::System)
        .all(&services.store)
        .await?;
    let first = cases.first();
    // KLE 00.01.10 (aktindsigt) when the request found no case to take a subject from.
    let kle = first
        .map(|c| c.kle.clone())
        .unwrap_or_else(|| "00.01.10".to_owned());
    let kle_label = crate::services::index::kle::subject_label(&kle)
        .map(str::to_owned)
        .or_else(|| first.map(|c| c.title.clone()))
        .filter(|l| !l.trim().is_empty())
        .unwrap_or_else(|| "Aktindsigt".to_owned());
    let request_uuid = uuid::Uuid::parse_str(&request.id)
        .map_err(|_| StepError::Permanent(format!("request id {} is not a UUID", request.id)))?;
    let reference = bundling::case_number(request);
    let municipality = &services.municipality;
    let config = &services.delivery.config;
    let input = MemoInput {
        request_id: request_uuid,
        request_reference: reference.clone(),
        bundle_version: version as u32,
        title: if version > 1 {
            format!("Afgørelse om aktindsigt (version {version})")
        } else {
            "Afgørelse om aktindsigt".to_owned()
        },
        notification: Some("Du har fået svar på din anmodning om aktindsigt.".to_owned()),
        sender: Sender {
            cvr: municipality.cvr.clone(),
            label: municipality.name.clone(),
        },
        recipient: Recipient {
            cpr: request.subject_cpr.clone(),
            label: bundling::citizen_name(&cases, &request.subject_cpr),
        },
        case: CaseData {
            case_id: reference.clone(),
            case_system: config.case_system.clone(),
            kle_subject_key: kle,
            kle_label,
            kle_version: config.kle_version.clone(),
            kle_activity_facet: memo::KLE_ACTIVITY_AKTINDSIGT.to_owned(),
        },
        created,
        pdf,
        filename: bundling::file_name(request, version),
        mandatory: true,
        legal_notification: true,
        max_message_bytes: config.max_message_bytes,
    };
    Ok(memo::message(&input))
}
