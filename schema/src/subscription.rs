//! The subscription root: a request's job progress and its status, as they change.
//!
//! Both poll the store (every [`POLL`]) rather than listen to this process's workers, so a
//! client connected to one hub instance sees the work another instance's worker does. An event
//! is sent only when what the client sees changed. Authorization is that of
//! `accessRequest(id)`, checked once when the subscription starts.

use std::sync::Arc;
use std::time::Duration;

use async_graphql::{Context, ID, Result, Subscription as SubscriptionObject};
use entities::{access_request, job};
use futures::Stream;

use crate::error::internal;
use crate::request::RequestCtx;
use crate::services::Services;
use crate::services::aktindsigt::RequestState;
use crate::services::requests;
use crate::types::access_request::{AccessRequestNode, decode_request_id};
use crate::types::job::{JobNode, JobProgress, progress_of};

/// How often a subscription reads the store.
pub const POLL: Duration = Duration::from_millis(250);

/// Streams.
#[derive(Default)]
pub struct Subscription;

#[SubscriptionObject]
impl Subscription {
    /// A request's jobs and progress, each time they change; ends when the request is final,
    /// or waits for review or the bundle with no job queued or running.
    async fn job_progress(
        &self,
        ctx: &Context<'_>,
        request_id: ID,
    ) -> Result<impl Stream<Item = Result<JobProgress>> + use<>> {
        let rc = RequestCtx::from(ctx)?;
        let id = decode_request_id(&request_id)?;
        let (_, access) = requests::find(&rc, &id).await?;
        let staff = access.is_staff();
        Ok(poll(
            rc.services.clone(),
            id,
            |request, jobs| {
                // What the client sees: leases and heartbeats are not news.
                let seen: Vec<job::Model> = jobs
                    .iter()
                    .cloned()
                    .map(|mut j| {
                        j.lease_owner = None;
                        j.lease_expires_at = None;
                        j.updated_at = j.created_at;
                        j
                    })
                    .collect();
                (request.state.clone(), seen)
            },
            move |request, jobs| {
                let progress = progress_of(jobs);
                Ok(JobProgress {
                    request_id: ID(crate::ids::GlobalId::AccessRequest {
                        id: request.id.clone(),
                    }
                    .encode()),
                    state: requests::state_of(request)?,
                    jobs: jobs
                        .iter()
                        .cloned()
                        .map(|job| JobNode { job, staff })
                        .collect(),
                    done: progress.done,
                    total: progress.total,
                })
            },
            requests::progress_finished,
        ))
    }

    /// The request each time its state changes; ends when it is final.
    async fn access_request_status(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> Result<impl Stream<Item = Result<AccessRequestNode>> + use<>> {
        let rc = RequestCtx::from(ctx)?;
        let id = decode_request_id(&id)?;
        let (_, access) = requests::find(&rc, &id).await?;
        Ok(poll(
            rc.services.clone(),
            id,
            |request, _| request.state.clone(),
            move |request: &access_request::Model, _| {
                Ok(AccessRequestNode {
                    row: request.clone().into(),
                    access,
                })
            },
            |request, _| RequestState::parse(&request.state).is_none_or(RequestState::is_final),
        ))
    }
}

struct Polling<K> {
    services: Arc<Services>,
    id: String,
    last: Option<K>,
    first: bool,
    done: bool,
}

/// Read request `id` and its jobs every [`POLL`]; send `view` of them whenever `key` of them
/// changes; stop after sending one where `finished` holds (or when the request is gone).
fn poll<K, T, KF, VF>(
    services: Arc<Services>,
    id: String,
    key: KF,
    view: VF,
    finished: fn(&access_request::Model, &[job::Model]) -> bool,
) -> impl Stream<Item = Result<T>> + Send + 'static
where
    K: PartialEq + Send + 'static,
    T: Send + 'static,
    KF: Fn(&access_request::Model, &[job::Model]) -> K + Send + Sync + 'static,
    VF: Fn(&access_request::Model, &[job::Model]) -> Result<T> + Send + Sync + 'static,
{
    let key = Arc::new(key);
    let view = Arc::new(view);
    let start = Polling {
        services,
        id,
        last: None,
        first: true,
        done: false,
    };
    futures::stream::unfold(start, move |mut st| {
        let key = key.clone();
        let view = view.clone();
        async move {
            if st.done {
                return None;
            }
            loop {
                if !st.first {
                    tokio::time::sleep(POLL).await;
                }
                st.first = false;
                let (request, jobs) = match requests::snapshot(&st.services, &st.id).await {
                    Ok(Some(found)) => found,
                    Ok(None) => return None,
                    Err(e) => {
                        st.done = true;
                        return Some((Err(internal("polling a request", e)), st));
                    }
                };
                let end = finished(&request, &jobs);
                let k = key(&request, &jobs);
                if st.last.as_ref() == Some(&k) {
                    if end {
                        return None;
                    }
                    continue;
                }
                st.last = Some(k);
                st.done = end;
                return Some((view(&request, &jobs), st));
            }
        }
    })
}
