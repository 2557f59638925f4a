//! Loading the screening catalogue from the database, and reloading it periodically so that
//! changes made through other replicas reach this one. A reload first compares the catalogue's
//! marker (row counts and latest brand change) with the one of the last load and rebuilds
//! nothing when they are equal: a rebuild of 10,000 brands and 1 M hashes costs seconds of CPU
//! and hundreds of MiB of transient memory.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use sea_orm::DatabaseConnection;
use tokio_util::sync::CancellationToken;

use crate::screening::{Catalog, ImageSetBuilder, LiveCatalog};
use crate::store::{self, CatalogMarker};

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
    let mut images = ImageSetBuilder::default();
    store::load_counterfeit_images(db, &mut images)
        .await
        .context("listing: loading counterfeit image hashes")?;
    let (b, t, i) = (brands.len(), terms.len(), images.len());
    let catalog = Catalog::build(brands, terms, images.finish())
        .context("listing: compiling the catalogue")?;
    tracing::info!(
        brands = b,
        terms = t,
        hashes = i,
        "screening catalogue loaded"
    );
    Ok(catalog)
}

/// The live catalogue with the marker of the database state it was last loaded from.
pub(crate) struct CatalogReload {
    db: DatabaseConnection,
    catalog: Arc<LiveCatalog>,
    loaded: CatalogMarker,
}

impl CatalogReload {
    /// Loads the catalogue.
    ///
    /// # Errors
    /// Database errors, or a catalogue that cannot be compiled.
    pub(crate) async fn load(db: DatabaseConnection) -> anyhow::Result<Self> {
        // The marker is read first: a change committed during the load moves it again, so the
        // next reload picks the change up even if the load missed it.
        let loaded = marker(&db).await?;
        let catalog = Arc::new(LiveCatalog::new(load_catalog(&db).await?));
        Ok(Self {
            db,
            catalog,
            loaded,
        })
    }

    pub(crate) fn catalog(&self) -> Arc<LiveCatalog> {
        Arc::clone(&self.catalog)
    }

    /// Rebuilds the catalogue when the database changed since the last load; answers whether
    /// it did.
    ///
    /// # Errors
    /// Database errors, or a catalogue that cannot be compiled (the current one stays).
    pub(crate) async fn reload_if_changed(&mut self) -> anyhow::Result<bool> {
        let now = marker(&self.db).await?;
        if now == self.loaded {
            return Ok(false);
        }
        self.catalog.replace(load_catalog(&self.db).await?);
        self.loaded = now;
        Ok(true)
    }

    /// Reloads every `interval` until `shutdown`; a failed reload keeps the current catalogue.
    pub(crate) fn spawn(mut self, interval: Duration, shutdown: CancellationToken) {
        if interval.is_zero() {
            return;
        }
        tokio::spawn(async move {
            let mut ticker = tokio::time::interval(interval);
            ticker.tick().await;
            loop {
                tokio::select! {
                    () = shutdown.cancelled() => break,
                    _ = ticker.tick() => if let Err(error) = self.reload_if_changed().await {
                        tracing::warn!(error = %format!("{error:#}"), "screening catalogue reload failed");
                    },
                }
            }
        });
    }
}

async fn marker(db: &DatabaseConnection) -> anyhow::Result<CatalogMarker> {
    store::catalog_marker(db)
        .await
        .context("listing: reading the catalogue's change marker")
}

#[cfg(test)]
#[path = "catalog_reload_tests.rs"]
mod tests;
