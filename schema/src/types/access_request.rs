//! `AccessRequest` (an anmodning om aktindsigt) and the mutations of its lifecycle.
//!
//! Requesters (the citizen, or a third party under consent) see the state, the dates, the
//! progress and which systems have been read; caseworkers also see the cases, documents and
//! findings (in [`super::review`]), errors, and who decided. Authorization is in
//! [`crate::services::requests`].

use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, NaiveDate, Utc};
use connectors::PartyKey;
use entities::access_request::Model;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};

use super::connection::{CountedConnection, paginate};
use super::job::{JobNode, Progress, progress_of};
use super::request_enums::{Automation, CollectionState, LegalBasis, RequesterRole};
use super::review::RequestItemNode;
use crate::error::{Code, api_error, internal};
use crate::ids::GlobalId;
use crate::request::RequestCtx;
use crate::services::aktindsigt::{RequestState, departments_of};
use crate::services::requests::review::ItemFilter;
use crate::services::requests::{self, Access, Submission};

/// An access request as the viewer may see it.
#[derive(Clone, Debug)]
pub struct AccessRequestNode {
    /// The row.
    pub row: std::sync::Arc<Model>,
    /// How the viewer relates to it.
    pub access: Access,
}

impl AccessRequestNode {
    fn staff(&self) -> bool {
        self.access.is_staff()
    }
}

/// Who asked.
#[derive(SimpleObject)]
pub struct Requester {
    /// The citizen, or a third party.
    pub role: Option<RequesterRole>,
    /// A third party's registered name.
    pub name: Option<String>,
}

/// The deadline notice (fristbrev) sent, if any.
#[derive(SimpleObject)]
pub struct DeadlineNotice {
    /// The date a decision was promised by.
    pub expected_by: NaiveDate,
    /// Why the deadline could not be kept.
    pub reason: Option<String>,
    /// When it was recorded.
    pub sent_at: Option<DateTime<Utc>>,
}

/// A caseworker's acceptance of a case system that could not be read.
#[derive(SimpleObject)]
pub struct GapAccepted {
    /// Why (stated in the cover letter).
    pub reason: String,
    /// Who accepted it (staff only).
    pub by: Option<String>,
}

/// One case system's collection for the request.
#[derive(SimpleObject)]
pub struct RequestSystem {
    /// The system's id.
    pub system: String,
    /// Collected, or failed.
    pub state: Option<CollectionState>,
    /// Why the last attempt failed (staff only).
    pub error: Option<String>,
    /// Attempts so far.
    pub attempts: i32,
    /// Cases found.
    pub cases: i32,
    /// Documents collected.
    pub documents: i32,
    /// When it was read in full.
    pub collected_at: Option<DateTime<Utc>>,
}

/// A collected case (staff only).
#[derive(SimpleObject)]
pub struct RequestCase {
    /// The system's id.
    pub system: String,
    /// Sagsnummer.
    pub sagsnummer: String,
    /// Title.
    pub title: String,
    /// KLE subject number.
    pub kle: String,
    /// Department.
    pub department: String,
}

/// A legal ground (hjemmel) for withholding or redacting.
#[derive(Clone, SimpleObject)]
#[graphql(name = "LegalGround")]
pub struct LegalGroundNode {
    /// Stable code (`OFL_30_1`).
    pub code: String,
    /// The paragraph as printed (`OFL § 30, nr. 1`).
    pub paragraph: String,
    /// Short Danish label.
    pub label: String,
    /// Plain-Danish explanation for the citizen.
    pub text: String,
}

impl From<&pipeline::grounds::LegalGround> for LegalGroundNode {
    fn from(g: &pipeline::grounds::LegalGround) -> Self {
        Self {
            code: g.code.clone(),
            paragraph: g.paragraph.clone(),
            label: g.label.clone(),
            text: g.text.clone(),
        }
    }
}

/// The ground `code` from the table in force; a code no longer in the table keeps its code.
pub fn ground_node(rc: &RequestCtx<'_>, code: &str) -> LegalGroundNode {
    match rc.services.aktindsigt.grounds.get(code) {
        Some(g) => g.into(),
        None => LegalGroundNode {
            code: code.to_owned(),
            paragraph: code.to_owned(),
            label: String::new(),
            text: String::new(),
        },
    }
}

/// Why a request was rejected.
#[derive(SimpleObject)]
pub struct Rejection {
    /// The legal grounds.
    pub grounds: Vec<LegalGroundNode>,
    /// The caseworker's note.
    pub note: Option<String>,
}

