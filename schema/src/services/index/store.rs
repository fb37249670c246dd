//! Writing and reading index rows: one case with its parties and, on SQLite, its FTS5 row.
//!
//! PostgreSQL keeps its `tsvector` itself (a generated column); on SQLite the hub writes the
//! FTS5 row next to the case row, in the same transaction, from the stemmed text of
//! [`super::text::index_text`].

use chrono::{DateTime, NaiveDate, Utc};
use connectors::{Case, CaseParty, PartyRole, ProgressStatus, Sensitivity, SystemId};
use sea_orm::{ConnectionTrait, DbBackend, DbErr, QueryResult, Statement, Value};

use super::{kle, text};

/// A statement being built: its text and its values, with the backend's placeholders.
pub(crate) struct Sql {
    backend: DbBackend,
    /// The text so far.
    pub text: String,
    values: Vec<Value>,
}

impl Sql {
    pub(crate) fn new(backend: DbBackend) -> Self {
        Self {
            backend,
            text: String::new(),
            values: Vec::new(),
        }
    }
    /// Add a value; the placeholder to put where it goes.
    pub(crate) fn bind(&mut self, value: impl Into<Value>) -> String {
        self.values.push(value.into());
        match self.backend {
            DbBackend::Postgres => format!("${}", self.values.len()),
            _ => "?".to_owned(),
        }
    }
    /// `(p1, p2, …)` for a list of values.
    pub(crate) fn bind_list<V: Into<Value>>(
        &mut self,
        values: impl IntoIterator<Item = V>,
    ) -> String {
        let parts: Vec<String> = values.into_iter().map(|v| self.bind(v)).collect();
        format!("({})", parts.join(", "))
    }
    pub(crate) fn push(&mut self, text: &str) -> &mut Self {
        self.text.push_str(text);
        self
    }
    pub(crate) fn statement(self) -> Statement {
        Statement::from_sql_and_values(self.backend, self.text, self.values)
    }
}

/// The stored name of a status.
pub fn status_name(s: ProgressStatus) -> &'static str {
    match s {
        ProgressStatus::Opstaaet => "Opstaaet",
        ProgressStatus::Oplyst => "Oplyst",
        ProgressStatus::Afgjort => "Afgjort",
        ProgressStatus::Afsluttet => "Afsluttet",
    }
}

fn status_from(name: &str) -> ProgressStatus {
    match name {
        "Opstaaet" => ProgressStatus::Opstaaet,
        "Afgjort" => ProgressStatus::Afgjort,
        "Afsluttet" => ProgressStatus::Afsluttet,
        _ => ProgressStatus::Oplyst,
    }
}

/// The stored rank of a sensitivity (0 IkkeFortrolig … 3 Vip), so `<=` is a clearance check.
pub fn sensitivity_rank(s: Sensitivity) -> i32 {
    match s {
        Sensitivity::IkkeFortrolig => 0,
        Sensitivity::Fortrolig => 1,
        Sensitivity::Foelsom => 2,
        Sensitivity::Vip => 3,
    }
}

fn sensitivity_from(rank: i32) -> Sensitivity {
    match rank {
        0 => Sensitivity::IkkeFortrolig,
        1 => Sensitivity::Fortrolig,
        2 => Sensitivity::Foelsom,
        // Unknown ranks are treated as the most restricted.
        _ => Sensitivity::Vip,
    }
}

/// The columns of `case_index` a search reads, prefixed `c.`.
pub(crate) const CASE_COLUMNS: &str = "c.id, c.system_id, c.local_id, c.sagsnummer, c.title, \
     c.kle, c.kle_label, c.handlingsfacet, c.department, c.status, c.sensitivity, c.opened, \
     c.closed, c.responsible_unit, c.caseworker, c.source_updated_at, c.parties";

