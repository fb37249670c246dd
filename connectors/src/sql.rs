//! A legacy relational case system, read through statements written in configuration.
//!
//! The connector knows no table layout: [`SqlQueries`] holds one statement per purpose, written
//! for the system's own tables, and the connector only knows the *column names* each statement
//! returns and the *placeholders* it may use. Statements run as raw SQL on SQLite, PostgreSQL or
//! MariaDB/MySQL through sea-orm's pool.
//!
//! # Placeholders
//! Values are always bind parameters (`?` on SQLite and MySQL, `$n` on PostgreSQL), never SQL
//! text, so no search text or id can change a statement. `:name` is recognised outside string
//! literals, quoted identifiers and comments; `::` (a PostgreSQL cast) is left alone.
//!
//! | placeholder | bound as | used by |
//! |---|---|---|
//! | `:cprs`, `:cvrs` | a list of text values (CPR: ten digits, no dash; CVR: eight digits) | `cases_for_parties` |
//! | `:ids` | a list of ids (see [`SqlIdType`]) | `cases_by_ids`, `parties_of_cases`, `documents_of_cases` |
//! | `:id` | one document id | `content` |
//! | `:text` | lowercase `LIKE` pattern `%word%word%`, `!` escapes `%`, `_`, `!`; or `NULL` | `search` |
//! | `:department` | department name, exact; or `NULL` | `search` |
//! | `:kle` | `LIKE` prefix pattern `27.24%` (escape `!`); or `NULL` | `search` |
//! | `:status` | `opstaaet`, `oplyst`, `afgjort`, `afsluttet`; or `NULL` | `search` |
//! | `:cursor` | integer: the last `seq` seen, `0` from the beginning | `changes` |
//! | `:limit` | integer | `search`, `changes` |
//!
//! An empty list expands to `NULL`, so `x IN (:cvrs)` matches nothing. Write `LOWER(col) LIKE
//! :text ESCAPE '!'` for a case-insensitive search on all three databases (SQLite's `LOWER`
//! folds ASCII letters only).
//!
//! # Columns
//! Matched by name, case-insensitively; values are read tolerantly: ids may be integers or text;
//! dates may be `DATE`, timestamps or `YYYY-MM-DD...` text (or `YYYYMMDD` integers); booleans may
//! be booleans, integers or `1`/`true`/`j`; content may be a blob or text.
//!
//! - cases: `case_id`, `sagsnummer`, `title`, `kle`, `department`, `status` (`opstaaet`,
//!   `oplyst`, `afgjort`, `afsluttet`), `sensitivity` (`0`..`3` or `ikkefortrolig`, `fortrolig`,
//!   `foelsom`, `vip`), `opened`; optional `handlingsfacet`, `closed`, `responsible_unit`,
//!   `caseworker`, `updated_at`.
//! - parties: `case_id`, `name`, `role` (`primary`/`hovedpart`, `secondary`/`sekundaer`); optional
//!   `cpr`, `cvr`, `address`.
//! - documents: `document_id`, `case_id`, `aktnummer`, `title`, `kind` (`incoming`, `outgoing`,
//!   `note`, `internal`), `mime_type`, `sensitivity`; optional `letter_date`, `size`.
//! - content: `mime_type`, `content`.
//! - search / case ids: `case_id`. Changes: `seq`, `case_id`, optional `deleted`.
//!
//! Legacy codes are translated in the statements (`CASE status_kode WHEN 'AFS' THEN
//! 'afsluttet' ... END`), where the layout is known.
//!
//! # Batching
//! `cases_for_parties` and `search` run three statements whatever the number of keys (ids, then
//! cases and their parties), `cases_by_ids` two, `documents_of_cases` one; lists longer than
//! [`MAX_LIST`] are split. [`SqlSystem::statements_executed`] counts them.
//!
//! # Errors
//! A statement the database rejects (syntax, unknown table or column) or that lacks a column is
//! [`Error::Config`] naming the query key; no connection is [`Error::Unavailable`]; a value that
//! cannot be read is [`Error::Protocol`]. Error text never carries bound values.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use sea_orm::{
    ConnAcquireErr, ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend,
    DbErr, QueryResult, RuntimeErr, Statement, Value,
};

use crate::config::SqlIdType;
use crate::config::{SqlConfig, SqlQueries};
use crate::error::mask_numbers;
use crate::model::{
    Case, CaseParty, Change, ChangePage, Content, Document, DocumentKind, Health, Party, PartyKey,
    PartyRole, ProgressStatus, SearchQuery, Sensitivity, SystemId, SystemKind,
};
use crate::system::CaseSystem;
use crate::{Error, Result};

/// Most values one list placeholder expands to in one statement; longer lists are split, which
/// keeps every statement below the databases' bind-parameter limits.
pub const MAX_LIST: usize = 1_000;

/// A case system in a relational database, read with configured statements.
pub struct SqlSystem {
    id: SystemId,
    db: DatabaseConnection,
    backend: DbBackend,
    queries: Templates,
    id_type: SqlIdType,
    statements: AtomicU64,
}

impl std::fmt::Debug for SqlSystem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The URL may carry a password: leave it out.
        f.debug_struct("SqlSystem")
            .field("id", &self.id)
            .field("backend", &self.backend)
            .finish_non_exhaustive()
    }
}

impl SqlSystem {
    /// Build the connector: check the URL and every configured statement's placeholders, and set
    /// up a lazily connecting pool.
    ///
    /// The database is not contacted here, so a database that is down does not stop the hub
    /// from starting: calls fail with [`Error::Unavailable`] (after `connect_timeout_ms`) until
    /// it answers. A malformed URL or statement is [`Error::Config`].
    pub async fn connect(id: SystemId, config: &SqlConfig) -> Result<Self> {
        let backend = backend_of(&config.url).ok_or_else(|| Error::Config {
            system: id.clone(),
            reason:
                "the SQL url must start with sqlite:, postgres:, postgresql:, mysql: or mariadb:"
                    .to_owned(),
        })?;
        let queries = Templates::parse(&config.queries).map_err(|reason| Error::Config {
            system: id.clone(),
            reason,
        })?;
        let url = match config.url.strip_prefix("mariadb:") {
            Some(rest) => format!("mysql:{rest}"),
            None => config.url.clone(),
        };
        let timeout = Duration::from_millis(config.connect_timeout_ms.max(1));
        let mut options = ConnectOptions::new(url);
        options
            .max_connections(config.max_connections.max(1))
            .min_connections(0)
            .connect_timeout(timeout)
            .acquire_timeout(timeout)
            .idle_timeout(Duration::from_secs(300))
            .connect_lazy(true)
            .sqlx_logging(false);
        // Nothing is contacted yet, so any failure here is the URL's fault.
        let db = Database::connect(options)
            .await
            .map_err(|error| Error::Config {
                system: id.clone(),
                reason: format!("the SQL url is not usable: {}", classify(backend, error).1),
            })?;
        Ok(Self {
            id,
            db,
            backend,
            queries,
            id_type: config.id_type,
            statements: AtomicU64::new(0),
        })
    }

