//! `RequestItem` (a collected document), `Finding`, `ManualRedaction` and the review
//! mutations. Caseworkers only; the checks are in [`crate::services::requests::review`].

use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, NaiveDate, Utc};
use entities::{finding, manual_redaction};

use super::connection::{CountedConnection, paginate};
use super::request_enums::{
    Disclosure, FindingCategory, FindingDecision, FindingOwner, FindingProposal,
};
use crate::error::{Code, api_error};
use crate::ids::GlobalId;
use crate::request::RequestCtx;
use crate::services::requests::review::{self, Decision, Item, NewRedaction};
use crate::types::enums::{DocumentKind, Sensitivity};

/// A document collected for an access request.
#[derive(Clone, Debug)]
pub struct RequestItemNode(pub std::sync::Arc<Item>);

/// Screening's per-document summary.
#[derive(SimpleObject, Default)]
pub struct ItemSummary {
    /// The requester's own personal data found.
    pub own: i32,
    /// Staff data found.
    pub staff: i32,
    /// Other persons' data found.
    pub other_persons: i32,
    /// Data whose owner is unknown.
    pub unknown: i32,
    /// Redactions proposed.
    pub redactions_proposed: i32,
    /// Attention points by kind.
    pub attention: Vec<AttentionCount>,
}

/// How many attention points of one kind.
#[derive(SimpleObject, Clone)]
pub struct AttentionCount {
    /// `health`, `social`, `criminal`, `economy`, ...
    pub kind: String,
    /// How many.
    pub count: i32,
}

/// Screening's proposal for a document.
#[derive(SimpleObject)]
pub struct ItemProposal {
    /// Proposed disclosure.
    pub disclosure: Option<Disclosure>,
    /// Proposed legal ground code.
    pub ground: Option<String>,
    /// The rule behind it.
    pub rule: Option<String>,
    /// The rule's note for the reviewer.
    pub note: Option<String>,
}

/// A box on a page, in PDF points from the bottom-left corner.
#[derive(SimpleObject, Clone, Copy)]
pub struct PageBox {
    /// Page, from 1.
    pub page: i32,
    /// Left.
    pub x0: f64,
    /// Bottom.
    pub y0: f64,
    /// Right.
    pub x1: f64,
    /// Top.
    pub y1: f64,
}

fn summary_of(stored: Option<&str>) -> Option<ItemSummary> {
    let v: serde_json::Value = serde_json::from_str(stored?).ok()?;
    let n = |k: &str| i32::try_from(v[k].as_i64().unwrap_or(0)).unwrap_or(i32::MAX);
    Some(ItemSummary {
        own: n("own"),
        staff: n("staff"),
        other_persons: n("otherPersons"),
        unknown: n("unknown"),
        redactions_proposed: n("redactionsProposed"),
        attention: v["attention"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|e| {
                        Some(AttentionCount {
                            kind: e["kind"].as_str()?.to_owned(),
                            count: i32::try_from(e["count"].as_i64()?).ok()?,
                        })
                    })
                    .collect()
            })
            .unwrap_or_default(),
    })
}

fn kind_of(stored: &str) -> Option<DocumentKind> {
    Some(match stored {
        "INCOMING_LETTER" => DocumentKind::IncomingLetter,
        "OUTGOING_LETTER" => DocumentKind::OutgoingLetter,
        "JOURNAL_NOTE" => DocumentKind::JournalNote,
        "INTERNAL" => DocumentKind::Internal,
        _ => return None,
    })
}