/// The case of a row read with [`CASE_COLUMNS`].
pub(crate) fn case_from_row(row: &QueryResult) -> Result<Case, DbErr> {
    let parties: String = row.try_get("", "parties")?;
    let parties: Vec<CaseParty> = serde_json::from_str(&parties)
        .map_err(|e| DbErr::Custom(format!("case_index.parties: {e}")))?;
    Ok(Case {
        system: SystemId::new(row.try_get::<String>("", "system_id")?),
        local_id: row.try_get("", "local_id")?,
        sagsnummer: row.try_get("", "sagsnummer")?,
        title: row.try_get("", "title")?,
        kle: row.try_get("", "kle")?,
        handlingsfacet: row.try_get("", "handlingsfacet")?,
        department: row.try_get("", "department")?,
        status: status_from(&row.try_get::<String>("", "status")?),
        sensitivity: sensitivity_from(row.try_get("", "sensitivity")?),
        opened: row.try_get::<NaiveDate>("", "opened")?,
        closed: row.try_get("", "closed")?,
        parties,
        responsible_unit: row.try_get("", "responsible_unit")?,
        caseworker: row.try_get("", "caseworker")?,
        updated_at: row.try_get::<Option<DateTime<Utc>>>("", "source_updated_at")?,
    })
}

/// What one case contributes to the index besides its own fields.
pub struct IndexedCase<'a> {
    /// The case.
    pub case: &'a Case,
    /// Its documents' titles.
    pub document_titles: Vec<String>,
}

impl IndexedCase<'_> {
    fn party_names(&self) -> String {
        let names: Vec<&str> = self
            .case
            .parties
            .iter()
            .map(|p| p.party.name.as_str())
            .collect();
        names.join(" ")
    }
}

/// The values of one `case_index` row, in [`ROW_COLUMNS`] order.
fn row_values(c: &IndexedCase<'_>, at: DateTime<Utc>) -> Result<Vec<Value>, DbErr> {
    let case = c.case;
    let parties = serde_json::to_string(&case.parties)
        .map_err(|e| DbErr::Custom(format!("serialising parties: {e}")))?;
    Ok(vec![
        case.system.to_string().into(),
        case.local_id.clone().into(),
        case.sagsnummer.clone().into(),
        text::sagsnummer_key(&case.sagsnummer).into(),
        case.title.clone().into(),
        case.kle.clone().into(),
        kle::label(&case.kle).into(),
        case.handlingsfacet.clone().into(),
        case.department.clone().into(),
        status_name(case.status).into(),
        sensitivity_rank(case.sensitivity).into(),
        case.opened.into(),
        case.closed.into(),
        case.responsible_unit.clone().into(),
        case.caseworker.clone().into(),
        case.updated_at.into(),
        at.into(),
        c.party_names().into(),
        c.document_titles.join("\n").into(),
        parties.into(),
    ])
}

/// The written columns of `case_index`, in [`row_values`] order.
const ROW_COLUMNS: &[&str] = &[
    "system_id",
    "local_id",
    "sagsnummer",
    "sagsnummer_key",
    "title",
    "kle",
    "kle_label",
    "handlingsfacet",
    "department",
    "status",
    "sensitivity",
    "opened",
    "closed",
    "responsible_unit",
    "caseworker",
    "source_updated_at",
    "indexed_at",
    "party_names",
    "document_titles",
    "parties",
];

/// The FTS5 columns' text of one case (title, sagsnummer, kle, parties, documents).
fn fts_values(c: &IndexedCase<'_>) -> [String; 5] {
    let case = c.case;
    [
        text::index_text(&case.title),
        text::index_text(&case.sagsnummer),
        text::index_text(&format!("{} {}", case.kle, kle::label(&case.kle))),
        text::index_text(&c.party_names()),
        text::index_text(&c.document_titles.join(" ")),
    ]
}

