//! `Party`: one person or company, merged across systems on CPR/CVR.

use async_graphql::{Context, ID, Object, Result};
use connectors::PartyKey;

use super::case::CaseNode;
use super::connection::{CountedConnection, paginate};
use crate::error::system_unavailable;
use crate::ids::{GlobalId, IdSealer};
use crate::policy;
use crate::request::RequestCtx;
use crate::services::audit::Entry;
use crate::services::reads;

/// A party. Where a system records a CPR or CVR number, the same person in several systems is
/// one party; a party a system knows only by name stays local to that case.
#[derive(Clone)]
pub struct PartyNode {
    /// CPR/CVR, where known.
    pub key: Option<PartyKey>,
    /// Name as the first system that named them has it.
    pub name: String,
    /// Address, where known.
    pub address: Option<String>,
    /// The opaque global id (the key sealed, see [`crate::ids::IdSealer`]).
    pub id: ID,
}

impl PartyNode {
    /// From one system's record of a party on `case` (at `position` in its party list, which
    /// names a party the system knows only by name).
    pub fn from_record(
        party: &connectors::Party,
        case: &connectors::Case,
        position: usize,
        sealer: &IdSealer,
    ) -> Self {
        let plain = match &party.key {
            Some(k) => key_to_id_part(k),
            None => format!("local:{}:{}:{position}", case.system, case.local_id),
        };
        Self::new(
            party.key.clone(),
            party.name.clone(),
            party.address.clone(),
            &plain,
            sealer,
        )
    }

    /// A party with a known key.
    pub fn keyed(key: PartyKey, name: String, address: Option<String>, sealer: &IdSealer) -> Self {
        let plain = key_to_id_part(&key);
        Self::new(Some(key), name, address, &plain, sealer)
    }

    fn new(
        key: Option<PartyKey>,
        name: String,
        address: Option<String>,
        plain: &str,
        sealer: &IdSealer,
    ) -> Self {
        let id = ID(GlobalId::Party {
            sealed: sealer.seal(plain),
        }
        .encode());
        Self {
            key,
            name,
            address,
            id,
        }
    }
}

/// `cpr:DDMMYYSSSS` / `cvr:NNNNNNNN`, the form in party global ids.
pub fn key_to_id_part(key: &PartyKey) -> String {
    match key {
        PartyKey::Cpr(d) => format!("cpr:{d}"),
        PartyKey::Cvr(d) => format!("cvr:{d}"),
    }
}

/// The inverse of [`key_to_id_part`].
pub fn key_from_id_part(text: &str) -> Option<PartyKey> {
    if let Some(d) = text.strip_prefix("cpr:") {
        PartyKey::cpr(d)
    } else {
        text.strip_prefix("cvr:").and_then(PartyKey::cvr)
    }
}

/// Mask a CPR number as `DDMMYY-XXXX`.
pub fn masked(key: &PartyKey) -> String {
    match key {
        PartyKey::Cpr(d) => format!("{}-XXXX", &d[..6.min(d.len())]),
        PartyKey::Cvr(d) => d.clone(),
    }
}

#[Object(name = "Party")]
impl PartyNode {
    /// Opaque global id.
    pub async fn id(&self) -> ID {
        self.id.clone()
    }
    /// CPR number. In full to the citizen it belongs to and to a third party holding their
    /// consent; to a caseworker only when asked for with a `purpose` (at least three characters,
    /// written to the audit log); otherwise masked `DDMMYY-XXXX`.
    async fn cpr(&self, ctx: &Context<'_>, purpose: Option<String>) -> Result<Option<String>> {
        let rc = RequestCtx::from(ctx)?;
        let Some(k @ PartyKey::Cpr(_)) = &self.key else {
            return Ok(None);
        };
        let grants = rc.loaders.grants().await?;
        if !policy::show_full_number(rc.viewer, &grants, k, purpose.as_deref()) {
            return Ok(Some(masked(k)));
        }
        if rc.viewer.role == crate::viewer::Role::Caseworker {
            let mut entry = Entry::read(
                "party.cpr_revealed",
                "party",
                reads::party_object_id(&rc, k),
            );
            entry.purpose = purpose.map(|p| p.trim().to_owned());
            rc.loaders.audit(vec![entry]).await?;
        }
        Ok(Some(k.display_number()))
    }
    /// CVR number, for companies.
    async fn cvr(&self) -> Option<String> {
        match &self.key {
            Some(PartyKey::Cvr(d)) => Some(d.clone()),
            _ => None,
        }
    }
    /// Name.
    async fn name(&self) -> &str {
        &self.name
    }
    /// Address on one line.
    async fn address(&self) -> Option<&str> {
        self.address.as_deref()
    }
    /// Every case the party is on, in every system, that the viewer may see. A system that
    /// cannot be read adds a `CASE_SYSTEM_UNAVAILABLE` error naming it; the others still answer.
    #[graphql(complexity = "crate::limits::connection_cost(first, child_complexity)")]
    async fn cases(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<CountedConnection<CaseNode>> {
        let rc = RequestCtx::from(ctx)?;
        let Some(key) = &self.key else {
            return paginate(Vec::new(), first, after, &rc.services.limits, CaseNode);
        };
        let (cases, failures) = reads::party_cases(&rc, key).await?;
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
}
