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
    /// The aktindsigt workflow: blob store, automation per department, screening rules,
    /// legal grounds, closed days.
    #[serde(default)]
    pub aktindsigt: schema::services::aktindsigt::AktindsigtConfig,
    /// The durable job queue and this process's workers.
    #[serde(default)]
    pub jobs: schema::services::jobs::JobsConfig,
    /// The case index: sync interval and page sizes, the live search's limit.
    #[serde(default)]
    pub index: schema::services::index::IndexConfig,
    /// The municipality as sender of bundles: name, address, CVR, contact, complaint guidance.
    #[serde(default)]
    pub municipality: schema::services::bundling::MunicipalityConfig,
    /// Digital Post delivery: the transport (file outbox or HTTP) and the message size limit.
    #[serde(default)]
    pub delivery: schema::services::delivery::DeliveryConfig,
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
///
/// Asymmetric tokens (RS256/ES256 from the identity broker) are verified with keys from
/// `jwks_url`; HS256 tokens with `hs256_secret` (development only). A token whose `alg` is not
/// in the effective allow-list ([`AuthSettings::allowed_algorithms`]) is refused before any key
/// is looked up.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AuthSettings {
    /// Required `iss`.
    pub issuer: String,
    /// Required `aud`.
    pub audience: String,
    /// Shared HS256 secret, for development only (at least 32 characters). When set, `HS256`
    /// joins the allowed algorithms; without it no HS256 token is accepted.
    pub hs256_secret: Option<String>,
    /// The identity provider's JWKS document (`https://…/.well-known/jwks.json`; plain `http`
    /// only on loopback). Fetched on first use, cached, and refetched when a token names an
    /// unknown `kid`. Without it (and without `hs256_secret`) every token is refused.
    pub jwks_url: Option<String>,
    /// Asymmetric algorithms accepted for JWKS keys (`RS256`, `RS384`, `RS512`, `PS256`,
    /// `PS384`, `PS512`, `ES256`, `ES384`, `EdDSA`). `HS256` may be listed only together with
    /// `hs256_secret`, which adds it anyway. In the environment: a comma-separated list.
    #[serde(deserialize_with = "string_or_list")]
    pub algorithms: Vec<String>,
    /// How long fetched JWKS keys are trusted before they are fetched again, in seconds.
    pub jwks_cache_secs: u64,
    /// The shortest time between two JWKS fetches, in seconds, so that tokens naming made-up
    /// `kid`s cannot flood the identity provider. Failed fetches count too.
    pub jwks_refresh_min_secs: u64,
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
            jwks_url: None,
            algorithms: vec!["RS256".into(), "ES256".into()],
            jwks_cache_secs: 300,
            jwks_refresh_min_secs: 30,
            leeway_secs: 30,
            claims: ClaimNames::default(),
        }
    }
}

/// The asymmetric algorithms `auth.algorithms` may name.
pub const ASYMMETRIC_ALGORITHMS: &[&str] = &[
    "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "EdDSA",
];

impl AuthSettings {
    /// The effective allow-list: `algorithms`, plus `HS256` when `hs256_secret` is set,
    /// without duplicates.
    pub fn allowed_algorithms(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for name in &self.algorithms {
            if !out.contains(name) {
                out.push(name.clone());
            }
        }
        if self.hs256_secret.is_some() && !out.iter().any(|a| a == "HS256") {
            out.push("HS256".into());
        }
        out
    }

    fn validate(&self) -> Result<()> {
        if self.hs256_secret.as_ref().is_some_and(|s| s.len() < 32) {
            bail!("auth.hs256_secret must be at least 32 characters");
        }
        for name in &self.algorithms {
            match name.as_str() {
                "HS256" if self.hs256_secret.is_none() => {
                    bail!("auth.algorithms lists HS256, which needs auth.hs256_secret")
                }
                "HS256" => {}
                n if ASYMMETRIC_ALGORITHMS.contains(&n) => {}
                other => bail!(
                    "auth.algorithms: `{other}` is not accepted (one of {}, or HS256 with a secret)",
                    ASYMMETRIC_ALGORITHMS.join(", ")
                ),
            }
        }
        if self.jwks_cache_secs < self.jwks_refresh_min_secs {
            // Otherwise the cache would expire while refetching is still held back.
            bail!("auth.jwks_cache_secs must be at least auth.jwks_refresh_min_secs");
        }
        if let Some(url) = &self.jwks_url {
            let parsed = reqwest::Url::parse(url).context("auth.jwks_url is not a URL")?;
            let host = parsed.host_str().unwrap_or_default();
            let loopback = host == "localhost"
                || host
                    .trim_start_matches('[')
                    .trim_end_matches(']')
                    .parse::<std::net::IpAddr>()
                    .is_ok_and(|ip| ip.is_loopback());
            match parsed.scheme() {
                _ if host.is_empty() => bail!("auth.jwks_url has no host"),
                "https" => {}
                // Keys fetched over plain http could be swapped by anyone on the path.
                "http" if loopback => {}
                _ => bail!("auth.jwks_url must be an https:// URL (plain http only on loopback)"),
            }
        }
        Ok(())
    }
}

