//! `sagshub demo`: the synthetic municipality's five simulated systems, the hub on SQLite, and
//! the GraphiQL playground, on loopback, with ready-to-paste tokens.
//!
//! The demo stands in for the identity provider too: it makes an ES256 key pair at start, serves
//! the public key at `http://127.0.0.1:<port>/.well-known/jwks.json` ([`JwksServer`]), points
//! `auth.jwks_url` there and signs its tokens with the private key, so the hub verifies them
//! exactly as it would the broker's. The key lives only in memory: tokens from an earlier run
//! stop working.
//!
//! [`start_systems`] is shared with the black-box tests, so they run against exactly what the
//! demo runs.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use anyhow::{Context, Result};
use connectors::config::{RestConfig, SoapConfig, SqlConfig, SqlQueries, SystemConfig};
use playground::municipality::{Municipality, Params, generate};
use playground::sim::RunningServer;
use serde::Deserialize;
use tokio::net::TcpListener;

use crate::auth::{DevIdentity, DevSigner};
use crate::settings::Settings;

/// The token the simulated REST systems expect from the hub.
pub const REST_TOKEN: &str = "sim-rest-token-for-the-hub";

/// The five systems of the demo municipality: id, protocol, name.
pub const SYSTEMS: &[(&str, &str, &str)] = &[
    (
        "esdh",
        "soap",
        "ESDH — Borgerservice, Børn og Familie (SF1470)",
    ),
    ("esdh-tm", "soap", "ESDH — Teknik og Miljø (SF1470)"),
    ("jobcenter", "rest", "Jobcenter fagsystem (REST)"),
    ("omsorg", "rest", "Omsorgssystem (REST)"),
    ("skole", "sql", "Skole og Dagtilbud, legacy database (SQL)"),
];

/// The running simulated systems and the configuration that reads them.
pub struct StartedSystems {
    /// The municipality they serve.
    pub municipality: Arc<Municipality>,
    /// The SOAP and REST servers (dropping them stops them).
    pub servers: Vec<RunningServer>,
    /// Connector configuration for every system, in [`SYSTEMS`] order.
    pub configs: Vec<SystemConfig>,
}

impl StartedSystems {
    /// The server of system `id` (SOAP and REST systems only).
    pub fn server(&self, id: &str) -> Option<&RunningServer> {
        self.servers.iter().find(|s| s.system == id)
    }
}

#[derive(Deserialize)]
struct QueriesFile {
    queries: SqlQueries,
}

/// The configured queries for the simulated SQL layout (the same text the README shows).
pub fn demo_sql_queries() -> Result<SqlQueries> {
    let file: QueriesFile = toml::from_str(playground::sim::sql::DEMO_QUERIES_TOML)
        .context("parsing the demo SQL queries")?;
    Ok(file.queries)
}

/// Start the five simulated systems on loopback; the SQL system goes into `sql_url` (a SQLite
/// file by default).
pub async fn start_systems(
    municipality: Arc<Municipality>,
    sql_url: &str,
) -> Result<StartedSystems> {
    let mut servers = Vec::new();
    let mut configs = Vec::new();
    for (id, kind, name) in SYSTEMS {
        let mut config = SystemConfig {
            id: (*id).to_owned(),
            name: Some((*name).to_owned()),
            soap: None,
            rest: None,
            sql: None,
            resilience: Default::default(),
        };
        match *kind {
            "soap" => {
                let listener = TcpListener::bind("127.0.0.1:0")
                    .await
                    .context("binding a loopback port")?;
                let server = playground::sim::soap::spawn(municipality.clone(), id, listener)
                    .await
                    .context("starting a SOAP system")?;
                config.soap = Some(SoapConfig {
                    url: format!("{}/sagdokumentindeks/6", server.base_url()),
                    max_response_bytes: 64 * 1024 * 1024,
                    page_size: 1_000,
                });
                servers.push(server);
            }
            "rest" => {
                let listener = TcpListener::bind("127.0.0.1:0")
                    .await
                    .context("binding a loopback port")?;
                let server =
                    playground::sim::rest::spawn(municipality.clone(), id, REST_TOKEN, listener)
                        .await
                        .context("starting a REST system")?;
                config.rest = Some(RestConfig {
                    url: server.base_url(),
                    token: REST_TOKEN.to_owned(),
                    page_size: 1_000,
                    max_response_bytes: 64 * 1024 * 1024,
                });
                servers.push(server);
            }
            _ => {
                playground::sim::sql::seed(&municipality, id, sql_url)
                    .await
                    .map_err(|e| anyhow::anyhow!("seeding the SQL system: {e}"))?;
                config.sql = Some(SqlConfig::new(sql_url, demo_sql_queries()?));
            }
        }
        configs.push(config);
    }
    Ok(StartedSystems {
        municipality,
        servers,
        configs,
    })
}

