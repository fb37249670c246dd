//! `Consent` and the mutations that register and revoke consents.

use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use connectors::PartyKey;
use entities::consent::Model;

use crate::error::{Code, api_error, internal};
use crate::request::RequestCtx;
use crate::services::audit::{self, Entry, Outcome};
use crate::services::consent::{self, NewConsent, Scope};
use crate::viewer::{Role, cpr_key};

/// A consent (fuldmagt): a citizen lets a third party see their cases.
#[derive(SimpleObject)]
#[graphql(name = "Consent")]
pub struct ConsentNode {
    /// The consent's id.
    pub id: ID,
    /// The third party's token subject.
    pub grantee_subject: String,
    /// The third party's name.
    pub grantee_name: String,
    /// Every case of the citizen, or only those of `departments`.
    pub all_departments: bool,
    /// The departments covered when not all.
    pub departments: Vec<String>,
    /// Valid from.
    pub valid_from: DateTime<Utc>,
    /// Valid until.
    pub valid_until: DateTime<Utc>,
    /// When revoked.
    pub revoked_at: Option<DateTime<Utc>>,
    /// Whether it is valid now.
    pub active: bool,
}

impl From<Model> for ConsentNode {
    fn from(m: Model) -> Self {
        let now = Utc::now();
        let active = m.revoked_at.is_none() && m.valid_from <= now && m.valid_until > now;
        let (all_departments, departments) = match Scope::from_stored(&m.scope) {
            Scope::All => (true, Vec::new()),
            Scope::Departments(d) => (false, d),
        };
        Self {
            id: ID(m.id),
            grantee_subject: m.grantee_subject,
            grantee_name: m.grantee_name,
            all_departments,
            departments,
            valid_from: m.valid_from,
            valid_until: m.valid_until,
            revoked_at: m.revoked_at,
            active,
        }
    }
}

/// What `registerConsent` needs.
#[derive(InputObject)]
pub struct RegisterConsentInput {
    /// The citizen giving consent. A citizen registers for themselves and leaves it out; an
    /// admin registering a paper fuldmagt gives it.
    pub citizen_cpr: Option<String>,
    /// The third party's token subject (as their identity provider names them).
    pub grantee_subject: String,
    /// The third party's name.
    pub grantee_name: String,
    /// Departments covered; empty or absent means all of the citizen's cases.
    pub departments: Option<Vec<String>>,
    /// Valid from (default now).
    pub valid_from: Option<DateTime<Utc>>,
    /// Valid until (required; at most two years ahead).
    pub valid_until: DateTime<Utc>,
}

/// The result of `registerConsent` / `revokeConsent`.
#[derive(SimpleObject)]
pub struct ConsentPayload {
    /// The consent.
    pub consent: ConsentNode,
}

/// `consents(citizenCpr)`.
pub async fn list(ctx: &Context<'_>, citizen_cpr: Option<String>) -> Result<Vec<ConsentNode>> {
    let rc = RequestCtx::from(ctx)?;
    match rc.viewer.role {
        Role::Citizen => {
            let Some(me) = &rc.viewer.cpr else {
                return Ok(Vec::new());
            };
            let rows = consent::of_citizen(rc.services, me)
                .await
                .map_err(|e| internal("reading consents", e))?;
            Ok(rows.into_iter().map(ConsentNode::from).collect())
        }
        Role::ThirdParty => {
            let grants = rc.loaders.grants().await?;
            let mut out = Vec::new();
            for g in grants.0.iter() {
                if let Some(row) = consent::find(rc.services, &g.consent_id)
                    .await
                    .map_err(|e| internal("reading consents", e))?
                {
                    out.push(ConsentNode::from(row));
                }
            }
            Ok(out)
        }
        Role::Admin => {
            let key = citizen_cpr
                .as_deref()
                .and_then(cpr_key)
                .ok_or_else(|| api_error(Code::BadUserInput, "give `citizenCpr` as DDMMYY-SSSS"))?;
            rc.loaders
                .audit(vec![Entry::read(
                    "consent.listed",
                    "party",
                    crate::services::reads::party_object_id(&rc, &key),
                )])
                .await?;
            let rows = consent::of_citizen(rc.services, &key)
                .await
                .map_err(|e| internal("reading consents", e))?;
            Ok(rows.into_iter().map(ConsentNode::from).collect())
        }
        Role::Caseworker => Err(api_error(
            Code::Forbidden,
            "consents are managed by the citizen or an administrator",
        )),
        Role::Anonymous => Err(api_error(
            Code::Unauthenticated,
            "a verified identity is required",
        )),
    }
}

