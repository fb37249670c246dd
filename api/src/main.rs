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
        /// The automation policy of every department in the demo: `manual` (a caseworker
        /// reviews and approves each request), `auto-when-clean`, or `automatic` (requests go
        /// from submission to approval without a person).
        #[arg(long, value_enum, default_value_t = DemoAutomation::Manual)]
        automation: DemoAutomation,
    },
    /// Bring the store's schema up to date and exit.
    Migrate {
        /// The TOML settings file.
        #[arg(long, short)]
        config: Option<PathBuf>,
    },
    /// Print the GraphQL schema (SDL).
    Schema,
    /// The audit log.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Personal-data detection: evaluate, scan files, benchmark, write a labelled corpus.
    Detect {
        #[command(subcommand)]
        command: DetectCommand,
    },
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
        /// Display name, for a third party (who they are: a firm, a union, a relative).
        #[arg(long)]
        name: Option<String>,
        /// Lifetime in seconds.
        #[arg(long, default_value_t = 3600)]
        ttl: u64,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Check the audit log's hash chain; exits 1 and names the first bad row if it was altered.
    Verify {
        /// The TOML settings file.
        #[arg(long, short)]
        config: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum DetectCommand {
    /// Precision, recall and F2 per label on a JSONL corpus (character offsets).
    Eval {
        /// The corpus: `{"id","text","spans":[{"start","end","label"}]}` per line.
        corpus: PathBuf,
    },
    /// Print the findings in files as JSON lines.
    Scan {
        /// Files: text directly; PDF, .docx, .eml and HTML through text extraction.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Single-core MB/s on generated case text and on the hard cases.
    Bench {
        /// The hard-case corpus.
        #[arg(long, default_value = "pipeline/fixtures/detect/hard_cases.jsonl")]
        hard_cases: PathBuf,
        /// Seed of the generated text.
        #[arg(long, default_value_t = 4242)]
        seed: u64,
        /// Size of each benchmark text in MB.
        #[arg(long, default_value_t = 20)]
        megabytes: usize,
        /// Passes over each text.
        #[arg(long, default_value_t = 3)]
        rounds: usize,
    },
    /// Write a labelled JSONL corpus from the synthetic municipality.
    Corpus {
        /// Generator seed (use one the detector was not tuned on).
        #[arg(long)]
        seed: u64,
        /// Number of cases.
        #[arg(long, default_value_t = 20)]
        cases: usize,
        /// Output file.
        out: PathBuf,
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
    /// A citizen (`--cpr`).
    Citizen,
    /// A third party acting for citizens under a consent (`--name`).
    ThirdParty,
    /// A caseworker (`--department`, `--clearance`).
    Caseworker,
    /// An administrator.
    Admin,
}

fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(api::logging::Redacting(std::io::stderr))
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
            api::run(listener, settings, shutdown_signal()).await
        }
        Command::Demo {
            data_dir,
            listen,
            scale,
            automation,
        } => {
            let filter = tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
            tracing_subscriber::fmt()
                .with_env_filter(filter)
                .with_writer(api::logging::Redacting(std::io::stderr))
                .init();
            let params = match scale {
                Scale::Demo => playground::municipality::Params::demo(),
                Scale::Small => playground::municipality::Params::small(),
            };
            api::demo::run(api::demo::DemoOptions {
                data_dir,
                listen,
                params,
                automation: match automation {
                    DemoAutomation::Manual => pipeline::screen::Automation::Manual,
                    DemoAutomation::AutoWhenClean => pipeline::screen::Automation::AutoWhenClean,
                    DemoAutomation::Automatic => pipeline::screen::Automation::Automatic,
                },
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
        Command::Detect { command } => match command {
            DetectCommand::Eval { corpus } => api::detect_cli::eval(&corpus),
            DetectCommand::Scan { files } => api::detect_cli::scan(&files),
            DetectCommand::Bench {
                hard_cases,
                seed,
                megabytes,
                rounds,
            } => api::detect_cli::bench(&hard_cases, seed, megabytes, rounds),
            DetectCommand::Corpus { seed, cases, out } => {
                api::detect_cli::corpus(seed, cases, &out)
            }
        },
        Command::Audit {
            command: AuditCommand::Verify { config },
        } => {
            let settings = Settings::load(config.as_deref())?;
            let store = api::connect_store(&settings).await?;
            let line = api::audit_verify(&store).await?;
            println!("{line}");
            if !line.starts_with("audit log intact") {
                std::process::exit(1);
            }
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
            name,
            ttl,
        } => {
            let settings = Settings::load(config.as_deref())?;
            let identity = match role {
                TokenRole::Citizen => DevIdentity::Citizen {
                    cpr: cpr.context("--cpr is required for a citizen token")?,
                },
                TokenRole::ThirdParty => DevIdentity::ThirdParty {
                    name: name.context("--name is required for a third-party token")?,
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

/// Which automation policy the demo's departments get.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
enum DemoAutomation {
    /// A caseworker approves every request.
    Manual,
    /// Released without review when nothing is found.
    AutoWhenClean,
    /// Released without a person.
    Automatic,
}

/// Ctrl-C or SIGTERM (what `kill`, systemd and container runtimes send): stop gracefully.
async fn shutdown_signal() {
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(s) => s,
                Err(_) => {
                    let _ = tokio::signal::ctrl_c().await;
                    return;
                }
            };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