/// A progress line on stderr that ticks while `work` runs.
async fn with_progress<T>(label: &str, work: impl std::future::Future<Output = T>) -> T {
    let started = Instant::now();
    let label_owned = label.to_owned();
    let ticker = tokio::spawn(async move {
        let frames = ['|', '/', '-', '\\'];
        let mut i = 0usize;
        loop {
            eprint!(
                "\r  {} {label_owned} ({:.1} s)",
                frames[i % frames.len()],
                started.elapsed().as_secs_f32()
            );
            let _ = std::io::stderr().flush();
            i += 1;
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        }
    });
    let out = work.await;
    ticker.abort();
    eprintln!(
        "\r  ✓ {label} ({:.1} s)   ",
        started.elapsed().as_secs_f32()
    );
    out
}

/// Options of `sagshub demo`.
#[derive(Clone, Debug)]
pub struct DemoOptions {
    /// Where the SQLite files go.
    pub data_dir: PathBuf,
    /// Where the hub listens.
    pub listen: String,
    /// Municipality size.
    pub params: Params,
    /// Every department's automation policy.
    pub automation: pipeline::screen::Automation,
}

/// Run the demo until Ctrl-C.
pub async fn run(options: DemoOptions) -> Result<()> {
    std::fs::create_dir_all(&options.data_dir)
        .with_context(|| format!("creating {}", options.data_dir.display()))?;
    eprintln!("sagshub demo — a synthetic municipality (all data generated)");
    let params = options.params.clone();
    let municipality = with_progress(
        "generating the municipality",
        async move { generate(&params) },
    )
    .await;
    eprintln!(
        "    {} citizens, {} staff, {} departments, {} cases, {} documents",
        municipality.citizens.len(),
        municipality.staff.len(),
        municipality.departments.len(),
        municipality.cases.len(),
        municipality.document_count()
    );
    let municipality = Arc::new(municipality);
    let sql_path = options.data_dir.join("skole-legacy.sqlite");
    let _ = std::fs::remove_file(&sql_path);
    let sql_url = sqlite_url(&sql_path);
    let systems = with_progress(
        "starting five case systems and seeding the SQL one",
        start_systems(municipality.clone(), &sql_url),
    )
    .await?;

    let mut settings = Settings::load(None)?;
    settings.server.listen = options.listen.clone();
    settings.store.url = sqlite_url(&options.data_dir.join("hub.sqlite"));
    settings.aktindsigt.blob_dir = options.data_dir.join("blobs");
    settings.aktindsigt.default_automation = options.automation;
    // Digital Post: the file outbox under the data dir, unless `SAGSHUB__DELIVERY__TRANSPORT=http`
    // asks for the HTTP transport; without `http_url` that gets the simulated receiver.
    let mut digital_post = None;
    match settings.delivery.transport {
        schema::services::delivery::TransportKind::Outbox => {
            settings.delivery.outbox_dir = Some(options.data_dir.join("outbox"));
        }
        schema::services::delivery::TransportKind::Http if settings.delivery.http_url.is_none() => {
            let token = uuid::Uuid::new_v4().simple().to_string();
            let listener = TcpListener::bind("127.0.0.1:0").await?;
            let receiver = playground::sim::digitalpost::spawn(&token, listener).await?;
            settings.delivery.http_url = Some(receiver.url());
            settings.delivery.http_token = Some(token);
            digital_post = Some(receiver);
        }
        schema::services::delivery::TransportKind::Http => {}
    }
    // `SAGSHUB__AUTH__HS256_SECRET` (read by `Settings::load`) is kept, so `sagshub token`
    // with the same secret also works against the demo.
    settings.systems = systems.configs.clone();
    let signer = DevSigner::generate_es256(format!(
        "sagshub-demo-{}",
        &uuid::Uuid::new_v4().simple().to_string()[..8]
    ))?;
    let jwks = JwksServer::start(signer.jwks()).await?;
    settings.auth.jwks_url = Some(jwks.url.clone());
    let mint = |subject: &str, identity: DevIdentity| {
        signer.mint(&settings.auth, subject, &identity, 8 * 3600)
    };
    let citizen = municipality.demo_citizen();
    let citizen_token = mint(
        "demo-citizen",
        DevIdentity::Citizen {
            cpr: citizen.cpr.clone(),
        },
    )?;
    let third_party_token = mint(
        "demo-third-party",
        DevIdentity::ThirdParty {
            name: "Advokatfirmaet Demo ApS".into(),
        },
    )?;
    let all_departments: Vec<String> = municipality
        .departments
        .iter()
        .map(|d| d.name.to_owned())
        .collect();
    let caseworker_token = mint(
        "demo-caseworker",
        DevIdentity::Caseworker {
            departments: vec!["Børn og Familie".into(), "Borgerservice".into()],
            clearance: "Foelsom".into(),
        },
    )?;
    let lookup_token = mint(
        "demo-lookup",
        DevIdentity::Caseworker {
            departments: all_departments,
            clearance: "Vip".into(),
        },
    )?;
    let admin_token = mint("demo-admin", DevIdentity::Admin)?;
    settings.playground.default_headers =
        Some(serde_json::json!({ "Authorization": format!("Bearer {citizen_token}") }).to_string());
    settings.playground.default_variables =
        Some(serde_json::json!({ "cpr": citizen.cpr }).to_string());
    // The playground opens as the demo citizen, and GraphiQL's docs and completion need
    // introspection, which citizens do not get by default.
    settings.graphql.introspection_for_citizens = true;

    let listener = TcpListener::bind(&settings.server.listen)
        .await
        .with_context(|| format!("binding {}", settings.server.listen))?;
    let addr = listener.local_addr()?;
    println!();
    println!("  Playground   http://{addr}/playground   (the citizen token is preloaded)");
    println!("  GraphQL      http://{addr}/graphql");
    println!("  Ready        http://{addr}/readyz");
    for (server, (id, kind, _)) in systems
        .servers
        .iter()
        .zip(SYSTEMS.iter().filter(|s| s.1 != "sql"))
    {
        println!("  {kind:<5} {id:<10} {}", server.base_url());
    }
    println!("  sql   skole      {sql_url}");
    match (&digital_post, settings.delivery.transport) {
        (Some(receiver), _) => println!(
            "  Digital Post {}   (simulated receiver, HTTP transport)",
            receiver.url()
        ),
        (None, schema::services::delivery::TransportKind::Outbox) => println!(
            "  Outbox       {}   (one MeMo message per delivered bundle)",
            options.data_dir.join("outbox").display()
        ),
        (None, schema::services::delivery::TransportKind::Http) => println!(
            "  Digital Post {}",
            settings.delivery.http_url.as_deref().unwrap_or_default()
        ),
    }
    println!(
        "  JWKS         {}   (key {}, ES256)",
        jwks.url,
        signer.kid()
    );
    println!();
    println!(
        "  Demo citizen: {} ({}) — party to cases in all five systems",
        citizen.name(),
        citizen.cpr
    );
    println!("  Tokens (valid 8 hours; send as `Authorization: Bearer <token>`):");
    println!("    citizen            {citizen_token}");
    println!("    third party        {third_party_token}");
    println!("    caseworker (BF+BS) {caseworker_token}");
    println!("    caseworker (all)   {lookup_token}");
    println!("    admin              {admin_token}");
    println!();
    println!("  Try: curl -s http://{addr}/graphql -H 'Content-Type: application/json' \\");
    println!(
        "         -H \"Authorization: Bearer $CITIZEN\" -d '{{\"query\":\"{{ myCases {{ totalCount nodes {{ systemId sagsnummer title }} }} }}\"}}'"
    );
    println!("  Ctrl-C stops everything.");
    let _systems = systems; // keep the servers alive until the hub stops
    let _jwks = jwks;
    let _digital_post = digital_post;
    crate::run(listener, settings, async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await
}

/// `sqlite://<path>?mode=rwc`.
pub fn sqlite_url(path: &Path) -> String {
    format!("sqlite://{}?mode=rwc", path.display())
}

/// A JWKS document served on a loopback port, as an identity provider serves its keys.
/// Dropping it stops the server.
pub struct JwksServer {
    /// `http://127.0.0.1:<port>/.well-known/jwks.json`.
    pub url: String,
    task: tokio::task::JoinHandle<()>,
}

impl JwksServer {
    /// Serve `jwks` at `/.well-known/jwks.json` on a fresh loopback port.
    pub async fn start(jwks: serde_json::Value) -> Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .context("binding a loopback port for the JWKS")?;
        let addr = listener.local_addr().context("JWKS listener address")?;
        let app = axum::Router::new().route(
            "/.well-known/jwks.json",
            axum::routing::get(move || {
                let jwks = jwks.clone();
                async move { axum::Json(jwks) }
            }),
        );
        let task = tokio::spawn(async move {
            if let Err(error) = axum::serve(listener, app).await {
                tracing::error!(%error, "the demo JWKS server stopped");
            }
        });
        Ok(Self {
            url: format!("http://{addr}/.well-known/jwks.json"),
            task,
        })
    }
}

impl Drop for JwksServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}