    /// Statements sent to the database so far (failed ones included), for batching tests.
    pub fn statements_executed(&self) -> u64 {
        self.statements.load(Ordering::Relaxed)
    }

    /// Run the statement `key` with `binds`; every row.
    async fn run(&self, key: Query, binds: &Binds) -> Result<Rows> {
        self.execute(key, binds)
            .await
            .map_err(|failure| failure.error)
    }

    /// [`Self::run`], keeping the database's error code for callers that can recover.
    async fn execute(&self, key: Query, binds: &Binds) -> Result<Rows, Failure> {
        let template = self.queries.get(key);
        let (sql, values) = template
            .render(self.backend, binds)
            .map_err(|reason| Failure {
                code: None,
                error: self.config(reason),
            })?;
        let statement = Statement::from_sql_and_values(self.backend, sql, values);
        self.statements.fetch_add(1, Ordering::Relaxed);
        match self.db.query_all(statement).await {
            Ok(rows) => Ok(Rows::new(key, rows)),
            Err(error) => Err(Failure {
                code: db_code(&error),
                error: self.db_error(key, error),
            }),
        }
    }

    /// Run `key` with `ids` bound to `param` (a list, or the first id for `:id`).
    async fn run_ids(&self, key: Query, param: Param, ids: &[String]) -> Result<Rows> {
        let binds = |values: Vec<Value>| {
            if param == Param::Id {
                values
                    .into_iter()
                    .next()
                    .map(|v| Binds::new().one(param, v))
            } else {
                (!values.is_empty()).then(|| Binds::new().list(param, values))
            }
        };
        let Some(all) = binds(self.id_values(ids)) else {
            return Ok(Rows::new(key, Vec::new()));
        };
        match self.execute(key, &all).await {
            Ok(rows) => Ok(rows),
            // PostgreSQL will not compare an integer key with text (SQLite and MariaDB do): an
            // id that is no number cannot exist there, so ask again without it. (22P03: a cached
            // statement prepared for integers was sent text.)
            Err(failure)
                if self.backend == DbBackend::Postgres
                    && self.id_type == SqlIdType::Auto
                    && matches!(failure.code.as_deref(), Some("42883" | "22P02" | "22P03"))
                    && ids.iter().any(|id| integer_id(id).is_none()) =>
            {
                let numbers = ids
                    .iter()
                    .filter_map(|id| integer_id(id))
                    .map(Value::from)
                    .collect();
                match binds(numbers) {
                    Some(binds) => self.run(key, &binds).await,
                    None => Ok(Rows::new(key, Vec::new())),
                }
            }
            Err(failure) => Err(failure.error),
        }
    }

    fn db_error(&self, key: Query, error: DbErr) -> Error {
        let system = self.id.clone();
        let (class, reason) = classify(self.backend, error);
        let reason = format!("query `{}`: {reason}", key.name());
        match class {
            Class::Config => Error::Config { system, reason },
            Class::Unavailable => Error::Unavailable { system, reason },
            Class::Unauthorized => Error::Unauthorized { system },
            Class::Protocol => Error::Protocol { system, reason },
        }
    }

    fn protocol(&self, reason: String) -> Error {
        Error::Protocol {
            system: self.id.clone(),
            reason,
        }
    }

    fn config(&self, reason: String) -> Error {
        Error::Config {
            system: self.id.clone(),
            reason,
        }
    }

    fn row_error(&self, error: RowError) -> Error {
        match error {
            RowError::Missing(reason) => self.config(reason),
            RowError::Bad(reason) => self.protocol(reason),
        }
    }

    /// Bind values for ids, by [`SqlIdType`].
    fn id_values(&self, ids: &[String]) -> Vec<Value> {
        ids.iter()
            .filter_map(|id| match (self.id_type, integer_id(id)) {
                (SqlIdType::Text, _) => Some(Value::from(id.clone())),
                (_, Some(n)) => Some(Value::from(n)),
                (SqlIdType::Integer, None) => None,
                (SqlIdType::Auto, None) => Some(Value::from(id.clone())),
            })
            .collect()
    }

    /// Fill in the parties of `cases` (one statement per chunk of cases).
    async fn attach_parties(&self, mut cases: Vec<Case>) -> Result<Vec<Case>> {
        let ids: Vec<String> = cases.iter().map(|c| c.local_id.clone()).collect();
        let mut parties: HashMap<String, Vec<CaseParty>> = HashMap::new();
        for chunk in ids.chunks(MAX_LIST) {
            let rows = self
                .run_ids(Query::PartiesOfCases, Param::Ids, chunk)
                .await?;
            for row in rows.iter() {
                let (case_id, party) = read_party(&row).map_err(|e| self.row_error(e))?;
                parties.entry(case_id).or_default().push(party);
            }
        }
        for case in &mut cases {
            case.parties = parties.remove(&case.local_id).unwrap_or_default();
        }
        Ok(cases)
    }

    /// Cases by id with their parties, in the order of `ids` (two statements per chunk).
    async fn fetch_cases(&self, ids: &[String]) -> Result<Vec<Case>> {
        let ids = dedupe(ids);
        let mut found: HashMap<String, Case> = HashMap::new();
        for chunk in ids.chunks(MAX_LIST) {
            let (case_rows, party_rows) = tokio::try_join!(
                self.run_ids(Query::CasesByIds, Param::Ids, chunk),
                self.run_ids(Query::PartiesOfCases, Param::Ids, chunk)
            )?;
            let mut parties: HashMap<String, Vec<CaseParty>> = HashMap::new();
            for row in party_rows.iter() {
                let (case_id, party) = read_party(&row).map_err(|e| self.row_error(e))?;
                parties.entry(case_id).or_default().push(party);
            }
            for row in case_rows.iter() {
                let mut case = read_case(&self.id, &row).map_err(|e| self.row_error(e))?;
                case.parties = parties.remove(&case.local_id).unwrap_or_default();
                found.insert(case.local_id.clone(), case);
            }
        }
        Ok(ids
            .iter()
            .filter_map(|id| found.remove(id.as_str()))
            .collect())
    }
}

#[async_trait]
impl CaseSystem for SqlSystem {
    fn id(&self) -> &SystemId {
        &self.id
    }

    fn kind(&self) -> SystemKind {
        SystemKind::Sql
    }

