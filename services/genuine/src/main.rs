//! `genuine`: the whole suite in one binary.
//!
//! - `genuine up` runs every service in one process on the embedded default (SQLite files under
//!   `./data`), creating a signing secret on first start and printing ready tokens.
//! - `genuine serve <service>` and `genuine migrate <service>` run one service: what a container
//!   runs.
//! - `genuine token` mints a token with the configured secret.
//! - `genuine listing …`, `genuine seller …`, `genuine notice|case|appeal|report|audit|…` are
//!   the client commands of the services.

mod cli;
mod client_commands;
mod secret_file;
mod suite;
mod token;
mod up;

use clap::Parser;
use genuine_runtime::config::Source;

use crate::cli::{Cli, Command};

/// mimalloc instead of glibc malloc: screening allocates many short-lived strings per draft,
/// and glibc's malloc and free took about a third of the ScreenListings profile
/// (docs/benchmarks.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let mut source = Source::from_env()?;
    if let Some(dir) = &cli.data_dir {
        source.set("GENUINE_DATA_DIR", dir.display().to_string());
    }
    match cli.command {
        Command::Up(args) => up::run(source, args).await,
        Command::Serve { service } => suite::serve_one(source, service).await,
        Command::Migrate { service } => suite::migrate_one(source, service).await,
        Command::Token(args) => token::run(&source, &args),
        Command::Listing { command } => {
            // Like the other client commands, fall back to the embedded default's secret.
            if let Ok((secret, _)) = secret_file::load_or_create(&source, false) {
                source.set("GENUINE_AUTH_SECRET", secret.expose());
            }
            genuine_listing::cli::run(&source, command).await
        }
        Command::Seller { client, command } => {
            let (url, token) = client_commands::resolve(&source, &client, "REPUTATION", 50052)?;
            genuine_reputation::cli::run(command, &url, &token).await
        }
        Command::Enforcement(command) => {
            let client = cli::ClientArgs {
                url: None,
                token: std::env::var("GENUINE_TOKEN").ok(),
            };
            let (url, token) = client_commands::resolve(&source, &client, "ENFORCEMENT", 50053)?;
            genuine_enforcement::cli::run(command, &url, &token).await
        }
        Command::Bench(args) => genuine_bench::run(args).await,
    }
}
