//! The configured case systems, in configuration order.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use crate::config::SystemConfig;
use crate::model::SystemId;
use crate::resilience::Resilient;
use crate::system::CaseSystem;
use crate::{Error, Result};

/// How long the shared HTTP client waits for a TCP/TLS connection; the per-call deadline is the
/// resilience layer's `timeout_ms`.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// One registered system and its human name.
#[derive(Clone)]
pub struct Entry {
    /// The connector (already wrapped in resilience when built from configuration).
    pub system: Arc<dyn CaseSystem>,
    /// Human name for operators.
    pub name: String,
}

/// The set of case systems the hub reads.
#[derive(Clone, Default)]
pub struct Registry {
    entries: Vec<Entry>,
}

impl Registry {
    /// A registry of already-built systems (tests, embedding).
    pub fn new(entries: Vec<Entry>) -> Self {
        Self { entries }
    }
    /// Every system, in configuration order.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }
    /// Every system's connector.
    pub fn systems(&self) -> impl Iterator<Item = &Arc<dyn CaseSystem>> {
        self.entries.iter().map(|e| &e.system)
    }
    /// The system with this id.
    pub fn get(&self, id: &str) -> Option<&Arc<dyn CaseSystem>> {
        self.entries
            .iter()
            .find(|e| e.system.id().as_str() == id)
            .map(|e| &e.system)
    }
    /// The ids, in order.
    pub fn ids(&self) -> Vec<SystemId> {
        self.entries.iter().map(|e| e.system.id().clone()).collect()
    }

    /// Build every configured system: check the ids (non-empty, `[a-z0-9-]`, unique) and that
    /// each names exactly one of `soap`/`rest`/`sql`, build the connectors on one shared HTTP
    /// client, and wrap each in [`Resilient`] with its own settings.
    pub async fn from_config(configs: &[SystemConfig]) -> Result<Registry> {
        validate(configs)?;
        let http = reqwest::Client::builder()
            .connect_timeout(CONNECT_TIMEOUT)
            .build()
            .map_err(|e| Error::Config {
                system: SystemId::new("*"),
                reason: format!("cannot build the HTTP client: {}", e.without_url()),
            })?;
        let mut entries = Vec::with_capacity(configs.len());
        for config in configs {
            let id = SystemId::new(&config.id);
            let system: Arc<dyn CaseSystem> = match (&config.soap, &config.rest, &config.sql) {
                (Some(soap), None, None) => {
                    Arc::new(crate::soap::SoapSystem::new(id, soap, http.clone())?)
                }
                (None, Some(rest), None) => {
                    Arc::new(crate::rest::RestSystem::new(id, rest, http.clone())?)
                }
                (None, None, Some(sql)) => Arc::new(crate::sql::SqlSystem::connect(id, sql).await?),
                // `validate` has refused every other combination.
                _ => return Err(kind_error(config)),
            };
            let name = config
                .name
                .clone()
                .filter(|n| !n.trim().is_empty())
                .unwrap_or_else(|| config.id.clone());
            entries.push(Entry {
                system: Arc::new(Resilient::new(system, &config.resilience)),
                name,
            });
        }
        Ok(Registry::new(entries))
    }
}

fn kind_error(config: &SystemConfig) -> Error {
    let given: Vec<&str> = [
        ("soap", config.soap.is_some()),
        ("rest", config.rest.is_some()),
        ("sql", config.sql.is_some()),
    ]
    .into_iter()
    .filter(|(_, set)| *set)
    .map(|(k, _)| k)
    .collect();
    let reason = if given.is_empty() {
        "no protocol configured: give exactly one of [soap], [rest] or [sql]".to_owned()
    } else {
        format!(
            "several protocols configured ({}): give exactly one of [soap], [rest] or [sql]",
            given.join(", ")
        )
    };
    Error::Config {
        system: SystemId::new(&config.id),
        reason,
    }
}