#[Object(name = "RequestItem")]
impl RequestItemNode {
    /// Opaque global id.
    pub async fn id(&self) -> ID {
        ID(GlobalId::RequestItem {
            id: self.0.doc.id.clone(),
        }
        .encode())
    }
    /// The system holding it.
    async fn system(&self) -> &str {
        &self.0.doc.system
    }
    /// Its case's sagsnummer.
    async fn sagsnummer(&self) -> Option<&str> {
        self.0.case.as_ref().map(|c| c.sagsnummer.as_str())
    }
    /// Its case's title.
    async fn case_title(&self) -> Option<&str> {
        self.0.case.as_ref().map(|c| c.title.as_str())
    }
    /// Aktnummer: the document's number in its case.
    async fn aktnummer(&self) -> i32 {
        self.0.doc.aktnummer
    }
    /// Title.
    async fn title(&self) -> &str {
        &self.0.doc.title
    }
    /// Kind of document.
    async fn kind(&self) -> Option<DocumentKind> {
        kind_of(&self.0.doc.kind)
    }
    /// Letter date.
    async fn letter_date(&self) -> Option<NaiveDate> {
        self.0.doc.letter_date
    }
    /// MIME type of the content.
    async fn mime_type(&self) -> &str {
        &self.0.doc.mime_type
    }
    /// Sensitivity.
    async fn sensitivity(&self) -> Option<Sensitivity> {
        crate::viewer::sensitivity_from_name(&self.0.doc.sensitivity).map(Sensitivity::from)
    }
    /// SHA-256 of the content as collected.
    async fn content_hash(&self) -> &str {
        &self.0.doc.blob_hash
    }
    /// Content size in bytes.
    async fn size(&self) -> i64 {
        self.0.doc.blob_size
    }
    /// Whether screening has run.
    async fn screened(&self) -> bool {
        self.0.doc.screened
    }
    /// Why text extraction failed.
    async fn extract_error(&self) -> Option<&str> {
        self.0.doc.extract_error.as_deref()
    }
    /// Whether a person must look at it before approval.
    async fn needs_manual_review(&self) -> bool {
        self.0.doc.needs_manual_review
    }
    /// Why.
    async fn review_notes(&self) -> Vec<String> {
        serde_json::from_str(&self.0.doc.review_notes).unwrap_or_default()
    }
    /// Pages, where known.
    async fn page_count(&self) -> Option<i32> {
        self.0.doc.page_count
    }
    /// Whether the misfiling check flagged it (about another citizen?).
    async fn misfiled(&self) -> bool {
        self.0.doc.misfiled
    }
    /// The misfiling check's reason.
    async fn misfiling_reason(&self) -> Option<&str> {
        self.0.doc.misfiling_reason.as_deref()
    }
    /// Screening's summary.
    async fn summary(&self) -> Option<ItemSummary> {
        summary_of(self.0.doc.summary.as_deref())
    }
    /// Screening's proposal.
    async fn proposal(&self) -> ItemProposal {
        let d = &self.0.doc;
        ItemProposal {
            disclosure: d.proposed_disclosure.as_deref().and_then(Disclosure::parse),
            ground: d.proposed_ground.clone(),
            rule: d.proposed_rule.clone(),
            note: d.proposal_note.clone(),
        }
    }
    /// The decided disclosure (a reviewer's, or the proposal applied on approval).
    async fn disclosure(&self) -> Option<Disclosure> {
        self.0.doc.disclosure.as_deref().and_then(Disclosure::parse)
    }
    /// The decided legal ground code.
    async fn ground(&self) -> Option<&str> {
        self.0.doc.ground.as_deref()
    }
    /// The reviewer's note.
    async fn note(&self) -> Option<&str> {
        self.0.doc.note.as_deref()
    }
    /// Who decided.
    async fn decided_by(&self) -> Option<&str> {
        self.0.doc.decided_by.as_deref()
    }
    /// Personal data and attention points found, in document order.
    #[graphql(complexity = "crate::limits::connection_cost(first, child_complexity)")]
    async fn findings(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<CountedConnection<FindingNode>> {
        let rc = RequestCtx::from(ctx)?;
        let rows = review::findings_of(&rc, &self.0).await?;
        paginate(rows, first, after, &rc.services.limits, |f| {
            FindingNode(f.into())
        })
    }
    /// Redactions drawn by hand.
    async fn manual_redactions(&self, ctx: &Context<'_>) -> Result<Vec<ManualRedactionNode>> {
        let rc = RequestCtx::from(ctx)?;
        let rows = review::redactions_of(&rc, &self.0).await?;
        Ok(rows.into_iter().map(ManualRedactionNode).collect())
    }
}

/// Personal data or an attention point found in a collected document.
#[derive(Clone, Debug)]
pub struct FindingNode(pub std::sync::Arc<finding::Model>);

#[Object(name = "Finding")]
impl FindingNode {
    /// Opaque global id.
    pub async fn id(&self) -> ID {
        ID(GlobalId::Finding {
            id: self.0.id.clone(),
        }
        .encode())
    }
    /// The kind of data.
    async fn category(&self) -> Option<FindingCategory> {
        FindingCategory::parse(&self.0.category)
    }
    /// For attention points: `health`, `social`, ...
    async fn attention_kind(&self) -> Option<&str> {
        self.0.attention_kind.as_deref()
    }
    /// Whose data it is.
    async fn owner(&self) -> Option<FindingOwner> {
        FindingOwner::parse(&self.0.owner)
    }
    /// The matched text.
    async fn text(&self) -> &str {
        &self.0.text
    }
    /// The rule's confidence, 0–1.
    async fn confidence(&self) -> f64 {
        self.0.confidence
    }
    /// The rule and context that produced it.
    async fn reason(&self) -> &str {
        &self.0.reason
    }
    /// The first page it is on.
    async fn page(&self) -> Option<i32> {
        self.0.page
    }
    /// Where it is on the pages.
    async fn boxes(&self) -> Vec<PageBox> {
        let stored: Vec<(f64, f64, f64, f64, f64)> =
            serde_json::from_str(&self.0.boxes).unwrap_or_default();
        stored
            .into_iter()
            .map(|(page, x0, y0, x1, y1)| PageBox {
                page: page as i32,
                x0,
                y0,
                x1,
                y1,
            })
            .collect()
    }
    /// Words before it.
    async fn context_before(&self) -> &str {
        &self.0.context_before
    }
    /// Words after it.
    async fn context_after(&self) -> &str {
        &self.0.context_after
    }
    /// Screening's proposal.
    async fn proposal(&self) -> Option<FindingProposal> {
        FindingProposal::parse(&self.0.proposal)
    }
    /// The decision (a reviewer's, or the proposal applied on approval).
    async fn decision(&self) -> Option<FindingDecision> {
        self.0.decision.as_deref().and_then(FindingDecision::parse)
    }
    /// The legal ground code of a redaction.
    async fn ground(&self) -> Option<&str> {
        self.0.ground.as_deref()
    }
    /// Who decided.
    async fn decided_by(&self) -> Option<&str> {
        self.0.decided_by.as_deref()
    }
    /// When.
    async fn decided_at(&self) -> Option<DateTime<Utc>> {
        self.0.decided_at
    }
}

/// A redaction a reviewer drew by hand.
#[derive(Clone, Debug)]
pub struct ManualRedactionNode(pub manual_redaction::Model);

#[Object(name = "ManualRedaction")]
impl ManualRedactionNode {
    /// Its id.
    async fn id(&self) -> ID {
        ID(self.0.id.clone())
    }
    /// Where.
    async fn rect(&self) -> PageBox {
        PageBox {
            page: self.0.page,
            x0: self.0.x0,
            y0: self.0.y0,
            x1: self.0.x1,
            y1: self.0.y1,
        }
    }
    /// Legal ground code.
    async fn ground(&self) -> &str {
        &self.0.ground
    }
    /// The reviewer's note.
    async fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }
    /// Who drew it.
    async fn added_by(&self) -> &str {
        &self.0.added_by
    }
    /// When.
    async fn added_at(&self) -> DateTime<Utc> {
        self.0.added_at
    }
}

