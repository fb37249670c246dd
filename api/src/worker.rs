//! The job worker: tasks that lease jobs from the store and run the workflow's handlers.
//!
//! Each task leases one job at a time, renews the lease while the handler runs, and records
//! how the attempt ended. An idle task sleeps until a job is enqueued in this process or the
//! poll interval passes (jobs enqueued by another hub process are found by polling). On
//! shutdown no new job is leased; a running one gets the grace period to finish and is
//! otherwise stopped and released back to the queue without using up an attempt (every
//! handler is idempotent, so the next attempt picks up where this one stopped). With
//! `index.enabled`, one more task queues a case-index sync per system every
//! `index.sync_interval_secs`.

use std::sync::Arc;
use std::time::Duration;

use schema::Services;
use schema::services::jobs::{self, Ending};
use schema::services::workflow;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

/// The running worker tasks of this process.
pub struct Workers {
    tasks: Vec<JoinHandle<()>>,
    stop: CancellationToken,
    grace: Duration,
}

/// A name for this process's workers, unique per start: `{pid}-{random}`.
fn process_name() -> String {
    let random = uuid::Uuid::new_v4().simple().to_string();
    format!("{}-{}", std::process::id(), &random[..8])
}

/// Start `services.jobs.workers` tasks; they stop when `stop` is cancelled. A running job gets
/// `grace` to finish (at most half its lease, so the lease cannot expire meanwhile and hand the
/// job to another worker while this one still runs it).
pub fn spawn(services: Arc<Services>, stop: CancellationToken, grace: Duration) -> Workers {
    let process = process_name();
    let grace = grace.min(Duration::from_millis(
        services.jobs.lease_secs.saturating_mul(500),
    ));
    let mut tasks: Vec<JoinHandle<()>> = (0..services.jobs.workers.max(1))
        .map(|n| {
            let owner = format!("{process}/{n}");
            tokio::spawn(work(services.clone(), owner, stop.clone(), grace))
        })
        .collect();
    if services.index.enabled {
        tasks.push(tokio::spawn(schedule_index_syncs(
            services.clone(),
            stop.clone(),
        )));
    }
    tracing::info!(process = %process, workers = services.jobs.workers, "job workers started");
    Workers { tasks, stop, grace }
}

impl Workers {
    /// Stop taking jobs and wait for the tasks: a running job's grace period plus a few seconds
    /// to record its release.
    pub async fn stop(self) {
        self.stop.cancel();
        let all = futures::future::join_all(self.tasks);
        if tokio::time::timeout(self.grace + Duration::from_secs(5), all)
            .await
            .is_err()
        {
            tracing::warn!("job workers did not stop within the grace period");
        }
    }
}

async fn work(services: Arc<Services>, owner: String, stop: CancellationToken, grace: Duration) {
    let config = services.jobs.clone();
    let lease_for = Duration::from_secs(config.lease_secs.max(1));
    let poll = Duration::from_millis(config.poll_ms.max(10));
    while !stop.is_cancelled() {
        match jobs::lease(&services.store, &owner, lease_for).await {
            Ok(Some(job)) => run_one(&services, job, &stop, grace).await,
            Ok(None) => {
                match jobs::fail_abandoned(&services.store).await {
                    Ok(failed) => {
                        for job in failed {
                            tracing::error!(job = job.id, kind = %job.kind, "job abandoned after its last attempt");
                            if let Err(e) = workflow::job_failed(&services, &job).await {
                                tracing::error!(job = job.id, error = %e, "could not mark the request failed");
                            }
                        }
                    }
                    Err(e) => tracing::warn!(error = %e, "could not sweep abandoned jobs"),
                }
                tokio::select! {
                    _ = stop.cancelled() => break,
                    _ = services.wake.notified() => {}
                    _ = tokio::time::sleep(poll) => {}
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, "could not lease a job; the store may be down");
                tokio::select! {
                    _ = stop.cancelled() => break,
                    _ = tokio::time::sleep(poll * 4) => {}
                }
            }
        }
    }
}

async fn run_one(
    services: &Arc<Services>,
    job: jobs::Job,
    stop: &CancellationToken,
    grace: Duration,
) {
    let config = &services.jobs;
    let lease_for = Duration::from_secs(config.lease_secs.max(1));
    tracing::info!(job = job.id, kind = %job.kind, attempt = job.attempts, "job started");
    let mut handler = tokio::spawn({
        let services = services.clone();
        let job = job.clone();
        async move { workflow::run(&services, &job).await }
    });
    let mut beat = tokio::time::interval(Duration::from_millis(config.heartbeat_ms.max(10)));
    beat.tick().await;
    let mut deadline: Option<tokio::time::Instant> = None;
    let ending = loop {
        tokio::select! {
            result = &mut handler => {
                break result.unwrap_or_else(|e| Ending::Retry(format!("the handler panicked: {e}")));
            }
            _ = beat.tick() => match jobs::heartbeat(&services.store, &job, lease_for).await {
                Ok(true) => {}
                Ok(false) => {
                    // Our lease expired and another worker took the job: stop, record nothing.
                    handler.abort();
                    let _ = (&mut handler).await;
                    tracing::warn!(job = job.id, "lease lost; attempt abandoned");
                    return;
                }
                Err(e) => tracing::warn!(job = job.id, error = %e, "heartbeat failed"),
            },
            _ = stop.cancelled(), if deadline.is_none() => {
                deadline = Some(tokio::time::Instant::now() + grace);
            }
            _ = sleep_until(deadline), if deadline.is_some() => {
                // Wait for the abort to land (at the handler's next await) so nothing it
                // writes can follow the release.
                handler.abort();
                let _ = (&mut handler).await;
                break Ending::Released;
            }
        }
    };
    match jobs::finish(&services.store, &job, ending.clone(), config).await {
        Ok(Some(outcome)) => {
            tracing::info!(job = job.id, kind = %job.kind, outcome, "job attempt ended");
            if outcome == "FAILED" {
                let mut failed = job.clone();
                failed.last_error = match &ending {
                    Ending::Retry(e) | Ending::Failed(e) => Some(e.clone()),
                    _ => None,
                };
                if let Err(e) = workflow::job_failed(services, &failed).await {
                    tracing::error!(job = job.id, error = %e, "could not mark the request failed");
                }
            }
            if outcome != "RELEASED" {
                // A finished step may have queued the next one.
                services.wake.notify_waiters();
            }
        }
        Ok(None) => tracing::warn!(job = job.id, "lease lost before the attempt was recorded"),
        Err(e) => {
            tracing::error!(job = job.id, error = %e, ?ending, "could not record the job's end")
        }
    }
}

/// Every `index.sync_interval_secs` (and once at start), queue one index sync job per system.
/// A sync still queued or running keeps its dedupe key, so a slow one is not doubled, and
/// several hub processes sharing a queue make one job per system between them.
async fn schedule_index_syncs(services: Arc<Services>, stop: CancellationToken) {
    let every = Duration::from_secs(services.index.sync_interval_secs.max(1));
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = stop.cancelled() => break,
            _ = tick.tick() => {}
        }
        match schema::services::index::enqueue_syncs(&services).await {
            Ok(0) => {}
            Ok(n) => {
                tracing::debug!(queued = n, "index syncs queued");
                services.wake.notify_waiters();
            }
            Err(e) => tracing::warn!(error = %e, "could not queue index syncs"),
        }
    }
}

async fn sleep_until(deadline: Option<tokio::time::Instant>) {
    match deadline {
        Some(d) => tokio::time::sleep_until(d).await,
        None => std::future::pending().await,
    }
}
