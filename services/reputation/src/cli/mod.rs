//! `genuine seller …`: the operator and client commands of the reputation service.
//!
//! The binary mounts [`SellerCommand`] as a sub-command and calls [`run`] with the service's
//! endpoint and a bearer token.

mod csv;
mod import;
mod print;
mod record;

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;
use chrono::{DateTime, Utc};
use clap::{Subcommand, ValueEnum};
use genuine_contracts::genuine::reputation::v1 as pb;
use genuine_contracts::genuine::reputation::v1::seller_reputation_service_client::SellerReputationServiceClient;
use genuine_runtime::clients::{ClientConfig, ServiceChannel, ServiceCredentials, service_channel};

pub use import::Summary;
pub use record::SellerRecord;

/// A client of the reputation service with the caller's token.
pub type Client = SellerReputationServiceClient<ServiceChannel>;

/// `genuine seller …` sub-commands.
#[derive(Debug, Clone, Subcommand)]
pub enum SellerCommand {
    /// Register a seller from flags, or from a JSON file with the same field names.
    Register {
        /// A JSON object with RegisterSeller's fields (flags are ignored when given).
        #[arg(long)]
        json: Option<PathBuf>,
        #[command(flatten)]
        record: Box<SellerRecord>,
    },
    /// Show a seller (traceability data if the token may read it).
    Get { seller_id: String },
    /// Show the standing of one or more sellers.
    Standing {
        #[arg(required = true)]
        seller_ids: Vec<String>,
    },
    /// List sellers, page by page until the end.
    List {
        #[arg(long, value_enum)]
        tier: Option<TierArg>,
        #[arg(long, value_enum)]
        verification: Option<VerificationArg>,
        /// Stop after this many sellers.
        #[arg(long, default_value_t = 1000)]
        limit: usize,
    },
    /// Record the outcome of verifying a seller.
    Verify {
        seller_id: String,
        #[arg(long, value_enum)]
        outcome: OutcomeArg,
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Suspend a seller (all its listings are taken down).
    Suspend {
        seller_id: String,
        #[arg(long)]
        reason: String,
        /// End of the suspension (RFC 3339); default the configured period.
        #[arg(long)]
        until: Option<DateTime<Utc>>,
    },
    /// End a seller's suspension (its listings come back).
    Reinstate {
        seller_id: String,
        #[arg(long)]
        reason: String,
    },
    /// Register sellers in bulk from a CSV or JSONL file.
    Import { file: PathBuf },
}

/// Tier filter values.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum TierArg {
    Trusted,
    Good,
    Watch,
    Restricted,
    Suspended,
}

/// Verification status filter values.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum VerificationArg {
    Pending,
    Verified,
    Rejected,
}

/// Verification outcomes.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum OutcomeArg {
    Verified,
    Rejected,
}

/// Connects to `endpoint` (e.g. `http://127.0.0.1:50052`) with `token`.
///
/// # Errors
/// A bad endpoint or token.
pub fn connect(endpoint: &str, token: &str) -> anyhow::Result<Client> {
    let credentials =
        ServiceCredentials::static_token(token).context("the token is not a valid header value")?;
    let channel = service_channel(&ClientConfig::new(endpoint), credentials)
        .with_context(|| format!("bad endpoint {endpoint:?}"))?;
    Ok(SellerReputationServiceClient::new(channel))
}

/// Runs `cmd` against the service at `endpoint`, printing to stdout (progress to stderr).
///
/// # Errors
/// The service's answer, said plainly, or a file that cannot be read.
pub async fn run(cmd: SellerCommand, endpoint: &str, token: &str) -> anyhow::Result<()> {
    let client = connect(endpoint, token)?;
    let mut stdout = std::io::stdout();
    let mut stderr = std::io::stderr();
    run_with(cmd, &client, &mut stdout, &mut stderr).await
}

