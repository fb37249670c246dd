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
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SqlConfig {
    /// `sqlite://path?mode=ro`, `postgres://...` or `mysql://...`.
    pub url: String,
    /// The queries, keyed by purpose; see [`crate::sql`] for the columns each must return.
    pub queries: SqlQueries,
    /// Largest pool size.
    #[serde(default = "default_pool")]
    pub max_connections: u32,
}

/// The statements the SQL connector runs. `:ids`, `:cprs` and `:cvrs` expand to a list of bind
/// parameters; `:text`, `:department`, `:kle`, `:status`, `:cursor`, `:limit` bind one value.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SqlQueries {
    /// Case ids where any of `:cprs` / `:cvrs` is a party. Returns `case_id`.
    pub case_ids_for_parties: String,
    /// Cases by `:ids`. Returns the case columns.
    pub cases_by_ids: String,
    /// Parties of cases `:ids`. Returns `case_id`, `cpr`, `cvr`, `name`, `address`, `role`.
    pub parties_of_cases: String,
    /// Documents of cases `:ids`. Returns the document columns.
    pub documents_of_cases: String,
    /// Content of one document `:id`. Returns `mime_type`, `content`.
    pub content: String,
    /// Search: returns `case_id`.
    pub search: String,
    /// Changes after `:cursor`, at most `:limit`. Returns `seq`, `case_id`, `deleted`.
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
    500
}
fn default_pool() -> u32 {
    4
}
fn default_health() -> String {
    "SELECT 1".to_owned()
}

/// Several systems, as the settings file lists them, checked for duplicates by
/// [`crate::Registry::from_config`].
pub type SystemsConfig = Vec<SystemConfig>;

