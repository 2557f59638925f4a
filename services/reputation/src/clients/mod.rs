//! Outbox handlers: delivering this service's messages to listing, and firing its deadlines.
//! Each is idempotent on the message key (the suspension id), as the outbox delivers at least
//! once.

mod listing;
mod retention;
mod suspension_end;

#[cfg(test)]
mod tests;

use genuine_contracts::genuine::listing::v1::listing_service_client::ListingServiceClient;
use genuine_runtime::clients::ServiceChannel;
use genuine_runtime::outbox::Handlers;

pub use listing::{ReinstateListings, SuspendListings};
pub use retention::RetentionEnd;
pub use suspension_end::SuspensionEnd;

use crate::store::Store;
use crate::store::effects::{REINSTATE_LISTINGS, SUSPEND_LISTINGS, SUSPENSION_END};
use crate::store::retention::RETENTION;

/// Every handler of this service's outbox kinds.
#[must_use]
pub fn handlers(listing: ListingServiceClient<ServiceChannel>, store: Store) -> Handlers {
    Handlers::new()
        .with(SUSPEND_LISTINGS, SuspendListings::new(listing.clone()))
        .with(REINSTATE_LISTINGS, ReinstateListings::new(listing))
        .with(SUSPENSION_END, SuspensionEnd::new(store.clone()))
        .with(RETENTION, RetentionEnd::new(store))
}
