//! The durable job queue, proved with the real `sagshub` binary: hubs run as child processes
//! (`sagshub serve --config …`) against simulated case systems served from this test process,
//! and are killed with SIGKILL, restarted, or run side by side on one PostgreSQL store.
//!
//! The tests talk to the hubs over HTTP as a client would and read the hub's store directly for
//! what no client sees: jobs, their attempts (`job_run`) and the findings table. Everything is on
//! 127.0.0.1 and all data is generated.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Display;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use api::auth::{DevIdentity, mint_dev_token};
use api::demo::{sqlite_url, start_systems};
use api::settings::{AuthSettings, Settings};
use connectors::config::{ResilienceConfig, SqlIdType, SystemConfig};
use playground::municipality::{Municipality, Params, generate};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection, DbBackend, QueryResult, Statement};
use serde_json::{Value as Json, json};

/// The `sagshub` binary Cargo built for these tests.
const SAGSHUB: &str = env!("CARGO_BIN_EXE_sagshub");

/// The HS256 development secret of every hub these tests start.
const SECRET: &str = "processes-test-secret-0123456789abcdef";

/// Sealing secret for party ids, so that hubs sharing a store agree on them.
const ID_SECRET: &str = "processes-test-id-secret-0123456789abc";

/// How long any one wait may take before the test fails.
const TIMEOUT: Duration = Duration::from_secs(120);

/// Held by each test while it runs: both keep the machine's cores busy with hub processes, and
/// run side by side each would take twice as long.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// How often a wait looks again.
const POLL: Duration = Duration::from_millis(20);

/// The token subject of the citizen in the crash test (and its reference run).
const CRASH_SUBJECT: &str = "crash-citizen";

/// The token subject of the citizen in the SIGTERM test.
const SIGTERM_SUBJECT: &str = "sigterm-citizen";

const SUBMIT: &str = "mutation($key: String) { submitAccessRequest(input: {legalBasis: PARTY_ACCESS, idempotencyKey: $key}) { accessRequest { id state } created } }";

/// A municipality whose demo citizen is party to enough cases (about 150 documents) that
/// screening their request takes seconds in a debug build: long enough to be caught mid-way.
fn crash_params() -> Params {
    Params {
        seed: 11,
        cases: 300,
        citizens: 200,
        demo_citizen_cases: 15,
        include_largest_case: false,
    }
}

/// The crash test's municipality with its demo citizen party to more cases (about 300
/// documents): the SIGTERM test must still be screening when its 1 s grace period ends, also on
/// a machine with more cores (screening runs one document per core).
fn sigterm_params() -> Params {
    Params {
        demo_citizen_cases: 25,
        ..crash_params()
    }
}

/// A municipality with many citizens who are party to a case or two each.
fn shared_queue_params() -> Params {
    Params {
        seed: 23,
        cases: 120,
        citizens: 80,
        demo_citizen_cases: 4,
        include_largest_case: false,
    }
}

// ---------------------------------------------------------------------------------------------
// Small helpers.

/// `Result::unwrap` with a message that shows the whole error chain.
trait Must<T> {
    fn must(self, what: &str) -> T;
}

impl<T, E: Display> Must<T> for Result<T, E> {
    fn must(self, what: &str) -> T {
        self.unwrap_or_else(|e| panic!("{what}: {e:#}"))
    }
}

/// A fresh folder under the system temp dir, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(label: &str) -> Self {
        let path = std::env::temp_dir().join(format!(
            "sagshub-processes-{label}-{}",
            uuid::Uuid::new_v4().simple()
        ));
        std::fs::create_dir_all(&path).must("creating a temp dir");
        Self(path)
    }

    /// A sub-folder, created.
    fn sub(&self, name: &str) -> PathBuf {
        let path = self.0.join(name);
        std::fs::create_dir_all(&path).must("creating a temp sub-dir");
        path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A loopback port nobody listens on right now.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .must("finding a free port")
        .port()
}

/// Poll `probe` until it answers `Some`, failing the test after [`TIMEOUT`].
async fn eventually<T>(what: &str, mut probe: impl AsyncFnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + TIMEOUT;
    loop {
        if let Some(value) = probe().await {
            return value;
        }
        assert!(
            Instant::now() < deadline,
            "timed out after {TIMEOUT:?} waiting for {what}"
        );
        tokio::time::sleep(POLL).await;
    }
}

/// A TOML string literal.
fn lit(text: &str) -> String {
    toml::Value::String(text.to_owned()).to_string()
}