/// A list of strings, or (for environment overrides) one comma-separated string.
fn string_or_list<'de, D>(deserializer: D) -> Result<Vec<String>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(String),
        Many(Vec<String>),
    }
    Ok(match OneOrMany::deserialize(deserializer)? {
        OneOrMany::One(s) => s
            .split(',')
            .map(str::trim)
            .filter(|a| !a.is_empty())
            .map(str::to_owned)
            .collect(),
        OneOrMany::Many(v) => v,
    })
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
    /// A display name (a third party's organisation, a caseworker's name); optional in tokens.
    pub name: String,
}

impl Default for ClaimNames {
    fn default() -> Self {
        Self {
            role: "role".into(),
            cpr: "cpr".into(),
            departments: "departments".into(),
            clearance: "clearance".into(),
            name: "name".into(),
        }
    }
}

/// GraphQL limits.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct GraphqlSettings {
    /// Deepest nesting.
    pub max_depth: usize,
    /// Highest complexity (`QUERY_TOO_COMPLEX`); the cost model is in `schema::limits`. An
    /// absent `first` is priced as 100 items whatever `default_page_size` is, so raising that
    /// calls for lowering this.
    pub max_complexity: usize,
    /// `first` when none is given.
    pub default_page_size: usize,
    /// Largest `first`.
    pub max_page_size: usize,
    /// Most operations in one JSON-array batch.
    pub max_batch: usize,
    /// Most aliased fields in one operation (`TOO_MANY_ALIASES`).
    pub max_aliases: usize,
    /// Most fields at an operation's top level (`TOO_MANY_ROOT_FIELDS`).
    pub max_root_fields: usize,
    /// Most directives in one operation (`TOO_MANY_DIRECTIVES`).
    pub max_directives: usize,
    /// Master switch for introspection; off: nobody may introspect. On: caseworkers and admins
    /// may, anonymous viewers and citizens as the next two say (`INTROSPECTION_DISABLED`).
    pub introspection: bool,
    /// Whether anonymous viewers (no token) may introspect.
    pub introspection_for_anonymous: bool,
    /// Whether citizens, and third parties acting for them, may introspect.
    pub introspection_for_citizens: bool,
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
            max_aliases: l.max_aliases,
            max_root_fields: l.max_root_fields,
            max_directives: l.max_directives,
            introspection: l.introspection,
            introspection_for_anonymous: l.introspection_for_anonymous,
            introspection_for_citizens: l.introspection_for_citizens,
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
            max_aliases: self.max_aliases,
            max_root_fields: self.max_root_fields,
            max_directives: self.max_directives,
            introspection: self.introspection,
            introspection_for_anonymous: self.introspection_for_anonymous,
            introspection_for_citizens: self.introspection_for_citizens,
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
        self.auth.validate()?;
        if self.jobs.enabled && self.jobs.workers == 0 {
            bail!("jobs.workers must be at least 1 when jobs.enabled");
        }
        if self.jobs.heartbeat_ms >= self.jobs.lease_secs.saturating_mul(1000) {
            bail!("jobs.heartbeat_ms must be well under jobs.lease_secs");
        }
        schema::services::aktindsigt::Aktindsigt::new(self.aktindsigt.clone())
            .map_err(|e| anyhow::anyhow!("invalid settings: {e}"))?;
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
    fn the_readme_settings_file_loads_with_every_section() {
        let readme = include_str!("../../README.md");
        let start = readme
            .find("```toml\n# sagshub.toml")
            .expect("README has the full settings file");
        let body = &readme[start + "```toml\n".len()..];
        let text = &body[..body.find("```").expect("closed code block")];
        let s = Settings::from_toml_and_env(text, Vec::new())
            .unwrap_or_else(|e| panic!("README's sagshub.toml: {e:#}"));
        assert_eq!(s.systems.len(), 3);
        assert_eq!(s.aktindsigt.departments.len(), 2);
        assert_eq!(s.aktindsigt.rules.as_ref().map(Vec::len), Some(2));
        assert_eq!(s.jobs.workers, 2);
    }

    #[test]
    fn a_bad_aktindsigt_section_is_refused_with_its_key() {
        let e = Settings::from_toml_and_env("[aktindsigt]\nclosed_days = [\"24-12\"]", Vec::new())
            .unwrap_err();
        assert!(format!("{e:#}").contains("closed_days"), "{e:#}");
        let e = Settings::from_toml_and_env(
            "[[aktindsigt.rules]]\nname = \"x\"\ndisclosure = \"WITHHELD\"\nground = \"NOPE\"",
            Vec::new(),
        )
        .unwrap_err();
        assert!(format!("{e:#}").contains("rules"), "{e:#}");
    }

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

    fn auth_error(toml: &str, env: Vec<(String, String)>) -> String {
        Settings::from_toml_and_env(toml, env)
            .err()
            .map(|e| format!("{e:#}"))
            .unwrap_or_default()
    }

    #[test]
    fn auth_defaults_allow_rs256_and_es256_and_hs256_only_with_a_secret() {
        let s = Settings::from_toml_and_env("", Vec::new()).map_err(|e| e.to_string());
        assert!(
            s.as_ref()
                .is_ok_and(|s| s.auth.allowed_algorithms() == ["RS256", "ES256"]
                    && s.auth.jwks_url.is_none()
                    && s.auth.jwks_refresh_min_secs <= s.auth.jwks_cache_secs
                    && s.auth.claims.name == "name"),
            "{s:?}"
        );
        let env = vec![("SAGSHUB__AUTH__HS256_SECRET".to_owned(), "s".repeat(32))];
        let s = Settings::from_toml_and_env("", env).map_err(|e| e.to_string());
        assert!(
            s.as_ref()
                .is_ok_and(|s| s.auth.allowed_algorithms() == ["RS256", "ES256", "HS256"]),
            "{s:?}"
        );
    }

    #[test]
    fn auth_jwks_settings_come_from_the_file_or_the_environment() {
        let toml = "[auth]\njwks_url = \"https://login.example.dk/.well-known/jwks.json\"\n\
                    algorithms = [\"RS256\"]\njwks_cache_secs = 600\njwks_refresh_min_secs = 60\n";
        let s = Settings::from_toml_and_env(toml, Vec::new()).map_err(|e| e.to_string());
        assert!(
            s.as_ref().is_ok_and(|s| s.auth.algorithms == ["RS256"]
                && s.auth.jwks_cache_secs == 600
                && s.auth.jwks_refresh_min_secs == 60),
            "{s:?}"
        );
        let env = vec![
            (
                "SAGSHUB__AUTH__ALGORITHMS".to_owned(),
                "ES256, PS256".to_owned(),
            ),
            (
                "SAGSHUB__AUTH__JWKS_URL".to_owned(),
                "http://127.0.0.1:9999/jwks".to_owned(),
            ),
        ];
        let s = Settings::from_toml_and_env("", env).map_err(|e| e.to_string());
        assert!(
            s.as_ref()
                .is_ok_and(|s| s.auth.algorithms == ["ES256", "PS256"]
                    && s.auth.jwks_url.as_deref() == Some("http://127.0.0.1:9999/jwks")),
            "{s:?}"
        );
    }

    #[test]
    fn auth_refuses_none_unknown_algorithms_and_hs256_without_a_secret() {
        let err = auth_error("[auth]\nalgorithms = [\"RS256\", \"none\"]\n", Vec::new());
        assert!(err.contains("`none` is not accepted"), "{err}");
        let err = auth_error("[auth]\nalgorithms = [\"HS256\"]\n", Vec::new());
        assert!(err.contains("hs256_secret"), "{err}");
        let err = auth_error("[auth]\nhs256_secret = \"short\"\n", Vec::new());
        assert!(err.contains("32 characters"), "{err}");
        let err = auth_error(
            "[auth]\njwks_cache_secs = 10\njwks_refresh_min_secs = 60\n",
            Vec::new(),
        );
        assert!(err.contains("jwks_cache_secs"), "{err}");
    }

    #[test]
    fn auth_jwks_url_needs_https_except_on_loopback() {
        for ok in [
            "https://idp.example.dk/jwks",
            "http://127.0.0.1:8081/.well-known/jwks.json",
            "http://localhost/jwks",
            "http://[::1]:80/jwks",
        ] {
            let err = auth_error(&format!("[auth]\njwks_url = \"{ok}\"\n"), Vec::new());
            assert!(err.is_empty(), "{ok}: {err}");
        }
        for bad in [
            "http://idp.example.dk/jwks",
            "http://127.0.0.1.evil.dk/jwks",
            "ftp://idp.example.dk/jwks",
            "not a url",
        ] {
            let err = auth_error(&format!("[auth]\njwks_url = \"{bad}\"\n"), Vec::new());
            assert!(err.contains("jwks_url"), "{bad}: {err}");
        }
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
