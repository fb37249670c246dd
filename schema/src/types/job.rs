//! `Job`: a step of the aktindsigt workflow as the queue holds it, and the progress summed over
//! a request's jobs.

use async_graphql::{ID, Object, SimpleObject};
use chrono::{DateTime, Utc};
use entities::job::Model;

use super::request_enums::JobState;
use crate::services::aktindsigt::RequestState;
use crate::services::jobs::state;

/// One job of a request. Error text and progress notes are for staff; requesters see `null`.
#[derive(Clone, Debug, PartialEq)]
pub struct JobNode {
    /// The row.
    pub job: Model,
    /// Whether the viewer is staff.
    pub staff: bool,
}

#[Object(name = "Job")]
impl JobNode {
    /// What it does (`collect`, `screen`, ...).
    async fn kind(&self) -> &str {
        &self.job.kind
    }
    /// Queued, running, succeeded or failed.
    async fn state(&self) -> Option<JobState> {
        JobState::parse(&self.job.state)
    }
    /// Attempts started.
    async fn attempts(&self) -> i32 {
        self.job.attempts
    }
    /// Attempts allowed.
    async fn max_attempts(&self) -> i32 {
        self.job.max_attempts
    }
    /// Units done.
    async fn progress_done(&self) -> i32 {
        self.job.progress_done
    }
    /// Units in all (0 while not known).
    async fn progress_total(&self) -> i32 {
        self.job.progress_total
    }
    /// What it is doing (staff only).
    async fn progress_note(&self) -> Option<&str> {
        self.job.progress_note.as_deref().filter(|_| self.staff)
    }
    /// The last attempt's error (staff only).
    async fn last_error(&self) -> Option<&str> {
        self.job.last_error.as_deref().filter(|_| self.staff)
    }
    /// Not before.
    async fn run_after(&self) -> DateTime<Utc> {
        self.job.run_after
    }
    /// When it ended.
    async fn finished_at(&self) -> Option<DateTime<Utc>> {
        self.job.finished_at
    }
}

/// Work done and to do.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, SimpleObject)]
pub struct Progress {
    /// Units done.
    pub done: i32,
    /// Units in all.
    pub total: i32,
}

/// The progress of the queued and running jobs among `jobs`.
pub fn progress_of(jobs: &[Model]) -> Progress {
    jobs.iter()
        .filter(|j| j.state == state::QUEUED || j.state == state::RUNNING)
        .fold(Progress::default(), |p, j| Progress {
            done: p.done.saturating_add(j.progress_done),
            total: p.total.saturating_add(j.progress_total),
        })
}

/// One `jobProgress` event.
#[derive(Clone, Debug, PartialEq, SimpleObject)]
pub struct JobProgress {
    /// The request's global id.
    pub request_id: ID,
    /// Its state.
    pub state: RequestState,
    /// Its jobs, oldest first.
    pub jobs: Vec<JobNode>,
    /// Units done by its queued and running jobs.
    pub done: i32,
    /// Units in all of its queued and running jobs.
    pub total: i32,
}
