//! The simulated legacy SQL case system: a Danish table layout of its own, seeded from the
//! synthetic municipality into SQLite, PostgreSQL or MariaDB.
//!
//! # Layout
//! ```text
//! sag      (sag_id, sagsnr, titel, kle_nr, handlingsfacet, afdeling, status_kode, foelsomhed,
//!           oprettet_dato, afsluttet_dato, sagsbehandler_navn, sidst_aendret)
//! part     (part_id, cpr_nr, cvr_nr, navn, adresse)
//! sag_part (sag_id, part_id, rolle)
//! dokument (dok_id, sag_id, aktnr, titel, dok_type, brevdato, mime_type, stoerrelse,
//!           foelsomhed, indhold)
//! aendring (loebenr, sag_id, slettet, tidspunkt)
//! ```
//! - `status_kode`: `OPR` (opstået), `OPL` (oplyst), `AFG` (afgjort), `AFS` (afsluttet).
//! - `foelsomhed`: `0` ikke fortrolig, `1` fortrolig, `2` følsom, `3` VIP.
//! - `rolle`: `HOVED` (hovedpart) or `SEKUNDAER` (sekundær part).
//! - `dok_type`: `I` indgående, `U` udgående, `N` notat, `X` internt.
//! - `cpr_nr`: ten digits without the dash; `cvr_nr` eight digits (no company parties yet).
//! - `aendring` is the change log: one row per creation, change or deletion (`slettet = 1`), in
//!   `loebenr` order.
//! - Dates are `DATE` (PostgreSQL, MariaDB) or `YYYY-MM-DD` text (SQLite, which has no date type);
//!   `slettet` is a `SMALLINT`, as legacy schemas spell booleans.
//!
//! The statements the hub's connector reads this layout with are configuration, not code:
//! [`DEMO_QUERIES_TOML`]. Nothing here is shared with `connectors`.

use std::sync::Arc;

use chrono::{NaiveDateTime, Utc};
use sea_orm::sea_query::{Alias, InsertStatement, SimpleExpr};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend, DbErr, Statement,
    TransactionTrait, Value,
};

use crate::municipality::{DocKind, Level, Municipality, SimCase, SimDocument, Status, render};

/// The demo's configured queries for this layout (a TOML `[queries]` table whose keys are the
/// connector's `SqlQueries` fields), portable across SQLite, PostgreSQL and MariaDB.
pub const DEMO_QUERIES_TOML: &str = include_str!("../../sql/skole-queries.toml");

/// Rows per multi-row `INSERT`, well below every backend's bind-parameter limit.
const ROWS_PER_INSERT: usize = 200;
/// Document bytes per `INSERT`, well below MariaDB's default `max_allowed_packet` (16 MiB).
const BYTES_PER_INSERT: usize = 4 * 1024 * 1024;

/// What [`seed`] wrote.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SeedReport {
    /// Rows in `sag`.
    pub cases: usize,
    /// Rows in `part`.
    pub parties: usize,
    /// Rows in `dokument`.
    pub documents: usize,
    /// Bytes of document content stored.
    pub content_bytes: u64,
}

/// Why seeding or changing the legacy database failed.
#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    /// The URL names no supported database.
    #[error(
        "unsupported database url: it must start with sqlite:, postgres:, postgresql: or mysql:"
    )]
    UnsupportedUrl,
    /// Rendering the documents failed (the renderer panicked).
    #[error("rendering the documents failed")]
    Render,
    /// The database refused a statement or could not be reached.
    #[error("legacy database error: {0}")]
    Database(#[from] DbErr),
}

/// The `sag_id` a case gets in this system.
pub fn sag_id(case: &SimCase) -> i64 {
    case.id as i64 + 1
}

/// The `dok_id` a document gets in this system.
pub fn dok_id(doc: &SimDocument) -> i64 {
    doc.id as i64 + 1
}