#[Object(name = "AccessRequest")]
impl AccessRequestNode {
    /// Opaque global id.
    pub async fn id(&self) -> ID {
        ID(GlobalId::AccessRequest {
            id: self.row.id.clone(),
        }
        .encode())
    }
    /// Where it is in the workflow.
    async fn state(&self) -> Result<RequestState> {
        requests::state_of(&self.row)
    }
    /// The law it is made under.
    async fn legal_basis(&self) -> Option<LegalBasis> {
        LegalBasis::parse(&self.row.legal_basis)
    }
    /// Every case of the citizen (true), or only `scopeCases`.
    async fn scope_all(&self) -> bool {
        self.row.scope.is_none()
    }
    /// The chosen cases' global ids, when not all.
    async fn scope_cases(&self) -> Vec<ID> {
        let refs: Vec<String> = self
            .row
            .scope
            .as_deref()
            .and_then(|s| serde_json::from_str(s).ok())
            .unwrap_or_default();
        refs.iter()
            .filter_map(|r| r.split_once('/'))
            .map(|(system, local_id)| {
                ID(GlobalId::Case {
                    system: system.to_owned(),
                    local_id: local_id.to_owned(),
                }
                .encode())
            })
            .collect()
    }
    /// Who asked.
    async fn requester(&self) -> Requester {
        Requester {
            role: RequesterRole::parse(&self.row.requester_role),
            name: self.row.requester_name.clone(),
        }
    }
    /// The citizen whose records are asked for: in full to the requester and the citizen,
    /// masked `DDMMYY-XXXX` to caseworkers.
    async fn subject(&self) -> Option<String> {
        let key = PartyKey::cpr(&self.row.subject_cpr)?;
        Some(match self.access {
            Access::Requester | Access::Subject => key.display_number(),
            Access::Caseworker => super::party::masked(&key),
        })
    }
    /// When it was received.
    async fn received_at(&self) -> DateTime<Utc> {
        self.row.received_at
    }
    /// The offentlighedsloven § 36 deadline: 7 working days after receipt.
    async fn deadline(&self) -> NaiveDate {
        self.row.deadline
    }
    /// Undecided past the date promised (the deadline, or a notice's later date).
    async fn overdue(&self) -> bool {
        requests::is_overdue(&self.row, requests::today())
    }
    /// Undecided, and the date promised is within the configured working days.
    async fn due_soon(&self, ctx: &Context<'_>) -> Result<bool> {
        let rc = RequestCtx::from(ctx)?;
        Ok(requests::is_due_soon(
            rc.services,
            &self.row,
            requests::today(),
        ))
    }
    /// The deadline notice sent, if any.
    async fn deadline_notice(&self) -> Option<DeadlineNotice> {
        self.row
            .notice_expected_by
            .map(|expected_by| DeadlineNotice {
                expected_by,
                reason: self.row.notice_reason.clone(),
                sent_at: self.row.notice_sent_at,
            })
    }
    /// Whether some case system could not be read.
    async fn incomplete(&self) -> bool {
        self.row.incomplete
    }
    /// A caseworker's acceptance of the gap.
    async fn gap_accepted(&self) -> Option<GapAccepted> {
        self.row
            .gap_accepted_reason
            .clone()
            .map(|reason| GapAccepted {
                reason,
                by: self.row.gap_accepted_by.clone().filter(|_| self.staff()),
            })
    }
    /// Each case system's collection.
    async fn systems(&self, ctx: &Context<'_>) -> Result<Vec<RequestSystem>> {
        use entities::request_system::{Column, Entity};
        let rc = RequestCtx::from(ctx)?;
        let rows = Entity::find()
            .filter(Column::RequestId.eq(&self.row.id))
            .order_by_asc(Column::System)
            .all(&rc.services.store)
            .await
            .map_err(|e| internal("reading a request's systems", e))?;
        let staff = self.staff();
        Ok(rows
            .into_iter()
            .map(|r| RequestSystem {
                state: CollectionState::parse(&r.state),
                error: r.error.filter(|_| staff),
                system: r.system,
                attempts: r.attempts,
                cases: r.cases,
                documents: r.documents,
                collected_at: r.collected_at,
            })
            .collect())
    }
    /// The automation policy in force; null until collection has found the departments.
    async fn automation(&self) -> Option<Automation> {
        self.row.automation.as_deref().and_then(Automation::parse)
    }
    /// Departments whose cases were collected.
    async fn departments(&self) -> Vec<String> {
        departments_of(&self.row.departments)
    }
    /// The caseworker assigned (staff only).
    async fn assignee(&self) -> Option<&str> {
        self.row
            .assignee_subject
            .as_deref()
            .filter(|_| self.staff())
    }
    /// When it was decided or withdrawn.
    async fn decided_at(&self) -> Option<DateTime<Utc>> {
        self.row.decided_at
    }
    /// Who decided (staff only; `system` when released automatically).
    async fn decided_by(&self) -> Option<&str> {
        self.row.decided_by.as_deref().filter(|_| self.staff())
    }
    /// Whether it was approved without a person.
    async fn auto_released(&self) -> bool {
        self.row.auto_released
    }
    /// Why it was rejected.
    async fn rejection(&self, ctx: &Context<'_>) -> Result<Option<Rejection>> {
        if self.row.state != RequestState::Rejected.as_str() {
            return Ok(None);
        }
        let rc = RequestCtx::from(ctx)?;
        let stored: serde_json::Value = self
            .row
            .decision_note
            .as_deref()
            .and_then(|s| serde_json::from_str(s).ok())
            .unwrap_or_default();
        let grounds = stored["grounds"]
            .as_array()
            .map(|a| a.iter().filter_map(|g| g.as_str()).collect::<Vec<_>>())
            .unwrap_or_default();
        Ok(Some(Rejection {
            grounds: grounds.into_iter().map(|g| ground_node(&rc, g)).collect(),
            note: stored["note"].as_str().map(str::to_owned),
        }))
    }
    /// The latest bundle, once made.
    async fn bundle(&self, ctx: &Context<'_>) -> Result<Option<super::bundle::BundleNode>> {
        let rc = RequestCtx::from(ctx)?;
        let row = crate::services::bundling::latest(&rc.services.store, &self.row.id)
            .await
            .map_err(|e| internal("reading a request's bundle", e))?;
        let gid = GlobalId::AccessRequest {
            id: self.row.id.clone(),
        }
        .encode();
        Ok(row.map(|b| super::bundle::BundleNode::from_row(&b, &gid)))
    }
    /// The Digital Post message of the latest bundle, once delivery started.
    async fn delivery(&self, ctx: &Context<'_>) -> Result<Option<super::bundle::DeliveryNode>> {
        let rc = RequestCtx::from(ctx)?;
        let row = crate::services::delivery::latest(&rc.services.store, &self.row.id)
            .await
            .map_err(|e| internal("reading a request's delivery", e))?;
        Ok(row.map(|d| super::bundle::DeliveryNode::from_row(&d, self.staff())))
    }
    /// Its jobs, oldest first.
    async fn jobs(&self, ctx: &Context<'_>) -> Result<Vec<JobNode>> {
        let rc = RequestCtx::from(ctx)?;
        let jobs = crate::services::jobs::of_request(&rc.services.store, &self.row.id)
            .await
            .map_err(|e| internal("reading a request's jobs", e))?;
        let staff = self.staff();
        Ok(jobs.into_iter().map(|job| JobNode { job, staff }).collect())
    }
    /// Work done and to do, summed over its queued and running jobs.
    async fn progress(&self, ctx: &Context<'_>) -> Result<Progress> {
        let rc = RequestCtx::from(ctx)?;
        let jobs = crate::services::jobs::of_request(&rc.services.store, &self.row.id)
            .await
            .map_err(|e| internal("reading a request's jobs", e))?;
        Ok(progress_of(&jobs))
    }
    /// Documents collected.
    async fn document_count(&self, ctx: &Context<'_>) -> Result<u64> {
        use entities::request_document::{Column, Entity};
        let rc = RequestCtx::from(ctx)?;
        Entity::find()
            .filter(Column::RequestId.eq(&self.row.id))
            .count(&rc.services.store)
            .await
            .map_err(|e| internal("counting a request's documents", e))
    }
    /// The collected cases the caseworker is cleared for (caseworkers only).
    async fn cases(&self, ctx: &Context<'_>) -> Result<Vec<RequestCase>> {
        let rc = RequestCtx::from(ctx)?;
        let cases = crate::services::requests::review::cases(&rc, &self.row).await?;
        Ok(cases
            .into_iter()
            .map(|c| RequestCase {
                system: c.system,
                sagsnummer: c.sagsnummer,
                title: c.title,
                kle: c.kle,
                department: c.department,
            })
            .collect())
    }
    /// The collected documents the caseworker is cleared for (caseworkers only).
    #[graphql(complexity = "crate::limits::connection_cost(first, child_complexity)")]
    async fn items(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        filter: Option<ItemFilterInput>,
    ) -> Result<CountedConnection<RequestItemNode>> {
        let rc = RequestCtx::from(ctx)?;
        let filter = filter.map(ItemFilter::from).unwrap_or_default();
        let items = crate::services::requests::review::items(&rc, &self.row, &filter).await?;
        paginate(items, first, after, &rc.services.limits, |i| {
            RequestItemNode(i.into())
        })
    }
}