/// Insert or replace one case (matched on system + local id) with its parties and full-text
/// row. Call inside a transaction.
pub async fn upsert<C: ConnectionTrait>(
    conn: &C,
    c: &IndexedCase<'_>,
    at: DateTime<Utc>,
) -> Result<(), DbErr> {
    let backend = conn.get_database_backend();
    let mut sql = Sql::new(backend);
    let values = row_values(c, at)?;
    let placeholders = sql.bind_list(values);
    let updates: Vec<String> = ROW_COLUMNS[2..]
        .iter()
        .map(|col| format!("{col} = excluded.{col}"))
        .collect();
    sql.push(&format!(
        "INSERT INTO case_index ({}) VALUES {placeholders} \
         ON CONFLICT (system_id, local_id) DO UPDATE SET {} RETURNING id",
        ROW_COLUMNS.join(", "),
        updates.join(", ")
    ));
    let row = conn
        .query_one(sql.statement())
        .await?
        .ok_or_else(|| DbErr::Custom("upsert returned no id".into()))?;
    let id: i64 = row.try_get("", "id")?;
    write_dependents(conn, id, c, true).await
}

/// The FTS5 row (SQLite) and the party keys of case row `id`; `replace` removes old ones first.
async fn write_dependents<C: ConnectionTrait>(
    conn: &C,
    id: i64,
    c: &IndexedCase<'_>,
    replace: bool,
) -> Result<(), DbErr> {
    let backend = conn.get_database_backend();
    if replace {
        if backend == DbBackend::Sqlite {
            exec(
                conn,
                backend,
                "DELETE FROM case_index_fts WHERE rowid = {}",
                id,
            )
            .await?;
        }
        exec(
            conn,
            backend,
            "DELETE FROM case_index_party WHERE case_id = {}",
            id,
        )
        .await?;
    }
    if backend == DbBackend::Sqlite {
        let mut sql = Sql::new(backend);
        let mut values: Vec<Value> = vec![id.into()];
        values.extend(fts_values(c).into_iter().map(Value::from));
        let p = sql.bind_list(values);
        sql.push(&format!(
            "INSERT INTO case_index_fts (rowid, title, sagsnummer, kle, parties, documents) VALUES {p}"
        ));
        conn.execute(sql.statement()).await?;
    }
    write_parties(conn, &[(id, c)]).await
}

async fn exec<C: ConnectionTrait>(
    conn: &C,
    backend: DbBackend,
    template: &str,
    id: i64,
) -> Result<(), DbErr> {
    let mut sql = Sql::new(backend);
    let p = sql.bind(id);
    sql.push(&template.replace("{}", &p));
    conn.execute(sql.statement()).await.map(|_| ())
}

/// Remove the case `local_id` of `system` with its parties and full-text row. Returns whether
/// it was indexed.
pub async fn delete<C: ConnectionTrait>(
    conn: &C,
    system: &str,
    local_id: &str,
) -> Result<bool, DbErr> {
    let backend = conn.get_database_backend();
    let mut sql = Sql::new(backend);
    let (s, l) = (sql.bind(system), sql.bind(local_id));
    sql.push(&format!(
        "SELECT id FROM case_index WHERE system_id = {s} AND local_id = {l}"
    ));
    let Some(row) = conn.query_one(sql.statement()).await? else {
        return Ok(false);
    };
    let id: i64 = row.try_get("", "id")?;
    delete_ids(conn, &[id]).await?;
    Ok(true)
}

/// Remove case rows `ids` with their parties and full-text rows.
pub async fn delete_ids<C: ConnectionTrait>(conn: &C, ids: &[i64]) -> Result<(), DbErr> {
    let backend = conn.get_database_backend();
    for chunk in ids.chunks(500) {
        let tables: &[(&str, &str)] = if backend == DbBackend::Sqlite {
            &[
                ("case_index_fts", "rowid"),
                ("case_index_party", "case_id"),
                ("case_index", "id"),
            ]
        } else {
            &[("case_index_party", "case_id"), ("case_index", "id")]
        };
        for (table, column) in tables {
            let mut sql = Sql::new(backend);
            let list = sql.bind_list(chunk.iter().copied());
            sql.push(&format!("DELETE FROM {table} WHERE {column} IN {list}"));
            conn.execute(sql.statement()).await?;
        }
    }
    Ok(())
}

