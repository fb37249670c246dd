//! Resilience around any [`CaseSystem`]: a per-call timeout, retries of transient errors with
//! exponential backoff and full jitter (honouring `Retry-After`), a circuit breaker and a
//! concurrency limit.
//!
//! # Semantics
//! - Every attempt is one backend call, bounded by `timeout_ms` (waiting for a concurrency
//!   permit counts against the same deadline; a call that never got a permit is not held
//!   against the backend's breaker).
//! - A transient error ([`Error::is_transient`]) is retried up to `retries` times. The wait
//!   before retry `n` (from 0) is uniform in `[0, min(backoff_max, backoff_base * 2^n)]` (full
//!   jitter); a [`Error::RateLimited`] with `retry_after_secs` waits exactly that long instead, and
//!   if that is longer than `backoff_max_ms` the call gives up at once with the `RateLimited`.
//! - Breaker: `breaker_failures` consecutive errors that [`Error::trips_breaker`] open it; while
//!   open every call fails fast with [`Error::CircuitOpen`]; after `breaker_open_ms` one trial call
//!   is let through (half-open): success closes it, a tripping failure opens it again. Any answer
//!   that is not a tripping error (including `NotFound`) counts as the system being healthy.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use rand::Rng;
use tokio::sync::Semaphore;
use tokio::time::Instant;

use crate::config::ResilienceConfig;
use crate::model::{
    Case, ChangePage, Content, Document, Health, PartyKey, SearchQuery, SystemId, SystemKind,
};
use crate::system::CaseSystem;
use crate::{Error, Result};

/// Breaker state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Breaker {
    /// Calls go through; this many consecutive tripping failures so far.
    Closed { failures: u32 },
    /// Calls fail fast until `until`.
    Open { until: Instant },
    /// One trial call, started at `trial_started`, is in flight; others fail fast.
    HalfOpen { trial_started: Instant },
}

/// A [`CaseSystem`] wrapped in timeout, retries, circuit breaker and concurrency limit.
pub struct Resilient {
    inner: Arc<dyn CaseSystem>,
    config: ResilienceConfig,
    breaker: Mutex<Breaker>,
    permits: Semaphore,
    backend_calls: AtomicU64,
}

type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

impl Resilient {
    /// Wrap `inner` with the knobs of `config`. A zero `max_concurrency` is taken as 1.
    pub fn new(inner: Arc<dyn CaseSystem>, config: &ResilienceConfig) -> Self {
        Self {
            inner,
            config: config.clone(),
            breaker: Mutex::new(Breaker::Closed { failures: 0 }),
            permits: Semaphore::new(config.max_concurrency.max(1)),
            backend_calls: AtomicU64::new(0),
        }
    }

    /// Calls made to the wrapped system so far (every attempt, health probes included).
    pub fn backend_calls(&self) -> u64 {
        self.backend_calls.load(Ordering::Relaxed)
    }

    /// Whether the breaker currently refuses calls (open, or half-open with its trial in flight).
    pub fn circuit_open(&self) -> bool {
        let now = Instant::now();
        match *self.lock() {
            Breaker::Closed { .. } => false,
            Breaker::Open { until } => now < until,
            Breaker::HalfOpen { .. } => true,
        }
    }

