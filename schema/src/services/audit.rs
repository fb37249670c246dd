//! The audit log: append-only and hash-chained.
//!
//! Every caseworker or third-party read of a case, document or party, every consent step and
//! every denial is an event. Writing it is part of the operation: a read whose events cannot be
//! written returns no data. Events of one request are batched (a per-request DataLoader) into
//! one transaction.
//!
//! Each row's `hash` is SHA-256 over the previous row's hash and this row's fields, and `seq`
//! has no gaps, so [`verify`] finds a changed, inserted or deleted row. (Cutting rows off the
//! end leaves a valid shorter chain: export [`verify`]'s head hash periodically to catch that.)

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::Loader;
use chrono::{DateTime, SubsecRound, Utc};
use entities::audit_event::{Column, Entity, Model};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, DbErr, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Statement, TransactionTrait, Value,
};
use sha2::{Digest, Sha256};

use crate::viewer::{Role, Viewer};

/// Rows per INSERT statement (13 values each; well under every backend's bind limit).
const INSERT_CHUNK: usize = 500;

/// The hash before the first row.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Where a request came from, handed in by `api`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RequestMeta {
    /// A per-request id (also in the hub's log line for the request).
    pub request_id: String,
    /// The client's address.
    pub client_addr: Option<String>,
}

/// Whether the action was allowed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Outcome {
    /// Done.
    Allowed,
    /// Refused.
    Denied,
}

impl Outcome {
    fn as_str(self) -> &'static str {
        match self {
            Self::Allowed => "allowed",
            Self::Denied => "denied",
        }
    }
}

/// One event to record, as a resolver or service describes it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Entry {
    /// `case.read`, `document.read`, `party.read`, `party.cpr_revealed`, `access.denied`, ...
    pub action: &'static str,
    /// `case`, `document`, `party`, `consent`.
    pub object_kind: Option<&'static str>,
    /// The object's id (never a bare CPR number).
    pub object_id: Option<String>,
    /// The purpose given, if any.
    pub purpose: Option<String>,
    /// Allowed or denied.
    pub outcome: Outcome,
}

impl Entry {
    /// An allowed read of `kind` `id`.
    pub fn read(action: &'static str, kind: &'static str, id: String) -> Self {
        Self {
            action,
            object_kind: Some(kind),
            object_id: Some(id),
            purpose: None,
            outcome: Outcome::Allowed,
        }
    }
    /// A denial of `action` on an object.
    pub fn denied(action: &'static str, kind: Option<&'static str>, id: Option<String>) -> Self {
        Self {
            action,
            object_kind: kind,
            object_id: id,
            purpose: None,
            outcome: Outcome::Denied,
        }
    }
}

/// A fully described event, ready to be chained.
#[derive(Clone, Debug)]
pub struct NewEvent {
    /// When.
    pub occurred_at: DateTime<Utc>,
    /// Who.
    pub actor: String,
    /// As what.
    pub role: String,
    /// What.
    pub entry: Entry,
    /// Where from.
    pub meta: RequestMeta,
}

/// The stored name of a role.
pub fn role_name(role: Role) -> &'static str {
    match role {
        Role::Anonymous => "anonymous",
        Role::Citizen => "citizen",
        Role::ThirdParty => "third_party",
        Role::Caseworker => "caseworker",
        Role::Admin => "admin",
    }
}

fn put(h: &mut Sha256, field: Option<&str>) {
    match field {
        None => h.update([0u8]),
        Some(text) => {
            h.update([1u8]);
            h.update((text.len() as u64).to_le_bytes());
            h.update(text.as_bytes());
        }
    }
}