    #[tracing::instrument(skip_all, fields(system = %self.id, parties = parties.len()))]
    async fn cases_for_parties(&self, parties: &[PartyKey]) -> Result<Vec<Case>> {
        // Two statements per chunk: the cases themselves, then the parties of those cases.
        let mut cases: Vec<Case> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for chunk in parties.chunks(MAX_LIST) {
            let mut cprs = Vec::new();
            let mut cvrs = Vec::new();
            for key in chunk {
                match key {
                    PartyKey::Cpr(digits) => cprs.push(Value::from(digits.clone())),
                    PartyKey::Cvr(digits) => cvrs.push(Value::from(digits.clone())),
                }
            }
            let binds = Binds::new().list(Param::Cprs, cprs).list(Param::Cvrs, cvrs);
            let rows = self.run(Query::CasesForParties, &binds).await?;
            for row in rows.iter() {
                let case = read_case(&self.id, &row).map_err(|e| self.row_error(e))?;
                if seen.insert(case.local_id.clone()) {
                    cases.push(case);
                }
            }
        }
        self.attach_parties(cases).await
    }

    #[tracing::instrument(skip_all, fields(system = %self.id, ids = ids.len()))]
    async fn cases_by_ids(&self, ids: &[String]) -> Result<Vec<Case>> {
        self.fetch_cases(ids).await
    }

    #[tracing::instrument(skip_all, fields(system = %self.id, cases = case_ids.len()))]
    async fn documents_of_cases(&self, case_ids: &[String]) -> Result<Vec<Document>> {
        let ids = dedupe(case_ids);
        let position: HashMap<&str, usize> = ids
            .iter()
            .enumerate()
            .map(|(i, id)| (id.as_str(), i))
            .collect();
        let mut documents = Vec::new();
        for chunk in ids.chunks(MAX_LIST) {
            let rows = self
                .run_ids(Query::DocumentsOfCases, Param::Ids, chunk)
                .await?;
            for row in rows.iter() {
                let document = read_document(&self.id, &row).map_err(|e| self.row_error(e))?;
                // A statement that returns other cases' documents must not leak them.
                if position.contains_key(document.case_local_id.as_str()) {
                    documents.push(document);
                }
            }
        }
        documents.sort_by_key(|d| (position.get(d.case_local_id.as_str()).copied(), d.aktnummer));
        Ok(documents)
    }

    #[tracing::instrument(skip_all, fields(system = %self.id))]
    async fn content(&self, document_id: &str, max_bytes: u64) -> Result<Content> {
        let not_found = || Error::NotFound {
            system: self.id.clone(),
            what: format!("document {document_id}"),
        };
        let rows = self
            .run_ids(Query::Content, Param::Id, &[document_id.to_owned()])
            .await?;
        let Some(row) = rows.iter().next() else {
            return Err(not_found());
        };
        let mime_type = row.text("mime_type").map_err(|e| self.row_error(e))?;
        let bytes = row.bytes("content").map_err(|e| self.row_error(e))?;
        if bytes.len() as u64 > max_bytes {
            return Err(Error::TooLarge {
                system: self.id.clone(),
                limit: max_bytes,
            });
        }
        Ok(Content { mime_type, bytes })
    }

    #[tracing::instrument(skip_all, fields(system = %self.id, limit = query.limit))]
    async fn search(&self, query: &SearchQuery) -> Result<Vec<Case>> {
        if query.limit == 0 {
            return Ok(Vec::new());
        }
        let text = query.text.as_deref().and_then(text_pattern);
        let kle = query
            .kle_prefix
            .as_deref()
            .map(str::trim)
            .filter(|k| !k.is_empty())
            .map(|k| format!("{}%", like_escape(k)));
        let status = query.status.map(|s| status_name(s).to_owned());
        let limit = i64::try_from(query.limit).unwrap_or(i64::MAX);
        let binds = Binds::new()
            .one(Param::Text, Value::from(text))
            .one(Param::Department, Value::from(query.department.clone()))
            .one(Param::Kle, Value::from(kle))
            .one(Param::Status, Value::from(status))
            .one(Param::Limit, Value::from(limit));
        let rows = self.run(Query::Search, &binds).await?;
        let mut ids = Vec::new();
        for row in rows.iter() {
            ids.push(row.text("case_id").map_err(|e| self.row_error(e))?);
        }
        let mut ids = dedupe(&ids);
        ids.truncate(query.limit);
        self.fetch_cases(&ids).await
    }

    #[tracing::instrument(skip_all, fields(system = %self.id, limit))]
    async fn changes_since(&self, cursor: Option<&str>, limit: usize) -> Result<ChangePage> {
        let after = match cursor {
            None => 0,
            Some(text) => text.trim().parse::<i64>().map_err(|_| Error::NotFound {
                system: self.id.clone(),
                what: "change cursor (not one this system issued)".to_owned(),
            })?,
        };
        let limit = limit.max(1);
        // One more than asked for tells whether the feed has more.
        let ask = i64::try_from(limit.saturating_add(1)).unwrap_or(i64::MAX);
        let binds = Binds::new()
            .one(Param::Cursor, Value::from(after))
            .one(Param::Limit, Value::from(ask));
        let rows = self.run(Query::Changes, &binds).await?;
        let mut entries = Vec::new();
        for row in rows.iter() {
            let seq = row.int("seq").map_err(|e| self.row_error(e))?;
            let case_id = row.text("case_id").map_err(|e| self.row_error(e))?;
            let deleted = row
                .opt_bool("deleted")
                .map_err(|e| self.row_error(e))?
                .unwrap_or(false);
            entries.push((seq, case_id, deleted));
        }
        let has_more = entries.len() > limit;
        entries.truncate(limit);
        let upserted: Vec<String> = entries
            .iter()
            .filter(|e| !e.2)
            .map(|e| e.1.clone())
            .collect();
        let cases: HashMap<String, Case> = if upserted.is_empty() {
            HashMap::new()
        } else {
            self.fetch_cases(&upserted)
                .await?
                .into_iter()
                .map(|c| (c.local_id.clone(), c))
                .collect()
        };
        let next_cursor = entries.last().map_or(after, |e| e.0).to_string();
        let changes = entries
            .into_iter()
            .map(|(_, local_id, deleted)| match cases.get(&local_id) {
                Some(case) if !deleted => Change::Upserted(Box::new(case.clone())),
                // Logged as changed but gone now: it has been deleted since.
                _ => Change::Deleted { local_id },
            })
            .collect();
        Ok(ChangePage {
            changes,
            next_cursor,
            has_more,
        })
    }

    #[tracing::instrument(skip_all, fields(system = %self.id))]
    async fn health(&self) -> Health {
        let started = Instant::now();
        let result = self.run(Query::Health, &Binds::new()).await;
        Health::from_probe(started, &result)
    }
}

// ---------------------------------------------------------------------------------------------
// Statements and placeholders