/// Quick retries and a breaker that does not trip during a test.
fn test_resilience() -> ResilienceConfig {
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

/// The `[[systems]]` tables for `systems`, written out field by field (`SystemConfig` is read
/// from settings files but not written to them).
fn systems_toml(systems: &[SystemConfig]) -> String {
    let mut out = String::new();
    for system in systems {
        out.push_str(&format!("\n[[systems]]\nid = {}\n", lit(&system.id)));
        if let Some(name) = &system.name {
            out.push_str(&format!("name = {}\n", lit(name)));
        }
        if let Some(soap) = &system.soap {
            out.push_str(&format!(
                "[systems.soap]\nurl = {}\nmax_response_bytes = {}\npage_size = {}\n",
                lit(&soap.url),
                soap.max_response_bytes,
                soap.page_size
            ));
        }
        if let Some(rest) = &system.rest {
            out.push_str(&format!(
                "[systems.rest]\nurl = {}\ntoken = {}\npage_size = {}\nmax_response_bytes = {}\n",
                lit(&rest.url),
                lit(&rest.token),
                rest.page_size,
                rest.max_response_bytes
            ));
        }
        if let Some(sql) = &system.sql {
            let id_type = match sql.id_type {
                SqlIdType::Auto => "auto",
                SqlIdType::Integer => "integer",
                SqlIdType::Text => "text",
            };
            let q = &sql.queries;
            out.push_str(&format!(
                "[systems.sql]\nurl = {}\nmax_connections = {}\nconnect_timeout_ms = {}\nid_type = {}\n\
                 [systems.sql.queries]\ncases_for_parties = {}\ncases_by_ids = {}\nparties_of_cases = {}\n\
                 documents_of_cases = {}\ncontent = {}\nsearch = {}\nchanges = {}\nhealth = {}\n",
                lit(&sql.url),
                sql.max_connections,
                sql.connect_timeout_ms,
                lit(id_type),
                lit(&q.cases_for_parties),
                lit(&q.cases_by_ids),
                lit(&q.parties_of_cases),
                lit(&q.documents_of_cases),
                lit(&q.content),
                lit(&q.search),
                lit(&q.changes),
                lit(&q.health),
            ));
        }
        let r = test_resilience();
        out.push_str(&format!(
            "[systems.resilience]\ntimeout_ms = {}\nretries = {}\nbackoff_base_ms = {}\n\
             backoff_max_ms = {}\nbreaker_failures = {}\nbreaker_open_ms = {}\nmax_concurrency = {}\n",
            r.timeout_ms,
            r.retries,
            r.backoff_base_ms,
            r.backoff_max_ms,
            r.breaker_failures,
            r.breaker_open_ms,
            r.max_concurrency
        ));
    }
    out
}

/// Write a hub's settings file into `dir` and return its path. The file is parsed here first,
/// so a mistake in it fails with the settings error rather than with a hub that never starts.
///
/// The case index's background sync is off: it is not part of the request workflow these tests
/// prove, and its start-up read of every system's change feed would compete with collection
/// for the two cores and the simulated systems (and its own retries would be jobs that
/// legitimately run twice).
fn write_config(
    dir: &Path,
    port: u16,
    store_url: &str,
    blob_dir: &Path,
    systems: &[SystemConfig],
) -> PathBuf {
    let text = format!(
        "[server]\nlisten = {listen}\nhealth_interval_secs = 3600\n\n\
         [store]\nurl = {store}\n\n\
         [auth]\nhs256_secret = {secret}\n\n\
         [graphql]\nid_secret = {id_secret}\n\n\
         [aktindsigt]\nblob_dir = {blobs}\n\n\
         [jobs]\nworkers = 2\nlease_secs = 2\nheartbeat_ms = 300\npoll_ms = 50\n\
         backoff_base_ms = 200\nbackoff_max_ms = 1000\n\n\
         [index]\nenabled = false\n{systems}",
        listen = lit(&format!("127.0.0.1:{port}")),
        store = lit(store_url),
        secret = lit(SECRET),
        id_secret = lit(ID_SECRET),
        blobs = lit(&blob_dir.display().to_string()),
        systems = systems_toml(systems),
    );
    Settings::from_toml_and_env(&text, Vec::<(String, String)>::new())
        .must("the test's settings file is invalid");
    let path = dir.join(format!("sagshub-{port}.toml"));
    std::fs::write(&path, text).must("writing the settings file");
    path
}

/// A citizen's token, as the hubs verify it (HS256 with [`SECRET`], default issuer and audience).
fn citizen_token(subject: &str, cpr: &str) -> String {
    let auth = AuthSettings {
        hs256_secret: Some(SECRET.to_owned()),
        ..AuthSettings::default()
    };
    let identity = DevIdentity::Citizen {
        cpr: cpr.to_owned(),
    };
    mint_dev_token(&auth, subject, &identity, 600).must("minting a citizen token")
}

/// `sagshub audit verify --config <config>`: its first line of output.
async fn audit_verify(config: &Path) -> String {
    let mut command = tokio::process::Command::new(SAGSHUB);
    command
        .args(["audit", "verify", "--config"])
        .arg(config)
        .env("NO_COLOR", "1");
    for key in sagshub_env_keys() {
        command.env_remove(key);
    }
    let out = command.output().await.must("running sagshub audit verify");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "sagshub audit verify failed ({}): {stdout}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    stdout.lines().next().unwrap_or_default().to_owned()
}

/// The `SAGSHUB__*` overrides in the test's own environment: removed for the child processes,
/// which must run on exactly the settings file the test wrote.
fn sagshub_env_keys() -> Vec<String> {
    std::env::vars()
        .map(|(k, _)| k)
        .filter(|k| k.starts_with(api::settings::ENV_PREFIX))
        .collect()
}

// ---------------------------------------------------------------------------------------------
// A hub as a child process.

/// A `sagshub serve` child process. Dropping it kills it; if the test is failing, the tail of
/// its log is printed.
struct Hub {
    name: String,
    child: Child,
    pid: u32,
    base: String,
    log: PathBuf,
    http: reqwest::Client,
}

impl Hub {
    /// Start `sagshub serve --config <config>` and wait until `/healthz` answers.
    async fn start(name: &str, dir: &Path, config: &Path, port: u16) -> Hub {
        let log = dir.join(format!("{name}.log"));
        let out = std::fs::File::create(&log).must("creating a hub log");
        let err = out.try_clone().must("sharing the hub log");
        let mut command = Command::new(SAGSHUB);
        command
            .args(["serve", "--config"])
            .arg(config)
            .env("NO_COLOR", "1")
            .env("RUST_LOG", "info,sqlx=warn")
            .env("RUST_BACKTRACE", "0")
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err);
        for key in sagshub_env_keys() {
            command.env_remove(key);
        }
        let child = command.spawn().must("starting sagshub serve");
        let mut hub = Hub {
            name: name.to_owned(),
            pid: child.id(),
            child,
            base: format!("http://127.0.0.1:{port}"),
            log,
            http: reqwest::Client::new(),
        };
        let what = format!("hub {name} to answer /healthz");
        eventually(&what, async || {
            hub.assert_running();
            let ok = hub
                .http
                .get(format!("{}/healthz", hub.base))
                .send()
                .await
                .is_ok_and(|r| r.status().is_success());
            ok.then_some(())
        })
        .await;
        hub
    }

    /// Fail (with the log) if the process has exited.
    fn assert_running(&mut self) {
        if let Ok(Some(status)) = self.child.try_wait() {
            panic!(
                "hub {} exited ({status}); its log:\n{}",
                self.name,
                self.log_tail(80)
            );
        }
    }

    /// SIGKILL (what `Child::kill` sends on unix): no shutdown hook, no lease released.
    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// SIGTERM, as `kill`, systemd and container runtimes send it: `serve` shuts down
    /// gracefully.
    fn terminate(&self) {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .must("running kill -TERM");
        assert!(status.success(), "kill -TERM {} failed: {status}", self.pid);
    }

    /// The process's exit status once it has exited by itself, or `None` if it is still
    /// running after `within`.
    async fn exit_within(&mut self, within: Duration) -> Option<ExitStatus> {
        let deadline = Instant::now() + within;
        loop {
            if let Some(status) = self.child.try_wait().must("waiting for the hub") {
                return Some(status);
            }
            if Instant::now() >= deadline {
                return None;
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// The log's first lines (where a failed start says why) and its last `lines`.
    fn log_tail(&self, lines: usize) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let all: Vec<&str> = text.lines().collect();
        if all.len() <= lines + 20 {
            return all.join("\n");
        }
        format!(
            "{}\n[… {} lines …]\n{}",
            all[..20].join("\n"),
            all.len() - 20 - lines,
            all[all.len() - lines..].join("\n")
        )
    }

    /// The prefix of this process's worker names (`{pid}-{random}/{n}`).
    fn worker_prefix(&self) -> String {
        format!("{}-", self.pid)
    }

    /// As citizen `subject` with `cpr`, submit a party-access request for all their cases with
    /// idempotency key `key`; its row id in `store`.
    async fn submit(&self, store: &Store, subject: &str, cpr: &str, key: &str) -> String {
        let answer: Json = self
            .http
            .post(format!("{}/graphql", self.base))
            .bearer_auth(citizen_token(subject, cpr))
            .json(&json!({ "query": SUBMIT, "variables": { "key": key } }))
            .send()
            .await
            .must("POST /graphql")
            .json()
            .await
            .must("the GraphQL answer is not JSON");
        let payload = &answer["data"]["submitAccessRequest"];
        assert_eq!(payload["created"], json!(true), "{answer}");
        assert!(payload["accessRequest"]["id"].is_string(), "{answer}");
        store.request_id(subject, key).await
    }
}

impl Drop for Hub {
    fn drop(&mut self) {
        self.kill();
        if std::thread::panicking() {
            eprintln!(
                "---- log of hub {} (pid {}) ----\n{}\n---- end of log ----",
                self.name,
                self.pid,
                self.log_tail(60)
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Reading the hub's store.

/// A connection to a hub's store, for reading what clients cannot see.
struct Store {
    db: DatabaseConnection,
}

/// How many of a request's documents are screened.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Screening {
    total: i64,
    screened: i64,
}

/// A request's findings per document, keyed by (system, local id): (ordinal, category, start,
/// end) in ordinal order; a document without findings maps to an empty list.
type Findings = BTreeMap<(String, String), Vec<(i32, String, i32, i32)>>;

/// One job row, as far as these tests look at it.
#[derive(Clone, Debug)]
struct JobRow {
    id: i64,
    kind: String,
    request_id: Option<String>,
    state: String,
    attempts: i32,
    max_attempts: i32,
    lease_owner: Option<String>,
    last_error: Option<String>,
    progress_done: i32,
    progress_total: i32,
}

/// One attempt of a job.
#[derive(Clone, Debug)]
struct RunRow {
    job_id: i64,
    attempt: i32,
    worker: String,
    outcome: Option<String>,
    finished: bool,
}

fn get<T: sea_orm::TryGetable>(row: &QueryResult, column: &str) -> T {
    row.try_get::<T>("", column)
        .unwrap_or_else(|e| panic!("reading column {column}: {e}"))
}

impl Store {
    async fn connect(url: &str) -> Store {
        Store {
            db: Database::connect(url)
                .await
                .must("connecting to the hub's store"),
        }
    }

    /// Rows of `sql`, whose `?` placeholders are numbered for PostgreSQL.
    async fn rows(&self, sql: &str, values: Vec<sea_orm::Value>) -> Vec<QueryResult> {
        let backend = self.db.get_database_backend();
        let sql = if backend == DbBackend::Postgres {
            let mut out = String::new();
            let mut n = 0;
            for (i, part) in sql.split('?').enumerate() {
                if i > 0 {
                    n += 1;
                    out.push_str(&format!("${n}"));
                }
                out.push_str(part);
            }
            out
        } else {
            sql.to_owned()
        };
        self.db
            .query_all(Statement::from_sql_and_values(backend, &sql, values))
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"))
    }

    /// The row id of the request `subject` submitted with idempotency key `key` (the API's
    /// `AccessRequest.id` is an opaque global id).
    async fn request_id(&self, subject: &str, key: &str) -> String {
        let rows = self
            .rows(
                "SELECT id FROM access_request WHERE requester_subject = ? AND idempotency_key = ?",
                vec![subject.into(), key.into()],
            )
            .await;
        assert_eq!(rows.len(), 1, "one request by {subject} with key {key}");
        get(&rows[0], "id")
    }

    async fn request_state(&self, id: &str) -> String {
        let rows = self
            .rows(
                "SELECT state FROM access_request WHERE id = ?",
                vec![id.into()],
            )
            .await;
        rows.first()
            .map(|r| get::<String>(r, "state"))
            .unwrap_or_default()
    }

    async fn screening(&self, id: &str) -> Screening {
        let rows = self
            .rows(
                "SELECT COUNT(*) AS total, \
                 COALESCE(SUM(CASE WHEN screened THEN 1 ELSE 0 END), 0) AS screened \
                 FROM request_document WHERE request_id = ?",
                vec![id.into()],
            )
            .await;
        let row = &rows[0];
        Screening {
            total: get(row, "total"),
            screened: get(row, "screened"),
        }
    }

    async fn jobs(&self) -> Vec<JobRow> {
        self.rows(
            "SELECT id, kind, request_id, state, attempts, max_attempts, lease_owner, last_error, \
             progress_done, progress_total FROM job ORDER BY id",
            vec![],
        )
        .await
        .iter()
        .map(|r| JobRow {
            id: get(r, "id"),
            kind: get(r, "kind"),
            request_id: get(r, "request_id"),
            state: get(r, "state"),
            attempts: get(r, "attempts"),
            max_attempts: get(r, "max_attempts"),
            lease_owner: get(r, "lease_owner"),
            last_error: get(r, "last_error"),
            progress_done: get(r, "progress_done"),
            progress_total: get(r, "progress_total"),
        })
        .collect()
    }

    async fn runs(&self) -> Vec<RunRow> {
        self.rows(
            "SELECT job_id, attempt, worker, outcome, finished_at FROM job_run ORDER BY job_id, attempt",
            vec![],
        )
        .await
        .iter()
        .map(|r| RunRow {
            job_id: get(r, "job_id"),
            attempt: get(r, "attempt"),
            worker: get(r, "worker"),
            outcome: get(r, "outcome"),
            finished: get::<Option<chrono::DateTime<chrono::Utc>>>(r, "finished_at").is_some(),
        })
        .collect()
    }

    /// Whether `id` has reached review and none of its jobs is still queued or running.
    async fn settled_in_review(&self, id: &str) -> bool {
        let state = self.request_state(id).await;
        if state == "FAILED" {
            panic!("request {id} failed; jobs: {:#?}", self.jobs().await);
        }
        let open = self
            .jobs()
            .await
            .into_iter()
            .filter(|j| j.request_id.as_deref() == Some(id))
            .inspect(|j| {
                assert_ne!(
                    j.state, "FAILED",
                    "job {} ({}) failed: {:?}",
                    j.id, j.kind, j.last_error
                )
            })
            .any(|j| j.state == "QUEUED" || j.state == "RUNNING");
        matches!(state.as_str(), "AWAITING_REVIEW" | "APPROVED") && !open
    }

    /// The findings of request `id`, per document.
    async fn findings(&self, id: &str) -> Findings {
        let mut out: Findings = BTreeMap::new();
        for r in self
            .rows(
                "SELECT system, local_id FROM request_document WHERE request_id = ?",
                vec![id.into()],
            )
            .await
        {
            out.insert((get(&r, "system"), get(&r, "local_id")), Vec::new());
        }
        for r in self
            .rows(
                "SELECT d.system, d.local_id, f.ordinal, f.category, f.char_start, f.char_end \
                 FROM finding f JOIN request_document d ON d.id = f.document_id \
                 WHERE f.request_id = ? ORDER BY d.system, d.local_id, f.ordinal",
                vec![id.into()],
            )
            .await
        {
            out.entry((get(&r, "system"), get(&r, "local_id")))
                .or_default()
                .push((
                    get(&r, "ordinal"),
                    get(&r, "category"),
                    get(&r, "char_start"),
                    get(&r, "char_end"),
                ));
        }
        out
    }

    /// (document, ordinal) pairs held by more than one finding row of request `id`, and
    /// findings whose document is not one of the request's.
    async fn duplicate_and_orphan_findings(&self, id: &str) -> (i64, i64) {
        let dup = self
            .rows(
                "SELECT COUNT(*) AS n FROM (SELECT document_id, ordinal FROM finding \
                 WHERE request_id = ? GROUP BY document_id, ordinal HAVING COUNT(*) > 1) AS d",
                vec![id.into()],
            )
            .await;
        let orphans = self
            .rows(
                "SELECT COUNT(*) AS n FROM finding f WHERE f.request_id = ? AND NOT EXISTS \
                 (SELECT 1 FROM request_document d WHERE d.id = f.document_id AND d.request_id = f.request_id)",
                vec![id.into()],
            )
            .await;
        (get(&dup[0], "n"), get(&orphans[0], "n"))
    }

    /// The audit actions recorded on request `id`, in order.
    async fn audit_actions(&self, id: &str) -> Vec<String> {
        self.rows(
            "SELECT action FROM audit_event WHERE object_id = ? ORDER BY seq",
            vec![id.into()],
        )
        .await
        .iter()
        .map(|r| get(r, "action"))
        .collect()
    }
}

/// `sqlite://…?mode=rw` for the test's own connection: it only reads, but it must be able to
/// recover the WAL if it is the only connection left after a hub was killed.
fn sqlite_read_url(path: &Path) -> String {
    format!("sqlite://{}?mode=rw", path.display())
}

/// A request on a fresh hub over `systems`, run to review without interference: the findings
/// and audit trail the crashed run must match.
struct Reference {
    findings: Findings,
    actions: Vec<String>,
}

async fn reference_run(dir: &Path, systems: &[SystemConfig], cpr: &str) -> Reference {
    let port = free_port();
    let db_path = dir.join("hub.sqlite");
    let config = write_config(
        dir,
        port,
        &sqlite_url(&db_path),
        &dir.join("blobs"),
        systems,
    );
    let mut hub = Hub::start("reference", dir, &config, port).await;
    let store = Store::connect(&sqlite_read_url(&db_path)).await;
    let id = hub.submit(&store, CRASH_SUBJECT, cpr, "k1").await;
    eventually("the reference request to reach review", async || {
        hub.assert_running();
        store.settled_in_review(&id).await.then_some(())
    })
    .await;
    Reference {
        findings: store.findings(&id).await,
        actions: store.audit_actions(&id).await,
    }
}

// ---------------------------------------------------------------------------------------------
// The tests.

/// A hub killed with SIGKILL while a screening job runs leaves the job leased to a dead worker.
/// A restarted hub takes the job over when the lease expires, screens only what was left, and
/// the request ends exactly as an uninterrupted run ends: every document screened once, the
/// same findings per document, no duplicate rows, one audit event per step, an intact chain.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn crash_mid_screening_then_restart_completes_without_duplicates() {
    let _alone = ONE_AT_A_TIME.lock().await;
    let started = Instant::now();
    let dir = TempDir::new("crash");
    let municipality = Arc::new(generate(&crash_params()));
    let systems = start_systems(
        municipality.clone(),
        &sqlite_url(&dir.0.join("skole.sqlite")),
    )
    .await
    .must("starting the simulated systems");
    let cpr = municipality.demo_citizen().cpr.clone();

    let hub_dir = dir.sub("crashed");
    let db_path = hub_dir.join("hub.sqlite");
    let port = free_port();
    let config = write_config(
        &hub_dir,
        port,
        &sqlite_url(&db_path),
        &hub_dir.join("blobs"),
        &systems.configs,
    );
    let mut first = Hub::start("first", &hub_dir, &config, port).await;
    let store = Store::connect(&sqlite_read_url(&db_path)).await;
    let id = first.submit(&store, CRASH_SUBJECT, &cpr, "k1").await;

    // Kill the hub as soon as the screening job has screened some documents.
    let screen_job = eventually("screening to be under way", async || {
        first.assert_running();
        let job = store
            .jobs()
            .await
            .into_iter()
            .find(|j| j.kind == "screen" && j.request_id.as_deref() == Some(id.as_str()))?;
        let progress = store.screening(&id).await;
        (job.state == "RUNNING" && progress.screened > 0).then_some(job.id)
    })
    .await;
    first.kill();
    let at_kill = store.screening(&id).await;
    eprintln!(
        "killed hub {} after {:.1} s with {} of {} documents screened",
        first.pid,
        started.elapsed().as_secs_f32(),
        at_kill.screened,
        at_kill.total
    );
    assert!(
        at_kill.screened > 0 && at_kill.screened < at_kill.total,
        "the hub must die mid-way through screening ({at_kill:?}); if screening finished first, \
         make the municipality bigger"
    );
    let jobs = store.jobs().await;
    let job = jobs
        .iter()
        .find(|j| j.id == screen_job)
        .unwrap_or_else(|| panic!("the screening job vanished: {jobs:#?}"));
    assert_eq!(job.state, "RUNNING", "{job:?}");
    assert!(
        job.lease_owner
            .as_deref()
            .is_some_and(|o| o.starts_with(&first.worker_prefix())),
        "the killed process still holds the lease: {job:?}"
    );
    assert_eq!(store.request_state(&id).await, "SCREENING");

    // The same command again: the new process takes the job over once the lease expires.
    let mut second = Hub::start("second", &hub_dir, &config, port).await;
    eventually(
        "the request to reach review after the restart",
        async || {
            second.assert_running();
            store.settled_in_review(&id).await.then_some(())
        },
    )
    .await;
    eprintln!(
        "request in review {:.1} s after the start",
        started.elapsed().as_secs_f32()
    );

    let after = store.screening(&id).await;
    assert_eq!(
        after,
        Screening {
            total: at_kill.total,
            screened: at_kill.total
        },
        "every document is screened after the restart"
    );
    assert_eq!(store.request_state(&id).await, "AWAITING_REVIEW");
    assert_eq!(
        store.duplicate_and_orphan_findings(&id).await,
        (0, 0),
        "no two findings share (document, ordinal) and none is orphaned"
    );
    let crashed_findings = store.findings(&id).await;
    for (doc, found) in &crashed_findings {
        let ordinals: Vec<i32> = found.iter().map(|f| f.0).collect();
        let expected: Vec<i32> = (0..found.len() as i32).collect();
        assert_eq!(ordinals, expected, "findings of {doc:?} are numbered 0..n");
    }

    // Attempts: the killed one is left unfinished, the restarted one succeeded, nothing else
    // ran twice.
    let jobs = store.jobs().await;
    let runs = store.runs().await;
    let job = jobs
        .iter()
        .find(|j| j.id == screen_job)
        .unwrap_or_else(|| panic!("the screening job vanished: {jobs:#?}"));
    assert_eq!(job.state, "SUCCEEDED", "{job:?}");
    let screen_runs: Vec<&RunRow> = runs.iter().filter(|r| r.job_id == screen_job).collect();
    assert_eq!(screen_runs.len(), 2, "two attempts: {screen_runs:#?}");
    let (killed, resumed) = (screen_runs[0], screen_runs[1]);
    assert!(
        killed.attempt == 1
            && killed.outcome.is_none()
            && !killed.finished
            && killed.worker.starts_with(&first.worker_prefix()),
        "attempt 1 was the killed process's and never finished: {killed:?}"
    );
    assert!(
        resumed.attempt == 2
            && resumed.outcome.as_deref() == Some("SUCCEEDED")
            && resumed.finished
            && resumed.worker.starts_with(&second.worker_prefix()),
        "attempt 2 was the restarted process's and succeeded: {resumed:?}"
    );
    assert_eq!(job.attempts, 2, "{job:?}");
    let left = (at_kill.total - at_kill.screened) as i32;
    assert_eq!(
        (job.progress_done, job.progress_total),
        (left, left),
        "the resumed attempt screened only the {left} documents left"
    );
    for other in jobs.iter().filter(|j| j.id != screen_job) {
        let n = runs.iter().filter(|r| r.job_id == other.id).count();
        assert_eq!(n, 1, "job {other:?} ran once: {runs:#?}");
        assert_eq!(other.state, "SUCCEEDED", "{other:?}");
    }

    let verified = audit_verify(&config).await;
    assert!(verified.starts_with("audit log intact"), "{verified}");
    let crashed_actions = store.audit_actions(&id).await;
    drop(second);

    // The same request on a fresh store, without a crash.
    let reference = reference_run(&dir.sub("reference"), &systems.configs, &cpr).await;
    let counts = |m: &Findings| {
        m.iter()
            .map(|(k, v)| (k.clone(), v.len()))
            .collect::<BTreeMap<_, _>>()
    };
    assert_eq!(
        counts(&crashed_findings),
        counts(&reference.findings),
        "finding counts per document match the uninterrupted run"
    );
    assert!(
        crashed_findings == reference.findings,
        "the findings themselves match the uninterrupted run"
    );
    assert_eq!(
        crashed_actions, reference.actions,
        "the crash added or lost no audit event on the request"
    );
    eprintln!(
        "{} documents, {} findings; {:.1} s in all",
        crashed_findings.len(),
        crashed_findings.values().map(Vec::len).sum::<usize>(),
        started.elapsed().as_secs_f32()
    );
}

/// A hub sent SIGTERM while a screening job runs shuts down by itself: its workers stop
/// leasing, the running attempt gets the grace period (half of `jobs.lease_secs`: 1 s here,
/// shorter than the screening), is stopped and released back to the queue without using up an
/// attempt, and the process exits with success. A restarted hub leases the job at once (no
/// lease to wait out), screens only what was left and takes the request to review.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_mid_screening_releases_the_job_and_a_restart_finishes_it() {
    let _alone = ONE_AT_A_TIME.lock().await;
    let started = Instant::now();
    let dir = TempDir::new("sigterm");
    let municipality = Arc::new(generate(&sigterm_params()));
    let systems = start_systems(
        municipality.clone(),
        &sqlite_url(&dir.0.join("skole.sqlite")),
    )
    .await
    .must("starting the simulated systems");
    let cpr = municipality.demo_citizen().cpr.clone();

    let hub_dir = dir.sub("hub");
    let db_path = hub_dir.join("hub.sqlite");
    let port = free_port();
    let config = write_config(
        &hub_dir,
        port,
        &sqlite_url(&db_path),
        &hub_dir.join("blobs"),
        &systems.configs,
    );
    let mut first = Hub::start("first", &hub_dir, &config, port).await;
    let store = Store::connect(&sqlite_read_url(&db_path)).await;
    let id = first.submit(&store, SIGTERM_SUBJECT, &cpr, "k1").await;

    // Terminate the hub as soon as the screening job has screened some documents.
    let (screen_job, max_attempts_before) = eventually("screening to be under way", async || {
        first.assert_running();
        let job = store
            .jobs()
            .await
            .into_iter()
            .find(|j| j.kind == "screen" && j.request_id.as_deref() == Some(id.as_str()))?;
        let progress = store.screening(&id).await;
        (job.state == "RUNNING" && progress.screened > 0 && progress.screened < progress.total)
            .then_some((job.id, job.max_attempts))
    })
    .await;
    let at_signal = store.screening(&id).await;
    let signalled = Instant::now();
    first.terminate();
    let status = first.exit_within(Duration::from_secs(10)).await;
    let stopped_in = signalled.elapsed();
    let Some(status) = status else {
        panic!(
            "hub {} was still running 10 s after SIGTERM; its log:\n{}",
            first.pid,
            first.log_tail(60)
        );
    };
    let at_exit = store.screening(&id).await;
    eprintln!(
        "SIGTERM to hub {} after {:.1} s with {} of {} documents screened; it exited ({status}) \
         {:.2} s later with {} screened",
        first.pid,
        (signalled - started).as_secs_f32(),
        at_signal.screened,
        at_signal.total,
        stopped_in.as_secs_f32(),
        at_exit.screened
    );
    assert!(
        status.success(),
        "the hub exits with success after SIGTERM ({status}); its log:\n{}",
        first.log_tail(60)
    );
    let log = std::fs::read_to_string(&first.log).unwrap_or_default();
    assert!(
        !log.contains("did not stop within the grace period"),
        "the workers stopped within the grace period; the log:\n{}",
        first.log_tail(60)
    );

    // The attempt was released, not finished: the job is back in the queue, unowned.
    let runs = store.runs().await;
    let screen_runs: Vec<&RunRow> = runs.iter().filter(|r| r.job_id == screen_job).collect();
    assert_eq!(screen_runs.len(), 1, "one attempt so far: {screen_runs:#?}");
    let released = screen_runs[0];
    assert_ne!(
        released.outcome.as_deref(),
        Some("SUCCEEDED"),
        "screening finished within the {:.2} s the hub took to stop, so no release was \
         exercised ({at_signal:?} at SIGTERM): make the municipality larger",
        stopped_in.as_secs_f32()
    );
    assert!(
        released.attempt == 1
            && released.outcome.as_deref() == Some("RELEASED")
            && released.finished
            && released.worker.starts_with(&first.worker_prefix()),
        "attempt 1 was the terminated process's and was released: {released:?}"
    );
    let jobs = store.jobs().await;
    let job = jobs
        .iter()
        .find(|j| j.id == screen_job)
        .unwrap_or_else(|| panic!("the screening job vanished: {jobs:#?}"));
    assert_eq!(
        job.state, "QUEUED",
        "the released job is queued again: {job:?}"
    );
    assert_eq!(job.lease_owner, None, "no one holds the lease: {job:?}");
    assert_eq!(job.attempts, 1, "{job:?}");
    assert_eq!(
        job.max_attempts,
        max_attempts_before + 1,
        "a release uses up no attempt: {job:?}"
    );
    assert!(
        at_exit.screened < at_exit.total,
        "documents are left to screen after the release ({at_exit:?})"
    );
    assert_eq!(store.request_state(&id).await, "SCREENING");

    // The same command again: the job is leased at once and finished.
    let restarted = Instant::now();
    let mut second = Hub::start("second", &hub_dir, &config, port).await;
    eventually(
        "the request to reach review after the restart",
        async || {
            second.assert_running();
            store.settled_in_review(&id).await.then_some(())
        },
    )
    .await;
    eprintln!(
        "request in review {:.1} s after the restart",
        restarted.elapsed().as_secs_f32()
    );

    assert_eq!(
        store.screening(&id).await,
        Screening {
            total: at_exit.total,
            screened: at_exit.total
        },
        "every document is screened after the restart"
    );
    assert_eq!(store.request_state(&id).await, "AWAITING_REVIEW");
    assert_eq!(
        store.duplicate_and_orphan_findings(&id).await,
        (0, 0),
        "no two findings share (document, ordinal) and none is orphaned"
    );
    let jobs = store.jobs().await;
    let runs = store.runs().await;
    let job = jobs
        .iter()
        .find(|j| j.id == screen_job)
        .unwrap_or_else(|| panic!("the screening job vanished: {jobs:#?}"));
    assert_eq!(job.state, "SUCCEEDED", "{job:?}");
    assert_eq!(job.lease_owner, None, "{job:?}");
    assert_eq!(job.attempts, 2, "{job:?}");
    assert_eq!(job.max_attempts, max_attempts_before + 1, "{job:?}");
    let screen_runs: Vec<&RunRow> = runs.iter().filter(|r| r.job_id == screen_job).collect();
    assert_eq!(screen_runs.len(), 2, "two attempts: {screen_runs:#?}");
    let (released, resumed) = (screen_runs[0], screen_runs[1]);
    assert!(
        released.attempt == 1
            && released.outcome.as_deref() == Some("RELEASED")
            && released.finished,
        "attempt 1 is still the released one: {released:?}"
    );
    assert!(
        resumed.attempt == 2
            && resumed.outcome.as_deref() == Some("SUCCEEDED")
            && resumed.finished
            && resumed.worker.starts_with(&second.worker_prefix()),
        "attempt 2 was the restarted process's and succeeded: {resumed:?}"
    );
    let left = (at_exit.total - at_exit.screened) as i32;
    assert_eq!(
        (job.progress_done, job.progress_total),
        (left, left),
        "the resumed attempt screened only the {left} documents left at the release"
    );
    for other in jobs.iter().filter(|j| j.id != screen_job) {
        let n = runs.iter().filter(|r| r.job_id == other.id).count();
        assert_eq!(n, 1, "job {other:?} ran once: {runs:#?}");
        assert_eq!(other.state, "SUCCEEDED", "{other:?}");
    }

    let verified = audit_verify(&config).await;
    assert!(verified.starts_with("audit log intact"), "{verified}");
    drop(second);
    eprintln!("{:.1} s in all", started.elapsed().as_secs_f32());
}

/// A database of its own on the test server, dropped (with any connections left) on drop.
struct TestDatabase {
    admin_url: String,
    name: String,
    url: String,
}

impl TestDatabase {
    async fn create(admin_url: &str) -> TestDatabase {
        let name = format!(
            "sagshub_jobs_{}",
            &uuid::Uuid::new_v4().simple().to_string()[..12]
        );
        let admin = Database::connect(admin_url)
            .await
            .must("connecting to SAGSHUB_TEST_POSTGRES_URL");
        admin
            .execute_unprepared(&format!("CREATE DATABASE {name}"))
            .await
            .must("creating the test database");
        admin.close().await.must("closing the admin connection");
        let mut url = reqwest::Url::parse(admin_url).must("SAGSHUB_TEST_POSTGRES_URL is not a URL");
        url.set_path(&format!("/{name}"));
        TestDatabase {
            admin_url: admin_url.to_owned(),
            name,
            url: url.to_string(),
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let admin_url = self.admin_url.clone();
        let sql = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name);
        // Drop cannot await, and the test's runtime may be busy or gone: a runtime of its own.
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| e.to_string())?;
            runtime.block_on(async {
                let admin = Database::connect(&admin_url)
                    .await
                    .map_err(|e| e.to_string())?;
                admin
                    .execute_unprepared(&sql)
                    .await
                    .map_err(|e| e.to_string())?;
                admin.close().await.map_err(|e| e.to_string())
            })
        })
        .join();
        if !matches!(dropped, Ok(Ok(()))) {
            eprintln!("could not drop test database {}: {dropped:?}", self.name);
        }
    }
}