/// (Re)create the tables at `url` and fill them with the cases `muni` assigns to `system`,
/// their parties and their documents (bytes from [`render`]), in one transaction of multi-row
/// inserts.
///
/// `url` is `sqlite://path?mode=rwc`, `postgres://...` or `mysql://...`; the database must
/// exist (SQLite creates the file with `mode=rwc`). Existing tables of this layout are dropped.
pub async fn seed(muni: &Municipality, system: &str, url: &str) -> Result<SeedReport, SeedError> {
    let db = open(url).await?;
    let backend = db.get_database_backend();
    for table in ["aendring", "dokument", "sag_part", "part", "sag"] {
        db.execute_unprepared(&format!("DROP TABLE IF EXISTS {table}"))
            .await?;
    }
    for ddl in schema(backend) {
        db.execute_unprepared(&ddl).await?;
    }

    let cases: Vec<&SimCase> = muni.cases_of_system(system).collect();
    let mut report = SeedReport::default();
    let txn = db.begin().await?;

    let mut sag_rows = Vec::with_capacity(cases.len());
    for case in &cases {
        let department = muni
            .department(case.department)
            .map_or(case.department, |d| d.name);
        let caseworker = muni.staff.get(case.caseworker).map(|s| s.name.clone());
        sag_rows.push(vec![
            Value::from(sag_id(case)),
            Value::from(case.sagsnummer.clone()),
            Value::from(case.title.clone()),
            Value::from(case.kle.clone()),
            Value::from(case.handlingsfacet.clone()),
            Value::from(department.to_owned()),
            Value::from(status_code(case.status).to_owned()),
            Value::from(level_code(case.level)),
            Value::from(case.opened),
            Value::from(case.closed),
            Value::from(caseworker),
            Value::from(case.updated_at.naive_utc()),
        ]);
    }
    let sag_columns = [
        "sag_id",
        "sagsnr",
        "titel",
        "kle_nr",
        "handlingsfacet",
        "afdeling",
        "status_kode",
        "foelsomhed",
        "oprettet_dato",
        "afsluttet_dato",
        "sagsbehandler_navn",
        "sidst_aendret",
    ];
    report.cases = insert_all(&txn, backend, "sag", &sag_columns, sag_rows).await?;

    // Parties: every citizen on one of the system's cases, once.
    let mut party_ids: Vec<usize> = cases
        .iter()
        .flat_map(|c| std::iter::once(c.primary).chain(c.secondary.iter().copied()))
        .collect();
    party_ids.sort_unstable();
    party_ids.dedup();
    let part_rows = party_ids
        .iter()
        .filter_map(|&i| muni.citizens.get(i))
        .map(|citizen| {
            vec![
                Value::from(citizen.id as i64 + 1),
                Value::from(citizen.cpr.replace('-', "")),
                Value::from(None::<String>),
                Value::from(citizen.name()),
                Value::from(citizen.address.one_line()),
            ]
        })
        .collect();
    report.parties = insert_all(
        &txn,
        backend,
        "part",
        &["part_id", "cpr_nr", "cvr_nr", "navn", "adresse"],
        part_rows,
    )
    .await?;

    let mut link_rows = Vec::new();
    for case in &cases {
        link_rows.push(vec![
            Value::from(sag_id(case)),
            Value::from(case.primary as i64 + 1),
            Value::from("HOVED"),
        ]);
        for &secondary in &case.secondary {
            link_rows.push(vec![
                Value::from(sag_id(case)),
                Value::from(secondary as i64 + 1),
                Value::from("SEKUNDAER"),
            ]);
        }
    }
    insert_all(
        &txn,
        backend,
        "sag_part",
        &["sag_id", "part_id", "rolle"],
        link_rows,
    )
    .await?;

    // Documents, in batches bounded by rows and by bytes.
    let doc_columns = [
        "dok_id",
        "sag_id",
        "aktnr",
        "titel",
        "dok_type",
        "brevdato",
        "mime_type",
        "stoerrelse",
        "foelsomhed",
        "indhold",
    ];
    let expected: usize = cases.iter().map(|c| c.documents.len()).sum();
    let (renderer, mut rendered) = spawn_renderer(muni, system);
    let mut batch = Vec::new();
    let mut batch_bytes = 0usize;
    while let Some(docs) = rendered.recv().await {
        for RenderedDoc {
            case,
            doc,
            mime_type,
            bytes,
        } in docs
        {
            let Some((case, doc)) = muni
                .cases
                .get(case)
                .and_then(|c| Some((c, c.documents.get(doc)?)))
            else {
                continue;
            };
            let size = bytes.len();
            batch_bytes += size;
            report.content_bytes += size as u64;
            batch.push(vec![
                Value::from(dok_id(doc)),
                Value::from(sag_id(case)),
                Value::from(i64::from(doc.aktnummer)),
                Value::from(doc.title.clone()),
                Value::from(kind_code(doc.kind)),
                Value::from(doc.letter_date),
                Value::from(mime_type),
                Value::from(size as i64),
                Value::from(level_code(doc.level)),
                Value::from(bytes),
            ]);
            if batch.len() >= ROWS_PER_INSERT || batch_bytes >= BYTES_PER_INSERT {
                report.documents += insert_rows(
                    &txn,
                    backend,
                    "dokument",
                    &doc_columns,
                    std::mem::take(&mut batch),
                )
                .await?;
                batch_bytes = 0;
            }
        }
    }
    if renderer.await.is_err() {
        return Err(SeedError::Render);
    }
    report.documents += insert_rows(&txn, backend, "dokument", &doc_columns, batch).await?;
    if report.documents != expected {
        return Err(SeedError::Render);
    }

    // The change log: every case once, in the order it last changed.
    let mut by_change: Vec<&&SimCase> = cases.iter().collect();
    by_change.sort_by_key(|c| (c.updated_at, c.id));
    let log_rows = by_change
        .iter()
        .map(|c| {
            vec![
                Value::from(sag_id(c)),
                Value::from(0i16),
                Value::from(c.updated_at.naive_utc()),
            ]
        })
        .collect();
    insert_all(
        &txn,
        backend,
        "aendring",
        &["sag_id", "slettet", "tidspunkt"],
        log_rows,
    )
    .await?;

    txn.commit().await?;
    db.close().await?;
    Ok(report)
}