/// The configured statements, by purpose.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Query {
    CasesForParties,
    CasesByIds,
    PartiesOfCases,
    DocumentsOfCases,
    Content,
    Search,
    Changes,
    Health,
}

impl Query {
    const ALL: [Query; 8] = [
        Self::CasesForParties,
        Self::CasesByIds,
        Self::PartiesOfCases,
        Self::DocumentsOfCases,
        Self::Content,
        Self::Search,
        Self::Changes,
        Self::Health,
    ];

    /// The configuration key.
    fn name(self) -> &'static str {
        match self {
            Self::CasesForParties => "cases_for_parties",
            Self::CasesByIds => "cases_by_ids",
            Self::PartiesOfCases => "parties_of_cases",
            Self::DocumentsOfCases => "documents_of_cases",
            Self::Content => "content",
            Self::Search => "search",
            Self::Changes => "changes",
            Self::Health => "health",
        }
    }

    fn sql(self, q: &SqlQueries) -> &str {
        match self {
            Self::CasesForParties => &q.cases_for_parties,
            Self::CasesByIds => &q.cases_by_ids,
            Self::PartiesOfCases => &q.parties_of_cases,
            Self::DocumentsOfCases => &q.documents_of_cases,
            Self::Content => &q.content,
            Self::Search => &q.search,
            Self::Changes => &q.changes,
            Self::Health => &q.health,
        }
    }

    /// Placeholders the statement is given.
    fn allowed(self) -> &'static [Param] {
        match self {
            Self::CasesForParties => &[Param::Cprs, Param::Cvrs],
            Self::CasesByIds | Self::PartiesOfCases | Self::DocumentsOfCases => &[Param::Ids],
            Self::Content => &[Param::Id],
            Self::Search => &[
                Param::Text,
                Param::Department,
                Param::Kle,
                Param::Status,
                Param::Limit,
            ],
            Self::Changes => &[Param::Cursor, Param::Limit],
            Self::Health => &[],
        }
    }

    /// Placeholders without which the statement cannot mean what it should (any one of them).
    fn required(self) -> &'static [Param] {
        match self {
            Self::CasesForParties => &[Param::Cprs, Param::Cvrs],
            Self::CasesByIds | Self::PartiesOfCases | Self::DocumentsOfCases => &[Param::Ids],
            Self::Content => &[Param::Id],
            Self::Changes => &[Param::Cursor],
            Self::Search | Self::Health => &[],
        }
    }
}

/// A named placeholder.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Param {
    Ids,
    Cprs,
    Cvrs,
    Id,
    Text,
    Department,
    Kle,
    Status,
    Cursor,
    Limit,
}

impl Param {
    fn from_name(name: &str) -> Option<Self> {
        Some(match name.to_ascii_lowercase().as_str() {
            "ids" => Self::Ids,
            "cprs" => Self::Cprs,
            "cvrs" => Self::Cvrs,
            "id" => Self::Id,
            "text" => Self::Text,
            "department" => Self::Department,
            "kle" => Self::Kle,
            "status" => Self::Status,
            "cursor" => Self::Cursor,
            "limit" => Self::Limit,
            _ => return None,
        })
    }

    fn name(self) -> &'static str {
        match self {
            Self::Ids => "ids",
            Self::Cprs => "cprs",
            Self::Cvrs => "cvrs",
            Self::Id => "id",
            Self::Text => "text",
            Self::Department => "department",
            Self::Kle => "kle",
            Self::Status => "status",
            Self::Cursor => "cursor",
            Self::Limit => "limit",
        }
    }
}

/// A piece of a parsed statement.
#[derive(Clone, Debug, PartialEq)]
enum Piece {
    Sql(String),
    Param(Param),
}

/// A configured statement split at its placeholders.
#[derive(Clone, Debug, PartialEq)]
struct Template {
    key: Query,
    pieces: Vec<Piece>,
}

/// Values for one statement.
#[derive(Default)]
struct Binds {
    values: HashMap<Param, Bind>,
}

enum Bind {
    One(Value),
    List(Vec<Value>),
}

impl Binds {
    fn new() -> Self {
        Self::default()
    }
    fn one(mut self, param: Param, value: Value) -> Self {
        self.values.insert(param, Bind::One(value));
        self
    }
    fn list(mut self, param: Param, values: Vec<Value>) -> Self {
        self.values.insert(param, Bind::List(values));
        self
    }
}

