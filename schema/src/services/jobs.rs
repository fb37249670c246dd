//! Durable jobs: rows in the store that workers lease, heart-beat, finish, retry or fail.
//!
//! A job is leased by one atomic `UPDATE … WHERE id = (SELECT … LIMIT 1) RETURNING *`: on
//! PostgreSQL the inner select takes `FOR UPDATE SKIP LOCKED`, so workers in several processes
//! never lease the same row and never wait on each other; SQLite serialises writers, which makes
//! the same statement atomic there. A lease expires unless renewed (heartbeat); a worker that
//! died leaves a lease that another worker takes over after expiry. Every handler is idempotent,
//! so an attempt cut short and run again produces the same result.
//!
//! `dedupe_key` is unique while a job is queued or running and cleared when it ends: enqueueing
//! the same step twice (a double click, a retried handler) makes one job.

use std::time::Duration;

use chrono::{DateTime, Utc};
use entities::job::{Column, Entity, Model};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbBackend, DbErr, EntityTrait, FromQueryResult,
    QueryFilter, QueryOrder, Statement, Value,
};
use serde::Deserialize;

use crate::services::aktindsigt::now;

/// A job row.
pub use entities::job::Model as Job;

/// Job states as stored.
pub mod state {
    /// Waiting for `run_after`.
    pub const QUEUED: &str = "QUEUED";
    /// Leased by a worker.
    pub const RUNNING: &str = "RUNNING";
    /// Done.
    pub const SUCCEEDED: &str = "SUCCEEDED";
    /// Gave up after `max_attempts`, or a permanent error.
    pub const FAILED: &str = "FAILED";
}

/// Worker and queue settings (`[jobs]` in `sagshub.toml`).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct JobsConfig {
    /// Run a worker in this process (`serve`, `demo`). Off for a hub that only answers queries.
    pub enabled: bool,
    /// Worker tasks in this process.
    pub workers: usize,
    /// How long a lease lasts unless renewed, in seconds.
    pub lease_secs: u64,
    /// How often a running job renews its lease, in milliseconds (well under `lease_secs`).
    pub heartbeat_ms: u64,
    /// How often an idle worker looks for work, in milliseconds (jobs enqueued in this process
    /// wake it at once).
    pub poll_ms: u64,
    /// Attempts before a job fails for good.
    pub max_attempts: i32,
    /// First retry delay, in milliseconds; doubled per attempt, with jitter.
    pub backoff_base_ms: u64,
    /// Longest retry delay, in milliseconds.
    pub backoff_max_ms: u64,
}

impl Default for JobsConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            workers: 2,
            lease_secs: 30,
            heartbeat_ms: 5_000,
            poll_ms: 500,
            max_attempts: 8,
            backoff_base_ms: 2_000,
            backoff_max_ms: 300_000,
        }
    }
}

impl JobsConfig {
    /// The delay before attempt `attempts + 1`, after `attempts` failed: exponential from
    /// `backoff_base_ms`, capped at `backoff_max_ms`, with ±25 % jitter so retries of many jobs
    /// do not hit a recovering system at once.
    pub fn backoff(&self, attempts: i32) -> Duration {
        let exp = (attempts.max(1) - 1).min(20) as u32;
        let base = self
            .backoff_base_ms
            .saturating_mul(1u64 << exp)
            .min(self.backoff_max_ms);
        let jitter = (base / 4).max(1);
        let offset = (uuid::Uuid::new_v4().as_u128() % (2 * jitter as u128)) as u64;
        Duration::from_millis(base - jitter + offset)
    }
}

/// A job to enqueue.
#[derive(Clone, Debug)]
pub struct NewJob {
    /// Handler name.
    pub kind: &'static str,
    /// The request it works for.
    pub request_id: Option<String>,
    /// Arguments.
    pub payload: serde_json::Value,
    /// At most one queued-or-running job per key.
    pub dedupe_key: Option<String>,
    /// Not before (default now).
    pub run_after: Option<DateTime<Utc>>,
    /// Attempts allowed.
    pub max_attempts: i32,
}