    /// The wrapped system.
    pub fn inner(&self) -> &Arc<dyn CaseSystem> {
        &self.inner
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Breaker> {
        self.breaker.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn timeout(&self) -> Duration {
        Duration::from_millis(self.config.timeout_ms)
    }

    /// Let a call through, or fail fast.
    fn admit(&self) -> Result<()> {
        let now = Instant::now();
        let mut breaker = self.lock();
        match *breaker {
            Breaker::Closed { .. } => Ok(()),
            Breaker::Open { until } if now < until => {
                let remaining_ms = u64::try_from((until - now).as_millis()).unwrap_or(u64::MAX);
                Err(Error::CircuitOpen {
                    system: self.inner.id().clone(),
                    remaining_ms,
                })
            }
            Breaker::Open { .. } => {
                *breaker = Breaker::HalfOpen { trial_started: now };
                Ok(())
            }
            // A trial lost to a dropped future would otherwise hold the breaker half-open forever:
            // past its own timeout it cannot still be running, so let another trial through.
            Breaker::HalfOpen { trial_started }
                if now.duration_since(trial_started) > self.timeout() =>
            {
                *breaker = Breaker::HalfOpen { trial_started: now };
                Ok(())
            }
            Breaker::HalfOpen { .. } => Err(Error::CircuitOpen {
                system: self.inner.id().clone(),
                remaining_ms: 0,
            }),
        }
    }

    /// Record the outcome of one backend call.
    fn record<T>(&self, result: &Result<T>) {
        let mut breaker = self.lock();
        let tripped = matches!(result, Err(e) if e.trips_breaker());
        *breaker = match (*breaker, tripped) {
            (_, false) => Breaker::Closed { failures: 0 },
            (Breaker::Closed { failures }, true) if failures + 1 < self.config.breaker_failures => {
                Breaker::Closed {
                    failures: failures + 1,
                }
            }
            (_, true) => {
                tracing::warn!(system = %self.inner.id(), "circuit breaker opened");
                Breaker::Open {
                    until: Instant::now() + Duration::from_millis(self.config.breaker_open_ms),
                }
            }
        };
    }

    /// One attempt: permit, timeout, breaker bookkeeping.
    async fn attempt<'a, T>(
        &self,
        call: &(dyn Fn() -> BoxFuture<'a, Result<T>> + Sync),
    ) -> Result<T> {
        let timed_out = || Error::Timeout {
            system: self.inner.id().clone(),
            millis: self.config.timeout_ms,
        };
        let deadline = Instant::now() + self.timeout();
        self.admit()?;
        let permit = match tokio::time::timeout_at(deadline, self.permits.acquire()).await {
            Ok(Ok(permit)) => permit,
            // The semaphore is never closed; either way the backend was not called.
            Ok(Err(_)) | Err(_) => {
                self.release_trial();
                return Err(timed_out());
            }
        };
        self.backend_calls.fetch_add(1, Ordering::Relaxed);
        let result = match tokio::time::timeout_at(deadline, call()).await {
            Ok(result) => result,
            Err(_) => Err(timed_out()),
        };
        drop(permit);
        self.record(&result);
        result
    }

    /// A half-open trial that never reached the backend gives its slot back.
    fn release_trial(&self) {
        let mut breaker = self.lock();
        if let Breaker::HalfOpen { .. } = *breaker {
            *breaker = Breaker::Open {
                until: Instant::now(),
            };
        }
    }

    /// Run `call` with retries.
    async fn run<'a, T>(&self, call: impl Fn() -> BoxFuture<'a, Result<T>> + Sync) -> Result<T> {
        let mut attempt = 0u32;
        loop {
            let error = match self.attempt(&call).await {
                Ok(value) => return Ok(value),
                Err(error) => error,
            };
            if !error.is_transient() || attempt >= self.config.retries {
                return Err(error);
            }
            let wait = match &error {
                Error::RateLimited {
                    retry_after_secs: Some(secs),
                    ..
                } => {
                    let asked = secs.saturating_mul(1000);
                    if asked > self.config.backoff_max_ms {
                        return Err(error);
                    }
                    asked
                }
                _ => self.jitter(attempt),
            };
            tracing::debug!(system = %self.inner.id(), attempt, wait_ms = wait, error = %error, "retrying");
            tokio::time::sleep(Duration::from_millis(wait)).await;
            attempt += 1;
        }
    }

    /// Full jitter: uniform in `[0, min(max, base * 2^attempt)]`.
    fn jitter(&self, attempt: u32) -> u64 {
        let ceiling = self
            .config
            .backoff_base_ms
            .saturating_mul(1u64 << attempt.min(32))
            .min(self.config.backoff_max_ms);
        rand::rng().random_range(0..=ceiling)
    }
}

#[async_trait]
impl CaseSystem for Resilient {
    fn id(&self) -> &SystemId {
        self.inner.id()
    }

    fn kind(&self) -> SystemKind {
        self.inner.kind()
    }