/// `n` citizens (other than the demo citizen) who are party to cases, those with the fewest
/// documents first, so that their requests are quick to screen.
fn parties(municipality: &Municipality, n: usize) -> Vec<(usize, String)> {
    let mut documents: BTreeMap<usize, usize> = BTreeMap::new();
    for case in &municipality.cases {
        for party in std::iter::once(case.primary).chain(case.secondary.iter().copied()) {
            *documents.entry(party).or_default() += case.documents.len();
        }
    }
    let mut candidates: Vec<(usize, usize)> = documents
        .into_iter()
        .filter(|&(i, docs)| i != 0 && docs > 0)
        .map(|(i, docs)| (docs, i))
        .collect();
    candidates.sort();
    let chosen: Vec<(usize, String)> = candidates
        .into_iter()
        .take(n)
        .map(|(_, i)| (i, municipality.citizens[i].cpr.clone()))
        .collect();
    assert_eq!(
        chosen.len(),
        n,
        "the municipality has {n} parties with documents"
    );
    chosen
}

/// Two hub processes on one PostgreSQL store, with one blob folder, share the job queue: every
/// job of twelve requests runs exactly once, in one of the two processes, and both do some.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hubs_on_one_postgres_share_the_queue_and_run_each_job_once() {
    let Ok(admin_url) = std::env::var("SAGSHUB_TEST_POSTGRES_URL") else {
        println!("skipped: SAGSHUB_TEST_POSTGRES_URL not set");
        return;
    };
    let _alone = ONE_AT_A_TIME.lock().await;
    let started = Instant::now();
    // Declared first, so it is dropped last: after the hubs are killed.
    let database = TestDatabase::create(&admin_url).await;
    let dir = TempDir::new("postgres");
    let municipality = Arc::new(generate(&shared_queue_params()));
    let systems = start_systems(
        municipality.clone(),
        &sqlite_url(&dir.0.join("skole.sqlite")),
    )
    .await
    .must("starting the simulated systems");
    let blobs = dir.sub("blobs");
    let (port_a, port_b) = (free_port(), free_port());
    let dir_a = dir.sub("a");
    let dir_b = dir.sub("b");
    let config_a = write_config(&dir_a, port_a, &database.url, &blobs, &systems.configs);
    let config_b = write_config(&dir_b, port_b, &database.url, &blobs, &systems.configs);
    // One after the other, so only the first runs the migrations.
    let mut a = Hub::start("a", &dir_a, &config_a, port_a).await;
    let mut b = Hub::start("b", &dir_b, &config_b, port_b).await;
    let store = Store::connect(&database.url).await;

    let citizens = parties(&municipality, 12);
    let submissions = citizens.iter().enumerate().map(|(n, (index, cpr))| {
        let hub = if n % 2 == 0 { &a } else { &b };
        let store = &store;
        async move {
            hub.submit(
                store,
                &format!("citizen-{index}"),
                cpr,
                &format!("k-{index}"),
            )
            .await
        }
    });
    let ids: Vec<String> = futures::future::join_all(submissions).await;
    assert_eq!(ids.iter().collect::<BTreeSet<_>>().len(), ids.len());

    eventually("every request to reach review", async || {
        a.assert_running();
        b.assert_running();
        for id in &ids {
            if !store.settled_in_review(id).await {
                return None;
            }
        }
        Some(())
    })
    .await;
    let mut documents = 0;
    for id in &ids {
        documents += store.screening(id).await.total;
    }
    eprintln!(
        "{} requests ({documents} documents) in review after {:.1} s",
        ids.len(),
        started.elapsed().as_secs_f32()
    );

    let jobs = store.jobs().await;
    let runs = store.runs().await;
    assert_eq!(
        jobs.iter().filter(|j| j.kind == "collect").count(),
        ids.len(),
        "one collection per request: {jobs:#?}"
    );
    for job in &jobs {
        assert_eq!(job.state, "SUCCEEDED", "{job:?}");
        assert_eq!(job.attempts, 1, "{job:?}");
        let of_job: Vec<&RunRow> = runs.iter().filter(|r| r.job_id == job.id).collect();
        assert!(
            of_job.len() == 1
                && of_job[0].outcome.as_deref() == Some("SUCCEEDED")
                && of_job[0].finished,
            "job {} ran exactly once: {of_job:#?}",
            job.id
        );
    }
    let mut per_process: BTreeMap<&str, usize> = BTreeMap::new();
    for run in &runs {
        let process = if run.worker.starts_with(&a.worker_prefix()) {
            "a"
        } else if run.worker.starts_with(&b.worker_prefix()) {
            "b"
        } else {
            panic!("a job ran in neither hub: {run:?}")
        };
        *per_process.entry(process).or_default() += 1;
    }
    assert!(
        per_process.len() == 2,
        "both processes ran jobs: {per_process:?}"
    );
    eprintln!("attempts per process: {per_process:?}");

    let verified = audit_verify(&config_a).await;
    assert!(verified.starts_with("audit log intact"), "{verified}");
    eprintln!("{:.1} s in all", started.elapsed().as_secs_f32());
    drop(store);
    drop(a);
    drop(b);
}
