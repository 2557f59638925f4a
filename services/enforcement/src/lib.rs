//! The enforcement service: notices, cases, decisions, counter-notices, appeals, statements of
//! reasons, the tamper-evident audit log and transparency statistics (package
//! `genuine.enforcement.v1`).
//!
//! The `genuine` binary calls [`migrate`] and [`serve`]; the layers are [`domain`] (pure rules),
//! [`store`] (database, audit log, outbox), [`api`] (gRPC) and [`clients`] (listing look-ups and
//! outbox handlers).

pub mod api;
pub mod cli;
pub mod clients;
pub mod config;
pub mod domain;
pub mod store;
pub mod testing;

use std::sync::Arc;

use genuine_contracts::genuine::enforcement::v1::enforcement_service_server::{
    EnforcementServiceServer, SERVICE_NAME,
};
use genuine_contracts::genuine::listing::v1::listing_service_client::ListingServiceClient;
use genuine_contracts::genuine::reputation::v1::seller_reputation_service_client::SellerReputationServiceClient;
use genuine_runtime::clock::SharedClock;
use genuine_runtime::config::Source;
use genuine_runtime::host::Host;
use genuine_runtime::outbox::DispatcherConfig;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tonic::service::Routes;

use crate::api::{EnforcementApi, access_policy};
use crate::clients::GrpcListings;
use crate::config::EnforcementConfig;
use crate::store::{Migrator, Store};

/// The service's name in configuration, logs and tokens.
pub const NAME: &str = "enforcement";
/// Where it listens unless configured otherwise.
pub const DEFAULT_PORT: u16 = 50053;

/// Applies the enforcement database's migrations (the `migrate` sub-command, a Kubernetes Job).
///
/// # Errors
/// Bad configuration, an unreachable database or a failed migration.
pub async fn migrate(source: &Source) -> anyhow::Result<()> {
    let config = EnforcementConfig::load(source)?;
    genuine_runtime::host::migrate::<Migrator>(&config.settings).await
}

/// Serves EnforcementService on `listener` until `shutdown`, with the outbox dispatcher
/// delivering takedowns, restorations and violations and firing counter-notice windows.
///
/// # Errors
/// Bad configuration, a missing auth secret or audit key, an unreachable database, or a server
/// failure.
pub async fn serve(
    source: &Source,
    listener: TcpListener,
    clock: SharedClock,
    shutdown: CancellationToken,
) -> anyhow::Result<()> {
    let config = EnforcementConfig::load(source)?;
    let signer = config.audit_signer()?;
    let host = Host::start::<Migrator>(config.settings, clock).await?;
    let dispatcher = DispatcherConfig {
        poll_interval: config.deadline_sweep_interval,
        ..host.dispatcher_config()
    };
    let host = host.with_dispatcher_config(dispatcher);
    let store = Store::new(
        host.db().clone(),
        host.clock().clone(),
        signer,
        config.rules,
    );
    let peers = host.settings().peers.clone();
    let listing_channel = host.channel(&peers.listing)?;
    let reputation_channel = host.channel(&peers.reputation)?;
    let handlers = clients::handlers(
        ListingServiceClient::new(listing_channel.clone()),
        SellerReputationServiceClient::new(reputation_channel),
        store.clone(),
    );
    let api = EnforcementApi::new(
        store,
        Arc::new(GrpcListings::new(listing_channel)),
        host.outbox_wake(),
    );
    let routes = Routes::new(EnforcementServiceServer::new(api));
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
