//! The figures municipalities report on aktindsigt: departments on the solution, documents in
//! total and per case, unique requests, processing time, automatic release and findings.
//!
//! A request belongs to a period by the Danish calendar date it was received on. "Unique
//! requests" are rows: a resubmission with the same idempotency key never made a second one.
//! Processing time runs from receipt to the decision (approval or rejection); withdrawn,
//! failed and undecided requests have none. A request counts as overdue when it was decided
//! after the date it was promised by (the § 36 deadline, or a deadline notice's later date), or
//! is still undecided past it today.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use entities::{access_request, finding, request_case, request_document};
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{ColumnTrait, DbErr, EntityTrait, QueryFilter, QuerySelect};

use crate::services::Services;
use crate::services::aktindsigt::{RequestState, danish_date};
use crate::services::requests;

/// The figures for one period.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Statistics {
    /// Departments whose cases were collected for the period's requests, sorted.
    pub departments: Vec<String>,
    /// Requests received in the period.
    pub unique_requests: u64,
    /// Requests per current state, in workflow order (states with none left out).
    pub by_state: Vec<(RequestState, u64)>,
    /// Cases collected.
    pub cases: u64,
    /// Documents collected.
    pub documents: u64,
    /// Documents per case: mean.
    pub documents_per_case_mean: Option<f64>,
    /// Documents per case: median.
    pub documents_per_case_median: Option<f64>,
    /// Requests decided (approved or rejected, and on).
    pub decided: u64,
    /// Of those, released without a person.
    pub auto_released: u64,
    /// `auto_released / decided`.
    pub auto_released_share: Option<f64>,
    /// Receipt to decision, hours: median.
    pub processing_hours_median: Option<f64>,
    /// Receipt to decision, hours: maximum.
    pub processing_hours_max: Option<f64>,
    /// Receipt to decision, working days: median.
    pub processing_working_days_median: Option<f64>,
    /// Receipt to decision, working days: maximum.
    pub processing_working_days_max: Option<i64>,
    /// Findings per category (`CPR`, `NAME`, ...), sorted by category.
    pub findings_by_category: Vec<(String, u64)>,
    /// Attention points per kind (`health`, ...), sorted by kind.
    pub attention_by_kind: Vec<(String, u64)>,
    /// Requests decided late or undecided past their date today.
    pub overdue: u64,
}

/// The first instant of Danish calendar date `date`, in UTC (22:00 or 23:00 UTC the day
/// before: Denmark is UTC+1 or +2 and changes at 01:00 UTC, never at midnight).
pub fn danish_midnight(date: NaiveDate) -> DateTime<Utc> {
    let before = date.pred_opt().unwrap_or(date);
    let candidate = before
        .and_time(NaiveTime::from_hms_opt(22, 0, 0).unwrap_or_default())
        .and_utc();
    if danish_date(candidate) == date {
        candidate
    } else {
        candidate + Duration::hours(1)
    }
}

/// The median of `values` (sorted here).
fn median(mut values: Vec<f64>) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let n = values.len();
    Some(if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    })
}

