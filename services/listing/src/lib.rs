//! The listing service: listings, protected brands and the screening that keeps counterfeits
//! from being published (package `genuine.listing.v1`).
//!
//! The `genuine` binary calls [`migrate`] and [`serve`]; the layers are [`domain`] and
//! [`screening`] (pure rules), [`store`] (database and outbox), [`api`] (gRPC) and [`clients`]
//! (standing look-ups and outbox delivery).

pub mod api;
pub mod cli;
pub mod clients;
pub mod config;
pub mod domain;
pub mod screening;
pub mod store;

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use genuine_contracts::genuine::enforcement::v1::enforcement_service_client::EnforcementServiceClient;
use genuine_contracts::genuine::listing::v1::listing_service_server::{
    ListingServiceServer, SERVICE_NAME,
};
use genuine_runtime::clock::SharedClock;
use genuine_runtime::config::Source;
use genuine_runtime::host::Host;
use sea_orm::DatabaseConnection;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tonic::service::Routes;

use crate::api::{ListingApi, access_policy};
use crate::clients::reputation::StandingClient;
use crate::config::ListingConfig;
use crate::screening::{Catalog, ImageSet, LiveCatalog};
use crate::store::Migrator;

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
    let catalog = Arc::new(LiveCatalog::new(load_catalog(host.db()).await?));
    spawn_reload(
        host.db().clone(),
        Arc::clone(&catalog),
        config.catalog_reload_interval,
        shutdown.clone(),
    );
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

/// Builds the screening catalogue from the database.
///
/// # Errors
/// Database errors, or a catalogue that cannot be compiled.
pub async fn load_catalog(db: &DatabaseConnection) -> anyhow::Result<Catalog> {
    let brands = store::load_brand_profiles(db)
        .await
        .context("listing: loading brands")?;
    let terms = store::load_terms(db)
        .await
        .context("listing: loading prohibited terms")?;
    let images = store::load_counterfeit_images(db)
        .await
        .context("listing: loading counterfeit image hashes")?;
    let (b, t, i) = (brands.len(), terms.len(), images.len());
    let catalog = Catalog::build(brands, terms, ImageSet::build(images))
        .context("listing: compiling the catalogue")?;
    tracing::info!(
        brands = b,
        terms = t,
        hashes = i,
        "screening catalogue loaded"
    );
    Ok(catalog)
}

/// Reloads the catalogue every `interval`, so that changes made through other replicas reach
/// this one; a failed reload keeps the current catalogue.
fn spawn_reload(
    db: DatabaseConnection,
    catalog: Arc<LiveCatalog>,
    interval: Duration,
    shutdown: CancellationToken,
) {
    if interval.is_zero() {
        return;
    }
    tokio::spawn(async move {
        let mut ticker = tokio::time::interval(interval);
        ticker.tick().await;
        loop {
            tokio::select! {
                () = shutdown.cancelled() => break,
                _ = ticker.tick() => match load_catalog(&db).await {
                    Ok(fresh) => catalog.replace(fresh),
                    Err(error) => tracing::warn!(error = %format!("{error:#}"), "screening catalogue reload failed"),
                },
            }
        }
    });
}