/// Enqueue `job`; `None` if a queued or running job with its `dedupe_key` exists.
pub async fn enqueue<C: ConnectionTrait>(conn: &C, job: NewJob) -> Result<Option<i64>, DbErr> {
    let at = now();
    let row = entities::job::ActiveModel {
        kind: Set(job.kind.to_owned()),
        request_id: Set(job.request_id),
        payload: Set(job.payload.to_string()),
        dedupe_key: Set(job.dedupe_key.clone()),
        state: Set(state::QUEUED.to_owned()),
        attempts: Set(0),
        max_attempts: Set(job.max_attempts.max(1)),
        run_after: Set(job.run_after.unwrap_or(at)),
        lease_owner: Set(None),
        lease_expires_at: Set(None),
        progress_done: Set(0),
        progress_total: Set(0),
        progress_note: Set(None),
        last_error: Set(None),
        created_at: Set(at),
        updated_at: Set(at),
        finished_at: Set(None),
        ..Default::default()
    };
    let inserted = Entity::insert(row)
        .on_conflict(
            OnConflict::column(Column::DedupeKey)
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(conn)
        .await?;
    if inserted == 0 {
        return Ok(None);
    }
    let mut q = Entity::find().order_by_desc(Column::Id);
    q = match &job.dedupe_key {
        Some(key) => q.filter(Column::DedupeKey.eq(key.clone())),
        None => q.filter(Column::Kind.eq(job.kind)),
    };
    Ok(q.one(conn).await?.map(|m| m.id))
}

fn placeholders(backend: DbBackend, n: usize) -> Vec<String> {
    (1..=n)
        .map(|i| match backend {
            DbBackend::Postgres => format!("${i}"),
            _ => "?".to_owned(),
        })
        .collect()
}

/// Lease the next due job for `owner` for `lease`: a queued job whose `run_after` has come, or
/// a running one whose lease expired (its worker died). `None` when there is nothing to do.
#[tracing::instrument(skip(db))]
pub async fn lease<C: ConnectionTrait + sea_orm::TransactionTrait>(
    db: &C,
    owner: &str,
    lease: Duration,
) -> Result<Option<Model>, DbErr> {
    // The lease and its history row commit together.
    let txn = crate::services::begin_write(db).await?;
    let conn = &txn;
    let backend = conn.get_database_backend();
    let at = now();
    let until = at + chrono::Duration::from_std(lease).unwrap_or(chrono::Duration::seconds(30));
    let p = placeholders(backend, 6);
    let lock = match backend {
        DbBackend::Postgres => " FOR UPDATE SKIP LOCKED",
        _ => "",
    };
    let sql = format!(
        "UPDATE job SET state = 'RUNNING', lease_owner = {owner_p}, lease_expires_at = {until_p}, \
         attempts = attempts + 1, updated_at = {now_p}, progress_note = NULL \
         WHERE id = (SELECT id FROM job WHERE (state = 'QUEUED' AND run_after <= {now2}) \
         OR (state = 'RUNNING' AND lease_expires_at < {now3} AND attempts < max_attempts) \
         ORDER BY run_after, id LIMIT 1{lock}) AND (state = 'QUEUED' OR lease_expires_at < {now4}) \
         RETURNING *",
        owner_p = p[0],
        until_p = p[1],
        now_p = p[2],
        now2 = p[3],
        now3 = p[4],
        now4 = p[5],
    );
    let values: Vec<Value> = vec![
        owner.into(),
        until.into(),
        at.into(),
        at.into(),
        at.into(),
        at.into(),
    ];
    let job = Model::find_by_statement(Statement::from_sql_and_values(backend, sql, values))
        .one(conn)
        .await?;
    if let Some(job) = &job {
        let run = entities::job_run::ActiveModel {
            job_id: Set(job.id),
            attempt: Set(job.attempts),
            worker: Set(owner.to_owned()),
            started_at: Set(at),
            finished_at: Set(None),
            outcome: Set(None),
            error: Set(None),
        };
        entities::job_run::Entity::insert(run)
            .on_conflict(
                OnConflict::columns([
                    entities::job_run::Column::JobId,
                    entities::job_run::Column::Attempt,
                ])
                .do_nothing()
                .to_owned(),
            )
            .exec_without_returning(conn)
            .await?;
    }
    txn.commit().await?;
    Ok(job)
}

/// Fail, for good, running jobs whose lease expired on their last attempt (their worker died
/// every time): they would otherwise stay `RUNNING` forever. Returns them.
pub async fn fail_abandoned<C: ConnectionTrait>(conn: &C) -> Result<Vec<Model>, DbErr> {
    let backend = conn.get_database_backend();
    let p = placeholders(backend, 3);
    let at = now();
    let sql = format!(
        "UPDATE job SET state = 'FAILED', dedupe_key = NULL, lease_owner = NULL, \
         last_error = 'the worker running the last attempt stopped', finished_at = {}, updated_at = {} \
         WHERE state = 'RUNNING' AND lease_expires_at < {} AND attempts >= max_attempts RETURNING *",
        p[0], p[1], p[2]
    );
    Model::find_by_statement(Statement::from_sql_and_values(
        backend,
        sql,
        vec![at.into(), at.into(), at.into()],
    ))
    .all(conn)
    .await
}

async fn update_owned<C: ConnectionTrait>(
    conn: &C,
    job: &Model,
    sets: &str,
    mut values: Vec<Value>,
) -> Result<bool, DbErr> {
    let backend = conn.get_database_backend();
    let n = values.len();
    let mut sql = String::from("UPDATE job SET ");
    let p = placeholders(backend, n + 2);
    let mut k = 0;
    for part in sets.split('?') {
        sql.push_str(part);
        if k < n {
            sql.push_str(&p[k]);
            k += 1;
        }
    }
    // `sets` holds exactly one `?` per value.
    sql.push_str(&format!(
        " WHERE id = {} AND lease_owner = {} AND state = 'RUNNING'",
        p[n],
        p[n + 1]
    ));
    values.push(job.id.into());
    values.push(job.lease_owner.clone().unwrap_or_default().into());
    let r = conn
        .execute(Statement::from_sql_and_values(backend, sql, values))
        .await?;
    Ok(r.rows_affected() == 1)
}

/// Renew `job`'s lease; false if this worker no longer holds it (it expired and another worker
/// took it over), in which case the attempt must stop.
pub async fn heartbeat<C: ConnectionTrait>(
    conn: &C,
    job: &Model,
    lease: Duration,
) -> Result<bool, DbErr> {
    let at = now();
    let until = at + chrono::Duration::from_std(lease).unwrap_or(chrono::Duration::seconds(30));
    update_owned(
        conn,
        job,
        "lease_expires_at = ?, updated_at = ?",
        vec![until.into(), at.into()],
    )
    .await
}

/// Record progress of `job`.
pub async fn progress<C: ConnectionTrait>(
    conn: &C,
    job: &Model,
    done: i32,
    total: i32,
    note: Option<String>,
) -> Result<bool, DbErr> {
    update_owned(
        conn,
        job,
        "progress_done = ?, progress_total = ?, progress_note = ?, updated_at = ?",
        vec![done.into(), total.into(), note.into(), now().into()],
    )
    .await
}

/// How an attempt ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Ending {
    /// Done.
    Succeeded,
    /// Failed; retry after the backoff unless attempts are used up.
    Retry(String),
    /// Failed in a way another attempt cannot fix.
    Failed(String),
    /// Not finished: the worker is stopping; back to the queue without using up an attempt.
    Released,
}