/// One rendered document: indices into [`Municipality::cases`] and the case's documents.
struct RenderedDoc {
    case: usize,
    doc: usize,
    mime_type: &'static str,
    bytes: Vec<u8>,
}

/// Documents rendered per message from the renderer.
const RENDER_BATCH: usize = 64;

/// Render the documents of `system`'s cases on every core, off the async threads, in order, a
/// batch at a time, so inserting overlaps rendering (rendering dominates seeding).
fn spawn_renderer(
    muni: &Municipality,
    system: &str,
) -> (
    tokio::task::JoinHandle<()>,
    tokio::sync::mpsc::Receiver<Vec<RenderedDoc>>,
) {
    let jobs: Vec<(usize, usize)> = muni
        .cases_of_system(system)
        .flat_map(|c| (0..c.documents.len()).map(move |d| (c.id, d)))
        .collect();
    let muni = Arc::new(muni.clone());
    let (tx, rx) = tokio::sync::mpsc::channel(4);
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
    let handle = tokio::task::spawn_blocking(move || {
        for chunk in jobs.chunks(RENDER_BATCH) {
            let per_worker = chunk.len().div_ceil(workers).max(1);
            let docs: Vec<RenderedDoc> = std::thread::scope(|scope| {
                let handles: Vec<_> = chunk
                    .chunks(per_worker)
                    .map(|part| {
                        let muni = &muni;
                        scope.spawn(move || {
                            part.iter()
                                .filter_map(|&(case, doc)| {
                                    let sim = muni.cases.get(case)?.documents.get(doc)?;
                                    let rendered = render(muni, sim);
                                    Some(RenderedDoc {
                                        case,
                                        doc,
                                        mime_type: rendered.mime_type,
                                        bytes: rendered.bytes,
                                    })
                                })
                                .collect::<Vec<_>>()
                        })
                    })
                    .collect();
                // A worker that panicked leaves its documents out; the caller counts them.
                handles
                    .into_iter()
                    .flat_map(|h| h.join().unwrap_or_default())
                    .collect()
            });
            if tx.blocking_send(docs).is_err() {
                break;
            }
        }
    });
    (handle, rx)
}

/// Delete case `sag_id` with its documents and party links, and log the deletion in
/// `aendring` (`slettet = 1`). Returns whether the case existed.
pub async fn delete_case(url: &str, sag_id: i64) -> Result<bool, SeedError> {
    let db = open(url).await?;
    let backend = db.get_database_backend();
    let txn = db.begin().await?;
    for table in ["dokument", "sag_part"] {
        txn.execute(statement(
            backend,
            &format!("DELETE FROM {table} WHERE sag_id = {{}}"),
            vec![Value::from(sag_id)],
        ))
        .await?;
    }
    let deleted = txn
        .execute(statement(
            backend,
            "DELETE FROM sag WHERE sag_id = {}",
            vec![Value::from(sag_id)],
        ))
        .await?
        .rows_affected()
        > 0;
    if deleted {
        log_change(&txn, backend, sag_id, true).await?;
    }
    txn.commit().await?;
    db.close().await?;
    Ok(deleted)
}

