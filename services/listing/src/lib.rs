//! The listing service: listings, protected brands and the screening that keeps counterfeits
//! from being published (package `genuine.listing.v1`).
//!
//! The `genuine` binary calls [`migrate`] and [`serve`]; the layers are [`domain`] and
//! [`screening`] (pure rules), [`store`] (database and outbox), [`api`] (gRPC) and [`clients`]
//! (standing look-ups and outbox delivery).

pub mod api;
mod catalog_reload;
pub mod cli;
pub mod clients;
pub mod config;
pub mod domain;
pub mod screening;
pub mod store;

use std::sync::Arc;

use genuine_contracts::genuine::enforcement::v1::enforcement_service_client::EnforcementServiceClient;
use genuine_contracts::genuine::listing::v1::listing_service_server::{
    ListingServiceServer, SERVICE_NAME,
};
use genuine_runtime::clock::SharedClock;
use genuine_runtime::config::Source;
use genuine_runtime::host::Host;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tonic::service::Routes;

use crate::api::{ListingApi, access_policy};
use crate::catalog_reload::CatalogReload;
use crate::clients::jurisdiction::SellerJurisdictions;
use crate::clients::reputation::StandingClient;
use crate::config::ListingConfig;
use crate::store::Migrator;

pub use crate::catalog_reload::load_catalog;

/// The service's name in configuration, logs and tokens.
pub const NAME: &str = "listing";
/// Where it listens unless configured otherwise.
pub const DEFAULT_PORT: u16 = 50051;

/// Applies the listing database's migrations (the `migrate` sub-command, a Kubernetes Job).
///
/// # Errors
/// Bad configuration, an unreachable database or a failed migration.
pub async fn migrate(source: &Source) -> anyhow::Result<()> {
    let config = ListingConfig::load(source)?;
    genuine_runtime::host::migrate::<Migrator>(&config.settings).await
}

/// Serves ListingService on `listener` until `shutdown`: the screening catalogue is built from
/// the database first (and reloaded periodically), and the outbox dispatcher delivers notices
/// to enforcement.
///
/// # Errors
/// Bad configuration, a missing auth secret, an unreachable database, or a server failure.
pub async fn serve(
    source: &Source,
    listener: TcpListener,
    clock: SharedClock,
    shutdown: CancellationToken,
) -> anyhow::Result<()> {
    let config = ListingConfig::load(source)?;
    let host = Host::start::<Migrator>(config.settings.clone(), clock).await?;
    let reload = CatalogReload::load(host.db().clone()).await?;
    let catalog = reload.catalog();
    reload.spawn(config.catalog_reload_interval, shutdown.clone());
    let standing = StandingClient::new(
        host.channel_with_deadline(&host.settings().peers.reputation, config.standing_deadline)?,
        config.standing_deadline,
    );
    let enforcement =
        EnforcementServiceClient::new(host.channel(&host.settings().peers.enforcement)?);
    let handlers = clients::enforcement::handlers(enforcement);
    let max_request_bytes = config.max_request_bytes;
    let api = ListingApi::new(
        host.db().clone(),
        host.clock().clone(),
        catalog,
        Arc::new(config),
        standing,
        SellerJurisdictions::new(host.channel(&host.settings().peers.reputation)?),
        host.outbox_wake(),
    );
    // Images travel in requests: the default 4 MiB message limit would refuse a valid upload
    // before the size check could name the field.
    let routes =
        Routes::new(ListingServiceServer::new(api).max_decoding_message_size(max_request_bytes));
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
