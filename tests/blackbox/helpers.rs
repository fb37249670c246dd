//! `spawn_app`: the simulated municipality, its five systems, and the hub on a loopback port.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use api::auth::{DevIdentity, mint_dev_token};
use api::demo::{StartedSystems, sqlite_url, start_systems};
use api::settings::Settings;
use connectors::config::ResilienceConfig;
use connectors::registry::Entry;
use connectors::resilience::Resilient;
use connectors::sql::SqlSystem;
use connectors::{CaseSystem, Registry, SystemId};
use playground::municipality::{Municipality, Params, generate};
use serde_json::{Value, json};

static NEXT: AtomicUsize = AtomicUsize::new(0);

/// A fresh folder under the system temp dir, removed on drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(label: &str) -> Self {
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let path = std::env::temp_dir().join(format!("sagshub-{label}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path)
            .unwrap_or_else(|e| panic!("creating {}: {e}", path.display()));
        Self(path)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Tokens for the usual viewers.
pub struct Tokens {
    pub citizen: String,
    pub caseworker_all: String,
    pub caseworker_bf: String,
    pub admin: String,
}

/// The running hub and its systems.
pub struct TestApp {
    pub base: String,
    pub http: reqwest::Client,
    pub systems: StartedSystems,
    pub sql: Arc<SqlSystem>,
    pub tokens: Tokens,
    pub settings: Settings,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    _dir: TempDir,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// Resilience knobs for tests: quick retries, a breaker that does not trip during a test.
pub fn test_resilience() -> ResilienceConfig {
    ResilienceConfig {
        timeout_ms: 10_000,
        retries: 1,
        backoff_base_ms: 10,
        backoff_max_ms: 100,
        breaker_failures: 1_000,
        breaker_open_ms: 1_000,
        max_concurrency: 8,
    }
}

/// A small municipality whose demo citizen is party to `cases` cases across all systems.
pub fn params_with_demo_cases(cases: usize) -> Params {
    Params {
        seed: 11,
        cases: (cases * 3).max(60),
        citizens: (cases * 2).max(50),
        demo_citizen_cases: cases,
        include_largest_case: false,
    }
}

pub async fn spawn_app(params: Params) -> TestApp {
    spawn_app_with(params, |_| {}).await
}

/// Start everything; `adjust` may change the settings (limits, systems) before the hub starts.
pub async fn spawn_app_with(params: Params, adjust: impl FnOnce(&mut Settings)) -> TestApp {
    let dir = TempDir::new("blackbox");
    let municipality = Arc::new(generate(&params));
    let sql_url = sqlite_url(&dir.0.join("skole.sqlite"));
    let systems = start_systems(municipality.clone(), &sql_url)
        .await
        .unwrap_or_else(|e| panic!("starting systems: {e:#}"));

    let mut settings = Settings::default();
    settings.store.url = sqlite_url(&dir.0.join("hub.sqlite"));
    settings.auth.hs256_secret = Some("blackbox-secret-blackbox-secret-0123".into());
    settings.systems = systems.configs.clone();
    // Background probes would add to the call counts the tests read.
    settings.server.health_interval_secs = 3_600;
    for s in &mut settings.systems {
        s.resilience = test_resilience();
    }
    settings.aktindsigt.blob_dir = dir.0.join("blobs");
    settings.delivery.outbox_dir = Some(dir.0.join("outbox"));
    // Scans wait for a person unless a test turns OCR on (Tesseract takes seconds a page).
    settings.aktindsigt.ocr = false;
    // Quick polls and retries so workflow tests finish in seconds.
    settings.jobs.poll_ms = 50;
    settings.jobs.backoff_base_ms = 200;
    settings.jobs.backoff_max_ms = 1_000;
    settings.jobs.lease_secs = 5;
    settings.jobs.heartbeat_ms = 500;
    // The index sync reads every system in the background, which would add to the call
    // counts the tests read; the search tests turn it on.
    settings.index.enabled = false;
    adjust(&mut settings);

    // Build the registry by hand so the test keeps a handle on the SQL connector's statement
    // counter; SOAP and REST calls are counted by the simulated servers themselves.
    let mut entries = Vec::new();
    let mut sql = None;
    for config in &settings.systems {
        if let Some(sql_config) = &config.sql {
            let system = Arc::new(
                SqlSystem::connect(SystemId::new(&config.id), sql_config)
                    .await
                    .unwrap_or_else(|e| panic!("connecting SQL: {e}")),
            );
            sql = Some(system.clone());
            let wrapped: Arc<dyn CaseSystem> = Arc::new(Resilient::new(system, &config.resilience));
            entries.push(Entry {
                system: wrapped,
                name: config.name.clone().unwrap_or_else(|| config.id.clone()),
            });
        } else {
            let registry = Registry::from_config(std::slice::from_ref(config))
                .await
                .unwrap_or_else(|e| panic!("registry: {e}"));
            entries.extend(registry.entries().iter().cloned());
        }
    }
    let sql = sql.unwrap_or_else(|| panic!("the demo has a SQL system"));
    let store = api::connect_store(&settings)
        .await
        .unwrap_or_else(|e| panic!("store: {e:#}"));
    let services = api::services_from(&settings, Registry::new(entries), store)
        .unwrap_or_else(|e| panic!("services: {e:#}"));

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap_or_else(|e| panic!("bind: {e}"));
    let base = format!(
        "http://{}",
        listener
            .local_addr()
            .unwrap_or_else(|e| panic!("addr: {e}"))
    );
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let run_settings = settings.clone();
    tokio::spawn(async move {
        let shutdown = async {
            let _ = rx.await;
        };
        if let Err(e) = api::run_with(listener, run_settings, services, shutdown).await {
            eprintln!("hub stopped with an error: {e:#}");
        }
    });
    // Serving starts after the first health probe; wait for it so no probe overlaps a test.
    let http = reqwest::Client::new();
    let mut serving = false;
    for _ in 0..200 {
        if http
            .get(format!("{base}/healthz"))
            .send()
            .await
            .is_ok_and(|r| r.status().is_success())
        {
            serving = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    assert!(serving, "the hub did not start serving");
    let tokens = tokens(&settings, &municipality);
    TestApp {
        base,
        http,
        systems,
        sql,
        tokens,
        settings,
        shutdown: Some(tx),
        _dir: dir,
    }
}

fn tokens(settings: &Settings, m: &Municipality) -> Tokens {
    let all: Vec<String> = m.departments.iter().map(|d| d.name.to_owned()).collect();
    let mint = |sub: &str, id: DevIdentity| {
        mint_dev_token(&settings.auth, sub, &id, 600).unwrap_or_else(|e| panic!("token: {e}"))
    };
    Tokens {
        citizen: mint(
            "citizen",
            DevIdentity::Citizen {
                cpr: m.demo_citizen().cpr.clone(),
            },
        ),
        caseworker_all: mint(
            "cw-all",
            DevIdentity::Caseworker {
                departments: all,
                clearance: "Vip".into(),
            },
        ),
        caseworker_bf: mint(
            "cw-bf",
            DevIdentity::Caseworker {
                departments: vec!["Børn og Familie".into()],
                clearance: "Fortrolig".into(),
            },
        ),
        admin: mint("admin", DevIdentity::Admin),
    }
}

impl TestApp {
    /// A token for any identity, signed like the others.
    pub fn token(&self, subject: &str, identity: DevIdentity) -> String {
        mint_dev_token(&self.settings.auth, subject, &identity, 600)
            .unwrap_or_else(|e| panic!("token: {e}"))
    }

    /// A connection to the hub's own store.
    pub async fn store(&self) -> sea_orm::DatabaseConnection {
        sea_orm::Database::connect(&self.settings.store.url)
            .await
            .unwrap_or_else(|e| panic!("store: {e}"))
    }

    pub fn municipality(&self) -> &Municipality {
        &self.systems.municipality
    }

    /// POST a query as `token`; the JSON answer.
    pub async fn gql(&self, token: Option<&str>, query: &str, variables: Value) -> Value {
        let mut request = self
            .http
            .post(format!("{}/graphql", self.base))
            .json(&json!({ "query": query, "variables": variables }));
        if let Some(t) = token {
            request = request.bearer_auth(t);
        }
        let response = request
            .send()
            .await
            .unwrap_or_else(|e| panic!("POST /graphql: {e}"));
        response
            .json()
            .await
            .unwrap_or_else(|e| panic!("JSON answer: {e}"))
    }

    /// Calls each system received so far: server-side counts for SOAP/REST, statements for SQL.
    pub fn calls(&self) -> BTreeMap<String, u64> {
        let mut out: BTreeMap<String, u64> = self
            .systems
            .servers
            .iter()
            .map(|s| (s.system.clone(), s.control.total_calls()))
            .collect();
        out.insert("skole".into(), self.sql.statements_executed());
        out
    }

    pub fn reset_calls(&self) -> BTreeMap<String, u64> {
        for s in &self.systems.servers {
            s.control.reset_calls();
        }
        self.calls()
    }

    pub fn server(&self, id: &str) -> &playground::sim::RunningServer {
        self.systems
            .server(id)
            .unwrap_or_else(|| panic!("no simulated server {id}"))
    }
}

/// The error codes in a GraphQL answer.
pub fn codes(answer: &Value) -> Vec<String> {
    answer["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .filter_map(|e| e["extensions"]["code"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// Damage every PDF of one of the demo citizen's school cases in the legacy SQL system (a
/// truncated file that no PDF reader accepts); returns how many documents were damaged (> 0).
pub async fn damage_school_pdfs(app: &TestApp) -> u64 {
    let m = app.municipality();
    let case = m
        .cases
        .iter()
        .find(|c| {
            (c.primary == 0 || c.secondary.contains(&0))
                && m.department(c.department)
                    .is_some_and(|d| d.system == "skole")
                && c.documents
                    .iter()
                    .any(|d| d.format == playground::municipality::Format::Pdf)
        })
        .unwrap_or_else(|| panic!("the citizen has a school case with a PDF"))
        .clone();
    let url = app
        .settings
        .systems
        .iter()
        .find_map(|s| s.sql.as_ref().map(|q| q.url.clone()))
        .unwrap_or_default();
    let damaged = playground::sim::sql::replace_document_content(
        &url,
        playground::sim::sql::sag_id(&case),
        "application/pdf",
        b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\nxref\n0 2\ntrailer << /Root 1 0 R",
    )
    .await
    .unwrap_or_else(|e| panic!("damaging: {e}"));
    assert!(damaged > 0, "no PDF was damaged");
    damaged
}

/// The nodes of a connection's `edges` (empty when absent).
pub fn edge_nodes(connection: &Value) -> Vec<Value> {
    connection["edges"]
        .as_array()
        .map(|edges| edges.iter().map(|e| e["node"].clone()).collect())
        .unwrap_or_default()
}

/// `accessRequest(id)` through `query` as the all-departments caseworker.
pub async fn request_as_caseworker(app: &TestApp, query: &str, id: &str) -> Value {
    let answer = app
        .gql(Some(&app.tokens.caseworker_all), query, json!({ "id": id }))
        .await;
    assert!(answer["errors"].is_null(), "accessRequest failed: {answer}");
    answer["data"]["accessRequest"].clone()
}

/// Poll `accessRequest(id)` through `query` until `done` holds (the worker runs in the
/// background); panic with the last answer after 90 s, or at once when a job failed for good
/// (if `query` selects `jobs { state }`) unless the caller waits for that.
pub async fn wait_for_request(
    app: &TestApp,
    query: &str,
    id: &str,
    what: &str,
    done: impl Fn(&Value) -> bool,
) -> Value {
    let started = std::time::Instant::now();
    loop {
        let s = request_as_caseworker(app, query, id).await;
        if done(&s) {
            return s;
        }
        let failed = s["jobs"]
            .as_array()
            .is_some_and(|jobs| jobs.iter().any(|j| j["state"] == "FAILED"));
        assert!(!failed, "a job failed while waiting for {what}: {s}");
        assert!(
            started.elapsed() < std::time::Duration::from_secs(90),
            "request never got {what}: {s}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}
