//! Consents (fuldmagter): the only way a third party sees anything.
//!
//! A consent names the citizen, the third party (by token subject), a scope (all the citizen's
//! cases, or those of some departments) and a validity period. A third party sees a case only
//! while a consent is valid, not revoked, and its scope covers the case's department.

use chrono::{DateTime, Utc};
use connectors::{Case, PartyKey};
use entities::consent::{ActiveModel, Column, Entity, Model};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};

use super::Services;

/// What a consent covers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Scope {
    /// Every case of the citizen.
    All,
    /// The citizen's cases in these departments.
    Departments(Vec<String>),
}

impl Scope {
    /// As stored: `all` or a JSON array of department names.
    pub fn to_stored(&self) -> String {
        match self {
            Self::All => "all".to_owned(),
            Self::Departments(d) => serde_json::to_string(d).unwrap_or_else(|_| "[]".to_owned()),
        }
    }
    /// From the stored form; an unreadable scope covers nothing.
    pub fn from_stored(text: &str) -> Self {
        if text == "all" {
            Self::All
        } else {
            Self::Departments(serde_json::from_str(text).unwrap_or_default())
        }
    }
    fn covers(&self, department: &str) -> bool {
        match self {
            Self::All => true,
            Self::Departments(d) => d.iter().any(|x| x == department),
        }
    }
}

/// One valid consent held by the viewer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Grant {
    /// The consent's id.
    pub consent_id: String,
    /// Whose.
    pub citizen: PartyKey,
    /// Covering what.
    pub scope: Scope,
    /// Until when.
    pub valid_until: DateTime<Utc>,
}

/// The valid consents a third-party viewer holds (empty for everyone else).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Grants(pub Vec<Grant>);

impl Grants {
    /// Whether a consent covers `case`: its citizen is a party and its scope the department.
    pub fn cover_case(&self, case: &Case) -> bool {
        self.0
            .iter()
            .any(|g| case.has_party(&g.citizen) && g.scope.covers(&case.department))
    }
    /// Whether a consent names this citizen.
    pub fn cover_citizen(&self, key: &PartyKey) -> bool {
        self.0.iter().any(|g| &g.citizen == key)
    }
}

/// The consents valid now for the third party `subject`.
pub async fn grants_for(
    services: &Services,
    subject: &str,
    now: DateTime<Utc>,
) -> Result<Grants, DbErr> {
    let rows = Entity::find()
        .filter(Column::GranteeSubject.eq(subject))
        .filter(Column::RevokedAt.is_null())
        .filter(Column::ValidFrom.lte(now))
        .filter(Column::ValidUntil.gt(now))
        .all(&services.store)
        .await?;
    Ok(Grants(
        rows.into_iter()
            .filter_map(|r| {
                Some(Grant {
                    citizen: PartyKey::cpr(&r.citizen_cpr)?,
                    scope: Scope::from_stored(&r.scope),
                    valid_until: r.valid_until,
                    consent_id: r.id,
                })
            })
            .collect(),
    ))
}

/// What registering a consent needs.
#[derive(Clone, Debug)]
pub struct NewConsent {
    /// The citizen giving it.
    pub citizen: PartyKey,
    /// The third party's token subject.
    pub grantee_subject: String,
    /// The third party's name.
    pub grantee_name: String,
    /// Scope.
    pub scope: Scope,
    /// From.
    pub valid_from: DateTime<Utc>,
    /// Until.
    pub valid_until: DateTime<Utc>,
    /// Who registers it.
    pub registered_by: String,
}

/// Store a new consent (on `conn`: the caller's transaction, so its audit event goes with it).
pub async fn register<C: ConnectionTrait>(conn: &C, new: NewConsent) -> Result<Model, DbErr> {
    let PartyKey::Cpr(cpr) = &new.citizen else {
        return Err(DbErr::Custom(
            "a consent is given by a citizen (CPR)".into(),
        ));
    };
    let row = ActiveModel {
        id: Set(uuid::Uuid::new_v4().to_string()),
        citizen_cpr: Set(cpr.clone()),
        grantee_subject: Set(new.grantee_subject),
        grantee_name: Set(new.grantee_name),
        scope: Set(new.scope.to_stored()),
        valid_from: Set(new.valid_from),
        valid_until: Set(new.valid_until),
        revoked_at: Set(None),
        registered_by: Set(new.registered_by),
        registered_at: Set(Utc::now()),
    };
    Entity::insert(row).exec_with_returning(conn).await
}

/// A consent by id.
pub async fn find(services: &Services, id: &str) -> Result<Option<Model>, DbErr> {
    Entity::find_by_id(id.to_owned()).one(&services.store).await
}

/// Revoke a consent (it stays stored, with `revoked_at`).
pub async fn revoke<C: ConnectionTrait>(
    conn: &C,
    id: &str,
    at: DateTime<Utc>,
) -> Result<Option<Model>, DbErr> {
    let Some(row) = Entity::find_by_id(id.to_owned()).one(conn).await? else {
        return Ok(None);
    };
    let mut active: ActiveModel = row.into();
    active.revoked_at = Set(Some(at));
    Ok(Some(sea_orm::ActiveModelTrait::update(active, conn).await?))
}

/// The consents a citizen has given (for the citizen and admins).
pub async fn of_citizen(services: &Services, citizen: &PartyKey) -> Result<Vec<Model>, DbErr> {
    let PartyKey::Cpr(cpr) = citizen else {
        return Ok(Vec::new());
    };
    Entity::find()
        .filter(Column::CitizenCpr.eq(cpr.clone()))
        .all(&services.store)
        .await
}
