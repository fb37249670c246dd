//! The one typed settings tree, read from TOML with environment overrides.
//!
//! Every field has a default in code, so an empty file is valid. Unknown keys are errors.
//! Environment variables `SAGSHUB__SECTION__KEY=value` override the file
//! (`SAGSHUB__STORE__URL=postgres://...`, `SAGSHUB__SERVER__LISTEN=0.0.0.0:8080`); values are
//! read as TOML scalars when they parse as one (numbers, booleans), else as strings.

use std::path::Path;

use anyhow::{Context, Result, bail};
use connectors::config::SystemConfig;
use serde::Deserialize;

/// The prefix of environment overrides.
pub const ENV_PREFIX: &str = "SAGSHUB__";

/// All settings.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// HTTP server.
    #[serde(default)]
    pub server: ServerSettings,
    /// The hub's own store.
    #[serde(default)]
    pub store: StoreSettings,
    /// Token verification.
    #[serde(default)]
    pub auth: AuthSettings,
    /// GraphQL limits.
    #[serde(default)]
    pub graphql: GraphqlSettings,
    /// The GraphiQL page.
    #[serde(default)]
    pub playground: PlaygroundSettings,
    /// The case systems to read.
    #[serde(default)]
    pub systems: Vec<SystemConfig>,
}

/// HTTP server settings.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ServerSettings {
    /// Address to listen on; loopback by default.
    pub listen: String,
    /// Largest request body accepted, in bytes (larger: 413).
    pub body_limit_bytes: usize,
    /// Longest a GraphQL request may run, in milliseconds.
    pub request_timeout_ms: u64,
    /// How long shutdown waits for requests in flight, in milliseconds.
    pub shutdown_grace_ms: u64,
    /// How often the case systems are probed in the background, in seconds.
    pub health_interval_secs: u64,
}

impl Default for ServerSettings {
    fn default() -> Self {
        Self {
            listen: "127.0.0.1:8080".into(),
            body_limit_bytes: 1024 * 1024,
            request_timeout_ms: 30_000,
            shutdown_grace_ms: 10_000,
            health_interval_secs: 30,
        }
    }
}

/// Store settings.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct StoreSettings {
    /// `sqlite://file?mode=rwc` (embedded default) or `postgres://...`.
    pub url: String,
    /// Largest connection pool.
    pub max_connections: u32,
}

impl Default for StoreSettings {
    fn default() -> Self {
        Self {
            url: "sqlite://sagshub.sqlite?mode=rwc".into(),
            max_connections: 8,
        }
    }
}

/// Token verification settings.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AuthSettings {
    /// Required `iss`.
    pub issuer: String,
    /// Required `aud`.
    pub audience: String,
    /// Shared HS256 secret, for development only. Without it (and without a JWKS URL, which
    /// comes with the identity work) every request is anonymous.
    pub hs256_secret: Option<String>,
    /// Clock leeway for `exp`/`nbf`, in seconds.
    pub leeway_secs: u64,
    /// Claim names.
    pub claims: ClaimNames,
}

impl Default for AuthSettings {
    fn default() -> Self {
        Self {
            issuer: "sagshub-dev".into(),
            audience: "sagshub".into(),
            hs256_secret: None,
            leeway_secs: 30,
            claims: ClaimNames::default(),
        }
    }
}

/// Which claims carry what.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ClaimNames {
    /// The role claim: `citizen`, `third_party`, `caseworker`, `admin`.
    pub role: String,
    /// The citizen's CPR number (from the MitID broker).
    pub cpr: String,
    /// A caseworker's departments (array of names).
    pub departments: String,
    /// A caseworker's clearance: `IkkeFortrolig`, `Fortrolig`, `Foelsom`, `Vip`.
    pub clearance: String,
}

impl Default for ClaimNames {
    fn default() -> Self {
        Self {
            role: "role".into(),
            cpr: "cpr".into(),
            departments: "departments".into(),
            clearance: "clearance".into(),
        }
    }
}

/// GraphQL limits.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct GraphqlSettings {
    /// Deepest nesting.
    pub max_depth: usize,
    /// Highest complexity.
    pub max_complexity: usize,
    /// `first` when none is given.
    pub default_page_size: usize,
    /// Largest `first`.
    pub max_page_size: usize,
    /// Most operations in one JSON-array batch.
    pub max_batch: usize,
    /// Whether introspection is on.
    pub introspection: bool,
    /// Secret that seals party keys (CPR/CVR numbers) into opaque ids; at least 32 characters.
    /// All instances behind one load balancer need the same value. Without it a random secret
    /// is made at start, so party ids do not survive a restart.
    pub id_secret: Option<String>,
}

impl Default for GraphqlSettings {
    fn default() -> Self {
        let l = schema::Limits::default();
        Self {
            max_depth: l.max_depth,
            max_complexity: l.max_complexity,
            default_page_size: l.default_page_size,
            max_page_size: l.max_page_size,
            max_batch: 10,
            introspection: l.introspection,
            id_secret: None,
        }
    }
}

impl GraphqlSettings {
    /// The schema's limits.
    pub fn limits(&self) -> schema::Limits {
        schema::Limits {
            max_depth: self.max_depth,
            max_complexity: self.max_complexity,
            default_page_size: self.default_page_size,
            max_page_size: self.max_page_size,
            introspection: self.introspection,
            ..schema::Limits::default()
        }
    }
}

