//! The queue on a real SQLite store: leasing, releasing, retrying, failing, and a failed job's
//! request.

use std::time::Duration;

use chrono::Utc;
use entities::{access_request, job_run};
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::json;

use super::*;
use crate::services::aktindsigt::RequestState;

fn new_job(kind: &'static str, request: Option<&str>, key: &str) -> NewJob {
    NewJob {
        kind,
        request_id: request.map(str::to_owned),
        payload: json!({}),
        dedupe_key: Some(key.to_owned()),
        run_after: None,
        max_attempts: 2,
    }
}

async fn runs(db: &sea_orm::DatabaseConnection, job: i64) -> Vec<job_run::Model> {
    job_run::Entity::find()
        .filter(job_run::Column::JobId.eq(job))
        .order_by_asc(job_run::Column::Attempt)
        .all(db)
        .await
        .expect("runs")
}

#[tokio::test]
async fn a_job_is_leased_once_released_without_losing_an_attempt_and_retried_then_failed() {
    let services = crate::services::requests::tests::services().await;
    let db = &services.store;
    let config = JobsConfig {
        backoff_base_ms: 1,
        backoff_max_ms: 1,
        ..Default::default()
    };
    let id = enqueue(db, new_job("screen", None, "k1"))
        .await
        .expect("enqueue");
    assert!(id.is_some());
    // The same key while it is queued: no second job.
    assert_eq!(
        enqueue(db, new_job("screen", None, "k1"))
            .await
            .expect("enqueue"),
        None
    );

    let lease_for = Duration::from_secs(30);
    let first = lease(db, "w/0", lease_for)
        .await
        .expect("lease")
        .expect("a job");
    assert_eq!(first.attempts, 1);
    // Nobody else gets it while it is leased.
    assert!(lease(db, "w/1", lease_for).await.expect("lease").is_none());

    // Released at shutdown: back in the queue, the attempt does not count against the limit.
    assert_eq!(
        finish(db, &first, Ending::Released, &config)
            .await
            .expect("finish"),
        Some("RELEASED")
    );
    let second = lease(db, "w/1", lease_for)
        .await
        .expect("lease")
        .expect("again");
    assert_eq!(second.attempts, 2);
    assert_eq!(second.max_attempts, 3);
    let history = runs(db, second.id).await;
    assert_eq!(history.len(), 2, "each attempt has its own history row");
    assert_eq!(history[0].worker, "w/0");
    assert_eq!(history[0].outcome.as_deref(), Some("RELEASED"));
    assert_eq!(history[1].worker, "w/1");
    assert_eq!(history[1].outcome, None);

    // A failing attempt is retried after the backoff, until the attempts are used up.
    assert_eq!(
        finish(db, &second, Ending::Retry("down".into()), &config)
            .await
            .expect("finish"),
        Some("RETRY")
    );
    tokio::time::sleep(Duration::from_millis(20)).await;
    let third = lease(db, "w/0", lease_for)
        .await
        .expect("lease")
        .expect("retry");
    assert_eq!(third.attempts, 3);
    assert_eq!(
        finish(db, &third, Ending::Retry("still down".into()), &config)
            .await
            .expect("finish"),
        Some("FAILED")
    );
    let row = Entity::find_by_id(third.id)
        .one(db)
        .await
        .expect("row")
        .expect("job");
    assert_eq!(row.state, state::FAILED);
    assert_eq!(row.last_error.as_deref(), Some("still down"));
    assert_eq!(row.dedupe_key, None, "its key is free for a new job");
    // A worker that lost its lease cannot record an ending.
    assert_eq!(
        finish(db, &third, Ending::Succeeded, &config)
            .await
            .expect("finish"),
        None
    );
}

