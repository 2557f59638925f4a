//! The services of the suite, and running one of them on its own.

use std::net::SocketAddr;

use anyhow::Context;
use genuine_runtime::clock::{self, SharedClock};
use genuine_runtime::config::{ServiceSettings, Source};
use genuine_runtime::serving::shutdown_on_signals;
use genuine_runtime::telemetry::{self, TelemetryConfig};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use crate::cli::ServiceKind;

impl ServiceKind {
    /// Every service, in start-up order.
    pub const ALL: [Self; 4] = [
        Self::Reputation,
        Self::Listing,
        Self::Enforcement,
        Self::Gateway,
    ];

    /// The service's name in settings and logs.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Listing => genuine_listing::NAME,
            Self::Reputation => genuine_reputation::NAME,
            Self::Enforcement => genuine_enforcement::NAME,
            Self::Gateway => genuine_gateway::NAME,
        }
    }

    /// The port it listens on by default.
    pub const fn default_port(self) -> u16 {
        match self {
            Self::Listing => genuine_listing::DEFAULT_PORT,
            Self::Reputation => genuine_reputation::DEFAULT_PORT,
            Self::Enforcement => genuine_enforcement::DEFAULT_PORT,
            Self::Gateway => genuine_gateway::DEFAULT_PORT,
        }
    }

    /// Where it listens, from `GENUINE_<SERVICE>_LISTEN_ADDR`.
    pub fn listen_addr(self, source: &Source) -> anyhow::Result<SocketAddr> {
        Ok(ServiceSettings::load(source, self.name(), self.default_port())?.listen_addr)
    }

    /// Applies its migrations.
    pub async fn migrate(self, source: &Source) -> anyhow::Result<()> {
        match self {
            Self::Listing => genuine_listing::migrate(source).await,
            Self::Reputation => genuine_reputation::migrate(source).await,
            Self::Enforcement => genuine_enforcement::migrate(source).await,
            // The gateway owns no database: nothing to migrate.
            Self::Gateway => Ok(()),
        }
    }

    /// Serves until `shutdown` is cancelled.
    pub async fn serve(
        self,
        source: &Source,
        listener: TcpListener,
        clock: SharedClock,
        shutdown: CancellationToken,
    ) -> anyhow::Result<()> {
        match self {
            Self::Listing => genuine_listing::serve(source, listener, clock, shutdown).await,
            Self::Reputation => genuine_reputation::serve(source, listener, clock, shutdown).await,
            Self::Enforcement => {
                genuine_enforcement::serve(source, listener, clock, shutdown).await
            }
            Self::Gateway => genuine_gateway::serve(source, listener, clock, shutdown).await,
        }
    }
}

/// `genuine serve <service>`.
pub async fn serve_one(source: Source, service: ServiceKind) -> anyhow::Result<()> {
    let _telemetry = telemetry::init(&TelemetryConfig::load(&source, service.name())?);
    let addr = service.listen_addr(&source)?;
    let listener = TcpListener::bind(addr)
        .await
        .with_context(|| format!("{}: cannot listen on {addr}", service.name()))?;
    tracing::info!(service = service.name(), %addr, "serving");
    service
        .serve(&source, listener, clock::system(), shutdown_on_signals())
        .await
}

/// `genuine migrate <service>`.
pub async fn migrate_one(source: Source, service: ServiceKind) -> anyhow::Result<()> {
    let _telemetry = telemetry::init(&TelemetryConfig::load(&source, service.name())?);
    service.migrate(&source).await?;
    tracing::info!(service = service.name(), "migrations applied");
    Ok(())
}
