//! api: the `sagshub` binary's library — settings, token verification, the HTTP server.
//!
//! # Layout
//! - [`settings`]: the typed settings tree (TOML + `SAGSHUB__*` environment overrides).
//! - [`auth`]: `Authorization: Bearer` → verified [`schema::Viewer`].
//! - [`logging`]: the log writer that masks CPR-shaped numbers.
//! - [`http`]: the axum router; `/graphql` per GraphQL-over-HTTP, `/playground`, health.
//! - [`demo`]: `sagshub demo` — simulated systems + hub on embedded defaults.
//! - [`detect_cli`]: `sagshub detect eval|scan|bench|corpus` — the personal-data detector's tools.
//! - [`worker`]: the job worker — tasks that lease jobs and run the workflow's handlers.
//! - [`run`]: the one entry point `main`, `demo` and the tests share.
//!
//! # Invariants
//! - No business rules here: access decisions live in `schema`'s services.
//! - The request never reaches the schema without a verified (possibly anonymous) viewer.

pub mod auth;
pub mod demo;
pub mod detect_cli;
pub mod http;
pub mod logging;
pub mod settings;
pub mod worker;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result};
use migration::MigratorTrait;
use sea_orm::{ConnectOptions, Database, DatabaseConnection};
use tokio::net::TcpListener;

use crate::settings::Settings;

/// Connect to the store and bring its schema up to date.
pub async fn connect_store(settings: &Settings) -> Result<DatabaseConnection> {
    let mut options = ConnectOptions::new(settings.store.url.clone());
    options
        .max_connections(settings.store.max_connections)
        .sqlx_logging(false);
    // The embedded store in WAL mode: a commit is one append and one fsync, and readers do not
    // block the audit log's appends. `synchronous = FULL` keeps every committed audit event on
    // disk before the data it records is returned.
    options.map_sqlx_sqlite_opts(|o| {
        o.journal_mode(sqlx::sqlite::SqliteJournalMode::Wal)
            .synchronous(sqlx::sqlite::SqliteSynchronous::Full)
            .busy_timeout(std::time::Duration::from_secs(10))
    });
    let db = Database::connect(options).await.with_context(|| {
        format!(
            "connecting to the store at {}",
            redact_url(&settings.store.url)
        )
    })?;
    migration::Migrator::up(&db, None)
        .await
        .context("running the store's migrations")?;
    Ok(db)
}

/// Build the services from settings: store, registry, limits.
pub async fn services(settings: &Settings) -> Result<Arc<schema::Services>> {
    let store = connect_store(settings).await?;
    let registry = connectors::Registry::from_config(&settings.systems)
        .await
        .context("configuring the case systems")?;
    services_from(settings, registry, store)
}

/// The services over an already-built registry and store (tests that bring their own systems).
pub fn services_from(
    settings: &Settings,
    registry: connectors::Registry,
    store: DatabaseConnection,
) -> Result<Arc<schema::Services>> {
    let aktindsigt = schema::services::aktindsigt::Aktindsigt::new(settings.aktindsigt.clone())
        .context("the aktindsigt settings")?;
    let municipality = schema::services::bundling::Municipality::new(settings.municipality.clone())
        .map_err(anyhow::Error::msg)
        .context("the municipality settings")?;
    let delivery = schema::services::delivery::Delivery::new(
        settings.delivery.clone(),
        &settings.aktindsigt.blob_dir,
    )
    .map_err(anyhow::Error::msg)
    .context("the delivery settings")?;
    Ok(Arc::new(schema::Services {
        registry,
        store,
        limits: settings.graphql.limits(),
        ids: id_sealer(settings),
        blobs: schema::services::blobs::BlobStore::new(settings.aktindsigt.blob_dir.clone()),
        aktindsigt: Arc::new(aktindsigt),
        jobs: settings.jobs.clone(),
        index: settings.index.clone(),
        wake: Arc::new(tokio::sync::Notify::new()),
        ocr: ocr_engine(settings),
        municipality: Arc::new(municipality),
        delivery: Arc::new(delivery),
    }))
}

/// Tesseract, when `aktindsigt.ocr` is on and it is installed with the Danish model.
fn ocr_engine(settings: &Settings) -> Option<Arc<dyn pipeline::extract::Ocr>> {
    if !settings.aktindsigt.ocr {
        return None;
    }
    match pipeline::extract::Tesseract::detect() {
        Some(t) => Some(Arc::new(t)),
        None => {
            tracing::warn!(
                "aktindsigt.ocr is on but tesseract with the Danish model (tesseract-ocr-dan) is \
                 not installed: scanned documents will wait for manual review"
            );
            None
        }
    }
}