/// Which documents of a request to list.
#[derive(InputObject, Default)]
pub struct ItemFilterInput {
    /// Only those that need (or do not need) a person to look at them.
    pub needs_manual_review: Option<bool>,
    /// Only those flagged (or not) as possibly misfiled.
    pub misfiled: Option<bool>,
    /// Only those with (or without) redactions proposed.
    pub has_proposed_redactions: Option<bool>,
}

impl From<ItemFilterInput> for ItemFilter {
    fn from(f: ItemFilterInput) -> Self {
        Self {
            needs_manual_review: f.needs_manual_review,
            misfiled: f.misfiled,
            has_proposed_redactions: f.has_proposed_redactions,
        }
    }
}

/// Which requests `accessRequests` lists; every condition given must hold.
#[derive(InputObject, Default)]
pub struct AccessRequestFilter {
    /// Only these states.
    pub states: Option<Vec<RequestState>>,
    /// Only overdue (true) or not overdue (false) requests.
    pub overdue: Option<bool>,
    /// Only those due soon (true) or not (false).
    pub due_soon: Option<bool>,
    /// Only those assigned to me.
    pub assigned_to_me: Option<bool>,
    /// Only those with cases of this department.
    pub department: Option<String>,
}

/// The request id inside a global id, or `BAD_USER_INPUT`.
pub fn decode_request_id(id: &ID) -> Result<String> {
    match GlobalId::decode(id) {
        Some(GlobalId::AccessRequest { id }) => Ok(id),
        _ => Err(api_error(
            Code::BadUserInput,
            "not an access request id (AccessRequest.id)",
        )),
    }
}

