//! Searching the index: one SQL statement for the page and one for the count, both with the
//! viewer's scope (departments, clearance) in the `WHERE` clause, so neither a page nor
//! `totalCount` can reveal a case the viewer may not see.
//!
//! Ranking: `bm25` on SQLite (title weighted highest, then parties, sagsnummer and KLE, then
//! document titles), `ts_rank` on PostgreSQL (weights A–D the same way); without text terms,
//! the newest cases first.

use chrono::{DateTime, NaiveDate, Utc};
use connectors::{Case, ProgressStatus, Sensitivity};
use sea_orm::{ConnectionTrait, DbBackend, DbErr};

use super::store::{self, CASE_COLUMNS, Sql};
use super::text::{self, ParsedQuery};

/// Whose cases a search may return: the caseworker's departments and clearance.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scope {
    /// Departments (exact names, as the systems report them).
    pub departments: Vec<String>,
    /// Highest sensitivity.
    pub clearance: Sensitivity,
}

/// Filters besides the query text.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Filter {
    /// Only these departments (intersected with the scope).
    pub departments: Option<Vec<String>>,
    /// Only these systems.
    pub systems: Option<Vec<String>>,
    /// Only these statuses.
    pub statuses: Option<Vec<ProgressStatus>>,
    /// Only KLE numbers under this normalised prefix (`27`, `27.24`; see
    /// [`super::kle::parse_prefix`]).
    pub kle_prefix: Option<String>,
    /// Opened on or after.
    pub opened_from: Option<NaiveDate>,
    /// Opened on or before.
    pub opened_to: Option<NaiveDate>,
    /// Changed in the source system at or after.
    pub updated_from: Option<DateTime<Utc>>,
    /// Changed in the source system at or before.
    pub updated_to: Option<DateTime<Utc>>,
}

/// One result.
#[derive(Clone, Debug)]
pub struct Hit {
    /// The case as last indexed.
    pub case: Case,
    /// Relevance, higher is better (0 without text terms).
    pub score: f64,
}

/// One page of results.
#[derive(Clone, Debug, Default)]
pub struct Page {
    /// The hits, best first.
    pub hits: Vec<Hit>,
    /// All visible matches.
    pub total: u64,
}

/// Search the index for `query` within `scope` and `filter`: `limit` hits from `offset`.
#[tracing::instrument(skip_all, fields(terms = query.terms.len(), offset, limit))]
pub async fn search<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope,
    query: &ParsedQuery,
    filter: &Filter,
    offset: u64,
    limit: u64,
) -> Result<Page, DbErr> {
    let departments: Vec<String> = match &filter.departments {
        Some(wanted) => scope
            .departments
            .iter()
            .filter(|d| wanted.contains(d))
            .cloned()
            .collect(),
        None => scope.departments.clone(),
    };
    if departments.is_empty() || filter.systems.as_ref().is_some_and(Vec::is_empty) {
        return Ok(Page::default());
    }
    let backend = conn.get_database_backend();
    let count = {
        let mut sql = Sql::new(backend);
        sql.push("SELECT COUNT(*) AS n ");
        from_where(&mut sql, backend, scope, &departments, query, filter);
        conn.query_one(sql.statement()).await?
    };
    let total: i64 = match count {
        Some(row) => row.try_get("", "n")?,
        None => 0,
    };
    if total == 0 || limit == 0 {
        return Ok(Page {
            hits: Vec::new(),
            total: total.max(0) as u64,
        });
    }
    let mut sql = Sql::new(backend);
    let has_text = !query.terms.is_empty();
    let score = match (backend, has_text) {
        (DbBackend::Sqlite, true) => "-bm25(case_index_fts, 4.0, 2.0, 2.0, 3.0, 1.0)",
        (DbBackend::Postgres, true) => "CAST(ts_rank(c.search_vector, qq.q) AS DOUBLE PRECISION)",
        _ => "CAST(0.0 AS DOUBLE PRECISION)",
    };
    sql.push(&format!("SELECT {CASE_COLUMNS}, {score} AS score "));
    from_where(&mut sql, backend, scope, &departments, query, filter);
    let order = if has_text {
        "score DESC, c.id"
    } else {
        "c.opened DESC, c.id DESC"
    };
    let (l, o) = (sql.bind(limit as i64), sql.bind(offset as i64));
    sql.push(&format!(" ORDER BY {order} LIMIT {l} OFFSET {o}"));
    let rows = conn.query_all(sql.statement()).await?;
    let mut hits = Vec::with_capacity(rows.len());
    for row in &rows {
        hits.push(Hit {
            case: store::case_from_row(row)?,
            score: row.try_get::<f64>("", "score").unwrap_or(0.0),
        });
    }
    Ok(Page {
        hits,
        total: total as u64,
    })
}

