//! Configuration of the case systems, as the `api` settings embed it.
//!
//! ```toml
//! [[systems]]
//! id = "esdh"
//! name = "ESDH (Borgerservice, Børn og Familie)"
//! [systems.soap]
//! url = "http://127.0.0.1:8101/sagdokumentindeks/6"
//! [systems.resilience]
//! timeout_ms = 5000
//! ```

use serde::Deserialize;

/// One configured case system: an id, exactly one of `soap`/`rest`/`sql`, and resilience knobs.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SystemConfig {
    /// The id the API names the system by (`"esdh"`); lowercase letters, digits and `-`.
    pub id: String,
    /// A human name for operators and the `caseSystems` query.
    #[serde(default)]
    pub name: Option<String>,
    /// SF1470 SagDokumentIndeks over SOAP 1.2.
    #[serde(default)]
    pub soap: Option<SoapConfig>,
    /// A JSON/REST fagsystem.
    #[serde(default)]
    pub rest: Option<RestConfig>,
    /// A relational database read through configured queries.
    #[serde(default)]
    pub sql: Option<SqlConfig>,
    /// Timeouts, retries, breaker and concurrency limit.
    #[serde(default)]
    pub resilience: ResilienceConfig,
}

/// SOAP connector settings.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SoapConfig {
    /// Endpoint of the SagDokumentIndeks service.
    pub url: String,
    /// Largest response accepted, in bytes; larger answers are refused, not parsed.
    #[serde(default = "default_max_response_bytes")]
    pub max_response_bytes: u64,
    /// `MaksimalAntalKvantitet` asked for per `fremsoeg` page.
    #[serde(default = "default_page_size")]
    pub page_size: usize,
}

/// REST connector settings.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RestConfig {
    /// Base URL (`http://host:port`); the API lives under `/api/v1`.
    pub url: String,
    /// Bearer token the hub presents.
    pub token: String,
    /// `limit` asked for per page.
    #[serde(default = "default_page_size")]
    pub page_size: usize,
    /// Largest response accepted, in bytes.
    #[serde(default = "default_max_response_bytes")]
    pub max_response_bytes: u64,
}

/// SQL connector settings: a database URL and the queries that read it.
///
/// The database is not contacted when the connector is built (the pool connects lazily), so a
/// database that is down at start-up does not keep the hub from starting; the first call
/// reports it as unavailable instead.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SqlConfig {
    /// `sqlite://path?mode=ro`, `postgres://...` or `mysql://...` (MariaDB too).
    pub url: String,
    /// The queries, keyed by purpose; see [`crate::sql`] for the placeholders each may use and
    /// the columns each must return.
    pub queries: SqlQueries,
    /// Largest pool size.
    #[serde(default = "default_pool")]
    pub max_connections: u32,
    /// How long a call waits for a pooled connection (and so for a database that is down) before
    /// it fails as unavailable, in milliseconds.
    #[serde(default = "default_connect_timeout_ms")]
    pub connect_timeout_ms: u64,
    /// How `:ids` and `:id` are bound: as integers or as text (see [`SqlIdType`]).
    #[serde(default)]
    pub id_type: SqlIdType,
}

impl SqlConfig {
    /// Settings with the defaults for everything but the URL and the queries.
    pub fn new(url: impl Into<String>, queries: SqlQueries) -> Self {
        Self {
            url: url.into(),
            queries,
            max_connections: default_pool(),
            connect_timeout_ms: default_connect_timeout_ms(),
            id_type: SqlIdType::default(),
        }
    }
}

/// The SQL type of the case and document key columns, which decides how ids are bound.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SqlIdType {
    /// Each id is bound as an integer when it is a plain decimal number, as text otherwise.
    /// Right for SQLite and MariaDB, which compare numbers with text, and for PostgreSQL with
    /// integer keys as long as callers pass numeric ids.
    #[default]
    Auto,
    /// Integer keys: ids are bound as integers; an id that is not a number cannot exist and is
    /// left out.
    Integer,
    /// Text keys: ids are always bound as text (needed on PostgreSQL for text keys).
    Text,
}