impl Template {
    /// Split `sql` at `:name` placeholders outside literals, quoted identifiers and comments.
    fn parse(key: Query, sql: &str) -> Result<Self, String> {
        let chars: Vec<char> = sql.chars().collect();
        let mut pieces = Vec::new();
        let mut text = String::new();
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            match c {
                '\'' | '"' | '`' => {
                    // Quoted: copy through the closing quote; a doubled quote is an escaped one.
                    // A backslash escapes the next character (MySQL strings; harmless elsewhere
                    // because it only matters before a quote, which the others double instead).
                    text.push(c);
                    i += 1;
                    loop {
                        let Some(&d) = chars.get(i) else {
                            return Err(format!(
                                "query `{}` has an unterminated {c} quote",
                                key.name()
                            ));
                        };
                        text.push(d);
                        i += 1;
                        if d == '\\' && c == '\'' {
                            if let Some(&e) = chars.get(i) {
                                text.push(e);
                                i += 1;
                            }
                        } else if d == c {
                            if chars.get(i) == Some(&c) {
                                text.push(c);
                                i += 1;
                            } else {
                                break;
                            }
                        }
                    }
                }
                '-' if chars.get(i + 1) == Some(&'-') => {
                    while i < chars.len() && chars[i] != '\n' {
                        text.push(chars[i]);
                        i += 1;
                    }
                }
                '/' if chars.get(i + 1) == Some(&'*') => {
                    text.push_str("/*");
                    i += 2;
                    while i < chars.len() && !(chars[i] == '*' && chars.get(i + 1) == Some(&'/')) {
                        text.push(chars[i]);
                        i += 1;
                    }
                    if i >= chars.len() {
                        return Err(format!(
                            "query `{}` has an unterminated comment",
                            key.name()
                        ));
                    }
                    text.push_str("*/");
                    i += 2;
                }
                ':' if chars.get(i + 1) == Some(&':') => {
                    text.push_str("::");
                    i += 2;
                }
                ':' if chars
                    .get(i + 1)
                    .is_some_and(|n| n.is_ascii_alphabetic() || *n == '_') =>
                {
                    let start = i + 1;
                    let mut end = start;
                    while end < chars.len()
                        && (chars[end].is_ascii_alphanumeric() || chars[end] == '_')
                    {
                        end += 1;
                    }
                    let name: String = chars[start..end].iter().collect();
                    let Some(param) = Param::from_name(&name) else {
                        return Err(format!(
                            "query `{}` uses an unknown placeholder :{name}",
                            key.name()
                        ));
                    };
                    if !key.allowed().contains(&param) {
                        return Err(format!(
                            "query `{}` cannot use :{name}; it is given none",
                            key.name()
                        ));
                    }
                    if !text.is_empty() {
                        pieces.push(Piece::Sql(std::mem::take(&mut text)));
                    }
                    pieces.push(Piece::Param(param));
                    i = end;
                }
                _ => {
                    text.push(c);
                    i += 1;
                }
            }
        }
        if !text.is_empty() {
            pieces.push(Piece::Sql(text));
        }
        let required = key.required();
        if !required.is_empty()
            && !pieces
                .iter()
                .any(|p| matches!(p, Piece::Param(q) if required.contains(q)))
        {
            let names: Vec<String> = required.iter().map(|p| format!(":{}", p.name())).collect();
            return Err(format!(
                "query `{}` must use {}",
                key.name(),
                names.join(" or ")
            ));
        }
        if sql.trim().is_empty() {
            return Err(format!("query `{}` is empty", key.name()));
        }
        Ok(Self { key, pieces })
    }

    /// The SQL with the backend's placeholders, and the values in placeholder order.
    fn render(&self, backend: DbBackend, binds: &Binds) -> Result<(String, Vec<Value>), String> {
        let mut sql = String::new();
        let mut values = Vec::new();
        let placeholder = |sql: &mut String, values: &mut Vec<Value>, value: &Value| {
            values.push(value.clone());
            match backend {
                DbBackend::Postgres => {
                    sql.push('$');
                    sql.push_str(&values.len().to_string());
                }
                _ => sql.push('?'),
            }
        };
        for piece in &self.pieces {
            match piece {
                Piece::Sql(text) => sql.push_str(text),
                Piece::Param(param) => match binds.values.get(param) {
                    None => {
                        return Err(format!(
                            "query `{}` uses :{}, which it is not given",
                            self.key.name(),
                            param.name()
                        ));
                    }
                    Some(Bind::One(value)) => placeholder(&mut sql, &mut values, value),
                    Some(Bind::List(list)) if list.is_empty() => sql.push_str("NULL"),
                    Some(Bind::List(list)) => {
                        for (n, value) in list.iter().enumerate() {
                            if n > 0 {
                                sql.push_str(", ");
                            }
                            placeholder(&mut sql, &mut values, value);
                        }
                    }
                },
            }
        }
        Ok((sql, values))
    }
}

/// Every configured statement, parsed.
struct Templates(Vec<Template>);

impl Templates {
    fn parse(queries: &SqlQueries) -> Result<Self, String> {
        Query::ALL
            .iter()
            .map(|&key| Template::parse(key, key.sql(queries)))
            .collect::<Result<Vec<_>, _>>()
            .map(Self)
    }
    fn get(&self, key: Query) -> &Template {
        // Parsed from Query::ALL in order, so the index is the discriminant.
        &self.0[key as usize]
    }
}

// ---------------------------------------------------------------------------------------------
// Errors

/// A failed statement: the error to report and the database's own code.
struct Failure {
    code: Option<String>,
    error: Error,
}

/// The database's error code (SQLSTATE, or SQLite's result code), if it gave one.
fn db_code(error: &DbErr) -> Option<String> {
    match error {
        DbErr::Conn(RuntimeErr::SqlxError(e))
        | DbErr::Exec(RuntimeErr::SqlxError(e))
        | DbErr::Query(RuntimeErr::SqlxError(e)) => e
            .as_database_error()
            .and_then(|d| d.code())
            .map(|c| c.into_owned()),
        _ => None,
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Class {
    Config,
    Unavailable,
    Unauthorized,
    Protocol,
}

/// What kind of failure a database error is, and words for it without bound values.
fn classify(backend: DbBackend, error: DbErr) -> (Class, String) {
    match error {
        DbErr::ConnectionAcquire(ConnAcquireErr::Timeout) => (
            Class::Unavailable,
            "no database connection within the connect timeout".to_owned(),
        ),
        DbErr::ConnectionAcquire(ConnAcquireErr::ConnectionClosed) => (
            Class::Unavailable,
            "the database connection was closed".to_owned(),
        ),
        DbErr::Conn(RuntimeErr::SqlxError(e))
        | DbErr::Exec(RuntimeErr::SqlxError(e))
        | DbErr::Query(RuntimeErr::SqlxError(e)) => classify_sqlx(backend, &e),
        DbErr::Conn(RuntimeErr::Internal(m)) => (Class::Unavailable, mask_numbers(&m)),
        other => (Class::Protocol, mask_numbers(&other.to_string())),
    }
}

fn classify_sqlx(backend: DbBackend, error: &sea_orm::sqlx::Error) -> (Class, String) {
    use sea_orm::sqlx::Error as E;
    match error {
        E::Database(db) => {
            let code = db.code().map(|c| c.into_owned()).unwrap_or_default();
            let class = match backend {
                DbBackend::Sqlite => match code.parse::<u32>().map(|c| c & 0xff) {
                    // SQLITE_BUSY, SQLITE_LOCKED, SQLITE_IOERR, SQLITE_CANTOPEN, SQLITE_PROTOCOL
                    Ok(5 | 6 | 10 | 14 | 15) => Class::Unavailable,
                    Ok(23) => Class::Unauthorized,
                    _ => Class::Config,
                },
                // PostgreSQL and MySQL both give SQLSTATE.
                _ => match code.get(..2).unwrap_or("") {
                    "08" | "53" | "57" | "58" | "40" | "HY" => Class::Unavailable,
                    "28" => Class::Unauthorized,
                    _ => Class::Config,
                },
            };
            (
                class,
                format!(
                    "the database refused it ({code}): {}",
                    mask_numbers(db.message())
                ),
            )
        }
        E::Configuration(e) => (Class::Config, mask_numbers(&e.to_string())),
        E::ColumnNotFound(name) => (Class::Config, format!("returns no column `{name}`")),
        E::ColumnIndexOutOfBounds { .. }
        | E::ColumnDecode { .. }
        | E::Decode(_)
        | E::TypeNotFound { .. } => (Class::Protocol, mask_numbers(&error.to_string())),
        E::Io(_)
        | E::Tls(_)
        | E::Protocol(_)
        | E::PoolTimedOut
        | E::PoolClosed
        | E::WorkerCrashed => (Class::Unavailable, mask_numbers(&error.to_string())),
        other => (Class::Protocol, mask_numbers(&other.to_string())),
    }
}

// ---------------------------------------------------------------------------------------------
// Reading rows

/// Why a row could not be read: the statement lacks a column (configuration) or a value is not
/// what the column should hold (the data).
#[derive(Debug)]
enum RowError {
    Missing(String),
    Bad(String),
}

/// The rows of one statement, with its columns by lowercase name.
struct Rows {
    key: Query,
    rows: Vec<QueryResult>,
    columns: HashMap<String, usize>,
}

impl Rows {
    fn new(key: Query, rows: Vec<QueryResult>) -> Self {
        let columns = rows
            .first()
            .map(|r| {
                r.column_names()
                    .into_iter()
                    .enumerate()
                    .map(|(i, n)| (n.to_ascii_lowercase(), i))
                    .collect()
            })
            .unwrap_or_default();
        Self { key, rows, columns }
    }
    fn iter(&self) -> impl Iterator<Item = Row<'_>> {
        self.rows.iter().map(move |row| Row { rows: self, row })
    }
}

/// One row.
struct Row<'a> {
    rows: &'a Rows,
    row: &'a QueryResult,
}

