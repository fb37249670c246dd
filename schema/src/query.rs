//! The query root. Resolvers are thin: they decode arguments and call the services.

use async_graphql::{Context, ID, Object, Result};
use connectors::{PartyKey, SystemId};

use crate::error::{Code, api_error, system_unavailable};
use crate::ids::GlobalId;
use crate::loaders::CaseKey;
use crate::policy;
use crate::request::RequestCtx;
use crate::services::{health, reads};
use crate::types::Node;
use crate::types::access_request::{AccessRequestFilter, AccessRequestNode, LegalGroundNode};
use crate::types::audit::{AuditEventFilter, AuditEventNode};
use crate::types::case::CaseNode;
use crate::types::connection::{CountedConnection, paginate};
use crate::types::consent::ConsentNode;
use crate::types::document::DocumentNode;
use crate::types::party::{PartyNode, key_from_id_part};
use crate::types::statistics::StatisticsNode;
use crate::types::system::CaseSystemNode;
use crate::types::viewer::ViewerInfo;
use crate::viewer::Role;

/// Reads.
pub struct Query;

#[Object]
impl Query {
    /// Fetch any object by its global id.
    #[graphql(complexity = "crate::limits::backend_field_cost(child_complexity)")]
    async fn node(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Node>> {
        resolve_node(ctx, &id).await
    }

    /// Fetch several objects by global id, in order; one that cannot be fetched is null and adds
    /// an error.
    #[graphql(complexity = "crate::limits::list_cost(ids.len(), child_complexity)")]
    async fn nodes(&self, ctx: &Context<'_>, ids: Vec<ID>) -> Result<Vec<Option<Node>>> {
        let rc = RequestCtx::from(ctx)?;
        if ids.len() > rc.services.limits.max_page_size {
            return Err(api_error(
                Code::BadUserInput,
                format!("at most {} ids at once", rc.services.limits.max_page_size),
            ));
        }
        let fetched = futures::future::join_all(ids.iter().map(|id| resolve_node(ctx, id))).await;
        Ok(fetched
            .into_iter()
            .map(|r| {
                r.unwrap_or_else(|e| {
                    ctx.add_error(ctx.set_error_path(e.into_server_error(ctx.item.pos)));
                    None
                })
            })
            .collect())
    }

    /// Who the API thinks is asking.
    async fn viewer(&self, ctx: &Context<'_>) -> Result<ViewerInfo> {
        Ok(ViewerInfo::from(RequestCtx::from(ctx)?.viewer))
    }

    /// Every configured case system with its health, probed now.
    #[graphql(complexity = "crate::limits::backend_field_cost(child_complexity)")]
    async fn case_systems(&self, ctx: &Context<'_>) -> Result<Vec<CaseSystemNode>> {
        let rc = RequestCtx::from(ctx)?;
        if rc.viewer.role == Role::Anonymous {
            return Err(api_error(
                Code::Unauthenticated,
                "a verified identity is required",
            ));
        }
        Ok(health::probe_all(rc.services)
            .await
            .into_iter()
            .map(CaseSystemNode)
            .collect())
    }

    /// One case by global id.
    #[graphql(complexity = "crate::limits::backend_field_cost(child_complexity)")]
    async fn case(&self, ctx: &Context<'_>, id: ID) -> Result<Option<CaseNode>> {
        match resolve_node(ctx, &id).await? {
            Some(Node::Case(case)) => Ok(Some(case)),
            Some(_) => Err(api_error(Code::BadUserInput, "that id is not a case id")),
            None => Ok(None),
        }
    }

    /// A person by CPR number (`DDMMYY-SSSS`), merged across every system, with their cases.
    /// Null when no visible case names them.
    #[graphql(complexity = "crate::limits::backend_field_cost(child_complexity)")]
    async fn party(&self, ctx: &Context<'_>, cpr: String) -> Result<Option<PartyNode>> {
        let rc = RequestCtx::from(ctx)?;
        let parsed = pipeline::cpr::Cpr::parse(&cpr)
            .map_err(|e| api_error(Code::BadUserInput, e.to_string()))?;
        let key = PartyKey::Cpr(parsed.digits());
        let grants = rc.loaders.grants().await?;
        if let Err(e) = policy::require_party_lookup(rc.viewer, &grants, &key) {
            return Err(reads::deny(
                &rc,
                e,
                Some("party"),
                Some(reads::party_object_id(&rc, &key)),
            )
            .await);
        }
        party_by_key(ctx, key).await
    }

    /// The signed-in citizen's own cases in every system.
    #[graphql(complexity = "crate::limits::connection_cost(first, child_complexity)")]
    async fn my_cases(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<CountedConnection<CaseNode>> {
        let rc = RequestCtx::from(ctx)?;
        if let Err(e) = policy::require_case_reader(rc.viewer) {
            return Err(reads::deny(&rc, e, None, None).await);
        }
        let Some(key) = rc
            .viewer
            .cpr
            .clone()
            .filter(|_| rc.viewer.role == Role::Citizen)
        else {
            return Err(api_error(
                Code::Forbidden,
                "myCases is for citizens signed in with MitID",
            ));
        };
        let (cases, failures) = reads::party_cases(&rc, &key).await?;
        if reads::selects_documents(ctx) {
            reads::prefetch_documents(&rc, &cases).await;
        }
        for failure in failures {
            ctx.add_error(
                ctx.set_error_path(system_unavailable(&failure).into_server_error(ctx.item.pos)),
            );
        }
        paginate(cases, first, after, &rc.services.limits, CaseNode)
    }

    /// Caseworkers: search every system's cases in the hub's case index (or, with `live`, in
    /// the systems directly), within the caseworker's departments and clearance — in the
    /// search itself, so `totalCount` counts only visible cases. `query` is full text over
    /// title, sagsnummer, KLE label, party names and document titles (Danish stemming; the
    /// last word also as a prefix); a sagsnummer (`2024-004711`) or CPR number in it is matched
    /// exactly. A CPR number needs a `purpose`. Every search, and every case it returns, is
    /// audited.
    #[graphql(complexity = "crate::limits::connection_cost(first, child_complexity)")]
    #[allow(clippy::too_many_arguments)]
    async fn search_cases(
        &self,
        ctx: &Context<'_>,
        query: Option<String>,
        filter: Option<crate::types::search::CaseSearchFilter>,
        purpose: Option<String>,
        live: Option<bool>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<CountedConnection<crate::types::search::CaseSearchHit>> {
        crate::types::search::search(
            ctx,
            query,
            filter,
            purpose,
            live.unwrap_or(false),
            first,
            after,
        )
        .await
    }

    /// Consents: a citizen's own; a third party's grants; an admin's for `citizenCpr`.
    async fn consents(
        &self,
        ctx: &Context<'_>,
        citizen_cpr: Option<String>,
    ) -> Result<Vec<ConsentNode>> {
        crate::types::consent::list(ctx, citizen_cpr).await
    }

    /// One access request: its requester's, the citizen's it is about, or a caseworker's of its
    /// departments (any caseworker's while they are not known yet).
    async fn access_request(&self, ctx: &Context<'_>, id: ID) -> Result<AccessRequestNode> {
        crate::types::access_request::one(ctx, &id).await
    }

    /// The access requests a caseworker may see, most urgent first.
    async fn access_requests(
        &self,
        ctx: &Context<'_>,
        filter: Option<AccessRequestFilter>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<CountedConnection<AccessRequestNode>> {
        crate::types::access_request::list(ctx, filter.unwrap_or_default(), first, after).await
    }

    /// The signed-in citizen's or third party's own access requests, newest first.
    async fn my_access_requests(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<CountedConnection<AccessRequestNode>> {
        crate::types::access_request::mine(ctx, first, after).await
    }

    /// The legal grounds for withholding and redacting, as configured.
    async fn legal_grounds(&self, ctx: &Context<'_>) -> Result<Vec<LegalGroundNode>> {
        let rc = RequestCtx::from(ctx)?;
        Ok(rc
            .services
            .aktindsigt
            .grounds
            .iter()
            .map(LegalGroundNode::from)
            .collect())
    }

    /// The aktindsigt figures for requests received from `from` to `to` (Danish dates, both
    /// included); caseworkers and admins.
    async fn statistics(
        &self,
        ctx: &Context<'_>,
        from: chrono::NaiveDate,
        to: chrono::NaiveDate,
    ) -> Result<StatisticsNode> {
        crate::types::statistics::get(ctx, from, to).await
    }

    /// The audit log, newest last; admins only.
    async fn audit_events(
        &self,
        ctx: &Context<'_>,
        filter: Option<AuditEventFilter>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<CountedConnection<AuditEventNode>> {
        crate::types::audit::list(ctx, filter.unwrap_or_default(), first, after).await
    }
}

async fn party_by_key(ctx: &Context<'_>, key: PartyKey) -> Result<Option<PartyNode>> {
    let rc = RequestCtx::from(ctx)?;
    let (cases, failures) = reads::party_cases(&rc, &key).await?;
    let record = cases
        .iter()
        .flat_map(|c| c.parties.iter())
        .find(|p| p.party.key.as_ref() == Some(&key));
    match record {
        Some(p) => Ok(Some(PartyNode::keyed(
            key,
            p.party.name.clone(),
            p.party.address.clone(),
            &rc.services.ids,
        ))),
        None => match failures.first() {
            // Nothing visible and some system failed: say so rather than a bare null.
            Some(failure) => Err(system_unavailable(failure)),
            None => Ok(None),
        },
    }
}

async fn resolve_node(ctx: &Context<'_>, id: &ID) -> Result<Option<Node>> {
    let rc = RequestCtx::from(ctx)?;
    let Some(global) = GlobalId::decode(id) else {
        return Err(api_error(Code::BadUserInput, "not a valid global id"));
    };
    let not_found = || {
        api_error(
            Code::NotFound,
            "no object with that id (or not visible to you)",
        )
    };
    match global {
        GlobalId::Case { system, local_id } => {
            let object = format!("{system}/{local_id}");
            if let Err(e) = policy::require_case_reader(rc.viewer) {
                return Err(reads::deny(&rc, e, Some("case"), Some(object)).await);
            }
            let key = CaseKey {
                system: SystemId::new(system),
                local_id,
            };
            match reads::case(&rc, key)
                .await?
                .map_err(|e| system_unavailable(&e))?
            {
                Some(case) => Ok(Some(Node::Case(CaseNode(case)))),
                None => Err(reads::deny(&rc, not_found(), Some("case"), Some(object)).await),
            }
        }
        GlobalId::Document {
            system,
            case_local_id,
            local_id,
        } => {
            let object = format!("{system}/{case_local_id}/{local_id}");
            if let Err(e) = policy::require_case_reader(rc.viewer) {
                return Err(reads::deny(&rc, e, Some("document"), Some(object)).await);
            }
            let key = CaseKey {
                system: SystemId::new(system),
                local_id: case_local_id,
            };
            let Some(case) = reads::case(&rc, key)
                .await?
                .map_err(|e| system_unavailable(&e))?
            else {
                return Err(reads::deny(&rc, not_found(), Some("document"), Some(object)).await);
            };
            let docs = reads::documents(&rc, &case)
                .await?
                .map_err(|e| system_unavailable(&e))?;
            match docs.into_iter().find(|d| d.local_id == local_id) {
                Some(doc) => {
                    reads::audit_documents(&rc, [&doc]).await?;
                    Ok(Some(Node::Document(DocumentNode {
                        case,
                        document: std::sync::Arc::new(doc),
                    })))
                }
                None => Err(reads::deny(&rc, not_found(), Some("document"), Some(object)).await),
            }
        }
        GlobalId::Party { sealed } => {
            let Some(key) = rc
                .services
                .ids
                .open(&sealed)
                .as_deref()
                .and_then(key_from_id_part)
            else {
                return Err(not_found());
            };
            let grants = rc.loaders.grants().await?;
            if let Err(e) = policy::require_party_lookup(rc.viewer, &grants, &key) {
                return Err(reads::deny(&rc, e, Some("party"), Some(id.to_string())).await);
            }
            match party_by_key(ctx, key).await? {
                Some(p) => Ok(Some(Node::Party(p))),
                None => Err(not_found()),
            }
        }
        GlobalId::CaseSystem { system } => {
            if rc.viewer.role == Role::Anonymous {
                return Err(api_error(
                    Code::Unauthenticated,
                    "a verified identity is required",
                ));
            }
            let found = health::probe_all(rc.services)
                .await
                .into_iter()
                .find(|s| s.id.as_str() == system);
            found
                .map(|s| Some(Node::CaseSystem(CaseSystemNode(s))))
                .ok_or_else(not_found)
        }
        GlobalId::AccessRequest { .. } => Ok(Some(Node::AccessRequest(
            crate::types::access_request::one(ctx, id).await?,
        ))),
        GlobalId::RequestItem { id } => Ok(Some(Node::RequestItem(
            crate::types::review::item_node(ctx, id).await?,
        ))),
        GlobalId::Finding { id } => Ok(Some(Node::Finding(
            crate::types::review::finding_node(ctx, id).await?,
        ))),
    }
}
