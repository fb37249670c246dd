//! `Case`.

use std::sync::Arc;

use async_graphql::{Context, ID, Object, Result};
use chrono::NaiveDate;

use super::connection::{CountedConnection, paginate};
use super::document::DocumentNode;
use super::enums::{CaseStatus, PartyRole, Sensitivity};
use super::party::PartyNode;
use crate::error::system_unavailable;
use crate::ids::GlobalId;
use crate::request::RequestCtx;
use crate::services::reads;

/// A case (sag) in one of the municipality's systems.
#[derive(Clone)]
pub struct CaseNode(pub Arc<connectors::Case>);

#[Object(name = "Case")]
impl CaseNode {
    /// Opaque global id.
    pub async fn id(&self) -> ID {
        ID(GlobalId::Case {
            system: self.0.system.to_string(),
            local_id: self.0.local_id.clone(),
        }
        .encode())
    }
    /// The id of the system that holds the case.
    async fn system_id(&self) -> &str {
        self.0.system.as_str()
    }
    /// The system's own id for the case.
    async fn local_id(&self) -> &str {
        &self.0.local_id
    }
    /// Sagsnummer: the case number staff and citizens see.
    async fn sagsnummer(&self) -> &str {
        &self.0.sagsnummer
    }
    /// Title.
    async fn title(&self) -> &str {
        &self.0.title
    }
    /// KLE subject number (`27.24.00`).
    async fn kle(&self) -> &str {
        &self.0.kle
    }
    /// KLE handlingsfacet (`G01`).
    async fn handlingsfacet(&self) -> Option<&str> {
        self.0.handlingsfacet.as_deref()
    }
    /// Owning department.
    async fn department(&self) -> &str {
        &self.0.department
    }
    /// Progress status.
    async fn status(&self) -> CaseStatus {
        self.0.status.into()
    }
    /// Sensitivity.
    async fn sensitivity(&self) -> Sensitivity {
        self.0.sensitivity.into()
    }
    /// Date opened.
    async fn opened(&self) -> NaiveDate {
        self.0.opened
    }
    /// Date closed.
    async fn closed(&self) -> Option<NaiveDate> {
        self.0.closed
    }
    /// Responsible unit.
    async fn responsible_unit(&self) -> Option<&str> {
        self.0.responsible_unit.as_deref()
    }
    /// Responsible caseworker's name (staff names are disclosed).
    async fn caseworker(&self) -> Option<&str> {
        self.0.caseworker.as_deref()
    }
    /// The case's documents in aktnummer order; null with a `CASE_SYSTEM_UNAVAILABLE` error if
    /// the system could not be read.
    #[graphql(complexity = "crate::limits::connection_cost(first, child_complexity)")]
    async fn documents(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Option<CountedConnection<DocumentNode>>> {
        let rc = RequestCtx::from(ctx)?;
        let docs = reads::documents(&rc, &self.0)
            .await?
            .map_err(|e| system_unavailable(&e))?;
        let case = self.0.clone();
        let page = paginate(docs, first, after, &rc.services.limits, |d| DocumentNode {
            case: case.clone(),
            document: Arc::new(d),
        })?;
        reads::audit_documents(&rc, page.edges.iter().map(|e| e.node.document.as_ref())).await?;
        Ok(Some(page))
    }
    /// Parties with their roles.
    async fn parties(&self, ctx: &Context<'_>) -> Result<Vec<CaseParty>> {
        let rc = RequestCtx::from(ctx)?;
        Ok(self
            .0
            .parties
            .iter()
            .enumerate()
            .map(|(i, p)| CaseParty {
                role: p.role.into(),
                party: PartyNode::from_record(&p.party, &self.0, i, &rc.services.ids),
            })
            .collect())
    }
}

/// A party on a case, with its role.
#[derive(async_graphql::SimpleObject)]
pub struct CaseParty {
    /// The role.
    pub role: PartyRole,
    /// The party, merged across systems where it has a CPR/CVR number.
    pub party: PartyNode,
}
