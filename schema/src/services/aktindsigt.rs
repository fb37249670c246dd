//! What the aktindsigt workflow shares: its configuration, the request states, who acts, and
//! the one way a request changes state (conditionally, with its audit event, in one
//! transaction).

use std::collections::BTreeMap;
use std::path::PathBuf;

use chrono::{DateTime, Utc};
use pipeline::deadline::Calendar;
use pipeline::grounds::{Grounds, LegalGround};
use pipeline::screen::{Automation, Rule, Rules};
use sea_orm::{ConnectionTrait, DbErr, Statement, Value};
use serde::Deserialize;

use crate::services::audit::{Entry, NewEvent, Outcome, RequestMeta};
use crate::viewer::{Role, Viewer};

/// The aktindsigt settings (`[aktindsigt]` in `sagshub.toml`).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AktindsigtConfig {
    /// Folder of the content-addressed blob store holding collected documents.
    pub blob_dir: PathBuf,
    /// Automation policy of departments not listed in `departments`.
    pub default_automation: Automation,
    /// Per department (by name, as the case systems report it): its automation policy.
    pub departments: BTreeMap<String, DepartmentPolicy>,
    /// `AUTO_WHEN_CLEAN`: a finding of personal data at or above this confidence counts as
    /// "found" and sends the request to a person.
    pub auto_threshold: f32,
    /// An `UNKNOWN`-owner finding at or above this confidence is proposed for redaction.
    pub redaction_threshold: f32,
    /// Screening rules, first match wins; absent means [`Rules::defaults`].
    pub rules: Option<Vec<Rule>>,
    /// The legal grounds table; absent means [`Grounds::defaults`].
    pub legal_grounds: Option<Vec<LegalGround>>,
    /// Days the municipality is closed besides weekends and public holidays, as `MM-DD`
    /// (e.g. `06-05` Grundlovsdag, `12-24`, `12-31`); they do not count as working days.
    pub closed_days: Vec<String>,
    /// `dueSoon`: deadlines within this many working days.
    pub due_soon_working_days: u32,
    /// Largest document collected, in bytes; a larger one is recorded for manual review.
    pub max_document_bytes: u64,
    /// Run OCR (the `tesseract` binary, when installed) on pages without a text layer. Without
    /// it every scanned document waits for manual review; with it, scans are screened like any
    /// text, still never released unseen under `AUTO_WHEN_CLEAN`, and pages OCR could not read
    /// with confidence wait for a person.
    pub ocr: bool,
}

impl Default for AktindsigtConfig {
    fn default() -> Self {
        Self {
            blob_dir: PathBuf::from("sagshub-blobs"),
            default_automation: Automation::Manual,
            departments: BTreeMap::new(),
            auto_threshold: 0.5,
            redaction_threshold: 0.6,
            rules: None,
            legal_grounds: None,
            closed_days: Vec::new(),
            due_soon_working_days: 2,
            max_document_bytes: 64 * 1024 * 1024,
            ocr: true,
        }
    }
}

/// One department's settings.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DepartmentPolicy {
    /// `MANUAL`, `AUTO_WHEN_CLEAN` or `AUTOMATIC`.
    pub automation: Automation,
}

/// The configuration checked and compiled once at start.
#[derive(Clone, Debug)]
pub struct Aktindsigt {
    /// As configured.
    pub config: AktindsigtConfig,
    /// The screening rules in force.
    pub rules: Rules,
    /// The legal grounds in force.
    pub grounds: Grounds,
    /// Working days for deadlines.
    pub calendar: Calendar,
}