/// The statements the SQL connector runs, written for the system's own table layout.
///
/// Values reach a statement only as bind parameters, never as SQL text. `:ids`, `:cprs` and
/// `:cvrs` expand to a comma-separated list of bind parameters (`NULL` when empty), for use in
/// `IN (...)`; `:id`, `:text`, `:department`, `:kle`, `:status`, `:cursor` and `:limit` bind one
/// value each and may occur several times. Column names are matched case-insensitively; the
/// module documentation of [`crate::sql`] lists each query's columns and the values they may
/// hold.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SqlQueries {
    /// Cases where any of `:cprs` (ten digits, no dash) / `:cvrs` (eight digits) is a party,
    /// each once. Returns the case columns (as `cases_by_ids`).
    pub cases_for_parties: String,
    /// Cases by `:ids`. Returns `case_id`, `sagsnummer`, `title`, `kle`, `department`, `status`,
    /// `sensitivity`, `opened`, and optionally `handlingsfacet`, `closed`, `responsible_unit`,
    /// `caseworker`, `updated_at`.
    pub cases_by_ids: String,
    /// Parties of cases `:ids`. Returns `case_id`, `name`, `role`, and optionally `cpr`, `cvr`,
    /// `address`.
    pub parties_of_cases: String,
    /// Documents of cases `:ids`. Returns `document_id`, `case_id`, `aktnummer`, `title`, `kind`,
    /// `mime_type`, `sensitivity`, and optionally `letter_date`, `size`.
    pub documents_of_cases: String,
    /// Content of one document `:id`. Returns `mime_type`, `content`.
    pub content: String,
    /// Search, with `:text` (a lowercase `LIKE` pattern, `!` as escape character), `:department`
    /// (exact), `:kle` (a `LIKE` prefix pattern, `!` as escape character), `:status`
    /// (`opstaaet`, `oplyst`, `afgjort`, `afsluttet`) — each `NULL` when not asked for — and
    /// `:limit`. Returns `case_id`, best match first.
    pub search: String,
    /// Changes after `:cursor` (an integer, `0` from the beginning), in order, at most `:limit`.
    /// Returns `seq` (increasing integer), `case_id`, and optionally `deleted` (boolean-ish).
    pub changes: String,
    /// A cheap statement that proves the database answers.
    #[serde(default = "default_health")]
    pub health: String,
}

/// Per-system resilience settings.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ResilienceConfig {
    /// Per call timeout, in milliseconds.
    pub timeout_ms: u64,
    /// Retries of a failed read (so a read is tried `retries + 1` times).
    pub retries: u32,
    /// First backoff, in milliseconds; doubled per retry, with full jitter.
    pub backoff_base_ms: u64,
    /// Longest backoff or `Retry-After` the connector will wait, in milliseconds.
    pub backoff_max_ms: u64,
    /// Consecutive failures that open the circuit breaker.
    pub breaker_failures: u32,
    /// How long the breaker stays open before a trial call, in milliseconds.
    pub breaker_open_ms: u64,
    /// Calls in flight to the system at once.
    pub max_concurrency: usize,
}

impl Default for ResilienceConfig {
    fn default() -> Self {
        Self {
            timeout_ms: 10_000,
            retries: 2,
            backoff_base_ms: 100,
            backoff_max_ms: 5_000,
            breaker_failures: 5,
            breaker_open_ms: 30_000,
            max_concurrency: 8,
        }
    }
}

fn default_max_response_bytes() -> u64 {
    64 * 1024 * 1024
}
fn default_page_size() -> usize {
    1_000
}
fn default_pool() -> u32 {
    4
}
fn default_connect_timeout_ms() -> u64 {
    5_000
}
fn default_health() -> String {
    "SELECT 1".to_owned()
}

/// Several systems, as the settings file lists them, checked for duplicates by
/// [`crate::Registry::from_config`].
pub type SystemsConfig = Vec<SystemConfig>;