    async fn cases_for_parties(&self, parties: &[PartyKey]) -> Result<Vec<Case>> {
        self.run(|| self.inner.cases_for_parties(parties)).await
    }

    async fn cases_by_ids(&self, ids: &[String]) -> Result<Vec<Case>> {
        self.run(|| self.inner.cases_by_ids(ids)).await
    }

    async fn documents_of_cases(&self, case_ids: &[String]) -> Result<Vec<Document>> {
        self.run(|| self.inner.documents_of_cases(case_ids)).await
    }

    async fn content(&self, document_id: &str, max_bytes: u64) -> Result<Content> {
        self.run(|| self.inner.content(document_id, max_bytes))
            .await
    }

    async fn search(&self, query: &SearchQuery) -> Result<Vec<Case>> {
        self.run(|| self.inner.search(query)).await
    }

    async fn changes_since(&self, cursor: Option<&str>, limit: usize) -> Result<ChangePage> {
        self.run(|| self.inner.changes_since(cursor, limit)).await
    }

    /// Probes the system directly (not through the breaker, so an operator sees the truth), with
    /// the call timeout, and reports whether the breaker is open.
    async fn health(&self) -> Health {
        self.backend_calls.fetch_add(1, Ordering::Relaxed);
        let started = Instant::now();
        let mut health = match tokio::time::timeout(self.timeout(), self.inner.health()).await {
            Ok(health) => health,
            Err(_) => Health {
                up: false,
                latency_ms: self.config.timeout_ms,
                detail: Some(
                    Error::Timeout {
                        system: self.inner.id().clone(),
                        millis: self.config.timeout_ms,
                    }
                    .to_string(),
                ),
                circuit_open: false,
            },
        };
        if health.latency_ms == 0 {
            health.latency_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        }
        health.circuit_open = self.circuit_open();
        health
    }
}

#[cfg(test)]
mod tests {
    use std::collections::VecDeque;
    use std::sync::atomic::AtomicUsize;

    use super::*;

    /// What the fake answers next.
    #[derive(Clone)]
    enum Step {
        Ok,
        Unavailable,
        RateLimited(Option<u64>),
        NotFound,
        Hang,
        /// Hold the call this long, tracking how many are in flight.
        Busy(Duration),
    }

    struct Fake {
        id: SystemId,
        script: Mutex<VecDeque<Step>>,
        /// Used when the script is empty.
        default: Step,
        calls: AtomicUsize,
        in_flight: AtomicUsize,
        max_in_flight: AtomicUsize,
    }

    impl Fake {
        fn new(script: Vec<Step>, default: Step) -> Arc<Self> {
            Arc::new(Self {
                id: SystemId::new("fake"),
                script: Mutex::new(script.into()),
                default,
                calls: AtomicUsize::new(0),
                in_flight: AtomicUsize::new(0),
                max_in_flight: AtomicUsize::new(0),
            })
        }
        fn calls(&self) -> usize {
            self.calls.load(Ordering::SeqCst)
        }
        async fn step(&self) -> Result<Vec<Case>> {
            self.calls.fetch_add(1, Ordering::SeqCst);
            let step = self
                .script
                .lock()
                .unwrap()
                .pop_front()
                .unwrap_or_else(|| self.default.clone());
            let system = self.id.clone();
            match step {
                Step::Ok => Ok(Vec::new()),
                Step::Unavailable => Err(Error::Unavailable {
                    system,
                    reason: "HTTP 503".into(),
                }),
                Step::RateLimited(retry_after_secs) => Err(Error::RateLimited {
                    system,
                    retry_after_secs,
                }),
                Step::NotFound => Err(Error::NotFound {
                    system,
                    what: "x".into(),
                }),
                Step::Hang => {
                    tokio::time::sleep(Duration::from_secs(3600)).await;
                    Ok(Vec::new())
                }
                Step::Busy(d) => {
                    let now = self.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
                    self.max_in_flight.fetch_max(now, Ordering::SeqCst);
                    tokio::time::sleep(d).await;
                    self.in_flight.fetch_sub(1, Ordering::SeqCst);
                    Ok(Vec::new())
                }
            }
        }
    }