/// `accessRequest(id)`.
pub async fn one(ctx: &Context<'_>, id: &ID) -> Result<AccessRequestNode> {
    let rc = RequestCtx::from(ctx)?;
    let id = decode_request_id(id)?;
    let (row, access) = requests::find(&rc, &id).await?;
    Ok(AccessRequestNode {
        row: row.into(),
        access,
    })
}

/// `accessRequests(filter, first, after)`.
pub async fn list(
    ctx: &Context<'_>,
    filter: AccessRequestFilter,
    first: Option<i32>,
    after: Option<String>,
) -> Result<CountedConnection<AccessRequestNode>> {
    let rc = RequestCtx::from(ctx)?;
    let rows = requests::list_for_caseworker(
        &rc,
        requests::ListFilter {
            states: filter.states,
            overdue: filter.overdue,
            due_soon: filter.due_soon,
            assigned_to_me: filter.assigned_to_me.unwrap_or(false),
            department: filter.department,
        },
    )
    .await?;
    paginate(rows, first, after, &rc.services.limits, |row| {
        AccessRequestNode {
            row: row.into(),
            access: Access::Caseworker,
        }
    })
}

/// `myAccessRequests(first, after)`.
pub async fn mine(
    ctx: &Context<'_>,
    first: Option<i32>,
    after: Option<String>,
) -> Result<CountedConnection<AccessRequestNode>> {
    let rc = RequestCtx::from(ctx)?;
    let rows = requests::list_mine(&rc).await?;
    paginate(rows, first, after, &rc.services.limits, |row| {
        AccessRequestNode {
            row: row.into(),
            access: Access::Requester,
        }
    })
}

/// What `submitAccessRequest` needs.
#[derive(InputObject)]
pub struct SubmitAccessRequestInput {
    /// The law the request is made under.
    pub legal_basis: LegalBasis,
    /// Case ids (`Case.id`) to limit it to; absent means all the citizen's cases.
    pub cases: Option<Vec<ID>>,
    /// A third party: the CPR number of the citizen whose consent they hold.
    pub on_behalf_of_cpr: Option<String>,
    /// A key the client chooses; submitting again with it returns the same request.
    pub idempotency_key: Option<String>,
}

/// The result of `submitAccessRequest`.
#[derive(SimpleObject)]
pub struct SubmitAccessRequestPayload {
    /// The request.
    pub access_request: AccessRequestNode,
    /// Whether it was created now (false: the idempotency key named an earlier one).
    pub created: bool,
}

/// The result of a change to a request.
#[derive(SimpleObject)]
pub struct AccessRequestPayload {
    /// The request as stored after the change.
    pub access_request: AccessRequestNode,
}

