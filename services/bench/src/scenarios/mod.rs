//! The scenarios: each prepares what it measures (services, databases, data) and hands back the
//! request to repeat; [`crate::load`] offers the load and [`crate::compare`] runs the rounds.

mod case_reads;
mod create_listing;
mod db_baseline;
mod echo_baseline;
mod gateway_read;
mod get_case;
mod report;
pub mod screen_stream;
mod standing;

use std::any::Any;

use crate::args::{BenchArgs, Scenario};
use genuine_runtime::clients::innermost_cause;
use tokio_util::sync::CancellationToken;

use crate::load::Op;

/// A scenario ready to be loaded.
pub struct Prepared {
    /// The request to repeat.
    pub op: Op,
    /// What it runs on, for the table's title ("PostgreSQL", "SQLite", "no database").
    pub backend: &'static str,
    /// What was seeded, for the table's title.
    pub data: String,
    /// Servers and databases that must live as long as the load runs.
    pub keep: Box<dyn Any + Send>,
}

impl std::fmt::Debug for Prepared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Prepared")
            .field("backend", &self.backend)
            .field("data", &self.data)
            .finish_non_exhaustive()
    }
}

/// Starts and seeds what `scenario` needs.
///
/// # Errors
/// Databases, services or seeding that fail.
pub async fn prepare(scenario: Scenario, args: &BenchArgs) -> anyhow::Result<Prepared> {
    match scenario {
        Scenario::CreateListing => create_listing::prepare(args).await,
        Scenario::DbBaseline => db_baseline::prepare(args).await,
        Scenario::EchoBaseline => echo_baseline::prepare(args).await,
        Scenario::Standing => standing::prepare(args).await,
        Scenario::GatewayRead => gateway_read::prepare(args).await,
        Scenario::GetCase => get_case::prepare(args).await,
        Scenario::Report => report::prepare(args).await,
        Scenario::ScreenStream | Scenario::IdleRss => anyhow::bail!(
            "{} is not a request-per-call load: it runs on its own (compare::run)",
            scenario.name()
        ),
    }
}

/// Stops a server running in this process when the scenario is dropped.
struct StopOnDrop(CancellationToken);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        self.0.cancel();
    }
}

/// `message` carrying `token` as its bearer token.
///
/// # Panics
/// When `token` is not ASCII (tokens this tool mints always are).
pub fn authed<T>(message: T, token: &str) -> tonic::Request<T> {
    let mut request = tonic::Request::new(message);
    request.metadata_mut().insert(
        "authorization",
        format!("Bearer {token}").parse().expect("ascii token"),
    );
    request
}

/// The label a failed call is counted under: its gRPC code, and for the codes that the client's
/// own transport produces (a reset stream, a dropped connection) the start of the message, which
/// is the only thing that tells those causes apart.
#[must_use]
pub fn status_label(status: &tonic::Status) -> String {
    match status.code() {
        tonic::Code::Unknown | tonic::Code::Cancelled => {
            // The innermost source names the cause ("stream error received: refused stream").
            let cause: String = innermost_cause(status).chars().take(60).collect();
            format!("{:?} ({cause})", status.code())
        }
        code => format!("{code:?}"),
    }
}