    #[async_trait]
    impl CaseSystem for Fake {
        fn id(&self) -> &SystemId {
            &self.id
        }
        fn kind(&self) -> SystemKind {
            SystemKind::Rest
        }
        async fn cases_for_parties(&self, _: &[PartyKey]) -> Result<Vec<Case>> {
            self.step().await
        }
        async fn cases_by_ids(&self, _: &[String]) -> Result<Vec<Case>> {
            self.step().await
        }
        async fn documents_of_cases(&self, _: &[String]) -> Result<Vec<Document>> {
            self.step().await.map(|_| Vec::new())
        }
        async fn content(&self, _: &str, _: u64) -> Result<Content> {
            self.step().await.map(|_| Content {
                mime_type: "text/plain".into(),
                bytes: Vec::new(),
            })
        }
        async fn search(&self, _: &SearchQuery) -> Result<Vec<Case>> {
            self.step().await
        }
        async fn changes_since(&self, _: Option<&str>, _: usize) -> Result<ChangePage> {
            self.step().await.map(|_| ChangePage {
                changes: Vec::new(),
                next_cursor: String::new(),
                has_more: false,
            })
        }
        async fn health(&self) -> Health {
            Health {
                up: true,
                latency_ms: 1,
                detail: None,
                circuit_open: false,
            }
        }
    }

    fn config() -> ResilienceConfig {
        ResilienceConfig {
            timeout_ms: 1_000,
            retries: 2,
            backoff_base_ms: 100,
            backoff_max_ms: 5_000,
            breaker_failures: 3,
            breaker_open_ms: 30_000,
            max_concurrency: 2,
        }
    }

    fn wrap(fake: &Arc<Fake>, config: &ResilienceConfig) -> Resilient {
        Resilient::new(fake.clone(), config)
    }

    #[tokio::test(start_paused = true)]
    async fn retries_transient_errors_then_succeeds() {
        let fake = Fake::new(vec![Step::Unavailable, Step::Unavailable], Step::Ok);
        let r = wrap(&fake, &config());
        let started = Instant::now();
        assert!(r.cases_by_ids(&["a".into()]).await.is_ok());
        assert_eq!(fake.calls(), 3);
        assert_eq!(r.backend_calls(), 3);
        // Full jitter: at most base + 2*base of waiting.
        assert!(started.elapsed() <= Duration::from_millis(300));
    }

    #[tokio::test(start_paused = true)]
    async fn gives_up_after_the_configured_retries() {
        let fake = Fake::new(vec![], Step::Unavailable);
        let r = wrap(
            &fake,
            &ResilienceConfig {
                breaker_failures: 100,
                ..config()
            },
        );
        assert!(matches!(
            r.search(&SearchQuery::default()).await,
            Err(Error::Unavailable { .. })
        ));
        assert_eq!(fake.calls(), 3);
    }

    #[tokio::test(start_paused = true)]
    async fn non_transient_errors_are_not_retried() {
        let fake = Fake::new(vec![Step::NotFound], Step::Ok);
        let r = wrap(&fake, &config());
        assert!(matches!(
            r.content("d1", 10).await,
            Err(Error::NotFound { .. })
        ));
        assert_eq!(fake.calls(), 1);
    }

    #[tokio::test(start_paused = true)]
    async fn retry_after_is_honoured() {
        let fake = Fake::new(vec![Step::RateLimited(Some(2))], Step::Ok);
        let r = wrap(&fake, &config());
        let started = Instant::now();
        assert!(r.cases_for_parties(&[]).await.is_ok());
        assert_eq!(fake.calls(), 2);
        assert!(started.elapsed() >= Duration::from_secs(2));
        assert!(started.elapsed() < Duration::from_millis(2_100));
    }

    #[tokio::test(start_paused = true)]
    async fn retry_after_beyond_the_cap_gives_up() {
        let fake = Fake::new(vec![Step::RateLimited(Some(60))], Step::Ok);
        let r = wrap(&fake, &config());
        let started = Instant::now();
        assert!(matches!(
            r.cases_for_parties(&[]).await,
            Err(Error::RateLimited {
                retry_after_secs: Some(60),
                ..
            })
        ));
        assert_eq!(fake.calls(), 1);
        assert!(started.elapsed() < Duration::from_millis(10));
    }

