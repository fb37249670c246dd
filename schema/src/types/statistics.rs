//! `Statistics`: the aktindsigt figures for a period (see [`crate::services::statistics`]).

use async_graphql::{Context, Result, SimpleObject};
use chrono::NaiveDate;

use crate::error::{Code, api_error, internal};
use crate::request::RequestCtx;
use crate::services::aktindsigt::RequestState;
use crate::services::statistics::{self, Statistics};
use crate::viewer::Role;

/// Longest period asked for at once, in days.
const MAX_PERIOD_DAYS: i64 = 3_660;

/// Requests in one state.
#[derive(SimpleObject)]
pub struct StateCount {
    /// The state.
    pub state: RequestState,
    /// How many.
    pub count: u64,
}

/// Findings of one category.
#[derive(SimpleObject)]
pub struct CategoryCount {
    /// `CPR`, `NAME`, `ADDRESS`, `PHONE`, `EMAIL`, `ATTENTION`.
    pub category: String,
    /// How many.
    pub count: u64,
}

/// Attention points of one kind.
#[derive(SimpleObject)]
pub struct KindCount {
    /// `health`, `social`, ...
    pub kind: String,
    /// How many.
    pub count: u64,
}

/// The aktindsigt figures for requests received in a period (Danish dates, both included).
#[derive(SimpleObject)]
#[graphql(name = "Statistics")]
pub struct StatisticsNode {
    /// First day.
    pub from: NaiveDate,
    /// Last day.
    pub to: NaiveDate,
    /// Departments whose cases were collected (the departments on the solution).
    pub departments: Vec<String>,
    /// How many departments.
    pub department_count: usize,
    /// Requests received (a resubmission with the same idempotency key is not another).
    pub unique_requests: u64,
    /// Requests per current state.
    pub by_state: Vec<StateCount>,
    /// Cases collected.
    pub cases: u64,
    /// Documents collected.
    pub documents: u64,
    /// Documents per case, mean.
    pub documents_per_case_mean: Option<f64>,
    /// Documents per case, median.
    pub documents_per_case_median: Option<f64>,
    /// Requests decided (approved or rejected).
    pub decided: u64,
    /// Of those, released without a person.
    pub auto_released: u64,
    /// Share of decided requests released without a person, 0–1.
    pub auto_released_share: Option<f64>,
    /// Receipt to decision in hours, median.
    pub processing_hours_median: Option<f64>,
    /// Receipt to decision in hours, maximum.
    pub processing_hours_max: Option<f64>,
    /// Receipt to decision in working days, median.
    pub processing_working_days_median: Option<f64>,
    /// Receipt to decision in working days, maximum.
    pub processing_working_days_max: Option<i64>,
    /// Findings per category.
    pub findings_by_category: Vec<CategoryCount>,
    /// Attention points per kind.
    pub attention_by_kind: Vec<KindCount>,
    /// Requests decided after the date promised, or undecided past it today.
    pub overdue: u64,
}

impl StatisticsNode {
    fn new(from: NaiveDate, to: NaiveDate, s: Statistics) -> Self {
        Self {
            from,
            to,
            department_count: s.departments.len(),
            departments: s.departments,
            unique_requests: s.unique_requests,
            by_state: s
                .by_state
                .into_iter()
                .map(|(state, count)| StateCount { state, count })
                .collect(),
            cases: s.cases,
            documents: s.documents,
            documents_per_case_mean: s.documents_per_case_mean,
            documents_per_case_median: s.documents_per_case_median,
            decided: s.decided,
            auto_released: s.auto_released,
            auto_released_share: s.auto_released_share,
            processing_hours_median: s.processing_hours_median,
            processing_hours_max: s.processing_hours_max,
            processing_working_days_median: s.processing_working_days_median,
            processing_working_days_max: s.processing_working_days_max,
            findings_by_category: s
                .findings_by_category
                .into_iter()
                .map(|(category, count)| CategoryCount { category, count })
                .collect(),
            attention_by_kind: s
                .attention_by_kind
                .into_iter()
                .map(|(kind, count)| KindCount { kind, count })
                .collect(),
            overdue: s.overdue,
        }
    }
}

/// `statistics(from, to)`: caseworkers and admins.
pub async fn get(ctx: &Context<'_>, from: NaiveDate, to: NaiveDate) -> Result<StatisticsNode> {
    let rc = RequestCtx::from(ctx)?;
    match rc.viewer.role {
        Role::Caseworker | Role::Admin => {}
        Role::Anonymous => {
            return Err(api_error(
                Code::Unauthenticated,
                "a verified identity is required",
            ));
        }
        Role::Citizen | Role::ThirdParty => {
            let e = api_error(Code::Forbidden, "statistics are for staff");
            return Err(crate::services::reads::deny(&rc, e, Some("statistics"), None).await);
        }
    }
    if to < from {
        return Err(api_error(Code::BadUserInput, "`to` is before `from`"));
    }
    if (to - from).num_days() > MAX_PERIOD_DAYS {
        return Err(api_error(
            Code::BadUserInput,
            "ask for at most ten years at once",
        ));
    }
    let s = statistics::compute(rc.services, from, to)
        .await
        .map_err(|e| internal("computing statistics", e))?;
    Ok(StatisticsNode::new(from, to, s))
}