/// The ids of `system`'s rows written before `before` (left over after a full sync).
pub async fn stale_ids<C: ConnectionTrait>(
    conn: &C,
    system: &str,
    before: DateTime<Utc>,
) -> Result<Vec<i64>, DbErr> {
    let mut sql = Sql::new(conn.get_database_backend());
    let (s, b) = (sql.bind(system), sql.bind(before));
    sql.push(&format!(
        "SELECT id FROM case_index WHERE system_id = {s} AND indexed_at < {b}"
    ));
    conn.query_all(sql.statement())
        .await?
        .iter()
        .map(|r| r.try_get("", "id"))
        .collect()
}

/// How many cases of `system` are indexed.
pub async fn count_of_system<C: ConnectionTrait>(conn: &C, system: &str) -> Result<i64, DbErr> {
    let mut sql = Sql::new(conn.get_database_backend());
    let s = sql.bind(system);
    sql.push(&format!(
        "SELECT COUNT(*) AS n FROM case_index WHERE system_id = {s}"
    ));
    match conn.query_one(sql.statement()).await? {
        Some(row) => row.try_get("", "n"),
        None => Ok(0),
    }
}

/// Insert many new cases at once with explicit row ids from `first_id` (the synthetic fill):
/// multi-row inserts, no conflict handling. Call inside a transaction.
pub async fn insert_batch<C: ConnectionTrait>(
    conn: &C,
    first_id: i64,
    cases: &[IndexedCase<'_>],
    at: DateTime<Utc>,
) -> Result<(), DbErr> {
    let backend = conn.get_database_backend();
    let mut sql = Sql::new(backend);
    let mut rows = Vec::with_capacity(cases.len());
    for (i, c) in cases.iter().enumerate() {
        let mut values: Vec<Value> = vec![(first_id + i as i64).into()];
        values.extend(row_values(c, at)?);
        rows.push(sql.bind_list(values));
    }
    let text = format!(
        "INSERT INTO case_index (id, {}) VALUES {}",
        ROW_COLUMNS.join(", "),
        rows.join(", ")
    );
    sql.push(&text);
    conn.execute(sql.statement()).await?;
    if backend == DbBackend::Sqlite {
        let mut sql = Sql::new(backend);
        let rows: Vec<String> = cases
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let mut values: Vec<Value> = vec![(first_id + i as i64).into()];
                values.extend(fts_values(c).into_iter().map(Value::from));
                sql.bind_list(values)
            })
            .collect();
        let text = format!(
            "INSERT INTO case_index_fts (rowid, title, sagsnummer, kle, parties, documents) VALUES {}",
            rows.join(", ")
        );
        sql.push(&text);
        conn.execute(sql.statement()).await?;
    }
    let with_ids: Vec<(i64, &IndexedCase<'_>)> = cases
        .iter()
        .enumerate()
        .map(|(i, c)| (first_id + i as i64, c))
        .collect();
    write_parties(conn, &with_ids).await
}

/// The party keys of case rows, in one multi-row insert.
async fn write_parties<C: ConnectionTrait>(
    conn: &C,
    cases: &[(i64, &IndexedCase<'_>)],
) -> Result<(), DbErr> {
    let backend = conn.get_database_backend();
    let mut sql = Sql::new(backend);
    let mut rows = Vec::new();
    for (id, p) in cases
        .iter()
        .flat_map(|(id, c)| c.case.parties.iter().map(move |p| (*id, p)))
    {
        let Some(key) = &p.party.key else { continue };
        let role = match p.role {
            PartyRole::Primary => "PRIMARY",
            PartyRole::Secondary => "SECONDARY",
        };
        rows.push(sql.bind_list([
            Value::from(id),
            text::party_key_text(key).into(),
            p.party.name.clone().into(),
            role.into(),
        ]));
    }
    if rows.is_empty() {
        return Ok(());
    }
    let text = format!(
        "INSERT INTO case_index_party (case_id, party_key, name, role) VALUES {} \
         ON CONFLICT (case_id, party_key) DO NOTHING",
        rows.join(", ")
    );
    sql.push(&text);
    conn.execute(sql.statement()).await.map(|_| ())
}