/// Why the aktindsigt configuration was refused.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The grounds table is invalid.
    #[error("aktindsigt.legal_grounds: {0}")]
    Grounds(#[from] pipeline::grounds::GroundsError),
    /// A rule is invalid.
    #[error("aktindsigt.rules: {0}")]
    Rules(#[from] pipeline::screen::ScreenError),
    /// A closed day is not `MM-DD`.
    #[error("aktindsigt.closed_days: {0:?} is not a MM-DD date")]
    ClosedDay(String),
    /// A threshold outside 0–1.
    #[error("aktindsigt.{0} must be between 0 and 1")]
    Threshold(&'static str),
}

impl Aktindsigt {
    /// Check and compile `config`.
    pub fn new(config: AktindsigtConfig) -> Result<Self, ConfigError> {
        let grounds = match &config.legal_grounds {
            Some(g) => Grounds::new(g.clone())?,
            None => Grounds::defaults(),
        };
        let rules = match &config.rules {
            Some(r) => Rules::new(r.clone()),
            None => Rules::defaults(),
        };
        rules.validate(&grounds)?;
        let mut days = Vec::new();
        for d in &config.closed_days {
            let parsed = d
                .split_once('-')
                .and_then(|(m, d)| Some((m.parse::<u32>().ok()?, d.parse::<u32>().ok()?)))
                .filter(|(m, d)| (1..=12).contains(m) && (1..=31).contains(d))
                .ok_or_else(|| ConfigError::ClosedDay(d.clone()))?;
            days.push(parsed);
        }
        for (name, t) in [
            ("auto_threshold", config.auto_threshold),
            ("redaction_threshold", config.redaction_threshold),
        ] {
            if !(0.0..=1.0).contains(&t) {
                return Err(ConfigError::Threshold(name));
            }
        }
        Ok(Self {
            calendar: Calendar::with_closed_days(&days),
            config,
            rules,
            grounds,
        })
    }

    /// The automation policy of `department` (names compared case-insensitively).
    pub fn automation_of(&self, department: &str) -> Automation {
        self.config
            .departments
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(department))
            .map(|(_, p)| p.automation)
            .unwrap_or(self.config.default_automation)
    }
}

impl Default for Aktindsigt {
    fn default() -> Self {
        Self::new(AktindsigtConfig::default()).expect("the built-in defaults are valid")
    }
}

/// Where a request is in the workflow.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, async_graphql::Enum)]
pub enum RequestState {
    /// Submitted; collection is queued.
    Received,
    /// Documents are being collected from the case systems.
    Collecting,
    /// Documents are being screened.
    Screening,
    /// Waiting for a caseworker's review.
    AwaitingReview,
    /// Decided; ready for the bundle.
    Approved,
    /// The bundle is being made.
    Bundling,
    /// Delivered by Digital Post.
    Delivered,
    /// Refused (with grounds).
    Rejected,
    /// Withdrawn by the requester.
    Withdrawn,
    /// A step failed for good; caseworkers see why.
    Failed,
}

impl RequestState {
    /// The stored name (`AWAITING_REVIEW`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Received => "RECEIVED",
            Self::Collecting => "COLLECTING",
            Self::Screening => "SCREENING",
            Self::AwaitingReview => "AWAITING_REVIEW",
            Self::Approved => "APPROVED",
            Self::Bundling => "BUNDLING",
            Self::Delivered => "DELIVERED",
            Self::Rejected => "REJECTED",
            Self::Withdrawn => "WITHDRAWN",
            Self::Failed => "FAILED",
        }
    }

    /// From the stored name.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// Every state.
    pub const ALL: [Self; 10] = [
        Self::Received,
        Self::Collecting,
        Self::Screening,
        Self::AwaitingReview,
        Self::Approved,
        Self::Bundling,
        Self::Delivered,
        Self::Rejected,
        Self::Withdrawn,
        Self::Failed,
    ];

    /// Whether nothing more happens to it.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            Self::Delivered | Self::Rejected | Self::Withdrawn | Self::Failed
        )
    }

    /// Whether a decision has been made (the § 36 deadline is met).
    pub fn is_decided(self) -> bool {
        matches!(
            self,
            Self::Approved | Self::Bundling | Self::Delivered | Self::Rejected
        )
    }
}

/// Who makes a change: a verified viewer, or the hub's own worker.
#[derive(Clone, Debug)]
pub enum Actor {
    /// A person, with where the request came from.
    Person(Viewer, RequestMeta),
    /// The job worker (automatic steps and automatic release).
    System,
}

impl Actor {
    /// The token subject, or `system`.
    pub fn subject(&self) -> String {
        match self {
            Self::Person(v, _) => v.subject.clone().unwrap_or_default(),
            Self::System => "system".to_owned(),
        }
    }

    /// An audit event of `action` on request `request_id` by this actor.
    pub fn event(&self, action: &'static str, request_id: &str, note: Option<String>) -> NewEvent {
        let (role, meta) = match self {
            Self::Person(v, meta) => (crate::services::audit::role_name(v.role), meta.clone()),
            Self::System => ("system", RequestMeta::default()),
        };
        NewEvent {
            occurred_at: Utc::now(),
            actor: self.subject(),
            role: role.to_owned(),
            entry: Entry {
                action,
                object_kind: Some("access_request"),
                object_id: Some(request_id.to_owned()),
                purpose: note,
                outcome: Outcome::Allowed,
            },
            meta,
        }
    }