/// One decision in `decideFindings`.
#[derive(InputObject)]
pub struct FindingDecisionInput {
    /// The finding (`Finding.id`).
    pub finding_id: ID,
    /// Redact or keep.
    pub decision: FindingDecision,
    /// The legal ground code (required for `REDACT`).
    pub ground: Option<String>,
}

/// What `decideFindings` needs.
#[derive(InputObject)]
pub struct DecideFindingsInput {
    /// The decisions.
    pub decisions: Vec<FindingDecisionInput>,
}

/// The result of `decideFindings`.
#[derive(SimpleObject)]
pub struct DecideFindingsPayload {
    /// The findings as stored after.
    pub findings: Vec<FindingNode>,
}

/// A rectangle in PDF points from the bottom-left corner.
#[derive(InputObject)]
pub struct RectInput {
    /// Left.
    pub x0: f64,
    /// Bottom.
    pub y0: f64,
    /// Right.
    pub x1: f64,
    /// Top.
    pub y1: f64,
}

/// What `addManualRedaction` needs.
#[derive(InputObject)]
pub struct AddManualRedactionInput {
    /// The document (`RequestItem.id`).
    pub item_id: ID,
    /// Page, from 1.
    pub page: i32,
    /// The area.
    pub rect: RectInput,
    /// Legal ground code.
    pub ground: String,
    /// The reviewer's note.
    pub note: Option<String>,
}