/// One value, as the database typed it.
#[derive(Debug, PartialEq)]
enum Cell {
    Null,
    Int(i64),
    Float(f64),
    Bool(bool),
    Text(String),
    Bytes(Vec<u8>),
    Date(NaiveDate),
    Timestamp(NaiveDateTime),
    TimestampUtc(DateTime<Utc>),
    /// A type the connector cannot read.
    Unreadable,
}

impl Row<'_> {
    fn missing(&self, column: &str) -> RowError {
        RowError::Missing(format!(
            "query `{}` returns no column `{column}`",
            self.rows.key.name()
        ))
    }
    fn bad(&self, column: &str, what: &str) -> RowError {
        RowError::Bad(format!(
            "query `{}`: column `{column}` does not hold {what}",
            self.rows.key.name()
        ))
    }

    /// The value of `column`, `None` if the statement has no such column.
    fn cell(&self, column: &str) -> Option<Cell> {
        let idx = *self.rows.columns.get(column)?;
        let row = self.row;
        macro_rules! attempt {
            ($t:ty, $wrap:expr) => {
                if let Ok(v) = row.try_get_by_index::<Option<$t>>(idx) {
                    return Some(v.map_or(Cell::Null, $wrap));
                }
            };
        }
        attempt!(i64, Cell::Int);
        attempt!(i32, |v| Cell::Int(i64::from(v)));
        attempt!(i16, |v| Cell::Int(i64::from(v)));
        attempt!(i8, |v| Cell::Int(i64::from(v)));
        attempt!(bool, Cell::Bool);
        attempt!(f64, Cell::Float);
        attempt!(f32, |v| Cell::Float(f64::from(v)));
        attempt!(String, Cell::Text);
        attempt!(NaiveDate, Cell::Date);
        attempt!(NaiveDateTime, Cell::Timestamp);
        attempt!(DateTime<Utc>, Cell::TimestampUtc);
        attempt!(Vec<u8>, Cell::Bytes);
        // BIGINT UNSIGNED on MySQL.
        attempt!(u64, |n| i64::try_from(n)
            .map_or(Cell::Unreadable, Cell::Int));
        // A type none of the above reads (NUMERIC, UUID, ...).
        Some(Cell::Unreadable)
    }

    fn required(&self, column: &str) -> Result<Cell, RowError> {
        match self.cell(column) {
            None => Err(self.missing(column)),
            Some(Cell::Null) => Err(self.bad(column, "a value (it is NULL)")),
            Some(cell) => Ok(cell),
        }
    }

    fn optional(&self, column: &str) -> Option<Cell> {
        self.cell(column).filter(|c| *c != Cell::Null)
    }

    fn text(&self, column: &str) -> Result<String, RowError> {
        let cell = self.required(column)?;
        cell_text(cell).ok_or_else(|| self.bad(column, "text"))
    }

    fn opt_text(&self, column: &str) -> Result<Option<String>, RowError> {
        match self.optional(column) {
            None => Ok(None),
            Some(cell) => cell_text(cell)
                .map(Some)
                .ok_or_else(|| self.bad(column, "text")),
        }
    }

    fn int(&self, column: &str) -> Result<i64, RowError> {
        let cell = self.required(column)?;
        cell_int(&cell).ok_or_else(|| self.bad(column, "an integer"))
    }

    fn opt_int(&self, column: &str) -> Result<Option<i64>, RowError> {
        match self.optional(column) {
            None => Ok(None),
            Some(cell) => cell_int(&cell)
                .map(Some)
                .ok_or_else(|| self.bad(column, "an integer")),
        }
    }

    fn opt_bool(&self, column: &str) -> Result<Option<bool>, RowError> {
        match self.optional(column) {
            None => Ok(None),
            Some(cell) => cell_bool(&cell)
                .map(Some)
                .ok_or_else(|| self.bad(column, "a boolean")),
        }
    }

    fn date(&self, column: &str) -> Result<NaiveDate, RowError> {
        let cell = self.required(column)?;
        cell_date(&cell).ok_or_else(|| self.bad(column, "a date"))
    }

    fn opt_date(&self, column: &str) -> Result<Option<NaiveDate>, RowError> {
        match self.optional(column) {
            None => Ok(None),
            Some(cell) => cell_date(&cell)
                .map(Some)
                .ok_or_else(|| self.bad(column, "a date")),
        }
    }

    fn opt_timestamp(&self, column: &str) -> Result<Option<DateTime<Utc>>, RowError> {
        match self.optional(column) {
            None => Ok(None),
            Some(cell) => cell_timestamp(&cell)
                .map(Some)
                .ok_or_else(|| self.bad(column, "a timestamp")),
        }
    }

    fn bytes(&self, column: &str) -> Result<Vec<u8>, RowError> {
        match self.cell(column) {
            None => Err(self.missing(column)),
            Some(Cell::Null) => Ok(Vec::new()),
            Some(Cell::Bytes(b)) => Ok(b),
            Some(Cell::Text(t)) => Ok(t.into_bytes()),
            Some(_) => Err(self.bad(column, "bytes")),
        }
    }

    fn parsed<T>(
        &self,
        column: &str,
        what: &str,
        parse: fn(&str) -> Option<T>,
    ) -> Result<T, RowError> {
        let cell = self.required(column)?;
        let text = match cell {
            Cell::Int(n) => n.to_string(),
            other => cell_text(other).ok_or_else(|| self.bad(column, what))?,
        };
        parse(&text).ok_or_else(|| self.bad(column, what))
    }
}

fn cell_text(cell: Cell) -> Option<String> {
    match cell {
        Cell::Text(t) => Some(t),
        Cell::Int(n) => Some(n.to_string()),
        Cell::Float(f) if f.is_finite() => Some(f.to_string()),
        Cell::Bool(b) => Some(b.to_string()),
        Cell::Bytes(b) => String::from_utf8(b).ok(),
        Cell::Date(d) => Some(d.to_string()),
        _ => None,
    }
}