/// Check ids and protocol choice before anything is built.
fn validate(configs: &[SystemConfig]) -> Result<()> {
    let mut seen = HashSet::new();
    for (index, config) in configs.iter().enumerate() {
        let id = &config.id;
        if id.is_empty() {
            return Err(Error::Config {
                system: SystemId::new(format!("systems[{index}]")),
                reason: "id must not be empty".into(),
            });
        }
        if !id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        {
            return Err(Error::Config {
                system: SystemId::new(id),
                reason: "id may only contain lowercase letters a-z, digits and '-'".into(),
            });
        }
        if !seen.insert(id.as_str()) {
            return Err(Error::Config {
                system: SystemId::new(id),
                reason: "id is configured more than once".into(),
            });
        }
        if [
            config.soap.is_some(),
            config.rest.is_some(),
            config.sql.is_some(),
        ]
        .iter()
        .filter(|s| **s)
        .count()
            != 1
        {
            return Err(kind_error(config));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{RestConfig, SoapConfig};

    fn rest(id: &str) -> SystemConfig {
        SystemConfig {
            id: id.into(),
            name: None,
            soap: None,
            rest: Some(RestConfig {
                url: "http://127.0.0.1:9".into(),
                token: "t".into(),
                page_size: 50,
                max_response_bytes: 1024,
            }),
            sql: None,
            resilience: Default::default(),
        }
    }

    fn config_error(result: Result<Registry>) -> (String, String) {
        match result {
            Err(Error::Config { system, reason }) => (system.to_string(), reason),
            Err(other) => panic!("expected a config error, got {other}"),
            Ok(_) => panic!("expected a config error, got a registry"),
        }
    }

    #[tokio::test]
    async fn builds_wrapped_systems_named_by_name_or_id() {
        let mut named = rest("jobcenter");
        named.name = Some("Jobcenter (REST)".into());
        let registry = Registry::from_config(&[named, rest("byg-2")])
            .await
            .unwrap();
        assert_eq!(
            registry.ids(),
            [SystemId::new("jobcenter"), SystemId::new("byg-2")]
        );
        let names: Vec<&str> = registry.entries().iter().map(|e| e.name.as_str()).collect();
        assert_eq!(names, ["Jobcenter (REST)", "byg-2"]);
        assert_eq!(
            registry.get("byg-2").map(|s| s.kind()),
            Some(crate::model::SystemKind::Rest)
        );
    }

    #[tokio::test]
    async fn empty_id_is_refused() {
        let (system, reason) = config_error(Registry::from_config(&[rest("ok"), rest("")]).await);
        assert_eq!(system, "systems[1]");
        assert!(reason.contains("empty"));
    }

    #[tokio::test]
    async fn bad_characters_in_id_are_refused() {
        for id in ["Esdh", "esdh_1", "esdh 1", "æsdh"] {
            let (system, reason) = config_error(Registry::from_config(&[rest(id)]).await);
            assert_eq!(system, id);
            assert!(reason.contains("lowercase"), "{reason}");
        }
    }

    #[tokio::test]
    async fn duplicate_ids_are_refused() {
        let (system, reason) = config_error(
            Registry::from_config(&[rest("esdh"), rest("jobcenter"), rest("esdh")]).await,
        );
        assert_eq!(system, "esdh");
        assert!(reason.contains("more than once"));
    }

    #[tokio::test]
    async fn exactly_one_protocol_is_required() {
        let mut none = rest("none");
        none.rest = None;
        let (_, reason) = config_error(Registry::from_config(&[none]).await);
        assert!(reason.contains("no protocol"), "{reason}");

        let mut two = rest("two");
        two.soap = Some(SoapConfig {
            url: "http://127.0.0.1:9".into(),
            max_response_bytes: 1024,
            page_size: 10,
        });
        let (system, reason) = config_error(Registry::from_config(&[two]).await);
        assert_eq!(system, "two");
        assert!(reason.contains("soap, rest"), "{reason}");
    }

    #[tokio::test]
    async fn connector_errors_surface_as_config_errors() {
        let mut bad = rest("bad-url");
        if let Some(r) = bad.rest.as_mut() {
            r.url = "not a url".into();
        }
        let (system, _) = config_error(Registry::from_config(&[bad]).await);
        assert_eq!(system, "bad-url");
    }
}