/// The GraphiQL page.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PlaygroundSettings {
    /// Serve `/playground`.
    pub enabled: bool,
    /// Headers the page starts with (JSON object), e.g. a demo token.
    pub default_headers: Option<String>,
    /// Variables the page starts with (JSON object).
    pub default_variables: Option<String>,
}

impl Default for PlaygroundSettings {
    fn default() -> Self {
        Self {
            enabled: true,
            default_headers: None,
            default_variables: None,
        }
    }
}

impl Settings {
    /// Read `path` (if given) and apply the environment.
    pub fn load(path: Option<&Path>) -> Result<Self> {
        let text = match path {
            Some(p) => std::fs::read_to_string(p)
                .with_context(|| format!("reading settings file {}", p.display()))?,
            None => String::new(),
        };
        Self::from_toml_and_env(&text, std::env::vars())
    }

    /// Parse `text` and apply overrides from `env` (pairs of name and value).
    pub fn from_toml_and_env(
        text: &str,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Self> {
        let mut value: toml::Value =
            toml::from_str(text).context("the settings file is not valid TOML")?;
        for (name, raw) in env {
            let Some(path) = name.strip_prefix(ENV_PREFIX) else {
                continue;
            };
            let keys: Vec<String> = path.split("__").map(|k| k.to_lowercase()).collect();
            if keys.iter().any(String::is_empty) {
                bail!("environment override {name} has an empty key");
            }
            set_path(&mut value, &keys, scalar(&raw))
                .with_context(|| format!("applying environment override {name}"))?;
        }
        let settings: Settings = value
            .try_into()
            .map_err(|e: toml::de::Error| anyhow::anyhow!("invalid settings: {}", e.message()))?;
        settings.validate()?;
        Ok(settings)
    }

    fn validate(&self) -> Result<()> {
        if self.graphql.max_batch == 0 {
            bail!("graphql.max_batch must be at least 1");
        }
        if self.graphql.default_page_size > self.graphql.max_page_size {
            bail!("graphql.default_page_size must not exceed graphql.max_page_size");
        }
        if self
            .graphql
            .id_secret
            .as_ref()
            .is_some_and(|s| s.len() < 32)
        {
            bail!("graphql.id_secret must be at least 32 characters");
        }
        if self
            .auth
            .hs256_secret
            .as_ref()
            .is_some_and(|s| s.len() < 32)
        {
            bail!("auth.hs256_secret must be at least 32 characters");
        }
        Ok(())
    }
}

fn scalar(raw: &str) -> toml::Value {
    match toml::from_str::<toml::Table>(&format!("v = {raw}")) {
        Ok(mut t) => match t.remove("v") {
            Some(
                v @ (toml::Value::Integer(_) | toml::Value::Float(_) | toml::Value::Boolean(_)),
            ) => v,
            _ => toml::Value::String(raw.to_owned()),
        },
        Err(_) => toml::Value::String(raw.to_owned()),
    }
}

fn set_path(value: &mut toml::Value, keys: &[String], new: toml::Value) -> Result<()> {
    let Some((last, parents)) = keys.split_last() else {
        bail!("empty key")
    };
    let mut cursor = value;
    for key in parents {
        let table = cursor
            .as_table_mut()
            .ok_or_else(|| anyhow::anyhow!("{key} is not a table"))?;
        cursor = table
            .entry(key.clone())
            .or_insert_with(|| toml::Value::Table(toml::Table::new()));
    }
    let table = cursor
        .as_table_mut()
        .ok_or_else(|| anyhow::anyhow!("{last}'s parent is not a table"))?;
    table.insert(last.clone(), new);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_file_gives_loopback_sqlite_defaults() {
        let s = Settings::from_toml_and_env("", Vec::new());
        let s = s.map_err(|e| e.to_string());
        assert!(
            s.as_ref()
                .is_ok_and(|s| s.server.listen.starts_with("127.0.0.1")
                    && s.store.url.starts_with("sqlite:")),
            "{s:?}"
        );
    }

    #[test]
    fn unknown_keys_are_refused_with_their_name() {
        let err = Settings::from_toml_and_env(
            "[server]\nlisten = \"127.0.0.1:1\"\nlsiten = 2\n",
            Vec::new(),
        )
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
        assert!(err.contains("lsiten"), "{err}");
    }

    #[test]
    fn environment_overrides_the_file_with_typed_values() {
        let env = vec![
            (
                "SAGSHUB__STORE__URL".to_owned(),
                "postgres://x@127.0.0.1/db".to_owned(),
            ),
            ("SAGSHUB__GRAPHQL__MAX_DEPTH".to_owned(), "7".to_owned()),
            ("UNRELATED".to_owned(), "1".to_owned()),
        ];
        let s = Settings::from_toml_and_env("[store]\nurl = \"sqlite://a\"\n", env)
            .map_err(|e| e.to_string());
        assert!(
            s.as_ref().is_ok_and(
                |s| s.store.url == "postgres://x@127.0.0.1/db" && s.graphql.max_depth == 7
            ),
            "{s:?}"
        );
    }

    #[test]
    fn a_mistyped_environment_key_is_an_error() {
        let env = vec![("SAGSHUB__STORE__URLL".to_owned(), "x".to_owned())];
        let err = Settings::from_toml_and_env("", env)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("url"), "{err}");
    }

    #[test]
    fn a_system_needs_an_id() {
        let err = Settings::from_toml_and_env("[[systems]]\nname = \"x\"\n", Vec::new())
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("id"), "{err}");
    }
}