fn ratio(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

/// The figures for requests received from `from` to `to`, both days included.
#[tracing::instrument(skip(services))]
pub async fn compute(
    services: &Services,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Statistics, DbErr> {
    let db = &services.store;
    let start = danish_midnight(from);
    let end = danish_midnight(to.succ_opt().unwrap_or(to));
    let requests = access_request::Entity::find()
        .filter(access_request::Column::ReceivedAt.gte(start))
        .filter(access_request::Column::ReceivedAt.lt(end))
        .all(db)
        .await?;
    let in_period = || {
        Query::select()
            .column(access_request::Column::Id)
            .from(access_request::Entity)
            .and_where(Expr::col(access_request::Column::ReceivedAt).gte(start))
            .and_where(Expr::col(access_request::Column::ReceivedAt).lt(end))
            .to_owned()
    };

    let cases: Vec<(String, String, String, String)> = request_case::Entity::find()
        .select_only()
        .column(request_case::Column::RequestId)
        .column(request_case::Column::System)
        .column(request_case::Column::LocalId)
        .column(request_case::Column::Department)
        .filter(request_case::Column::RequestId.in_subquery(in_period()))
        .into_tuple()
        .all(db)
        .await?;
    let per_case_docs: Vec<(String, String, String, i64)> = request_document::Entity::find()
        .select_only()
        .column(request_document::Column::RequestId)
        .column(request_document::Column::System)
        .column(request_document::Column::CaseLocalId)
        .column_as(request_document::Column::Id.count(), "n")
        .filter(request_document::Column::RequestId.in_subquery(in_period()))
        .group_by(request_document::Column::RequestId)
        .group_by(request_document::Column::System)
        .group_by(request_document::Column::CaseLocalId)
        .into_tuple()
        .all(db)
        .await?;
    let by_category: Vec<(String, i64)> = finding::Entity::find()
        .select_only()
        .column(finding::Column::Category)
        .column_as(finding::Column::Id.count(), "n")
        .filter(finding::Column::RequestId.in_subquery(in_period()))
        .group_by(finding::Column::Category)
        .into_tuple()
        .all(db)
        .await?;
    let by_kind: Vec<(Option<String>, i64)> = finding::Entity::find()
        .select_only()
        .column(finding::Column::AttentionKind)
        .column_as(finding::Column::Id.count(), "n")
        .filter(finding::Column::RequestId.in_subquery(in_period()))
        .filter(finding::Column::Category.eq("ATTENTION"))
        .group_by(finding::Column::AttentionKind)
        .into_tuple()
        .all(db)
        .await?;

    // Documents per case: every collected case counts, one without documents as 0.
    let mut docs: BTreeMap<(String, String, String), u64> = cases
        .iter()
        .map(|(r, s, l, _)| ((r.clone(), s.clone(), l.clone()), 0))
        .collect();
    for (r, s, l, n) in per_case_docs {
        *docs.entry((r, s, l)).or_default() += u64::try_from(n).unwrap_or(0);
    }
    let documents: u64 = docs.values().sum();
    let departments: BTreeSet<String> = cases.into_iter().map(|(_, _, _, d)| d).collect();

    let calendar = &services.aktindsigt.calendar;
    let today = requests::today();
    let mut by_state: BTreeMap<usize, u64> = BTreeMap::new();
    let (mut decided, mut auto_released, mut overdue) = (0u64, 0u64, 0u64);
    let mut hours = Vec::new();
    let mut working_days = Vec::new();
    for r in &requests {
        let Some(state) = RequestState::parse(&r.state) else {
            continue;
        };
        let position = RequestState::ALL
            .iter()
            .position(|s| *s == state)
            .unwrap_or(0);
        *by_state.entry(position).or_default() += 1;
        let promised = requests::effective_deadline(r);
        if state.is_decided()
            && let Some(at) = r.decided_at
        {
            decided += 1;
            auto_released += u64::from(r.auto_released);
            let elapsed = at - r.received_at;
            hours.push(elapsed.num_seconds().max(0) as f64 / 3600.0);
            working_days.push(
                calendar
                    .working_days_between(danish_date(r.received_at), danish_date(at))
                    .max(0),
            );
            if danish_date(at) > promised {
                overdue += 1;
            }
        } else if requests::is_overdue(r, today) {
            overdue += 1;
        }
    }
    let cases_count = docs.len() as u64;
    Ok(Statistics {
        departments: departments.into_iter().collect(),
        unique_requests: requests.len() as u64,
        by_state: by_state
            .into_iter()
            .map(|(i, n)| (RequestState::ALL[i], n))
            .collect(),
        cases: cases_count,
        documents,
        documents_per_case_mean: ratio(documents, cases_count),
        documents_per_case_median: median(docs.values().map(|n| *n as f64).collect()),
        decided,
        auto_released,
        auto_released_share: ratio(auto_released, decided),
        processing_hours_median: median(hours.clone()),
        processing_hours_max: hours.iter().copied().reduce(f64::max),
        processing_working_days_median: median(working_days.iter().map(|d| *d as f64).collect()),
        processing_working_days_max: working_days.iter().copied().max(),
        findings_by_category: {
            let mut v: Vec<(String, u64)> = by_category
                .into_iter()
                .map(|(c, n)| (c, u64::try_from(n).unwrap_or(0)))
                .collect();
            v.sort();
            v
        },
        attention_by_kind: {
            let mut v: Vec<(String, u64)> = by_kind
                .into_iter()
                .map(|(k, n)| {
                    (
                        k.unwrap_or_else(|| "unknown".to_owned()),
                        u64::try_from(n).unwrap_or(0),
                    )
                })
                .collect();
            v.sort();
            v
        },
        overdue,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn danish_midnight_is_22_or_23_utc() {
        let summer = NaiveDate::from_ymd_opt(2026, 6, 5).unwrap_or_default();
        assert_eq!(
            danish_midnight(summer).to_rfc3339(),
            "2026-06-04T22:00:00+00:00"
        );
        let winter = NaiveDate::from_ymd_opt(2026, 12, 5).unwrap_or_default();
        assert_eq!(
            danish_midnight(winter).to_rfc3339(),
            "2026-12-04T23:00:00+00:00"
        );
    }

    #[test]
    fn medians_of_odd_and_even_counts() {
        assert_eq!(median(vec![3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(vec![4.0, 1.0, 2.0, 3.0]), Some(2.5));
        assert_eq!(median(Vec::new()), None);
    }
}
