//! Per-request DataLoaders. Each batches the keys a query level asks for into one call per case
//! system, so `party { cases { documents { ... } } }` costs one connector call per system per
//! level whatever the number of cases.
//!
//! Failures are values, not loader errors: one system failing must not fail the keys the other
//! systems answered, so each value carries the failures that touched it.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::{DataLoader, HashMapCache, Loader};
use connectors::{Case, Document, PartyKey, SystemId};
use futures::future::join_all;

use crate::services::Services;
use crate::services::audit::{AuditLoader, Entry, RequestMeta};
use crate::services::consent::{Grants, grants_for};
use crate::viewer::Viewer;

/// A connector error shared between the keys it touched.
pub type SystemFailure = Arc<connectors::Error>;

/// A case's address: system + local id.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct CaseKey {
    /// System id.
    pub system: SystemId,
    /// The system's id for the case.
    pub local_id: String,
}

/// A party's cases across every system, and the systems that could not be read.
#[derive(Clone, Debug, Default)]
pub struct PartyCases {
    /// Cases from every system that answered, in registry order.
    pub cases: Vec<Arc<Case>>,
    /// Systems that failed.
    pub failures: Vec<SystemFailure>,
}

/// Loads every case of a party (by CPR/CVR) from every system.
pub struct PartyCasesLoader(pub Arc<Services>);

impl Loader<PartyKey> for PartyCasesLoader {
    type Value = Arc<PartyCases>;
    type Error = std::convert::Infallible;

    async fn load(&self, keys: &[PartyKey]) -> Result<HashMap<PartyKey, Self::Value>, Self::Error> {
        let calls = self
            .0
            .registry
            .systems()
            .map(|system| async move { system.cases_for_parties(keys).await });
        let mut out: HashMap<PartyKey, PartyCases> = keys
            .iter()
            .map(|k| (k.clone(), PartyCases::default()))
            .collect();
        for result in join_all(calls).await {
            match result {
                Ok(cases) => {
                    for case in cases {
                        let case = Arc::new(case);
                        for key in keys {
                            if case.has_party(key)
                                && let Some(entry) = out.get_mut(key)
                            {
                                entry.cases.push(case.clone());
                            }
                        }
                    }
                }
                Err(error) => {
                    let error = Arc::new(error);
                    for entry in out.values_mut() {
                        entry.failures.push(error.clone());
                    }
                }
            }
        }
        Ok(out.into_iter().map(|(k, v)| (k, Arc::new(v))).collect())
    }
}

/// Loads the documents of cases, one call per system.
pub struct DocumentsLoader(pub Arc<Services>);

impl Loader<CaseKey> for DocumentsLoader {
    type Value = Result<Arc<Vec<Document>>, SystemFailure>;
    type Error = std::convert::Infallible;

    async fn load(&self, keys: &[CaseKey]) -> Result<HashMap<CaseKey, Self::Value>, Self::Error> {
        let mut out = HashMap::new();
        for (system, ids, result) in per_system(&self.0, keys, |s, ids| async move {
            s.documents_of_cases(&ids).await
        })
        .await
        {
            let documents = match result {
                Ok(documents) => documents,
                Err(error) => {
                    fail_all(&mut out, &system, ids, error);
                    continue;
                }
            };
            let mut per_case: HashMap<String, Vec<Document>> =
                ids.iter().map(|id| (id.clone(), Vec::new())).collect();
            for doc in documents {
                if let Some(list) = per_case.get_mut(&doc.case_local_id) {
                    list.push(doc);
                }
            }
            for (local_id, mut docs) in per_case {
                docs.sort_by_key(|d| d.aktnummer);
                out.insert(
                    CaseKey {
                        system: system.clone(),
                        local_id,
                    },
                    Ok(Arc::new(docs)),
                );
            }
        }
        Ok(out)
    }
}

/// Loads cases by id, one call per system. A case the system does not know is absent.
pub struct CasesByIdLoader(pub Arc<Services>);

impl Loader<CaseKey> for CasesByIdLoader {
    type Value = Result<Arc<Case>, SystemFailure>;
    type Error = std::convert::Infallible;

    async fn load(&self, keys: &[CaseKey]) -> Result<HashMap<CaseKey, Self::Value>, Self::Error> {
        let mut out = HashMap::new();
        for (system, ids, result) in
            per_system(
                &self.0,
                keys,
                |s, ids| async move { s.cases_by_ids(&ids).await },
            )
            .await
        {
            match result {
                Ok(cases) => {
                    for case in cases {
                        out.insert(
                            CaseKey {
                                system: system.clone(),
                                local_id: case.local_id.clone(),
                            },
                            Ok(Arc::new(case)),
                        );
                    }
                }
                Err(error) => fail_all(&mut out, &system, ids, error),
            }
        }
        Ok(out)
    }
}

/// Group `keys` by system and make one call per system, all at once.
async fn per_system<T, F, Fut>(
    services: &Services,
    keys: &[CaseKey],
    call: F,
) -> Vec<(SystemId, Vec<String>, connectors::Result<Vec<T>>)>
where
    F: Fn(Arc<dyn connectors::CaseSystem>, Vec<String>) -> Fut,
    Fut: std::future::Future<Output = connectors::Result<Vec<T>>>,
{
    let calls = group_by_system(keys).into_iter().map(|(system_id, ids)| {
        let system = services.registry.get(system_id.as_str()).cloned();
        let fut = system.map(|s| call(s, ids.clone()));
        async move {
            let result = match fut {
                Some(fut) => fut.await,
                None => Err(unknown_system(&system_id)),
            };
            (system_id, ids, result)
        }
    });
    join_all(calls).await
}

