//! The command line of `genuine bench`: a scenario, how to load it, and how big its data is.

use std::time::Duration;

use clap::{Args, ValueEnum};

/// What to measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, ValueEnum)]
pub enum Scenario {
    /// CreateListing end to end: screening against the brands and hashes, standing call to
    /// seller-reputation, the listing, its hold and its outbox notice written.
    CreateListing,
    /// The rows CreateListing writes (listing with its idempotency key, hold, outbox message),
    /// by plain SQL over one connection per worker: the database's own limit.
    DbBaseline,
    /// A minimal tonic unary service echoing a CreateListing-sized message: the RPC framework's
    /// limit.
    EchoBaseline,
    /// GetSellerStanding on seller-reputation.
    Standing,
    /// ScreenListings (the bidi stream) over one stream and over `--streams` streams: listings
    /// screened per second against the brand catalogue.
    ScreenStream,
    /// GET /v1/cases/{id} through the regulator gateway in front of a real enforcement.
    GatewayRead,
    /// GetCase on enforcement directly over gRPC, with the same regulator token: the gateway's
    /// baseline.
    GetCase,
    /// GetTransparencyReport for a year over the counters `--cases` cases leave.
    Report,
    /// Resident memory of each service started as its own process, idle, and of the listing
    /// service with the `--hashes` index loaded.
    IdleRss,
}

impl Scenario {
    /// The name on the command line and in tables.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::CreateListing => "create-listing",
            Self::DbBaseline => "db-baseline",
            Self::EchoBaseline => "echo-baseline",
            Self::Standing => "standing",
            Self::ScreenStream => "screen-stream",
            Self::GatewayRead => "gateway-read",
            Self::GetCase => "get-case",
            Self::Report => "report",
            Self::IdleRss => "idle-rss",
        }
    }

    /// Every scenario, in the order the issue ranks them.
    pub const ALL: [Self; 9] = [
        Self::CreateListing,
        Self::DbBaseline,
        Self::EchoBaseline,
        Self::Standing,
        Self::ScreenStream,
        Self::GatewayRead,
        Self::GetCase,
        Self::Report,
        Self::IdleRss,
    ];
}

/// `genuine bench <scenario> [options]`.
#[derive(Debug, Clone, Args)]
pub struct BenchArgs {
    /// The scenario to run.
    #[arg(value_enum)]
    pub scenario: Scenario,
    /// Also run this scenario, alternating with the first, and print medians and the ratio.
    #[arg(long, value_enum)]
    pub compare: Option<Scenario>,
    /// Rounds of each scenario when comparing.
    #[arg(long, default_value_t = 3)]
    pub rounds: usize,
    /// Closed loop: this many workers, each sending its next request when the last answered.
    #[arg(long, default_value_t = 32)]
    pub concurrency: usize,
    /// Open loop instead: requests started at this fixed rate per second, whatever the answers.
    #[arg(long)]
    pub rate: Option<u64>,
    /// HTTP/2 channels the workers share (requests are spread over them).
    #[arg(long, default_value_t = 4)]
    pub channels: usize,
    /// Load before measuring starts (pools fill, caches warm).
    #[arg(long, default_value = "3s", value_parser = humantime::parse_duration)]
    pub warmup: Duration,
    /// Measured time of each round.
    #[arg(long, default_value = "15s", value_parser = humantime::parse_duration)]
    pub duration: Duration,
    /// Brand names in the screening catalogue (each with two aliases).
    #[arg(long, default_value_t = 10_000)]
    pub brands: usize,
    /// Known-counterfeit PDQ hashes in the screening index.
    #[arg(long, default_value_t = 1_000_000)]
    pub hashes: usize,
    /// Registered sellers the load is spread over.
    #[arg(long, default_value_t = 200)]
    pub sellers: usize,
    /// screen-stream: the concurrent streams of the second measurement (the first is one).
    #[arg(long, default_value_t = 4)]
    pub streams: usize,
    /// report: cases whose counters the report sums (a year, spread over the 30 EU/EEA
    /// jurisdictions).
    #[arg(long, default_value_t = 1_000_000)]
    pub cases: u64,
    /// idle-rss: how long each service sits idle before its memory is read.
    #[arg(long, default_value = "5s", value_parser = humantime::parse_duration)]
    pub idle: Duration,
    /// Seed of every generated value, so runs compare like with like.
    #[arg(long, default_value_t = 8)]
    pub seed: u64,
    /// PostgreSQL admin URL; each service gets a fresh database there, dropped afterwards.
    /// Without it every database is a SQLite file in a temporary folder.
    #[arg(long, env = "GENUINE_TEST_POSTGRES_URL")]
    pub postgres_url: Option<String>,
    /// A few seconds with tiny data: proves the scenario works, measures nothing.
    #[arg(long)]
    pub smoke: bool,
    /// A service setting for the run, over the scenario's own, e.g.
    /// `--set GENUINE_LISTING_ADAPTIVE_CONCURRENCY=false`; repeatable.
    #[arg(long = "set", value_name = "KEY=VALUE", value_parser = setting)]
    pub settings: Vec<(String, String)>,
}

/// Parses one `--set KEY=VALUE`.
fn setting(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((key, value)) if key.starts_with("GENUINE_") => Ok((key.to_owned(), value.to_owned())),
        _ => Err(format!("expected GENUINE_<NAME>=<value>, got {text:?}")),
    }
}

impl BenchArgs {
    /// Defaults for `scenario` (what `genuine bench <scenario>` would use without flags).
    #[must_use]
    pub fn new(scenario: Scenario) -> Self {
        Self {
            scenario,
            compare: None,
            rounds: 3,
            concurrency: 32,
            rate: None,
            channels: 4,
            warmup: Duration::from_secs(3),
            duration: Duration::from_secs(15),
            brands: 10_000,
            hashes: 1_000_000,
            sellers: 200,
            streams: 4,
            cases: 1_000_000,
            idle: Duration::from_secs(5),
            seed: 8,
            postgres_url: None,
            smoke: false,
            settings: Vec::new(),
        }
    }

    /// The arguments with `--smoke` applied: tiny data, short rounds, one round per scenario.
    #[must_use]
    pub fn effective(&self) -> Self {
        if !self.smoke {
            return self.clone();
        }
        Self {
            rounds: 1,
            concurrency: self.concurrency.min(4),
            rate: self.rate.map(|r| r.min(50)),
            channels: self.channels.min(2),
            warmup: Duration::from_millis(200),
            duration: Duration::from_millis(800),
            brands: self.brands.min(50),
            hashes: self.hashes.min(1_000),
            sellers: self.sellers.min(4),
            streams: self.streams.min(2),
            cases: self.cases.min(5_000),
            idle: self.idle.min(Duration::from_millis(500)),
            ..self.clone()
        }
    }
}