/// The result of `addManualRedaction`.
#[derive(SimpleObject)]
pub struct ManualRedactionPayload {
    /// The redaction.
    pub redaction: ManualRedactionNode,
    /// The document as stored after.
    pub item: RequestItemNode,
}

/// What `setItemDisclosure` needs.
#[derive(InputObject)]
pub struct SetItemDisclosureInput {
    /// The document (`RequestItem.id`).
    pub item_id: ID,
    /// How much is disclosed.
    pub disclosure: Disclosure,
    /// The legal ground code (required unless `FULL`).
    pub ground: Option<String>,
    /// The reviewer's note.
    pub note: Option<String>,
}

/// The result of `setItemDisclosure`.
#[derive(SimpleObject)]
pub struct ItemPayload {
    /// The document as stored after.
    pub item: RequestItemNode,
}

fn decode_item_id(id: &ID) -> Result<String> {
    match GlobalId::decode(id) {
        Some(GlobalId::RequestItem { id }) => Ok(id),
        _ => Err(api_error(
            Code::BadUserInput,
            "not a document id of an access request (RequestItem.id)",
        )),
    }
}

fn decode_finding_id(id: &ID) -> Result<String> {
    match GlobalId::decode(id) {
        Some(GlobalId::Finding { id }) => Ok(id),
        _ => Err(api_error(
            Code::BadUserInput,
            "not a finding id (Finding.id)",
        )),
    }
}

/// The review's writes (caseworkers, while a request awaits review).
#[derive(Default)]
pub struct ReviewMutation;

#[Object]
impl ReviewMutation {
    /// Decide findings: redact (with a legal ground) or keep.
    async fn decide_findings(
        &self,
        ctx: &Context<'_>,
        input: DecideFindingsInput,
    ) -> Result<DecideFindingsPayload> {
        let rc = RequestCtx::from(ctx)?;
        let decisions = input
            .decisions
            .into_iter()
            .map(|d| {
                Ok(Decision {
                    finding_id: decode_finding_id(&d.finding_id)?,
                    decision: d.decision.as_str(),
                    ground: d.ground,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let decided = review::decide_findings(&rc, decisions).await?;
        Ok(DecideFindingsPayload {
            findings: decided
                .into_iter()
                .map(|(f, _)| FindingNode(f.into()))
                .collect(),
        })
    }

    /// Redact an area of a page by hand (scans, or anything screening missed).
    async fn add_manual_redaction(
        &self,
        ctx: &Context<'_>,
        input: AddManualRedactionInput,
    ) -> Result<ManualRedactionPayload> {
        let rc = RequestCtx::from(ctx)?;
        let r = &input.rect;
        let new = NewRedaction {
            item_id: decode_item_id(&input.item_id)?,
            page: input.page,
            rect: [r.x0, r.y0, r.x1, r.y1],
            ground: input.ground,
            note: input.note,
        };
        let (row, item) = review::add_manual_redaction(&rc, new).await?;
        Ok(ManualRedactionPayload {
            redaction: ManualRedactionNode(row),
            item: RequestItemNode(item.into()),
        })
    }

    /// Disclose a document in full, in part or not at all (with a legal ground unless in
    /// full).
    async fn set_item_disclosure(
        &self,
        ctx: &Context<'_>,
        input: SetItemDisclosureInput,
    ) -> Result<ItemPayload> {
        let rc = RequestCtx::from(ctx)?;
        let item = review::set_disclosure(
            &rc,
            &decode_item_id(&input.item_id)?,
            input.disclosure.as_str(),
            input.ground,
            input.note,
        )
        .await?;
        Ok(ItemPayload {
            item: RequestItemNode(item.into()),
        })
    }
}

/// `node(id)` for a `RequestItem`.
pub async fn item_node(ctx: &Context<'_>, id: String) -> Result<RequestItemNode> {
    let rc = RequestCtx::from(ctx)?;
    review::item(&rc, &id)
        .await
        .map(|(i, _)| RequestItemNode(i.into()))
}

/// `node(id)` for a `Finding`.
pub async fn finding_node(ctx: &Context<'_>, id: String) -> Result<FindingNode> {
    let rc = RequestCtx::from(ctx)?;
    review::finding(&rc, &id)
        .await
        .map(|(f, _, _)| FindingNode(f.into()))
}