/// Record `action` on the consent in `txn` and commit both, or neither.
async fn commit_audited(
    rc: &RequestCtx<'_>,
    txn: sea_orm::DatabaseTransaction,
    action: &'static str,
    row: Model,
) -> Result<ConsentPayload> {
    let entry = Entry {
        action,
        object_kind: Some("consent"),
        object_id: Some(row.id.clone()),
        purpose: None,
        outcome: Outcome::Allowed,
    };
    rc.loaders.audit_in(&txn, vec![entry]).await?;
    txn.commit()
        .await
        .map_err(|e| internal("committing a consent change", e))?;
    Ok(ConsentPayload {
        consent: row.into(),
    })
}

/// Writes.
pub struct Mutation;

#[Object(name = "ConsentMutation")]
impl Mutation {
    /// Register a consent: a citizen for themselves, or an admin on a citizen's behalf.
    async fn register_consent(
        &self,
        ctx: &Context<'_>,
        input: RegisterConsentInput,
    ) -> Result<ConsentPayload> {
        let rc = RequestCtx::from(ctx)?;
        let citizen: PartyKey = match rc.viewer.role {
            Role::Citizen => {
                let me =
                    rc.viewer.cpr.clone().ok_or_else(|| {
                        api_error(Code::Forbidden, "no CPR number in your identity")
                    })?;
                if let Some(given) = input.citizen_cpr.as_deref()
                    && cpr_key(given).as_ref() != Some(&me)
                {
                    let e = api_error(
                        Code::Forbidden,
                        "a citizen registers consents only for themselves",
                    );
                    return Err(crate::services::reads::deny(&rc, e, Some("consent"), None).await);
                }
                me
            }
            Role::Admin => input
                .citizen_cpr
                .as_deref()
                .and_then(cpr_key)
                .ok_or_else(|| api_error(Code::BadUserInput, "give `citizenCpr` as DDMMYY-SSSS"))?,
            Role::Anonymous => {
                return Err(api_error(
                    Code::Unauthenticated,
                    "a verified identity is required",
                ));
            }
            Role::Caseworker | Role::ThirdParty => {
                let e = api_error(
                    Code::Forbidden,
                    "consents are registered by the citizen or an administrator",
                );
                return Err(crate::services::reads::deny(&rc, e, Some("consent"), None).await);
            }
        };
        let now = Utc::now();
        let valid_from = input.valid_from.unwrap_or(now);
        if input.valid_until <= valid_from {
            return Err(api_error(
                Code::BadUserInput,
                "`validUntil` must be after `validFrom`",
            ));
        }
        if input.valid_until > now + chrono::Duration::days(731) {
            return Err(api_error(
                Code::BadUserInput,
                "a consent is valid for at most two years",
            ));
        }
        if input.grantee_subject.trim().is_empty() || input.grantee_name.trim().is_empty() {
            return Err(api_error(
                Code::BadUserInput,
                "`granteeSubject` and `granteeName` are required",
            ));
        }
        let scope = match input.departments {
            Some(d) if !d.is_empty() => Scope::Departments(d),
            _ => Scope::All,
        };
        let new = NewConsent {
            citizen,
            grantee_subject: input.grantee_subject.trim().to_owned(),
            grantee_name: input.grantee_name.trim().to_owned(),
            scope,
            valid_from,
            valid_until: input.valid_until,
            registered_by: rc.viewer.subject.clone().unwrap_or_default(),
        };
        // The change and its audit event commit together, or neither does.
        let _chain = audit::lock_chain().await;
        let txn = crate::services::begin_write(&rc.services.store)
            .await
            .map_err(|e| internal("starting a transaction", e))?;
        let row = consent::register(&txn, new)
            .await
            .map_err(|e| internal("storing a consent", e))?;
        commit_audited(&rc, txn, "consent.registered", row).await
    }

    /// Revoke a consent: by the citizen who gave it, or an admin.
    async fn revoke_consent(&self, ctx: &Context<'_>, id: ID) -> Result<ConsentPayload> {
        let rc = RequestCtx::from(ctx)?;
        let not_found = || api_error(Code::NotFound, "no such consent");
        let row = consent::find(rc.services, &id)
            .await
            .map_err(|e| internal("reading a consent", e))?
            .ok_or_else(not_found)?;
        let allowed = match rc.viewer.role {
            Role::Admin => true,
            Role::Citizen => rc
                .viewer
                .cpr
                .as_ref()
                .is_some_and(|me| PartyKey::cpr(&row.citizen_cpr).as_ref() == Some(me)),
            _ => false,
        };
        if !allowed {
            return Err(crate::services::reads::deny(
                &rc,
                not_found(),
                Some("consent"),
                Some(id.to_string()),
            )
            .await);
        }
        // The change and its audit event commit together, or neither does.
        let _chain = audit::lock_chain().await;
        let txn = crate::services::begin_write(&rc.services.store)
            .await
            .map_err(|e| internal("starting a transaction", e))?;
        let row = consent::revoke(&txn, &id, Utc::now())
            .await
            .map_err(|e| internal("revoking a consent", e))?
            .ok_or_else(not_found)?;
        commit_audited(&rc, txn, "consent.revoked", row).await
    }
}