fn cell_int(cell: &Cell) -> Option<i64> {
    match cell {
        Cell::Int(n) => Some(*n),
        Cell::Bool(b) => Some(i64::from(*b)),
        // A whole float (an SQLite REAL, a computed column) still counts.
        Cell::Float(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Some(*f as i64),
        Cell::Text(t) => t.trim().parse().ok(),
        Cell::Bytes(b) => std::str::from_utf8(b).ok()?.trim().parse().ok(),
        _ => None,
    }
}

fn cell_bool(cell: &Cell) -> Option<bool> {
    match cell {
        Cell::Bool(b) => Some(*b),
        Cell::Int(n) => Some(*n != 0),
        Cell::Text(t) => match t.trim().to_lowercase().as_str() {
            "1" | "t" | "true" | "y" | "yes" | "j" | "ja" => Some(true),
            "0" | "f" | "false" | "n" | "no" | "nej" | "" => Some(false),
            _ => None,
        },
        _ => None,
    }
}

fn cell_date(cell: &Cell) -> Option<NaiveDate> {
    match cell {
        Cell::Date(d) => Some(*d),
        Cell::Timestamp(t) => Some(t.date()),
        Cell::TimestampUtc(t) => Some(t.date_naive()),
        // Legacy `YYYYMMDD` integers.
        Cell::Int(n) => NaiveDate::parse_from_str(&n.to_string(), "%Y%m%d").ok(),
        Cell::Text(t) => {
            let t = t.trim();
            t.get(..10)
                .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
                .or_else(|| NaiveDate::parse_from_str(t, "%Y%m%d").ok())
        }
        _ => None,
    }
}

fn cell_timestamp(cell: &Cell) -> Option<DateTime<Utc>> {
    match cell {
        Cell::TimestampUtc(t) => Some(*t),
        Cell::Timestamp(t) => Some(t.and_utc()),
        Cell::Date(d) => Some(d.and_time(NaiveTime::MIN).and_utc()),
        Cell::Text(t) => {
            let t = t.trim();
            DateTime::parse_from_rfc3339(t)
                .map(|d| d.with_timezone(&Utc))
                .ok()
                .or_else(|| {
                    NaiveDateTime::parse_from_str(t, "%Y-%m-%d %H:%M:%S%.f")
                        .ok()
                        .map(|d| d.and_utc())
                })
                .or_else(|| {
                    NaiveDateTime::parse_from_str(t, "%Y-%m-%dT%H:%M:%S%.f")
                        .ok()
                        .map(|d| d.and_utc())
                })
                .or_else(|| cell_date(cell).map(|d| d.and_time(NaiveTime::MIN).and_utc()))
        }
        Cell::Int(_) => cell_date(cell).map(|d| d.and_time(NaiveTime::MIN).and_utc()),
        _ => None,
    }
}

fn read_case(system: &SystemId, row: &Row<'_>) -> Result<Case, RowError> {
    Ok(Case {
        system: system.clone(),
        local_id: row.text("case_id")?,
        sagsnummer: row.text("sagsnummer")?,
        title: row.text("title")?,
        kle: row.text("kle")?,
        handlingsfacet: row.opt_text("handlingsfacet")?,
        department: row.text("department")?,
        status: row.parsed("status", "a progress status", parse_status)?,
        sensitivity: row.parsed("sensitivity", "a sensitivity", parse_sensitivity)?,
        opened: row.date("opened")?,
        closed: row.opt_date("closed")?,
        parties: Vec::new(),
        responsible_unit: row.opt_text("responsible_unit")?,
        caseworker: row.opt_text("caseworker")?,
        updated_at: row.opt_timestamp("updated_at")?,
    })
}

fn read_party(row: &Row<'_>) -> Result<(String, CaseParty), RowError> {
    let case_id = row.text("case_id")?;
    let cpr = row.opt_text("cpr")?.and_then(|t| PartyKey::cpr(&t));
    let cvr = row.opt_text("cvr")?.and_then(|t| PartyKey::cvr(&t));
    let party = Party {
        key: cpr.or(cvr),
        name: row.text("name")?,
        address: row.opt_text("address")?,
    };
    let role = row.parsed("role", "a party role", parse_role)?;
    Ok((case_id, CaseParty { party, role }))
}

fn read_document(system: &SystemId, row: &Row<'_>) -> Result<Document, RowError> {
    let aktnummer = row.int("aktnummer")?;
    Ok(Document {
        system: system.clone(),
        local_id: row.text("document_id")?,
        case_local_id: row.text("case_id")?,
        aktnummer: u32::try_from(aktnummer)
            .map_err(|_| row.bad("aktnummer", "a positive aktnummer"))?,
        title: row.text("title")?,
        kind: row.parsed("kind", "a document kind", parse_kind)?,
        letter_date: row.opt_date("letter_date")?,
        mime_type: row.text("mime_type")?,
        size: row.opt_int("size")?.and_then(|n| u64::try_from(n).ok()),
        sensitivity: row.parsed("sensitivity", "a sensitivity", parse_sensitivity)?,
    })
}

fn normalise(text: &str) -> String {
    text.trim()
        .to_lowercase()
        .replace(['-', ' '], "_")
        .replace('å', "aa")
        .replace('ø', "oe")
        .replace('æ', "ae")
}

fn parse_status(text: &str) -> Option<ProgressStatus> {
    Some(match normalise(text).as_str() {
        "opstaaet" | "opstaet" | "opened" => ProgressStatus::Opstaaet,
        "oplyst" | "investigated" => ProgressStatus::Oplyst,
        "afgjort" | "decided" => ProgressStatus::Afgjort,
        "afsluttet" | "closed" => ProgressStatus::Afsluttet,
        _ => return None,
    })
}

fn status_name(status: ProgressStatus) -> &'static str {
    match status {
        ProgressStatus::Opstaaet => "opstaaet",
        ProgressStatus::Oplyst => "oplyst",
        ProgressStatus::Afgjort => "afgjort",
        ProgressStatus::Afsluttet => "afsluttet",
    }
}

fn parse_sensitivity(text: &str) -> Option<Sensitivity> {
    Some(match normalise(text).as_str() {
        "0" | "ikkefortrolig" | "ikke_fortrolig" => Sensitivity::IkkeFortrolig,
        "1" | "fortrolig" => Sensitivity::Fortrolig,
        "2" | "foelsom" => Sensitivity::Foelsom,
        "3" | "vip" => Sensitivity::Vip,
        _ => return None,
    })
}

