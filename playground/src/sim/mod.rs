//! The simulated case systems: real servers over real sockets (or a real database), each serving
//! one slice of the synthetic municipality in its own protocol.
//!
//! They share nothing with `connectors`: this is the other side of the wire.

pub mod digitalpost;
pub mod rest;
pub mod soap;
pub mod sql;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A fault a simulated server can be told to inject, for the resilience tests and the demo.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Fault {
    /// Answer normally.
    #[default]
    None,
    /// Answer `429 Too Many Requests` with `Retry-After: secs` (REST) / a SOAP fault (SOAP).
    RateLimit {
        /// Seconds in `Retry-After`.
        retry_after_secs: u64,
    },
    /// Wait this long before answering.
    Slow(Duration),
    /// Answer `500` (REST) / a `soap:Receiver` fault (SOAP).
    ServerError,
    /// Answer `200` with a body that is cut off half-way.
    Truncated,
}

/// When a fault applies: after `skip` normal answers, for `remaining` requests (`None`: for ever).
#[derive(Debug, Default)]
struct FaultPlan {
    fault: Fault,
    skip: u64,
    remaining: Option<u64>,
}

/// Shared state of one running simulated server: the fault switch and the call counters.
#[derive(Debug, Default)]
pub struct Control {
    fault: Mutex<FaultPlan>,
    calls: Mutex<BTreeMap<String, u64>>,
    total: AtomicU64,
}

impl Control {
    /// A fresh control: no fault, no calls.
    pub fn new() -> Arc<Self> {
        Arc::new(Self::default())
    }
    /// Inject `fault` for every following request.
    pub fn set_fault(&self, fault: Fault) {
        *self.plan() = FaultPlan {
            fault,
            skip: 0,
            remaining: None,
        };
    }
    /// Inject `fault` for the next `n` requests only, then answer normally again.
    pub fn set_fault_for(&self, fault: Fault, n: u64) {
        *self.plan() = FaultPlan {
            fault,
            skip: 0,
            remaining: Some(n),
        };
    }
    /// Answer the next `skip` requests normally, then inject `fault` for every request after.
    pub fn set_fault_after(&self, skip: u64, fault: Fault) {
        *self.plan() = FaultPlan {
            fault,
            skip,
            remaining: None,
        };
    }
    fn plan(&self) -> std::sync::MutexGuard<'_, FaultPlan> {
        self.fault.lock().unwrap_or_else(|e| e.into_inner())
    }
    /// The fault to apply to the request being handled now (consumes one of a counted fault).
    pub fn take_fault(&self) -> Fault {
        let mut plan = self.plan();
        if plan.skip > 0 {
            plan.skip -= 1;
            return Fault::None;
        }
        match &mut plan.remaining {
            None => plan.fault.clone(),
            Some(0) => Fault::None,
            Some(n) => {
                *n -= 1;
                plan.fault.clone()
            }
        }
    }
    /// Count one request for `operation` (`"fremsoeg"`, `"GET /api/v1/cases"`, ...).
    pub fn count(&self, operation: &str) {
        self.total.fetch_add(1, Ordering::Relaxed);
        *self
            .calls
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .entry(operation.to_owned())
            .or_default() += 1;
    }
    /// Requests received so far, per operation.
    pub fn calls(&self) -> BTreeMap<String, u64> {
        self.calls.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
    /// Requests received so far, in all.
    pub fn total_calls(&self) -> u64 {
        self.total.load(Ordering::Relaxed)
    }
    /// Forget the counts (between phases of a test).
    pub fn reset_calls(&self) {
        self.calls.lock().unwrap_or_else(|e| e.into_inner()).clear();
        self.total.store(0, Ordering::Relaxed);
    }
}

/// A simulated server running on a loopback port until [`RunningServer::shutdown`] or drop.
#[derive(Debug)]
pub struct RunningServer {
    /// The system id it serves (`"esdh"`).
    pub system: String,
    /// Where it listens.
    pub addr: std::net::SocketAddr,
    /// Its fault switch and call counters.
    pub control: Arc<Control>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl RunningServer {
    /// Serve `router` on `listener` until shut down.
    pub fn spawn(
        system: &str,
        listener: tokio::net::TcpListener,
        router: axum::Router,
        control: Arc<Control>,
    ) -> std::io::Result<Self> {
        let addr = listener.local_addr()?;
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let serve = axum::serve(listener, router).with_graceful_shutdown(async {
                let _ = rx.await;
            });
            if let Err(error) = serve.await {
                tracing::warn!(%error, "simulated system stopped with an error");
            }
        });
        Ok(Self {
            system: system.to_owned(),
            addr,
            control,
            shutdown: Some(tx),
            task: Some(task),
        })
    }
    /// `http://127.0.0.1:port`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }
    /// Stop accepting and wait for the server task to end.
    pub async fn shutdown(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for RunningServer {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}