/// Give case `sag_id` a new title and log the change in `aendring`. Returns whether the case
/// exists.
pub async fn retitle_case(url: &str, sag_id: i64, title: &str) -> Result<bool, SeedError> {
    let db = open(url).await?;
    let backend = db.get_database_backend();
    let txn = db.begin().await?;
    let now = now();
    let changed = txn
        .execute(statement(
            backend,
            "UPDATE sag SET titel = {}, sidst_aendret = {} WHERE sag_id = {}",
            vec![
                Value::from(title.to_owned()),
                Value::from(now),
                Value::from(sag_id),
            ],
        ))
        .await?
        .rows_affected()
        > 0;
    if changed {
        log_change(&txn, backend, sag_id, false).await?;
    }
    txn.commit().await?;
    db.close().await?;
    Ok(changed)
}

/// Replace the stored content of every document of case `sag_id` whose MIME type is
/// `mime_type` with `content` (a legacy system holding a damaged file). Returns how many
/// documents changed.
pub async fn replace_document_content(
    url: &str,
    sag_id: i64,
    mime_type: &str,
    content: &[u8],
) -> Result<u64, SeedError> {
    let db = open(url).await?;
    let backend = db.get_database_backend();
    let changed = db
        .execute(statement(
            backend,
            "UPDATE dokument SET indhold = {}, stoerrelse = {} WHERE sag_id = {} AND mime_type = {}",
            vec![
                Value::from(content.to_vec()),
                Value::from(content.len() as i64),
                Value::from(sag_id),
                Value::from(mime_type.to_owned()),
            ],
        ))
        .await?
        .rows_affected();
    db.close().await?;
    Ok(changed)
}

async fn log_change(
    conn: &impl ConnectionTrait,
    backend: DbBackend,
    sag_id: i64,
    deleted: bool,
) -> Result<(), DbErr> {
    conn.execute(statement(
        backend,
        "INSERT INTO aendring (sag_id, slettet, tidspunkt) VALUES ({}, {}, {})",
        vec![
            Value::from(sag_id),
            Value::from(i16::from(deleted)),
            Value::from(now()),
        ],
    ))
    .await?;
    Ok(())
}

fn now() -> NaiveDateTime {
    Utc::now().naive_utc()
}

/// A statement with `{}` replaced by the backend's placeholders, in order.
fn statement(backend: DbBackend, template: &str, values: Vec<Value>) -> Statement {
    let mut sql = String::new();
    for (n, part) in template.split("{}").enumerate() {
        if n > 0 {
            match backend {
                DbBackend::Postgres => sql.push_str(&format!("${n}")),
                _ => sql.push('?'),
            }
        }
        sql.push_str(part);
    }
    Statement::from_sql_and_values(backend, sql, values)
}

async fn open(url: &str) -> Result<DatabaseConnection, SeedError> {
    let scheme = url.split(':').next().unwrap_or("");
    if !matches!(scheme, "sqlite" | "postgres" | "postgresql" | "mysql") {
        return Err(SeedError::UnsupportedUrl);
    }
    let mut options = ConnectOptions::new(url.to_owned());
    options.max_connections(2).sqlx_logging(false);
    Ok(Database::connect(options).await?)
}

/// `INSERT` `rows` in chunks of [`ROWS_PER_INSERT`]; the number of rows written.
async fn insert_all(
    conn: &impl ConnectionTrait,
    backend: DbBackend,
    table: &str,
    columns: &[&str],
    rows: Vec<Vec<Value>>,
) -> Result<usize, DbErr> {
    let mut written = 0;
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<Vec<Value>> = rows.by_ref().take(ROWS_PER_INSERT).collect();
        written += insert_rows(conn, backend, table, columns, chunk).await?;
    }
    Ok(written)
}

/// One multi-row `INSERT`.
async fn insert_rows(
    conn: &impl ConnectionTrait,
    backend: DbBackend,
    table: &str,
    columns: &[&str],
    rows: Vec<Vec<Value>>,
) -> Result<usize, DbErr> {
    if rows.is_empty() {
        return Ok(0);
    }
    let count = rows.len();
    let mut insert = InsertStatement::new();
    insert
        .into_table(Alias::new(table))
        .columns(columns.iter().map(|c| Alias::new(*c)));
    for row in rows {
        insert
            .values(row.into_iter().map(SimpleExpr::from))
            .map_err(|e| DbErr::Custom(format!("insert into {table}: {e}")))?;
    }
    conn.execute(backend.build(&insert)).await?;
    Ok(count)
}