/// Every key of `ids` on `system` gets the (shared) failure.
fn fail_all<V>(
    out: &mut HashMap<CaseKey, Result<V, SystemFailure>>,
    system: &SystemId,
    ids: Vec<String>,
    error: connectors::Error,
) {
    let error = Arc::new(error);
    for local_id in ids {
        out.insert(
            CaseKey {
                system: system.clone(),
                local_id,
            },
            Err(error.clone()),
        );
    }
}

fn group_by_system(keys: &[CaseKey]) -> HashMap<SystemId, Vec<String>> {
    let mut by_system: HashMap<SystemId, Vec<String>> = HashMap::new();
    for key in keys {
        by_system
            .entry(key.system.clone())
            .or_default()
            .push(key.local_id.clone());
    }
    by_system
}

fn unknown_system(system: &SystemId) -> connectors::Error {
    connectors::Error::NotFound {
        system: system.clone(),
        what: "no such case system is configured".into(),
    }
}

/// The loaders of one request. Created per request so no cache is shared between viewers.
pub struct Loaders {
    /// Cases of a party.
    pub party_cases: DataLoader<PartyCasesLoader, HashMapCache>,
    /// Documents of a case.
    pub documents: DataLoader<DocumentsLoader, HashMapCache>,
    /// Cases by id.
    pub cases: DataLoader<CasesByIdLoader, HashMapCache>,
    /// Audit events of this request, batched into one transaction per level.
    pub audit: DataLoader<AuditLoader, HashMapCache>,
    grants: tokio::sync::OnceCell<Result<Arc<Grants>, Arc<str>>>,
    services: Arc<Services>,
    subject: Option<String>,
    third_party: bool,
}

impl Loaders {
    /// Fresh loaders over `services` for `viewer`'s request.
    pub fn new(services: &Arc<Services>, viewer: &Viewer, meta: RequestMeta) -> Self {
        let max_batch = services.limits.max_loader_batch;
        // Cached for the request's lifetime: `party(cpr) { cases }` asks for the party's cases
        // twice (to name the party, then to list them) and must not call the systems twice.
        let delay = std::time::Duration::from_millis(2);
        let audit = AuditLoader {
            services: services.clone(),
            viewer: viewer.clone(),
            meta,
        };
        Self {
            party_cases: DataLoader::with_cache(
                PartyCasesLoader(services.clone()),
                tokio::spawn,
                HashMapCache::default(),
            )
            .max_batch_size(max_batch)
            .delay(delay),
            documents: DataLoader::with_cache(
                DocumentsLoader(services.clone()),
                tokio::spawn,
                HashMapCache::default(),
            )
            .max_batch_size(max_batch)
            .delay(delay),
            cases: DataLoader::with_cache(
                CasesByIdLoader(services.clone()),
                tokio::spawn,
                HashMapCache::default(),
            )
            .max_batch_size(max_batch)
            .delay(delay),
            audit: DataLoader::with_cache(audit, tokio::spawn, HashMapCache::default())
                .max_batch_size(10_000)
                .delay(delay),
            grants: tokio::sync::OnceCell::new(),
            services: services.clone(),
            subject: viewer.subject.clone(),
            third_party: viewer.role == crate::viewer::Role::ThirdParty,
        }
    }

    /// The viewer's valid consents (loaded once per request; empty unless a third party).
    pub async fn grants(&self) -> async_graphql::Result<Arc<Grants>> {
        let loaded = self
            .grants
            .get_or_init(|| async {
                match (&self.subject, self.third_party) {
                    (Some(subject), true) => {
                        grants_for(&self.services, subject, chrono::Utc::now())
                            .await
                            .map(Arc::new)
                            .map_err(|e| {
                                tracing::error!(error = %e, "could not read consents");
                                Arc::from("consents unavailable")
                            })
                    }
                    _ => Ok(Arc::new(Grants::default())),
                }
            })
            .await;
        loaded.clone().map_err(|_| {
            crate::error::api_error(
                crate::error::Code::Internal,
                "consents could not be read; nothing is shown",
            )
        })
    }

    /// Record `entries` on `conn`, the caller's transaction, while the caller holds
    /// [`crate::services::audit::lock_chain`]: the change and its audit events commit together.
    pub async fn audit_in<C: sea_orm::ConnectionTrait + sea_orm::TransactionTrait>(
        &self,
        conn: &C,
        entries: Vec<Entry>,
    ) -> async_graphql::Result<()> {
        let events = self.audit.loader().events(entries);
        crate::services::audit::append_locked(conn, events)
            .await
            .map_err(|error| {
                tracing::error!(%error, "could not write the audit log; the change is not made");
                crate::error::api_error(
                    crate::error::Code::AuditUnavailable,
                    "the audit log cannot be written, so nothing was changed",
                )
            })
    }

    /// Record `entries` in the audit log; an error means the data must not be returned.
    pub async fn audit(&self, entries: Vec<Entry>) -> async_graphql::Result<()> {
        if entries.is_empty() {
            return Ok(());
        }
        self.audit
            .load_many(entries)
            .await
            .map(|_| ())
            .map_err(|_| {
                crate::error::api_error(
                    crate::error::Code::AuditUnavailable,
                    "the audit log cannot be written, so no data is returned",
                )
            })
    }
}