fn parse_role(text: &str) -> Option<PartyRole> {
    Some(match normalise(text).as_str() {
        "primary" | "hoved" | "hovedpart" => PartyRole::Primary,
        "secondary" | "sekundaer" | "sekundaerpart" | "sekundaer_part" => PartyRole::Secondary,
        _ => return None,
    })
}

fn parse_kind(text: &str) -> Option<DocumentKind> {
    Some(match normalise(text).as_str() {
        "incoming" | "incoming_letter" | "indgaaende" => DocumentKind::IncomingLetter,
        "outgoing" | "outgoing_letter" | "udgaaende" => DocumentKind::OutgoingLetter,
        "note" | "journal_note" | "notat" => DocumentKind::JournalNote,
        "internal" | "intern" | "internt" => DocumentKind::Internal,
        _ => return None,
    })
}

// ---------------------------------------------------------------------------------------------
// Small helpers

/// The backend a URL names, by its scheme.
fn backend_of(url: &str) -> Option<DbBackend> {
    let scheme = url.split(':').next()?.to_ascii_lowercase();
    match scheme.as_str() {
        "sqlite" => Some(DbBackend::Sqlite),
        "postgres" | "postgresql" => Some(DbBackend::Postgres),
        "mysql" | "mariadb" => Some(DbBackend::MySql),
        _ => None,
    }
}

/// An id as an integer, if it is written as a plain decimal integer (no sign, no leading zeros).
fn integer_id(id: &str) -> Option<i64> {
    let canonical = !id.is_empty()
        && id.bytes().all(|b| b.is_ascii_digit())
        && (id == "0" || !id.starts_with('0'));
    canonical.then(|| id.parse().ok()).flatten()
}

fn dedupe(ids: &[String]) -> Vec<String> {
    let mut seen = HashSet::new();
    ids.iter()
        .filter(|id| seen.insert(id.as_str()))
        .cloned()
        .collect()
}

/// Escape `LIKE` wildcards with `!` (the statements say `ESCAPE '!'`, which means the same on
/// all three databases, unlike a backslash).
fn like_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '!') {
            out.push('!');
        }
        out.push(c);
    }
    out
}

/// `%word%word%` for a search text, lowercased; `None` when it has no words.
fn text_pattern(text: &str) -> Option<String> {
    let words: Vec<String> = text
        .split_whitespace()
        .map(|w| like_escape(&w.to_lowercase()))
        .collect();
    (!words.is_empty()).then(|| format!("%{}%", words.join("%")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn template(key: Query, sql: &str) -> Template {
        match Template::parse(key, sql) {
            Ok(t) => t,
            Err(e) => panic!("{e}"),
        }
    }

    #[test]
    fn lists_expand_per_backend_and_empty_lists_become_null() {
        let t = template(
            Query::CasesForParties,
            "SELECT sag_id AS case_id FROM part WHERE cpr IN (:cprs) OR cvr IN (:cvrs) OR x = ':cprs' -- :cvrs",
        );
        let binds = Binds::new()
            .list(
                Param::Cprs,
                vec![Value::from("0101011234"), Value::from("0202021234")],
            )
            .list(Param::Cvrs, vec![]);
        let (pg, values) = t.render(DbBackend::Postgres, &binds).unwrap_or_default();
        assert_eq!(
            pg,
            "SELECT sag_id AS case_id FROM part WHERE cpr IN ($1, $2) OR cvr IN (NULL) OR x = ':cprs' -- :cvrs"
        );
        assert_eq!(values.len(), 2);
        let (my, _) = t.render(DbBackend::MySql, &binds).unwrap_or_default();
        assert!(my.contains("cpr IN (?, ?) OR cvr IN (NULL)"), "{my}");
    }

    #[test]
    fn casts_strings_and_repeated_placeholders() {
        let t = template(
            Query::Search,
            "SELECT x::text AS case_id WHERE (:text IS NULL OR t LIKE :text) AND y = 'it''s :kle' LIMIT :limit",
        );
        let binds = Binds::new()
            .one(Param::Text, Value::from("%a%"))
            .one(Param::Limit, Value::from(5i64));
        let (sql, values) = t.render(DbBackend::Postgres, &binds).unwrap_or_default();
        assert_eq!(
            sql,
            "SELECT x::text AS case_id WHERE ($1 IS NULL OR t LIKE $2) AND y = 'it''s :kle' LIMIT $3"
        );
        assert_eq!(values.len(), 3);
    }

    #[test]
    fn bad_placeholders_name_the_query() {
        let unknown = Template::parse(Query::Search, "SELECT 1 WHERE a = :nope");
        assert!(
            matches!(&unknown, Err(e) if e.contains("`search`") && e.contains(":nope")),
            "{unknown:?}"
        );
        let wrong = Template::parse(
            Query::CasesByIds,
            "SELECT 1 WHERE a IN (:ids) AND b > :cursor",
        );
        assert!(
            matches!(&wrong, Err(e) if e.contains("`cases_by_ids`")),
            "{wrong:?}"
        );
        let none = Template::parse(Query::DocumentsOfCases, "SELECT * FROM dokument");
        assert!(matches!(&none, Err(e) if e.contains(":ids")), "{none:?}");
    }

    #[test]
    fn search_patterns_escape_wildcards() {
        assert_eq!(
            text_pattern("  O'Brien 100%  _x! ").as_deref(),
            Some("%o'brien%100!%%!_x!!%")
        );
        assert_eq!(text_pattern("   "), None);
    }

    #[test]
    fn ids_bind_as_integers_only_when_plain_numbers() {
        assert_eq!(integer_id("42"), Some(42));
        assert_eq!(integer_id("042"), None);
        assert_eq!(integer_id("-1"), None);
        assert_eq!(integer_id("abc"), None);
    }

    #[test]
    fn masks_long_numbers_in_messages() {
        assert_eq!(
            mask_numbers("invalid input \"010101-1234\" at 12"),
            "invalid input \"[number]\" at 12"
        );
    }

    #[test]
    fn tolerant_cells() {
        assert_eq!(
            cell_date(&Cell::Text("2024-03-01 00:00:00".into())),
            NaiveDate::from_ymd_opt(2024, 3, 1)
        );
        assert_eq!(
            cell_date(&Cell::Int(20240301)),
            NaiveDate::from_ymd_opt(2024, 3, 1)
        );
        assert!(cell_timestamp(&Cell::Text("2024-03-01 10:11:12.5".into())).is_some());
        assert_eq!(cell_bool(&Cell::Text("J".into())), Some(true));
        assert_eq!(parse_status("Afsluttet"), Some(ProgressStatus::Afsluttet));
        assert_eq!(parse_sensitivity("2"), Some(Sensitivity::Foelsom));
        assert_eq!(parse_role("SEKUNDÆR"), Some(PartyRole::Secondary));
    }
}