/// Like [`run`] with a given client and outputs (tests capture them).
///
/// # Errors
/// As [`run`].
pub async fn run_with(
    cmd: SellerCommand,
    client: &Client,
    out: &mut dyn Write,
    progress: &mut dyn Write,
) -> anyhow::Result<()> {
    let mut c = client.clone();
    match cmd {
        SellerCommand::Register { json, record } => {
            let record = match json {
                Some(path) => {
                    let text = std::fs::read_to_string(&path)
                        .with_context(|| format!("cannot read {}", path.display()))?;
                    serde_json::from_str(&text)
                        .with_context(|| format!("{} is not a seller record", path.display()))?
                }
                None => *record,
            };
            let seller = c
                .register_seller(record.into_request("flags"))
                .await
                .map_err(status)?;
            print::seller(out, seller.get_ref().seller.as_ref())?;
        }
        SellerCommand::Get { seller_id } => {
            let seller = c
                .get_seller(pb::GetSellerRequest { seller_id })
                .await
                .map_err(status)?;
            print::seller(out, seller.get_ref().seller.as_ref())?;
        }
        SellerCommand::Standing { seller_ids } => {
            let found = c
                .batch_get_seller_standings(pb::BatchGetSellerStandingsRequest { seller_ids })
                .await
                .map_err(status)?
                .into_inner();
            for standing in &found.standings {
                print::standing(out, standing)?;
            }
            for missing in &found.missing_seller_ids {
                writeln!(out, "{missing}\tnot found")?;
            }
        }
        SellerCommand::List {
            tier,
            verification,
            limit,
        } => list(&mut c, tier, verification, limit, out).await?,
        SellerCommand::Verify {
            seller_id,
            outcome,
            note,
        } => {
            let outcome = match outcome {
                OutcomeArg::Verified => pb::VerificationOutcome::Verified,
                OutcomeArg::Rejected => pb::VerificationOutcome::Rejected,
            };
            let request = pb::VerifySellerRequest {
                seller_id,
                outcome: outcome.into(),
                note,
            };
            let seller = c.verify_seller(request).await.map_err(status)?;
            print::seller(out, seller.get_ref().seller.as_ref())?;
        }
        SellerCommand::Suspend {
            seller_id,
            reason,
            until,
        } => {
            let request = pb::SuspendSellerRequest {
                seller_id,
                reason,
                until: until.map(crate::api::convert::timestamp),
            };
            let response = c
                .suspend_seller(request)
                .await
                .map_err(status)?
                .into_inner();
            print::standing(out, &response.standing.unwrap_or_default())?;
        }
        SellerCommand::Reinstate { seller_id, reason } => {
            let response = c
                .reinstate_seller(pb::ReinstateSellerRequest { seller_id, reason })
                .await
                .map_err(status)?
                .into_inner();
            print::standing(out, &response.standing.unwrap_or_default())?;
        }
        SellerCommand::Import { file } => {
            let lines = import::read(&file)?;
            let name = file.display().to_string();
            let summary = import::run(client, &name, lines, progress).await;
            writeln!(
                out,
                "registered {}, failed {}",
                summary.registered,
                summary.failed.len()
            )?;
            for (line, why) in &summary.failed {
                writeln!(out, "{name}:{line}: {why}")?;
            }
            if !summary.failed.is_empty() {
                anyhow::bail!(
                    "{} of the records were not registered",
                    summary.failed.len()
                );
            }
        }
    }
    Ok(())
}

async fn list(
    c: &mut Client,
    tier: Option<TierArg>,
    verification: Option<VerificationArg>,
    limit: usize,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let tier = tier.map_or(pb::SellerTier::Unspecified, |t| match t {
        TierArg::Trusted => pb::SellerTier::Trusted,
        TierArg::Good => pb::SellerTier::Good,
        TierArg::Watch => pb::SellerTier::Watch,
        TierArg::Restricted => pb::SellerTier::Restricted,
        TierArg::Suspended => pb::SellerTier::Suspended,
    });
    let verification = verification.map_or(pb::VerificationStatus::Unspecified, |v| match v {
        VerificationArg::Pending => pb::VerificationStatus::Pending,
        VerificationArg::Verified => pb::VerificationStatus::Verified,
        VerificationArg::Rejected => pb::VerificationStatus::Rejected,
    });
    let mut page_token = String::new();
    let mut shown = 0;
    loop {
        let request = pb::ListSellersRequest {
            tier: tier.into(),
            verification_status: verification.into(),
            page_size: 200,
            page_token,
        };
        let page = c.list_sellers(request).await.map_err(status)?.into_inner();
        for seller in &page.sellers {
            if shown == limit {
                return Ok(());
            }
            print::seller_line(out, seller)?;
            shown += 1;
        }
        if page.next_page_token.is_empty() {
            return Ok(());
        }
        page_token = page.next_page_token;
    }
}

/// A status as an error a person can read, with every bad field.
fn status(status: tonic::Status) -> anyhow::Error {
    let error = genuine_runtime::errors::ServiceError::from_status(&status);
    let mut text = format!("{:?}: {}", status.code(), status.message());
    for field in error.field_violations() {
        text.push_str(&format!("\n  {}: {}", field.field, field.description));
    }
    anyhow::Error::msg(text)
}