#[tokio::test]
async fn a_dead_workers_last_attempt_is_failed_by_the_sweep_and_fails_its_stuck_request() {
    let services = crate::services::requests::tests::services().await;
    let db = &services.store;
    let now = Utc::now();
    access_request::Entity::insert(access_request::ActiveModel {
        id: Set("r1".into()),
        idempotency_key: Set(None),
        requester_subject: Set("c".into()),
        requester_role: Set("citizen".into()),
        requester_name: Set(None),
        subject_cpr: Set("0101801234".into()),
        consent_id: Set(None),
        legal_basis: Set("PARTY_ACCESS".into()),
        scope: Set(None),
        state: Set(RequestState::Screening.as_str().into()),
        incomplete: Set(false),
        gap_accepted_reason: Set(None),
        gap_accepted_by: Set(None),
        automation: Set(None),
        departments: Set("[]".into()),
        assignee_subject: Set(None),
        received_at: Set(now),
        deadline: Set(now.date_naive()),
        notice_expected_by: Set(None),
        notice_reason: Set(None),
        notice_sent_at: Set(None),
        decided_at: Set(None),
        decided_by: Set(None),
        decision_note: Set(None),
        auto_released: Set(false),
        updated_at: Set(now),
    })
    .exec_without_returning(db)
    .await
    .expect("request");
    let mut job = new_job("screen", Some("r1"), "k2");
    job.max_attempts = 1;
    enqueue(db, job).await.expect("enqueue");
    // A worker leases it for a moment and dies.
    let dead = lease(db, "dead/0", Duration::from_millis(1))
        .await
        .expect("lease")
        .expect("job");
    tokio::time::sleep(Duration::from_millis(20)).await;
    // Its only attempt is used up, so nobody takes it over; the sweep fails it ...
    assert!(
        lease(db, "w/0", Duration::from_secs(30))
            .await
            .expect("lease")
            .is_none()
    );
    let failed = fail_abandoned(db).await.expect("sweep");
    assert_eq!(
        failed.iter().map(|j| j.id).collect::<Vec<_>>(),
        vec![dead.id]
    );
    // ... and its request, stuck in SCREENING, becomes FAILED with the reason.
    crate::services::workflow::job_failed(&services, &failed[0])
        .await
        .expect("job_failed");
    let request = access_request::Entity::find_by_id("r1".to_owned())
        .one(db)
        .await
        .expect("row")
        .expect("request");
    assert_eq!(request.state, "FAILED");
    let events = entities::audit_event::Entity::find()
        .filter(entities::audit_event::Column::Action.eq("request.failed"))
        .all(db)
        .await
        .expect("audit");
    assert_eq!(events.len(), 1);
    assert!(
        events[0]
            .purpose
            .as_deref()
            .is_some_and(|p| p.contains("stopped"))
    );
}

/// A row of `case_system_health`, written as a plain statement.
fn health_row(id: &str) -> String {
    format!(
        "INSERT INTO case_system_health (system_id, name, kind, up, latency_ms, detail, \
         circuit_open, checked_at, last_up_at) VALUES ('{id}', 'x', 'rest', 1, 1, NULL, 0, \
         '2026-12-03 10:00:00+00:00', NULL)"
    )
}

#[tokio::test]
async fn a_write_transaction_that_reads_first_survives_a_concurrent_commit_on_sqlite() {
    use sea_orm::{ConnectOptions, ConnectionTrait, TransactionTrait};
    // The store as `api::connect_store` opens it: WAL, several connections, a busy timeout.
    let dir = std::env::temp_dir().join(format!("sagshub-lock-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let mut options = ConnectOptions::new(format!(
        "sqlite://{}?mode=rwc",
        dir.join("store.db").display()
    ));
    options.max_connections(4).sqlx_logging(false);
    options.map_sqlx_sqlite_opts(|o| {
        o.journal_mode(sqlx::sqlite::SqliteJournalMode::Wal)
            .busy_timeout(Duration::from_secs(5))
    });
    let db = sea_orm::Database::connect(options).await.expect("sqlite");
    <migration::Migrator as migration::MigratorTrait>::up(&db, None)
        .await
        .expect("migrations");

    // What begin_write prevents: a deferred transaction reads, another connection commits, and
    // the first one's write is refused at once.
    let plain = db.begin().await.expect("begin");
    plain
        .execute_unprepared("SELECT COUNT(*) FROM case_system_health")
        .await
        .expect("read");
    db.execute_unprepared(&health_row("a"))
        .await
        .expect("other writer");
    assert!(
        plain.execute_unprepared(&health_row("b")).await.is_err(),
        "a deferred read-then-write transaction was expected to fail after a concurrent commit"
    );
    drop(plain);

    // With begin_write the transaction holds the write lock from the start: the other writer
    // waits for it, and both succeed.
    let txn = crate::services::begin_write(&db)
        .await
        .expect("begin_write");
    txn.execute_unprepared("SELECT COUNT(*) FROM case_system_health")
        .await
        .expect("read");
    let other = {
        let db = db.clone();
        tokio::spawn(async move { db.execute_unprepared(&health_row("c")).await })
    };
    tokio::time::sleep(Duration::from_millis(100)).await;
    txn.execute_unprepared(&health_row("d"))
        .await
        .expect("write");
    txn.commit().await.expect("commit");
    other
        .await
        .expect("task")
        .expect("the other writer waited and wrote");
    let n = entities::case_system_health::Entity::find()
        .all(&db)
        .await
        .expect("rows")
        .len();
    assert_eq!(n, 3, "a, c and d");
    let _ = std::fs::remove_dir_all(&dir);
}