/// End `job`'s attempt. Returns the stored outcome (`SUCCEEDED`, `RETRY`, `FAILED`,
/// `RELEASED`), or `None` if this worker no longer held the lease.
pub async fn finish<C: ConnectionTrait + sea_orm::TransactionTrait>(
    db: &C,
    job: &Model,
    ending: Ending,
    config: &JobsConfig,
) -> Result<Option<&'static str>, DbErr> {
    // The job's new state and its history row commit together.
    let txn = crate::services::begin_write(db).await?;
    let conn = &txn;
    let at = now();
    let (outcome, done, error) = match &ending {
        Ending::Succeeded => (
            "SUCCEEDED",
            update_owned(
                conn,
                job,
                "state = 'SUCCEEDED', lease_owner = NULL, lease_expires_at = NULL, dedupe_key = NULL, \
                 last_error = NULL, finished_at = ?, updated_at = ?",
                vec![at.into(), at.into()],
            )
            .await?,
            None,
        ),
        Ending::Retry(e) if job.attempts < job.max_attempts => {
            let after = at
                + chrono::Duration::from_std(config.backoff(job.attempts))
                    .unwrap_or(chrono::Duration::seconds(60));
            (
                "RETRY",
                update_owned(
                    conn,
                    job,
                    "state = 'QUEUED', lease_owner = NULL, lease_expires_at = NULL, run_after = ?, \
                     last_error = ?, updated_at = ?",
                    vec![after.into(), e.clone().into(), at.into()],
                )
                .await?,
                Some(e.clone()),
            )
        }
        Ending::Retry(e) | Ending::Failed(e) => (
            "FAILED",
            update_owned(
                conn,
                job,
                "state = 'FAILED', lease_owner = NULL, lease_expires_at = NULL, dedupe_key = NULL, \
                 last_error = ?, finished_at = ?, updated_at = ?",
                vec![e.clone().into(), at.into(), at.into()],
            )
            .await?,
            Some(e.clone()),
        ),
        Ending::Released => (
            "RELEASED",
            update_owned(
                conn,
                job,
                // The attempt keeps its number (its history row stays its own) and one more
                // is allowed, so releasing uses up nothing.
                "state = 'QUEUED', lease_owner = NULL, lease_expires_at = NULL, \
                 max_attempts = max_attempts + 1, run_after = ?, updated_at = ?",
                vec![at.into(), at.into()],
            )
            .await?,
            None,
        ),
    };
    if !done {
        return Ok(None);
    }
    use entities::job_run::{ActiveModel, Column as R, Entity as Runs};
    Runs::update_many()
        .set(ActiveModel {
            finished_at: Set(Some(at)),
            outcome: Set(Some(outcome.to_owned())),
            error: Set(error),
            ..Default::default()
        })
        .filter(R::JobId.eq(job.id))
        .filter(R::Attempt.eq(job.attempts))
        .exec(conn)
        .await?;
    txn.commit().await?;
    Ok(Some(outcome))
}

/// The jobs of a request, oldest first.
pub async fn of_request<C: ConnectionTrait>(
    conn: &C,
    request_id: &str,
) -> Result<Vec<Model>, DbErr> {
    Entity::find()
        .filter(Column::RequestId.eq(request_id))
        .order_by_asc(Column::Id)
        .all(conn)
        .await
}

#[cfg(test)]
mod tests;