/// The party-id sealer from `graphql.id_secret`, or from a random secret (with a warning).
pub fn id_sealer(settings: &Settings) -> schema::ids::IdSealer {
    match &settings.graphql.id_secret {
        Some(secret) => schema::ids::IdSealer::new(secret.as_bytes()),
        None => {
            tracing::warn!(
                "graphql.id_secret is not set: party ids will change when the hub restarts"
            );
            schema::ids::IdSealer::new(uuid::Uuid::new_v4().as_bytes())
        }
    }
}

/// Serve the hub on `listener` until `shutdown` resolves, then drain requests in flight.
pub async fn run(
    listener: TcpListener,
    settings: Settings,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<()> {
    let services = services(&settings).await?;
    run_with(listener, settings, services, shutdown).await
}

/// [`run`] over already-built services (tests that bring their own systems).
pub async fn run_with(
    listener: TcpListener,
    settings: Settings,
    services: Arc<schema::Services>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<()> {
    let schema = schema::build(services.clone());
    // Probe the systems at start (for at most a few seconds, so a dead system cannot hold the
    // start up) and then every interval, so `/readyz` and operators see fresh health without
    // each poll reaching every backend.
    let every = Duration::from_secs(settings.server.health_interval_secs.max(1));
    let first = {
        let services = services.clone();
        tokio::spawn(async move { schema::services::health::probe_all(&services).await })
    };
    let _ = tokio::time::timeout(Duration::from_secs(3), first).await;
    let monitor = {
        let services = services.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(every).await;
                schema::services::health::probe_all(&services).await;
            }
        })
    };
    let state = Arc::new(http::AppState {
        schema,
        services: services.clone(),
        verifier: auth::Verifier::new(&settings.auth)?,
        max_batch: settings.graphql.max_batch,
        request_timeout_ms: settings.server.request_timeout_ms,
        playground: settings.playground.clone(),
    });
    let app = http::router(state, &settings);
    let stop_workers = tokio_util::sync::CancellationToken::new();
    let workers = settings.jobs.enabled.then(|| {
        worker::spawn(
            services.clone(),
            stop_workers.clone(),
            Duration::from_millis(settings.server.shutdown_grace_ms),
        )
    });
    let addr = listener.local_addr().context("listener address")?;
    tracing::info!(%addr, "sagshub listening");
    let grace = Duration::from_millis(settings.server.shutdown_grace_ms);
    let (stopped_tx, stopped_rx) = tokio::sync::oneshot::channel::<()>();
    let signal = {
        let stop_workers = stop_workers.clone();
        async move {
            shutdown.await;
            // Workers stop taking jobs at once and get the grace period to finish theirs.
            stop_workers.cancel();
            let _ = stopped_tx.send(());
        }
    };
    let server = std::future::IntoFuture::into_future(
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .with_graceful_shutdown(signal),
    );
    tokio::pin!(server);
    tokio::select! {
        result = &mut server => result.context("serving HTTP")?,
        _ = async { let _ = stopped_rx.await; tokio::time::sleep(grace).await } => {
            tracing::warn!("requests still in flight after the shutdown grace period; stopping anyway");
        }
    }
    monitor.abort();
    stop_workers.cancel();
    if let Some(workers) = workers {
        workers.stop().await;
    }
    Ok(())
}

/// Check the audit log's hash chain (`sagshub audit verify`): the line to print, starting with
/// `audit log intact` or `audit log ALTERED`.
pub async fn audit_verify(store: &DatabaseConnection) -> Result<String> {
    let report = schema::services::audit::verify(store)
        .await
        .context("reading the audit log")?;
    Ok(match report.problem {
        None => format!(
            "audit log intact: {} events, head {}",
            report.rows, report.head
        ),
        Some((seq, problem)) => format!(
            "audit log ALTERED: event {seq} {problem} ({} events before it verified)",
            report.rows
        ),
    })
}

/// A URL without its password, for messages.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let creds = &url[scheme + 3..at];
            match creds.find(':') {
                Some(colon) => format!(
                    "{}{}:***{}",
                    &url[..scheme + 3],
                    &creds[..colon],
                    &url[at..]
                ),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}