/// The DDL of the layout, in the types each backend has.
fn schema(backend: DbBackend) -> Vec<String> {
    let (date, timestamp, blob, serial, suffix) = match backend {
        DbBackend::Sqlite => (
            "TEXT",
            "TEXT",
            "BLOB",
            "INTEGER PRIMARY KEY AUTOINCREMENT",
            "",
        ),
        DbBackend::Postgres => ("DATE", "TIMESTAMP", "BYTEA", "BIGSERIAL PRIMARY KEY", ""),
        _ => (
            "DATE",
            "DATETIME(6)",
            "LONGBLOB",
            "BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY",
            " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci",
        ),
    };
    vec![
        format!(
            "CREATE TABLE sag (\
             sag_id INTEGER NOT NULL PRIMARY KEY, \
             sagsnr VARCHAR(20) NOT NULL, \
             titel VARCHAR(400) NOT NULL, \
             kle_nr VARCHAR(20) NOT NULL, \
             handlingsfacet VARCHAR(10), \
             afdeling VARCHAR(100) NOT NULL, \
             status_kode CHAR(3) NOT NULL, \
             foelsomhed SMALLINT NOT NULL, \
             oprettet_dato {date} NOT NULL, \
             afsluttet_dato {date}, \
             sagsbehandler_navn VARCHAR(200), \
             sidst_aendret {timestamp} NOT NULL){suffix}"
        ),
        format!(
            "CREATE TABLE part (\
             part_id INTEGER NOT NULL PRIMARY KEY, \
             cpr_nr CHAR(10), \
             cvr_nr CHAR(8), \
             navn VARCHAR(200) NOT NULL, \
             adresse VARCHAR(300)){suffix}"
        ),
        format!(
            "CREATE TABLE sag_part (\
             sag_id INTEGER NOT NULL, \
             part_id INTEGER NOT NULL, \
             rolle VARCHAR(10) NOT NULL, \
             PRIMARY KEY (sag_id, part_id)){suffix}"
        ),
        format!(
            "CREATE TABLE dokument (\
             dok_id INTEGER NOT NULL PRIMARY KEY, \
             sag_id INTEGER NOT NULL, \
             aktnr INTEGER NOT NULL, \
             titel VARCHAR(400) NOT NULL, \
             dok_type CHAR(1) NOT NULL, \
             brevdato {date}, \
             mime_type VARCHAR(120) NOT NULL, \
             stoerrelse INTEGER, \
             foelsomhed SMALLINT NOT NULL, \
             indhold {blob}){suffix}"
        ),
        format!(
            "CREATE TABLE aendring (\
             loebenr {serial}, \
             sag_id INTEGER NOT NULL, \
             slettet SMALLINT NOT NULL, \
             tidspunkt {timestamp} NOT NULL){suffix}"
        ),
        "CREATE INDEX ix_part_cpr ON part (cpr_nr)".to_owned(),
        "CREATE INDEX ix_part_cvr ON part (cvr_nr)".to_owned(),
        "CREATE INDEX ix_sag_part_part ON sag_part (part_id)".to_owned(),
        "CREATE INDEX ix_dokument_sag ON dokument (sag_id, aktnr)".to_owned(),
    ]
}

fn status_code(status: Status) -> &'static str {
    match status {
        Status::Opened => "OPR",
        Status::Investigated => "OPL",
        Status::Decided => "AFG",
        Status::Closed => "AFS",
    }
}

fn level_code(level: Level) -> i16 {
    match level {
        Level::Normal => 0,
        Level::Confidential => 1,
        Level::Sensitive => 2,
        Level::Vip => 3,
    }
}

fn kind_code(kind: DocKind) -> &'static str {
    match kind {
        DocKind::Incoming => "I",
        DocKind::Outgoing => "U",
        DocKind::Note => "N",
        DocKind::Internal => "X",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements_use_the_backends_placeholders() {
        let pg = statement(
            DbBackend::Postgres,
            "UPDATE sag SET titel = {} WHERE sag_id = {}",
            vec![],
        );
        assert_eq!(pg.sql, "UPDATE sag SET titel = $1 WHERE sag_id = $2");
        let my = statement(
            DbBackend::MySql,
            "UPDATE sag SET titel = {} WHERE sag_id = {}",
            vec![],
        );
        assert_eq!(my.sql, "UPDATE sag SET titel = ? WHERE sag_id = ?");
    }

    #[test]
    fn demo_queries_name_every_query() {
        for key in [
            "cases_for_parties",
            "cases_by_ids",
            "parties_of_cases",
            "documents_of_cases",
            "content",
            "search",
            "changes",
        ] {
            assert!(
                DEMO_QUERIES_TOML.contains(&format!("\n{key} = ")),
                "{key} missing"
            );
        }
    }
}
