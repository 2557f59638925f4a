//! The seller-reputation service: traders' traceability data, violations, inspections, standing
//! and suspensions (package `genuine.reputation.v1`).
//!
//! The `genuine` binary calls [`migrate`] and [`serve`]; the layers are [`domain`] (pure rules),
//! [`store`] (database and outbox), [`api`] (gRPC) and [`clients`] (outbox handlers).

pub mod api;
pub mod cli;
pub mod clients;
pub mod config;
pub mod domain;
pub mod store;
pub mod testing;

use genuine_contracts::genuine::listing::v1::listing_service_client::ListingServiceClient;
use genuine_contracts::genuine::reputation::v1::seller_reputation_service_server::{
    SERVICE_NAME, SellerReputationServiceServer,
};
use genuine_runtime::clock::SharedClock;
use genuine_runtime::config::Source;
use genuine_runtime::host::Host;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tonic::service::Routes;

use crate::api::{ReputationApi, access_policy};
use crate::config::ReputationConfig;
use crate::store::{Migrator, Store};

/// The service's name in configuration, logs and tokens.
pub const NAME: &str = "reputation";
/// Where it listens unless configured otherwise.
pub const DEFAULT_PORT: u16 = 50052;

/// Applies the reputation database's migrations (the `migrate` sub-command, a Kubernetes Job).
///
/// # Errors
/// Bad configuration, an unreachable database or a failed migration.
pub async fn migrate(source: &Source) -> anyhow::Result<()> {
    let config = ReputationConfig::load(source)?;
    genuine_runtime::host::migrate::<Migrator>(&config.settings).await
}

/// Serves SellerReputationService on `listener` until `shutdown`, with the outbox dispatcher
/// delivering suspensions and reinstatements to listing and firing suspension ends.
///
/// # Errors
/// Bad configuration, a missing auth secret, an unreachable database, or a server failure.
pub async fn serve(
    source: &Source,
    listener: TcpListener,
    clock: SharedClock,
    shutdown: CancellationToken,
) -> anyhow::Result<()> {
    let config = ReputationConfig::load(source)?;
    let host = Host::start::<Migrator>(config.settings, clock).await?;
    let store = Store::new(
        host.db().clone(),
        config.rules,
        host.clock().clone(),
        host.outbox_wake(),
    );
    let listing = ListingServiceClient::new(host.channel(&host.settings().peers.listing)?);
    let handlers = clients::handlers(listing, store.clone());
    let routes = Routes::new(SellerReputationServiceServer::new(ReputationApi::new(
        store,
    )));
    host.run(
        listener,
        routes,
        &[SERVICE_NAME],
        access_policy(),
        handlers,
        shutdown,
    )
    .await
}
