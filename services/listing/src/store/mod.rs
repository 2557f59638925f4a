//! Persistence of the listing service: sea-orm entities, migrations, and the operations the API
//! performs, each in one write transaction together with the outbox messages it causes.

mod brands;
mod case_measures;
mod catalog_marker;
mod create;
pub mod entities;
mod group_commit;
mod images;
mod listings;
mod measures;
mod migration;
mod migration_actions;
pub mod notices;
mod page;
mod terms;
mod views;
mod withdrawals;

#[cfg(test)]
mod tests;

use genuine_runtime::outbox::OutboxMigration;
use sea_orm_migration::{MigrationTrait, MigratorTrait};

pub use brands::{
    NewBrand, authorize_seller, get_brand, list_brands, load_brand_profiles, register_brand,
    revoke_seller,
};
pub use case_measures::{restore_listing, take_down_listing};
pub use catalog_marker::{CatalogMarker, catalog_marker};
pub use create::{CreateRequest, create_listings};
pub use group_commit::{GroupCommit, LINGER, MAX_BATCH};
pub use images::{NewCounterfeitImage, add_counterfeit_images, load_counterfeit_images};
pub use listings::{
    ListingContent, ListingFilter, NewListing, Screened, Visibility, create_listing,
    find_by_request, get_listing, list_listings, update_listing,
};
pub use measures::{reinstate_seller, suspend_seller};
pub use migration::{CreateTables, DEFAULT_PROHIBITED_TERMS};
pub use migration_actions::MeasureActions;
pub use page::{Page, PageRequest};
pub use terms::{NewTerm, add_terms, list_terms, load_terms};
pub use views::{BrandView, ListingView, MeasureView, StoredScreening, TermView};
pub use withdrawals::withdraw_listing;

/// The listing database's migrations: the shared outbox table, then the service's tables, then
/// the action generation of case measures.
#[derive(Debug, Clone, Copy)]
pub struct Migrator;

impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(OutboxMigration),
            Box::new(CreateTables),
            Box::new(MeasureActions),
        ]
    }
}

/// Who made a change: recorded with it (the runtime's one definition).
pub use genuine_runtime::auth::Actor;

/// SHA-256 hex of `parts`, each length-prefixed so that no two different inputs collide by
/// concatenation.
#[must_use]
pub(crate) fn digest(parts: &[&str]) -> String {
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update((part.len() as u64).to_be_bytes());
        hasher.update(part.as_bytes());
    }
    hex::encode(hasher.finalize())
}
