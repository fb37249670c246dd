//! `AuditEvent` and the admin's view of the audit log.

use async_graphql::connection::{Connection, Edge};
use async_graphql::{Context, InputObject, Result, SimpleObject};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use entities::audit_event::{Column, Entity, Model};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect};

use super::connection::{ConnectionFields, CountedConnection};
use crate::error::{Code, api_error, internal};
use crate::request::RequestCtx;
use crate::services::audit::Entry;
use crate::viewer::Role;

/// One audit event.
#[derive(SimpleObject)]
#[graphql(name = "AuditEvent")]
pub struct AuditEventNode {
    /// Position in the chain.
    pub seq: i64,
    /// When.
    pub occurred_at: DateTime<Utc>,
    /// Who (token subject).
    pub actor: String,
    /// As what role.
    pub role: String,
    /// What (`case.read`, `document.read`, `party.read`, `party.cpr_revealed`, `access.denied`,
    /// `consent.registered`, `consent.revoked`, `audit.read`).
    pub action: String,
    /// Kind of object.
    pub object_kind: Option<String>,
    /// The object's id (party ids are sealed).
    pub object_id: Option<String>,
    /// Purpose given.
    pub purpose: Option<String>,
    /// Request id.
    pub request_id: Option<String>,
    /// Client address.
    pub client_addr: Option<String>,
    /// `allowed` or `denied`.
    pub outcome: String,
    /// This row's chain hash.
    pub hash: String,
}

impl From<Model> for AuditEventNode {
    fn from(m: Model) -> Self {
        Self {
            seq: m.seq,
            occurred_at: m.occurred_at,
            actor: m.actor,
            role: m.role,
            action: m.action,
            object_kind: m.object_kind,
            object_id: m.object_id,
            purpose: m.purpose,
            request_id: m.request_id,
            client_addr: m.client_addr,
            outcome: m.outcome,
            hash: m.hash,
        }
    }
}

/// Which events to list.
#[derive(InputObject, Default)]
pub struct AuditEventFilter {
    /// Only this actor.
    pub actor: Option<String>,
    /// Only this action.
    pub action: Option<String>,
    /// Only this object id.
    pub object_id: Option<String>,
    /// Only `allowed` or `denied`.
    pub outcome: Option<String>,
    /// From this time (inclusive).
    pub from: Option<DateTime<Utc>>,
    /// Before this time.
    pub to: Option<DateTime<Utc>>,
}

fn cursor(seq: i64) -> String {
    URL_SAFE_NO_PAD.encode(format!("a:{seq}"))
}

fn parse_cursor(c: &str) -> Option<i64> {
    let bytes = URL_SAFE_NO_PAD.decode(c).ok()?;
    std::str::from_utf8(&bytes)
        .ok()?
        .strip_prefix("a:")?
        .parse()
        .ok()
}

/// `auditEvents`: admins only; the read itself is an audit event.
pub async fn list(
    ctx: &Context<'_>,
    filter: AuditEventFilter,
    first: Option<i32>,
    after: Option<String>,
) -> Result<CountedConnection<AuditEventNode>> {
    let rc = RequestCtx::from(ctx)?;
    match rc.viewer.role {
        Role::Admin => {}
        Role::Anonymous => {
            return Err(api_error(
                Code::Unauthenticated,
                "a verified identity is required",
            ));
        }
        _ => {
            let e = api_error(Code::Forbidden, "the audit log is for administrators");
            return Err(crate::services::reads::deny(&rc, e, Some("audit"), None).await);
        }
    }
    let limits = &rc.services.limits;
    let first = match first {
        None => limits.default_page_size,
        Some(n) if n < 0 => {
            return Err(api_error(
                Code::BadUserInput,
                "`first` must not be negative",
            ));
        }
        Some(n) if usize::try_from(n).unwrap_or(usize::MAX) > limits.max_page_size => {
            return Err(api_error(
                Code::BadUserInput,
                format!("`first` must be at most {}", limits.max_page_size),
            ));
        }
        Some(n) => usize::try_from(n).unwrap_or(0),
    };
    let after_seq = match after.as_deref() {
        None => 0,
        Some(c) => parse_cursor(c).ok_or_else(|| {
            api_error(Code::BadUserInput, "`after` is not a cursor from this API")
        })?,
    };
    rc.loaders
        .audit(vec![Entry::read(
            "audit.read",
            "audit",
            "auditEvents".to_owned(),
        )])
        .await?;
    let mut query = Entity::find();
    if let Some(a) = &filter.actor {
        query = query.filter(Column::Actor.eq(a.clone()));
    }
    if let Some(a) = &filter.action {
        query = query.filter(Column::Action.eq(a.clone()));
    }
    if let Some(o) = &filter.object_id {
        query = query.filter(Column::ObjectId.eq(o.clone()));
    }
    if let Some(o) = &filter.outcome {
        query = query.filter(Column::Outcome.eq(o.clone()));
    }
    if let Some(from) = filter.from {
        query = query.filter(Column::OccurredAt.gte(from));
    }
    if let Some(to) = filter.to {
        query = query.filter(Column::OccurredAt.lt(to));
    }
    let store = &rc.services.store;
    let total = query
        .clone()
        .count(store)
        .await
        .map_err(|e| internal("counting audit events", e))?;
    let rows = query
        .filter(Column::Seq.gt(after_seq))
        .order_by_asc(Column::Seq)
        .limit(u64::try_from(first).unwrap_or(u64::MAX).saturating_add(1))
        .all(store)
        .await
        .map_err(|e| internal("reading audit events", e))?;
    let has_next = rows.len() > first;
    let mut connection = Connection::with_additional_fields(
        after_seq > 0,
        has_next,
        ConnectionFields {
            total_count: usize::try_from(total).unwrap_or(usize::MAX),
        },
    );
    connection.edges.extend(
        rows.into_iter()
            .take(first)
            .map(|r| Edge::new(cursor(r.seq), AuditEventNode::from(r))),
    );
    Ok(connection)
}