/// The chain hash of a row.
pub fn row_hash(prev_hash: &str, row: &Model) -> String {
    let mut h = Sha256::new();
    put(&mut h, Some(prev_hash));
    h.update(row.seq.to_le_bytes());
    h.update(row.occurred_at.timestamp_micros().to_le_bytes());
    for field in [
        Some(row.actor.as_str()),
        Some(row.role.as_str()),
        Some(row.action.as_str()),
        row.object_kind.as_deref(),
        row.object_id.as_deref(),
        row.purpose.as_deref(),
        row.request_id.as_deref(),
        row.client_addr.as_deref(),
        Some(row.outcome.as_str()),
    ] {
        put(&mut h, field);
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// Serialises chain appends within this process; across processes PostgreSQL's advisory lock
/// does it (see [`append`]).
static CHAIN: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// An arbitrary, fixed advisory-lock key for the audit chain.
const PG_CHAIN_LOCK: i64 = 7_460_291_301;

/// Append `events` to the chain in one transaction (a savepoint when `db` is a transaction).
pub async fn append<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    events: Vec<NewEvent>,
) -> Result<(), DbErr> {
    let _guard = lock_chain().await;
    append_locked(db, events).await
}

/// Take the chain lock, for a caller that writes its own rows and the audit events in one
/// transaction ([`append_locked`]): taken *before* that transaction begins, so two writers can
/// never wait on each other's database lock and chain lock at once.
pub async fn lock_chain() -> tokio::sync::MutexGuard<'static, ()> {
    CHAIN.lock().await
}

/// [`append`] for a caller that holds [`lock_chain`].
#[tracing::instrument(skip_all, fields(events = events.len()))]
pub async fn append_locked<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    events: Vec<NewEvent>,
) -> Result<(), DbErr> {
    if events.is_empty() {
        return Ok(());
    }
    let txn = crate::services::begin_write(db).await?;
    if txn.get_database_backend() == DbBackend::Postgres {
        txn.execute_unprepared(&format!("SELECT pg_advisory_xact_lock({PG_CHAIN_LOCK})"))
            .await?;
    } else if txn.get_database_backend() == DbBackend::Sqlite {
        // Take SQLite's write lock before reading the head (waiting under busy_timeout): a
        // deferred transaction that reads first and writes later fails at once with
        // SQLITE_BUSY when another connection (a job, an index sync) committed in between.
        txn.execute_unprepared("DELETE FROM audit_event WHERE 0")
            .await?;
    }
    let last = Entity::find()
        .order_by_desc(Column::Seq)
        .limit(1)
        .one(&txn)
        .await?;
    let (mut seq, mut prev) = last
        .map(|l| (l.seq, l.hash))
        .unwrap_or((0, GENESIS.to_owned()));
    let mut rows = Vec::with_capacity(events.len());
    for event in events {
        seq += 1;
        let mut row = Model {
            seq,
            occurred_at: event.occurred_at.trunc_subsecs(6),
            actor: event.actor,
            role: event.role,
            action: event.entry.action.to_owned(),
            object_kind: event.entry.object_kind.map(str::to_owned),
            object_id: event.entry.object_id,
            purpose: event.entry.purpose,
            request_id: Some(event.meta.request_id).filter(|r| !r.is_empty()),
            client_addr: event.meta.client_addr,
            outcome: event.entry.outcome.as_str().to_owned(),
            prev_hash: prev.clone(),
            hash: String::new(),
        };
        row.hash = row_hash(&prev, &row);
        prev = row.hash.clone();
        rows.push(row);
    }
    // One multi-row INSERT per chunk, values bound (the rows are plain values; building
    // ActiveModels for thousands of rows per request cost more than the insert itself).
    let backend = txn.get_database_backend();
    for chunk in rows.chunks(INSERT_CHUNK) {
        let mut sql = String::from(
            "INSERT INTO audit_event (seq, occurred_at, actor, role, action, object_kind, object_id, purpose, \
             request_id, client_addr, outcome, prev_hash, hash) VALUES ",
        );
        let mut values: Vec<Value> = Vec::with_capacity(chunk.len() * 13);
        for (i, row) in chunk.iter().enumerate() {
            if i > 0 {
                sql.push(',');
            }
            sql.push('(');
            for j in 0..13 {
                if j > 0 {
                    sql.push(',');
                }
                match backend {
                    DbBackend::Postgres => sql.push_str(&format!("${}", values.len() + j + 1)),
                    _ => sql.push('?'),
                }
            }
            sql.push(')');
            values.extend([
                Value::from(row.seq),
                Value::from(row.occurred_at),
                Value::from(row.actor.clone()),
                Value::from(row.role.clone()),
                Value::from(row.action.clone()),
                Value::from(row.object_kind.clone()),
                Value::from(row.object_id.clone()),
                Value::from(row.purpose.clone()),
                Value::from(row.request_id.clone()),
                Value::from(row.client_addr.clone()),
                Value::from(row.outcome.clone()),
                Value::from(row.prev_hash.clone()),
                Value::from(row.hash.clone()),
            ]);
        }
        txn.execute(Statement::from_sql_and_values(backend, sql, values))
            .await?;
    }
    txn.commit().await
}