    #[tokio::test(start_paused = true)]
    async fn timeout_becomes_timeout_error() {
        let fake = Fake::new(vec![], Step::Hang);
        let r = wrap(
            &fake,
            &ResilienceConfig {
                retries: 0,
                ..config()
            },
        );
        let started = Instant::now();
        assert!(matches!(
            r.cases_by_ids(&[]).await,
            Err(Error::Timeout { millis: 1_000, .. })
        ));
        assert_eq!(started.elapsed(), Duration::from_millis(1_000));
    }

    #[tokio::test(start_paused = true)]
    async fn breaker_opens_fails_fast_half_opens_and_closes() {
        let fake = Fake::new(
            vec![
                Step::Unavailable,
                Step::Unavailable,
                Step::Unavailable,
                Step::Unavailable,
            ],
            Step::Ok,
        );
        let r = wrap(
            &fake,
            &ResilienceConfig {
                retries: 0,
                ..config()
            },
        );
        for _ in 0..3 {
            assert!(matches!(
                r.cases_by_ids(&[]).await,
                Err(Error::Unavailable { .. })
            ));
        }
        assert!(r.circuit_open());
        // Open: no backend call.
        assert!(matches!(
            r.cases_by_ids(&[]).await,
            Err(Error::CircuitOpen {
                remaining_ms: 30_000,
                ..
            })
        ));
        assert_eq!(fake.calls(), 3);
        assert!(r.health().await.circuit_open);
        // After the open period a trial goes through; it fails and the breaker opens again.
        tokio::time::advance(Duration::from_millis(30_001)).await;
        assert!(matches!(
            r.cases_by_ids(&[]).await,
            Err(Error::Unavailable { .. })
        ));
        assert!(matches!(
            r.cases_by_ids(&[]).await,
            Err(Error::CircuitOpen { .. })
        ));
        assert_eq!(fake.calls(), 4);
        // Next trial succeeds and closes it.
        tokio::time::advance(Duration::from_millis(30_001)).await;
        assert!(r.cases_by_ids(&[]).await.is_ok());
        assert!(!r.circuit_open());
        assert!(r.cases_by_ids(&[]).await.is_ok());
        assert_eq!(fake.calls(), 6);
        assert!(!r.health().await.circuit_open);
    }

    #[tokio::test(start_paused = true)]
    async fn non_tripping_errors_reset_the_failure_count() {
        let fake = Fake::new(
            vec![
                Step::Unavailable,
                Step::Unavailable,
                Step::NotFound,
                Step::Unavailable,
                Step::Unavailable,
            ],
            Step::Ok,
        );
        let r = wrap(
            &fake,
            &ResilienceConfig {
                retries: 0,
                ..config()
            },
        );
        for _ in 0..5 {
            let _ = r.cases_by_ids(&[]).await;
        }
        assert!(!r.circuit_open());
    }

    #[tokio::test(start_paused = true)]
    async fn concurrency_limit_is_respected() {
        let fake = Fake::new(vec![], Step::Busy(Duration::from_millis(100)));
        let r = Arc::new(wrap(
            &fake,
            &ResilienceConfig {
                max_concurrency: 2,
                ..config()
            },
        ));
        let calls: Vec<_> = (0..6)
            .map(|_| {
                let r = r.clone();
                tokio::spawn(async move { r.cases_by_ids(&[]).await })
            })
            .collect();
        for call in calls {
            assert!(call.await.unwrap().is_ok());
        }
        assert_eq!(fake.calls(), 6);
        assert_eq!(fake.max_in_flight.load(Ordering::SeqCst), 2);
    }

    #[test]
    fn jitter_stays_within_the_exponential_ceiling() {
        let fake = Fake::new(vec![], Step::Ok);
        let r = wrap(&fake, &config());
        for attempt in 0..10 {
            let ceiling = (100u64 << attempt).min(5_000);
            for _ in 0..50 {
                assert!(r.jitter(attempt) <= ceiling);
            }
        }
        assert!(r.jitter(40) <= 5_000);
    }
}
