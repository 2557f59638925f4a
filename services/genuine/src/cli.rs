//! The command line.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// genuine: keep counterfeit and substandard goods off a marketplace, and let regulators verify it.
#[derive(Debug, Parser)]
#[command(name = "genuine", version, about)]
pub struct Cli {
    /// Folder of the embedded SQLite databases and the generated secrets (GENUINE_DATA_DIR).
    #[arg(long, global = true)]
    pub data_dir: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run every service in one process on the embedded default.
    Up(UpArgs),
    /// Run one service (what a container runs); settings from GENUINE_* variables.
    Serve {
        /// The service to run.
        service: ServiceKind,
    },
    /// Apply one service's database migrations and exit.
    Migrate {
        /// The service whose database to migrate.
        service: ServiceKind,
    },
    /// Mint a bearer token with the configured secret (GENUINE_AUTH_SECRET, or the data dir's).
    Token(TokenArgs),
    /// Listings, brands, counterfeit hashes, re-screening (listing service).
    Listing {
        #[command(subcommand)]
        command: genuine_listing::cli::ListingCommand,
    },
    /// Sellers: register, verify, standing, suspend, import (seller-reputation service).
    Seller {
        #[command(flatten)]
        client: ClientArgs,
        #[command(subcommand)]
        command: genuine_reputation::cli::SellerCommand,
    },
    /// Notices, cases, counter-notices, appeals, reports, audit log, statements (enforcement).
    #[command(flatten)]
    Enforcement(genuine_enforcement::cli::EnforcementCommand),
    /// Load generator and benchmarks, each measured beside its limit in the same run.
    Bench(genuine_bench::BenchArgs),
}

/// How a client command reaches its service.
#[derive(Debug, Args)]
pub struct ClientArgs {
    /// Service URL (default: GENUINE_<SERVICE>_URL, else the embedded default's address).
    #[arg(long, global = true)]
    pub url: Option<String>,
    /// Bearer token (default: GENUINE_TOKEN, else an admin token minted with the configured secret).
    #[arg(long, global = true, env = "GENUINE_TOKEN", hide_env_values = true)]
    pub token: Option<String>,
}

/// The services of the suite.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ServiceKind {
    Listing,
    Reputation,
    Enforcement,
    Gateway,
}

#[derive(Debug, Args)]
pub struct UpArgs {
    /// Address every service binds to.
    #[arg(long, default_value = "127.0.0.1")]
    pub host: String,
    /// Port of the listing service.
    #[arg(long, default_value_t = 50051)]
    pub listing_port: u16,
    /// Port of the seller-reputation service.
    #[arg(long, default_value_t = 50052)]
    pub reputation_port: u16,
    /// Port of the enforcement service.
    #[arg(long, default_value_t = 50053)]
    pub enforcement_port: u16,
    /// Port of the regulator gateway (HTTP).
    #[arg(long, default_value_t = 8080)]
    pub gateway_port: u16,
    /// Lifetime of the printed tokens.
    #[arg(long, default_value = "12h", value_parser = humantime::parse_duration)]
    pub token_ttl: std::time::Duration,
}

#[derive(Debug, Args)]
pub struct TokenArgs {
    /// Role of the principal (admin, reviewer, rights_holder, seller, consumer, trusted_flagger,
    /// regulator, service:listing, …). Repeat for several.
    #[arg(long = "role", required = true)]
    pub roles: Vec<String>,
    /// Subject (the principal's id); defaults to the first role.
    #[arg(long)]
    pub subject: Option<String>,
    /// Agency, for a regulator.
    #[arg(long)]
    pub agency: Option<String>,
    /// Jurisdiction (ISO 3166-1 alpha-2), for a regulator.
    #[arg(long)]
    pub jurisdiction: Option<String>,
    /// Scope, for the gateway (repeatable), e.g. cases:read.
    #[arg(long = "scope")]
    pub scopes: Vec<String>,
    /// Lifetime, e.g. 1h, 30m, 7d.
    #[arg(long, default_value = "1h", value_parser = humantime::parse_duration)]
    pub ttl: std::time::Duration,
}
