//! `genuine bench`: a load generator for the suite that measures each claim beside the limit it
//! is bounded by (the database, the RPC framework), in the same run, because the machines it runs
//! on are shared and noisy: ratios and medians of alternating rounds mean something, a single
//! absolute figure does not.
//!
//! Each scenario starts what it needs in-process (fresh databases: PostgreSQL when a server is
//! given, else SQLite), seeds deterministic data from a fixed seed, drives load through tonic
//! clients over several channels ([`load`]) and prints one table ([`report`]). Two scenarios
//! are not a request repeated: `screen-stream` drives bidi streams
//! ([`scenarios::screen_stream`]) and `idle-rss` starts each service as its own process and
//! reads its memory ([`idle_rss`]).

pub mod args;
pub mod compare;
pub mod database;
pub mod idle_rss;
pub mod load;
pub mod report;
pub mod scenarios;
pub mod seed;
pub mod stub;
pub mod suite;

pub use args::{BenchArgs, Scenario};

/// Runs the benchmark `args` describes and prints its table(s) on stdout.
///
/// # Errors
/// A scenario that cannot start (database, services, seeding) or a comparison with itself.
pub async fn run(args: BenchArgs) -> anyhow::Result<()> {
    let outcome = compare::run(&args).await?;
    println!("{outcome}");
    Ok(())
}