fn caseworker_payload(row: Model) -> AccessRequestPayload {
    AccessRequestPayload {
        access_request: AccessRequestNode {
            row: row.into(),
            access: Access::Caseworker,
        },
    }
}

/// The lifecycle's writes.
#[derive(Default)]
pub struct RequestMutation;

#[Object]
impl RequestMutation {
    /// Ask for access to records: a citizen for themselves, a third party for a citizen whose
    /// valid consent they hold. Collection starts at once.
    async fn submit_access_request(
        &self,
        ctx: &Context<'_>,
        input: SubmitAccessRequestInput,
    ) -> Result<SubmitAccessRequestPayload> {
        let rc = RequestCtx::from(ctx)?;
        let submission = Submission {
            legal_basis: input.legal_basis.as_str(),
            cases: input
                .cases
                .map(|ids| ids.into_iter().map(|i| i.0).collect()),
            on_behalf_of_cpr: input.on_behalf_of_cpr,
            idempotency_key: input.idempotency_key,
        };
        let (row, created) = requests::submit(&rc, submission).await?;
        Ok(SubmitAccessRequestPayload {
            access_request: AccessRequestNode {
                row: row.into(),
                access: Access::Requester,
            },
            created,
        })
    }

    /// Withdraw a request (its requester, until it is delivered).
    async fn withdraw_access_request(
        &self,
        ctx: &Context<'_>,
        id: ID,
        reason: Option<String>,
    ) -> Result<AccessRequestPayload> {
        let rc = RequestCtx::from(ctx)?;
        let row = requests::withdraw(&rc, &decode_request_id(&id)?, reason).await?;
        Ok(AccessRequestPayload {
            access_request: AccessRequestNode {
                row: row.into(),
                access: Access::Requester,
            },
        })
    }

    /// Assign a request to a caseworker (default: me).
    async fn assign_access_request(
        &self,
        ctx: &Context<'_>,
        id: ID,
        assignee_subject: Option<String>,
    ) -> Result<AccessRequestPayload> {
        let rc = RequestCtx::from(ctx)?;
        let row = requests::assign(&rc, &decode_request_id(&id)?, assignee_subject).await?;
        Ok(caseworker_payload(row))
    }

    /// Accept that a case system could not be read, so the request can be decided; the cover
    /// letter states the reason.
    async fn accept_incomplete(
        &self,
        ctx: &Context<'_>,
        id: ID,
        reason: String,
    ) -> Result<AccessRequestPayload> {
        let rc = RequestCtx::from(ctx)?;
        let row = requests::accept_incomplete(&rc, &decode_request_id(&id)?, &reason).await?;
        Ok(caseworker_payload(row))
    }

    /// Approve a request awaiting review: every undecided finding and document takes
    /// screening's proposal.
    async fn approve_access_request(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> Result<AccessRequestPayload> {
        let rc = RequestCtx::from(ctx)?;
        let row = requests::review::approve(&rc, &decode_request_id(&id)?).await?;
        Ok(caseworker_payload(row))
    }

    /// Reopen a delivered request to issue a new version of its bundle (caseworkers): it goes
    /// back to `AWAITING_REVIEW` with its decisions kept and editable; approving it again makes
    /// the next bundle version, delivered as a new message that refers to the first. The
    /// reason is printed in the new cover letter.
    async fn reopen_access_request(
        &self,
        ctx: &Context<'_>,
        id: ID,
        reason: String,
    ) -> Result<AccessRequestPayload> {
        let rc = RequestCtx::from(ctx)?;
        let row = crate::services::bundling::reopen(&rc, &decode_request_id(&id)?, &reason).await?;
        Ok(caseworker_payload(row))
    }

    /// Reject a request with legal grounds (codes from `legalGrounds`).
    async fn reject_access_request(
        &self,
        ctx: &Context<'_>,
        id: ID,
        grounds: Vec<String>,
        note: Option<String>,
    ) -> Result<AccessRequestPayload> {
        let rc = RequestCtx::from(ctx)?;
        let row = requests::reject(&rc, &decode_request_id(&id)?, grounds, note).await?;
        Ok(caseworker_payload(row))
    }

    /// Record a deadline notice (fristbrev): the request will be decided by `expectedBy`,
    /// after its deadline, for `reason`.
    async fn send_deadline_notice(
        &self,
        ctx: &Context<'_>,
        id: ID,
        expected_by: NaiveDate,
        reason: String,
    ) -> Result<AccessRequestPayload> {
        let rc = RequestCtx::from(ctx)?;
        let row =
            requests::deadline_notice(&rc, &decode_request_id(&id)?, expected_by, &reason).await?;
        Ok(caseworker_payload(row))
    }
}