/// `FROM … WHERE …` of a search, scope first.
fn from_where(
    sql: &mut Sql,
    backend: DbBackend,
    scope: &Scope,
    departments: &[String],
    query: &ParsedQuery,
    filter: &Filter,
) {
    let mut conditions: Vec<String> = Vec::new();
    match (backend, query.fts5()) {
        (DbBackend::Sqlite, Some(expr)) => {
            sql.push("FROM case_index_fts JOIN case_index c ON c.id = case_index_fts.rowid ");
            let p = sql.bind(expr);
            conditions.push(format!("case_index_fts MATCH {p}"));
        }
        (DbBackend::Postgres, Some(_)) => {
            let q = pg_tsquery(sql, query);
            sql.push(&format!(
                "FROM case_index c CROSS JOIN (SELECT {q} AS q) AS qq "
            ));
            conditions.push("c.search_vector @@ qq.q".to_owned());
        }
        _ => {
            sql.push("FROM case_index c ");
        }
    }
    let list = sql.bind_list(departments.iter().cloned());
    conditions.push(format!("c.department IN {list}"));
    let clearance = sql.bind(store::sensitivity_rank(scope.clearance));
    conditions.push(format!("c.sensitivity <= {clearance}"));
    for key in &query.parties {
        let p = sql.bind(text::party_key_text(key));
        conditions.push(format!(
            "c.id IN (SELECT p.case_id FROM case_index_party p WHERE p.party_key = {p})"
        ));
    }
    for number in &query.sagsnumre {
        let p = sql.bind(number.clone());
        conditions.push(format!("c.sagsnummer_key = {p}"));
    }
    if let Some(systems) = &filter.systems {
        let list = sql.bind_list(systems.iter().cloned());
        conditions.push(format!("c.system_id IN {list}"));
    }
    if let Some(statuses) = filter.statuses.as_ref().filter(|s| !s.is_empty()) {
        let list = sql.bind_list(statuses.iter().map(|s| store::status_name(*s)));
        conditions.push(format!("c.status IN {list}"));
    }
    if let Some(prefix) = &filter.kle_prefix {
        let (exact, like) = (sql.bind(prefix.clone()), sql.bind(format!("{prefix}.%")));
        conditions.push(format!("(c.kle = {exact} OR c.kle LIKE {like})"));
    }
    for (value, op, column) in [
        (filter.opened_from.map(sea_orm::Value::from), ">=", "opened"),
        (filter.opened_to.map(sea_orm::Value::from), "<=", "opened"),
        (
            filter.updated_from.map(sea_orm::Value::from),
            ">=",
            "source_updated_at",
        ),
        (
            filter.updated_to.map(sea_orm::Value::from),
            "<=",
            "source_updated_at",
        ),
    ] {
        if let Some(v) = value {
            let p = sql.bind(v);
            conditions.push(format!("c.{column} {op} {p}"));
        }
    }
    sql.push("WHERE ");
    sql.push(&conditions.join(" AND "));
}

/// The PostgreSQL `tsquery` of the terms: each full term through the `danish` configuration
/// (stemmed as the documents are), the last also as a `simple` prefix of the unstemmed word.
fn pg_tsquery(sql: &mut Sql, query: &ParsedQuery) -> String {
    let parts: Vec<String> = query
        .terms
        .iter()
        .map(|t| {
            let full = sql.bind(t.word.clone());
            if t.prefix {
                let prefix = sql.bind(format!("{}:*", t.word));
                format!("(to_tsquery('simple', {prefix}) || to_tsquery('danish', {full}))")
            } else {
                format!("to_tsquery('danish', {full})")
            }
        })
        .collect();
    format!("({})", parts.join(" && "))
}
