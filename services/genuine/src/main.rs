//! `genuine`: the whole suite in one binary.
//!
//! - `genuine up` runs every service in one process on the embedded default (SQLite files under
//!   `./data`), creating a signing secret on first start and printing ready tokens.
//! - `genuine serve <service>` and `genuine migrate <service>` run one service: what a container
//!   runs.
//! - `genuine token` mints a token with the configured secret.

mod cli;
mod secret_file;
mod suite;
mod token;
mod up;

use clap::Parser;
use genuine_runtime::config::Source;

use crate::cli::{Cli, Command};

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
    }
}
