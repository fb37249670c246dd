//! `sagshub`: serve, demo, migrate, schema, token.

use std::path::PathBuf;

use anyhow::{Context, Result};
use api::auth::{DevIdentity, mint_dev_token};
use api::settings::Settings;
use clap::{Parser, Subcommand, ValueEnum};

/// sagshub — one GraphQL API over a municipality's case systems.
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the hub with a settings file (and SAGSHUB__* environment overrides).
    Serve {
        /// The TOML settings file.
        #[arg(long, short)]
        config: Option<PathBuf>,
    },
    /// Run the simulated municipality, the hub on SQLite and the playground, on loopback.
    Demo {
        /// Where the demo's SQLite files go.
        #[arg(long, default_value = "demo-data")]
        data_dir: PathBuf,
        /// Where the hub listens.
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: String,
        /// Size of the synthetic municipality.
        #[arg(long, value_enum, default_value_t = Scale::Demo)]
        scale: Scale,
    },
    /// Bring the store's schema up to date and exit.
    Migrate {
        /// The TOML settings file.
        #[arg(long, short)]
        config: Option<PathBuf>,
    },
    /// Print the GraphQL schema (SDL).
    Schema,
    /// Mint a development token (needs auth.hs256_secret).
    Token {
        /// The TOML settings file.
        #[arg(long, short)]
        config: Option<PathBuf>,
        /// Role.
        #[arg(long, value_enum)]
        role: TokenRole,
        /// Subject.
        #[arg(long, default_value = "dev")]
        subject: String,
        /// CPR number, for a citizen.
        #[arg(long)]
        cpr: Option<String>,
        /// Departments, for a caseworker (repeatable).
        #[arg(long = "department")]
        departments: Vec<String>,
        /// Clearance, for a caseworker.
        #[arg(long, default_value = "IkkeFortrolig")]
        clearance: String,
        /// Lifetime in seconds.
        #[arg(long, default_value_t = 3600)]
        ttl: u64,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum Scale {
    /// A few thousand cases.
    Demo,
    /// A few dozen cases.
    Small,
}

#[derive(Clone, Copy, ValueEnum)]
enum TokenRole {
    Citizen,
    Caseworker,
    Admin,
}

fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
}

#[tokio::main]
async fn main() -> Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Command::Serve { config } => {
            init_tracing();
            let settings = Settings::load(config.as_deref())?;
            let listener = tokio::net::TcpListener::bind(&settings.server.listen)
                .await
                .with_context(|| format!("binding {}", settings.server.listen))?;
            api::run(listener, settings, async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await
        }
        Command::Demo {
            data_dir,
            listen,
            scale,
        } => {
            let filter = tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
            tracing_subscriber::fmt()
                .with_env_filter(filter)
                .with_writer(std::io::stderr)
                .init();
            let params = match scale {
                Scale::Demo => playground::municipality::Params::demo(),
                Scale::Small => playground::municipality::Params::small(),
            };
            api::demo::run(api::demo::DemoOptions {
                data_dir,
                listen,
                params,
            })
            .await
        }
        Command::Migrate { config } => {
            init_tracing();
            let settings = Settings::load(config.as_deref())?;
            api::connect_store(&settings).await?;
            println!(
                "store is up to date: {}",
                api::redact_url(&settings.store.url)
            );
            Ok(())
        }
        Command::Schema => {
            print!("{}", schema::sdl());
            Ok(())
        }
        Command::Token {
            config,
            role,
            subject,
            cpr,
            departments,
            clearance,
            ttl,
        } => {
            let settings = Settings::load(config.as_deref())?;
            let identity = match role {
                TokenRole::Citizen => DevIdentity::Citizen {
                    cpr: cpr.context("--cpr is required for a citizen token")?,
                },
                TokenRole::Caseworker => DevIdentity::Caseworker {
                    departments,
                    clearance,
                },
                TokenRole::Admin => DevIdentity::Admin,
            };
            println!(
                "{}",
                mint_dev_token(&settings.auth, &subject, &identity, ttl)?
            );
            Ok(())
        }
    }
}