    /// Whether this is a person in `role`.
    pub fn is(&self, role: Role) -> bool {
        matches!(self, Self::Person(v, _) if v.role == role)
    }
}

/// Move request `id` from one of `from` to `to`, touching `updated_at` and any `extra`
/// columns, only if it is in one of `from` now. Returns whether it moved (false: it was in
/// another state, e.g. a concurrent change got there first).
///
/// `extra` are `(column, value)` pairs set in the same statement.
pub async fn transition<C: ConnectionTrait>(
    conn: &C,
    id: &str,
    from: &[RequestState],
    to: RequestState,
    extra: Vec<(&'static str, Value)>,
) -> Result<bool, DbErr> {
    let backend = conn.get_database_backend();
    let mut values: Vec<Value> = Vec::new();
    let next = |v: Value, values: &mut Vec<Value>| {
        values.push(v);
        match backend {
            sea_orm::DbBackend::Postgres => format!("${}", values.len()),
            _ => "?".to_owned(),
        }
    };
    let mut sets = vec![
        format!("state = {}", next(to.as_str().into(), &mut values)),
        format!("updated_at = {}", next(now().into(), &mut values)),
    ];
    for (column, value) in extra {
        sets.push(format!("{column} = {}", next(value, &mut values)));
    }
    let id_p = next(id.into(), &mut values);
    let states: Vec<String> = from
        .iter()
        .map(|s| next(s.as_str().into(), &mut values))
        .collect();
    let sql = format!(
        "UPDATE access_request SET {} WHERE id = {id_p} AND state IN ({})",
        sets.join(", "),
        states.join(", ")
    );
    let result = conn
        .execute(Statement::from_sql_and_values(backend, sql, values))
        .await?;
    Ok(result.rows_affected() == 1)
}

/// Now, to the microsecond (what every backend stores).
pub fn now() -> DateTime<Utc> {
    use chrono::SubsecRound;
    Utc::now().trunc_subsecs(6)
}

/// The departments of a request, from its stored JSON array.
pub fn departments_of(stored: &str) -> Vec<String> {
    serde_json::from_str(stored).unwrap_or_default()
}

/// The calendar date in Denmark at `at` (CET, CEST from the last Sunday of March 01:00 UTC to
/// the last Sunday of October 01:00 UTC): a request received at 23:30 Danish time on a Friday
/// was received on Friday.
pub fn danish_date(at: DateTime<Utc>) -> chrono::NaiveDate {
    use chrono::{Datelike, NaiveDate, NaiveTime, Weekday};
    fn last_sunday(year: i32, month: u32) -> NaiveDate {
        let mut d = NaiveDate::from_ymd_opt(year, month + 1, 1)
            .unwrap_or(NaiveDate::MAX)
            .pred_opt()
            .unwrap_or(NaiveDate::MIN);
        while d.weekday() != Weekday::Sun {
            d = d.pred_opt().unwrap_or(d);
        }
        d
    }
    let year = at.year();
    let one = NaiveTime::from_hms_opt(1, 0, 0).unwrap_or_default();
    let summer_from = last_sunday(year, 3).and_time(one).and_utc();
    let summer_to = last_sunday(year, 10).and_time(one).and_utc();
    let offset = if at >= summer_from && at < summer_to {
        2
    } else {
        1
    };
    (at + chrono::Duration::hours(offset)).date_naive()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn the_danish_date_follows_summer_time() {
        // 22:30 UTC in winter is 23:30 in Copenhagen: same day.
        let winter = Utc.with_ymd_and_hms(2026, 12, 4, 22, 30, 0).unwrap();
        assert_eq!(danish_date(winter).to_string(), "2026-12-04");
        // 22:30 UTC in summer is 00:30 the next day in Copenhagen.
        let summer = Utc.with_ymd_and_hms(2026, 6, 4, 22, 30, 0).unwrap();
        assert_eq!(danish_date(summer).to_string(), "2026-06-05");
        // 23:30 UTC in winter is 00:30 the next day.
        let late = Utc.with_ymd_and_hms(2026, 12, 4, 23, 30, 0).unwrap();
        assert_eq!(danish_date(late).to_string(), "2026-12-05");
    }

    #[test]
    fn states_round_trip_through_their_stored_names() {
        for s in RequestState::ALL {
            assert_eq!(RequestState::parse(s.as_str()), Some(s));
        }
        assert_eq!(RequestState::parse("DONE"), None);
    }
}