/// The result of checking the chain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verification {
    /// Rows checked.
    pub rows: u64,
    /// The last row's hash (export it to detect truncation later).
    pub head: String,
    /// The first problem found: the row's `seq` and what is wrong.
    pub problem: Option<(i64, String)>,
}

/// Walk the whole chain and check every link.
pub async fn verify(db: &DatabaseConnection) -> Result<Verification, DbErr> {
    let mut expected_seq = 1i64;
    let mut prev = GENESIS.to_owned();
    let mut rows = 0u64;
    loop {
        // A missing row shows up as the next one having a larger `seq`.
        let page = Entity::find()
            .filter(Column::Seq.gte(expected_seq))
            .order_by_asc(Column::Seq)
            .limit(1000)
            .all(db)
            .await?;
        if page.is_empty() {
            break;
        }
        for row in page {
            if row.seq != expected_seq {
                let problem = format!("row {expected_seq} is missing (next is {})", row.seq);
                return Ok(Verification {
                    rows,
                    head: prev,
                    problem: Some((expected_seq, problem)),
                });
            }
            if row.prev_hash != prev {
                return Ok(Verification {
                    rows,
                    head: prev,
                    problem: Some((row.seq, "does not link to the row before it".into())),
                });
            }
            if row_hash(&prev, &row) != row.hash {
                return Ok(Verification {
                    rows,
                    head: prev,
                    problem: Some((row.seq, "was changed after it was written".into())),
                });
            }
            prev = row.hash;
            expected_seq += 1;
            rows += 1;
        }
    }
    Ok(Verification {
        rows,
        head: prev,
        problem: None,
    })
}

/// Per-request batching of audit writes: every `Entry` a request produces while resolving one
/// level goes into one transaction, and the same entry is written once per request.
pub struct AuditLoader {
    /// The store.
    pub services: Arc<crate::services::Services>,
    /// Who is acting.
    pub viewer: Viewer,
    /// The request.
    pub meta: RequestMeta,
}

impl AuditLoader {
    /// The events for `entries`, by this request's viewer, now.
    pub fn events(&self, entries: Vec<Entry>) -> Vec<NewEvent> {
        let now = Utc::now();
        let actor = self
            .viewer
            .subject
            .clone()
            .unwrap_or_else(|| "anonymous".to_owned());
        let role = role_name(self.viewer.role).to_owned();
        entries
            .into_iter()
            .map(|entry| NewEvent {
                occurred_at: now,
                actor: actor.clone(),
                role: role.clone(),
                entry,
                meta: self.meta.clone(),
            })
            .collect()
    }
}

impl Loader<Entry> for AuditLoader {
    type Value = ();
    type Error = Arc<str>;

    async fn load(&self, keys: &[Entry]) -> Result<HashMap<Entry, ()>, Self::Error> {
        let events = self.events(keys.to_vec());
        match append(&self.services.store, events).await {
            Ok(()) => Ok(keys.iter().map(|k| (k.clone(), ())).collect()),
            Err(error) => {
                tracing::error!(%error, "could not write the audit log; the data is withheld");
                Err(Arc::from("audit log unavailable"))
            }
        }
    }
}
